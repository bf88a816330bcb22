/* dmvpnd-ike-bench: IKE SA + first CHILD_SA setups per second on one core,
 * the real responder code (ike_mgr, ike_sa, the crypto layer) driven by an
 * in-process initiator; the responder's time alone is counted. The limit,
 * measured in the same run, is what a responder cannot avoid per handshake
 * with this proposal: one DH key pair and one shared secret, the key
 * schedule (SKEYSEED, prf+ for the IKE keys and the CHILD_SA KEYMAT), two
 * PSK AUTH values (verify the initiator's, make its own) and SK protection
 * of the IKE_AUTH request and response.
 *
 *   dmvpnd-ike-bench [--count N] [--proposal P] [--repeat R] [--json]
 *
 * Prints handshakes/s, microseconds per handshake, the limit and the ratio.
 * A benchmark, never a test: only --quick (CI) asserts that handshakes
 * completed. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike_mgr.h"

#define A_ADDR 0xc6336401u
#define B_ADDR 0xc6336402u
#define MSG_MAX IKE_MSG_BUF

struct node {
	struct ike_mgr *mgr;
	struct ike_env env;
	uint32_t next_spi;
	uint64_t established;
};

static struct {
	struct clock ck;
	struct timer_heap th;
	struct ike_conf conf;
	struct ike_secret psk;
	struct node a, b;
	uint8_t q[4][MSG_MAX];
	size_t qlen[4];
	uint32_t qdst[4];
	unsigned nq;
} w;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int b_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		  const uint8_t *msg, size_t len)
{
	(void)ctx, (void)src, (void)sport, (void)dport;
	if (w.nq == 4 || len > MSG_MAX)
		return -1;
	memcpy(w.q[w.nq], msg, len);
	w.qlen[w.nq] = len;
	w.qdst[w.nq++] = dst;
	return 0;
}

static const struct ike_secret *b_psk(void *ctx, uint32_t addr, const struct ike_ident *id)
{
	(void)ctx, (void)addr, (void)id;
	return &w.psk;
}

static int b_spi(void *ctx, uint32_t *spi)
{
	*spi = ((struct node *)ctx)->next_spi++;
	return 0;
}

static int b_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
	return 0;
}

static void b_activate(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
}

static void b_remove(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
}

static void b_changed(void *ctx, struct ike_sa *sa)
{
	if (sa->sa_state == IKE_SA_ESTABLISHED)
		((struct node *)ctx)->established++;
}

static void node_make(struct node *n, uint32_t spi, uint32_t max_sas)
{
	struct ike_mgr_limits lim = {.ml_max_sas = max_sas, .ml_max_half_open = max_sas,
				     .ml_cookie_threshold = IKE_MGR_NO_COOKIE};

	n->next_spi = spi;
	n->env = (struct ike_env){.ie_ctx = n, .ie_clock = &w.ck, .ie_timers = &w.th,
				  .ie_send = b_send, .ie_psk = b_psk, .ie_spi_alloc = b_spi,
				  .ie_child_install = b_install, .ie_child_remove = b_remove,
				  .ie_child_activate = b_activate,
				  .ie_sa_changed = b_changed};
	n->mgr = ike_mgr_create(&w.conf, &n->env, &lim);
	if (n->mgr == NULL) {
		fprintf(stderr, "ike-bench: no memory\n");
		exit(2);
	}
}

/* Delivers until quiet; the responder's share of the time in *resp_ns. */
static void pump(uint64_t *resp_ns)
{
	static uint8_t buf[MSG_MAX];

	while (w.nq != 0) {
		size_t len = w.qlen[0];
		uint32_t dst = w.qdst[0];
		uint64_t t0;

		memcpy(buf, w.q[0], len);
		memmove(w.q, w.q + 1, (w.nq - 1) * sizeof(w.q[0]));
		memmove(w.qlen, w.qlen + 1, (w.nq - 1) * sizeof(w.qlen[0]));
		memmove(w.qdst, w.qdst + 1, (w.nq - 1) * sizeof(w.qdst[0]));
		w.nq--;
		if (dst == B_ADDR) {
			t0 = now_ns();
			ike_mgr_input(w.b.mgr, A_ADDR, 500, B_ADDR, 500, buf, len);
			*resp_ns += now_ns() - t0;
		} else {
			ike_mgr_input(w.a.mgr, B_ADDR, 500, A_ADDR, 500, buf, len);
		}
	}
}

/* N handshakes; returns the responder's nanoseconds. SAs are dropped as
 * they are made (no Delete exchange), so the tables stay small. */
static uint64_t run_handshakes(unsigned n)
{
	uint64_t resp = 0;

	for (unsigned i = 0; i < n; i++) {
		struct ike_sa *sa = ike_mgr_initiate(w.a.mgr, A_ADDR, B_ADDR);
		struct ike_sa *bsa;

		pump(&resp);
		if (sa != NULL)
			ike_sa_kill(sa, IKE_ERR_LOCAL);
		bsa = ike_mgr_find_peer(w.b.mgr, A_ADDR);
		if (bsa != NULL)
			ike_sa_kill(bsa, IKE_ERR_LOCAL);
		ike_mgr_reap(w.a.mgr);
		ike_mgr_reap(w.b.mgr);
	}
	return resp;
}

