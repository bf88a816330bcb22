/* What both roles send: the common parts of every packet we originate, a
 * reply made from its request, encoding and sending (counted, logged with
 * debug nhrp), and Error Indications at a bounded rate. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>

#include "ctl.h"
#include "inet.h"
#include "log.h"
#include "nhrp.h"

void nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type)
{
	if (m->nm_n_ext < NHRP_MSG_MAX_EXT && !nhrp_msg_has_ext(m, type)) {
		m->nm_ext[m->nm_n_ext].xr_type = nhrp_ext_wire_type(type);
		m->nm_ext[m->nm_n_ext].xr_len = 0;
		m->nm_ext[m->nm_n_ext].xr_value = NULL;
		m->nm_n_ext++;
	}
}

void nhrp_msg_prepare(struct nhrp *nh, struct nhrp_msg *m, uint8_t type)
{
	nhrp_msg_init(m, type);
	m->nm_flags = NHRP_FLAG_CISCO_NAT;
	m->nm_src_nbma = (struct nhrp_addr4){.na_addr = nh->nh_nbma, .na_present = true};
	m->nm_src_proto = (struct nhrp_addr4){.na_addr = nh->nh_overlay, .na_present = true};
	if (type == NHRP_TYPE_ERROR_INDICATION)
		return; /* 5.2.7: no extensions */
	/* Cisco's order: responder, forward and reverse transit, auth, NAT. */
	if (type != NHRP_TYPE_TRAFFIC_INDICATION) {
		nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER_ADDRESS);
		nhrp_msg_add_ext(m, NHRP_EXT_FORWARD_TRANSIT);
		nhrp_msg_add_ext(m, NHRP_EXT_REVERSE_TRANSIT);
	}
	if (nh->nh_auth_len > 0) {
		nhrp_msg_add_ext(m, NHRP_EXT_AUTHENTICATION);
		m->nm_auth_type = NHRP_AUTH_CISCO_CLEARTEXT;
		m->nm_auth_len = nh->nh_auth_len;
		memcpy(m->nm_auth, nh->nh_auth, nh->nh_auth_len);
	}
	if (type != NHRP_TYPE_TRAFFIC_INDICATION)
		nhrp_msg_add_ext(m, NHRP_EXT_CISCO_NAT_ADDRESS);
}

void nhrp_msg_reply_init(struct nhrp *nh, struct nhrp_msg *r, uint8_t type,
			 const struct nhrp_msg *req)
{
	nhrp_msg_prepare(nh, r, type);
	r->nm_flags = req->nm_flags;
	r->nm_request_id = req->nm_request_id;
	r->nm_src_nbma = req->nm_src_nbma;
	r->nm_src_proto = req->nm_src_proto;
	r->nm_dst_proto = req->nm_dst_proto;
	r->nm_n_cie = req->nm_n_cie;
	memcpy(r->nm_cie, req->nm_cie, sizeof(r->nm_cie));
}

/* debug nhrp: one line per message sent or received. */
void nhrp_debug(const char *dir, const struct nhrp_msg *m, uint32_t nbma)
{
	char a[INET_ADDRSTR], s[INET_ADDRSTR], d[INET_ADDRSTR];

	if (!rte_log_can_log(dmvpn_logtype_nhrp, RTE_LOG_DEBUG))
		return;
	LOG_NHRP(DEBUG, "%s %s %s NBMA %s: src %s dst %s, id %u, hops %u, %u CIE%s%u", dir,
		 nhrp_type_name(m->nm_type), dir[0] == 's' ? "to" : "from", inet_v4_str(nbma, a),
		 inet_v4_str(m->nm_src_proto.na_addr, s), inet_v4_str(m->nm_dst_proto.na_addr, d),
		 m->nm_request_id, m->nm_hop_count, m->nm_n_cie, m->nm_n_cie ? ", code " : "",
		 m->nm_n_cie ? m->nm_cie[0].ce_code : 0);
}

/* A token bucket kept as time: full is `rate` tokens, one second's. */
static bool nhrp_bucket_take(struct nhrp_bucket *b, uint64_t now, uint32_t rate)
{
	const uint64_t full = CLK_NS_PER_S, token = CLK_NS_PER_S / rate;

	if (b->nb_last_ns == 0)
		b->nb_tokens_ns = full;
	else
		b->nb_tokens_ns = RTE_MIN(full, b->nb_tokens_ns + (now - b->nb_last_ns));
	b->nb_last_ns = now;
	if (b->nb_tokens_ns < token)
		return false;
	b->nb_tokens_ns -= token;
	return true;
}

/* One line per NHRP_SEND_LOG_S at most while the send quota holds
 * packets back, with how many. */
#define NHRP_SEND_LOG_S 10

static bool nhrp_send_quota(struct nhrp *nh)
{
	uint64_t now = clock_now(nh->nh_ctl->ct_clock);

	if (nh->nh_send_rate == 0 || nhrp_bucket_take(&nh->nh_send_bucket, now, nh->nh_send_rate))
		return true;
	nh->nh_stats.st_drop[NHRP_DROP_SEND_QUOTA]++;
	nh->nh_send_unlogged++;
	if (nh->nh_send_log_ns == 0 || now - nh->nh_send_log_ns >= NHRP_SEND_LOG_S * CLK_NS_PER_S) {
		LOG_CTL(WARNING,
			"nhrp: more than %u packets a second to send (limits.nhrp-send-rate): "
			"%" PRIu64 " not sent",
			nh->nh_send_rate, nh->nh_send_unlogged);
		nh->nh_send_log_ns = now;
		nh->nh_send_unlogged = 0;
	}
	return false;
}

int nhrp_send(struct nhrp *nh, const struct nhrp_msg *m, uint32_t nbma)
{
	uint8_t buf[1500];
	size_t len;
	int rc;

	if (!nhrp_send_quota(nh))
		return -ENOBUFS;
	rc = nhrp_msg_encode(m, buf, sizeof(buf), &len);
	if (rc == 0)
		rc = ctl_tunnel_send_nhrp(nh->nh_ctl, nbma, buf, (uint16_t)len);
	if (rc != 0) {
		nh->nh_stats.st_drop[NHRP_DROP_SEND_FAILED]++;
		return rc;
	}
	nh->nh_stats.st_sent[m->nm_type]++;
	nhrp_debug("sent", m, nbma);
	return 0;
}

void nhrp_send_error(struct nhrp *nh, const struct nhrp_msg *about, const uint8_t *pkt,
		     uint16_t len, uint16_t code, uint16_t offset, uint32_t nbma)
{
	struct nhrp_msg e;

	/* 5.2.7: never about an Error Indication. */
	if (about != NULL && about->nm_type == NHRP_TYPE_ERROR_INDICATION)
		return;
	if (!nhrp_bucket_take(&nh->nh_err_bucket, clock_now(nh->nh_ctl->ct_clock), NHRP_ERR_RATE)) {
		nh->nh_stats.st_drop[NHRP_DROP_ERROR_RATE]++;
		return;
	}
	nhrp_msg_prepare(nh, &e, NHRP_TYPE_ERROR_INDICATION);
	e.nm_flags = 0;
	e.nm_err_code = code;
	e.nm_err_offset = offset;
	if (about != NULL && about->nm_src_proto.na_present)
		e.nm_dst_proto = about->nm_src_proto;
	else
		e.nm_dst_proto = (struct nhrp_addr4){.na_addr = 0, .na_present = true};
	e.nm_quoted = pkt;
	e.nm_quoted_len = (uint16_t)RTE_MIN(len, 512);
	nhrp_send(nh, &e, nbma);
}
