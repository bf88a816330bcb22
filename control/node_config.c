/* The configuration while the node runs: changes from configure terminal
 * and from the file (SIGHUP) applied live, write memory, the startup
 * config. A change is all or nothing: it is validated as a whole config,
 * anything that cannot change live refuses it, and only then is it applied.
 *
 * Live today: static routes (added, removed, changed; only the changed
 * prefixes are touched, so traffic elsewhere does not notice),
 * tunnel.holdtime, tunnel.nhrp-authentication, tunnel.network-id,
 * tunnel.phase, a spoke's tunnel.nhs list, what IKE-lite negotiates with
 * (tunnel.esp.ike: proposals, lifetimes, dpd, idle, pfs, identities,
 * PSKs, certificates, peers, fragments; established SAs stay), eal.log-level,
 * logging's levels and destination. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inet.h"
#include "log.h"
#include "ike_keying.h"
#include "nhrp.h"
#include "node.h"

_Static_assert(CFG_LOG_SUBSYS == LOG_SUBSYS_COUNT, "the config names every log subsystem");

/* IKE's live parts (ike_keying_reconfigure) blanked; with `all`, the
 * positions in the file too, which move when lines are added above. */
static void config_blank_ike(struct cfg_ike *k, bool all)
{
	if (all) {
		k->pos = k->pos_psk = k->pos_local_id = k->pos_auth = k->pos_cert =
			(struct cfg_pos){0};
		for (unsigned i = 0; i < CFG_IKE_MAX_PEERS; i++)
			k->peers[i].pos = k->peers[i].pos_id = k->peers[i].pos_psk =
				(struct cfg_pos){0};
		return;
	}
	k->n_proposals = 0;
	memset(k->proposals, 0, sizeof(k->proposals));
	k->psk_len = 0;
	memset(k->psk, 0, sizeof(k->psk));
	memset(k->psk_file, 0, sizeof(k->psk_file));
	k->lifetime_s = k->child_lifetime_s = k->dpd_s = k->idle_s = 0;
	memset(&k->local_id, 0, sizeof(k->local_id));
	k->auth = CFG_IKE_AUTH_PSK;
	memset(k->cert, 0, sizeof(k->cert));
	memset(k->key, 0, sizeof(k->key));
	memset(k->ca, 0, sizeof(k->ca));
	memset(k->crl, 0, sizeof(k->crl));
	k->pfs = 0;
	k->fragmentation = false;
	k->fragment_size = 0;
	k->n_peers = 0;
	memset(k->peers, 0, sizeof(k->peers));
	k->pos_psk = k->pos_local_id = k->pos_auth = k->pos_cert = (struct cfg_pos){0};
}

/* Whether a and b differ in what IKE-lite negotiates with. */
static bool config_ike_changed(const struct cfg_ike *a, const struct cfg_ike *b)
{
	struct cfg_ike *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	bool changed = true;

	if (x != NULL && y != NULL) {
		*x = *a;
		*y = *b;
		config_blank_ike(x, true);
		config_blank_ike(y, true);
		changed = memcmp(x, y, sizeof(*x)) != 0;
		explicit_bzero(x, sizeof(*x));
		explicit_bzero(y, sizeof(*y));
	}
	free(x);
	free(y);
	return changed;
}

/* The config with the live parts blanked: two configs that differ only
 * there dump the same. */
static void config_blank_live(struct cfg *c)
{
	config_blank_ike(&c->tunnel.esp.ike, false);
	c->n_routes = 0;
	memset(c->routes, 0, sizeof(c->routes));
	c->tunnel.holdtime = 0;
	c->tunnel.reg_interval = 0;
	c->tunnel.pos_reg_interval = (struct cfg_pos){0};
	memset(c->tunnel.nhrp_auth, 0, sizeof(c->tunnel.nhrp_auth));
	c->tunnel.network_id = 0;
	c->tunnel.phase = 0;
	c->tunnel.n_nhs = 0;
	memset(c->tunnel.nhs, 0, sizeof(c->tunnel.nhs));
	c->tunnel.pos_nhs = (struct cfg_pos){0};
	c->tunnel.n_reg_allow = 0;
	memset(c->tunnel.reg_allow, 0, sizeof(c->tunnel.reg_allow));
	c->tunnel.pos_reg_allow = (struct cfg_pos){0};
	memset(c->eal.log_level, 0, sizeof(c->eal.log_level));
	memset(c->logging.levels, 0, sizeof(c->logging.levels));
	c->logging.dest = CFG_LOG_STDERR;
}

