/* What the two ESP stages (stage_esp_in.c, stage_esp_out.c) share:
 * counting what the transform refused, and telling the control thread of
 * an SA at a lifetime limit. */
#ifndef DMVPND_ESP_PATH_H
#define DMVPND_ESP_PATH_H

#include "esp_sa.h"
#include "lcore_ctx.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/* The SA reached a soft or hard limit: the control thread rekeys or
 * removes it. */
static inline void esp_path_lifetime(struct lcore_ctx *lc, uint8_t in_idx, const struct esp_sa *sa)
{
	struct dp_event ev = {.ev_cause = PUNT_EV_LIFETIME, .ev_target = sa->sa_spi};

	punt_event(lc, in_idx, &ev, sa->sa_spi, 0);
}

/* Count and free what the ESP transform refused, by its reason; in_sa: the
 * inbound SA's own counters too (NULL outbound). */
static inline void esp_path_drops(struct lcore_ctx *lc, uint8_t in_idx, struct esp_sa *in_sa,
				  struct rte_mbuf **drop, const uint8_t *why, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		lc->lc_stats.ls_port[in_idx].ps_esp_drop[why[i]]++;
		if (in_sa != NULL)
			in_sa->sa_drops
				[why[i]]++; /* one writer: the worker the SPI is steered to */
		lc_drop(lc, in_idx, drop[i], DP_DROP_ESP_FAILED);
	}
}

#endif
