/*
 * test_world_ghacache.c: unit tests of the emulated GitHub Actions cache
 * (world/ghacache*.c) against its v1 REST protocol, over real HTTP on
 * loopback with the small client of httptest.h: each call, the lookup
 * rules (exact, prefix, restore keys, scopes), the token checks, the rate
 * limit, the quota's LRU eviction, pacing and the counters. Also base64.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base64.h"
#include "lib/error.h"
#include "httptest.h"
#include "lib/monotonic.h"
#include "lib/util.h"
#include "world/ghacache.h"
#include "world/pace.h"

#define VERSION "aaaa1111"
#define MAIN "refs/heads/main"
#define FEATURE "refs/heads/feature"

static char *tmp;              /* this program's folder */
static struct ghacache *g;     /* the service of the running test */
static char *main_token, *feature_token;
static struct strbuf trace;

static void trace_line(void *ctx, const char *line)
{
	(void)ctx;
	strbuf_printf(&trace, "%s\n", line);
}

/* Start the service of one test with these settings (trace on). */
static void start(struct ghacache_settings s)
{
	char *dir = xasprintf("%s/store-%d", tmp, rand());

	s.trace = trace_line;
	strbuf_reset(&trace);
	if (ghacache_start(&g, &s, dir) < 0)
		fail_msg("ghacache_start: %s", bench_error_last());
	free(dir);
}

