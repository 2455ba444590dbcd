/*
 * it_sweep.c: integration test of `bench sweep` on the real engine and the
 * emulated cafeboo world at scale 0.01, kept small: a busybox Dockerfile
 * that downloads the world's two models (8.9 MB at this scale, paced at
 * `bandwidth`), built without cache and with a local cache, over
 * 2 commits, at bandwidth 1MB/s and 10MB/s: 2 runs of 4 builds. The sweep
 * folder must hold both runs (each with its keys in run.json), the table,
 * the crossovers, the chart and the page; the download must take longer
 * at the lower bandwidth; and a bad --param value must be refused before
 * anything runs, naming the flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ittest.h"
#include "lib/jsonx.h"

static struct it_group grp; /* the one sweep (grp.dir: its folder; no run.json there) */
static char *scenario;
static json_t *sweep;

static const char dockerfile[] =
	"ARG BASE_IMAGE=bench/busybox:latest\n"
	"FROM ${BASE_IMAGE}\n"
	"ARG MODEL_BASE_URL\n"
	"RUN wget -q -O /model.pt \"${MODEL_BASE_URL}/ai_model_cafeboo/moderation_model/best_model.pt\" \\\n"
	" && wget -q -O /embedding.tar.gz \"${MODEL_BASE_URL}/ai_model_cafeboo/embedding_model.tar.gz\"\n"
	"COPY ai_project/requirements.txt /requirements.txt\n"
	"COPY ai_project /app\n";

static int setup(void **state)
{
	char *df, *text;
	(void)state;

	if (it_group_init(&grp, "bench-it-sweep") < 0)
		return -1;
	df = path_join(grp.tmp, "model.Dockerfile");
	it_write_text(df, dockerfile);
	scenario = path_join(grp.tmp, "sweep.ini");
	text = xasprintf("[scenario]\nname = sweep-it\ncommits = last:2\ntimeout = 5m\n\n"
			 "[world]\nkind = cafeboo\nscale = 0.01\nbandwidth = 20MB/s\n"
			 "base_image = bench/busybox:latest\n\n"
			 "[variant nocache]\ndockerfile = %s\ncache = none\n\n"
			 "[variant cached]\ndockerfile = %s\ncache = local\n", df, df);
	it_write_text(scenario, text);
	{
		const char *args[] = {"sweep", scenario, "--param", "bandwidth=1MB/s,10MB/s", NULL};
		it_group_run(&grp, args);
	}
	if (grp.dir) {
		char *path = path_join(grp.dir, "sweep.json");
		sweep = json_load_file(path, 0, NULL);
		free(path);
	}
	free(df);
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(sweep);
	free(scenario);
	it_group_release(&grp);
	return 0;
}

/* The run.json of point i. New reference. */
static json_t *point_run(size_t i)
{
	json_t *pt = json_array_get(json_object_get(sweep, "points"), i);
	char *dir = path_join(grp.dir, json_str(pt, "dir"));
	json_t *run = it_load_run(dir, NULL);
	free(dir);
	return run;
}

static double warm_of(size_t point, const char *variant)
{
	json_t *pt = json_array_get(json_object_get(sweep, "points"), point), *s;
	size_t i;
	json_array_foreach(json_object_get(pt, "summary"), i, s)
		if (!strcmp(json_str(s, "variant"), variant))
			return json_num(s, "warm_median_seconds", NAN);
	return NAN;
}

