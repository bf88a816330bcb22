/* libFuzzer target for the spoke's NHRP state machine: a real spoke A
 * (tests/unit/nhrp_fixture.h: NHS 192.0.2.1 / 10.255.0.1, LAN
 * 10.1.1.0/24, phase 3) gets sequences of NHRP messages from three
 * sources that all know the NHRP password, so that only the ownership
 * rules stand: its NHS, spoke B (a legitimate peer, 192.0.2.12 /
 * 10.255.0.12) and a stranger C (192.0.2.13 / 10.255.0.13, known to
 * nobody; B and C differ only in what the spoke has learned of them);
 * time passes and the workers ask for resolutions between them.
 *
 * Input: operations of 7 bytes
 * [op][source][addresses][flags][hold][id][plen]:
 *   op % 9: 0 Registration Reply, 1 Resolution Request, 2 Resolution
 *     Reply, 3 Purge Request, 4 Traffic Indication, 5 Error Indication
 *     (no extensions, 5.2.7, so no password: refused), 6 a type a
 *     spoke does not take (Registration Request or Purge Reply), 7 time passes (hold % 64 seconds), 8 traffic to an overlay
 *     address needs resolving (the workers' PUNT_EV_RESOLVE);
 *   source % 3: the NHS, B or C (the outer source address);
 *   addresses: low nibble a, high nibble b, both into addrs[] below;
 *     a Resolution Request's source is a and its destination b; a
 *     Resolution Reply's destination is a (or the target of the request
 *     it answers) and its CIE names b; a Purge names a; a Traffic
 *     Indication quotes a packet to a; a resolution is for a;
 *   flags: bit 0 a refusal (CIE code 4) or the Purge's N flag; bit 1 no
 *     CIE (a Purge naming its sender; a Traffic Indication quoting too
 *     little); bits 2-3 the NBMA address the message claims (the source's
 *     own, the NHS's, B's or C's: a Request's source, a Reply's CIE);
 *     bits 4-5 the request ID: the id byte, a guess from a known one
 *     (the NHS registration's plus id % 8: IDs are not sequential), the ID of a
 *     resolution in flight (the id-th) or of the NHS's registration;
 *     bit 6 a Reply for a request in flight names destination a instead;
 *     bit 7 a Registration Reply's NAT extension has us at the claimed
 *     address;
 *   hold: the holding time; plen % 34: a Reply's prefix length (33:
 *     invalid).
 *
 * What the code takes as legitimate, and so the checks below:
 *   - a binding (always a shortcut; never the NHS's static one or our
 *     own) is created, moved or refreshed only by
 *     (R) a Resolution Reply whose request ID and destination match a
 *         slot of the pending table in use (a resolution in flight,
 *         free-slot below), from any source (the ID is the proof), with
 *         a success CIE naming both addresses and a prefix <= 32:
 *         the CIE's protocol address, at the CIE's NBMA address;
 *     (Q) a Resolution Request for one of our addresses sent by the NHS
 *         (which checked its source): the requester, at the NBMA
 *         address it claims;
 *     (K) a Resolution Request for one of our addresses straight from a
 *         requester we know, sent from and claiming the NBMA address of
 *         its binding: that binding refreshed where it is;
 *     so a binding naming C's NBMA address appears only when C (or
 *     anyone) answered a request in flight with it, or the NHS vouched
 *     for it;
 *   - a binding goes only when it expires or by a Purge naming it from
 *     the NBMA address it names or from the NHS;
 *   - Traffic Indications are acted on only from the NHS; a resolution
 *     is started only by one of those or by the workers;
 *   - the NHS is up, and we are behind a NAT, only after a success reply
 *     to the registration in flight (ID matched, from the NHS);
 *   - a message from B or C makes the spoke send only to its sender,
 *     nothing at all for replies, indications and unknown types; left
 *     alone the spoke sends only to its NHS;
 *   - the NHS's and our own bindings never change, the workers' peer
 *     table says what the cache says, and no learned binding outlives
 *     its holding time.
 * And three that this target found broken, each once a hijack:
 *   free-slot: "in flight" excludes the free slots of the pending table
 *     (a reply with request ID 0 matched one, with its old target);
 *   expiry: every learned binding expires (a Resolution Request with
 *     holding time 0 made one that never did);
 *   routes: the route a Reply's prefix installs never takes the traffic
 *     for the NHS, for a bound tunnel address or for our LAN elsewhere.
 * The fixture's teardown checks that every mbuf came back. */
