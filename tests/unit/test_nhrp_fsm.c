/* The NHRP client (spoke) and server (hub) state machines on the real
 * control-thread code, driven by a fake clock: crafted NHRP packets go in
 * through ctl_punt_input, what the node sends is decoded off the control
 * TX queue of a net_ring WAN port (the node: nhrp_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eal_test.h"
#include "nhrp_fixture.h"

/* The type word an extension went out with (C bit included), or 0. */
static uint16_t ext_wire_type(const struct nhrp_msg *m, uint16_t type)
{
	for (unsigned i = 0; i < m->nm_n_ext; i++)
		if ((m->nm_ext[i].xr_type & NHRP_EXT_TYPE_MASK) == type)
			return m->nm_ext[i].xr_type;
	return 0;
}

/* RFC 2332 5.3.1-5.3.4: these go out compulsory, Cisco's NAT one not. */
static void expect_compulsory_bits(const struct nhrp_msg *m)
{
	static const uint16_t c[] = {NHRP_EXT_RESPONDER_ADDRESS, NHRP_EXT_FORWARD_TRANSIT,
				     NHRP_EXT_REVERSE_TRANSIT, NHRP_EXT_AUTHENTICATION};

	for (unsigned i = 0; i < RTE_DIM(c); i++)
		assert_int_equal(ext_wire_type(m, c[i]), NHRP_EXT_COMPULSORY | c[i]);
	assert_int_equal(ext_wire_type(m, NHRP_EXT_CISCO_NAT_ADDRESS), NHRP_EXT_CISCO_NAT_ADDRESS);
}

static int spoke_setup(void **state)
{
	(void)state;
	return fixture_setup(false);
}

static int hub_setup(void **state)
{
	(void)state;
	return fixture_setup(true);
}

/* ---- spoke helpers ---- */

/* The hub's answer to our registration `reqid`. */
/* A Registration Reply from the NHS at nbma (overlay ov). */
static void reg_reply_code_from(uint32_t nbma, uint32_t ov, uint32_t reqid, uint8_t code)
{
	struct nhrp_msg r;

	peer_msg(&r, NHRP_TYPE_REGISTRATION_REPLY, A_NBMA, A_OV, AUTH);
	r.nm_flags |= NHRP_FLAG_REG_U;
	r.nm_request_id = reqid;
	r.nm_dst_proto = A4(ov);
	r.nm_n_cie = 1;
	r.nm_cie[0] = cie(code, 0xff, HOLD, 0, 0);
	inject(&r, nbma);
}

static void reg_reply(uint32_t reqid, uint8_t code)
{
	reg_reply_code_from(HUB_NBMA, HUB_OV, reqid, code);
}

static void reg_reply_from(uint32_t nbma, uint32_t ov, uint32_t reqid)
{
	reg_reply_code_from(nbma, ov, reqid, NHRP_CIE_SUCCESS);
}

/* Resolve B_HOST through the hub; B answers with its /24 for `hold` s. */
static void install_shortcut(uint16_t hold)
{
	struct sent s;
	struct nhrp_msg r;

	nhrp_nhc_resolve(nh(), B_HOST);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, HUB_NBMA);
	assert_int_equal(s.m.nm_dst_proto.na_addr, B_HOST);
	assert_true(s.m.nm_flags & NHRP_FLAG_RES_Q);
	peer_msg(&r, NHRP_TYPE_RESOLUTION_REPLY, A_NBMA, A_OV, AUTH);
	r.nm_flags |= NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A;
	r.nm_request_id = s.m.nm_request_id;
	r.nm_dst_proto = A4(B_HOST);
	r.nm_n_cie = 1;
	r.nm_cie[0] = cie(NHRP_CIE_SUCCESS, 24, hold, B_NBMA, B_OV);
	inject(&r, B_NBMA);
}

static bool shortcut_present(void)
{
	const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, B_OV);
	const struct peer *pe = peer_table_lookup(&fx.dp.dp_peers, B_OV);
	const struct fib_route *rt = fib_route_find(&fx.dp.dp_fib, B_NET, 24);

	if (e == NULL && pe == NULL && rt == NULL)
		return false;
	assert_non_null(e);
	assert_int_equal(e->nc_type, NC_SHORTCUT);
	assert_int_equal(e->nc_nbma, B_NBMA);
	assert_non_null(pe);
	assert_int_equal(pe->pe_nbma, B_NBMA);
	assert_non_null(rt);
	assert_int_equal(rt->rt_source, FIB_SRC_NHRP);
	assert_int_equal(fx.dp.dp_fib.fb_nh[rt->rt_nh_idx].nh_gw, B_OV);
	return true;
}

/* A Traffic Indication from `from` quoting an IPv4 packet to `dst`. */
static void traffic_indication(uint32_t from, uint32_t from_ov, uint32_t dst)
{
	struct rte_ipv4_hdr q = {.version_ihl = RTE_IPV4_VHL_DEF,
				 .time_to_live = 63,
				 .next_proto_id = IPPROTO_ICMP,
				 .total_length = RTE_BE16(84)};
	struct nhrp_msg t;

	q.src_addr = rte_cpu_to_be_32(A_LAN + 1);
	q.dst_addr = rte_cpu_to_be_32(dst);
	peer_msg(&t, NHRP_TYPE_TRAFFIC_INDICATION, from, from_ov, AUTH);
	t.nm_dst_proto = A4(A_OV);
	t.nm_quoted = (const uint8_t *)&q;
	t.nm_quoted_len = sizeof(q);
	inject(&t, from);
}

/* ---- spoke (NHC) ---- */

/* 1. At start: a Registration Request to the NHS with everything Cisco
 *    and FRR hubs expect. */
static void test_01_nhc_register_request(void **state)
{
	struct sent s;
	const struct nhrp_msg *m = &s.m;

	(void)state;
	expect_nothing(); /* the timer has not run yet */
	tick(0);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
	assert_int_equal(m->nm_flags, NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT);
	assert_int_not_equal(m->nm_hop_count, 0);
	assert_int_not_equal(m->nm_request_id, 0);
	assert_int_equal(m->nm_src_nbma.na_addr, A_NBMA);
	assert_int_equal(m->nm_src_proto.na_addr, A_OV);
	assert_int_equal(m->nm_dst_proto.na_addr, HUB_OV);
	assert_int_equal(m->nm_n_cie, 1);
	assert_int_equal(m->nm_cie[0].ce_code, NHRP_CIE_SUCCESS);
	assert_int_equal(m->nm_cie[0].ce_prefix_len, 0xff);
	assert_int_equal(m->nm_cie[0].ce_holding_time, HOLD);
	assert_true(nhrp_msg_has_ext(m, NHRP_EXT_AUTHENTICATION));
	assert_int_equal(m->nm_auth_type, NHRP_AUTH_CISCO_CLEARTEXT);
	assert_int_equal(m->nm_auth_len, strlen(AUTH));
	assert_memory_equal(m->nm_auth, AUTH, strlen(AUTH));
	assert_true(nhrp_msg_has_ext(m, NHRP_EXT_CISCO_NAT_ADDRESS));
	assert_int_equal(m->nm_n_nat, 1);
	assert_int_equal(m->nm_nat[0].ce_nbma.na_addr, HUB_NBMA);
	/* As FRR and Cisco fill it: the NHS's protocol address and our MTU. */
	assert_int_equal(m->nm_nat[0].ce_proto.na_addr, HUB_OV);
	assert_int_equal(m->nm_nat[0].ce_prefix_len, 32);
	assert_int_equal(m->nm_nat[0].ce_mtu, 1400);
	expect_compulsory_bits(m);
	expect_nothing();
	assert_int_equal(nh()->nh_stats.st_sent[NHRP_TYPE_REGISTRATION_REQUEST], 1);
}

static void tick_ms(unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		clock_fake_advance(&fx.ck, CLK_NS_PER_S / 1000);
		timer_run(&fx.ct.ct_timers, clock_now(&fx.ck));
	}
}

/* Registration Requests sent within `seconds`, by the millisecond: when
 * (ms from now) and with which request ID. */
static unsigned reg_times(unsigned seconds, unsigned *at_ms, uint32_t *ids, unsigned max)
{
	unsigned n = 0;
	struct sent s;

	tick(0);
	for (unsigned t = 0; t <= seconds * 1000; t++) {
		while (sent_next(&s)) {
			assert_int_equal(s.m.nm_type, NHRP_TYPE_REGISTRATION_REQUEST);
			assert_true(n < max);
			at_ms[n] = t;
			ids[n++] = s.m.nm_request_id;
		}
		tick_ms(1);
	}
	return n;
}

/* 2. A silent NHS: the same request retransmitted (same request ID) after
 *    1, 2, 4, 8 s, then every holdtime/3 (here 10 s), each wait jittered
 *    down by at most a quarter; PROBING, then DOWN once three requests
 *    went unanswered. */
/* 01b. registration-unique: false (Cisco's no-unique): no U flag, and
 *      the CIE's prefix length is the host's, not 0xff. */
