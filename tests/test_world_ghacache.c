/*
 * test_world_ghacache.c: unit tests of the emulated GitHub Actions cache v2
 * (world/ghacache*.c) over real HTTP on loopback with the small client of
 * httptest.h, speaking as go-actions-cache does: the three Twirp
 * CacheService calls and their error shapes, the signed blob URLs (expiry,
 * signature, permission), Put Blob, Put Block + Put Block List, ranged Get
 * Blob, the lookup rules (exact key, restore-key prefixes, the branch's
 * scope then the default branch's), the token checks, the rate limit's 429
 * + Retry-After, the quota's LRU eviction, pacing, the counters and the
 * request log. The parsers alone: test_world_ghacache_parse.c.
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
#define TWIRP "/twirp/github.actions.results.api.v1.CacheService/"

static char *tmp;              /* this program's folder */
static char *log_path;         /* the running service's request log */
static struct ghacache *g;     /* the service of the running test */
static char *main_token, *feature_token;

/* Start the service of one test with these settings, its log in tmp. */
static void start(struct ghacache_settings s)
{
	char *dir = xasprintf("%s/store-%d", tmp, rand());

	free(log_path);
	log_path = xasprintf("%s.log", dir);
	s.log = log_path;
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
	free(log_path);
	free(main_token);
	free(feature_token);
	return 0;
}

/* ---- the client side of the protocol ---- */

/* POST a Twirp call with the token (NULL: no Authorization) and a JSON
 * body, as go-actions-cache does. */
static void twirp(struct http_resp *r, const char *method, const char *token, const char *body)
{
	char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
	char *path = xasprintf(TWIRP "%s", method);
	const char *headers[3] = {"Content-Type: application/json", auth, NULL};

	assert_int_equal(http_request(r, ghacache_port(g), "POST", path, headers, body, strlen(body)), 0);
	free(path);
	free(auth);
}

/* The JSON of an answer's body. New reference. */
static json_t *json_of(const struct http_resp *r)
{
	json_t *v = json_loadb(r->body, r->len, 0, NULL);
	assert_non_null(v);
	return v;
}

/* A Twirp error's code, checked to be {"code", "msg"} with a message. */
static void assert_twirp_error(const struct http_resp *r, int status, const char *code)
{
	json_t *v = json_of(r);
	char type[64];

	assert_int_equal(r->status, status);
	assert_string_equal(http_header(r, "Content-Type", type, sizeof(type)), "application/json");
	assert_string_equal(json_string_value(json_object_get(v, "code")), code);
	assert_true(strlen(json_string_value(json_object_get(v, "msg"))) > 0);
	json_decref(v);
}

/* CreateCacheEntry: the signed upload URL (caller frees), or NULL and the
 * status in *status. */
static char *create(int *status, const char *token, const char *key)
{
	char *body = xasprintf("{\"key\":\"%s\",\"version\":\"%s\"}", key, VERSION), *url = NULL;
	struct http_resp r;

	twirp(&r, "CreateCacheEntry", token, body);
	*status = r.status;
	if (r.status == 200) {
		json_t *v = json_of(&r);
		assert_true(json_is_true(json_object_get(v, "ok")));
		url = xstrdup(json_string_value(json_object_get(v, "signed_upload_url")));
		json_decref(v);
	}
	http_resp_release(&r);
	free(body);
	return url;
}

/* FinalizeCacheEntryUpload with size_bytes a JSON number (go-actions-cache):
 * the status; *ok the answer's ok (200 only). */
static int finalize(bool *ok, const char *token, const char *key, long long size)
{
	char *body = xasprintf("{\"key\":\"%s\",\"size_bytes\":%lld,\"version\":\"%s\"}", key, size, VERSION);
	struct http_resp r;
	int status;

	twirp(&r, "FinalizeCacheEntryUpload", token, body);
	status = r.status;
	if (ok)
		*ok = false;
	if (status == 200) {
		json_t *v = json_of(&r);
		if (ok)
			*ok = json_is_true(json_object_get(v, "ok"));
		if (json_is_true(json_object_get(v, "ok")))
			assert_true(json_is_string(json_object_get(v, "entry_id"))); /* protojson int64 */
		json_decref(v);
	}
	http_resp_release(&r);
	free(body);
	return status;
}

/* GetCacheEntryDownloadURL of key with restore keys (a JSON list, NULL:
 * [key], as BuildKit sends): the matched key ("" on a miss; caller frees),
 * the URL into *url when not NULL (caller frees). */
