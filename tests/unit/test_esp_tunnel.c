/* Tunnel-mode ESP over GRE (RFC 4303 3.1.2): the plaintext is a new IPv4
 * header between the SA's two addresses in front of the GRE packet, next
 * header 4; inbound, that header is checked and stripped so that the rest
 * of the path sees what transport mode gives it.
 *   1. round trip, every algorithm, with and without ESN and UDP 4500: the
 *      outer header, every field of the header inside (read back by
 *      decrypting a copy), the trailer, the sizes;
 *   2. esp_tun_check, numbered: each malformation, the lengths and options
 *      it must take, each against a heap block of exactly its length;
 *   3. end to end through esp_decrypt_burst with hand-sealed packets: each
 *      drop reason of tunnel mode, and each mode's packets on the other
 *      mode's SA;
 *   4. headroom: tunnel mode needs 20 bytes more in front.
 * Byte-for-byte equality of esp_encap_burst and esp_decrypt_burst_gre with
 * the reference paths is in test_esp.c (both modes); scapy's reading of
 * our packets in test_esp_scapy.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "eal_test.h"
#include "esp_sa.h"
#include "esp_test_sa.h"
#include "esp_test_util.h"
#include "exact_copy.h"
#include "gre.h"

/* mbuf_ipv4's addresses: the sender's and the receiver's NBMA address. */
#define ADDR_SRC 0xc6336401u /* 198.51.100.1 */
#define ADDR_DST 0xc633640bu /* 198.51.100.11 */
#define EPOCH (UINT64_C(1) << 32)

static void tun_params(struct esp_sa_params *p, enum esp_alg alg, enum esp_dir dir, bool esn,
		       bool natt)
{
	params_fill(p, alg, dir, esn, natt);
	p->tunnel = true;
	p->tun_src = ADDR_SRC; /* both directions' SAs of one flow: A -> B */
	p->tun_dst = ADDR_DST;
}

/* The plaintext (payload, padding, trailer) of ESP packet m sent with
 * sequence number seq, decrypted in a copy with inbound SA `in`; its
 * length. The packet itself is left as it is. */
static uint32_t peek_plain(struct esp_sa *in, const struct rte_mbuf *m, uint64_t seq, uint8_t *pt)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = ETH_LEN + 20 + (p[ETH_LEN + 9] == IPPROTO_UDP ? 8 : 0);
	uint32_t esp_len = m->data_len - off, ct = esp_len - 8 - in->sa_iv_len - ESP_ICV_LEN;
	uint8_t buf[2048];
	struct crypto_mb_cbc_op op;

	assert_true(esp_len <= sizeof(buf) - 4);
	memcpy(buf, p + off, esp_len);
	if (in->sa_flags & ESP_SA_F_GCM) {
		assert_int_equal(esp_in_gcm_open(&g_cx, in, buf, seq, ct), ESP_OK);
		memcpy(pt, buf + 8 + ESP_GCM_IV_LEN, ct);
		return ct;
	}
	memset(&op, 0, sizeof(op));
	op.co_buf = buf;
	op.co_hash_len = 8 + ESP_CBC_IV_LEN + ct; /* the ICV is checked by the decap */
	op.co_cipher_off = 8 + ESP_CBC_IV_LEN;
	op.co_cipher_len = ct;
	op.co_iv = buf + 8;
	assert_int_equal(crypto_mb_cbc_hmac_burst(&g_cx, &in->sa_key, false, &op, 1), 1);
	memcpy(pt, buf + 8 + ESP_CBC_IV_LEN, ct);
	return ct;
}

/* ---- 1. round trip ---- */

/* What the sender's header said that the header inside must repeat. */
struct sent {
	uint8_t tos;
	bool df;
	uint16_t gre_len;
};

