/*
 * test_cache_backends.c: the backends of cache_gha.c and cache_dance.c
 * without an engine: what a gha build imports and exports (the dry run's
 * placeholders, token and scope attributes, the mode), inline's export and
 * its import of the image the series pushed last (kept only when the build
 * succeeded), their BuildKit flags; the cache dance's reading of a
 * Dockerfile's cache mounts and its helper Dockerfiles, its first build
 * (nothing to inject), a failed build (nothing extracted), a helper build
 * that fails (the error names the variant and the builder's reason, through
 * a builder whose "docker" is /bin/false), the recorded seconds, and the
 * new state fields to JSON and back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/cache_backend.h"
#include "builders/docker.h"
#include "lib/error.h"
#include "lib/util.h"
#include "tmpdir.h"


TMPDIR_FIXTURE("test-cache-backends")

/* The --cache-from / --cache-to flags BuildKit gets for u, joined by ' '. */
static char *flags_of(const struct cache_use *u)
{
	struct strvec argv = {0};
	struct strbuf sb = {0};
	size_t i;

	assert_int_equal(docker_cache_options(&argv, &u->from, &u->to), 0);
	for (i = 0; i < argv.n; i++)
		strbuf_printf(&sb, "%s%s", i ? " " : "", argv.v[i]);
	strvec_release(&argv);
	return sb.buf ? strbuf_detach(&sb) : xstrdup("");
}

static void test_gha_dry_run(void **state)
{
	struct variant v = {.name = "multi-stage-gha", .cache = &cache_kind_gha, .cache_mode = "max",
			    .cache_scope = "deps"};
	struct cache_env dry = {.dry_run = true}, none = {0};
	struct cache_series s;
	struct cache_use u;
	json_t *rec = json_object();
	char *flags;
	(void)state;

	cache_series_init(&s, &v, 1, tmp, &dry);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	flags = flags_of(&u);
	/* a workflow passes cache-from on its first run too */
	assert_string_equal(flags,
		"--cache-from type=gha,url_v2=http://127.0.0.1:<gha-port>/,token=<token>,scope=deps,version=2 "
		"--cache-to type=gha,url_v2=http://127.0.0.1:<gha-port>/,token=<token>,scope=deps,version=2,mode=max");
	free(flags);
	cache_use_release(&u);
	cache_series_release(&s);

	/* min mode, the scope defaults to the variant's name */
	v.cache_mode = "min";
	v.cache_scope = NULL;
	cache_series_init(&s, &v, 1, tmp, &dry);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, false, rec), 0);
	assert_string_equal(u.to.attrs[1], "scope=multi-stage-gha");
	assert_string_equal(u.to.mode, "min");
	cache_use_release(&u);
	cache_series_release(&s);

	/* without a world (and not a dry run) there is no service: no flags,
	 * no counters, no bytes */
	cache_series_init(&s, &v, 1, tmp, &none);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	assert_null(u.from.type);
	assert_null(u.to.type);
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_null(json_object_get(rec, "gha"));
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_bytes")), 0);
	cache_use_release(&u);
	cache_series_release(&s);

	/* no [world]: the runner's service; only the scope is bench's, buildx
	 * reads the url, token and protocol version from its environment */
	none.runner_env = true;
	cache_series_init(&s, &v, 1, tmp, &none);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-from type=gha,scope=multi-stage-gha "
			    "--cache-to type=gha,scope=multi-stage-gha,mode=min");
	free(flags);
	cache_use_release(&u);
	cache_series_release(&s);
	json_decref(rec);
}

/* [registry]: every image of the run is a tag of its repository, the
 * caches too; insecure = yes makes the registry caches plain HTTP. */
