/* IKE-lite's SA table: chained hashes by our SPI and by the peer's address
 * plus a list of every SA,
 * responder SAs made on IKE_SA_INIT within caps, dead SAs freed by
 * ike_mgr_reap() once no handler is running on them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike_exch.h"
#include "ike_mgr.h"

struct ike_mgr_node {
	struct ike_sa *mn_sa;
	uint64_t mn_spi; /* 0 until known (responder before INIT) */
	bool mn_half_open;
	struct ike_mgr_node *mn_next;      /* hash chain */
	struct ike_mgr_node *mn_next_peer; /* chain by remote address */
	bool mn_peer_linked;
	bool mn_twin;                /* another SA with the peer, started by the other side */
	struct ike_mgr_node *mn_all; /* list of all */
	struct ike_mgr *mn_mgr;
};

static const char *const drop_names[IKE_MGR_DROP_COUNT] = {
#define IKE_MGR_DROP_NAME(e, n) [IKE_MGR_DROP_##e] = n,
	IKE_MGR_DROPS(IKE_MGR_DROP_NAME)
#undef IKE_MGR_DROP_NAME
};

const char *ike_mgr_drop_name(enum ike_mgr_drop d)
{
	return (unsigned)d < IKE_MGR_DROP_COUNT ? drop_names[d] : "?";
}

static uint32_t bucket_of(const struct ike_mgr *mg, uint64_t spi)
{
	spi ^= spi >> 31;
	spi *= UINT64_C(0x9e3779b97f4a7c15);
	return (uint32_t)(spi >> 32) & (mg->mg_nbuckets - 1);
}

static void hash_add(struct ike_mgr *mg, struct ike_mgr_node *n)
{
	uint32_t b = bucket_of(mg, n->mn_spi);

	n->mn_next = mg->mg_by_spi[b];
	mg->mg_by_spi[b] = n;
}

static void hash_del(struct ike_mgr *mg, struct ike_mgr_node *n)
{
	struct ike_mgr_node **pp = &mg->mg_by_spi[bucket_of(mg, n->mn_spi)];

	for (; *pp != NULL; pp = &(*pp)->mn_next)
		if (*pp == n) {
			*pp = n->mn_next;
			return;
		}
}

