/* The only user of intel-ipsec-mb: per-lcore managers, per-SA key
 * schedules (expanded once by esp_sa_init, wiped by esp_sa_fini), AES-GCM
 * through the direct calls and AES-CBC + HMAC-SHA-256-128 through the job
 * API. The direct GCM calls skip the job machinery: 30-55 cycles per
 * 64-byte packet cheaper than the job/burst API, as measured by the lead.
 *
 * Why the job API and not the burst API for CBC+HMAC: Debian 12's
 * intel-ipsec-mb 1.3 miscounts its queue in the burst API once the job ring
 * wraps (IMB_QUEUE_SIZE / IMB_GET_NEXT_BURST / IMB_FLUSH_BURST) and can
 * hand a completed job back twice; CBC+HMAC keeps jobs queued between
 * calls, so it would hit that. Here every burst is submitted and then
 * flushed, nothing stays queued across bursts, and each job carries the
 * burst generation plus its op so a job returned twice, or from another
 * burst, is counted (cm_stray) and ignored rather than completed again. */
#include <errno.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "crypto_mb.h"
#include "esp_sa.h"

/* Key schedule layouts inside crypto_mb_key.ck_schedule. */
struct cmk_cbc {
	uint8_t cc_enc[16 * 15]; /* AES-256 has 15 round keys */
	uint8_t cc_dec[16 * 15];
	uint8_t cc_ipad[IMB_SHA256_DIGEST_SIZE_IN_BYTES];
	uint8_t cc_opad[IMB_SHA256_DIGEST_SIZE_IN_BYTES];
};

_Static_assert(sizeof(struct gcm_key_data) <= CRYPTO_MB_SCHEDULE_BYTES,
	       "gcm_key_data grew: raise CRYPTO_MB_SCHEDULE_BYTES");
_Static_assert(sizeof(struct cmk_cbc) <= CRYPTO_MB_SCHEDULE_BYTES, "cmk_cbc does not fit");
_Static_assert(CRYPTO_MB_BURST_MAX < IMB_MAX_JOBS, "a burst must fit the job ring");

/* The schedule is the first member of a cache-aligned struct: 64-byte
 * aligned, as the AVX-512 GCM code wants. */
static inline struct gcm_key_data *cmk_gcm(struct crypto_mb_key *k)
{
	return (struct gcm_key_data *)(void *)k->ck_schedule;
}

static inline const struct gcm_key_data *cmk_gcm_c(const struct crypto_mb_key *k)
{
	return (const struct gcm_key_data *)(const void *)k->ck_schedule;
}

static inline const struct cmk_cbc *cmk_cbc_c(const struct crypto_mb_key *k)
{
	return (const struct cmk_cbc *)(const void *)k->ck_schedule;
}

/* Byte offsets of HashKey^1..^8 in struct gcm_key_data: after the 15
 * round-key slots, ascending (gcm_defines.asm), or HashKey^8..^1 at the
 * end of the 48 VAES powers (gcm_keys_vaes_avx512.asm: HashKey_8 is 16*55). */
#define GCM_HKEY_LOW_OFF (16 * 15)
#define GCM_HKEY_LOW_OFF_VAES (16 * 55)

uint16_t crypto_mb_gcm_hkey_low_off = GCM_HKEY_LOW_OFF;

int crypto_mb_init(struct crypto_mb *cx)
{
	IMB_MGR *mgr;

	memset(cx, 0, sizeof(*cx));
	mgr = alloc_mb_mgr(0);
	if (mgr == NULL)
		return -ENOMEM;
	/* Picks the best code path (SSE .. AVX-512/VAES) for this CPU once. */
	init_mb_mgr_auto(mgr, NULL);
	if (imb_get_errno(mgr) != 0) {
		free_mb_mgr(mgr);
		return -ENOTSUP;
	}
	cx->cm_mgr = mgr;
	/* gcm_key_data's layout depends on the code path (gcm_keys_*.asm):
	 * VAES keeps HashKey^48 first and HashKey^1 last. */
	if (mgr->used_arch == IMB_ARCH_AVX512 && (mgr->features & IMB_FEATURE_VAES) &&
	    (mgr->features & IMB_FEATURE_VPCLMULQDQ))
		__atomic_store_n(&crypto_mb_gcm_hkey_low_off, GCM_HKEY_LOW_OFF_VAES,
				 __ATOMIC_RELAXED);
	return 0;
}

