/*
 * world/ghacache.c: the HTTP side of the emulated GitHub Actions cache v2
 * (see ghacache.h): libmicrohttpd with one thread per connection, like the
 * world's package index (server.c). Each request is a `struct gha_call`
 * that lives from its headers to its answer: the route, the token (Twirp
 * calls) or the URL's signature (blob calls) and the rate limit are checked
 * when the headers arrive, the body (paced) goes into a part file or is
 * kept as JSON or XML, the answer follows, and when MHD is done with the
 * request its line goes into the request log. Errors are answered the way
 * each half of GitHub's service words them: Twirp's {"code", "msg"} for
 * the CacheService (go-actions-cache turns "already_exists" into "exists"),
 * Azure's XML <Error> with x-ms-error-code for the blobs.
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
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/error.h"
#include "world/ghacache_parse.h"

#define JSON_BODY_MAX 65536
#define XML_BODY_MAX (8 << 20) /* a block list of 50,000 ids */

bool gha_stopping(void *ctx)
{
	struct ghacache *g = ctx;
	return atomic_load(&g->stopping);
}

time_t gha_now(struct ghacache *g)
{
	return time(NULL) + (time_t)atomic_load(&g->clock_offset);
}

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

/* ---- answers ---- */

void gha_call_count(struct gha_call *call, unsigned status, int64_t sent)
{
	struct ghacache *g = call->g;

	call->status = status;
	call->sent = sent;
	pthread_mutex_lock(&g->lock);
	g->c.requests++;
	if (status == 401)
		g->c.unauthorized++;
	else if (status == 429)
		g->c.throttled++;
	else if (call->expired)
		g->c.expired++;
	else if (status >= 400 && !(call->kind == CALL_CREATE && status == 409))
		g->c.failed++;
	pthread_mutex_unlock(&g->lock);
}

void gha_blob_headers(struct gha_call *call, struct MHD_Response *r)
{
	long long n = atomic_fetch_add(&call->g->request_ids, 1) + 1;
	char id[64];

	snprintf(id, sizeof(id), "%08x-0000-4000-8000-%012llx", (unsigned)call->g->port, n);
	MHD_add_response_header(r, "x-ms-request-id", id);
	MHD_add_response_header(r, "x-ms-version", "2023-11-03");
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
	if (gha_call_is_blob(call->kind))
		gha_blob_headers(call, r);
	if (status >= 400 && gha_call_is_blob(call->kind) && call->fault.code)
		MHD_add_response_header(r, "x-ms-error-code", call->fault.code);
	gha_call_count(call, status, (int64_t)len);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result gha_answer_json(struct gha_call *call, struct MHD_Connection *c, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);
	enum MHD_Result ret = gha_answer(call, c, 200, "application/json", text, strlen(text));

	free(text);
	json_decref(v);
	return ret;
}

/* text with XML's special characters escaped. Caller frees. */
static char *xml_escape(const char *text)
{
	struct strbuf sb = {0};

	strbuf_puts(&sb, "");
	for (; *text; text++) {
		switch (*text) {
		case '<': strbuf_puts(&sb, "&lt;"); break;
		case '>': strbuf_puts(&sb, "&gt;"); break;
		case '&': strbuf_puts(&sb, "&amp;"); break;
		default: strbuf_add(&sb, text, 1);
		}
	}
	return strbuf_detach(&sb);
}

enum MHD_Result gha_answer_fault(struct gha_call *call, struct MHD_Connection *c)
{
	const struct gha_fault *f = &call->fault;
	enum MHD_Result ret;

