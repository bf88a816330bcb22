/* Test helpers shared by test_esp.c and esp_tool.c: fixture paths, a tiny
 * reader for the flat JSON vector files, hex, and GRE test packets in
 * mbufs. Test code only: allocates and prints freely. */
#ifndef DMVPND_ESP_TEST_UTIL_H
#define DMVPND_ESP_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fixture_path.h"

#define ETH_LEN 14

static inline void esp_fixture_path(char *buf, size_t n, const char *rel)
{
	fixture_path_of(buf, n, rel);
}

/* Whole file, NUL-terminated; NULL on error. Caller frees. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL) {
		if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			free(buf);
			buf = NULL;
		} else {
			buf[sz] = 0;
			if (len != NULL)
				*len = (size_t)sz;
		}
	}
	fclose(f);
	return buf;
}

/* Skips one JSON value starting at p (string, object, array or literal),
 * honouring strings and nesting; returns the first byte after it. */
static inline const char *json_skip(const char *p)
{
	int depth = 0;
	bool str = false;

	for (; *p != 0; p++) {
		if (str) {
			if (*p == '\\' && p[1] != 0)
				p++;
			else if (*p == '"')
				str = false;
			else
				continue;
			if (!str && depth == 0)
				return p + 1;
			continue;
		}
		if (*p == '"') {
			str = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p; /* end of the enclosing container */
			if (--depth == 0)
				return p + 1;
		} else if ((*p == ',' || *p == '\n') && depth == 0) {
			return p;
		}
	}
	return p;
}

/* The idx-th object of the top-level array "arr": [*s, *e). 0 or -ENOENT. */
static inline int json_obj(const char *txt, const char *arr, unsigned idx, const char **s,
			   const char **e)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\"", arr);
	p = strstr(txt, key);
	if (p == NULL || (p = strchr(p, '[')) == NULL)
		return -ENOENT;
	p++;
	for (unsigned i = 0;; i++) {
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
			p++;
		if (*p != '{')
			return -ENOENT;
		*s = p;
		*e = json_skip(p);
		if (i == idx)
			return 0;
		p = *e;
	}
}

/* The value of "name" inside object [s, e): a string without its quotes or
 * a bare literal (true, 16). 0 or -ENOENT. */
static inline int json_get(const char *s, const char *e, const char *name, char *out, size_t n)
{
	char key[64];
	const char *p = s, *v, *end;
	size_t klen;

	snprintf(key, sizeof(key), "\"%s\"", name);
	klen = strlen(key);
	for (; p + klen < e; p++) {
		if (memcmp(p, key, klen) != 0)
			continue;
		v = p + klen;
		while (v < e && (*v == ' ' || *v == ':'))
			v++;
		if (*v == '"') {
			v++;
			end = memchr(v, '"', (size_t)(e - v));
		} else {
			for (end = v; end < e && *end != ',' && *end != '\n' && *end != '}'; end++)
				;
		}
		if (end == NULL || (size_t)(end - v) >= n)
			return -ENOENT;
		memcpy(out, v, (size_t)(end - v));
		out[end - v] = 0;
		return 0;
	}
	return -ENOENT;
}

/* Hex string to bytes; the length, or -1. */
static inline int hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex);
	unsigned v;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

/* An mbuf holding [Ethernet][IPv4 proto][payload]. */
static inline struct rte_mbuf *mbuf_ipv4(struct rte_mempool *mp, uint8_t proto,
					 const uint8_t *payload, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ipv4_hdr *ip;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ETH_LEN + sizeof(*ip) + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, ETH_LEN);
	p[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(p + ETH_LEN);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0xc6336401); /* 198.51.100.1 */
	ip->dst_addr = rte_cpu_to_be_32(0xc633640b); /* 198.51.100.11 */
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(ip + 1, payload, len);
	return m;
}

/* GRE (no key) carrying len - 4 bytes of a seeded pattern. */
static inline struct rte_mbuf *mbuf_gre(struct rte_mempool *mp, uint16_t len, uint32_t seed)
{
	uint8_t buf[2048];

	if (len < 4 || len > sizeof(buf))
		return NULL;
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 0x08;
	buf[3] = 0x00;
	for (uint16_t i = 4; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7);
	return mbuf_ipv4(mp, IPPROTO_GRE, buf, len);
}

#endif
