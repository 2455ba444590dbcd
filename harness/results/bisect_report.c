/*
 * bisect_report.c: a bisection's record (bisect.json, see bisect_report.h)
 * read back, and written as text, markdown, csv or json.
 */
#include "results/bisect_report.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int bisect_report_load(json_t **out, const char *dir)
{
	char *path = path_join(dir, BISECT_JSON);
	json_error_t jerr;
	int error = 0;

	*out = NULL;
	if (!path_exists(path))
		error = bench_error_set(BENCH_ENOTFOUND, "'%s' has no %s (not a bench bisect folder)", dir,
					BISECT_JSON);
	else if (!(*out = json_load_file(path, 0, &jerr)))
		error = bench_error_set(BENCH_EINVALID, "cannot read '%s': %s", path, jerr.text);
	else if (!json_is_object(*out) || !json_object_get(*out, "bench_bisect"))
		error = bench_error_set(BENCH_EINVALID, "'%s' is not a bisection record (no bench_bisect key)",
					path);
	if (error) {
		json_decref(*out);
		*out = NULL;
	}
	free(path);
	return error;
}

/* "found in 6 probes for 12 commits (log2 12 = 3.6, plus the two ends)". */
static void probe_count_text(FILE *f, json_t *b)
{
	double n = json_num(b, "range", 0);
	fprintf(f, "%.0f probe%s for %.0f commit%s (log2 %.0f = %.1f, plus the good and the bad end)",
		json_num(b, "probe_count", 0), json_num(b, "probe_count", 0) == 1 ? "" : "s", n,
		n == 1 ? "" : "s", n, n > 0 ? log2(n) : 0);
}

static const char *value_text(char *buf, size_t size, json_t *p)
{
	snprintf(buf, size, "%.0f/%.0f", json_num(p, "cached_steps", 0), json_num(p, "steps_total", 0));
	return buf;
}

static void write_text(FILE *f, json_t *b)
{
	json_t *probes = json_object_get(b, "probes"), *p, *c = json_object_get(b, "culprit"), *x;
	const char *state = json_str(b, "state");
	char buf[32];
	size_t i;

	fprintf(f, "\nbisect of variant '%s' over %s (%.0f commits), metric %s\n", json_str(b, "variant"),
		json_str(b, "commits"), json_num(b, "range", 0), json_str(b, "metric"));
	fprintf(f, "%5s  %-7s  %-15s  %-7s  %6s  %7s  %s\n", "probe", "commit", "role", "status", "cached",
		"warm s", "verdict");
	json_array_foreach(probes, i, p)
		fprintf(f, "%5.0f  %-7s  %-15s  %-7s  %6s  %7.2f  %s%s%s\n", json_num(p, "probe", 0),
			json_str(p, "short"), json_str(p, "role"), json_str(p, "status"),
			value_text(buf, sizeof(buf), p), json_num(p, "warm_seconds", NAN),
			*json_str(p, "verdict") ? json_str(p, "verdict") : "-",
			*json_str(p, "note") ? ": " : "", json_str(p, "note"));
	if (!strcmp(state, "found") && json_is_object(c)) {
		fprintf(f, "\nfirst bad commit: %s %s\n  found in ", json_str(c, "commit"), json_str(c, "subject"));
		probe_count_text(f, b);
		fprintf(f, "\n  changed:");
		json_array_foreach(json_object_get(c, "changed"), i, x)
			fprintf(f, " %s", json_string_value(x));
		fprintf(f, "\n  cached steps %.0f/%.0f, the good end's %.0f; warm %.2f s, the good end's %.2f s\n",
			json_num(c, "cached_steps", 0), json_num(c, "steps_total", 0), json_num(c, "good_cached_steps", 0),
			json_num(c, "warm_seconds", NAN), json_num(c, "good_warm_seconds", NAN));
		if (json_array_size(json_object_get(c, "broken_steps"))) {
			fprintf(f, "  cache broken (cached at the good end, rebuilt here):\n");
			json_array_foreach(json_object_get(c, "broken_steps"), i, x) {
				if (json_is_number(json_object_get(x, "line")))
					fprintf(f, "    %s:%.0f  %s\n", json_str(c, "dockerfile"), json_num(x, "line", 0),
						json_str(x, "step"));
				else
					fprintf(f, "    %s  %s\n", json_str(c, "dockerfile"), json_str(x, "step"));
			}
		}
	} else if (!strcmp(state, "none")) {
		fprintf(f, "\nno bad commit: %s\n  ", json_str(b, "reason"));
		probe_count_text(f, b);
		fputc('\n', f);
	} else {
		fprintf(f, "\n%s: %s\n  ", !strcmp(state, "undecided") ? "could not decide" : "not finished",
			*json_str(b, "reason") ? json_str(b, "reason") : "interrupted before a verdict");
		probe_count_text(f, b);
		fputc('\n', f);
	}
}