/* The outer header keeps its addresses, TOS and DF; ESP or UDP 4500. */
static void check_outer_tun(const struct esp_sa *out, const struct rte_mbuf *m,
			    const struct sent *s)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const void *)(p + ETH_LEN);
	bool natt = out->sa_flags & ESP_SA_F_NATT;
	uint32_t ct = RTE_ALIGN_CEIL(20u + s->gre_len + 2u, out->sa_align);

	assert_int_equal(m->data_len, ETH_LEN + 20 + (natt ? 8 : 0) + 8 + out->sa_iv_len + ct + 16);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), m->data_len - ETH_LEN);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(ip->next_proto_id, natt ? IPPROTO_UDP : IPPROTO_ESP);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), ADDR_SRC);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), ADDR_DST);
	assert_int_equal(ip->type_of_service, s->tos);
	assert_int_equal(rte_be_to_cpu_16(ip->fragment_offset), s->df ? RTE_IPV4_HDR_DF_FLAG : 0);
}

/* The plaintext: IPv4 [DSCP of the sender's TOS, 20 + GRE bytes, id 0,
 * DF as the sender's, TTL 64, GRE, checksum, A -> B], the GRE packet as
 * it was, padding 1, 2, 3..., next header 4. */
static void check_inside(const uint8_t *pt, uint32_t ct, const struct sent *s, const uint8_t *gre)
{
	const struct rte_ipv4_hdr *ip = (const void *)pt;
	uint8_t pad = pt[ct - 2];

	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(ip->type_of_service, s->tos & 0xfc);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + s->gre_len);
	assert_int_equal(ip->packet_id, 0);
	assert_int_equal(rte_be_to_cpu_16(ip->fragment_offset), s->df ? RTE_IPV4_HDR_DF_FLAG : 0);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->next_proto_id, IPPROTO_GRE);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), ADDR_SRC);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), ADDR_DST);
	assert_memory_equal(pt + 20, gre, s->gre_len);
	assert_int_equal(ct, 20u + s->gre_len + pad + 2u);
	for (unsigned i = 0; i < pad; i++)
		assert_int_equal(pt[20 + s->gre_len + i], i + 1);
	assert_int_equal(pt[ct - 1], ESP_NEXT_HEADER_IPV4);
}

/* The sender's header: TOS and DF, its checksum made again. */
static void outer_mark(struct rte_mbuf *m, uint8_t tos, bool df)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_LEN);

	ip->type_of_service = tos;
	ip->fragment_offset = df ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void roundtrip_tun(enum esp_alg alg, bool esn, bool natt)
{
	static const uint16_t sizes[] = {4, 5, 6, 7, 8, 13, 14, 15, 16, 63, 64, 100, 1400};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	uint64_t base = esn ? EPOCH - 3 : 0, bytes = 0;
	struct rte_mbuf *pk[N];
	uint8_t *orig[N], pt[2048];
	struct sent s[N];
	struct esp_sa_params p;
	struct esp_sa *out, *in;
	struct bres r;

	tun_params(&p, alg, ESP_DIR_OUT, esn, natt);
	p.seq_base = base;
	out = sa_new(&p);
	p.dir = ESP_DIR_IN;
	in = sa_new(&p);
	for (unsigned i = 0; i < N; i++) {
		pk[i] = mbuf_gre(g_mp, sizes[i], i);
		assert_non_null(pk[i]);
		s[i] = (struct sent){
			.tos = (uint8_t)(i * 37), .df = (i & 1) != 0, .gre_len = sizes[i]};
		outer_mark(pk[i], s[i].tos, s[i].df);
		orig[i] = malloc(pk[i]->data_len);
		memcpy(orig[i], rte_pktmbuf_mtod(pk[i], void *), pk[i]->data_len);
		bytes += sizes[i];
	}
	enc(out, pk, N, &r);
	assert_int_equal(r.ok, N);
	for (unsigned i = 0; i < N; i++) {
		uint32_t ct = peek_plain(in, pk[i], base + 1 + i, pt);

		check_outer_tun(out, pk[i], &s[i]);
		check_inside(pt, ct, &s[i], orig[i] + ETH_LEN + 20);
	}
	dec(in, pk, N, &r);
	assert_int_equal(r.ok, N);
	for (unsigned i = 0; i < N; i++) {
		/* Exactly what transport mode gives: [IPv4 proto 47][GRE]. */
		assert_int_equal(pk[i]->data_len, ETH_LEN + 20 + sizes[i]);
		assert_memory_equal(rte_pktmbuf_mtod(pk[i], void *), orig[i], pk[i]->data_len);
		free(orig[i]);
	}
	/* Lifetimes count GRE bytes in both modes. */
	assert_int_equal(out->sa_bytes, bytes);
	assert_int_equal(in->sa_bytes, bytes);
	assert_int_equal(in->sa_pkts, N);
	free_all(pk, N);
	sa_free(out);
	sa_free(in);
}

