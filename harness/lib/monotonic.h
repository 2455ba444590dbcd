/*
 * monotonic.h: a monotonic clock for measuring durations (redis-style).
 * Never use wall-clock time for a duration: it jumps with NTP.
 */
#ifndef BENCH_MONOTONIC_H
#define BENCH_MONOTONIC_H

#include <stdint.h>
#include <time.h>

typedef uint64_t monotime; /* nanoseconds since an arbitrary origin */

static inline monotime monotime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (monotime)ts.tv_sec * 1000000000ull + (monotime)ts.tv_nsec;
}

static inline double monotime_seconds_since(monotime start)
{
	return (double)(monotime_now() - start) / 1e9;
}

static inline double monotime_seconds(monotime start, monotime end)
{
	return (double)(end - start) / 1e9;
}

#endif
