/*
 * blogreport.c: the cafeboo reproduction's report (see blogreport.h): the
 * blog's figures beside the measured and projected ones, the targets, and
 * where the warm time of the cached variants goes.
 */
#include "blog/blogreport.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "pages/plot.h"
#include "blog/floor.h"
#include "blog/projection.h"
#include "results/contention.h"
#include "results/stats.h"
#include "lib/util.h"
#include "lib/jsonx.h"

/* The ok builds of a variant in one phase ("cold", "warm"). */
static size_t variant_builds(json_t **out, size_t max, json_t *run, const char *variant, const char *phase)
{
	json_t *b;
	size_t i, n = 0;
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		if (strcmp(json_str(b, "variant"), variant) || strcmp(json_str(b, "status"), "ok") ||
		    (phase && strcmp(json_str(b, "phase"), phase)))
			continue;
		if (n < max)
			out[n] = b;
		n++;
	}
	return n < max ? n : max;
}

/* The run being evaluated and its calibration run (may be NULL). */
struct calibration {
	json_t *run;
	double scale, calib_scale;
};

/* Median measured seconds and median projected seconds of a set of builds,
 * each projected with its calibration counterpart (see projection.h). */
static void median_times(double *measured, double *projected, size_t *calibrated, json_t **b, size_t n,
			 const struct calibration *cal, const char *fallback)
{
	double *m = xcalloc(n + 1, sizeof(double)), *p = xcalloc(n + 1, sizeof(double));
	size_t i;
	*calibrated = 0;
	for (i = 0; i < n; i++) {
		struct projected_build pb;
		json_t *c = projection_counterpart(cal->run, b[i], fallback);
		if (!c)
			c = projection_counterpart(cal->run, b[i], BLOG_MULTI_CACHED);
		projection_build(&pb, b[i], cal->scale, c, cal->calib_scale);
		m[i] = json_number_value(json_object_get(b[i], "wall_seconds"));
		p[i] = pb.seconds;
		if (c)
			(*calibrated)++;
	}
	*measured = n ? stats_median(m, n) : NAN;
	*projected = n ? stats_median(p, n) : NAN;
	free(m);
	free(p);
}

#define MAXB 512

struct phase_times {
	double measured, projected;
	size_t n, calibrated;
	bool checked; /* a variant whose projection was checked at scale 1 */
	bool full;    /* the run is at scale 1: nothing projected */
};

/* The calibrated variant whose builds stand in for a variant the calibration
 * run lacks: the no-cache one for a variant without a cache (the same
 * workflow: stored, then pushed), else the cached one. */
static const char *counterpart_variant(json_t *run, const char *variant)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(run, "scenario"), "variants"), i, v)
		if (!strcmp(json_str(v, "name"), variant) && !strcmp(json_str(v, "cache"), "none"))
			return BLOG_MULTI_NOCACHE;
	return BLOG_MULTI_CACHED;
}

