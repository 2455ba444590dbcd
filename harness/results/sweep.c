/*
 * sweep.c: the model of `bench sweep` (see sweep.h): parameters, points and
 * their record, each point's summary, and the crossovers of the warm
 * medians along the first parameter.
 */
#include "results/sweep.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "results/results.h"
#include "scenario/scenario.h"
#include "lib/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ---- */

/* Copy of [s, s + n) without the white space around it. */
static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void param_numbers(struct sweep_param *p)
{
	size_t i;

	p->numbers = xcalloc(p->count, sizeof(*p->numbers));
	p->numeric = true;
	p->unit = "";
	for (i = 0; i < p->count && p->numeric; i++) {
		char *a = xasprintf("%s=%s", p->key, p->values[i]);
		const char *unit;
		if (scenario_override_number(&p->numbers[i], &unit, a) < 0)
			p->numeric = false;
		else
			p->unit = unit;
		free(a);
	}
	bench_error_clear();
	if (!p->numeric) {
		for (i = 0; i < p->count; i++)
			p->numbers[i] = NAN;
		p->unit = "";
	}
}

int sweep_param_parse(struct sweep_param *out, const char *arg)
{
	const char *eq = strchr(arg, '='), *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!eq || eq == arg || !eq[1])
		return bench_error_set(BENCH_EINVALID, "--param '%s': expected KEY=V1,V2,... (e.g. "
				       "bandwidth=10MB/s,50MB/s or cache_mode=max,min)", arg);
	out->key = trimmed(arg, (size_t)(eq - arg));
	for (v = eq + 1;; v++) {
		size_t n = strcspn(v, ",");
		char *value = trimmed(v, n);
		if (!*value) {
			free(value);
			sweep_param_release(out);
			return bench_error_set(BENCH_EINVALID, "--param '%s': an empty value; separate the "
					       "values with single commas", arg);
		}
		for (i = 0; i < out->count; i++) {
			if (!strcmp(out->values[i], value)) {
				bench_error_set(BENCH_EINVALID, "--param '%s': the value '%s' is given twice",
						arg, value);
				free(value);
				sweep_param_release(out);
				return BENCH_EINVALID;
			}
		}
		out->values = xrealloc(out->values, (out->count + 1) * sizeof(*out->values));
		out->values[out->count++] = value;
		v += n;
		if (!*v)
			break;
	}
	param_numbers(out);
	return 0;
}

void sweep_param_release(struct sweep_param *p)
{
	size_t i;
	for (i = 0; i < p->count; i++)
		free(p->values[i]);
	free(p->values);
	free(p->numbers);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

/* ---- the record ---- */

static json_t *param_json(const struct sweep_param *p)
{
	json_t *o = json_object(), *values = json_array(), *numbers = p->numeric ? json_array() : json_null();
	size_t i;

	for (i = 0; i < p->count; i++) {
		json_array_append_new(values, json_string(p->values[i]));
		if (p->numeric)
			json_array_append_new(numbers, json_real(p->numbers[i]));
	}
	json_object_set_new(o, "key", json_string(p->key));
	json_object_set_new(o, "values", values);
	json_object_set_new(o, "numbers", numbers);
	json_object_set_new(o, "unit", json_string(p->unit));
	return o;
}

json_t *sweep_new(const char *scenario_path, const char *name, const struct sweep_param *params,
		  size_t nparams, json_t *options)
{
	json_t *o = json_object(), *ps = json_array(), *points = json_array();
	size_t *at = xcalloc(nparams + 1, sizeof(*at)), i, total = 1;
	char started[32];

	utc_iso8601(started, sizeof(started));
	for (i = 0; i < nparams; i++) {
		json_array_append_new(ps, param_json(&params[i]));
		total *= params[i].count;
	}
	while (total--) {
		json_t *pt = json_object(), *values = json_array(), *assign = json_array();
		struct strbuf label = {0};
		for (i = 0; i < nparams; i++) {
			const char *v = params[i].values[at[i]];
			json_array_append_new(values, json_string(v));
			json_array_append_new(assign, json_sprintf("%s=%s", params[i].key, v));
			strbuf_printf(&label, "%s%s=%s", i ? " " : "", params[i].key, v);
		}
		json_object_set_new(pt, "values", values);
		json_object_set_new(pt, "assignments", assign);
		json_object_set_new(pt, "label", json_string(label.buf ? label.buf : ""));
		json_object_set_new(pt, "dir", json_null());
		json_object_set_new(pt, "state", json_string("pending"));
		json_array_append_new(points, pt);
		strbuf_release(&label);
		/* the next combination: the last parameter fastest */
		for (i = nparams; i-- > 0;) {
			if (++at[i] < params[i].count)
				break;
			at[i] = 0;
		}
	}
	json_object_set_new(o, "bench_sweep", json_integer(1));
	json_object_set_new(o, "scenario", json_string(scenario_path));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "started", json_string(started));
	json_object_set_new(o, "finished", json_false());
	json_object_set_new(o, "options", options ? options : json_object());
	json_object_set_new(o, "params", ps);
	json_object_set_new(o, "points", points);
	json_object_set_new(o, "crossovers", json_array());
	free(at);
	return o;
}