static void test_tunnel_roundtrip(void **state)
{
	(void)state;
	for (int a = 0; a < ESP_ALG_COUNT; a++)
		for (int f = 0; f < 4; f++)
			roundtrip_tun((enum esp_alg)a, f & 1, f & 2);
}

/* ---- 2. esp_tun_check, numbered ---- */

enum tun_mut {
	M_NONE,
	M_TFC,
	M_OPTIONS,
	M_SHORT,
	M_VERSION,
	M_IHL4,
	M_IHL15,
	M_TOTAL_LONG,
	M_TOTAL_SHORT,
	M_CKSUM,
	M_MF,
	M_OFFSET,
	M_DF,
	M_PROTO_ICMP,
	M_PROTO_IPIP,
	M_SRC,
	M_DST,
	M_SWAPPED,
	M_TTL0,
	M_EMPTY,
};

struct tun_case {
	enum tun_mut mut;
	int expect;
	uint16_t ihl, gre_len; /* when ESP_OK */
};

static const struct tun_case tun_cases[] = {
	/* 1 */ {M_NONE, ESP_OK, 20, 12},
	/* 2 */ {M_TFC, ESP_OK, 20, 12},              /* RFC 4303 2.7: TFC padding behind */
	/* 3 */ {M_OPTIONS, ESP_OK, 24, 12},          /* IHL 6: options skipped */
	/* 4 */ {M_SHORT, ESP_DROP_TUN_BAD_IP, 0, 0}, /* 19 bytes: no whole header */
	/* 5 */ {M_VERSION, ESP_DROP_TUN_BAD_IP, 0, 0},
	/* 6 */ {M_IHL4, ESP_DROP_TUN_BAD_IP, 0, 0},
	/* 7 */ {M_IHL15, ESP_DROP_TUN_BAD_IP, 0, 0},       /* 60 bytes of header, 32 there */
	/* 8 */ {M_TOTAL_LONG, ESP_DROP_TUN_BAD_IP, 0, 0},  /* claims a byte more */
	/* 9 */ {M_TOTAL_SHORT, ESP_DROP_TUN_BAD_IP, 0, 0}, /* shorter than its header */
	/* 10 */ {M_CKSUM, ESP_DROP_TUN_BAD_IP, 0, 0},
	/* 11 */ {M_MF, ESP_DROP_TUN_BAD_IP, 0, 0},
	/* 12 */ {M_OFFSET, ESP_DROP_TUN_BAD_IP, 0, 0},
	/* 13 */ {M_DF, ESP_OK, 20, 12},
	/* 14 */ {M_PROTO_ICMP, ESP_DROP_TUN_NOT_GRE, 0, 0},
	/* 15 */ {M_PROTO_IPIP, ESP_DROP_TUN_NOT_GRE, 0, 0},
	/* 16 */ {M_SRC, ESP_DROP_TUN_BAD_ADDR, 0, 0},
	/* 17 */ {M_DST, ESP_DROP_TUN_BAD_ADDR, 0, 0},
	/* 18 */ {M_SWAPPED, ESP_DROP_TUN_BAD_ADDR, 0, 0}, /* our own packet reflected */
	/* 19 */ {M_TTL0, ESP_OK, 20, 12},                 /* addressed to us: TTL is not checked */
	/* 20 */ {M_EMPTY, ESP_OK, 20, 0},                 /* no GRE: the GRE stage refuses it */
};

