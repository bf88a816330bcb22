/* NHRP wire format: RFC 2332 plus the Cisco DMVPN additions (Traffic
 * Indication, NAT flag and NAT address extension, cleartext authentication
 * layout) that FRR nhrpd also speaks. Packed structs and constants only. */
#ifndef DMVPND_PROTO_NHRP_H
#define DMVPND_PROTO_NHRP_H

#include <stdint.h>

/* RFC 2332 5.1 fixed header. */
struct nhrp_fixed_hdr {
	uint16_t nh_afn;        /* ar$afn: NBMA address family */
	uint16_t nh_pro_type;   /* ar$pro.type: protocol (EtherType) */
	uint8_t nh_pro_snap[5]; /* ar$pro.snap: zero unless pro.type 0x0080 */
	uint8_t nh_hopcnt;      /* ar$hopcnt */
	uint16_t nh_pktsz;      /* ar$pktsz: whole NHRP packet */
	uint16_t nh_chksum;     /* ar$chksum: RFC 1071 over ar$pktsz bytes */
	uint16_t nh_extoff;     /* ar$extoff: 0 = no extensions */
	uint8_t nh_op_version;  /* ar$op.version */
	uint8_t nh_op_type;     /* ar$op.type */
	uint8_t nh_shtl;        /* ar$shtl: source NBMA address type/len */
	uint8_t nh_sstl;        /* ar$sstl: source NBMA subaddress type/len */
} __attribute__((packed));

/* RFC 2332 5.2.0.1 common header of the mandatory part. Error Indication
 * (5.2.7) and Traffic Indication (draft-detienne-dmvpn-01 figure 4) put
 * "unused" where the flags are and a code plus a second word where the
 * request ID is. The addresses, then CIEs or the quoted packet, follow. */
struct nhrp_mand_hdr {
	uint8_t mh_src_proto_len;
	uint8_t mh_dst_proto_len;
	uint16_t mh_flags;
	union {
		uint32_t mh_request_id;
		struct {
			uint16_t mh_err_code;
			uint16_t mh_err_offset;
		};
		struct {
			uint16_t mh_traffic_code;
			uint16_t mh_traffic_unused;
		};
	};
} __attribute__((packed));

/* RFC 2332 5.2.0.1 Client Information Entry; addresses follow. */
struct nhrp_cie_hdr {
	uint8_t ch_code;
	uint8_t ch_prefix_len;
	uint16_t ch_unused;
	uint16_t ch_mtu;
	uint16_t ch_holding_time;
	uint8_t ch_cli_addr_tl;  /* client NBMA address type/len */
	uint8_t ch_cli_saddr_tl; /* client NBMA subaddress type/len */
	uint8_t ch_cli_proto_len;
	uint8_t ch_pref;
} __attribute__((packed));

/* RFC 2332 5.3 extension header; eh_len counts the value only. */
struct nhrp_ext_hdr {
	uint16_t eh_type; /* C bit | u bit | 14-bit type */
	uint16_t eh_len;
} __attribute__((packed));

_Static_assert(sizeof(struct nhrp_fixed_hdr) == 20, "RFC 2332 5.1");
_Static_assert(sizeof(struct nhrp_mand_hdr) == 8, "RFC 2332 5.2.0.1");
_Static_assert(sizeof(struct nhrp_cie_hdr) == 12, "RFC 2332 5.2.0.1");
_Static_assert(sizeof(struct nhrp_ext_hdr) == 4, "RFC 2332 5.3");

#define NHRP_FIXED_LEN 20
#define NHRP_MAND_LEN 8
#define NHRP_CIE_LEN 12
#define NHRP_EXT_HDR_LEN 4
#define NHRP_PKT_MAX 65535 /* ar$pktsz is 16 bits */

/* ar$afn (IANA address family numbers) and ar$pro.type for IPv4. */
#define NHRP_AFN_IPV4 1
#define NHRP_PRO_TYPE_IPV4 0x0800
#define NHRP_ADDR_LEN_IPV4 4

/* ar$op.version (5.1). */
#define NHRP_VERSION_RFC2332 1

