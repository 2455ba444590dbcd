/*
 * html_files.c: the sections of a results page made from the files bench
 * keeps beside run.json: the gate's verdict (gate.json, as `bench run --gate`
 * and `bench gate --format json` write it) and the blog comparison of a
 * cafeboo run (blog-comparison.json, see blogreport.h). A folder without the
 * file gets no section.
 */
#include "pages/html.h"
#include "pages/plot.h"
#include "lib/jsonx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH "\xE2\x80\x93"

json_t *html_folder_json(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	json_t *v = path_exists(path) ? json_load_file(path, 0, NULL) : NULL;

	free(path);
	return v;
}

/* ---- the blog comparison ---- */

void html_run_blog(struct html_page *p, const char *dir)
{
	static const struct html_column target_cols[] = {
		{"held", false}, {"target", false}, {"measured (ratio)", true}, {"limit (ratio)", false},
		{"note", false},
	};
	struct html_column cols[] = {
		{"case", false}, {"blog", false}, {"measured (s)", true}, {"projected to scale 1 (s)", true},
		{"projection", false},
	};
	json_t *ev = html_folder_json(dir, "blog-comparison.json"), *row, *t, *refetch;
	size_t i;
	char buf[96];

	if (!json_is_object(ev)) {
		json_decref(ev);
		return;
	}
	html_section_begin(p, "blog", "The blog's figures");
	snprintf(buf, sizeof(buf), "%.3g", json_num(ev, "scale", NAN));
	{
		char *s = xasprintf("This run replays the cafeboo story at scale %s (every size \xC3\x97 %s). "
				    "Projected: %s.", buf, buf, json_str(ev, "projection"));
		html_para(p, "", s);
		free(s);
	}
	html_table_begin(p, "blog-table", "The blog's figures beside this run's medians", cols, 5);
	json_array_foreach(json_object_get(ev, "rows"), i, row) {
		html_row_begin(p, NULL);
		html_cell(p, json_str(row, "case"));
		html_cell(p, json_str(row, "blog"));
		html_cell_minutes(p, json_num(row, "measured_seconds", NAN));
		html_cell_minutes(p, json_num(row, "projected_seconds", NAN));
		html_cell(p, json_str(row, "projection_check"));
		html_row_end(p);
	}
	html_table_end(p);
	if (json_is_string(json_object_get(ev, "projection_error")))
		html_para(p, "", json_str(ev, "projection_error"));
	html_raw(p, "<h3>Targets of the reproduction</h3>\n");
	html_table_begin(p, "targets", "Measured in this run, as ratios", target_cols, 5);
	json_array_foreach(json_object_get(ev, "targets"), i, t) {
		bool held = json_is_true(json_object_get(t, "held"));
		double value = json_num(t, "value", NAN);
		bool none = isnan(value); /* its variants are not in this run */
		html_row_begin(p, held || none ? NULL : "bad");
		html_raw(p, "<td>");
		html_badge(p, held ? "ok" : none ? "skip" : "fail", held ? "held" : none ? "n/a" : "missed");
		html_raw(p, "</td>");
		html_cell(p, json_str(t, "target"));
		snprintf(buf, sizeof(buf), "%.2f", value);
		html_cell_number(p, value, buf);
		snprintf(buf, sizeof(buf), "%s %.2f", !strcmp(json_str(t, "op"), "<=") ? "\xE2\x89\xA4" : "\xE2\x89\xA5",
			 json_num(t, "limit", NAN));
		html_cell(p, buf);
		html_cell(p, json_str(t, "note"));
		html_row_end(p);
	}
	html_table_end(p);
	refetch = json_object_get(ev, "single_stage_cached_refetch");
	if (json_object_size(refetch)) {
		char served[32], *s;
		html_format_bytes(served, sizeof(served), json_num(refetch, "served_bytes_per_warm_build", NAN));
		s = xasprintf("Single-stage with a local cache: COPY . . comes before the model download, so "
			      "each warm build downloads the models again: %s served and %.1f s of model "
			      "download per warm build (of %.1f s).", served,
			      json_num(refetch, "model_download_seconds_per_warm_build", NAN),
			      json_num(refetch, "wall_seconds_per_warm_build", NAN));
		html_para(p, "note", s);
		free(s);
	}
	html_section_end(p);
	json_decref(ev);
}

/* ---- the gate ---- */

