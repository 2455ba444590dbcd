/*
 * dispatch.c: the queue of series and a worker per engine (see dispatch.h). The
 * queue's state (each series' state and pin, the engines still alive, the
 * first error) is guarded by one mutex; workers that find nothing to take
 * while series are still running wait on a condition, since a lost engine
 * can give its series back at any moment.
 */
#include "run/dispatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

enum { PENDING, RUNNING, DONE };

struct dispatch {
	pthread_mutex_t lock;
	pthread_cond_t changed;     /* a series ended or came back, or the run stops */
	struct dispatch_series *series;
	size_t n, nengines, alive;
	bool *lost;                 /* per engine */
	const struct dispatch_ops *ops;
	void *ctx;
	bool stop;                  /* an error, or no engine left */
	int error;                  /* the first negative code, or DISPATCH_NO_ENGINE */
	char *message;              /* its message, from the thread that had it */
};

struct worker {
	struct dispatch *s;
	size_t k;
};

bool dispatch_stopping(struct dispatch *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* With the lock held: keep the first error and its message (the calling
 * thread's), and stop the run. */
static void fail_locked(struct dispatch *s, int error)
{
	if (!s->error) {
		s->error = error;
		s->message = xstrdup(bench_error_last());
	}
	s->stop = true;
	pthread_cond_broadcast(&s->changed);
}

/* With the lock held: the next series engine k may take, or NULL. Its own
 * pinned series first, then the first free one. */
static struct dispatch_series *pick_locked(struct dispatch *s, size_t k)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->series[i].state == PENDING && s->series[i].pin == (int)k)
			return &s->series[i];
	for (i = 0; i < s->n; i++)
		if (s->series[i].state == PENDING && s->series[i].pin < 0)
			return &s->series[i];
	return NULL;
}

static bool all_done_locked(const struct dispatch *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->series[i].state != DONE)
			return false;
	return true;
}

/* With the lock held: engine k is gone. Its pinned series are freed to
 * restart elsewhere (their builds so far were made on k); returns how many
 * series that moves, current included. */
static size_t lose_engine_locked(struct dispatch *s, size_t k, struct dispatch_series *current)
{
	size_t i, moved = 0;

	s->lost[k] = true;
	s->alive--;
	if (current) {
		current->state = PENDING;
		current->pin = -1;
		current->restart = true;
		moved++;
	}
	for (i = 0; i < s->n; i++) {
		if (s->series[i].state == PENDING && s->series[i].pin == (int)k) {
			s->series[i].pin = -1;
			s->series[i].restart = true;
			moved++;
		}
	}
	if (!s->alive && !all_done_locked(s) && !s->stop) {
		s->error = DISPATCH_NO_ENGINE;
		s->stop = true;
	}
	pthread_cond_broadcast(&s->changed);
	return moved;
}

static void engine_lost(struct dispatch *s, size_t k, struct dispatch_series *current)
{
	size_t moved;

	pthread_mutex_lock(&s->lock);
	moved = lose_engine_locked(s, k, current);
	pthread_mutex_unlock(&s->lock);
	if (s->ops->engine_lost)
		s->ops->engine_lost(s->ctx, k, moved);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct dispatch *s = w->s;
	size_t k = w->k;
	int rc = s->ops->engine_start ? s->ops->engine_start(s->ctx, s, k) : 0;

	if (rc == DISPATCH_ENGINE_LOST) {
		engine_lost(s, k, NULL);
		return NULL;
	}
	if (rc < 0) {
		pthread_mutex_lock(&s->lock);
		fail_locked(s, rc);
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	for (;;) {
		struct dispatch_series *next = NULL;

		pthread_mutex_lock(&s->lock);
		while (!s->stop && !all_done_locked(s) && !(next = pick_locked(s, k)))
			pthread_cond_wait(&s->changed, &s->lock);
		if (next) {
			next->state = RUNNING;
			next->pin = (int)k;
		}
		pthread_mutex_unlock(&s->lock);
		if (!next)
			return NULL; /* all done, or the run stops */

		rc = s->ops->series(s->ctx, s, k, next);
		if (rc == DISPATCH_ENGINE_LOST) {
			engine_lost(s, k, next);
			return NULL;
		}
		pthread_mutex_lock(&s->lock);
		next->state = DONE;
		next->restart = false;
		if (rc < 0)
			fail_locked(s, rc);
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->lock);
	}
}

int dispatch_run(struct dispatch_series *series, size_t n, size_t nengines, const struct dispatch_ops *ops, void *ctx)
{
	struct dispatch s = {.series = series, .n = n, .nengines = nengines, .alive = nengines, .ops = ops, .ctx = ctx};
	struct worker *workers = xcalloc(nengines ? nengines : 1, sizeof(*workers));
	pthread_t *threads = xcalloc(nengines ? nengines : 1, sizeof(*threads));
	bool *started = xcalloc(nengines ? nengines : 1, sizeof(*started));
	size_t i, k;
	int error;

	if (!nengines) {
		error = bench_error_set(BENCH_EINVALID, "no engine to build on");
		goto out;
	}
	s.lost = xcalloc(nengines, sizeof(*s.lost));
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.changed, NULL);
	for (i = 0; i < n; i++) {
		series[i].state = PENDING;
		if (series[i].pin >= (int)nengines)
			series[i].pin = -1;
	}
	for (k = 0; k < nengines; k++)
		workers[k] = (struct worker){&s, k};
	if (nengines == 1) {
		worker_main(&workers[0]); /* one engine: no thread at all */
	} else {
		for (k = 0; k < nengines; k++) {
			if (pthread_create(&threads[k], NULL, worker_main, &workers[k]) != 0) {
				pthread_mutex_lock(&s.lock);
				bench_error_set(BENCH_ERROR, "cannot start a thread for engine %zu", k + 1);
				fail_locked(&s, BENCH_ERROR);
				pthread_mutex_unlock(&s.lock);
				break;
			}
			started[k] = true;
		}
		for (k = 0; k < nengines; k++)
			if (started[k])
				pthread_join(threads[k], NULL);
	}
	error = s.error;
	if (error < 0 && s.message)
		bench_error_set(error, "%s", s.message); /* into the caller's thread */
	pthread_cond_destroy(&s.changed);
	pthread_mutex_destroy(&s.lock);
	free(s.message);
	free(s.lost);
out:
	free(workers);
	free(threads);
	free(started);
	return error;
}
