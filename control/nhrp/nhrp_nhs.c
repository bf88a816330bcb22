/* The hub (NHS) side of NHRP: accept, refresh and (through the cache's
 * timers) expire registrations; forward Resolution Requests towards the
 * owner of the address, by the routing table: to the spoke registered
 * here (it answers the requester directly, as Cisco does) or to another
 * hub (tunnel.maps) that routes it on; answer for ourselves; send Traffic
 * Indications in phase 3. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "inet.h"
#include "log.h"
#include "nhrp.h"
#include "nhrp_cache.h"

static struct nhrp_cie nhs_self_cie(const struct nhrp *nh)
{
	struct nhrp_cie c;

	memset(&c, 0, sizeof(c));
	c.ce_prefix_len = 32;
	c.ce_mtu = nh->nh_mtu;
	c.ce_holding_time = nh->nh_holdtime;
	c.ce_nbma = (struct nhrp_addr4){.na_addr = nh->nh_nbma, .na_present = true};
	c.ce_proto = (struct nhrp_addr4){.na_addr = nh->nh_overlay, .na_present = true};
	return c;
}

#define NHS_LOG_PER_S 20 /* registration lines a second, the rest counted */

/* Whether one more line about registrations may be logged now; a flood
 * of them (random addresses, spoofed sources) is counted instead, and
 * the count goes with the next line logged (into more, else ""). */
static bool nhs_log_ok(struct nhrp *nh, char *more, size_t len)
{
	struct nhrp_log_limit *l = &nh->nh_reg_log;
	uint64_t sec = clock_now(nh->nh_ctl->ct_clock) / CLK_NS_PER_S;

	if (sec != l->ll_second) {
		l->ll_second = sec;
		l->ll_lines = 0;
	}
	if (l->ll_lines >= NHS_LOG_PER_S) {
		l->ll_unlogged++;
		return false;
	}
	l->ll_lines++;
	more[0] = '\0';
	if (l->ll_unlogged != 0)
		snprintf(more, len, " (and %" PRIu64 " registration lines not logged)",
			 l->ll_unlogged);
	l->ll_unlogged = 0;
	return true;
}

static bool prefix_has(struct cfg_prefix p, uint32_t a)
{
	return ((a ^ p.addr) & inet_v4_mask(p.len)) == 0;
}

/* tunnel.registration-allow: may `from` register tunnel address ov? */
static bool nhs_allowed(const struct nhrp *nh, uint32_t ov, uint32_t from)
{
	if (nh->nh_n_allow == 0)
		return true;
	for (unsigned i = 0; i < nh->nh_n_allow; i++)
		if (prefix_has(nh->nh_allow[i].address, ov) &&
		    prefix_has(nh->nh_allow[i].nbma, from))
			return true;
	return false;
}

/* 0 (success) or the CIE code to refuse the registration with; *hold:
 * the holding time granted. */
