/* IKE-lite IKE_AUTH (RFC 7296 1.2, 2.15): identities, authentication of
 * both sides by pre-shared key or certificate and RFC 7427 signature, and
 * the first CHILD_SA, which carries GRE
 * between the two addresses (transport mode, Cisco's DMVPN "mode
 * transport", or tunnel mode). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_exch.h"

#define IKE_AUTH_DATA_MAX 1100 /* AlgorithmIdentifier + an RSA-8192 signature */

size_t ike_id_body(const struct ike_ident *id, uint8_t *out, size_t cap)
{
	if (cap < 4u + id->id_len)
		return 0;
	out[0] = id->id_type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->id_data, id->id_len);
	return 4u + id->id_len;
}

/* The octets the AUTH of one side signs (2.15): its IKE_SA_INIT message,
 * the other side's nonce, prf(SK_p, its ID body). */
static int auth_octets(const struct ike_sa *sa, bool of_initiator, const struct ike_ident *id,
		       uint8_t *oct, size_t cap, size_t *olen)
{
	uint8_t body[4 + IKE_ID_MAX];
	size_t blen = ike_id_body(id, body, sizeof(body));

	return ike_auth_octets_encode(
		sa->sa_prop.ip_suite.cs_prf, of_initiator ? sa->sa_init_req : sa->sa_init_resp,
		of_initiator ? sa->sa_init_req_len : sa->sa_init_resp_len,
		of_initiator ? sa->sa_nr : sa->sa_ni, of_initiator ? sa->sa_nr_len : sa->sa_ni_len,
		of_initiator ? sa->sa_keys.sk_pi : sa->sa_keys.sk_pr, body, blen, oct, cap, olen);
}

/* What authenticates the peer (and us towards it); id NULL before the
 * responder said who it is. */
static void peer_auth(const struct ike_sa *sa, const struct ike_ident *id, struct ike_peer_auth *pa)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;

	if (p == NULL) {
		*pa = (struct ike_peer_auth){.pa_kind = IKE_PA_REFUSE, .pa_peer = -1};
		return;
	}
	ike_policy_lookup(p, sa->sa_remote, id, pa);
}

/* Our AUTH value: the PSK MAC, or AlgorithmIdentifier | signature
 * (RFC 7427 3). *len is its length, *method the AUTH method. */
static int auth_make(const struct ike_sa *sa, const struct ike_peer_auth *pa,
		     const struct ike_ident *id, uint8_t *out, size_t *len, uint8_t *method)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;
	uint8_t oct[IKE_MSG_BUF + 256 + IKE_PRF_MAX_LEN];
	const uint8_t *algid;
	size_t olen, alen, slen;
	int rc = auth_octets(sa, sa->sa_initiator, id, oct, sizeof(oct), &olen);

	if (rc != 0)
		return rc;
	if (pa->pa_kind == IKE_PA_PSK) {
		*method = IKE_AUTH_SHARED_KEY_MIC;
		*len = ike_prf_len(sa->sa_prop.ip_suite.cs_prf);
		return ike_auth_psk_compute(sa->sa_prop.ip_suite.cs_prf, pa->pa_psk->ps_key,
					    pa->pa_psk->ps_len, oct, olen, out);
	}
	algid = ike_sig_algid_encode(p->po_creds.cr_sig, &alen);
	if (algid == NULL)
		return -EINVAL;
	memcpy(out, algid, alen);
	rc = ike_sig_sign(p->po_creds.cr_key, p->po_creds.cr_sig, oct, olen, out + alen,
			  IKE_AUTH_DATA_MAX - alen, &slen);
	*method = IKE_AUTH_DIGITAL_SIGNATURE;
	*len = alen + slen;
	return rc;
}

