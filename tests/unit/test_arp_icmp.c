/* ARP, ICMP and the worker's classify/forward path on crafted packets, with
 * the real control and worker code on a net_ring port and a fake clock.
 *
 *   test ──rx ring──> [port lan0 10.0.0.1/24] ──tx ring 0 (worker)──> test
 *                                            ──tx ring 1 (control)─> test */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "ctl.h"
#include "eal_test.h"
#include "ipv4_header.h"
#include "lcore_ctx.h"
#include "stages.h"
#include "ring_port_test.h"

#define OUR_IP 0x0a000001u   /* 10.0.0.1 */
#define HOST_IP 0x0a00000au  /* 10.0.0.10 */
#define HOST2_IP 0x0a000014u /* 10.0.0.20 */

static const struct rte_ether_addr host_mac = {{0x02, 0, 0, 0, 0, 0x10}};
static const struct rte_ether_addr host2_mac = {{0x02, 0, 0, 0, 0, 0x20}};

struct fixture {
	struct dp dp;
	struct ctl ct;
	struct clock ck;
	struct lcore_ctx *lc;
	struct rte_ring *rx, *tx[2];
};

static struct fixture fx;

static struct rte_mbuf *frame_new(const struct rte_ether_addr *src,
				  const struct rte_ether_addr *dst, uint16_t type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.dp.dp_pool);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth));

	if (eth == NULL)
		abort();
	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = rte_cpu_to_be_16(type);
	m->port = fx.dp.dp_ports[0].pt_id;
	return m;
}

static struct rte_mbuf *arp_new(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
				uint32_t tip)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_mbuf *m =
		frame_new(sha, op == RTE_ARP_OP_REQUEST ? &bcast : &fx.dp.dp_ports[0].pt_mac,
			  RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));

	if (a == NULL)
		abort();
	memset(a, 0, sizeof(*a));
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = *sha;
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

static struct rte_mbuf *ipv4_new(const struct rte_ether_addr *src_mac, uint32_t src, uint32_t dst,
				 uint8_t ttl, uint16_t payload)
{
	struct rte_mbuf *m = frame_new(src_mac, &fx.dp.dp_ports[0].pt_mac, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip =
		(struct rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*ip) + payload));
	struct rte_icmp_hdr *ih;

	if (ip == NULL)
		abort();
	ih = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip) + payload);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + payload));
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ih->icmp_ident = RTE_BE16(0x1234);
	ih->icmp_seq_nb = RTE_BE16(7);
	for (uint16_t i = sizeof(*ih); i < payload; i++)
		((uint8_t *)ih)[i] = (uint8_t)i;
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, payload);
	return m;
}

static void punt(struct rte_mbuf *m, enum punt_cause c)
{
	m->hash.usr = c;
	ctl_punt_input(&fx.ct, m);
}

/* The next frame the control thread sent, or NULL. */
static struct rte_mbuf *ctl_sent(void)
{
	void *m = NULL;

	return rte_ring_dequeue(fx.tx[1], &m) == 0 ? m : NULL;
}

static const struct rte_arp_hdr *arp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
}

static const struct rte_ipv4_hdr *ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr));
}

