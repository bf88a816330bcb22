/* GRE decapsulation (WAN -> LAN, or hub hairpin back into the tunnel).
 * The header is walked field by field: version 0, no routing, only the C,
 * K and S flags; the key must match the tunnel's; the length follows from
 * the flags and must be present. NHRP (0x2001) goes to the control thread,
 * IPv4 (0x0800) is routed again as if it came in on the tunnel. GRE found
 * while a burst is routed (or decrypted) is queued and decapsulated at the
 * end of the burst, all of it at once, so that the inner packets are
 * routed as one burst too (bulk lookups, runs to one next hop). */
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
	if (flags & (GRE_F_ROUTING | GRE_F_SSR | GRE_F_RECUR | GRE_F_RESERVED | GRE_F_VERSION))
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

static void decap_defer(struct lcore_ctx *lc, struct rte_mbuf *m, uint16_t off, uint32_t len,
			uint32_t nbma, const struct peer *sender, bool esp)
{
	struct decap_pending *e;

	if (unlikely(lc->lc_decap_n == DECAP_PENDING_MAX))
		gre_decap_flush(lc);
	e = &lc->lc_decap[lc->lc_decap_n++];
	e->dc_m = m;
	e->dc_pe = sender;
	e->dc_nbma = nbma;
	e->dc_off = off;
	e->dc_len = (uint16_t)len;
	e->dc_esp = esp;
}

void gre_decap_defer(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		     struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;

	if (decap_port_ok(lc, in_idx, m))
		decap_defer(lc, m, (uint16_t)(sizeof(struct rte_ether_hdr) + hlen),
			    rte_be_to_cpu_16(ip->total_length) - hlen,
			    rte_be_to_cpu_32(ip->src_addr), NULL, false);
}

void gre_decap_esp(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m, uint16_t gre_off,
		   uint16_t gre_len, uint32_t nbma, const struct peer *sender)
{
	if (decap_port_ok(lc, in_idx, m))
		decap_defer(lc, m, gre_off, gre_len, nbma, sender, true);
}

/* Parse and strip e's GRE header: 0 with *inner when an IPv4 packet is
 * left to route, -1 when e's packet was punted (NHRP) or dropped. Counts
 * the sender's received packets. */
static int decap_strip(struct lcore_ctx *lc, uint8_t in_idx, const struct decap_pending *e,
		       struct rte_ipv4_hdr **inner)
{
	const struct dp *dp = lc->lc_dp;
	struct rte_mbuf *m = e->dc_m;
	const struct peer *pe;
	struct gre_parsed g;
	int why;

	why = gre_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *, e->dc_off), e->dc_len,
			&dp->dp_tunnel, &g);
	if (unlikely(why != 0)) {
		lc_drop(lc, in_idx, m, (enum dp_drop)why);
		return -1;
	}
	if (g.proto == GRE_PROTO_NHRP) {
		/* The control thread takes NHRP whole: outer IPv4, then GRE. */
		if (e->dc_esp)
			esp_in_strip(m, sizeof(struct rte_ether_hdr), e->dc_off, e->dc_len);
		punt_one(lc, in_idx, m, PUNT_NHRP);
		return -1;
	}
	if (unlikely(g.proto != GRE_PROTO_IPV4)) {
		lc_drop(lc, in_idx, m, DP_DROP_GRE_PROTO);
		return -1;
	}
	/* Drop everything up to the inner packet; the outer Ethernet bytes'
	 * place is now taken by the tail of those headers, rewritten when the
	 * packet goes out. */
	rte_pktmbuf_adj(m, (uint16_t)(e->dc_off + g.hlen - sizeof(struct rte_ether_hdr)));
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (unlikely(ipv4_validate(m, inner) != 0)) {
		lc_drop(lc, in_idx, m, DP_DROP_IPV4_HEADER);
		return -1;
	}
	if (e->dc_pe != NULL) {
		pe = e->dc_pe;
	} else if (lc->lc_rx_pe != NULL && lc->lc_rx_nbma == e->dc_nbma) {
		pe = lc->lc_rx_pe;
	} else {
		pe = peer_table_lookup_nbma(&dp->dp_peers, e->dc_nbma);
		lc->lc_rx_pe = pe;
		lc->lc_rx_nbma = e->dc_nbma;
	}
	if (pe != NULL) {
		lc->lc_peer_stats[pe->pe_id].ps_rx_pkts++;
		lc->lc_peer_stats[pe->pe_id].ps_rx_bytes += rte_be_to_cpu_16((*inner)->total_length);
	}
	return 0;
}

/* e[0..n), n <= DP_BURST: strip them all, look the inner destinations up
 * in one bulk lookup, raise the phase 3 redirects, route them as a burst. */
static void decap_chunk(struct lcore_ctx *lc, const struct decap_pending *e, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	uint8_t in_idx = (uint8_t)tn->tn_wan; /* decap_port_ok let no other port in */
	struct rte_mbuf *pkts[DP_BURST];
	struct rte_ipv4_hdr *ip[DP_BURST];
	const struct fib_nh *nh[DP_BURST];
	uint32_t dst[DP_BURST], from[DP_BURST];
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (decap_strip(lc, in_idx, &e[i], &ip[k]) != 0)
			continue;
		pkts[k] = e[i].dc_m;
		from[k] = e[i].dc_nbma;
		dst[k] = rte_be_to_cpu_32(ip[k]->dst_addr);
		k++;
	}
	if (k == 0)
		return;
	fib_lookup_bulk(&dp->dp_fib, dst, k, nh);
	if (tn->tn_is_hub && tn->tn_phase == 3)
		for (uint16_t i = 0; i < k; i++)
			if (nh[i] != NULL && nh[i]->nh_type == FIB_NH_TUNNEL)
				decap_redirect(lc, in_idx, from[i], ip[i]);
	ipv4_route_burst(lc, in_idx, pkts, ip, dst, nh, k, IPV4_FROM_TUNNEL);
}

void gre_decap_flush(struct lcore_ctx *lc)
{
	const struct decap_pending *e = lc->lc_decap;
	uint16_t n = lc->lc_decap_n;

	/* Routing what came out of the tunnel queues nothing here (GRE inside
	 * GRE is dropped): the queue is stable while it drains. */
	lc->lc_decap_n = 0;
	for (uint16_t i = 0; i < n; i += DP_BURST)
		decap_chunk(lc, &e[i], RTE_MIN((uint16_t)(n - i), (uint16_t)DP_BURST));
}
