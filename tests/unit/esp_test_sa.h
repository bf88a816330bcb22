/* cmocka helpers shared by the ESP transform tests (test_esp.c,
 * test_esp_tunnel.c): SAs from fixed parameters, bursts through
 * esp_encrypt_burst/esp_decrypt_burst with their drops collected, packets
 * sealed by hand with any plaintext. Each test program has its own pool
 * and manager (g_mp, g_cx), made by the group setup below. Test code only. */
#ifndef DMVPND_ESP_TEST_SA_H
#define DMVPND_ESP_TEST_SA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "eal_test.h"
#include "esp_sa.h"
#include "esp_test_util.h"

#define BMAX 256

static struct rte_mempool *g_mp;
static struct crypto_mb g_cx;

/* Group setup and teardown (EAL_TEST_MAIN): the pool and the manager. */
static inline int esp_test_setup(void **state)
{
	(void)state;
	g_mp = rte_pktmbuf_pool_create("esp_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return g_mp == NULL || crypto_mb_init(&g_cx) != 0 ? -1 : 0;
}

static inline int esp_test_teardown(void **state)
{
	(void)state;
	crypto_mb_fini(&g_cx);
	rte_mempool_free(g_mp);
	return 0;
}

struct bres {
	uint16_t ok;
	uint16_t ndrop;
	uint8_t lt;
	struct rte_mbuf *drop[BMAX];
	uint8_t reason[BMAX];
};

static inline void params_fill(struct esp_sa_params *p, enum esp_alg alg, enum esp_dir dir,
			       bool esn, bool natt)
{
	memset(p, 0, sizeof(*p));
	p->spi = 0x1000abcd;
	p->alg = alg;
	p->dir = dir;
	p->esn = esn;
	p->natt = natt;
	for (unsigned i = 0; i < ESP_KEYMAT_MAX; i++)
		p->keymat[i] = (uint8_t)(i * 7 + 1);
	for (unsigned i = 0; i < ESP_AUTH_KEY_LEN; i++)
		p->auth_key[i] = (uint8_t)(0xa0 + i);
}

static inline struct esp_sa *sa_new(const struct esp_sa_params *p)
{
	struct esp_sa *sa = aligned_alloc(RTE_CACHE_LINE_SIZE,
					  RTE_ALIGN_CEIL(sizeof(*sa), RTE_CACHE_LINE_SIZE));

	assert_non_null(sa);
	assert_int_equal(esp_sa_init(sa, &g_cx, p), 0);
	return sa;
}

static inline void sa_free(struct esp_sa *sa)
{
	esp_sa_fini(sa);
	free(sa);
}

/* A sink that adds to r's drops, and what it took back into r. */
static inline struct esp_sink bres_sink(struct bres *r)
{
	return (struct esp_sink){.es_drop = r->drop + r->ndrop, .es_reason = r->reason + r->ndrop};
}

static inline void bres_take(struct bres *r, const struct esp_sink *s)
{
	r->ndrop = (uint16_t)(r->ndrop + s->es_n);
	r->lt |= s->es_lifetime;
}

static inline void bres_reset(struct bres *r)
{
	r->ok = r->ndrop = 0;
	r->lt = 0;
}

/* esp_encrypt_burst or esp_decrypt_burst of pk[0..n) into a fresh r. */
static inline void burst(uint16_t (*fn)(struct crypto_mb *, struct esp_sa *, struct rte_mbuf **,
					uint16_t, uint16_t, struct esp_sink *),
			 struct esp_sa *sa, struct rte_mbuf **pk, uint16_t n, struct bres *r)
{
	struct esp_sink s;

	bres_reset(r);
	s = bres_sink(r);
	r->ok = fn(&g_cx, sa, pk, n, ETH_LEN, &s);
	bres_take(r, &s);
}

static inline void enc(struct esp_sa *sa, struct rte_mbuf **pk, uint16_t n, struct bres *r)
{
	burst(esp_encrypt_burst, sa, pk, n, r);
}

static inline void dec(struct esp_sa *sa, struct rte_mbuf **pk, uint16_t n, struct bres *r)
{
	burst(esp_decrypt_burst, sa, pk, n, r);
}

/* esp_encap_burst of pk[0..n) with inner lengths len[] and TOS tos[];
 * returns how many are ready, the drops added to r. */
static inline uint16_t encap(struct esp_sa *sa, const struct gre_outer_tmpl *t,
			     struct rte_mbuf **pk, const uint16_t *len, const uint8_t *tos,
			     uint16_t n, struct esp_seal_queue *later, struct bres *r)
{
	struct esp_inner in[BMAX];
	struct esp_gre_encap ge = {.ge_tmpl = t, .ge_inner = in, .ge_later = later};
	struct esp_sink s = bres_sink(r);
	uint16_t ok;

	for (uint16_t i = 0; i < n; i++)
		in[i] = (struct esp_inner){.in_len = len[i], .in_tos = tos[i]};
	ok = esp_encap_burst(&g_cx, sa, pk, n, ETH_LEN, &ge, &s);
	bres_take(r, &s);
	return ok;
}

/* One packet in, its reason out; m stays the caller's either way. */
static inline int dec_one(struct esp_sa *sa, struct rte_mbuf *m)
{
	struct bres r;

	dec(sa, &m, 1, &r);
	return r.ok == 1 ? ESP_OK : r.reason[0];
}

static inline int enc_one(struct esp_sa *sa, struct rte_mbuf *m)
{
	struct bres r;

	enc(sa, &m, 1, &r);
	return r.ok == 1 ? ESP_OK : r.reason[0];
}

static inline void free_all(struct rte_mbuf **pk, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pk[i]);
}