static uint32_t peer_bucket(const struct ike_mgr *mg, uint32_t addr)
{
	return (uint32_t)((addr * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (mg->mg_nbuckets - 1);
}

/* Once the SA's remote address is set. */
static void peer_add(struct ike_mgr *mg, struct ike_mgr_node *n)
{
	uint32_t b = peer_bucket(mg, n->mn_sa->sa_remote);

	n->mn_next_peer = mg->mg_by_peer[b];
	mg->mg_by_peer[b] = n;
	n->mn_peer_linked = true;
}

static void peer_del(struct ike_mgr *mg, struct ike_mgr_node *n)
{
	struct ike_mgr_node **pp = &mg->mg_by_peer[peer_bucket(mg, n->mn_sa->sa_remote)];

	for (; *pp != NULL; pp = &(*pp)->mn_next_peer)
		if (*pp == n) {
			*pp = n->mn_next_peer;
			return;
		}
}

/* The first of the SAs with this peer (the rest follow in mn_next_peer,
 * mixed with other peers of the bucket). */
static struct ike_mgr_node *peer_chain(const struct ike_mgr *mg, uint32_t addr)
{
	return mg->mg_by_peer[peer_bucket(mg, addr)];
}

static struct ike_mgr_node *hash_find(const struct ike_mgr *mg, uint64_t spi)
{
	struct ike_mgr_node *n = mg->mg_by_spi[bucket_of(mg, spi)];

	for (; n != NULL; n = n->mn_next)
		if (n->mn_spi == spi)
			return n;
	return NULL;
}

/* Another established SA with the peer of sa: the same identity that
 * was established before sa began was the peer's before it restarted;
 * one the other side started is a twin of a crossed start. */
static void others_check(struct ike_mgr *mg, struct ike_mgr_node *me)
{
	struct ike_sa *sa = me->mn_sa;

	for (struct ike_mgr_node *n = peer_chain(mg, sa->sa_remote); n != NULL;
	     n = n->mn_next_peer) {
		struct ike_sa *o = n->mn_sa;

		if (n == me || o->sa_remote != sa->sa_remote || o->sa_state != IKE_SA_ESTABLISHED ||
		    o->sa_successor != NULL)
			continue;
		if (sa->sa_initial_contact && o->sa_established_ns < sa->sa_created_ns &&
		    ike_ident_eq(&o->sa_peer_id, &sa->sa_peer_id)) {
			ike_sa_kill(o, IKE_ERR_REPLACED); /* 2.4 */
		} else if (o->sa_initiator != sa->sa_initiator) {
			me->mn_twin = n->mn_twin = true;
			mg->mg_twins = true;
		}
	}
}

static struct ike_sa *mgr_sa_new(struct ike_sa *old, bool initiator,
				 const uint8_t spi[IKE_SPI_LEN]);
static bool mgr_peer_has_other(const struct ike_sa *sa);

/* 1. INITIAL_CONTACT and twins (others_check), 2. counts, 3. the caller
 * is told. A dead SA stays listed until ike_mgr_reap(). */
static void mgr_sa_changed(void *ctx, struct ike_sa *sa)
{
	struct ike_mgr_node *me = sa->sa_owner;
	struct ike_mgr *mg = me->mn_mgr;

	if (me->mn_half_open && sa->sa_state != IKE_SA_INIT_DONE) {
		me->mn_half_open = false;
		mg->mg_n_half_open--;
	}
	if (sa->sa_state == IKE_SA_ESTABLISHED) {
		mg->mg_stats.ms_established++;
		others_check(mg, me);
	} else if (sa->sa_state == IKE_SA_DEAD) {
		mg->mg_stats.ms_dead++;
		mg->mg_stats.ms_dead_by[sa->sa_error]++;
	}
	if (mg->mg_sa_changed != NULL)
		mg->mg_sa_changed(ctx, sa);
}

struct ike_mgr *ike_mgr_create(const struct ike_conf *conf, const struct ike_env *env,
			       const struct ike_mgr_limits *lim)
{
	struct ike_mgr *mg = calloc(1, sizeof(*mg));

	if (mg == NULL)
		return NULL;
	mg->mg_conf = *conf;
	mg->mg_env = *env;
	mg->mg_sa_changed = env->ie_sa_changed;
	mg->mg_env.ie_sa_changed = mgr_sa_changed;
	mg->mg_env.ie_sa_new = mgr_sa_new;
	mg->mg_env.ie_peer_has_other = mgr_peer_has_other;
	mg->mg_limits = *lim;
	mg->mg_nbuckets = 64;
	while (mg->mg_nbuckets < lim->ml_max_sas && mg->mg_nbuckets < (1u << 20))
		mg->mg_nbuckets <<= 1;
	mg->mg_by_spi = calloc(mg->mg_nbuckets, sizeof(*mg->mg_by_spi));
	mg->mg_by_peer = calloc(mg->mg_nbuckets, sizeof(*mg->mg_by_peer));
	if (mg->mg_by_spi == NULL || mg->mg_by_peer == NULL ||
	    ike_guard_init(&mg->mg_guard, lim->ml_rate, lim->ml_burst, clock_now(env->ie_clock)) !=
		    0) {
		free(mg->mg_by_spi);
		free(mg->mg_by_peer);
		free(mg);
		return NULL;
	}
	return mg;
}

static struct ike_mgr_node *node_new(struct ike_mgr *mg, bool initiator)
{
	struct ike_mgr_node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->mn_sa = ike_sa_create(&mg->mg_conf, &mg->mg_env, initiator);
	if (n->mn_sa == NULL) {
		free(n);
		return NULL;
	}
	n->mn_mgr = mg;
	n->mn_sa->sa_owner = n;
	n->mn_all = mg->mg_all;
	mg->mg_all = n;
	mg->mg_n_sas++;
	mg->mg_stats.ms_created++;
	return n;
}

/* Unlinks from the list (pp points at the link to n) and frees. */
static void node_free(struct ike_mgr *mg, struct ike_mgr_node **pp)
{
	struct ike_mgr_node *n = *pp;

	*pp = n->mn_all;
	if (n->mn_spi != 0)
		hash_del(mg, n);
	if (n->mn_peer_linked)
		peer_del(mg, n);
	if (n->mn_half_open)
		mg->mg_n_half_open--;
	mg->mg_n_sas--;
	ike_sa_destroy(n->mn_sa);
	free(n);
}

/* Two SAs with one peer because both sides started one at once (a
 * spoke-to-spoke shortcut wanted by both): the one the higher address
 * started goes, deleted by that side, so that both keep the same one.
 * Its children go with it; the dataplane falls back to the survivor's. */
static void twins_resolve(struct ike_mgr *mg)
{
	mg->mg_twins = false;
	for (struct ike_mgr_node *n = mg->mg_all; n != NULL; n = n->mn_all) {
		struct ike_sa *sa = n->mn_sa, *o = NULL;

		if (!n->mn_twin)
			continue;
		n->mn_twin = false;
		if (sa->sa_state != IKE_SA_ESTABLISHED || !sa->sa_initiator ||
		    sa->sa_local < sa->sa_remote)
			continue; /* not ours to delete */
		for (struct ike_mgr_node *t = peer_chain(mg, sa->sa_remote); t != NULL;
		     t = t->mn_next_peer)
			if (t != n && t->mn_sa->sa_remote == sa->sa_remote &&
			    t->mn_sa->sa_state == IKE_SA_ESTABLISHED && !t->mn_sa->sa_initiator &&
			    t->mn_sa->sa_successor == NULL)
				o = t->mn_sa;
		if (o != NULL) {
			mg->mg_stats.ms_twins++;
			ike_sa_delete(sa, IKE_ERR_DUPLICATE);
		}
	}
}

void ike_mgr_reap(struct ike_mgr *mg)
{
	struct ike_mgr_node **pp = &mg->mg_all;

	if (mg->mg_twins)
		twins_resolve(mg);
	while (*pp != NULL) {
		if ((*pp)->mn_sa->sa_state == IKE_SA_DEAD)
			node_free(mg, pp);
		else
			pp = &(*pp)->mn_all;
	}
}

void ike_mgr_reconfigure(struct ike_mgr *mg, const struct ike_conf *conf)
{
	mg->mg_conf = *conf; /* every SA points here */
}

void ike_mgr_destroy(struct ike_mgr *mg)
{
	if (mg == NULL)
		return;
	while (mg->mg_all != NULL)
		node_free(mg, &mg->mg_all);
	ike_guard_fini(&mg->mg_guard);
	free(mg->mg_by_spi);
	free(mg->mg_by_peer);
	free(mg);
}

void ike_mgr_walk(struct ike_mgr *mg, void (*fn)(struct ike_sa *sa, void *arg), void *arg)
{
	for (struct ike_mgr_node *n = mg->mg_all; n != NULL; n = n->mn_all)
		if (n->mn_sa->sa_state != IKE_SA_DEAD)
			fn(n->mn_sa, arg);
}

static bool mgr_peer_has_other(const struct ike_sa *sa)
{
	const struct ike_mgr_node *me = sa->sa_owner;

	for (const struct ike_mgr_node *n = peer_chain(me->mn_mgr, sa->sa_remote); n != NULL;
	     n = n->mn_next_peer)
		if (n != me && n->mn_sa->sa_remote == sa->sa_remote &&
		    n->mn_sa->sa_state != IKE_SA_DEAD && n->mn_sa->sa_state != IKE_SA_DELETING)
			return true;
	return false;
}

void ike_mgr_walk_peer(struct ike_mgr *mg, uint32_t remote,
		       void (*fn)(struct ike_sa *sa, void *arg), void *arg)
{
	for (struct ike_mgr_node *n = peer_chain(mg, remote); n != NULL; n = n->mn_next_peer)
		if (n->mn_sa->sa_remote == remote && n->mn_sa->sa_state != IKE_SA_DEAD)
			fn(n->mn_sa, arg);
}

struct ike_sa *ike_mgr_find_peer(struct ike_mgr *mg, uint32_t remote)
{
	for (struct ike_mgr_node *n = peer_chain(mg, remote); n != NULL; n = n->mn_next_peer)
		if (n->mn_sa->sa_remote == remote && n->mn_sa->sa_state != IKE_SA_DEAD &&
		    n->mn_sa->sa_state != IKE_SA_DELETING)
			return n->mn_sa;
	return NULL;
}

/* New SAs go to the head of their chain: one that a deletion makes the
 * caller start (a pair NHRP still uses) is not reached by this walk. */
unsigned ike_mgr_delete_peer(struct ike_mgr *mg, uint32_t remote, enum ike_sa_error why)
{
	unsigned n = 0;

	for (struct ike_mgr_node *m = peer_chain(mg, remote); m != NULL; m = m->mn_next_peer)
		if (m->mn_sa->sa_remote == remote && m->mn_sa->sa_state != IKE_SA_DEAD &&
		    m->mn_sa->sa_state != IKE_SA_DELETING) {
			ike_sa_delete(m->mn_sa, why);
			n++;
		}
	return n;
}

struct ike_sa *ike_mgr_initiate(struct ike_mgr *mg, uint32_t local, uint32_t remote)
{
	struct ike_mgr_node *n;
	struct ike_sa *sa;

	if (mg->mg_n_sas >= mg->mg_limits.ml_max_sas) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_SA_LIMIT]++;
		return NULL;
	}
	n = node_new(mg, true);
	if (n == NULL)
		return NULL;
	sa = n->mn_sa;
	sa->sa_local = local;
	sa->sa_remote = remote;
	peer_add(mg, n);
	sa->sa_lport = sa->sa_rport = IKE_UDP_PORT;
	if (ike_init_start(sa) != 0) {
		ike_sa_kill(sa, IKE_ERR_CRYPTO);
		return NULL;
	}
	n->mn_spi = ike_sa_local_spi(sa);
	hash_add(mg, n);
	return sa;
}

