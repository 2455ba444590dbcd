/*
 * world/ghacache.c: the HTTP side of the emulated GitHub Actions cache (see
 * ghacache.h): libmicrohttpd with one thread per connection, like the
 * world's package index (server.c). Each request is a `struct gha_call` that
 * lives from its headers to its answer: the token, the rate limit and the
 * chunk's range are checked when the headers arrive, the body (paced) is
 * written into the entry or kept as JSON, and the answer follows. Errors
 * are answered as GitHub's service does: a JSON object after a UTF-8 byte
 * order mark (moby/buildkit#2276 shows one), with "message" and "typeKey",
 * which go-actions-cache reads (409 "...AlreadyExists..." means "exists").
 */
#include "world/ghacache_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/error.h"

#define JSON_BODY_MAX 65536

bool gha_stopping(void *ctx)
{
	struct ghacache *g = ctx;
	return atomic_load(&g->stopping);
}

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

/* ---- answers ---- */

void gha_call_count(struct gha_call *call, unsigned status)
{
	struct ghacache *g = call->g;

	pthread_mutex_lock(&g->lock);
	g->c.requests++;
	if (status == 401)
		g->c.unauthorized++;
	else if (status == 429)
		g->c.throttled++;
	else if (status >= 400 && !(call->kind == CALL_RESERVE && status == 409))
		g->c.failed++;
	if (g->s.trace) {
		char line[1024];
		snprintf(line, sizeof(line), "%s %u", call->desc.buf ? call->desc.buf : "?", status);
		g->s.trace(g->s.trace_ctx, line);
	}
	pthread_mutex_unlock(&g->lock);
}

enum MHD_Result gha_answer(struct gha_call *call, struct MHD_Connection *c, unsigned status,
			   const char *type, const char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status >= 400 && call->header[0][0])
		MHD_add_response_header(r, call->header[0], call->header[1]);
	gha_call_count(call, status);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result gha_answer_json(struct gha_call *call, struct MHD_Connection *c, unsigned status,
				json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);
	enum MHD_Result ret = gha_answer(call, c, status, "application/json; charset=utf-8", text,
					 strlen(text));
	free(text);
	json_decref(v);
	return ret;
}

enum MHD_Result gha_answer_fault(struct gha_call *call, struct MHD_Connection *c)
{
	const struct gha_fault *f = &call->fault;
	json_t *v = json_pack("{s:s, s:n, s:s, s:s, s:s, s:i, s:i}", "$id", "1", "innerException",
			      "message", f->message, "typeName", f->type_key, "typeKey", f->type_key,
			      "errorCode", 0, "eventId", 3000);
	char *text = json_dumps(v, JSON_COMPACT), *body = xasprintf("\xef\xbb\xbf%s", text);
	enum MHD_Result ret;

	ret = gha_answer(call, c, (unsigned)f->status, "application/json; charset=utf-8", body,
			 strlen(body));
	free(body);
	free(text);
	json_decref(v);
	return ret;
}

/* ---- checks when the headers arrive ---- */

/* The token bucket of the upload calls: rate_limit per rate_period. */
static int take_upload_slot(struct gha_call *call)
{
	struct ghacache *g = call->g;
	double rate, wait;
	monotime now;
	int ok;

	if (g->s.rate_limit <= 0)
		return 0;
	rate = (double)g->s.rate_limit / (g->s.rate_period > 0 ? g->s.rate_period : 60);
	pthread_mutex_lock(&g->lock);
	now = monotime_now();
	g->bucket += monotime_seconds(g->bucket_last, now) * rate;
	if (g->bucket > g->s.rate_limit)
		g->bucket = g->s.rate_limit;
	g->bucket_last = now;
	ok = g->bucket >= 1;
	if (ok)
		g->bucket -= 1;
	wait = (1 - g->bucket) / rate;
	pthread_mutex_unlock(&g->lock);
	if (ok)
		return 0;
	snprintf(call->header[0], sizeof(call->header[0]), "%s", MHD_HTTP_HEADER_RETRY_AFTER);
	if (g->s.retry_after > 0)
		wait = g->s.retry_after;
	snprintf(call->header[1], sizeof(call->header[1]), "%d", (int)ceil(wait) > 0 ? (int)ceil(wait) : 1);
	return gha_fault_set(&call->fault, 429, "RequestBlockedException",
			     "Request was blocked due to exceeding usage of resource 'Count' in "
			     "namespace ''.");
}

/* Content-Range "bytes S-E/TOTAL", where TOTAL may be "*". */
static int parse_content_range(int64_t *start, int64_t *length, const char *text)
{
	long long s, e;
	int n = 0;

	if (!text || sscanf(text, "bytes %lld-%lld/%n", &s, &e, &n) != 2 || !n || s < 0 || e < s)
		return -1;
	*start = s;
	*length = e - s + 1;
	return 0;
}