#include "fuzz_nhrp_node.h"

#define C_OV 0x0aff000du
#define REC 7
#define N_ADDR 16

/* The NHS, us, B, C, another spoke; the ends of the tunnel's /24 (a /25
 * from there covers the NHS); B's LAN, another spoke's, ours; outside the
 * tunnel; 0.0.0.0. */
static const uint32_t addrs[N_ADDR] = {HUB_OV,      A_OV,        B_OV,        C_OV,
				       0x0aff000eu, 0x0aff0000u, 0x0aff0080u, B_HOST,
				       B_HOST + 1,  0x0a010305u, A_LAN + 6,   0x0a010180u,
				       0xc0a80001u, 0x0aff0101u, B_NET,       0};

enum { NHS, PEER_B, STRANGER_C };
static const uint32_t src_nbma[] = {HUB_NBMA, B_NBMA, C_NBMA};
static const uint32_t src_ov[] = {HUB_OV, B_OV, C_OV};
static const uint32_t claim_nbma[] = {0, HUB_NBMA, B_NBMA, C_NBMA};

enum {
	OP_REG_REPLY,
	OP_RES_REQUEST,
	OP_RES_REPLY,
	OP_PURGE,
	OP_TRAFFIC,
	OP_ERROR,
	OP_OTHER,
	OP_TIME,
	OP_RESOLVE,
	N_OPS
};

struct op {
	uint8_t kind, src, flags, hold, plen;
	uint32_t from;    /* outer source */
	uint32_t claimed; /* the NBMA address the message names */
	uint32_t a, b, dst, id;
};

struct bind {
	bool present;
	uint8_t type;
	uint32_t nbma, seen;
	uint64_t expires;
};

/* The spoke before an operation. */
struct snap {
	uint64_t now;
	struct bind b[N_ADDR];
	uint32_t pd_reqid[NHRP_PENDING_MAX], pd_target[NHRP_PENDING_MAX];
	uint32_t ns_reqid, ns_retry_s;
	enum nhrp_nhs_state ns_state;
	uint64_t ns_replies, ns_refusals, ns_last_reply_ns;
	bool behind_nat;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nhrp_node_init("fuzz_nhrp_fsm_spoke");
	return 0;
}

static struct bind bind_read(uint32_t addr)
{
	const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, addr);

	if (e == NULL)
		return (struct bind){.present = false};
	return (struct bind){.present = true,
			     .type = e->nc_type,
			     .nbma = e->nc_nbma,
			     .seen = e->nc_nbma_seen,
			     .expires = e->nc_expires_ns};
}

static void snap_take(struct snap *s)
{
	const struct nhrp_nhs *ns = &nh()->nh_nhs[0];

	s->now = clock_now(&fx.ck);
	for (unsigned i = 0; i < N_ADDR; i++)
		s->b[i] = bind_read(addrs[i]);
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++) {
		s->pd_reqid[i] = nh()->nh_pending[i].pd_reqid;
		s->pd_target[i] = nh()->nh_pending[i].pd_target;
	}
	s->ns_reqid = ns->ns_reqid;
	s->ns_retry_s = ns->ns_retry_s;
	s->ns_state = ns->ns_state;
	s->ns_replies = ns->ns_replies;
	s->ns_refusals = ns->ns_refusals;
	s->ns_last_reply_ns = ns->ns_last_reply_ns;
	s->behind_nat = nh()->nh_behind_nat;
}

/* The request ID an operation uses; *target: the destination of the
 * resolution in flight it answers, if it picked one. */