static int setup(void **state)
{
	struct dp_port *pt = &fx.dp.dp_ports[0];
	struct fib_nh conn = {.nh_type = FIB_NH_CONNECTED, .nh_port = 0};
	struct fib_nh local = {.nh_type = FIB_NH_LOCAL, .nh_port = 0};

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.dp.dp_pool = rte_pktmbuf_pool_create("t_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						SOCKET_ID_ANY);
	fx.rx = rte_ring_create("t_rx", 256, SOCKET_ID_ANY, 0);
	fx.tx[0] = rte_ring_create("t_tx0", 256, SOCKET_ID_ANY, 0);
	fx.tx[1] = rte_ring_create("t_tx1", 256, SOCKET_ID_ANY, 0);
	ring_port_setup(&fx.dp, "t_lan0", fx.rx, fx.tx, 2);
	snprintf(pt->pt_name, sizeof(pt->pt_name), "lan0");
	pt->pt_addr = OUR_IP;
	pt->pt_plen = 24;
	pt->pt_mtu = 1500;
	pt->pt_ctl_txq = 1;
	pt->pt_nb_rxq = 1;
	pt->pt_nb_txq = 2;
	fx.dp.dp_rcu = rcu_create("t_rcu", 1, 256);
	assert_int_equal(neigh_table_init(&fx.dp.dp_neigh, "t_neigh", 256, fx.dp.dp_rcu), 0);
	assert_int_equal(fib_init(&fx.dp.dp_fib, "t_fib", 64, fx.dp.dp_rcu), 0);
	fib_route_add(&fx.dp.dp_fib, 0x0a000000, 24, &conn, FIB_SRC_CONNECTED);
	fib_route_add(&fx.dp.dp_fib, OUR_IP, 32, &local, FIB_SRC_LOCAL);
	clock_init_fake(&fx.ck, 1000 * CLK_NS_PER_S);
	assert_int_equal(ctl_init(&fx.ct, &fx.dp, &fx.ck), 0);
	/* One worker context, driven by hand (not launched on an lcore). */
	fx.lc = rte_zmalloc("t_lc", sizeof(*fx.lc), RTE_CACHE_LINE_SIZE);
	fx.lc->lc_dp = &fx.dp;
	fx.lc->lc_hz = rte_get_tsc_hz();
	fx.lc->lc_punt = rte_ring_create("t_punt", 256, SOCKET_ID_ANY, 0);
	fx.lc->lc_punt_tunnel = fx.lc->lc_punt; /* one ring for both classes */
	punt_buckets_init(fx.lc->lc_bucket, fx.lc->lc_hz);
	fx.dp.dp_workers[0] = fx.lc;
	fx.dp.dp_nworkers = 1;
	return 0;
}

static int teardown(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	while ((m = ctl_sent()) != NULL)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(fx.tx[0], (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(fx.lc->lc_punt, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	ctl_fini(&fx.ct);
	rcu_reclaim(fx.dp.dp_rcu);
	neigh_table_fini(&fx.dp.dp_neigh);
	fib_fini(&fx.dp.dp_fib);
	rcu_destroy(fx.dp.dp_rcu);
	rte_eth_dev_stop(fx.dp.dp_ports[0].pt_id);
	rte_eth_dev_close(fx.dp.dp_ports[0].pt_id);
	rte_ring_free(fx.lc->lc_punt);
	rte_free(fx.lc);
	rte_ring_free(fx.rx);
	rte_ring_free(fx.tx[0]);
	rte_ring_free(fx.tx[1]);
	/* Every mbuf came back: nothing leaked on any path. */
	assert_int_equal(rte_mempool_in_use_count(fx.dp.dp_pool), 0);
	rte_mempool_free(fx.dp.dp_pool);
	return 0;
}

/* 1. A request for our address is answered, and the asker is learned and
 *    published to the workers' neighbour table. */
static void test_arp_request_answered_and_learned(void **state)
{
	struct rte_mbuf *r;
	const struct rte_arp_hdr *a;
	const struct neigh_entry *ne;

	(void)state;
	punt(arp_new(RTE_ARP_OP_REQUEST, &host_mac, HOST_IP, OUR_IP), PUNT_ARP);
	r = ctl_sent();
	assert_non_null(r);
	a = arp_of(r);
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_sha, &fx.dp.dp_ports[0].pt_mac));
	assert_int_equal(rte_be_to_cpu_32(a->arp_data.arp_sip), OUR_IP);
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_tha, &host_mac));
	assert_int_equal(rte_be_to_cpu_32(a->arp_data.arp_tip), HOST_IP);
	assert_true(rte_is_same_ether_addr(&rte_pktmbuf_mtod(r, struct rte_ether_hdr *)->dst_addr,
					   &host_mac));
	rte_pktmbuf_free(r);
	assert_null(ctl_sent());
	ne = neigh_table_lookup(&fx.dp.dp_neigh, 0, HOST_IP);
	assert_non_null(ne);
	assert_true(rte_is_same_ether_addr(&ne->ne_mac, &host_mac));
	assert_int_equal(fx.ct.ct_cnt[0][CTL_ARP_TX_REPLY], 1);
}