static char *lookup(char **url, const char *token, const char *key, const char *restore,
		    const char *version)
{
	char *body = restore ? xasprintf("{\"key\":\"%s\",\"restore_keys\":%s,\"version\":\"%s\"}", key,
					 restore, version)
			     : xasprintf("{\"key\":\"%s\",\"restore_keys\":[\"%s\"],\"version\":\"%s\"}",
					 key, key, version);
	struct http_resp r;
	json_t *v;
	char *matched;

	twirp(&r, "GetCacheEntryDownloadURL", token, body);
	assert_int_equal(r.status, 200);
	v = json_of(&r);
	matched = xstrdup(json_is_true(json_object_get(v, "ok"))
				  ? json_string_value(json_object_get(v, "matched_key")) : "");
	if (url)
		*url = *matched ? xstrdup(json_string_value(json_object_get(v, "signed_download_url"))) : NULL;
	json_decref(v);
	http_resp_release(&r);
	free(body);
	return matched;
}

static void assert_found(const char *token, const char *key, const char *restore, const char *want)
{
	char *matched = lookup(NULL, token, key, restore, VERSION);
	assert_string_equal(matched, want);
	free(matched);
}

/* A request on a signed URL ("http://127.0.0.1:PORT/PATH?QUERY") with
 * `more` appended to its query (may be NULL) and up to two header lines. */
static void on_url(struct http_resp *r, const char *method, const char *url, const char *more,
		   const char *h1, const char *h2, const void *body, size_t len)
{
	const char *path = strchr(url + strlen("http://"), '/');
	char *full = xasprintf("%s%s", path, more ? more : "");
	const char *headers[3] = {h1, h2, NULL};

	assert_non_null(path);
	if (!h1)
		headers[0] = h2, headers[1] = NULL;
	assert_int_equal(http_request(r, ghacache_port(g), method, full, headers, body ? body : "", len), 0);
	free(full);
}

/* Put Blob (x-ms-blob-type: BlockBlob): the status. */
static int put_blob(const char *url, const void *data, size_t len)
{
	struct http_resp r;
	int status;

	on_url(&r, "PUT", url, NULL, "x-ms-blob-type: BlockBlob", NULL, data, len);
	status = r.status;
	if (status == 201) {
		char id[64];
		assert_non_null(http_header(&r, "x-ms-request-id", id, sizeof(id)));
	}
	http_resp_release(&r);
	return status;
}

/* A block id as Azure's SDK makes them: 64 bytes, base64. */
static char *block_id(int n)
{
	unsigned char raw[64] = {0};
	char *id = xmalloc(BASE64_LEN(sizeof(raw)) + 1);

	raw[0] = 0xfb; /* '+' and '/' in the base64 */
	raw[1] = 0xff;
	raw[19] = (unsigned char)n;
	base64_encode(id, raw, sizeof(raw));
	return id;
}

/* id percent-encoded for a query, as Go's url.Values.Encode writes it. */
static char *query_escape(const char *id)
{
	struct strbuf sb = {0};

	for (; *id; id++) {
		if (strchr("+/=", *id))
			strbuf_printf(&sb, "%%%02X", (unsigned char)*id);
		else
			strbuf_add(&sb, id, 1);
	}
	return strbuf_detach(&sb);
}

/* Put Block of block n: the status. */
static int put_block(const char *url, int n, const void *data, size_t len)
{
	char *id = block_id(n), *esc = query_escape(id), *more = xasprintf("&comp=block&blockid=%s", esc);
	struct http_resp r;
	int status;

	on_url(&r, "PUT", url, more, NULL, NULL, data, len);
	status = r.status;
	http_resp_release(&r);
	free(more);
	free(esc);
	free(id);
	return status;
}

/* Put Block List of blocks n[0..count) (all <Latest>, as the SDK writes
 * it): the status. */