int sweep_params_from_json(struct sweep_param **out, size_t *n, json_t *sweep)
{
	json_t *params = json_object_get(sweep, "params"), *p, *v;
	size_t i, k;

	*n = json_array_size(params);
	*out = xcalloc(*n ? *n : 1, sizeof(**out));
	json_array_foreach(params, i, p) {
		struct sweep_param *sp = &(*out)[i];
		json_t *values = json_object_get(p, "values");
		if (!*json_str(p, "key") || !json_array_size(values))
			return bench_error_set(BENCH_EINVALID, "sweep record: parameter %zu has no key or no "
					       "values", i + 1);
		sp->key = xstrdup(json_str(p, "key"));
		json_array_foreach(values, k, v) {
			sp->values = xrealloc(sp->values, (sp->count + 1) * sizeof(*sp->values));
			sp->values[sp->count++] = xstrdup(json_string_value(v) ? json_string_value(v) : "");
		}
		param_numbers(sp);
	}
	return 0;
}

int sweep_load(json_t **out, const char *dir)
{
	char *path = path_join(dir, SWEEP_JSON);
	json_error_t jerr;
	int error = 0;

	*out = NULL;
	if (!path_exists(path))
		error = bench_error_set(BENCH_ENOTFOUND, "'%s' has no %s (not a bench sweep folder)", dir, SWEEP_JSON);
	else if (!(*out = json_load_file(path, 0, &jerr)))
		error = bench_error_set(BENCH_EINVALID, "cannot read '%s': %s", path, jerr.text);
	else if (!json_is_object(*out) || !json_object_get(*out, "bench_sweep") ||
		 !json_is_array(json_object_get(*out, "points")))
		error = bench_error_set(BENCH_EINVALID, "'%s' is not a sweep record (no bench_sweep or "
					"points)", path);
	if (error) {
		json_decref(*out);
		*out = NULL;
	}
	free(path);
	return error;
}

int sweep_save(const char *dir, json_t *sweep)
{
	char *path = path_join(dir, SWEEP_JSON);
	char *text = json_dumps(sweep, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	int error = text ? write_file_atomic(path, text, strlen(text))
			 : bench_error_set(BENCH_ERROR, "cannot encode the sweep record");
	free(text);
	free(path);
	return error;
}

json_t *sweep_point_summary(json_t *builds)
{
	json_t *summary = results_summary(builds), *out = json_array(), *s;
	size_t i;
	static const char *const keys[] = {"variant", "cold_seconds", "warm_median_seconds",
					   "cached_step_ratio", "builds", "ok"};

	json_array_foreach(summary, i, s) {
		json_t *o = json_object();
		size_t k;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			json_t *v = json_object_get(s, keys[k]);
			json_object_set(o, keys[k], v ? v : json_null());
		}
		json_array_append_new(out, o);
	}
	json_decref(summary);
	return out;
}

