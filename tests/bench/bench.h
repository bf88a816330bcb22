/* dmvpnd-bench: testpmd-style benchmark of the product's own worker loop
 * (worker_main on a real lcore_ctx, the dataplane static library) over
 * net_ring ports. The main lcore is the traffic generator; the worker
 * lcores (one by default, --workers N) are measured, each on its own RX
 * and TX queue of every port, as RSS would spread them. Side by side with other programs (scripts/bench-vs), the
 * ports come from devargs instead (net_pcap in, net_null out) and the main
 * lcore only reports. Bench code: allocates and prints freely, never on the
 * worker. */
#ifndef DMVPND_BENCH_H
#define DMVPND_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "esp_sa.h"
#include "lcore_ctx.h"

#define BENCH_HDR_MAX 80 /* template bytes copied into a recycled mbuf */
#define BENCH_MAX_PEERS 100000
#define BENCH_MIX_LEN 12 /* imix 7:4:1 of 64/576/1400 */
#define BENCH_PORT_WAN 0
#define BENCH_PORT_LAN 1
#define BENCH_NPORTS 2
#define BENCH_GRE_KEY 0x00010203u
#define BENCH_MAX_WORKERS 8 /* worker lcores, each with its own RX/TX queue per port */

enum bench_dir { BENCH_ENCAP, BENCH_DECAP, BENCH_HAIRPIN, BENCH_IOFWD };
enum bench_prot { BENCH_PROT_NONE, BENCH_PROT_GCM128, BENCH_PROT_GCM256, BENCH_PROT_CBC };
enum bench_routes { BENCH_ROUTES_AUTO, BENCH_ROUTES_PER_PEER, BENCH_ROUTES_OVERLAY };

struct bench_opts {
	enum bench_dir o_dir;
	enum bench_prot o_prot;
	enum bench_routes o_routes;
	uint16_t o_size;     /* inner IPv4 bytes; 0 = imix */
	uint32_t o_peers;    /* 1..BENCH_MAX_PEERS, each with its own route by default */
	uint32_t o_flows;    /* 0 = one per peer */
	uint16_t o_burst;    /* generator refill burst and limit loops */
	uint32_t o_inflight; /* mbufs circulating */
	uint8_t o_phase;     /* hub phase (3: hairpins raise redirect events) */
	double o_duration, o_warmup;
	unsigned o_main_lcore;
	unsigned o_nworkers; /* worker lcores: RX/TX queue w of every port is worker w's */
	unsigned o_worker_lcores[BENCH_MAX_WORKERS];
	unsigned o_nlcores; /* worker lcores --lcores named, 0 = not given */
	unsigned o_main_cpu, o_worker_cpus[BENCH_MAX_WORKERS]; /* where they run */
	bool o_cpus_shared; /* two of them on one CPU: idle workers back off */
	bool o_json, o_verify, o_quiet, o_no_limit;
	bool o_inline; /* stages on the generator's lcore, cache-warm */
	bool o_huge;   /* 2 MiB hugepages instead of --no-huge */
	/* Side by side (bench_vdev.c): the ports from devargs, or the
	 * templates written to a pcap file. Either sets o_sbs: SAs without
	 * ESN and anti-replay, as ipsec-secgw's defaults are. */
	const char *o_rx_vdev, *o_tx_vdev, *o_write_pcap;
	uint32_t o_pcap_pkts;
	bool o_sbs;
};

/* One pre-built packet head: flow x size class. */
struct bench_tmpl {
	uint8_t t_hdr[BENCH_HDR_MAX];
	uint16_t t_hdr_len;   /* bytes to copy */
	uint16_t t_frame_len; /* frame length before ESP */
	uint16_t t_inner_len; /* inner IPv4 bytes */
	uint32_t t_src_peer;  /* sending peer (decap, hairpin) */
	uint32_t t_dst_peer;  /* receiving peer (encap, hairpin) */
	uint32_t t_inner_dst; /* host order, checked by --verify */
	uint8_t t_rxq;        /* the RX queue (worker) RSS would pick: by flow, or by sender */
} __rte_cache_aligned;

/* In each mbuf's private area: what the generator put in it. */
struct bench_priv {
	uint32_t bp_tmpl;
	uint16_t bp_wire_len; /* tunnel-side frame bytes when injected */
	uint16_t bp_pad;
};

/* Per-lcore mempool counters (bench_pool.c): index rte_lcore_id(). */
struct bench_pool_count {
	uint64_t pc_get;
	uint64_t pc_put;
} __rte_cache_aligned;

/* What the generator counted (main lcore only). */
struct bench_gen_stats {
	uint64_t gs_injected;
	uint64_t gs_forwarded; /* drained from the expected TX ring */
	uint64_t gs_misrouted; /* drained from another TX ring */
	uint64_t gs_punted, gs_events, gs_replenished;
	uint64_t gs_verify_ok, gs_verify_bad;
	uint64_t gs_verify_esp[ESP_DROP_COUNT];
	/* Per port, what the workers received (the generator injected) and
	 * sent (it drained), frames without FCS; side by side, the workers'
	 * port counters. */
	uint64_t gs_port_rx[BENCH_NPORTS], gs_port_rx_bytes[BENCH_NPORTS];
	uint64_t gs_port_tx[BENCH_NPORTS], gs_port_tx_bytes[BENCH_NPORTS];
	uint64_t gs_port_rx_inner[BENCH_NPORTS], gs_port_tx_inner[BENCH_NPORTS]; /* IPv4 bytes */
	/* The forwarded packets by the TX queue they left on (worker w's):
	 * inner IPv4 bytes, and tunnel-side frames without FCS. */
	uint64_t gs_q_forwarded[BENCH_MAX_WORKERS];
	uint64_t gs_q_inner_bytes[BENCH_MAX_WORKERS], gs_q_wire_bytes[BENCH_MAX_WORKERS];
};