static void test_registry_section(void **state)
{
	struct registry_settings reg = {.enabled = true, .ref = "reg.example:5000/team/app"};
	struct variant v = {.name = "Reg", .cache = &cache_kind_registry, .cache_mode = "max"};
	struct variant inl = {.name = "inl", .cache = &cache_kind_inline, .cache_mode = "min", .push = true};
	struct cache_env env = {.marker = "bench-run-x-1", .registry = &reg, .runner_env = true}, bare = {0};
	struct cache_series s;
	struct cache_use u;
	json_t *rec = json_object();
	char *flags, *ref;
	(void)state;

	ref = cache_registry_ref(&env, "reg", "abc-r1");
	assert_string_equal(ref, "reg.example:5000/team/app:bench-run-x-1-reg-abc-r1");
	free(ref);
	assert_null(cache_registry_ref(&bare, "reg", "abc-r1"));

	cache_series_init(&s, &v, 2, tmp, &env);
	assert_string_equal(s.state.registry_ref, "reg.example:5000/team/app:bench-run-x-1-reg-cache-r2");
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-from type=registry,ref=reg.example:5000/team/app:bench-run-x-1-reg-cache-r2 "
			    "--cache-to type=registry,ref=reg.example:5000/team/app:bench-run-x-1-reg-cache-r2,mode=max");
	free(flags);
	cache_use_release(&u);
	/* not looked into: a cut series is built again */
	assert_null(cache_fingerprint(&s));
	cache_series_release(&s);

	reg.insecure = true;
	cache_series_init(&s, &v, 1, tmp, &env);
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-from type=registry,ref=reg.example:5000/team/app:bench-run-x-1-reg-cache-r1,"
			    "registry.insecure=true --cache-to type=registry,ref=reg.example:5000/team/app:"
			    "bench-run-x-1-reg-cache-r1,registry.insecure=true,mode=max");
	free(flags);
	cache_use_release(&u);
	cache_series_release(&s);

	/* inline imports the image it pushed last from the same registry */
	cache_series_init(&s, &inl, 1, tmp, &env);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	u.image = "reg.example:5000/team/app:bench-run-x-1-inl-c1-r1";
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	cache_use_release(&u);
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-from type=registry,ref=reg.example:5000/team/app:bench-run-x-1-inl-c1-r1,"
			    "registry.insecure=true --cache-to type=inline");
	free(flags);
	cache_use_release(&u);
	cache_series_release(&s);
	json_decref(rec);
}

static void test_inline(void **state)
{
	struct variant v = {.name = "inl", .cache = &cache_kind_inline, .cache_mode = "min", .push = true};
	struct cache_env env = {0}, dry = {.dry_run = true};
	struct cache_series s;
	struct cache_use u;
	json_t *rec = json_object();
	struct strvec argv = {0};
	char *flags;
	(void)state;

	cache_series_init(&s, &v, 1, tmp, &env);
	/* cold: nothing to import; the export goes into the image */
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-to type=inline");
	free(flags);
	u.image = "127.0.0.1:5000/m/inl:c1-r1";
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_string_equal(s.state.inline_ref, "127.0.0.1:5000/m/inl:c1-r1");
	cache_use_release(&u);

	/* warm: the image pushed last; a failed build keeps the older one */
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), 0);
	flags = flags_of(&u);
	assert_string_equal(flags, "--cache-from type=registry,ref=127.0.0.1:5000/m/inl:c1-r1 "
			    "--cache-to type=inline");
	free(flags);
	u.image = "127.0.0.1:5000/m/inl:c2-r1";
	assert_int_equal(cache_save(&u, &s, false, rec), 0);
	assert_string_equal(s.state.inline_ref, "127.0.0.1:5000/m/inl:c1-r1");
	cache_use_release(&u);
	cache_series_release(&s);

	/* the dry run shows what a warm build would import */
	cache_series_init(&s, &v, 1, tmp, &dry);
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), 0);
	assert_string_equal(u.from.type, "registry");
	assert_non_null(strstr(u.from.location, "pushed last"));
	cache_use_release(&u);
	cache_series_release(&s);

	/* BuildKit cannot import "inline" as such, nor export without a type it knows */
	assert_int_equal(docker_cache_options(&argv, &(struct cache_spec){.type = "inline"}, NULL),
			 BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "no cache import of type 'inline'"));
	assert_int_equal(docker_cache_options(&argv, NULL, &(struct cache_spec){.type = "registry"}),
			 BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "without a location"));
	assert_int_equal(docker_cache_options(&argv, NULL, &(struct cache_spec){.type = "s3"}),
			 BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "no cache export of type 's3'"));
	/* gha without a location: buildx completes it from the runner's environment */
	assert_int_equal(docker_cache_options(&argv, NULL, &(struct cache_spec){.type = "gha"}), 0);
	assert_string_equal(argv.v[argv.n - 1], "type=gha,mode=max");
	strvec_release(&argv);
	json_decref(rec);
}