void crypto_mb_fini(struct crypto_mb *cx)
{
	if (cx->cm_mgr != NULL)
		free_mb_mgr(cx->cm_mgr);
	cx->cm_mgr = NULL;
}

int crypto_mb_key_gcm(struct crypto_mb *cx, struct crypto_mb_key *k, const uint8_t *key,
		      unsigned key_len)
{
	memset(k, 0, sizeof(*k));
	if (key_len == 16)
		IMB_AES128_GCM_PRE(cx->cm_mgr, key, cmk_gcm(k));
	else if (key_len == 32)
		IMB_AES256_GCM_PRE(cx->cm_mgr, key, cmk_gcm(k));
	else
		return -EINVAL;
	k->ck_kind = CRYPTO_MB_GCM;
	k->ck_key_len = (uint8_t)key_len;
	return 0;
}

/* RFC 2104 2: the inner and outer hash states after one block of
 * (key ^ ipad) and (key ^ opad) are all HMAC needs of the key. */
static void hmac_sha256_pads(IMB_MGR *mgr, const uint8_t *auth_key, unsigned len, uint8_t *ipad,
			     uint8_t *opad)
{
	uint8_t blk[IMB_SHA_256_BLOCK_SIZE];

	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)((i < len ? auth_key[i] : 0) ^ 0x36);
	IMB_SHA256_ONE_BLOCK(mgr, blk, ipad);
	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)((i < len ? auth_key[i] : 0) ^ 0x5c);
	IMB_SHA256_ONE_BLOCK(mgr, blk, opad);
	explicit_bzero(blk, sizeof(blk));
}

int crypto_mb_key_cbc_hmac(struct crypto_mb *cx, struct crypto_mb_key *k, const uint8_t *key,
			   unsigned key_len, const uint8_t *auth_key, unsigned auth_key_len)
{
	struct cmk_cbc *cc = (struct cmk_cbc *)(void *)k->ck_schedule;

	memset(k, 0, sizeof(*k));
	/* RFC 4868 2.1.1: the HMAC-SHA-256-128 key is 32 bytes; longer keys
	 * would need hashing first (RFC 2104), which ESP never negotiates. */
	if (auth_key_len == 0 || auth_key_len > IMB_SHA_256_BLOCK_SIZE)
		return -EINVAL;
	if (key_len == 16)
		IMB_AES_KEYEXP_128(cx->cm_mgr, key, cc->cc_enc, cc->cc_dec);
	else if (key_len == 32)
		IMB_AES_KEYEXP_256(cx->cm_mgr, key, cc->cc_enc, cc->cc_dec);
	else
		return -EINVAL;
	hmac_sha256_pads(cx->cm_mgr, auth_key, auth_key_len, cc->cc_ipad, cc->cc_opad);
	k->ck_kind = CRYPTO_MB_CBC_HMAC_SHA256;
	k->ck_key_len = (uint8_t)key_len;
	return 0;
}

