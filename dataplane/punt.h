/* Punting: packets a worker cannot finish go to the control thread on the
 * worker's own SP/SC ring, after a per-cause token bucket. The cause rides in
 * the mbuf's hash.usr field; the receiving port in m->port. */
#ifndef DMVPND_PUNT_H
#define DMVPND_PUNT_H

#include <stdint.h>

#include <rte_mbuf.h>

enum punt_cause {
	PUNT_ARP,     /* ARP request or reply */
	PUNT_LOCAL,   /* IPv4 addressed to one of our addresses */
	PUNT_RESOLVE, /* next hop has no MAC yet: control resolves and holds */
	PUNT_TTL,     /* TTL expired: control answers ICMP time exceeded */
	PUNT_CAUSE_COUNT
};

struct punt_bucket {
	uint64_t pb_tokens; /* scaled by hz: one packet = hz units */
	uint64_t pb_last_tsc;
	uint64_t pb_rate;   /* packets per second */
	uint64_t pb_burst;  /* packets */
};

struct lcore_ctx;

/* punt.c */
const char *punt_cause_name(enum punt_cause c);
void punt_buckets_init(struct punt_bucket *b, uint64_t hz);
/* Runs on: workers. Hands m to the control thread or drops and counts it.
 * Either way the caller no longer owns m. */
void punt_one(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m,
	      enum punt_cause cause);

static inline enum punt_cause punt_cause_of(const struct rte_mbuf *m)
{
	return (enum punt_cause)m->hash.usr;
}

#endif
