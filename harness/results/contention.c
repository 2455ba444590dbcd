/*
 * contention.c: a run's CPU contention, summed up over its ok builds, and
 * its warning (see contention.h).
 */
#include "results/contention.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonx.h"
#include "lib/util.h"
#include "results/stats.h"

void contention_of(struct contention *out, json_t *builds, const char *variant)
{
	size_t i, n = json_array_size(builds);
	double *v = xcalloc(n + 1, sizeof(double));
	json_t *b;

	memset(out, 0, sizeof(*out));
	out->median = NAN;
	json_array_foreach(builds, i, b) {
		json_t *c = json_object_get(b, "cpu_contention");
		if (!json_is_number(c) || strcmp(json_str(b, "status"), "ok") ||
		    (variant && strcmp(json_str(b, "variant"), variant)))
			continue;
		v[out->n++] = json_number_value(c);
		if (json_number_value(c) > out->max)
			out->max = json_number_value(c);
		if (json_number_value(c) > CONTENTION_HIGH)
			out->high++;
	}
	if (out->n)
		out->median = stats_median(v, out->n);
	free(v);
}

bool contention_high(const struct contention *c)
{
	return c->n > 0 && c->median > CONTENTION_HIGH;
}

char *contention_warning_text(const struct contention *c, const char *what)
{
	if (!contention_high(c))
		return NULL;
	return xasprintf("%s were measured under CPU contention: some task waited for a CPU during "
			 "%.0f%% of a build's time (median of %zu; up to %.0f%%; bench alone on 2 cores: "
			 "about 12%%, warned above %.0f%%). Other programs took the CPUs: the times are "
			 "high. Consider re-running on a quiet machine.",
			 what, 100 * c->median, c->n, 100 * c->max, 100 * CONTENTION_HIGH);
}

void contention_warning(FILE *f, const struct contention *c, const char *what, const char *prefix)
{
	char *text = contention_warning_text(c, what);

	if (text)
		fprintf(f, "%swarning: %s\n", prefix, text);
	free(text);
}
