/* NHRP codec against real captures (fields as tshark and tcpdump -v read
 * them), byte-identical re-encoding, built round trips of every type,
 * numbered malformed cases and exact-size buffers for ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "exact_copy.h"
#include "fixture_path.h"
#include "nhrp_msg.h"
#include "pcap_read.h"
#include "pcapng_read.h"

#define PKT_MAX 2048
#define FX_MAX 16

struct fx_pkt {
	uint8_t data[PKT_MAX];
	size_t len;
	bool has_key;
	uint32_t key;
};

/* ---- fixtures ---- */

static void fixture_path(char *buf, size_t n, const char *file)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "nhrp/%s", file);
	fixture_path_of(buf, n, rel);
}

/* Every NHRP packet of one capture, in order. */
static void fixture_keep(const struct nhrp_frame *fr, struct fx_pkt *out, size_t *n, size_t max)
{
	assert_true(*n < max && fr->nf_len <= PKT_MAX);
	memcpy(out[*n].data, fr->nf_nhrp, fr->nf_len);
	out[*n].len = fr->nf_len;
	out[*n].has_key = fr->nf_has_key;
	out[*n].key = fr->nf_key;
	(*n)++;
}

/* A pcapng capture: each frame through the same NHRP digger as pcap's,
 * with the frame's interface link type. */
static size_t fixture_load_ng(const char *path, struct fx_pkt *out, size_t max)
{
	struct pcapng_file nf;
	struct pcapng_rec nr;
	struct nhrp_frame fr;
	size_t n = 0;

	if (pcapng_open(&nf, path) != 0)
		fail_msg("cannot read %s as pcapng", path);
	while (pcapng_next(&nf, &nr) == 1) {
		struct pcap_file pf = {.pf_linktype = nr.nr_linktype};
		struct pcap_rec rec = {.pr_data = nr.nr_data, .pr_caplen = nr.nr_caplen};

		if (pcap_nhrp_payload(&pf, &rec, &fr) == 0)
			fixture_keep(&fr, out, &n, max);
	}
	pcapng_close(&nf);
	return n;
}

/* Every NHRP packet of one capture (pcap or pcapng), in order. */
static size_t fixture_load(const char *file, struct fx_pkt *out, size_t max)
{
	struct pcap_file pf;
	struct pcap_rec rec;
	struct nhrp_frame fr;
	char path[512];
	size_t n = 0, l = strlen(file);

	fixture_path(path, sizeof(path), file);
	if (l > 7 && strcmp(file + l - 7, ".pcapng") == 0)
		return fixture_load_ng(path, out, max);
	if (pcap_open(&pf, path) != 0)
		fail_msg("cannot read %s (set DMVPND_FIXTURES)", path);
	while (pcap_next(&pf, &rec) == 1)
		if (pcap_nhrp_payload(&pf, &rec, &fr) == 0)
			fixture_keep(&fr, out, &n, max);
	pcap_close(&pf);
	return n;
}

/* Decodes from an exact_copy: ASan traps a read past the end. */
static int decode_exact(const uint8_t *p, size_t len, struct nhrp_msg *m)
{
	return nhrp_msg_decode(exact_copy(p, len), len, m);
}

/* ---- a compact text form of a message, for readable expectations ---- */

