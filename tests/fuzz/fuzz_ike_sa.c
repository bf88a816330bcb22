/* libFuzzer target: the IKE-lite state machine behind the SK check. Each
 * input starts an IKE SA between two in-process nodes (real handshake,
 * real keys), then is sent by the initiator to the responder as a request
 * that passes the SK check: octet 0 picks the exchange (IKE_AUTH,
 * CREATE_CHILD_SA, INFORMATIONAL), octet 1 is the first inner payload type,
 * the rest the inner payload chain as the sender encrypted it. Whatever the
 * handlers do (answer, refuse, delete, rekey), nothing may crash or leak;
 * the network and timers run a little after it. Half the inputs also go
 * in raw, before any SK check; some go as RFC 7383 fragments (octet 0 bit
 * 0x40), each fragment authenticated, their count and order from the
 * input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_pair.h"

static struct ike_pair f;

/* Delivers what is queued, a bounded number of rounds. */
static void pump(void)
{
	uint8_t buf[IKE_MSG_BUF];
	size_t len;
	uint32_t dst;

	for (unsigned round = 0; round < 16 && ike_pair_next(&f, buf, &len, &dst); round++)
		ike_pair_deliver(&f, buf, len, dst);
	f.ip_nq = 0;
}

static void node_make(struct ike_pair_node *n, uint32_t spi)
{
	struct ike_mgr_limits lim = {
		.ml_max_sas = 8, .ml_max_half_open = 4, .ml_cookie_threshold = IKE_MGR_NO_COOKIE};

	if (ike_pair_node_make(&f, n, spi, &lim) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	clock_init_fake(&f.ip_ck, 1000000000);
	timer_heap_init(&f.ip_th);
	ike_prop_ike_parse("aes128gcm16-prfsha256-x25519", &f.ip_conf.ic_ike[0]);
	f.ip_conf.ic_n_ike = 1;
	ike_prop_esp_parse("aes128gcm16", &f.ip_conf.ic_esp[0]);
	f.ip_conf.ic_n_esp = 1;
	f.ip_conf.ic_retransmit_ms = 500;
	f.ip_conf.ic_retransmit_tries = 2;
	f.ip_conf.ic_dpd_s = 5;
	f.ip_policy.po_frag = true;
	f.ip_policy.po_frag_size = 576;
	f.ip_policy.po_has_psk = true;
	f.ip_conf.ic_policy = &f.ip_policy;
	f.ip_policy.po_psk.ps_len = 8;
	memcpy(f.ip_policy.po_psk.ps_key, "fuzz-psk", 8);
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
	ike_mgr_input(f.ip_b.pn_mgr, IKE_PAIR_A, 500, IKE_PAIR_B, 500, buf, out);
}

/* The same as SKF fragments: `total` claimed, `n` sent, backwards when
 * told; fragment 1 names the first inner payload. */
static void send_fragments(struct ike_sa *sa, struct ike_sa *bsa, uint8_t exch, uint8_t first,
			   uint8_t shape, const uint8_t *inner, size_t len)
{
	unsigned total = 1 + (shape & 7), n = total + ((shape >> 3) & 1) - ((shape >> 4) & 1);
	size_t chunk = len / total + 1;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = shape & 0x20 ? n - 1 - k : k;
		size_t off = i * chunk < len ? i * chunk : len,
		       cl = len - off < chunk ? len - off : chunk;
		uint8_t buf[IKE_MSG_BUF];
		struct ike_sk_frame fr;
		struct ike_msg m;
		size_t out;

		ike_msg_init(&m, exch, IKE_FLAG_INITIATOR, bsa->sa_resp_next);
		for (unsigned j = 0; j < IKE_SPI_LEN; j++) {
			m.im_spi_i = m.im_spi_i << 8 | sa->sa_spi_i[j];
			m.im_spi_r = m.im_spi_r << 8 | sa->sa_spi_r[j];
		}
		m.im_sk_first = i == 0 ? first : IKE_PL_NONE;
		m.im_skf_num = (uint16_t)(i + 1);
		m.im_skf_total = (uint16_t)total;
		ike_pld_add(&m, false, IKE_PL_SKF);
		if (ike_msg_encode_sk_frame(&m, cl + ike_sk_overhead(&sa->sa_keys.sk_suite, cl),
					    buf, sizeof(buf), &fr) != 0 ||
		    ike_sk_encrypt(&sa->sa_keys, IKE_CRYPTO_I2R, buf, fr.sf_body_off, sizeof(buf),
				   inner + off, cl, &out) != 0)
			return;
		ike_mgr_input(f.ip_b.pn_mgr, IKE_PAIR_A, 500, IKE_PAIR_B, 500, buf, out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t exch[3] = {IKE_EXCH_IKE_AUTH, IKE_EXCH_CREATE_CHILD_SA,
					IKE_EXCH_INFORMATIONAL};
	struct ike_sa *sa, *bsa;

	if (size < 2)
		return 0;
	node_make(&f.ip_a, 0xa0000000u);
	node_make(&f.ip_b, 0xb0000000u);
	sa = ike_mgr_initiate(f.ip_a.pn_mgr, IKE_PAIR_A, IKE_PAIR_B);
	pump();
	bsa = ike_mgr_find_peer(f.ip_b.pn_mgr, IKE_PAIR_A);
	if (sa != NULL && bsa != NULL && sa->sa_state == IKE_SA_ESTABLISHED) {
		if (data[0] & 0x80) /* raw, before any check */
			ike_mgr_input(f.ip_b.pn_mgr, IKE_PAIR_A, 500, IKE_PAIR_B,
				      data[0] & 1 ? 4500 : 500, data + 1, size - 1);
		else if (data[0] & 0x40 && size > 3 && size - 3 <= IKE_MSG_BUF - 256)
			send_fragments(sa, bsa, exch[data[0] % 3], data[1], data[2], data + 3,
				       size - 3);
		else
			send_protected(sa, bsa, exch[data[0] % 3], data[1], data + 2, size - 2);
		pump();
		for (unsigned i = 0; i < 20; i++) { /* retransmissions, liveness, rekeys */
			clock_fake_advance(&f.ip_ck, 500000000);
			timer_run(&f.ip_th, clock_now(&f.ip_ck));
			pump();
		}
	}
	ike_mgr_destroy(f.ip_a.pn_mgr);
	ike_mgr_destroy(f.ip_b.pn_mgr);
	f.ip_nq = 0;
	return 0;
}
