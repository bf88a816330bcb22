/* The control thread's transmit path: its own TX queue on every port (never
 * a worker's), and routing + neighbour resolution for packets it originates. */
#include <rte_ethdev.h>
#include <rte_ip.h>

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

void ctl_tx_ipv4(struct ctl *ct, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	/* The control thread is the FIB's writer: it reads it without RCU. */
	const struct fib_nh *nh = fib_lookup(&ct->ct_dp->dp_fib, dst);

	if (nh != NULL && nh->nh_type == FIB_NH_TUNNEL) {
		ctl_tunnel_output(ct, m, nh->nh_gw != 0 ? nh->nh_gw : dst);
		return;
	}
	if (nh == NULL || (nh->nh_type != FIB_NH_CONNECTED && nh->nh_type != FIB_NH_GATEWAY)) {
		ctl_count(ct, 0, CTL_NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	arp_output(ct, (uint8_t)nh->nh_port,
		   nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw : dst, m);
}
