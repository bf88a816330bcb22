/* The worker's ESP stages (dataplane/stage_esp_in.c, stage_esp_out.c) on
 * crafted bursts, through pipeline_burst as the worker runs it, on a
 * net_ring WAN port:
 *   - decap: runs of one SA with a forged packet in the middle, an unknown
 *     SPI between runs, two senders; what leaves, in which order, which
 *     drop counters and which peer counters move;
 *   - encap: a run of packets of several sizes to one peer, another to a
 *     peer without an SA (fail closed); byte counters per peer;
 *   - the SA, sender and neighbour kept from burst to burst, given up when
 *     their table changes;
 *   - tunnel mode: decap, its drops by reason, NHRP, encap.
 * Every mbuf must come back to the pool.
 *
 *   test ──rx ring──> [wan0 198.51.100.1/24, tunnel hub, ESP] ──tx ring──> test */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "eal_test.h"
#include "esp_sa.h"
#include "gre.h"
#include "ipv4_header.h"
#include "lcore_ctx.h"
#include "stages.h"
#include "hub_test.h"
#include "ring_port_test.h"

#define OUR_WAN 0xc6336401u /* 198.51.100.1 */
#define NBMA_A 0xc633640bu  /* 198.51.100.11 */
#define NBMA_B 0xc633640cu  /* 198.51.100.12 */
#define OV_A 0x0aff000bu    /* 10.255.0.11 */
#define OV_B 0x0aff000cu
#define OV_C 0x0aff000du     /* a peer with no SA */
#define LAN_HOST 0xc6336432u /* 198.51.100.50: decapsulated packets go here */
#define HOST_A 0x0a010005u   /* behind peer A: 10.1.0.0/24 via OV_A */
#define HOST_C 0x0a030005u   /* behind peer C */
#define SPI_A 0x1000u
#define SPI_B 0x2000u
#define SPI_T 0x3000u

static const struct rte_ether_addr nb_mac = {{0x02, 0, 0, 0, 0, 0x32}};

static struct {
	struct dp dp;
	struct lcore_ctx *lc;
	struct rte_ring *rx, *tx;
	struct esp_sa *in_a, *in_b, *out_a;         /* the hub's */
	struct esp_sa *peer_a, *peer_b, *peer_in_a; /* the peers' mirrors */
	const struct peer *pe_a, *pe_b, *pe_c;
} fx;

static struct esp_sa *sa_make(uint32_t spi, enum esp_dir dir)
{
	return hub_test_sa(&fx.lc->lc_cx, spi, dir, ESP_ALG_AES_GCM_128);
}

