/*
 * cache_registry.c: the `cache = registry` backend (cache_kind.h): the
 * build imports and exports an image ref in the world's registry
 * (--cache-from/--cache-to type=registry), one ref per series.
 */
#include "cache/cache_backend.h"

#include <stdlib.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/world.h"

static void registry_init(struct cache_series *s, int rep, const char *dir)
{
	const char *host = s->env->world ? world_runner_registry(s->env->world, s->env->runner)
					 : s->env->dry_registry;
	char *name;

	(void)dir;
	if (!host)
		return; /* no registry: no cache */
	name = builder_ref_name(s->v->name);
	s->state.registry_ref = xasprintf("%s/%s/%s-cache:r%d", host, s->env->marker, name, rep);
	free(name);
}

static int registry_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			    const char *checkout, bool cold, json_t *record)
{
	(void)commit_id, (void)checkout, (void)record;
	if (!s->state.registry_ref)
		return 0;
	if (!cold) {
		u->from.type = "registry";
		u->from.location = s->state.registry_ref;
	}
	cache_export_spec(&u->to, s, "registry", s->state.registry_ref);
	return 0;
}

static int registry_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	(void)u, (void)ok;
	cache_record_registry_bytes(record, s, s->state.registry_ref);
	return 0;
}


static char *registry_fingerprint(const struct cache_series *s)
{
	char *digest = NULL, *fp;

	if (!s->state.registry_ref || !s->env->world)
		return xstrdup("registry:none");
	if (world_registry_digest(&digest, s->env->world, s->state.registry_ref) < 0) {
		bench_error_clear();
		return NULL;
	}
	fp = xasprintf("registry:%s", digest ? digest : "absent");
	free(digest);
	return fp;
}

const struct cache_kind cache_kind_registry = {
	.name = "registry",
	.help = "an image ref in a registry (--cache-to type=registry)",
	.needs = CACHE_FROM_WORLD,
	.provides = "the registry",
	.types = (const char *const[]){"registry", NULL},
	.init = registry_init,
	.restore = registry_restore,
	.save = registry_save,
	.fingerprint = registry_fingerprint,
};
