/*
 * test_builder.c: the builder seam without an engine: the table of builders
 * looked up by name (every entry complete), each variant's builder and what
 * it needs, the engine names (default, context, URL) and their
 * lock paths and lock, and the progress-parser interface through the
 * buildkit builder's parser (rawjson): feeding, steps, the failure reason
 * from a failing step, from docker's closing text, or from the exit status;
 * a build's image size asked once per image content.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/build.h"
#include "builders/buildah.h"
#include "builders/builder.h"
#include "cache/cache_kind.h"
#include "builders/docker.h"
#include "builders/engine.h"
#include "lib/error.h"
#include "builders/parser.h"
#include "builders/rawjson.h"
#include "lib/util.h"
#include "tmpdir.h"


TMPDIR_FIXTURE("test-builder")

static void test_table(void **state)
{
	const struct builder *b = builder_find("buildkit");
	const char *names[] = {"buildkit", "buildah"};
	char *name;
	size_t i;
	(void)state;
	assert_non_null(b);
	assert_ptr_equal(b, builder_default());
	assert_string_equal(b->name, "buildkit");
	assert_ptr_equal(b->parser, &parser_rawjson);
	assert_false(b->own_store);
	assert_ptr_equal(builder_find("buildah"), &builder_buildah);
	assert_true(builder_buildah.own_store);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		b = builder_find(names[i]);
		assert_non_null(b);
		assert_string_equal(b->name, names[i]);
		assert_non_null(strstr(builder_names(), names[i]));
		/* every operation is there: a builder entry without one would crash a run */
		assert_non_null(b->command);
		assert_non_null(b->parser);
		assert_non_null(b->preflight);
		assert_non_null(b->environment);
		assert_non_null(b->reset);
		assert_non_null(b->print_reset);
		assert_non_null(b->remove_images);
		assert_non_null(b->build_argv);
		assert_non_null(b->cache_options);
		assert_non_null(b->image_size);
		assert_non_null(b->push_argv);
		assert_non_null(b->import_base);
		assert_non_null(b->unsupported);
		assert_non_null(b->finish);
	}
	assert_null(builder_find("kaniko"));
	assert_null(builder_find(""));
	assert_null(builder_find(NULL));
	assert_non_null(strstr(builder_names(), "buildkit"));

	name = builder_ref_name("Multi Stage/V1_x");
	assert_string_equal(name, "multi-stage-v1_x");
	free(name);
}

/* Each variant gets the builder it names, and each builder is asked only
 * for what its own variants need. */
static void test_builder_of_variants(void **state)
{
	struct variant v[3] = {
		{.name = "a", .builder = "buildkit", .cache = &cache_kind_local},
		{.name = "b", .builder = "buildah", .cache = &cache_kind_registry, .push = true},
		{.name = "c", .builder = NULL, .cache = &cache_kind_none},
	};
	struct scenario sc = {.variants = v, .variants_count = 3};
	struct builder_needs needs;
	(void)state;

	assert_ptr_equal(builder_of(&v[0]), &builder_buildkit);
	assert_ptr_equal(builder_of(&v[1]), &builder_buildah);
	assert_ptr_equal(builder_of(&v[2]), builder_default());
	builder_needs_of(&needs, &sc, &builder_buildah);
	assert_true(needs.push && needs.cache_export);
	builder_needs_of(&needs, &sc, &builder_buildkit);
	assert_true(needs.cache_export);
	assert_false(needs.push);
	builder_needs_of(&needs, &sc, NULL);
	assert_true(needs.cache_export && needs.push);
	assert_false(needs.gha);
	v[0].cache = &cache_kind_gha; /* GitHub's cache service: the engine must speak v2 */
	builder_needs_of(&needs, &sc, &builder_buildkit);
	assert_true(needs.gha);
	builder_needs_of(&needs, &sc, &builder_buildah);
	assert_false(needs.gha);
}

/* builder_prepare imports nothing for a builder that reads the engine's
 * store (BuildKit): not even the Dockerfile is read. */
static void test_prepare_only_for_own_store(void **state)
{
	struct build_request req = {.dockerfile = "/nonexistent/Dockerfile"};
	(void)state;
	assert_int_equal(builder_prepare(&builder_buildkit, NULL, &req), 0);
	assert_true(builder_prepare(&builder_buildah, NULL, &req) < 0); /* it reads it */
}

