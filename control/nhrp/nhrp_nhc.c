/* The spoke (NHC) side of NHRP: register with every NHS at start and every
 * holdtime/3 (backing off while an NHS is silent), resolve overlay next hops
 * and, in phase 3, the destinations the hub's Traffic Indications name;
 * install the answers as shortcut bindings and routes; answer resolution
 * requests for our own addresses. */
#include <string.h>

#include <rte_ip.h>

#include "ctl.h"
#include "inet.h"
#include "esp_mgr.h"
#include "log.h"
#include "nhrp.h"
#include "nhrp_cache.h"

#define RESOLVE_RETRIES 3

static void nhc_pending_timer(struct timer *t, void *arg);
static void nhc_balance(struct nhrp *nh);

static uint64_t nhc_now(struct nhrp *nh)
{
	return clock_now(nh->nh_ctl->ct_clock);
}

static void nhc_register_send(struct nhrp *nh, struct nhrp_nhs *s)
{
	struct nhrp_msg m;
	struct nhrp_cie *c = &m.nm_cie[0];

	nhrp_msg_prepare(nh, &m, NHRP_TYPE_REGISTRATION_REQUEST);
	if (nh->nh_unique)
		m.nm_flags |= NHRP_FLAG_REG_U;
	m.nm_request_id = s->ns_reqid;
	m.nm_dst_proto = (struct nhrp_addr4){.na_addr = s->ns_overlay, .na_present = true};
	m.nm_n_cie = 1;
	c->ce_code = NHRP_CIE_SUCCESS;
	/* Cisco: 0xff marks a unique registration (ios_nhrp.pcap). */
	c->ce_prefix_len = nh->nh_unique ? 0xff : 32;
	c->ce_mtu = nh->nh_mtu;
	c->ce_holding_time = nh->nh_holdtime;
	/* NAT extension: the NHS as we address it, as Cisco and FRR spokes
	 * put it; its reply adds us as it sees us when that differs from our
	 * own NBMA address, which tells both sides a NAT sits between. */
	m.nm_n_nat = 1;
	m.nm_nat[0].ce_prefix_len = 32;
	m.nm_nat[0].ce_mtu = nh->nh_mtu;
	m.nm_nat[0].ce_nbma = (struct nhrp_addr4){.na_addr = s->ns_nbma, .na_present = true};
	m.nm_nat[0].ce_proto = (struct nhrp_addr4){.na_addr = s->ns_overlay, .na_present = true};
	if (nhrp_send(nh, &m, s->ns_nbma) == 0)
		s->ns_requests++;
}

/* The NHSes by preference: priority (0 first), then config order. */
static unsigned nhc_nhs_order(const struct nhrp *nh, unsigned *order)
{
	unsigned n = nh->nh_n_nhs;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		while (j > 0 && nh->nh_nhs[order[j - 1]].ns_priority > nh->nh_nhs[i].ns_priority) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	return n;
}

/* The most preferred NHS that is up, else the most preferred: where
 * resolutions go, and what the workers send when nothing better is known. */
static const struct nhrp_nhs *nhc_nhs_pick(const struct nhrp *nh)
{
	unsigned order[CFG_MAX_NHS], n = nhc_nhs_order(nh, order);

	for (unsigned k = 0; k < n; k++)
		if (nh->nh_nhs[order[k]].ns_state == NHRP_NHS_UP)
			return &nh->nh_nhs[order[k]];
	return n > 0 ? &nh->nh_nhs[order[0]] : NULL;
}

/* Publishes nhc_nhs_pick to the workers. A hub that died takes nothing
 * with it. */
static void nhc_nhs_prefer(struct nhrp *nh)
{
	struct dp_tunnel *tn = &nh->nh_ctl->ct_dp->dp_tunnel;
	const struct nhrp_nhs *s = nhc_nhs_pick(nh);
	uint32_t pick = s != NULL ? s->ns_overlay : 0;
	char a[INET_ADDRSTR];

	if (pick == tn->tn_nhs_overlay)
		return;
	__atomic_store_n(&tn->tn_nhs_overlay, pick, __ATOMIC_RELEASE);
	LOG_CTL(INFO, "nhrp: NHS %s now takes what has no other way", inet_v4_str(pick, a));
}

