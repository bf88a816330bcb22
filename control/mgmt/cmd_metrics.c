/* The node's counters as Prometheus text, in groups: node, ports, workers,
 * peers, nhrp, ike. Runs on the control thread (mgmt queue), reads what the
 * CLI's show commands read, so the two always agree. The Prometheus
 * endpoint serves every group; DPDK telemetry asks for one group at a time
 * (/dmvpn/<group>) and turns the lines into a dictionary. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>

#include "ike_keying.h"
#include "inet.h"
#include "lcore_ctx.h"
#include "nhrp.h"
#include "nhrp_cache.h"
#include "node.h"
#include "prom.h"
#include "version.h"

static void metrics_node(struct node *nd, struct strbuf *out)
{
	const struct fib *f = &nd->nd_dp.dp_fib;
	char l[160];

	snprintf(l, sizeof(l), "version=\"%s\",node=\"%s\",role=\"%s\"", DMVPND_VERSION,
		 nd->nd_cfg->name, cfg_role_name(nd->nd_cfg->role));
	prom_family(out, "dmvpnd_info", "gauge", "The build and the node; always 1");
	prom_u64(out, "dmvpnd_info", l, 1);
	prom_family(out, "dmvpnd_uptime_seconds", "gauge", "Seconds since the node started");
	prom_u64(out, "dmvpnd_uptime_seconds", "",
		 (clock_now(&nd->nd_clock) - nd->nd_start_ns) / 1000000000ull);
	prom_family(out, "dmvpnd_nhrp_cache_entries", "gauge",
		    "NHRP cache entries (this node's own included), as show version counts");
	prom_u64(out, "dmvpnd_nhrp_cache_entries", "",
		 nd->nd_ctl.ct_nhrp_cache ? (uint64_t)rte_hash_count(nd->nd_ctl.ct_nhrp_cache) : 0);
	prom_family(out, "dmvpnd_routes", "gauge", "Routes in the forwarding table");
	prom_u64(out, "dmvpnd_routes", "", f->fb_nroutes);
	prom_family(out, "dmvpnd_control_turn_longest_seconds", "gauge",
		    "The control thread's longest turn over what it serves, since start");
	prom_double(out, "dmvpnd_control_turn_longest_seconds", "",
		    (double)nd->nd_turn_longest_ns / 1e9);
	prom_family(out, "dmvpnd_control_turns_slow_total", "counter",
		    "Turns of the control thread that took over 10 ms");
	prom_u64(out, "dmvpnd_control_turns_slow_total", "", nd->nd_turns_slow);
}

static void metrics_ports(struct node *nd, struct strbuf *out)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
		{"dmvpnd_port_rx_packets_total", "Packets received by the workers",
		 offsetof(struct dp_port_stats, ps_rx_pkts)},
		{"dmvpnd_port_rx_bytes_total", "Bytes received by the workers",
		 offsetof(struct dp_port_stats, ps_rx_bytes)},
		{"dmvpnd_port_tx_packets_total", "Packets sent by the workers",
		 offsetof(struct dp_port_stats, ps_tx_pkts)},
		{"dmvpnd_port_tx_bytes_total", "Bytes sent by the workers",
		 offsetof(struct dp_port_stats, ps_tx_bytes)},
		{"dmvpnd_port_punted_packets_total", "Packets handed to the control thread",
		 offsetof(struct dp_port_stats, ps_punt_pkts)},
	};
	struct dp *dp = &nd->nd_dp;
	struct dp_port_stats s[DP_MAX_PORTS];
	char l[128];

	for (unsigned p = 0; p < dp->dp_nports; p++)
		node_port_stats(nd, p, &s[p]);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		prom_family(out, c[i].name, "counter", c[i].help);
		for (unsigned p = 0; p < dp->dp_nports; p++) {
			snprintf(l, sizeof(l), "port=\"%s\"", dp->dp_ports[p].pt_name);
			prom_u64(out, c[i].name, l,
				 *(const uint64_t *)((const char *)&s[p] + c[i].off));
		}
	}
	prom_family(out, "dmvpnd_port_drops_total", "counter",
		    "Packets the workers dropped, by port and reason");
	for (unsigned p = 0; p < dp->dp_nports; p++)
		for (unsigned d = 0; d < DP_DROP_COUNT; d++)
			if (s[p].ps_drop[d] != 0) {
				snprintf(l, sizeof(l), "port=\"%s\",reason=\"%s\"",
					 dp->dp_ports[p].pt_name, dp_drop_name(d));
				prom_u64(out, "dmvpnd_port_drops_total", l, s[p].ps_drop[d]);
			}
	prom_family(out, "dmvpnd_port_esp_drops_total", "counter",
		    "ESP packets the workers dropped, by port and reason");
	for (unsigned p = 0; p < dp->dp_nports; p++)
		for (unsigned d = 1; d < ESP_DROP_COUNT; d++)
			if (s[p].ps_esp_drop[d] != 0) {
				snprintf(l, sizeof(l), "port=\"%s\",reason=\"%s\"",
					 dp->dp_ports[p].pt_name, esp_drop_name(d));
				prom_u64(out, "dmvpnd_port_esp_drops_total", l,
					 s[p].ps_esp_drop[d]);
			}
}

static void metrics_workers(struct node *nd, struct strbuf *out)
{
	char l[64];
	unsigned w;

	prom_family(out, "dmvpnd_worker_packets_total", "counter", "Packets a worker received");
	for (w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		snprintf(l, sizeof(l), "worker=\"%u\",lcore=\"%u\"", w,
			 nd->nd_dp.dp_workers[w]->lc_lcore);
		prom_u64(out, "dmvpnd_worker_packets_total", l,
			 nd->nd_dp.dp_workers[w]->lc_stats.ls_pkts);
	}
	prom_family(out, "dmvpnd_worker_bursts_total", "counter",
		    "Non-empty bursts a worker polled");
	for (w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		snprintf(l, sizeof(l), "worker=\"%u\",lcore=\"%u\"", w,
			 nd->nd_dp.dp_workers[w]->lc_lcore);
		prom_u64(out, "dmvpnd_worker_bursts_total", l,
			 nd->nd_dp.dp_workers[w]->lc_stats.ls_bursts);
	}
	prom_family(out, "dmvpnd_worker_busy_ratio", "gauge",
		    "Share of the last second a worker spent on packets (0..1)");
	for (w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		snprintf(l, sizeof(l), "worker=\"%u\",lcore=\"%u\"", w,
			 nd->nd_dp.dp_workers[w]->lc_lcore);
		prom_double(out, "dmvpnd_worker_busy_ratio", l,
			    nd->nd_sample[w].ws_busy_pct / 100.0);
	}
}

struct peer_walk {
	struct strbuf *out;
	const char *name;
	uint32_t only; /* 0 = every peer */
	unsigned what;
};

