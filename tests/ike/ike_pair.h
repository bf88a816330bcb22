/* Two IKE-lite nodes in one process, A and B, joined by an in-memory
 * network: what one sends is queued until the caller delivers it. The
 * dataplane side (CHILD_SA install/remove) does nothing. For benchmarks and
 * fuzz targets that drive the real ike_mgr/ike_sa code; the caller owns the
 * clock, the timers and when messages move. */
#ifndef DMVPND_TESTS_IKE_PAIR_H
#define DMVPND_TESTS_IKE_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_mgr.h"

#define IKE_PAIR_A 0xc6336401u
#define IKE_PAIR_B 0xc6336402u
#define IKE_PAIR_QUEUE 32

struct ike_pair;

struct ike_pair_node {
	struct ike_pair *pn_pair;
	struct ike_mgr *pn_mgr;
	struct ike_env pn_env;
	const struct ike_conf *pn_conf; /* its own, or NULL for the pair's ip_conf */
	uint32_t pn_next_spi;
	uint64_t pn_established; /* SAs that reached ESTABLISHED */
};

struct ike_pair {
	struct clock ip_ck;
	struct timer_heap ip_th;
	struct ike_conf ip_conf;
	struct ike_policy ip_policy; /* both nodes': the PSK in po_psk */
	struct ike_pair_node ip_a, ip_b;
	uint8_t ip_q[IKE_PAIR_QUEUE][IKE_MSG_BUF];
	size_t ip_qlen[IKE_PAIR_QUEUE];
	uint32_t ip_qdst[IKE_PAIR_QUEUE];
	unsigned ip_nq; /* a full queue drops what is sent */
};

/* A node's ike_mgr with its first CHILD_SA SPI `spi`; -1 without memory. */
int ike_pair_node_make(struct ike_pair *p, struct ike_pair_node *n, uint32_t spi,
		       const struct ike_mgr_limits *lim);
/* Takes the oldest queued message into buf (IKE_MSG_BUF bytes); false when
 * the queue is empty. */
bool ike_pair_next(struct ike_pair *p, uint8_t *buf, size_t *len, uint32_t *dst);
/* Hands a message taken with ike_pair_next to the node at dst. */
void ike_pair_deliver(struct ike_pair *p, const uint8_t *buf, size_t len, uint32_t dst);

#endif
