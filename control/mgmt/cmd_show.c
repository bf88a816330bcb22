/* `show ...` commands: run on the control thread when a CLI session asks
 * (mgmt queue), read the node's state and the workers' counters, format text. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_version.h>

#include "esp_mgr.h"
#include "ike_keying.h"
#include "inet.h"
#include "kernel_export.h"
#include "kernel_routes.h"
#include "lcore_ctx.h"
#include "log.h"
#include "node.h"
#include "version.h"

static void show_version(struct node *nd, struct strbuf *out)
{
	const struct fib *f = &nd->nd_dp.dp_fib;
	uint64_t up = (clock_now(&nd->nd_clock) - nd->nd_start_ns) / CLK_NS_PER_S;

	strbuf_printf(out, "dmvpnd %s, %s\n", DMVPND_VERSION, rte_version());
	strbuf_printf(out,
		      "node %s, role %s, uptime %" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		      "\n",
		      nd->nd_cfg->name, cfg_role_name(nd->nd_cfg->role), up / 86400, up / 3600 % 24,
		      up / 60 % 60, up % 60);
	strbuf_printf(out, "%u worker(s), %u port(s), config %s\n", nd->nd_dp.dp_nworkers,
		      nd->nd_dp.dp_nports, nd->nd_cfg->file);
	strbuf_printf(out, "limits: %u of %u peers, %u of %u routes (%u next hops)\n",
		      nd->nd_ctl.ct_nhrp_cache ? (unsigned)rte_hash_count(nd->nd_ctl.ct_nhrp_cache)
					       : 0,
		      nd->nd_dp.dp_max_peers, f->fb_nroutes, f->fb_max_routes, f->fb_nh_used);
}

static void show_one_interface(struct node *nd, unsigned p, struct strbuf *out)
{
	const struct dp_port *pt = &nd->nd_dp.dp_ports[p];
	const uint64_t *cc = nd->nd_ctl.ct_cnt[p];
	struct dp_port_stats s;
	struct rte_eth_link link;
	struct rte_eth_stats hw;
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTR];
	uint64_t drops = 0;

	node_port_stats(nd, p, &s);
	dp_port_stats_sub(&s, &nd->nd_port_base[p]);
	memset(&hw, 0, sizeof(hw));
	rte_eth_stats_get(pt->pt_id, &hw);
	rte_eth_link_get_nowait(pt->pt_id, &link);
	rte_ether_format_addr(mac, sizeof(mac), &pt->pt_mac);
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		drops += s.ps_drop[d];
	strbuf_printf(out, "%s is %s (%s port, ethdev %u)\n", pt->pt_name,
		      link.link_status ? "up" : "down",
		      pt->pt_role == DP_PORT_KERNEL ? "tunnel's kernel"
						    : cfg_port_role_name(pt->pt_role),
		      pt->pt_id);
	strbuf_printf(out, "  Hardware address %s, Internet address %s/%u, MTU %u\n", mac,
		      inet_v4_str(pt->pt_addr, ip), pt->pt_plen, pt->pt_mtu);
	strbuf_printf(out,
		      "  %" PRIu64 " packets input, %" PRIu64 " bytes, %" PRIu64 " punted, %" PRIu64
		      " dropped\n",
		      s.ps_rx_pkts, s.ps_rx_bytes, s.ps_punt_pkts, drops);
	strbuf_printf(
		out, "  %" PRIu64 " packets output, %" PRIu64 " bytes, %" PRIu64 " from control\n",
		s.ps_tx_pkts + cc[CTL_TX_PKTS], s.ps_tx_bytes + cc[CTL_TX_BYTES], cc[CTL_TX_PKTS]);
	strbuf_printf(out,
		      "  driver: %" PRIu64 " missed, %" PRIu64 " rx errors, %" PRIu64
		      " tx errors, %" PRIu64 " no mbuf\n",
		      hw.imissed, hw.ierrors, hw.oerrors, hw.rx_nombuf);
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		if (s.ps_drop[d] != 0)
			strbuf_printf(out, "  drop %-22s %" PRIu64 "\n", dp_drop_name(d),
				      s.ps_drop[d]);
	for (unsigned d = 1; d < ESP_DROP_COUNT; d++)
		if (s.ps_esp_drop[d] != 0)
			strbuf_printf(out, "  esp  %-22s %" PRIu64 "\n", esp_drop_name(d),
				      s.ps_esp_drop[d]);
	for (unsigned c = 0; c < CTL_COUNTER_COUNT; c++)
		if (cc[c] != 0)
			strbuf_printf(out, "  ctl  %-22s %" PRIu64 "\n", ctl_counter_name(c),
				      cc[c]);
}

/* Every port, or the one named (a port name or the tunnel's kernel
 * interface, as the first line of each calls it). */