static int stop(void **state)
{
	(void)state;
	ghacache_stop(g);
	g = NULL;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-ghacache-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	if (ghacache_token_for_ref(&main_token, MAIN, MAIN, 3600) < 0 ||
	    ghacache_token_for_ref(&feature_token, FEATURE, MAIN, 3600) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(tmp);
	free(main_token);
	free(feature_token);
	strbuf_release(&trace);
	return 0;
}

/* ---- the client side of the protocol ---- */

/* One API call with the token (NULL: no Authorization) and one more header
 * line (may be NULL). */
static void api(struct http_resp *r, const char *method, const char *path, const char *token,
		const char *header, const void *body, size_t len)
{
	char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
	const char *headers[4] = {"Accept: application/json;api-version=6.0-preview.1", NULL};
	size_t n = 1;

	if (auth)
		headers[n++] = auth;
	if (header)
		headers[n++] = header;
	assert_int_equal(http_request(r, ghacache_port(g), method, path, headers, body, len), 0);
	free(auth);
}

/* The JSON of an answer's body, after the byte order mark GitHub puts
 * before its errors. New reference. */
static json_t *body_json(const struct http_resp *r)
{
	const char *text = r->body;
	json_t *v;

	if (!strncmp(text, "\xef\xbb\xbf", 3))
		text += 3;
	v = json_loads(text, 0, NULL);
	assert_non_null(v);
	return v;
}

/* GET .../cache?keys=KEYS&version=VERSION: the status; a hit's entry in
 * *entry when not NULL (new reference). */
static int lookup(json_t **entry, const char *token, const char *keys, const char *version)
{
	char *path = xasprintf("/_apis/artifactcache/cache?keys=%s&version=%s", keys, version);
	struct http_resp r;
	int status;

	api(&r, "GET", path, token, NULL, NULL, 0);
	status = r.status;
	if (entry)
		*entry = status == 200 ? body_json(&r) : NULL;
	if (status == 204)
		assert_int_equal(r.len, 0);
	http_resp_release(&r);
	free(path);
	return status;
}

/* The cacheKey a lookup finds, "" on a miss. Caller frees. */
static char *found(const char *token, const char *keys)
{
	json_t *e = NULL;
	char *key;

	lookup(&e, token, keys, VERSION);
	key = xstrdup(e ? json_string_value(json_object_get(e, "cacheKey")) : "");
	json_decref(e);
	return key;
}

static void assert_found(const char *token, const char *keys, const char *want)
{
	char *key = found(token, keys);
	assert_string_equal(key, want);
	free(key);
}

/* POST .../caches: the new cacheId, or minus the status when refused. */
static long long reserve(const char *token, const char *key)
{
	char *body = xasprintf("{\"key\":\"%s\",\"version\":\"%s\"}", key, VERSION);
	struct http_resp r;
	long long id;

	api(&r, "POST", "/_apis/artifactcache/caches", token, "Content-Type: application/json",
	    body, strlen(body));
	if (r.status == 201) {
		json_t *v = body_json(&r);
		id = json_integer_value(json_object_get(v, "cacheId"));
		assert_true(id > 0);
		json_decref(v);
	} else {
		id = -r.status;
	}
	http_resp_release(&r);
	free(body);
	return id;
}

/* PATCH one chunk at offset start: the status. */
static int patch(const char *token, long long id, long long start, const void *data, size_t len)
{
	char *path = xasprintf("/_apis/artifactcache/caches/%lld", id);
	char *range = xasprintf("Content-Range: bytes %lld-%lld/*", start, start + (long long)len - 1);
	struct http_resp r;
	int status;

	api(&r, "PATCH", path, token, range, data, len);
	status = r.status;
	http_resp_release(&r);
	free(range);
	free(path);
	return status;
}

/* POST .../caches/ID {"size": size}: the status. */
static int commit(const char *token, long long id, long long size)
{
	char *path = xasprintf("/_apis/artifactcache/caches/%lld", id);
	char *body = xasprintf("{\"size\":%lld}", size);
	struct http_resp r;
	int status;

	api(&r, "POST", path, token, "Content-Type: application/json", body, strlen(body));
	status = r.status;
	http_resp_release(&r);
	free(body);
	free(path);
	return status;
}

/* Reserve, upload in one chunk and commit len bytes of `fill` as key. */
static long long save(const char *token, const char *key, size_t len, char fill)
{
	char *data = xmalloc(len + 1);
	long long id = reserve(token, key);

	memset(data, fill, len);
	assert_true(id > 0);
	if (len)
		assert_int_equal(patch(token, id, 0, data, len), 204);
	assert_int_equal(commit(token, id, (long long)len), 204);
	free(data);
	return id;
}

/* GET an archiveLocation ("http://127.0.0.1:PORT/PATH") with an optional
 * Range header line. */
static void download(struct http_resp *r, const char *location, const char *range)
{
	const char *path = strchr(location + strlen("http://"), '/');
	assert_non_null(path);
	api(r, "GET", path, NULL, range, NULL, 0);
}

/* ---- tests ---- */

static void test_base64url(void **state)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	const unsigned char url[] = {0xfb, 0xff, 0xbf};
	char out[16], *back;
	size_t i, len;
	(void)state;

	for (i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		base64url_encode(out, plain[i], strlen(plain[i]));
		assert_string_equal(out, coded[i]);
		assert_int_equal(strlen(out), BASE64URL_LEN(strlen(plain[i])));
		back = base64url_decode(&len, coded[i], strlen(coded[i]));
		assert_non_null(back);
		assert_int_equal(len, strlen(plain[i]));
		assert_memory_equal(back, plain[i], len);
		free(back);
	}
	base64url_encode(out, url, sizeof(url));
	assert_string_equal(out, "-_-_");
	back = base64url_decode(&len, "Zm8=", 4); /* padding is accepted */
	assert_non_null(back);
	assert_string_equal(back, "fo");
	free(back);
	assert_null(base64url_decode(&len, "Zm+v", 4)); /* not the URL alphabet */
	assert_null(base64url_decode(&len, "Z", 1));
}