static void test_sweep_folder(void **state)
{
	size_t i;
	(void)state;

	if (grp.status != 0 || !sweep)
		fail_msg("bench sweep exited %d\nstdout:\n%s\nstderr:\n%s", grp.status, grp.out ? grp.out : "",
			 grp.err ? grp.err : "");
	assert_true(json_is_true(json_object_get(sweep, "finished")));
	assert_int_equal(json_array_size(json_object_get(sweep, "points")), 2);
	for (i = 0; i < 2; i++) {
		json_t *pt = json_array_get(json_object_get(sweep, "points"), i), *run = point_run(i), *b;
		const char *want = i ? "bandwidth=10MB/s" : "bandwidth=1MB/s";
		size_t k;

		assert_string_equal(json_str(pt, "state"), "done");
		assert_string_equal(json_str(pt, "label"), want);
		assert_non_null(run);
		/* the point's key is recorded with its run, and the world used it */
		assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(run,
			"scenario"), "overrides"), 0)), want);
		assert_true(fabs(json_num(json_object_get(json_object_get(run, "scenario"), "world"), "bandwidth", 0) -
				 (i ? 10e6 : 1e6)) < 1);
		assert_int_equal(json_array_size(json_object_get(run, "builds")), 4);
		json_array_foreach(json_object_get(run, "builds"), k, b)
			assert_string_equal(json_str(b, "status"), "ok");
		json_decref(run);
	}
	/* 8.9 MB at 1 MB/s against 10 MB/s: the build without cache downloads
	 * them on every build, so its warm build is about 8 s slower */
	if (!(warm_of(0, "nocache") > warm_of(1, "nocache") + 4))
		fail_msg("nocache warm: %.2f s at 1MB/s, %.2f s at 10MB/s", warm_of(0, "nocache"),
			 warm_of(1, "nocache"));
	assert_true(json_is_array(json_object_get(sweep, "crossovers")));
}

static void test_table_chart_page(void **state)
{
	char *png, *page, *html = NULL;
	size_t len;
	(void)state;

	assert_non_null(grp.dir);
	assert_non_null(strstr(grp.out, "sweep of sweep-it over bandwidth (1MB/s, 10MB/s)"));
	assert_non_null(strstr(grp.out, "bandwidth=1MB/s"));
	assert_true(strstr(grp.out, "crossover:") || strstr(grp.out, "no crossover:"));
	png = path_join(grp.dir, "plots/sweep.png");
	assert_true(path_exists(png));
	page = path_join(grp.dir, "index.html");
	assert_int_equal(read_file(&html, &len, page), 0);
	assert_non_null(strstr(html, "Crossovers"));
	assert_non_null(strstr(html, "<svg"));
	free(html);
	free(png);
	free(page);
	/* bench report reads the sweep folder */
	{
		const char *args[] = {"report", grp.dir, "--format", "csv", NULL};
		char *out = NULL, *err = NULL, *p;
		size_t lines = 0;
		assert_int_equal(it_bench(&out, &err, args), 0);
		for (p = out; (p = strchr(p, '\n')); p++)
			lines++;
		assert_int_equal(lines, 1 + 2 * 2); /* the header, 2 points x 2 variants */
		assert_non_null(strstr(out, "point,label,bandwidth,variant,cold_seconds"));
		free(out);
		free(err);
	}
}

static void test_resume_finished(void **state)
{
	const char *args[] = {"sweep", scenario, "--resume", grp.dir, "--no-plot", NULL};
	char *out = NULL, *err = NULL;
	(void)state;

	assert_non_null(grp.dir);
	/* every point is done: nothing runs again, the table is printed */
	assert_int_equal(it_bench(&out, &err, args), 0);
	assert_null(strstr(out, "== point"));
	assert_non_null(strstr(out, "sweep of sweep-it over bandwidth"));
	free(out);
	free(err);
}

static void test_bad_param(void **state)
{
	char *results = path_join(grp.tmp, "refused"), *out = NULL, *err = NULL;
	const char *args[] = {"sweep", scenario, "--param", "bandwidth=1MB/s,fast", "--results", results, NULL};
	(void)state;

	assert_int_equal(it_bench(&out, &err, args), 2);
	if (!strstr(err, "--param bandwidth=fast: invalid size 'fast' for 'bandwidth'"))
		fail_msg("stderr: %s", err);
	assert_false(path_exists(results)); /* refused before anything was made */
	free(out);
	free(err);
	free(results);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_folder),
		cmocka_unit_test(test_table_chart_page),
		cmocka_unit_test(test_resume_finished),
		cmocka_unit_test(test_bad_param),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
