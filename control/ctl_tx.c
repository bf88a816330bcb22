/* The control thread's transmit path: its own TX queue on every port (never
 * a worker's), and routing + neighbour resolution for packets it originates. */
#include <rte_ethdev.h>
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

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

int ctl_udp_send(struct ctl *ct, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 const void *payload, uint16_t len)
{
	struct rte_mbuf *m = ctl_alloc(ct, 0);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	char *p;

	if (m == NULL)
		return -ENOMEM;
	p = rte_pktmbuf_append(m, (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(*ip) +
					     sizeof(*udp) + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memset(p, 0, sizeof(struct rte_ether_hdr));
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0; /* optional for IPv4 (RFC 768); RFC 3948 2.1 */
	memcpy(udp + 1, payload, len);
	ctl_tx_ipv4(ct, m);
	return 0;
}
