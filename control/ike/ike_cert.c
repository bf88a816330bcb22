/* X.509 credentials for IKE-lite (see ike_cert.h): files read once at
 * start, a peer's chain checked with OpenSSL's verifier against the CAs we
 * were given and nothing else (no system store), identities matched as
 * RFC 4945 3.1 says. */
#include "ike_cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

const char *ike_cert_err_name(enum ike_cert_err e)
{
	static const char *const names[] = {
#define IKE_CERT_ERR_NAME(e, n) n,
		IKE_CERT_ERRORS(IKE_CERT_ERR_NAME)
#undef IKE_CERT_ERR_NAME
	};

	return (unsigned)e < IKE_CERT_ERR_COUNT ? names[e] : "unknown";
}

static int fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

static X509 *cert_read(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	if (x == NULL) {
		rewind(f);
		x = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	return x;
}

/* The key file: only its owner may read it, as ssh insists. */
static EVP_PKEY *key_read(const char *path, char *err, size_t len)
{
	struct stat st;
	EVP_PKEY *k = NULL;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		fail(err, len, 0, "key %s: %s", path, strerror(errno));
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		fail(err, len, 0, "key %s may be read by others (mode %03o): refused; chmod 600 it",
		     path, (unsigned)(st.st_mode & 0777));
	} else if ((f = fdopen(fd, "r")) != NULL) {
		fd = -1;
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (k == NULL)
			fail(err, len, 0, "key %s: not a PEM private key (or encrypted)", path);
	}
	if (fd >= 0)
		close(fd);
	return k;
}

/* The algorithm our key signs with: SHA-256 for RSA and P-256, SHA-384
 * for P-384 (the hash as strong as the curve). */
static int sig_alg_of(EVP_PKEY *k, enum ike_sig_alg *alg)
{
	char grp[64];

	if (EVP_PKEY_is_a(k, "RSA")) {
		*alg = IKE_SIG_RSA_SHA256;
		return EVP_PKEY_get_bits(k) >= 2048 ? 0 : -EINVAL;
	}
	if (!EVP_PKEY_is_a(k, "EC") || EVP_PKEY_get_group_name(k, grp, sizeof(grp), NULL) != 1)
		return -EINVAL;
	if (strcmp(grp, "prime256v1") == 0 || strcmp(grp, "P-256") == 0)
		*alg = IKE_SIG_ECDSA_SHA256;
	else if (strcmp(grp, "secp384r1") == 0 || strcmp(grp, "P-384") == 0)
		*alg = IKE_SIG_ECDSA_SHA384;
	else
		return -EINVAL;
	return 0;
}

static int ca_add(struct ike_creds *c, X509 *x)
{
	X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
	unsigned char *der = NULL;
	int n;

	if (X509_STORE_add_cert(c->cr_store, x) != 1)
		return -EINVAL;
	if (c->cr_n_ca >= IKE_CERT_MAX_CA)
		return 0; /* trusted, just not named in our CERTREQs */
	/* 3.7: the CA's hash is SHA-1 of its SubjectPublicKeyInfo */
	n = i2d_X509_PUBKEY(pk, &der);
	if (n <= 0)
		return -EINVAL;
	SHA1(der, (size_t)n, c->cr_ca_hash[c->cr_n_ca++]);
	OPENSSL_free(der);
	return 0;
}

static int cas_read(struct ike_creds *c, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	int n = 0, rc = 0;

	if (f == NULL)
		return fail(err, len, -errno, "ca %s: %s", path, strerror(errno));
	while (rc == 0 && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		rc = ca_add(c, x);
		X509_free(x);
		n++;
	}
	fclose(f);
	ERR_clear_error(); /* the end of the file reads as an error */
	if (rc != 0 || n == 0)
		return fail(err, len, -EINVAL, "ca %s: no PEM certificate could be read", path);
	return 0;
}

static int crl_read(struct ike_creds *c, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	X509_CRL *crl;

	if (f == NULL)
		return fail(err, len, -errno, "crl %s: %s", path, strerror(errno));
	crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	if (crl == NULL) {
		rewind(f);
		crl = d2i_X509_CRL_fp(f, NULL);
	}
	fclose(f);
	if (crl == NULL || X509_STORE_add_crl(c->cr_store, crl) != 1) {
		X509_CRL_free(crl);
		return fail(err, len, -EINVAL, "crl %s: not a PEM or DER CRL", path);
	}
	X509_CRL_free(crl);
	/* every certificate of a chain is checked against a CRL of its
	 * issuer; a CA without one fails the check (strongSwan's strict) */
	X509_STORE_set_flags(c->cr_store, X509_V_FLAG_CRL_CHECK);
	c->cr_crl = true;
	return 0;
}

/* Our own chain must verify with our own CAs: a typo in the files shows
 * at start, not as AUTHENTICATION_FAILED at the peer. */
static int own_check(struct ike_creds *c, char *err, size_t len)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, c->cr_store, c->cr_cert, NULL) != 1) {
		X509_STORE_CTX_free(ctx);
		return fail(err, len, -ENOMEM, "out of memory");
	}
	ok = X509_verify_cert(ctx);
	if (ok != 1)
		fail(err, len, 0, "our certificate does not verify with the configured ca: %s",
		     X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	return ok == 1 ? 0 : -EINVAL;
}

