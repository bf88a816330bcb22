/* Buffered transmit: packets collect per egress port during a loop and go out
 * in one burst on the worker's own TX queue. */
#include <rte_ethdev.h>

#include "lcore_ctx.h"

static void tx_send(struct lcore_ctx *lc, uint8_t port_idx)
{
	struct tx_pending *tp = &lc->lc_tx[port_idx];
	const struct dp_port *pt = &lc->lc_dp->dp_ports[port_idx];
	struct dp_port_stats *ps = &lc->lc_stats.ls_port[port_idx];
	uint16_t sent, i;

	if (cap_is_on(&lc->lc_dp->dp_cap))
		cap_take_burst(lc, port_idx, CAP_OUT, tp->tp_pkts, tp->tp_n);
	sent = rte_eth_tx_burst(pt->pt_id, (uint16_t)lc->lc_idx, tp->tp_pkts, tp->tp_n);
	ps->ps_tx_pkts += sent;
	for (i = 0; i < sent; i++)
		ps->ps_tx_bytes += tp->tp_pkts[i]->pkt_len;
	for (i = sent; i < tp->tp_n; i++)
		lc_drop(lc, port_idx, tp->tp_pkts[i], DP_DROP_TX_FULL);
	tp->tp_n = 0;
}

void tx_enqueue(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf *m)
{
	struct tx_pending *tp = &lc->lc_tx[port_idx];

	tp->tp_pkts[tp->tp_n++] = m;
	if (unlikely(tp->tp_n == TX_PENDING_MAX))
		tx_send(lc, port_idx);
}

void tx_enqueue_burst(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n)
{
	struct tx_pending *tp = &lc->lc_tx[port_idx];

	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)(TX_PENDING_MAX - tp->tp_n));

		for (uint16_t i = 0; i < k; i++) /* mostly a few: no libc call */
			tp->tp_pkts[tp->tp_n + i] = pkts[i];
		tp->tp_n = (uint16_t)(tp->tp_n + k);
		pkts += k;
		n = (uint16_t)(n - k);
		if (tp->tp_n == TX_PENDING_MAX)
			tx_send(lc, port_idx);
	}
}

void tx_flush(struct lcore_ctx *lc)
{
	for (uint8_t p = 0; p < lc->lc_dp->dp_nports; p++)
		if (lc->lc_tx[p].tp_n > 0)
			tx_send(lc, p);
}
