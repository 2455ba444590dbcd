/*
 * test_scenario.c: the scenario parser (harness/scenario/scenario.c) and sha256.
 *
 * The test changes to the repository root (found by walking up from the
 * current folder) so that file names in messages are the relative ones the
 * tests/data/scenarios/bad/NAME.expected files hold. "@ROOT@" in an expected
 * message stands for the absolute repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "scenario/scenario.h"
#include "cache/cache_kind.h"
#include "lib/sha256.h"
#include "lib/util.h"

#define DATA "tests/data/scenarios"

static char root[PATH_MAX];

static int go_to_root(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++) {
		if (path_is_dir(DATA "/bad")) {
			assert_non_null(getcwd(root, sizeof(root)));
			return 0;
		}
		if (chdir("..") < 0)
			break;
	}
	fprintf(stderr, "cannot find %s above the current folder\n", DATA);
	return -1;
}

/* ---- sha256 ---- */

static void test_sha256_vectors(void **state)
{
	static const char *msg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[SHA256_HEX_SIZE];
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	char *million = xmalloc(1000000);
	size_t off, step;
	(void)state;

	sha256_hex(hex, "", 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex(hex, "abc", 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(hex, msg448, strlen(msg448));
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* 1,000,000 x 'a', fed in uneven pieces to exercise the partial block */
	memset(million, 'a', 1000000);
	sha256_init(&c);
	for (off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 131 + 1)
		sha256_update(&c, million + off, off + step > 1000000 ? 1000000 - off : step);
	sha256_final(d, &c);
	assert_int_equal(d[0], 0xcd);
	assert_int_equal(d[31], 0xd0);
	sha256_hex(hex, million, 1000000);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* 55, 56 and 64 bytes: the padding edge cases */
	sha256_hex(hex, million, 55);
	assert_string_equal(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha256_hex(hex, million, 56);
	assert_string_equal(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	sha256_hex(hex, million, 64);
	assert_string_equal(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	free(million);
}

static void test_sha256_file(void **state)
{
	char dir[] = "/tmp/test_scenario.XXXXXX", hex[SHA256_HEX_SIZE];
	char *file;
	(void)state;

	assert_non_null(mkdtemp(dir));
	file = path_join(dir, "abc");
	assert_int_equal(write_file_atomic(file, "abc", 3), 0);
	assert_int_equal(sha256_file_hex(hex, file), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(rm_rf(file), 0);
	assert_int_equal(sha256_file_hex(hex, file), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), "No such file"));
	free(file);
	assert_int_equal(rm_rf(dir), 0);
}

/* ---- the bad corpus ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in DATA/sub ending in suffix. */
static void list_files(struct strvec *out, const char *sub, const char *suffix)
{
	char *dir = path_join(DATA, sub);
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), m = strlen(suffix);
		if (n > m && !strcmp(de->d_name + n - m, suffix))
			strvec_pushf(out, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), name_cmp);
	free(dir);
}

static char *expected_message(const char *ini)
{
	struct strbuf sb = {0};
	char *exp_path = xasprintf("%.*s.expected", (int)(strlen(ini) - 4), ini), *text, *p, *at;
	size_t len;

	assert_int_equal(read_file(&text, &len, exp_path), 0);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	for (p = text; (at = strstr(p, "@ROOT@")); p = at + 6) {
		strbuf_add(&sb, p, (size_t)(at - p));
		strbuf_puts(&sb, root);
	}
	strbuf_puts(&sb, p);
	free(text);
	free(exp_path);
	return strbuf_detach(&sb);
}

static void test_bad_corpus(void **state)
{
	struct strvec files = {0};
	size_t i, failed = 0;
	(void)state;

	list_files(&files, "bad", ".ini");
	assert_true(files.n >= 32);
	for (i = 0; i < files.n; i++) {
		struct scenario *s = (struct scenario *)1;
		char *want = expected_message(files.v[i]);
		int rc = scenario_load(&s, files.v[i]);
		if (rc != BENCH_EINVALID || s || strcmp(bench_error_last(), want)) {
			fprintf(stderr, "%s: rc %d\n--- expected\n%s\n--- got\n%s\n", files.v[i], rc,
				want, bench_error_last());
			failed++;
		}
		scenario_free(s);
		free(want);
	}
	strvec_release(&files);
	assert_int_equal(failed, 0);
}

/* Every bad/NAME.ini has its NAME.expected and no .expected is left over. */
static void test_bad_corpus_complete(void **state)
{
	struct strvec ini = {0}, exp = {0};
	size_t i;
	(void)state;

	list_files(&ini, "bad", ".ini");
	list_files(&exp, "bad", ".expected");
	assert_int_equal(ini.n, exp.n);
	for (i = 0; i < ini.n; i++) {
		size_t n = strlen(ini.v[i]) - 4;
		assert_memory_equal(ini.v[i], exp.v[i], n);
		assert_string_equal(exp.v[i] + n, ".expected");
	}
	strvec_release(&ini);
	strvec_release(&exp);
}

static void test_missing_file(void **state)
{
	struct scenario *s = (struct scenario *)1;
	(void)state;

	assert_int_equal(scenario_load(&s, DATA "/bad/nope.ini"), BENCH_ENOTFOUND);
	assert_null(s);
	assert_string_equal(bench_error_last(),
			    "cannot open '" DATA "/bad/nope.ini': No such file or directory");
}

/* ---- the good files, field by field ---- */

static char *data_abs(const char *rel)
{
	return xasprintf("%s/" DATA "/%s", root, rel);
}

static void assert_abs(const char *got, const char *rel)
{
	char *want = data_abs(rel);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

static struct scenario *load_good(const char *name)
{
	struct scenario *s = NULL;
	char *path = xasprintf(DATA "/good/%s", name);
	int rc = scenario_load(&s, path);
	if (rc)
		fprintf(stderr, "%s\n", bench_error_last());
	assert_int_equal(rc, 0);
	assert_non_null(s);
	free(path);
	return s;
}

static void test_good_minimal(void **state)
{
	struct scenario *s = load_good("minimal.ini");
	char hex[SHA256_HEX_SIZE];
	(void)state;

	assert_abs(s->path, "good/minimal.ini");
	assert_abs(s->dir, "good");
	assert_int_equal(sha256_file_hex(hex, DATA "/good/minimal.ini"), 0);
	assert_string_equal(s->digest, hex);
	assert_string_equal(s->name, "minimal");
	assert_abs(s->repo, "good");
	assert_string_equal(s->commits, "HEAD~3..HEAD");
	assert_string_equal(s->context, ".");
	assert_int_equal(s->repetitions, 1);
	assert_true(s->timeout == 1800);
	assert_string_equal(s->network, "host");
	assert_int_equal(s->build_args_count, 0);
	assert_int_equal(s->secrets_count, 0);
	assert_int_equal(s->variants_count, 1);
	assert_string_equal(s->variants[0].name, "only");
	assert_abs(s->variants[0].dockerfile, "dockerfiles/single.Dockerfile");
	assert_false(s->variants[0].dockerfile_in_repo);
	assert_null(s->variants[0].dockerignore);
	assert_ptr_equal(s->variants[0].cache, &cache_kind_none);
	assert_string_equal(s->variants[0].cache_mode, "max");
	assert_int_equal(s->variants[0].runner, RUNNER_EPHEMERAL);
	assert_null(s->variants[0].target);
	assert_false(s->variants[0].push);
	assert_int_equal(s->variants[0].line, 7);
	assert_string_equal(s->variants[0].builder, "buildkit");
	assert_null(s->variants[0].cache_scope);
	assert_int_equal(s->variants[0].cache_mounts_count, 0);
	assert_int_equal(s->engines_count, 0);
	assert_false(s->world.enabled);
	assert_true(s->world.runner_bandwidth == 0 && s->world.gha_rate_limit == 0);
	assert_true(s->world.gha_quota == 10e9);
	assert_true(s->world.gha_retry_after == 1);
	assert_int_equal(s->gate.line, 0);
	assert_true(s->gate.warm_median_growth < 0 && s->gate.warm_over_cold_growth < 0);
	assert_true(s->gate.image_growth < 0 && s->gate.cache_growth < 0);
	assert_int_equal(s->gate.cached_steps_may_fall, -1);
	assert_int_equal(s->gate.absolute, -1);
	assert_null(s->gate.reference);
	scenario_free(s);
}

static void test_good_full(void **state)
{
	struct scenario *s = load_good("full.ini");
	const struct variant *v;
	(void)state;

	assert_string_equal(s->name, "full_1.0-x");
	assert_abs(s->repo, "good");
	assert_string_equal(s->commits, "a1b2c3d HEAD~1 v1.2.0");
	assert_string_equal(s->context, "app/src");
	assert_int_equal(s->repetitions, 100);
	assert_true(s->timeout == 5400);
	assert_string_equal(s->network, "none");
	assert_int_equal(s->build_args_count, 3);
	assert_string_equal(s->build_args[0], "PIP_NO_CACHE=1");
	assert_string_equal(s->build_args[1], "EMPTY=");
	assert_string_equal(s->build_args[2], "_X=a=b");
	assert_int_equal(s->secrets_count, 2);
	assert_string_equal(s->secrets[0].id, "token");
	assert_abs(s->secrets[0].src, "secrets/token.txt");
	assert_null(s->secrets[0].env);
	assert_string_equal(s->secrets[1].id, "gh.token");
	assert_null(s->secrets[1].src);
	assert_string_equal(s->secrets[1].env, "GITHUB_TOKEN");
	assert_int_equal(s->variants_count, 2);
	v = &s->variants[0];
	assert_string_equal(v->name, "single-stage");
	assert_abs(v->dockerfile, "dockerfiles/single.Dockerfile");
	assert_abs(v->dockerignore, "dockerfiles/app.dockerignore");
	assert_ptr_equal(v->cache, &cache_kind_local);
	assert_string_equal(v->cache_mode, "min");
	assert_int_equal(v->runner, RUNNER_PERSISTENT);
	assert_string_equal(v->target, "final");
	assert_false(v->push);
	assert_int_equal(v->line, 14);
	v = &s->variants[1];
	assert_string_equal(v->name, "in.repo");
	assert_string_equal(v->dockerfile, "docker/app.Dockerfile");
	assert_true(v->dockerfile_in_repo);
	assert_ptr_equal(v->cache, &cache_kind_none);
	assert_false(s->world.enabled);
	assert_int_equal(s->gate.line, 27);
	assert_true(s->gate.warm_median_growth > 0.1499 && s->gate.warm_median_growth < 0.1501);
	assert_true(s->gate.warm_over_cold_growth > 0.0999 && s->gate.warm_over_cold_growth < 0.1001);
	assert_true(s->gate.image_growth < 0);
	assert_int_equal(s->gate.absolute, -1);
	assert_string_equal(s->gate.reference, "in.repo");
	scenario_free(s);
}

static void test_good_world(void **state)
{
	struct scenario *s = load_good("world.ini");
	const struct world_settings *w = &s->world;
	const struct gate_settings *g = &s->gate;
	(void)state;

	assert_null(s->repo);
	assert_string_equal(s->commits, "last:5");
	assert_true(s->timeout == 90);
	assert_int_equal(s->variants_count, 2);
	assert_ptr_equal(s->variants[0].cache, &cache_kind_registry);
	assert_true(s->variants[0].push);
	assert_ptr_equal(s->variants[1].cache, &cache_kind_local);
	assert_true(w->enabled);
	assert_int_equal(w->line, 16);
	assert_string_equal(w->kind, "cafeboo");
	assert_true(w->scale == 0.5);
	assert_true(w->bandwidth == 20e6);
	assert_true(w->latency > 0.0399 && w->latency < 0.0401);
	assert_true(w->cache_bandwidth == 60e6);
	assert_true(w->registry_bandwidth == 50e6);
	assert_string_equal(w->base_image, "bench/python:3.12.7-slim");
	assert_int_equal(w->seed, 42);
	assert_int_equal(g->line, 26);
	assert_true(g->warm_median_growth > 0.1499 && g->warm_median_growth < 0.1501);
	assert_true(g->image_growth > 0.0499 && g->image_growth < 0.0501);
	assert_true(g->cache_growth == 0.2);
	assert_int_equal(g->cached_steps_may_fall, 0);
	assert_string_equal(g->reference, "multi");
	assert_int_equal(g->absolute, 1);
	scenario_free(s);
}

static void test_good_crlf_bom(void **state)
{
	struct scenario *s = load_good("crlf-bom.ini");
	(void)state;

	assert_string_equal(s->name, "crlf");
	assert_string_equal(s->commits, "main..feature/x");
	assert_null(s->repo);
	assert_int_equal(s->variants_count, 1);
	assert_string_equal(s->variants[0].name, "win");
	assert_int_equal(s->variants[0].line, 6);
	assert_abs(s->variants[0].dockerfile, "dockerfiles/single.Dockerfile");
	assert_true(s->world.enabled);
	assert_string_equal(s->world.kind, "cafeboo");
	assert_true(s->world.scale == 0.05);
	assert_true(s->world.bandwidth == 25e6);
	assert_true(s->world.latency == 0 && s->world.cache_bandwidth == 0);
	assert_int_equal(s->world.seed, 1);
	scenario_free(s);
}

static void test_every_good_file_loads(void **state)
{
	struct strvec files = {0};
	size_t i;
	(void)state;

	list_files(&files, "good", ".ini");
	assert_true(files.n >= 4);
	for (i = 0; i < files.n; i++) {
		struct scenario *s = NULL;
		int rc = scenario_load(&s, files.v[i]);
		if (rc)
			fprintf(stderr, "%s\n", bench_error_last());
		assert_int_equal(rc, 0);
		scenario_free(s);
	}
	strvec_release(&files);
}

/* ---- from memory: line limit, digest ---- */

static int parse_text(struct scenario **s, const char *dir, const char *text)
{
	char *path = path_join(dir, "mem.ini");
	int rc = scenario_parse(s, path, text, strlen(text));
	free(path);
	return rc;
}

static void test_parse_memory(void **state)
{
	char dir[] = "/tmp/test_scenario.XXXXXX", hex[SHA256_HEX_SIZE];
	struct strbuf sb = {0};
	struct scenario *s = NULL;
	char *df, *want;
	(void)state;

	assert_non_null(mkdtemp(dir));
	df = path_join(dir, "Dockerfile");
	assert_int_equal(write_file_atomic(df, "FROM scratch\n", 13), 0);
	/* a 197-character line is the longest inih reads whole */
	strbuf_printf(&sb, "[scenario]\nname = mem\nrepo = .\ncommits = HEAD\n"
		      "[variant v]\ndockerfile = Dockerfile\n");
	strbuf_printf(&sb, "target = %0*d\n", 197 - 9, 0);
	assert_int_equal(parse_text(&s, dir, sb.buf), 0);
	assert_int_equal(strlen(s->variants[0].target), 197 - 9);
	assert_string_equal(s->repo, dir);
	assert_string_equal(s->variants[0].dockerfile, df);
	sha256_hex(hex, sb.buf, sb.len);
	assert_string_equal(s->digest, hex);
	scenario_free(s);
	/* one more character is an error, not a silently cut value */
	strbuf_reset(&sb);
	strbuf_printf(&sb, "[scenario]\nname = mem\nrepo = .\ncommits = HEAD\n"
		      "[variant v]\ndockerfile = Dockerfile\ntarget = %0*d\n", 198 - 9, 0);
	s = (struct scenario *)1;
	assert_int_equal(parse_text(&s, dir, sb.buf), BENCH_EINVALID);
	assert_null(s);
	want = xasprintf("%s/mem.ini:7: line is too long (198 characters, at most 197); shorten it",
			 dir);
	assert_string_equal(bench_error_last(), want);
	free(want);
	/* a NUL byte in the middle of otherwise valid text */
	assert_int_equal(scenario_parse(&s, "x.ini", "[scenario]\n\0name = x\n", 21), BENCH_EINVALID);
	assert_string_equal(bench_error_last(),
			    "x.ini:2: not a text file (found byte 0x00); a scenario must be UTF-8 text");
	strbuf_release(&sb);
	free(df);
	assert_int_equal(rm_rf(dir), 0);
}

/* Many errors are cut to what error.c can keep, with a count of the rest. */
static void test_many_errors(void **state)
{
	struct strbuf sb = {0};
	struct scenario *s = NULL;
	int i;
	(void)state;

	strbuf_puts(&sb, "[scenario]\n");
	for (i = 0; i < 200; i++)
		strbuf_printf(&sb, "colour%d = blue\n", i);
	assert_int_equal(scenario_parse(&s, "m.ini", sb.buf, sb.len), BENCH_EINVALID);
	assert_true(strlen(bench_error_last()) < 4000);
	assert_non_null(strstr(bench_error_last(), "m.ini:2: unknown key 'colour0' in [scenario]"));
	assert_non_null(strstr(bench_error_last(), " more errors"));
	strbuf_release(&sb);
}

/* ---- output ---- */

static void test_to_json(void **state)
{
	struct scenario *s = load_good("full.ini");
	json_t *j = scenario_to_json(s), *v;
	char *dump;
	(void)state;

	assert_string_equal(json_string_value(json_object_get(j, "name")), "full_1.0-x");
	assert_string_equal(json_string_value(json_object_get(j, "digest")), s->digest);
	assert_int_equal(json_integer_value(json_object_get(j, "repetitions")), 100);
	assert_true(json_real_value(json_object_get(j, "timeout")) == 5400);
	assert_string_equal(json_string_value(json_object_get(j, "network")), "none");
	assert_int_equal(json_array_size(json_object_get(j, "build_args")), 3);
	v = json_array_get(json_object_get(j, "secrets"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "token");
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "file");
	assert_int_equal(json_object_size(v), 2);
	v = json_array_get(json_object_get(j, "secrets"), 1);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "env");
	assert_int_equal(json_object_size(v), 2);
	v = json_array_get(json_object_get(j, "variants"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "cache")), "local");
	assert_string_equal(json_string_value(json_object_get(v, "runner")), "persistent");
	assert_string_equal(json_string_value(json_object_get(v, "target")), "final");
	assert_true(json_is_false(json_object_get(v, "push")));
	v = json_array_get(json_object_get(j, "variants"), 1);
	assert_true(json_is_true(json_object_get(v, "dockerfile_in_repo")));
	assert_true(json_is_null(json_object_get(v, "target")));
	assert_null(json_object_get(j, "world"));
	v = json_object_get(j, "gate");
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "reference")), "in.repo");
	assert_true(json_is_null(json_object_get(v, "image_growth")));
	assert_true(json_is_null(json_object_get(v, "absolute")));
	/* neither secret paths nor environment variable names leak */
	dump = json_dumps(j, 0);
	assert_null(strstr(dump, "token.txt"));
	assert_null(strstr(dump, "GITHUB_TOKEN"));
	free(dump);
	json_decref(j);
	scenario_free(s);

	s = load_good("world.ini");
	j = scenario_to_json(s);
	assert_true(json_is_null(json_object_get(j, "repo")));
	v = json_object_get(j, "world");
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "cafeboo");
	assert_true(json_real_value(json_object_get(v, "bandwidth")) == 20e6);
	assert_int_equal(json_integer_value(json_object_get(v, "seed")), 42);
	v = json_object_get(j, "gate");
	assert_true(json_is_true(json_object_get(v, "absolute")));
	assert_true(json_is_false(json_object_get(v, "cached_steps_may_fall")));
	json_decref(j);
	scenario_free(s);

	s = load_good("minimal.ini");
	j = scenario_to_json(s);
	assert_null(json_object_get(j, "world"));
	assert_null(json_object_get(j, "gate"));
	json_decref(j);
	scenario_free(s);
}

