/* libFuzzer target for configure terminal's lines (cfg_edit_line, what an
 * operator types): each input is up to 8 lines applied in turn to a loaded
 * config, each result validated and, when valid, dumped and loaded again
 * unchanged, as write memory and a restart would. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "strbuf.h"
#include "fuzz_cfg_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] = "node: {name: hub, role: hub}\n"
			   "ports:\n"
			   "  - {name: wan0, devargs: d0, role: wan, address: 192.0.2.1/24}\n"
			   "  - {name: lan0, devargs: d1, role: lan, address: 10.0.0.1/24}\n"
			   "tunnel: {address: 10.255.0.1/24, network-id: 1, holdtime: 30}\n"
			   "routes: [{prefix: 10.1.0.0/24, via: 10.255.0.11}]\n"
			   "cli: {telnet: {port: 0}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c0;
	static int loaded;
	struct cfg *c = malloc(sizeof(*c));
	char buf[2048], *line, *save = NULL;
	struct cfg_err err;
	int n = 0;

	if (c == NULL || size >= sizeof(buf)) {
		free(c);
		return 0;
	}
	if (!loaded) {
		if (cfg_load_buf(base, sizeof(base) - 1, "base", &c0, &err) != 0)
			abort();
		loaded = 1;
	}
	*c = c0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && n < 8;
	     line = strtok_r(NULL, "\n", &save), n++) {
		struct cfg *next = malloc(sizeof(*next));
		struct strbuf msg;

		if (next == NULL)
			break;
		*next = *c;
		strbuf_init(&msg);
		if (cfg_edit_line(next, line, &msg) == 0 && cfg_validate(next, &err) == 0) {
			fuzz_cfg_roundtrip(next, true);
			*c = *next;
		}
		strbuf_fini(&msg);
		free(next);
	}
	free(c);
	return 0;
}
