/* The control thread's own tunnel traffic: NHRP to an NBMA address, and
 * IPv4 it originates towards overlay destinations (ICMP from the tunnel
 * address). Same outer header as the workers' (dataplane/gre.h), sent on
 * the control TX queue after underlay routing and ARP. */
#include <string.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "gre.h"

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
	char *front = rte_pktmbuf_prepend(m, (uint16_t)(sizeof(struct rte_ether_hdr) +
							gre_encap_overhead(tn)));

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
