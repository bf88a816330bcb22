/* ESP on the packet path: encrypt GRE towards a peer with the SA its peer
 * entry carries, decrypt what arrives by SPI, and fail closed: no SA means
 * no packet, never cleartext. The transform itself is esp_out.c/esp_in.c.
 *
 * Packets are queued per lcore while a burst is routed and handed to the
 * ESP stage at the end of it, a run of consecutive packets of one SA at a
 * time: inbound here (ipsec_in_flush, from classify_burst), outbound from
 * gre_encap_flush, which queues all encapsulation (ipsec_out_run). An
 * outbound run takes one block of sequence numbers and settles the SA's
 * byte counter once, instead of two atomics per packet; its GCM seals wait
 * for the end of the flush (ipsec_out_flush), when every run is framed.
 * The SA and peer pointers held in the queues stay valid: they are empty
 * before the worker's next quiescent report. */
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp_sa.h"
#include "gre.h"
#include "lcore_ctx.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

_Static_assert(ESP_PENDING_MAX <= RTE_HASH_LOOKUP_BULK_MAX, "one bulk SA lookup per flush");
_Static_assert(ESP_PENDING_MAX <= CRYPTO_MB_BURST_MAX, "one ESP decrypt burst per run");

static void ipsec_lifetime_event(struct lcore_ctx *lc, uint8_t in_idx, const struct esp_sa *sa)
{
	struct dp_event ev = {.ev_cause = PUNT_EV_LIFETIME, .ev_target = sa->sa_spi};

	punt_event(lc, in_idx, &ev, sa->sa_spi, 0);
}

/* Count and free what the ESP stage refused, by its reason; in_sa: the
 * inbound SA's own counters too (NULL outbound). */
static void ipsec_count_drops(struct lcore_ctx *lc, uint8_t in_idx, struct esp_sa *in_sa,
			      struct rte_mbuf **drop, const uint8_t *why, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		lc->lc_stats.ls_port[in_idx].ps_esp_drop[why[i]]++;
		if (in_sa != NULL)
			in_sa->sa_drops[why[i]]++; /* one writer: the worker the SPI is steered to */
		lc_drop(lc, in_idx, drop[i], DP_DROP_ESP_FAILED);
	}
}

void ipsec_out_run(struct lcore_ctx *lc, const struct encap_pending *e, uint16_t n,
		   const struct gre_outer_tmpl *t)
{
	/* Read once: the control thread may replace it (NAT-T) or take it away. */
	struct esp_sa *sa = (struct esp_sa *)(uintptr_t)e[0].ep_pe->pe_sa_out;
	struct rte_mbuf *pkts[ENCAP_PENDING_MAX], *drop[ENCAP_PENDING_MAX];
	uint16_t len[ENCAP_PENDING_MAX];
	uint8_t tos[ENCAP_PENDING_MAX], why[ENCAP_PENDING_MAX], lt = 0, in_idx = e[0].ep_in_idx;
	struct esp_out_queue *eo = &lc->lc_esp_out;
	struct esp_out_run *r;
	uint32_t bytes = 0;
	uint16_t ok, s = 0;

	RTE_ASSERT(eo->eo_npkts + n <= ENCAP_PENDING_MAX);
	if (unlikely(sa == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			lc_drop(lc, in_idx, e[i].ep_m, DP_DROP_ESP_NO_SA);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = e[i].ep_m;
		len[i] = e[i].ep_inner_len;
		tos[i] = e[i].ep_tos;
	}
	ok = esp_encap_burst(&lc->lc_cx, sa, t, pkts, len, tos, n, L2_LEN, drop, why, &lt,
			     &eo->eo_seal);
	ipsec_count_drops(lc, in_idx, NULL, drop, why, (uint16_t)(n - ok));
	if (unlikely(lt))
		ipsec_lifetime_event(lc, in_idx, sa);
	if (ok == 0)
		return;
	/* Survivors keep their order: match them to their entries. */
	for (uint16_t i = 0; i < n && s < ok; i++)
		if (e[i].ep_m == pkts[s]) {
			bytes += e[i].ep_inner_len;
			eo->eo_pkts[eo->eo_npkts + s] = pkts[s];
			s++;
		}
	r = &eo->eo_run[eo->eo_nruns++];
	r->or_pe = e[0].ep_pe;
	r->or_bytes = bytes;
	r->or_first = eo->eo_npkts;
	r->or_n = ok;
	r->or_in_idx = in_idx;
	eo->eo_npkts = (uint16_t)(eo->eo_npkts + ok);
}

void ipsec_out_flush(struct lcore_ctx *lc)
{
	struct esp_out_queue *eo = &lc->lc_esp_out;

	esp_seal_flush(&lc->lc_cx, &eo->eo_seal);
	for (uint16_t i = 0; i < eo->eo_nruns; i++) {
		const struct esp_out_run *r = &eo->eo_run[i];

		gre_send_underlay(lc, r->or_in_idx, r->or_pe, &eo->eo_pkts[r->or_first], r->or_n,
				  r->or_bytes);
	}
	eo->eo_nruns = 0;
	eo->eo_npkts = 0;
}

void ipsec_ike(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m)
{
	if (lc->lc_dp->dp_tunnel.tn_ike)
		punt_one(lc, in_idx, m, PUNT_IKE);
	else
		lc_drop(lc, in_idx, m, DP_DROP_IKE);
}

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
		ipsec_ike(lc, in_idx, m);
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

void ipsec_in_defer(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		    struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4, off = hlen;
	uint16_t sport = 0;

	if (ip->next_proto_id == IPPROTO_UDP) {
		off = ipsec_udp(lc, in_idx, m, hlen);
		if (off == 0)
			return;
		sport = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
								 L2_LEN + hlen)->src_port);
	}
	ipsec_in_queue(lc, in_idx, m, off, rte_be_to_cpu_32(ip->src_addr), sport);
}

