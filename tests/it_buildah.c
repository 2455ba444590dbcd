/*
 * it_buildah.c: `builder = buildah` for real: `bench run` of the tiny
 * scenario (tests/mkfixture.c, dockerfiles/tiny/multi-stage.Dockerfile)
 * with the same variant under BuildKit and buildah on a persistent runner,
 * and buildah on an ephemeral one; then a cafeboo world (base image
 * bench/busybox, a small three-stage Dockerfile) with `cache = registry` on
 * an ephemeral runner under both builders. Cold and warm builds succeed,
 * buildah's warm builds have the cached steps BuildKit's have, an ephemeral
 * runner without a cache reuses nothing, the failing commit fails with its
 * reason, and nothing is left behind: buildah's storage folder is gone and
 * nothing new is in /var/tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ittest.h"

static char *tmp;     /* this test's folder */
static char *storage; /* buildah's storage folder for these runs (BENCH_BUILDAH_ROOT) */

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-it-buildah-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	storage = path_join(tmp, "buildah-storage");
	setenv("BENCH_BUILDAH_ROOT", storage, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("BENCH_BUILDAH_ROOT");
	rm_rf(tmp);
	free(tmp);
	free(storage);
	return 0;
}

/* The names in /var/tmp that buildah would leave there ("buildah*",
 * "storage*"), one per line. Caller frees. */
static char *var_tmp_leftovers(void)
{
	struct strbuf sb = {0};
	DIR *d = opendir("/var/tmp");
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "buildah", 7) || !strncmp(de->d_name, "storage", 7))
			strbuf_printf(&sb, "%s\n", de->d_name);
	if (d)
		closedir(d);
	return strbuf_detach(&sb);
}

/* Run scenario `name` (its text) with bench: the exit status, and run.json
 * in *run. */
static int run_scenario(json_t **run, const char *name, const char *text, char **err)
{
	char *path = xasprintf("%s/%s.ini", tmp, name), *results = xasprintf("%s/%s-results", tmp, name);
	char *out = NULL, *dir;
	const char *args[] = {"run", path, "--results", results, "--no-plot", "-q", NULL};
	int status;

	it_write_text(path, text);
	status = it_bench(&out, err, args);
	dir = it_only_child(results);
	*run = dir ? it_load_run(dir, NULL) : NULL;
	if (!*run)
		fail_msg("no run.json; bench exited %d\nstdout:\n%s\nstderr:\n%s", status, out ? out : "",
			 *err ? *err : "");
	free(out);
	free(dir);
	free(results);
	free(path);
	return status;
}

/* Build i of BuildKit's variant bk and buildah's bh: the same steps
 * counted, cached where BuildKit's are. */
static void assert_same_steps(json_t *bk, json_t *bh, int i)
{
	assert_int_equal(it_num(bh, "steps_total"), it_num(bk, "steps_total"));
	if (it_num(bh, "steps_cached") != it_num(bk, "steps_cached"))
		fail_msg("build %d: buildah cached %lld steps, BuildKit %lld", i, it_num(bh, "steps_cached"),
			 it_num(bk, "steps_cached"));
}

static json_t *build_of(json_t *run, const char *variant, int index)
{
	json_t *b;
	size_t i;
	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (!strcmp(it_str(b, "variant"), variant) && it_num(b, "index") == index)
			return b;
	fail_msg("no build %s %d", variant, index);
	return NULL;
}

/* What is left after a run: nothing of buildah's. */
static void assert_nothing_left(const char *var_tmp_before)
{
	char *after = var_tmp_leftovers();
	if (path_exists(storage))
		fail_msg("buildah's storage folder %s is still there", storage);
	assert_string_equal(after, var_tmp_before);
	free(after);
}

