/* IKE-lite IKE_AUTH (RFC 7296 1.2, 2.15): identities, pre-shared key
 * authentication of both sides, and the first CHILD_SA, which carries GRE
 * between the two addresses (transport mode, Cisco's DMVPN "mode
 * transport", or tunnel mode). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

size_t ike_id_body(const struct ike_ident *id, uint8_t *out, size_t cap)
{
	if (cap < 4u + id->id_len)
		return 0;
	out[0] = id->id_type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->id_data, id->id_len);
	return 4u + id->id_len;
}

void ike_local_ident(const struct ike_sa *sa, struct ike_ident *id)
{
	if (sa->sa_conf->ic_local_id.id_len != 0) {
		*id = sa->sa_conf->ic_local_id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->id_type = IKE_ID_IPV4_ADDR;
	id->id_len = 4;
	id->id_data[0] = (uint8_t)(sa->sa_local >> 24);
	id->id_data[1] = (uint8_t)(sa->sa_local >> 16);
	id->id_data[2] = (uint8_t)(sa->sa_local >> 8);
	id->id_data[3] = (uint8_t)sa->sa_local;
}

/* AUTH of one side (2.15): its IKE_SA_INIT message, the other side's
 * nonce, prf(SK_p, its ID body), keyed by the PSK. */
static int auth_value(const struct ike_sa *sa, bool of_initiator, const struct ike_secret *psk,
		      const struct ike_ident *id, uint8_t *out)
{
	uint8_t body[4 + IKE_ID_MAX], oct[IKE_MSG_BUF + 256 + IKE_PRF_MAX_LEN];
	enum ike_crypto_prf prf = sa->sa_prop.ip_suite.cs_prf;
	size_t blen = ike_id_body(id, body, sizeof(body)), olen;
	int rc;

	rc = ike_auth_octets_encode(
		prf, of_initiator ? sa->sa_init_req : sa->sa_init_resp,
		of_initiator ? sa->sa_init_req_len : sa->sa_init_resp_len,
		of_initiator ? sa->sa_nr : sa->sa_ni, of_initiator ? sa->sa_nr_len : sa->sa_ni_len,
		of_initiator ? sa->sa_keys.sk_pi : sa->sa_keys.sk_pr, body, blen, oct, sizeof(oct),
		&olen);
	if (rc == 0)
		rc = ike_auth_psk_compute(prf, psk->ps_key, psk->ps_len, oct, olen, out);
	return rc;
}

