/*
 * test_dispatch.c: the dispatcher of series over engines (harness/run/dispatch.c)
 * with stand-in series that sleep a few milliseconds, on real threads: every
 * series runs once, one series per engine at a time, engines in parallel;
 * pinned series stay on their engine; a lost engine's series (the running
 * one and those pinned to it) restart elsewhere; no engine left stops the
 * run; an error on one engine stops the others after their current series
 * and its message reaches the caller's thread; one engine runs in the
 * caller's thread. `make tsan` runs it under ThreadSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run/dispatch.h"
#include "lib/error.h"

#define MAXS 32
#define MAXE 4

/* What the stand-in engines did, and what they are told to do. */
struct fake {
	pthread_mutex_t lock;
	int runs[MAXS];          /* how many times each series ran to its end */
	int ran_on[MAXS];        /* the engine of its last run */
	bool restarted[MAXS];    /* it came with restart set */
	int running[MAXE];       /* series running now, per engine */
	int max_running[MAXE];
	int max_total, total;    /* engines busy at once */
	int started[MAXE];       /* series begun, per engine */
	int lose_at[MAXE];       /* lose engine k at its n-th series (1-based); 0 never */
	int fail_at[MAXE];       /* fail (BENCH_EIO) at its n-th series */
	int lose_on_start[MAXE];
	pthread_t thread[MAXE];
	bool stopped_early;      /* a series saw dispatch_stopping */
	size_t lost_moved[MAXE];
	bool lost_called[MAXE];
};

