/* A token bucket per source address in a table of fixed size (direct
 * mapped by a hash of the address): how often one address may do a thing,
 * with memory that does not grow with the number of sources. A source
 * that takes a slot another one held starts with a full bucket, so forged
 * sources can at worst give a real one its burst back; they never spend
 * its tokens. Used for new IKE SAs and for NHRP registrations per source.
 * Pure: time passed in. */
#ifndef DMVPND_SRC_RATE_H
#define DMVPND_SRC_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define SRC_RATE_BUCKETS 1024 /* sources tracked at once */
#define SRC_RATE_MAX 1000000  /* per second */

struct src_rate_bucket {
	uint32_t sb_addr;
	uint32_t sb_tokens_milli; /* tokens x 1000 */
	uint64_t sb_last_ns;
};

struct src_rate {
	uint32_t sr_rate; /* per second per source; 0 = no limit */
	uint32_t sr_burst;
	struct src_rate_bucket sr_b[SRC_RATE_BUCKETS];
};

/* src_rate.c */
/* rate (at most SRC_RATE_MAX) 0 = no limit; burst 0 = rate. */
void src_rate_init(struct src_rate *r, uint32_t rate, uint32_t burst);
/* Takes a token of src's bucket: false when it has none left. */
bool src_rate_take(struct src_rate *r, uint32_t src, uint64_t now_ns);

#endif
