/* The IKEv2 key schedule: the HMAC PRFs, prf+ (RFC 7296 2.13), SKEYSEED and
 * the IKE SA keys (2.14), CHILD_SA KEYMAT (2.17) and rekeyed SKEYSEED (2.18).
 * Every input is a concatenation, so the PRF takes a list of parts. */
#include "ike_crypto.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define IKE_PRF_PLUS_MAX_BLOCKS 255 /* 2.13: the counter is one octet */

struct ike_kdf_part {
	const uint8_t *kp_data;
	size_t kp_len;
};

static const char *ike_prf_digest(enum ike_crypto_prf prf)
{
	switch (prf) {
	case IKE_CRYPTO_PRF_HMAC_SHA2_256:
		return "SHA256";
	case IKE_CRYPTO_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKE_CRYPTO_PRF_HMAC_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

size_t ike_prf_len(enum ike_crypto_prf prf)
{
	switch (prf) {
	case IKE_CRYPTO_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_CRYPTO_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_CRYPTO_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

/* A MAC context keyed for prf; the caller frees it. HMAC takes keys of any
 * length, so Ni | Nr is used whole as the SKEYSEED key (2.14 halves the
 * nonces only for PRFs with a fixed key size). */
static EVP_MAC_CTX *ike_prf_ctx_create(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len)
{
	const char *md = ike_prf_digest(prf);
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];

	if (md == NULL)
		return NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* out = prf(key, parts[0] | ... | parts[n-1]). */
static int ike_prf_parts(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len,
			 const struct ike_kdf_part *parts, unsigned n, uint8_t *out)
{
	EVP_MAC_CTX *ctx = ike_prf_ctx_create(prf, key, key_len);
	size_t len = ike_prf_len(prf), got = 0;
	int rc = -EIO;

	if (len == 0)
		return -EINVAL;
	if (ctx == NULL)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		if (parts[i].kp_len > 0 &&
		    EVP_MAC_update(ctx, parts[i].kp_data, parts[i].kp_len) != 1)
			goto out_free_ctx;
	if (EVP_MAC_final(ctx, out, &got, len) == 1 && got == len)
		rc = 0;
out_free_ctx:
	EVP_MAC_CTX_free(ctx); /* clears the keyed HMAC state */
	return rc;
}

int ike_prf(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len, const uint8_t *data,
	    size_t data_len, uint8_t *out)
{
	const struct ike_kdf_part part = {data, data_len};

	return ike_prf_parts(prf, key, key_len, &part, 1, out);
}

/* prf+(K, S) = T1 | T2 | ... with T1 = prf(K, S | 0x01) and Tn = prf(K,
 * Tn-1 | S | n) (2.13). The seed is a list of parts; T is kept in a local
 * buffer that is wiped, since its last block is not all handed out. */
static int ike_prf_plus_parts(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len,
			      const struct ike_kdf_part *seed, unsigned n_seed, uint8_t *out,
			      size_t out_len)
{
	struct ike_kdf_part parts[8];
	uint8_t t[IKE_PRF_MAX_LEN], counter;
	size_t hlen = ike_prf_len(prf), done = 0, chunk;
	int rc = 0;

	/* parts: the previous block, the seed parts, the counter */
	if (hlen == 0 || n_seed > sizeof(parts) / sizeof(parts[0]) - 2)
		return -EINVAL;
	if (out_len > IKE_PRF_PLUS_MAX_BLOCKS * hlen)
		return -EINVAL;
	for (counter = 1; done < out_len; counter++) {
		unsigned np = 0;

		if (counter > 1)
			parts[np++] = (struct ike_kdf_part){t, hlen};
		for (unsigned i = 0; i < n_seed; i++)
			parts[np++] = seed[i];
		parts[np++] = (struct ike_kdf_part){&counter, 1};
		rc = ike_prf_parts(prf, key, key_len, parts, np, t);
		if (rc < 0)
			break;
		chunk = out_len - done < hlen ? out_len - done : hlen;
		memcpy(out + done, t, chunk);
		done += chunk;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (rc < 0)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

int ike_prf_plus(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len)
{
	const struct ike_kdf_part part = {seed, seed_len};

	return ike_prf_plus_parts(prf, key, key_len, &part, 1, out, out_len);
}

int ike_crypto_suite_validate(const struct ike_crypto_suite *s)
{
	if (ike_prf_len(s->cs_prf) == 0)
		return -ENOTSUP;
	if (s->cs_encr_bits != 128 && s->cs_encr_bits != 256)
		return -ENOTSUP;
	switch (s->cs_encr) {
	case IKE_CRYPTO_ENCR_AES_GCM_16:
		/* RFC 5282: an AEAD suite carries no integrity transform */
		return s->cs_integ == IKE_CRYPTO_INTEG_NONE ? 0 : -ENOTSUP;
	case IKE_CRYPTO_ENCR_AES_CBC:
		return s->cs_integ == IKE_CRYPTO_INTEG_HMAC_SHA2_256_128 ? 0 : -ENOTSUP;
	}
	return -ENOTSUP;
}

static bool ike_nonces_valid(size_t ni_len, size_t nr_len)
{
	return ni_len > 0 && ni_len <= IKE_KDF_NONCE_MAX && nr_len > 0 &&
	       nr_len <= IKE_KDF_NONCE_MAX;
}

int ike_kdf_skeyseed(enum ike_crypto_prf prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	uint8_t key[2 * IKE_KDF_NONCE_MAX];
	int rc;

	if (!ike_nonces_valid(ni_len, nr_len))
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	rc = ike_prf(prf, key, ni_len + nr_len, gir, gir_len, out);
	OPENSSL_cleanse(key, sizeof(key)); /* nonces are public, but keep the habit */
	return rc;
}

/* Key lengths for a suite: SK_e carries the 4-octet salt with AES-GCM
 * (RFC 5282 7.1), SK_a is HMAC-SHA2-256's 32-octet key (RFC 4868). */
static int ike_kdf_lens(const struct ike_crypto_suite *s, struct ike_kdf_keys *k)
{
	int rc = ike_crypto_suite_validate(s);

	if (rc < 0)
		return rc;
	k->sk_suite = *s;
	k->sk_prf_len = (uint8_t)ike_prf_len(s->cs_prf);
	k->sk_encr_len = (uint8_t)(s->cs_encr_bits / 8);
	if (s->cs_encr == IKE_CRYPTO_ENCR_AES_GCM_16)
		k->sk_encr_len += 4;
	k->sk_integ_len = s->cs_integ == IKE_CRYPTO_INTEG_HMAC_SHA2_256_128 ? 32 : 0;
	return 0;
}

static void ike_kdf_take(uint8_t *dst, const uint8_t *dkm, size_t *o, size_t len)
{
	memcpy(dst, dkm + *o, len);
	*o += len;
}

int ike_kdf_keys_derive(const struct ike_crypto_suite *s, const uint8_t *skeyseed,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
			struct ike_kdf_keys *out)
{
	const struct ike_kdf_part seed[4] = {
		{ni, ni_len}, {nr, nr_len}, {spi_i, IKE_SPI_LEN}, {spi_r, IKE_SPI_LEN}};
	uint8_t dkm[3 * IKE_PRF_MAX_LEN + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX];
	size_t total, o = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ike_nonces_valid(ni_len, nr_len))
		return -EINVAL;
	rc = ike_kdf_lens(s, out);
	if (rc < 0)
		return rc;
	total = 3u * out->sk_prf_len + 2u * out->sk_integ_len + 2u * out->sk_encr_len;
	rc = ike_prf_plus_parts(s->cs_prf, skeyseed, out->sk_prf_len, seed, 4, dkm, total);
	if (rc < 0) {
		ike_kdf_keys_fini(out);
		return rc;
	}
	/* 2.14: the order of the keys in the stream is fixed */
	ike_kdf_take(out->sk_d, dkm, &o, out->sk_prf_len);
	ike_kdf_take(out->sk_ai, dkm, &o, out->sk_integ_len);
	ike_kdf_take(out->sk_ar, dkm, &o, out->sk_integ_len);
	ike_kdf_take(out->sk_ei, dkm, &o, out->sk_encr_len);
	ike_kdf_take(out->sk_er, dkm, &o, out->sk_encr_len);
	ike_kdf_take(out->sk_pi, dkm, &o, out->sk_prf_len);
	ike_kdf_take(out->sk_pr, dkm, &o, out->sk_prf_len);
	OPENSSL_cleanse(dkm, sizeof(dkm));
	return 0;
}

void ike_kdf_keys_fini(struct ike_kdf_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int ike_kdf_child_keymat(const struct ike_kdf_keys *k, const uint8_t *gir, size_t gir_len,
			 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			 uint8_t *i2r, uint8_t *r2i, size_t dir_len)
{
	const struct ike_kdf_part seed[3] = {{gir, gir_len}, {ni, ni_len}, {nr, nr_len}};
	uint8_t keymat[2 * IKE_CHILD_KEYMAT_MAX];
	int rc;

	if (!ike_nonces_valid(ni_len, nr_len) || (gir == NULL && gir_len != 0))
		return -EINVAL;
	if (dir_len == 0 || dir_len > sizeof(keymat) / 2)
		return -EINVAL;
	rc = ike_prf_plus_parts(k->sk_suite.cs_prf, k->sk_d, k->sk_prf_len, seed, 3, keymat,
				2 * dir_len);
	if (rc == 0) {
		/* 2.17: all keys for initiator-to-responder data come first */
		memcpy(i2r, keymat, dir_len);
		memcpy(r2i, keymat + dir_len, dir_len);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	return rc;
}

int ike_kdf_rekey_skeyseed(const struct ike_kdf_keys *old, const uint8_t *gir, size_t gir_len,
			   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			   uint8_t *out)
{
	const struct ike_kdf_part data[3] = {{gir, gir_len}, {ni, ni_len}, {nr, nr_len}};

	/* 2.18: the exchange belongs to the old SA, so its PRF is used here */
	if (!ike_nonces_valid(ni_len, nr_len) || gir == NULL || gir_len == 0)
		return -EINVAL;
	return ike_prf_parts(old->sk_suite.cs_prf, old->sk_d, old->sk_prf_len, data, 3, out);
}
