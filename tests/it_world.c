/*
 * it_world.c: the emulated cafeboo world on the real engine: the generated
 * wheels installed by real pip inside a docker build (from the paced index,
 * through --network host), the model tarball fetched and unpacked with curl,
 * and the image pushed to the world's registry; a push of a known size goes
 * through the registry's proxy at registry_bandwidth. The base image is made
 * when absent (debootstrap, about a minute on a new machine).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders/docker.h"
#include "lib/error.h"
#include "ittest.h"
#include "lib/monotonic.h"
#include "run/world_engine.h"
#include "world/world.h"
#include "world/catalog.h"

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "  world: %s\n", msg);
}

static int run_docker(char **out, const char *const *args)
{
	int status = -1;
	char *err = NULL;
	assert_int_equal(it_capture(out, &err, &status, docker_cli(), args, 600), 0);
	if (status != 0)
		fprintf(stderr, "docker %s failed:\n%s\n%s\n", args[0], out && *out ? *out : "", err ? err : "");
	free(err);
	return status;
}

static void test_pip_in_a_build_and_push(void **state)
{
	/* builds here prune nothing, but a bench run's ephemeral reset would
	 * prune this build's cache under it */
	int lock = it_lock_engine();
	struct world_settings ws = {
		.enabled = true, .kind = "cafeboo", .scale = 0.002, .bandwidth = 50e6,
		.latency = 0.005, .base_image = "bench/python:3.12.7-slim", .seed = 1};
	struct world *w = NULL;
	struct strvec args = {0};
	char tmp[] = "/tmp/bench-it-world-XXXXXX", *ctx, *df, *tag, *out = NULL;
	const struct catalog_pkg *pkgs;
	size_t npkgs, i;
	const char *numpy = NULL, *torch = NULL;
	(void)state;

	assert_non_null(mkdtemp(tmp));
	pkgs = catalog_packages(&npkgs);
	for (i = 0; i < npkgs; i++) {
		if (!strcmp(pkgs[i].name, "numpy"))
			numpy = pkgs[i].version;
		if (!strcmp(pkgs[i].name, "torch"))
			torch = pkgs[i].version;
	}
	assert_non_null(numpy);
	assert_non_null(torch);
	{
		char *wdir = path_join(tmp, "world");
		if (world_start(&w, &ws, NULL, &run_world_engine_ops, wdir, log_line, NULL) < 0)
			fail_msg("world_start: %s", bench_error_last());
		free(wdir);
	}
	world_build_args(w, &args);
	ctx = path_join(tmp, "ctx");
	assert_int_equal(mkdir_p(ctx), 0);
	df = path_join(ctx, "Dockerfile");
	{
		char *text = xasprintf(
			"ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG PIP_INDEX_URL\nARG PIP_TRUSTED_HOST\nARG MODEL_BASE_URL\n"
			"RUN pip install --no-cache-dir numpy==%s torch==%s && python3 -c 'import numpy, torch'\n"
			"RUN mkdir -p /models && cd /models && curl -fsSL -o m.tgz "
			"${MODEL_BASE_URL}/ai_model_cafeboo/embedding_model.tar.gz && tar -xzf m.tgz && rm m.tgz "
			"&& test -s embedding_model/config.json\n", numpy, torch);
		assert_int_equal(write_file_atomic(df, text, strlen(text)), 0);
		free(text);
	}
	tag = xasprintf("%s/bench-it-world/app:1", world_registry(w));
	{
		struct strvec b = {0};
		strvec_push(&b, "buildx");
		strvec_push(&b, "build");
		strvec_push(&b, "--network");
		strvec_push(&b, "host");
		strvec_push(&b, "--progress=plain");
		for (i = 0; i < args.n; i++) {
			strvec_push(&b, "--build-arg");
			strvec_push(&b, args.v[i]);
		}
		strvec_push(&b, "--load");
		strvec_push(&b, "-t");
		strvec_push(&b, tag);
		strvec_push(&b, ctx);
		world_counters_reset(w);
		assert_int_equal(run_docker(&out, strvec_argv(&b)), 0);
		/* the wheels and the model went through the paced index */
		assert_true(world_served_bytes(w) > 0);
		assert_true(world_served_requests(w) >= 4);
		strvec_release(&b);
	}
	free(out);
	out = NULL;
	{
		const char *push[] = {"push", "-q", tag, NULL};
		assert_int_equal(run_docker(&out, push), 0);
	}
	free(out);
	out = NULL;
	{
		const char *rmi[] = {"image", "rm", "-f", tag, NULL};
		run_docker(&out, rmi);
	}
	free(out);
	world_stop(w);
	strvec_release(&args);
	free(tag);
	free(df);
	free(ctx);
	rm_rf(tmp);
	close(lock);
}

/* An image with a 16 MB layer of noise (gzip cannot shrink it) pushed to a
 * world whose registry_bandwidth is 8 MB/s: the push goes through the proxy,
 * which counts at least the layer's bytes, and takes at least 0.8 of
 * 16 MB / 8 MB/s and no more than 4 times what it sent at that rate. */
