/* libyaml walking for the config loader: typed scalars with ranges, keys
 * checked against the schema, and every message at FILE:LINE:COL. */
#include "cfg_yaml.h"
#include "inet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg_pos ld_pos(const yaml_node_t *n)
{
	struct cfg_pos p = {(uint32_t)n->start_mark.line + 1, (uint32_t)n->start_mark.column + 1};

	return p;
}

int ld_fail(const struct ld *ld, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[CFG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_err_at(ld->err, ld->fname, ld_pos(n), "%s", msg);
	return -EINVAL;
}

/* What a node is, for "got ..." in messages: a short, printable quote of a
 * scalar or the kind of a collection. Never used for secrets. */
const char *ld_show(const yaml_node_t *n, char buf[LD_SHOW])
{
	const unsigned char *v;
	size_t i, len, o = 0;

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type != YAML_SCALAR_NODE)
		return "a sequence";
	v = n->data.scalar.value;
	len = n->data.scalar.length;
	if (len == 0)
		return "an empty value";
	buf[o++] = '\'';
	for (i = 0; i < len && o < LD_SHOW - 6; i++)
		buf[o++] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

void ld_join(char *out, size_t outlen, const char *const *names, const char *sep,
	     const char *last_sep)
{
	size_t o = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		const char *s = i == 0 ? "" : names[i + 1] == NULL ? last_sep : sep;

		n = snprintf(out + o, outlen - o, "%s%s", s, names[i]);
		if (n < 0 || (size_t)n >= outlen - o)
			return;
		o += (size_t)n;
	}
}

void ld_path(char path[LD_PATH], const char *sec, const char *key)
{
	int n = snprintf(path, LD_PATH, "%s%s%s", sec, sec[0] ? "." : "", key);

	if (n < 0)
		path[0] = '\0';
}

const char *ld_where(const char *sec, char buf[LD_PATH + 8])
{
	if (sec[0] == '\0')
		return "at the top level";
	snprintf(buf, LD_PATH + 8, "in '%s'", sec);
	return buf;
}

int ld_is_key(const yaml_node_t *k, const char *key)
{
	return k != NULL && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
	       memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0;
}

int ld_in_list(const yaml_node_t *k, const char *const *keys)
{
	int i;

	for (i = 0; keys[i] != NULL; i++)
		if (ld_is_key(k, keys[i]))
			return 1;
	return 0;
}

/* The scalar text of N, as a C string; N must not hide a NUL byte. */
int ld_text(const struct ld *ld, const yaml_node_t *n, const char *path, const char *what,
	    const char **out)
{
	char got[LD_SHOW];

	if (n->type != YAML_SCALAR_NODE)
		return ld_fail(ld, n, "expected %s for '%s', got %s", what, path, ld_show(n, got));
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return ld_fail(ld, n, "'%s' contains a NUL character", path);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

/* Check every key of mapping N: a plain scalar, known, not repeated. Unknown
 * keys are reported before repeats, so at most |keys| pairs are compared. */
int ld_keys_check(const struct ld *ld, const yaml_node_t *n, const char *name,
		  const char *const *keys)
{
	char got[LD_SHOW], where[LD_PATH + 8], list[256];
	const yaml_node_pair_t *p, *q;
	const char *text = NULL;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);

		if (k == NULL || k->type != YAML_SCALAR_NODE)
			return ld_fail(ld, k != NULL ? k : n, "expected a plain key %s, got %s",
				       ld_where(name, where),
				       k != NULL ? ld_show(k, got) : "nothing");
		text = (const char *)k->data.scalar.value;
		if (strlen(text) != k->data.scalar.length)
			return ld_fail(ld, k, "a key %s contains a NUL character",
				       ld_where(name, where));
		if (!ld_in_list(k, keys)) {
			ld_join(list, sizeof(list), keys, ", ", ", ");
			return ld_fail(ld, k, "unknown key %s %s (expected one of: %s)",
				       ld_show(k, got), ld_where(name, where), list);
		}
		for (q = n->data.mapping.pairs.start; q < p; q++)
			if (ld_is_key(yaml_document_get_node(ld->doc, q->key), text))
				return ld_fail(ld, k, "duplicate key '%s' %s", text,
					       ld_where(name, where));
	}
	return 0;
}

