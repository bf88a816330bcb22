/* The NHRP engine's life (init, start, a clean stop) and its receive side:
 * strip the outer headers of a punted packet, decode, authenticate,
 * count, and dispatch to the spoke or hub side; purges, which both roles
 * take the same way. */
#include "nhrp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_random.h>

#include "ctl.h"
#include "inet.h"
#include "log.h"
#include "nhrp_cache.h"

static const char *const nhrp_drop_names[NHRP_DROP_COUNT] = {
#define NHRP_DROP_NAME(e, name) [NHRP_DROP_##e] = name,
	NHRP_DROPS(NHRP_DROP_NAME)
#undef NHRP_DROP_NAME
};

const char *nhrp_drop_name(enum nhrp_drop d)
{
	return (unsigned)d < NHRP_DROP_COUNT ? nhrp_drop_names[d] : "?";
}

uint16_t nhrp_reg_interval(const struct cfg_tunnel *t)
{
	return t->reg_interval ? t->reg_interval : (uint16_t)RTE_MAX(t->holdtime / 3, 1);
}

void nhrp_reconfigure(struct nhrp *nh, const struct cfg_tunnel *t)
{
	nh->nh_holdtime = t->holdtime;
	nh->nh_reg_interval = nhrp_reg_interval(t);
	nh->nh_reg_hold_max = t->reg_holdtime_max;
	nh->nh_n_allow = RTE_MIN(t->n_reg_allow, (unsigned)CFG_MAX_REG_ALLOW);
	memcpy(nh->nh_allow, t->reg_allow, sizeof(nh->nh_allow));
	nh->nh_unique = t->reg_unique;
	nh->nh_auth_len = (uint8_t)strnlen(t->nhrp_auth, sizeof(t->nhrp_auth) - 1);
	memset(nh->nh_auth, 0, sizeof(nh->nh_auth));
	memcpy(nh->nh_auth, t->nhrp_auth, nh->nh_auth_len);
}

/* The workers read the phase per packet (one byte). A spoke going back to
 * phase 1 drops what it learned, so that everything goes through its NHS
 * again, as phase 1 sends it. */
void nhrp_set_phase(struct nhrp *nh, uint8_t phase)
{
	struct dp_tunnel *tn = &nh->nh_ctl->ct_dp->dp_tunnel;
	uint8_t was = nh->nh_phase;

	nh->nh_phase = phase;
	__atomic_store_n(&tn->tn_phase, phase, __ATOMIC_RELEASE);
	if (!nh->nh_is_hub && phase == 1 && was != 1)
		nhrp_cache_clear(nh->nh_ctl);
}

int nhrp_init(struct ctl *ct, const struct cfg *cfg, const struct nhrp_hooks *hooks)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	struct nhrp *nh;

	if (!t->present)
		return 0;
	nh = calloc(1, sizeof(*nh));
	if (nh == NULL)
		return -ENOMEM;
	nh->nh_ctl = ct;
	if (hooks != NULL)
		nh->nh_hooks = *hooks;
	nh->nh_is_hub = cfg->role == CFG_ROLE_HUB;
	nh->nh_phase = t->phase;
	nhrp_reconfigure(nh, t);
	nh->nh_mtu = t->mtu;
	nh->nh_overlay = t->address.addr;
	nh->nh_overlay_len = t->address.len;
	nh->nh_nbma = ct->ct_dp->dp_ports[ct->ct_dp->dp_tunnel.tn_wan].pt_addr;
	nh->nh_unique = t->reg_unique;
	nh->nh_src_max = cfg->limits.max_peers_per_nbma;
	src_rate_init(&nh->nh_reg_rate, cfg->limits.registration_rate_per_nbma,
		      2 * cfg->limits.registration_rate_per_nbma);
	nh->nh_send_rate = cfg->limits.nhrp_send_rate;
	nh->nh_reg_hold_max = t->reg_holdtime_max;
	/* Request IDs and retry jitter: an off-path sender cannot guess the
	 * IDs in flight, before or after a restart. */
	nh->nh_rand = rte_rand() | 1;
	nh->nh_n_nhs = t->n_nhs;
	for (unsigned i = 0; i < t->n_nhs; i++) {
		struct nhrp_nhs *s = &nh->nh_nhs[i];

		s->ns_nbma = t->nhs[i].nbma;
		s->ns_overlay = t->nhs[i].overlay;
		s->ns_nhrp = nh;
		s->ns_state = NHRP_NHS_PROBING;
		s->ns_priority = t->nhs[i].priority;
	}
	nh->nh_n_maps = t->n_maps;
	memcpy(nh->nh_maps, t->maps, sizeof(nh->nh_maps));
	nh->nh_nhs_max = t->nhs_max != 0 ? t->nhs_max : (uint8_t)t->n_nhs;
	nh->nh_nhs_fallback_s = t->nhs_fallback;
	ct->ct_nhrp = nh;
	return 0;
}

