/* Port bring-up: ethdev configure, queues, MTU, start; and teardown. */
#include "ports.h"

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "eal_args.h"
#include "inet.h"
#include "kernel_if.h"
#include "log.h"

unsigned ports_pool_size(const struct cfg *cfg)
{
	unsigned q = cfg->lcores.n_workers + 1;

	/* Every descriptor of every queue, plus punt rings, hold queues and
	 * what is in flight in bursts. */
	return cfg->n_ports * q * (PORT_RX_DESC + PORT_TX_DESC) + cfg->lcores.n_workers * 2048 +
	       4096;
}

/* net_af_packet's sockets form a fanout group: every one of them receives
 * traffic, so all its RX queues are polled; net_tap insists on as many RX as
 * TX queues. The others get one RX queue per worker. Extra RX queues are
 * polled round-robin by the workers. */
static uint16_t port_rxq_count(const struct rte_eth_dev_info *di, unsigned workers)
{
	if (strcmp(di->driver_name, "net_af_packet") == 0)
		return di->max_rx_queues;
	if (strcmp(di->driver_name, "net_tap") == 0)
		return (uint16_t)(workers + 1);
	return (uint16_t)workers;
}

static int port_queues_setup(struct dp *dp, struct dp_port *pt)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(pt->pt_id, pt->pt_nb_rxq, pt->pt_nb_txq, &conf);
	if (rc != 0)
		return rc;
	for (uint16_t q = 0; q < pt->pt_nb_rxq && rc == 0; q++)
		rc = rte_eth_rx_queue_setup(pt->pt_id, q, PORT_RX_DESC,
					    (unsigned)rte_eth_dev_socket_id(pt->pt_id), NULL,
					    dp->dp_pool);
	for (uint16_t q = 0; q < pt->pt_nb_txq && rc == 0; q++)
		rc = rte_eth_tx_queue_setup(pt->pt_id, q, PORT_TX_DESC,
					    (unsigned)rte_eth_dev_socket_id(pt->pt_id), NULL);
	return rc;
}

static int port_open(struct dp *dp, unsigned idx, const struct cfg_port *cp, unsigned workers)
{
	struct dp_port *pt = &dp->dp_ports[idx];
	struct rte_eth_dev_info di;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	eal_port_name(cp->devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pt->pt_id) != 0) {
		LOG_MAIN(ERR, "port %s: no ethdev '%s' (devargs '%s')", cp->name, name,
			 cp->devargs);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pt->pt_id, &di);
	if (rc != 0)
		return rc;
	snprintf(pt->pt_name, sizeof(pt->pt_name), "%s", cp->name);
	pt->pt_role = (uint8_t)cp->role;
	pt->pt_addr = cp->address.addr;
	pt->pt_plen = cp->address.len;
	pt->pt_mtu = cp->mtu;
	pt->pt_nb_rxq = port_rxq_count(&di, workers);
	pt->pt_nb_txq = (uint16_t)(workers + 1);
	pt->pt_ctl_txq = (uint16_t)workers;
	if (pt->pt_nb_txq > di.max_tx_queues || pt->pt_nb_rxq > di.max_rx_queues) {
		LOG_MAIN(ERR,
			 "port %s: driver %s offers %u RX/%u TX queues, %u workers need "
			 "%u RX and %u TX (for net_af_packet set qpairs=%u or leave it out)",
			 cp->name, di.driver_name, di.max_rx_queues, di.max_tx_queues, workers,
			 pt->pt_nb_rxq, pt->pt_nb_txq, workers + 1);
		return -EINVAL;
	}
	dp->dp_port_idx[pt->pt_id] = (uint8_t)idx;
	return 0;
}

static int port_start(struct dp *dp, struct dp_port *pt)
{
	int rc = port_queues_setup(dp, pt);

	if (rc != 0) {
		LOG_MAIN(ERR, "port %s: queue setup failed: %s", pt->pt_name, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_set_mtu(pt->pt_id, pt->pt_mtu);
	if (rc != 0)
		LOG_MAIN(WARNING, "port %s: cannot set MTU %u (%s); forwarding still enforces it",
			 pt->pt_name, pt->pt_mtu, rte_strerror(-rc));
	rc = rte_eth_macaddr_get(pt->pt_id, &pt->pt_mac);
	rc = rc ? rc : rte_eth_dev_start(pt->pt_id);
	if (rc != 0) {
		LOG_MAIN(ERR, "port %s: start failed: %s", pt->pt_name, rte_strerror(-rc));
		return rc;
	}
	return 0;
}

/* The tunnel's TAP: a port of its own, after the configured ones, with the
 * tunnel's address and MTU; the kernel side is set up by kernel_if.c. */
static int port_kernel_setup(struct dp *dp, const struct cfg *cfg)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	unsigned idx = dp->dp_nports;
	struct dp_port *pt = &dp->dp_ports[idx];
	struct cfg_port cp;
	int rc;

	memset(&cp, 0, sizeof(cp));
	snprintf(cp.name, sizeof(cp.name), "%s", t->kernel_if);
	snprintf(cp.devargs, sizeof(cp.devargs), "%s", EAL_KERNEL_PORT);
	cp.address = t->address;
	cp.mtu = t->mtu;
	rc = port_open(dp, idx, &cp, cfg->lcores.n_workers);
	if (rc != 0)
		return rc;
	pt->pt_role = DP_PORT_KERNEL;
	dp->dp_nports = idx + 1;
	rc = port_start(dp, pt);
	if (rc == 0)
		rc = kernel_if_setup(pt, t);
	if (rc == 0)
		dp->dp_kernel_port = (int)idx;
	return rc;
}

int ports_setup(struct dp *dp, const struct cfg *cfg)
{
	memset(dp->dp_port_idx, 0xff, sizeof(dp->dp_port_idx));
	dp->dp_kernel_port = -1;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct dp_port *pt = &dp->dp_ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET_ADDRSTR];
		int rc = port_open(dp, i, &cfg->ports[i], cfg->lcores.n_workers);

		if (rc != 0)
			return rc;
		dp->dp_nports = i + 1; /* from here on, teardown closes it */
		rc = port_start(dp, pt);
		if (rc != 0)
			return rc;
		rte_ether_format_addr(mac, sizeof(mac), &pt->pt_mac);
		LOG_MAIN(INFO, "port %s up: ethdev %u, %s, %s/%u, mtu %u, %u rxq, %u txq",
			 pt->pt_name, pt->pt_id, mac, inet_v4_str(pt->pt_addr, ip), pt->pt_plen,
			 pt->pt_mtu, pt->pt_nb_rxq, pt->pt_nb_txq);
	}
	if (cfg->tunnel.present && cfg->tunnel.kernel_if[0] != '\0')
		return port_kernel_setup(dp, cfg);
	return 0;
}

void ports_teardown(struct dp *dp)
{
	for (unsigned i = 0; i < dp->dp_nports; i++) {
		uint16_t id = dp->dp_ports[i].pt_id;

		rte_eth_dev_stop(id);
		rte_eth_dev_close(id);
	}
	dp->dp_nports = 0;
}
