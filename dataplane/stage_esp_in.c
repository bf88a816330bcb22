/* The ESP-in stage: ESP to our WAN address (protocol 50, or in UDP to port
 * 4500), queued by the route stage. Every SA and sender of the queue is
 * found at once (the lookups kept from earlier bursts first), unknown SPIs
 * are reported and dropped, and each run of consecutive packets of one SA
 * is decrypted together (esp_in.c is the transform); the GRE inside goes
 * to the GRE-decap stage, where ESP left it. No SA, no packet. */
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp_sa.h"
#include "gre.h"
#include "esp_path.h"
#include "lcore_ctx.h"
#include "stages.h"

_Static_assert(STAGE_QUEUE_MAX <= RTE_HASH_LOOKUP_BULK_MAX, "one bulk SA lookup per stage");

/* UDP to port 4500 (RFC 3948): a keepalive (one 0xff byte), IKE (a zero
 * non-ESP marker) or ESP. Returns the ESP offset from the IPv4 header, 0
 * when m was consumed. */
static uint32_t ipsec_udp(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m, uint32_t hlen)
{
	const uint8_t *p;
	uint32_t avail = rte_pktmbuf_data_len(m) - L2_LEN;

	if (avail < hlen + sizeof(struct rte_udp_hdr) + 1) {
		lc_drop(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		return 0;
	}
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, L2_LEN + hlen + sizeof(struct rte_udp_hdr));
	if (avail == hlen + sizeof(struct rte_udp_hdr) + 1 && p[0] == 0xff) {
		lc_drop(lc, in_idx, m, DP_DROP_NATT_KEEPALIVE);
		return 0;
	}
	if (avail >= hlen + sizeof(struct rte_udp_hdr) + 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 &&
	    p[3] == 0) {
		if (lc->lc_dp->dp_tunnel.tn_ike)
			punt_one(lc, in_idx, m, PUNT_IKE);
		else
			lc_drop(lc, in_idx, m, DP_DROP_IKE);
		return 0;
	}
	return hlen + (uint32_t)sizeof(struct rte_udp_hdr);
}

/* ESP in UDP from a peer we send plain ESP to, or to another port: the
 * path is NATed (RFC 3948); the control thread switches our outbound SA. */
static void ipsec_natt_learn(struct lcore_ctx *lc, uint8_t in_idx, uint32_t nbma, uint16_t sport)
{
	const struct peer *pe = peer_table_lookup_nbma(&lc->lc_dp->dp_peers, nbma);
	const struct esp_sa *out = pe != NULL ? pe->pe_sa_out : NULL;
	struct dp_event ev = {.ev_cause = PUNT_EV_NATT, .ev_nbma = nbma, .ev_target = sport};

	if (out != NULL && (out->sa_flags & ESP_SA_F_NATT) &&
	    out->sa_natt_dport == rte_cpu_to_be_16(sport))
		return;
	punt_event(lc, in_idx, &ev, nbma, sport);
}

/* The SAs and senders of uspi/unbma[0..nu): what the lcore kept from
 * earlier bursts (lc_rx, dropped by the pipeline when stale), and
 * the rest in one bulk lookup of each table, kept for the next bursts. */
