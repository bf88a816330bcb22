/* IKE-lite IKE_SA_INIT (RFC 7296 1.2): proposals, Diffie-Hellman, nonces,
 * NAT detection (2.23), the COOKIE (2.6) and INVALID_KE_PAYLOAD (1.2)
 * retries of the initiator, and the key schedule (2.14) on both sides. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

/* IPv4 address, host order, as 4 octets in network order. */
static void be32(uint32_t v, uint8_t out[4])
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static int natd_hash(const struct ike_sa *sa, uint32_t addr, uint16_t port,
		     uint8_t out[IKE_NATD_HASH_LEN])
{
	uint8_t a[4];

	be32(addr, a);
	return ike_natd_hash(sa->sa_spi_i, sa->sa_spi_r, a, sizeof(a), port, out);
}

/* Our two NAT_DETECTION notifies (2.23): where we send from, where to. */
static void natd_add(struct ike_sa *sa, struct ike_msg *m, uint8_t src[IKE_NATD_HASH_LEN],
		     uint8_t dst[IKE_NATD_HASH_LEN])
{
	struct ike_notify *n;

	natd_hash(sa, sa->sa_local, sa->sa_lport, src);
	natd_hash(sa, sa->sa_remote, sa->sa_rport, dst);
	n = ike_pld_add_notify(m, false, IKE_N_NAT_DETECTION_SOURCE_IP);
	if (n != NULL)
		n->nt_data = (struct ike_blob){.bl_data = src, .bl_len = IKE_NATD_HASH_LEN};
	n = ike_pld_add_notify(m, false, IKE_N_NAT_DETECTION_DESTINATION_IP);
	if (n != NULL)
		n->nt_data = (struct ike_blob){.bl_data = dst, .bl_len = IKE_NATD_HASH_LEN};
}

/* The peer's NAT_DETECTION notifies against the addresses this packet
 * really had: its SOURCE_IP hashes differ from the peer's address if a NAT
 * sits in front of the peer; its DESTINATION_IP from ours if one sits in
 * front of us. Without the notifies the peer does no NAT-T. */
static void natd_check(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t h[IKE_NATD_HASH_LEN];
	bool src_seen = false, src_ok = false, dst_seen = false, dst_ok = false;

	for (unsigned i = 0; i < m->im_n_notify; i++) {
		const struct ike_notify *n = &m->im_notify[i];

		if (n->nt_data.bl_len != IKE_NATD_HASH_LEN)
			continue;
		if (n->nt_type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			src_seen = true;
			src_ok |= natd_hash(sa, sa->sa_remote, sa->sa_rport, h) == 0 &&
				  CRYPTO_memcmp(h, n->nt_data.bl_data, sizeof(h)) == 0;
		} else if (n->nt_type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			dst_seen = true;
			dst_ok |= natd_hash(sa, sa->sa_local, sa->sa_lport, h) == 0 &&
				  CRYPTO_memcmp(h, n->nt_data.bl_data, sizeof(h)) == 0;
		}
	}
	sa->sa_nat_remote = src_seen && !src_ok;
	sa->sa_nat_local = dst_seen && !dst_ok;
}

/* RFC 7383 and RFC 7427 capabilities of ours, after the NAT notifies. */
static const uint8_t sig_hashes[] = {0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384,
				     0, IKE_HASH_SHA2_512};

static void caps_add(const struct ike_sa *sa, struct ike_msg *m)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;
	struct ike_notify *n;

	if (p == NULL)
		return;
	if (p->po_frag)
		ike_pld_add_notify(m, false, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED);
	if (p->po_has_creds) {
		n = ike_pld_add_notify(m, false, IKE_N_SIGNATURE_HASH_ALGORITHMS);
		if (n != NULL)
			n->nt_data = (struct ike_blob){sig_hashes, sizeof(sig_hashes)};
	}
}