/* A markdown table cell: '|' and newlines would end it. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++)
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	fputc(' ', f);
}

static void write_markdown(FILE *f, json_t *b)
{
	json_t *p, *c = json_object_get(b, "culprit"), *x;
	char buf[64];
	size_t i;

	fprintf(f, "## bench bisect: variant `%s` over `%s`\n\n", json_str(b, "variant"), json_str(b, "commits"));
	fprintf(f, "**%s** ", !strcmp(json_str(b, "state"), "found") ? "Found" :
		!strcmp(json_str(b, "state"), "none") ? "No bad commit" :
		!strcmp(json_str(b, "state"), "undecided") ? "Could not decide" : "Not finished");
	fprintf(f, "(metric %s): %s. ", json_str(b, "metric"), json_str(b, "reason"));
	probe_count_text(f, b);
	fputs(".\n\n", f);
	if (json_is_object(c)) {
		fprintf(f, "Changed:");
		json_array_foreach(json_object_get(c, "changed"), i, x)
			fprintf(f, " `%s`", json_string_value(x));
		fputs("\n\n", f);
		if (json_array_size(json_object_get(c, "broken_steps"))) {
			fputs("| Dockerfile line | step (cached at the good end, rebuilt here) |\n|---|---|\n", f);
			json_array_foreach(json_object_get(c, "broken_steps"), i, x) {
				snprintf(buf, sizeof(buf), "%s:%.0f", json_str(c, "dockerfile"), json_num(x, "line", 0));
				md_cell(f, json_is_number(json_object_get(x, "line")) ? buf : json_str(c, "dockerfile"));
				md_cell(f, json_str(x, "step"));
				fputs("|\n", f);
			}
			fputc('\n', f);
		}
	}
	fputs("| probe | commit | subject | role | status | cached steps | warm s | verdict |\n"
	      "|---:|---|---|---|---|---:|---:|---|\n", f);
	json_array_foreach(json_object_get(b, "probes"), i, p) {
		snprintf(buf, sizeof(buf), "%.0f", json_num(p, "probe", 0));
		md_cell(f, buf);
		md_cell(f, json_str(p, "short"));
		md_cell(f, json_str(p, "subject"));
		md_cell(f, json_str(p, "role"));
		md_cell(f, json_str(p, "status"));
		md_cell(f, value_text(buf, sizeof(buf), p));
		snprintf(buf, sizeof(buf), "%.2f", json_num(p, "warm_seconds", NAN));
		md_cell(f, buf);
		md_cell(f, *json_str(p, "verdict") ? json_str(p, "verdict") : "-");
		fputs("|\n", f);
	}
}

static void write_csv(FILE *f, json_t *b)
{
	json_t *p;
	size_t i;

	fputs("probe,commit,subject,role,status,cached_steps,steps_total,warm_seconds,verdict,note\n", f);
	json_array_foreach(json_object_get(b, "probes"), i, p) {
		static const char *const text[] = {"commit", "subject", "role", "status"};
		size_t k;
		fprintf(f, "%.0f", json_num(p, "probe", 0));
		for (k = 0; k < 4; k++) {
			fputc(',', f);
			report_csv_text(f, json_str(p, text[k]));
		}
		fprintf(f, ",%.0f,%.0f,%.3f,", json_num(p, "cached_steps", 0), json_num(p, "steps_total", 0),
			json_num(p, "warm_seconds", NAN));
		report_csv_text(f, json_str(p, "verdict"));
		fputc(',', f);
		report_csv_text(f, json_str(p, "note"));
		fputc('\n', f);
	}
}

int bisect_report_write(FILE *f, json_t *bisect, enum report_format format)
{
	switch (format) {
	case REPORT_TEXT:
		write_text(f, bisect);
		break;
	case REPORT_MARKDOWN:
		write_markdown(f, bisect);
		break;
	case REPORT_CSV:
		write_csv(f, bisect);
		break;
	case REPORT_JSON:
		if (json_dumpf(bisect, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0 || fputc('\n', f) == EOF)
			return bench_error_set(BENCH_EIO, "cannot write the report");
		break;
	default:
		return bench_error_set(BENCH_EINVALID, "a bisect folder is reported as text, markdown, csv, "
				       "json or html");
	}
	if (fflush(f) == EOF || ferror(f))
		return bench_error_errno(BENCH_EIO, "cannot write the report");
	return 0;
}
