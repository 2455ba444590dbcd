/* test_stats.c: unit tests of stats.c (summary statistics, Mann-Whitney U,
 * the decision rule of bench gate and bench compare). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results/stats.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* cmocka 1.1.5's assert_float_equal works in float; compare doubles here. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%.17g != %.17g (within %g)\n", a, b, eps);
		_fail(file, line);
	}
}

static void test_median(void **state)
{
	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, one[] = {7.5};
	double copy[NELEM(even)];
	(void)state;

	memcpy(copy, even, sizeof(even));
	assert_near(stats_median(odd, 3), 2.0, 1e-12);
	assert_near(stats_median(even, 4), 2.5, 1e-12);
	assert_near(stats_median(one, 1), 7.5, 1e-12);
	assert_near(stats_median(NULL, 0), 0.0, 0);
	/* the input is not modified */
	assert_memory_equal(copy, even, sizeof(even));
}

static void test_compute_basic(void **state)
{
	double v[] = {9, 2, 4, 4, 5, 4, 5, 7};
	struct stats s;
	(void)state;

	stats_compute(&s, v, NELEM(v));
	assert_int_equal(s.n, 8);
	assert_near(s.mean, 5.0, 1e-12);
	assert_near(s.median, 4.5, 1e-12);
	/* sum of squared deviations 32, n - 1 = 7 */
	assert_near(s.stddev, sqrt(32.0 / 7.0), 1e-12);
	assert_near(s.min, 2.0, 0);
	assert_near(s.max, 9.0, 0);
	/* q1 = 4, q3 = 5.5, fences 1.75 .. 7.75: 9 is an outlier */
	assert_int_equal(s.outliers, 1);
}

static void test_compute_small(void **state)
{
	double one[] = {3.25}, three[] = {1, 2, 100};
	struct stats s;
	(void)state;

	stats_compute(&s, NULL, 0);
	assert_int_equal(s.n, 0);
	assert_near(s.mean, 0, 0);
	assert_near(s.median, 0, 0);
	assert_near(s.stddev, 0, 0);
	assert_int_equal(s.outliers, 0);

	stats_compute(&s, one, 1);
	assert_int_equal(s.n, 1);
	assert_near(s.mean, 3.25, 0);
	assert_near(s.stddev, 0, 0);
	assert_near(s.min, 3.25, 0);
	assert_near(s.max, 3.25, 0);

	/* fewer than 4 samples: no outliers counted */
	stats_compute(&s, three, 3);
	assert_int_equal(s.outliers, 0);
	assert_near(s.median, 2, 0);
}

static void test_outliers(void **state)
{
	/* quartiles by interpolation: q1 = 2, q3 = 4, fences -1 .. 7 */
	double v[] = {1, 2, 3, 4, 100};
	double both[] = {-50, 10, 11, 12, 13, 14, 50};
	double none[] = {1, 2, 3, 4};
	struct stats s;
	(void)state;

	stats_compute(&s, v, NELEM(v));
	assert_int_equal(s.outliers, 1);
	stats_compute(&s, both, NELEM(both));
	assert_int_equal(s.outliers, 2);
	stats_compute(&s, none, NELEM(none));
	assert_int_equal(s.outliers, 0);
}

/* Brute force: the two-sided exact p of U over every split of 0..n-1 ranks. */
static double brute_p(const double *a, size_t na, const double *b, size_t nb)
{
	double all[32], u_obs = 0;
	size_t n = na + nb, i, j;
	unsigned long mask, total = 0, le = 0, ge = 0;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			u_obs += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	for (i = 0; i < na; i++)
		all[i] = a[i];
	for (i = 0; i < nb; i++)
		all[na + i] = b[i];
	for (mask = 0; mask < (1ul << n); mask++) {
		double u = 0;
		if ((size_t)__builtin_popcountl(mask) != na)
			continue;
		for (i = 0; i < n; i++) {
			if (!(mask & (1ul << i)))
				continue;
			for (j = 0; j < n; j++)
				if (!(mask & (1ul << j)))
					u += all[i] > all[j] ? 1 : all[i] == all[j] ? 0.5 : 0;
		}
		total++;
		if (u <= u_obs + 1e-9)
			le++;
		if (u >= u_obs - 1e-9)
			ge++;
	}
	{
		double p = 2.0 * (double)(le < ge ? le : ge) / (double)total;
		return p > 1 ? 1 : p;
	}
}