static void caps_take(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;

	sa->sa_frag = p != NULL && p->po_frag &&
		      ike_msg_notify_find(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	sa->sa_peer_sig_hash = ike_msg_notify_find(m, IKE_N_SIGNATURE_HASH_ALGORITHMS) != NULL;
}

static int nonce_take(const struct ike_msg *m, uint8_t *out, uint8_t *len)
{
	if (!ike_msg_has(m, IKE_PL_NONCE) || m->im_nonce.bl_len < IKE_NONCE_MIN ||
	    m->im_nonce.bl_len > 255)
		return -EBADMSG;
	memcpy(out, m->im_nonce.bl_data, m->im_nonce.bl_len);
	*len = (uint8_t)m->im_nonce.bl_len;
	return 0;
}

/* g^ir, SKEYSEED, the seven keys (2.14); the private key goes. */
static int keys_make(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t gir[IKE_DH_KE_MAX], seed[IKE_PRF_MAX_LEN];
	size_t gir_len;
	int rc;

	rc = ike_dh_secret_derive(sa->sa_dh, m->im_ke_data.bl_data, m->im_ke_data.bl_len, gir,
				  sizeof(gir), &gir_len);
	if (rc == 0)
		rc = ike_kdf_skeyseed(sa->sa_prop.ip_suite.cs_prf, sa->sa_ni, sa->sa_ni_len,
				      sa->sa_nr, sa->sa_nr_len, gir, gir_len, seed);
	if (rc == 0)
		rc = ike_kdf_keys_derive(&sa->sa_prop.ip_suite, seed, sa->sa_ni, sa->sa_ni_len,
					 sa->sa_nr, sa->sa_nr_len, sa->sa_spi_i, sa->sa_spi_r,
					 &sa->sa_keys);
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(seed, sizeof(seed));
	ike_dh_destroy(sa->sa_dh);
	sa->sa_dh = NULL;
	return rc;
}

static uint8_t *keep(const uint8_t *p, size_t n, uint16_t *len)
{
	uint8_t *c = malloc(n);

	if (c != NULL)
		memcpy(c, p, n);
	*len = c != NULL ? (uint16_t)n : 0;
	return c;
}

/* ---- initiator ---- */

static int init_send(struct ike_sa *sa)
{
	uint8_t ke[IKE_DH_KE_MAX], src[IKE_NATD_HASH_LEN], dst[IKE_NATD_HASH_LEN];
	struct ike_msg m;
	struct ike_notify *n;
	size_t ke_len;
	int rc;

	rc = ike_dh_ke_encode(sa->sa_dh, ke, sizeof(ke), &ke_len);
	if (rc != 0)
		return rc;
	ike_msg_init(&m, IKE_EXCH_IKE_SA_INIT, 0, 0);
	if (sa->sa_cookie != NULL) { /* 2.6: first, as it came */
		n = ike_pld_add_notify(&m, false, IKE_N_COOKIE);
		if (n != NULL)
			n->nt_data = (struct ike_blob){sa->sa_cookie, sa->sa_cookie_len};
	}
	ike_pld_add(&m, false, IKE_PL_SA);
	ike_prop_ike_offer(sa->sa_conf, &m);
	ike_pld_add(&m, false, IKE_PL_KE);
	m.im_ke_group = (uint16_t)ike_dh_group(sa->sa_dh);
	m.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	ike_pld_add(&m, false, IKE_PL_NONCE);
	m.im_nonce = (struct ike_blob){sa->sa_ni, sa->sa_ni_len};
	natd_add(sa, &m, src, dst);
	caps_add(sa, &m);
	sa->sa_req_next = 0;
	rc = ike_sa_request(sa, &m, IKE_REQ_INIT);
	if (rc == 0) {
		free(sa->sa_init_req);
		sa->sa_init_req = keep(sa->sa_req, sa->sa_req_len, &sa->sa_init_req_len);
		rc = sa->sa_init_req != NULL ? 0 : -ENOMEM;
	}
	return rc;
}

/* The first proposal's group, or `group` after INVALID_KE_PAYLOAD. */
static int init_begin(struct ike_sa *sa, enum ike_crypto_dh group)
{
	ike_dh_destroy(sa->sa_dh);
	sa->sa_dh = ike_dh_create(group);
	if (sa->sa_dh == NULL)
		return -EIO;
	return init_send(sa);
}

int ike_init_start(struct ike_sa *sa)
{
	int rc;

	if (sa->sa_conf->ic_n_ike == 0)
		return -EINVAL;
	rc = ike_rand_spi(sa->sa_spi_i);
	if (rc == 0)
		rc = ike_rand_bytes(sa->sa_ni, IKE_NONCE_LEN);
	if (rc != 0)
		return rc;
	memset(sa->sa_spi_r, 0, IKE_SPI_LEN);
	sa->sa_ni_len = IKE_NONCE_LEN;
	sa->sa_state = IKE_SA_INIT_SENT;
	return init_begin(sa, sa->sa_conf->ic_ike[0].ip_dh);
}

/* A group we propose, other than the one just refused; 0 if none. */
static enum ike_crypto_dh ke_retry_group(const struct ike_sa *sa, const struct ike_notify *n)
{
	uint16_t g;

	if (n->nt_data.bl_len != 2)
		return 0;
	g = (uint16_t)(n->nt_data.bl_data[0] << 8 | n->nt_data.bl_data[1]);
	if (g == (uint16_t)ike_dh_group(sa->sa_dh))
		return 0;
	for (unsigned i = 0; i < sa->sa_conf->ic_n_ike; i++)
		if ((uint16_t)sa->sa_conf->ic_ike[i].ip_dh == g)
			return (enum ike_crypto_dh)g;
	return 0;
}

/* COOKIE or INVALID_KE_PAYLOAD: the request again, changed (1.2, 2.6).
 * Returns true when the response was one of those. */
static bool init_retry(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify *n = ike_msg_notify_find(m, IKE_N_COOKIE);
	enum ike_crypto_dh g;

	if (n != NULL && n->nt_data.bl_len >= 1 && n->nt_data.bl_len <= 64 &&
	    sa->sa_req_tries < 8) {
		free(sa->sa_cookie);
		sa->sa_cookie = keep(n->nt_data.bl_data, n->nt_data.bl_len, &sa->sa_cookie_len);
		ike_sa_request_done(sa);
		if (sa->sa_cookie == NULL || init_send(sa) != 0)
			ike_sa_kill(sa, IKE_ERR_CRYPTO);
		return true;
	}
	n = ike_msg_notify_find(m, IKE_N_INVALID_KE_PAYLOAD);
	if (n == NULL)
		return false;
	g = ke_retry_group(sa, n);
	ike_sa_request_done(sa);
	if (g == 0)
		ike_sa_kill(sa, IKE_ERR_INVALID_KE);
	else if (init_begin(sa, g) != 0)
		ike_sa_kill(sa, IKE_ERR_CRYPTO);
	return true;
}

static enum ike_sa_error init_error_of(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->im_n_notify; i++)
		if (m->im_notify[i].nt_type <= IKE_N_ERROR_MAX)
			return m->im_notify[i].nt_type == IKE_N_NO_PROPOSAL_CHOSEN
				       ? IKE_ERR_NO_PROPOSAL
				       : IKE_ERR_BAD_MESSAGE;
	return IKE_ERR_NONE;
}

