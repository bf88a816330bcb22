/* The IKE-lite state machine between two in-process nodes: real messages,
 * real crypto, a fake clock and a fake network that can lose, duplicate
 * and NAT packets; the dataplane is a list of installed CHILD_SAs.
 *
 *   A 198.51.100.1 (initiator) <── net ──> B 198.51.100.2 (responder)
 *   with NAT: A 10.0.0.2 inside, seen as 203.0.113.9:4x000 outside */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike_mgr.h"
#include "ike_test_conf.h"

#define A_ADDR 0xc6336401u   /* 198.51.100.1 */
#define B_ADDR 0xc6336402u   /* 198.51.100.2 */
#define A_INSIDE 0x0a000002u /* 10.0.0.2 */
#define NAT_ADDR 0xcb007109u /* 203.0.113.9 */
#define NET_MAX 64
#define PKT_MAX 4100

struct child_rec {
	uint32_t in, out;
	uint8_t key_in[CFG_KEY_MAX], key_out[CFG_KEY_MAX];
	uint8_t keylen;
	bool tunnel, natt;
	uint16_t dh; /* PFS group of the exchange that made it */
	uint16_t peer_port;
	uint32_t ts_remote; /* the peer's selector address */
};

struct node {
	struct ike_mgr *mgr;
	struct ike_conf conf;
	struct ike_env env;
	uint32_t addr;         /* its own idea of its address */
	struct ike_policy pol; /* its PSK */
	struct child_rec ch[8];
	unsigned n_ch, installs, removes;
	uint32_t active_out; /* the outbound SPI it sends with */
	uint32_t next_spi;
	unsigned established, dead;
	struct ike_sa *last_dead_sa;
	enum ike_sa_error last_error;
	bool refuse_tunnel;
};

struct pkt {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint16_t len;
	uint8_t data[PKT_MAX];
};

static struct {
	struct clock ck;
	struct timer_heap th;
	struct node a, b;
	struct pkt q[NET_MAX];
	unsigned nq;
	bool nat;           /* A behind a NAT */
	unsigned drop_to_b; /* drop this many packets towards B */
	unsigned drop_to_a;
	bool dup_to_b; /* deliver each packet to B twice */
	uint32_t cookie_threshold;
	unsigned delivered;
} w;

/* ---- the fake world ---- */

static int net_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		    const uint8_t *msg, size_t len)
{
	struct pkt *p;
	size_t off = (sport == 4500 || dport == 4500) ? 4 : 0;

	(void)ctx;
	assert_true(w.nq < NET_MAX && len + off <= PKT_MAX);
	p = &w.q[w.nq++];
	p->src = src;
	p->sport = sport;
	p->dst = dst;
	p->dport = dport;
	memset(p->data, 0, off);
	memcpy(p->data + off, msg, len);
	p->len = (uint16_t)(len + off);
	return 0;
}

static int node_spi(void *ctx, uint32_t *spi)
{
	struct node *n = ctx;

	*spi = n->next_spi++;
	return 0;
}

static int node_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	struct node *n = ctx;
	struct child_rec *r;

	if (ch->ch_tunnel && n->refuse_tunnel)
		return -ENOTSUP;
	assert_true(n->n_ch < 8);
	r = &n->ch[n->n_ch++];
	r->in = ch->ch_spi_in;
	r->out = ch->ch_spi_out;
	r->keylen = ch->ch_keylen;
	memcpy(r->key_in, ch->ch_key_in, ch->ch_keylen);
	memcpy(r->key_out, ch->ch_key_out, ch->ch_keylen);
	r->tunnel = ch->ch_tunnel;
	r->dh = ch->ch_prop.ep_dh;
	r->natt = sa->sa_nat_local || sa->sa_nat_remote;
	r->peer_port = sa->sa_rport;
	r->ts_remote = ch->ch_ts_remote;
	n->installs++;
	if (!ch->ch_out_deferred)
		n->active_out = ch->ch_spi_out;
	return 0;
}

static void node_activate(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)sa;
	((struct node *)ctx)->active_out = ch->ch_spi_out;
}

static void node_remove(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	struct node *n = ctx;

	(void)sa;
	for (unsigned i = 0; i < n->n_ch; i++)
		if (n->ch[i].in == ch->ch_spi_in) {
			n->ch[i] = n->ch[--n->n_ch];
			n->removes++;
			return;
		}
	fail_msg("removing a child that was never installed");
}

