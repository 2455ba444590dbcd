/*
 * sweep_report.h: a sweep record (sweep.json, see sweep.h) as bench sweep
 * prints it and bench report writes it (text, markdown, csv, json). Its
 * chart and its page are pages/sweep_chart.h.
 */
#ifndef BENCH_SWEEP_REPORT_H
#define BENCH_SWEEP_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "results/report.h"
#include "results/sweep.h"

/* text: the table (a row per point: per variant its warm median and cold
 * build) and the crossovers, one sentence each; markdown: the same; csv:
 * one row per point and variant; json: the record. BENCH_EINVALID for
 * another format. */
int sweep_report_write(FILE *f, json_t *sweep, enum report_format format);

#endif