/* ---- crossings ---- */

bool sweep_log_axis(const double *x, size_t n)
{
	double lo = INFINITY, hi = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(x[i] > 0) || !isfinite(x[i]))
			return false;
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	return n >= 2 && hi >= 10 * lo;
}

size_t sweep_crossings(struct sweep_crossing *out, size_t max, const double *x, const double *ya,
		       const double *yb, size_t n, bool log_x)
{
	size_t i, found = 0, prev = n, zero = n;

	for (i = 0; i < n; i++) {
		double d, dp, t, xp, xi;
		if (!isfinite(ya[i]) || !isfinite(yb[i]) || !isfinite(x[i]))
			continue;
		d = ya[i] - yb[i];
		if (d == 0) {
			if (zero == n)
				zero = i; /* equal here: a crossing if the sign flips across */
			continue;
		}
		if (prev < n && (dp = ya[prev] - yb[prev]) * d < 0) {
			if (found < max) {
				struct sweep_crossing *c = &out[found];
				c->a_faster_before = dp < 0;
				c->i = prev;
				c->j = i;
				if (zero < n) {
					c->x = x[zero];
					c->y = ya[zero];
				} else {
					t = dp / (dp - d);
					xp = log_x ? log(x[prev]) : x[prev];
					xi = log_x ? log(x[i]) : x[i];
					c->x = log_x ? exp(xp + t * (xi - xp)) : xp + t * (xi - xp);
					c->y = ya[prev] + t * (ya[i] - ya[prev]);
				}
			}
			found++;
		}
		prev = i;
		zero = n;
	}
	return found;
}

/* ---- crossovers of a record ---- */

const char *sweep_axis_unit(double *divide, const char *unit)
{
	if (!strcmp(unit, "B/s")) {
		*divide = 1e6;
		return "MB/s";
	}
	if (!strcmp(unit, "B")) {
		*divide = 1e6;
		return "MB";
	}
	*divide = 1;
	return unit;
}

void sweep_format_value(char *buf, size_t size, double v, const char *unit)
{
	double div;
	const char *u = sweep_axis_unit(&div, unit);

	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (!strcmp(unit, "s") && v < 1)
		snprintf(buf, size, "%.3g ms", v * 1000);
	else
		snprintf(buf, size, "%.3g%s%s", v / div, *u ? " " : "", u);
}

json_t *sweep_point_entry(json_t *point, const char *variant)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(point, "summary"), i, s)
		if (!strcmp(json_str(s, "variant"), variant))
			return s;
	return NULL;
}

double sweep_point_warm(json_t *point, const char *variant)
{
	return json_num(sweep_point_entry(point, variant), "warm_median_seconds", NAN);
}

char *sweep_group_of(json_t *point, json_t *params)
{
	struct strbuf sb = {0};
	size_t i;

	for (i = 1; i < json_array_size(params); i++)
		strbuf_printf(&sb, "%s%s=%s", i > 1 ? " " : "", json_str(json_array_get(params, i), "key"),
			      json_string_value(json_array_get(json_object_get(point, "values"), i)) ?: "");
	return strbuf_detach(&sb);
}