static struct ike_sa *mgr_sa_new(struct ike_sa *old, bool initiator, const uint8_t spi[IKE_SPI_LEN])
{
	struct ike_mgr_node *on = old->sa_owner, *n = node_new(on->mn_mgr, initiator);

	if (n == NULL)
		return NULL;
	n->mn_spi = 0;
	for (unsigned i = 0; i < IKE_SPI_LEN; i++)
		n->mn_spi = n->mn_spi << 8 | spi[i];
	hash_add(on->mn_mgr, n);
	n->mn_sa->sa_remote = old->sa_remote;
	peer_add(on->mn_mgr, n);
	return n->mn_sa;
}

/* The half-open responder SA of this initiator SPI and address: an
 * IKE_SA_INIT request retransmitted (answered again from the cache). */
static struct ike_sa *half_open_find(struct ike_mgr *mg, uint64_t spi_i, uint32_t src)
{
	for (struct ike_mgr_node *n = peer_chain(mg, src); n != NULL; n = n->mn_next_peer) {
		const struct ike_sa *sa = n->mn_sa;
		uint64_t v = 0;

		if (sa->sa_initiator || sa->sa_remote != src || sa->sa_state == IKE_SA_DEAD)
			continue;
		for (unsigned i = 0; i < IKE_SPI_LEN; i++)
			v = v << 8 | sa->sa_spi_i[i];
		if (v == spi_i)
			return n->mn_sa;
	}
	return NULL;
}

