/* X.509 credentials for IKE-lite: our certificate and key, the CAs we
 * trust and an optional CRL; checking a peer's certificate chain and that
 * its identity names it (RFC 7296 3.5, 3.6, 3.7; RFC 4945 for which
 * certificate fields name which ID type). Runs on: the control thread. */
#ifndef DMVPND_IKE_CERT_H
#define DMVPND_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "ike_crypto.h"
#include "ike_ident.h"

#define IKE_CERT_MAX_CA 8     /* CAs named in a CERTREQ */
#define IKE_CERT_HASH_LEN 20  /* SHA-1 of a SubjectPublicKeyInfo (3.7) */
#define IKE_CERT_DER_MAX 3072 /* our certificate on the wire */

struct ike_creds {
	EVP_PKEY *cr_key;        /* ours: signs our AUTH */
	enum ike_sig_alg cr_sig; /* the RFC 7427 algorithm that key signs with */
	X509 *cr_cert;
	uint8_t *cr_cert_der;
	size_t cr_cert_len;
	struct ike_ident cr_subject; /* our certificate's subject as an ID_DER_ASN1_DN */
	X509_STORE *cr_store;        /* trusted CAs, the CRL if one was given */
	bool cr_crl;
	uint8_t cr_n_ca;
	uint8_t cr_ca_hash[IKE_CERT_MAX_CA][IKE_CERT_HASH_LEN]; /* for our CERTREQs */
};

/* Why a peer's certificate was not accepted. */
#define IKE_CERT_ERRORS(X)                                         \
	X(OK, "ok")                                                \
	X(PARSE, "certificate_malformed")                          \
	X(CHAIN, "certificate_untrusted") /* no path to our CAs */ \
	X(EXPIRED, "certificate_expired")                          \
	X(REVOKED, "certificate_revoked")                          \
	X(ID, "id_not_in_certificate")                             \
	X(KEY, "certificate_key_unusable")

enum ike_cert_err {
#define IKE_CERT_ERR_ENUM(e, n) IKE_CERT_##e,
	IKE_CERT_ERRORS(IKE_CERT_ERR_ENUM)
#undef IKE_CERT_ERR_ENUM
		IKE_CERT_ERR_COUNT
};

const char *ike_cert_err_name(enum ike_cert_err e);

/* Loads cert (PEM or DER), key (PEM; refused unless only its owner may
 * read it), ca (PEM, one or more) and crl (PEM or DER; "" = none) into c.
 * The certificate must match the key and chain to one of the CAs. 0, or
 * -errno with a message in err (never key material). */
int ike_creds_load(struct ike_creds *c, const char *cert, const char *key, const char *ca,
		   const char *crl, char *err, size_t errlen);
void ike_creds_free(struct ike_creds *c);

/* The peer's certificate (DER, the first CERT payload) with any further
 * ones as untrusted intermediates: checks the chain to our CAs, validity
 * and the CRL, and that id names it (a DN: the subject; an IPv4 address,
 * FQDN or RFC 822 name: a subjectAltName of that kind; a key ID is
 * refused). On IKE_CERT_OK *key is the certificate's public key, which the
 * caller frees. */
enum ike_cert_err ike_cert_verify(const struct ike_creds *c, const uint8_t *const *der,
				  const size_t *len, unsigned n, const struct ike_ident *id,
				  EVP_PKEY **key);

#endif
