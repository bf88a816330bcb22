/* IKEv2 Diffie-Hellman (RFC 7296 2.14, 3.4) for groups 14 (MODP-2048, RFC
 * 3526), 19/20 (ECP-256/384, RFC 5903) and 31 (Curve25519, RFC 8031): key
 * pairs, the KE payload encoding of each group, and a peer-validating derive. */
#include "ike_crypto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

struct ike_dh {
	enum ike_crypto_dh dh_group;
	EVP_PKEY *dh_pkey;
};

enum ike_dh_kind { IKE_DH_KIND_X25519, IKE_DH_KIND_ECP, IKE_DH_KIND_MODP };

struct ike_dh_desc {
	enum ike_crypto_dh dd_group;
	enum ike_dh_kind dd_kind;
	const char *dd_name; /* OpenSSL group name */
	int dd_nid;          /* ECP only */
	size_t dd_field;     /* octets of p (or of a coordinate) */
};

static const struct ike_dh_desc ike_dh_descs[] = {
	{IKE_CRYPTO_DH_MODP_2048, IKE_DH_KIND_MODP, "modp_2048", NID_undef, 256},
	{IKE_CRYPTO_DH_ECP_256, IKE_DH_KIND_ECP, "P-256", NID_X9_62_prime256v1, 32},
	{IKE_CRYPTO_DH_ECP_384, IKE_DH_KIND_ECP, "P-384", NID_secp384r1, 48},
	{IKE_CRYPTO_DH_CURVE25519, IKE_DH_KIND_X25519, "X25519", NID_undef, 32},
};

static const struct ike_dh_desc *ike_dh_desc_lookup(enum ike_crypto_dh group)
{
	for (size_t i = 0; i < sizeof(ike_dh_descs) / sizeof(ike_dh_descs[0]); i++)
		if (ike_dh_descs[i].dd_group == group)
			return &ike_dh_descs[i];
	return NULL;
}

/* RFC 5903 7: the KE data is x | y, each the size of the field, without the
 * point-format octet; the other groups send one field-sized value. */
size_t ike_dh_ke_len(enum ike_crypto_dh group)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(group);

	if (d == NULL)
		return 0;
	return d->dd_kind == IKE_DH_KIND_ECP ? 2 * d->dd_field : d->dd_field;
}

/* RFC 5903 7: the shared secret is the x coordinate of the shared point. */
size_t ike_dh_secret_len(enum ike_crypto_dh group)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(group);

	return d == NULL ? 0 : d->dd_field;
}

enum ike_crypto_dh ike_dh_group(const struct ike_dh *dh)
{
	return dh->dh_group;
}

static struct ike_dh *ike_dh_wrap(enum ike_crypto_dh group, EVP_PKEY *pkey)
{
	struct ike_dh *dh;

	if (pkey == NULL)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (dh == NULL) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	dh->dh_group = group;
	dh->dh_pkey = pkey;
	return dh;
}

struct ike_dh *ike_dh_create(enum ike_crypto_dh group)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(group);
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[2];

	if (d == NULL)
		return NULL;
	if (d->dd_kind == IKE_DH_KIND_X25519)
		return ike_dh_wrap(group, EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
	ctx = EVP_PKEY_CTX_new_from_name(NULL, d->dd_kind == IKE_DH_KIND_ECP ? "EC" : "DH", NULL);
	if (ctx == NULL)
		return NULL;
	params[0] =
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)d->dd_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return ike_dh_wrap(group, pkey);
}

/* An EVP_PKEY of the group from OSSL_PARAMs (a key pair or a public key). */
static EVP_PKEY *ike_dh_fromdata(const struct ike_dh_desc *d, OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params = NULL;

	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, d->dd_name, 0) != 1)
		return NULL;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, d->dd_kind == IKE_DH_KIND_ECP ? "EC" : "DH", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* the builder marked the private BN secure */
	return pkey;
}

/* OpenSSL 3.0 does not derive the public half when importing a private key,
 * so it is computed here: d*G for ECP. Needs 0 < d < order. */
static int ike_dh_ecp_public(const struct ike_dh_desc *d, const BIGNUM *priv, uint8_t *pub,
			     BN_CTX *bn)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(d->dd_nid);
	EC_POINT *pt = grp == NULL ? NULL : EC_POINT_new(grp);
	int rc = -EINVAL;

	if (pt == NULL)
		goto out;
	if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	if (EC_POINT_mul(grp, pt, priv, NULL, NULL, bn) == 1 &&
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, 1 + 2 * d->dd_field,
			       bn) == 1 + 2 * d->dd_field)
		rc = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return rc;
}

