/* test_report.c: unit tests of report.c: every report format field by field
 * on the recorded runs in tests/data/runs (compare.c: test_compare.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "results/report.h"
#include "results/results.h"
#include "results/versions.h"
#include "lib/util.h"

#include "reporoot.h"

static char *run_dir(const char *name)
{
	char *root = repo_root(), *d = xasprintf("%s/tests/data/runs/%s", root, name);
	free(root);
	return d;
}

static json_t *load(const char *name)
{
	char *dir = run_dir(name), *missing = NULL;
	json_t *run = NULL;
	if (results_load(&run, &missing, dir) < 0)
		fail_msg("%s", bench_error_last());
	free(missing);
	free(dir);
	return run;
}

/* The report of run in format, as a string. */
static char *report(json_t *run, enum report_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_write(f, run, format), 0);
	fclose(f);
	return buf;
}

/* The line of text that starts with prefix, as a new string, or NULL. */
static char *line_starting(const char *text, const char *prefix)
{
	const char *p = text;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		if (!strncmp(p, prefix, strlen(prefix)))
			return xstrndup(p, n);
		p += n + (p[n] ? 1 : 0);
	}
	return NULL;
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
	const char *p = text;
	size_t count = 0;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		count += !strncmp(p, prefix, strlen(prefix));
		p += n + (p[n] ? 1 : 0);
	}
	return count;
}

static void test_format_parse(void **state)
{
	enum report_format f;
	(void)state;

	assert_int_equal(report_format_parse(&f, "markdown"), 0);
	assert_int_equal(f, REPORT_MARKDOWN);
	assert_int_equal(report_format_parse(&f, "csv"), 0);
	assert_int_equal(f, REPORT_CSV);
	assert_int_equal(report_format_parse(&f, "json"), 0);
	assert_int_equal(f, REPORT_JSON);
	assert_int_equal(report_format_parse(&f, "benchmark-action"), 0);
	assert_int_equal(f, REPORT_BENCHMARK_ACTION);
	assert_int_equal(report_format_parse(&f, "yaml"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "'yaml'"));
}

static void test_markdown(void **state)
{
	json_t *a = load("synthetic-a"), *b = load("synthetic-b");
	char *md = report(a, REPORT_MARKDOWN), *mdb = report(b, REPORT_MARKDOWN), *row;
	(void)state;

	assert_non_null(strstr(md, "## bench: cafeboo"));
	assert_non_null(strstr(md, "24 builds, 23 ok."));
	assert_null(strstr(md, "not finished"));
	/* summary rows: cold, warm median, warm/cold, cached steps, ok/builds */
	row = line_starting(md, "| local-cache | ");
	assert_non_null(row);
	assert_string_equal(row, "| local-cache | 150.2 | 18.2 | 0.12 | 89 % | 8/8 |");
	free(row);
	row = line_starting(md, "| registry-cache | ");
	assert_string_equal(row, "| registry-cache | 157.0 | 13.3 | 0.08 | 89 % | 7/8 |");
	free(row);
	/* statistics rows: n, median, mean, stddev, min, max, outliers */
	row = line_starting(md, "| no-cache | warm | ");
	assert_string_equal(row, "| no-cache | warm | 6 | 168.6 | 175.1 | 22.38 | 161.7 | 220.2 | 1 |");
	free(row);
	/* the outlier warning, hyperfine style; none for b */
	assert_non_null(strstr(md, "warning: statistical outliers were detected in the warm builds "
				   "of 'no-cache' (1 of 6)"));
	assert_null(strstr(mdb, "warning: statistical outliers"));
	/* one table row per build (24) plus the failed one's reason */
	assert_int_equal(count_lines_starting(md, "| no-cache | 1 | ") +
			 count_lines_starting(md, "| no-cache | 2 | ") +
			 count_lines_starting(md, "| local-cache | 1 | ") +
			 count_lines_starting(md, "| local-cache | 2 | ") +
			 count_lines_starting(md, "| registry-cache | 1 | ") +
			 count_lines_starting(md, "| registry-cache | 2 | "), 24);
	row = line_starting(md, "| registry-cache | 2 | 4 | ");
	assert_non_null(row);
	assert_non_null(strstr(row, "| warm | failed | 31.2 | 7/9 | – | step '[deps 2/2] RUN pip"));
	free(row);
	free(md);
	free(mdb);
	json_decref(a);
	json_decref(b);
}

