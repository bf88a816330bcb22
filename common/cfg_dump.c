/* struct cfg -> YAML text in the schema cfg_load_buf reads, every default
 * spelled out: what "show running-config" prints, and what the round-trip
 * test loads back. Passwords stay hashed. */
#include "cfg.h"
#include "inet.h"
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

const char *cfg_role_name(enum cfg_role r)
{
	switch (r) {
	case CFG_ROLE_HUB:
		return "hub";
	case CFG_ROLE_SPOKE:
		return "spoke";
	}
	return "unknown";
}

const char *cfg_port_role_name(enum cfg_port_role r)
{
	switch (r) {
	case CFG_PORT_WAN:
		return "wan";
	case CFG_PORT_LAN:
		return "lan";
	}
	return "unknown";
}

static const char *dump_mem_name(enum cfg_mem_mode m)
{
	return m == CFG_MEM_HUGEPAGES ? "hugepages" : "no-huge";
}

/* KEY: "value" as a double-quoted YAML scalar, whatever the bytes are. */
/* s as a double-quoted YAML scalar, then the end of the line. */
static void dump_quoted(struct strbuf *out, const char *s)
{
	strbuf_printf(out, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_printf(out, "\\x%02x", c);
		else
			strbuf_printf(out, "%c", c);
	}
	strbuf_printf(out, "\"\n");
}

static void dump_str(struct strbuf *out, const char *indent, const char *key, const char *s)
{
	strbuf_printf(out, "%s%s: ", indent, key);
	dump_quoted(out, s);
}

static void dump_prefix(struct strbuf *out, const char *indent, const char *key,
			struct cfg_prefix p)
{
	char a[INET_ADDRSTR];

	strbuf_printf(out, "%s%s: %s/%u\n", indent, key, inet_v4_str(p.addr, a), p.len);
}

static void dump_addr(struct strbuf *out, const char *indent, const char *key, uint32_t addr)
{
	char a[INET_ADDRSTR];

	strbuf_printf(out, "%s%s: %s\n", indent, key, inet_v4_str(addr, a));
}

static void dump_lcores(const struct cfg_lcores *lc, struct strbuf *out)
{
	unsigned i;

	strbuf_printf(out, "lcores:\n  main: %u\n  workers: [", lc->main);
	for (i = 0; i < lc->n_workers && i < CFG_MAX_WORKERS; i++)
		strbuf_printf(out, "%s%u", i ? ", " : "", lc->workers[i]);
	strbuf_printf(out, "]\n");
	if (lc->poll_sleep_adaptive)
		strbuf_printf(out, "  poll-sleep-us: adaptive\n");
	else
		strbuf_printf(out, "  poll-sleep-us: %u\n", lc->poll_sleep_us);
	strbuf_printf(out, "  poll-sleep-max-us: %u\n", lc->poll_sleep_max_us);
}

static void dump_eal(const struct cfg_eal *e, struct strbuf *out)
{
	strbuf_printf(out, "eal:\n  memory: %s\n  size-mb: %u\n", dump_mem_name(e->mem_mode),
		      e->mem_mb);
	dump_str(out, "  ", "file-prefix", e->file_prefix);
	strbuf_printf(out, "  log-level: %s\n", e->log_level);
}

static void dump_ports(const struct cfg *cfg, struct strbuf *out)
{
	unsigned i;

	strbuf_printf(out, "ports:\n");
	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++) {
		const struct cfg_port *p = &cfg->ports[i];

		dump_str(out, "  - ", "name", p->name);
		dump_str(out, "    ", "devargs", p->devargs);
		strbuf_printf(out, "    role: %s\n", cfg_port_role_name(p->role));
		dump_prefix(out, "    ", "address", p->address);
		strbuf_printf(out, "    mtu: %u\n", p->mtu);
	}
}

static void dump_hex(struct strbuf *out, const char *indent, const char *key, const uint8_t *v,
		     unsigned len, bool secrets)
{
	if (!secrets) {
		strbuf_printf(out, "%s%s: \"<hidden>\"\n", indent, key);
		return;
	}
	strbuf_printf(out, "%s%s: \"", indent, key);
	for (unsigned i = 0; i < len; i++)
		strbuf_printf(out, "%02x", v[i]);
	strbuf_printf(out, "\"\n");
}

/* An inline PSK (hidden unless secrets are asked for) or its file. */
static void dump_psk(struct strbuf *out, const char *indent, const uint8_t *key, uint8_t len,
		     const char *file, bool secrets)
{
	char psk[CFG_IKE_PSK_MAX + 1];

	if (len != 0) {
		memcpy(psk, key, len);
		psk[len] = '\0';
		dump_str(out, indent, "psk", secrets ? psk : "<hidden>");
		explicit_bzero(psk, sizeof(psk));
	}
	if (file[0] != '\0')
		dump_str(out, indent, "psk-file", file);
}

