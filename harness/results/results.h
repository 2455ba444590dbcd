/*
 * results.h: the results folder, a contract other commands and users build on.
 *
 *   results/<name>-<yyyymmddThhmmssZ>/
 *     run.json      scenario, environment, builds, summary, history and verdict
 *                   (results/verdict.h; written atomically, at most every
 *                   RESULTS_RUN_JSON_INTERVAL seconds, and at the end)
 *     journal.jsonl one build per line, appended and fsync'ed as each build ends
 *     builds.csv    one row per build
 *     logs/         each build's full docker output
 *
 * A build record is a JSON object (see docs/results.md): variant,
 * repetition, commit, subject, index, phase, kind, status, exit_code, wall_seconds,
 * steps_total, steps_cached, steps, cache_bytes, image_bytes, changed,
 * changed_since_previous, reason, and the world's extras
 * (cache_restore_seconds, cache_save_seconds, push_seconds, served_bytes,
 * registry_bytes, registry_sent_bytes) when present. state.json (runstate.h)
 * sits beside them, and the engine it was built on. Killing bench at any moment loses no finished
 * build: the journal line is on disk before the next build starts, and every
 * reader (results_load, results_reopen) takes the journal's builds that
 * run.json does not have yet.
 *
 * A key (variant/repetition/index) has one build in run["builds"]. When a
 * series is built again on another engine (its first engine stopped
 * answering), the later build of a key replaces the earlier one there, which
 * moves to run["superseded"]; the journal keeps both lines, the later
 * winning when it is read back.
 */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/monotonic.h"

/* Seconds between two rewrites of run.json while builds are appended. */
#define RESULTS_RUN_JSON_INTERVAL 10.0

struct results {
	char *dir;          /* the results folder */
	char *logs_dir;     /* dir/logs */
	json_t *run;        /* the run.json object; run["builds"] grows with each append */
	int journal_fd;     /* open for append */
	monotime run_json_written; /* when run.json was last written */
	double run_json_interval;  /* RESULTS_RUN_JSON_INTERVAL (tests: 0, every append) */
};

/* Create a new results folder under base ("results") named after the
 * scenario and the current UTC time, and write a first run.json with the
 * scenario and environment (both references are taken over). */
int results_create(struct results **out, const char *base, const char *name,
		   json_t *scenario, json_t *environment);

/* Open an existing results folder to continue it (bench run --resume): loads
 * run.json and every journal record not in it, drops the interrupted builds,
 * and rewrites the journal, builds.csv and run.json at once. run.json's
 * "resumes" gets {at, notes}; *notes (may be NULL; caller frees) gets what
 * the loader noticed, e.g. a torn journal line it skipped, or NULL. */
int results_reopen(struct results **out, char **notes, const char *dir);

/* Set run.json's environment[key] (reference stolen) and rewrite run.json:
 * what is known only once the run is set up (the world). */
int results_set_environment(struct results *r, const char *key, json_t *value);

/* Remove the builds of one series (variant, repetition) from the results:
 * a resumed run that cannot continue a series builds it again from its cold
 * build. The journal, builds.csv and run.json are rewritten. */
int results_drop_series(struct results *r, const char *variant, int repetition);

/* Append one finished build (reference stolen): journal line + fsync, builds.csv
 * row, then run.json rewritten atomically with the summary recomputed when it
 * was last written r->run_json_interval seconds ago or more. A build of a key
 * already there replaces it (see above). */
int results_append(struct results *r, json_t *build);

/* Write run.json once more (with "finished": true when complete). */
int results_finish(struct results *r, bool complete);

void results_free(struct results *r);

/* Load a results folder read-only for report, plot, compare and gate: run.json
 * merged with any journal records it lacks (a run going on, or interrupted). *out is a new
 * reference. *missing (may be NULL) gets a note of what is absent, e.g.
 * "run.json missing, read 5 builds from journal.jsonl" (caller frees, NULL
 * when complete). */
int results_load(json_t **out, char **missing, const char *dir);

/* Per-variant summary of builds: [{variant, cold_seconds, warm_median_seconds,
 * warm_over_cold, cached_step_ratio, builds, ok, ...}] in the order variants
 * first appear. Only "ok" builds count toward times. New reference. */
json_t *results_summary(json_t *builds);
/* {n, median, mean, stddev, min, max, outliers} of the n values v (see
 * stats.h), as in the summary's "cold"/"warm" and the baseline. New reference. */
json_t *results_stats_json(const double *v, size_t n);

/* The builds.csv header and one row (no newline handling by callers). */
/* Both end with "\n"; fields are quoted as RFC 4180 says, missing ones are
 * empty. results_csv_row's result is the caller's to free. */
const char *results_csv_header(void);
char *results_csv_row(json_t *build);

/* The journal record key of a build: "variant/repetition/index". Used by
 * resume to skip finished builds. Caller frees. */
char *results_build_key(json_t *build);

/* The engines a run's builds were made on, in the order of their first
 * build: [{"name", "engine_id" (from environment.engines, or null),
 * "builds": how many}]. A build without "engine" (a run from before
 * engines) was made on "default". New reference. */
json_t *results_engines(json_t *run);
/* Their names, ", "-separated. Caller frees. */
char *results_engines_names(json_t *engines);
/* Do two such lists name the same engines (by engine id, by name where a
 * list lacks the id)? */
bool results_engines_same(json_t *a, json_t *b);

#endif