static void node_changed(void *ctx, struct ike_sa *sa)
{
	struct node *n = ctx;

	if (sa->sa_state == IKE_SA_ESTABLISHED)
		n->established++;
	if (sa->sa_state == IKE_SA_DEAD) {
		n->dead++;
		n->last_error = sa->sa_error;
	}
}

static void node_init(struct node *n, uint32_t addr, uint32_t spi_base)
{
	struct ike_mgr_limits lim = {
		.ml_max_sas = 16, .ml_max_half_open = 8, .ml_cookie_threshold = w.cookie_threshold};

	n->addr = addr;
	n->next_spi = spi_base;
	n->pol.po_has_psk = true;
	n->pol.po_psk.ps_len = 16;
	memcpy(n->pol.po_psk.ps_key, "0123456789abcdef", 16);
	n->conf.ic_policy = &n->pol;
	n->env = (struct ike_env){.ie_ctx = n,
				  .ie_clock = &w.ck,
				  .ie_timers = &w.th,
				  .ie_send = net_send,
				  .ie_spi_alloc = node_spi,
				  .ie_child_install = node_install,
				  .ie_child_remove = node_remove,
				  .ie_sa_changed = node_changed,
				  .ie_child_activate = node_activate};
	n->mgr = ike_mgr_create(&n->conf, &n->env, &lim);
	assert_non_null(n->mgr);
}

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	w.cookie_threshold = IKE_MGR_NO_COOKIE;
	clock_init_fake(&w.ck, 1000 * CLK_NS_PER_S);
	assert_int_equal(timer_heap_init(&w.th), 0);
	ike_test_conf_default(&w.a.conf);
	ike_test_conf_default(&w.b.conf);
	return 0;
}

static void nodes_start(void)
{
	node_init(&w.a, w.nat ? A_INSIDE : A_ADDR, 0xa0000000u);
	node_init(&w.b, B_ADDR, 0xb0000000u);
}

static int teardown(void **state)
{
	(void)state;
	ike_mgr_destroy(w.a.mgr);
	ike_mgr_destroy(w.b.mgr);
	/* Every installed child was removed again. */
	assert_int_equal(w.a.n_ch, 0);
	assert_int_equal(w.b.n_ch, 0);
	timer_heap_fini(&w.th);
	return 0;
}

/* The NAT in front of A: A_INSIDE:p <-> NAT_ADDR:(40000 + p). */
static void nat_out(struct pkt *p)
{
	if (w.nat && p->src == A_INSIDE) {
		p->src = NAT_ADDR;
		p->sport = (uint16_t)(40000 + p->sport);
	}
}

static bool nat_in(struct pkt *p)
{
	if (!w.nat || p->dst != NAT_ADDR)
		return true;
	if (p->dport < 40000)
		return false;
	p->dst = A_INSIDE;
	p->dport = (uint16_t)(p->dport - 40000);
	return true;
}

static void deliver(struct pkt *p)
{
	struct node *to = p->dst == w.b.addr ? &w.b : p->dst == w.a.addr ? &w.a : NULL;

	if (to == NULL)
		return;
	w.delivered++;
	ike_mgr_input(to->mgr, p->src, p->sport, p->dst, p->dport, p->data, p->len);
}

/* The next packet off the wire, through the NAT; false when the wire is
 * empty. *routed is false for what the NAT has no mapping for. */
static bool net_pop(struct pkt *cur, bool *routed)
{
	if (w.nq == 0)
		return false;
	*cur = w.q[0];
	memmove(w.q, w.q + 1, --w.nq * sizeof(w.q[0]));
	nat_out(cur);
	*routed = nat_in(cur);
	return true;
}

/* Delivers until the network is quiet, losing and duplicating as told. */
static void pump(void)
{
	static struct pkt cur;
	bool routed;

	for (unsigned guard = 0; guard < 1000 && net_pop(&cur, &routed); guard++) {
		if (!routed)
			continue;
		if (cur.dst == B_ADDR && w.drop_to_b != 0) {
			w.drop_to_b--;
			continue;
		}
		if (cur.dst != B_ADDR && w.drop_to_a != 0) {
			w.drop_to_a--;
			continue;
		}
		deliver(&cur);
		if (cur.dst == B_ADDR && w.dup_to_b)
			deliver(&cur);
	}
}

/* Delivers what is on the wire now, not what that makes the nodes send. */
static void pump_once(void)
{
	static struct pkt cur;
	bool routed;

	for (unsigned n = w.nq; n != 0 && net_pop(&cur, &routed); n--)
		if (routed)
			deliver(&cur);
}

