/*
 * report.c: `bench report` formats (markdown, csv, json, benchmark-action)
 * of one run. The comparison of two runs is in compare.c.
 */
#include "results/report.h"
#include "lib/error.h"
#include "results/results.h"
#include "results/contention.h"
#include "results/verdict.h"
#include "results/versions.h"
#include "results/runsummary.h"
#include "lib/util.h"
#include "lib/jsonx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int report_format_parse(enum report_format *out, const char *name)
{
	if (!strcmp(name, "markdown") || !strcmp(name, "md"))
		*out = REPORT_MARKDOWN;
	else if (!strcmp(name, "csv"))
		*out = REPORT_CSV;
	else if (!strcmp(name, "json"))
		*out = REPORT_JSON;
	else if (!strcmp(name, "benchmark-action"))
		*out = REPORT_BENCHMARK_ACTION;
	else if (!strcmp(name, "html"))
		*out = REPORT_HTML;
	else if (!strcmp(name, "text"))
		*out = REPORT_TEXT;
	else
		return bench_error_set(BENCH_EINVALID, "unknown report format '%s' (use markdown, csv, "
				       "json, benchmark-action, html or text)", name);
	return 0;
}

/* A number with `prec` decimals, or `none` when it is not a number. */
static void put_num(FILE *f, double v, int prec, const char *none)
{
	if (isfinite(v))
		fprintf(f, "%.*f", prec, v);
	else
		fputs(none, f);
}

/* s in a markdown table cell: pipes escaped, line breaks made spaces. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* The hyperfine-style outlier warnings of a summary, one line each, with
 * `prefix` before each. */
static void outlier_warnings(FILE *f, json_t *summary, const char *prefix)
{
	static const char *const phases[] = {"cold", "warm"};
	json_t *s;
	size_t i, p;

	json_array_foreach(summary, i, s) {
		for (p = 0; p < 2; p++) {
			json_t *st = json_object_get(s, phases[p]);
			double out = json_num(st, "outliers", NAN), n = json_num(st, "n", NAN);
			if (!(out > 0))
				continue;
			fprintf(f, "%swarning: statistical outliers were detected in the %s builds of "
				"'%s' (%.0f of %.0f). Consider re-running the benchmark on a quiet machine, "
				"without other programs competing for CPU, disk or network.\n",
				prefix, phases[p], json_str(s, "variant"), out, n);
		}
	}
}

/* ---- markdown ---- */

/* "Engine: docker 28.5.2, buildx 0.29.1, containerd 2.1.9, BuildKit
 * v0.25.1." (several: each engine's, named); nothing when not recorded. */
static void md_versions(FILE *f, json_t *run)
{
	json_t *versions = versions_of_run(run), *v;
	size_t i, n = json_array_size(versions), shown = 0;

	json_array_foreach(versions, i, v) {
		char *text = versions_text(v);
		if (*text) {
			if (!shown++)
				fputs(n > 1 ? "Engines: " : "Engine: ", f);
			else
				fputs("; ", f);
			if (n > 1)
				fprintf(f, "`%s` ", json_str(v, "name"));
			md_cell(f, text);
		}
		free(text);
	}
	if (shown)
		fputs(".\n\n", f);
	json_decref(versions);
}

static void md_summary(FILE *f, json_t *summary)
{
	json_t *s;
	size_t i;

	fputs("| variant | cold (s) | warm median (s) | warm/cold | cached steps (warm) | ok builds |\n"
	      "|:--|--:|--:|--:|--:|--:|\n", f);
	json_array_foreach(summary, i, s) {
		fputs("| ", f);
		md_cell(f, json_str(s, "variant"));
		fputs(" | ", f);
		put_num(f, json_num(s, "cold_seconds", NAN), 1, "–");
		fputs(" | ", f);
		put_num(f, json_num(s, "warm_median_seconds", NAN), 1, "–");
		fputs(" | ", f);
		put_num(f, json_num(s, "warm_over_cold", NAN), 2, "–");
		fputs(" | ", f);
		if (isfinite(json_num(s, "cached_step_ratio", NAN)))
			fprintf(f, "%.0f %%", 100 * json_num(s, "cached_step_ratio", NAN));
		else
			fputs("–", f);
		fprintf(f, " | %.0f/%.0f |\n", json_num(s, "ok", NAN), json_num(s, "builds", NAN));
	}
}

