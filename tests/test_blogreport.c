/*
 * test_blogreport.c: the cafeboo report on a hand-made run whose figures are
 * known: the blog rows, the projection to scale 1, each target's value and
 * verdict, and the deps-rebuild check on requirement-changing commits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "blog/blogreport.h"
#include "lib/error.h"

/* One ok build: `wall` seconds, all in a pip step when `pip` (so it scales),
 * else in a base step (kept as measured). */
static json_t *build(const char *variant, int index, const char *phase, double wall, bool pip,
		     bool reqs_changed, bool deps_cached)
{
	const char *step = pip ? "[deps 2/2] RUN pip install --no-cache-dir -r requirements.txt"
			       : "[base 2/3] WORKDIR /app";
	json_t *steps = json_pack("[{s:s, s:f, s:b}]", "name", step, "seconds", wall, "cached",
				  pip ? deps_cached : true);
	if (!pip)
		json_array_append_new(steps, json_pack("{s:s, s:f, s:b}", "name",
			"[deps 2/2] RUN pip install --no-cache-dir -r requirements.txt", "seconds", 0.0,
			"cached", deps_cached));
	return json_pack("{s:s, s:i, s:s, s:s, s:f, s:f, s:o, s:[s]}", "variant", variant, "index", index,
			 "phase", phase, "status", "ok", "wall_seconds", wall, "build_seconds", wall,
			 "steps", steps, "changed", reqs_changed ? "ai_project/requirements.txt" : "ai_project/main.py");
}

static json_t *make_run_at(double optimized_warm, double scale);

static json_t *make_run(double optimized_warm)
{
	return make_run_at(optimized_warm, 0.05);
}

static json_t *make_run_at(double optimized_warm, double scale)
{
	json_t *builds = json_array();
	int i;
	for (i = 1; i <= 4; i++) {
		json_array_append_new(builds, build("single-stage-nocache", i, i == 1 ? "cold" : "warm", 40, true, false, false));
		json_array_append_new(builds, build("multi-stage-nocache", i, i == 1 ? "cold" : "warm", 44, true, false, false));
	}
	/* multi-stage cached: commit 3 bumps requirements, the deps step reruns there only */
	json_array_append_new(builds, build(BLOG_MULTI_CACHED, 1, "cold", 40, true, false, false));
	json_array_append_new(builds, build(BLOG_MULTI_CACHED, 2, "warm", 16, false, false, true));
	json_array_append_new(builds, build(BLOG_MULTI_CACHED, 3, "warm", 40, true, true, false));
	json_array_append_new(builds, build(BLOG_MULTI_CACHED, 4, "warm", 16, false, false, true));
	json_array_append_new(builds, build(BLOG_OPTIMIZED, 1, "cold", 40, true, false, false));
	json_array_append_new(builds, build(BLOG_OPTIMIZED, 2, "warm", optimized_warm, false, false, true));
	json_array_append_new(builds, build(BLOG_OPTIMIZED, 3, "warm", optimized_warm, false, false, true));
	return json_pack("{s:{s:{s:f}}, s:o}", "scenario", "world", "scale", scale, "builds", builds);
}

static json_t *target(json_t *ev, const char *prefix, int nth)
{
	json_t *t;
	size_t i;
	json_array_foreach(json_object_get(ev, "targets"), i, t)
		if (!strncmp(json_string_value(json_object_get(t, "target")), prefix, strlen(prefix)) && nth-- == 0)
			return t;
	fail_msg("no target '%s'", prefix);
	return NULL;
}

