/* YAML startup configuration -> struct cfg. Pure: the only input is the
 * buffer and the only outputs are *cfg and *err (no globals, no logging), so
 * the fuzz target needs nothing but libyaml. One function per schema section;
 * cross-field checks live in cfg_validate.c. */
#include "cfg.h"
#include "inet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cfg_esp.h"
#include "cfg_yaml.h"
#include "src_rate.h"

/* ---- sections ---------------------------------------------------------- */

static const char *const ld_role_names[] = {"hub", "spoke", NULL};
static const char *const ld_port_role_names[] = {"wan", "lan", NULL};

static int ld_node(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"name", "role", NULL};
	char path[LD_PATH];
	struct ld_sec s;
	int rc, role = 0;

	rc = ld_open(ld, val, "node", keys, keys, &s);
	if (rc == 0)
		rc = ld_name(&s, "name", cfg->name, &cfg->pos_name);
	if (rc >= 0)
		rc = ld_enum(&s, "role", ld_role_names, &role);
	if (rc < 0)
		return rc;
	cfg->role = (enum cfg_role)role;
	cfg->pos_role = ld_pos(ld_get(&s, "role", path));
	return 0;
}

static int ld_workers(const struct ld *ld, const yaml_node_t *n, struct cfg_lcores *lc)
{
	char path[LD_PATH];
	unsigned i, count = 0;
	int rc;

	rc = ld_seq(ld, n, "lcores.workers", 1, CFG_MAX_WORKERS, &count);
	for (i = 0; rc == 0 && i < count; i++) {
		const yaml_node_t *it = ld_item(ld, n, i);

		snprintf(path, sizeof(path), "lcores.workers[%u]", i);
		rc = ld_num(ld, it, path, 0, 127, NULL, &lc->workers[i]);
		if (rc == 0)
			lc->pos_workers[i] = ld_pos(it);
	}
	if (rc == 0)
		lc->n_workers = count;
	return rc;
}

static int ld_poll_sleep(const struct ld_sec *s, struct cfg_lcores *lc)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "poll-sleep-us", path);

	if (n == NULL)
		return 0;
	if (n->type == YAML_SCALAR_NODE && ld_is_key(n, "adaptive")) {
		lc->poll_sleep_adaptive = true;
		lc->poll_sleep_us = 0;
		return 0;
	}
	lc->poll_sleep_adaptive = false;
	return ld_num(s->ld, n, path, 0, 100000, "adaptive or an integer in 0..100000",
		      &lc->poll_sleep_us);
}

static int ld_lcores(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"main", "workers", "poll-sleep-us", "poll-sleep-max-us",
					   NULL};
	struct cfg_lcores *lc = &cfg->lcores;
	char path[LD_PATH];
	const yaml_node_t *n;
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "lcores", keys, NULL, &s);
	if (rc == 0)
		rc = ld_u32(&s, "main", 0, 127, NULL, &lc->main);
	if (rc == 1)
		lc->pos_main = ld_pos(ld_get(&s, "main", path));
	n = rc >= 0 ? ld_get(&s, "workers", path) : NULL;
	if (n != NULL)
		rc = ld_workers(ld, n, lc);
	if (rc >= 0)
		rc = ld_poll_sleep(&s, lc);
	if (rc >= 0)
		rc = ld_u32(&s, "poll-sleep-max-us", 1, 100000, NULL, &lc->poll_sleep_max_us);
	return rc < 0 ? rc : 0;
}

static int ld_eal(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"memory", "size-mb", "file-prefix", "log-level", NULL};
	static const char *const mem[] = {"no-huge", "hugepages", NULL};
	static const char *const levels[] = {"error", "warning", "notice", "info", "debug", NULL};
	struct cfg_eal *e = &cfg->eal;
	struct ld_sec s;
	int rc, v = 0;

	rc = ld_open(ld, val, "eal", keys, NULL, &s);
	if (rc == 0)
		rc = ld_enum(&s, "memory", mem, &v);
	if (rc == 1)
		e->mem_mode = (enum cfg_mem_mode)v;
	if (rc >= 0)
		rc = ld_u32(&s, "size-mb", 64, 65536, NULL, &e->mem_mb);
	if (rc >= 0)
		rc = ld_name(&s, "file-prefix", e->file_prefix, NULL);
	if (rc >= 0)
		rc = ld_enum(&s, "log-level", levels, &v);
	if (rc == 1)
		snprintf(e->log_level, sizeof(e->log_level), "%s", levels[v]);
	return rc < 0 ? rc : 0;
}

static int ld_devargs(const struct ld_sec *s, struct cfg_port *p)
{
	char path[LD_PATH];
	const yaml_node_t *n;
	const char *c;
	int rc = ld_str(s, "devargs", CFG_DEVARGS_MAX, p->devargs, &n);

	if (rc <= 0)
		return rc;
	for (c = p->devargs; *c != '\0'; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
			ld_path(path, s->name, "devargs");
			return ld_fail(s->ld, n, "'%s' must be printable ASCII without spaces",
				       path);
		}
	p->pos_devargs = ld_pos(n);
	return 1;
}