/* g^x mod p (RFC 3526 3, g = 2) for MODP; needs 1 < x < p - 1. */
static int ike_dh_modp_public(const BIGNUM *priv, uint8_t *pub, size_t len, BN_CTX *bn)
{
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *g = BN_new(), *y = BN_new();
	int rc = -EINVAL;

	if (p == NULL || g == NULL || y == NULL || BN_set_word(g, 2) != 1)
		goto out;
	if (BN_cmp(priv, BN_value_one()) <= 0 || BN_cmp(priv, p) >= 0)
		goto out;
	if (BN_mod_exp_mont_consttime(y, g, priv, p, bn, NULL) == 1 &&
	    BN_bn2binpad(y, pub, (int)len) == (int)len)
		rc = 0;
out:
	BN_free(y);
	BN_free(g);
	BN_free(p);
	return rc;
}

static EVP_PKEY *ike_dh_import_private(const struct ike_dh_desc *d, const uint8_t *priv,
				       size_t priv_len)
{
	uint8_t pub[1 + 2 * IKE_DH_KE_MAX];
	size_t pub_len = d->dd_kind == IKE_DH_KIND_ECP ? 1 + 2 * d->dd_field : d->dd_field;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *x = BN_secure_new(), *y = NULL;
	EVP_PKEY *pkey = NULL;
	int rc;

	if (bld == NULL || bn == NULL || x == NULL || BN_bin2bn(priv, (int)priv_len, x) == NULL)
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (d->dd_kind == IKE_DH_KIND_ECP)
		rc = ike_dh_ecp_public(d, x, pub, bn);
	else
		rc = ike_dh_modp_public(x, pub, pub_len, bn);
	if (rc < 0 || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) != 1)
		goto out;
	if (d->dd_kind == IKE_DH_KIND_ECP) {
		if (OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) !=
		    1)
			goto out;
	} else {
		y = BN_bin2bn(pub, (int)pub_len, NULL);
		if (y == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1)
			goto out;
	}
	pkey = ike_dh_fromdata(d, bld, EVP_PKEY_KEYPAIR);
out:
	/* the builder only points at the BIGNUMs: free them after fromdata */
	BN_free(y);
	BN_clear_free(x);
	BN_CTX_free(bn);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

struct ike_dh *ike_dh_create_from_private(enum ike_crypto_dh group, const uint8_t *priv,
					  size_t priv_len)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(group);

	if (d == NULL || priv_len == 0 || priv_len > d->dd_field)
		return NULL;
	if (d->dd_kind == IKE_DH_KIND_X25519) {
		if (priv_len != d->dd_field)
			return NULL;
		return ike_dh_wrap(group, EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
									  priv, priv_len));
	}
	if (d->dd_kind == IKE_DH_KIND_ECP && priv_len != d->dd_field)
		return NULL;
	return ike_dh_wrap(group, ike_dh_import_private(d, priv, priv_len));
}

void ike_dh_destroy(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->dh_pkey); /* libcrypto clears private keys on free */
	OPENSSL_cleanse(dh, sizeof(*dh));
	free(dh);
}

/* A BIGNUM parameter of pkey as a big-endian number of exactly len octets. */
static int ike_dh_bn_param(const EVP_PKEY *pkey, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *v = NULL;
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(pkey, name, &v) == 1 &&
	    BN_bn2binpad(v, out, (int)len) == (int)len)
		rc = 0;
	BN_free(v);
	return rc;
}

int ike_dh_ke_encode(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *out_len)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(dh->dh_group);
	size_t len = ike_dh_ke_len(dh->dh_group);
	int rc;

	if (cap < len)
		return -ENOBUFS;
	switch (d->dd_kind) {
	case IKE_DH_KIND_X25519: { /* RFC 8031: the 32-octet u-coordinate */
		size_t got = len;

		rc = EVP_PKEY_get_raw_public_key(dh->dh_pkey, out, &got) == 1 && got == len ? 0
											    : -EIO;
		break;
	}
	case IKE_DH_KIND_ECP:
		rc = ike_dh_bn_param(dh->dh_pkey, OSSL_PKEY_PARAM_EC_PUB_X, out, d->dd_field);
		if (rc == 0)
			rc = ike_dh_bn_param(dh->dh_pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
					     out + d->dd_field, d->dd_field);
		break;
	case IKE_DH_KIND_MODP: /* 3.4: zero-padded to the length of p */
		rc = ike_dh_bn_param(dh->dh_pkey, OSSL_PKEY_PARAM_PUB_KEY, out, len);
		break;
	default:
		rc = -EINVAL;
	}
	*out_len = rc == 0 ? len : 0;
	return rc;
}

