/* test_sweep.c: unit tests for sweep.c, the model of bench sweep: --param
 * parsing, the points, the crossing of two lines and the crossovers of a
 * made-up sweep record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/jsonx.h"
#include "results/sweep.h"
#include "lib/util.h"

static void test_param_parse(void **state)
{
	struct sweep_param p;
	(void)state;

	assert_int_equal(sweep_param_parse(&p, "bandwidth=5MB/s, 50MB/s,20MB/s"), 0);
	assert_string_equal(p.key, "bandwidth");
	assert_int_equal(p.count, 3);
	assert_string_equal(p.values[1], "50MB/s");
	assert_true(p.numeric);
	assert_string_equal(p.unit, "B/s");
	assert_true(fabs(p.numbers[2] - 20e6) < 1e-6);
	sweep_param_release(&p);

	assert_int_equal(sweep_param_parse(&p, "multi.cache_mode=max,min"), 0);
	assert_false(p.numeric);
	assert_true(isnan(p.numbers[0]));
	sweep_param_release(&p);

	assert_int_equal(sweep_param_parse(&p, "bandwidth"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "expected KEY=V1,V2"));
	assert_int_equal(sweep_param_parse(&p, "bandwidth=1MB/s,,2MB/s"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "an empty value"));
	assert_int_equal(sweep_param_parse(&p, "scale=0.1,0.1"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "'0.1' is given twice"));
}

static void test_crossings(void **state)
{
	struct sweep_crossing c[4];
	const double x[] = {10, 20, 1000}, ya[] = {5, 15, 15}, yb[] = {10, 10, 10};
	const double lx[] = {10, 1000}, lya[] = {5, 15}, lyb[] = {10, 10};
	const double zx[] = {1, 2, 3}, zya[] = {5, 10, 15}, zyb[] = {10, 10, 10};
	const double touch[] = {5, 10, 5};
	const double nx[] = {1, 2, 3, 4}, nya[] = {1, NAN, 8, 1}, nyb[] = {4, 4, 4, 4};
	(void)state;

	/* linear: the segments meet half-way */
	assert_int_equal(sweep_crossings(c, 4, x, ya, yb, 3, false), 1);
	assert_int_equal(c[0].i, 0);
	assert_int_equal(c[0].j, 1);
	assert_true(fabs(c[0].x - 15) < 1e-9);
	assert_true(fabs(c[0].y - 10) < 1e-9);
	assert_true(c[0].a_faster_before);
	/* on a log axis, half-way is the geometric mean */
	assert_int_equal(sweep_crossings(c, 4, lx, lya, lyb, 2, true), 1);
	assert_true(fabs(c[0].x - 100) < 1e-9);
	/* equal at a point where the order flips: the crossing is that point */
	assert_int_equal(sweep_crossings(c, 4, zx, zya, zyb, 3, false), 1);
	assert_true(fabs(c[0].x - 2) < 1e-12);
	assert_int_equal(c[0].i, 0);
	assert_int_equal(c[0].j, 2);
	/* touching without a flip is no crossing */
	assert_int_equal(sweep_crossings(c, 4, zx, touch, zyb, 3, false), 0);
	/* an unknown value is skipped; two flips, two crossings */
	assert_int_equal(sweep_crossings(c, 4, nx, nya, nyb, 4, false), 2);
	assert_int_equal(c[0].i, 0);
	assert_int_equal(c[0].j, 2);
	assert_true(fabs(c[0].x - (1 + 2 * 3.0 / 7)) < 1e-9);
	assert_false(c[1].a_faster_before);
	assert_true(fabs(c[1].x - (3 + 4.0 / 7)) < 1e-9);
	/* max bounds what is written, not what is counted */
	assert_int_equal(sweep_crossings(c, 1, nx, nya, nyb, 4, false), 2);
}

static void test_axis_and_format(void **state)
{
	const double wide[] = {5e6, 50e6}, narrow[] = {5e6, 20e6}, zero[] = {0, 10};
	char buf[64];
	double div;
	(void)state;

	assert_true(sweep_log_axis(wide, 2));
	assert_false(sweep_log_axis(narrow, 2));
	assert_false(sweep_log_axis(zero, 2));
	sweep_format_value(buf, sizeof(buf), 38.2e6, "B/s");
	assert_string_equal(buf, "38.2 MB/s");
	sweep_format_value(buf, sizeof(buf), 0.04, "s");
	assert_string_equal(buf, "40 ms");
	sweep_format_value(buf, sizeof(buf), 0.05, "");
	assert_string_equal(buf, "0.05");
	assert_string_equal(sweep_axis_unit(&div, "B"), "MB");
	assert_true(div == 1e6);
}