void nhrp_fini(struct ctl *ct)
{
	struct nhrp *nh = ct->ct_nhrp;

	if (nh == NULL)
		return;
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		timer_cancel(&ct->ct_timers, &nh->nh_nhs[i].ns_timer);
	timer_cancel(&ct->ct_timers, &nh->nh_pending_timer);
	timer_cancel(&ct->ct_timers, &nh->nh_balance_timer);
	free(nh);
	ct->ct_nhrp = NULL;
}

void nhrp_start(struct ctl *ct)
{
	struct nhrp *nh = ct->ct_nhrp;

	if (nh == NULL)
		return;
	nhrp_cache_update(ct, nh->nh_overlay, nh->nh_nbma, NC_LOCAL, 0, 0);
	/* The NHSes and the maps are static bindings: reachable before any
	 * registration. */
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		nhrp_cache_update(ct, nh->nh_nhs[i].ns_overlay, nh->nh_nhs[i].ns_nbma, NC_STATIC, 0,
				  0);
	for (unsigned i = 0; i < nh->nh_n_maps; i++)
		nhrp_cache_update(ct, nh->nh_maps[i].overlay, nh->nh_maps[i].nbma, NC_STATIC, 0, 0);
	if (!nh->nh_is_hub)
		nhrp_nhc_start(nh);
}

/* 5.2.5: a Purge Request names bindings (CIE client protocol addresses
 * and prefixes) that are no longer valid; drop them and their routes. */
/* Who may purge a binding: the peer it names, from the address its packets
 * come from, or one of our NHSes (which told us of it). Anyone else's
 * purge would cut the traffic to a live peer. */
static bool nhrp_purge_allowed(const struct nhrp *nh, const struct nhrp_cache_entry *e,
			       uint32_t from_nbma)
{
	if (from_nbma == e->nc_nbma || from_nbma == e->nc_nbma_seen)
		return true;
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		if (from_nbma == nh->nh_nhs[i].ns_nbma)
			return true;
	return false;
}

void nhrp_purge_input(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from_nbma)
{
	struct nhrp_msg r;
	unsigned refused = 0;

	if (m->nm_type == NHRP_TYPE_PURGE_REPLY)
		return; /* nothing pending on purges we send */
	for (unsigned i = 0; i < m->nm_n_cie; i++) {
		const struct nhrp_cie *c = &m->nm_cie[i];
		uint32_t addr =
			c->ce_proto.na_present ? c->ce_proto.na_addr : m->nm_src_proto.na_addr;
		struct nhrp_cache_entry *e = nhrp_cache_lookup(nh->nh_ctl, addr);

		if (e == NULL || e->nc_type == NC_STATIC || e->nc_type == NC_LOCAL)
			continue;
		if (!nhrp_purge_allowed(nh, e, from_nbma)) {
			refused++;
			continue;
		}
		nhrp_cache_remove(nh->nh_ctl, addr);
	}
	if (refused != 0) {
		/* Counted once per packet; not answered: the source may be
		 * forged, and what it asked for did not happen. */
		nh->nh_stats.st_err[m->nm_type]++;
		nh->nh_stats.st_drop[NHRP_DROP_PURGE_NOT_OWNER]++;
		return;
	}
	if (m->nm_flags & NHRP_FLAG_PURGE_N)
		return;
	nhrp_msg_reply_init(nh, &r, NHRP_TYPE_PURGE_REPLY, m);
	nhrp_send(nh, &r, from_nbma);
}

