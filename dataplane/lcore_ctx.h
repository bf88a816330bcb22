/* All mutable state of one worker lcore, in one cache-aligned struct: its
 * queues, TX buffers, punt ring and buckets, counters, back-off state. */
#ifndef DMVPND_LCORE_CTX_H
#define DMVPND_LCORE_CTX_H

#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "crypto_mb.h"
#include "dp.h"
#include "esp_sa.h"
#include "ipv4_csum.h"
#include "punt.h"
#include "stats.h"

#define TX_PENDING_MAX (2 * DP_BURST)

struct tx_pending {
	uint16_t tp_n;
	struct rte_mbuf *tp_pkts[TX_PENDING_MAX];
};

/* Tunnel work deferred to the end of a burst, so that packets to one peer
 * (or of one SA) are handled together: one outer header template, one
 * underlay route and neighbour lookup per run of packets to a peer, and
 * for ESP one sequence-number block and one byte update per run instead
 * of per packet (see gre_encap.c and ipsec.c). */
#define ESP_PENDING_MAX (2 * DP_BURST)
#define ENCAP_PENDING_MAX (2 * DP_BURST)
_Static_assert(ENCAP_PENDING_MAX <= CRYPTO_MB_BURST_MAX,
	       "one ESP encap burst per run, one seal queue per flush");

struct encap_pending {
	struct rte_mbuf *ep_m;        /* the inner IPv4 packet, Ethernet header in front */
	const struct peer *ep_pe;     /* borrowed until the next quiescent report */
	uint16_t ep_inner_len;
	uint8_t ep_tos;               /* the inner TOS when DSCP is copied, else 0 */
	uint8_t ep_in_idx;
};

/* The ESP side of one gre_encap_flush: each run is framed by
 * ipsec_out_run, all are sealed together at the end of the flush
 * (esp_seal_flush), then each run leaves (ipsec_out_flush). */
struct esp_out_run {
	const struct peer *or_pe;
	uint32_t or_bytes;         /* inner bytes, for the peer's counters */
	uint16_t or_first, or_n;   /* its packets in eo_pkts */
	uint8_t or_in_idx;
};

struct esp_out_queue {
	uint16_t eo_nruns, eo_npkts;
	struct rte_mbuf *eo_pkts[ENCAP_PENDING_MAX];
	struct esp_out_run eo_run[ENCAP_PENDING_MAX];
	struct esp_seal_queue eo_seal;
};

struct esp_in_pending {
	struct rte_mbuf *ei_m;
	struct esp_sa *ei_sa;      /* looked up for the whole queue at the flush */
	const struct peer *ei_pe;  /* the sender by NBMA address, likewise */
	uint32_t ei_spi;    /* host order; 0 when the packet holds none */
	uint32_t ei_nbma;   /* host order */
	uint16_t ei_sport;  /* UDP source port (NAT-T), 0 for plain ESP */
	uint8_t ei_in_idx;
};

/* Inner IPv4 packets that came out of the tunnel (gre_decap.c): their GRE
 * header was parsed and stripped when it was found, and they wait for the
 * end of the burst to be routed together (bulk lookups, runs to one next
 * hop). Kept as arrays, so that the route stage takes them as they are. */
#define DECAP_PENDING_MAX (2 * DP_BURST)

struct decap_queue {
	uint16_t dq_n;
	struct rte_mbuf *dq_m[DECAP_PENDING_MAX];      /* Ethernet header in front */
	struct rte_ipv4_hdr *dq_ip[DECAP_PENDING_MAX]; /* validated */
	uint32_t dq_dst[DECAP_PENDING_MAX];  /* inner destination, host order */
	uint32_t dq_nbma[DECAP_PENDING_MAX]; /* the sender's NBMA address, host order */
	/* The sender (NULL: unknown), counted when the queue drains: its
	 * counter line has had the whole burst to arrive. */
	const struct peer *dq_pe[DECAP_PENDING_MAX];
};

/* Inbound lookups kept from burst to burst: (SPI, sender's NBMA address)
 * -> (SA, sender), direct-mapped; SPI 0, which no SA has (RFC 4303 2.1),
 * for cleartext GRE, whose sender alone is looked up (gre_decap.c). Used
 * by ipsec_in_find and decap_strip. An entry counts while its epoch is
 * the lcore's: classify_burst moves lc_rx_epoch on when the SA or peer
 * table's generation moved, which drops them all at once. A hub's traffic
 * comes from many peers at a time, interleaved; without it each packet of
 * another peer than the one before cost two rte_hash lookups with ESP,
 * one without. */
#define RX_CACHE 64 /* a power of two */

struct rx_cached {
	uint32_t rc_spi, rc_nbma; /* host order */
	uint32_t rc_epoch;        /* zeroed: matches only (0, 0.0.0.0), as not found */
	struct esp_sa *rc_sa;
	const struct peer *rc_pe;
};

