/* NHRP and DMVPN commands: show dmvpn, show ip nhrp [nhs], show nhrp
 * stats, clear ip nhrp. Run on the control thread (mgmt queue). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "esp_mgr.h"
#include "esp_sa.h"
#include "inet.h"
#include "nhrp.h"
#include "nhrp_cache.h"
#include "node.h"

static void fmt_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / CLK_NS_PER_S;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60,
			 s % 60);
}

/* The NHS a spoke registers with at overlay `ov`, or NULL. */
static const struct nhrp_nhs *nhs_of(const struct nhrp *nh, uint32_t ov)
{
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		if (nh->nh_nhs[i].ns_overlay == ov)
			return &nh->nh_nhs[i];
	return NULL;
}

/* IOS's words for an NHS entry: UP once registered, NHRP while the
 * registration is still unanswered, DOWN when it stopped answering. */
static const char *nhs_dmvpn_state(const struct nhrp_nhs *s)
{
	switch (s->ns_state) {
	case NHRP_NHS_UP:
		return "UP";
	case NHRP_NHS_PROBING:
		return "NHRP";
	case NHRP_NHS_STANDBY:
		return "STBY"; /* not registered: more preferred NHSes are up */
	default:
		return "DOWN";
	}
}

static void dmvpn_row(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg)
{
	struct strbuf *out = arg;
	uint64_t now = clock_now(ct->ct_clock), since = e->nc_created_ns;
	const struct nhrp_nhs *s = nhs_of(ct->ct_nhrp, e->nc_overlay);
	char nb[INET_ADDRSTR], ov[INET_ADDRSTR], up[16], attr[8];
	struct peer_stats st;
	int n = 0;

	if (e->nc_type == NC_INCOMPLETE || e->nc_type == NC_LOCAL)
		return;
	attr[n++] = e->nc_type == NC_STATIC ? 'S' : 'D';
	if (e->nc_type == NC_SHORTCUT)
		attr[n++] = 'T';
	if (e->nc_flags & NC_F_NAT)
		attr[n++] = 'N';
	if (e->nc_flags & NC_F_UNIQUE)
		attr[n++] = 'U';
	attr[n] = '\0';
	if (s != NULL && e->nc_type == NC_STATIC)
		since = s->ns_state_since_ns;
	else
		s = NULL;
	fmt_duration(now - since, up, sizeof(up));
	nhrp_cache_stats(ct, e, &st);
	strbuf_printf(out, "%-15s %-15s %-5s %-8s %-5s %12" PRIu64 " %12" PRIu64 "\n",
		      inet_v4_str(e->nc_nbma_seen, nb), inet_v4_str(e->nc_overlay, ov),
		      s != NULL ? nhs_dmvpn_state(s) : "UP", up, attr, st.ps_tx_pkts,
		      st.ps_rx_pkts);
}

static void nhs_detail(const struct nhrp_nhs *s, uint64_t now, struct strbuf *out)
{
	char t[16];

	strbuf_printf(out,
		      "   priority %u; request id %" PRIu32 ", %" PRIu32
		      " unanswered, back-off %" PRIu32 " s\n",
		      s->ns_priority, s->ns_reqid, s->ns_unanswered, s->ns_retry_s);
	if (s->ns_refusals != 0)
		strbuf_printf(out, "   last refusal: CIE code %u\n", s->ns_last_code);
	if (s->ns_last_reply_ns != 0) {
		fmt_duration(now - s->ns_last_reply_ns, t, sizeof(t));
		strbuf_printf(out, "   last reply %s ago\n", t);
	}
}

