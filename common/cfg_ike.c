/* The tunnel's `esp.ike` keys: IKE-lite's proposals (strongSwan's names),
 * identities, the pre-shared keys (a wildcard and per peer, inline or from
 * a file), certificates, fragmentation, CHILD_SA mode, lifetimes, liveness
 * checks, idle time and the admission limits. Decoded like the
 * rest of the config: pure, precise messages, secrets never echoed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfg_esp.h"

void cfg_ike_defaults(struct cfg_ike *k)
{
	memset(k, 0, sizeof(*k));
	/* AES-256 and SHA-2 by default, X25519 first (a secure DMVPN guide's
	 * choice, and strongSwan's and Cisco's too). */
	cfg_ike_prop_parse("aes256gcm16-prfsha256-x25519", &k->proposals[0]);
	cfg_ike_prop_parse("aes256gcm16-prfsha384-ecp384", &k->proposals[1]);
	cfg_ike_prop_parse("aes256-sha256-prfsha256-modp2048", &k->proposals[2]);
	k->n_proposals = 3;
	k->lifetime_s = 14400;
	k->child_lifetime_s = 3600;
	k->dpd_s = 30;
	k->idle_s = 300;
	k->cookie_threshold = 64;
	k->max_half_open = 1024;
	k->source_rate = 20;
	k->fragmentation = true;
	k->fragment_size = 1280; /* strongSwan's default: every IPv6 link carries it */
}

static int ike_proposals(const struct ld_sec *s, struct cfg_ike *k)
{
	char path[LD_PATH], item[LD_PATH + 16];
	const yaml_node_t *n = ld_get(s, "proposals", path);
	unsigned count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 1, CFG_IKE_MAX_PROPOSALS, &count);
	for (unsigned i = 0; rc == 0 && i < count; i++) {
		const yaml_node_t *v = ld_item(s->ld, n, i);
		const char *t;

		snprintf(item, sizeof(item), "%s[%u]", path, i);
		if (ld_text(s->ld, v, item, "a proposal", &t) != 0)
			return -EINVAL;
		if (cfg_ike_prop_parse(t, &k->proposals[i]) != 0)
			return ld_fail(
				s->ld, v,
				"'%s' must be cipher-prf-group as strongSwan writes it "
				"(aes256gcm16-prfsha256-x25519, aes128gcm16-prfsha384-ecp256, "
				"aes256-sha256-prfsha256-modp2048 ...), got '%s'",
				item, t);
	}
	if (rc == 0)
		k->n_proposals = count;
	return rc;
}

/* A PSK inline: 16..128 bytes of text (a short key invites guessing;
 * RFC 7296 2.15 wants one as strong as the prf key). Never echoed. */
static int ike_psk(const struct ld_sec *s, uint8_t psk[CFG_IKE_PSK_MAX], uint8_t *psk_len,
		   struct cfg_pos *pos)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "psk", path);
	const char *t;
	size_t len;

	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "a string", &t) != 0)
		return -EINVAL;
	len = strlen(t);
	if (len < 16 || len > CFG_IKE_PSK_MAX)
		return ld_fail(s->ld, n, "'%s' must be 16..%u bytes long, got %zu bytes", path,
			       CFG_IKE_PSK_MAX, len);
	memcpy(psk, t, len);
	*psk_len = (uint8_t)len;
	*pos = ld_pos(n);
	return 0;
}

static int ike_id(const struct ld_sec *s, const char *key, struct cfg_ike_id *id,
		  struct cfg_pos *pos)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *t, *why;

	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "an identity", &t) != 0)
		return -EINVAL;
	if (cfg_ike_id_parse(t, id, &why) != 0)
		return ld_fail(
			s->ld, n,
			"'%s': %s: an IPv4 address, an FQDN (hub.example.net "
			"or @hub), user@domain, a key ID (@#hex) or a DN (CN=hub, O=Example)",
			path, why);
	*pos = ld_pos(n);
	return 0;
}