/* A gate figure in its unit (gate.json's "unit") into buf. */
static void gate_value(char *buf, size_t size, const char *unit, json_t *v)
{
	double x = json_is_number(v) ? json_number_value(v) : NAN;

	if (!isfinite(x))
		snprintf(buf, size, DASH);
	else if (!strcmp(unit, "seconds"))
		html_format_seconds(buf, size, x);
	else if (!strcmp(unit, "bytes"))
		html_format_bytes(buf, size, x);
	else if (!strcmp(unit, "share"))
		snprintf(buf, size, "%.0f %%", x * 100);
	else if (!strcmp(unit, "steps"))
		snprintf(buf, size, "%.3g steps", x);
	else
		snprintf(buf, size, "%.3f\xC3\x97", x); /* × */
}

void html_run_gate(struct html_page *p, json_t *run, const char *dir)
{
	static const struct html_column cols[] = {
		{"status", false}, {"variant", false}, {"check", false}, {"measured", true},
		{"limit", true}, {"baseline", true}, {"rule", false},
	};
	json_t *gate = html_folder_json(dir, "gate.json"), *c, *n;
	bool failed = !strcmp(json_str(gate, "verdict"), "fail");
	json_t *counts = json_object_get(gate, "counts"), *th = json_object_get(gate, "thresholds");
	size_t i;
	char m[64], l[80], b[64], *s;

	if (!json_is_object(gate) || !*json_str(gate, "verdict")) {
		json_decref(gate);
		return;
	}
	html_section_begin(p, "gate", "Regression gate");
	html_raw(p, "<div class=\"badges\">");
	html_badge(p, failed ? "fail" : "ok", failed ? "gate: FAIL (a regression)" : "gate: PASS");
	html_raw(p, "</div>\n");
	s = xasprintf("Judged against the baseline %s: %.0f passed, %.0f failed, %.0f skipped.",
		      *json_str(gate, "baseline") ? json_str(gate, "baseline") : "(not named)",
		      json_num(counts, "pass", 0), json_num(counts, "fail", 0), json_num(counts, "skip", 0));
	html_para(p, "", s);
	free(s);
	html_table_begin(p, "gate-checks", "Each check of each variant", cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(gate, "checks"), i, c) {
		const char *status = json_str(c, "status"), *unit = json_str(c, "unit");
		json_t *limit = json_object_get(c, "limit");
		html_row_begin(p, !strcmp(status, "fail") ? "bad" : NULL);
		html_raw(p, "<td>");
		html_badge(p, !strcmp(status, "fail") ? "fail" : !strcmp(status, "pass") ? "ok" : "skip", status);
		html_raw(p, "</td>");
		html_cell_variant(p, json_str(c, "variant"), plot_variant_color(run, json_str(c, "variant")));
		html_cell(p, json_str(c, "check"));
		gate_value(m, sizeof(m), unit, json_object_get(c, "measured"));
		html_cell_number(p, json_num(c, "measured", NAN), m);
		gate_value(b, sizeof(b), unit, limit);
		if (json_is_number(limit))
			snprintf(l, sizeof(l), "%s %s", !strcmp(json_str(c, "limit_is"), "minimum") ?
				 "\xE2\x89\xA5" : "\xE2\x89\xA4", b);
		else
			snprintf(l, sizeof(l), DASH);
		html_cell_number(p, json_num(c, "limit", NAN), l);
		gate_value(b, sizeof(b), unit, json_object_get(c, "baseline"));
		html_cell_number(p, json_num(c, "baseline", NAN), b);
		s = *json_str(c, "note") ? xasprintf("%s; %s", json_str(c, "rule"), json_str(c, "note"))
					 : xstrdup(json_str(c, "rule"));
		html_cell_wrap(p, s);
		free(s);
		html_row_end(p);
	}
	html_table_end(p);
	json_array_foreach(json_object_get(gate, "notes"), i, n)
		html_para(p, "warn", json_string_value(n));
	if (json_is_object(th)) {
		s = xasprintf("Thresholds: warm/cold may grow by %g, warm median by %g %%%s%s%s, image by "
			      "%g %%, cache by %g %%; cached steps %s.",
			      json_num(th, "warm_over_cold_growth", NAN), 100 * json_num(th, "warm_median_growth", NAN),
			      json_is_string(json_object_get(th, "reference")) ? " against " : "",
			      json_str(th, "reference"), json_is_true(json_object_get(th, "absolute")) ? " (and absolute)" : "",
			      100 * json_num(th, "image_growth", NAN), 100 * json_num(th, "cache_growth", NAN),
			      json_is_true(json_object_get(th, "cached_steps_may_fall")) ? "may fall" : "may not fall");
		html_para(p, "", s);
		free(s);
	}
	if (*json_str(gate, "noise_rule"))
		html_para(p, "note", json_str(gate, "noise_rule"));
	html_section_end(p);
	json_decref(gate);
}
