/*
 * test_docker.c: the docker module without an engine: the argv of a build,
 * and the preflight checks' error paths through fake `docker` executables
 * (a missing CLI, a daemon that does not answer, buildx missing, a builder
 * that cannot export a cache). Each message must say what to fix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "docker.h"
#include "error.h"
#include "util.h"

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
		.cache_from = {.kind = CACHE_LOCAL, .location = "/c"},
		.cache_to = {.kind = CACHE_LOCAL, .location = "/c-new", .mode = "max"},
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
	req.cache_from.kind = req.cache_to.kind = CACHE_NONE;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_argv),
		cmocka_unit_test(test_cli_missing),
		cmocka_unit_test(test_daemon_down),
		cmocka_unit_test(test_buildx_missing),
		cmocka_unit_test(test_cache_export_unsupported),
		cmocka_unit_test(test_cache_export_supported),
	};
	return cmocka_run_group_tests_name("docker", tests, setup, teardown);
}
