/* Control-thread plumbing: its context, and the dispatch of packets the
 * workers punt (by cause) to the ARP and ICMP handlers. The event loop that
 * calls this lives in node.c with the rest of the node's lifecycle. */
#include <netinet/ip_icmp.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ctl.h"
#include "ping.h"
#include "lcore_ctx.h"
#include "log.h"
#include "esp_mgr.h"
#include "ike_keying.h"
#include "nhrp.h"
#include "nhrp_cache.h"

static const char *const ctl_counter_names[CTL_COUNTER_COUNT] = {
#define CTL_COUNTER_NAME(e, name) [CTL_##e] = name,
	CTL_COUNTERS(CTL_COUNTER_NAME)
#undef CTL_COUNTER_NAME
};

const char *ctl_counter_name(enum ctl_counter c)
{
	return (unsigned)c < CTL_COUNTER_COUNT ? ctl_counter_names[c] : "?";
}

int ctl_init(struct ctl *ct, struct dp *dp, struct clock *ck)
{
	int rc;

	memset(ct, 0, sizeof(*ct));
	ct->ct_dp = dp;
	ct->ct_clock = ck;
	ct->ct_arp_reachable_s = 300;
	rc = timer_heap_init(&ct->ct_timers);
	if (rc != 0)
		return rc;
	rc = arp_init(ct);
	rc = rc ? rc : nhrp_cache_init(ct, dp->dp_max_peers ? dp->dp_max_peers : 1024);
	if (rc != 0)
		ctl_fini(ct);
	return rc;
}

void ctl_fini(struct ctl *ct)
{
	nhrp_fini(ct);
	nhrp_cache_fini(ct);
	ike_keying_fini(ct);
	esp_mgr_fini(ct);
	arp_fini(ct);
	ping_fini(ct);
	timer_heap_fini(&ct->ct_timers);
}

/* A packet the worker could not forward because the next hop had no MAC:
 * route it again here and hold it while ARP resolves. */
static void ctl_resolve_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct fib_nh *nh = fib_lookup(&ct->ct_dp->dp_fib, rte_be_to_cpu_32(ip->dst_addr));

	if (nh == NULL || (nh->nh_type != FIB_NH_CONNECTED && nh->nh_type != FIB_NH_GATEWAY)) {
		ctl_count(ct, port_idx, CTL_NO_ROUTE);
		rte_pktmbuf_free(m);
		return;
	}
	/* The worker already decremented the TTL. */
	arp_output(ct, (uint8_t)nh->nh_port,
		   nh->nh_type == FIB_NH_GATEWAY ? nh->nh_gw : rte_be_to_cpu_32(ip->dst_addr), m);
}

void ctl_punt_input(struct ctl *ct, struct rte_mbuf *m)
{
	uint8_t port_idx = ct->ct_dp->dp_port_idx[m->port];
	enum punt_cause cause = punt_cause_of(m);

	if (port_idx >= ct->ct_dp->dp_nports || (unsigned)cause >= PUNT_CAUSE_COUNT) {
		rte_pktmbuf_free(m);
		return;
	}
	ct->ct_punt_rx[cause]++;
	if (unlikely(ct->ct_debug_ip) && cause != PUNT_ARP)
		ctl_debug_ip(punt_cause_name(cause), ct->ct_dp->dp_ports[port_idx].pt_name, m);
	switch (cause) {
	case PUNT_ARP:
		arp_input(ct, port_idx, m);
		break;
	case PUNT_LOCAL:
		icmp_local_input(ct, port_idx, m);
		break;
	case PUNT_RESOLVE:
		ctl_resolve_input(ct, port_idx, m);
		break;
	case PUNT_TTL:
		icmp_error_send(ct, port_idx, m, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL);
		break;
	case PUNT_NHRP:
		nhrp_input(ct, port_idx, m);
		break;
	case PUNT_IKE:
		ike_keying_input(ct, m);
		break;
	default:
		rte_pktmbuf_free(m);
		break;
	}
}

static void ctl_event_input(struct ctl *ct, const struct dp_event *ev)
{
	if ((unsigned)ev->ev_cause >= PUNT_CAUSE_COUNT || ev->ev_port >= ct->ct_dp->dp_nports)
		return;
	ct->ct_punt_rx[ev->ev_cause]++;
	if (ev->ev_cause == PUNT_EV_FRAG)
		icmp_frag_needed_send(ct, ev);
	else if (ev->ev_cause == PUNT_EV_SPI || ev->ev_cause == PUNT_EV_LIFETIME ||
		 ev->ev_cause == PUNT_EV_NATT)
		esp_mgr_event(ct, ev);
	else
		nhrp_event(ct, ev);
}

unsigned ctl_event_poll(struct ctl *ct)
{
	struct dp_event evs[DP_BURST];
	unsigned total = 0;

	for (unsigned w = 0; w < ct->ct_dp->dp_nworkers; w++) {
		struct lcore_ctx *lc = ct->ct_dp->dp_workers[w];
		unsigned n;

		if (lc->lc_events == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst_elem(lc->lc_events, evs, sizeof(evs[0]), DP_BURST,
						   NULL);
		for (unsigned i = 0; i < n; i++)
			ctl_event_input(ct, &evs[i]);
		total += n;
	}
	return total;
}

unsigned ctl_punt_poll(struct ctl *ct)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	/* The node's own class first, then a burst of NHRP and IKE: a flood
	 * of the tunnel's protocols waits on its own ring. */
	for (unsigned w = 0; w < ct->ct_dp->dp_nworkers; w++) {
		struct lcore_ctx *lc = ct->ct_dp->dp_workers[w];

		struct rte_ring *rings[2] = {lc->lc_punt, lc->lc_punt_tunnel};
		/* a test harness may give both classes one ring */
		unsigned n_rings = rings[1] == rings[0] ? 1 : 2;

		for (unsigned c = 0; c < n_rings; c++) {
			unsigned n =
				rte_ring_sc_dequeue_burst(rings[c], (void **)pkts, DP_BURST, NULL);

			for (unsigned i = 0; i < n; i++)
				ctl_punt_input(ct, pkts[i]);
			total += n;
		}
	}
	return total;
}
