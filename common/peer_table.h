/* The NHRP cache as the workers see it: overlay (tunnel) address -> peer
 * (NBMA address, type, counter slot), plus an index by NBMA address for the
 * decap side. Lock-free rte_hash readers; the control thread (control/
 * nhrp_cache.c) is the only writer and publishes immutable entries through
 * the RCU helper. Absent = unresolved: the worker goes via the NHS or drops. */
#ifndef DMVPND_PEER_TABLE_H
#define DMVPND_PEER_TABLE_H

#include <stdint.h>

#include <rte_hash.h>
#include <rte_prefetch.h>

#include "hash_keys.h"
#include "rcu.h"

enum peer_type {
	PEER_STATIC,   /* an NHS or a map from the config */
	PEER_DYNAMIC,  /* registered with us (hub) */
	PEER_SHORTCUT, /* learned by resolution (spoke, phases 2/3) */
	PEER_TYPE_COUNT
};

struct esp_sa;

struct peer {
	const struct esp_sa *pe_sa_out; /* ESP towards the peer; NULL = none yet */
	uint32_t pe_overlay;            /* host order */
	uint32_t pe_nbma;               /* host order */
	uint32_t pe_id;                 /* slot in the per-lcore peer counters */
	uint8_t pe_type;
};

/* Per-lcore, per-peer counters (written only by their worker). */
struct peer_stats {
	uint64_t ps_tx_pkts;
	uint64_t ps_tx_bytes;
	uint64_t ps_rx_pkts;
	uint64_t ps_rx_bytes;
};

struct peer_table {
	struct rte_hash *pt_by_overlay;
	struct rte_hash *pt_by_nbma;
	struct rcu *pt_rcu;
	/* Counter slots (pe_id < pt_size): the per-lcore peer_stats arrays
	 * have this many entries. */
	uint32_t pt_size;
	/* Control-only: free counter slots. */
	uint32_t *pt_free_ids;
	uint32_t pt_nfree;
	/* Direct index of the tunnel subnet (peer_table_index_subnet): slot
	 * overlay - pt_direct_base holds that address's peer or NULL, so a
	 * hub's lookups of its spokes are one load instead of a hash probe.
	 * Addresses outside it are in the hash only; size 0 = no index. */
	const struct peer **pt_direct;
	uint32_t pt_direct_base;
	uint32_t pt_direct_size;
	uint64_t pt_gen; /* rcu_gen_*: bumped by publish and retire */
};

/* The smallest tunnel subnet indexed directly: a /14 is 262 144 slots,
 * 2 MiB of pointers. Wider subnets use the hash alone. */
#define PEER_DIRECT_MIN_PLEN 14

/* Runs on: control thread. Room for max_peers live peers at any time: a
 * retired peer's hash slots and counter slot come back only after a grace
 * period, so the tables hold the RCU defer queue's worth more, and the hashes
 * keep a quarter spare so that cuckoo inserts never fail short of that. */
int peer_table_init(struct peer_table *pt, const char *name, uint32_t max_peers, struct rcu *rcu);
/* Entries an rte_hash needs for `live` keys whose slots are recycled after
 * a grace period (the lock-free tables here and in sa_table.c). */
static inline uint32_t peer_table_hash_entries(uint32_t live, const struct rcu *rcu)
{
	return live + live / 4 + rcu->rc_dq_size;
}
void peer_table_fini(struct peer_table *pt);
/* Runs on: control thread, before the first publish. Index the overlay
 * subnet prefix/plen directly when plen >= PEER_DIRECT_MIN_PLEN (else a
 * no-op returning 0). 0 or -ENOMEM. */
int peer_table_index_subnet(struct peer_table *pt, uint32_t prefix, uint8_t plen);
/* Publish (add or replace) the peer for p->pe_overlay; the counter slot of
 * an existing entry is kept, a new one gets a fresh slot. Returns the
 * published entry's slot, or -ENOSPC / -ENOMEM. */
int peer_table_publish(struct peer_table *pt, uint32_t overlay, uint32_t nbma, enum peer_type type,
		       const struct esp_sa *sa_out);
/* Remove overlay's peer; entry and slot are recycled after a grace period. */
void peer_table_retire(struct peer_table *pt, uint32_t overlay);

/* The direct-index slot of overlay, or NULL outside the indexed subnet. */
static inline const struct peer **peer_table_direct_slot(const struct peer_table *pt,
							 uint32_t overlay)
{
	uint32_t off = overlay - pt->pt_direct_base;

	return off < pt->pt_direct_size ? &pt->pt_direct[off] : NULL;
}

/* Runs on: workers (and control). Borrowed until the next quiescent report. */
static inline const struct peer *peer_table_lookup(const struct peer_table *pt, uint32_t overlay)
{
	const struct peer **slot = peer_table_direct_slot(pt, overlay);
	void *data;

	if (slot != NULL)
		return rcu_deref(*slot);
	if (rte_hash_lookup_data(pt->pt_by_overlay, &overlay, &data) < 0)
		return NULL;
	return data;
}

/* Runs on: workers. n overlay addresses at once (n <= 64): the direct
 * index for the tunnel subnet, one bulk hash lookup for the rest; the
 * entries found are prefetched. out[i] is NULL where there is none. */
static inline void peer_table_lookup_bulk(const struct peer_table *pt, const uint32_t *overlay,
					  unsigned n, const struct peer **out)
{
	uint32_t rest[RTE_HASH_LOOKUP_BULK_MAX];
	void *found[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t at[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned nr = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct peer **slot = peer_table_direct_slot(pt, overlay[i]);

		out[i] = slot != NULL ? rcu_deref(*slot) : NULL;
		if (slot == NULL) {
			rest[nr] = overlay[i];
			at[nr++] = (uint8_t)i;
		}
	}
	hash_lookup_bulk_u32(pt->pt_by_overlay, rest, nr, found);
	for (unsigned j = 0; j < nr; j++)
		out[at[j]] = found[j];
	for (unsigned i = 0; i < n; i++)
		if (out[i] != NULL)
			rte_prefetch0(out[i]);
}

/* Runs on: workers. The table's generation (rcu_gen_read). */
static inline uint64_t peer_table_gen(const struct peer_table *pt)
{
	return rcu_gen_read(&pt->pt_gen);
}

static inline const struct peer *peer_table_lookup_nbma(const struct peer_table *pt, uint32_t nbma)
{
	void *data;

	if (rte_hash_lookup_data(pt->pt_by_nbma, &nbma, &data) < 0)
		return NULL;
	return data;
}

/* Runs on: workers. n NBMA addresses at once (n <= 64), the entries found
 * prefetched; out[i] is NULL where there is none. */
static inline void peer_table_lookup_nbma_bulk(const struct peer_table *pt, const uint32_t *nbma,
					       unsigned n, const struct peer **out)
{
	hash_lookup_bulk_u32(pt->pt_by_nbma, nbma, n, (void **)out);
	for (unsigned i = 0; i < n; i++)
		if (out[i] != NULL)
			rte_prefetch0(out[i]);
}

const char *peer_type_name(enum peer_type t);

#endif
