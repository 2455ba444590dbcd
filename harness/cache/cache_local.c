/*
 * cache_local.c: the `cache = local` backend (cache_kind.h): the blog's
 * workflow. The build imports the folder CACHE (--cache-from type=local)
 * and exports CACHE-new (--cache-to); after a build that succeeded
 * CACHE-new replaces CACHE. An ephemeral runner whose world paces the
 * actions/cache stand-in, or a variant keyed on files, goes through the
 * store: before the build CACHE is restored from the entry of the exact
 * key, else the latest entry (restore-keys); after it CACHE-new is saved
 * under its key, and only the newest entry is kept.
 */
#include "cache/cache_backend.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/error.h"
#include "lib/sha256.h"
#include "lib/util.h"

static void local_init(struct cache_series *s, int rep, const char *dir)
{
	(void)rep;
	s->folder = path_join(dir, "cache");
	s->folder_new = path_join(dir, "cache-new");
	s->store = path_join(dir, "store");
	s->transport = s->v->runner == RUNNER_EPHEMERAL && (s->env->paced_store || s->v->cache_key_files_count);
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


/* ---- the fingerprint (--resume) ---- */

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "PATH SIZE" of every file under dir (rel: its path below the root). */
static void list_files(struct strvec *out, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *path, *sub;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path = path_join(dir, e->d_name);
		sub = *rel ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			list_files(out, path, sub);
		else if (lstat(path, &st) == 0)
			strvec_pushf(out, "%s %lld", sub, (long long)st.st_size);
		free(path);
		free(sub);
	}
	closedir(d);
}

/* The files of a cache folder, named and sized: "local:HEX", or
 * "local:absent". Caller frees. */
static char *tree_fingerprint(const char *dir)
{
	struct strvec files = {0};
	struct sha256_ctx c;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	size_t i;

	if (!dir || !path_is_dir(dir))
		return xstrdup("local:absent");
	list_files(&files, dir, "");
	if (files.n)
		qsort(files.v, files.n, sizeof(*files.v), compare_strings);
	sha256_init(&c);
	for (i = 0; i < files.n; i++)
		sha256_update(&c, files.v[i], strlen(files.v[i]) + 1);
	sha256_final(digest, &c);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	strvec_release(&files);
	return xasprintf("local:%s", hex);
}

static char *local_fingerprint(const struct cache_series *s)
{
	if (s->transport) {
		char *entry = s->state.latest_key ? path_join(s->store, s->state.latest_key) : NULL;
		char *fp = tree_fingerprint(entry);
		free(entry);
		return fp;
	}
	return tree_fingerprint(s->folder);
}

const struct cache_kind cache_kind_local = {
	.name = "local",
	.help = "a folder on the runner, rotated after each build (actions/cache on an ephemeral runner)",
	.types = (const char *const[]){"local", NULL},
	.flags = CACHE_TAKES_KEY,
	.init = local_init,
	.restore = local_restore,
	.save = local_save,
	.fingerprint = local_fingerprint,
};
