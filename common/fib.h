/* The IPv4 forwarding table as the workers see it: rte_lpm maps a prefix to a
 * next-hop index; the index selects an immutable next-hop object published
 * through the RCU helper. Routes with the same next hop (type, port,
 * gateway) share one refcounted slot. The control thread is the only writer
 * and also keeps the route list (with sources) for `show ip route`. */
#ifndef DMVPND_FIB_H
#define DMVPND_FIB_H

#include <stdint.h>

#include <rte_debug.h>
#include <rte_lpm.h>
#include <rte_prefetch.h>

#include "rcu.h"

enum fib_nh_type {
	FIB_NH_DROP,      /* blackhole */
	FIB_NH_LOCAL,     /* one of our addresses: punt to control */
	FIB_NH_CONNECTED, /* on-link: resolve the destination itself */
	FIB_NH_GATEWAY,   /* via a gateway on a port */
	FIB_NH_TUNNEL,    /* via an overlay next hop (mGRE, NHRP) */
};

/* Who put a route in. The control thread decides precedence (connected and
 * local, static, NHRP, then kernel: learned by a routing daemon). */
enum fib_source { FIB_SRC_CONNECTED, FIB_SRC_LOCAL, FIB_SRC_STATIC, FIB_SRC_NHRP, FIB_SRC_KERNEL };

struct fib_nh {
	uint8_t nh_type;
	uint16_t nh_port; /* our port index (config order), not the ethdev id */
	uint32_t nh_gw;   /* host order; gateway or overlay next hop */
};

struct fib_route {
	uint32_t rt_prefix;
	uint8_t rt_len;
	uint8_t rt_source;
	uint32_t rt_nh_idx;
};

struct rte_hash;

struct fib {
	struct rte_lpm *fb_lpm;
	/* fb_nh_max next hops by value (8 bytes each), indexed by what the
	 * LPM returns: one dependent load less than a table of pointers. A
	 * slot is written once before any LPM entry names it and is reused
	 * only after a grace period, so readers never see it change. */
	struct fib_nh *fb_nh;
	struct rcu *fb_rcu;
	/* rte_lpm takes depths 1..32: a default route (0.0.0.0/0) is this
	 * next-hop slot instead, UINT32_MAX when there is none. */
	uint32_t fb_default;
	/* Control-only bookkeeping. Slots: a live next hop is used by at
	 * least one route, so max_routes of them suffice, plus the ones still
	 * waiting out a grace period (at most the RCU defer queue's size). */
	uint32_t fb_nh_max;
	uint32_t *fb_nh_refs;         /* routes per slot; 0 = free or retiring */
	struct rte_hash *fb_nh_index; /* next-hop value -> slot, live slots only */
	uint32_t fb_nh_used;          /* live slots */
	uint32_t *fb_free;            /* free next-hop slots (stack) */
	uint32_t fb_nfree;
	struct fib_route *fb_routes;
	struct rte_hash *fb_rt_index; /* (prefix, len) -> index in fb_routes */
	uint32_t fb_nroutes;
	uint32_t fb_max_routes;
};

/* Runs on: control thread. */
int fib_init(struct fib *f, const char *name, uint32_t max_routes, struct rcu *rcu);
void fib_fini(struct fib *f);
/* Add or replace the route prefix/len. -ENOSPC when max_routes routes are
 * installed already (or rte_lpm is out of tbl8 groups), -ENOMEM. */
int fib_route_add(struct fib *f, uint32_t prefix, uint8_t len, const struct fib_nh *nh,
		  enum fib_source src);
int fib_route_del(struct fib *f, uint32_t prefix, uint8_t len);
const struct fib_route *fib_route_find(const struct fib *f, uint32_t prefix, uint8_t len);
/* How many routes use next hop nh (0: none, no slot). */
uint32_t fib_nh_routes(const struct fib *f, const struct fib_nh *nh);
const char *fib_source_name(enum fib_source s);

/* Runs on: workers. Borrowed until the caller's next quiescent report. */
static inline const struct fib_nh *fib_lookup(const struct fib *f, uint32_t dst)
{
	uint32_t idx;

	if (rte_lpm_lookup(f->fb_lpm, dst, &idx) != 0) {
		idx = rcu_deref(f->fb_default);
		if (idx == UINT32_MAX)
			return NULL;
	}
	return &f->fb_nh[idx];
}

/* Runs on: workers. n destinations at once (n <= 64): the LPM entries are
 * loaded for all of them before any next hop is needed, so their cache
 * misses overlap instead of queueing behind one packet's chain. */
static inline void fib_lookup_bulk(const struct fib *f, const uint32_t *dst, unsigned n,
				   const struct fib_nh **out)
{
	uint32_t idx[64];

	RTE_ASSERT(n <= RTE_DIM(idx));
	rte_lpm_lookup_bulk(f->fb_lpm, dst, idx, n);
	for (unsigned i = 0; i < n; i++) {
		if (idx[i] & RTE_LPM_LOOKUP_SUCCESS)
			idx[i] &= 0x00ffffff;
		else
			idx[i] = rcu_deref(f->fb_default);
		out[i] = idx[i] == UINT32_MAX ? NULL : &f->fb_nh[idx[i]];
		if (out[i] != NULL)
			rte_prefetch0(out[i]);
	}
}

#endif