static void nhc_nhs_set_state(struct nhrp *nh, struct nhrp_nhs *s, enum nhrp_nhs_state st,
			      const char *why)
{
	char a[INET_ADDRSTR];

	bool was_down = s->ns_state == NHRP_NHS_DOWN, was_up = s->ns_state == NHRP_NHS_UP;

	if (s->ns_state == st)
		return;
	s->ns_state = st;
	s->ns_state_since_ns = nhc_now(nh);
	nhc_nhs_prefer(nh);
	if (was_down != (st == NHRP_NHS_DOWN) && nh->nh_hooks.nhk_nhs_changed != NULL)
		nh->nh_hooks.nhk_nhs_changed(nh->nh_ctl, s->ns_overlay, !was_down);
	if (was_up && st == NHRP_NHS_DOWN && nh->nh_hooks.nhk_nhs_lost != NULL)
		nh->nh_hooks.nhk_nhs_lost(nh->nh_ctl, s->ns_nbma);
	if (st == NHRP_NHS_UP)
		LOG_CTL(INFO, "nhrp: NHS %s up: registered, holdtime %us",
			inet_v4_str(s->ns_nbma, a), nh->nh_holdtime);
	else if (st == NHRP_NHS_DOWN)
		LOG_CTL(WARNING, "nhrp: NHS %s down: %s", inet_v4_str(s->ns_nbma, a), why);
	else
		LOG_CTL(NOTICE, "nhrp: NHS %s %s: %s", inet_v4_str(s->ns_nbma, a),
			nhrp_nhs_state_name(st), why);
}

/* The wait before the next retransmission: the back-off step less up to
 * a quarter, so that spokes (and one spoke's NHSes) drift apart instead
 * of retrying in lock-step after a common outage; never later than the
 * step, so a registration still lands within the holdtime. */
static uint64_t nhc_retry_wait_ns(struct nhrp *nh, uint32_t step_s)
{
	uint64_t step = (uint64_t)step_s * CLK_NS_PER_S;

	return step - nhrp_rand(nh) % (step / 4 + 1);
}

/* Fires when a registration is due (ns_retry_s 0: a new request ID) or
 * its answer is overdue (a retransmission: the same request ID, RFC 2332
 * 5.2.3 / 5.3 matching of replies to requests). */
static void nhc_register_timer(struct timer *t, void *arg)
{
	struct nhrp_nhs *s = arg;
	struct nhrp *nh = s->ns_nhrp;
	uint64_t now = nhc_now(nh);
	uint32_t refresh_s = nh->nh_reg_interval;
	uint32_t cap_s = RTE_MIN(refresh_s, NHRP_NHS_RETRY_MAX_S);

	const char *down = NULL;

	if (s->ns_state == NHRP_NHS_UP &&
	    now - s->ns_last_reply_ns > (uint64_t)nh->nh_holdtime * CLK_NS_PER_S)
		down = "no reply within the holdtime";
	else if (s->ns_state == NHRP_NHS_UP && s->ns_unanswered >= NHRP_NHS_DOWN_TRIES)
		/* A periodic registration and its retransmissions 1 and 3 s
		 * later unanswered: dead within registration-interval + ~7 s. */
		down = "no reply to a registration and 2 retries";
	else if (s->ns_state == NHRP_NHS_PROBING && s->ns_unanswered >= NHRP_NHS_DOWN_TRIES)
		down = "no reply to the first requests";
	if (down != NULL) {
		nhc_nhs_set_state(nh, s, NHRP_NHS_DOWN, down);
		nhc_balance(nh); /* a standby NHS may take its place */
	}
	if (s->ns_retry_s == 0)
		s->ns_reqid = nhrp_reqid_next(nh);
	nhc_register_send(nh, s);
	s->ns_unanswered++;
	s->ns_retry_s = s->ns_retry_s == 0 ? 1 : RTE_MIN(s->ns_retry_s * 2, cap_s);
	timer_arm(&nh->nh_ctl->ct_timers, t, now + nhc_retry_wait_ns(nh, s->ns_retry_s));
}