static void test_01b_nhc_register_no_unique(void **state)
{
	struct sent s;

	(void)state;
	nhrp_fini(&fx.ct);
	fx.cfg.tunnel.reg_unique = false;
	assert_int_equal(nhrp_init(&fx.ct, &fx.cfg, NULL), 0);
	nhrp_start(&fx.ct);
	tick(0);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
	assert_int_equal(s.m.nm_flags, NHRP_FLAG_CISCO_NAT);
	assert_int_equal(s.m.nm_cie[0].ce_prefix_len, 32);
}

static void test_02_nhc_register_backoff(void **state)
{
	static const unsigned step_s[] = {1, 2, 4, 8, 10, 10, 10};
	unsigned at[16], n, jittered = 0;
	uint32_t ids[16];

	(void)state;
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_PROBING);
	/* The eight requests the steps describe come within 45 s, or sooner
	 * when the jitter shortened them; a ninth may then come too. */
	n = reg_times(45, at, ids, RTE_DIM(at));
	assert_true(n == RTE_DIM(step_s) + 1 || n == RTE_DIM(step_s) + 2);
	assert_int_equal(at[0], 0);
	for (unsigned i = 1; i <= RTE_DIM(step_s); i++) {
		unsigned gap = at[i] - at[i - 1], step = step_s[i - 1] * 1000;

		assert_int_equal(ids[i], ids[0]);
		assert_true(gap <= step && gap >= step - step / 4);
		jittered += gap != step;
	}
	assert_true(jittered > 0);
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_DOWN);
	assert_int_equal(nh()->nh_nhs[0].ns_requests, n);
	assert_int_equal(nh()->nh_nhs[0].ns_replies, 0);
}

/* 2b. With Cisco's holdtime of 7200 s the back-off stops at a minute, not
 *     at holdtime/3 (2400 s): a hub back from a long outage sees the spoke
 *     within a minute. */
static void test_02b_nhc_register_backoff_cap(void **state)
{
	unsigned at[16], n;
	uint32_t ids[16];

	(void)state;
	nh()->nh_holdtime = 7200;
	nh()->nh_reg_interval = 2400;
	n = reg_times(300, at, ids, RTE_DIM(at));
	assert_true(n >= 10);
	for (unsigned i = 1; i < n; i++)
		assert_true(at[i] - at[i - 1] <= NHRP_NHS_RETRY_MAX_S * 1000);
	assert_true(at[n - 1] - at[n - 2] >= NHRP_NHS_RETRY_MAX_S * 750);
}

/* 3. A success reply marks the NHS up; the next request is the refresh,
 *    holdtime/3 later, and not one retry before it. That refresh and its
 *    two retransmissions (1 and 2 s apart, each up to a quarter sooner)
 *    unanswered, the NHS is declared down 5.25..7 s after the refresh. */
static void test_03_nhc_register_reply_refresh(void **state)
{
	struct sent s;

	(void)state;
	tick(0);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
	reg_reply(s.m.nm_request_id, NHRP_CIE_SUCCESS);
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_UP);
	assert_int_equal(nh()->nh_nhs[0].ns_replies, 1);
	assert_int_equal(nh()->nh_stats.st_recv[NHRP_TYPE_REGISTRATION_REPLY], 1);
	tick(HOLD / 3 - 1);
	expect_nothing();
	tick(1);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
	expect_nothing();
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_UP);
	tick_ms(5200); /* the retransmissions are out; not yet the check */
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_UP);
	assert_int_equal(count_sent(NHRP_TYPE_REGISTRATION_REQUEST), 2);
	tick_ms(1800); /* the third retry notices the silence */
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_DOWN);
	assert_true(count_sent(NHRP_TYPE_REGISTRATION_REQUEST) >= 1);
}

/* The request ID of the last Registration Request sent to nbma since the
 * queue was last drained, 0 if none (drains the queue). */
static uint32_t last_reg_to(uint32_t nbma)
{
	struct sent s;
	uint32_t id = 0;

	while (sent_next(&s))
		if (s.to == nbma && s.m.nm_type == NHRP_TYPE_REGISTRATION_REQUEST)
			id = s.m.nm_request_id;
	return id;
}

/* One second passes. The NHS at HUB_NBMA answers every registration sent
 * to it, the one at B_NBMA too when answer_b; *to_hub (if given) counts
 * the packets sent to HUB_NBMA. Returns the request ID of B's last
 * registration, 0 if none. */
static uint32_t tick1(bool answer_b, unsigned *to_hub)
{
	struct sent x;
	uint32_t hid = 0, bid = 0;

	tick(1);
	while (sent_next(&x)) {
		if (x.to == HUB_NBMA && to_hub != NULL)
			(*to_hub)++;
		if (x.m.nm_type != NHRP_TYPE_REGISTRATION_REQUEST)
			continue;
		if (x.to == B_NBMA)
			bid = x.m.nm_request_id;
		else if (x.to == HUB_NBMA)
			hid = x.m.nm_request_id;
	}
	if (hid != 0)
		reg_reply_from(HUB_NBMA, HUB_OV, hid);
	if (bid != 0 && answer_b)
		reg_reply_from(B_NBMA, B_OV, bid);
	return bid;
}

/* 3b. Two NHSes, room for one (nhs-max-connections 1): only the preferred
 *     (priority 0, listed second) registers, the other stands by. When the
 *     preferred one dies the other takes over and the workers' NHS moves;
 *     when it answers again the other is let go after nhs-fallback. */
static void test_03b_nhs_preference(void **state)
{
	struct cfg_tunnel *t = &fx.cfg.tunnel;
	struct nhrp_nhs *hub, *pref;
	uint32_t id = 0;
	unsigned to_hub;

	(void)state;
	nhrp_fini(&fx.ct);
	t->n_nhs = 2;
	t->nhs[0].priority = 1;
	t->nhs[1] = (struct cfg_nhs){.nbma = B_NBMA, .overlay = B_OV, .priority = 0};
	t->nhs_max = 1;
	t->nhs_fallback = 20;
	assert_int_equal(nhrp_init(&fx.ct, &fx.cfg, NULL), 0);
	nhrp_start(&fx.ct);
	hub = &nh()->nh_nhs[0];
	pref = &nh()->nh_nhs[1];
	tick(0);
	assert_int_equal(hub->ns_state, NHRP_NHS_STANDBY);
	assert_int_equal(fx.dp.dp_tunnel.tn_nhs_overlay, B_OV);
	id = last_reg_to(B_NBMA);
	assert_int_not_equal(id, 0);
	expect_nothing();
	reg_reply_from(B_NBMA, B_OV, id);
	assert_int_equal(pref->ns_state, NHRP_NHS_UP);
	/* The preferred NHS falls silent: its refresh and two retries go
	 * unanswered, then the other starts at once. */
	tick(HOLD / 3);
	tick(7);
	assert_int_equal(pref->ns_state, NHRP_NHS_DOWN);
	assert_int_equal(hub->ns_state, NHRP_NHS_PROBING);
	id = last_reg_to(HUB_NBMA);
	assert_int_not_equal(id, 0);
	reg_reply_from(HUB_NBMA, HUB_OV, id);
	assert_int_equal(hub->ns_state, NHRP_NHS_UP);
	assert_int_equal(fx.dp.dp_tunnel.tn_nhs_overlay, HUB_OV);
	/* The preferred one answers a later retry: up again; the other stays
	 * for the fallback time, then stands by. */
	id = 0;
	for (unsigned i = 0; i < 30 && id == 0; i++)
		id = tick1(false, NULL);
	assert_int_not_equal(id, 0);
	reg_reply_from(B_NBMA, B_OV, id);
	assert_int_equal(pref->ns_state, NHRP_NHS_UP);
	assert_int_equal(fx.dp.dp_tunnel.tn_nhs_overlay, B_OV);
	assert_int_equal(hub->ns_state, NHRP_NHS_UP);
	for (unsigned i = 0; i < 19; i++)
		tick1(true, NULL);
	assert_int_equal(hub->ns_state, NHRP_NHS_UP);
	tick(1);
	assert_int_equal(hub->ns_state, NHRP_NHS_STANDBY);
	last_reg_to(HUB_NBMA);
	to_hub = 0;
	for (unsigned i = 0; i < HOLD; i++) /* standing by: it no longer registers */
		tick1(true, &to_hub);
	assert_int_equal(to_hub, 0);
	assert_int_equal(pref->ns_state, NHRP_NHS_UP);
	assert_int_equal(hub->ns_state, NHRP_NHS_STANDBY);
}

/* 4. A refusal (CIE code 4) or an answer to nothing we asked changes
 *    nothing: the NHS stays down and the retries go on. */
