/* GRE decapsulation (WAN -> LAN, or hub hairpin back into the tunnel).
 * The header is walked field by field: version 0, no routing, only the C,
 * K and S flags; the key must match the tunnel's; the length follows from
 * the flags and must be present. NHRP (0x2001) goes to the control thread,
 * IPv4 (0x0800) is routed again as if it came in on the tunnel. GRE found
 * while a burst is routed (or decrypted) is stripped there and then, while
 * its lines are at hand; the inner packets are queued and routed at the
 * end of the burst, all together (bulk lookups, runs to one next hop). */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "esp_sa.h"
#include "gre.h"
#include "lcore_ctx.h"

struct gre_parsed {
	uint16_t hlen;  /* GRE header length */
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
	       key == rte_cpu_to_be_32(tn->tn_key) ? 8 : 0;
}

/* Phase 3 hub: the packet goes back out of the tunnel, so the spoke that
 * sent it should learn a better path (Traffic Indication). */
static void decap_redirect(struct lcore_ctx *lc, uint8_t in_idx, uint32_t from_nbma,
			   const struct rte_ipv4_hdr *inner)
{
	struct dp_event ev;
	uint32_t target = rte_be_to_cpu_32(inner->dst_addr);
	uint16_t len;

	/* Every packet a hub hairpins asks; one a second per pair is sent. */
	if (!punt_event_due(lc, PUNT_EV_REDIRECT, from_nbma, target))
		return;
	len = RTE_MIN(rte_be_to_cpu_16(inner->total_length), (uint16_t)DP_EVENT_QUOTE);
	ev.ev_cause = PUNT_EV_REDIRECT;
	ev.ev_nbma = from_nbma;
	ev.ev_target = target;
	ev.ev_quote_len = len;
	rte_memcpy(ev.ev_quote, inner, len);
	punt_event_send(lc, in_idx, &ev);
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
	const struct rx_cached *c = rx_cache_get(lc, 0, nbma);
	const struct peer *pe;

	if (c != NULL)
		return c->rc_pe;
	pe = peer_table_lookup_nbma(&lc->lc_dp->dp_peers, nbma);
	rx_cache_put(lc, 0, nbma, NULL, pe);
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
	struct decap_queue *q = &lc->lc_decap;
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
	if (unlikely(q->dq_n == DECAP_PENDING_MAX))
		gre_decap_flush(lc);
	q->dq_m[q->dq_n] = m;
	q->dq_ip[q->dq_n] = inner;
	q->dq_dst[q->dq_n] = rte_be_to_cpu_32(inner->dst_addr);
	q->dq_pe[q->dq_n] = pe;
	q->dq_nbma[q->dq_n++] = nbma;
}

void gre_decap_defer(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		     struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;

	if (decap_port_ok(lc, in_idx, m))
		decap_strip(lc, in_idx, m, (uint16_t)(sizeof(struct rte_ether_hdr) + hlen),
			    rte_be_to_cpu_16(ip->total_length) - hlen,
			    rte_be_to_cpu_32(ip->src_addr), NULL, false);
}

void gre_decap_esp(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf **pkts,
		   const uint16_t *gre_off, const uint16_t *gre_len, const uint32_t *nbma,
		   const struct peer *const *sender, uint16_t n)
{
	const struct dp_tunnel *tn = &lc->lc_dp->dp_tunnel;

	if (unlikely(!tn->tn_present || in_idx != tn->tn_wan)) {
		for (uint16_t i = 0; i < n; i++)
			decap_port_ok(lc, in_idx, pkts[i]); /* drops it */
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		decap_strip(lc, in_idx, pkts[i], gre_off[i], gre_len[i], nbma[i], sender[i], true);
}

/* q's packets [i, i + n), n <= DP_BURST: count them for their senders,
 * look the inner destinations up in one bulk lookup, raise the phase 3
 * redirects, route them as a burst. */
static void decap_chunk(struct lcore_ctx *lc, struct decap_queue *q, uint16_t i, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	uint8_t in_idx = (uint8_t)tn->tn_wan; /* decap_port_ok let no other port in */
	const struct fib_nh *nh[DP_BURST];

	/* Per run of packets from one sender: one update of its counters. */
	for (uint16_t k = i, j; k < i + n; k = j) {
		const struct peer *pe = q->dq_pe[k];
		uint64_t bytes = 0;

		for (j = k; j < i + n && q->dq_pe[j] == pe; j++)
			bytes += rte_be_to_cpu_16(q->dq_ip[j]->total_length);
		if (pe != NULL) {
			lc->lc_peer_stats[pe->pe_id].ps_rx_pkts += (uint64_t)(j - k);
			lc->lc_peer_stats[pe->pe_id].ps_rx_bytes += bytes;
		}
	}
	fib_lookup_bulk(&dp->dp_fib, &q->dq_dst[i], n, nh);
	if (tn->tn_is_hub && tn->tn_phase == 3)
		for (uint16_t k = 0; k < n; k++)
			if (nh[k] != NULL && nh[k]->nh_type == FIB_NH_TUNNEL)
				decap_redirect(lc, in_idx, q->dq_nbma[i + k], q->dq_ip[i + k]);
	ipv4_route_burst(lc, in_idx, &q->dq_m[i], &q->dq_ip[i], &q->dq_dst[i], nh, n,
			 IPV4_FROM_TUNNEL);
}

void gre_decap_flush(struct lcore_ctx *lc)
{
	struct decap_queue *q = &lc->lc_decap;
	uint16_t n = q->dq_n;

	/* Routing what came out of the tunnel queues nothing here (GRE inside
	 * GRE is dropped): the queue is stable while it drains. */
	q->dq_n = 0;
	if (cap_is_on(&lc->lc_dp->dp_cap))
		for (uint16_t i = 0; i < n; i++)
			cap_take_ip(lc, CAP_IN, q->dq_ip[i], rte_be_to_cpu_16(q->dq_ip[i]->total_length));
	if (unlikely(lc->lc_dp->dp_flow.dfe_on))
		for (uint16_t i = 0; i < n; i++)
			flow_account(lc, FLOW_IN, q->dq_ip[i], rte_be_to_cpu_16(q->dq_ip[i]->total_length),
				     q->dq_nbma[i]);
	for (uint16_t i = 0; i < n; i += DP_BURST)
		decap_chunk(lc, q, i, RTE_MIN((uint16_t)(n - i), (uint16_t)DP_BURST));
}
