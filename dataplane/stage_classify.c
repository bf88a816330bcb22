/* First stage after RX: check the Ethernet header and sort a burst into ARP
 * (punted) and IPv4 (the route stage); everything else is dropped and
 * counted. */
#include <rte_ether.h>

#include "lcore_ctx.h"
#include "stages.h"

static int l2_dst_ok(const struct rte_ether_hdr *eth, const struct dp_port *pt)
{
	/* The kernel addresses frames on its NOARP TAP to its own MAC. */
	return pt->pt_role == DP_PORT_KERNEL ||
	       rte_is_same_ether_addr(&eth->dst_addr, &pt->pt_mac) ||
	       rte_is_broadcast_ether_addr(&eth->dst_addr);
}

uint16_t stage_classify(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n,
			struct rte_mbuf **ipv4)
{
	const struct dp_port *pt = &lc->lc_dp->dp_ports[port_idx];
	uint16_t n4 = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;

		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		/* NIC packet types are not trusted: the header is checked here. */
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
			lc_drop(lc, port_idx, m, DP_DROP_RUNT);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(!l2_dst_ok(eth, pt))) {
			lc_drop(lc, port_idx, m, DP_DROP_NOT_FOR_US);
			continue;
		}
		switch (eth->ether_type) {
		case RTE_BE16(RTE_ETHER_TYPE_IPV4):
			ipv4[n4++] = m;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_ARP):
			punt_one(lc, port_idx, m, PUNT_ARP);
			break;
		default:
			lc_drop(lc, port_idx, m, DP_DROP_ETHERTYPE);
			break;
		}
	}
	return n4;
}