static int ld_port(const struct ld *ld, const yaml_node_t *val, unsigned i, struct cfg_port *p)
{
	static const char *const keys[] = {"name", "devargs", "role", "address", "mtu", NULL};
	static const char *const need[] = {"name", "devargs", "role", "address", NULL};
	char name[LD_PATH], path[LD_PATH];
	struct ld_sec s;
	int rc, role = 0;

	snprintf(name, sizeof(name), "ports[%u]", i);
	p->mtu = 1500;
	rc = ld_open(ld, val, name, keys, need, &s);
	if (rc == 0)
		rc = ld_name(&s, "name", p->name, &p->pos_name);
	if (rc >= 0)
		rc = ld_devargs(&s, p);
	if (rc >= 0)
		rc = ld_enum(&s, "role", ld_port_role_names, &role);
	if (rc >= 0)
		rc = ld_host_prefix(&s, "address", &p->address, &p->pos_address);
	if (rc >= 0)
		rc = ld_u16(&s, "mtu", 576, 9000, &p->mtu);
	if (rc < 0)
		return rc;
	p->role = (enum cfg_port_role)role;
	p->pos_role = ld_pos(ld_get(&s, "role", path));
	p->pos = ld_pos(val);
	return 0;
}

static int ld_ports(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	unsigned i, count = 0;
	int rc;

	rc = ld_seq(ld, val, "ports", 1, CFG_MAX_PORTS, &count);
	for (i = 0; rc == 0 && i < count; i++)
		rc = ld_port(ld, ld_item(ld, val, i), i, &cfg->ports[i]);
	if (rc == 0)
		cfg->n_ports = count;
	return rc;
}

static int ld_nhs(const struct ld *ld, const yaml_node_t *val, unsigned i, struct cfg_nhs *nhs)
{
	static const char *const keys[] = {"nbma", "address", "priority", NULL};
	static const char *const need[] = {"nbma", "address", NULL};
	char name[LD_PATH];
	struct ld_sec s;
	uint32_t prio = 0;
	int rc;

	snprintf(name, sizeof(name), "tunnel.nhs[%u]", i);
	rc = ld_open(ld, val, name, keys, need, &s);
	if (rc == 0)
		rc = ld_addr(&s, "nbma", &nhs->nbma, &nhs->pos_nbma);
	if (rc >= 0)
		rc = ld_addr(&s, "address", &nhs->overlay, &nhs->pos_address);
	if (rc >= 0)
		rc = ld_u32(&s, "priority", 0, 255, NULL, &prio);
	nhs->priority = (uint8_t)prio;
	if (rc >= 0)
		nhs->pos = ld_pos(val);
	return rc < 0 ? rc : 0;
}

static int ld_nhs_list(const struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "nhs", path);
	unsigned i, count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 0, CFG_MAX_NHS, &count);
	for (i = 0; rc == 0 && i < count; i++)
		rc = ld_nhs(s->ld, ld_item(s->ld, n, i), i, &t->nhs[i]);
	if (rc == 0) {
		t->n_nhs = count;
		t->pos_nhs = ld_pos(n);
	}
	return rc;
}

static int ld_map(const struct ld *ld, const yaml_node_t *val, unsigned i, struct cfg_nhrp_map *map)
{
	static const char *const keys[] = {"nbma", "address", NULL};
	char name[LD_PATH];
	struct ld_sec s;
	int rc;

	snprintf(name, sizeof(name), "tunnel.maps[%u]", i);
	rc = ld_open(ld, val, name, keys, keys, &s);
	if (rc == 0)
		rc = ld_addr(&s, "nbma", &map->nbma, &map->pos_nbma);
	if (rc >= 0)
		rc = ld_addr(&s, "address", &map->overlay, &map->pos_address);
	if (rc >= 0)
		map->pos = ld_pos(val);
	return rc < 0 ? rc : 0;
}

static int ld_map_list(const struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "maps", path);
	unsigned i, count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 0, CFG_MAX_MAPS, &count);
	for (i = 0; rc == 0 && i < count; i++)
		rc = ld_map(s->ld, ld_item(s->ld, n, i), i, &t->maps[i]);
	if (rc == 0) {
		t->n_maps = count;
		t->pos_maps = ld_pos(n);
	}
	return rc;
}

/* One prefix of a registration-allow entry: no host bits. */
static int ld_allow_prefix(const struct ld_sec *s, const char *name, const char *key,
			   struct cfg_prefix *p)
{
	char path[LD_PATH], a[INET_ADDRSTR], b[INET_ADDRSTR];
	const yaml_node_t *n = NULL;
	int rc = ld_prefix(s, key, p, &n);
	uint32_t mask = inet_v4_mask(p->len);

	if (rc <= 0 || (p->addr & ~mask) == 0)
		return rc;
	ld_path(path, name, key);
	return ld_fail(s->ld, n, "'%s' %s/%u has host bits set; did you mean %s/%u?", path,
		       inet_v4_str(p->addr, a), p->len, inet_v4_str(p->addr & mask, b), p->len);
}

static int ld_reg_allow(const struct ld *ld, const yaml_node_t *val, unsigned i,
			struct cfg_reg_allow *ra)
{
	static const char *const keys[] = {"address", "nbma", NULL};
	char name[LD_PATH];
	struct ld_sec s;
	int rc;

	snprintf(name, sizeof(name), "tunnel.registration-allow[%u]", i);
	*ra = (struct cfg_reg_allow){0}; /* 0.0.0.0/0: any */
	rc = ld_open(ld, val, name, keys, NULL, &s);
	if (rc == 0)
		rc = ld_allow_prefix(&s, name, "address", &ra->address);
	if (rc >= 0)
		rc = ld_allow_prefix(&s, name, "nbma", &ra->nbma);
	if (rc >= 0)
		ra->pos = ld_pos(val);
	return rc < 0 ? rc : 0;
}

static int ld_reg_allow_list(const struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "registration-allow", path);
	unsigned i, count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 0, CFG_MAX_REG_ALLOW, &count);
	for (i = 0; rc == 0 && i < count; i++)
		rc = ld_reg_allow(s->ld, ld_item(s->ld, n, i), i, &t->reg_allow[i]);
	if (rc == 0) {
		t->n_reg_allow = count;
		t->pos_reg_allow = ld_pos(n);
	}
	return rc;
}

