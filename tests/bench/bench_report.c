/* Snapshots and output: testpmd-like periodic lines, a final summary per
 * scenario and one JSON line. Rates come from the generator's counts over
 * wall time (side by side: the worker's port counters, bench_vdev.c);
 * cycles per packet from the worker's own busy-loop TSC. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench.h"

#define L1_EXTRA 24 /* FCS 4 + preamble 8 + inter-frame gap 12 */

void bench_snap_take(const struct bench *b, struct bench_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->sn_tsc = rte_rdtsc();
	s->sn_gen = b->b_gen;
	for (unsigned w = 0; w < b->b_opt.o_nworkers; w++) {
		const volatile struct dp_lcore_stats *ls = &b->b_lc[w]->lc_stats;
		const volatile struct bench_pool_count *pc =
			&b->b_pool_count[b->b_opt.o_worker_lcores[w]];
		struct bench_core_snap *cs = &s->sn_core[w];

		cs->cs_busy_tsc = ls->ls_busy_tsc;
		cs->cs_pkts = ls->ls_pkts;
		cs->cs_bursts = ls->ls_bursts;
		for (unsigned p = 0; p < BENCH_NPORTS; p++) {
			for (unsigned d = 0; d < DP_DROP_COUNT; d++)
				s->sn_drop[d] += ls->ls_port[p].ps_drop[d];
			for (unsigned e = 0; e < ESP_DROP_COUNT; e++)
				s->sn_esp_drop[e] += ls->ls_port[p].ps_esp_drop[e];
		}
		s->sn_pool_get += pc->pc_get;
		s->sn_pool_put += pc->pc_put;
	}
}

struct rates {
	double secs, mpps, gbps_inner, gbps_wire, cpp, busy, burst, core_mpps;
	uint64_t pkts, wpkts, drops;
};

static double gbps(uint64_t bytes, uint64_t pkts, unsigned extra, double secs)
{
	return 8.0 * ((double)bytes + (double)pkts * extra) / secs / 1e9;
}

/* The rates between a and z of workers [w0, w0 + nw): all of them
 * (cycles per packet per core, busy as their average), or one (its
 * packets from the TX queue it sends on). */
static void rates_of(const struct bench_snap *a, const struct bench_snap *z, unsigned w0,
		     unsigned nw, struct rates *r)
{
	double hz = (double)rte_get_tsc_hz();
	const struct bench_gen_stats *ga = &a->sn_gen, *gz = &z->sn_gen;
	uint64_t busy = 0, bursts = 0, inner = 0, wire = 0;

	memset(r, 0, sizeof(*r));
	r->secs = (double)(z->sn_tsc - a->sn_tsc) / hz;
	for (unsigned w = w0; w < w0 + nw; w++) {
		busy += z->sn_core[w].cs_busy_tsc - a->sn_core[w].cs_busy_tsc;
		bursts += z->sn_core[w].cs_bursts - a->sn_core[w].cs_bursts;
		r->wpkts += z->sn_core[w].cs_pkts - a->sn_core[w].cs_pkts;
		r->pkts += gz->gs_q_forwarded[w] - ga->gs_q_forwarded[w];
		inner += gz->gs_q_inner_bytes[w] - ga->gs_q_inner_bytes[w];
		wire += gz->gs_q_wire_bytes[w] - ga->gs_q_wire_bytes[w];
	}
	r->mpps = (double)r->pkts / r->secs / 1e6;
	r->gbps_inner = gbps(inner, 0, 0, r->secs);
	r->gbps_wire = gbps(wire, r->pkts, L1_EXTRA, r->secs);
	r->cpp = r->wpkts ? (double)busy / (double)r->wpkts : 0;
	r->busy = 100.0 * (double)busy / ((double)(z->sn_tsc - a->sn_tsc) * nw);
	r->burst = bursts ? (double)r->wpkts / (double)bursts : 0;
	r->core_mpps = r->cpp > 0 ? hz / r->cpp / 1e6 : 0;
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		r->drops += z->sn_drop[d] - a->sn_drop[d];
}

void bench_report_line(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z)
{
	struct rates r;

	rates_of(a, z, 0, b->b_opt.o_nworkers, &r);
	printf("  %7.3f Mpps  inner %7.3f Gbit/s  wire %7.3f Gbit/s  worker %7.1f cyc/pkt"
	       "  busy %5.1f%%  burst %4.1f  drops %" PRIu64 "\n",
	       r.mpps, r.gbps_inner, r.gbps_wire, r.cpp, r.busy, r.burst, r.drops);
	fflush(stdout);
}

