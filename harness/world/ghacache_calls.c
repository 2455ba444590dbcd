/*
 * world/ghacache_calls.c: the API calls of the emulated GitHub Actions cache
 * (see ghacache.h), answered once the request's body is in (ghacache.c
 * checked the token, the rate limit and a chunk's range when the headers
 * came): look up, reserve, a chunk, commit, and the download of an archive.
 */
#include "world/ghacache_http.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum MHD_Result gha_do_lookup(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	const char *keys = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "keys");
	const char *version = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "version");
	struct strvec list = {0}, readable = {0};
	struct gha_entry *e;
	json_t *hit = NULL;
	size_t i;

	if (!keys || !*keys || !version || !*version) {
		gha_fault_set(&call->fault, 400, "ArgumentNullException",
			      "keys and version are required");
		return gha_answer_fault(call, c);
	}
	for (const char *p = keys; *p;) {
		size_t len = strcspn(p, ",");
		char *k = xstrndup(p, len);
		strvec_push(&list, k);
		free(k);
		p += len + (p[len] == ',');
	}
	for (i = 0; i < call->grant.n; i++)
		if (call->grant.scopes[i].permission & GHACACHE_READ)
			strvec_push(&readable, call->grant.scopes[i].scope);
	pthread_mutex_lock(&g->lock);
	e = gha_store_lookup(&g->store, strvec_argv(&list), list.n, version,
			     strvec_argv(&readable), readable.n);
	if (e) {
		char created[32], *where = xasprintf("http://127.0.0.1:%d" GHA_API "archives/%" PRId64
						     "?sig=%s", g->port, e->id, g->sig);
		struct tm tm;
		gmtime_r(&e->created_at, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
		hit = json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", e->scope, "cacheKey", e->key,
				"cacheVersion", e->version, "creationTime", created,
				"archiveLocation", where);
		free(where);
		g->c.hits++;
	} else {
		g->c.misses++;
	}
	pthread_mutex_unlock(&g->lock);
	strvec_release(&list);
	strvec_release(&readable);
	if (hit)
		return gha_answer_json(call, c, 200, hit);
	return gha_answer(call, c, 204, NULL, "", 0);
}

/* The request body as a JSON object, or NULL with the fault set. */
static json_t *body_object(struct gha_call *call)
{
	json_t *v = call->body.buf ? json_loadb(call->body.buf, call->body.len, 0, NULL) : NULL;

	if (!json_is_object(v)) {
		json_decref(v);
		gha_fault_set(&call->fault, 400, "ArgumentException", "the body is not a JSON object");
		return NULL;
	}
	return v;
}

enum MHD_Result gha_do_reserve(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	json_t *req = body_object(call);
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *version = json_string_value(json_object_get(req, "version"));
	json_int_t size = json_integer_value(json_object_get(req, "cacheSize"));
	const char *scope = gha_grant_write_scope(&call->grant);
	int64_t id = 0;
	char *path = NULL;
	int fd;

	if (!req)
		return gha_answer_fault(call, c);
	if (!key || !*key || strlen(key) > 512 || strchr(key, ',') || !version || !*version)
		gha_fault_set(&call->fault, 400, "ArgumentException",
			      "a key (at most 512 characters, no comma) and a version are required");
	else if (!scope)
		gha_fault_set(&call->fault, 403, "AccessDeniedException",
			      "the token grants no scope to write into");
	strbuf_printf(&call->desc, " {%s}", key ? key : "");
	pthread_mutex_lock(&g->lock);
	if (!call->fault.status && g->store.quota && size > g->store.quota)
		gha_fault_set(&call->fault, 400, "ArtifactCacheSizeLimitExceededException",
			      "Cache size of %" PRId64 " bytes is over the repository's limit of %"
			      PRId64 " bytes", (int64_t)size, g->store.quota);
	if (!call->fault.status &&
	    gha_store_reserve(&id, &call->fault, &g->store, key, version, scope) == 0) {
		g->c.reserved++;
		path = gha_store_path(&g->store, id);
	} else if (call->fault.status == 409) {
		g->c.conflicts++;
	}
	pthread_mutex_unlock(&g->lock);
	json_decref(req);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	free(path);
	return gha_answer_json(call, c, 201, json_pack("{s:I}", "cacheId", (json_int_t)id));
}

enum MHD_Result gha_do_upload(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct gha_entry *e;

	if (call->got != call->length) {
		gha_fault_set(&call->fault, 400, "ArgumentException",
			      "chunk of %" PRId64 " bytes, its Content-Range says %" PRId64, call->got,
			      call->length);
		return gha_answer_fault(call, c);
	}
	pthread_mutex_lock(&g->lock);
	if ((e = gha_store_get(&g->store, call->id)) && !e->committed)
		gha_entry_add_range(e, call->start, call->start + call->length);
	else
		gha_fault_set(&call->fault, 404, "ArtifactCacheNotFoundException",
			      "Cache not found: %" PRId64, call->id);
	pthread_mutex_unlock(&g->lock);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	return gha_answer(call, c, 204, NULL, "", 0);
}

