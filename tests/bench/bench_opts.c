/* dmvpnd-bench command line: testpmd-like options, checked ranges. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const dir_names[] = {
	[BENCH_ENCAP] = "encap",
	[BENCH_DECAP] = "decap",
	[BENCH_HAIRPIN] = "hairpin",
	[BENCH_IOFWD] = "iofwd",
};
static const char *const prot_names[] = {
	[BENCH_PROT_NONE] = "none",
	[BENCH_PROT_GCM128] = "esp-gcm128",
	[BENCH_PROT_GCM256] = "esp-gcm256",
	[BENCH_PROT_CBC] = "esp-cbc-sha256",
};

const char *bench_dir_name(enum bench_dir d)
{
	return dir_names[d];
}

const char *bench_prot_name(enum bench_prot p)
{
	return prot_names[p];
}

void bench_size_name(const struct bench_opts *o, char *buf, size_t n)
{
	if (o->o_size == 0)
		snprintf(buf, n, "imix");
	else
		snprintf(buf, n, "%u", o->o_size);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dmvpnd-bench [--dir encap|decap|hairpin|iofwd] [--size 64|128|512|1400|imix]\n"
		"         [--protection none|esp-gcm128|esp-gcm256|esp-cbc-sha256]\n"
		"         [--peers 1..100000] [--flows N] [--burst 1..32] [--duration S]\n"
		"         [--warmup S] [--routes per-peer|overlay] [--phase 2|3]\n"
		"         [--inflight N] [--workers N] [--lcores MAIN,WORKER[,WORKER...]]\n"
		"         [--verify] [--json] [--quiet] [--no-limit] [--inline] [--huge]\n"
		"         [--rx-vdev DEVARGS --tx-vdev DEVARGS] [--write-pcap FILE]\n"
		"         [--pcap-packets N]\n"
		"  sizes are inner IPv4 bytes; imix is 7:4:1 of 64/576/1400.\n"
		"  --workers N (1..8): worker lcores, each polling its own RX queue of\n"
		"  every port; the generator steers by flow (encap) or by sending peer\n"
		"  (decap, hairpin), as RSS would. Lcores beyond the machine's CPUs\n"
		"  share its last CPU (reported: their rates are then shares of one).\n"
		"  iofwd: the worker lcore runs a testpmd io-forward loop instead of\n"
		"  dmvpnd (rx_burst LAN -> tx_burst WAN) on the same ports and traffic.\n"
		"  --inline: pipeline_burst + tx_flush called on the generator's lcore on\n"
		"  cache-warm packets: the dataplane's compute without the hand-off.\n"
		"  --rx-vdev/--tx-vdev (encap, decap): the worker's input and output\n"
		"  ports from devargs, e.g. 'net_pcap0,rx_pcap=F,infinite_rx=1' and\n"
		"  'net_null0,no-rx=1'; only the input port is polled, the main lcore\n"
		"  only reports. --write-pcap FILE: write N (--pcap-packets, default\n"
		"  1024) of the generator's packets to FILE and exit. Both use SAs\n"
		"  without ESN and anti-replay (ipsec-secgw's defaults; scripts/bench-vs).\n"
		"  --huge: DPDK memory from 2 MiB hugepages (they must be reserved and\n"
		"  free, e.g. by scripts/hugepages) instead of 4 KiB pages (--no-huge).\n");
}

static int pick(const char *v, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	return -1;
}

/* strtoul with bounds; -1 when out of [lo, hi] or not a number. */
static long num(const char *v, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != 0 || x < lo || x > hi)
		return -1;
	return (long)x;
}

static int secs(const char *v, double *out)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v || *end != 0 || !(x > 0 && x <= 3600))
		return -1;
	*out = x;
	return 0;
}

static int parse_size(struct bench_opts *o, const char *v)
{
	long x;

	if (strcmp(v, "imix") == 0) {
		o->o_size = 0;
		return 0;
	}
	x = num(v, 28 + 8, 1400); /* an IPv4 + UDP header, up to the tunnel MTU */
	if (x < 0)
		return -1;
	o->o_size = (uint16_t)x;
	return 0;
}

