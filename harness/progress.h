/*
 * progress.h: what bench shows on stderr while a run goes on: the variant,
 * commit i of N, the current step and elapsed time. On a terminal one line is
 * redrawn in place; otherwise plain lines are printed when something changes.
 * quiet silences it.
 */
#ifndef BENCH_PROGRESS_H
#define BENCH_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "monotonic.h"

struct progress {
	FILE *out;          /* stderr */
	bool quiet, tty;
	const char *variant;
	const char *phase;  /* "cold" / "warm" */
	int repetition, repetitions;
	int index, count;   /* commit i of N (1-based) */
	const char *commit; /* short id */
	monotime started;   /* start of the current build */
	char last_step[256];/* last step printed (plain mode) */
	bool line_open;     /* tty mode: a line is drawn and not ended */
	/* Additions (progress owner): */
	int width;          /* tty mode: columns to fit in (COLUMNS, the tty, or 100) */
	monotime last_print;/* plain mode: when the last step line was printed */
};

/* out is stderr in bench; tty is detected with isatty(fileno(out)). */
void progress_init(struct progress *p, FILE *out, bool quiet);
/* A build starts. Strings must outlive the build. */
void progress_build_start(struct progress *p, const char *variant, const char *phase,
			  int repetition, int repetitions, int index, int count, const char *commit);
/* Called on every tick and rawjson update; step may be NULL. */
void progress_update(struct progress *p, const char *step);
/* A build ended: print its outcome ("ok 12.3s, 5/7 steps cached"). */
void progress_build_end(struct progress *p, const char *status, double seconds,
			int steps_cached, int steps_total);
/* Plain mode prints the same step again after this many seconds. */
#define PROGRESS_PLAIN_REPEAT 30.0

/* A free-form note ("resetting runner", "restoring cache"). */
void progress_note(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