static uint8_t nhs_register(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from,
			    uint16_t *hold_out)
{
	uint32_t ov = m->nm_src_proto.na_addr, mask = inet_v4_mask(nh->nh_overlay_len);
	const struct nhrp_cie *c = &m->nm_cie[0];
	struct nhrp_cache_entry *e = nhrp_cache_lookup(nh->nh_ctl, ov);
	bool unique = (m->nm_flags & NHRP_FLAG_REG_U) != 0;
	uint16_t hold = c->ce_holding_time ? c->ce_holding_time : nh->nh_holdtime;
	uint64_t id = nh->nh_hooks.nhk_peer_identity != NULL
			      ? nh->nh_hooks.nhk_peer_identity(nh->nh_ctl, from)
			      : 0;
	char a[INET_ADDRSTR], b[INET_ADDRSTR], f[INET_ADDRSTR], more[64];
	bool held;

	/* A peer may not hold an address longer than we allow: a binding
	 * taken by someone else would otherwise outlive it for 18 hours. */
	if (nh->nh_reg_hold_max != 0 && hold > nh->nh_reg_hold_max)
		hold = nh->nh_reg_hold_max;
	*hold_out = hold;

	if (!m->nm_src_proto.na_present || !m->nm_src_nbma.na_present ||
	    (ov & mask) != (nh->nh_overlay & mask) || ov == nh->nh_overlay) {
		nh->nh_stats.st_drop[NHRP_DROP_REG_OUTSIDE]++;
		return NHRP_CIE_ADMIN_PROHIBITED;
	}
	if (!nhs_allowed(nh, ov, from)) {
		nh->nh_stats.st_drop[NHRP_DROP_REG_NOT_ALLOWED]++;
		if (nhs_log_ok(nh, more, sizeof(more)))
			LOG_CTL(WARNING,
				"nhrp: %s refused from NBMA %s: not in tunnel.registration-allow%s",
				inet_v4_str(ov, a), inet_v4_str(from, f), more);
		return NHRP_CIE_ADMIN_PROHIBITED;
	}
	/* RFC 2332 5.2.3: a unique binding may only be refreshed from the
	 * NBMA address that made it; or, once IKE authenticated both, from a
	 * new address as the same identity: a spoke whose address changed
	 * (INITIAL_CONTACT's meaning in RFC 7296 2.4). */
	held = e != NULL && (e->nc_flags & NC_F_UNIQUE) && e->nc_nbma_seen != from &&
	       e->nc_type == NC_DYNAMIC;
	if (held && e->nc_ike_id != 0 && e->nc_ike_id == id) {
		LOG_CTL(NOTICE, "nhrp: %s moved from NBMA %s to %s: the same IKE identity",
			inet_v4_str(ov, a), inet_v4_str(e->nc_nbma_seen, b), inet_v4_str(from, f));
		nh->nh_stats.st_moved++;
	} else if (held) {
		nh->nh_stats.st_drop[NHRP_DROP_REG_UNIQUE]++;
		if (nhs_log_ok(nh, more, sizeof(more)))
			LOG_CTL(WARNING,
				"nhrp: %s already registered uniquely by %s, refusing %s%s",
				inet_v4_str(ov, a), inet_v4_str(e->nc_nbma_seen, b),
				inet_v4_str(from, f), more);
		return NHRP_CIE_UNIQUE_ADDRESS_REGISTERED;
	}
	/* A new binding from an address that holds many already: a flood of
	 * made-up addresses from one source must not fill the cache. */
	if ((e == NULL || e->nc_type != NC_DYNAMIC || e->nc_nbma_seen != from) &&
	    nh->nh_src_max != 0 && nhrp_cache_src_count(nh->nh_ctl, from) >= nh->nh_src_max) {
		nh->nh_stats.st_drop[NHRP_DROP_SOURCE_CAP]++;
		if (nhs_log_ok(nh, more, sizeof(more)))
			LOG_CTL(WARNING,
				"nhrp: %s refused: NBMA %s holds %u registrations "
				"(limits.max-peers-per-nbma)%s",
				inet_v4_str(ov, a), inet_v4_str(from, b), nh->nh_src_max, more);
		return NHRP_CIE_INSUFFICIENT_RESOURCES;
	}
	if ((e == NULL || e->nc_nbma_seen != from) && nhs_log_ok(nh, more, sizeof(more)))
		LOG_CTL(INFO, "nhrp: %s registered from NBMA %s, holdtime %us%s",
			inet_v4_str(ov, a), inet_v4_str(from, b), hold, more);
	/* Packets go where the registration came from (NAT); the claimed
	 * address is kept for show and for the NAT extension. */
	e = nhrp_cache_update(nh->nh_ctl, ov, from, NC_DYNAMIC, hold,
			      (uint8_t)((unique ? NC_F_UNIQUE : 0) |
					(from != m->nm_src_nbma.na_addr ? NC_F_NAT : 0)));
	if (e == NULL) {
		nh->nh_stats.st_drop[NHRP_DROP_REG_FULL]++;
		return NHRP_CIE_INSUFFICIENT_RESOURCES;
	}
	e->nc_nbma = m->nm_src_nbma.na_addr;
	e->nc_ike_id = id;
	return NHRP_CIE_SUCCESS;
}

static void nhs_registration(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	struct nhrp_msg r;
	uint16_t hold = 0;
	uint8_t code =
		m->nm_n_cie > 0 ? nhs_register(nh, m, from, &hold) : NHRP_CIE_ADMIN_PROHIBITED;

	if (code != NHRP_CIE_SUCCESS)
		nh->nh_stats.st_err[NHRP_TYPE_REGISTRATION_REQUEST]++;

	nhrp_msg_reply_init(nh, &r, NHRP_TYPE_REGISTRATION_REPLY, m);
	/* RFC 2332 5.2.4: the holding time granted, which may be shorter */
	if (code == NHRP_CIE_SUCCESS)
		for (unsigned i = 0; i < r.nm_n_cie; i++)
			r.nm_cie[i].ce_holding_time = hold;
	/* Our own protocol address, not the request's destination: a spoke
	 * that knows its NHS only by NBMA address (Cisco's and FRR's "nhs
	 * dynamic") sends its own address there (RFC 2332 5.2.3) and learns
	 * the NHS's from this field of the reply, as FRR hubs fill it. */
	r.nm_dst_proto = (struct nhrp_addr4){.na_addr = nh->nh_overlay, .na_present = true};
	for (unsigned i = 0; i < r.nm_n_cie; i++)
		r.nm_cie[i].ce_code = code;
	r.nm_n_responder = 1;
	r.nm_responder = nhs_self_cie(nh);
	r.nm_n_fwd = m->nm_n_fwd;
	memcpy(r.nm_fwd, m->nm_fwd, sizeof(r.nm_fwd));
	/* Cisco NAT extension: what the spoke sent, plus the spoke as we see
	 * it only when that differs from the NBMA address it claims. Cisco
	 * and FRR spokes read a second CIE as "you are behind a NAT". */
	r.nm_n_nat = m->nm_n_nat;
	memcpy(r.nm_nat, m->nm_nat, sizeof(r.nm_nat));
	if (r.nm_n_nat < NHRP_MSG_MAX_CIE && from != m->nm_src_nbma.na_addr) {
		struct nhrp_cie *c = &r.nm_nat[r.nm_n_nat++];

		memset(c, 0, sizeof(*c));
		c->ce_prefix_len = 32;
		c->ce_mtu = nh->nh_mtu;
		c->ce_nbma = (struct nhrp_addr4){.na_addr = from, .na_present = true};
		c->ce_proto = m->nm_src_proto;
	}
	nhrp_send(nh, &r, from);
}

