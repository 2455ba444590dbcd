/*
 * stats.h: the statistics of a sample (median, mean, standard deviation, min,
 * max, count, and outliers by Tukey's 1.5 x IQR fences); the Mann-Whitney U
 * test; and the one decision rule that bench gate and bench compare share:
 * is a sample worse, better, unchanged or inconclusive against a baseline
 * sample, given a threshold?
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

/* One-sided p-value that a is stochastically greater than b (U = the number
 * of pairs with a above b): exact for samples of at most 20 each, with every
 * tie counted against "greater" (conservative); the normal approximation
 * with continuity correction otherwise. 1.0 when either sample is empty. */
double stats_mann_whitney_greater_p(const double *a, size_t na, const double *b, size_t nb);

/* The smallest two-sided p-value the Mann-Whitney U test can give for
 * samples of na and nb values: 2 / C(na + nb, na) (0.1 for 3 against 3,
 * 0.057 for 3 against 4, 0.029 for 4 against 4), capped at 1. */
double stats_mann_whitney_min_p(size_t na, size_t nb);

/* ---- the decision rule of bench gate and bench compare ---- */

#define STATS_ALPHA 0.05 /* two-sided significance level */

enum stats_change {
	STATS_NO_CHANGE,    /* within the threshold, or beyond it but within the noise */
	STATS_WORSE,        /* above the baseline grown by the threshold, beyond the noise */
	STATS_BETTER,       /* below the baseline shrunk by the threshold, beyond the noise */
	STATS_INCONCLUSIVE, /* beyond the threshold, but too few samples to tell */
};

struct stats_decision {
	enum stats_change change;
	size_t n_base, n_now;
	double base_median, now_median;
	double upper, lower; /* base_median grown and shrunk by the threshold */
	double p;            /* two-sided p of the shifted test; NAN when not run */
	double p_min;        /* the smallest two-sided p these sample sizes allow */
	char reason[192];    /* one clause saying why, for reports */
};

/*
 * Decide whether `now` (nn values) changed against `base` (nb values, both
 * at least 1; larger is worse) by more than `threshold`: an amount added to
 * the baseline when `additive`, else a fraction it grows by (shrinking is
 * by the same factor, base / (1 + threshold)).
 *
 * The rule: when now's median lies within [lower, upper], the baseline's
 * median shrunk and grown by the threshold, no change. Otherwise the whole
 * baseline sample is shifted by the threshold towards now, and a two-sided
 * Mann-Whitney U test at STATS_ALPHA of now against the shifted sample must
 * find the difference (worse or better); a test that finds nothing is no
 * change, within the noise. When these sample sizes cannot reach
 * p < STATS_ALPHA at all (3 against 3, 1 against anything below 39: even
 * wholly separate ranges are not significant), the verdict is inconclusive.
 * Non-finite values are ignored.
 */
void stats_decide(struct stats_decision *out, const double *base, size_t nb, const double *now,
		  size_t nn, double threshold, bool additive);

/* "no change", "worse", "better", "inconclusive". */
const char *stats_change_name(enum stats_change c);

#endif