void ike_init_response(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len)
{
	enum ike_sa_error err;

	if (init_retry(sa, m))
		return;
	err = init_error_of(m);
	if (err != IKE_ERR_NONE) {
		ike_sa_kill(sa, err);
		return;
	}
	if (m->im_spi_r == 0 || !ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_KE) ||
	    ike_prop_ike_check(sa->sa_conf, m, &sa->sa_prop) != 0 ||
	    m->im_prop[0].pp_spi_len != 0 || m->im_ke_group != (uint16_t)sa->sa_prop.ip_dh ||
	    sa->sa_prop.ip_dh != ike_dh_group(sa->sa_dh) ||
	    nonce_take(m, sa->sa_nr, &sa->sa_nr_len) != 0)
		return; /* not a good answer: the retransmissions go on */
	for (unsigned i = 0; i < IKE_SPI_LEN; i++)
		sa->sa_spi_r[i] = (uint8_t)(m->im_spi_r >> (8 * (IKE_SPI_LEN - 1 - i)));
	ike_sa_request_done(sa);
	if (keys_make(sa, m) != 0) {
		ike_sa_kill(sa, IKE_ERR_BAD_DH);
		return;
	}
	sa->sa_init_resp = keep(msg, len, &sa->sa_init_resp_len);
	natd_check(sa, m);
	caps_take(sa, m);
	/* 2.23: with a NAT on the path, everything from IKE_AUTH on goes
	 * between ports 4500. */
	if (sa->sa_nat_local || sa->sa_nat_remote) {
		sa->sa_lport = IKE_NATT_UDP_PORT;
		sa->sa_rport = IKE_NATT_UDP_PORT;
	}
	if (sa->sa_init_resp == NULL || ike_auth_start(sa) != 0)
		ike_sa_kill(sa, IKE_ERR_CRYPTO);
}

/* ---- responder ---- */