/* Time passes in 100 ms steps, the network delivering in between. */
static void run(unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 100) {
		pump();
		clock_fake_advance(&w.ck, 100 * CLK_NS_PER_MS);
		timer_run(&w.th, clock_now(&w.ck));
	}
	pump();
}

static struct ike_sa *connect_a_to_b(void)
{
	struct ike_sa *sa = ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);

	assert_non_null(sa);
	pump();
	return sa;
}

/* A's child and B's are the two halves of one pair: SPIs and keys cross. */
static void expect_pair(void)
{
	const struct child_rec *a = &w.a.ch[0], *b = &w.b.ch[0];

	assert_int_equal(w.a.n_ch, 1);
	assert_int_equal(w.b.n_ch, 1);
	assert_int_equal(a->out, b->in);
	assert_int_equal(a->in, b->out);
	assert_int_equal(a->keylen, 36); /* AES-256 + salt */
	assert_memory_equal(a->key_out, b->key_in, a->keylen);
	assert_memory_equal(a->key_in, b->key_out, a->keylen);
	assert_memory_not_equal(a->key_in, a->key_out, a->keylen);
	assert_int_equal(a->tunnel, b->tunnel);
	/* and each sends with it */
	assert_int_equal(w.a.active_out, a->out);
	assert_int_equal(w.b.active_out, b->out);
}

/* ---- tests ---- */

/* 1. PSK, transport mode: both sides establish, one ESP pair installed,
 *    keys crossed; the IKE keys of both sides equal. */
static void test_handshake(void **state)
{
	struct ike_sa *sa;
	struct ike_sa *bsa;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(w.a.established, 1);
	assert_int_equal(w.b.established, 1);
	expect_pair();
	assert_false(w.a.ch[0].tunnel);
	assert_false(w.a.ch[0].natt);
	assert_false(w.b.ch[0].natt);
	assert_int_equal(w.a.ch[0].ts_remote, B_ADDR);
	assert_int_equal(w.b.ch[0].ts_remote, A_ADDR);
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_non_null(bsa);
	assert_false(sa->sa_nat_local || sa->sa_nat_remote);
	assert_false(bsa->sa_nat_local || bsa->sa_nat_remote);
	assert_int_equal(bsa->sa_rport, 500);
	assert_memory_equal(&sa->sa_keys, &bsa->sa_keys, sizeof(sa->sa_keys));
	assert_int_equal(bsa->sa_peer_id.id_type, IKE_ID_IPV4_ADDR);
	assert_int_equal(w.delivered, 4);
}

/* 2. Wrong PSK at B: B refuses (AUTHENTICATION_FAILED), A dies of it,
 *    nothing installed anywhere. */
static void test_wrong_psk(void **state)
{
	(void)state;
	nodes_start();
	w.b.pol.po_psk.ps_key[0] ^= 1;
	connect_a_to_b();
	run(200);
	assert_int_equal(w.a.dead, 1);
	assert_int_equal(w.a.last_error, IKE_ERR_PEER_AUTH_FAILED);
	assert_int_equal(w.b.dead, 1);
	assert_int_equal(w.b.last_error, IKE_ERR_AUTH_FAILED);
	assert_int_equal(w.a.installs + w.b.installs, 0);
	assert_int_equal(w.a.mgr->mg_n_sas + w.b.mgr->mg_n_sas, 0);
}

/* 3. No common IKE proposal: NO_PROPOSAL_CHOSEN. */
static void test_no_proposal(void **state)
{
	(void)state;
	assert_int_equal(ike_prop_ike_parse("aes128gcm16-prfsha512-x25519", &w.b.conf.ic_ike[0]),
			 0);
	nodes_start();
	connect_a_to_b();
	assert_int_equal(w.a.dead, 1);
	assert_int_equal(w.a.last_error, IKE_ERR_NO_PROPOSAL);
	assert_int_equal(w.b.last_error, IKE_ERR_NO_PROPOSAL);
}

/* 4. A guesses ECP-256, B only does X25519: INVALID_KE_PAYLOAD naming 31,
 *    A tries again with it and gets through (1.2). */