static void md_stats(FILE *f, json_t *summary)
{
	static const char *const phases[] = {"cold", "warm"};
	static const char *const keys[] = {"median", "mean", "stddev", "min", "max"};
	json_t *s;
	size_t i, p, k;

	fputs("| variant | phase | n | median (s) | mean (s) | stddev (s) | min (s) | max (s) | outliers |\n"
	      "|:--|:--|--:|--:|--:|--:|--:|--:|--:|\n", f);
	json_array_foreach(summary, i, s) {
		for (p = 0; p < 2; p++) {
			json_t *st = json_object_get(s, phases[p]);
			if (!(json_num(st, "n", NAN) > 0))
				continue;
			fputs("| ", f);
			md_cell(f, json_str(s, "variant"));
			fprintf(f, " | %s | %.0f", phases[p], json_num(st, "n", NAN));
			for (k = 0; k < 5; k++) {
				fputs(" | ", f);
				put_num(f, json_num(st, keys[k], NAN), k == 2 ? 2 : 1, "–");
			}
			fprintf(f, " | %.0f |\n", json_num(st, "outliers", NAN));
		}
	}
}

/* The builds table; with an engine column when they came from several. */
static void md_builds(FILE *f, json_t *builds, bool engines)
{
	json_t *b;
	size_t i;

	fprintf(f, "| variant | rep | # | commit | subject | phase | status | wall (s) | cached steps | "
		"image (MB) | %snote |\n|:--|--:|--:|:--|:--|:--|:--|--:|--:|--:|%s:--|\n",
		engines ? "engine | " : "", engines ? ":--|" : "");
	json_array_foreach(builds, i, b) {
		fputs("| ", f);
		md_cell(f, json_str(b, "variant"));
		fprintf(f, " | %.0f | %.0f | `", json_num(b, "repetition", NAN), json_num(b, "index", NAN));
		md_cell(f, *json_str(b, "short") ? json_str(b, "short") : json_str(b, "commit"));
		fputs("` | ", f);
		md_cell(f, json_str(b, "subject"));
		fprintf(f, " | %s | %s | ", json_str(b, "phase"), json_str(b, "status"));
		put_num(f, json_num(b, "wall_seconds", NAN), 1, "–");
		fprintf(f, " | %.0f/%.0f | ", json_num(b, "steps_cached", NAN), json_num(b, "steps_total", NAN));
		if (json_num(b, "image_bytes", NAN) > 0)
			fprintf(f, "%.1f", json_num(b, "image_bytes", NAN) / 1e6);
		else
			fputs("–", f);
		fputs(" | ", f);
		if (engines) {
			md_cell(f, *json_str(b, "engine") ? json_str(b, "engine") : "default");
			fputs(" | ", f);
		}
		md_cell(f, json_str(b, "reason"));
		fputs(" |\n", f);
	}
}

static void write_markdown(FILE *f, json_t *run, json_t *summary)
{
	json_t *builds = json_object_get(run, "builds"), *scenario = json_object_get(run, "scenario");
	json_t *engines = results_engines(run), *e;
	size_t nsup = json_array_size(json_object_get(run, "superseded"));
	const char *name = json_str(scenario, "name");
	size_t i, ok = 0;
	json_t *b;

	json_array_foreach(builds, i, b)
		ok += !strcmp(json_str(b, "status"), "ok");
	fprintf(f, "## bench: %s\n\n", *name ? name : "(scenario not recorded)");
	if (*json_str(run, "started"))
		fprintf(f, "Started %s%s%s. ", json_str(run, "started"),
			*json_str(run, "ended") ? ", ended " : "", json_str(run, "ended"));
	fprintf(f, "%zu build%s, %zu ok.%s\n\n", json_array_size(builds),
		json_array_size(builds) == 1 ? "" : "s", ok,
		json_is_true(json_object_get(run, "finished")) ? ""
		: " **The run is not finished** (interrupted or still running).");
	md_versions(f, run);
	if (json_array_size(engines) > 1) {
		fputs("Built on engines ", f);
		json_array_foreach(engines, i, e)
			fprintf(f, "%s`%s` (%lld builds)", i ? ", " : "", json_str(e, "name"),
				(long long)json_integer_value(json_object_get(e, "builds")));
		fputs(": each series on one engine.\n\n", f);
	}
	if (nsup)
		fprintf(f, "%zu build%s made on an engine that stopped answering %s made again on another "
			"(the earlier ones are kept in run.json's `superseded`).\n\n", nsup, nsup == 1 ? "" : "s",
			nsup == 1 ? "was" : "were");
	if ((e = verdict_of(run))) {
		verdict_write(f, e, true);
		json_decref(e);
	}
	fputs("### Summary\n\n", f);
	md_summary(f, summary);
	fputs("\nTimes are wall seconds of ok builds; cold is the median cold build, cached steps "
	      "is over the warm builds.\n\n### Statistics\n\n", f);
	md_stats(f, summary);
	fputs("\n", f);
	outlier_warnings(f, summary, "> ");
	{
		struct contention c;
		contention_of(&c, builds, NULL);
		contention_warning(f, &c, "the builds", "> ");
	}
	fputs("\n### Builds\n\n", f);
	md_builds(f, builds, json_array_size(engines) > 1);
	json_decref(engines);
}

/* ---- csv ---- */

