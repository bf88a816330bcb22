/* Config errors as an operator reads them: FILE:LINE:COL: message, on one
 * line. The loader, the YAML walker and the validator all report here. */
#include "cfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int cfg_err_at(struct cfg_err *err, const char *file, struct cfg_pos pos, const char *fmt, ...)
{
	va_list ap;
	char *c;
	int n;

	n = snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ", file, pos.line, pos.col);
	if (n >= 0 && (size_t)n < sizeof(err->msg)) {
		va_start(ap, fmt);
		vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* One line, whatever the file name or a quoted value held. */
	for (c = err->msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -EINVAL;
}
