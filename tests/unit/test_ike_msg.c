/* IKEv2 codec against real captures (fields as tshark -V reads them),
 * byte-identical re-encoding, built round trips of every payload kind
 * including the SK frame a crypto layer fills, numbered malformed cases
 * and exact-size buffers for ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exact_copy.h"
#include "fixture_path.h"
#include "ike_msg.h"
#include "pcap_read.h"
#include "pcapng_read.h"

#define PKT_MAX 2048
#define FX_MAX 40

struct fx_pkt {
	uint8_t data[PKT_MAX];
	size_t len;
};

/* ---- fixtures: IKE messages out of pcap and pcapng captures ---- */

static void fixture_path(char *buf, size_t n, const char *file)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "ikev2/%s", file);
	fixture_path_of(buf, n, rel);
}

/* Frame to UDP payload and ports: BSD loopback (DLT_NULL, a 4-byte
 * address family in the writer's byte order) or what pcap_read.h knows. */
static int frame_udp(uint32_t linktype, const uint8_t *p, size_t len, struct rdr *udp,
		     uint16_t *sport, uint16_t *dport)
{
	uint16_t ethertype = 0x0800, ulen;
	uint8_t proto;

	rdr_init(udp, p, len);
	if (linktype == 0 ? rdr_skip(udp, 4) != 0 : pcap_link_strip(linktype, udp, &ethertype) != 0)
		return -1;
	if (ethertype != 0x0800 || pcap_ipv4_strip(udp, &proto) != 0 || proto != 17)
		return -1;
	if (rdr_u16be(udp, sport) || rdr_u16be(udp, dport) || rdr_u16be(udp, &ulen) ||
	    rdr_skip(udp, 2) || ulen < 8 || ulen - 8u > rdr_left(udp))
		return -1;
	udp->end = udp->pos + (ulen - 8u);
	return 0;
}

/* RFC 3948 2.2: on 4500 only what follows a zero non-ESP marker is IKE. */
static void fx_add(struct fx_pkt *out, size_t *n, size_t max, uint32_t lt, const uint8_t *p,
		   size_t len)
{
	static const uint8_t marker[IKE_NON_ESP_MARKER_LEN];
	uint16_t sport, dport;
	struct rdr u;

	if (frame_udp(lt, p, len, &u, &sport, &dport) != 0)
		return;
	if (sport == IKE_NATT_UDP_PORT || dport == IKE_NATT_UDP_PORT) {
		if (rdr_left(&u) < IKE_HDR_LEN + IKE_NON_ESP_MARKER_LEN ||
		    memcmp(u.pos, marker, sizeof(marker)) != 0)
			return;
		u.pos += IKE_NON_ESP_MARKER_LEN;
	} else if (sport != IKE_UDP_PORT && dport != IKE_UDP_PORT) {
		return;
	}
	assert_true(*n < max && rdr_left(&u) <= PKT_MAX);
	memcpy(out[*n].data, u.pos, rdr_left(&u));
	out[*n].len = rdr_left(&u);
	(*n)++;
}

static size_t fixture_load(const char *file, struct fx_pkt *out, size_t max)
{
	struct pcap_file pf;
	struct pcap_rec rec;
	struct pcapng_file nf;
	struct pcapng_rec nrec;
	char path[512];
	size_t n = 0;

	fixture_path(path, sizeof(path), file);
	if (pcap_open(&pf, path) == 0) {
		while (pcap_next(&pf, &rec) == 1)
			fx_add(out, &n, max, pf.pf_linktype, rec.pr_data, rec.pr_caplen);
		pcap_close(&pf);
		return n;
	}
	if (pcapng_open(&nf, path) != 0)
		fail_msg("cannot read %s (set DMVPND_FIXTURES)", path);
	while (pcapng_next(&nf, &nrec) == 1)
		fx_add(out, &n, max, nrec.nr_linktype, nrec.nr_data, nrec.nr_caplen);
	pcapng_close(&nf);
	return n;
}

/* Decodes from an exact_copy: ASan traps a read past the end. */
static int decode_exact(const uint8_t *p, size_t len, struct ike_msg *m)
{
	return ike_msg_decode(exact_copy(p, len), len, m);
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)(v >> 16));
	put16(p, off + 2, (uint16_t)v);
}

static void assert_reencodes(const uint8_t *pkt, size_t len, const struct ike_msg *m)
{
	uint8_t out[PKT_MAX];
	size_t olen = 0;

	assert_int_equal(ike_msg_encode(m, out, sizeof(out), &olen), 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, pkt, len);
}

static const uint8_t *hex(const char *s, uint8_t *buf)
{
	for (size_t i = 0; s[2 * i] != 0; i++)
		sscanf(s + 2 * i, "%2hhx", &buf[i]);
	return buf;
}

static void assert_blob(const struct ike_blob *b, const char *want)
{
	uint8_t buf[256];

	assert_int_equal(b->bl_len, strlen(want) / 2);
	assert_memory_equal(b->bl_data, hex(want, buf), b->bl_len);
}

/* ---- a compact text form of a whole message, for equality ---- */

struct sb {
	char s[8192];
	size_t n;
};

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof(b->s) - b->n);
	b->n += (size_t)k;
}

/* Length and FNV-1a of the bytes: contents compared, text kept short. */
static void sb_bytes(struct sb *b, const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	sb_add(b, "%zu:%08x", n, h);
}

static void sb_blob(struct sb *b, const char *name, const struct ike_blob *x)
{
	sb_add(b, " %s=", name);
	sb_bytes(b, x->bl_data, x->bl_len);
}

static void sb_order(struct sb *b, const char *name, const struct ike_pld_ref *o, unsigned int n)
{
	sb_add(b, " %s[", name);
	for (unsigned int i = 0; i < n; i++)
		sb_add(b, "%s%u/%02x/%u", i ? " " : "", o[i].pr_type, o[i].pr_flags, o[i].pr_index);
	sb_add(b, "]");
}

static void sb_sa(struct sb *b, const struct ike_msg *m)
{
	for (unsigned int i = 0; i < m->im_n_prop; i++) {
		const struct ike_proposal *p = &m->im_prop[i];

		sb_add(b, " P#%u/%u/", p->pp_num, p->pp_proto);
		sb_bytes(b, p->pp_spi, p->pp_spi_len);
		for (unsigned int j = 0; j < p->pp_n_tf; j++)
			sb_add(b, " %u:%u%s%u/%u", p->pp_tf[j].tf_type, p->pp_tf[j].tf_id,
			       p->pp_tf[j].tf_has_key_len ? "k" : "-", p->pp_tf[j].tf_key_len,
			       p->pp_tf[j].tf_unknown_attrs);
	}
}

static void sb_ts(struct sb *b, const char *name, const struct ike_ts_list *l)
{
	sb_add(b, " %s[", name);
	for (unsigned int i = 0; i < l->tl_n; i++) {
		const struct ike_ts *t = &l->tl_ts[i];

		sb_add(b, "%u/%u %u-%u ", t->ts_type, t->ts_proto, t->ts_sport, t->ts_eport);
		sb_bytes(b, t->ts_saddr, sizeof(t->ts_saddr));
		sb_bytes(b, t->ts_eaddr, sizeof(t->ts_eaddr));
	}
	sb_add(b, "]");
}

static void sb_lists(struct sb *b, const struct ike_msg *m)
{
	for (unsigned int i = 0; i < m->im_n_cert; i++) {
		sb_add(b, " CERT%u", m->im_cert[i].ct_encoding);
		sb_blob(b, "", &m->im_cert[i].ct_data);
	}
	for (unsigned int i = 0; i < m->im_n_certreq; i++) {
		sb_add(b, " CR%u", m->im_certreq[i].ct_encoding);
		sb_blob(b, "", &m->im_certreq[i].ct_data);
	}
	for (unsigned int i = 0; i < m->im_n_notify; i++) {
		const struct ike_notify *n = &m->im_notify[i];

		sb_add(b, " N%u/%u/", n->nt_type, n->nt_proto);
		sb_bytes(b, n->nt_spi, n->nt_spi_len);
		sb_blob(b, "", &n->nt_data);
	}
	for (unsigned int i = 0; i < m->im_n_delete; i++) {
		const struct ike_delete *d = &m->im_delete[i];

		sb_add(b, " D%u/%u/%u=", d->nd_proto, d->nd_spi_len, d->nd_n_spi);
		sb_bytes(b, d->nd_spis, (size_t)d->nd_n_spi * d->nd_spi_len);
	}
	for (unsigned int i = 0; i < m->im_n_vendor; i++)
		sb_blob(b, "V", &m->im_vendor[i]);
	for (unsigned int i = 0; i < m->im_n_cp_attr; i++) {
		sb_add(b, " CA%u", m->im_cp_attr[i].ca_type);
		sb_blob(b, "", &m->im_cp_attr[i].ca_value);
	}
	for (unsigned int i = 0; i < m->im_n_unknown; i++)
		sb_blob(b, "U", &m->im_unknown[i]);
}

