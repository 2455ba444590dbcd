/* test_verdict.c: unit tests of results/verdict.c: build kinds from changed
 * files, the grouping of a real run (tests/data/runs/cafeboo-dockerd26), the
 * mix, the minutes and money arithmetic, and the pick against "too close to
 * call". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/util.h"
#include "results/results.h"
#include "results/verdict.h"

#include "reporoot.h"

static json_t *load(const char *rel)
{
	char *root = repo_root(), *dir = xasprintf("%s/%s", root, rel), *missing = NULL;
	json_t *run = NULL;
	if (results_load(&run, &missing, dir) < 0)
		fail_msg("%s", bench_error_last());
	free(missing);
	free(dir);
	free(root);
	return run;
}

static json_t *variant_row(json_t *v, const char *name)
{
	json_t *o;
	size_t i;
	json_array_foreach(json_object_get(v, "variants"), i, o)
		if (!strcmp(json_str(o, "variant"), name))
			return o;
	fail_msg("no variant %s in the verdict", name);
	return NULL;
}

static json_t *kind_median(json_t *v, const char *kind, const char *variant)
{
	json_t *k;
	size_t i;
	json_array_foreach(json_object_get(v, "kinds"), i, k)
		if (!strcmp(json_str(k, "kind"), kind))
			return json_object_get(json_object_get(k, "variants"), variant);
	return NULL;
}

static void test_kind_of_files(void **state)
{
	char *code[] = {"app/main.py", "README.md"};
	char *deps[] = {"app/main.py", "ai_project/requirements.txt"};
	char *both[] = {"requirements.txt", "docker/app.Dockerfile"};
	char *ignore[] = {"src/x.go", ".dockerignore"};
	(void)state;

	assert_int_equal(build_kind_of(code, 2, NULL, 0), BUILD_CODE);
	assert_int_equal(build_kind_of(deps, 2, NULL, 0), BUILD_DEPS);
	assert_int_equal(build_kind_of(both, 2, NULL, 0), BUILD_DOCKERFILE); /* a Dockerfile change wins */
	assert_int_equal(build_kind_of(ignore, 2, NULL, 0), BUILD_DOCKERFILE);
	assert_int_equal(build_kind_of(NULL, 0, NULL, 0), BUILD_CODE);
	assert_true(build_kind_is_manifest("requirements-dev.txt", NULL, 0));
	assert_true(build_kind_is_manifest("requirements/base.txt", NULL, 0));
	assert_true(build_kind_is_manifest("web/package-lock.json", NULL, 0));
	assert_true(build_kind_is_manifest("go.sum", NULL, 0));
	assert_true(build_kind_is_manifest("Cargo.lock", NULL, 0));
	assert_true(build_kind_is_manifest("Pipfile.lock", NULL, 0));
	assert_true(build_kind_is_manifest("pom.xml", NULL, 0));
	assert_false(build_kind_is_manifest("docs/requirements.md", NULL, 0));
	assert_false(build_kind_is_manifest("notes.txt", NULL, 0));
	{
		char *more[] = {"deps.txt", "tools/versions.lock"};
		assert_true(build_kind_is_manifest("deps.txt", more, 2));
		assert_true(build_kind_is_manifest("sub/deps.txt", more, 2));
		assert_true(build_kind_is_manifest("tools/versions.lock", more, 2));
		assert_false(build_kind_is_manifest("versions.lock", more, 2));
		assert_int_equal(build_kind_of(more, 1, more, 1), BUILD_DEPS);
	}
	assert_true(build_kind_is_dockerfile("Dockerfile"));
	assert_true(build_kind_is_dockerfile("deploy/Dockerfile.prod"));
	assert_false(build_kind_is_dockerfile("docs/dockerfile-tips.md"));
	assert_int_equal(build_kind_parse("deps"), BUILD_DEPS);
	assert_int_equal(build_kind_parse("bogus"), -1);
}

/* tests/data/runs/cafeboo-dockerd26 (the main job of 29 November on dockerd
 * 26, kept when docs/runs/cafeboo-main moved on), a real run of 5 variants
 * over 4 commits: the cold build is the first build, the workflow and code
 * commits code-only,
 * the requirements.txt bump a dependency change; without a history the mix
 * is that of the 3 replayed commits after the first (2 code, 1 deps). */