static void test_only_variant(void **state)
{
	struct scenario *s = load_good("world.ini");
	(void)state;

	assert_int_equal(scenario_only_variant(s, "nope"), BENCH_EINVALID);
	assert_string_equal(bench_error_last(),
			    "no variant 'nope' in scenario 'cafeboo' (variants: multi, local)");
	assert_int_equal(s->variants_count, 2);
	assert_int_equal(scenario_only_variant(s, "local,nope"), BENCH_EINVALID);
	assert_string_equal(bench_error_last(),
			    "no variant 'nope' in scenario 'cafeboo' (variants: multi, local)");
	/* a list keeps the scenario's order */
	assert_int_equal(scenario_only_variant(s, "local,multi"), 0);
	assert_int_equal(s->variants_count, 2);
	assert_string_equal(s->variants[0].name, "multi");
	assert_int_equal(scenario_only_variant(s, "local"), 0);
	assert_int_equal(s->variants_count, 1);
	assert_string_equal(s->variants[0].name, "local");
	assert_ptr_equal(s->variants[0].cache, &cache_kind_local);
	assert_int_equal(scenario_only_variant(s, "local"), 0);
	assert_int_equal(s->variants_count, 1);
	scenario_free(s);
	scenario_free(NULL);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_ptr_equal(cache_kind_find("none"), &cache_kind_none);
	assert_ptr_equal(cache_kind_find("local"), &cache_kind_local);
	assert_ptr_equal(cache_kind_find("registry"), &cache_kind_registry);
	assert_ptr_equal(cache_kind_find("gha"), &cache_kind_gha);
	assert_ptr_equal(cache_kind_find("inline"), &cache_kind_inline);
	assert_null(cache_kind_find("remote"));
	assert_ptr_equal(cache_kind_default(), &cache_kind_none);
	assert_string_equal(cache_kind_names(), "none, local, registry, gha or inline");
	assert_string_equal(runner_kind_name(RUNNER_EPHEMERAL), "ephemeral");
	assert_string_equal(runner_kind_name(RUNNER_PERSISTENT), "persistent");
}


