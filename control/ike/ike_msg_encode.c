/* IKEv2 encoder: struct ike_msg to RFC 7296 wire format, a whole message,
 * the plaintext chain that goes inside SK, or the frame around an SK body
 * a crypto layer fills in. Lengths are computed, never taken from *m. */
#include "ike_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "proto_ike.h"
#include "wtr.h"

struct enc {
	struct wtr w;
	const struct ike_msg *m;
	const size_t *sk_body_len; /* frame mode: the body is left zeroed */
	int err;                   /* -EINVAL or -EMSGSIZE, sticky */
};

static bool is_sk(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

static bool counts_ok(const struct ike_msg *m)
{
	if (m->im_n_order > IKE_MSG_MAX_PAYLOADS || m->im_n_inner > IKE_MSG_MAX_PAYLOADS ||
	    m->im_n_prop > IKE_MSG_MAX_PROPOSALS || m->im_n_cert > IKE_MSG_MAX_CERT ||
	    m->im_n_certreq > IKE_MSG_MAX_CERTREQ || m->im_n_notify > IKE_MSG_MAX_NOTIFY ||
	    m->im_n_delete > IKE_MSG_MAX_DELETE || m->im_n_vendor > IKE_MSG_MAX_VENDOR ||
	    m->im_tsi.tl_n > IKE_MSG_MAX_TS || m->im_tsr.tl_n > IKE_MSG_MAX_TS ||
	    m->im_n_cp_attr > IKE_MSG_MAX_CP_ATTR || m->im_n_unknown > IKE_MSG_MAX_UNKNOWN)
		return false;
	for (unsigned int i = 0; i < m->im_n_prop; i++)
		if (m->im_prop[i].pp_n_tf > IKE_MSG_MAX_TRANSFORMS ||
		    m->im_prop[i].pp_spi_len > IKE_MSG_MAX_SPI_LEN)
			return false;
	for (unsigned int i = 0; i < m->im_n_notify; i++)
		if (m->im_notify[i].nt_spi_len > IKE_MSG_MAX_SPI_LEN)
			return false;
	return true;
}

/* Each entry names an element that exists; unique types appear once over
 * both chains (the decoder refuses a second); SK only last and outside. */
static int chain_check(const struct ike_msg *m, const struct ike_pld_ref *ord, unsigned int n,
		       bool outer, uint64_t *seen)
{
	for (unsigned int i = 0; i < n; i++) {
		uint8_t t = ord[i].pr_type;

		if (t == IKE_PL_NONE || ord[i].pr_index >= ike_msg_count(m, t))
			return -EINVAL;
		if (is_sk(t) && (!outer || i + 1 != n))
			return -EINVAL;
		if (!ike_payload_is_unique(t))
			continue;
		if (*seen & (UINT64_C(1) << (t - 32)))
			return -EINVAL;
		*seen |= UINT64_C(1) << (t - 32);
	}
	return 0;
}

/* The header (and so the version) is checked only where it is written. */
static int msg_check(const struct ike_msg *m, bool header)
{
	uint64_t seen = 0;
	int rc;

	if ((header && IKE_VERSION_MAJOR(m->im_version) != IKE_MAJOR_VERSION) || !counts_ok(m))
		return -EINVAL;
	rc = chain_check(m, m->im_order, m->im_n_order, true, &seen);
	if (rc == 0)
		rc = chain_check(m, m->im_inner, m->im_n_inner, false, &seen);
	return rc;
}

/* ---- payload bodies ---- */

static void blob_put(struct enc *e, const struct ike_blob *b)
{
	if (b->bl_len != 0 && b->bl_data == NULL)
		e->err = -EINVAL;
	else
		wtr_bytes(&e->w, b->bl_data, b->bl_len);
}

/* Lengths are patched in once the part is written. */
static void len_patch(struct enc *e, size_t hdr)
{
	size_t len = wtr_len(&e->w) - hdr;

	if (wtr_error(&e->w) != 0)
		return;
	if (len > IKE_PAYLOAD_MAX)
		e->err = -EMSGSIZE;
	else
		wtr_put_u16be_at(&e->w, hdr + 2, (uint16_t)len);
}

/* 3.3.2 with the Key Length attribute in TV form (3.3.5). */
static void transform_encode(struct enc *e, const struct ike_transform *t, bool last)
{
	size_t hdr = wtr_len(&e->w);

	wtr_u8(&e->w, last ? IKE_LAST_NONE : IKE_MORE_TRANSFORMS);
	wtr_u8(&e->w, 0);
	wtr_u16be(&e->w, 0);
	wtr_u8(&e->w, t->tf_type);
	wtr_u8(&e->w, 0);
	wtr_u16be(&e->w, t->tf_id);
	if (t->tf_has_key_len) {
		wtr_u16be(&e->w, IKE_ATTR_AF | IKE_ATTR_KEY_LENGTH);
		wtr_u16be(&e->w, t->tf_key_len);
	}
	len_patch(e, hdr);
}

static void sa_encode(struct enc *e)
{
	const struct ike_msg *m = e->m;

	for (unsigned int i = 0; i < m->im_n_prop; i++) {
		const struct ike_proposal *p = &m->im_prop[i];
		size_t hdr = wtr_len(&e->w);

		wtr_u8(&e->w, i + 1 < m->im_n_prop ? IKE_MORE_PROPOSALS : IKE_LAST_NONE);
		wtr_u8(&e->w, 0);
		wtr_u16be(&e->w, 0);
		wtr_u8(&e->w, p->pp_num);
		wtr_u8(&e->w, p->pp_proto);
		wtr_u8(&e->w, p->pp_spi_len);
		wtr_u8(&e->w, p->pp_n_tf);
		wtr_bytes(&e->w, p->pp_spi, p->pp_spi_len);
		for (unsigned int j = 0; j < p->pp_n_tf; j++)
			transform_encode(e, &p->pp_tf[j], j + 1 == p->pp_n_tf);
		len_patch(e, hdr);
	}
}

/* Type or method octet, then three reserved (ID 3.5, AUTH 3.8, CP 3.15). */
static void octet_reserved3(struct enc *e, uint8_t v)
{
	wtr_u8(&e->w, v);
	wtr_zero(&e->w, 3);
}

static void notify_encode(struct enc *e, const struct ike_notify *n)
{
	wtr_u8(&e->w, n->nt_proto);
	wtr_u8(&e->w, n->nt_spi_len);
	wtr_u16be(&e->w, n->nt_type);
	wtr_bytes(&e->w, n->nt_spi, n->nt_spi_len);
	blob_put(e, &n->nt_data);
}

static void delete_encode(struct enc *e, const struct ike_delete *d)
{
	size_t n = (size_t)d->nd_n_spi * d->nd_spi_len;

	wtr_u8(&e->w, d->nd_proto);
	wtr_u8(&e->w, d->nd_spi_len);
	wtr_u16be(&e->w, d->nd_n_spi);
	if (n != 0 && d->nd_spis == NULL)
		e->err = -EINVAL;
	else
		wtr_bytes(&e->w, d->nd_spis, n);
}

/* 3.13.1: the length follows from the type; other types are not ours. */
static void ts_encode(struct enc *e, const struct ike_ts_list *l)
{
	octet_reserved3(e, l->tl_n);
	for (unsigned int i = 0; i < l->tl_n; i++) {
		const struct ike_ts *ts = &l->tl_ts[i];
		bool v4 = ts->ts_type == IKE_TS_IPV4_ADDR_RANGE;
		size_t alen = v4 ? 4 : 16;

		if (!v4 && ts->ts_type != IKE_TS_IPV6_ADDR_RANGE)
			e->err = -EINVAL;
		wtr_u8(&e->w, ts->ts_type);
		wtr_u8(&e->w, ts->ts_proto);
		wtr_u16be(&e->w, v4 ? IKE_TS4_LEN : IKE_TS6_LEN);
		wtr_u16be(&e->w, ts->ts_sport);
		wtr_u16be(&e->w, ts->ts_eport);
		wtr_bytes(&e->w, ts->ts_saddr, alen);
		wtr_bytes(&e->w, ts->ts_eaddr, alen);
	}
}

static void cp_encode(struct enc *e)
{
	const struct ike_msg *m = e->m;

	octet_reserved3(e, m->im_cp_type);
	for (unsigned int i = 0; i < m->im_n_cp_attr; i++) {
		const struct ike_cp_attr *a = &m->im_cp_attr[i];

		wtr_u16be(&e->w, a->ca_type & 0x7fffu);
		wtr_u16be(&e->w, a->ca_value.bl_len);
		blob_put(e, &a->ca_value);
	}
}

/* SKF carries its fragment numbers before the body (RFC 7383 2.5). In
 * frame mode the body is zeroed room for the crypto layer. */
static void sk_encode(struct enc *e, uint8_t type)
{
	const struct ike_msg *m = e->m;

	if (type == IKE_PL_SKF) {
		wtr_u16be(&e->w, m->im_skf_num);
		wtr_u16be(&e->w, m->im_skf_total);
	}
	if (e->sk_body_len != NULL)
		wtr_zero(&e->w, *e->sk_body_len);
	else
		blob_put(e, &m->im_sk_body);
}

static void multi_encode(struct enc *e, uint8_t type, unsigned int i)
{
	const struct ike_msg *m = e->m;

	switch (type) {
	case IKE_PL_CERT:
		wtr_u8(&e->w, m->im_cert[i].ct_encoding);
		blob_put(e, &m->im_cert[i].ct_data);
		break;
	case IKE_PL_CERTREQ:
		wtr_u8(&e->w, m->im_certreq[i].ct_encoding);
		blob_put(e, &m->im_certreq[i].ct_data);
		break;
	case IKE_PL_NOTIFY:
		notify_encode(e, &m->im_notify[i]);
		break;
	case IKE_PL_DELETE:
		delete_encode(e, &m->im_delete[i]);
		break;
	case IKE_PL_VENDOR:
		blob_put(e, &m->im_vendor[i]);
		break;
	default:
		blob_put(e, &m->im_unknown[i]);
		break;
	}
}

static void body_encode(struct enc *e, const struct ike_pld_ref *ref)
{
	const struct ike_msg *m = e->m;

	switch (ref->pr_type) {
	case IKE_PL_SA:
		sa_encode(e);
		break;
	case IKE_PL_KE:
		wtr_u16be(&e->w, m->im_ke_group);
		wtr_u16be(&e->w, 0);
		blob_put(e, &m->im_ke_data);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR: {
		const struct ike_id *id = ref->pr_type == IKE_PL_IDI ? &m->im_idi : &m->im_idr;

		octet_reserved3(e, id->id_type);
		blob_put(e, &id->id_data);
		break;
	}
	case IKE_PL_AUTH:
		octet_reserved3(e, m->im_auth_method);
		blob_put(e, &m->im_auth_data);
		break;
	case IKE_PL_NONCE:
		blob_put(e, &m->im_nonce);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		ts_encode(e, ref->pr_type == IKE_PL_TSI ? &m->im_tsi : &m->im_tsr);
		break;
	case IKE_PL_CP:
		cp_encode(e);
		break;
	case IKE_PL_EAP:
		blob_put(e, &m->im_eap);
		break;
	case IKE_PL_SK:
	case IKE_PL_SKF:
		sk_encode(e, ref->pr_type);
		break;
	default:
		multi_encode(e, ref->pr_type, ref->pr_index);
		break;
	}
}

/* 3.2: each next field names the following entry; SK's names the first
 * inner payload instead, since SK ends the outer chain (3.14). */
static void chain_encode(struct enc *e, const struct ike_pld_ref *ord, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		size_t hdr = wtr_len(&e->w);
		uint8_t next = i + 1 < n ? ord[i + 1].pr_type : IKE_PL_NONE;

		if (is_sk(ord[i].pr_type))
			next = e->m->im_sk_first;
		wtr_u8(&e->w, next);
		wtr_u8(&e->w, ord[i].pr_flags);
		wtr_u16be(&e->w, 0);
		body_encode(e, &ord[i]);
		len_patch(e, hdr);
	}
}

