/*
 * build.c: one build's process and log (see build.h). The build owns its
 * log descriptor and parser from build_exec_run to build_exec_release; the
 * caller owns the argv and the paths.
 */
#include "run/build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/proc.h"
#include "builders/rawjson.h"
#include "lib/util.h"

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

/* Output, redacted when the run has secrets: to the log, and to the parser
 * (the push's output goes to the log only). */
static void sink_emit(void *ctx, const char *buf, size_t len)
{
	struct build_sink *k = ctx;
	log_write(k->x, buf, len);
	if (k->stream)
		parser_feed(&k->x->parser, k->stream, buf, len);
}

static int sink_output(struct build_sink *k, const char *buf, size_t len)
{
	if (k->filter)
		redact_stream_feed(k->filter, buf, len);
	else
		sink_emit(k, buf, len);
	return 0;
}

static int on_stdout(void *ctx, const char *buf, size_t len)
{
	return sink_output(&((struct build_exec *)ctx)->sinks[0], buf, len);
}

static int on_stderr(void *ctx, const char *buf, size_t len)
{
	return sink_output(&((struct build_exec *)ctx)->sinks[1], buf, len);
}

static int on_push_output(void *ctx, const char *buf, size_t len)
{
	return sink_output(&((struct build_exec *)ctx)->sinks[2], buf, len);
}

/* The sinks of x's streams; the parser's stream of a rawjson builder is read
 * as rawjson (its step output is base64 inside JSON). */
static void sinks_init(struct build_exec *x)
{
	static const unsigned streams[3] = {PARSER_STDOUT, PARSER_STDERR, 0};
	int i;

	for (i = 0; i < 3; i++) {
		struct build_sink *k = &x->sinks[i];
		k->x = x;
		k->stream = streams[i];
		if (redact_any(x->redact))
			k->filter = redact_stream_new(x->redact, x->builder->parser == &parser_rawjson &&
					(x->builder->parser->streams & k->stream) ? REDACT_RAWJSON : REDACT_TEXT,
					sink_emit, k);
	}
}

/* The end of a stream: what its filter held back goes out. */
static void sink_finish(struct build_sink *k)
{
	if (k->filter)
		redact_stream_finish(k->filter);
	redact_stream_free(k->filter);
	k->filter = NULL;
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
	error = proc_run(&pp);
	sink_finish(&x->sinks[2]);
	if (error < 0)
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
	sinks_init(x);
	p.argv = x->argv;
	p.timeout_seconds = x->timeout;
	p.on_stdout = on_stdout;
	p.on_stderr = on_stderr;
	p.on_tick = on_tick;
	p.ctx = x;
	error = proc_run(&p);
	sink_finish(&x->sinks[0]);
	sink_finish(&x->sinks[1]);
	if (error < 0)
		return error;
	x->exit_code = p.exit_code;
	x->build_seconds = p.wall_seconds;
	/* (a build that failed while Ctrl-C was being handled is interrupted
	 * too: proc.h's rule) */
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

/* The size of the image an ok build made: a fully cached build makes the
 * image an earlier one made, and its size is known without asking. */
static int64_t image_bytes(const struct build_exec *x)
{
	const char *config = parser_image(&x->parser);
	json_t *known;
	int64_t bytes = 0;
	bool found;

	if (x->image_sizes_lock)
		pthread_mutex_lock(x->image_sizes_lock);
	known = config && x->image_sizes ? json_object_get(x->image_sizes, config) : NULL;
	if ((found = json_is_integer(known)))
		bytes = (int64_t)json_integer_value(known);
	if (x->image_sizes_lock)
		pthread_mutex_unlock(x->image_sizes_lock);
	if (found || x->builder->image_size(&bytes, x->engine, x->ref) < 0 || !config || !x->image_sizes) {
		bench_error_clear();
		return bytes;
	}
	if (x->image_sizes_lock)
		pthread_mutex_lock(x->image_sizes_lock);
	json_object_set_new(x->image_sizes, config, json_integer((json_int_t)bytes));
	if (x->image_sizes_lock)
		pthread_mutex_unlock(x->image_sizes_lock);
	bench_error_clear();
	return bytes;
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
		bytes = image_bytes(x);
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
	for (int i = 0; i < 3; i++) { /* finished in build_exec_run; only freed here */
		redact_stream_free(x->sinks[i].filter);
		x->sinks[i].filter = NULL;
	}
	free(x->reason);
	x->reason = NULL;
}
