/* test_parallel.c: harness/lib/parallel.c: every job runs once, on several
 * threads, and the error of the lowest failing job comes back with its
 * message to the caller's thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/error.h"
#include "lib/parallel.h"
#include "lib/util.h"

#define JOBS 200

struct ctx {
	int runs[JOBS];
	pthread_t thread[JOBS];
	const int *fail; /* job indexes that fail, -1 ended */
};

static int job(void *arg, size_t i)
{
	struct ctx *c = arg;
	struct timespec ts = {0, 200000}; /* long enough for the threads to share */
	const int *f;

	nanosleep(&ts, NULL);
	__atomic_add_fetch(&c->runs[i], 1, __ATOMIC_SEQ_CST);
	c->thread[i] = pthread_self();
	for (f = c->fail; f && *f >= 0; f++)
		if ((size_t)*f == i)
			return bench_error_set(BENCH_EIO, "job %zu failed", i);
	return 0;
}

static void test_every_job_once(void **state)
{
	struct ctx c = {0};
	size_t i, others = 0;
	(void)state;

	assert_int_equal(parallel_run(JOBS, job, &c, 4), 0);
	for (i = 0; i < JOBS; i++) {
		assert_int_equal(c.runs[i], 1);
		others += !pthread_equal(c.thread[i], pthread_self());
	}
	assert_true(others > 0); /* not all on the caller's thread */

	memset(&c, 0, sizeof(c));
	assert_int_equal(parallel_run(JOBS, job, &c, 1), 0); /* one thread: the caller's */
	for (i = 0; i < JOBS; i++) {
		assert_int_equal(c.runs[i], 1);
		assert_true(pthread_equal(c.thread[i], pthread_self()));
	}
	assert_int_equal(parallel_run(0, job, &c, 0), 0);
}

static void test_lowest_error_wins(void **state)
{
	const int fail[] = {150, 7, 42, -1};
	struct ctx c = {.fail = fail};
	size_t i;
	(void)state;

	bench_error_clear();
	assert_int_equal(parallel_run(JOBS, job, &c, 0), BENCH_EIO);
	assert_string_equal(bench_error_last(), "job 7 failed");
	for (i = 0; i < JOBS; i++)
		assert_int_equal(c.runs[i], 1); /* the others ran all the same */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_job_once),
		cmocka_unit_test(test_lowest_error_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
