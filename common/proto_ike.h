/* IKEv2 wire format (RFC 7296 section 3, numbers from the IANA "IKEv2
 * Parameters" registry) and the NAT-T framing of IKE on UDP 4500 (RFC 3948).
 * Packed structs and constants only. */
#ifndef DMVPND_PROTO_IKE_H
#define DMVPND_PROTO_IKE_H

#include <stdint.h>

/* RFC 7296 3.1 IKE header; all multi-octet fields big-endian. */
struct ike_hdr {
	uint8_t ih_spi_i[8];
	uint8_t ih_spi_r[8]; /* zero in the first IKE_SA_INIT request */
	uint8_t ih_next;     /* first payload type */
	uint8_t ih_version;  /* major << 4 | minor */
	uint8_t ih_exchange;
	uint8_t ih_flags;
	uint32_t ih_msg_id;
	uint32_t ih_length; /* whole message, header included */
} __attribute__((packed));

/* RFC 7296 3.2 generic payload header; gp_len counts the header too. */
struct ike_gen_hdr {
	uint8_t gp_next;
	uint8_t gp_flags; /* critical bit | 7 reserved bits */
	uint16_t gp_len;
} __attribute__((packed));

/* RFC 7296 3.3.1 proposal substructure; SPI and transforms follow. */
struct ike_proposal_hdr {
	uint8_t ph_last; /* 0 last, 2 more */
	uint8_t ph_reserved;
	uint16_t ph_len;
	uint8_t ph_num;
	uint8_t ph_proto;
	uint8_t ph_spi_len;
	uint8_t ph_n_transforms;
} __attribute__((packed));

/* RFC 7296 3.3.2 transform substructure; attributes follow. */
struct ike_transform_hdr {
	uint8_t th_last; /* 0 last, 3 more */
	uint8_t th_reserved;
	uint16_t th_len;
	uint8_t th_type;
	uint8_t th_reserved2;
	uint16_t th_id;
} __attribute__((packed));

/* RFC 7296 3.3.5 data attribute in TV format (AF bit set). */
struct ike_attr_tv {
	uint16_t at_type; /* IKE_ATTR_AF | type */
	uint16_t at_value;
} __attribute__((packed));

/* RFC 7296 3.13.1 traffic selector, IPv4 form (TS_IPV4_ADDR_RANGE). */
struct ike_ts4 {
	uint8_t ts_type;
	uint8_t ts_proto;
	uint16_t ts_len;
	uint16_t ts_sport;
	uint16_t ts_eport;
	uint32_t ts_saddr;
	uint32_t ts_eaddr;
} __attribute__((packed));

_Static_assert(sizeof(struct ike_hdr) == 28, "RFC 7296 3.1");
_Static_assert(sizeof(struct ike_gen_hdr) == 4, "RFC 7296 3.2");
_Static_assert(sizeof(struct ike_proposal_hdr) == 8, "RFC 7296 3.3.1");
_Static_assert(sizeof(struct ike_transform_hdr) == 8, "RFC 7296 3.3.2");
_Static_assert(sizeof(struct ike_attr_tv) == 4, "RFC 7296 3.3.5");
_Static_assert(sizeof(struct ike_ts4) == 16, "RFC 7296 3.13.1");

#define IKE_HDR_LEN 28
#define IKE_GEN_HDR_LEN 4
#define IKE_PROPOSAL_LEN 8
#define IKE_TRANSFORM_LEN 8
#define IKE_ATTR_HDR_LEN 4
#define IKE_TS_HDR_LEN 8 /* type, proto, length, ports */
#define IKE_TS4_LEN 16
#define IKE_TS6_LEN 40
#define IKE_PAYLOAD_MAX 65535 /* gp_len is 16 bits */

/* Version octet (3.1): major 2, minor 0. A major other than 2 is answered
 * with INVALID_MAJOR_VERSION; the minor is ignored on receipt. */
#define IKE_VERSION 0x20
#define IKE_VERSION_MAJOR(v) ((uint8_t)(v) >> 4)
#define IKE_MAJOR_VERSION 2

