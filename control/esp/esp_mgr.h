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
	uint32_t ep_refs;              /* NHRP entries using it */
	struct esp_sa *ep_in, *ep_out; /* NULL until IKE-lite installs them */
	struct esp_sa *ep_in_prev;     /* keying: ike: the inbound SA a rekey replaced */
	uint64_t ep_created_ns;
	struct timer ep_idle;      /* unreferenced pairs go after a while */
	struct timer ep_keepalive; /* NAT-T keepalives (RFC 3948 2.3) */
	uint16_t ep_natt_port;     /* peer's UDP port when NAT-T is on, else 0 */
	struct ctl *ep_ctl;
};

/* What the SA store tells the layers above it. It calls none of them: the
 * node hands these over at init (node.c), so that calls go one way, from
 * NHRP, IKE-lite and the output path down to the SAs. Any may be NULL. */
struct esp_mgr_hooks {
	/* The outbound SA towards nbma changed (installed, replaced, moved to
	 * NAT-T, removed): whatever sends there takes the new one. */
	void (*eh_sa_changed)(struct ctl *ct, uint32_t nbma);
	/* keying: ike: SAs with nbma are needed, or no longer used; the SA of
	 * inbound SPI spi reached its soft lifetime. */
	void (*eh_keying_want)(struct ctl *ct, uint32_t nbma);
	void (*eh_keying_release)(struct ctl *ct, uint32_t nbma);
	void (*eh_keying_rekey)(struct ctl *ct, uint32_t spi);
	/* A UDP datagram out (NAT-T keepalives); 0 or -errno. */
	int (*eh_udp_send)(struct ctl *ct, uint32_t src, uint32_t dst, uint16_t sport,
			   uint16_t dport, const void *payload, uint16_t len);
};

struct esp_mgr {
	struct esp_mgr_hooks em_hooks;
	const struct cfg_esp *em_cfg;
	uint32_t em_self;          /* our NBMA address */
	bool em_one_sender;        /* one worker: outbound SAs without atomics */
	struct crypto_mb em_cx;    /* the control thread's own manager */
	struct rte_hash *em_pairs; /* nbma -> struct esp_pair * */
	FILE *em_keylog;
	uint64_t em_created, em_destroyed, em_failed, em_tx_dropped, em_keepalives;
};

/* esp_mgr.c */
int esp_mgr_init(struct ctl *ct, const struct cfg *cfg, const struct esp_mgr_hooks *hooks);
void esp_mgr_fini(struct ctl *ct);
/* A reference on the SA pair towards nbma (made if needed) until
 * esp_mgr_unref, and its outbound SA in *sa: NULL while IKE-lite is still
 * negotiating it (keying: ike). false when no pair can be had. */
bool esp_mgr_ref(struct ctl *ct, uint32_t nbma, const struct esp_sa **sa);
void esp_mgr_unref(struct ctl *ct, uint32_t nbma);
/* Whether SAs with nbma are wanted (a peer entry uses them) and missing. */
bool esp_mgr_needed(struct ctl *ct, uint32_t nbma);
/* The outbound SA towards nbma without taking a reference; NULL if none. */
const struct esp_sa *esp_mgr_ref_peek(struct ctl *ct, uint32_t nbma);
/* Worker events: an unknown SPI from nbma (make the pair, unreferenced),
 * an SA at a lifetime limit. */
void esp_mgr_event(struct ctl *ct, const struct dp_event *ev);
/* Encrypt a packet the control thread sends (Ethernet gap + IPv4 + GRE)
 * towards nbma. 0, or -errno with m freed. */
int esp_mgr_encrypt(struct ctl *ct, struct rte_mbuf *m, uint32_t nbma);
void esp_mgr_show(struct ctl *ct, struct strbuf *out);
/* keying: ike. One CHILD_SA IKE-lite negotiated with nbma. */
struct esp_child_keys {
	uint32_t ck_spi_in, ck_spi_out;
	enum cfg_esp_alg ck_alg;
	bool ck_esn;
	const uint8_t *ck_key_in, *ck_key_out; /* KEYMAT per RFC 7296 2.17 */
	bool ck_natt;                          /* ESP in UDP (RFC 3948) */
	uint16_t ck_natt_port;                 /* the peer's port for it */
	bool ck_in_only; /* the outbound SA waits for esp_mgr_child_activate */
	/* Tunnel mode: GRE in an IPv4 header between the addresses of the
	 * traffic selectors, ours and the peer's (host order). */
	bool ck_tunnel;
	uint32_t ck_ts_local, ck_ts_remote;
};
/* Make before break: the new inbound SA is live, then the outbound one
 * replaces the old, and the NHRP entries towards nbma are republished.
 * The replaced inbound SA stays until esp_mgr_child_remove. 0 or -errno. */
int esp_mgr_child_install(struct ctl *ct, uint32_t nbma, const struct esp_child_keys *k);
/* A CHILD_SA installed inbound only starts sending: its outbound SA
 * replaces the one in use, the NHRP entries are republished. */
int esp_mgr_child_activate(struct ctl *ct, uint32_t nbma, const struct esp_child_keys *k);
/* The SAs of one CHILD_SA go (RCU, keys wiped); with nothing left and NHRP
 * entries still using nbma, IKE-lite is asked for a new one. */
void esp_mgr_child_remove(struct ctl *ct, uint32_t nbma, uint32_t spi_in, uint32_t spi_out);

/* The path to nbma is NATed (NHRP's NAT extension, or ESP-in-UDP seen from
 * port `port`): send to it in UDP 4500 from now on. No-op with
 * nat-traversal: off, or when already so. */
void esp_mgr_natt(struct ctl *ct, uint32_t nbma, uint16_t port);

#endif