	strbuf_printf(&call->detail, "%serror=%s", call->detail.len ? " " : "", f->code);
	if (gha_call_is_blob(call->kind)) {
		char *msg = xml_escape(f->message);
		char *body = xasprintf("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>%s"
				       "</Code><Message>%s\nRequestId:%lld</Message></Error>",
				       f->code, msg, (long long)atomic_load(&call->g->request_ids));
		ret = gha_answer(call, c, (unsigned)f->status, "application/xml", body, strlen(body));
		free(body);
		free(msg);
		return ret;
	}
	{
		json_t *v = json_pack("{s:s, s:s}", "code", f->code, "msg", f->message);
		char *text = json_dumps(v, JSON_COMPACT);
		ret = gha_answer(call, c, (unsigned)f->status, "application/json", text, strlen(text));
		free(text);
		json_decref(v);
	}
	return ret;
}

/* ---- the request log ---- */

static const char *endpoint(const struct gha_call *call)
{
	static const char *const names[] = {
		[CALL_CREATE] = "CreateCacheEntry", [CALL_FINALIZE] = "FinalizeCacheEntryUpload",
		[CALL_GET_URL] = "GetCacheEntryDownloadURL", [CALL_PUT_BLOB] = "PutBlob",
		[CALL_PUT_BLOCK] = "PutBlock", [CALL_PUT_BLOCK_LIST] = "PutBlockList",
		[CALL_GET_BLOB] = "GetBlob",
	};
	return call->kind == CALL_OTHER ? call->path : names[call->kind];
}

/* One line per request: time, method, endpoint, key, status, bytes in,
 * bytes out, detail; tab-separated ("-" for none). */
static void log_call(struct gha_call *call, enum MHD_RequestTerminationCode toe)
{
	struct ghacache *g = call->g;
	char stamp[40], status[8];
	struct timespec ts;
	struct tm tm;

	if (!g->log)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%03ldZ", ts.tv_nsec / 1000000);
	snprintf(status, sizeof(status), "%u", call->status);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		strbuf_printf(&call->detail, "%scut", call->detail.len ? " " : "");
	pthread_mutex_lock(&g->lock);
	fprintf(g->log, "%s\t%s\t%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%s\n", stamp, call->method,
		endpoint(call), call->key && *call->key ? call->key : "-",
		call->status ? status : "-", call->got, call->sent,
		call->detail.len ? call->detail.buf : "-");
	fflush(g->log);
	pthread_mutex_unlock(&g->lock);
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
	return gha_fault_set(&call->fault, 429, "resource_exhausted",
			     "too many cache uploads: at most %d per %.0f s", g->s.rate_limit,
			     g->s.rate_period > 0 ? g->s.rate_period : 60);
}

/* A CacheService call: POST, JSON, a valid token, and for the upload calls
 * a slot of the rate limit. */
static void twirp_begin(struct gha_call *call, struct MHD_Connection *c, const char *name)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (!strcmp(name, "CreateCacheEntry"))
		call->kind = CALL_CREATE;
	else if (!strcmp(name, "FinalizeCacheEntryUpload"))
		call->kind = CALL_FINALIZE;
	else if (!strcmp(name, "GetCacheEntryDownloadURL"))
		call->kind = CALL_GET_URL;
	else {
		gha_fault_set(&call->fault, 404, "bad_route", "no handler for path %s", call->path);
		return;
	}
	if (strcmp(call->method, "POST")) {
		gha_fault_set(&call->fault, 404, "bad_route", "unsupported method %s (only POST is allowed)",
			      call->method);
		return;
	}
	if (!type || strncasecmp(type, "application/json", 16)) {
		gha_fault_set(&call->fault, 404, "bad_route", "unexpected Content-Type: %s",
			      type ? type : "(none)");
		return;
	}
	if (gha_grant_parse(&call->grant, &call->fault,
			    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
			    gha_now(call->g)) < 0)
		return;
	if (call->kind != CALL_GET_URL)
		take_upload_slot(call);
}