/* PATCH: the entry must be reserved in the run's scope and not committed. */
static int open_chunk(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Range");
	const char *scope = gha_grant_write_scope(&call->grant);
	struct gha_entry *e;
	char *path = NULL;
	int error = 0;

	if (parse_content_range(&call->start, &call->length, range) < 0)
		return gha_fault_set(&call->fault, 400, "ArgumentException",
				     "bad Content-Range '%s'", range ? range : "(none)");
	strbuf_printf(&call->desc, " [%s]", range);
	pthread_mutex_lock(&g->lock);
	e = gha_store_get(&g->store, call->id);
	if (!e || !scope || strcmp(e->scope, scope))
		error = gha_fault_set(&call->fault, 404, "ArtifactCacheNotFoundException",
				      "Cache not found: %" PRId64, call->id);
	else if (e->committed)
		error = gha_fault_set(&call->fault, 400, "ArtifactCacheEntryAlreadyCommittedException",
				      "Cache %" PRId64 " is already committed", call->id);
	else
		path = gha_store_path(&g->store, call->id);
	pthread_mutex_unlock(&g->lock);
	if (path && (call->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		error = gha_fault_set(&call->fault, 500, "IOException", "cannot open cache %" PRId64
				      ": %s", call->id, strerror(errno));
	free(path);
	return error;
}

/* Which call a method and URL are; *id gets a number at the URL's end. */
static enum gha_call_kind route(int64_t *id, const char *method, const char *url)
{
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	const char *rest;
	char *end;

	*id = 0;
	if (strncmp(url, GHA_API, strlen(GHA_API)))
		return CALL_OTHER;
	rest = url + strlen(GHA_API);
	if (!strcmp(rest, "cache"))
		return get ? CALL_LOOKUP : CALL_OTHER;
	if (!strcmp(rest, "caches"))
		return !strcmp(method, "POST") ? CALL_RESERVE : CALL_OTHER;
	if (!strncmp(rest, "caches/", 7) || !strncmp(rest, "archives/", 9)) {
		bool archive = rest[0] == 'a';
		rest += archive ? 9 : 7;
		errno = 0;
		*id = strtoll(rest, &end, 10);
		if (errno || *end || end == rest || *id <= 0)
			return CALL_OTHER;
		if (archive)
			return get ? CALL_DOWNLOAD : CALL_OTHER;
		if (!strcmp(method, "PATCH"))
			return CALL_UPLOAD;
		return !strcmp(method, "POST") ? CALL_COMMIT : CALL_OTHER;
	}
	return CALL_OTHER;
}

static void call_begin(struct gha_call *call, struct MHD_Connection *c, const char *url,
		       const char *method)
{
	struct ghacache *g = call->g;

	call->fd = -1;
	call->kind = route(&call->id, method, url);
	pacer_init(&call->pacer, g->s.bandwidth, gha_stopping, g);
	pacer_set_link(&call->pacer, g->s.link);
	strbuf_printf(&call->desc, "%s %s", method, url);
	if (call->kind == CALL_LOOKUP) {
		const char *keys = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "keys");
		const char *version = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "version");
		strbuf_printf(&call->desc, "?keys=%s&version=%.12s", keys ? keys : "",
			      version ? version : "");
	}
	if (call->kind == CALL_OTHER) {
		gha_fault_set(&call->fault, 404, "NotFoundException", "no such API: %s %s", method, url);
		return;
	}
	if (call->kind == CALL_DOWNLOAD)
		return; /* the URL's signature is its authorization */
	if (gha_grant_parse(&call->grant, &call->fault,
			    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
			    time(NULL)) < 0)
		return;
	if (call->kind == CALL_LOOKUP || take_upload_slot(call) < 0)
		return;
	if (call->kind == CALL_UPLOAD)
		open_chunk(call, c);
}

/* ---- request bodies ---- */

static void call_receive(struct gha_call *call, const char *data, size_t len)
{
	struct ghacache *g = call->g;
	size_t left = len;

	while (left) { /* the bytes cross the paced link even when refused */
		size_t grant = pacer_acquire(&call->pacer, left);
		if (!grant)
			return;
		left -= grant;
	}
	if (call->fault.status)
		return;
	if (call->kind != CALL_UPLOAD) {
		if (call->body.len + len > JSON_BODY_MAX)
			gha_fault_set(&call->fault, 413, "ArgumentException", "request body too large");
		else
			strbuf_add(&call->body, data, len);
		return;
	}
	if (call->got + (int64_t)len > call->length) {
		gha_fault_set(&call->fault, 400, "ArgumentException",
			      "chunk longer than its Content-Range (%" PRId64 " bytes)", call->length);
		return;
	}
	if (pwrite(call->fd, data, len, (off_t)(call->start + call->got)) != (ssize_t)len) {
		gha_fault_set(&call->fault, 500, "IOException", "cannot write cache %" PRId64 ": %s",
			      call->id, strerror(errno));
		return;
	}
	call->got += (int64_t)len;
	pthread_mutex_lock(&g->lock);
	g->c.bytes_up += (int64_t)len;
	pthread_mutex_unlock(&g->lock);
}

