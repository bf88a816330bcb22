/* IKEv2 messages as plain structs: decode from and encode to RFC 7296 wire
 * format, the SK payload left sealed for a crypto layer. Pure: no globals,
 * allocation, time or logging. */
#ifndef DMVPND_IKE_MSG_H
#define DMVPND_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto_ike.h"

#define IKE_MSG_MAX_PAYLOADS 48 /* each chain, outer and inner */
#define IKE_MSG_MAX_PROPOSALS 8
#define IKE_MSG_MAX_TRANSFORMS 16 /* per proposal */
#define IKE_MSG_MAX_NOTIFY 16
#define IKE_MSG_MAX_CERT 4
#define IKE_MSG_MAX_CERTREQ 4
#define IKE_MSG_MAX_TS 8 /* per TSi/TSr */
#define IKE_MSG_MAX_DELETE 8
#define IKE_MSG_MAX_VENDOR 8
#define IKE_MSG_MAX_CP_ATTR 16
#define IKE_MSG_MAX_UNKNOWN 8
#define IKE_MSG_MAX_SPI_LEN 8

/* Why a decode failed. Both decoders return the negated value. */
#define IKE_DECODE_ERRORS(X)                                                              \
	X(TRUNCATED, truncated)                   /* fewer bytes than the header says */  \
	X(BAD_LENGTH, bad_length)                 /* < 28, < bytes, chain ends early */   \
	X(BAD_VERSION, bad_version)               /* major != 2: INVALID_MAJOR_VERSION */ \
	X(BAD_PAYLOAD_LENGTH, bad_payload_length) /* < minimum, > bytes */                \
	X(UNKNOWN_CRITICAL_PAYLOAD, unknown_critical_payload)                             \
	X(DUPLICATE_PAYLOAD, duplicate_payload) /* one only: SA, KE, ... */               \
	X(TOO_MANY_PAYLOADS, too_many_payloads)                                           \
	X(TOO_MANY_PROPOSALS, too_many_proposals)                                         \
	X(TOO_MANY_TRANSFORMS, too_many_transforms)                                       \
	X(TOO_MANY_NOTIFIES, too_many_notifies)                                           \
	X(TOO_MANY_CERTS, too_many_certs)                                                 \
	X(TOO_MANY_CERTREQS, too_many_certreqs)                                           \
	X(TOO_MANY_TS, too_many_ts)                                                       \
	X(TOO_MANY_DELETES, too_many_deletes)                                             \
	X(TOO_MANY_VENDOR_IDS, too_many_vendor_ids)                                       \
	X(TOO_MANY_CP_ATTRIBUTES, too_many_cp_attributes)                                 \
	X(TOO_MANY_UNKNOWN, too_many_unknown)                                             \
	X(BAD_PROPOSAL, bad_proposal) /* numbering, SPI, count, lengths */                \
	X(BAD_TRANSFORM, bad_transform)                                                   \
	X(BAD_ATTRIBUTE, bad_attribute)                                                   \
	X(BAD_KE, bad_ke)                                                                 \
	X(BAD_ID, bad_id)                                                                 \
	X(BAD_AUTH, bad_auth)                                                             \
	X(BAD_NONCE, bad_nonce) /* outside 16..256 octets (3.9) */                        \
	X(BAD_NOTIFY, bad_notify)                                                         \
	X(BAD_DELETE, bad_delete)                                                         \
	X(BAD_TS, bad_ts)                                                                 \
	X(BAD_CP, bad_cp)                                                                 \
	X(BAD_EAP, bad_eap)                                                               \
	X(BAD_SK, bad_sk) /* SKF fragment numbers */                                      \
	X(SK_NOT_LAST, sk_not_last)                                                       \
	X(NESTED_SK, nested_sk) /* SK or SKF inside SK */

enum ike_decode_err {
	IKE_DECODE_OK = 0,
#define IKE_DECODE_ENUM(up, low) IKE_DECODE_##up,
	IKE_DECODE_ERRORS(IKE_DECODE_ENUM)
#undef IKE_DECODE_ENUM
		IKE_DECODE_COUNT
};