/* A blob call: the method and comp= say which. */
static void blob_route(struct gha_call *call, struct MHD_Connection *c)
{
	const char *comp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "comp");
	const char *rest = call->path + strlen(GHA_BLOB);
	char *end;

	errno = 0;
	call->id = strtoll(rest, &end, 10);
	if (errno || *end || end == rest || call->id <= 0) {
		call->kind = CALL_GET_BLOB;
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the specified blob does not exist");
		return;
	}
	if (!strcmp(call->method, "GET") || !strcmp(call->method, "HEAD"))
		call->kind = CALL_GET_BLOB;
	else if (strcmp(call->method, "PUT"))
		call->kind = CALL_GET_BLOB; /* for the error's shape */
	else if (!comp)
		call->kind = CALL_PUT_BLOB;
	else if (!strcmp(comp, "block"))
		call->kind = CALL_PUT_BLOCK;
	else if (!strcmp(comp, "blocklist"))
		call->kind = CALL_PUT_BLOCK_LIST;
	else
		call->kind = CALL_PUT_BLOB;
	if (strcmp(call->method, "GET") && strcmp(call->method, "HEAD") && strcmp(call->method, "PUT"))
		gha_fault_set(&call->fault, 405, "UnsupportedHttpVerb", "the resource doesn't support "
			      "the HTTP verb %s", call->method);
	else if (comp && call->kind == CALL_PUT_BLOB)
		gha_fault_set(&call->fault, 400, "InvalidQueryParameterValue",
			      "value for one of the query parameters is not valid: comp=%s", comp);
	else
		gha_blob_begin(call, c);
}

static void call_begin(struct gha_call *call, struct MHD_Connection *c, const char *url,
		       const char *method)
{
	struct ghacache *g = call->g;

	call->fd = -1;
	call->method = method;
	call->path = xstrdup(url);
	pacer_init(&call->pacer, g->s.bandwidth, gha_stopping, g);
	pacer_set_link(&call->pacer, g->s.link);
	if (!strncmp(url, GHA_TWIRP, strlen(GHA_TWIRP)))
		twirp_begin(call, c, url + strlen(GHA_TWIRP));
	else if (!strncmp(url, GHA_BLOB, strlen(GHA_BLOB)))
		blob_route(call, c);
	else
		gha_fault_set(&call->fault, 404, "bad_route", "no handler for path %s", url);
}

/* ---- request bodies ---- */

