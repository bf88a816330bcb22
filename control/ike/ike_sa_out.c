/* IKE-lite output: messages built as struct ike_msg, the inner chain sealed
 * in an SK payload (RFC 7296 3.14) once the SA has keys, then sent on the
 * SA's path. Our requests are kept for retransmission (2.1: the same bytes,
 * doubling waits, then the peer is dead); our last answer is kept for a
 * retransmitted request of the peer's (2.1: answer it again, do not act on
 * it again). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"
#include "ike_sa.h"

static uint64_t spi_u64(const uint8_t s[IKE_SPI_LEN])
{
	uint64_t v = 0;

	for (unsigned i = 0; i < IKE_SPI_LEN; i++)
		v = v << 8 | s[i];
	return v;
}

/* Our sending direction: the original initiator's keys are SK_ei/SK_ai. */
static enum ike_crypto_dir our_dir(const struct ike_sa *sa)
{
	return sa->sa_initiator ? IKE_CRYPTO_I2R : IKE_CRYPTO_R2I;
}

int ike_sa_encode(struct ike_sa *sa, struct ike_msg *m, uint8_t *out, size_t cap, size_t *len,
		  uint8_t *nfrag, uint16_t frag_len[IKE_FRAG_MAX])
{
	uint8_t plain[IKE_MSG_BUF];
	struct ike_sk_frame fr;
	size_t plen, body;
	int rc;

	*nfrag = 0;
	m->im_spi_i = spi_u64(sa->sa_spi_i);
	m->im_spi_r = spi_u64(sa->sa_spi_r);
	/* Everything after IKE_SA_INIT is protected, an empty INFORMATIONAL
	 * (a liveness check) too: its SK payload is then empty (3.14). */
	if (m->im_exchange == IKE_EXCH_IKE_SA_INIT)
		return ike_msg_encode(m, out, cap, len);
	plen = 0;
	if (m->im_n_inner != 0) {
		rc = ike_msg_encode_payloads(m, plain, sizeof(plain), &plen);
		if (rc != 0)
			return rc;
	}
	m->im_sk_first = m->im_n_inner != 0 ? m->im_inner[0].pr_type : IKE_PL_NONE;
	ike_pld_add(m, false, IKE_PL_SK);
	body = plen + ike_sk_overhead(&sa->sa_keys.sk_suite, plen);
	rc = ike_msg_encode_sk_frame(m, body, out, cap, &fr);
	if (rc == 0)
		rc = ike_sk_encrypt(&sa->sa_keys, our_dir(sa), out, fr.sf_body_off, cap, plain,
				    plen, len);
	m->im_n_order--; /* the SK entry: m may be encoded again */
	if (rc == 0 && ike_frag_needed(sa, *len)) {
		uint8_t n_order = m->im_n_order;

		rc = ike_frag_encode(sa, m, plain, plen, our_dir(sa), out, cap, len, nfrag,
				     frag_len);
		m->im_n_order = n_order;
	}
	OPENSSL_cleanse(plain, plen);
	return rc;
}

int ike_sa_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	const struct ike_env *e = sa->sa_env;

	sa->sa_tx++;
	return e->ie_send(e->ie_ctx, sa->sa_local, sa->sa_lport, sa->sa_remote, sa->sa_rport, msg,
			  len);
}

/* A message as it was encoded: one datagram, or its fragments in order. */
static int send_wire(struct ike_sa *sa, const uint8_t *buf, size_t len, uint8_t nfrag,
		     const uint16_t *frag_len)
{
	size_t off = 0;
	int rc = 0;

	if (nfrag == 0)
		return ike_sa_send_raw(sa, buf, len);
	for (unsigned i = 0; i < nfrag && off + frag_len[i] <= len; i++) {
		int r = ike_sa_send_raw(sa, buf + off, frag_len[i]);

		rc = rc != 0 ? rc : r;
		off += frag_len[i];
	}
	return rc;
}

void ike_sa_resend_answer(struct ike_sa *sa)
{
	send_wire(sa, sa->sa_resp, sa->sa_resp_len, sa->sa_resp_nfrag, sa->sa_resp_frag);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n);

	if (c != NULL)
		memcpy(c, p, n);
	return c;
}

