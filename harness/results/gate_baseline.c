/*
 * gate_baseline.c: the figures of each variant of a run (times with their
 * samples, warm/cold, cached steps, image and cache sizes, ratios to the
 * other variants) and the baseline files made of them (see gate.h).
 */
#include "results/gate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "results/comparable.h"
#include "results/results.h"
#include "results/stats.h"
#include "lib/jsonx.h"

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *samples_json(const double *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/*
 * One entry per series (repetition) of a variant: {"repetition", "cold_seconds",
 * "warm_median_seconds", "warm_over_cold"}, the last null unless the series
 * has an ok cold build and an ok warm one. `colds` and `warms` map a
 * repetition ("1") to the array of its ok wall seconds.
 */
static json_t *series_json(json_t *reps, json_t *colds, json_t *warms)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(reps, i, r) {
		const char *key = json_string_value(r);
		json_t *c = json_object_get(colds, key), *w = json_object_get(warms, key), *v;
		double *wv = xcalloc(json_array_size(w) + 1, sizeof(double)), cold, warm;
		size_t k, nw = 0;

		json_array_foreach(w, k, v)
			wv[nw++] = json_number_value(v);
		cold = json_array_size(c) ? json_number_value(json_array_get(c, 0)) : NAN;
		warm = nw ? stats_median(wv, nw) : NAN;
		json_array_append_new(out, json_pack("{s:I, s:o, s:o, s:o}", "repetition",
			(json_int_t)strtoll(key, NULL, 10), "cold_seconds", real_or_null(cold),
			"warm_median_seconds", real_or_null(warm), "warm_over_cold",
			real_or_null(cold > 0 && nw ? warm / cold : NAN)));
		free(wv);
	}
	return out;
}

/* Append v to the array at obj[key], made when missing. */
static void push_at(json_t *obj, const char *key, json_t *v)
{
	json_t *a = json_object_get(obj, key);

	if (!a) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	json_array_append_new(a, v);
}

/* The [variant] of the run's scenario named `variant`, or NULL. */
static json_t *scenario_variant(json_t *scenario, const char *variant)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(scenario, "variants"), i, v)
		if (!strcmp(json_str(v, "name"), variant))
			return v;
	return NULL;
}

/*
 * The figures of one variant of builds (the shape of a baseline's variant).
 * Times, cached steps and image sizes count "ok" builds only; the cache size
 * is the largest cache folder of each series (variant x repetition, all its
 * builds), the median over the series. "caching" is false for a variant that
 * keeps no cache at all (cache = none on an ephemeral runner), whose warm
 * builds are cold builds; null when the scenario does not say.
 */