static int put_block_list(const char *url, const int *n, size_t count)
{
	struct strbuf xml = {0};
	struct http_resp r;
	size_t i;
	int status;

	strbuf_puts(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BlockList>");
	for (i = 0; i < count; i++) {
		char *id = block_id(n[i]);
		strbuf_printf(&xml, "<Latest>%s</Latest>", id);
		free(id);
	}
	strbuf_puts(&xml, "</BlockList>");
	on_url(&r, "PUT", url, "&comp=blocklist", "Content-Type: application/xml", NULL, xml.buf, xml.len);
	status = r.status;
	http_resp_release(&r);
	strbuf_release(&xml);
	return status;
}

/* Create, Put Blob and finalize len bytes of `fill` as key. */
static void save(const char *token, const char *key, size_t len, char fill)
{
	char *data = xmalloc(len + 1), *url;
	bool ok;
	int status;

	memset(data, fill, len);
	url = create(&status, token, key);
	assert_non_null(url);
	assert_int_equal(put_blob(url, data, len), 201);
	assert_int_equal(finalize(&ok, token, key, (long long)len), 200);
	assert_true(ok);
	free(data);
	free(url);
}

/* GET a signed download URL with an optional range header line. */
static void download(struct http_resp *r, const char *url, const char *range)
{
	on_url(r, "GET", url, NULL, range, NULL, NULL, 0);
}

/* The request log's lines so far, as one string. Caller frees. */
static char *log_text(void)
{
	char *text = NULL;
	size_t len;

	assert_int_equal(read_file(&text, &len, log_path), 0);
	return text;
}

/* ---- tests ---- */

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

static void test_create_put_finalize_get(void **state)
{
	char data[3000], *up, *down, *matched, cr[64];
	struct http_resp r;
	bool ok;
	int status;
	size_t i;
	(void)state;

	start((struct ghacache_settings){0});
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	matched = lookup(NULL, main_token, "blob-1", NULL, VERSION);
	assert_string_equal(matched, ""); /* a miss is 200 {"ok": false} */
	free(matched);
	up = create(&status, main_token, "blob-1");
	assert_non_null(up);
	assert_true(!strncmp(up, ghacache_url(g), strlen(ghacache_url(g))));
	assert_non_null(strstr(up, "sig="));
	assert_non_null(strstr(up, "se="));
	/* nothing uploaded yet: no finalize */
	assert_int_equal(finalize(NULL, main_token, "blob-1", 3000), 412);
	assert_int_equal(put_blob(up, data, sizeof(data)), 201);
	/* not finalized: not found */
	matched = lookup(NULL, main_token, "blob-1", NULL, VERSION);
	assert_string_equal(matched, "");
	free(matched);
	/* the size must be the blob's */
	assert_int_equal(finalize(NULL, main_token, "blob-1", 2999), 400);
	assert_int_equal(finalize(&ok, main_token, "blob-1", 3000), 200);
	assert_true(ok);
	/* once finalized: no second finalize, the blob cannot change */
	assert_int_equal(finalize(NULL, main_token, "blob-1", 3000), 409);
	assert_int_equal(put_blob(up, data, 10), 409);

	matched = lookup(&down, main_token, "blob-1", NULL, VERSION);
	assert_string_equal(matched, "blob-1");
	free(matched);
	/* another version of the key is another entry */
	matched = lookup(NULL, main_token, "blob-1", NULL, "bbbb2222");
	assert_string_equal(matched, "");
	free(matched);

	download(&r, down, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(data));
	assert_memory_equal(r.body, data, sizeof(data));
	http_resp_release(&r);
	/* Azure's SDK resumes from an offset with x-ms-range; Range works too */
	download(&r, down, "x-ms-range: bytes=1500-");
	assert_int_equal(r.status, 206);
	assert_int_equal(r.len, 1500);
	assert_memory_equal(r.body, data + 1500, 1500);
	assert_string_equal(http_header(&r, "Content-Range", cr, sizeof(cr)), "bytes 1500-2999/3000");
	http_resp_release(&r);
	download(&r, down, "Range: bytes=10-19");
	assert_int_equal(r.status, 206);
	assert_int_equal(r.len, 10);
	assert_memory_equal(r.body, data + 10, 10);
	http_resp_release(&r);
	download(&r, down, "x-ms-range: bytes=3000-");
	assert_int_equal(r.status, 416);
	assert_string_equal(http_header(&r, "x-ms-error-code", cr, sizeof(cr)), "InvalidRange");
	http_resp_release(&r);
	/* a download URL cannot write, an upload URL cannot read */
	assert_int_equal(put_blob(down, data, 10), 403);
	download(&r, up, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(http_header(&r, "x-ms-error-code", cr, sizeof(cr)), "AuthorizationPermissionMismatch");
	http_resp_release(&r);
	free(up);
	free(down);
}

static void test_blocks_and_block_list(void **state)
{
	const int order[] = {0, 1, 2}, unknown[] = {0, 7};
	char a[1000], b[700], c[300], *up, *down, *matched;
	struct ghacache_counters k;
	struct http_resp r;
	int status;
	(void)state;

	start((struct ghacache_settings){0});
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	up = create(&status, main_token, "layer");
	assert_non_null(up);
	/* staged out of order, block 1 staged twice (the latest wins) */
	assert_int_equal(put_block(up, 2, c, sizeof(c)), 201);
	assert_int_equal(put_block(up, 1, a, 10), 201);
	assert_int_equal(put_block(up, 0, a, sizeof(a)), 201);
	assert_int_equal(put_block(up, 1, b, sizeof(b)), 201);
	/* a bad block id, and a list naming a block never staged */
	on_url(&r, "PUT", up, "&comp=block&blockid=not-base64", NULL, NULL, a, 1);
	assert_int_equal(r.status, 400);
	http_resp_release(&r);
	assert_int_equal(put_block_list(up, unknown, 2), 400);
	/* nothing is the blob before the list: no finalize */
	assert_int_equal(finalize(NULL, main_token, "layer", 2000), 412);
	assert_int_equal(put_block_list(up, order, 3), 201);
	assert_int_equal(finalize(NULL, main_token, "layer", 2000), 200);
	matched = lookup(&down, main_token, "layer", NULL, VERSION);
	assert_string_equal(matched, "layer");
	download(&r, down, NULL);
	assert_int_equal(r.len, 2000);
	assert_memory_equal(r.body, a, sizeof(a));
	assert_memory_equal(r.body + 1000, b, sizeof(b));
	assert_memory_equal(r.body + 1700, c, sizeof(c));
	http_resp_release(&r);
	/* only the blob is left in the store's folder: the staged parts went */
	{
		char *store = xstrndup(log_path, strlen(log_path) - 4);
		int64_t bytes = 0;
		assert_int_equal(dir_size(&bytes, store), 0);
		assert_int_equal(bytes, 2000);
		free(store);
	}
	ghacache_counters(&k, g);
	assert_int_equal(k.blocks, 4);
	assert_int_equal(k.block_lists, 1);
	assert_int_equal(k.bytes_up, 1000 + 10 + 700 + 300); /* not the refused block's */
	free(matched);
	free(up);
	free(down);
}

static void test_twirp_errors(void **state)
{
	struct ghacache_scope read_only[] = {{MAIN, GHACACHE_READ}};
	int64_t now = (int64_t)time(NULL);
	const char *body = "{\"key\":\"k\",\"version\":\"" VERSION "\"}";
	const char *no_type[] = {"Authorization: Bearer x", NULL};
	struct http_resp r;
	char *reader, *url;
	int status;
	(void)state;

	assert_int_equal(ghacache_token(&reader, read_only, 1, now - 5, now + 600), 0);
	start((struct ghacache_settings){0});
	twirp(&r, "DeleteCacheEntry", main_token, body); /* not a call BuildKit makes */
	assert_twirp_error(&r, 404, "bad_route");
	http_resp_release(&r);
	assert_int_equal(http_request(&r, ghacache_port(g), "GET", TWIRP "CreateCacheEntry", NULL, NULL, 0), 0);
	assert_twirp_error(&r, 404, "bad_route");
	http_resp_release(&r);
	assert_int_equal(http_request(&r, ghacache_port(g), "POST", TWIRP "CreateCacheEntry", no_type, body,
				      strlen(body)), 0);
	assert_twirp_error(&r, 404, "bad_route");
	http_resp_release(&r);
	assert_int_equal(http_request(&r, ghacache_port(g), "GET", "/_apis/artifactcache/cache?keys=k", NULL,
				      NULL, 0), 0);
	assert_twirp_error(&r, 404, "bad_route"); /* v1 is gone */
	http_resp_release(&r);
	twirp(&r, "CreateCacheEntry", main_token, "{\"key\":");
	assert_twirp_error(&r, 400, "malformed");
	http_resp_release(&r);
	twirp(&r, "CreateCacheEntry", main_token, "{\"key\":\"a,b\",\"version\":\"v\"}");
	assert_twirp_error(&r, 400, "invalid_argument");
	http_resp_release(&r);
	twirp(&r, "CreateCacheEntry", NULL, body);
	assert_twirp_error(&r, 401, "unauthenticated");
	http_resp_release(&r);
	twirp(&r, "CreateCacheEntry", reader, body);
	assert_twirp_error(&r, 403, "permission_denied");
	http_resp_release(&r);
	url = create(&status, main_token, "k");
	assert_non_null(url);
	/* the same key and version again: go-actions-cache reads "already_exists" as
	 * os.ErrExist (BuildKit's index then takes the next number) */
	twirp(&r, "CreateCacheEntry", main_token, body);
	assert_twirp_error(&r, 409, "already_exists");
	http_resp_release(&r);
	twirp(&r, "FinalizeCacheEntryUpload", main_token, "{\"key\":\"nope\",\"size_bytes\":1,\"version\":\"" VERSION "\"}");
	assert_twirp_error(&r, 404, "not_found");
	http_resp_release(&r);
	twirp(&r, "FinalizeCacheEntryUpload", main_token, body);
	assert_twirp_error(&r, 400, "invalid_argument"); /* no size_bytes */
	http_resp_release(&r);
	free(url);
	free(reader);
}

static void test_signed_urls_expire(void **state)
{
	struct ghacache_counters c;
	struct http_resp r;
	char *up, *down, *matched, *forged, code[64];
	bool ok;
	int status;
	(void)state;

	start((struct ghacache_settings){.url_lifetime = 60});
	up = create(&status, main_token, "k");
	assert_non_null(up);
	/* a signature that does not match (the expiry moved by hand) */
	forged = xstrdup(up);
	{
		char *se = strstr(forged, "se=") + 3;
		se[3] = se[3] == '9' ? '8' : (char)(se[3] + 1); /* another year */
	}
	assert_int_equal(put_blob(forged, "x", 1), 403);
	free(forged);
	/* past its lifetime the upload URL is refused */
	ghacache_clock_advance(g, 61);
	on_url(&r, "PUT", up, NULL, "x-ms-blob-type: BlockBlob", NULL, "abc", 3);
	assert_int_equal(r.status, 403);
	assert_string_equal(http_header(&r, "x-ms-error-code", code, sizeof(code)), "AuthenticationFailed");
	assert_non_null(strstr(r.body, "<Error><Code>AuthenticationFailed</Code>"));
	assert_non_null(strstr(r.body, "expiry"));
	http_resp_release(&r);
	free(up);
	/* the token outlives it: a new entry gets a new URL */
	up = create(&status, main_token, "k2");
	assert_int_equal(put_blob(up, "abc", 3), 201);
	assert_int_equal(finalize(&ok, main_token, "k2", 3), 200);
	matched = lookup(&down, main_token, "k2", NULL, VERSION);
	download(&r, down, NULL);
	assert_int_equal(r.status, 200);
	http_resp_release(&r);
	ghacache_clock_advance(g, 61);
	download(&r, down, NULL);
	assert_int_equal(r.status, 403); /* go-actions-cache then asks for the URL again */
	http_resp_release(&r);
	free(down);
	free(matched);
	matched = lookup(&down, main_token, "k2", NULL, VERSION);
	download(&r, down, NULL);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "abc", 3);
	http_resp_release(&r);
	ghacache_counters(&c, g);
	assert_int_equal(c.expired, 2);
	assert_int_equal(c.failed, 1); /* the forged one */
	free(down);
	free(matched);
	free(up);
}

static void test_prefix_and_restore_keys(void **state)
{
	(void)state;
	start((struct ghacache_settings){0});
	/* BuildKit's index: SaveMutable looks up "KEY#" (restore_keys ["KEY#"])
	 * and creates "KEY#N+1"; the importer looks up "KEY" the same way */
	save(main_token, "index-buildkit-1-abc#1", 10, 'a');
	save(main_token, "index-buildkit-1-abc#2", 10, 'b');
	assert_found(main_token, "index-buildkit-1-abc#", NULL, "index-buildkit-1-abc#2");
	assert_found(main_token, "index-buildkit-1-abc", NULL, "index-buildkit-1-abc#2");
	/* newest means finalized last, not the greatest key */
	save(main_token, "index-buildkit-1-abc#10", 10, 'c');
	save(main_token, "index-buildkit-1-abc#9", 10, 'd');
	assert_found(main_token, "index-buildkit-1-abc#", NULL, "index-buildkit-1-abc#9");
	/* an exact match of the key beats a newer prefix match */
	save(main_token, "npm-a", 10, 'e');
	save(main_token, "npm-ab", 10, 'f');
	assert_found(main_token, "npm-a", NULL, "npm-a");
	/* the key itself is exact only: a prefix needs a restore key */
	assert_found(main_token, "npm-", "[]", "");
	/* restore keys: the newest entry starting with the first that matches */
	assert_found(main_token, "yarn-x", "[\"yarn-\",\"npm-\"]", "npm-ab");
	assert_found(main_token, "yarn-x", "[\"pip-\"]", "");
}

static void test_scopes(void **state)
{
	struct ghacache_scope other_scopes[] = {{"refs/heads/other", 3}, {MAIN, 1}};
	char *other, *url;
	int64_t now = (int64_t)time(NULL);
	struct http_resp r;
	int status;
	(void)state;

	assert_int_equal(ghacache_token(&other, other_scopes, 2, now - 5, now + 600), 0);
	start((struct ghacache_settings){0});
	save(main_token, "k-main", 10, 'm');
	save(feature_token, "k-feat", 10, 'f');
	/* a branch reads the default branch's entries... */
	assert_found(feature_token, "k-main", NULL, "k-main");
	/* ...but neither the default branch nor another branch reads its own */
	assert_found(main_token, "k-feat", NULL, "");
	assert_found(other, "k-feat", NULL, "");
	assert_found(other, "k-main", NULL, "k-main");
	/* its own scope is searched first, then the default branch's */
	save(main_token, "k-x", 10, 'n');
	save(feature_token, "k-x", 10, 'o');
	{
		char *matched = lookup(&url, feature_token, "k-x", NULL, VERSION);
		download(&r, url, NULL);
		assert_memory_equal(r.body, "oooooooooo", 10);
		http_resp_release(&r);
		free(url);
		free(matched);
		matched = lookup(&url, main_token, "k-x", NULL, VERSION);
		download(&r, url, NULL);
		assert_memory_equal(r.body, "nnnnnnnnnn", 10);
		http_resp_release(&r);
		free(url);
		free(matched);
	}
	assert_found(feature_token, "zzz", "[\"k-\"]", "k-x"); /* k-feat or k-x of its own scope */
	/* a branch writes only into its own scope: the same key is another entry */
	url = create(&status, other, "k-main");
	assert_non_null(url);
	free(url);
	assert_null(create(&status, main_token, "k-main"));
	assert_int_equal(status, 409);
	free(other);
}

static void test_tokens_refused(void **state)
{
	struct ghacache_scope scopes[] = {{MAIN, 3}};
	int64_t now = (int64_t)time(NULL);
	struct ghacache_counters c;
	char *expired, *early, *no_ac, *bad_ac, *body;
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
	body = xasprintf("{\"key\":\"k\",\"restore_keys\":[\"k\"],\"version\":\"%s\"}", VERSION);
	{
		const char *tokens[] = {expired, early, no_ac, bad_ac, garbled[0], garbled[1], garbled[2]};
		for (i = 0; i < sizeof(tokens) / sizeof(*tokens); i++) {
			twirp(&r, "GetCacheEntryDownloadURL", tokens[i], body);
			assert_twirp_error(&r, 401, "unauthenticated");
			http_resp_release(&r);
		}
	}
	assert_found(main_token, "k", NULL, "");
	/* the service's clock past the token's exp: refused too */
	ghacache_clock_advance(g, 3700);
	twirp(&r, "GetCacheEntryDownloadURL", main_token, body);
	assert_twirp_error(&r, 401, "unauthenticated");
	http_resp_release(&r);
	ghacache_counters(&c, g);
	assert_int_equal(c.unauthorized, 8);
	assert_int_equal(c.misses, 1);
	free(body);
	free(expired);
	free(early);
	free(no_ac);
	free(bad_ac);
}

static void test_rate_limit(void **state)
{
	struct ghacache_counters c;
	struct http_resp r;
	char ra[16], *url;
	const char *body = "{\"key\":\"k3\",\"version\":\"" VERSION "\"}";
	bool ok;
	int status;
	(void)state;

	start((struct ghacache_settings){.rate_limit = 2, .rate_period = 60});
	/* two upload calls go (a create, a finalize), the third is refused */
	url = create(&status, main_token, "k1");
	assert_non_null(url);
	assert_int_equal(put_blob(url, "abc", 3), 201); /* the blob store is not limited */
	assert_int_equal(finalize(&ok, main_token, "k1", 3), 200);
	twirp(&r, "CreateCacheEntry", main_token, body);
	assert_twirp_error(&r, 429, "resource_exhausted");
	/* one call per 30 s: the next slot is at most 30 s away */
	assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 30);
	http_resp_release(&r);
	assert_int_equal(finalize(NULL, main_token, "k1", 3), 429);
	/* lookups are not limited */
	assert_found(main_token, "k1", NULL, "k1");
	assert_found(main_token, "k2", NULL, "");
	ghacache_counters(&c, g);
	assert_int_equal(c.throttled, 2);
	assert_int_equal(c.reserved, 1);
	free(url);
	stop(NULL);

	/* a fast limit: after the Retry-After wait the call goes */
	start((struct ghacache_settings){.rate_limit = 1, .rate_period = 1});
	url = create(&status, main_token, "k1");
	free(url);
	twirp(&r, "CreateCacheEntry", main_token, body);
	assert_int_equal(r.status, 429);
	assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
	assert_int_equal(atoi(ra), 1);
	http_resp_release(&r);
	assert_int_equal(pace_sleep(atoi(ra), NULL, NULL), 0);
	url = create(&status, main_token, "k3");
	assert_non_null(url);
	free(url);
	/* a fixed Retry-After when the scenario sets one */
	stop(NULL);
	start((struct ghacache_settings){.rate_limit = 1, .rate_period = 60, .retry_after = 7});
	free(create(&status, main_token, "k1"));
	twirp(&r, "CreateCacheEntry", main_token, body);
	assert_string_equal(http_header(&r, "Retry-After", ra, sizeof(ra)), "7");
	http_resp_release(&r);
}

