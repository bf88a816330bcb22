/* Cross-field checks on a decoded struct cfg: duplicates, overlapping
 * subnets, role contradictions, unreachable next hops. Each complaint points
 * at the value that has to change. Pure, like the loader. */
#include "cfg.h"
#include "inet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define VAL_FAIL(cfg, err, pos, ...) cfg_err_at((err), (cfg)->file, (pos), __VA_ARGS__)

static struct cfg_pos val_pos_or(struct cfg_pos a, struct cfg_pos b)
{
	return a.line != 0 ? a : b;
}

static int val_overlaps(struct cfg_prefix a, struct cfg_prefix b)
{
	uint32_t m = inet_v4_mask(a.len < b.len ? a.len : b.len);

	return (a.addr & m) == (b.addr & m);
}

static int val_contains(struct cfg_prefix net, uint32_t addr)
{
	uint32_t m = inet_v4_mask(net.len);

	return (net.addr & m) == (addr & m);
}

static const char *val_pfx(struct cfg_prefix p, char buf[INET_ADDRSTR + 3])
{
	char a[INET_ADDRSTR];

	snprintf(buf, INET_ADDRSTR + 3, "%s/%u", inet_v4_str(p.addr, a), p.len);
	return buf;
}

static const char *val_net(struct cfg_prefix p, char buf[INET_ADDRSTR + 3])
{
	struct cfg_prefix n = {p.addr & inet_v4_mask(p.len), p.len};

	return val_pfx(n, buf);
}

static int val_lcores(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_lcores *lc = &cfg->lcores;
	unsigned i, j;

	for (i = 0; i < lc->n_workers && i < CFG_MAX_WORKERS; i++) {
		struct cfg_pos pos = val_pos_or(lc->pos_workers[i], lc->pos);

		if (lc->workers[i] == lc->main)
			return VAL_FAIL(
				cfg, err, pos,
				"lcore %u is the main lcore (lcores.main) and cannot also be a worker",
				lc->workers[i]);
		for (j = 0; j < i; j++)
			if (lc->workers[j] == lc->workers[i])
				return VAL_FAIL(cfg, err, pos,
						"lcore %u is listed twice in lcores.workers",
						lc->workers[i]);
	}
	return 0;
}

/* Port P against the ports before it. */
static int val_port_pair(const struct cfg *cfg, const struct cfg_port *p, const struct cfg_port *q,
			 struct cfg_err *err)
{
	char a[INET_ADDRSTR + 3], b[INET_ADDRSTR + 3];

	if (strcmp(p->name, q->name) == 0)
		return VAL_FAIL(cfg, err, p->pos_name,
				"duplicate port name '%s' (first used at line %u)", p->name,
				q->pos_name.line);
	if (strcmp(p->devargs, q->devargs) == 0)
		return VAL_FAIL(
			cfg, err, p->pos_devargs,
			"duplicate devargs '%s': port '%s' at line %u already uses this device",
			p->devargs, q->name, q->pos_devargs.line);
	if (val_overlaps(p->address, q->address))
		return VAL_FAIL(cfg, err, p->pos_address,
				"port '%s' address %s overlaps port '%s' (%s at line %u)", p->name,
				val_pfx(p->address, a), q->name, val_pfx(q->address, b),
				q->pos_address.line);
	if (p->role == CFG_PORT_WAN && q->role == CFG_PORT_WAN)
		return VAL_FAIL(
			cfg, err, p->pos_role,
			"port '%s' is a second wan port (port '%s' at line %u is already wan); only one wan port is supported",
			p->name, q->name, q->pos_role.line);
	return 0;
}

static int val_ports(const struct cfg *cfg, struct cfg_err *err)
{
	unsigned i, j;
	int rc;

	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++)
		for (j = 0; j < i; j++) {
			rc = val_port_pair(cfg, &cfg->ports[i], &cfg->ports[j], err);
			if (rc != 0)
				return rc;
		}
	return 0;
}

static const struct cfg_port *val_wan(const struct cfg *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++)
		if (cfg->ports[i].role == CFG_PORT_WAN)
			return &cfg->ports[i];
	return NULL;
}

