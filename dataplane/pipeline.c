/* The packet path's stages, in order, over one RX burst. Everything the
 * burst needs is done here, run to completion: what leaves waits in the
 * TX buffers until the worker's loop flushes them. */
#include "stages.h"

#include "lcore_ctx.h"

/* What earlier bursts found is kept only while its table's generation has
 * not moved since; read before any lookup of this burst, so that what it
 * finds is kept under the values read here. */
static void pipeline_begin(struct lcore_ctx *lc)
{
	const struct dp *dp = lc->lc_dp;
	uint64_t gen_neigh = neigh_table_gen(&dp->dp_neigh);
	uint64_t gen_peer = peer_table_gen(&dp->dp_peers);
	uint64_t gen_sa = sa_table_gen(&dp->dp_sa_in);

	lc->lc_burst_tsc = 0; /* read when first needed (lc_burst_now) */
	if (gen_neigh != lc->lc_gen_neigh)
		lc->lc_nc_ne = NULL;
	if (gen_sa != lc->lc_gen_sa || gen_peer != lc->lc_gen_peer)
		rx_cache_drop(&lc->lc_rx);
	lc->lc_gen_neigh = gen_neigh;
	lc->lc_gen_peer = gen_peer;
	lc->lc_gen_sa = gen_sa;
}

void pipeline_burst(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *ipv4[DP_BURST];
	uint16_t n4;

	pipeline_begin(lc);
	n4 = stage_classify(lc, port_idx, pkts, n, ipv4);
	stage_route_port(lc, port_idx, ipv4, n4);
	/* Into the node from the tunnel: decrypt, decapsulate, route. */
	stage_esp_in(lc);
	stage_gre_decap(lc);
	stage_route_tunnel(lc);
	/* Out of the node: into the tunnel, then to the ports. Multicast
	 * copies take as many rounds as the encap queue needs. */
	do {
		stage_gre_encap(lc);
		stage_esp_out(lc);
		stage_output(lc);
	} while (stage_replicate(lc));
}
