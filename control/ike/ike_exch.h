/* IKE-lite internals shared by the exchange files (ike_exch_*.c) and the SA
 * core: one handler per exchange and role, and the helpers they share. Not
 * for use outside control/ike. */
#ifndef DMVPND_IKE_EXCH_H
#define DMVPND_IKE_EXCH_H

#include "ike_sa.h"

/* ike_sa_state.c */
void ike_sa_dpd_arm(struct ike_sa *sa);
/* Re-arms the lifetime timer for the earliest rekey or expiry. */
void ike_sa_lifetime_arm(struct ike_sa *sa);

/* ike_sa_out.c */
void ike_sa_retransmit_timer(struct timer *t, void *arg);

/* ike_exch_init.c: IKE_SA_INIT (1.2, 2.6, 2.23) */
int ike_init_start(struct ike_sa *sa);
void ike_init_request(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len);
void ike_init_response(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len);

/* ike_exch_auth.c: IKE_AUTH with the first CHILD_SA (1.2, 2.15) */
int ike_auth_start(struct ike_sa *sa);
void ike_auth_request(struct ike_sa *sa, struct ike_msg *m);
void ike_auth_response(struct ike_sa *sa, struct ike_msg *m);
/* The ID payload body (type, 3 reserved octets, data) the AUTH covers. */
size_t ike_id_body(const struct ike_ident *id, uint8_t *out, size_t cap);
/* A CERTREQ naming our CAs (3.7) into m when we have certificates; buf
 * holds its data until m is encoded. */
void ike_certreq_add(const struct ike_sa *sa, struct ike_msg *m, bool inner,
		     uint8_t buf[IKE_CERT_MAX_CA * IKE_CERT_HASH_LEN]);

/* ike_exch_info.c: INFORMATIONAL (1.4, 2.4) */
void ike_info_request(struct ike_sa *sa, struct ike_msg *m);
void ike_info_response(struct ike_sa *sa, struct ike_msg *m);
/* Our Delete of children (by inbound SPI); they go when it is answered. */
int ike_info_delete_children(struct ike_sa *sa, const uint32_t *spi_in, unsigned n);

/* ike_exch_create.c: CREATE_CHILD_SA (1.3) */
void ike_create_request(struct ike_sa *sa, struct ike_msg *m);
void ike_create_response(struct ike_sa *sa, struct ike_msg *m, enum ike_req_kind kind);
int ike_rekey_child_start(struct ike_sa *sa, unsigned idx);
int ike_rekey_ike_start(struct ike_sa *sa);

/* ike_child.c: CHILD_SA selectors, keys and installation (1.3, 2.9, 2.17) */
/* Whether the peer's TSi/TSr allow GRE between the two addresses. */
bool ike_child_ts_ok(const struct ike_sa *sa, const struct ike_msg *m);
/* TSi/TSr for GRE between the SA's addresses into m (inner chain). */
void ike_child_ts_add(const struct ike_sa *sa, struct ike_msg *m);
/* After ike_child_ts_ok: the peer's own address in its selectors (see
 * ch_ts_remote), or 0 for its IKE address. */
uint32_t ike_child_ts_peer(const struct ike_sa *sa, const struct ike_msg *m);
/* The nonces of the exchange that makes a child, and who started it:
 * KEYMAT's first half protects what that exchange's initiator sends
 * (2.17), whichever side made the IKE SA. */
struct ike_child_seed {
	const uint8_t *cs_ni, *cs_nr;
	uint8_t cs_ni_len, cs_nr_len;
	const uint8_t *cs_gir; /* the new g^ir of a rekey with PFS, else NULL */
	size_t cs_gir_len;
	bool cs_we_initiated;
	bool cs_defer_out;   /* the responder of a rekey: inbound first */
	uint32_t cs_ts_peer; /* ch_ts_remote; 0: the peer's IKE address */
};
/* Keys (2.17) for a child negotiated in this exchange, then installed, with
 * its lifetimes set. 0 or -errno (the child is not kept then). */
int ike_child_make(struct ike_sa *sa, const struct ike_esp_prop *p, uint32_t spi_in,
		   uint32_t spi_out, bool tunnel, const struct ike_child_seed *seed);
/* The seed of IKE_AUTH: the IKE SA's own nonces. */
void ike_child_seed_auth(const struct ike_sa *sa, struct ike_child_seed *seed);
/* Index of the child with this inbound / outbound SPI, or -1. */
int ike_child_by_in(const struct ike_sa *sa, uint32_t spi);
int ike_child_by_out(const struct ike_sa *sa, uint32_t spi);
/* Removes child i from the dataplane and the SA. */
void ike_child_drop(struct ike_sa *sa, unsigned i);
/* A random point in [90 %, 97 %) of `life_s` after `from`: soft lifetimes
 * drift apart, so that the two sides seldom rekey at the same time. */
uint64_t ike_lifetime_soft(uint64_t from, uint32_t life_s);
/* When a refused or failed rekey is tried again: a random 1 s to
 * IKE_REKEY_RETRY_S from now, so that two sides whose rekeys collided
 * (each answered TEMPORARY_FAILURE) do not collide again. */
uint64_t ike_rekey_retry_at(uint64_t now);

#endif
