/*
 * gnuplot.h: gnuplot scripts made from templates (plots/NAME.gp.in with
 * @KEY@ placeholders), and running gnuplot on them through proc_run (an argv,
 * never a shell). Used by plot.c.
 */
#ifndef BENCH_GNUPLOT_H
#define BENCH_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* Append s to sb as a gnuplot double-quoted string literal ("a \"b\""):
 * quotes and backslashes escaped, a newline as \\n (a line break in a
 * label), other control characters made spaces. */
void gnuplot_quote(struct strbuf *sb, const char *s);

/* The template text with each @KEY@ in keys[0..n) replaced by vals[i];
 * unknown @...@ are kept as they are, and inserted text is not scanned
 * again. Caller frees. */
char *gnuplot_fill(const char *tmpl, const char *const *keys, const char *const *vals, size_t n);

/* Whether an executable "gnuplot" is in one of $PATH's folders. */
bool gnuplot_available(void);

/* Run `gnuplot SCRIPT` with dir as its working folder (script is a file name
 * in dir). BENCH_ERROR with gnuplot's stderr in the message when it exits
 * non-zero; proc_run's error when it cannot start. */
int gnuplot_run(const char *dir, const char *script);

#endif