static json_t *variant_figures(json_t *builds, json_t *scenario, const char *variant)
{
	size_t n = json_array_size(builds), i, ncold = 0, nwarm = 0, nimage = 0, nseries = 0;
	size_t count = 0, ok = 0;
	double *cold = xcalloc(n + 1, sizeof(double)), *warm = xcalloc(n + 1, sizeof(double));
	double *image = xcalloc(n + 1, sizeof(double)), *cache = xcalloc(n + 1, sizeof(double));
	double steps_cached = 0, steps_total = 0, cold_med, warm_med;
	json_t *series = json_object(), *reps = json_array(), *colds = json_object();
	json_t *warms = json_object(), *warm_builds = json_array(), *b, *v, *out;
	json_t *sv = scenario_variant(scenario, variant);
	const char *key;

	json_array_foreach(builds, i, b) {
		double wall = json_num(b, "wall_seconds", NAN), bytes = json_num(b, "cache_bytes", NAN);
		double r = json_num(b, "repetition", NAN);
		char rep[32];
		if (strcmp(json_str(b, "variant"), variant))
			continue;
		count++;
		snprintf(rep, sizeof(rep), "%.0f", isfinite(r) && fabs(r) < 1e15 ? r : 1);
		v = json_object_get(series, rep);
		if (!v)
			json_array_append_new(reps, json_string(rep));
		if (!isfinite(bytes))
			bytes = 0;
		if (!v || bytes > json_real_value(v))
			json_object_set_new(series, rep, json_real(bytes));
		if (strcmp(json_str(b, "status"), "ok"))
			continue;
		ok++;
		if (json_num(b, "image_bytes", NAN) > 0)
			image[nimage++] = json_num(b, "image_bytes", NAN);
		if (!isfinite(wall))
			continue;
		if (!strcmp(json_str(b, "phase"), "cold")) {
			cold[ncold++] = wall;
			push_at(colds, rep, json_real(wall));
		} else if (!strcmp(json_str(b, "phase"), "warm")) {
			warm[nwarm++] = wall;
			push_at(warms, rep, json_real(wall));
			json_array_append_new(warm_builds, json_pack("{s:I, s:s, s:f}", "repetition",
				(json_int_t)strtoll(rep, NULL, 10), "commit", json_str(b, "commit"),
				"seconds", wall));
			if (isfinite(json_num(b, "steps_cached", NAN)))
				steps_cached += json_num(b, "steps_cached", NAN);
			if (isfinite(json_num(b, "steps_total", NAN)))
				steps_total += json_num(b, "steps_total", NAN);
		}
	}
	json_object_foreach(series, key, v)
		cache[nseries++] = json_real_value(v);
	cold_med = ncold ? stats_median(cold, ncold) : NAN;
	warm_med = nwarm ? stats_median(warm, nwarm) : NAN;

	out = json_object();
	json_object_set_new(out, "builds", json_integer((json_int_t)count));
	json_object_set_new(out, "ok", json_integer((json_int_t)ok));
	json_object_set_new(out, "cache", json_is_string(json_object_get(sv, "cache")) ?
			    json_string(json_str(sv, "cache")) : json_null());
	json_object_set_new(out, "runner", json_is_string(json_object_get(sv, "runner")) ?
			    json_string(json_str(sv, "runner")) : json_null());
	json_object_set_new(out, "caching", !sv ? json_null() :
			    json_boolean(strcmp(json_str(sv, "cache"), "none") ||
					 strcmp(json_str(sv, "runner"), "ephemeral")));
	json_object_set_new(out, "cold", results_stats_json(cold, ncold));
	json_object_set_new(out, "warm", results_stats_json(warm, nwarm));
	json_object_set_new(out, "cold_samples", samples_json(cold, ncold));
	json_object_set_new(out, "warm_samples", samples_json(warm, nwarm));
	json_object_set_new(out, "series", series_json(reps, colds, warms));
	json_object_set_new(out, "warm_builds", warm_builds);
	json_object_set_new(out, "warm_over_cold",
			    real_or_null(cold_med > 0 ? warm_med / cold_med : NAN));
	json_object_set_new(out, "cached_steps_warm",
			    real_or_null(nwarm ? steps_cached / (double)nwarm : NAN));
	json_object_set_new(out, "cached_step_ratio",
			    real_or_null(steps_total > 0 ? steps_cached / steps_total : NAN));
	json_object_set_new(out, "image_bytes",
			    real_or_null(nimage ? stats_median(image, nimage) : NAN));
	json_object_set_new(out, "cache_bytes",
			    real_or_null(nseries ? stats_median(cache, nseries) : NAN));
	json_object_set_new(out, "relative", json_object());
	json_decref(series);
	json_decref(reps);
	json_decref(colds);
	json_decref(warms);
	free(cold);
	free(warm);
	free(image);
	free(cache);
	return out;
}

static double warm_median(json_t *fig)
{
	json_t *warm = json_object_get(fig, "warm");
	return json_num(warm, "n", NAN) > 0 ? json_num(warm, "median", NAN) : NAN;
}

/* {NAME: figures} for every variant of builds, in the order they first
 * appear, with "relative" filled in: each variant's warm median over every
 * other variant's. */
json_t *gate_run_figures(json_t *builds, json_t *scenario)
{
	json_t *out = json_object(), *b, *fig, *other;
	const char *name, *oname;
	size_t i;

	json_array_foreach(builds, i, b) {
		const char *variant = json_str(b, "variant");
		if (!json_object_get(out, variant))
			json_object_set_new(out, variant, variant_figures(builds, scenario, variant));
	}
	json_object_foreach(out, name, fig) {
		json_object_foreach(out, oname, other) {
			double mine = warm_median(fig), theirs = warm_median(other);
			if (strcmp(name, oname) && mine > 0 && theirs > 0)
				json_object_set_new(json_object_get(fig, "relative"), oname,
						    json_real(mine / theirs));
		}
	}
	return out;
}

/* The distinct commits of builds in the order they first appear. */
json_t *gate_commit_list(json_t *builds)
{
	json_t *out = json_distinct_strs(builds, "commit"), *c;
	size_t i;

	json_array_foreach(out, i, c)
		if (!*json_string_value(c)) {
			json_array_remove(out, i); /* builds without a commit */
			break;
		}
	return out;
}

/* ---- baselines ---- */

