/* The control thread's context: what it owns besides the shared dataplane
 * description. Built by node.c in production and by tests around net_ring
 * ports, so every handler here runs the same in both. */
#ifndef DMVPND_CTL_H
#define DMVPND_CTL_H

#include <stdint.h>

#include <rte_hash.h>
#include <rte_mbuf.h>

#include "clock.h"
#include "dp.h"
#include "timer.h"

/* Control-side counters per port, one list (enum + name). */
#define CTL_COUNTERS(X)                                \
	X(ARP_RX_REQUEST, "arp_rx_request")            \
	X(ARP_RX_REPLY, "arp_rx_reply")                \
	X(ARP_TX_REQUEST, "arp_tx_request")            \
	X(ARP_TX_REPLY, "arp_tx_reply")                \
	X(ARP_BAD, "arp_malformed")                    \
	X(ARP_IGNORED, "arp_not_for_us")               \
	X(ARP_RESOLVE_FAIL, "arp_resolve_failed")      \
	X(ARP_HOLD_DROP, "arp_hold_dropped")           \
	X(ICMP_ECHO_RX, "icmp_echo_request")           \
	X(ICMP_ECHO_TX, "icmp_echo_reply")             \
	X(ICMP_ERROR_TX, "icmp_error_sent")            \
	X(LOCAL_BAD, "local_malformed")                \
	X(LOCAL_UNHANDLED, "local_unhandled_protocol") \
	X(TX_PKTS, "ctl_tx_packets")                   \
	X(TX_BYTES, "ctl_tx_bytes")                    \
	X(TX_FAIL, "ctl_tx_failed")                    \
	X(NO_ROUTE, "ctl_no_route")                    \
	X(NOMEM, "ctl_no_mbuf")                        \
	X(NHRP_CACHE_FULL, "nhrp_cache_full")

enum ctl_counter {
#define CTL_COUNTER_ENUM(e, name) CTL_##e,
	CTL_COUNTERS(CTL_COUNTER_ENUM)
#undef CTL_COUNTER_ENUM
		CTL_COUNTER_COUNT
};

struct arp_entry;
struct nhrp;
struct esp_mgr;
struct ike_keying;
struct ctl_ping;

struct ctl {
	struct dp *ct_dp;
	struct clock *ct_clock;
	struct timer_heap ct_timers;
	struct rte_hash *ct_arp;         /* neigh_key -> struct arp_entry * (control only) */
	uint32_t ct_arp_reachable_s;     /* how long a learned MAC is trusted */
	struct rte_hash *ct_nhrp_cache;  /* overlay -> struct nhrp_cache_entry * */
	struct rte_hash *ct_nhrp_by_src; /* NBMA -> registrations from it (count) */
	uint32_t ct_nhrp_max;            /* entries it may hold (limits.max-peers) */
	struct timer ct_mcast_timer;     /* the replication list's next rebuild */
	uint64_t ct_mcast_built_ns;      /* when it was last rebuilt */
	struct nhrp *ct_nhrp;            /* protocol state (control/nhrp/nhrp.c) */
	struct esp_mgr *ct_esp;          /* ESP SAs (control/esp/esp_mgr.c); NULL = no ESP */
	struct ike_keying *ct_ike;       /* keying: ike (control/esp/ike_keying.c), else NULL */
	struct ctl_ping *ct_ping;        /* ping jobs (control/ping.c), made when first used */
	struct kroutes *ct_kroutes; /* routes learned from the kernel (kernel_routes.c), or NULL */
	struct kexport
		*ct_kexport; /* registrations written to the kernel (kernel_export.c), or NULL */
	uint64_t ct_cnt[CFG_MAX_PORTS + 1][CTL_COUNTER_COUNT];
	uint64_t ct_punt_rx[16]; /* by punt cause */
	bool ct_debug_ip;        /* debug ip packet: each IPv4 frame in and out logged */
};

/* ctl_loop.c */
int ctl_init(struct ctl *ct, struct dp *dp, struct clock *ck);
void ctl_fini(struct ctl *ct);
const char *ctl_counter_name(enum ctl_counter c);
/* Handle one punted packet (consumes m). */
void ctl_punt_input(struct ctl *ct, struct rte_mbuf *m);
/* Dequeue and handle punted packets from every worker; returns how many. */
unsigned ctl_punt_poll(struct ctl *ct);
/* Dequeue and handle worker events (struct dp_event); returns how many. */
unsigned ctl_event_poll(struct ctl *ct);

static inline void ctl_count(struct ctl *ct, uint8_t port_idx, enum ctl_counter c)
{
	ct->ct_cnt[port_idx][c]++;
}

/* ctl_frame.c */
/* A new mbuf with headroom for Ethernet, or NULL (counted on port_idx). */
struct rte_mbuf *ctl_alloc(struct ctl *ct, uint8_t port_idx);
/* Send a complete frame on the control TX queue of port_idx (consumes m). */
void ctl_tx_frame(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m);
/* debug ip packet: one line at DEBUG for an IPv4 packet (behind an
 * Ethernet header) the control thread received (what: why it was punted,
 * where: the port) or originates (what: "sent"). */
void ctl_debug_ip(const char *what, const char *where, const struct rte_mbuf *m);

/* ctl_output.c */
/* m holds room for an Ethernet header then an IPv4 packet at data offset 0
 * of the IPv4 header; routes it, resolves the next hop and sends (consumes). */
void ctl_tx_ipv4(struct ctl *ct, struct rte_mbuf *m);
/* A UDP datagram from the control thread (IKE, NAT-T keepalives). 0 or -errno. */
int ctl_udp_send(struct ctl *ct, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 const void *payload, uint16_t len);
/* Send an encoded NHRP packet in GRE to an NBMA address. 0 or -errno. */
int ctl_tunnel_send_nhrp(struct ctl *ct, uint32_t nbma, const uint8_t *pkt, uint16_t len);
/* m as for ctl_tx_ipv4, routed into the tunnel towards overlay `target`. */
void ctl_tunnel_output(struct ctl *ct, struct rte_mbuf *m, uint32_t target);

/* arp.c */
int arp_init(struct ctl *ct);
void arp_fini(struct ctl *ct);
void arp_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m);
/* Send m (IPv4 with an Ethernet header in front) to next hop `ip` on port:
 * at once when resolved, else held while ARP resolves (consumes m). */
void arp_output(struct ctl *ct, uint8_t port_idx, uint32_t ip, struct rte_mbuf *m);
struct strbuf;
void arp_show(struct ctl *ct, struct strbuf *out);

/* icmp.c */
struct dp_event;
/* ICMP fragmentation needed (RFC 1191) for a packet a worker quoted. */
void icmp_frag_needed_send(struct ctl *ct, const struct dp_event *ev);
void icmp_local_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m);
/* ICMP error (type/code) about packet m that arrived on port_idx; m is
 * consumed. */
void icmp_error_send(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m, uint8_t type,
		     uint8_t code);

#endif