/* 3.1; the length is patched in by msg_finish(). */
static void hdr_encode(struct enc *e)
{
	const struct ike_msg *m = e->m;

	wtr_u32be(&e->w, (uint32_t)(m->im_spi_i >> 32));
	wtr_u32be(&e->w, (uint32_t)m->im_spi_i);
	wtr_u32be(&e->w, (uint32_t)(m->im_spi_r >> 32));
	wtr_u32be(&e->w, (uint32_t)m->im_spi_r);
	wtr_u8(&e->w, m->im_n_order != 0 ? m->im_order[0].pr_type : IKE_PL_NONE);
	wtr_u8(&e->w, m->im_version);
	wtr_u8(&e->w, m->im_exchange);
	wtr_u8(&e->w, m->im_flags);
	wtr_u32be(&e->w, m->im_msg_id);
	wtr_u32be(&e->w, 0);
}

static int enc_result(struct enc *e, size_t *out_len)
{
	if (wtr_error(&e->w) != 0)
		return wtr_error(&e->w);
	if (e->err != 0)
		return e->err;
	*out_len = wtr_len(&e->w);
	return 0;
}

/* Header + outer chain, with the header length set to what was written. */
static int msg_encode(struct enc *e, size_t *out_len)
{
	size_t len;
	int rc;

	hdr_encode(e);
	chain_encode(e, e->m->im_order, e->m->im_n_order);
	rc = enc_result(e, &len);
	if (rc != 0)
		return rc;
	if (len > UINT32_MAX)
		return -EMSGSIZE;
	wtr_put_u16be_at(&e->w, 24, (uint16_t)(len >> 16));
	wtr_put_u16be_at(&e->w, 26, (uint16_t)len);
	*out_len = len;
	return 0;
}

