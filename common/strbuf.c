/* Growable text buffer used by the CLI and the config dump. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void strbuf_init(struct strbuf *sb)
{
	sb->sb_buf = NULL;
	sb->sb_len = 0;
	sb->sb_cap = 0;
	sb->sb_oom = 0;
}

void strbuf_fini(struct strbuf *sb)
{
	free(sb->sb_buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->sb_len = 0;
	if (sb->sb_buf != NULL)
		sb->sb_buf[0] = '\0';
}

static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need = sb->sb_len + extra + 1;
	size_t cap = sb->sb_cap ? sb->sb_cap : 256;
	char *nb;

	if (need <= sb->sb_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	nb = realloc(sb->sb_buf, cap);
	if (nb == NULL) {
		sb->sb_oom = 1;
		return -1;
	}
	sb->sb_buf = nb;
	sb->sb_cap = cap;
	return 0;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_reserve(sb, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(sb->sb_buf + sb->sb_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->sb_len += (size_t)n;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->sb_buf != NULL ? sb->sb_buf : "";
}