static int setup(void **state)
{
	static unsigned round;
	char name[32];

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.dp.dp_pool = rte_pktmbuf_pool_create("t_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						SOCKET_ID_ANY);
	fx.rx = rte_ring_create("t_rx", 256, SOCKET_ID_ANY, 0);
	fx.tx = rte_ring_create("t_tx", 256, SOCKET_ID_ANY, 0);
	snprintf(name, sizeof(name), "t_wan%u", round++);
	ring_port_setup(&fx.dp, name, fx.rx, &fx.tx, 1);
	hub_test_dp(&fx.dp, OUR_WAN, 2);
	fx.dp.dp_tunnel.tn_esp = true;
	hub_test_route(&fx.dp, 0x0a010000u, 24, FIB_NH_TUNNEL, OV_A);
	hub_test_route(&fx.dp, 0x0a030000u, 24, FIB_NH_TUNNEL, OV_C);
	/* Every address on the WAN subnet answers with one MAC. */
	assert_int_equal(neigh_table_publish(&fx.dp.dp_neigh, 0, LAN_HOST, &nb_mac), 0);
	assert_int_equal(neigh_table_publish(&fx.dp.dp_neigh, 0, NBMA_A, &nb_mac), 0);
	assert_int_equal(neigh_table_publish(&fx.dp.dp_neigh, 0, NBMA_B, &nb_mac), 0);
	fx.lc = hub_test_lcore(&fx.dp);

	/* The hub's SAs and the peers' mirrors (same SPI and keys). */
	fx.in_a = sa_make(SPI_A, ESP_DIR_IN);
	fx.in_b = sa_make(SPI_B, ESP_DIR_IN);
	fx.out_a = sa_make(SPI_A + 1, ESP_DIR_OUT);
	fx.peer_a = sa_make(SPI_A, ESP_DIR_OUT);
	fx.peer_b = sa_make(SPI_B, ESP_DIR_OUT);
	fx.peer_in_a = sa_make(SPI_A + 1, ESP_DIR_IN);
	assert_int_equal(sa_table_add(&fx.dp.dp_sa_in, SPI_A, fx.in_a), 0);
	assert_int_equal(sa_table_add(&fx.dp.dp_sa_in, SPI_B, fx.in_b), 0);
	assert_true(peer_table_publish(&fx.dp.dp_peers, OV_A, NBMA_A, PEER_DYNAMIC, fx.out_a) >= 0);
	assert_true(peer_table_publish(&fx.dp.dp_peers, OV_B, NBMA_B, PEER_DYNAMIC, NULL) >= 0);
	assert_true(peer_table_publish(&fx.dp.dp_peers, OV_C, 0xc633640du, PEER_DYNAMIC, NULL) >=
		    0);
	fx.pe_a = peer_table_lookup(&fx.dp.dp_peers, OV_A);
	fx.pe_b = peer_table_lookup(&fx.dp.dp_peers, OV_B);
	fx.pe_c = peer_table_lookup(&fx.dp.dp_peers, OV_C);
	return 0;
}

static int teardown(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	while (rte_ring_dequeue(fx.tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(fx.lc->lc_punt, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	hub_test_dp_fini(&fx.dp);
	hub_test_sa_free(fx.in_a);
	hub_test_sa_free(fx.in_b);
	hub_test_sa_free(fx.out_a);
	hub_test_sa_free(fx.peer_a);
	hub_test_sa_free(fx.peer_b);
	hub_test_sa_free(fx.peer_in_a);
	hub_test_lcore_free(fx.lc);
	rte_eth_dev_stop(fx.dp.dp_ports[0].pt_id);
	rte_eth_dev_close(fx.dp.dp_ports[0].pt_id);
	rte_ring_free(fx.rx);
	rte_ring_free(fx.tx);
	assert_int_equal(rte_mempool_in_use_count(fx.dp.dp_pool), 0);
	rte_mempool_free(fx.dp.dp_pool);
	return 0;
}

/* Ethernet + IPv4/UDP from src to dst with `id` as the IPv4 id, `payload`
 * UDP bytes. */
static struct rte_mbuf *ipv4_frame(uint32_t src, uint32_t dst, uint16_t id, uint16_t payload)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.dp.dp_pool);
	uint16_t len =
		(uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + payload);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	assert_non_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + len));
	memset(eth, 0, sizeof(*eth) + len);
	eth->dst_addr = fx.dp.dp_ports[0].pt_mac;
	eth->src_addr = nb_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/* What peer `nbma` sends the hub without ESP: an inner packet to dst in
 * keyed GRE. */
static struct rte_mbuf *gre_from_to(uint32_t nbma, uint16_t id, uint32_t dst)
{
	struct rte_mbuf *m = ipv4_frame(0x0a090001u, dst, id, 20);
	uint16_t inner = (uint16_t)(m->data_len - sizeof(struct rte_ether_hdr));
	char *front = rte_pktmbuf_prepend(m, gre_encap_overhead(&fx.dp.dp_tunnel));
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)front;

	assert_non_null(front);
	gre_outer_build((struct rte_ipv4_hdr *)(front + sizeof(struct rte_ether_hdr)),
			&fx.dp.dp_tunnel, nbma, OUR_WAN, inner, GRE_PROTO_IPV4, 0);
	eth->dst_addr = fx.dp.dp_ports[0].pt_mac;
	eth->src_addr = nb_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return m;
}

