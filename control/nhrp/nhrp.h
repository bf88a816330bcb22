/* NHRP protocol engine on the control thread (RFC 2332 with the Cisco
 * DMVPN behaviour FRR nhrpd also implements). nhrp.c receives, checks,
 * counts and dispatches to nhrp_nhc.c, the spoke (client) side, or
 * nhrp_nhs.c, the hub (server) side; both send through nhrp_send.c and
 * answer for the node's own addresses with nhrp_respond.c; nhrp_cache.c
 * holds the bindings. Calls go down that list, never back up. */
#ifndef DMVPND_NHRP_H
#define DMVPND_NHRP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "cfg.h"
#include "nhrp_msg.h"
#include "punt.h"
#include "src_rate.h"
#include "timer.h"

struct ctl;

/* What NHRP tells the layer above it (NULL: nothing). */
struct nhrp_hooks {
	/* A spoke's NHS went down, or came back from down. */
	void (*nhk_nhs_changed)(struct ctl *ct, uint32_t overlay, bool down);
	/* A spoke's NHS at nbma that was up stopped answering (went down
	 * from up, not from probing). */
	void (*nhk_nhs_lost)(struct ctl *ct, uint32_t nbma);
	/* A digest of the identity IKE authenticated for the peer at nbma
	 * (an established IKE SA), or 0: none, or no IKE. */
	uint64_t (*nhk_peer_identity)(struct ctl *ct, uint32_t nbma);
};
struct strbuf;

#define NHRP_TYPES 9     /* index by ar$op.type, 1..8 */
#define NHRP_ERR_RATE 10 /* Error Indications sent per second, at most */
#define NHRP_PENDING_MAX 256

/* Why a received NHRP packet was dropped (beyond decode reasons). */
#define NHRP_DROPS(X)                                     \
	X(BAD_GRE, "bad_gre_or_outer_header")             \
	X(AUTH, "authentication_failed")                  \
	X(HOP_COUNT, "hop_count_zero")                    \
	X(WRONG_ROLE, "type_not_for_this_role")           \
	X(UNSOLICITED, "unsolicited_reply")               \
	X(NOT_FROM_NHS, "indication_not_from_nhs")        \
	X(LOOP, "loop_detected")                          \
	X(NO_ROUTE, "no_route_to_destination")            \
	X(SEND_FAILED, "send_failed")                     \
	X(ERROR_RATE, "error_indication_not_sent_rate")   \
	X(PURGE_NOT_OWNER, "purge_not_from_owner")        \
	X(NOT_OWNER, "request_not_from_source_owner")     \
	X(SOURCE_CAP, "registrations_per_nbma_cap")       \
	X(REG_OUTSIDE, "registration_outside_tunnel")     \
	X(REG_UNIQUE, "registration_unique_address_held") \
	X(REG_FULL, "registration_cache_full")            \
	X(REG_RATE, "registration_rate_limited")          \
	X(REG_NOT_ALLOWED, "registration_not_allowed")    \
	X(SEND_QUOTA, "not_sent_quota")                   \
	X(REPLY_PREFIX, "reply_prefix_not_routed")

enum nhrp_drop {
#define NHRP_DROP_ENUM(e, name) NHRP_DROP_##e,
	NHRP_DROPS(NHRP_DROP_ENUM)
#undef NHRP_DROP_ENUM
		NHRP_DROP_COUNT
};

struct nhrp_stats {
	uint64_t st_sent[NHRP_TYPES];
	uint64_t st_recv[NHRP_TYPES];
	uint64_t st_err[NHRP_TYPES]; /* received but rejected */
	uint64_t st_decode[NHRP_DECODE_COUNT];
	uint64_t st_drop[NHRP_DROP_COUNT];
	uint64_t
		st_moved; /* unique bindings moved to a new NBMA address by the same IKE identity */
};

/* A spoke's view of one NHS (Cisco's "RE"/"E" states, FRR's "show ip nhrp
 * nhs"): PROBING from start until the first answer, UP while registered,
 * DOWN after NHRP_NHS_DOWN_TRIES unanswered requests or a holdtime without
 * a reply once up. Requests go on in every state but STANDBY: an NHS the
 * spoke does not need while tunnel.nhs-max-connections more preferred ones
 * are not down. */
enum nhrp_nhs_state {
	NHRP_NHS_PROBING,
	NHRP_NHS_UP,
	NHRP_NHS_DOWN,
	NHRP_NHS_STANDBY,
};

#define NHRP_NHS_DOWN_TRIES 3
/* Retries of an unanswered registration: 1, 2, 4 ... s, at most this or the
 * refresh interval (holdtime/3), whichever is shorter; FRR caps at 64 s,
 * Cisco settles near 60 s. Each wait is jittered by up to a quarter. */
