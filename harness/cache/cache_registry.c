/*
 * cache_registry.c: the `cache = registry` backend (cache_kind.h): the
 * build imports and exports an image ref (--cache-from/--cache-to
 * type=registry), one ref per series, in the world's registry or in
 * [registry]'s repository (cache_registry_ref). Docker authenticates to
 * [registry] with the user's docker login; bench passes no credential.
 */
#include "cache/cache_backend.h"

#include <stdlib.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/world.h"

static void registry_init(struct cache_series *s, int rep, const char *dir)
{
	char *name = builder_ref_name(s->v->name), *cache = xasprintf("%s-cache", name);
	char *tag = xasprintf("r%d", rep);

	(void)dir;
	/* no registry (a dry run without [world]): no cache */
	s->state.registry_ref = cache_registry_ref(s->env, cache, tag);
	free(name);
	free(cache);
	free(tag);
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
		u->from.attrs = cache_registry_attrs(s);
	}
	cache_export_spec(&u->to, s, "registry", s->state.registry_ref);
	u->to.attrs = cache_registry_attrs(s);
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

	if (!s->state.registry_ref)
		return xstrdup("registry:none");
	if (!s->env->world)
		return NULL; /* [registry]: not looked into; a cut series is built again */
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
	.needs = CACHE_FROM_WORLD | CACHE_FROM_REGISTRY,
	.provides = "the registry",
	.types = (const char *const[]){"registry", NULL},
	.init = registry_init,
	.restore = registry_restore,
	.save = registry_save,
	.fingerprint = registry_fingerprint,
};
