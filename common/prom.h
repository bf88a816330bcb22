/* Prometheus text exposition (format 0.0.4), written into a strbuf by the
 * code that owns the counters. Names follow Prometheus's conventions:
 * dmvpnd_ prefix, snake_case, base units, _total for counters. */
#ifndef DMVPND_PROM_H
#define DMVPND_PROM_H

#include <stdint.h>

#include "strbuf.h"

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void prom_family(struct strbuf *out, const char *name, const char *type, const char *help);
/* "name{labels} value"; labels is `k="v",k2="v2"` or "" (values the
 * callers pass are addresses, names and enum names: nothing to escape). */
void prom_u64(struct strbuf *out, const char *name, const char *labels, uint64_t v);
void prom_double(struct strbuf *out, const char *name, const char *labels, double v);

#endif