static void test_invalid_ke_retry(void **state)
{
	struct ike_sa *sa;

	(void)state;
	assert_int_equal(ike_prop_ike_parse("aes256gcm16-prfsha256-ecp256", &w.a.conf.ic_ike[0]),
			 0);
	assert_int_equal(ike_prop_ike_parse("aes256gcm16-prfsha256-x25519", &w.a.conf.ic_ike[1]),
			 0);
	w.a.conf.ic_n_ike = 2;
	nodes_start();
	sa = connect_a_to_b();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(sa->sa_prop.ip_dh, IKE_CRYPTO_DH_CURVE25519);
	assert_int_equal(w.b.mgr->mg_stats.ms_dead_by[IKE_ERR_INVALID_KE], 1);
	expect_pair();
}

/* 5. Loss and duplication: the first IKE_AUTH request is lost and
 *    retransmitted after a second; every packet to B arrives twice, and
 *    B answers the copy from its cache without acting twice. */
static void test_loss_and_duplicates(void **state)
{
	struct ike_sa *sa;

	(void)state;
	nodes_start();
	sa = ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);
	pump_once(); /* IKE_SA_INIT there */
	pump_once(); /* and back; IKE_AUTH queued */
	w.drop_to_b = 1;
	w.dup_to_b = true;
	pump();
	assert_int_equal(sa->sa_state, IKE_SA_AUTH_SENT);
	run(1100);
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(sa->sa_retransmits, 1);
	assert_int_equal(w.b.installs, 1);
	assert_int_equal(w.b.established, 1);
	expect_pair();
}

/* 6. B goes silent: after dpd_s A checks (empty INFORMATIONAL), retries
 *    1, 2, 4 s, then gives up; its child goes. While B answers, the checks
 *    keep the SA. */
static void test_dead_peer(void **state)
{
	struct ike_sa *sa;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	run(31000);
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_true(sa->sa_tx >= 3); /* INIT, AUTH, a liveness check */
	w.drop_to_b = 1000;
	run(45000);
	assert_int_equal(w.a.dead, 1);
	assert_int_equal(w.a.last_error, IKE_ERR_TIMEOUT);
	assert_int_equal(w.a.n_ch, 0);
	assert_int_equal(w.a.removes, 1);
	w.drop_to_b = 0;
}

/* 7. A deletes the IKE SA: B answers and drops it, then A; both remove
 *    their children. */
static void test_delete(void **state)
{
	struct ike_sa *sa;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	ike_sa_delete(sa, IKE_ERR_LOCAL);
	pump();
	ike_mgr_reap(w.a.mgr);
	assert_int_equal(w.b.last_error, IKE_ERR_DELETED);
	assert_int_equal(w.a.last_error, IKE_ERR_LOCAL);
	assert_int_equal(w.a.removes, 1);
	assert_int_equal(w.b.removes, 1);
	assert_int_equal(w.a.mgr->mg_n_sas + w.b.mgr->mg_n_sas, 0);
}

/* 8. A behind a NAT: both sides see it in the NAT_DETECTION hashes, IKE
 *    floats to 4500 with the non-ESP marker, the children say NAT-T, and
 *    B's points at the NAT's port; B's child knows A by the address A's
 *    selector names (2.23.1), which tunnel mode's header inside carries. */
static void test_nat(void **state)
{
	struct ike_sa *sa;
	struct ike_sa *bsa;

	(void)state;
	w.nat = true;
	nodes_start();
	sa = connect_a_to_b();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_true(sa->sa_nat_local);
	assert_int_equal(sa->sa_rport, 4500);
	bsa = ike_mgr_find_peer(w.b.mgr, NAT_ADDR);
	assert_non_null(bsa);
	assert_true(bsa->sa_nat_remote);
	assert_int_equal(bsa->sa_rport, 44500);
	expect_pair();
	assert_true(w.a.ch[0].natt);
	assert_true(w.b.ch[0].natt);
	assert_int_equal(w.b.ch[0].peer_port, 44500);
	assert_int_equal(w.b.ch[0].ts_remote, A_INSIDE);
	assert_int_equal(w.a.ch[0].ts_remote, B_ADDR);
	/* A rekey keeps the selectors, whichever side starts it. */
	assert_int_equal(ike_sa_rekey(bsa, w.b.ch[0].in), 0);
	pump();
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	pump();
	assert_int_equal(w.b.n_ch, 1);
	assert_int_equal(w.b.ch[0].ts_remote, A_INSIDE);
	assert_int_equal(w.a.ch[0].ts_remote, B_ADDR);
}

/* 9. A restarts (new SPIs, INITIAL_CONTACT): B drops the old IKE SA and
 *    its child at once instead of keeping two. */