/* One payload of a chain, in wire order. pr_index picks the element of
 * the type's array (the third Notify is im_notify[2]); unknown types keep
 * their body verbatim in im_unknown[pr_index]. */
struct ike_pld_ref {
	uint8_t pr_type;
	uint8_t pr_flags; /* critical bit + reserved bits, as on the wire */
	uint8_t pr_index;
};

/* Variable-length data borrowed from the decoded (or caller's) buffer. */
struct ike_blob {
	const uint8_t *bl_data;
	uint16_t bl_len;
};

struct ike_transform {
	uint8_t tf_type;
	uint16_t tf_id;
	bool tf_has_key_len;
	uint16_t tf_key_len;      /* bits; Key Length attribute (3.3.5) */
	uint8_t tf_unknown_attrs; /* skipped: negotiation must refuse it */
};

struct ike_proposal {
	uint8_t pp_num;
	uint8_t pp_proto;   /* IKE_PROTO_* */
	uint8_t pp_spi_len; /* 0, 4 or 8 */
	uint8_t pp_spi[IKE_MSG_MAX_SPI_LEN];
	uint8_t pp_n_tf;
	struct ike_transform pp_tf[IKE_MSG_MAX_TRANSFORMS];
};

struct ike_id {
	uint8_t id_type; /* IKE_ID_* */
	struct ike_blob id_data;
};

struct ike_cert {
	uint8_t ct_encoding; /* IKE_CERT_*; CERTREQ: CA hashes in data */
	struct ike_blob ct_data;
};

struct ike_notify {
	uint8_t nt_proto; /* 0 when no SPI */
	uint8_t nt_spi_len;
	uint8_t nt_spi[IKE_MSG_MAX_SPI_LEN];
	uint16_t nt_type; /* IKE_N_* */
	struct ike_blob nt_data;
};

/* Delete (3.11): nd_n_spi SPIs of nd_spi_len octets each, back to back. */
struct ike_delete {
	uint8_t nd_proto;
	uint8_t nd_spi_len;
	uint16_t nd_n_spi;
	const uint8_t *nd_spis;
};

/* Traffic selector (3.13.1); addresses in network order, 4 or 16 used. */
struct ike_ts {
	uint8_t ts_type;  /* IKE_TS_IPV4/IPV6_ADDR_RANGE */
	uint8_t ts_proto; /* IP protocol, 0 any */
	uint16_t ts_sport;
	uint16_t ts_eport;
	uint8_t ts_saddr[16];
	uint8_t ts_eaddr[16];
};

struct ike_ts_list {
	uint8_t tl_n;
	struct ike_ts tl_ts[IKE_MSG_MAX_TS];
};

struct ike_cp_attr {
	uint16_t ca_type; /* R bit clear, 15-bit type */
	struct ike_blob ca_value;
};

/* A decoded or to-be-encoded message. Content arrays are shared by the
 * outer chain and the chain inside SK, each of which has its own order
 * array, so a handler can tell encrypted payloads from clear ones. */
struct ike_msg {
	/* Header (3.1), host byte order. im_length is only read by decode:
	 * the encoders compute it. */
	uint64_t im_spi_i;
	uint64_t im_spi_r;
	uint8_t im_version; /* kept verbatim: minor ignored */
	uint8_t im_exchange;
	uint8_t im_flags; /* kept verbatim: unknown bits ignored */
	uint32_t im_msg_id;
	uint32_t im_length;

	uint8_t im_n_order;
	struct ike_pld_ref im_order[IKE_MSG_MAX_PAYLOADS];
	uint8_t im_n_inner; /* decrypted SK chain */
	struct ike_pld_ref im_inner[IKE_MSG_MAX_PAYLOADS];
	uint64_t im_present; /* bit (type - 32) per type seen, both chains */