static void nhc_nhs_standby(struct nhrp *nh, struct nhrp_nhs *s, const char *why)
{
	timer_cancel(&nh->nh_ctl->ct_timers, &s->ns_timer);
	s->ns_retry_s = 0;
	s->ns_unanswered = 0;
	s->ns_surplus_ns = 0;
	nhc_nhs_set_state(nh, s, NHRP_NHS_STANDBY, why);
}

static void nhc_nhs_activate(struct nhrp *nh, struct nhrp_nhs *s)
{
	s->ns_retry_s = 0;
	s->ns_unanswered = 0;
	nhc_nhs_set_state(nh, s, NHRP_NHS_PROBING, "needed: a more preferred NHS is down");
	timer_arm(&nh->nh_ctl->ct_timers, &s->ns_timer, nhc_now(nh));
}

/* Which NHSes a spoke keeps registered: in order of preference, the first
 * nhs-max-connections that are not down. One that is down keeps trying
 * and takes a place again when it answers; one beyond the places stands
 * by, but when it is up it stays nhs-fallback seconds more (a preferred
 * NHS that just came back has to prove itself first). Runs after every
 * change of an NHS's state. */
static void nhc_balance(struct nhrp *nh)
{
	unsigned order[CFG_MAX_NHS], n = nhc_nhs_order(nh, order), want = nh->nh_nhs_max;
	uint64_t now = nhc_now(nh), fb = (uint64_t)nh->nh_nhs_fallback_s * CLK_NS_PER_S;
	uint64_t next = 0;

	for (unsigned k = 0; k < n; k++) {
		struct nhrp_nhs *s = &nh->nh_nhs[order[k]];

		if (s->ns_state == NHRP_NHS_DOWN) {
			s->ns_surplus_ns = 0;
			continue;
		}
		if (want > 0) {
			want--;
			s->ns_surplus_ns = 0;
			if (s->ns_state == NHRP_NHS_STANDBY)
				nhc_nhs_activate(nh, s);
			continue;
		}
		if (s->ns_state == NHRP_NHS_PROBING) {
			nhc_nhs_standby(nh, s, "more preferred NHSes fill nhs-max-connections");
		} else if (s->ns_state == NHRP_NHS_UP) {
			if (s->ns_surplus_ns == 0)
				s->ns_surplus_ns = now;
			if (now - s->ns_surplus_ns >= fb)
				nhc_nhs_standby(nh, s,
						"a more preferred NHS is up again (fallback)");
			else if (next == 0 || s->ns_surplus_ns + fb < next)
				next = s->ns_surplus_ns + fb;
		}
	}
	if (next != 0)
		timer_arm(&nh->nh_ctl->ct_timers, &nh->nh_balance_timer, next);
}

static void nhc_balance_timer(struct timer *t, void *arg)
{
	(void)t;
	nhc_balance(arg);
}

void nhrp_nhc_start(struct nhrp *nh)
{
	timer_init(&nh->nh_pending_timer, nhc_pending_timer, nh);
	timer_init(&nh->nh_balance_timer, nhc_balance_timer, nh);
	for (unsigned i = 0; i < nh->nh_n_nhs; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];

		s->ns_state_since_ns = nhc_now(nh);
		timer_init(&s->ns_timer, nhc_register_timer, s);
		timer_arm(&nh->nh_ctl->ct_timers, &s->ns_timer, nhc_now(nh));
	}
	nhc_balance(nh);
	nhc_nhs_prefer(nh);
}

void nhrp_nhc_sa_changed(struct nhrp *nh, uint32_t nbma)
{
	for (unsigned i = 0; i < nh->nh_n_nhs; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];

		if (s->ns_nbma != nbma ||
		    (s->ns_state != NHRP_NHS_DOWN && s->ns_state != NHRP_NHS_PROBING))
			continue;
		s->ns_retry_s = 0; /* a new request, not a retransmission */
		timer_arm(&nh->nh_ctl->ct_timers, &s->ns_timer, nhc_now(nh));
	}
}

