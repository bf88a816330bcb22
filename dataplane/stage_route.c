/* The route stage: validate IPv4, look the destinations up in the FIB (a
 * burst at a time), and hand each packet on: to us (ESP and GRE to their
 * stages, ICMP to the control thread, the rest to the kernel), forwarded
 * out of a port (the output queue), into the tunnel (the encap queue),
 * multicast from the kernel (the replicate stage), or dropped and counted.
 * It routes what came in on a port, and what came out of the tunnel. */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "esp_sa.h"
#include "ipv4_header.h"
#include "lcore_ctx.h"
#include "stages.h"

/* Where a packet being routed came from. */
#define IPV4_FROM_PORT 0   /* a wan or lan port */
#define IPV4_FROM_TUNNEL 1 /* decapsulated */
#define IPV4_FROM_KERNEL 2 /* the tunnel's TAP: the kernel sent it */

/* RFC 1624 incremental update for a TTL decrement. */
static inline uint32_t ipv4_hlen(const struct rte_ipv4_hdr *ip)
{
	return (uint32_t)(ip->version_ihl & 0x0f) * 4;
}

static void ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint32_t)rte_be_to_cpu_16(ip->hdr_checksum) + 0x0100;

	ip->time_to_live--;
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)sum);
}

/* Out of a port: to the output stage, which sends runs to one next hop. */
static void ipv4_forward(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			 struct rte_ipv4_hdr *ip, const struct fib_nh *nh)
{
	const struct dp_port *out = &lc->lc_dp->dp_ports[nh->nh_port];

	if (unlikely(rte_be_to_cpu_16(ip->total_length) > out->pt_mtu)) {
		lc_drop(lc, in_idx, m, DP_DROP_MTU);
		return;
	}
	if (unlikely(!out_push(&lc->lc_q_out, m, in_idx, (uint8_t)nh->nh_port,
			       nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw
							     : rte_be_to_cpu_32(ip->dst_addr))))
		lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
}

/* Hand a packet to the kernel through the tunnel's TAP (routing daemons,
 * the kernel's own pings); drop with `why` when there is no TAP. */
static void ipv4_to_kernel(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			   enum dp_drop why)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_port *kp;
	struct rte_ether_hdr *eth;

	if (dp->dp_kernel_port < 0) {
		lc_drop(lc, in_idx, m, why);
		return;
	}
	kp = &dp->dp_ports[dp->dp_kernel_port];
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr = kp->pt_peer_mac;
	eth->src_addr = kp->pt_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	tx_enqueue(lc, (uint8_t)dp->dp_kernel_port, m);
}

static bool ipv4_is_echo_request(const struct rte_ipv4_hdr *ip, const struct rte_mbuf *m)
{
	uint32_t off = sizeof(struct rte_ether_hdr) + (uint32_t)(ip->version_ihl & 0x0f) * 4;

	return rte_pktmbuf_data_len(m) > off && *rte_pktmbuf_mtod_offset(m, uint8_t *, off) == 8;
}

/* An echo reply to one of the node's own pings (control/ping.c), known by
 * its identifier, or an ICMP error about one of its traceroute probes, by
 * the quoted UDP source port. (A kernel ping that happened to pick one of these few
 * identifiers would lose its replies to us.) */
static bool ipv4_is_node_ping_reply(const struct rte_ipv4_hdr *ip, const struct rte_mbuf *m)
{
	uint32_t off = sizeof(struct rte_ether_hdr) + (uint32_t)(ip->version_ihl & 0x0f) * 4;
	const uint8_t *icmp;
	uint16_t id;

	if (rte_pktmbuf_data_len(m) < off + 8)
		return false;
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	if (icmp[0] == 0) {
		id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		return id >= DP_PING_ID_BASE && id < DP_PING_ID_BASE + DP_PING_IDS;
	}
	/* traceroute's: an error quoting a UDP probe from our source ports */
	if ((icmp[0] == 3 || icmp[0] == 11) && rte_pktmbuf_data_len(m) >= off + 8 + 20 + 8 &&
	    icmp[8 + 9] == IPPROTO_UDP) {
		const uint8_t *udp = icmp + 8 + (icmp[8] & 0x0f) * 4;

		if (rte_pktmbuf_data_len(m) <
		    (uint32_t)(udp - rte_pktmbuf_mtod(m, const uint8_t *)) + 2)
			return false;
		id = (uint16_t)(udp[0] << 8 | udp[1]);
		return id >= DP_PING_ID_BASE && id < DP_PING_ID_BASE + DP_PING_IDS;
	}
	return false;
}

