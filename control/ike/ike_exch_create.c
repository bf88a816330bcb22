/* IKE-lite CREATE_CHILD_SA (RFC 7296 1.3): rekeying a CHILD_SA (1.3.3)
 * make before break: the new pair is installed, then the old one deleted,
 * both halves at once (1.4.1); simultaneous rekeys of one child resolved by
 * the lowest nonce (2.8.1); rekeying the IKE SA (1.3.2, 2.18), whose
 * children move to the new SA. A CHILD_SA rekey may carry a KE (PFS,
 * 2.17): ours when `pfs` is configured; the peer's is answered with the
 * same group, or INVALID_KE_PAYLOAD naming ours. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

/* The lower of two nonces as octet strings (2.8.1). */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c != 0 ? c : (al > bl) - (al < bl);
}

static const uint8_t *nonce_low(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
				size_t *len)
{
	bool first = nonce_cmp(a, al, b, bl) <= 0;

	*len = first ? al : bl;
	return first ? a : b;
}

static bool peer_nonce_ok(const struct ike_msg *m)
{
	return ike_msg_has(m, IKE_PL_NONCE) && m->im_nonce.bl_len >= IKE_NONCE_MIN &&
	       m->im_nonce.bl_len <= 255;
}

static void refuse(struct ike_sa *sa, uint16_t type)
{
	struct ike_msg r;

	ike_msg_init(&r, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	ike_pld_add_notify(&r, true, type);
	ike_sa_respond(sa, &r);
}

static uint32_t spi32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void spi32_put(uint32_t v, uint8_t *p)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* g^ir of a PFS exchange from our DH key and the peer's KE. */
static int pfs_secret(struct ike_dh *dh, const struct ike_msg *m, uint8_t *gir, size_t *len)
{
	if (dh == NULL || !ike_msg_has(m, IKE_PL_KE) || m->im_ke_group != ike_dh_group(dh))
		return -EBADMSG;
	return ike_dh_secret_derive(dh, m->im_ke_data.bl_data, m->im_ke_data.bl_len, gir,
				    IKE_DH_KE_MAX, len);
}

/* ---- CHILD_SA rekey: ours ---- */

int ike_rekey_child_start(struct ike_sa *sa, unsigned idx)
{
	const struct ike_env *e = sa->sa_env;
	const struct ike_child *old = &sa->sa_child[idx];
	uint16_t pfs = sa->sa_conf->ic_pfs;
	uint8_t ke[IKE_DH_KE_MAX];
	size_t ke_len = 0;
	struct ike_notify *n;
	struct ike_msg m;
	int rc;

	if (sa->sa_req != NULL)
		return -EBUSY;
	rc = e->ie_spi_alloc(e->ie_ctx, &sa->sa_child_spi);
	if (rc == 0)
		rc = ike_rand_bytes(sa->sa_rk_ni, IKE_NONCE_LEN);
	if (rc == 0 && pfs != 0) {
		ike_dh_destroy(sa->sa_rk_dh);
		sa->sa_rk_dh = ike_dh_create((enum ike_crypto_dh)pfs);
		rc = sa->sa_rk_dh == NULL ? -EIO
					  : ike_dh_ke_encode(sa->sa_rk_dh, ke, sizeof(ke), &ke_len);
	}
	if (rc != 0)
		return rc;
	sa->sa_rk_old = old->ch_spi_in;
	sa->sa_rk_peer_new = 0;
	ike_msg_init(&m, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	n = ike_pld_add_notify(&m, true, IKE_N_REKEY_SA);
	if (n == NULL)
		return -ENOSPC;
	n->nt_proto = IKE_PROTO_ESP;
	n->nt_spi_len = IKE_SPI_LEN_CHILD;
	spi32_put(old->ch_spi_in, n->nt_spi); /* the SPI we receive with (1.3.3) */
	if (!old->ch_tunnel)
		ike_pld_add_notify(&m, true, IKE_N_USE_TRANSPORT_MODE);
	ike_pld_add(&m, true, IKE_PL_SA);
	ike_prop_esp_offer(sa->sa_conf, sa->sa_child_spi, pfs, &m);
	ike_pld_add(&m, true, IKE_PL_NONCE);
	m.im_nonce = (struct ike_blob){sa->sa_rk_ni, IKE_NONCE_LEN};
	if (pfs != 0) {
		ike_pld_add(&m, true, IKE_PL_KE);
		m.im_ke_group = pfs;
		m.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	}
	ike_child_ts_add(sa, &m);
	return ike_sa_request(sa, &m, IKE_REQ_REKEY_CHILD);
}

/* Our rekey was answered: the new pair goes in, then a Delete for the old
 * one and, if the peer's simultaneous rekey won the nonce contest, for
 * the pair made in ours (2.8.1). */
static void rekey_child_done(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_child_seed seed = {
		.cs_ni = sa->sa_rk_ni, .cs_ni_len = IKE_NONCE_LEN, .cs_we_initiated = true};
	uint16_t pfs = sa->sa_conf->ic_pfs;
	uint8_t gir[IKE_DH_KE_MAX];
	const uint8_t *low;
	size_t low_len, gir_len = 0;
	uint32_t del[2], spi_out;
	struct ike_esp_prop p;
	unsigned n_del = 0;
	int old = ike_child_by_in(sa, sa->sa_rk_old), made;

	if (ike_msg_notify_find(m, IKE_N_NO_PROPOSAL_CHOSEN) != NULL ||
	    ike_msg_notify_find(m, IKE_N_TEMPORARY_FAILURE) != NULL ||
	    ike_msg_notify_find(m, IKE_N_CHILD_SA_NOT_FOUND) != NULL ||
	    ike_msg_notify_find(m, IKE_N_NO_ADDITIONAL_SAS) != NULL || !peer_nonce_ok(m) ||
	    ike_prop_esp_check(sa->sa_conf, m, pfs, &p, &spi_out) != 0 || !ike_child_ts_ok(sa, m) ||
	    (pfs != 0 && pfs_secret(sa->sa_rk_dh, m, gir, &gir_len) != 0)) {
		/* The old pair stays; tried again in a while, before it expires. */
		sa->sa_error = IKE_ERR_NO_PROPOSAL;
		if (old >= 0)
			sa->sa_child[old].ch_rekey_ns =
				ike_rekey_retry_at(clock_now(sa->sa_env->ie_clock));
		ike_sa_lifetime_arm(sa);
		return;
	}
	seed.cs_nr = m->im_nonce.bl_data;
	seed.cs_nr_len = (uint8_t)m->im_nonce.bl_len;
	seed.cs_gir = gir_len != 0 ? gir : NULL;
	seed.cs_gir_len = gir_len;
	/* A rekey keeps the selectors (2.8): the old child's address. */
	seed.cs_ts_peer = old >= 0 ? sa->sa_child[old].ch_ts_remote : ike_child_ts_peer(sa, m);
	made = ike_child_make(sa, &p, sa->sa_child_spi, spi_out,
			      old >= 0 ? sa->sa_child[old].ch_tunnel
				       : ike_msg_notify_find(m, IKE_N_USE_TRANSPORT_MODE) == NULL,
			      &seed);
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_destroy(sa->sa_rk_dh);
	sa->sa_rk_dh = NULL;
	if (made != 0)
		return;
	sa->sa_rekeys++;
	if (old >= 0) {
		sa->sa_child[old].ch_rekeyed = true;
		del[n_del++] = sa->sa_rk_old;
	}
	if (sa->sa_rk_peer_new != 0) {
		low = nonce_low(seed.cs_ni, seed.cs_ni_len, seed.cs_nr, seed.cs_nr_len, &low_len);
		if (nonce_cmp(low, low_len, sa->sa_rk_peer_low, sa->sa_rk_peer_low_len) < 0)
			del[n_del++] = sa->sa_child_spi; /* ours is redundant */
		sa->sa_rk_peer_new = 0;
	}
	if (n_del != 0)
		ike_info_delete_children(sa, del, n_del);
}

/* ---- CHILD_SA rekey: the peer's ---- */

/* The group of the peer's rekey: its KE's, if we do that group and it
 * is ours when we want PFS; none without a KE, unless we want PFS. A
 * wrong or missing group is answered here (INVALID_KE_PAYLOAD naming
 * ours, or NO_PROPOSAL_CHOSEN) and -1 returned. */
static int pfs_choose(struct ike_sa *sa, const struct ike_msg *m, uint16_t *group)
{
	uint16_t want = sa->sa_conf->ic_pfs;
	struct ike_esp_prop p;
	uint32_t spi;
	uint8_t num;

	*group = ike_msg_has(m, IKE_PL_KE) ? m->im_ke_group : 0;
	if (*group != 0 && ike_dh_ke_len((enum ike_crypto_dh) * group) != 0 &&
	    (want == 0 || want == *group))
		return 0;
	if (*group == 0 && want == 0)
		return 0;
	if (want != 0 && ike_prop_esp_select(sa->sa_conf, m, want, &p, &num, &spi) == 0) {
		struct ike_msg r;
		struct ike_notify *n;
		uint8_t g[2] = {(uint8_t)(want >> 8), (uint8_t)want};

		ike_msg_init(&r, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
		n = ike_pld_add_notify(&r, true, IKE_N_INVALID_KE_PAYLOAD);
		if (n != NULL)
			n->nt_data = (struct ike_blob){g, 2};
		ike_sa_respond(sa, &r);
		return -1;
	}
	refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
	return -1;
}

static void rekey_child_answer(struct ike_sa *sa, const struct ike_msg *m, unsigned old)
{
	const struct ike_env *e = sa->sa_env;
	struct ike_child_seed seed = {.cs_ni = m->im_nonce.bl_data,
				      .cs_ni_len = (uint8_t)m->im_nonce.bl_len,
				      .cs_we_initiated = false,
				      .cs_defer_out = true};
	uint8_t nr[IKE_NONCE_LEN], num, ke[IKE_DH_KE_MAX], gir[IKE_DH_KE_MAX];
	bool tunnel = sa->sa_child[old].ch_tunnel;
	uint32_t old_in = sa->sa_child[old].ch_spi_in, spi_in, spi_out;
	size_t low_len, ke_len = 0, gir_len = 0;
	struct ike_dh *dh = NULL;
	struct ike_esp_prop p;
	const uint8_t *low;
	struct ike_msg r;
	uint16_t group;
	int made;

	if (pfs_choose(sa, m, &group) != 0)
		return;
	if (ike_prop_esp_select(sa->sa_conf, m, group, &p, &num, &spi_out) != 0) {
		refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (!ike_child_ts_ok(sa, m)) {
		refuse(sa, IKE_N_TS_UNACCEPTABLE);
		return;
	}
	if (e->ie_spi_alloc(e->ie_ctx, &spi_in) != 0 || ike_rand_bytes(nr, sizeof(nr)) != 0) {
		refuse(sa, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	if (group != 0) {
		dh = ike_dh_create((enum ike_crypto_dh)group);
		if (dh == NULL || ike_dh_ke_encode(dh, ke, sizeof(ke), &ke_len) != 0 ||
		    pfs_secret(dh, m, gir, &gir_len) != 0) {
			ike_dh_destroy(dh);
			refuse(sa, IKE_N_INVALID_SYNTAX);
			return;
		}
		ike_dh_destroy(dh);
	}
	seed.cs_nr = nr;
	seed.cs_nr_len = sizeof(nr);
	seed.cs_gir = gir_len != 0 ? gir : NULL;
	seed.cs_gir_len = gir_len;
	seed.cs_ts_peer = sa->sa_child[old].ch_ts_remote; /* a rekey keeps the selectors */
	made = ike_child_make(sa, &p, spi_in, spi_out, tunnel, &seed);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (made != 0) {
		refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	sa->sa_rekeys++;
	sa->sa_child[old].ch_rekeyed = true; /* the peer deletes it */
	/* Our own rekey of the same child is out: remember this exchange's
	 * lowest nonce for the contest when our answer comes. */
	if (sa->sa_req_kind == IKE_REQ_REKEY_CHILD && sa->sa_rk_old == old_in) {
		low = nonce_low(seed.cs_ni, seed.cs_ni_len, nr, sizeof(nr), &low_len);
		sa->sa_rk_peer_new = spi_in;
		sa->sa_rk_peer_low_len = (uint8_t)low_len;
		memcpy(sa->sa_rk_peer_low, low, low_len);
	}
	ike_msg_init(&r, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	if (!tunnel)
		ike_pld_add_notify(&r, true, IKE_N_USE_TRANSPORT_MODE);
	ike_pld_add(&r, true, IKE_PL_SA);
	ike_prop_esp_answer(&p, num, spi_in, &r);
	ike_pld_add(&r, true, IKE_PL_NONCE);
	r.im_nonce = (struct ike_blob){nr, sizeof(nr)};
	if (group != 0) {
		ike_pld_add(&r, true, IKE_PL_KE);
		r.im_ke_group = group;
		r.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	}
	ike_child_ts_add(sa, &r);
	ike_sa_respond(sa, &r);
	OPENSSL_cleanse(nr, sizeof(nr));
}

/* ---- IKE SA rekey (1.3.2, 2.18) ---- */

int ike_rekey_ike_start(struct ike_sa *sa)
{
	uint8_t ke[IKE_DH_KE_MAX];
	size_t ke_len;
	struct ike_msg m;
	int rc;

	if (sa->sa_req != NULL)
		return -EBUSY;
	ike_dh_destroy(sa->sa_rk_dh);
	sa->sa_rk_dh = ike_dh_create(sa->sa_prop.ip_dh);
	if (sa->sa_rk_dh == NULL)
		return -EIO;
	rc = ike_dh_ke_encode(sa->sa_rk_dh, ke, sizeof(ke), &ke_len);
	if (rc == 0)
		rc = ike_rand_spi(sa->sa_rk_spi);
	if (rc == 0)
		rc = ike_rand_bytes(sa->sa_rk_ni, IKE_NONCE_LEN);
	if (rc != 0)
		return rc;
	ike_msg_init(&m, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	ike_pld_add(&m, true, IKE_PL_SA);
	ike_prop_ike_answer(&sa->sa_prop, 1, &m); /* the suite in use: one proposal */
	m.im_prop[0].pp_spi_len = IKE_SPI_LEN;
	memcpy(m.im_prop[0].pp_spi, sa->sa_rk_spi, IKE_SPI_LEN);
	ike_pld_add(&m, true, IKE_PL_NONCE);
	m.im_nonce = (struct ike_blob){sa->sa_rk_ni, IKE_NONCE_LEN};
	ike_pld_add(&m, true, IKE_PL_KE);
	m.im_ke_group = (uint16_t)sa->sa_prop.ip_dh;
	m.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	return ike_sa_request(sa, &m, IKE_REQ_REKEY_IKE);
}

/* The new SA's keys: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * with the old PRF (2.18), then the seven keys with the new SPIs. */
static int rekey_ike_keys(struct ike_sa *old, struct ike_sa *nsa, struct ike_dh *dh,
			  const struct ike_msg *m)
{
	uint8_t gir[IKE_DH_KE_MAX], seed[IKE_PRF_MAX_LEN];
	size_t gir_len;
	int rc = ike_dh_secret_derive(dh, m->im_ke_data.bl_data, m->im_ke_data.bl_len, gir,
				      sizeof(gir), &gir_len);

	if (rc == 0)
		rc = ike_kdf_rekey_skeyseed(&old->sa_keys, gir, gir_len, nsa->sa_ni, nsa->sa_ni_len,
					    nsa->sa_nr, nsa->sa_nr_len, seed);
	if (rc == 0)
		rc = ike_kdf_keys_derive(&nsa->sa_prop.ip_suite, seed, nsa->sa_ni, nsa->sa_ni_len,
					 nsa->sa_nr, nsa->sa_nr_len, nsa->sa_spi_i, nsa->sa_spi_r,
					 &nsa->sa_keys);
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

/* The children, identity, path and timers move to nsa, which is now the
 * established SA; old keeps nothing but what its Delete needs. */
static void rekey_ike_move(struct ike_sa *old, struct ike_sa *nsa)
{
	const struct ike_env *e = old->sa_env;

	nsa->sa_local = old->sa_local;
	nsa->sa_remote = old->sa_remote;
	nsa->sa_lport = old->sa_lport;
	nsa->sa_rport = old->sa_rport;
	nsa->sa_nat_local = old->sa_nat_local;
	nsa->sa_nat_remote = old->sa_nat_remote;
	nsa->sa_peer_id = old->sa_peer_id;
	nsa->sa_auth = old->sa_auth; /* who proved what carries over (2.18) */
	nsa->sa_frag = old->sa_frag;
	nsa->sa_peer_sig_hash = old->sa_peer_sig_hash;
	nsa->sa_n_child = old->sa_n_child;
	nsa->sa_active_out = old->sa_active_out;
	memcpy(nsa->sa_child, old->sa_child, sizeof(old->sa_child));
	OPENSSL_cleanse(old->sa_child, sizeof(old->sa_child));
	old->sa_n_child = 0;
	nsa->sa_rekeys = old->sa_rekeys + 1;
	nsa->sa_state = IKE_SA_ESTABLISHED;
	nsa->sa_established_ns = clock_now(e->ie_clock);
	nsa->sa_last_rx_ns = nsa->sa_established_ns;
	if (nsa->sa_conf->ic_ike_lifetime_s != 0)
		nsa->sa_rekey_ns =
			ike_lifetime_soft(nsa->sa_established_ns, nsa->sa_conf->ic_ike_lifetime_s);
	old->sa_successor = nsa;
	e->ie_sa_changed(e->ie_ctx, nsa);
	ike_sa_dpd_arm(nsa);
	ike_sa_lifetime_arm(nsa);
}

static void rekey_ike_done(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_ike_prop p;
	struct ike_sa *nsa;

	if (ike_msg_notify_find(m, IKE_N_NO_PROPOSAL_CHOSEN) != NULL ||
	    ike_msg_notify_find(m, IKE_N_TEMPORARY_FAILURE) != NULL || !peer_nonce_ok(m) ||
	    !ike_msg_has(m, IKE_PL_KE) || ike_prop_ike_check(sa->sa_conf, m, &p) != 0 ||
	    m->im_prop[0].pp_spi_len != IKE_SPI_LEN ||
	    m->im_ke_group != (uint16_t)sa->sa_prop.ip_dh) {
		/* keep the old SA; try again a random while later (2.25) */
		sa->sa_rekey_ns = ike_rekey_retry_at(clock_now(sa->sa_env->ie_clock));
		ike_sa_lifetime_arm(sa);
		return;
	}
	nsa = sa->sa_env->ie_sa_new(sa, true, sa->sa_rk_spi);
	if (nsa == NULL)
		return;
	memcpy(nsa->sa_spi_i, sa->sa_rk_spi, IKE_SPI_LEN);
	memcpy(nsa->sa_spi_r, m->im_prop[0].pp_spi, IKE_SPI_LEN);
	nsa->sa_prop = p;
	memcpy(nsa->sa_ni, sa->sa_rk_ni, IKE_NONCE_LEN);
	nsa->sa_ni_len = IKE_NONCE_LEN;
	memcpy(nsa->sa_nr, m->im_nonce.bl_data, m->im_nonce.bl_len);
	nsa->sa_nr_len = (uint8_t)m->im_nonce.bl_len;
	if (rekey_ike_keys(sa, nsa, sa->sa_rk_dh, m) != 0) {
		ike_sa_kill(nsa, IKE_ERR_BAD_DH);
		return;
	}
	ike_dh_destroy(sa->sa_rk_dh);
	sa->sa_rk_dh = NULL;
	rekey_ike_move(sa, nsa);
	ike_sa_delete(sa, IKE_ERR_LOCAL); /* the old SA, without children (1.3.2) */
}

static void rekey_ike_answer(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t ke[IKE_DH_KE_MAX], spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	struct ike_ike_prop p;
	struct ike_dh *dh = NULL;
	struct ike_sa *nsa;
	size_t ke_len;
	struct ike_msg r;
	uint8_t num;

	if (sa->sa_req_kind == IKE_REQ_REKEY_IKE) { /* ours is out: 2.25 */
		refuse(sa, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	if (ike_prop_ike_select_spi(sa->sa_conf, m, m->im_ke_group, &p, &num, spi_i) != 0) {
		refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (m->im_ke_group != (uint16_t)p.ip_dh || !ike_msg_has(m, IKE_PL_KE) ||
	    (dh = ike_dh_create(p.ip_dh)) == NULL || ike_rand_spi(spi_r) != 0 ||
	    ike_dh_ke_encode(dh, ke, sizeof(ke), &ke_len) != 0 ||
	    (nsa = sa->sa_env->ie_sa_new(sa, false, spi_r)) == NULL) {
		ike_dh_destroy(dh);
		refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	memcpy(nsa->sa_spi_i, spi_i, IKE_SPI_LEN);
	memcpy(nsa->sa_spi_r, spi_r, IKE_SPI_LEN);
	nsa->sa_prop = p;
	memcpy(nsa->sa_ni, m->im_nonce.bl_data, m->im_nonce.bl_len);
	nsa->sa_ni_len = (uint8_t)m->im_nonce.bl_len;
	nsa->sa_nr_len = IKE_NONCE_LEN;
	if (ike_rand_bytes(nsa->sa_nr, IKE_NONCE_LEN) != 0 || rekey_ike_keys(sa, nsa, dh, m) != 0) {
		ike_dh_destroy(dh);
		ike_sa_kill(nsa, IKE_ERR_BAD_DH);
		refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	ike_dh_destroy(dh);
	ike_msg_init(&r, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	ike_pld_add(&r, true, IKE_PL_SA);
	ike_prop_ike_answer(&p, num, &r);
	r.im_prop[0].pp_spi_len = IKE_SPI_LEN;
	memcpy(r.im_prop[0].pp_spi, spi_r, IKE_SPI_LEN);
	ike_pld_add(&r, true, IKE_PL_NONCE);
	r.im_nonce = (struct ike_blob){nsa->sa_nr, nsa->sa_nr_len};
	ike_pld_add(&r, true, IKE_PL_KE);
	r.im_ke_group = (uint16_t)p.ip_dh;
	r.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	ike_sa_respond(sa, &r);
	rekey_ike_move(sa, nsa); /* the peer deletes the old SA */
}

/* ---- dispatch ---- */

void ike_create_request(struct ike_sa *sa, struct ike_msg *m)
{
	const struct ike_notify *rk = ike_msg_notify_find(m, IKE_N_REKEY_SA);
	int old;

	if (!ike_msg_has(m, IKE_PL_SA) || !peer_nonce_ok(m) || m->im_n_prop == 0) {
		refuse(sa, IKE_N_INVALID_SYNTAX);
		return;
	}
	if (m->im_prop[0].pp_proto == IKE_PROTO_IKE) {
		rekey_ike_answer(sa, m);
		return;
	}
	if (rk == NULL) { /* a second CHILD_SA: one pair per peer is the design */
		refuse(sa, IKE_N_NO_ADDITIONAL_SAS);
		return;
	}
	old = rk->nt_spi_len == IKE_SPI_LEN_CHILD ? ike_child_by_out(sa, spi32(rk->nt_spi)) : -1;
	if (old < 0 || sa->sa_child[old].ch_rekeyed) {
		refuse(sa, IKE_N_CHILD_SA_NOT_FOUND);
		return;
	}
	rekey_child_answer(sa, m, (unsigned)old);
}

void ike_create_response(struct ike_sa *sa, struct ike_msg *m, enum ike_req_kind kind)
{
	if (kind == IKE_REQ_REKEY_CHILD)
		rekey_child_done(sa, m);
	else
		rekey_ike_done(sa, m);
}
