/* ESP SAs on the control thread: one inbound/outbound pair per peer NBMA
 * address, made from the config's keying (static or lab group key) until
 * IKE-lite drives it, installed in the workers' SPI table and hung off the
 * peer entries; retired through RCU, keys wiped. */
#ifndef DMVPND_ESP_MGR_H
#define DMVPND_ESP_MGR_H

#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>

#include "cfg.h"
#include "crypto_mb.h"
#include "timer.h"

struct ctl;
struct dp_event;
struct esp_sa;
struct strbuf;

struct esp_pair {
	uint32_t ep_nbma;
	uint32_t ep_refs;        /* NHRP entries using it */
	struct esp_sa *ep_in, *ep_out;
	uint64_t ep_created_ns;
	struct timer ep_idle;    /* unreferenced pairs go after a while */
	struct timer ep_keepalive; /* NAT-T keepalives (RFC 3948 2.3) */
	uint16_t ep_natt_port;   /* peer's UDP port when NAT-T is on, else 0 */
	struct ctl *ep_ctl;
};

struct esp_mgr {
	const struct cfg_esp *em_cfg;
	uint32_t em_self;            /* our NBMA address */
	bool em_one_sender;          /* one worker: outbound SAs without atomics */
	struct crypto_mb em_cx;      /* the control thread's own manager */
	struct rte_hash *em_pairs;   /* nbma -> struct esp_pair * */
	FILE *em_keylog;
	uint64_t em_created, em_destroyed, em_failed, em_tx_dropped, em_keepalives;
};

/* esp_mgr.c */
int esp_mgr_init(struct ctl *ct, const struct cfg *cfg);
void esp_mgr_fini(struct ctl *ct);
/* The outbound SA towards nbma, making the pair if needed; counted as a
 * reference until esp_mgr_unref. NULL when no SA can be had. */
const struct esp_sa *esp_mgr_ref(struct ctl *ct, uint32_t nbma);
void esp_mgr_unref(struct ctl *ct, uint32_t nbma);
/* The outbound SA towards nbma without taking a reference; NULL if none. */
const struct esp_sa *esp_mgr_ref_peek(struct ctl *ct, uint32_t nbma);
/* Worker events: an unknown SPI from nbma (make the pair, unreferenced),
 * an SA at a lifetime limit. */
void esp_mgr_event(struct ctl *ct, const struct dp_event *ev);
/* Encrypt a packet the control thread sends (Ethernet gap + IPv4 + GRE)
 * towards nbma. 0, or -errno with m freed. */
int esp_mgr_encrypt(struct ctl *ct, struct rte_mbuf *m, uint32_t nbma);
void esp_mgr_show(struct ctl *ct, struct strbuf *out);
/* The path to nbma is NATed (NHRP's NAT extension, or ESP-in-UDP seen from
 * port `port`): send to it in UDP 4500 from now on. No-op with
 * nat-traversal: off, or when already so. */
void esp_mgr_natt(struct ctl *ct, uint32_t nbma, uint16_t port);

#endif
