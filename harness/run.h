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

struct scenario;

struct run_options {
	const char *scenario_path;
	const char *results_base; /* default "results" */
	const char *only;         /* --only VARIANT */
	const char *commits;      /* --commits RANGE overrides the scenario's */
	double scale;             /* --scale, > 0 when given */
	const char *resume_dir;   /* --resume DIR */
	bool force;               /* --force: resume even when the scenario changed */
	const char *work_dir;     /* --work DIR: kept afterwards (tests look inside) */
	const char *engines;      /* --engines a,b: overrides the scenario's engines */
	bool dry_run, quiet;
	/* for cmd_run.c's end of the run (run.c only replays): */
	bool no_plot;
	const char *gate_baseline;/* --gate FILE */
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
};

/* Execute the run: the replay only; the report, charts and gate at its end
 * are cmd_run.c's. Returns 0 when it ran to its end (whatever the builds'
 * outcomes, see *out), BENCH_EINTERRUPTED after Ctrl-C (results kept), and a
 * negative code for usage or set-up errors (nothing built) or a failure that
 * stopped it (message kept). `out` is filled in every case. */
int run_execute(struct run_outcome *out, const struct run_options *opts);

void run_outcome_release(struct run_outcome *out);

#endif