/* [IPv4 A -> B, GRE][12 bytes] with the case's change; its length. */
static uint32_t tun_build(uint8_t *b, enum tun_mut mut)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.time_to_live = 64,
		.next_proto_id = IPPROTO_GRE,
		.src_addr = RTE_BE32(ADDR_SRC),
		.dst_addr = RTE_BE32(ADDR_DST),
	};
	uint32_t hl = mut == M_OPTIONS ? 24 : 20, gre = mut == M_EMPTY ? 0 : 12, len;

	ip.total_length = rte_cpu_to_be_16((uint16_t)(hl + gre));
	len = hl + gre;
	switch (mut) {
	case M_TFC:
		len += 7;
		break;
	case M_OPTIONS:
		ip.version_ihl = 0x46;
		break;
	case M_SHORT:
		len = 19;
		break;
	case M_VERSION:
		ip.version_ihl = 0x65;
		break;
	case M_IHL4:
		ip.version_ihl = 0x44;
		break;
	case M_IHL15:
		ip.version_ihl = 0x4f;
		break;
	case M_TOTAL_LONG:
		ip.total_length = rte_cpu_to_be_16((uint16_t)(hl + gre + 1));
		break;
	case M_TOTAL_SHORT:
		ip.total_length = rte_cpu_to_be_16(19);
		break;
	case M_MF:
		ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
		break;
	case M_OFFSET:
		ip.fragment_offset = RTE_BE16(1);
		break;
	case M_DF:
		ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		break;
	case M_PROTO_ICMP:
		ip.next_proto_id = IPPROTO_ICMP;
		break;
	case M_PROTO_IPIP:
		ip.next_proto_id = IPPROTO_IPIP;
		break;
	case M_SRC:
		ip.src_addr = RTE_BE32(ADDR_SRC + 1);
		break;
	case M_DST:
		ip.dst_addr = RTE_BE32(0xc633640cu);
		break;
	case M_SWAPPED:
		ip.src_addr = RTE_BE32(ADDR_DST);
		ip.dst_addr = RTE_BE32(ADDR_SRC);
		break;
	case M_TTL0:
		ip.time_to_live = 0;
		break;
	default:
		break;
	}
	memset(b, 0, 64);
	memcpy(b, &ip, sizeof(ip));
	memset(b + 20, 0x01, 4); /* options: NOP, NOP, NOP, NOP (or GRE bytes) */
	for (uint32_t i = hl; i < 64; i++)
		b[i] = (uint8_t)(0xa0 + i);
	/* The checksum over the header as claimed, when it fits the buffer. */
	hl = (uint32_t)(b[0] & 0x0f) * 4;
	if (hl >= 20 && hl <= 64) {
		uint16_t ck = (uint16_t)~rte_raw_cksum(b, hl);

		memcpy(b + 10, &ck, 2);
	}
	if (mut == M_CKSUM)
		b[10] ^= 0x40;
	return len;
}

static void test_tun_check_table(void **state)
{
	struct esp_sa_params p;
	struct esp_sa *in;

	(void)state;
	tun_params(&p, ESP_ALG_AES_GCM_128, ESP_DIR_IN, false, false);
	in = sa_new(&p);
	for (unsigned i = 0; i < sizeof(tun_cases) / sizeof(tun_cases[0]); i++) {
		const struct tun_case *c = &tun_cases[i];
		uint16_t ihl = 0;
		uint32_t gre = 0, len;
		uint8_t b[64];
		int got;

		len = tun_build(b, c->mut);
		got = esp_tun_check(in, exact_copy(b, len), len, &ihl, &gre);
		if (got != c->expect)
			fail_msg("case %u: got %s, want %s", i + 1, esp_drop_name((unsigned)got),
				 esp_drop_name((unsigned)c->expect));
		if (got == ESP_OK && (ihl != c->ihl || gre != c->gre_len))
			fail_msg("case %u: header %u, GRE %u; want %u, %u", i + 1, ihl, gre, c->ihl,
				 c->gre_len);
	}
	sa_free(in);
}

