/* Names for drop reasons and the control-side counter sum. */
#include "stats.h"

static const char *const drop_names[DP_DROP_COUNT] = {
#define DP_DROP_NAME(e, name, help) [DP_DROP_##e] = name,
	DP_DROP_REASONS(DP_DROP_NAME)
#undef DP_DROP_NAME
};

static const char *const drop_helps[DP_DROP_COUNT] = {
#define DP_DROP_HELP(e, name, help) [DP_DROP_##e] = help,
	DP_DROP_REASONS(DP_DROP_HELP)
#undef DP_DROP_HELP
};

const char *dp_drop_name(enum dp_drop d)
{
	return (unsigned)d < DP_DROP_COUNT ? drop_names[d] : "?";
}

const char *dp_drop_help(enum dp_drop d)
{
	return (unsigned)d < DP_DROP_COUNT ? drop_helps[d] : "?";
}

void dp_port_stats_add(struct dp_port_stats *dst, const struct dp_port_stats *src)
{
	/* Volatile reads: the worker writes these concurrently. */
	const volatile struct dp_port_stats *s = src;

	dst->ps_rx_pkts += s->ps_rx_pkts;
	dst->ps_rx_bytes += s->ps_rx_bytes;
	dst->ps_tx_pkts += s->ps_tx_pkts;
	dst->ps_tx_bytes += s->ps_tx_bytes;
	dst->ps_punt_pkts += s->ps_punt_pkts;
	for (unsigned i = 0; i < DP_DROP_COUNT; i++)
		dst->ps_drop[i] += s->ps_drop[i];
	for (unsigned i = 0; i < ESP_DROP_COUNT; i++)
		dst->ps_esp_drop[i] += s->ps_esp_drop[i];
}

void dp_port_stats_sub(struct dp_port_stats *dst, const struct dp_port_stats *base)
{
	dst->ps_rx_pkts -= base->ps_rx_pkts;
	dst->ps_rx_bytes -= base->ps_rx_bytes;
	dst->ps_tx_pkts -= base->ps_tx_pkts;
	dst->ps_tx_bytes -= base->ps_tx_bytes;
	dst->ps_punt_pkts -= base->ps_punt_pkts;
	for (unsigned i = 0; i < DP_DROP_COUNT; i++)
		dst->ps_drop[i] -= base->ps_drop[i];
	for (unsigned i = 0; i < ESP_DROP_COUNT; i++)
		dst->ps_esp_drop[i] -= base->ps_esp_drop[i];
}