	uint8_t im_n_prop; /* SA (3.3) */
	struct ike_proposal im_prop[IKE_MSG_MAX_PROPOSALS];
	uint16_t im_ke_group; /* KE (3.4) */
	struct ike_blob im_ke_data;
	struct ike_id im_idi; /* IDi, IDr (3.5) */
	struct ike_id im_idr;
	uint8_t im_n_cert; /* CERT (3.6) */
	struct ike_cert im_cert[IKE_MSG_MAX_CERT];
	uint8_t im_n_certreq; /* CERTREQ (3.7) */
	struct ike_cert im_certreq[IKE_MSG_MAX_CERTREQ];
	uint8_t im_auth_method; /* AUTH (3.8) */
	struct ike_blob im_auth_data;
	struct ike_blob im_nonce; /* Ni or Nr (3.9) */
	uint8_t im_n_notify;      /* N (3.10) */
	struct ike_notify im_notify[IKE_MSG_MAX_NOTIFY];
	uint8_t im_n_delete; /* D (3.11) */
	struct ike_delete im_delete[IKE_MSG_MAX_DELETE];
	uint8_t im_n_vendor; /* V (3.12) */
	struct ike_blob im_vendor[IKE_MSG_MAX_VENDOR];
	struct ike_ts_list im_tsi; /* TSi, TSr (3.13) */
	struct ike_ts_list im_tsr;
	uint8_t im_cp_type; /* CP (3.15) */
	uint8_t im_n_cp_attr;
	struct ike_cp_attr im_cp_attr[IKE_MSG_MAX_CP_ATTR];
	struct ike_blob im_eap; /* EAP (3.16): the whole EAP message */
	uint8_t im_n_unknown;   /* non-critical unknown types, verbatim */
	struct ike_blob im_unknown[IKE_MSG_MAX_UNKNOWN];
	uint8_t im_unsupported_critical; /* type for UNSUPPORTED_CRITICAL_PAYLOAD */

	/* SK (3.14) or SKF (RFC 7383 2.5), always the last outer payload.
	 * im_sk_aad_len is the offset of the body from the start of the
	 * message: those bytes (IKE header, payloads before SK, SK header
	 * and SKF fragment fields) are the AEAD associated data, and with
	 * the body minus its ICV they are what an integrity ICV covers. */
	uint8_t im_sk_first; /* first inner payload type (SK next) */
	uint16_t im_skf_num; /* SKF only */
	uint16_t im_skf_total;
	struct ike_blob im_sk_body; /* IV | ciphertext | ICV */
	uint32_t im_sk_aad_len;

	/* Reserved bits that were set and unknown transform attributes:
	 * ignored on receipt (RFC 7296 2.5) and not re-encoded, so only a
	 * message with 0 here re-encodes byte for byte. */
	uint16_t im_lossy;
};

/* Where ike_msg_encode_sk_frame() put things, offsets from buf. */
struct ike_sk_frame {
	size_t sf_body_off;  /* = associated data length */
	size_t sf_total_len; /* IKE header length field */
};

/* ike_msg.c */

/* Whether this codec decodes the type into fields (33..48, 53). */
bool ike_payload_is_known(uint8_t type);
/* Whether a message may carry the type at most once (SA, KE, IDi, IDr,
 * AUTH, Nonce, TSi, TSr, SK, SKF, and CP and EAP, which have one slot). */
bool ike_payload_is_unique(uint8_t type);

/* Zeroes *m, then sets version 2.0, exchange, flags and message ID. */
void ike_msg_init(struct ike_msg *m, uint8_t exchange, uint8_t flags, uint32_t msg_id);

/* Decodes one IKE message (the UDP payload without a non-ESP marker;
 * the header length must equal len). Returns 0 or -enum ike_decode_err.
 * On 0 *out is complete and borrows from buf; an SK/SKF payload is
 * recorded, not opened. -IKE_DECODE_UNKNOWN_CRITICAL_PAYLOAD also leaves
 * *out complete with the type in im_unsupported_critical, for the
 * UNSUPPORTED_CRITICAL_PAYLOAD answer (2.5). -IKE_DECODE_BAD_VERSION
 * leaves the header fields filled, for the INVALID_MAJOR_VERSION answer.
 * Any other error leaves *out unspecified. */