/* Under load (2.6): answer with a COOKIE and keep nothing, unless the
 * request echoes a good one. true when the request may go on. */
static bool cookie_passed(struct ike_mgr *mg, const struct ike_msg *m, uint32_t src, uint16_t sport,
			  uint32_t dst, uint16_t dport)
{
	const struct ike_notify *c = ike_msg_notify_find(m, IKE_N_COOKIE);
	uint64_t now = clock_now(mg->mg_env.ie_clock);
	uint8_t cookie[IKE_COOKIE_LEN], buf[128];
	struct ike_notify *n;
	struct ike_msg r;
	size_t len;

	if (mg->mg_n_half_open < mg->mg_limits.ml_cookie_threshold)
		return true;
	if (c != NULL &&
	    ike_guard_cookie_ok(&mg->mg_guard, now, m->im_nonce.bl_data, m->im_nonce.bl_len, src,
				m->im_spi_i, c->nt_data.bl_data, c->nt_data.bl_len))
		return true;
	mg->mg_stats.ms_drop[c != NULL ? IKE_MGR_DROP_BAD_COOKIE : IKE_MGR_DROP_COOKIE_SENT]++;
	if (ike_guard_cookie(&mg->mg_guard, now, m->im_nonce.bl_data, m->im_nonce.bl_len, src,
			     m->im_spi_i, cookie) != 0)
		return false;
	ike_msg_init(&r, IKE_EXCH_IKE_SA_INIT, IKE_FLAG_RESPONSE, 0);
	r.im_spi_i = m->im_spi_i;
	n = ike_pld_add_notify(&r, false, IKE_N_COOKIE);
	n->nt_data = (struct ike_blob){cookie, IKE_COOKIE_LEN};
	if (ike_msg_encode(&r, buf, sizeof(buf), &len) == 0)
		mg->mg_env.ie_send(mg->mg_env.ie_ctx, dst, dport, src, sport, buf, len);
	return false;
}

