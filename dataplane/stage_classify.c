/* First stage after RX: check the Ethernet header and sort a burst into ARP
 * (punted) and IPv4 (next stage); everything else is dropped and counted. */
#include <rte_cycles.h>
#include <rte_ether.h>

#include "gre.h"
#include "lcore_ctx.h"

static int l2_dst_ok(const struct rte_ether_hdr *eth, const struct dp_port *pt)
{
	/* The kernel addresses frames on its NOARP TAP to its own MAC. */
	return pt->pt_role == DP_PORT_KERNEL ||
	       rte_is_same_ether_addr(&eth->dst_addr, &pt->pt_mac) ||
	       rte_is_broadcast_ether_addr(&eth->dst_addr);
}

void classify_burst(struct lcore_ctx *lc, uint8_t port_idx,
		    struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port *pt = &lc->lc_dp->dp_ports[port_idx];
	struct rte_mbuf *ipv4[DP_BURST];
	uint16_t n4 = 0;

	const struct dp *dp = lc->lc_dp;

	lc->lc_burst_tsc = 0; /* read when first needed (lc_burst_now) */
	/* What earlier bursts found is kept only while its table's generation
	 * has not moved since; read before any lookup of this burst, so what
	 * this burst finds is kept under the values read here. */
	uint64_t gen_neigh = neigh_table_gen(&dp->dp_neigh);
	uint64_t gen_peer = peer_table_gen(&dp->dp_peers);
	uint64_t gen_sa = sa_table_gen(&dp->dp_sa_in);

	if (gen_neigh != lc->lc_gen_neigh)
		lc->lc_nc_ne = NULL;
	if (gen_sa != lc->lc_gen_sa || gen_peer != lc->lc_gen_peer)
		rx_cache_drop(lc);
	lc->lc_gen_neigh = gen_neigh;
	lc->lc_gen_peer = gen_peer;
	lc->lc_gen_sa = gen_sa;
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
	if (n4 > 0)
		ipv4_input_burst(lc, port_idx, ipv4, n4);
	/* Decryption queues decapsulation, which may queue encapsulation
	 * (hub hairpin): in, then out. */
	if (lc->lc_esp_in_n != 0)
		ipsec_in_flush(lc);
	if (lc->lc_decap.dq_n != 0)
		gre_decap_flush(lc);
	if (lc->lc_encap_n != 0)
		gre_encap_flush(lc);
}
