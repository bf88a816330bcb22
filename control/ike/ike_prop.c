/* IKE-lite proposals (RFC 7296 2.7, 3.3): ours as SA payload content, the
 * responder's choice among the peer's, the initiator's check of the answer,
 * and the strongSwan-style names operators write in the config. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike_sa.h"

/* ---- building ---- */

static void tf_add(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t bits)
{
	struct ike_transform *t = &p->pp_tf[p->pp_n_tf++];

	memset(t, 0, sizeof(*t));
	t->tf_type = type;
	t->tf_id = id;
	t->tf_has_key_len = bits != 0;
	t->tf_key_len = bits;
}

static void ike_prop_fill(const struct ike_ike_prop *ip, uint8_t num, struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->pp_num = num;
	p->pp_proto = IKE_PROTO_IKE;
	tf_add(p, IKE_TF_ENCR, (uint16_t)ip->ip_suite.cs_encr, ip->ip_suite.cs_encr_bits);
	tf_add(p, IKE_TF_PRF, (uint16_t)ip->ip_suite.cs_prf, 0);
	if (ip->ip_suite.cs_integ != IKE_CRYPTO_INTEG_NONE)
		tf_add(p, IKE_TF_INTEG, (uint16_t)ip->ip_suite.cs_integ, 0);
	tf_add(p, IKE_TF_DH, (uint16_t)ip->ip_dh, 0);
}

/* ESP: dataplane algorithm -> ENCR (+ key length), INTEG, ESN. */
static void esp_alg_transforms(enum cfg_esp_alg a, uint16_t *encr, uint16_t *bits, uint16_t *integ)
{
	*integ = 0;
	switch (a) {
	case CFG_ESP_AES_GCM_128:
	case CFG_ESP_AES_GCM_256:
		*encr = IKE_ENCR_AES_GCM_16;
		*bits = a == CFG_ESP_AES_GCM_128 ? 128 : 256;
		break;
	case CFG_ESP_AES_CBC_128_SHA256:
	case CFG_ESP_AES_CBC_256_SHA256:
	default:
		*encr = IKE_ENCR_AES_CBC;
		*bits = a == CFG_ESP_AES_CBC_128_SHA256 ? 128 : 256;
		*integ = IKE_AUTH_HMAC_SHA2_256_128;
		break;
	}
}

static void esp_prop_fill(const struct ike_esp_prop *ep, uint8_t num, uint32_t spi,
			  struct ike_proposal *p)
{
	uint16_t encr, bits, integ;

	memset(p, 0, sizeof(*p));
	p->pp_num = num;
	p->pp_proto = IKE_PROTO_ESP;
	p->pp_spi_len = IKE_SPI_LEN_CHILD;
	p->pp_spi[0] = (uint8_t)(spi >> 24);
	p->pp_spi[1] = (uint8_t)(spi >> 16);
	p->pp_spi[2] = (uint8_t)(spi >> 8);
	p->pp_spi[3] = (uint8_t)spi;
	esp_alg_transforms(ep->ep_alg, &encr, &bits, &integ);
	tf_add(p, IKE_TF_ENCR, encr, bits);
	if (integ != 0)
		tf_add(p, IKE_TF_INTEG, integ, 0);
	tf_add(p, IKE_TF_ESN, ep->ep_esn ? IKE_ESN_ON : IKE_ESN_NONE, 0);
	if (ep->ep_dh != 0)
		tf_add(p, IKE_TF_DH, ep->ep_dh, 0);
}

void ike_prop_ike_offer(const struct ike_conf *c, struct ike_msg *m)
{
	m->im_n_prop = 0;
	for (unsigned i = 0; i < c->ic_n_ike && i < IKE_MSG_MAX_PROPOSALS; i++)
		ike_prop_fill(&c->ic_ike[i], (uint8_t)(i + 1), &m->im_prop[m->im_n_prop++]);
}