int ike_creds_load(struct ike_creds *c, const char *cert, const char *key, const char *ca,
		   const char *crl, char *err, size_t errlen)
{
	unsigned char *p;
	X509_NAME *subj;
	int n, rc;

	memset(c, 0, sizeof(*c));
	c->cr_cert = cert_read(cert);
	if (c->cr_cert == NULL)
		return fail(err, errlen, -EINVAL, "cert %s: no PEM or DER certificate", cert);
	c->cr_key = key_read(key, err, errlen);
	if (c->cr_key == NULL) {
		ike_creds_free(c);
		return -EINVAL;
	}
	rc = -EINVAL;
	if (X509_check_private_key(c->cr_cert, c->cr_key) != 1) {
		fail(err, errlen, 0, "key %s is not the key of cert %s", key, cert);
		goto bad;
	}
	if (sig_alg_of(c->cr_key, &c->cr_sig) != 0) {
		fail(err, errlen, 0, "key %s: RSA of 2048 bits or more, or ECDSA on P-256 or P-384",
		     key);
		goto bad;
	}
	n = i2d_X509(c->cr_cert, NULL);
	if (n <= 0 || n > IKE_CERT_DER_MAX) {
		fail(err, errlen, 0, "cert %s: %d octets, more than the %u that go in a message",
		     cert, n, IKE_CERT_DER_MAX);
		goto bad;
	}
	c->cr_cert_der = OPENSSL_malloc((size_t)n);
	if (c->cr_cert_der == NULL)
		goto bad;
	p = c->cr_cert_der;
	c->cr_cert_len = (size_t)i2d_X509(c->cr_cert, &p);
	subj = X509_get_subject_name(c->cr_cert);
	n = i2d_X509_NAME(subj, NULL);
	if (n <= 0 || n > IKE_ID_MAX) {
		fail(err, errlen, 0, "cert %s: its subject is longer than an ID may be", cert);
		goto bad;
	}
	p = c->cr_subject.id_data;
	i2d_X509_NAME(subj, &p);
	c->cr_subject.id_type = IKE_ID_DER_ASN1_DN;
	c->cr_subject.id_len = (uint8_t)n;
	c->cr_store = X509_STORE_new();
	if (c->cr_store == NULL)
		goto bad;
	rc = cas_read(c, ca, err, errlen);
	if (rc == 0 && crl[0] != '\0')
		rc = crl_read(c, crl, err, errlen);
	if (rc == 0)
		rc = own_check(c, err, errlen);
	if (rc == 0)
		return 0;
bad:
	ike_creds_free(c);
	return rc != 0 ? rc : -EINVAL;
}

void ike_creds_free(struct ike_creds *c)
{
	EVP_PKEY_free(c->cr_key);
	X509_free(c->cr_cert);
	OPENSSL_free(c->cr_cert_der);
	X509_STORE_free(c->cr_store);
	memset(c, 0, sizeof(*c));
}

/* RFC 4945 3.1: an ID names a certificate through the subjectAltName of
 * its kind (the subject for a DN). No wildcards, no CN fallback. */
static bool names(X509 *x, const struct ike_ident *id)
{
	X509_NAME *dn;
	bool ok;

	switch (id->id_type) {
	case IKE_ID_DER_ASN1_DN:
		dn = ike_ident_dn(id);
		ok = dn != NULL && X509_NAME_cmp(dn, X509_get_subject_name(x)) == 0;
		X509_NAME_free(dn);
		return ok;
	case IKE_ID_IPV4_ADDR:
		return id->id_len == 4 && X509_check_ip(x, id->id_data, 4, 0) == 1;
	case IKE_ID_FQDN:
		return X509_check_host(x, (const char *)id->id_data, id->id_len,
				       X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
					       X509_CHECK_FLAG_NO_WILDCARDS,
				       NULL) == 1;
	case IKE_ID_RFC822_ADDR:
		return X509_check_email(x, (const char *)id->id_data, id->id_len,
					X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 1;
	default:
		return false;
	}
}

static enum ike_cert_err verify_error(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return IKE_CERT_EXPIRED;
	case X509_V_ERR_CERT_REVOKED:
		return IKE_CERT_REVOKED;
	default:
		return IKE_CERT_CHAIN;
	}
}

enum ike_cert_err ike_cert_verify(const struct ike_creds *c, const uint8_t *const *der,
				  const size_t *len, unsigned n, const struct ike_ident *id,
				  EVP_PKEY **key)
{
	STACK_OF(X509) *chain = NULL;
	X509_STORE_CTX *ctx = NULL;
	enum ike_cert_err r = IKE_CERT_PARSE;
	X509 *x = NULL;

	*key = NULL;
	if (n == 0 || c->cr_store == NULL)
		return IKE_CERT_PARSE;
	chain = sk_X509_new_null();
	for (unsigned i = 0; i < n && chain != NULL; i++) {
		const unsigned char *p = der[i];
		X509 *y = d2i_X509(NULL, &p, (long)len[i]);

		if (y == NULL || p != der[i] + len[i]) { /* trailing bytes: not DER */
			X509_free(y);
			goto out;
		}
		if (i == 0)
			x = y;
		else if (sk_X509_push(chain, y) == 0)
			X509_free(y);
	}
	ctx = X509_STORE_CTX_new();
	if (x == NULL || ctx == NULL || X509_STORE_CTX_init(ctx, c->cr_store, x, chain) != 1)
		goto out;
	if (X509_verify_cert(ctx) != 1) {
		r = verify_error(X509_STORE_CTX_get_error(ctx));
		goto out;
	}
	if (!names(x, id)) {
		r = IKE_CERT_ID;
		goto out;
	}
	*key = X509_get_pubkey(x);
	r = *key != NULL ? IKE_CERT_OK : IKE_CERT_KEY;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	X509_free(x);
	ERR_clear_error();
	return r;
}