static const char *const ike_auths[] = {"psk", "cert", NULL};

/* pfs: none or a DH group, for the CHILD_SAs that rekeys make. */
static int ike_pfs(const struct ld_sec *s, struct cfg_ike *k)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "pfs", path);
	const char *t;

	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "none or a DH group", &t) != 0)
		return -EINVAL;
	k->pfs = 0;
	if (strcmp(t, "none") != 0 && cfg_ike_dh_parse(t, &k->pfs) != 0)
		return ld_fail(s->ld, n,
			       "'%s' must be none, x25519, ecp256, ecp384 or modp2048, got '%s'",
			       path, t);
	return 0;
}

static int ike_peer(const struct ld *ld, const yaml_node_t *v, const char *name,
		    struct cfg_ike_peer *p)
{
	static const char *const keys[] = {"address", "id", "auth", "psk", "psk-file", NULL};
	char path[LD_PATH];
	const yaml_node_t *fn = NULL;
	struct ld_sec s;
	struct cfg_pos apos;
	int rc, auth = -1;

	rc = ld_open(ld, v, name, keys, NULL, &s);
	p->pos = ld_pos(v);
	if (rc == 0)
		rc = ld_addr(&s, "address", &p->addr, &apos);
	if (rc >= 0)
		rc = ike_id(&s, "id", &p->id, &p->pos_id);
	if (rc >= 0)
		rc = ld_enum(&s, "auth", ike_auths, &auth);
	p->has_auth = auth >= 0;
	p->auth = auth == 1 ? CFG_IKE_AUTH_CERT : CFG_IKE_AUTH_PSK;
	if (rc >= 0)
		rc = ike_psk(&s, p->psk, &p->psk_len, &p->pos_psk);
	if (rc >= 0)
		rc = ld_str(&s, "psk-file", sizeof(p->psk_file), p->psk_file, &fn);
	if (rc < 0)
		return rc;
	if (fn != NULL)
		p->pos_psk = ld_pos(fn);
	if (p->addr == 0 && p->id.type == 0)
		return ld_fail(ld, v, "'%s' needs an address, an id or both (which peer it is)",
			       name);
	if (p->psk_len != 0 && p->psk_file[0] != '\0')
		return ld_fail(ld, fn, "'%s': give psk or psk-file, not both", name);
	if (p->has_auth && p->auth == CFG_IKE_AUTH_CERT && (p->psk_len != 0 || fn != NULL))
		return ld_fail(ld, ld_get(&s, "auth", path), "'%s': auth: cert takes no psk", name);
	return 0;
}

static int ike_peers(const struct ld_sec *s, struct cfg_ike *k)
{
	char path[LD_PATH], item[LD_PATH + 16];
	const yaml_node_t *n = ld_get(s, "peers", path);
	unsigned count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 1, CFG_IKE_MAX_PEERS, &count);
	for (unsigned i = 0; rc == 0 && i < count; i++) {
		snprintf(item, sizeof(item), "%s[%u]", path, i);
		rc = ike_peer(s->ld, ld_item(s->ld, n, i), item, &k->peers[i]);
	}
	if (rc == 0)
		k->n_peers = count;
	return rc;
}

