/* The benchmark's address plan (host order). The node is a hub:
 *
 *   LAN 192.168.0.1/24, hosts 10.0.0.0/8 via 192.168.0.254
 *   WAN 198.51.100.1/24, default route via 198.51.100.254 (the Internet)
 *   tunnel 100.64.0.1/14, peer i: overlay 100.64.0.2 + i, NBMA 20.0.0.1 + i,
 *   LAN prefix 16.0.0.0 + i * 256 /24 routed via its overlay address
 *   (or, in overlay mode, flows aimed at the overlay addresses themselves). */
#include "bench.h"

const uint32_t bench_wan_addr = 0xc6336401u; /* 198.51.100.1 */
const uint32_t bench_wan_gw = 0xc63364feu;   /* 198.51.100.254 */
const uint32_t bench_lan_addr = 0xc0a80001u; /* 192.168.0.1 */
const uint32_t bench_lan_gw = 0xc0a800feu;   /* 192.168.0.254 */
const uint32_t bench_tun_addr = 0x64400001u; /* 100.64.0.1 */
const struct rte_ether_addr bench_wan_gw_mac = {{0x02, 0xbe, 0, 0, 0xfe, 0x01}};
const struct rte_ether_addr bench_lan_gw_mac = {{0x02, 0xbe, 0, 0, 0xfe, 0x02}};

uint32_t bench_peer_nbma(uint32_t peer)
{
	return 0x14000001u + peer;
}

uint32_t bench_peer_overlay(uint32_t peer)
{
	return bench_tun_addr + 1 + peer;
}

/* A host behind peer `peer` for flow `flow`. */
uint32_t bench_peer_host(const struct bench *b, uint32_t peer, uint32_t flow)
{
	if (!b->b_per_peer_routes)
		return bench_peer_overlay(peer);
	return 0x10000000u + (peer << 8) + 1 + (flow / b->b_opt.o_peers) % 254;
}

/* A host on the hub's LAN side for flow `flow`. */
uint32_t bench_lan_host(uint32_t flow)
{
	return 0x0a000001u + flow % 0xfffffe;
}