void ike_prop_ike_answer(const struct ike_ike_prop *p, uint8_t num, struct ike_msg *m)
{
	ike_prop_fill(p, num, &m->im_prop[0]);
	m->im_n_prop = 1;
}

void ike_prop_esp_offer(const struct ike_conf *c, uint32_t spi, uint16_t dh, struct ike_msg *m)
{
	m->im_n_prop = 0;
	for (unsigned i = 0; i < c->ic_n_esp && i < IKE_MSG_MAX_PROPOSALS; i++) {
		struct ike_esp_prop ep = c->ic_esp[i];

		ep.ep_dh = dh;
		esp_prop_fill(&ep, (uint8_t)(i + 1), spi, &m->im_prop[m->im_n_prop++]);
	}
}

void ike_prop_esp_answer(const struct ike_esp_prop *p, uint8_t num, uint32_t spi, struct ike_msg *m)
{
	esp_prop_fill(p, num, spi, &m->im_prop[0]);
	m->im_n_prop = 1;
}

/* ---- matching ---- */

/* Whether the peer's proposal lists this transform (with this key length,
 * and no attribute we do not know: 3.3.6 says such a transform is not
 * acceptable). */
static bool offers(const struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t bits)
{
	for (unsigned i = 0; i < p->pp_n_tf; i++) {
		const struct ike_transform *t = &p->pp_tf[i];

		if (t->tf_type == type && t->tf_id == id && t->tf_unknown_attrs == 0 &&
		    (bits == 0 ? !t->tf_has_key_len : t->tf_has_key_len && t->tf_key_len == bits))
			return true;
	}
	return false;
}

static bool lists_type(const struct ike_proposal *p, uint8_t type)
{
	for (unsigned i = 0; i < p->pp_n_tf; i++)
		if (p->pp_tf[i].tf_type == type)
			return true;
	return false;
}

static bool ike_prop_matches(const struct ike_proposal *p, const struct ike_ike_prop *ip)
{
	const struct ike_crypto_suite *s = &ip->ip_suite;

	if (p->pp_proto != IKE_PROTO_IKE ||
	    !offers(p, IKE_TF_ENCR, (uint16_t)s->cs_encr, s->cs_encr_bits) ||
	    !offers(p, IKE_TF_PRF, (uint16_t)s->cs_prf, 0) ||
	    !offers(p, IKE_TF_DH, (uint16_t)ip->ip_dh, 0))
		return false;
	/* AEAD: no integrity transform, or only NONE (3.3.3). */
	if (s->cs_integ == IKE_CRYPTO_INTEG_NONE)
		return !lists_type(p, IKE_TF_INTEG) || offers(p, IKE_TF_INTEG, 0, 0);
	return offers(p, IKE_TF_INTEG, (uint16_t)s->cs_integ, 0);
}

/* spi_len 0 in IKE_SA_INIT, 8 (the new SA's SPI) when rekeying (1.3.2). */
static int ike_select(const struct ike_conf *c, const struct ike_msg *m, uint16_t ke_group,
		      uint8_t spi_len, struct ike_ike_prop *out, uint8_t *num, uint8_t *spi)
{
	/* Pass 0 wants the group the peer's KE payload is for: choosing
	 * another costs a round trip (INVALID_KE_PAYLOAD, 1.2). */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < m->im_n_prop; i++)
			for (unsigned j = 0; j < c->ic_n_ike; j++) {
				if ((pass == 0 && (uint16_t)c->ic_ike[j].ip_dh != ke_group) ||
				    !ike_prop_matches(&m->im_prop[i], &c->ic_ike[j]) ||
				    m->im_prop[i].pp_spi_len != spi_len)
					continue;
				*out = c->ic_ike[j];
				*num = m->im_prop[i].pp_num;
				if (spi != NULL)
					memcpy(spi, m->im_prop[i].pp_spi, spi_len);
				return 0;
			}
	return -ENOENT;
}