int ike_msg_decode(const uint8_t *buf, size_t len, struct ike_msg *out);

/* Decodes the decrypted chain of an SK payload (plaintext without IV,
 * padding, pad length or ICV) whose first type is first_type, adding it
 * to the message the outer decode filled: content to the shared arrays,
 * order to im_inner. Same checks and returns as ike_msg_decode(); a
 * duplicate of a unique payload across both chains is an error too.
 * plain may be NULL when len is 0. */
int ike_msg_decode_inner(uint8_t first_type, const uint8_t *plain, size_t len, struct ike_msg *out);

/* How many elements the type's array holds: the count of a type that may
 * repeat (CERT, CERTREQ, N, D, V), 1 for the other known types, the
 * unknown ones kept for an unknown type. */
unsigned int ike_msg_count(const struct ike_msg *m, uint8_t type);

/* Whether a payload of this type is in either chain. */
bool ike_msg_has(const struct ike_msg *m, uint8_t type);

/* The first Notify of this type, or NULL. */
const struct ike_notify *ike_msg_notify_find(const struct ike_msg *m, uint16_t type);

/* "ok", a reason name, or "unknown"; takes rc as decode returned it. */
const char *ike_decode_err_name(int rc);
/* "SA", "KE", ... "SKF", or "unknown". */
const char *ike_payload_name(uint8_t type);
/* "IKE_SA_INIT" ... "INFORMATIONAL", or "unknown". */
const char *ike_exchange_name(uint8_t exchange);
/* RFC names of the notify types in proto_ike.h, or "unknown". */
const char *ike_notify_name(uint16_t type);

/* ike_msg_encode.c */

/* Encodes header and outer chain (im_order). An SK/SKF entry, which must
 * be last, is written from im_sk_first, the SKF numbers and im_sk_body
 * as they are (re-encoding a received message). Returns 0, -ENOSPC,
 * -EMSGSIZE (a payload over 65535 bytes) or -EINVAL (bad index or count,
 * SK not last, a unique type twice, version major != 2). */
int ike_msg_encode(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *out_len);

/* Encodes the inner chain (im_inner) alone: the plaintext a crypto layer
 * pads and encrypts into the SK body. Its first type is im_inner[0]
 * (0 when empty), which goes into im_sk_first. Same returns, the
 * header (version) not being checked. */
int ike_msg_encode_payloads(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *out_len);

/* Building an encrypted message (RFC 7296 3.14, RFC 7383 2.5):
 *   1. ike_msg_encode_payloads() into a scratch buffer -> plaintext P;
 *   2. body_len = IV + |P| + padding + pad-length octet + ICV, per cipher;
 *   3. ike_msg_encode_sk_frame(m, body_len, buf, ...) writes the IKE
 *      header (length = sf_total_len), any outer payloads before SK and
 *      the SK (or SKF) header with next = im_sk_first, and leaves
 *      body_len zero bytes at sf_body_off;
 *   4. the crypto layer writes IV and ciphertext there, using
 *      buf[0 .. sf_body_off) as AEAD associated data, or computes the
 *      HMAC over buf[0 .. sf_total_len - ICV) and writes the ICV last.
 * The last outer entry must be SK or SKF; im_sk_body is ignored. */
int ike_msg_encode_sk_frame(const struct ike_msg *m, size_t body_len, uint8_t *buf, size_t cap,
			    struct ike_sk_frame *out);

/* ike_msg_build.c: payload builders. The next element of the type's array,
 * listed in the inner (encrypted) or outer chain; NULL when full. */
struct ike_notify *ike_pld_add_notify(struct ike_msg *m, bool inner, uint16_t type);
void ike_pld_add(struct ike_msg *m, bool inner, uint8_t type);

#endif