static void test_04_nhc_register_refused_or_unsolicited(void **state)
{
	struct sent s;
	uint32_t id;

	(void)state;
	tick(0);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
	id = s.m.nm_request_id;
	reg_reply(id, NHRP_CIE_ADMIN_PROHIBITED);
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_PROBING);
	assert_int_equal(nh()->nh_nhs[0].ns_refusals, 1);
	assert_int_equal(nh()->nh_nhs[0].ns_last_code, NHRP_CIE_ADMIN_PROHIBITED);
	reg_reply(id + 1000, NHRP_CIE_SUCCESS);
	assert_int_equal(nh()->nh_nhs[0].ns_state, NHRP_NHS_PROBING);
	assert_int_equal(nh()->nh_stats.st_recv[NHRP_TYPE_REGISTRATION_REPLY], 2);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_UNSOLICITED], 1);
	expect_nothing();
	tick(1); /* the back-off timer still runs */
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REQUEST, HUB_NBMA);
}

/* 5. A resolution answered by B: shortcut binding, worker peer and a
 *    phase 3 route for B's /24, all gone after the holding time. */
static void test_05_nhc_resolution_installs_and_expires(void **state)
{
	(void)state;
	tick(0);
	assert_int_equal(count_sent(NHRP_TYPE_REGISTRATION_REQUEST), 1);
	install_shortcut(20);
	assert_true(shortcut_present());
	assert_int_equal(nh()->nh_stats.st_recv[NHRP_TYPE_RESOLUTION_REPLY], 1);
	tick(19);
	assert_true(shortcut_present());
	tick(1);
	assert_false(shortcut_present());
	assert_null(nhrp_cache_lookup(&fx.ct, B_OV));
}

/* 6. Unanswered resolutions: three requests each, 1 then 2 s apart, then
 *    none. The second starts while the first's retry timer is armed for
 *    later and must still be retried on its own schedule. */
static void test_06_nhc_resolution_retries(void **state)
{
	static const unsigned want_x[] = {0, 1, 3}, want_y[] = {1, 2, 4};
	const uint32_t y = B_HOST + 1;
	unsigned at_x[8], at_y[8], nx = 0, ny = 0;
	struct sent s;

	(void)state;
	tick(0);
	count_sent(0);
	nhrp_nhc_resolve(nh(), B_HOST);
	nhrp_nhc_resolve(nh(), B_HOST); /* already pending: no second request */
	for (unsigned t = 0; t < 30; t++) {
		if (t == 1)
			nhrp_nhc_resolve(nh(), y);
		while (sent_next(&s)) {
			if (s.m.nm_type != NHRP_TYPE_RESOLUTION_REQUEST)
				continue;
			assert_true(nx < RTE_DIM(at_x) && ny < RTE_DIM(at_y));
			if (s.m.nm_dst_proto.na_addr == B_HOST)
				at_x[nx++] = t;
			else
				at_y[ny++] = t;
		}
		tick(1);
	}
	assert_int_equal(nx, RTE_DIM(want_x));
	assert_memory_equal(at_x, want_x, sizeof(want_x));
	assert_int_equal(ny, RTE_DIM(want_y));
	assert_memory_equal(at_y, want_y, sizeof(want_y));
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++)
		assert_int_equal(nh()->nh_pending[i].pd_reqid, 0);
	assert_null(nhrp_cache_lookup(&fx.ct, B_HOST));
}

/* 7. A Traffic Indication from the NHS makes the spoke resolve the quoted
 *    destination (phase 3 only); from anyone else it is dropped. */
static void test_07_nhc_traffic_indication(void **state)
{
	struct sent s;

	(void)state;
	tick(0);
	count_sent(0);
	traffic_indication(HUB_NBMA, HUB_OV, B_HOST);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, HUB_NBMA);
	assert_int_equal(s.m.nm_dst_proto.na_addr, B_HOST);
	expect_nothing();
	traffic_indication(C_NBMA, B_OV, B_HOST + 1);
	expect_nothing();
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_NOT_FROM_NHS], 1);
	nh()->nh_phase = 2;
	traffic_indication(HUB_NBMA, HUB_OV, B_HOST + 2);
	expect_nothing();
	assert_int_equal(nh()->nh_stats.st_recv[NHRP_TYPE_TRAFFIC_INDICATION], 3);
}

/* B's Resolution Request for `dst`, as the hub forwards it to us. */
static void b_resolution_request(struct nhrp_msg *q, uint32_t reqid, uint32_t dst)
{
	peer_msg(q, NHRP_TYPE_RESOLUTION_REQUEST, B_NBMA, B_OV, AUTH);
	q->nm_flags |= NHRP_FLAG_RES_Q;
	q->nm_request_id = reqid;
	q->nm_dst_proto = A4(dst);
	q->nm_n_cie = 1;
	q->nm_cie[0] = cie(0, 0, HOLD, 0, 0);
}

/* 8. B asks (through the hub) for an address on our LAN: we answer B
 *    directly, authoritatively, with our LAN prefix. */
static void test_08_nhc_answers_for_own_lan(void **state)
{
	struct nhrp_msg q;
	struct sent s;
	const struct nhrp_cie *c = &s.m.nm_cie[0];

	(void)state;
	b_resolution_request(&q, 0x4242, A_LAN + 6);
	q.nm_hop_count = 254;
	nhrp_msg_add_ext(&q, NHRP_EXT_FORWARD_TRANSIT);
	q.nm_n_fwd = 1;
	q.nm_fwd[0] = cie(0, 32, HOLD, HUB_NBMA, HUB_OV);
	inject(&q, HUB_NBMA);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REPLY, B_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x4242);
	assert_true(s.m.nm_flags & NHRP_FLAG_RES_A);
	assert_int_equal(s.m.nm_src_proto.na_addr, B_OV);
	assert_int_equal(s.m.nm_dst_proto.na_addr, A_LAN + 6);
	assert_int_equal(s.m.nm_n_cie, 1);
	assert_int_equal(c->ce_code, NHRP_CIE_SUCCESS);
	assert_int_equal(c->ce_prefix_len, 24);
	assert_int_equal(c->ce_proto.na_addr, A_OV);
	assert_int_equal(c->ce_nbma.na_addr, A_NBMA);
	assert_int_equal(s.m.nm_n_responder, 1);
	assert_int_equal(s.m.nm_responder.ce_proto.na_addr, A_OV);
	expect_nothing();
	/* And B is remembered for the traffic back. */
	assert_non_null(nhrp_cache_lookup(&fx.ct, B_OV));
	assert_int_equal(nhrp_cache_lookup(&fx.ct, B_OV)->nc_type, NC_SHORTCUT);
}

/* 08c. The same request straight from an NBMA address that is neither an
 *      NHS nor B as we know it (a forger naming B): no answer, no binding;
 *      counted. */
static void test_08c_nhc_request_not_from_owner(void **state)
{
	struct nhrp_msg q;

	(void)state;
	b_resolution_request(&q, 0x4243, A_LAN + 6);
	q.nm_src_nbma = A4(C_NBMA); /* "B is at C" */
	inject(&q, C_NBMA);
	expect_nothing();
	assert_null(nhrp_cache_lookup(&fx.ct, B_OV));
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_NOT_OWNER], 1);
}

/* ESP keyed by IKE (no IKE-lite here: the test installs the CHILD_SAs). */
static void esp_ike_on(void)
{
	fx.cfg.tunnel.protection = CFG_PROT_ESP;
	fx.cfg.tunnel.esp = (struct cfg_esp){.alg = CFG_ESP_AES_GCM_128,
					     .replay_window = 1024,
					     .keying = CFG_KEYING_IKE,
					     .natt = CFG_NATT_OFF,
					     .ike = {.idle_s = 300}};
	static const struct esp_mgr_hooks hooks = {.eh_sa_changed = nhrp_cache_republish_nbma};

	assert_int_equal(esp_mgr_init(&fx.ct, &fx.cfg, &hooks), 0);
}

static void esp_child_up(uint32_t nbma, uint32_t spi)
{
	uint8_t key[20];
	struct esp_child_keys k = {.ck_spi_in = spi,
				   .ck_spi_out = spi + 1,
				   .ck_alg = CFG_ESP_AES_GCM_128,
				   .ck_key_in = key,
				   .ck_key_out = key};

	memset(key, (int)spi, sizeof(key));
	assert_int_equal(esp_mgr_child_install(&fx.ct, nbma, &k), 0);
}

/* The outer destination of the next ESP packet on the control TX queue
 * (ARP skipped), or 0. */
static uint32_t esp_sent_to(void)
{
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;
	uint32_t to = 0;

	while (to == 0 && rte_ring_dequeue(env.tx[WAN][1], (void **)&m) == 0) {
		ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
					     sizeof(struct rte_ether_hdr));
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			assert_int_equal(ip->next_proto_id, IPPROTO_ESP);
			to = rte_be_to_cpu_32(ip->dst_addr);
		}
		rte_pktmbuf_free(m);
	}
	return to;
}

/* 8b. With ESP keyed by IKE and no SA with B yet, the direct answer would
 *     be dropped (fail closed) and an FRR 8.4 requester never asks again:
 *     it goes back through the hub, which relays it. Once B's SA is in,
 *     B gets the answer directly. */
