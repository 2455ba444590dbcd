/*
 * projcheck.h: how far a run's projection to scale 1 (projection.h) lands
 * from a run made at scale 1: `bench blog RESULTS_DIR --against FULL_DIR`.
 */
#ifndef BENCH_PROJCHECK_H
#define BENCH_PROJCHECK_H

#include <jansson.h>
#include <stdio.h>

/*
 * Pair every ok build of `full` (a run at scale 1) with the builds of `run`
 * (a smaller scale, calibrated by `calib`, which may be NULL) that it can be
 * compared with: the same variant and phase; a warm build also at the same
 * commit, a cold one at any (a cold build starts from nothing, whatever its
 * commit). Each pair: {variant, phase, commit, run_commit, projected,
 * measured, error, groups: {group: [projected, measured]}}, in
 * {"builds": [...], "run_scale", "full_scale"}. New reference; never NULL.
 */
json_t *projcheck_evaluate(json_t *run, json_t *calib, json_t *full);

/* Print the pairs as a table, then each pair's step groups. */
void projcheck_print(FILE *f, json_t *check);

#endif
