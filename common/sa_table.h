/* Inbound ESP SAs as the workers see them: SPI -> SA, a lock-free rte_hash
 * over SAs the control thread (control/esp/esp_mgr.c) installs and retires
 * through the RCU helper. The outbound SA hangs off the peer entry instead
 * (peer_table.h), so one lookup gives NBMA address and SA. */
#ifndef DMVPND_SA_TABLE_H
#define DMVPND_SA_TABLE_H

#include <stdint.h>

#include <rte_hash.h>

#include "hash_keys.h"
#include "rcu.h"

struct esp_sa;

struct sa_table {
	struct rte_hash *st_hash;
	struct rcu *st_rcu;
	uint64_t st_gen; /* rcu_gen_*: bumped by add and del */
};

/* Runs on: control thread. Room for max_sas live SAs, plus the ones whose
 * slot waits out a grace period (see peer_table_init). */
int sa_table_init(struct sa_table *st, const char *name, uint32_t max_sas, struct rcu *rcu);
void sa_table_fini(struct sa_table *st);
/* -EEXIST when the SPI is taken, -ENOSPC when full. */
int sa_table_add(struct sa_table *st, uint32_t spi, struct esp_sa *sa);
/* Unlinks the SPI; free_fn(sa, arg) runs after a grace period. */
void sa_table_del(struct sa_table *st, uint32_t spi, rcu_free_fn free_fn, void *arg);

/* Runs on: workers. The table's generation (rcu_gen_read). */
static inline uint64_t sa_table_gen(const struct sa_table *st)
{
	return rcu_gen_read(&st->st_gen);
}

/* Runs on: workers. Borrowed until the next quiescent report. */
static inline struct esp_sa *sa_table_lookup(const struct sa_table *st, uint32_t spi)
{
	void *data;

	if (rte_hash_lookup_data(st->st_hash, &spi, &data) < 0)
		return NULL;
	return data;
}

/* Runs on: workers. n SPIs (at most RTE_HASH_LOOKUP_BULK_MAX) at once;
 * out[i] is NULL for an unknown SPI. */
static inline void sa_table_lookup_bulk(const struct sa_table *st, const uint32_t *spi, unsigned n,
					struct esp_sa **out)
{
	hash_lookup_bulk_u32(st->st_hash, spi, n, (void **)out);
}

#endif
