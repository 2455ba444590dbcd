/*
 * parallel.c: a fixed pool of threads taking the next job index from a
 * shared counter (see parallel.h). Results are kept per job, so that the
 * caller sees the same error whatever the threads' timing.
 */
#include "lib/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"

#define MAX_THREADS 16

struct pool {
	size_t n, next;
	parallel_job_fn job;
	void *ctx;
	int *codes;      /* per job */
	char **messages; /* per failed job */
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;
		int code;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		bench_error_clear();
		code = p->job(p->ctx, i);
		p->codes[i] = code;
		if (code < 0)
			p->messages[i] = xstrdup(bench_error_last());
	}
}

int parallel_run(size_t n, parallel_job_fn job, void *ctx, int threads)
{
	struct pool p = {.n = n, .job = job, .ctx = ctx};
	pthread_t tids[MAX_THREADS];
	int started = 0, error = 0, t;
	size_t i;

	if (threads <= 0)
		threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if ((size_t)threads > n)
		threads = (int)n;
	if (threads < 1)
		threads = 1;
	p.codes = xcalloc(n ? n : 1, sizeof(*p.codes));
	p.messages = xcalloc(n ? n : 1, sizeof(*p.messages));
	pthread_mutex_init(&p.lock, NULL);
	/* the caller's thread is one of the workers */
	for (t = 1; t < threads; t++)
		if (pthread_create(&tids[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&p.lock);
	for (i = 0; i < n; i++) {
		if (p.codes[i] < 0 && !error)
			error = bench_error_set(p.codes[i], "%s", p.messages[i]);
		free(p.messages[i]);
	}
	if (!error)
		bench_error_clear();
	free(p.codes);
	free(p.messages);
	return error;
}
