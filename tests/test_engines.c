/*
 * test_engines.c: the engines of a run without an engine (harness/run/engines.c):
 * the list from --engines or the scenario (duplicates and bad names
 * refused, the default engine when none), the locks, the refusal of two
 * names of one daemon, the FROM images of a Dockerfile (global ARGs, build
 * args, stages, scratch, --platform, continuation lines), and which engine a
 * missing base image is copied from, through a builder whose copy_image
 * only records what it is asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/engines.h"
#include "lib/error.h"
#include "lib/util.h"

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-test-engines-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return setenv("TMPDIR", tmp, 1);
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(tmp);
	return 0;
}

static void test_list(void **state)
{
	char *names[] = {"node-a", "unix:///run/b.sock"};
	struct engine_set set;

	(void)state;
	assert_int_equal(engine_set_init(&set, NULL, NULL, 0, "engines"), 0);
	assert_int_equal(set.n, 1);
	assert_true(engine_is_default(&set.v[0]));
	engine_set_release(&set);

	assert_int_equal(engine_set_init(&set, NULL, names, 2, "engines"), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[0].context, "node-a");
	assert_string_equal(set.v[1].host, "unix:///run/b.sock");
	assert_int_equal(engine_set_find(&set, "unix:///run/b.sock"), 1);
	assert_int_equal(engine_set_find(&set, "default"), -1);
	engine_set_release(&set);

	/* --engines wins over the scenario's */
	assert_int_equal(engine_set_init(&set, "default, x1,ssh://u@h", names, 2, "--engines"), 0);
	assert_int_equal(set.n, 3);
	assert_true(engine_is_default(&set.v[0]));
	assert_string_equal(set.v[1].name, "x1");
	assert_string_equal(set.v[2].host, "ssh://u@h");
	engine_set_release(&set);

	assert_int_equal(engine_set_init(&set, "a,b,a", NULL, 0, "--engines"), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "--engines: engine 'a' is listed twice");
	assert_int_equal(engine_set_init(&set, "a,b c", NULL, 0, "--engines"), 0); /* "b c": b */
	engine_set_release(&set);
	assert_int_equal(engine_set_init(&set, "a,-x", NULL, 0, "--engines"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "--engines: engine '-x'"));
	assert_int_equal(engine_set_init(&set, " , ", NULL, 0, "--engines"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "no engine named"));
}

static void test_locks(void **state)
{
	struct engine_set set;
	size_t k;

	(void)state;
	assert_int_equal(engine_set_init(&set, "zz,default,aa", NULL, 0, "--engines"), 0);
	assert_int_equal(engine_set_lock(&set, NULL, NULL), 0);
	for (k = 0; k < set.n; k++)
		assert_true(set.lock_fds[k] >= 0);
	engine_set_release(&set);
	/* released: taken again at once */
	assert_int_equal(engine_set_init(&set, "aa,zz", NULL, 0, "--engines"), 0);
	assert_int_equal(engine_set_lock(&set, NULL, NULL), 0);
	engine_set_release(&set);
}

static void test_one_daemon_twice(void **state)
{
	json_t *fps = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:n}]", "name", "default", "engine_id", "ID-1",
				"name", "other", "engine_id", "ID-2", "name", "remote", "engine_id");

	(void)state;
	assert_int_equal(engine_fingerprints_check(fps), 0);
	json_array_append_new(fps, json_pack("{s:s, s:s}", "name", "unix:///var/run/docker.sock", "engine_id", "ID-1"));
	assert_int_equal(engine_fingerprints_check(fps), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "engines 'default' and 'unix:///var/run/docker.sock' are one "
						   "docker daemon (engine id ID-1)"));
	json_decref(fps);
}

static void write_text(const char *name, const char *text)
{
	char *path = path_join(tmp, name);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	free(path);
}

static void assert_images(const char *name, const char *const *args, const char *expect)
{
	struct strvec out = {0};
	struct strbuf got = {0};
	char *path = path_join(tmp, name);
	size_t i;

	assert_int_equal(dockerfile_base_images(&out, path, args), 0);
	for (i = 0; i < out.n; i++)
		strbuf_printf(&got, "%s%s", i ? " " : "", out.v[i]);
	assert_string_equal(got.buf ? got.buf : "", expect);
	strbuf_release(&got);
	strvec_release(&out);
	free(path);
}

