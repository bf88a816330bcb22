/* Port 0 of a test's struct dp on a net_ring device, for tests that drive
 * the worker and the control thread by hand: RX from ring rx, TX queue q
 * into ring tx[q]. Include after cmocka.h. Test code only. */
#ifndef DMVPND_RING_PORT_TEST_H
#define DMVPND_RING_PORT_TEST_H

#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>

#include "dp.h"

/* name: the ethdev's; a closed ring port keeps its name, so a fixture
 * that sets up more than once needs a new one each time. The pool is
 * dp->dp_pool. */
static inline void ring_port_setup(struct dp *dp, const char *name, struct rte_ring *rx,
				   struct rte_ring **tx, uint16_t ntx)
{
	struct dp_port *pt = &dp->dp_ports[0];
	struct rte_eth_conf conf;
	int id = rte_eth_from_rings(name, &rx, 1, tx, ntx, SOCKET_ID_ANY);

	assert_true(id >= 0);
	memset(dp->dp_port_idx, 0xff, sizeof(dp->dp_port_idx));
	pt->pt_id = (uint16_t)id;
	dp->dp_port_idx[id] = 0;
	rte_eth_macaddr_get(pt->pt_id, &pt->pt_mac);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_configure(pt->pt_id, 1, ntx, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(pt->pt_id, 0, 256, 0, NULL, dp->dp_pool), 0);
	for (uint16_t q = 0; q < ntx; q++)
		assert_int_equal(rte_eth_tx_queue_setup(pt->pt_id, q, 256, 0, NULL), 0);
	assert_int_equal(rte_eth_dev_start(pt->pt_id), 0);
	dp->dp_nports = 1;
	dp->dp_kernel_port = -1;
}

#endif
