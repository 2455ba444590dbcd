/*
 * dispatch.h: spreading a run's series over its engines.
 *
 * A series (one variant, one repetition: a cold build, then warm ones) runs
 * on one engine from its first build to its last, so that cold and warm
 * keep their meaning; each engine runs one series at a time and the engines
 * run in parallel, a thread each (a run of one engine stays in the caller's
 * thread). Series are taken from one queue, in order: first those pinned to
 * the engine (a resumed run goes on where each series was), then any free
 * one.
 *
 * An engine that stops answering ends its series with DISPATCH_ENGINE_LOST: that
 * series goes back to the queue to restart from its cold build on another
 * engine, and the series pinned to the lost engine are freed the same way.
 * When no engine is left while series remain, the run stops
 * (DISPATCH_NO_ENGINE). Any negative code from an engine stops the run: the
 * other engines end their series after their current build (dispatch_stopping).
 *
 * The dispatcher owns the queue and its lock only; what the engines share
 * besides (results, counters, output) is the caller's to protect.
 */
#ifndef BENCH_DISPATCH_H
#define BENCH_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

/* What a series callback returns besides 0 (done) and negative codes. */
#define DISPATCH_ENGINE_LOST 1
/* What dispatch_run returns when every engine was lost with series left. */
#define DISPATCH_NO_ENGINE 2

struct dispatch_series {
	size_t index;  /* the caller's: which series */
	int pin;       /* the engine it must run on, or -1: any */
	bool restart;  /* its earlier builds were made on another engine: build
			  it all again, from its cold build */
	/* private to dispatch.c */
	int state;
};

struct dispatch;

struct dispatch_ops {
	/* Before the first series on engine k (base images...): 0,
	 * DISPATCH_ENGINE_LOST, or a negative code that stops the run. May be NULL. */
	int (*engine_start)(void *ctx, struct dispatch *s, size_t k);
	/* Run series on engine k: 0 when it ran (whatever its builds' status),
	 * DISPATCH_ENGINE_LOST, or a negative code that stops the run. */
	int (*series)(void *ctx, struct dispatch *s, size_t k, struct dispatch_series *series);
	/* Engine k was lost; moved: how many series go elsewhere because of it.
	 * Called with no lock held. May be NULL. */
	void (*engine_lost)(void *ctx, size_t k, size_t moved);
};

/* Run every series of series[0..n) over nengines engines. Returns 0 when
 * each ran, DISPATCH_NO_ENGINE when the engines were all lost first, or the
 * first negative code an engine returned (its message kept in the calling
 * thread, see error.h). */
int dispatch_run(struct dispatch_series *series, size_t n, size_t nengines, const struct dispatch_ops *ops, void *ctx);

/* Should the series running now end after its current build (another engine
 * hit an error that stops the run)? */
bool dispatch_stopping(struct dispatch *s);

#endif
