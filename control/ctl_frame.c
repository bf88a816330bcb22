/* Frames the control thread sends: an mbuf from the shared pool, and its
 * own TX queue on every port (never a worker's), counted per port. The
 * bottom of its output path (ctl_output.c, arp.c). */
#include <rte_ethdev.h>

#include "ctl.h"

struct rte_mbuf *ctl_alloc(struct ctl *ct, uint8_t port_idx)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ct->ct_dp->dp_pool);

	if (m == NULL)
		ctl_count(ct, port_idx, CTL_NOMEM);
	return m;
}

void ctl_tx_frame(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m)
{
	const struct dp_port *pt = &ct->ct_dp->dp_ports[port_idx];
	uint32_t len = m->pkt_len;

	if (rte_eth_tx_burst(pt->pt_id, pt->pt_ctl_txq, &m, 1) == 1) {
		ctl_count(ct, port_idx, CTL_TX_PKTS);
		ct->ct_cnt[port_idx][CTL_TX_BYTES] += len;
		return;
	}
	ctl_count(ct, port_idx, CTL_TX_FAIL);
	rte_pktmbuf_free(m);
}