/* ---- the keys added with the key table ---- */

static void test_good_gha(void **state)
{
	struct scenario *s = load_good("gha.ini");
	const struct variant *v = s->variants;
	const struct world_settings *w = &s->world;
	(void)state;

	assert_string_equal(s->commits, "sample:4 v1.0..HEAD");
	assert_int_equal(s->engines_count, 5);
	assert_string_equal(s->engines[0], "default");
	assert_string_equal(s->engines[1], "unix:///var/run/docker.sock");
	assert_string_equal(s->engines[2], "tcp://127.0.0.1:2376");
	assert_string_equal(s->engines[3], "ssh://ci@build-1.example:2222");
	assert_string_equal(s->engines[4], "remote_2+x");
	assert_int_equal(s->variants_count, 4);
	assert_ptr_equal(v[0].cache, &cache_kind_gha);
	assert_string_equal(v[0].cache_scope, "gha"); /* the variant's name */
	assert_string_equal(v[0].cache_mode, "max");
	assert_string_equal(v[0].builder, "buildkit");
	assert_int_equal(v[0].cache_mounts_count, 2);
	assert_string_equal(v[0].cache_mounts[0], "/root/.cache/pip");
	assert_string_equal(v[0].cache_mounts[1], "/var/cache/apt");
	assert_string_equal(v[1].cache_scope, "deps-v2");
	assert_string_equal(v[1].builder, "buildkit");
	assert_int_equal(v[1].cache_mounts_count, 0);
	assert_ptr_equal(v[2].cache, &cache_kind_inline);
	assert_string_equal(v[2].cache_mode, "min"); /* inline embeds min only */
	assert_null(v[2].cache_scope);
	assert_string_equal(v[3].cache_mode, "min");
	assert_true(w->runner_bandwidth == 50e6);
	assert_true(w->gha_quota == 1.5 * 1024 * 1024 * 1024);
	assert_true(w->gha_rate_limit == 600);
	assert_true(w->gha_retry_after > 0.2499 && w->gha_retry_after < 0.2501);
	assert_true(w->registry_bandwidth == 0);
	scenario_free(s);
}