/* Cisco's cleartext NHRP authentication: at most 8 bytes on the wire
 * (RFC 2332 5.3.4 leaves the length open; IOS truncates). Never echoed. */
static int ld_nhrp_auth(const struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "nhrp-authentication", path);
	const char *text = NULL, *c;
	size_t len;

	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "a string", &text) != 0)
		return -EINVAL;
	len = strlen(text);
	if (len == 0 || len >= sizeof(t->nhrp_auth))
		return ld_fail(s->ld, n, "'%s' must be 1..8 bytes long, got %zu bytes", path, len);
	for (c = text; *c != '\0'; c++)
		if (*c <= ' ' || *c >= 0x7f)
			return ld_fail(s->ld, n, "'%s' must be printable ASCII without spaces",
				       path);
	memcpy(t->nhrp_auth, text, len + 1);
	return 0;
}

/* The tunnel's face towards the kernel (routing daemons, multicast): a
 * Linux interface name, so at most IFNAMSIZ - 1 = 15 characters. */
static int ld_kernel_if(const struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "kernel-interface", path);
	int rc = ld_name(s, "kernel-interface", t->kernel_if, &t->pos_kernel_if);

	if (rc == 1 && strlen(t->kernel_if) > 15)
		return ld_fail(s->ld, n,
			       "'%s' is a Linux interface name: at most 15 characters, got %zu",
			       path, strlen(t->kernel_if));
	return rc < 0 ? rc : 0;
}

static int ld_reg_interval(struct ld_sec *s, struct cfg_tunnel *t)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "registration-interval", path);
	int rc = ld_u16(s, "registration-interval", 1, 65535, &t->reg_interval);

	if (rc == 0 && n != NULL)
		t->pos_reg_interval = ld_pos(n); /* cfg_validate checks it against holdtime */
	return rc;
}

static int ld_tunnel(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"name",
					   "address",
					   "gre-key",
					   "network-id",
					   "holdtime",
					   "registration-interval",
					   "phase",
					   "mtu",
					   "copy-dscp",
					   "nhs-max-connections",
					   "nhs-fallback",
					   "registration-max-holdtime",
					   "registration-unique",
					   "registration-allow",
					   "nhrp-authentication",
					   "nhs",
					   "maps",
					   "protection",
					   "esp",
					   "kernel-interface",
					   "export-registrations",
					   NULL};
	static const char *const prots[] = {"none", "esp", NULL};
	int prot = CFG_PROT_NONE;
	char esp_path[LD_PATH], mtu_path[LD_PATH];
	const yaml_node_t *esp, *mtu;
	static const char *const bools[] = {"false", "true", NULL};
	int copy = 1, export = 0, unique = 1;
	char export_path[LD_PATH];
	const yaml_node_t *export_node;
	static const char *const need[] = {"address", "network-id", NULL};
	struct cfg_tunnel *t = &cfg->tunnel;
	uint32_t phase = 3, nhs_max = 0;
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "tunnel", keys, need, &s);
	if (rc == 0)
		rc = ld_name(&s, "name", t->name, NULL);
	if (rc >= 0)
		rc = ld_host_prefix(&s, "address", &t->address, &t->pos_address);
	if (rc >= 0)
		rc = ld_u32(&s, "gre-key", 0, UINT32_MAX, NULL, &t->gre_key);
	t->has_gre_key = rc == 1;
	if (rc >= 0)
		rc = ld_u32(&s, "network-id", 1, UINT32_MAX, NULL, &t->network_id);
	if (rc >= 0)
		rc = ld_u16(&s, "holdtime", 1, 65535, &t->holdtime);
	if (rc >= 0)
		rc = ld_reg_interval(&s, t);
	if (rc >= 0)
		rc = ld_u32(&s, "nhs-max-connections", 1, CFG_MAX_NHS, NULL, &nhs_max);
	t->nhs_max = (uint8_t)nhs_max;
	if (rc >= 0)
		rc = ld_u16(&s, "nhs-fallback", 0, 3600, &t->nhs_fallback);
	if (rc >= 0)
		rc = ld_u16(&s, "registration-max-holdtime", 1, 65535, &t->reg_holdtime_max);
	if (rc >= 0)
		rc = ld_enum(&s, "registration-unique", bools, &unique);
	t->reg_unique = unique == 1;
	if (rc >= 0)
		rc = ld_u32(&s, "phase", 1, 3, "1, 2 or 3", &phase);
	if (rc >= 0)
		rc = ld_u16(&s, "mtu", 576, 9000, &t->mtu);
	if (rc >= 0 && (mtu = ld_get(&s, "mtu", mtu_path)) != NULL)
		t->pos_mtu = ld_pos(mtu); /* for cfg_validate's check against the wan port */
	if (rc >= 0)
		rc = ld_enum(&s, "copy-dscp", bools, &copy);
	t->copy_dscp = copy == 1;
	if (rc >= 0)
		rc = ld_nhrp_auth(&s, t);
	if (rc >= 0)
		rc = ld_nhs_list(&s, t);
	if (rc >= 0)
		rc = ld_map_list(&s, t);
	if (rc >= 0)
		rc = ld_reg_allow_list(&s, t);
	if (rc >= 0)
		rc = ld_kernel_if(&s, t);
	if (rc >= 0)
		rc = ld_enum(&s, "export-registrations", bools, &export);
	t->export_registrations = export == 1;
	if (rc >= 0 && (export_node = ld_get(&s, "export-registrations", export_path)) != NULL)
		t->pos_export = ld_pos(export_node);
	if (rc >= 0)
		rc = ld_enum(&s, "protection", prots, &prot);
	t->protection = (enum cfg_protection)prot;
	esp = rc >= 0 ? ld_get(&s, "esp", esp_path) : NULL;
	if (esp != NULL)
		rc = cfg_esp_load(ld, esp, &t->esp);
	t->phase = (uint8_t)phase;
	t->present = rc >= 0;
	return rc < 0 ? rc : 0;
}