static void test_targets(void **state)
{
	json_t *run = make_run(4), *ev = blogreport_evaluate(run, NULL), *t, *row;
	(void)state;
	/* 44 / 40 = 1.1: within 0.8..1.2 */
	t = target(ev, "multi-stage no cache / single-stage", 0);
	assert_true(fabs(json_number_value(json_object_get(t, "value")) - 1.1) < 1e-9);
	assert_true(json_is_true(json_object_get(t, "held")));
	assert_true(json_is_true(json_object_get(target(ev, "multi-stage no cache / single-stage", 1), "held")));
	/* warm median 16 (of 16, 40, 16) / cold 40 = 0.4 */
	t = target(ev, "multi-stage cached: warm median / cold", 0);
	assert_true(fabs(json_number_value(json_object_get(t, "value")) - 0.4) < 1e-9);
	assert_true(json_is_true(json_object_get(t, "held")));
	/* optimized 4 / 40 = 0.1 and 4 / 16 = 0.25 */
	assert_true(json_is_true(json_object_get(target(ev, "optimized: warm median / cold", 0), "held")));
	t = target(ev, "optimized warm median / multi-stage", 0);
	assert_true(fabs(json_number_value(json_object_get(t, "value")) - 0.25) < 1e-9);
	assert_true(json_is_true(json_object_get(target(ev, "multi-stage cached: deps step rebuilt", 0), "held")));
	/* projection: pip time scales (40 / 0.05 = 800), the base step does not */
	row = json_array_get(json_object_get(ev, "rows"), 2); /* multi cached, first build */
	assert_true(fabs(json_number_value(json_object_get(row, "measured_seconds")) - 40) < 1e-9);
	assert_true(fabs(json_number_value(json_object_get(row, "projected_seconds")) - 800) < 1e-6);
	json_decref(ev);
	json_decref(run);
}

static void test_missed_target(void **state)
{
	json_t *run = make_run(12), *ev = blogreport_evaluate(run, NULL);
	(void)state;
	/* 12 / 16 = 0.75 > 0.5 */
	assert_false(json_is_true(json_object_get(target(ev, "optimized warm median / multi-stage", 0), "held")));
	json_decref(ev);
	json_decref(run);
}

static void test_print(void **state)
{
	json_t *run = make_run(4), *ev = blogreport_evaluate(run, NULL);
	char buf[16384] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	(void)state;
	blogreport_print(f, ev);
	fclose(f);
	assert_non_null(strstr(buf, "projected"));
	assert_non_null(strstr(buf, "held"));
	assert_non_null(strstr(buf, "under 4 min"));
	json_decref(ev);
	json_decref(run);
}

/* The blog's own figures beside the projected rows: the no-cache multi-stage
 * row is the fitted one, the cached rows are predictions, each with its
 * error; an "under" figure holds below it, an "about" one only near it. */
static void test_blog_figures(void **state)
{
	json_t *run = make_run(4), *calib = make_run_at(4, 0.001), *ev = blogreport_evaluate(run, calib), *row;
	(void)state;
	/* the calibration run is the same run at 0.001: every group that did not
	 * grow is a fixed cost, so nothing moves from the measured seconds */
	row = json_array_get(json_object_get(ev, "rows"), 1); /* multi-stage, no cache: 44 s */
	assert_string_equal(json_string_value(json_object_get(row, "blog_role")), "fitted");
	assert_true(fabs(json_number_value(json_object_get(row, "blog_seconds")) - BLOG_FIT_SECONDS) < 1e-9);
	assert_true(fabs(json_number_value(json_object_get(row, "blog_error")) - (44 / BLOG_FIT_SECONDS - 1)) < 1e-9);
	assert_false(json_is_true(json_object_get(row, "blog_within")));
	assert_string_equal(json_string_value(json_object_get(row, "blog_measure")), "step");
	row = json_array_get(json_object_get(ev, "rows"), 2); /* first cached build: 40 s against about 480 */
	assert_string_equal(json_string_value(json_object_get(row, "blog_role")), "predicted");
	assert_string_equal(json_string_value(json_object_get(row, "blog_bound")), "about");
	/* the blog times the cached builds as jobs: the build plus the 56 s of
	 * other steps its 7m29s job had beside the 6m33s Build & Push */
	assert_string_equal(json_string_value(json_object_get(row, "blog_measure")), "job");
	assert_true(fabs(json_number_value(json_object_get(row, "projected_job_seconds")) -
			 json_number_value(json_object_get(row, "projected_seconds")) - 56) < 1e-9);
	assert_true(fabs(json_number_value(json_object_get(row, "blog_error")) -
			 ((json_number_value(json_object_get(row, "projected_seconds")) + 56) / 480 - 1)) < 1e-9);
	assert_false(json_is_true(json_object_get(row, "blog_within")));
	row = json_array_get(json_object_get(ev, "rows"), 3); /* later builds: median 16 s, under 240 */
	assert_string_equal(json_string_value(json_object_get(row, "blog_bound")), "under");
	assert_true(json_number_value(json_object_get(row, "blog_error")) < 0);
	assert_true(json_is_true(json_object_get(row, "blog_within")));
	assert_null(json_object_get(json_array_get(json_object_get(ev, "rows"), 0), "blog_role"));
	assert_false(json_is_true(json_object_get(target(ev, "blog, multi-stage, no cache", 0), "held")));
	assert_false(json_is_true(json_object_get(target(ev, "blog, multi-stage + local cache, first", 0), "held")));
	assert_true(json_is_true(json_object_get(target(ev, "blog, multi-stage + local cache, later", 0), "held")));
	json_decref(ev);
	json_decref(calib);
	json_decref(run);
}