static uint32_t op_request_id(unsigned mode, uint8_t x, uint32_t *target, bool *picked)
{
	unsigned n = 0;

	*picked = false;
	switch (mode) {
	case 1:
		return nh()->nh_nhs[0].ns_reqid + x % 8u;
	case 2:
		for (unsigned i = 0; i < NHRP_PENDING_MAX; i++)
			n += nh()->nh_pending[i].pd_reqid != 0;
		for (unsigned i = 0, k = 0; i < NHRP_PENDING_MAX && n > 0; i++) {
			const struct nhrp_pending *pd = &nh()->nh_pending[i];

			if (pd->pd_reqid != 0 && k++ == x % n) {
				*target = pd->pd_target;
				*picked = true;
				return pd->pd_reqid;
			}
		}
		return x;
	case 3:
		return nh()->nh_nhs[0].ns_reqid;
	default:
		return x;
	}
}

static void op_decode(const uint8_t *o, struct op *p)
{
	uint32_t target = 0;
	bool picked;

	memset(p, 0, sizeof(*p));
	p->kind = o[0] % N_OPS;
	p->src = o[1] % 3;
	p->from = src_nbma[p->src];
	p->a = addrs[o[2] % N_ADDR];
	p->b = addrs[o[2] >> 4];
	p->flags = o[3];
	p->claimed = (o[3] >> 2 & 3) != 0 ? claim_nbma[o[3] >> 2 & 3] : p->from;
	p->hold = o[4];
	p->id = op_request_id(o[3] >> 4 & 3, o[5], &target, &picked);
	p->plen = o[6] % 34;
	p->dst = picked && !(o[3] & 0x40) ? target : p->a;
}

/* What a Purge Request names: its CIE's address, else its source's. */
static uint32_t purge_named(const struct op *p)
{
	if (p->flags & 2)
		return p->a;
	return p->a != 0 ? p->a : src_ov[p->src];
}

static void msg_request(struct nhrp_msg *m, const struct op *p)
{
	peer_msg(m, NHRP_TYPE_RESOLUTION_REQUEST, p->claimed, p->a, AUTH);
	m->nm_flags |= NHRP_FLAG_RES_Q;
	m->nm_request_id = p->id;
	m->nm_dst_proto = A4(p->b);
	m->nm_n_cie = p->flags & 2 ? 0 : 1;
	m->nm_cie[0] = cie(0, 0, p->hold, 0, 0);
}

static void msg_reply(struct nhrp_msg *m, const struct op *p)
{
	uint8_t code = p->flags & 1 ? NHRP_CIE_ADMIN_PROHIBITED : NHRP_CIE_SUCCESS;

	peer_msg(m, NHRP_TYPE_RESOLUTION_REPLY, A_NBMA, A_OV, AUTH);
	m->nm_flags |= NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A;
	m->nm_request_id = p->id;
	m->nm_dst_proto = A4(p->dst);
	m->nm_n_cie = p->flags & 2 ? 0 : 1;
	m->nm_cie[0] = cie(code, p->plen, p->hold, p->claimed, p->b);
}

static void msg_purge(struct nhrp_msg *m, const struct op *p)
{
	peer_msg(m, NHRP_TYPE_PURGE_REQUEST, p->claimed, p->flags & 2 ? p->a : src_ov[p->src],
		 AUTH);
	m->nm_flags |= p->flags & 1 ? NHRP_FLAG_PURGE_N : 0;
	m->nm_request_id = p->id;
	m->nm_dst_proto = A4(A_OV);
	m->nm_n_cie = 1;
	m->nm_cie[0] = cie(0, 32, 0, 0, p->flags & 2 ? 0 : p->a);
}

