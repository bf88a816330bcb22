/* The cryptography of IKEv2 (RFC 7296) as a thin layer over OpenSSL 3's EVP
 * API: PRF and key derivation, Diffie-Hellman, SK payload protection, AUTH
 * values, and the IKE_SA_INIT values (SPIs, nonces, NAT-D hashes).
 * Pure functions of their arguments: no globals, no logging, no sockets. */
#ifndef DMVPND_IKE_CRYPTO_H
#define DMVPND_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Transform IDs from the IANA "IKEv2 Parameters" registry (RFC 7296 3.3.2;
 * GCM RFC 5282, SHA-2 RFC 4868, groups 19/20 RFC 5903, 31 RFC 8031). Our own
 * names so this layer builds without the wire-format header; the values are
 * the registry's, so a decoded transform ID converts by a cast. */
enum ike_crypto_prf {
	IKE_CRYPTO_PRF_HMAC_SHA2_256 = 5,
	IKE_CRYPTO_PRF_HMAC_SHA2_384 = 6,
	IKE_CRYPTO_PRF_HMAC_SHA2_512 = 7,
};

enum ike_crypto_encr {
	IKE_CRYPTO_ENCR_AES_CBC = 12,
	IKE_CRYPTO_ENCR_AES_GCM_16 = 20,
};

enum ike_crypto_integ {
	IKE_CRYPTO_INTEG_NONE = 0, /* the only choice with an AEAD cipher */
	IKE_CRYPTO_INTEG_HMAC_SHA2_256_128 = 12,
};

enum ike_crypto_dh {
	IKE_CRYPTO_DH_MODP_2048 = 14,
	IKE_CRYPTO_DH_ECP_256 = 19,
	IKE_CRYPTO_DH_ECP_384 = 20,
	IKE_CRYPTO_DH_CURVE25519 = 31,
};

/* Which half of a key pair: SK_ei/SK_ai/SK_pi protect what the original
 * initiator sends, SK_er/SK_ar/SK_pr what the responder sends (2.14). The
 * roles are those of the IKE_SA_INIT that made the SA, not of the exchange. */
enum ike_crypto_dir {
	IKE_CRYPTO_I2R,
	IKE_CRYPTO_R2I,
};

/* The negotiated transforms of one IKE SA. cs_encr_bits is the Key Length
 * attribute (128 or 256). */
struct ike_crypto_suite {
	enum ike_crypto_prf cs_prf;
	enum ike_crypto_encr cs_encr;
	uint16_t cs_encr_bits;
	enum ike_crypto_integ cs_integ;
};

#define IKE_PRF_MAX_LEN 64    /* HMAC-SHA2-512 */
#define IKE_ENCR_KEY_MAX 36   /* AES-256 key + 4-octet GCM salt */
#define IKE_INTEG_KEY_MAX 32  /* HMAC-SHA2-256-128 */
#define IKE_KDF_NONCE_MAX 256 /* RFC 7296 3.9 */
#define IKE_SPI_LEN 8
#define IKE_DH_KE_MAX 256        /* MODP-2048 */
#define IKE_NATD_HASH_LEN 20     /* SHA-1 */
#define IKE_CHILD_KEYMAT_MAX 256 /* per direction; ESP needs at most 100 */

/* The keys of one IKE SA (2.14) and the suite they were made for. Wipe
 * with ike_kdf_keys_fini; a copy is just as secret. */
struct ike_kdf_keys {
	struct ike_crypto_suite sk_suite;
	uint8_t sk_prf_len;   /* SK_d, SK_pi, SK_pr */
	uint8_t sk_integ_len; /* SK_ai, SK_ar; 0 with AES-GCM */
	uint8_t sk_encr_len;  /* SK_ei, SK_er; with AES-GCM the salt included */
	uint8_t sk_d[IKE_PRF_MAX_LEN];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX];
	uint8_t sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX];
	uint8_t sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX_LEN];
	uint8_t sk_pr[IKE_PRF_MAX_LEN];
};

