/* The node under test, built the way control/node.c builds it: RCU, the
 * tables, two net_ring ports (WAN, LAN; or, side by side, ports from
 * devargs: bench_vdev.c), the hub's tunnel, the fixed
 * routes and neighbours, and an lcore_ctx per worker. Peers come after
 * (bench_peers.c). No control thread runs: the generator drains the punt
 * and event rings in its place. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "bench.h"

#define BENCH_RING_SMALL 1024
#define BENCH_SHARED_SLEEP_MAX_US 50
/* The tunnel subnet: 262 144 addresses, so 100 000 peers fit and the peer
 * table indexes them directly (PEER_DIRECT_MIN_PLEN), as a hub's would. */
#define BENCH_TUN_PLEN 14

/* A net_ring ethdev of nq queues over rx/tx rings, queue q on rings
 * rx[q]/tx[q]: the generator on one end, worker q on the other. With rx ==
 * tx (the loop port) one ring serves both directions. */
static int topo_ring_port(const char *name, struct rte_ring **rx, struct rte_ring **tx, uint16_t nq,
			  unsigned size, struct rte_mempool *mp)
{
	char rn[RTE_RING_NAMESIZE];
	struct rte_eth_conf conf;
	int id;

	for (uint16_t q = 0; q < nq; q++) {
		snprintf(rn, sizeof(rn), "%s_rx%u", name, q);
		rx[q] = rte_ring_create(rn, size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (tx != rx) {
			snprintf(rn, sizeof(rn), "%s_tx%u", name, q);
			tx[q] = rte_ring_create(rn, size, SOCKET_ID_ANY,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		}
		if (rx[q] == NULL || tx[q] == NULL)
			return -ENOMEM;
	}
	id = rte_eth_from_rings(name, rx, nq, tx, nq, SOCKET_ID_ANY);
	if (id < 0)
		return -EIO;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure((uint16_t)id, nq, nq, &conf) != 0)
		return -EIO;
	for (uint16_t q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup((uint16_t)id, q, size, SOCKET_ID_ANY, NULL, mp) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)id, q, size, SOCKET_ID_ANY, NULL) != 0)
			return -EIO;
	return rte_eth_dev_start((uint16_t)id) != 0 ? -EIO : id;
}

static int topo_port(struct bench *b, unsigned idx, const char *name, uint8_t role, uint32_t addr)
{
	struct dp *dp = &b->b_dp;
	struct dp_port *pt = &dp->dp_ports[idx];
	uint16_t nq = (uint16_t)b->b_opt.o_nworkers;
	/* Room for every mbuf in flight on each queue: a full TX ring never
	 * drops, whichever worker the traffic is steered to. */
	unsigned size = rte_align32pow2(b->b_opt.o_inflight + 1);
	int id = b->b_vdev
			 ? bench_vdev_port(b, idx)
			 : topo_ring_port(name, b->b_rx[idx], b->b_tx[idx], nq, size, dp->dp_pool);

	if (id < 0)
		return id;
	pt->pt_id = (uint16_t)id;
	pt->pt_role = role;
	pt->pt_addr = addr;
	pt->pt_plen = 24;
	pt->pt_mtu = 1500;
	pt->pt_nb_rxq = nq;
	pt->pt_nb_txq = nq;
	pt->pt_ctl_txq = 0; /* no control thread sends in the bench */
	snprintf(pt->pt_name, sizeof(pt->pt_name), "%s", name);
	rte_eth_macaddr_get(pt->pt_id, &pt->pt_mac);
	dp->dp_port_idx[id] = (uint8_t)idx;
	return 0;
}

static void topo_tunnel(struct bench *b)
{
	struct dp_tunnel *tn = &b->b_dp.dp_tunnel;

	tn->tn_present = true;
	tn->tn_is_hub = true;
	tn->tn_phase = b->b_opt.o_phase;
	tn->tn_has_key = true;
	tn->tn_key = BENCH_GRE_KEY;
	tn->tn_addr = bench_tun_addr;
	tn->tn_plen = BENCH_TUN_PLEN;
	tn->tn_mtu = 1400;
	tn->tn_wan = BENCH_PORT_WAN;
	tn->tn_ttl = 64;
	tn->tn_esp = b->b_opt.o_prot != BENCH_PROT_NONE;
}

