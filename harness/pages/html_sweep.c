/*
 * html_sweep.c: the page of a sweep folder (its index.html, and bench report
 * DIR --format html): what was swept, the table of medians, the chart, the
 * crossovers, a link to each point's own results page, and the scenario as
 * the first point ran it (the run's section of html.h).
 */
#include "pages/html.h"
#include "lib/jsonx.h"
#include "results/results.h"
#include "pages/sweep_chart.h"
#include "results/sweep.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void table_section(struct html_page *p, json_t *sweep)
{
	json_t *variants = sweep_variants(sweep), *v, *pt;
	size_t nv = json_array_size(variants), ncols = 2 + 2 * nv, i, k;
	struct html_column *cols = xcalloc(ncols, sizeof(*cols));
	struct strvec names = {0};

	cols[0] = (struct html_column){"point", false};
	cols[1] = (struct html_column){"ok builds", true};
	json_array_foreach(variants, k, v) {
		strvec_pushf(&names, "%s warm median (s)", json_string_value(v));
		strvec_pushf(&names, "%s cold (s)", json_string_value(v));
	}
	for (k = 0; k < 2 * nv; k++)
		cols[2 + k] = (struct html_column){names.v[k], true};
	html_section_begin(p, "table", "Warm and cold builds per value");
	html_para(p, "", "Each point is a whole run of the scenario with the keys set as its label says "
		  "(every other option the same); its warm median and cold build per variant, in wall "
		  "seconds of ok builds.");
	html_table_begin(p, "sweep-table", NULL, cols, ncols);
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		double ok = 0, builds = 0;
		char buf[48];
		json_t *e;
		size_t j;
		json_array_foreach(json_object_get(pt, "summary"), j, e) {
			ok += json_num(e, "ok", 0);
			builds += json_num(e, "builds", 0);
		}
		html_row_begin(p, strcmp(json_str(pt, "state"), "done") ? "warn" : ok < builds ? "warn" : NULL);
		html_cell_code(p, json_str(pt, "label"), NULL);
		if (strcmp(json_str(pt, "state"), "done"))
			snprintf(buf, sizeof(buf), "%s", json_str(pt, "state"));
		else
			snprintf(buf, sizeof(buf), "%.0f/%.0f", ok, builds);
		html_cell_number(p, ok, buf);
		json_array_foreach(variants, k, v) {
			e = sweep_point_entry(pt, json_string_value(v));
			html_cell_seconds(p, json_num(e, "warm_median_seconds", NAN));
			html_cell_seconds(p, json_num(e, "cold_seconds", NAN));
		}
		html_row_end(p);
	}
	html_table_end(p);
	html_section_end(p);
	strvec_release(&names);
	free(cols);
	json_decref(variants);
}

static void chart_section(struct html_page *p, json_t *sweep, const char *dir)
{
	json_t *x = json_object_get(sweep, "crossovers"), *c;
	const char *key = json_str(json_array_get(json_object_get(sweep, "params"), 0), "key");
	char *svg = path_join(dir, "plots/sweep.svg");
	size_t i;

	html_section_begin(p, "chart", "Crossovers");
	if (html_chart(p, svg, "Warm median against the first parameter, one line per variant; a "
		       "dashed line where two variants swap places") < 0)
		html_para(p, "note", "The chart was not drawn (bench sweep --no-plot, or no gnuplot): "
			  "plots/sweep.gp in the folder draws it.");
	if (!json_array_size(x)) {
		char *s = xasprintf("No crossover: the variants keep their order at every value of %s.", key);
		html_para(p, "", s);
		free(s);
	}
	json_array_foreach(x, i, c) {
		const char *lo = json_string_value(json_array_get(json_object_get(c, "between"), 0));
		const char *hi = json_string_value(json_array_get(json_object_get(c, "between"), 1));
		struct strbuf sb = {0};
		if (*json_str(c, "group"))
			strbuf_printf(&sb, "With %s: ", json_str(c, "group"));
		if (*json_str(c, "x_text"))
			strbuf_printf(&sb, "%s is faster below %s = %s, %s above (interpolated between %s and %s "
				      "on the chart's axis; warm %.1f s there).", json_str(c, "faster_before"), key,
				      json_str(c, "x_text"), json_str(c, "faster_after"), lo ? lo : "?", hi ? hi : "?",
				      json_num(c, "warm_seconds", NAN));
		else
			strbuf_printf(&sb, "%s is faster at %s = %s, %s at %s = %s.", json_str(c, "faster_before"),
				      key, lo ? lo : "?", json_str(c, "faster_after"), key, hi ? hi : "?");
		html_para(p, "good", sb.buf);
		strbuf_release(&sb);
	}
	html_section_end(p);
	free(svg);
}