static void test_08b_nhc_answer_via_hub_until_sa(void **state)
{
	struct nhrp_msg q;

	(void)state;
	esp_ike_on();
	esp_child_up(HUB_NBMA, 0x1000);
	b_resolution_request(&q, 0x4243, A_OV);
	inject(&q, HUB_NBMA);
	assert_int_equal(esp_sent_to(), HUB_NBMA);
	assert_int_equal(nh()->nh_stats.st_sent[NHRP_TYPE_RESOLUTION_REPLY], 1);
	assert_int_equal(esp_sent_to(), 0);
	esp_child_up(B_NBMA, 0x2000);
	inject(&q, HUB_NBMA);
	assert_int_equal(esp_sent_to(), B_NBMA);
	assert_int_equal(nh()->nh_stats.st_sent[NHRP_TYPE_RESOLUTION_REPLY], 2);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_SEND_FAILED], 0);
}

/* A Purge Request for B's binding, sent from nbma. */
static void purge_b_from(uint32_t nbma, uint16_t flags)
{
	struct nhrp_msg p;

	peer_msg(&p, NHRP_TYPE_PURGE_REQUEST, nbma, B_OV, AUTH);
	p.nm_flags |= flags;
	p.nm_request_id = 0x777;
	p.nm_dst_proto = A4(A_OV);
	p.nm_n_cie = 1;
	p.nm_cie[0] = cie(0, 32, 0, 0, B_OV);
	inject(&p, nbma);
}

static void purge_from_b(uint16_t flags)
{
	purge_b_from(B_NBMA, flags);
}

/* 9. A Purge Request for our shortcut to B removes it with its route; a
 *    Purge Reply goes back unless the N flag says not to. Only B itself
 *    (or an NHS) may purge it. */
static void test_09_nhc_purge(void **state)
{
	struct sent s;

	(void)state;
	install_shortcut(HOLD);
	assert_true(shortcut_present());
	/* From anyone else (not B, not an NHS): a forgery, dropped unanswered. */
	purge_b_from(C_NBMA, 0);
	assert_true(shortcut_present());
	expect_nothing();
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_PURGE_NOT_OWNER], 1);
	purge_from_b(0);
	assert_false(shortcut_present());
	expect_sent(&s, NHRP_TYPE_PURGE_REPLY, B_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x777);
	assert_int_equal(s.m.nm_n_cie, 1);
	assert_int_equal(s.m.nm_cie[0].ce_proto.na_addr, B_OV);
	expect_nothing();
	install_shortcut(HOLD);
	assert_true(shortcut_present());
	purge_from_b(NHRP_FLAG_PURGE_N);
	assert_false(shortcut_present());
	expect_nothing();
	/* The NHS's static binding is never purged. */
	assert_non_null(nhrp_cache_lookup(&fx.ct, HUB_OV));
}

/* 10. Wrong or missing password: dropped, counted, Error Indication 11
 *     back to the sender; nothing learned. */
static void test_10_nhc_auth_failure(void **state)
{
	static const char *const bad[] = {"wrong", NULL};
	struct nhrp_msg q;
	struct sent s;

	(void)state;
	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		peer_msg(&q, NHRP_TYPE_RESOLUTION_REQUEST, B_NBMA, B_OV, bad[i]);
		q.nm_request_id = 9;
		q.nm_dst_proto = A4(A_LAN + 6);
		q.nm_n_cie = 1;
		q.nm_cie[0] = cie(0, 0, HOLD, 0, 0);
		inject(&q, B_NBMA);
		expect_sent(&s, NHRP_TYPE_ERROR_INDICATION, B_NBMA);
		assert_int_equal(s.m.nm_err_code, NHRP_ERR_AUTHENTICATION_FAILURE);
		assert_int_equal(s.m.nm_dst_proto.na_addr, B_OV);
		assert_int_not_equal(s.m.nm_quoted_len, 0);
		expect_nothing();
		assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_AUTH], i + 1);
	}
	assert_null(nhrp_cache_lookup(&fx.ct, B_OV));
	assert_int_equal(nh()->nh_stats.st_sent[NHRP_TYPE_RESOLUTION_REPLY], 0);
}

/* 10a. A flood of packets with a wrong password, each claiming another
 *      source: Error Indications go out at most NHRP_ERR_RATE a second,
 *      the rest are counted, and the bucket fills again with time. */
static void test_10a_error_indication_rate(void **state)
{
	struct nhrp_msg q;
	unsigned sent = 0;

	(void)state;
	for (unsigned i = 0; i < 100; i++) {
		peer_msg(&q, NHRP_TYPE_RESOLUTION_REQUEST, B_NBMA, B_OV, "wrong");
		q.nm_request_id = 100 + i;
		q.nm_dst_proto = A4(A_LAN + 6);
		inject(&q, B_NBMA);
	}
	sent = count_sent(NHRP_TYPE_ERROR_INDICATION);
	assert_int_equal(sent, NHRP_ERR_RATE);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_AUTH], 100);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_ERROR_RATE], 100 - NHRP_ERR_RATE);
	tick_ms(1000 / NHRP_ERR_RATE); /* one token back */
	inject(&q, B_NBMA);
	inject(&q, B_NBMA);
	assert_int_equal(count_sent(NHRP_TYPE_ERROR_INDICATION), 1);
}

/* A Traffic Indication from the NHS like FRR's: no authentication
 * extension at all, or `auth` as password. */
static void traffic_indication_auth(const char *auth)
{
	struct rte_ipv4_hdr q = {.version_ihl = RTE_IPV4_VHL_DEF,
				 .time_to_live = 63,
				 .next_proto_id = IPPROTO_ICMP,
				 .total_length = RTE_BE16(84)};
	struct nhrp_msg t;

	q.src_addr = rte_cpu_to_be_32(A_LAN + 1);
	q.dst_addr = rte_cpu_to_be_32(B_HOST);
	peer_msg(&t, NHRP_TYPE_TRAFFIC_INDICATION, HUB_NBMA, HUB_OV, auth);
	t.nm_dst_proto = A4(A_OV);
	t.nm_quoted = (const uint8_t *)&q;
	t.nm_quoted_len = sizeof(q);
	inject(&t, HUB_NBMA);
}

/* 10b. A Traffic Indication without the authentication extension, as
 *      FRR 8.4 hubs send them, is refused like any unauthenticated packet
 *      (RFC 2332 5.3.4): no Resolution Request follows. */
static void test_10b_nhc_redirect_authentication(void **state)
{
	struct sent s;

	(void)state;
	tick(0);
	count_sent(0);
	traffic_indication_auth(NULL);
	expect_sent(&s, NHRP_TYPE_ERROR_INDICATION, HUB_NBMA);
	assert_int_equal(s.m.nm_err_code, NHRP_ERR_AUTHENTICATION_FAILURE);
	expect_nothing();
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_AUTH], 1);
	traffic_indication_auth(AUTH);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, HUB_NBMA);
	expect_nothing();
}

/* ---- hub (NHS) ---- */

/* A Registration Request of spoke `ov`, claiming `claimed` as its NBMA, as
 * a Cisco spoke sends it (unique, to the hub's address). */
static void reg_request_msg(struct nhrp_msg *r, uint32_t ov, uint32_t claimed, uint32_t id,
			    uint16_t hold)
{
	peer_msg(r, NHRP_TYPE_REGISTRATION_REQUEST, claimed, ov, AUTH);
	r->nm_flags |= NHRP_FLAG_REG_U;
	r->nm_request_id = id;
	r->nm_dst_proto = A4(HUB_OV);
	r->nm_n_cie = 1;
	r->nm_cie[0] = cie(0, 0xff, hold, 0, 0);
	nhrp_msg_add_ext(r, NHRP_EXT_CISCO_NAT_ADDRESS);
	r->nm_n_nat = 1;
	r->nm_nat[0] = cie(0, 32, 0, HUB_NBMA, 0);
}

/* ... sent from `from`. */
static void reg_request(uint32_t ov, uint32_t claimed, uint32_t from, uint32_t id, uint16_t hold)
{
	struct nhrp_msg r;

	reg_request_msg(&r, ov, claimed, id, hold);
	inject(&r, from);
}

/* Registers and checks the reply's CIE code; returns it decoded in s. */
static void reg_expect(struct sent *s, uint32_t ov, uint32_t from, uint32_t id, uint8_t code)
{
	reg_request(ov, from, from, id, HOLD);
	expect_sent(s, NHRP_TYPE_REGISTRATION_REPLY, from);
	assert_int_equal(s->m.nm_request_id, id);
	assert_int_equal(s->m.nm_n_cie, 1);
	assert_int_equal(s->m.nm_cie[0].ce_code, code);
}

/* 11. A registration (here from behind a NAT) creates a dynamic binding
 *     and a worker peer at the address it came from; the reply names the
 *     hub and tells the spoke how it was seen. */
