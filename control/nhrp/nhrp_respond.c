/* What both roles answer for: the node's own addresses (its tunnel
 * address and the LAN prefixes behind it), as the authoritative responder
 * of a Resolution Request. */
#include <string.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "inet.h"
#include "nhrp.h"
#include "nhrp_cache.h"

bool nhrp_is_local(struct nhrp *nh, uint32_t addr, uint8_t *plen)
{
	const struct dp *dp = nh->nh_ctl->ct_dp;

	if (addr == nh->nh_overlay) {
		*plen = 32;
		return true;
	}
	for (unsigned i = 0; i < dp->dp_nports; i++) {
		const struct dp_port *pt = &dp->dp_ports[i];
		uint32_t mask = inet_v4_mask(pt->pt_plen);

		if (pt->pt_role == CFG_PORT_LAN && (addr & mask) == (pt->pt_addr & mask)) {
			*plen = pt->pt_plen;
			return true;
		}
	}
	return false;
}

/* We own the address asked for: answer the requester directly, at its NBMA
 * address (Cisco and OpenNHRP do; the hub only forwarded the request), and
 * remember it so our own traffic back can go direct too. With ESP and no
 * SA with the requester yet (keying: ike starts one now), a direct answer
 * would be dropped, and FRR 8.4 never asks again: it goes back the way the
 * request came and the NHS relays it (RFC 2332 5.2.2; FRR nhrpd always
 * answers that way). */
void nhrp_resolution_answer(struct nhrp *nh, const struct nhrp_msg *req, uint8_t plen,
			    uint32_t from_nbma)
{
	uint32_t to = req->nm_src_nbma.na_addr;
	struct nhrp_msg r;
	struct nhrp_cie *c;

	/* 5.2.2: the mandatory part names the requester, as in the request. */
	nhrp_msg_reply_init(nh, &r, NHRP_TYPE_RESOLUTION_REPLY, req);
	r.nm_flags = (uint16_t)((req->nm_flags & NHRP_FLAG_RES_Q) | NHRP_FLAG_RES_A |
				NHRP_FLAG_RES_D | NHRP_FLAG_RES_S | NHRP_FLAG_CISCO_NAT);
	r.nm_n_cie = 1;
	memset(r.nm_cie, 0, sizeof(r.nm_cie));
	c = &r.nm_cie[0];
	c->ce_code = NHRP_CIE_SUCCESS;
	c->ce_prefix_len = plen;
	c->ce_mtu = nh->nh_mtu;
	c->ce_holding_time = nh->nh_holdtime;
	c->ce_nbma = (struct nhrp_addr4){.na_addr = nh->nh_nbma, .na_present = true};
	c->ce_proto = (struct nhrp_addr4){.na_addr = nh->nh_overlay, .na_present = true};
	r.nm_n_responder = 1;
	r.nm_responder = *c;
	r.nm_responder.ce_prefix_len = 32;
	/* Transit records travel back as they came (5.3.2, 5.3.3). */
	r.nm_n_fwd = req->nm_n_fwd;
	memcpy(r.nm_fwd, req->nm_fwd, sizeof(r.nm_fwd));
	if (req->nm_src_proto.na_present && req->nm_src_nbma.na_present &&
	    req->nm_src_proto.na_addr != nh->nh_overlay) {
		uint16_t hold = req->nm_n_cie ? req->nm_cie[0].ce_holding_time : 0;

		if (hold == 0) /* 0 would be a binding that never expires */
			hold = nh->nh_holdtime;
		if (nh->nh_reg_hold_max != 0 && hold > nh->nh_reg_hold_max)
			hold = nh->nh_reg_hold_max; /* no binding outlives the cap */
		nhrp_cache_update(nh->nh_ctl, req->nm_src_proto.na_addr, req->nm_src_nbma.na_addr,
				  NC_SHORTCUT, hold, 0);
	}
	if (nh->nh_ctl->ct_esp != NULL && esp_mgr_ref_peek(nh->nh_ctl, to) == NULL)
		to = from_nbma;
	nhrp_send(nh, &r, to);
}
