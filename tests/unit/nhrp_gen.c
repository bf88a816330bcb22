/* Writes a pcap of Ethernet/IPv4/GRE(key 42)/NHRP packets that nhrp_msg.c
 * encodes, one of every type with every extension, and prints on stdout
 * the tshark field values each frame must decode to (what we built, not
 * what we decoded): the oracle half of test_nhrp_tshark.sh. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_msg.h"
#include "proto_gre.h"

#define PKT_MAX 2048
#define GRE_KEY 42
#define HUB_NBMA 0xc0000201   /* 192.0.2.1 */
#define SPOKE_NBMA 0xc000020b /* 192.0.2.11 */

/* tshark -T fields names, in the column order printed. */
/* clang-format off */
#define FIELDS(X)                                                              \
	X(TYPE, "nhrp.hdr.op.type") X(HOP, "nhrp.hdr.hopcnt")                  \
	X(PKTSZ, "nhrp.hdr.pktsz") X(CSUM, "nhrp.hdr.chksum.status")           \
	X(FLAGS, "nhrp.flags") X(REQID, "nhrp.reqid")                          \
	X(ERRCODE, "nhrp.err.code") X(ERROFF, "nhrp.err.offset")               \
	X(SNBMA, "nhrp.src.nbma.addr") X(SPROT, "nhrp.src.prot.addr")          \
	X(DPROT, "nhrp.dst.prot.addr") X(CODE, "nhrp.code")                    \
	X(PREFIX, "nhrp.prefix") X(MTU, "nhrp.mtu") X(HTIME, "nhrp.htime")     \
	X(CNBMA, "nhrp.client.nbma.addr") X(CPROT, "nhrp.client.prot.addr")    \
	X(EXTTYPE, "nhrp.ext.type") X(EXTC, "nhrp.ext.c")                      \
	X(EXTLEN, "nhrp.ext.len") X(SPI, "nhrp.auth_ext.spi")                  \
	X(AUTHDATA, "nhrp.auth_ext.data") X(GREKEY, "gre.key")
/* clang-format on */

enum field {
#define FIELD_ENUM(id, name) F_##id,
	FIELDS(FIELD_ENUM)
#undef FIELD_ENUM
		F_COUNT
};

static const char *const field_names[F_COUNT] = {
#define FIELD_NAME(id, name) name,
	FIELDS(FIELD_NAME)
#undef FIELD_NAME
};

struct expect {
	char v[F_COUNT][512];
};

static void add(struct expect *e, enum field f, const char *fmt, ...)
{
	size_t n = strlen(e->v[f]);
	va_list ap;

	if (n != 0)
		e->v[f][n++] = ',';
	va_start(ap, fmt);
	vsnprintf(e->v[f] + n, sizeof(e->v[f]) - n, fmt, ap);
	va_end(ap);
}

