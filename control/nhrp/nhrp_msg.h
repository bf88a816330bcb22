/* NHRP messages as plain structs: decode from and encode to RFC 2332 wire
 * format with the Cisco DMVPN additions, IPv4 NBMA and protocol addresses
 * only. Pure: no globals, allocation, time or logging. */
#ifndef DMVPND_NHRP_MSG_H
#define DMVPND_NHRP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto_nhrp.h"

#define NHRP_MSG_MAX_CIE 8      /* mandatory part; also the NAT extension */
#define NHRP_MSG_MAX_TRANSIT 16 /* each transit NHS record extension */
#define NHRP_MSG_MAX_EXT 16     /* extensions, End not counted */

/* nhrp_msg_init() hop count for every type, as Cisco IOS sends it (all
 * fixtures): RFC 2332 5.1 asks for a TTL-like value, and 255 leaves room
 * for any NHS chain a Resolution Request may cross. FRR sends 1 in
 * Registration Requests and Traffic Indications, 0 in Error Indications
 * and 64 elsewhere; both peers accept 255. */
#define NHRP_MSG_HOP_COUNT_DEFAULT 255

/* Why a decode failed. nhrp_msg_decode() returns the negated value. */
#define NHRP_DECODE_ERRORS(X)                                                 \
	X(TRUNCATED, truncated)   /* fewer bytes than claimed */              \
	X(BAD_LENGTH, bad_length) /* pktsz or part too short */               \
	X(BAD_CHECKSUM, bad_checksum)                                         \
	X(BAD_VERSION, bad_version)               /* ar$op.version != 1 */    \
	X(BAD_AFN, bad_afn)                       /* ar$afn != IPv4 */        \
	X(BAD_PROTOCOL, bad_protocol)             /* ar$pro.type != 0x0800 */ \
	X(UNSUPPORTED_TYPE, unsupported_type)     /* ar$op.type not 1..8 */   \
	X(BAD_ADDRESS_LENGTH, bad_address_length) /* not 0 or 4, subaddr */   \
	X(BAD_EXTENSION_OFFSET, bad_extension_offset)                         \
	X(BAD_CIE, bad_cie)             /* CIE overruns its part */           \
	X(TOO_MANY_CIES, too_many_cies) /* more than we keep */               \
	X(BAD_EXTENSION, bad_extension) /* overrun, data after End */         \
	X(DUPLICATE_EXTENSION, duplicate_extension)                           \
	X(TOO_MANY_EXTENSIONS, too_many_extensions)                           \
	X(EXTENSION_MISSING_END, extension_missing_end)                       \
	X(BAD_AUTHENTICATION, bad_authentication) /* not Cisco layout */      \
	X(UNKNOWN_COMPULSORY_EXTENSION, unknown_compulsory_extension)

enum nhrp_decode_err {
	NHRP_DECODE_OK = 0,
#define NHRP_DECODE_ENUM(up, low) NHRP_DECODE_##up,
	NHRP_DECODE_ERRORS(NHRP_DECODE_ENUM)
#undef NHRP_DECODE_ENUM
		NHRP_DECODE_COUNT
};

/* An IPv4 address field whose wire length may be 0 (absent) or 4. */
struct nhrp_addr4 {
	uint32_t na_addr; /* host byte order */
	bool na_present;
};

/* Client Information Entry (RFC 2332 5.2.0.1); "unused" is not kept. */
struct nhrp_cie {
	uint8_t ce_code;
	uint8_t ce_prefix_len;
	uint16_t ce_mtu;
	uint16_t ce_holding_time;
	uint8_t ce_pref;
	struct nhrp_addr4 ce_nbma;  /* client NBMA address */
	struct nhrp_addr4 ce_proto; /* client protocol address */
};

/* One extension in wire order. Known types (3, 4, 5, 7, 9) have a NULL
 * xr_value and are encoded from the nm_* fields below; any other type
 * (and an RFC 2735 8-byte type 9) is kept verbatim: xr_value borrows from
 * the decoded buffer so a transit NHS can pass it on (RFC 2332 5.3). */
struct nhrp_ext_ref {
	uint16_t xr_type; /* as on the wire: C bit, u bit, type */
	uint16_t xr_len;  /* verbatim value length */
	const uint8_t *xr_value;
};

