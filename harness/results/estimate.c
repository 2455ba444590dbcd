/*
 * estimate.c: how long a planned run would take, from an earlier run of the
 * same scenario in the results folder (bench run --dry-run): each variant's
 * median cold and warm build times there, times the planned builds.
 */
#include "results/estimate.h"
#include "results/results.h"
#include "results/stats.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Is folder entry `entry` one results_create would name for scenario
 * `name`: "<name>-<stamp>" or "<name>-<label>-<stamp>"? */
static bool named_after(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(entry, name, n) && entry[n] == '-';
}

char *estimate_find_run(bool *same_digest, const char *base, const char *name, const char *digest)
{
	char *best = NULL, *best_started = NULL;
	bool best_same = false;
	struct dirent *e;
	DIR *d = opendir(base);

	*same_digest = false;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char *dir, *missing = NULL;
		json_t *run = NULL, *sc;
		bool same;

		if (!named_after(e->d_name, name))
			continue;
		dir = path_join(base, e->d_name);
		if (results_load(&run, &missing, dir) < 0 || !json_array_size(json_object_get(run, "builds"))) {
			bench_error_clear();
			goto next;
		}
		sc = json_object_get(run, "scenario");
		if (strcmp(json_str(sc, "name"), name))
			goto next;
		same = digest && !strcmp(json_str(sc, "digest"), digest);
		/* the same file first, then the newest */
		if (!best || (same && !best_same) ||
		    (same == best_same && strcmp(json_str(run, "started"), best_started) > 0)) {
			free(best);
			free(best_started);
			best = dir;
			best_started = xstrdup(json_str(run, "started"));
			best_same = same;
			dir = NULL;
		}
	next:
		json_decref(run);
		free(missing);
		free(dir);
	}
	closedir(d);
	free(best_started);
	*same_digest = best_same;
	return best;
}

/* The median wall seconds of run's ok builds of variant (NULL: any) in
 * phase; NAN when there is none. */
static double median_of(json_t *run, const char *variant, const char *phase)
{
	json_t *b;
	double *v = NULL, m;
	size_t i, n = 0;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		double t = json_num(b, "wall_seconds", NAN);
		if (strcmp(json_str(b, "status"), "ok") || !isfinite(t) || strcmp(json_str(b, "phase"), phase) ||
		    (variant && strcmp(json_str(b, "variant"), variant)))
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = t;
	}
	m = n ? stats_median(v, n) : NAN;
	free(v);
	return m;
}

double estimate_seconds(json_t *run, const char *const *variants, size_t nvariants, size_t ncold, size_t nwarm)
{
	double any_cold = median_of(run, NULL, "cold"), any_warm = median_of(run, NULL, "warm"), total = 0;
	size_t i;

	if (isnan(any_warm))
		any_warm = any_cold;
	for (i = 0; i < nvariants; i++) {
		double cold = median_of(run, variants[i], "cold"), warm = median_of(run, variants[i], "warm");
		/* a variant the earlier run lacks: the medians of all its builds */
		total += ncold * (isnan(cold) ? any_cold : cold) + (nwarm ? nwarm * (isnan(warm) ? any_warm : warm) : 0);
	}
	return total;
}
