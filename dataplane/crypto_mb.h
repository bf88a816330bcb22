/* The one door to intel-ipsec-mb: a manager per worker lcore, per-SA key
 * schedules expanded once at install, and the few thin calls ESP needs
 * (AES-GCM direct calls; AES-CBC + HMAC-SHA-256 through the job API). */
#ifndef DMVPND_CRYPTO_MB_H
#define DMVPND_CRYPTO_MB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_prefetch.h>

struct IMB_MGR;

/* Ops per CBC+HMAC burst. Far below the manager's 256-job ring, so one
 * burst can never fill it; the burst is flushed before returning. */
#define CRYPTO_MB_BURST_MAX 64
#define CRYPTO_MB_TAG_LEN 16   /* GCM ICV and HMAC-SHA-256-128 (RFC 4868) */
#define CRYPTO_MB_NONCE_LEN 12 /* GCM: salt(4) | explicit IV(8), RFC 4106 4 */
#define CRYPTO_MB_BLOCK 16
#define CRYPTO_MB_SCHEDULE_BYTES 1024

enum crypto_mb_kind {
	CRYPTO_MB_NONE = 0,
	CRYPTO_MB_GCM,
	CRYPTO_MB_CBC_HMAC_SHA256,
};

/* A per-SA key schedule: expanded once by the control thread, then only
 * read by workers. The layout of ck_schedule is private to crypto_mb.c. */
struct crypto_mb_key {
	uint8_t ck_schedule[CRYPTO_MB_SCHEDULE_BYTES];
	uint8_t ck_kind;    /* enum crypto_mb_kind */
	uint8_t ck_key_len; /* AES key bytes: 16 or 32 */
} __rte_cache_aligned;

/* Where a GCM schedule keeps its lowest GHASH key powers (H^1..H^8), the
 * ones a short packet needs: at the end of the table for intel-ipsec-mb's
 * VAES/AVX-512 code (byte 880), right after the round keys for its other
 * code paths (byte 240). Set by crypto_mb_init for the code path the
 * library picked; read by crypto_mb_key_prefetch. */
extern uint16_t crypto_mb_gcm_hkey_low_off;

#define CRYPTO_MB_ROUND_KEY_BYTES 256 /* 15 round keys of AES-256, in whole lines */

/* Runs on: workers. Warm the lines of k a short packet touches: the round
 * keys and H^1..H^8 (for CBC+HMAC the round keys only: other lines). With
 * many SAs the schedules (about 1 KiB each) outgrow the caches. */
static inline void crypto_mb_key_prefetch(const struct crypto_mb_key *k)
{
	uint16_t hk = __atomic_load_n(&crypto_mb_gcm_hkey_low_off, __ATOMIC_RELAXED);

	for (unsigned off = 0; off < CRYPTO_MB_ROUND_KEY_BYTES; off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(k->ck_schedule + off);
	for (unsigned off = RTE_ALIGN_FLOOR(hk, RTE_CACHE_LINE_SIZE); off < hk + 128u;
	     off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(k->ck_schedule + off);
	rte_prefetch0(&k->ck_kind); /* behind the schedule, read first */
}

/* One manager and its bookkeeping; embedded in each lcore's context and
 * touched by that lcore only. */
struct crypto_mb {
	struct IMB_MGR *cm_mgr;
	uint64_t cm_gen;       /* CBC burst generation, tags every job */
	uint64_t cm_submitted; /* jobs handed to the library */
	uint64_t cm_completed; /* jobs handed back exactly once, as expected */
	uint64_t cm_stray;     /* jobs handed back that were not outstanding */
	uint64_t cm_lost;      /* outstanding jobs never handed back */
};

/* One AES-CBC + HMAC-SHA-256-128 operation over a contiguous buffer. The
 * hashed region is [co_buf, co_buf + co_hash_len); the ciphered region is
 * [co_buf + co_cipher_off, + co_cipher_len), ciphered in place. Encrypt
 * runs cipher then hash, decrypt hash then cipher (RFC 4303 3.3.2, 3.4.4). */
struct crypto_mb_cbc_op {
	uint8_t *co_buf;
	uint32_t co_hash_len;
	uint32_t co_cipher_off;
	uint32_t co_cipher_len;            /* a multiple of 16 */
	const uint8_t *co_iv;              /* 16 bytes */
	uint8_t co_tag[CRYPTO_MB_TAG_LEN]; /* out: the computed ICV */
	int8_t co_status;                  /* out: 0 done, -1 failed or never returned */
	uint8_t co_done;                   /* private: completion seen */
};

/* Constant time: the ICV comparison must not leak where it differs. */
static inline bool crypto_mb_tag_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	_Static_assert(CRYPTO_MB_TAG_LEN == 16, "two words");
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* crypto_mb.c */
/* Runs on: the control thread (before the worker starts) or the worker
 * itself. Allocates through the library (alloc_mb_mgr); 0 or -ENOMEM. */
int crypto_mb_init(struct crypto_mb *cx);
void crypto_mb_fini(struct crypto_mb *cx);

/* Runs on: the control thread, at SA install. key_len 16 or 32. 0 or
 * -EINVAL. The schedule is immutable afterwards. */
int crypto_mb_key_gcm(struct crypto_mb *cx, struct crypto_mb_key *k, const uint8_t *key,
		      unsigned key_len);
/* HMAC ipad/opad digests are precomputed here (RFC 2104 2), never per packet. */
int crypto_mb_key_cbc_hmac(struct crypto_mb *cx, struct crypto_mb_key *k, const uint8_t *key,
			   unsigned key_len, const uint8_t *auth_key, unsigned auth_key_len);
/* Runs on: the control thread, after the last worker left (RCU). */
void crypto_mb_key_wipe(struct crypto_mb_key *k);

/* Runs on: workers. In-place AES-GCM, tag written to tag (16 bytes). */
void crypto_mb_gcm_seal(struct crypto_mb *cx, const struct crypto_mb_key *k, const uint8_t *nonce,
			const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
			uint8_t *tag);
/* Decrypts in place and writes the tag it computes to tag_out (16 bytes);
 * the caller compares it with the received one (crypto_mb_tag_equal),
 * best a stage later: read back at once, the library's tag store would
 * not forward. A mismatch means the buffer holds garbage: drop it. */
void crypto_mb_gcm_dec(struct crypto_mb *cx, const struct crypto_mb_key *k, const uint8_t *nonce,
		       const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
		       uint8_t *tag_out);

/* Runs on: workers. Submits n <= CRYPTO_MB_BURST_MAX ops with the job API
 * and flushes before returning, so no job stays queued across bursts.
 * Returns the number of ops with co_status 0. */
uint16_t crypto_mb_cbc_hmac_burst(struct crypto_mb *cx, const struct crypto_mb_key *k, bool encrypt,
				  struct crypto_mb_cbc_op *ops, uint16_t n);

#endif
