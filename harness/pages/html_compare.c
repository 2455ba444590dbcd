/*
 * html_compare.c: the page of `bench compare A B --format html`: the two
 * runs, and per variant their medians, spread and compare.c's verdict. The
 * decision is compare_samples' (report.h), on the samples gate_run_figures
 * (gate.h) gathers: this file only lays them out.
 */
#include "pages/html.h"
#include "results/comparable.h"
#include "results/gate.h"
#include "pages/plot.h"
#include "results/report.h"
#include "results/results.h"
#include "lib/jsonx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sample array of gate_run_figures as doubles; *n its length. */
static double *samples_of(size_t *n, json_t *fig, const char *key)
{
	json_t *arr = json_object_get(fig, key), *v;
	double *out = xcalloc(json_array_size(arr) + 1, sizeof(double));
	size_t i;

	*n = 0;
	json_array_foreach(arr, i, v)
		if (json_is_number(v))
			out[(*n)++] = json_number_value(v);
	return out;
}

static double median_of(json_t *fig, const char *phase)
{
	json_t *st = json_object_get(fig, phase);
	return json_num(st, "n", 0) > 0 ? json_num(st, "median", NAN) : NAN;
}

/* "1.8–2.1 s, sd 0.12 s, n = 6" of a phase's statistics into the cell. */
static void range_cell(struct html_page *p, json_t *fig, const char *phase)
{
	json_t *st = json_object_get(fig, phase);
	char *text;

	if (!(json_num(st, "n", 0) > 0)) {
		html_cell_number(p, NAN, "");
		return;
	}
	text = xasprintf("%.1f\xE2\x80\x93%.1f s, sd %.2f s, n = %.0f", json_num(st, "min", NAN),
			 json_num(st, "max", NAN), json_num(st, "stddev", NAN), json_num(st, "n", 0));
	html_cell_number(p, json_num(st, "max", NAN) - json_num(st, "min", NAN), text);
	free(text);
}

static void run_facts(struct html_page *p, const char *label, json_t *run, const char *dir)
{
	json_t *env = json_object_get(run, "environment"), *engines = results_engines(run);
	char *title = xasprintf("%s: %s", label, dir), *machine, ram[32], builds[32];
	char *names = results_engines_names(engines);

	html_raw(p, "<h3>");
	html_text(p, title);
	html_raw(p, "</h3>\n");
	html_format_bytes(ram, sizeof(ram), json_num(env, "memory_bytes", NAN));
	machine = xasprintf("%s, %.0f CPUs, %s memory, docker %s",
			    *json_str(env, "hostname") ? json_str(env, "hostname") : "(no hostname)",
			    json_num(env, "cpus", NAN), ram,
			    *json_str(env, "docker_server") ? json_str(env, "docker_server") : "(not recorded)");
	html_facts_begin(p);
	html_fact(p, "scenario", json_str(json_object_get(run, "scenario"), "name"));
	html_fact(p, "started", json_str(run, "started"));
	snprintf(builds, sizeof(builds), "%zu", json_array_size(json_object_get(run, "builds")));
	html_fact(p, "builds", builds);
	html_fact(p, "machine", json_is_object(env) ? machine : NULL);
	html_fact(p, json_array_size(engines) > 1 ? "engines" : "engine", names);
	html_facts_end(p);
	free(names);
	json_decref(engines);
	free(machine);
	free(title);
}

/* The warm medians of A and B per variant, with their ranges. */
static void compare_chart(struct html_page *p, json_t *fa, json_t *fb)
{
	static const char *const series[] = {"A", "B"};
	struct html_bar *bars = xcalloc(json_object_size(fa) + 1, sizeof(*bars));
	json_t *figs[2], *st;
	const char *v;
	size_t n = 0, s;

	json_object_foreach(fa, v, figs[0]) {
		if (!(figs[1] = json_object_get(fb, v)))
			continue;
		bars[n].label = v;
		for (s = 0; s < 2; s++) {
			st = json_object_get(figs[s], "warm");
			bars[n].value[s] = median_of(figs[s], "warm");
			bars[n].lo[s] = json_num(st, "n", 0) > 1 ? json_num(st, "min", NAN) : NAN;
			bars[n].hi[s] = json_num(st, "n", 0) > 1 ? json_num(st, "max", NAN) : NAN;
		}
		n++;
	}
	html_bar_chart(p, "Warm median per variant (s), A above B, with the min\xE2\x80\x93max range "
		       "of the warm builds.", "warm median (s)", "s", series, 2, bars, n);
	free(bars);
}

