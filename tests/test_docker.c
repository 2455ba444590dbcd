/*
 * test_docker.c: the docker module without an engine: the argv of a build,
 * and the preflight checks' error paths through fake `docker` executables
 * (a missing CLI, a daemon that does not answer, buildx missing, a builder
 * that cannot export a cache). Each message must say what to fix. The
 * engine flags, the cache options, the other argv (push, import, run), and
 * the image operations (a run's images, what killed runs left) through a
 * fake docker that logs its arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "builders/docker.h"
#include "lib/error.h"
#include "lib/util.h"

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-test-docker-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(tmp);
	unsetenv("BENCH_DOCKER");
	return 0;
}

/* A fake docker: a shell script that answers `version`, `buildx version`,
 * `buildx inspect` and `info` as told. */
static void fake_docker(const char *server_fails, const char *buildx_fails, const char *driver_status)
{
	char *path = path_join(tmp, "docker");
	char *text = xasprintf(
		"#!/bin/sh\n"
		"case \"$1 $2 $3\" in\n"
		"  'version --format {{.Client.Version}}') echo 28.2.2 ;;\n"
		"  'version --format {{.Server.Version}}') %s ;;\n"
		"  'buildx version '*) %s ;;\n"
		"  'buildx inspect '*) echo 'Driver: docker' ;;\n"
		"  'info --format {{json'*) echo '%s' ;;\n"
		"  *) echo \"unexpected: $*\" >&2; exit 9 ;;\n"
		"esac\n",
		server_fails ? server_fails : "echo 26.1.5",
		buildx_fails ? buildx_fails : "echo 'github.com/docker/buildx 0.13.1 x'",
		driver_status);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	chmod(path, 0755);
	setenv("BENCH_DOCKER", path, 1);
	free(text);
	free(path);
}

static void test_build_argv(void **state)
{
	struct strvec argv = {0};
	const char *args[] = {"A=1", "B=two words", NULL};
	const char *secrets[] = {"id=tok,src=/tmp/t", NULL};
	struct build_request req = {
		.context = "/w/ctx", .dockerfile = "/w/Dockerfile", .tag = "bench/x:1",
		.target = "final", .network = "host", .metadata_file = "/w/meta.json",
		.cache_from = {.type = "local", .location = "/c"},
		.cache_to = {.type = "local", .location = "/c-new", .mode = "max"},
		.build_args = args, .secrets = secrets};
	const char *want[] = {"docker", "buildx", "build", "--progress=rawjson", "--metadata-file",
		"/w/meta.json", "--network", "host", "-f", "/w/Dockerfile", "-t", "bench/x:1",
		"--target", "final", "--build-arg", "A=1", "--build-arg", "B=two words",
		"--secret", "id=tok,src=/tmp/t", "--cache-from", "type=local,src=/c",
		"--cache-to", "type=local,dest=/c-new,mode=max", "--load", "/w/ctx", NULL};
	size_t i;
	(void)state;
	unsetenv("BENCH_DOCKER");
	assert_int_equal(docker_build_argv(&argv, NULL, &req), 0);
	for (i = 0; want[i]; i++)
		assert_string_equal(argv.v[i], want[i]);
	assert_null(argv.v[i]);
	strvec_release(&argv);

	req.push = true;
	req.cache_from.type = req.cache_to.type = NULL;
	assert_int_equal(docker_build_argv(&argv, NULL, &req), 0);
	assert_string_equal(argv.v[argv.n - 3], "--output");
	assert_string_equal(argv.v[argv.n - 2], "type=image,push=true");
	strvec_release(&argv);
}