static void retransmit_arm(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;
	uint64_t wait = (uint64_t)sa->sa_conf->ic_retransmit_ms * CLK_NS_PER_MS
			<< (sa->sa_req_tries < 16 ? sa->sa_req_tries : 16);

	timer_arm(e->ie_timers, &sa->sa_retransmit, clock_now(e->ie_clock) + wait);
}

int ike_sa_request(struct ike_sa *sa, struct ike_msg *m, enum ike_req_kind kind)
{
	uint8_t buf[IKE_WIRE_BUF];
	size_t len;
	int rc;

	m->im_msg_id = sa->sa_req_next;
	m->im_flags = sa->sa_initiator ? IKE_FLAG_INITIATOR : 0;
	rc = ike_sa_encode(sa, m, buf, sizeof(buf), &len, &sa->sa_req_nfrag, sa->sa_req_frag);
	if (rc != 0)
		return rc;
	free(sa->sa_req);
	sa->sa_req = dup_bytes(buf, len);
	if (sa->sa_req == NULL)
		return -ENOMEM;
	sa->sa_req_len = (uint16_t)len;
	sa->sa_req_exchange = m->im_exchange;
	sa->sa_req_kind = kind;
	sa->sa_req_tries = 0;
	sa->sa_req_next++;
	retransmit_arm(sa);
	return send_wire(sa, buf, len, sa->sa_req_nfrag, sa->sa_req_frag);
}

void ike_sa_request_done(struct ike_sa *sa)
{
	timer_cancel(sa->sa_env->ie_timers, &sa->sa_retransmit);
	free(sa->sa_req);
	sa->sa_req = NULL;
	sa->sa_req_len = 0;
	sa->sa_req_kind = IKE_REQ_NONE;
}

/* Runs on: the control thread (timer). The same bytes again, or give up. */
void ike_sa_retransmit_timer(struct timer *t, void *arg)
{
	struct ike_sa *sa = arg;

	(void)t;
	if (sa->sa_req == NULL)
		return;
	if (sa->sa_req_tries >= sa->sa_conf->ic_retransmit_tries) {
		ike_sa_kill(sa, IKE_ERR_TIMEOUT);
		return;
	}
	sa->sa_req_tries++;
	sa->sa_retransmits++;
	retransmit_arm(sa);
	send_wire(sa, sa->sa_req, sa->sa_req_len, sa->sa_req_nfrag, sa->sa_req_frag);
}

int ike_sa_respond(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t buf[IKE_WIRE_BUF];
	size_t len;
	int rc;

	m->im_msg_id = sa->sa_resp_next;
	m->im_flags = (uint8_t)(IKE_FLAG_RESPONSE | (sa->sa_initiator ? IKE_FLAG_INITIATOR : 0));
	rc = ike_sa_encode(sa, m, buf, sizeof(buf), &len, &sa->sa_resp_nfrag, sa->sa_resp_frag);
	if (rc != 0)
		return rc;
	free(sa->sa_resp);
	sa->sa_resp = dup_bytes(buf, len);
	sa->sa_resp_len = sa->sa_resp != NULL ? (uint16_t)len : 0;
	sa->sa_resp_next++;
	return send_wire(sa, buf, len, sa->sa_resp_nfrag, sa->sa_resp_frag);
}

int ike_sa_open(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		enum ike_sk_drop *why, uint8_t *plain, size_t cap)
{
	enum ike_crypto_dir peer = sa->sa_initiator ? IKE_CRYPTO_R2I : IKE_CRYPTO_I2R;
	size_t plen;
	int rc;

	*why = IKE_SK_DROP_NONE;
	if (ike_msg_has(m, IKE_PL_SKF)) {
		rc = ike_frag_input(sa, m, msg, len, plain, cap, &plen);
		if (rc != 0)
			return rc == -EINPROGRESS ? rc : -EBADMSG;
	} else {
		if (!ike_msg_has(m, IKE_PL_SK))
			return -EBADMSG;
		rc = ike_sk_decrypt(&sa->sa_keys, peer, msg, len, m->im_sk_aad_len, plain, cap,
				    &plen, why);
		if (rc != 0)
			return -EBADMSG;
		sa->sa_rx_auth++;
	}
	if (m->im_sk_first == IKE_PL_NONE && plen == 0)
		return 0; /* an empty INFORMATIONAL: a liveness check */
	return ike_msg_decode_inner(m->im_sk_first, plain, plen, m) == 0 ? 0 : -EBADMSG;
}
