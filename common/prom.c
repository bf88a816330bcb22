/* Prometheus text exposition lines. */
#include "prom.h"

#include <inttypes.h>

void prom_family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_u64(struct strbuf *out, const char *name, const char *labels, uint64_t v)
{
	strbuf_printf(out, "%s%s%s%s %" PRIu64 "\n", name, labels[0] ? "{" : "", labels,
		      labels[0] ? "}" : "", v);
}

void prom_double(struct strbuf *out, const char *name, const char *labels, double v)
{
	strbuf_printf(out, "%s%s%s%s %.6g\n", name, labels[0] ? "{" : "", labels,
		      labels[0] ? "}" : "", v);
}
