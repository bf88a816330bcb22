/* The small fixed-size keys of our rte_hash tables: key comparisons (DPDK
 * falls back to libc memcmp below 16 bytes, which dmvpnd-bench saw at 10%
 * of encap samples; same contract as memcmp: 0 when equal) and the bulk
 * lookup of 4-byte keys the workers' tables share. */
#ifndef DMVPND_HASH_KEYS_H
#define DMVPND_HASH_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_debug.h>
#include <rte_hash.h>

static inline int hash_cmp_u32(const void *a, const void *b, size_t len)
{
	uint32_t x, y;

	(void)len;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

static inline int hash_cmp_u64(const void *a, const void *b, size_t len)
{
	uint64_t x, y;

	(void)len;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

/* Runs on: workers. n (at most RTE_HASH_LOOKUP_BULK_MAX) 4-byte keys at
 * once: rte_hash overlaps the bucket and key misses of all of them, which
 * matters when the entries outnumber the cache. out[i] is key[i]'s data,
 * or NULL when it is absent. */
static inline void hash_lookup_bulk_u32(const struct rte_hash *h, const uint32_t *key, unsigned n,
					void **out)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;

	RTE_ASSERT(n <= RTE_HASH_LOOKUP_BULK_MAX);
	for (unsigned i = 0; i < n; i++)
		keys[i] = &key[i];
	if (n == 0 || rte_hash_lookup_bulk_data(h, keys, n, &hits, data) < 0)
		hits = 0;
	for (unsigned i = 0; i < n; i++)
		out[i] = (hits >> i) & 1 ? data[i] : NULL;
}

#endif