/* ---- 3. through the decap: each reason, each mode on the other's SA ---- */

/* A packet sealed by hand under `in`'s keys: an outer IPv4 header, ESP,
 * then `pl` (pl_len bytes) padded 1, 2, 3... and next header nh. */
static struct rte_mbuf *sealed(struct esp_sa *in, uint64_t seq, const uint8_t *pl, uint32_t pl_len,
			       uint8_t nh)
{
	uint8_t esp[2048];
	uint16_t ivl = in->sa_iv_len;
	uint32_t ct = RTE_ALIGN_CEIL(pl_len + 2u, in->sa_align);
	uint8_t pad = (uint8_t)(ct - pl_len - 2);

	memcpy(esp + 8 + ivl, pl, pl_len);
	for (unsigned i = 0; i < pad; i++)
		esp[8 + ivl + pl_len + i] = (uint8_t)(i + 1);
	esp[8 + ivl + ct - 2] = pad;
	esp[8 + ivl + ct - 1] = nh;
	seal_custom(in, esp, seq, ct);
	return mbuf_ipv4(g_mp, IPPROTO_ESP, esp, (uint16_t)(8 + ivl + ct + ESP_ICV_LEN));
}

static int dec_sealed(struct esp_sa *in, uint64_t seq, const uint8_t *pl, uint32_t pl_len,
		      uint8_t nh)
{
	struct rte_mbuf *m = sealed(in, seq, pl, pl_len, nh);
	int why;

	assert_non_null(m);
	why = dec_one(in, m);
	rte_pktmbuf_free(m);
	return why;
}

/* Hand-sealed payloads for a tunnel-mode SA: the header inside (a case of
 * section 2) and the next header, with what the decap must say. */
static const struct {
	enum tun_mut mut;
	uint8_t nh;
	int expect;
} decap_cases[] = {
	{M_NONE, 4, ESP_OK}, /* the hand-made one works */
	{M_NONE, 59, ESP_DROP_BAD_NEXT_HEADER},
	{M_TFC, 4, ESP_OK},
	{M_VERSION, 4, ESP_DROP_TUN_BAD_IP},
	{M_TOTAL_LONG, 4, ESP_DROP_TUN_BAD_IP},
	{M_PROTO_ICMP, 4, ESP_DROP_TUN_NOT_GRE},
	{M_SRC, 4, ESP_DROP_TUN_BAD_ADDR},
	{M_SWAPPED, 4, ESP_DROP_TUN_BAD_ADDR},
};

static void decap_reasons(enum esp_alg alg)
{
	struct esp_sa_params p;
	struct esp_sa *tun, *tra;
	uint8_t pl[64];
	uint64_t s = 1;

	tun_params(&p, alg, ESP_DIR_IN, true, false);
	tun = sa_new(&p);
	p.tunnel = false;
	tra = sa_new(&p);
	for (unsigned i = 0; i < sizeof(decap_cases) / sizeof(decap_cases[0]); i++) {
		uint32_t len = tun_build(pl, decap_cases[i].mut);

		if (dec_sealed(tun, s++, pl, len, decap_cases[i].nh) != decap_cases[i].expect)
			fail_msg("algorithm %d, case %u", (int)alg, i + 1);
	}
	/* Bare GRE; a payload shorter than a header; tunnel mode's on transport. */
	tun_build(pl, M_NONE);
	assert_int_equal(dec_sealed(tun, s++, pl + 20, 12, 47), ESP_DROP_MODE_MISMATCH);
	assert_int_equal(dec_sealed(tun, s++, pl, 12, 4), ESP_DROP_TUN_BAD_IP);
	assert_int_equal(dec_sealed(tra, 1, pl, 32, 4), ESP_DROP_MODE_MISMATCH);
	/* Only the two accepted ones counted; the window moved for all
	 * (each passed its ICV: RFC 4303 3.4.3). */
	assert_int_equal(tun->sa_pkts, 2);
	assert_int_equal(tun->sa_bytes, 24);
	assert_int_equal(tun->sa_replay.rp_top, s - 1);
	sa_free(tun);
	sa_free(tra);
}