static void test_11_nhs_registration(void **state)
{
	const uint32_t inside = 0xac100005u; /* 172.16.0.5: A's own idea */
	const struct nhrp_cache_entry *e;
	const struct peer *pe;
	struct sent s;
	const struct nhrp_cie *nat;

	(void)state;
	reg_request(A_OV, inside, A_NBMA, 0x1001, HOLD);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REPLY, A_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x1001);
	assert_int_equal(s.m.nm_cie[0].ce_code, NHRP_CIE_SUCCESS);
	assert_int_equal(s.m.nm_src_proto.na_addr, A_OV);
	assert_int_equal(s.m.nm_dst_proto.na_addr, HUB_OV);
	expect_compulsory_bits(&s.m);
	/* Behind a NAT: the spoke's CIE echoed, then the spoke as we see it. */
	assert_int_equal(s.m.nm_n_nat, 2);
	assert_true(nhrp_msg_has_ext(&s.m, NHRP_EXT_RESPONDER_ADDRESS));
	assert_int_equal(s.m.nm_n_responder, 1);
	assert_int_equal(s.m.nm_responder.ce_nbma.na_addr, HUB_NBMA);
	assert_int_equal(s.m.nm_responder.ce_proto.na_addr, HUB_OV);
	assert_true(s.m.nm_n_nat >= 1);
	nat = &s.m.nm_nat[s.m.nm_n_nat - 1];
	assert_int_equal(nat->ce_nbma.na_addr, A_NBMA);
	assert_int_equal(nat->ce_proto.na_addr, A_OV);
	assert_true(nhrp_msg_has_ext(&s.m, NHRP_EXT_AUTHENTICATION));
	expect_nothing();
	e = nhrp_cache_lookup(&fx.ct, A_OV);
	assert_non_null(e);
	assert_int_equal(e->nc_type, NC_DYNAMIC);
	assert_int_equal(e->nc_nbma_seen, A_NBMA);
	assert_int_equal(e->nc_nbma, inside);
	assert_true(e->nc_flags & NC_F_UNIQUE);
	assert_true(e->nc_flags & NC_F_NAT);
	pe = peer_table_lookup(&fx.dp.dp_peers, A_OV);
	assert_non_null(pe);
	assert_int_equal(pe->pe_nbma, A_NBMA);
	assert_int_equal(pe->pe_type, PEER_DYNAMIC);
	assert_ptr_equal(peer_table_lookup_nbma(&fx.dp.dp_peers, A_NBMA), pe);
}

/* 11b. An FRR or Cisco spoke with "nhs dynamic" knows the hub only by
 *      NBMA address: its request names itself as the destination, no
 *      unique flag. The reply names the hub as destination (that is how
 *      the spoke learns the NHS's protocol address) and, with no NAT in
 *      between, echoes the NAT extension without a CIE of ours. */
static void test_11b_nhs_dynamic_nhs_spoke(void **state)
{
	struct nhrp_msg r;
	struct sent s;

	(void)state;
	/* As FRR sends it: hop count 1, not unique, /32, itself as the
	 * destination, the NHS's NBMA in the NAT extension. */
	reg_request_msg(&r, B_OV, B_NBMA, 0x2002, HOLD);
	r.nm_hop_count = 1;
	r.nm_flags &= (uint16_t)~NHRP_FLAG_REG_U;
	r.nm_dst_proto = A4(B_OV);
	r.nm_cie[0].ce_prefix_len = 32;
	inject(&r, B_NBMA);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REPLY, B_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x2002);
	assert_int_equal(s.m.nm_cie[0].ce_code, NHRP_CIE_SUCCESS);
	assert_int_equal(s.m.nm_src_nbma.na_addr, B_NBMA);
	assert_int_equal(s.m.nm_src_proto.na_addr, B_OV);
	assert_int_equal(s.m.nm_dst_proto.na_addr, HUB_OV);
	assert_int_equal(s.m.nm_flags & NHRP_FLAG_REG_U, 0);
	assert_int_equal(s.m.nm_responder.ce_proto.na_addr, HUB_OV);
	assert_int_equal(s.m.nm_n_nat, 1);
	assert_int_equal(s.m.nm_nat[0].ce_nbma.na_addr, HUB_NBMA);
	expect_nothing();
	assert_int_equal(nhrp_cache_lookup(&fx.ct, B_OV)->nc_type, NC_DYNAMIC);
	assert_false(nhrp_cache_lookup(&fx.ct, B_OV)->nc_flags & NC_F_NAT);
}

/* 12. Re-registration pushes the expiry out; silence expires the binding
 *     after the holding time and retires the peer. */
static void test_12_nhs_refresh_and_expiry(void **state)
{
	struct sent s;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	tick(20);
	reg_expect(&s, A_OV, A_NBMA, 2, NHRP_CIE_SUCCESS);
	tick(HOLD - 20); /* past the first registration's expiry */
	assert_non_null(nhrp_cache_lookup(&fx.ct, A_OV));
	tick(19);
	assert_non_null(nhrp_cache_lookup(&fx.ct, A_OV));
	assert_non_null(peer_table_lookup(&fx.dp.dp_peers, A_OV));
	tick(1);
	assert_null(nhrp_cache_lookup(&fx.ct, A_OV));
	assert_null(peer_table_lookup(&fx.dp.dp_peers, A_OV));
	assert_null(peer_table_lookup_nbma(&fx.dp.dp_peers, A_NBMA));
	expect_nothing();
}

/* 12b. A registration asking for 65535 s gets registration-max-holdtime
 *      (100 s here): the reply says so and the binding ends then. */
static void test_12b_nhs_holdtime_capped(void **state)
{
	struct sent s;

	(void)state;
	nh()->nh_reg_hold_max = 100;
	reg_request(A_OV, A_NBMA, A_NBMA, 7, 65535);
	expect_sent(&s, NHRP_TYPE_REGISTRATION_REPLY, A_NBMA);
	assert_int_equal(s.m.nm_cie[0].ce_code, NHRP_CIE_SUCCESS);
	assert_int_equal(s.m.nm_cie[0].ce_holding_time, 100);
	tick(99);
	assert_non_null(nhrp_cache_lookup(&fx.ct, A_OV));
	tick(1);
	assert_null(nhrp_cache_lookup(&fx.ct, A_OV));
	expect_nothing();
}

/* 12c. The multicast replication list: rebuilt at once for a change after
 *      a quiet spell, and once for the changes that follow within 100 ms
 *      (a flood costs ten walks of the table a second, not one each). */
static void test_12c_nhs_mcast_list_batched(void **state)
{
	struct sent s;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	assert_non_null(fx.dp.dp_mcast);
	assert_int_equal(fx.dp.dp_mcast->ml_n, 1);
	reg_expect(&s, B_OV, B_NBMA, 2, NHRP_CIE_SUCCESS);
	assert_int_equal(fx.dp.dp_mcast->ml_n, 1); /* B waits for the batch */
	tick(1);
	assert_int_equal(fx.dp.dp_mcast->ml_n, 2);
	expect_nothing();
}

/* 12d. limits.max-peers-per-nbma (2 here): a third address registered
 *      from C is refused with code 5 and counted; C's own refresh and A's
 *      registration still go through. */
static void test_12d_nhs_registrations_per_nbma(void **state)
{
	struct sent s;

	(void)state;
	nh()->nh_src_max = 2;
	reg_expect(&s, 0x0aff0014u, C_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, 0x0aff0015u, C_NBMA, 2, NHRP_CIE_SUCCESS);
	reg_expect(&s, 0x0aff0016u, C_NBMA, 3, NHRP_CIE_INSUFFICIENT_RESOURCES);
	assert_null(nhrp_cache_lookup(&fx.ct, 0x0aff0016u));
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_SOURCE_CAP], 1);
	reg_expect(&s, 0x0aff0015u, C_NBMA, 4, NHRP_CIE_SUCCESS); /* a refresh */
	reg_expect(&s, A_OV, A_NBMA, 5, NHRP_CIE_SUCCESS);
	assert_int_equal(nhrp_cache_src_count(&fx.ct, C_NBMA), 2);
	assert_int_equal(nhrp_cache_src_count(&fx.ct, A_NBMA), 1);
	tick(HOLD); /* all expire: the counts go with them */
	assert_int_equal(nhrp_cache_src_count(&fx.ct, C_NBMA), 0);
	reg_expect(&s, 0x0aff0016u, C_NBMA, 6, NHRP_CIE_SUCCESS);
	expect_nothing();
}

/* 12e. limits.registration-rate-per-nbma (2 a second, burst 2 here): C's
 *      third registration within a second gets no answer and is counted;
 *      A, another source, is not held back; a second later C is heard. */