/* One NHS: inside the tunnel subnet, not us, not listed twice. */
static int val_nhs(const struct cfg *cfg, unsigned i, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	const struct cfg_nhs *n = &t->nhs[i];
	char a[INET_ADDRSTR], b[INET_ADDRSTR + 3];
	unsigned j;

	if (!val_contains(t->address, n->overlay))
		return VAL_FAIL(
			cfg, err, n->pos_address,
			"NHS address %s is outside the tunnel subnet %s (tunnel.address at line %u)",
			inet_v4_str(n->overlay, a), val_net(t->address, b), t->pos_address.line);
	if (n->overlay == t->address.addr)
		return VAL_FAIL(
			cfg, err, n->pos_address,
			"NHS address %s is this node's own tunnel address; give the hub's overlay address",
			inet_v4_str(n->overlay, a));
	for (j = 0; j < cfg->n_ports && j < CFG_MAX_PORTS; j++)
		if (n->nbma == cfg->ports[j].address.addr)
			return VAL_FAIL(
				cfg, err, n->pos_nbma,
				"NHS nbma %s is this node's own address (port '%s'); give the hub's underlay address",
				inet_v4_str(n->nbma, a), cfg->ports[j].name);
	for (j = 0; j < i; j++)
		if (t->nhs[j].nbma == n->nbma || t->nhs[j].overlay == n->overlay)
			return VAL_FAIL(cfg, err, n->pos,
					"NHS %s is listed twice in tunnel.nhs (first at line %u)",
					inet_v4_str(n->overlay, a), t->nhs[j].pos.line);
	return 0;
}

/* One static map: inside the tunnel subnet, not us, not an NHS, not
 * listed twice. */
static int val_map(const struct cfg *cfg, unsigned i, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	const struct cfg_nhrp_map *m = &t->maps[i];
	char a[INET_ADDRSTR], b[INET_ADDRSTR + 3];
	unsigned j;

	if (!val_contains(t->address, m->overlay))
		return VAL_FAIL(
			cfg, err, m->pos_address,
			"map address %s is outside the tunnel subnet %s (tunnel.address at line %u)",
			inet_v4_str(m->overlay, a), val_net(t->address, b), t->pos_address.line);
	if (m->overlay == t->address.addr)
		return VAL_FAIL(cfg, err, m->pos_address,
				"map address %s is this node's own tunnel address",
				inet_v4_str(m->overlay, a));
	for (j = 0; j < cfg->n_ports && j < CFG_MAX_PORTS; j++)
		if (m->nbma == cfg->ports[j].address.addr)
			return VAL_FAIL(cfg, err, m->pos_nbma,
					"map nbma %s is this node's own address (port '%s')",
					inet_v4_str(m->nbma, a), cfg->ports[j].name);
	for (j = 0; j < t->n_nhs && j < CFG_MAX_NHS; j++)
		if (t->nhs[j].nbma == m->nbma || t->nhs[j].overlay == m->overlay)
			return VAL_FAIL(
				cfg, err, m->pos,
				"%s is an NHS already (tunnel.nhs at line %u): an NHS needs no map",
				inet_v4_str(m->overlay, a), t->nhs[j].pos.line);
	for (j = 0; j < i; j++)
		if (t->maps[j].nbma == m->nbma || t->maps[j].overlay == m->overlay)
			return VAL_FAIL(cfg, err, m->pos,
					"%s is mapped twice in tunnel.maps (first at line %u)",
					inet_v4_str(m->overlay, a), t->maps[j].pos.line);
	return 0;
}

