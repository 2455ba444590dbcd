/*
 * run_int.h: what the files of `bench run` share (run.c, the replay loop
 * and the run's set-up; run_one.c, one build's phases; series.c, a series'
 * state and image; run_resume.c, continuing an interrupted run;
 * run_engines.c, the engines' part of the set-up; run_verdict.c, the
 * verdict's history and result): the run, and each engine of it.
 */
#ifndef BENCH_RUN_INT_H
#define BENCH_RUN_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "builders/builder.h"
#include "cache/cache.h"
#include "repo/checkout.h"
#include "run/dispatch.h"
#include "run/engines.h"
#include "run/progress.h"
#include "run/redact.h"
#include "results/results.h"
#include "run/run.h"
#include "run/runstate.h"
#include "run/series.h"
#include "scenario/scenario.h"
#include "lib/util.h"
#include "world/world.h"

struct run;

/* One engine of the run, and what its builds use of their own. */
struct run_engine {
	struct run *r;
	const struct engine *engine; /* r->engines.v[k] */
	size_t k;
	struct progress progress;    /* its builds' lines (the stream is shared) */
	struct cache_env cache_env;  /* the run's, with this engine's progress and runner */
	struct strvec build_args;    /* the world's (this runner's addresses), the scenario's */
	bool lost;                   /* it stopped answering */
	char *lost_reason;
	bool world_same;             /* its runner has the interrupted run's ports (or no world) */
	char *dry_registry;          /* the dry run's registry placeholder (cache_env's) */
	bool moving_tag;             /* its image store drops an image whose tag moved to a newer
					one (containerd store): one tag a series (series.h) */
};

struct run {
	const struct run_options *opts;
	struct run_outcome *out;
	struct scenario *sc;
	struct engine_set engines;
	struct run_engine *eng;   /* per engine */
	struct checkouts co;      /* the commits, checked out in the work folder */
	struct world *world;
	struct results *res;
	struct progress progress; /* the run's own notes */
	char *work;               /* private work folder */
	char *marker;             /* "bench-run-<stamp>": every image this run tags */
	struct strvec secrets;
	struct redact *redact;    /* the secrets' values, kept out of the results */
	struct strvec base_images;/* what every engine needs before its first build */
	json_t *finished;         /* resume: keys of builds already in the journal */
	struct runstate state;    /* state.json: what a resume continues from (runstate.h) */
	json_t *resumed;          /* resume: "VARIANT/REP" -> the cache state a cut series continues with */
	struct dispatch_series *series; /* every series, with a resumed run's pins */
	size_t nseries;
	json_t *image_sizes;      /* image identity -> bytes, for build.c (under sizes_lock) */
	pthread_mutex_t sizes_lock;
	pthread_mutex_t lock;     /* res, co, state, out, interrupted: shared by the engines */
	bool interrupted;         /* a build was interrupted */
	bool builders_up;         /* preflight passed: builders_finish at the end */
	bool keep_world;          /* the run did not finish: keep the registry's storage */
};

/* ---- run_one.c ---- */

/* Build variant s->v at commit i on s's engine. Returns 0 when the build ran
 * (any status; s->eng->lost when its engine stopped answering), or a
 * negative code that must stop the run (interrupted, results lost). */
int run_build_one(struct run *r, struct series *s, size_t i);

/* ---- run_resume.c ---- */

/* A refusal when the scenario file changed since the run in dir began
 * (unless --force), before anything in the folder is touched. */
int run_check_digest(struct run *r, const char *dir);
/* r->finished: the keys of the builds the results already have. */
int run_prepare_resume(struct run *r);
/* Each series cut in the middle: continue with its cache state, or build
 * it again from its cold build (its records dropped); the run says which. */
int run_resume_series(struct run *r);
/* A series that continues after a resume takes the cache state it had. */
void run_resume_cache_state(struct run *r, struct series *s);
/* The builds of series (v, rep) the results already have. */
int run_recorded_builds(struct run *r, const struct variant *v, int rep);

/* ---- run_verdict.c ---- */

/* The repository's first-parent history down from the last replayed commit
 * ([verdict] history commits) as run.json's "history" (verdict.h); NULL,
 * after a note, when it cannot be read. New reference. */
json_t *run_verdict_history_json(struct run *r);
/* That, into run.json. A history that cannot be read is not an error: the
 * verdict then takes the mix of the replayed commits. */
void run_verdict_history(struct run *r);
/* run.json's "verdict", from its builds (before results_finish). */
void run_verdict_attach(struct run *r);

/* ---- run_engines.c ---- */

/* Each engine's progress, cache environment (without the world) and run
 * state; r->eng is the run's. */
void run_engines_prepare(struct run *r);
/* The world, made on the first engine, and a runner of it per engine (a
 * resumed run's on the ports it had, when it can: see runstate.h). */
int run_world_start(struct run *r);
/* The run's marker into each engine's cache environment. */
void run_engines_set_marker(struct run *r);
/* The ETA's plan of each engine: the series pinned to it, and its share of
 * the others. */
void run_engines_plan(struct run *r);
/* A run of several engines: refused when a variant's builder cannot copy
 * images between engines. */
int run_engines_check(struct run *r);
/* The build args of every engine: the world's as its runner reaches it,
 * then the scenario's. */
void run_engines_args(struct run *r);
/* Each engine's fingerprint into env's "engines" (see engines.h). */
int run_engines_fingerprint(struct run *r, json_t *env);
/* r->base_images: the world's, and what the variants' Dockerfiles start
 * FROM (a repo: Dockerfile as in the first commit). */
int run_base_images(struct run *r);
/* Resume: pin the series the journal has builds of (dispatch.h). */
void run_resume_pins(struct run *r, struct dispatch_series *series, size_t n);
/* Is the engine still answering (to builder b)? When not, it is lost, and
 * why is kept. */
bool run_engine_gone(struct run_engine *re, const struct builder *b);
/* The dispatcher's engine_start and engine_lost (ctx: the run). */
int run_on_engine_start(void *ctx, struct dispatch *d, size_t k);
void run_on_engine_lost(void *ctx, size_t k, size_t moved);
void run_engines_release(struct run *r);
/* A note of the world's (ctx: the run). */
void run_world_log(void *ctx, const char *msg);

#endif
