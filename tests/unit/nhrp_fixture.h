/* The NHRP test node: the real control thread (NHRP, ARP, output) on two
 * net_ring ports and a fake clock, as a hub or as spoke A, driven by
 * crafted NHRP packets; what it sends is decoded off the WAN port's
 * control TX queue. Used by the NHRP state-machine unit tests and the
 * NHRP state-machine fuzz target. Include after cmocka.h (or its
 * assert_* macros); test code only.
 *
 *   test ──ctl_punt_input (PUNT_NHRP)──> [wan0 192.0.2.x/24] ──tx ring 1──> test
 *                                        [lan0 10.1.1.1/24] (spoke only)
 *
 *   hub  192.0.2.1  / 10.255.0.1    spoke A 192.0.2.11 / 10.255.0.11, LAN 10.1.1.0/24
 *   spoke B 192.0.2.12 / 10.255.0.12, LAN 10.1.2.0/24   stranger C 192.0.2.13 */
#ifndef DMVPND_NHRP_FIXTURE_H
#define DMVPND_NHRP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "gre.h"
#include "nhrp.h"
#include "nhrp_cache.h"

#define HUB_NBMA 0xc0000201u /* 192.0.2.1 */
#define A_NBMA 0xc000020bu   /* 192.0.2.11 */
#define B_NBMA 0xc000020cu   /* 192.0.2.12 */
#define C_NBMA 0xc000020du   /* 192.0.2.13, registered with nobody */
#define HUB_OV 0x0aff0001u   /* 10.255.0.1 */
#define A_OV 0x0aff000bu
#define B_OV 0x0aff000cu
#define A_LAN 0x0a010101u  /* 10.1.1.1/24 */
#define B_NET 0x0a010200u  /* 10.1.2.0/24 */
#define B_HOST 0x0a010205u /* 10.1.2.5 */
#define GRE_KEY 42u
#define AUTH "s3cret"
#define HOLD 30 /* refresh every 10 s */
#define A4(x) ((struct nhrp_addr4){.na_addr = (x), .na_present = true})

enum { WAN, LAN, NPORTS };

/* Lives for the whole process: EAL, pool and the two ring ports. */
static struct {
	struct rte_mempool *pool;
	uint16_t id[NPORTS];
	struct rte_ring *rx[NPORTS], *tx[NPORTS][2];
	unsigned baseline;
} env;

/* Rebuilt for every test. */
static struct {
	struct dp dp;
	struct ctl ct;
	struct clock ck;
	struct cfg cfg;
} fx;

/* One packet the node sent, decoded (m borrows from buf). */
struct sent {
	uint32_t to; /* outer IPv4 destination */
	uint16_t len;
	uint8_t buf[1500];
	struct nhrp_msg m;
};

static inline struct nhrp *nh(void)
{
	return fx.ct.ct_nhrp;
}

static inline void tick(unsigned seconds)
{
	timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
	for (unsigned i = 0; i < seconds; i++) {
		clock_fake_advance(&fx.ck, CLK_NS_PER_S);
		timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
	}
}

static inline void punt(struct rte_mbuf *m, enum punt_cause c)
{
	m->port = env.id[WAN];
	m->hash.usr = c;
	ctl_punt_input(&fx.ct, m);
}

/* The peer at `ip` asks for our WAN address: the control thread's ARP
 * learns its MAC, so our packets to it leave at once (the reply is
 * skipped by sent_next()). */
static inline void arp_learn(uint32_t ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, sizeof(*eth) + sizeof(struct rte_arp_hdr));
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, (uint8_t)ip}};

	if (eth == NULL)
		abort(); /* cmocka's assert does not tell the compiler it returns no more */
	memset(eth, 0, sizeof(*eth) + sizeof(*a));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = mac;
	a->arp_data.arp_sip = rte_cpu_to_be_32(ip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(fx.dp.dp_ports[WAN].pt_addr);
	punt(m, PUNT_ARP);
}