/* 2. Requests for other addresses, malformed ARP and unsolicited replies
 *    get no answer and are counted; nothing is learned from them. */
static void test_arp_ignored_and_malformed(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	punt(arp_new(RTE_ARP_OP_REQUEST, &host2_mac, HOST2_IP, 0x0a000063), PUNT_ARP);
	assert_null(ctl_sent());
	assert_int_equal(fx.ct.ct_cnt[0][CTL_ARP_IGNORED], 1);
	m = arp_new(RTE_ARP_OP_REQUEST, &host2_mac, HOST2_IP, OUR_IP);
	rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14)->arp_hlen = 8;
	punt(m, PUNT_ARP);
	m = arp_new(RTE_ARP_OP_REQUEST, &host2_mac, HOST2_IP, OUR_IP);
	rte_pktmbuf_trim(m, 10); /* truncated */
	punt(m, PUNT_ARP);
	assert_null(ctl_sent());
	assert_int_equal(fx.ct.ct_cnt[0][CTL_ARP_BAD], 2);
	punt(arp_new(RTE_ARP_OP_REPLY, &host2_mac, HOST2_IP, OUR_IP), PUNT_ARP);
	assert_null(neigh_table_lookup(&fx.dp.dp_neigh, 0, HOST2_IP));
}

/* 3. Echo request from a resolved host: a reply with the addresses swapped,
 *    the same identifier, sequence and payload, and valid checksums. */
static void test_icmp_echo_reply(void **state)
{
	struct rte_mbuf *req = ipv4_new(&host_mac, HOST_IP, OUR_IP, 64, 64), *r;
	uint8_t payload[64];
	const struct rte_ipv4_hdr *ip;

	(void)state;
	memcpy(payload, rte_pktmbuf_mtod_offset(req, uint8_t *, 34), sizeof(payload));
	punt(req, PUNT_LOCAL);
	r = ctl_sent();
	assert_non_null(r);
	ip = ip_of(r);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), OUR_IP);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), HOST_IP);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(((const uint8_t *)(ip + 1))[0], RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(rte_raw_cksum(ip + 1, 64), 0xffff);
	assert_memory_equal((const uint8_t *)(ip + 1) + 4, payload + 4, 60);
	assert_true(rte_is_same_ether_addr(&rte_pktmbuf_mtod(r, struct rte_ether_hdr *)->dst_addr,
					   &host_mac));
	rte_pktmbuf_free(r);
}

/* 4. Echo from a host we have no MAC for: ARP first, the reply is held and
 *    sent once the answer comes. A corrupted ICMP checksum gets nothing. */