/* "name n, name n" for the non-zero counters, or "none". */
static void drops_text(char *buf, size_t n, const struct bench_snap *a, const struct bench_snap *z,
		       bool esp)
{
	unsigned cnt = esp ? ESP_DROP_COUNT : DP_DROP_COUNT;
	size_t off = 0;

	buf[0] = 0;
	for (unsigned d = esp ? 1 : 0; d < cnt && off < n; d++) {
		uint64_t v =
			esp ? z->sn_esp_drop[d] - a->sn_esp_drop[d] : z->sn_drop[d] - a->sn_drop[d];

		if (v != 0)
			off += (size_t)snprintf(
				buf + off, n - off, "%s%s %" PRIu64, off ? ", " : "",
				esp ? esp_drop_name(d) : dp_drop_name((enum dp_drop)d), v);
	}
	if (off == 0)
		snprintf(buf, n, "none");
}

static void summary_limit(const struct bench *b, const struct rates *r)
{
	const struct bench_limit *li = &b->b_limit;
	double lim = li->li_ring_cpp + li->li_crypto_cpp;

	if (b->b_opt.o_no_limit || lim <= 0)
		return;
	printf("  limit      ring rx+tx %.1f + intel-ipsec-mb %.1f = %.1f cycles/packet"
	       " (same core, same sizes)\n",
	       li->li_ring_cpp, li->li_crypto_cpp, lim);
	printf("  vs limit   dmvpnd %.1f = %.2fx the limit", r->cpp, r->cpp / lim);
	if (li->li_crypto_cpp > 0)
		printf("; crypto ceiling %.2f Mpps, dmvpnd at %.0f %% of it",
		       (double)rte_get_tsc_hz() / li->li_crypto_cpp / 1e6,
		       100.0 * li->li_crypto_cpp / r->cpp);
	printf("\n");
}

/* One port's rates between a and z: what it received and sent. */
struct port_rates {
	double rx_mpps, rx_inner, rx_wire, tx_mpps, tx_inner, tx_wire;
};

static void port_rates_of(const struct bench_snap *a, const struct bench_snap *z, unsigned p,
			  struct port_rates *pr)
{
	const struct bench_gen_stats *ga = &a->sn_gen, *gz = &z->sn_gen;
	double secs = (double)(z->sn_tsc - a->sn_tsc) / (double)rte_get_tsc_hz();
	uint64_t rx = gz->gs_port_rx[p] - ga->gs_port_rx[p];
	uint64_t tx = gz->gs_port_tx[p] - ga->gs_port_tx[p];

	pr->rx_mpps = (double)rx / secs / 1e6;
	pr->rx_inner = gbps(gz->gs_port_rx_inner[p] - ga->gs_port_rx_inner[p], 0, 0, secs);
	pr->rx_wire = gbps(gz->gs_port_rx_bytes[p] - ga->gs_port_rx_bytes[p], rx, L1_EXTRA, secs);
	pr->tx_mpps = (double)tx / secs / 1e6;
	pr->tx_inner = gbps(gz->gs_port_tx_inner[p] - ga->gs_port_tx_inner[p], 0, 0, secs);
	pr->tx_wire = gbps(gz->gs_port_tx_bytes[p] - ga->gs_port_tx_bytes[p], tx, L1_EXTRA, secs);
}

/* testpmd's per-port statistics: what each port received and sent. */
static void summary_ports(const struct bench *b, const struct bench_snap *a,
			  const struct bench_snap *z)
{
	for (unsigned p = 0; p < BENCH_NPORTS; p++) {
		struct port_rates pr;

		port_rates_of(a, z, p, &pr);
		printf("  port %u     %-9s rx %7.3f Mpps, inner %7.3f, wire %7.3f Gbit/s;"
		       " tx %7.3f Mpps, inner %7.3f, wire %7.3f Gbit/s\n",
		       p, b->b_dp.dp_ports[p].pt_name, pr.rx_mpps, pr.rx_inner, pr.rx_wire,
		       pr.tx_mpps, pr.tx_inner, pr.tx_wire);
	}
}

