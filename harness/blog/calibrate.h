/*
 * calibrate.h: the calibration run of the cafeboo main job. After a run of
 * a world scenario at a small scale, bench replays the multi-stage cached
 * variant once more over the same commits at a tiny scale, where nearly
 * every second is a fixed cost (per package, per step, per request, the
 * base image's bytes), so that the blog report can tell each build's fixed
 * costs from the costs that grow with the sizes (see projection.h). Its
 * results folder is RESULTS_DIR/calibration/NAME-STAMP.
 */
#ifndef BENCH_CALIBRATE_H
#define BENCH_CALIBRATE_H

#include <jansson.h>
#include <stdbool.h>

#include "run/run.h"

#define CALIBRATE_SCALE 0.001
#define CALIBRATE_SUBDIR "calibration"

/*
 * Whether the finished run `out` (run with opts) wants a calibration run: a
 * world scenario, below half the real sizes, not a dry run, the replay ended
 * without error, and the calibrated variant (blogreport.h's
 * BLOG_MULTI_CACHED) among its ok builds.
 */
bool calibrate_wanted(const struct run_options *opts, const struct run_outcome *out);

/*
 * Replay the calibrated variant at CALIBRATE_SCALE, with the main run's
 * scenario, over the commits of its cold build, its first warm build that
 * changed requirements and its first that did not (the kinds of build the
 * projection pairs), into out->results_dir's calibration folder, unless that
 * folder already holds a calibration run (a resumed main run): *calib gets
 * its run.json object (new reference; NULL when there was nothing to
 * calibrate). Returns 0, or the run's error (its message kept; nothing of
 * the main run is touched).
 */
int calibrate_run(json_t **calib, const struct run_options *opts, const struct run_outcome *out);

/* The calibration run kept in results_dir (the newest), or NULL when there is
 * none. Returns 0, or an error when one is there but cannot be read. */
int calibrate_load(json_t **calib, const char *results_dir);

#endif