static const char *msg_fmt(const struct ike_msg *m, struct sb *b)
{
	b->n = 0;
	sb_add(b, "%016llx %016llx v%02x x%u f%02x id%u", (unsigned long long)m->im_spi_i,
	       (unsigned long long)m->im_spi_r, m->im_version, m->im_exchange, m->im_flags,
	       m->im_msg_id);
	sb_order(b, "out", m->im_order, m->im_n_order);
	sb_order(b, "in", m->im_inner, m->im_n_inner);
	sb_sa(b, m);
	sb_add(b, " KE%u", m->im_ke_group);
	sb_blob(b, "ke", &m->im_ke_data);
	sb_add(b, " IDi%u", m->im_idi.id_type);
	sb_blob(b, "", &m->im_idi.id_data);
	sb_add(b, " IDr%u", m->im_idr.id_type);
	sb_blob(b, "", &m->im_idr.id_data);
	sb_add(b, " AUTH%u", m->im_auth_method);
	sb_blob(b, "", &m->im_auth_data);
	sb_blob(b, "Ni", &m->im_nonce);
	sb_ts(b, "TSi", &m->im_tsi);
	sb_ts(b, "TSr", &m->im_tsr);
	sb_add(b, " CP%u", m->im_cp_type);
	sb_blob(b, "EAP", &m->im_eap);
	sb_lists(b, m);
	sb_add(b, " SK%u/%u/%u/%u", m->im_sk_first, m->im_skf_num, m->im_skf_total,
	       m->im_sk_aad_len);
	sb_blob(b, "", &m->im_sk_body);
	return b->s;
}

/* ---- (1) every fixture message decodes and re-encodes byte for byte ---- */

struct fx_file {
	const char *file;
	size_t n; /* IKE messages: tshark's ISAKMP frames */
};

static const struct fx_file fx_files[] = {
	{"ikev2four.pcap", 21},
	{"ikev2pI2.pcap", 2},
	{"natt-ikev2-esp-aesctr-aescbc-sha256.pcapng", 20},
};

static void test_fixture_reencode_all(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	for (size_t f = 0; f < sizeof(fx_files) / sizeof(fx_files[0]); f++) {
		size_t n = fixture_load(fx_files[f].file, pk, FX_MAX);

		assert_int_equal(n, fx_files[f].n);
		for (size_t i = 0; i < n; i++) {
			int rc = decode_exact(pk[i].data, pk[i].len, &m);

			if (rc != 0)
				fail_msg("%s #%zu: %s", fx_files[f].file, i,
					 ike_decode_err_name(rc));
			assert_int_equal(m.im_lossy, 0);
			assert_int_equal(m.im_length, pk[i].len);
			assert_reencodes(pk[i].data, pk[i].len, &m);
		}
	}
}

/* Every strict prefix of every real message is "truncated", never more. */
static void test_fixture_truncated(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	for (size_t f = 0; f < sizeof(fx_files) / sizeof(fx_files[0]); f++) {
		size_t n = fixture_load(fx_files[f].file, pk, FX_MAX);

		for (size_t i = 0; i < n; i++)
			for (size_t len = 0; len < pk[i].len; len++)
				assert_int_equal(decode_exact(pk[i].data, len, &m),
						 -IKE_DECODE_TRUNCATED);
	}
}

/* ---- (2) fields of real messages, as tshark -V shows them ---- */

