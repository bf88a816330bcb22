/* mGRE on the packet path: the outer header layout shared by the workers'
 * encap and the control thread's own tunnel packets (NHRP, ICMP from the
 * tunnel address), and the stage entry points. RFC 2784 + RFC 2890 (key). */
#ifndef DMVPND_GRE_H
#define DMVPND_GRE_H

#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "proto_gre.h" /* the flag bits and protocol numbers */

/* Bytes the outer Ethernet + IPv4 + GRE headers add before an inner IPv4
 * packet whose own Ethernet header is dropped. */
static inline uint16_t gre_encap_overhead(const struct dp_tunnel *tn)
{
	return (uint16_t)(sizeof(struct rte_ipv4_hdr) + 4 + (tn->tn_has_key ? 4 : 0));
}

/* The outer IPv4 + GRE header towards one peer, prepared once for a run
 * of packets to it: everything but the total length, the protocol (GRE,
 * or ESP in front of the GRE header), the TOS and the checksum, whose sum
 * over the constant words is kept unfolded. */
struct gre_outer_tmpl {
	uint64_t ot_w0; /* version/IHL | TOS, total length | id 0, fragment 0 */
	uint64_t ot_w1; /* TTL, protocol (0 here), checksum (0 here) | source */
	/* Destination | GRE flags and protocol type, as on the wire: one word,
	 * stored at once, because the writers' loads of the two halves become
	 * one 8-byte load, which two 4-byte stores just made cannot forward to
	 * (a stall on every packet when each run is one packet). */
	uint64_t ot_w2;
	uint32_t ot_key;    /* network order, when the tunnel has a key */
	uint32_t ot_sum;    /* RFC 1071 sum of the constant 16-bit words */
	uint8_t ot_gre_len; /* GRE header bytes: 4, or 8 with the key */
};

/* Bytes of outer IPv4 + GRE the template writes (gre_encap_overhead). */
static inline uint16_t gre_outer_tmpl_len(const struct gre_outer_tmpl *t)
{
	return (uint16_t)(sizeof(struct rte_ipv4_hdr) + t->ot_gre_len);
}

/* src, dst: host order; proto: GRE protocol type (GRE_PROTO_*). The outer
 * DF bit stays clear: the tunnel MTU is enforced on the inner packet. */
static inline void gre_outer_tmpl_init(struct gre_outer_tmpl *t, const struct dp_tunnel *tn,
				       uint32_t src, uint32_t dst, uint16_t proto)
{
	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	/* id, fragment and checksum are 0; the rest is added per packet. */
	t->ot_sum = ((uint32_t)RTE_IPV4_VHL_DEF << 8) + ((uint32_t)tn->tn_ttl << 8) + (src >> 16) +
		    (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
	/* Words are assembled in memory order on this little-endian target. */
	t->ot_w0 = RTE_IPV4_VHL_DEF;
	t->ot_w1 = tn->tn_ttl | (uint64_t)rte_cpu_to_be_32(src) << 32;
	t->ot_w2 = (uint64_t)rte_cpu_to_be_32(dst) |
		   (uint64_t)((uint32_t)rte_cpu_to_be_16(tn->tn_has_key ? GRE_F_KEY : 0) |
			      (uint32_t)rte_cpu_to_be_16(proto) << 16)
			   << 32;
	t->ot_key = rte_cpu_to_be_32(tn->tn_key);
	t->ot_gre_len = (uint8_t)(gre_encap_overhead(tn) - sizeof(struct rte_ipv4_hdr));
}

/* Write the outer IPv4 header of t at ip: total bytes, protocol proto
 * (IPPROTO_GRE, or ESP/UDP when ESP sits between it and the GRE header),
 * tos the inner TOS when DSCP is copied, else 0.
 *
 * The header is finished in registers and stored as whole words: built
 * field by field in memory and then read back (by a checksum, or by a
 * vector copy of a struct on the stack) it stalled on store-to-load
 * forwarding (docs/performance.md, "Design choices the figures depend
 * on"). */
static inline void gre_outer_ipv4_write(void *ip, const struct gre_outer_tmpl *t, uint16_t total,
					uint8_t proto, uint8_t tos)
{
	uint8_t ds =
		tos &
		0xfc; /* DSCP only: ECN is not copied (RFC 6040 §4: normal mode would need more) */
	uint32_t sum = t->ot_sum + ds + total + proto, dst = (uint32_t)t->ot_w2;
	uint64_t w0, w1;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	w0 = t->ot_w0 | (uint64_t)ds << 8 | (uint64_t)rte_cpu_to_be_16(total) << 16;
	w1 = t->ot_w1 | (uint64_t)proto << 8 | (uint64_t)rte_cpu_to_be_16((uint16_t)~sum) << 16;
	memcpy(ip, &w0, sizeof(w0));
	memcpy((uint8_t *)ip + 8, &w1, sizeof(w1));
	memcpy((uint8_t *)ip + 16, &dst, sizeof(dst));
}

/* Write the GRE header of t (ot_gre_len bytes) at gre, which may be
 * 2-byte aligned only. */
static inline void gre_hdr_write(void *gre, const struct gre_outer_tmpl *t)
{
	uint32_t w = (uint32_t)(t->ot_w2 >> 32);

	memcpy(gre, &w, sizeof(w));
	if (t->ot_gre_len > sizeof(w)) /* the key follows */
		memcpy((uint8_t *)gre + 4, &t->ot_key, sizeof(t->ot_key));
}

/* Outer IPv4 + GRE at ip, in front of `inner_len` bytes of payload. */
static inline void gre_outer_write(struct rte_ipv4_hdr *ip, const struct gre_outer_tmpl *t,
				   uint16_t inner_len, uint8_t tos)
{
	gre_outer_ipv4_write(ip, t, (uint16_t)(gre_outer_tmpl_len(t) + inner_len), IPPROTO_GRE,
			     tos);
	gre_hdr_write((uint8_t *)ip + sizeof(*ip), t);
}

/* One header, for packets the control thread originates. */
static inline void gre_outer_build(struct rte_ipv4_hdr *ip, const struct dp_tunnel *tn,
				   uint32_t src, uint32_t dst, uint16_t inner_len, uint16_t proto,
				   uint8_t tos)
{
	struct gre_outer_tmpl t;

	gre_outer_tmpl_init(&t, tn, src, dst, proto);
	gre_outer_write(ip, &t, inner_len, tos);
}

#endif
