/*
 * projection.h: a cafeboo build's time at scale 1, projected from the same
 * build measured at the run's small scale and at a tiny calibration scale.
 *
 * The model, step group by step group (plot.h's groups):
 *   - base, code and other are fixed costs: kept as measured;
 *   - deps, models, export, cache and restore/save are a fixed cost plus a
 *     cost proportional to the bytes they move or write, and every byte count
 *     is proportional to the scale (the world's sizes are real size x scale,
 *     the base image's are fixed). Two scales give the line: with t at the
 *     run's scale s and t0 at the calibration scale s0,
 *         t(1) = t + (1 - s) x (t - t0) / (s - s0),
 *     and a group that did not grow (t <= t0) is all fixed cost: t(1) = t;
 *   - push uploads the layers in parallel, each paced at registry_bandwidth,
 *     so its time is that of the largest layer, and the layers that grow
 *     with the scale are the largest ones: a push that moved more bytes than
 *     its calibration counterpart's is proportional, t(1) = t / s; one that
 *     did not (a warm build pushing a code layer) is kept as measured.
 * Without a calibration build every group but base, code and other is taken
 * as proportional (t / s): an upper bound, since it scales fixed costs too.
 */
#ifndef BENCH_PROJECTION_H
#define BENCH_PROJECTION_H

#include <jansson.h>
#include <stdbool.h>

#include "pages/plot.h"

/* A build projected to scale 1: the total and each group's share. */
struct projected_build {
	double seconds;
	double groups[PLOT_NGROUPS];
};

/*
 * Project build b (a run.json build record) measured at scale `scale` to
 * scale 1, given its calibration counterpart c measured at `calib_scale`
 * (NULL: none, see above). The wall time outside the groups (checkout,
 * pruning) is kept as measured.
 */
void projection_build(struct projected_build *out, json_t *b, double scale, json_t *c, double calib_scale);

/*
 * The calibration counterpart of build b in the calibration run `calib` (may
 * be NULL): an ok build in b's phase and kind (projection_deps_rebuilt) of
 * b's variant, else of variant `fallback_variant` (may be NULL); at b's
 * commit, else at another. NULL when there is none.
 * Borrowed from calib.
 */
json_t *projection_counterpart(json_t *calib, json_t *b, const char *fallback_variant);

/* Whether build b rebuilt its dependencies: a step of the "deps" group (see
 * plot.h's step_group) ran rather than came from the cache. The kind of a
 * build, measured, whatever its commit changed since the previous build of
 * its run. */
bool projection_deps_rebuilt(json_t *b);

/* 0 when every build of the calibration run calib is at a commit the run
 * replayed, else BENCH_EINVALID naming the first commit that is not. */
int projection_check_commits(json_t *run, json_t *calib);

/* The scale of a run.json object (its world's), 1 when it has none. */
double projection_run_scale(json_t *run);

#endif
