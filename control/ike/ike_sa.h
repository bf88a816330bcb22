/* IKE-lite: one IKE SA and its CHILD_SAs as a state machine (RFC 7296) with
 * no I/O of its own. Messages come in decoded by ike_mgr; what goes out,
 * which keys to install and which SPIs to use go through struct ike_env;
 * time comes from the control thread's clock and timer heap, so tests drive
 * it with a fake clock and a fake network.
 *
 *   initiator                                   responder
 *   INIT_SENT   -- IKE_SA_INIT req (SA KE Ni N) -->
 *               <-- IKE_SA_INIT resp (SA KE Nr N) --    INIT_DONE
 *   AUTH_SENT   -- IKE_AUTH req SK{IDi AUTH SA TSi TSr} -->
 *               <-- IKE_AUTH resp SK{IDr AUTH SA TSi TSr} -- ESTABLISHED
 *   ESTABLISHED
 *
 * Either side then sends INFORMATIONAL requests (liveness checks, Delete)
 * and CREATE_CHILD_SA requests (rekeying). Each side has one request of its
 * own in flight at a time (window size 1, 2.3) and answers the peer's in
 * order, repeating the cached answer to a retransmitted request. */
#ifndef DMVPND_IKE_SA_H
#define DMVPND_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "clock.h"
#include "ike_crypto.h"
#include "ike_ident.h"
#include "ike_policy.h"
#include "ike_msg.h"
#include "timer.h"

#define IKE_MAX_PROPOSALS 8
#define IKE_NONCE_LEN 32     /* ours: at least half the largest PRF key */
#define IKE_MSG_BUF 6144     /* largest message we build or accept */
#define IKE_MAX_CHILD 4      /* current and rekeyed, per direction pair */
#define IKE_REKEY_RETRY_S 10 /* a refused or failed rekey is tried again */
#define IKE_FRAG_MAX 16      /* fragments of one message (RFC 7383), either way */
#define IKE_WIRE_BUF (IKE_MSG_BUF + IKE_FRAG_MAX * 128) /* all of its fragments */

/* One IKE SA proposal of ours: ENCR with key length, PRF, INTEG (none with
 * AES-GCM), DH group. */
struct ike_ike_prop {
	struct ike_crypto_suite ip_suite;
	enum ike_crypto_dh ip_dh;
};

/* One ESP proposal: the dataplane algorithm, ESN, and the DH group of a
 * rekey with PFS (0: none; ours are configured without, the group is the
 * exchange's). */
struct ike_esp_prop {
	enum cfg_esp_alg ep_alg;
	bool ep_esn;
	uint16_t ep_dh;
};

/* What the node configured for IKE-lite (built from cfg by the glue). */
struct ike_conf {
	uint8_t ic_n_ike;
	struct ike_ike_prop ic_ike[IKE_MAX_PROPOSALS]; /* ours, preferred first */
	uint8_t ic_n_esp;
	struct ike_esp_prop ic_esp[IKE_MAX_PROPOSALS];
	bool ic_tunnel;                     /* CHILD_SAs in tunnel mode, else transport */
	uint16_t ic_pfs;                    /* DH group of our CHILD_SA rekeys; 0 = no PFS */
	const struct ike_policy *ic_policy; /* identities, keys, certificates */
	uint32_t ic_ike_lifetime_s;         /* IKE SA rekey after this (with jitter) */
	uint32_t ic_child_lifetime_s;
	uint32_t ic_dpd_s;           /* liveness check after this much silence; 0 off */
	uint32_t ic_retransmit_ms;   /* first retransmission; doubles each time */
	uint8_t ic_retransmit_tries; /* then the peer is declared dead */
	uint16_t ic_replay_window;   /* handed to the ESP SAs */
};

enum ike_sa_state {
	IKE_SA_INIT_SENT, /* initiator: IKE_SA_INIT request out */
	IKE_SA_AUTH_SENT, /* initiator: IKE_AUTH request out */
	IKE_SA_INIT_DONE, /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING, /* our Delete of the IKE SA is out */
	IKE_SA_DEAD,     /* keys gone; ike_mgr frees it */
};

