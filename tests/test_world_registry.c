/* test_world_registry.c: unit tests of world/registry.c: the local
 * docker-registry starts on a free loopback port, answers /v2/, takes a
 * `docker push`, lists the image and sizes it from its manifest, and is
 * gone after registry_stop; a
 * program that takes its port between the choice and the registry's bind is
 * not mistaken for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "world/registry.h"

#define TINY_IMAGE "bench-busybox:latest"

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/test_world_registry.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	return 0;
}

static const char *docker(void)
{
	const char *d = getenv("BENCH_DOCKER");

	return d && *d ? d : "docker";
}

/* Run argv; returns its exit status (or -1 when it could not run). */
static int run(const char *const *argv, double timeout)
{
	char *out = NULL, *err = NULL;
	int code = -1;

	if (proc_capture(&out, &err, &code, argv, timeout) < 0)
		code = -1;
	else if (code != 0)
		print_message("'%s %s' failed (%d): %s\n", argv[0], argv[1], code, err);
	free(out);
	free(err);
	return code;
}

static int port_of(const char *addr)
{
	const char *colon = strrchr(addr, ':');

	assert_non_null(colon);
	return atoi(colon + 1);
}

static bool port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

/* bench-busybox:latest from Debian's busybox-static when it is missing. */
static void ensure_tiny_image(void)
{
	const char *inspect[] = { docker(), "image", "inspect", TINY_IMAGE, NULL };
	char *root, *bin, *tar;

	if (run(inspect, 60) == 0)
		return;
	root = path_join(tmp, "busybox-rootfs");
	bin = path_join(root, "bin");
	tar = path_join(tmp, "busybox.tar");
	assert_int_equal(mkdir_p(bin), 0);
	{
		char *dst = path_join(bin, "busybox"), *sh = path_join(bin, "sh");
		assert_int_equal(copy_tree(dst, "/bin/busybox"), 0);
		assert_int_equal(symlink("busybox", sh), 0);
		free(dst);
		free(sh);
	}
	{
		const char *argv[] = { "tar", "-C", root, "-cf", tar, ".", NULL };
		assert_int_equal(run(argv, 60), 0);
	}
	{
		const char *argv[] = { docker(), "import", tar, TINY_IMAGE, NULL };
		assert_int_equal(run(argv, 120), 0);
	}
	free(root);
	free(bin);
	free(tar);
}

