/* The queues between the packet path's stages. pipeline.c runs the stages
 * in order over a burst; each drains its input queue and fills the next
 * stages' with the pushes here, and never calls another stage.
 *
 * Sizes: a packet of a burst sits in at most one queue at a time, and the
 * multicast copies of a burst are made a queue at a time (the replicate
 * stage), so a queue of two bursts cannot fill. A push to a full one
 * (never expected) says so, and its caller drops and counts the packet.
 *
 * The SA and peer pointers held here stay valid: every queue is empty
 * before the worker's next quiescent report. */
#ifndef DMVPND_STAGE_QUEUES_H
#define DMVPND_STAGE_QUEUES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "esp_sa.h"

#define STAGE_QUEUE_MAX (2 * DP_BURST)
_Static_assert(STAGE_QUEUE_MAX <= CRYPTO_MB_BURST_MAX,
	       "one ESP burst per run, one seal queue per stage");

/* ESP to our WAN address, for the ESP-in stage: decrypted a run of one SA
 * at a time. ESP in UDP (port 4500, RFC 3948) is told from keepalives and
 * IKE there. */
struct esp_in_pending {
	struct rte_mbuf *ei_m;
	struct esp_sa *ei_sa;     /* found for the whole queue by the stage */
	const struct peer *ei_pe; /* the sender by NBMA address, likewise */
	uint32_t ei_spi;          /* host order; 0 when the packet holds none */
	uint32_t ei_nbma;         /* host order */
	uint16_t ei_off;          /* ESP (or UDP when ei_udp) from the IPv4 header */
	uint16_t ei_sport;        /* UDP source port (NAT-T), 0 for protocol 50 */
	uint8_t ei_in_idx;
	bool ei_udp; /* UDP to port 4500: not told apart yet */
};

struct esp_in_queue {
	uint16_t n;
	uint16_t n_udp; /* entries still to be told apart (ei_udp) */
	struct esp_in_pending e[STAGE_QUEUE_MAX];
};

/* m: ESP at `off` from its IPv4 header (after the Ethernet header), from
 * NBMA address nbma; its SPI is read here, 0 (reserved, never installed)
 * when the packet is too short to hold one. udp: UDP to port 4500 at
 * `off`, which the stage tells apart before reading anything. */
static inline bool esp_in_push(struct esp_in_queue *q, struct rte_mbuf *m, uint8_t in_idx,
			       uint32_t off, uint32_t nbma, bool udp)
{
	const uint32_t esp = (uint32_t)sizeof(struct rte_ether_hdr) + off;
	struct esp_in_pending *e;
	uint32_t spi = 0;

	if (unlikely(q->n == STAGE_QUEUE_MAX))
		return false;
	if (likely(!udp && rte_pktmbuf_data_len(m) >= esp + 8)) {
		memcpy(&spi, rte_pktmbuf_mtod_offset(m, const uint8_t *, esp), 4);
		spi = rte_be_to_cpu_32(spi);
	}
	q->n_udp = (uint16_t)(q->n_udp + udp);
	e = &q->e[q->n++];
	e->ei_m = m;
	e->ei_spi = spi;
	e->ei_nbma = nbma;
	e->ei_off = (uint16_t)off;
	e->ei_sport = 0;
	e->ei_in_idx = in_idx;
	e->ei_udp = udp;
	return true;
}

/* GRE to our WAN address, cleartext or just decrypted, for the GRE-decap
 * stage: the header at ge_off from the frame's start, ge_len bytes with
 * its payload. */
struct gre_in_pending {
	struct rte_mbuf *ge_m;
	const struct peer *ge_pe; /* the sender when ESP told it, else NULL */
	uint32_t ge_nbma;         /* host order */
	uint16_t ge_off, ge_len;
	uint8_t ge_in_idx;
	bool ge_esp; /* ESP's headers are still in front of the GRE */
};

struct gre_in_queue {
	uint16_t n;
	struct gre_in_pending e[STAGE_QUEUE_MAX];
};