static void ipsec_in_find(struct lcore_ctx *lc, const uint32_t *uspi, const uint32_t *unbma,
			  uint16_t nu, struct esp_sa **sa, const struct peer **pe)
{
	const struct dp *dp = lc->lc_dp;
	uint32_t lspi[STAGE_QUEUE_MAX], lnbma[STAGE_QUEUE_MAX];
	struct esp_sa *lsa[STAGE_QUEUE_MAX];
	const struct peer *lpe[STAGE_QUEUE_MAX];
	uint8_t at[STAGE_QUEUE_MAX];
	uint16_t nl = 0;

	for (uint16_t u = 0; u < nu; u++) {
		const struct rx_cached *c = rx_cache_get(&lc->lc_rx, uspi[u], unbma[u]);

		if (c != NULL) {
			sa[u] = c->rc_sa;
			pe[u] = c->rc_pe;
			continue;
		}
		lspi[nl] = uspi[u];
		lnbma[nl] = unbma[u];
		at[nl++] = (uint8_t)u;
	}
	if (nl != 0) {
		/* Nothing of this burst was kept and it holds many senders: more
		 * peers in turn than the cache holds (at 100k peers every packet
		 * misses), or a cold cache. Keeping one in eight still warms it
		 * up within a few bursts, and spares the stores where they cannot
		 * help (at 100k peers, storing every miss costs ESP decap about
		 * 3 %). */
		const uint16_t stride = nl == nu && nl > 8 ? 8 : 1;

		sa_table_lookup_bulk(&dp->dp_sa_in, lspi, nl, lsa);
		peer_table_lookup_nbma_bulk(&dp->dp_peers, lnbma, nl, lpe);
		for (uint16_t l = 0; l < nl; l++) {
			sa[at[l]] = lsa[l];
			pe[at[l]] = lpe[l];
			/* Unknown SPIs are reported, never kept. */
			if (lsa[l] != NULL && l % stride == 0)
				rx_cache_put(&lc->lc_rx, lspi[l], lnbma[l], lsa[l], lpe[l]);
		}
	}
	for (uint16_t u = 0; u < nu; u++)
		if (likely(sa[u] != NULL))
			esp_sa_prefetch(sa[u], true);
}

/* The SAs and the senders' peer entries of the whole queue, their lines
 * prefetched; packets with an unknown SPI are dropped and reported.
 * Returns how many entries are left, compacted in order. */
static uint16_t ipsec_in_lookup(struct lcore_ctx *lc, struct esp_in_pending *e, uint16_t n)
{
	uint32_t uspi[STAGE_QUEUE_MAX], unbma[STAGE_QUEUE_MAX];
	struct esp_sa *sa[STAGE_QUEUE_MAX];
	const struct peer *pe[STAGE_QUEUE_MAX];
	uint8_t slot[STAGE_QUEUE_MAX];
	uint16_t k = 0, nu = 0;

	/* Consecutive packets of one SA from one sender share the lookups. */
	for (uint16_t i = 0; i < n; i++) {
		if (nu == 0 || e[i].ei_spi != uspi[nu - 1] || e[i].ei_nbma != unbma[nu - 1]) {
			uspi[nu] = e[i].ei_spi;
			unbma[nu++] = e[i].ei_nbma;
		}
		slot[i] = (uint8_t)(nu - 1);
	}
	ipsec_in_find(lc, uspi, unbma, nu, sa, pe);
	for (uint16_t i = 0; i < n; i++) {
		struct esp_sa *s = sa[slot[i]];

		/* SPI 0 (none in the packet) is never installed: not found. */
		if (unlikely(s == NULL)) {
			struct dp_event ev = {.ev_cause = PUNT_EV_SPI,
					      .ev_target = e[i].ei_spi,
					      .ev_nbma = e[i].ei_nbma};

			punt_event(lc, e[i].ei_in_idx, &ev, ev.ev_nbma, e[i].ei_spi);
			lc_drop(lc, e[i].ei_in_idx, e[i].ei_m, DP_DROP_ESP_UNKNOWN_SPI);
			continue;
		}
		if (k != i) /* only after a drop */
			e[k] = e[i];
		e[k].ei_pe = pe[slot[i]];
		e[k++].ei_sa = s;
	}
	return k;
}

/* Decrypt e[0..n), all of one SA from one port, and queue the GRE where
 * ESP left it for the GRE-decap stage. */