/* A scenario in memory ("mem.ini" at the repository root): line 5 is
 * `scen` in [scenario], line 8 `var` in [variant v], line 11 `world` in
 * [world] (present, and repo absent, when world is not NULL). */
static int parse_with(struct scenario **s, const char *scen, const char *var, const char *world)
{
	char *text = xasprintf("[scenario]\nname = t\n%s\ncommits = HEAD\n%s\n[variant v]\n"
			       "dockerfile = " DATA "/dockerfiles/single.Dockerfile\n%s\n%s%s\n",
			       world ? "; no repo" : "repo = .", scen ? scen : "", var ? var : "",
			       world ? "[world]\nkind = cafeboo\n" : "", world ? world : "");
	int rc;

	*s = NULL;
	rc = scenario_parse(s, "mem.ini", text, strlen(text));
	free(text);
	return rc;
}

/* The one error parse_with gives, or "" when it parses. */
static const char *error_with(const char *scen, const char *var, const char *world)
{
	struct scenario *s;
	int rc = parse_with(&s, scen, var, world);
	scenario_free(s);
	return rc ? bench_error_last() : "";
}

/* Each value, as the line "KEY = PREFIX VALUE" of [scenario] (where 's', line
 * 5), [variant v] ('v', line 8) or [world] ('w', line 11), gives exactly the
 * error "mem.ini:LINE: " + want_fmt with the value for its %s. */