static void test_12e_nhs_registration_rate(void **state)
{
	struct sent s;

	(void)state;
	src_rate_init(&nh()->nh_reg_rate, 2, 2);
	reg_expect(&s, 0x0aff0014u, C_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, 0x0aff0015u, C_NBMA, 2, NHRP_CIE_SUCCESS);
	reg_request(0x0aff0016u, C_NBMA, C_NBMA, 3, HOLD);
	expect_nothing();
	assert_null(nhrp_cache_lookup(&fx.ct, 0x0aff0016u));
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_REG_RATE], 1);
	reg_expect(&s, A_OV, A_NBMA, 4, NHRP_CIE_SUCCESS);
	tick(1);
	reg_expect(&s, 0x0aff0016u, C_NBMA, 5, NHRP_CIE_SUCCESS);
	expect_nothing();
}

/* 12f. limits.nhrp-send-rate (3 a second here): a hub asked for more
 *      replies than that in a second sends 3, takes every registration
 *      (the spokes retransmit for the reply) and counts the rest; a
 *      second later it answers again. */
static void test_12f_nhs_send_quota(void **state)
{
	struct sent s;

	(void)state;
	nh()->nh_send_rate = 3;
	for (uint32_t i = 0; i < 3; i++)
		reg_expect(&s, 0x0aff0014u + i, C_NBMA, 1 + i, NHRP_CIE_SUCCESS);
	reg_request(0x0aff0017u, C_NBMA, C_NBMA, 4, HOLD);
	reg_request(0x0aff0018u, C_NBMA, C_NBMA, 5, HOLD);
	expect_nothing();
	assert_non_null(nhrp_cache_lookup(&fx.ct, 0x0aff0018u));
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_SEND_QUOTA], 2);
	tick(1);
	reg_expect(&s, 0x0aff0017u, C_NBMA, 6, NHRP_CIE_SUCCESS);
	expect_nothing();
}

/* 12g. tunnel.registration-allow: 10.255.0.16/28 from 192.0.2.0/24, and
 *      anything from A's address. C registers inside its block; outside
 *      it, refused with code 4 and counted; A anywhere in the tunnel. */
static void test_12g_nhs_registration_allow(void **state)
{
	struct sent s;

	(void)state;
	nh()->nh_n_allow = 2;
	nh()->nh_allow[0] =
		(struct cfg_reg_allow){.address = {0x0aff0010u, 28}, .nbma = {0xc0000200u, 24}};
	nh()->nh_allow[1] = (struct cfg_reg_allow){.nbma = {A_NBMA, 32}};
	reg_expect(&s, 0x0aff0014u, C_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, 0x0aff0030u, C_NBMA, 2, NHRP_CIE_ADMIN_PROHIBITED);
	assert_null(nhrp_cache_lookup(&fx.ct, 0x0aff0030u));
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_REG_NOT_ALLOWED], 1);
	reg_expect(&s, A_OV, A_NBMA, 3, NHRP_CIE_SUCCESS);
	reg_expect(&s, 0x0aff0030u, A_NBMA, 4, NHRP_CIE_SUCCESS);
	expect_nothing();
}

/* 13. A's unique registration is alive: the same overlay from another
 *     NBMA is refused with CIE code 14 and the binding stays A's. */
static void test_13_nhs_unique_conflict(void **state)
{
	struct sent s;
	const struct nhrp_cache_entry *e;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	tick(5);
	reg_expect(&s, A_OV, C_NBMA, 2, NHRP_CIE_UNIQUE_ADDRESS_REGISTERED);
	expect_nothing();
	/* Counted by reason, and as a rejected registration. */
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_REG_UNIQUE], 1);
	assert_int_equal(nh()->nh_stats.st_err[NHRP_TYPE_REGISTRATION_REQUEST], 1);
	e = nhrp_cache_lookup(&fx.ct, A_OV);
	assert_non_null(e);
	assert_int_equal(e->nc_nbma_seen, A_NBMA);
	assert_int_equal(e->nc_nbma, A_NBMA);
	assert_int_equal(peer_table_lookup(&fx.dp.dp_peers, A_OV)->pe_nbma, A_NBMA);
	assert_null(peer_table_lookup_nbma(&fx.dp.dp_peers, C_NBMA));
	/* A itself may refresh. */
	reg_expect(&s, A_OV, A_NBMA, 3, NHRP_CIE_SUCCESS);
}

/* What IKE authenticated each peer as, for 13b: A and C as one identity
 * (A's spoke after its address changed), B as another. */
static uint64_t fake_identity(struct ctl *ct, uint32_t nbma)
{
	(void)ct;
	return nbma == A_NBMA || nbma == C_NBMA ? 0xa : nbma == B_NBMA ? 0xb : 0;
}

/* 13b. With IKE: A's unique binding moves to C at once when C is
 *      authenticated as A's identity (A's address changed), and is
 *      refused (14) to B, another identity. Without an identity for the
 *      new address the binding stays. */
static void test_13b_nhs_unique_move_same_identity(void **state)
{
	struct sent s;

	(void)state;
	nh()->nh_hooks.nhk_peer_identity = fake_identity;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, A_OV, B_NBMA, 2, NHRP_CIE_UNIQUE_ADDRESS_REGISTERED);
	assert_int_equal(nhrp_cache_lookup(&fx.ct, A_OV)->nc_nbma_seen, A_NBMA);
	reg_expect(&s, A_OV, C_NBMA, 3, NHRP_CIE_SUCCESS);
	assert_int_equal(nhrp_cache_lookup(&fx.ct, A_OV)->nc_nbma_seen, C_NBMA);
	assert_int_equal(peer_table_lookup(&fx.dp.dp_peers, A_OV)->pe_nbma, C_NBMA);
	assert_int_equal(nh()->nh_stats.st_moved, 1);
	assert_int_equal(nhrp_cache_src_count(&fx.ct, A_NBMA), 0);
	assert_int_equal(nhrp_cache_src_count(&fx.ct, C_NBMA), 1);
	/* No identity known for the address: a plain conflict. */
	nh()->nh_hooks.nhk_peer_identity = NULL;
	reg_expect(&s, A_OV, A_NBMA, 4, NHRP_CIE_UNIQUE_ADDRESS_REGISTERED);
	expect_nothing();
}

/* A Resolution Request from A for dst, with `fwd` transit records. */
static void resolve_from_a(uint32_t dst, uint32_t id, const struct nhrp_cie *fwd)
{
	struct nhrp_msg q;

	peer_msg(&q, NHRP_TYPE_RESOLUTION_REQUEST, A_NBMA, A_OV, AUTH);
	q.nm_flags |= NHRP_FLAG_RES_Q;
	q.nm_request_id = id;
	q.nm_dst_proto = A4(dst);
	q.nm_n_cie = 1;
	q.nm_cie[0] = cie(0, 0, HOLD, 0, 0);
	if (fwd != NULL) {
		nhrp_msg_add_ext(&q, NHRP_EXT_FORWARD_TRANSIT);
		q.nm_n_fwd = 1;
		q.nm_fwd[0] = *fwd;
	}
	inject(&q, A_NBMA);
}

/* 14c. A Resolution Request naming A as its source but sent from C (not
 *      registered), or claiming another NBMA address for A: not forwarded,
 *      not answered, A's binding untouched; counted. */
static void test_14c_nhs_request_not_from_owner(void **state)
{
	struct nhrp_msg q;
	struct sent s;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, B_OV, B_NBMA, 2, NHRP_CIE_SUCCESS);
	route_add(B_NET, 24, FIB_NH_TUNNEL, 0, B_OV, FIB_SRC_STATIC);
	for (int k = 0; k < 3; k++) {
		peer_msg(&q, NHRP_TYPE_RESOLUTION_REQUEST, k == 2 ? C_NBMA : A_NBMA, A_OV, AUTH);
		q.nm_flags |= NHRP_FLAG_RES_Q;
		q.nm_request_id = 0x60 + (uint32_t)k;
		q.nm_dst_proto = A4(k == 1 ? HUB_OV : B_HOST); /* forwarded, or answered */
		q.nm_n_cie = 1;
		q.nm_cie[0] = cie(0, 0, HOLD, 0, 0);
		inject(&q, k == 2 ? A_NBMA : C_NBMA);
		expect_nothing();
	}
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_NOT_OWNER], 3);
	assert_int_equal(nhrp_cache_lookup(&fx.ct, A_OV)->nc_type, NC_DYNAMIC);
	assert_int_equal(nhrp_cache_lookup(&fx.ct, A_OV)->nc_nbma_seen, A_NBMA);
	/* From A itself, as registered: forwarded. */
	resolve_from_a(B_HOST, 0x63, NULL);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, B_NBMA);
}

/* 14. Resolution Requests at the hub: forwarded to the owner with hop
 *     count - 1 and the hub in the forward transit record; refused with
 *     CIE code 12 for an unknown destination; Error Indication 3 when the
 *     hub is already on the path (loop). */
