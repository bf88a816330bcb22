/* Flow export's accounting in the workers (IPFIX, RFC 7011): per-flow
 * packet and byte counters of the traffic through the tunnel, with the
 * tunnel peer (its NBMA address), kept in a table per worker.
 *
 *   worker: each inner packet entering (encap) or leaving (decap) the
 *           tunnel counted in its flow, 1 in dfe_sampling of them; a few
 *           slots looked at every loop, and a flow idle or active for too
 *           long handed to the control thread as a record on fl_out
 *   control: records into IPFIX messages to the collector (flow_export.c)
 *
 * Off (no flow-export in the config) costs one load per tunnel packet and
 * per loop. A full table or record ring is counted, never waited on. */
#ifndef DMVPND_FLOW_H
#define DMVPND_FLOW_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#define FLOW_SLOTS 16384 /* per worker; a power of two */
#define FLOW_PROBE 8     /* slots tried from a key's hash */
#define FLOW_SCAN 16     /* slots checked for expiry per loop */

enum flow_dir { FLOW_IN = 0, FLOW_OUT = 1 }; /* IPFIX flowDirection: ingress, egress */

struct flow_key {
	uint32_t fk_src, fk_dst;     /* host order */
	uint32_t fk_peer;            /* the tunnel peer's NBMA address, host order */
	uint16_t fk_sport, fk_dport; /* ICMP: 0 and type << 8 | code */
	uint8_t fk_proto;
	uint8_t fk_dir;
	uint16_t fk_pad;
};

struct flow_entry {
	struct flow_key fe_key;
	uint64_t fe_pkts, fe_bytes;
	uint64_t fe_first, fe_last; /* TSC */
	uint8_t fe_used;
};

/* What a worker hands over for one flow. */
struct flow_rec {
	struct flow_key fr_key;
	uint64_t fr_pkts, fr_bytes;
	uint64_t fr_first, fr_last; /* TSC */
};

struct rte_ring;

struct flow_table {
	struct flow_entry *fl_e;         /* FLOW_SLOTS */
	struct rte_ring *fl_out;         /* struct flow_rec elements, to control */
	uint32_t fl_scan;                /* the next slot the expiry scan looks at */
	uint32_t fl_tick;                /* sampling */
	uint64_t fl_no_slot, fl_no_ring; /* counted, written by the worker only */
};

struct dp_flow_export {
	uint32_t dfe_on;                       /* set before the workers start, then read-only */
	uint32_t dfe_sampling;                 /* 1 in N packets counted; 1 = all */
	uint64_t dfe_idle_tsc, dfe_active_tsc; /* expiry, in TSC ticks */
};

struct lcore_ctx;
struct rte_ipv4_hdr;

/* flow.c. Runs on: workers, when dfe_on. */
void flow_account(struct lcore_ctx *lc, uint8_t dir, const struct rte_ipv4_hdr *ip, uint16_t len,
		  uint32_t peer);
void flow_scan(struct lcore_ctx *lc);

#endif
