/* Configuration commands as an operator types them (configure terminal),
 * applied to a config struct: pure, no node. The caller validates the
 * result as a whole and applies it (control/node_config.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "inet.h"
#include "strbuf.h"
#include "words.h"

static bool edit_log_level(const char *w)
{
	static const char *const levels[] = {"error", "warning", "notice", "info", "debug", NULL};

	for (int i = 0; levels[i] != NULL; i++)
		if (strcmp(w, levels[i]) == 0)
			return true;
	return false;
}

/* "A.B.C.D/N" or "A.B.C.D M.M.M.M" (IOS) into p; returns words used. */
static int edit_prefix(char **w, int n, struct cfg_prefix *p)
{
	uint32_t a, m;
	char *slash;
	long len;

	if (n >= 1 && (slash = strchr(w[0], '/')) != NULL) {
		*slash = '\0';
		if (slash[1] == '\0' || strlen(slash + 1) > 2 ||
		    strspn(slash + 1, "0123456789") != strlen(slash + 1))
			return -1;
		len = strtol(slash + 1, NULL, 10);
		if (inet_v4_parse(w[0], &a) != 0 || len > 32)
			return -1;
		p->addr = a;
		p->len = (uint8_t)len;
		return 1;
	}
	if (n >= 2 && inet_v4_parse(w[0], &a) == 0 && inet_v4_parse(w[1], &m) == 0) {
		len = __builtin_popcount(m);
		if (inet_v4_mask((unsigned)len) != m)
			return -1;
		p->addr = a;
		p->len = (uint8_t)len;
		return 2;
	}
	return -1;
}

/* A decimal number lo..hi, or -1. */
static long long edit_num(const char *w, long long lo, long long hi)
{
	long long v;

	if (w[0] == '\0' || strspn(w, "0123456789") != strlen(w) || strlen(w) > 10)
		return -1;
	v = strtoll(w, NULL, 10);
	return v >= lo && v <= hi ? v : -1;
}

/* ip route PREFIX VIA [DISTANCE] | no ip route PREFIX [VIA]: without a next
 * hop, every route for the prefix goes (as IOS does). */
static int edit_route(struct cfg *c, bool no, char **w, int n, struct strbuf *msg)
{
	struct cfg_prefix p;
	uint32_t via = 0;
	int used = edit_prefix(w, n, &p);
	long long dist = CFG_ROUTE_DISTANCE;
	unsigned i, k;

	if (used < 0 || (!no && n != used + 1 && n != used + 2) || (no && n > used + 1) ||
	    (n >= used + 1 && inet_v4_parse(w[used], &via) != 0) ||
	    (n == used + 2 && (dist = edit_num(w[used + 1], 1, 255)) < 0)) {
		strbuf_printf(msg, "usage: [no] ip route A.B.C.D/LEN|A.B.C.D M.M.M.M A.B.C.D "
				   "[distance 1..255]");
		return -EINVAL;
	}
	if ((p.addr & ~inet_v4_mask(p.len)) != 0) {
		char a[INET_ADDRSTR], b[INET_ADDRSTR];

		strbuf_printf(msg, "%s/%u has host bits set; did you mean %s/%u?",
			      inet_v4_str(p.addr, a), p.len,
			      inet_v4_str(p.addr & inet_v4_mask(p.len), b), p.len);
		return -EINVAL;
	}
	if (no) {
		for (i = k = 0; i < c->n_routes; i++)
			if (c->routes[i].prefix.addr != p.addr ||
			    c->routes[i].prefix.len != p.len ||
			    (via != 0 && c->routes[i].via != via))
				c->routes[k++] = c->routes[i];
		if (k == c->n_routes) {
			strbuf_printf(msg, "no such static route");
			return -ENOENT;
		}
		c->n_routes = k;
		return 0;
	}
	for (i = 0; i < c->n_routes; i++)
		if (c->routes[i].prefix.addr == p.addr && c->routes[i].prefix.len == p.len &&
		    c->routes[i].via == via)
			break;
	if (i == c->n_routes) {
		if (c->n_routes >= CFG_MAX_ROUTES) {
			strbuf_printf(msg, "at most %u static routes", CFG_MAX_ROUTES);
			return -ENOSPC;
		}
		c->n_routes++;
	}
	memset(&c->routes[i], 0, sizeof(c->routes[i]));
	c->routes[i].prefix = p;
	c->routes[i].via = via;
	c->routes[i].distance = (uint8_t)dist;
	return 0;
}

