/*
 * world/pace.c: the token buckets of the emulated world (see pace.h): the
 * per-stream pacer, the shared link, and the paced tree copy that stands in
 * for actions/cache (util's copy_tree_with with a pacer granting the bytes).
 */
#include "world/pace.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/error.h"
#include "lib/util.h"

#define PACE_SLICE 0.05 /* longest single sleep, so that stop is noticed */

/* The link's bucket may run into debt: tokens below zero are bytes granted
 * ahead of the clock, and whoever took them waits until the clock has paid
 * them. Draws queue in the order they take the mutex; a draw is at most one
 * quantum, so a big take cannot hold the link while a small one waits. */
struct pace_link {
	pthread_mutex_t mu;
	double rate;    /* bytes per second; 0: no cap */
	double quantum; /* most bytes per draw */
	double burst;   /* most tokens saved up while idle */
	double tokens;
	monotime last;
};

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Add what the clock has paid since *last to *tokens, up to burst. */
static void refill(double *tokens, monotime *last, double rate, double burst, monotime now)
{
	*tokens += monotime_seconds(*last, now) * rate;
	if (*tokens > burst)
		*tokens = burst;
	*last = now;
}

void pacer_init(struct pacer *p, double rate, pace_stop_fn stop, void *stop_ctx)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate > 0 ? rate : 0;
	/* about 10 ms worth of bytes per grant, within [4 KiB, 1 MiB] */
	p->burst = clamp(p->rate / 100, 4096, 1048576);
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
		return pace_link_take(p->link, want, p->stop, p->stop_ctx) < 0 ? 0 : want;
	need = (double)want < p->burst ? (double)want : p->burst;
	for (;;) {
		double wait;

		refill(&p->tokens, &p->last, p->rate, p->burst, monotime_now());
		if (p->tokens >= need) {
			p->tokens -= need;
			if (pace_link_take(p->link, (size_t)need, p->stop, p->stop_ctx) < 0)
				return 0;
			return (size_t)need;
		}
		if (p->stop && p->stop(p->stop_ctx))
			return 0;
		wait = (need - p->tokens) / p->rate;
		sleep_seconds(wait < PACE_SLICE ? wait : PACE_SLICE);
	}
}

void pacer_set_link(struct pacer *p, struct pace_link *link)
{
	p->link = link;
}

/* ---- the shared link ---- */

struct pace_link *pace_link_new(double rate)
{
	struct pace_link *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->mu, NULL);
	l->rate = rate > 0 ? rate : 0;
	/* about 1 ms worth of bytes per draw, within [4 KiB, 64 KiB]: smaller
	 * than what the streams ask for at once, so that each gets its share
	 * whatever its chunks; up to 20 ms worth (at least four draws) saved up,
	 * which absorbs the takers oversleeping on a busy machine */
	l->quantum = clamp(l->rate / 1000, 4096, 65536);
	l->burst = clamp(l->rate / 50, 4 * l->quantum, HUGE_VAL);
	l->tokens = 0;
	l->last = monotime_now();
	return l;
}

void pace_link_free(struct pace_link *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

double pace_link_rate(const struct pace_link *l)
{
	return l ? l->rate : 0;
}

int pace_link_take(struct pace_link *l, size_t bytes, pace_stop_fn stop, void *stop_ctx)
{
	if (!l || l->rate <= 0)
		return 0;
	while (bytes) {
		double n = (double)bytes < l->quantum ? (double)bytes : l->quantum;
		double wait;

		pthread_mutex_lock(&l->mu);
		refill(&l->tokens, &l->last, l->rate, l->burst, monotime_now());
		l->tokens -= n;
		wait = l->tokens < 0 ? -l->tokens / l->rate : 0;
		pthread_mutex_unlock(&l->mu);
		bytes -= (size_t)n;
		if (wait > 0 && pace_sleep(wait, stop, stop_ctx) < 0)
			return -1;
	}
	return 0;
}

/* ---- the paced tree copy ---- */

static size_t pacer_grant(void *p, size_t want)
{
	return pacer_acquire(p, want);
}

int paced_copy_tree(double *seconds, const char *dst, const char *src, double rate,
		    struct pace_link *link, pace_stop_fn stop, void *stop_ctx)
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
	pacer_set_link(&p, link);
	hooks.grant = pacer_grant;
	hooks.ctx = &p;
	hooks.dir_mode_or = 0700; /* so that a read-only folder can be filled */
	error = copy_tree_with(dst, src, &hooks);
done:
	free(parent);
	*seconds = monotime_seconds_since(start);
	return error;
}
