/*
 * gate.h: the regression gate of CI. `bench baseline` keeps the figures of a
 * recorded run in a baseline file; `bench gate` (and `bench run --gate`)
 * judges a new run against it, variant by variant.
 *
 * The checks, for each variant of the run (each PASS, FAIL or SKIP + reason):
 *   ok builds     the share of builds that ended "ok" may not fall (exact)
 *   warm/cold     per series (variant x repetition), its warm median over its
 *                 cold build; may grow by at most warm_over_cold_growth (an
 *                 amount, default 0.10). Skipped for a variant without any
 *                 cache (cache = none on an ephemeral runner): its warm builds
 *                 are cold builds
 *   vs REF        per warm build, its time over the reference variant's build
 *                 of the same commit and repetition in the same run; may grow
 *                 by at most warm_median_growth (default 15%). The reference
 *                 is [gate] reference / --reference, else the first variant
 *                 of the run without any cache ("none": no reference)
 *   warm median   absolute warm seconds; may grow by at most
 *                 warm_median_growth; only with absolute = yes (--absolute),
 *                 since seconds from another machine mean little
 *   cached steps  mean steps_cached of the ok warm builds may not fall
 *                 (exact; unless cached_steps_may_fall = yes)
 *   image size    median image_bytes of the ok builds; may grow by at most
 *                 image_growth (default 5%)
 *   cache size    median over the series of the largest cache folder of the
 *                 series; may grow by at most cache_growth (default 20%)
 * Thresholds come from the command's flags, else the run's scenario [gate]
 * section, else these defaults.
 *
 * Noise rule. A time check decides by stats_decide (stats.h), the rule
 * bench compare uses too: it FAILs only when the run's median is beyond the
 * limit AND a two-sided Mann-Whitney U test (p < 0.05) tells the run's
 * samples from the baseline's shifted by the threshold. Sample sizes that
 * cannot reach p < 0.05 at all (one series against one, 3 against 3) make it
 * an inconclusive PASS that says why. Ok builds and cached steps are exact,
 * image and cache sizes compared with their allowances.
 */
#ifndef BENCH_GATE_H
#define BENCH_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "lib/util.h"

#define GATE_BASELINE_VERSION 2

/* The noise rule above, one paragraph, printed in every report's footer. */
extern const char gate_noise_rule[];

/* The thresholds in force: every field set. `reference` is borrowed from
 * the settings it was resolved from (NULL: the gate picks the first variant
 * without cache; "none": no reference check). */
struct gate_limits {
	double warm_median_growth;    /* fraction */
	double warm_over_cold_growth; /* absolute amount */
	double image_growth;          /* fraction */
	double cache_growth;          /* fraction */
	bool cached_steps_may_fall;
	bool absolute;
	const char *reference;
};

/* All of g unset (negative / -1 / NULL), as scenario.c leaves a missing [gate]. */
void gate_settings_unset(struct gate_settings *g);
/* The gate object of run.json (scenario.gate; NULL or null: all unset).
 * g->reference is a copy: release with gate_settings_release. */
void gate_settings_from_json(struct gate_settings *g, json_t *gate);
void gate_settings_release(struct gate_settings *g);

/* Flags first (may be NULL), then the scenario's [gate] (may be NULL), then
 * the defaults. */
void gate_limits_resolve(struct gate_limits *out, const struct gate_settings *flags,
			 const struct gate_settings *scenario);

/* "15%" or "0.15" into 0.15; -1 when not a finite number >= 0. */
int gate_parse_fraction(double *out, const char *text);

/* ---- figures and baselines (gate_baseline.c) ---- */

/* {NAME: figures} for every variant of builds, in the order variants first
 * appear: the shape of a baseline's "variants". scenario (the run's, may be
 * NULL) says each variant's cache and runner. New reference. */
json_t *gate_run_figures(json_t *builds, json_t *scenario);

/* The distinct commit ids of builds in the order they first appear. New
 * reference. */
json_t *gate_commit_list(json_t *builds);

/* The baseline of a loaded run (results_load's object): {"bench_baseline": 1,
 * "created", "source", "scenario", "commits", "machine": {hostname, cpus,
 * memory_bytes, docker_server, buildx}, "variants": {NAME: {builds, ok, cache,
 * runner, caching, cold, warm (stats), cold_samples, warm_samples, series:
 * [{repetition, cold_seconds, warm_median_seconds, warm_over_cold}],
 * warm_builds: [{repetition, commit, seconds}], warm_over_cold,
 * cached_steps_warm, cached_step_ratio, image_bytes, cache_bytes, relative:
 * {OTHER: warm median ratio}}}, "comparable": comparable_facts (since
 * format 2 without it: derived from commits and machine)} (format 2; the gate still reads format 1,
 * without cache, runner, caching, series and warm_builds). `source` names the
 * results folder. BENCH_EINVALID when the run has no builds. New reference. */