static void test_engine_names(void **state)
{
	struct engine e;
	(void)state;

	assert_int_equal(engine_init(&e, NULL), 0);
	assert_true(engine_is_default(&e));
	assert_string_equal(e.name, "default");
	engine_release(&e);
	assert_int_equal(engine_init(&e, "default"), 0);
	assert_true(engine_is_default(&e));
	assert_non_null(strstr(engine_describe(&e), "default"));
	engine_release(&e);
	assert_true(engine_is_default(NULL));

	assert_int_equal(engine_init(&e, "node-2"), 0);
	assert_false(engine_is_default(&e));
	assert_string_equal(e.context, "node-2");
	assert_null(e.host);
	assert_non_null(strstr(engine_describe(&e), "context 'node-2'"));
	engine_release(&e);

	assert_int_equal(engine_init(&e, "unix:///run/node2.sock"), 0);
	assert_string_equal(e.host, "unix:///run/node2.sock");
	assert_null(e.context);
	engine_release(&e);
	assert_int_equal(engine_init(&e, "ssh://builder@10.0.0.5"), 0);
	assert_string_equal(e.host, "ssh://builder@10.0.0.5");
	engine_release(&e);

	assert_int_equal(engine_init(&e, "http://x"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "engine 'http://x'"));
	assert_int_equal(engine_init(&e, "tcp://"), BENCH_EINVALID);
	assert_int_equal(engine_init(&e, "a b"), BENCH_EINVALID);
	assert_int_equal(engine_init(&e, "-H"), BENCH_EINVALID);
}

static void test_engine_lock(void **state)
{
	struct engine def, ctx, url;
	char *old = getenv("TMPDIR") ? xstrdup(getenv("TMPDIR")) : NULL;
	char *p_def, *p_ctx, *p_url, *want;
	int fd = -1, fd2 = -1;
	(void)state;

	setenv("TMPDIR", tmp, 1);
	engine_init_default(&def);
	assert_int_equal(engine_init(&ctx, "node-2"), 0);
	assert_int_equal(engine_init(&url, "unix:///run/node-2.sock"), 0);
	p_def = engine_lock_path(&def);
	p_ctx = engine_lock_path(&ctx);
	p_url = engine_lock_path(&url);
	want = path_join(tmp, "bench-engine.lock"); /* the default keeps today's path */
	assert_string_equal(p_def, want);
	assert_string_not_equal(p_ctx, p_def);
	assert_string_not_equal(p_ctx, p_url);
	assert_non_null(strstr(p_ctx, "/bench-engine-node-2-"));
	assert_null(strchr(p_url + strlen(tmp) + 1, '/'));

	assert_int_equal(engine_lock(&fd, &def, NULL, NULL), 0);
	assert_true(fd >= 0);
	assert_true(path_exists(p_def));
	assert_int_equal(engine_lock(&fd2, &ctx, NULL, NULL), 0); /* another engine: not held */
	close(fd2);
	close(fd);

	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(p_def);
	free(p_ctx);
	free(p_url);
	free(want);
	engine_release(&def);
	engine_release(&ctx);
	engine_release(&url);
}

static const char failing_step[] =
	"{\"vertexes\":[{\"digest\":\"sha256:a\",\"name\":\"[2/3] RUN make\",\"started\":\"2026-11-28T06:41:17Z\","
	"\"completed\":\"2026-11-28T06:41:18Z\",\"error\":\"process did not complete successfully: exit code: 2\"}]}\n"
	"{\"logs\":[{\"vertex\":\"sha256:a\",\"stream\":1,\"data\":\"bWFrZTogKioqIG5vIHJ1bGU=\"}]}\n"
	"ERROR: failed to solve: exit code: 2\n";

static void test_parser_step_failure(void **state)
{
	struct parser p;
	char *reason;
	int total = -1, cached = -1;
	json_t *steps;
	(void)state;

	assert_int_equal(parser_init(&p, builder_default()->parser), 0);
	/* rawjson reads stderr only: stdout is ignored */
	{
		const char out[] = "{\"vertexes\":[{\"digest\":\"x\",\"name\":\"[1/1] RUN x\"}]}\n";
		assert_int_equal(parser_feed(&p, PARSER_STDOUT, out, strlen(out)), 0);
	}
	assert_int_equal(parser_feed(&p, PARSER_STDERR, failing_step, 40), 0);
	assert_int_equal(parser_feed(&p, PARSER_STDERR, failing_step + 40, strlen(failing_step) - 40), 0);
	steps = parser_steps_json(&p, &total, &cached);
	assert_int_equal(json_array_size(steps), 1);
	assert_int_equal(total, 1);
	assert_int_equal(cached, 0);
	json_decref(steps);
	reason = parser_failure(&p, "docker buildx build", 1);
	assert_string_equal(reason, "[2/3] RUN make: process did not complete successfully: exit code: 2\n"
				    "make: *** no rule");
	free(reason);
	parser_release(&p);
}