/* ip nhrp nhs OVERLAY nbma NBMA [priority N] | no ip nhrp nhs OVERLAY */
static int edit_nhs(struct cfg *c, bool no, char **w, int n, struct strbuf *msg)
{
	struct cfg_tunnel *t = &c->tunnel;
	uint32_t ov, nbma = 0;
	long prio = 0;
	unsigned i;

	if (n < 1 || inet_v4_parse(w[0], &ov) != 0 || (no && n != 1) ||
	    (!no && (n != 3 && n != 5)) ||
	    (!no && (strcmp(w[1], "nbma") != 0 || inet_v4_parse(w[2], &nbma) != 0)) ||
	    (!no && n == 5 &&
	     (strcmp(w[3], "priority") != 0 || strspn(w[4], "0123456789") != strlen(w[4]) ||
	      strlen(w[4]) > 3 || (prio = strtol(w[4], NULL, 10)) > 255))) {
		strbuf_printf(msg, "usage: ip nhrp nhs A.B.C.D nbma A.B.C.D [priority 0..255] | "
				   "no ip nhrp nhs A.B.C.D");
		return -EINVAL;
	}
	for (i = 0; i < t->n_nhs; i++)
		if (t->nhs[i].overlay == ov)
			break;
	if (no) {
		if (i == t->n_nhs) {
			strbuf_printf(msg, "no such NHS");
			return -ENOENT;
		}
		memmove(&t->nhs[i], &t->nhs[i + 1], (t->n_nhs - i - 1) * sizeof(t->nhs[0]));
		t->n_nhs--;
		return 0;
	}
	if (i == t->n_nhs) {
		if (t->n_nhs >= CFG_MAX_NHS) {
			strbuf_printf(msg, "at most %u NHSes", CFG_MAX_NHS);
			return -ENOSPC;
		}
		t->n_nhs++;
	}
	memset(&t->nhs[i], 0, sizeof(t->nhs[i]));
	t->nhs[i].overlay = ov;
	t->nhs[i].nbma = nbma;
	t->nhs[i].priority = (uint8_t)prio;
	return 0;
}

/* The phase commands: ip nhrp phase N, and IOS's switches, ip nhrp
 * redirect on a hub and ip nhrp shortcut on a spoke (3; no: 2). */
static int edit_phase(struct cfg *c, bool no, char **w, int n, struct strbuf *msg)
{
	bool hub = c->role == CFG_ROLE_HUB;
	long long ph;

	if (strcmp(w[0], "phase") == 0) {
		if (no || n != 2 || (ph = edit_num(w[1], 1, 3)) < 0) {
			strbuf_printf(msg, "usage: ip nhrp phase 1|2|3");
			return -EINVAL;
		}
		c->tunnel.phase = (uint8_t)ph;
		return 0;
	}
	if (n != 1) {
		strbuf_printf(msg, "usage: [no] ip nhrp %s", w[0]);
		return -EINVAL;
	}
	if (hub != (strcmp(w[0], "redirect") == 0)) {
		strbuf_printf(msg, "ip nhrp %s is for a %s", w[0], hub ? "spoke" : "hub");
		return -EINVAL;
	}
	c->tunnel.phase = no ? 2 : 3;
	return 0;
}

/* A PSK as the file holds it: 16..128 bytes. */
static int edit_psk(const char *w, uint8_t *psk, uint8_t *len, char *file, struct strbuf *msg)
{
	size_t n = strlen(w);

	if (n < 16 || n > CFG_IKE_PSK_MAX) {
		strbuf_printf(msg, "a PSK must be 16..%u bytes long, got %zu", CFG_IKE_PSK_MAX, n);
		return -EINVAL;
	}
	memset(psk, 0, CFG_IKE_PSK_MAX);
	memcpy(psk, w, n);
	*len = (uint8_t)n;
	file[0] = '\0';
	return 0;
}

/* crypto ikev2 psk WORD | crypto ikev2 peer A.B.C.D psk WORD |
 * no crypto ikev2 peer A.B.C.D | crypto ikev2 proposal NAME... */
