/*
 * world/pace.c: the token-bucket pacer of the emulated world (see pace.h) and
 * the paced tree copy that stands in for actions/cache (util's copy_tree_with
 * with the pacer granting the bytes).
 */
#include "world/pace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "util.h"

#define PACE_SLICE 0.05 /* longest single sleep, so that stop is noticed */

void pacer_init(struct pacer *p, double rate, pace_stop_fn stop, void *stop_ctx)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate > 0 ? rate : 0;
	/* about 10 ms worth of bytes per grant, within [4 KiB, 1 MiB] */
	p->burst = p->rate / 100;
	if (p->burst < 4096)
		p->burst = 4096;
	if (p->burst > 1048576)
		p->burst = 1048576;
	p->tokens = 0;
	p->last = monotime_now();
	p->stop = stop;
	p->stop_ctx = stop_ctx;
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int pace_sleep(double seconds, pace_stop_fn stop, void *stop_ctx)
{
	monotime start = monotime_now();
	double left;

	while ((left = seconds - monotime_seconds_since(start)) > 0) {
		if (stop && stop(stop_ctx))
			return -1;
		sleep_seconds(left < PACE_SLICE ? left : PACE_SLICE);
	}
	return 0;
}

/* The bucket refills at p->rate up to p->burst; a grant of `need` bytes waits
 * until that many tokens are there and spends them, so the long-run rate is
 * exactly p->rate whatever the chunk sizes. */
size_t pacer_acquire(struct pacer *p, size_t want)
{
	double need;

	if (!want)
		return 0;
	if (p->rate <= 0)
		return want;
	need = (double)want < p->burst ? (double)want : p->burst;
	for (;;) {
		monotime now = monotime_now();
		double wait;

		p->tokens += monotime_seconds(p->last, now) * p->rate;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last = now;
		if (p->tokens >= need) {
			p->tokens -= need;
			return (size_t)need;
		}
		if (p->stop && p->stop(p->stop_ctx))
			return 0;
		wait = (need - p->tokens) / p->rate;
		sleep_seconds(wait < PACE_SLICE ? wait : PACE_SLICE);
	}
}

/* ---- the paced tree copy ---- */

static size_t pacer_grant(void *p, size_t want)
{
	return pacer_acquire(p, want);
}

int paced_copy_tree(double *seconds, const char *dst, const char *src, double rate,
		    pace_stop_fn stop, void *stop_ctx)
{
	monotime start = monotime_now();
	struct copy_tree_hooks hooks = {0};
	struct pacer p;
	struct stat st;
	char *parent = NULL;
	int error;

	*seconds = 0;
	if ((error = rm_rf(dst)))
		goto done;
	if (lstat(src, &st) < 0) {
		if (errno != ENOENT)
			error = bench_error_errno(BENCH_EIO, "cannot stat '%s'", src);
		goto done; /* a missing src: nothing cached yet, not an error */
	}
	parent = path_dirname(dst);
	if ((error = mkdir_p(parent)))
		goto done;
	pacer_init(&p, rate, stop, stop_ctx);
	hooks.grant = pacer_grant;
	hooks.ctx = &p;
	hooks.dir_mode_or = 0700; /* so that a read-only folder can be filled */
	error = copy_tree_with(dst, src, &hooks);
done:
	free(parent);
	*seconds = monotime_seconds_since(start);
	return error;
}