static void expect_bad_values(char where, const char *key, const char *prefix,
			      const char *const *values, size_t n, const char *want_fmt)
{
	size_t i;
	for (i = 0; i < n; i++) {
		char *line = xasprintf("%s = %s%s", key, prefix, values[i]);
		char *msg = xasprintf(want_fmt, values[i]);
		char *want = xasprintf("mem.ini:%d: %s", where == 's' ? 5 : where == 'v' ? 8 : 11,
				       msg);
		assert_string_equal(error_with(where == 's' ? line : NULL,
					       where == 'v' ? line : NULL,
					       where == 'w' ? line : NULL), want);
		free(want);
		free(msg);
		free(line);
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A scenario whose [scenario] commits line (line 4) is `commits`. */
static int parse_commits(struct scenario **s, const char *commits)
{
	char *text = xasprintf("[scenario]\nname = t\nrepo = .\ncommits = %s\n[variant v]\n"
			       "dockerfile = " DATA "/dockerfiles/single.Dockerfile\n", commits);
	int rc = scenario_parse(s, "mem.ini", text, strlen(text));
	free(text);
	return rc;
}

static void test_commits_forms(void **state)
{
	static const char *good[] = {"sample:2 last:2", "sample:3 last:10", "sample:5 v1.0..HEAD",
				     "sample:10   main..feature/x", "last:1", "A..B", "a1 b2 c3"};
	static const char *bad[] = {"sample:1 last:5", "sample:3 last:2", "sample:3",
				    "sample:x A..B", "sample: A..B", "sample:3 A..B C",
				    "sample:3 a b", "sample:3 last:", "sample:2 last:3 x",
				    "sample:2 A..B..C", "last:3 x", "HEAD sample:2", "sample:2last:3"};
	struct scenario *s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = parse_commits(&s, good[i]);
		if (rc)
			fprintf(stderr, "%s: %s\n", good[i], bench_error_last());
		assert_int_equal(rc, 0);
		assert_string_equal(s->commits, good[i]);
		scenario_free(s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *want = xasprintf("mem.ini:4: invalid commits '%s' (use A..B, a space-separated "
				       "list of commits, last:N with N >= 1, or sample:N A..B or "
				       "sample:N last:M with N >= 2 and N <= M)", bad[i]);
		assert_int_equal(parse_commits(&s, bad[i]), BENCH_EINVALID);
		assert_null(s);
		assert_string_equal(bench_error_last(), want);
		free(want);
	}
}

static void test_engines(void **state)
{
	static const char *good[] = {"default", "my-ctx.v2", "ci_1+x", "0ctx",
				     "unix:///var/run/docker.sock", "tcp://127.0.0.1:2376",
				     "tcp://build-host.example:2375", "ssh://me@host", "ssh://host",
				     "ssh://me@host:2222"};
	static const char *bad[] = {"-x", ".x", "_x", "a/b", "a:b", "unix://", "unix:///",
				    "unix://rel/sock", "tcp://host", "tcp://:2375", "tcp://h:0",
				    "tcp://h:65536", "tcp://h:x", "ssh://", "ssh://@h", "ssh://me@",
				    "ssh://1me@h", "http://h:1", "npipe:////./pipe/docker"};
	struct scenario *s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *line = xasprintf("engines = %s", good[i]);
		assert_int_equal(parse_with(&s, line, NULL, NULL), 0);
		assert_int_equal(s->engines_count, 1);
		assert_string_equal(s->engines[0], good[i]);
		scenario_free(s);
		free(line);
	}
	expect_bad_values('s', "engines", "default ", bad, COUNT(bad), "invalid engines entry "
			  "'%s' (use a docker context name, unix:///PATH, tcp://HOST:PORT or "
			  "ssh://USER@HOST)");
	assert_string_equal(error_with("engines = a b a", NULL, NULL),
			    "mem.ini:5: 'a' is given twice in engines; keep one");
}

static void test_builder_and_caches(void **state)
{
	static const char *bad_mounts[] = {"/a/..", "///", "/a\"b", "/a'b", "rel/x", "./x", "/..",
					   "/a,b"};
	struct scenario *s;
	(void)state;

	assert_int_equal(parse_with(&s, NULL, "builder = buildah", NULL), 0);
	assert_string_equal(s->variants[0].builder, "buildah");
	scenario_free(s);
	assert_string_equal(error_with(NULL, "builder = docker", NULL),
			    "mem.ini:8: unknown builder 'docker' (known: buildkit, buildah)");
	/* what the builder cannot do, at its line (builder.h: unsupported) */
	assert_int_equal(parse_with(&s, NULL, "builder = buildah\ncache = registry", ""), 0);
	scenario_free(s);
	assert_string_equal(error_with(NULL, "cache = local\nbuilder = buildah", NULL),
			    "mem.ini:9: builder = buildah: cache = local needs the cache type 'local', which "
			    "buildah does not take; use cache = none, registry or another builder");
	assert_string_equal(error_with("network = none", "builder = buildah", NULL),
			    "mem.ini:8: builder = buildah: network must be host (buildah with --isolation "
			    "chroot, the way without privileges, shares the host's network only)");
	/* gha: the scope defaults to the variant's name; a world is needed */
	assert_int_equal(parse_with(&s, NULL, "cache = gha", ""), 0);
	assert_ptr_equal(s->variants[0].cache, &cache_kind_gha);
	assert_string_equal(s->variants[0].cache_scope, "v");
	scenario_free(s);
	/* without a world it is the runner's service (the run checks its environment) */
	assert_string_equal(error_with(NULL, "cache = gha", NULL), "");
	assert_string_equal(error_with(NULL, "cache_scope = x", ""),
			    "mem.ini:8: cache_scope needs cache = gha (it names the scope of the "
			    "GitHub cache); remove it or set cache = gha");
	assert_string_equal(error_with(NULL, "cache = gha\ncache_scope = a b", ""),
			    "mem.ini:9: invalid cache_scope 'a b' (use letters, digits, '.', '_' "
			    "and '-')");
	/* inline: min only, explicit max refused; it needs the push */
	assert_int_equal(parse_with(&s, NULL, "cache = inline\npush = yes", ""), 0);
	assert_ptr_equal(s->variants[0].cache, &cache_kind_inline);
	assert_string_equal(s->variants[0].cache_mode, "min");
	scenario_free(s);
	assert_string_equal(error_with(NULL, "cache = inline\npush = no", ""),
			    "mem.ini:9: cache = inline needs push = yes (the cache travels in the "
			    "pushed image, and the next build imports it from the registry)");
	assert_string_equal(error_with(NULL, "cache_mode = max\ncache = inline\npush = yes", ""),
			    "mem.ini:8: cache = inline supports only cache_mode = min (BuildKit's "
			    "inline cache only embeds min); set cache_mode = min or remove it");
	assert_string_equal(error_with(NULL, "cache = inline", NULL),
			    "mem.ini:8: cache = inline needs a [registry] section with ref = "
			    "HOST[:PORT]/NAME (your registry) or a [world] section (it provides the "
			    "registry the image and its cache are pushed to); use cache = local or "
			    "add one of them");
	/* cache mounts: absolute, no "..", no ",", not "/", each once */
	assert_int_equal(parse_with(&s, NULL, "cache_mounts = /root/.cache/pip //var/cache/apt/", NULL), 0);
	assert_int_equal(s->variants[0].cache_mounts_count, 2);
	assert_string_equal(s->variants[0].cache_mounts[1], "//var/cache/apt/");
	scenario_free(s);
	expect_bad_values('v', "cache_mounts", "/ok ", bad_mounts, COUNT(bad_mounts),
			  "invalid cache_mounts entry '%s' (an absolute path without '..' or ',': "
			  "the target= of a RUN --mount=type=cache)");
}

static void test_world_gha_keys(void **state)
{
	static const struct {
		const char *line;
		double quota, rate, retry, runner;
	} good[] = {
		{"gha_quota = 10GB", 10e9, 0, 1, 0},
		{"gha_quota = 512MB", 512e6, 0, 1, 0},
		{"gha_quota = 1.5GiB", 1610612736, 0, 1, 0},
		{"gha_quota = 1048576", 1048576, 0, 1, 0},
		{"gha_rate_limit = 200/min", 10e9, 200, 1, 0},
		{"gha_rate_limit = 10/s", 10e9, 600, 1, 0},
		{"gha_rate_limit = 1000000/s", 10e9, 60e6, 1, 0},
		{"gha_rate_limit = 0", 10e9, 0, 1, 0},
		{"gha_rate_limit = 0/min", 10e9, 0, 1, 0},
		{"gha_retry_after = 500ms", 10e9, 0, 0.5, 0},
		{"gha_retry_after = 0", 10e9, 0, 0, 0},
		{"runner_bandwidth = 50MB/s", 10e9, 0, 1, 50e6},
		{"runner_bandwidth = 0", 10e9, 0, 1, 0},
	};
	static const char *bad_quota[] = {"10 parsecs", "GB", "-1GB", "10GB/s", "ten"};
	static const char *bad_rate[] = {"200", "5/h", "x/min", "/min", "-1/min", "10/s/s", "1e/s",
				       "1.5/s", "1000001/min", "5 /min"};
	struct scenario *s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse_with(&s, NULL, NULL, good[i].line), 0);
		assert_true(s->world.gha_quota == good[i].quota);
		assert_true(s->world.gha_rate_limit == good[i].rate);
		assert_true(s->world.gha_retry_after == good[i].retry);
		assert_true(s->world.runner_bandwidth == good[i].runner);
		scenario_free(s);
	}
	expect_bad_values('w', "gha_quota", "", bad_quota, COUNT(bad_quota), "invalid size '%s' "
			  "for 'gha_quota' (examples: 10GB, 512MB, 1.5GiB)");
	expect_bad_values('w', "gha_rate_limit", "", bad_rate, COUNT(bad_rate), "invalid rate '%s' "
			  "for 'gha_rate_limit' (a whole number per minute or second, e.g. 200/min or "
			  "10/s; 0 for no limit)");
	assert_string_equal(error_with(NULL, NULL, "gha_quota = 0"),
			    "mem.ini:11: 'gha_quota' must be greater than zero (got '0')");
	assert_string_equal(error_with(NULL, NULL, "gha_retry_after = later"),
			    "mem.ini:11: invalid duration 'later' for 'gha_retry_after' (examples: "
			    "1s, 500ms, 2s)");
	assert_string_equal(error_with(NULL, NULL, "runner_bandwidth = 1 Gbit"),
			    "mem.ini:11: invalid size '1 Gbit' for 'runner_bandwidth' (examples: "
			    "20MB/s, 1.5MiB/s, 500k/s)");
}

