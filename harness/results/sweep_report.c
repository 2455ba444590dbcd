/*
 * sweep_report.c: a sweep record (sweep.json, see sweep.h) as text,
 * markdown, csv or json, and its chart: warm time against the first
 * parameter, one line per variant (and per value of the other parameters),
 * the crossovers marked, through plots/sweep.gp.in.
 */
#include "results/sweep_report.h"
#include "lib/error.h"
#include "pages/gnuplot.h"
#include "lib/jsonx.h"
#include "pages/plot.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "bandwidth over 5MB/s, 20MB/s, 50MB/s" for every parameter. Caller frees. */
static char *params_text(json_t *sweep)
{
	struct strbuf sb = {0};
	json_t *p, *v;
	size_t i, k;

	json_array_foreach(json_object_get(sweep, "params"), i, p) {
		strbuf_printf(&sb, "%s%s (", i ? " x " : "", json_str(p, "key"));
		json_array_foreach(json_object_get(p, "values"), k, v)
			strbuf_printf(&sb, "%s%s", k ? ", " : "", json_string_value(v));
		strbuf_puts(&sb, ")");
	}
	return strbuf_detach(&sb);
}

/* One line per crossover; "no crossover" when there is none. */
static void crossovers_text(FILE *f, json_t *sweep, const char *bullet)
{
	json_t *x = json_object_get(sweep, "crossovers"), *c;
	const char *key = json_str(json_array_get(json_object_get(sweep, "params"), 0), "key");
	size_t i;

	if (!json_array_size(x)) {
		fprintf(f, "%sno crossover: the variants keep their order of warm medians at every value "
			"of %s\n", bullet, key);
		return;
	}
	json_array_foreach(x, i, c) {
		const char *lo = json_string_value(json_array_get(json_object_get(c, "between"), 0));
		const char *hi = json_string_value(json_array_get(json_object_get(c, "between"), 1));
		fprintf(f, "%scrossover%s%s%s: ", bullet, *json_str(c, "group") ? " (" : "", json_str(c, "group"),
			*json_str(c, "group") ? ")" : "");
		if (*json_str(c, "x_text"))
			fprintf(f, "%s is faster below %s = %s, %s above (interpolated between %s and %s; warm "
				"%.1f s there)\n", json_str(c, "faster_before"), key, json_str(c, "x_text"),
				json_str(c, "faster_after"), lo ? lo : "?", hi ? hi : "?", json_num(c, "warm_seconds", NAN));
		else
			fprintf(f, "%s is faster at %s=%s, %s at %s=%s\n", json_str(c, "faster_before"), key,
				lo ? lo : "?", json_str(c, "faster_after"), key, hi ? hi : "?");
	}
}

static void put_seconds(FILE *f, double v, int width)
{
	if (isfinite(v))
		fprintf(f, " %*.1f", width, v);
	else
		fprintf(f, " %*s", width, "-");
}

/* The width of a variant's two columns: its name, at least 17. */
static int variant_width(json_t *v)
{
	size_t n = strlen(json_string_value(v) ?: "");
	return n > 17 ? (int)n : 17;
}

static void write_text(FILE *f, json_t *sweep)
{
	json_t *variants = sweep_variants(sweep), *pt, *v;
	char *params = params_text(sweep);
	size_t i, k, width = 5;

	json_array_foreach(json_object_get(sweep, "points"), i, pt)
		if (strlen(json_str(pt, "label")) > width)
			width = strlen(json_str(pt, "label"));
	fprintf(f, "\nsweep of %s over %s: warm median and cold build (s) per variant\n",
		json_str(sweep, "name"), params);
	fprintf(f, "%-*s", (int)width, "");
	json_array_foreach(variants, k, v)
		fprintf(f, "  %*s", variant_width(v), json_string_value(v));
	fprintf(f, "\n%-*s", (int)width, "point");
	json_array_foreach(variants, k, v)
		fprintf(f, "  %*s %8s", variant_width(v) - 9, "warm", "cold");
	fputc('\n', f);
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		fprintf(f, "%-*s", (int)width, json_str(pt, "label"));
		json_array_foreach(variants, k, v) {
			json_t *e = sweep_point_entry(pt, json_string_value(v));
			fputc(' ', f);
			put_seconds(f, json_num(e, "warm_median_seconds", NAN), variant_width(v) - 9);
			put_seconds(f, json_num(e, "cold_seconds", NAN), 8);
		}
		if (strcmp(json_str(pt, "state"), "done"))
			fprintf(f, "  (%s)", json_str(pt, "state"));
		fputc('\n', f);
	}
	fputc('\n', f);
	crossovers_text(f, sweep, "");
	free(params);
	json_decref(variants);
}