static void nhs_resolution_nak(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from,
			       uint8_t code)
{
	struct nhrp_msg r;

	nhrp_msg_reply_init(nh, &r, NHRP_TYPE_RESOLUTION_REPLY, m);
	r.nm_flags = (uint16_t)((m->nm_flags & NHRP_FLAG_RES_Q) | NHRP_FLAG_CISCO_NAT);
	r.nm_n_cie = 1;
	memset(r.nm_cie, 0, sizeof(r.nm_cie));
	r.nm_cie[0].ce_code = code;
	r.nm_cie[0].ce_mtu = nh->nh_mtu;
	r.nm_n_responder = 1;
	r.nm_responder = nhs_self_cie(nh);
	nhrp_send(nh, &r, from);
}

/* Forward towards the owner of the destination: hop count down, ourselves
 * appended to the Forward Transit NHS Record (5.3.2). */
static void nhs_resolution_forward(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from,
				   const uint8_t *pkt, uint16_t len)
{
	uint32_t dst = m->nm_dst_proto.na_addr;
	const struct fib_nh *fnh = fib_lookup(&nh->nh_ctl->ct_dp->dp_fib, dst);
	const struct nhrp_cache_entry *e;
	struct nhrp_msg f;

	for (unsigned i = 0; i < m->nm_n_fwd; i++)
		if (m->nm_fwd[i].ce_proto.na_present &&
		    m->nm_fwd[i].ce_proto.na_addr == nh->nh_overlay) {
			nh->nh_stats.st_drop[NHRP_DROP_LOOP]++;
			nhrp_send_error(nh, m, pkt, len, NHRP_ERR_LOOP_DETECTED, 0, from);
			return;
		}
	e = fnh != NULL && fnh->nh_type == FIB_NH_TUNNEL
		    ? nhrp_cache_lookup(nh->nh_ctl, fnh->nh_gw ? fnh->nh_gw : dst)
		    : NULL;
	if (e == NULL || e->nc_type == NC_INCOMPLETE || e->nc_overlay == m->nm_src_proto.na_addr) {
		nh->nh_stats.st_drop[NHRP_DROP_NO_ROUTE]++;
		nhs_resolution_nak(nh, m, from, NHRP_CIE_NO_BINDING_EXISTS);
		return;
	}
	if (m->nm_hop_count <= 1 || m->nm_n_fwd >= NHRP_MSG_MAX_TRANSIT) {
		nhrp_send_error(nh, m, pkt, len, NHRP_ERR_HOP_COUNT_EXCEEDED, 0, from);
		return;
	}
	f = *m;
	f.nm_hop_count--;
	f.nm_fwd[f.nm_n_fwd++] = nhs_self_cie(nh);
	nhrp_msg_add_ext(&f, NHRP_EXT_FORWARD_TRANSIT);
	nhrp_send(nh, &f, e->nc_nbma_seen);
}

/* A reply that came back through us: on towards the requester the way the
 * request came (RFC 2332 5.3.3), to the NHS before us in the Forward
 * Transit record or, when we were the first, to the requester itself at
 * the address its packets come from. Across hubs each hop so sends only
 * to a peer it knows (and, with ESP, has an SA with). */
