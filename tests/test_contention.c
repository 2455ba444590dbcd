/*
 * test_contention.c: unit tests for harness/results/contention.c: the
 * contention of a run's ok builds, and the warning printed when it was high.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/contention.h"

static json_t *builds_of(const char *text)
{
	json_error_t err;
	json_t *b = json_loads(text, 0, &err);
	assert_non_null(b);
	return b;
}

/* Only ok builds with a reading count; the variant filter; median and max. */
static void test_of(void **state)
{
	json_t *b = builds_of("["
		"{\"variant\":\"a\",\"status\":\"ok\",\"cpu_contention\":0.10},"
		"{\"variant\":\"a\",\"status\":\"ok\",\"cpu_contention\":0.60},"
		"{\"variant\":\"a\",\"status\":\"failed\",\"cpu_contention\":0.90},"
		"{\"variant\":\"a\",\"status\":\"ok\"},"
		"{\"variant\":\"b\",\"status\":\"ok\",\"cpu_contention\":0.50}]");
	struct contention c;
	(void)state;

	contention_of(&c, b, NULL);
	assert_int_equal(c.n, 3);
	assert_true(fabs(c.median - 0.5) < 1e-9);
	assert_true(fabs(c.max - 0.6) < 1e-9);
	assert_int_equal(c.high, 2);
	assert_true(contention_high(&c));
	contention_of(&c, b, "a");
	assert_int_equal(c.n, 2);
	assert_true(fabs(c.median - 0.35) < 1e-9); /* above CONTENTION_HIGH */
	assert_true(contention_high(&c));
	contention_of(&c, b, "none");
	assert_int_equal(c.n, 0);
	assert_true(isnan(c.median));
	assert_false(contention_high(&c));
	json_decref(b);
}

/* The warning: one line with the figures when high, nothing otherwise
 * (a run recorded before the field existed says nothing). */
static void test_warning(void **state)
{
	struct contention quiet = {.n = 20, .median = 0.12, .max = 0.30};
	struct contention busy = {.n = 20, .high = 15, .median = 0.62, .max = 0.71};
	struct contention none = {.n = 0, .median = NAN};
	char *text;
	(void)state;

	assert_null(contention_warning_text(&quiet, "the builds"));
	assert_null(contention_warning_text(&none, "the builds"));
	text = contention_warning_text(&busy, "the builds");
	assert_non_null(text);
	assert_non_null(strstr(text, "the builds were measured under CPU contention"));
	assert_non_null(strstr(text, "62% of a build's time (median of 20; up to 71%"));
	assert_non_null(strstr(text, "quiet machine"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of),
		cmocka_unit_test(test_warning),
	};
	return cmocka_run_group_tests_name("contention", tests, NULL, NULL);
}