static bool auth_ok(const struct ike_sa *sa, const struct ike_msg *m, const struct ike_ident *id)
{
	const struct ike_env *e = sa->sa_env;
	const struct ike_secret *psk = e->ie_psk(e->ie_ctx, sa->sa_remote, id);
	uint8_t want[IKE_PRF_MAX_LEN];
	size_t n = ike_prf_len(sa->sa_prop.ip_suite.cs_prf);
	bool ok;

	if (psk == NULL || !ike_msg_has(m, IKE_PL_AUTH) ||
	    m->im_auth_method != IKE_AUTH_SHARED_KEY_MIC || m->im_auth_data.bl_len != n ||
	    auth_value(sa, !sa->sa_initiator, psk, id, want) != 0)
		return false;
	ok = CRYPTO_memcmp(want, m->im_auth_data.bl_data, n) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* IDx and AUTH of ours into r (inner). buffers must outlive r's encoding. */
static int id_auth_add(struct ike_sa *sa, struct ike_msg *r, struct ike_ident *id,
		       uint8_t *auth)
{
	const struct ike_env *e = sa->sa_env;
	const struct ike_secret *psk = e->ie_psk(e->ie_ctx, sa->sa_remote,
						 sa->sa_initiator ? NULL : &sa->sa_peer_id);
	struct ike_id *wire = sa->sa_initiator ? &r->im_idi : &r->im_idr;

	if (psk == NULL || auth_value(sa, sa->sa_initiator, psk, id, auth) != 0)
		return -ENOKEY;
	ike_pld_add(r, true, sa->sa_initiator ? IKE_PL_IDI : IKE_PL_IDR);
	wire->id_type = id->id_type;
	wire->id_data = (struct ike_blob){id->id_data, id->id_len};
	ike_pld_add(r, true, IKE_PL_AUTH);
	r->im_auth_method = IKE_AUTH_SHARED_KEY_MIC;
	r->im_auth_data =
		(struct ike_blob){auth, (uint16_t)ike_prf_len(sa->sa_prop.ip_suite.cs_prf)};
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
		sa->sa_rekey_ns = ike_lifetime_soft(sa->sa_established_ns,
						    sa->sa_conf->ic_ike_lifetime_s);
	e->ie_sa_changed(e->ie_ctx, sa);
	ike_sa_dpd_arm(sa);
	ike_sa_lifetime_arm(sa);
}

/* ---- initiator ---- */

int ike_auth_start(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;
	uint8_t auth[IKE_PRF_MAX_LEN];
	struct ike_ident id;
	struct ike_msg m;
	int rc;

	ike_local_ident(sa, &id);
	ike_msg_init(&m, IKE_EXCH_IKE_AUTH, 0, 0);
	rc = id_auth_add(sa, &m, &id, auth);
	if (rc != 0)
		return rc;
	/* 2.4: we have no other SA with this peer; its old ones can go. */
	ike_pld_add_notify(&m, true, IKE_N_INITIAL_CONTACT);
	rc = e->ie_spi_alloc(e->ie_ctx, &sa->sa_child_spi);
	if (rc != 0)
		return rc;
	if (!sa->sa_conf->ic_tunnel)
		ike_pld_add_notify(&m, true, IKE_N_USE_TRANSPORT_MODE);
	ike_pld_add(&m, true, IKE_PL_SA);
	ike_prop_esp_offer(sa->sa_conf, sa->sa_child_spi, &m);
	ike_child_ts_add(sa, &m);
	sa->sa_state = IKE_SA_AUTH_SENT;
	rc = ike_sa_request(sa, &m, IKE_REQ_AUTH);
	OPENSSL_cleanse(auth, sizeof(auth));
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
					       ? IKE_ERR_TS_UNACCEPTABLE : IKE_ERR_NO_PROPOSAL;
			return;
		}
	if (!ike_msg_has(m, IKE_PL_SA) || ike_prop_esp_check(sa->sa_conf, m, &p, &spi_out) != 0 ||
	    !ike_child_ts_ok(sa, m)) {
		sa->sa_error = IKE_ERR_NO_PROPOSAL;
		return;
	}
	/* Without USE_TRANSPORT_MODE in the answer the peer made a tunnel-
	 * mode SA (1.3.1); the dataplane says whether it can carry it. */
	ike_child_seed_auth(sa, &seed);
	ike_child_make(sa, &p, sa->sa_child_spi, spi_out,
		       ike_msg_notify_find(m, IKE_N_USE_TRANSPORT_MODE) == NULL, &seed);
}

void ike_auth_response(struct ike_sa *sa, struct ike_msg *m)
{
	if (ike_msg_notify_find(m, IKE_N_AUTHENTICATION_FAILED) != NULL) {
		ike_sa_kill(sa, IKE_ERR_PEER_AUTH_FAILED);
		return;
	}
	if (!ike_msg_has(m, IKE_PL_IDR)) {
		ike_sa_kill(sa, IKE_ERR_BAD_MESSAGE);
		return;
	}
	ident_take(&m->im_idr, &sa->sa_peer_id);
	if (!auth_ok(sa, m, &sa->sa_peer_id)) {
		ike_sa_kill(sa, IKE_ERR_AUTH_FAILED);
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
	if (ike_prop_esp_select(sa->sa_conf, m, &p, &num, &spi_out) != 0) {
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
	uint8_t auth[IKE_PRF_MAX_LEN];
	struct ike_ident id;
	struct ike_msg r;

	ike_msg_init(&r, IKE_EXCH_IKE_AUTH, 0, 0);
	if (!ike_msg_has(m, IKE_PL_IDI)) {
		ike_pld_add_notify(&r, true, IKE_N_INVALID_SYNTAX);
		ike_sa_respond(sa, &r);
		ike_sa_kill(sa, IKE_ERR_BAD_MESSAGE);
		return;
	}
	ident_take(&m->im_idi, &sa->sa_peer_id);
	ike_local_ident(sa, &id);
	if (!auth_ok(sa, m, &sa->sa_peer_id) || id_auth_add(sa, &r, &id, auth) != 0) {
		/* 2.21.2: say so, protected, and forget the SA. */
		ike_msg_init(&r, IKE_EXCH_IKE_AUTH, 0, 0);
		ike_pld_add_notify(&r, true, IKE_N_AUTHENTICATION_FAILED);
		ike_sa_respond(sa, &r);
		ike_sa_kill(sa, IKE_ERR_AUTH_FAILED);
		return;
	}
	sa->sa_initial_contact = ike_msg_notify_find(m, IKE_N_INITIAL_CONTACT) != NULL;
	auth_child_answer(sa, m, &r);
	ike_sa_respond(sa, &r);
	OPENSSL_cleanse(auth, sizeof(auth));
	established(sa);
}