/* show ip nhrp nhs [detail]: each NHS a spoke registers with. */
static void show_nhrp_nhs(struct node *nd, const char *arg, struct strbuf *out)
{
	const struct nhrp *nh = nd->nd_ctl.ct_nhrp;
	uint64_t now = clock_now(nd->nd_ctl.ct_clock);
	bool detail = strcmp(arg, "detail") == 0;
	char ov[INET_ADDRSTR], nb[INET_ADDRSTR], since[16], last[16];

	if (arg[0] != '\0' && !detail) {
		strbuf_printf(out, "%% Invalid input: %s\n", arg);
		return;
	}
	if (nh == NULL || nh->nh_n_nhs == 0) {
		strbuf_printf(out, "%s\n",
			      nh == NULL ? "no tunnel configured" : "no NHS: this node is a hub");
		return;
	}
	strbuf_printf(out, "%-15s %-15s %-7s %-8s %-10s %9s %9s %9s\n", "NHS", "NBMA", "State",
		      "Since", "Last reply", "Requests", "Replies", "Refused");
	for (unsigned i = 0; i < nh->nh_n_nhs; i++) {
		const struct nhrp_nhs *s = &nh->nh_nhs[i];

		fmt_duration(now - s->ns_state_since_ns, since, sizeof(since));
		if (s->ns_last_reply_ns != 0)
			fmt_duration(now - s->ns_last_reply_ns, last, sizeof(last));
		else
			snprintf(last, sizeof(last), "never");
		strbuf_printf(
			out, "%-15s %-15s %-7s %-8s %-10s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n",
			inet_v4_str(s->ns_overlay, ov), inet_v4_str(s->ns_nbma, nb),
			nhrp_nhs_state_name(s->ns_state), since, last, s->ns_requests,
			s->ns_replies, s->ns_refusals);
		if (detail)
			nhs_detail(s, now, out);
	}
}

/* show dmvpn detail: a block per peer, with what the table leaves out. */
struct dmvpn_detail_ctx {
	struct node *nd;
	struct strbuf *out;
};

static void dmvpn_detail(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg)
{
	struct dmvpn_detail_ctx *dc = arg;
	struct strbuf *out = dc->out;
	uint64_t now = clock_now(ct->ct_clock);
	const struct nhrp_nhs *s = nhs_of(ct->ct_nhrp, e->nc_overlay);
	const struct esp_sa *sa;
	char nb[INET_ADDRSTR], ov[INET_ADDRSTR], t[16];
	struct peer_stats st;

	if (e->nc_type == NC_INCOMPLETE || e->nc_type == NC_LOCAL)
		return;
	s = e->nc_type == NC_STATIC ? s : NULL;
	fmt_duration(now - (s != NULL ? s->ns_state_since_ns : e->nc_created_ns), t, sizeof(t));
	strbuf_printf(out, "Peer %s, NBMA %s: %s, %s for %s\n", inet_v4_str(e->nc_overlay, ov),
		      inet_v4_str(e->nc_nbma_seen, nb), nhrp_cache_type_name(e->nc_type),
		      s != NULL ? nhs_dmvpn_state(s) : "UP", t);
	if (e->nc_flags & NC_F_NAT)
		strbuf_printf(out, "   behind NAT: it claims NBMA %s\n",
			      inet_v4_str(e->nc_nbma, nb));
	if (e->nc_expires_ns != 0) {
		fmt_duration(e->nc_expires_ns > now ? e->nc_expires_ns - now : 0, t, sizeof(t));
		strbuf_printf(out, "   expires in %s (holding time %u s)%s\n", t, e->nc_holdtime,
			      e->nc_flags & NC_F_UNIQUE ? ", unique" : "");
	}
	if (s != NULL)
		strbuf_printf(out,
			      "   NHS: %" PRIu64 " registrations sent, %" PRIu64
			      " replies, %" PRIu64 " refused\n",
			      s->ns_requests, s->ns_replies, s->ns_refusals);
	nhrp_cache_stats(ct, e, &st);
	strbuf_printf(out,
		      "   packets out %" PRIu64 " (%" PRIu64 " bytes), in %" PRIu64 " (%" PRIu64
		      " bytes)\n",
		      st.ps_tx_pkts, st.ps_tx_bytes, st.ps_rx_pkts, st.ps_rx_bytes);
	if (dc->nd->nd_cfg->tunnel.protection != CFG_PROT_ESP) {
		strbuf_printf(out, "   crypto: none (GRE in the clear)\n");
		return;
	}
	sa = esp_mgr_ref_peek(ct, e->nc_nbma_seen);
	if (sa == NULL)
		strbuf_printf(out, "   crypto: no SA yet\n");
	else
		strbuf_printf(out, "   crypto: ESP out SPI 0x%08x, %s, %s mode%s\n", sa->sa_spi,
			      cfg_esp_alg_name((enum cfg_esp_alg)sa->sa_alg),
			      sa->sa_flags & ESP_SA_F_TUNNEL ? "tunnel" : "transport",
			      sa->sa_flags & ESP_SA_F_NATT ? ", NAT-T" : "");
}

