/* GRE encapsulation (LAN or hub hairpin -> tunnel): pick the peer from the
 * NHRP cache, enforce the tunnel MTU, prepend outer IPv4 + GRE, send on WAN.
 *
 * Phase 1 spokes send everything to their NHS. Phase 2/3 spokes resolve
 * the next hop: on a miss they ask the control thread (an event, not the
 * packet) and send via the NHS meanwhile, never dropping silently. A hub
 * has every registered spoke in its cache; a miss there is a drop. */
#include <rte_ether.h>
#include <rte_ip.h>

#include "esp_sa.h"
#include "gre.h"
#include "lcore_ctx.h"

static void encap_quote(struct dp_event *ev, const struct rte_ipv4_hdr *ip)
{
	uint16_t len = RTE_MIN(rte_be_to_cpu_16(ip->total_length), (uint16_t)DP_EVENT_QUOTE);

	ev->ev_quote_len = len;
	rte_memcpy(ev->ev_quote, ip, len);
}

static const struct peer *encap_peer(struct lcore_ctx *lc, uint8_t in_idx,
				     const struct rte_ipv4_hdr *ip, uint32_t target,
				     const struct peer *hint)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	const struct peer *pe;
	struct dp_event ev;

	if (!tn->tn_is_hub && tn->tn_phase == 1) {
		/* Hub and spoke only: a next hop that is a peer we know (an
		 * NHS: a route via the second hub) directly, the rest through
		 * the NHS, never a resolution. */
		pe = hint != NULL ? hint : peer_table_lookup(&dp->dp_peers, target);
		return pe != NULL ? pe : peer_table_lookup(&dp->dp_peers, tn->tn_nhs_overlay);
	}
	pe = hint != NULL ? hint : peer_table_lookup(&dp->dp_peers, target);
	if (likely(pe != NULL) || tn->tn_is_hub)
		return pe;
	ev.ev_cause = PUNT_EV_RESOLVE;
	ev.ev_nbma = 0;
	ev.ev_target = target;
	encap_quote(&ev, ip);
	punt_event(lc, in_idx, &ev, target, 0);
	return peer_table_lookup(&dp->dp_peers, tn->tn_nhs_overlay);
}

/* DF set and too big: tell the sender (RFC 1191) through the control thread. */
static void encap_too_big(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			  const struct rte_ipv4_hdr *ip)
{
	struct dp_event ev;

	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
		ev.ev_cause = PUNT_EV_FRAG;
		ev.ev_nbma = 0;
		ev.ev_target = lc->lc_dp->dp_tunnel.tn_mtu;
		encap_quote(&ev, ip);
		punt_event(lc, in_idx, &ev, rte_be_to_cpu_32(ip->src_addr),
			   rte_be_to_cpu_32(ip->dst_addr));
	}
	lc_drop(lc, in_idx, m, DP_DROP_TUNNEL_MTU);
}

void gre_send_underlay(struct lcore_ctx *lc, uint8_t in_idx, const struct peer *pe,
		       struct rte_mbuf **pkts, uint16_t n, uint32_t inner_bytes)
{
	const struct fib_nh *onh = fib_lookup(&lc->lc_dp->dp_fib, pe->pe_nbma);
	struct peer_stats *st = &lc->lc_peer_stats[pe->pe_id];

	st->ps_tx_pkts += n;
	st->ps_tx_bytes += inner_bytes;
	/* The underlay route to the peer: on-link or via a WAN gateway. */
	if (unlikely(onh == NULL || (onh->nh_type != FIB_NH_CONNECTED &&
				     onh->nh_type != FIB_NH_GATEWAY))) {
		for (uint16_t i = 0; i < n; i++)
			lc_drop(lc, in_idx, pkts[i], DP_DROP_NO_ROUTE);
		return;
	}
	ipv4_output_burst(lc, in_idx, (uint8_t)onh->nh_port, pkts, n,
			  onh->nh_type == FIB_NH_GATEWAY ? onh->nh_gw : pe->pe_nbma);
}

/* Queue m for encapsulation towards peer pe at the end of the burst. */
static void encap_defer(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			uint16_t inner_len, uint8_t tos, const struct peer *pe)
{
	struct encap_pending *e;

	if (unlikely(lc->lc_encap_n == ENCAP_PENDING_MAX))
		gre_encap_flush(lc); /* many packets from one burst: multicast */
	e = &lc->lc_encap[lc->lc_encap_n++];
	e->ep_m = m;
	e->ep_pe = pe;
	e->ep_inner_len = inner_len;
	e->ep_tos = lc->lc_dp->dp_tunnel.tn_copy_dscp ? tos : 0;
	e->ep_in_idx = in_idx;
}

/* e[0..n): packets to one peer from one port. Replace each inner Ethernet
 * header by outer Ethernet + IPv4 + GRE, made from one template, and send
 * them; with ESP, the ESP stage frames them in one step, and the flush
 * seals and sends every run at its end (ipsec_out_flush). */