static inline bool gre_in_push(struct gre_in_queue *q, struct rte_mbuf *m, uint8_t in_idx,
			       uint16_t off, uint16_t len, uint32_t nbma, const struct peer *pe,
			       bool esp)
{
	struct gre_in_pending *e;

	if (unlikely(q->n == STAGE_QUEUE_MAX))
		return false;
	e = &q->e[q->n++];
	e->ge_m = m;
	e->ge_pe = pe;
	e->ge_nbma = nbma;
	e->ge_off = off;
	e->ge_len = len;
	e->ge_in_idx = in_idx;
	e->ge_esp = esp;
	return true;
}

/* Inner IPv4 packets out of the tunnel (GRE stripped, header validated),
 * for the tunnel's route stage. Kept as arrays, so that the route stage
 * takes them as they are. */
struct inner_queue {
	uint16_t n;
	struct rte_mbuf *m[STAGE_QUEUE_MAX]; /* Ethernet header in front */
	struct rte_ipv4_hdr *ip[STAGE_QUEUE_MAX];
	uint32_t dst[STAGE_QUEUE_MAX];  /* inner destination, host order */
	uint32_t nbma[STAGE_QUEUE_MAX]; /* the sender's NBMA address, host order */
	/* The sender (NULL: unknown), counted when the queue drains: its
	 * counter line has had the whole burst to arrive. */
	const struct peer *pe[STAGE_QUEUE_MAX];
};

static inline bool inner_push(struct inner_queue *q, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
			      uint32_t nbma, const struct peer *pe)
{
	if (unlikely(q->n == STAGE_QUEUE_MAX))
		return false;
	q->m[q->n] = m;
	q->ip[q->n] = ip;
	q->dst[q->n] = rte_be_to_cpu_32(ip->dst_addr);
	q->pe[q->n] = pe;
	q->nbma[q->n++] = nbma;
	return true;
}

/* Inner IPv4 packets routed into the tunnel, for the GRE-encap stage: it
 * picks each one's peer, then encapsulates runs of packets to one peer
 * together (one outer header template, and with ESP one sequence-number
 * block and one byte count per run). */
struct encap_pending {
	struct rte_mbuf *ep_m;    /* the inner IPv4 packet, Ethernet header in front */
	const struct peer *ep_pe; /* the route's peer when known, then the stage's pick */
	uint32_t ep_target;       /* the overlay next hop, host order */
	uint16_t ep_inner_len;
	uint8_t ep_tos; /* the inner TOS when DSCP is copied, else 0 */
	uint8_t ep_in_idx;
	bool ep_replica; /* a multicast copy: peer chosen, not captured */
};

struct encap_queue {
	uint16_t n;
	struct encap_pending e[STAGE_QUEUE_MAX];
};

static inline bool encap_push(struct encap_queue *q, struct rte_mbuf *m, uint8_t in_idx,
			      uint32_t target, const struct peer *pe, uint16_t inner_len,
			      uint8_t tos)
{
	struct encap_pending *e;

	if (unlikely(q->n == STAGE_QUEUE_MAX))
		return false;
	e = &q->e[q->n++];
	e->ep_m = m;
	e->ep_pe = pe;
	e->ep_target = target;
	e->ep_inner_len = inner_len;
	e->ep_tos = tos;
	e->ep_in_idx = in_idx;
	e->ep_replica = false;
	return true;
}

/* Multicast and broadcast the kernel sends on the tunnel, for the
 * replicate stage: one copy to every peer of the replication list, as
 * many as fit in the encap queue at a time. */
struct group_pending {
	struct rte_mbuf *gp_m;
	uint8_t gp_in_idx;
};

struct group_queue {
	uint16_t n, head;            /* entries; the one being copied */
	uint32_t next;               /* its next peer in the replication list */
	const struct mcast_list *ml; /* that list, read when its copies began */
	struct group_pending e[DP_BURST];
};