static void test_start_push_stop(void **state)
{
	struct registry *r = NULL;
	char *body = NULL, *ref = NULL, *data = NULL;
	int status = 0, port, rc;
	(void)state;

	rc = registry_start(&r, tmp);
	if (rc)
		fail_msg("registry_start: %s (scripts/setup installs docker-registry)",
			 bench_error_last());
	port = port_of(registry_address(r));
	assert_true(strncmp(registry_address(r), "127.0.0.1:", 10) == 0);
	assert_true(port > 0 && port < 65536);
	data = path_join(tmp, "registry/data");
	assert_true(path_is_dir(data));

	assert_int_equal(registry_get(&status, &body, r, "/v2/"), 0);
	assert_int_equal(status, 200);
	free(body);
	assert_int_equal(registry_get(&status, &body, r, "/v2/_catalog"), 0);
	assert_int_equal(status, 200);
	assert_null(strstr(body, "bench-test"));
	free(body);

	{
		const char *info[] = { docker(), "info", "--format", "{{.ServerVersion}}", NULL };
		if (run(info, 30) != 0) {
			registry_stop(r);
			free(data);
			fail_msg("no docker daemon answers: the push part needs one (scripts/setup "
				 "starts dockerd)");
		}
	}
	ensure_tiny_image();
	ref = xasprintf("%s/bench-test:1", registry_address(r));
	{
		const char *tag[] = { docker(), "tag", TINY_IMAGE, ref, NULL };
		const char *push[] = { docker(), "push", ref, NULL };
		const char *rmi[] = { docker(), "image", "rm", ref, NULL };

		assert_int_equal(run(tag, 60), 0);
		rc = run(push, 300);
		run(rmi, 60);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(registry_get(&status, &body, r, "/v2/_catalog"), 0);
	assert_int_equal(status, 200);
	assert_non_null(strstr(body, "\"bench-test\""));
	free(body);
	assert_int_equal(registry_get(&status, &body, r, "/v2/bench-test/tags/list"), 0);
	assert_int_equal(status, 200);
	assert_non_null(strstr(body, "\"1\""));
	free(body);
	{
		/* its size in the registry: busybox's one layer (about 1 MB
		 * compressed) and the config, from the manifest */
		int64_t bytes = 0;
		assert_int_equal(registry_manifest_bytes(&bytes, r, "bench-test", "1"), 0);
		print_message("bench-test:1 takes %lld bytes in the registry\n", (long long)bytes);
		assert_true(bytes > 300000 && bytes < 3000000);
		assert_int_equal(registry_manifest_bytes(&bytes, r, "bench-test", "2"), BENCH_ENOTFOUND);
		assert_int_equal(bytes, 0);
	}

	registry_stop(r);
	assert_false(port_open(port));
	assert_false(path_exists(data));
	free(data);
	free(ref);
}

/* Without docker-registry in PATH the error says how to install it. */
static void test_not_installed(void **state)
{
	struct registry *r = (struct registry *)1;
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	int rc;
	(void)state;

	setenv("PATH", tmp, 1);
	rc = registry_start(&r, tmp);
	setenv("PATH", old, 1);
	free(old);
	assert_int_equal(rc, BENCH_ESETUP);
	assert_null(r);
	assert_non_null(strstr(bench_error_last(), "docker-registry not found: apt-get install docker-registry"));
	registry_stop(NULL);
}

/* The squatter: waits for registry_start's config.yml, takes the port it
 * names before docker-registry can, and answers every request with a 200
 * that is not the registry's, until told to stop. */
struct squatter {
	char *config;
	pthread_t thread;
	atomic_bool stop;
	int port;     /* the port taken; 0 when the registry had it first */
	int answered; /* requests answered */
};

static void *squatter_main(void *arg)
{
	struct squatter *sq = arg;
	struct sockaddr_in sa = {0};
	monotime start = monotime_now();
	char *text = NULL, *addr;
	size_t len;
	int fd, port = 0;

	while (!atomic_load(&sq->stop) && monotime_seconds_since(start) < 10) {
		if (read_file(&text, &len, sq->config) == 0)
			break;
		bench_error_clear();
		usleep(200);
	}
	if (!text || !(addr = strstr(text, "addr: 127.0.0.1:")) || sscanf(addr, "addr: 127.0.0.1:%d", &port) != 1) {
		free(text);
		return NULL;
	}
	free(text);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		close(fd); /* the registry was first: no race to see this time */
		return NULL;
	}
	sq->port = port;
	while (!atomic_load(&sq->stop)) {
		static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{}";
		char buf[4096];
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			usleep(1000);
			continue;
		}
		if (recv(c, buf, sizeof(buf), 0) >= 0 && send(c, ok, sizeof(ok) - 1, MSG_NOSIGNAL) > 0)
			sq->answered++;
		close(c);
	}
	close(fd);
	return NULL;
}

static void test_port_taken_before_the_registry(void **state)
{
	int attempt;
	(void)state;

	for (attempt = 0; attempt < 5; attempt++) {
		struct squatter sq = {0};
		struct registry *r = NULL;
		char *body = NULL;
		int status = 0, rc;

		sq.config = path_join(tmp, "registry/config.yml");
		atomic_init(&sq.stop, false);
		rm_rf(sq.config);
		assert_int_equal(pthread_create(&sq.thread, NULL, squatter_main, &sq), 0);
		rc = registry_start(&r, tmp);
		if (rc)
			fail_msg("registry_start: %s", bench_error_last());
		assert_int_equal(registry_get(&status, &body, r, "/v2/_catalog"), 0);
		atomic_store(&sq.stop, true);
		pthread_join(sq.thread, NULL);
		print_message("squatter on port %d (%d requests answered), registry on %s\n", sq.port,
			      sq.answered, registry_address(r));
		/* the registry answered, not the squatter */
		assert_int_equal(status, 200);
		assert_non_null(strstr(body, "\"repositories\""));
		assert_int_not_equal(registry_port(r), sq.port);
		free(body);
		registry_stop(r);
		free(sq.config);
		if (sq.port && sq.answered)
			return; /* the race happened and was seen through */
	}
	fail_msg("the squatter never took the registry's port before it in %d attempts", attempt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_push_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_taken_before_the_registry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
