/* The limit, measured on the worker core in the same process after the
 * run: what moving a packet through the net_ring ports costs with no work
 * (rx_burst + tx_burst of the same mbufs on a loopback ring port), and
 * what intel-ipsec-mb alone costs for the same ESP sizes and algorithm
 * (bursts of 32 on cache-hot buffers, the direct GCM API crypto_mb.c uses,
 * or its CBC+HMAC job burst). Also the testpmd io-forward loop (--dir
 * iofwd), the reference for cleartext forwarding on the same ports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "bench.h"

#define LIMIT_BUF 2048
#define LIMIT_RING_ITERS 50000u
#define LIMIT_CRYPTO_BYTES (16u << 20) /* per repetition: a few ms */
#define GRE_KEYED_LEN 8
/* A limit is a best case: the minimum of a few repetitions, so that an
 * interruption (another process, the hypervisor) cannot inflate it. */
#define LIMIT_REPEAT 5

struct limit_job {
	struct bench *lj_b;
	struct rte_mbuf *lj_mbufs[64];
	uint8_t *lj_bufs;    /* 64 x LIMIT_BUF */
	double lj_crypto[3]; /* per size class */
};

static double limit_ring_once(struct limit_job *j)
{
	uint16_t port = j->lj_b->b_loop_port, burst = j->lj_b->b_opt.o_burst, n = burst;
	struct rte_mbuf **v = j->lj_mbufs;
	uint64_t t0 = 0;

	if (rte_eth_tx_burst(port, 0, v, burst) != burst)
		return -1;
	for (unsigned i = 0; i < LIMIT_RING_ITERS + 1000; i++) {
		if (i == 1000)
			t0 = rte_rdtsc_precise();
		n = rte_eth_rx_burst(port, 0, v, burst);
		rte_eth_tx_burst(port, 0, v, n);
	}
	t0 = rte_rdtsc_precise() - t0;
	n = rte_eth_rx_burst(port, 0, v, burst); /* back to the caller, to free */
	return n == burst ? (double)t0 / ((double)LIMIT_RING_ITERS * burst) : -1;
}

static double limit_ring(struct limit_job *j)
{
	double best = limit_ring_once(j);

	for (unsigned r = 1; r < LIMIT_REPEAT; r++)
		best = RTE_MIN(best, limit_ring_once(j));
	return best;
}

/* ESP ciphertext bytes for an inner packet: keyed GRE + trailer, aligned. */
static uint32_t limit_ct_len(const struct esp_sa *sa, uint16_t inner)
{
	return RTE_ALIGN_CEIL((uint32_t)inner + GRE_KEYED_LEN + 2, sa->sa_align);
}

/* Keeps the limit's tag comparisons from being optimised away. */
static volatile unsigned j_sink;

