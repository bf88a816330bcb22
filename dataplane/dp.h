/* What the workers share, read-only once they run: ports, the mbuf pool, the
 * RCU variable and the tables published through it. The control thread
 * builds it (control/node.c) and remains the single writer of the tables. */
#ifndef DMVPND_DP_H
#define DMVPND_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "capture.h"
#include "cfg.h"
#include "fib.h"
#include "flow.h"
#include "neigh.h"
#include "peer_table.h"
#include "rcu.h"
#include "sa_table.h"

#define DP_BURST 32
/* Echo identifiers of the node's own pings (control/ping.c): their replies
 * to the tunnel address come to the control thread, not the kernel. */
#define DP_PING_ID_BASE 0xd900
#define DP_PING_IDS 4
#define DP_MAX_PORTS (CFG_MAX_PORTS + 1) /* the configured ones and the kernel TAP */

/* Port roles beyond the config's wan/lan: the tunnel's TAP to the kernel. */
#define DP_PORT_KERNEL 2

/* Where tunnel multicast goes: every registered spoke (hub) or the NHSes
 * (spoke). Immutable once published; replaced whole by the control thread. */
struct mcast_list {
	uint32_t ml_n;
	uint32_t ml_overlay[]; /* host order */
};
#define DP_MAX_RXQ_PER_WORKER 8

struct dp_port {
	uint16_t pt_id;  /* ethdev port id */
	uint8_t pt_role; /* enum cfg_port_role */
	struct rte_ether_addr pt_mac;
	uint32_t pt_addr; /* host order */
	uint8_t pt_plen;
	uint16_t pt_mtu;
	uint16_t pt_nb_rxq;
	uint16_t pt_nb_txq;
	uint16_t pt_ctl_txq;               /* the control thread's own TX queue */
	struct rte_ether_addr pt_peer_mac; /* kernel port: the kernel side's MAC */
	char pt_name[CFG_NAME_MAX];
};

struct dp_backoff {
	bool bo_adaptive;
	uint32_t bo_sleep_us; /* fixed mode */
	uint32_t bo_max_us;   /* adaptive mode cap */
};

/* The mGRE tunnel as the workers see it (fixed at start). */
struct dp_tunnel {
	bool tn_present;
	bool tn_is_hub;
	uint8_t tn_phase; /* 1, 2, 3 */
	bool tn_has_key;
	uint32_t tn_key;  /* host order */
	uint32_t tn_addr; /* overlay address, host order */
	uint8_t tn_plen;
	uint16_t tn_mtu;   /* largest inner packet carried */
	uint8_t tn_wan;    /* port index of the underlay */
	uint8_t tn_ttl;    /* outer TTL */
	bool tn_copy_dscp; /* inner DSCP copied to the outer header */
	/* The NHS (spokes) misses go to meanwhile: the first that is up in
	 * config order, else the first; the control thread moves it when an
	 * NHS goes up or down (one aligned 32-bit store). */
	uint32_t tn_nhs_overlay;
	bool tn_esp; /* protection: esp (fail closed) */
	bool tn_ike; /* keying: ike: IKE goes to the control thread */
};

struct lcore_ctx;

struct dp {
	unsigned dp_nports;
	struct dp_port dp_ports[DP_MAX_PORTS];
	uint8_t dp_port_idx[RTE_MAX_ETHPORTS]; /* ethdev id -> index, 0xff none */
	unsigned dp_nworkers;
	struct lcore_ctx *dp_workers[CFG_MAX_WORKERS];
	struct rte_mempool *dp_pool;
	struct rcu *dp_rcu;
	struct fib dp_fib;
	struct neigh_table dp_neigh;
	struct peer_table dp_peers;
	struct sa_table dp_sa_in; /* inbound ESP SAs by SPI */
	struct dp_tunnel dp_tunnel;
	int dp_kernel_port;          /* port index of the TAP, -1 if none */
	struct mcast_list *dp_mcast; /* RCU-published */
	uint32_t dp_max_peers;
	uint16_t dp_rx_burst; /* packets per RX poll, 1..DP_BURST; 0 = DP_BURST */
	struct dp_backoff dp_backoff;
	struct dp_capture dp_cap;      /* monitor capture's taps (capture.h) */
	struct dp_flow_export dp_flow; /* flow export's settings (flow.h) */
	uint32_t dp_stop;              /* set by control with a release store */
};

static inline bool dp_is_stopping(const struct dp *dp)
{
	return __atomic_load_n(&dp->dp_stop, __ATOMIC_ACQUIRE) != 0;
}

#endif
