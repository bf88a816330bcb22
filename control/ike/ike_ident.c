/* IKE identities (RFC 7296 3.5): the config's text into ID payload data,
 * comparison as the ID type means it, and text for logs and show. */
#include "ike_ident.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "inet.h"

/* "CN=hub, O=Example" -> DER, attributes in the order written (RFC 4514
 * writes them the other way round; strongSwan and OpenSSL's -subj do as
 * here). Values as UTF8String, which X509_NAME_cmp matches against the
 * PrintableString a CA may have used. */
static int dn_der(const char *text, struct ike_ident *out)
{
	X509_NAME *nm = X509_NAME_new();
	char buf[sizeof(((struct cfg_ike_id *)0)->text)], *save = NULL, *rdn;
	unsigned char *p;
	int len, rc = -EINVAL;

	if (nm == NULL)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%s", text);
	for (rdn = strtok_r(buf, ",", &save); rdn != NULL; rdn = strtok_r(NULL, ",", &save)) {
		char *eq;

		while (*rdn == ' ')
			rdn++;
		eq = strchr(rdn, '=');
		if (eq == NULL)
			goto out;
		*eq = '\0';
		if (X509_NAME_add_entry_by_txt(nm, strcmp(rdn, "E") == 0 ? "emailAddress" : rdn,
					       MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1,
					       0) != 1)
			goto out;
	}
	len = i2d_X509_NAME(nm, NULL);
	if (len <= 0 || len > IKE_ID_MAX)
		goto out;
	p = out->id_data;
	i2d_X509_NAME(nm, &p);
	out->id_len = (uint8_t)len;
	rc = 0;
out:
	X509_NAME_free(nm);
	return rc;
}

int ike_ident_from_cfg(const struct cfg_ike_id *c, struct ike_ident *out)
{
	const char *t = c->text;
	size_t n;
	uint32_t a;
	int k;

	memset(out, 0, sizeof(*out));
	out->id_type = c->type;
	switch (c->type) {
	case IKE_ID_IPV4_ADDR:
		if (inet_v4_parse(t, &a) != 0)
			return -EINVAL;
		ike_ident_ipv4(a, out);
		return 0;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		if (t[0] == '@')
			t++;
		n = strlen(t);
		if (n == 0 || n > IKE_ID_MAX)
			return -EINVAL;
		memcpy(out->id_data, t, n);
		out->id_len = (uint8_t)n;
		return 0;
	case IKE_ID_KEY_ID:
		k = cfg_ike_id_keyid(t, out->id_data, IKE_ID_MAX);
		if (k < 0)
			return -EINVAL;
		out->id_len = (uint8_t)k;
		return 0;
	case IKE_ID_DER_ASN1_DN:
		return dn_der(t, out);
	default:
		return -EINVAL;
	}
}

void ike_ident_ipv4(uint32_t addr, struct ike_ident *out)
{
	memset(out, 0, sizeof(*out));
	out->id_type = IKE_ID_IPV4_ADDR;
	out->id_len = 4;
	out->id_data[0] = (uint8_t)(addr >> 24);
	out->id_data[1] = (uint8_t)(addr >> 16);
	out->id_data[2] = (uint8_t)(addr >> 8);
	out->id_data[3] = (uint8_t)addr;
}

X509_NAME *ike_ident_dn(const struct ike_ident *id)
{
	const unsigned char *p = id->id_data;
	X509_NAME *nm;

	if (id->id_type != IKE_ID_DER_ASN1_DN)
		return NULL;
	nm = d2i_X509_NAME(NULL, &p, id->id_len);
	if (nm != NULL && p != id->id_data + id->id_len) { /* trailing bytes */
		X509_NAME_free(nm);
		nm = NULL;
	}
	return nm;
}

bool ike_ident_eq(const struct ike_ident *a, const struct ike_ident *b)
{
	X509_NAME *na, *nb;
	bool eq;

	if (a->id_type != b->id_type)
		return false;
	switch (a->id_type) {
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR: /* DNS names compare without case (RFC 4343) */
		return a->id_len == b->id_len &&
		       strncasecmp((const char *)a->id_data, (const char *)b->id_data, a->id_len) ==
			       0;
	case IKE_ID_DER_ASN1_DN:
		na = ike_ident_dn(a);
		nb = ike_ident_dn(b);
		eq = na != NULL && nb != NULL && X509_NAME_cmp(na, nb) == 0;
		X509_NAME_free(na);
		X509_NAME_free(nb);
		return eq;
	default:
		return a->id_len == b->id_len && memcmp(a->id_data, b->id_data, a->id_len) == 0;
	}
}

/* Printable ASCII only: a peer's ID reaches logs and terminals. */
static void text_safe(const uint8_t *d, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < len; i++)
		o += (size_t)snprintf(buf + o, len - o,
				      isprint(d[i]) && d[i] != '\\' ? "%c" : "\\x%02x", d[i]);
	buf[o < len ? o : len - 1] = '\0';
}

/* X509_NAME_oneline's "/C=CH/O=Example/CN=hub" -> "C=CH, O=Example, CN=hub".
 * A value holding '/' stays ambiguous; show is for people. */
static void dn_pretty(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = s[0] == '/' ? s + 1 : s; *p != '\0' && o + 3 < len; p++) {
		if (*p == '/') {
			buf[o++] = ',';
			buf[o++] = ' ';
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}

const char *ike_ident_str(const struct ike_ident *id, char *buf, size_t len)
{
	char a[INET_ADDRSTR];
	X509_NAME *nm;
	size_t o;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (id->id_type) {
	case IKE_ID_IPV4_ADDR:
		if (id->id_len == 4)
			snprintf(buf, len, "%s",
				 inet_v4_str((uint32_t)id->id_data[0] << 24 |
						     (uint32_t)id->id_data[1] << 16 |
						     (uint32_t)id->id_data[2] << 8 | id->id_data[3],
					     a));
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		text_safe(id->id_data, id->id_len, buf, len);
		break;
	case IKE_ID_DER_ASN1_DN:
		nm = ike_ident_dn(id);
		if (nm != NULL) {
			/* strongSwan's order and separators: "C=CH, O=Example, CN=hub" */
			char one[512];

			X509_NAME_oneline(nm, one, (int)sizeof(one));
			X509_NAME_free(nm);
			dn_pretty(one, buf, len);
		}
		break;
	case IKE_ID_KEY_ID:
		o = (size_t)snprintf(buf, len, "@#");
		for (unsigned i = 0; i < id->id_len && o + 3 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", id->id_data[i]);
		break;
	default:
		snprintf(buf, len, "type %u, %u octets", id->id_type, id->id_len);
		break;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "(malformed type %u)", id->id_type);
	return buf;
}
