/*
 * stats.c: the statistics of a sample (median, mean, sample standard
 * deviation, min, max, outliers beyond Tukey's 1.5 x IQR fences), the
 * Mann-Whitney U test (two-sided: exact distribution for small samples
 * without ties, normal approximation with tie and continuity correction
 * otherwise; one-sided: exact with ties counted conservatively), and
 * stats_decide, the rule bench gate and bench compare share.
 */
#include "results/stats.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest sample size for which the exact U distribution is used. */
#define EXACT_MAX 20

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));
	if (n)
		memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* The p-quantile of sorted s[0..n) by linear interpolation between closest
 * ranks (numpy's default, hyperfine's too): position p * (n - 1). */
static double quantile_sorted(const double *s, size_t n, double p)
{
	double pos, frac;
	size_t lo;

	if (n == 0)
		return 0;
	pos = p * (double)(n - 1);
	lo = (size_t)floor(pos);
	if (lo + 1 >= n)
		return s[n - 1];
	frac = pos - (double)lo;
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double stats_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return 0;
	s = sorted_copy(v, n);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void stats_compute(struct stats *out, const double *v, size_t n)
{
	double *s, sum = 0, sq = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	s = sorted_copy(v, n);
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	for (i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	if (n >= 2) {
		for (i = 0; i < n; i++)
			sq += (s[i] - out->mean) * (s[i] - out->mean);
		out->stddev = sqrt(sq / (double)(n - 1));
	}
	if (n >= 4) {
		double q1 = quantile_sorted(s, n, 0.25), q3 = quantile_sorted(s, n, 0.75);
		double iqr = q3 - q1, lo = q1 - 1.5 * iqr, hi = q3 + 1.5 * iqr;
		for (i = 0; i < n; i++)
			if (s[i] < lo || s[i] > hi)
				out->outliers++;
	}
	free(s);
}

/* ---- Mann-Whitney U ---- */

struct ranked {
	double value;
	int group; /* 0: a, 1: b */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}

/*
 * Number of arrangements of m values of a and n values of b (no ties) for
 * which U (count of pairs with a above b) equals each u in 0..m*n, by the
 * recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u). Counts are doubles:
 * C(40, 20) ~ 1.4e11 is far below 2^53, so they are exact. Returns a new
 * array of m*n+1 counts; the caller frees it.
 */
static double *u_counts(size_t m, size_t n)
{
	size_t umax = m * n, i, j, u, stride = umax + 1;
	double *f = xcalloc((m + 1) * (n + 1) * stride, sizeof(*f)), *out;

#define F(i, j, u) f[((i) * (n + 1) + (j)) * stride + (u)]
	for (i = 0; i <= m; i++) {
		for (j = 0; j <= n; j++) {
			if (i == 0 || j == 0) {
				F(i, j, 0) = 1;
				continue;
			}
			for (u = 0; u <= i * j; u++) {
				double c = 0;
				if (u >= j)
					c += F(i - 1, j, u - j);
				if (u <= i * (j - 1))
					c += F(i, j - 1, u);
				F(i, j, u) = c;
			}
		}
	}
	out = xmalloc(stride * sizeof(*out));
	memcpy(out, &F(m, n, 0), stride * sizeof(*out));
#undef F
	free(f);
	return out;
}

/* Two-sided exact p-value of U1 = u (an integer, no ties). */
static double exact_p(size_t na, size_t nb, double u)
{
	double *c = u_counts(na, nb), total = 0, lower = 0, upper = 0, p;
	size_t umax = na * nb, k, ui = (size_t)llround(u);

	for (k = 0; k <= umax; k++) {
		total += c[k];
		if (k <= ui)
			lower += c[k];
		if (k >= ui)
			upper += c[k];
	}
	free(c);
	p = 2 * (lower < upper ? lower : upper) / total;
	return p > 1 ? 1 : p;
}

double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	struct ranked *all;
	size_t n = na + nb, i, j;
	double r1 = 0, ties = 0, u1, mu, sigma, z, p;
	bool tied = false;

	if (na < 2 || nb < 2)
		return 1.0;
	all = xmalloc(n * sizeof(*all));
	for (i = 0; i < na; i++)
		all[i] = (struct ranked){a[i], 0};
	for (i = 0; i < nb; i++)
		all[na + i] = (struct ranked){b[i], 1};
	qsort(all, n, sizeof(*all), cmp_ranked);

	/* Midranks (1-based) for runs of equal values; sum of t^3 - t per run. */
	for (i = 0; i < n; i = j) {
		double rank, t;
		for (j = i + 1; j < n && all[j].value == all[i].value; j++)
			;
		rank = ((double)(i + 1) + (double)j) / 2;
		t = (double)(j - i);
		if (t > 1) {
			tied = true;
			ties += t * t * t - t;
		}
		for (size_t k = i; k < j; k++)
			if (all[k].group == 0)
				r1 += rank;
	}
	free(all);
	u1 = r1 - (double)na * (double)(na + 1) / 2;

	if (!tied && na <= EXACT_MAX && nb <= EXACT_MAX)
		return exact_p(na, nb, u1);

	/* Normal approximation on the larger U, as scipy's mannwhitneyu does. */
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb / 12 *
		     ((double)(n + 1) - ties / ((double)n * (double)(n - 1))));
	if (sigma <= 0)
		return 1.0;
	{
		double u2 = (double)na * (double)nb - u1, ubig = u1 > u2 ? u1 : u2;
		z = (ubig - mu - 0.5) / sigma;
	}
	p = erfc(z / sqrt(2.0)); /* 2 * (1 - Phi(z)) */
	return p > 1 ? 1 : p;
}

