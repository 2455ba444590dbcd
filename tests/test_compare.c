/* test_compare.c: unit tests of compare.c (bench compare): the verdict on two
 * samples, by the decision rule bench gate uses (stats_decide), and the
 * comparison of the recorded runs in tests/data/runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "lib/error.h"
#include "pages/html.h"
#include "results/report.h"
#include "results/results.h"
#include "lib/util.h"

/* tests/data/runs/NAME: under $BENCH_DATADIR (tests/run-unit sets it), else
 * from the current folder. */
static json_t *load(const char *name)
{
	const char *root = getenv("BENCH_DATADIR");
	char *dir = xasprintf("%s%stests/data/runs/%s", root && *root ? root : "",
			      root && *root ? "/" : "", name), *missing = NULL;
	json_t *run = NULL;

	if (results_load(&run, &missing, dir) < 0)
		fail_msg("%s", bench_error_last());
	free(missing);
	free(dir);
	return run;
}

static char *compare(json_t *a, json_t *b, bool markdown, double threshold)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(compare_write(f, a, b, markdown, threshold), 0);
	fclose(f);
	return buf;
}

/* Whether the line of text starting with prefix contains needle. */
static bool line_has(const char *text, const char *prefix, const char *needle)
{
	const char *p = text, *hit;

	for (; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0))
		if (!strncmp(p, prefix, strlen(prefix)))
			return (hit = strstr(p, needle)) && hit < p + strcspn(p, "\n");
	return false;
}

static void test_compare_samples(void **state)
{
	double a[] = {10, 10.2, 9.9, 10.1}, slow[] = {20, 20.4, 19.8, 20.2};
	double a5[] = {10, 10.2, 9.9, 10.1, 10}, mixed[] = {10.1, 20, 10.2, 20.4, 19.8};
	double close[] = {10.3, 10.4, 10.35, 10.45};
	struct compare_result r;
	(void)state;

	compare_samples(&r, a, 4, slow, 4, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_WORSE);
	assert_true(r.p < 0.05);
	assert_non_null(strstr(r.rule, "Mann-Whitney"));
	assert_true(fabs(r.ratio - 2.0) < 0.01);
	compare_samples(&r, slow, 4, a, 4, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_BETTER);
	/* 2x slower, but 3 against 3 or 4 builds cannot reach p < 0.05 (0.1 and
	 * 0.057 at best): inconclusive, never "no change" */
	compare_samples(&r, a, 3, slow, 3, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_INCONCLUSIVE);
	assert_true(isnan(r.p));
	assert_non_null(strstr(r.rule, "3 against 3 samples cannot reach p < 0.05 (the smallest p is 0.1)"));
	compare_samples(&r, a, 4, slow, 3, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_INCONCLUSIVE);
	assert_non_null(strstr(r.rule, "3 against 4 samples cannot reach p < 0.05 (the smallest p is 0.057)"));
	compare_samples(&r, a, 1, slow, 1, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_INCONCLUSIVE);
	/* within the threshold, whatever the test would say */
	compare_samples(&r, a, 4, close, 4, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_SAME);
	assert_string_equal(r.rule, "within the threshold");
	/* ... and a smaller threshold makes the same 3% a change */
	compare_samples(&r, a, 4, close, 4, 0.005);
	assert_int_equal(r.verdict, COMPARE_WORSE);
	compare_samples(&r, a, 4, a, 4, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_SAME);
	/* the median doubled, but two of five builds are as fast as ever: the
	 * test could decide and did not */
	compare_samples(&r, a5, 5, mixed, 5, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_SAME);
	assert_true(r.p >= 0.05);
	assert_non_null(strstr(r.rule, "within the noise"));
	compare_samples(&r, a, 0, a, 4, COMPARE_THRESHOLD);
	assert_int_equal(r.verdict, COMPARE_NONE);
	assert_string_equal(compare_verdict_name(COMPARE_SAME), "no significant change");
	assert_string_equal(compare_verdict_name(COMPARE_INCONCLUSIVE), "inconclusive");
}

/* docs/runs: the same scenario at scale 0.04 and at scale 1, over other
 * commits: compare says so before its table. Synthetic runs that share
 * their facts say nothing of the kind. */
