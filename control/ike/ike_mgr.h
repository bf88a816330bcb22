/* IKE-lite's table of IKE SAs: finds the SA a received message belongs to
 * (by our SPI), makes responder SAs for new IKE_SA_INIT requests within
 * the configured caps, starts initiator SAs, frees dead ones, counts every
 * message it drops by reason. No I/O: the caller hands it UDP payloads and
 * a struct ike_env for what goes out. Runs on: the control thread. */
#ifndef DMVPND_IKE_MGR_H
#define DMVPND_IKE_MGR_H

#include <stdint.h>

#include "ike_guard.h"
#include "ike_sa.h"

/* Why a received UDP payload went nowhere. */
#define IKE_MGR_DROPS(X)                                             \
	X(KEEPALIVE, "natt_keepalive") /* 0xff on 4500: not IKE */   \
	X(NO_MARKER, "non_esp_marker_missing")                       \
	X(DECODE, "malformed") /* see the decode reasons */          \
	X(UNKNOWN_SPI, "unknown_ike_spi")                            \
	X(WRONG_PEER, "spi_from_another_address")                    \
	X(HALF_OPEN_LIMIT, "half_open_limit")                        \
	X(SA_LIMIT, "ike_sa_limit")                                  \
	X(NOT_INIT, "no_sa_for_non_init_request")                    \
	X(COOKIE_SENT, "answered_with_cookie") /* under load, 2.6 */ \
	X(BAD_COOKIE, "wrong_or_stale_cookie")                       \
	X(RATE_LIMITED, "source_rate_limited")

enum ike_mgr_drop {
#define IKE_MGR_DROP_ENUM(e, n) IKE_MGR_DROP_##e,
	IKE_MGR_DROPS(IKE_MGR_DROP_ENUM)
#undef IKE_MGR_DROP_ENUM
		IKE_MGR_DROP_COUNT
};

struct ike_mgr_stats {
	uint64_t ms_rx; /* UDP payloads handed in */
	uint64_t ms_drop[IKE_MGR_DROP_COUNT];
	uint64_t ms_decode[IKE_DECODE_COUNT]; /* by decode reason */
	uint64_t ms_created, ms_established, ms_dead;
	uint64_t ms_dead_by[IKE_ERR_COUNT]; /* why SAs ended */
	uint64_t ms_twins;                  /* crossed SAs we deleted (one kept) */
};

#define IKE_MGR_NO_COOKIE UINT32_MAX

struct ike_mgr_limits {
	uint32_t ml_max_sas;          /* IKE SAs of any state */
	uint32_t ml_max_half_open;    /* responder SAs not yet authenticated */
	uint32_t ml_cookie_threshold; /* half-open SAs from which a COOKIE is asked:
				       * 0 always, IKE_MGR_NO_COOKIE never */
	uint32_t ml_rate;             /* new IKE SAs per second per source; 0 = any */
	uint32_t ml_burst;
};

struct ike_mgr_node;
struct ike_mgr {
	struct ike_conf mg_conf;
	struct ike_env mg_env;                               /* the caller's, sa_changed ours */
	void (*mg_sa_changed)(void *ctx, struct ike_sa *sa); /* the caller's */
	struct ike_mgr_limits mg_limits;
	uint32_t mg_n_sas, mg_n_half_open;
	uint32_t mg_nbuckets; /* power of two */
	struct ike_mgr_node **mg_by_spi;
	struct ike_mgr_node **mg_by_peer; /* the same buckets, by remote address */
	bool mg_twins;                    /* crossed SAs wait for ike_mgr_reap() */
	struct ike_mgr_node *mg_all;      /* every SA, dead ones until reaped */
	struct ike_mgr_stats mg_stats;
	struct ike_guard mg_guard;
};

/* ike_mgr.c */
struct ike_mgr *ike_mgr_create(const struct ike_conf *conf, const struct ike_env *env,
			       const struct ike_mgr_limits *lim);
/* Every SA destroyed (children removed), then the table. */
void ike_mgr_destroy(struct ike_mgr *mg);
/* New proposals, lifetimes, credentials: what SAs read from here on (their
 * next exchange, rekey or liveness check); nothing is torn down. */
void ike_mgr_reconfigure(struct ike_mgr *mg, const struct ike_conf *conf);
/* A UDP payload to our port 500 or 4500 from src:sport (host order). */
void ike_mgr_input(struct ike_mgr *mg, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		   const uint8_t *payload, size_t len);
/* A new initiator SA from local to remote (IKE_SA_INIT sent), or NULL. */
struct ike_sa *ike_mgr_initiate(struct ike_mgr *mg, uint32_t local, uint32_t remote);
/* The live SA with this peer address that is or will be established
 * (newest first), or NULL. */
struct ike_sa *ike_mgr_find_peer(struct ike_mgr *mg, uint32_t remote);
/* Deletes every live SA with this peer address (a Delete to the peer for
 * each established one); how many. Crossed starts leave two when the peer
 * keeps both, and a lookup by peer finds only the newest. */
unsigned ike_mgr_delete_peer(struct ike_mgr *mg, uint32_t remote, enum ike_sa_error why);
/* Frees the SAs that died since the last call; deletes our SA of a
 * crossed pair (both sides started one at once) when it is ours to go. */
void ike_mgr_reap(struct ike_mgr *mg);
/* Visits every SA that is not dead. */
void ike_mgr_walk(struct ike_mgr *mg, void (*fn)(struct ike_sa *sa, void *arg), void *arg);
/* The same for the SAs with one peer address. */
void ike_mgr_walk_peer(struct ike_mgr *mg, uint32_t remote,
		       void (*fn)(struct ike_sa *sa, void *arg), void *arg);
const char *ike_mgr_drop_name(enum ike_mgr_drop d);

#endif