int gate_baseline_from_run(json_t **out, json_t *run, const char *source);

/* Load results_dir and make its baseline (the folder's name is the source).
 * *missing (may be NULL) gets results_load's note of what the folder lacks. */
int gate_baseline_create(json_t **out, char **missing, const char *results_dir);

/* Write a baseline to path atomically, indented, with a final newline. */
int gate_baseline_save(const char *path, json_t *baseline);

/* Read and check a baseline file. Errors name the file: BENCH_ENOTFOUND or
 * BENCH_EIO "cannot read baseline 'x': ...", BENCH_EINVALID "baseline 'x' is
 * not a bench baseline (...)". New reference. */
int gate_baseline_load(json_t **out, const char *path);

/* ---- judging ---- */

enum gate_status { GATE_PASS, GATE_FAIL, GATE_SKIP };
enum gate_unit { GATE_SECONDS, GATE_RATIO, GATE_BYTES, GATE_STEPS, GATE_SHARE };
enum gate_format { GATE_TEXT, GATE_MARKDOWN, GATE_JSON };

struct gate_check {
	char *variant;
	char *check;           /* "warm/cold", "vs REF", "cached steps"... */
	enum gate_status status;
	enum gate_unit unit;
	double measured, baseline, limit; /* NAN when unknown */
	bool at_least;         /* limit is a floor (">="), else a ceiling ("<=") */
	char *rule;            /* "may grow by at most 0.10", never NULL */
	char *note;            /* SKIP reason, or the noise verdict, or NULL */
	bool inconclusive;     /* a PASS because the samples cannot decide */
};

struct gate_report {
	struct gate_check *checks;
	size_t count, alloc;
	size_t passed, failed, skipped;
	size_t inconclusive;   /* of the passed */
	struct gate_limits limits;
	char *reference;       /* owned copy behind limits.reference (NULL: none) */
	bool reference_auto;   /* chosen by the gate: the first variant without cache */
	char *results;         /* what was judged, for the header */
	char *baseline;        /* the baseline's path or source */
	struct strvec notes;   /* other machine, other commits, incomplete run */
	/* what makes the run and the baseline not comparable (comparable.h):
	 * the facts' names ("SCALE") and one line each */
	struct strvec different, differences;
};

/* Judge run (results_load's object) against baseline. BENCH_EINVALID when
 * the reference variant is not in the run. out is filled (release it in every
 * case); out->failed > 0 means a regression. */
int gate_evaluate(struct gate_report *out, json_t *run, json_t *baseline,
		  const struct gate_limits *limits);

void gate_report_release(struct gate_report *r);

/* The report as text (one line per check), a Markdown table (for
 * $GITHUB_STEP_SUMMARY) or the JSON verdict {"verdict", "checks": [...]}. */
void gate_format_report(struct strbuf *sb, const struct gate_report *r, enum gate_format fmt);

/* Whether the differences gate_evaluate found (r->different) are all in
 * the comma-separated list allow (NULL: none): 0, each allowed one then kept
 * as a note, or BENCH_EINVALID with the differences and the flag that
 * allows them in the message. */
int gate_check_comparable(struct gate_report *r, const char *allow);

/* Load the baseline, then results_dir, and judge it with the thresholds of
 * flags (may be NULL), then scenario_gate (NULL: the run's scenario.gate),
 * then the defaults. BENCH_EINVALID when the run and the baseline differ in
 * a fact (comparable.h) that allow_different (--allow-different's list, may
 * be NULL) does not name. out is filled (release it in every case). */
int gate_check_dir(struct gate_report *out, const char *results_dir, const char *baseline_path,
		   const struct gate_settings *flags, const struct gate_settings *scenario_gate,
		   const char *allow_different);

/* Everything `bench run --gate FILE` needs: load results_dir and the baseline,
 * judge with the thresholds of scenario_gate (NULL: the run's scenario.gate),
 * print the text report on out and keep the JSON verdict as
 * results_dir/gate.json. Returns 0 with *regressed set, or a negative code
 * (message kept) when the baseline or the results cannot be read or
 * gate.json cannot be written. */
int gate_run(int *regressed, const char *results_dir, const char *baseline_path,
	     const struct gate_settings *scenario_gate, const char *allow_different, FILE *out);

#endif