static void test_icmp_reply_waits_for_arp(void **state)
{
	struct rte_mbuf *r, *bad;

	(void)state;
	punt(ipv4_new(&host2_mac, HOST2_IP, OUR_IP, 64, 32), PUNT_LOCAL);
	r = ctl_sent();
	assert_non_null(r);
	assert_int_equal(rte_be_to_cpu_16(arp_of(r)->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_int_equal(rte_be_to_cpu_32(arp_of(r)->arp_data.arp_tip), HOST2_IP);
	rte_pktmbuf_free(r);
	assert_null(ctl_sent());
	punt(arp_new(RTE_ARP_OP_REPLY, &host2_mac, HOST2_IP, OUR_IP), PUNT_ARP);
	r = ctl_sent();
	assert_non_null(r);
	assert_int_equal(rte_be_to_cpu_32(ip_of(r)->dst_addr), HOST2_IP);
	rte_pktmbuf_free(r);
	bad = ipv4_new(&host2_mac, HOST2_IP, OUR_IP, 64, 32);
	rte_pktmbuf_mtod_offset(bad, uint8_t *, 40)[0] ^= 0xff;
	punt(bad, PUNT_LOCAL);
	assert_null(ctl_sent());
	assert_int_equal(fx.ct.ct_cnt[0][CTL_LOCAL_BAD], 1);
}

/* 5. No answer: three requests one second apart, then the entry and the
 *    held packet are dropped and counted. Driven by the fake clock. */
static void test_arp_resolution_fails(void **state)
{
	const uint32_t ghost = 0x0a000063;
	struct rte_mbuf *r;
	int requests = 0;

	(void)state;
	punt(ipv4_new(&host_mac, HOST_IP, ghost, 64, 32), PUNT_RESOLVE);
	for (int s = 0; s < 5; s++) {
		while ((r = ctl_sent()) != NULL) {
			assert_int_equal(rte_be_to_cpu_32(arp_of(r)->arp_data.arp_tip), ghost);
			requests++;
			rte_pktmbuf_free(r);
		}
		clock_fake_advance(&fx.ck, CLK_NS_PER_S);
		timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
	}
	assert_int_equal(requests, 3);
	assert_int_equal(fx.ct.ct_cnt[0][CTL_ARP_RESOLVE_FAIL], 1);
}

/* 6. Aging: after the reachable time the entry is probed while still
 *    published; an answer keeps it, silence removes it from the workers. */
static void test_arp_aging(void **state)
{
	struct rte_mbuf *r;

	(void)state;
	clock_fake_advance(&fx.ck, 301 * CLK_NS_PER_S);
	timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
	/* Both learned hosts are probed; still usable meanwhile. */
	for (int i = 0; i < 2; i++) {
		r = ctl_sent();
		assert_non_null(r);
		rte_pktmbuf_free(r);
	}
	assert_non_null(neigh_table_lookup(&fx.dp.dp_neigh, 0, HOST_IP));
	punt(arp_new(RTE_ARP_OP_REPLY, &host_mac, HOST_IP, OUR_IP), PUNT_ARP);
	for (int s = 0; s < 4; s++) {
		clock_fake_advance(&fx.ck, CLK_NS_PER_S);
		timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
		while ((r = ctl_sent()) != NULL)
			rte_pktmbuf_free(r);
	}
	assert_non_null(neigh_table_lookup(&fx.dp.dp_neigh, 0, HOST_IP));
	assert_null(neigh_table_lookup(&fx.dp.dp_neigh, 0, HOST2_IP));
}

/* 7. The worker's classify + IPv4 stage: ARP and local traffic punted by
 *    cause, broken headers and foreign MACs dropped by reason, transit
 *    forwarded with TTL decremented, TTL 1 punted for time exceeded. */
static void test_worker_classify(void **state)
{
	static const struct rte_ether_addr other = {{0x02, 9, 9, 9, 9, 9}};
	struct rte_mbuf *pkts[6], *m = NULL;
	const struct dp_port_stats *ps = &fx.lc->lc_stats.ls_port[0];
	const struct rte_ipv4_hdr *ip;
	int causes[PUNT_CAUSE_COUNT] = {0};

	(void)state;
	/* Relearn HOST so transit to it resolves in the worker. */
	punt(arp_new(RTE_ARP_OP_REQUEST, &host_mac, HOST_IP, OUR_IP), PUNT_ARP);
	rte_pktmbuf_free(ctl_sent());
	pkts[0] = arp_new(RTE_ARP_OP_REQUEST, &host2_mac, HOST2_IP, OUR_IP);
	pkts[1] = ipv4_new(&host2_mac, HOST2_IP, OUR_IP, 64, 16);
	pkts[2] = ipv4_new(&host2_mac, HOST2_IP, HOST_IP, 64, 16);
	pkts[3] = ipv4_new(&host2_mac, HOST2_IP, HOST_IP, 1, 16);
	pkts[4] = ipv4_new(&host2_mac, HOST2_IP, OUR_IP, 64, 16);
	rte_pktmbuf_mtod_offset(pkts[4], struct rte_ipv4_hdr *, 14)->hdr_checksum ^= 1;
	pkts[5] = ipv4_new(&host2_mac, HOST2_IP, OUR_IP, 64, 16);
	rte_pktmbuf_mtod(pkts[5], struct rte_ether_hdr *)->dst_addr = other;
	pipeline_burst(fx.lc, 0, pkts, 6);
	tx_flush(fx.lc);
	assert_int_equal(ps->ps_drop[DP_DROP_IPV4_HEADER], 1);
	assert_int_equal(ps->ps_drop[DP_DROP_NOT_FOR_US], 1);
	assert_int_equal(ps->ps_punt_pkts, 3);
	while (rte_ring_dequeue(fx.lc->lc_punt, (void **)&m) == 0) {
		causes[punt_cause_of(m)]++;
		rte_pktmbuf_free(m);
	}
	assert_int_equal(causes[PUNT_ARP], 1);
	assert_int_equal(causes[PUNT_LOCAL], 1);
	assert_int_equal(causes[PUNT_TTL], 1);
	assert_int_equal(rte_ring_dequeue(fx.tx[0], (void **)&m), 0);
	ip = ip_of(m);
	assert_int_equal(ip->time_to_live, 63);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_true(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
					   &host_mac));
	rte_pktmbuf_free(m);
	assert_int_equal(ps->ps_tx_pkts, 1);
}

/* Forwarded packets leave at the end of the route stage in runs to one
 * next hop: in their order, each with its own next hop's MAC, and the one
 * whose next hop is unresolved goes to the control thread. */
static void test_forward_runs(void **state)
{
	static const uint32_t dst[6] = {HOST_IP, HOST2_IP, HOST_IP, HOST_IP, 0x0a00001eu, HOST2_IP};
	struct rte_mbuf *pkts[6], *m = NULL;
	const struct dp_port_stats *ps = &fx.lc->lc_stats.ls_port[0];
	uint64_t tx0 = ps->ps_tx_pkts; /* the fixture is the group's */
	unsigned n = 0;

	(void)state;
	punt(arp_new(RTE_ARP_OP_REQUEST, &host_mac, HOST_IP, OUR_IP), PUNT_ARP);
	rte_pktmbuf_free(ctl_sent());
	punt(arp_new(RTE_ARP_OP_REQUEST, &host2_mac, HOST2_IP, OUR_IP), PUNT_ARP);
	rte_pktmbuf_free(ctl_sent());
	for (unsigned i = 0; i < 6; i++) /* the payload length tells them apart */
		pkts[i] = ipv4_new(&host2_mac, 0x0a000063u, dst[i], 64, (uint16_t)(16 + i));
	pipeline_burst(fx.lc, 0, pkts, 6);
	tx_flush(fx.lc);
	while (rte_ring_dequeue(fx.tx[0], (void **)&m) == 0) {
		static const unsigned want[5] = {0, 1, 2, 3, 5};
		const struct rte_ipv4_hdr *ip = ip_of(m);

		assert_true(n < 5);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 16 + want[n]);
		assert_int_equal(ip->time_to_live, 63);
		assert_true(rte_is_same_ether_addr(
			&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
			dst[want[n]] == HOST_IP ? &host_mac : &host2_mac));
		rte_pktmbuf_free(m);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(ps->ps_tx_pkts - tx0, 5);
	assert_int_equal(rte_ring_dequeue(fx.lc->lc_punt, (void **)&m), 0);
	assert_int_equal(punt_cause_of(m), PUNT_RESOLVE);
	assert_int_equal(rte_be_to_cpu_32(ip_of(m)->dst_addr), 0x0a00001eu);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_ring_count(fx.lc->lc_punt), 0);
}