static void nhrp_purge_send(struct nhrp *nh, uint32_t to_overlay, uint32_t to_nbma)
{
	struct nhrp_msg p;

	nhrp_msg_prepare(nh, &p, NHRP_TYPE_PURGE_REQUEST);
	p.nm_flags |= NHRP_FLAG_PURGE_N; /* we are going away: no reply */
	p.nm_request_id = nhrp_reqid_next(nh);
	p.nm_dst_proto = (struct nhrp_addr4){.na_addr = to_overlay, .na_present = true};
	p.nm_n_cie = 1;
	p.nm_cie[0].ce_prefix_len = 32;
	p.nm_cie[0].ce_mtu = nh->nh_mtu;
	p.nm_cie[0].ce_proto = (struct nhrp_addr4){.na_addr = nh->nh_overlay, .na_present = true};
	nhrp_send(nh, &p, to_nbma);
}

static void nhrp_purge_visit(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg)
{
	(void)arg;
	if (e->nc_type == NC_STATIC || e->nc_type == NC_SHORTCUT)
		nhrp_purge_send(ct->ct_nhrp, e->nc_overlay, e->nc_nbma);
}

void nhrp_stop(struct ctl *ct)
{
	if (ct->ct_nhrp == NULL || ct->ct_nhrp->nh_is_hub)
		return;
	nhrp_cache_walk(ct, nhrp_purge_visit, NULL);
}

/* Outer IPv4 + GRE in front of the NHRP payload; the worker checked them,
 * so this only re-derives lengths (still bounded by what is there). */
static const uint8_t *nhrp_payload(const struct rte_mbuf *m, uint16_t *len, uint32_t *src)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	uint32_t avail = rte_pktmbuf_data_len(m) - (uint32_t)sizeof(struct rte_ether_hdr);
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	const uint8_t *gre = (const uint8_t *)ip + hlen;
	uint32_t glen;

	if (tot > avail || hlen + 4 > tot)
		return NULL;
	glen = 4 + (gre[0] & 0x80 ? 4 : 0) + (gre[0] & 0x20 ? 4 : 0) + (gre[0] & 0x10 ? 4 : 0);
	if (hlen + glen > tot)
		return NULL;
	*src = rte_be_to_cpu_32(ip->src_addr);
	*len = (uint16_t)(tot - hlen - glen);
	return gre + glen;
}

/* With a password every packet must carry it (RFC 2332 5.3.4), Traffic
 * Indications included. */
static bool nhrp_auth_ok(const struct nhrp *nh, const struct nhrp_msg *m)
{
	if (nh->nh_auth_len == 0)
		return true;
	return nhrp_msg_has_ext(m, NHRP_EXT_AUTHENTICATION) &&
	       m->nm_auth_type == NHRP_AUTH_CISCO_CLEARTEXT && m->nm_auth_len == nh->nh_auth_len &&
	       memcmp(m->nm_auth, nh->nh_auth, nh->nh_auth_len) == 0;
}

/* One line per NHRP_AUTH_LOG_S at most, whatever the rate of failures:
 * senders with a wrong (or no) password may be many, or forged. The
 * password itself is never logged. */
#define NHRP_AUTH_LOG_S 10

