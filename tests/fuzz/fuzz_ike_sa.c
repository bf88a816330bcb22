/* libFuzzer target: the IKE-lite state machine behind the SK check. Each
 * input starts an IKE SA between two in-process nodes (real handshake,
 * real keys), then is sent by the initiator to the responder as a request
 * that passes the SK check: octet 0 picks the exchange (IKE_AUTH,
 * CREATE_CHILD_SA, INFORMATIONAL), octet 1 is the first inner payload type,
 * the rest the inner payload chain as the sender encrypted it. Whatever the
 * handlers do (answer, refuse, delete, rekey), nothing may crash or leak;
 * the network and timers run a little after it. Half the inputs also go
 * in raw, before any SK check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_mgr.h"

#define A_ADDR 0xc6336401u
#define B_ADDR 0xc6336402u

struct node {
	struct ike_mgr *mgr;
	struct ike_env env;
	uint32_t next_spi;
};

static struct {
	struct clock ck;
	struct timer_heap th;
	struct ike_conf conf;
	struct ike_secret psk;
	struct node a, b;
	uint8_t q[8][IKE_MSG_BUF];
	size_t qlen[8];
	uint32_t qdst[8];
	unsigned nq;
} f;

static int f_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		  const uint8_t *msg, size_t len)
{
	(void)ctx, (void)src, (void)sport, (void)dport;
	if (f.nq == 8 || len > IKE_MSG_BUF)
		return -1;
	memcpy(f.q[f.nq], msg, len);
	f.qlen[f.nq] = len;
	f.qdst[f.nq++] = dst;
	return 0;
}

static const struct ike_secret *f_psk(void *ctx, uint32_t addr, const struct ike_ident *id)
{
	(void)ctx, (void)addr, (void)id;
	return &f.psk;
}

static int f_spi(void *ctx, uint32_t *spi)
{
	*spi = ((struct node *)ctx)->next_spi++;
	return 0;
}

static int f_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
	return 0;
}

static void f_activate(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
}

static void f_remove(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
}

static void f_changed(void *ctx, struct ike_sa *sa)
{
	(void)ctx, (void)sa;
}

/* Delivers what is queued, a bounded number of rounds. */
static void pump(void)
{
	for (unsigned round = 0; round < 16 && f.nq != 0; round++) {
		uint8_t buf[IKE_MSG_BUF];
		size_t len = f.qlen[0];
		uint32_t dst = f.qdst[0];

		memcpy(buf, f.q[0], len);
		memmove(f.q, f.q + 1, (f.nq - 1) * sizeof(f.q[0]));
		memmove(f.qlen, f.qlen + 1, (f.nq - 1) * sizeof(f.qlen[0]));
		memmove(f.qdst, f.qdst + 1, (f.nq - 1) * sizeof(f.qdst[0]));
		f.nq--;
		ike_mgr_input(dst == B_ADDR ? f.b.mgr : f.a.mgr, dst == B_ADDR ? A_ADDR : B_ADDR, 500,
			      dst, 500, buf, len);
	}
	f.nq = 0;
}

static void node_make(struct node *n, uint32_t spi)
{
	struct ike_mgr_limits lim = {.ml_max_sas = 8, .ml_max_half_open = 4,
				     .ml_cookie_threshold = IKE_MGR_NO_COOKIE};

	n->next_spi = spi;
	n->env = (struct ike_env){.ie_ctx = n, .ie_clock = &f.ck, .ie_timers = &f.th,
				  .ie_send = f_send, .ie_psk = f_psk, .ie_spi_alloc = f_spi,
				  .ie_child_install = f_install, .ie_child_remove = f_remove,
				  .ie_child_activate = f_activate,
				  .ie_sa_changed = f_changed};
	n->mgr = ike_mgr_create(&f.conf, &n->env, &lim);
	if (n->mgr == NULL)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	clock_init_fake(&f.ck, 1000000000);
	timer_heap_init(&f.th);
	ike_prop_ike_parse("aes128gcm16-prfsha256-x25519", &f.conf.ic_ike[0]);
	f.conf.ic_n_ike = 1;
	ike_prop_esp_parse("aes128gcm16", &f.conf.ic_esp[0]);
	f.conf.ic_n_esp = 1;
	f.conf.ic_retransmit_ms = 500;
	f.conf.ic_retransmit_tries = 2;
	f.conf.ic_dpd_s = 5;
	f.psk.ps_len = 8;
	memcpy(f.psk.ps_key, "fuzz-psk", 8);
	return 0;
}

/* The initiator's established SA sends `inner` as a protected request. */
static void send_protected(struct ike_sa *sa, struct ike_sa *bsa, uint8_t exch, uint8_t first,
			   const uint8_t *inner, size_t len)
{
	uint8_t buf[IKE_MSG_BUF];
	struct ike_sk_frame fr;
	struct ike_msg m;
	size_t body, out;

	if (len > IKE_MSG_BUF - 256)
		return;
	ike_msg_init(&m, exch, IKE_FLAG_INITIATOR, bsa->sa_resp_next);
	for (unsigned i = 0; i < IKE_SPI_LEN; i++) {
		m.im_spi_i = m.im_spi_i << 8 | sa->sa_spi_i[i];
		m.im_spi_r = m.im_spi_r << 8 | sa->sa_spi_r[i];
	}
	m.im_sk_first = first;
	ike_pld_add(&m, false, IKE_PL_SK);
	body = len + ike_sk_overhead(&sa->sa_keys.sk_suite, len);
	if (ike_msg_encode_sk_frame(&m, body, buf, sizeof(buf), &fr) != 0 ||
	    ike_sk_encrypt(&sa->sa_keys, IKE_CRYPTO_I2R, buf, fr.sf_body_off, sizeof(buf), inner,
			   len, &out) != 0)
		return;
	ike_mgr_input(f.b.mgr, A_ADDR, 500, B_ADDR, 500, buf, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t exch[3] = {IKE_EXCH_IKE_AUTH, IKE_EXCH_CREATE_CHILD_SA,
					IKE_EXCH_INFORMATIONAL};
	struct ike_sa *sa, *bsa;

	if (size < 2)
		return 0;
	node_make(&f.a, 0xa0000000u);
	node_make(&f.b, 0xb0000000u);
	sa = ike_mgr_initiate(f.a.mgr, A_ADDR, B_ADDR);
	pump();
	bsa = ike_mgr_find_peer(f.b.mgr, A_ADDR);
	if (sa != NULL && bsa != NULL && sa->sa_state == IKE_SA_ESTABLISHED) {
		if (data[0] & 0x80) /* raw, before any check */
			ike_mgr_input(f.b.mgr, A_ADDR, 500, B_ADDR, data[0] & 1 ? 4500 : 500, data + 1,
				      size - 1);
		else
			send_protected(sa, bsa, exch[data[0] % 3], data[1], data + 2, size - 2);
		pump();
		for (unsigned i = 0; i < 20; i++) { /* retransmissions, liveness, rekeys */
			clock_fake_advance(&f.ck, 500000000);
			timer_run(&f.th, clock_now(&f.ck));
			pump();
		}
	}
	ike_mgr_destroy(f.a.mgr);
	ike_mgr_destroy(f.b.mgr);
	f.nq = 0;
	return 0;
}
