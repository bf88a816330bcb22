/* The tunnel's `protection` and `esp` keys: algorithm, ESN, replay window,
 * lifetimes, keying (a lab group key or static SAs per peer), NAT-T and the
 * key log. Decoded like the rest of the config: pure, precise messages. */
#include <errno.h>
#include <string.h>

#include "cfg_esp.h"
#include "inet.h"

static const char *const esp_alg_names[] = {"aes-gcm-128", "aes-gcm-256", "aes-cbc-128-sha256",
					    "aes-cbc-256-sha256", NULL};

const char *cfg_esp_alg_name(enum cfg_esp_alg a)
{
	return (unsigned)a < 4 ? esp_alg_names[a] : "?";
}

void cfg_esp_defaults(struct cfg_esp *e)
{
	memset(e, 0, sizeof(*e));
	e->alg = CFG_ESP_AES_GCM_128;
	e->esn = true;
	e->replay_window = 1024;
	e->soft_percent = 90;
	e->keying = CFG_KEYING_IKE;
	cfg_ike_defaults(&e->ike);
	e->natt = CFG_NATT_AUTO;
	e->natt_keepalive_s = 20;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* KEY as exactly `len` bytes of hex (an optional 0x first). The value is
 * a secret: messages name the key and the length, never the content. */
static int esp_hex(const struct ld_sec *s, const char *key, uint8_t *out, unsigned len,
		   bool *present)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *t = NULL;
	size_t tl;

	if (present != NULL)
		*present = n != NULL;
	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "a hex string", &t) != 0)
		return -EINVAL;
	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))
		t += 2;
	tl = strlen(t);
	if (tl != 2 * (size_t)len)
		return ld_fail(s->ld, n,
			       "'%s' must be %u bytes (%u hex digits), got %zu hex digits", path,
			       len, 2 * len, tl);
	for (unsigned i = 0; i < len; i++) {
		int hi = hexval(t[2 * i]), lo = hexval(t[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ld_fail(s->ld, n, "'%s' must be hex digits only", path);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}

static int ld_esp_sa(const struct ld *ld, const yaml_node_t *val, unsigned i,
		     const struct cfg_esp *e, struct cfg_esp_sa *sa)
{
	static const char *const keys[] = {"peer", "spi-in", "spi-out", "key-in", "key-out", NULL};
	char name[LD_PATH], path[LD_PATH];
	unsigned klen = cfg_esp_keymat_len(e->alg);
	struct ld_sec s;
	int rc;

	snprintf(name, sizeof(name), "tunnel.esp.sas[%u]", i);
	rc = ld_open(ld, val, name, keys, keys, &s);
	if (rc != 0)
		return rc;
	sa->pos = ld_pos(val);
	rc = ld_addr(&s, "peer", &sa->peer, NULL);
	if (rc >= 0) {
		sa->pos_spi_in = ld_pos(ld_get(&s, "spi-in", path));
		/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is local. */
		rc = ld_u32(&s, "spi-in", 256, UINT32_MAX, NULL, &sa->spi_in);
	}
	if (rc >= 0)
		rc = ld_u32(&s, "spi-out", 256, UINT32_MAX, NULL, &sa->spi_out);
	if (rc >= 0)
		rc = esp_hex(&s, "key-in", sa->key_in, klen, NULL);
	if (rc >= 0)
		rc = esp_hex(&s, "key-out", sa->key_out, klen, NULL);
	return rc < 0 ? rc : 0;
}

static int esp_sas(const struct ld_sec *s, struct cfg_esp *e)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "sas", path);
	unsigned count = 0;
	int rc;

	if (n == NULL)
		return 0;
	rc = ld_seq(s->ld, n, path, 0, CFG_MAX_SAS, &count);
	for (unsigned i = 0; rc == 0 && i < count; i++)
		rc = ld_esp_sa(s->ld, ld_item(s->ld, n, i), i, e, &e->sas[i]);
	if (rc == 0)
		e->n_sas = count;
	return rc;
}