/* What our one request in flight is for: its answer is handled by kind. */
enum ike_req_kind {
	IKE_REQ_NONE,
	IKE_REQ_INIT,
	IKE_REQ_AUTH,
	IKE_REQ_LIVENESS, /* empty INFORMATIONAL */
	IKE_REQ_DELETE_IKE,
	IKE_REQ_DELETE_CHILD, /* Delete of sa_rk_del[] */
	IKE_REQ_REKEY_CHILD,
	IKE_REQ_REKEY_IKE,
};

/* One CHILD_SA (an ESP SA pair). SPIs in host order. */
struct ike_child {
	uint32_t ch_spi_in;  /* ours: the peer sends with it */
	uint32_t ch_spi_out; /* the peer's */
	struct ike_esp_prop ch_prop;
	bool ch_tunnel;
	/* The peer's address as its traffic selector names it: its IKE
	 * address, or behind a NAT the one it knows itself by (2.23.1),
	 * which the IPv4 header inside tunnel-mode ESP carries. */
	uint32_t ch_ts_remote;
	bool ch_installed;
	bool ch_rekeyed;      /* replaced, kept until its Delete completes */
	bool ch_out_deferred; /* inbound only until the child it replaces goes */
	uint8_t ch_keylen;    /* KEYMAT octets per direction */
	uint8_t ch_key_in[CFG_KEY_MAX];
	uint8_t ch_key_out[CFG_KEY_MAX];
	uint64_t ch_created_ns;
	uint64_t ch_rekey_ns;  /* soft lifetime: when we start the rekey */
	uint64_t ch_expire_ns; /* hard lifetime: deleted if still here */
};

/* The world a state machine talks to. Runs on: the control thread. */
struct ike_sa;
struct ike_env {
	void *ie_ctx;
	struct clock *ie_clock;
	struct timer_heap *ie_timers;
	/* One IKE message to dst:dport from src:sport. ike_env adds the
	 * non-ESP marker when either port is 4500. 0 or -errno. */
	int (*ie_send)(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		       const uint8_t *msg, size_t len);
	/* A fresh inbound ESP SPI, unique on this node; 0 or -errno. */
	int (*ie_spi_alloc)(void *ctx, uint32_t *spi);
	/* Install / remove a CHILD_SA in the dataplane. Install makes the
	 * inbound SA live and then, unless ch_out_deferred, publishes the
	 * outbound one (make before break); remove retires both. 0 or -errno. */
	int (*ie_child_install)(void *ctx, struct ike_sa *sa, const struct ike_child *ch);
	/* A child installed inbound only (ch_out_deferred: the responder of
	 * a rekey, 1.3.3) starts sending: its outbound SA replaces the one
	 * in use. */
	void (*ie_child_activate)(void *ctx, struct ike_sa *sa, const struct ike_child *ch);
	void (*ie_child_remove)(void *ctx, struct ike_sa *sa, const struct ike_child *ch);
	/* The SA became ESTABLISHED or DEAD. */
	void (*ie_sa_changed)(void *ctx, struct ike_sa *sa);
	/* Filled in by ike_mgr, which keeps the SAs (the owner leaves them
	 * NULL): a new SA beside old (same peer and owner) for an IKE SA
	 * rekey, listed under our SPI spi, NULL on ENOMEM; whether another
	 * SA with sa's peer is alive (being made or established). */
	struct ike_sa *(*ie_sa_new)(struct ike_sa *old, bool initiator,
				    const uint8_t spi[IKE_SPI_LEN]);
	bool (*ie_peer_has_other)(const struct ike_sa *sa);
};

/* Why an IKE SA (or one of its messages) failed; one counter each. */
#define IKE_SA_ERRORS(X)                                                          \
	X(NONE, "none")                                                           \
	X(NO_PROPOSAL, "no_proposal_chosen")                                      \
	X(INVALID_KE, "invalid_ke_payload")                                       \
	X(AUTH_FAILED, "authentication_failed")                                   \
	X(PEER_AUTH_FAILED, "peer_refused_authentication")                        \
	X(TS_UNACCEPTABLE, "ts_unacceptable")                                     \
	X(BAD_MESSAGE, "malformed_message")                                       \
	X(BAD_DH, "bad_key_exchange")                                             \
	X(TIMEOUT, "peer_not_answering")                                          \
	X(DELETED, "deleted_by_peer")                                             \
	X(REPLACED, "replaced_peer_restarted") /* INITIAL_CONTACT, 2.4 */         \
	X(LOCAL, "deleted_locally")                                               \
	X(DUPLICATE, "duplicate_of_crossed_start") /* both started one at once */ \
	X(NO_SPI, "no_spi")                                                       \
	X(INSTALL, "child_install_failed")                                        \
	X(CRYPTO, "crypto_failure")                                               \
	X(CERT, "certificate_refused")      /* chain, validity, CRL or ID */      \
	X(NO_CREDENTIALS, "no_credentials") /* nothing configured for the peer */

