/*
 * world/ghacache_blob.c: the Azure-Blob-style half of the emulated GitHub
 * Actions cache v2 (see ghacache.h). CreateCacheEntry and
 * GetCacheEntryDownloadURL hand out URLs signed like a SAS token
 * (sp = permissions, se = expiry, sig = HMAC-SHA256 of the blob, sp and se
 * under the service's secret); the calls on them take no token. What
 * BuildKit's Azure SDK does with them: Put Blob for a blob under its 1 MiB
 * block size, else Put Block per MiB and Put Block List; Get Blob, with
 * x-ms-range from an offset when it resumes. Bodies go into part files of
 * the store; a block list is joined into the blob outside the lock.
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

#include "lib/base64.h"
#include "lib/sha256.h"
#include "world/ghacache_parse.h"

/* ---- signed URLs ---- */

/* The signature of (id, perm, expiry) into out (BASE64URL_LEN(32) + 1). */
static void sign(char *out, const struct ghacache *g, int64_t id, const char *perm, const char *se)
{
	uint8_t mac[SHA256_DIGEST_SIZE];
	char *text = xasprintf("%" PRId64 "\n%s\n%s", id, perm, se);

	hmac_sha256(mac, g->secret, sizeof(g->secret), text, strlen(text));
	base64url_encode(out, mac, sizeof(mac));
	free(text);
}