int ike_prop_ike_select(const struct ike_conf *c, const struct ike_msg *m, uint16_t ke_group,
			struct ike_ike_prop *out, uint8_t *num)
{
	return ike_select(c, m, ke_group, 0, out, num, NULL);
}

int ike_prop_ike_select_spi(const struct ike_conf *c, const struct ike_msg *m, uint16_t ke_group,
			    struct ike_ike_prop *out, uint8_t *num, uint8_t spi[IKE_SPI_LEN])
{
	return ike_select(c, m, ke_group, IKE_SPI_LEN, out, num, spi);
}

/* A response carries exactly one proposal with one transform per type. */
static bool single_choice(const struct ike_msg *m)
{
	const struct ike_proposal *p = &m->im_prop[0];

	if (m->im_n_prop != 1)
		return false;
	for (unsigned i = 0; i < p->pp_n_tf; i++)
		for (unsigned j = i + 1; j < p->pp_n_tf; j++)
			if (p->pp_tf[i].tf_type == p->pp_tf[j].tf_type)
				return false;
	return true;
}

int ike_prop_ike_check(const struct ike_conf *c, const struct ike_msg *m, struct ike_ike_prop *out)
{
	if (!single_choice(m))
		return -EBADMSG;
	for (unsigned j = 0; j < c->ic_n_ike; j++)
		if (ike_prop_matches(&m->im_prop[0], &c->ic_ike[j])) {
			*out = c->ic_ike[j];
			return 0;
		}
	return -ENOENT;
}

/* With dh 0 the proposal may list no group but NONE (IKE_AUTH never has
 * one, 1.2; a rekey without PFS); else it must offer dh. */
static bool esp_prop_matches(const struct ike_proposal *p, const struct ike_esp_prop *ep,
			     uint16_t dh)
{
	uint16_t encr, bits, integ;

	if (p->pp_proto != IKE_PROTO_ESP || p->pp_spi_len != IKE_SPI_LEN_CHILD)
		return false;
	esp_alg_transforms(ep->ep_alg, &encr, &bits, &integ);
	if (!offers(p, IKE_TF_ENCR, encr, bits) ||
	    !offers(p, IKE_TF_ESN, ep->ep_esn ? IKE_ESN_ON : IKE_ESN_NONE, 0))
		return false;
	if (dh != 0 ? !offers(p, IKE_TF_DH, dh, 0)
		    : lists_type(p, IKE_TF_DH) && !offers(p, IKE_TF_DH, 0, 0))
		return false;
	if (integ == 0)
		return !lists_type(p, IKE_TF_INTEG) || offers(p, IKE_TF_INTEG, 0, 0);
	return offers(p, IKE_TF_INTEG, integ, 0);
}

static uint32_t spi_of(const struct ike_proposal *p)
{
	return (uint32_t)p->pp_spi[0] << 24 | (uint32_t)p->pp_spi[1] << 16 |
	       (uint32_t)p->pp_spi[2] << 8 | p->pp_spi[3];
}

int ike_prop_esp_select(const struct ike_conf *c, const struct ike_msg *m, uint16_t dh,
			struct ike_esp_prop *out, uint8_t *num, uint32_t *peer_spi)
{
	for (unsigned i = 0; i < m->im_n_prop; i++)
		for (unsigned j = 0; j < c->ic_n_esp; j++)
			if (esp_prop_matches(&m->im_prop[i], &c->ic_esp[j], dh) &&
			    spi_of(&m->im_prop[i]) != 0) {
				*out = c->ic_esp[j];
				out->ep_dh = dh;
				*num = m->im_prop[i].pp_num;
				*peer_spi = spi_of(&m->im_prop[i]);
				return 0;
			}
	return -ENOENT;
}