#define NHRP_NHS_RETRY_MAX_S 60

struct nhrp_nhs {
	uint32_t ns_nbma;
	uint32_t ns_overlay;
	enum nhrp_nhs_state ns_state;
	uint32_t ns_reqid;         /* of the registration in flight */
	uint32_t ns_retry_s;       /* current back-off; 0 = next send is new */
	uint32_t ns_unanswered;    /* requests since the last reply */
	uint64_t ns_last_reply_ns; /* 0 = never answered */
	uint64_t ns_state_since_ns;
	uint64_t ns_requests;   /* sent, retransmissions included */
	uint64_t ns_replies;    /* success replies */
	uint64_t ns_refusals;   /* replies with a failure code */
	uint8_t ns_last_code;   /* CIE code of the last refusal */
	uint8_t ns_priority;    /* 0 = most preferred */
	uint64_t ns_surplus_ns; /* up but not needed since then; 0 = needed */
	struct timer ns_timer;
	struct nhrp *ns_nhrp;
};

/* A resolution we asked for and have no answer to yet. */
struct nhrp_pending {
	uint32_t pd_target; /* protocol address asked for */
	uint32_t pd_reqid;  /* 0 = free slot */
	uint8_t pd_tries;
	uint64_t pd_sent_ns;
};

struct nhrp {
	struct ctl *nh_ctl;
	bool nh_is_hub;
	uint8_t nh_phase;
	uint16_t nh_holdtime;
	uint16_t nh_reg_interval; /* seconds between a spoke's registrations */
	uint16_t nh_mtu;
	uint32_t nh_overlay; /* our tunnel address */
	uint8_t nh_overlay_len;
	uint32_t nh_nbma; /* our WAN address */
	uint8_t nh_auth_len;
	uint8_t nh_auth[NHRP_AUTH_PASSWORD_MAX];
	bool nh_unique;
	bool nh_behind_nat; /* an NHS saw us at another address */
	uint64_t nh_rand;   /* xorshift state: retry jitter, request IDs */
	/* Error Indications go to whatever source a bad packet claims: at
	 * most NHRP_ERR_RATE a second (bursts of as many), so that spoofed
	 * packets cannot turn the node into a reflector. Every NHRP packet
	 * sent: at most nh_send_rate a second (limits.nhrp-send-rate). */
	struct nhrp_bucket {
		uint64_t nb_tokens_ns; /* the bucket, as time: a token is 1 s / rate */
		uint64_t nb_last_ns;
	} nh_err_bucket, nh_send_bucket;
	uint32_t nh_send_rate;     /* 0 = no limit */
	uint64_t nh_send_log_ns;   /* last line about the send quota */
	uint64_t nh_send_unlogged; /* packets not sent since that line */
	uint64_t nh_auth_log_ns;   /* last authentication-failure log line */
	uint64_t nh_auth_unlogged; /* failures since that line */
	uint16_t nh_reg_hold_max;  /* hub: the longest holding time granted */
	uint32_t nh_src_max;       /* hub: registrations from one NBMA; 0 = any */
	unsigned nh_n_allow;       /* hub: tunnel.registration-allow; 0 = any */
	struct cfg_reg_allow nh_allow[CFG_MAX_REG_ALLOW];
	struct src_rate nh_reg_rate; /* hub: registrations a second per NBMA */
	struct nhrp_log_limit {
		uint64_t ll_second; /* the clock second of the lines counted */
		uint32_t ll_lines;  /* lines logged in it */
		uint64_t ll_unlogged;
	} nh_reg_log; /* the hub's lines about registrations */
	struct nhrp_hooks nh_hooks;
	unsigned nh_n_nhs;
	struct nhrp_nhs nh_nhs[CFG_MAX_NHS];
	unsigned nh_n_maps; /* static bindings: tunnel.maps */
	struct cfg_nhrp_map nh_maps[CFG_MAX_MAPS];
	struct nhrp_pending nh_pending[NHRP_PENDING_MAX];
	struct timer nh_pending_timer;
	uint8_t nh_nhs_max;            /* NHSes kept registered at once */
	uint16_t nh_nhs_fallback_s;    /* how long a surplus NHS that is up stays */
	struct timer nh_balance_timer; /* when a surplus NHS is let go */
	struct nhrp_stats nh_stats;
};

/* nhrp.c */
int nhrp_init(struct ctl *ct, const struct cfg *cfg, const struct nhrp_hooks *hooks);
/* What may change while it runs: the holding time we announce (from the
 * next registration or reply on) and the authentication password (from
 * the next packet on). */
