/*
 * cache_inline.c: the `cache = inline` backend (cache_kind.h):
 * --cache-to type=inline: BuildKit writes the cache metadata (min mode
 * only) into the image's config; the image is pushed; the next build
 * imports the image the series pushed last with --cache-from
 * type=registry. cache_bytes is that image's size in the registry: the
 * cache is the image.
 */
#include "cache/cache_backend.h"

#include <stdlib.h>

#include "lib/util.h"

static void inline_init(struct cache_series *s, int rep, const char *dir)
{
	(void)s, (void)rep, (void)dir;
}

static int inline_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			  const char *checkout, bool cold, json_t *record)
{
	(void)commit_id, (void)checkout, (void)record;
	if (!cold && s->state.inline_ref) {
		u->from.type = "registry";
		u->from.location = s->state.inline_ref;
		u->from.attrs = cache_registry_attrs(s);
	} else if (!cold && s->env->dry_run) {
		u->from.type = "registry";
		u->from.location = "<the image this series pushed last>";
	}
	u->to.type = "inline";
	return 0;
}

static int inline_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	/* a build that failed (or whose push failed) left nothing to import:
	 * the next imports the last image that made it */
	if (ok && u->image) {
		free(s->state.inline_ref);
		s->state.inline_ref = xstrdup(u->image);
	}
	cache_record_registry_bytes(record, s, s->state.inline_ref);
	return 0;
}

const struct cache_kind cache_kind_inline = {
	.name = "inline",
	.help = "inside the pushed image (--cache-to type=inline), read back from the registry",
	.needs = CACHE_FROM_WORLD | CACHE_FROM_REGISTRY,
	.provides = "the registry the image and its cache are pushed to",
	.types = (const char *const[]){"inline", "registry", NULL},
	.flags = CACHE_MIN_ONLY | CACHE_NEEDS_PUSH,
	.min_only_why = "BuildKit's inline cache only embeds min",
	.needs_push_why = "the cache travels in the pushed image, and the next build imports it from the registry",
	.init = inline_init,
	.restore = inline_restore,
	.save = inline_save,
};
