/* GRE wire format (RFC 2784 base header, RFC 2890 key and sequence number):
 * the packed header and its flag bits. Wire constants only, no logic. */
#ifndef DMVPND_PROTO_GRE_H
#define DMVPND_PROTO_GRE_H

#include <stdint.h>

/* Base header; the optional words follow in this order when their bit is
 * set: checksum + reserved1 (C), key (K), sequence number (S). */
struct gre_hdr {
	uint16_t gh_flags_ver; /* C R K S s Recur(3) Flags(5) Ver(3) */
	uint16_t gh_proto;     /* EtherType of the payload */
} __attribute__((packed));

_Static_assert(sizeof(struct gre_hdr) == 4, "GRE base header is 4 bytes");

#define GRE_HDR_LEN 4
#define GRE_OPT_LEN 4 /* each of checksum+reserved1, key, sequence */

/* gh_flags_ver bits. RFC 2784 keeps only C and Ver; R, s and Recur are the
 * RFC 1701 leftovers a receiver must find zero; K and S are RFC 2890. */
#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_SSR 0x0800 /* RFC 1701 strict source route */
#define GRE_RECUR_MASK 0x0700
#define GRE_RSVD0_MASK 0x00f8
#define GRE_VER_MASK 0x0007
#define GRE_VERSION 0

/* gh_proto values dmvpnd carries. 0x2001 is how Cisco and Linux ip_gre
 * carry NHRP inside GRE. */
#define GRE_PROTO_IPV4 0x0800
#define GRE_PROTO_NHRP 0x2001

/* IPv4 protocol number of GRE, and of NHRP sent straight over IP (NARP). */
#define IPPROTO_GRE_NUM 47
#define IPPROTO_NARP_NUM 54

#endif