static void encap_run(struct lcore_ctx *lc, struct encap_pending *e, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	const struct peer *pe = e[0].ep_pe;
	uint8_t in_idx = e[0].ep_in_idx;
	struct rte_mbuf *pkts[ENCAP_PENDING_MAX];
	struct gre_outer_tmpl t;
	uint32_t bytes = 0;
	uint16_t k = 0;

	gre_outer_tmpl_init(&t, tn, dp->dp_ports[tn->tn_wan].pt_addr, pe->pe_nbma, GRE_PROTO_IPV4);
	if (tn->tn_esp) {
		ipsec_out_run(lc, e, n, &t); /* fail closed there */
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = e[i].ep_m;
		char *front = rte_pktmbuf_prepend(m, gre_outer_tmpl_len(&t));

		if (unlikely(front == NULL)) {
			lc_drop(lc, in_idx, m, DP_DROP_TUNNEL_MTU); /* no headroom */
			continue;
		}
		gre_outer_write((struct rte_ipv4_hdr *)(front + sizeof(struct rte_ether_hdr)), &t,
				e[i].ep_inner_len, e[i].ep_tos);
		bytes += e[i].ep_inner_len;
		pkts[k++] = m;
	}
	if (k != 0)
		gre_send_underlay(lc, in_idx, pe, pkts, k, bytes);
}

void gre_encap_flush(struct lcore_ctx *lc)
{
	struct encap_pending *e = lc->lc_encap;
	uint16_t n = lc->lc_encap_n, i = 0, j;

	/* Sending queues nothing for encapsulation: the queue is stable. */
	lc->lc_encap_n = 0;
	if (lc->lc_dp->dp_tunnel.tn_esp)
		for (i = 0; i < n; i++) /* once per run: a flow's burst is one run */
			if ((i == 0 || e[i].ep_pe != e[i - 1].ep_pe) && e[i].ep_pe->pe_sa_out != NULL)
				esp_sa_prefetch(e[i].ep_pe->pe_sa_out, false);
	i = 0;
	while (i < n) {
		for (j = (uint16_t)(i + 1); j < n && e[j].ep_pe == e[i].ep_pe &&
					   e[j].ep_in_idx == e[i].ep_in_idx; j++)
			;
		encap_run(lc, &e[i], (uint16_t)(j - i));
		i = j;
	}
	if (lc->lc_dp->dp_tunnel.tn_esp)
		ipsec_out_flush(lc); /* the runs were framed: sealed and sent here */
}

void gre_encap_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, const struct fib_nh *nh,
		   const struct peer *pe_hint)
{
	const struct dp_tunnel *tn = &lc->lc_dp->dp_tunnel;
	uint16_t inner_len = rte_be_to_cpu_16(ip->total_length);
	uint32_t target = nh->nh_gw != 0 ? nh->nh_gw : rte_be_to_cpu_32(ip->dst_addr);
	const struct peer *pe;

	if (unlikely(!tn->tn_present)) {
		lc_drop(lc, in_idx, m, DP_DROP_TUNNEL);
		return;
	}
	if (unlikely(inner_len > tn->tn_mtu)) {
		encap_too_big(lc, in_idx, m, ip);
		return;
	}
	pe = encap_peer(lc, in_idx, ip, target, pe_hint);
	if (unlikely(pe == NULL)) {
		lc_drop(lc, in_idx, m, DP_DROP_NO_PEER);
		return;
	}
	if (cap_is_on(&lc->lc_dp->dp_cap))
		cap_take_ip(lc, CAP_OUT, ip, inner_len);
	if (unlikely(lc->lc_dp->dp_flow.dfe_on))
		flow_account(lc, FLOW_OUT, ip, inner_len, pe->pe_nbma);
	encap_defer(lc, in_idx, m, inner_len, ip->type_of_service, pe);
}

void gre_replicate_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		       struct rte_ipv4_hdr *ip)
{
	const struct dp *dp = lc->lc_dp;
	const struct mcast_list *ml = rcu_deref(lc->lc_dp->dp_mcast);
	uint16_t inner_len = rte_be_to_cpu_16(ip->total_length);
	uint8_t tos = ip->type_of_service;

	if (unlikely(!dp->dp_tunnel.tn_present || inner_len > dp->dp_tunnel.tn_mtu ||
		     ml == NULL || ml->ml_n == 0)) {
		lc_drop(lc, in_idx, m, DP_DROP_MCAST);
		return;
	}
	/* Copies for all but the last peer; the original goes to the last. */
	for (uint32_t i = 0; i < ml->ml_n; i++) {
		const struct peer *pe = peer_table_lookup(&dp->dp_peers, ml->ml_overlay[i]);
		struct rte_mbuf *c = m;

		if (pe == NULL)
			continue;
		if (i + 1 < ml->ml_n) {
			c = rte_pktmbuf_copy(m, dp->dp_pool, 0, UINT32_MAX);
			if (unlikely(c == NULL)) {
				lc->lc_stats.ls_port[in_idx].ps_drop[DP_DROP_NOMBUF]++;
				continue;
			}
		}
		encap_defer(lc, in_idx, c, inner_len, tos, pe);
		if (c == m)
			return;
	}
	lc_drop(lc, in_idx, m, DP_DROP_MCAST); /* the last listed peer is gone */
}