/* testpmd's per-core statistics, when there is more than one worker. */
static void summary_cores(const struct bench *b, const struct bench_snap *a,
			  const struct bench_snap *z)
{
	const struct bench_opts *o = &b->b_opt;

	if (o->o_nworkers == 1)
		return;
	for (unsigned w = 0; w < o->o_nworkers; w++) {
		struct rates r;

		rates_of(a, z, w, 1, &r);
		printf("  core %-2u    worker %u on CPU %u: %.3f Mpps, inner %.3f Gbit/s, wire %.3f"
		       " Gbit/s, %.1f cycles/packet, busy %.1f %%\n",
		       o->o_worker_lcores[w], w, o->o_worker_cpus[w], r.mpps, r.gbps_inner,
		       r.gbps_wire, r.cpp, r.busy);
	}
	if (o->o_cpus_shared)
		printf("  cores      some lcores share a CPU (more lcores than CPUs): the OS"
		       " time-slices them and idle workers sleep, so these rates are shares of"
		       " a CPU and their cycles/packet include time not running\n");
}

void bench_report_summary(const struct bench *b, const struct bench_snap *a,
			  const struct bench_snap *z)
{
	const struct bench_opts *o = &b->b_opt;
	const struct bench_gen_stats *g = &z->sn_gen;
	char size[16], drops[1024];
	struct rates r;

	rates_of(a, z, 0, b->b_opt.o_nworkers, &r);
	bench_size_name(o, size, sizeof(size));
	printf("=== dmvpnd-bench %s, size %s, %s, %u peer(s), %u flow(s) ===\n",
	       bench_dir_name(o->o_dir), size, bench_prot_name(o->o_prot), o->o_peers, o->o_flows);
	printf("  setup      routes %s, hub phase %u, generator lcore %u, %u worker(s),"
	       " TSC %.3f GHz, %s pages\n",
	       b->b_per_peer_routes ? "per-peer" : "overlay", o->o_phase, o->o_main_lcore,
	       o->o_nworkers, (double)rte_get_tsc_hz() / 1e9, o->o_huge ? "2 MiB" : "4 KiB");
	printf("  window     %.2f s: %" PRIu64 " forwarded, %" PRIu64 " misrouted, %" PRIu64
	       " punted, %" PRIu64 " events\n",
	       r.secs, r.pkts, g->gs_misrouted - a->sn_gen.gs_misrouted,
	       g->gs_punted - a->sn_gen.gs_punted, g->gs_events - a->sn_gen.gs_events);
	printf("  rate       %.3f Mpps, inner %.3f Gbit/s, wire (L1) %.3f Gbit/s%s\n", r.mpps,
	       r.gbps_inner, r.gbps_wire, r.busy < 95 ? "  [generator-bound: see worker]" : "");
	printf("  worker%s    %.1f cycles/packet, busy %.1f %%, %.1f packets/burst"
	       " => %.3f Mpps per core at 100 %% busy\n",
	       o->o_nworkers > 1 ? "s" : " ", r.cpp, r.busy, r.burst, r.core_mpps);
	if (b->b_vdev)
		printf("  ports      in %s, out %s (only the input port is polled)\n", o->o_rx_vdev,
		       o->o_tx_vdev);
	summary_ports(b, a, z);
	summary_cores(b, a, z);
	summary_limit(b, &r);
	drops_text(drops, sizeof(drops), a, z, false);
	printf("  drops      %s\n", drops);
	drops_text(drops, sizeof(drops), a, z, true);
	printf("  esp drops  %s\n", drops);
	if (b->b_vdev)
		printf("  mempool    not counted: the input PMD allocates every packet\n");
	else
		printf("  mempool    worker lcore(s): %" PRIu64 " gets, %" PRIu64
		       " puts in the window\n",
		       z->sn_pool_get - a->sn_pool_get, z->sn_pool_put - a->sn_pool_put);
	if (o->o_verify)
		printf("  verify     %" PRIu64 " ok, %" PRIu64 " bad (whole run)\n",
		       g->gs_verify_ok, g->gs_verify_bad);
	fflush(stdout);
}

static void json_counters(const struct bench_snap *a, const struct bench_snap *z, bool esp)
{
	unsigned cnt = esp ? ESP_DROP_COUNT : DP_DROP_COUNT, k = 0;

	printf("{");
	for (unsigned d = esp ? 1 : 0; d < cnt; d++) {
		uint64_t v =
			esp ? z->sn_esp_drop[d] - a->sn_esp_drop[d] : z->sn_drop[d] - a->sn_drop[d];

		if (v != 0)
			printf("%s\"%s\":%" PRIu64, k++ ? "," : "",
			       esp ? esp_drop_name(d) : dp_drop_name((enum dp_drop)d), v);
	}
	printf("}");
}

