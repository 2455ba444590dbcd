/*
 * test_world_listen.c: how engines on other machines reach the emulated
 * world. The index server and the registry's proxy bind to [world] listen
 * (127.0.0.2 here, a loopback address that is not 127.0.0.1: nothing
 * answers on 127.0.0.1 then); the build args name [world] address; the
 * scenario refuses listen = 0.0.0.0 without an address, and a listen that
 * is not an IPv4 address; and a dry run over two engines hands every build
 * the address and its engine's --context. [world] engine_listen gives one
 * engine's runner an address of its own (an engine on another host): the
 * key is checked, the GitHub cache service binds to and names it, and the
 * dry run hands it to that engine's builds only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/error.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "lib/util.h"
#include "world/world.h"
#include "world/ghacache.h"
#include "world/proxy.h"
#include "world/server.h"
#include "capture.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("test-listen")

/* Does a TCP connect to ip:port succeed? */
static bool answers(const char *ip, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void test_bind_address(void **state)
{
	struct server *s = NULL;
	struct proxy *p = NULL;

	(void)state;
	assert_int_equal(server_start_at(&s, "127.0.0.2", tmp, 0, 0, NULL, 0), 0);
	assert_true(answers("127.0.0.2", server_port(s)));
	assert_false(answers("127.0.0.1", server_port(s)));
	assert_int_equal(proxy_start_at(&p, "127.0.0.2", server_port(s), 0, NULL, 0), 0);
	assert_true(answers("127.0.0.2", proxy_port(p)));
	assert_false(answers("127.0.0.1", proxy_port(p)));
	proxy_stop(p);
	server_stop(s);

	assert_int_equal(server_start_at(&s, "localhost", tmp, 0, 0, NULL, 0), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "cannot listen on 'localhost': not an IPv4 address");
	assert_int_equal(proxy_start_at(&p, "::1", 1, 0, NULL, 0), BENCH_EINVALID);
	assert_null(p);
}

static void test_build_args_name_the_address(void **state)
{
	struct strvec args = {0};

	(void)state;
	world_build_args_at(&args, "http://10.1.2.3:8080", "bench/python:3.12.7-slim");
	assert_string_equal(args.v[0], "PIP_INDEX_URL=http://10.1.2.3:8080/simple/");
	assert_string_equal(args.v[1], "PIP_TRUSTED_HOST=10.1.2.3");
	assert_string_equal(args.v[2], "MODEL_BASE_URL=http://10.1.2.3:8080/storage");
	strvec_release(&args);
	world_build_args_at(&args, "http://build-host.example:9", "img");
	assert_string_equal(args.v[1], "PIP_TRUSTED_HOST=build-host.example");
	strvec_release(&args);
}

static char *scenario_text(const char *world_keys)
{
	const char *root = getenv("BENCH_DATADIR");
	return xasprintf("[scenario]\nname = listen\ncommits = last:2\nallow_outside = yes\n"
			 "[variant single]\ndockerfile = %s/dockerfiles/single-stage.Dockerfile\npush = yes\n\n"
			 "[variant multi]\ndockerfile = %s/dockerfiles/multi-stage.Dockerfile\n\n"
			 "[world]\nkind = cafeboo\n%s", root ? root : ".", root ? root : ".", world_keys);
}

static void test_scenario_keys(void **state)
{
	struct scenario *s = NULL;
	char *text;

	(void)state;
	text = scenario_text("listen = 0.0.0.0\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "l.ini:14: listen = 0.0.0.0 needs address = HOST in [world]"));
	free(text);

	text = scenario_text("listen = localhost\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "l.ini:14: invalid listen 'localhost'"));
	free(text);

	text = scenario_text("address = 10.0.0.5:80\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	free(text);

	text = scenario_text("listen = 0.0.0.0\naddress = build-host.example\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), 0);
	assert_string_equal(s->world.listen, "0.0.0.0");
	assert_string_equal(s->world.address, "build-host.example");
	scenario_free(s);
	free(text);

	text = scenario_text("");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), 0);
	assert_string_equal(s->world.listen, "127.0.0.1");
	assert_null(s->world.address);
	scenario_free(s);
	free(text);
}

static void test_engine_listen_key(void **state)
{
	struct scenario *s = NULL;
	char *text;

	(void)state;
	text = scenario_text("engine_listen = node-2=127.0.0.2 ssh://root@10.0.0.7=10.0.0.5\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), 0);
	assert_int_equal(s->world.engine_listen_count, 2);
	assert_string_equal(s->world.engine_listen[1], "ssh://root@10.0.0.7=10.0.0.5");
	scenario_free(s);
	free(text);

	text = scenario_text("engine_listen = node-2\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "l.ini:14: invalid engine_listen entry 'node-2'"));
	free(text);

	text = scenario_text("engine_listen = node-2=0.0.0.0\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	free(text);

	text = scenario_text("engine_listen = -x=127.0.0.2\n");
	assert_int_equal(scenario_parse(&s, "l.ini", text, strlen(text)), BENCH_EINVALID);
	free(text);
}

static void test_gha_service_address(void **state)
{
	struct ghacache_settings gs = {.listen = "127.0.0.2", .address = "build-host.example"};
	struct ghacache *g = NULL;
	char *dir = path_join(tmp, "gha"), *want;

	(void)state;
	assert_int_equal(ghacache_start(&g, &gs, dir), 0);
	assert_true(answers("127.0.0.2", ghacache_port(g)));
	assert_false(answers("127.0.0.1", ghacache_port(g)));
	want = xasprintf("http://build-host.example:%d/", ghacache_port(g));
	assert_string_equal(ghacache_url(g), want);
	ghacache_stop(g);
	free(want);

	gs = (struct ghacache_settings){0};
	assert_int_equal(ghacache_start(&g, &gs, dir), 0);
	want = xasprintf("http://127.0.0.1:%d/", ghacache_port(g));
	assert_string_equal(ghacache_url(g), want);
	ghacache_stop(g);
	free(want);

	gs.listen = "localhost";
	assert_int_equal(ghacache_start(&g, &gs, dir), BENCH_EINVALID);
	assert_null(g);
	free(dir);
}

/* The dry run of a world scenario over two engines into a file: what it
 * printed. Caller frees. */
static char *dry_run(const char *world_keys)
{
	char *path = path_join(tmp, "dry.ini"), *text, *printed = NULL;
	struct run_options opts = {.dry_run = true, .quiet = true, .engines = "default,node-2"};
	struct run_outcome o;
	struct capture c;
	int error;

	text = scenario_text(world_keys);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	opts.scenario_path = path;
	capture_begin(&c, tmp);
	error = run_execute(&o, &opts);
	capture_end(&printed, NULL, &c);
	assert_int_equal(error, 0);
	run_outcome_release(&o);
	free(text);
	free(path);
	return printed;
}

/* Every line of text that holds needle also holds want. */
static void each_line_with(const char *text, const char *needle, const char *want)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, needle))
			continue;
		n++;
		if (!strstr(line, want))
			fail_msg("a line with '%s' lacks '%s': %s", needle, want, line);
	}
	assert_true(n > 0);
	free(copy);
}

static void test_dry_run_engine_listen(void **state)
{
	char *printed;

	(void)state;
	printed = dry_run("engine_listen = node-2=127.0.0.2\n");
	each_line_with(printed, "docker --context node-2 buildx build", "PIP_INDEX_URL=http://127.0.0.2:<index-port>/simple/");
	each_line_with(printed, "docker buildx build", "PIP_INDEX_URL=http://127.0.0.1:<index-port>/simple/");
	free(printed);
}

/* The dry run of a world scenario over two engines hands every build the
 * world's address. */
static void test_dry_run_hands_out_the_address(void **state)
{
	char *printed;

	(void)state;
	printed = dry_run("address = 10.9.8.7\n");
	assert_non_null(strstr(printed, "PIP_INDEX_URL=http://10.9.8.7:<index-port>/simple/"));
	assert_non_null(strstr(printed, "PIP_TRUSTED_HOST=10.9.8.7"));
	assert_null(strstr(printed, "127.0.0.1"));
	/* the second series on the second engine */
	assert_non_null(strstr(printed, "docker buildx build"));
	assert_non_null(strstr(printed, "docker --context node-2 buildx build"));
	free(printed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_address),
		cmocka_unit_test(test_build_args_name_the_address),
		cmocka_unit_test(test_scenario_keys),
		cmocka_unit_test(test_dry_run_hands_out_the_address),
		cmocka_unit_test(test_engine_listen_key),
		cmocka_unit_test(test_gha_service_address),
		cmocka_unit_test(test_dry_run_engine_listen),
	};
	return cmocka_run_group_tests_name("world_listen", tests, setup, teardown);
}