static int route(struct bench *b, uint32_t prefix, uint8_t len, uint8_t type, uint16_t port,
		 uint32_t gw)
{
	struct fib_nh nh = {.nh_type = type, .nh_port = port, .nh_gw = gw};

	return fib_route_add(&b->b_dp.dp_fib, prefix, len, &nh, FIB_SRC_STATIC);
}

/* What node_routes.c installs for the config plus the two gateways. */
static int topo_routes(struct bench *b)
{
	int rc = 0;

	rc |= route(b, bench_wan_addr & 0xffffff00u, 24, FIB_NH_CONNECTED, BENCH_PORT_WAN, 0);
	rc |= route(b, bench_wan_addr, 32, FIB_NH_LOCAL, BENCH_PORT_WAN, 0);
	/* The default route as two halves: rte_lpm takes no depth 0. */
	rc |= route(b, 0, 1, FIB_NH_GATEWAY, BENCH_PORT_WAN, bench_wan_gw);
	rc |= route(b, 0x80000000u, 1, FIB_NH_GATEWAY, BENCH_PORT_WAN, bench_wan_gw);
	rc |= route(b, bench_lan_addr & 0xffffff00u, 24, FIB_NH_CONNECTED, BENCH_PORT_LAN, 0);
	rc |= route(b, bench_lan_addr, 32, FIB_NH_LOCAL, BENCH_PORT_LAN, 0);
	rc |= route(b, 0x0a000000u, 8, FIB_NH_GATEWAY, BENCH_PORT_LAN, bench_lan_gw);
	rc |= route(b, bench_tun_addr & 0xffc00000u, 10, FIB_NH_TUNNEL, 0, 0);
	rc |= route(b, bench_tun_addr, 32, FIB_NH_LOCAL, 0, 0);
	/* Resolved neighbours: nothing is punted for ARP. */
	rc |= neigh_table_publish(&b->b_dp.dp_neigh, BENCH_PORT_WAN, bench_wan_gw,
				  &bench_wan_gw_mac);
	rc |= neigh_table_publish(&b->b_dp.dp_neigh, BENCH_PORT_LAN, bench_lan_gw,
				  &bench_lan_gw_mac);
	return rc != 0 ? -ENOSPC : 0;
}

static int topo_tables(struct bench *b)
{
	struct dp *dp = &b->b_dp;
	uint32_t n = RTE_MAX(b->b_opt.o_peers, 64u);
	int rc;

	dp->dp_rcu = rcu_create("bench_rcu", b->b_opt.o_nworkers, 4096);
	if (dp->dp_rcu == NULL)
		return -ENOMEM;
	dp->dp_max_peers = n;
	rc = neigh_table_init(&dp->dp_neigh, "bench_neigh", 64, dp->dp_rcu);
	rc = rc ? rc : fib_init(&dp->dp_fib, "bench_fib", n + 64, dp->dp_rcu);
	rc = rc ? rc : peer_table_init(&dp->dp_peers, "bench_peers", n, dp->dp_rcu);
	rc = rc ? rc : peer_table_index_subnet(&dp->dp_peers, bench_tun_addr, BENCH_TUN_PLEN);
	rc = rc ? rc : sa_table_init(&dp->dp_sa_in, "bench_sa_in", n, dp->dp_rcu);
	return rc;
}