static int nhc_nhs_find(const struct nhrp_nhs *v, unsigned n, const struct cfg_nhs *c)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].ns_nbma == c->nbma && v[i].ns_overlay == c->overlay)
			return (int)i;
	return -1;
}

/* The NHS list changed (configure terminal, SIGHUP). An NHS kept keeps its
 * state, its counters and when it next registers; one removed stops
 * registering and its static binding goes (the hub lets the registration
 * expire); one added starts as at start, registering at once. */
void nhrp_nhc_nhs_update(struct nhrp *nh, const struct cfg_tunnel *t, unsigned *added,
			 unsigned *removed)
{
	struct ctl *ct = nh->nh_ctl;
	struct nhrp_nhs old[CFG_MAX_NHS];
	uint64_t due[CFG_MAX_NHS];
	bool armed[CFG_MAX_NHS];
	unsigned n_old = nh->nh_n_nhs;
	char a[INET_ADDRSTR];

	*added = *removed = 0;
	for (unsigned i = 0; i < n_old; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];

		armed[i] = timer_is_armed(&s->ns_timer);
		due[i] = s->ns_timer.tm_deadline;
		timer_cancel(&ct->ct_timers, &s->ns_timer);
		old[i] = *s;
	}
	for (unsigned i = 0; i < n_old; i++) {
		bool kept = false;

		for (unsigned k = 0; k < t->n_nhs && !kept; k++)
			kept = t->nhs[k].nbma == old[i].ns_nbma &&
			       t->nhs[k].overlay == old[i].ns_overlay;
		if (kept)
			continue;
		nhrp_cache_remove(ct, old[i].ns_overlay);
		(*removed)++;
		LOG_CTL(NOTICE, "nhrp: NHS %s removed", inet_v4_str(old[i].ns_nbma, a));
	}
	nh->nh_n_nhs = t->n_nhs;
	for (unsigned i = 0; i < t->n_nhs; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];
		int j = nhc_nhs_find(old, n_old, &t->nhs[i]);

		if (j >= 0) {
			*s = old[j];
		} else {
			memset(s, 0, sizeof(*s));
			s->ns_nbma = t->nhs[i].nbma;
			s->ns_overlay = t->nhs[i].overlay;
			s->ns_nhrp = nh;
			s->ns_state = NHRP_NHS_PROBING;
			s->ns_state_since_ns = nhc_now(nh);
			nhrp_cache_update(ct, s->ns_overlay, s->ns_nbma, NC_STATIC, 0, 0);
			(*added)++;
			LOG_CTL(NOTICE, "nhrp: NHS %s added", inet_v4_str(s->ns_nbma, a));
		}
		s->ns_priority = t->nhs[i].priority;
		timer_init(&s->ns_timer, nhc_register_timer, s);
		if (j < 0)
			timer_arm(&ct->ct_timers, &s->ns_timer, nhc_now(nh));
		else if (armed[j])
			timer_arm(&ct->ct_timers, &s->ns_timer, due[j]);
	}
	nh->nh_nhs_max = t->nhs_max != 0 ? t->nhs_max : (uint8_t)t->n_nhs;
	nh->nh_nhs_fallback_s = t->nhs_fallback;
	nhc_balance(nh);
	nhc_nhs_prefer(nh);
}

/* Cisco's NAT extension in the NHS's reply lists us as it saw us: another
 * address than ours means a NAT in between, so ESP goes in UDP 4500. */
static void nhc_nat_check(struct nhrp *nh, const struct nhrp_nhs *s, const struct nhrp_msg *m)
{
	char a[INET_ADDRSTR], b[INET_ADDRSTR];

	for (unsigned i = 0; i < m->nm_n_nat; i++) {
		const struct nhrp_cie *c = &m->nm_nat[i];

		if (!c->ce_proto.na_present || c->ce_proto.na_addr != nh->nh_overlay ||
		    !c->ce_nbma.na_present || c->ce_nbma.na_addr == nh->nh_nbma)
			continue;
		if (!nh->nh_behind_nat)
			LOG_CTL(INFO, "nhrp: NHS %s sees us as %s: behind a NAT",
				inet_v4_str(s->ns_nbma, a), inet_v4_str(c->ce_nbma.na_addr, b));
		nh->nh_behind_nat = true;
		if (nh->nh_ctl->ct_esp != NULL)
			esp_mgr_natt(nh->nh_ctl, s->ns_nbma, 4500);
	}
}

