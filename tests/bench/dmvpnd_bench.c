/* dmvpnd-bench: the product's worker loop (worker_main, from the dataplane
 * library, on a real lcore_ctx) on the measured worker lcores (one unless
 * --workers), fed by a generator on the main lcore through net_ring ports;
 * then, on the first worker's core, the limit (ring round trip, raw
 * intel-ipsec-mb). Side by
 * side (--rx-vdev, --tx-vdev) the ports come from devargs and the main
 * lcore only reports; --write-pcap writes the generator's packets and
 * exits. Exit 0 when packets were forwarded (and, with --verify, all
 * checked good). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench.h"

#define MB_BASE 320
#define KB_PER_PEER_CLEAR 2
#define KB_PER_PEER_ESP 12

/* MB of DPDK memory the run asks for: a base plus what the peers' SAs
 * and tables take. */
static unsigned eal_mb(const struct bench_opts *o)
{
	unsigned kb = o->o_prot == BENCH_PROT_NONE ? KB_PER_PEER_CLEAR : KB_PER_PEER_ESP;

	return MB_BASE + (unsigned)((uint64_t)o->o_peers * kb / 1024);
}

static int eal_start(const struct bench_opts *o)
{
	char lcores[256], main_lc[16], mem[16], prefix[64];
	/* Hugepages without files (--in-memory): nothing is left behind. */
	char *argv[] = {"dmvpnd-bench",
			"--lcores",
			lcores,
			"--main-lcore",
			main_lc,
			o->o_huge ? "--in-memory" : "--no-huge",
			"-m",
			mem,
			"--no-pci",
			"--no-telemetry",
			prefix,
			"--log-level=lib.*:error",
			NULL,
			NULL,
			NULL,
			NULL,
			NULL};
	int argc = 12, off;

	/* Each lcore pinned to its CPU (bench_opts.c): "0@0,1@1,...". */
	off = snprintf(lcores, sizeof(lcores), "%u@%u", o->o_main_lcore, o->o_main_cpu);
	for (unsigned w = 0; w < o->o_nworkers; w++)
		off += snprintf(lcores + off, sizeof(lcores) - (size_t)off, ",%u@%u",
				o->o_worker_lcores[w], o->o_worker_cpus[w]);
	snprintf(main_lc, sizeof(main_lc), "%u", o->o_main_lcore);
	snprintf(mem, sizeof(mem), "%u", eal_mb(o));
	snprintf(prefix, sizeof(prefix), "--file-prefix=dmvpnd_bench_%d", (int)getpid());
	bench_vdev_eal_args(o, argv, &argc);
	return rte_eal_init(argc, argv);
}

/* Routing mode and which ports the generator feeds and drains. */
static int bench_plan(struct bench *b)
{
	struct bench_opts *o = &b->b_opt;

	/* The FIB is sized for a route per peer (bench_topo.c), whatever the count. */
	b->b_per_peer_routes = o->o_routes != BENCH_ROUTES_OVERLAY;
	if (o->o_dir == BENCH_IOFWD)
		o->o_prot = BENCH_PROT_NONE;
	b->b_in_port = o->o_dir == BENCH_ENCAP || o->o_dir == BENCH_IOFWD ? BENCH_PORT_LAN
									  : BENCH_PORT_WAN;
	b->b_out_port = o->o_dir == BENCH_DECAP ? BENCH_PORT_LAN : BENCH_PORT_WAN;
	b->b_vdev = o->o_rx_vdev != NULL;
	return 0;
}

static int bench_setup(struct bench *b)
{
	int rc;

	b->b_pool_count =
		aligned_alloc(RTE_CACHE_LINE_SIZE, (RTE_MAX_LCORE + 1) * sizeof(*b->b_pool_count));
	if (b->b_pool_count == NULL)
		return -ENOMEM;
	memset(b->b_pool_count, 0, (RTE_MAX_LCORE + 1) * sizeof(*b->b_pool_count));
	rc = crypto_mb_init(&b->b_gen_cx);
	rc = rc ? rc : bench_topo_create(b);
	if (rc == 0 && b->b_opt.o_write_pcap != NULL) /* frames for the pcap port */
		b->b_dp.dp_ports[b->b_in_port].pt_mac = bench_pcap_mac;
	rc = rc ? rc : bench_peers_create(b);
	rc = rc ? rc : bench_tmpl_create(b);
	if (b->b_opt.o_sbs) /* the generator makes no traffic of its own */
		return rc;
	rc = rc ? rc : bench_gen_prime(b, b->b_dp.dp_pool);
	return rc;
}

/* A worker's entry: note its thread id (for strace) and run the
 * product's loop on its lcore_ctx. */
static int worker_entry(void *arg)
{
	struct bench *b = arg;
	unsigned w = 0;

	while (b->b_opt.o_worker_lcores[w] != rte_lcore_id())
		w++;
	b->b_worker_tid[w] = rte_sys_gettid();
	return worker_main(b->b_lc[w]);
}