/* Ethernet/IPv4/GRE(key)/NHRP from `from` to our WAN address. */
static inline void inject(const struct nhrp_msg *msg, uint32_t from)
{
	uint8_t buf[1500];
	size_t len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	assert_int_equal(nhrp_msg_encode(msg, buf, sizeof(buf), &len), 0);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, (uint16_t)(sizeof(*eth) + sizeof(*ip) + 8 + len));
	if (eth == NULL)
		abort();
	memset(eth, 0, sizeof(*eth));
	eth->dst_addr = fx.dp.dp_ports[WAN].pt_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	gre_outer_build(ip, &fx.dp.dp_tunnel, from, fx.dp.dp_ports[WAN].pt_addr, (uint16_t)len,
			GRE_PROTO_NHRP, 0);
	memcpy((uint8_t *)(ip + 1) + 8, buf, len);
	punt(m, PUNT_NHRP);
}

/* The next NHRP packet on the control TX queue (ARP skipped), or false. */
static inline bool sent_next(struct sent *s)
{
	struct rte_mbuf *m;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *gre;
	uint32_t key;

	while (rte_ring_dequeue(env.tx[WAN][1], (void **)&m) == 0) {
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			rte_pktmbuf_free(m);
			continue;
		}
		ip = (const struct rte_ipv4_hdr *)(eth + 1);
		gre = (const uint8_t *)(ip + 1);
		assert_int_equal(ip->next_proto_id, IPPROTO_GRE);
		assert_int_equal(rte_be_to_cpu_32(ip->src_addr), fx.dp.dp_ports[WAN].pt_addr);
		assert_int_equal((gre[0] << 8) | gre[1], GRE_F_KEY);
		assert_int_equal((gre[2] << 8) | gre[3], GRE_PROTO_NHRP);
		memcpy(&key, gre + 4, sizeof(key));
		assert_int_equal(rte_be_to_cpu_32(key), GRE_KEY);
		s->to = rte_be_to_cpu_32(ip->dst_addr);
		s->len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip) - 8);
		memcpy(s->buf, gre + 8, s->len);
		rte_pktmbuf_free(m);
		assert_int_equal(nhrp_msg_decode(s->buf, s->len, &s->m), 0);
		return true;
	}
	return false;
}

static inline void expect_sent(struct sent *s, uint8_t type, uint32_t to)
{
	assert_true(sent_next(s));
	assert_int_equal(s->m.nm_type, type);
	assert_int_equal(s->to, to);
}

static inline void expect_nothing(void)
{
	struct sent s;

	assert_false(sent_next(&s));
}

/* Drains the queue; how many packets of `type` were in it. */
static inline unsigned count_sent(uint8_t type)
{
	struct sent s;
	unsigned n = 0;

	while (sent_next(&s))
		n += s.m.nm_type == type;
	return n;
}

/* What a peer puts in every packet: its addresses, the NAT flag, auth. */
static inline void peer_msg(struct nhrp_msg *m, uint8_t type, uint32_t nbma, uint32_t ov,
			    const char *auth)
{
	nhrp_msg_init(m, type);
	m->nm_flags = NHRP_FLAG_CISCO_NAT;
	m->nm_src_nbma = A4(nbma);
	m->nm_src_proto = A4(ov);
	if (auth != NULL) {
		nhrp_msg_add_ext(m, NHRP_EXT_AUTHENTICATION);
		m->nm_auth_type = NHRP_AUTH_CISCO_CLEARTEXT;
		m->nm_auth_len = (uint8_t)strlen(auth);
		memcpy(m->nm_auth, auth, m->nm_auth_len);
	}
}

static inline struct nhrp_cie cie(uint8_t code, uint8_t plen, uint16_t hold, uint32_t nbma,
				  uint32_t ov)
{
	struct nhrp_cie c = {
		.ce_code = code, .ce_prefix_len = plen, .ce_mtu = 1400, .ce_holding_time = hold};

	if (nbma != 0)
		c.ce_nbma = A4(nbma);
	if (ov != 0)
		c.ce_proto = A4(ov);
	return c;
}

