/* The Encrypted (SK) payload, RFC 7296 3.14: AES-GCM-16 (RFC 5282) or
 * AES-CBC with HMAC-SHA2-256-128 (RFC 3602, RFC 4868) over IV | ciphertext |
 * ICV, the ICV covering the message from the IKE header on. */
#include "ike_crypto.h"
#include "ike_sk_internal.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define IKE_SK_HDR_LEN 28 /* IKE header (3.1); Length at offset 24 */
#define IKE_SK_GEN_HDR_LEN 4
#define IKE_SK_GCM_IV_LEN 8   /* RFC 5282: explicit part of the nonce */
#define IKE_SK_GCM_SALT_LEN 4 /* RFC 5282 7.1: last 4 octets of SK_e */
#define IKE_SK_GCM_ICV_LEN 16
#define IKE_SK_CBC_BLOCK 16
#define IKE_SK_HMAC_ICV_LEN 16 /* RFC 4868 2.3: SHA-256 truncated to 128 bits */
#define IKE_SK_MAC_MAX 64

_Static_assert(IKE_SK_GCM_ICV_LEN == IKE_SK_HMAC_ICV_LEN, "ike_sk_decrypt's ICV buffer fits both");

static const char *const ike_sk_drop_names[] = {
#define IKE_SK_DROP_NAME(name, str) [IKE_SK_DROP_##name] = str,
	IKE_SK_DROP_LIST(IKE_SK_DROP_NAME)
#undef IKE_SK_DROP_NAME
};

const char *ike_sk_drop_str(enum ike_sk_drop d)
{
	return (unsigned)d < IKE_SK_DROP_MAX ? ike_sk_drop_names[d] : "?";
}

struct ike_sk_shape {
	bool ss_aead;
	size_t ss_key_len; /* AES key, without the GCM salt */
	size_t ss_iv_len;
	size_t ss_icv_len;
	size_t ss_block; /* the ciphertext is a multiple of this */
};

static int ike_sk_shape_get(const struct ike_crypto_suite *s, struct ike_sk_shape *sh)
{
	if (ike_crypto_suite_validate(s) < 0)
		return -EINVAL;
	sh->ss_aead = s->cs_encr == IKE_CRYPTO_ENCR_AES_GCM_16;
	sh->ss_key_len = s->cs_encr_bits / 8;
	sh->ss_iv_len = sh->ss_aead ? IKE_SK_GCM_IV_LEN : IKE_SK_CBC_BLOCK;
	sh->ss_icv_len = sh->ss_aead ? IKE_SK_GCM_ICV_LEN : IKE_SK_HMAC_ICV_LEN;
	sh->ss_block = sh->ss_aead ? 1 : IKE_SK_CBC_BLOCK;
	return 0;
}

/* Padding after pt_len octets. RFC 5282 allows any Pad Length with GCM,
 * so none is sent; CBC pads plaintext and the Pad Length octet to a whole
 * block (3.14). */
static size_t ike_sk_pad_len(const struct ike_sk_shape *sh, size_t pt_len)
{
	return (sh->ss_block - (pt_len + 1) % sh->ss_block) % sh->ss_block;
}

size_t ike_sk_overhead(const struct ike_crypto_suite *s, size_t pt_len)
{
	struct ike_sk_shape sh;

	if (ike_sk_shape_get(s, &sh) < 0)
		return 0;
	return sh.ss_iv_len + ike_sk_pad_len(&sh, pt_len) + 1 + sh.ss_icv_len;
}