int gate_baseline_from_run(json_t **out, json_t *run, const char *source)
{
	static const char *const machine_keys[] = {"hostname", "cpus", "memory_bytes",
						   "docker_server", "buildx"};
	json_t *builds = json_object_get(run, "builds"), *env = json_object_get(run, "environment");
	json_t *machine, *base, *name = json_object_get(json_object_get(run, "scenario"), "name");
	char created[32];
	size_t i;

	*out = NULL;
	if (!json_array_size(builds))
		return bench_error_set(BENCH_EINVALID, "results '%s' have no builds to make a baseline of",
				       source);
	machine = json_object();
	for (i = 0; i < sizeof(machine_keys) / sizeof(machine_keys[0]); i++) {
		json_t *v = json_object_get(env, machine_keys[i]);
		json_object_set_new(machine, machine_keys[i], v ? json_incref(v) : json_null());
	}
	json_object_set_new(machine, "engines", results_engines(run));
	utc_iso8601(created, sizeof(created));
	base = json_object();
	json_object_set_new(base, "bench_baseline", json_integer(GATE_BASELINE_VERSION));
	json_object_set_new(base, "created", json_string(created));
	json_object_set_new(base, "source", json_string(source));
	json_object_set_new(base, "scenario", json_is_string(name) ? json_incref(name) : json_null());
	json_object_set_new(base, "commits", gate_commit_list(builds));
	json_object_set_new(base, "machine", machine);
	/* what a run must share with it to be gated (comparable.h) */
	json_object_set_new(base, "comparable", comparable_facts(run));
	json_object_set_new(base, "variants",
			    gate_run_figures(builds, json_object_get(run, "scenario")));
	*out = base;
	return 0;
}

/* The last component of a path, without trailing slashes. Caller frees. */
static char *base_name(const char *path)
{
	size_t len = strlen(path);
	const char *start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (start = path + len; start > path && start[-1] != '/'; start--)
		;
	return xstrndup(start, (size_t)(path + len - start));
}

int gate_baseline_create(json_t **out, char **missing, const char *results_dir)
{
	json_t *run = NULL;
	char *source = base_name(results_dir);
	int error;

	*out = NULL;
	if ((error = results_load(&run, missing, results_dir)))
		goto done;
	error = gate_baseline_from_run(out, run, source);
done:
	json_decref(run);
	free(source);
	return error;
}

int gate_baseline_save(const char *path, json_t *baseline)
{
	char *text = json_dumps(baseline, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	struct strbuf sb = {0};
	int error;

	if (!text)
		return bench_error_set(BENCH_ERROR, "cannot encode the baseline for '%s'", path);
	strbuf_puts(&sb, text);
	strbuf_puts(&sb, "\n");
	error = write_file_atomic(path, sb.buf, sb.len);
	strbuf_release(&sb);
	free(text);
	return error;
}

int gate_baseline_load(json_t **out, const char *path)
{
	json_t *base = NULL, *version;
	json_error_t jerr;
	char *text = NULL;
	size_t len = 0;
	int error, saved;

	*out = NULL;
	if ((error = read_file(&text, &len, path))) {
		saved = errno;
		error = bench_error_set(error, "cannot read baseline '%s': %s", path, strerror(saved));
		goto done;
	}
	base = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!base) {
		error = bench_error_set(BENCH_EINVALID, "baseline '%s' is not a bench baseline "
					"(not valid JSON: line %d: %s)", path, jerr.line, jerr.text);
		goto done;
	}
	version = json_object_get(base, "bench_baseline");
	if (!json_is_object(base) || !version) {
		error = bench_error_set(BENCH_EINVALID, "baseline '%s' is not a bench baseline "
					"(missing 'bench_baseline')", path);
		goto done;
	}
	if (!json_is_integer(version) || json_integer_value(version) < 1 ||
	    json_integer_value(version) > GATE_BASELINE_VERSION) {
		error = bench_error_set(BENCH_EINVALID, "baseline '%s' has format version %lld; this "
					"bench reads versions 1 to %d (record it again with bench "
					"baseline)", path, (long long)json_number_value(version),
					GATE_BASELINE_VERSION);
		goto done;
	}
	if (!json_is_object(json_object_get(base, "variants"))) {
		error = bench_error_set(BENCH_EINVALID, "baseline '%s' is not a bench baseline "
					"('variants' is missing or not an object)", path);
		goto done;
	}
	*out = base;
	base = NULL;
done:
	json_decref(base);
	free(text);
	return error;
}