/* ESP under the peer's outbound SA `sa` of what m holds (outer IPv4, GRE). */
static struct rte_mbuf *esp_of(struct rte_mbuf *m, struct esp_sa *sa)
{
	struct rte_mbuf *drop;
	uint8_t why;

	assert_int_equal(esp_encrypt_burst(&fx.lc->lc_cx, sa, &m, 1, sizeof(struct rte_ether_hdr),
					   &(struct esp_sink){.es_drop = &drop, .es_reason = &why}),
			 1);
	return m;
}

/* The same in ESP under the peer's outbound SA `sa`. */
static struct rte_mbuf *esp_from_to(uint32_t nbma, struct esp_sa *sa, uint16_t id, uint32_t dst)
{
	return esp_of(gre_from_to(nbma, id, dst), sa);
}

static struct rte_mbuf *esp_from(uint32_t nbma, struct esp_sa *sa, uint16_t id)
{
	return esp_from_to(nbma, sa, id, LAN_HOST);
}

static const struct dp_port_stats *wan_stats(void)
{
	return &fx.lc->lc_stats.ls_port[0];
}

/* The IPv4 ids of what went out, in order. */
static unsigned sent_ids(uint16_t *ids, unsigned max)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while (n < max && rte_ring_dequeue(fx.tx, (void **)&m) == 0) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

		ids[n++] = rte_be_to_cpu_16(ip->packet_id);
		rte_pktmbuf_free(m);
	}
	return n;
}

static void test_decap_runs(void **state)
{
	struct rte_mbuf *pk[6];
	struct rte_mbuf *forged;
	uint16_t ids[8];
	unsigned n;

	(void)state;
	/* A1 A2 A3(forged) A4 | unknown SPI from B | B1 */
	pk[0] = esp_from(NBMA_A, fx.peer_a, 1);
	pk[1] = esp_from(NBMA_A, fx.peer_a, 2);
	forged = esp_from(NBMA_A, fx.peer_a, 3);
	rte_pktmbuf_mtod(forged, uint8_t *)[forged->data_len - 1] ^= 0x01; /* the ICV */
	pk[2] = forged;
	pk[3] = esp_from(NBMA_A, fx.peer_a, 4);
	pk[4] = esp_from(NBMA_B, fx.peer_b, 5);
	rte_pktmbuf_mtod_offset(pk[4], uint8_t *,
				sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))[3] ^=
		0x77; /* SPI: unknown */
	pk[5] = esp_from(NBMA_B, fx.peer_b, 6);
	pipeline_burst(fx.lc, 0, pk, 6);
	tx_flush(fx.lc);
	n = sent_ids(ids, 8);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 4);
	assert_int_equal(ids[3], 6);
	assert_int_equal(wan_stats()->ps_esp_drop[ESP_DROP_ICV_FAIL], 1);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_ESP_FAILED], 1);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_ESP_UNKNOWN_SPI], 1);
	assert_int_equal(fx.in_a->sa_drops[ESP_DROP_ICV_FAIL], 1);
	assert_int_equal(fx.in_a->sa_pkts, 3);
	assert_int_equal(fx.in_b->sa_pkts, 1);
	/* Counted against the right senders, forged and unknown not at all. */
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_a->pe_id].ps_rx_pkts, 3);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_b->pe_id].ps_rx_pkts, 1);
	/* The unknown SPI was reported to the control thread. */
	assert_int_equal(rte_ring_count(fx.lc->lc_events), 1);
}

