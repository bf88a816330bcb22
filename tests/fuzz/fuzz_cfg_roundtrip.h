/* The round-trip property the config fuzz targets check: a config dumps to
 * YAML that loads again (and validates, when the config did) and dumps to
 * the same text, as write memory and a restart need. Aborts otherwise. */
#ifndef DMVPND_FUZZ_CFG_ROUNDTRIP_H
#define DMVPND_FUZZ_CFG_ROUNDTRIP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "strbuf.h"

static void fuzz_cfg_roundtrip(const struct cfg *a, bool valid)
{
	struct cfg *b = malloc(sizeof(*b));
	struct strbuf s1, s2;
	struct cfg_err err;

	if (b == NULL)
		return;
	strbuf_init(&s1);
	strbuf_init(&s2);
	cfg_dump(a, &s1);
	if (cfg_load_buf(strbuf_str(&s1), s1.sb_len, "dump", b, &err) != 0 ||
	    (valid && cfg_validate(b, &err) != 0)) {
		fprintf(stderr, "the dump does not load%s: %s\n%s", valid ? " or validate" : "",
			err.msg, strbuf_str(&s1));
		abort();
	}
	cfg_dump(b, &s2);
	if (s1.sb_oom || s2.sb_oom || strcmp(strbuf_str(&s1), strbuf_str(&s2)) != 0) {
		fprintf(stderr, "dump changed on reload:\n%s---\n%s", strbuf_str(&s1),
			strbuf_str(&s2));
		abort();
	}
	strbuf_fini(&s1);
	strbuf_fini(&s2);
	free(b);
}

#endif