int ike_prop_esp_check(const struct ike_conf *c, const struct ike_msg *m, uint16_t dh,
		       struct ike_esp_prop *out, uint32_t *peer_spi)
{
	if (!single_choice(m))
		return -EBADMSG;
	for (unsigned j = 0; j < c->ic_n_esp; j++)
		if (esp_prop_matches(&m->im_prop[0], &c->ic_esp[j], dh) &&
		    spi_of(&m->im_prop[0]) != 0) {
			*out = c->ic_esp[j];
			out->ep_dh = dh;
			*peer_spi = spi_of(&m->im_prop[0]);
			return 0;
		}
	return -ENOENT;
}

/* ---- names ---- */

static const struct {
	const char *nm;
	enum cfg_esp_alg alg;
} esp_names[] = {
	{"aes128gcm16", CFG_ESP_AES_GCM_128},
	{"aes256gcm16", CFG_ESP_AES_GCM_256},
	{"aes128-sha256", CFG_ESP_AES_CBC_128_SHA256},
	{"aes256-sha256", CFG_ESP_AES_CBC_256_SHA256},
};

int ike_prop_from_cfg(const struct cfg_ike_prop *c, struct ike_ike_prop *out)
{
	memset(out, 0, sizeof(*out));
	out->ip_suite.cs_encr = (enum ike_crypto_encr)c->ip_encr;
	out->ip_suite.cs_encr_bits = c->ip_bits;
	out->ip_suite.cs_integ = (enum ike_crypto_integ)c->ip_integ;
	out->ip_suite.cs_prf = (enum ike_crypto_prf)c->ip_prf;
	out->ip_dh = (enum ike_crypto_dh)c->ip_dh;
	if (ike_crypto_suite_validate(&out->ip_suite) != 0 || ike_dh_ke_len(out->ip_dh) == 0)
		return -EINVAL;
	return 0;
}

void ike_prop_ike_name(const struct ike_ike_prop *p, char *buf, size_t len)
{
	struct cfg_ike_prop c = {.ip_encr = (uint16_t)p->ip_suite.cs_encr,
				 .ip_bits = p->ip_suite.cs_encr_bits,
				 .ip_integ = (uint16_t)p->ip_suite.cs_integ,
				 .ip_prf = (uint16_t)p->ip_suite.cs_prf,
				 .ip_dh = (uint16_t)p->ip_dh};

	cfg_ike_prop_name(&c, buf, len);
}

void ike_prop_esp_name(const struct ike_esp_prop *p, char *buf, size_t len)
{
	const char *a = "?";

	for (unsigned i = 0; i < sizeof(esp_names) / sizeof(esp_names[0]); i++)
		if (esp_names[i].alg == p->ep_alg)
			a = esp_names[i].nm;
	snprintf(buf, len, "%s%s%s%s", a, p->ep_dh != 0 ? "-" : "",
		 p->ep_dh != 0 ? cfg_ike_dh_name(p->ep_dh) : "", p->ep_esn ? "-esn" : "");
}

int ike_prop_ike_parse(const char *s, struct ike_ike_prop *out)
{
	struct cfg_ike_prop c;

	return cfg_ike_prop_parse(s, &c) == 0 ? ike_prop_from_cfg(&c, out) : -EINVAL;
}

/* "aes256gcm16", "aes256gcm16-esn", "aes256-sha256[-esn]". */
int ike_prop_esp_parse(const char *s, struct ike_esp_prop *out)
{
	size_t n = strlen(s);

	memset(out, 0, sizeof(*out));
	if (n > 4 && strcmp(s + n - 4, "-esn") == 0) {
		out->ep_esn = true;
		n -= 4;
	}
	for (unsigned i = 0; i < sizeof(esp_names) / sizeof(esp_names[0]); i++)
		if (strlen(esp_names[i].nm) == n && strncmp(s, esp_names[i].nm, n) == 0) {
			out->ep_alg = esp_names[i].alg;
			return 0;
		}
	return -EINVAL;
}