/* ---- the daemon ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct ghacache *g = cls;
	struct gha_call *call = *req_cls;

	(void)version;
	if (!call) {
		call = xcalloc(1, sizeof(*call));
		call->g = g;
		*req_cls = call;
		call_begin(call, c, url, method);
		return MHD_YES;
	}
	if (*upload_data_size) {
		call_receive(call, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return gha_stopping(g) ? MHD_NO : MHD_YES;
	}
	if (g->s.latency > 0 && pace_sleep(g->s.latency, gha_stopping, g) < 0)
		return MHD_NO;
	if (call->fault.status)
		return gha_answer_fault(call, c);
	switch (call->kind) {
	case CALL_LOOKUP:
		return gha_do_lookup(call, c);
	case CALL_RESERVE:
		return gha_do_reserve(call, c);
	case CALL_UPLOAD:
		return gha_do_upload(call, c);
	case CALL_COMMIT:
		return gha_do_commit(call, c);
	case CALL_DOWNLOAD:
		return gha_do_download(call, c);
	case CALL_OTHER:
		break;
	}
	return gha_answer_fault(call, c);
}

static void call_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct gha_call *call = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!call)
		return;
	if (call->fd >= 0)
		close(call->fd);
	gha_grant_release(&call->grant);
	strbuf_release(&call->body);
	strbuf_release(&call->desc);
	free(call);
	*req_cls = NULL;
}

int ghacache_start(struct ghacache **out, const struct ghacache_settings *s, const char *dir)
{
	struct ghacache *g = xcalloc(1, sizeof(*g));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	unsigned char rnd[16];
	int error = 0;
	size_t i;

	*out = NULL;
	g->s = *s;
	atomic_init(&g->stopping, false);
	pthread_mutex_init(&g->lock, NULL);
	g->bucket = s->rate_limit > 0 ? s->rate_limit : 0;
	g->bucket_last = monotime_now();
	if ((error = gha_store_init(&g->store, dir, s->quota)) < 0)
		goto done;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		error = bench_error_errno(BENCH_ESETUP, "cannot read random bytes for the cache service");
		goto done;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(g->sig + 2 * i, 3, "%02x", rnd[i]);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
		0, NULL, NULL, on_request, g,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, call_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_END);
	if (!g->daemon) {
		error = bench_error_set(BENCH_ESETUP, "cannot start the cache service on 127.0.0.1");
		goto done;
	}
	info = MHD_get_daemon_info(g->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		error = bench_error_set(BENCH_ESETUP, "cannot read the cache service's port");
		goto done;
	}
	g->port = info->port;
	snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%d/", g->port);
	*out = g;
	g = NULL;
done:
	ghacache_stop(g);
	return error;
}

void ghacache_stop(struct ghacache *g)
{
	if (!g)
		return;
	atomic_store(&g->stopping, true);
	if (g->daemon)
		MHD_stop_daemon(g->daemon);
	gha_store_release(&g->store);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

const char *ghacache_url(const struct ghacache *g)
{
	return g->url;
}

int ghacache_port(const struct ghacache *g)
{
	return g->port;
}

void ghacache_counters(struct ghacache_counters *out, struct ghacache *g)
{
	pthread_mutex_lock(&g->lock);
	*out = g->c;
	out->entries = g->store.committed;
	out->total_size = g->store.total;
	pthread_mutex_unlock(&g->lock);
}

void ghacache_counters_reset(struct ghacache *g)
{
	pthread_mutex_lock(&g->lock);
	memset(&g->c, 0, sizeof(g->c));
	pthread_mutex_unlock(&g->lock);
}

json_t *ghacache_counters_json(const struct ghacache_counters *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "hits", (json_int_t)c->hits, "misses", (json_int_t)c->misses,
			 "reserved", (json_int_t)c->reserved, "conflicts", (json_int_t)c->conflicts,
			 "committed", (json_int_t)c->committed, "bytes_up", (json_int_t)c->bytes_up,
			 "bytes_down", (json_int_t)c->bytes_down, "throttled", (json_int_t)c->throttled,
			 "unauthorized", (json_int_t)c->unauthorized, "failed", (json_int_t)c->failed,
			 "evictions", (json_int_t)c->evictions,
			 "evicted_bytes", (json_int_t)c->evicted_bytes,
			 "requests", (json_int_t)c->requests, "entries", (json_int_t)c->entries,
			 "total_size", (json_int_t)c->total_size);
}