static void test_cafeboo_grouping(void **state)
{
	json_t *run = load("tests/data/runs/cafeboo-dockerd26"), *v, *m, *opt, *msc;
	(void)state;

	assert_null(json_object_get(run, "verdict")); /* recorded before verdicts */
	v = verdict_of(run);
	assert_non_null(v);
	m = kind_median(v, "first", "optimized");
	assert_int_equal(json_num(m, "n", 0), 1);
	assert_float_equal(json_num(m, "median", 0), 68.24, 0.01);
	m = kind_median(v, "code", "optimized");
	assert_int_equal(json_num(m, "n", 0), 2);
	assert_float_equal(json_num(m, "median", 0), (11.59 + 10.79) / 2, 0.01);
	m = kind_median(v, "deps", "optimized");
	assert_int_equal(json_num(m, "n", 0), 1);
	assert_float_equal(json_num(m, "median", 0), 68.44, 0.01);
	assert_null(kind_median(v, "dockerfile", "optimized"));

	assert_float_equal(json_num(json_object_get(v, "mix"), "code", 0), 2.0 / 3, 1e-9);
	assert_float_equal(json_num(json_object_get(v, "mix"), "deps", 0), 1.0 / 3, 1e-9);
	assert_non_null(strstr(json_str(v, "mix_source"), "replayed commits"));

	/* per push, the dependency bump counts: multi-stage-cached beats optimized */
	opt = variant_row(v, "optimized");
	msc = variant_row(v, "multi-stage-cached");
	assert_float_equal(json_num(opt, "per_push_seconds", 0), 2.0 / 3 * 11.19 + 68.44 / 3, 0.02);
	assert_float_equal(json_num(msc, "per_push_seconds", 0), 2.0 / 3 * 14.425 + 44.41 / 3, 0.02);
	assert_string_equal(json_str(json_array_get(json_object_get(v, "variants"), 0), "variant"),
			    "multi-stage-cached");
	/* 3 warm builds against 3 cannot reach p < 0.05: too close to call */
	assert_true(json_is_true(json_object_get(v, "too_close")));
	assert_true(json_is_null(json_object_get(v, "pick")));
	/* no history and no setting: no push rate, so no minutes */
	assert_true(json_is_null(json_object_get(v, "pushes_per_day")));
	assert_true(json_is_null(json_object_get(opt, "minutes_per_month")));
	assert_float_equal(json_num(v, "price_per_minute", 0), 0.008, 1e-12);
	assert_non_null(strstr(json_str(v, "price_source"), "GitHub Actions"));
	json_decref(v);
	json_decref(run);
}

/* A made-up run: variants a and b, repetition 1, a cold build then for
 * each kind `n` warm builds of the given seconds (jittered by j). */
static void add_builds(json_t *builds, const char *variant, double cold, double code, double deps, int n,
		       const double *jitter)
{
	int i, index = 1;
	json_array_append_new(builds, json_pack("{s:s, s:i, s:i, s:s, s:s, s:f, s:[s]}", "variant", variant,
						"repetition", 1, "index", index++, "phase", "cold", "status", "ok",
						"wall_seconds", cold, "changed", "Dockerfile"));
	for (i = 0; i < n; i++) {
		json_array_append_new(builds, json_pack("{s:s, s:i, s:i, s:s, s:s, s:f, s:[s]}", "variant",
							variant, "repetition", 1, "index", index++, "phase", "warm",
							"status", "ok", "wall_seconds", code * jitter[i],
							"changed_since_previous", "src/app.py"));
		json_array_append_new(builds, json_pack("{s:s, s:i, s:i, s:s, s:s, s:f, s:[s]}", "variant",
							variant, "repetition", 1, "index", index++, "phase", "warm",
							"status", "ok", "wall_seconds", deps * jitter[n - 1 - i],
							"changed_since_previous", "package.json"));
	}
}

static const double jitter[] = {1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97};
static const double jitter2[] = {0.99, 1.01, 1.03, 0.97, 1.00, 0.98, 1.02};

static json_t *made_up(double b_code, double b_deps, const double *b_jitter)
{
	json_t *run = json_object(), *builds = json_array();
	add_builds(builds, "a", 100, 10, 60, 7, jitter);
	add_builds(builds, "b", 100, b_code, b_deps, 7, b_jitter);
	json_object_set_new(run, "builds", builds);
	return run;
}

