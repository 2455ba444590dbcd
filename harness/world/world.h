/*
 * world.h: the emulated world of scenarios/cafeboo.ini, everything on
 * 127.0.0.1 (or the [world] listen address, for engines on other machines),
 * started and stopped by bench for the run:
 *   - a generated git repository modeled on the cafeboo AI service;
 *   - a PEP 503 package index with generated wheels (sizes proportional to
 *     the real ones, payload compressing about 2:1) and the model files,
 *     served by libmicrohttpd with paced bandwidth and latency, counting the
 *     bytes served per build;
 *   - a stand-in for python:3.12.7-slim made without any registry
 *     (debootstrap + docker import), created once when absent and kept;
 *   - a local registry (Debian's docker-registry) for the push step and the
 *     registry caches, reached through a paced proxy (registry_bandwidth
 *     per connection and direction), counting the bytes through it;
 *   - the actions/cache stand-in: a paced copy of the cache folder;
 *   - GitHub's cache service v2 (world/ghacache.h) for `cache = gha`, one
 *     per series, started empty by the series' cold build, its requests
 *     appended to gha-requests.log in work_dir;
 *   - the runner's link (runner_bandwidth): every download, registry
 *     transfer, cache copy and cache service body above draws from it at
 *     the same moment.
 * Nothing of it survives world_stop except the base image and the cache
 * service's request logs (in work_dir, beside the world's folder).
 */
#ifndef BENCH_WORLD_H
#define BENCH_WORLD_H

#include <jansson.h>
#include <stdint.h>

#include "world/world_settings.h"
#include "lib/util.h"
#include "world/ghacache.h"

struct world;
struct engine;
struct world_engine_ops;

/* Build and start the world in work_dir (a private folder the caller removes
 * later); the base image is made on engine e (NULL: the default engine) when
 * it lacks it, through ops (baseimage.h; the run lends builders/docker.c's,
 * run_world_engine_ops), which must outlive the world. Progress notes go to `log` when not NULL. The settings must
 * outlive the world. */
int world_start(struct world **out, const struct world_settings *s, const struct engine *e,
		const struct world_engine_ops *ops, const char *work_dir, void (*log)(void *ctx, const char *msg),
		void *log_ctx);

/* What a resumed run asks of the world it starts again: the ports of the
 * interrupted run's world (the index's is in every build's args, the
 * registry proxy's in every image and cache ref), each 0 for any. The
 * registry's storage in work_dir (the interrupted run's pushes and registry
 * caches) is kept and served again; the generated files and repository are
 * made anew (the same, from the same seed). When a port cannot be bound the
 * world takes another and says so (world_index_port, world_registry_port
 * tell which it got). */
struct world_resume {
	int index_port;
	int registry_port;
};
int world_start_resumed(struct world **out, const struct world_settings *s, const struct engine *e,
			const struct world_engine_ops *ops, const char *work_dir, const struct world_resume *resume,
			void (*log)(void *ctx, const char *msg), void *log_ctx);

int world_index_port(const struct world *w);
int world_registry_port(const struct world *w);

/* Keep the registry's storage in work_dir when the world stops: the run is
 * interrupted and may be resumed. */
void world_keep(struct world *w);

/* The digest of the manifest a ref of the world's registry
 * ("127.0.0.1:PORT/NAME:TAG") points at, in *digest (caller frees; NULL when
 * there is none). */
int world_registry_digest(char **digest, const struct world *w, const char *ref);

/* The bytes in the registry of ref (REGISTRY/NAME:TAG, an image or a
 * registry cache): the blobs its manifest names (registry.h). */
int world_registry_ref_bytes(int64_t *bytes, const struct world *w, const char *ref);

/* The base image every build starts FROM (BASE_IMAGE). Owned by w. */
const char *world_base_image(const struct world *w);

/* Stop the servers and remove what world_start made, except the base image. */
void world_stop(struct world *w);

/* The generated repository (a path inside work_dir). Owned by w. */
const char *world_repo_path(const struct world *w);

/* Build args every build gets: PIP_INDEX_URL, PIP_TRUSTED_HOST, MODEL_BASE_URL,
 * BASE_IMAGE. Appended as "KEY=VALUE". */
void world_build_args(const struct world *w, struct strvec *args);

/* The same for an index at index_origin ("http://HOST:PORT"; PIP_TRUSTED_HOST
 * is its HOST), without a running world (bench run --dry-run shows a
 * placeholder port). */