static int ld_route(const struct ld *ld, const yaml_node_t *val, unsigned i, struct cfg_route *r)
{
	static const char *const keys[] = {"prefix", "via", "distance", NULL};
	static const char *const need[] = {"prefix", "via", NULL};
	char name[LD_PATH], path[LD_PATH], a[INET_ADDRSTR], b[INET_ADDRSTR];
	const yaml_node_t *n = NULL;
	uint32_t mask, distance = CFG_ROUTE_DISTANCE;
	struct ld_sec s;
	int rc;

	snprintf(name, sizeof(name), "routes[%u]", i);
	rc = ld_open(ld, val, name, keys, need, &s);
	if (rc == 0)
		rc = ld_prefix(&s, "prefix", &r->prefix, &n);
	if (rc < 0)
		return rc;
	mask = inet_v4_mask(r->prefix.len);
	if ((r->prefix.addr & ~mask) != 0) {
		ld_path(path, name, "prefix");
		return ld_fail(ld, n, "'%s' %s/%u has host bits set; did you mean %s/%u?", path,
			       inet_v4_str(r->prefix.addr, a), r->prefix.len,
			       inet_v4_str(r->prefix.addr & mask, b), r->prefix.len);
	}
	r->pos_prefix = ld_pos(n);
	rc = ld_addr(&s, "via", &r->via, &r->pos_via);
	if (rc >= 0)
		rc = ld_u32(&s, "distance", 1, 255, NULL, &distance);
	r->distance = (uint8_t)distance;
	if (rc > 0)
		r->pos_distance = ld_pos(ld_get(&s, "distance", path));
	r->pos = ld_pos(val);
	return rc < 0 ? rc : 0;
}

static int ld_routes(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	unsigned i, count = 0;
	int rc;

	rc = ld_seq(ld, val, "routes", 0, CFG_MAX_ROUTES, &count);
	for (i = 0; rc == 0 && i < count; i++)
		rc = ld_route(ld, ld_item(ld, val, i), i, &cfg->routes[i]);
	if (rc == 0)
		cfg->n_routes = count;
	return rc;
}

static int ld_telnet(const struct ld *ld, const yaml_node_t *val, struct cfg_cli *cli)
{
	static const char *const keys[] = {"address", "port", NULL};
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "cli.telnet", keys, NULL, &s);
	if (rc == 0)
		rc = ld_addr(&s, "address", &cli->telnet_addr, NULL);
	if (rc >= 0)
		rc = ld_u16(&s, "port", 0, 65535, &cli->telnet_port);
	return rc < 0 ? rc : 0;
}

/* crypt(3) strings we can verify: SHA-512, SHA-256, yescrypt, gost-yescrypt,
 * bcrypt. The value is never echoed: it might be a pasted password. */
static int ld_hash(const struct ld_sec *s, struct cfg_user *u)
{
	static const char *const prefixes[] = {"$6$", "$5$", "$y$", "$gy$", "$2b$", NULL};
	char path[LD_PATH];
	const yaml_node_t *n;
	const char *last;
	size_t len;
	int i, rc = ld_str(s, "password-hash", CFG_HASH_MAX, u->hash, &n);

	if (rc <= 0)
		return rc;
	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(u->hash, prefixes[i], strlen(prefixes[i])) == 0)
			break;
	len = strspn(u->hash, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789./$=,");
	last = strrchr(u->hash, '$');
	if (prefixes[i] == NULL || u->hash[len] != '\0' || last == NULL ||
	    (size_t)(last - u->hash) < strlen(prefixes[i]) || last[1] == '\0') {
		ld_path(path, s->name, "password-hash");
		return ld_fail(
			s->ld, n,
			"'%s' is not a crypt(3) hash: expected $6$, $5$, $y$, $gy$ or $2b$ followed by salt and hash (make one with dmvpnd --hash-password)",
			path);
	}
	return 1;
}

/* One authorized_keys line: a key type we verify and its base64 blob. The
 * blob itself is decoded when the ssh listener starts. */
static int ld_ssh_key(const struct ld *ld, const yaml_node_t *n, const char *path,
		      char out[CFG_SSH_KEY_MAX])
{
	static const char *const types[] = {"ssh-ed25519",
					    "ecdsa-sha2-nistp256",
					    "ecdsa-sha2-nistp384",
					    "ecdsa-sha2-nistp521",
					    "ssh-rsa",
					    NULL};
	const char *t, *sp;
	size_t tl, bl;
	int i;

	if (ld_text(ld, n, path, "an OpenSSH public key line", &t) != 0)
		return -EINVAL;
	if (strlen(t) >= CFG_SSH_KEY_MAX)
		return ld_fail(ld, n, "'%s' is longer than %u bytes", path, CFG_SSH_KEY_MAX - 1);
	sp = strchr(t, ' ');
	tl = sp != NULL ? (size_t)(sp - t) : strlen(t);
	for (i = 0; types[i] != NULL; i++)
		if (strlen(types[i]) == tl && strncmp(t, types[i], tl) == 0)
			break;
	bl = sp != NULL ? strspn(sp + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789+/=")
			: 0;
	if (types[i] == NULL || bl < 16 || (sp[1 + bl] != '\0' && sp[1 + bl] != ' '))
		return ld_fail(
			ld, n,
			"'%s' is not an OpenSSH public key: expected 'TYPE BASE64 [comment]' as in a .pub file, TYPE one of ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa",
			path);
	snprintf(out, CFG_SSH_KEY_MAX, "%s", t);
	return 0;
}

static int ld_user_keys(const struct ld_sec *s, struct cfg_user *u)
{
	char path[LD_PATH], item[LD_PATH + 16];
	const yaml_node_t *n = ld_get(s, "ssh-keys", path);
	unsigned i, count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 1, CFG_MAX_USER_KEYS, &count);
	for (i = 0; rc == 0 && i < count; i++) {
		const yaml_node_t *k = ld_item(s->ld, n, i);

		snprintf(item, sizeof(item), "%s[%u]", path, i);
		rc = ld_ssh_key(s->ld, k, item, u->ssh_keys[i]);
		u->pos_keys[i] = ld_pos(k);
	}
	if (rc == 0)
		u->n_keys = count;
	return rc;
}

