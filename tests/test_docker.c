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
		.cache_from = "type=local,src=/c", .cache_to = "type=local,dest=/c-new,mode=max",
		.build_args = args, .secrets = secrets};
	const char *want[] = {"docker", "buildx", "build", "--progress=rawjson", "--metadata-file",
		"/w/meta.json", "--network", "host", "-f", "/w/Dockerfile", "-t", "bench/x:1",
		"--target", "final", "--build-arg", "A=1", "--build-arg", "B=two words",
		"--secret", "id=tok,src=/tmp/t", "--cache-from", "type=local,src=/c",
		"--cache-to", "type=local,dest=/c-new,mode=max", "--load", "/w/ctx", NULL};
	size_t i;
	(void)state;
	unsetenv("BENCH_DOCKER");
	docker_build_argv(&argv, &req);
	for (i = 0; want[i]; i++)
		assert_string_equal(argv.v[i], want[i]);
	assert_null(argv.v[i]);
	strvec_release(&argv);

	req.push = true;
	req.cache_from = req.cache_to = NULL;
	docker_build_argv(&argv, &req);
	assert_string_equal(argv.v[argv.n - 3], "--output");
	assert_string_equal(argv.v[argv.n - 2], "type=image,push=true");
	strvec_release(&argv);
}

static void test_cli_missing(void **state)
{
	(void)state;
	setenv("BENCH_DOCKER", "/nonexistent/docker", 1);
	assert_int_equal(docker_preflight(false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker CLI not found"));
	assert_non_null(strstr(bench_error_last(), "scripts/setup"));
}

static void test_daemon_down(void **state)
{
	(void)state;
	fake_docker("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1",
		    NULL, "[]");
	assert_int_equal(docker_preflight(false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker daemon not answering"));
	assert_non_null(strstr(bench_error_last(), "start dockerd"));
	assert_non_null(strstr(bench_error_last(), "Cannot connect to the Docker daemon"));
}

static void test_buildx_missing(void **state)
{
	(void)state;
	fake_docker(NULL, "echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1", "[]");
	assert_int_equal(docker_preflight(false), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "docker buildx not found"));
	assert_non_null(strstr(bench_error_last(), "docker-buildx"));
}

static void test_cache_export_unsupported(void **state)
{
	(void)state;
	fake_docker(NULL, NULL, "[[\"Backing Filesystem\",\"extfs\"]]");
	assert_int_equal(docker_preflight(false), 0);
	assert_int_equal(docker_preflight(true), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "cannot export a build cache"));
	assert_non_null(strstr(bench_error_last(), "containerd-snapshotter"));
}

static void test_cache_export_supported(void **state)
{
	(void)state;
	fake_docker(NULL, NULL, "[[\"driver-type\",\"io.containerd.snapshotter.v1\"]]");
	assert_int_equal(docker_preflight(true), 0);
}

/* A fake docker for the image questions: every call's argv is appended to
 * TMP/calls (one line each); `image ls` prints images, `image inspect`
 * prints a size. */
static char *fake_image_docker(const char *images)
{
	char *path = path_join(tmp, "docker"), *calls = path_join(tmp, "calls");
	char *text = xasprintf(
		"#!/bin/sh\n"
		"echo \"$*\" >> '%s'\n"
		"case \"$1 $2\" in\n"
		"  'image ls') printf '%s' ;;\n"
		"  'image inspect') echo 4096 ;;\n"
		"  'image rm') ;;\n"
		"  'builder prune') ;;\n"
		"  *) echo \"unexpected: $*\" >&2; exit 9 ;;\n"
		"esac\n", calls, images);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	chmod(path, 0755);
	setenv("BENCH_DOCKER", path, 1);
	rm_rf(calls);
	free(text);
	free(path);
	return calls;
}

static char *read_calls(const char *calls)
{
	char *text = NULL;
	if (read_file(&text, NULL, calls) < 0)
		return xstrdup("");
	return text;
}

static void test_remove_images(void **state)
{
	const char *images =
		"bench-run-20261129t112110z-601/multi:abc1234-r1\\n"
		"bench/busybox:latest\\n"
		"127.0.0.1:5000/bench-run-20261129t112054z-528/opt:def5678-r1\\n"
		"localhost/bench-run-20261129t100000z-9/x:1\\n"
		"other/bench-run-not-ours:1\\n"
		"mybench-run-x/y:1\\n"
		"bench-kept/x:1\\n";
	char *calls = fake_image_docker(images), *text;
	int removed = -1;
	(void)state;

	/* what earlier runs left: every run's images, nothing else */
	assert_int_equal(docker_remove_leftover_images(&removed), 0);
	assert_int_equal(removed, 3);
	text = read_calls(calls);
	assert_string_equal(text,
		"image ls --format {{.Repository}}:{{.Tag}}\n"
		"image rm -f bench-run-20261129t112110z-601/multi:abc1234-r1 "
		"127.0.0.1:5000/bench-run-20261129t112054z-528/opt:def5678-r1 "
		"localhost/bench-run-20261129t100000z-9/x:1\n");
	free(text);

	/* one run's images */
	rm_rf(calls);
	assert_int_equal(docker_remove_images("bench-run-20261129t112054z-528"), 0);
	text = read_calls(calls);
	assert_string_equal(text,
		"image ls --format {{.Repository}}:{{.Tag}}\n"
		"image rm -f 127.0.0.1:5000/bench-run-20261129t112054z-528/opt:def5678-r1\n");
	free(text);

	/* nothing to remove: no `image rm` at all */
	rm_rf(calls);
	assert_int_equal(docker_remove_images("bench-run-nothing"), 0);
	text = read_calls(calls);
	assert_string_equal(text, "image ls --format {{.Repository}}:{{.Tag}}\n");
	free(text);
	free(calls);
}

/* An image size is asked once per image config, not once per build. */
static void test_image_size_known(void **state)
{
	char *calls = fake_image_docker(""), *text;
	char *meta_a = path_join(tmp, "a.json"), *meta_b = path_join(tmp, "b.json");
	char *meta_none = path_join(tmp, "none.json");
	const char *a = "{\"containerimage.config.digest\": \"sha256:aaa\", \"image.name\": \"x:1\"}";
	const char *b = "{\"containerimage.config.digest\": \"sha256:bbb\"}";
	json_t *known = json_object();
	int64_t size = 0;
	(void)state;

	assert_int_equal(write_file_atomic(meta_a, a, strlen(a)), 0);
	assert_int_equal(write_file_atomic(meta_b, b, strlen(b)), 0);
	assert_int_equal(write_file_atomic(meta_none, "{}", 2), 0);
	assert_int_equal(docker_image_size_known(&size, known, meta_a, "x:1"), 0);
	assert_int_equal(size, 4096);
	size = 0;
	assert_int_equal(docker_image_size_known(&size, known, meta_a, "x:2"), 0);
	assert_int_equal(size, 4096);
	assert_int_equal(docker_image_size_known(&size, known, meta_b, "x:3"), 0);
	assert_int_equal(docker_image_size_known(&size, known, meta_none, "x:4"), 0);
	assert_int_equal(docker_image_size_known(&size, known, meta_none, "x:5"), 0);
	assert_int_equal(docker_image_size_known(&size, NULL, meta_a, "x:6"), 0);
	text = read_calls(calls);
	assert_string_equal(text,
		"image inspect --format {{.Size}} x:1\n"
		"image inspect --format {{.Size}} x:3\n"
		"image inspect --format {{.Size}} x:4\n"
		"image inspect --format {{.Size}} x:5\n"
		"image inspect --format {{.Size}} x:6\n");
	assert_int_equal(json_object_size(known), 2);
	free(text);
	json_decref(known);
	free(meta_a);
	free(meta_b);
	free(meta_none);
	free(calls);
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
		cmocka_unit_test(test_remove_images),
		cmocka_unit_test(test_image_size_known),
	};
	return cmocka_run_group_tests_name("docker", tests, setup, teardown);
}
