/* libFuzzer target for the YAML config: cfg_load_buf, then cfg_validate on
 * success, then the round-trip property: a loaded config dumps to YAML that
 * loads again and dumps to the same text. Seed corpus: configs/ and
 * configs/bad/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_roundtrip(const struct cfg *a)
{
	struct cfg *b = malloc(sizeof(*b));
	struct strbuf s1, s2;
	struct cfg_err err;

	if (b == NULL)
		return;
	strbuf_init(&s1);
	strbuf_init(&s2);
	cfg_dump(a, &s1);
	if (cfg_load_buf(strbuf_str(&s1), s1.sb_len, "dump", b, &err) != 0) {
		fprintf(stderr, "dump does not load: %s\n%s", err.msg, strbuf_str(&s1));
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = malloc(sizeof(*cfg));
	struct cfg_err err;

	if (cfg == NULL)
		return 0;
	if (cfg_load_buf((const char *)data, size, "fuzz.yaml", cfg, &err) == 0) {
		fuzz_roundtrip(cfg);
		(void)cfg_validate(cfg, &err);
	}
	if (strchr(err.msg, '\n') != NULL)
		abort(); /* every message is one line */
	free(cfg);
	return 0;
}