static void test_cli_missing(void **state)
{
	(void)state;
	setenv("BENCH_DOCKER", "/nonexistent/docker", 1);
	assert_int_equal(docker_preflight(NULL, false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker CLI not found"));
	assert_non_null(strstr(bench_error_last(), "scripts/setup"));
}

static void test_daemon_down(void **state)
{
	(void)state;
	fake_docker("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1",
		    NULL, "[]");
	assert_int_equal(docker_preflight(NULL, false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker daemon not answering"));
	assert_non_null(strstr(bench_error_last(), "start dockerd"));
	assert_non_null(strstr(bench_error_last(), "Cannot connect to the Docker daemon"));
}

static void test_buildx_missing(void **state)
{
	(void)state;
	fake_docker(NULL, "echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1", "[]");
	assert_int_equal(docker_preflight(NULL, false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker buildx not found"));
	assert_non_null(strstr(bench_error_last(), "docker-buildx"));
}

static void test_cache_export_unsupported(void **state)
{
	(void)state;
	fake_docker(NULL, NULL, "[[\"Backing Filesystem\",\"extfs\"]]");
	assert_int_equal(docker_preflight(NULL, false), 0);
	assert_int_equal(docker_preflight(NULL, true), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "cannot export a build cache"));
	assert_non_null(strstr(bench_error_last(), "containerd-snapshotter"));
}

static void test_cache_export_supported(void **state)
{
	(void)state;
	fake_docker(NULL, NULL, "[[\"driver-type\",\"io.containerd.snapshotter.v1\"]]");
	assert_int_equal(docker_preflight(NULL, true), 0);
}

/* cache = gha needs GitHub's cache service v2, which BuildKit speaks from
 * 0.20 (dockerd 28): an older engine is refused before any build, naming
 * both versions; Debian's BuildKit says v0.0.0+unknown, so dockerd decides. */
static void test_gha_needs_v2(void **state)
{
	const struct builder_needs gha = {.cache_export = true, .gha = true}, local = {.cache_export = true};
	(void)state;
	assert_true(docker_speaks_gha_v2("v0.20.0", "26.1.5"));
	assert_true(docker_speaks_gha_v2("v0.25.1", NULL));
	assert_false(docker_speaks_gha_v2("v0.13.2", "28.5.2"));
	assert_true(docker_speaks_gha_v2("v0.0.0+unknown", "28.5.2+dfsg4"));
	assert_false(docker_speaks_gha_v2("v0.0.0+unknown", "26.1.5+dfsg1"));
	assert_false(docker_speaks_gha_v2(NULL, "27.5.1"));
	assert_true(docker_speaks_gha_v2(NULL, "29.0.1"));
	assert_true(docker_speaks_gha_v2(NULL, NULL));

	fake_docker(NULL, NULL, "[[\"driver-type\",\"io.containerd.snapshotter.v1\"]]"); /* dockerd 26.1.5 */
	assert_int_equal(builder_default()->preflight(NULL, &local), 0);
	assert_int_equal(builder_default()->preflight(NULL, &gha), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "cache service v1 (dockerd 26.1.5"));
	assert_non_null(strstr(bench_error_last(), "dockerd >= 28"));
	fake_docker("echo 28.5.2+dfsg4", NULL, "[[\"driver-type\",\"io.containerd.snapshotter.v1\"]]");
	assert_int_equal(builder_default()->preflight(NULL, &gha), 0);
}

static void test_engine_flags_and_cache_options(void **state)
{
	struct strvec argv = {0};
	struct engine ctx, url;
	struct build_request req = {
		.context = "/w", .dockerfile = "/w/D", .tag = "t:1",
		.cache_from = {.type = "registry", .location = "127.0.0.1:5000/m/x-cache:r1"},
		.cache_to = {.type = "registry", .location = "127.0.0.1:5000/m/x-cache:r1",
			     .mode = "min", .compression = "zstd"}};
	const char *token[] = {"token=abc", NULL};
	struct cache_spec bad = {.type = "s3", .location = "x"};
	struct cache_spec gha = {.type = "gha", .location = "http://127.0.0.1:9/", .attrs = token};
	(void)state;
	unsetenv("BENCH_DOCKER");
	assert_int_equal(engine_init(&ctx, "node-2"), 0);
	assert_int_equal(engine_init(&url, "tcp://10.0.0.5:2376"), 0);

	assert_int_equal(docker_build_argv(&argv, &ctx, &req), 0);
	assert_string_equal(argv.v[0], "docker");
	assert_string_equal(argv.v[1], "--context");
	assert_string_equal(argv.v[2], "node-2");
	assert_string_equal(argv.v[3], "buildx");
	assert_string_equal(argv.v[argv.n - 6], "--cache-from");
	assert_string_equal(argv.v[argv.n - 5], "type=registry,ref=127.0.0.1:5000/m/x-cache:r1");
	assert_string_equal(argv.v[argv.n - 4], "--cache-to");
	assert_string_equal(argv.v[argv.n - 3],
		"type=registry,ref=127.0.0.1:5000/m/x-cache:r1,mode=min,force-compression=true,compression=zstd");
	strvec_release(&argv);

	docker_push_argv(&argv, &url, "127.0.0.1:5000/m/x:1");
	assert_string_equal(argv.v[1], "-H");
	assert_string_equal(argv.v[2], "tcp://10.0.0.5:2376");
	assert_string_equal(argv.v[3], "push");
	assert_string_equal(argv.v[4], "-q");
	assert_string_equal(argv.v[5], "127.0.0.1:5000/m/x:1");
	assert_int_equal(argv.n, 6);
	strvec_release(&argv);

	assert_int_equal(docker_cache_options(&argv, &bad, NULL), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "buildkit: no cache import of type 's3'"));
	strvec_release(&argv);
	assert_int_equal(docker_cache_options(&argv, &gha, &gha), 0);
	assert_string_equal(argv.v[1], "type=gha,url_v2=http://127.0.0.1:9/,token=abc");
	assert_string_equal(argv.v[3], "type=gha,url_v2=http://127.0.0.1:9/,token=abc,mode=max");
	strvec_release(&argv);
	assert_int_equal(docker_cache_options(&argv, NULL, &(struct cache_spec){.type = "local", .location = "/n"}), 0);
	assert_int_equal(argv.n, 2);
	assert_string_equal(argv.v[1], "type=local,dest=/n,mode=max");
	strvec_release(&argv);
	engine_release(&ctx);
	engine_release(&url);
}

static void test_import_and_run_argv(void **state)
{
	const char *changes[] = {"ENV A=1", "CMD [\"sh\"]", NULL};
	const char *cmd[] = {"apt-get", "update", NULL};
	const char *want_import[] = {"docker", "import", "--change", "ENV A=1", "--change", "CMD [\"sh\"]",
				     "--message", "m", "/r.tar", "bench/x:1", NULL};
	const char *want_run[] = {"docker", "run", "--rm", "--network", "none", "bench/x:1", "apt-get", "update", NULL};
	struct strvec argv = {0};
	size_t i;
	(void)state;
	unsetenv("BENCH_DOCKER");
	docker_import_argv(&argv, NULL, "/r.tar", "bench/x:1", changes, "m");
	for (i = 0; want_import[i]; i++)
		assert_string_equal(argv.v[i], want_import[i]);
	assert_int_equal(argv.n, i);
	strvec_release(&argv);
	docker_run_argv(&argv, NULL, "bench/x:1", "none", cmd);
	for (i = 0; want_run[i]; i++)
		assert_string_equal(argv.v[i], want_run[i]);
	assert_int_equal(argv.n, i);
	strvec_release(&argv);
}

/* A fake docker that appends its arguments to tmp/args and lists images
 * (printf's format: "\\n" between them). */
static char *listing_docker(int exit_code, const char *images)
{
	char *path = path_join(tmp, "docker"), *log = path_join(tmp, "args");
	char *text = xasprintf(
		"#!/bin/sh\n"
		"echo \"$*\" >> '%s'\n"
		"[ \"$1\" = --context ] && shift 2\n"
		"case \"$1 $2\" in\n"
		"  'image ls') printf '%s' ;;\n"
		"  *) echo 'said no' >&2; exit %d ;;\n"
		"esac\n", log, images, exit_code);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	chmod(path, 0755);
	setenv("BENCH_DOCKER", path, 1);
	rm_rf(log);
	free(text);
	free(path);
	return log;
}

/* ... listing three images, two of them the run's. */
static char *logging_docker(int exit_code)
{
	return listing_docker(exit_code, "bench/busybox:latest\\nbench-run-x/a:1-r1\\nbench-run-x/b:2-r1\\n");
}

static void test_image_operations(void **state)
{
	struct engine ctx;
	char *log, *args = NULL;
	(void)state;
	assert_int_equal(engine_init(&ctx, "node-2"), 0);
	log = logging_docker(0);
	assert_int_equal(docker_reset_runner(&ctx, "bench-run-x"), 0);
	assert_int_equal(docker_image_save(NULL, "bench/busybox:latest", "/t/b.tar"), 0);
	assert_int_equal(docker_image_load(&ctx, "/t/b.tar"), 0);
	assert_int_equal(docker_image_remove(NULL, "bench-run-x/a:1-r1"), 0);
	assert_int_equal(read_file(&args, NULL, log), 0);
	assert_string_equal(args,
		"--context node-2 image ls --format {{.Repository}}:{{.Tag}}\n"
		"--context node-2 image rm -f bench-run-x/a:1-r1 bench-run-x/b:2-r1\n"
		"--context node-2 builder prune -af\n"
		"image save -o /t/b.tar bench/busybox:latest\n"
		"--context node-2 image load -q -i /t/b.tar\n"
		"image rm -f bench-run-x/a:1-r1\n");
	free(args);
	free(log);

	log = logging_docker(3);
	assert_int_equal(docker_image_save(NULL, "x", "/t/x.tar"), BENCH_ERROR);
	assert_non_null(strstr(bench_error_last(), "docker image save failed (exit 3): said no"));
	assert_int_equal(builder_buildkit.import_base(NULL, "bench/missing:1"), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "base image 'bench/missing:1'"));
	free(log);
	engine_release(&ctx);
}

/* What runs killed before their end left: every run's images (after a
 * registry host too, or as tags of a [registry] repository) whose run is
 * not running, nothing else; a run still running (here: this test's
 * parent) keeps its images. */
static void test_remove_leftovers(void **state)
{
	char *listing = xasprintf("bench-run-20261129t112110z-999999601/multi:abc1234-r1\\n"
				  "bench/busybox:latest\\n"
				  "127.0.0.1:5000/bench-run-20261129t112054z-999999528/opt:def5678-r1\\n"
				  "localhost/bench-run-20261129t100000z-999999009/x:1\\n"
				  "bench-run-20261129t120000z-%d/alive:1\\n"
				  "other/bench-run-not-ours:1\\n"
				  "reg.example:5000/team/app:bench-run-20261129t100001z-999999010-v-abc-r1\\n"
				  "reg.example:5000/team/app:bench-run-20261129t120001z-%d-alive-abc-r1\\n"
				  "reg.example:5000/team/app:mybench-run-x\\n"
				  "mybench-run-x/y:1\\n", (int)getppid(), (int)getppid());
	char *log = listing_docker(0, listing);
	char *args = NULL;
	int removed = -1;
	(void)state;

	assert_int_equal(builder_buildkit.remove_leftovers(&removed, NULL, "bench-run-"), 0);
	assert_int_equal(removed, 4);
	assert_int_equal(docker_remove_leftover_images(&removed, NULL, "bench-none-"), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(read_file(&args, NULL, log), 0);
	assert_string_equal(args,
		"image ls --format {{.Repository}}:{{.Tag}}\n"
		"image rm -f bench-run-20261129t112110z-999999601/multi:abc1234-r1 "
		"127.0.0.1:5000/bench-run-20261129t112054z-999999528/opt:def5678-r1 "
		"localhost/bench-run-20261129t100000z-999999009/x:1 "
		"reg.example:5000/team/app:bench-run-20261129t100001z-999999010-v-abc-r1\n"
		"image ls --format {{.Repository}}:{{.Tag}}\n");
	free(args);
	free(log);
	free(listing);
}

#define CONTAINERD "{{range .Server.Components}}{{if eq .Name \"containerd\"}}{{.Version}}{{end}}{{end}}"

/* The environment of run.json: after a preflight of the same engine, only
 * containerd's version, `buildx inspect` (BuildKit's) and `docker info` are
 * asked, once (a second call, the engine's fingerprint, asks nothing);
 * without one, four calls (the first, "version --format
 * {{.Client.Version}}\n...", also asks the server's and containerd's). */
static void test_environment(void **state)
{
	char *path = path_join(tmp, "docker"), *log = path_join(tmp, "args"), *args = NULL;
	char *text = xasprintf(
		"#!/bin/sh\n"
		"echo \"$*\" | head -1 >> '%s'\n"
		"[ -f '%s.down' ] && exit 1\n"
		"case \"$*\" in\n"
		"  'version --format {{.Client.Version}}') echo 28.2.2 ;;\n"
		"  'version --format {{.Server.Version}}') echo 26.1.5 ;;\n"
		"  'version --format {{range'*) echo 2.1.9+unknown ;;\n"
		"  'version --format '*) printf '28.2.2\\n26.1.5\\n2.1.9+unknown\\n' ;;\n"
		"  'buildx version') echo 'github.com/docker/buildx 0.13.1 x' ;;\n"
		"  'buildx inspect') printf 'Name: default\\nNodes:\\nName: default\\n"
		"BuildKit version: v0.25.1\\nPlatforms: linux/amd64\\n' ;;\n"
		"  'info --format {{json .}}') echo '{\"Driver\":\"overlayfs\",\"NCPU\":2,\"MemTotal\":25276510208,"
		"\"ID\":\"e1\"}' ;;\n"
		"esac\n", log, path);
	char *down = xasprintf("%s.down", path);
	json_t *env = NULL;
	int pass;
	(void)state;

	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	chmod(path, 0755);
	setenv("BENCH_DOCKER", path, 1);
	for (pass = 0; pass < 2; pass++) {
		rm_rf(log);
		if (pass == 0) {
			assert_int_equal(docker_preflight(NULL, false), 0);
		} else { /* a preflight that failed leaves nothing to reuse */
			assert_int_equal(write_file_atomic(down, "", 0), 0);
			assert_int_equal(docker_preflight(NULL, false), BENCH_ESETUP);
			rm_rf(down);
		}
		assert_int_equal(docker_environment(&env, NULL), 0);
		assert_string_equal(json_string_value(json_object_get(env, "docker_client")), "28.2.2");
		assert_string_equal(json_string_value(json_object_get(env, "docker_server")), "26.1.5");
		assert_string_equal(json_string_value(json_object_get(env, "buildx")),
				    "github.com/docker/buildx 0.13.1 x");
		assert_string_equal(json_string_value(json_object_get(env, "containerd")), "2.1.9+unknown");
		assert_string_equal(json_string_value(json_object_get(env, "buildkit")), "v0.25.1");
		assert_string_equal(json_string_value(json_object_get(env, "storage_driver")), "overlayfs");
		assert_string_equal(json_string_value(json_object_get(env, "daemon_cpus_memory")), "2 25276510208");
		assert_string_equal(json_string_value(json_object_get(env, "engine_id")), "e1");
		json_decref(env);
		assert_int_equal(docker_environment(&env, NULL), 0); /* the fingerprint's */
		assert_string_equal(json_string_value(json_object_get(env, "engine_id")), "e1");
		json_decref(env);
		assert_int_equal(read_file(&args, NULL, log), 0);
		assert_string_equal(args, pass == 0 ?
			"version --format {{.Client.Version}}\n"
			"version --format {{.Server.Version}}\n"
			"buildx version\n"
			"version --format " CONTAINERD "\n"
			"buildx inspect\n"
			"info --format {{json .}}\n" :
			"version --format {{.Client.Version}}\n"
			"version --format {{.Server.Version}}\n"
			"version --format {{.Client.Version}}\n"
			"buildx version\n"
			"buildx inspect\n"
			"info --format {{json .}}\n"
			"version --format {{.Client.Version}}\n"
			"buildx version\n"
			"buildx inspect\n"
			"info --format {{json .}}\n");
		free(args);
		args = NULL;
	}

	/* a daemon that does not answer: nulls, not an error */
	assert_int_equal(write_file_atomic(down, "", 0), 0);
	assert_int_equal(docker_environment(&env, NULL), 0);
	assert_true(json_is_null(json_object_get(env, "docker_server")));
	assert_true(json_is_null(json_object_get(env, "containerd")));
	assert_true(json_is_null(json_object_get(env, "buildkit")));
	assert_true(json_is_null(json_object_get(env, "daemon_cpus_memory")));
	json_decref(env);
	free(down);
	free(text);
	free(log);
	free(path);
}

/* BuildKit's version from `docker buildx inspect`: its first node's; none
 * when the output has no such line. */
static void test_parse_buildkit_version(void **state)
{
	char *v;
	(void)state;

	v = docker_parse_buildkit_version("Name:          default\nDriver:        docker\n\nNodes:\n"
					  "Name:             default\nStatus:           running\n"
					  "BuildKit version: v0.0.0+unknown\nPlatforms:        linux/amd64\n");
	assert_string_equal(v, "v0.0.0+unknown");
	free(v);
	v = docker_parse_buildkit_version("Nodes:\n  BuildKit version:  v0.25.1  \r\nBuildKit version: v0.1\n");
	assert_string_equal(v, "v0.25.1");
	free(v);
	assert_null(docker_parse_buildkit_version("Name: default\nBuildKit version:\n"));
	assert_null(docker_parse_buildkit_version(""));
	assert_null(docker_parse_buildkit_version(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_argv),
		cmocka_unit_test(test_parse_buildkit_version),
		cmocka_unit_test(test_cli_missing),
		cmocka_unit_test(test_daemon_down),
		cmocka_unit_test(test_buildx_missing),
		cmocka_unit_test(test_cache_export_unsupported),
		cmocka_unit_test(test_cache_export_supported),
		cmocka_unit_test(test_gha_needs_v2),
		cmocka_unit_test(test_engine_flags_and_cache_options),
		cmocka_unit_test(test_import_and_run_argv),
		cmocka_unit_test(test_image_operations),
		cmocka_unit_test(test_remove_leftovers),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests_name("docker", tests, setup, teardown);
}
