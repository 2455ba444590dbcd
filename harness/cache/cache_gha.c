/*
 * cache_gha.c: the `cache = gha` backend (cache_kind.h): GitHub's cache
 * service, outside the runner, so that the cache survives an ephemeral
 * runner's reset without any copy of bench's own. Without a world, the
 * runner's own service, as buildx finds it in its environment
 * (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_SERVICE_V2:
 * docker/buildx build/opt.go); bench passes only the scope. The world's service v2
 * (world.h, world/ghacache.h): --cache-from and --cache-to type=gha with
 * url_v2 (the service), version=2 (BuildKit >= 0.20 then speaks the Twirp
 * CacheService and Azure blobs; without it, BuildKit would speak the v1
 * REST API GitHub shut down in April 2025), a token the world mints for
 * the run's branch, the variant's cache_scope and cache_mode. The series'
 * cold build starts an empty service (a repository's first workflow run);
 * its counters go into the build's record under "gha", and the bytes it
 * keeps into cache_bytes.
 */
#include "cache/cache_backend.h"

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/world.h"

/* What GitHub gives a job's ACTIONS_RUNTIME_TOKEN: about the job's longest
 * run, 6 hours. */
#define GHA_TOKEN_LIFETIME (6 * 3600.0)

/* ---- gha ---- */

static void gha_init(struct cache_series *s, int rep, const char *dir)
{
	(void)s, (void)rep, (void)dir;
}

static int gha_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
		       const char *checkout, bool cold, json_t *record)
{
	struct world *w = s->env->world;
	const char *url = "http://127.0.0.1:<gha-port>/"; /* the dry run's */
	char *token = NULL;
	int error;

	(void)commit_id, (void)checkout, (void)record;
	if (s->env->runner_env) {
		/* the runner's service: buildx reads its url, token and protocol
		 * version from the environment (ACTIONS_RESULTS_URL,
		 * ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_SERVICE_V2), so the token
		 * stays out of the argv and the logs; cache_check found them */
		url = NULL;
	} else if (w) {
		int runner = s->env->runner;
		if ((cold || !world_runner_gha_url(w, runner)) && (error = world_runner_gha_start(w, runner)) < 0)
			return error;
		if ((error = world_gha_token(&token, w, GHA_TOKEN_LIFETIME)) < 0)
			return error;
		url = world_runner_gha_url(w, s->env->runner);
	} else if (!s->env->dry_run) {
		return 0; /* no world: no service (the scenario check asks for one) */
	}
	u->gha_scope = xasprintf("scope=%s", s->v->cache_scope ? s->v->cache_scope : s->v->name);
	if (url)
		u->gha_token = xasprintf("token=%s", token ? token : "<token>");
	/* world: token, scope, version=2; the runner's: the scope alone */
	u->gha_attrs[0] = u->gha_token ? u->gha_token : u->gha_scope;
	u->gha_attrs[1] = u->gha_token ? u->gha_scope : NULL;
	u->gha_attrs[2] = u->gha_token ? "version=2" : NULL;
	u->gha_attrs[3] = NULL;
	/* a workflow passes cache-from on its first run too: one lookup, a miss */
	u->from.type = "gha";
	u->from.location = url;
	u->from.attrs = u->gha_attrs;
	cache_export_spec(&u->to, s, "gha", url);
	u->to.attrs = u->gha_attrs;
	free(token);
	return 0;
}

static int gha_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	struct ghacache_counters c;

	(void)u, (void)ok;
	if (s->env->world && world_runner_gha_counters(&c, s->env->world, s->env->runner)) {
		json_object_set_new(record, "gha", ghacache_counters_json(&c));
		json_object_set_new(record, "cache_bytes", json_integer(c.total_size));
	} else {
		json_object_set_new(record, "cache_bytes", json_integer(0));
	}
	return 0;
}

const struct cache_kind cache_kind_gha = {
	.name = "gha",
	.help = "GitHub's cache service (--cache-to type=gha)",
	.needs = CACHE_FROM_WORLD | CACHE_FROM_RUNNER_ENV,
	/* (v2: GitHub shut the v1 service down; without it buildx speaks v1) */
	.env = (const char *const[]){"ACTIONS_RESULTS_URL", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_SERVICE_V2", NULL},
	.provides = "the emulated GitHub cache service",
	.types = (const char *const[]){"gha", NULL},
	.flags = CACHE_TAKES_SCOPE,
	.init = gha_init,
	.restore = gha_restore,
	.save = gha_save,
};