/* A packet of out's mode on in, an SA of the other mode: refused as such. */
static void crossed(struct esp_sa *out, struct esp_sa *in)
{
	struct rte_mbuf *m = mbuf_gre(g_mp, 40, 1);

	assert_int_equal(enc_one(out, m), ESP_OK);
	assert_int_equal(dec_one(in, m), ESP_DROP_MODE_MISMATCH);
	rte_pktmbuf_free(m);
}

/* Real packets of each mode on an SA of the other: the SAs of one
 * CHILD_SA negotiated in one mode and installed in the other. */
static void mode_crossed(enum esp_alg alg)
{
	struct esp_sa_params p;
	struct esp_sa *tun_out, *tun_in, *tra_out, *tra_in;

	tun_params(&p, alg, ESP_DIR_OUT, true, false);
	tun_out = sa_new(&p);
	p.tunnel = false;
	tra_out = sa_new(&p);
	p.dir = ESP_DIR_IN;
	tra_in = sa_new(&p);
	p.tunnel = true;
	tun_in = sa_new(&p);
	crossed(tun_out, tra_in);
	crossed(tra_out, tun_in);
	sa_free(tun_out);
	sa_free(tun_in);
	sa_free(tra_out);
	sa_free(tra_in);
}

static void test_tunnel_drops(void **state)
{
	(void)state;
	for (int a = 0; a < ESP_ALG_COUNT; a++) {
		decap_reasons((enum esp_alg)a);
		mode_crossed((enum esp_alg)a);
	}
}

/* ---- 4. headroom, and what esp_sa_init refuses ---- */

/* esp_encap_burst in tunnel mode needs outer IPv4 20 + ESP 8 + IV 8 +
 * IPv4 20 + GRE 4 = 60 bytes in front: 59 is refused (the packet
 * untouched), 60 is enough. */
static void test_tunnel_headroom(void **state)
{
	struct esp_sa_params p;
	struct dp_tunnel tn = {.tn_ttl = 64};
	struct gre_outer_tmpl t;
	struct rte_mbuf *pk[2], *short_room;
	uint16_t len[2] = {84, 84};
	uint8_t tos[2] = {0};
	struct esp_sa *sa;
	struct bres r;

	(void)state;
	tun_params(&p, ESP_ALG_AES_GCM_128, ESP_DIR_OUT, true, false);
	sa = sa_new(&p);
	gre_outer_tmpl_init(&t, &tn, ADDR_SRC, ADDR_DST, GRE_PROTO_IPV4);
	pk[0] = short_room = mbuf_inner(64, 0, 59);
	pk[1] = mbuf_inner(64, 1, 60);
	bres_reset(&r);
	r.ok = encap(sa, &t, pk, len, tos, 2, NULL, &r);
	assert_int_equal(r.ok, 1);
	assert_ptr_equal(r.drop[0], short_room);
	assert_int_equal(r.reason[0], ESP_DROP_NO_ROOM);
	assert_int_equal(rte_pktmbuf_headroom(short_room), 59);
	assert_int_equal(rte_pktmbuf_headroom(pk[0]), 0);
	free_all(pk, 1);
	rte_pktmbuf_free(short_room);
	/* A tunnel-mode SA needs its two addresses. */
	p.tun_dst = 0;
	assert_int_equal(esp_sa_init(sa, &g_cx, &p), -EINVAL);
	sa_free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tunnel_roundtrip),
		cmocka_unit_test(test_tun_check_table),
		cmocka_unit_test(test_tunnel_drops),
		cmocka_unit_test(test_tunnel_headroom),
	};

	return EAL_TEST_MAIN("test_esp_tunnel", tests, esp_test_setup, esp_test_teardown);
}