/* P(U >= u) for U the number of pairs with a above b, exact (no ties). */
static double exact_upper_tail(size_t na, size_t nb, size_t u)
{
	double *c = u_counts(na, nb), total = 0, tail = 0;
	size_t k;

	for (k = 0; k <= na * nb; k++) {
		total += c[k];
		if (k >= u)
			tail += c[k];
	}
	free(c);
	return tail / total;
}

double stats_mann_whitney_greater_p(const double *a, size_t na, const double *b, size_t nb)
{
	double above = 0, ties = 0, mu, sigma, z;
	size_t i, j;

	if (!na || !nb)
		return 1.0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++) {
			above += a[i] > b[j];
			ties += a[i] == b[j];
		}
	if (na <= EXACT_MAX && nb <= EXACT_MAX)
		return exact_upper_tail(na, nb, (size_t)above);
	/* large samples: ties count half, no tie correction of the variance
	 * (which only makes sigma larger, the p-value more cautious) */
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb * (double)(na + nb + 1) / 12);
	z = (above + ties / 2 - mu - 0.5) / sigma;
	return 0.5 * erfc(z / sqrt(2.0));
}

double stats_mann_whitney_min_p(size_t na, size_t nb)
{
	double c = 1;
	size_t k = na < nb ? na : nb, n = na + nb, i;

	for (i = 1; i <= k && isfinite(c); i++)
		c = c * (double)(n - k + i) / (double)i;
	return 2 / c > 1 ? 1 : 2 / c;
}

const char *stats_change_name(enum stats_change c)
{
	switch (c) {
	case STATS_NO_CHANGE: return "no change";
	case STATS_WORSE: return "worse";
	case STATS_BETTER: return "better";
	case STATS_INCONCLUSIVE: return "inconclusive";
	}
	return "?";
}

/* The finite values of v[0..n) into a new array; *out_n their count. */
static double *finite_copy(size_t *out_n, const double *v, size_t n)
{
	double *out = xmalloc((n + 1) * sizeof(*out));
	size_t i;

	*out_n = 0;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			out[(*out_n)++] = v[i];
	return out;
}

void stats_decide(struct stats_decision *out, const double *base, size_t nb, const double *now,
		  size_t nn, double threshold, bool additive)
{
	double *b = finite_copy(&nb, base, nb), *n = finite_copy(&nn, now, nn), *shifted = NULL;
	double p1, slack;
	bool worse;
	size_t j;

	memset(out, 0, sizeof(*out));
	out->p = NAN;
	out->n_base = nb;
	out->n_now = nn;
	out->base_median = out->now_median = out->upper = out->lower = NAN;
	out->p_min = stats_mann_whitney_min_p(nb, nn);
	if (!nb || !nn) {
		out->change = STATS_INCONCLUSIVE;
		snprintf(out->reason, sizeof(out->reason), "no samples %s",
			 !nb ? "in the baseline" : "in this run");
		goto done;
	}
	out->base_median = stats_median(b, nb);
	out->now_median = stats_median(n, nn);
	out->upper = additive ? out->base_median + threshold : out->base_median * (1 + threshold);
	out->lower = additive ? out->base_median - threshold : out->base_median / (1 + threshold);
	slack = 1e-12 * fmax(fabs(out->upper), fabs(out->lower));
	if (out->now_median <= out->upper + slack && out->now_median >= out->lower - slack) {
		out->change = STATS_NO_CHANGE;
		snprintf(out->reason, sizeof(out->reason), "within the threshold");
		goto done;
	}
	worse = out->now_median > out->upper;
	if (out->p_min >= STATS_ALPHA) {
		out->change = STATS_INCONCLUSIVE;
		snprintf(out->reason, sizeof(out->reason), "%s the threshold, but %zu against %zu "
			 "samples cannot reach p < %g (the smallest p is %.2g)",
			 worse ? "above" : "below", nn, nb, STATS_ALPHA, out->p_min);
		goto done;
	}
	shifted = xmalloc(nb * sizeof(*shifted));
	for (j = 0; j < nb; j++)
		shifted[j] = additive ? b[j] + (worse ? threshold : -threshold)
				      : worse ? b[j] * (1 + threshold) : b[j] / (1 + threshold);
	p1 = worse ? stats_mann_whitney_greater_p(n, nn, shifted, nb)
		   : stats_mann_whitney_greater_p(shifted, nb, n, nn);
	out->p = 2 * p1 > 1 ? 1 : 2 * p1;
	if (out->p < STATS_ALPHA) {
		out->change = worse ? STATS_WORSE : STATS_BETTER;
		snprintf(out->reason, sizeof(out->reason), "%s the threshold, beyond the noise: "
			 "Mann-Whitney p = %.2g against the baseline shifted by the threshold "
			 "(%zu vs %zu samples)", worse ? "above" : "below", out->p, nn, nb);
	} else {
		out->change = STATS_NO_CHANGE;
		snprintf(out->reason, sizeof(out->reason), "%s the threshold, but within the noise: "
			 "Mann-Whitney p = %.2g against the baseline shifted by the threshold "
			 "(%zu vs %zu samples)", worse ? "above" : "below", out->p, nn, nb);
	}
done:
	free(b);
	free(n);
	free(shifted);
}
