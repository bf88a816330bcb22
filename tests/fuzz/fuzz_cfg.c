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
#include "fuzz_cfg_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = malloc(sizeof(*cfg));
	struct cfg_err err;

	if (cfg == NULL)
		return 0;
	if (cfg_load_buf((const char *)data, size, "fuzz.yaml", cfg, &err) == 0) {
		fuzz_cfg_roundtrip(cfg, false);
		(void)cfg_validate(cfg, &err);
	}
	if (strchr(err.msg, '\n') != NULL)
		abort(); /* every message is one line */
	free(cfg);
	return 0;
}