static void assert_order(const struct ike_msg *m, const uint8_t *types, unsigned int n)
{
	assert_int_equal(m->im_n_order, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(m->im_order[i].pr_type, types[i]);
}

static void assert_tf(const struct ike_transform *t, uint8_t type, uint16_t id, uint16_t key_len)
{
	assert_int_equal(t->tf_type, type);
	assert_int_equal(t->tf_id, id);
	assert_int_equal(t->tf_has_key_len, key_len != 0);
	assert_int_equal(t->tf_key_len, key_len);
	assert_int_equal(t->tf_unknown_attrs, 0);
}

#define NAT_D_SRC_I "442ffe5aea0cee4dbacc758e801233bdc09a0abf"
#define NAT_D_DST_I "ba041b5de59955900d818ac54e18b236739d9e8b"
#define COOKIE_DATA "00000001c2221e50c16e123f2b0c71aefcf0cb3b798782c6"

/* ikev2four frames 1-2: the offer and the COOKIE demand (2.6). */
static void test_fixture_sa_init(void **state)
{
	static const uint8_t o1[] = {33, 34, 40, 41, 41};
	static const uint16_t ids[12][3] = {{1, 12, 128}, {1, 12, 256}, {1, 12, 192}, {1, 3, 0},
					    {2, 2, 0},    {2, 1, 0},    {2, 4, 0},    {3, 2, 0},
					    {3, 1, 0},    {3, 5, 0},    {4, 2, 0},    {4, 14, 0}};
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	assert_int_equal(fixture_load("ikev2four.pcap", pk, FX_MAX), 21);
	assert_int_equal(decode_exact(pk[0].data, pk[0].len, &m), 0);
	assert_true(m.im_spi_i == 0xa88875a8198992a6ull && m.im_spi_r == 0);
	assert_int_equal(m.im_version, IKE_VERSION);
	assert_int_equal(m.im_exchange, IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(m.im_flags, IKE_FLAG_INITIATOR);
	assert_int_equal(m.im_msg_id, 0);
	assert_int_equal(m.im_length, 376);
	assert_order(&m, o1, sizeof(o1));
	assert_int_equal(m.im_order[4].pr_index, 1);
	assert_int_equal(m.im_n_prop, 1);
	assert_int_equal(m.im_prop[0].pp_num, 1);
	assert_int_equal(m.im_prop[0].pp_proto, IKE_PROTO_IKE);
	assert_int_equal(m.im_prop[0].pp_spi_len, 0);
	assert_int_equal(m.im_prop[0].pp_n_tf, 12);
	for (int i = 0; i < 12; i++)
		assert_tf(&m.im_prop[0].pp_tf[i], (uint8_t)ids[i][0], ids[i][1], ids[i][2]);
	assert_int_equal(m.im_ke_group, 2);
	assert_int_equal(m.im_ke_data.bl_len, 128);
	assert_memory_equal(m.im_ke_data.bl_data, "\xb5\x44\x5b\xd6\x0c\xec", 6);
	assert_blob(&m.im_nonce, "6128ebd023a864e94a7ffb74bf7cce2f"
				 "d4367322b8b073f942282bd52ebfe3e6");
	assert_int_equal(m.im_n_notify, 2);
	assert_int_equal(m.im_notify[0].nt_type, IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(m.im_notify[0].nt_spi_len, 0);
	assert_blob(&m.im_notify[0].nt_data, NAT_D_SRC_I);
	assert_int_equal(m.im_notify[1].nt_type, IKE_N_NAT_DETECTION_DESTINATION_IP);
	assert_blob(&m.im_notify[1].nt_data, NAT_D_DST_I);
	assert_true(ike_msg_has(&m, IKE_PL_KE) && !ike_msg_has(&m, IKE_PL_SK));

	assert_int_equal(decode_exact(pk[1].data, pk[1].len, &m), 0);
	assert_int_equal(m.im_flags, IKE_FLAG_RESPONSE);
	assert_int_equal(m.im_n_order, 1);
	assert_non_null(ike_msg_notify_find(&m, IKE_N_COOKIE));
	assert_blob(&ike_msg_notify_find(&m, IKE_N_COOKIE)->nt_data, COOKIE_DATA);
}

/* Frames 3-4: the offer again, led by the COOKIE (2.6), and the answer. */
static void test_fixture_sa_init_retry(void **state)
{
	static const uint8_t o3[] = {41, 33, 34, 40, 41, 41};
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	fixture_load("ikev2four.pcap", pk, FX_MAX);
	assert_int_equal(decode_exact(pk[2].data, pk[2].len, &m), 0);
	assert_order(&m, o3, sizeof(o3));
	assert_int_equal(m.im_notify[0].nt_type, IKE_N_COOKIE);
	assert_blob(&m.im_notify[0].nt_data, COOKIE_DATA);
	assert_int_equal(m.im_order[5].pr_index, 2);

	assert_int_equal(decode_exact(pk[3].data, pk[3].len, &m), 0);
	assert_true(m.im_spi_r == 0x71be8358efae7663ull);
	assert_int_equal(m.im_prop[0].pp_n_tf, 4);
	assert_tf(&m.im_prop[0].pp_tf[0], IKE_TF_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_tf(&m.im_prop[0].pp_tf[1], IKE_TF_PRF, 2, 0);
	assert_tf(&m.im_prop[0].pp_tf[2], IKE_TF_INTEG, 2, 0);
	assert_tf(&m.im_prop[0].pp_tf[3], IKE_TF_DH, 2, 0);
}

/* Encrypted messages: header and SK frame only (no keys published). */
static void test_fixture_encrypted(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	fixture_load("ikev2four.pcap", pk, FX_MAX);
	assert_int_equal(ike_msg_decode(pk[4].data, pk[4].len, &m), 0);
	assert_int_equal(m.im_exchange, IKE_EXCH_IKE_AUTH);
	assert_int_equal(m.im_msg_id, 1);
	assert_int_equal(m.im_n_order, 1);
	assert_int_equal(m.im_order[0].pr_type, IKE_PL_SK);
	assert_int_equal(m.im_sk_first, IKE_PL_IDI);
	assert_int_equal(m.im_sk_aad_len, IKE_HDR_LEN + IKE_GEN_HDR_LEN);
	assert_ptr_equal(m.im_sk_body.bl_data, pk[4].data + 32);
	assert_int_equal(m.im_sk_body.bl_len, 204);
	assert_int_equal(ike_msg_decode(pk[5].data, pk[5].len, &m), 0);
	assert_int_equal(m.im_sk_first, IKE_PL_IDR);
	assert_int_equal(ike_msg_decode(pk[6].data, pk[6].len, &m), 0);
	assert_int_equal(m.im_exchange, IKE_EXCH_CREATE_CHILD_SA);
	assert_int_equal(m.im_sk_first, IKE_PL_SA);
	assert_int_equal(ike_msg_decode(pk[8].data, pk[8].len, &m), 0);
	assert_int_equal(m.im_sk_first, IKE_PL_NOTIFY);
	assert_int_equal(m.im_flags, IKE_FLAG_RESPONSE);
	assert_int_equal(ike_msg_decode(pk[20].data, pk[20].len, &m), 0);
	assert_int_equal(m.im_exchange, IKE_EXCH_INFORMATIONAL);
	assert_true(m.im_spi_i == 0x1d9be9451d4f97a8ull && m.im_spi_r == 0x64a2a4b5d0e17b6aull);
	assert_int_equal(m.im_sk_first, IKE_PL_DELETE);
	assert_int_equal(m.im_sk_body.bl_len, 60);
}

/* ikev2pI2: six proposals numbered 1..6, SA, Nonce and SK sent with the
 * critical bit (legal, ignored for known types, kept for re-encoding). */
static void test_fixture_pi2(void **state)
{
	static const uint8_t o1[] = {33, 34, 40, 43};
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	assert_int_equal(fixture_load("ikev2pI2.pcap", pk, FX_MAX), 2);
	assert_int_equal(decode_exact(pk[0].data, pk[0].len, &m), 0);
	assert_true(m.im_spi_i == 0x0001020304050607ull);
	assert_order(&m, o1, sizeof(o1));
	assert_int_equal(m.im_order[0].pr_flags, IKE_PAYLOAD_CRITICAL);
	assert_int_equal(m.im_order[1].pr_flags, 0);
	assert_int_equal(m.im_order[2].pr_flags, IKE_PAYLOAD_CRITICAL);
	assert_int_equal(m.im_n_prop, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(m.im_prop[i].pp_num, i + 1);
		assert_int_equal(m.im_prop[i].pp_n_tf, 4);
		assert_tf(&m.im_prop[i].pp_tf[0], IKE_TF_ENCR, i < 2 ? 12 : 3, 0);
		assert_tf(&m.im_prop[i].pp_tf[3], IKE_TF_DH, i < 4 ? 5 : 2, 0);
	}
	assert_int_equal(m.im_ke_group, 5);
	assert_int_equal(m.im_ke_data.bl_len, 192);
	assert_int_equal(m.im_nonce.bl_len, 16);
	assert_int_equal(m.im_n_vendor, 1);
	assert_blob(&m.im_vendor[0], "4f45726c415c6e51756b5352"); /* OErlA\nQukSR */

	assert_int_equal(decode_exact(pk[1].data, pk[1].len, &m), 0);
	assert_true(m.im_spi_r == 0xc02e7a3031a03188ull);
	assert_int_equal(m.im_order[0].pr_flags, IKE_PAYLOAD_CRITICAL);
	assert_int_equal(m.im_sk_first, IKE_PL_IDI);
	assert_int_equal(m.im_sk_body.bl_len, 252); /* IV 16, 224, ICV 12 */
}

/* The plaintext of ikev2pI2's SK as tshark decrypts it with the published
 * keys: IDi FQDN "west", AUTH RSA with 192 zero octets. */
static void test_inner_pi2(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint8_t plain[212] = {0x27, 0, 0, 12,  IKE_ID_FQDN,     0, 0, 0, 'w', 'e', 's', 't',
			      0,    0, 0, 200, IKE_AUTH_RSA_SIG};
	uint8_t out[PKT_MAX];
	struct ike_msg m;
	size_t len;

	(void)state;
	fixture_load("ikev2pI2.pcap", pk, FX_MAX);
	assert_int_equal(ike_msg_decode(pk[1].data, pk[1].len, &m), 0);
	assert_int_equal(ike_msg_decode_inner(m.im_sk_first, plain, sizeof(plain), &m), 0);
	assert_int_equal(m.im_n_inner, 2);
	assert_int_equal(m.im_inner[0].pr_type, IKE_PL_IDI);
	assert_int_equal(m.im_inner[1].pr_type, IKE_PL_AUTH);
	assert_int_equal(m.im_idi.id_type, IKE_ID_FQDN);
	assert_blob(&m.im_idi.id_data, "77657374");
	assert_int_equal(m.im_auth_method, IKE_AUTH_RSA_SIG);
	assert_int_equal(m.im_auth_data.bl_len, 192);
	assert_int_equal(ike_msg_encode_payloads(&m, out, sizeof(out), &len), 0);
	assert_int_equal(len, sizeof(plain));
	assert_memory_equal(out, plain, len);
	assert_reencodes(pk[1].data, pk[1].len, &m);
	/* an SK inside SK, and the same chain twice (IDi, AUTH again) */
	assert_int_equal(ike_msg_decode_inner(IKE_PL_SK, plain, 12, &m), -IKE_DECODE_NESTED_SK);
	assert_int_equal(ike_msg_decode_inner(IKE_PL_IDI, plain, sizeof(plain), &m),
			 -IKE_DECODE_DUPLICATE_PAYLOAD);
}

/* NAT-T capture: IKE behind the non-ESP marker on 4500, ECP-256, an
 * empty CERTREQ, RFC 7383/7427/4739 notifies, Delete exchanges. */
static void test_fixture_natt(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct ike_msg m;

	(void)state;
	assert_int_equal(fixture_load("natt-ikev2-esp-aesctr-aescbc-sha256.pcapng", pk, FX_MAX),
			 20);
	assert_int_equal(decode_exact(pk[0].data, pk[0].len, &m), 0);
	assert_true(m.im_spi_i == 0x99feb3adea1ee8f8ull);
	assert_tf(&m.im_prop[0].pp_tf[0], IKE_TF_ENCR, 13, 256);
	assert_tf(&m.im_prop[0].pp_tf[1], IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	assert_tf(&m.im_prop[0].pp_tf[2], IKE_TF_INTEG, IKE_AUTH_HMAC_SHA2_256_128, 0);
	assert_tf(&m.im_prop[0].pp_tf[3], IKE_TF_DH, IKE_DH_ECP_256, 0);
	assert_int_equal(m.im_ke_group, IKE_DH_ECP_256);
	assert_int_equal(m.im_ke_data.bl_len, 64);
	assert_int_equal(m.im_nonce.bl_len, 40);
	assert_int_equal(m.im_n_vendor, 4);
	assert_blob(&m.im_vendor[0], "eb4c1b788afd4a9cb7730a68d56c5321");
	assert_int_equal(m.im_n_notify, 3);
	assert_int_equal(m.im_notify[0].nt_type, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED);
	assert_int_equal(m.im_notify[1].nt_type, IKE_N_REDIRECT_SUPPORTED);
	assert_int_equal(m.im_notify[2].nt_type, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	assert_blob(&m.im_notify[2].nt_data, "0001000200030004");

	assert_int_equal(decode_exact(pk[1].data, pk[1].len, &m), 0);
	assert_int_equal(m.im_length, 313);
	assert_int_equal(m.im_n_certreq, 1);
	assert_int_equal(m.im_certreq[0].ct_encoding, IKE_CERT_X509_SIGNATURE);
	assert_int_equal(m.im_certreq[0].ct_data.bl_len, 0);
	assert_non_null(ike_msg_notify_find(&m, IKE_N_MULTIPLE_AUTH_SUPPORTED));
	assert_null(ike_msg_notify_find(&m, IKE_N_REDIRECT_SUPPORTED));

	assert_int_equal(decode_exact(pk[2].data, pk[2].len, &m), 0);
	assert_int_equal(m.im_sk_first, IKE_PL_IDI);
	assert_int_equal(m.im_sk_body.bl_len, 1256);
	/* responder-initiated INFORMATIONAL: request without I, then the
	 * answer with I and R (2.2) */
	assert_int_equal(decode_exact(pk[6].data, pk[6].len, &m), 0);
	assert_int_equal(m.im_flags, 0);
	assert_int_equal(m.im_sk_first, IKE_PL_DELETE);
	assert_int_equal(decode_exact(pk[7].data, pk[7].len, &m), 0);
	assert_int_equal(m.im_flags, IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE);
	assert_int_equal(m.im_sk_first, IKE_PL_NONE);
	assert_int_equal(ike_msg_decode_inner(m.im_sk_first, NULL, 0, &m), 0);
	assert_int_equal(m.im_n_inner, 0);
}

/* ---- (3) numbered malformed cases on a real IKE_SA_INIT ---- */

struct patch {
	uint16_t off;
	uint8_t width; /* 0: unused slot, 1, 2 or 4 */
	uint32_t val;
};

/* clang-format off */
#define P8(o, v)  {(o), 1, (v)}
#define P16(o, v) {(o), 2, (v)}
#define P32(o, v) {(o), 4, (v)}
#define E(reason) (-IKE_DECODE_##reason)
/* clang-format on */

struct bad_case {
	int no;
	const char *what;
	struct patch p[2];
	int expect;
	uint16_t lossy;
};

/* Base: ikev2four.pcap frame 1, 376 bytes. Offsets: 16 first type,
 * 17 version, 19 flags, 24 length; SA at 28 (len 30), proposal at 32
 * (last 32, len 34, num 36, proto 37, SPI size 38, count 39), transforms
 * at 40 (len 42, attribute 48), 52, 64, 76 ... 140 (last); KE at 148
 * (len 150, reserved 154); Nonce at 284 (len 286); N at 320 (len 322,
 * SPI size 325); N at 348 (len 350). */
static const struct bad_case bad_cases[] = {
	{1, "length past the bytes", {P32(24, 377)}, E(TRUNCATED), 0},
	{2, "length short of the bytes", {P32(24, 375)}, E(BAD_LENGTH), 0},
	{3, "length below the header", {P32(24, 27)}, E(BAD_LENGTH), 0},
	{4, "length 2^32-1", {P32(24, 0xffffffff)}, E(TRUNCATED), 0},
	{5, "major version 1", {P8(17, 0x10)}, E(BAD_VERSION), 0},
	{6, "major version 3", {P8(17, 0x30)}, E(BAD_VERSION), 0},
	{7, "minor version 1 is ignored (2.5)", {P8(17, 0x21)}, 0, 0},
	{8, "unknown flag bits kept", {P8(19, 0xff)}, 0, 0},
	{9, "no first payload, bytes follow", {P8(16, 0)}, E(BAD_LENGTH), 0},
	{10, "SA length 3", {P16(30, 3)}, E(BAD_PAYLOAD_LENGTH), 0},
	{11, "SA length 65535", {P16(30, 0xffff)}, E(BAD_PAYLOAD_LENGTH), 0},
	{12, "SA length one short", {P16(30, 119)}, E(BAD_PROPOSAL), 0},
	{13, "SA length one over", {P16(30, 121)}, E(BAD_PROPOSAL), 0},
	{14, "SA shorter than a proposal", {P16(30, 11)}, E(BAD_PAYLOAD_LENGTH), 0},
	{15, "critical bit on a known type", {P8(29, 0x80)}, 0, 0},
	{16, "proposal length 7", {P16(34, 7)}, E(BAD_PROPOSAL), 0},
	{17, "proposal length one over", {P16(34, 117)}, E(BAD_PROPOSAL), 0},
	{18, "proposal length cuts a transform", {P16(34, 115)}, E(BAD_TRANSFORM), 0},
	{19, "more proposals promised", {P8(32, 2)}, E(BAD_PROPOSAL), 0},
	{20, "last-substructure 1", {P8(32, 1)}, E(BAD_PROPOSAL), 0},
	{21, "proposal number 0", {P8(36, 0)}, E(BAD_PROPOSAL), 0},
	{22, "a single answer echoes any number", {P8(36, 2)}, 0, 0},
	{23, "ESP without an SPI", {P8(37, IKE_PROTO_ESP)}, E(BAD_PROPOSAL), 0},
	{24, "protocol 4", {P8(37, 4)}, E(BAD_PROPOSAL), 0},
	{25, "IKE SPI size 4", {P8(38, 4)}, E(BAD_PROPOSAL), 0},
	{26, "IKE SPI size 8 eats a transform", {P8(38, 8)}, E(BAD_TRANSFORM), 0},
	{27, "transform count one short", {P8(39, 11)}, E(BAD_PROPOSAL), 0},
	{28, "transform count one over", {P8(39, 13)}, E(BAD_PROPOSAL), 0},
	{29, "transform count 0", {P8(39, 0)}, E(BAD_PROPOSAL), 0},
	{30, "transform count 17", {P8(39, 17)}, E(TOO_MANY_TRANSFORMS), 0},
	{31, "transform length 7", {P16(42, 7)}, E(BAD_TRANSFORM), 0},
	{32, "transform length 200", {P16(42, 200)}, E(BAD_TRANSFORM), 0},
	{33, "transform last-substructure 1", {P8(40, 1)}, E(BAD_TRANSFORM), 0},
	{34, "last transform says more", {P8(140, 3)}, E(BAD_PROPOSAL), 0},
	{35, "fourth transform says last", {P8(76, 0)}, E(BAD_PROPOSAL), 0},
	{36, "attribute cut in half", {P16(42, 10)}, E(BAD_ATTRIBUTE), 0},
	{37, "Key Length in TLV form", {P16(48, 0x000e)}, E(BAD_ATTRIBUTE), 0},
	{38, "unknown TV attribute skipped", {P16(48, 0x800f)}, 0, 1},
	{39, "transform reserved set", {P8(41, 1)}, 0, 1},
	{40, "KE length 7", {P16(150, 7)}, E(BAD_PAYLOAD_LENGTH), 0},
	{41, "KE without data", {P16(150, 8)}, E(BAD_KE), 0},
	{42, "KE reserved set", {P8(154, 1)}, 0, 1},
	{43, "nonce of 15 octets", {P16(286, 19)}, E(BAD_NONCE), 0},
	{44, "nonce length 65535", {P16(286, 0xffff)}, E(BAD_PAYLOAD_LENGTH), 0},
	{45, "notify SPI size 9", {P8(325, 9)}, E(BAD_NOTIFY), 0},
	{46, "notify length 7", {P16(322, 7)}, E(BAD_PAYLOAD_LENGTH), 0},
	{47, "last notify one over", {P16(350, 29)}, E(BAD_PAYLOAD_LENGTH), 0},
	{48, "last notify one short", {P16(350, 27)}, E(BAD_LENGTH), 0},
	{49, "last payload names a next one", {P8(348, 41)}, E(BAD_PAYLOAD_LENGTH), 0},
	{50,
	 "unknown critical first payload",
	 {P8(16, 99), P8(29, 0x80)},
	 E(UNKNOWN_CRITICAL_PAYLOAD),
	 0},
	{51, "unknown payload skipped", {P8(16, 99)}, 0, 0},
	{52, "KE read as a second SA", {P8(28, 33)}, E(DUPLICATE_PAYLOAD), 0},
	{53, "N read as a second nonce", {P8(284, 40)}, E(DUPLICATE_PAYLOAD), 0},
	{54, "SK first, bytes after it", {P8(16, 46)}, E(SK_NOT_LAST), 0},
	{55, "SKF fragment number 0", {P8(16, 53)}, E(BAD_SK), 0},
	{56, "KE read as TSi: count 0", {P8(28, 44)}, E(BAD_TS), 0},
	{57, "KE read as Delete: protocol 0", {P8(28, 42)}, E(BAD_DELETE), 0},
	{58, "KE read as EAP: length 0", {P8(28, 48)}, E(BAD_EAP), 0},
};

static void test_bad_table(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint8_t buf[PKT_MAX];
	struct ike_msg m;

	(void)state;
	fixture_load("ikev2four.pcap", pk, FX_MAX);
	assert_int_equal(pk[0].len, 376);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc;

		memcpy(buf, pk[0].data, pk[0].len);
		for (size_t j = 0; j < 2; j++) {
			if (c->p[j].width == 1)
				buf[c->p[j].off] = (uint8_t)c->p[j].val;
			else if (c->p[j].width == 2)
				put16(buf, c->p[j].off, (uint16_t)c->p[j].val);
			else if (c->p[j].width == 4)
				put32(buf, c->p[j].off, c->p[j].val);
		}
		rc = decode_exact(buf, pk[0].len, &m);
		if (rc != c->expect)
			fail_msg("case %d (%s): got %s, want %s", c->no, c->what,
				 ike_decode_err_name(rc), ike_decode_err_name(c->expect));
		if (rc == 0 || rc == E(UNKNOWN_CRITICAL_PAYLOAD)) {
			assert_int_equal(m.im_lossy, c->lossy);
			if (c->lossy == 0)
				assert_reencodes(buf, pk[0].len, &m);
		}
	}
}

/* Details behind cases 5, 38 and 50/51. */
static void test_bad_table_details(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint8_t buf[PKT_MAX];
	struct ike_msg m;

	(void)state;
	fixture_load("ikev2four.pcap", pk, FX_MAX);
	memcpy(buf, pk[0].data, pk[0].len);
	buf[17] = 0x10;
	assert_int_equal(ike_msg_decode(buf, pk[0].len, &m), E(BAD_VERSION));
	assert_true(m.im_spi_i == 0xa88875a8198992a6ull);
	assert_int_equal(m.im_exchange, IKE_EXCH_IKE_SA_INIT);

	memcpy(buf, pk[0].data, pk[0].len);
	put16(buf, 48, 0x800f);
	assert_int_equal(ike_msg_decode(buf, pk[0].len, &m), 0);
	assert_int_equal(m.im_prop[0].pp_tf[0].tf_unknown_attrs, 1);
	assert_false(m.im_prop[0].pp_tf[0].tf_has_key_len);

	memcpy(buf, pk[0].data, pk[0].len);
	buf[16] = 99;
	buf[29] = 0x80;
	assert_int_equal(ike_msg_decode(buf, pk[0].len, &m), E(UNKNOWN_CRITICAL_PAYLOAD));
	assert_int_equal(m.im_unsupported_critical, 99);
	assert_int_equal(m.im_n_unknown, 1);
	assert_int_equal(m.im_unknown[0].bl_len, 116);
	assert_false(ike_msg_has(&m, IKE_PL_SA));
	assert_int_equal(m.im_n_notify, 2); /* complete all the same */
	assert_reencodes(buf, pk[0].len, &m);
}

/* Every generic payload length, proposal length and transform length of
 * every clear fixture message, nudged or blown up, must be refused. */
static void lengths_one(const uint8_t *pkt, size_t len, size_t off)
{
	static const int deltas[] = {-4, -1, 1, 4};
	uint16_t v = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
	uint8_t buf[PKT_MAX];
	struct ike_msg m;

	for (size_t d = 0; d < 6; d++) {
		uint16_t nv = d < 4 ? (uint16_t)(v + deltas[d]) : (d == 4 ? 0 : 0xffff);

		memcpy(buf, pkt, len);
		put16(buf, off, nv);
		if (decode_exact(buf, len, &m) == 0)
			fail_msg("length at %zu: %u -> %u decoded", off, v, nv);
	}
}

static void sa_lengths(const uint8_t *pkt, size_t len, size_t sa, size_t end)
{
	for (size_t p = sa + 4; p < end;) {
		size_t plen = (size_t)pkt[p + 2] << 8 | pkt[p + 3];
		size_t t = p + 8 + pkt[p + 6];

		lengths_one(pkt, len, p + 2);
		for (unsigned int i = 0; i < pkt[p + 7]; i++) {
			lengths_one(pkt, len, t + 2);
			t += (size_t)pkt[t + 2] << 8 | pkt[t + 3];
		}
		p += plen;
	}
}

static void test_fixture_lengths(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	unsigned int tried = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(fx_files) / sizeof(fx_files[0]); f++) {
		size_t n = fixture_load(fx_files[f].file, pk, FX_MAX);

		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = pk[i].data;
			uint8_t type = p[16];

			for (size_t off = IKE_HDR_LEN; type != 0;) {
				size_t plen = (size_t)p[off + 2] << 8 | p[off + 3];

				lengths_one(p, pk[i].len, off + 2);
				if (type == IKE_PL_SA)
					sa_lengths(p, pk[i].len, off, off + plen);
				tried++;
				type = type == IKE_PL_SK ? 0 : p[off];
				off += plen;
			}
		}
	}
	assert_true(tried > 80);
}

/* ---- (4) malformed cases that need crafted messages ---- */

struct raw {
	uint8_t b[PKT_MAX];
	size_t n;
	size_t next_at; /* where the next payload's type goes */
};

static void raw_init(struct raw *r)
{
	static const uint8_t hdr[IKE_HDR_LEN] = {1,
						 2,
						 3,
						 4,
						 5,
						 6,
						 7,
						 8,
						 0,
						 0,
						 0,
						 0,
						 0,
						 0,
						 0,
						 0,
						 0,
						 IKE_VERSION,
						 IKE_EXCH_IKE_AUTH,
						 IKE_FLAG_INITIATOR};

	memcpy(r->b, hdr, sizeof(hdr));
	r->n = IKE_HDR_LEN;
	r->next_at = 16;
}

static void raw_add(struct raw *r, uint8_t type, const void *body, size_t len)
{
	assert_true(r->n + 4 + len <= sizeof(r->b));
	r->b[r->next_at] = type;
	r->next_at = r->n;
	r->b[r->n] = 0;
	r->b[r->n + 1] = 0;
	put16(r->b, r->n + 2, (uint16_t)(4 + len));
	memcpy(r->b + r->n + 4, body, len);
	r->n += 4 + len;
	put32(r->b, 24, (uint32_t)r->n);
}

static int raw_decode(struct raw *r, struct ike_msg *m)
{
	return decode_exact(r->b, r->n, m);
}

static void raw_repeat(struct raw *r, uint8_t type, const void *body, size_t len,
		       unsigned int times)
{
	for (unsigned int i = 0; i < times; i++)
		raw_add(r, type, body, len);
}

/* n proposals numbered from 1, each with one transform. */
static size_t sa_body(uint8_t *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = b + 16 * i;
		static const uint8_t tf[8] = {0, 0, 0, 8, IKE_TF_ENCR, 0, 0, 12};

		p[0] = i + 1 < n ? IKE_MORE_PROPOSALS : IKE_LAST_NONE;
		p[1] = 0;
		put16(p, 2, 16);
		p[4] = (uint8_t)(i + 1);
		p[5] = IKE_PROTO_IKE;
		p[6] = 0;
		p[7] = 1;
		memcpy(p + 8, tf, sizeof(tf));
	}
	return 16 * (size_t)n;
}

static void test_bad_counts(void **state)
{
	static const uint8_t notify[4] = {0, 0, 0x40, 0x00};
	static const uint8_t cert[3] = {IKE_CERT_X509_SIGNATURE, 0x30, 0};
	static const uint8_t del[4] = {IKE_PROTO_IKE, 0, 0, 0};
	static const uint8_t vid[4] = {'v', 'i', 'd', 0};
	uint8_t sa[16 * 9], nonce[16] = {0};
	struct ike_msg m;
	struct raw r;

	(void)state;
	raw_init(&r);
	raw_add(&r, IKE_PL_SA, sa, sa_body(sa, IKE_MSG_MAX_PROPOSALS));
	assert_int_equal(raw_decode(&r, &m), 0);
	assert_int_equal(m.im_prop[7].pp_num, 8);
	raw_init(&r);
	raw_add(&r, IKE_PL_SA, sa, sa_body(sa, 9));
	assert_int_equal(raw_decode(&r, &m), E(TOO_MANY_PROPOSALS));
	raw_init(&r);
	sa_body(sa, 2);
	sa[16 + 4] = 3; /* second proposal numbered 3 */
	raw_add(&r, IKE_PL_SA, sa, 32);
	assert_int_equal(raw_decode(&r, &m), E(BAD_PROPOSAL));

	/* 8 V + 16 N + 4 CERT + 4 CERTREQ + 8 D + 8 unknown: 48 payloads */
	raw_init(&r);
	raw_repeat(&r, IKE_PL_VENDOR, vid, sizeof(vid), IKE_MSG_MAX_VENDOR);
	raw_repeat(&r, IKE_PL_NOTIFY, notify, sizeof(notify), IKE_MSG_MAX_NOTIFY);
	raw_repeat(&r, IKE_PL_CERT, cert, sizeof(cert), IKE_MSG_MAX_CERT);
	raw_repeat(&r, IKE_PL_CERTREQ, cert, 1, IKE_MSG_MAX_CERTREQ);
	raw_repeat(&r, IKE_PL_DELETE, del, sizeof(del), IKE_MSG_MAX_DELETE);
	raw_repeat(&r, 200, vid, sizeof(vid), IKE_MSG_MAX_UNKNOWN);
	assert_int_equal(raw_decode(&r, &m), 0);
	assert_int_equal(m.im_n_order, IKE_MSG_MAX_PAYLOADS);
	assert_int_equal(m.im_order[47].pr_index, 7);
	assert_reencodes(r.b, r.n, &m);
	raw_add(&r, IKE_PL_NONCE, nonce, sizeof(nonce));
	assert_int_equal(raw_decode(&r, &m), E(TOO_MANY_PAYLOADS));

#define ONE_TOO_MANY(type, body, len, cap, err)                   \
	do {                                                      \
		raw_init(&r);                                     \
		raw_repeat(&r, (type), (body), (len), (cap) + 1); \
		assert_int_equal(raw_decode(&r, &m), E(err));     \
	} while (0)
	ONE_TOO_MANY(IKE_PL_VENDOR, vid, sizeof(vid), IKE_MSG_MAX_VENDOR, TOO_MANY_VENDOR_IDS);
	ONE_TOO_MANY(IKE_PL_NOTIFY, notify, sizeof(notify), IKE_MSG_MAX_NOTIFY, TOO_MANY_NOTIFIES);
	ONE_TOO_MANY(IKE_PL_CERT, cert, sizeof(cert), IKE_MSG_MAX_CERT, TOO_MANY_CERTS);
	ONE_TOO_MANY(IKE_PL_CERTREQ, cert, 1, IKE_MSG_MAX_CERTREQ, TOO_MANY_CERTREQS);
	ONE_TOO_MANY(IKE_PL_DELETE, del, sizeof(del), IKE_MSG_MAX_DELETE, TOO_MANY_DELETES);
	ONE_TOO_MANY(201, vid, sizeof(vid), IKE_MSG_MAX_UNKNOWN, TOO_MANY_UNKNOWN);
#undef ONE_TOO_MANY
}

struct crafted {
	int no;
	const char *what;
	uint8_t type;
	const char *body; /* hex */
	int expect;
};

/* One payload each (a Nonce first where SK must be preceded). */
static const struct crafted crafted[] = {
	{1, "TS count 0", IKE_PL_TSI, "00000000", E(BAD_TS)},
	{2, "TS count 9", IKE_PL_TSI, "09000000", E(TOO_MANY_TS)},
	{3, "TS count 255", IKE_PL_TSR, "ff000000", E(TOO_MANY_TS)},
	{4, "TS count 2, one there", IKE_PL_TSI,
	 "0200000007000010"
	 "0000ffff0a0000000a0000ff",
	 E(BAD_TS)},
	{5, "TS type 9", IKE_PL_TSI,
	 "0100000009000010"
	 "0000ffff0a0000000a0000ff",
	 E(BAD_TS)},
	{6, "IPv4 TS of IPv6 length", IKE_PL_TSI,
	 "0100000007000028"
	 "0000ffff0a0000000a0000ff",
	 E(BAD_TS)},
	{7, "TS with a trailing octet", IKE_PL_TSI,
	 "0100000007000010"
	 "0000ffff0a0000000a0000ff00",
	 E(BAD_TS)},
	{8, "TS IPv4 range", IKE_PL_TSI,
	 "0100000007000010"
	 "0000ffff0a0000000a0000ff",
	 0},
	{9, "Delete: 65535 SPIs in 4 octets", IKE_PL_DELETE, "0304ffff01020304", E(BAD_DELETE)},
	{10, "Delete: IKE with an SPI size", IKE_PL_DELETE, "0104000101020304", E(BAD_DELETE)},
	{11, "Delete: two ESP SPIs", IKE_PL_DELETE, "030400020102030405060708", 0},
	{12, "Delete: ESP SPI size 8", IKE_PL_DELETE, "0308000101020304050607", E(BAD_DELETE)},
	{13, "CP attribute past the end", IKE_PL_CP,
	 "01000000"
	 "00010008",
	 E(BAD_CP)},
	{14, "CP attribute header cut", IKE_PL_CP,
	 "01000000"
	 "0001",
	 E(BAD_CP)},
	{15, "CP request for an address", IKE_PL_CP,
	 "01000000"
	 "00010000",
	 0},
	{16, "IPv4 ID of 5 octets", IKE_PL_IDI, "010000000a00000102", E(BAD_ID)},
	{17, "empty ID", IKE_PL_IDR, "02000000", E(BAD_ID)},
	{18, "IPv6 ID of 4 octets", IKE_PL_IDR, "050000000a000001", E(BAD_ID)},
	{19, "AUTH without data", IKE_PL_AUTH, "02000000", E(BAD_AUTH)},
	{20, "EAP length 5 in 4", IKE_PL_EAP, "01010005", E(BAD_EAP)},
	{21, "EAP length 3", IKE_PL_EAP, "010100", E(BAD_PAYLOAD_LENGTH)},
	{22, "EAP success", IKE_PL_EAP, "03010004", 0},
	{23, "nonce of 257", IKE_PL_NONCE, NULL, E(BAD_NONCE)},
	{24, "notify SPI past the end", IKE_PL_NOTIFY, "0304400a010203", E(BAD_NOTIFY)},
	{25, "notify with a Child SA SPI", IKE_PL_NOTIFY, "0304400a01020304", 0},
	{26, "CERT without an encoding", IKE_PL_CERT, "", E(BAD_PAYLOAD_LENGTH)},
	{27, "SKF 2 of 1", IKE_PL_SKF, "00020001aabb", E(BAD_SK)},
	{28, "SKF 1 of 1", IKE_PL_SKF, "00010001aabb", 0},
	{29, "SKF cut", IKE_PL_SKF, "0001", E(BAD_PAYLOAD_LENGTH)},
	{30, "empty SK", IKE_PL_SK, "", 0},
};

static void test_bad_crafted(void **state)
{
	static uint8_t big[300];
	uint8_t body[PKT_MAX];
	struct ike_msg m;
	struct raw r;

	(void)state;
	for (size_t i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++) {
		const struct crafted *c = &crafted[i];
		size_t len = c->body != NULL ? strlen(c->body) / 2 : 257;
		int rc;

		raw_init(&r);
		raw_add(&r, c->type, c->body != NULL ? hex(c->body, body) : big, len);
		rc = raw_decode(&r, &m);
		if (rc != c->expect)
			fail_msg("crafted %d (%s): got %s, want %s", c->no, c->what,
				 ike_decode_err_name(rc), ike_decode_err_name(c->expect));
		if (rc == 0)
			assert_reencodes(r.b, r.n, &m);
	}
	/* SK followed by another payload; SK inside SK; TSi twice */
	raw_init(&r);
	raw_add(&r, IKE_PL_SK, big, 32);
	raw_add(&r, IKE_PL_NOTIFY, "\0\0\x40\0", 4);
	assert_int_equal(raw_decode(&r, &m), E(SK_NOT_LAST));
	assert_int_equal(ike_msg_decode_inner(IKE_PL_SKF, r.b + IKE_HDR_LEN, r.n - IKE_HDR_LEN, &m),
			 E(NESTED_SK));
	raw_init(&r);
	raw_add(&r, IKE_PL_TSI, hex(crafted[7].body, body), 20);
	raw_add(&r, IKE_PL_TSI, hex(crafted[7].body, body), 20);
	assert_int_equal(raw_decode(&r, &m), E(DUPLICATE_PAYLOAD));
	raw_init(&r); /* across the chains */
	raw_add(&r, IKE_PL_TSI, body, 20);
	assert_int_equal(raw_decode(&r, &m), 0);
	assert_int_equal(ike_msg_decode_inner(IKE_PL_TSI, r.b + IKE_HDR_LEN, 24, &m),
			 E(DUPLICATE_PAYLOAD));
	/* the nonce bounds themselves are fine (3.9) */
	raw_init(&r);
	raw_add(&r, IKE_PL_NONCE, big, IKE_NONCE_MAX);
	assert_int_equal(raw_decode(&r, &m), 0);
	raw_init(&r);
	raw_add(&r, IKE_PL_NONCE, big, IKE_NONCE_MIN - 1);
	assert_int_equal(raw_decode(&r, &m), E(BAD_NONCE));
	/* 17 CP attributes */
	memset(body, 0, 4 + 4 * 17);
	body[0] = 1;
	raw_init(&r);
	raw_add(&r, IKE_PL_CP, body, 4 + 4 * 17);
	assert_int_equal(raw_decode(&r, &m), E(TOO_MANY_CP_ATTRIBUTES));
}

/* ---- (5) built messages: every payload kind, the SK frame ---- */

static const uint8_t ke_data[64] = {19, 1, 2, 3};
static const uint8_t nonce_data[32] = {0xa5, 0x5a, 1, 2, 3};
static const uint8_t cookie_data[8] = {0xc0, 0x0c, 0x1e};
static const uint8_t nat_d[20] = {0x11, 0x22};
static const uint8_t vid_data[16] = {'d', 'm', 'v', 'p', 'n', 'd'};
static const uint8_t ca_hash[20] = {0xca};
static const uint8_t unk_data[5] = {1, 2, 3, 4, 5};
static const uint8_t cert_der[40] = {0x30, 0x82};
static const uint8_t psk_mac[32] = {0xab};
static const uint8_t esp_spis[8] = {0xc0, 0, 0, 1, 0xc0, 0, 0, 2};
static const uint8_t eap_msg[9] = {2, 7, 0, 9, 1, 'u', 's', 'e', 'r'};
static const uint8_t dns_addr[4] = {10, 0, 0, 53};

static void ref_add(struct ike_pld_ref *o, uint8_t *n, uint8_t type, uint8_t flags, uint8_t index)
{
	o[(*n)++] = (struct ike_pld_ref){type, flags, index};
}

static struct ike_blob blob(const void *p, size_t n)
{
	return (struct ike_blob){p, (uint16_t)n};
}

static void tf_add(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_len)
{
	p->pp_tf[p->pp_n_tf++] = (struct ike_transform){.tf_type = type,
							.tf_id = id,
							.tf_has_key_len = key_len != 0,
							.tf_key_len = key_len};
}

static void notify_add(struct ike_msg *m, struct ike_pld_ref *o, uint8_t *n, uint16_t type,
		       const void *data, size_t len)
{
	ref_add(o, n, IKE_PL_NOTIFY, 0, m->im_n_notify);
	m->im_notify[m->im_n_notify++] =
		(struct ike_notify){.nt_type = type, .nt_data = blob(data, len)};
}

/* IKE_SA_INIT-like, every clear payload kind: N, SA (GCM and CBC
 * offers, one with an 8-octet SPI), KE, Nonce, V, CERTREQ, an unknown
 * type, a notify with a Child SA SPI. */
static void build_clear(struct ike_msg *m)
{
	struct ike_proposal *p;

	ike_msg_init(m, IKE_EXCH_IKE_SA_INIT, IKE_FLAG_INITIATOR, 0);
	m->im_spi_i = 0x0102030405060708ull;
	notify_add(m, m->im_order, &m->im_n_order, IKE_N_COOKIE, cookie_data, sizeof(cookie_data));
	ref_add(m->im_order, &m->im_n_order, IKE_PL_SA, IKE_PAYLOAD_CRITICAL, 0);
	p = &m->im_prop[m->im_n_prop++];
	*p = (struct ike_proposal){.pp_num = 1, .pp_proto = IKE_PROTO_IKE};
	tf_add(p, IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	tf_add(p, IKE_TF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	tf_add(p, IKE_TF_DH, IKE_DH_ECP_256, 0);
	tf_add(p, IKE_TF_DH, IKE_DH_CURVE25519, 0);
	p = &m->im_prop[m->im_n_prop++];
	*p = (struct ike_proposal){
		.pp_num = 2, .pp_proto = IKE_PROTO_IKE, .pp_spi_len = 8, .pp_spi = {9, 8, 7}};
	tf_add(p, IKE_TF_ENCR, IKE_ENCR_AES_CBC, 128);
	tf_add(p, IKE_TF_PRF, IKE_PRF_HMAC_SHA2_384, 0);
	tf_add(p, IKE_TF_INTEG, IKE_AUTH_HMAC_SHA2_384_192, 0);
	tf_add(p, IKE_TF_DH, IKE_DH_MODP_2048, 0);
	ref_add(m->im_order, &m->im_n_order, IKE_PL_KE, 0, 0);
	m->im_ke_group = IKE_DH_ECP_256;
	m->im_ke_data = blob(ke_data, sizeof(ke_data));
	ref_add(m->im_order, &m->im_n_order, IKE_PL_NONCE, 0, 0);
	m->im_nonce = blob(nonce_data, sizeof(nonce_data));
	notify_add(m, m->im_order, &m->im_n_order, IKE_N_NAT_DETECTION_SOURCE_IP, nat_d,
		   sizeof(nat_d));
	ref_add(m->im_order, &m->im_n_order, IKE_PL_VENDOR, 0, 0);
	m->im_vendor[m->im_n_vendor++] = blob(vid_data, sizeof(vid_data));
	ref_add(m->im_order, &m->im_n_order, IKE_PL_CERTREQ, 0, 0);
	m->im_certreq[m->im_n_certreq++] =
		(struct ike_cert){IKE_CERT_X509_SIGNATURE, blob(ca_hash, sizeof(ca_hash))};
	ref_add(m->im_order, &m->im_n_order, 49, 0x01, 0);
	m->im_unknown[m->im_n_unknown++] = blob(unk_data, sizeof(unk_data));
	notify_add(m, m->im_order, &m->im_n_order, IKE_N_REKEY_SA, NULL, 0);
	m->im_notify[2].nt_proto = IKE_PROTO_ESP;
	m->im_notify[2].nt_spi_len = 4;
	memcpy(m->im_notify[2].nt_spi, esp_spis, 4);
}

static void ts_add(struct ike_ts_list *l, uint8_t type, uint8_t proto, uint8_t first, uint8_t last)
{
	struct ike_ts *t = &l->tl_ts[l->tl_n++];
	size_t alen = type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

	*t = (struct ike_ts){.ts_type = type, .ts_proto = proto, .ts_sport = 0, .ts_eport = 65535};
	memset(t->ts_saddr, first, alen);
	memset(t->ts_eaddr, last, alen);
}

/* The IKE_AUTH chain that goes inside SK (1.2, 2.16, 2.19), every kind. */
static void build_inner(struct ike_msg *m)
{
	struct ike_pld_ref *o = m->im_inner;
	uint8_t *n = &m->im_n_inner;
	struct ike_proposal *p;

	ref_add(o, n, IKE_PL_IDI, 0, 0);
	m->im_idi = (struct ike_id){IKE_ID_FQDN, blob("spoke1.example", 14)};
	ref_add(o, n, IKE_PL_CERT, 0, 0);
	m->im_cert[m->im_n_cert++] =
		(struct ike_cert){IKE_CERT_X509_SIGNATURE, blob(cert_der, sizeof(cert_der))};
	ref_add(o, n, IKE_PL_IDR, 0, 0);
	m->im_idr = (struct ike_id){IKE_ID_IPV4_ADDR, blob(dns_addr, 4)};
	ref_add(o, n, IKE_PL_AUTH, 0, 0);
	m->im_auth_method = IKE_AUTH_SHARED_KEY_MIC;
	m->im_auth_data = blob(psk_mac, sizeof(psk_mac));
	ref_add(o, n, IKE_PL_CP, 0, 0);
	m->im_cp_type = 1; /* CFG_REQUEST (3.15) */
	m->im_cp_attr[m->im_n_cp_attr++] = (struct ike_cp_attr){1, {NULL, 0}};
	m->im_cp_attr[m->im_n_cp_attr++] =
		(struct ike_cp_attr){3, blob(dns_addr, sizeof(dns_addr))};
	ref_add(o, n, IKE_PL_SA, 0, 0);
	p = &m->im_prop[m->im_n_prop++];
	*p = (struct ike_proposal){
		.pp_num = 1, .pp_proto = IKE_PROTO_ESP, .pp_spi_len = 4, .pp_spi = {0xc0, 0, 0, 9}};
	tf_add(p, IKE_TF_ENCR, IKE_ENCR_AES_GCM_16, 128);
	tf_add(p, IKE_TF_ESN, IKE_ESN_NONE, 0);
	tf_add(p, IKE_TF_ESN, IKE_ESN_ON, 0);
	ref_add(o, n, IKE_PL_TSI, 0, 0);
	ts_add(&m->im_tsi, IKE_TS_IPV4_ADDR_RANGE, 0, 10, 11);
	ts_add(&m->im_tsi, IKE_TS_IPV6_ADDR_RANGE, 0, 0, 0xff);
	ref_add(o, n, IKE_PL_TSR, 0, 0);
	ts_add(&m->im_tsr, IKE_TS_IPV4_ADDR_RANGE, 47, 192, 192);
	notify_add(m, o, n, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ref_add(o, n, IKE_PL_DELETE, 0, 0);
	m->im_delete[m->im_n_delete++] = (struct ike_delete){IKE_PROTO_ESP, 4, 2, esp_spis};
	ref_add(o, n, IKE_PL_DELETE, 0, 1);
	m->im_delete[m->im_n_delete++] = (struct ike_delete){IKE_PROTO_IKE, 0, 0, NULL};
	ref_add(o, n, IKE_PL_EAP, 0, 0);
	m->im_eap = blob(eap_msg, sizeof(eap_msg));
	ref_add(o, n, IKE_PL_VENDOR, 0, 0);
	m->im_vendor[m->im_n_vendor++] = blob(vid_data, 8);
	notify_add(m, o, n, IKE_N_INITIAL_CONTACT, NULL, 0);
}

/* Any cap short of the length is -ENOSPC, nothing written past it. */
static void assert_enospc_below(const struct ike_msg *m, size_t len, bool payloads)
{
	size_t olen;

	for (size_t cap = 0; cap < len; cap++) {
		uint8_t *buf = malloc(cap != 0 ? cap : 1);

		assert_int_equal(payloads ? ike_msg_encode_payloads(m, buf, cap, &olen)
					  : ike_msg_encode(m, buf, cap, &olen),
				 -ENOSPC);
		free(buf);
	}
}

static void test_roundtrip_clear(void **state)
{
	uint8_t a[PKT_MAX], b[PKT_MAX];
	struct ike_msg m, d;
	struct sb s1, s2;
	size_t la, lb;

	(void)state;
	build_clear(&m);
	assert_int_equal(ike_msg_encode(&m, a, sizeof(a), &la), 0);
	assert_int_equal(decode_exact(a, la, &d), 0);
	assert_int_equal(d.im_length, la);
	assert_string_equal(msg_fmt(&d, &s2), msg_fmt(&m, &s1));
	assert_int_equal(d.im_n_unknown, 1);
	assert_true(ike_msg_has(&d, IKE_PL_CERTREQ) && !ike_msg_has(&d, 49));
	assert_int_equal(ike_msg_encode(&d, b, sizeof(b), &lb), 0);
	assert_int_equal(lb, la);
	assert_memory_equal(a, b, la);
	assert_enospc_below(&m, la, false);
}

/* The crypto layer's path (ike_msg.h): plaintext, frame, fill, decode. */
static void sk_roundtrip(uint8_t sk_type)
{
	uint8_t plain[PKT_MAX], frame[PKT_MAX], again[PKT_MAX];
	struct ike_sk_frame sf;
	struct ike_msg m, d;
	struct sb s1, s2;
	size_t lp, body_len, padded, la;
	size_t hdrs = IKE_HDR_LEN + IKE_GEN_HDR_LEN + (sk_type == IKE_PL_SKF ? 4 : 0);

	ike_msg_init(&m, IKE_EXCH_IKE_AUTH, IKE_FLAG_INITIATOR, 1);
	m.im_spi_i = 0x0102030405060708ull;
	m.im_spi_r = 0x1112131415161718ull;
	build_inner(&m);
	ref_add(m.im_order, &m.im_n_order, sk_type, 0, 0);
	m.im_sk_first = m.im_inner[0].pr_type;
	m.im_skf_num = m.im_skf_total = sk_type == IKE_PL_SKF ? 1 : 0;
	assert_int_equal(ike_msg_encode_payloads(&m, plain, sizeof(plain), &lp), 0);
	assert_enospc_below(&m, lp, true);
	padded = (lp + 1 + 15) / 16 * 16;
	body_len = 16 + padded + 16; /* IV, AES-CBC blocks, ICV */
	memset(frame, 0xee, sizeof(frame));
	assert_int_equal(ike_msg_encode_sk_frame(&m, body_len, frame, hdrs + body_len, &sf), 0);
	assert_int_equal(sf.sf_body_off, hdrs);
	assert_int_equal(sf.sf_total_len, hdrs + body_len);
	assert_int_equal(frame[hdrs + body_len - 1], 0); /* room zeroed */
	assert_int_equal(ike_msg_encode_sk_frame(&m, body_len, again, hdrs + body_len - 1, &sf),
			 -ENOSPC);
	memcpy(frame + hdrs + 16, plain, lp); /* "encrypt" */
	frame[hdrs + 16 + padded - 1] = (uint8_t)(padded - lp - 1);
	assert_int_equal(decode_exact(frame, hdrs + body_len, &d), 0);
	assert_int_equal(d.im_sk_aad_len, hdrs);
	assert_int_equal(d.im_sk_body.bl_len, body_len);
	assert_int_equal(ike_msg_decode_inner(d.im_sk_first, d.im_sk_body.bl_data + 16, lp, &d), 0);
	m.im_sk_body = d.im_sk_body;
	m.im_sk_aad_len = (uint32_t)hdrs;
	assert_string_equal(msg_fmt(&d, &s2), msg_fmt(&m, &s1));
	assert_int_equal(ike_msg_encode(&d, again, sizeof(again), &la), 0);
	assert_int_equal(la, hdrs + body_len);
	assert_memory_equal(again, frame, la);
	assert_int_equal(ike_msg_encode_payloads(&d, again, sizeof(again), &la), 0);
	assert_int_equal(la, lp);
	assert_memory_equal(again, plain, lp);
}

static void test_roundtrip_sk(void **state)
{
	(void)state;
	sk_roundtrip(IKE_PL_SK);
	sk_roundtrip(IKE_PL_SKF);
}

static void test_encode_invalid(void **state)
{
	static uint8_t big[70000], buf[70000];
	struct ike_sk_frame sf;
	struct ike_msg m;
	size_t len;

	(void)state;
#define EXPECT_ENCODE(rc, setup)                                                    \
	do {                                                                        \
		build_clear(&m);                                                    \
		setup;                                                              \
		assert_int_equal(ike_msg_encode(&m, buf, sizeof(buf), &len), (rc)); \
	} while (0)
	EXPECT_ENCODE(-EINVAL, m.im_version = 0x10);
	EXPECT_ENCODE(-EINVAL, m.im_order[0].pr_index = 3); /* 3 notifies */
	EXPECT_ENCODE(-EINVAL, m.im_order[2].pr_index = 1); /* KE #1 */
	EXPECT_ENCODE(-EINVAL, m.im_order[7].pr_index = 1); /* unknown #1 */
	EXPECT_ENCODE(-EINVAL, m.im_order[2].pr_type = IKE_PL_SA);
	EXPECT_ENCODE(-EINVAL, m.im_order[2].pr_type = IKE_PL_NONE);
	EXPECT_ENCODE(-EINVAL, m.im_order[0].pr_type = IKE_PL_SK);
	EXPECT_ENCODE(-EINVAL, ref_add(m.im_inner, &m.im_n_inner, IKE_PL_SA, 0, 0));
	EXPECT_ENCODE(-EINVAL, ref_add(m.im_inner, &m.im_n_inner, IKE_PL_SK, 0, 0));
	EXPECT_ENCODE(-EINVAL, m.im_n_notify = IKE_MSG_MAX_NOTIFY + 1);
	EXPECT_ENCODE(-EINVAL, m.im_n_prop = IKE_MSG_MAX_PROPOSALS + 1);
	EXPECT_ENCODE(-EINVAL, m.im_prop[0].pp_n_tf = IKE_MSG_MAX_TRANSFORMS + 1);
	EXPECT_ENCODE(-EINVAL, m.im_prop[1].pp_spi_len = IKE_MSG_MAX_SPI_LEN + 1);
	EXPECT_ENCODE(-EINVAL, m.im_notify[2].nt_spi_len = IKE_MSG_MAX_SPI_LEN + 1);
	EXPECT_ENCODE(-EINVAL, m.im_n_order = IKE_MSG_MAX_PAYLOADS + 1);
	EXPECT_ENCODE(-EINVAL, m.im_nonce.bl_data = NULL);
	EXPECT_ENCODE(-EINVAL, m.im_vendor[0] = blob(NULL, 1));
	EXPECT_ENCODE(0, m.im_vendor[0] = blob(NULL, 0));
	EXPECT_ENCODE(-EMSGSIZE, m.im_vendor[0] = blob(big, IKE_PAYLOAD_MAX - 3));
	EXPECT_ENCODE(0, m.im_vendor[0] = blob(big, IKE_PAYLOAD_MAX - 4));
#undef EXPECT_ENCODE
	build_clear(&m);
	m.im_vendor[0] = blob(big, IKE_PAYLOAD_MAX - 4);
	assert_int_equal(ike_msg_encode(&m, buf, sizeof(buf), &len), 0);
	assert_int_equal(buf[16], IKE_PL_NOTIFY);
	assert_true(len > IKE_PAYLOAD_MAX);

	/* TS of an unknown type; a frame without SK; a body past 64 KiB */
	ike_msg_init(&m, IKE_EXCH_IKE_AUTH, 0, 1);
	build_inner(&m);
	m.im_tsr.tl_ts[0].ts_type = 9;
	assert_int_equal(ike_msg_encode_payloads(&m, buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(ike_msg_encode_sk_frame(&m, 64, buf, sizeof(buf), &sf), -EINVAL);
	m.im_tsr.tl_ts[0].ts_type = IKE_TS_IPV4_ADDR_RANGE;
	ref_add(m.im_order, &m.im_n_order, IKE_PL_SK, 0, 0);
	assert_int_equal(ike_msg_encode_sk_frame(&m, IKE_PAYLOAD_MAX - 3, big, sizeof(big), &sf),
			 -EMSGSIZE);
	assert_int_equal(ike_msg_encode_sk_frame(&m, IKE_PAYLOAD_MAX - 4, big, sizeof(big), &sf),
			 0);
}

/* ---- (6) random damage to real messages, exact-size buffers, ASan ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Whatever decodes re-encodes to a message that decodes equal, and to the
 * very input when nothing was ignored on the way in. */
static void mutate_one(const struct fx_pkt *src, uint32_t *seed, unsigned int *ok)
{
	uint8_t p[PKT_MAX], out[PKT_MAX];
	struct ike_msg m, d;
	struct sb s1, s2;
	size_t len = src->len, olen;
	int rc;

	memcpy(p, src->data, len);
	for (uint32_t k = rng_next(seed) % 4 + 1; k > 0; k--)
		p[rng_next(seed) % len] = (uint8_t)rng_next(seed);
	rc = decode_exact(p, len, &m);
	if (rc != 0 && rc != E(UNKNOWN_CRITICAL_PAYLOAD))
		return;
	(*ok)++;
	assert_int_equal(ike_msg_encode(&m, out, sizeof(out), &olen), 0);
	if (m.im_lossy == 0) {
		assert_int_equal(olen, len);
		assert_memory_equal(out, p, len);
	}
	/* what was ignored is not sent: the count goes */
	for (unsigned int i = 0; i < m.im_n_prop; i++)
		for (unsigned int j = 0; j < m.im_prop[i].pp_n_tf; j++)
			m.im_prop[i].pp_tf[j].tf_unknown_attrs = 0;
	rc = ike_msg_decode(out, olen, &d); /* m still borrows from the copy */
	assert_true(rc == 0 || rc == E(UNKNOWN_CRITICAL_PAYLOAD));
	assert_int_equal(d.im_lossy, 0);
	assert_string_equal(msg_fmt(&d, &s2), msg_fmt(&m, &s1));
}

static void test_mutations(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint32_t seed = 0x7296u;
	unsigned int ok = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(fx_files) / sizeof(fx_files[0]); f++) {
		size_t n = fixture_load(fx_files[f].file, pk, FX_MAX);

		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 500; k++)
				mutate_one(&pk[i], &seed, &ok);
	}
	assert_true(ok > 1000); /* the property was exercised, not skipped */
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ike_decode_err_name(0), "ok");
	assert_string_equal(ike_decode_err_name(E(SK_NOT_LAST)), "sk_not_last");
	assert_string_equal(ike_decode_err_name(IKE_DECODE_TRUNCATED), "truncated");
	assert_string_equal(ike_decode_err_name(-IKE_DECODE_COUNT), "unknown");
	for (int i = 1; i < IKE_DECODE_COUNT; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ike_decode_err_name(i), ike_decode_err_name(j));
	assert_string_equal(ike_payload_name(IKE_PL_SA), "SA");
	assert_string_equal(ike_payload_name(IKE_PL_SKF), "SKF");
	assert_string_equal(ike_payload_name(49), "unknown");
	assert_string_equal(ike_payload_name(255), "unknown");
	assert_string_equal(ike_payload_name(0), "unknown");
	assert_string_equal(ike_exchange_name(IKE_EXCH_CREATE_CHILD_SA), "CREATE_CHILD_SA");
	assert_string_equal(ike_exchange_name(33), "unknown");
	assert_string_equal(ike_notify_name(IKE_N_NAT_DETECTION_DESTINATION_IP),
			    "NAT_DETECTION_DESTINATION_IP");
	assert_string_equal(ike_notify_name(IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD),
			    "UNSUPPORTED_CRITICAL_PAYLOAD");
	assert_string_equal(ike_notify_name(2), "unknown");
	for (unsigned int t = 0; t < 256; t++)
		assert_int_equal(ike_payload_is_known((uint8_t)t),
				 strcmp(ike_payload_name((uint8_t)t), "unknown") != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_reencode_all),
		cmocka_unit_test(test_fixture_truncated),
		cmocka_unit_test(test_fixture_sa_init),
		cmocka_unit_test(test_fixture_sa_init_retry),
		cmocka_unit_test(test_fixture_encrypted),
		cmocka_unit_test(test_fixture_pi2),
		cmocka_unit_test(test_inner_pi2),
		cmocka_unit_test(test_fixture_natt),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_bad_table_details),
		cmocka_unit_test(test_fixture_lengths),
		cmocka_unit_test(test_bad_counts),
		cmocka_unit_test(test_bad_crafted),
		cmocka_unit_test(test_roundtrip_clear),
		cmocka_unit_test(test_roundtrip_sk),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