enum ike_sa_error {
#define IKE_SA_ERR_ENUM(e, n) IKE_ERR_##e,
	IKE_SA_ERRORS(IKE_SA_ERR_ENUM)
#undef IKE_SA_ERR_ENUM
		IKE_ERR_COUNT
};

struct ike_sa {
	enum ike_sa_state sa_state;
	enum ike_sa_error sa_error; /* why it died or the last failure */
	bool sa_initiator;          /* of the IKE_SA_INIT that made it */
	uint8_t sa_spi_i[IKE_SPI_LEN];
	uint8_t sa_spi_r[IKE_SPI_LEN];
	uint32_t sa_local, sa_remote; /* IPv4, host order */
	uint16_t sa_lport, sa_rport;
	bool sa_nat_local, sa_nat_remote; /* NAT detected in front of us / them */
	struct ike_ike_prop sa_prop;      /* negotiated */
	struct ike_kdf_keys sa_keys;
	struct ike_dh *sa_dh;         /* until the keys are made */
	uint8_t sa_ni_len, sa_nr_len; /* nonces: 16..255 here */
	uint8_t sa_ni[255], sa_nr[255];
	uint8_t *sa_init_req; /* the IKE_SA_INIT messages, for AUTH */
	uint8_t *sa_init_resp;
	uint16_t sa_init_req_len, sa_init_resp_len;
	uint8_t *sa_cookie; /* COOKIE the responder asked us to echo */
	uint16_t sa_cookie_len;
	struct ike_ident sa_peer_id;   /* authenticated identity */
	enum ike_pa_kind sa_auth;      /* how both sides authenticated */
	enum ike_cert_err sa_cert_err; /* why the peer's certificate was refused */
	bool sa_frag;                  /* both offered IKE fragmentation (RFC 7383) */
	bool sa_peer_sig_hash;         /* the peer sent SIGNATURE_HASH_ALGORITHMS */
	bool sa_initial_contact;       /* the peer said it has no other SA with us */

	/* Our requests: one in flight. */
	uint32_t sa_req_next; /* message ID of our next request */
	uint8_t *sa_req;      /* the one in flight, for retransmission */
	uint16_t sa_req_len;
	uint8_t sa_req_nfrag;               /* in that many datagrams (0: one, unfragmented) */
	uint16_t sa_req_frag[IKE_FRAG_MAX]; /* their lengths, back to back in sa_req */
	uint8_t sa_req_exchange;
	enum ike_req_kind sa_req_kind;
	uint8_t sa_req_tries;
	struct timer sa_retransmit;
	/* The peer's requests. */
	uint32_t sa_resp_next; /* message ID we expect next */
	uint8_t *sa_resp;      /* our answer to sa_resp_next - 1 */
	uint16_t sa_resp_len;
	uint8_t sa_resp_nfrag;
	uint16_t sa_resp_frag[IKE_FRAG_MAX];
	struct ike_frag_rx *sa_frag_rx; /* a fragmented message being put together */

	uint8_t sa_n_child;
	struct ike_child sa_child[IKE_MAX_CHILD];
	uint32_t sa_child_spi;  /* our inbound SPI in a pending request */
	uint32_t sa_active_out; /* the outbound SPI the dataplane sends with */