static void test_push_is_paced(void **state)
{
	int lock = it_lock_engine();
	struct world_settings ws = {
		.enabled = true, .kind = "cafeboo", .scale = 0.001, .bandwidth = 50e6,
		.registry_bandwidth = 8e6, .base_image = "bench/python:3.12.7-slim", .seed = 1};
	struct world *w = NULL;
	char tmp[] = "/tmp/bench-it-push-XXXXXX", *ctx, *df, *tag, *local, *wdir, *out = NULL;
	const double layer = 16e6;
	double secs, expect_min, expect_sent;
	int64_t sent;
	(void)state;

	assert_non_null(mkdtemp(tmp));
	wdir = path_join(tmp, "world");
	if (world_start(&w, &ws, NULL, &run_world_engine_ops, wdir, log_line, NULL) < 0)
		fail_msg("world_start: %s", bench_error_last());
	ctx = path_join(tmp, "ctx");
	assert_int_equal(mkdir_p(ctx), 0);
	df = path_join(ctx, "Dockerfile");
	it_write_text(df, "FROM bench/busybox:latest\n"
			  "RUN head -c 16000000 /dev/urandom > /noise\n");
	local = xasprintf("bench-it-push:%d", (int)getpid());
	tag = xasprintf("%s/bench-it-push/noise:1", world_registry(w));
	{
		const char *build[] = {"buildx", "build", "--network", "host", "--progress=quiet",
				       "--load", "-t", local, ctx, NULL};
		const char *retag[] = {"tag", local, tag, NULL};
		assert_int_equal(run_docker(&out, build), 0);
		free(out);
		assert_int_equal(run_docker(&out, retag), 0);
		free(out);
	}
	world_counters_reset(w);
	{
		const char *push[] = {"push", "-q", tag, NULL};
		monotime t = monotime_now();
		assert_int_equal(run_docker(&out, push), 0);
		secs = monotime_seconds_since(t);
		free(out);
	}
	sent = world_registry_sent_bytes(w);
	expect_min = layer / ws.registry_bandwidth;
	expect_sent = (double)sent / ws.registry_bandwidth;
	fprintf(stderr, "  push through the proxy at %.0f MB/s: %lld bytes sent (%lld both ways) in %.2f s; "
		"%.2f of the layer's %.2f s, %.2f of the sent bytes' %.2f s\n", ws.registry_bandwidth / 1e6,
		(long long)sent, (long long)world_registry_bytes(w), secs, secs / expect_min, expect_min,
		secs / expect_sent, expect_sent);
	assert_true((double)sent >= layer);
	assert_true(secs >= 0.8 * expect_min);
	assert_true(secs <= 4 * expect_sent);
	{
		const char *rmi[] = {"image", "rm", "-f", tag, local, NULL};
		run_docker(&out, rmi);
		free(out);
	}
	world_stop(w);
	free(tag);
	free(local);
	free(df);
	free(ctx);
	free(wdir);
	rm_rf(tmp);
	close(lock);
}

/* A run of several engines: each runner has its own ports and its own
 * GitHub cache service (a series restarting its service leaves the other
 * runner's alone), and a resumed run gets each runner's ports again. */
static void test_runners(void **state)
{
	struct world_settings ws = {
		.enabled = true, .kind = "cafeboo", .scale = 0.001, .bandwidth = 50e6,
		.base_image = "bench/python:3.12.7-slim", .seed = 1};
	struct world *w = NULL;
	struct world_resume p0, p1, again;
	char tmp[] = "/tmp/bench-it-runners-XXXXXX", *wdir, *url0;
	int k = -1;
	(void)state;

	assert_non_null(mkdtemp(tmp));
	wdir = path_join(tmp, "world");
	if (world_start(&w, &ws, NULL, &run_world_engine_ops, wdir, log_line, NULL) < 0)
		fail_msg("world_start: %s", bench_error_last());
	assert_int_equal(world_add_runner(&k, w), 0);
	assert_int_equal(k, 1);
	assert_int_equal(world_runners(w), 2);
	world_runner_ports(w, 0, &p0);
	world_runner_ports(w, 1, &p1);
	assert_int_equal(p0.index_port, world_index_port(w));
	assert_int_not_equal(p0.index_port, p1.index_port);
	assert_int_not_equal(p0.registry_port, p1.registry_port);

	assert_int_equal(world_runner_gha_start(w, 0), 0);
	assert_int_equal(world_runner_gha_start(w, 1), 0);
	url0 = xstrdup(world_runner_gha_url(w, 0));
	assert_string_equal(url0, world_gha_url(w));
	assert_string_not_equal(url0, world_runner_gha_url(w, 1));
	assert_int_equal(world_runner_gha_start(w, 1), 0); /* runner 1's next series */
	assert_string_equal(world_runner_gha_url(w, 0), url0);
	world_runner_gha_stop(w, 1);
	assert_null(world_runner_gha_url(w, 1));
	assert_string_equal(world_runner_gha_url(w, 0), url0);
	world_keep(w);
	world_stop(w);

	w = NULL;
	if (world_start_resumed(&w, &ws, NULL, &run_world_engine_ops, wdir, &p0, log_line, NULL) < 0)
		fail_msg("world_start_resumed: %s", bench_error_last());
	assert_int_equal(world_add_runner_at(&k, w, &p1), 0);
	world_runner_ports(w, 1, &again);
	assert_int_equal(again.index_port, p1.index_port);
	assert_int_equal(again.registry_port, p1.registry_port);
	world_stop(w);
	free(url0);
	free(wdir);
	rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pip_in_a_build_and_push),
		cmocka_unit_test(test_push_is_paced),
		cmocka_unit_test(test_runners),
	};
	return cmocka_run_group_tests_name("integration: the emulated world on the real engine", tests, NULL, NULL);
}