static void write_markdown(FILE *f, json_t *sweep)
{
	json_t *variants = sweep_variants(sweep), *pt, *v;
	char *params = params_text(sweep);
	size_t i, k;

	fprintf(f, "## bench sweep: %s over %s\n\nWarm median and cold build, seconds, per variant.\n\n| point |",
		json_str(sweep, "name"), params);
	json_array_foreach(variants, k, v)
		fprintf(f, " %s warm | %s cold |", json_string_value(v), json_string_value(v));
	fputs("\n|---|", f);
	json_array_foreach(variants, k, v)
		fputs("---:|---:|", f);
	fputc('\n', f);
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		fprintf(f, "| %s%s%s |", json_str(pt, "label"), strcmp(json_str(pt, "state"), "done") ? " (" : "",
			strcmp(json_str(pt, "state"), "done") ? json_str(pt, "state") : "");
		if (strcmp(json_str(pt, "state"), "done"))
			fputs(")", f);
		json_array_foreach(variants, k, v) {
			json_t *e = sweep_point_entry(pt, json_string_value(v));
			double w = json_num(e, "warm_median_seconds", NAN), c = json_num(e, "cold_seconds", NAN);
			if (isfinite(w))
				fprintf(f, " %.1f |", w);
			else
				fputs(" - |", f);
			if (isfinite(c))
				fprintf(f, " %.1f |", c);
			else
				fputs(" - |", f);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
	crossovers_text(f, sweep, "- ");
	free(params);
	json_decref(variants);
}

static void csv_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.4f", v);
	else
		fputc(',', f);
}

/* Long form: one row per point and variant. */
static void write_csv(FILE *f, json_t *sweep)
{
	json_t *params = json_object_get(sweep, "params"), *p, *pt, *e;
	size_t i, k;

	fputs("point,label", f);
	json_array_foreach(params, k, p) {
		fputc(',', f);
		report_csv_text(f, json_str(p, "key"));
	}
	fputs(",variant,cold_seconds,warm_median_seconds,cached_step_ratio,builds,ok,state,dir\n", f);
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		json_array_foreach(json_object_get(pt, "summary"), k, e) {
			size_t j;
			fprintf(f, "%zu,", i + 1);
			report_csv_text(f, json_str(pt, "label"));
			for (j = 0; j < json_array_size(params); j++) {
				fputc(',', f);
				report_csv_text(f, json_string_value(json_array_get(json_object_get(pt, "values"), j)) ?: "");
			}
			fputc(',', f);
			report_csv_text(f, json_str(e, "variant"));
			csv_number(f, json_num(e, "cold_seconds", NAN));
			csv_number(f, json_num(e, "warm_median_seconds", NAN));
			csv_number(f, json_num(e, "cached_step_ratio", NAN));
			fprintf(f, ",%.0f,%.0f,", json_num(e, "builds", 0), json_num(e, "ok", 0));
			report_csv_text(f, json_str(pt, "state"));
			fputc(',', f);
			report_csv_text(f, json_str(pt, "dir"));
			fputc('\n', f);
		}
	}
}

