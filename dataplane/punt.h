/* Punting: packets a worker cannot finish go to the control thread on the
 * worker's own SP/SC ring, after a per-cause token bucket. The cause rides in
 * the mbuf's hash.usr field; the receiving port in m->port. */
#ifndef DMVPND_PUNT_H
#define DMVPND_PUNT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

enum punt_cause {
	PUNT_ARP,     /* ARP request or reply */
	PUNT_LOCAL,   /* IPv4 addressed to one of our addresses */
	PUNT_RESOLVE, /* next hop has no MAC yet: control resolves and holds */
	PUNT_TTL,     /* TTL expired: control answers ICMP time exceeded */
	PUNT_NHRP,    /* GRE protocol 0x2001 from the tunnel */
	PUNT_IKE,     /* UDP 500, or 4500 with the non-ESP marker, to our WAN address */
	/* Events: a small record on the event ring, not the packet. */
	PUNT_EV_REDIRECT, /* hub hairpin in phase 3: send a Traffic Indication */
	PUNT_EV_RESOLVE,  /* spoke: no NBMA for a tunnel next hop yet */
	PUNT_EV_FRAG,     /* DF packet over the tunnel MTU: ICMP frag needed */
	PUNT_EV_SPI,      /* ESP with an SPI we have no SA for (nbma, spi) */
	PUNT_EV_LIFETIME, /* an SA reached a soft or hard limit (spi) */
	PUNT_EV_NATT,     /* ESP in UDP from a peer we send plain ESP to (nbma, port) */
	PUNT_CAUSE_COUNT
};

#define DP_EVENT_QUOTE 44

/* 64 bytes; what the control thread needs to act without the packet. */
struct dp_event {
	uint8_t ev_cause; /* enum punt_cause, PUNT_EV_* */
	uint8_t ev_port;  /* port index the packet came in on */
	uint16_t ev_quote_len;
	uint32_t ev_nbma;                 /* REDIRECT: the sending spoke's NBMA address */
	uint32_t ev_target;               /* REDIRECT/RESOLVE: overlay next hop; FRAG: MTU; SPI */
	uint8_t ev_quote[DP_EVENT_QUOTE]; /* start of the (inner) IPv4 packet */
} __rte_packed;

struct punt_bucket {
	uint64_t pb_tokens; /* scaled by hz: one packet = hz units */
	uint64_t pb_last_tsc;
	uint64_t pb_rate;  /* packets per second */
	uint64_t pb_burst; /* packets */
};

struct lcore_ctx;

/* punt.c */
const char *punt_cause_name(enum punt_cause c);
void punt_buckets_init(struct punt_bucket *b, uint64_t hz);
/* Runs on: workers. Hands m to the control thread or drops and counts it.
 * Either way the caller no longer owns m. */
#define PUNT_F_TUNNEL 0x100 /* or'ed into the cause: came out of the tunnel */
void punt_one(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m, unsigned cause);

/* Runs on: workers. Queue an event unless its bucket is empty or the same
 * (cause, key_a, key_b) was sent within the last second. Never blocks. */
void punt_event(struct lcore_ctx *lc, uint8_t port_idx, struct dp_event *ev, uint32_t key_a,
		uint32_t key_b);
/* The same in two steps, for events raised per packet (a phase 3 hub's
 * redirects): punt_event_due says whether one is wanted (and takes its
 * token), so that the caller builds it only then; punt_event_send queues
 * it. */
bool punt_event_due(struct lcore_ctx *lc, uint8_t cause, uint32_t key_a, uint32_t key_b);
void punt_event_send(struct lcore_ctx *lc, uint8_t port_idx, struct dp_event *ev);

/* NHRP and IKE go on the worker's tunnel-class ring (lcore_ctx.h). */
static inline bool punt_is_tunnel_class(unsigned cause)
{
	return cause == PUNT_NHRP || cause == PUNT_IKE;
}

static inline enum punt_cause punt_cause_of(const struct rte_mbuf *m)
{
	return (enum punt_cause)(m->hash.usr & 0xff);
}

static inline bool punt_from_tunnel(const struct rte_mbuf *m)
{
	return (m->hash.usr & PUNT_F_TUNNEL) != 0;
}

#endif
