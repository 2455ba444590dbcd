/*
 * it_ghacache.c: the emulated GitHub Actions cache v2 (world/ghacache.h)
 * with a real BuildKit (dockerd 28.5, BuildKit >= 0.20): `docker buildx
 * build` of the tiny multi-stage Dockerfile exports its cache with
 * `--cache-to type=gha,url_v2=...,token=...,version=2,mode=max`, the builder
 * cache is pruned, and the same build imported with `--cache-from` comes out
 * all CACHED; the service's request log shows BuildKit's own Twirp calls and
 * blob transfers. Then a quota smaller than two exports evicts, and a strict
 * upload rate limit answers 429s that BuildKit waits out. Last, `bench run`
 * of a `cache = gha` variant (tests/data/backends/backends.ini) builds cold,
 * then warm with cached steps, through v2, as its request log shows.
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
static char *log_path;   /* the running service's request log */
static size_t log_seen;  /* its bytes before the build in hand */
static char *calls;      /* the build's lines of the log */

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
	free(log_path);
	free(calls);
	close(lock);
	return 0;
}

/* The log's lines past `from` bytes (a new string), *to its length now. */
static char *log_since(size_t *to, const char *path, size_t from)
{
	char *text = NULL, *out;
	size_t len = 0;

	if (read_file(&text, &len, path) < 0)
		fail_msg("cannot read the request log %s: %s", path, bench_error_last());
	out = xstrdup(from <= len ? text + from : "");
	*to = len;
	free(text);
	return out;
}

/* How many requests of lines went to endpoint with an answer of this
 * status (0: any). */
static int count(const char *lines, const char *endpoint, int status)
{
	char *needle = xasprintf("\t%s\t", endpoint);
	const char *p = lines;
	int n = 0;

	while ((p = strstr(p, needle))) {
		const char *key = p + strlen(needle), *st = strchr(key, '\t');
		if (st && (!status || atoi(st + 1) == status))
			n++;
		p = key;
	}
	free(needle);
	return n;
}

/* How many requests of lines were answered 4xx or 5xx (the status is
 * the fifth field). */
static int refused(const char *lines)
{
	const char *p = lines;
	int n = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *f = p;
		int field;
		if (*p == '#')
			continue;
		for (field = 1; field < 5 && f; field++)
			if ((f = strchr(f, '\t')))
				f++;
		if (f && (*f == '4' || *f == '5'))
			n++;
	}
	return n;
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
 * before and read after, its log lines of the build kept in `calls`. */
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
	free(log_since(&log_seen, log_path, 0));
	t0 = monotime_now();
	assert_int_equal(proc_capture(&out, &o->err, &o->status, strvec_argv(&argv), 600), 0);
	o->seconds = monotime_seconds_since(t0);
	ghacache_counters(&o->c, g);
	free(calls);
	calls = log_since(&log_seen, log_path, log_seen);
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

static void print(const char *what, const struct outcome *o, bool lines)
{
	json_t *c = ghacache_counters_json(&o->c);
	char *j = json_dumps(c, JSON_COMPACT);

	fprintf(stderr, "  %s: exit %d in %.1f s, %d/%d steps cached; %s\n", what, o->status, o->seconds,
		o->cached, o->steps, j);
	if (lines)
		fprintf(stderr, "  the requests (time, method, endpoint, key, status, in, out, detail):\n%s",
			calls ? calls : "");
	free(j);
	json_decref(c);
}

/* BuildKit's type=gha cache options with a token of the default branch:
 * --cache-to type=gha,url_v2=...,token=...,version=2,mode=max and
 * --cache-from the same without mode. */
struct gha_options {
	char *token;         /* "token=..." */
	const char *attrs[3];
	struct cache_spec to, from;
};

/* A service in tmp/NAME (its log tmp/NAME.log) with these settings; *opt
 * gets the cache options (released with options_release). */
static struct ghacache *service(struct gha_options *opt, const char *name, struct ghacache_settings s)
{
	char *dir = path_join(tmp, name), *token = NULL;
	struct ghacache *g = NULL;

