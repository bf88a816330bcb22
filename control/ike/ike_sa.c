/* IKE-lite: one IKE SA at work. Its creation with its timers, what they
 * start (liveness checks, rekeys, the end of a child's life) and the
 * dispatch of a decoded message to its exchange (requests of the peer in
 * message-ID order, answers to our one request in flight). The files below
 * it (state, output, children, the exchanges) never call up into it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"
#include "ike_sa.h"

static void dpd_timer(struct timer *t, void *arg);
static void lifetime_timer(struct timer *t, void *arg);

struct ike_sa *ike_sa_create(const struct ike_conf *conf, const struct ike_env *env, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	sa->sa_conf = conf;
	sa->sa_env = env;
	sa->sa_initiator = initiator;
	sa->sa_state = initiator ? IKE_SA_INIT_SENT : IKE_SA_INIT_DONE;
	sa->sa_created_ns = clock_now(env->ie_clock);
	timer_init(&sa->sa_retransmit, ike_sa_retransmit_timer, sa);
	timer_init(&sa->sa_dpd, dpd_timer, sa);
	timer_init(&sa->sa_lifetime, lifetime_timer, sa);
	sa->sa_rekey_ns = UINT64_MAX;
	return sa;
}

/* Hard lifetimes first: a child still here at its end goes (its Delete
 * if we can send one, else at once). Then one rekey that is due: the IKE
 * SA's before the children's. One request at a time: with one in flight
 * we look again in a second. */
static void lifetime_timer(struct timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	uint64_t now = clock_now(sa->sa_env->ie_clock);

	(void)t;
	for (unsigned i = 0; i < sa->sa_n_child;) {
		const struct ike_child *ch = &sa->sa_child[i];

		if (ch->ch_expire_ns > now) {
			i++;
		} else if (sa->sa_req == NULL) {
			ike_info_delete_children(sa, &ch->ch_spi_in, 1);
			sa->sa_child[i++].ch_expire_ns = UINT64_MAX; /* its Delete is out */
		} else {
			ike_child_drop(sa, i);
		}
	}
	if (sa->sa_req != NULL) {
		timer_arm(sa->sa_env->ie_timers, &sa->sa_lifetime, now + CLK_NS_PER_S);
		return;
	}
	if (sa->sa_rekey_ns <= now) {
		if (ike_rekey_ike_start(sa) != 0)
			sa->sa_rekey_ns = ike_rekey_retry_at(now);
	} else {
		for (unsigned i = 0; i < sa->sa_n_child; i++)
			if (!sa->sa_child[i].ch_rekeyed && sa->sa_child[i].ch_rekey_ns <= now) {
				if (ike_rekey_child_start(sa, i) != 0)
					sa->sa_child[i].ch_rekey_ns = ike_rekey_retry_at(now);
				break;
			}
	}
	ike_sa_lifetime_arm(sa);
}

int ike_sa_rekey(struct ike_sa *sa, uint32_t child_spi_in)
{
	int i;

	if (sa->sa_state != IKE_SA_ESTABLISHED)
		return -ENOTCONN;
	if (child_spi_in == 0)
		return ike_rekey_ike_start(sa);
	i = ike_child_by_in(sa, child_spi_in);
	return i < 0 ? -ENOENT : ike_rekey_child_start(sa, (unsigned)i);
}

/* Silence for ic_dpd_s: an empty INFORMATIONAL request (2.4). Its
 * retransmissions failing kill the SA (TIMEOUT). */
static void dpd_timer(struct timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	struct ike_msg m;

	(void)t;
	if (sa->sa_state != IKE_SA_ESTABLISHED)
		return;
	if (sa->sa_req != NULL) { /* something is in flight: it checks too */
		sa->sa_last_rx_ns = clock_now(sa->sa_env->ie_clock);
		ike_sa_dpd_arm(sa);
		return;
	}
	ike_msg_init(&m, IKE_EXCH_INFORMATIONAL, 0, 0);
	ike_sa_request(sa, &m, IKE_REQ_LIVENESS);
}

