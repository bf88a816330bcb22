/* A token bucket per source address (see src_rate.h). */
#include "src_rate.h"

#include <string.h>

#define NS_PER_MS UINT64_C(1000000)

_Static_assert((SRC_RATE_BUCKETS & (SRC_RATE_BUCKETS - 1)) == 0, "a power of two");

void src_rate_init(struct src_rate *r, uint32_t rate, uint32_t burst)
{
	memset(r, 0, sizeof(*r));
	r->sr_rate = rate;
	r->sr_burst = burst != 0 ? burst : rate;
}

bool src_rate_take(struct src_rate *r, uint32_t src, uint64_t now_ns)
{
	uint32_t h = (src * 2654435761u) >> 16; /* Knuth's multiplicative hash */
	struct src_rate_bucket *b = &r->sr_b[h & (SRC_RATE_BUCKETS - 1)];
	uint64_t full = (uint64_t)r->sr_burst * 1000, add, el;

	if (r->sr_rate == 0)
		return true;
	if (b->sb_addr != src || b->sb_last_ns == 0) { /* a new source takes the slot */
		b->sb_addr = src;
		b->sb_tokens_milli = (uint32_t)full;
		b->sb_last_ns = now_ns;
	}
	/* tokens x 1000 = elapsed ms x rate; after 1000 s idle, full anyway
	 * (and no overflow for a rate up to SRC_RATE_MAX) */
	el = now_ns - b->sb_last_ns;
	add = el > 1000 * 1000 * NS_PER_MS ? full : el * r->sr_rate / NS_PER_MS;
	if (add != 0) {
		uint64_t t = b->sb_tokens_milli + add;

		b->sb_tokens_milli = (uint32_t)(t < full ? t : full);
		b->sb_last_ns = now_ns;
	}
	if (b->sb_tokens_milli < 1000)
		return false;
	b->sb_tokens_milli -= 1000;
	return true;
}