/* The unavoidable per-handshake work, by itself, n times: ns per set. */
static double limit_ns(unsigned n, const struct ike_ike_prop *p)
{
	uint8_t ke[IKE_DH_KE_MAX], gir[IKE_DH_KE_MAX], seed[IKE_PRF_MAX_LEN], nonce[32] = {1};
	uint8_t spi[IKE_SPI_LEN] = {1}, msg[600] = {0}, pt[400] = {0}, auth[IKE_PRF_MAX_LEN];
	uint8_t i2r[64], r2i[64], oct[800], back[600];
	struct ike_dh *peer = ike_dh_create(p->ip_dh);
	struct ike_kdf_keys keys;
	size_t ke_len, gir_len, ml, pl;
	enum ike_sk_drop why;
	uint64_t t0;

	if (peer == NULL || ike_dh_ke_encode(peer, ke, sizeof(ke), &ke_len) != 0)
		return 0;
	msg[17] = 0x20;
	t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		struct ike_dh *dh = ike_dh_create(p->ip_dh);
		size_t aad = 32, body = 300 + ike_sk_overhead(&p->ip_suite, 300);

		ike_dh_ke_encode(dh, ke, sizeof(ke), &ke_len);
		ike_dh_secret_derive(dh, ke, ke_len, gir, sizeof(gir), &gir_len);
		ike_dh_destroy(dh);
		ike_kdf_skeyseed(p->ip_suite.cs_prf, nonce, 32, nonce, 32, gir, gir_len, seed);
		ike_kdf_keys_derive(&p->ip_suite, seed, nonce, 32, nonce, 32, spi, spi, &keys);
		ike_kdf_child_keymat(&keys, NULL, 0, nonce, 32, nonce, 32, i2r, r2i, 36);
		for (int a = 0; a < 2; a++) { /* verify the initiator's AUTH, make ours */
			ike_auth_octets_encode(p->ip_suite.cs_prf, msg, 300, nonce, 32, keys.sk_pi, msg,
					       8, oct, sizeof(oct), &ml);
			ike_auth_psk_compute(p->ip_suite.cs_prf, w.psk.ps_key, w.psk.ps_len, oct, ml,
					     auth);
		}
		/* the IKE_AUTH request opened, the response sealed */
		msg[24] = (uint8_t)((aad + body) >> 24), msg[25] = (uint8_t)((aad + body) >> 16);
		msg[26] = (uint8_t)((aad + body) >> 8), msg[27] = (uint8_t)(aad + body);
		ike_sk_encrypt(&keys, IKE_CRYPTO_I2R, msg, aad, sizeof(msg), pt, 300, &ml);
		ike_sk_decrypt(&keys, IKE_CRYPTO_I2R, msg, ml, aad, back, sizeof(back), &pl, &why);
		ike_sk_encrypt(&keys, IKE_CRYPTO_R2I, msg, aad, sizeof(msg), pt, 300, &ml);
		ike_kdf_keys_fini(&keys);
	}
	t0 = now_ns() - t0;
	ike_dh_destroy(peer);
	return (double)t0 / n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"count", 1, 0, 'n'}, {"proposal", 1, 0, 'p'},
					      {"repeat", 1, 0, 'r'}, {"quick", 0, 0, 'q'},
					      {0, 0, 0, 0}};
	const char *prop = "aes256gcm16-prfsha256-x25519";
	unsigned count = 20000, repeat = 3;
	bool quick = false;
	double best = 0, lim;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': count = (unsigned)atoi(optarg); break;
		case 'p': prop = optarg; break;
		case 'r': repeat = (unsigned)atoi(optarg); break;
		case 'q': quick = true; count = 200; repeat = 1; break;
		default: return 2;
		}
	}
	if (count == 0 || repeat == 0 || ike_prop_ike_parse(prop, &w.conf.ic_ike[0]) != 0) {
		fprintf(stderr, "usage: dmvpnd-ike-bench [--count N] [--proposal P] [--repeat R] [--quick]\n");
		return 2;
	}
	w.conf.ic_n_ike = 1;
	ike_prop_esp_parse("aes256gcm16", &w.conf.ic_esp[0]);
	w.conf.ic_n_esp = 1;
	w.conf.ic_retransmit_ms = 1000;
	w.conf.ic_retransmit_tries = 3;
	w.psk.ps_len = 24;
	memcpy(w.psk.ps_key, "dmvpnd-ike-bench-psk-000", 24);
	clock_init_monotonic(&w.ck);
	timer_heap_init(&w.th);
	node_make(&w.a, 0xa0000000u, 64);
	node_make(&w.b, 0xb0000000u, 64);
	run_handshakes(count / 10 + 1); /* warm up */
	w.b.established = 0;
	for (unsigned r = 0; r < repeat; r++) {
		uint64_t ns = run_handshakes(count);
		double rate = count / (ns / 1e9);

		printf("run %u: %u handshakes, responder %.1f us each, %.0f handshakes/s\n", r + 1,
		       count, ns / 1e3 / count, rate);
		best = rate > best ? rate : best;
	}
	lim = limit_ns(count / 4 + 1, &w.conf.ic_ike[0]);
	printf("proposal %s, PSK, first CHILD_SA aes256gcm16: responder %.0f handshakes/s on one core "
	       "(%.1f us); limit %.0f/s (%.1f us: DH pair + shared secret, key schedule, 2 PSK AUTH, "
	       "SK open + seal); %.0f %% of the limit\n",
	       prop, best, 1e6 / best, 1e9 / lim, lim / 1e3, 100 * best / (1e9 / lim));
	printf("completed: %" PRIu64 " of %u\n", w.b.established, count * repeat);
	ike_mgr_destroy(w.a.mgr);
	ike_mgr_destroy(w.b.mgr);
	timer_heap_fini(&w.th);
	if (quick && w.b.established != (uint64_t)count * repeat) {
		printf("ike-bench --quick: FAILED (handshakes did not complete)\n");
		return 1;
	}
	return 0;
}
