/*
 * runsummary.h: the summary of a run as text: the verdict
 * (results/verdict.h) and the table per variant (cold seconds, warm median
 * seconds, warm/cold, cached steps, builds), then the engines, their
 * versions and the builds not ok.
 */
#ifndef BENCH_RUNSUMMARY_H
#define BENCH_RUNSUMMARY_H

#include <jansson.h>
#include <stdio.h>

/* The verdict (run["verdict"], or computed) and the summary table of run
 * (run.json's object) on f. run stays the caller's. */
void runsummary_print(FILE *f, json_t *run);

#endif