/* The peer's AUTH (and CERT) against what the policy wants of it. */
static enum ike_sa_error auth_check(struct ike_sa *sa, const struct ike_msg *m,
				    const struct ike_ident *id)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;
	uint8_t oct[IKE_MSG_BUF + 256 + IKE_PRF_MAX_LEN];
	const uint8_t *der[IKE_MSG_MAX_CERT];
	size_t olen, dlen[IKE_MSG_MAX_CERT], used;
	const struct ike_blob *a = &m->im_auth_data;
	struct ike_peer_auth pa;
	enum ike_sig_alg alg;
	EVP_PKEY *key = NULL;
	unsigned n = 0;
	int rc;

	peer_auth(sa, id, &pa);
	if (pa.pa_kind == IKE_PA_REFUSE)
		return IKE_ERR_NO_CREDENTIALS;
	if (!ike_msg_has(m, IKE_PL_AUTH) ||
	    auth_octets(sa, !sa->sa_initiator, id, oct, sizeof(oct), &olen) != 0)
		return IKE_ERR_AUTH_FAILED;
	sa->sa_auth = pa.pa_kind;
	if (pa.pa_kind == IKE_PA_PSK) {
		rc = m->im_auth_method == IKE_AUTH_SHARED_KEY_MIC
			     ? ike_auth_psk_verify(sa->sa_prop.ip_suite.cs_prf, pa.pa_psk->ps_key,
						   pa.pa_psk->ps_len, oct, olen, a->bl_data,
						   a->bl_len)
			     : -EBADMSG;
		return rc == 0 ? IKE_ERR_NONE : IKE_ERR_AUTH_FAILED;
	}
	if (m->im_auth_method != IKE_AUTH_DIGITAL_SIGNATURE ||
	    ike_sig_algid_decode(a->bl_data, a->bl_len, &alg, &used) != 0)
		return IKE_ERR_AUTH_FAILED;
	for (unsigned i = 0; i < m->im_n_cert && i < IKE_MSG_MAX_CERT; i++)
		if (m->im_cert[i].ct_encoding == IKE_CERT_X509_SIGNATURE) {
			der[n] = m->im_cert[i].ct_data.bl_data;
			dlen[n++] = m->im_cert[i].ct_data.bl_len;
		}
	sa->sa_cert_err = ike_cert_verify(&p->po_creds, der, dlen, n, id, &key);
	if (sa->sa_cert_err != IKE_CERT_OK)
		return IKE_ERR_CERT;
	rc = ike_sig_verify(key, alg, oct, olen, a->bl_data + used, a->bl_len - used);
	EVP_PKEY_free(key);
	return rc == 0 ? IKE_ERR_NONE : IKE_ERR_AUTH_FAILED;
}

void ike_certreq_add(const struct ike_sa *sa, struct ike_msg *m, bool inner,
		     uint8_t buf[IKE_CERT_MAX_CA * IKE_CERT_HASH_LEN])
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;
	struct ike_cert *c;

	if (p == NULL || !p->po_has_creds || m->im_n_certreq >= IKE_MSG_MAX_CERTREQ)
		return;
	c = &m->im_certreq[m->im_n_certreq];
	ike_pld_add(m, inner, IKE_PL_CERTREQ);
	memcpy(buf, p->po_creds.cr_ca_hash, (size_t)p->po_creds.cr_n_ca * IKE_CERT_HASH_LEN);
	c->ct_encoding = IKE_CERT_X509_SIGNATURE;
	c->ct_data = (struct ike_blob){buf, (uint16_t)(p->po_creds.cr_n_ca * IKE_CERT_HASH_LEN)};
}

/* Our ID, CERT (when we sign), CERTREQ (initiator) and AUTH into r.
 * The buffers must outlive r's encoding. */
struct auth_bufs {
	uint8_t ab_auth[IKE_AUTH_DATA_MAX];
	uint8_t ab_hashes[IKE_CERT_MAX_CA * IKE_CERT_HASH_LEN];
	struct ike_ident ab_id;
};

static int id_auth_add(struct ike_sa *sa, struct ike_msg *r, struct auth_bufs *b)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;
	struct ike_id *wire = sa->sa_initiator ? &r->im_idi : &r->im_idr;
	struct ike_peer_auth pa;
	uint8_t method;
	size_t alen;

	peer_auth(sa, sa->sa_initiator ? NULL : &sa->sa_peer_id, &pa);
	if (pa.pa_kind == IKE_PA_REFUSE)
		return -ENOKEY;
	ike_policy_local_id(p, pa.pa_kind, sa->sa_local, &b->ab_id);
	if (auth_make(sa, &pa, &b->ab_id, b->ab_auth, &alen, &method) != 0)
		return -ENOKEY;
	ike_pld_add(r, true, sa->sa_initiator ? IKE_PL_IDI : IKE_PL_IDR);
	wire->id_type = b->ab_id.id_type;
	wire->id_data = (struct ike_blob){b->ab_id.id_data, b->ab_id.id_len};
	if (pa.pa_kind == IKE_PA_CERT) {
		struct ike_cert *c = &r->im_cert[r->im_n_cert];

		ike_pld_add(r, true, IKE_PL_CERT);
		c->ct_encoding = IKE_CERT_X509_SIGNATURE;
		c->ct_data = (struct ike_blob){p->po_creds.cr_cert_der,
					       (uint16_t)p->po_creds.cr_cert_len};
	}
	if (sa->sa_initiator)
		ike_certreq_add(sa, r, true, b->ab_hashes);
	ike_pld_add(r, true, IKE_PL_AUTH);
	r->im_auth_method = method;
	r->im_auth_data = (struct ike_blob){b->ab_auth, (uint16_t)alen};
	return 0;
}

