/* Node lifecycle and the control thread's event loop.
 *
 * Start order: RCU, tables, mbuf pool, ports, worker contexts, FIB, control
 * context, management; then workers launch. Stop is the reverse:
 *   0. NHRP purges and IKE Deletes go out while the ports still run;
 *   1. management stops (no new requests), the queue answers what is left;
 *   2. workers are told to stop and joined (they go RCU-offline on exit);
 *   3. ports stop and close;
 *   4. control state, tables and RCU are freed (no reader remains). */
#include "node.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "lcore_ctx.h"
#include "esp_mgr.h"
#include "ike_keying.h"
#include "kernel_export.h"
#include "kernel_routes.h"
#include "log.h"
#include "nhrp.h"
#include "nhrp_cache.h"
#include "ports.h"

#define PUNT_RING_SIZE 1024
#define EVENT_RING_SIZE 1024
#define CTL_IDLE_MAX_US 1000
#define SAMPLE_PERIOD_NS CLK_NS_PER_S

static int node_workers_create(struct node *nd)
{
	const struct cfg *cfg = nd->nd_cfg;
	struct dp *dp = &nd->nd_dp;

	dp->dp_nworkers = cfg->lcores.n_workers;
	for (unsigned w = 0; w < dp->dp_nworkers; w++) {
		struct lcore_ctx *lc = rte_zmalloc("lcore_ctx", sizeof(*lc), RTE_CACHE_LINE_SIZE);
		char name[RTE_RING_NAMESIZE];

		if (lc == NULL)
			return -ENOMEM;
		dp->dp_workers[w] = lc;
		lc->lc_idx = w;
		lc->lc_lcore = cfg->lcores.workers[w];
		lc->lc_dp = dp;
		snprintf(name, sizeof(name), "punt_w%u", w);
		lc->lc_punt = rte_ring_create(name, PUNT_RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "punt_tun_w%u", w);
		lc->lc_punt_tunnel = rte_ring_create(name, PUNT_RING_SIZE, SOCKET_ID_ANY,
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "event_w%u", w);
		lc->lc_events = rte_ring_create_elem(name, sizeof(struct dp_event), EVENT_RING_SIZE,
						     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		/* One counter block per peer-table slot (pe_id). */
		lc->lc_peer_stats =
			rte_zmalloc("peer_stats", dp->dp_peers.pt_size * sizeof(*lc->lc_peer_stats),
				    RTE_CACHE_LINE_SIZE);
		if (lc->lc_punt == NULL || lc->lc_punt_tunnel == NULL || lc->lc_events == NULL ||
		    lc->lc_peer_stats == NULL || rcu_reader_register(dp->dp_rcu, w) != 0 ||
		    crypto_mb_init(&lc->lc_cx) != 0)
			return -ENOMEM;
	}
	/* RX queues round-robin over workers. */
	for (unsigned p = 0; p < dp->dp_nports; p++)
		for (uint16_t q = 0; q < dp->dp_ports[p].pt_nb_rxq; q++) {
			struct lcore_ctx *lc = dp->dp_workers[q % dp->dp_nworkers];

			if (lc->lc_nrxq == DP_MAX_RXQ_PER_WORKER)
				return -E2BIG;
			lc->lc_rxq[lc->lc_nrxq].rq_port_idx = (uint8_t)p;
			lc->lc_rxq[lc->lc_nrxq].rq_queue = q;
			lc->lc_nrxq++;
		}
	return 0;
}

static void node_workers_destroy(struct node *nd)
{
	struct dp *dp = &nd->nd_dp;

	for (unsigned w = 0; w < dp->dp_nworkers; w++) {
		struct lcore_ctx *lc = dp->dp_workers[w];
		struct rte_mbuf *m = NULL;

		if (lc == NULL)
			continue;
		for (unsigned c = 0; c < 2; c++) {
			struct rte_ring *r = c == 0 ? lc->lc_punt : lc->lc_punt_tunnel;

			if (r == NULL)
				continue;
			while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
		}
		rte_ring_free(lc->lc_events);
		rte_free(lc->lc_peer_stats);
		if (lc->lc_cx.cm_mgr != NULL)
			crypto_mb_fini(&lc->lc_cx);
		for (unsigned p = 0; p < DP_MAX_PORTS; p++)
			rte_pktmbuf_free_bulk(lc->lc_tx[p].tp_pkts, lc->lc_tx[p].tp_n);
		rcu_reader_unregister(dp->dp_rcu, w);
		rte_free(lc);
		dp->dp_workers[w] = NULL;
	}
}

static void node_sample(struct timer *t, void *arg)
{
	struct node *nd = arg;
	uint64_t now_tsc = rte_rdtsc();

	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		const volatile struct dp_lcore_stats *ls = &nd->nd_dp.dp_workers[w]->lc_stats;
		struct worker_sample *s = &nd->nd_sample[w];
		uint64_t busy = ls->ls_busy_tsc;

		if (s->ws_tsc != 0 && now_tsc > s->ws_tsc)
			s->ws_busy_pct = 100.0 * (double)(busy - s->ws_busy_tsc) /
					 (double)(now_tsc - s->ws_tsc);
		s->ws_busy_tsc = busy;
		s->ws_tsc = now_tsc;
	}
	timer_arm(&nd->nd_ctl.ct_timers, t, clock_now(&nd->nd_clock) + SAMPLE_PERIOD_NS);
}