static void test_14_nhs_resolution_forward(void **state)
{
	const struct nhrp_cie self = cie(0, 32, HOLD, HUB_NBMA, HUB_OV);
	struct sent s;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	reg_expect(&s, B_OV, B_NBMA, 2, NHRP_CIE_SUCCESS);
	route_add(B_NET, 24, FIB_NH_TUNNEL, 0, B_OV, FIB_SRC_STATIC);
	resolve_from_a(B_HOST, 0x51, NULL);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, B_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x51);
	assert_int_equal(s.m.nm_hop_count, NHRP_MSG_HOP_COUNT_DEFAULT - 1);
	assert_int_equal(s.m.nm_src_nbma.na_addr, A_NBMA);
	assert_int_equal(s.m.nm_src_proto.na_addr, A_OV);
	assert_int_equal(s.m.nm_dst_proto.na_addr, B_HOST);
	assert_int_equal(s.m.nm_n_fwd, 1);
	assert_int_equal(s.m.nm_fwd[0].ce_proto.na_addr, HUB_OV);
	assert_int_equal(s.m.nm_fwd[0].ce_nbma.na_addr, HUB_NBMA);
	expect_nothing();
	resolve_from_a(0x0a090909u, 0x52, NULL);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REPLY, A_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x52);
	assert_int_equal(s.m.nm_cie[0].ce_code, NHRP_CIE_NO_BINDING_EXISTS);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_NO_ROUTE], 1);
	resolve_from_a(B_HOST, 0x53, &self);
	expect_sent(&s, NHRP_TYPE_ERROR_INDICATION, A_NBMA);
	assert_int_equal(s.m.nm_err_code, NHRP_ERR_LOOP_DETECTED);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_LOOP], 1);
	expect_nothing();
}

/* 14b. Another hub as a static binding (tunnel.maps), C's NBMA standing
 *      in for it: a request whose destination routes via that hub is
 *      forwarded there; the reply it relays back goes on the way the
 *      request came (to A, the first in the transit record being us); a
 *      reply we relay as the second hub goes to the first; a packet that
 *      hub hairpins through us brings it no Traffic Indication. */
#define H2_OV 0x0aff0002u
static void test_14b_nhs_forward_to_mapped_hub(void **state)
{
	const struct nhrp_cie self = cie(0, 32, HOLD, HUB_NBMA, HUB_OV);
	const struct nhrp_cie h2 = cie(0, 32, HOLD, C_NBMA, H2_OV);
	struct nhrp_msg r;
	struct dp_event ev;
	struct sent s;

	(void)state;
	assert_non_null(nhrp_cache_update(&fx.ct, H2_OV, C_NBMA, NC_STATIC, 0, 0));
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	route_add(B_NET, 24, FIB_NH_TUNNEL, 0, H2_OV, FIB_SRC_KERNEL);
	resolve_from_a(B_HOST, 0x61, NULL);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REQUEST, C_NBMA);
	assert_int_equal(s.m.nm_request_id, 0x61);
	assert_int_equal(s.m.nm_hop_count, NHRP_MSG_HOP_COUNT_DEFAULT - 1);
	assert_int_equal(s.m.nm_src_nbma.na_addr, A_NBMA);
	assert_int_equal(s.m.nm_n_fwd, 1);
	assert_int_equal(s.m.nm_fwd[0].ce_proto.na_addr, HUB_OV);
	expect_nothing();
	/* B answered through the other hub, which relays it to us */
	peer_msg(&r, NHRP_TYPE_RESOLUTION_REPLY, A_NBMA, A_OV, AUTH);
	r.nm_flags |= NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A;
	r.nm_request_id = 0x61;
	r.nm_dst_proto = A4(B_HOST);
	r.nm_n_cie = 1;
	r.nm_cie[0] = cie(NHRP_CIE_SUCCESS, 24, HOLD, B_NBMA, B_OV);
	nhrp_msg_add_ext(&r, NHRP_EXT_FORWARD_TRANSIT);
	nhrp_msg_add_ext(&r, NHRP_EXT_REVERSE_TRANSIT);
	r.nm_n_fwd = 2;
	r.nm_fwd[0] = self;
	r.nm_fwd[1] = h2;
	r.nm_n_rev = 1;
	r.nm_rev[0] = h2;
	inject(&r, C_NBMA);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REPLY, A_NBMA);
	assert_int_equal(s.m.nm_n_rev, 2);
	assert_int_equal(s.m.nm_rev[1].ce_proto.na_addr, HUB_OV);
	expect_nothing();
	/* as the second hub: back to the first */
	r.nm_fwd[0] = h2;
	r.nm_fwd[1] = self;
	r.nm_n_rev = 0;
	inject(&r, B_NBMA);
	expect_sent(&s, NHRP_TYPE_RESOLUTION_REPLY, C_NBMA);
	expect_nothing();
	/* the mapped hub hairpins through us: not told */
	memset(&ev, 0, sizeof(ev));
	ev.ev_cause = PUNT_EV_REDIRECT;
	ev.ev_port = WAN;
	ev.ev_nbma = C_NBMA;
	ev.ev_target = B_OV;
	nhrp_event(&fx.ct, &ev);
	expect_nothing();
}

/* 15. A worker saw A hairpin traffic to B's LAN (phase 3): A gets a
 *     Traffic Indication quoting the packet. */
static void test_15_nhs_traffic_indication(void **state)
{
	struct rte_ipv4_hdr q = {.version_ihl = RTE_IPV4_VHL_DEF,
				 .time_to_live = 63,
				 .next_proto_id = IPPROTO_ICMP,
				 .total_length = RTE_BE16(84)};
	struct dp_event ev;
	struct sent s;

	(void)state;
	reg_expect(&s, A_OV, A_NBMA, 1, NHRP_CIE_SUCCESS);
	q.src_addr = rte_cpu_to_be_32(A_LAN + 6);
	q.dst_addr = rte_cpu_to_be_32(B_HOST);
	memset(&ev, 0, sizeof(ev));
	ev.ev_cause = PUNT_EV_REDIRECT;
	ev.ev_port = WAN;
	ev.ev_nbma = A_NBMA;
	ev.ev_target = B_OV;
	ev.ev_quote_len = sizeof(q);
	memcpy(ev.ev_quote, &q, sizeof(q));
	nhrp_event(&fx.ct, &ev);
	expect_sent(&s, NHRP_TYPE_TRAFFIC_INDICATION, A_NBMA);
	assert_int_equal(s.m.nm_traffic_code, NHRP_TRAFFIC_REDIRECT);
	assert_int_equal(s.m.nm_dst_proto.na_addr, A_OV);
	assert_int_equal(s.m.nm_src_proto.na_addr, HUB_OV);
	assert_int_equal(s.m.nm_quoted_len, sizeof(q));
	assert_memory_equal(s.m.nm_quoted, &q, sizeof(q));
	expect_nothing();
	ev.ev_nbma = C_NBMA; /* not registered: nobody to tell */
	nhrp_event(&fx.ct, &ev);
	expect_nothing();
}

/* 16. An unknown compulsory extension: Error Indication code 1 pointing
 *     at it; nothing registered. */
static void test_16_nhs_unknown_compulsory_extension(void **state)
{
	static const uint8_t junk[4] = {1, 2, 3, 4};
	uint8_t buf[1500];
	size_t len;
	struct nhrp_msg r;
	struct sent s;
	uint16_t off;

	(void)state;
	peer_msg(&r, NHRP_TYPE_REGISTRATION_REQUEST, A_NBMA, A_OV, AUTH);
	r.nm_request_id = 7;
	r.nm_dst_proto = A4(HUB_OV);
	r.nm_n_cie = 1;
	r.nm_cie[0] = cie(0, 0xff, HOLD, 0, 0);
	r.nm_ext[r.nm_n_ext++] = (struct nhrp_ext_ref){
		.xr_type = NHRP_EXT_COMPULSORY | 0x1234, .xr_len = sizeof(junk), .xr_value = junk};
	assert_int_equal(nhrp_msg_encode(&r, buf, sizeof(buf), &len), 0);
	inject(&r, A_NBMA);
	expect_sent(&s, NHRP_TYPE_ERROR_INDICATION, A_NBMA);
	assert_int_equal(s.m.nm_err_code, NHRP_ERR_UNRECOGNIZED_EXTENSION);
	off = s.m.nm_err_offset;
	assert_true(off + 4u <= len);
	assert_int_equal((buf[off] << 8) | buf[off + 1], NHRP_EXT_COMPULSORY | 0x1234);
	assert_int_equal(s.m.nm_quoted_len, len);
	assert_memory_equal(s.m.nm_quoted, buf, len);
	expect_nothing();
	assert_null(nhrp_cache_lookup(&fx.ct, A_OV));
	assert_int_equal(nh()->nh_stats.st_decode[NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION], 1);
}

/* limits.max-peers (64 here) and limits.max-routes (256) reached: the
 * registration after the last that fits is refused and counted, an NHRP
 * route beyond the FIB says -ENOSPC, and the routes through one spoke
 * share one next hop and go with its entry. */