static void dump_ike_peer(const struct cfg_ike_peer *p, struct strbuf *out, bool secrets,
			  bool first)
{
	char a[INET_ADDRSTR];
	const char *lead = "        - ";

	if (first)
		strbuf_printf(out, "      peers:\n");
	if (p->addr != 0) {
		strbuf_printf(out, "%saddress: %s\n", lead, inet_v4_str(p->addr, a));
		lead = "          ";
	}
	if (p->id.type != 0) {
		dump_str(out, lead, "id", p->id.text);
		lead = "          ";
	}
	if (p->has_auth)
		strbuf_printf(out, "%sauth: %s\n", lead,
			      p->auth == CFG_IKE_AUTH_CERT ? "cert" : "psk");
	dump_psk(out, "          ", p->psk, p->psk_len, p->psk_file, secrets);
}

static void dump_ike(const struct cfg_ike *k, struct strbuf *out, bool secrets)
{
	char name[64];

	strbuf_printf(out, "    ike:\n      proposals:\n");
	for (unsigned i = 0; i < k->n_proposals && i < CFG_IKE_MAX_PROPOSALS; i++) {
		cfg_ike_prop_name(&k->proposals[i], name, sizeof(name));
		strbuf_printf(out, "        - %s\n", name);
	}
	dump_psk(out, "      ", k->psk, k->psk_len, k->psk_file, secrets);
	strbuf_printf(out,
		      "      mode: %s\n      lifetime: %u\n      child-lifetime: %u\n"
		      "      dpd: %u\n      idle-timeout: %u\n      cookie-threshold: %u\n"
		      "      max-half-open: %u\n      source-rate: %u\n",
		      k->tunnel_mode ? "tunnel" : "transport", k->lifetime_s, k->child_lifetime_s,
		      k->dpd_s, k->idle_s, k->cookie_threshold, k->max_half_open, k->source_rate);
	if (k->key_log[0] != '\0')
		dump_str(out, "      ", "key-log", k->key_log);
	if (k->local_id.type != 0)
		dump_str(out, "      ", "local-id", k->local_id.text);
	strbuf_printf(out, "      auth: %s\n", k->auth == CFG_IKE_AUTH_CERT ? "cert" : "psk");
	if (k->cert[0] != '\0')
		dump_str(out, "      ", "cert", k->cert);
	if (k->key[0] != '\0')
		dump_str(out, "      ", "key", k->key);
	if (k->ca[0] != '\0')
		dump_str(out, "      ", "ca", k->ca);
	if (k->crl[0] != '\0')
		dump_str(out, "      ", "crl", k->crl);
	strbuf_printf(out, "      pfs: %s\n", cfg_ike_dh_name(k->pfs));
	strbuf_printf(out, "      fragmentation: %s\n      fragment-size: %u\n",
		      k->fragmentation ? "true" : "false", k->fragment_size);
	for (unsigned i = 0; i < k->n_peers && i < CFG_IKE_MAX_PEERS; i++)
		dump_ike_peer(&k->peers[i], out, secrets, i == 0);
}

static void dump_esp(const struct cfg_esp *e, struct strbuf *out, bool secrets)
{
	static const char *const keyings[] = {"ike", "group-key", "static"};
	static const char *const natts[] = {"auto", "force", "off"};
	unsigned klen = cfg_esp_keymat_len(e->alg);

	strbuf_printf(out, "  protection: esp\n  esp:\n");
	strbuf_printf(out, "    algorithm: %s\n    esn: %s\n    replay-window: %u\n",
		      cfg_esp_alg_name(e->alg), e->esn ? "true" : "false", e->replay_window);
	strbuf_printf(out,
		      "    lifetime-packets: %u\n    lifetime-kbytes: %u\n"
		      "    soft-limit-percent: %u\n",
		      e->life_packets, e->life_kbytes, e->soft_percent);
	strbuf_printf(out, "    keying: %s\n", keyings[e->keying]);
	if (e->keying == CFG_KEYING_IKE)
		dump_ike(&e->ike, out, secrets);
	if (e->has_group_key)
		dump_hex(out, "    ", "group-key", e->group_key, CFG_GROUP_KEY_LEN, secrets);
	for (unsigned i = 0; i < e->n_sas && i < CFG_MAX_SAS; i++) {
		const struct cfg_esp_sa *sa = &e->sas[i];

		if (i == 0)
			strbuf_printf(out, "    sas:\n");
		dump_addr(out, "      - ", "peer", sa->peer);
		strbuf_printf(out, "        spi-in: %u\n        spi-out: %u\n", sa->spi_in,
			      sa->spi_out);
		dump_hex(out, "        ", "key-in", sa->key_in, klen, secrets);
		dump_hex(out, "        ", "key-out", sa->key_out, klen, secrets);
	}
	strbuf_printf(out, "    nat-traversal: %s\n    nat-keepalive: %u\n", natts[e->natt],
		      e->natt_keepalive_s);
	if (e->key_log[0] != '\0')
		dump_str(out, "    ", "key-log", e->key_log);
}