/* Start decoding mapping N called NAME: allowed KEYS, required NEED. */
int ld_open(const struct ld *ld, const yaml_node_t *n, const char *name, const char *const *keys,
	    const char *const *need, struct ld_sec *s)
{
	char got[LD_SHOW], where[LD_PATH + 8];
	const yaml_node_pair_t *p;
	int i, rc;

	if (n->type != YAML_MAPPING_NODE) {
		if (name[0] == '\0')
			return ld_fail(ld, n, "expected a mapping at the top level, got %s",
				       ld_show(n, got));
		return ld_fail(ld, n, "expected a mapping for '%s', got %s", name, ld_show(n, got));
	}
	rc = ld_keys_check(ld, n, name, keys);
	if (rc != 0)
		return rc;
	for (i = 0; need != NULL && need[i] != NULL; i++) {
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (ld_is_key(yaml_document_get_node(ld->doc, p->key), need[i]))
				break;
		if (p == n->data.mapping.pairs.top)
			return ld_fail(ld, n, "missing required key '%s' %s", need[i],
				       ld_where(name, where));
	}
	s->ld = ld;
	s->map = n;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return 0;
}

/* The value under KEY, or NULL; PATH gets "section.key". */
const yaml_node_t *ld_get(const struct ld_sec *s, const char *key, char path[LD_PATH])
{
	const yaml_node_pair_t *p;

	ld_path(path, s->name, key);
	for (p = s->map->data.mapping.pairs.start; p < s->map->data.mapping.pairs.top; p++)
		if (ld_is_key(yaml_document_get_node(s->ld->doc, p->key), key))
			return yaml_document_get_node(s->ld->doc, p->value);
	return NULL;
}

/* Decimal only: no sign, no 0x, no leading zero (YAML 1.1 would read 010 as
 * octal, so we refuse to guess), no spaces. strtoul + explicit bounds. */
int ld_parse_u32(const char *s, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Integer scalar N in LO..HI; DESC (or "an integer in LO..HI") says what is
 * expected in messages. */
int ld_num(const struct ld *ld, const yaml_node_t *n, const char *path, uint32_t lo, uint32_t hi,
	   const char *desc, uint32_t *out)
{
	char got[LD_SHOW], range[48];
	unsigned long v;
	const char *text = NULL;

	if (desc == NULL) {
		snprintf(range, sizeof(range), "an integer in %u..%u", lo, hi);
		desc = range;
	}
	if (ld_text(ld, n, path, desc, &text) != 0)
		return -EINVAL;
	if (ld_parse_u32(text, &v) != 0 || v > UINT32_MAX)
		return ld_fail(ld, n, "'%s' must be %s, got %s", path, desc, ld_show(n, got));
	if (v < lo || v > hi)
		return ld_fail(ld, n, "'%s' must be %s, got %lu", path, desc, v);
	*out = (uint32_t)v;
	return 0;
}

/* Optional integer under KEY: 1 if present and good, 0 if absent. */
int ld_u32(const struct ld_sec *s, const char *key, uint32_t lo, uint32_t hi, const char *desc,
	   uint32_t *out)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, key, path);

	if (n == NULL)
		return 0;
	return ld_num(s->ld, n, path, lo, hi, desc, out) == 0 ? 1 : -EINVAL;
}

int ld_u16(const struct ld_sec *s, const char *key, uint32_t lo, uint32_t hi, uint16_t *out)
{
	uint32_t v;
	int rc = ld_u32(s, key, lo, hi, NULL, &v);

	if (rc == 1)
		*out = (uint16_t)v;
	return rc < 0 ? rc : 0;
}

/* Optional string under KEY, 1..SIZE-1 bytes, copied to OUT. */
int ld_str(const struct ld_sec *s, const char *key, size_t size, char *out,
	   const yaml_node_t **node)
{
	char path[LD_PATH];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *text = NULL;
	size_t len;

	*node = n;
	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "a string", &text) != 0)
		return -EINVAL;
	len = strlen(text);
	if (len == 0 || len >= size)
		return ld_fail(s->ld, n, "'%s' must be 1..%zu characters long, got %zu", path,
			       size - 1, len);
	memcpy(out, text, len + 1);
	return 1;
}

/* A name: node, port, user, file prefix. */
int ld_name(const struct ld_sec *s, const char *key, char out[CFG_NAME_MAX], struct cfg_pos *pos)
{
	char path[LD_PATH], got[LD_SHOW];
	const yaml_node_t *n;
	int rc = ld_str(s, key, CFG_NAME_MAX, out, &n);
	size_t len;

	if (rc <= 0)
		return rc;
	len = strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789_.-");
	if (out[len] != '\0') {
		ld_path(path, s->name, key);
		return ld_fail(s->ld, n,
			       "'%s' may only contain letters, digits, '_', '.' and '-', got %s",
			       path, ld_show(n, got));
	}
	if (pos != NULL)
		*pos = ld_pos(n);
	return 1;
}

