/*
 * gate.c: the regression gate (see gate.h): the thresholds in force and the
 * judgement of a run against a baseline, check by check, with the noise rule
 * for time checks. The figures and baselines are in gate_baseline.c, the
 * reports' text, Markdown and JSON forms in gate_format.c.
 */
#include "results/gate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "results/comparable.h"
#include "results/results.h"
#include "results/stats.h"
#include "lib/jsonx.h"

#define DEFAULT_WARM_MEDIAN_GROWTH 0.15
#define DEFAULT_WARM_OVER_COLD_GROWTH 0.10
#define DEFAULT_IMAGE_GROWTH 0.05
#define DEFAULT_CACHE_GROWTH 0.20

/* ---- settings ---- */

void gate_settings_unset(struct gate_settings *g)
{
	memset(g, 0, sizeof(*g));
	g->warm_median_growth = g->warm_over_cold_growth = -1;
	g->image_growth = g->cache_growth = -1;
	g->cached_steps_may_fall = g->absolute = -1;
}

static double json_fraction(json_t *gate, const char *key)
{
	json_t *v = json_object_get(gate, key);
	return json_is_number(v) && json_number_value(v) >= 0 ? json_number_value(v) : -1;
}

static int json_tristate(json_t *gate, const char *key)
{
	json_t *v = json_object_get(gate, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

void gate_settings_from_json(struct gate_settings *g, json_t *gate)
{
	const char *ref = json_string_value(json_object_get(gate, "reference"));

	gate_settings_unset(g);
	if (!json_is_object(gate))
		return;
	g->warm_median_growth = json_fraction(gate, "warm_median_growth");
	g->warm_over_cold_growth = json_fraction(gate, "warm_over_cold_growth");
	g->image_growth = json_fraction(gate, "image_growth");
	g->cache_growth = json_fraction(gate, "cache_growth");
	g->cached_steps_may_fall = json_tristate(gate, "cached_steps_may_fall");
	g->absolute = json_tristate(gate, "absolute");
	g->reference = ref && *ref ? xstrdup(ref) : NULL;
}

void gate_settings_release(struct gate_settings *g)
{
	free(g->reference);
	g->reference = NULL;
}

static double pick(double flag, double scenario, double fallback)
{
	return flag >= 0 ? flag : scenario >= 0 ? scenario : fallback;
}

void gate_limits_resolve(struct gate_limits *out, const struct gate_settings *flags,
			 const struct gate_settings *scenario)
{
	struct gate_settings none;

	gate_settings_unset(&none);
	if (!flags)
		flags = &none;
	if (!scenario)
		scenario = &none;
	out->warm_median_growth = pick(flags->warm_median_growth, scenario->warm_median_growth,
				       DEFAULT_WARM_MEDIAN_GROWTH);
	out->warm_over_cold_growth = pick(flags->warm_over_cold_growth,
					  scenario->warm_over_cold_growth,
					  DEFAULT_WARM_OVER_COLD_GROWTH);
	out->image_growth = pick(flags->image_growth, scenario->image_growth, DEFAULT_IMAGE_GROWTH);
	out->cache_growth = pick(flags->cache_growth, scenario->cache_growth, DEFAULT_CACHE_GROWTH);
	out->cached_steps_may_fall = pick(flags->cached_steps_may_fall,
					  scenario->cached_steps_may_fall, 0) > 0;
	out->absolute = pick(flags->absolute, scenario->absolute, 0) > 0;
	out->reference = flags->reference ? flags->reference : scenario->reference;
}

int gate_parse_fraction(double *out, const char *text)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(text, &end);
	if (end == text || errno || !isfinite(d) || d < 0)
		return -1;
	if (*end == '%') {
		d /= 100;
		end++;
	}
	if (*end)
		return -1;
	*out = d;
	return 0;
}

static double warm_median(json_t *fig)
{
	json_t *warm = json_object_get(fig, "warm");
	return json_num(warm, "n", NAN) > 0 ? json_num(warm, "median", NAN) : NAN;
}

/* ---- judging ---- */

static void vset(char **dst, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	free(*dst);
	*dst = xstrdup(buf);
}

static void set_note(struct gate_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_note(struct gate_check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(&c->note, fmt, ap);
	va_end(ap);
}

static void set_rule(struct gate_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_rule(struct gate_check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(&c->rule, fmt, ap);
	va_end(ap);
}

static struct gate_check *add_check(struct gate_report *r, const char *variant,
				    const char *check, enum gate_unit unit)
{
	struct gate_check *c;

	if (r->count == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 16;
		r->checks = xrealloc(r->checks, r->alloc * sizeof(*r->checks));
	}
	c = &r->checks[r->count++];
	memset(c, 0, sizeof(*c));
	c->variant = xstrdup(variant);
	c->check = xstrdup(check);
	c->unit = unit;
	c->status = GATE_PASS;
	c->measured = c->baseline = c->limit = NAN;
	c->rule = xstrdup("");
	return c;
}

static void skip(struct gate_check *c, const char *reason)
{
	c->status = GATE_SKIP;
	set_note(c, "%s", reason);
}

/* The finite numbers of fig[key] (an array) into a new array, *n their
 * count. */
static double *samples(size_t *n, json_t *fig, const char *key)
{
	json_t *a = json_object_get(fig, key), *v;
	double *out = xcalloc(json_array_size(a) + 1, sizeof(double));
	size_t i;

	*n = 0;
	json_array_foreach(a, i, v)
		if (json_is_number(v) && isfinite(json_number_value(v)))
			out[(*n)++] = json_number_value(v);
	return out;
}

/* warm/cold, one figure per series: its warm median over its cold build.
 * A baseline of format 1 has only the run's figure (one sample). */
static double *series_ratios(size_t *n, json_t *fig)
{
	json_t *series = json_object_get(fig, "series"), *s;
	double *out = xcalloc(json_array_size(series) + 1, sizeof(double));
	size_t i;

	*n = 0;
	if (!json_is_array(series)) {
		out[0] = json_num(fig, "warm_over_cold", NAN);
		*n = isfinite(out[0]) && out[0] > 0;
		return out;
	}
	json_array_foreach(series, i, s)
		if (json_num(s, "warm_over_cold", NAN) > 0)
			out[(*n)++] = json_num(s, "warm_over_cold", NAN);
	return out;
}

/* vs REF, one figure per warm build: its seconds over the reference's build
 * of the same commit and repetition, measured in the same run. Without any
 * such pair (a baseline of format 1), the ratio of the warm medians. */
static double *paired_ratios(size_t *n, json_t *fig, json_t *ref)
{
	json_t *mine = json_object_get(fig, "warm_builds"), *theirs = json_object_get(ref, "warm_builds");
	json_t *b, *r;
	double *out = xcalloc(json_array_size(mine) + 1, sizeof(double));
	size_t i, k;

	*n = 0;
	json_array_foreach(mine, i, b) {
		json_array_foreach(theirs, k, r) {
			double num = json_num(b, "seconds", NAN), den = json_num(r, "seconds", NAN);
			if (json_num(b, "repetition", NAN) != json_num(r, "repetition", NAN) ||
			    strcmp(json_str(b, "commit"), json_str(r, "commit")))
				continue;
			if (num > 0 && den > 0 && isfinite(num / den))
				out[(*n)++] = num / den;
			break;
		}
	}
	if (!*n && warm_median(fig) > 0 && warm_median(ref) > 0) {
		out[0] = warm_median(fig) / warm_median(ref);
		*n = isfinite(out[0]);
	}
	return out;
}

/*
 * One time check by the decision rule of stats.h (the one bench compare
 * uses too): the run's samples rs against the baseline's bs, with `growth`
 * added to the baseline (additive) or as a fraction. Only "worse" fails;
 * "inconclusive" passes, saying why.
 */
static void judge_time(struct gate_check *c, const double *rs, size_t nr, const double *bs,
		       size_t nb, double growth, bool additive)
{
	struct stats_decision d;

	stats_decide(&d, bs, nb, rs, nr, growth, additive);
	c->measured = d.now_median;
	c->baseline = d.base_median;
	c->limit = d.upper;
	switch (d.change) {
	case STATS_WORSE:
		c->status = GATE_FAIL;
		set_note(c, "%s", d.reason);
		break;
	case STATS_INCONCLUSIVE:
		c->status = GATE_PASS;
		c->inconclusive = true;
		set_note(c, "inconclusive: %s", d.reason);
		break;
	case STATS_BETTER:
		c->status = GATE_PASS;
		set_note(c, "improved: %s", d.reason);
		break;
	case STATS_NO_CHANGE:
		c->status = GATE_PASS;
		if (!isnan(d.p))
			set_note(c, "%s", d.reason);
		break;
	}
}

/* A deterministic "may grow by at most growth" check of fig[key]. */
static void judge_growth(struct gate_check *c, json_t *now, json_t *then, const char *key,
			 double growth, const char *missing_then)
{
	c->measured = json_num(now, key, NAN);
	c->baseline = json_num(then, key, NAN);
	set_rule(c, "may grow by at most %g%%", growth * 100);
	if (!(c->baseline > 0)) {
		skip(c, missing_then);
	} else if (!(c->measured >= 0)) {
		skip(c, "not measured in this run");
	} else {
		c->limit = c->baseline * (1 + growth);
		c->status = c->measured > c->limit * (1 + 1e-12) ? GATE_FAIL : GATE_PASS;
	}
}

/* A deterministic "may not fall" check of a figure. */
static void judge_floor(struct gate_check *c, double measured, double baseline)
{
	c->measured = measured;
	c->baseline = c->limit = baseline;
	c->at_least = true;
	set_rule(c, "may not fall");
	c->status = measured < baseline - 1e-9 ? GATE_FAIL : GATE_PASS;
}

static const char *no_warm(bool now)
{
	return now ? "no ok warm builds in this run" : "no ok warm builds in the baseline";
}

/* Whether the variant keeps no cache at all (cache = none on an ephemeral
 * runner): from the run's figures, else the baseline's. */
static bool without_cache(json_t *now, json_t *then)
{
	json_t *c = json_object_get(now, "caching");
	return json_is_boolean(c) ? json_is_false(c) : json_is_false(json_object_get(then, "caching"));
}

/* The time checks of one variant (see gate.h). */
static void time_checks(struct gate_report *r, const char *variant, json_t *now, json_t *then,
			json_t *run_figs, json_t *base_figs)
{
	const struct gate_limits *l = &r->limits;
	bool warm_now = warm_median(now) > 0, warm_then = warm_median(then) > 0;
	struct gate_check *c;
	double *rs, *bs;
	size_t nr, nb;

	c = add_check(r, variant, "warm/cold", GATE_RATIO);
	set_rule(c, "may grow by at most %g (one figure per series: its warm median over its "
		 "cold build)", l->warm_over_cold_growth);
	if (without_cache(now, then)) {
		skip(c, "no cache (cache = none on an ephemeral runner): its warm builds are cold "
		     "builds, warm/cold says nothing about caching");
	} else if (!warm_now || !warm_then) {
		skip(c, no_warm(!warm_now));
	} else {
		rs = series_ratios(&nr, now);
		bs = series_ratios(&nb, then);
		if (!nr || !nb)
			skip(c, !nr ? "no series with an ok cold and an ok warm build in this run"
				    : "no series with an ok cold and an ok warm build in the baseline");
		else
			judge_time(c, rs, nr, bs, nb, l->warm_over_cold_growth, true);
		free(rs);
		free(bs);
	}

	if (l->reference && strcmp(variant, l->reference)) {
		char *name = xasprintf("vs %s", l->reference);
		json_t *ref_now = json_object_get(run_figs, l->reference);
		json_t *ref_then = json_object_get(base_figs, l->reference);
		c = add_check(r, variant, name, GATE_RATIO);
		free(name);
		set_rule(c, "may grow by at most %g%% (one figure per warm build: its time over the "
			 "%s build of the same commit)", l->warm_median_growth * 100, l->reference);
		if (!warm_now || !warm_then)
			skip(c, no_warm(!warm_now));
		else if (!ref_then)
			skip(c, "reference variant not in the baseline");
		else if (!(warm_median(ref_now) > 0) || !(warm_median(ref_then) > 0))
			skip(c, !(warm_median(ref_now) > 0) ? "no ok warm builds of the reference in this run"
					      : "no ok warm builds of the reference in the baseline");
		else {
			rs = paired_ratios(&nr, now, ref_now);
			bs = paired_ratios(&nb, then, ref_then);
			judge_time(c, rs, nr, bs, nb, l->warm_median_growth, false);
			free(rs);
			free(bs);
		}
	}

	if (l->absolute) {
		c = add_check(r, variant, "warm median", GATE_SECONDS);
		set_rule(c, "may grow by at most %g%% (one figure per warm build)",
			 l->warm_median_growth * 100);
		if (!warm_now || !warm_then) {
			skip(c, no_warm(!warm_now));
		} else {
			rs = samples(&nr, now, "warm_samples");
			bs = samples(&nb, then, "warm_samples");
			judge_time(c, rs, nr, bs, nb, l->warm_median_growth, false);
			free(rs);
			free(bs);
		}
	}
}

/* Every check of one variant found in both the run and the baseline. */
static void variant_checks(struct gate_report *r, const char *variant, json_t *now, json_t *then,
			   json_t *run_figs, json_t *base_figs)
{
	struct gate_check *c;
	double builds_then = json_num(then, "builds", NAN);

	c = add_check(r, variant, "ok builds", GATE_SHARE);
	if (builds_then > 0 && json_num(now, "builds", NAN) > 0)
		judge_floor(c, json_num(now, "ok", NAN) / json_num(now, "builds", NAN),
			    json_num(then, "ok", NAN) / builds_then);
	else
		skip(c, "no build count in the baseline");

	time_checks(r, variant, now, then, run_figs, base_figs);

	c = add_check(r, variant, "cached steps", GATE_STEPS);
	if (r->limits.cached_steps_may_fall) {
		set_rule(c, "may fall (cached_steps_may_fall)");
		c->measured = json_num(now, "cached_steps_warm", NAN);
		c->baseline = json_num(then, "cached_steps_warm", NAN);
		skip(c, "cached steps may fall (cached_steps_may_fall = yes)");
	} else if (!isfinite(json_num(then, "cached_steps_warm", NAN))) {
		set_rule(c, "may not fall");
		skip(c, "no ok warm builds in the baseline");
	} else if (!isfinite(json_num(now, "cached_steps_warm", NAN))) {
		set_rule(c, "may not fall");
		skip(c, "no ok warm builds in this run");
	} else {
		judge_floor(c, json_num(now, "cached_steps_warm", NAN), json_num(then, "cached_steps_warm", NAN));
	}

	c = add_check(r, variant, "image size", GATE_BYTES);
	judge_growth(c, now, then, "image_bytes", r->limits.image_growth,
		     "no image size in the baseline");
	c = add_check(r, variant, "cache size", GATE_BYTES);
	judge_growth(c, now, then, "cache_bytes", r->limits.cache_growth,
		     "no cache folder in the baseline: cache = none or registry");
}

/* Notes on what makes the comparison weaker: another machine, other commits. */
static void add_notes(struct gate_report *r, json_t *run, json_t *baseline)
{
	json_t *env = json_object_get(run, "environment"), *machine = json_object_get(baseline, "machine");
	const char *host_now = json_str(env, "hostname"), *host_then = json_str(machine, "hostname");

	if (strcmp(host_now, host_then) || json_num(env, "cpus", NAN) != json_num(machine, "cpus", NAN)) {
		strvec_pushf(&r->notes, "the baseline was recorded on another machine (%s, %.0f CPUs; "
			     "this run: %s, %.0f CPUs): time checks compare ratios within each run%s",
			     *host_then ? host_then : "unknown", json_num(machine, "cpus", NAN),
			     *host_now ? host_now : "unknown", json_num(env, "cpus", NAN),
			     r->limits.absolute ? ", but absolute times are compared too (absolute = yes)" : "");
	}
	{
		json_t *now = results_engines(run), *then = json_object_get(machine, "engines");
		char *names = results_engines_names(now), *old = results_engines_names(then);
		if (json_is_array(then) && !results_engines_same(now, then))
			strvec_pushf(&r->notes, "this run was built on %s %s, the baseline on %s: other "
				     "engines (time checks compare ratios within each run)",
				     json_array_size(now) == 1 ? "engine" : "engines", names, old);
		else if (json_array_size(now) > 1)
			strvec_pushf(&r->notes, "this run was spread over engines %s, each series on one: "
				     "its warm/cold figures are per engine, its ratios to the reference "
				     "may compare builds from two engines", names);
		free(names);
		free(old);
		json_decref(now);
	}
	{
		json_t *now = gate_commit_list(json_object_get(run, "builds"));
		if (json_integer_value(json_object_get(baseline, "bench_baseline")) < 2)
			strvec_push(&r->notes, "the baseline has format version 1, without figures per "
				    "series and per commit: its side of each time check is one figure, "
				    "which cannot decide; record it again with bench baseline");
		json_t *then = json_object_get(baseline, "commits");
		if (json_is_array(then) && !json_equal(now, then))
			strvec_push(&r->notes, "this run replays other commits than the baseline: "
				    "cached steps, image and cache sizes may differ for that reason");
		json_decref(now);
	}
}

/* The reference variant in force: the one asked for ("none": no reference),
 * else the first variant of the run without any cache (see gate.h). */
static void pick_reference(struct gate_report *out, const struct gate_limits *limits,
			   json_t *run_figs)
{
	const char *name;
	json_t *fig;

	if (limits->reference) {
		if (strcmp(limits->reference, "none"))
			out->reference = xstrdup(limits->reference);
		return;
	}
	json_object_foreach(run_figs, name, fig)
		if (json_is_false(json_object_get(fig, "caching"))) {
			out->reference = xstrdup(name);
			out->reference_auto = true;
			return;
		}
}

int gate_evaluate(struct gate_report *out, json_t *run, json_t *baseline,
		  const struct gate_limits *limits)
{
	json_t *run_figs = gate_run_figures(json_object_get(run, "builds"),
					    json_object_get(run, "scenario"));
	json_t *base_figs = json_object_get(baseline, "variants"), *fig;
	const char *name;
	size_t i;
	int error = 0;

	memset(out, 0, sizeof(*out));
	out->limits = *limits;
	pick_reference(out, limits, run_figs);
	out->limits.reference = out->reference;
	if (out->reference && !json_object_get(run_figs, out->reference)) {
		struct strbuf names = {0};
		json_object_foreach(run_figs, name, fig)
			strbuf_printf(&names, "%s%s", names.len ? ", " : "", name);
		error = bench_error_set(BENCH_EINVALID, "reference variant '%s' is not in the run "
					"(variants: %s)", out->reference, names.len ? names.buf : "none");
		strbuf_release(&names);
		goto done;
	}
	add_notes(out, run, baseline);
	{
		json_t *now = comparable_facts(run), *then = comparable_baseline_facts(baseline);
		comparable_diff(&out->different, &out->differences, now, then, "this run", "the baseline");
		json_decref(now);
		json_decref(then);
	}
	json_object_foreach(run_figs, name, fig) {
		json_t *then = json_object_get(base_figs, name);
		if (!json_is_object(then))
			skip(add_check(out, name, "variant", GATE_RATIO), "variant missing in baseline");
		else
			variant_checks(out, name, fig, then, run_figs, base_figs);
	}
	json_object_foreach(base_figs, name, fig)
		if (!json_object_get(run_figs, name))
			skip(add_check(out, name, "variant", GATE_RATIO),
			     "variant in the baseline but not in this run");
	for (i = 0; i < out->count; i++) {
		switch (out->checks[i].status) {
		case GATE_PASS: out->passed++; break;
		case GATE_FAIL: out->failed++; break;
		case GATE_SKIP: out->skipped++; break;
		}
		out->inconclusive += out->checks[i].inconclusive;
	}
done:
	json_decref(run_figs);
	return error;
}

void gate_report_release(struct gate_report *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->checks[i].variant);
		free(r->checks[i].check);
		free(r->checks[i].rule);
		free(r->checks[i].note);
	}
	free(r->checks);
	free(r->reference);
	free(r->results);
	free(r->baseline);
	strvec_release(&r->notes);
	strvec_release(&r->different);
	strvec_release(&r->differences);
	memset(r, 0, sizeof(*r));
}

int gate_check_comparable(struct gate_report *r, const char *allow)
{
	struct strbuf refused = {0}, names = {0};
	size_t i;
	int error = 0;

	for (i = 0; i < r->different.n; i++) {
		if (comparable_allowed(allow, r->different.v[i])) {
			strvec_pushf(&r->notes, "allowed difference: %s", r->differences.v[i]);
			continue;
		}
		strbuf_printf(&refused, "\n  %s", r->differences.v[i]);
		strbuf_printf(&names, "%s%s", names.len ? "," : "", r->different.v[i]);
	}
	if (refused.len)
		error = bench_error_set(BENCH_EINVALID, "the run and the baseline are not comparable; they "
					"differ in:%s\n(to gate them anyway, say so: --allow-different %s)",
					refused.buf, names.buf);
	strbuf_release(&refused);
	strbuf_release(&names);
	return error;
}

int gate_check_dir(struct gate_report *out, const char *results_dir, const char *baseline_path,
		   const struct gate_settings *flags, const struct gate_settings *scenario_gate,
		   const char *allow_different)
{
	struct gate_settings from_run;
	struct gate_limits limits;
	json_t *run = NULL, *baseline = NULL;
	char *missing = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	gate_settings_unset(&from_run);
	if ((error = gate_baseline_load(&baseline, baseline_path)))
		goto done;
	if ((error = results_load(&run, &missing, results_dir)))
		goto done; /* the message names the folder */
	if (!scenario_gate) {
		gate_settings_from_json(&from_run, json_object_get(json_object_get(run, "scenario"), "gate"));
		scenario_gate = &from_run;
	}
	gate_limits_resolve(&limits, flags, scenario_gate);
	error = gate_evaluate(out, run, baseline, &limits);
	out->results = xstrdup(results_dir);
	out->baseline = xstrdup(baseline_path);
	if (missing)
		strvec_pushf(&out->notes, "the results folder is incomplete: %s", missing);
	if (!error)
		error = gate_check_comparable(out, allow_different);
done:
	gate_settings_release(&from_run);
	json_decref(run);
	json_decref(baseline);
	free(missing);
	return error;
}

int gate_run(int *regressed, const char *results_dir, const char *baseline_path,
	     const struct gate_settings *scenario_gate, const char *allow_different, FILE *out)
{
	struct gate_report report;
	struct strbuf sb = {0};
	char *path = NULL;
	int error;

	*regressed = 0;
	if ((error = gate_check_dir(&report, results_dir, baseline_path, NULL, scenario_gate, allow_different)))
		goto done;
	gate_format_report(&sb, &report, GATE_TEXT);
	fputs(sb.buf ? sb.buf : "", out);
	fflush(out);
	*regressed = report.failed > 0;
	/* the verdict kept beside the results, as `bench gate --format json` gives it
	 * (the results page shows it) */
	strbuf_reset(&sb);
	gate_format_report(&sb, &report, GATE_JSON);
	path = path_join(results_dir, "gate.json");
	error = write_file_atomic(path, sb.buf, sb.len);
done:
	gate_report_release(&report);
	strbuf_release(&sb);
	free(path);
	return error;
}
