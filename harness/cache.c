/*
 * cache.c: the cache policy of a series (see cache.h): one backend per
 * `cache =` kind in the table below, the actions/cache keys, the store's
 * restore (exact key, else latest) and save, the local folder rotation, and
 * the registry cache ref.
 */
#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "monotonic.h"
#include "sha256.h"
#include "util.h"
#include "world.h"

struct cache_backend {
	enum cache_kind kind;
	/* set up the series' fields (s->v, s->env are set) */
	void (*init)(struct cache_series *s, int rep, const char *dir);
	/* before a build: restore, then fill u->from and u->to */
	int (*restore)(struct cache_use *u, struct cache_series *s, const char *commit_id,
		       const char *checkout, bool cold, json_t *record);
	/* after a build: keep what it exported */
	int (*save)(struct cache_use *u, struct cache_series *s, bool ok, json_t *record);
};

static void note(const struct cache_series *s, const char *msg)
{
	if (s->env->progress)
		progress_note(s->env->progress, "%s", msg);
}

static void export_spec(struct cache_spec *to, const struct cache_series *s, enum cache_kind kind,
			const char *location)
{
	to->kind = kind;
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

/* ---- none ---- */

static void none_init(struct cache_series *s, int rep, const char *dir)
{
	(void)s;
	(void)rep;
	(void)dir;
}

static int none_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			const char *checkout, bool cold, json_t *record)
{
	(void)u, (void)s, (void)commit_id, (void)checkout, (void)cold, (void)record;
	return 0;
}

static int no_bytes_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	(void)u, (void)s, (void)ok;
	json_object_set_new(record, "cache_bytes", json_integer(0));
	return 0;
}

/* ---- local: a folder, rotated, maybe through the actions/cache store ---- */

static void local_init(struct cache_series *s, int rep, const char *dir)
{
	(void)rep;
	s->folder = path_join(dir, "cache");
	s->folder_new = path_join(dir, "cache-new");
	s->store = path_join(dir, "store");
	s->transport = s->v->runner == RUNNER_EPHEMERAL && (s->env->paced_store || s->v->cache_key_files_count);
}

/* Copy a cache folder through the actions/cache stand-in: paced by the
 * world when there is one, a plain copy otherwise (dst's parent made, as
 * the paced copy does). */
static int store_copy(double *seconds, const struct cache_series *s, const char *dst, const char *src)
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

static int local_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			 const char *checkout, bool cold, json_t *record)
{
	const struct variant *v = s->v;
	int error = 0;

	if (s->transport && !s->env->dry_run) {
		/* actions/cache: the exact key, else the latest entry (restore-keys) */
		char *exact_dir, *src = NULL;
		u->key = cache_key(v, commit_id, checkout);
		exact_dir = path_join(s->store, u->key);
		if (path_is_dir(exact_dir)) {
			u->exact_hit = true;
			src = xstrdup(exact_dir);
		} else if (s->state.latest_key) {
			src = path_join(s->store, s->state.latest_key);
		}
		free(exact_dir);
		json_object_set_new(record, "cache_key", json_string(u->key));
		json_object_set_new(record, "cache_hit", json_string(u->exact_hit ? "exact" : src ? "partial" : "none"));
		if (src) {
			note(s, "restoring cache (actions/cache stand-in)");
			error = store_copy(&u->restore_seconds, s, s->folder, src);
			free(src);
			if (error < 0)
				return error;
		}
	}
	if (path_is_dir(s->folder) || (s->env->dry_run && !cold)) {
		u->from.kind = CACHE_LOCAL;
		u->from.location = s->folder;
	}
	/* a workflow keyed on files skips the export on an exact hit, as
	 * actions/cache would not save it anyway */
	if (!(u->exact_hit && v->cache_key_files_count))
		export_spec(&u->to, s, CACHE_LOCAL, s->folder_new);
	rm_rf(s->folder_new);
	return 0;
}

/* Save CACHE-new under the build's key; only the newest entry stays, as
 * restore-keys would pick it. */
static int local_store_save(struct cache_use *u, struct cache_series *s, json_t *record)
{
	char *dst = path_join(s->store, u->key);
	int error;

	note(s, "saving cache (actions/cache stand-in)");
	error = u->exact_hit ? 0 : store_copy(&u->save_seconds, s, dst, s->folder_new);
	free(dst);
	if (error < 0)
		return error;
	if (!u->exact_hit) {
		if (s->state.latest_key && strcmp(s->state.latest_key, u->key)) {
			char *old_dir = path_join(s->store, s->state.latest_key);
			rm_rf(old_dir);
			free(old_dir);
		}
		free(s->state.latest_key);
		s->state.latest_key = xstrdup(u->key);
	}
	json_object_set_new(record, "cache_saved", json_boolean(!u->exact_hit));
	rm_rf(s->folder_new);
	rm_rf(s->folder);
	return 0;
}