/* One worker's loop counters at a point in time. */
struct bench_core_snap {
	uint64_t cs_busy_tsc, cs_pkts, cs_bursts;
};

/* A point in time for rates: generator and worker counters together. */
struct bench_snap {
	uint64_t sn_tsc;
	struct bench_gen_stats sn_gen;
	struct bench_core_snap sn_core[BENCH_MAX_WORKERS];
	uint64_t sn_drop[DP_DROP_COUNT];
	uint64_t sn_esp_drop[ESP_DROP_COUNT];
	uint64_t sn_pool_get, sn_pool_put; /* the worker lcores' */
};

/* The limit measured on the (first) worker core after the run. */
struct bench_limit {
	double li_ring_cpp;   /* net_ring rx + tx of the same mbufs, no work */
	double li_crypto_cpp; /* intel-ipsec-mb alone, same sizes and algorithm */
};

struct bench {
	struct bench_opts b_opt;
	struct dp b_dp;
	struct lcore_ctx *b_lc[BENCH_MAX_WORKERS];
	/* Port p's RX and TX queue w: the generator's end of the net_ring. */
	struct rte_ring *b_rx[BENCH_NPORTS][BENCH_MAX_WORKERS];
	struct rte_ring *b_tx[BENCH_NPORTS][BENCH_MAX_WORKERS];
	uint8_t b_in_port, b_out_port; /* generator injects / collects */
	uint16_t b_loop_port;          /* ring round-trip reference */
	struct rte_ring *b_loop_ring;
	bool b_per_peer_routes;
	struct bench_tmpl *b_tmpl;
	uint32_t b_nflows, b_nsizes;
	uint16_t b_sizes[3];
	uint8_t b_mix[BENCH_MIX_LEN];     /* size class per slot */
	uint32_t b_next_flow, b_next_mix; /* template cursors */
	uint32_t b_polls;
	struct esp_sa **b_sa_in, **b_sa_out;     /* the node's, per peer */
	struct esp_sa **b_peer_out, **b_peer_in; /* the peers' (generator) */
	struct crypto_mb b_gen_cx;
	struct bench_pool_count *b_pool_count;
	unsigned b_pool_reserve; /* free mbufs left after priming */
	struct bench_gen_stats b_gen;
	struct bench_limit b_limit;
	int b_worker_tid[BENCH_MAX_WORKERS];
	bool b_vdev; /* ports from --rx-vdev/--tx-vdev */
};

/* bench_opts.c */
int bench_opts_parse(struct bench_opts *o, int argc, char **argv);
const char *bench_dir_name(enum bench_dir d);
const char *bench_prot_name(enum bench_prot p);
void bench_size_name(const struct bench_opts *o, char *buf, size_t n);

/* bench_pool.c */
struct rte_mempool *bench_pool_create(const char *name, unsigned n, struct bench_pool_count *c);

/* bench_addr.c: the address plan */
uint32_t bench_peer_nbma(uint32_t peer);
uint32_t bench_peer_overlay(uint32_t peer);
uint32_t bench_peer_host(const struct bench *b, uint32_t peer, uint32_t flow);
uint32_t bench_lan_host(uint32_t flow);
extern const uint32_t bench_wan_addr, bench_wan_gw, bench_lan_addr, bench_lan_gw;
extern const uint32_t bench_tun_addr;
extern const struct rte_ether_addr bench_wan_gw_mac, bench_lan_gw_mac;

/* bench_topo.c: struct dp as control/node.c builds it */
int bench_topo_create(struct bench *b);
void bench_topo_destroy(struct bench *b);

/* bench_peers.c: peers, their routes and SAs */
int bench_peers_create(struct bench *b);
void bench_peers_destroy(struct bench *b);

/* bench_pkt.c: templates */
int bench_tmpl_create(struct bench *b);
const struct bench_tmpl *bench_tmpl_next(struct bench *b, uint32_t *idx);

/* bench_gen.c: the generator, on the main lcore */
int bench_gen_prime(struct bench *b, struct rte_mempool *mp);
void bench_gen_poll(struct bench *b, struct rte_mempool *mp);
void bench_gen_fill(struct bench *b, struct rte_mbuf *m);
void bench_gen_control(struct bench *b);

/* bench_vdev.c: side by side, ports from devargs, --write-pcap */
extern const struct rte_ether_addr bench_pcap_mac;
void bench_vdev_eal_args(const struct bench_opts *o, char **argv, int *argc);
struct rte_mempool *bench_vdev_pool(unsigned n);
int bench_vdev_port(struct bench *b, unsigned idx);
void bench_vdev_poll(struct bench *b);
int bench_write_pcap(struct bench *b);

/* bench_verify.c: --verify checks on forwarded packets */
void bench_verify_one(struct bench *b, struct rte_mbuf *m, const struct bench_tmpl *t);

/* bench_limit.c: reference loops on the worker core */
int bench_limit_measure(struct bench *b);
int bench_iofwd_main(void *arg); /* arg: the worker's lcore_ctx */

/* bench_inline.c: --inline */
void bench_inline_start(struct bench *b);
void bench_inline_poll(struct bench *b);
void bench_inline_stop(struct bench *b);

/* bench_report.c */
void bench_snap_take(const struct bench *b, struct bench_snap *s);
void bench_report_line(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z);
void bench_report_summary(const struct bench *b, const struct bench_snap *a,
			  const struct bench_snap *z);
void bench_report_json(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z);

#endif
