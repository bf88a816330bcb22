/* Inbound lookups kept from burst to burst: (SPI, sender's NBMA address)
 * -> (SA, sender), direct-mapped; SPI 0, which no SA has (RFC 4303 2.1),
 * for cleartext GRE, whose sender alone is looked up. Used by the ESP-in
 * and GRE-decap stages. An entry counts while its epoch is the cache's:
 * the pipeline moves the epoch on when the SA or peer table's generation
 * moved, which drops them all at once. A hub's traffic comes from many
 * peers at a time, interleaved; without it each packet of another peer
 * than the one before costs two rte_hash lookups with ESP, one without. */
#ifndef DMVPND_RX_CACHE_H
#define DMVPND_RX_CACHE_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>

struct esp_sa;
struct peer;

#define RX_CACHE 64 /* a power of two */

struct rx_cached {
	uint32_t rc_spi, rc_nbma; /* host order */
	uint32_t rc_epoch;        /* zeroed: matches only (0, 0.0.0.0), as not found */
	struct esp_sa *rc_sa;
	const struct peer *rc_pe;
};

struct rx_cache {
	uint32_t epoch;
	struct rx_cached slot[RX_CACHE];
};

static inline unsigned rx_cache_slot(uint32_t spi, uint32_t nbma)
{
	/* Mixed one after the other: SPIs and addresses often both count up,
	 * and spi ^ nbma would put such peers all in one slot. */
	uint32_t h = (spi * 0x9e3779b1u ^ nbma) * 0x85ebca6bu;

	return (unsigned)(h >> 26) & (RX_CACHE - 1);
}

/* The kept entry for (spi, nbma), or NULL. */
static inline const struct rx_cached *rx_cache_get(const struct rx_cache *rc, uint32_t spi,
						   uint32_t nbma)
{
	const struct rx_cached *c = &rc->slot[rx_cache_slot(spi, nbma)];

	return c->rc_epoch == rc->epoch && c->rc_spi == spi && c->rc_nbma == nbma ? c : NULL;
}

/* Keep (spi, nbma) -> (sa, pe) under the current epoch, in place of what
 * its slot held. */
static inline void rx_cache_put(struct rx_cache *rc, uint32_t spi, uint32_t nbma, struct esp_sa *sa,
				const struct peer *pe)
{
	struct rx_cached *c = &rc->slot[rx_cache_slot(spi, nbma)];

	c->rc_spi = spi;
	c->rc_nbma = nbma;
	c->rc_epoch = rc->epoch;
	c->rc_sa = sa;
	c->rc_pe = pe;
}

/* Every kept entry goes (a table changed): a new epoch, and on the rare
 * wrap of the counter a cleared cache, so no old entry matches. */
static inline void rx_cache_drop(struct rx_cache *rc)
{
	if (unlikely(++rc->epoch == 0))
		memset(rc->slot, 0, sizeof(rc->slot));
}

#endif
