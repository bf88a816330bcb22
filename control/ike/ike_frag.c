/* IKE fragmentation (RFC 7383): a protected message larger than a path
 * carries goes as Encrypted Fragment payloads, each encrypted and
 * authenticated on its own, and comes back together only from fragments
 * that authenticated. Both sides must have offered it in IKE_SA_INIT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"
#include "ike_sa.h"

#define IKE_FRAG_IP_UDP 28 /* IPv4 + UDP header in front of each fragment */
#define IKE_SKF_HDR 8      /* generic header + Fragment Number + Total */

/* A fragmented message of the peer's being put together (2.6): one
 * message at a time; fragments of another message ID start over. */
struct ike_frag_rx {
	uint32_t fx_msg_id;
	bool fx_response;
	uint8_t fx_first; /* Next Payload of fragment 1 */
	uint16_t fx_total;
	uint16_t fx_have;
	uint16_t fx_len[IKE_FRAG_MAX];
	uint8_t *fx_chunk[IKE_FRAG_MAX]; /* decrypted inner payload octets */
};

void ike_frag_rx_free(struct ike_sa *sa)
{
	struct ike_frag_rx *fx = sa->sa_frag_rx;

	if (fx == NULL)
		return;
	for (unsigned i = 0; i < IKE_FRAG_MAX; i++)
		if (fx->fx_chunk[i] != NULL) {
			OPENSSL_cleanse(fx->fx_chunk[i], fx->fx_len[i]);
			free(fx->fx_chunk[i]);
		}
	free(fx);
	sa->sa_frag_rx = NULL;
}

/* The largest IP datagram of one fragment (fragment-size). */
static size_t frag_size(const struct ike_sa *sa)
{
	const struct ike_policy *p = sa->sa_conf->ic_policy;

	return p != NULL && p->po_frag_size != 0 ? p->po_frag_size : 1280;
}

/* Inner payload octets per fragment so the IP datagram stays within the
 * configured size. */
static size_t chunk_size(const struct ike_sa *sa)
{
	size_t size = frag_size(sa);
	size_t fixed = IKE_FRAG_IP_UDP + IKE_HDR_LEN + IKE_SKF_HDR +
		       ike_sk_overhead(&sa->sa_keys.sk_suite, 0) + 16 /* CBC padding */;

	if (sa->sa_lport == IKE_NATT_UDP_PORT || sa->sa_rport == IKE_NATT_UDP_PORT)
		fixed += IKE_NON_ESP_MARKER_LEN;
	return size > fixed + 64 ? size - fixed : 64;
}

bool ike_frag_needed(const struct ike_sa *sa, size_t msg_len)
{
	return sa->sa_frag && msg_len + IKE_FRAG_IP_UDP > frag_size(sa);
}

int ike_frag_encode(struct ike_sa *sa, struct ike_msg *m, const uint8_t *plain, size_t plen,
		    enum ike_crypto_dir dir, uint8_t *out, size_t cap, size_t *len, uint8_t *nfrag,
		    uint16_t frag_len[IKE_FRAG_MAX])
{
	size_t chunk = chunk_size(sa), off = 0, total = (plen + chunk - 1) / chunk;
	uint8_t first = m->im_sk_first;
	int rc = 0;

	if (total == 0 || total > IKE_FRAG_MAX)
		return -EMSGSIZE;
	/* 2.5: the only payload is SKF (anything in the clear would go in
	 * every fragment); the inner chain's first type in fragment 1 only */
	m->im_n_order = 0;
	ike_pld_add(m, false, IKE_PL_SKF);
	*len = 0;
	for (unsigned i = 0; i < total && rc == 0; i++) {
		size_t n = plen - off < chunk ? plen - off : chunk, flen;
		struct ike_sk_frame fr;

		m->im_skf_num = (uint16_t)(i + 1);
		m->im_skf_total = (uint16_t)total;
		m->im_sk_first = i == 0 ? first : IKE_PL_NONE;
		rc = ike_msg_encode_sk_frame(m, n + ike_sk_overhead(&sa->sa_keys.sk_suite, n),
					     out + *len, cap - *len, &fr);
		if (rc == 0)
			rc = ike_sk_encrypt(&sa->sa_keys, dir, out + *len, fr.sf_body_off,
					    cap - *len, plain + off, n, &flen);
		if (rc == 0) {
			frag_len[i] = (uint16_t)flen;
			*len += flen;
			off += n;
		}
	}
	m->im_n_order = 0;
	m->im_sk_first = first;
	*nfrag = (uint8_t)total;
	return rc;
}

static struct ike_frag_rx *rx_for(struct ike_sa *sa, const struct ike_msg *m)
{
	bool resp = (m->im_flags & IKE_FLAG_RESPONSE) != 0;
	struct ike_frag_rx *fx = sa->sa_frag_rx;

	if (fx != NULL && (fx->fx_msg_id != m->im_msg_id || fx->fx_response != resp ||
			   fx->fx_total != m->im_skf_total))
		ike_frag_rx_free(sa); /* another message: the old one is given up */
	if (sa->sa_frag_rx == NULL) {
		fx = calloc(1, sizeof(*fx));
		if (fx == NULL)
			return NULL;
		fx->fx_msg_id = m->im_msg_id;
		fx->fx_response = resp;
		fx->fx_total = m->im_skf_total;
		sa->sa_frag_rx = fx;
	}
	return sa->sa_frag_rx;
}

int ike_frag_input(struct ike_sa *sa, struct ike_msg *m, const uint8_t *msg, size_t len,
		   uint8_t *plain, size_t cap, size_t *plen)
{
	enum ike_crypto_dir peer = sa->sa_initiator ? IKE_CRYPTO_R2I : IKE_CRYPTO_I2R;
	uint16_t num = m->im_skf_num, total = m->im_skf_total;
	struct ike_frag_rx *fx;
	enum ike_sk_drop why;
	size_t n, sum = 0;
	int rc;

	if (!sa->sa_frag || num == 0 || total == 0 || num > total || total > IKE_FRAG_MAX)
		return -EBADMSG;
	/* each fragment authenticates on its own (2.6): decrypt it first */
	rc = ike_sk_decrypt(&sa->sa_keys, peer, msg, len, m->im_sk_aad_len, plain, cap, &n, &why);
	if (rc != 0)
		return -EBADMSG;
	sa->sa_rx_auth++;
	fx = rx_for(sa, m);
	if (fx == NULL)
		return -ENOMEM;
	if (fx->fx_chunk[num - 1] == NULL) {
		fx->fx_chunk[num - 1] = malloc(n != 0 ? n : 1);
		if (fx->fx_chunk[num - 1] == NULL)
			return -ENOMEM;
		memcpy(fx->fx_chunk[num - 1], plain, n);
		fx->fx_len[num - 1] = (uint16_t)n;
		fx->fx_have++;
		if (num == 1)
			fx->fx_first = m->im_sk_first;
	}
	OPENSSL_cleanse(plain, n);
	if (fx->fx_have != fx->fx_total)
		return -EINPROGRESS;
	for (unsigned i = 0; i < fx->fx_total; i++) {
		if (sum + fx->fx_len[i] > cap) {
			ike_frag_rx_free(sa);
			return -EMSGSIZE;
		}
		memcpy(plain + sum, fx->fx_chunk[i], fx->fx_len[i]);
		sum += fx->fx_len[i];
	}
	m->im_sk_first = fx->fx_first;
	ike_frag_rx_free(sa);
	*plen = sum;
	return 0;
}