static int ld_user(const struct ld *ld, const yaml_node_t *val, unsigned i, struct cfg_user *u)
{
	static const char *const keys[] = {"name", "password-hash", "privilege", "ssh-keys", NULL};
	static const char *const need[] = {"name", NULL};
	char name[LD_PATH], path[LD_PATH];
	const yaml_node_pair_t *p;
	const yaml_node_t *n;
	struct ld_sec s;
	int rc;

	snprintf(name, sizeof(name), "cli.users[%u]", i);
	for (p = val->type == YAML_MAPPING_NODE ? val->data.mapping.pairs.start : NULL;
	     p != NULL && p < val->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);

		if (k != NULL && ld_is_key(k, "password"))
			return ld_fail(
				ld, k,
				"plaintext passwords are not accepted ('%s.password'); put a crypt(3) hash in 'password-hash' instead, e.g. made with dmvpnd --hash-password",
				name);
	}
	u->privilege = CFG_PRIV_ADMIN;
	rc = ld_open(ld, val, name, keys, need, &s);
	if (rc == 0)
		rc = ld_name(&s, "name", u->name, &u->pos_name);
	if (rc >= 0)
		rc = ld_hash(&s, u);
	if (rc >= 0)
		rc = ld_u32(&s, "privilege", 1, 15,
			    "1 (show commands) or 15 (also clear and debug)", &u->privilege);
	if (rc > 0 && u->privilege != CFG_PRIV_READ_ONLY && u->privilege != CFG_PRIV_ADMIN) {
		n = ld_get(&s, "privilege", path);
		return ld_fail(
			ld, n,
			"'%s' must be 1 (show commands) or 15 (also clear and debug), got %u", path,
			u->privilege);
	}
	if (rc >= 0)
		rc = ld_user_keys(&s, u);
	u->pos = ld_pos(val);
	if (rc >= 0 && u->hash[0] == '\0' && u->n_keys == 0)
		return ld_fail(
			ld, val,
			"'%s' (%s) can never log in: give it a password-hash, ssh-keys or both",
			name, u->name);
	return rc < 0 ? rc : 0;
}

static int ld_ssh(const struct ld *ld, const yaml_node_t *val, struct cfg_cli *cli)
{
	static const char *const keys[] = {"address", "port", "host-key", NULL};
	const yaml_node_t *n;
	struct ld_sec s;
	int rc;

	cli->ssh_port = 2222;
	cli->pos_ssh = ld_pos(val);
	rc = ld_open(ld, val, "cli.ssh", keys, NULL, &s);
	if (rc == 0)
		rc = ld_addr(&s, "address", &cli->ssh_addr, NULL);
	if (rc >= 0)
		rc = ld_u16(&s, "port", 0, 65535, &cli->ssh_port);
	if (rc >= 0)
		rc = ld_str(&s, "host-key", sizeof(cli->ssh_host_key), cli->ssh_host_key, &n);
	return rc < 0 ? rc : 0;
}

static int ld_cli(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {
		"telnet", "ssh", "max-sessions", "login-timeout", "idle-timeout", "users", NULL};
	struct cfg_cli *cli = &cfg->cli;
	char path[LD_PATH];
	const yaml_node_t *n;
	unsigned i, count = 0;
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "cli", keys, NULL, &s);
	cli->pos = ld_pos(val);
	n = rc == 0 ? ld_get(&s, "telnet", path) : NULL;
	if (n != NULL)
		rc = ld_telnet(ld, n, cli);
	n = rc == 0 ? ld_get(&s, "ssh", path) : NULL;
	if (n != NULL)
		rc = ld_ssh(ld, n, cli);
	if (rc >= 0)
		rc = ld_u32(&s, "max-sessions", 1, 256, "sessions", &cli->max_sessions);
	if (rc >= 0)
		rc = ld_u32(&s, "login-timeout", 5, 600, "seconds", &cli->login_timeout);
	if (rc >= 0)
		rc = ld_u32(&s, "idle-timeout", 0, 86400, "seconds (0 = never)",
			    &cli->idle_timeout);
	if (rc > 0)
		rc = 0;
	n = rc == 0 ? ld_get(&s, "users", path) : NULL;
	if (n != NULL)
		rc = ld_seq(ld, n, "cli.users", 0, CFG_MAX_USERS, &count);
	for (i = 0; n != NULL && rc == 0 && i < count; i++)
		rc = ld_user(ld, ld_item(ld, n, i), i, &cli->users[i]);
	if (rc == 0)
		cli->n_users = count;
	return rc;
}