static void add_addr(struct expect *e, enum field f, const struct nhrp_addr4 *a)
{
	uint32_t v = a->na_addr;

	if (a->na_present)
		add(e, f, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static unsigned int cies_expect(struct expect *e, const struct nhrp_cie *c, unsigned int n)
{
	unsigned int bytes = 0;

	for (unsigned int i = 0; i < n; i++) {
		add(e, F_CODE, "%u", c[i].ce_code);
		add(e, F_PREFIX, "%u", c[i].ce_prefix_len);
		add(e, F_MTU, "%u", c[i].ce_mtu);
		add(e, F_HTIME, "%u", c[i].ce_holding_time);
		add_addr(e, F_CNBMA, &c[i].ce_nbma);
		add_addr(e, F_CPROT, &c[i].ce_proto);
		bytes += 12 + 4 * c[i].ce_nbma.na_present + 4 * c[i].ce_proto.na_present;
	}
	return bytes;
}

/* Wireshark reads the Cisco password's first 4 bytes as a "source
 * address" (RFC 2332 5.3.4 layout) and shows the rest as data. */
static unsigned int auth_expect(struct expect *e, const struct nhrp_msg *m)
{
	char hex[2 * NHRP_AUTH_PASSWORD_MAX + 1] = "";

	add(e, F_SPI, "%u", m->nm_auth_type & 0xffff);
	for (unsigned int i = 4; i < m->nm_auth_len; i++)
		snprintf(hex + 2 * (i - 4), 3, "%02x", m->nm_auth[i]);
	if (m->nm_auth_len > 4)
		add(e, F_AUTHDATA, "%s", hex);
	return 4 + m->nm_auth_len;
}

static void exts_expect(struct expect *e, const struct nhrp_msg *m)
{
	for (unsigned int i = 0; i < m->nm_n_ext; i++) {
		const struct nhrp_ext_ref *x = &m->nm_ext[i];
		unsigned int len = x->xr_len;

		switch (x->xr_value != NULL ? 0 : x->xr_type & NHRP_EXT_TYPE_MASK) {
		case NHRP_EXT_RESPONDER_ADDRESS:
			len = cies_expect(e, &m->nm_responder, m->nm_n_responder);
			break;
		case NHRP_EXT_FORWARD_TRANSIT:
			len = cies_expect(e, m->nm_fwd, m->nm_n_fwd);
			break;
		case NHRP_EXT_REVERSE_TRANSIT:
			len = cies_expect(e, m->nm_rev, m->nm_n_rev);
			break;
		case NHRP_EXT_AUTHENTICATION:
			len = auth_expect(e, m);
			break;
		case NHRP_EXT_CISCO_NAT_ADDRESS:
			len = cies_expect(e, m->nm_nat, m->nm_n_nat);
			break;
		}
		add(e, F_EXTTYPE, "%u", x->xr_type & NHRP_EXT_TYPE_MASK);
		add(e, F_EXTC, "%u", !!(x->xr_type & NHRP_EXT_COMPULSORY));
		add(e, F_EXTLEN, "%u", len);
	}
	if (m->nm_n_ext != 0) {
		add(e, F_EXTTYPE, "0");
		add(e, F_EXTC, "1");
		add(e, F_EXTLEN, "0");
	}
}

/* Fields of one NHRP message as tshark lists them; an Error
 * Indication's quoted packet is dissected as NHRP again, after it. */
static void msg_expect(struct expect *e, const struct nhrp_msg *m, size_t pktsz,
		       const struct nhrp_msg *quoted, size_t qlen)
{
	add(e, F_TYPE, "%u", m->nm_type);
	add(e, F_HOP, "%u", m->nm_hop_count);
	add(e, F_PKTSZ, "%zu", pktsz);
	add(e, F_CSUM, "1"); /* PROTO_CHECKSUM_E_GOOD */
	if (m->nm_type < NHRP_TYPE_ERROR_INDICATION) {
		add(e, F_FLAGS, "%u", m->nm_flags);
		add(e, F_REQID, "%u", m->nm_request_id);
	} else if (m->nm_type == NHRP_TYPE_ERROR_INDICATION) {
		add(e, F_ERRCODE, "%u", m->nm_err_code);
		add(e, F_ERROFF, "%u", m->nm_err_offset);
	}
	add_addr(e, F_SNBMA, &m->nm_src_nbma);
	add_addr(e, F_SPROT, &m->nm_src_proto);
	add_addr(e, F_DPROT, &m->nm_dst_proto);
	if (quoted != NULL)
		msg_expect(e, quoted, qlen, NULL, 0);
	cies_expect(e, m->nm_cie, m->nm_n_cie);
	exts_expect(e, m);
}

/* ---- the messages ---- */

static struct nhrp_addr4 a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct nhrp_addr4){(uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d,
				   true};
}

static struct nhrp_cie cie(uint8_t plen, uint16_t htime, struct nhrp_addr4 nbma,
			   struct nhrp_addr4 proto)
{
	return (struct nhrp_cie){.ce_prefix_len = plen,
				 .ce_mtu = 1400,
				 .ce_holding_time = htime,
				 .ce_nbma = nbma,
				 .ce_proto = proto};
}

static void ext(struct nhrp_msg *m, uint16_t type)
{
	m->nm_ext[m->nm_n_ext++] = (struct nhrp_ext_ref){.xr_type = type};
}

/* Spoke 10.255.0.11 (NBMA 192.0.2.11) talks to the hub 10.255.0.1
 * (192.0.2.1) about spoke 10.255.0.12 (192.0.2.12). */
static void build(struct nhrp_msg *m, uint8_t type)
{
	static const struct nhrp_addr4 none;
	bool reply = type % 2 == 0;

	nhrp_msg_init(m, type);
	m->nm_request_id = 1000 + (type + 1) / 2;
	m->nm_src_nbma = a4(192, 0, 2, 11);
	m->nm_src_proto = a4(10, 255, 0, 11);
	m->nm_dst_proto = a4(10, 255, 0, type <= 2 ? 12 : 1);
	m->nm_flags = NHRP_FLAG_CISCO_NAT;
	if (type <= NHRP_TYPE_RESOLUTION_REPLY)
		m->nm_flags |= NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
			       (reply ? NHRP_FLAG_RES_D | NHRP_FLAG_RES_U : 0);
	else if (type <= NHRP_TYPE_REGISTRATION_REPLY)
		m->nm_flags |= NHRP_FLAG_REG_U;
	else
		m->nm_flags = NHRP_FLAG_PURGE_N;
	m->nm_cie[m->nm_n_cie++] = reply && type <= 2
					   ? cie(32, 7200, a4(192, 0, 2, 12), a4(10, 255, 0, 12))
					   : cie(32, 600, none, none);
	ext(m, NHRP_EXT_COMPULSORY | NHRP_EXT_RESPONDER_ADDRESS);
	if (reply) {
		m->nm_responder = cie(32, 600, a4(192, 0, 2, 1), a4(10, 255, 0, 1));
		m->nm_n_responder = 1;
	}
	ext(m, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT);
	m->nm_fwd[m->nm_n_fwd++] = cie(0, 600, a4(192, 0, 2, 1), a4(10, 255, 0, 1));
	ext(m, NHRP_EXT_COMPULSORY | NHRP_EXT_REVERSE_TRANSIT);
	if (reply)
		m->nm_rev[m->nm_n_rev++] = cie(0, 600, a4(192, 0, 2, 1), a4(10, 255, 0, 1));
	ext(m, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTHENTICATION);
	m->nm_auth_type = NHRP_AUTH_CISCO_CLEARTEXT;
	m->nm_auth_len = type < 5 ? 8 : 5;
	memcpy(m->nm_auth, type < 5 ? "dmvpnkey" : "CISCO", m->nm_auth_len);
	ext(m, NHRP_EXT_CISCO_NAT_ADDRESS);
	m->nm_nat[m->nm_n_nat++] = cie(32, 0, a4(203, 0, 113, 11), a4(10, 255, 0, 11));
}

/* ICMP echo 10.255.0.11 -> 10.255.0.12, the hairpinned packet a Traffic
 * Indication quotes; checksums right so tshark finds nothing to flag. */
static size_t quoted_ping(uint8_t *p)
{
	static const uint8_t ping[28] = {0x45, 0,  0,  28,  0, 7,  0, 0, 63, 1, 0,    0,    10, 255,
					 0,    11, 10, 255, 0, 12, 8, 0, 0,  0, 0x12, 0x34, 0,  1};
	uint32_t s;

	memcpy(p, ping, sizeof(ping));
	for (int part = 0; part < 2; part++) {
		size_t off = part ? 20 : 0, len = part ? 8 : 20;
		size_t at = part ? 22 : 10;

		s = 0;
		for (size_t i = 0; i < len; i += 2)
			s += (uint32_t)p[off + i] << 8 | p[off + i + 1];
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		p[at] = (uint8_t)(~s >> 8);
		p[at + 1] = (uint8_t)~s;
	}
	return sizeof(ping);
}

/* ---- pcap output ---- */

static void put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	fwrite(b, 1, 4, f);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Ethernet, IPv4 (checksummed), GRE with key, then the NHRP packet; the
 * outer addresses are the NBMA ones, as on a real underlay. */
static void frame_write(FILE *f, unsigned int no, uint32_t src, uint32_t dst, const uint8_t *nhrp,
			size_t len)
{
	uint8_t fr[14 + 20 + 8 + PKT_MAX] = {0x52,
					     0x54,
					     0,
					     0,
					     0,
					     1,
					     0x52,
					     0x54,
					     0,
					     0,
					     0,
					     2,
					     0x08,
					     0x00,
					     0x45,
					     0xc0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     255,
					     IPPROTO_GRE_NUM,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     0,
					     GRE_F_KEY >> 8,
					     0,
					     GRE_PROTO_NHRP >> 8,
					     GRE_PROTO_NHRP & 255,
					     0,
					     0,
					     0,
					     GRE_KEY};
	size_t ip_len = 20 + 8 + len;
	uint32_t s = 0;

	fr[16] = (uint8_t)(ip_len >> 8);
	fr[17] = (uint8_t)ip_len;
	fr[19] = (uint8_t)no;
	put_be32(fr + 26, src);
	put_be32(fr + 30, dst);
	for (int i = 14; i < 34; i += 2)
		s += (uint32_t)fr[i] << 8 | fr[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	fr[24] = (uint8_t)(~s >> 8);
	fr[25] = (uint8_t)~s;
	memcpy(fr + 42, nhrp, len);
	put_le32(f, 1700000000 + no);
	put_le32(f, 0);
	put_le32(f, (uint32_t)(14 + ip_len));
	put_le32(f, (uint32_t)(14 + ip_len));
	fwrite(fr, 1, 14 + ip_len, f);
}

static void expect_print(unsigned int no, const struct expect *e)
{
	printf("%u", no);
	for (int i = 0; i < F_COUNT; i++)
		printf("\t%s", e->v[i]);
	printf("\n");
}

static int emit(FILE *f, unsigned int no, const struct nhrp_msg *m, const struct nhrp_msg *quoted)
{
	uint8_t pkt[PKT_MAX];
	struct expect e = {0};
	uint32_t src;
	size_t len;
	int rc = nhrp_msg_encode(m, pkt, sizeof(pkt), &len);

	if (rc != 0) {
		fprintf(stderr, "nhrp_gen: encode type %u: %d\n", m->nm_type, rc);
		return 1;
	}
	src = m->nm_src_nbma.na_addr;
	frame_write(f, no, src, src == HUB_NBMA ? SPOKE_NBMA : HUB_NBMA, pkt, len);
	msg_expect(&e, m, len, quoted, quoted != NULL ? m->nm_quoted_len : 0);
	add(&e, F_GREKEY, "%u", GRE_KEY);
	expect_print(no, &e);
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
					0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
	uint8_t req[PKT_MAX], ping[64];
	struct nhrp_msg m, first;
	size_t req_len;
	unsigned int no = 0;
	int err = 0;
	FILE *f;

	if (argc != 2 || (f = fopen(argv[1], "wb")) == NULL) {
		fprintf(stderr, "usage: nhrp_gen OUT.pcap > expected.tsv\n");
		return 2;
	}
	fwrite(hdr, 1, sizeof(hdr), f);
	printf("#frame");
	for (int i = 0; i < F_COUNT; i++)
		printf("\t%s", field_names[i]);
	printf("\n");
	for (uint8_t t = 1; t <= NHRP_TYPE_PURGE_REPLY; t++) {
		build(&m, t);
		err |= emit(f, ++no, &m, NULL);
	}
	/* Error Indication "unrecognized extension" quoting the Resolution
	 * Request (offset of its first extension); no extensions (5.2.7). */
	build(&first, NHRP_TYPE_RESOLUTION_REQUEST);
	err |= nhrp_msg_encode(&first, req, sizeof(req), &req_len) != 0;
	nhrp_msg_init(&m, NHRP_TYPE_ERROR_INDICATION);
	m.nm_src_nbma = a4(192, 0, 2, 1);
	m.nm_src_proto = a4(10, 255, 0, 1);
	m.nm_dst_proto = a4(10, 255, 0, 11);
	m.nm_err_code = NHRP_ERR_UNRECOGNIZED_EXTENSION;
	m.nm_err_offset = (uint16_t)(req[14] << 8 | req[15]);
	m.nm_quoted = req;
	m.nm_quoted_len = (uint16_t)req_len;
	err |= emit(f, ++no, &m, &first);
	/* Traffic Indication from the hub about the hairpinned ping. */
	build(&m, NHRP_TYPE_TRAFFIC_INDICATION);
	m.nm_n_cie = 0;
	m.nm_n_ext = 0;
	m.nm_n_responder = 0;
	ext(&m, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT);
	ext(&m, NHRP_EXT_COMPULSORY | NHRP_EXT_REVERSE_TRANSIT);
	ext(&m, NHRP_EXT_COMPULSORY | NHRP_EXT_AUTHENTICATION);
	ext(&m, NHRP_EXT_CISCO_NAT_ADDRESS);
	m.nm_src_nbma = a4(192, 0, 2, 1);
	m.nm_src_proto = a4(10, 255, 0, 1);
	m.nm_dst_proto = a4(10, 255, 0, 12);
	m.nm_flags = 0;
	m.nm_traffic_code = NHRP_TRAFFIC_REDIRECT;
	m.nm_quoted = ping;
	m.nm_quoted_len = (uint16_t)quoted_ping(ping);
	err |= emit(f, ++no, &m, NULL);
	return fclose(f) != 0 || err != 0;
}