/* An IKE_SA_INIT answer that only carries a notify: the SA goes. */
static void init_refuse(struct ike_sa *sa, uint16_t type, const uint8_t *data, uint16_t len,
			enum ike_sa_error why)
{
	struct ike_msg r;
	struct ike_notify *n;

	ike_msg_init(&r, IKE_EXCH_IKE_SA_INIT, 0, 0);
	n = ike_pld_add_notify(&r, false, type);
	if (n != NULL)
		n->nt_data = (struct ike_blob){data, len};
	memset(sa->sa_spi_r, 0, IKE_SPI_LEN);
	ike_sa_respond(sa, &r);
	ike_sa_kill(sa, why);
}

static int init_answer(struct ike_sa *sa, uint8_t num)
{
	uint8_t ke[IKE_DH_KE_MAX], src[IKE_NATD_HASH_LEN], dst[IKE_NATD_HASH_LEN];
	uint8_t hashes[IKE_CERT_MAX_CA * IKE_CERT_HASH_LEN];
	struct ike_msg r;
	size_t ke_len;
	int rc = ike_dh_ke_encode(sa->sa_dh, ke, sizeof(ke), &ke_len);

	if (rc != 0)
		return rc;
	ike_msg_init(&r, IKE_EXCH_IKE_SA_INIT, 0, 0);
	ike_pld_add(&r, false, IKE_PL_SA);
	ike_prop_ike_answer(&sa->sa_prop, num, &r);
	ike_pld_add(&r, false, IKE_PL_KE);
	r.im_ke_group = (uint16_t)sa->sa_prop.ip_dh;
	r.im_ke_data = (struct ike_blob){ke, (uint16_t)ke_len};
	ike_pld_add(&r, false, IKE_PL_NONCE);
	r.im_nonce = (struct ike_blob){sa->sa_nr, sa->sa_nr_len};
	natd_add(sa, &r, src, dst);
	caps_add(sa, &r);
	ike_certreq_add(sa, &r, false, hashes);
	rc = ike_sa_respond(sa, &r);
	if (rc == 0 && sa->sa_resp != NULL)
		sa->sa_init_resp = keep(sa->sa_resp, sa->sa_resp_len, &sa->sa_init_resp_len);
	return rc == 0 && sa->sa_init_resp == NULL ? -ENOMEM : rc;
}

void ike_init_request(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len)
{
	uint8_t num, grp[2];

	for (unsigned i = 0; i < IKE_SPI_LEN; i++)
		sa->sa_spi_i[i] = (uint8_t)(m->im_spi_i >> (8 * (IKE_SPI_LEN - 1 - i)));
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_KE) ||
	    nonce_take(m, sa->sa_ni, &sa->sa_ni_len) != 0) {
		init_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0, IKE_ERR_BAD_MESSAGE);
		return;
	}
	if (ike_prop_ike_select(sa->sa_conf, m, m->im_ke_group, &sa->sa_prop, &num) != 0) {
		init_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0, IKE_ERR_NO_PROPOSAL);
		return;
	}
	if (m->im_ke_group != (uint16_t)sa->sa_prop.ip_dh) {
		grp[0] = (uint8_t)(sa->sa_prop.ip_dh >> 8);
		grp[1] = (uint8_t)sa->sa_prop.ip_dh;
		init_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, grp, 2, IKE_ERR_INVALID_KE);
		return;
	}
	/* The request's NAT_DETECTION hashes cover SPIr = 0, as it was sent. */
	memset(sa->sa_spi_r, 0, IKE_SPI_LEN);
	natd_check(sa, m);
	caps_take(sa, m);
	sa->sa_dh = ike_dh_create(sa->sa_prop.ip_dh);
	if (sa->sa_dh == NULL || ike_rand_spi(sa->sa_spi_r) != 0 ||
	    ike_rand_bytes(sa->sa_nr, IKE_NONCE_LEN) != 0) {
		ike_sa_kill(sa, IKE_ERR_CRYPTO);
		return;
	}
	sa->sa_nr_len = IKE_NONCE_LEN;
	sa->sa_init_req = keep(msg, len, &sa->sa_init_req_len);
	/* The KE first (2.14 needs our public value in the answer), then the
	 * keys, which consume the private key. */
	if (sa->sa_init_req == NULL || init_answer(sa, num) != 0) {
		ike_sa_kill(sa, IKE_ERR_CRYPTO);
		return;
	}
	if (keys_make(sa, m) != 0)
		ike_sa_kill(sa, IKE_ERR_BAD_DH);
}
