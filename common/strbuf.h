/* A growable text buffer for the slow path: CLI output, config dumps. */
#ifndef DMVPND_STRBUF_H
#define DMVPND_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *sb_buf; /* always NUL-terminated when sb_len > 0 or after init */
	size_t sb_len;
	size_t sb_cap;
	int sb_oom; /* sticky: an append failed to allocate */
};

void strbuf_init(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Append formatted text; on allocation failure sets sb_oom and keeps what it had. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *strbuf_str(const struct strbuf *sb);

#endif
