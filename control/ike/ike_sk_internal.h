/* The decrypt step of ike_sk.c without the ICV check in front of it. Not for
 * callers: it exists so that a test can decrypt a captured message whose
 * ICV is known not to verify. Everything else goes through ike_sk_decrypt. */
#ifndef DMVPND_IKE_SK_INTERNAL_H
#define DMVPND_IKE_SK_INTERNAL_H

#include "ike_crypto.h"

/* AES-CBC (key_len 16 or 32) of ct[ct_len] under iv[16] into pt, then the
 * Pad Length check (RFC 7296 3.14); the inner payloads are pt[0, *pt_len).
 * -EBADMSG with *why BAD_ALIGN or BAD_PAD (pt wiped), -EINVAL, -EIO. */
int ike_sk_cbc_body_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			    const uint8_t *ct, size_t ct_len, uint8_t *pt, size_t *pt_len,
			    enum ike_sk_drop *why);

#endif
