/*
 * world/ghacache_twirp.c: the three CacheService calls of the emulated
 * GitHub Actions cache v2 (see ghacache.h), answered once the request's
 * JSON is in (ghacache.c checked the route, the token and the rate limit
 * when the headers came). The answers are protojson as GitHub's Twirp
 * server writes them: snake_case names, int64 (entry_id) as a string. The
 * scope comes from the token, never from the request's metadata: the run
 * writes into its branch's scope and reads its branch's, then the default
 * branch's.
 */
#include "world/ghacache_http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/ghacache_parse.h"

/* The request's JSON, parsed; on a refusal the fault is set and -1. */
static int read_request(struct gha_twirp_req *req, struct gha_call *call)
{
	const char *code = "malformed";
	char why[200];

	if (gha_twirp_req_parse(req, &code, why, sizeof(why), call->body.buf, call->body.len) < 0)
		return gha_fault_set(&call->fault, gha_twirp_status(code), code, "%s", why);
	call->key = xstrdup(req->key);
	return 0;
}

/* The scope the token writes into, or a refusal. */
static const char *write_scope(struct gha_call *call)
{
	const char *scope = gha_grant_write_scope(&call->grant);

	if (!scope)
		gha_fault_set(&call->fault, 403, "permission_denied",
			      "the token grants no cache scope to write into");
	return scope;
}

enum MHD_Result gha_do_create(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct gha_twirp_req req;
	const char *scope;
	int64_t id = 0;
	char *url;

	if (read_request(&req, call) < 0)
		return gha_answer_fault(call, c);
	if (!(scope = write_scope(call))) {
		gha_twirp_req_release(&req);
		return gha_answer_fault(call, c);
	}
	pthread_mutex_lock(&g->lock);
	if (gha_store_reserve(&id, &call->fault, &g->store, req.key, req.version, scope) == 0)
		g->c.reserved++;
	else
		g->c.conflicts++;
	pthread_mutex_unlock(&g->lock);
	gha_twirp_req_release(&req);
	if (call->fault.status)
		return gha_answer_fault(call, c);
	strbuf_printf(&call->detail, "entry=%" PRId64 " scope=%s", id, scope);
	url = gha_blob_url(g, id, "cw");
	{
		enum MHD_Result ret = gha_answer_json(
			call, c, json_pack("{s:b, s:s}", "ok", 1, "signed_upload_url", url));
		free(url);
		return ret;
	}
}

enum MHD_Result gha_do_finalize(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	int64_t evicted = 0, evicted_bytes = 0, id = 0;
	struct gha_twirp_req req;
	struct gha_entry *e;
	const char *scope;
	int done = -1;

	if (read_request(&req, call) < 0)
		return gha_answer_fault(call, c);
	if (!req.has_size)
		gha_fault_set(&call->fault, 400, "invalid_argument", "size_bytes is required");
	else if ((scope = write_scope(call))) {
		pthread_mutex_lock(&g->lock);
		if (!(e = gha_store_find(&g->store, req.key, req.version, scope)))
			gha_fault_set(&call->fault, 404, "not_found",
				      "no cache entry %s of this version was created in scope %s", req.key,
				      scope);
		else if ((id = e->id),
			 (done = gha_store_finalize(&evicted, &evicted_bytes, &call->fault, &g->store, e,
						    req.size_bytes)) == 0)
			g->c.committed++;
		g->c.evictions += evicted;
		g->c.evicted_bytes += evicted_bytes;
		pthread_mutex_unlock(&g->lock);
	}
	strbuf_printf(&call->detail, "size=%" PRId64, req.size_bytes);
	gha_twirp_req_release(&req);
	if (evicted)
		strbuf_printf(&call->detail, " evicted=%" PRId64 "/%" PRId64 "B", evicted, evicted_bytes);
	if (done == -2) { /* over the quota: an answer, not an error */
		json_t *v = json_pack("{s:b, s:s}", "ok", 0, "message", call->fault.message);
		strbuf_printf(&call->detail, " refused=over-quota");
		call->fault.status = 0;
		return gha_answer_json(call, c, v);
	}
	if (call->fault.status)
		return gha_answer_fault(call, c);
	{
		char entry[24];
		snprintf(entry, sizeof(entry), "%" PRId64, id);
		return gha_answer_json(call, c, json_pack("{s:b, s:s}", "ok", 1, "entry_id", entry));
	}
}

enum MHD_Result gha_do_get_url(struct gha_call *call, struct MHD_Connection *c)
{
	struct ghacache *g = call->g;
	struct strvec keys = {0}, readable = {0};
	struct gha_twirp_req req;
	struct gha_entry *e;
	json_t *answer;
	size_t i;

	if (read_request(&req, call) < 0)
		return gha_answer_fault(call, c);
	strvec_push(&keys, req.key);
	for (i = 0; i < req.restore_keys.n; i++)
		strvec_push(&keys, req.restore_keys.v[i]);
	for (i = 0; i < call->grant.n; i++)
		if (call->grant.scopes[i].permission & GHACACHE_READ)
			strvec_push(&readable, call->grant.scopes[i].scope);
	pthread_mutex_lock(&g->lock);
	e = gha_store_lookup(&g->store, strvec_argv(&keys), keys.n, req.version,
			     strvec_argv(&readable), readable.n);
	if (e) {
		char *url = gha_blob_url(g, e->id, "r");
		answer = json_pack("{s:b, s:s, s:s}", "ok", 1, "signed_download_url", url, "matched_key",
				   e->key);
		strbuf_printf(&call->detail, "hit=%s scope=%s", e->key, e->scope);
		free(url);
		g->c.hits++;
	} else {
		answer = json_pack("{s:b}", "ok", 0);
		strbuf_puts(&call->detail, "miss");
		g->c.misses++;
	}
	pthread_mutex_unlock(&g->lock);
	if (req.restore_keys.n)
		strbuf_printf(&call->detail, " restore_keys=%zu", req.restore_keys.n);
	strvec_release(&keys);
	strvec_release(&readable);
	gha_twirp_req_release(&req);
	return gha_answer_json(call, c, answer);
}
