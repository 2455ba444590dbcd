/*
 * it_backends.c: the cache backends of `bench run` on the real engine, in
 * one run of tests/data/backends/backends.ini (a small world: busybox as the
 * base image, three commits, every runner ephemeral):
 *   - gha: the cold build exports into the world's GitHub cache service,
 *     the warm builds import from it after the runner's reset (cached
 *     steps), with the service's counters in each record and cache_bytes
 *     the size the service keeps;
 *   - inline: the warm builds import the image the series pushed last;
 *   - registry: cache_bytes is the cache's size in the registry, not 0;
 *   - cache_mounts: a RUN appends a line to a file in its cache mount and
 *     prints the line count; the count grows 1, 2, 3 across the resets (the
 *     cache dance), the saved content grows by a line each build, and the
 *     dance's restore and save are timed apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builders/rawjson.h"
#include "ittest.h"

static struct it_group grp; /* the one run of backends.ini */

static int setup_run(void **state)
{
	char *scenario = path_absolute("tests/data/backends/backends.ini");
	const char *args[] = {"run", scenario, "--no-plot", NULL};
	(void)state;
	if (it_group_init(&grp, "bench-it-backends") < 0)
		return -1;
	it_group_run(&grp, args);
	free(scenario);
	return 0;
}

static int teardown_run(void **state)
{
	(void)state;
	it_group_release(&grp);
	return 0;
}

static json_t *build_of(const char *variant, int index)
{
	json_t *b;
	size_t i;
	json_array_foreach(json_object_get(grp.run, "builds"), i, b)
		if (!strcmp(it_str(b, "variant"), variant) && it_num(b, "index") == index)
			return b;
	fail_msg("no build %d of %s", index, variant);
	return NULL;
}

static long long gha_of(json_t *b, const char *key)
{
	json_t *g = json_object_get(b, "gha");
	assert_true(json_is_object(g));
	assert_true(json_is_integer(json_object_get(g, key)));
	return json_integer_value(json_object_get(g, key));
}

/* The build's gha counters, compact, in a static buffer. */
static const char *gha_text(json_t *b)
{
	static char buf[1024];
	char *text = json_dumps(json_object_get(b, "gha"), JSON_COMPACT);
	snprintf(buf, sizeof(buf), "%s", text ? text : "(none)");
	free(text);
	return buf;
}

static void test_run_ok(void **state)
{
	(void)state;
	if (!grp.run)
		fail_msg("no run.json; bench exited %d\nstdout:\n%s\nstderr:\n%s", grp.status,
			 grp.out ? grp.out : "", grp.err ? grp.err : "");
	if (grp.status != 0)
		fail_msg("bench exited %d\nstderr:\n%s", grp.status, grp.err ? grp.err : "");
	assert_int_equal(json_array_size(json_object_get(grp.run, "builds")), 12);
}

static void test_gha(void **state)
{
	json_t *cold, *b;
	int i;
	(void)state;
	assert_non_null(grp.run);
	cold = build_of("gha", 1);
	fprintf(stderr, "  gha cold: %s\n", gha_text(cold));
	assert_int_equal(it_num(cold, "steps_cached"), 0);
	assert_true(gha_of(cold, "misses") >= 1);          /* the index lookup */
	assert_true(gha_of(cold, "committed") >= 3);       /* layers and the index */
	assert_true(gha_of(cold, "bytes_up") > 512 * 1024);  /* the random layer at least */
	assert_int_equal(gha_of(cold, "bytes_down"), 0);
	assert_int_equal(gha_of(cold, "throttled") + gha_of(cold, "unauthorized") + gha_of(cold, "failed"), 0);
	assert_int_equal(it_num(cold, "cache_bytes"), gha_of(cold, "total_size"));
	for (i = 2; i <= 3; i++) {
		b = build_of("gha", i);
		fprintf(stderr, "  gha warm %d: %lld/%lld steps cached, %s\n", i, it_num(b, "steps_cached"),
			it_num(b, "steps_total"), gha_text(b));
		assert_string_equal(it_str(b, "status"), "ok");
		/* the runner was reset: what is cached came from the service */
		assert_true(it_num(b, "steps_cached") >= 1);
		assert_true(gha_of(b, "hits") >= 2);       /* the index, then blobs */
		assert_true(gha_of(b, "bytes_down") > 0);
		assert_int_equal(gha_of(b, "evictions"), 0);
		assert_true(it_num(b, "cache_bytes") >= it_num(cold, "cache_bytes"));
	}
}