static void show_interfaces(struct node *nd, const char *name, struct strbuf *out)
{
	unsigned shown = 0;

	for (unsigned p = 0; p < nd->nd_dp.dp_nports; p++)
		if (name[0] == '\0' || strcmp(nd->nd_dp.dp_ports[p].pt_name, name) == 0) {
			show_one_interface(nd, p, out);
			shown++;
		}
	if (shown == 0)
		strbuf_printf(out, "%% no interface %s\n", name);
}

static void show_worker(struct node *nd, struct strbuf *out)
{
	strbuf_printf(out, "%-6s %-6s %-14s %-12s %-9s %-7s %-10s %s\n", "Worker", "Lcore",
		      "Packets", "Bursts", "Pkt/burst", "Busy%", "Ev lost", "RX queues");
	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		const struct lcore_ctx *lc = nd->nd_dp.dp_workers[w];
		const volatile struct dp_lcore_stats *ls = &lc->lc_stats;
		uint64_t pkts = ls->ls_pkts, bursts = ls->ls_bursts;
		char rxq[128];
		size_t used = 0;

		rxq[0] = '\0';
		for (unsigned q = 0; q < lc->lc_nrxq && used < sizeof(rxq); q++)
			used += (size_t)snprintf(
				rxq + used, sizeof(rxq) - used, "%s%s/%u", q ? " " : "",
				nd->nd_dp.dp_ports[lc->lc_rxq[q].rq_port_idx].pt_name,
				lc->lc_rxq[q].rq_queue);
		strbuf_printf(
			out,
			"%-6u %-6u %-14" PRIu64 " %-12" PRIu64 " %-9.1f %-7.1f %-10" PRIu64 " %s\n",
			w, lc->lc_lcore, pkts, bursts, bursts ? (double)pkts / (double)bursts : 0.0,
			nd->nd_sample[w].ws_busy_pct, ls->ls_events_lost, rxq);
	}
	strbuf_printf(out,
		      "\nControl thread: longest turn %.1f ms, %" PRIu64
		      " turns over %llu ms (since start or clear counters)\n",
		      (double)nd->nd_turn_longest_shown_ns / 1e6,
		      nd->nd_turns_slow - nd->nd_turns_slow_base, NODE_TURN_SLOW_NS / 1000000);
}

static int route_cmp(const void *a, const void *b)
{
	const struct fib_route *x = a, *y = b;

	if (x->rt_prefix != y->rt_prefix)
		return x->rt_prefix < y->rt_prefix ? -1 : 1;
	return (int)x->rt_len - (int)y->rt_len;
}

static void show_one_route(struct node *nd, const struct fib_route *rt, struct strbuf *out)
{
	/* clang-format off */
	static const char codes[] = {[FIB_SRC_CONNECTED] = 'C', [FIB_SRC_LOCAL] = 'L',
				     [FIB_SRC_STATIC] = 'S', [FIB_SRC_NHRP] = 'H'};
	/* clang-format on */
	const struct fib_nh *nh = &nd->nd_dp.dp_fib.fb_nh[rt->rt_nh_idx];
	const char *tun = nd->nd_cfg->tunnel.present ? nd->nd_cfg->tunnel.name : "tunnel";
	char p[INET_ADDRSTR], g[INET_ADDRSTR];

	char code = rt->rt_source == FIB_SRC_KERNEL
			    ? kroutes_code(nd->nd_ctl.ct_kroutes, rt->rt_prefix, rt->rt_len)
			    : codes[rt->rt_source];

	strbuf_printf(out, "%c    %s/%u ", code, inet_v4_str(rt->rt_prefix, p), rt->rt_len);
	switch (nh->nh_type) {
	case FIB_NH_LOCAL:
		strbuf_printf(out, "is this node's address\n");
		break;
	case FIB_NH_CONNECTED:
		strbuf_printf(out, "is directly connected, %s\n",
			      nd->nd_dp.dp_ports[nh->nh_port].pt_name);
		break;
	case FIB_NH_GATEWAY:
		strbuf_printf(out, "via %s, %s\n", inet_v4_str(nh->nh_gw, g),
			      nd->nd_dp.dp_ports[nh->nh_port].pt_name);
		break;
	case FIB_NH_TUNNEL:
		if (nh->nh_gw != 0)
			strbuf_printf(out, "via %s, %s\n", inet_v4_str(nh->nh_gw, g), tun);
		else
			strbuf_printf(out, "is directly connected, %s\n", tun);
		break;
	default:
		strbuf_printf(out, "is a blackhole (broadcast)\n");
		break;
	}
}