static void test_token_claims(void **state)
{
	struct ghacache_scope scopes[] = {{FEATURE, GHACACHE_READ | GHACACHE_WRITE},
					  {MAIN, GHACACHE_READ}};
	char *token, *dot1, *dot2, *text;
	json_t *head, *claims, *ac;
	size_t len;
	(void)state;

	assert_int_equal(ghacache_token(&token, scopes, 2, 1000, 2000), 0);
	dot1 = strchr(token, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_string_equal(dot2, "."); /* unsigned: an empty signature */
	text = base64url_decode(&len, token, (size_t)(dot1 - token));
	head = json_loads(text, 0, NULL);
	free(text);
	assert_string_equal(json_string_value(json_object_get(head, "alg")), "none");
	text = base64url_decode(&len, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	claims = json_loads(text, 0, NULL);
	free(text);
	assert_int_equal(json_integer_value(json_object_get(claims, "nbf")), 1000);
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")), 2000);
	/* `ac` is a string holding JSON, as GitHub's tokens have it */
	assert_true(json_is_string(json_object_get(claims, "ac")));
	ac = json_loads(json_string_value(json_object_get(claims, "ac")), 0, NULL);
	assert_int_equal(json_array_size(ac), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ac, 0), "Scope")), FEATURE);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ac, 0), "Permission")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ac, 1), "Scope")), MAIN);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ac, 1), "Permission")), 1);
	json_decref(ac);
	json_decref(claims);
	json_decref(head);
	free(token);
	scopes[0].scope = "";
	assert_true(ghacache_token(&token, scopes, 1, 0, 1) < 0);
	assert_null(token);
}

static void test_reserve_upload_commit_hit(void **state)
{
	char data[3000], *loc;
	struct http_resp r;
	json_t *entry = NULL, *err;
	long long id;
	size_t i;
	(void)state;

	start((struct ghacache_settings){0});
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	assert_int_equal(lookup(NULL, main_token, "blob-1", VERSION), 204);
	id = reserve(main_token, "blob-1");
	assert_true(id > 0);
	/* a second reservation of the same key and version: 409, "already exists" */
	api(&r, "POST", "/_apis/artifactcache/caches", main_token, NULL,
	    "{\"key\":\"blob-1\",\"version\":\"" VERSION "\"}", strlen("{\"key\":\"blob-1\",\"version\":\"" VERSION "\"}"));
	assert_int_equal(r.status, 409);
	err = body_json(&r);
	assert_non_null(strstr(json_string_value(json_object_get(err, "typeKey")), "AlreadyExists"));
	json_decref(err);
	http_resp_release(&r);
	/* chunks out of order, the last first */
	assert_int_equal(patch(main_token, id, 2000, data + 2000, 1000), 204);
	assert_int_equal(patch(main_token, id, 0, data, 1000), 204);
	/* not committed yet: not found */
	assert_int_equal(lookup(NULL, main_token, "blob-1", VERSION), 204);
	/* a hole at 1000-1999: no size can be committed */
	assert_int_equal(commit(main_token, id, 3000), 400);
	assert_int_equal(patch(main_token, id, 1000, data + 1000, 1000), 204);
	assert_int_equal(commit(main_token, id, 2999), 400);
	assert_int_equal(commit(main_token, id, 3001), 400);
	assert_int_equal(commit(main_token, id, 3000), 204);
	/* once committed, nothing more goes in */
	assert_int_equal(patch(main_token, id, 0, data, 10), 400);
	assert_int_equal(commit(main_token, id, 3000), 400);

	assert_int_equal(lookup(&entry, main_token, "blob-1", VERSION), 200);
	assert_string_equal(json_string_value(json_object_get(entry, "cacheKey")), "blob-1");
	assert_string_equal(json_string_value(json_object_get(entry, "cacheVersion")), VERSION);
	assert_string_equal(json_string_value(json_object_get(entry, "scope")), MAIN);
	assert_non_null(json_string_value(json_object_get(entry, "creationTime")));
	loc = xstrdup(json_string_value(json_object_get(entry, "archiveLocation")));
	assert_true(!strncmp(loc, ghacache_url(g), strlen(ghacache_url(g))));
	json_decref(entry);
	/* another version of the key is another entry */
	assert_int_equal(lookup(NULL, main_token, "blob-1", "bbbb2222"), 204);

	download(&r, loc, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(data));
	assert_memory_equal(r.body, data, sizeof(data));
	http_resp_release(&r);
	/* go-actions-cache resumes a cut download with "Range: bytes=N-" */
	download(&r, loc, "Range: bytes=1500-");
	assert_int_equal(r.status, 206);
	assert_int_equal(r.len, 1500);
	assert_memory_equal(r.body, data + 1500, 1500);
	{
		char cr[64];
		assert_string_equal(http_header(&r, "Content-Range", cr, sizeof(cr)), "bytes 1500-2999/3000");
	}
	http_resp_release(&r);
	download(&r, loc, "Range: bytes=3000-");
	assert_int_equal(r.status, 416);
	http_resp_release(&r);
	free(loc);
}