/* Header flags (3.1); the other bits are sent as zero, ignored on receipt. */
#define IKE_FLAG_INITIATOR 0x08
#define IKE_FLAG_VERSION 0x10 /* sender speaks a higher major version */
#define IKE_FLAG_RESPONSE 0x20

/* Generic payload header flags octet (3.2). */
#define IKE_PAYLOAD_CRITICAL 0x80

/* Payload types (3.2; 53 from RFC 7383). 0 ends the chain. */
#define IKE_PL_NONE 0
#define IKE_PL_SA 33
#define IKE_PL_KE 34
#define IKE_PL_IDI 35
#define IKE_PL_IDR 36
#define IKE_PL_CERT 37
#define IKE_PL_CERTREQ 38
#define IKE_PL_AUTH 39
#define IKE_PL_NONCE 40
#define IKE_PL_NOTIFY 41
#define IKE_PL_DELETE 42
#define IKE_PL_VENDOR 43
#define IKE_PL_TSI 44
#define IKE_PL_TSR 45
#define IKE_PL_SK 46
#define IKE_PL_CP 47
#define IKE_PL_EAP 48
#define IKE_PL_SKF 53

/* Exchange types (3.1). */
#define IKE_EXCH_IKE_SA_INIT 34
#define IKE_EXCH_IKE_AUTH 35
#define IKE_EXCH_CREATE_CHILD_SA 36
#define IKE_EXCH_INFORMATIONAL 37

/* Notify message types (3.10.1): errors below 16384, status above. */
#define IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD 1
#define IKE_N_INVALID_IKE_SPI 4
#define IKE_N_INVALID_MAJOR_VERSION 5
#define IKE_N_INVALID_SYNTAX 7
#define IKE_N_INVALID_MESSAGE_ID 9
#define IKE_N_INVALID_SPI 11
#define IKE_N_NO_PROPOSAL_CHOSEN 14
#define IKE_N_INVALID_KE_PAYLOAD 17
#define IKE_N_AUTHENTICATION_FAILED 24
#define IKE_N_SINGLE_PAIR_REQUIRED 34
#define IKE_N_NO_ADDITIONAL_SAS 35
#define IKE_N_INTERNAL_ADDRESS_FAILURE 36
#define IKE_N_FAILED_CP_REQUIRED 37
#define IKE_N_TS_UNACCEPTABLE 38
#define IKE_N_INVALID_SELECTORS 39
#define IKE_N_TEMPORARY_FAILURE 43
#define IKE_N_CHILD_SA_NOT_FOUND 44
#define IKE_N_ERROR_MAX 16383
#define IKE_N_INITIAL_CONTACT 16384
#define IKE_N_SET_WINDOW_SIZE 16385
#define IKE_N_ADDITIONAL_TS_POSSIBLE 16386
#define IKE_N_IPCOMP_SUPPORTED 16387
#define IKE_N_NAT_DETECTION_SOURCE_IP 16388
#define IKE_N_NAT_DETECTION_DESTINATION_IP 16389
#define IKE_N_COOKIE 16390
#define IKE_N_USE_TRANSPORT_MODE 16391
#define IKE_N_HTTP_CERT_LOOKUP_SUPPORTED 16392
#define IKE_N_REKEY_SA 16393
#define IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED 16394
#define IKE_N_NON_FIRST_FRAGMENTS_ALSO 16395
#define IKE_N_MOBIKE_SUPPORTED 16396              /* RFC 4555 */
#define IKE_N_MULTIPLE_AUTH_SUPPORTED 16404       /* RFC 4739 */
#define IKE_N_REDIRECT_SUPPORTED 16406            /* RFC 5685 */
#define IKE_N_IKEV2_FRAGMENTATION_SUPPORTED 16430 /* RFC 7383 */
#define IKE_N_SIGNATURE_HASH_ALGORITHMS 16431     /* RFC 7427 */

