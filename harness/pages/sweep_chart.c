/*
 * sweep_chart.c: a sweep record's chart (sweep.json, see results/sweep.h):
 * warm time against the first parameter, one line per variant (and per
 * value of the other parameters), the crossovers marked, through
 * plots/sweep.gp.in.
 */
#include "pages/sweep_chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/util.h"
#include "pages/gnuplot.h"
#include "results/sweep.h"

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
