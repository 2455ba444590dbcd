/*
 * cache_backend.h: what the files of the cache policy share: the backends
 * (one file each: cache_none.c, cache_local.c, cache_registry.c,
 * cache_gha.c, cache_inline.c; their rows in cache_kinds.c), the helpers
 * they all use (cache_common.c), and the cache dance (cache_dance.c, cache
 * mounts carried between builds around any backend). cache.c calls the
 * backends and the dance; they call only cache_common.c. Nothing outside
 * harness/cache includes it: run.c sees only cache.h.
 */
#ifndef BENCH_CACHE_BACKEND_H
#define BENCH_CACHE_BACKEND_H

#include "cache/cache.h"
#include "cache/cache_kind.h"

/* ---- cache_common.c ---- */

/* A progress note of the series ("restoring cache ..."), when it has a
 * progress line. */
void cache_note(const struct cache_series *s, const char *msg);

/* Fill an export spec of the variant's mode and compression. */
void cache_export_spec(struct cache_spec *to, const struct cache_series *s, const char *type,
		       const char *location);

/* Copy a folder through the actions/cache stand-in: paced by the world
 * when there is one, a plain copy otherwise. *seconds gets the time. */
int cache_store_copy(double *seconds, const struct cache_series *s, const char *dst, const char *src);

/* The attributes of a registry cache import or export: plain HTTP for
 * [registry]'s insecure = yes (registry.insecure=true), else NULL. */
const char *const *cache_registry_attrs(const struct cache_series *s);

/* cache_bytes of a cache kept in the world's registry under ref: the
 * bytes its manifest names (0 when there is no world, no ref, or the
 * registry does not have it, e.g. after a failed export). */
void cache_record_registry_bytes(json_t *record, const struct cache_series *s, const char *ref);

/* cache_dance.c: around any backend, when the variant lists cache_mounts
 * and the runner is ephemeral (s->dance). */
int cache_dance_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			const char *checkout, json_t *record);
int cache_dance_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record);

/* The --mount spec of each target's cache mount in the Dockerfile text
 * (dockerfile names it in messages), appended to specs: type=cache, the
 * target, and the options that name the cache and shape its folder (id,
 * sharing, uid, gid, mode). BENCH_EINVALID when a target has none. */
int dance_find_mounts(struct strvec *specs, const char *text, const char *const *targets, size_t n,
		      const char *dockerfile);
/* The helper Dockerfiles on image: the extraction copies each target's
 * contents to /bench-dance/I of a scratch stage; the injection copies them
 * in from bind mounts of the context's folders I. Caller frees. */
char *dance_extract_dockerfile(const struct strvec *specs, const char *const *targets, const char *image);
char *dance_inject_dockerfile(const struct strvec *specs, const char *const *targets, const char *image);

#endif