static inline bool group_push(struct group_queue *q, struct rte_mbuf *m, uint8_t in_idx)
{
	if (unlikely(q->n == DP_BURST))
		return false;
	q->e[q->n].gp_m = m;
	q->e[q->n++].gp_in_idx = in_idx;
	return true;
}

/* Runs of packets to one peer that the GRE-encap stage picked, for the
 * ESP-out stage: it frames each run for its peer's SA (outer IPv4, UDP
 * for NAT-T, ESP, GRE in one step), seals them all together at the end,
 * then sends each run to the underlay. A run points at its entries in the
 * encap queue, which stay in place until the ESP-out stage, run right
 * after, has framed them: nothing is pushed there in between. */
struct esp_out_run {
	const struct encap_pending *or_e; /* its entries, in the encap queue */
	const struct peer *or_pe;
	uint32_t or_bytes;       /* inner bytes, for the peer's counters */
	uint16_t or_first, or_n; /* its framed packets in pkts[] */
	uint8_t or_in_idx;
};

struct esp_out_queue {
	uint16_t nruns, npkts;
	struct rte_mbuf *pkts[STAGE_QUEUE_MAX]; /* framed, waiting for their seals */
	struct esp_out_run run[STAGE_QUEUE_MAX];
	struct esp_seal_queue seal;
};

/* e[0..n): a run to one peer. */
static inline bool esp_out_push_run(struct esp_out_queue *q, const struct encap_pending *e,
				    uint16_t n)
{
	struct esp_out_run *r;

	if (unlikely(q->npkts + n > STAGE_QUEUE_MAX))
		return false;
	r = &q->run[q->nruns++];
	r->or_e = e;
	r->or_pe = e[0].ep_pe;
	r->or_bytes = 0;
	r->or_first = q->npkts;
	r->or_n = n;
	r->or_in_idx = e[0].ep_in_idx;
	q->npkts = (uint16_t)(q->npkts + n);
	return true;
}

/* Packets ready to leave, for the output stage: out of port `or_port` to
 * next hop or_via (tunnel packets routed on the underlay by the stage
 * that made them, out_underlay), in runs: a packet to the same next hop
 * from the same port as the one pushed before it joins its run. A run
 * takes one neighbour lookup and one hand-over to TX. */
#define OUT_QUEUE_MAX (2 * STAGE_QUEUE_MAX)

struct out_run {
	uint32_t or_via; /* host order */
	uint16_t or_first, or_n;
	uint8_t or_port;
	uint8_t or_in_idx;
};

struct out_queue {
	uint16_t n, nruns;
	struct rte_mbuf *pkts[OUT_QUEUE_MAX]; /* Ethernet header in front, rewritten there */
	struct out_run run[OUT_QUEUE_MAX];
};

static inline bool out_push(struct out_queue *q, struct rte_mbuf *m, uint8_t in_idx, uint8_t port,
			    uint32_t via)
{
	struct out_run *r = q->nruns != 0 ? &q->run[q->nruns - 1] : NULL;

	if (unlikely(q->n == OUT_QUEUE_MAX))
		return false;
	if (r == NULL || r->or_via != via || r->or_port != port || r->or_in_idx != in_idx) {
		r = &q->run[q->nruns++];
		r->or_via = via;
		r->or_first = q->n;
		r->or_n = 0;
		r->or_port = port;
		r->or_in_idx = in_idx;
	}
	q->pkts[q->n++] = m;
	r->or_n++;
	return true;
}

/* The underlay route of a run of tunnel packets to NBMA address nbma:
 * its port and next hop (nbma itself when on-link). False without one. */
static inline bool out_underlay(const struct fib *f, uint32_t nbma, uint8_t *port, uint32_t *via)
{
	const struct fib_nh *nh = fib_lookup(f, nbma);

	if (unlikely(nh == NULL ||
		     (nh->nh_type != FIB_NH_CONNECTED && nh->nh_type != FIB_NH_GATEWAY)))
		return false;
	*port = (uint8_t)nh->nh_port;
	*via = nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw : nbma;
	return true;
}

#endif
