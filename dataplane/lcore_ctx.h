/* All mutable state of one worker lcore, in one cache-aligned struct: its
 * queues, TX buffers, punt ring and buckets, counters, back-off state. */
#ifndef DMVPND_LCORE_CTX_H
#define DMVPND_LCORE_CTX_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "crypto_mb.h"
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

#define EV_RECENT_SLOTS 256

struct ev_recent {
	uint32_t er_a, er_b;
	uint64_t er_tsc;
	uint8_t er_cause;
};

struct lcore_ctx {
	unsigned lc_idx;    /* worker index: RCU thread id and TX queue */
	unsigned lc_lcore;  /* EAL lcore id */
	struct dp *lc_dp;
	unsigned lc_nrxq;
	struct lcore_rxq lc_rxq[DP_MAX_RXQ_PER_WORKER];
	struct rte_ring *lc_punt;
	struct rte_ring *lc_events; /* struct dp_event elements */
	struct peer_stats *lc_peer_stats; /* dp_max_peers slots */
	struct ev_recent lc_recent[EV_RECENT_SLOTS];
	uint32_t lc_idle;   /* consecutive empty polls */
	uint64_t lc_hz;
	struct punt_bucket lc_bucket[PUNT_CAUSE_COUNT];
	struct tx_pending lc_tx[DP_MAX_PORTS];
	struct crypto_mb lc_cx;      /* this worker's intel-ipsec-mb manager */
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

/* ipsec.c */
/* Runs on: workers. m: Ethernet gap + outer IPv4/GRE for peer pe; encrypts
 * it with the peer's SA. 0, or -1 when m was dropped (counted). */
int ipsec_out_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		  const struct peer *pe);
/* m: IPv4 to us carrying ESP (proto 50, or UDP 4500); decrypts and hands
 * the GRE inside to gre_decap_one. Consumes m. */
void ipsec_in_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		  struct rte_ipv4_hdr *ip);

/* worker.c */
/* The lcore entry point (rte_eal_remote_launch), arg = struct lcore_ctx. */
int worker_main(void *arg);

/* ipv4_input.c */
void ipv4_input_burst(struct lcore_ctx *lc, uint8_t port_idx,
		      struct rte_mbuf **pkts, uint16_t n);
/* Validate the IPv4 header after the Ethernet header; trims padding. */
int ipv4_validate(struct rte_mbuf *m, struct rte_ipv4_hdr **out);
/* Where a packet being routed came from. */
#define IPV4_FROM_PORT 0   /* a wan or lan port */
#define IPV4_FROM_TUNNEL 1 /* decapsulated */
#define IPV4_FROM_KERNEL 2 /* the tunnel's TAP: the kernel sent it */
/* Route one valid IPv4 packet. The TTL is decremented here (not for
 * packets the kernel originates). */
void ipv4_route_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		    struct rte_ipv4_hdr *ip, unsigned origin);
/* Send m (Ethernet + IPv4, TTL final) to next hop `via` on port out_idx, or
 * punt it for ARP resolution. Consumes m. */
void ipv4_output(struct lcore_ctx *lc, uint8_t in_idx, uint8_t out_idx,
		 struct rte_mbuf *m, uint32_t via);

/* classify.c */
void classify_burst(struct lcore_ctx *lc, uint8_t port_idx,
		    struct rte_mbuf **pkts, uint16_t n);

#endif