size_t *sweep_x_order(const struct sweep_param *p)
{
	size_t *ord = xcalloc(p->count ? p->count : 1, sizeof(*ord)), i, j;

	for (i = 0; i < p->count; i++)
		ord[i] = i;
	for (i = 1; p->numeric && i < p->count; i++)
		for (j = i; j > 0 && p->numbers[ord[j - 1]] > p->numbers[ord[j]]; j--) {
			size_t t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	return ord;
}

/* The crossovers within one group of points, pair by pair of variants. */
static void group_crossovers(json_t *out, json_t *sweep, const struct sweep_param *p0, const char *group,
			     json_t *variants)
{
	json_t *params = json_object_get(sweep, "params"), *pt;
	size_t n = p0->count, nv = json_array_size(variants), i, a, b, k, j;
	size_t *ord = sweep_x_order(p0);
	double *x = xcalloc(n, sizeof(*x)), *y = xcalloc(n * (nv ? nv : 1), sizeof(*y));
	bool log_x;

	for (j = 0; j < n; j++) {
		x[j] = p0->numeric ? p0->numbers[ord[j]] : (double)j;
		for (a = 0; a < nv; a++)
			y[a * n + j] = NAN;
	}
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		char *g = sweep_group_of(pt, params);
		const char *v0 = json_string_value(json_array_get(json_object_get(pt, "values"), 0));
		for (j = 0; j < n && v0 && strcmp(p0->values[ord[j]], v0); j++)
			;
		if (!strcmp(g, group) && j < n)
			for (a = 0; a < nv; a++)
				y[a * n + j] = sweep_point_warm(pt, json_string_value(json_array_get(variants, a)));
		free(g);
	}
	log_x = p0->numeric && sweep_log_axis(x, n);
	for (a = 0; a < nv; a++) {
		for (b = a + 1; b < nv; b++) {
			struct sweep_crossing c[16];
			size_t found = sweep_crossings(c, 16, x, y + a * n, y + b * n, n, log_x);
			for (k = 0; k < found && k < 16; k++) {
				const char *va = json_string_value(json_array_get(variants, a));
				const char *vb = json_string_value(json_array_get(variants, b));
				char text[64];
				json_t *o = json_object();
				json_object_set_new(o, "group", json_string(group));
				json_object_set_new(o, "faster_before", json_string(c[k].a_faster_before ? va : vb));
				json_object_set_new(o, "faster_after", json_string(c[k].a_faster_before ? vb : va));
				json_object_set_new(o, "between", json_pack("[s,s]", p0->values[ord[c[k].i]],
									    p0->values[ord[c[k].j]]));
				json_object_set_new(o, "x", p0->numeric ? json_real(c[k].x) : json_null());
				if (!p0->numeric) /* the chart's position between the two values */
					json_object_set_new(o, "x_index", json_real(c[k].x));
				else {
					sweep_format_value(text, sizeof(text), c[k].x, p0->unit);
					json_object_set_new(o, "x_text", json_string(text));
				}
				json_object_set_new(o, "warm_seconds", json_real(c[k].y));
				json_array_append_new(out, o);
			}
		}
	}
	free(ord);
	free(x);
	free(y);
}

json_t *sweep_variants(json_t *sweep)
{
	json_t *out = json_array(), *seen = json_object(), *pt, *s;
	size_t i, k;

	json_array_foreach(json_object_get(sweep, "points"), i, pt)
		json_array_foreach(json_object_get(pt, "summary"), k, s)
			if (!json_object_get(seen, json_str(s, "variant"))) {
				json_object_set_new(seen, json_str(s, "variant"), json_true());
				json_array_append_new(out, json_string(json_str(s, "variant")));
			}
	json_decref(seen);
	return out;
}

json_t *sweep_groups(json_t *sweep)
{
	json_t *out = json_array(), *seen = json_object(), *pt;
	size_t i;

	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		char *g = sweep_group_of(pt, json_object_get(sweep, "params"));
		if (!json_object_get(seen, g)) {
			json_object_set_new(seen, g, json_true());
			json_array_append_new(out, json_string(g));
		}
		free(g);
	}
	json_decref(seen);
	return out;
}

json_t *sweep_crossovers(json_t *sweep)
{
	json_t *out = json_array(), *variants = sweep_variants(sweep), *groups = sweep_groups(sweep), *s;
	struct sweep_param *params = NULL;
	size_t np = 0, i;

	if (sweep_params_from_json(&params, &np, sweep) < 0 || !np)
		goto done;
	json_array_foreach(groups, i, s)
		group_crossovers(out, sweep, &params[0], json_string_value(s), variants);
done:
	bench_error_clear();
	for (i = 0; i < np; i++)
		sweep_param_release(&params[i]);
	free(params);
	json_decref(variants);
	json_decref(groups);
	return out;
}