static void test_build_output(void **state)
{
	const char *args[] = {"BENCH_DANCE_STAMP=1", NULL};
	struct build_request req = {.context = "/ctx", .dockerfile = "/d/Dancefile.extract", .network = "host",
				    .build_args = args, .output = "type=local,dest=/out"};
	struct strvec argv = {0};
	struct strbuf sb = {0};
	size_t i;
	(void)state;

	assert_int_equal(docker_build_argv(&argv, NULL, &req), 0);
	for (i = 0; i < argv.n; i++)
		strbuf_printf(&sb, "%s%s", i ? " " : "", argv.v[i]);
	/* no tag, no --load: the result goes where --output says */
	assert_string_equal(sb.buf, "docker buildx build --progress=rawjson --network host "
			    "-f /d/Dancefile.extract --build-arg BENCH_DANCE_STAMP=1 "
			    "--output type=local,dest=/out /ctx");
	strbuf_release(&sb);
	strvec_release(&argv);
}

static const char dockerfile[] =
	"FROM base\n"
	"# RUN --mount=type=cache,target=/root/.cache/pip,id=commented is a comment\n"
	"RUN --mount=type=bind,target=/root/.cache/pip \\\n"
	"    --mount=type=cache,id=pip,target=/root/.cache/pip,sharing=locked,uid=1000,ro \\\n"
	"    pip install -r requirements.txt\n"
	"RUN --mount=\"type=cache,dst=/var/cache/apt,mode=0755\" apt-get update\n"
	"RUN --mount=type=cache,target=/root/.npm npm ci\n";

static void test_dance_finds_mounts(void **state)
{
	const char *targets[] = {"/var/cache/apt", "/root/.cache/pip", "/root/.npm"};
	const char *missing[] = {"/root/.cache/pip", "/go/pkg/mod"};
	struct strvec specs = {0};
	(void)state;

	assert_int_equal(dance_find_mounts(&specs, dockerfile, targets, 3, "Dockerfile"), 0);
	assert_int_equal(specs.n, 3);
	/* the options that name the cache and shape its folder; not ro */
	assert_string_equal(specs.v[0], "type=cache,target=/var/cache/apt,mode=0755");
	assert_string_equal(specs.v[1], "type=cache,target=/root/.cache/pip,id=pip,sharing=locked,uid=1000");
	assert_string_equal(specs.v[2], "type=cache,target=/root/.npm");
	strvec_release(&specs);

	assert_int_equal(dance_find_mounts(&specs, dockerfile, missing, 2, "/x/Dockerfile"), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "cache_mounts: '/x/Dockerfile' has no RUN "
			    "--mount=type=cache with target=/go/pkg/mod");
	assert_int_equal(specs.n, 0);
	/* a prefix is not the target */
	assert_int_equal(dance_find_mounts(&specs, "RUN --mount=type=cache,target=/root/.npmrc x\n",
					   targets + 2, 1, "D"), BENCH_EINVALID);
}

static void test_dance_dockerfiles(void **state)
{
	const char *targets[] = {"/root/.cache/pip", "/var/cache/apt"};
	struct strvec specs = {0};
	char *text;
	(void)state;

	strvec_push(&specs, "type=cache,target=/root/.cache/pip,id=pip");
	strvec_push(&specs, "type=cache,target=/var/cache/apt,sharing=locked");
	text = dance_extract_dockerfile(&specs, targets, "bench/busybox:latest");
	assert_string_equal(text,
		"# bench: the cache dance's extraction (cache_mounts)\n"
		"FROM bench/busybox:latest AS dance\n"
		"ARG BENCH_DANCE_STAMP\n"
		"RUN --mount=type=cache,target=/root/.cache/pip,id=pip "
		"--mount=type=cache,target=/var/cache/apt,sharing=locked set -e"
		"; mkdir -p /bench-dance/0; cp -a '/root/.cache/pip'/. /bench-dance/0/"
		"; mkdir -p /bench-dance/1; cp -a '/var/cache/apt'/. /bench-dance/1/\n"
		"FROM scratch\n"
		"COPY --from=dance /bench-dance /\n");
	free(text);
	text = dance_inject_dockerfile(&specs, targets, "img");
	assert_string_equal(text,
		"# bench: the cache dance's injection (cache_mounts)\n"
		"FROM img\n"
		"ARG BENCH_DANCE_STAMP\n"
		"RUN --mount=type=cache,target=/root/.cache/pip,id=pip "
		"--mount=type=bind,source=0,target=/bench-dance/0 "
		"--mount=type=cache,target=/var/cache/apt,sharing=locked "
		"--mount=type=bind,source=1,target=/bench-dance/1 set -e"
		"; cp -a /bench-dance/0/. '/root/.cache/pip'/"
		"; cp -a /bench-dance/1/. '/var/cache/apt'/\n");
	free(text);
	strvec_release(&specs);
}