static int edit_ike(struct cfg *c, bool no, char **w, int n, struct strbuf *msg)
{
	struct cfg_ike *k = &c->tunnel.esp.ike;
	uint32_t a;
	unsigned i, j;

	if (n == 2 && !no && strcmp(w[0], "psk") == 0)
		return edit_psk(w[1], k->psk, &k->psk_len, k->psk_file, msg);
	if (n >= 2 && strcmp(w[0], "peer") == 0 && inet_v4_parse(w[1], &a) == 0 && a != 0 &&
	    (no ? n == 2 : n == 4 && strcmp(w[2], "psk") == 0)) {
		if (no) {
			for (i = j = 0; i < k->n_peers; i++)
				if (k->peers[i].addr != a)
					k->peers[j++] = k->peers[i];
			if (j == k->n_peers) {
				strbuf_printf(msg, "no IKE peer with address %s", w[1]);
				return -ENOENT;
			}
			k->n_peers = j;
			return 0;
		}
		for (i = 0; i < k->n_peers && k->peers[i].addr != a; i++)
			;
		if (i == k->n_peers) {
			if (k->n_peers >= CFG_IKE_MAX_PEERS) {
				strbuf_printf(msg, "at most %u IKE peers", CFG_IKE_MAX_PEERS);
				return -ENOSPC;
			}
			memset(&k->peers[i], 0, sizeof(k->peers[i]));
			k->peers[i].addr = a;
			k->n_peers++;
		}
		k->peers[i].has_auth = true;
		k->peers[i].auth = CFG_IKE_AUTH_PSK;
		return edit_psk(w[3], k->peers[i].psk, &k->peers[i].psk_len, k->peers[i].psk_file,
				msg);
	}
	if (n >= 2 && !no && strcmp(w[0], "proposal") == 0 && n - 1 <= CFG_IKE_MAX_PROPOSALS) {
		struct cfg_ike_prop p[CFG_IKE_MAX_PROPOSALS];

		for (i = 0; i < (unsigned)n - 1; i++)
			if (cfg_ike_prop_parse(w[i + 1], &p[i]) != 0) {
				strbuf_printf(
					msg,
					"'%s' is not a proposal (aes256gcm16-prfsha256-x25519)",
					w[i + 1]);
				return -EINVAL;
			}
		memcpy(k->proposals, p, (n - 1) * sizeof(p[0]));
		k->n_proposals = (unsigned)n - 1;
		return 0;
	}
	strbuf_printf(msg,
		      "usage: crypto ikev2 psk WORD | [no] crypto ikev2 peer A.B.C.D [psk WORD] | "
		      "crypto ikev2 proposal NAME... (at most %u)",
		      CFG_IKE_MAX_PROPOSALS);
	return -EINVAL;
}

void cfg_edit_redact(const char *line, char *out, size_t len)
{
	size_t o = 0;
	bool secret = false;

	out[0] = '\0';
	for (const char *p = line; *p != '\0' && o + 1 < len;) {
		size_t n = strcspn(p, " ");
		const char *word = secret ? "<hidden>" : p;
		size_t wn = secret ? strlen("<hidden>") : n;

		o += (size_t)snprintf(out + o, len - o, "%.*s%s", (int)wn, word,
				      p[n] == ' ' ? " " : "");
		secret = (n == 3 && strncmp(p, "psk", 3) == 0) ||
			 (n == 14 && strncmp(p, "authentication", 14) == 0);
		p += n + (p[n] == ' ');
	}
}