/* The message of one operation, from its source. */
static void op_send(const struct op *p)
{
	struct rte_ipv4_hdr q = {.version_ihl = RTE_IPV4_VHL_DEF,
				 .time_to_live = 63,
				 .next_proto_id = IPPROTO_ICMP,
				 .total_length = RTE_BE16(84)};
	struct nhrp_msg m;

	q.src_addr = rte_cpu_to_be_32(A_LAN + 1);
	q.dst_addr = rte_cpu_to_be_32(p->a);
	switch (p->kind) {
	case OP_REG_REPLY:
		peer_msg(&m, NHRP_TYPE_REGISTRATION_REPLY, A_NBMA, A_OV, AUTH);
		m.nm_flags |= NHRP_FLAG_REG_U;
		m.nm_request_id = p->id;
		m.nm_dst_proto = A4(src_ov[p->src]);
		m.nm_n_cie = p->flags & 2 ? 0 : 1;
		m.nm_cie[0] = cie(p->flags & 1 ? NHRP_CIE_ADMIN_PROHIBITED : NHRP_CIE_SUCCESS, 0xff,
				  p->hold, 0, 0);
		if (p->flags & 0x80) {
			nhrp_msg_add_ext(&m, NHRP_EXT_CISCO_NAT_ADDRESS);
			m.nm_n_nat = 1;
			m.nm_nat[0] = cie(0, 32, 0, p->claimed, A_OV);
		}
		break;
	case OP_RES_REQUEST:
		msg_request(&m, p);
		break;
	case OP_RES_REPLY:
		msg_reply(&m, p);
		break;
	case OP_PURGE:
		msg_purge(&m, p);
		break;
	case OP_TRAFFIC:
	case OP_ERROR: /* no extensions (5.2.7), so no password either */
		peer_msg(&m,
			 p->kind == OP_TRAFFIC ? NHRP_TYPE_TRAFFIC_INDICATION
					       : NHRP_TYPE_ERROR_INDICATION,
			 p->claimed, src_ov[p->src], p->kind == OP_TRAFFIC ? AUTH : NULL);
		m.nm_err_code = p->hold;
		m.nm_dst_proto = A4(A_OV);
		m.nm_quoted = (const uint8_t *)&q;
		m.nm_quoted_len = p->flags & 2 ? 8 : sizeof(q);
		break;
	default:
		peer_msg(&m, p->flags & 1 ? NHRP_TYPE_PURGE_REPLY : NHRP_TYPE_REGISTRATION_REQUEST,
			 p->claimed, src_ov[p->src], AUTH);
		m.nm_request_id = p->id;
		m.nm_dst_proto = A4(A_OV);
		break;
	}
	inject(&m, p->from);
}

static void op_run(const struct op *p)
{
	struct dp_event ev = {.ev_cause = PUNT_EV_RESOLVE, .ev_target = p->a};

	if (p->kind == OP_TIME)
		tick(p->hold % 64u);
	else if (p->kind == OP_RESOLVE)
		nhrp_event(&fx.ct, &ev);
	else
		op_send(p);
}

static bool nbma_is_nhs(uint32_t nbma)
{
	for (unsigned i = 0; i < nh()->nh_n_nhs; i++)
		if (nh()->nh_nhs[i].ns_nbma == nbma)
			return true;
	return false;
}

/* A reply with this ID for dst answers a resolution in flight. */
static bool in_flight(const struct snap *s, uint32_t id, uint32_t dst)
{
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++)
		if (s->pd_reqid[i] == id && s->pd_target[i] == dst && s->pd_reqid[i] != 0)
			return true;
	return false;
}

static int addr_index(uint32_t addr)
{
	for (int i = 0; i < N_ADDR; i++)
		if (addrs[i] == addr)
			return i;
	return -1;
}

/* (K): a Resolution Request straight from the requester as we know it. */
static bool request_from_known(const struct snap *s, const struct op *p)
{
	const struct bind *w = &s->b[addr_index(p->a)];

	return w->present && w->type != NC_INCOMPLETE && w->seen == p->from &&
	       p->claimed == w->nbma;
}