static void test_tiny_buildah_against_buildkit(void **state)
{
	char *repo = it_fixture_repo(), *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *before = var_tmp_leftovers(), *err = NULL, *text, *log;
	json_t *run, *env;
	int i, status;
	(void)state;

	text = xasprintf("[scenario]\nname = tiny-buildah\nrepo = %s\ncommits = last:4\ntimeout = 5m\n"
			 "allow_outside = yes\n\n"
			 "[variant bk]\ndockerfile = %s\nrunner = persistent\n\n"
			 "[variant bh]\ndockerfile = %s\nrunner = persistent\nbuilder = buildah\n\n"
			 "[variant bh-eph]\ndockerfile = %s\nbuilder = buildah\n", repo, df, df, df);
	status = run_scenario(&run, "tiny", text, &err);
	assert_int_equal(status, 1); /* the fixture's commit 3 fails on purpose */
	env = json_object_get(run, "environment");
	assert_non_null(strstr(json_string_value(json_object_get(env, "buildah")), "buildah version"));
	assert_true(json_is_string(json_object_get(env, "docker_server")));

	for (i = 1; i <= 4; i++) {
		json_t *bk = build_of(run, "bk", i), *bh = build_of(run, "bh", i), *eph = build_of(run, "bh-eph", i);
		const char *want = i == 2 ? "failed" : "ok";
		assert_string_equal(it_str(bh, "phase"), i == 1 ? "cold" : "warm");
		assert_string_equal(it_str(bk, "status"), want);
		assert_string_equal(it_str(bh, "status"), want);
		assert_string_equal(it_str(eph, "status"), want);
		assert_same_steps(bk, bh, i);
		/* an ephemeral runner without a cache has nothing to reuse */
		assert_int_equal(it_num(eph, "steps_cached"), 0);
		assert_true(it_num(eph, "steps_total") > 0);
		if (i != 2) {
			assert_true(it_num(bh, "image_bytes") > 0);
			assert_true(json_real_value(json_object_get(bh, "build_seconds")) > 0);
		}
	}
	assert_int_equal(it_num(build_of(run, "bh", 1), "steps_cached"), 0);
	assert_true(it_num(build_of(run, "bh", 3), "steps_cached") > 0);
	assert_non_null(strstr(it_str(build_of(run, "bh", 2), "reason"), "FAIL marker present"));
	assert_non_null(strstr(it_str(build_of(run, "bh", 2), "reason"), "exit status 3"));
	/* the log says how buildah ran */
	{
		char *rdir = xasprintf("%s/tiny-results", tmp), *dir = it_only_child(rdir), *path, *data = NULL;
		path = path_join(dir, it_str(build_of(run, "bh", 3), "log"));
		assert_int_equal(read_file(&data, NULL, path), 0);
		log = data;
		assert_non_null(strstr(log, "buildah --root "));
		assert_non_null(strstr(log, " --storage-driver vfs bud --layers --isolation chroot --pull=never "));
		assert_non_null(strstr(log, "--> Using cache "));
		free(data);
		free(path);
		free(dir);
		free(rdir);
	}
	assert_nothing_left(before);
	json_decref(run);
	free(err);
	free(text);
	free(before);
	free(df);
	free(repo);
}

static void test_registry_cache_in_a_world(void **state)
{
	char *df = path_join(tmp, "reg.Dockerfile"), *before = var_tmp_leftovers(), *err = NULL, *text;
	json_t *run;
	int i;
	(void)state;

	it_write_text(df, "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nRUN echo base > /base.txt\n\n"
			  "FROM base AS deps\nCOPY ai_project/requirements.txt /req.txt\n"
			  "RUN sleep 1 && wc -l /req.txt > /deps.txt\n\nFROM deps AS final\nCOPY . /app\n");
	text = xasprintf("[scenario]\nname = reg-buildah\ncommits = last:3\ntimeout = 5m\n\n"
			 "[variant bk]\ndockerfile = %s\ncache = registry\n\n"
			 "[variant bh]\ndockerfile = %s\ncache = registry\nbuilder = buildah\n\n"
			 "[world]\nkind = cafeboo\nscale = 0.01\nbase_image = bench/busybox:latest\n", df, df);
	assert_int_equal(run_scenario(&run, "reg", text, &err), 0);
	for (i = 1; i <= 3; i++) {
		json_t *bk = build_of(run, "bk", i), *bh = build_of(run, "bh", i);
		assert_string_equal(it_str(bh, "status"), "ok");
		assert_same_steps(bk, bh, i);
	}
	/* ephemeral: what the warm builds reuse came from the registry */
	assert_int_equal(it_num(build_of(run, "bh", 1), "steps_cached"), 0);
	assert_true(it_num(build_of(run, "bh", 2), "steps_cached") > 0);
	assert_nothing_left(before);
	json_decref(run);
	free(err);
	free(text);
	free(before);
	free(df);
}

static void test_dry_run_lists_buildah(void **state)
{
	char *repo = it_fixture_repo(), *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *path = path_join(tmp, "dry.ini"), *out = NULL, *err = NULL, *text;
	const char *args[] = {"run", NULL, "--dry-run", NULL};
	(void)state;

	text = xasprintf("[scenario]\nname = dry\nrepo = %s\ncommits = last:2\nallow_outside = yes\n\n"
			 "[variant bh]\ndockerfile = %s\nbuilder = buildah\n", repo, df);
	it_write_text(path, text);
	args[1] = path;
	assert_int_equal(it_bench(&out, &err, args), 0);
	assert_non_null(strstr(out, " bud --layers --isolation chroot --pull=never "));
	assert_non_null(strstr(out, "rm --all; and rmi -f the run's images"));
	assert_false(path_exists(storage)); /* a dry run makes nothing */
	free(out);
	free(err);
	free(text);
	free(path);
	free(df);
	free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run_lists_buildah),
		cmocka_unit_test(test_tiny_buildah_against_buildkit),
		cmocka_unit_test(test_registry_cache_in_a_world),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