/* RFC 6989: the peer's MODP value must satisfy 1 < y < p - 1, since 1
 * and p - 1 confine the secret to {1, p - 1}; y^q = 1 is left to the
 * EVP public-key check afterwards. */
static EVP_PKEY *ike_dh_peer_modp(const struct ike_dh_desc *d, const uint8_t *ke)
{
	BIGNUM *y = BN_bin2bn(ke, (int)d->dd_field, NULL), *p = BN_get_rfc3526_prime_2048(NULL);
	BIGNUM *pm1 = p == NULL ? NULL : BN_dup(p);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *peer = NULL;

	if (y == NULL || pm1 == NULL || bld == NULL || BN_sub_word(pm1, 1) != 1)
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) == 1)
		peer = ike_dh_fromdata(d, bld, EVP_PKEY_PUBLIC_KEY);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(pm1);
	BN_free(p);
	BN_free(y);
	return peer;
}

/* RFC 5903 7: x | y becomes the uncompressed point 0x04 | x | y; importing
 * it fails for a point not on the curve. */
static EVP_PKEY *ike_dh_peer_ecp(const struct ike_dh_desc *d, const uint8_t *ke)
{
	uint8_t pt[1 + 2 * IKE_DH_KE_MAX];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *peer = NULL;

	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pt + 1, ke, 2 * d->dd_field);
	if (bld != NULL && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
							    1 + 2 * d->dd_field) == 1)
		peer = ike_dh_fromdata(d, bld, EVP_PKEY_PUBLIC_KEY);
	OSSL_PARAM_BLD_free(bld);
	return peer;
}

/* The peer's public key, validated in full; NULL if it is not acceptable. */
static EVP_PKEY *ike_dh_peer_import(const struct ike_dh_desc *d, const uint8_t *ke)
{
	EVP_PKEY *peer;
	EVP_PKEY_CTX *chk;

	if (d->dd_kind == IKE_DH_KIND_X25519)
		/* RFC 7748 5: every 32-octet string is a u-coordinate; the weak
		 * ones show up as an all-zero result, checked after deriving */
		return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, ke, d->dd_field);
	peer = d->dd_kind == IKE_DH_KIND_ECP ? ike_dh_peer_ecp(d, ke) : ike_dh_peer_modp(d, ke);
	if (peer == NULL)
		return NULL;
	/* full check (RFC 6989): the point is on the curve and not at
	 * infinity; for MODP, y^q = 1 mod p */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(peer);
		peer = NULL;
	}
	EVP_PKEY_CTX_free(chk);
	return peer;
}

static bool ike_dh_is_zero(const uint8_t *v, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= v[i]; /* no early exit: the value is secret */
	return acc == 0;
}

int ike_dh_secret_derive(const struct ike_dh *dh, const uint8_t *peer_ke, size_t peer_len,
			 uint8_t *out, size_t cap, size_t *out_len)
{
	const struct ike_dh_desc *d = ike_dh_desc_lookup(dh->dh_group);
	size_t len = d->dd_field;
	unsigned int pad = 1; /* 3.4: g^ir keeps its leading zeros */
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;
	int rc = -EBADMSG;

	*out_len = 0;
	if (cap < len)
		return -ENOBUFS;
	if (peer_len != ike_dh_ke_len(dh->dh_group))
		return -EBADMSG; /* 3.4: the KE data length is fixed by the group */
	peer = ike_dh_peer_import(d, peer_ke);
	if (peer == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->dh_pkey, NULL);
	if (ctx == NULL ||
	    EVP_PKEY_derive_init_ex(ctx, d->dd_kind == IKE_DH_KIND_MODP ? params : NULL) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1) {
		rc = -EIO;
		goto out;
	}
	/* X25519 fails here for the low-order points (all-zero result) */
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != d->dd_field)
		goto out_wipe;
	if (d->dd_kind == IKE_DH_KIND_X25519 && ike_dh_is_zero(out, len))
		goto out_wipe; /* RFC 8031: MUST check, whatever the library does */
	*out_len = len;
	rc = 0;
	goto out;
out_wipe:
	OPENSSL_cleanse(out, cap < d->dd_field ? cap : d->dd_field);
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}