/* The UDP destination port, or 0 when the header is not all there. */
static uint16_t ipv4_udp_dport(const struct rte_ipv4_hdr *ip, const struct rte_mbuf *m)
{
	uint32_t off = sizeof(struct rte_ether_hdr) + (uint32_t)(ip->version_ihl & 0x0f) * 4;
	const uint8_t *udp;

	if (rte_pktmbuf_data_len(m) < off + 8)
		return 0;
	udp = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	return (uint16_t)(udp[2] << 8 | udp[3]);
}

/* ESP or GRE to us: to the ESP-in or the GRE-decap stage. False when its
 * queue is full. */
static bool tunnel_in(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		      const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = ipv4_hlen(ip);

	if (ip->next_proto_id == IPPROTO_GRE)
		return gre_in_push(&lc->lc_q_gre_in, m, in_idx,
				   (uint16_t)(sizeof(struct rte_ether_hdr) + hlen),
				   (uint16_t)(rte_be_to_cpu_16(ip->total_length) - hlen),
				   rte_be_to_cpu_32(ip->src_addr), NULL, false);
	return esp_in_push(&lc->lc_q_esp_in, m, in_idx, hlen, rte_be_to_cpu_32(ip->src_addr),
			   ip->next_proto_id == IPPROTO_UDP);
}

static void ipv4_local(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
		       struct rte_ipv4_hdr *ip, unsigned origin)
{
	bool to_tunnel_addr = lc->lc_dp->dp_tunnel.tn_present &&
			      rte_be_to_cpu_32(ip->dst_addr) == lc->lc_dp->dp_tunnel.tn_addr;

