/*
 * bisect_report.h: the record of a bisection (bisect.json in its results
 * folder) and its forms: the text bench bisect prints, markdown, csv (one
 * row per probe), json, and the HTML page (html_bisect.c).
 *
 * bisect.json: {"bench_bisect": 1, "scenario", "variant", "metric",
 * "threshold", "max_samples", "commits", "range" (commits in it),
 * "good_end": {commit, short, subject}, "bad_end": {...}, "state"
 * ("running", "found", "none", "undecided"), "reason", "probe_count",
 * "probes": [{probe, commit, short, subject, role, status, cached_steps,
 * steps_total, warm_seconds, verdict, note}], "culprit" (when found):
 * {commit, short, subject, changed, probe, cached_steps, steps_total,
 * warm_seconds, good_cached_steps, good_warm_seconds, dockerfile,
 * broken_steps: [{step, line}]}}. It is rewritten (atomically) before every
 * probe, so an interrupted bisection says how far it got.
 */
#ifndef BENCH_BISECT_REPORT_H
#define BENCH_BISECT_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "results/bisect.h"
#include "results/report.h"

#define BISECT_JSON "bisect.json"

/* Load DIR/bisect.json (new reference). BENCH_ENOTFOUND when the folder has
 * none (not a bisection), BENCH_EINVALID when it does not parse. */
int bisect_report_load(json_t **out, const char *dir);

/* The bisection as text (the end of bench bisect), markdown, csv or json.
 * BENCH_EINVALID for another format. */
int bisect_report_write(FILE *f, json_t *bisect, enum report_format format);

/* The page of a bisect folder: the verdict, the culprit and the steps it
 * broke, the probes, then the run's sections (builds, scenario). Caller
 * frees. */
char *html_bisect_page(json_t *bisect, json_t *run, const char *link_base);

#endif
