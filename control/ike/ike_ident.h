/* IKE identities (RFC 7296 3.5): what an ID payload carries, made from the
 * config's text (strongSwan's notation), compared as its type means it and
 * written for people. */
#ifndef DMVPND_IKE_IDENT_H
#define DMVPND_IKE_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "cfg.h"
#include "proto_ike.h"

#define IKE_ID_MAX 255

/* An identity: type and data as in the ID payload. */
struct ike_ident {
	uint8_t id_type;
	uint8_t id_len;
	uint8_t id_data[IKE_ID_MAX];
};

/* The config's identity as ID data: an FQDN without its '@', a key ID's
 * octets, a DN as DER. 0 or -EINVAL. */
int ike_ident_from_cfg(const struct cfg_ike_id *c, struct ike_ident *out);
/* ID_IPV4_ADDR of addr (host order). */
void ike_ident_ipv4(uint32_t addr, struct ike_ident *out);
/* Same identity: FQDN and RFC 822 names without case, DNs as X.509 names
 * (X509_NAME_cmp: string types and case folded), the rest octet for octet. */
bool ike_ident_eq(const struct ike_ident *a, const struct ike_ident *b);
/* A DN identity's name (the caller frees it), or NULL if it is none or
 * does not decode exactly. */
X509_NAME *ike_ident_dn(const struct ike_ident *id);
/* "198.51.100.1", "hub.example.net", "@#0a1b", "C=CH, O=Example, CN=hub";
 * printable ASCII only. Returns buf. */
const char *ike_ident_str(const struct ike_ident *id, char *buf, size_t len);

#endif
