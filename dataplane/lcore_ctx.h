/* All mutable state of one worker lcore, in one cache-aligned struct: its
 * RX queues, the queues between its stages (stage_queues.h), TX buffers,
 * punt buckets, kept lookups, counters, back-off state. The stages
 * themselves are declared in stages.h. */
#ifndef DMVPND_LCORE_CTX_H
#define DMVPND_LCORE_CTX_H

#include <stdint.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "crypto_mb.h"
#include "dp.h"
#include "punt.h"
#include "rx_cache.h"
#include "stage_queues.h"
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

#define EV_RECENT_SLOTS 256

struct ev_recent {
	uint32_t er_a, er_b;
	uint64_t er_tsc;
	uint8_t er_cause;
};

struct lcore_ctx {
	unsigned lc_idx;   /* worker index: RCU thread id and TX queue */
	unsigned lc_lcore; /* EAL lcore id */
	struct dp *lc_dp;
	unsigned lc_nrxq;
	struct lcore_rxq lc_rxq[DP_MAX_RXQ_PER_WORKER];
	/* To the control thread, by class: what the node itself needs (ARP,
	 * ICMP and what else is addressed to it, resolution, TTL) apart from
	 * the tunnel's protocols (NHRP, IKE), which anyone on the internet can
	 * send: a flood of those fills lc_punt_tunnel, never lc_punt. */
	struct rte_ring *lc_punt;
	struct rte_ring *lc_punt_tunnel;
	struct rte_ring *lc_events;       /* struct dp_event elements */
	struct peer_stats *lc_peer_stats; /* dp_peers.pt_size slots (pe_id) */
	struct ev_recent lc_recent[EV_RECENT_SLOTS];
	uint32_t lc_idle;     /* consecutive empty polls */
	uint16_t lc_rx_burst; /* dp_rx_burst, set when worker_main starts */
	uint64_t lc_hz;
	uint64_t lc_burst_tsc; /* the punt buckets' clock for this burst; 0: not read yet */
	struct punt_bucket lc_bucket[PUNT_CAUSE_COUNT];
	struct tx_pending lc_tx[DP_MAX_PORTS];
	struct crypto_mb lc_cx; /* this worker's intel-ipsec-mb manager */
	/* Lookups kept from burst to burst: traffic mostly leaves through one
	 * gateway and comes from one peer for many bursts in a row. Each is
	 * kept while the tables it came from keep the generation they had
	 * (rcu_gen_read, in rcu.h): the pipeline reads the generations at the
	 * start of every burst and drops what came from a table whose
	 * generation moved since the burst before. */
	uint64_t lc_gen_neigh, lc_gen_peer, lc_gen_sa;
	/* The last neighbour found (the output stage). */
	const struct neigh_entry *lc_nc_ne; /* NULL: nothing kept */
	uint32_t lc_nc_via;
	uint8_t lc_nc_port;
	/* Inbound SAs and senders found (ESP-in and GRE-decap stages). */
	struct rx_cache lc_rx;
	/* The queues between the stages, in the order pipeline.c drains them. */
	struct esp_in_queue lc_q_esp_in;
	struct gre_in_queue lc_q_gre_in;
	struct inner_queue lc_q_inner;
	struct group_queue lc_q_group;
	struct encap_queue lc_q_encap;
	struct out_queue lc_q_out;
	struct dp_lcore_stats lc_stats;
	/* Used only when ESP encrypts (about 5 KiB): behind the queues every
	 * burst uses, not between them. */
	struct esp_out_queue lc_q_esp_out;
	struct flow_table lc_flow; /* flow export, when on */
} __rte_cache_aligned;

/* The burst's time for the punt buckets and the event memory, read at the
 * burst's first punt or event: most bursts have none and read no TSC. */
static inline uint64_t lc_burst_now(struct lcore_ctx *lc)
{
	if (lc->lc_burst_tsc == 0)
		lc->lc_burst_tsc = rte_rdtsc();
	return lc->lc_burst_tsc;
}

static inline void lc_drop(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m,
			   enum dp_drop why)
{
	lc->lc_stats.ls_port[port_idx].ps_drop[why]++;
	rte_pktmbuf_free(m);
}

/* tx.c: the TX buffers, one per egress port, sent at the end of the loop. */
void tx_flush(struct lcore_ctx *lc);
/* Runs on: workers. Queues m for port_idx; sent at the end of the loop. */
void tx_enqueue(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m);
/* The same for pkts[0..n), in order. */
void tx_enqueue_burst(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n);

/* worker.c */
/* The lcore entry point (rte_eal_remote_launch), arg = struct lcore_ctx. */
int worker_main(void *arg);

#endif