static void test_encap_runs(void **state)
{
	static const uint16_t sizes[4] = {10, 300, 1000, 55};
	struct rte_mbuf *pk[6], *m, *drop;
	uint64_t inner = 0;
	uint8_t why;
	unsigned n = 0;

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		pk[i] = ipv4_frame(LAN_HOST, HOST_A, (uint16_t)(10 + i), sizes[i]);
		inner += 28u + sizes[i];
	}
	pk[4] = ipv4_frame(LAN_HOST, HOST_C, 20, 10); /* peer C has no SA */
	pk[5] = ipv4_frame(LAN_HOST, HOST_A, 14, 0);
	inner += 28;
	pipeline_burst(fx.lc, 0, pk, 6);
	tx_flush(fx.lc);
	/* Five to A, encrypted under its SA, in order; C's dropped, closed. */
	while (rte_ring_dequeue(fx.tx, (void **)&m) == 0) {
		const struct rte_ipv4_hdr *ip;

		assert_int_equal(
			esp_decrypt_burst(&fx.lc->lc_cx, fx.peer_in_a, &m, 1,
					  sizeof(struct rte_ether_hdr),
					  &(struct esp_sink){.es_drop = &drop, .es_reason = &why}),
			1);
		ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
					     sizeof(struct rte_ether_hdr) +
						     sizeof(struct rte_ipv4_hdr) + 8);
		assert_int_equal(rte_be_to_cpu_16(ip->packet_id), n < 4 ? 10 + n : 14);
		rte_pktmbuf_free(m);
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_ESP_NO_SA], 1);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_a->pe_id].ps_tx_pkts, 5);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_a->pe_id].ps_tx_bytes, inner);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_c->pe_id].ps_tx_pkts, 0);
	assert_int_equal(fx.out_a->sa_seq, 5);
}

/* ESP is taken for decryption only when it is for our WAN address and
 * whole: ESP to another address is forwarded as it is, a fragment of ESP
 * to us is dropped as a fragment (RFC 4303 3.4.1: no reassembly here). */
static void test_esp_not_for_us(void **state)
{
	struct rte_mbuf *pk[3], *m;
	struct rte_ipv4_hdr *ip;

	(void)state;
	pk[0] = esp_from(NBMA_A, fx.peer_a, 1);
	ip = rte_pktmbuf_mtod_offset(pk[0], struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ip->dst_addr = rte_cpu_to_be_32(LAN_HOST);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	pk[1] = esp_from(NBMA_A, fx.peer_a, 2);
	ip = rte_pktmbuf_mtod_offset(pk[1], struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	pk[2] = esp_from(NBMA_A, fx.peer_a, 3); /* and one that is ours */
	pipeline_burst(fx.lc, 0, pk, 3);
	tx_flush(fx.lc);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_IPV4_FRAGMENT], 1);
	assert_int_equal(fx.in_a->sa_pkts, 1);
	/* The transit one still ESP, TTL 63, to its own destination; then ours, decrypted. */
	assert_int_equal(rte_ring_dequeue(fx.tx, (void **)&m), 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	assert_int_equal(ip->next_proto_id, IPPROTO_ESP);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), LAN_HOST);
	assert_int_equal(ip->time_to_live, 63);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_ring_dequeue(fx.tx, (void **)&m), 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(rte_be_to_cpu_16(ip->packet_id), 3);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_ring_count(fx.tx), 0);
}

/* UDP from `src` to our WAN address, ports sport -> dport, carrying
 * `data`. */
static struct rte_mbuf *udp_to_us(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data,
				  uint16_t len)
{
	struct rte_mbuf *m = ipv4_frame(src, OUR_WAN, 7, len);
	struct rte_udp_hdr *udp =
		rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
					sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	memcpy(udp + 1, data, len);
	return m;
}

/* Port 500 is IKE's alone (RFC 7296 2.23): a bare IKE header there is
 * IKE, never an ESP SPI, so it raises no unknown-SPI event (which under
 * group-key keying would make an SA pair for its sender). On port 4500
 * the non-ESP marker says IKE, anything else is ESP (RFC 3948 2.2). */