/* A builder whose every build is `false`: the error path of a helper build. */
static int false_argv(struct strvec *argv, const struct engine *e, const struct build_request *req)
{
	(void)e, (void)req;
	strvec_push(argv, "false");
	return 0;
}

static void test_dance_series(void **state)
{
	char *mounts[] = {"/root/.npm"};
	char *df = path_join(tmp, "Dockerfile"), *dir = path_join(tmp, "series"), *old_store;
	struct builder failing = builder_buildkit;
	struct variant v = {.name = "npm", .cache = &cache_kind_none, .runner = RUNNER_EPHEMERAL, .dockerfile = df,
			    .cache_mounts = mounts, .cache_mounts_count = 1};
	struct cache_env env = {.builder = &failing};
	struct cache_series s;
	struct cache_use u;
	json_t *rec = json_object();
	(void)state;

	failing.build_argv = false_argv;
	assert_int_equal(write_file_atomic(df, dockerfile, strlen(dockerfile)), 0);
	assert_int_equal(mkdir_p(dir), 0);
	cache_series_init(&s, &v, 1, dir, &env);
	assert_true(s.dance);

	/* the first build: nothing saved yet, nothing injected, no helper build */
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), 0);
	assert_true(json_is_false(json_object_get(rec, "cache_mounts_restored")));
	assert_int_equal(u.mount_specs.n, 1);
	assert_true(u.restore_seconds == 0);
	/* a build that failed: the job stops, nothing is extracted */
	assert_int_equal(cache_save(&u, &s, false, rec), 0);
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_mounts_bytes")), 0);
	assert_null(s.state.mounts_key);
	cache_record_seconds(rec, &u, &s);
	assert_non_null(json_object_get(rec, "cache_mounts_restore_seconds"));
	assert_null(json_object_get(rec, "cache_restore_seconds")); /* no store of its own */
	/* the extraction fails: the builder's reason, the variant named */
	assert_int_equal(cache_save(&u, &s, true, rec), BENCH_ERROR);
	assert_non_null(strstr(bench_error_last(), "cache_mounts of npm: the cache dance's "
			       "Dancefile.extract failed"));
	assert_non_null(strstr(bench_error_last(), "exited with status 1"));
	cache_use_release(&u);

	/* with an entry saved, the injection runs (and here fails) */
	old_store = xasprintf("%s/dance/store/mounts-c1/0", dir);
	assert_int_equal(mkdir_p(old_store), 0);
	s.state.mounts_key = xstrdup("mounts-c1");
	assert_int_equal(cache_restore(&u, &s, "c2", tmp, false, rec), BENCH_ERROR);
	assert_non_null(strstr(bench_error_last(), "Dancefile.inject failed"));
	assert_true(json_is_true(json_object_get(rec, "cache_mounts_restored")));
	cache_use_release(&u);
	cache_series_release(&s);

	/* a persistent runner keeps its cache mounts: no dance */
	v.runner = RUNNER_PERSISTENT;
	cache_series_init(&s, &v, 1, dir, &env);
	assert_false(s.dance);
	cache_series_release(&s);
	/* a target the Dockerfile lacks stops the series with the file named */
	mounts[0] = "/go/pkg/mod";
	v.runner = RUNNER_EPHEMERAL;
	cache_series_init(&s, &v, 1, dir, &env);
	assert_int_equal(cache_restore(&u, &s, "c1", tmp, true, rec), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "target=/go/pkg/mod"));
	cache_use_release(&u);
	cache_series_release(&s);
	json_decref(rec);
	free(old_store);
	free(df);
	free(dir);
}

static void test_state_json_new_fields(void **state)
{
	struct cache_state st = {.inline_ref = "127.0.0.1:5000/m/x:abc-r1", .mounts_key = "mounts-abc"};
	struct cache_state back;
	json_t *j = cache_state_to_json(&st), *bad;
	(void)state;

	assert_int_equal(cache_state_from_json(&back, j), 0);
	assert_string_equal(back.inline_ref, st.inline_ref);
	assert_string_equal(back.mounts_key, st.mounts_key);
	assert_null(back.latest_key);
	cache_state_release(&back);
	json_decref(j);
	bad = json_pack("{s:i}", "mounts_key", 3);
	assert_int_equal(cache_state_from_json(&back, bad), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "cache state: 'mounts_key' is not a string");
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gha_dry_run),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_registry_section),
		cmocka_unit_test(test_build_output),
		cmocka_unit_test(test_dance_finds_mounts),
		cmocka_unit_test(test_dance_dockerfiles),
		cmocka_unit_test(test_dance_series),
		cmocka_unit_test(test_state_json_new_fields),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
