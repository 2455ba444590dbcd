/*
 * test_cpupressure.c: unit tests for harness/lib/cpupressure.c: the "some"
 * line of /proc/pressure/cpu, the share of a stretch of time, and readings
 * from a file that is not there or says something else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cpupressure.h"

static const char kernel_text[] =
	"some avg10=67.23 avg60=52.50 avg300=25.56 total=7269047860\n"
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

static void test_parse(void **state)
{
	double s = -1;
	(void)state;
	assert_int_equal(cpu_pressure_parse(&s, kernel_text), 0);
	assert_true(fabs(s - 7269.04786) < 1e-6);
	/* "full" alone, a "some" line without total, garbage: no reading */
	assert_int_equal(cpu_pressure_parse(&s, "full avg10=0.00 total=12\n"), -1);
	assert_int_equal(cpu_pressure_parse(&s, "some avg10=1.00\nfull avg10=0.00 total=12\n"), -1);
	assert_int_equal(cpu_pressure_parse(&s, "some total=x\n"), -1);
	assert_int_equal(cpu_pressure_parse(&s, ""), -1);
}

static void test_share(void **state)
{
	struct cpu_pressure a = {.ok = true, .some_seconds = 100, .at = 1000000000ull};
	struct cpu_pressure b = {.ok = true, .some_seconds = 101.5, .at = 5000000000ull};
	(void)state;
	assert_true(fabs(cpu_pressure_share(&a, &b) - 0.375) < 1e-9); /* 1.5 s of 4 s */
	b.some_seconds = 110; /* more stalled than elapsed (rounding in the kernel): 1 */
	assert_true(cpu_pressure_share(&a, &b) == 1);
	b.some_seconds = 99; /* went back: no share */
	assert_true(isnan(cpu_pressure_share(&a, &b)));
	b.some_seconds = 101;
	b.at = a.at; /* no time passed */
	assert_true(isnan(cpu_pressure_share(&a, &b)));
	b.at = 2000000000ull;
	a.ok = false; /* one reading failed */
	assert_true(isnan(cpu_pressure_share(&a, &b)));
}

/* BENCH_CPU_PRESSURE: a file that says the kernel's text is read; one that
 * is missing or unreadable gives no reading, and no error. */
static void test_read_file(void **state)
{
	char path[] = "/tmp/bench-test-psi-XXXXXX";
	int fd = mkstemp(path);
	struct cpu_pressure p;
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, kernel_text, sizeof(kernel_text) - 1), (ssize_t)(sizeof(kernel_text) - 1));
	close(fd);
	setenv("BENCH_CPU_PRESSURE", path, 1);
	cpu_pressure_read(&p);
	assert_true(p.ok);
	assert_true(fabs(p.some_seconds - 7269.04786) < 1e-6);
	unlink(path);
	cpu_pressure_read(&p);
	assert_false(p.ok);
	assert_true(p.at > 0);
	unsetenv("BENCH_CPU_PRESSURE");
	/* this machine's own file, where the kernel has one */
	cpu_pressure_read(&p);
	assert_int_equal(p.ok, access("/proc/pressure/cpu", R_OK) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests_name("cpupressure", tests, NULL, NULL);
}
