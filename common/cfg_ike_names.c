/* IKE proposal names as strongSwan writes them ("aes256gcm16-prfsha256-
 * x25519") to and from transform IDs: shared by the config loader and
 * IKE-lite. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"

static const struct {
	const char *nm;
	uint16_t prf;
} prf_names[] = {{"prfsha256", 5}, {"prfsha384", 6}, {"prfsha512", 7}};

static const struct {
	const char *nm;
	uint16_t dh;
} dh_names[] = {
	{"x25519", 31}, {"curve25519", 31}, {"ecp256", 19}, {"ecp384", 20}, {"modp2048", 14}};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* cipher[-sha256]-prf-group: "aes128gcm16" / "aes256gcm16" (AES-GCM with a
 * 16-octet ICV, ENCR 20, no integrity transform) or "aes128" / "aes256"
 * followed by "sha256" (AES-CBC, ENCR 12, with HMAC-SHA2-256-128). */
static int cipher_parse(char **tok, unsigned n, struct cfg_ike_prop *out, unsigned *used)
{
	if (n == 3 && (strcmp(tok[0], "aes128gcm16") == 0 || strcmp(tok[0], "aes256gcm16") == 0)) {
		out->ip_encr = 20;
		out->ip_bits = tok[0][3] == '1' ? 128 : 256;
		*used = 1;
		return 0;
	}
	if (n == 4 && (strcmp(tok[0], "aes128") == 0 || strcmp(tok[0], "aes256") == 0) &&
	    strcmp(tok[1], "sha256") == 0) {
		out->ip_encr = 12;
		out->ip_bits = tok[0][3] == '1' ? 128 : 256;
		out->ip_integ = 12;
		*used = 2;
		return 0;
	}
	return -EINVAL;
}

int cfg_ike_prop_parse(const char *s, struct cfg_ike_prop *out)
{
	char buf[96], *save = NULL, *tok[5];
	unsigned n = 0, k;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, "-", &save); t != NULL; t = strtok_r(NULL, "-", &save)) {
		if (n == N_OF(tok))
			return -EINVAL;
		tok[n++] = t;
	}
	if (cipher_parse(tok, n, out, &k) != 0)
		return -EINVAL;
	for (unsigned i = 0; i < N_OF(prf_names); i++)
		if (strcmp(tok[k], prf_names[i].nm) == 0)
			out->ip_prf = prf_names[i].prf;
	for (unsigned i = 0; i < N_OF(dh_names); i++)
		if (strcmp(tok[k + 1], dh_names[i].nm) == 0)
			out->ip_dh = dh_names[i].dh;
	return out->ip_prf != 0 && out->ip_dh != 0 ? 0 : -EINVAL;
}

int cfg_ike_dh_parse(const char *s, uint16_t *dh)
{
	for (unsigned i = 0; i < N_OF(dh_names); i++)
		if (strcmp(s, dh_names[i].nm) == 0) {
			*dh = dh_names[i].dh;
			return 0;
		}
	return -EINVAL;
}

const char *cfg_ike_dh_name(uint16_t dh)
{
	for (unsigned i = N_OF(dh_names); i-- > 0;)
		if (dh_names[i].dh == dh)
			return dh_names[i].nm;
	return dh == 0 ? "none" : "?";
}

void cfg_ike_prop_name(const struct cfg_ike_prop *p, char *buf, size_t len)
{
	const char *prf = "?", *dh = "?";

	for (unsigned i = 0; i < N_OF(prf_names); i++)
		if (prf_names[i].prf == p->ip_prf)
			prf = prf_names[i].nm;
	for (unsigned i = N_OF(dh_names); i-- > 0;)
		if (dh_names[i].dh == p->ip_dh)
			dh = dh_names[i].nm;
	if (p->ip_encr == 20)
		snprintf(buf, len, "aes%ugcm16-%s-%s", p->ip_bits, prf, dh);
	else
		snprintf(buf, len, "aes%u-sha256-%s-%s", p->ip_bits, prf, dh);
}
