/*
 * sweep.h: `bench sweep`: a scenario run once per value of one or more of
 * its keys (the cartesian product of the --param values), to find the
 * conditions where a strategy pays. This module is the sweep's model: the
 * parameters, the points, their record (sweep.json), the table of medians
 * and the crossovers; cmd_sweep.c runs the points (run.h, one results folder
 * each) and sweep_report.c prints and draws them.
 *
 * A sweep folder (results/<name>-sweep-<UTC>/) holds sweep.json, one
 * results folder per point (<name>-<label>-<UTC>/, a run's folder with the
 * point's keys in its scenario's "overrides"), plots/sweep.{dat,gp,png,svg}
 * and index.html.
 *
 * sweep.json: {"bench_sweep": 1, "scenario" (path), "name", "started",
 * "ended", "finished", "options": {"only", "scale", "commits"}, "params":
 * [{"key", "values", "numbers" (null when not numbers), "unit"}], "points":
 * [{"values": [V per param], "assignments": ["KEY=V"...], "label", "dir"
 * (relative to the sweep folder, null until it starts), "state" ("pending",
 * "done", "stopped"), "builds", "ok", "summary": [{"variant",
 * "cold_seconds", "warm_median_seconds", "cached_step_ratio", "builds",
 * "ok"}]}], "crossovers": [see sweep_crossovers]}.
 */
#ifndef BENCH_SWEEP_H
#define BENCH_SWEEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SWEEP_JSON "sweep.json"

/* One --param KEY=V1,V2,... */
struct sweep_param {
	char *key;
	char **values;
	size_t count;
	double *numbers;  /* the values as numbers in `unit`, when numeric */
	const char *unit; /* "B/s", "B", "s" or "" (scenario_override_number) */
	bool numeric;     /* every value is a number: the chart's x axis is too */
};

/* Parse "KEY=V1,V2,..." (values split at commas, none empty, none twice).
 * BENCH_EINVALID naming the flag's text. The key and values are checked
 * against the scenario when the points are loaded (scenario_load_with). */
int sweep_param_parse(struct sweep_param *out, const char *arg);
void sweep_param_release(struct sweep_param *p);

/* The record of a new sweep: every point pending, in the order they run
 * (the cartesian product, the last parameter changing fastest). `options`
 * is taken over. New reference. */
json_t *sweep_new(const char *scenario_path, const char *name, const struct sweep_param *params,
		  size_t nparams, json_t *options);

/* The params of a record back as structs (resume). *out is the caller's:
 * release each, then free it. */
int sweep_params_from_json(struct sweep_param **out, size_t *n, json_t *sweep);

/* Load DIR/sweep.json (new reference). BENCH_ENOTFOUND when there is none
 * (not a sweep folder), BENCH_EINVALID when it does not parse. */
int sweep_load(json_t **out, const char *dir);
/* Write DIR/sweep.json atomically. */
int sweep_save(const char *dir, json_t *sweep);

/* A point's summary from its run's builds (run.json's): per variant cold,
 * warm median, cached step ratio, builds, ok. New reference. */
json_t *sweep_point_summary(json_t *builds);

/* ---- the table and the crossovers ---- */

/* Where two lines cross. */
struct sweep_crossing {
	size_t i, j;       /* the crossing lies between x[i] and x[j], the points on
			      either side where both lines are known */
	double x, y;       /* the point where they cross (interpolated; exact when
			      at a point) */
	bool a_faster_before; /* line a was below (faster) before the crossing */
};

/*
 * The crossings of lines ya and yb over x[0..n) (x ascending): wherever the
 * sign of ya - yb flips between two points where both are known (NaN: not
 * known; a point where they are equal lies between the flip), at the x
 * where the straight segments meet: linear interpolation in x, or in log x
 * when log_x (the chart's axis). A touch without a flip is no crossing.
 * Returns how many were found, at most max written to out.
 */
size_t sweep_crossings(struct sweep_crossing *out, size_t max, const double *x, const double *ya,
		       const double *yb, size_t n, bool log_x);

/* Whether the chart of a numeric parameter is drawn on a log axis: every
 * value positive and the largest at least 10 times the smallest. */
bool sweep_log_axis(const double *x, size_t n);

/*
 * The crossovers of a sweep record over its first parameter: for each
 * combination of the other parameters' values (a group), each pair of
 * variants whose warm medians swap order. [{"group": "k=v ..." or "",
 * "faster_before": variant, "faster_after": variant, "between": [V1, V2],
 * "x": number in the first param's unit (null when not numeric), "x_text":
 * "38 MB/s", "warm_seconds": y}]. New reference.
 */
json_t *sweep_crossovers(json_t *sweep);

/* The variants of the points' summaries, in the order they first appear.
 * New reference. */
json_t *sweep_variants(json_t *sweep);
/* The groups of the points: "k=v ..." of every parameter but the first,
 * in the order they first appear ([""] with one parameter). New reference. */
json_t *sweep_groups(json_t *sweep);
/* A point's group (as sweep_groups names it). Caller frees. */
char *sweep_group_of(json_t *point, json_t *params);
/* The summary entry of variant at a point (borrowed), NULL when none; its
 * warm median, NaN when none. */
json_t *sweep_point_entry(json_t *point, const char *variant);
double sweep_point_warm(json_t *point, const char *variant);
/* The order of a parameter's values along the x axis: ascending numbers,
 * or as given when they are not numbers. Caller frees. */
size_t *sweep_x_order(const struct sweep_param *p);

/* v in unit as people read it: "25 MB/s", "1.5 GB", "40 ms", "0.05". */
void sweep_format_value(char *buf, size_t size, double v, const char *unit);
/* The unit of the chart's axis for unit ("MB/s", "MB", "s", ""), and the
 * factor numbers are divided by to get there. */
const char *sweep_axis_unit(double *divide, const char *unit);

#endif