static void nap(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

static int on_start(void *ctx, struct dispatch *d, size_t k)
{
	struct fake *f = ctx;
	(void)d;
	return f->lose_on_start[k] ? DISPATCH_ENGINE_LOST : 0;
}

static int on_series(void *ctx, struct dispatch *d, size_t k, struct dispatch_series *s)
{
	struct fake *f = ctx;
	int n, rc = 0, step;

	pthread_mutex_lock(&f->lock);
	n = ++f->started[k];
	f->thread[k] = pthread_self();
	if (++f->running[k] > f->max_running[k])
		f->max_running[k] = f->running[k];
	if (++f->total > f->max_total)
		f->max_total = f->total;
	if (s->restart)
		f->restarted[s->index] = true;
	pthread_mutex_unlock(&f->lock);

	for (step = 0; step < 4; step++) { /* four "builds" */
		nap(3);
		if (dispatch_stopping(d)) {
			pthread_mutex_lock(&f->lock);
			f->stopped_early = true;
			pthread_mutex_unlock(&f->lock);
			break;
		}
	}
	pthread_mutex_lock(&f->lock);
	f->running[k]--;
	f->total--;
	if (f->lose_at[k] == n)
		rc = DISPATCH_ENGINE_LOST;
	else if (f->fail_at[k] == n)
		rc = bench_error_set(BENCH_EIO, "engine %zu cannot write its record", k);
	if (!rc) {
		f->runs[s->index]++;
		f->ran_on[s->index] = (int)k;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static void on_lost(void *ctx, size_t k, size_t moved)
{
	struct fake *f = ctx;
	pthread_mutex_lock(&f->lock);
	f->lost_called[k] = true;
	f->lost_moved[k] = moved;
	pthread_mutex_unlock(&f->lock);
}

static const struct dispatch_ops ops = {on_start, on_series, on_lost};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

static void series_init(struct dispatch_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (struct dispatch_series){.index = i, .pin = -1};
}

static void test_each_series_once_engines_in_parallel(void **state)
{
	struct dispatch_series s[12];
	struct fake f;
	size_t i;

	(void)state;
	fake_init(&f);
	series_init(s, 12);
	assert_int_equal(dispatch_run(s, 12, 3, &ops, &f), 0);
	for (i = 0; i < 12; i++) {
		assert_int_equal(f.runs[i], 1);
		assert_false(f.restarted[i]);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(f.max_running[i], 1); /* one series per engine at a time */
		assert_true(f.started[i] >= 1);        /* each engine took some */
	}
	assert_true(f.max_total >= 2); /* engines built at once */
	assert_int_equal(f.started[0] + f.started[1] + f.started[2], 12);
}

static void test_one_engine_in_the_callers_thread(void **state)
{
	struct dispatch_series s[3];
	struct fake f;

	(void)state;
	fake_init(&f);
	series_init(s, 3);
	assert_int_equal(dispatch_run(s, 3, 1, &ops, &f), 0);
	assert_int_equal(f.started[0], 3);
	assert_true(pthread_equal(f.thread[0], pthread_self()));
}

static void test_pinned_series_stay(void **state)
{
	struct dispatch_series s[6];
	struct fake f;

	(void)state;
	fake_init(&f);
	series_init(s, 6);
	s[0].pin = 1;
	s[1].pin = 1;
	s[2].pin = 1;
	s[5].pin = 0;
	assert_int_equal(dispatch_run(s, 6, 2, &ops, &f), 0);
	assert_int_equal(f.ran_on[0], 1);
	assert_int_equal(f.ran_on[1], 1);
	assert_int_equal(f.ran_on[2], 1);
	assert_int_equal(f.ran_on[5], 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(f.runs[i], 1);
}

/* Engine 1 is lost during its second series: that one restarts elsewhere,
 * as does the series pinned to engine 1 that had not started. */
static void test_lost_engine_moves_its_series(void **state)
{
	struct dispatch_series s[8];
	struct fake f;
	size_t i;

	(void)state;
	fake_init(&f);
	series_init(s, 8);
	s[7].pin = 1; /* a resumed series of engine 1 */
	f.lose_at[1] = 2;
	assert_int_equal(dispatch_run(s, 8, 2, &ops, &f), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(f.runs[i], 1);
	assert_int_equal(f.started[1], 2); /* nothing after it was lost */
	assert_true(f.lost_called[1]);
	assert_false(f.lost_called[0]);
	assert_true(f.restarted[7] || f.ran_on[7] == 1); /* pinned: moved unless it ran on 1 first */
	for (i = 0; i < 8; i++)
		if (f.restarted[i])
			assert_int_equal(f.ran_on[i], 0);
	assert_true(f.lost_moved[1] >= 1);
}

static void test_engine_lost_at_start(void **state)
{
	struct dispatch_series s[4];
	struct fake f;

	(void)state;
	fake_init(&f);
	series_init(s, 4);
	s[2].pin = 1;
	f.lose_on_start[1] = 1;
	assert_int_equal(dispatch_run(s, 4, 2, &ops, &f), 0);
	assert_int_equal(f.started[1], 0);
	assert_int_equal(f.started[0], 4);
	assert_true(f.restarted[2]);
	assert_int_equal(f.lost_moved[1], 1);
}

static void test_no_engine_left(void **state)
{
	struct dispatch_series s[6];
	struct fake f;
	int i, done = 0;

	(void)state;
	fake_init(&f);
	series_init(s, 6);
	f.lose_at[0] = 1;
	f.lose_at[1] = 2;
	assert_int_equal(dispatch_run(s, 6, 2, &ops, &f), DISPATCH_NO_ENGINE);
	for (i = 0; i < 6; i++)
		done += f.runs[i];
	assert_int_equal(done, 1); /* engine 1's first series: kept */
}

/* An error on one engine stops the run: the other ends its series early,
 * and the message crosses to this thread. */
static void test_error_stops_the_others(void **state)
{
	struct dispatch_series s[10];
	struct fake f;

	(void)state;
	fake_init(&f);
	series_init(s, 10);
	f.fail_at[0] = 1;
	bench_error_clear();
	assert_int_equal(dispatch_run(s, 10, 2, &ops, &f), BENCH_EIO);
	assert_string_equal(bench_error_last(), "engine 0 cannot write its record");
	assert_true(f.started[0] + f.started[1] < 10);
}

static void test_no_engines(void **state)
{
	struct dispatch_series s[1];

	(void)state;
	series_init(s, 1);
	assert_int_equal(dispatch_run(s, 1, 0, &ops, NULL), BENCH_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_series_once_engines_in_parallel),
		cmocka_unit_test(test_one_engine_in_the_callers_thread),
		cmocka_unit_test(test_pinned_series_stay),
		cmocka_unit_test(test_lost_engine_moves_its_series),
		cmocka_unit_test(test_engine_lost_at_start),
		cmocka_unit_test(test_no_engine_left),
		cmocka_unit_test(test_error_stops_the_others),
		cmocka_unit_test(test_no_engines),
	};
	return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
