/* IKE-lite message building: payloads listed in a struct ike_msg's outer
 * or inner (encrypted) chain before ike_sa_encode() writes it out. */
#include <string.h>

#include "ike_msg.h"

void ike_pld_add(struct ike_msg *m, bool inner, uint8_t type)
{
	struct ike_pld_ref *r;
	uint8_t idx = 0;

	if (inner ? m->im_n_inner >= IKE_MSG_MAX_PAYLOADS : m->im_n_order >= IKE_MSG_MAX_PAYLOADS)
		return;
	if (type == IKE_PL_DELETE)
		idx = m->im_n_delete++;
	else if (type == IKE_PL_CERT && m->im_n_cert < IKE_MSG_MAX_CERT)
		idx = m->im_n_cert++;
	else if (type == IKE_PL_CERTREQ && m->im_n_certreq < IKE_MSG_MAX_CERTREQ)
		idx = m->im_n_certreq++;
	else if (type == IKE_PL_CERT || type == IKE_PL_CERTREQ)
		return;
	r = inner ? &m->im_inner[m->im_n_inner++] : &m->im_order[m->im_n_order++];
	r->pr_type = type;
	r->pr_flags = 0;
	r->pr_index = idx;
}

struct ike_notify *ike_pld_add_notify(struct ike_msg *m, bool inner, uint16_t type)
{
	struct ike_notify *n;
	struct ike_pld_ref *r;

	if (m->im_n_notify >= IKE_MSG_MAX_NOTIFY ||
	    (inner ? m->im_n_inner : m->im_n_order) >= IKE_MSG_MAX_PAYLOADS)
		return NULL;
	n = &m->im_notify[m->im_n_notify];
	memset(n, 0, sizeof(*n));
	n->nt_type = type;
	r = inner ? &m->im_inner[m->im_n_inner++] : &m->im_order[m->im_n_order++];
	r->pr_type = IKE_PL_NOTIFY;
	r->pr_flags = 0;
	r->pr_index = m->im_n_notify++;
	return n;
}
