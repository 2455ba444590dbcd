/*
 * cache.c: the cache policy of a series (see cache.h): one backend per
 * `cache =` kind in the table below (gha and inline in cache_gha.c), the
 * actions/cache keys, the store's restore (exact key, else latest) and
 * save, the local folder rotation, and the registry cache ref; the cache
 * dance (cache_dance.c) around any of them.
 */
#include "cache/cache.h"
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
	if (s->env->progress)
		progress_note(s->env->progress, "%s", msg);
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
			cache_note(s, "restoring cache (actions/cache stand-in)");
			error = cache_store_copy(&u->restore_seconds, s, s->folder, src);
			free(src);
			if (error < 0)
				return error;
		}
	}
	if (path_is_dir(s->folder) || (s->env->dry_run && !cold)) {
		u->from.type = "local";
		u->from.location = s->folder;
	}
	/* a workflow keyed on files skips the export on an exact hit, as
	 * actions/cache would not save it anyway */
	if (!(u->exact_hit && v->cache_key_files_count))
		cache_export_spec(&u->to, s, "local", s->folder_new);
	rm_rf(s->folder_new);
	return 0;
}

/* Save CACHE-new under the build's key; only the newest entry stays, as
 * restore-keys would pick it. */
static int local_store_save(struct cache_use *u, struct cache_series *s, json_t *record)
{
	char *dst = path_join(s->store, u->key);
	int error;

	cache_note(s, "saving cache (actions/cache stand-in)");
	error = u->exact_hit ? 0 : cache_store_copy(&u->save_seconds, s, dst, s->folder_new);
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

void cache_record_registry_bytes(json_t *record, const struct cache_series *s, const char *ref)
{
	int64_t bytes = 0;

	if (s->env->world && ref && world_registry_ref_bytes(&bytes, s->env->world, ref) < 0) {
		bytes = 0; /* nothing exported (a failed build): nothing kept */
		bench_error_clear();
	}
	json_object_set_new(record, "cache_bytes", json_integer(bytes));
}

/* ---- the table ---- */

static const struct cache_backend backends[] = {
	{CACHE_NONE, none_init, none_restore, no_bytes_save},
	{CACHE_LOCAL, local_init, local_restore, local_save},
	{CACHE_REGISTRY, registry_init, registry_restore, registry_save},
	{CACHE_GHA, cache_gha_init, cache_gha_restore, cache_gha_save},
	{CACHE_INLINE, cache_inline_init, cache_inline_restore, cache_inline_save},
};

static const struct cache_backend *backend_of(enum cache_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i].kind == kind)
			return &backends[i];
	return NULL;
}

int cache_check(const struct scenario *sc)
{
	size_t i;

	for (i = 0; i < sc->variants_count; i++)
		if (!backend_of(sc->variants[i].cache))
			return bench_error_set(BENCH_EINVALID, "%s:%d: variant '%s': cache = %s is not supported by "
					       "this bench", sc->path, sc->variants[i].line, sc->variants[i].name,
					       cache_kind_name(sc->variants[i].cache));
	return 0;
}

void cache_series_init(struct cache_series *s, const struct variant *v, int rep, const char *dir,
		       const struct cache_env *env)
{
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->env = env;
	s->backend = backend_of(v->cache);
	if (!s->backend)
		s->backend = backend_of(CACHE_NONE); /* cache_check refused it before the run */
	s->backend->init(s, rep, dir);
	/* on a persistent runner the mounts stay in the daemon: no dance */
	s->dance = v->cache_mounts_count && v->runner == RUNNER_EPHEMERAL;
	if (s->dance)
		s->dance_dir = path_join(dir, "dance");
}

void cache_series_release(struct cache_series *s)
{
	free(s->folder);
	free(s->folder_new);
	free(s->store);
	free(s->dance_dir);
	cache_state_release(&s->state);
	memset(s, 0, sizeof(*s));
}

int cache_restore(struct cache_use *u, struct cache_series *s, const char *commit_id, const char *checkout,
		  bool cold, json_t *record)
{
	int error;

	memset(u, 0, sizeof(*u));
	if ((error = s->backend->restore(u, s, commit_id, checkout, cold, record)) < 0 ||
	    (s->dance && (error = cache_dance_restore(u, s, commit_id, checkout, record)) < 0))
		return error;
	u->restore_seconds += u->mounts_restore_seconds;
	return 0;
}

int cache_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	int error;

	/* the workflow's order: the dance's extraction is a step after the
	 * build; actions/cache saves in the job's post steps */
	if ((s->dance && (error = cache_dance_save(u, s, ok, record)) < 0) ||
	    (error = s->backend->save(u, s, ok, record)) < 0)
		return error;
	u->save_seconds += u->mounts_save_seconds;
	return 0;
}

void cache_record_seconds(json_t *record, const struct cache_use *u, const struct cache_series *s)
{
	if (s->transport) {
		json_object_set_new(record, "cache_restore_seconds",
				    json_real(u->restore_seconds - u->mounts_restore_seconds));
		json_object_set_new(record, "cache_save_seconds",
				    json_real(u->save_seconds - u->mounts_save_seconds));
	}
	if (s->dance) {
		json_object_set_new(record, "cache_mounts_restore_seconds", json_real(u->mounts_restore_seconds));
		json_object_set_new(record, "cache_mounts_save_seconds", json_real(u->mounts_save_seconds));
	}
}

void cache_use_release(struct cache_use *u)
{
	free(u->key);
	free(u->gha_token);
	free(u->gha_scope);
	free(u->mounts_key);
	strvec_release(&u->mount_specs);
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
	if (st->inline_ref)
		json_object_set_new(o, "inline_ref", json_string(st->inline_ref));
	if (st->mounts_key)
		json_object_set_new(o, "mounts_key", json_string(st->mounts_key));
	return o;
}

int cache_state_from_json(struct cache_state *st, const json_t *j)
{
	const char *keys[] = {"latest_key", "registry_ref", "inline_ref", "mounts_key"};
	char **fields[] = {&st->latest_key, &st->registry_ref, &st->inline_ref, &st->mounts_key};
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!json_is_object(j))
		return bench_error_set(BENCH_EINVALID, "cache state: not a JSON object");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
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
	free(st->inline_ref);
	free(st->mounts_key);
	memset(st, 0, sizeof(*st));
}