static inline void route_add(uint32_t prefix, uint8_t len, uint8_t type, uint16_t port, uint32_t gw,
			     enum fib_source src)
{
	struct fib_nh n = {.nh_type = type, .nh_port = port, .nh_gw = gw};

	assert_int_equal(fib_route_add(&fx.dp.dp_fib, prefix, len, &n, src), 0);
}

static inline void port_fill(unsigned i, uint8_t role, uint32_t addr)
{
	struct dp_port *pt = &fx.dp.dp_ports[i];

	pt->pt_id = env.id[i];
	pt->pt_role = role;
	pt->pt_addr = addr;
	pt->pt_plen = 24;
	pt->pt_mtu = 1500;
	pt->pt_nb_rxq = 1;
	pt->pt_nb_txq = 2;
	pt->pt_ctl_txq = 1;
	snprintf(pt->pt_name, sizeof(pt->pt_name), i == WAN ? "wan0" : "lan0");
	rte_eth_macaddr_get(pt->pt_id, &pt->pt_mac);
	fx.dp.dp_port_idx[pt->pt_id] = (uint8_t)i;
	route_add(addr & 0xffffff00u, 24, FIB_NH_CONNECTED, (uint16_t)i, 0, FIB_SRC_CONNECTED);
	route_add(addr, 32, FIB_NH_LOCAL, (uint16_t)i, 0, FIB_SRC_LOCAL);
}

static inline void cfg_fill(bool hub)
{
	struct cfg_tunnel *t = &fx.cfg.tunnel;

	fx.cfg.role = hub ? CFG_ROLE_HUB : CFG_ROLE_SPOKE;
	t->present = true;
	t->address = (struct cfg_prefix){.addr = hub ? HUB_OV : A_OV, .len = 24};
	t->has_gre_key = true;
	t->gre_key = GRE_KEY;
	t->network_id = 1;
	t->holdtime = HOLD;
	t->reg_holdtime_max = 7200;
	t->reg_unique = true;
	t->phase = 3;
	t->mtu = 1400;
	snprintf(t->nhrp_auth, sizeof(t->nhrp_auth), "%s", AUTH);
	if (!hub) {
		t->n_nhs = 1;
		t->nhs[0] = (struct cfg_nhs){.nbma = HUB_NBMA, .overlay = HUB_OV};
	}
}

/* As control/node.c's node_tunnel_init does from the config. */
static inline void tunnel_fill(void)
{
	const struct cfg_tunnel *t = &fx.cfg.tunnel;
	struct dp_tunnel *tn = &fx.dp.dp_tunnel;

	tn->tn_present = true;
	tn->tn_is_hub = fx.cfg.role == CFG_ROLE_HUB;
	tn->tn_phase = t->phase;
	tn->tn_has_key = t->has_gre_key;
	tn->tn_key = t->gre_key;
	tn->tn_addr = t->address.addr;
	tn->tn_plen = t->address.len;
	tn->tn_mtu = t->mtu;
	tn->tn_ttl = 64;
	tn->tn_copy_dscp = true;
	tn->tn_nhs_overlay = t->n_nhs > 0 ? t->nhs[0].overlay : 0;
	tn->tn_wan = WAN;
}