static void test_markdown_interrupted(void **state)
{
	json_t *run = load("interrupted");
	char *md = report(run, REPORT_MARKDOWN), *row;
	(void)state;

	assert_non_null(strstr(md, "(scenario not recorded)"));
	assert_non_null(strstr(md, "**The run is not finished**"));
	assert_non_null(strstr(md, "6 builds, 5 ok."));
	row = line_starting(md, "| local-cache | ");
	assert_string_equal(row, "| local-cache | 145.8 | – | – | – | 1/2 |");
	free(row);
	free(md);
	json_decref(run);
}

static void test_csv(void **state)
{
	json_t *run = load("synthetic-a");
	char *csv = report(run, REPORT_CSV), *blank, *line;
	(void)state;

	line = line_starting(csv, "variant,builds,ok,cold_seconds,warm_median_seconds,warm_over_cold,"
			     "cached_step_ratio,cold_n,cold_median,");
	assert_non_null(line);
	free(line);
	line = line_starting(csv, "local-cache,8,8,");
	assert_non_null(line);
	assert_true(!strncmp(line, "local-cache,8,8,150.209,18.169,0.1210,0.8889,2,150.209,", 55));
	free(line);
	/* a blank line, then builds.csv's header and one row per build */
	blank = strstr(csv, "\n\n");
	assert_non_null(blank);
	assert_true(!strncmp(blank + 2, results_csv_header(), strlen(results_csv_header())));
	assert_int_equal(count_lines_starting(blank + 2, "no-cache,") +
			 count_lines_starting(blank + 2, "local-cache,") +
			 count_lines_starting(blank + 2, "registry-cache,"), 24);
	line = line_starting(blank + 2, "registry-cache,2,4,");
	assert_non_null(strstr(line, ",warm,failed,1,"));
	free(line);
	free(csv);
	json_decref(run);
}

static void test_json(void **state)
{
	json_t *run = load("synthetic-a"), *doc, *s, *warm;
	char *text = report(run, REPORT_JSON);
	json_error_t err;
	(void)state;

	doc = json_loads(text, 0, &err);
	if (!doc)
		fail_msg("invalid json: %s", err.text);
	assert_int_equal(json_object_size(doc), 4); /* summary, builds, verdict, engines */
	/* the verdict, computed for a run recorded before verdicts (verdict.h) */
	assert_true(json_is_array(json_object_get(json_object_get(doc, "verdict"), "variants")));
	assert_true(json_is_object(json_object_get(json_object_get(doc, "verdict"), "mix")));
	assert_int_equal(json_array_size(json_object_get(doc, "builds")), 24);
	assert_int_equal(json_array_size(json_object_get(doc, "summary")), 3);
	s = json_array_get(json_object_get(doc, "summary"), 2);
	assert_string_equal(json_string_value(json_object_get(s, "variant")), "registry-cache");
	assert_int_equal(json_integer_value(json_object_get(s, "builds")), 8);
	assert_int_equal(json_integer_value(json_object_get(s, "ok")), 7);
	warm = json_object_get(s, "warm");
	assert_int_equal(json_integer_value(json_object_get(warm, "n")), 5);
	assert_true(fabs(json_number_value(json_object_get(s, "cold_seconds")) - 157.0) < 0.01);
	assert_true(json_number_value(json_object_get(warm, "min")) <=
		    json_number_value(json_object_get(warm, "median")));
	/* the builds are the records themselves */
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "builds"), 23), "status")), "failed");
	json_decref(doc);
	free(text);
	json_decref(run);
}

static void test_benchmark_action(void **state)
{
	json_t *run = load("synthetic-b"), *doc, *e, *summary;
	char *text = report(run, REPORT_BENCHMARK_ACTION);
	json_error_t err;
	size_t i, found = 0;
	(void)state;

	doc = json_loads(text, 0, &err);
	if (!doc)
		fail_msg("invalid json: %s", err.text);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 9); /* 3 variants x cold, warm, warm/cold */
	summary = results_summary(json_object_get(run, "builds"));
	json_array_foreach(doc, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		assert_non_null(name);
		assert_true(json_is_number(json_object_get(e, "value")));
		assert_non_null(json_string_value(json_object_get(e, "unit")));
		if (!strcmp(name, "local-cache warm median")) {
			json_t *s = json_array_get(summary, 1);
			found++;
			assert_string_equal(json_string_value(json_object_get(e, "unit")), "s");
			assert_true(fabs(json_number_value(json_object_get(e, "value")) -
					 json_number_value(json_object_get(s, "warm_median_seconds"))) < 1e-6);
			assert_non_null(strstr(json_string_value(json_object_get(e, "extra")), "n=6 "));
		} else if (!strcmp(name, "no-cache cold build")) {
			found++;
			assert_string_equal(json_string_value(json_object_get(e, "unit")), "s");
			assert_true(fabs(json_number_value(json_object_get(e, "value")) - 116.9) < 0.1);
		} else if (!strcmp(name, "registry-cache warm/cold")) {
			found++;
			assert_string_equal(json_string_value(json_object_get(e, "unit")), "ratio");
			assert_null(json_object_get(e, "extra"));
		}
	}
	assert_int_equal(found, 3);
	json_decref(summary);
	json_decref(doc);
	free(text);
	json_decref(run);
}