struct nhrp_msg {
	/* Fixed header (5.1); afn and protocol are implied (IPv4/IPv4). */
	uint8_t nm_type;
	uint8_t nm_version;
	uint8_t nm_hop_count;
	/* Mandatory part (5.2.0.1). nm_flags is "unused" in Error and
	 * Traffic Indications but kept verbatim all the same. */
	uint16_t nm_flags;
	uint32_t nm_request_id;   /* types 1..6 */
	uint16_t nm_err_code;     /* type 7 (5.2.7) */
	uint16_t nm_err_offset;   /* type 7 */
	uint16_t nm_traffic_code; /* type 8 */
	struct nhrp_addr4 nm_src_nbma;
	struct nhrp_addr4 nm_src_proto;
	struct nhrp_addr4 nm_dst_proto;
	uint8_t nm_n_cie; /* types 1..6 */
	struct nhrp_cie nm_cie[NHRP_MSG_MAX_CIE];
	/* Types 7 and 8: the packet in error / causing the indication, up to
	 * the extension offset. Borrowed from the decoded buffer. */
	const uint8_t *nm_quoted;
	uint16_t nm_quoted_len;

	/* Extensions (5.3) in wire order; End is implied last. */
	uint8_t nm_n_ext;
	struct nhrp_ext_ref nm_ext[NHRP_MSG_MAX_EXT];
	uint8_t nm_ext_unknown;       /* unknown types, kept verbatim */
	uint16_t nm_unrecognized_off; /* see nhrp_msg_decode() */
	uint8_t nm_n_responder;       /* 0 (request) or 1 (reply) */
	struct nhrp_cie nm_responder; /* 5.3.1 */
	uint8_t nm_n_fwd;             /* 5.3.2 */
	struct nhrp_cie nm_fwd[NHRP_MSG_MAX_TRANSIT];
	uint8_t nm_n_rev; /* 5.3.3 */
	struct nhrp_cie nm_rev[NHRP_MSG_MAX_TRANSIT];
	uint32_t nm_auth_type; /* NHRP_AUTH_CISCO_CLEARTEXT */
	uint8_t nm_auth_len;
	uint8_t nm_auth[NHRP_AUTH_PASSWORD_MAX]; /* not NUL-terminated */
	uint8_t nm_n_nat;                        /* Cisco NAT address extension */
	struct nhrp_cie nm_nat[NHRP_MSG_MAX_CIE];
};

/* nhrp_msg.c */

/* Zeroes *m, then sets type, version 1 and NHRP_MSG_HOP_COUNT_DEFAULT. */
void nhrp_msg_init(struct nhrp_msg *m, uint8_t type);

/* Decodes one NHRP packet (the GRE payload; bytes past ar$pktsz are
 * ignored). Returns 0 or -enum nhrp_decode_err. On 0 *out is complete and
 * borrows from buf. -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION also leaves
 * *out complete, the extension kept verbatim and nm_unrecognized_off set
 * to its offset: a responder answers with Error Indication code 1 quoting
 * that offset, a transit NHS ignores it (5.2.7). Any other error leaves
 * *out unspecified. */
int nhrp_msg_decode(const uint8_t *buf, size_t len, struct nhrp_msg *out);

/* Encodes *m into buf, computing ar$pktsz, ar$extoff (0 when nm_n_ext is
 * 0) and the checksum, and appending End after the extensions. Returns 0,
 * -ENOSPC (cap too small), -EMSGSIZE (over 65535 bytes) or -EINVAL: bad
 * type/version/counts, extension content without its nm_ext entry, a
 * known type listed twice, extensions in an Error Indication (5.2.7), or
 * hop count 0 in a Registration Request/Reply or Traffic Indication. */
int nhrp_msg_encode(const struct nhrp_msg *m, uint8_t *buf, size_t cap, size_t *out_len);

/* Whether an extension of this type (C bit ignored) is listed: decoded
 * into the fields for known types, kept verbatim for the others. */
bool nhrp_msg_has_ext(const struct nhrp_msg *m, uint16_t type);

/* The extension type word we send for `type`: with the Compulsory bit for
 * the types RFC 2332 5.3.1-5.3.4 mark compulsory (Responder Address,
 * Forward and Reverse Transit NHS Record, Authentication), as Cisco and
 * FRR send them; without it for the rest (Cisco's NAT address). */
uint16_t nhrp_ext_wire_type(uint16_t type);

/* "ok", a reason name, or "unknown"; takes rc as decode returned it. */
const char *nhrp_decode_err_name(int rc);

/* "resolution-request" ... "traffic-indication"; "?" for other types. */
const char *nhrp_type_name(unsigned type);

#endif