	/* Rekeying (1.3.2, 1.3.3): our CREATE_CHILD_SA in flight... */
	uint8_t sa_rk_ni[IKE_NONCE_LEN]; /* its nonce */
	uint32_t sa_rk_old;              /* inbound SPI of the child it replaces */
	struct ike_dh *sa_rk_dh;         /* IKE SA rekey: our new DH key */
	uint8_t sa_rk_spi[IKE_SPI_LEN];  /* IKE SA rekey: our new SPI */
	/* ...a peer's rekey of the same child answered meanwhile (2.8.1)... */
	uint32_t sa_rk_peer_new;    /* inbound SPI of the child made for it */
	uint8_t sa_rk_peer_low_len; /* the lowest nonce of that exchange */
	uint8_t sa_rk_peer_low[255];
	/* ...and the children our Delete in flight names. */
	uint8_t sa_rk_n_del;
	uint32_t sa_rk_del[2];
	uint64_t sa_rekeys; /* children and IKE SA rekeyed */

	uint64_t sa_created_ns;
	uint64_t sa_established_ns;
	uint64_t sa_last_rx_ns; /* any authenticated message from the peer */
	uint64_t sa_rekey_ns;   /* IKE SA soft lifetime */
	struct timer sa_dpd;
	struct timer sa_lifetime;    /* children's and the SA's rekey points */
	struct ike_sa *sa_successor; /* IKE SA rekey: the SA that took over */

	const struct ike_conf *sa_conf;
	const struct ike_env *sa_env;
	void *sa_owner; /* ike_mgr's bookkeeping */
	uint64_t sa_tx, sa_rx, sa_retransmits;
	uint64_t sa_rx_auth; /* messages that passed the SK check */
};

/* ike_sa_state.c: names and the SA's end */
const char *ike_sa_state_name(enum ike_sa_state s);
const char *ike_sa_error_name(enum ike_sa_error e);
/* Removes the children from the dataplane, wipes keys, cancels timers,
 * frees. */
void ike_sa_destroy(struct ike_sa *sa);
/* Our SPI, by which the SA is found: SPIi for the initiator, else SPIr. */
uint64_t ike_sa_local_spi(const struct ike_sa *sa);
/* Marks the SA DEAD at once (no message): its children go. */
void ike_sa_kill(struct ike_sa *sa, enum ike_sa_error why);

/* ike_sa.c: creation, timers, dispatch */
/* A new SA object; the caller fills addresses and ports. NULL on ENOMEM. */
struct ike_sa *ike_sa_create(const struct ike_conf *conf, const struct ike_env *env,
			     bool initiator);
/* A message for this SA (its SPIs matched), header decoded, SK not yet
 * opened. msg/len: the IKE message (no non-ESP marker). The source port
 * may have changed (NAT-T float). */
void ike_sa_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		  uint16_t sport, uint16_t dport);
/* Rekey now: the child with this inbound SPI, or the IKE SA (spi 0).
 * -EBUSY while a request of ours is in flight. */
int ike_sa_rekey(struct ike_sa *sa, uint32_t child_spi_in);

/* ike_exch_info.c */
/* Start deleting the SA (Delete of the IKE SA, then DEAD). */
void ike_sa_delete(struct ike_sa *sa, enum ike_sa_error why);

/* ike_sa_out.c: building, protecting, sending and retransmitting */
/* Encodes m (outer chain; inner chain protected in an SK payload when the
 * SA has keys and m has inner payloads) into out: one message, or when it
 * is larger than a fragment may be and both sides do RFC 7383, *nfrag SKF
 * fragments of frag_len[] octets back to back. 0 or -errno. */
int ike_sa_encode(struct ike_sa *sa, struct ike_msg *m, uint8_t *out, size_t cap, size_t *len,
		  uint8_t *nfrag, uint16_t frag_len[IKE_FRAG_MAX]);
/* Our cached answer again, all its fragments (the peer retransmitted). */
void ike_sa_resend_answer(struct ike_sa *sa);
/* Sends a new request of ours and keeps it for retransmission; kind says
 * what its answer is for. */
int ike_sa_request(struct ike_sa *sa, struct ike_msg *m, enum ike_req_kind kind);
/* Sends an answer to the peer's request sa_resp_next and keeps it for a
 * retransmitted request; the next request expected moves on. */
