/* test_estimate.c: unit tests of results/estimate.c (bench run --dry-run's
 * estimate): which earlier run it takes, and the arithmetic, on the
 * recorded runs of tests/data/runs copied into a results folder. */
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
#include "lib/util.h"
#include "results/estimate.h"
#include "results/results.h"

#include "reporoot.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("estimate")

/* Copy tests/data/runs/NAME's run.json into tmp/AS/. */
static void place(const char *name, const char *as)
{
	char *root = repo_root(), *src = xasprintf("%s/tests/data/runs/%s/run.json", root, name);
	char *dir = path_join(tmp, as), *dst = path_join(dir, "run.json"), *text;
	size_t len;

	assert_int_equal(mkdir_p(dir), 0);
	assert_int_equal(read_file(&text, &len, src), 0);
	assert_int_equal(write_file_atomic(dst, text, len), 0);
	free(text);
	free(dst);
	free(dir);
	free(src);
	free(root);
}

static void test_finds_the_run(void **state)
{
	const char *a = "a3dd315f23787ce3912370d332901f3cbeb32c7b1ba45f5ff0766bc553b6df1a";
	bool same = true;
	char *dir;
	(void)state;

	assert_null(estimate_find_run(&same, tmp, "cafeboo", a));
	assert_false(same);
	place("synthetic-a", "cafeboo-20261128T064002Z");
	place("synthetic-b", "cafeboo-label-20261129T064005Z");
	place("tiny-real", "cafeboo2-20261128T071724Z"); /* another scenario: its name differs */
	/* the newest of the same file */
	dir = estimate_find_run(&same, tmp, "cafeboo", a);
	assert_non_null(strstr(dir, "cafeboo-label-20261129T064005Z"));
	assert_true(same);
	free(dir);
	/* the file changed since: the newest of that name, said so */
	dir = estimate_find_run(&same, tmp, "cafeboo", "0000");
	assert_non_null(strstr(dir, "cafeboo-label-20261129T064005Z"));
	assert_false(same);
	free(dir);
	assert_null(estimate_find_run(&same, tmp, "tiny", NULL)); /* named cafeboo2-... */
	assert_null(estimate_find_run(&same, "/nonexistent", "cafeboo", a));
}

static void test_arithmetic(void **state)
{
	const char *variants[] = {"no-cache", "local-cache", "new-variant"};
	char *root = repo_root(), *dir = xasprintf("%s/tests/data/runs/synthetic-b", root), *missing = NULL;
	json_t *run = NULL;
	double cold_all, warm_all;
	(void)state;

	assert_int_equal(results_load(&run, &missing, dir), 0);
	/* 2 cold and 6 warm builds of each: the variant's medians */
	assert_float_equal(estimate_seconds(run, variants, 2, 2, 6),
			   2 * 116.943 + 6 * 119.303 + 2 * 148.942 + 6 * 36.021, 0.01);
	/* a variant the run lacks takes the medians of all its builds */
	cold_all = estimate_seconds(run, variants + 2, 1, 1, 0);
	warm_all = estimate_seconds(run, variants + 2, 1, 0, 1);
	assert_float_equal(cold_all, 148.942, 1e-6); /* the median of its 6 cold builds */
	assert_float_equal(warm_all, 36.021, 1e-6);  /* of its 18 warm builds */
	json_decref(run);
	free(missing);
	free(dir);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_the_run),
		cmocka_unit_test(test_arithmetic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