static void test_ike_ports(void **state)
{
	/* An IKE_SA_INIT header: SPIi, zero SPIr, next payload SA. */
	static const uint8_t ike[28] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0,  0,
					0,    0,    0,    0,    0,    0,    33,   0x20, 34, 0x08};
	uint8_t marked[32] = {0};
	struct rte_mbuf *pk[4];

	(void)state;
	memcpy(marked + 4, ike, sizeof(ike));
	pk[0] = udp_to_us(0xcb007105u, 500, 500, ike, sizeof(ike));
	pk[1] = udp_to_us(0xcb007105u, 4500, 4500, marked, sizeof(marked));
	pk[2] = udp_to_us(0xcb007105u, 4500, 4500, ike, sizeof(ike)); /* ESP, SPI 0x11223344 */
	pk[3] = udp_to_us(0xcb007105u, 500, 500, ike, sizeof(ike));
	pipeline_burst(fx.lc, 0, pk, 4);
	tx_flush(fx.lc);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_IKE], 3);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_ESP_UNKNOWN_SPI], 1);
	assert_int_equal(rte_ring_count(fx.tx), 0);
}

/* A phase 3 hub: what B sends for a host behind A goes back out of the
 * tunnel to A (hairpin) and B is told once (Traffic Indication), not once
 * a packet; what B sends for the WAN subnet leaves in clear, no event. */
static void test_hairpin_redirect(void **state)
{
	struct rte_mbuf *pk[4], *m, *drop;
	const struct rte_ipv4_hdr *q;
	struct dp_event ev;
	uint8_t why;
	unsigned to_a = 0, to_lan = 0;

	(void)state;
	fx.dp.dp_tunnel.tn_phase = 3;
	pk[0] = esp_from_to(NBMA_B, fx.peer_b, 1, HOST_A);
	pk[1] = esp_from_to(NBMA_B, fx.peer_b, 2, LAN_HOST);
	pk[2] = esp_from_to(NBMA_B, fx.peer_b, 3, HOST_A);
	pk[3] = esp_from_to(NBMA_B, fx.peer_b, 4, HOST_A);
	pipeline_burst(fx.lc, 0, pk, 4);
	pk[0] = esp_from_to(NBMA_B, fx.peer_b, 5, HOST_A);
	pipeline_burst(fx.lc, 0, pk, 1);
	tx_flush(fx.lc);
	while (rte_ring_dequeue(fx.tx, (void **)&m) == 0) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

		if (ip->next_proto_id == IPPROTO_ESP) {
			/* To A's NBMA address, under the SA A decrypts with. */
			assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), NBMA_A);
			assert_int_equal(esp_decrypt_burst(&fx.lc->lc_cx, fx.peer_in_a, &m, 1,
							   sizeof(struct rte_ether_hdr),
							   &(struct esp_sink){.es_drop = &drop,
									      .es_reason = &why}),
					 1);
			ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
						     sizeof(struct rte_ether_hdr) +
							     sizeof(struct rte_ipv4_hdr) + 8);
			assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), HOST_A);
			assert_int_equal(ip->time_to_live, 63);
			to_a++;
		} else {
			assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), LAN_HOST);
			assert_int_equal(rte_be_to_cpu_16(ip->packet_id), 2);
			to_lan++;
		}
		rte_pktmbuf_free(m);
	}
	assert_int_equal(to_a, 4);
	assert_int_equal(to_lan, 1);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_b->pe_id].ps_rx_pkts, 5);
	assert_int_equal(fx.lc->lc_peer_stats[fx.pe_a->pe_id].ps_tx_pkts, 4);
	/* One redirect for (B, host behind A), quoting the inner packet. */
	assert_int_equal(rte_ring_count(fx.lc->lc_events), 1);
	assert_int_equal(fx.lc->lc_stats.ls_events, 1);
	assert_int_equal(rte_ring_dequeue_elem(fx.lc->lc_events, &ev, sizeof(ev)), 0);
	assert_int_equal(ev.ev_cause, PUNT_EV_REDIRECT);
	assert_int_equal(ev.ev_nbma, NBMA_B);
	assert_int_equal(ev.ev_target, HOST_A);
	assert_int_equal(ev.ev_port, 0);
	assert_int_equal(ev.ev_quote_len, DP_EVENT_QUOTE); /* of the 48-byte inner packet */
	q = (const struct rte_ipv4_hdr *)ev.ev_quote;
	assert_int_equal(rte_be_to_cpu_32(q->dst_addr), HOST_A);
	assert_int_equal(rte_be_to_cpu_16(q->packet_id), 1);
}