static void test_parser_trailer_and_fallback(void **state)
{
	const char text[] = "{\"vertexes\":[]}\nDockerfile:4\n1\n2\n3\n4\n5\n6\n7\n"
			    "ERROR: failed to solve: \xff bad byte\n\n";
	struct parser p;
	char *reason;
	(void)state;

	assert_int_equal(parser_init(&p, &parser_rawjson), 0);
	parser_feed(&p, PARSER_STDERR, text, strlen(text));
	reason = parser_failure(&p, "docker buildx build", 1);
	/* the last 8 lines after the JSON, trimmed, valid UTF-8 */
	assert_string_equal(reason, "1\n2\n3\n4\n5\n6\n7\nERROR: failed to solve: ? bad byte");
	free(reason);
	parser_release(&p);

	assert_int_equal(parser_init(&p, &parser_rawjson), 0);
	reason = parser_failure(&p, "docker buildx build", 137);
	assert_string_equal(reason, "docker buildx build exited with status 137");
	free(reason);
	parser_feed(&p, PARSER_STDERR, "{}\n \n", 5);
	reason = parser_failure(&p, "docker buildx build", 3);
	assert_string_equal(reason, "docker buildx build exited with status 3");
	free(reason);
	parser_release(&p);
}

/* A builder whose image sizes are counted: what build_exec_record asks. */
static int size_calls;
static int fake_image_size(int64_t *out, const struct engine *e, const char *ref)
{
	(void)e;
	size_calls++;
	*out = 1000 + (int64_t)strlen(ref);
	return 0;
}

/* The exporter's status that names the image config, as --progress=rawjson
 * prints it (containerd image store, or the classic one); NULL: none. */
static void feed_export(struct parser *p, const char *config, bool classic)
{
	char *obj = config ? xasprintf("{\n  \"statuses\": [\n    {\n      \"id\": \"%s %s\",\n"
				       "      \"vertex\": \"sha256:v\"\n    }\n  ]\n}\n",
				       classic ? "writing image" : "exporting config", config)
			   : xstrdup("{\n  \"statuses\": [{\"id\": \"exporting layers\"}]\n}\n");
	assert_int_equal(parser_feed(p, PARSER_STDERR, obj, strlen(obj)), 0);
	free(obj);
}

/* An image's size is asked once per image: a build whose output names an
 * image config measured before (a fully cached build) gets its size
 * without asking docker again. */
static void test_image_size_once_per_image(void **state)
{
	struct builder fake = builder_buildkit;
	struct build_exec x = {.builder = &fake, .status = "ok", .log_rel = "logs/x.log"};
	json_t *sizes = json_object(), *b;
	const struct { const char *config; bool classic; const char *ref; long long bytes; } builds[] = {
		{"sha256:aaa", false, "x:1", 1003}, {"sha256:aaa", false, "x:22", 1003},
		{"sha256:bbb", true, "x:333", 1005}, {NULL, false, "x:4", 1003},
		{NULL, false, "x:5", 1003}, {"sha256:bbb", false, "x:6", 1005}};
	size_t i;
	(void)state;

	fake.image_size = fake_image_size;
	size_calls = 0;
	x.image_sizes = sizes;
	for (i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		assert_int_equal(parser_init(&x.parser, builder_buildkit.parser), 0);
		feed_export(&x.parser, builds[i].config, builds[i].classic);
		if (builds[i].config)
			assert_string_equal(parser_image(&x.parser), builds[i].config);
		x.ref = builds[i].ref;
		b = json_object();
		build_exec_record(b, &x);
		assert_int_equal(json_integer_value(json_object_get(b, "image_bytes")), builds[i].bytes);
		json_decref(b);
		parser_release(&x.parser);
	}
	/* aaa once, bbb once, and each build whose output named no image */
	assert_int_equal(size_calls, 4);
	assert_int_equal(json_object_size(sizes), 2);
	/* no map: every build asks */
	x.image_sizes = NULL;
	assert_int_equal(parser_init(&x.parser, builder_buildkit.parser), 0);
	feed_export(&x.parser, "sha256:aaa", false);
	b = json_object();
	build_exec_record(b, &x);
	assert_int_equal(size_calls, 5);
	json_decref(b);
	parser_release(&x.parser);
	json_decref(sizes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_builder_of_variants),
		cmocka_unit_test(test_prepare_only_for_own_store),
		cmocka_unit_test(test_engine_names),
		cmocka_unit_test(test_engine_lock),
		cmocka_unit_test(test_parser_step_failure),
		cmocka_unit_test(test_parser_trailer_and_fallback),
		cmocka_unit_test(test_image_size_once_per_image),
	};
	return cmocka_run_group_tests_name("builder", tests, setup, teardown);
}