static void test_initial_contact(void **state)
{
	(void)state;
	nodes_start();
	connect_a_to_b();
	assert_int_equal(w.b.n_ch, 1);
	ike_mgr_destroy(w.a.mgr); /* a crash: nothing sent */
	w.a.n_ch = 0;
	clock_fake_advance(&w.ck, CLK_NS_PER_S); /* it takes a while to come back */
	node_init(&w.a, A_ADDR, 0xa1000000u);
	connect_a_to_b();
	ike_mgr_reap(w.b.mgr);
	assert_int_equal(w.b.mgr->mg_n_sas, 1);
	assert_int_equal(w.b.n_ch, 1);
	assert_int_equal(w.b.removes, 1);
	assert_int_equal(w.b.last_error, IKE_ERR_REPLACED);
	expect_pair();
}

/* 9b. Both start an SA at once (a shortcut both spokes want): both
 *     establish, the one the higher address (B) started is deleted by B,
 *     and both keep the one A started, with one pair each side. Their
 *     INITIAL_CONTACTs do not kill each other. */
static void test_crossed_starts(void **state)
{
	struct ike_sa *sa, *bsa;

	(void)state;
	nodes_start();
	assert_non_null(ike_mgr_initiate(w.a.mgr, A_ADDR, B_ADDR));
	assert_non_null(ike_mgr_initiate(w.b.mgr, B_ADDR, A_ADDR));
	run(500);
	assert_int_equal(w.a.established, 2);
	assert_int_equal(w.b.established, 2);
	assert_int_equal(w.a.mgr->mg_stats.ms_dead_by[IKE_ERR_REPLACED], 0);
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	run(500);
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	assert_int_equal(w.a.mgr->mg_n_sas, 1);
	assert_int_equal(w.b.mgr->mg_n_sas, 1);
	assert_int_equal(w.b.mgr->mg_stats.ms_twins, 1);
	assert_int_equal(w.a.mgr->mg_stats.ms_twins, 0);
	sa = ike_mgr_find_peer(w.a.mgr, B_ADDR);
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_true(sa->sa_initiator);
	assert_false(bsa->sa_initiator);
	assert_int_equal(w.a.n_ch, 1);
	assert_int_equal(w.b.n_ch, 1);
	assert_int_equal(w.a.ch[0].out, w.b.ch[0].in);
	assert_int_equal(w.a.ch[0].in, w.b.ch[0].out);
	assert_memory_equal(w.a.ch[0].key_out, w.b.ch[0].key_in, w.a.ch[0].keylen);
	/* which pair the dataplane sends on is the glue's (ike_keying.c
	 * falls back to the survivor's); dmvpn_ike_netns shows it */
}

/* 9c. Crossed starts with a peer that keeps both SAs (strongSwan does,
 *     with the higher address): releasing the peer deletes both, so
 *     that neither is left holding a pair. Here A releases B before B's
 *     Delete of its twin arrives. */
static void test_release_deletes_twins(void **state)
{
	(void)state;
	nodes_start();
	assert_non_null(ike_mgr_initiate(w.a.mgr, A_ADDR, B_ADDR));
	assert_non_null(ike_mgr_initiate(w.b.mgr, B_ADDR, A_ADDR));
	while (w.a.established < 2 && w.nq != 0)
		pump_once();
	assert_int_equal(w.a.established, 2);
	assert_int_equal(w.a.n_ch, 2);
	assert_int_equal(ike_mgr_delete_peer(w.a.mgr, B_ADDR, IKE_ERR_LOCAL), 2);
	run(10000);
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	assert_int_equal(w.a.mgr->mg_n_sas + w.b.mgr->mg_n_sas, 0);
	assert_int_equal(w.a.n_ch + w.b.n_ch, 0);
	assert_int_equal(ike_mgr_delete_peer(w.a.mgr, B_ADDR, IKE_ERR_LOCAL), 0);
}

/* 10. B refuses tunnel mode in its dataplane and A asks for it: the IKE
 *     SA stands, the child is refused with NO_PROPOSAL_CHOSEN. */
static void test_child_refused(void **state)
{
	struct ike_sa *sa;

	(void)state;
	w.a.conf.ic_tunnel = true;
	nodes_start();
	w.b.refuse_tunnel = true;
	sa = connect_a_to_b();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(sa->sa_error, IKE_ERR_NO_PROPOSAL);
	assert_int_equal(w.a.n_ch + w.b.n_ch, 0);
}