char *html_compare_page(json_t *a, json_t *b, const char *dir_a, const char *dir_b)
{
	static const struct html_column cols[] = {
		{"variant", false}, {"cold A (s)", true}, {"cold B (s)", true}, {"warm A (s)", true},
		{"warm B (s)", true}, {"B/A (ratio)", true}, {"warm A spread (s)", true},
		{"warm B spread (s)", true}, {"verdict", false}, {"rule", false},
	};
	json_t *fa = gate_run_figures(json_object_get(a, "builds"), json_object_get(a, "scenario"));
	json_t *fb = gate_run_figures(json_object_get(b, "builds"), json_object_get(b, "scenario"));
	json_t *x, *y;
	struct html_page p;
	const char *v;
	bool any = false;
	char *doc;

	html_page_begin(&p, "bench compare", NULL);
	html_raw(&p, "<p class=\"sub\">");
	html_textf(&p, "A: %s \xE2\x80\x94 B: %s", dir_a, dir_b);
	html_raw(&p, "</p>\n");
	{
		/* what makes them measure different things, before any verdict */
		json_t *ca = comparable_facts(a), *cb = comparable_facts(b);
		struct strvec names = {0}, lines = {0};
		size_t i;
		comparable_diff(&names, &lines, ca, cb, "A", "B");
		if (lines.n)
			html_para(&p, "warn", "Not comparable as they stand: the runs differ in");
		for (i = 0; i < lines.n; i++)
			html_para(&p, "warn", lines.v[i]);
		strvec_release(&names);
		strvec_release(&lines);
		json_decref(ca);
		json_decref(cb);
	}

	html_section_begin(&p, "verdicts", "Per variant");
	html_para(&p, "", "Medians of the ok builds' wall seconds. The verdict is on the warm builds "
		  "(on the cold ones when either run has no ok warm build), by the rule of bench gate: "
		  "better or worse only when B's median is beyond A's by more than 5 % and a two-sided "
		  "Mann\xE2\x80\x93Whitney U test (p < 0.05) tells B's builds from A's shifted by 5 %; "
		  "inconclusive when the numbers of builds cannot reach p < 0.05 at all (3 against 3 "
		  "or 4). Better means B is faster.");
	html_table_begin(&p, "compare-table", NULL, cols, sizeof(cols) / sizeof(cols[0]));
	json_object_foreach(fa, v, x) {
		struct compare_result r;
		const char *phase = "warm_samples", *tone;
		size_t na, nb;
		double *sa, *sb;
		char *rule;

		if (!(y = json_object_get(fb, v)))
			continue;
		any = true;
		if (!json_array_size(json_object_get(x, phase)) || !json_array_size(json_object_get(y, phase)))
			phase = "cold_samples";
		sa = samples_of(&na, x, phase);
		sb = samples_of(&nb, y, phase);
		compare_samples(&r, sa, na, sb, nb, COMPARE_THRESHOLD);
		tone = r.verdict == COMPARE_BETTER ? "ok" : r.verdict == COMPARE_WORSE ? "fail"
		       : r.verdict == COMPARE_SAME ? "skip" : "warn";
		html_row_begin(&p, r.verdict == COMPARE_WORSE ? "bad" : r.verdict == COMPARE_BETTER ? "good" : NULL);
		html_cell_variant(&p, v, plot_variant_color(a, v));
		html_cell_seconds(&p, median_of(x, "cold"));
		html_cell_seconds(&p, median_of(y, "cold"));
		html_cell_seconds(&p, median_of(x, "warm"));
		html_cell_seconds(&p, median_of(y, "warm"));
		html_cell_ratio(&p, r.ratio);
		range_cell(&p, x, "warm");
		range_cell(&p, y, "warm");
		html_raw(&p, "<td>");
		html_badge(&p, tone, compare_verdict_name(r.verdict));
		html_raw(&p, "</td>");
		rule = xasprintf("%s%s", r.rule, strcmp(phase, "warm_samples") ? ", on cold builds" : "");
		html_cell_wrap(&p, rule);
		html_row_end(&p);
		free(rule);
		free(sa);
		free(sb);
	}
	html_table_end(&p);
	compare_chart(&p, fa, fb);
	if (!any)
		html_para(&p, "warn", "No variant is in both runs.");
	json_object_foreach(fa, v, x)
		if (!json_object_get(fb, v)) {
			char *s = xasprintf("Only in A: %s", v);
			html_para(&p, "note", s);
			free(s);
		}
	json_object_foreach(fb, v, y)
		if (!json_object_get(fa, v)) {
			char *s = xasprintf("Only in B: %s", v);
			html_para(&p, "note", s);
			free(s);
		}
	html_section_end(&p);

	html_section_begin(&p, "runs", "The two runs");
	run_facts(&p, "A", a, dir_a);
	run_facts(&p, "B", b, dir_b);
	html_section_end(&p);
	html_page_end(&p);
	doc = strbuf_detach(&p.out);
	html_page_release(&p);
	json_decref(fa);
	json_decref(fb);
	return doc;
}