static void test_did_you_mean(void **state)
{
	static const char *const known_world = "kind, scale, bandwidth, latency, cache_bandwidth, "
		"registry_bandwidth, runner_bandwidth, gha_quota, gha_rate_limit, gha_retry_after, "
		"base_image, listen, address, engine_listen, seed";
	char *want;
	(void)state;

	want = xasprintf("mem.ini:11: unknown key 'runner_bandwith' in [world]; did you mean "
			 "'runner_bandwidth'? (known: %s)", known_world);
	assert_string_equal(error_with(NULL, NULL, "runner_bandwith = 1MB/s"), want);
	free(want);
	want = xasprintf("mem.ini:11: unknown key 'lantecy' in [world]; did you mean 'latency'? "
			 "(known: %s)", known_world);
	assert_string_equal(error_with(NULL, NULL, "lantecy = 1s"), want);
	free(want);
	/* a key of another section */
	want = xasprintf("mem.ini:11: unknown key 'cache' in [world]; it is a key of [variant "
			 "NAME] (known: %s)", known_world);
	assert_string_equal(error_with(NULL, NULL, "cache = local"), want);
	free(want);
	assert_string_equal(error_with(NULL, "scale = 1", NULL),
			    "mem.ini:8: unknown key 'scale' in [variant v]; it is a key of [world] "
			    "(known: dockerfile, dockerignore, cache, cache_mode, runner, target, push, "
			    "push_mode, cache_key, cache_compression, builder, cache_scope, cache_mounts)");
	/* short names: one edit at most */
	assert_string_equal(error_with("nmae = x", NULL, NULL),
			    "mem.ini:5: unknown key 'nmae' in [scenario]; did you mean 'name'? "
			    "(known: name, repo, commits, context, repetitions, timeout, network, "
			    "build_args, secret, engines, allow_outside)");
	assert_string_equal(error_with("nope = x", NULL, NULL),
			    "mem.ini:5: unknown key 'nope' in [scenario] (known: name, repo, commits, "
			    "context, repetitions, timeout, network, build_args, secret, engines, allow_outside)");
	/* far from everything: no guess */
	assert_non_null(strstr(error_with(NULL, "colourful_thing = 1", NULL),
			       "unknown key 'colourful_thing' in [variant v] (known: "));
}

