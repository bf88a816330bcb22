/* The stages of the packet path, in the order pipeline.c runs them over a
 * burst. Each takes its input (the burst, or its queue in lcore_ctx.h's
 * lc_q_*), fills the queues of the stages after it (stage_queues.h) and
 * calls no other stage. Runs on: workers. */
#ifndef DMVPND_STAGES_H
#define DMVPND_STAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct lcore_ctx;

/* pipeline.c: one RX burst of port_idx through every stage (consumes
 * pkts[0..n), n <= DP_BURST); what leaves waits in the TX buffers. */
void pipeline_burst(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n);

/* stage_classify.c: check the Ethernet header; IPv4 into ipv4[] (their
 * count returned), ARP punted, the rest dropped. */
uint16_t stage_classify(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n,
			struct rte_mbuf **ipv4);

/* stage_route.c: validate, look up and route IPv4 from a port (ESP and GRE
 * to us to their stages, forwarded packets to the output queue, tunnel
 * routes to the encap queue, multicast from the kernel to the replicate
 * stage, the rest to the kernel or the control thread) ... */
void stage_route_port(struct lcore_ctx *lc, uint8_t port_idx, struct rte_mbuf **pkts, uint16_t n);
/* ... and what came out of the tunnel (lc_q_inner): a hub hairpin goes
 * back into the encap queue, with a Traffic Indication in phase 3. */
void stage_route_tunnel(struct lcore_ctx *lc);

/* stage_esp_in.c: lc_q_esp_in: find the SAs, decrypt a run of one SA at a
 * time, the GRE inside to lc_q_gre_in. */
void stage_esp_in(struct lcore_ctx *lc);

/* stage_gre_decap.c: lc_q_gre_in: check and strip GRE; IPv4 inside to
 * lc_q_inner, NHRP punted to the control thread. */
void stage_gre_decap(struct lcore_ctx *lc);

/* stage_gre_encap.c: lc_q_encap: pick each packet's peer, then a run of
 * packets to one peer at a time: outer IPv4 + GRE to the output queue,
 * or framed for ESP into lc_q_esp_out ... */
void stage_gre_encap(struct lcore_ctx *lc);
/* ... and lc_q_group: copies of a multicast packet for every peer of the
 * replication list into the encap queue, as many as it holds; true when
 * it queued any (the tunnel's stages run again). */
bool stage_replicate(struct lcore_ctx *lc);

/* stage_esp_out.c: lc_q_esp_out: seal every run, then each to the output
 * queue. */
void stage_esp_out(struct lcore_ctx *lc);

/* stage_output.c: lc_q_out: route tunnel packets on the underlay, then
 * each run to one next hop: one neighbour lookup, the Ethernet header,
 * into the port's TX buffer (or punted for ARP). */
void stage_output(struct lcore_ctx *lc);

#endif
