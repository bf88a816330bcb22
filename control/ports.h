/* Bringing DPDK ports up and down as the config says. */
#ifndef DMVPND_PORTS_H
#define DMVPND_PORTS_H

#include "cfg.h"
#include "dp.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* Runs on: control thread, before the workers start. Configures every port
 * with its RX queues, one TX queue per worker plus the control thread's, the
 * MTU; starts it. 0, or -errno after logging what failed. */
int ports_setup(struct dp *dp, const struct cfg *cfg);
/* Stop and close every port that ports_setup opened. */
void ports_teardown(struct dp *dp);
/* mbufs the pool needs for this many ports and workers. */
unsigned ports_pool_size(const struct cfg *cfg);

#endif