/* The peer's request: a retransmission gets our cached answer again, one
 * out of order is dropped (2.3), the expected one is acted on. */
static void request_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
			  uint8_t *plain)
{
	enum ike_sk_drop why;

	if (m->im_msg_id + 1 == sa->sa_resp_next && sa->sa_resp != NULL) {
		/* RFC 7383 2.6.1: a fragmented request repeated is answered
		 * once, on its first fragment */
		if (!ike_msg_has(m, IKE_PL_SKF) || m->im_skf_num == 1)
			ike_sa_resend_answer(sa);
		return;
	}
	if (m->im_msg_id != sa->sa_resp_next || m->im_exchange == IKE_EXCH_IKE_SA_INIT)
		return;
	if (ike_sa_open(sa, m, msg, len, &why, plain, IKE_MSG_BUF) != 0)
		return;
	sa->sa_last_rx_ns = clock_now(sa->sa_env->ie_clock);
	switch (m->im_exchange) {
	case IKE_EXCH_IKE_AUTH:
		if (!sa->sa_initiator && sa->sa_state == IKE_SA_INIT_DONE)
			ike_auth_request(sa, m);
		break;
	case IKE_EXCH_INFORMATIONAL:
		if (sa->sa_state == IKE_SA_ESTABLISHED || sa->sa_state == IKE_SA_DELETING)
			ike_info_request(sa, m);
		break;
	case IKE_EXCH_CREATE_CHILD_SA:
		if (sa->sa_state == IKE_SA_ESTABLISHED)
			ike_create_request(sa, m);
		break;
	default:
		break;
	}
	ike_sa_dpd_arm(sa);
}

/* The answer to our request in flight, matched by message ID (2.2). */
static void response_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
			   uint8_t *plain)
{
	enum ike_req_kind kind;
	enum ike_sk_drop why;

	if (sa->sa_req == NULL || m->im_msg_id + 1 != sa->sa_req_next ||
	    m->im_exchange != sa->sa_req_exchange)
		return;
	if (m->im_exchange == IKE_EXCH_IKE_SA_INIT) {
		ike_init_response(sa, m, msg, len);
		return;
	}
	if (ike_sa_open(sa, m, msg, len, &why, plain, IKE_MSG_BUF) != 0)
		return;
	sa->sa_last_rx_ns = clock_now(sa->sa_env->ie_clock);
	kind = sa->sa_req_kind;
	ike_sa_request_done(sa);
	switch (kind) {
	case IKE_REQ_AUTH:
		if (sa->sa_state == IKE_SA_AUTH_SENT)
			ike_auth_response(sa, m);
		break;
	case IKE_REQ_DELETE_IKE:
		ike_sa_kill(sa, sa->sa_error);
		break;
	case IKE_REQ_DELETE_CHILD:
		ike_info_response(sa, m);
		break;
	case IKE_REQ_REKEY_CHILD:
	case IKE_REQ_REKEY_IKE:
		ike_create_response(sa, m, kind);
		break;
	default:
		break;
	}
	ike_sa_dpd_arm(sa);
}

void ike_sa_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		  uint16_t sport, uint16_t dport)
{
	uint8_t plain[IKE_MSG_BUF];
	uint16_t lport = sa->sa_lport, rport = sa->sa_rport;
	uint64_t authentic = sa->sa_rx_auth;

	if (sa->sa_state == IKE_SA_DEAD)
		return;
	sa->sa_rx++;
	/* NAT-T (2.23): the peer floated to 4500, or its NAT mapped it to a
	 * new port. Taken for good only once the message authenticates. */
	sa->sa_lport = dport;
	sa->sa_rport = sport;
	if (m->im_flags & IKE_FLAG_RESPONSE)
		response_input(sa, m, msg, len, plain);
	else
		request_input(sa, m, msg, len, plain);
	if (sa->sa_rx_auth == authentic && m->im_exchange != IKE_EXCH_IKE_SA_INIT) {
		sa->sa_lport = lport; /* did not authenticate: back to the old path */
		sa->sa_rport = rport;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
}
