/* IKE-lite as the node's keying (tunnel.esp.keying: ike): the state
 * machine of control/ike/ run by the control thread. IKE packets the
 * workers punt (UDP 500, 4500 with the non-ESP marker, to our WAN address)
 * come in, its messages leave through the control TX queue, its CHILD_SAs
 * go to esp_mgr, and esp_mgr asks it for an SA with a peer when NHRP needs
 * one (a spoke's NHS at start, a shortcut on demand, a hub's spoke when
 * it answers). Runs on: the control thread. */
#ifndef DMVPND_IKE_KEYING_H
#define DMVPND_IKE_KEYING_H

#include <stdint.h>

#include <rte_mbuf.h>

struct cfg;
struct cfg_esp;
struct ctl;
struct strbuf;

/* ike_keying.c */
/* Nothing to do unless protection: esp with keying: ike. 0 or -errno
 * (logged: a PSK file that others may read, no memory). */
int ike_keying_init(struct ctl *ct, const struct cfg *cfg);
void ike_keying_fini(struct ctl *ct);
/* The node is stopping while its ports still run: each peer is told with
 * a Delete that its IKE SA is gone, and no new SA is started. */
void ike_keying_stop(struct ctl *ct);
/* PUNT_IKE: Ethernet + IPv4 + UDP (+ marker) + IKE. Consumes m. */
void ike_keying_input(struct ctl *ct, struct rte_mbuf *m);
/* An IKE SA with CHILD_SA to nbma is needed: started unless one is up or
 * on its way (or was refused within the last seconds). */
void ike_keying_want(struct ctl *ct, uint32_t nbma);
/* No longer needed: the IKE SA with nbma is deleted. */
void ike_keying_release(struct ctl *ct, uint32_t nbma);
/* The ESP SA `spi` reached its soft byte/packet limit: rekey its CHILD_SA. */
void ike_keying_rekey(struct ctl *ct, uint32_t spi);
/* show crypto ikev2 sa [detail] and show crypto ikev2 stats. */
void ike_keying_show_sa(struct ctl *ct, struct strbuf *out, bool detail);
void ike_keying_show_stats(struct ctl *ct, struct strbuf *out);
/* The IKE counters and SA counts in Prometheus text (telemetry). */
void ike_keying_metrics(struct ctl *ct, struct strbuf *out);
/* A digest (64-bit FNV-1a of type and data) of the identity the established
 * IKE SA with nbma authenticated, or 0 when there is none. */
uint64_t ike_keying_peer_identity(struct ctl *ct, uint32_t nbma);
/* show crypto session: one block per peer, the IKE SA and its ESP flow. */
void ike_keying_show_session(struct ctl *ct, struct strbuf *out);
/* clear crypto session [peer A.B.C.D]: the IKE SAs (all, or with `peer`;
 * 0 = all) are deleted, the peer told with a Delete; a pair NHRP still
 * uses asks for a new one once the peer answered the Delete, or with
 * `at_once` right away (a peer that lost the SA never answers). `why` ends
 * the log line ("by the operator"). Returns how many were deleted. */
unsigned ike_keying_clear(struct ctl *ct, uint32_t peer, const char *why, bool at_once);
/* debug crypto ikev2: every IKE message sent and received, one line each
 * (addresses, exchange, request/response, message ID, length) at DEBUG in
 * user.dmvpn.ike; off: back to the level the node started with. */
void ike_keying_debug(struct ctl *ct, bool on);
/* The IKE settings that change live (proposals, lifetimes, liveness,
 * PFS, identities, PSKs and PSK files, certificates, peers, fragments)
 * are now e's: new exchanges use them, established SAs stay. The PSK and
 * certificate files are read first: on any error nothing changes and msg
 * says why. 0 or -errno. */
int ike_keying_reconfigure(struct ctl *ct, const struct cfg_esp *e, struct strbuf *msg);
/* The configured level changed: `no debug crypto ikev2` returns to it. */
void ike_keying_log_level(struct ctl *ct);

#endif