/* MAIN,W1[,W2...]: the generator's lcore, then one per worker. */
static int parse_lcores(struct bench_opts *o, const char *v)
{
	unsigned ids[BENCH_MAX_WORKERS + 1], n = 0;
	const char *p = v;

	for (;;) {
		char *end;
		unsigned long x = strtoul(p, &end, 10);

		if (end == p || x >= RTE_MAX_LCORE || n == RTE_DIM(ids))
			return -1;
		for (unsigned i = 0; i < n; i++)
			if (ids[i] == x)
				return -1; /* an lcore twice */
		ids[n++] = (unsigned)x;
		if (*end == 0)
			break;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	if (n < 2)
		return -1;
	o->o_main_lcore = ids[0];
	o->o_nlcores = n - 1;
	for (unsigned i = 1; i < n; i++)
		o->o_worker_lcores[i - 1] = ids[i];
	return 0;
}

enum {
	OPT_DIR = 256,
	OPT_SIZE,
	OPT_PROT,
	OPT_PEERS,
	OPT_FLOWS,
	OPT_BURST,
	OPT_DUR,
	OPT_WARM,
	OPT_ROUTES,
	OPT_PHASE,
	OPT_INFL,
	OPT_LCORES,
	OPT_VERIFY,
	OPT_JSON,
	OPT_QUIET,
	OPT_NOLIMIT,
	OPT_INLINE,
	OPT_RXVDEV,
	OPT_TXVDEV,
	OPT_WPCAP,
	OPT_PCAPN,
	OPT_HUGE,
	OPT_WORKERS,
	OPT_HELP
};

static const struct option longopts[] = {
	{"dir", 1, NULL, OPT_DIR},
	{"size", 1, NULL, OPT_SIZE},
	{"protection", 1, NULL, OPT_PROT},
	{"peers", 1, NULL, OPT_PEERS},
	{"flows", 1, NULL, OPT_FLOWS},
	{"burst", 1, NULL, OPT_BURST},
	{"duration", 1, NULL, OPT_DUR},
	{"warmup", 1, NULL, OPT_WARM},
	{"routes", 1, NULL, OPT_ROUTES},
	{"phase", 1, NULL, OPT_PHASE},
	{"inflight", 1, NULL, OPT_INFL},
	{"lcores", 1, NULL, OPT_LCORES},
	{"verify", 0, NULL, OPT_VERIFY},
	{"json", 0, NULL, OPT_JSON},
	{"quiet", 0, NULL, OPT_QUIET},
	{"no-limit", 0, NULL, OPT_NOLIMIT},
	{"inline", 0, NULL, OPT_INLINE},
	{"rx-vdev", 1, NULL, OPT_RXVDEV},
	{"tx-vdev", 1, NULL, OPT_TXVDEV},
	{"write-pcap", 1, NULL, OPT_WPCAP},
	{"pcap-packets", 1, NULL, OPT_PCAPN},
	{"huge", 0, NULL, OPT_HUGE},
	{"workers", 1, NULL, OPT_WORKERS},
	{"help", 0, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* One option; 0, or -1 when its value is bad. */
static int parse_one(struct bench_opts *o, int c, const char *v)
{
	static const char *const routes[] = {"auto", "per-peer", "overlay"};
	long x = 0;

	switch (c) {
	case OPT_DIR:
		x = pick(v, dir_names, 4);
		o->o_dir = (enum bench_dir)x;
		break;
	case OPT_SIZE:
		return parse_size(o, v);
	case OPT_PROT:
		x = pick(v, prot_names, 4);
		o->o_prot = (enum bench_prot)x;
		break;
	case OPT_PEERS:
		x = num(v, 1, BENCH_MAX_PEERS);
		o->o_peers = (uint32_t)x;
		break;
	case OPT_FLOWS:
		x = num(v, 1, 1000000);
		o->o_flows = (uint32_t)x;
		break;
	case OPT_BURST:
		x = num(v, 1, DP_BURST);
		o->o_burst = (uint16_t)x;
		break;
	case OPT_DUR:
		return secs(v, &o->o_duration);
	case OPT_WARM:
		return secs(v, &o->o_warmup);
	case OPT_ROUTES:
		x = pick(v, routes, 3);
		o->o_routes = (enum bench_routes)x;
		break;
	case OPT_PHASE:
		x = num(v, 1, 3);
		o->o_phase = (uint8_t)x;
		break;
	case OPT_INFL:
		x = num(v, 64, 16384);
		o->o_inflight = (uint32_t)x;
		break;
	case OPT_LCORES:
		return parse_lcores(o, v);
	case OPT_WORKERS:
		x = num(v, 1, BENCH_MAX_WORKERS);
		o->o_nworkers = (unsigned)x;
		break;
	case OPT_VERIFY:
		o->o_verify = true;
		break;
	case OPT_JSON:
		o->o_json = true;
		break;
	case OPT_QUIET:
		o->o_quiet = true;
		break;
	case OPT_NOLIMIT:
		o->o_no_limit = true;
		break;
	case OPT_INLINE:
		o->o_inline = true;
		break;
	case OPT_HUGE:
		o->o_huge = true;
		break;
	case OPT_RXVDEV:
		o->o_rx_vdev = v;
		break;
	case OPT_TXVDEV:
		o->o_tx_vdev = v;
		break;
	case OPT_WPCAP:
		o->o_write_pcap = v;
		break;
	case OPT_PCAPN:
		x = num(v, 1, 65536);
		o->o_pcap_pkts = (uint32_t)x;
		break;
	default:
		return -1;
	}
	return x < 0 ? -1 : 0;
}

/* The CPU lcore runs on: the lcore-th CPU this process may use, or the
 * last of them for lcores beyond (more workers than CPUs: they share it).
 * Before EAL init, which pins the main thread to one CPU. */
static unsigned lcore_cpu(unsigned lcore)
{
	cpu_set_t set;
	unsigned k = 0, last = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return lcore;
	for (unsigned c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (k++ == lcore)
			return c;
		last = c;
	}
	return last;
}

/* --workers and --lcores agree; without --lcores, the generator on lcore
 * 0 and the workers on 1..N. Modes with one worker's loop refuse more. */
static int workers_check(struct bench_opts *o)
{
	const char *why = NULL;

	if (o->o_nlcores != 0 && o->o_nworkers != 0 && o->o_nworkers != o->o_nlcores)
		why = "--workers and the worker lcores in --lcores differ";
	if (o->o_nworkers == 0)
		o->o_nworkers = o->o_nlcores != 0 ? o->o_nlcores : 1;
	if (o->o_nlcores == 0)
		for (unsigned w = 0; w < o->o_nworkers; w++)
			o->o_worker_lcores[w] = w + 1;
	o->o_main_cpu = lcore_cpu(o->o_main_lcore);
	for (unsigned w = 0; w < o->o_nworkers; w++) {
		o->o_worker_cpus[w] = lcore_cpu(o->o_worker_lcores[w]);
		o->o_cpus_shared |= o->o_worker_cpus[w] == o->o_main_cpu;
		for (unsigned v = 0; v < w; v++)
			o->o_cpus_shared |= o->o_worker_cpus[v] == o->o_worker_cpus[w];
	}
	if (why == NULL && o->o_nworkers > 1 &&
	    (o->o_inline || o->o_rx_vdev != NULL || o->o_tx_vdev != NULL))
		why = "--inline and --rx-vdev run one worker";
	if (why != NULL) {
		fprintf(stderr, "dmvpnd-bench: %s\n", why);
		return -1;
	}
	return 0;
}

/* The side-by-side options and what they cannot be combined with. */
static int sbs_check(struct bench_opts *o)
{
	const char *why = NULL;
	bool vdev = o->o_rx_vdev != NULL || o->o_tx_vdev != NULL;

	if (vdev && (o->o_rx_vdev == NULL || o->o_tx_vdev == NULL))
		why = "--rx-vdev and --tx-vdev go together";
	else if (vdev && o->o_write_pcap != NULL)
		why = "--write-pcap runs without ports";
	else if (vdev && o->o_dir != BENCH_ENCAP && o->o_dir != BENCH_DECAP)
		why = "--rx-vdev: encap or decap only";
	else if (vdev && (o->o_inline || o->o_verify))
		why = "--rx-vdev: the output leaves through --tx-vdev, neither --inline nor --verify";
	else if (o->o_write_pcap != NULL && o->o_dir == BENCH_HAIRPIN)
		why = "--write-pcap: encap, decap or iofwd";
	if (why != NULL) {
		fprintf(stderr, "dmvpnd-bench: %s\n", why);
		return -1;
	}
	o->o_sbs = vdev || o->o_write_pcap != NULL;
	return 0;
}

int bench_opts_parse(struct bench_opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->o_size = 64;
	o->o_peers = 1;
	o->o_burst = 32;
	o->o_inflight = 1024;
	o->o_phase = 3;
	o->o_duration = 5;
	o->o_warmup = 1;
	o->o_pcap_pkts = 1024;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP || c == '?' || parse_one(o, c, optarg) != 0) {
			if (c != 'h' && c != OPT_HELP && c != '?')
				fprintf(stderr, "dmvpnd-bench: bad value for --%s: %s\n",
					longopts[c - OPT_DIR].name, optarg);
			usage();
			return -1;
		}
	}
	if (optind != argc) {
		usage();
		return -1;
	}
	if (o->o_flows == 0)
		o->o_flows = o->o_peers;
	return workers_check(o) != 0 ? -1 : sbs_check(o);
}