static void nhc_registration_refused(struct nhrp_nhs *s, const struct nhrp_msg *m)
{
	uint8_t code = m->nm_n_cie ? m->nm_cie[0].ce_code : 0;
	char a[INET_ADDRSTR];

	/* Once per change of answer, not once per retry. */
	if (s->ns_refusals == 0 || s->ns_last_code != code)
		LOG_CTL(ERR, "nhrp: NHS %s refused our registration (CIE code %u)",
			inet_v4_str(s->ns_nbma, a), code);
	s->ns_refusals++;
	s->ns_last_code = code;
	/* The retry timer keeps running. */
}

/* Taken from the NHS it answers only, for the registration in flight:
 * whoever learned the request ID (it is on the wire) cannot mark an NHS up
 * or tell us we are behind a NAT. */
static void nhc_registration_reply(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	uint64_t now = nhc_now(nh), refresh_s = nh->nh_reg_interval;

	for (unsigned i = 0; i < nh->nh_n_nhs; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];

		if (s->ns_reqid != m->nm_request_id || s->ns_retry_s == 0 || s->ns_nbma != from)
			continue;
		if (m->nm_n_cie == 0 || m->nm_cie[0].ce_code != NHRP_CIE_SUCCESS) {
			nhc_registration_refused(s, m);
			return;
		}
		nhc_nat_check(nh, s, m);
		s->ns_replies++;
		s->ns_last_reply_ns = now;
		s->ns_unanswered = 0;
		s->ns_retry_s = 0;
		nhc_nhs_set_state(nh, s, NHRP_NHS_UP, NULL);
		timer_arm(&nh->nh_ctl->ct_timers, &s->ns_timer, now + refresh_s * CLK_NS_PER_S);
		nhc_balance(nh);
		return;
	}
	nh->nh_stats.st_drop[NHRP_DROP_UNSOLICITED]++;
}

static void nhc_resolve_send(struct nhrp *nh, const struct nhrp_pending *pd)
{
	const struct nhrp_nhs *s = nhc_nhs_pick(nh);
	struct nhrp_msg m;

	if (s == NULL)
		return;
	nhrp_msg_prepare(nh, &m, NHRP_TYPE_RESOLUTION_REQUEST);
	m.nm_flags |= NHRP_FLAG_RES_Q;
	m.nm_request_id = pd->pd_reqid;
	m.nm_dst_proto = (struct nhrp_addr4){.na_addr = pd->pd_target, .na_present = true};
	m.nm_n_cie = 1;
	m.nm_cie[0].ce_mtu = nh->nh_mtu;
	m.nm_cie[0].ce_holding_time = nh->nh_holdtime;
	nhrp_send(nh, &m, s->ns_nbma);
}

static void nhc_pending_timer(struct timer *t, void *arg)
{
	struct nhrp *nh = arg;
	uint64_t now = nhc_now(nh), next = UINT64_MAX;

	(void)t;
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++) {
		struct nhrp_pending *pd = &nh->nh_pending[i];
		uint64_t due;

		if (pd->pd_reqid == 0)
			continue;
		due = pd->pd_sent_ns + ((uint64_t)1 << (pd->pd_tries - 1)) * CLK_NS_PER_S;
		if (due <= now) {
			if (pd->pd_tries >= RESOLVE_RETRIES) {
				pd->pd_reqid = 0; /* traffic keeps going via the hub */
				continue;
			}
			pd->pd_tries++;
			pd->pd_sent_ns = now;
			nhc_resolve_send(nh, pd);
			due = now + ((uint64_t)1 << (pd->pd_tries - 1)) * CLK_NS_PER_S;
		}
		next = RTE_MIN(next, due);
	}
	if (next != UINT64_MAX)
		timer_arm(&nh->nh_ctl->ct_timers, &nh->nh_pending_timer, next);
}

