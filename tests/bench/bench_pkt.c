/* Packet templates: the first bytes of every packet the generator sends,
 * one per (flow, size class), built once. Encap and iofwd send cleartext
 * IPv4/UDP from the LAN towards a peer's host; decap sends GRE (key set)
 * from a peer's NBMA address to our WAN address carrying IPv4/UDP to a
 * LAN host; hairpin sends GRE from peer p carrying a packet for a host
 * behind peer p + 1. Sizes are inner IPv4 bytes. ESP, when on, is added
 * per packet by the generator with the peer's own SA. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "bench.h"

#define GRE_KEYED_LEN 8
#define OUTER_LEN (sizeof(struct rte_ipv4_hdr) + GRE_KEYED_LEN)

static uint8_t *put_eth(uint8_t *p, const struct rte_ether_addr *dst,
			const struct rte_ether_addr *src)
{
	struct rte_ether_hdr eth = {
		.dst_addr = *dst, .src_addr = *src, .ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4)};

	memcpy(p, &eth, sizeof(eth));
	return p + sizeof(eth);
}

static uint8_t *put_ipv4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16(len),
		.time_to_live = 64,
		.next_proto_id = proto,
		.src_addr = rte_cpu_to_be_32(src),
		.dst_addr = rte_cpu_to_be_32(dst),
	};

	ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(p, &ip, sizeof(ip));
	return p + sizeof(ip);
}

static uint8_t *put_udp(uint8_t *p, uint32_t flow, uint16_t ip_len)
{
	struct rte_udp_hdr u = {
		.src_port = rte_cpu_to_be_16((uint16_t)(1024 + flow % 60000)),
		.dst_port = RTE_BE16(5001),
		.dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(struct rte_ipv4_hdr))),
	};

	memcpy(p, &u, sizeof(u));
	return p + sizeof(u);
}

/* RFC 2890 keyed GRE carrying IPv4. */
static uint8_t *put_gre(uint8_t *p)
{
	uint16_t w[2] = {RTE_BE16(0x2000), RTE_BE16(0x0800)};
	uint32_t key = rte_cpu_to_be_32(BENCH_GRE_KEY);

	memcpy(p, w, 4);
	memcpy(p + 4, &key, 4);
	return p + GRE_KEYED_LEN;
}

/* One template for flow f and inner size len. */
static void tmpl_build(const struct bench *b, struct bench_tmpl *t, uint32_t f, uint16_t len)
{
	const struct dp *dp = &b->b_dp;
	uint32_t peers = b->b_opt.o_peers, p = f % peers, q = (p + 1) % peers;
	uint32_t src, dst;
	uint8_t *w = t->t_hdr;

	memset(t, 0, sizeof(*t));
	t->t_inner_len = len;
	t->t_src_peer = p;
	t->t_dst_peer = p;
	/* RSS: on the inner flow from the LAN, on the outer addresses (the
	 * sending peer) from the tunnel, so a peer's SA has one receiver. */
	t->t_rxq =
		(uint8_t)((b->b_opt.o_dir == BENCH_ENCAP || b->b_opt.o_dir == BENCH_IOFWD ? f : p) %
			  b->b_opt.o_nworkers);
	if (b->b_opt.o_dir == BENCH_ENCAP || b->b_opt.o_dir == BENCH_IOFWD) {
		src = bench_lan_host(f);
		dst = bench_peer_host(b, p, f);
		w = put_eth(w, &dp->dp_ports[BENCH_PORT_LAN].pt_mac, &bench_lan_gw_mac);
	} else {
		src = bench_peer_host(b, p, f);
		dst = b->b_opt.o_dir == BENCH_DECAP ? bench_lan_host(f) : bench_peer_host(b, q, f);
		t->t_dst_peer = q;
		w = put_eth(w, &dp->dp_ports[BENCH_PORT_WAN].pt_mac, &bench_wan_gw_mac);
		w = put_ipv4(w, bench_peer_nbma(p), bench_wan_addr, IPPROTO_GRE,
			     (uint16_t)(OUTER_LEN + len));
		w = put_gre(w);
	}
	w = put_ipv4(w, src, dst, IPPROTO_UDP, len);
	w = put_udp(w, f, len);
	t->t_inner_dst = dst;
	t->t_hdr_len = (uint16_t)(w - t->t_hdr);
	t->t_frame_len = (uint16_t)(t->t_hdr_len - sizeof(struct rte_udp_hdr) -
				    sizeof(struct rte_ipv4_hdr) + len);
}

static void tmpl_sizes(struct bench *b)
{
	/* 7:4:1, interleaved so every burst sees the mix. */
	static const uint8_t mix[BENCH_MIX_LEN] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 2, 0};

	if (b->b_opt.o_size != 0) {
		b->b_nsizes = 1;
		b->b_sizes[0] = b->b_opt.o_size;
		memset(b->b_mix, 0, sizeof(b->b_mix));
		return;
	}
	b->b_nsizes = 3;
	b->b_sizes[0] = 64;
	b->b_sizes[1] = 576;
	b->b_sizes[2] = 1400;
	memcpy(b->b_mix, mix, sizeof(mix));
}

int bench_tmpl_create(struct bench *b)
{
	size_t n;

	tmpl_sizes(b);
	b->b_nflows = b->b_opt.o_flows;
	n = (size_t)b->b_nflows * b->b_nsizes;
	b->b_tmpl = aligned_alloc(RTE_CACHE_LINE_SIZE, n * sizeof(*b->b_tmpl));
	if (b->b_tmpl == NULL)
		return -ENOMEM;
	for (uint32_t f = 0; f < b->b_nflows; f++)
		for (uint32_t s = 0; s < b->b_nsizes; s++)
			tmpl_build(b, &b->b_tmpl[(size_t)f * b->b_nsizes + s], f, b->b_sizes[s]);
	return 0;
}

/* Runs on: the generator. Flows in order, sizes in the 7:4:1 pattern. */
const struct bench_tmpl *bench_tmpl_next(struct bench *b, uint32_t *idx)
{
	uint32_t f = b->b_next_flow, s = b->b_mix[b->b_next_mix];

	if (++b->b_next_flow == b->b_nflows)
		b->b_next_flow = 0;
	if (++b->b_next_mix == BENCH_MIX_LEN)
		b->b_next_mix = 0;
	*idx = f * b->b_nsizes + s;
	return &b->b_tmpl[*idx];
}