static void sa_keep(void *a, void *b)
{
	(void)a;
	(void)b; /* the test owns its SAs */
}

/* The destination MAC address of the next packet sent. */
static void expect_sent_to(const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = NULL;

	tx_flush(fx.lc);
	assert_int_equal(rte_ring_dequeue(fx.tx, (void **)&m), 0);
	assert_true(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
					   mac));
	rte_pktmbuf_free(m);
}

/* The worker keeps the last SA, sender and neighbour it found from burst
 * to burst; a change to their table must end that at once: a replaced SA
 * is not used again, a retired sender is not counted again, a neighbour's
 * new MAC address is used from the next burst on, a retired one is not. */
static void test_kept_lookup_follows_tables(void **state)
{
	const struct rte_ether_addr mac2 = {{0x02, 0, 0, 0, 0, 0x99}};
	struct esp_sa *in_a2 = sa_make(SPI_A, ESP_DIR_IN); /* the same keys */
	uint32_t id_a = fx.pe_a->pe_id;
	struct rte_mbuf *m = NULL;
	uint16_t ids[4];

	(void)state;
	m = esp_from(NBMA_A, fx.peer_a, 1);
	pipeline_burst(fx.lc, 0, &m, 1);
	expect_sent_to(&nb_mac);
	assert_int_equal(neigh_table_publish(&fx.dp.dp_neigh, 0, LAN_HOST, &mac2), 0);
	m = esp_from(NBMA_A, fx.peer_a, 1);
	pipeline_burst(fx.lc, 0, &m, 1);
	expect_sent_to(&mac2);
	neigh_table_retire(&fx.dp.dp_neigh, 0, LAN_HOST);
	m = esp_from(NBMA_A, fx.peer_a, 1);
	pipeline_burst(fx.lc, 0, &m, 1);
	tx_flush(fx.lc);
	assert_int_equal(rte_ring_count(fx.tx), 0);
	assert_int_equal(rte_ring_dequeue(fx.lc->lc_punt, (void **)&m), 0); /* to resolve */
	rte_pktmbuf_free(m);
	assert_int_equal(neigh_table_publish(&fx.dp.dp_neigh, 0, LAN_HOST, &nb_mac), 0);
	fx.in_a->sa_pkts = 0;
	fx.lc->lc_peer_stats[id_a].ps_rx_pkts = 0;

	m = esp_from(NBMA_A, fx.peer_a, 1);
	pipeline_burst(fx.lc, 0, &m, 1);
	m = esp_from(NBMA_A, fx.peer_a, 2); /* kept from the burst before */
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(fx.in_a->sa_pkts, 2);
	assert_int_equal(fx.lc->lc_peer_stats[id_a].ps_rx_pkts, 2);

	/* The SA is replaced under the same SPI (a rekey with the same keys). */
	sa_table_del(&fx.dp.dp_sa_in, SPI_A, sa_keep, NULL);
	assert_int_equal(sa_table_add(&fx.dp.dp_sa_in, SPI_A, in_a2), 0);
	m = esp_from(NBMA_A, fx.peer_a, 3);
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(fx.in_a->sa_pkts, 2);
	assert_int_equal(in_a2->sa_pkts, 1);
	assert_int_equal(fx.lc->lc_peer_stats[id_a].ps_rx_pkts, 3);

	/* The sender goes: its packets still decrypt, but count for no peer. */
	peer_table_retire(&fx.dp.dp_peers, OV_A);
	m = esp_from(NBMA_A, fx.peer_a, 4);
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(in_a2->sa_pkts, 2);
	assert_int_equal(fx.lc->lc_peer_stats[id_a].ps_rx_pkts, 3);

	tx_flush(fx.lc);
	assert_int_equal(sent_ids(ids, 4), 4);
	assert_int_equal(ids[3], 4);
	sa_table_del(&fx.dp.dp_sa_in, SPI_A, sa_keep, NULL);
	rcu_reclaim(fx.dp.dp_rcu);
	hub_test_sa_free(in_a2);
}