static void test_from_images(void **state)
{
	const char *world[] = {"PIP_INDEX_URL=http://x/simple/", "BASE_IMAGE=bench/python:3.12.7-slim", NULL};

	(void)state;
	write_text("tiny", "# a comment FROM nothing\nFROM bench/busybox:latest AS base\nRUN echo\n"
			   "FROM base AS deps\nfrom deps as final\n");
	assert_images("tiny", NULL, "bench/busybox:latest");

	write_text("cafeboo", "ARG BASE_IMAGE=python:3.12.7-slim\n\nFROM ${BASE_IMAGE} AS base\n"
			      "FROM base AS deps\nARG PIP_INDEX_URL\nFROM deps AS models\n");
	assert_images("cafeboo", world, "bench/python:3.12.7-slim");
	assert_images("cafeboo", NULL, "python:3.12.7-slim");

	write_text("mixed", "ARG TAG\nARG REG=\nFROM --platform=linux/amd64 \\\n  alpine:${TAG:-3.20} AS a\n"
			    "FROM scratch\nFROM $REG/tool:1\nFROM alpine:3.20\nFROM A\n");
	assert_images("mixed", NULL, "alpine:3.20 /tool:1");
	{
		const char *args[] = {"TAG=edge", "REG=reg.local", NULL};
		assert_images("mixed", args, "alpine:edge reg.local/tool:1 alpine:3.20");
	}
	{
		struct strvec out = {0};
		char *missing = path_join(tmp, "missing");
		assert_int_equal(dockerfile_base_images(&out, missing, NULL), BENCH_ENOTFOUND);
		free(missing);
	}
}

/* ---- copying, through a recording builder ---- */

static struct strbuf calls;
static const char *has_image; /* the one engine name that has the image */

static int rec_copy(const struct engine *to, const struct engine *from, const char *ref, const char *dir)
{
	(void)dir;
	strbuf_printf(&calls, "%s<-%s:%s;", to->name, from->name, ref);
	if (!strcmp(to->name, "broken"))
		return bench_error_set(BENCH_ERROR, "cannot load into broken");
	if (has_image && !strcmp(from->name, has_image))
		return 0;
	return bench_error_set(BENCH_ENOTFOUND, "not on %s", from->name);
}

static char notes[256];
static void note(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(notes, sizeof(notes), "%s", msg);
}

static void test_copy_images(void **state)
{
	struct builder b = {.name = "rec", .copy_image = rec_copy};
	struct engine def, a, z, broken;
	const struct engine *sources[] = {&def, &a, &z};
	struct strvec refs = {0};

	(void)state;
	engine_init_default(&def);
	engine_init(&a, "a");
	engine_init(&z, "z");
	engine_init(&broken, "broken");
	strvec_push(&refs, "img:1");

	/* the first source that has it, skipping the engine itself */
	has_image = "z";
	assert_int_equal(engine_copy_images(&b, &a, sources, 3, &refs, tmp, note, NULL), 0);
	assert_string_equal(calls.buf, "a<-default:img:1;a<-z:img:1;");
	strbuf_reset(&calls);

	/* nobody has it: left to the build, with a note */
	has_image = NULL;
	notes[0] = '\0';
	assert_int_equal(engine_copy_images(&b, &z, sources, 3, &refs, tmp, note, NULL), 0);
	assert_string_equal(calls.buf, "z<-default:img:1;z<-a:img:1;");
	assert_non_null(strstr(notes, "base image img:1: no other engine has it"));
	strbuf_reset(&calls);

	/* the default engine alone: nothing to ask */
	assert_int_equal(engine_copy_images(&b, &def, sources, 1, &refs, tmp, note, NULL), 0);
	assert_int_equal(calls.len, 0);

	/* a failing copy is the caller's to judge */
	has_image = "default";
	assert_int_equal(engine_copy_images(&b, &broken, sources, 3, &refs, tmp, note, NULL), BENCH_ERROR);
	assert_string_equal(bench_error_last(), "cannot load into broken");

	/* a builder that cannot */
	b.copy_image = NULL;
	assert_int_equal(engine_copy_images(&b, &a, sources, 3, &refs, tmp, note, NULL), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "builder rec cannot bring base images"));

	strbuf_release(&calls);
	strvec_release(&refs);
	engine_release(&def);
	engine_release(&a);
	engine_release(&z);
	engine_release(&broken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_locks),
		cmocka_unit_test(test_one_daemon_twice),
		cmocka_unit_test(test_from_images),
		cmocka_unit_test(test_copy_images),
	};
	return cmocka_run_group_tests_name("engines", tests, setup, teardown);
}