/* show ip route A.B.C.D: the route a packet to it takes (longest match). */
static void show_ip_route_to(struct node *nd, const char *arg, struct strbuf *out)
{
	const struct fib_route *best;
	uint32_t dst = 0;

	inet_v4_parse(arg, &dst);
	best = node_route_to(nd, dst);
	if (best == NULL) {
		strbuf_printf(out, "%% no route to %s\n", arg);
		return;
	}
	show_one_route(nd, best, out);
}

/* show ip route summary: routes by source, and what the kernel's table
 * brought in. */
static void show_ip_route_summary(struct node *nd, struct strbuf *out)
{
	const struct fib *f = &nd->nd_dp.dp_fib;
	uint32_t n[FIB_SRC_KERNEL + 1] = {0};
	struct kroutes_stats ks;

	for (uint32_t i = 0; i < f->fb_nroutes; i++)
		if (f->fb_routes[i].rt_source <= FIB_SRC_KERNEL)
			n[f->fb_routes[i].rt_source]++;
	strbuf_printf(out, "Routes %u of %u (limits.max-routes)\n", f->fb_nroutes,
		      f->fb_max_routes);
	for (unsigned s = 0; s <= FIB_SRC_KERNEL; s++)
		strbuf_printf(out, "  %-10s %u\n", fib_source_name((enum fib_source)s), n[s]);
	if (nd->nd_ctl.ct_kroutes == NULL) {
		strbuf_printf(out, "Kernel routes: not followed (no tunnel.kernel-interface)\n");
		return;
	}
	kroutes_get_stats(nd->nd_ctl.ct_kroutes, &ks);
	strbuf_printf(
		out,
		"Kernel routes via %s: %u held, %u in the FIB\n"
		"  updates    %" PRIu64 "\n  installed  %" PRIu64 "\n"
		"  withdrawn  %" PRIu64 "\n  shadowed   %" PRIu64
		" (by a connected, static or NHRP route)\n"
		"  ignored    %" PRIu64 " (not via %s, or not unicast)\n"
		"  full       %" PRIu64 "\n  malformed  %" PRIu64 "\n  resyncs    %" PRIu64 "\n",
		kroutes_ifname(nd->nd_ctl.ct_kroutes), ks.ks_learned, n[FIB_SRC_KERNEL],
		ks.ks_updates, ks.ks_installed, ks.ks_withdrawn, ks.ks_shadowed, ks.ks_ignored,
		kroutes_ifname(nd->nd_ctl.ct_kroutes), ks.ks_full, ks.ks_bad, ks.ks_resyncs);
	if (nd->nd_ctl.ct_kexport != NULL) {
		struct kexport_stats xs;

		kexport_get_stats(nd->nd_ctl.ct_kexport, &xs);
		strbuf_printf(out,
			      "Registrations to the kernel (proto dmvpnd): %u held\n"
			      "  added      %" PRIu64 "\n  removed    %" PRIu64 "\n"
			      "  refused    %" PRIu64 "\n",
			      (uint32_t)(xs.kx_added - xs.kx_removed), xs.kx_added, xs.kx_removed,
			      xs.kx_failed);
	}
}

static void show_ip_route(struct node *nd, const char *arg, struct strbuf *out)
{
	const struct fib *f = &nd->nd_dp.dp_fib;
	struct fib_route *v;

	if (strcmp(arg, "summary") == 0) {
		show_ip_route_summary(nd, out);
		return;
	}
	if (arg[0] != '\0') {
		show_ip_route_to(nd, arg, out);
		return;
	}
	v = malloc((f->fb_nroutes ? f->fb_nroutes : 1) * sizeof(*v));
	if (v == NULL)
		return;
	memcpy(v, f->fb_routes, f->fb_nroutes * sizeof(*v));
	qsort(v, f->fb_nroutes, sizeof(*v), route_cmp);
	strbuf_printf(out, "Codes: C - connected, L - local, S - static, H - NHRP,\n"
			   "       B - BGP, O - OSPF, R - RIP, E - EIGRP, I - IS-IS, K - kernel\n"
			   "       (the last six learned from the kernel's table)\n\n");
	for (uint32_t i = 0; i < f->fb_nroutes; i++)
		show_one_route(nd, &v[i], out);
	free(v);
}

