/*
 * test_projection.c: the projection of a build to scale 1 (projection.h) on
 * hand-made builds whose figures are known: the line through two scales per
 * step group, fixed groups kept, a group that did not grow kept, the push
 * proportional only when it moved more bytes, the upper bound without a
 * calibration build, how a build finds its calibration counterpart, that a
 * calibration run replays the run's own commits, and how `bench blog
 * --against` pairs a run's builds with a full-scale run's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "cli/commands.h"
#include "lib/error.h"
#include "lib/util.h"
#include "blog/projcheck.h"
#include "blog/projection.h"

#include "capture.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("test-projection")

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

/* A build of `variant` at `commit`: a pip step of `deps` s (run when
 * `rebuilt`, else cached: the "cache" group), a base step `base` s, a push
 * of `push` s having sent `sent` bytes; no other time. */
static json_t *build(const char *variant, const char *commit, const char *phase, bool rebuilt, double deps,
		     double base, double push, double sent)
{
	json_t *steps = json_pack("[{s:s, s:f, s:b}, {s:s, s:f, s:b}]",
		"name", "[deps 2/2] RUN pip install --no-cache-dir -r requirements.txt", "seconds", deps, "cached", !rebuilt,
		"name", "[base 2/3] WORKDIR /app", "seconds", base, "cached", 0);
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:o}", "variant", variant, "commit", commit,
			 "phase", phase, "status", "ok", "wall_seconds", deps + base + push, "build_seconds", deps + base,
			 "push_seconds", push, "registry_sent_bytes", sent, "steps", steps);
}

/* deps grows from 7 s at 0.001 to 15 s at 0.04: 15 + 0.96 x 8 / 0.039 at
 * scale 1; the base step is kept; the push, which sent more bytes, is
 * proportional (6 / 0.04). */
static void test_line_through_two_scales(void **state)
{
	json_t *b = build("v", "c1", "cold", true, 15, 2, 6, 2e8), *c = build("v", "c1", "cold", true, 7, 3, 3, 6e7);
	struct projected_build p;
	(void)state;
	projection_build(&p, b, 0.04, c, 0.001);
	NEAR(p.groups[1], 15 + 0.96 * 8 / 0.039); /* deps */
	NEAR(p.groups[0], 2);                     /* base: as measured */
	NEAR(p.groups[7], 6 / 0.04);              /* push */
	NEAR(p.seconds, 15 + 0.96 * 8 / 0.039 + 2 + 6 / 0.04);
	json_decref(b);
	json_decref(c);
}

/* a group no slower than at the tiny scale is all fixed cost; a push of no
 * more bytes (a warm build's code layer) is kept */
static void test_fixed_costs_kept(void **state)
{
	json_t *b = build("v", "c2", "warm", false, 4, 1, 0.5, 3e4), *c = build("v", "c2", "warm", false, 5, 1, 0.7, 3e4);
	struct projected_build p;
	(void)state;
	projection_build(&p, b, 0.04, c, 0.001);
	NEAR(p.groups[5], 4); /* the cached pip step: "cache" */
	NEAR(p.groups[7], 0.5);
	NEAR(p.seconds, 5.5);
	/* at scale 1 already: as measured */
	projection_build(&p, b, 1, c, 0.001);
	NEAR(p.seconds, 5.5);
	json_decref(b);
	json_decref(c);
}

/* without a calibration build: the groups that move bytes over the scale */
static void test_upper_bound_without_calibration(void **state)
{
	json_t *b = build("v", "c1", "cold", true, 15, 2, 6, 2e8);
	struct projected_build p;
	(void)state;
	projection_build(&p, b, 0.05, NULL, 0);
	NEAR(p.seconds, 15 / 0.05 + 2 + 6 / 0.05);
	json_decref(b);
}

/* time outside the groups (wall beyond build + push + cache) is kept */
static void test_rest_of_wall_kept(void **state)
{
	json_t *b = build("v", "c1", "cold", true, 15, 2, 6, 2e8);
	struct projected_build p;
	(void)state;
	json_object_set_new(b, "wall_seconds", json_real(25));
	projection_build(&p, b, 0.05, NULL, 0);
	NEAR(p.seconds, 15 / 0.05 + 2 + 6 / 0.05 + 2);
	json_decref(b);
}