static const char *const peer_metric[] = {
	"dmvpnd_peer_tx_packets_total", "dmvpnd_peer_tx_bytes_total",
	"dmvpnd_peer_rx_packets_total", "dmvpnd_peer_rx_bytes_total"};

static const char *peer_type(const struct nhrp_cache_entry *e)
{
	return e->nc_type == NC_STATIC     ? "static"
	       : e->nc_type == NC_SHORTCUT ? "shortcut"
					   : "dynamic";
}

static void peer_row(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg)
{
	struct peer_walk *pw = arg;
	char ov[INET_ADDRSTR], nb[INET_ADDRSTR], l[128];
	struct peer_stats st;
	uint64_t v[4];

	if (e->nc_type == NC_INCOMPLETE || e->nc_type == NC_LOCAL)
		return;
	if (pw->only != 0 && e->nc_overlay != pw->only)
		return;
	nhrp_cache_stats(ct, e, &st);
	v[0] = st.ps_tx_pkts;
	v[1] = st.ps_tx_bytes;
	v[2] = st.ps_rx_pkts;
	v[3] = st.ps_rx_bytes;
	snprintf(l, sizeof(l), "peer=\"%s\",nbma=\"%s\",type=\"%s\"",
		 inet_v4_str(e->nc_overlay, ov), inet_v4_str(e->nc_nbma_seen, nb), peer_type(e));
	prom_u64(pw->out, peer_metric[pw->what], l, v[pw->what]);
}

static const char *const peer_help[] = {"Packets sent to the peer", "Bytes sent to the peer",
					"Packets received from the peer",
					"Bytes received from the peer"};

/* One peer, as show dmvpn counts it: a series per counter. */
static void metrics_peer(struct node *nd, uint32_t only, struct strbuf *out)
{
	const struct nhrp_cache_entry *e =
		nd->nd_ctl.ct_nhrp_cache != NULL ? nhrp_cache_lookup(&nd->nd_ctl, only) : NULL;
	struct peer_walk pw = {.out = out, .only = only};

	for (pw.what = 0; pw.what < 4; pw.what++) {
		prom_family(out, peer_metric[pw.what], "counter", peer_help[pw.what]);
		if (e != NULL)
			peer_row(&nd->nd_ctl, e, &pw);
	}
}

/* Every peer, a page at a time (a family's series stay together): page
 * pg_from of counter pg_step. True when there is more. */
#define METRICS_PAGE_ROWS 512
static bool metrics_peers_page(struct node *nd, struct mgmt_page *pg, struct strbuf *out)
{
	const struct nhrp_cache_entry *v[METRICS_PAGE_ROWS];
	struct peer_walk pw = {.out = out, .what = pg->pg_step};
	unsigned n;

	if (nd->nd_ctl.ct_nhrp_cache == NULL || pw.what >= 4)
		return false;
	if (pg->pg_from == 0)
		prom_family(out, peer_metric[pw.what], "counter", peer_help[pw.what]);
	n = nhrp_cache_page(&nd->nd_ctl, &pg->pg_from, v, METRICS_PAGE_ROWS);
	for (unsigned i = 0; i < n; i++)
		peer_row(&nd->nd_ctl, v[i], &pw);
	if (pg->pg_from == NHRP_CACHE_PAGE_END) {
		pg->pg_from = 0;
		pg->pg_step++;
	}
	return pg->pg_step < 4;
}