static void ipsec_in_run(struct lcore_ctx *lc, const struct esp_in_pending *e, uint16_t n)
{
	struct esp_sa *sa = e[0].ei_sa;
	struct rte_mbuf *pkts[STAGE_QUEUE_MAX], *drop[STAGE_QUEUE_MAX];
	struct esp_gre_span gre[STAGE_QUEUE_MAX];
	uint32_t nbma[STAGE_QUEUE_MAX];
	const struct peer *pe[STAGE_QUEUE_MAX];
	uint8_t why[STAGE_QUEUE_MAX], in_idx = e[0].ei_in_idx;
	struct esp_sink sink = {.es_drop = drop, .es_reason = why};
	uint16_t ok, s = 0;

	for (uint16_t i = 0; i < n; i++)
		pkts[i] = e[i].ei_m;
	if (e[0].ei_pe != NULL) /* counted by the route stage, after the decryption */
		rte_prefetch0(&lc->lc_peer_stats[e[0].ei_pe->pe_id]);
	ok = esp_decrypt_burst_gre(&lc->lc_cx, sa, pkts, n, L2_LEN, gre, &sink);
	esp_path_drops(lc, in_idx, sa, drop, why, sink.es_n);
	if (unlikely(sink.es_lifetime))
		esp_path_lifetime(lc, in_idx, sa);
	/* Survivors keep their order: match them to their entries. */
	for (uint16_t i = 0; i < n && s < ok; i++) {
		if (e[i].ei_m != pkts[s])
			continue; /* dropped */
		if (unlikely(e[i].ei_sport != 0))
			ipsec_natt_learn(lc, in_idx, e[i].ei_nbma, e[i].ei_sport);
		nbma[s] = e[i].ei_nbma;
		pe[s++] = e[i].ei_pe;
	}
	for (uint16_t i = 0; i < ok; i++)
		if (unlikely(!gre_in_push(&lc->lc_q_gre_in, pkts[i], in_idx, gre[i].gs_off,
					  gre[i].gs_len, nbma[i], pe[i], true)))
			lc_drop(lc, in_idx, pkts[i], DP_DROP_QUEUE_FULL);
}

/* ESP in UDP told apart (keepalives dropped, IKE punted), and the SPI of
 * what is ESP read: 0 (reserved, never installed) when the packet is too
 * short to hold one. Returns how many are left, compacted in order. */
static uint16_t esp_in_udp(struct lcore_ctx *lc, struct esp_in_pending *e, uint16_t n)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = e[i].ei_m;
		uint32_t off = e[i].ei_off, esp;

		if (unlikely(e[i].ei_udp)) {
			const struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(
				m, const struct rte_udp_hdr *, L2_LEN + off);

			off = ipsec_udp(lc, e[i].ei_in_idx, m, off);
			if (off == 0)
				continue;
			e[i].ei_sport = rte_be_to_cpu_16(udp->src_port);
			e[i].ei_off = (uint16_t)off;
			esp = L2_LEN + off;
			if (likely(rte_pktmbuf_data_len(m) >= esp + 8)) {
				memcpy(&e[i].ei_spi,
				       rte_pktmbuf_mtod_offset(m, const uint8_t *, esp), 4);
				e[i].ei_spi = rte_be_to_cpu_32(e[i].ei_spi);
			}
		}
		if (k != i)
			e[k] = e[i];
		k++;
	}
	return k;
}

void stage_esp_in(struct lcore_ctx *lc)
{
	struct esp_in_pending *e = lc->lc_q_esp_in.e;
	uint16_t n = lc->lc_q_esp_in.n, i = 0, j;

	if (n == 0)
		return;
	/* Decryption queues for the GRE-decap stage, never for this one: the
	 * queue is stable while it drains. */
	lc->lc_q_esp_in.n = 0;
	if (unlikely(lc->lc_q_esp_in.n_udp != 0)) {
		lc->lc_q_esp_in.n_udp = 0;
		n = esp_in_udp(lc, e, n);
	}
	n = ipsec_in_lookup(lc, e, n);
	while (i < n) {
		for (j = (uint16_t)(i + 1);
		     j < n && e[j].ei_sa == e[i].ei_sa && e[j].ei_in_idx == e[i].ei_in_idx; j++)
			;
		ipsec_in_run(lc, &e[i], (uint16_t)(j - i));
		i = j;
	}
}