void report_csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, json_t *run, json_t *summary)
{
	static const char *const phases[] = {"cold", "warm"};
	static const char *const keys[] = {"n", "median", "mean", "stddev", "min", "max", "outliers"};
	json_t *s, *b;
	size_t i, p, k;

	fputs("variant,builds,ok,cold_seconds,warm_median_seconds,warm_over_cold,cached_step_ratio", f);
	for (p = 0; p < 2; p++)
		for (k = 0; k < 7; k++)
			fprintf(f, ",%s_%s", phases[p], keys[k]);
	fputs("\n", f);
	json_array_foreach(summary, i, s) {
		report_csv_text(f, json_str(s, "variant"));
		fprintf(f, ",%.0f,%.0f,", json_num(s, "builds", NAN), json_num(s, "ok", NAN));
		put_num(f, json_num(s, "cold_seconds", NAN), 3, "");
		fputs(",", f);
		put_num(f, json_num(s, "warm_median_seconds", NAN), 3, "");
		fputs(",", f);
		put_num(f, json_num(s, "warm_over_cold", NAN), 4, "");
		fputs(",", f);
		put_num(f, json_num(s, "cached_step_ratio", NAN), 4, "");
		for (p = 0; p < 2; p++) {
			json_t *st = json_object_get(s, phases[p]);
			bool none = !(json_num(st, "n", NAN) > 0);
			for (k = 0; k < 7; k++) {
				fputs(",", f);
				put_num(f, k && none ? NAN : json_num(st, keys[k], NAN), k == 0 || k == 6 ? 0 : 3, "");
			}
		}
		fputs("\n", f);
	}
	fputs("\n", f);
	fputs(results_csv_header(), f);
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		char *row = results_csv_row(b);
		fputs(row, f);
		free(row);
	}
}

/* ---- benchmark-action ---- */

static json_t *bench_entry(const char *variant, const char *what, const char *unit, double value,
			   json_t *st)
{
	json_t *e = json_object();
	char *name = xasprintf("%s %s", variant, what);

	json_object_set_new(e, "name", json_string(name));
	json_object_set_new(e, "unit", json_string(unit));
	json_object_set_new(e, "value", json_real(value));
	if (st) {
		char *extra = xasprintf("n=%.0f mean=%.3f s stddev=%.3f s min=%.3f s max=%.3f s",
					json_num(st, "n", NAN), json_num(st, "mean", NAN), json_num(st, "stddev", NAN),
					json_num(st, "min", NAN), json_num(st, "max", NAN));
		json_object_set_new(e, "extra", json_string(extra));
		free(extra);
	}
	free(name);
	return e;
}

static json_t *benchmark_action(json_t *summary)
{
	json_t *out = json_array(), *s;
	size_t i;

	json_array_foreach(summary, i, s) {
		const char *v = json_str(s, "variant");
		if (isfinite(json_num(s, "cold_seconds", NAN)))
			json_array_append_new(out, bench_entry(v, "cold build", "s", json_num(s, "cold_seconds", NAN),
							       json_object_get(s, "cold")));
		if (isfinite(json_num(s, "warm_median_seconds", NAN)))
			json_array_append_new(out, bench_entry(v, "warm median", "s",
							       json_num(s, "warm_median_seconds", NAN),
							       json_object_get(s, "warm")));
		if (isfinite(json_num(s, "warm_over_cold", NAN)))
			json_array_append_new(out, bench_entry(v, "warm/cold", "ratio",
							       json_num(s, "warm_over_cold", NAN), NULL));
	}
	return out;
}

int report_write(FILE *f, json_t *run, enum report_format format)
{
	json_t *builds = json_object_get(run, "builds"), *summary, *doc = NULL;
	int error = 0;

	if (!json_is_array(builds))
		builds = NULL;
	summary = results_summary(builds);
	switch (format) {
	case REPORT_MARKDOWN:
		write_markdown(f, run, summary);
		break;
	case REPORT_CSV:
		write_csv(f, run, summary);
		break;
	case REPORT_JSON:
		doc = json_pack("{s:O, s:o, s:o, s:o}", "summary", summary, "builds",
				builds ? json_incref(builds) : json_array(), "verdict",
				verdict_of(run) ?: json_null(), "engines", versions_of_run(run));
		break;
	case REPORT_BENCHMARK_ACTION:
		doc = benchmark_action(summary);
		break;
	case REPORT_TEXT:
		runsummary_print(f, run);
		break;
	case REPORT_HTML: /* needs the folder (charts, gate.json): html_run_write */
		error = bench_error_set(BENCH_EINVALID, "the html report is written from a results folder");
		break;
	}
	if (doc && (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 ||
		    fputc('\n', f) == EOF))
		error = bench_error_set(BENCH_EIO, "cannot write the report");
	if (!error && (fflush(f) == EOF || ferror(f)))
		error = bench_error_errno(BENCH_EIO, "cannot write the report");
	json_decref(doc);
	json_decref(summary);
	return error;
}