void nhrp_nhc_resolve(struct nhrp *nh, uint32_t target)
{
	struct nhrp_cache_entry *e = nhrp_cache_lookup(nh->nh_ctl, target);
	struct nhrp_pending *free_slot = NULL;

	if ((e != NULL && e->nc_type != NC_INCOMPLETE) || nh->nh_phase == 1)
		return;
	for (unsigned i = 0; i < NHRP_PENDING_MAX; i++) {
		struct nhrp_pending *pd = &nh->nh_pending[i];

		if (pd->pd_reqid != 0 && pd->pd_target == target)
			return;
		if (pd->pd_reqid == 0 && free_slot == NULL)
			free_slot = pd;
	}
	if (free_slot == NULL)
		return;
	free_slot->pd_target = target;
	free_slot->pd_reqid = nhrp_reqid_next(nh);
	free_slot->pd_tries = 1;
	free_slot->pd_sent_ns = nhc_now(nh);
	nhc_resolve_send(nh, free_slot);
	/* One timer serves every slot: pull it in if this retry is earliest. */
	if (!timer_is_armed(&nh->nh_pending_timer) ||
	    nh->nh_pending_timer.tm_deadline > free_slot->pd_sent_ns + CLK_NS_PER_S) {
		timer_arm(&nh->nh_ctl->ct_timers, &nh->nh_pending_timer,
			  free_slot->pd_sent_ns + CLK_NS_PER_S);
	}
}

/* The prefix a Resolution Reply routes to its responder is a network
 * behind it: one that reaches into the tunnel's network would take the
 * traffic for the NHS, for this node or for other spokes (an answer
 * claiming 10.0.0.0/8 would take them all). Tunnel addresses go by their
 * bindings. */
static bool nhc_reply_prefix_ok(const struct nhrp *nh, uint32_t dst, uint8_t plen)
{
	uint8_t common = RTE_MIN(plen, nh->nh_overlay_len);

	return ((nh->nh_overlay ^ dst) & inet_v4_mask(common)) != 0;
}

static void nhc_resolution_reply(struct nhrp *nh, const struct nhrp_msg *m)
{
	const struct nhrp_cie *c = &m->nm_cie[0];
	struct nhrp_cache_entry *e;
	struct nhrp_pending *pd = NULL;
	uint16_t hold;
	uint32_t dst = m->nm_dst_proto.na_addr;
	char a[INET_ADDRSTR], b[INET_ADDRSTR], n[INET_ADDRSTR];

	for (unsigned i = 0; i < NHRP_PENDING_MAX && pd == NULL; i++)
		if (nh->nh_pending[i].pd_reqid != 0 &&
		    nh->nh_pending[i].pd_reqid == m->nm_request_id &&
		    nh->nh_pending[i].pd_target == dst)
			pd = &nh->nh_pending[i];
	if (pd == NULL) {
		nh->nh_stats.st_drop[NHRP_DROP_UNSOLICITED]++;
		return;
	}
	pd->pd_reqid = 0;
	if (m->nm_n_cie == 0 || c->ce_code != NHRP_CIE_SUCCESS || !c->ce_nbma.na_present ||
	    !c->ce_proto.na_present || c->ce_prefix_len > 32) {
		LOG_CTL(INFO, "nhrp: resolution of %s refused (CIE code %u)", inet_v4_str(dst, a),
			m->nm_n_cie ? c->ce_code : 0);
		return;
	}
	hold = c->ce_holding_time ? c->ce_holding_time : nh->nh_holdtime;
	if (nh->nh_reg_hold_max != 0 && hold > nh->nh_reg_hold_max)
		hold = nh->nh_reg_hold_max;
	e = nhrp_cache_update(nh->nh_ctl, c->ce_proto.na_addr, c->ce_nbma.na_addr, NC_SHORTCUT,
			      hold, 0);
	if (e == NULL || e->nc_type != NC_SHORTCUT)
		return; /* a static or local entry stays: no route through it either */
	/* Phase 3: the answer covers a prefix behind that spoke; route it
	 * there (more specific than the summary towards the hub). Not one in
	 * the tunnel's network: the binding stays, that traffic keeps going
	 * through the hub. */
	if ((c->ce_proto.na_addr != dst || c->ce_prefix_len < 32) &&
	    !nhc_reply_prefix_ok(nh, dst, c->ce_prefix_len)) {
		nh->nh_stats.st_drop[NHRP_DROP_REPLY_PREFIX]++;
		LOG_CTL(WARNING,
			"nhrp: %s/%u via %s not routed: it reaches into the tunnel's network",
			inet_v4_str(dst & inet_v4_mask(c->ce_prefix_len), a), c->ce_prefix_len,
			inet_v4_str(c->ce_proto.na_addr, b));
		return;
	}
	if (c->ce_proto.na_addr != dst || c->ce_prefix_len < 32)
		nhrp_route_add(nh->nh_ctl, dst & inet_v4_mask(c->ce_prefix_len), c->ce_prefix_len,
			       c->ce_proto.na_addr);
	LOG_CTL(INFO, "nhrp: %s/%u resolved via %s (NBMA %s)", inet_v4_str(dst, a),
		c->ce_prefix_len, inet_v4_str(c->ce_proto.na_addr, b),
		inet_v4_str(c->ce_nbma.na_addr, n));
}