static int val_tunnel_role(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	unsigned i;
	int rc;

	if (t->export_registrations && cfg->role != CFG_ROLE_HUB)
		return VAL_FAIL(
			cfg, err, t->pos_export,
			"tunnel.export-registrations is for a hub: a spoke has no registrations");
	if (t->export_registrations && t->kernel_if[0] == '\0')
		return VAL_FAIL(
			cfg, err, t->pos_export,
			"tunnel.export-registrations needs tunnel.kernel-interface (the routes go out of it)");
	if (t->n_reg_allow > 0 && cfg->role != CFG_ROLE_HUB)
		return VAL_FAIL(cfg, err, t->pos_reg_allow,
				"tunnel.registration-allow is for a hub: a spoke takes no "
				"registrations");
	for (i = 0; i < t->n_maps && i < CFG_MAX_MAPS; i++) {
		rc = val_map(cfg, i, err);
		if (rc != 0)
			return rc;
	}

	if (cfg->role == CFG_ROLE_HUB && t->n_nhs > 0)
		return VAL_FAIL(cfg, err, val_pos_or(t->pos_nhs, t->pos),
				"a hub must not list an NHS (tunnel.nhs): it is the NHS; "
				"other hubs go under tunnel.maps");
	if (cfg->role == CFG_ROLE_SPOKE && t->n_nhs == 0)
		return VAL_FAIL(cfg, err, val_pos_or(t->pos_nhs, t->pos),
				"a spoke needs at least one NHS under tunnel.nhs");
	for (i = 0; i < t->n_nhs && i < CFG_MAX_NHS; i++) {
		rc = val_nhs(cfg, i, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int val_tunnel(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	char a[INET_ADDRSTR + 3], b[INET_ADDRSTR + 3];
	const struct cfg_port *p;
	unsigned i;

	if (!t->present)
		return cfg->role == CFG_ROLE_SPOKE
			       ? VAL_FAIL(
					 cfg, err, cfg->pos_role,
					 "a spoke needs a tunnel section with at least one NHS under tunnel.nhs")
			       : 0;
	if (val_wan(cfg) == NULL)
		return VAL_FAIL(
			cfg, err, t->pos,
			"the tunnel needs a wan port for its underlay (NBMA) traffic, but no port has role: wan");
	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++) {
		p = &cfg->ports[i];
		if (val_overlaps(t->address, p->address))
			return VAL_FAIL(cfg, err, t->pos_address,
					"tunnel address %s overlaps port '%s' (%s at line %u)",
					val_pfx(t->address, a), p->name, val_pfx(p->address, b),
					p->pos_address.line);
	}
	return val_tunnel_role(cfg, err);
}

unsigned cfg_tunnel_wire_len(const struct cfg_tunnel *t, unsigned inner)
{
	const struct cfg_esp *e = &t->esp;
	unsigned gre = t->has_gre_key ? 8u : 4u, payload, align;
	bool cbc, natt, tunnel;

	if (t->protection != CFG_PROT_ESP)
		return 20u + gre + inner;
	cbc = e->alg == CFG_ESP_AES_CBC_128_SHA256 || e->alg == CFG_ESP_AES_CBC_256_SHA256;
	/* IKE-lite's NAT detection turns UDP on whatever nat-traversal says;
	 * a peer may ask for tunnel mode whatever ike.mode says (RFC 7296
	 * 1.3.1: the responder takes the initiator's mode). */
	natt = e->keying == CFG_KEYING_IKE || e->natt != CFG_NATT_OFF;
	tunnel = e->keying == CFG_KEYING_IKE;
	payload = (tunnel ? 20u : 0u) + gre + inner;
	align = cbc ? 16u : 4u; /* RFC 3602 2.4 (the AES block), RFC 4303 2.4 */
	return 20u + (natt ? 8u : 0u) + 8u + (cbc ? 16u : 8u) +
	       (payload + 2u + align - 1u) / align * align + 16u;
}

/* The largest inner packet the tunnel sends must fit the wan port's MTU
 * once wrapped: the workers do not fragment what they encapsulate. */
static int val_tunnel_mtu(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	const struct cfg_esp *e = &t->esp;
	const struct cfg_port *wan = val_wan(cfg);
	unsigned wire = cfg_tunnel_wire_len(t, t->mtu), fit = t->mtu;
	char how[96] = "in GRE", room[48] = "";

	if (wire <= wan->mtu)
		return 0;
	while (fit > 576 && cfg_tunnel_wire_len(t, fit) > wan->mtu)
		fit--;
	if (cfg_tunnel_wire_len(t, fit) <= wan->mtu)
		snprintf(room, sizeof(room), "lower tunnel.mtu to %u or ", fit);
	if (t->protection == CFG_PROT_ESP)
		snprintf(how, sizeof(how), "in ESP (%s%s%s)", cfg_esp_alg_name(e->alg),
			 e->keying == CFG_KEYING_IKE ? ", tunnel mode possible" : "",
			 e->keying == CFG_KEYING_IKE || e->natt != CFG_NATT_OFF ? ", NAT-T" : "");
	return VAL_FAIL(
		cfg, err, val_pos_or(t->pos_mtu, t->pos),
		"tunnel.mtu %u does not fit port '%s' (mtu %u): %s its packets take up to %u "
		"bytes there; %sraise the port's mtu to %u",
		t->mtu, wan->name, wan->mtu, how, wire, room, wire);
}

/* A spoke registers before its last registration lapses: the interval is
 * shorter than the holdtime (also after configure terminal changed it). */
static int val_reg_interval(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;

	if (t->reg_interval == 0 || t->reg_interval < t->holdtime)
		return 0;
	return VAL_FAIL(
		cfg, err, val_pos_or(t->pos_reg_interval, t->pos),
		"'tunnel.registration-interval' must be shorter than tunnel.holdtime (%u s), got %u",
		t->holdtime, t->reg_interval);
}

/* Where a next hop may live: the subnets of the ports (a wan gateway for
 * the underlay, a lan router) and of the tunnel (an overlay next hop). */
static int val_via_reachable(const struct cfg *cfg, uint32_t via)
{
	unsigned i;

	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++)
		if (val_contains(cfg->ports[i].address, via))
			return 1;
	return cfg->tunnel.present && val_contains(cfg->tunnel.address, via);
}

/* "wan0 192.0.2.0/24, lan0 10.0.0.0/24, tunnel0 10.255.0.0/24" for the message. */
static void val_subnets(const struct cfg *cfg, char *out, size_t outlen)
{
	char b[INET_ADDRSTR + 3];
	size_t o = 0;
	unsigned i;
	int n;

	snprintf(out, outlen, "none");
	for (i = 0; i <= cfg->n_ports && i <= CFG_MAX_PORTS; i++) {
		const struct cfg_port *p =
			i < cfg->n_ports && i < CFG_MAX_PORTS ? &cfg->ports[i] : NULL;

		if (p == NULL && !cfg->tunnel.present)
			break;
		n = snprintf(out + o, outlen - o, "%s%s %s", o ? ", " : "",
			     p != NULL ? p->name : cfg->tunnel.name,
			     val_net(p != NULL ? p->address : cfg->tunnel.address, b));
		if (n < 0 || (size_t)n >= outlen - o)
			return;
		o += (size_t)n;
	}
}

static int val_route_via(const struct cfg *cfg, const struct cfg_route *r, struct cfg_err *err)
{
	char a[INET_ADDRSTR], b[INET_ADDRSTR + 3], nets[256];
	unsigned i;

	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++)
		if (r->via == cfg->ports[i].address.addr)
			return VAL_FAIL(
				cfg, err, r->pos_via,
				"route %s: next hop %s is this node's own address (port '%s')",
				val_pfx(r->prefix, b), inet_v4_str(r->via, a), cfg->ports[i].name);
	if (cfg->tunnel.present && r->via == cfg->tunnel.address.addr)
		return VAL_FAIL(cfg, err, r->pos_via,
				"route %s: next hop %s is this node's own address (%s)",
				val_pfx(r->prefix, b), inet_v4_str(r->via, a), cfg->tunnel.name);
	if (!val_via_reachable(cfg, r->via)) {
		val_subnets(cfg, nets, sizeof(nets));
		return VAL_FAIL(
			cfg, err, r->pos_via,
			"route %s: next hop %s is not inside a port subnet or the tunnel subnet (%s)",
			val_pfx(r->prefix, b), inet_v4_str(r->via, a), nets);
	}
	return 0;
}