/* 11. Garbage and forgeries are counted, not acted on: junk, a truncated
 *     IKE_SA_INIT, a message for an unknown SPI, a keepalive, 4500 without
 *     the marker. */
static void test_junk(void **state)
{
	static const uint8_t junk[40] = {1, 2, 3};
	struct ike_sa *sa;
	const struct ike_mgr_stats *st;
	uint8_t copy[PKT_MAX];

	(void)state;
	nodes_start();
	sa = ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);
	assert_int_equal(w.nq, 1);
	memcpy(copy, w.q[0].data, w.q[0].len);
	ike_mgr_input(w.b.mgr, A_ADDR, 500, B_ADDR, 500, copy, w.q[0].len - 1);
	ike_mgr_input(w.b.mgr, A_ADDR, 500, B_ADDR, 500, junk, sizeof(junk));
	copy[8] = 0x77; /* a made-up SPIr: not IKE_SA_INIT any more */
	ike_mgr_input(w.b.mgr, A_ADDR, 500, B_ADDR, 500, copy, w.q[0].len);
	ike_mgr_input(w.b.mgr, A_ADDR, 4500, B_ADDR, 4500, (const uint8_t[]){0xff}, 1);
	ike_mgr_input(w.b.mgr, A_ADDR, 4500, B_ADDR, 4500, junk, sizeof(junk));
	st = &w.b.mgr->mg_stats;
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_DECODE], 2);
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_UNKNOWN_SPI], 1);
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_KEEPALIVE], 1);
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_NO_MARKER], 1);
	assert_int_equal(w.b.mgr->mg_n_sas, 0);
	pump();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
}

/* A's one child and B's after any number of rekeys: the two halves of the
 * newest pair, the old ones gone (checked by expect_pair's counts). */
static void expect_rekeyed_pair(unsigned rekeys)
{
	expect_pair();
	assert_int_equal(w.a.installs, 1 + rekeys);
	assert_int_equal(w.b.installs, 1 + rekeys);
	assert_int_equal(w.a.removes, rekeys);
	assert_int_equal(w.b.removes, rekeys);
}

/* 12. CHILD_SA rekey started by either side (1.3.3): the new pair is in
 *     before the old goes (make before break: at no time does a side hold
 *     no child), new keys, new SPIs. */
static void test_child_rekey(void **state)
{
	struct ike_sa *sa, *bsa;
	struct child_rec before;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	before = w.a.ch[0];
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), -EBUSY);
	pump_once(); /* request to B: B takes the new pair in, sends on the old */
	assert_int_equal(w.b.n_ch, 2);
	assert_int_equal(w.b.active_out, before.in);
	pump_once(); /* answer to A: A installs, then deletes the old */
	assert_int_equal(w.a.n_ch, 2);
	pump();
	expect_rekeyed_pair(1);
	assert_int_not_equal(w.a.ch[0].in, before.in);
	assert_memory_not_equal(w.a.ch[0].key_in, before.key_in, before.keylen);
	assert_int_equal(ike_sa_rekey(bsa, w.b.ch[0].in), 0);
	pump();
	expect_rekeyed_pair(2);
	assert_int_equal(sa->sa_rekeys + bsa->sa_rekeys, 4);
}

/* 12b. PFS (2.17): rekeys with a KE of the configured group, either side
 *      starting, keys agreeing; the sides disagree on the group or on PFS
 *      at all: refused, the old pair stays; a side without PFS answers a
 *      peer that wants it. */
static void test_child_rekey_pfs(void **state)
{
	struct ike_sa *sa, *bsa;
	struct child_rec before;

	(void)state;
	w.a.conf.ic_pfs = 31;
	w.b.conf.ic_pfs = 31;
	nodes_start();
	sa = connect_a_to_b();
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	before = w.a.ch[0];
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	pump();
	expect_rekeyed_pair(1);
	assert_int_equal(w.a.ch[0].dh, 31);
	assert_memory_not_equal(w.a.ch[0].key_in, before.key_in, before.keylen);
	assert_int_equal(ike_sa_rekey(bsa, w.b.ch[0].in), 0);
	pump();
	expect_rekeyed_pair(2);

	/* B wants ECP-256 and says so; A's x25519 rekey is refused */
	w.b.mgr->mg_conf.ic_pfs = 19; /* the nodes hold copies of their conf */
	before = w.a.ch[0];
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	pump();
	assert_int_equal(w.a.ch[0].in, before.in);
	assert_int_equal(w.a.n_ch, 1);
	/* A without PFS answers B's ECP-256 rekey */
	w.a.mgr->mg_conf.ic_pfs = 0;
	assert_int_equal(ike_sa_rekey(bsa, w.b.ch[0].in), 0);
	pump();
	expect_rekeyed_pair(3);
	assert_int_equal(w.a.ch[0].dh, 19);
	/* but B refuses A's rekey without a KE */
	before = w.a.ch[0];
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	pump();
	assert_int_equal(w.a.ch[0].in, before.in);
}

