/* NHRP codec: RFC 2332 packets (plus Cisco's Traffic Indication, NAT
 * extension and cleartext authentication) to struct nhrp_msg and back.
 * Every length is checked against its part before use; nothing is logged. */
#include "nhrp_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "proto_nhrp.h"
#include "rdr.h"
#include "wtr.h"

#define DERR(reason) (-NHRP_DECODE_##reason)

#define OFF_PKTSZ offsetof(struct nhrp_fixed_hdr, nh_pktsz)
#define OFF_CHKSUM offsetof(struct nhrp_fixed_hdr, nh_chksum)
#define OFF_EXTOFF offsetof(struct nhrp_fixed_hdr, nh_extoff)

/* Decode state shared by the part decoders; offsets are from buf. */
struct dec {
	const uint8_t *buf;
	uint16_t pktsz;
	uint16_t extoff;
	uint8_t shtl;
	uint32_t seen;     /* bit per known extension type decoded */
	bool unrecognized; /* an unknown compulsory extension was kept */
	struct nhrp_msg *m;
};

/* clang-format off */
static const char *const decode_err_names[NHRP_DECODE_COUNT] = {
	[NHRP_DECODE_OK] = "ok",
#define NHRP_DECODE_NAME(up, low) [NHRP_DECODE_##up] = #low,
	NHRP_DECODE_ERRORS(NHRP_DECODE_NAME)
#undef NHRP_DECODE_NAME
};
/* clang-format on */

const char *nhrp_decode_err_name(int rc)
{
	int v = rc < 0 ? -rc : rc;

	if (v >= NHRP_DECODE_COUNT)
		return "unknown";
	return decode_err_names[v];
}

/* RFC 1071 sum folded to 16 bits; an odd last byte is the high half of a
 * zero-padded word (RFC 2332 5.1 ar$chksum). len <= 65535 keeps the
 * 32-bit accumulator from overflowing. */