/* Cleartext GRE: the sender found by NBMA address is kept from burst to
 * burst, and given up when the peer table changes. */
static void test_kept_sender_follows_table(void **state)
{
	uint32_t id_a = fx.pe_a->pe_id;
	struct rte_mbuf *m;

	(void)state;
	fx.dp.dp_tunnel.tn_esp = false;
	m = gre_from_to(NBMA_A, 1, LAN_HOST);
	pipeline_burst(fx.lc, 0, &m, 1);
	m = gre_from_to(NBMA_A, 2, LAN_HOST);
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(fx.lc->lc_peer_stats[id_a].ps_rx_pkts, 2);
	peer_table_retire(&fx.dp.dp_peers, OV_A);
	m = gre_from_to(NBMA_A, 3, LAN_HOST);
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(fx.lc->lc_peer_stats[id_a].ps_rx_pkts, 2);
	tx_flush(fx.lc);
	assert_int_equal(rte_ring_count(fx.tx), 3);
}

/* Peer A's SAs as tunnel-mode ones (its CHILD_SA negotiated in tunnel
 * mode) on the worker's path: ESP from A decrypts, the IPv4 header inside
 * is checked and goes, the packet in the tunnel is routed on; one whose
 * header inside names another source, and one in transport mode under the
 * same SPI and keys, are dropped and counted by reason on the port and on
 * the SA; NHRP reaches the control thread as [IPv4 proto 47][GRE], as in
 * transport mode; what the hub sends A leaves in tunnel mode. */
