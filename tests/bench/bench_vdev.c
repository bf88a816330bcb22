/* Side by side with testpmd and ipsec-secgw (scripts/bench-vs): the
 * worker's ports from devargs instead of net_ring, e.g. net_pcap with
 * infinite_rx as input and net_null as output, the same port types the
 * other programs run on. Only the input port is polled; the main lcore
 * drains the punt and event rings and reads the worker's own port
 * counters, it generates nothing. And --write-pcap: the generator's
 * packets (the templates, with ESP under the sending peer's SA for decap)
 * written to a pcap file, which is what the input port replays. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench.h"

#define VDEV_DESC 1024
#define VDEV_MBUFS 8192   /* as scripts/bench-vs gives testpmd and ipsec-secgw */
#define VDEV_POLL_US 1000 /* the main lcore's sleep between looks */
#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN 65535
#define L2_LEN ((uint64_t)sizeof(struct rte_ether_hdr))

/* net_pcap's address for its first port ("pcap" in ASCII, then the
 * port's index): what the written frames are addressed to. */
const struct rte_ether_addr bench_pcap_mac = {{0x02, 0x70, 0x63, 0x61, 0x70, 0x00}};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_usec, caplen, len;
};

/* The two --vdev arguments for rte_eal_init; argv has room for four more. */
void bench_vdev_eal_args(const struct bench_opts *o, char **argv, int *argc)
{
	if (o->o_rx_vdev == NULL)
		return;
	argv[(*argc)++] = (char *)"--vdev";
	argv[(*argc)++] = (char *)o->o_rx_vdev;
	argv[(*argc)++] = (char *)"--vdev";
	argv[(*argc)++] = (char *)o->o_tx_vdev;
	argv[*argc] = NULL;
}

/* What control/node.c creates: a pool with per-lcore caches. It also
 * holds the pcap PMD's copy of the whole file (infinite_rx). */
struct rte_mempool *bench_vdev_pool(unsigned n)
{
	uint16_t priv = RTE_ALIGN(sizeof(struct bench_priv), RTE_MBUF_PRIV_ALIGN);

	return rte_pktmbuf_pool_create("bench_mbufs", RTE_MAX(n, (unsigned)VDEV_MBUFS), 256, priv,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
}

/* The input port's frames are addressed to bench_pcap_mac: make sure the
 * port answers to it (net_pcap's first port already does). */
static void vdev_mac(uint16_t id)
{
	struct rte_ether_addr mac;

	if (rte_eth_macaddr_get(id, &mac) == 0 && rte_is_same_ether_addr(&mac, &bench_pcap_mac))
		return;
	if (rte_eth_dev_default_mac_addr_set(id, (struct rte_ether_addr *)&bench_pcap_mac) != 0)
		fprintf(stderr,
			"dmvpnd-bench: warning: the input port's MAC is not " RTE_ETHER_ADDR_PRT_FMT
			", frames from --write-pcap will be dropped\n",
			RTE_ETHER_ADDR_BYTES(&bench_pcap_mac));
}

/* The ethdev EAL made from --rx-vdev (the worker's input port) or
 * --tx-vdev, configured and started with one queue each way. */
int bench_vdev_port(struct bench *b, unsigned idx)
{
	const char *args = idx == b->b_in_port ? b->b_opt.o_rx_vdev : b->b_opt.o_tx_vdev;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_eth_conf conf;
	uint16_t id;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(args, ","), args);
	if (rte_eth_dev_get_port_by_name(name, &id) != 0) {
		fprintf(stderr, "dmvpnd-bench: no port %s (from %s)\n", name, args);
		return -ENODEV;
	}
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(id, 0, VDEV_DESC, SOCKET_ID_ANY, NULL, b->b_dp.dp_pool) != 0 ||
	    rte_eth_tx_queue_setup(id, 0, VDEV_DESC, SOCKET_ID_ANY, NULL) != 0)
		return -EIO;
	if (idx == b->b_in_port)
		vdev_mac(id);
	return rte_eth_dev_start(id) != 0 ? -EIO : (int)id;
}

