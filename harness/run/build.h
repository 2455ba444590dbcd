/*
 * build.h: one build's process: the builder's argv run with a timeout, its
 * output written to the build's log file as it arrives and read by the
 * builder's progress parser (the live progress line, the steps, the failure
 * reason), then the push of the image when asked, timed apart.
 */
#ifndef BENCH_BUILD_H
#define BENCH_BUILD_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "builders/builder.h"
#include "builders/parser.h"
#include "run/progress.h"
#include "run/redact.h"

struct build_exec {
	/* input, set by the caller */
	const struct builder *builder;
	const struct engine *engine;
	const char *const *argv;      /* the build */
	const char *const *push_argv; /* the push after a build that succeeded, or NULL */
	const char *ref;              /* the image it makes (and pushes) */
	const char *log_path;         /* the log file (created, truncated) */
	const char *log_rel;          /* its name in run.json, for messages */
	double timeout;               /* seconds, for the build and for the push */
	struct progress *progress;    /* the live progress line, or NULL */
	const struct redact *redact;  /* secret values kept out of the log and the
					 parser (redact.h), or NULL */
	json_t *image_sizes;          /* the run's: image identity -> bytes (or NULL) */
	pthread_mutex_t *image_sizes_lock; /* held around image_sizes (the engines'
					      threads share it), or NULL */

	/* output */
	const char *status;           /* "ok", "failed", "timeout", "interrupted" */
	int exit_code;                /* the build's */
	double build_seconds, push_seconds;
	char *reason;                 /* why status is not "ok" (NULL when it is) */
	struct parser parser;         /* the build's steps */

	/* private */
	struct build_sink {           /* a stream through its redact filter */
		struct build_exec *x;
		unsigned stream;      /* PARSER_STDOUT, PARSER_STDERR, or 0: the log only */
		struct redact_stream *filter;
	} sinks[3];                   /* stdout, stderr, the push's output */
	int log_fd;
	bool write_failed;
	int write_errno;              /* why the log could not be written (ENOSPC...) */
};

/* Run the build (and the push). Returns 0 when it ran, whatever its status,
 * or a negative code that must stop the run: the builder could not be
 * started, or the log could not be written (the log is then removed, so the
 * space goes back to run.json). */
int build_exec_run(struct build_exec *x);

/* Put what the build that ran measured into its record: exit_code, the
 * steps (steps_total, steps_cached, steps), image_bytes, build_seconds,
 * push_seconds (when it pushes), log, and the reason when not ok. The image
 * size is asked of the builder once per image content (its identity, as the
 * build's output names it: parser_image), and kept in image_sizes. */
void build_exec_record(json_t *record, const struct build_exec *x);

void build_exec_release(struct build_exec *x);

/* Print argv on one line, quoted so that a reader can paste it (--dry-run,
 * and the first line of each log). */
void build_print_argv(FILE *f, const char *const *argv);

#endif
