/*
 * runstate.h: what an interrupted run needs to go on exactly where it
 * stopped, kept in its results folder as state.json, rewritten atomically
 * after every recorded build (an interrupted build is not recorded, so the
 * state stays the one after the build before it):
 *
 *   {"version": 1,
 *    "marker": "bench-run-...",              the run's image marker: image
 *                                            and registry cache refs hold it
 *    "world": {"index_port": N,              the index's port: a build arg
 *              "registry_port": N},          (PIP_INDEX_URL), and the
 *                                            registry's, in every ref
 *    "runners": {"ENGINE": {"index_port": N, each engine's runner's ports
 *               "registry_port": N}},        (a run of several engines)
 *    "series": {"VARIANT/REP": {
 *        "builds": K,                        builds recorded when saved
 *        "cache": {"latest_key", "registry_ref"},   cache.h's cache_state
 *        "fingerprint": "..."}}}             what the cache held then
 *
 * The fingerprint says what the series' cache held after its last recorded
 * build: the names and sizes of every file of a local cache folder (or of
 * the actions/cache stand-in's latest entry; BuildKit names its blobs by
 * digest), or the digest of the registry cache's manifest. A series cut in
 * the middle continues on --resume only when the state was saved after its
 * last recorded build, the world has its ports again, and its cache holds
 * what the fingerprint says (bench may have been stopped after a build
 * exported its cache but before it was recorded); otherwise it is built
 * again from its cold build. A persistent runner's state is the engine's
 * build cache, which bench cannot check after an interruption (another run
 * may have pruned it), and a cache kind without a fingerprint here cannot be
 * checked either: such a series is built again from its cold build.
 */
#ifndef BENCH_RUNSTATE_H
#define BENCH_RUNSTATE_H

#include <jansson.h>
#include <stdbool.h>

#include "cache/cache.h"
#include "world/world.h"

struct runstate {
	char *path; /* RESULTS/state.json */
	json_t *doc;
};

/* Read results_dir/state.json; a folder without one (a run of an older
 * bench, or one stopped before its first build) gives an empty state. */
int runstate_load(struct runstate *st, const char *results_dir);
void runstate_release(struct runstate *st);

/* Write state.json atomically. */
int runstate_save(struct runstate *st);

/* The saved marker, or NULL. */
const char *runstate_marker(const struct runstate *st);
void runstate_set_marker(struct runstate *st, const char *marker);

/* The saved ports into *out; false when none were saved. */
bool runstate_world(const struct runstate *st, struct world_resume *out);
void runstate_set_world(struct runstate *st, int index_port, int registry_port);
/* The ports of the world's runner of engine `engine` (a run of several
 * engines: each has its own, see world.h), as above. */
bool runstate_runner(const struct runstate *st, const char *engine, struct world_resume *out);
void runstate_set_runner(struct runstate *st, const char *engine, const struct world_resume *ports);

/* After build number `builds` (1-based) of series s of variant v,
 * repetition rep, was recorded: its cache state and fingerprint. */
void runstate_series_saved(struct runstate *st, const struct variant *v, int rep, int builds,
			   const struct cache_series *s);

/* A resumed series with `done` builds recorded (0 < done < all): NULL when
 * it can continue, with s->state restored; else why it cannot (caller
 * frees), and the series must be built again from its cold build.
 * world_same: the world (if any) has the interrupted run's ports. */
char *runstate_series_resume(const struct runstate *st, const struct variant *v, int rep, int done,
			     struct cache_series *s, bool world_same);

#endif
