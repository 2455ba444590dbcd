/*
 * cache_common.c: what the backends of the cache policy share
 * (cache_backend.h): progress notes, export specs, the actions/cache key,
 * the copy through the actions/cache stand-in, and the bytes of a cache
 * kept in the world's registry. It calls no backend, so the backends and
 * cache.c (which calls them) sit on top of it without a cycle.
 */
#include "cache/cache_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/sha256.h"
#include "lib/util.h"
#include "world/world.h"

void cache_note(const struct cache_series *s, const char *msg)
{
	if (s->env->note)
		s->env->note(s->env->note_ctx, msg);
}

void cache_export_spec(struct cache_spec *to, const struct cache_series *s, const char *type,
		       const char *location)
{
	to->type = type;
	to->location = location;
	to->mode = s->v->cache_mode;
	to->compression = s->v->cache_compression;
}

char *cache_key(const struct variant *v, const char *commit_id, const char *checkout)
{
	struct strbuf all = {0};
	char hex[SHA256_HEX_SIZE];
	size_t k;

	if (!v->cache_key_files_count)
		return xasprintf("commit-%s", commit_id);
	for (k = 0; k < v->cache_key_files_count; k++) {
		char *path = path_join(checkout, v->cache_key_files[k]), *data = NULL;
		size_t len = 0;
		strbuf_add(&all, v->cache_key_files[k], strlen(v->cache_key_files[k]) + 1);
		if (read_file(&data, &len, path) == 0)
			strbuf_add(&all, data, len);
		else
			strbuf_puts(&all, "(missing)");
		bench_error_clear();
		free(data);
		free(path);
	}
	sha256_hex(hex, all.buf, all.len);
	strbuf_release(&all);
	hex[16] = '\0';
	return xasprintf("files-%s", hex);
}

/* (dst's parent is made, as the paced copy does) */
int cache_store_copy(double *seconds, const struct cache_series *s, const char *dst, const char *src)
{
	monotime start = monotime_now();
	char *parent;
	int error;

	if (s->env->world)
		return world_runner_paced_copy(seconds, s->env->world, s->env->runner, dst, src);
	parent = xstrndup(dst, (size_t)(strrchr(dst, '/') ? strrchr(dst, '/') - dst : 0));
	if ((error = rm_rf(dst)) == 0 && path_is_dir(src) && (error = mkdir_p(*parent ? parent : ".")) == 0)
		error = copy_tree(dst, src);
	free(parent);
	*seconds = monotime_seconds_since(start);
	return error;
}

char *cache_registry_ref(const struct cache_env *env, const char *name, const char *tag)
{
	const char *host = env->world ? world_runner_registry(env->world, env->runner) : env->dry_registry;

	if (host)
		return xasprintf("%s/%s/%s:%s", host, env->marker, name, tag);
	if (env->registry && env->registry->ref)
		return xasprintf("%s:%s-%s-%s", env->registry->ref, env->marker, name, tag);
	return NULL;
}

const char *const *cache_registry_attrs(const struct cache_series *s)
{
	static const char *const insecure[] = {"registry.insecure=true", NULL};
	return s->env->registry && s->env->registry->insecure ? insecure : NULL;
}

void cache_record_registry_bytes(json_t *record, const struct cache_series *s, const char *ref)
{
	int64_t bytes = 0;

	if (s->env->world && ref && world_registry_ref_bytes(&bytes, s->env->world, ref) < 0) {
		bytes = 0; /* nothing exported (a failed build): nothing kept */
		bench_error_clear();
	}
	json_object_set_new(record, "cache_bytes", json_integer(bytes));
}
