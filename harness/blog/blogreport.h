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

/* The blog's own figures, in seconds: the multi-stage no-cache "Build &
 * Push" step (6m33s of a 7m29s job: the one figure the scenario's rates are
 * fitted to), the first build with buildx and the local cache ("about 8
 * minutes", "similar to before": the job, as the 7m29s and the 8-12 minute
 * deploys were) and the later ones ("under 4 minutes", the job too):
 * predictions. A job is the build's projection (actions/cache's restore and
 * save included) plus the steps bench does not run (checkout, log-in, the
 * deploy), which the blog's own screenshot times: 7m29s - 6m33s, the same
 * for every variant. A projected figure holds within BLOG_TOLERANCE of the
 * blog's (for "under": at most the figure plus the tolerance). */
#define BLOG_FIT_SECONDS 393.0
#define BLOG_FIT_JOB_SECONDS 449.0
#define BLOG_OTHER_STEPS_SECONDS (BLOG_FIT_JOB_SECONDS - BLOG_FIT_SECONDS)
#define BLOG_FIRST_CACHED_SECONDS 480.0
#define BLOG_LATER_CACHED_SECONDS 240.0
#define BLOG_TOLERANCE 0.15

/* The projection to scale 1, in one line each (see projection.h): with a
 * calibration run, without one, and how far it was found from full-scale
 * measurements. */
#define BLOG_PROJECTION_MODEL \
	"per build and step group, a straight line through this run and the same build in the " \
	"calibration run at a tiny scale (the fixed costs), read at scale 1; base, code and " \
	"BuildKit's own time kept as measured; the push (parallel paced layers) taken as " \
	"proportional; then the median"
#define BLOG_PROJECTION_UPPER \
	"no calibration run: the step groups that move bytes divided by the scale, fixed costs " \
	"included (an upper bound); base, code and BuildKit's own time kept as measured"
#define BLOG_PROJECTION_NONE "none: the run is at scale 1, its figures are the blog's scale"
#define BLOG_PROJECTION_CHECKED \
	"multi-stage cached and no-cache, against the same builds measured at scale 1 (bench blog " \
	"--against): on dockerd 28.5.2 + buildx 0.29.1 with this scenario, cached -5% cold, -5% and " \
	"-11% warm (load 1-2); no cache -9% cold (load 1-2, the image export 29% short); " \
	"under load the CPU-bound export and cache steps follow the CPU share each run got " \
	"(docs/cafeboo.md)"

/*
 * Evaluate the run against the blog: a JSON object {scale, calibration_scale,
 * rows: [{case, blog, measured_seconds, projected_seconds, builds,
 * calibrated_builds, checked, projection_check, projected_job_seconds
 * (projected + BLOG_OTHER_STEPS_SECONDS)[, blog_seconds, blog_measure
 * ("step", "job"), blog_bound ("about", "under"), blog_role ("fitted",
 * "predicted"), blog_error (the projected step or job / blog - 1),
 * blog_within]}], targets: [{target, value,
 * limit, held}], warm_breakdown: {variant: {group: seconds}},
 * bytes_vs_floor (floor.h), projection, projection_error}. New reference; never NULL.
 *
 * calib (may be NULL) is the calibration run (see calibrate.h): the builds
 * of the run are projected to scale 1 with their counterparts in it, those
 * of a variant it lacks with the multi-stage cached builds of the same
 * commits (see projection.h).
 */
json_t *blogreport_evaluate(json_t *run, json_t *calib);

/* Print the evaluation as text tables. */
void blogreport_print(FILE *f, json_t *evaluation);

#endif