/* Transform types (3.3.2). */
#define IKE_TF_ENCR 1
#define IKE_TF_PRF 2
#define IKE_TF_INTEG 3
#define IKE_TF_DH 4 /* "Key Exchange Method" since RFC 9370 */
#define IKE_TF_ESN 5

/* Transform IDs we may negotiate (3.3.2; GCM from RFC 5282, group 19/20
 * from RFC 5903, 31 from RFC 8031, the SHA-2 ones from RFC 4868). */
#define IKE_ENCR_AES_CBC 12    /* needs Key Length */
#define IKE_ENCR_AES_GCM_16 20 /* needs Key Length */
#define IKE_PRF_HMAC_SHA2_256 5
#define IKE_PRF_HMAC_SHA2_384 6
#define IKE_PRF_HMAC_SHA2_512 7
#define IKE_AUTH_HMAC_SHA2_256_128 12
#define IKE_AUTH_HMAC_SHA2_384_192 13
#define IKE_AUTH_HMAC_SHA2_512_256 14
#define IKE_DH_MODP_2048 14
#define IKE_DH_ECP_256 19
#define IKE_DH_ECP_384 20
#define IKE_DH_CURVE25519 31
#define IKE_ESN_NONE 0
#define IKE_ESN_ON 1

/* Data attributes (3.3.5): AF set means TV (2-byte value in place of the
 * length); Key Length (type 14) is the only one defined, and TV only. */
#define IKE_ATTR_AF 0x8000
#define IKE_ATTR_TYPE_MASK 0x7fff
#define IKE_ATTR_KEY_LENGTH 14

/* Last Substructure values (3.3.1, 3.3.2). */
#define IKE_LAST_NONE 0
#define IKE_MORE_PROPOSALS 2
#define IKE_MORE_TRANSFORMS 3

/* Protocol IDs (3.3.1) and their SPI sizes: 0 for IKE in IKE_SA_INIT, 8
 * when rekeying an IKE SA, 4 for AH/ESP. */
#define IKE_PROTO_IKE 1
#define IKE_PROTO_AH 2
#define IKE_PROTO_ESP 3
#define IKE_SPI_LEN_IKE 8
#define IKE_SPI_LEN_CHILD 4

/* Identification types (3.5). */
#define IKE_ID_IPV4_ADDR 1
#define IKE_ID_FQDN 2
#define IKE_ID_RFC822_ADDR 3
#define IKE_ID_IPV6_ADDR 5
#define IKE_ID_DER_ASN1_DN 9
#define IKE_ID_KEY_ID 11

/* Authentication methods (3.8; 14 from RFC 7427). */
#define IKE_AUTH_RSA_SIG 1
#define IKE_AUTH_SHARED_KEY_MIC 2
#define IKE_AUTH_DSS_SIG 3
#define IKE_AUTH_DIGITAL_SIGNATURE 14

/* Certificate encodings (3.6). */
#define IKE_CERT_X509_SIGNATURE 4

/* IKEv2 Hash Algorithms (RFC 7427 4), in SIGNATURE_HASH_ALGORITHMS */
#define IKE_HASH_SHA2_256 2
#define IKE_HASH_SHA2_384 3
#define IKE_HASH_SHA2_512 4

/* Traffic selector types (3.13.1). */
#define IKE_TS_IPV4_ADDR_RANGE 7
#define IKE_TS_IPV6_ADDR_RANGE 8

/* Nonce length bounds (3.9). */
#define IKE_NONCE_MIN 16
#define IKE_NONCE_MAX 256

/* IKE on UDP (RFC 7296 2.23, RFC 3948 2.2): on port 4500 an IKE message
 * is preceded by four zero octets (the non-ESP marker, where ESP would have
 * a non-zero SPI), and a single 0xff octet is a NAT keepalive. */
#define IKE_UDP_PORT 500
#define IKE_NATT_UDP_PORT 4500
#define IKE_NON_ESP_MARKER_LEN 4
#define IKE_NATT_KEEPALIVE 0xff

#endif
