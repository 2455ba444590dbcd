/*
 * runreport.h: what `bench run` makes when it ends: the charts it draws,
 * the results page it writes, and their paths (the summary table it prints
 * is results/runsummary.h).
 */
#ifndef BENCH_RUNREPORT_H
#define BENCH_RUNREPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Draw the charts into DIR/plots and print their paths on stderr; a missing
 * gnuplot is a warning here, never a failure of the run. */
void runreport_plot(const char *results_dir, bool quiet);

/* Write the results page (html.h) as DIR/index.html and print its path on
 * stdout; a failure is a warning on stderr, never a failure of the run. Call
 * it last: the page shows the charts and the gate's verdict (gate.json). */
void runreport_page(const char *results_dir);

#endif