/* 13. Both sides rekey the same child at the same moment (2.8.1): four
 *     pairs are made, the one with the lowest nonce is deleted by its
 *     maker, and both sides end with the same single pair. */
static void test_child_rekey_collision(void **state)
{
	struct ike_sa *sa, *bsa;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_int_equal(ike_sa_rekey(sa, w.a.ch[0].in), 0);
	assert_int_equal(ike_sa_rekey(bsa, w.b.ch[0].in), 0);
	pump();
	run(500);
	expect_pair();
	assert_int_equal(w.a.installs, 3);
	assert_int_equal(w.b.installs, 3);
}

/* 15b. Both sides rekey the IKE SA at once: each answers the other
 *      TEMPORARY_FAILURE (2.25), both try again after a random 1..10 s,
 *      and one rekey goes through: one IKE SA each side, same keys, the
 *      child pair kept. */
static void test_ike_rekey_collision(void **state)
{
	struct ike_sa *sa, *bsa, *nsa;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_int_equal(ike_sa_rekey(sa, 0), 0);
	assert_int_equal(ike_sa_rekey(bsa, 0), 0);
	pump();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED); /* both refused, both stand */
	assert_int_equal(bsa->sa_state, IKE_SA_ESTABLISHED);
	run(12000);
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	assert_int_equal(w.a.mgr->mg_n_sas, 1);
	assert_int_equal(w.b.mgr->mg_n_sas, 1);
	nsa = ike_mgr_find_peer(w.a.mgr, B_ADDR);
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_true(nsa->sa_rekeys >= 1);
	assert_memory_equal(&nsa->sa_keys, &bsa->sa_keys, sizeof(nsa->sa_keys));
	expect_rekeyed_pair(0);
}

/* 14. IKE SA rekey by either side (1.3.2): new SPIs and keys, the child
 *     moves to the new SA untouched, the old SA is deleted, the new one
 *     lives on (liveness checks, a later child rekey). */
