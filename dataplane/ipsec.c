/* ESP on the packet path: encrypt GRE towards a peer with the SA its peer
 * entry carries, decrypt what arrives by SPI, and fail closed: no SA means
 * no packet, never cleartext. The transform itself is esp_out.c/esp_in.c. */
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp_sa.h"
#include "gre.h"
#include "lcore_ctx.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

static void ipsec_lifetime_event(struct lcore_ctx *lc, uint8_t in_idx, const struct esp_sa *sa)
{
	struct dp_event ev = {.ev_cause = PUNT_EV_LIFETIME, .ev_target = sa->sa_spi};

	punt_event(lc, in_idx, &ev, sa->sa_spi, 0);
}

int ipsec_out_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		  const struct peer *pe)
{
	struct esp_sa *sa = (struct esp_sa *)(uintptr_t)pe->pe_sa_out;
	struct rte_mbuf *dropped;
	uint8_t why, lt = 0;

	if (unlikely(sa == NULL)) {
		lc_drop(lc, in_idx, m, DP_DROP_ESP_NO_SA);
		return -1;
	}
	if (unlikely(esp_encrypt_burst(&lc->lc_cx, sa, &m, 1, L2_LEN, &dropped, &why, &lt) != 1)) {
		lc->lc_stats.ls_port[in_idx].ps_esp_drop[why]++;
		lc_drop(lc, in_idx, dropped, DP_DROP_ESP_FAILED);
		if (lt)
			ipsec_lifetime_event(lc, in_idx, sa);
		return -1;
	}
	if (unlikely(lt))
		ipsec_lifetime_event(lc, in_idx, sa);
	return 0;
}

/* The SPI of ESP at `off` from the IPv4 header, or 0 (reserved) if absent. */
static uint32_t ipsec_spi(const struct rte_mbuf *m, uint32_t off)
{
	uint32_t spi;

	if (rte_pktmbuf_data_len(m) < L2_LEN + off + 8)
		return 0;
	rte_memcpy(&spi, rte_pktmbuf_mtod_offset(m, const uint8_t *, L2_LEN + off), 4);
	return rte_be_to_cpu_32(spi);
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

void ipsec_in_one(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		  struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4, off = hlen, spi;
	uint32_t nbma = rte_be_to_cpu_32(ip->src_addr);
	uint16_t sport = 0;
	struct rte_mbuf *dropped;
	struct esp_sa *sa;
	uint8_t why, lt = 0;

	if (ip->next_proto_id == IPPROTO_UDP) {
		off = ipsec_udp(lc, in_idx, m, hlen);
		if (off == 0)
			return;
		sport = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
								 L2_LEN + hlen)->src_port);
	}
	spi = ipsec_spi(m, off);
	sa = spi != 0 ? sa_table_lookup(&lc->lc_dp->dp_sa_in, spi) : NULL;
	if (unlikely(sa == NULL)) {
		struct dp_event ev = {.ev_cause = PUNT_EV_SPI, .ev_target = spi,
				      .ev_nbma = rte_be_to_cpu_32(ip->src_addr)};

		punt_event(lc, in_idx, &ev, ev.ev_nbma, spi);
		lc_drop(lc, in_idx, m, DP_DROP_ESP_UNKNOWN_SPI);
		return;
	}
	if (unlikely(esp_decrypt_burst(&lc->lc_cx, sa, &m, 1, L2_LEN, &dropped, &why, &lt) != 1)) {
		lc->lc_stats.ls_port[in_idx].ps_esp_drop[why]++;
		sa->sa_drops[why]++; /* one writer: the worker the SPI is steered to */
		lc_drop(lc, in_idx, dropped, DP_DROP_ESP_FAILED);
		if (lt)
			ipsec_lifetime_event(lc, in_idx, sa);
		return;
	}
	if (unlikely(lt))
		ipsec_lifetime_event(lc, in_idx, sa);
	if (unlikely(sport != 0))
		ipsec_natt_learn(lc, in_idx, nbma, sport);
	gre_decap_one(lc, in_idx, m, rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2_LEN));
}