static struct phase_times times_of(json_t *run, const char *variant, const char *phase, const struct calibration *cal)
{
	json_t *b[MAXB];
	struct phase_times t;
	t.n = variant_builds(b, MAXB, run, variant, phase);
	median_times(&t.measured, &t.projected, &t.calibrated, b, t.n, cal, counterpart_variant(run, variant));
	t.checked = !strcmp(variant, BLOG_MULTI_CACHED) || !strcmp(variant, BLOG_MULTI_NOCACHE);
	t.full = cal->scale >= 1;
	return t;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* One of the blog's own figures, in seconds, and how the scenario's rates
 * relate to it: "fitted" (the rates were chosen to reach it), "predicted"
 * (the rates were not chosen for it: its error is the model's), or NULL for
 * a row the blog has no figure for. upper: the blog says "under". job: the
 * figure times the whole job, not the Build & Push step (blogreport.h). */
struct blog_figure {
	double seconds;
	bool upper;
	bool job;
	const char *role;
};

static const struct blog_figure no_figure = {NAN, false, false, NULL};

/* The error of a projected time against the blog's figure: projected / blog
 * - 1, and whether it is within BLOG_TOLERANCE (for an "under" figure:
 * no more than the figure plus the tolerance). */
static double blog_error(bool *within, double projected, struct blog_figure fig)
{
	double err = projected / fig.seconds - 1;

	*within = isfinite(err) && (fig.upper ? err <= BLOG_TOLERANCE : fabs(err) <= BLOG_TOLERANCE);
	return err;
}

static void add_row(json_t *rows, const char *name, const char *blog, struct blog_figure fig, struct phase_times t)
{
	const char *check = !t.n ? "" : t.full ? "measured at scale 1"
			  : !t.calibrated ? "uncalibrated (an upper bound)"
			  : t.checked ? "checked at scale 1" : "not checked at scale 1";
	json_t *row = json_pack("{s:s, s:s, s:o, s:o, s:i, s:i, s:b, s:s}", "case", name, "blog", blog,
				"measured_seconds", num_or_null(t.measured),
				"projected_seconds", num_or_null(t.projected), "builds", (int)t.n,
				"calibrated_builds", (int)t.calibrated, "checked", t.n && t.checked,
				"projection_check", check);
	json_object_set_new(row, "projected_job_seconds", num_or_null(t.projected + BLOG_OTHER_STEPS_SECONDS));
	if (fig.role) {
		bool within;
		double err = blog_error(&within, t.projected + (fig.job ? BLOG_OTHER_STEPS_SECONDS : 0), fig);
		json_object_set_new(row, "blog_seconds", json_real(fig.seconds));
		json_object_set_new(row, "blog_measure", json_string(fig.job ? "job" : "step"));
		json_object_set_new(row, "blog_bound", json_string(fig.upper ? "under" : "about"));
		json_object_set_new(row, "blog_role", json_string(fig.role));
		json_object_set_new(row, "blog_error", num_or_null(err));
		json_object_set_new(row, "blog_within", json_boolean(within));
	}
	json_array_append_new(rows, row);
}

static void add_target(json_t *targets, const char *name, double value, const char *op, double limit,
		       const char *note)
{
	bool held = isfinite(value) && (!strcmp(op, "<=") ? value <= limit : value >= limit);
	json_array_append_new(targets, json_pack("{s:s, s:o, s:s, s:f, s:b, s:s}", "target", name,
						 "value", num_or_null(value), "op", op, "limit", limit,
						 "held", held, "note", note ? note : ""));
}

/* Requirement-changing commits: is the pip install step of the multi-stage
 * cached variant rebuilt on each of them and on no other warm commit? A warm
 * build follows the build before it in its series, which is not the commit's
 * parent when the list skips commits: its changes since that commit
 * ("changed_since_previous"; runs recorded before it have only "changed",
 * the changes since the parent). */
static void deps_rebuild_target(json_t *targets, json_t *run)
{
	json_t *b, *s;
	size_t i, j, wrong = 0, checked = 0;
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		bool reqs = false, rebuilt = false, found = false;
		json_t *c;
		if (strcmp(json_str(b, "variant"), BLOG_MULTI_CACHED) || strcmp(json_str(b, "status"), "ok") ||
		    strcmp(json_str(b, "phase"), "warm"))
			continue;
		json_array_foreach(json_object_get(b, json_object_get(b, "changed_since_previous") ? "changed_since_previous"
											    : "changed"), j, c)
			if (strstr(json_string_value(c), "requirements.txt"))
				reqs = true;
		json_array_foreach(json_object_get(b, "steps"), j, s) {
			const char *name = json_str(s, "name");
			if (strstr(name, "RUN pip install") && strstr(name, "requirements")) {
				found = true;
				rebuilt = !json_is_true(json_object_get(s, "cached"));
			}
		}
		if (!found)
			continue;
		checked++;
		if (reqs != rebuilt)
			wrong++;
	}
	json_array_append_new(targets, json_pack("{s:s, s:o, s:s, s:i, s:b, s:s}",
		"target", "multi-stage cached: deps step rebuilt exactly on requirement-changing commits",
		"value", checked ? json_integer((json_int_t)wrong) : json_null(), "op", "<=", "limit", 0,
		"held", checked > 0 && wrong == 0,
		"note", checked ? "count of warm commits where rebuild != requirements changed" : "no warm builds"));
}

/* Average seconds per step group over the ok warm builds of a variant. */
static json_t *warm_breakdown(json_t *run, const char *variant)
{
	json_t *b[MAXB], *o = json_object();
	double sum[PLOT_NGROUPS] = {0};
	size_t n = variant_builds(b, MAXB, run, variant, "warm"), i, g;
	for (i = 0; i < n; i++) {
		double groups[PLOT_NGROUPS];
		plot_build_groups(groups, b[i]);
		for (g = 0; g < PLOT_NGROUPS; g++)
			sum[g] += groups[g];
	}
	for (g = 0; n && g < PLOT_NGROUPS; g++)
		json_object_set_new(o, plot_step_groups[g], json_real(sum[g] / (double)n));
	return o;
}

/* The blog's figures, projected to scale 1: one target per row that carries
 * a blog figure, on the size of its error (for an "under" figure, on how far
 * above it the projection is). */
static void blog_figure_targets(json_t *targets, json_t *rows)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *err = json_object_get(row, "blog_error");
		double e = json_is_number(err) ? json_number_value(err) : NAN;
		bool upper;
		char *name;

