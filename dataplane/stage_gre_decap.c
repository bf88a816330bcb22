/* The GRE-decap stage: GRE to us, cleartext from the route stage or just
 * decrypted by the ESP-in stage. The header is walked field by field:
 * version 0, no routing, only the C, K and S flags; the key must match the
 * tunnel's; the length follows from the flags and must be present. NHRP
 * (0x2001) goes to the control thread, IPv4 (0x0800) is stripped and
 * queued for the tunnel's route stage, as if it came in on the tunnel. */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "esp_sa.h"
#include "gre.h"
#include "ipv4_header.h"
#include "lcore_ctx.h"
#include "stages.h"

struct gre_parsed {
	uint16_t hlen; /* GRE header length */
	uint16_t proto;
};

/* 0, or the drop reason. Reads only [gre, gre + avail). */
static int gre_parse(const uint8_t *gre, uint32_t avail, const struct dp_tunnel *tn,
		     struct gre_parsed *g)
{
	uint16_t flags, off = 4;
	uint32_t key;

	if (avail < 4)
		return DP_DROP_GRE_HEADER;
	flags = (uint16_t)(gre[0] << 8 | gre[1]);
	g->proto = (uint16_t)(gre[2] << 8 | gre[3]);
	if (flags & (GRE_F_ROUTING | GRE_F_SSR | GRE_RECUR_MASK | GRE_RSVD0_MASK | GRE_VER_MASK))
		return DP_DROP_GRE_HEADER;
	g->hlen = (uint16_t)(4 + (flags & GRE_F_CSUM ? 4 : 0) + (flags & GRE_F_KEY ? 4 : 0) +
			     (flags & GRE_F_SEQ ? 4 : 0));
	if (g->hlen > avail)
		return DP_DROP_GRE_HEADER;
	if (flags & GRE_F_CSUM) {
		/* RFC 2784 2.5: over the GRE header and payload. */
		if (rte_raw_cksum(gre, avail) != 0xffff)
			return DP_DROP_GRE_CSUM;
		off += 4;
	}
	if (!(flags & GRE_F_KEY) != !tn->tn_has_key)
		return DP_DROP_GRE_KEY;
	if (flags & GRE_F_KEY) {
		key = (uint32_t)gre[off] << 24 | (uint32_t)gre[off + 1] << 16 |
		      (uint32_t)gre[off + 2] << 8 | gre[off + 3];
		if (key != tn->tn_key)
			return DP_DROP_GRE_KEY;
	}
	/* A sequence number, when present, is parsed past and not enforced:
	 * RFC 2890's reordering is optional and useless for mGRE. */
	return 0;
}

/* The header our peers send: the tunnel's key when it has one, no other
 * field, IPv4 inside. Its length, or 0 when gre_parse must look. */
static inline uint16_t gre_usual(const uint8_t *gre, uint32_t avail, const struct dp_tunnel *tn)
{
	uint32_t w0, key;

	if (unlikely(avail < 8))
		return 0;
	memcpy(&w0, gre, 4);
	if (!tn->tn_has_key)
		return w0 == RTE_BE32(GRE_PROTO_IPV4) ? 4 : 0;
	memcpy(&key, gre + 4, 4);
	return w0 == RTE_BE32((uint32_t)GRE_F_KEY << 16 | GRE_PROTO_IPV4) &&
			       key == rte_cpu_to_be_32(tn->tn_key)
		       ? 8
		       : 0;
}

/* The tunnel's packets come in on its WAN port only. */
static bool decap_port_ok(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m)
{
	const struct dp_tunnel *tn = &lc->lc_dp->dp_tunnel;

	if (likely(tn->tn_present && in_idx == tn->tn_wan))
		return true;
	lc_drop(lc, in_idx, m, tn->tn_present ? DP_DROP_GRE_NOT_WAN : DP_DROP_LOCAL_PROTO);
	return false;
}

/* The sender of cleartext GRE from nbma (NULL: no peer there), kept under
 * SPI 0 in the lcore's inbound cache. */
static const struct peer *decap_sender(struct lcore_ctx *lc, uint32_t nbma)
{
	const struct rx_cached *c = rx_cache_get(&lc->lc_rx, 0, nbma);
	const struct peer *pe;

	if (c != NULL)
		return c->rc_pe;
	pe = peer_table_lookup_nbma(&lc->lc_dp->dp_peers, nbma);
	rx_cache_put(&lc->lc_rx, 0, nbma, NULL, pe);
	return pe;
}

/* Parse and strip the GRE header (len bytes with its payload, at off from
 * m's front) of a packet from NBMA address nbma; queue the inner IPv4
 * packet to be routed at the end of the burst, punt NHRP, drop the rest.
 * The sender is pe, or found by nbma. esp: ESP decrypted it in place, its
 * UDP/ESP/IV headers are still in front. */
static void decap_strip(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m, uint16_t off,
			uint32_t len, uint32_t nbma, const struct peer *pe, bool esp)
{
	const struct dp *dp = lc->lc_dp;
	struct rte_ipv4_hdr *inner;
	struct gre_parsed g;
	const uint8_t *gre = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	int why;

	g.proto = GRE_PROTO_IPV4;
	g.hlen = gre_usual(gre, len, &dp->dp_tunnel);
	if (unlikely(g.hlen == 0)) {
		why = gre_parse(gre, len, &dp->dp_tunnel, &g);
		if (unlikely(why != 0)) {
			lc_drop(lc, in_idx, m, (enum dp_drop)why);
			return;
		}
	}
	if (g.proto == GRE_PROTO_NHRP) {
		/* The control thread takes NHRP whole: outer IPv4, then GRE. */
		if (esp)
			esp_in_strip(m, sizeof(struct rte_ether_hdr), off, (uint16_t)len);
		punt_one(lc, in_idx, m, PUNT_NHRP);
		return;
	}
	if (unlikely(g.proto != GRE_PROTO_IPV4)) {
		lc_drop(lc, in_idx, m, DP_DROP_GRE_PROTO);
		return;
	}
	/* Drop everything up to the inner packet; the outer Ethernet bytes'
	 * place is now taken by the tail of those headers, rewritten when the
	 * packet goes out. */
	rte_pktmbuf_adj(m, (uint16_t)(off + g.hlen - sizeof(struct rte_ether_hdr)));
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (unlikely(ipv4_validate(m, &inner) != 0)) {
		lc_drop(lc, in_idx, m, DP_DROP_IPV4_HEADER);
		return;
	}
	if (pe == NULL) /* cleartext: no SA told who sent it */
		pe = decap_sender(lc, nbma);
	if (unlikely(!inner_push(&lc->lc_q_inner, m, inner, nbma, pe)))
		lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
}

void stage_gre_decap(struct lcore_ctx *lc)
{
	struct gre_in_queue *q = &lc->lc_q_gre_in;
	uint16_t n = q->n;

	q->n = 0;
	for (uint16_t i = 0; i < n; i++) {
		const struct gre_in_pending *e = &q->e[i];

		if (decap_port_ok(lc, e->ge_in_idx, e->ge_m))
			decap_strip(lc, e->ge_in_idx, e->ge_m, e->ge_off, e->ge_len, e->ge_nbma,
				    e->ge_pe, e->ge_esp);
	}
}