void world_build_args_at(struct strvec *args, const char *index_origin, const char *base_image);

/* "ADDRESS:PORT" of the registry (its paced proxy; ADDRESS: [world] address,
 * by default its listen address, 127.0.0.1). Owned by w. */
const char *world_registry(const struct world *w);

/* Per-build counters of the emulated internet. */
void world_counters_reset(struct world *w);
int64_t world_served_bytes(const struct world *w);
int64_t world_served_requests(const struct world *w);
/* Bytes through the registry's proxy since the reset: both ways (pushes,
 * cache exports and imports, manifests), and only those sent to it. */
int64_t world_registry_bytes(const struct world *w);
int64_t world_registry_sent_bytes(const struct world *w);

/* GitHub's cache service, for the series that uses it: world_gha_start
 * stops the one running (its entries gone) and starts an empty one with the
 * quota gha_quota x scale, the rate limit gha_rate_limit per minute with
 * Retry-After gha_retry_after, bodies paced at cache_bandwidth per
 * connection (GitHub's cache is the backend of actions/cache) after
 * latency, and through the runner's link. Every request it answers is
 * appended to its request log (world_runner_gha_log), a line per request
 * after a "# ..." line per service started. Its counters are reset with
 * the others (world_counters_reset). */
int world_gha_start(struct world *w);
void world_gha_stop(struct world *w);
/* "http://127.0.0.1:PORT/" (BuildKit's url_v2), or NULL when none runs.
 * Owned by w. */
const char *world_gha_url(const struct world *w);
/* The branch a run builds: the cache scope its token writes. */
#define WORLD_GHA_REF "refs/heads/main"
/* The token a workflow run on WORLD_GHA_REF gets, valid for lifetime
 * seconds. Caller frees *out. */
int world_gha_token(char **out, const struct world *w, double lifetime);
/* Sizes, ports, scale and bandwidths, for run.json. New reference. */
json_t *world_describe(const struct world *w);

/*
 * Runners: each engine of a run is a CI runner of its own, so each gets its
 * own view of the world: its own link (runner_bandwidth), its own ports for
 * the index and the registry's proxy (the one registry and the files are
 * shared), and so its own counters: the builds of two engines at once each
 * count what they fetched. Runner 0 is what the functions above use; a run
 * of n engines adds n - 1 more with world_add_runner before its builds.
 */
int world_add_runner(int *index, struct world *w);
/* The same, on the ports of *want (a resumed run's runner) when they can
 * be bound, else on others (said so): world_runner_ports tells which. */
int world_add_runner_at(int *index, struct world *w, const struct world_resume *want);
/* The same for engine e (NULL: the default engine): its runner binds to,
 * and its builds are told, e's [world] engine_listen address if it has one
 * (an engine on another host), else the world's listen and address. */
int world_add_runner_for(int *index, struct world *w, const struct engine *e, const struct world_resume *want);
/* Engine's address in settings' engine_listen ("ENGINE=ADDRESS"), or NULL.
 * Points into the settings. */
const char *world_engine_listen(const struct world_settings *s, const char *engine);
void world_runner_ports(const struct world *w, int runner, struct world_resume *out);
int world_runners(const struct world *w);
void world_runner_build_args(const struct world *w, int runner, struct strvec *args);
const char *world_runner_registry(const struct world *w, int runner);
void world_runner_counters_reset(struct world *w, int runner);
int64_t world_runner_served_bytes(const struct world *w, int runner);
int64_t world_runner_served_requests(const struct world *w, int runner);
int world_runner_paced_copy(double *seconds, struct world *w, int runner, const char *dst, const char *src);
int64_t world_runner_registry_bytes(const struct world *w, int runner);
int64_t world_runner_registry_sent_bytes(const struct world *w, int runner);
/* Each runner has its own GitHub cache service (one series runs on a runner
 * at a time, and a series starts its service empty): world_gha_* above are
 * runner 0's. */
int world_runner_gha_start(struct world *w, int runner);
void world_runner_gha_stop(struct world *w, int runner);
const char *world_runner_gha_url(const struct world *w, int runner);
bool world_runner_gha_counters(struct ghacache_counters *out, struct world *w, int runner);
/* The request log of runner's services: work_dir/gha-requests.log for
 * runner 0, gha-requests-N.log for runner N. Caller frees. */
char *world_runner_gha_log(const struct world *w, int runner);

#endif