/* Generator loop until the window closes: warm-up, then a line a second. */
static void bench_run(struct bench *b, struct bench_snap *a, struct bench_snap *z)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint64_t t_start = now + (uint64_t)(b->b_opt.o_warmup * (double)hz);
	uint64_t t_end = t_start + (uint64_t)(b->b_opt.o_duration * (double)hz), next = 0;
	struct bench_snap prev;
	bool started = false;

	for (;;) {
		if (b->b_vdev)
			bench_vdev_poll(b);
		else if (b->b_opt.o_inline)
			bench_inline_poll(b);
		else
			bench_gen_poll(b, b->b_dp.dp_pool);
		now = rte_rdtsc();
		if (!started && now >= t_start) {
			bench_snap_take(b, a);
			prev = *a;
			started = true;
			next = t_start + hz;
		} else if (started && (now >= next || now >= t_end)) {
			bench_snap_take(b, z);
			if (!b->b_opt.o_quiet)
				bench_report_line(b, &prev, z);
			prev = *z;
			next += hz;
			if (now >= t_end)
				break;
		}
	}
}

/* Did a worker forward nothing although some flows (encap) or senders
 * (decap, hairpin) are steered to its queue? */
static bool bench_idle_worker(const struct bench *b, const struct bench_snap *a,
			      const struct bench_snap *z)
{
	const struct bench_opts *o = &b->b_opt;
	uint32_t spread =
		o->o_dir == BENCH_ENCAP || o->o_dir == BENCH_IOFWD ? o->o_flows : o->o_peers;

	for (unsigned w = 0; w < o->o_nworkers && w < spread; w++)
		if (z->sn_gen.gs_q_forwarded[w] == a->sn_gen.gs_q_forwarded[w])
			return true;
	return false;
}

/* What --quick asserts: forwarded (by every worker that had traffic), and
 * nothing failed a check. Never a speed. */
static int bench_check(const struct bench *b, const struct bench_snap *a,
		       const struct bench_snap *z)
{
	const char *why = NULL;

	if (z->sn_gen.gs_forwarded == a->sn_gen.gs_forwarded)
		why = "nothing forwarded";
	else if (z->sn_esp_drop[ESP_DROP_ICV_FAIL] != 0)
		why = "ESP ICV failures in the worker";
	else if (b->b_opt.o_verify && (z->sn_gen.gs_verify_bad != 0 || z->sn_gen.gs_verify_ok == 0))
		why = "forwarded packets failed verification";
	else if (bench_idle_worker(b, a, z))
		why = "a worker forwarded nothing although traffic was steered to it";
	printf("RESULT %s%s\n", why ? "FAIL: " : "OK", why ? why : "");
	return why ? 1 : 0;
}

static int bench_measure(struct bench *b)
{
	struct bench_snap a, z;
	const struct bench_opts *o = &b->b_opt;
	unsigned w = 0;
	int rc = 0;

	if (o->o_inline)
		bench_inline_start(b);
	else
		for (w = 0; w < o->o_nworkers && rc == 0; w++)
			rc = o->o_dir == BENCH_IOFWD
				     ? rte_eal_remote_launch(bench_iofwd_main, b->b_lc[w],
							     o->o_worker_lcores[w])
				     : rte_eal_remote_launch(worker_entry, b,
							     o->o_worker_lcores[w]);
	if (rc == 0)
		bench_run(b, &a, &z);
	else
		fprintf(stderr, "dmvpnd-bench: cannot launch on lcore %u\n",
			o->o_worker_lcores[w - 1]);
	__atomic_store_n(&b->b_dp.dp_stop, 1, __ATOMIC_RELEASE);
	if (o->o_inline)
		bench_inline_stop(b);
	else
		rte_eal_mp_wait_lcore();
	if (rc != 0)
		return 1;
	if (!o->o_no_limit && bench_limit_measure(b) != 0)
		fprintf(stderr, "dmvpnd-bench: limit measurement failed\n");
	bench_report_summary(b, &a, &z);
	if (o->o_json)
		bench_report_json(b, &a, &z);
	return bench_check(b, &a, &z);
}

/* EAL leaves its runtime files (config, fbarrays) behind; the directory
 * is this process's own (unique file prefix). */
static void rundir_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* After the worker stopped; also after a failed setup (partial state). */
static void bench_cleanup(struct bench *b)
{
	char rundir[PATH_MAX];

	bench_topo_destroy(b);
	bench_peers_destroy(b);
	crypto_mb_fini(&b->b_gen_cx);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rundir_remove(rundir);
	free(b->b_tmpl);
	free(b->b_pool_count);
	free(b);
}

int main(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL || bench_opts_parse(&b->b_opt, argc, argv) != 0 || bench_plan(b) != 0)
		return 2;
	if (eal_start(&b->b_opt) < 0) {
		if (b->b_opt.o_huge)
			fprintf(stderr,
				"dmvpnd-bench: EAL init failed: --huge needs %u MB of free "
				"2 MiB hugepages (HugePages_Free in /proc/meminfo; scripts/hugepages "
				"reserves them)\n",
				eal_mb(&b->b_opt));
		else
			fprintf(stderr, "dmvpnd-bench: EAL init failed\n");
		/* A failed init may have made its runtime directory already. */
		rundir_remove(rte_eal_get_runtime_dir());
		free(b);
		return 2;
	}
	rc = bench_setup(b);
	if (rc != 0)
		fprintf(stderr, "dmvpnd-bench: setup failed: %s\n", strerror(-rc));
	if (rc == 0 && b->b_opt.o_write_pcap != NULL)
		rc = bench_write_pcap(b) != 0 ? 1 : 0;
	else
		rc = rc != 0 ? 2 : bench_measure(b);
	bench_cleanup(b);
	return rc;
}