static void limit_gcm(struct crypto_mb *cx, const struct esp_sa *sa, bool enc, uint8_t *bufs,
		      unsigned burst, uint32_t ct)
{
	static const uint8_t nonce[CRYPTO_MB_NONCE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint8_t aad[12] = {0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};

	uint8_t tags[CRYPTO_MB_BURST_MAX][CRYPTO_MB_TAG_LEN];
	unsigned bad = 0;

	for (unsigned i = 0; i < burst; i++) {
		uint8_t *p = bufs + (size_t)i * LIMIT_BUF;

		if (enc)
			crypto_mb_gcm_seal(cx, &sa->sa_key, nonce, aad, sizeof(aad), p, ct, p + ct);
		else
			crypto_mb_gcm_dec(cx, &sa->sa_key, nonce, aad, sizeof(aad), p, ct, tags[i]);
	}
	/* As esp_in.c does: the tags are compared a pass after decryption. */
	for (unsigned i = 0; !enc && i < burst; i++)
		bad += !crypto_mb_tag_equal(tags[i], bufs + (size_t)i * LIMIT_BUF + ct);
	j_sink += bad;
}

/* As esp_out.c/esp_in.c lay it out: ESP header, 16-byte IV, ciphertext,
 * the ESN high half hashed after it. */
static void limit_cbc(struct crypto_mb *cx, const struct esp_sa *sa, bool enc, uint8_t *bufs,
		      unsigned burst, uint32_t ct)
{
	static const uint8_t iv[CRYPTO_MB_BLOCK];
	struct crypto_mb_cbc_op ops[CRYPTO_MB_BURST_MAX];

	for (unsigned i = 0; i < burst; i++) {
		ops[i].co_buf = bufs + (size_t)i * LIMIT_BUF;
		ops[i].co_hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + ct + 4;
		ops[i].co_cipher_off = enc ? ESP_HDR_LEN : ESP_HDR_LEN + ESP_CBC_IV_LEN;
		ops[i].co_cipher_len = enc ? ESP_CBC_IV_LEN + ct : ct;
		ops[i].co_iv = enc ? iv : ops[i].co_buf + ESP_HDR_LEN;
	}
	crypto_mb_cbc_hmac_burst(cx, &sa->sa_key, enc, ops, (uint16_t)burst);
}

/* Cycles per packet for one direction and inner size, one repetition. */
static double limit_crypto_once(struct limit_job *j, const struct esp_sa *sa, bool enc,
				uint16_t inner)
{
	struct crypto_mb *cx = &j->lj_b->b_lc[0]->lc_cx;
	unsigned burst = j->lj_b->b_opt.o_burst;
	uint32_t ct = limit_ct_len(sa, inner);
	unsigned iters = LIMIT_CRYPTO_BYTES / (ct * burst) + 10;
	bool gcm = sa->sa_flags & ESP_SA_F_GCM;
	uint64_t t0 = 0;

	for (unsigned i = 0; i < iters + 10; i++) {
		if (i == 10)
			t0 = rte_rdtsc_precise();
		if (gcm)
			limit_gcm(cx, sa, enc, j->lj_bufs, burst, ct);
		else
			limit_cbc(cx, sa, enc, j->lj_bufs, burst, ct);
	}
	return (double)(rte_rdtsc_precise() - t0) / ((double)iters * burst);
}

static double limit_crypto_one(struct limit_job *j, const struct esp_sa *sa, bool enc,
			       uint16_t inner)
{
	double best = limit_crypto_once(j, sa, enc, inner);

	for (unsigned r = 1; r < LIMIT_REPEAT; r++)
		best = RTE_MIN(best, limit_crypto_once(j, sa, enc, inner));
	return best;
}

/* Runs on: the worker lcore, after worker_main returned. */
static int limit_main(void *arg)
{
	struct limit_job *j = arg;
	struct bench *b = j->lj_b;
	enum bench_dir d = b->b_opt.o_dir;

	b->b_limit.li_ring_cpp = limit_ring(j);
	for (unsigned s = 0; s < b->b_nsizes && b->b_opt.o_prot != BENCH_PROT_NONE; s++) {
		double c = 0;

		if (d == BENCH_DECAP || d == BENCH_HAIRPIN)
			c += limit_crypto_one(j, b->b_sa_in[0], false, b->b_sizes[s]);
		if (d == BENCH_ENCAP || d == BENCH_HAIRPIN)
			c += limit_crypto_one(j, b->b_sa_out[0], true, b->b_sizes[s]);
		j->lj_crypto[s] = c;
	}
	return 0;
}

/* Runs on: main lcore. Allocates here so the worker lcore's pool counters
 * stay those of the run. */
int bench_limit_measure(struct bench *b)
{
	struct limit_job j = {.lj_b = b};
	unsigned cnt[3] = {0};
	double sum = 0;
	int rc;

	j.lj_bufs = aligned_alloc(64, 64 * LIMIT_BUF);
	if (j.lj_bufs == NULL ||
	    rte_pktmbuf_alloc_bulk(b->b_dp.dp_pool, j.lj_mbufs, b->b_opt.o_burst) != 0) {
		free(j.lj_bufs);
		return -ENOMEM;
	}
	memset(j.lj_bufs, 0x5a, 64 * LIMIT_BUF);
	rc = rte_eal_remote_launch(limit_main, &j, b->b_opt.o_worker_lcores[0]);
	rc = rc ? rc : rte_eal_wait_lcore(b->b_opt.o_worker_lcores[0]);
	rte_pktmbuf_free_bulk(j.lj_mbufs, b->b_opt.o_burst);
	free(j.lj_bufs);
	for (unsigned k = 0; k < BENCH_MIX_LEN; k++)
		cnt[b->b_mix[k]]++;
	for (unsigned s = 0; s < b->b_nsizes; s++)
		sum += j.lj_crypto[s] * cnt[s];
	b->b_limit.li_crypto_cpp = sum / BENCH_MIX_LEN;
	return rc;
}

/* testpmd's io forwarding (app/test-pmd/iofwd.c) on a worker lcore: its
 * queue of both ports polled as the worker does, LAN rx -> WAN tx and
 * back, no work. Counts into the same lcore_ctx stats the report reads. */
int bench_iofwd_main(void *arg)
{
	struct lcore_ctx *lc = arg;
	struct dp *dp = lc->lc_dp;
	uint16_t q = (uint16_t)lc->lc_idx, burst = dp->dp_rx_burst;
	struct rte_mbuf *pkts[DP_BURST];

	while (!dp_is_stopping(dp)) {
		uint64_t t0 = rte_rdtsc();
		uint16_t got = 0;

		for (unsigned p = 0; p < BENCH_NPORTS; p++) {
			uint16_t n = rte_eth_rx_burst(dp->dp_ports[p].pt_id, q, pkts, burst);
			uint16_t sent =
				n ? rte_eth_tx_burst(dp->dp_ports[1 - p].pt_id, q, pkts, n) : 0;

			if (sent < n) {
				lc->lc_stats.ls_port[1 - p].ps_drop[DP_DROP_TX_FULL] += n - sent;
				rte_pktmbuf_free_bulk(pkts + sent, n - sent);
			}
			got += n;
		}
		lc->lc_stats.ls_loops++;
		if (got == 0)
			continue;
		lc->lc_stats.ls_bursts++;
		lc->lc_stats.ls_pkts += got;
		lc->lc_stats.ls_busy_tsc += rte_rdtsc() - t0;
	}
	return 0;
}