/* ar$op.type (5.1); 8 is Cisco's, from draft-detienne-dmvpn-01. */
#define NHRP_TYPE_RESOLUTION_REQUEST 1
#define NHRP_TYPE_RESOLUTION_REPLY 2
#define NHRP_TYPE_REGISTRATION_REQUEST 3
#define NHRP_TYPE_REGISTRATION_REPLY 4
#define NHRP_TYPE_PURGE_REQUEST 5
#define NHRP_TYPE_PURGE_REPLY 6
#define NHRP_TYPE_ERROR_INDICATION 7
#define NHRP_TYPE_TRAFFIC_INDICATION 8

/* Type/length octets (ar$shtl, ar$sstl, Cli Addr T/L, Cli SAddr T/L). */
#define NHRP_TL_RESERVED 0x80
#define NHRP_TL_E164 0x40 /* clear = NSAP format */
#define NHRP_TL_LEN_MASK 0x3f

/* Flags, Resolution Request/Reply (5.2.1, 5.2.2). */
#define NHRP_FLAG_RES_Q 0x8000 /* requester is a router */
#define NHRP_FLAG_RES_A 0x4000 /* authoritative */
#define NHRP_FLAG_RES_D 0x2000 /* stable association (reply) */
#define NHRP_FLAG_RES_U 0x1000 /* uniqueness */
#define NHRP_FLAG_RES_S 0x0800 /* stable binding */
/* Flags, Registration Request/Reply (5.2.3). */
#define NHRP_FLAG_REG_U 0x8000 /* uniqueness */
/* Flags, Purge Request/Reply (5.2.5). */
#define NHRP_FLAG_PURGE_N 0x8000 /* no reply expected */
/* Cisco: sender understands the NAT address extension (all types). */
#define NHRP_FLAG_CISCO_NAT 0x0002

/* CIE codes (5.2.2, 5.2.4). FRR nhrpd has 11 for "no binding exists";
 * the RFC value is 12. */
#define NHRP_CIE_SUCCESS 0
#define NHRP_CIE_ADMIN_PROHIBITED 4
#define NHRP_CIE_INSUFFICIENT_RESOURCES 5
#define NHRP_CIE_NO_BINDING_EXISTS 12
#define NHRP_CIE_BINDING_NOT_UNIQUE 13
#define NHRP_CIE_UNIQUE_ADDRESS_REGISTERED 14

/* Error Indication codes (5.2.7). FRR nhrpd has 2 for "loop detected";
 * the RFC value is 3. */
#define NHRP_ERR_UNRECOGNIZED_EXTENSION 1
#define NHRP_ERR_LOOP_DETECTED 3
#define NHRP_ERR_PROTO_ADDRESS_UNREACHABLE 6
#define NHRP_ERR_PROTOCOL_ERROR 7
#define NHRP_ERR_SDU_SIZE_EXCEEDED 8
#define NHRP_ERR_INVALID_EXTENSION 9
#define NHRP_ERR_INVALID_REPLY 10
#define NHRP_ERR_AUTHENTICATION_FAILURE 11
#define NHRP_ERR_HOP_COUNT_EXCEEDED 15

/* Traffic Indication codes (draft-detienne-dmvpn-01 figure 4). */
#define NHRP_TRAFFIC_REDIRECT 0

/* Extension type word (5.3). */
#define NHRP_EXT_COMPULSORY 0x8000
#define NHRP_EXT_UNUSED_BIT 0x4000
#define NHRP_EXT_TYPE_MASK 0x3fff

/* Extension types (5.3.0-5.3.5); 9 is Cisco's NAT address extension (the
 * same number RFC 2735 gave Device Capabilities, which is 8 bytes long). */
#define NHRP_EXT_END 0
#define NHRP_EXT_RESPONDER_ADDRESS 3
#define NHRP_EXT_FORWARD_TRANSIT 4
#define NHRP_EXT_REVERSE_TRANSIT 5
#define NHRP_EXT_AUTHENTICATION 7
#define NHRP_EXT_VENDOR_PRIVATE 8
#define NHRP_EXT_CISCO_NAT_ADDRESS 9
#define NHRP_EXT_RFC2735_DEVCAP_LEN 8

/* Authentication extension, Cisco layout: a 32-bit type (1 = cleartext)
 * and the password, unpadded, at most 8 octets. RFC 2332 5.3.4 instead
 * defines reserved(2) + SPI(2) + source address + data, which is why
 * Wireshark shows password bytes 0..3 as a "Source Address". */
#define NHRP_AUTH_TYPE_LEN 4
#define NHRP_AUTH_CISCO_CLEARTEXT 1
#define NHRP_AUTH_PASSWORD_MAX 8

#endif