/* 8. TTL expiry answered with ICMP time exceeded quoting the packet. */
/* ipv4_validate, both its inline common case and the general one, on
 * every way a header can lie: what it accepts, what it trims, what it
 * refuses, against the header as built. */
static struct rte_mbuf *ipv4_raw(const uint8_t *l3, uint16_t n)
{
	struct rte_mbuf *m = frame_new(&host_mac, &fx.dp.dp_ports[0].pt_mac, RTE_ETHER_TYPE_IPV4);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, n);

	if (p == NULL)
		abort();
	memcpy(p, l3, n);
	return m;
}

static void test_ipv4_validate_table(void **state)
{
	struct {
		uint8_t vhl;
		uint16_t total;   /* claimed */
		uint16_t present; /* bytes after the Ethernet header */
		int csum_ok;
		int want;         /* 0 accepted, -1 refused */
		uint16_t trimmed; /* data_len - 14 after acceptance */
	} c[] = {
		{0x45, 20, 20, 1, 0, 20}, /* bare header */
		{0x45, 84, 84, 1, 0, 84}, /* the usual */
		{0x45, 28, 46, 1, 0, 28}, /* Ethernet padding trimmed */
		{0x46, 84, 84, 1, 0, 84}, /* an option word */
		{0x4f, 60, 60, 1, 0, 60}, /* the largest header */
		{0x45, 84, 84, 0, -1, 0}, /* bad checksum */
		{0x46, 84, 84, 0, -1, 0}, /* bad checksum, with options */
		{0x65, 84, 84, 1, -1, 0}, /* version 6 */
		{0x44, 84, 84, 1, -1, 0}, /* IHL 4 */
		{0x4f, 84, 40, 1, -1, 0}, /* IHL past the bytes present */
		{0x46, 20, 84, 1, -1, 0}, /* total shorter than the header */
		{0x45, 85, 84, 1, -1, 0}, /* total past the bytes present */
		{0x45, 19, 84, 1, -1, 0}, /* total under 20 */
		{0x45, 20, 19, 1, -1, 0}, /* not even a header */
		{0x45, 20, 0, 1, -1, 0},  /* nothing */
	};

	(void)state;
	for (unsigned i = 0; i < RTE_DIM(c); i++) {
		uint8_t l3[128];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3, *got = NULL;
		uint32_t hlen = (uint32_t)(c[i].vhl & 0x0f) * 4;
		struct rte_mbuf *m;

		memset(l3, 0xab, sizeof(l3));
		memset(l3, 0, RTE_MIN(hlen, (uint32_t)sizeof(l3)));
		ip->version_ihl = c[i].vhl;
		ip->total_length = rte_cpu_to_be_16(c[i].total);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(HOST_IP);
		ip->dst_addr = rte_cpu_to_be_32(HOST2_IP);
		if (hlen >= 20)
			ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, hlen);
		if (!c[i].csum_ok)
			ip->hdr_checksum ^= 0x0100;
		m = ipv4_raw(l3, c[i].present);
		assert_int_equal(ipv4_validate(m, &got), c[i].want);
		if (c[i].want == 0) {
			assert_ptr_equal(got,
					 rte_pktmbuf_mtod_offset(m, void *, RTE_ETHER_HDR_LEN));
			assert_int_equal(rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN, c[i].trimmed);
		}
		rte_pktmbuf_free(m);
	}
}

