/* Who may authenticate how: the tunnel's identity and credentials, a
 * wildcard pre-shared key, and what is known about given peers (an
 * address, an identity, their own key or certificates). Built once from
 * the config; the state machine asks it for each IKE_AUTH. */
#ifndef DMVPND_IKE_POLICY_H
#define DMVPND_IKE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "ike_cert.h"
#include "ike_ident.h"

#define IKE_PSK_MAX 128

struct ike_secret {
	uint8_t ps_len;
	uint8_t ps_key[IKE_PSK_MAX];
};

struct ike_policy_peer {
	uint32_t pp_addr;       /* 0 = any */
	struct ike_ident pp_id; /* id_len 0 = any */
	enum cfg_ike_auth pp_auth;
	bool pp_has_psk;
	struct ike_secret pp_psk;
};

struct ike_policy {
	struct ike_ident po_local_id; /* id_len 0: the certificate's subject or our address */
	enum cfg_ike_auth po_auth;
	bool po_has_psk; /* the wildcard: any peer without its own */
	struct ike_secret po_psk;
	bool po_has_creds;
	struct ike_creds po_creds;
	bool po_frag;          /* RFC 7383 offered and used */
	uint16_t po_frag_size; /* largest IP datagram of a fragment */
	unsigned po_n_peers;
	struct ike_policy_peer *po_peers;
};

/* How one peer authenticates (and so how we do towards it). */
enum ike_pa_kind { IKE_PA_REFUSE, IKE_PA_PSK, IKE_PA_CERT };
struct ike_peer_auth {
	enum ike_pa_kind pa_kind;
	const struct ike_secret *pa_psk; /* IKE_PA_PSK */
	int pa_peer;                     /* peers[] entry that applied, -1 none */
};

/* Reads the PSK files, the certificate files and turns the identities
 * into ID data. 0, or -errno with a message in err (no secret in it). */
int ike_policy_load(struct ike_policy *p, const struct cfg_ike *k, char *err, size_t len);
/* Wipes the keys, frees. */
void ike_policy_free(struct ike_policy *p);

/* The first peers[] entry whose address (if it has one) is addr and whose
 * identity (if it has one) is id applies; an entry with both whose address
 * matches but whose identity does not refuses the peer (the address is
 * pinned to that identity). With id NULL (our IKE_AUTH request, before
 * the responder said who it is) entries that name an address apply by the
 * address alone. Without an entry: the tunnel's auth, its PSK the
 * wildcard. */
void ike_policy_lookup(const struct ike_policy *p, uint32_t addr, const struct ike_ident *id,
		       struct ike_peer_auth *out);

/* The identity we send: local-id, else the certificate's subject when we
 * sign, else our address. */
void ike_policy_local_id(const struct ike_policy *p, enum ike_pa_kind kind, uint32_t self,
			 struct ike_ident *out);

#endif
