/*
 * build.c: one build's process and log (see build.h). The build owns its
 * log descriptor and parser from build_exec_run to build_exec_release; the
 * caller owns the argv and the paths.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "proc.h"
#include "util.h"

void build_print_argv(FILE *f, const char *const *argv)
{
	for (; *argv; argv++) {
		const char *a = *argv;
		bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@+%") == strlen(a);
		if (plain) {
			fputs(a, f);
		} else {
			fputc('\'', f);
			for (; *a; a++) {
				if (*a == '\'')
					fputs("'\\''", f);
				else
					fputc(*a, f);
			}
			fputc('\'', f);
		}
		fputc(argv[1] ? ' ' : '\n', f);
	}
}

static void log_write(struct build_exec *x, const char *buf, size_t len)
{
	while (x->log_fd >= 0 && len) {
		ssize_t n = write(x->log_fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			x->write_failed = true;
			x->write_errno = errno;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static int on_stdout(void *ctx, const char *buf, size_t len)
{
	struct build_exec *x = ctx;
	log_write(x, buf, len);
	parser_feed(&x->parser, PARSER_STDOUT, buf, len);
	return 0;
}

static int on_stderr(void *ctx, const char *buf, size_t len)
{
	struct build_exec *x = ctx;
	log_write(x, buf, len);
	parser_feed(&x->parser, PARSER_STDERR, buf, len);
	return 0;
}

/* the push's output goes to the log only */
static int on_push_output(void *ctx, const char *buf, size_t len)
{
	log_write(ctx, buf, len);
	return 0;
}

static void on_tick(void *ctx)
{
	struct build_exec *x = ctx;
	if (x->progress)
		progress_update(x->progress, parser_current(&x->parser));
}

static int open_log(struct build_exec *x)
{
	FILE *f;

	if ((x->log_fd = open(x->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return bench_error_errno(BENCH_EIO, "cannot create log '%s'", x->log_path);
	/* close-on-exec: another engine's thread may fork at any moment */
	if ((f = fdopen(fcntl(x->log_fd, F_DUPFD_CLOEXEC, 3), "w"))) {
		fputs("$ ", f);
		build_print_argv(f, x->argv);
		fclose(f);
	}
	return 0;
}

static int push(struct build_exec *x)
{
	struct proc pp = {.argv = x->push_argv, .timeout_seconds = x->timeout,
			  .on_stdout = on_push_output, .on_stderr = on_push_output, .ctx = x};
	int error;

	if (x->progress)
		progress_note(x->progress, "pushing %s", x->ref);
	if ((error = proc_run(&pp)) < 0)
		return error;
	x->push_seconds = pp.wall_seconds;
	if (pp.interrupted) {
		x->status = "interrupted";
	} else if (pp.exit_code != 0) {
		x->status = "failed";
		x->reason = xasprintf("pushing %s failed (exit %d), see %s", x->ref, pp.exit_code, x->log_rel);
	}
	return 0;
}

int build_exec_run(struct build_exec *x)
{
	struct proc p = {0};
	int error;

	x->status = "ok";
	x->exit_code = -1;
	x->log_fd = -1;
	if ((error = parser_init(&x->parser, x->builder->parser)) < 0 || (error = open_log(x)) < 0)
		return error;
	p.argv = x->argv;
	p.timeout_seconds = x->timeout;
	p.on_stdout = on_stdout;
	p.on_stderr = on_stderr;
	p.on_tick = on_tick;
	p.ctx = x;
	if ((error = proc_run(&p)) < 0)
		return error;
	x->exit_code = p.exit_code;
	x->build_seconds = p.wall_seconds;
	if (p.interrupted)
		x->status = "interrupted";
	else if (p.timed_out)
		x->status = "timeout";
	else if (p.exit_code != 0)
		x->status = "failed";
	if (!x->write_failed && !strcmp(x->status, "ok") && x->push_argv && (error = push(x)) < 0)
		return error;
	if (x->write_failed) {
		/* a log cut short (disk full): stop rather than keep half a record,
		 * and give its space back so that run.json can still be written */
		unlink(x->log_path);
		return bench_error_set(BENCH_EIO, "cannot write '%s': %s", x->log_path, strerror(x->write_errno));
	}
	if (strcmp(x->status, "ok") && !x->reason) {
		if (!strcmp(x->status, "timeout"))
			x->reason = xasprintf("build exceeded the timeout of %.0f s; its process group was killed", x->timeout);
		else if (!strcmp(x->status, "interrupted"))
			x->reason = xstrdup("interrupted (Ctrl-C); the build was stopped");
		else
			x->reason = parser_failure(&x->parser, x->builder->command, x->exit_code);
	}
	return 0;
}

void build_exec_record(json_t *b, const struct build_exec *x)
{
	int steps_total = 0, steps_cached = 0;
	json_t *steps;
	int64_t bytes = 0;

	json_object_set_new(b, "exit_code", json_integer(x->exit_code));
	steps = parser_steps_json(&x->parser, &steps_total, &steps_cached);
	json_object_set_new(b, "steps_total", json_integer(steps_total));
	json_object_set_new(b, "steps_cached", json_integer(steps_cached));
	json_object_set_new(b, "steps", steps);
	if (!strcmp(x->status, "ok"))
		x->builder->image_size(&bytes, x->engine, x->ref);
	bench_error_clear();
	json_object_set_new(b, "image_bytes", json_integer(bytes));
	json_object_set_new(b, "build_seconds", json_real(x->build_seconds));
	if (x->push_argv)
		json_object_set_new(b, "push_seconds", json_real(x->push_seconds));
	json_object_set_new(b, "log", json_string(x->log_rel));
	if (x->reason)
		json_object_set_new(b, "reason", json_string(x->reason));
}

void build_exec_release(struct build_exec *x)
{
	if (x->log_fd >= 0)
		close(x->log_fd);
	x->log_fd = -1;
	parser_release(&x->parser);
	free(x->reason);
	x->reason = NULL;
}
