/* Packet capture taps (monitor capture): copies of packets the workers see,
 * handed to the control thread, which writes them to a pcapng file.
 *
 *   worker: a free slot from its cr_free ring, the bytes copied in, the
 *           slot onto cr_full; no free slot: counted (cr_drops), never a
 *           wait or an allocation
 *   control: slots from cr_full to the file and back onto cr_free
 *
 * Off costs one load per burst (and per tunnel packet): dc_on. The taps:
 * a port's RX and TX bursts (the Ethernet frame) and the tunnel, the inner
 * IPv4 packet as it leaves the tunnel (decapsulated) and as it enters it
 * (before encapsulation). */
#ifndef DMVPND_CAPTURE_H
#define DMVPND_CAPTURE_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "cfg.h"

#define CAP_SNAPLEN 1600 /* bytes kept of each packet */
#define CAP_SLOTS 1024   /* per worker; a power of two */

enum cap_dir { CAP_IN = 1, CAP_OUT = 2 }; /* pcapng epb_flags direction */

struct cap_slot {
	uint64_t cs_tsc;
	uint16_t cs_len;  /* bytes kept */
	uint16_t cs_orig; /* the packet's length */
	uint8_t cs_if;    /* port index; CAP_IF_TUNNEL for the tunnel */
	uint8_t cs_dir;   /* enum cap_dir */
	uint8_t cs_data[CAP_SNAPLEN];
};

#define CAP_IF_TUNNEL 0xff

struct rte_ring;

/* One worker's pair of rings and its slots. */
struct cap_ring {
	struct rte_ring *cr_free, *cr_full; /* struct cap_slot pointers */
	struct cap_slot *cr_slots;          /* CAP_SLOTS of them */
	uint64_t cr_drops;                  /* written by the worker only */
};

struct dp_capture {
	uint32_t dc_on;    /* control: release store; workers: acquire load */
	uint32_t dc_ports; /* bit per port index: its frames are taken */
	uint8_t dc_tunnel; /* the tunnel's inner packets are taken */
	uint32_t dc_match; /* only IPv4 packets from or to it (host order); 0: all */
	struct cap_ring *dc_ring[CFG_MAX_WORKERS];
};

struct lcore_ctx;
struct rte_mbuf;
struct rte_ipv4_hdr;

/* capture.c. Runs on: workers, while dc_on. */
void cap_take_burst(struct lcore_ctx *lc, uint8_t port_idx, uint8_t dir, struct rte_mbuf **pkts,
		    uint16_t n);
void cap_take_ip(struct lcore_ctx *lc, uint8_t dir, const struct rte_ipv4_hdr *ip, uint16_t len);

static inline int cap_is_on(const struct dp_capture *dc)
{
	return unlikely(__atomic_load_n(&dc->dc_on, __ATOMIC_ACQUIRE) != 0);
}

#endif