/* ---- ike_kdf.c: PRF, prf+ and the key schedule (RFC 7296 2.13-2.18) ---- */

/* Output (and preferred key) length of a PRF in octets; 0 if unsupported. */
size_t ike_prf_len(enum ike_crypto_prf prf);

/* out[ike_prf_len(prf)] = prf(key, data) (2.13). 0, -EINVAL for an unknown
 * PRF, -EIO if libcrypto fails. */
int ike_prf(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len, const uint8_t *data,
	    size_t data_len, uint8_t *out);

/* out[out_len] = the first out_len octets of prf+(key, seed) (2.13). At most
 * 255 PRF blocks: longer is -EINVAL. */
int ike_prf_plus(enum ike_crypto_prf prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len);

/* 0 if the suite is one this layer implements: AES-GCM-16 (128/256) with no
 * integrity transform, or AES-CBC (128/256) with HMAC-SHA2-256-128; any of
 * the three PRFs. -ENOTSUP otherwise. */
int ike_crypto_suite_validate(const struct ike_crypto_suite *s);

/* SKEYSEED = prf(Ni | Nr, g^ir) (2.14) into out[ike_prf_len(prf)]. Nonces
 * of 1..IKE_KDF_NONCE_MAX octets (the parser enforces the 16-octet minimum). */
int ike_kdf_skeyseed(enum ike_crypto_prf prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out);

/* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (2.14), cut to the suite's lengths. */
int ike_kdf_keys_derive(const struct ike_crypto_suite *s, const uint8_t *skeyseed,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
			struct ike_kdf_keys *out);

/* Wipes every key and length. */
void ike_kdf_keys_fini(struct ike_kdf_keys *k);

/* CHILD_SA KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (2.17): the first
 * dir_len octets into i2r (initiator-to-responder SA: encryption key, then
 * integrity key), the next dir_len into r2i; dir_len at most
 * IKE_CHILD_KEYMAT_MAX. gir NULL (gir_len 0) without PFS. */
int ike_kdf_child_keymat(const struct ike_kdf_keys *k, const uint8_t *gir, size_t gir_len,
			 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			 uint8_t *i2r, uint8_t *r2i, size_t dir_len);

/* SKEYSEED for the IKE SA that replaces old = prf(SK_d (old), g^ir (new) |
 * Ni | Nr) with the old SA's PRF (2.18) into out[ike_prf_len(old PRF)]; the
 * new SA's keys then come from ike_kdf_keys_derive with its own suite. */
int ike_kdf_rekey_skeyseed(const struct ike_kdf_keys *old, const uint8_t *gir, size_t gir_len,
			   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			   uint8_t *out);

/* ---- ike_dh.c: Diffie-Hellman groups 14, 19, 20, 31 ---- */

struct ike_dh; /* one private key; opaque so it never leaves libcrypto */

/* KE payload data length for a group (3.4), also the shared secret's length
 * except for ECP, whose secret is the x coordinate alone (half). 0 if the
 * group is unsupported. */
size_t ike_dh_ke_len(enum ike_crypto_dh group);
size_t ike_dh_secret_len(enum ike_crypto_dh group);

/* A fresh key pair, or NULL (unsupported group, libcrypto failure). */
struct ike_dh *ike_dh_create(enum ike_crypto_dh group);

/* A key pair from a known private key, for known-answer tests: X25519 the
 * 32-octet scalar (RFC 7748), ECP the big-endian scalar of the field size,
 * MODP a big-endian exponent of at most 256 octets. NULL on error. */
struct ike_dh *ike_dh_create_from_private(enum ike_crypto_dh group, const uint8_t *priv,
					  size_t priv_len);

/* Frees and wipes the private key; NULL is a no-op. */
void ike_dh_destroy(struct ike_dh *dh);

enum ike_crypto_dh ike_dh_group(const struct ike_dh *dh);

/* Our KE payload data (RFC 8031, RFC 5903 7, RFC 7296 3.4) into out;
 * *out_len = ike_dh_ke_len. -ENOBUFS if cap is smaller. */