static void test_bad_requests(void **state)
{
	struct http_resp r;
	json_t *entry = NULL;
	char *loc, *bad;
	long long id;
	(void)state;

	start((struct ghacache_settings){0});
	api(&r, "GET", "/_apis/artifactcache/nothing", main_token, NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	http_resp_release(&r);
	api(&r, "GET", "/_apis/artifactcache/cache?keys=a", main_token, NULL, NULL, 0);
	assert_int_equal(r.status, 400); /* no version */
	http_resp_release(&r);
	assert_int_equal(reserve(main_token, "a,b"), -400);
	api(&r, "POST", "/_apis/artifactcache/caches", main_token, NULL, "{nope", 5);
	assert_int_equal(r.status, 400);
	http_resp_release(&r);
	assert_int_equal(commit(main_token, 999, 0), 404);
	assert_int_equal(patch(main_token, 999, 0, "x", 1), 404);
	id = reserve(main_token, "k");
	{ /* a chunk shorter than its Content-Range */
		char *path = xasprintf("/_apis/artifactcache/caches/%lld", id);
		api(&r, "PATCH", path, main_token, "Content-Range: bytes 0-99/*", "short", 5);
		assert_int_equal(r.status, 400);
		http_resp_release(&r);
		api(&r, "PATCH", path, main_token, "Content-Range: oops", "short", 5);
		assert_int_equal(r.status, 400);
		http_resp_release(&r);
		free(path);
	}
	/* an empty entry is fine */
	assert_int_equal(commit(main_token, id, 0), 204);
	assert_int_equal(lookup(&entry, main_token, "k", VERSION), 200);
	loc = xstrdup(json_string_value(json_object_get(entry, "archiveLocation")));
	json_decref(entry);
	download(&r, loc, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	http_resp_release(&r);
	/* the archive URL's signature is its authorization */
	bad = xasprintf("%.*ssig=0123", (int)(strstr(loc, "sig=") - loc), loc);
	download(&r, bad, NULL);
	assert_int_equal(r.status, 403);
	http_resp_release(&r);
	free(bad);
	free(loc);
}

static void test_prefix_and_restore_keys(void **state)
{
	(void)state;
	start((struct ghacache_settings){0});
	/* BuildKit's index: SaveMutable looks up "KEY#" and reserves "KEY#N+1" */
	save(main_token, "index-buildkit-1-abc#1", 10, 'a');
	save(main_token, "index-buildkit-1-abc#2", 10, 'b');
	assert_found(main_token, "index-buildkit-1-abc#", "index-buildkit-1-abc#2");
	/* the importer looks the primary key up without "#": a prefix match */
	assert_found(main_token, "index-buildkit-1-abc", "index-buildkit-1-abc#2");
	/* newest means created last, not the greatest key */
	save(main_token, "index-buildkit-1-abc#10", 10, 'c');
	save(main_token, "index-buildkit-1-abc#9", 10, 'd');
	assert_found(main_token, "index-buildkit-1-abc#", "index-buildkit-1-abc#9");
	/* an exact match beats a newer prefix match */
	save(main_token, "npm-a", 10, 'e');
	save(main_token, "npm-ab", 10, 'f');
	assert_found(main_token, "npm-a", "npm-a");
	/* restore keys: the newest entry starting with the first that matches */
	assert_found(main_token, "yarn-x,npm-", "npm-ab");
	assert_found(main_token, "yarn-x,pip-", "");
}

static void test_scopes(void **state)
{
	struct ghacache_scope other_scopes[] = {{"refs/heads/other", 3}, {MAIN, 1}};
	struct ghacache_scope read_only[] = {{MAIN, GHACACHE_READ}};
	char *other, *reader;
	json_t *e = NULL;
	int64_t now = (int64_t)time(NULL);
	(void)state;

	assert_int_equal(ghacache_token(&other, other_scopes, 2, now - 5, now + 600), 0);
	assert_int_equal(ghacache_token(&reader, read_only, 1, now - 5, now + 600), 0);
	start((struct ghacache_settings){0});
	save(main_token, "k-main", 10, 'm');
	save(feature_token, "k-feat", 10, 'f');
	/* a branch reads the default branch's entries... */
	assert_int_equal(lookup(&e, feature_token, "k-main", VERSION), 200);
	assert_string_equal(json_string_value(json_object_get(e, "scope")), MAIN);
	json_decref(e);
	/* ...but neither the default branch nor another branch reads its own */
	assert_found(main_token, "k-feat", "");
	assert_found(other, "k-feat", "");
	assert_found(other, "k-main", "k-main");
	/* its own scope is searched first */
	save(main_token, "k-feat-newer", 10, 'n');
	assert_found(feature_token, "k-", "k-feat");
	assert_found(main_token, "k-", "k-feat-newer");
	/* a branch writes only into its own scope: the same key is another entry */
	assert_true(reserve(feature_token, "k-main") > 0);
	assert_int_equal(reserve(main_token, "k-main"), -409);
	/* a token without the write bit cannot reserve */
	assert_int_equal(reserve(reader, "k-new"), -403);
	assert_found(reader, "k-main", "k-main");
	free(other);
	free(reader);
}

static void test_tokens_refused(void **state)
{
	struct ghacache_scope scopes[] = {{MAIN, 3}};
	int64_t now = (int64_t)time(NULL);
	struct ghacache_counters c;
	char *expired, *early, *no_ac, *bad_ac;
	const char *garbled[] = {"abc", "a.b.c", "", NULL};
	struct http_resp r;
	size_t i;
	(void)state;

	assert_int_equal(ghacache_token(&expired, scopes, 1, now - 600, now - 10), 0);
	assert_int_equal(ghacache_token(&early, scopes, 1, now + 3600, now + 7200), 0);
	{ /* claims without `ac`, and with `ac` not a string */
		char h[64], c1[256], c2[256];
		const char *hj = "{\"alg\":\"none\"}";
		char *j1 = xasprintf("{\"nbf\":%lld,\"exp\":%lld}", (long long)now - 5, (long long)now + 600);
		char *j2 = xasprintf("{\"ac\":[],\"nbf\":%lld,\"exp\":%lld}", (long long)now - 5,
				     (long long)now + 600);
		base64url_encode(h, hj, strlen(hj));
		base64url_encode(c1, j1, strlen(j1));
		base64url_encode(c2, j2, strlen(j2));
		no_ac = xasprintf("%s.%s.", h, c1);
		bad_ac = xasprintf("%s.%s.", h, c2);
		free(j1);
		free(j2);
	}
	start((struct ghacache_settings){0});
	assert_int_equal(lookup(NULL, expired, "k", VERSION), 401);
	assert_int_equal(lookup(NULL, early, "k", VERSION), 401);
	assert_int_equal(lookup(NULL, no_ac, "k", VERSION), 401);
	assert_int_equal(lookup(NULL, bad_ac, "k", VERSION), 401);
	assert_int_equal(reserve(expired, "k"), -401);
	for (i = 0; garbled[i]; i++)
		assert_int_equal(lookup(NULL, garbled[i], "k", VERSION), 401);
	api(&r, "GET", "/_apis/artifactcache/cache?keys=k&version=" VERSION, NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 401); /* no Authorization at all */
	{
		json_t *err = body_json(&r);
		assert_non_null(strstr(json_string_value(json_object_get(err, "message")), "token"));
		json_decref(err);
	}
	http_resp_release(&r);
	assert_int_equal(lookup(NULL, main_token, "k", VERSION), 204);
	ghacache_counters(&c, g);
	assert_int_equal(c.unauthorized, 9);
	assert_int_equal(c.misses, 1);
	free(expired);
	free(early);
	free(no_ac);
	free(bad_ac);
}

static void test_rate_limit(void **state)
{
	struct ghacache_counters c;
	struct http_resp r;
	char ra[16];
	const char *body = "{\"key\":\"k3\",\"version\":\"" VERSION "\"}";
	long long id;
	(void)state;

	start((struct ghacache_settings){.rate_limit = 3, .rate_period = 60});
	/* three upload calls go (a reserve, a chunk, a commit), the fourth is refused */
	id = reserve(main_token, "k1");
	assert_true(id > 0);
	assert_int_equal(patch(main_token, id, 0, "abc", 3), 204);
	assert_int_equal(commit(main_token, id, 3), 204);
	api(&r, "POST", "/_apis/artifactcache/caches", main_token, NULL, body, strlen(body));
	assert_int_equal(r.status, 429);
	/* one call per 20 s: the next slot is at most 20 s away */
	assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 20);
	http_resp_release(&r);
	assert_int_equal(commit(main_token, id, 3), 429);
	/* lookups are not limited */
	assert_found(main_token, "k1", "k1");
	assert_found(main_token, "k2", "");
	ghacache_counters(&c, g);
	assert_int_equal(c.throttled, 2);
	assert_int_equal(c.reserved, 1);
	stop(NULL);

	/* a fast limit: after the Retry-After wait the call goes */
	start((struct ghacache_settings){.rate_limit = 1, .rate_period = 1});
	assert_true(reserve(main_token, "k1") > 0);
	api(&r, "POST", "/_apis/artifactcache/caches", main_token, NULL, body, strlen(body));
	assert_int_equal(r.status, 429);
	assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
	assert_int_equal(atoi(ra), 1);
	http_resp_release(&r);
	assert_int_equal(pace_sleep(atoi(ra), NULL, NULL), 0);
	assert_true(reserve(main_token, "k3") > 0);
}

static void test_lru_eviction(void **state)
{
	struct ghacache_counters c;
	json_t *e = NULL;
	struct http_resp r;
	char *loc_b;
	long long id;
	(void)state;

	start((struct ghacache_settings){.quota = 3000});
	save(main_token, "A", 1000, 'a');
	save(main_token, "B", 1000, 'b');
	save(main_token, "C", 1000, 'c');
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 0);
	assert_int_equal(c.total_size, 3000);
	assert_int_equal(lookup(&e, main_token, "B", VERSION), 200);
	loc_b = xstrdup(json_string_value(json_object_get(e, "archiveLocation")));
	json_decref(e);
	/* A is the oldest but a hit makes it recently used: B, C, A */
	assert_found(main_token, "A", "A");
	assert_found(main_token, "C", "C");
	assert_found(main_token, "A", "A");
	save(main_token, "D", 1000, 'd'); /* over the quota: B goes */
	assert_found(main_token, "B", "");
	download(&r, loc_b, NULL);
	assert_int_equal(r.status, 404);
	http_resp_release(&r);
	save(main_token, "E", 1500, 'e'); /* C then A go */
	assert_found(main_token, "C", "");
	assert_found(main_token, "A", "");
	assert_found(main_token, "D", "D");
	assert_found(main_token, "E", "E");
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 3);
	assert_int_equal(c.evicted_bytes, 3000);
	assert_int_equal(c.entries, 2);
	assert_int_equal(c.total_size, 2500);
	/* an entry larger than the whole quota is refused and dropped */
	id = reserve(main_token, "huge");
	{
		char *big = xmalloc(3001);
		memset(big, 'h', 3001);
		assert_int_equal(patch(main_token, id, 0, big, 3001), 204);
		free(big);
	}
	assert_int_equal(commit(main_token, id, 3001), 400);
	assert_found(main_token, "huge", "");
	assert_true(reserve(main_token, "huge") > 0);
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 3);
	assert_int_equal(c.total_size, 2500);
	free(loc_b);
}