static void init_request(struct ike_mgr *mg, struct ike_msg *m, const uint8_t *msg, size_t len,
			 uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct ike_sa *sa = half_open_find(mg, m->im_spi_i, src);
	struct ike_mgr_node *n;

	if (sa != NULL) {
		ike_sa_input(sa, m, msg, len, sport, dport);
		return;
	}
	if (!ike_msg_has(m, IKE_PL_NONCE)) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_DECODE]++;
		return;
	}
	if (!cookie_passed(mg, m, src, sport, dst, dport))
		return;
	if (!ike_guard_admit(&mg->mg_guard, src, clock_now(mg->mg_env.ie_clock))) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_RATE_LIMITED]++;
		return;
	}
	if (mg->mg_n_sas >= mg->mg_limits.ml_max_sas) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_SA_LIMIT]++;
		return;
	}
	if (mg->mg_n_half_open >= mg->mg_limits.ml_max_half_open) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_HALF_OPEN_LIMIT]++;
		return;
	}
	n = node_new(mg, false);
	if (n == NULL)
		return;
	sa = n->mn_sa;
	sa->sa_local = dst;
	sa->sa_remote = src;
	peer_add(mg, n);
	sa->sa_lport = dport;
	sa->sa_rport = sport;
	n->mn_half_open = true;
	mg->mg_n_half_open++;
	sa->sa_rx++;
	ike_init_request(sa, m, msg, len);
	if (sa->sa_state == IKE_SA_DEAD)
		return;
	n->mn_spi = ike_sa_local_spi(sa);
	hash_add(mg, n);
}

void ike_mgr_input(struct ike_mgr *mg, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		   const uint8_t *payload, size_t len)
{
	struct ike_mgr_node *n;
	struct ike_msg m;
	int rc;

	mg->mg_stats.ms_rx++;
	if (dport == IKE_NATT_UDP_PORT) { /* RFC 3948 2.2: IKE after 4 zero octets */
		if (len == 1 && payload[0] == IKE_NATT_KEEPALIVE) {
			mg->mg_stats.ms_drop[IKE_MGR_DROP_KEEPALIVE]++;
			return;
		}
		if (len < IKE_NON_ESP_MARKER_LEN ||
		    payload[0] | payload[1] | payload[2] | payload[3]) {
			mg->mg_stats.ms_drop[IKE_MGR_DROP_NO_MARKER]++;
			return;
		}
		payload += IKE_NON_ESP_MARKER_LEN;
		len -= IKE_NON_ESP_MARKER_LEN;
	}
	rc = ike_msg_decode(payload, len, &m);
	if (rc != 0) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_DECODE]++;
		mg->mg_stats.ms_decode[-rc < IKE_DECODE_COUNT ? -rc : 0]++;
		return;
	}
	if (m.im_exchange == IKE_EXCH_IKE_SA_INIT && !(m.im_flags & IKE_FLAG_RESPONSE) &&
	    m.im_spi_r == 0 && m.im_msg_id == 0) {
		init_request(mg, &m, payload, len, src, sport, dst, dport);
		ike_mgr_reap(mg);
		return;
	}
	/* The I flag says the sender made the SA: then ours is SPIr. */
	n = hash_find(mg, (m.im_flags & IKE_FLAG_INITIATOR) ? m.im_spi_r : m.im_spi_i);
	if (n == NULL) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_UNKNOWN_SPI]++;
		return;
	}
	if (n->mn_sa->sa_remote != src) {
		mg->mg_stats.ms_drop[IKE_MGR_DROP_WRONG_PEER]++;
		return;
	}
	ike_sa_input(n->mn_sa, &m, payload, len, sport, dport);
	ike_mgr_reap(mg);
}
