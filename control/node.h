/* A running dmvpnd node: config, dataplane, control context, management.
 * node_start builds it on the main lcore after EAL init, node_run is the
 * control thread's event loop, node_stop tears it down in reverse. */
#ifndef DMVPND_NODE_H
#define DMVPND_NODE_H

#include <signal.h>

#include "cfg.h"
#include "clock.h"
#include "ctl.h"
#include "dp.h"
#include "mgmt.h"
#include "stats.h"

struct worker_sample {
	uint64_t ws_busy_tsc;
	uint64_t ws_tsc;
	double ws_busy_pct; /* over the last sample period */
};

#define NODE_TURN_SLOW_NS (10 * 1000 * 1000ull)

struct node {
	/* The running configuration: main's, changed in place by node_config.c
	 * (parts of the node keep pointers into it). */
	struct cfg *nd_cfg;
	struct dp nd_dp;
	struct clock nd_clock;
	struct ctl nd_ctl;
	struct mgmt_queue *nd_mq;
	struct mgmt_server *nd_telnet, *nd_ssh;
	struct mgmt_guard *nd_guard; /* failed logins per source, both listeners */
	struct mgmt_prometheus *nd_prom;
	struct capture_ctl *nd_capture; /* monitor capture, made when first used */
	struct flow_export *nd_flow;    /* IPFIX export, when configured */
	/* clear counters: what the ports' counters were then. The CLI shows
	 * the difference; telemetry the counters as they are (they only grow). */
	struct dp_port_stats nd_port_base[DP_MAX_PORTS];
	bool nd_telemetry; /* /dmvpn/... commands registered */
	struct timer nd_sample_timer;
	struct worker_sample nd_sample[CFG_MAX_WORKERS];
	uint64_t nd_start_ns;
	/* The control thread's turns (node_run: one pass over everything it
	 * serves): the longest, and how many took over NODE_TURN_SLOW_NS, since
	 * start (Prometheus) and since clear counters (show worker). */
	uint64_t nd_turn_longest_ns, nd_turn_longest_shown_ns;
	uint64_t nd_turns_slow, nd_turns_slow_base;
	bool nd_workers_running;
};

/* node.c */
int node_start(struct node *nd, struct cfg *cfg);
/* Runs until *stop becomes non-zero; re-reads the configuration file
 * whenever *reload does (then zeroes it). */
void node_run(struct node *nd, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);
void node_stop(struct node *nd);
/* The workers' counters of port p, summed. */
void node_port_stats(struct node *nd, unsigned p, struct dp_port_stats *sum);

/* node_routes.c */
/* The route a packet to dst takes (longest match), NULL if none. */
struct fib_route;
const struct fib_route *node_route_to(const struct node *nd, uint32_t dst);
/* Connected, local and static routes from the config into the FIB. */
int node_routes_install(struct node *nd);
/* One static route from the config, in or out of the FIB. */
/* The static route for the prefix that config c wants now (its usable
 * route of lowest distance) into the FIB, or the static route out when it
 * has none. 0 or -errno. */
int node_route_static_sync(struct node *nd, const struct cfg *c, uint32_t prefix, uint8_t len);
/* An NHS went down or came back: the static routes through it follow. */
void node_routes_nhs_changed(struct ctl *ct, uint32_t overlay, bool down);

/* node_config.c: the configuration while the node runs.
 * Runs on: the control thread. */
/* Makes `next` (validated) the running configuration. What may change
 * live: static routes, tunnel.holdtime, tunnel.nhrp-authentication,
 * eal.log-level, logging.levels and logging.destination. Any other difference refuses the whole change (-EPERM,
 * naming it) and nothing changes. `msg` says what was done or why not. */
int node_config_apply(struct node *nd, const struct cfg *next, struct strbuf *msg);
/* Re-reads the file the node started from and applies it (SIGHUP). A file
 * that does not load or validate changes nothing: -EINVAL, its
 * file:line:col error in msg. */
int node_config_reload(struct node *nd, struct strbuf *msg);
/* write memory: the running configuration into its file, atomically (a
 * temporary file, fsync, rename), the previous one kept as FILE.bak. */
int node_config_write(struct node *nd, struct strbuf *msg);
/* The log levels (eal.log-level, then logging.levels) and destination. */
void node_log_apply(const struct cfg *c);
/* show startup-config: the file as the node would load it now, secrets
 * hidden as in show running-config, or why it would not load. */
void node_config_show_startup(struct node *nd, struct strbuf *out);
/* configure terminal's commands (MGMT_CONFIGURE), one line each. */
void node_config_command(struct node *nd, const char *line, struct mgmt_req *req);

/* cmd_show.c */
/* mgmt_handler_fn: answers one CLI request on the control thread. */
void cmd_dispatch(void *ctx, struct mgmt_req *req);

/* capture_ctl.c: monitor capture. Runs on: the control thread. */
/* "start port ... file F" or "stop" (MGMT_MONITOR_CAPTURE). */
void capture_command(struct node *nd, const char *arg, struct mgmt_req *req);
void capture_show(struct node *nd, struct strbuf *out);
/* Every loop: copies to the file, the count checked. Returns work done. */
unsigned capture_poll(struct node *nd);
/* At stop, once the workers have stopped: the file closed, rings freed. */
void capture_fini(struct node *nd);

/* flow_export.c: IPFIX. Runs on: the control thread. init before the
 * workers start; fini after they stopped (their last flows go out). */
int flow_export_init(struct node *nd);
unsigned flow_export_poll(struct node *nd);
void flow_export_show(struct node *nd, struct strbuf *out);
void flow_export_fini(struct node *nd);

/* cmd_ping.c: MGMT_PING: "start A.B.C.D [repeat N] [size N] [source A]",
 * "trace A.B.C.D [max-ttl N] [source A]", "poll ID". */
void cmd_ping(struct node *nd, struct mgmt_req *req);

/* cmd_path.c: show dmvpn path A.B.C.D */
void cmd_path(struct node *nd, const char *arg, struct strbuf *out);

/* cmd_metrics.c */
/* MGMT_METRICS: Prometheus text of every group (arg ""), of one (node,
 * ports, workers, peers, nhrp, ike) or of one peer ("peer A.B.C.D"). */
void cmd_metrics(struct node *nd, const char *arg, struct mgmt_req *req);

/* cmd_nhrp.c */
/* show dmvpn, show ip nhrp, show nhrp stats, clear ip nhrp. */
void cmd_nhrp_dispatch(struct node *nd, struct mgmt_req *req);

#endif