static int ld_prometheus(const struct ld *ld, const yaml_node_t *val, struct cfg_telemetry *t)
{
	static const char *const keys[] = {"address", "port", NULL};
	struct ld_sec s;
	int rc;

	t->prom_port = 9550;
	rc = ld_open(ld, val, "telemetry.prometheus", keys, NULL, &s);
	if (rc == 0)
		rc = ld_addr(&s, "address", &t->prom_addr, NULL);
	if (rc >= 0)
		rc = ld_u16(&s, "port", 0, 65535, &t->prom_port);
	return rc < 0 ? rc : 0;
}

const char *const cfg_log_subsys[CFG_LOG_SUBSYS] = {"main", "ctl", "dp",  "arp",
						    "mgmt", "ike", "nhrp"};

static int ld_log_levels(const struct ld *ld, const yaml_node_t *val, struct cfg_logging *lg)
{
	static const char *const levels[] = {"error", "warning", "notice", "info", "debug", NULL};
	struct ld_sec s;
	int rc, v = 0;

	rc = ld_open(ld, val, "logging.levels", cfg_log_subsys, NULL, &s);
	for (unsigned i = 0; rc >= 0 && i < CFG_LOG_SUBSYS; i++) {
		rc = ld_enum(&s, cfg_log_subsys[i], levels, &v);
		if (rc > 0)
			snprintf(lg->levels[i], sizeof(lg->levels[i]), "%s", levels[v]);
	}
	return rc < 0 ? rc : 0;
}

static int ld_logging(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"destination", "buffer-lines", "levels", NULL};
	static const char *const dests[] = {"stderr", "syslog", NULL};
	struct cfg_logging *lg = &cfg->logging;
	char path[LD_PATH];
	const yaml_node_t *n;
	struct ld_sec s;
	int rc, v = 0;

	lg->pos = ld_pos(val);
	rc = ld_open(ld, val, "logging", keys, NULL, &s);
	if (rc == 0)
		rc = ld_enum(&s, "destination", dests, &v);
	if (rc > 0)
		lg->dest = (enum cfg_log_dest)v;
	if (rc >= 0)
		rc = ld_u32(&s, "buffer-lines", 0, 100000, "lines (0 = none)", &lg->buffer_lines);
	n = rc >= 0 ? ld_get(&s, "levels", path) : NULL;
	if (n != NULL)
		rc = ld_log_levels(ld, n, lg);
	return rc < 0 ? rc : 0;
}

static int ld_flow_export(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"collector",    "port",           "sampling",
					   "idle-timeout", "active-timeout", NULL};
	static const char *const need[] = {"collector", NULL};
	struct cfg_flow_export *fx = &cfg->flow_export;
	struct ld_sec s;
	int rc;

	fx->pos = ld_pos(val);
	fx->port = 4739;
	fx->sampling = 1;
	fx->idle_timeout = 15;
	fx->active_timeout = 60;
	rc = ld_open(ld, val, "flow-export", keys, need, &s);
	if (rc == 0)
		rc = ld_addr(&s, "collector", &fx->collector, NULL);
	if (rc >= 0)
		rc = ld_u16(&s, "port", 1, 65535, &fx->port);
	if (rc >= 0)
		rc = ld_u32(&s, "sampling", 1, 65535, "1 in N packets", &fx->sampling);
	if (rc >= 0)
		rc = ld_u32(&s, "idle-timeout", 1, 3600, "seconds", &fx->idle_timeout);
	if (rc >= 0)
		rc = ld_u32(&s, "active-timeout", 1, 86400, "seconds", &fx->active_timeout);
	return rc < 0 ? rc : 0;
}

static int ld_telemetry(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"dpdk", "prometheus", NULL};
	static const char *const bools[] = {"false", "true", NULL};
	struct cfg_telemetry *t = &cfg->telemetry;
	char path[LD_PATH];
	const yaml_node_t *n;
	struct ld_sec s;
	int rc, v = 1;

	t->pos = ld_pos(val);
	rc = ld_open(ld, val, "telemetry", keys, NULL, &s);
	if (rc == 0)
		rc = ld_enum(&s, "dpdk", bools, &v);
	if (rc > 0)
		t->dpdk = v == 1;
	n = rc >= 0 ? ld_get(&s, "prometheus", path) : NULL;
	if (n != NULL)
		rc = ld_prometheus(ld, n, t);
	return rc < 0 ? rc : 0;
}

static int ld_limits(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg)
{
	static const char *const keys[] = {"max-peers",          "max-routes",
					   "max-peers-per-nbma", "registration-rate-per-nbma",
					   "nhrp-send-rate",     NULL};
	struct cfg_limits *l = &cfg->limits;
	char path[LD_PATH];
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "limits", keys, NULL, &s);
	if (rc == 0)
		rc = ld_u32(&s, "max-peers", CFG_MAX_PEERS_MIN, CFG_MAX_PEERS_MAX, NULL,
			    &l->max_peers);
	if (rc == 1)
		l->pos_max_peers = ld_pos(ld_get(&s, "max-peers", path));
	if (rc >= 0)
		rc = ld_u32(&s, "max-routes", CFG_MAX_ROUTES_MIN, CFG_MAX_ROUTES_MAX, NULL,
			    &l->max_routes);
	if (rc == 1)
		l->pos_max_routes = ld_pos(ld_get(&s, "max-routes", path));
	if (rc >= 0)
		rc = ld_u32(&s, "max-peers-per-nbma", 0, CFG_MAX_PEERS_MAX, NULL,
			    &l->max_peers_per_nbma);
	if (rc >= 0)
		rc = ld_u32(&s, "registration-rate-per-nbma", 0, SRC_RATE_MAX, NULL,
			    &l->registration_rate_per_nbma);
	if (rc >= 0)
		rc = ld_u32(&s, "nhrp-send-rate", 0, SRC_RATE_MAX, NULL, &l->nhrp_send_rate);
	return rc < 0 ? rc : 0;
}