static void test_compare_not_comparable(void **state)
{
	const char *root = getenv("BENCH_DATADIR");
	char *da = xasprintf("%s/docs/runs/cafeboo-main", root ? root : "."), *missing = NULL;
	char *db = xasprintf("%s/docs/runs/cafeboo-scale1", root ? root : "."), *text, *md;
	json_t *a = NULL, *b = NULL, *sa = load("synthetic-a"), *sb = load("synthetic-b");
	(void)state;

	assert_int_equal(results_load(&a, &missing, da), 0);
	free(missing);
	missing = NULL;
	assert_int_equal(results_load(&b, &missing, db), 0);
	text = compare(a, b, false, COMPARE_THRESHOLD);
	{
		const char *want = "not comparable as they stand: the runs differ in\n"
				   "  scale (SCALE): A scale 0.04, B scale 1\n"
				   "  commits (COMMITS): A 4 commits 2385d50..4bbb588, B 3 commits 2385d50..0db6947\n\n"
				   "A: ";
		assert_memory_equal(text, want, strlen(want));
	}
	assert_true(strstr(text, "scale (SCALE)") < strstr(text, "verdict (rule)"));
	md = compare(a, b, true, COMPARE_THRESHOLD);
	assert_non_null(strstr(md, "> **Not comparable as they stand:** the runs differ in\n>\n"
			       "> - scale (SCALE): A scale 0.04, B scale 1\n"));
	free(text);
	free(md);
	{
		char *page = html_compare_page(a, b, "A", "B");
		assert_non_null(strstr(page, "Not comparable as they stand"));
		assert_non_null(strstr(page, "scale (SCALE): A scale 0.04, B scale 1"));
		free(page);
	}
	text = compare(sa, sb, false, COMPARE_THRESHOLD);
	assert_null(strstr(text, "not comparable"));
	free(text);
	json_decref(a);
	json_decref(b);
	json_decref(sa);
	json_decref(sb);
	free(missing);
	free(da);
	free(db);
}

static void test_compare_runs(void **state)
{
	json_t *a = load("synthetic-a"), *b = load("synthetic-b"), *builds, *c;
	char *text = compare(a, b, false, COMPARE_THRESHOLD), *md;
	size_t i;
	(void)state;

	assert_non_null(strstr(text, "threshold: 5%\n"));
	assert_true(line_has(text, "no-cache ", " 0.71x "));
	assert_true(line_has(text, "no-cache ", "better (below the threshold, beyond the noise: "
			     "Mann-Whitney p = "));
	assert_true(line_has(text, "local-cache ", " 1.98x "));
	assert_true(line_has(text, "local-cache ", "worse (above the threshold, beyond the noise: "
			     "Mann-Whitney p = "));
	assert_true(line_has(text, "registry-cache ", "no significant change (within the threshold)"));
	assert_null(strstr(text, "only in"));
	assert_non_null(strstr(text, "\nrule: "));
	free(text);

	md = compare(a, b, true, COMPARE_THRESHOLD);
	assert_true(line_has(md, "| local-cache | ", "| 1.98x |"));
	assert_true(line_has(md, "| local-cache | ", "| **worse** | above the threshold"));
	free(md);

	/* a variant only in one run is listed */
	c = json_deep_copy(b);
	builds = json_object_get(c, "builds");
	for (i = json_array_size(builds); i-- > 0;)
		if (!strcmp(json_string_value(json_object_get(json_array_get(builds, i), "variant")),
			    "registry-cache"))
			json_array_remove(builds, i);
	json_object_set_new(json_array_get(builds, 0), "variant", json_string("inline-cache"));
	text = compare(a, c, false, COMPARE_THRESHOLD);
	assert_false(line_has(text, "registry-cache ", " "));
	assert_non_null(strstr(text, "only in A: registry-cache\n"));
	assert_non_null(strstr(text, "only in B: inline-cache\n"));
	free(text);
	json_decref(c);
	json_decref(a);
	json_decref(b);
}

/* cmd_compare's flags: --threshold, and its errors. */
static void test_compare_command(void **state)
{
	const char *root = getenv("BENCH_DATADIR");
	char *dir_a = xasprintf("%s%stests/data/runs/synthetic-a", root && *root ? root : "",
				root && *root ? "/" : "");
	char *bad[] = {"compare", dir_a, dir_a, "--threshold", "lots", NULL};
	char *none[] = {"compare", dir_a, NULL};
	(void)state;

	assert_int_equal(cmd_compare(5, bad), 2);
	assert_int_equal(cmd_compare(2, none), 2);
	free(dir_a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_samples),
		cmocka_unit_test(test_compare_runs),
		cmocka_unit_test(test_compare_not_comparable),
		cmocka_unit_test(test_compare_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