static inline uint64_t be_n(const uint8_t *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* A hand-made ICV-valid packet with any plaintext (bad padding, other next
 * headers): GCM through the exposed seal, CBC through the job API with the
 * ESN high half hashed as RFC 4303 2.2.1 says. esp = ESP header room. */
static inline void seal_custom(struct esp_sa *sa, uint8_t *esp, uint64_t seq, uint32_t pt_len)
{
	struct crypto_mb_cbc_op op;
	uint32_t spi = rte_cpu_to_be_32(sa->sa_spi), lo = rte_cpu_to_be_32((uint32_t)seq);
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));

	if (sa->sa_flags & ESP_SA_F_GCM) {
		esp_out_gcm_seal(&g_cx, sa, esp, seq, seq, pt_len);
		return;
	}
	memcpy(esp, &spi, 4);
	memcpy(esp + 4, &lo, 4);
	for (unsigned i = 0; i < ESP_CBC_IV_LEN; i++)
		esp[8 + i] = (uint8_t)(rand() & 0xff);
	memset(&op, 0, sizeof(op));
	op.co_buf = esp;
	op.co_hash_len = 24 + pt_len;
	if (sa->sa_flags & ESP_SA_F_ESN) {
		memcpy(esp + 24 + pt_len, &hi, 4);
		op.co_hash_len += 4;
	}
	op.co_cipher_off = 24;
	op.co_cipher_len = pt_len;
	op.co_iv = esp + 8;
	assert_int_equal(crypto_mb_cbc_hmac_burst(&g_cx, &sa->sa_key, true, &op, 1), 1);
	memcpy(esp + 24 + pt_len, op.co_tag, ESP_ICV_LEN);
}

/* One encrypted packet (GRE of gre_len) as bytes; the SA's next number. */
static inline uint16_t make_cipher(struct esp_sa *out, uint16_t gre_len, uint8_t *bytes)
{
	struct rte_mbuf *m = mbuf_gre(g_mp, gre_len, 7);
	uint16_t len;

	assert_int_equal(enc_one(out, m), ESP_OK);
	len = m->data_len;
	memcpy(bytes, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return len;
}

static inline int dec_bytes(struct esp_sa *in, const uint8_t *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g_mp);
	int why;

	memcpy(rte_pktmbuf_append(m, len), bytes, len);
	why = dec_one(in, m);
	rte_pktmbuf_free(m);
	return why;
}

/* An inner IPv4 packet of 20 + len bytes behind an Ethernet header; its
 * headroom cut to `headroom` when nonzero. */
static inline struct rte_mbuf *mbuf_inner(uint16_t len, uint32_t seed, uint16_t headroom)
{
	uint8_t pay[1500];
	struct rte_mbuf *m, *c;

	for (uint16_t i = 0; i < len; i++)
		pay[i] = (uint8_t)(seed * 13 + i * 5);
	m = mbuf_ipv4(g_mp, IPPROTO_UDP, pay, len);
	assert_non_null(m);
	if (headroom == 0)
		return m;
	c = rte_pktmbuf_alloc(g_mp);
	assert_non_null(c);
	c->data_off = headroom;
	memcpy(rte_pktmbuf_append(c, m->data_len), rte_pktmbuf_mtod(m, void *), m->data_len);
	rte_pktmbuf_free(m);
	return c;
}

#endif
