/* The ESP-out stage: the runs of packets to one peer that the GRE-encap
 * stage picked, encrypted with the SA the peer entry carries. Each run is
 * framed in one step (outer IPv4, UDP for NAT-T, ESP, GRE: esp_out.c is
 * the transform) with one block of sequence numbers and one update of the
 * SA's byte count; the GCM seals of every run wait for the end, when all
 * are framed (a seal right after its framing would wait for the stores
 * just made), then each run goes to the output stage. No SA, no packet:
 * never sent in clear. */
#include "esp_path.h"
#include "gre.h"
#include "lcore_ctx.h"
#include "stages.h"

/* Frame run r for its peer's SA; the survivors, in order, into q->pkts[]
 * from r->or_first on; r->or_n says how many. */
static void esp_out_frame(struct lcore_ctx *lc, struct esp_out_queue *q, struct esp_out_run *r)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	const struct encap_pending *e = r->or_e;
	/* Read once: the control thread may replace it (NAT-T) or take it away. */
	struct esp_sa *sa = (struct esp_sa *)(uintptr_t)r->or_pe->pe_sa_out;
	struct rte_mbuf **pkts = &q->pkts[r->or_first], *drop[STAGE_QUEUE_MAX];
	struct esp_inner inner[STAGE_QUEUE_MAX];
	uint16_t n = r->or_n, ok, s = 0;
	uint8_t why[STAGE_QUEUE_MAX];
	struct esp_sink sink = {.es_drop = drop, .es_reason = why};
	struct gre_outer_tmpl t;
	struct esp_gre_encap ge = {.ge_tmpl = &t, .ge_inner = inner, .ge_later = &q->seal};

	r->or_n = 0;
	if (unlikely(sa == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			lc_drop(lc, r->or_in_idx, e[i].ep_m, DP_DROP_ESP_NO_SA);
		return;
	}
	gre_outer_tmpl_init(&t, tn, dp->dp_ports[tn->tn_wan].pt_addr, r->or_pe->pe_nbma,
			    GRE_PROTO_IPV4);
	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = e[i].ep_m;
		inner[i].in_len = e[i].ep_inner_len;
		inner[i].in_tos = e[i].ep_tos;
	}
	ok = esp_encap_burst(&lc->lc_cx, sa, pkts, n, L2_LEN, &ge, &sink);
	esp_path_drops(lc, r->or_in_idx, NULL, drop, why, sink.es_n);
	if (unlikely(sink.es_lifetime))
		esp_path_lifetime(lc, r->or_in_idx, sa);
	/* Survivors keep their order: match them to their entries. */
	for (uint16_t i = 0; i < n && s < ok; i++)
		if (e[i].ep_m == pkts[s]) {
			r->or_bytes += e[i].ep_inner_len;
			s++;
		}
	r->or_n = ok;
}

void stage_esp_out(struct lcore_ctx *lc)
{
	struct esp_out_queue *q = &lc->lc_q_esp_out;

	if (q->nruns == 0)
		return;
	for (uint16_t i = 0; i < q->nruns; i++)
		esp_out_frame(lc, q, &q->run[i]);
	esp_seal_flush(&lc->lc_cx, &q->seal);
	for (uint16_t i = 0; i < q->nruns; i++) {
		const struct esp_out_run *r = &q->run[i];
		struct peer_stats *st = &lc->lc_peer_stats[r->or_pe->pe_id];
		struct rte_mbuf **pkts = &q->pkts[r->or_first];
		uint32_t via;
		uint8_t port;

		if (r->or_n == 0)
			continue;
		if (unlikely(!out_underlay(&lc->lc_dp->dp_fib, r->or_pe->pe_nbma, &port, &via))) {
			for (uint16_t k = 0; k < r->or_n; k++)
				lc_drop(lc, r->or_in_idx, pkts[k], DP_DROP_NO_ROUTE);
			continue;
		}
		st->ps_tx_pkts += r->or_n;
		st->ps_tx_bytes += r->or_bytes;
		for (uint16_t k = 0; k < r->or_n; k++)
			if (unlikely(!out_push(&lc->lc_q_out, pkts[k], r->or_in_idx, port, via)))
				lc_drop(lc, r->or_in_idx, pkts[k], DP_DROP_QUEUE_FULL);
	}
	q->nruns = 0;
	q->npkts = 0;
}
