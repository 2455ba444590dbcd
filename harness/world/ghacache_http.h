/*
 * world/ghacache_http.h: what the two halves of the cache service's HTTP
 * side share: the service itself and one request (`struct gha_call`).
 * ghacache.c owns the daemon, a request's life (headers, body, answer)
 * and the answers; ghacache_calls.c answers each API call.
 */
#ifndef BENCH_WORLD_GHACACHE_HTTP_H
#define BENCH_WORLD_GHACACHE_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "lib/monotonic.h"
#include "lib/util.h"
#include "world/ghacache.h"
#include "world/ghacache_store.h"
#include "world/pace.h"

#define GHA_API "/_apis/artifactcache/"

struct ghacache {
	struct MHD_Daemon *daemon;
	struct ghacache_settings s;
	char url[64];
	char sig[33];             /* the archive URLs' signature, like a SAS token */
	int port;
	atomic_bool stopping;
	pthread_mutex_t lock;     /* guards everything below */
	struct gha_store store;
	struct ghacache_counters c;
	double bucket;            /* upload calls that may go now */
	monotime bucket_last;
};

enum gha_call_kind { CALL_OTHER, CALL_LOOKUP, CALL_RESERVE, CALL_UPLOAD, CALL_COMMIT, CALL_DOWNLOAD };

/* One request, from its headers to its answer. Owned by MHD's request
 * context (freed when MHD says the request is complete). */
struct gha_call {
	struct ghacache *g;
	enum gha_call_kind kind;
	int64_t id;               /* the entry in the URL */
	struct gha_grant grant;
	struct gha_fault fault;   /* status 0: none (yet) */
	char header[2][96];       /* one more header of a refusal: name, value */
	struct strbuf body;       /* a JSON body */
	struct pacer pacer;       /* request body bytes */
	int fd;                   /* PATCH: the entry's file */
	int64_t start, length, got; /* PATCH: Content-Range and bytes received */
	struct strbuf desc;       /* the trace line so far */
};

/* Whether the service is stopping (a pace_stop_fn on the service). */
bool gha_stopping(void *ctx);

/* Count an answer of this status and trace it. */
void gha_call_count(struct gha_call *call, unsigned status);

/* Answer status with a body (len bytes, copied; type may be NULL). */
enum MHD_Result gha_answer(struct gha_call *call, struct MHD_Connection *c, unsigned status,
			   const char *type, const char *body, size_t len);
/* Answer status with v as JSON (stolen). */
enum MHD_Result gha_answer_json(struct gha_call *call, struct MHD_Connection *c, unsigned status,
				json_t *v);
/* Answer call->fault the way GitHub's service words its errors. */
enum MHD_Result gha_answer_fault(struct gha_call *call, struct MHD_Connection *c);

/* The calls (ghacache_calls.c), once the request's body is in. */
enum MHD_Result gha_do_lookup(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_reserve(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_upload(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_commit(struct gha_call *call, struct MHD_Connection *c);
enum MHD_Result gha_do_download(struct gha_call *call, struct MHD_Connection *c);

#endif