		if (!json_object_get(row, "blog_role"))
			continue;
		upper = !strcmp(json_str(row, "blog_bound"), "under");
		name = xasprintf("blog, %s (%s): %s to %s %.0f s %s", json_str(row, "case"), json_str(row, "blog_role"),
				 upper ? "error above" : "|error|", json_str(row, "blog_bound"),
				 json_number_value(json_object_get(row, "blog_seconds")), json_str(row, "blog_measure"));
		add_target(targets, name, upper ? (e > 0 ? e : 0 * e) : fabs(e), "<=", BLOG_TOLERANCE,
			   "projected to scale 1 against the blog's figure");
		free(name);
	}
}

/* The CPU contention run's ok builds were measured under (contention.h):
 * {median, max, builds}, or null when no build has a reading. */
static json_t *contention_json(json_t *run)
{
	struct contention c;

	contention_of(&c, json_object_get(run, "builds"), NULL);
	if (!c.n)
		return json_null();
	return json_pack("{s:f, s:f, s:i}", "median", c.median, "max", c.max, "builds", (int)c.n);
}

/* The contention lines of ev's "cpu_contention" and, when there was one,
 * "calibration_cpu_contention": the figures, and the warning when high. */
static void print_contention(FILE *f, json_t *ev)
{
	static const char *const keys[] = {"cpu_contention", "calibration_cpu_contention"};
	static const char *const whose[] = {"this run's builds", "the calibration run's builds"};
	size_t k;

	for (k = 0; k < 2; k++) {
		json_t *o = json_object_get(ev, keys[k]);
		struct contention c = {0};
		if (!json_is_object(o))
			continue;
		c.n = (size_t)json_integer_value(json_object_get(o, "builds"));
		c.median = json_number_value(json_object_get(o, "median"));
		c.max = json_number_value(json_object_get(o, "max"));
		fprintf(f, "cpu contention, %s: some task waited for a CPU during %.0f%% of a build's time "
			"(median of %zu, up to %.0f%%)\n", whose[k], 100 * c.median, c.n, 100 * c.max);
		contention_warning(f, &c, whose[k], "");
	}
}