	free(log_path);
	log_path = xasprintf("%s.log", dir);
	s.log = log_path;
	if (ghacache_start(&g, &s, dir) < 0)
		fail_msg("ghacache_start: %s", bench_error_last());
	assert_int_equal(ghacache_token_for_ref(&token, REF, REF, 3600), 0);
	memset(opt, 0, sizeof(*opt));
	opt->token = xasprintf("token=%s", token);
	opt->attrs[0] = opt->token;
	opt->attrs[1] = "version=2";
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
	build(&o, g, 1, &opt.from, &opt.to); /* a workflow's first run: cache-from misses */
	print("cold: export (mode=max)", &o, true);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.cached, 0);
	/* BuildKit's own v2 calls: the index and each layer looked up (misses),
	 * then per layer CreateCacheEntry, the bytes to the signed URL and
	 * FinalizeCacheEntryUpload; the 1 MiB random layer is over the Azure
	 * SDK's 1 MiB block: Put Block twice and Put Block List, the rest one
	 * Put Blob each; then the index, "KEY#1" */
	assert_true(count(calls, "GetCacheEntryDownloadURL", 200) >= 2);
	assert_true(count(calls, "CreateCacheEntry", 200) >= 3);
	assert_true(count(calls, "PutBlock", 201) >= 2);
	assert_true(count(calls, "PutBlockList", 201) >= 1);
	assert_true(count(calls, "PutBlob", 201) >= 2);
	assert_int_equal(count(calls, "FinalizeCacheEntryUpload", 200), count(calls, "CreateCacheEntry", 200));
	assert_non_null(strstr(calls, "\tCreateCacheEntry\tindex-buildkit-1-"));
	assert_true(o.c.committed >= 3); /* layers and the index */
	assert_true(o.c.bytes_up > 1000000); /* the 1 MiB random layer */
	assert_int_equal(o.c.throttled + o.c.unauthorized + o.c.failed + o.c.expired, 0);
	outcome_release(&o);

	reset_runner(); /* a fresh hosted runner: nothing local */
	build(&o, g, 1, &opt.from, NULL);
	print("warm: import after a prune", &o, true);
	assert_int_equal(o.status, 0);
	assert_true(o.steps >= 4);
	assert_int_equal(o.cached, o.steps);
	/* the index found by prefix ("KEY" -> "KEY#1"), its blob and the layers
	 * fetched from their signed download URLs */
	assert_non_null(strstr(calls, "\thit=index-buildkit-1-"));
	assert_true(count(calls, "GetCacheEntryDownloadURL", 200) >= 2);
	assert_true(count(calls, "GetBlob", 200) + count(calls, "GetBlob", 206) >= 2);
	assert_int_equal(count(calls, "CreateCacheEntry", 0) + count(calls, "PutBlob", 0), 0);
	assert_true(o.c.hits >= 2);
	assert_true(o.c.bytes_down > 0);
	assert_int_equal(o.c.committed, 0);
	/* BuildKit reads each blob from its start: a ranged Get Blob only comes
	 * when a read resumes at an offset (the service serves both, see
	 * test_world_ghacache) */
	fprintf(stderr, "  ranged Get Blob: %lld of %lld\n", (long long)o.c.ranged, (long long)o.c.downloads);
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
	assert_non_null(strstr(calls, " evicted="));
	assert_true(o.c.total_size <= 2600000);
	outcome_release(&o);
	ghacache_stop(g);
	options_release(&opt);
}

static void test_rate_limit(void **state)
{
	/* 2 upload calls per 2 s: each blob takes 2 (create, finalize) */
	struct ghacache_settings s = {.rate_limit = 2, .rate_period = 2};
	struct outcome o;
	struct gha_options opt;
	struct ghacache *g = service(&opt, "gha-rate", s);
	(void)state;

	reset_runner();
	build(&o, g, 3, NULL, &opt.to);
	print("export under 2 upload calls per 2 s", &o, true);
	assert_true(o.c.throttled > 0);
	assert_true(count(calls, "CreateCacheEntry", 429) + count(calls, "FinalizeCacheEntryUpload", 429) > 0);
	if (o.status != 0)
		fprintf(stderr, "  the build failed under the rate limit:\n%s\n", o.err);
	assert_int_equal(o.status, 0); /* go-actions-cache backs off and retries */
	assert_true(o.c.committed >= 3);
	outcome_release(&o);
	ghacache_stop(g);
	options_release(&opt);
}