static int local_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	int64_t bytes = 0;
	int error;

	/* rotate the cache like the blog's workflow: CACHE-new replaces CACHE */
	if (ok && path_is_dir(s->folder_new)) {
		if (s->transport) {
			if ((error = local_store_save(u, s, record)) < 0)
				return error;
		} else {
			rm_rf(s->folder);
			if (rename(s->folder_new, s->folder) < 0)
				return bench_error_errno(BENCH_EIO, "cannot move '%s' to '%s'", s->folder_new, s->folder);
		}
	} else {
		rm_rf(s->folder_new);
		if (s->transport)
			rm_rf(s->folder);
	}
	if (s->transport) {
		char *latest = s->state.latest_key ? path_join(s->store, s->state.latest_key) : NULL;
		if (latest)
			dir_size(&bytes, latest);
		free(latest);
	} else {
		dir_size(&bytes, s->folder);
	}
	json_object_set_new(record, "cache_bytes", json_integer(bytes));
	return 0;
}

/* ---- registry: an image ref in the world's registry ---- */

static void registry_init(struct cache_series *s, int rep, const char *dir)
{
	char *name;

	(void)dir;
	if (!s->env->world)
		return; /* no registry: no cache (the dry run shows none) */
	name = builder_ref_name(s->v->name);
	s->state.registry_ref = xasprintf("%s/%s/%s-cache:r%d", world_runner_registry(s->env->world, s->env->runner), s->env->marker,
					  name, rep);
	free(name);
}

static int registry_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			    const char *checkout, bool cold, json_t *record)
{
	(void)commit_id, (void)checkout, (void)record;
	if (!s->state.registry_ref)
		return 0;
	if (!cold) {
		u->from.kind = CACHE_REGISTRY;
		u->from.location = s->state.registry_ref;
	}
	export_spec(&u->to, s, CACHE_REGISTRY, s->state.registry_ref);
	return 0;
}

/* ---- the table ---- */

static const struct cache_backend backends[] = {
	{CACHE_NONE, none_init, none_restore, no_bytes_save},
	{CACHE_LOCAL, local_init, local_restore, local_save},
	{CACHE_REGISTRY, registry_init, registry_restore, no_bytes_save},
};

void cache_series_init(struct cache_series *s, const struct variant *v, int rep, const char *dir,
		       const struct cache_env *env)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->v = v;
	s->env = env;
	s->backend = &backends[0];
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i].kind == v->cache)
			s->backend = &backends[i];
	s->backend->init(s, rep, dir);
}

void cache_series_release(struct cache_series *s)
{
	free(s->folder);
	free(s->folder_new);
	free(s->store);
	cache_state_release(&s->state);
	memset(s, 0, sizeof(*s));
}

int cache_restore(struct cache_use *u, struct cache_series *s, const char *commit_id, const char *checkout,
		  bool cold, json_t *record)
{
	memset(u, 0, sizeof(*u));
	return s->backend->restore(u, s, commit_id, checkout, cold, record);
}

int cache_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	return s->backend->save(u, s, ok, record);
}

void cache_record_seconds(json_t *record, const struct cache_use *u, const struct cache_series *s)
{
	if (!s->transport)
		return;
	json_object_set_new(record, "cache_restore_seconds", json_real(u->restore_seconds));
	json_object_set_new(record, "cache_save_seconds", json_real(u->save_seconds));
}

void cache_use_release(struct cache_use *u)
{
	free(u->key);
	memset(u, 0, sizeof(*u));
}

/* ---- the state, for the results folder ---- */

json_t *cache_state_to_json(const struct cache_state *st)
{
	json_t *o = json_object();
	if (st->latest_key)
		json_object_set_new(o, "latest_key", json_string(st->latest_key));
	if (st->registry_ref)
		json_object_set_new(o, "registry_ref", json_string(st->registry_ref));
	return o;
}

int cache_state_from_json(struct cache_state *st, const json_t *j)
{
	const char *keys[] = {"latest_key", "registry_ref"};
	char **fields[] = {&st->latest_key, &st->registry_ref};
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!json_is_object(j))
		return bench_error_set(BENCH_EINVALID, "cache state: not a JSON object");
	for (i = 0; i < 2; i++) {
		json_t *v = json_object_get(j, keys[i]);
		if (!v)
			continue;
		if (!json_is_string(v)) {
			cache_state_release(st);
			return bench_error_set(BENCH_EINVALID, "cache state: '%s' is not a string", keys[i]);
		}
		*fields[i] = xstrdup(json_string_value(v));
	}
	return 0;
}

void cache_state_release(struct cache_state *st)
{
	free(st->latest_key);
	free(st->registry_ref);
	memset(st, 0, sizeof(*st));
}