/* reference = none turns the reference check off; another name must be a variant. */
static void test_gate_reference_none(void **state)
{
	struct scenario *s;
	char *text = xasprintf("[scenario]\nname = t\nrepo = .\ncommits = HEAD\n[variant v]\n"
			       "dockerfile = " DATA "/dockerfiles/single.Dockerfile\n[gate]\n"
			       "reference = none\n");
	(void)state;

	assert_int_equal(scenario_parse(&s, "mem.ini", text, strlen(text)), 0);
	assert_string_equal(s->gate.reference, "none");
	scenario_free(s);
	text[strlen(text) - 3] = 'X'; /* "noXe" */
	assert_int_equal(scenario_parse(&s, "mem.ini", text, strlen(text)), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "mem.ini:8: reference 'noXe' is not a variant of "
			    "this scenario (variants: v)");
	free(text);
}

/* [registry]: a registry of the user's takes push, cache = registry and
 * inline without a world; its ref is a repository without a tag. */
static void test_registry_section(void **state)
{
	struct scenario *s;
	json_t *j, *r;
	static const char *const bad[] = {"app", "team/app", "reg.example/App", "reg.example/app:1",
					  "reg.example/app@sha256:00", "reg.example/", "reg.example//app",
					  "reg.example/app/", "reg.example/-app", "https://reg.example/app"};
	static const char *const good[] = {"localhost/app", "127.0.0.1:5000/a/b_c.d-e", "reg.example/app",
					   "ghcr.io/team/app"};
	const char *reg = "\n[registry]\nref = reg.example:5000/team/my-app\n";
	char *text;
	size_t i;
	(void)state;

	text = xasprintf("[scenario]\nname = t\nrepo = .\ncommits = HEAD\n[variant v]\ndockerfile = repo:D\n"
			 "cache = registry\npush = yes\n[variant i]\ndockerfile = repo:D\ncache = inline\n"
			 "push = yes\n%s", reg);
	assert_int_equal(scenario_parse(&s, DATA "/mem.ini", text, strlen(text)), 0);
	assert_true(s->registry.enabled);
	assert_string_equal(s->registry.ref, "reg.example:5000/team/my-app");
	assert_false(s->registry.insecure);
	j = scenario_to_json(s);
	r = json_object_get(j, "registry");
	assert_string_equal(json_string_value(json_object_get(r, "ref")), "reg.example:5000/team/my-app");
	assert_true(json_is_false(json_object_get(r, "insecure")));
	json_decref(j);
	scenario_free(s);
	free(text);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *var = xasprintf("push = yes\n[registry]\nref = %s", good[i]);
		assert_string_equal(error_with(NULL, var, NULL), "");
		free(var);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *var = xasprintf("push = yes\n[registry]\nref = %s", bad[i]);
		char *want = xasprintf("mem.ini:10: invalid ref '%s' (use HOST[:PORT]/NAME, e.g. "
				       "registry.example.com:5000/team/app, without a tag)", bad[i]);
		assert_string_equal(error_with(NULL, var, NULL), want);
		free(want);
		free(var);
	}
	/* a registry is enough for push and the registry kinds; insecure is a boolean */
	assert_string_equal(error_with(NULL, "cache = registry\n[registry]\nref = localhost:5000/a\n"
				       "insecure = yes", NULL), "");
	assert_string_equal(error_with(NULL, "push = yes\n[registry]\nref = localhost:5000/a\ninsecure = sure", NULL),
			    "mem.ini:11: invalid boolean 'sure' for 'insecure' (use yes or no)");
	/* and from the command line, only when the file has the section */
	{
		struct scenario_override ov = {"--param", "registry.insecure=yes"};
		char *t2 = xasprintf("[scenario]\nname = t\nrepo = .\ncommits = HEAD\n[variant v]\n"
				     "dockerfile = repo:D\n%s", reg);
		assert_int_equal(scenario_parse_with(&s, DATA "/mem.ini", t2, strlen(t2), &ov, 1), 0);
		assert_true(s->registry.insecure);
		scenario_free(s);
		assert_int_equal(scenario_parse_with(&s, DATA "/mem.ini", "[scenario]\nname = t\nrepo = .\n"
						     "commits = HEAD\n[variant v]\ndockerfile = repo:D\n", 71, &ov, 1),
				 BENCH_EINVALID);
		assert_non_null(strstr(bench_error_last(), "'insecure' is a key of [registry], and scenario"));
		free(t2);
	}
}