static void test_lru_eviction(void **state)
{
	struct ghacache_counters c;
	struct http_resp r;
	char *loc_b, *matched, *url, *big;
	bool ok;
	int status;
	(void)state;

	start((struct ghacache_settings){.quota = 3000});
	save(main_token, "A", 1000, 'a');
	save(main_token, "B", 1000, 'b');
	save(main_token, "C", 1000, 'c');
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 0);
	assert_int_equal(c.total_size, 3000);
	matched = lookup(&loc_b, main_token, "B", NULL, VERSION);
	free(matched);
	/* A is the oldest but a hit makes it recently used: B, C, A */
	assert_found(main_token, "A", NULL, "A");
	assert_found(main_token, "C", NULL, "C");
	assert_found(main_token, "A", NULL, "A");
	save(main_token, "D", 1000, 'd'); /* over the quota: B goes */
	assert_found(main_token, "B", NULL, "");
	download(&r, loc_b, NULL);
	assert_int_equal(r.status, 404);
	http_resp_release(&r);
	save(main_token, "E", 1500, 'e'); /* C then A go */
	assert_found(main_token, "C", NULL, "");
	assert_found(main_token, "A", NULL, "");
	assert_found(main_token, "D", NULL, "D");
	assert_found(main_token, "E", NULL, "E");
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 3);
	assert_int_equal(c.evicted_bytes, 3000);
	assert_int_equal(c.entries, 2);
	assert_int_equal(c.total_size, 2500);
	/* an entry larger than the whole quota is refused ({"ok": false} and a
	 * message) and dropped: its key can be created again */
	url = create(&status, main_token, "huge");
	big = xmalloc(3001);
	memset(big, 'h', 3001);
	assert_int_equal(put_blob(url, big, 3001), 201);
	assert_int_equal(finalize(&ok, main_token, "huge", 3001), 200);
	assert_false(ok);
	assert_found(main_token, "huge", NULL, "");
	free(url);
	url = create(&status, main_token, "huge");
	assert_non_null(url);
	ghacache_counters(&c, g);
	assert_int_equal(c.evictions, 3);
	assert_int_equal(c.total_size, 2500);
	free(big);
	free(url);
	free(loc_b);
}

