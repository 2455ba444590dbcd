/*
 * progress.h: what bench shows on stderr while a run goes on: the variant,
 * commit i of N, the current step, elapsed time and the ETA of the whole run;
 * at the end, where the run's time went. On a terminal one line is redrawn in
 * place; otherwise plain lines are printed when something changes. quiet
 * silences it.
 */
#ifndef BENCH_PROGRESS_H
#define BENCH_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/monotonic.h"

/* The builds of one variant in one phase: how many the run will make, how
 * many are done and how long those took (bench's own work included). */
struct progress_kind {
	char *variant, *phase;
	int planned, done;
	double seconds;
};

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
	struct progress_kind *kinds; /* the ETA's figures (progress_plan) */
	size_t nkinds;
	bool building;      /* between progress_build_start and _end */
};

/* out is stderr in bench; tty is detected with isatty(fileno(out)). */
void progress_init(struct progress *p, FILE *out, bool quiet);
void progress_release(struct progress *p);

/* The ETA (as hyperfine's: the mean time of the builds done so far times the
 * builds left), per variant and phase, since a cold build and a warm one, or
 * two variants, take very different times. A kind with no build done yet
 * borrows the mean of the same phase in other variants, then of the same
 * variant, then of every build; no build done: no ETA. */
/* n more builds of variant in phase ("cold"/"warm") are to be made. */
void progress_plan(struct progress *p, const char *variant, const char *phase, int n);
/* One planned build will not be made after all (resume: done before). */
void progress_unplan(struct progress *p, const char *variant, const char *phase);
/* Seconds left for the planned builds (the running one's expected rest
 * included), or -1 when nothing is known yet. */
double progress_eta(const struct progress *p);
/* A build starts. Strings must outlive the build. */
void progress_build_start(struct progress *p, const char *variant, const char *phase,
			  int repetition, int repetitions, int index, int count, const char *commit);
/* Called on every tick and rawjson update; step may be NULL. */
void progress_update(struct progress *p, const char *step);
/* A build ended: print its outcome ("ok 12.3s, 5/7 steps cached") and the
 * ETA. Its whole time since progress_build_start counts for the ETA. */
void progress_build_end(struct progress *p, const char *status, double seconds,
			int steps_cached, int steps_total);
/* Plain mode prints the same step again after this many seconds. */
#define PROGRESS_PLAIN_REPEAT 30.0

/* A free-form note ("resetting runner", "restoring cache"). */
void progress_note(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Where a run's time went, in seconds (the run measures, cmd_run prints). */
struct time_split {
	double total;
	double waiting;   /* for the engine lock, while another run used it */
	double setup;     /* docker checks, results folder, repository, leftovers */
	double world;     /* the emulated world: base image, wheels, models, servers */
	double builds;    /* the replay loop */
	double docker;    /* of which the builds' own time (their wall_seconds) */
	double resets;    /* and the runner clean-up: resets before builds (ephemeral runners), a
			     persistent runner's replaced images */
	int nbuilds;      /* builds made by this process */
	double report;    /* summary, tables and plots */
	double cleanup;   /* the run's images, the builder cache, the work folder */
	long peak_rss_kb; /* bench's own peak resident memory */
};

/* Print t as a small table (to stderr in bench; nothing when quiet). */
void progress_time_split(FILE *out, const struct time_split *t);

/* "42.0s", "4m10s", "1h02m" into buf. */
void progress_duration(char *buf, size_t size, double seconds);

#endif
