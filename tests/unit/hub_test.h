/* A keyed-tunnel hub's struct dp and one worker lcore_ctx, for code that
 * drives the worker by hand on a ring port (ring_port_test.h): the unit
 * test of the ESP queues and the dataplane fuzzer. Include after the
 * assert_true/assert_int_equal macros (cmocka's or the fuzzer's own).
 * Test code only. */
#ifndef DMVPND_HUB_TEST_H
#define DMVPND_HUB_TEST_H

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "esp_sa.h"
#include "lcore_ctx.h"

/* An SA with fixed test keys derived from its SPI; mirrors (same SPI,
 * other direction) share them. Tunnel mode when tun_src is not 0, with
 * the IPv4 header inside from tun_src to tun_dst. */
static inline struct esp_sa *hub_test_sa_mode(struct crypto_mb *cx, uint32_t spi, enum esp_dir dir,
					      enum esp_alg alg, uint32_t tun_src, uint32_t tun_dst)
{
	struct esp_sa_params p;
	struct esp_sa *sa = rte_zmalloc("t_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);

	memset(&p, 0, sizeof(p));
	p.spi = spi;
	p.dir = dir;
	p.alg = alg;
	p.esn = true;
	p.tunnel = tun_src != 0;
	p.tun_src = tun_src;
	p.tun_dst = tun_dst;
	for (unsigned i = 0; i < ESP_KEYMAT_MAX; i++)
		p.keymat[i] = (uint8_t)(spi + i * 3);
	for (unsigned i = 0; i < ESP_AUTH_KEY_LEN; i++)
		p.auth_key[i] = (uint8_t)(spi * 7 + i);
	assert_true(sa != NULL);
	assert_int_equal(esp_sa_init(sa, cx, &p), 0);
	return sa;
}

static inline struct esp_sa *hub_test_sa(struct crypto_mb *cx, uint32_t spi, enum esp_dir dir,
					 enum esp_alg alg)
{
	return hub_test_sa_mode(cx, spi, dir, alg, 0, 0);
}

static inline void hub_test_sa_free(struct esp_sa *sa)
{
	esp_sa_fini(sa);
	rte_free(sa);
}

static inline void hub_test_route(struct dp *dp, uint32_t prefix, uint8_t len, uint8_t type,
				  uint32_t gw)
{
	struct fib_nh nh = {.nh_type = type, .nh_port = 0, .nh_gw = gw};

	assert_int_equal(fib_route_add(&dp->dp_fib, prefix, len, &nh, FIB_SRC_STATIC), 0);
}

/* Port 0 (set up already) as the WAN port wan/24, the tunnel 10.255.0.1/24
 * with GRE key 42 in the given phase, and the tables (RCU, neighbours, FIB
 * with the WAN subnet and our address, peers indexed by the tunnel
 * subnet, inbound SAs), each sized for 64 entries. */
static inline void hub_test_dp(struct dp *dp, uint32_t wan, uint8_t phase)
{
	struct dp_port *pt = &dp->dp_ports[0];
	struct dp_tunnel *tn = &dp->dp_tunnel;

	pt->pt_role = CFG_PORT_WAN;
	pt->pt_addr = wan;
	pt->pt_plen = 24;
	pt->pt_mtu = 1500;
	tn->tn_present = true;
	tn->tn_is_hub = true;
	tn->tn_phase = phase;
	tn->tn_has_key = true;
	tn->tn_key = 42;
	tn->tn_addr = 0x0aff0001u;
	tn->tn_plen = 24;
	tn->tn_mtu = 1400;
	tn->tn_wan = 0;
	tn->tn_ttl = 64;
	dp->dp_rcu = rcu_create("t_rcu", 1, 256);
	assert_int_equal(neigh_table_init(&dp->dp_neigh, "t_neigh", 64, dp->dp_rcu), 0);
	assert_int_equal(fib_init(&dp->dp_fib, "t_fib", 64, dp->dp_rcu), 0);
	assert_int_equal(peer_table_init(&dp->dp_peers, "t_peers", 64, dp->dp_rcu), 0);
	assert_int_equal(peer_table_index_subnet(&dp->dp_peers, tn->tn_addr, tn->tn_plen), 0);
	assert_int_equal(sa_table_init(&dp->dp_sa_in, "t_sa_in", 64, dp->dp_rcu), 0);
	hub_test_route(dp, wan & 0xffffff00u, 24, FIB_NH_CONNECTED, 0);
	hub_test_route(dp, wan, 32, FIB_NH_LOCAL, 0);
}

static inline void hub_test_dp_fini(struct dp *dp)
{
	rcu_reclaim(dp->dp_rcu); /* what a test retired still points into the tables */
	sa_table_fini(&dp->dp_sa_in);
	peer_table_fini(&dp->dp_peers);
	neigh_table_fini(&dp->dp_neigh);
	fib_fini(&dp->dp_fib);
	rcu_destroy(dp->dp_rcu);
}

/* The worker's context, from the C heap (the crypto manager it points to
 * is a heap block a leak checker must see as reachable): punt and event
 * rings, per-peer counters, crypto manager, punt buckets. */
static inline struct lcore_ctx *hub_test_lcore(struct dp *dp)
{
	struct lcore_ctx *lc = aligned_alloc(RTE_CACHE_LINE_SIZE,
					     RTE_ALIGN_CEIL(sizeof(*lc), RTE_CACHE_LINE_SIZE));

	assert_true(lc != NULL);
	memset(lc, 0, sizeof(*lc));
	lc->lc_dp = dp;
	lc->lc_hz = rte_get_tsc_hz();
	lc->lc_punt = rte_ring_create("t_punt", 256, SOCKET_ID_ANY, 0);
	lc->lc_punt_tunnel = lc->lc_punt; /* one ring for both classes */
	lc->lc_events = rte_ring_create_elem("t_ev", sizeof(struct dp_event), 256, SOCKET_ID_ANY,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	lc->lc_peer_stats =
		rte_zmalloc("t_ps", dp->dp_peers.pt_size * sizeof(*lc->lc_peer_stats), 0);
	assert_true(lc->lc_punt != NULL && lc->lc_events != NULL && lc->lc_peer_stats != NULL);
	assert_int_equal(crypto_mb_init(&lc->lc_cx), 0);
	punt_buckets_init(lc->lc_bucket, lc->lc_hz);
	dp->dp_workers[0] = lc;
	dp->dp_nworkers = 1;
	return lc;
}

static inline void hub_test_lcore_free(struct lcore_ctx *lc)
{
	crypto_mb_fini(&lc->lc_cx);
	rte_ring_free(lc->lc_punt);
	rte_ring_free(lc->lc_events);
	rte_free(lc->lc_peer_stats);
	free(lc);
}

#endif
