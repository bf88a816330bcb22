/* IKEv2 codec: RFC 7296 messages to struct ike_msg and back, SK payloads
 * kept sealed. Every length is checked against its part before use and
 * against the structure it announces; nothing is logged. */
#include "ike_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "proto_ike.h"
#include "rdr.h"
#include "wtr.h"

#define DERR(reason) (-IKE_DECODE_##reason)

/* Decode state shared by the payload decoders. */
struct dec {
	struct ike_msg *m;
	const uint8_t *msg; /* start of the message, for SK associated data */
	bool inner;         /* decoding the plaintext of SK */
	bool critical;      /* an unknown critical payload was kept */
};

/* clang-format off */
static const char *const decode_err_names[IKE_DECODE_COUNT] = {
	[IKE_DECODE_OK] = "ok",
#define IKE_DECODE_NAME(up, low) [IKE_DECODE_##up] = #low,
	IKE_DECODE_ERRORS(IKE_DECODE_NAME)
#undef IKE_DECODE_NAME
};
/* clang-format on */

const char *ike_decode_err_name(int rc)
{
	int v = rc < 0 ? -rc : rc;

	if (v >= IKE_DECODE_COUNT)
		return "unknown";
	return decode_err_names[v];
}

static const char *const payload_names[] = {
	[IKE_PL_SA] = "SA",     [IKE_PL_KE] = "KE",       [IKE_PL_IDI] = "IDi",
	[IKE_PL_IDR] = "IDr",   [IKE_PL_CERT] = "CERT",   [IKE_PL_CERTREQ] = "CERTREQ",
	[IKE_PL_AUTH] = "AUTH", [IKE_PL_NONCE] = "Nonce", [IKE_PL_NOTIFY] = "N",
	[IKE_PL_DELETE] = "D",  [IKE_PL_VENDOR] = "V",    [IKE_PL_TSI] = "TSi",
	[IKE_PL_TSR] = "TSr",   [IKE_PL_SK] = "SK",       [IKE_PL_CP] = "CP",
	[IKE_PL_EAP] = "EAP",   [IKE_PL_SKF] = "SKF",
};

const char *ike_payload_name(uint8_t type)
{
	if (type >= sizeof(payload_names) / sizeof(payload_names[0]) || payload_names[type] == NULL)
		return "unknown";
	return payload_names[type];
}

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKE_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKE_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case IKE_EXCH_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case IKE_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "unknown";
	}
}

/* clang-format off */
#define NOTIFY_NAMES(X)                                                        \
	X(UNSUPPORTED_CRITICAL_PAYLOAD) X(INVALID_IKE_SPI)                     \
	X(INVALID_MAJOR_VERSION) X(INVALID_SYNTAX) X(INVALID_MESSAGE_ID)       \
	X(INVALID_SPI) X(NO_PROPOSAL_CHOSEN) X(INVALID_KE_PAYLOAD)             \
	X(AUTHENTICATION_FAILED) X(SINGLE_PAIR_REQUIRED) X(NO_ADDITIONAL_SAS)  \
	X(INTERNAL_ADDRESS_FAILURE) X(FAILED_CP_REQUIRED) X(TS_UNACCEPTABLE)   \
	X(INVALID_SELECTORS) X(TEMPORARY_FAILURE) X(CHILD_SA_NOT_FOUND)        \
	X(INITIAL_CONTACT) X(SET_WINDOW_SIZE) X(ADDITIONAL_TS_POSSIBLE)        \
	X(IPCOMP_SUPPORTED) X(NAT_DETECTION_SOURCE_IP)                         \
	X(NAT_DETECTION_DESTINATION_IP) X(COOKIE) X(USE_TRANSPORT_MODE)        \
	X(HTTP_CERT_LOOKUP_SUPPORTED) X(REKEY_SA)                              \
	X(ESP_TFC_PADDING_NOT_SUPPORTED) X(NON_FIRST_FRAGMENTS_ALSO)           \
	X(MOBIKE_SUPPORTED) X(MULTIPLE_AUTH_SUPPORTED) X(REDIRECT_SUPPORTED)   \
	X(IKEV2_FRAGMENTATION_SUPPORTED) X(SIGNATURE_HASH_ALGORITHMS)
/* clang-format on */

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
#define NOTIFY_CASE(n)  \
	case IKE_N_##n: \
		return #n;
		NOTIFY_NAMES(NOTIFY_CASE)