int ike_msg_encode(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
	struct enc e = {.m = m};
	int rc;

	rc = msg_check(m, true);
	if (rc != 0)
		return rc;
	wtr_init(&e.w, buf, cap);
	return msg_encode(&e, out_len);
}

int ike_msg_encode_payloads(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
	struct enc e = {.m = m};
	int rc;

	rc = msg_check(m, false);
	if (rc != 0)
		return rc;
	wtr_init(&e.w, buf, cap);
	chain_encode(&e, m->im_inner, m->im_n_inner);
	return enc_result(&e, out_len);
}

int ike_msg_encode_sk_frame(const struct ike_msg *m, size_t body_len, uint8_t *buf, size_t cap,
			    struct ike_sk_frame *out)
{
	struct enc e = {.m = m, .sk_body_len = &body_len};
	size_t len;
	int rc;

	rc = msg_check(m, true);
	if (rc != 0)
		return rc;
	if (m->im_n_order == 0 || !is_sk(m->im_order[m->im_n_order - 1].pr_type))
		return -EINVAL;
	if (body_len > IKE_PAYLOAD_MAX)
		return -EMSGSIZE;
	wtr_init(&e.w, buf, cap);
	rc = msg_encode(&e, &len);
	if (rc != 0)
		return rc;
	out->sf_total_len = len;
	out->sf_body_off = len - body_len;
	return 0;
}
