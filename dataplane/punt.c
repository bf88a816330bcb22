/* Rate-limited hand-off of packets from a worker to the control thread. */
#include "punt.h"

#include <rte_cycles.h>
#include <rte_ring_elem.h>

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
	[PUNT_NHRP] = {"nhrp", 20000, 512},
	[PUNT_IKE] = {"ike", 5000, 256},
	[PUNT_EV_REDIRECT] = {"redirect", 1000, 64},
	[PUNT_EV_RESOLVE] = {"resolve_nhrp", 1000, 64},
	[PUNT_EV_FRAG] = {"frag_needed", 1000, 64},
	[PUNT_EV_SPI] = {"unknown_spi", 100, 16},
	[PUNT_EV_LIFETIME] = {"sa_lifetime", 1000, 64},
	[PUNT_EV_NATT] = {"nat_detected", 100, 16},
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

	if (now > b->pb_last_tsc) { /* a burst's clock, never behind the last refill */
		b->pb_tokens += (now - b->pb_last_tsc) * b->pb_rate;
		b->pb_last_tsc = now;
	}
	if (b->pb_tokens > cap)
		b->pb_tokens = cap;
	if (b->pb_tokens < hz)
		return 0;
	b->pb_tokens -= hz;
	return 1;
}

void punt_one(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m, unsigned cause)
{
	if (!punt_bucket_take(&lc->lc_bucket[cause & 0xff], lc->lc_hz, lc_burst_now(lc))) {
		lc_drop(lc, port_idx, m, DP_DROP_PUNT_RATE);
		return;
	}
	m->hash.usr = cause;
	if (rte_ring_sp_enqueue(punt_is_tunnel_class(cause & 0xff) ? lc->lc_punt_tunnel
								   : lc->lc_punt,
				m) != 0) {
		lc_drop(lc, port_idx, m, DP_DROP_PUNT_FULL);
		return;
	}
	lc->lc_stats.ls_port[port_idx].ps_punt_pkts++;
}

/* A second's memory of recent events, direct-mapped: the same redirect or
 * resolution is not asked for again while the first is in flight. */
static int punt_event_recent(struct lcore_ctx *lc, uint8_t cause, uint32_t a, uint32_t b,
			     uint64_t now)
{
	uint32_t h = (a * 0x9e3779b1u) ^ (b * 0x85ebca6bu) ^ cause;
	struct ev_recent *r = &lc->lc_recent[h % EV_RECENT_SLOTS];

	if (r->er_a == a && r->er_b == b && r->er_cause == cause && now - r->er_tsc < lc->lc_hz)
		return 1;
	r->er_a = a;
	r->er_b = b;
	r->er_cause = cause;
	r->er_tsc = now;
	return 0;
}

bool punt_event_due(struct lcore_ctx *lc, uint8_t cause, uint32_t key_a, uint32_t key_b)
{
	/* The burst's time: close enough for a second's memory and a
	 * bucket, and no TSC read per packet. */
	uint64_t now = lc_burst_now(lc);

	if (punt_event_recent(lc, cause, key_a, key_b, now))
		return false;
	/* An event is advice about a packet that goes on (or was already
	 * counted): losing one is not a packet drop. */
	if (!punt_bucket_take(&lc->lc_bucket[cause], lc->lc_hz, now)) {
		lc->lc_stats.ls_events_lost++;
		return false;
	}
	return true;
}

void punt_event_send(struct lcore_ctx *lc, uint8_t port_idx, struct dp_event *ev)
{
	ev->ev_port = port_idx;
	if (rte_ring_sp_enqueue_elem(lc->lc_events, ev, sizeof(*ev)) != 0) {
		lc->lc_stats.ls_events_lost++;
		return;
	}
	lc->lc_stats.ls_events++;
}

void punt_event(struct lcore_ctx *lc, uint8_t port_idx, struct dp_event *ev, uint32_t key_a,
		uint32_t key_b)
{
	if (punt_event_due(lc, ev->ev_cause, key_a, key_b))
		punt_event_send(lc, port_idx, ev);
}