static void test_counters_and_log(void **state)
{
	struct ghacache_counters c;
	char *url, *matched, *text, *line;
	struct http_resp r;
	json_t *j;
	int status;
	(void)state;

	start((struct ghacache_settings){0});
	assert_found(main_token, "x", NULL, "");
	save(main_token, "x", 4000, 'x');
	assert_null(create(&status, main_token, "x"));
	matched = lookup(&url, main_token, "x", NULL, VERSION);
	download(&r, url, "x-ms-range: bytes=1000-");
	assert_int_equal(r.len, 3000);
	http_resp_release(&r);
	ghacache_counters(&c, g);
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.misses, 1);
	assert_int_equal(c.reserved, 1);
	assert_int_equal(c.conflicts, 1);
	assert_int_equal(c.committed, 1);
	assert_int_equal(c.blob_puts, 1);
	assert_int_equal(c.downloads, 1);
	assert_int_equal(c.ranged, 1);
	assert_int_equal(c.bytes_up, 4000);
	assert_int_equal(c.bytes_down, 3000);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.requests, 7);
	assert_int_equal(c.entries, 1);
	assert_int_equal(c.total_size, 4000);
	j = ghacache_counters_json(&c);
	assert_int_equal(json_integer_value(json_object_get(j, "bytes_down")), 3000);
	assert_int_equal(json_integer_value(json_object_get(j, "conflicts")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "ranged")), 1);
	assert_int_equal(json_object_size(j), 21);
	json_decref(j);
	/* a reset zeroes what happened, not what is there */
	ghacache_counters_reset(g);
	ghacache_counters(&c, g);
	assert_int_equal(c.hits + c.misses + c.bytes_up + c.bytes_down + c.requests, 0);
	assert_int_equal(c.entries, 1);
	assert_int_equal(c.total_size, 4000);
	stop(NULL); /* every request is in the log once the service stopped */
	text = log_text();
	/* one line per request: time, method, endpoint, key, status, bytes in, bytes out, detail */
	assert_true(!strncmp(text, "# ", 2));
	assert_non_null(strstr(text, "\tPOST\tGetCacheEntryDownloadURL\tx\t200\t"));
	assert_non_null(strstr(text, "\tmiss restore_keys=1\n"));
	assert_non_null(strstr(text, "\tPOST\tCreateCacheEntry\tx\t200\t"));
	assert_non_null(strstr(text, "\tPUT\tPutBlob\tx\t201\t4000\t0\t-\n"));
	assert_non_null(strstr(text, "\tPOST\tFinalizeCacheEntryUpload\tx\t200\t"));
	assert_non_null(strstr(text, "\tPOST\tCreateCacheEntry\tx\t409\t"));
	assert_non_null(strstr(text, "error=already_exists\n"));
	assert_non_null((line = strstr(text, "\tGET\tGetBlob\tx\t206\t0\t3000\trange=bytes=1000-\n")));
	{
		size_t n = 0;
		for (const char *p = text; (p = strchr(p, '\n')); p++)
			n++;
		assert_int_equal(n, 1 + 7);
	}
	free(text);
	free(matched);
	free(url);
}

