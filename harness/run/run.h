/*
 * run.h: one `bench run`: the replay of a scenario's commits against its
 * variants, on the real engine, with every finished build kept in the
 * results folder as soon as it ends.
 */
#ifndef BENCH_RUN_H
#define BENCH_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "run/progress.h"

/* The start of every image name a run tags ("bench-run-<stamp>-<pid>/..."):
 * what a run finds of it on the engine when it starts was left by a run
 * killed before its end. With --keep-images: RUN_KEPT_PREFIX, never
 * removed by bench. */
#define RUN_MARKER_PREFIX "bench-run-"
#define RUN_KEPT_PREFIX "bench-kept-"

struct scenario;
struct scenario_override;
struct commit_info;
struct run_plan;

struct run_options {
	const char *scenario_path;
	const char *results_base; /* default "results" */
	const char *only;         /* --only VARIANT */
	const char *commits;      /* --commits RANGE overrides the scenario's */
	double scale;             /* --scale, > 0 when given */
	const char *resume_dir;   /* --resume DIR */
	bool force;               /* --force: resume even when the scenario changed */
	const char *work_dir;     /* --work DIR: kept afterwards (tests look inside) */
	bool keep_images;         /* --keep-images: leave the engine as the last build left it */
	const char *engines;      /* --engines a,b: overrides the scenario's engines */
	bool dry_run, quiet;
	/* for cmd_run.c's end of the run (run.c only replays): */
	bool no_plot;
	const char *gate_baseline;/* --gate FILE */
	/* for the commands that drive runs (bench sweep, bench bisect): */
	const struct scenario_override *overrides; /* set over the scenario file's keys */
	size_t overrides_count;
	const char *results_label;/* the results folder is <name>-<label>-<UTC> */
	const char *resume_hint;  /* how to continue an interrupted run, for messages,
				     "{dir}" standing for the results folder (default:
				     "bench run --resume {dir} SCENARIO") */
	const struct run_plan *plan; /* the series to replay, instead of every
					variant x repetition x the scenario's commits */
};

/* A planned run (bench bisect): the series come from plan->next one at a
 * time, each chosen knowing every build recorded before it. A series is one
 * variant's builds of its commits, the first cold, the others warm, exactly
 * as a series of a plain run (runner, cache, journal, resume, Ctrl-C), its
 * builds recorded with "repetition" = the series' repetition. */
struct run_series {
	const char *variant;     /* a variant of the scenario */
	int repetition;          /* >= 1; with the variant and the build's index, the
				    journal's key: a plan numbers its series itself */
	const char *commits;     /* oldest first, any form the scenario's commits take */
};

/* What a plan sees when it chooses the next series. */
struct run_view {
	const struct scenario *scenario;   /* as run (overrides, --only, --commits applied) */
	const struct commit_info *commits; /* the scenario's commits, resolved, oldest first */
	size_t count;
	const char *repo;                  /* the repository they come from */
	const char *results_dir;
	json_t *builds;                    /* every build recorded so far (a resumed run's too) */
};

struct run_plan {
	/* 1 with *next filled: replay that series; 0: the run is complete; a
	 * negative code stops the run (message kept, results kept). The strings
	 * of *next are the plan's and must live until the next call. */
	int (*next)(void *ctx, struct run_series *next, const struct run_view *view);
	void *ctx;
};

/* What a run ended with, for the command level to report and map to an
 * exit status. Freed with run_outcome_release. */
struct run_outcome {
	int builds, ok, not_ok;   /* not_ok: failed, timeout, skipped, interrupted */
	bool interrupted;         /* Ctrl-C: exit 130 */
	char *results_dir;        /* the results folder, once made */
	json_t *run;              /* run.json's object once the replay ended
				     (finished or not), else NULL */
	struct scenario *scenario;/* the scenario as run, with run */
	struct time_split split;  /* where the time went (cmd_run adds the report and total) */
};

/* Execute the run: the replay only; the report, charts and gate at its end
 * are cmd_run.c's. Returns 0 when it ran to its end (whatever the builds'
 * outcomes, see *out), BENCH_EINTERRUPTED after Ctrl-C (results kept), and a
 * negative code for usage or set-up errors (nothing built) or a failure that
 * stopped it (message kept). `out` is filled in every case. */
int run_execute(struct run_outcome *out, const struct run_options *opts);

void run_outcome_release(struct run_outcome *out);

#endif
