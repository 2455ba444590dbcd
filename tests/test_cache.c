/*
 * test_cache.c: the cache policy of cache.c in temporary folders, without
 * an engine: the actions/cache keys (commit, hash of files), the local
 * folder rotation (CACHE-new replaces CACHE after a build that succeeded),
 * the store's restore (exact key, else the latest entry) and save (only the
 * newest entry kept, nothing saved on an exact hit), what a build imports
 * and exports, and the series state to JSON and back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "lib/error.h"
#include "lib/util.h"
#include "tmpdir.h"


TMPDIR_FIXTURE("test-cache")

/* A folder in tmp (made: a series' folder is its caller's). */
static char *sub(const char *name)
{
	char *dir = path_join(tmp, name);
	assert_int_equal(mkdir_p(dir), 0);
	return dir;
}

static void put(const char *dir, const char *file, const char *text)
{
	char *path = path_join(dir, file);
	assert_int_equal(mkdir_p(dir), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	free(path);
}

static char *get(const char *dir, const char *file)
{
	char *path = path_join(dir, file), *text = NULL;
	if (read_file(&text, NULL, path) < 0)
		text = NULL;
	bench_error_clear();
	free(path);
	return text;
}

/* A build that exports its cache: CACHE-new appears with one file. */
static void build_exports(const struct cache_series *s, const char *text)
{
	put(s->folder_new, "index.json", text);
}

static void test_keys(void **state)
{
	char *files[] = {"requirements.txt", "missing.txt"};
	struct variant v = {.name = "v", .cache = &cache_kind_local};
	char *co = sub("keys"), *k1, *k2, *k3, *k4;
	(void)state;

	k1 = cache_key(&v, "0123abcd", co);
	assert_string_equal(k1, "commit-0123abcd");

	v.cache_key_files = files;
	v.cache_key_files_count = 2;
	put(co, "requirements.txt", "numpy==1\n");
	put(co, "app.py", "print(1)\n");
	k2 = cache_key(&v, "0123abcd", co);
	assert_int_equal(strncmp(k2, "files-", 6), 0);
	assert_int_equal(strlen(k2), 6 + 16);
	put(co, "app.py", "print(2)\n");          /* a file outside the key */
	k3 = cache_key(&v, "ffff", co);
	assert_string_equal(k2, k3);
	put(co, "requirements.txt", "numpy==2\n"); /* a file of the key */
	k4 = cache_key(&v, "0123abcd", co);
	assert_string_not_equal(k2, k4);
	free(k1);
	free(k2);
	free(k3);
	free(k4);
	free(co);
}

/* No store: the folder is rotated in place; a failed build keeps the old one. */
static void test_local_rotation(void **state)
{
	struct variant v = {.name = "local", .cache = &cache_kind_local, .cache_mode = "max",
			    .cache_compression = "zstd", .runner = RUNNER_EPHEMERAL};
	struct cache_env env = {0};
	struct cache_series s;
	struct cache_use u;
	char *dir = sub("rotation"), *text;
	json_t *rec = json_object();
	(void)state;

	cache_series_init(&s, &v, 1, dir, &env);
	assert_false(s.transport);
	/* cold: nothing to import, CACHE-new to export */
	assert_int_equal(cache_restore(&u, &s, "c1", dir, true, rec), 0);
	assert_null(u.from.type);
	assert_string_equal(u.to.type, "local");
	assert_string_equal(u.to.location, s.folder_new);
	assert_string_equal(u.to.mode, "max");
	assert_string_equal(u.to.compression, "zstd");
	assert_null(json_object_get(rec, "cache_key"));
	build_exports(&s, "one");
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	cache_use_release(&u);
	assert_false(path_exists(s.folder_new));
	text = get(s.folder, "index.json");
	assert_string_equal(text, "one");
	free(text);
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_bytes")), 3);

	/* warm: imports CACHE; a failed build leaves it as it was */
	assert_int_equal(cache_restore(&u, &s, "c2", dir, false, rec), 0);
	assert_string_equal(u.from.type, "local");
	assert_string_equal(u.from.location, s.folder);
	build_exports(&s, "broken");
	assert_int_equal(cache_save(&u, &s, false, rec), 0);
	cache_use_release(&u);
	assert_false(path_exists(s.folder_new));
	text = get(s.folder, "index.json");
	assert_string_equal(text, "one");
	free(text);

	/* a build that succeeded without exporting keeps CACHE too */
	assert_int_equal(cache_restore(&u, &s, "c3", dir, false, rec), 0);
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	cache_use_release(&u);
	assert_true(path_is_dir(s.folder));
	cache_record_seconds(rec, &u, &s);
	assert_null(json_object_get(rec, "cache_restore_seconds"));
	cache_series_release(&s);
	json_decref(rec);
	free(dir);
}

/* Through the store, keyed per commit: the exact key, else the latest
 * entry; only the newest entry stays; nothing is saved on an exact hit. */
static void test_store_restore_and_save(void **state)
{
	struct variant v = {.name = "store", .cache = &cache_kind_local, .cache_mode = "max", .runner = RUNNER_EPHEMERAL};
	struct cache_env env = {.paced_store = true};
	struct cache_series s;
	struct cache_use u;
	char *dir = sub("store"), *a, *b, *text;
	json_t *rec = json_object();
	(void)state;

	cache_series_init(&s, &v, 2, dir, &env);
	assert_true(s.transport);
	a = path_join(s.store, "commit-aaaa");
	b = path_join(s.store, "commit-bbbb");

	/* cold: an empty store */
	assert_int_equal(cache_restore(&u, &s, "aaaa", dir, true, rec), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "cache_key")), "commit-aaaa");
	assert_string_equal(json_string_value(json_object_get(rec, "cache_hit")), "none");
	assert_null(u.from.type);
	assert_string_equal(u.to.type, "local");
	build_exports(&s, "A");
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_true(json_is_true(json_object_get(rec, "cache_saved")));
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_bytes")), 1);
	cache_record_seconds(rec, &u, &s);
	assert_true(json_is_real(json_object_get(rec, "cache_save_seconds")));
	cache_use_release(&u);
	assert_true(path_is_dir(a));
	assert_false(path_exists(s.folder));
	assert_false(path_exists(s.folder_new));
	assert_string_equal(s.state.latest_key, "commit-aaaa");

	/* another commit: restore-keys finds the latest entry */
	assert_int_equal(cache_restore(&u, &s, "bbbb", dir, false, rec), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "cache_hit")), "partial");
	assert_string_equal(u.from.type, "local");
	text = get(s.folder, "index.json");
	assert_string_equal(text, "A");
	free(text);
	build_exports(&s, "BB");
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	cache_use_release(&u);
	assert_true(path_is_dir(b));
	assert_false(path_exists(a)); /* only the newest entry */
	assert_string_equal(s.state.latest_key, "commit-bbbb");

	/* the same commit again: an exact hit, exported but not saved again */
	assert_int_equal(cache_restore(&u, &s, "bbbb", dir, false, rec), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "cache_hit")), "exact");
	assert_true(u.exact_hit);
	assert_string_equal(u.to.type, "local"); /* keyed per commit: the export still runs */
	build_exports(&s, "CCC");
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_true(json_is_false(json_object_get(rec, "cache_saved")));
	cache_use_release(&u);
	text = get(b, "index.json");
	assert_string_equal(text, "BB");
	free(text);

	/* a failed build saves nothing and leaves no folder behind */
	assert_int_equal(cache_restore(&u, &s, "cccc", dir, false, rec), 0);
	build_exports(&s, "D");
	assert_int_equal(cache_save(&u, &s, false, rec), 0);
	cache_use_release(&u);
	assert_false(path_exists(s.folder));
	assert_false(path_exists(s.folder_new));
	assert_string_equal(s.state.latest_key, "commit-bbbb");

	cache_series_release(&s);
	json_decref(rec);
	free(a);
	free(b);
	free(dir);
}

