/* IKE-lite admission control: what a responder checks before it spends
 * a Diffie-Hellman computation and memory on a new IKE_SA_INIT request.
 *   - Stateless cookies (RFC 7296 2.6): above a number of half-open SAs a
 *     request must echo a COOKIE we made from its own Ni, address and SPIi
 *     and a secret that changes every IKE_GUARD_SECRET_S, so a spoofed
 *     source gets nothing but one small answer;
 *   - a token bucket per source address, so one host cannot take all the
 *     half-open slots.
 * Pure but for the random secrets: no I/O, time passed in. */
#ifndef DMVPND_IKE_GUARD_H
#define DMVPND_IKE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src_rate.h"

#define IKE_COOKIE_LEN 17      /* version octet + 16 octets of HMAC-SHA-256 */
#define IKE_GUARD_SECRET_S 120 /* a cookie is good for one to two periods */

struct ike_guard {
	uint8_t gd_version; /* of the current secret */
	uint8_t gd_secret[32], gd_prev[32];
	uint64_t gd_rotated_ns;
	struct src_rate gd_rate; /* new IKE SAs per source */
};

/* ike_guard.c */
/* rate 0 turns the per-source limit off. 0 or -EIO (no randomness). */
int ike_guard_init(struct ike_guard *g, uint32_t rate, uint32_t burst, uint64_t now);
/* Wipes the secrets. */
void ike_guard_fini(struct ike_guard *g);
/* The COOKIE for this request into out[IKE_COOKIE_LEN]. */
int ike_guard_cookie(struct ike_guard *g, uint64_t now, const uint8_t *ni, size_t ni_len,
		     uint32_t src, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN]);
/* Whether cookie is one we made for this request, with the current or the
 * previous secret (constant-time compare). */
bool ike_guard_cookie_ok(struct ike_guard *g, uint64_t now, const uint8_t *ni, size_t ni_len,
			 uint32_t src, uint64_t spi_i, const uint8_t *cookie, size_t len);
/* Takes a token of src's bucket: false when it has none left. */
bool ike_guard_admit(struct ike_guard *g, uint32_t src, uint64_t now);

#endif
