/* The tunnel's `esp.ike` keys: IKE-lite's proposals (strongSwan's names),
 * the pre-shared key (inline or from a file), CHILD_SA mode, lifetimes,
 * liveness checks, idle time and the admission limits. Decoded like the
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
			return ld_fail(s->ld, v, "'%s' must be cipher-prf-group as strongSwan writes it "
				       "(aes256gcm16-prfsha256-x25519, aes128gcm16-prfsha384-ecp256, "
				       "aes256-sha256-prfsha256-modp2048 ...), got '%s'", item, t);
	}
	if (rc == 0)
		k->n_proposals = count;
	return rc;
}

/* The PSK inline: 16..128 bytes of text (a short key invites guessing;
 * RFC 7296 2.15 wants one as strong as the prf key). Never echoed. */
static int ike_psk(const struct ld_sec *s, struct cfg_ike *k)
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
	memcpy(k->psk, t, len);
	k->psk_len = (uint8_t)len;
	k->pos_psk = ld_pos(n);
	return 0;
}

int cfg_ike_load(const struct ld *ld, const yaml_node_t *val, struct cfg_ike *k)
{
	static const char *const keys[] = {"proposals", "psk", "psk-file", "mode", "lifetime",
					   "child-lifetime", "dpd", "idle-timeout",
					   "cookie-threshold", "max-half-open", "source-rate",
					   "key-log", NULL};
	static const char *const modes[] = {"transport", "tunnel", NULL};
	int mode = k->tunnel_mode, rc;
	const yaml_node_t *fn = NULL;
	struct ld_sec s;

	rc = ld_open(ld, val, "tunnel.esp.ike", keys, NULL, &s);
	k->pos = ld_pos(val);
	if (rc == 0)
		rc = ike_proposals(&s, k);
	if (rc >= 0)
		rc = ike_psk(&s, k);
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
	return rc < 0 ? rc : 0;
}