static void nhs_reply_forward(struct nhrp *nh, const struct nhrp_msg *m)
{
	const struct nhrp_cache_entry *e;
	struct nhrp_msg f = *m;
	uint32_t to = m->nm_src_nbma.na_addr;
	unsigned i;

	if (!m->nm_src_nbma.na_present || m->nm_hop_count <= 1 ||
	    m->nm_n_rev >= NHRP_MSG_MAX_TRANSIT)
		return;
	for (i = m->nm_n_fwd; i-- > 0;)
		if (m->nm_fwd[i].ce_proto.na_present &&
		    m->nm_fwd[i].ce_proto.na_addr == nh->nh_overlay)
			break;
	if (i != UINT_MAX && i > 0 && m->nm_fwd[i - 1].ce_nbma.na_present) {
		to = m->nm_fwd[i - 1].ce_nbma.na_addr;
	} else {
		e = nhrp_cache_lookup(nh->nh_ctl, m->nm_src_proto.na_addr);
		if (e != NULL && e->nc_type == NC_DYNAMIC)
			to = e->nc_nbma_seen; /* behind a NAT: where it registered from */
	}
	f.nm_hop_count--;
	f.nm_rev[f.nm_n_rev++] = nhs_self_cie(nh);
	nhrp_msg_add_ext(&f, NHRP_EXT_REVERSE_TRANSIT);
	nhrp_send(nh, &f, to);
}

/* A Resolution Request names its source (protocol and NBMA address), and
 * whoever answers it learns that binding: it must come from the source
 * itself, as registered here, or from another hub (tunnel.maps), which
 * checked it. Anyone else would make the target send the source's traffic
 * to the address they name. */
static bool nhs_request_from_owner(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	const struct nhrp_cache_entry *e = nhrp_cache_lookup(nh->nh_ctl, m->nm_src_proto.na_addr);
	char a[INET_ADDRSTR], b[INET_ADDRSTR], more[64];

	for (unsigned i = 0; i < nh->nh_n_maps; i++)
		if (nh->nh_maps[i].nbma == from)
			return true;
	if (e != NULL && e->nc_type == NC_DYNAMIC && e->nc_nbma_seen == from &&
	    m->nm_src_nbma.na_addr == e->nc_nbma)
		return true;
	nh->nh_stats.st_drop[NHRP_DROP_NOT_OWNER]++;
	if (nhs_log_ok(nh, more, sizeof(more)))
		LOG_CTL(WARNING, "nhrp: resolution request for source %s from NBMA %s, which %s%s",
			inet_v4_str(m->nm_src_proto.na_addr, a), inet_v4_str(from, b),
			e == NULL ? "is not registered here" : "does not hold it", more);
	return false;
}

void nhrp_nhs_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma,
		    const uint8_t *pkt, uint16_t len)
{
	uint8_t plen;

	switch (m->nm_type) {
	case NHRP_TYPE_REGISTRATION_REQUEST:
		/* Beyond its rate a source gets no answer (no reflection); a
		 * spoke retransmits. */
		if (!src_rate_take(&nh->nh_reg_rate, from_nbma, clock_now(nh->nh_ctl->ct_clock))) {
			nh->nh_stats.st_drop[NHRP_DROP_REG_RATE]++;
			break;
		}
		nhs_registration(nh, m, from_nbma);
		break;
	case NHRP_TYPE_RESOLUTION_REQUEST:
		if (!nhs_request_from_owner(nh, m, from_nbma))
			break;
		if (nhrp_is_local(nh, m->nm_dst_proto.na_addr, &plen))
			nhrp_resolution_answer(nh, m, plen, from_nbma);
		else
			nhs_resolution_forward(nh, m, from_nbma, pkt, len);
		break;
	case NHRP_TYPE_RESOLUTION_REPLY:
		if (m->nm_src_proto.na_addr != nh->nh_overlay)
			nhs_reply_forward(nh, m);
		break;
	default:
		nh->nh_stats.st_drop[NHRP_DROP_WRONG_ROLE]++;
		nh->nh_stats.st_err[m->nm_type]++;
		break;
	}
}

void nhrp_nhs_redirect(struct nhrp *nh, const struct dp_event *ev)
{
	const struct peer *pe = peer_table_lookup_nbma(&nh->nh_ctl->ct_dp->dp_peers, ev->ev_nbma);
	struct nhrp_msg t;

	/* Another hub (a map) forwarding through us resolves nothing: hubs
	 * keep their spokes' traffic, the spoke that sent it is told by its
	 * own hub. */
	if (pe == NULL || pe->pe_type == PEER_STATIC)
		return;
	nhrp_msg_prepare(nh, &t, NHRP_TYPE_TRAFFIC_INDICATION);
	t.nm_traffic_code = NHRP_TRAFFIC_REDIRECT;
	t.nm_dst_proto = (struct nhrp_addr4){.na_addr = pe->pe_overlay, .na_present = true};
	t.nm_quoted = ev->ev_quote;
	t.nm_quoted_len = ev->ev_quote_len;
	nhrp_send(nh, &t, ev->ev_nbma);
}
