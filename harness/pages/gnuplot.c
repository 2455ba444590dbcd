/*
 * gnuplot.c: template filling and running gnuplot for the charts (see
 * gnuplot.h). gnuplot is exec'ed with proc_run; its stderr is kept for the
 * error message when it fails.
 */
#include "pages/gnuplot.h"
#include "lib/error.h"
#include "lib/proc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void gnuplot_quote(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_add(sb, "\\", 1);
		if (*s == '\n')
			strbuf_puts(sb, "\\n");
		else if ((unsigned char)*s < 0x20)
			strbuf_add(sb, " ", 1);
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_puts(sb, "\"");
}

char *gnuplot_fill(const char *tmpl, const char *const *keys, const char *const *vals, size_t n)
{
	struct strbuf sb = {0};
	const char *p = tmpl;
	size_t i;

	while (*p) {
		const char *at = strchr(p, '@'), *end;
		bool done = false;
		if (!at) {
			strbuf_puts(&sb, p);
			break;
		}
		strbuf_add(&sb, p, (size_t)(at - p));
		end = strchr(at + 1, '@');
		for (i = 0; end && i < n && !done; i++) {
			size_t len = (size_t)(end - at - 1);
			if (strlen(keys[i]) == len && !strncmp(at + 1, keys[i], len)) {
				strbuf_puts(&sb, vals[i] ? vals[i] : "");
				p = end + 1;
				done = true;
			}
		}
		if (!done) {
			strbuf_add(&sb, "@", 1);
			p = at + 1;
		}
	}
	return strbuf_detach(&sb);
}

bool gnuplot_available(void)
{
	const char *path = getenv("PATH"), *p;
	bool found = false;

	for (p = path; p && *p && !found;) {
		size_t n = strcspn(p, ":");
		char *full = xasprintf("%.*s/gnuplot", (int)n, n ? p : ".");
		found = access(full, X_OK) == 0 && !path_is_dir(full);
		free(full);
		p += n;
		if (*p == ':')
			p++;
	}
	return found;
}

static int collect(void *ctx, const char *buf, size_t len)
{
	struct strbuf *sb = ctx;
	if (sb->len < 8192)
		strbuf_add(sb, buf, len);
	return 0;
}

int gnuplot_run(const char *dir, const char *script)
{
	const char *argv[] = {"gnuplot", script, NULL};
	struct strbuf err = {0};
	struct proc p = {.argv = argv, .dir = dir, .timeout_seconds = 120,
			 .on_stderr = collect, .ctx = &err};
	int error;

	if ((error = proc_run(&p)) < 0)
		goto done;
	if (p.exit_code != 0 || p.timed_out || p.interrupted) {
		while (err.len && (err.buf[err.len - 1] == '\n' || err.buf[err.len - 1] == ' '))
			err.buf[--err.len] = '\0';
		if (p.interrupted)
			error = bench_error_set(BENCH_EINTERRUPTED, "gnuplot on '%s/%s' was interrupted",
						dir, script);
		else
			error = bench_error_set(BENCH_ERROR, "gnuplot failed on '%s/%s' (%s %d): %s", dir,
						script, p.timed_out ? "timed out, status" : "exit",
						p.exit_code, err.len ? err.buf : "no message");
	}
done:
	strbuf_release(&err);
	return error;
}