/* Optional enum under KEY: NAMES[i] -> i. */
int ld_enum(const struct ld_sec *s, const char *key, const char *const *names, int *out)
{
	char path[LD_PATH], got[LD_SHOW], list[128];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *text = NULL;
	int i;

	if (n == NULL)
		return 0;
	ld_join(list, sizeof(list), names, ", ", " or ");
	if (ld_text(s->ld, n, path, list, &text) != 0)
		return -EINVAL;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = i;
			return 1;
		}
	return ld_fail(s->ld, n, "'%s' must be %s, got %s", path, list, ld_show(n, got));
}

/* Optional IPv4 address under KEY. */
int ld_addr(const struct ld_sec *s, const char *key, uint32_t *out, struct cfg_pos *pos)
{
	char path[LD_PATH], got[LD_SHOW];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *text = NULL;

	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "an IPv4 address", &text) != 0)
		return -EINVAL;
	if (inet_v4_parse(text, out) != 0)
		return ld_fail(s->ld, n, "'%s' must be an IPv4 address a.b.c.d, got %s", path,
			       ld_show(n, got));
	if (pos != NULL)
		*pos = ld_pos(n);
	return 1;
}

/* Optional a.b.c.d/len under KEY; *node is left for the caller's checks. */
int ld_prefix(const struct ld_sec *s, const char *key, struct cfg_prefix *out,
	      const yaml_node_t **node)
{
	char path[LD_PATH], got[LD_SHOW];
	const yaml_node_t *n = ld_get(s, key, path);
	const char *text = NULL;

	*node = n;
	if (n == NULL)
		return 0;
	if (ld_text(s->ld, n, path, "an IPv4 prefix a.b.c.d/len", &text) != 0)
		return -EINVAL;
	if (inet_v4_prefix_parse(text, &out->addr, &out->len) != 0)
		return ld_fail(s->ld, n, "'%s' must be an IPv4 prefix a.b.c.d/len, got %s", path,
			       ld_show(n, got));
	return 1;
}

/* An interface address: a usable unicast host address with length 8..32. */
int ld_host_prefix(const struct ld_sec *s, const char *key, struct cfg_prefix *out,
		   struct cfg_pos *pos)
{
	char path[LD_PATH], a[INET_ADDRSTR];
	const yaml_node_t *n;
	int rc = ld_prefix(s, key, out, &n);
	uint32_t host, first = out->addr >> 24;

	if (rc <= 0)
		return rc;
	ld_path(path, s->name, key);
	inet_v4_str(out->addr, a);
	if (out->len < 8)
		return ld_fail(s->ld, n, "'%s' prefix length must be 8..32, got %s/%u", path, a,
			       out->len);
	if (first == 0 || first == 127 || first >= 224)
		return ld_fail(
			s->ld, n,
			"'%s' %s is not a usable unicast address (0/8, 127/8 and 224/3 are not allowed)",
			path, a);
	host = out->addr & ~inet_v4_mask(out->len);
	if (out->len <= 30 && (host == 0 || host == ~inet_v4_mask(out->len)))
		return ld_fail(
			s->ld, n,
			"'%s' %s/%u is the %s address of its subnet; give this node a host address",
			path, a, out->len, host == 0 ? "network" : "broadcast");
	*pos = ld_pos(n);
	return 1;
}

/* A sequence NAME with LO..HI entries. */
int ld_seq(const struct ld *ld, const yaml_node_t *n, const char *name, unsigned lo, unsigned hi,
	   unsigned *count)
{
	char got[LD_SHOW];
	size_t c;

	if (n->type != YAML_SEQUENCE_NODE)
		return ld_fail(ld, n, "expected a sequence for '%s', got %s", name,
			       ld_show(n, got));
	c = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (c < lo || c > hi)
		return ld_fail(ld, n, "'%s' must have %u..%u entries, got %zu", name, lo, hi, c);
	*count = (unsigned)c;
	return 0;
}

const yaml_node_t *ld_item(const struct ld *ld, const yaml_node_t *seq, unsigned i)
{
	return yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
}