static void test_arithmetic(void **state)
{
	json_t *run = made_up(20, 30, jitter), *v, *a, *b;
	(void)state;

	json_object_set_new(run, "scenario", json_pack("{s:{s:s, s:f, s:f}}", "verdict", "mix",
						       "code:0.8, deps:0.2", "pushes_per_day", 10.0,
						       "price_per_minute", 0.016));
	v = verdict_compute(run);
	a = variant_row(v, "a");
	b = variant_row(v, "b");
	/* medians: a code 10, deps 60; b code 20, deps 30 */
	assert_float_equal(json_num(a, "per_push_seconds", 0), 0.8 * 10 + 0.2 * 60, 1e-9);
	assert_float_equal(json_num(b, "per_push_seconds", 0), 0.8 * 20 + 0.2 * 30, 1e-9);
	/* 20 s a push, 10 pushes a day, 30 days: 100 minutes, $1.60 at $0.016 */
	assert_float_equal(json_num(a, "minutes_per_month", 0), 100, 1e-9);
	assert_float_equal(json_num(a, "cost_per_month", 0), 1.6, 1e-9);
	assert_float_equal(json_num(b, "minutes_per_month", 0), 22.0 / 60 * 10 * 30, 1e-9);
	assert_string_equal(json_str(v, "mix_source"), "[verdict] mix");
	assert_string_equal(json_str(v, "pushes_source"), "[verdict] pushes_per_day");
	assert_string_equal(json_str(v, "price_source"), "[verdict] price_per_minute");
	json_decref(v);
	json_decref(run);
}

/* The history's mix and push rate: 1 root + 40 code + 10 deps commits over
 * 25 days gives 2 pushes a day and a mix of 0.8 / 0.2. */
static void test_history(void **state)
{
	struct verdict_history h = {0};
	char *code[] = {"a.py"}, *deps[] = {"go.mod"}, *root[] = {"Dockerfile", "a.py"};
	json_t *hist, *run = made_up(20, 30, jitter), *v;
	int i;
	(void)state;

	verdict_history_add(&h, root, 2, 1000, true, NULL, 0);
	for (i = 1; i <= 50; i++)
		verdict_history_add(&h, i % 5 ? code : deps, 1, 1000 + (long long)i * 86400 / 2, false, NULL, 0);
	hist = verdict_history_json(&h, "first-parent history of abc1234");
	assert_int_equal(json_integer_value(json_object_get(hist, "commits")), 51);
	assert_float_equal(json_num(hist, "days", 0), 25, 1e-9);
	assert_float_equal(json_num(hist, "pushes_per_day", 0), 2, 1e-9);
	assert_int_equal(json_num(json_object_get(hist, "kinds"), "first", 0), 1);
	assert_int_equal(json_num(json_object_get(hist, "kinds"), "deps", 0), 10);
	json_object_set_new(run, "history", hist);
	v = verdict_compute(run);
	assert_float_equal(json_num(json_object_get(v, "mix"), "code", 0), 0.8, 1e-9);
	assert_float_equal(json_num(json_object_get(v, "mix"), "first", 0), 0, 1e-9);
	assert_non_null(strstr(json_str(v, "mix_source"), "abc1234 (50 commits)"));
	assert_float_equal(json_num(v, "pushes_per_day", 0), 2, 1e-9);
	/* b: 0.8 * 20 + 0.2 * 30 = 22 s, 2 pushes a day: 22 minutes a month */
	assert_float_equal(json_num(variant_row(v, "b"), "minutes_per_month", 0), 22, 1e-9);
	assert_float_equal(json_num(variant_row(v, "b"), "cost_per_month", 0), 22 * 0.008, 1e-9);
	json_decref(v);
	json_decref(run);
}

/* An A/A pair (the same figures, other jitter) must be too close to call; a
 * clear A/B must pick the faster. */