static void test_counterpart(void **state)
{
	json_t *calib = json_pack("{s:[o, o, o, o]}", "builds",
		build("multi", "a", "cold", true, 1, 1, 1, 1), build("multi", "b", "warm", false, 2, 1, 1, 1),
		build("multi", "c", "warm", true, 3, 1, 1, 1), build("single", "a", "cold", true, 4, 1, 1, 1));
	json_t *same = build("single", "a", "cold", true, 0, 0, 0, 0), *kind = build("multi", "z", "warm", true, 0, 0, 0, 0);
	json_t *other = build("opt", "y", "warm", false, 0, 0, 0, 0), *cold = build("opt", "b", "cold", false, 0, 0, 0, 0);
	(void)state;
	/* the same variant and commit */
	assert_ptr_equal(projection_counterpart(calib, same, "multi"), json_array_get(json_object_get(calib, "builds"), 3));
	/* another commit of the same kind (requirements changed) */
	assert_ptr_equal(projection_counterpart(calib, kind, "multi"), json_array_get(json_object_get(calib, "builds"), 2));
	/* another variant: the fallback variant's build of that kind */
	assert_ptr_equal(projection_counterpart(calib, other, "multi"), json_array_get(json_object_get(calib, "builds"), 1));
	assert_null(projection_counterpart(calib, other, NULL));
	/* the phase must match: no cold build without requirements changed */
	assert_null(projection_counterpart(calib, cold, "multi"));
	assert_null(projection_counterpart(NULL, same, "multi"));
	json_decref(calib);
	json_decref(same);
	json_decref(kind);
	json_decref(other);
	json_decref(cold);
}

/* bench blog RUN CALIBRATION: the calibration must replay the run's commits */
static void test_calibration_commits(void **state)
{
	json_t *run = json_pack("{s:[o, o]}", "builds", build("multi", "aaaaaaa1", "cold", true, 1, 1, 1, 1),
				build("multi", "bbbbbbb2", "warm", false, 1, 1, 1, 1));
	json_t *calib = json_pack("{s:[o]}", "builds", build("multi", "bbbbbbb2", "cold", true, 1, 1, 1, 1));
	(void)state;
	assert_int_equal(projection_check_commits(run, calib), 0);
	json_array_append_new(json_object_get(calib, "builds"), build("multi", "ccccccc3", "warm", false, 1, 1, 1, 1));
	assert_int_equal(projection_check_commits(run, calib), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "commit ccccccc, which the run did not"));
	json_decref(run);
	json_decref(calib);
}

/* A run at `scale` of the builds given (references stolen). */
static json_t *run_at(double scale, json_t *builds)
{
	return json_pack("{s:{s:{s:f}}, s:o}", "scenario", "world", "scale", scale, "builds", builds);
}

/* --against: a cold build pairs with the full run's cold build at any
 * commit, a warm one only at its own commit; a failed full-scale build and
 * a commit the run lacks give no pair; the error is projected / measured - 1 */
