/* The NHRP cache on the control thread: every overlay -> NBMA binding this
 * node knows (NHS from the config, spokes registered with us, shortcuts we
 * resolved), with holding time, flags and NHRP-learned routes. It is the
 * only writer of the workers' peer table and of NHRP routes in the FIB. */
#ifndef DMVPND_NHRP_CACHE_H
#define DMVPND_NHRP_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "peer_table.h"
#include "timer.h"

struct ctl;
struct strbuf;

enum nhrp_cache_type {
	NC_STATIC = PEER_STATIC,     /* NHS from the config: never expires */
	NC_DYNAMIC = PEER_DYNAMIC,   /* registered with us (hub) */
	NC_SHORTCUT = PEER_SHORTCUT, /* resolved (spoke, phases 2 and 3) */
	NC_INCOMPLETE,               /* resolution sent, no answer yet */
	NC_LOCAL,                    /* our own tunnel address: never published */
};

#define NC_F_UNIQUE 0x01 /* registered with the unique flag */
#define NC_F_NAT 0x02    /* the NBMA address was seen translated */

struct nhrp_cache_entry {
	uint32_t nc_overlay;
	uint32_t nc_nbma;      /* what the peer claims, host order */
	uint32_t nc_nbma_seen; /* what the packet came from (NAT) */
	uint8_t nc_type;
	uint8_t nc_flags;
	uint16_t nc_holdtime; /* seconds, as granted */
	uint64_t nc_created_ns;
	uint64_t nc_expires_ns; /* 0 = never */
	int32_t nc_peer_id;     /* slot in the workers' counters, -1 if not published */
	uint32_t nc_sa_nbma;    /* the NBMA address whose ESP SAs we hold a reference on */
	bool nc_sa_ref;
	bool nc_exported;          /* its /32 is in the kernel's table (kernel_export.h) */
	uint64_t nc_ike_id;        /* hub: digest of the IKE identity that registered it, 0 */
	struct peer_stats nc_base; /* counter values when the slot was taken */
	struct timer nc_timer;
	struct ctl *nc_ctl;
};

struct nhrp_route {
	uint32_t nr_prefix;
	uint8_t nr_len;
	uint32_t nr_via; /* overlay next hop: a cache entry */
};

/* nhrp_cache.c */
int nhrp_cache_init(struct ctl *ct, uint32_t size);
void nhrp_cache_fini(struct ctl *ct);
struct nhrp_cache_entry *nhrp_cache_lookup(struct ctl *ct, uint32_t overlay);
/* Create or update a binding; publishes it to the workers (unless
 * incomplete) and (re)arms expiry after holdtime seconds (0 = never).
 * Static entries are never replaced by dynamic or shortcut ones (trust
 * order). Returns the entry or NULL (-ENOSPC/-ENOMEM, counted). */
struct nhrp_cache_entry *nhrp_cache_update(struct ctl *ct, uint32_t overlay, uint32_t nbma,
					   enum nhrp_cache_type type, uint16_t holdtime,
					   uint8_t flags);
/* Remove a binding and every NHRP route through it. */
void nhrp_cache_remove(struct ctl *ct, uint32_t overlay);
/* How many registrations (dynamic entries) came from this NBMA address. */
uint32_t nhrp_cache_src_count(struct ctl *ct, uint32_t nbma);
/* Remove every learned binding (static and local ones stay); returns how
 * many. One go: for small tables (a spoke's); the CLI clears by pages. */
unsigned nhrp_cache_clear(struct ctl *ct);
/* Entries that are peers (not incomplete, not our own), in one pass. */
unsigned nhrp_cache_peers(struct ctl *ct);
/* Per-peer counters since the entry took its slot (sum over workers). */
void nhrp_cache_stats(struct ctl *ct, const struct nhrp_cache_entry *e, struct peer_stats *out);
typedef void (*nhrp_cache_iter_fn)(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg);
/* Visit entries in overlay-address order, all in one go. */
void nhrp_cache_walk(struct ctl *ct, nhrp_cache_iter_fn fn, void *arg);

/* Pages: how show and clear go through a table of 100,000 peers without
 * holding the control thread for more than a few milliseconds at a time.
 * A page is the (at most `max`) entries at addresses from *from on, in
 * address order; it costs one pass over the table and no allocation.
 * *from then says where the next page begins: past UINT32_MAX once there
 * is none. Entries that come or go between pages are seen or not; none is
 * seen twice. The pointers hold until the cache next changes. */
#define NHRP_CACHE_PAGE_MAX 1024
#define NHRP_CACHE_PAGE_END ((uint64_t)UINT32_MAX + 1)
unsigned nhrp_cache_page(struct ctl *ct, uint64_t *from, const struct nhrp_cache_entry **v,
			 unsigned max);
/* Remove the learned bindings of one page; returns how many. */
unsigned nhrp_cache_clear_page(struct ctl *ct, uint64_t *from, unsigned max);
const char *nhrp_cache_type_name(enum nhrp_cache_type t);

/* Publish again the entries whose traffic goes to nbma (its SA changed). */
void nhrp_cache_republish_nbma(struct ctl *ct, uint32_t nbma);

/* An NHRP-learned route (phase 3 shortcut) prefix/len via overlay `via`. */
int nhrp_route_add(struct ctl *ct, uint32_t prefix, uint8_t len, uint32_t via);

#endif