/* "port_stats":[{...},...] per port, as the summary's port lines. */
static void json_ports(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z)
{
	printf("\"port_stats\":[");
	for (unsigned p = 0; p < BENCH_NPORTS; p++) {
		struct port_rates pr;

		port_rates_of(a, z, p, &pr);
		printf("%s{\"port\":\"%s\",\"rx_mpps\":%.4f,\"rx_gbps_inner\":%.4f,"
		       "\"rx_gbps_wire\":%.4f,\"tx_mpps\":%.4f,\"tx_gbps_inner\":%.4f,"
		       "\"tx_gbps_wire\":%.4f}",
		       p ? "," : "", b->b_dp.dp_ports[p].pt_name, pr.rx_mpps, pr.rx_inner,
		       pr.rx_wire, pr.tx_mpps, pr.tx_inner, pr.tx_wire);
	}
	printf("],");
}

/* "workers":N,"cores":[{...},...] per worker lcore. */
static void json_cores(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z)
{
	const struct bench_opts *o = &b->b_opt;

	printf("\"workers\":%u,\"cpus_shared\":%s,\"cores\":[", o->o_nworkers,
	       o->o_cpus_shared ? "true" : "false");
	for (unsigned w = 0; w < o->o_nworkers; w++) {
		struct rates r;

		rates_of(a, z, w, 1, &r);
		printf("%s{\"lcore\":%u,\"cpu\":%u,\"tid\":%d,\"forwarded\":%" PRIu64
		       ",\"mpps\":%.4f,\"gbps_inner\":%.4f,\"gbps_wire\":%.4f,"
		       "\"cycles_per_pkt\":%.2f,\"busy_pct\":%.2f}",
		       w ? "," : "", o->o_worker_lcores[w], o->o_worker_cpus[w], b->b_worker_tid[w],
		       r.pkts, r.mpps, r.gbps_inner, r.gbps_wire, r.cpp, r.busy);
	}
	printf("]");
}

/* One line, prefixed so scripts can grep it out of the human output. */
void bench_report_json(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z)
{
	const struct bench_opts *o = &b->b_opt;
	const struct bench_limit *li = &b->b_limit;
	double lim = li->li_ring_cpp + li->li_crypto_cpp;
	char size[16];
	struct rates r;

	rates_of(a, z, 0, b->b_opt.o_nworkers, &r);
	bench_size_name(o, size, sizeof(size));
	printf("JSON {\"ports\":\"%s\",\"dir\":\"%s\",\"size\":\"%s\",\"protection\":\"%s\",\"peers\":%u,"
	       "\"flows\":%u,\"routes\":\"%s\",\"pages\":\"%s\",\"tsc_hz\":%" PRIu64
	       ",\"secs\":%.3f,"
	       "\"forwarded\":%" PRIu64 ",\"mpps\":%.4f,\"gbps_inner\":%.4f,\"gbps_wire\":%.4f,"
	       "\"cycles_per_pkt\":%.2f,\"busy_pct\":%.2f,\"burst\":%.2f,\"core_mpps\":%.4f,"
	       "\"ring_cpp\":%.2f,\"crypto_cpp\":%.2f,\"limit_cpp\":%.2f,\"ratio\":%.3f,",
	       b->b_vdev ? "vdev" : "ring", bench_dir_name(o->o_dir), size,
	       bench_prot_name(o->o_prot), o->o_peers, o->o_flows,
	       b->b_per_peer_routes ? "per-peer" : "overlay", o->o_huge ? "2M" : "4K",
	       rte_get_tsc_hz(), r.secs, r.pkts, r.mpps, r.gbps_inner, r.gbps_wire, r.cpp, r.busy,
	       r.burst, r.core_mpps, li->li_ring_cpp, li->li_crypto_cpp, lim,
	       lim > 0 ? r.cpp / lim : 0);
	printf("\"drops\":");
	json_counters(a, z, false);
	printf(",\"esp_drops\":");
	json_counters(a, z, true);
	printf(",\"worker_pool_gets\":%" PRIu64 ",\"worker_pool_puts\":%" PRIu64
	       ",\"verify_ok\":%" PRIu64 ",\"verify_bad\":%" PRIu64 ",\"worker_tid\":%d,",
	       z->sn_pool_get - a->sn_pool_get, z->sn_pool_put - a->sn_pool_put,
	       z->sn_gen.gs_verify_ok, z->sn_gen.gs_verify_bad, b->b_worker_tid[0]);
	json_ports(b, a, z);
	json_cores(b, a, z);
	printf("}\n");
	fflush(stdout);
}