#undef NOTIFY_CASE
	default:
		return "unknown";
	}
}

/* Anything else is kept verbatim (or refused when critical, 2.5). */
bool ike_payload_is_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

/* The exchanges of RFC 7296 1.2-1.5 carry each of these at most once:
 * two would leave the negotiation ambiguous. CP and EAP have one slot. */
bool ike_payload_is_unique(uint8_t type)
{
	switch (type) {
	case IKE_PL_SA:
	case IKE_PL_KE:
	case IKE_PL_IDI:
	case IKE_PL_IDR:
	case IKE_PL_AUTH:
	case IKE_PL_NONCE:
	case IKE_PL_TSI:
	case IKE_PL_TSR:
	case IKE_PL_SK:
	case IKE_PL_CP:
	case IKE_PL_EAP:
	case IKE_PL_SKF:
		return true;
	default:
		return false;
	}
}

static uint64_t type_bit(uint8_t type)
{
	return UINT64_C(1) << (type - 32);
}

static bool is_sk(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

void ike_msg_init(struct ike_msg *m, uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	memset(m, 0, sizeof(*m));
	m->im_version = IKE_VERSION;
	m->im_exchange = exchange;
	m->im_flags = flags;
	m->im_msg_id = msg_id;
}

bool ike_msg_has(const struct ike_msg *m, uint8_t type)
{
	return ike_payload_is_known(type) && (m->im_present & type_bit(type)) != 0;
}

const struct ike_notify *ike_msg_notify_find(const struct ike_msg *m, uint16_t type)
{
	for (unsigned int i = 0; i < m->im_n_notify; i++)
		if (m->im_notify[i].nt_type == type)
			return &m->im_notify[i];
	return NULL;
}

/* ---- decode ---- */

/* Reserved fields are sent as zero and ignored on receipt (2.5); a set
 * one is counted because it will not be re-encoded. */
static void note_reserved(struct ike_msg *m, uint32_t v)
{
	if (v != 0 && m->im_lossy != UINT16_MAX)
		m->im_lossy++;
}

static void blob_rest(struct rdr *r, struct ike_blob *b)
{
	b->bl_data = r->pos;
	b->bl_len = (uint16_t)rdr_left(r);
	r->pos = r->end;
}

/* RFC 7296 3.3.5: only Key Length is defined, and only in TV form. Other
 * attributes are skipped and counted: 3.3.6 has the responder reject the
 * transform, which is the negotiation's call, not the codec's. */
static int attrs_decode(struct ike_msg *m, struct rdr *a, struct ike_transform *t)
{
	uint16_t at, v;

	while (rdr_left(a) != 0) {
		if (rdr_u16be(a, &at) || rdr_u16be(a, &v))
			return DERR(BAD_ATTRIBUTE);
		if ((at & IKE_ATTR_TYPE_MASK) == IKE_ATTR_KEY_LENGTH) {
			if (!(at & IKE_ATTR_AF) || t->tf_has_key_len)
				return DERR(BAD_ATTRIBUTE);
			t->tf_has_key_len = true;
			t->tf_key_len = v;
			continue;
		}
		if (!(at & IKE_ATTR_AF) && rdr_skip(a, v))
			return DERR(BAD_ATTRIBUTE);
		if (t->tf_unknown_attrs != UINT8_MAX)
			t->tf_unknown_attrs++;
		note_reserved(m, 1);
	}
	return 0;
}

/* 3.3.2. Type and ID are kept as sent: an unknown one makes the proposal
 * unacceptable (3.3.6), not the message malformed. */
static int transform_decode(struct ike_msg *m, struct rdr *pr, struct ike_transform *t,
			    uint8_t *last)
{
	uint8_t res, res2;
	uint16_t len;
	struct rdr tr;

	if (rdr_u8(pr, last) || rdr_u8(pr, &res) || rdr_u16be(pr, &len))
		return DERR(BAD_TRANSFORM);
	if (len < IKE_TRANSFORM_LEN || rdr_sub(pr, len - 4u, &tr))
		return DERR(BAD_TRANSFORM);
	if (rdr_u8(&tr, &t->tf_type) || rdr_u8(&tr, &res2) || rdr_u16be(&tr, &t->tf_id))
		return DERR(BAD_TRANSFORM);
	if (*last != IKE_LAST_NONE && *last != IKE_MORE_TRANSFORMS)
		return DERR(BAD_TRANSFORM);
	note_reserved(m, res);
	note_reserved(m, res2);
	return attrs_decode(m, &tr, t);
}

/* SPI sizes (3.3.1): IKE 0 in IKE_SA_INIT or 8 when rekeying the IKE SA,
 * AH and ESP 4. Other protocols are not IKEv2's. */
static bool spi_len_ok(uint8_t proto, uint8_t len)
{
	if (proto == IKE_PROTO_IKE)
		return len == 0 || len == IKE_SPI_LEN_IKE;
	if (proto == IKE_PROTO_AH || proto == IKE_PROTO_ESP)
		return len == IKE_SPI_LEN_CHILD;
	return false;
}

/* The transform count must match the Last Substructure chain exactly and
 * the transforms must fill the proposal (3.3.1). */
static int proposal_decode(struct ike_msg *m, struct rdr *body, struct ike_proposal *p,
			   uint8_t *last)
{
	uint8_t res, n_tf, tlast = IKE_MORE_TRANSFORMS;
	uint16_t len;
	struct rdr pr;
	int rc;

	if (rdr_u8(body, last) || rdr_u8(body, &res) || rdr_u16be(body, &len))
		return DERR(BAD_PROPOSAL);
	if (len < IKE_PROPOSAL_LEN || rdr_sub(body, len - 4u, &pr) || rdr_u8(&pr, &p->pp_num) ||
	    rdr_u8(&pr, &p->pp_proto) || rdr_u8(&pr, &p->pp_spi_len) || rdr_u8(&pr, &n_tf))
		return DERR(BAD_PROPOSAL);
	if ((*last != IKE_LAST_NONE && *last != IKE_MORE_PROPOSALS) ||
	    !spi_len_ok(p->pp_proto, p->pp_spi_len) || rdr_bytes(&pr, p->pp_spi, p->pp_spi_len) ||
	    n_tf == 0)
		return DERR(BAD_PROPOSAL);
	if (n_tf > IKE_MSG_MAX_TRANSFORMS)
		return DERR(TOO_MANY_TRANSFORMS);
	note_reserved(m, res);
	for (p->pp_n_tf = 0; p->pp_n_tf < n_tf; p->pp_n_tf++) {
		if (tlast != IKE_MORE_TRANSFORMS || rdr_left(&pr) == 0)
			return DERR(BAD_PROPOSAL);
		rc = transform_decode(m, &pr, &p->pp_tf[p->pp_n_tf], &tlast);
		if (rc != 0)
			return rc;
	}
	if (tlast != IKE_LAST_NONE || rdr_left(&pr) != 0)
		return DERR(BAD_PROPOSAL);
	return 0;
}

/* 3.3.1: proposals are numbered from the first one's number up by one.
 * An offer starts at 1; an answer echoes the one it chose, so only 0 is
 * refused as a first number. */
static int sa_decode(struct ike_msg *m, struct rdr *body)
{
	uint8_t last = IKE_MORE_PROPOSALS;
	struct ike_proposal *p;
	int rc;

	while (last == IKE_MORE_PROPOSALS) {
		if (rdr_left(body) == 0)
			return DERR(BAD_PROPOSAL);
		if (m->im_n_prop == IKE_MSG_MAX_PROPOSALS)
			return DERR(TOO_MANY_PROPOSALS);
		p = &m->im_prop[m->im_n_prop];
		rc = proposal_decode(m, body, p, &last);
		if (rc != 0)
			return rc;
		if (m->im_n_prop == 0 ? p->pp_num == 0 : p->pp_num != p[-1].pp_num + 1)
			return DERR(BAD_PROPOSAL);
		m->im_n_prop++;
	}
	return rdr_left(body) == 0 ? 0 : DERR(BAD_PROPOSAL);
}

static int ke_decode(struct ike_msg *m, struct rdr *body)
{
	uint16_t res;

	if (rdr_u16be(body, &m->im_ke_group) || rdr_u16be(body, &res) || rdr_left(body) == 0)
		return DERR(BAD_KE);
	note_reserved(m, res);
	blob_rest(body, &m->im_ke_data);
	return 0;
}

/* 3.5: addresses have their exact size; other identities are non-empty. */
static int id_decode(struct ike_msg *m, struct rdr *body, struct ike_id *id)
{
	uint8_t r1, r2, r3;
	size_t n;

	if (rdr_u8(body, &id->id_type) || rdr_u8(body, &r1) || rdr_u8(body, &r2) ||
	    rdr_u8(body, &r3))
		return DERR(BAD_ID);
	n = rdr_left(body);
	if (n == 0 || (id->id_type == IKE_ID_IPV4_ADDR && n != 4) ||
	    (id->id_type == IKE_ID_IPV6_ADDR && n != 16))
		return DERR(BAD_ID);
	note_reserved(m, (uint32_t)r1 | r2 | r3);
	blob_rest(body, &id->id_data);
	return 0;
}

/* CERT (3.6) and CERTREQ (3.7): an encoding octet and data, which a
 * CERTREQ may leave empty ("any CA"). */
static int cert_decode(struct rdr *body, struct ike_cert *list, uint8_t *n, uint8_t cap,
		       int too_many)
{
	if (*n == cap)
		return too_many;
	if (rdr_u8(body, &list[*n].ct_encoding))
		return DERR(BAD_PAYLOAD_LENGTH);
	blob_rest(body, &list[*n].ct_data);
	(*n)++;
	return 0;
}

static int auth_decode(struct ike_msg *m, struct rdr *body)
{
	uint8_t r1, r2, r3;

	if (rdr_u8(body, &m->im_auth_method) || rdr_u8(body, &r1) || rdr_u8(body, &r2) ||
	    rdr_u8(body, &r3) || rdr_left(body) == 0)
		return DERR(BAD_AUTH);
	note_reserved(m, (uint32_t)r1 | r2 | r3);
	blob_rest(body, &m->im_auth_data);
	return 0;
}

static int nonce_decode(struct ike_msg *m, struct rdr *body)
{
	if (rdr_left(body) < IKE_NONCE_MIN || rdr_left(body) > IKE_NONCE_MAX)
		return DERR(BAD_NONCE);
	blob_rest(body, &m->im_nonce);
	return 0;
}

/* 3.10: SPI size 0 for IKE SA notifies, 4 for a Child SA; 8 would be an
 * IKE SPI, accepted since 3.10 leaves it open; more does not exist. */
static int notify_decode(struct ike_msg *m, struct rdr *body)
{
	struct ike_notify *n;

	if (m->im_n_notify == IKE_MSG_MAX_NOTIFY)
		return DERR(TOO_MANY_NOTIFIES);
	n = &m->im_notify[m->im_n_notify];
	if (rdr_u8(body, &n->nt_proto) || rdr_u8(body, &n->nt_spi_len) ||
	    rdr_u16be(body, &n->nt_type) || n->nt_spi_len > IKE_MSG_MAX_SPI_LEN ||
	    rdr_bytes(body, n->nt_spi, n->nt_spi_len))
		return DERR(BAD_NOTIFY);
	blob_rest(body, &n->nt_data);
	m->im_n_notify++;
	return 0;
}

/* 3.11: an IKE SA is deleted with SPI size 0 and no SPIs; AH/ESP SAs by
 * their 4-octet inbound SPIs, which must fill the payload exactly. */
static int delete_decode(struct ike_msg *m, struct rdr *body)
{
	struct ike_delete *d;

	if (m->im_n_delete == IKE_MSG_MAX_DELETE)
		return DERR(TOO_MANY_DELETES);
	d = &m->im_delete[m->im_n_delete];
	if (rdr_u8(body, &d->nd_proto) || rdr_u8(body, &d->nd_spi_len) ||
	    rdr_u16be(body, &d->nd_n_spi))
		return DERR(BAD_DELETE);
	if (d->nd_proto == IKE_PROTO_IKE ? d->nd_spi_len != 0 || d->nd_n_spi != 0
					 : !spi_len_ok(d->nd_proto, d->nd_spi_len))
		return DERR(BAD_DELETE);
	if ((size_t)d->nd_n_spi * d->nd_spi_len != rdr_left(body))
		return DERR(BAD_DELETE);
	d->nd_spis = body->pos;
	body->pos = body->end;
	m->im_n_delete++;
	return 0;
}

static int vendor_decode(struct ike_msg *m, struct rdr *body)
{
	if (m->im_n_vendor == IKE_MSG_MAX_VENDOR)
		return DERR(TOO_MANY_VENDOR_IDS);
	blob_rest(body, &m->im_vendor[m->im_n_vendor++]);
	return 0;
}

/* 3.13.1: the selector length must be the one its type implies. */
static int ts_one_decode(struct rdr *body, struct ike_ts *ts)
{
	uint16_t len;
	size_t alen;
	struct rdr t;

	if (rdr_u8(body, &ts->ts_type) || rdr_u8(body, &ts->ts_proto) || rdr_u16be(body, &len))
		return DERR(BAD_TS);
	if (ts->ts_type == IKE_TS_IPV4_ADDR_RANGE && len == IKE_TS4_LEN)
		alen = 4;
	else if (ts->ts_type == IKE_TS_IPV6_ADDR_RANGE && len == IKE_TS6_LEN)
		alen = 16;
	else
		return DERR(BAD_TS);
	if (rdr_sub(body, len - 4u, &t) || rdr_u16be(&t, &ts->ts_sport) ||
	    rdr_u16be(&t, &ts->ts_eport) || rdr_bytes(&t, ts->ts_saddr, alen) ||
	    rdr_bytes(&t, ts->ts_eaddr, alen))
		return DERR(BAD_TS);
	return 0;
}

/* 3.13: the count is at least one and the selectors fill the payload. */
static int ts_decode(struct ike_msg *m, struct rdr *body, struct ike_ts_list *l)
{
	uint8_t n, r1, r2, r3;
	int rc;

	if (rdr_u8(body, &n) || rdr_u8(body, &r1) || rdr_u8(body, &r2) || rdr_u8(body, &r3) ||
	    n == 0)
		return DERR(BAD_TS);
	if (n > IKE_MSG_MAX_TS)
		return DERR(TOO_MANY_TS);
	note_reserved(m, (uint32_t)r1 | r2 | r3);
	for (l->tl_n = 0; l->tl_n < n; l->tl_n++) {
		rc = ts_one_decode(body, &l->tl_ts[l->tl_n]);
		if (rc != 0)
			return rc;
	}
	return rdr_left(body) == 0 ? 0 : DERR(BAD_TS);
}

/* 3.15.1: attributes are type (top bit reserved), length, value. */
static int cp_decode(struct ike_msg *m, struct rdr *body)
{
	uint8_t r1, r2, r3;
	uint16_t type, len;
	struct ike_cp_attr *a;
	struct rdr v;

	if (rdr_u8(body, &m->im_cp_type) || rdr_u8(body, &r1) || rdr_u8(body, &r2) ||
	    rdr_u8(body, &r3))
		return DERR(BAD_CP);
	note_reserved(m, (uint32_t)r1 | r2 | r3);
	while (rdr_left(body) != 0) {
		if (m->im_n_cp_attr == IKE_MSG_MAX_CP_ATTR)
			return DERR(TOO_MANY_CP_ATTRIBUTES);
		if (rdr_u16be(body, &type) || rdr_u16be(body, &len) || rdr_sub(body, len, &v))
			return DERR(BAD_CP);
		note_reserved(m, type & 0x8000u);
		a = &m->im_cp_attr[m->im_n_cp_attr++];
		a->ca_type = type & 0x7fffu;
		blob_rest(&v, &a->ca_value);
	}
	return 0;
}

/* 3.16: the payload holds one EAP message whose own length must agree. */
static int eap_decode(struct ike_msg *m, struct rdr *body)
{
	struct rdr peek = *body;
	uint16_t elen;

	if (rdr_skip(&peek, 2) || rdr_u16be(&peek, &elen) || elen != rdr_left(body))
		return DERR(BAD_EAP);
	blob_rest(body, &m->im_eap);
	return 0;
}

/* 3.14 and RFC 7383 2.5. The body stays sealed; the associated data runs
 * from the message start to here (after the SKF fragment numbers). */
static int sk_decode(struct dec *d, uint8_t type, uint8_t next, struct rdr *body)
{
	struct ike_msg *m = d->m;

	m->im_sk_first = next;
	if (type == IKE_PL_SKF &&
	    (rdr_u16be(body, &m->im_skf_num) || rdr_u16be(body, &m->im_skf_total) ||
	     m->im_skf_num == 0 || m->im_skf_num > m->im_skf_total))
		return DERR(BAD_SK);
	m->im_sk_aad_len = (uint32_t)(body->pos - d->msg);
	blob_rest(body, &m->im_sk_body);
	return 0;
}

/* Unknown types are kept verbatim so a re-encode reproduces them; a
 * critical one is remembered (first type) and reported at the end. */
static int unknown_decode(struct dec *d, struct ike_pld_ref *ref, struct rdr *body)
{
	struct ike_msg *m = d->m;

	if ((ref->pr_flags & IKE_PAYLOAD_CRITICAL) && !d->critical) {
		d->critical = true;
		m->im_unsupported_critical = ref->pr_type;
	}
	if (m->im_n_unknown == IKE_MSG_MAX_UNKNOWN)
		return DERR(TOO_MANY_UNKNOWN);
	ref->pr_index = m->im_n_unknown;
	blob_rest(body, &m->im_unknown[m->im_n_unknown++]);
	return 0;
}

/* Minimum body per known type (the fixed part of 3.3-3.16). */
static size_t body_min(uint8_t type)
{
	switch (type) {
	case IKE_PL_SA:
		return IKE_PROPOSAL_LEN;
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return 1;
	case IKE_PL_VENDOR:
	case IKE_PL_SK:
	case IKE_PL_NONCE: /* its own range check says more */
		return 0;
	default:
		return 4;
	}
}

unsigned int ike_msg_count(const struct ike_msg *m, uint8_t type)
{
	switch (type) {
	case IKE_PL_CERT:
		return m->im_n_cert;
	case IKE_PL_CERTREQ:
		return m->im_n_certreq;
	case IKE_PL_NOTIFY:
		return m->im_n_notify;
	case IKE_PL_DELETE:
		return m->im_n_delete;
	case IKE_PL_VENDOR:
		return m->im_n_vendor;
	default:
		return ike_payload_is_known(type) ? 1 : m->im_n_unknown;
	}
}

/* pr_index is the element about to be filled: the count before. */
static uint8_t next_index(const struct ike_msg *m, uint8_t type)
{
	return ike_payload_is_unique(type) ? 0 : (uint8_t)ike_msg_count(m, type);
}

static int known_decode(struct dec *d, uint8_t type, uint8_t next, struct rdr *body)
{
	struct ike_msg *m = d->m;

	switch (type) {
	case IKE_PL_SA:
		return sa_decode(m, body);
	case IKE_PL_KE:
		return ke_decode(m, body);
	case IKE_PL_IDI:
		return id_decode(m, body, &m->im_idi);
	case IKE_PL_IDR:
		return id_decode(m, body, &m->im_idr);
	case IKE_PL_CERT:
		return cert_decode(body, m->im_cert, &m->im_n_cert, IKE_MSG_MAX_CERT,
				   DERR(TOO_MANY_CERTS));
	case IKE_PL_CERTREQ:
		return cert_decode(body, m->im_certreq, &m->im_n_certreq, IKE_MSG_MAX_CERTREQ,
				   DERR(TOO_MANY_CERTREQS));
	case IKE_PL_AUTH:
		return auth_decode(m, body);
	case IKE_PL_NONCE:
		return nonce_decode(m, body);
	case IKE_PL_NOTIFY:
		return notify_decode(m, body);
	case IKE_PL_DELETE:
		return delete_decode(m, body);
	case IKE_PL_VENDOR:
		return vendor_decode(m, body);
	case IKE_PL_TSI:
		return ts_decode(m, body, &m->im_tsi);
	case IKE_PL_TSR:
		return ts_decode(m, body, &m->im_tsr);
	case IKE_PL_CP:
		return cp_decode(m, body);
	case IKE_PL_EAP:
		return eap_decode(m, body);
	default: /* SK, SKF */
		return sk_decode(d, type, next, body);
	}
}

static int payload_decode(struct dec *d, struct ike_pld_ref *ref, uint8_t next, struct rdr *body)
{
	struct ike_msg *m = d->m;
	uint8_t type = ref->pr_type;

	if (!ike_payload_is_known(type))
		return unknown_decode(d, ref, body);
	if (d->inner && is_sk(type))
		return DERR(NESTED_SK);
	if (ike_payload_is_unique(type) && (m->im_present & type_bit(type)))
		return DERR(DUPLICATE_PAYLOAD);
	if (rdr_left(body) < body_min(type))
		return DERR(BAD_PAYLOAD_LENGTH);
	m->im_present |= type_bit(type);
	ref->pr_index = next_index(m, type);
	return known_decode(d, type, next, body);
}

/* Walks a payload chain (3.2) that must fill r exactly. An SK or SKF
 * payload ends the walk, its next field naming the first inner payload,
 * and must end the bytes too (3.14). Each step consumes at least the
 * 4-byte generic header, so the walk terminates. */
static int chain_decode(struct dec *d, uint8_t type, struct rdr *r, struct ike_pld_ref *order,
			uint8_t *n)
{
	uint8_t next, flags;
	uint16_t plen;
	struct rdr body;
	int rc;

	while (type != IKE_PL_NONE) {
		if (*n == IKE_MSG_MAX_PAYLOADS)
			return DERR(TOO_MANY_PAYLOADS);
		if (rdr_u8(r, &next) || rdr_u8(r, &flags) || rdr_u16be(r, &plen) ||
		    plen < IKE_GEN_HDR_LEN || rdr_sub(r, plen - IKE_GEN_HDR_LEN, &body))
			return DERR(BAD_PAYLOAD_LENGTH);
		order[*n] = (struct ike_pld_ref){.pr_type = type, .pr_flags = flags};
		rc = payload_decode(d, &order[(*n)++], next, &body);
		if (rc != 0)
			return rc;
		if (is_sk(type))
			return rdr_left(r) == 0 ? 0 : DERR(SK_NOT_LAST);
		type = next;
	}
	return rdr_left(r) == 0 ? 0 : DERR(BAD_LENGTH);
}

static int hdr_decode(const uint8_t *buf, size_t len, struct ike_msg *m, uint8_t *first)
{
	uint32_t hi, lo, hi2, lo2;
	struct rdr r;

	if (len < IKE_HDR_LEN)
		return DERR(TRUNCATED);
	rdr_init(&r, buf, IKE_HDR_LEN);
	if (rdr_u32be(&r, &hi) || rdr_u32be(&r, &lo) || rdr_u32be(&r, &hi2) ||
	    rdr_u32be(&r, &lo2) || rdr_u8(&r, first) || rdr_u8(&r, &m->im_version) ||
	    rdr_u8(&r, &m->im_exchange) || rdr_u8(&r, &m->im_flags) ||
	    rdr_u32be(&r, &m->im_msg_id) || rdr_u32be(&r, &m->im_length))
		return DERR(TRUNCATED);
	m->im_spi_i = (uint64_t)hi << 32 | lo;
	m->im_spi_r = (uint64_t)hi2 << 32 | lo2;
	/* 2.5: a major version we do not speak is answered, not parsed. */
	if (IKE_VERSION_MAJOR(m->im_version) != IKE_MAJOR_VERSION)
		return DERR(BAD_VERSION);
	if (m->im_length < IKE_HDR_LEN)
		return DERR(BAD_LENGTH);
	if (m->im_length > len)
		return DERR(TRUNCATED);
	/* One UDP datagram is one message (2.1): no trailing bytes. */
	return m->im_length == len ? 0 : DERR(BAD_LENGTH);
}

int ike_msg_decode(const uint8_t *buf, size_t len, struct ike_msg *out)
{
	struct dec d = {.m = out, .msg = buf};
	uint8_t first = IKE_PL_NONE;
	struct rdr r;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = hdr_decode(buf, len, out, &first);
	if (rc != 0)
		return rc;
	rdr_init(&r, buf + IKE_HDR_LEN, len - IKE_HDR_LEN);
	rc = chain_decode(&d, first, &r, out->im_order, &out->im_n_order);
	if (rc == 0 && d.critical)
		rc = DERR(UNKNOWN_CRITICAL_PAYLOAD);
	return rc;
}

int ike_msg_decode_inner(uint8_t first_type, const uint8_t *plain, size_t len, struct ike_msg *out)
{
	struct dec d = {.m = out, .msg = plain, .inner = true};
	struct rdr r;
	int rc;

	/* An empty chain (an INFORMATIONAL liveness check, 1.4) may come
	 * as NULL, 0; NULL + 0 is still undefined in C. */
	rdr_init(&r, plain != NULL ? plain : (const uint8_t *)"", len);
	rc = chain_decode(&d, first_type, &r, out->im_inner, &out->im_n_inner);
	if (rc == 0 && d.critical)
		rc = DERR(UNKNOWN_CRITICAL_PAYLOAD);
	return rc;
}
