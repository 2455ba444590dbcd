/* error.c: keeps the last error message (see error.h), one per thread: the
 * engines of a multi-engine run each fail on their own. */
#include "lib/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* one message per thread: parallel.c hands a worker's back to the caller */
static _Thread_local char last[4096];

static void vset(const char *fmt, va_list ap)
{
	vsnprintf(last, sizeof(last), fmt, ap);
}

int bench_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	return code;
}

int bench_error_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;
	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	len = strlen(last);
	snprintf(last + len, sizeof(last) - len, ": %s", strerror(saved));
	return code;
}

int bench_error_wrap(int code, const char *fmt, ...)
{
	char prefix[1024], old[sizeof(last)];
	int n;
	va_list ap;
	memcpy(old, last, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	n = snprintf(last, sizeof(last), "%s", prefix);
	if (old[0] && n >= 0 && (size_t)n < sizeof(last))
		snprintf(last + n, sizeof(last) - (size_t)n, ": %.*s", (int)(sizeof(last) - (size_t)n), old);
	return code;
}

const char *bench_error_last(void)
{
	return last;
}

void bench_error_clear(void)
{
	last[0] = '\0';
}
