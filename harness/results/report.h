/*
 * report.h: a results folder as text (bench report) and two runs side by
 * side (bench compare, in compare.c). Both take run objects as results_load gives them and
 * recompute the per-variant summary from run["builds"] (results_summary), so
 * an interrupted run reports what it has.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum report_format {
	REPORT_MARKDOWN,         /* verdict, summary, statistics and builds tables ($GITHUB_STEP_SUMMARY) */
	REPORT_CSV,              /* the summary, a blank line, then the builds (builds.csv columns) */
	REPORT_JSON,             /* {"summary": [...], "builds": [...], "verdict": {...}} (verdict.h) */
	REPORT_BENCHMARK_ACTION, /* github-action-benchmark "customSmallerIsBetter" array */
	REPORT_HTML,             /* a page of the whole folder: html_run_write (html.h), not report_write */
	REPORT_TEXT,             /* the summary table bench run prints at its end */
};

/* "markdown", "csv", "json", "benchmark-action", "html", "text" (also "md").
 * BENCH_EINVALID naming the accepted values otherwise. */
int report_format_parse(enum report_format *out, const char *name);

/* s as one RFC 4180 field: quoted when it holds a comma, a quote, CR or LF. */
void report_csv_text(FILE *f, const char *s);

/*
 * Write the report of run to f. benchmark-action entries, per variant with
 * ok builds: "<variant> cold build" (median cold seconds), "<variant> warm
 * median" (seconds) and "<variant> warm/cold" (ratio), each with "extra"
 * holding n, mean, stddev, min and max. Markdown and csv print a line
 * "warning: statistical outliers were detected in ..." (hyperfine style) when
 * a sample has outliers. BENCH_EIO when writing fails.
 */
int report_write(FILE *f, json_t *run, enum report_format format);

enum compare_verdict {
	COMPARE_NONE,         /* not comparable: no ok builds on one side */
	COMPARE_SAME,         /* no change beyond the threshold and the noise */
	COMPARE_BETTER,       /* B is faster */
	COMPARE_WORSE,        /* B is slower */
	COMPARE_INCONCLUSIVE, /* beyond the threshold, too few builds to tell */
};

#define COMPARE_THRESHOLD 0.05 /* default: medians within +-5% are no change */

struct compare_result {
	enum compare_verdict verdict;
	double ratio;    /* median(b) / median(a); NaN when not defined */
	double p;        /* Mann-Whitney p-value, NaN when the test was not run */
	char rule[224];  /* why, e.g. "above the threshold, beyond the noise: ..." */
};

/*
 * Decide whether sample b (seconds) is better or worse than a by more than
 * `threshold` (a fraction), by stats_decide, the rule bench gate uses: b's
 * median beyond a's grown (shrunk) by the threshold, and a two-sided
 * Mann-Whitney U test (p < 0.05) of b against a shifted by the threshold;
 * inconclusive when the sizes cannot reach p < 0.05 (3 against 3 or 4).
 */
void compare_samples(struct compare_result *out, const double *a, size_t na,
		     const double *b, size_t nb, double threshold);

/* "better", "worse", "no significant change", "inconclusive", "not comparable". */
const char *compare_verdict_name(enum compare_verdict v);

/*
 * Compare runs a and b variant by variant (the variants present in both):
 * cold and warm medians of each, the ratio B/A, the spread (min-max and
 * stddev) and the verdict on the warm samples (the cold ones when either
 * run has no ok warm build) with `threshold`, naming the rule's reason.
 * Variants found in only one run are listed. A text table, or markdown when
 * `markdown`.
 */
int compare_write(FILE *f, json_t *a, json_t *b, bool markdown, double threshold);

#endif