json_t *blogreport_evaluate(json_t *run, json_t *calib)
{
	json_t *ev = json_object(), *rows = json_array(), *targets = json_array(), *bd = json_object();
	struct calibration cal = {calib, projection_run_scale(run), calib ? projection_run_scale(calib) : 0};
	struct phase_times sn, mn, mcc, mcw, oc, ow, scc, scw;

	sn = times_of(run, BLOG_SINGLE_NOCACHE, NULL, &cal);
	mn = times_of(run, BLOG_MULTI_NOCACHE, NULL, &cal);
	mcc = times_of(run, BLOG_MULTI_CACHED, "cold", &cal);
	mcw = times_of(run, BLOG_MULTI_CACHED, "warm", &cal);
	scc = times_of(run, BLOG_SINGLE_CACHED, "cold", &cal);
	scw = times_of(run, BLOG_SINGLE_CACHED, "warm", &cal);
	oc = times_of(run, BLOG_OPTIMIZED, "cold", &cal);
	ow = times_of(run, BLOG_OPTIMIZED, "warm", &cal);

	/* the scenario's rates are fitted to the multi-stage no-cache Build &
	 * Push step only (docs/cafeboo.md); the cached figures are predictions */
	const struct blog_figure fitted = {BLOG_FIT_SECONDS, false, false, "fitted"};
	const struct blog_figure first = {BLOG_FIRST_CACHED_SECONDS, false, true, "predicted"};
	const struct blog_figure later = {BLOG_LATER_CACHED_SECONDS, true, true, "predicted"};

	add_row(rows, "single-stage, no cache (every build)", "8-12 min deploy", no_figure, sn);
	add_row(rows, "multi-stage, no cache (every build)", "6m33s build & push (7m29s job)", fitted, mn);
	add_row(rows, "multi-stage + local cache, first build", "about 8 min job", first, mcc);
	add_row(rows, "multi-stage + local cache, later builds", "under 4 min job", later, mcw);
	add_row(rows, "single-stage + local cache, first build", "-", no_figure, scc);
	add_row(rows, "single-stage + local cache, later builds", "-", no_figure, scw);
	add_row(rows, "optimized, first build", "-", no_figure, oc);
	add_row(rows, "optimized, later builds", "-", no_figure, ow);

	add_target(targets, "multi-stage no cache / single-stage no cache (medians)", mn.measured / sn.measured,
		   ">=", 0.8, "stages alone neither help nor hurt much");
	add_target(targets, "multi-stage no cache / single-stage no cache (medians)", mn.measured / sn.measured,
		   "<=", 1.2, NULL);
	add_target(targets, "multi-stage cached: warm median / cold", mcw.measured / mcc.measured, "<=", 0.55, NULL);
	add_target(targets, "optimized: warm median / cold", ow.measured / oc.measured, "<=", 0.25, NULL);
	add_target(targets, "optimized warm median / multi-stage cached warm median", ow.measured / mcw.measured,
		   "<=", 0.5, "beyond the blog");
	deps_rebuild_target(targets, run);
	blog_figure_targets(targets, rows);

	json_object_set_new(bd, BLOG_MULTI_CACHED, warm_breakdown(run, BLOG_MULTI_CACHED));
	json_object_set_new(bd, BLOG_SINGLE_CACHED, warm_breakdown(run, BLOG_SINGLE_CACHED));
	json_object_set_new(bd, BLOG_OPTIMIZED, warm_breakdown(run, BLOG_OPTIMIZED));

	{
		/* single-stage + cache: COPY . . sits before the model download, so
		 * every warm build fetches the models again */
		json_t *b[MAXB], *o = json_object();
		size_t n = variant_builds(b, MAXB, run, BLOG_SINGLE_CACHED, "warm"), i;
		double served = 0, models = 0, wall = 0;
		for (i = 0; i < n; i++) {
			double groups[PLOT_NGROUPS];
			size_t g;
			plot_build_groups(groups, b[i]);
			for (g = 0; g < PLOT_NGROUPS; g++)
				if (!strcmp(plot_step_groups[g], "models"))
					models += groups[g];
			served += json_number_value(json_object_get(b[i], "served_bytes"));
			wall += json_number_value(json_object_get(b[i], "wall_seconds"));
		}
		if (n) {
			json_object_set_new(o, "warm_builds", json_integer((json_int_t)n));
			json_object_set_new(o, "served_bytes_per_warm_build", json_real(served / (double)n));
			json_object_set_new(o, "model_download_seconds_per_warm_build", json_real(models / (double)n));
			json_object_set_new(o, "wall_seconds_per_warm_build", json_real(wall / (double)n));
		}
		json_object_set_new(ev, "single_stage_cached_refetch", o);
	}
	json_object_set_new(ev, "scale", json_real(cal.scale));
	json_object_set_new(ev, "rows", rows);
	json_object_set_new(ev, "targets", targets);
	json_object_set_new(ev, "warm_breakdown", bd);
	json_object_set_new(ev, "bytes_vs_floor", floor_evaluate(run));
	if (calib)
		json_object_set_new(ev, "calibration_scale", json_real(cal.calib_scale));
	json_object_set_new(ev, "projection", json_string(cal.scale >= 1 ? BLOG_PROJECTION_NONE
							  : calib ? BLOG_PROJECTION_MODEL : BLOG_PROJECTION_UPPER));
	json_object_set_new(ev, "projection_error", json_string(BLOG_PROJECTION_CHECKED));
	json_object_set_new(ev, "cpu_contention", contention_json(run));
	if (calib)
		json_object_set_new(ev, "calibration_cpu_contention", contention_json(calib));
	return ev;
}

