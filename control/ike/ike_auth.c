/* The AUTH payload's value (RFC 7296 2.15): the signed octets, shared-key
 * AUTH (method 2) and RFC 7427 digital signatures (method 14) with their
 * AlgorithmIdentifier prefix. The caller owns the keys and certificates. */
#include "ike_crypto.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#define IKE_ID_BODY_MIN 4         /* ID Type and 3 reserved octets (3.5) */
#define IKE_SIG_RSA_MIN_BITS 2048 /* NIST SP 800-131A disallows smaller for signing */

/* 2.15: the 17 ASCII octets, without a terminating NUL */
static const uint8_t ike_auth_key_pad[] = {'K', 'e', 'y', ' ', 'P', 'a', 'd', ' ', 'f',
					   'o', 'r', ' ', 'I', 'K', 'E', 'v', '2'};

size_t ike_auth_octets_len(enum ike_crypto_prf prf, size_t msg_len, size_t nonce_len)
{
	size_t hl = ike_prf_len(prf);

	return hl == 0 ? 0 : msg_len + nonce_len + hl;
}

int ike_auth_octets_encode(enum ike_crypto_prf prf, const uint8_t *msg, size_t msg_len,
			   const uint8_t *peer_nonce, size_t nonce_len, const uint8_t *sk_p,
			   const uint8_t *id_body, size_t id_len, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	size_t hl = ike_prf_len(prf), need = ike_auth_octets_len(prf, msg_len, nonce_len);
	int rc;

	if (hl == 0 || id_len < IKE_ID_BODY_MIN || need < msg_len)
		return -EINVAL;
	if (cap < need)
		return -ENOBUFS;
	memcpy(out, msg, msg_len);
	memcpy(out + msg_len, peer_nonce, nonce_len);
	/* MACedIDForI = prf(SK_pi, RestOfInitIDPayload): the ID payload
	 * without its generic header, so the sender's ID is bound to the SA */
	rc = ike_prf(prf, sk_p, hl, id_body, id_len, out + msg_len + nonce_len);
	if (rc < 0)
		return rc;
	*out_len = need;
	return 0;
}

