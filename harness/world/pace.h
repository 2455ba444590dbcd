/*
 * world/pace.h: a token-bucket pacer on the monotonic clock. The world's
 * HTTP server paces every response body with one, and the actions/cache
 * stand-in copies a folder tree through one (paced_copy_tree).
 */
#ifndef BENCH_WORLD_PACE_H
#define BENCH_WORLD_PACE_H

#include <stdbool.h>
#include <stddef.h>

#include "monotonic.h"

/* Called while waiting; returning true abandons the wait. */
typedef bool (*pace_stop_fn)(void *ctx);

/* One paced stream. Not thread-safe: one owner at a time. */
struct pacer {
	double rate;    /* bytes per second; 0 or less: unpaced */
	double burst;   /* most bytes granted by one pacer_acquire */
	double tokens;  /* bytes that may go now */
	monotime last;  /* when tokens was last refilled */
	pace_stop_fn stop; /* may be NULL */
	void *stop_ctx;
};

/* Start a stream of `rate` bytes/s with an empty bucket, so that N bytes
 * take N/rate seconds. */
void pacer_init(struct pacer *p, double rate, pace_stop_fn stop, void *stop_ctx);

/* Wait until some of `want` bytes may go and return how many (1..want,
 * at most p->burst). Returns 0 only when want is 0 or p->stop asked to stop. */
size_t pacer_acquire(struct pacer *p, size_t want);

/* Sleep `seconds` in short slices. Returns 0, or -1 when stop (may be NULL)
 * asked to stop first. */
int pace_sleep(double seconds, pace_stop_fn stop, void *stop_ctx);

/* Remove dst, then copy the tree src to dst (regular files, folders,
 * symlinks) with the file bytes going through one pacer of `rate` bytes/s
 * (0: unpaced). A missing src copies nothing. *seconds gets the wall time.
 * Returns 0, BENCH_EIO, or BENCH_EINTERRUPTED when stop asked to stop. */
int paced_copy_tree(double *seconds, const char *dst, const char *src, double rate,
		    pace_stop_fn stop, void *stop_ctx);

#endif