/* node_workers_create for worker w: queue w of every port is its own. */
static int topo_worker(struct bench *b, unsigned w)
{
	struct dp *dp = &b->b_dp;
	struct lcore_ctx *lc = rte_zmalloc("lcore_ctx", sizeof(*lc), RTE_CACHE_LINE_SIZE);
	char name[RTE_RING_NAMESIZE];

	if (lc == NULL)
		return -ENOMEM;
	b->b_lc[w] = lc;
	dp->dp_workers[w] = lc;
	dp->dp_nworkers = w + 1;
	lc->lc_idx = w;
	lc->lc_lcore = b->b_opt.o_worker_lcores[w];
	lc->lc_dp = dp;
	snprintf(name, sizeof(name), "bench_punt%u", w);
	lc->lc_punt = rte_ring_create(name, BENCH_RING_SMALL, SOCKET_ID_ANY,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	lc->lc_punt_tunnel = lc->lc_punt; /* one ring for both classes */
	snprintf(name, sizeof(name), "bench_event%u", w);
	lc->lc_events = rte_ring_create_elem(name, sizeof(struct dp_event), BENCH_RING_SMALL,
					     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	lc->lc_peer_stats =
		rte_zmalloc("peer_stats", dp->dp_peers.pt_size * sizeof(*lc->lc_peer_stats),
			    RTE_CACHE_LINE_SIZE);
	if (lc->lc_punt == NULL || lc->lc_events == NULL || lc->lc_peer_stats == NULL ||
	    rcu_reader_register(dp->dp_rcu, w) != 0 || crypto_mb_init(&lc->lc_cx) != 0)
		return -ENOMEM;
	for (unsigned p = 0; p < dp->dp_nports; p++) {
		/* Side by side: the output port is never polled (net_null's RX
		 * invents packets unless told not to). */
		if (b->b_vdev && p != b->b_in_port)
			continue;
		lc->lc_rxq[lc->lc_nrxq].rq_port_idx = (uint8_t)p;
		lc->lc_rxq[lc->lc_nrxq].rq_queue = (uint16_t)w;
		lc->lc_nrxq++;
	}
	return 0;
}

int bench_topo_create(struct bench *b)
{
	struct dp *dp = &b->b_dp;
	/* In flight, a small reserve for replenishing, and the punt rings. */
	unsigned nmbufs = b->b_opt.o_inflight + 256 + BENCH_RING_SMALL * b->b_opt.o_nworkers;
	int rc;

	memset(dp->dp_port_idx, 0xff, sizeof(dp->dp_port_idx));
	dp->dp_kernel_port = -1;
	/* poll-sleep 0: the workers spin; unless two lcores share a CPU,
	 * where an idle worker must sleep for the other to run (as in tests). */
	dp->dp_backoff.bo_adaptive = b->b_opt.o_cpus_shared;
	dp->dp_backoff.bo_max_us = BENCH_SHARED_SLEEP_MAX_US;
	dp->dp_backoff.bo_sleep_us = 0;
	dp->dp_rx_burst = b->b_opt.o_burst; /* testpmd's --burst: the workers' RX burst too */
	/* Side by side, the pcap PMD allocates every packet: a plain pool
	 * with lcore caches, as production's and the other programs' are. */
	dp->dp_pool = b->b_vdev ? bench_vdev_pool(nmbufs)
				: bench_pool_create("bench_mbufs", nmbufs, b->b_pool_count);
	if (dp->dp_pool == NULL)
		return -ENOMEM;
	rc = topo_tables(b);
	rc = rc ? rc : topo_port(b, BENCH_PORT_WAN, "bench_wan", CFG_PORT_WAN, bench_wan_addr);
	rc = rc ? rc : topo_port(b, BENCH_PORT_LAN, "bench_lan", CFG_PORT_LAN, bench_lan_addr);
	if (rc != 0)
		return rc;
	dp->dp_nports = BENCH_NPORTS;
	rc = topo_ring_port("bench_loop", &b->b_loop_ring, &b->b_loop_ring, 1, 256, dp->dp_pool);
	if (rc < 0)
		return rc;
	b->b_loop_port = (uint16_t)rc;
	topo_tunnel(b);
	rc = topo_routes(b);
	for (unsigned w = 0; rc == 0 && w < b->b_opt.o_nworkers; w++)
		rc = topo_worker(b, w);
	return rc;
}

void bench_topo_destroy(struct bench *b)
{
	struct dp *dp = &b->b_dp;

	for (unsigned w = 0; w < BENCH_MAX_WORKERS; w++) {
		struct lcore_ctx *lc = b->b_lc[w];

		if (lc == NULL)
			continue;
		rte_ring_free(lc->lc_punt);
		rte_ring_free(lc->lc_events);
		rte_free(lc->lc_peer_stats);
		crypto_mb_fini(&lc->lc_cx);
		rte_free(lc);
	}
	for (unsigned p = 0; p < dp->dp_nports; p++) {
		rte_eth_dev_stop(dp->dp_ports[p].pt_id);
		rte_eth_dev_close(dp->dp_ports[p].pt_id);
	}
	neigh_table_fini(&dp->dp_neigh);
	peer_table_fini(&dp->dp_peers);
	if (dp->dp_sa_in.st_hash != NULL)
		sa_table_fini(&dp->dp_sa_in);
	if (dp->dp_fib.fb_lpm != NULL)
		fib_fini(&dp->dp_fib);
	if (dp->dp_rcu != NULL)
		rcu_destroy(dp->dp_rcu);
}