static void iso_time(char *out, size_t size, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *gha_blob_url(struct ghacache *g, int64_t id, const char *perm)
{
	double life = g->s.url_lifetime > 0 ? g->s.url_lifetime : GHACACHE_DEFAULT_URL_LIFETIME;
	char se[32], sig[BASE64URL_LEN(SHA256_DIGEST_SIZE) + 1];

	iso_time(se, sizeof(se), gha_now(g) + (time_t)life);
	sign(sig, g, id, perm, se);
	return xasprintf("%s" GHA_BLOB "%" PRId64 "?sv=2023-11-03&sr=b&sp=%s&se=%s&sig=%s",
			 g->origin, id, perm, se, sig);
}

/* The URL's signature, expiry and permission for this call. */
static int check_signature(struct gha_call *call, struct MHD_Connection *c)
{
	const char *sp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sp");
	const char *se = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "se");
	const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sig");
	char want[BASE64URL_LEN(SHA256_DIGEST_SIZE) + 1], now[32];
	struct tm tm = {0};
	const char *end;
	bool put = !strcmp(call->method, "PUT");

	if (!sp || !se || !sig || strlen(se) >= 32)
		return gha_fault_set(&call->fault, 403, "AuthenticationFailed",
				     "server failed to authenticate the request: no signature");
	sign(want, call->g, call->id, sp, se);
	if (strcmp(sig, want))
		return gha_fault_set(&call->fault, 403, "AuthenticationFailed",
				     "server failed to authenticate the request: signature did not match");
	if (!(end = strptime(se, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return gha_fault_set(&call->fault, 403, "AuthenticationFailed",
				     "server failed to authenticate the request: bad expiry %s", se);
	if (gha_now(call->g) >= timegm(&tm)) {
		call->expired = true;
		iso_time(now, sizeof(now), gha_now(call->g));
		return gha_fault_set(&call->fault, 403, "AuthenticationFailed",
				     "server failed to authenticate the request: signed expiry time [%s] "
				     "must be after the current time [%s]", se, now);
	}
	if (!strchr(sp, put ? 'w' : 'r'))
		return gha_fault_set(&call->fault, 403, "AuthorizationPermissionMismatch",
				     "this request is not authorized to perform this operation using "
				     "this permission (sp=%s)", sp);
	return 0;
}

void gha_blob_begin(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-ms-blob-type");
	const char *block = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "blockid");
	struct gha_entry *e;
	char *path = NULL;

	if (check_signature(call, c) < 0)
		return;
	if (call->kind == CALL_PUT_BLOCK) {
		if (!gha_block_id_ok(block)) {
			gha_fault_set(&call->fault, 400, "InvalidQueryParameterValue",
				      "blockid is not base64 of 1 to %d bytes", GHA_BLOCK_ID_MAX);
			return;
		}
		call->block_id = xstrdup(block);
		strbuf_printf(&call->detail, "blockid=%s", block);
	}
	if (call->kind == CALL_PUT_BLOB && (!type || strcmp(type, "BlockBlob"))) {
		gha_fault_set(&call->fault, 400, type ? "InvalidHeaderValue" : "MissingRequiredHeader",
			      "x-ms-blob-type must be BlockBlob");
		return;
	}
	pthread_mutex_lock(&g->lock);
	e = gha_store_get(&g->store, call->id);
	if (e)
		call->key = xstrdup(e->key);
	if (!e || (call->kind == CALL_GET_BLOB && !e->committed))
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the specified blob does not exist");
	else if (call->kind != CALL_GET_BLOB && e->committed)
		gha_fault_set(&call->fault, 409, "BlobImmutableDueToPolicy",
			      "the cache entry is finalized: its blob cannot change");
	else if (call->kind == CALL_PUT_BLOB || call->kind == CALL_PUT_BLOCK)
		path = gha_store_part_path(&g->store, call->part = gha_store_new_part(&g->store));
	pthread_mutex_unlock(&g->lock);
	if (path && (call->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		gha_fault_set(&call->fault, 500, "InternalError", "cannot make a part of entry %" PRId64
			      ": %s", call->id, strerror(errno));
	free(path);
}

/* 201 Created with the headers the SDK reads of a blob write. */
static enum MHD_Result created(struct gha_call *call, struct MHD_Connection *c)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	char etag[40], modified[40];
	time_t now = gha_now(call->g);
	struct tm tm;
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	gmtime_r(&now, &tm);
	strftime(modified, sizeof(modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(etag, sizeof(etag), "\"0x%016llX\"", (unsigned long long)now * 1000 + (unsigned)call->id);
	gha_blob_headers(call, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
	MHD_add_response_header(r, "x-ms-request-server-encrypted", "true");
	gha_call_count(call, 201, 0);
	ret = MHD_queue_response(c, 201, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- the calls ---- */

enum MHD_Result gha_do_put_blob(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct gha_entry *e;

	pthread_mutex_lock(&g->lock);
	if ((e = gha_store_get(&g->store, call->id)) && !e->committed) {
		gha_store_put_blob(&g->store, e, call->part, call->got);
		call->part = 0;
		g->c.blob_puts++;
	} else {
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the cache entry is gone");
	}
	pthread_mutex_unlock(&g->lock);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	return created(call, c);
}

enum MHD_Result gha_do_put_block(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct gha_entry *e;

	pthread_mutex_lock(&g->lock);
	if (!(e = gha_store_get(&g->store, call->id)) || e->committed)
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the cache entry is gone");
	else if (gha_store_stage_block(&call->fault, &g->store, e, call->block_id, call->part,
				       call->got) == 0)
		g->c.blocks++;
	if (e && !e->committed)
		call->part = 0; /* the store has it (or removed it) */
	pthread_mutex_unlock(&g->lock);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	return created(call, c);
}

/* Append the part at path to fd; 0 or -1 (errno). */
static int append_part(int fd, const char *path, int64_t size)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	char buf[1 << 16];
	int64_t left = size;

	if (in < 0)
		return -1;
	while (left > 0) {
		ssize_t n = read(in, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n <= 0 || write(fd, buf, (size_t)n) != n) {
			if (n == 0)
				errno = EIO; /* shorter than it was staged */
			close(in);
			return -1;
		}
		left -= n;
	}
	close(in);
	return 0;
}

enum MHD_Result gha_do_put_block_list(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct gha_block *parts = NULL;
	struct strvec ids = {0};
	struct gha_entry *e;
	char why[200], *path = NULL;
	int64_t seq = 0, total = 0;
	size_t i;
	int fd = -1;

	if (gha_block_list_parse(&ids, why, sizeof(why), call->body.buf ? call->body.buf : "",
				 call->body.len) < 0) {
		gha_fault_set(&call->fault, 400, "InvalidXmlDocument", "the block list: %s", why);
		goto done;
	}
	strbuf_printf(&call->detail, "blocks=%zu", ids.n);
	pthread_mutex_lock(&g->lock);
	if (!(e = gha_store_get(&g->store, call->id)) || e->committed)
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the cache entry is gone");
	else if (gha_store_block_list(&parts, &call->fault, e, strvec_argv(&ids), ids.n) == 0)
		path = gha_store_part_path(&g->store, seq = gha_store_new_part(&g->store));
	pthread_mutex_unlock(&g->lock);
	if (!path)
		goto done;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto io_error;
	for (i = 0; i < ids.n; i++) {
		char *part = gha_store_part_path(&g->store, parts[i].seq);
		int error = append_part(fd, part, parts[i].size);
		free(part);
		if (error < 0)
			goto io_error;
		total += parts[i].size;
	}
	close(fd);
	fd = -1;
	pthread_mutex_lock(&g->lock);
	if ((e = gha_store_get(&g->store, call->id)) && !e->committed) {
		gha_store_put_blob(&g->store, e, seq, total);
		g->c.block_lists++;
		seq = 0;
	} else {
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the cache entry is gone");
	}
	pthread_mutex_unlock(&g->lock);
	goto done;
io_error:
	gha_fault_set(&call->fault, 500, "InternalError", "cannot join the blocks of entry %" PRId64
		      ": %s", call->id, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (seq)
		unlink(path);
	free(path);
	free(parts);
	strvec_release(&ids);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	return created(call, c);
}

/* A blob being sent: its file, where the range starts, its pacer. Owned
 * by the MHD response (freed by blob_free). */
struct blob_read {
	struct ghacache *g;
	int fd;
	int64_t offset;
	struct pacer pacer;
};

static ssize_t blob_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct blob_read *a = cls;
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

static void blob_free(void *cls)
{
	struct blob_read *a = cls;
	close(a->fd);
	free(a);
}

enum MHD_Result gha_do_get_blob(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-ms-range");
	struct MHD_Response *r;
	struct gha_entry *e;
	struct blob_read *a;
	char *path = NULL, cr[96];
	int64_t size = 0, start = 0, end;
	unsigned status;
	enum MHD_Result ret;
	int fd = -1;

	if (!range) /* Azure takes x-ms-range first, then Range */
		range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	pthread_mutex_lock(&g->lock);
	if ((e = gha_store_get(&g->store, call->id)) && e->committed) {
		gha_store_touch(&g->store, e);
		size = e->size;
		path = gha_store_path(&g->store, e->id);
	}
	pthread_mutex_unlock(&g->lock);
	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(path);
		gha_fault_set(&call->fault, 404, "BlobNotFound", "the specified blob does not exist");
		return gha_answer_fault(call, c);
	}
	free(path);
	end = size - 1;
	if (range) {
		strbuf_printf(&call->detail, "range=%s", range);
		if (gha_range_parse(&start, &end, range, size) < 0) {
			close(fd);
			snprintf(call->header[0], sizeof(call->header[0]), "%s", MHD_HTTP_HEADER_CONTENT_RANGE);
			snprintf(call->header[1], sizeof(call->header[1]), "bytes */%" PRId64, size);
			gha_fault_set(&call->fault, 416, "InvalidRange",
				      "the range specified is invalid for the current size of the "
				      "resource (%s of %" PRId64 " bytes)", range, size);
			return gha_answer_fault(call, c);
		}
	}
	a = xcalloc(1, sizeof(*a));
	a->g = g;
	a->fd = fd;
	a->offset = start;
	pacer_init(&a->pacer, g->s.bandwidth, gha_stopping, g);
	pacer_set_link(&a->pacer, g->s.link);
	r = MHD_create_response_from_callback((uint64_t)(end + 1 - start), 1 << 16, blob_read, a,
					      blob_free);
	if (!r) {
		blob_free(a);
		return MHD_NO;
	}
	status = range ? 206 : 200;
	gha_blob_headers(call, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(r, "x-ms-blob-type", "BlockBlob");
	if (range) {
		snprintf(cr, sizeof(cr), "bytes %" PRId64 "-%" PRId64 "/%" PRId64, start, end, size);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	pthread_mutex_lock(&g->lock);
	g->c.downloads++;
	g->c.ranged += range ? 1 : 0;
	pthread_mutex_unlock(&g->lock);
	gha_call_count(call, status, end + 1 - start);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}