/* The generator's counters from the worker's port counters: received on
 * the input port, sent on the output port. Inner bytes are the sent
 * frames' (decap) or, for encap, the received frames' average times the
 * packets sent; wire bytes the tunnel side's likewise. */
static void vdev_count(struct bench *b)
{
	const volatile struct dp_port_stats *in = &b->b_lc[0]->lc_stats.ls_port[b->b_in_port];
	const volatile struct dp_port_stats *out = &b->b_lc[0]->lc_stats.ls_port[b->b_out_port];
	struct bench_gen_stats *g = &b->b_gen;
	uint64_t rx = in->ps_rx_pkts, rx_bytes = in->ps_rx_bytes;
	uint64_t tx = out->ps_tx_pkts, tx_bytes = out->ps_tx_bytes;
	uint64_t rx_avg = rx ? rx_bytes / rx : 0;

	/* One worker: its TX queue is queue 0. */
	g->gs_injected = rx;
	g->gs_forwarded = tx;
	g->gs_q_forwarded[0] = tx;
	if (b->b_opt.o_dir == BENCH_ENCAP) {
		g->gs_q_inner_bytes[0] = tx * (rx_avg - L2_LEN);
		g->gs_q_wire_bytes[0] = tx_bytes;
	} else {
		g->gs_q_inner_bytes[0] = tx_bytes - tx * L2_LEN;
		g->gs_q_wire_bytes[0] = tx * rx_avg;
	}
	g->gs_port_rx[b->b_in_port] = rx;
	g->gs_port_rx_bytes[b->b_in_port] = rx_bytes;
	g->gs_port_tx[b->b_out_port] = tx;
	g->gs_port_tx_bytes[b->b_out_port] = tx_bytes;
	g->gs_port_rx_inner[b->b_in_port] = g->gs_q_inner_bytes[0]; /* what was forwarded */
	g->gs_port_tx_inner[b->b_out_port] = g->gs_q_inner_bytes[0];
}

/* Runs on: the main lcore, in place of the generator. */
void bench_vdev_poll(struct bench *b)
{
	bench_gen_control(b);
	vdev_count(b);
	rte_delay_us_sleep(VDEV_POLL_US);
}

/* --write-pcap: o_pcap_pkts packets as the generator makes them. */
int bench_write_pcap(struct bench *b)
{
	struct pcap_file_hdr fh = {.magic = PCAP_MAGIC,
				   .major = 2,
				   .minor = 4,
				   .snaplen = PCAP_SNAPLEN,
				   .linktype = PCAP_LINKTYPE_ETHERNET};
	FILE *f = fopen(b->b_opt.o_write_pcap, "wb");
	uint64_t bytes = 0;
	uint32_t i;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "dmvpnd-bench: %s: %s\n", b->b_opt.o_write_pcap, strerror(errno));
		return -errno;
	}
	if (fwrite(&fh, sizeof(fh), 1, f) != 1)
		rc = -EIO;
	for (i = 0; i < b->b_opt.o_pcap_pkts && rc == 0; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(b->b_dp.dp_pool);
		struct pcap_rec_hdr rh = {0};

		if (m == NULL) {
			rc = -ENOMEM;
			break;
		}
		bench_gen_fill(b, m);
		rh.caplen = rh.len = m->data_len;
		if (fwrite(&rh, sizeof(rh), 1, f) != 1 ||
		    fwrite(rte_pktmbuf_mtod(m, void *), m->data_len, 1, f) != 1)
			rc = -EIO;
		bytes += m->data_len;
		rte_pktmbuf_free(m);
	}
	for (unsigned e = 0; e < ESP_DROP_COUNT && rc == 0; e++)
		if (b->b_gen.gs_verify_esp[e] != 0)
			rc = -EPROTO; /* the peer's SA refused to encrypt */
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc != 0)
		fprintf(stderr, "dmvpnd-bench: writing %s failed: %s\n", b->b_opt.o_write_pcap,
			strerror(-rc));
	else
		printf("wrote %u packets, %.1f bytes on average, to %s\n", i,
		       i ? (double)bytes / i : 0.0, b->b_opt.o_write_pcap);
	return rc;
}
