/* The control thread's output path, in one place: IPv4 it originates
 * (ICMP, UDP for IKE and NAT-T keepalives) routed by the FIB, to a port
 * through ARP or into the tunnel; its own tunnel traffic (NHRP to an NBMA
 * address, IPv4 towards overlay destinations) wrapped in the same outer
 * header as the workers' (dataplane/gre.h), through ESP when the tunnel
 * has it, and routed on the underlay. Frames leave by ctl_frame.c. */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "gre.h"

void ctl_tx_ipv4(struct ctl *ct, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	/* The control thread is the FIB's writer: it reads it without RCU. */
	const struct fib_nh *nh = fib_lookup(&ct->ct_dp->dp_fib, dst);

	if (unlikely(ct->ct_debug_ip))
		ctl_debug_ip("sent",
			     nh == NULL ? "(no route)"
			     : nh->nh_type == FIB_NH_TUNNEL
				     ? ct->ct_dp->dp_tunnel.tn_present ? "tunnel" : "(no tunnel)"
				     : ct->ct_dp->dp_ports[nh->nh_port].pt_name,
			     m);
	if (nh != NULL && nh->nh_type == FIB_NH_TUNNEL) {
		ctl_tunnel_output(ct, m, nh->nh_gw != 0 ? nh->nh_gw : dst);
		return;
	}
	if (nh == NULL || (nh->nh_type != FIB_NH_CONNECTED && nh->nh_type != FIB_NH_GATEWAY)) {
		ctl_count(ct, 0, CTL_NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	arp_output(ct, (uint8_t)nh->nh_port, nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw : dst, m);
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
	p = rte_pktmbuf_append(
		m, (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(*ip) + sizeof(*udp) + len));
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

/* m: Ethernet gap + IPv4 packet addressed to `nbma`; route it on the
 * underlay and hand it to ARP (consumes m). */
static void ctl_underlay_output(struct ctl *ct, struct rte_mbuf *m, uint32_t nbma)
{
	const struct fib_nh *nh = fib_lookup(&ct->ct_dp->dp_fib, nbma);

	if (nh == NULL || (nh->nh_type != FIB_NH_CONNECTED && nh->nh_type != FIB_NH_GATEWAY)) {
		ctl_count(ct, ct->ct_dp->dp_tunnel.tn_wan, CTL_NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	arp_output(ct, (uint8_t)nh->nh_port, nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw : nbma, m);
}

/* Prepend Ethernet gap + outer IPv4 + GRE before the `len` payload bytes
 * already in m; 0 or -ENOBUFS. */
static int ctl_gre_wrap(struct ctl *ct, struct rte_mbuf *m, uint32_t nbma, uint16_t proto,
			uint8_t tos)
{
	const struct dp *dp = ct->ct_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	uint16_t len = (uint16_t)rte_pktmbuf_pkt_len(m);
	char *front = rte_pktmbuf_prepend(
		m, (uint16_t)(sizeof(struct rte_ether_hdr) + gre_encap_overhead(tn)));

	if (front == NULL)
		return -ENOBUFS;
	memset(front, 0, sizeof(struct rte_ether_hdr));
	gre_outer_build((struct rte_ipv4_hdr *)(front + sizeof(struct rte_ether_hdr)), tn,
			dp->dp_ports[tn->tn_wan].pt_addr, nbma, len, proto, tos);
	return 0;
}

int ctl_tunnel_send_nhrp(struct ctl *ct, uint32_t nbma, const uint8_t *pkt, uint16_t len)
{
	struct rte_mbuf *m = ctl_alloc(ct, ct->ct_dp->dp_tunnel.tn_wan);
	char *p;

	if (m == NULL)
		return -ENOMEM;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL || ctl_gre_wrap(ct, m, nbma, GRE_PROTO_NHRP, 0xc0) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memcpy(p, pkt, len);
	if (ct->ct_esp != NULL && esp_mgr_encrypt(ct, m, nbma) != 0)
		return -ENOENT; /* fail closed: no SA, nothing in clear */
	ctl_underlay_output(ct, m, nbma);
	return 0;
}

void ctl_tunnel_output(struct ctl *ct, struct rte_mbuf *m, uint32_t target)
{
	const struct dp *dp = ct->ct_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	const struct peer *pe = NULL;
	uint8_t tos;

	if (!tn->tn_present)
		goto drop;
	if (tn->tn_is_hub || tn->tn_phase != 1)
		pe = peer_table_lookup(&dp->dp_peers, target);
	if (pe == NULL && !tn->tn_is_hub)
		pe = peer_table_lookup(&dp->dp_peers, tn->tn_nhs_overlay);
	if (pe == NULL)
		goto drop;
	/* Strip the Ethernet gap: the payload is the inner IPv4 packet. */
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr));
	tos = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->type_of_service;
	if (ctl_gre_wrap(ct, m, pe->pe_nbma, GRE_PROTO_IPV4, tn->tn_copy_dscp ? tos : 0) != 0)
		goto drop;
	if (ct->ct_esp != NULL && esp_mgr_encrypt(ct, m, pe->pe_nbma) != 0)
		return;
	ctl_underlay_output(ct, m, pe->pe_nbma);
	return;
drop:
	ctl_count(ct, tn->tn_wan, CTL_NO_ROUTE);
	rte_pktmbuf_free(m);
}
