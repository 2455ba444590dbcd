/*
 * runreport.h: what `bench run` prints when it ends: the verdict
 * (results/verdict.h) and the summary table on stdout (per variant: cold seconds, warm median seconds, warm/cold, cached
 * steps), the charts it draws, the results page it writes, and their paths.
 */
#ifndef BENCH_RUNREPORT_H
#define BENCH_RUNREPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The verdict (run["verdict"], or computed) and the summary table of run
 * (run.json's object) on f. */
void runreport_print(FILE *f, json_t *run);

/* Draw the charts into DIR/plots and print their paths on stderr; a missing
 * gnuplot is a warning here, never a failure of the run. */
void runreport_plot(const char *results_dir, bool quiet);

/* Write the results page (html.h) as DIR/index.html and print its path on
 * stdout; a failure is a warning on stderr, never a failure of the run. Call
 * it last: the page shows the charts and the gate's verdict (gate.json). */
void runreport_page(const char *results_dir);

#endif
