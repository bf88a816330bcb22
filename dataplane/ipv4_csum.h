/* IPv4 header checksums on the packet path: a full check over the header
 * in 32-bit words (RFC 1071), and the incremental update after changing a
 * 16-bit word of a header whose checksum is right (RFC 1624, eqn. 3).
 * rte_raw_cksum walks 16-bit words in a generic loop; headers here are
 * 20..60 bytes, a multiple of 4. Header-only. */
#ifndef DMVPND_IPV4_CSUM_H
#define DMVPND_IPV4_CSUM_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>

/* The folded ones' complement sum of hlen bytes (a multiple of 4): 0xffff
 * for a header with a correct checksum. The sum does not depend on byte
 * order (RFC 1071 2.B), so words are added as they lie in memory. */
static inline uint16_t ipv4_hdr_sum(const void *hdr, uint32_t hlen)
{
	const uint8_t *p = hdr;
	uint64_t sum = 0, a, b;
	uint32_t w;

	if (likely(hlen == 20)) { /* no options: straight-line, no loop */
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&w, p + 16, 4);
		sum = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + w;
	} else {
		for (uint32_t i = 0; i < hlen; i += 4) {
			memcpy(&w, p + i, sizeof(w));
			sum += w;
		}
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum hc after a 16-bit word it covers changes from old to new
 * (all three as stored in the header): HC' = ~(~HC + ~m + m'). */
static inline uint16_t ipv4_cksum_replace16(uint16_t hc, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~old + new_;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
