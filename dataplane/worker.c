/* The worker lcore loop: quiescent report, RX from each assigned queue,
 * the pipeline of stages over each burst (pipeline.c), buffered TX, idle
 * back-off. Run-to-completion. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "lcore_ctx.h"
#include "stages.h"

/* Empty polls spent spinning before the adaptive back-off starts sleeping. */
#define BACKOFF_SPIN_POLLS 256

/* Idle path only, never per packet. Sleeping readers go offline so that the
 * control thread's grace periods do not wait for them. */
static void worker_backoff(struct lcore_ctx *lc)
{
	const struct dp_backoff *bo = &lc->lc_dp->dp_backoff;
	uint32_t us;

	if (bo->bo_adaptive) {
		uint32_t over;

		if (++lc->lc_idle < BACKOFF_SPIN_POLLS) {
			rte_pause();
			return;
		}
		/* 1, 2, 4 ... us, doubling every 16 empty polls, capped. */
		over = (lc->lc_idle - BACKOFF_SPIN_POLLS) / 16;
		us = over >= 31 ? bo->bo_max_us : RTE_MIN(UINT32_C(1) << over, bo->bo_max_us);
	} else {
		us = bo->bo_sleep_us;
		if (us == 0)
			return;
	}
	lc->lc_stats.ls_sleeps++;
	rcu_reader_offline(lc->lc_dp->dp_rcu, lc->lc_idx);
	rte_delay_us_sleep(us);
	rcu_reader_online(lc->lc_dp->dp_rcu, lc->lc_idx);
}

static uint16_t worker_poll(struct lcore_ctx *lc)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t total = 0;

	for (unsigned q = 0; q < lc->lc_nrxq; q++) {
		const struct lcore_rxq *rq = &lc->lc_rxq[q];
		const struct dp_port *pt = &lc->lc_dp->dp_ports[rq->rq_port_idx];
		struct dp_port_stats *ps = &lc->lc_stats.ls_port[rq->rq_port_idx];
		uint16_t n = rte_eth_rx_burst(pt->pt_id, rq->rq_queue, pkts, lc->lc_rx_burst);

		if (n == 0)
			continue;
		ps->ps_rx_pkts += n;
		for (uint16_t i = 0; i < n; i++)
			ps->ps_rx_bytes += pkts[i]->pkt_len;
		if (cap_is_on(&lc->lc_dp->dp_cap))
			cap_take_burst(lc, rq->rq_port_idx, CAP_IN, pkts, n);
		pipeline_burst(lc, rq->rq_port_idx, pkts, n);
		total += n;
	}
	return total;
}

int worker_main(void *arg)
{
	struct lcore_ctx *lc = arg;
	struct dp *dp = lc->lc_dp;

	lc->lc_hz = rte_get_tsc_hz();
	lc->lc_rx_burst =
		dp->dp_rx_burst >= 1 && dp->dp_rx_burst <= DP_BURST ? dp->dp_rx_burst : DP_BURST;
	punt_buckets_init(lc->lc_bucket, lc->lc_hz);
	lc->lc_stats.ls_start_tsc = rte_rdtsc();
	rcu_reader_online(dp->dp_rcu, lc->lc_idx);
	/* One TSC read per busy loop: its end is the next loop's start. */
	uint64_t t0 = rte_rdtsc();

	while (!dp_is_stopping(dp)) {
		uint16_t n;

		rcu_reader_quiescent(dp->dp_rcu, lc->lc_idx);
		n = worker_poll(lc);
		if (unlikely(dp->dp_flow.dfe_on))
			flow_scan(lc);
		tx_flush(lc);
		lc->lc_stats.ls_loops++;
		if (n > 0) {
			uint64_t t1 = rte_rdtsc();

			lc->lc_idle = 0;
			lc->lc_stats.ls_bursts++;
			lc->lc_stats.ls_pkts += n;
			lc->lc_stats.ls_busy_tsc += t1 - t0;
			t0 = t1;
		} else {
			worker_backoff(lc);
			t0 = rte_rdtsc();
		}
	}
	rcu_reader_offline(dp->dp_rcu, lc->lc_idx);
	return 0;
}