static void test_17_hub_tables_full(void **state)
{
	struct ctl *ct = &fx.ct;
	struct fib *f = &fx.dp.dp_fib;
	uint32_t before = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), n = 0, base, i;
	struct sent s;

	(void)state;
	assert_int_equal(ct->ct_nhrp_max, fx.dp.dp_max_peers + 1);
	assert_int_equal(before, 1); /* the hub's own entry */
	while (nhrp_cache_update(ct, 0x0aff0100u + n, 0xc6336400u + n, NC_DYNAMIC, HOLD, 0) != NULL)
		n++;
	assert_int_equal(n, fx.dp.dp_max_peers);
	assert_int_equal(fx.ct.ct_cnt[WAN][CTL_NHRP_CACHE_FULL], 1);
	/* A registration now is refused with code 5, counted by reason. */
	reg_expect(&s, 0x0aff0063u, C_NBMA, 1, NHRP_CIE_INSUFFICIENT_RESOURCES);
	assert_int_equal(nh()->nh_stats.st_drop[NHRP_DROP_REG_FULL], 1);
	assert_null(peer_table_lookup(&fx.dp.dp_peers, 0x0aff0100u + n));
	assert_non_null(peer_table_lookup(&fx.dp.dp_peers, 0x0aff0100u + n - 1));

	base = f->fb_nroutes;
	for (i = 0; nhrp_route_add(ct, 0x0a800000u + (i << 8), 24, 0x0aff0100u) == 0; i++)
		;
	assert_int_equal(i, f->fb_max_routes - base);
	assert_int_equal(nhrp_route_add(ct, 0x0a800000u + (i << 8), 24, 0x0aff0100u), -ENOSPC);
	assert_true(f->fb_nh_used <= base + 1);
	/* The entry goes, and its routes with it. */
	nhrp_cache_remove(ct, 0x0aff0100u);
	assert_int_equal(f->fb_nroutes, base);
	assert_null(fib_lookup(f, 0x0a800001u));
	nhrp_cache_clear(ct);
	expect_nothing();
}

/* 18. 10,000 registrations, from 200 NBMA addresses in turn, in rounds
 *     that fill the cache (max-peers 64) and expire: after each round the
 *     cache, the peer table and the per-source counts are back where they
 *     started, and under LeakSanitizer (the ASan build) nothing is left. */
#define NBMA_AT(n) (0xc0000214u + (n) % 200) /* 192.0.2.20 .. 219 */
static void test_18_nhs_register_expire_cycles(void **state)
{
	struct ctl *ct = &fx.ct;
	uint32_t base = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), id = 1, round = 50;
	struct sent s;

	(void)state;
	for (uint32_t n = 0; n < 200; n++)
		arp_learn(NBMA_AT(n));
	for (uint32_t done = 0; done < 10000; done += round) {
		for (uint32_t i = 0; i < round; i++, id++)
			reg_expect(&s, 0x0aff0064u + i, NBMA_AT(done + i), id, NHRP_CIE_SUCCESS);
		assert_int_equal(rte_hash_count(ct->ct_nhrp_cache), base + round);
		tick(HOLD + 1);
		assert_int_equal(rte_hash_count(ct->ct_nhrp_cache), base);
		assert_int_equal(nhrp_cache_src_count(ct, NBMA_AT(done)), 0);
		assert_null(peer_table_lookup(&fx.dp.dp_peers, 0x0aff0064u));
	}
	expect_nothing();
}

/* 19. Pages (how show and clear go through 100,000 peers): in address
 *     order, each entry once, whatever comes and goes between pages: one
 *     removed ahead of the cursor is not shown, one added ahead is, one
 *     added behind waits for the next listing. clear by pages removes
 *     every learned entry and keeps the node's own. */
static bool page_seen(const uint32_t *seen, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (seen[i] == a)
			return true;
	return false;
}

static void test_19_nhs_cache_pages(void **state)
{
	struct ctl *ct = &fx.ct;
	const struct nhrp_cache_entry *v[7];
	uint32_t seen[128], base = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), last = 0;
	uint64_t from = 0;
	unsigned n, total = 0, pages = 0, cleared = 0;

	(void)state;
	arp_learn(C_NBMA);
	/* 50 peers at scattered addresses: 10.255.0.100 + (i * 37) % 150 */
	for (uint32_t i = 0; i < 50; i++)
		assert_non_null(nhrp_cache_update(ct, 0x0aff0064u + (i * 37) % 150, C_NBMA,
						  NC_DYNAMIC, HOLD, 0));
	do {
		n = nhrp_cache_page(ct, &from, v, 7);
		assert_true(n <= 7);
		for (unsigned i = 0; i < n; i++) {
			assert_true(total == 0 || v[i]->nc_overlay > last);
			last = v[i]->nc_overlay;
			assert_true(total < 128);
			seen[total++] = last;
		}
		if (pages++ == 2) {
			/* Between pages: one goes ahead, one comes ahead, one behind. */
			nhrp_cache_remove(ct, 0x0aff0064u + 4 * 37 % 150); /* the last */
			assert_non_null(
				nhrp_cache_update(ct, 0x0aff00feu, C_NBMA, NC_DYNAMIC, HOLD, 0));
			assert_non_null(
				nhrp_cache_update(ct, 0x0aff0002u, C_NBMA, NC_DYNAMIC, HOLD, 0));
		}
	} while (from != NHRP_CACHE_PAGE_END);
	assert_int_equal(total, base + 50 - 1 + 1);
	assert_false(page_seen(seen, total, 0x0aff0064u + 4 * 37 % 150));
	assert_true(page_seen(seen, total, 0x0aff00feu));
	assert_false(page_seen(seen, total, 0x0aff0002u));
	for (uint32_t i = 0; i < 50; i++)
		assert_true(i == 4 || page_seen(seen, total, 0x0aff0064u + (i * 37) % 150));
	/* A cursor past the end gives nothing, and says so. */
	assert_int_equal(nhrp_cache_page(ct, &from, v, 7), 0);
	assert_true(from == NHRP_CACHE_PAGE_END);

	from = 0;
	do
		cleared += nhrp_cache_clear_page(ct, &from, 5);
	while (from != NHRP_CACHE_PAGE_END);
	assert_int_equal(cleared, 51);
	assert_int_equal(rte_hash_count(ct->ct_nhrp_cache), base);
	assert_int_equal(nhrp_cache_src_count(ct, C_NBMA), 0);
	expect_nothing();
}

int main(void)
{
#define SPOKE(t) cmocka_unit_test_setup_teardown(t, spoke_setup, fixture_teardown)
#define HUB(t) cmocka_unit_test_setup_teardown(t, hub_setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		SPOKE(test_01_nhc_register_request),
		SPOKE(test_01b_nhc_register_no_unique),
		SPOKE(test_02_nhc_register_backoff),
		SPOKE(test_02b_nhc_register_backoff_cap),
		SPOKE(test_03_nhc_register_reply_refresh),
		SPOKE(test_03b_nhs_preference),
		SPOKE(test_04_nhc_register_refused_or_unsolicited),
		SPOKE(test_05_nhc_resolution_installs_and_expires),
		SPOKE(test_06_nhc_resolution_retries),
		SPOKE(test_07_nhc_traffic_indication),
		SPOKE(test_08_nhc_answers_for_own_lan),
		SPOKE(test_08c_nhc_request_not_from_owner),
		SPOKE(test_08b_nhc_answer_via_hub_until_sa),
		SPOKE(test_09_nhc_purge),
		SPOKE(test_10_nhc_auth_failure),
		SPOKE(test_10a_error_indication_rate),
		SPOKE(test_10b_nhc_redirect_authentication),
		HUB(test_11_nhs_registration),
		HUB(test_11b_nhs_dynamic_nhs_spoke),
		HUB(test_12_nhs_refresh_and_expiry),
		HUB(test_12b_nhs_holdtime_capped),
		HUB(test_12c_nhs_mcast_list_batched),
		HUB(test_12d_nhs_registrations_per_nbma),
		HUB(test_12e_nhs_registration_rate),
		HUB(test_12f_nhs_send_quota),
		HUB(test_12g_nhs_registration_allow),
		HUB(test_13_nhs_unique_conflict),
		HUB(test_13b_nhs_unique_move_same_identity),
		HUB(test_14_nhs_resolution_forward),
		HUB(test_14c_nhs_request_not_from_owner),
		HUB(test_14b_nhs_forward_to_mapped_hub),
		HUB(test_15_nhs_traffic_indication),
		HUB(test_16_nhs_unknown_compulsory_extension),
		HUB(test_17_hub_tables_full),
		HUB(test_18_nhs_register_expire_cycles),
		HUB(test_19_nhs_cache_pages),
	};
#undef SPOKE
#undef HUB
	int rc;

	if (eal_test_init("test_nhrp_fsm", NULL) < 0)
		return 1;
	env.pool = rte_pktmbuf_pool_create("t_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	if (env.pool == NULL)
		return 1;
	ports_create();
	env.baseline = rte_mempool_in_use_count(env.pool);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (unsigned p = 0; p < NPORTS; p++) {
		rte_eth_dev_stop(env.id[p]);
		rte_eth_dev_close(env.id[p]);
	}
	rte_eal_cleanup();
	return rc;
}