static void test_against_full_scale(void **state)
{
	json_t *run = run_at(0.04, json_pack("[o, o, o]", build("v", "c1", "cold", true, 15, 2, 6, 2e8),
					     build("v", "c2", "warm", false, 4, 1, 0.5, 3e4),
					     build("v", "c3", "warm", true, 15, 1, 0.5, 3e4)));
	json_t *calib = run_at(0.001, json_pack("[o, o]", build("v", "c1", "cold", true, 7, 3, 3, 6e7),
						build("v", "c2", "warm", false, 5, 1, 0.7, 3e4)));
	json_t *bad = build("v", "c3", "warm", true, 400, 1, 1, 3e4);
	json_t *full = run_at(1, json_pack("[o, o, o, o]", build("v", "c9", "cold", true, 300, 2, 150, 5e9),
					   build("v", "c2", "warm", false, 4, 1, 0.5, 3e4), bad,
					   build("v", "c7", "warm", false, 4, 1, 0.5, 3e4)));
	json_t *check, *pairs, *p;
	double want = 15 + 0.96 * 8 / 0.039 + 2 + 6 / 0.04;
	(void)state;

	json_object_set_new(bad, "status", json_string("failed"));
	check = projcheck_evaluate(run, calib, full);
	pairs = json_object_get(check, "builds");
	assert_int_equal(json_array_size(pairs), 2);
	p = json_array_get(pairs, 0);
	assert_string_equal(json_string_value(json_object_get(p, "phase")), "cold");
	NEAR(json_real_value(json_object_get(p, "projected")), want);
	NEAR(json_real_value(json_object_get(p, "measured")), 452);
	NEAR(json_real_value(json_object_get(p, "error")), want / 452 - 1);
	NEAR(json_real_value(json_array_get(json_object_get(json_object_get(p, "groups"), "deps"), 1)), 300);
	p = json_array_get(pairs, 1);
	assert_string_equal(json_string_value(json_object_get(p, "phase")), "warm");
	NEAR(json_real_value(json_object_get(p, "error")), 0);
	NEAR(json_real_value(json_object_get(check, "calibration_scale")), 0.001);
	json_decref(check);
	json_decref(run);
	json_decref(calib);
	json_decref(full);
}

/* run.json of run into tmp/name; the folder, which the caller frees. */
static char *write_run(const char *name, json_t *run)
{
	char *dir = path_join(tmp, name), *path = path_join(dir, "run.json");
	assert_int_equal(mkdir_p(dir), 0);
	assert_int_equal(json_dump_file(run, path, 0), 0);
	free(path);
	json_decref(run);
	return dir;
}

/* bench blog --against, given twice: the builds of two scale-1 runs (one
 * variant each) are set against the run's together; a run not at scale 1 is
 * refused, naming it. */
static void test_against_two_full_runs(void **state)
{
	char *run = write_run("run", run_at(0.04, json_pack("[o, o]", build("a", "c1", "cold", true, 15, 2, 6, 2e8),
								 build("b", "c1", "cold", true, 15, 2, 6, 2e8))));
	char *calib = write_run("calib", run_at(0.001, json_pack("[o, o]", build("a", "c1", "cold", true, 7, 3, 3, 6e7),
								  build("b", "c1", "cold", true, 7, 3, 3, 6e7))));
	char *fa = write_run("full-a", run_at(1, json_pack("[o]", build("a", "c1", "cold", true, 300, 2, 150, 5e9))));
	char *fb = write_run("full-b", run_at(1, json_pack("[o]", build("b", "c1", "cold", true, 300, 2, 150, 5e9))));
	char *out = NULL, *err = NULL;
	(void)state;

	{
		const char *args[] = {"blog", run, calib, "--against", fa, "--against", fb, NULL};
		assert_int_equal(capture_cmd(&out, &err, tmp, cmd_blog, args), 0);
	}
	assert_non_null(strstr(out, "\na "));
	assert_non_null(strstr(out, "\nb "));
	free(out);
	free(err);
	{
		const char *args[] = {"blog", run, calib, "--against", fa, "--against", run, NULL};
		assert_int_equal(capture_cmd(&out, &err, tmp, cmd_blog, args), 2);
	}
	assert_non_null(strstr(err, "the run is at scale 0.04, not 1"));
	free(out);
	free(err);
	free(run);
	free(calib);
	free(fa);
	free(fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_through_two_scales),
		cmocka_unit_test(test_fixed_costs_kept),
		cmocka_unit_test(test_upper_bound_without_calibration),
		cmocka_unit_test(test_rest_of_wall_kept),
		cmocka_unit_test(test_counterpart),
		cmocka_unit_test(test_calibration_commits),
		cmocka_unit_test(test_against_full_scale),
		cmocka_unit_test(test_against_two_full_runs),
	};
	return cmocka_run_group_tests_name("projection", tests, setup, teardown);
}
