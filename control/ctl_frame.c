/* Frames the control thread sends: an mbuf from the shared pool, and its
 * own TX queue on every port (never a worker's), counted per port. The
 * bottom of its output path (ctl_output.c, arp.c). */
#include <rte_ethdev.h>
#include <rte_ip.h>

#include "ctl.h"
#include "inet.h"
#include "log.h"

/* Bounded: only what the first segment holds is read. */
void ctl_debug_ip(const char *what, const char *where, const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	char s[INET_ADDRSTR], d[INET_ADDRSTR];

	if (m->data_len < sizeof(struct rte_ether_hdr) + sizeof(*ip))
		return;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	if ((ip->version_ihl >> 4) != 4)
		return;
	LOG_CTL(DEBUG, "IP: %s %s: s=%s d=%s, len %u, proto %u, ttl %u", what, where,
		inet_v4_str(rte_be_to_cpu_32(ip->src_addr), s),
		inet_v4_str(rte_be_to_cpu_32(ip->dst_addr), d), rte_be_to_cpu_16(ip->total_length),
		ip->next_proto_id, ip->time_to_live);
}

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
