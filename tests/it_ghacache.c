/*
 * it_ghacache.c: the emulated GitHub Actions cache (world/ghacache.h) with a
 * real BuildKit: `docker buildx build` of the tiny multi-stage Dockerfile
 * exports its cache with `--cache-to type=gha,url=...,token=...,mode=max`,
 * the builder cache is pruned, and the same build imported with
 * `--cache-from type=gha,...` comes out all CACHED. Then a quota smaller
 * than two exports evicts, and a strict upload rate limit answers 429s that
 * BuildKit waits out. The calls BuildKit made are printed (the service's
 * trace), with the counters of each build.
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
#include "builders/rawjson.h"
#include "world/ghacache.h"

#define REF "refs/heads/main"

static char *tmp;        /* this test's folder */
static char *marker;     /* in every image tag this test makes */
static int lock = -1;    /* the engine lock, held for the whole program */
static struct strbuf trace;

static void trace_line(void *ctx, const char *line)
{
	(void)ctx;
	strbuf_printf(&trace, "    %s\n", line);
}

static int setup(void **state)
{
	(void)state;
	lock = it_lock_engine();
	tmp = xstrdup("/tmp/bench-it-gha-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	marker = xasprintf("bench-it-gha-%s/", strrchr(tmp, '-') + 1);
	for (char *p = marker; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a'); /* image names are lowercase */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (docker_reset_runner(NULL, marker) < 0) /* our images, and the cache our builds left */
		fprintf(stderr, "cleanup: %s\n", bench_error_last());
	rm_rf(tmp);
	free(tmp);
	free(marker);
	strbuf_release(&trace);
	close(lock);
	return 0;
}

/* What one build did. */
struct outcome {
	int status;
	int steps, cached;
	char *err;               /* the build's stderr */
	struct ghacache_counters c;
	double seconds;
};

/* Build the tiny Dockerfile (fixture repository as context) into
 * MARKERapp:N with these cache options; the service's counters are reset
 * before and read after. */
static void build(struct outcome *o, struct ghacache *g, int n, const struct cache_spec *cache_from,
		  const struct cache_spec *cache_to)
{
	char *ctx = it_fixture_repo(), *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *tag = xasprintf("%sapp:%d", marker, n), *out = NULL;
	struct build_request req = {.context = ctx, .dockerfile = df, .tag = tag, .network = "host"};
	struct strvec argv = {0};
	struct rawjson *p;
	json_t *steps;
	monotime t0;

	memset(o, 0, sizeof(*o));
	if (cache_from)
		req.cache_from = *cache_from;
	if (cache_to)
		req.cache_to = *cache_to;
	assert_int_equal(docker_build_argv(&argv, NULL, &req), 0);
	ghacache_counters_reset(g);
	strbuf_reset(&trace);
	t0 = monotime_now();
	assert_int_equal(proc_capture(&out, &o->err, &o->status, strvec_argv(&argv), 600), 0);
	o->seconds = monotime_seconds_since(t0);
	ghacache_counters(&o->c, g);
	assert_int_equal(rawjson_new(&p), 0);
	rawjson_feed(p, o->err, strlen(o->err));
	steps = rawjson_steps_json(p, &o->steps, &o->cached);
	if (o->status != 0)
		fprintf(stderr, "build %d failed: %s\n", n, rawjson_first_error(p) ? rawjson_first_error(p) : "");
	json_decref(steps);
	rawjson_free(p);
	strvec_release(&argv);
	free(out);
	free(tag);
	free(df);
	free(ctx);
}

static void outcome_release(struct outcome *o)
{
	free(o->err);
}

static void print(const char *what, const struct outcome *o, bool calls)
{
	fprintf(stderr,
		"  %s: exit %d in %.1f s, %d/%d steps cached; hits %lld, misses %lld, reserved %lld, "
		"conflicts %lld, committed %lld, up %lld B, down %lld B, 429s %lld, evictions %lld "
		"(%lld B), requests %lld, now %lld entries of %lld B\n",
		what, o->status, o->seconds, o->cached, o->steps, (long long)o->c.hits,
		(long long)o->c.misses, (long long)o->c.reserved, (long long)o->c.conflicts,
		(long long)o->c.committed, (long long)o->c.bytes_up, (long long)o->c.bytes_down,
		(long long)o->c.throttled, (long long)o->c.evictions, (long long)o->c.evicted_bytes,
		(long long)o->c.requests, (long long)o->c.entries, (long long)o->c.total_size);
	if (calls)
		fprintf(stderr, "  the calls:\n%s", trace.buf ? trace.buf : "");
}

/* BuildKit's type=gha cache options with a token of the default branch:
 * --cache-to type=gha,url=...,token=...,mode=max and --cache-from the same
 * without mode. */
struct gha_options {
	char *token;         /* "token=..." */
	const char *attrs[2];
	struct cache_spec to, from;
};

/* A service in tmp/NAME with these settings; *opt gets the cache options
 * (released with options_release). */
static struct ghacache *service(struct gha_options *opt, const char *name, struct ghacache_settings s)
{
	char *dir = path_join(tmp, name), *token = NULL;
	struct ghacache *g = NULL;

	s.trace = trace_line;
	if (ghacache_start(&g, &s, dir) < 0)
		fail_msg("ghacache_start: %s", bench_error_last());
	assert_int_equal(ghacache_token_for_ref(&token, REF, REF, 3600), 0);
	memset(opt, 0, sizeof(*opt));
	opt->token = xasprintf("token=%s", token);
	opt->attrs[0] = opt->token;
	opt->to = (struct cache_spec){.type = "gha", .location = ghacache_url(g), .attrs = opt->attrs, .mode = "max"};
	opt->from = (struct cache_spec){.type = "gha", .location = ghacache_url(g), .attrs = opt->attrs};
	free(token);
	free(dir);
	return g;
}

static void options_release(struct gha_options *opt)
{
	free(opt->token);
}

static void reset_runner(void)
{
	if (docker_reset_runner(NULL, marker) < 0)
		fail_msg("reset: %s", bench_error_last());
}

static void test_export_prune_import(void **state)
{
	struct ghacache_settings s = {.bandwidth = 50e6, .latency = 0.002};
	struct outcome o;
	struct gha_options opt;
	struct ghacache *g = service(&opt, "gha", s);
	(void)state;

	reset_runner();
	build(&o, g, 1, NULL, &opt.to);
	print("export (mode=max)", &o, true);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.cached, 0);
	assert_true(o.c.committed >= 3); /* layers and the index */
	assert_true(o.c.bytes_up > 1000000); /* the 1 MiB random layer */
	assert_int_equal(o.c.throttled + o.c.unauthorized + o.c.failed, 0);
	outcome_release(&o);

	reset_runner(); /* a fresh hosted runner: nothing local */
	build(&o, g, 1, &opt.from, NULL);
	print("import after a prune", &o, true);
	assert_int_equal(o.status, 0);
	assert_true(o.steps >= 4);
	assert_int_equal(o.cached, o.steps);
	assert_true(o.c.hits >= 2); /* the index, then blobs */
	assert_true(o.c.bytes_down > 0);
	assert_int_equal(o.c.committed, 0);
	outcome_release(&o);
	ghacache_stop(g);
	options_release(&opt);
}

static void test_quota_evicts(void **state)
{
	/* one export of the tiny build is ~2.13 MB (busybox's ~1.07 MB layer,
	 * the random 1 MiB layer ~1.05 MB, small ones and the index); a second
	 * export adds a new random layer and index: ~3.18 MB, over 2.6 MB */
	struct ghacache_settings s = {.quota = 2600000};
	struct outcome o;
	struct gha_options opt;
	struct ghacache *g = service(&opt, "gha-quota", s);
	(void)state;

	reset_runner();
	build(&o, g, 2, NULL, &opt.to);
	print("export 1 under a 2.6 MB quota", &o, false);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.c.evictions, 0);
	outcome_release(&o);
	reset_runner();
	build(&o, g, 2, NULL, &opt.to); /* no import: a new random layer */
	print("export 2 under a 2.6 MB quota", &o, true);
	assert_int_equal(o.status, 0);
	assert_true(o.c.evictions >= 1);
	assert_true(o.c.total_size <= 2600000);
	outcome_release(&o);
	ghacache_stop(g);
	options_release(&opt);
}

static void test_rate_limit(void **state)
{
	/* 3 upload calls per 2 s: each blob takes 3 (reserve, chunk, commit) */
	struct ghacache_settings s = {.rate_limit = 3, .rate_period = 2};
	struct outcome o;
	struct gha_options opt;
	struct ghacache *g = service(&opt, "gha-rate", s);
	(void)state;

	reset_runner();
	build(&o, g, 3, NULL, &opt.to);
	print("export under 3 upload calls per 2 s", &o, true);
	assert_true(o.c.throttled > 0);
	if (o.status != 0)
		fprintf(stderr, "  the build failed under the rate limit:\n%s\n", o.err);
	assert_int_equal(o.status, 0); /* BuildKit backs off and retries */
	assert_true(o.c.committed >= 3);
	outcome_release(&o);
	ghacache_stop(g);
	options_release(&opt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_prune_import),
		cmocka_unit_test(test_quota_evicts),
		cmocka_unit_test(test_rate_limit),
	};
	return cmocka_run_group_tests_name("integration: BuildKit's type=gha cache on the emulated service",
					   tests, setup, teardown);
}