/* ---- top level --------------------------------------------------------- */

typedef int (*ld_section_fn)(const struct ld *ld, const yaml_node_t *val, struct cfg *cfg);

static const struct {
	const char *name;
	ld_section_fn fn;
} ld_sections[] = {
	{"node", ld_node},       {"lcores", ld_lcores},
	{"eal", ld_eal},         {"ports", ld_ports},
	{"tunnel", ld_tunnel},   {"routes", ld_routes},
	{"cli", ld_cli},         {"telemetry", ld_telemetry},
	{"logging", ld_logging}, {"flow-export", ld_flow_export},
	{"limits", ld_limits},
};

static const char *const ld_top_keys[] = {"node",    "lcores",      "eal",    "ports",
					  "tunnel",  "routes",      "cli",    "telemetry",
					  "logging", "flow-export", "limits", NULL};
static const char *const ld_top_need[] = {"node", "ports", NULL};

static void ld_defaults(struct cfg *cfg)
{
	cfg->lcores.n_workers = 1;
	cfg->lcores.workers[0] = 1;
	cfg->lcores.poll_sleep_adaptive = true;
	cfg->lcores.poll_sleep_max_us = 1000;
	cfg->eal.mem_mode = CFG_MEM_NO_HUGE;
	cfg->eal.mem_mb = 256;
	snprintf(cfg->eal.log_level, sizeof(cfg->eal.log_level), "info");
	cfg->cli.telnet_addr = 0x7f000001; /* 127.0.0.1 */
	cfg->cli.telnet_port = 2323;
	cfg->cli.ssh_addr = 0x7f000001;
	cfg->cli.max_sessions = 16;
	cfg->cli.login_timeout = 30;
	cfg->cli.idle_timeout = 600;
	cfg->telemetry.dpdk = true;
	cfg->logging.buffer_lines = 1000;
	cfg->telemetry.prom_addr = 0x7f000001;
	snprintf(cfg->tunnel.name, sizeof(cfg->tunnel.name), "tunnel0");
	cfg->tunnel.holdtime = 600;
	cfg->tunnel.reg_holdtime_max = 7200;
	cfg->tunnel.reg_unique = true;
	cfg->tunnel.phase = 3;
	cfg->tunnel.mtu = 1400;
	cfg->tunnel.copy_dscp = true;
	cfg_esp_defaults(&cfg->tunnel.esp);
	cfg->limits.max_peers = CFG_MAX_PEERS_DEFAULT;
	cfg->limits.max_routes = CFG_MAX_ROUTES_DEFAULT;
	cfg->limits.max_peers_per_nbma = 1024;
	cfg->limits.registration_rate_per_nbma = 50;
	cfg->limits.nhrp_send_rate = 10000;
}

/* Defaults that depend on other keys, applied once everything is read. */
static int ld_finish(const struct ld *ld, const yaml_node_t *root, struct cfg *cfg)
{
	int n;

	if (!cfg->tunnel.present)
		memset(&cfg->tunnel, 0, sizeof(cfg->tunnel));
	if (cfg->eal.file_prefix[0] != '\0')
		return 0;
	n = snprintf(cfg->eal.file_prefix, sizeof(cfg->eal.file_prefix), "dmvpnd-%s", cfg->name);
	if (n < 0 || (size_t)n >= sizeof(cfg->eal.file_prefix))
		return cfg_err_at(
			ld->err, ld->fname, cfg->pos_name.line ? cfg->pos_name : ld_pos(root),
			"the default eal.file-prefix 'dmvpnd-%s' would be longer than %d characters: set eal.file-prefix or shorten node.name",
			cfg->name, CFG_NAME_MAX - 1);
	return 0;
}

static int ld_root(const struct ld *ld, const yaml_node_t *root, struct cfg *cfg)
{
	const yaml_node_pair_t *p;
	struct ld_sec s;
	size_t i;
	int rc;

	ld_defaults(cfg);
	rc = ld_open(ld, root, "", ld_top_keys, ld_top_need, &s);
	if (rc != 0)
		return rc;
	/* Sections in file order, so the first error reported is the first
	 * one in the file. ld_open vouched for every key. */
	for (p = root->data.mapping.pairs.start; rc == 0 && p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);

		for (i = 0; i < sizeof(ld_sections) / sizeof(ld_sections[0]); i++)
			if (ld_is_key(k, ld_sections[i].name))
				break;
		if (i == sizeof(ld_sections) / sizeof(ld_sections[0]) || v == NULL)
			continue;
		rc = ld_sections[i].fn(ld, v, cfg);
		if (ld_is_key(k, "node"))
			cfg->pos_node = ld_pos(k);
		else if (ld_is_key(k, "lcores"))
			cfg->lcores.pos = ld_pos(k);
		else if (ld_is_key(k, "eal"))
			cfg->eal.pos = ld_pos(k);
		else if (ld_is_key(k, "tunnel"))
			cfg->tunnel.pos = ld_pos(k);
		else if (ld_is_key(k, "cli"))
			cfg->cli.pos = ld_pos(k);
		else if (ld_is_key(k, "limits"))
			cfg->limits.pos = ld_pos(k);
	}
	return rc == 0 ? ld_finish(ld, root, cfg) : rc;
}

/* libyaml reader errors carry a byte offset, not a mark: count lines. */
static struct cfg_pos ld_offset_pos(const char *buf, size_t len, size_t off)
{
	struct cfg_pos p = {1, 1};
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			p.col++;
		}
	}
	return p;
}

