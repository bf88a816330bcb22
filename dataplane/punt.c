/* Rate-limited hand-off of packets from a worker to the control thread. */
#include "punt.h"

#include <rte_cycles.h>

#include "lcore_ctx.h"

/* Defaults per worker, packets per second and burst. The control thread
 * handles well over these; the point is that a flood of one kind (say ARP)
 * cannot crowd out the others. */
static const struct {
	const char *name;
	uint64_t rate;
	uint64_t burst;
} punt_defaults[PUNT_CAUSE_COUNT] = {
	[PUNT_ARP] = {"arp", 5000, 256},
	[PUNT_LOCAL] = {"local", 20000, 512},
	[PUNT_RESOLVE] = {"resolve", 2000, 128},
	[PUNT_TTL] = {"ttl", 1000, 64},
};

const char *punt_cause_name(enum punt_cause c)
{
	return (unsigned)c < PUNT_CAUSE_COUNT ? punt_defaults[c].name : "?";
}

void punt_buckets_init(struct punt_bucket *b, uint64_t hz)
{
	uint64_t now = rte_rdtsc();

	for (unsigned c = 0; c < PUNT_CAUSE_COUNT; c++) {
		b[c].pb_rate = punt_defaults[c].rate;
		b[c].pb_burst = punt_defaults[c].burst;
		b[c].pb_tokens = b[c].pb_burst * hz;
		b[c].pb_last_tsc = now;
	}
}

/* Tokens are kept in units of 1/hz packet so refill needs no division. */
static int punt_bucket_take(struct punt_bucket *b, uint64_t hz, uint64_t now)
{
	uint64_t cap = b->pb_burst * hz;

	b->pb_tokens += (now - b->pb_last_tsc) * b->pb_rate;
	b->pb_last_tsc = now;
	if (b->pb_tokens > cap)
		b->pb_tokens = cap;
	if (b->pb_tokens < hz)
		return 0;
	b->pb_tokens -= hz;
	return 1;
}

void punt_one(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m,
	      enum punt_cause cause)
{
	if (!punt_bucket_take(&lc->lc_bucket[cause], lc->lc_hz, rte_rdtsc())) {
		lc_drop(lc, port_idx, m, DP_DROP_PUNT_RATE);
		return;
	}
	m->hash.usr = cause;
	if (rte_ring_sp_enqueue(lc->lc_punt, m) != 0) {
		lc_drop(lc, port_idx, m, DP_DROP_PUNT_FULL);
		return;
	}
	lc->lc_stats.ls_port[port_idx].ps_punt_pkts++;
}
