/* --inline: the dataplane's stages without the cross-core hand-off. One
 * lcore alternates between the generator and the product's own burst
 * entry (pipeline_burst, then tx_flush, exactly what worker_poll does
 * after rte_eth_rx_burst), so packets arrive cache-warm and the cycles
 * around those two calls are the dataplane's compute alone. The default
 * mode (worker_main on its own lcore) includes what a real core pays to
 * receive packets another agent wrote; the difference is that price. */
#include <rte_cycles.h>

#include "bench.h"
#include "stages.h"

/* One burst through the product's stages; the timed part. */
static void inline_burst(struct bench *b, struct rte_mbuf **pkts, uint16_t n)
{
	struct lcore_ctx *lc = b->b_lc[0];
	struct dp_port_stats *ps = &lc->lc_stats.ls_port[b->b_in_port];
	uint64_t t0 = rte_rdtsc();

	rcu_reader_quiescent(b->b_dp.dp_rcu, lc->lc_idx);
	ps->ps_rx_pkts += n;
	for (uint16_t i = 0; i < n; i++)
		ps->ps_rx_bytes += pkts[i]->pkt_len;
	pipeline_burst(lc, b->b_in_port, pkts, n);
	tx_flush(lc);
	lc->lc_stats.ls_loops++;
	lc->lc_stats.ls_bursts++;
	lc->lc_stats.ls_pkts += n;
	lc->lc_stats.ls_busy_tsc += rte_rdtsc() - t0;
}

/* Runs on: the main lcore, as generator and worker. Returns after one
 * burst (or none), so the caller's clock and snapshots keep working. */
void bench_inline_poll(struct bench *b)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n = (uint16_t)rte_ring_sc_dequeue_burst(b->b_rx[b->b_in_port][0], (void **)pkts,
							 b->b_opt.o_burst, NULL);

	if (n > 0)
		inline_burst(b, pkts, n);
	bench_gen_poll(b, b->b_dp.dp_pool);
}

void bench_inline_start(struct bench *b)
{
	b->b_lc[0]->lc_hz = rte_get_tsc_hz();
	punt_buckets_init(b->b_lc[0]->lc_bucket, b->b_lc[0]->lc_hz);
	rcu_reader_online(b->b_dp.dp_rcu, b->b_lc[0]->lc_idx);
}

void bench_inline_stop(struct bench *b)
{
	rcu_reader_offline(b->b_dp.dp_rcu, b->b_lc[0]->lc_idx);
}