static void show_logging(struct node *nd, struct strbuf *out)
{
	const struct cfg_logging *lg = &nd->nd_cfg->logging;

	strbuf_printf(out, "Logging to %s, the last %u lines kept\nLevels:",
		      lg->dest == CFG_LOG_SYSLOG ? "syslog (daemon)" : "stderr", lg->buffer_lines);
	for (unsigned i = 0; i < LOG_SUBSYS_COUNT; i++)
		strbuf_printf(out, " %s %s", log_subsys_names[i],
			      log_level_name(log_get_subsys_level(i)));
	strbuf_printf(out, "\n\n");
	log_stream_recent(out);
}

/* clear crypto session [peer A.B.C.D] */
static void clear_crypto_session(struct node *nd, const char *arg, struct strbuf *out)
{
	uint32_t peer = 0;

	if (nd->nd_ctl.ct_ike == NULL) {
		strbuf_printf(out, "no IKE: tunnel.esp.keying is not ike\n");
		return;
	}
	if (arg[0] != '\0' &&
	    (strncmp(arg, "peer ", 5) != 0 || inet_v4_parse(arg + 5, &peer) != 0 || peer == 0)) {
		strbuf_printf(out, "%% Invalid input: %s (expected: peer A.B.C.D)\n", arg);
		return;
	}
	strbuf_printf(out, "cleared %u IKE SAs\n",
		      ike_keying_clear(&nd->nd_ctl, peer, "by the operator", false));
}