int cfg_edit_line(struct cfg *c, const char *text, struct strbuf *msg)
{
	char line[256], *w[CFG_EDIT_WORDS];
	int n = 0, rc = -EINVAL;
	bool no = false;

	if (strlen(text) >= sizeof(line)) {
		strbuf_printf(msg, "line too long");
		return -EINVAL;
	}
	/* Words are printable ASCII: what the YAML file can hold as typed. */
	for (const char *p = text; *p != '\0'; p++)
		if ((*p < 0x21 || *p > 0x7e) && *p != ' ') {
			strbuf_printf(msg, "only printable ASCII characters, separated by spaces");
			return -EINVAL;
		}
	snprintf(line, sizeof(line), "%s", text);
	n = words_split(line, w, CFG_EDIT_WORDS);
	if (n < 0) {
		strbuf_printf(msg, "too many words: no command here takes more than %u",
			      CFG_EDIT_WORDS);
		return -EINVAL;
	}
	if (n > 0 && strcmp(w[0], "no") == 0) {
		no = true;
		memmove(w, w + 1, (size_t)--n * sizeof(w[0]));
	}
	if (n >= 2 && strcmp(w[0], "ip") == 0 && strcmp(w[1], "route") == 0)
		return edit_route(c, no, w + 2, n - 2, msg);
	if (n == 4 && !no && strcmp(w[0], "ip") == 0 && strcmp(w[1], "nhrp") == 0 &&
	    strcmp(w[2], "holdtime") == 0) {
		long h = strspn(w[3], "0123456789") == strlen(w[3]) && strlen(w[3]) <= 5
				 ? strtol(w[3], NULL, 10)
				 : 0;

		if (h < 1 || h > 65535) {
			strbuf_printf(msg, "holdtime must be 1..65535 seconds");
			return -EINVAL;
		}
		c->tunnel.holdtime = (uint16_t)h;
		return 0;
	}
	if (n >= 3 && strcmp(w[0], "ip") == 0 && strcmp(w[1], "nhrp") == 0 &&
	    strcmp(w[2], "authentication") == 0 && n == (no ? 3 : 4)) {
		if (!no && strlen(w[3]) >= sizeof(c->tunnel.nhrp_auth)) {
			strbuf_printf(msg, "at most %zu characters",
				      sizeof(c->tunnel.nhrp_auth) - 1);
			return -EINVAL;
		}
		snprintf(c->tunnel.nhrp_auth, sizeof(c->tunnel.nhrp_auth), "%s", no ? "" : w[3]);
		return 0;
	}
	if (n >= 2 && strcmp(w[0], "crypto") == 0 && strcmp(w[1], "ikev2") == 0)
		return edit_ike(c, no, w + 2, n - 2, msg);
	if (n >= 3 && strcmp(w[0], "ip") == 0 && strcmp(w[1], "nhrp") == 0 &&
	    strcmp(w[2], "nhs") == 0)
		return edit_nhs(c, no, w + 3, n - 3, msg);
	if (n >= 3 && strcmp(w[0], "ip") == 0 && strcmp(w[1], "nhrp") == 0 &&
	    (strcmp(w[2], "phase") == 0 || strcmp(w[2], "redirect") == 0 ||
	     strcmp(w[2], "shortcut") == 0))
		return edit_phase(c, no, w + 2, n - 2, msg);
	if (n >= 3 && strcmp(w[0], "ip") == 0 && strcmp(w[1], "nhrp") == 0 &&
	    strcmp(w[2], "network-id") == 0) {
		long long id = n == 4 && !no ? edit_num(w[3], 1, 4294967295LL) : -1;

		if (id < 0) {
			strbuf_printf(msg, "usage: ip nhrp network-id 1..4294967295");
			return -EINVAL;
		}
		c->tunnel.network_id = (uint32_t)id;
		return 0;
	}
	if (n == 3 && !no && strcmp(w[0], "logging") == 0 && strcmp(w[1], "level") == 0 &&
	    edit_log_level(w[2])) {
		snprintf(c->eal.log_level, sizeof(c->eal.log_level), "%s", w[2]);
		return 0;
	}
	/* logging level SUBSYS LEVEL | no logging level SUBSYS */
	if (n == (no ? 3 : 4) && strcmp(w[0], "logging") == 0 && strcmp(w[1], "level") == 0 &&
	    (no || edit_log_level(w[3]))) {
		for (unsigned i = 0; i < CFG_LOG_SUBSYS; i++)
			if (strcmp(w[2], cfg_log_subsys[i]) == 0) {
				snprintf(c->logging.levels[i], sizeof(c->logging.levels[i]), "%s",
					 no ? "" : w[3]);
				return 0;
			}
		strbuf_printf(msg, "no subsystem '%s': main, ctl, dp, arp, mgmt, ike or nhrp",
			      w[2]);
		return -EINVAL;
	}
	strbuf_printf(msg, "not a configuration command");
	return rc;
}