static void test_mw_exact_known(void **state)
{
	double a[] = {1, 2, 3}, b[] = {4, 5, 6};
	double c[] = {1, 2, 3, 4, 5}, d[] = {6, 7, 8, 9, 10};
	/* scipy.stats.mannwhitneyu documentation example: p = 0.1111111 */
	double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
	(void)state;

	assert_near(stats_mann_whitney_p(a, 3, b, 3), 0.1, 1e-12);
	assert_near(stats_mann_whitney_p(b, 3, a, 3), 0.1, 1e-12);
	assert_near(stats_mann_whitney_p(c, 5, d, 5), 2.0 / 252.0, 1e-12);
	assert_near(stats_mann_whitney_p(males, 5, females, 4), 1.0 / 9.0, 1e-12);
	/* identical distributions in interleaved order: p is 1 */
	{
		double x[] = {1, 4, 5, 8}, y[] = {2, 3, 6, 7};
		assert_near(stats_mann_whitney_p(x, 4, y, 4), 1.0, 1e-12);
	}
}

static void test_mw_exact_brute(void **state)
{
	/* deterministic pseudo-random samples without ties, sizes up to 7+7 */
	unsigned seed = 12345;
	size_t na, nb, trial;
	(void)state;

	for (na = 2; na <= 7; na++) {
		for (nb = 2; nb <= 7; nb++) {
			for (trial = 0; trial < 3; trial++) {
				double a[8], b[8], pool[16];
				size_t i, n = na + nb;
				for (i = 0; i < n; i++)
					pool[i] = (double)i + 0.5;
				/* Fisher-Yates shuffle with an LCG */
				for (i = n - 1; i > 0; i--) {
					size_t k;
					double t;
					seed = seed * 1103515245u + 12345u;
					k = (seed >> 16) % (i + 1);
					t = pool[i];
					pool[i] = pool[k];
					pool[k] = t;
				}
				memcpy(a, pool, na * sizeof(double));
				memcpy(b, pool + na, nb * sizeof(double));
				assert_near(stats_mann_whitney_p(a, na, b, nb),
						   brute_p(a, na, b, nb), 1e-12);
			}
		}
	}
}

static void test_mw_exact_large(void **state)
{
	/* 20 vs 20 fully separated: p = 2 / C(40, 20) */
	double a[20], b[20];
	size_t i;
	(void)state;

	for (i = 0; i < 20; i++) {
		a[i] = (double)i;
		b[i] = 100.0 + (double)i;
	}
	assert_near(stats_mann_whitney_p(a, 20, b, 20) / (2.0 / 137846528820.0),
			   1.0, 1e-9);
}

static void test_mw_normal(void **state)
{
	/* with ties: tie-corrected normal approximation with continuity
	 * correction, values computed by scipy's formula */
	double a[] = {1, 2, 2, 3, 4, 5, 5, 6}, b[] = {3, 4, 5, 6, 7, 7, 8, 9};
	double c[25], d[25];
	size_t i;
	(void)state;

	assert_near(stats_mann_whitney_p(a, 8, b, 8), 0.026406384788933476, 1e-12);
	assert_near(stats_mann_whitney_p(b, 8, a, 8), 0.026406384788933476, 1e-12);
	/* beyond the exact limit, no ties */
	for (i = 0; i < 25; i++) {
		c[i] = (double)(i + 1);
		d[i] = (double)(i + 1) + 10.5;
	}
	assert_near(stats_mann_whitney_p(c, 25, d, 25) / 5.909644085596031e-05,
			   1.0, 1e-9);
}

