/*
 * sweep_report.c: a sweep record (sweep.json, see sweep.h) as text,
 * markdown, csv or json (its chart is pages/sweep_chart.c).
 */
#include "results/sweep_report.h"
#include "lib/error.h"
#include "lib/jsonx.h"
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
