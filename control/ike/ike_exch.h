/* IKE-lite internals shared by the exchange files (ike_exch_*.c) and the SA
 * core: one handler per exchange and role, and the helpers they share. Not
 * for use outside control/ike. */
#ifndef DMVPND_IKE_EXCH_H
#define DMVPND_IKE_EXCH_H

#include "ike_sa.h"

/* ike_sa.c */
void ike_sa_dpd_arm(struct ike_sa *sa);

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
/* Our identity: the configured one, or our IPv4 address. */
void ike_local_ident(const struct ike_sa *sa, struct ike_ident *id);

/* ike_exch_info.c: INFORMATIONAL (1.4, 2.4) and CREATE_CHILD_SA (1.3) */
void ike_info_request(struct ike_sa *sa, struct ike_msg *m);
void ike_create_request(struct ike_sa *sa, struct ike_msg *m);
void ike_create_response(struct ike_sa *sa, struct ike_msg *m);

/* ike_child.c: CHILD_SA selectors, keys and installation (1.3, 2.9, 2.17) */
/* Whether the peer's TSi/TSr allow GRE between the two addresses. */
bool ike_child_ts_ok(const struct ike_sa *sa, const struct ike_msg *m);
/* TSi/TSr for GRE between the SA's addresses into m (inner chain). */
void ike_child_ts_add(const struct ike_sa *sa, struct ike_msg *m);
/* Keys (2.17) for a child negotiated in this exchange, then installed.
 * 0 or -errno (the child is not kept then). */
int ike_child_make(struct ike_sa *sa, const struct ike_esp_prop *p, uint32_t spi_in,
		   uint32_t spi_out, bool tunnel);

#endif