static inline unsigned rx_cache_slot(uint32_t spi, uint32_t nbma)
{
	/* Mixed one after the other: SPIs and addresses often both count up,
	 * and spi ^ nbma would put such peers all in one slot. */
	uint32_t h = (spi * 0x9e3779b1u ^ nbma) * 0x85ebca6bu;

	return (unsigned)(h >> 26) & (RX_CACHE - 1);
}

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
	struct peer_stats *lc_peer_stats; /* dp_peers.pt_size slots (pe_id) */
	struct ev_recent lc_recent[EV_RECENT_SLOTS];
	uint32_t lc_idle;   /* consecutive empty polls */
	uint16_t lc_rx_burst; /* dp_rx_burst, set when worker_main starts */
	uint64_t lc_hz;
	uint64_t lc_burst_tsc; /* the punt buckets' clock for this burst; 0: not read yet */
	struct punt_bucket lc_bucket[PUNT_CAUSE_COUNT];
	struct tx_pending lc_tx[DP_MAX_PORTS];
	struct crypto_mb lc_cx;      /* this worker's intel-ipsec-mb manager */
	/* Lookups kept from burst to burst: traffic mostly leaves through one
	 * gateway and comes from one peer for many bursts in a row. Each is
	 * kept while the tables it came from keep the generation they had
	 * (rcu_gen_read, in rcu.h): classify_burst reads the generations at
	 * the start of every burst and drops what came from a table whose
	 * generation moved since the burst before. */
	uint64_t lc_gen_neigh, lc_gen_peer, lc_gen_sa;
	/* The last neighbour found (ipv4_output_burst). */
	const struct neigh_entry *lc_nc_ne; /* NULL: nothing kept */
	uint32_t lc_nc_via;
	uint8_t lc_nc_port;
	/* Inbound SAs and senders found (ipsec_in_lookup, decap_strip). */
	uint32_t lc_rx_epoch;
	struct rx_cached lc_rx_cache[RX_CACHE];
	uint16_t lc_encap_n, lc_esp_in_n;
	struct encap_pending lc_encap[ENCAP_PENDING_MAX];
	struct esp_in_pending lc_esp_in[ESP_PENDING_MAX];
	struct decap_queue lc_decap;
	struct dp_lcore_stats lc_stats;
	/* Used only by flushes that encrypt (about 5 KiB): behind the queues
	 * every burst uses, not between them. */
	struct esp_out_queue lc_esp_out;
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

static inline void lc_drop(struct lcore_ctx *lc, uint8_t port_idx,
			   struct rte_mbuf *m, enum dp_drop why)
{
	lc->lc_stats.ls_port[port_idx].ps_drop[why]++;
	rte_pktmbuf_free(m);
}

/* tx.c */
void tx_flush(struct lcore_ctx *lc);

/* Runs on: workers. Queues m for port_idx; sent at the end of the loop. */
void tx_enqueue(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m);
/* The same for pkts[0..n), in order. */
void tx_enqueue_burst(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts,
		      uint16_t n);

/* ipsec.c */
/* Runs on: workers. e[0..n): inner packets to one peer from one port
 * (n <= ENCAP_PENDING_MAX). Encapsulated with outer header t and framed
 * for the peer's SA in one step, to be sealed and sent by ipsec_out_flush;
 * or dropped (counted) when the peer has no SA: never sent in clear. */
struct gre_outer_tmpl;
void ipsec_out_run(struct lcore_ctx *lc, const struct encap_pending *e, uint16_t n,
		   const struct gre_outer_tmpl *t);
/* Runs on: workers. End of gre_encap_flush: seal what ipsec_out_run
 * framed, then send it, run by run. */
void ipsec_out_flush(struct lcore_ctx *lc);
/* m: IKE to our WAN address (UDP 500, or 4500 with the non-ESP marker):
 * to the control thread with keying: ike, else dropped. Consumes m. */
void ipsec_ike(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m);
/* m: IPv4 to us carrying ESP (proto 50, or UDP 4500); finds the SA by SPI
 * and queues it for decryption. Consumes m. */
void ipsec_in_defer(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		    struct rte_ipv4_hdr *ip);
/* End of a burst: decrypt what is queued and queue the GRE inside for
 * decapsulation (gre_decap_esp). Runs of one SA go to the ESP stage
 * together. */
void ipsec_in_flush(struct lcore_ctx *lc);
/* Queue m, ESP at `off` from its IPv4 header (after the Ethernet header),
 * from NBMA address nbma (host order) and UDP source port sport (NAT-T; 0
 * for protocol 50), with its SPI, read here: 0 (reserved, never
 * installed) when the packet is too short to hold one. Inline for the
 * ports' ESP to our own address (ipv4_input_burst). */
static inline void ipsec_in_queue(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
				  uint32_t off, uint32_t nbma, uint16_t sport)
{
	const uint32_t esp = (uint32_t)sizeof(struct rte_ether_hdr) + off;
	struct esp_in_pending *e;
	uint32_t spi = 0;

	if (likely(rte_pktmbuf_data_len(m) >= esp + 8)) {
		memcpy(&spi, rte_pktmbuf_mtod_offset(m, const uint8_t *, esp), 4);
		spi = rte_be_to_cpu_32(spi);
	}
	if (unlikely(lc->lc_esp_in_n == ESP_PENDING_MAX))
		ipsec_in_flush(lc);
	e = &lc->lc_esp_in[lc->lc_esp_in_n++];
	e->ei_m = m;
	e->ei_spi = spi;
	e->ei_nbma = nbma;
	e->ei_sport = sport;
	e->ei_in_idx = in_idx;
}