static void dump_tunnel(const struct cfg_tunnel *t, struct strbuf *out, bool secrets)
{
	unsigned i;

	strbuf_printf(out, "tunnel:\n");
	dump_str(out, "  ", "name", t->name);
	dump_prefix(out, "  ", "address", t->address);
	if (t->has_gre_key)
		strbuf_printf(out, "  gre-key: %u\n", t->gre_key);
	strbuf_printf(out, "  network-id: %u\n  holdtime: %u\n  phase: %u\n  mtu: %u\n",
		      t->network_id, t->holdtime, t->phase, t->mtu);
	if (t->reg_interval != 0)
		strbuf_printf(out, "  registration-interval: %u\n", t->reg_interval);
	if (t->nhs_max != 0)
		strbuf_printf(out, "  nhs-max-connections: %u\n", t->nhs_max);
	if (t->nhs_fallback != 0)
		strbuf_printf(out, "  nhs-fallback: %u\n", t->nhs_fallback);
	if (t->reg_holdtime_max != 7200)
		strbuf_printf(out, "  registration-max-holdtime: %u\n", t->reg_holdtime_max);
	if (!t->reg_unique)
		strbuf_printf(out, "  registration-unique: false\n");
	strbuf_printf(out, "  copy-dscp: %s\n", t->copy_dscp ? "true" : "false");
	/* A cleartext NHRP password by protocol design (Cisco prints it in
	 * show running-config too); callers that expose the dump decide. */
	if (t->nhrp_auth[0] != '\0')
		dump_str(out, "  ", "nhrp-authentication", t->nhrp_auth);
	if (t->kernel_if[0] != '\0')
		dump_str(out, "  ", "kernel-interface", t->kernel_if);
	if (t->export_registrations)
		strbuf_printf(out, "  export-registrations: true\n");
	if (t->protection == CFG_PROT_ESP)
		dump_esp(&t->esp, out, secrets);
	if (t->n_maps != 0) {
		strbuf_printf(out, "  maps:\n");
		for (i = 0; i < t->n_maps && i < CFG_MAX_MAPS; i++) {
			dump_addr(out, "    - ", "nbma", t->maps[i].nbma);
			dump_addr(out, "      ", "address", t->maps[i].overlay);
		}
	}
	if (t->n_reg_allow != 0) {
		strbuf_printf(out, "  registration-allow:\n");
		for (i = 0; i < t->n_reg_allow && i < CFG_MAX_REG_ALLOW; i++) {
			dump_prefix(out, "    - ", "address", t->reg_allow[i].address);
			dump_prefix(out, "      ", "nbma", t->reg_allow[i].nbma);
		}
	}
	if (t->n_nhs == 0) {
		strbuf_printf(out, "  nhs: []\n");
		return;
	}
	strbuf_printf(out, "  nhs:\n");
	for (i = 0; i < t->n_nhs && i < CFG_MAX_NHS; i++) {
		dump_addr(out, "    - ", "nbma", t->nhs[i].nbma);
		dump_addr(out, "      ", "address", t->nhs[i].overlay);
		if (t->nhs[i].priority != 0)
			strbuf_printf(out, "      priority: %u\n", t->nhs[i].priority);
	}
}

static void dump_routes(const struct cfg *cfg, struct strbuf *out)
{
	unsigned i;

	if (cfg->n_routes == 0) {
		strbuf_printf(out, "routes: []\n");
		return;
	}
	strbuf_printf(out, "routes:\n");
	for (i = 0; i < cfg->n_routes && i < CFG_MAX_ROUTES; i++) {
		dump_prefix(out, "  - ", "prefix", cfg->routes[i].prefix);
		dump_addr(out, "    ", "via", cfg->routes[i].via);
		if (cfg->routes[i].distance != CFG_ROUTE_DISTANCE)
			strbuf_printf(out, "    distance: %u\n", cfg->routes[i].distance);
	}
}

