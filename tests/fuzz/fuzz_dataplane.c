/* libFuzzer target for the worker's whole receive path: pipeline_burst and
 * tx_flush, exactly as worker_poll calls them, on frames the input makes,
 * arriving on the WAN port of a phase 3 hub with a keyed tunnel. Every
 * parser that sees the network runs on them: Ethernet, IPv4 (both
 * validation paths), ESP (SPI, lengths, replay, ICV), GRE, NHRP punting,
 * the inner IPv4 packet, and the routes out (forward, hairpin, local).
 *
 * Input: byte 0 selects the tunnel's mode (bit 0: ESP required, bit 1:
 * phase 2 instead of 3); then frames, each [flags][length, 2 bytes][bytes]:
 *   flags bit 0: the bytes are a GRE packet (header and payload) that peer
 *   A sends us, which the harness puts behind outer IPv4 from A's NBMA
 *   address and, with ESP on, encrypts under A's SA, so that the
 *   fuzzer's bytes reach the GRE and inner parsers behind a valid ICV;
 *   with bit 1 too, under A's second SA, in tunnel mode (RFC 4303 3.1.2);
 *   with bits 1 and 2, the bytes are that SA's whole plaintext payload
 *   (the IPv4 header inside and what follows), sealed by hand with next
 *   header 4, so that they reach the check of the header inside;
 *   otherwise the bytes are the whole Ethernet frame.
 * Peer B's SAs are tunnel-mode ones: what the hub sends B (a hairpin from
 * A) is encrypted in tunnel mode.
 * After each input every mbuf must be back in the pool: a packet the path
 * lost (neither sent, punted nor dropped and freed) aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "esp_sa.h"
#include "gre.h"
#include "ipv4_header.h"
#include "lcore_ctx.h"
#include "stages.h"

#define assert_true(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)
#define assert_int_equal(a, b) assert_true((a) == (b))
#include "../unit/eal_test.h"
#include "../unit/hub_test.h"
#include "../unit/ring_port_test.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUR_WAN 0xc6336401u /* 198.51.100.1 */
#define NBMA_A 0xc633640bu  /* 198.51.100.11 */
#define NBMA_B 0xc633640cu
#define OV_A 0x0aff000bu /* 10.255.0.11 */
#define OV_B 0x0aff000cu
#define SPI_A 0x1000u
#define SPI_B 0x2000u
#define SPI_T 0x3000u /* A's tunnel-mode SA */
#define L2 ((uint16_t)sizeof(struct rte_ether_hdr))

static struct {
	struct dp dp;
	struct lcore_ctx *lc;
	struct rte_ring *rx, *tx;
	struct esp_sa *in_a, *in_b, *out_a, *out_b, *peer_a; /* peer_a: A's own outbound */
	struct esp_sa *in_t, *peer_t; /* A's tunnel-mode pair: ours in, A's out */
	unsigned base_in_use;
} fz;

