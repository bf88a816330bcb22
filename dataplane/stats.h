/* Per-lcore dataplane counters: plain uint64_t written only by their worker,
 * summed by the control thread (which may read a value one packet stale). */
#ifndef DMVPND_DP_STATS_H
#define DMVPND_DP_STATS_H

#include <stdint.h>

#include <rte_common.h>

#include "cfg.h"
#include "drop_reasons.h"
#include "esp_reasons.h"

struct dp_port_stats {
	uint64_t ps_rx_pkts;
	uint64_t ps_rx_bytes;
	uint64_t ps_tx_pkts;
	uint64_t ps_tx_bytes;
	uint64_t ps_punt_pkts;
	uint64_t ps_drop[DP_DROP_COUNT];
	uint64_t ps_esp_drop[ESP_DROP_COUNT]; /* by enum esp_drop */
};

struct dp_lcore_stats {
	uint64_t ls_loops;
	uint64_t ls_bursts; /* loops that received at least one packet */
	uint64_t ls_pkts;
	uint64_t ls_busy_tsc; /* cycles spent in loops that had packets */
	uint64_t ls_start_tsc;
	uint64_t ls_sleeps;
	uint64_t ls_events;
	uint64_t ls_events_lost; /* rate-limited or ring full: advice, not packets */
	struct dp_port_stats ls_port[CFG_MAX_PORTS + 1] /* DP_MAX_PORTS */;
} __rte_cache_aligned;

/* Runs on: control thread. Adds src into dst (the sum over workers). */
void dp_port_stats_add(struct dp_port_stats *dst, const struct dp_port_stats *src);
/* dst -= base, field by field (clear counters' baseline). */
void dp_port_stats_sub(struct dp_port_stats *dst, const struct dp_port_stats *base);

#endif