static int val_routes(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_route *r;
	char a[INET_ADDRSTR], b[INET_ADDRSTR + 3], c[INET_ADDRSTR];
	unsigned i, j;
	int rc;

	for (i = 0; i < cfg->n_routes && i < CFG_MAX_ROUTES; i++) {
		r = &cfg->routes[i];
		for (j = 0; j < i; j++) {
			const struct cfg_route *o = &cfg->routes[j];

			if (o->prefix.addr != r->prefix.addr || o->prefix.len != r->prefix.len)
				continue;
			if (o->via == r->via)
				return VAL_FAIL(cfg, err, r->pos_via,
						"duplicate route %s via %s (first at line %u)",
						val_pfx(r->prefix, b), inet_v4_str(r->via, a),
						o->pos_prefix.line);
			if (o->distance == r->distance)
				return VAL_FAIL(
					cfg, err, val_pos_or(r->pos_distance, r->pos_prefix),
					"route %s via %s has distance %u, as the one via %s (line %u): a backup route needs a higher distance",
					val_pfx(r->prefix, b), inet_v4_str(r->via, a), r->distance,
					inet_v4_str(o->via, c), o->pos_prefix.line);
		}
		rc = val_route_via(cfg, r, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int val_cli(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_cli *cli = &cfg->cli;
	char a[INET_ADDRSTR];
	unsigned i, j;

	for (i = 0; i < cli->n_users && i < CFG_MAX_USERS; i++)
		for (j = 0; j < i; j++)
			if (strcmp(cli->users[i].name, cli->users[j].name) == 0)
				return VAL_FAIL(cfg, err, cli->users[i].pos_name,
						"duplicate user '%s' (first at line %u)",
						cli->users[i].name, cli->users[j].pos_name.line);
	if (cli->ssh_port != 0 && cli->telnet_port == cli->ssh_port &&
	    (cli->telnet_addr == cli->ssh_addr || cli->telnet_addr == 0 || cli->ssh_addr == 0))
		return VAL_FAIL(
			cfg, err, cli->pos_ssh,
			"cli.ssh.port %u is also cli.telnet.port: give them different ports",
			cli->ssh_port);
	if (cli->ssh_port != 0 && cli->n_users == 0)
		return VAL_FAIL(
			cfg, err, cli->pos_ssh,
			"ssh is enabled on %s:%u but cli.users is empty: add a user with ssh-keys or a password-hash, or remove cli.ssh",
			inet_v4_str(cli->ssh_addr, a), cli->ssh_port);
	if (cli->telnet_port != 0 && cli->n_users == 0)
		return VAL_FAIL(
			cfg, err, val_pos_or(cli->pos, cfg->pos_node),
			"telnet is enabled on %s:%u but cli.users is empty: add a user with a password-hash, or set cli.telnet.port: 0",
			inet_v4_str(cli->telnet_addr, a), cli->telnet_port);
	return 0;
}

/* Static SAs: SPIs in are unique (they select the SA), one pair per
 * peer, and a spoke has one for each NHS (or it could not reach its hub). */
/* keying: ike: every peer can be authenticated, and the credentials a
 * side needs are all there (files are read, and their modes checked, at
 * start). */
static int val_ike(const struct cfg *cfg, const struct cfg_ike *k, struct cfg_pos where,
		   struct cfg_err *err)
{
	bool wild = k->psk_len != 0 || k->psk_file[0] != '\0', any_psk = wild;
	bool need_cert = k->auth == CFG_IKE_AUTH_CERT;

	if (k->psk_len != 0 && k->psk_file[0] != '\0')
		return VAL_FAIL(cfg, err, k->pos_psk,
				"tunnel.esp.ike: give psk or psk-file, not both");
	for (unsigned i = 0; i < k->n_peers && i < CFG_IKE_MAX_PEERS; i++) {
		const struct cfg_ike_peer *p = &k->peers[i];
		bool own = p->psk_len != 0 || p->psk_file[0] != '\0';
		enum cfg_ike_auth a = p->has_auth ? p->auth : own ? CFG_IKE_AUTH_PSK : k->auth;

		any_psk |= own;
		if (a == CFG_IKE_AUTH_CERT)
			need_cert = true;
		else if (!own && !wild)
			return VAL_FAIL(
				cfg, err, p->pos,
				"tunnel.esp.ike.peers[%u] authenticates with a psk but has none, "
				"and tunnel.esp.ike has no psk for it to fall back on",
				i);
	}
	if (need_cert && (k->cert[0] == '\0' || k->key[0] == '\0' || k->ca[0] == '\0'))
		return VAL_FAIL(cfg, err,
				k->pos_auth.line != 0   ? k->pos_auth
				: k->pos_cert.line != 0 ? k->pos_cert
							: where,
				"certificate authentication needs tunnel.esp.ike.cert, key and ca "
				"(our certificate, its private key, the CAs we trust)");
	if (k->auth == CFG_IKE_AUTH_PSK && !any_psk)
		return VAL_FAIL(cfg, err, where,
				"keying: ike needs tunnel.esp.ike.psk or tunnel.esp.ike.psk-file "
				"(the pre-shared key), per-peer psks under peers, or a cert");
	if (k->crl[0] != '\0' && k->ca[0] == '\0')
		return VAL_FAIL(cfg, err, where, "tunnel.esp.ike.crl needs tunnel.esp.ike.ca");
	return 0;
}

static int val_esp_static(const struct cfg *cfg, const struct cfg_esp *e, struct cfg_err *err)
{
	char a[INET_ADDRSTR];

	if (e->n_sas == 0)
		return VAL_FAIL(cfg, err, e->pos_keying,
				"keying: static needs at least one SA under tunnel.esp.sas");
	for (unsigned i = 0; i < e->n_sas; i++)
		for (unsigned j = 0; j < i; j++) {
			if (e->sas[i].spi_in == e->sas[j].spi_in)
				return VAL_FAIL(cfg, err, e->sas[i].pos_spi_in,
						"spi-in %u is already used by tunnel.esp.sas[%u]",
						e->sas[i].spi_in, j);
			if (e->sas[i].peer == e->sas[j].peer)
				return VAL_FAIL(cfg, err, e->sas[i].pos,
						"peer %s already has an SA (tunnel.esp.sas[%u])",
						inet_v4_str(e->sas[i].peer, a), j);
		}
	for (unsigned n = 0; n < cfg->tunnel.n_nhs; n++) {
		unsigned i;

		for (i = 0; i < e->n_sas && e->sas[i].peer != cfg->tunnel.nhs[n].nbma; i++)
			;
		if (i == e->n_sas)
			return VAL_FAIL(cfg, err, cfg->tunnel.nhs[n].pos,
					"NHS %s has no static SA under tunnel.esp.sas",
					inet_v4_str(cfg->tunnel.nhs[n].nbma, a));
	}
	for (unsigned n = 0; n < cfg->tunnel.n_maps; n++) {
		unsigned i;

		for (i = 0; i < e->n_sas && e->sas[i].peer != cfg->tunnel.maps[n].nbma; i++)
			;
		if (i == e->n_sas)
			return VAL_FAIL(cfg, err, cfg->tunnel.maps[n].pos,
					"mapped peer %s has no static SA under tunnel.esp.sas",
					inet_v4_str(cfg->tunnel.maps[n].nbma, a));
	}
	return 0;
}

static int val_esp(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_tunnel *t = &cfg->tunnel;
	const struct cfg_esp *e = &t->esp;
	bool has_esp = e->pos.line != 0;

	if (!t->present)
		return 0;
	if (t->protection == CFG_PROT_NONE)
		return has_esp ? VAL_FAIL(cfg, err, e->pos,
					  "tunnel.esp is set but tunnel.protection is none: "
					  "set protection: esp or remove the esp section")
			       : 0;
	if (e->keying == CFG_KEYING_GROUP && !e->has_group_key)
		return VAL_FAIL(cfg, err, has_esp ? e->pos : t->pos,
				"protection: esp with keying: group-key needs tunnel.esp.group-key "
				"(32 bytes of hex, the same on every node)");
	if (e->keying == CFG_KEYING_STATIC)
		return val_esp_static(cfg, e, err);
	if (e->ike.pos.line != 0 && e->keying != CFG_KEYING_IKE)
		return VAL_FAIL(cfg, err, e->ike.pos,
				"tunnel.esp.ike is set but tunnel.esp.keying is not ike");
	if (e->keying == CFG_KEYING_IKE)
		return val_ike(cfg, &e->ike,
			       e->ike.pos.line != 0 ? e->ike.pos
			       : has_esp            ? e->pos_keying
						    : t->pos,
			       err);
	return 0;
}

unsigned cfg_startup_routes(const struct cfg *cfg)
{
	unsigned i, n = 0;

	/* Mirrors control/node_routes.c. */
	for (i = 0; i < cfg->n_ports && i < CFG_MAX_PORTS; i++)
		n += cfg->ports[i].address.len <= 30 ? 3 : 2;
	if (cfg->tunnel.present)
		n += 2;
	return n + cfg->n_routes;
}

static int val_limits(const struct cfg *cfg, struct cfg_err *err)
{
	const struct cfg_limits *l = &cfg->limits;
	unsigned need = cfg_startup_routes(cfg);

	if (l->max_routes < need)
		return VAL_FAIL(
			cfg, err, val_pos_or(l->pos_max_routes, cfg->pos_node),
			"'limits.max-routes' is %u but this config installs %u routes at start (connected, local and static): raise it to at least %u",
			l->max_routes, need, need);
	return 0;
}

int cfg_validate(const struct cfg *cfg, struct cfg_err *err)
{
	int rc;

	rc = val_lcores(cfg, err);
	if (rc == 0)
		rc = val_ports(cfg, err);
	if (rc == 0)
		rc = val_tunnel(cfg, err);
	if (rc == 0)
		rc = val_esp(cfg, err);
	if (rc == 0 && cfg->tunnel.present)
		rc = val_tunnel_mtu(cfg, err);
	if (rc == 0 && cfg->tunnel.present)
		rc = val_reg_interval(cfg, err);
	if (rc == 0)
		rc = val_routes(cfg, err);
	if (rc == 0)
		rc = val_cli(cfg, err);
	if (rc == 0)
		rc = val_limits(cfg, err);
	return rc;
}
