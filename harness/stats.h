/*
 * stats.h: the statistics of a sample (hyperfine's conventions): median,
 * mean, standard deviation, min, max, count and outliers; and the
 * Mann-Whitney U test that the gate and compare use for noise awareness.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct stats {
	size_t n;
	double median, mean, stddev, min, max;
	size_t outliers; /* samples beyond 1.5 IQR (Tukey's fences) of the quartiles */
};

/* Compute the statistics of v[0..n). n == 0 gives all zeros. */
void stats_compute(struct stats *out, const double *v, size_t n);

/* The median of v[0..n) (0 when n == 0). v is not modified. */
double stats_median(const double *v, size_t n);

/* Two-sided p-value of the Mann-Whitney U test for a and b (normal
 * approximation with tie correction; exact for small samples). Returns 1.0
 * when either sample has fewer than 2 values. */
double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

#endif