static void print_minutes(FILE *f, json_t *v)
{
	if (json_is_number(v)) {
		double s = json_number_value(v);
		fprintf(f, " %6.1fs (%2dm%02ds)", s, (int)(s / 60), (int)fmod(s, 60));
	} else {
		fprintf(f, " %18s", "-");
	}
}

void blogreport_print(FILE *f, json_t *ev)
{
	json_t *row, *t, *bd = json_object_get(ev, "warm_breakdown"), *groups;
	const char *variant;
	size_t i;

	fprintf(f, "\nthe blog next to this run (scale %.3g), and the builds projected to scale 1\n",
		json_number_value(json_object_get(ev, "scale")));
	fprintf(f, "%-44s %-32s %18s %18s %18s  %-15s  %s\n", "case", "blog", "measured", "projected @1",
		"job @1", "vs the blog", "projection");
	json_array_foreach(json_object_get(ev, "rows"), i, row) {
		if (!json_integer_value(json_object_get(row, "builds")))
			continue; /* a variant this run does not have */
		fprintf(f, "%-44s %-32s", json_str(row, "case"), json_str(row, "blog"));
		print_minutes(f, json_object_get(row, "measured_seconds"));
		print_minutes(f, json_object_get(row, "projected_seconds"));
		print_minutes(f, json_object_get(row, "projected_job_seconds"));
		if (json_is_number(json_object_get(row, "blog_error")))
			fprintf(f, "  %-9s %+4.0f%%", json_str(row, "blog_role"),
				100 * json_number_value(json_object_get(row, "blog_error")));
		else
			fprintf(f, "  %-15s", "");
		fprintf(f, "  %s\n", json_str(row, "projection_check"));
	}
	fprintf(f, "job @1: the projection plus the job's other steps (checkout, log-in, deploy), %.0f s as "
		"the blog timed them (7m29s - 6m33s); \"about 8 min\" and \"under 4 min\" time the job\n",
		BLOG_OTHER_STEPS_SECONDS);
	fprintf(f, "projection: %s\n", json_str(ev, "projection"));
	fprintf(f, "checked: %s\n", json_str(ev, "projection_error"));
	print_contention(f, ev);
	fprintf(f, "\ntargets (measured in this run, as ratios)\n");
	json_array_foreach(json_object_get(ev, "targets"), i, t) {
		json_t *v = json_object_get(t, "value");
		/* a target whose variants did not run (a scenario with other
		 * variants) says nothing: not "missed" */
		fprintf(f, "  %-5s %-72s ", !json_is_number(v) ? "n/a" :
			json_is_true(json_object_get(t, "held")) ? "held" : "MISSED", json_str(t, "target"));
		if (json_is_number(v))
			fprintf(f, "%.2f %s %.2f\n", json_number_value(v), json_str(t, "op"),
				json_number_value(json_object_get(t, "limit")));
		else
			fprintf(f, "- (its variants are not in this run)\n");
	}
	{
		json_t *o = json_object_get(ev, "single_stage_cached_refetch");
		if (json_object_size(o))
			fprintf(f, "\nsingle-stage + local cache: COPY . . comes before the model download, so each "
				"warm build downloads the models again: %.1f MB served and %.1f s of model download "
				"per warm build (of %.1f s)\n",
				json_number_value(json_object_get(o, "served_bytes_per_warm_build")) / 1e6,
				json_number_value(json_object_get(o, "model_download_seconds_per_warm_build")),
				json_number_value(json_object_get(o, "wall_seconds_per_warm_build")));
	}
	floor_print(f, json_object_get(ev, "bytes_vs_floor"));
	fprintf(f, "\nwhere the warm time goes (mean seconds per warm build)\n");
	json_object_foreach(bd, variant, groups) {
		const char *g;
		json_t *v;
		if (!json_object_size(groups))
			continue;
		fprintf(f, "  %-22s", variant);
		json_object_foreach(groups, g, v)
			if (json_number_value(v) >= 0.05)
				fprintf(f, " %s %.1f", g, json_number_value(v));
		fputc('\n', f);
	}
}