	if (rte_ipv4_frag_pkt_is_fragmented(ip)) {
		if (to_tunnel_addr)
			ipv4_to_kernel(lc, in_idx, m, DP_DROP_IPV4_FRAGMENT);
		else
			lc_drop(lc, in_idx, m, DP_DROP_IPV4_FRAGMENT);
		return;
	}
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		/* We answer echo requests ourselves; the rest (echo replies to
		 * the kernel's own pings, errors) belongs to the kernel. */
		if (ipv4_is_echo_request(ip, m) || !to_tunnel_addr ||
		    ipv4_is_node_ping_reply(ip, m))
			punt_one(lc, in_idx, m,
				 PUNT_LOCAL | (origin & IPV4_FROM_TUNNEL ? PUNT_F_TUNNEL : 0));
		else
			ipv4_to_kernel(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		break;
	case IPPROTO_GRE:
		if (unlikely(origin != IPV4_FROM_PORT))
			lc_drop(lc, in_idx, m, DP_DROP_GRE_RECURSION);
		else if (unlikely(lc->lc_dp->dp_tunnel.tn_esp))
			lc_drop(lc, in_idx, m, DP_DROP_ESP_REQUIRED); /* fail closed */
		else if (unlikely(!tunnel_in(lc, in_idx, m, ip)))
			lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
		break;
	case IPPROTO_ESP:
	case IPPROTO_UDP: {
		/* ESP comes as IP protocol 50 or in UDP to port 4500 (RFC 3948);
		 * port 500 carries IKE only (RFC 7296 2.23), never ESP. */
		bool wan_esp = origin == IPV4_FROM_PORT && lc->lc_dp->dp_tunnel.tn_esp;
		uint16_t dport = ip->next_proto_id == IPPROTO_UDP ? ipv4_udp_dport(ip, m) : 0;

		if (wan_esp && (ip->next_proto_id == IPPROTO_ESP || dport == ESP_NATT_PORT)) {
			if (unlikely(!tunnel_in(lc, in_idx, m, ip)))
				lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
		} else if (wan_esp && dport == ESP_IKE_PORT) {
			/* To the control thread with keying: ike, else dropped. */
			if (lc->lc_dp->dp_tunnel.tn_ike)
				punt_one(lc, in_idx, m, PUNT_IKE);
			else
				lc_drop(lc, in_idx, m, DP_DROP_IKE);
		} else if (to_tunnel_addr)
			ipv4_to_kernel(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		else
			lc_drop(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		break;
	}
	default:
		if (to_tunnel_addr)
			ipv4_to_kernel(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		else
			lc_drop(lc, in_idx, m, DP_DROP_LOCAL_PROTO);
		break;
	}
}

/* 224.0.0.0/4, 255.255.255.255 and the tunnel subnet's broadcast. */
static bool ipv4_is_group(const struct dp_tunnel *tn, uint32_t dst)
{
	uint32_t mask = tn->tn_plen ? ~(uint32_t)0 << (32 - tn->tn_plen) : 0;

	return (dst & 0xf0000000u) == 0xe0000000u || dst == UINT32_MAX ||
	       (tn->tn_present && tn->tn_plen <= 30 && dst == (tn->tn_addr | ~mask));
}

/* Multicast and broadcast: from the kernel, to the replicate stage, which
 * copies it into the tunnel (Cisco's "nhrp map multicast dynamic"); from
 * the tunnel, up to the kernel (a spoke's routing protocol talking to
 * ours); else not routed. */
static void ipv4_group(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m, unsigned origin)
{
	if (origin == IPV4_FROM_KERNEL) {
		if (unlikely(!group_push(&lc->lc_q_group, m, in_idx)))
			lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
	} else if (origin == IPV4_FROM_TUNNEL) {
		ipv4_to_kernel(lc, in_idx, m, DP_DROP_MCAST);
	} else {
		lc_drop(lc, in_idx, m, DP_DROP_MCAST);
	}
}

/* Route m by nh, found for its destination (NULL: no route). pe_hint is
 * the peer for a tunnel next hop when the caller looked it up already. */
static void ipv4_route_nh(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
			  struct rte_ipv4_hdr *ip, unsigned origin, const struct fib_nh *nh,
			  const struct peer *pe_hint)
{
	if (unlikely(nh == NULL)) {
		lc_drop(lc, in_idx, m, DP_DROP_NO_ROUTE);
		return;
	}
	if (nh->nh_type == FIB_NH_LOCAL) {
		ipv4_local(lc, in_idx, m, ip, origin);
		return;
	}
	/* The kernel originates what it sends us: no hop to count. */
	if (origin != IPV4_FROM_KERNEL) {
		if (unlikely(ip->time_to_live <= 1)) {
			punt_one(lc, in_idx, m,
				 PUNT_TTL | (origin == IPV4_FROM_TUNNEL ? PUNT_F_TUNNEL : 0));
			return;
		}
		ipv4_ttl_dec(ip);
	}
	switch (nh->nh_type) {
	case FIB_NH_CONNECTED:
	case FIB_NH_GATEWAY:
		ipv4_forward(lc, in_idx, m, ip, nh);
		break;
	case FIB_NH_TUNNEL:
		if (unlikely(!encap_push(
			    &lc->lc_q_encap, m, in_idx,
			    nh->nh_gw != 0 ? nh->nh_gw : rte_be_to_cpu_32(ip->dst_addr), pe_hint,
			    rte_be_to_cpu_16(ip->total_length),
			    lc->lc_dp->dp_tunnel.tn_copy_dscp ? ip->type_of_service : 0)))
			lc_drop(lc, in_idx, m, DP_DROP_QUEUE_FULL);
		break;
	default:
		lc_drop(lc, in_idx, m, DP_DROP_BLACKHOLE);
		break;
	}
}

/* Multicast and broadcast go their own way; the rest by nh. */
static void ipv4_route_looked_up(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf *m,
				 struct rte_ipv4_hdr *ip, unsigned origin, const struct fib_nh *nh,
				 const struct peer *pe_hint)
{
	if (unlikely(ipv4_is_group(&lc->lc_dp->dp_tunnel, rte_be_to_cpu_32(ip->dst_addr))))
		ipv4_group(lc, in_idx, m, origin);
	else
		ipv4_route_nh(lc, in_idx, m, ip, origin, nh, pe_hint);
}

/* The peers behind the tunnel next hops of a burst, in one bulk lookup,
 * with their counters (and ESP SAs) prefetched: with thousands of peers
 * each packet of a burst may need another peer's lines from memory. */
static void ipv4_peers_bulk(struct lcore_ctx *lc, const uint32_t *dst,
			    const struct fib_nh *const *nh, uint16_t n, const struct peer **pe)
{
	const struct dp *dp = lc->lc_dp;
	uint32_t uniq[DP_BURST];
	const struct peer *found[DP_BURST];
	uint8_t slot[DP_BURST]; /* packet i's entry in uniq/found */
	uint16_t nu = 0;

	/* Consecutive packets to one peer (a flow's burst) share a lookup. */
	for (uint16_t i = 0; i < n; i++) {
		uint32_t t;

		slot[i] = UINT8_MAX;
		if (nh[i] == NULL || nh[i]->nh_type != FIB_NH_TUNNEL)
			continue;
		t = nh[i]->nh_gw != 0 ? nh[i]->nh_gw : dst[i];
		if (nu == 0 || uniq[nu - 1] != t)
			uniq[nu++] = t;
		slot[i] = (uint8_t)(nu - 1);
	}
	peer_table_lookup_bulk(&dp->dp_peers, uniq, nu, found);
	for (uint16_t u = 0; u < nu; u++) {
		if (found[u] == NULL)
			continue;
		rte_prefetch0(&lc->lc_peer_stats[found[u]->pe_id]);
		if (dp->dp_tunnel.tn_esp && found[u]->pe_sa_out != NULL)
			esp_sa_prefetch(found[u]->pe_sa_out, false);
	}
	for (uint16_t i = 0; i < n; i++)
		pe[i] = slot[i] == UINT8_MAX ? NULL : found[slot[i]];
}

/* Route pkts[0..n) (n <= DP_BURST): valid IPv4 packets from one port (or
 * out of the tunnel), headers ip[], destinations dst[] (host order), which
 * fib_lookup_bulk found as nh[] (NULL: no route). The TTL is decremented
 * here (not for packets the kernel originates). */
static void route_burst(struct lcore_ctx *lc, uint8_t in_idx, struct rte_mbuf **pkts,
			struct rte_ipv4_hdr **ip, const uint32_t *dst, const struct fib_nh **nh,
			uint16_t n, unsigned origin)
{
	const struct peer *pe[DP_BURST];

	RTE_ASSERT(n <= DP_BURST);
	ipv4_peers_bulk(lc, dst, nh, n, pe);
	for (uint16_t i = 0; i < n; i++)
		ipv4_route_looked_up(lc, in_idx, pkts[i], ip[i], origin, nh[i], pe[i]);
}

void stage_route_port(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	unsigned origin = dp->dp_ports[port_idx].pt_role == DP_PORT_KERNEL ? IPV4_FROM_KERNEL
									   : IPV4_FROM_PORT;
	struct rte_ipv4_hdr *ip[DP_BURST];
	const struct fib_nh *nh[DP_BURST];
	uint32_t dst[DP_BURST];
	uint16_t k = 0;
	/* ESP to the WAN port's own address (its /32 is a local route) goes
	 * straight to the ESP queue, as the route stage would send it. */
	/* The tunnel's own packets to the WAN port's address (its /32 is a
	 * local route) go straight to their stage, as routing would send
	 * them: ESP with protection esp, GRE without. */
	bool wan_in = dp->dp_tunnel.tn_present && origin == IPV4_FROM_PORT &&
		      port_idx == dp->dp_tunnel.tn_wan;
	uint8_t tunnel_proto = dp->dp_tunnel.tn_esp ? IPPROTO_ESP : IPPROTO_GRE;
	rte_be32_t wan = rte_cpu_to_be_32(dp->dp_ports[port_idx].pt_addr);

	/* Stage by stage over the burst: validate, route, find the peers;
	 * then each packet on its own with its lookups done. */
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(ipv4_validate(pkts[i], &ip[k]) != 0)) {
			lc_drop(lc, port_idx, pkts[i], DP_DROP_IPV4_HEADER);
			continue;
		}
		if (wan_in && ip[k]->dst_addr == wan && ip[k]->next_proto_id == tunnel_proto &&
		    !rte_ipv4_frag_pkt_is_fragmented(ip[k])) {
			if (unlikely(!tunnel_in(lc, port_idx, pkts[i], ip[k])))
				lc_drop(lc, port_idx, pkts[i], DP_DROP_QUEUE_FULL);
			continue;
		}
		dst[k] = rte_be_to_cpu_32(ip[k]->dst_addr);
		pkts[k++] = pkts[i];
	}
	if (k == 0)
		return;
	fib_lookup_bulk(&dp->dp_fib, dst, k, nh);
	route_burst(lc, port_idx, pkts, ip, dst, nh, k, origin);
}

/* Phase 3 hub: the packet goes back out of the tunnel, so the spoke that
 * sent it should learn a better path (Traffic Indication). */
static void route_redirect(struct lcore_ctx *lc, uint8_t in_idx, uint32_t from_nbma,
			   const struct rte_ipv4_hdr *inner)
{
	struct dp_event ev;
	uint32_t target = rte_be_to_cpu_32(inner->dst_addr);
	uint16_t len;

	/* Every packet a hub hairpins asks; one a second per pair is sent. */
	if (!punt_event_due(lc, PUNT_EV_REDIRECT, from_nbma, target))
		return;
	len = RTE_MIN(rte_be_to_cpu_16(inner->total_length), (uint16_t)DP_EVENT_QUOTE);
	ev.ev_cause = PUNT_EV_REDIRECT;
	ev.ev_nbma = from_nbma;
	ev.ev_target = target;
	ev.ev_quote_len = len;
	rte_memcpy(ev.ev_quote, inner, len);
	punt_event_send(lc, in_idx, &ev);
}

/* q's packets [i, i + n), n <= DP_BURST: count them for their senders,
 * look the inner destinations up in one bulk lookup, raise the phase 3
 * redirects, route them as a burst. */
static void route_tunnel_chunk(struct lcore_ctx *lc, struct inner_queue *q, uint16_t i, uint16_t n)
{
	const struct dp *dp = lc->lc_dp;
	const struct dp_tunnel *tn = &dp->dp_tunnel;
	uint8_t in_idx = (uint8_t)tn->tn_wan; /* the GRE-decap stage let no other port in */
	const struct fib_nh *nh[DP_BURST];

	/* Per run of packets from one sender: one update of its counters. */
	for (uint16_t k = i, j; k < i + n; k = j) {
		const struct peer *pe = q->pe[k];
		uint64_t bytes = 0;

		for (j = k; j < i + n && q->pe[j] == pe; j++)
			bytes += rte_be_to_cpu_16(q->ip[j]->total_length);
		if (pe != NULL) {
			lc->lc_peer_stats[pe->pe_id].ps_rx_pkts += (uint64_t)(j - k);
			lc->lc_peer_stats[pe->pe_id].ps_rx_bytes += bytes;
		}
	}
	fib_lookup_bulk(&dp->dp_fib, &q->dst[i], n, nh);
	if (tn->tn_is_hub && tn->tn_phase == 3)
		for (uint16_t k = 0; k < n; k++)
			if (nh[k] != NULL && nh[k]->nh_type == FIB_NH_TUNNEL)
				route_redirect(lc, in_idx, q->nbma[i + k], q->ip[i + k]);
	route_burst(lc, in_idx, &q->m[i], &q->ip[i], &q->dst[i], nh, n, IPV4_FROM_TUNNEL);
}

void stage_route_tunnel(struct lcore_ctx *lc)
{
	struct inner_queue *q = &lc->lc_q_inner;
	uint16_t n = q->n;

	if (n == 0)
		return;
	/* Routing what came out of the tunnel queues nothing here (GRE inside
	 * GRE is dropped): the queue is stable while it drains. */
	q->n = 0;
	if (cap_is_on(&lc->lc_dp->dp_cap))
		for (uint16_t i = 0; i < n; i++)
			cap_take_ip(lc, CAP_IN, q->ip[i], rte_be_to_cpu_16(q->ip[i]->total_length));
	if (unlikely(lc->lc_dp->dp_flow.dfe_on))
		for (uint16_t i = 0; i < n; i++)
			flow_account(lc, FLOW_IN, q->ip[i],
				     rte_be_to_cpu_16(q->ip[i]->total_length), q->nbma[i]);
	for (uint16_t i = 0; i < n; i += DP_BURST)
		route_tunnel_chunk(lc, q, i, RTE_MIN((uint16_t)(n - i), (uint16_t)DP_BURST));
}