void nhrp_reconfigure(struct nhrp *nh, const struct cfg_tunnel *t);
/* The DMVPN phase changed while the node runs. */
void nhrp_set_phase(struct nhrp *nh, uint8_t phase);
/* tunnel.registration-interval, or holdtime / 3 when it is not set. */
uint16_t nhrp_reg_interval(const struct cfg_tunnel *t);
void nhrp_fini(struct ctl *ct);
/* A spoke starts registering. */
void nhrp_start(struct ctl *ct);
/* At a clean stop: purge our bindings at the NHS and at shortcut peers. */
void nhrp_stop(struct ctl *ct);
/* PUNT_NHRP: m is Ethernet + outer IPv4 + GRE + NHRP (consumes m). */
void nhrp_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m);
/* Worker events: a hub hairpin (phase 3) and a spoke's cache miss. */
void nhrp_event(struct ctl *ct, const struct dp_event *ev);
/* Purge Request/Reply handling (both roles). */
void nhrp_purge_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma);
const char *nhrp_drop_name(enum nhrp_drop d);
/* The next value of the engine's xorshift64 generator (not for keys). */
static inline uint64_t nhrp_rand(struct nhrp *nh);
/* A request ID: never 0 (a free slot), and not the last one plus one: a
 * peer that saw one of our requests (the hub forwards them) cannot tell
 * the next. */
static inline uint32_t nhrp_reqid_next(struct nhrp *nh)
{
	uint32_t id;

	do
		id = (uint32_t)((nhrp_rand(nh) * 0x2545f4914f6cdd1dull) >> 32);
	while (id == 0);
	return id;
}
static inline uint64_t nhrp_rand(struct nhrp *nh)
{
	uint64_t x = nh->nh_rand;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	nh->nh_rand = x;
	return x;
}

/* nhrp_send.c */
/* Fill the parts every packet we originate shares: version, hop count,
 * our NBMA and protocol addresses, the Cisco NAT flag, authentication. */
void nhrp_msg_prepare(struct nhrp *nh, struct nhrp_msg *m, uint8_t type);
void nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type);
/* A reply of `type` to req: prepared as above, with req's flags, request
 * ID, addresses and CIEs (RFC 2332 5.2.2/5.2.4/5.2.6 replies echo them). */
void nhrp_msg_reply_init(struct nhrp *nh, struct nhrp_msg *r, uint8_t type,
			 const struct nhrp_msg *req);
/* debug nhrp: one line for a message sent or received (dir "sent" or
 * "received"), when that level is on. */
void nhrp_debug(const char *dir, const struct nhrp_msg *m, uint32_t nbma);
/* Encode and send to an NBMA address; counted. 0 or -errno. */
int nhrp_send(struct nhrp *nh, const struct nhrp_msg *m, uint32_t nbma);
/* Error Indication (5.2.7) about `pkt` back to its sender. */
void nhrp_send_error(struct nhrp *nh, const struct nhrp_msg *about, const uint8_t *pkt,
		     uint16_t len, uint16_t code, uint16_t offset, uint32_t nbma);

/* nhrp_respond.c */
/* Whether `addr` is ours to answer for: the tunnel address or a LAN
 * prefix; sets *plen to the covering prefix length. */
bool nhrp_is_local(struct nhrp *nh, uint32_t addr, uint8_t *plen);
/* Answer a Resolution Request as the authoritative responder: to the
 * requester, or back to from_nbma while ESP has no SA with it. */
void nhrp_resolution_answer(struct nhrp *nh, const struct nhrp_msg *req, uint8_t plen,
			    uint32_t from_nbma);

/* nhrp_nhc.c (spoke) */
const char *nhrp_nhs_state_name(enum nhrp_nhs_state st);
void nhrp_nhc_start(struct nhrp *nh);
/* The spoke's NHS list is now t's; how many NHSes came and went. */
void nhrp_nhc_nhs_update(struct nhrp *nh, const struct cfg_tunnel *t, unsigned *added,
			 unsigned *removed);
void nhrp_nhc_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma,
		    const uint8_t *pkt, uint16_t len);
/* Ask the NHS for `target` (no-op while one is pending or cached). */
void nhrp_nhc_resolve(struct nhrp *nh, uint32_t target);
/* The SA towards nbma changed: an NHS there that is not up registers at
 * once instead of at its next retry (an NHS that restarted is back as
 * soon as IKE-lite has a new SA with it). */
void nhrp_nhc_sa_changed(struct nhrp *nh, uint32_t nbma);

/* nhrp_nhs.c (hub) */
void nhrp_nhs_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma,
		    const uint8_t *pkt, uint16_t len);
void nhrp_nhs_redirect(struct nhrp *nh, const struct dp_event *ev);

#endif