static inline int fixture_setup(bool hub)
{
	const uint32_t peers[] = {HUB_NBMA, A_NBMA, B_NBMA, C_NBMA};
	struct dp *dp = &fx.dp;

	memset(&fx, 0, sizeof(fx));
	memset(dp->dp_port_idx, 0xff, sizeof(dp->dp_port_idx));
	dp->dp_pool = env.pool;
	dp->dp_max_peers = 64;
	dp->dp_rcu = rcu_create("t_rcu", 1, 1024);
	assert_non_null(dp->dp_rcu);
	assert_int_equal(neigh_table_init(&dp->dp_neigh, "t_neigh", 256, dp->dp_rcu), 0);
	assert_int_equal(fib_init(&dp->dp_fib, "t_fib", 256, dp->dp_rcu), 0);
	assert_int_equal(peer_table_init(&dp->dp_peers, "t_peers", 64, dp->dp_rcu), 0);
	assert_int_equal(sa_table_init(&dp->dp_sa_in, "t_sa_in", 64, dp->dp_rcu), 0);
	cfg_fill(hub);
	tunnel_fill();
	port_fill(WAN, CFG_PORT_WAN, hub ? HUB_NBMA : A_NBMA);
	if (!hub)
		port_fill(LAN, CFG_PORT_LAN, A_LAN);
	dp->dp_nports = hub ? 1 : 2;
	dp->dp_kernel_port = -1;
	route_add(HUB_OV & 0xffffff00u, 24, FIB_NH_TUNNEL, 0, 0, FIB_SRC_CONNECTED);
	route_add(fx.cfg.tunnel.address.addr, 32, FIB_NH_LOCAL, 0, 0, FIB_SRC_LOCAL);
	clock_init_fake(&fx.ck, 1000 * CLK_NS_PER_S);
	assert_int_equal(ctl_init(&fx.ct, dp, &fx.ck), 0);
	fx.ct.ct_arp_reachable_s = 100000; /* no ARP probes within a test */
	assert_int_equal(nhrp_init(&fx.ct, &fx.cfg, NULL), 0);
	for (unsigned i = 0; i < RTE_DIM(peers); i++)
		if (peers[i] != dp->dp_ports[WAN].pt_addr)
			arp_learn(peers[i]);
	expect_nothing(); /* only ARP replies so far */
	nhrp_start(&fx.ct);
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	ctl_fini(&fx.ct);
	for (unsigned p = 0; p < NPORTS; p++)
		for (unsigned q = 0; q < 2; q++)
			while (rte_ring_dequeue(env.tx[p][q], (void **)&m) == 0)
				rte_pktmbuf_free(m);
	rcu_reclaim(fx.dp.dp_rcu);
	sa_table_fini(&fx.dp.dp_sa_in);
	peer_table_fini(&fx.dp.dp_peers);
	neigh_table_fini(&fx.dp.dp_neigh);
	fib_fini(&fx.dp.dp_fib);
	rcu_destroy(fx.dp.dp_rcu);
	/* Every mbuf came back, whatever path the test took. */
	assert_int_equal(rte_mempool_in_use_count(env.pool), env.baseline);
	return 0;
}

/* The two ring ports, made once per process (after the pool). */
static inline void ports_create(void)
{
	static const char *const names[NPORTS] = {"t_wan0", "t_lan0"};
	struct rte_eth_conf conf;
	char n[32];
	int id;

	memset(&conf, 0, sizeof(conf));
	for (unsigned p = 0; p < NPORTS; p++) {
		snprintf(n, sizeof(n), "t_rx%u", p);
		env.rx[p] = rte_ring_create(n, 64, SOCKET_ID_ANY, 0);
		for (unsigned q = 0; q < 2; q++) {
			snprintf(n, sizeof(n), "t_tx%u_%u", p, q);
			env.tx[p][q] = rte_ring_create(n, 1024, SOCKET_ID_ANY, 0);
		}
		id = rte_eth_from_rings(names[p], &env.rx[p], 1, env.tx[p], 2, SOCKET_ID_ANY);
		if (id < 0 || rte_eth_dev_configure((uint16_t)id, 1, 2, &conf) != 0 ||
		    rte_eth_rx_queue_setup((uint16_t)id, 0, 64, 0, NULL, env.pool) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)id, 0, 256, 0, NULL) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)id, 1, 256, 0, NULL) != 0 ||
		    rte_eth_dev_start((uint16_t)id) != 0)
			abort();
		env.id[p] = (uint16_t)id;
	}
}

#endif