static void points_section(struct html_page *p, json_t *sweep)
{
	static const struct html_column cols[] = {
		{"point", false}, {"state", false}, {"results page", false}, {"results folder", false},
	};
	json_t *pt;
	size_t i;

	html_section_begin(p, "points", "The runs");
	html_table_begin(p, "points-table", "One results folder per point", cols, 4);
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		const char *dir = json_str(pt, "dir");
		char *page = *dir ? xasprintf("%s/index.html", dir) : NULL;
		html_row_begin(p, NULL);
		html_cell_code(p, json_str(pt, "label"), NULL);
		html_cell(p, json_str(pt, "state"));
		html_cell_file_link(p, page, "index.html");
		html_cell_code(p, dir, NULL);
		html_row_end(p);
		free(page);
	}
	html_table_end(p);
	html_section_end(p);
}

/* The run of the first point that has one, for the scenario section. */
static json_t *first_run(json_t *sweep, const char *dir)
{
	json_t *pt, *run = NULL;
	size_t i;

	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		char *d;
		if (!*json_str(pt, "dir"))
			continue;
		d = path_join(dir, json_str(pt, "dir"));
		if (results_load(&run, NULL, d) < 0)
			run = NULL;
		free(d);
		if (run)
			break;
	}
	return run;
}

char *html_sweep_page(json_t *sweep, const char *dir, const char *link_base)
{
	struct html_page p;
	json_t *opts = json_object_get(sweep, "options"), *run = first_run(sweep, dir), *par, *v;
	char *title = xasprintf("bench sweep: %s", json_str(sweep, "name")), *doc;
	struct strbuf sb = {0};
	size_t i, k;

	html_page_begin(&p, title, link_base);
	json_array_foreach(json_object_get(sweep, "params"), i, par) {
		strbuf_printf(&sb, "%s%s = ", i ? "; " : "", json_str(par, "key"));
		json_array_foreach(json_object_get(par, "values"), k, v)
			strbuf_printf(&sb, "%s%s", k ? ", " : "", json_string_value(v));
	}
	html_raw(&p, "<p class=\"sub\">");
	html_textf(&p, "Scenario %s run once per value: %s. Started %s%s%s.", json_str(sweep, "scenario"),
		   sb.buf ? sb.buf : "", json_str(sweep, "started"), *json_str(sweep, "ended") ? ", ended " : "",
		   json_str(sweep, "ended"));
	html_raw(&p, "</p>\n<div class=\"badges\">");
	if (!json_is_true(json_object_get(sweep, "finished")))
		html_badge(&p, "warn", "not finished: interrupted or still running");
	else
		html_badge(&p, "ok", "finished");
	html_raw(&p, "</div>\n");
	if (json_object_size(opts)) {
		const char *key;
		html_facts_begin(&p);
		json_object_foreach(opts, key, v) {
			char buf[64];
			if (json_is_string(v))
				html_fact(&p, key, json_string_value(v));
			else if (json_is_number(v)) {
				snprintf(buf, sizeof(buf), "%g", json_number_value(v));
				html_fact(&p, key, buf);
			}
		}
		html_facts_end(&p);
	}
	table_section(&p, sweep);
	chart_section(&p, sweep, dir);
	points_section(&p, sweep);
	if (run)
		html_run_scenario(&p, run);
	html_page_end(&p);
	doc = strbuf_detach(&p.out);
	html_page_release(&p);
	strbuf_release(&sb);
	json_decref(run);
	free(title);
	return doc;
}