static void test_icmp_time_exceeded(void **state)
{
	struct rte_mbuf *r;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *icmp;

	(void)state;
	punt(ipv4_new(&host_mac, HOST_IP, 0x0b000001, 1, 16), PUNT_TTL);
	r = ctl_sent();
	assert_non_null(r);
	ip = ip_of(r);
	icmp = (const uint8_t *)(ip + 1);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), HOST_IP);
	assert_int_equal(icmp[0], 11);
	assert_int_equal(rte_be_to_cpu_32(((const struct rte_ipv4_hdr *)(icmp + 8))->dst_addr),
			 0x0b000001);
	assert_int_equal(rte_raw_cksum(icmp, rte_be_to_cpu_16(ip->total_length) - 20), 0xffff);
	rte_pktmbuf_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_request_answered_and_learned),
		cmocka_unit_test(test_arp_ignored_and_malformed),
		cmocka_unit_test(test_icmp_echo_reply),
		cmocka_unit_test(test_icmp_reply_waits_for_arp),
		cmocka_unit_test(test_arp_resolution_fails),
		cmocka_unit_test(test_arp_aging),
		cmocka_unit_test(test_worker_classify),
		cmocka_unit_test(test_forward_runs),
		cmocka_unit_test(test_icmp_time_exceeded),
		cmocka_unit_test(test_ipv4_validate_table),
	};

	return EAL_TEST_MAIN("test_arp_icmp", tests, setup, teardown);
}