/* Rows a page of a large table holds: one pass over the table and this
 * many rows formatted, about 2 ms at 100,000 peers (docs/reliability.md). */
#define CMD_PAGE_ROWS 512

/* fn on one page of the cache from the request's cursor; true when there
 * is more to come. */
static bool cache_page(struct ctl *ct, struct mgmt_req *req, nhrp_cache_iter_fn fn, void *arg)
{
	const struct nhrp_cache_entry *v[CMD_PAGE_ROWS];
	unsigned n = nhrp_cache_page(ct, &req->mr_page.pg_from, v, CMD_PAGE_ROWS);

	for (unsigned i = 0; i < n; i++)
		fn(ct, v[i], arg);
	return req->mr_page.pg_from != NHRP_CACHE_PAGE_END;
}

enum { PART_HEAD, PART_ROWS, PART_DETAIL };

/* show dmvpn [detail], a page a call: the heading, the table, the
 * details. */
static void show_dmvpn(struct node *nd, struct mgmt_req *req)
{
	struct ctl *ct = &nd->nd_ctl;
	const struct cfg *cfg = nd->nd_cfg;
	struct mgmt_page *pg = &req->mr_page;
	struct strbuf *out = &req->mr_out;
	struct dmvpn_detail_ctx dc = {.nd = nd, .out = out};

	if (ct->ct_nhrp == NULL) {
		strbuf_printf(out, "no tunnel configured\n");
		return;
	}
	switch (pg->pg_part) {
	case PART_HEAD:
		strbuf_printf(
			out, "Legend: Attrb --> S - Static, D - Dynamic, T - Shortcut (resolved),\n"
			     "        N - NATed, U - Unique\n\n");
		strbuf_printf(
			out,
			"Interface: %s, IPv4 NHRP Details\nType:%s, Phase:%u, NHRP Peers:%u,\n\n",
			cfg->tunnel.name, cfg->role == CFG_ROLE_HUB ? "Hub" : "Spoke",
			cfg->tunnel.phase, nhrp_cache_peers(ct));
		strbuf_printf(out, "%-15s %-15s %-5s %-8s %-5s %12s %12s\n", "Peer NBMA Addr",
			      "Peer Tunnel Add", "State", "UpDn Tm", "Attrb", "Tx pkts", "Rx pkts");
		strbuf_printf(out, "%-15s %-15s %-5s %-8s %-5s %12s %12s\n", "---------------",
			      "---------------", "-----", "--------", "-----", "------------",
			      "------------");
		pg->pg_part = PART_ROWS; /* the heading took a pass over the table */
		pg->pg_from = 0;
		req->mr_more = true;
		break;
	case PART_ROWS:
		if (cache_page(ct, req, dmvpn_row, out)) {
			req->mr_more = true;
		} else if (strcmp(req->mr_arg, "detail") == 0) {
			strbuf_printf(out, "\n");
			pg->pg_part = PART_DETAIL;
			pg->pg_from = 0;
			req->mr_more = true;
		}
		break;
	case PART_DETAIL:
		req->mr_more = cache_page(ct, req, dmvpn_detail, &dc);
		break;
	}
}

struct nhrp_row_ctx {
	struct strbuf *out;
	const char *tunnel;
	uint32_t only; /* one tunnel address, or 0 */
	bool brief, detail;
	unsigned shown;
};

/* show ip nhrp brief: one line per entry, as IOS prints it. */
static void nhrp_row_brief(struct ctl *ct, const struct nhrp_cache_entry *e, struct strbuf *out)
{
	char ov[INET_ADDRSTR], nb[INET_ADDRSTR], t[24];

	(void)ct;
	snprintf(t, sizeof(t), "%s/32", inet_v4_str(e->nc_overlay, ov));
	strbuf_printf(out, "%-18s %-15s %-15s %-10s %s%s\n", t, ov,
		      inet_v4_str(e->nc_nbma_seen, nb), nhrp_cache_type_name(e->nc_type),
		      e->nc_flags & NC_F_UNIQUE ? "U" : "", e->nc_flags & NC_F_NAT ? "N" : "");
}