/* May p create, move or refresh the binding for addr? *to: its NBMA. */
static bool may_set(const struct snap *s, const struct op *p, uint32_t addr, uint32_t *to)
{
	uint8_t plen;

	switch (p->kind) {
	case OP_RES_REPLY: /* (R) */
		if (!in_flight(s, p->id, p->dst) || (p->flags & 3) || p->plen > 32 ||
		    p->b != addr || addr == 0)
			return false;
		*to = p->claimed;
		return true;
	case OP_RES_REQUEST:
		if (p->a != addr || addr == A_OV || !nhrp_is_local(nh(), p->b, &plen))
			return false;
		if (p->src == NHS) { /* (Q) */
			*to = p->claimed;
			return true;
		}
		*to = s->b[addr_index(addr)].nbma; /* (K) */
		return request_from_known(s, p);
	default:
		return false;
	}
}

/* May p remove the binding w for addr? */
static bool may_remove(const struct op *p, const struct bind *w, uint32_t addr)
{
	if (p->kind == OP_TIME)
		return w->expires != 0 && w->expires <= clock_now(&fx.ck);
	return p->kind == OP_PURGE && purge_named(p) == addr &&
	       (p->from == w->nbma || p->from == w->seen || nbma_is_nhs(p->from));
}

/* Every learned binding: created, moved, refreshed or gone only as
 * allowed above. */
static void check_bindings(const struct snap *s, const struct op *p)
{
	for (unsigned i = 0; i < N_ADDR; i++) {
		const struct bind *w = &s->b[i];
		struct bind b = bind_read(addrs[i]);
		uint32_t to = 0;

		if (addrs[i] == HUB_OV || addrs[i] == A_OV)
			continue;
		if (!b.present) {
			if (w->present)
				assert_true(may_remove(p, w, addrs[i]));
			continue;
		}
		assert_int_equal(b.type, NC_SHORTCUT);
		assert_int_equal(b.nbma, b.seen);
		if (w->present && w->type == b.type && w->nbma == b.nbma && w->expires == b.expires)
			continue;
		assert_true(may_set(s, p, addrs[i], &to));
		assert_int_equal(b.nbma, to);
	}
}

/* Resolutions start only for the workers or an NHS's indication, end
 * only answered (as in_flight() says) or given up, and keep their ID. */
static void check_pending(const struct snap *s, const struct op *p)
{
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++) {
		const struct nhrp_pending *pd = &nh()->nh_pending[i];
		uint32_t r0 = s->pd_reqid[i], t0 = s->pd_target[i];

		if (pd->pd_reqid == r0 && (r0 == 0 || pd->pd_target == t0))
			continue;
		if (pd->pd_reqid == 0) {
			assert_true(p->kind == OP_TIME ||
				    (p->kind == OP_RES_REPLY && r0 == p->id && t0 == p->dst));
			continue;
		}
		assert_int_equal(r0, 0);
		assert_int_equal(pd->pd_target, p->a);
		assert_true(p->kind == OP_RESOLVE || (p->kind == OP_TRAFFIC && p->src == NHS));
	}
}

/* The NHS is up, counts a reply and tells us of a NAT only when it
 * answers its registration in flight. */
static void check_nhs(const struct snap *s, const struct op *p)
{
	const struct nhrp_nhs *ns = &nh()->nh_nhs[0];
	bool answers = p->kind == OP_REG_REPLY && p->id == s->ns_reqid && s->ns_retry_s != 0 &&
		       p->from == HUB_NBMA;
	bool ok = answers && !(p->flags & 3);

	if (ns->ns_replies != s->ns_replies || ns->ns_last_reply_ns != s->ns_last_reply_ns)
		assert_true(ok && ns->ns_replies == s->ns_replies + 1);
	if (ns->ns_refusals != s->ns_refusals)
		assert_true(answers && !ok);
	if (ns->ns_state == NHRP_NHS_UP && s->ns_state != NHRP_NHS_UP)
		assert_true(ok);
	if (nh()->nh_behind_nat != s->behind_nat)
		assert_true(ok && (p->flags & 0x80) && p->claimed != A_NBMA);
	if (p->kind != OP_TIME && p->kind != OP_REG_REPLY) {
		assert_int_equal(ns->ns_state, s->ns_state);
		assert_int_equal(ns->ns_reqid, s->ns_reqid);
	}
}