void node_log_apply(const struct cfg *c)
{
	int all = log_level_parse(c->eal.log_level);

	log_set_level(all);
	for (unsigned i = 0; i < CFG_LOG_SUBSYS; i++)
		if (c->logging.levels[i][0] != '\0')
			log_set_subsys_level(i, log_level_parse(c->logging.levels[i]));
	log_stream_set_dest(c->logging.dest == CFG_LOG_SYSLOG ? LOG_DEST_SYSLOG : LOG_DEST_STDERR);
}

static bool config_log_changed(const struct cfg *a, const struct cfg *b)
{
	return strcmp(a->eal.log_level, b->eal.log_level) != 0 ||
	       memcmp(a->logging.levels, b->logging.levels, sizeof(a->logging.levels)) != 0 ||
	       a->logging.dest != b->logging.dest;
}

/* The first line where the dumps of a and b differ, into msg. */
static void config_first_difference(const char *a, const char *b, struct strbuf *msg)
{
	const char *sec_a = "", *ea, *eb;
	size_t sec_len = 0;

	for (;;) {
		ea = strchr(a, '\n');
		eb = strchr(b, '\n');
		if (ea == NULL || eb == NULL || ea - a != eb - b ||
		    memcmp(a, b, (size_t)(ea - a)) != 0)
			break;
		if (*a != ' ' && *a != '-') {
			sec_a = a;
			sec_len = (size_t)(ea - a);
		}
		a = ea + 1;
		b = eb + 1;
	}
	strbuf_printf(
		msg,
		"%.*s cannot change while the node runs (now '%.*s', asked '%.*s'): restart to apply",
		(int)(sec_len > 0 ? sec_len - 1 : 0), sec_a,
		(int)(ea != NULL ? ea - a : (long)strlen(a)), a,
		(int)(eb != NULL ? eb - b : (long)strlen(b)), b);
}

/* 0 when next differs from the running config in live parts only. */
static int config_check_live(const struct cfg *run, const struct cfg *next, struct strbuf *msg)
{
	struct cfg *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct strbuf da, db;
	int rc = 0;

	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	*a = *run;
	*b = *next;
	config_blank_live(a);
	config_blank_live(b);
	strbuf_init(&da);
	strbuf_init(&db);
	cfg_dump(a, &da);
	cfg_dump(b, &db);
	if (da.sb_oom || db.sb_oom) {
		rc = -ENOMEM;
	} else if (strcmp(strbuf_str(&da), strbuf_str(&db)) != 0) {
		config_first_difference(strbuf_str(&da), strbuf_str(&db), msg);
		rc = -EPERM;
	}
	strbuf_fini(&da);
	strbuf_fini(&db);
	explicit_bzero(a, sizeof(*a));
	explicit_bzero(b, sizeof(*b));
	free(a);
	free(b);
	return rc;
}

static bool reg_allow_same(const struct cfg_tunnel *a, const struct cfg_tunnel *b)
{
	if (a->n_reg_allow != b->n_reg_allow)
		return false;
	for (unsigned i = 0; i < a->n_reg_allow; i++)
		if (a->reg_allow[i].address.addr != b->reg_allow[i].address.addr ||
		    a->reg_allow[i].address.len != b->reg_allow[i].address.len ||
		    a->reg_allow[i].nbma.addr != b->reg_allow[i].nbma.addr ||
		    a->reg_allow[i].nbma.len != b->reg_allow[i].nbma.len)
			return false;
	return true;
}

