/* The hub's peers as NHRP registration and esp_mgr would leave them: a
 * peer table entry (overlay -> NBMA, outbound SA), an inbound SA by SPI,
 * a route to the peer's LAN prefix via its overlay address. Plus the
 * peers' side of each SA pair, for the generator: their outbound SA makes
 * the ESP the hub decrypts, their inbound SA checks what the hub encrypts.
 * Keys are fixed test patterns derived from the SPI. Side by side with
 * ipsec-secgw (o_sbs), ESN and anti-replay are off, as in its defaults:
 * net_pcap's infinite_rx replays the same sequence numbers forever. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "bench.h"

#define SPI_TO_HUB 0x10000000u   /* peer -> hub: the hub's inbound SA */
#define SPI_FROM_HUB 0x20000000u /* hub -> peer: the hub's outbound SA */

static void sa_params(struct esp_sa_params *p, enum bench_prot prot, uint32_t spi, enum esp_dir dir,
		      bool sbs, bool one_sender)
{
	static const enum esp_alg algs[] = {
		[BENCH_PROT_GCM128] = ESP_ALG_AES_GCM_128,
		[BENCH_PROT_GCM256] = ESP_ALG_AES_GCM_256,
		[BENCH_PROT_CBC] = ESP_ALG_AES_CBC_128_HMAC_SHA256,
	};

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->alg = algs[prot];
	p->esn = !sbs;
	p->no_replay = sbs;
	p->one_sender = one_sender;
	for (unsigned i = 0; i < ESP_KEYMAT_MAX; i++)
		p->keymat[i] = (uint8_t)(spi * 131u + i * 7u);
	for (unsigned i = 0; i < ESP_AUTH_KEY_LEN; i++)
		p->auth_key[i] = (uint8_t)(spi * 17u + i * 3u + 1u);
}

static struct esp_sa *sa_new(struct bench *b, uint32_t spi, enum esp_dir dir, bool one_sender)
{
	struct esp_sa_params p;
	struct esp_sa *sa = rte_zmalloc("esp_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);

	sa_params(&p, b->b_opt.o_prot, spi, dir, b->b_opt.o_sbs, one_sender);
	if (sa != NULL && esp_sa_init(sa, &b->b_gen_cx, &p) != 0) {
		rte_free(sa);
		sa = NULL;
	}
	return sa;
}

/* The four SAs of one peer: the hub's pair, and the peer's mirror of it
 * when the generator needs it. */
static int peer_sas(struct bench *b, uint32_t i)
{
	bool to_hub = b->b_opt.o_dir == BENCH_DECAP || b->b_opt.o_dir == BENCH_HAIRPIN;
	bool from_hub = b->b_opt.o_verify && b->b_opt.o_dir != BENCH_DECAP;

	/* On the hub's SAs one worker sends, unless there are several (as
	 * esp_mgr decides); on the mirrors only the generator. */
	b->b_sa_in[i] = sa_new(b, SPI_TO_HUB + i, ESP_DIR_IN, true);
	b->b_sa_out[i] = sa_new(b, SPI_FROM_HUB + i, ESP_DIR_OUT, b->b_opt.o_nworkers == 1);
	if (b->b_sa_in[i] == NULL || b->b_sa_out[i] == NULL)
		return -ENOMEM;
	if (to_hub && (b->b_peer_out[i] = sa_new(b, SPI_TO_HUB + i, ESP_DIR_OUT, true)) == NULL)
		return -ENOMEM;
	if (from_hub && (b->b_peer_in[i] = sa_new(b, SPI_FROM_HUB + i, ESP_DIR_IN, true)) == NULL)
		return -ENOMEM;
	return sa_table_add(&b->b_dp.dp_sa_in, SPI_TO_HUB + i, b->b_sa_in[i]);
}

static int peer_add(struct bench *b, uint32_t i)
{
	struct dp *dp = &b->b_dp;
	struct fib_nh nh = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0};
	const struct esp_sa *out = NULL;
	int rc;

	if (b->b_opt.o_prot != BENCH_PROT_NONE) {
		rc = peer_sas(b, i);
		if (rc != 0)
			return rc;
		out = b->b_sa_out[i];
	}
	rc = peer_table_publish(&dp->dp_peers, bench_peer_overlay(i), bench_peer_nbma(i),
				PEER_DYNAMIC, out);
	if (rc < 0)
		return rc;
	if (!b->b_per_peer_routes)
		return 0;
	nh.nh_gw = bench_peer_overlay(i);
	return fib_route_add(&dp->dp_fib, 0x10000000u + (i << 8), 24, &nh, FIB_SRC_NHRP);
}

int bench_peers_create(struct bench *b)
{
	uint32_t n = b->b_opt.o_peers;
	int rc = 0;

	b->b_sa_in = calloc(n, sizeof(*b->b_sa_in));
	b->b_sa_out = calloc(n, sizeof(*b->b_sa_out));
	b->b_peer_in = calloc(n, sizeof(*b->b_peer_in));
	b->b_peer_out = calloc(n, sizeof(*b->b_peer_out));
	if (b->b_sa_in == NULL || b->b_sa_out == NULL || b->b_peer_in == NULL ||
	    b->b_peer_out == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = peer_add(b, i);
	return rc;
}

static void sa_free_all(struct esp_sa **v, uint32_t n)
{
	if (v == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (v[i] != NULL)
			esp_sa_fini(v[i]);
		rte_free(v[i]);
	}
	free(v);
}

/* After the worker stopped and the tables are gone. */
void bench_peers_destroy(struct bench *b)
{
	uint32_t n = b->b_opt.o_peers;

	sa_free_all(b->b_sa_in, n);
	sa_free_all(b->b_sa_out, n);
	sa_free_all(b->b_peer_in, n);
	sa_free_all(b->b_peer_out, n);
}
