/* --verify: every forwarded packet is checked against the template it was
 * made from, independently of the dataplane's code. Tunnel output (encap,
 * hairpin) goes to the Internet gateway, addressed to the right peer's
 * NBMA address, in keyed GRE, and with ESP decrypts under the receiving
 * peer's own inbound SA; LAN output (decap) goes to the LAN gateway. In
 * both the inner packet has its destination and a TTL one lower. */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "bench.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

static bool eth_ok(const struct rte_mbuf *m, const struct rte_ether_addr *gw)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return m->data_len >= L2_LEN + sizeof(struct rte_ipv4_hdr) &&
	       rte_is_same_ether_addr(&eth->dst_addr, gw) &&
	       eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

static bool inner_ok(const struct rte_ipv4_hdr *ip, const struct bench_tmpl *t)
{
	return ip->version_ihl == RTE_IPV4_VHL_DEF && ip->time_to_live == 63 &&
	       rte_raw_cksum(ip, sizeof(*ip)) == 0xffff &&
	       rte_be_to_cpu_16(ip->total_length) == t->t_inner_len &&
	       rte_be_to_cpu_32(ip->dst_addr) == t->t_inner_dst;
}

/* Keyed GRE from our WAN address to the receiving peer; the inner packet. */
static bool gre_ok(const struct rte_mbuf *m, const struct bench_tmpl *t)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, L2_LEN);
	const uint8_t *gre = (const uint8_t *)(ip + 1);
	static const uint8_t want[8] = {0x20,
					0x00,
					0x08,
					0x00,
					(BENCH_GRE_KEY >> 24) & 0xff,
					(BENCH_GRE_KEY >> 16) & 0xff,
					(BENCH_GRE_KEY >> 8) & 0xff,
					BENCH_GRE_KEY & 0xff};

	if (m->data_len < L2_LEN + 2 * sizeof(*ip) + sizeof(want) ||
	    ip->next_proto_id != IPPROTO_GRE || rte_raw_cksum(ip, sizeof(*ip)) != 0xffff ||
	    rte_be_to_cpu_32(ip->src_addr) != bench_wan_addr ||
	    rte_be_to_cpu_32(ip->dst_addr) != bench_peer_nbma(t->t_dst_peer) ||
	    memcmp(gre, want, sizeof(want)) != 0)
		return false;
	return inner_ok((const struct rte_ipv4_hdr *)(gre + sizeof(want)), t);
}

/* The receiving peer decrypts; false (reason counted) when it cannot. */
static bool esp_open(struct bench *b, struct rte_mbuf *m, const struct bench_tmpl *t)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, L2_LEN);
	struct rte_mbuf *dropped;
	uint8_t why = 0;

	if (ip->next_proto_id != IPPROTO_ESP)
		return false;
	if (esp_decrypt_burst(&b->b_gen_cx, b->b_peer_in[t->t_dst_peer], &m, 1, L2_LEN,
			      &(struct esp_sink){.es_drop = &dropped, .es_reason = &why}) == 1)
		return true;
	b->b_gen.gs_verify_esp[why]++;
	return false;
}

void bench_verify_one(struct bench *b, struct rte_mbuf *m, const struct bench_tmpl *t)
{
	bool ok;

	switch (b->b_opt.o_dir) {
	case BENCH_ENCAP:
	case BENCH_HAIRPIN:
		ok = eth_ok(m, &bench_wan_gw_mac) &&
		     (b->b_opt.o_prot == BENCH_PROT_NONE || esp_open(b, m, t)) && gre_ok(m, t);
		break;
	case BENCH_DECAP:
		ok = eth_ok(m, &bench_lan_gw_mac) &&
		     inner_ok(rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, L2_LEN), t);
		break;
	default:
		ok = true;
		break;
	}
	if (ok)
		b->b_gen.gs_verify_ok++;
	else
		b->b_gen.gs_verify_bad++;
}