static void ident_take(const struct ike_id *w, struct ike_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->id_type = w->id_type;
	id->id_len = (uint8_t)(w->id_data.bl_len < IKE_ID_MAX ? w->id_data.bl_len : IKE_ID_MAX);
	memcpy(id->id_data, w->id_data.bl_data, id->id_len);
}

static void established(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;

	sa->sa_state = IKE_SA_ESTABLISHED;
	sa->sa_established_ns = clock_now(e->ie_clock);
	sa->sa_last_rx_ns = sa->sa_established_ns;
	if (sa->sa_conf->ic_ike_lifetime_s != 0)
		sa->sa_rekey_ns =
			ike_lifetime_soft(sa->sa_established_ns, sa->sa_conf->ic_ike_lifetime_s);
	e->ie_sa_changed(e->ie_ctx, sa);
	ike_sa_dpd_arm(sa);
	ike_sa_lifetime_arm(sa);
}

/* ---- initiator ---- */

int ike_auth_start(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;
	struct auth_bufs b;
	struct ike_msg m;
	int rc;

	ike_msg_init(&m, IKE_EXCH_IKE_AUTH, 0, 0);
	rc = id_auth_add(sa, &m, &b);
	if (rc != 0) {
		sa->sa_error = IKE_ERR_NO_CREDENTIALS;
		return rc;
	}
	/* 2.4: only when we have no other SA with this peer (its old ones
	 * can go); not while the peer's own start towards us is under way */
	if (!sa->sa_env->ie_peer_has_other(sa))
		ike_pld_add_notify(&m, true, IKE_N_INITIAL_CONTACT);
	rc = e->ie_spi_alloc(e->ie_ctx, &sa->sa_child_spi);
	if (rc != 0)
		return rc;
	if (!sa->sa_conf->ic_tunnel)
		ike_pld_add_notify(&m, true, IKE_N_USE_TRANSPORT_MODE);
	ike_pld_add(&m, true, IKE_PL_SA);
	ike_prop_esp_offer(sa->sa_conf, sa->sa_child_spi, 0, &m);
	ike_child_ts_add(sa, &m);
	sa->sa_state = IKE_SA_AUTH_SENT;
	rc = ike_sa_request(sa, &m, IKE_REQ_AUTH);
	OPENSSL_cleanse(&b, sizeof(b));
	return rc;
}

/* The CHILD_SA part of the answer; the IKE SA stands either way (2.21.2). */
static void auth_child_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_child_seed seed;
	struct ike_esp_prop p;
	uint32_t spi_out;

	for (unsigned i = 0; i < m->im_n_notify; i++)
		if (m->im_notify[i].nt_type <= IKE_N_ERROR_MAX) {
			sa->sa_error = m->im_notify[i].nt_type == IKE_N_TS_UNACCEPTABLE
					       ? IKE_ERR_TS_UNACCEPTABLE
					       : IKE_ERR_NO_PROPOSAL;
			return;
		}
	if (!ike_msg_has(m, IKE_PL_SA) ||
	    ike_prop_esp_check(sa->sa_conf, m, 0, &p, &spi_out) != 0 || !ike_child_ts_ok(sa, m)) {
		sa->sa_error = IKE_ERR_NO_PROPOSAL;
		return;
	}
	/* Without USE_TRANSPORT_MODE in the answer the peer made a tunnel-
	 * mode SA (1.3.1); the dataplane says whether it can carry it. */
	ike_child_seed_auth(sa, &seed);
	seed.cs_ts_peer = ike_child_ts_peer(sa, m);
	ike_child_make(sa, &p, sa->sa_child_spi, spi_out,
		       ike_msg_notify_find(m, IKE_N_USE_TRANSPORT_MODE) == NULL, &seed);
}