/* The SAs and senders of uspi/unbma[0..nu): what the lcore kept from
 * earlier bursts (lc_rx_cache, dropped by classify_burst when stale), and
 * the rest in one bulk lookup of each table, kept for the next bursts. */
static void ipsec_in_find(struct lcore_ctx *lc, const uint32_t *uspi, const uint32_t *unbma,
			  uint16_t nu, struct esp_sa **sa, const struct peer **pe)
{
	const struct dp *dp = lc->lc_dp;
	uint32_t lspi[ESP_PENDING_MAX], lnbma[ESP_PENDING_MAX];
	struct esp_sa *lsa[ESP_PENDING_MAX];
	const struct peer *lpe[ESP_PENDING_MAX];
	uint8_t at[ESP_PENDING_MAX];
	uint16_t nl = 0;

	for (uint16_t u = 0; u < nu; u++) {
		const struct rx_cached *c = rx_cache_get(lc, uspi[u], unbma[u]);

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
				rx_cache_put(lc, lspi[l], lnbma[l], lsa[l], lpe[l]);
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
	uint32_t uspi[ESP_PENDING_MAX], unbma[ESP_PENDING_MAX];
	struct esp_sa *sa[ESP_PENDING_MAX];
	const struct peer *pe[ESP_PENDING_MAX];
	uint8_t slot[ESP_PENDING_MAX];
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
			struct dp_event ev = {.ev_cause = PUNT_EV_SPI, .ev_target = e[i].ei_spi,
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
 * ESP left it for decapsulation. */
static void ipsec_in_run(struct lcore_ctx *lc, const struct esp_in_pending *e, uint16_t n)
{
	struct esp_sa *sa = e[0].ei_sa;
	struct rte_mbuf *pkts[ESP_PENDING_MAX], *drop[ESP_PENDING_MAX];
	uint16_t goff[ESP_PENDING_MAX], glen[ESP_PENDING_MAX];
	uint32_t nbma[ESP_PENDING_MAX];
	const struct peer *pe[ESP_PENDING_MAX];
	uint8_t why[ESP_PENDING_MAX], lt = 0, in_idx = e[0].ei_in_idx;
	uint16_t ok, s = 0;

	for (uint16_t i = 0; i < n; i++)
		pkts[i] = e[i].ei_m;
	if (e[0].ei_pe != NULL) /* counted in gre_decap_*, after the decryption */
		rte_prefetch0(&lc->lc_peer_stats[e[0].ei_pe->pe_id]);
	ok = esp_decrypt_burst_gre(&lc->lc_cx, sa, pkts, n, L2_LEN, goff, glen, drop, why, &lt);
	ipsec_count_drops(lc, in_idx, sa, drop, why, (uint16_t)(n - ok));
	if (unlikely(lt))
		ipsec_lifetime_event(lc, in_idx, sa);
	/* Survivors keep their order: match them to their entries. */
	for (uint16_t i = 0; i < n && s < ok; i++) {
		if (e[i].ei_m != pkts[s])
			continue; /* dropped */
		if (unlikely(e[i].ei_sport != 0))
			ipsec_natt_learn(lc, in_idx, e[i].ei_nbma, e[i].ei_sport);
		nbma[s] = e[i].ei_nbma;
		pe[s++] = e[i].ei_pe;
	}
	if (ok != 0)
		gre_decap_esp(lc, in_idx, pkts, goff, glen, nbma, pe, ok);
}

void ipsec_in_flush(struct lcore_ctx *lc)
{
	struct esp_in_pending *e = lc->lc_esp_in;
	uint16_t n = lc->lc_esp_in_n, i = 0, j;

	/* Decapsulation, even when a full queue starts it early, may queue
	 * for encryption (hub hairpin), never for decryption (ESP is only
	 * taken from a port): the queue is stable while it drains. */
	lc->lc_esp_in_n = 0;
	n = ipsec_in_lookup(lc, e, n);
	while (i < n) {
		for (j = (uint16_t)(i + 1); j < n && e[j].ei_sa == e[i].ei_sa &&
					   e[j].ei_in_idx == e[i].ei_in_idx; j++)
			;
		ipsec_in_run(lc, &e[i], (uint16_t)(j - i));
		i = j;
	}
}