void cmd_dispatch(void *ctx, struct mgmt_req *req)
{
	struct node *nd = ctx;

	req->mr_rc = 0;
	switch (req->mr_cmd) {
	case MGMT_SHOW_VERSION:
		show_version(nd, &req->mr_out);
		break;
	case MGMT_SHOW_RUNNING_CONFIG:
		cfg_dump_opts(nd->nd_cfg, &req->mr_out, false);
		break;
	case MGMT_SHOW_INTERFACES:
		show_interfaces(nd, req->mr_arg, &req->mr_out);
		break;
	case MGMT_SHOW_WORKER:
		show_worker(nd, &req->mr_out);
		break;
	case MGMT_SHOW_ARP:
		arp_show(&nd->nd_ctl, &req->mr_out);
		break;
	case MGMT_SHOW_IP_ROUTE:
		show_ip_route(nd, req->mr_arg, &req->mr_out);
		break;
	case MGMT_SHOW_CRYPTO_IPSEC_SA:
		esp_mgr_show(&nd->nd_ctl, &req->mr_out);
		break;
	case MGMT_SHOW_CRYPTO_IKEV2_SA:
		if (req->mr_arg[0] != '\0' && strcmp(req->mr_arg, "detail") != 0)
			strbuf_printf(&req->mr_out, "%% Invalid input: %s\n", req->mr_arg);
		else
			ike_keying_show_sa(&nd->nd_ctl, &req->mr_out, req->mr_arg[0] != '\0');
		break;
	case MGMT_SHOW_CRYPTO_IKEV2_STATS:
		ike_keying_show_stats(&nd->nd_ctl, &req->mr_out);
		break;
	case MGMT_SHOW_CRYPTO_SESSION:
		if (req->mr_arg[0] != '\0')
			strbuf_printf(&req->mr_out, "%% Invalid input: %s\n", req->mr_arg);
		else
			ike_keying_show_session(&nd->nd_ctl, &req->mr_out);
		break;
	case MGMT_CLEAR_CRYPTO_SESSION:
		clear_crypto_session(nd, req->mr_arg, &req->mr_out);
		break;
	case MGMT_DEBUG_CRYPTO_IKEV2:
	case MGMT_NO_DEBUG_CRYPTO_IKEV2:
		if (nd->nd_ctl.ct_ike == NULL) {
			strbuf_printf(&req->mr_out, "no IKE: tunnel.esp.keying is not ike\n");
			break;
		}
		ike_keying_debug(&nd->nd_ctl, req->mr_cmd == MGMT_DEBUG_CRYPTO_IKEV2);
		strbuf_printf(&req->mr_out, "IKEv2 message debugging is %s\n",
			      req->mr_cmd == MGMT_DEBUG_CRYPTO_IKEV2 ? "on" : "off");
		break;
	case MGMT_PING:
		cmd_ping(nd, req);
		break;
	case MGMT_DEBUG_NHRP:
	case MGMT_NO_DEBUG_NHRP: {
		const struct cfg *c = nd->nd_cfg;
		const char *lvl = c->logging.levels[LOG_SUBSYS_NHRP][0]
					  ? c->logging.levels[LOG_SUBSYS_NHRP]
					  : c->eal.log_level;

		log_set_subsys_level(LOG_SUBSYS_NHRP, req->mr_cmd == MGMT_DEBUG_NHRP
							      ? (int)RTE_LOG_DEBUG
							      : log_level_parse(lvl));
		LOG_CTL(INFO, "nhrp: debug nhrp %s", req->mr_cmd == MGMT_DEBUG_NHRP ? "on" : "off");
		strbuf_printf(&req->mr_out, "NHRP message debugging is %s\n",
			      req->mr_cmd == MGMT_DEBUG_NHRP ? "on" : "off");
		break;
	}
	case MGMT_DEBUG_IP_PACKET:
	case MGMT_NO_DEBUG_IP_PACKET: {
		const struct cfg *c = nd->nd_cfg;
		const char *lvl = c->logging.levels[LOG_SUBSYS_CTL][0]
					  ? c->logging.levels[LOG_SUBSYS_CTL]
					  : c->eal.log_level;
		bool on = req->mr_cmd == MGMT_DEBUG_IP_PACKET;

		nd->nd_ctl.ct_debug_ip = on;
		log_set_subsys_level(LOG_SUBSYS_CTL,
				     on ? (int)RTE_LOG_DEBUG : log_level_parse(lvl));
		LOG_CTL(INFO, "debug ip packet %s", on ? "on" : "off");
		strbuf_printf(&req->mr_out, "IP packet debugging is %s\n", on ? "on" : "off");
		break;
	}
	case MGMT_CLEAR_COUNTERS:
		for (unsigned p = 0; p < nd->nd_dp.dp_nports; p++) {
			node_port_stats(nd, p, &nd->nd_port_base[p]);
			memset(nd->nd_ctl.ct_cnt[p], 0, sizeof(nd->nd_ctl.ct_cnt[p]));
		}
		nd->nd_turn_longest_shown_ns = 0;
		nd->nd_turns_slow_base = nd->nd_turns_slow;
		strbuf_printf(&req->mr_out, "cleared the interface counters (show interfaces) and "
					    "the control thread's turn times (show worker)\n");
		break;
	case MGMT_METRICS:
		cmd_metrics(nd, req->mr_arg, req);
		break;
	case MGMT_CONFIGURE:
		node_config_command(nd, req->mr_arg, req);
		break;
	case MGMT_WRITE_MEMORY: {
		struct strbuf m;
		int rc;

		strbuf_init(&m);
		rc = node_config_write(nd, &m);
		strbuf_printf(&req->mr_out, "%s%s\n", rc == 0 ? "" : "% ", strbuf_str(&m));
		strbuf_fini(&m);
		break;
	}
	case MGMT_SHOW_STARTUP_CONFIG:
		node_config_show_startup(nd, &req->mr_out);
		break;
	case MGMT_MONITOR_CAPTURE:
		capture_command(nd, req->mr_arg, req);
		break;
	case MGMT_SHOW_FLOW_EXPORTER:
		flow_export_show(nd, &req->mr_out);
		break;
	case MGMT_SHOW_MONITOR_CAPTURE:
		capture_show(nd, &req->mr_out);
		break;
	case MGMT_SHOW_DMVPN_PATH:
		cmd_path(nd, req->mr_arg, &req->mr_out);
		break;
	case MGMT_SHOW_LOGGING:
		show_logging(nd, &req->mr_out);
		break;
	case MGMT_SHOW_DMVPN:
	case MGMT_SHOW_IP_NHRP:
	case MGMT_SHOW_IP_NHRP_NHS:
	case MGMT_SHOW_NHRP_STATS:
	case MGMT_CLEAR_IP_NHRP:
		cmd_nhrp_dispatch(nd, req);
		break;
	default:
		req->mr_rc = -EOPNOTSUPP;
		break;
	}
}