static int ld_syntax_err(const yaml_parser_t *pr, const char *buf, size_t len, const char *fname,
			 struct cfg_err *err)
{
	struct cfg_pos pos = {(uint32_t)pr->problem_mark.line + 1,
			      (uint32_t)pr->problem_mark.column + 1};
	const char *problem = pr->problem != NULL ? pr->problem : "unknown error";

	if (pr->error == YAML_MEMORY_ERROR)
		return cfg_err_at(err, fname, pos, "out of memory while parsing YAML");
	if (pr->error == YAML_READER_ERROR) {
		pos = ld_offset_pos(buf, len, pr->problem_offset);
		return cfg_err_at(err, fname, pos, "YAML syntax error: %s (byte 0x%02x)", problem,
				  (unsigned)pr->problem_value & 0xffu);
	}
	if (pr->context != NULL)
		return cfg_err_at(err, fname, pos,
				  "YAML syntax error: %s (%s that starts at line %u column %u)",
				  problem, pr->context, (unsigned)pr->context_mark.line + 1,
				  (unsigned)pr->context_mark.column + 1);
	return cfg_err_at(err, fname, pos, "YAML syntax error: %s", problem);
}

/* A config is exactly one YAML document; parse the rest of the stream so
 * that syntax errors anywhere come before any semantic complaint. Empty
 * documents (a trailing "---") are tolerated. */
static int ld_no_second_doc(yaml_parser_t *pr, const char *buf, size_t len, const char *fname,
			    struct cfg_err *err)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0, more = 1;

	while (rc == 0 && more) {
		if (!yaml_parser_load(pr, &extra))
			return ld_syntax_err(pr, buf, len, fname, err);
		root = yaml_document_get_root_node(&extra);
		more = root != NULL;
		if (root != NULL &&
		    (root->type != YAML_SCALAR_NODE || root->data.scalar.length != 0))
			rc = cfg_err_at(err, fname, ld_pos(root),
					"expected a single YAML document, found a second one");
		yaml_document_delete(&extra);
	}
	return rc;
}

/* A dmvpnd config nests 6 levels at most (tunnel.esp.ike.peers[].id);
 * anything much deeper is refused before libyaml builds it, which for
 * 100,000 levels takes tens of seconds. A syntax error found here is left
 * for the loader to report. */
#define LD_MAX_DEPTH 32

static int ld_depth_check(const char *buf, size_t len, const char *fname, struct cfg_err *err)
{
	yaml_parser_t pr;
	yaml_event_t ev;
	unsigned depth = 0;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&pr))
		return 0;
	yaml_parser_set_input_string(&pr, (const unsigned char *)buf, len);
	while (!done && rc == 0 && yaml_parser_parse(&pr, &ev)) {
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > LD_MAX_DEPTH)
				rc = cfg_err_at(
					err, fname,
					(struct cfg_pos){(unsigned)ev.start_mark.line + 1,
							 (unsigned)ev.start_mark.column + 1},
					"nested deeper than %u levels (a dmvpnd config needs "
					"6 at most)",
					LD_MAX_DEPTH);
		} else if (ev.type == YAML_MAPPING_END_EVENT ||
			   ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&pr);
	return rc;
}

int cfg_load_buf(const char *buf, size_t len, const char *fname, struct cfg *cfg,
		 struct cfg_err *err)
{
	static const struct cfg_pos top = {1, 1};
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct ld ld;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	err->msg[0] = '\0';
	fname = fname != NULL ? fname : "<config>";
	buf = buf != NULL ? buf : "";
	snprintf(cfg->file, sizeof(cfg->file), "%s", fname);
	rc = ld_depth_check(buf, len, fname, err);
	if (rc != 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return cfg_err_at(err, fname, top, "out of memory while parsing YAML");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = ld_syntax_err(&parser, buf, len, fname, err);
		goto out_parser;
	}
	rc = ld_no_second_doc(&parser, buf, len, fname, err);
	root = yaml_document_get_root_node(&doc);
	if (rc == 0 && root == NULL)
		rc = cfg_err_at(
			err, fname, top,
			"the file is empty: expected a mapping with at least 'node' and 'ports'");
	ld.doc = &doc;
	ld.fname = fname;
	ld.err = err;
	if (rc == 0)
		rc = ld_root(&ld, root, cfg);
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	return rc;
}

static int ld_read_file(const char *path, char **out, size_t *outlen, struct cfg_err *err)
{
	static const struct cfg_pos top = {1, 1};
	size_t len = 0, cap = 4096, n;
	char *buf = NULL, *nb;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return cfg_err_at(err, path, top, "cannot open: %s", strerror(errno));
	do {
		if (len == cap || buf == NULL) {
			cap = buf == NULL ? cap : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				rc = cfg_err_at(err, path, top, "out of memory");
				goto err_free;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len <= CFG_FILE_MAX);
	if (ferror(f))
		rc = cfg_err_at(err, path, top, "cannot read: %s", strerror(errno));
	else if (len > CFG_FILE_MAX)
		rc = cfg_err_at(err, path, top, "file is larger than %d bytes", CFG_FILE_MAX);
	if (rc == 0) {
		*out = buf;
		*outlen = len;
		buf = NULL;
	}
err_free:
	free(buf);
	fclose(f);
	return rc;
}

int cfg_load_file(const char *path, struct cfg *cfg, struct cfg_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = ld_read_file(path, &buf, &len, err);
	if (rc != 0)
		return rc;
	rc = cfg_load_buf(buf, len, path, cfg, err);
	free(buf);
	if (rc == 0)
		rc = cfg_validate(cfg, err);
	return rc;
}