static void test_ike_rekey(void **state)
{
	struct ike_sa *sa, *nsa, *bsa;
	struct ike_kdf_keys old_keys;

	(void)state;
	nodes_start();
	sa = connect_a_to_b();
	old_keys = sa->sa_keys;
	assert_int_equal(ike_sa_rekey(sa, 0), 0);
	pump();
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	assert_int_equal(w.a.mgr->mg_n_sas, 1);
	assert_int_equal(w.b.mgr->mg_n_sas, 1);
	nsa = ike_mgr_find_peer(w.a.mgr, B_ADDR);
	bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
	assert_int_equal(nsa->sa_state, IKE_SA_ESTABLISHED);
	assert_memory_not_equal(nsa->sa_keys.sk_d, old_keys.sk_d, old_keys.sk_prf_len);
	assert_memory_equal(&nsa->sa_keys, &bsa->sa_keys, sizeof(nsa->sa_keys));
	assert_int_equal(nsa->sa_n_child, 1);
	expect_rekeyed_pair(0);                    /* the same pair, not re-installed */
	assert_int_equal(ike_sa_rekey(bsa, 0), 0); /* and back the other way */
	pump();
	ike_mgr_reap(w.a.mgr);
	ike_mgr_reap(w.b.mgr);
	nsa = ike_mgr_find_peer(w.a.mgr, B_ADDR);
	assert_non_null(nsa);
	assert_int_equal(ike_sa_rekey(nsa, w.a.ch[0].in), 0);
	pump();
	expect_rekeyed_pair(1);
	run(31000);
	assert_int_equal(ike_mgr_find_peer(w.a.mgr, B_ADDR)->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(w.a.dead + w.b.dead, 4); /* two replaced SAs on each side */
}

/* 15. Lifetimes: children rekeyed between 90 and 97 % of theirs, the IKE
 *     SA likewise, under steady liveness checks; nothing lapses. When both
 *     sides' soft lifetimes fall in the same 100 ms step, both rekeys run
 *     and one new pair is deleted at once (RFC 7296 2.8.1): one install
 *     more, still one pair. */
static void test_lifetimes(void **state)
{
	(void)state;
	w.a.conf.ic_child_lifetime_s = 60;
	w.b.conf.ic_child_lifetime_s = 60;
	w.a.conf.ic_ike_lifetime_s = 150;
	w.b.conf.ic_ike_lifetime_s = 150;
	nodes_start();
	connect_a_to_b();
	run(53000);
	assert_int_equal(w.a.installs, 1);
	run(7000); /* 60 s: one rekey, by whoever came first (two if they collided) */
	assert_true(w.a.installs == 2 || w.a.installs == 3);
	expect_pair();
	run(190000);
	expect_pair();
	assert_true(w.a.installs >= 5 && w.a.installs <= 10);
	assert_int_equal(w.a.n_ch, 1);
	assert_true(w.a.mgr->mg_stats.ms_dead >= 1); /* the IKE SA was replaced */
	assert_int_equal(w.a.mgr->mg_n_sas, 1);
	assert_int_equal(ike_mgr_find_peer(w.a.mgr, B_ADDR)->sa_state, IKE_SA_ESTABLISHED);
}

/* 16. Under load (threshold 0: always) B answers IKE_SA_INIT with a
 *     COOKIE and keeps no state; A sends the request again with it first
 *     and gets through (2.6). A forged or stale cookie gets a new one. */
static void test_cookie(void **state)
{
	struct ike_sa *sa;
	const struct ike_mgr_stats *st;

	(void)state;
	w.cookie_threshold = 0;
	nodes_start();
	sa = ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);
	pump_once(); /* B: COOKIE, nothing kept */
	assert_int_equal(w.b.mgr->mg_n_sas, 0);
	pump();
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
	expect_pair();
	st = &w.b.mgr->mg_stats;
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_COOKIE_SENT], 1);
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_BAD_COOKIE], 0);
	/* A second SA whose cookie is tampered with on the way. */
	sa = ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);
	pump_once();
	pump_once(); /* A's second request, with the cookie, is on the wire */
	assert_int_equal(w.nq, 1);
	/* header 28, notify header 4, protocol, SPI size, type 4: the cookie */
	assert_int_equal(w.q[0].data[28], IKE_PL_SA); /* COOKIE is the first payload */
	w.q[0].data[40] ^= 1;
	pump(); /* refused, a fresh cookie, and the retry gets in */
	assert_int_equal(st->ms_drop[IKE_MGR_DROP_BAD_COOKIE], 1);
	assert_int_equal(sa->sa_state, IKE_SA_ESTABLISHED);
}

/* 17. One source may start at most `burst` IKE SAs at once, then `rate`
 *     a second; another source is not held up by it. */
static void test_rate_limit(void **state)
{
	struct ike_mgr_limits lim = {.ml_max_sas = 64,
				     .ml_max_half_open = 64,
				     .ml_cookie_threshold = IKE_MGR_NO_COOKIE,
				     .ml_rate = 2,
				     .ml_burst = 3};
	unsigned ok = 0;

	(void)state;
	nodes_start();
	ike_mgr_destroy(w.b.mgr);
	w.b.mgr = ike_mgr_create(&w.b.conf, &w.b.env, &lim);
	for (unsigned i = 0; i < 10; i++)
		ike_mgr_initiate(w.a.mgr, w.a.addr, B_ADDR);
	pump();
	ok = w.b.established;
	assert_int_equal(ok, 3);
	assert_int_equal(w.b.mgr->mg_stats.ms_drop[IKE_MGR_DROP_RATE_LIMITED], 7);
	run(1000); /* two more tokens; A's retransmissions use them */
	assert_int_equal(w.b.established, 5);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_handshake),
		T(test_wrong_psk),
		T(test_no_proposal),
		T(test_invalid_ke_retry),
		T(test_loss_and_duplicates),
		T(test_dead_peer),
		T(test_delete),
		T(test_nat),
		T(test_initial_contact),
		T(test_crossed_starts),
		T(test_release_deletes_twins),
		T(test_child_refused),
		T(test_junk),
		T(test_child_rekey),
		T(test_child_rekey_pfs),
		T(test_child_rekey_collision),
		T(test_ike_rekey),
		T(test_ike_rekey_collision),
		T(test_lifetimes),
		T(test_cookie),
		T(test_rate_limit),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