static const EVP_CIPHER *ike_sk_cipher(bool aead, size_t key_len)
{
	if (aead)
		return key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	return key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static void ike_sk_dir_keys(const struct ike_kdf_keys *k, enum ike_crypto_dir dir,
			    const uint8_t **sk_e, const uint8_t **sk_a)
{
	*sk_e = dir == IKE_CRYPTO_I2R ? k->sk_ei : k->sk_er;
	*sk_a = dir == IKE_CRYPTO_I2R ? k->sk_ai : k->sk_ar;
}

/* HMAC-SHA2-256 of data, truncated to the ICV length (RFC 4868 2.3). */
static int ike_sk_hmac(const uint8_t *sk_a, size_t key_len, const uint8_t *data, size_t len,
		       uint8_t icv[IKE_SK_HMAC_ICV_LEN])
{
	uint8_t mac[IKE_SK_MAC_MAX];
	size_t got = 0;
	int rc = -EIO;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, sk_a, key_len, data, len, mac,
		      sizeof(mac), &got) != NULL &&
	    got >= IKE_SK_HMAC_ICV_LEN) {
		memcpy(icv, mac, IKE_SK_HMAC_ICV_LEN);
		rc = 0;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/* AES-GCM over buf[len] in place, nonce = salt | iv (RFC 5282), with
 * aad[aad_len]. Encrypting writes tag, decrypting checks it: -EBADMSG. */
static int ike_sk_gcm(bool enc, const uint8_t *sk_e, size_t key_len, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[IKE_SK_GCM_SALT_LEN + IKE_SK_GCM_IV_LEN];
	int outl, rc = -EIO;

	memcpy(nonce, sk_e + key_len, IKE_SK_GCM_SALT_LEN);
	memcpy(nonce + IKE_SK_GCM_SALT_LEN, iv, IKE_SK_GCM_IV_LEN);
	if (ctx == NULL ||
	    EVP_CipherInit_ex(ctx, ike_sk_cipher(true, key_len), NULL, sk_e, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1 ||
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, IKE_SK_GCM_ICV_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, buf + len, &outl) != 1) {
		rc = enc ? -EIO : -EBADMSG; /* the tag compare is constant-time */
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, IKE_SK_GCM_ICV_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx); /* clears the key schedule */
	return rc;
}

/* AES-CBC without OpenSSL's own padding (IKE has its own) over buf[len] in
 * place; len is a whole number of blocks. */
static int ike_sk_cbc(bool enc, const uint8_t *key, size_t key_len, const uint8_t *iv, uint8_t *buf,
		      size_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl, fin, rc = -EIO;

	if (ctx != NULL &&
	    EVP_CipherInit_ex(ctx, ike_sk_cipher(false, key_len), NULL, key, iv, enc) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, buf + outl, &fin) == 1 && (size_t)(outl + fin) == len)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static uint32_t ike_sk_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* IVs come from RAND_bytes for both ciphers. CBC needs unpredictable IVs
 * (3.14); for GCM a counter would also do (RFC 5282 only forbids reuse
 * under one key), but then the counter is state that must survive and never
 * rewind, while 64 random bits keep the chance of a repeat near 2^-25 even
 * after 2^20 messages, more than an IKE SA carries before it is rekeyed. */
int ike_sk_encrypt(const struct ike_kdf_keys *k, enum ike_crypto_dir dir, uint8_t *msg,
		   size_t aad_len, size_t cap, const uint8_t *pt, size_t pt_len, size_t *msg_len)
{
	struct ike_sk_shape sh;
	const uint8_t *sk_e, *sk_a;
	size_t pad, ct_len, total;
	uint8_t *iv, *ct;
	int rc;

	if (ike_sk_shape_get(&k->sk_suite, &sh) < 0 ||
	    aad_len < IKE_SK_HDR_LEN + IKE_SK_GEN_HDR_LEN)
		return -EINVAL;
	pad = ike_sk_pad_len(&sh, pt_len);
	ct_len = pt_len + pad + 1;
	total = aad_len + sh.ss_iv_len + ct_len + sh.ss_icv_len;
	if (total < pt_len || total > UINT32_MAX)
		return -EINVAL;
	if (cap < total)
		return -ENOBUFS;
	if (ike_sk_be32(msg + IKE_SK_HDR_LEN - 4) != total)
		return -EINVAL; /* the Length must be final before it is authenticated */
	ike_sk_dir_keys(k, dir, &sk_e, &sk_a);
	iv = msg + aad_len;
	ct = iv + sh.ss_iv_len;
	if (RAND_bytes(iv, (int)sh.ss_iv_len) != 1)
		return -EIO;
	memcpy(ct, pt, pt_len);
	memset(ct + pt_len, 0, pad);
	ct[pt_len + pad] = (uint8_t)pad;
	if (sh.ss_aead) {
		rc = ike_sk_gcm(true, sk_e, sh.ss_key_len, iv, msg, aad_len, ct, ct_len,
				ct + ct_len);
	} else {
		rc = ike_sk_cbc(true, sk_e, sh.ss_key_len, iv, ct, ct_len);
		if (rc == 0)
			rc = ike_sk_hmac(sk_a, k->sk_integ_len, msg, (size_t)(ct + ct_len - msg),
					 ct + ct_len);
	}
	if (rc < 0) {
		OPENSSL_cleanse(iv, total - aad_len); /* may hold plaintext */
		return rc;
	}
	*msg_len = total;
	return 0;
}

static int ike_sk_drop(enum ike_sk_drop reason, enum ike_sk_drop *why)
{
	if (why != NULL)
		*why = reason;
	return -EBADMSG;
}

/* 3.14: the Pad Length octet ends the plaintext and must leave room for
 * itself and the padding it announces; the padding's content is not
 * checked (the sender may fill it with anything). */
static int ike_sk_unpad(uint8_t *pt, size_t ct_len, size_t *pt_len, enum ike_sk_drop *why)
{
	size_t pad = pt[ct_len - 1];

	if (pad + 1 > ct_len) {
		OPENSSL_cleanse(pt, ct_len);
		return ike_sk_drop(IKE_SK_DROP_BAD_PAD, why);
	}
	*pt_len = ct_len - pad - 1;
	return 0;
}

int ike_sk_cbc_body_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			    const uint8_t *ct, size_t ct_len, uint8_t *pt, size_t *pt_len,
			    enum ike_sk_drop *why)
{
	int rc;

