/*
 * sweep_chart.h: a sweep record (sweep.json, see results/sweep.h) drawn:
 * its chart (plots/sweep.*, sweep_chart.c) and its page (html_sweep.c).
 */
#ifndef BENCH_SWEEP_CHART_H
#define BENCH_SWEEP_CHART_H

#include <jansson.h>
#include <stdbool.h>

#include "pages/plot.h"

/* DIR/plots/sweep.{dat,gp} from plots/sweep.gp.in, then sweep.png and
 * sweep.svg when render: warm median against the first parameter (a log
 * axis when its values span 10x or more), one line per variant and value
 * of the other parameters, each crossover a dashed line and a circled
 * point with its value. Errors as plot_chart_write's. */
int sweep_chart(struct plot_output *out, json_t *sweep, const char *dir, bool render);

/* The page of a sweep folder: the parameters and options, the table, the
 * chart (DIR/plots/sweep.svg), the crossovers, and a link to each point's
 * results page. Caller frees. link_base prefixes links into the folder. */
char *html_sweep_page(json_t *sweep, const char *dir, const char *link_base);

#endif