static void test_mw_degenerate(void **state)
{
	double a[] = {1, 1, 1}, b[] = {1, 1, 1}, c[] = {5};
	(void)state;

	assert_near(stats_mann_whitney_p(a, 3, b, 3), 1.0, 0);
	assert_near(stats_mann_whitney_p(a, 3, c, 1), 1.0, 0);
	assert_near(stats_mann_whitney_p(c, 1, a, 3), 1.0, 0);
	assert_near(stats_mann_whitney_p(NULL, 0, a, 3), 1.0, 0);
}

/* Brute force: the one-sided p that a is above b, U counting ties as not
 * above, over every split of the pooled values. */
static double brute_greater_p(const double *a, size_t na, const double *b, size_t nb)
{
	double all[32];
	size_t n = na + nb, i, j;
	unsigned long mask, total = 0, ge = 0, u_obs = 0;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			u_obs += a[i] > b[j];
	/* distinct ranks: the exact distribution assumes no ties */
	for (i = 0; i < n; i++)
		all[i] = (double)i;
	for (mask = 0; mask < (1ul << n); mask++) {
		unsigned long u = 0;
		if ((size_t)__builtin_popcountl(mask) != na)
			continue;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if ((mask & (1ul << i)) && !(mask & (1ul << j)))
					u += all[i] > all[j];
		total++;
		ge += u >= u_obs;
	}
	return (double)ge / (double)total;
}

static void test_mw_greater(void **state)
{
	double a[] = {5, 6, 7}, b[] = {1, 2, 3, 4}, mixed[] = {1.5, 5.5, 2.5, 8}, tied[] = {5, 6, 7};
	(void)state;

	/* wholly above: 1 / C(7, 3) */
	assert_near(stats_mann_whitney_greater_p(a, 3, b, 4), 1.0 / 35, 1e-12);
	assert_near(stats_mann_whitney_greater_p(b, 4, a, 3), 1.0, 1e-12);
	assert_near(stats_mann_whitney_greater_p(mixed, 4, a, 3),
		    brute_greater_p(mixed, 4, a, 3), 1e-12);
	assert_near(stats_mann_whitney_greater_p(a, 3, mixed, 4),
		    brute_greater_p(a, 3, mixed, 4), 1e-12);
	/* ties count against "greater": identical samples are not greater */
	assert_true(stats_mann_whitney_greater_p(a, 3, tied, 3) > 0.5);
	assert_near(stats_mann_whitney_greater_p(a, 1, b, 1), 0.5, 1e-12);
	assert_near(stats_mann_whitney_greater_p(a, 0, b, 1), 1.0, 0);
	/* large samples: the normal approximation */
	{
		double x[25], y[25];
		for (int i = 0; i < 25; i++) {
			x[i] = 100 + i;
			y[i] = i;
		}
		assert_true(stats_mann_whitney_greater_p(x, 25, y, 25) < 1e-8);
		assert_true(stats_mann_whitney_greater_p(y, 25, x, 25) > 0.999);
	}
}

static void test_mw_min_p(void **state)
{
	(void)state;
	assert_near(stats_mann_whitney_min_p(3, 3), 0.1, 1e-12);
	assert_near(stats_mann_whitney_min_p(3, 4), 2.0 / 35, 1e-12);
	assert_near(stats_mann_whitney_min_p(4, 3), 2.0 / 35, 1e-12);
	assert_near(stats_mann_whitney_min_p(4, 4), 2.0 / 70, 1e-12);
	assert_near(stats_mann_whitney_min_p(1, 1), 1.0, 0);
	assert_near(stats_mann_whitney_min_p(1, 40), 2.0 / 41, 1e-12);
	assert_near(stats_mann_whitney_min_p(0, 5), 1.0, 0);
	assert_true(stats_mann_whitney_min_p(400, 400) < 1e-200);
	assert_true(stats_mann_whitney_min_p(2000, 2000) == 0);
	/* the two-sided p of two wholly separate samples is that smallest p */
	{
		double a[] = {1, 2, 3}, b[] = {4, 5, 6, 7};
		assert_near(stats_mann_whitney_p(a, 3, b, 4), stats_mann_whitney_min_p(3, 4), 1e-12);
	}
}