static void call_receive(struct gha_call *call, const char *data, size_t len)
{
	struct ghacache *g = call->g;
	size_t left = len, max;

	while (left) { /* the bytes cross the paced link even when refused */
		size_t grant = pacer_acquire(&call->pacer, left);
		if (!grant)
			return;
		left -= grant;
	}
	if (call->fault.status)
		return;
	if (call->fd < 0) {
		max = call->kind == CALL_PUT_BLOCK_LIST ? XML_BODY_MAX : JSON_BODY_MAX;
		if (call->body.len + len > max)
			gha_fault_set(&call->fault, 413, call->kind == CALL_PUT_BLOCK_LIST ?
				      "RequestBodyTooLarge" : "invalid_argument", "request body too large");
		else
			strbuf_add(&call->body, data, len);
		call->got += (int64_t)len;
		return;
	}
	if (pwrite(call->fd, data, len, (off_t)call->got) != (ssize_t)len) {
		gha_fault_set(&call->fault, 500, "InternalError", "cannot write entry %" PRId64 ": %s",
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
	case CALL_CREATE:
		return gha_do_create(call, c);
	case CALL_FINALIZE:
		return gha_do_finalize(call, c);
	case CALL_GET_URL:
		return gha_do_get_url(call, c);
	case CALL_PUT_BLOB:
		return gha_do_put_blob(call, c);
	case CALL_PUT_BLOCK:
		return gha_do_put_block(call, c);
	case CALL_PUT_BLOCK_LIST:
		return gha_do_put_block_list(call, c);
	case CALL_GET_BLOB:
		return gha_do_get_blob(call, c);
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
	if (!call)
		return;
	log_call(call, toe);
	if (call->fd >= 0)
		close(call->fd);
	if (call->part) { /* a body that went nowhere */
		char *path = gha_store_part_path(&call->g->store, call->part);
		unlink(path);
		free(path);
	}
	gha_grant_release(&call->grant);
	strbuf_release(&call->body);
	strbuf_release(&call->detail);
	free(call->path);
	free(call->key);
	free(call->block_id);
	free(call);
	*req_cls = NULL;
}

int ghacache_start(struct ghacache **out, const struct ghacache_settings *s, const char *dir)
{
	struct ghacache *g = xcalloc(1, sizeof(*g));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	int error = 0;

	*out = NULL;
	g->s = *s;
	g->s.log = NULL;
	atomic_init(&g->stopping, false);
	atomic_init(&g->clock_offset, 0);
	atomic_init(&g->request_ids, 0);
	pthread_mutex_init(&g->lock, NULL);
	g->bucket = s->rate_limit > 0 ? s->rate_limit : 0;
	g->bucket_last = monotime_now();
	if ((error = gha_store_init(&g->store, dir, s->quota)) < 0)
		goto done;
	if (s->log && !(g->log = fopen(s->log, "ae"))) {
		error = bench_error_errno(BENCH_ESETUP, "cannot open the cache service's request log %s",
					  s->log);
		goto done;
	}
	if (getrandom(g->secret, sizeof(g->secret), 0) != (ssize_t)sizeof(g->secret)) {
		error = bench_error_errno(BENCH_ESETUP, "cannot read random bytes for the cache service");
		goto done;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->listen && inet_pton(AF_INET, s->listen, &addr.sin_addr) != 1) {
		error = bench_error_set(BENCH_EINVALID, "cannot listen on '%s': not an IPv4 address", s->listen);
		goto done;
	}
	g->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
		0, NULL, NULL, on_request, g,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, call_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_END);
	if (!g->daemon) {
		error = bench_error_set(BENCH_ESETUP, "cannot start the cache service on %s",
					s->listen ? s->listen : "127.0.0.1");
		goto done;
	}
	info = MHD_get_daemon_info(g->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		error = bench_error_set(BENCH_ESETUP, "cannot read the cache service's port");
		goto done;
	}
	g->port = info->port;
	snprintf(g->origin, sizeof(g->origin), "http://%.280s:%d",
		 s->address ? s->address : s->listen ? s->listen : "127.0.0.1", g->port);
	snprintf(g->url, sizeof(g->url), "%s/", g->origin);
	if (g->log) {
		char stamp[32];
		utc_iso8601(stamp, sizeof(stamp));
		fprintf(g->log, "# %s GitHub cache service v2 at %s (quota %" PRId64 " bytes)\n", stamp,
			g->url, g->store.quota);
		fflush(g->log);
	}
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
	if (g->log)
		fclose(g->log);
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

void ghacache_clock_advance(struct ghacache *g, double seconds)
{
	atomic_fetch_add(&g->clock_offset, (long long)ceil(seconds));
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
	const struct {
		const char *name;
		int64_t v;
	} m[] = {
		{"hits", c->hits}, {"misses", c->misses}, {"reserved", c->reserved},
		{"conflicts", c->conflicts}, {"committed", c->committed}, {"bytes_up", c->bytes_up},
		{"bytes_down", c->bytes_down}, {"blob_puts", c->blob_puts}, {"blocks", c->blocks},
		{"block_lists", c->block_lists}, {"downloads", c->downloads}, {"ranged", c->ranged},
		{"expired", c->expired}, {"throttled", c->throttled},
		{"unauthorized", c->unauthorized}, {"failed", c->failed},
		{"evictions", c->evictions}, {"evicted_bytes", c->evicted_bytes},
		{"requests", c->requests}, {"entries", c->entries}, {"total_size", c->total_size},
	};
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		json_object_set_new(o, m[i].name, json_integer((json_int_t)m[i].v));
	return o;
}