static void dump_user(const struct cfg_user *u, struct strbuf *out)
{
	unsigned k;

	dump_str(out, "    - ", "name", u->name);
	if (u->hash[0] != '\0')
		dump_str(out, "      ", "password-hash", u->hash);
	strbuf_printf(out, "      privilege: %u\n",
		      u->privilege == CFG_PRIV_READ_ONLY ? CFG_PRIV_READ_ONLY : CFG_PRIV_ADMIN);
	if (u->n_keys == 0)
		return;
	strbuf_printf(out, "      ssh-keys:\n");
	for (k = 0; k < u->n_keys && k < CFG_MAX_USER_KEYS; k++) {
		strbuf_printf(out, "        - ");
		dump_quoted(out, u->ssh_keys[k]);
	}
}

static void dump_cli(const struct cfg_cli *cli, struct strbuf *out)
{
	unsigned i;

	strbuf_printf(out, "cli:\n  telnet:\n");
	dump_addr(out, "    ", "address", cli->telnet_addr);
	strbuf_printf(out, "    port: %u\n", cli->telnet_port);
	if (cli->ssh_port != 0) {
		strbuf_printf(out, "  ssh:\n");
		dump_addr(out, "    ", "address", cli->ssh_addr);
		strbuf_printf(out, "    port: %u\n", cli->ssh_port);
		if (cli->ssh_host_key[0] != '\0')
			dump_str(out, "    ", "host-key", cli->ssh_host_key);
	}
	strbuf_printf(out, "  max-sessions: %u\n  login-timeout: %u\n  idle-timeout: %u\n",
		      cli->max_sessions, cli->login_timeout, cli->idle_timeout);
	if (cli->n_users == 0) {
		strbuf_printf(out, "  users: []\n");
		return;
	}
	strbuf_printf(out, "  users:\n");
	for (i = 0; i < cli->n_users && i < CFG_MAX_USERS; i++)
		dump_user(&cli->users[i], out);
}

static void dump_telemetry(const struct cfg_telemetry *t, struct strbuf *out)
{
	strbuf_printf(out, "telemetry:\n  dpdk: %s\n", t->dpdk ? "true" : "false");
	if (t->prom_port == 0)
		return;
	strbuf_printf(out, "  prometheus:\n");
	dump_addr(out, "    ", "address", t->prom_addr);
	strbuf_printf(out, "    port: %u\n", t->prom_port);
}

static void dump_logging(const struct cfg_logging *lg, struct strbuf *out)
{
	bool any = false;

	strbuf_printf(out, "logging:\n  destination: %s\n  buffer-lines: %u\n",
		      lg->dest == CFG_LOG_SYSLOG ? "syslog" : "stderr", lg->buffer_lines);
	for (unsigned i = 0; i < CFG_LOG_SUBSYS; i++)
		if (lg->levels[i][0] != '\0') {
			if (!any)
				strbuf_printf(out, "  levels:\n");
			any = true;
			strbuf_printf(out, "    %s: %s\n", cfg_log_subsys[i], lg->levels[i]);
		}
}

static void dump_flow_export(const struct cfg_flow_export *fx, struct strbuf *out)
{
	if (fx->collector == 0)
		return;
	strbuf_printf(out, "flow-export:\n");
	dump_addr(out, "  ", "collector", fx->collector);
	strbuf_printf(out, "  port: %u\n  sampling: %u\n  idle-timeout: %u\n  active-timeout: %u\n",
		      fx->port, fx->sampling, fx->idle_timeout, fx->active_timeout);
}

void cfg_dump(const struct cfg *cfg, struct strbuf *out)
{
	cfg_dump_opts(cfg, out, true);
}

void cfg_dump_opts(const struct cfg *cfg, struct strbuf *out, bool secrets)
{
	strbuf_printf(out, "node:\n");
	dump_str(out, "  ", "name", cfg->name);
	strbuf_printf(out, "  role: %s\n", cfg_role_name(cfg->role));
	dump_lcores(&cfg->lcores, out);
	dump_eal(&cfg->eal, out);
	dump_ports(cfg, out);
	if (cfg->tunnel.present)
		dump_tunnel(&cfg->tunnel, out, secrets);
	dump_routes(cfg, out);
	dump_cli(&cfg->cli, out);
	dump_telemetry(&cfg->telemetry, out);
	dump_logging(&cfg->logging, out);
	dump_flow_export(&cfg->flow_export, out);
	strbuf_printf(out,
		      "limits:\n  max-peers: %u\n  max-routes: %u\n  max-peers-per-nbma: %u\n"
		      "  registration-rate-per-nbma: %u\n  nhrp-send-rate: %u\n",
		      cfg->limits.max_peers, cfg->limits.max_routes, cfg->limits.max_peers_per_nbma,
		      cfg->limits.registration_rate_per_nbma, cfg->limits.nhrp_send_rate);
}