static void nhrp_auth_log(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from)
{
	uint64_t now = clock_now(nh->nh_ctl->ct_clock);
	char a[INET_ADDRSTR];

	if (nh->nh_auth_log_ns != 0 && now - nh->nh_auth_log_ns < NHRP_AUTH_LOG_S * CLK_NS_PER_S) {
		nh->nh_auth_unlogged++;
		return;
	}
	LOG_CTL(WARNING,
		"nhrp: %s from NBMA %s failed authentication (%s); %" PRIu64
		" more failures not logged",
		nhrp_type_name(m->nm_type), inet_v4_str(from, a),
		nhrp_msg_has_ext(m, NHRP_EXT_AUTHENTICATION) ? "wrong password" : "no password",
		nh->nh_auth_unlogged);
	nh->nh_auth_log_ns = now;
	nh->nh_auth_unlogged = 0;
}

static void nhrp_dispatch(struct nhrp *nh, const struct nhrp_msg *m, uint32_t from,
			  const uint8_t *pkt, uint16_t len)
{
	switch (m->nm_type) {
	case NHRP_TYPE_PURGE_REQUEST:
	case NHRP_TYPE_PURGE_REPLY:
		nhrp_purge_input(nh, m, from);
		break;
	case NHRP_TYPE_ERROR_INDICATION:
		LOG_CTL(INFO, "nhrp: error indication code %u offset %u from %u.%u.%u.%u",
			m->nm_err_code, m->nm_err_offset, from >> 24, (from >> 16) & 0xff,
			(from >> 8) & 0xff, from & 0xff);
		break;
	default:
		if (nh->nh_is_hub)
			nhrp_nhs_input(nh, m, from, pkt, len);
		else
			nhrp_nhc_input(nh, m, from, pkt, len);
		break;
	}
}

void nhrp_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m)
{
	struct nhrp *nh = ct->ct_nhrp;
	struct nhrp_msg msg;
	const uint8_t *pkt;
	uint32_t from = 0;
	uint16_t len = 0;
	int rc;

	(void)port_idx;
	if (nh == NULL)
		goto out;
	pkt = nhrp_payload(m, &len, &from);
	if (pkt == NULL) {
		nh->nh_stats.st_drop[NHRP_DROP_BAD_GRE]++;
		goto out;
	}
	rc = nhrp_msg_decode(pkt, len, &msg);
	if (rc != 0) {
		nh->nh_stats.st_decode[-rc < NHRP_DECODE_COUNT ? -rc : 0]++;
		if (rc == -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION) {
			nh->nh_stats.st_err[msg.nm_type]++;
			nhrp_send_error(nh, &msg, pkt, len, NHRP_ERR_UNRECOGNIZED_EXTENSION,
					msg.nm_unrecognized_off, from);
		}
		goto out;
	}
	nh->nh_stats.st_recv[msg.nm_type]++;
	nhrp_debug("received", &msg, from);
	if (!nhrp_auth_ok(nh, &msg)) {
		nh->nh_stats.st_err[msg.nm_type]++;
		nh->nh_stats.st_drop[NHRP_DROP_AUTH]++;
		nhrp_auth_log(nh, &msg, from);
		nhrp_send_error(nh, &msg, pkt, len, NHRP_ERR_AUTHENTICATION_FAILURE, 0, from);
		goto out;
	}
	if (msg.nm_hop_count == 0) {
		nh->nh_stats.st_err[msg.nm_type]++;
		nh->nh_stats.st_drop[NHRP_DROP_HOP_COUNT]++;
		nhrp_send_error(nh, &msg, pkt, len, NHRP_ERR_HOP_COUNT_EXCEEDED, 0, from);
		goto out;
	}
	nhrp_dispatch(nh, &msg, from, pkt, len);
out:
	rte_pktmbuf_free(m);
}

void nhrp_event(struct ctl *ct, const struct dp_event *ev)
{
	struct nhrp *nh = ct->ct_nhrp;

	if (nh == NULL)
		return;
	if (ev->ev_cause == PUNT_EV_REDIRECT && nh->nh_is_hub)
		nhrp_nhs_redirect(nh, ev);
	else if (ev->ev_cause == PUNT_EV_RESOLVE && !nh->nh_is_hub)
		nhrp_nhc_resolve(nh, ev->ev_target);
}