static uint16_t csum_fold(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	uint16_t word;
	uint8_t last;
	struct rdr r;

	rdr_init(&r, p, len);
	while (rdr_u16be(&r, &word) == 0)
		sum += word;
	if (rdr_u8(&r, &last) == 0)
		sum += (uint32_t)last << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool is_indication(uint8_t type)
{
	return type == NHRP_TYPE_ERROR_INDICATION || type == NHRP_TYPE_TRAFFIC_INDICATION;
}

/* IPv4 only: an address or protocol length is 0 (absent) or 4, and a T/L
 * octet must have its type (E.164) and reserved bits clear. */
static bool addr_len_ok(uint8_t tl)
{
	return tl == 0 || tl == NHRP_ADDR_LEN_IPV4;
}

/* Extensions we decode into fields. An 8-byte type 9 is RFC 2735 Device
 * Capabilities, not Cisco's NAT extension (which holds CIEs), so it is
 * kept verbatim like any unknown type. */
static bool ext_is_known(uint16_t type, size_t len)
{
	switch (type) {
	case NHRP_EXT_RESPONDER_ADDRESS:
	case NHRP_EXT_FORWARD_TRANSIT:
	case NHRP_EXT_REVERSE_TRANSIT:
	case NHRP_EXT_AUTHENTICATION:
		return true;
	case NHRP_EXT_CISCO_NAT_ADDRESS:
		return len != NHRP_EXT_RFC2735_DEVCAP_LEN;
	default:
		return false;
	}
}

void nhrp_msg_init(struct nhrp_msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->nm_type = type;
	m->nm_version = NHRP_VERSION_RFC2332;
	m->nm_hop_count = NHRP_MSG_HOP_COUNT_DEFAULT;
}

/* A verbatim entry of a known type (the RFC 2735 8-byte type 9) is not
 * that extension: its fields were never filled. */
bool nhrp_msg_has_ext(const struct nhrp_msg *m, uint16_t type)
{
	for (unsigned int i = 0; i < m->nm_n_ext && i < NHRP_MSG_MAX_EXT; i++) {
		const struct nhrp_ext_ref *x = &m->nm_ext[i];

		if ((x->xr_type & NHRP_EXT_TYPE_MASK) == type &&
		    (x->xr_value == NULL || !ext_is_known(type, 0)))
			return true;
	}
	return false;
}

uint16_t nhrp_ext_wire_type(uint16_t type)
{
	switch (type & NHRP_EXT_TYPE_MASK) {
	case NHRP_EXT_RESPONDER_ADDRESS:
	case NHRP_EXT_FORWARD_TRANSIT:
	case NHRP_EXT_REVERSE_TRANSIT:
	case NHRP_EXT_AUTHENTICATION:
		return (uint16_t)(type | NHRP_EXT_COMPULSORY);
	default:
		return type;
	}
}

/* ---- decode ---- */

static int addr_decode(struct rdr *r, uint8_t len, struct nhrp_addr4 *a)
{
	a->na_present = len != 0;
	a->na_addr = 0;
	return len == 0 ? 0 : rdr_u32be(r, &a->na_addr);
}

static int cie_decode(struct rdr *r, struct nhrp_cie *c)
{
	uint8_t nbma_tl, saddr_tl, proto_len;

	if (rdr_u8(r, &c->ce_code) || rdr_u8(r, &c->ce_prefix_len) || rdr_skip(r, 2) ||
	    rdr_u16be(r, &c->ce_mtu) || rdr_u16be(r, &c->ce_holding_time) || rdr_u8(r, &nbma_tl) ||
	    rdr_u8(r, &saddr_tl) || rdr_u8(r, &proto_len) || rdr_u8(r, &c->ce_pref))
		return DERR(BAD_CIE);
	if (!addr_len_ok(nbma_tl) || saddr_tl != 0 || !addr_len_ok(proto_len))
		return DERR(BAD_ADDRESS_LENGTH);
	if (addr_decode(r, nbma_tl, &c->ce_nbma) || addr_decode(r, proto_len, &c->ce_proto))
		return DERR(BAD_CIE);
	return 0;
}

/* CIEs fill their part exactly: a partial CIE at the end is an error. */
static int cie_list_decode(struct rdr *r, struct nhrp_cie *cies, uint8_t cap, uint8_t *n)
{
	int rc;

	for (*n = 0; rdr_left(r) != 0; (*n)++) {
		if (*n == cap)
			return DERR(TOO_MANY_CIES);
		rc = cie_decode(r, &cies[*n]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Order of checks: lengths, then the checksum over what pktsz claims,
 * then the fields, so a corrupted packet reports bad_checksum rather than
 * whatever its flipped bit happens to break. */
static int fixed_decode(struct dec *d, size_t len)
{
	struct nhrp_msg *m = d->m;
	uint16_t afn, pro, chksum;
	uint8_t sstl;
	struct rdr r;

	if (len < NHRP_FIXED_LEN)
		return DERR(TRUNCATED);
	rdr_init(&r, d->buf, NHRP_FIXED_LEN);
	if (rdr_u16be(&r, &afn) || rdr_u16be(&r, &pro) || rdr_skip(&r, 5) ||
	    rdr_u8(&r, &m->nm_hop_count) || rdr_u16be(&r, &d->pktsz) || rdr_u16be(&r, &chksum) ||
	    rdr_u16be(&r, &d->extoff) || rdr_u8(&r, &m->nm_version) || rdr_u8(&r, &m->nm_type) ||
	    rdr_u8(&r, &d->shtl) || rdr_u8(&r, &sstl))
		return DERR(TRUNCATED);
	if (d->pktsz < NHRP_FIXED_LEN + NHRP_MAND_LEN)
		return DERR(BAD_LENGTH);
	if (d->pktsz > len)
		return DERR(TRUNCATED);
	if (csum_fold(d->buf, d->pktsz) != 0xffff)
		return DERR(BAD_CHECKSUM);
	if (m->nm_version != NHRP_VERSION_RFC2332)
		return DERR(BAD_VERSION);
	if (afn != NHRP_AFN_IPV4)
		return DERR(BAD_AFN);
	/* ar$pro.snap is ignored on receive when pro.type is not 0x0080. */
	if (pro != NHRP_PRO_TYPE_IPV4)
		return DERR(BAD_PROTOCOL);
	if (m->nm_type < NHRP_TYPE_RESOLUTION_REQUEST || m->nm_type > NHRP_TYPE_TRAFFIC_INDICATION)
		return DERR(UNSUPPORTED_TYPE);
	if (!addr_len_ok(d->shtl) || sstl != 0)
		return DERR(BAD_ADDRESS_LENGTH);
	if (d->extoff != 0 && (d->extoff < NHRP_FIXED_LEN + NHRP_MAND_LEN || d->extoff > d->pktsz))
		return DERR(BAD_EXTENSION_OFFSET);
	return 0;
}

/* Second word of the common header: request ID for types 1..6, code and
 * offset (5.2.7) or code and unused (draft-detienne-dmvpn-01) for 7, 8. */
static int mand_word_decode(struct rdr *r, struct nhrp_msg *m)
{
	uint16_t unused;

	switch (m->nm_type) {
	case NHRP_TYPE_ERROR_INDICATION:
		if (rdr_u16be(r, &m->nm_err_code))
			return -EBADMSG;
		return rdr_u16be(r, &m->nm_err_offset);
	case NHRP_TYPE_TRAFFIC_INDICATION:
		if (rdr_u16be(r, &m->nm_traffic_code))
			return -EBADMSG;
		return rdr_u16be(r, &unused);
	default:
		return rdr_u32be(r, &m->nm_request_id);
	}
}

/* The mandatory part runs to ar$extoff, or to ar$pktsz without
 * extensions. Indications quote a packet there instead of CIEs, and the
 * quote stops at ar$extoff (Wireshark lets it swallow the extensions). */
static int mand_decode(struct dec *d)
{
	struct nhrp_msg *m = d->m;
	uint16_t end = d->extoff != 0 ? d->extoff : d->pktsz;
	int short_part = d->extoff != 0 ? DERR(BAD_EXTENSION_OFFSET) : DERR(BAD_LENGTH);
	uint8_t spl, dpl;
	struct rdr r, quoted;

	rdr_init(&r, d->buf + NHRP_FIXED_LEN, end - NHRP_FIXED_LEN);
	if (rdr_u8(&r, &spl) || rdr_u8(&r, &dpl) || rdr_u16be(&r, &m->nm_flags) ||
	    mand_word_decode(&r, m))
		return short_part;
	if (!addr_len_ok(spl) || !addr_len_ok(dpl))
		return DERR(BAD_ADDRESS_LENGTH);
	if (addr_decode(&r, d->shtl, &m->nm_src_nbma) || addr_decode(&r, spl, &m->nm_src_proto) ||
	    addr_decode(&r, dpl, &m->nm_dst_proto))
		return short_part;
	if (!is_indication(m->nm_type))
		return cie_list_decode(&r, m->nm_cie, NHRP_MSG_MAX_CIE, &m->nm_n_cie);
	if (rdr_sub(&r, rdr_left(&r), &quoted))
		return short_part;
	m->nm_quoted = quoted.pos;
	m->nm_quoted_len = (uint16_t)rdr_left(&quoted);
	return 0;
}

/* Cisco layout: 32-bit type, then an unpadded password of up to 8. */
static int auth_decode(struct rdr *val, struct nhrp_msg *m)
{
	size_t plen;

	if (rdr_u32be(val, &m->nm_auth_type))
		return DERR(BAD_AUTHENTICATION);
	plen = rdr_left(val);
	if (plen > NHRP_AUTH_PASSWORD_MAX)
		return DERR(BAD_AUTHENTICATION);
	m->nm_auth_len = (uint8_t)plen;
	return rdr_bytes(val, m->nm_auth, plen) ? DERR(BAD_AUTHENTICATION) : 0;
}

static int ext_known_decode(struct nhrp_msg *m, uint16_t type, struct rdr *val)
{
	switch (type) {
	case NHRP_EXT_RESPONDER_ADDRESS:
		return cie_list_decode(val, &m->nm_responder, 1, &m->nm_n_responder);
	case NHRP_EXT_FORWARD_TRANSIT:
		return cie_list_decode(val, m->nm_fwd, NHRP_MSG_MAX_TRANSIT, &m->nm_n_fwd);
	case NHRP_EXT_REVERSE_TRANSIT:
		return cie_list_decode(val, m->nm_rev, NHRP_MSG_MAX_TRANSIT, &m->nm_n_rev);
	case NHRP_EXT_AUTHENTICATION:
		return auth_decode(val, m);
	default: /* NHRP_EXT_CISCO_NAT_ADDRESS */
		return cie_list_decode(val, m->nm_nat, NHRP_MSG_MAX_CIE, &m->nm_n_nat);
	}
}

/* One extension other than End. Unknown ones are kept verbatim; an
 * unknown compulsory one is remembered (first offset) and reported only
 * after the rest of the packet has proved well formed. */
static int ext_decode(struct dec *d, uint16_t raw, struct rdr *val, size_t off)
{
	struct nhrp_msg *m = d->m;
	uint16_t type = raw & NHRP_EXT_TYPE_MASK;
	struct nhrp_ext_ref *ref;

	if (m->nm_n_ext == NHRP_MSG_MAX_EXT)
		return DERR(TOO_MANY_EXTENSIONS);
	ref = &m->nm_ext[m->nm_n_ext++];
	ref->xr_type = raw;
	if (ext_is_known(type, rdr_left(val))) {
		if (d->seen & (UINT32_C(1) << type))
			return DERR(DUPLICATE_EXTENSION);
		d->seen |= UINT32_C(1) << type;
		return ext_known_decode(m, type, val);
	}
	ref->xr_len = (uint16_t)rdr_left(val);
	ref->xr_value = val->pos;
	m->nm_ext_unknown++;
	if ((raw & NHRP_EXT_COMPULSORY) && !d->unrecognized) {
		d->unrecognized = true;
		m->nm_unrecognized_off = (uint16_t)off;
	}
	return 0;
}

/* Extensions run from ar$extoff to ar$pktsz and must end with End, after
 * which nothing may follow (RFC 2332 5.3.0). Each step consumes at least
 * a 4-byte header, so the walk always terminates. */
static int ext_part_decode(struct dec *d)
{
	uint16_t raw, len;
	struct rdr r, val;
	size_t off;
	int rc;

	if (d->extoff == 0)
		return 0;
	rdr_init(&r, d->buf + d->extoff, d->pktsz - d->extoff);
	for (;;) {
		off = d->pktsz - rdr_left(&r);
		if (rdr_left(&r) == 0)
			return DERR(EXTENSION_MISSING_END);
		if (rdr_u16be(&r, &raw) || rdr_u16be(&r, &len) || rdr_sub(&r, len, &val))
			return DERR(BAD_EXTENSION);
		if ((raw & NHRP_EXT_TYPE_MASK) == NHRP_EXT_END)
			return len == 0 && rdr_left(&r) == 0 ? 0 : DERR(BAD_EXTENSION);
		rc = ext_decode(d, raw, &val, off);
		if (rc != 0)
			return rc;
	}
}

int nhrp_msg_decode(const uint8_t *buf, size_t len, struct nhrp_msg *out)
{
	struct dec d = {.buf = buf, .m = out};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = fixed_decode(&d, len);
	if (rc == 0)
		rc = mand_decode(&d);
	if (rc == 0)
		rc = ext_part_decode(&d);
	if (rc == 0 && d.unrecognized)
		rc = DERR(UNKNOWN_COMPULSORY_EXTENSION);
	return rc;
}

/* ---- encode ---- */

/* Hop count 0 would make the first NHS drop these (5.1); FRR once sent
 * Traffic Indications that way. */
static bool needs_hop_count(uint8_t type)
{
	return type == NHRP_TYPE_REGISTRATION_REQUEST || type == NHRP_TYPE_REGISTRATION_REPLY ||
	       type == NHRP_TYPE_TRAFFIC_INDICATION;
}

/* Each known type at most once, built from fields; verbatim entries need
 * their bytes; End is implied; content needs its entry to be sent. */
static int ext_list_check(const struct nhrp_msg *m)
{
	uint32_t seen = 0;

	for (unsigned int i = 0; i < m->nm_n_ext; i++) {
		const struct nhrp_ext_ref *x = &m->nm_ext[i];
		uint16_t type = x->xr_type & NHRP_EXT_TYPE_MASK;

		if (type == NHRP_EXT_END)
			return -EINVAL;
		if (x->xr_value != NULL)
			continue;
		if (!ext_is_known(type, 0) || x->xr_len != 0 || (seen & (UINT32_C(1) << type)))
			return -EINVAL;
		seen |= UINT32_C(1) << type;
	}
	if ((m->nm_n_responder && !(seen & 1u << NHRP_EXT_RESPONDER_ADDRESS)) ||
	    (m->nm_n_fwd && !(seen & 1u << NHRP_EXT_FORWARD_TRANSIT)) ||
	    (m->nm_n_rev && !(seen & 1u << NHRP_EXT_REVERSE_TRANSIT)) ||
	    (m->nm_auth_len && !(seen & 1u << NHRP_EXT_AUTHENTICATION)) ||
	    (m->nm_n_nat && !(seen & 1u << NHRP_EXT_CISCO_NAT_ADDRESS)))
		return -EINVAL;
	return 0;
}

static int msg_check(const struct nhrp_msg *m)
{
	if (m->nm_version != NHRP_VERSION_RFC2332 || m->nm_type < NHRP_TYPE_RESOLUTION_REQUEST ||
	    m->nm_type > NHRP_TYPE_TRAFFIC_INDICATION)
		return -EINVAL;
	if (m->nm_hop_count == 0 && needs_hop_count(m->nm_type))
		return -EINVAL;
	if (m->nm_n_cie > NHRP_MSG_MAX_CIE || m->nm_n_ext > NHRP_MSG_MAX_EXT ||
	    m->nm_n_responder > 1 || m->nm_n_fwd > NHRP_MSG_MAX_TRANSIT ||
	    m->nm_n_rev > NHRP_MSG_MAX_TRANSIT || m->nm_n_nat > NHRP_MSG_MAX_CIE ||
	    m->nm_auth_len > NHRP_AUTH_PASSWORD_MAX)
		return -EINVAL;
	if (is_indication(m->nm_type) ? m->nm_n_cie != 0 : m->nm_quoted_len != 0)
		return -EINVAL;
	if (m->nm_quoted_len != 0 && m->nm_quoted == NULL)
		return -EINVAL;
	/* 5.2.7 gives the Error Indication no extensions part. */
	if (m->nm_type == NHRP_TYPE_ERROR_INDICATION && m->nm_n_ext != 0)
		return -EINVAL;
	return ext_list_check(m);
}

static uint8_t addr_len(const struct nhrp_addr4 *a)
{
	return a->na_present ? NHRP_ADDR_LEN_IPV4 : 0;
}

static void addr_encode(struct wtr *w, const struct nhrp_addr4 *a)
{
	if (a->na_present)
		wtr_u32be(w, a->na_addr);
}

static void cie_list_encode(struct wtr *w, const struct nhrp_cie *cies, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct nhrp_cie *c = &cies[i];

		wtr_u8(w, c->ce_code);
		wtr_u8(w, c->ce_prefix_len);
		wtr_u16be(w, 0);
		wtr_u16be(w, c->ce_mtu);
		wtr_u16be(w, c->ce_holding_time);
		wtr_u8(w, addr_len(&c->ce_nbma));
		wtr_u8(w, 0);
		wtr_u8(w, addr_len(&c->ce_proto));
		wtr_u8(w, c->ce_pref);
		addr_encode(w, &c->ce_nbma);
		addr_encode(w, &c->ce_proto);
	}
}

/* ar$pktsz, ar$chksum and ar$extoff are patched in at the end. */
static void fixed_encode(struct wtr *w, const struct nhrp_msg *m)
{
	wtr_u16be(w, NHRP_AFN_IPV4);
	wtr_u16be(w, NHRP_PRO_TYPE_IPV4);
	wtr_zero(w, 5);
	wtr_u8(w, m->nm_hop_count);
	wtr_u16be(w, 0);
	wtr_u16be(w, 0);
	wtr_u16be(w, 0);
	wtr_u8(w, m->nm_version);
	wtr_u8(w, m->nm_type);
	wtr_u8(w, addr_len(&m->nm_src_nbma));
	wtr_u8(w, 0);
}

static void mand_encode(struct wtr *w, const struct nhrp_msg *m)
{
	wtr_u8(w, addr_len(&m->nm_src_proto));
	wtr_u8(w, addr_len(&m->nm_dst_proto));
	wtr_u16be(w, m->nm_flags);
	if (m->nm_type == NHRP_TYPE_ERROR_INDICATION) {
		wtr_u16be(w, m->nm_err_code);
		wtr_u16be(w, m->nm_err_offset);
	} else if (m->nm_type == NHRP_TYPE_TRAFFIC_INDICATION) {
		wtr_u16be(w, m->nm_traffic_code);
		wtr_u16be(w, 0);
	} else {
		wtr_u32be(w, m->nm_request_id);
	}
	addr_encode(w, &m->nm_src_nbma);
	addr_encode(w, &m->nm_src_proto);
	addr_encode(w, &m->nm_dst_proto);
	cie_list_encode(w, m->nm_cie, m->nm_n_cie);
	wtr_bytes(w, m->nm_quoted, m->nm_quoted_len);
}

static void ext_value_encode(struct wtr *w, const struct nhrp_msg *m, const struct nhrp_ext_ref *x)
{
	if (x->xr_value != NULL) {
		wtr_bytes(w, x->xr_value, x->xr_len);
		return;
	}
	switch (x->xr_type & NHRP_EXT_TYPE_MASK) {
	case NHRP_EXT_RESPONDER_ADDRESS:
		cie_list_encode(w, &m->nm_responder, m->nm_n_responder);
		break;
	case NHRP_EXT_FORWARD_TRANSIT:
		cie_list_encode(w, m->nm_fwd, m->nm_n_fwd);
		break;
	case NHRP_EXT_REVERSE_TRANSIT:
		cie_list_encode(w, m->nm_rev, m->nm_n_rev);
		break;
	case NHRP_EXT_AUTHENTICATION:
		wtr_u32be(w, m->nm_auth_type);
		wtr_bytes(w, m->nm_auth, m->nm_auth_len);
		break;
	default: /* NHRP_EXT_CISCO_NAT_ADDRESS */
		cie_list_encode(w, m->nm_nat, m->nm_n_nat);
		break;
	}
}

/* End goes out compulsory, as RFC 2332 5.3.0, Cisco and FRR all have it. */
static void ext_part_encode(struct wtr *w, const struct nhrp_msg *m)
{
	for (unsigned int i = 0; i < m->nm_n_ext; i++) {
		size_t hdr = wtr_len(w);

		wtr_u16be(w, m->nm_ext[i].xr_type);
		wtr_u16be(w, 0);
		ext_value_encode(w, m, &m->nm_ext[i]);
		wtr_put_u16be_at(w, hdr + 2, (uint16_t)(wtr_len(w) - hdr - NHRP_EXT_HDR_LEN));
	}
	wtr_u16be(w, NHRP_EXT_COMPULSORY | NHRP_EXT_END);
	wtr_u16be(w, 0);
}

int nhrp_msg_encode(const struct nhrp_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
	size_t extoff = 0, len;
	struct wtr w;
	int rc;

	rc = msg_check(m);
	if (rc != 0)
		return rc;
	wtr_init(&w, buf, cap);
	fixed_encode(&w, m);
	mand_encode(&w, m);
	if (m->nm_n_ext != 0) {
		extoff = wtr_len(&w);
		ext_part_encode(&w, m);
	}
	len = wtr_len(&w);
	if (wtr_error(&w) != 0)
		return wtr_error(&w);
	if (len > NHRP_PKT_MAX)
		return -EMSGSIZE;
	wtr_put_u16be_at(&w, OFF_PKTSZ, (uint16_t)len);
	wtr_put_u16be_at(&w, OFF_EXTOFF, (uint16_t)extoff);
	/* RFC 2332 5.1: computed with the checksum field zero. */
	wtr_put_u16be_at(&w, OFF_CHKSUM, (uint16_t)~csum_fold(buf, len));
	*out_len = len;
	return 0;
}

const char *nhrp_type_name(unsigned type)
{
	static const char *const names[] = {
		"?",
		"resolution-request",
		"resolution-reply",
		"registration-request",
		"registration-reply",
		"purge-request",
		"purge-reply",
		"error-indication",
		"traffic-indication",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