static void test_pacing_and_latency(void **state)
{
	size_t len = 300000;
	char *data = xmalloc(len), *url, *matched;
	struct http_resp r;
	monotime t0;
	bool ok;
	int status;
	(void)state;

	/* 1 MB/s each way: 300 KB take at least 0.3 s up and 0.3 s down */
	start((struct ghacache_settings){.bandwidth = 1e6, .latency = 0.05});
	memset(data, 'p', len);
	url = create(&status, main_token, "paced");
	t0 = monotime_now();
	assert_int_equal(put_blob(url, data, len), 201);
	assert_true(monotime_seconds_since(t0) >= 0.25);
	assert_int_equal(finalize(&ok, main_token, "paced", (long long)len), 200);
	free(url);
	t0 = monotime_now();
	matched = lookup(&url, main_token, "paced", NULL, VERSION);
	assert_true(monotime_seconds_since(t0) >= 0.05); /* the latency */
	t0 = monotime_now();
	download(&r, url, NULL);
	assert_true(monotime_seconds_since(t0) >= 0.25);
	assert_int_equal(r.len, len);
	http_resp_release(&r);
	free(matched);
	free(url);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_claims),
		cmocka_unit_test_teardown(test_create_put_finalize_get, stop),
		cmocka_unit_test_teardown(test_blocks_and_block_list, stop),
		cmocka_unit_test_teardown(test_twirp_errors, stop),
		cmocka_unit_test_teardown(test_signed_urls_expire, stop),
		cmocka_unit_test_teardown(test_prefix_and_restore_keys, stop),
		cmocka_unit_test_teardown(test_scopes, stop),
		cmocka_unit_test_teardown(test_tokens_refused, stop),
		cmocka_unit_test_teardown(test_rate_limit, stop),
		cmocka_unit_test_teardown(test_lru_eviction, stop),
		cmocka_unit_test_teardown(test_counters_and_log, stop),
		cmocka_unit_test_teardown(test_pacing_and_latency, stop),
	};
	return cmocka_run_group_tests_name("the emulated GitHub cache service v2", tests, setup, teardown);
}