static void test_pick(void **state)
{
	json_t *aa = made_up(10, 60, jitter2), *ab = made_up(20, 90, jitter2), *v;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	v = verdict_compute(aa);
	assert_true(json_is_true(json_object_get(v, "too_close")));
	assert_true(json_is_null(json_object_get(v, "pick")));
	json_decref(v);

	v = verdict_compute(ab);
	assert_false(json_is_true(json_object_get(v, "too_close")));
	assert_string_equal(json_str(v, "pick"), "a");
	assert_string_equal(json_str(v, "runner_up"), "b");
	assert_true(json_num(v, "p", 1) < 0.05);
	f = open_memstream(&text, &len);
	verdict_write(f, v, false);
	fclose(f);
	assert_non_null(strstr(text, "verdict: pick a: "));
	assert_non_null(strstr(text, "dependency change"));
	free(text);
	f = open_memstream(&text, &len);
	verdict_write(f, v, true);
	fclose(f);
	assert_non_null(strstr(text, "### Verdict\n\n**pick a"));
	assert_non_null(strstr(text, "| variant | per push (s) |"));
	free(text);
	json_decref(v);
	json_decref(aa);
	json_decref(ab);
}

/* A variant without an ok build (its Dockerfile missing, every build
 * skipped) is out of the verdict: the others still get theirs. */
static void test_variant_without_builds(void **state)
{
	json_t *run = made_up(20, 90, jitter2), *v, *c;
	(void)state;

	json_array_append_new(json_object_get(run, "builds"),
			      json_pack("{s:s, s:i, s:i, s:s, s:s}", "variant", "broken", "repetition", 1, "index", 1,
					"phase", "cold", "status", "skipped"));
	json_array_append_new(json_object_get(run, "builds"),
			      json_pack("{s:s, s:i, s:i, s:s, s:s, s:[s]}", "variant", "broken", "repetition", 1,
					"index", 2, "phase", "warm", "status", "skipped", "changed", "a.py"));
	v = verdict_compute(run);
	assert_string_equal(json_str(v, "pick"), "a");
	assert_float_equal(json_num(variant_row(v, "a"), "per_push_seconds", 0), 0.5 * 10 + 0.5 * 60, 1e-9);
	c = variant_row(v, "broken");
	assert_true(json_is_null(json_object_get(c, "per_push_seconds")));
	assert_string_equal(json_str(json_array_get(json_object_get(v, "variants"), 2), "variant"), "broken");
	assert_int_equal(json_array_size(json_object_get(v, "unmeasured")), 0);
	json_decref(v);
	json_decref(run);
}

/* A recorded "kind" wins over the files (bench run records it). */
static void test_recorded_kind(void **state)
{
	json_t *b = json_pack("{s:s, s:s, s:[s]}", "phase", "warm", "kind", "dockerfile", "changed", "a.py");
	json_t *more = json_pack("[s]", "a.py");
	(void)state;
	assert_int_equal(build_kind_of_record(b, NULL), BUILD_DOCKERFILE);
	json_object_del(b, "kind");
	assert_int_equal(build_kind_of_record(b, NULL), BUILD_CODE);
	/* [verdict] manifests: more dependency files */
	assert_int_equal(build_kind_of_record(b, more), BUILD_DEPS);
	json_decref(more);
	json_decref(b);
}

static void test_mix_parse(void **state)
{
	double mix[BUILD_KINDS];
	(void)state;
	assert_true(scenario_mix_parse(mix, "code:0.8,deps:0.15,dockerfile:0.05"));
	assert_float_equal(mix[BUILD_CODE], 0.8, 1e-12);
	assert_float_equal(mix[BUILD_FIRST], 0, 1e-12);
	assert_true(scenario_mix_parse(mix, "code: 8, deps: 2"));
	assert_float_equal(mix[BUILD_DEPS], 0.2, 1e-12);
	assert_false(scenario_mix_parse(mix, "code:0.8,code:0.2"));
	assert_false(scenario_mix_parse(mix, "code:-1"));
	assert_false(scenario_mix_parse(mix, "tests:1"));
	assert_false(scenario_mix_parse(mix, "code:0,deps:0"));
	assert_false(scenario_mix_parse(mix, "code:0.5,"));
	assert_false(scenario_mix_parse(mix, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_of_files),
		cmocka_unit_test(test_cafeboo_grouping),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_variant_without_builds),
		cmocka_unit_test(test_recorded_kind),
		cmocka_unit_test(test_mix_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