enum MHD_Result gha_do_commit(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	json_t *req = body_object(call);
	json_t *size = json_object_get(req, "size");
	const char *scope = gha_grant_write_scope(&call->grant);
	struct gha_entry *e;
	int64_t evicted = 0, evicted_bytes = 0;

	if (!req)
		return gha_answer_fault(call, c);
	strbuf_printf(&call->desc, " {size %lld}", (long long)json_integer_value(size));
	pthread_mutex_lock(&g->lock);
	e = gha_store_get(&g->store, call->id);
	if (!json_is_integer(size))
		gha_fault_set(&call->fault, 400, "ArgumentException", "the size is required");
	else if (!e || !scope || strcmp(e->scope, scope))
		gha_fault_set(&call->fault, 404, "ArtifactCacheNotFoundException",
			      "Cache not found: %" PRId64, call->id);
	else if (gha_store_commit(&evicted, &evicted_bytes, &call->fault, &g->store, e,
				  (int64_t)json_integer_value(size)) == 0)
		g->c.committed++;
	g->c.evictions += evicted;
	g->c.evicted_bytes += evicted_bytes;
	pthread_mutex_unlock(&g->lock);
	json_decref(req);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	return gha_answer(call, c, 204, NULL, "", 0);
}

/* An archive being sent: its file, where the range starts, its pacer.
 * Owned by the MHD response (freed by archive_free). */
struct archive {
	struct ghacache *g;
	int fd;
	int64_t offset;
	struct pacer pacer;
};

static ssize_t archive_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct archive *a = cls;
	size_t grant = pacer_acquire(&a->pacer, max);
	ssize_t n;

	if (!grant)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	do
		n = pread(a->fd, buf, grant, (off_t)(a->offset + (int64_t)pos));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	pthread_mutex_lock(&a->g->lock);
	a->g->c.bytes_down += n;
	pthread_mutex_unlock(&a->g->lock);
	return n;
}

static void archive_free(void *cls)
{
	struct archive *a = cls;
	close(a->fd);
	free(a);
}

/* "bytes=S-" or "bytes=S-E" within size: [*start, *end]. 0, or -1 when
 * unsatisfiable or not understood. */
static int parse_range(int64_t *start, int64_t *end, const char *text, int64_t size)
{
	long long s, e = size - 1;
	int n = 0;

	if (sscanf(text, "bytes=%lld-%n", &s, &n) != 1 || !n)
		return -1;
	if (text[n] && (sscanf(text + n, "%lld", &e) != 1 || e < s))
		return -1;
	if (s < 0 || s >= size)
		return -1;
	*start = s;
	*end = e < size ? e : size - 1;
	return 0;
}

/* GET the archiveLocation of a hit: GitHub's points at Azure storage with a
 * signature in its query and takes no Authorization; so does this one. */
enum MHD_Result gha_do_download(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sig");
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	struct MHD_Response *r;
	struct gha_entry *e;
	struct archive *a;
	char *path = NULL, cr[96];
	int64_t size = 0, start = 0, end;
	enum MHD_Result ret;
	int fd = -1;

	if (!sig || strcmp(sig, g->sig)) {
		gha_fault_set(&call->fault, 403, "AuthenticationFailed", "bad archive signature");
		return gha_answer_fault(call, c);
	}
	pthread_mutex_lock(&g->lock);
	if ((e = gha_store_get(&g->store, call->id)) && e->committed) {
		gha_store_touch(&g->store, e);
		size = e->size;
		path = gha_store_path(&g->store, e->id);
	}
	pthread_mutex_unlock(&g->lock);
	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(path);
		gha_fault_set(&call->fault, 404, "BlobNotFound", "archive %" PRId64 " is gone",
			      call->id);
		return gha_answer_fault(call, c);
	}
	free(path);
	end = size - 1;
	if (range) {
		strbuf_printf(&call->desc, " [%s]", range);
		if (parse_range(&start, &end, range, size) < 0) {
			close(fd);
			snprintf(call->header[0], sizeof(call->header[0]), "%s",
				 MHD_HTTP_HEADER_CONTENT_RANGE);
			snprintf(call->header[1], sizeof(call->header[1]), "bytes */%" PRId64, size);
			gha_fault_set(&call->fault, 416, "InvalidRange", "cannot serve %s of %" PRId64
				      " bytes", range, size);
			return gha_answer_fault(call, c);
		}
	}
	a = xcalloc(1, sizeof(*a));
	a->g = g;
	a->fd = fd;
	a->offset = start;
	pacer_init(&a->pacer, g->s.bandwidth, gha_stopping, g);
	pacer_set_link(&a->pacer, g->s.link);
	r = MHD_create_response_from_callback((uint64_t)(end + 1 - start), 1 << 16, archive_read, a,
					      archive_free);
	if (!r) {
		archive_free(a);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (range) {
		snprintf(cr, sizeof(cr), "bytes %" PRId64 "-%" PRId64 "/%" PRId64, start, end, size);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	gha_call_count(call, range ? 206 : 200);
	ret = MHD_queue_response(c, range ? 206 : 200, r);
	MHD_destroy_response(r);
	return ret;
}