	if (key_len != 16 && key_len != 32)
		return -EINVAL;
	if (ct_len == 0 || ct_len % IKE_SK_CBC_BLOCK != 0)
		return ike_sk_drop(IKE_SK_DROP_BAD_ALIGN, why);
	memcpy(pt, ct, ct_len);
	rc = ike_sk_cbc(false, key, key_len, iv, pt, ct_len);
	if (rc < 0) {
		OPENSSL_cleanse(pt, ct_len);
		return rc;
	}
	return ike_sk_unpad(pt, ct_len, pt_len, why);
}

int ike_sk_decrypt(const struct ike_kdf_keys *k, enum ike_crypto_dir dir, const uint8_t *msg,
		   size_t msg_len, size_t aad_len, uint8_t *pt, size_t cap, size_t *pt_len,
		   enum ike_sk_drop *why)
{
	struct ike_sk_shape sh;
	const uint8_t *sk_e, *sk_a, *iv, *ct, *icv;
	uint8_t mac[IKE_SK_GCM_ICV_LEN]; /* our ICV (CBC), or a copy of theirs (GCM) */
	size_t ct_len;
	int rc;

	if (why != NULL)
		*why = IKE_SK_DROP_NONE;
	if (ike_sk_shape_get(&k->sk_suite, &sh) < 0 || aad_len > msg_len)
		return -EINVAL;
	/* at least the IV, one block holding the Pad Length, and the ICV */
	if (msg_len - aad_len < sh.ss_iv_len + sh.ss_block + sh.ss_icv_len)
		return ike_sk_drop(IKE_SK_DROP_TOO_SHORT, why);
	iv = msg + aad_len;
	ct = iv + sh.ss_iv_len;
	ct_len = msg_len - aad_len - sh.ss_iv_len - sh.ss_icv_len;
	icv = ct + ct_len;
	if (ct_len % sh.ss_block != 0)
		return ike_sk_drop(IKE_SK_DROP_BAD_ALIGN, why);
	if (cap < ct_len)
		return -ENOBUFS;
	ike_sk_dir_keys(k, dir, &sk_e, &sk_a);
	if (sh.ss_aead) {
		memcpy(mac, icv, IKE_SK_GCM_ICV_LEN);
		memcpy(pt, ct, ct_len);
		rc = ike_sk_gcm(false, sk_e, sh.ss_key_len, iv, msg, aad_len, pt, ct_len, mac);
		if (rc < 0) {
			OPENSSL_cleanse(pt, ct_len); /* never hand out unauthenticated text */
			return rc == -EBADMSG ? ike_sk_drop(IKE_SK_DROP_BAD_ICV, why) : rc;
		}
		return ike_sk_unpad(pt, ct_len, pt_len, why);
	}
	/* authenticate before decrypting (3.14, and no padding oracle) */
	rc = ike_sk_hmac(sk_a, k->sk_integ_len, msg, msg_len - sh.ss_icv_len, mac);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, icv, sh.ss_icv_len) != 0)
		return ike_sk_drop(IKE_SK_DROP_BAD_ICV, why);
	return ike_sk_cbc_body_decrypt(sk_e, sh.ss_key_len, iv, ct, ct_len, pt, pt_len, why);
}
