/* Internal to the config loader: libyaml document walking with positions
 * and precise messages, shared by cfg_load.c (the schema) and cfg_esp.c.
 * Pure, like the loader: no globals, no logging. */
#ifndef DMVPND_CFG_YAML_H
#define DMVPND_CFG_YAML_H

#include <stdint.h>
#include <yaml.h>

#include "cfg.h"

#define LD_PATH 64 /* "cli.users[15].password-hash" and friends */
#define LD_SHOW 64 /* a value quoted in a message */

struct ld {
	yaml_document_t *doc;
	const char *fname;
	struct cfg_err *err;
};

/* A mapping being decoded: its node and its dotted name for messages. */
struct ld_sec {
	const struct ld *ld;
	const yaml_node_t *map;
	char name[LD_PATH];
};

int ld_fail(const struct ld *ld, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct cfg_pos ld_pos(const yaml_node_t *n);
const char *ld_show(const yaml_node_t *n, char buf[LD_SHOW]);
void ld_join(char *out, size_t outlen, const char *const *names, const char *sep,
	     const char *last_sep);
void ld_path(char path[LD_PATH], const char *sec, const char *key);
const char *ld_where(const char *sec, char buf[LD_PATH + 8]);
int ld_is_key(const yaml_node_t *k, const char *key);
int ld_in_list(const yaml_node_t *k, const char *const *keys);
int ld_text(const struct ld *ld, const yaml_node_t *n, const char *path, const char *what,
	    const char **out);
int ld_keys_check(const struct ld *ld, const yaml_node_t *n, const char *name,
		  const char *const *keys);
int ld_open(const struct ld *ld, const yaml_node_t *n, const char *name, const char *const *keys,
	    const char *const *need, struct ld_sec *s);
const yaml_node_t *ld_get(const struct ld_sec *s, const char *key, char path[LD_PATH]);
int ld_parse_u32(const char *s, unsigned long *out);
int ld_num(const struct ld *ld, const yaml_node_t *n, const char *path, uint32_t lo, uint32_t hi,
	   const char *desc, uint32_t *out);
int ld_u32(const struct ld_sec *s, const char *key, uint32_t lo, uint32_t hi, const char *desc,
	   uint32_t *out);
int ld_u16(const struct ld_sec *s, const char *key, uint32_t lo, uint32_t hi, uint16_t *out);
int ld_str(const struct ld_sec *s, const char *key, size_t size, char *out,
	   const yaml_node_t **node);
int ld_name(const struct ld_sec *s, const char *key, char out[CFG_NAME_MAX], struct cfg_pos *pos);
int ld_enum(const struct ld_sec *s, const char *key, const char *const *names, int *out);
int ld_addr(const struct ld_sec *s, const char *key, uint32_t *out, struct cfg_pos *pos);
int ld_prefix(const struct ld_sec *s, const char *key, struct cfg_prefix *out,
	      const yaml_node_t **node);
int ld_host_prefix(const struct ld_sec *s, const char *key, struct cfg_prefix *out,
		   struct cfg_pos *pos);
int ld_seq(const struct ld *ld, const yaml_node_t *n, const char *name, unsigned lo, unsigned hi,
	   unsigned *count);
const yaml_node_t *ld_item(const struct ld *ld, const yaml_node_t *seq, unsigned i);

#endif