static void test_decide(void **state)
{
	/* the disagreement: warm/cold {0.40..0.44} against {0.45, 0.46,
	 * 0.53, 0.54, 0.55}, limit +0.10 */
	double base[] = {0.40, 0.41, 0.42, 0.43, 0.44}, run[] = {0.45, 0.46, 0.53, 0.54, 0.55};
	double far[] = {0.60, 0.61, 0.62, 0.63, 0.64}, fast[] = {0.20, 0.21, 0.22, 0.23, 0.24};
	double one_base[] = {0.913}, one_run[] = {1.191}, nan_run[] = {0.41, NAN, 0.42};
	struct stats_decision d;
	(void)state;

	/* unshifted, Mann-Whitney would call it a change ... */
	assert_true(stats_mann_whitney_p(run, 5, base, 5) < 0.05);
	/* ... against the baseline shifted by the threshold it does not: no
	 * change, within the noise, as the ranges (0.45 is below 0.54) say */
	stats_decide(&d, base, 5, run, 5, 0.10, true);
	assert_int_equal(d.change, STATS_NO_CHANGE);
	assert_true(d.p >= 0.05);
	assert_near(d.upper, 0.52, 1e-12);
	assert_near(d.now_median, 0.53, 1e-12);
	assert_non_null(strstr(d.reason, "within the noise"));

	stats_decide(&d, base, 5, far, 5, 0.10, true);
	assert_int_equal(d.change, STATS_WORSE);
	assert_true(d.p < 0.05);
	stats_decide(&d, base, 5, fast, 5, 0.10, true);
	assert_int_equal(d.change, STATS_BETTER);
	assert_near(d.lower, 0.32, 1e-12);
	stats_decide(&d, base, 5, base, 5, 0.10, true);
	assert_int_equal(d.change, STATS_NO_CHANGE);
	assert_true(isnan(d.p));
	assert_string_equal(d.reason, "within the threshold");

	/* the false alarm: one warm/cold figure against one */
	stats_decide(&d, one_base, 1, one_run, 1, 0.10, true);
	assert_int_equal(d.change, STATS_INCONCLUSIVE);
	assert_near(d.p_min, 1.0, 0);
	assert_non_null(strstr(d.reason, "1 against 1 samples cannot reach p < 0.05"));
	/* 3 against 3, however far apart */
	stats_decide(&d, base, 3, far, 3, 0.10, true);
	assert_int_equal(d.change, STATS_INCONCLUSIVE);
	/* multiplicative: +15% */
	stats_decide(&d, base, 5, base, 5, 0.15, false);
	assert_near(d.upper, 0.42 * 1.15, 1e-12);
	assert_near(d.lower, 0.42 / 1.15, 1e-12);
	/* non-finite values are left out; nothing left: inconclusive */
	stats_decide(&d, base, 5, nan_run, 3, 0.10, true);
	assert_int_equal(d.n_now, 2);
	assert_int_equal(d.change, STATS_NO_CHANGE);
	stats_decide(&d, base, 5, nan_run + 1, 1, 0.10, true);
	assert_int_equal(d.change, STATS_INCONCLUSIVE);
	assert_string_equal(stats_change_name(STATS_INCONCLUSIVE), "inconclusive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_compute_basic),
		cmocka_unit_test(test_compute_small),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_mw_exact_known),
		cmocka_unit_test(test_mw_exact_brute),
		cmocka_unit_test(test_mw_exact_large),
		cmocka_unit_test(test_mw_normal),
		cmocka_unit_test(test_mw_degenerate),
		cmocka_unit_test(test_mw_greater),
		cmocka_unit_test(test_mw_min_p),
		cmocka_unit_test(test_decide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