int ike_sa_respond(struct ike_sa *sa, struct ike_msg *m);
/* Sends raw bytes on the SA's path (no caching). */
int ike_sa_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len);
/* Our request was answered: stop retransmitting it. */
void ike_sa_request_done(struct ike_sa *sa);
/* m opened: decrypts the SK payload of a message with inner payloads and
 * decodes them into m. 0, -EINPROGRESS (an SKF fragment kept until the
 * others come), or -EBADMSG (counted by the caller). */
int ike_sa_open(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		enum ike_sk_drop *why, uint8_t *plain, size_t cap);

/* ike_frag.c: RFC 7383 */
/* Whether a protected message of msg_len octets must go in fragments. */
bool ike_frag_needed(const struct ike_sa *sa, size_t msg_len);
/* m's inner chain (plain, already encoded) as SKF fragments into out. */
int ike_frag_encode(struct ike_sa *sa, struct ike_msg *m, const uint8_t *plain, size_t plen,
		    enum ike_crypto_dir dir, uint8_t *out, size_t cap, size_t *len, uint8_t *nfrag,
		    uint16_t frag_len[IKE_FRAG_MAX]);
/* One SKF fragment of the peer's: authenticated, kept; once all are in,
 * their inner payload octets in plain (*plen) and m->im_sk_first set: 0.
 * -EINPROGRESS while some are missing, -EBADMSG, -ENOMEM, -EMSGSIZE. */
int ike_frag_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		   uint8_t *plain, size_t cap, size_t *plen);
void ike_frag_rx_free(struct ike_sa *sa);

/* ike_prop.c: proposals */
/* Our IKE proposals (SPI-less) into m's SA content. */
void ike_prop_ike_offer(const struct ike_conf *c, struct ike_msg *m);
/* Responder: the first of the peer's proposals we accept, preferring one
 * whose DH group is ke_group. 0 (*num = its number), or -ENOENT. */
int ike_prop_ike_select(const struct ike_conf *c, const struct ike_msg *m, uint16_t ke_group,
			struct ike_ike_prop *out, uint8_t *num);
/* The same for an IKE SA rekey: the proposal carries the new SA's SPI. */
int ike_prop_ike_select_spi(const struct ike_conf *c, const struct ike_msg *m, uint16_t ke_group,
			    struct ike_ike_prop *out, uint8_t *num, uint8_t spi[IKE_SPI_LEN]);
/* The single proposal of a response, which must be one of ours (its SPI
 * is the caller's to check: none in IKE_SA_INIT, 8 octets in a rekey). */
int ike_prop_ike_check(const struct ike_conf *c, const struct ike_msg *m, struct ike_ike_prop *out);
/* The chosen proposal (number num) into m's SA content. */
void ike_prop_ike_answer(const struct ike_ike_prop *p, uint8_t num, struct ike_msg *m);
/* ESP, the same with a 4-octet SPI; dh is the group of a PFS rekey (each
 * proposal then lists it, and a proposal must offer it to be chosen), 0
 * for none (no proposal may list a group other than NONE). */
void ike_prop_esp_offer(const struct ike_conf *c, uint32_t spi, uint16_t dh, struct ike_msg *m);
int ike_prop_esp_select(const struct ike_conf *c, const struct ike_msg *m, uint16_t dh,
			struct ike_esp_prop *out, uint8_t *num, uint32_t *peer_spi);
int ike_prop_esp_check(const struct ike_conf *c, const struct ike_msg *m, uint16_t dh,
		       struct ike_esp_prop *out, uint32_t *peer_spi);
void ike_prop_esp_answer(const struct ike_esp_prop *p, uint8_t num, uint32_t spi,
			 struct ike_msg *m);
/* Names as strongSwan writes them: "aes256gcm16-prfsha256-x25519". */
void ike_prop_ike_name(const struct ike_ike_prop *p, char *buf, size_t len);
void ike_prop_esp_name(const struct ike_esp_prop *p, char *buf, size_t len);
/* The config's proposal as ours; -EINVAL for one this node cannot do. */
int ike_prop_from_cfg(const struct cfg_ike_prop *c, struct ike_ike_prop *out);
/* Parses such a name; 0 or -EINVAL. */
int ike_prop_ike_parse(const char *s, struct ike_ike_prop *out);
int ike_prop_esp_parse(const char *s, struct ike_esp_prop *out);

#endif
