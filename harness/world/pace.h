/*
 * world/pace.h: token buckets on the monotonic clock. A pacer paces one
 * stream at its own rate (each response body of the world's HTTP server,
 * each direction of a registry connection, each actions/cache copy); a link
 * is shared, thread-safe, by every stream that crosses it at the same moment
 * (the runner's network link: runner_bandwidth). A stream attached to a link
 * goes no faster than either.
 */
#ifndef BENCH_WORLD_PACE_H
#define BENCH_WORLD_PACE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/monotonic.h"

/* Called while waiting; returning true abandons the wait. */
typedef bool (*pace_stop_fn)(void *ctx);

/*
 * A shared link: one bucket of `rate` bytes/s that any number of threads
 * draw from. It grants at most a small quantum (about 1 ms of the rate) per
 * draw and queues the draws in the order they come, so that N streams
 * drawing at once get about 1/N of the rate each and together never more
 * than the rate. The owner (the world) makes it before the streams and frees
 * it after every stream has stopped.
 */
struct pace_link;

/* A link of `rate` bytes/s; rate <= 0: no cap (every take returns at once). */
struct pace_link *pace_link_new(double rate);
void pace_link_free(struct pace_link *l); /* NULL is fine */
double pace_link_rate(const struct pace_link *l); /* 0 for NULL */

/* Wait until `bytes` may cross the link (thread-safe; a NULL link or one
 * without a cap returns at once). Returns 0, or -1 when stop (may be NULL)
 * asked to stop first. */
int pace_link_take(struct pace_link *l, size_t bytes, pace_stop_fn stop, void *stop_ctx);

/* One paced stream. Not thread-safe: one owner at a time. */
struct pacer {
	double rate;    /* bytes per second; 0 or less: unpaced */
	double burst;   /* most bytes granted by one pacer_acquire */
	double tokens;  /* bytes that may go now */
	monotime last;  /* when tokens was last refilled */
	pace_stop_fn stop; /* may be NULL */
	void *stop_ctx;
	struct pace_link *link; /* also drawn from; NULL: none (the caller's) */
};

/* Start a stream of `rate` bytes/s with an empty bucket, so that N bytes
 * take N/rate seconds. */
void pacer_init(struct pacer *p, double rate, pace_stop_fn stop, void *stop_ctx);

/* Make the stream also draw every byte from link (NULL: none). */
void pacer_set_link(struct pacer *p, struct pace_link *link);

/* Wait until some of `want` bytes may go, at the pacer's rate and then
 * through its link, and return how many (1..want; at most p->burst when
 * paced). Returns 0 only when want is 0 or p->stop asked to stop. */
size_t pacer_acquire(struct pacer *p, size_t want);

/* Sleep `seconds` in short slices. Returns 0, or -1 when stop (may be NULL)
 * asked to stop first. */
int pace_sleep(double seconds, pace_stop_fn stop, void *stop_ctx);

/* Remove dst, then copy the tree src to dst (regular files, folders,
 * symlinks) with the file bytes going through one pacer of `rate` bytes/s
 * (0: unpaced) attached to link (may be NULL). A missing src copies nothing.
 * *seconds gets the wall time. Returns 0, BENCH_EIO, or BENCH_EINTERRUPTED
 * when stop asked to stop. */
int paced_copy_tree(double *seconds, const char *dst, const char *src, double rate,
		    struct pace_link *link, pace_stop_fn stop, void *stop_ctx);

#endif