static void node_tunnel_init(struct node *nd)
{
	const struct cfg *cfg = nd->nd_cfg;
	const struct cfg_tunnel *ct = &cfg->tunnel;
	struct dp_tunnel *tn = &nd->nd_dp.dp_tunnel;

	if (!ct->present)
		return;
	tn->tn_present = true;
	tn->tn_is_hub = cfg->role == CFG_ROLE_HUB;
	tn->tn_phase = ct->phase;
	tn->tn_has_key = ct->has_gre_key;
	tn->tn_key = ct->gre_key;
	tn->tn_addr = ct->address.addr;
	tn->tn_plen = ct->address.len;
	tn->tn_mtu = ct->mtu;
	tn->tn_ttl = 64;
	tn->tn_copy_dscp = ct->copy_dscp;
	tn->tn_nhs_overlay = ct->n_nhs > 0 ? ct->nhs[0].overlay : 0;
	tn->tn_esp = ct->protection == CFG_PROT_ESP;
	tn->tn_ike = tn->tn_esp && ct->esp.keying == CFG_KEYING_IKE;
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].role == CFG_PORT_WAN)
			tn->tn_wan = (uint8_t)i;
}

static int node_dataplane_init(struct node *nd)
{
	const struct cfg *cfg = nd->nd_cfg;
	struct dp *dp = &nd->nd_dp;
	int rc;

	dp->dp_backoff.bo_adaptive = cfg->lcores.poll_sleep_adaptive;
	dp->dp_backoff.bo_sleep_us = cfg->lcores.poll_sleep_us;
	dp->dp_backoff.bo_max_us = cfg->lcores.poll_sleep_max_us;
	dp->dp_rcu = rcu_create("dmvpnd_rcu", cfg->lcores.n_workers, 4096);
	if (dp->dp_rcu == NULL)
		return -ENOMEM;
	dp->dp_max_peers = cfg->limits.max_peers;
	node_tunnel_init(nd);
	rc = neigh_table_init(&dp->dp_neigh, "neigh", 4096, dp->dp_rcu);
	rc = rc ? rc : fib_init(&dp->dp_fib, "fib", cfg->limits.max_routes, dp->dp_rcu);
	rc = rc ? rc : peer_table_init(&dp->dp_peers, "peers", dp->dp_max_peers, dp->dp_rcu);
	if (rc == 0 && dp->dp_tunnel.tn_present)
		rc = peer_table_index_subnet(&dp->dp_peers, dp->dp_tunnel.tn_addr,
					     dp->dp_tunnel.tn_plen);
	/* One inbound SA per peer (ESP pair), none without protection. */
	if (rc == 0 && dp->dp_tunnel.tn_esp)
		rc = sa_table_init(&dp->dp_sa_in, "sa_in", dp->dp_max_peers, dp->dp_rcu);
	else if (rc == 0)
		rc = sa_table_init(&dp->dp_sa_in, "sa_in", 16, dp->dp_rcu);
	if (rc != 0) {
		LOG_MAIN(ERR,
			 "tables for limits.max-peers %u, limits.max-routes %u: %s "
			 "(raise eal.size-mb or lower the limits; docs/config.md has the cost)",
			 cfg->limits.max_peers, cfg->limits.max_routes, strerror(-rc));
		return rc;
	}
	dp->dp_pool = rte_pktmbuf_pool_create("mbufs", ports_pool_size(cfg), 256, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (dp->dp_pool == NULL) {
		LOG_MAIN(ERR, "mbuf pool of %u: %s (raise eal.size-mb)", ports_pool_size(cfg),
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = ports_setup(dp, cfg);
	return rc ? rc : node_workers_create(nd);
}

/* The SA towards nbma changed: NHRP's entries that send there take it up,
 * and an NHS there that was down registers at once (a hub has none). */
static void node_sa_changed(struct ctl *ct, uint32_t nbma)
{
	nhrp_cache_republish_nbma(ct, nbma);
	if (ct->ct_nhrp != NULL)
		nhrp_nhc_sa_changed(ct->ct_nhrp, nbma);
}

/* A spoke's NHS that was up stopped answering: its IKE SA is started again
 * (a Delete, and a new one begun at once while NHRP needs the pair). An
 * NHS that restarted has forgotten the old SA, which would otherwise carry
 * registrations into the void until DPD gives up, a minute or more. FRR's
 * nhrpd does the same after failed registrations. An NHS that never
 * answered keeps its SA: IKE may be all it speaks. */
static void node_nhs_lost(struct ctl *ct, uint32_t nbma)
{
	ike_keying_clear(ct, nbma, "as its NHS stopped answering", true);
}

/* The ESP SA store calls nothing above it; what it has to tell goes here. */
static const struct esp_mgr_hooks node_esp_hooks = {
	.eh_sa_changed = node_sa_changed,
	.eh_keying_want = ike_keying_want,
	.eh_keying_release = ike_keying_release,
	.eh_keying_rekey = ike_keying_rekey,
	.eh_udp_send = ctl_udp_send,
};

/* NHRP's news for the static routes (a backup takes over from a route via
 * an NHS that went down) and IKE-lite; and what IKE authenticated a peer
 * as (a spoke whose address changed may take its binding along). */
static const struct nhrp_hooks node_nhrp_hooks = {
	.nhk_nhs_changed = node_routes_nhs_changed,
	.nhk_nhs_lost = node_nhs_lost,
	.nhk_peer_identity = ike_keying_peer_identity,
};

int node_start(struct node *nd, struct cfg *cfg)
{
	int rc;

	memset(nd, 0, sizeof(*nd));
	nd->nd_cfg = cfg;
	clock_init_monotonic(&nd->nd_clock);
	nd->nd_start_ns = clock_now(&nd->nd_clock);
	rc = node_dataplane_init(nd);
	rc = rc ? rc : ctl_init(&nd->nd_ctl, &nd->nd_dp, &nd->nd_clock);
	rc = rc ? rc : esp_mgr_init(&nd->nd_ctl, cfg, &node_esp_hooks);
	rc = rc ? rc : ike_keying_init(&nd->nd_ctl, cfg);
	rc = rc ? rc : nhrp_init(&nd->nd_ctl, cfg, &node_nhrp_hooks);
	rc = rc ? rc : node_routes_install(nd);
	if (rc != 0)
		return rc;
	if (cfg->tunnel.present && cfg->tunnel.kernel_if[0] != '\0') {
		nd->nd_ctl.ct_kroutes =
			kroutes_open(&nd->nd_ctl, cfg->tunnel.kernel_if, cfg->limits.max_routes);
		if (nd->nd_ctl.ct_kroutes == NULL) {
			LOG_MAIN(ERR, "routes from the kernel via %s: %s", cfg->tunnel.kernel_if,
				 strerror(errno));
			return -errno;
		}
	}
	if (cfg->tunnel.export_registrations) {
		nd->nd_ctl.ct_kexport = kexport_open(cfg->tunnel.kernel_if);
		if (nd->nd_ctl.ct_kexport == NULL) {
			LOG_MAIN(ERR, "registrations to the kernel via %s: %s",
				 cfg->tunnel.kernel_if, strerror(errno));
			return -errno;
		}
	}
	nd->nd_mq = mgmt_queue_create();
	if (nd->nd_mq == NULL)
		return -ENOMEM;
	nd->nd_guard = mgmt_guard_create();
	if (nd->nd_guard == NULL)
		return -ENOMEM;
	if (cfg->cli.telnet_port != 0) {
		nd->nd_telnet = mgmt_server_start(MGMT_TELNET, &cfg->cli, cfg->name, nd->nd_mq,
						  nd->nd_guard);
		if (nd->nd_telnet == NULL)
			return -errno;
	}
	if (cfg->cli.ssh_port != 0) {
		nd->nd_ssh =
			mgmt_server_start(MGMT_SSH, &cfg->cli, cfg->name, nd->nd_mq, nd->nd_guard);
		if (nd->nd_ssh == NULL)
			return -errno;
	}
	if (cfg->telemetry.dpdk) {
		mgmt_telemetry_start(nd->nd_mq);
		nd->nd_telemetry = true;
	}
	if (cfg->telemetry.prom_port != 0) {
		nd->nd_prom = mgmt_prometheus_start(cfg->telemetry.prom_addr,
						    cfg->telemetry.prom_port, nd->nd_mq);
		if (nd->nd_prom == NULL)
			return -errno;
	}
	rc = flow_export_init(nd);
	if (rc != 0) {
		LOG_MAIN(ERR, "flow export: %s", strerror(-rc));
		return rc;
	}
	timer_init(&nd->nd_sample_timer, node_sample, nd);
	timer_arm(&nd->nd_ctl.ct_timers, &nd->nd_sample_timer, nd->nd_start_ns);
	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		struct lcore_ctx *lc = nd->nd_dp.dp_workers[w];

		rc = rte_eal_remote_launch(worker_main, lc, lc->lc_lcore);
		if (rc != 0) {
			LOG_MAIN(ERR, "cannot launch worker on lcore %u", lc->lc_lcore);
			return rc;
		}
		nd->nd_workers_running = true;
	}
	nhrp_start(&nd->nd_ctl);
	LOG_MAIN(INFO, "node %s (%s) running: %u worker(s), %u port(s)", cfg->name,
		 cfg_role_name(cfg->role), nd->nd_dp.dp_nworkers, nd->nd_dp.dp_nports);
	return 0;
}

/* Idle: sleep up to CTL_IDLE_MAX_US, never past the next timer. */
static void node_idle(struct node *nd, unsigned idle_loops)
{
	uint64_t next = timer_next(&nd->nd_ctl.ct_timers);
	uint64_t now = clock_now(&nd->nd_clock);
	uint64_t us = RTE_MIN((uint64_t)idle_loops * 10, (uint64_t)CTL_IDLE_MAX_US);

	if (next > now)
		us = RTE_MIN(us, (next - now) / 1000 + 1);
	else
		us = 0;
	if (us > 0)
		usleep((useconds_t)us);
}

/* SIGHUP: the file again, applied live when it can be. */
static void node_reload(struct node *nd)
{
	struct strbuf msg;

	strbuf_init(&msg);
	if (node_config_reload(nd, &msg) == 0)
		LOG_MAIN(NOTICE, "SIGHUP: %s", strbuf_str(&msg));
	else
		LOG_MAIN(ERR, "SIGHUP: %s; still running on the previous configuration",
			 strbuf_str(&msg));
	strbuf_fini(&msg);
}

void node_run(struct node *nd, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
	unsigned idle = 0;

	while (!*stop) {
		if (*reload) {
			*reload = 0;
			node_reload(nd);
		}
		uint64_t t0 = clock_now(&nd->nd_clock), dt;
		unsigned work = ctl_punt_poll(&nd->nd_ctl);

		work += ctl_event_poll(&nd->nd_ctl);
		work += mgmt_queue_poll(nd->nd_mq, cmd_dispatch, nd, 8);
		work += capture_poll(nd);
		work += flow_export_poll(nd);
		work += kroutes_poll(nd->nd_ctl.ct_kroutes);
		work += kexport_poll(nd->nd_ctl.ct_kexport);
		work += timer_run(&nd->nd_ctl.ct_timers, clock_now(&nd->nd_clock));
		rcu_reclaim(nd->nd_dp.dp_rcu);
		dt = clock_now(&nd->nd_clock) - t0;
		if (dt > nd->nd_turn_longest_ns)
			nd->nd_turn_longest_ns = dt;
		if (dt > nd->nd_turn_longest_shown_ns)
			nd->nd_turn_longest_shown_ns = dt;
		nd->nd_turns_slow += dt > NODE_TURN_SLOW_NS;
		idle = work ? 0 : idle + 1;
		if (idle > 0)
			node_idle(nd, idle);
	}
}

void node_stop(struct node *nd)
{
	struct dp *dp = &nd->nd_dp;

	LOG_MAIN(INFO, "stopping");
	if (nd->nd_workers_running) {
		nhrp_stop(&nd->nd_ctl);       /* purges go out while ports still run */
		ike_keying_stop(&nd->nd_ctl); /* then each IKE peer's Delete */
	}
	mgmt_server_stop(nd->nd_telnet);
	mgmt_server_stop(nd->nd_ssh);
	mgmt_guard_destroy(nd->nd_guard);
	nd->nd_telnet = nd->nd_ssh = NULL;
	nd->nd_guard = NULL;
	if (nd->nd_mq != NULL) {
		mgmt_queue_close(nd->nd_mq);
		if (nd->nd_telemetry)
			mgmt_telemetry_stop();
		nd->nd_telemetry = false;
		mgmt_prometheus_stop(nd->nd_prom);
		nd->nd_prom = NULL;
		mgmt_queue_destroy(nd->nd_mq);
		nd->nd_mq = NULL;
	}
	__atomic_store_n(&dp->dp_stop, 1, __ATOMIC_RELEASE);
	if (nd->nd_workers_running)
		rte_eal_mp_wait_lcore();
	capture_fini(nd);
	flow_export_fini(nd);
	kroutes_close(nd->nd_ctl.ct_kroutes);
	nd->nd_ctl.ct_kroutes = NULL;
	kexport_close(nd->nd_ctl.ct_kexport);
	nd->nd_ctl.ct_kexport = NULL;
	ports_teardown(dp);
	timer_cancel(&nd->nd_ctl.ct_timers, &nd->nd_sample_timer);
	ctl_fini(&nd->nd_ctl);
	node_workers_destroy(nd);
	if (dp->dp_rcu != NULL)
		rcu_reclaim(dp->dp_rcu);
	neigh_table_fini(&dp->dp_neigh);
	peer_table_fini(&dp->dp_peers);
	if (dp->dp_sa_in.st_hash != NULL)
		sa_table_fini(&dp->dp_sa_in);
	rte_free(dp->dp_mcast);
	if (dp->dp_fib.fb_lpm != NULL)
		fib_fini(&dp->dp_fib);
	rcu_destroy(dp->dp_rcu);
	rte_mempool_free(dp->dp_pool);
	LOG_MAIN(INFO, "stopped");
}

void node_port_stats(struct node *nd, unsigned p, struct dp_port_stats *sum)
{
	const struct dp *dp = &nd->nd_dp;

	memset(sum, 0, sizeof(*sum));
	for (unsigned w = 0; w < dp->dp_nworkers; w++)
		dp_port_stats_add(sum, &dp->dp_workers[w]->lc_stats.ls_port[p]);
}