/* A build of bench's run.json, by index. */
static json_t *build_of(json_t *run, int index)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (it_num(b, "index") == index)
			return b;
	fail_msg("no build %d in run.json", index);
	return NULL;
}

static void test_bench_variant_cold_warm(void **state)
{
	char *scenario = path_absolute("tests/data/backends/backends.ini");
	char *results = path_join(tmp, "results"), *work = path_join(tmp, "work"), *dir, *log, *lines;
	char *out = NULL, *err = NULL;
	const char *args[] = {"run", scenario, "--only", "gha", "--results", results, "--work", work,
			      "--no-plot", "-q", NULL};
	json_t *run, *cold;
	size_t len;
	int status, i;
	(void)state;

	close(lock); /* bench takes the engine's lock itself */
	lock = -1;
	status = it_bench(&out, &err, args);
	lock = it_lock_engine();
	if (status != 0)
		fprintf(stderr, "bench run: %s\n%s\n", out, err);
	assert_int_equal(status, 0);
	dir = it_only_child(results);
	assert_non_null(dir);
	run = it_load_run(dir, NULL);
	cold = build_of(run, 1);
	assert_int_equal(it_num(cold, "steps_cached"), 0);
	assert_true(json_integer_value(json_object_get(json_object_get(cold, "gha"), "committed")) >= 3);
	for (i = 2; i <= 3; i++) {
		json_t *b = build_of(run, i);
		fprintf(stderr, "  bench warm build %d: %lld/%lld steps cached\n", i, it_num(b, "steps_cached"),
			it_num(b, "steps_total"));
		assert_true(it_num(b, "steps_cached") > 0);
		assert_true(json_integer_value(json_object_get(json_object_get(b, "gha"), "hits")) >= 2);
	}
	/* the run's request log: the world keeps it in its work folder */
	log = path_join(work, "world/gha-requests.log");
	lines = log_since(&len, log, 0);
	fprintf(stderr, "  %s (%zu bytes): %d GetCacheEntryDownloadURL, %d CreateCacheEntry, %d PutBlob, "
		"%d PutBlock, %d PutBlockList, %d FinalizeCacheEntryUpload, %d GetBlob\n", log, len,
		count(lines, "GetCacheEntryDownloadURL", 0), count(lines, "CreateCacheEntry", 0),
		count(lines, "PutBlob", 0), count(lines, "PutBlock", 0), count(lines, "PutBlockList", 0),
		count(lines, "FinalizeCacheEntryUpload", 0), count(lines, "GetBlob", 0));
	assert_non_null(strstr(lines, "GitHub cache service v2 at http://127.0.0.1:"));
	assert_true(count(lines, "GetCacheEntryDownloadURL", 200) >= 3);
	assert_true(count(lines, "CreateCacheEntry", 200) >= 3);
	assert_true(count(lines, "PutBlock", 201) >= 2);
	assert_true(count(lines, "PutBlockList", 201) >= 1);
	assert_true(count(lines, "PutBlob", 201) >= 2);
	assert_true(count(lines, "FinalizeCacheEntryUpload", 200) >= 3);
	assert_true(count(lines, "GetBlob", 200) + count(lines, "GetBlob", 206) >= 2);
	assert_int_equal(refused(lines), 0);
	json_decref(run);
	free(lines);
	free(log);
	free(dir);
	free(out);
	free(err);
	free(work);
	free(results);
	free(scenario);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_prune_import),
		cmocka_unit_test(test_quota_evicts),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_bench_variant_cold_warm),
	};
	return cmocka_run_group_tests_name("integration: BuildKit's type=gha cache on the emulated service v2",
					   tests, setup, teardown);
}
