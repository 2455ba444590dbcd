/*
 * test_floor.c: bytes moved per warm build against the floor (blog/floor.c)
 * on a hand-made run whose byte counts are known: which counts each kind of
 * cache and push adds, the medians per kind of warm build, and the floors
 * taken from the run's smallest code-only upload and smallest bump's wheels.
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

#include "blog/floor.h"

/* A warm ok build of `variant`; deps: its pip step ran (a dependency bump). */
static json_t *build(const char *variant, bool deps, double served, double reg, double sent, double cache,
		     double image)
{
	return json_pack("{s:s, s:s, s:s, s:[{s:s, s:b}], s:f, s:f, s:f, s:f, s:f}", "variant", variant,
			 "phase", "warm", "status", "ok", "steps", "name",
			 "[deps 2/2] RUN pip install --no-cache-dir -r requirements.txt", "cached", !deps,
			 "served_bytes", served, "registry_bytes", reg, "registry_sent_bytes", sent,
			 "cache_bytes", cache, "image_bytes", image);
}

static json_t *make_run(void)
{
	json_t *builds = json_array();
	/* local cache, image loaded: the folder twice and the image count */
	json_array_append_new(builds, build("local", false, 0, 40e3, 30e3, 200e6, 210e6));
	json_array_append_new(builds, build("local", false, 0, 60e3, 50e3, 200e6, 210e6));
	json_array_append_new(builds, build("local", false, 0, 50e3, 40e3, 200e6, 210e6));
	json_array_append_new(builds, build("local", true, 160e6, 156e6, 155e6, 200e6, 210e6));
	/* registry cache, pushed direct: what came down from the registry counts */
	json_array_append_new(builds, build("registry", false, 0, 10e6, 20e3, 380e6, 0));
	json_array_append_new(builds, build("registry", true, 128e6, 400e6, 360e6, 380e6, 0));
	/* no cache: not a cached variant, left out */
	json_array_append_new(builds, build("none", true, 160e6, 156e6, 155e6, 0, 210e6));
	return json_pack("{s:{s:[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}]}, s:o}", "scenario", "variants",
			 "name", "local", "cache", "local", "name", "registry", "cache", "registry", "push_mode",
			 "direct", "name", "none", "cache", "none", "builds", builds);
}

static double num(json_t *ev, const char *variant, const char *kind, const char *field)
{
	json_t *o = json_object_get(json_object_get(json_object_get(ev, variant), kind), field);
	assert_true(json_is_number(o));
	return json_number_value(o);
}

static void test_counts_and_floors(void **state)
{
	json_t *run = make_run(), *ev = floor_evaluate(run);
	(void)state;
	assert_null(json_object_get(ev, "none"));
	/* local, code-only: medians of 3 builds; the folder restored and saved */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(ev, "local"),
									    "code-only"), "builds")), 3);
	assert_true(fabs(num(ev, "local", "code-only", "registry_up_bytes") - 40e3) < 1e-6);
	assert_true(fabs(num(ev, "local", "code-only", "registry_down_bytes") - 10e3) < 1e-6);
	assert_true(fabs(num(ev, "local", "code-only", "cache_bytes") - 400e6) < 1e-6);
	assert_true(fabs(num(ev, "local", "code-only", "stored_bytes") - 210e6) < 1e-6);
	assert_true(fabs(num(ev, "local", "code-only", "moved_bytes") - (10e3 + 40e3 + 400e6 + 210e6)) < 1e-3);
	/* registry, direct: nothing stored, no actions/cache */
	assert_true(fabs(num(ev, "registry", "code-only", "stored_bytes")) < 1e-9);
	assert_true(fabs(num(ev, "registry", "code-only", "cache_bytes")) < 1e-9);
	assert_true(fabs(num(ev, "registry", "code-only", "registry_down_bytes") - (10e6 - 20e3)) < 1e-3);
	/* floors: the smallest code-only upload (20 kB), plus twice the smallest
	 * bump's wheels (128 MB) */
	assert_true(fabs(num(ev, "local", "code-only", "floor_bytes") - 20e3) < 1e-6);
	assert_true(fabs(num(ev, "registry", "code-only", "floor_bytes") - 20e3) < 1e-6);
	assert_true(fabs(num(ev, "local", "deps bump", "floor_bytes") - (20e3 + 256e6)) < 1e-3);
	assert_true(fabs(num(ev, "registry", "deps bump", "floor_bytes") - (20e3 + 256e6)) < 1e-3);
	json_decref(ev);
	json_decref(run);
}

static void test_print(void **state)
{
	json_t *run = make_run(), *ev = floor_evaluate(run), *empty = json_object();
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	(void)state;
	floor_print(f, ev);
	floor_print(f, empty); /* nothing at all */
	fclose(f);
	assert_non_null(strstr(buf, "floor"));
	assert_non_null(strstr(buf, "deps bump"));
	assert_non_null(strstr(buf, "registry"));
	assert_null(strstr(buf, "none "));
	json_decref(empty);
	json_decref(ev);
	json_decref(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_floors),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
