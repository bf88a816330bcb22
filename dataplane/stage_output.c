/* The output stage: what leaves the node, forwarded or out of the tunnel,
 * in runs to one next hop: each run takes one neighbour lookup, gets its
 * Ethernet header and goes into the port's TX buffer, or to the control
 * thread, which resolves the next hop and holds it. */
#include <rte_ether.h>

#include "lcore_ctx.h"
#include "stages.h"

/* pkts[0..n) to next hop `via` on port out_idx: one neighbour lookup (the
 * last one found is kept), or punted for ARP resolution. */
static void output_run(struct lcore_ctx *lc, uint8_t in_idx, uint8_t out_idx,
		       struct rte_mbuf **pkts, uint16_t n, uint32_t via)
{
	const struct dp *dp = lc->lc_dp;
	const struct rte_ether_addr *src = &dp->dp_ports[out_idx].pt_mac;
	const struct neigh_entry *ne;

	if (lc->lc_nc_ne != NULL && lc->lc_nc_via == via && lc->lc_nc_port == out_idx) {
		ne = lc->lc_nc_ne;
	} else {
		ne = neigh_table_lookup(&dp->dp_neigh, out_idx, via);
		lc->lc_nc_ne = ne;
		lc->lc_nc_via = via;
		lc->lc_nc_port = out_idx;
	}
	if (unlikely(ne == NULL)) {
		/* The control thread routes them again, ARPs and holds them. */
		for (uint16_t i = 0; i < n; i++)
			punt_one(lc, in_idx, pkts[i], PUNT_RESOLVE);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		eth->dst_addr = ne->ne_mac;
		eth->src_addr = *src;
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	tx_enqueue_burst(lc, out_idx, pkts, n);
}

void stage_output(struct lcore_ctx *lc)
{
	struct out_queue *q = &lc->lc_q_out;

	for (uint16_t i = 0; i < q->nruns; i++) {
		const struct out_run *r = &q->run[i];

		output_run(lc, r->or_in_idx, r->or_port, &q->pkts[r->or_first], r->or_n, r->or_via);
	}
	q->n = q->nruns = 0;
}