struct sb {
	char s[2048];
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

static void sb_addr(struct sb *b, const struct nhrp_addr4 *a)
{
	uint32_t v = a->na_addr;

	if (!a->na_present)
		sb_add(b, "-");
	else
		sb_add(b, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static void sb_cies(struct sb *b, const char *name, const struct nhrp_cie *c, unsigned int n)
{
	sb_add(b, " %s[", name);
	for (unsigned int i = 0; i < n; i++) {
		sb_add(b, "%s%u/%u m%u h%u p%u ", i ? "; " : "", c[i].ce_code, c[i].ce_prefix_len,
		       c[i].ce_mtu, c[i].ce_holding_time, c[i].ce_pref);
		sb_addr(b, &c[i].ce_nbma);
		sb_add(b, "/");
		sb_addr(b, &c[i].ce_proto);
	}
	sb_add(b, "]");
}

static void sb_exts(struct sb *b, const struct nhrp_msg *m)
{
	sb_add(b, " ext[");
	for (unsigned int i = 0; i < m->nm_n_ext; i++) {
		const struct nhrp_ext_ref *x = &m->nm_ext[i];

		sb_add(b, "%s%04x", i ? " " : "", x->xr_type);
		if (x->xr_value != NULL)
			sb_add(b, ":%u", x->xr_len);
	}
	sb_add(b, "]");
	if (m->nm_n_responder)
		sb_cies(b, "resp", &m->nm_responder, m->nm_n_responder);
	if (m->nm_n_fwd)
		sb_cies(b, "fwd", m->nm_fwd, m->nm_n_fwd);
	if (m->nm_n_rev)
		sb_cies(b, "rev", m->nm_rev, m->nm_n_rev);
	if (nhrp_msg_has_ext(m, NHRP_EXT_AUTHENTICATION))
		sb_add(b, " auth=%u:%.*s", m->nm_auth_type, m->nm_auth_len,
		       (const char *)m->nm_auth);
	if (m->nm_n_nat)
		sb_cies(b, "nat", m->nm_nat, m->nm_n_nat);
}

static const char *msg_fmt(const struct nhrp_msg *m, struct sb *b)
{
	b->n = 0;
	sb_add(b, "t%u h%u f%04x", m->nm_type, m->nm_hop_count, m->nm_flags);
	if (m->nm_type == NHRP_TYPE_ERROR_INDICATION)
		sb_add(b, " err%u@%u", m->nm_err_code, m->nm_err_offset);
	else if (m->nm_type == NHRP_TYPE_TRAFFIC_INDICATION)
		sb_add(b, " tc%u", m->nm_traffic_code);
	else
		sb_add(b, " id%u", m->nm_request_id);
	sb_add(b, " ");
	sb_addr(b, &m->nm_src_nbma);
	sb_add(b, " ");
	sb_addr(b, &m->nm_src_proto);
	sb_add(b, ">");
	sb_addr(b, &m->nm_dst_proto);
	if (m->nm_type >= NHRP_TYPE_ERROR_INDICATION)
		sb_add(b, " q%u", m->nm_quoted_len);
	else
		sb_cies(b, "cie", m->nm_cie, m->nm_n_cie);
	sb_exts(b, m);
	return b->s;
}

/* Independent RFC 1071 checksum (not the codec's) over what pktsz claims,
 * clipped to the PKT_MAX bytes every test buffer has. */
static void fix_csum(uint8_t *p)
{
	size_t len = (size_t)p[10] << 8 | p[11];
	uint32_t sum = 0;

	p[12] = p[13] = 0;
	if (len > PKT_MAX)
		len = PKT_MAX;
	for (size_t i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	p[12] = (uint8_t)(~sum >> 8);
	p[13] = (uint8_t)~sum;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

/* decode -> encode must reproduce the packet byte for byte. */
static void assert_reencodes(const uint8_t *pkt, size_t len, const struct nhrp_msg *m)
{
	uint8_t out[PKT_MAX];
	size_t olen = 0;
	size_t pktsz = (size_t)pkt[10] << 8 | pkt[11];

	assert_int_equal(nhrp_msg_encode(m, out, sizeof(out), &olen), 0);
	assert_true(pktsz <= len);
	assert_int_equal(olen, pktsz);
	assert_memory_equal(out, pkt, olen);
}

/* ---- (1) fixture fields, (2) byte-identical re-encoding ---- */

struct fx_expect {
	const char *file;
	unsigned int idx; /* n-th NHRP packet of the capture */
	int64_t key;      /* GRE key, -1: none */
	const char *msg;
};

/* Read off `tshark -V` and the .tcpdump-v.out files: types, hop counts,
 * flags, request IDs, addresses, CIE prefix/MTU/holding time, extension
 * order with C bits, cleartext passwords, NAT extension CIEs. */
static const struct fx_expect fx_expect[] = {
	{"NHRP_registration.pcap", 0, 2,
	 "t3 h255 f8002 id1 169.254.100.1 155.1.0.1>155.1.0.5 cie[0/32 m17912 h7200 p0 -/-]"
	 " ext[8003 8004 8005 8007 0009] auth=1:NHRPAUTH"
	 " nat[0/32 m17912 h0 p0 169.254.100.5/155.1.0.5]"},
	{"NHRP_registration.pcap", 1, 2,
	 "t4 h255 f8002 id1 169.254.100.1 155.1.0.1>155.1.0.5 cie[0/32 m17912 h7200 p0 -/-]"
	 " ext[8003 8004 8005 8007 0009] resp[0/32 m17912 h7200 p0 169.254.100.5/155.1.0.5]"
	 " auth=1:NHRPAUTH nat[0/32 m17912 h0 p0 169.254.100.5/155.1.0.5]"},
	{"NHRP_registration.pcap", 3, 2,
	 "t4 h255 f8002 id2 169.254.100.1 155.1.0.1>155.1.0.5 cie[0/32 m17912 h7200 p0 -/-]"
	 " ext[8003 8004 8005 8007 0009] resp[0/32 m17912 h7200 p0 169.254.100.5/155.1.0.5]"
	 " auth=1:NHRPAUTH nat[0/32 m17912 h0 p0 169.254.100.5/155.1.0.5]"},
	{"ios_nhrp.pcap", 0, -1,
	 "t3 h255 f8000 id5 10.0.12.2 192.168.0.2>192.168.0.1 cie[0/255 m1514 h30 p0 -/-]"
	 " ext[8003 8004 8005 8007] auth=1:CISCO"},
	{"nhrp-trace.pcap", 0, 1000,
	 "t8 h255 f0000 tc0 192.168.200.1 10.255.255.1>10.255.255.3 q28"
	 " ext[8004 8005 8007 0009] auth=1:secret"},
	{"nhrp-trace.pcap", 1, 1000,
	 "t1 h255 fc802 id5 192.168.200.3 10.255.255.3>10.255.255.2"
	 " cie[0/0 m1514 h7200 p0 -/-] ext[8003 8004 8005 8007 0009] auth=1:secret"},
	{"nhrp-trace.pcap", 2, 1000,
	 "t1 h254 fc802 id5 192.168.200.3 10.255.255.3>10.255.255.2"
	 " cie[0/0 m1514 h7200 p0 -/-] ext[8003 8004 8005 8007 0009]"
	 " fwd[0/0 m1514 h7200 p0 192.168.200.1/10.255.255.1] auth=1:secret"},
	{"nhrp-trace.pcap", 3, 1000,
	 "t2 h255 ff802 id5 192.168.200.3 10.255.255.3>10.255.255.2"
	 " cie[0/32 m1514 h7200 p0 192.168.200.2/10.255.255.2] ext[8003 8004 8005 8007 0009]"
	 " resp[0/0 m1514 h7200 p0 192.168.200.2/10.255.255.2]"
	 " fwd[0/0 m1514 h7200 p0 192.168.200.1/10.255.255.1] auth=1:secret"},
	{"frr-nhrpd-phase3-cleartext.pcap", 0, 42,
	 "t3 h1 f0002 id1 198.51.100.11 10.255.0.11>10.255.0.11 cie[0/32 m0 h600 p0 -/-]"
	 " ext[8004 8005 8003 0009] nat[0/32 m0 h0 p0 198.51.100.1/0.0.0.0]"},
	{"frr-nhrpd-phase3-cleartext.pcap", 1, 42,
	 "t4 h64 f0002 id1 198.51.100.11 10.255.0.11>10.255.0.1 cie[0/32 m0 h600 p0 -/-]"
	 " ext[8004 8005 8003 0009] resp[0/0 m0 h600 p0 198.51.100.1/10.255.0.1]"
	 " nat[0/32 m0 h0 p0 198.51.100.1/0.0.0.0]"},
	{"frr-nhrpd-phase3-cleartext.pcap", 4, 42,
	 "t8 h1 f0000 tc0 198.51.100.1 10.255.0.1>10.255.0.11 q84 ext[]"},
	{"frr-nhrpd-phase3-cleartext.pcap", 5, 42,
	 "t1 h64 fc802 id2 198.51.100.11 10.255.0.11>10.255.0.12 cie[0/32 m0 h600 p0 -/-]"
	 " ext[8004 8005 8003 0009]"},
	{"frr-nhrpd-phase3-cleartext.pcap", 6, 42,
	 "t1 h63 fc802 id2 198.51.100.11 10.255.0.11>10.255.0.12 cie[0/32 m0 h600 p0 -/-]"
	 " ext[8004 8005 8003 0009] fwd[0/0 m0 h600 p0 198.51.100.1/10.255.0.1]"},
	{"frr-nhrpd-phase3-cleartext.pcap", 8, 42,
	 "t2 h63 fe800 id2 198.51.100.11 10.255.0.11>10.255.0.12"
	 " cie[0/32 m0 h600 p0 198.51.100.12/10.255.0.12] ext[8004 8005 8003 0009]"
	 " resp[0/0 m0 h600 p0 198.51.100.12/10.255.0.12]"
	 " fwd[0/0 m0 h600 p0 198.51.100.1/10.255.0.1]"
	 " rev[0/0 m0 h600 p0 198.51.100.1/10.255.0.1]"},
};
;
;

static void test_fixture_fields(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct nhrp_msg m;
	struct sb b;

	(void)state;
	for (size_t i = 0; i < sizeof(fx_expect) / sizeof(fx_expect[0]); i++) {
		const struct fx_expect *e = &fx_expect[i];
		size_t n = fixture_load(e->file, pk, FX_MAX);
		const struct fx_pkt *p = &pk[e->idx];

		assert_true(e->idx < n);
		assert_int_equal(decode_exact(p->data, p->len, &m), 0);
		assert_string_equal(msg_fmt(&m, &b), e->msg);
		assert_int_equal(p->has_key, e->key >= 0);
		if (e->key >= 0)
			assert_int_equal(p->key, e->key);
	}
}

/* Quoted packets: the Traffic Indication quote stops at ar$extoff, not at
 * the inner IP length (100) as Wireshark would have it. */
static void test_fixture_quoted(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct nhrp_msg m;

	(void)state;
	assert_int_equal(fixture_load("nhrp-trace.pcap", pk, FX_MAX), 4);
	assert_int_equal(nhrp_msg_decode(pk[0].data, pk[0].len, &m), 0);
	assert_ptr_equal(m.nm_quoted, pk[0].data + 40);
	assert_int_equal(m.nm_quoted_len, 68 - 40);
	assert_int_equal(m.nm_quoted[0], 0x45);
	assert_int_equal(m.nm_quoted[9], 1); /* ICMP */
}

/* Known-bad captures and what they must fail with; every other NHRP
 * packet in fixtures/nhrp must decode and re-encode byte for byte. */
static int fixture_expected_rc(const char *file)
{
	return strcmp(file, "pb_nhrp_1.pcap") == 0 ? -NHRP_DECODE_TRUNCATED : 0;
}

static void test_fixture_reencode_all(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct nhrp_msg m;
	struct dirent *de;
	char dir[512];
	size_t total = 0;
	DIR *d;

	(void)state;
	fixture_path(dir, sizeof(dir), "");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), n;

		/* Captures in either format; the tcpdump text beside them is
		 * what the fixtures' provenance compares against. */
		if (!(l > 5 && strcmp(de->d_name + l - 5, ".pcap") == 0) &&
		    !(l > 7 && strcmp(de->d_name + l - 7, ".pcapng") == 0))
			continue;
		n = fixture_load(de->d_name, pk, FX_MAX);
		if (n == 0 && fixture_expected_rc(de->d_name) == 0)
			fail_msg("%s: no NHRP packet found", de->d_name);
		for (size_t i = 0; i < n; i++, total++) {
			int rc = decode_exact(pk[i].data, pk[i].len, &m);

			if (rc != fixture_expected_rc(de->d_name))
				fail_msg("%s #%zu: %s", de->d_name, i, nhrp_decode_err_name(rc));
			if (rc == 0)
				assert_reencodes(pk[i].data, pk[i].len, &m);
		}
	}
	closedir(d);
	assert_true(total >= 19);
}

static void le32_put(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	assert_int_equal(fwrite(b, 1, 4, f), 4);
}

/* A pcapng copy of a classic capture (SHB, IDB, one EPB per frame, little
 * endian) reads back as the same NHRP packets: fixtures in either format
 * are read, none skipped. */
static void test_fixture_pcapng(void **state)
{
	static struct fx_pkt a[FX_MAX], b[FX_MAX];
	static const uint8_t pad[4];
	char src[512], dst[] = "/tmp/nhrp_fx_XXXXXX.pcapng";
	struct pcap_file pf;
	struct pcap_rec rec;
	size_t na, nb;
	int fd = mkstemps(dst, 7);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

	(void)state;
	assert_non_null(f);
	fixture_path(src, sizeof(src), "nhrp-trace.pcap");
	assert_int_equal(pcap_open(&pf, src), 0);
	le32_put(f, PCAPNG_BT_SHB), le32_put(f, 28), le32_put(f, PCAPNG_BOM);
	le32_put(f, 1), le32_put(f, UINT32_MAX), le32_put(f, UINT32_MAX), le32_put(f, 28);
	le32_put(f, PCAPNG_BT_IDB), le32_put(f, 20), le32_put(f, pf.pf_linktype);
	le32_put(f, 65535), le32_put(f, 20);
	while (pcap_next(&pf, &rec) == 1) {
		uint32_t padded = (uint32_t)(rec.pr_caplen + 3) & ~3u;

		le32_put(f, PCAPNG_BT_EPB), le32_put(f, 32 + padded), le32_put(f, 0);
		le32_put(f, 0), le32_put(f, 0), le32_put(f, (uint32_t)rec.pr_caplen);
		le32_put(f, (uint32_t)rec.pr_caplen);
		assert_int_equal(fwrite(rec.pr_data, 1, rec.pr_caplen, f), rec.pr_caplen);
		assert_int_equal(fwrite(pad, 1, padded - rec.pr_caplen, f), padded - rec.pr_caplen);
		le32_put(f, 32 + padded);
	}
	pcap_close(&pf);
	assert_int_equal(fclose(f), 0);
	na = fixture_load("nhrp-trace.pcap", a, FX_MAX);
	nb = fixture_load_ng(dst, b, FX_MAX);
	unlink(dst);
	assert_int_equal(na, 4);
	assert_int_equal(nb, na);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(b[i].len, a[i].len);
		assert_memory_equal(b[i].data, a[i].data, a[i].len);
	}
}

/* The well-formed captures. */
static const char *const good_files[] = {"NHRP_registration.pcap", "ios_nhrp.pcap",
					 "nhrp-trace.pcap", "frr-nhrpd-phase3-cleartext.pcap"};

/* Every strict prefix of every real packet is "truncated", never more. */
static void test_fixture_truncated(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	struct nhrp_msg m;

	(void)state;
	for (size_t f = 0; f < sizeof(good_files) / sizeof(good_files[0]); f++) {
		size_t n = fixture_load(good_files[f], pk, FX_MAX);

		for (size_t i = 0; i < n; i++)
			for (size_t len = 0; len < pk[i].len; len++)
				assert_int_equal(decode_exact(pk[i].data, len, &m),
						 -NHRP_DECODE_TRUNCATED);
	}
}

/* ---- (4) numbered malformed cases ---- */

struct patch {
	uint16_t off;
	uint8_t width; /* 0: unused slot */
	uint16_t val;
};

/* clang-format off */
#define P8(o, v)  {(o), 1, (v)}
#define P16(o, v) {(o), 2, (v)}
#define E(reason) (-NHRP_DECODE_##reason)
/* clang-format on */

struct bad_case {
	int no;
	const char *what;
	struct patch p[3];
	size_t len; /* bytes handed to decode; 0: the base packet's */
	bool fix;   /* recompute ar$chksum after patching */
	int expect;
};

/* Base: ios_nhrp.pcap, 81 bytes. Offsets: 10 pktsz, 12 chksum, 14 extoff,
 * 18 shtl, 20 spl, 28 addresses, 40 CIE (48 T/L, 50 proto len), 52 ext 3,
 * 56 ext 4, 60 ext 5, 64 ext 7 (len at 66), 77 End. */
static const struct bad_case bad_cases[] = {
	{1, "pktsz beyond the buffer", {P16(10, 200)}, 0, false, E(TRUNCATED)},
	{2, "pktsz below the fixed header", {P16(10, 19)}, 0, false, E(BAD_LENGTH)},
	{3, "pktsz below fixed + mandatory header", {P16(10, 27)}, 0, false, E(BAD_LENGTH)},
	{4, "pktsz drops End", {P16(10, 77)}, 0, true, E(EXTENSION_MISSING_END)},
	{5, "pktsz cuts the auth value", {P16(10, 70)}, 0, true, E(BAD_EXTENSION)},
	{6, "extoff in the common header", {P16(14, 24)}, 0, true, E(BAD_EXTENSION_OFFSET)},
	{7, "extoff in the addresses", {P16(14, 34)}, 0, true, E(BAD_EXTENSION_OFFSET)},
	{8, "extoff in the CIE", {P16(14, 46)}, 0, true, E(BAD_CIE)},
	{9, "extoff past pktsz", {P16(14, 82)}, 0, true, E(BAD_EXTENSION_OFFSET)},
	{10, "extoff at pktsz: exts parse as a CIE", {P16(14, 81)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{11, "pktsz leaves half an ext header", {P16(10, 79)}, 0, true, E(BAD_EXTENSION)},
	{12, "CIE protocol address past its part", {P8(50, 4)}, 0, true, E(BAD_CIE)},
	{13, "extension length past the end", {P16(66, 255)}, 0, true, E(BAD_EXTENSION)},
	{14, "End with a length", {P16(79, 4)}, 0, true, E(BAD_EXTENSION)},
	{15, "data after End", {P16(10, 85)}, 85, true, E(BAD_EXTENSION)},
	{16,
	 "unknown compulsory extension",
	 {P16(60, 0x8123)},
	 0,
	 true,
	 E(UNKNOWN_COMPULSORY_EXTENSION)},
	{17, "unknown optional extension kept", {P16(60, 0x0123)}, 0, true, 0},
	{18, "responder address twice", {P16(56, 0x8003)}, 0, true, E(DUPLICATE_EXTENSION)},
	{19, "checksum off by one", {P16(12, 0xe8e5)}, 0, false, E(BAD_CHECKSUM)},
	{20, "afn 2 (IPv6 NBMA)", {P16(0, 2)}, 0, true, E(BAD_AFN)},
	{21, "protocol 0x86dd", {P16(2, 0x86dd)}, 0, true, E(BAD_PROTOCOL)},
	{22, "version 2", {P8(16, 2)}, 0, true, E(BAD_VERSION)},
	{23, "type 0", {P8(17, 0)}, 0, true, E(UNSUPPORTED_TYPE)},
	{24, "type 9", {P8(17, 9)}, 0, true, E(UNSUPPORTED_TYPE)},
	{25, "source NBMA length 16", {P8(18, 16)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{26, "source NBMA E.164 type", {P8(18, 0x44)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{27, "source NBMA subaddress", {P8(19, 4)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{28, "source protocol length 16", {P8(20, 16)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{29, "CIE NBMA length 16", {P8(48, 16)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{30, "CIE NBMA subaddress", {P8(49, 4)}, 0, true, E(BAD_ADDRESS_LENGTH)},
	{31, "hop count 0 decodes: forwarding decides (5.1)", {P8(9, 0)}, 0, true, 0},
	{32, "auth shorter than its type word", {P16(66, 3)}, 0, true, E(BAD_AUTHENTICATION)},
	{33, "auth password of 9 bytes", {P16(66, 13)}, 0, true, E(BAD_AUTHENTICATION)},
	{34, "no exts, pktsz cuts addresses", {P16(14, 0), P16(10, 34)}, 0, true, E(BAD_LENGTH)},
	{35, "no exts, pktsz cuts the CIE", {P16(14, 0), P16(10, 46)}, 0, true, E(BAD_CIE)},
	{36, "ext u bit kept verbatim", {P16(56, 0xc004)}, 0, true, 0},
};

static void test_bad_table(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint8_t buf[PKT_MAX];
	struct nhrp_msg m;

	(void)state;
	assert_int_equal(fixture_load("ios_nhrp.pcap", pk, FX_MAX), 1);
	assert_int_equal(pk[0].len, 81);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len != 0 ? c->len : pk[0].len;
		int rc;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, pk[0].data, pk[0].len);
		for (size_t j = 0; j < 3; j++) {
			if (c->p[j].width == 1)
				buf[c->p[j].off] = (uint8_t)c->p[j].val;
			else if (c->p[j].width == 2)
				put16(buf, c->p[j].off, c->p[j].val);
		}
		if (c->fix)
			fix_csum(buf);
		rc = decode_exact(buf, len, &m);
		if (rc != c->expect)
			fail_msg("case %d (%s): got %s, want %s", c->no, c->what,
				 nhrp_decode_err_name(rc), nhrp_decode_err_name(c->expect));
	}
}

/* Details behind table cases 16, 17, 31 and 36. */
static void test_bad_table_details(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint8_t buf[PKT_MAX];
	struct nhrp_msg m;
	size_t len;

	(void)state;
	fixture_load("ios_nhrp.pcap", pk, FX_MAX);
	memcpy(buf, pk[0].data, pk[0].len);
	put16(buf, 60, 0x8123);
	fix_csum(buf);
	assert_int_equal(nhrp_msg_decode(buf, 81, &m), -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION);
	/* Complete all the same: a transit NHS may forward it. */
	assert_int_equal(m.nm_unrecognized_off, 60);
	assert_int_equal(m.nm_ext_unknown, 1);
	assert_int_equal(m.nm_auth_len, 5);
	assert_reencodes(buf, 81, &m);

	put16(buf, 60, 0x0123);
	fix_csum(buf);
	assert_int_equal(nhrp_msg_decode(buf, 81, &m), 0);
	assert_int_equal(m.nm_ext_unknown, 1);
	assert_int_equal(m.nm_ext[2].xr_type, 0x0123);
	assert_reencodes(buf, 81, &m);

	/* Hop count 0: decoded as is; refused on the way out for a
	 * Registration Request, accepted once the handler sets one. */
	memcpy(buf, pk[0].data, pk[0].len);
	buf[9] = 0;
	fix_csum(buf);
	assert_int_equal(nhrp_msg_decode(buf, 81, &m), 0);
	assert_int_equal(m.nm_hop_count, 0);
	assert_int_equal(nhrp_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	m.nm_hop_count = 1;
	assert_int_equal(nhrp_msg_encode(&m, buf, sizeof(buf), &len), 0);
}

/* ---- (3) built messages of every type, every extension ---- */

static struct nhrp_cie cie_make(uint8_t code, uint32_t nbma, uint32_t proto)
{
	return (struct nhrp_cie){.ce_code = code,
				 .ce_prefix_len = 32,
				 .ce_mtu = 1400,
				 .ce_holding_time = 7200,
				 .ce_pref = 1,
				 .ce_nbma = {nbma, nbma != 0},
				 .ce_proto = {proto, proto != 0}};
}

static void ext_add(struct nhrp_msg *m, uint16_t type, const void *raw, uint16_t len)
{
	assert_true(m->nm_n_ext < NHRP_MSG_MAX_EXT);
	m->nm_ext[m->nm_n_ext++] =
		(struct nhrp_ext_ref){.xr_type = type, .xr_len = len, .xr_value = raw};
}

static const uint8_t quoted_ip[28] = {0x45, 0, 0,  28, 0, 1, 0, 0, 64,   1,    0, 0, 10, 1,
				      0,    1, 10, 2,  0, 1, 8, 0, 0xf7, 0xfe, 0, 1, 0,  0};
static const uint8_t vendor_raw[7] = {0x00, 0x00, 0x0c, 'x', 'y', 'z', '!'};

/* A message as the control plane would build it, all extensions on
 * (an Error Indication carries none, 5.2.7). */
static void build(struct nhrp_msg *m, uint8_t type)
{
	nhrp_msg_init(m, type);
	m->nm_flags = NHRP_FLAG_CISCO_NAT | (type <= 2 ? NHRP_FLAG_RES_Q : 0);
	m->nm_request_id = 0x01020300u + type;
	m->nm_src_nbma = (struct nhrp_addr4){0xc0000201, true};
	m->nm_src_proto = (struct nhrp_addr4){0x0a000001, true};
	m->nm_dst_proto = (struct nhrp_addr4){0x0a000002, true};
	if (type == NHRP_TYPE_ERROR_INDICATION) {
		m->nm_err_code = NHRP_ERR_UNRECOGNIZED_EXTENSION;
		m->nm_err_offset = 52;
		m->nm_quoted = quoted_ip;
		m->nm_quoted_len = sizeof(quoted_ip);
		return;
	}
	if (type == NHRP_TYPE_TRAFFIC_INDICATION) {
		m->nm_quoted = quoted_ip;
		m->nm_quoted_len = sizeof(quoted_ip);
	} else {
		m->nm_cie[m->nm_n_cie++] = cie_make(0, 0, 0);
		m->nm_cie[m->nm_n_cie++] = cie_make(0, 0xc0000202, 0x0a000002);
	}
	ext_add(m, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER_ADDRESS, NULL, 0);
	if (type % 2 == 0 && type < NHRP_TYPE_ERROR_INDICATION) {
		m->nm_responder = cie_make(0, 0xc0000202, 0x0a000002);
		m->nm_n_responder = 1;
	}
	ext_add(m, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT, NULL, 0);
	m->nm_fwd[m->nm_n_fwd++] = cie_make(0, 0xc0000203, 0x0a000003);
	m->nm_fwd[m->nm_n_fwd++] = cie_make(0, 0xc0000204, 0x0a000004);
	ext_add(m, NHRP_EXT_COMPULSORY | NHRP_EXT_REVERSE_TRANSIT, NULL, 0);
	m->nm_rev[m->nm_n_rev++] = cie_make(0, 0xc0000204, 0x0a000004);
	ext_add(m, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTHENTICATION, NULL, 0);
	m->nm_auth_type = NHRP_AUTH_CISCO_CLEARTEXT;
	m->nm_auth_len = 7;
	memcpy(m->nm_auth, "dmvpn42", 7);
	ext_add(m, NHRP_EXT_CISCO_NAT_ADDRESS, NULL, 0);
	m->nm_nat[m->nm_n_nat++] = cie_make(0, 0xcb007101, 0x0a000001);
	ext_add(m, NHRP_EXT_VENDOR_PRIVATE, vendor_raw, sizeof(vendor_raw));
}

static void test_roundtrip_built(void **state)
{
	uint8_t a[PKT_MAX], b2[PKT_MAX];
	struct nhrp_msg m, d;
	struct sb s1, s2;
	size_t la, lb;

	(void)state;
	for (uint8_t t = 1; t <= 8; t++) {
		build(&m, t);
		assert_int_equal(nhrp_msg_encode(&m, a, sizeof(a), &la), 0);
		assert_int_equal(decode_exact(a, la, &d), 0);
		assert_string_equal(msg_fmt(&d, &s2), msg_fmt(&m, &s1));
		assert_int_equal(d.nm_request_id,
				 t < NHRP_TYPE_ERROR_INDICATION ? m.nm_request_id : 0);
		assert_int_equal(d.nm_ext_unknown, t == 7 ? 0 : 1);
		assert_int_equal(nhrp_msg_decode(a, la, &d), 0);
		assert_int_equal(nhrp_msg_encode(&d, b2, sizeof(b2), &lb), 0);
		assert_int_equal(lb, la);
		assert_memory_equal(a, b2, la);
		/* extoff is 0 exactly when there are no extensions */
		assert_int_equal(a[14] == 0 && a[15] == 0, t == 7);
		/* Any cap short of la is -ENOSPC, and nothing is written past
		 * it (ASan watches the exact-size buffer). */
		for (size_t cap = 0; cap < la; cap++) {
			uint8_t *buf = malloc(cap != 0 ? cap : 1);

			assert_int_equal(nhrp_msg_encode(&m, buf, cap, &lb), -ENOSPC);
			free(buf);
		}
	}
}

static void test_encode_invalid(void **state)
{
	static uint8_t big[70000], quote[UINT16_MAX];
	uint8_t buf[PKT_MAX];
	struct nhrp_msg m;
	size_t len;

	(void)state;
#define EXPECT_EINVAL(setup)                                                            \
	do {                                                                            \
		build(&m, NHRP_TYPE_REGISTRATION_REQUEST);                              \
		setup;                                                                  \
		assert_int_equal(nhrp_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL); \
	} while (0)
	EXPECT_EINVAL(m.nm_type = 0);
	EXPECT_EINVAL(m.nm_type = 9);
	EXPECT_EINVAL(m.nm_version = 2);
	EXPECT_EINVAL(m.nm_hop_count = 0);
	EXPECT_EINVAL(m.nm_n_cie = NHRP_MSG_MAX_CIE + 1);
	EXPECT_EINVAL(m.nm_n_responder = 2);
	EXPECT_EINVAL(m.nm_auth_len = NHRP_AUTH_PASSWORD_MAX + 1);
	EXPECT_EINVAL(m.nm_quoted_len = 4);
	EXPECT_EINVAL(ext_add(&m, NHRP_EXT_FORWARD_TRANSIT, NULL, 0));
	EXPECT_EINVAL(ext_add(&m, NHRP_EXT_COMPULSORY | NHRP_EXT_END, NULL, 0));
	EXPECT_EINVAL(ext_add(&m, 0x0123, NULL, 0));
	EXPECT_EINVAL(m.nm_n_ext = 3);                           /* drops auth and NAT entries */
	EXPECT_EINVAL(m.nm_type = NHRP_TYPE_TRAFFIC_INDICATION); /* CIEs */
	EXPECT_EINVAL(m.nm_type = NHRP_TYPE_ERROR_INDICATION; m.nm_n_cie = 0);
#undef EXPECT_EINVAL
	build(&m, NHRP_TYPE_TRAFFIC_INDICATION);
	m.nm_hop_count = 0;
	assert_int_equal(nhrp_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	build(&m, NHRP_TYPE_RESOLUTION_REQUEST);
	m.nm_hop_count = 0; /* allowed: only 3, 4 and 8 must not go out so */
	assert_int_equal(nhrp_msg_encode(&m, buf, sizeof(buf), &len), 0);
	build(&m, NHRP_TYPE_ERROR_INDICATION);
	m.nm_quoted = quote;
	m.nm_quoted_len = UINT16_MAX;
	assert_int_equal(nhrp_msg_encode(&m, big, sizeof(big), &len), -EMSGSIZE);
}

/* ---- (4, continued) malformed cases that need crafted packets ---- */

static size_t cie_raw(uint8_t *p, unsigned int n)
{
	static const uint8_t one[20] = {0, 32, 0,   0, 0x05, 0xdc, 0x1c, 0x20, 4, 0,
					4, 0,  192, 0, 2,    9,    10,   0,    0, 9};

	for (unsigned int i = 0; i < n; i++)
		memcpy(p + 20 * i, one, sizeof(one));
	return 20 * (size_t)n;
}

/* Encodes a bare Resolution Request plus one verbatim extension. */
static size_t craft(uint8_t *out, uint16_t ext_type, const uint8_t *raw, uint16_t raw_len)
{
	struct nhrp_msg m;
	size_t len;

	nhrp_msg_init(&m, NHRP_TYPE_RESOLUTION_REQUEST);
	m.nm_src_nbma = (struct nhrp_addr4){0xc0000201, true};
	m.nm_src_proto = (struct nhrp_addr4){0x0a000001, true};
	m.nm_dst_proto = (struct nhrp_addr4){0x0a000002, true};
	if (raw != NULL)
		ext_add(&m, ext_type, raw, raw_len);
	assert_int_equal(nhrp_msg_encode(&m, out, PKT_MAX, &len), 0);
	return len;
}

/* Opens n bytes at off (before or in the extension part), fixing pktsz,
 * extoff and the checksum, as a sender with a buggy encoder would. */
static size_t insert(uint8_t *p, size_t len, size_t off, const uint8_t *b, size_t n)
{
	size_t extoff = (size_t)p[14] << 8 | p[15];

	memmove(p + off + n, p + off, len - off);
	memcpy(p + off, b, n);
	put16(p, 10, (uint16_t)(len + n));
	if (extoff != 0 && off < extoff)
		put16(p, 14, (uint16_t)(extoff + n));
	fix_csum(p);
	return len + n;
}

static void test_bad_crafted(void **state)
{
	static const uint8_t empty_ext[4] = {0x01, 0x23, 0, 0};
	uint8_t raw[PKT_MAX], p[PKT_MAX];
	struct nhrp_msg m;
	size_t len;

	(void)state;
	/* 40: responder address with two CIEs */
	len = craft(p, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER_ADDRESS, raw,
		    (uint16_t)cie_raw(raw, 2));
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_TOO_MANY_CIES);
	/* 41: forward transit record with 17 NHSs */
	len = craft(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT, raw,
		    (uint16_t)cie_raw(raw, NHRP_MSG_MAX_TRANSIT + 1));
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_TOO_MANY_CIES);
	/* 42: ...and 16 is fine */
	len = craft(p, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT, raw,
		    (uint16_t)cie_raw(raw, NHRP_MSG_MAX_TRANSIT));
	assert_int_equal(decode_exact(p, len, &m), 0);
	assert_int_equal(m.nm_n_fwd, NHRP_MSG_MAX_TRANSIT);
	/* 43: an 8-byte type 9 is RFC 2735 Device Capabilities: kept */
	memset(raw, 0, 8);
	len = craft(p, NHRP_EXT_CISCO_NAT_ADDRESS, raw, 8);
	assert_int_equal(decode_exact(p, len, &m), 0);
	assert_int_equal(m.nm_ext_unknown, 1);
	assert_int_equal(m.nm_n_nat, 0);
	assert_reencodes(p, len, &m);
	/* 44: a 17th extension */
	len = craft(p, 0x0100, raw, 0);
	for (int i = 0; i < NHRP_MSG_MAX_EXT; i++)
		len = insert(p, len, 40, empty_ext, sizeof(empty_ext));
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_TOO_MANY_EXTENSIONS);
	/* 45: a 9th CIE in the mandatory part */
	len = craft(p, 0, NULL, 0);
	for (int i = 0; i <= NHRP_MSG_MAX_CIE; i++)
		len = insert(p, len, len, raw, cie_raw(raw, 1));
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_TOO_MANY_CIES);
	/* 46: the smallest packet there is: no addresses, no CIEs */
	nhrp_msg_init(&m, NHRP_TYPE_PURGE_REPLY);
	assert_int_equal(nhrp_msg_encode(&m, p, sizeof(p), &len), 0);
	assert_int_equal(len, NHRP_FIXED_LEN + NHRP_MAND_LEN);
	assert_int_equal(decode_exact(p, len, &m), 0);
	assert_false(m.nm_src_nbma.na_present || m.nm_dst_proto.na_present);
	/* 47: an Error Indication with extensions is accepted on receive
	 * (liberal), the quote stopping at ar$extoff */
	len = craft(p, 0x0100, raw, 0);
	p[17] = NHRP_TYPE_ERROR_INDICATION;
	fix_csum(p);
	assert_int_equal(decode_exact(p, len, &m), 0);
	assert_int_equal(m.nm_quoted_len, 0);
	assert_int_equal(m.nm_n_ext, 1);
	assert_int_equal(nhrp_msg_encode(&m, raw, sizeof(raw), &len), -EINVAL);
	/* 48: extoff == pktsz, an extension part without even End */
	len = craft(p, 0, NULL, 0);
	put16(p, 14, (uint16_t)len);
	fix_csum(p);
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_EXTENSION_MISSING_END);
	/* 49: an extension part of 2 bytes, half a header */
	len = craft(p, 0, NULL, 0);
	put16(p, 14, (uint16_t)len);
	len = insert(p, len, len, empty_ext, 2);
	assert_int_equal(decode_exact(p, len, &m), -NHRP_DECODE_BAD_EXTENSION);
}

/* ---- (5) random damage to real packets, exact-size buffers, ASan ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* What encode must refuse of a decodable packet; everything else must
 * round-trip to an identical struct. */
static bool encode_refuses(const struct nhrp_msg *m)
{
	if (m->nm_type == NHRP_TYPE_ERROR_INDICATION && m->nm_n_ext != 0)
		return true;
	return m->nm_hop_count == 0 && (m->nm_type == NHRP_TYPE_REGISTRATION_REQUEST ||
					m->nm_type == NHRP_TYPE_REGISTRATION_REPLY ||
					m->nm_type == NHRP_TYPE_TRAFFIC_INDICATION);
}

static void mutate_one(const struct fx_pkt *src, uint32_t *seed, unsigned int *ok)
{
	uint8_t p[PKT_MAX], out[PKT_MAX];
	struct nhrp_msg m, d;
	struct sb s1, s2;
	size_t len = src->len, olen;
	int rc;

	memcpy(p, src->data, len);
	for (uint32_t k = rng_next(seed) % 4 + 1; k > 0; k--)
		p[rng_next(seed) % len] = (uint8_t)rng_next(seed);
	if (rng_next(seed) % 4 == 0)
		len -= rng_next(seed) % (len - 19);
	if (rng_next(seed) % 8 != 0)
		fix_csum(p);
	rc = decode_exact(p, len, &m);
	if (rc != 0 && rc != -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION)
		return;
	(*ok)++;
	rc = nhrp_msg_encode(&m, out, sizeof(out), &olen);
	assert_int_equal(rc, encode_refuses(&m) ? -EINVAL : 0);
	if (rc != 0)
		return;
	rc = nhrp_msg_decode(out, olen, &d); /* m still borrows from p */
	assert_true(rc == 0 || rc == -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION);
	assert_string_equal(msg_fmt(&d, &s2), msg_fmt(&m, &s1));
}

static void test_mutations(void **state)
{
	static struct fx_pkt pk[FX_MAX];
	uint32_t seed = 0x2332u;
	unsigned int ok = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(good_files) / sizeof(good_files[0]); f++) {
		size_t n = fixture_load(good_files[f], pk, FX_MAX);

		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 2000; k++)
				mutate_one(&pk[i], &seed, &ok);
	}
	assert_true(ok > 1000); /* the property was exercised, not skipped */
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(nhrp_decode_err_name(0), "ok");
	assert_string_equal(nhrp_decode_err_name(-NHRP_DECODE_BAD_CHECKSUM), "bad_checksum");
	assert_string_equal(nhrp_decode_err_name(NHRP_DECODE_TRUNCATED), "truncated");
	assert_string_equal(nhrp_decode_err_name(-NHRP_DECODE_COUNT), "unknown");
	for (int i = 1; i < NHRP_DECODE_COUNT; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(nhrp_decode_err_name(i), nhrp_decode_err_name(j));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_fields),
		cmocka_unit_test(test_fixture_quoted),
		cmocka_unit_test(test_fixture_reencode_all),
		cmocka_unit_test(test_fixture_pcapng),
		cmocka_unit_test(test_fixture_truncated),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_bad_table_details),
		cmocka_unit_test(test_bad_crafted),
		cmocka_unit_test(test_roundtrip_built),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_err_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
