/* All mutable state of one worker lcore, in one cache-aligned struct: its
 * queues, TX buffers, punt ring and buckets, counters, back-off state. */
#ifndef DMVPND_LCORE_CTX_H
#define DMVPND_LCORE_CTX_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "punt.h"
#include "stats.h"

#define TX_PENDING_MAX (2 * DP_BURST)

struct tx_pending {
	uint16_t tp_n;
	struct rte_mbuf *tp_pkts[TX_PENDING_MAX];
};

struct lcore_rxq {
	uint8_t rq_port_idx;
	uint16_t rq_queue;
};

struct lcore_ctx {
	unsigned lc_idx;    /* worker index: RCU thread id and TX queue */
	unsigned lc_lcore;  /* EAL lcore id */
	struct dp *lc_dp;
	unsigned lc_nrxq;
	struct lcore_rxq lc_rxq[DP_MAX_RXQ_PER_WORKER];
	struct rte_ring *lc_punt;
	uint32_t lc_idle;   /* consecutive empty polls */
	uint64_t lc_hz;
	struct punt_bucket lc_bucket[PUNT_CAUSE_COUNT];
	struct tx_pending lc_tx[CFG_MAX_PORTS];
	struct dp_lcore_stats lc_stats;
} __rte_cache_aligned;

static inline void lc_drop(struct lcore_ctx *lc, uint8_t port_idx,
			   struct rte_mbuf *m, enum dp_drop why)
{
	lc->lc_stats.ls_port[port_idx].ps_drop[why]++;
	rte_pktmbuf_free(m);
}

/* tx.c */
/* Runs on: workers. Queues m for port_idx; sent at the end of the loop. */
void tx_enqueue(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m);
void tx_flush(struct lcore_ctx *lc);

/* worker.c */
/* The lcore entry point (rte_eal_remote_launch), arg = struct lcore_ctx. */
int worker_main(void *arg);

/* ipv4_input.c */
void ipv4_input_burst(struct lcore_ctx *lc, uint8_t port_idx,
		      struct rte_mbuf **pkts, uint16_t n);

/* classify.c */
void classify_burst(struct lcore_ctx *lc, uint8_t port_idx,
		    struct rte_mbuf **pkts, uint16_t n);

#endif