/* The kept entry for (spi, nbma), or NULL. */
static inline const struct rx_cached *rx_cache_get(const struct lcore_ctx *lc, uint32_t spi,
						   uint32_t nbma)
{
	const struct rx_cached *c = &lc->lc_rx_cache[rx_cache_slot(spi, nbma)];

	return c->rc_epoch == lc->lc_rx_epoch && c->rc_spi == spi && c->rc_nbma == nbma ? c : NULL;
}

/* Keep (spi, nbma) -> (sa, pe) under the current epoch, in place of what
 * its slot held. */
static inline void rx_cache_put(struct lcore_ctx *lc, uint32_t spi, uint32_t nbma,
				struct esp_sa *sa, const struct peer *pe)
{
	struct rx_cached *c = &lc->lc_rx_cache[rx_cache_slot(spi, nbma)];

	c->rc_spi = spi;
	c->rc_nbma = nbma;
	c->rc_epoch = lc->lc_rx_epoch;
	c->rc_sa = sa;
	c->rc_pe = pe;
}

/* Every kept inbound lookup goes (a table changed): a new epoch, and on
 * the rare wrap of the counter a cleared cache, so no old entry matches. */
static inline void rx_cache_drop(struct lcore_ctx *lc)
{
	if (unlikely(++lc->lc_rx_epoch == 0))
		memset(lc->lc_rx_cache, 0, sizeof(lc->lc_rx_cache));
}

/* gre_encap.c */
/* Count n packets (inner_bytes inside) as sent to pe and send them on the
 * underlay route to its NBMA address. Consumes pkts[0..n). */
void gre_send_underlay(struct lcore_ctx *lc, uint8_t in_idx, const struct peer *pe,
		       struct rte_mbuf **pkts, uint16_t n, uint32_t inner_bytes);
/* End of a burst (after ipsec_in_flush): encapsulate what is queued, a run
 * of packets to one peer at a time, through ESP when the tunnel says so. */
void gre_encap_flush(struct lcore_ctx *lc);

/* worker.c */
/* The lcore entry point (rte_eal_remote_launch), arg = struct lcore_ctx. */
int worker_main(void *arg);

/* ipv4_input.c */
void ipv4_input_burst(struct lcore_ctx *lc, uint8_t port_idx,
		      struct rte_mbuf **pkts, uint16_t n);
/* The general case of ipv4_validate: options, link padding. */
int ipv4_validate_slow(struct rte_mbuf *m, struct rte_ipv4_hdr **out);

/* Validate the IPv4 header after the Ethernet header (0, or -1 to drop);
 * trims link padding. Lengths are checked against what is present, never
 * trusted (RFC 1812 5.2.2). The usual header (20 bytes, no padding behind
 * the packet) is checked here, inline in the stages, the rest out of line. */
static inline int ipv4_validate(struct rte_mbuf *m, struct rte_ipv4_hdr **out)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));

	if (likely(rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr) + sizeof(*ip) &&
		   ip->version_ihl == RTE_IPV4_VHL_DEF &&
		   rte_be_to_cpu_16(ip->total_length) ==
			   rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr))) {
		if (unlikely(ipv4_hdr_sum(ip, sizeof(*ip)) != 0xffff))
			return -1;
		*out = ip;
		return 0;
	}
	return ipv4_validate_slow(m, out);
}
/* Where a packet being routed came from. */
#define IPV4_FROM_PORT 0   /* a wan or lan port */
#define IPV4_FROM_TUNNEL 1 /* decapsulated */
#define IPV4_FROM_KERNEL 2 /* the tunnel's TAP: the kernel sent it */
/* Route pkts[0..n) (n <= DP_BURST): valid IPv4 packets from one port (or
 * decapsulated from the tunnel), headers ip[], destinations dst[] (host
 * order), which fib_lookup_bulk found as nh[] (NULL: no route). The TTL is
 * decremented here (not for packets the kernel originates). Packets
 * forwarded out of a port leave at the end, in runs to one next hop. */
void ipv4_route_burst(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf **pkts,
		      struct rte_ipv4_hdr **ip, const uint32_t *dst, const struct fib_nh **nh,
		      uint16_t n, unsigned origin);
/* Send pkts[0..n) (Ethernet + IPv4, TTL final) to next hop `via` on port
 * out_idx with one neighbour lookup, or punt them for ARP resolution.
 * Consumes them. */
void ipv4_output_burst(struct lcore_ctx *lc, uint8_t in_idx, uint8_t out_idx,
		       struct rte_mbuf **pkts, uint16_t n, uint32_t via);

/* classify.c */
void classify_burst(struct lcore_ctx *lc, uint8_t port_idx,
		    struct rte_mbuf **pkts, uint16_t n);

#endif