static const struct rte_ether_addr nb_mac = {{0x02, 0, 0, 0, 0, 0x32}};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct crypto_mb *cx;

	(void)argc;
	(void)argv;
	if (eal_test_init("fuzz_dp", NULL) < 0)
		abort();
	/* libFuzzer may end with _Exit, past eal_test.h's atexit handler: the
	 * runtime directory (empty with --no-shconf) goes now. */
	eal_test_rmdir();
	fz.dp.dp_pool = rte_pktmbuf_pool_create("fz_pool", 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						SOCKET_ID_ANY);
	fz.rx = rte_ring_create("fz_rx", 256, SOCKET_ID_ANY, 0);
	fz.tx = rte_ring_create("fz_tx", 256, SOCKET_ID_ANY, 0);
	assert_true(fz.dp.dp_pool != NULL && fz.rx != NULL && fz.tx != NULL);
	ring_port_setup(&fz.dp, "fz_wan", fz.rx, &fz.tx, 1);
	hub_test_dp(&fz.dp, OUR_WAN, 3);
	hub_test_route(&fz.dp, fz.dp.dp_tunnel.tn_addr, 32, FIB_NH_LOCAL, 0);
	hub_test_route(&fz.dp, 0x0aff0000u, 24, FIB_NH_TUNNEL, 0);
	hub_test_route(&fz.dp, 0x0a010000u, 24, FIB_NH_TUNNEL, OV_A); /* behind A */
	hub_test_route(&fz.dp, 0x0a020000u, 24, FIB_NH_TUNNEL, OV_B); /* behind B */
	assert_int_equal(neigh_table_publish(&fz.dp.dp_neigh, 0, NBMA_A, &nb_mac), 0);
	assert_int_equal(neigh_table_publish(&fz.dp.dp_neigh, 0, NBMA_B, &nb_mac), 0);
	assert_int_equal(neigh_table_publish(&fz.dp.dp_neigh, 0, 0xc6336432u, &nb_mac), 0);
	fz.lc = hub_test_lcore(&fz.dp);
	cx = &fz.lc->lc_cx;

	/* A speaks GCM, in transport mode and in tunnel mode, B CBC+HMAC in
	 * tunnel mode; the hub's SAs and A's own outbound ones. */
	fz.in_a = hub_test_sa(cx, SPI_A, ESP_DIR_IN, ESP_ALG_AES_GCM_128);
	fz.peer_a = hub_test_sa(cx, SPI_A, ESP_DIR_OUT, ESP_ALG_AES_GCM_128);
	fz.out_a = hub_test_sa(cx, SPI_A + 1, ESP_DIR_OUT, ESP_ALG_AES_GCM_128);
	fz.in_t = hub_test_sa_mode(cx, SPI_T, ESP_DIR_IN, ESP_ALG_AES_GCM_128, NBMA_A, OUR_WAN);
	fz.peer_t = hub_test_sa_mode(cx, SPI_T, ESP_DIR_OUT, ESP_ALG_AES_GCM_128, NBMA_A, OUR_WAN);
	fz.in_b = hub_test_sa_mode(cx, SPI_B, ESP_DIR_IN, ESP_ALG_AES_CBC_128_HMAC_SHA256, NBMA_B,
				   OUR_WAN);
	fz.out_b = hub_test_sa_mode(cx, SPI_B + 1, ESP_DIR_OUT, ESP_ALG_AES_CBC_128_HMAC_SHA256,
				    OUR_WAN, NBMA_B);
	assert_int_equal(sa_table_add(&fz.dp.dp_sa_in, SPI_A, fz.in_a), 0);
	assert_int_equal(sa_table_add(&fz.dp.dp_sa_in, SPI_B, fz.in_b), 0);
	assert_int_equal(sa_table_add(&fz.dp.dp_sa_in, SPI_T, fz.in_t), 0);
	assert_true(peer_table_publish(&fz.dp.dp_peers, OV_A, NBMA_A, PEER_DYNAMIC, fz.out_a) >= 0);
	assert_true(peer_table_publish(&fz.dp.dp_peers, OV_B, NBMA_B, PEER_DYNAMIC, fz.out_b) >= 0);
	fz.base_in_use = rte_mempool_in_use_count(fz.dp.dp_pool);
	return 0;
}

/* A frame from A to us: outer IPv4 (protocol proto) with room for len
 * bytes behind it, returned in *payload. NULL when it does not fit. */
static struct rte_mbuf *frame_from_a(uint8_t proto, uint16_t len, uint8_t **payload)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.dp.dp_pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(L2 + sizeof(*ip) + len));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth->dst_addr = fz.dp.dp_ports[0].pt_mac;
	eth->src_addr = nb_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(NBMA_A);
	ip->dst_addr = rte_cpu_to_be_32(OUR_WAN);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*payload = (uint8_t *)(ip + 1);
	return m;
}

/* What A sends: len bytes of GRE behind outer IPv4 from A to us, with ESP
 * under sa (NULL: none). NULL when it does not fit. */
static struct rte_mbuf *from_a(const uint8_t *gre, uint16_t len, struct esp_sa *sa)
{
	uint8_t *p, why;
	struct rte_mbuf *m = frame_from_a(IPPROTO_GRE, len, &p), *drop;

