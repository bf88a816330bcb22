/* IPv4 stage: validate the header, look the destination up in the FIB, and
 * either punt (ours, unresolved, TTL), forward (rewrite + TX) or drop. */
#include <rte_ether.h>
#include <rte_ip.h>

#include "lcore_ctx.h"

#define ETH_IPV4_MIN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

/* 0 when the header is sane; trims link-layer padding. Lengths are checked
 * against what is present, never trusted (RFC 1812 5.2.2). */
static int ipv4_validate(struct rte_mbuf *m, struct rte_ipv4_hdr **out)
{
	struct rte_ipv4_hdr *ip;
	uint32_t l3_len, hlen, tot;

	if (rte_pktmbuf_data_len(m) < ETH_IPV4_MIN)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	l3_len = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || hlen > l3_len ||
	    tot < hlen || tot > l3_len)
		return -1;
	if (rte_raw_cksum(ip, hlen) != 0xffff)
		return -1;
	if (tot < l3_len)
		rte_pktmbuf_trim(m, (uint16_t)(l3_len - tot));
	*out = ip;
	return 0;
}

/* RFC 1624 incremental update for a TTL decrement. */
static void ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint32_t)rte_be_to_cpu_16(ip->hdr_checksum) + 0x0100;

	ip->time_to_live--;
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)sum);
}

static void ipv4_forward(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			 struct rte_ipv4_hdr *ip, const struct fib_nh *nh)
{
	const struct dp *dp = lc->lc_dp;
	uint8_t out_idx = (uint8_t)nh->nh_port;
	const struct dp_port *out = &dp->dp_ports[out_idx];
	uint32_t via = nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw
						     : rte_be_to_cpu_32(ip->dst_addr);
	const struct neigh_entry *ne;
	struct rte_ether_hdr *eth;

	if (unlikely(ip->time_to_live <= 1)) {
		punt_one(lc, in_idx, m, PUNT_TTL);
		return;
	}
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > out->pt_mtu)) {
		lc_drop(lc, in_idx, m, DP_DROP_MTU);
		return;
	}
	ne = neigh_table_lookup(&dp->dp_neigh, nh->nh_port, via);
	if (unlikely(ne == NULL)) {
		punt_one(lc, in_idx, m, PUNT_RESOLVE);
		return;
	}
	ipv4_ttl_dec(ip);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr = ne->ne_mac;
	eth->src_addr = out->pt_mac;
	tx_enqueue(lc, out_idx, m);
}

void ipv4_input_burst(struct lcore_ctx *lc, uint8_t port_idx,
		      struct rte_mbuf **pkts, uint16_t n)
{
	const struct fib *fib = &lc->lc_dp->dp_fib;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ipv4_hdr *ip;
		const struct fib_nh *nh;

		if (unlikely(ipv4_validate(m, &ip) != 0)) {
			lc_drop(lc, port_idx, m, DP_DROP_IPV4_HEADER);
			continue;
		}
		nh = fib_lookup(fib, rte_be_to_cpu_32(ip->dst_addr));
		if (unlikely(nh == NULL)) {
			lc_drop(lc, port_idx, m, DP_DROP_NO_ROUTE);
			continue;
		}
		switch (nh->nh_type) {
		case FIB_NH_LOCAL:
			if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
							   RTE_IPV4_HDR_OFFSET_MASK))
				lc_drop(lc, port_idx, m, DP_DROP_IPV4_FRAGMENT);
			else
				punt_one(lc, port_idx, m, PUNT_LOCAL);
			break;
		case FIB_NH_CONNECTED:
		case FIB_NH_GATEWAY:
			ipv4_forward(lc, port_idx, m, ip, nh);
			break;
		case FIB_NH_TUNNEL:
			lc_drop(lc, port_idx, m, DP_DROP_TUNNEL);
			break;
		default:
			lc_drop(lc, port_idx, m, DP_DROP_BLACKHOLE);
			break;
		}
	}
}