int sweep_report_write(FILE *f, json_t *sweep, enum report_format format)
{
	switch (format) {
	case REPORT_TEXT:
		write_text(f, sweep);
		break;
	case REPORT_MARKDOWN:
		write_markdown(f, sweep);
		break;
	case REPORT_CSV:
		write_csv(f, sweep);
		break;
	case REPORT_JSON:
		if (json_dumpf(sweep, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 || fputc('\n', f) == EOF)
			return bench_error_set(BENCH_EIO, "cannot write the report");
		break;
	default:
		return bench_error_set(BENCH_EINVALID, "a sweep folder is reported as text, markdown, csv, "
				       "json or html");
	}
	if (fflush(f) == EOF || ferror(f))
		return bench_error_errno(BENCH_EIO, "cannot write the report");
	return 0;
}

/* ---- the chart ---- */

/* The first parameter's values in x order: their positions on the axis
 * (numbers in the axis unit, or 0, 1, 2...) into x, their index in the
 * record's values into ord. */
static void axis_of(double *x, size_t *ord, const struct sweep_param *p0, double divide)
{
	size_t *o = sweep_x_order(p0), i;

	for (i = 0; i < p0->count; i++) {
		ord[i] = o[i];
		x[i] = p0->numeric ? p0->numbers[ord[i]] / divide : (double)i;
	}
	free(o);
}

/* The data: one row per value of the first parameter, one column per line
 * (group x variant). Lines' titles into titles. */
static void chart_data(struct strbuf *data, struct strvec *titles, json_t *sweep, const struct sweep_param *p0,
		       const double *x, const size_t *ord)
{
	json_t *variants = sweep_variants(sweep), *groups = sweep_groups(sweep), *g, *v, *pt;
	size_t i, gi, vi, n = p0->count;

	strbuf_printf(data, "# sweep.dat: warm median seconds per value of %s (column 1, in the "
		      "axis' unit) and line: variant [group]\n# x", p0->key);
	json_array_foreach(groups, gi, g)
		json_array_foreach(variants, vi, v) {
			const char *gs = json_string_value(g);
			strvec_pushf(titles, "%s%s%s%s", json_string_value(v), *gs ? " (" : "", gs, *gs ? ")" : "");
			strbuf_printf(data, " \"%s\"", titles->v[titles->n - 1]);
		}
	strbuf_puts(data, "\n");
	for (i = 0; i < n; i++) {
		strbuf_printf(data, "%.6g", x[i]);
		json_array_foreach(groups, gi, g)
			json_array_foreach(variants, vi, v) {
				double y = NAN;
				size_t k;
				json_array_foreach(json_object_get(sweep, "points"), k, pt) {
					char *pg = sweep_group_of(pt, json_object_get(sweep, "params"));
					const char *v0 = json_string_value(json_array_get(json_object_get(pt, "values"), 0));
					if (!strcmp(pg, json_string_value(g)) && v0 && !strcmp(v0, p0->values[ord[i]]))
						y = sweep_point_warm(pt, json_string_value(v));
					free(pg);
				}
				if (isfinite(y))
					strbuf_printf(data, " %.3f", y);
				else
					strbuf_puts(data, " NaN");
			}
		strbuf_puts(data, "\n");
	}
	json_decref(variants);
	json_decref(groups);
}

int sweep_chart(struct plot_output *out, json_t *sweep, const char *dir, bool render)
{
	struct sweep_param *params = NULL;
	struct strbuf data = {0}, setup = {0}, plot = {0};
	struct strvec titles = {0};
	char *templates = NULL, *plots = path_join(dir, "plots"), *title = NULL;
	size_t np = 0, i, *ord = NULL;
	double *x = NULL, divide;
	const char *unit;
	json_t *c;
	int error;

	if ((error = sweep_params_from_json(&params, &np, sweep)) < 0 || (error = plot_templates_dir(&templates)) < 0)
		goto done;
	if (!np || !params[0].count) {
		error = bench_error_set(BENCH_EINVALID, "the sweep has no parameter to draw");
		goto done;
	}
	unit = sweep_axis_unit(&divide, params[0].unit);
	x = xcalloc(params[0].count, sizeof(*x));
	ord = xcalloc(params[0].count, sizeof(*ord));
	axis_of(x, ord, &params[0], divide);
	chart_data(&data, &titles, sweep, &params[0], x, ord);
	title = xasprintf("%s: warm build time against %s", json_str(sweep, "name"), params[0].key);

	strbuf_printf(&setup, "set xlabel \"%s%s%s%s\"\n", params[0].key, *unit ? " (" : "", unit, *unit ? ")" : "");
	if (params[0].numeric && sweep_log_axis(params[0].numbers, params[0].count))
		strbuf_puts(&setup, "set logscale x\n");
	strbuf_puts(&setup, "set xtics (");
	for (i = 0; i < params[0].count; i++) {
		strbuf_puts(&setup, i ? ", " : "");
		gnuplot_quote(&setup, params[0].values[ord[i]]);
		strbuf_printf(&setup, " %.6g", x[i]);
	}
	strbuf_puts(&setup, ")\n");
	plot_line_styles(&setup, titles.n);
	json_array_foreach(json_object_get(sweep, "crossovers"), i, c) {
		double cx = params[0].numeric ? json_num(c, "x", NAN) / divide : json_num(c, "x_index", NAN);
		struct strbuf label = {0};
		if (!isfinite(cx))
			continue;
		strbuf_printf(&label, "%s%s%s", *json_str(c, "x_text") ? json_str(c, "x_text") : "crossover",
			      *json_str(c, "group") ? "\n" : "", json_str(c, "group"));
		strbuf_printf(&setup, "set arrow %zu from %.6g, graph 0 to %.6g, graph 1 nohead dt 2 lw 1.5 "
			      "lc rgb \"#555555\" back\n", i + 1, cx, cx);
		strbuf_printf(&setup, "set label %zu ", i + 1);
		gnuplot_quote(&setup, label.buf);
		strbuf_printf(&setup, " at %.6g, %.6g point pt 6 ps 3 lc rgb \"#555555\" offset 1.2,1.2 "
			      "front\n", cx, json_num(c, "warm_seconds", 0));
		strbuf_release(&label);
	}
	strbuf_puts(&plot, "plot ");
	for (i = 0; i < titles.n; i++) {
		strbuf_printf(&plot, "%s'sweep.dat' using 1:%zu with linespoints ls %zu title ", i ? ", \\\n     " : "",
			      i + 2, i + 1);
		gnuplot_quote(&plot, titles.v[i]);
	}
	if (!titles.n) {
		error = bench_error_set(BENCH_EINVALID, "the sweep has no point with a summary to draw");
		goto done;
	}
	error = plot_chart_write(out, "sweep", title, data.buf, setup.buf, plot.buf, plots, templates, render);
done:
	for (i = 0; i < np; i++)
		sweep_param_release(&params[i]);
	free(params);
	free(templates);
	free(plots);
	free(title);
	free(x);
	free(ord);
	strbuf_release(&data);
	strbuf_release(&setup);
	strbuf_release(&plot);
	strvec_release(&titles);
	return error;
}