/* Keyed on files: an exact hit skips the export, as actions/cache would
 * not save it anyway. */
static void test_files_key_exact_hit_skips_export(void **state)
{
	char *files[] = {"requirements.txt"};
	struct variant v = {.name = "files", .cache = &cache_kind_local, .runner = RUNNER_EPHEMERAL,
			    .cache_key_files = files, .cache_key_files_count = 1};
	struct cache_env env = {0};
	struct cache_series s;
	struct cache_use u;
	char *dir = sub("files"), *co = sub("files-checkout");
	json_t *rec = json_object();
	(void)state;

	put(co, "requirements.txt", "torch\n");
	cache_series_init(&s, &v, 1, dir, &env);
	assert_true(s.transport); /* a files key goes through the store even unpaced */
	assert_int_equal(cache_restore(&u, &s, "c1", co, true, rec), 0);
	build_exports(&s, "x");
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	cache_use_release(&u);
	assert_int_equal(cache_restore(&u, &s, "c2", co, false, rec), 0);
	assert_true(u.exact_hit);
	assert_string_equal(u.from.type, "local");
	assert_null(u.to.type);
	cache_use_release(&u);
	cache_series_release(&s);
	json_decref(rec);
	free(dir);
	free(co);
}

/* cache = none imports and exports nothing; registry without a world has
 * no registry to use; the dry run restores nothing and names CACHE for
 * warm builds. */