static bool nhs_same(const struct cfg_tunnel *a, const struct cfg_tunnel *b)
{
	if (a->n_nhs != b->n_nhs)
		return false;
	for (unsigned i = 0; i < a->n_nhs; i++)
		if (a->nhs[i].nbma != b->nhs[i].nbma || a->nhs[i].overlay != b->nhs[i].overlay ||
		    a->nhs[i].priority != b->nhs[i].priority)
			return false;
	return true;
}

/* The tunnel's NHRP settings that change live besides holdtime and
 * authentication: network-id, phase, the spoke's NHSes. */
static void config_apply_tunnel(struct node *nd, const struct cfg *run, const struct cfg *next,
				struct strbuf *msg)
{
	const struct cfg_tunnel *a = &run->tunnel, *b = &next->tunnel;
	struct nhrp *nh = nd->nd_ctl.ct_nhrp;
	unsigned added, removed;

	if (a->network_id != b->network_id)
		strbuf_printf(msg, "%snetwork-id %u -> %u", msg->sb_len ? "; " : "", a->network_id,
			      b->network_id);
	if (nh == NULL)
		return;
	if (a->phase != b->phase) {
		nhrp_set_phase(nh, b->phase);
		strbuf_printf(msg, "%sphase %u -> %u", msg->sb_len ? "; " : "", a->phase, b->phase);
	}
	if (!nhs_same(a, b) && next->role == CFG_ROLE_SPOKE) {
		nhrp_nhc_nhs_update(nh, b, &added, &removed);
		strbuf_printf(msg, "%sNHSes: %u added, %u removed%s", msg->sb_len ? "; " : "",
			      added, removed,
			      added == 0 && removed == 0 ? ", priorities changed" : "");
	}
}

static bool route_same(const struct cfg_route *a, const struct cfg_route *b)
{
	return a->prefix.addr == b->prefix.addr && a->prefix.len == b->prefix.len &&
	       a->via == b->via && a->distance == b->distance;
}

static bool route_in(const struct cfg_route *r, const struct cfg *c)
{
	for (unsigned i = 0; i < c->n_routes; i++)
		if (route_same(r, &c->routes[i]))
			return true;
	return false;
}

/* The prefixes whose routes differ between a and b, each once, into p. */
static unsigned routes_touched(const struct cfg *a, const struct cfg *b,
			       struct cfg_prefix p[2 * CFG_MAX_ROUTES], unsigned *added,
			       unsigned *removed)
{
	const struct cfg *side[2] = {a, b};
	unsigned n = 0;

	*added = *removed = 0;
	for (unsigned s = 0; s < 2; s++)
		for (unsigned i = 0; i < side[s]->n_routes; i++) {
			const struct cfg_route *r = &side[s]->routes[i];
			unsigned k;

			if (route_in(r, side[1 - s]))
				continue;
			*(s == 0 ? removed : added) += 1;
			for (k = 0; k < n; k++)
				if (p[k].addr == r->prefix.addr && p[k].len == r->prefix.len)
					break;
			if (k == n)
				p[n++] = r->prefix;
		}
	return n;
}

/* Each prefix whose routes changed gets next's best route. If that fails,
 * every touched prefix goes back to run's: the FIB ends as it began. */
static int config_apply_routes(struct node *nd, const struct cfg *run, const struct cfg *next,
			       struct strbuf *msg)
{
	struct cfg_prefix p[2 * CFG_MAX_ROUTES];
	unsigned added, removed, n = routes_touched(run, next, p, &added, &removed), i;
	char a[INET_ADDRSTR];
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = node_route_static_sync(nd, next, p[i].addr, p[i].len);
	if (rc != 0) {
		strbuf_printf(msg, "route %s/%u: %s", inet_v4_str(p[i - 1].addr, a), p[i - 1].len,
			      rc == -ENOSPC ? "the routing table is full" : strerror(-rc));
		for (unsigned j = 0; j < i; j++)
			node_route_static_sync(nd, run, p[j].addr, p[j].len);
		return rc;
	}
	if (added || removed)
		strbuf_printf(msg, "%sroutes: %u added, %u removed", msg->sb_len ? "; " : "", added,
			      removed);
	return 0;
}

