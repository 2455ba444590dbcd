/*
 * blogreport.h: the end of `bench run scenarios/cafeboo.ini`: the blog's
 * figures next to the measured ones (at the run's scale, and projected to
 * scale 1), the targets of the reproduction and whether each held, and where
 * the warm time of the cached variants goes.
 */
#ifndef BENCH_BLOGREPORT_H
#define BENCH_BLOGREPORT_H

#include <jansson.h>
#include <stdio.h>

/* The variant names the report looks for in a cafeboo run. */
#define BLOG_SINGLE_NOCACHE "single-stage-nocache"
#define BLOG_SINGLE_CACHED "single-stage-cached"
#define BLOG_MULTI_NOCACHE "multi-stage-nocache"
#define BLOG_MULTI_CACHED "multi-stage-cached"
#define BLOG_OPTIMIZED "optimized"

/*
 * Evaluate the run against the blog: a JSON object {scale, rows: [{case,
 * blog, measured_seconds, projected_seconds}], targets: [{target, value,
 * limit, held}], warm_breakdown: {variant: {group: seconds}}, projection:
 * "how it was computed"}. New reference; never NULL.
 *
 * The projection to scale 1 splits each build's time by step group (see
 * plot.h's step_group): the groups whose work is proportional to the bytes
 * moved (dependency install, model download, cache import/export, export,
 * push, cache restore/save) are divided by the scale; the rest (base set-up,
 * code copy, BuildKit's fixed costs) is kept as measured.
 */
json_t *blogreport_evaluate(json_t *run);

/*
 * The straight-line projection: with `other`, an evaluation of a run at
 * another scale, each row's measured median is fitted as a + b * scale
 * through the two runs and "fit_seconds" = a + b (the time at scale 1) is
 * added to the rows of ev, with the method in "fit". Rows missing in either
 * run are left without a fit. Returns 0, or BENCH_EINVALID when both runs
 * have the same scale.
 */
int blogreport_fit(json_t *ev, json_t *other);

/* 0 when the two runs replayed the same commits for every variant both
 * have (in the same order), else BENCH_EINVALID naming the variant and both
 * lists: a line fit through runs of different commits would read a change
 * of commits as a change of scale. */
int blogreport_same_commits(json_t *run, json_t *other);

/* Print the evaluation as text tables. */
void blogreport_print(FILE *f, json_t *evaluation);

#endif