/* The engine versions (docker.c records them in the environment and in
 * each engine's fingerprint): read back per engine, buildx shortened, in
 * the markdown, json and text reports; a run from before them says
 * nothing, and its json carries nulls. */
static void test_engine_versions(void **state)
{
	json_t *run = json_pack(
		"{s:[], s:{s:s, s:s, s:s, s:s, s:["
		"{s:s, s:s, s:s, s:s, s:s},"
		"{s:s, s:s, s:s}]}}",
		"builds", "environment", "docker_server", "28.5.2+dfsg4",
		"buildx", "github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4", "containerd", "2.1.9+unknown",
		"buildkit", "v0.0.0+unknown", "engines",
		"name", "default", "docker_server", "28.5.2+dfsg4",
		"buildx", "github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4", "containerd", "2.1.9+unknown",
		"buildkit", "v0.0.0+unknown",
		"name", "old", "docker_server", "26.1.5+dfsg1", "buildx", "0.13.1");
	json_t *v, *doc;
	char *text, *md, *js, *line;
	(void)state;

	v = versions_of_run(run);
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "buildx")), "0.29.1+ds1");
	assert_true(json_is_null(json_object_get(json_array_get(v, 1), "containerd")));
	text = versions_text(json_array_get(v, 0));
	assert_string_equal(text, "docker 28.5.2+dfsg4, buildx 0.29.1+ds1, containerd 2.1.9+unknown, "
			    "BuildKit v0.0.0+unknown");
	free(text);
	text = versions_text(json_array_get(v, 1));
	assert_string_equal(text, "docker 26.1.5+dfsg1, buildx 0.13.1");
	free(text);
	json_decref(v);

	md = report(run, REPORT_MARKDOWN);
	line = line_starting(md, "Engines: ");
	assert_non_null(line);
	assert_string_equal(line, "Engines: `default` docker 28.5.2+dfsg4, buildx 0.29.1+ds1, containerd "
			    "2.1.9+unknown, BuildKit v0.0.0+unknown; `old` docker 26.1.5+dfsg1, buildx 0.13.1.");
	free(line);
	free(md);
	js = report(run, REPORT_JSON);
	doc = json_loads(js, 0, NULL);
	assert_non_null(doc);
	v = json_array_get(json_object_get(doc, "engines"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "default");
	assert_string_equal(json_string_value(json_object_get(v, "docker_server")), "28.5.2+dfsg4");
	assert_string_equal(json_string_value(json_object_get(v, "containerd")), "2.1.9+unknown");
	assert_string_equal(json_string_value(json_object_get(v, "buildkit")), "v0.0.0+unknown");
	json_decref(doc);
	free(js);
	text = report(run, REPORT_TEXT);
	assert_non_null(strstr(text, "\nengine old: docker 26.1.5+dfsg1, buildx 0.13.1\n"));
	free(text);

	/* one engine: "Engine: ...", "engine: ..." */
	json_array_remove(json_object_get(json_object_get(run, "environment"), "engines"), 1);
	md = report(run, REPORT_MARKDOWN);
	line = line_starting(md, "Engine: ");
	assert_non_null(line);
	assert_string_equal(line, "Engine: docker 28.5.2+dfsg4, buildx 0.29.1+ds1, containerd 2.1.9+unknown, "
			    "BuildKit v0.0.0+unknown.");
	free(line);
	free(md);
	text = report(run, REPORT_TEXT);
	assert_non_null(strstr(text, "\nengine: docker 28.5.2+dfsg4, buildx 0.29.1+ds1, containerd 2.1.9+unknown, "
			       "BuildKit v0.0.0+unknown\n"));
	free(text);

	/* a run without versions: no line, nulls in the json */
	json_object_set_new(run, "environment", json_pack("{s:s}", "hostname", "h"));
	md = report(run, REPORT_MARKDOWN);
	assert_null(strstr(md, "Engine"));
	free(md);
	v = versions_of_run(run);
	assert_int_equal(json_array_size(v), 1);
	assert_true(json_is_null(json_object_get(json_array_get(v, 0), "docker_server")));
	text = versions_text(json_array_get(v, 0));
	assert_string_equal(text, "");
	free(text);
	json_decref(v);
	json_decref(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_markdown_interrupted),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_benchmark_action),
		cmocka_unit_test(test_engine_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