static void test_none_registry_dry_run(void **state)
{
	struct variant none = {.name = "n", .cache = &cache_kind_none};
	struct variant reg = {.name = "r", .cache = &cache_kind_registry, .cache_mode = "min"};
	struct variant local = {.name = "l", .cache = &cache_kind_local, .runner = RUNNER_EPHEMERAL};
	struct cache_env env = {0}, dry = {.dry_run = true, .paced_store = true};
	struct cache_series s;
	struct cache_use u;
	char *dir = sub("misc");
	json_t *rec = json_object();
	(void)state;

	cache_series_init(&s, &none, 1, dir, &env);
	assert_int_equal(cache_restore(&u, &s, "c", dir, false, rec), 0);
	assert_null(u.from.type);
	assert_null(u.to.type);
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_bytes")), 0);
	cache_use_release(&u);
	cache_series_release(&s);

	cache_series_init(&s, &reg, 1, dir, &env);
	assert_null(s.state.registry_ref);
	assert_int_equal(cache_restore(&u, &s, "c", dir, false, rec), 0);
	assert_null(u.to.type);
	cache_use_release(&u);
	cache_series_release(&s);

	cache_series_init(&s, &local, 1, dir, &dry);
	json_object_clear(rec);
	assert_int_equal(cache_restore(&u, &s, "c", dir, true, rec), 0);
	assert_null(u.from.type);
	assert_null(json_object_get(rec, "cache_key"));
	cache_use_release(&u);
	assert_int_equal(cache_restore(&u, &s, "c", dir, false, rec), 0);
	assert_string_equal(u.from.type, "local");
	assert_false(path_exists(s.store));
	cache_use_release(&u);
	cache_series_release(&s);
	json_decref(rec);
	free(dir);
}

/* A kind without a backend is refused before a run, naming the variant. */
static void test_check(void **state)
{
	struct variant vs[2] = {{.name = "a", .cache = &cache_kind_local, .line = 3},
				{.name = "b", .cache = NULL, .line = 9}};
	struct scenario sc = {.path = "/s.ini", .variants = vs, .variants_count = 1};
	(void)state;
	assert_int_equal(cache_check(&sc), 0);
	sc.variants_count = 2;
	assert_int_equal(cache_check(&sc), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "/s.ini:9: variant 'b'"));
}

static void test_state_json(void **state)
{
	struct cache_state st = {.latest_key = "commit-abc", .registry_ref = "127.0.0.1:5000/m/x-cache:r1"};
	struct cache_state back;
	json_t *j = cache_state_to_json(&st), *bad;
	(void)state;

	assert_int_equal(cache_state_from_json(&back, j), 0);
	assert_string_equal(back.latest_key, st.latest_key);
	assert_string_equal(back.registry_ref, st.registry_ref);
	cache_state_release(&back);
	json_decref(j);

	j = cache_state_to_json(&(struct cache_state){0});
	assert_int_equal(json_object_size(j), 0);
	assert_int_equal(cache_state_from_json(&back, j), 0);
	assert_null(back.latest_key);
	json_decref(j);

	bad = json_pack("{s:i}", "latest_key", 3);
	assert_int_equal(cache_state_from_json(&back, bad), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "latest_key"));
	assert_null(back.latest_key);
	json_decref(bad);
	assert_int_equal(cache_state_from_json(&back, NULL), BENCH_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_local_rotation),
		cmocka_unit_test(test_store_restore_and_save),
		cmocka_unit_test(test_files_key_exact_hit_skips_export),
		cmocka_unit_test(test_none_registry_dry_run),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_state_json),
	};
	return cmocka_run_group_tests_name("cache", tests, setup, teardown);
}