int node_config_apply(struct node *nd, const struct cfg *next, struct strbuf *msg)
{
	struct cfg *run = nd->nd_cfg;
	int rc = config_check_live(run, next, msg);
	bool ike;

	if (rc != 0) {
		if (rc == -ENOMEM)
			strbuf_printf(msg, "out of memory");
		return rc;
	}
	/* First what reads files and can still fail: then nothing is applied. */
	ike = nd->nd_ctl.ct_ike != NULL &&
	      config_ike_changed(&run->tunnel.esp.ike, &next->tunnel.esp.ike);
	if (ike) {
		rc = ike_keying_reconfigure(&nd->nd_ctl, &next->tunnel.esp, msg);
		if (rc != 0)
			return rc;
		strbuf_printf(msg, "IKE: new exchanges use the new settings");
	}
	rc = config_apply_routes(nd, run, next, msg);
	if (rc != 0) {
		if (ike) /* back as it was: it loaded a moment ago */
			ike_keying_reconfigure(&nd->nd_ctl, &run->tunnel.esp, msg);
		return rc;
	}
	if (nd->nd_ctl.ct_nhrp != NULL &&
	    (run->tunnel.holdtime != next->tunnel.holdtime ||
	     !reg_allow_same(&run->tunnel, &next->tunnel) ||
	     run->tunnel.reg_interval != next->tunnel.reg_interval ||
	     strcmp(run->tunnel.nhrp_auth, next->tunnel.nhrp_auth) != 0)) {
		if (run->tunnel.holdtime != next->tunnel.holdtime)
			strbuf_printf(msg, "%sholdtime %u -> %u s", msg->sb_len ? "; " : "",
				      run->tunnel.holdtime, next->tunnel.holdtime);
		if (run->tunnel.reg_interval != next->tunnel.reg_interval)
			strbuf_printf(msg, "%sregistration interval %u -> %u s",
				      msg->sb_len ? "; " : "", nhrp_reg_interval(&run->tunnel),
				      nhrp_reg_interval(&next->tunnel));
		if (strcmp(run->tunnel.nhrp_auth, next->tunnel.nhrp_auth) != 0)
			strbuf_printf(msg, "%sNHRP authentication changed",
				      msg->sb_len ? "; " : "");
		if (!reg_allow_same(&run->tunnel, &next->tunnel))
			strbuf_printf(msg,
				      "%sregistration-allow: %u entries (for new registrations "
				      "and refreshes)",
				      msg->sb_len ? "; " : "", next->tunnel.n_reg_allow);
		nhrp_reconfigure(nd->nd_ctl.ct_nhrp, &next->tunnel);
	}
	config_apply_tunnel(nd, run, next, msg);
	if (strcmp(run->eal.log_level, next->eal.log_level) != 0)
		strbuf_printf(msg, "%slog level %s -> %s", msg->sb_len ? "; " : "",
			      run->eal.log_level, next->eal.log_level);
	else if (config_log_changed(run, next))
		strbuf_printf(msg, "%slogging changed", msg->sb_len ? "; " : "");
	if (config_log_changed(run, next)) {
		node_log_apply(next);
		ike_keying_log_level(&nd->nd_ctl);
	}
	if (msg->sb_len == 0)
		strbuf_printf(msg, "no change");
	/* In place: parts of the node point into the running config. */
	{
		char file[sizeof(run->file)];

		memcpy(file, run->file, sizeof(file));
		*run = *next;
		memcpy(run->file, file, sizeof(file));
	}
	return 0;
}

int node_config_reload(struct node *nd, struct strbuf *msg)
{
	struct cfg *next = malloc(sizeof(*next));
	struct cfg_err err;
	int rc;

	if (next == NULL)
		return -ENOMEM;
	rc = cfg_load_file(nd->nd_cfg->file, next, &err);
	if (rc != 0) {
		strbuf_printf(msg, "%s", err.msg);
		rc = -EINVAL;
	} else {
		rc = node_config_apply(nd, next, msg);
	}
	explicit_bzero(next, sizeof(*next));
	free(next);
	return rc;
}

