/* IKE identities as operators write them (strongSwan's notation, so a
 * swanctl.conf id reads the same here). Syntax only: pure, no libcrypto;
 * the IKE code turns a DN into DER and a key ID into octets. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cfg.h"
#include "inet.h"
#include "proto_ike.h"

/* The attribute names a DN may use: what OpenSSL and strongSwan both know. */
static const char *const dn_attrs[] = {
	"C",  "ST", "L",     "O",   "OU", "CN", "DC", "E", "emailAddress", "serialNumber",
	"SN", "GN", "title", "UID", NULL};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cfg_ike_id_keyid(const char *text, uint8_t *out, size_t cap)
{
	size_t n;

	if (strncmp(text, "@#", 2) != 0)
		return -EINVAL;
	text += 2;
	n = strlen(text);
	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)text[2 * i]),
		    lo = hexval((unsigned char)text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (out != NULL)
			out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

static bool dn_attr_known(const char *k, size_t len)
{
	for (unsigned i = 0; dn_attrs[i] != NULL; i++)
		if (strlen(dn_attrs[i]) == len && strncmp(dn_attrs[i], k, len) == 0)
			return true;
	return false;
}

/* "K=V, K=V ...": every attribute known, every value non-empty. Values
 * may not hold a comma (no escapes). */
static bool dn_ok(const char *s, const char **why)
{
	while (*s != '\0') {
		const char *eq, *end;

		while (*s == ' ')
			s++;
		eq = strchr(s, '=');
		end = strchr(s, ',');
		if (end == NULL)
			end = s + strlen(s);
		if (eq == NULL || eq > end) {
			*why = "a distinguished name is a list of ATTR=value, separated by commas";
			return false;
		}
		if (!dn_attr_known(s, (size_t)(eq - s))) {
			*why = "unknown DN attribute (known: C ST L O OU CN DC E emailAddress "
			       "serialNumber SN GN title UID)";
			return false;
		}
		if (eq + 1 == end) {
			*why = "a DN attribute has an empty value";
			return false;
		}
		s = *end == ',' ? end + 1 : end;
	}
	return true;
}

int cfg_ike_id_parse(const char *s, struct cfg_ike_id *out, const char **why)
{
	size_t len = strlen(s);
	uint32_t a;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (len == 0 || len >= sizeof(out->text)) {
		*why = "an identity is 1..255 octets";
		return -EINVAL;
	}
	if (inet_v4_parse(s, &a) == 0) {
		out->type = IKE_ID_IPV4_ADDR;
	} else if (strncmp(s, "@#", 2) == 0) {
		if (cfg_ike_id_keyid(s, NULL, CFG_IKE_ID_MAX) < 0) {
			*why = "a key ID is @# and 1..255 octets in hex";
			return -EINVAL;
		}
		out->type = IKE_ID_KEY_ID;
	} else if (strchr(s, '=') != NULL) {
		if (!dn_ok(s, why))
			return -EINVAL;
		out->type = IKE_ID_DER_ASN1_DN;
	} else if (s[0] == '@') {
		if (len == 1 || len - 1 > CFG_IKE_ID_MAX) {
			*why = "an FQDN identity is 1..255 octets";
			return -EINVAL;
		}
		out->type = IKE_ID_FQDN;
	} else {
		if (len > CFG_IKE_ID_MAX) {
			*why = "an identity is 1..255 octets";
			return -EINVAL;
		}
		out->type = strchr(s, '@') != NULL ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN;
	}
	memcpy(out->text, s, len + 1);
	return 0;
}