/* A summary entry: cold and warm medians of one variant. */
static json_t *entry(const char *variant, double cold, double warm)
{
	return json_pack("{s:s, s:f, s:f, s:i, s:i}", "variant", variant, "cold_seconds", cold,
			 "warm_median_seconds", warm, "builds", 2, "ok", 2);
}

static void set_summary(json_t *sweep, size_t point, json_t *summary)
{
	json_t *pt = json_array_get(json_object_get(sweep, "points"), point);
	json_object_set_new(pt, "summary", summary);
	json_object_set_new(pt, "state", json_string("done"));
}

static void test_points_and_crossovers(void **state)
{
	struct sweep_param p[2];
	json_t *sweep, *x, *pts;
	(void)state;

	/* given out of order: x sorts them; the second parameter makes groups */
	assert_int_equal(sweep_param_parse(&p[0], "bandwidth=50MB/s,5MB/s,20MB/s"), 0);
	assert_int_equal(sweep_param_parse(&p[1], "cache_mode=max,min"), 0);
	sweep = sweep_new("/s.ini", "s", p, 2, NULL);
	pts = json_object_get(sweep, "points");
	assert_int_equal(json_array_size(pts), 6);
	assert_string_equal(json_str(json_array_get(pts, 0), "label"), "bandwidth=50MB/s cache_mode=max");
	assert_string_equal(json_str(json_array_get(pts, 1), "label"), "bandwidth=50MB/s cache_mode=min");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(pts, 5),
		"assignments"), 1)), "cache_mode=min");
	/* cache_mode=max: cached is faster at 5MB/s (12 vs 30), slower at 20 and 50 */
	set_summary(sweep, 0, json_pack("[o,o]", entry("nocache", 8, 8), entry("cached", 14, 10)));
	set_summary(sweep, 2, json_pack("[o,o]", entry("nocache", 30, 30), entry("cached", 20, 12)));
	set_summary(sweep, 4, json_pack("[o,o]", entry("nocache", 14, 14), entry("cached", 20, 16)));
	/* cache_mode=min: cached always faster: no crossover */
	set_summary(sweep, 1, json_pack("[o,o]", entry("nocache", 8, 8), entry("cached", 9, 6)));
	set_summary(sweep, 3, json_pack("[o,o]", entry("nocache", 30, 30), entry("cached", 20, 10)));
	set_summary(sweep, 5, json_pack("[o,o]", entry("nocache", 14, 14), entry("cached", 12, 9)));
	x = sweep_crossovers(sweep);
	assert_int_equal(json_array_size(x), 1);
	{
		json_t *c = json_array_get(x, 0);
		/* between 5 and 20 MB/s; 5 to 50 MB/s is a log axis (50/5 >= 10): d = 18
		 * at 5, -2 at 20, t = 0.9 of the way in log x: 5 * 4^0.9 = 17.4 MB/s,
		 * warm 12 + 0.9 * (16 - 12) = 15.6 s */
		assert_string_equal(json_str(c, "group"), "cache_mode=max");
		assert_string_equal(json_str(c, "faster_before"), "cached");
		assert_string_equal(json_str(c, "faster_after"), "nocache");
		assert_string_equal(json_string_value(json_array_get(json_object_get(c, "between"), 0)), "5MB/s");
		assert_string_equal(json_string_value(json_array_get(json_object_get(c, "between"), 1)), "20MB/s");
		assert_true(fabs(json_num(c, "x", 0) - 5e6 * pow(4, 0.9)) < 1);
		assert_string_equal(json_str(c, "x_text"), "17.4 MB/s");
		assert_true(fabs(json_num(c, "warm_seconds", 0) - 15.6) < 1e-9);
	}
	json_decref(x);
	json_decref(sweep);
	sweep_param_release(&p[0]);
	sweep_param_release(&p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_parse),
		cmocka_unit_test(test_crossings),
		cmocka_unit_test(test_axis_and_format),
		cmocka_unit_test(test_points_and_crossovers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