void crypto_mb_key_wipe(struct crypto_mb_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

void crypto_mb_gcm_seal(struct crypto_mb *cx, const struct crypto_mb_key *k, const uint8_t *nonce,
			const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
			uint8_t *tag)
{
	struct gcm_context_data ctx;

	if (k->ck_key_len == 16)
		IMB_AES128_GCM_ENC(cx->cm_mgr, cmk_gcm_c(k), &ctx, buf, buf, len, nonce, aad,
				   aad_len, tag, CRYPTO_MB_TAG_LEN);
	else
		IMB_AES256_GCM_ENC(cx->cm_mgr, cmk_gcm_c(k), &ctx, buf, buf, len, nonce, aad,
				   aad_len, tag, CRYPTO_MB_TAG_LEN);
}

void crypto_mb_gcm_dec(struct crypto_mb *cx, const struct crypto_mb_key *k, const uint8_t *nonce,
		       const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
		       uint8_t *tag_out)
{
	struct gcm_context_data ctx;

	if (k->ck_key_len == 16)
		IMB_AES128_GCM_DEC(cx->cm_mgr, cmk_gcm_c(k), &ctx, buf, buf, len, nonce, aad,
				   aad_len, tag_out, CRYPTO_MB_TAG_LEN);
	else
		IMB_AES256_GCM_DEC(cx->cm_mgr, cmk_gcm_c(k), &ctx, buf, buf, len, nonce, aad,
				   aad_len, tag_out, CRYPTO_MB_TAG_LEN);
}

static void cbc_job_fill(IMB_JOB *job, const struct crypto_mb_key *k, bool encrypt,
			 struct crypto_mb_cbc_op *op, uint64_t gen)
{
	const struct cmk_cbc *cc = cmk_cbc_c(k);

	job->cipher_mode = IMB_CIPHER_CBC;
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->enc_keys = cc->cc_enc;
	job->dec_keys = cc->cc_dec;
	job->key_len_in_bytes = k->ck_key_len;
	job->src = op->co_buf;
	job->dst = op->co_buf + op->co_cipher_off; /* dst is not offset by the library */
	job->cipher_start_src_offset_in_bytes = op->co_cipher_off;
	job->msg_len_to_cipher_in_bytes = op->co_cipher_len;
	job->iv = op->co_iv;
	job->iv_len_in_bytes = CRYPTO_MB_BLOCK;
	job->hash_alg = IMB_AUTH_HMAC_SHA_256;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->co_hash_len;
	job->auth_tag_output = op->co_tag;
	job->auth_tag_output_len_in_bytes = CRYPTO_MB_TAG_LEN;
	job->u.HMAC._hashed_auth_key_xor_ipad = cc->cc_ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = cc->cc_opad;
	job->user_data = op;
	job->user_data2 = (void *)(uintptr_t)gen;
}

/* Accepts a returned job only if it belongs to this burst and was not seen
 * before: the check that makes a double completion harmless and visible. */
static uint16_t cbc_job_done(struct crypto_mb *cx, const IMB_JOB *job, struct crypto_mb_cbc_op *ops,
			     uint16_t n, uint64_t gen)
{
	uintptr_t p = (uintptr_t)job->user_data, lo = (uintptr_t)ops;
	struct crypto_mb_cbc_op *op = job->user_data;

	if ((uintptr_t)job->user_data2 != gen || p < lo || p >= lo + (uintptr_t)n * sizeof(*ops) ||
	    (p - lo) % sizeof(*ops) != 0 || op->co_done) {
		cx->cm_stray++;
		return 0;
	}
	op->co_done = 1;
	cx->cm_completed++;
	if (job->status != IMB_STATUS_COMPLETED)
		return 0;
	op->co_status = 0;
	return 1;
}

uint16_t crypto_mb_cbc_hmac_burst(struct crypto_mb *cx, const struct crypto_mb_key *k, bool encrypt,
				  struct crypto_mb_cbc_op *ops, uint16_t n)
{
	IMB_MGR *mgr = cx->cm_mgr;
	uint64_t gen = ++cx->cm_gen;
	uint16_t ok = 0;
	IMB_JOB *job;

	n = RTE_MIN(n, (uint16_t)CRYPTO_MB_BURST_MAX);
	for (uint16_t i = 0; i < n; i++) {
		ops[i].co_done = 0;
		ops[i].co_status = -1;
	}
	for (uint16_t i = 0; i < n; i++) {
		job = IMB_GET_NEXT_JOB(mgr);
		cbc_job_fill(job, k, encrypt, &ops[i], gen);
#ifdef NDEBUG
		job = IMB_SUBMIT_JOB_NOCHECK(mgr);
#else
		job = IMB_SUBMIT_JOB(mgr); /* validates every field */
#endif
		cx->cm_submitted++;
		while (job != NULL) {
			ok += cbc_job_done(cx, job, ops, n, gen);
			job = IMB_GET_COMPLETED_JOB(mgr);
		}
	}
	/* Drain: nothing of this burst may be left for the next one. */
	while ((job = IMB_FLUSH_JOB(mgr)) != NULL)
		ok += cbc_job_done(cx, job, ops, n, gen);
	for (uint16_t i = 0; i < n; i++)
		cx->cm_lost += ops[i].co_done ? 0 : 1;
	return ok;
}