/* Who the spoke sent to because of p. */
static void check_sent(const struct snap *s, const struct op *p)
{
	struct sent x;

	while (sent_next(&x)) {
		switch (p->kind) {
		case OP_TIME:
		case OP_RESOLVE:
			assert_int_equal(x.to, HUB_NBMA);
			break;
		case OP_TRAFFIC:
			assert_int_equal(p->src, NHS);
			assert_int_equal(x.m.nm_type, NHRP_TYPE_RESOLUTION_REQUEST);
			break;
		case OP_RES_REQUEST:
			assert_true(p->src == NHS || (request_from_known(s, p) && x.to == p->from));
			break;
		case OP_PURGE:
			assert_int_equal(x.m.nm_type, NHRP_TYPE_PURGE_REPLY);
			assert_int_equal(x.to, p->from);
			break;
		default: /* replies, errors, types a spoke does not take */
			abort();
		}
	}
}

/* Where the workers send what a bound tunnel address, the NHS's or our
 * LAN's traffic: not elsewhere because of a Reply's prefix. */
static void check_routes(void)
{
	const struct fib_nh *n;

	for (unsigned i = 0; i < N_ADDR; i++) {
		const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, addrs[i]);

		if (e == NULL || e->nc_type == NC_LOCAL || (addrs[i] >> 8) != (HUB_OV >> 8))
			continue;
		n = fib_lookup(&fx.dp.dp_fib, addrs[i]);
		assert_non_null(n);
		assert_int_equal(n->nh_type, FIB_NH_TUNNEL);
		assert_true(n->nh_gw == 0 || n->nh_gw == addrs[i]);
	}
	n = fib_lookup(&fx.dp.dp_fib, A_LAN + 6);
	assert_true(n != NULL && n->nh_type == FIB_NH_CONNECTED && n->nh_port == LAN);
}

/* What holds whatever happened: the static and local bindings, the peer
 * table, expiry. */
static void check_always(void)
{
	const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, HUB_OV);
	const struct peer *pe = peer_table_lookup(&fx.dp.dp_peers, HUB_OV);
	uint64_t now = clock_now(&fx.ck);
	unsigned learned = 0;

	assert_true(e != NULL && e->nc_type == NC_STATIC && e->nc_nbma == HUB_NBMA &&
		    e->nc_nbma_seen == HUB_NBMA && e->nc_expires_ns == 0);
	assert_true(pe != NULL && pe->pe_nbma == HUB_NBMA);
	assert_int_equal(fx.dp.dp_tunnel.tn_nhs_overlay, HUB_OV);
	e = nhrp_cache_lookup(&fx.ct, A_OV);
	assert_true(e != NULL && e->nc_type == NC_LOCAL && e->nc_nbma == A_NBMA);
	for (unsigned i = 0; i < N_ADDR; i++) {
		if (addrs[i] == HUB_OV || addrs[i] == A_OV)
			continue;
		e = nhrp_cache_lookup(&fx.ct, addrs[i]);
		pe = peer_table_lookup(&fx.dp.dp_peers, addrs[i]);
		assert_true((e == NULL) == (pe == NULL));
		if (e == NULL)
			continue;
		learned++;
		assert_int_equal(pe->pe_nbma, e->nc_nbma_seen);
		assert_true(e->nc_expires_ns > now);
	}
	/* Nothing learned beyond the addresses the messages name. */
	assert_int_equal(nhrp_cache_peers(&fx.ct), learned + 1);
	check_routes();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snap s;
	struct op p;

	fixture_setup(false);
	/* Request IDs and jitter the same for every run of an input. */
	nh()->nh_rand = 0x9e3779b97f4a7c15ull;
	for (size_t off = 0; off + REC <= size && off < REC * 200; off += REC) {
		op_decode(data + off, &p);
		snap_take(&s);
		op_run(&p);
		check_sent(&s, &p);
		check_always();
		check_bindings(&s, &p);
		check_pending(&s, &p);
		check_nhs(&s, &p);
	}
	fixture_teardown(NULL);
	return 0;
}