void ike_auth_response(struct ike_sa *sa, struct ike_msg *m)
{
	enum ike_sa_error err;

	if (ike_msg_notify_find(m, IKE_N_AUTHENTICATION_FAILED) != NULL) {
		ike_sa_kill(sa, IKE_ERR_PEER_AUTH_FAILED);
		return;
	}
	if (!ike_msg_has(m, IKE_PL_IDR)) {
		ike_sa_kill(sa, IKE_ERR_BAD_MESSAGE);
		return;
	}
	ident_take(&m->im_idr, &sa->sa_peer_id);
	err = auth_check(sa, m, &sa->sa_peer_id);
	if (err != IKE_ERR_NONE) {
		ike_sa_kill(sa, err);
		return;
	}
	established(sa);
	auth_child_response(sa, m);
}

/* ---- responder ---- */

/* The CHILD_SA the initiator asked for, into r: SA, TSi, TSr and the mode,
 * or the notify that says why not. */
static void auth_child_answer(struct ike_sa *sa, const struct ike_msg *m, struct ike_msg *r)
{
	const struct ike_env *e = sa->sa_env;
	bool transport = ike_msg_notify_find(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	struct ike_child_seed seed;
	struct ike_esp_prop p;
	uint32_t spi_out, spi_in;
	uint8_t num;

	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_TSI) ||
	    !ike_msg_has(m, IKE_PL_TSR))
		return; /* no CHILD_SA asked for */
	if (ike_prop_esp_select(sa->sa_conf, m, 0, &p, &num, &spi_out) != 0) {
		ike_pld_add_notify(r, true, IKE_N_NO_PROPOSAL_CHOSEN);
		sa->sa_error = IKE_ERR_NO_PROPOSAL;
		return;
	}
	if (!ike_child_ts_ok(sa, m)) {
		ike_pld_add_notify(r, true, IKE_N_TS_UNACCEPTABLE);
		sa->sa_error = IKE_ERR_TS_UNACCEPTABLE;
		return;
	}
	ike_child_seed_auth(sa, &seed);
	seed.cs_ts_peer = ike_child_ts_peer(sa, m);
	if (e->ie_spi_alloc(e->ie_ctx, &spi_in) != 0 ||
	    ike_child_make(sa, &p, spi_in, spi_out, !transport, &seed) != 0) {
		ike_pld_add_notify(r, true, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (transport)
		ike_pld_add_notify(r, true, IKE_N_USE_TRANSPORT_MODE);
	ike_pld_add(r, true, IKE_PL_SA);
	ike_prop_esp_answer(&p, num, spi_in, r);
	ike_child_ts_add(sa, r);
}

void ike_auth_request(struct ike_sa *sa, struct ike_msg *m)
{
	enum ike_sa_error err;
	struct auth_bufs b;
	struct ike_msg r;

	ike_msg_init(&r, IKE_EXCH_IKE_AUTH, 0, 0);
	if (!ike_msg_has(m, IKE_PL_IDI)) {
		ike_pld_add_notify(&r, true, IKE_N_INVALID_SYNTAX);
		ike_sa_respond(sa, &r);
		ike_sa_kill(sa, IKE_ERR_BAD_MESSAGE);
		return;
	}
	ident_take(&m->im_idi, &sa->sa_peer_id);
	err = auth_check(sa, m, &sa->sa_peer_id);
	if (err == IKE_ERR_NONE && id_auth_add(sa, &r, &b) != 0)
		err = IKE_ERR_NO_CREDENTIALS;
	if (err != IKE_ERR_NONE) {
		/* 2.21.2: say so, protected, and forget the SA. */
		ike_msg_init(&r, IKE_EXCH_IKE_AUTH, 0, 0);
		ike_pld_add_notify(&r, true, IKE_N_AUTHENTICATION_FAILED);
		ike_sa_respond(sa, &r);
		ike_sa_kill(sa, err);
		return;
	}
	sa->sa_initial_contact = ike_msg_notify_find(m, IKE_N_INITIAL_CONTACT) != NULL;
	auth_child_answer(sa, m, &r);
	ike_sa_respond(sa, &r);
	OPENSSL_cleanse(&b, sizeof(b));
	established(sa);
}