static void nhrp_row(struct ctl *ct, const struct nhrp_cache_entry *e, void *arg)
{
	struct nhrp_row_ctx *rc = arg;
	struct strbuf *out = rc->out;
	uint64_t now = clock_now(ct->ct_clock);
	char ov[INET_ADDRSTR], nb[INET_ADDRSTR], cr[16], ex[16];

	if (rc->only != 0 && e->nc_overlay != rc->only)
		return;
	rc->shown++;
	if (rc->brief) {
		nhrp_row_brief(ct, e, out);
		return;
	}
	fmt_duration(now - e->nc_created_ns, cr, sizeof(cr));
	if (e->nc_expires_ns == 0)
		snprintf(ex, sizeof(ex), "never");
	else
		fmt_duration(e->nc_expires_ns > now ? e->nc_expires_ns - now : 0, ex, sizeof(ex));
	strbuf_printf(out, "%s/32 via %s\n", inet_v4_str(e->nc_overlay, ov), ov);
	strbuf_printf(out, "   %s created %s, expire %s\n", rc->tunnel, cr, ex);
	strbuf_printf(out, "   Type: %s, Flags:%s%s\n", nhrp_cache_type_name(e->nc_type),
		      e->nc_flags & NC_F_UNIQUE ? " unique" : "",
		      e->nc_flags & NC_F_NAT ? " nat" : "");
	strbuf_printf(out, "   NBMA address: %s", inet_v4_str(e->nc_nbma_seen, nb));
	if (e->nc_nbma != e->nc_nbma_seen)
		strbuf_printf(out, " (claimed %s)", inet_v4_str(e->nc_nbma, nb));
	strbuf_printf(out, "\n");
	if (rc->detail && e->nc_type != NC_INCOMPLETE && e->nc_type != NC_LOCAL) {
		struct peer_stats st;

		nhrp_cache_stats(ct, e, &st);
		strbuf_printf(out,
			      "   Holding time %u s; packets out %" PRIu64 " (%" PRIu64
			      " bytes), in %" PRIu64 " (%" PRIu64 " bytes)\n",
			      e->nc_holdtime, st.ps_tx_pkts, st.ps_tx_bytes, st.ps_rx_pkts,
			      st.ps_rx_bytes);
	}
}

static void show_nhrp_stats(struct node *nd, struct strbuf *out)
{
	const struct nhrp *nh = nd->nd_ctl.ct_nhrp;
	uint64_t dropped;

	if (nh == NULL) {
		strbuf_printf(out, "no tunnel configured\n");
		return;
	}
	strbuf_printf(out, "%-22s %10s %10s %10s\n", "Type", "Sent", "Received", "Errors");
	for (unsigned t = 1; t < NHRP_TYPES; t++)
		strbuf_printf(out, "%-22s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			      nhrp_type_name(t), nh->nh_stats.st_sent[t], nh->nh_stats.st_recv[t],
			      nh->nh_stats.st_err[t]);
	if (nh->nh_is_hub)
		strbuf_printf(
			out,
			"\nBindings moved to a new NBMA address by the same IKE identity: %" PRIu64
			"\n",
			nh->nh_stats.st_moved);
	strbuf_printf(out, "\nDropped or refused on receive:\n");
	dropped = 0;
	for (unsigned d = 1; d < NHRP_DECODE_COUNT; d++)
		dropped += nh->nh_stats.st_decode[d];
	for (unsigned d = 0; d < NHRP_DROP_COUNT; d++)
		dropped += nh->nh_stats.st_drop[d];
	if (dropped == 0)
		strbuf_printf(out, "  none\n");
	for (unsigned d = 1; d < NHRP_DECODE_COUNT; d++)
		if (nh->nh_stats.st_decode[d] != 0)
			strbuf_printf(out, "  %-30s %" PRIu64 "\n", nhrp_decode_err_name(-(int)d),
				      nh->nh_stats.st_decode[d]);
	for (unsigned d = 0; d < NHRP_DROP_COUNT; d++)
		if (nh->nh_stats.st_drop[d] != 0)
			strbuf_printf(out, "  %-30s %" PRIu64 "\n", nhrp_drop_name(d),
				      nh->nh_stats.st_drop[d]);
}