/* 0 turns anti-replay off (RFC 4303 3.4.3 leaves it to the receiver;
 * Cisco's "set security-association replay disable", strongSwan's
 * replay_window = 0); otherwise a window of 64..4096 packets. */
static int esp_replay_window(const struct ld_sec *s, struct cfg_esp *e)
{
	static const char desc[] = "0 (anti-replay off) or an integer in 64..4096";
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, "replay-window", path);
	uint32_t w = e->replay_window;
	int rc = ld_u32(s, "replay-window", 0, 4096, desc, &w);

	if (rc == 1 && w != 0 && w < 64)
		return ld_fail(s->ld, n, "'%s' must be %s, got %u", path, desc, w);
	e->replay_window = w;
	return rc;
}

static int esp_limits(const struct ld_sec *s, struct cfg_esp *e)
{
	uint32_t soft = e->soft_percent;
	int rc = esp_replay_window(s, e);

	if (rc >= 0)
		rc = ld_u32(s, "lifetime-packets", 0, UINT32_MAX, NULL, &e->life_packets);
	if (rc >= 0)
		rc = ld_u32(s, "lifetime-kbytes", 0, UINT32_MAX, NULL, &e->life_kbytes);
	if (rc >= 0)
		rc = ld_u32(s, "soft-limit-percent", 50, 99, NULL, &soft);
	e->soft_percent = (uint8_t)soft;
	if (rc >= 0)
		rc = ld_u16(s, "nat-keepalive", 0, 3600, &e->natt_keepalive_s);
	return rc < 0 ? rc : 0;
}

int cfg_esp_load(const struct ld *ld, const yaml_node_t *val, struct cfg_esp *e)
{
	static const char *const keys[] = {"algorithm",       "esn",
					   "replay-window",   "lifetime-packets",
					   "lifetime-kbytes", "soft-limit-percent",
					   "keying",          "ike",
					   "group-key",       "sas",
					   "nat-traversal",   "nat-keepalive",
					   "key-log",         NULL};
	static const char *const bools[] = {"false", "true", NULL};
	static const char *const keyings[] = {"ike", "group-key", "static", NULL};
	static const char *const natts[] = {"auto", "force", "off", NULL};
	int alg = (int)e->alg, esn = e->esn, keying = (int)e->keying, natt = (int)e->natt;
	const yaml_node_t *kn = NULL;
	char path[LD_PATH];
	struct ld_sec s;
	int rc;

	rc = ld_open(ld, val, "tunnel.esp", keys, NULL, &s);
	e->pos = ld_pos(val);
	if (rc == 0)
		rc = ld_enum(&s, "algorithm", esp_alg_names, &alg);
	e->alg = (enum cfg_esp_alg)alg;
	if (rc >= 0)
		rc = ld_enum(&s, "esn", bools, &esn);
	e->esn = esn == 1;
	if (rc >= 0)
		rc = esp_limits(&s, e);
	if (rc >= 0) {
		kn = ld_get(&s, "keying", path);
		rc = ld_enum(&s, "keying", keyings, &keying);
	}
	e->keying = (enum cfg_keying)keying;
	e->pos_keying = kn != NULL ? ld_pos(kn) : e->pos;
	if (rc >= 0 && (kn = ld_get(&s, "ike", path)) != NULL)
		rc = cfg_ike_load(ld, kn, &e->ike);
	if (rc >= 0)
		rc = esp_hex(&s, "group-key", e->group_key, CFG_GROUP_KEY_LEN, &e->has_group_key);
	if (rc >= 0)
		rc = esp_sas(&s, e);
	if (rc >= 0)
		rc = ld_enum(&s, "nat-traversal", natts, &natt);
	e->natt = (enum cfg_natt)natt;
	if (rc >= 0)
		rc = ld_str(&s, "key-log", sizeof(e->key_log), e->key_log, &kn);
	return rc < 0 ? rc : 0;
}
