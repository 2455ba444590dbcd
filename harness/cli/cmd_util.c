/* cmd_util.c: what every command shares: the one style of its errors, and
 * mapping an error to an exit status. */
#include <stdarg.h>
#include <stdio.h>

#include "cli/commands.h"
#include "lib/error.h"

int cmd_fail(const char *cmd, int code)
{
	fprintf(stderr, "bench %s: error: %s\n", cmd, bench_error_last());
	switch (code) {
	case BENCH_EINTERRUPTED:
		return 130;
	case BENCH_EINVALID:
	case BENCH_ESETUP:
	case BENCH_ENOTFOUND:
	case BENCH_EIO:
		return 2;
	default:
		return 1;
	}
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bench %s: error: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'bench %s --help'\n", cmd);
	return 2;
}