static int config_write_fd(int fd, const struct strbuf *text)
{
	const char *p = strbuf_str(text);
	size_t left = text->sb_len;
	ssize_t n;

	while (left > 0) {
		n = write(fd, p, left);
		if (n < 0)
			return -errno;
		p += n;
		left -= (size_t)n;
	}
	return fsync(fd) != 0 ? -errno : 0;
}

int node_config_write(struct node *nd, struct strbuf *msg)
{
	const char *path = nd->nd_cfg->file;
	char tmp[CFG_PATH_MAX + 8], bak[CFG_PATH_MAX + 8], baktmp[CFG_PATH_MAX + 16];
	struct strbuf text;
	mode_t mode = 0600;
	struct stat st;
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	snprintf(baktmp, sizeof(baktmp), "%s.bak.new", path);
	if (stat(path, &st) == 0)
		mode = st.st_mode & 0666;
	strbuf_init(&text);
	strbuf_printf(&text, "# Written by dmvpnd (write memory): the running configuration.\n");
	cfg_dump(nd->nd_cfg, &text);
	if (text.sb_oom) {
		strbuf_fini(&text);
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = fchmod(fd, mode) != 0 ? -errno : config_write_fd(fd, &text);
	close(fd);
	/* The previous file stays as FILE.bak; at no moment is FILE absent. */
	if (rc == 0 && access(path, F_OK) == 0) {
		unlink(baktmp);
		if (link(path, baktmp) != 0 || rename(baktmp, bak) != 0)
			rc = -errno;
	}
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
out:
	explicit_bzero(text.sb_buf, text.sb_cap);
	strbuf_fini(&text);
	if (rc == 0)
		strbuf_printf(msg, "wrote %s (the previous one is %s)", path, bak);
	else
		strbuf_printf(msg, "cannot write %s: %s", path, strerror(-rc));
	return rc;
}

/* ---- configure terminal's commands ---- */

/* A validation error carries the file's name and a position in it; for
 * a line typed at the CLI the position is 0:0 and means nothing. */
static const char *config_err_text(const char *e)
{
	const char *p = strstr(e, ":0:0: ");

	return p != NULL ? p + 6 : e;
}

void node_config_command(struct node *nd, const char *line, struct mgmt_req *req)
{
	struct cfg *next = malloc(sizeof(*next));
	char buf[sizeof(req->mr_arg)];
	struct strbuf msg;
	struct cfg_err err;
	int rc;

	if (next == NULL) {
		req->mr_rc = -ENOMEM;
		return;
	}
	strbuf_init(&msg);
	*next = *nd->nd_cfg;
	snprintf(buf, sizeof(buf), "%s", line);
	rc = cfg_edit_line(next, buf, &msg);
	if (rc == 0 && cfg_validate(next, &err) != 0) {
		strbuf_printf(&msg, "%s", config_err_text(err.msg));
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = node_config_apply(nd, next, &msg);
	if (rc == 0) {
		char shown[sizeof(buf) + 64];

		cfg_edit_redact(line, shown, sizeof(shown));
		LOG_MAIN(NOTICE, "configured: %s (%s)", shown, strbuf_str(&msg));
	}
	strbuf_printf(&req->mr_out, "%s%s\n", rc == 0 ? "" : "% ", strbuf_str(&msg));
	strbuf_fini(&msg);
	explicit_bzero(next, sizeof(*next));
	free(next);
}

/* The file as the node would load it now, secrets hidden as in show
 * running-config, or why it would not load. */
void node_config_show_startup(struct node *nd, struct strbuf *out)
{
	struct cfg *c = malloc(sizeof(*c));
	struct cfg_err err;

	if (c == NULL) {
		strbuf_printf(out, "%% out of memory\n");
		return;
	}
	if (cfg_load_file(nd->nd_cfg->file, c, &err) != 0)
		strbuf_printf(out, "%% %s\n", err.msg);
	else
		cfg_dump_opts(c, out, false);
	explicit_bzero(c, sizeof(*c));
	free(c);
}