/* clear ip nhrp: every learned entry (static and our own stay), a page
 * a call; the one of a tunnel address; or the counters. */
static void clear_ip_nhrp(struct ctl *ct, struct mgmt_req *req)
{
	const char *arg = req->mr_arg;
	struct strbuf *out = &req->mr_out;
	struct mgmt_page *pg = &req->mr_page;
	struct nhrp_cache_entry *e;
	uint32_t a = 0;

	if (ct->ct_nhrp == NULL) {
		strbuf_printf(out, "no tunnel configured\n");
		return;
	}
	if (strcmp(arg, "counters") == 0) {
		memset(&ct->ct_nhrp->nh_stats, 0, sizeof(ct->ct_nhrp->nh_stats));
		strbuf_printf(out, "NHRP counters cleared\n");
		return;
	}
	if (arg[0] == '\0') {
		pg->pg_count += nhrp_cache_clear_page(ct, &pg->pg_from, CMD_PAGE_ROWS);
		req->mr_more = pg->pg_from != NHRP_CACHE_PAGE_END;
		if (!req->mr_more)
			strbuf_printf(out, "cleared %" PRIu64 " NHRP entries\n", pg->pg_count);
		return;
	}
	inet_v4_parse(arg, &a);
	e = nhrp_cache_lookup(ct, a);
	if (e == NULL || e->nc_type == NC_INCOMPLETE)
		strbuf_printf(out, "%% no NHRP entry for %s\n", arg);
	else if (e->nc_type == NC_STATIC || e->nc_type == NC_LOCAL)
		strbuf_printf(out, "%% %s is a %s entry: only learned ones are cleared\n", arg,
			      nhrp_cache_type_name(e->nc_type));
	else {
		nhrp_cache_remove(ct, a);
		strbuf_printf(out, "cleared the NHRP entry for %s\n", arg);
	}
}

/* show ip nhrp [brief | detail | A.B.C.D], a page a call. */
static void show_ip_nhrp(struct node *nd, struct mgmt_req *req)
{
	struct ctl *ct = &nd->nd_ctl;
	struct nhrp_row_ctx rc = {.out = &req->mr_out, .tunnel = nd->nd_cfg->tunnel.name};
	const struct nhrp_cache_entry *e;

	rc.brief = strcmp(req->mr_arg, "brief") == 0;
	rc.detail = strcmp(req->mr_arg, "detail") == 0;
	if (req->mr_arg[0] != '\0' && !rc.brief && !rc.detail) {
		inet_v4_parse(req->mr_arg, &rc.only);
		e = ct->ct_nhrp != NULL ? nhrp_cache_lookup(ct, rc.only) : NULL;
		if (e != NULL)
			nhrp_row(ct, e, &rc);
		else
			strbuf_printf(&req->mr_out, "%% no NHRP entry for %s\n", req->mr_arg);
		return;
	}
	if (req->mr_page.pg_part == PART_HEAD) {
		if (rc.brief)
			strbuf_printf(&req->mr_out, "%-18s %-15s %-15s %-10s %s\n", "Target", "Via",
				      "NBMA", "Mode", "Flags");
		req->mr_page.pg_part = PART_ROWS;
	}
	if (ct->ct_nhrp != NULL)
		req->mr_more = cache_page(ct, req, nhrp_row, &rc);
}

void cmd_nhrp_dispatch(struct node *nd, struct mgmt_req *req)
{
	struct ctl *ct = &nd->nd_ctl;

	switch (req->mr_cmd) {
	case MGMT_SHOW_DMVPN:
		show_dmvpn(nd, req);
		break;
	case MGMT_SHOW_IP_NHRP:
		show_ip_nhrp(nd, req);
		break;
	case MGMT_SHOW_NHRP_STATS:
		show_nhrp_stats(nd, &req->mr_out);
		break;
	case MGMT_SHOW_IP_NHRP_NHS:
		show_nhrp_nhs(nd, req->mr_arg, &req->mr_out);
		break;
	case MGMT_CLEAR_IP_NHRP:
		clear_ip_nhrp(ct, req);
		break;
	default:
		req->mr_rc = -EOPNOTSUPP;
		break;
	}
}
