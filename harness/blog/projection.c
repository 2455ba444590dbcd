/*
 * projection.c: a cafeboo build's time at scale 1 from two scales, step
 * group by step group (see projection.h for the model).
 */
#include "blog/projection.h"

#include <math.h>
#include <string.h>

#include "lib/error.h"
#include "lib/jsonx.h"

enum group_kind { FIXED, LINEAR, PARALLEL };

/* How each of plot_step_groups grows with the scale. */
static enum group_kind kind_of(const char *group)
{
	static const char *const linear[] = {"deps", "models", "export", "cache", "restore/save", NULL};
	size_t i;
	if (!strcmp(group, "push"))
		return PARALLEL;
	for (i = 0; linear[i]; i++)
		if (!strcmp(group, linear[i]))
			return LINEAR;
	return FIXED;
}

double projection_run_scale(json_t *run)
{
	double s = json_num(json_object_get(json_object_get(run, "scenario"), "world"), "scale", 1);
	return s > 0 ? s : 1;
}

/* One group's seconds at scale 1 from t at scale s and t0 at s0 (t0 < 0:
 * no calibration). */
static double project_group(enum group_kind kind, double t, double s, double t0, double s0, bool grew)
{
	if (kind == FIXED || s >= 1)
		return t;
	if (kind == PARALLEL)
		return t0 < 0 || grew ? t / s : t;
	if (t0 < 0)
		return t / s;
	if (t <= t0 || !(s > s0))
		return t;
	return t + (1 - s) * (t - t0) / (s - s0);
}

void projection_build(struct projected_build *out, json_t *b, double scale, json_t *c, double calib_scale)
{
	double g[PLOT_NGROUPS], g0[PLOT_NGROUPS], sum = 0;
	bool grew = json_num(b, "registry_sent_bytes", 0) > json_num(c, "registry_sent_bytes", 0);
	int i;

	plot_build_groups(g, b);
	if (c)
		plot_build_groups(g0, c);
	out->seconds = 0;
	for (i = 0; i < PLOT_NGROUPS; i++) {
		out->groups[i] = project_group(kind_of(plot_step_groups[i]), g[i], scale, c ? g0[i] : -1,
					       calib_scale, grew);
		out->seconds += out->groups[i];
		sum += g[i];
	}
	/* what the groups do not cover is kept as measured */
	if (json_num(b, "wall_seconds", 0) > sum)
		out->seconds += json_num(b, "wall_seconds", 0) - sum;
}

bool projection_deps_rebuilt(json_t *b)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(b, "steps"), i, s)
		if (!json_is_true(json_object_get(s, "cached")) && !strcmp(step_group(json_str(s, "name")), "deps"))
			return true;
	return false;
}

/* The first ok build of `variant` in run in b's phase and of b's kind
 * (dependencies rebuilt or not), at b's commit when same_commit. */
static json_t *find_build(json_t *run, const char *variant, json_t *b, bool same_commit)
{
	json_t *x;
	size_t i;
	json_array_foreach(json_object_get(run, "builds"), i, x) {
		if (strcmp(json_str(x, "variant"), variant) || strcmp(json_str(x, "phase"), json_str(b, "phase")) ||
		    strcmp(json_str(x, "status"), "ok"))
			continue;
		if (projection_deps_rebuilt(x) == projection_deps_rebuilt(b) &&
		    (!same_commit || !strcmp(json_str(x, "commit"), json_str(b, "commit"))))
			return x;
	}
	return NULL;
}

json_t *projection_counterpart(json_t *calib, json_t *b, const char *fallback_variant)
{
	const char *variants[] = {json_str(b, "variant"), fallback_variant};
	json_t *c;
	size_t v;
	int same;

	if (!calib)
		return NULL;
	for (v = 0; v < 2; v++)
		for (same = 1; same >= 0 && variants[v]; same--)
			if ((c = find_build(calib, variants[v], b, same)))
				return c;
	return NULL;
}

int projection_check_commits(json_t *run, json_t *calib)
{
	json_t *c, *b;
	size_t i, j;
	json_array_foreach(json_object_get(calib, "builds"), i, c) {
		bool found = false;
		json_array_foreach(json_object_get(run, "builds"), j, b)
			if (!strcmp(json_str(b, "commit"), json_str(c, "commit")))
				found = true;
		if (!found)
			return bench_error_set(BENCH_EINVALID, "the calibration run built commit %.7s, which the run did "
					       "not: a line through them would mix the change of scale with the change "
					       "of commits; calibrate with the run's own commits (--commits)",
					       json_str(c, "commit"));
	}
	return 0;
}