/* A calibration run at scale 0.001 whose optimized warm builds take 3 s
 * where the run's (at 0.05) take 4 s, all in the pip step: the line through
 * both is 4 + 0.95 x 1 / 0.049 at scale 1. The variants the calibration run
 * lacks are paired with its multi-stage cached builds of the same kind. */
static void test_calibrated(void **state)
{
	json_t *run = make_run_at(4, 0.05), *calib = make_run_at(3, 0.001), *ev, *row;
	(void)state;
	ev = blogreport_evaluate(run, calib);
	row = json_array_get(json_object_get(ev, "rows"), 7); /* optimized, later builds */
	assert_true(fabs(json_number_value(json_object_get(row, "projected_seconds")) - (4 + 0.95 / 0.049)) < 1e-9);
	assert_int_equal(json_integer_value(json_object_get(row, "calibrated_builds")), 2);
	assert_false(json_is_true(json_object_get(row, "checked")));
	row = json_array_get(json_object_get(ev, "rows"), 3); /* multi-stage cached, later builds */
	assert_true(json_is_true(json_object_get(row, "checked")));
	assert_true(fabs(json_number_value(json_object_get(ev, "calibration_scale")) - 0.001) < 1e-12);
	assert_non_null(strstr(json_string_value(json_object_get(ev, "projection")), "calibration"));
	json_decref(ev);
	json_decref(calib);
	json_decref(run);
}

/* The list skips commits: commit 3's parent did not touch requirements.txt,
 * but a commit between 2 and 3 of the list did, so the deps step rightly
 * reruns at 3. Judged by the changes since the previous build of the list,
 * not since the parent. */
static void test_deps_target_skipping_list(void **state)
{
	json_t *run = make_run(4), *b, *ev;
	size_t i;
	(void)state;
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		long long index = json_integer_value(json_object_get(b, "index"));
		json_t *since;
		if (strcmp(json_string_value(json_object_get(b, "variant")), BLOG_MULTI_CACHED))
			continue;
		since = json_array();
		if (index == 3) {
			json_array_append_new(since, json_string("ai_project/main.py"));
			json_array_append_new(since, json_string("ai_project/requirements.txt"));
			json_object_set_new(b, "changed", json_pack("[s]", "ai_project/main.py"));
		} else {
			json_array_append_new(since, json_string("ai_project/main.py"));
		}
		json_object_set_new(b, "changed_since_previous", since);
	}
	ev = blogreport_evaluate(run, NULL);
	assert_true(json_is_true(json_object_get(target(ev, "multi-stage cached: deps step rebuilt", 0), "held")));
	json_decref(ev);
	/* judged by the parent alone (what it did before), the rerun looks wrong */
	json_array_foreach(json_object_get(run, "builds"), i, b)
		json_object_del(b, "changed_since_previous");
	ev = blogreport_evaluate(run, NULL);
	assert_false(json_is_true(json_object_get(target(ev, "multi-stage cached: deps step rebuilt", 0), "held")));
	json_decref(ev);
	json_decref(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_missed_target),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_calibrated),
		cmocka_unit_test(test_blog_figures),
		cmocka_unit_test(test_deps_target_skipping_list),
	};
	return cmocka_run_group_tests_name("blogreport", tests, NULL, NULL);
}
