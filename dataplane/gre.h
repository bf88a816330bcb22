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

#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_SSR 0x0800
#define GRE_F_RECUR 0x0700
#define GRE_F_RESERVED 0x00f8
#define GRE_F_VERSION 0x0007

#define GRE_PROTO_IPV4 0x0800
#define GRE_PROTO_NHRP 0x2001

/* Bytes the outer Ethernet + IPv4 + GRE headers add before an inner IPv4
 * packet whose own Ethernet header is dropped. */
static inline uint16_t gre_encap_overhead(const struct dp_tunnel *tn)
{
	return (uint16_t)(sizeof(struct rte_ipv4_hdr) + 4 + (tn->tn_has_key ? 4 : 0));
}

/* Write outer IPv4 + GRE in front of `inner_len` bytes of payload at `ip`.
 * tos is the inner TOS when DSCP is copied, else 0. The outer DF bit stays
 * clear: the tunnel MTU is enforced on the inner packet instead.
 *
 * The header is composed and summed in registers and stored as whole
 * words: built field by field in memory and then read back (by a checksum,
 * or by a vector copy of a struct on the stack) it stalled on store-to-load
 * forwarding (docs/performance.md, finding 4). Words are assembled in
 * memory order on this little-endian target. */
static inline void gre_outer_build(struct rte_ipv4_hdr *ip, const struct dp_tunnel *tn,
				   uint32_t src, uint32_t dst, uint16_t inner_len,
				   uint16_t proto, uint8_t tos)
{
	uint16_t total = (uint16_t)(gre_encap_overhead(tn) + inner_len);
	uint8_t ds = tos & 0xfc; /* DSCP only: ECN is not copied (RFC 6040 §4: normal mode would need more) */
	/* RFC 1071 over the ten 16-bit words; id, fragment and checksum are 0. */
	uint32_t sum = ((uint32_t)RTE_IPV4_VHL_DEF << 8 | ds) + total +
		       ((uint32_t)tn->tn_ttl << 8 | IPPROTO_GRE) +
		       (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
	uint64_t w0, w1, w2;
	uint32_t key = rte_cpu_to_be_32(tn->tn_key);
	uint32_t gre0 = (uint32_t)rte_cpu_to_be_16(tn->tn_has_key ? GRE_F_KEY : 0) |
			(uint32_t)rte_cpu_to_be_16(proto) << 16;

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/* version/IHL, TOS, total length | id 0, fragment 0 */
	w0 = RTE_IPV4_VHL_DEF | (uint64_t)ds << 8 | (uint64_t)rte_cpu_to_be_16(total) << 16;
	/* TTL, protocol, checksum | source */
	w1 = tn->tn_ttl | (uint64_t)IPPROTO_GRE << 8 |
	     (uint64_t)rte_cpu_to_be_16((uint16_t)~sum) << 16 |
	     (uint64_t)rte_cpu_to_be_32(src) << 32;
	/* destination | GRE flags and protocol */
	w2 = rte_cpu_to_be_32(dst) | (uint64_t)gre0 << 32;
	memcpy(ip, &w0, sizeof(w0));
	memcpy((uint8_t *)ip + 8, &w1, sizeof(w1));
	memcpy((uint8_t *)ip + 16, &w2, sizeof(w2)); /* the GRE part may be 2-byte aligned only */
	if (tn->tn_has_key)
		memcpy((uint8_t *)ip + 24, &key, sizeof(key));
}

struct lcore_ctx;
struct fib_nh;

/* gre_encap.c */
struct peer;
/* Runs on: workers. m is an IPv4 packet (Ethernet header in front) routed
 * to the tunnel by nh; TTL already handled. pe_hint: the peer of nh's
 * target if the caller looked it up in bulk, else NULL. Consumes m. */
void gre_encap_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, const struct fib_nh *nh,
		   const struct peer *pe_hint);

/* Runs on: workers. A multicast/broadcast packet from the kernel: one copy
 * to every peer on the replication list (dp->dp_mcast). Consumes m. */
void gre_replicate_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		       struct rte_ipv4_hdr *ip);

/* gre_decap.c */
/* Runs on: workers. m is IPv4/GRE addressed to our WAN address. sender:
 * the peer of its source address if the caller looked it up in bulk, else
 * NULL. Consumes m. */
void gre_decap_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, const struct peer *sender);

#endif