static void test_counters_and_trace(void **state)
{
	struct ghacache_counters c;
	json_t *e = NULL, *j;
	struct http_resp r;
	(void)state;

	start((struct ghacache_settings){0});
	assert_int_equal(lookup(NULL, main_token, "x", VERSION), 204);
	save(main_token, "x", 4000, 'x');
	assert_int_equal(reserve(main_token, "x"), -409);
	assert_int_equal(lookup(&e, main_token, "x", VERSION), 200);
	download(&r, json_string_value(json_object_get(e, "archiveLocation")), NULL);
	assert_int_equal(r.len, 4000);
	http_resp_release(&r);
	json_decref(e);
	ghacache_counters(&c, g);
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.misses, 1);
	assert_int_equal(c.reserved, 1);
	assert_int_equal(c.conflicts, 1);
	assert_int_equal(c.committed, 1);
	assert_int_equal(c.bytes_up, 4000);
	assert_int_equal(c.bytes_down, 4000);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.requests, 7);
	assert_int_equal(c.entries, 1);
	assert_int_equal(c.total_size, 4000);
	j = ghacache_counters_json(&c);
	assert_int_equal(json_integer_value(json_object_get(j, "bytes_down")), 4000);
	assert_int_equal(json_integer_value(json_object_get(j, "conflicts")), 1);
	assert_int_equal(json_object_size(j), 15);
	json_decref(j);
	/* a reset zeroes what happened, not what is there */
	ghacache_counters_reset(g);
	ghacache_counters(&c, g);
	assert_int_equal(c.hits + c.misses + c.bytes_up + c.bytes_down + c.requests, 0);
	assert_int_equal(c.entries, 1);
	assert_int_equal(c.total_size, 4000);
	/* one trace line per answer */
	assert_non_null(strstr(trace.buf, "GET /_apis/artifactcache/cache?keys=x&version=aaaa1111 204\n"));
	assert_non_null(strstr(trace.buf, "POST /_apis/artifactcache/caches {x} 201\n"));
	assert_non_null(strstr(trace.buf, "PATCH /_apis/artifactcache/caches/1 [bytes 0-3999/*] 204\n"));
	assert_non_null(strstr(trace.buf, "POST /_apis/artifactcache/caches/1 {size 4000} 204\n"));
	assert_non_null(strstr(trace.buf, "POST /_apis/artifactcache/caches {x} 409\n"));
}