static void test_inline_and_registry(void **state)
{
	int i;
	(void)state;
	assert_non_null(grp.run);
	for (i = 1; i <= 3; i++) {
		json_t *inl = build_of("inline", i), *reg = build_of("registry", i);
		fprintf(stderr, "  build %d: inline %lld/%lld cached, %lld cache bytes; registry %lld/%lld "
			"cached, %lld cache bytes\n", i, it_num(inl, "steps_cached"), it_num(inl, "steps_total"),
			it_num(inl, "cache_bytes"), it_num(reg, "steps_cached"), it_num(reg, "steps_total"),
			it_num(reg, "cache_bytes"));
		assert_string_equal(it_str(inl, "status"), "ok");
		assert_string_equal(it_str(reg, "status"), "ok");
		if (i == 1) {
			assert_int_equal(it_num(inl, "steps_cached"), 0);
			assert_int_equal(it_num(reg, "steps_cached"), 0);
		} else {
			assert_true(it_num(inl, "steps_cached") >= 1);
			assert_true(it_num(reg, "steps_cached") >= 1);
		}
		/* in the registry: at least the 512 KiB random layer */
		assert_true(it_num(inl, "cache_bytes") > 512 * 1024);
		assert_true(it_num(reg, "cache_bytes") > 512 * 1024);
	}
}

/* Whether a step of the build log at path printed exactly `out`: the log
 * read as bench reads it (rawjson), whatever the stream's layout. */
static bool step_printed(const char *path, const char *out)
{
	struct rawjson *p = NULL;
	char *log = NULL;
	size_t len = 0, n = 0, i;
	bool found = false;

	assert_int_equal(read_file(&log, &len, path), 0);
	assert_int_equal(rawjson_new(&p), 0);
	assert_int_equal(rawjson_feed(p, log, len), 0);
	rawjson_steps(p, &n);
	for (i = 0; i < n && !found; i++)
		found = !strcmp(rawjson_step_log(p, i), out);
	rawjson_free(p);
	free(log);
	return found;
}

static void test_cache_mounts_survive_the_reset(void **state)
{
	int i;
	(void)state;
	assert_non_null(grp.run);
	for (i = 1; i <= 3; i++) {
		json_t *b = build_of("mounts", i);
		char *path = path_join(grp.dir, it_str(b, "log")), line[8];

		assert_string_equal(it_str(b, "status"), "ok");
		/* the RUN printed the line count i: "i\n" in the step's log, read
		 * back by the parser (buildx 0.13 pretty-prints the stream, 0.29
		 * writes an object a line) */
		snprintf(line, sizeof(line), "%d\n", i);
		if (!step_printed(path, line))
			fail_msg("build %d of mounts did not print %d lines (no step printed \"%d\" in %s)", i, i, i, path);
		/* "line\n" per build so far, saved after each */
		assert_int_equal(it_num(b, "cache_mounts_bytes"), 5 * i);
		assert_true(json_is_boolean(json_object_get(b, "cache_mounts_restored")));
		assert_true(json_is_true(json_object_get(b, "cache_mounts_restored")) == (i > 1));
		assert_true(json_is_number(json_object_get(b, "cache_mounts_restore_seconds")));
		assert_true(json_number_value(json_object_get(b, "cache_mounts_save_seconds")) > 0);
		if (i > 1)
			assert_true(json_number_value(json_object_get(b, "cache_mounts_restore_seconds")) > 0);
		fprintf(stderr, "  mounts %d: restore %.2f s, save %.2f s, %lld bytes\n", i,
			json_number_value(json_object_get(b, "cache_mounts_restore_seconds")),
			json_number_value(json_object_get(b, "cache_mounts_save_seconds")),
			it_num(b, "cache_mounts_bytes"));
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_ok),
		cmocka_unit_test(test_gha),
		cmocka_unit_test(test_inline_and_registry),
		cmocka_unit_test(test_cache_mounts_survive_the_reset),
	};
	return cmocka_run_group_tests(tests, setup_run, teardown_run);
}