static void metrics_nhrp(struct node *nd, struct strbuf *out)
{
	const struct nhrp *nh = nd->nd_ctl.ct_nhrp;
	char l[96];

	if (nh == NULL)
		return;
	prom_family(out, "dmvpnd_nhrp_sent_total", "counter", "NHRP packets sent, by type");
	for (unsigned t = 1; t < NHRP_TYPES; t++) {
		snprintf(l, sizeof(l), "type=\"%s\"", nhrp_type_name(t));
		prom_u64(out, "dmvpnd_nhrp_sent_total", l, nh->nh_stats.st_sent[t]);
	}
	prom_family(out, "dmvpnd_nhrp_received_total", "counter", "NHRP packets received, by type");
	for (unsigned t = 1; t < NHRP_TYPES; t++) {
		snprintf(l, sizeof(l), "type=\"%s\"", nhrp_type_name(t));
		prom_u64(out, "dmvpnd_nhrp_received_total", l, nh->nh_stats.st_recv[t]);
	}
	prom_family(out, "dmvpnd_nhrp_errors_total", "counter",
		    "NHRP packets answered or refused with an error, by type");
	for (unsigned t = 1; t < NHRP_TYPES; t++) {
		snprintf(l, sizeof(l), "type=\"%s\"", nhrp_type_name(t));
		prom_u64(out, "dmvpnd_nhrp_errors_total", l, nh->nh_stats.st_err[t]);
	}
	prom_family(out, "dmvpnd_nhrp_bindings_moved_total", "counter",
		    "Unique bindings moved to a new NBMA address by the same IKE identity");
	prom_u64(out, "dmvpnd_nhrp_bindings_moved_total", "", nh->nh_stats.st_moved);
	prom_family(out, "dmvpnd_nhrp_drops_total", "counter",
		    "NHRP packets dropped or refused, by reason");
	for (unsigned d = 1; d < NHRP_DECODE_COUNT; d++)
		if (nh->nh_stats.st_decode[d] != 0) {
			snprintf(l, sizeof(l), "reason=\"%s\"", nhrp_decode_err_name(-(int)d));
			prom_u64(out, "dmvpnd_nhrp_drops_total", l, nh->nh_stats.st_decode[d]);
		}
	for (unsigned d = 0; d < NHRP_DROP_COUNT; d++)
		if (nh->nh_stats.st_drop[d] != 0) {
			snprintf(l, sizeof(l), "reason=\"%s\"", nhrp_drop_name(d));
			prom_u64(out, "dmvpnd_nhrp_drops_total", l, nh->nh_stats.st_drop[d]);
		}
}

static void metrics_ike(struct node *nd, struct strbuf *out)
{
	ike_keying_metrics(&nd->nd_ctl, out);
}

static const struct {
	const char *mg_name;
	void (*mg_fn)(struct node *nd, struct strbuf *out);
} metric_groups[] = {
	{"node", metrics_node}, {"ports", metrics_ports},           {"workers", metrics_workers},
	{"peers", NULL},        /* paged */ {"nhrp", metrics_nhrp}, {"ike", metrics_ike},
};

/* arg: "" (every group), a group name, or "peer A.B.C.D". A page a call:
 * mr_page.pg_part is the group to go on with. */
void cmd_metrics(struct node *nd, const char *arg, struct mgmt_req *req)
{
	const size_t ngroups = sizeof(metric_groups) / sizeof(metric_groups[0]);
	struct mgmt_page *pg = &req->mr_page;
	bool found = arg[0] == '\0';
	uint32_t a;

	if (strncmp(arg, "peer ", 5) == 0) {
		if (inet_v4_parse(arg + 5, &a) != 0)
			req->mr_rc = -EINVAL;
		else
			metrics_peer(nd, a, &req->mr_out);
		return;
	}
	for (size_t g = 0; g < ngroups; g++)
		found = found || strcmp(arg, metric_groups[g].mg_name) == 0;
	if (!found) {
		req->mr_rc = -ENOENT;
		return;
	}
	for (size_t g = pg->pg_part; g < ngroups; g++) {
		if (arg[0] != '\0' && strcmp(arg, metric_groups[g].mg_name) != 0)
			continue;
		if (metric_groups[g].mg_fn != NULL) {
			metric_groups[g].mg_fn(nd, &req->mr_out);
		} else if (metrics_peers_page(nd, pg, &req->mr_out)) {
			pg->pg_part = (uint32_t)g;
			req->mr_more = true;
			return;
		}
	}
}