static void test_pacing_and_latency(void **state)
{
	size_t len = 300000;
	char *data = xmalloc(len);
	json_t *e = NULL;
	struct http_resp r;
	monotime t0;
	long long id;
	(void)state;

	/* 1 MB/s each way: 300 KB take at least 0.3 s up and 0.3 s down */
	start((struct ghacache_settings){.bandwidth = 1e6, .latency = 0.05});
	memset(data, 'p', len);
	id = reserve(main_token, "paced");
	t0 = monotime_now();
	assert_int_equal(patch(main_token, id, 0, data, len), 204);
	assert_true(monotime_seconds_since(t0) >= 0.25);
	assert_int_equal(commit(main_token, id, (long long)len), 204);
	t0 = monotime_now();
	assert_int_equal(lookup(&e, main_token, "paced", VERSION), 200);
	assert_true(monotime_seconds_since(t0) >= 0.05); /* the latency */
	t0 = monotime_now();
	download(&r, json_string_value(json_object_get(e, "archiveLocation")), NULL);
	assert_true(monotime_seconds_since(t0) >= 0.25);
	assert_int_equal(r.len, len);
	http_resp_release(&r);
	json_decref(e);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64url),
		cmocka_unit_test(test_token_claims),
		cmocka_unit_test_teardown(test_reserve_upload_commit_hit, stop),
		cmocka_unit_test_teardown(test_bad_requests, stop),
		cmocka_unit_test_teardown(test_prefix_and_restore_keys, stop),
		cmocka_unit_test_teardown(test_scopes, stop),
		cmocka_unit_test_teardown(test_tokens_refused, stop),
		cmocka_unit_test_teardown(test_rate_limit, stop),
		cmocka_unit_test_teardown(test_lru_eviction, stop),
		cmocka_unit_test_teardown(test_counters_and_trace, stop),
		cmocka_unit_test_teardown(test_pacing_and_latency, stop),
	};
	return cmocka_run_group_tests_name("world: the GitHub Actions cache service", tests, setup,
					   teardown);
}