int ike_auth_psk_compute(enum ike_crypto_prf prf, const uint8_t *psk, size_t psk_len,
			 const uint8_t *octets, size_t octets_len, uint8_t *out)
{
	uint8_t inner[IKE_PRF_MAX_LEN];
	size_t hl = ike_prf_len(prf);
	int rc;

	if (hl == 0)
		return -EINVAL;
	/* 2.15: the pad string makes the key independent of other uses of
	 * the same shared secret */
	rc = ike_prf(prf, psk, psk_len, ike_auth_key_pad, sizeof(ike_auth_key_pad), inner);
	if (rc == 0)
		rc = ike_prf(prf, inner, hl, octets, octets_len, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

int ike_auth_psk_verify(enum ike_crypto_prf prf, const uint8_t *psk, size_t psk_len,
			const uint8_t *octets, size_t octets_len, const uint8_t *auth,
			size_t auth_len)
{
	uint8_t want[IKE_PRF_MAX_LEN];
	size_t hl = ike_prf_len(prf);
	int rc;

	if (hl == 0)
		return -EINVAL;
	rc = ike_auth_psk_compute(prf, psk, psk_len, octets, octets_len, want);
	if (rc == 0 && (auth_len != hl || CRYPTO_memcmp(want, auth, hl) != 0))
		rc = -EBADMSG;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* RFC 7427 3 and appendix A: the ASN.1 Length octet, then the DER
 * AlgorithmIdentifier. RSA carries NULL parameters (RFC 4055 5), ECDSA none
 * (RFC 5758 3.2). Checked against `openssl asn1parse -inform DER`. */
struct ike_sig_desc {
	const char *sd_md;
	bool sd_rsa;
	uint8_t sd_algid_len;
	uint8_t sd_algid[16];
};

static const struct ike_sig_desc ike_sig_descs[IKE_SIG_MAX] = {
	[IKE_SIG_RSA_SHA256] = {"SHA256",
				true,
				16,
				{0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				 0x01, 0x01, 0x0b, 0x05, 0x00}},
	[IKE_SIG_RSA_SHA384] = {"SHA384",
				true,
				16,
				{0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				 0x01, 0x01, 0x0c, 0x05, 0x00}},
	[IKE_SIG_RSA_SHA512] = {"SHA512",
				true,
				16,
				{0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				 0x01, 0x01, 0x0d, 0x05, 0x00}},
	[IKE_SIG_ECDSA_SHA256] = {"SHA256",
				  false,
				  13,
				  {0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
				   0x03, 0x02}},
	[IKE_SIG_ECDSA_SHA384] = {"SHA384",
				  false,
				  13,
				  {0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
				   0x03, 0x03}},
};

const uint8_t *ike_sig_algid_encode(enum ike_sig_alg alg, size_t *len)
{
	if ((unsigned)alg >= IKE_SIG_MAX)
		return NULL;
	*len = ike_sig_descs[alg].sd_algid_len;
	return ike_sig_descs[alg].sd_algid;
}

/* Exact DER comparison: no ASN.1 parser meets peer input, and every other
 * encoding of the same algorithm (BER lengths, absent NULL) is refused. */
int ike_sig_algid_decode(const uint8_t *data, size_t len, enum ike_sig_alg *alg, size_t *consumed)
{
	size_t n;

	if (len < 1 || (size_t)data[0] + 1 > len)
		return -EBADMSG;
	n = (size_t)data[0] + 1;
	for (unsigned a = 0; a < IKE_SIG_MAX; a++) {
		const struct ike_sig_desc *d = &ike_sig_descs[a];

		if (d->sd_algid_len == n && memcmp(d->sd_algid, data, n) == 0) {
			*alg = (enum ike_sig_alg)a;
			*consumed = n;
			return 0;
		}
	}
	return -ENOTSUP;
}

static bool ike_sig_curve_ok(EVP_PKEY *key)
{
	char name[64];
	int nid;

	if (EVP_PKEY_get_group_name(key, name, sizeof(name), NULL) != 1)
		return false;
	nid = OBJ_txt2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1;
}

/* The key must be of alg's type: RSA of at least 2048 bits, or ECDSA on
 * P-256 or P-384 (RFC 5903 curves; either hash of RFC 7427 may go with
 * either curve). */
static int ike_sig_key_check(EVP_PKEY *key, enum ike_sig_alg alg)
{
	if (key == NULL || (unsigned)alg >= IKE_SIG_MAX)
		return -EINVAL;
	if (ike_sig_descs[alg].sd_rsa) {
		if (!EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_get_bits(key) < IKE_SIG_RSA_MIN_BITS)
			return -EINVAL;
		return 0;
	}
	return EVP_PKEY_is_a(key, "EC") && ike_sig_curve_ok(key) ? 0 : -EINVAL;
}

/* A digest-sign or digest-verify context for alg; RSA is pinned to
 * PKCS#1 v1.5, the padding RFC 7427's sha*WithRSAEncryption names. */
static EVP_MD_CTX *ike_sig_ctx_create(EVP_PKEY *key, enum ike_sig_alg alg, bool sign)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *mdname = ike_sig_descs[alg].sd_md;
	int ok;

	if (md == NULL)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(md, &pctx, mdname, NULL, NULL, key, NULL)
		  : EVP_DigestVerifyInit_ex(md, &pctx, mdname, NULL, NULL, key, NULL);
	if (ok == 1 && ike_sig_descs[alg].sd_rsa)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
	if (ok != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

int ike_sig_sign(EVP_PKEY *key, enum ike_sig_alg alg, const uint8_t *octets, size_t octets_len,
		 uint8_t *sig, size_t cap, size_t *sig_len)
{
	EVP_MD_CTX *md;
	size_t len = 0;
	int rc = -EIO;

	if (ike_sig_key_check(key, alg) < 0)
		return -EINVAL;
	md = ike_sig_ctx_create(key, alg, true);
	if (md == NULL)
		return -EIO;
	/* a NULL buffer asks for the largest signature without signing */
	if (EVP_DigestSign(md, NULL, &len, octets, octets_len) != 1)
		goto out;
	if (cap < len) {
		*sig_len = len;
		rc = -ENOBUFS;
		goto out;
	}
	len = cap;
	if (EVP_DigestSign(md, sig, &len, octets, octets_len) == 1) {
		*sig_len = len;
		rc = 0;
	}
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int ike_sig_verify(EVP_PKEY *key, enum ike_sig_alg alg, const uint8_t *octets, size_t octets_len,
		   const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md;
	int rc;

	if (ike_sig_key_check(key, alg) < 0)
		return -EINVAL;
	md = ike_sig_ctx_create(key, alg, false);
	if (md == NULL)
		return -EIO;
	/* 0 is a wrong signature, < 0 one that does not even parse (a bad
	 * DER ECDSA-Sig-Value): both are the peer's fault */
	rc = EVP_DigestVerify(md, sig, sig_len, octets, octets_len) == 1 ? 0 : -EBADMSG;
	EVP_MD_CTX_free(md);
	return rc;
}