/* Phase 3: the hub saw us hairpin traffic; resolve its destination. */
static void nhc_traffic_indication(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)m->nm_quoted;
	bool from_nhs = false;

	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		from_nhs |= nh->nh_nhs[i].ns_nbma == from;
	if (!from_nhs) {
		nh->nh_stats.st_drop[NHRP_DROP_NOT_FROM_NHS]++;
		return;
	}
	if (nh->nh_phase != 3 || m->nm_quoted_len < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return;
	nhrp_nhc_resolve(nh, rte_be_to_cpu_32(ip->dst_addr));
}

/* A spoke answers a Resolution Request (and learns the requester's
 * binding from it) when an NHS forwarded it (the hub checked the source)
 * or when it comes straight from the requester as we already know it (a
 * shortcut being refreshed). A request from anyone else naming some
 * source would move that source's traffic. */
static bool nhc_request_trusted(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	const struct nhrp_cache_entry *e;

	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		if (nh->nh_nhs[i].ns_nbma == from)
			return true;
	e = nhrp_cache_lookup(nh->nh_ctl, m->nm_src_proto.na_addr);
	if (e != NULL && e->nc_type != NC_INCOMPLETE && e->nc_nbma_seen == from &&
	    m->nm_src_nbma.na_addr == e->nc_nbma)
		return true;
	nh->nh_stats.st_drop[NHRP_DROP_NOT_OWNER]++;
	return false;
}

void nhrp_nhc_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma,
		    const uint8_t *pkt, uint16_t len)
{
	uint8_t plen;

	switch (m->nm_type) {
	case NHRP_TYPE_REGISTRATION_REPLY:
		nhc_registration_reply(nh, m, from_nbma);
		break;
	case NHRP_TYPE_RESOLUTION_REPLY:
		nhc_resolution_reply(nh, m);
		break;
	case NHRP_TYPE_TRAFFIC_INDICATION:
		nhc_traffic_indication(nh, m, from_nbma);
		break;
	case NHRP_TYPE_RESOLUTION_REQUEST:
		if (!nhc_request_trusted(nh, m, from_nbma))
			break;
		if (nhrp_is_local(nh, m->nm_dst_proto.na_addr, &plen))
			nhrp_resolution_answer(nh, m, plen, from_nbma);
		else
			nhrp_send_error(nh, m, pkt, len, NHRP_ERR_PROTO_ADDRESS_UNREACHABLE, 0,
					from_nbma);
		break;
	default:
		nh->nh_stats.st_drop[NHRP_DROP_WRONG_ROLE]++;
		nh->nh_stats.st_err[m->nm_type]++;
		break;
	}
}

const char *nhrp_nhs_state_name(enum nhrp_nhs_state st)
{
	switch (st) {
	case NHRP_NHS_PROBING:
		return "probing";
	case NHRP_NHS_UP:
		return "up";
	case NHRP_NHS_DOWN:
		return "down";
	case NHRP_NHS_STANDBY:
		return "standby";
	}
	return "?";
}