	if (m == NULL)
		return NULL;
	memcpy(p, gre, len);
	if (sa != NULL &&
	    esp_encrypt_burst(&fz.lc->lc_cx, sa, &m, 1, L2,
			      &(struct esp_sink){.es_drop = &drop, .es_reason = &why}) != 1) {
		rte_pktmbuf_free(drop);
		return NULL;
	}
	return m;
}

/* A tunnel-mode ESP packet from A whose plaintext payload is pt, sealed
 * by hand under A's tunnel-mode SA (RFC 4303 2.4 padding, next header 4):
 * the header inside is the fuzzer's. NULL when it does not fit. */
static struct rte_mbuf *sealed_from_a(const uint8_t *pt, uint16_t len)
{
	uint32_t ct = RTE_ALIGN_CEIL(len + 2u, 4u);
	uint8_t *esp, pad = (uint8_t)(ct - len - 2u);
	struct rte_mbuf *m = frame_from_a(
		IPPROTO_ESP, (uint16_t)(ESP_HDR_LEN + ESP_GCM_IV_LEN + ct + ESP_ICV_LEN), &esp);

	if (m == NULL)
		return NULL;
	memcpy(esp + ESP_HDR_LEN + ESP_GCM_IV_LEN, pt, len);
	for (uint8_t i = 0; i < pad; i++)
		esp[ESP_HDR_LEN + ESP_GCM_IV_LEN + len + i] = (uint8_t)(i + 1);
	esp[ESP_HDR_LEN + ESP_GCM_IV_LEN + ct - 2] = pad;
	esp[ESP_HDR_LEN + ESP_GCM_IV_LEN + ct - 1] = ESP_NEXT_HEADER_IPV4;
	esp_out_gcm_seal(&fz.lc->lc_cx, fz.peer_t, esp, fz.peer_t->sa_seq + 1,
			 fz.peer_t->sa_seq + 1, ct);
	fz.peer_t->sa_seq++;
	return m;
}

static struct rte_mbuf *raw_frame(const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.dp.dp_pool);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, b, len);
	m->port = fz.dp.dp_ports[0].pt_id;
	return m;
}

/* One frame of the input, by its flags (see the top of the file). */
static struct rte_mbuf *frame_make(uint8_t flags, const uint8_t *b, uint16_t len)
{
	bool esp = fz.dp.dp_tunnel.tn_esp;

	if (!(flags & 1))
		return raw_frame(b, len);
	if (esp && (flags & 6) == 6)
		return sealed_from_a(b, len);
	return from_a(b, len, !esp ? NULL : (flags & 2) ? fz.peer_t : fz.peer_a);
}

static void drain(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_event ev;
	uint16_t n = 0;
	size_t at = 1;

	if (size < 1)
		return 0;
	fz.dp.dp_tunnel.tn_esp = (data[0] & 1) != 0;
	fz.dp.dp_tunnel.tn_phase = (data[0] & 2) ? 2 : 3;
	while (n < DP_BURST && at + 3 <= size) {
		uint8_t flags = data[at];
		uint16_t len = (uint16_t)(data[at + 1] << 8 | data[at + 2]);
		struct rte_mbuf *m;

		at += 3;
		if (len > size - at)
			len = (uint16_t)(size - at);
		if (len > 1500)
			len = 1500;
		m = frame_make(flags, data + at, len);
		at += len;
		if (m != NULL)
			pkts[n++] = m;
	}
	if (n != 0)
		pipeline_burst(fz.lc, 0, pkts, n);
	tx_flush(fz.lc);
	drain(fz.tx);
	drain(fz.lc->lc_punt);
	while (rte_ring_dequeue_elem(fz.lc->lc_events, &ev, sizeof(ev)) == 0)
		;
	/* Every packet was sent, punted or dropped and freed: none lost. */
	if (rte_mempool_in_use_count(fz.dp.dp_pool) != fz.base_in_use)
		abort();
	return 0;
}