static void test_tunnel_mode(void **state)
{
	struct crypto_mb *cx = &fx.lc->lc_cx;
	struct esp_sa *in_t =
		hub_test_sa_mode(cx, SPI_T, ESP_DIR_IN, ESP_ALG_AES_GCM_128, NBMA_A, OUR_WAN);
	struct esp_sa *peer_t =
		hub_test_sa_mode(cx, SPI_T, ESP_DIR_OUT, ESP_ALG_AES_GCM_128, NBMA_A, OUR_WAN);
	struct esp_sa *spoof =
		hub_test_sa_mode(cx, SPI_T, ESP_DIR_OUT, ESP_ALG_AES_GCM_128, NBMA_B, OUR_WAN);
	struct esp_sa *transport = hub_test_sa(cx, SPI_T, ESP_DIR_OUT, ESP_ALG_AES_GCM_128);
	struct esp_sa *out_t =
		hub_test_sa_mode(cx, SPI_T + 1, ESP_DIR_OUT, ESP_ALG_AES_GCM_128, OUR_WAN, NBMA_A);
	struct esp_sa *peer_in_t =
		hub_test_sa_mode(cx, SPI_T + 1, ESP_DIR_IN, ESP_ALG_AES_GCM_128, OUR_WAN, NBMA_A);
	static const uint8_t nhrp[24] = {0, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3};
	struct rte_mbuf *pk[4], *m, *drop;
	const struct rte_ipv4_hdr *ip;
	const struct peer *pe;
	uint8_t why;
	uint16_t ids[8];

	(void)state;
	assert_int_equal(sa_table_add(&fx.dp.dp_sa_in, SPI_T, in_t), 0);
	assert_true(peer_table_publish(&fx.dp.dp_peers, OV_A, NBMA_A, PEER_DYNAMIC, out_t) >= 0);
	pe = peer_table_lookup(&fx.dp.dp_peers, OV_A);
	spoof->sa_seq = 100; /* other numbers: refused for what they carry, not as replays */
	transport->sa_seq = 200;
	pk[0] = esp_from(NBMA_A, peer_t, 1);
	pk[1] = esp_from(NBMA_A, spoof, 2);
	pk[2] = esp_from(NBMA_A, transport, 3);
	pk[3] = esp_from(NBMA_A, peer_t, 4);
	pipeline_burst(fx.lc, 0, pk, 4);
	tx_flush(fx.lc);
	assert_int_equal(sent_ids(ids, 8), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 4);
	assert_int_equal(wan_stats()->ps_esp_drop[ESP_DROP_TUN_BAD_ADDR], 1);
	assert_int_equal(wan_stats()->ps_esp_drop[ESP_DROP_MODE_MISMATCH], 1);
	assert_int_equal(wan_stats()->ps_drop[DP_DROP_ESP_FAILED], 2);
	assert_int_equal(in_t->sa_drops[ESP_DROP_TUN_BAD_ADDR], 1);
	assert_int_equal(in_t->sa_drops[ESP_DROP_MODE_MISMATCH], 1);
	assert_int_equal(in_t->sa_pkts, 2);
	assert_int_equal(fx.lc->lc_peer_stats[pe->pe_id].ps_rx_pkts, 2);

	/* NHRP in tunnel mode: punted whole, the header inside gone. */
	m = rte_pktmbuf_alloc(fx.dp.dp_pool);
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, sizeof(nhrp)), nhrp, sizeof(nhrp));
	assert_non_null(rte_pktmbuf_prepend(m, sizeof(struct rte_ether_hdr) +
						       gre_encap_overhead(&fx.dp.dp_tunnel)));
	gre_outer_build(
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr)),
		&fx.dp.dp_tunnel, NBMA_A, OUR_WAN, sizeof(nhrp), GRE_PROTO_NHRP, 0);
	memcpy(rte_pktmbuf_mtod(m, struct rte_ether_hdr *),
	       &(struct rte_ether_hdr){.dst_addr = fx.dp.dp_ports[0].pt_mac,
				       .src_addr = nb_mac,
				       .ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4)},
	       sizeof(struct rte_ether_hdr));
	m = esp_of(m, peer_t);
	pipeline_burst(fx.lc, 0, &m, 1);
	assert_int_equal(rte_ring_dequeue(fx.lc->lc_punt, (void **)&m), 0);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	assert_int_equal(ip->next_proto_id, IPPROTO_GRE);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), NBMA_A);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length),
			 gre_encap_overhead(&fx.dp.dp_tunnel) + sizeof(nhrp));
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_memory_equal((const uint8_t *)(ip + 1) + 8, nhrp, sizeof(nhrp)); /* keyed GRE */
	rte_pktmbuf_free(m);

	/* To a host behind A: out in tunnel mode, which A's mirror opens. */
	pk[0] = ipv4_frame(LAN_HOST, HOST_A, 30, 50);
	pipeline_burst(fx.lc, 0, pk, 1);
	tx_flush(fx.lc);
	assert_int_equal(rte_ring_dequeue(fx.tx, (void **)&m), 0);
	assert_int_equal(esp_decrypt_burst(cx, peer_in_t, &m, 1, sizeof(struct rte_ether_hdr),
					   &(struct esp_sink){.es_drop = &drop, .es_reason = &why}),
			 1);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
					     8);
	assert_int_equal(rte_be_to_cpu_16(ip->packet_id), 30);
	rte_pktmbuf_free(m);
	assert_int_equal(out_t->sa_seq, 1);

	assert_true(peer_table_publish(&fx.dp.dp_peers, OV_A, NBMA_A, PEER_DYNAMIC, fx.out_a) >= 0);
	sa_table_del(&fx.dp.dp_sa_in, SPI_T, sa_keep, NULL);
	rcu_reclaim(fx.dp.dp_rcu);
	hub_test_sa_free(in_t);
	hub_test_sa_free(peer_t);
	hub_test_sa_free(spoof);
	hub_test_sa_free(transport);
	hub_test_sa_free(out_t);
	hub_test_sa_free(peer_in_t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decap_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encap_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hairpin_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esp_not_for_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ike_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_lookup_follows_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_sender_follows_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_mode, setup, teardown),
	};

	return EAL_TEST_MAIN("test_ipsec_burst", tests, NULL, NULL);
}