int ike_dh_ke_encode(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *out_len);

/* g^ir from the peer's KE payload data into out[ike_dh_secret_len]. The
 * peer value is validated in full first: exact length, ECP point on the
 * curve, MODP 1 < y < p-1 and in the prime-order subgroup, X25519 result not
 * all zero. -EBADMSG for a bad peer value, -ENOBUFS, -EINVAL, -EIO. */
int ike_dh_secret_derive(const struct ike_dh *dh, const uint8_t *peer_ke, size_t peer_len,
			 uint8_t *out, size_t cap, size_t *out_len);

/* ---- ike_sk.c: the Encrypted payload (RFC 7296 3.14, RFC 5282) ---- */

/* Why ike_sk_decrypt refused a message, for per-reason counters. */
#define IKE_SK_DROP_LIST(X)                                                  \
	X(NONE, "ok")                                                        \
	X(TOO_SHORT, "sk_too_short")     /* no room for IV, pad byte, ICV */ \
	X(BAD_ALIGN, "sk_bad_alignment") /* CBC body not whole blocks */     \
	X(BAD_ICV, "sk_bad_icv")                                             \
	X(BAD_PAD, "sk_bad_pad_length") /* Pad Length beyond the plaintext */

enum ike_sk_drop {
#define IKE_SK_DROP_ENUM(name, str) IKE_SK_DROP_##name,
	IKE_SK_DROP_LIST(IKE_SK_DROP_ENUM)
#undef IKE_SK_DROP_ENUM
		IKE_SK_DROP_MAX
};

const char *ike_sk_drop_str(enum ike_sk_drop d);

/* Octets the SK payload adds to pt_len octets of inner payloads: IV,
 * padding, Pad Length, ICV. The SK payload length is then 4 + pt_len +
 * overhead and the message ends after it (3.14: SK comes last). 0 if the
 * suite is unsupported. */
size_t ike_sk_overhead(const struct ike_crypto_suite *s, size_t pt_len);

/* Protects pt (inner payloads, not overlapping msg) in the direction dir.
 * msg[0, aad_len) holds the IKE header through the SK (or SKF) header with
 * every length field already final, since they are authenticated; the IKE
 * header's Length must equal aad_len + pt_len + overhead, or -EINVAL. Writes
 * IV | ciphertext | ICV at msg + aad_len and sets *msg_len to the whole
 * message length. -ENOBUFS if cap is smaller, -EIO on libcrypto failure. */
int ike_sk_encrypt(const struct ike_kdf_keys *k, enum ike_crypto_dir dir, uint8_t *msg,
		   size_t aad_len, size_t cap, const uint8_t *pt, size_t pt_len, size_t *msg_len);

/* Authenticates and decrypts a received message whose IV starts at
 * msg + aad_len into pt (a cap of msg_len - aad_len always suffices), then
 * strips the padding; the inner payloads are pt[0, *pt_len). CBC checks the
 * HMAC (constant-time compare) before decrypting; GCM checks its tag as part
 * of decrypting and wipes pt if it fails, so no unauthenticated octet is
 * ever handed out. Refusals return -EBADMSG with the reason in *why (may be
 * NULL) and leave nothing in pt. -EINVAL, -ENOBUFS, -EIO for caller or
 * libcrypto errors. */
int ike_sk_decrypt(const struct ike_kdf_keys *k, enum ike_crypto_dir dir, const uint8_t *msg,
		   size_t msg_len, size_t aad_len, uint8_t *pt, size_t cap, size_t *pt_len,
		   enum ike_sk_drop *why);

/* ---- ike_auth.c: AUTH payload values (RFC 7296 2.15, RFC 7427) ---- */

/* Length of the signed octets for a message of msg_len and a nonce of
 * nonce_len: msg_len + nonce_len + ike_prf_len(prf). */
size_t ike_auth_octets_len(enum ike_crypto_prf prf, size_t msg_len, size_t nonce_len);

/* InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, IDi body),
 * and the responder's likewise with RealMessage2, NonceIData and SK_pr
 * (2.15). id_body is the ID payload after its generic header: ID Type, 3
 * reserved octets, data. -ENOBUFS if cap < ike_auth_octets_len. */
int ike_auth_octets_encode(enum ike_crypto_prf prf, const uint8_t *msg, size_t msg_len,
			   const uint8_t *peer_nonce, size_t nonce_len, const uint8_t *sk_p,
			   const uint8_t *id_body, size_t id_len, uint8_t *out, size_t cap,
			   size_t *out_len);

/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), signed octets) into
 * out[ike_prf_len(prf)] (2.15, shared key method 2). */
int ike_auth_psk_compute(enum ike_crypto_prf prf, const uint8_t *psk, size_t psk_len,
			 const uint8_t *octets, size_t octets_len, uint8_t *out);

/* 0 if auth (the AUTH payload's data) is the PSK value for these octets,
 * compared in constant time; -EBADMSG if not (wrong length included). */
int ike_auth_psk_verify(enum ike_crypto_prf prf, const uint8_t *psk, size_t psk_len,
			const uint8_t *octets, size_t octets_len, const uint8_t *auth,
			size_t auth_len);

/* RFC 7427 signature algorithms we sign and accept (auth method 14). */
enum ike_sig_alg {
	IKE_SIG_RSA_SHA256, /* PKCS#1 v1.5 */
	IKE_SIG_RSA_SHA384,
	IKE_SIG_RSA_SHA512,
	IKE_SIG_ECDSA_SHA256,
	IKE_SIG_ECDSA_SHA384,
	IKE_SIG_MAX
};

/* The octets that open a method-14 AUTH payload's data for alg (RFC 7427
 * 3): ASN.1 Length octet | DER AlgorithmIdentifier. Static; NULL if alg is
 * out of range. */
const uint8_t *ike_sig_algid_encode(enum ike_sig_alg alg, size_t *len);

/* Reads the ASN.1 Length octet and AlgorithmIdentifier at the start of a
 * method-14 AUTH payload's data; *consumed is where the signature starts.
 * Only the exact DER of the algorithms above is accepted. -EBADMSG if
 * truncated, -ENOTSUP for any other algorithm. */
int ike_sig_algid_decode(const uint8_t *data, size_t len, enum ike_sig_alg *alg, size_t *consumed);

/* Signs the signed octets with key (RSA of at least 2048 bits, or EC on
 * P-256/P-384, matching alg). *sig_len is set; ECDSA signatures are DER
 * ECDSA-Sig-Value (RFC 7427 3). -EINVAL for a key that does not fit alg,
 * -ENOBUFS if cap is too small (*sig_len then says how much is needed). */
int ike_sig_sign(EVP_PKEY *key, enum ike_sig_alg alg, const uint8_t *octets, size_t octets_len,
		 uint8_t *sig, size_t cap, size_t *sig_len);

/* 0 if sig is a valid alg signature of the octets by key; -EBADMSG if not,
 * -EINVAL for a key that does not fit alg. */
int ike_sig_verify(EVP_PKEY *key, enum ike_sig_alg alg, const uint8_t *octets, size_t octets_len,
		   const uint8_t *sig, size_t sig_len);

/* ---- ike_init.c: IKE_SA_INIT values (RFC 7296 2.6, 2.10, 2.23) ---- */

/* len random octets (nonces: 3.9 wants at least 16 and at least half the
 * PRF key size). 0 or -EIO. */
int ike_rand_bytes(uint8_t *buf, size_t len);

/* A random, non-zero IKE SPI (3.1: zero means "not yet known"). 0 or -EIO. */
int ike_rand_spi(uint8_t spi[IKE_SPI_LEN]);

/* NAT_DETECTION_*_IP data = SHA-1(SPIi | SPIr | IP | port) (2.23); addr is
 * 4 (IPv4) or 16 (IPv6) octets in network order, port in host order. */
int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		  const uint8_t *addr, size_t addr_len, uint16_t port,
		  uint8_t out[IKE_NATD_HASH_LEN]);

#endif
