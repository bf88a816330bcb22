/* The GRE-encap stage (LAN or hub hairpin -> tunnel): pick each packet's
 * peer from the NHRP cache and enforce the tunnel MTU; then a run of
 * packets to one peer at a time: outer IPv4 + GRE from one template, to
 * the output stage, or with ESP the run to the ESP-out stage, which frames
 * GRE and ESP in one step. Also the replicate stage: multicast the kernel
 * sends, copied for every peer of the replication list.
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
#include "stages.h"

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

/* Pick the peer of each packet of the queue, drop what cannot go (no
 * tunnel, too big, no peer); returns how many are left, compacted. */
static uint16_t encap_pick(struct lcore_ctx *lc, struct encap_pending *e, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = e[i].ep_m;
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
		uint8_t in_idx = e[i].ep_in_idx;

		if (!e[i].ep_replica) {
			if (unlikely(!tn->tn_present)) {
				lc_drop(lc, in_idx, m, DP_DROP_TUNNEL);
				continue;
			}
			if (unlikely(e[i].ep_inner_len > tn->tn_mtu)) {
				encap_too_big(lc, in_idx, m, ip);
				continue;
			}
			e[i].ep_pe = encap_peer(lc, in_idx, ip, e[i].ep_target, e[i].ep_pe);
			if (unlikely(e[i].ep_pe == NULL)) {
				lc_drop(lc, in_idx, m, DP_DROP_NO_PEER);
				continue;
			}
			if (cap_is_on(&dp->dp_cap))
				cap_take_ip(lc, CAP_OUT, ip, e[i].ep_inner_len);
			if (unlikely(dp->dp_flow.dfe_on))
				flow_account(lc, FLOW_OUT, ip, e[i].ep_inner_len,
					     e[i].ep_pe->pe_nbma);
		}
		if (k != i)
			e[k] = e[i];
		k++;
	}
	return k;
}

/* e[0..n): cleartext, to one peer from one port. Replace each inner
 * Ethernet header by outer Ethernet + IPv4 + GRE, made from one template,
 * and hand them to the output stage with their underlay next hop (one
 * route lookup per run). */
static void encap_run(struct lcore_ctx *lc, const struct encap_pending *e, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	const struct peer *pe = e[0].ep_pe;
	struct peer_stats *st = &lc->lc_peer_stats[pe->pe_id];
	uint8_t in_idx = e[0].ep_in_idx, port;
	struct gre_outer_tmpl t;
	uint32_t bytes = 0, via;
	uint16_t k = 0;

	if (unlikely(!out_underlay(&dp->dp_fib, pe->pe_nbma, &port, &via))) {
		for (uint16_t i = 0; i < n; i++)
			lc_drop(lc, in_idx, e[i].ep_m, DP_DROP_NO_ROUTE);
		return;
	}
	gre_outer_tmpl_init(&t, tn, dp->dp_ports[tn->tn_wan].pt_addr, pe->pe_nbma, GRE_PROTO_IPV4);
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
		k++;
		if (unlikely(!out_push(&lc->lc_q_out, m, in_idx, port, via)))
			lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
	}
	st->ps_tx_pkts += k;
	st->ps_tx_bytes += bytes;
}

void stage_gre_encap(struct lcore_ctx *lc)
{
	struct encap_pending *e = lc->lc_q_encap.e;
	uint16_t n = lc->lc_q_encap.n, i = 0, j;
	bool esp = lc->lc_dp->dp_tunnel.tn_esp;

	if (n == 0)
		return;
	lc->lc_q_encap.n = 0;
	n = encap_pick(lc, e, n);
	if (esp)
		for (i = 0; i < n; i++) /* once per run: a flow's burst is one run */
			if ((i == 0 || e[i].ep_pe != e[i - 1].ep_pe) &&
			    e[i].ep_pe->pe_sa_out != NULL)
				esp_sa_prefetch(e[i].ep_pe->pe_sa_out, false);
	i = 0;
	while (i < n) {
		for (j = (uint16_t)(i + 1);
		     j < n && e[j].ep_pe == e[i].ep_pe && e[j].ep_in_idx == e[i].ep_in_idx; j++)
			;
		if (!esp)
			encap_run(lc, &e[i], (uint16_t)(j - i));
		else if (unlikely(!esp_out_push_run(&lc->lc_q_esp_out, &e[i], (uint16_t)(j - i))))
			for (uint16_t k = i; k < j; k++)
				lc_drop(lc, e[k].ep_in_idx, e[k].ep_m, DP_DROP_QUEUE_FULL);
		i = j;
	}
}

/* The head of the group queue, copied for the peers of its replication
 * list from `next` on, into the encap queue while it has room: a copy for
 * all but the last peer, the original for the last. True when it queued. */
bool stage_replicate(struct lcore_ctx *lc)
{
	const struct dp *dp = lc->lc_dp;
	struct group_queue *g = &lc->lc_q_group;
	struct encap_queue *q = &lc->lc_q_encap;
	bool queued = false;

	while (g->head < g->n && q->n < STAGE_QUEUE_MAX) {
		struct group_pending *gp = &g->e[g->head];
		struct rte_mbuf *m = gp->gp_m;
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
		uint16_t inner_len = rte_be_to_cpu_16(ip->total_length);
		uint8_t tos = dp->dp_tunnel.tn_copy_dscp ? ip->type_of_service : 0;
		const struct mcast_list *ml;

		if (g->next == 0)
			g->ml = rcu_deref(dp->dp_mcast);
		ml = g->ml;
		if (unlikely(!dp->dp_tunnel.tn_present || inner_len > dp->dp_tunnel.tn_mtu ||
			     ml == NULL || g->next >= ml->ml_n)) {
			/* nothing to copy to, or the last listed peer is gone */
			lc_drop(lc, gp->gp_in_idx, m, DP_DROP_MCAST);
			g->head++;
			g->next = 0;
			continue;
		}
		for (; g->next < ml->ml_n && q->n < STAGE_QUEUE_MAX; g->next++) {
			const struct peer *pe =
				peer_table_lookup(&dp->dp_peers, ml->ml_overlay[g->next]);
			struct rte_mbuf *c = m;

			if (pe == NULL)
				continue;
			if (g->next + 1 < ml->ml_n) {
				c = rte_pktmbuf_copy(m, dp->dp_pool, 0, UINT32_MAX);
				if (unlikely(c == NULL)) {
					lc->lc_stats.ls_port[gp->gp_in_idx]
						.ps_drop[DP_DROP_NOMBUF]++;
					continue;
				}
			}
			encap_push(q, c, gp->gp_in_idx, ml->ml_overlay[g->next], pe, inner_len,
				   tos);
			q->e[q->n - 1].ep_replica = true;
			queued = true;
			if (c == m) { /* the original went to the last peer */
				g->head++;
				g->next = 0;
				break;
			}
		}
	}
	if (g->head == g->n)
		g->head = g->n = 0;
	return queued;
}
