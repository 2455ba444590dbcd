/*
 * report.c: `bench report` formats (markdown, csv, json, benchmark-action)
 * of one run. The comparison of two runs is in compare.c.
 */
#include "report.h"
#include "error.h"
#include "results.h"
#include "util.h"

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
	else
		return bench_error_set(BENCH_EINVALID, "unknown report format '%s' (use markdown, csv, "
				       "json or benchmark-action)", name);
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
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
			double out = jnum(st, "outliers"), n = jnum(st, "n");
			if (!(out > 0))
				continue;
			fprintf(f, "%swarning: statistical outliers were detected in the %s builds of "
				"'%s' (%.0f of %.0f). Consider re-running the benchmark on a quiet machine, "
				"without other programs competing for CPU, disk or network.\n",
				prefix, phases[p], jstr(s, "variant"), out, n);
		}
	}
}

/* ---- markdown ---- */

static void md_summary(FILE *f, json_t *summary)
{
	json_t *s;
	size_t i;

	fputs("| variant | cold (s) | warm median (s) | warm/cold | cached steps (warm) | ok builds |\n"
	      "|:--|--:|--:|--:|--:|--:|\n", f);
	json_array_foreach(summary, i, s) {
		fputs("| ", f);
		md_cell(f, jstr(s, "variant"));
		fputs(" | ", f);
		put_num(f, jnum(s, "cold_seconds"), 1, "–");
		fputs(" | ", f);
		put_num(f, jnum(s, "warm_median_seconds"), 1, "–");
		fputs(" | ", f);
		put_num(f, jnum(s, "warm_over_cold"), 2, "–");
		fputs(" | ", f);
		if (isfinite(jnum(s, "cached_step_ratio")))
			fprintf(f, "%.0f %%", 100 * jnum(s, "cached_step_ratio"));
		else
			fputs("–", f);
		fprintf(f, " | %.0f/%.0f |\n", jnum(s, "ok"), jnum(s, "builds"));
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
			if (!(jnum(st, "n") > 0))
				continue;
			fputs("| ", f);
			md_cell(f, jstr(s, "variant"));
			fprintf(f, " | %s | %.0f", phases[p], jnum(st, "n"));
			for (k = 0; k < 5; k++) {
				fputs(" | ", f);
				put_num(f, jnum(st, keys[k]), k == 2 ? 2 : 1, "–");
			}
			fprintf(f, " | %.0f |\n", jnum(st, "outliers"));
		}
	}
}

static void md_builds(FILE *f, json_t *builds)
{
	json_t *b;
	size_t i;

	fputs("| variant | rep | # | commit | subject | phase | status | wall (s) | cached steps | "
	      "image (MB) | note |\n|:--|--:|--:|:--|:--|:--|:--|--:|--:|--:|:--|\n", f);
	json_array_foreach(builds, i, b) {
		fputs("| ", f);
		md_cell(f, jstr(b, "variant"));
		fprintf(f, " | %.0f | %.0f | `", jnum(b, "repetition"), jnum(b, "index"));
		md_cell(f, *jstr(b, "short") ? jstr(b, "short") : jstr(b, "commit"));
		fputs("` | ", f);
		md_cell(f, jstr(b, "subject"));
		fprintf(f, " | %s | %s | ", jstr(b, "phase"), jstr(b, "status"));
		put_num(f, jnum(b, "wall_seconds"), 1, "–");
		fprintf(f, " | %.0f/%.0f | ", jnum(b, "steps_cached"), jnum(b, "steps_total"));
		if (jnum(b, "image_bytes") > 0)
			fprintf(f, "%.1f", jnum(b, "image_bytes") / 1e6);
		else
			fputs("–", f);
		fputs(" | ", f);
		md_cell(f, jstr(b, "reason"));
		fputs(" |\n", f);
	}
}

static void write_markdown(FILE *f, json_t *run, json_t *summary)
{
	json_t *builds = json_object_get(run, "builds"), *scenario = json_object_get(run, "scenario");
	const char *name = jstr(scenario, "name");
	size_t i, ok = 0;
	json_t *b;

	json_array_foreach(builds, i, b)
		ok += !strcmp(jstr(b, "status"), "ok");
	fprintf(f, "## bench: %s\n\n", *name ? name : "(scenario not recorded)");
	if (*jstr(run, "started"))
		fprintf(f, "Started %s%s%s. ", jstr(run, "started"),
			*jstr(run, "ended") ? ", ended " : "", jstr(run, "ended"));
	fprintf(f, "%zu build%s, %zu ok.%s\n\n", json_array_size(builds),
		json_array_size(builds) == 1 ? "" : "s", ok,
		json_is_true(json_object_get(run, "finished")) ? ""
		: " **The run is not finished** (interrupted or still running).");
	md_summary(f, summary);
	fputs("\nTimes are wall seconds of ok builds; cold is the median cold build, cached steps "
	      "is over the warm builds.\n\n### Statistics\n\n", f);
	md_stats(f, summary);
	fputs("\n", f);
	outlier_warnings(f, summary, "> ");
	fputs("\n### Builds\n\n", f);
	md_builds(f, builds);
}

/* ---- csv ---- */

static void csv_text(FILE *f, const char *s)
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
		csv_text(f, jstr(s, "variant"));
		fprintf(f, ",%.0f,%.0f,", jnum(s, "builds"), jnum(s, "ok"));
		put_num(f, jnum(s, "cold_seconds"), 3, "");
		fputs(",", f);
		put_num(f, jnum(s, "warm_median_seconds"), 3, "");
		fputs(",", f);
		put_num(f, jnum(s, "warm_over_cold"), 4, "");
		fputs(",", f);
		put_num(f, jnum(s, "cached_step_ratio"), 4, "");
		for (p = 0; p < 2; p++) {
			json_t *st = json_object_get(s, phases[p]);
			bool none = !(jnum(st, "n") > 0);
			for (k = 0; k < 7; k++) {
				fputs(",", f);
				put_num(f, k && none ? NAN : jnum(st, keys[k]), k == 0 || k == 6 ? 0 : 3, "");
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
					jnum(st, "n"), jnum(st, "mean"), jnum(st, "stddev"),
					jnum(st, "min"), jnum(st, "max"));
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
		const char *v = jstr(s, "variant");
		if (isfinite(jnum(s, "cold_seconds")))
			json_array_append_new(out, bench_entry(v, "cold build", "s", jnum(s, "cold_seconds"),
							       json_object_get(s, "cold")));
		if (isfinite(jnum(s, "warm_median_seconds")))
			json_array_append_new(out, bench_entry(v, "warm median", "s",
							       jnum(s, "warm_median_seconds"),
							       json_object_get(s, "warm")));
		if (isfinite(jnum(s, "warm_over_cold")))
			json_array_append_new(out, bench_entry(v, "warm/cold", "ratio",
							       jnum(s, "warm_over_cold"), NULL));
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
		doc = json_pack("{s:O, s:o}", "summary", summary, "builds",
				builds ? json_incref(builds) : json_array());
		break;
	case REPORT_BENCHMARK_ACTION:
		doc = benchmark_action(summary);
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