/* [verdict]: defaults, values, and bad values named by file:line. */
static void test_verdict_section(void **state)
{
	const char *head = "[scenario]\nname = t\nrepo = .\ncommits = HEAD\n[variant v]\n"
			   "dockerfile = " DATA "/dockerfiles/single.Dockerfile\n";
	struct scenario *s;
	char *text = xasprintf("%s", head);
	json_t *j;
	(void)state;

	assert_int_equal(scenario_parse(&s, "mem.ini", text, strlen(text)), 0);
	assert_null(s->verdict.mix);
	assert_true(s->verdict.pushes_per_day == 0);
	assert_float_equal(s->verdict.price_per_minute, 0.008, 1e-12);
	assert_int_equal(s->verdict.history, 200);
	j = scenario_to_json(s);
	assert_float_equal(json_real_value(json_object_get(json_object_get(j, "verdict"), "price_per_minute")),
			   0.008, 1e-12);
	json_decref(j);
	scenario_free(s);
	free(text);

	text = xasprintf("%s[verdict]\nmix = code:0.8, deps:0.15, dockerfile:0.05\npushes_per_day = 12\n"
			 "price_per_minute = 0.016\nhistory = 50\n", head);
	assert_int_equal(scenario_parse(&s, "mem.ini", text, strlen(text)), 0);
	assert_string_equal(s->verdict.mix, "code:0.8, deps:0.15, dockerfile:0.05");
	assert_float_equal(s->verdict.pushes_per_day, 12, 1e-12);
	assert_float_equal(s->verdict.price_per_minute, 0.016, 1e-12);
	assert_int_equal(s->verdict.history, 50);
	j = scenario_to_json(s);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "verdict"), "mix")),
			    "code:0.8, deps:0.15, dockerfile:0.05");
	json_decref(j);
	scenario_free(s);
	free(text);

	text = xasprintf("%s[verdict]\nmix = code:0.8,tests:0.2\npushes_per_day = -1\nhistory = 1\n", head);
	assert_int_equal(scenario_parse(&s, "mem.ini", text, strlen(text)), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "mem.ini:8: invalid mix 'code:0.8,tests:0.2'"));
	assert_non_null(strstr(bench_error_last(), "mem.ini:9: "));
	assert_non_null(strstr(bench_error_last(), "pushes_per_day"));
	assert_non_null(strstr(bench_error_last(), "mem.ini:10: "));
	free(text);
}

/* docs/scenario.md from its title on. */
static char *key_docs(const char *top)
{
	char *path = path_join(top, "docs/scenario.md"), *text, *start, *docs;
	size_t len;

	assert_int_equal(read_file(&text, &len, path), 0);
	assert_non_null(start = strstr(text, "# The scenario file"));
	docs = xstrdup(start);
	free(text);
	free(path);
	return docs;
}

/* Every key of the table is documented in docs/scenario.md, and has its
 * line of help. */
static void test_keys_documented(void **state)
{
	const char *dir = getenv("BENCH_DATADIR");
	char *text = key_docs(dir ? dir : root), *start = text;
	const struct scenario_key_doc *d;
	size_t i, missing = 0;
	(void)state;

	for (i = 0; (d = scenario_key_doc(i)); i++) {
		size_t n = strlen(d->name);
		const char *at = start;
		bool found = false;
		assert_non_null(d->help);
		assert_true(strlen(d->help) > 10);
		while (!found && (at = strstr(at + 1, d->name)))
			found = !(isalnum((unsigned char)at[-1]) || at[-1] == '_') &&
				!(isalnum((unsigned char)at[n]) || at[n] == '_');
		if (!found) {
			fprintf(stderr, "docs/scenario.md does not mention [%s] %s\n",
				d->section, d->name);
			missing++;
		}
	}
	assert_true(i >= 40);
	assert_int_equal(missing, 0);
	assert_null(scenario_key_doc(i));
	free(text);
}

/* The new keys in run.json's copy. */
static void test_to_json_new_keys(void **state)
{
	struct scenario *s = load_good("gha.ini");
	json_t *j = scenario_to_json(s), *v, *w;
	(void)state;

	assert_int_equal(json_array_size(json_object_get(j, "engines")), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "engines"), 2)),
			    "tcp://127.0.0.1:2376");
	v = json_array_get(json_object_get(j, "variants"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "cache")), "gha");
	assert_string_equal(json_string_value(json_object_get(v, "cache_scope")), "gha");
	assert_string_equal(json_string_value(json_object_get(v, "builder")), "buildkit");
	assert_int_equal(json_array_size(json_object_get(v, "cache_mounts")), 2);
	v = json_array_get(json_object_get(j, "variants"), 2);
	assert_string_equal(json_string_value(json_object_get(v, "cache")), "inline");
	assert_string_equal(json_string_value(json_object_get(v, "cache_mode")), "min");
	assert_true(json_is_null(json_object_get(v, "cache_scope")));
	w = json_object_get(j, "world");
	assert_true(json_real_value(json_object_get(w, "runner_bandwidth")) == 50e6);
	assert_true(json_real_value(json_object_get(w, "gha_quota")) == 1610612736);
	assert_int_equal(json_integer_value(json_object_get(w, "gha_rate_limit")), 600);
	assert_true(json_real_value(json_object_get(w, "gha_retry_after")) == 0.25);
	json_decref(j);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_file),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_bad_corpus_complete),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_good_minimal),
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_good_world),
		cmocka_unit_test(test_good_crlf_bom),
		cmocka_unit_test(test_every_good_file_loads),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_only_variant),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_good_gha),
		cmocka_unit_test(test_commits_forms),
		cmocka_unit_test(test_engines),
		cmocka_unit_test(test_builder_and_caches),
		cmocka_unit_test(test_world_gha_keys),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_gate_reference_none),
		cmocka_unit_test(test_verdict_section),
		cmocka_unit_test(test_registry_section),
		cmocka_unit_test(test_keys_documented),
		cmocka_unit_test(test_to_json_new_keys),
	};
	return cmocka_run_group_tests(tests, go_to_root, NULL);
}