/* Certificates: our own, its key, the CAs we trust, the CRL. */
static int ike_certs(const struct ld_sec *s, struct cfg_ike *k)
{
	static const char *const bools[] = {"false", "true", NULL};
	const yaml_node_t *fn = NULL;
	int rc, auth = -1, frag = k->fragmentation;

	rc = ld_str(s, "cert", sizeof(k->cert), k->cert, &fn);
	if (fn != NULL)
		k->pos_cert = ld_pos(fn);
	if (rc >= 0)
		rc = ld_str(s, "key", sizeof(k->key), k->key, &fn);
	if (rc >= 0)
		rc = ld_str(s, "ca", sizeof(k->ca), k->ca, &fn);
	if (rc >= 0)
		rc = ld_str(s, "crl", sizeof(k->crl), k->crl, &fn);
	if (rc >= 0)
		rc = ld_enum(s, "auth", ike_auths, &auth);
	if (rc == 1) {
		char path[LD_PATH];

		k->pos_auth = ld_pos(ld_get(s, "auth", path));
	}
	if (auth >= 0)
		k->auth = auth == 1 ? CFG_IKE_AUTH_CERT : CFG_IKE_AUTH_PSK;
	else
		k->auth = k->cert[0] != '\0' ? CFG_IKE_AUTH_CERT : CFG_IKE_AUTH_PSK;
	if (rc >= 0)
		rc = ld_enum(s, "fragmentation", bools, &frag);
	k->fragmentation = frag == 1;
	if (rc >= 0)
		rc = ld_u16(s, "fragment-size", 576, 9000, &k->fragment_size);
	return rc < 0 ? rc : 0;
}

int cfg_ike_load(const struct ld *ld, const yaml_node_t *val, struct cfg_ike *k)
{
	static const char *const keys[] = {"proposals",
					   "psk",
					   "psk-file",
					   "mode",
					   "lifetime",
					   "child-lifetime",
					   "dpd",
					   "idle-timeout",
					   "cookie-threshold",
					   "max-half-open",
					   "source-rate",
					   "key-log",
					   "local-id",
					   "auth",
					   "cert",
					   "key",
					   "ca",
					   "crl",
					   "fragmentation",
					   "fragment-size",
					   "peers",
					   "pfs",
					   NULL};
	static const char *const modes[] = {"transport", "tunnel", NULL};
	int mode = k->tunnel_mode, rc;
	const yaml_node_t *fn = NULL;
	struct ld_sec s;

	rc = ld_open(ld, val, "tunnel.esp.ike", keys, NULL, &s);
	k->pos = ld_pos(val);
	if (rc == 0)
		rc = ike_proposals(&s, k);
	if (rc >= 0)
		rc = ike_psk(&s, k->psk, &k->psk_len, &k->pos_psk);
	if (rc >= 0)
		rc = ld_str(&s, "psk-file", sizeof(k->psk_file), k->psk_file, &fn);
	if (rc >= 0 && fn != NULL)
		k->pos_psk = ld_pos(fn);
	if (rc >= 0)
		rc = ld_enum(&s, "mode", modes, &mode);
	k->tunnel_mode = mode == 1;
	if (rc >= 0)
		rc = ld_u32(&s, "lifetime", 0, 86400 * 7, NULL, &k->lifetime_s);
	if (rc >= 0)
		rc = ld_u32(&s, "child-lifetime", 0, 86400, NULL, &k->child_lifetime_s);
	if (rc >= 0)
		rc = ld_u32(&s, "dpd", 0, 3600, NULL, &k->dpd_s);
	if (rc >= 0)
		rc = ld_u32(&s, "idle-timeout", 0, 86400, NULL, &k->idle_s);
	if (rc >= 0)
		rc = ld_u32(&s, "cookie-threshold", 0, 1000000, NULL, &k->cookie_threshold);
	if (rc >= 0)
		rc = ld_u32(&s, "max-half-open", 1, 1000000, NULL, &k->max_half_open);
	if (rc >= 0)
		rc = ld_u32(&s, "source-rate", 0, 100000, NULL, &k->source_rate);
	if (rc >= 0)
		rc = ld_str(&s, "key-log", sizeof(k->key_log), k->key_log, &fn);
	if (rc >= 0)
		rc = ike_id(&s, "local-id", &k->local_id, &k->pos_local_id);
	if (rc >= 0)
		rc = ike_certs(&s, k);
	if (rc >= 0)
		rc = ike_pfs(&s, k);
	if (rc >= 0)
		rc = ike_peers(&s, k);
	return rc < 0 ? rc : 0;
}
