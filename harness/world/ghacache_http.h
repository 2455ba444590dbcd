/*
 * world/ghacache_http.h: what the parts of the cache service's HTTP side
 * share: the service itself and one request (`struct gha_call`).
 * ghacache.c owns the daemon, a request's life (headers, body, answer, its
 * line in the request log) and the error answers; ghacache_twirp.c answers
 * the three CacheService calls; ghacache_blob.c signs the blob URLs and
 * answers Put Blob, Put Block, Put Block List and Get Blob.
 */
#ifndef BENCH_WORLD_GHACACHE_HTTP_H
#define BENCH_WORLD_GHACACHE_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/monotonic.h"
#include "lib/util.h"
#include "world/ghacache.h"
#include "world/ghacache_store.h"
#include "world/pace.h"

#define GHA_TWIRP "/twirp/github.actions.results.api.v1.CacheService/"
#define GHA_BLOB "/blob/"

struct ghacache {
	struct MHD_Daemon *daemon;
	struct ghacache_settings s;
	char origin[300];         /* "http://ADDRESS:PORT" */
	char url[304];            /* origin "/" */
	unsigned char secret[32]; /* signs the blob URLs, like a storage account key */
	int port;
	atomic_bool stopping;
	atomic_llong clock_offset;  /* seconds the service's clock runs ahead */
	atomic_llong request_ids;   /* x-ms-request-id */
	pthread_mutex_t lock;       /* guards everything below */
	struct gha_store store;
	struct ghacache_counters c;
	double bucket;              /* upload calls that may go now */
	monotime bucket_last;
	FILE *log;                  /* the request log, or NULL */
};

enum gha_call_kind {
	CALL_OTHER,
	CALL_CREATE,         /* CreateCacheEntry */
	CALL_FINALIZE,       /* FinalizeCacheEntryUpload */
	CALL_GET_URL,        /* GetCacheEntryDownloadURL */
	/* the blob calls, from here on (gha_call_is_blob) */
	CALL_PUT_BLOB,
	CALL_PUT_BLOCK,
	CALL_PUT_BLOCK_LIST,
	CALL_GET_BLOB,
};

static inline bool gha_call_is_blob(enum gha_call_kind k)
{
	return k >= CALL_PUT_BLOB;
}

/* One request, from its headers to its answer and its log line. Owned by
 * MHD's request context (freed when MHD says the request is complete). */
struct gha_call {
	struct ghacache *g;
	enum gha_call_kind kind;
	const char *method;
	char *path;               /* the URL without its query */
	int64_t id;               /* blob calls: the entry in the URL */
	char *key;                /* the entry's key, for the log */
	char *block_id;           /* Put Block */
	struct gha_grant grant;   /* Twirp calls: the token's scopes */
	struct gha_fault fault;   /* status 0: none (yet) */
	bool expired;             /* the fault is a signed URL past its expiry */
	char header[2][96];       /* one more header of a refusal: name, value */
	struct strbuf body;       /* a JSON or XML body */
	struct pacer pacer;       /* request body bytes */
	int fd;                   /* Put Blob, Put Block: the part being written */
	int64_t part;
	int64_t got;              /* request body bytes received */
	unsigned status;          /* the answer's, 0 until answered */
	int64_t sent;             /* the answer's body bytes */
	struct strbuf detail;     /* the log line's last field */
};

/* Whether the service is stopping (a pace_stop_fn on the service). */
bool gha_stopping(void *ctx);

/* The service's clock (the wall clock plus ghacache_clock_advance's). */
time_t gha_now(struct ghacache *g);

/* Count an answer of this status (body of `sent` bytes). */
void gha_call_count(struct gha_call *call, unsigned status, int64_t sent);

/* Headers every blob answer carries (x-ms-request-id, x-ms-version). */
void gha_blob_headers(struct gha_call *call, struct MHD_Response *r);

/* Answer status with a body (len bytes, copied; type may be NULL). */
enum MHD_Result gha_answer(struct gha_call *call, struct MHD_Connection *c, unsigned status,
			   const char *type, const char *body, size_t len);
/* Answer 200 with v as JSON (stolen). */
enum MHD_Result gha_answer_json(struct gha_call *call, struct MHD_Connection *c, json_t *v);
/* Answer call->fault: Twirp's {"code", "msg"} to a CacheService call,
 * Azure's <Error><Code>...</Code><Message>...</Message></Error> (and
 * x-ms-error-code) to a blob call. */
enum MHD_Result gha_answer_fault(struct gha_call *call, struct MHD_Connection *c);

/* ghacache_twirp.c: the calls, once the request's body is in. */
enum MHD_Result gha_do_create(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_finalize(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_get_url(struct gha_call *call, struct MHD_Connection *c);

/* ghacache_blob.c */
/* The signed URL of entry id's blob, valid for the service's url_lifetime
 * with permissions perm ("cw": create and write, "r": read). Caller frees. */
char *gha_blob_url(struct ghacache *g, int64_t id, const char *perm);
/* When a blob call's headers arrive: check the URL's signature, expiry and
 * permission, find the entry, open the part a body goes into. Sets
 * call->fault when refused. */
void gha_blob_begin(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_put_blob(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_put_block(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_put_block_list(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_get_blob(struct gha_call *call, struct MHD_Connection *c);

#endif
