/*
 * cache.c: the cache policy of a series (see cache.h): the operations of
 * the variant's kind (its row in the table, cache_kind.h), with the cache
 * dance (cache_dance.c) around any of them, and the state a resumed run
 * continues from.
 */
#include "cache/cache.h"
#include "cache/cache_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

int cache_check(const struct scenario *sc)
{
	size_t i;

	for (i = 0; i < sc->variants_count; i++) {
		const struct variant *v = &sc->variants[i];
		const char *const *var;
		if (!v->cache)
			return bench_error_set(BENCH_EINVALID, "%s:%d: variant '%s' has no cache kind (use %s)",
					       sc->path, v->line, v->name, cache_kind_names());
		if (!(v->cache->needs & CACHE_FROM_RUNNER_ENV) || sc->world.enabled)
			continue;
		for (var = v->cache->env; var && *var; var++)
			if (!getenv(*var) || !*getenv(*var))
				return bench_error_set(BENCH_ESETUP, "%s:%d: variant '%s': cache = %s without [world] "
						       "uses the CI runner's service, and %s is not set (on GitHub "
						       "Actions, expose the runtime variables to the step; elsewhere "
						       "use another cache or add [world])", sc->path, v->line,
						       v->name, v->cache->name, *var);
	}
	return 0;
}

void cache_series_init(struct cache_series *s, const struct variant *v, int rep, const char *dir,
		       const struct cache_env *env)
{
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->env = env;
	s->kind = v->cache ? v->cache : cache_kind_default(); /* (cache_check refuses NULL) */
	s->kind->init(s, rep, dir);
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
	if ((error = s->kind->restore(u, s, commit_id, checkout, cold, record)) < 0 ||
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
	    (error = s->kind->save(u, s, ok, record)) < 0)
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

char *cache_fingerprint(const struct cache_series *s)
{
	if (s->v->cache_mounts_count || !s->kind->fingerprint)
		return NULL; /* carried apart, or not told */
	return s->kind->fingerprint(s);
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
