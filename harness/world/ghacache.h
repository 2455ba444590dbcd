/*
 * world/ghacache.h: an emulated GitHub Actions cache service (the v1 REST
 * API BuildKit's `type=gha` cache backend speaks through
 * tonistiigi/go-actions-cache) on 127.0.0.1 and an ephemeral port, for one
 * repository:
 *   GET   /_apis/artifactcache/cache?keys=K1,K2&version=V   look up (200 / 204)
 *   POST  /_apis/artifactcache/caches        {"key","version"}  reserve (201 / 409)
 *   PATCH /_apis/artifactcache/caches/ID     Content-Range  a chunk
 *   POST  /_apis/artifactcache/caches/ID     {"size"}           commit (204)
 *   GET   the archiveLocation a hit names   (Range allowed)    download
 * with GitHub's policies as settings: a size quota with least-recently-used
 * eviction, a rate limit on the upload calls answered 429 + Retry-After,
 * and branch scopes read from the token's `ac` claim. Bodies are paced at
 * `bandwidth` per connection (world/pace.h), and through `link` when set,
 * after `latency`. Entries are
 * files in a folder the caller owns. It never prints anything.
 */
#ifndef BENCH_WORLD_GHACACHE_H
#define BENCH_WORLD_GHACACHE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct pace_link;

/* GitHub's cache size limit per repository: 10 GB. */
#define GHACACHE_DEFAULT_QUOTA 10000000000LL

struct ghacache_settings {
	double bandwidth;       /* bytes/s per connection, both ways; <= 0: unpaced */
	double latency;         /* seconds before each answer; <= 0: none */
	int64_t quota;          /* bytes of committed entries kept; <= 0: no limit */
	int rate_limit;         /* upload calls (reserve, PATCH, commit) allowed... */
	double rate_period;     /* ...per this many seconds; rate_limit <= 0: unlimited */
	double retry_after;     /* seconds in a 429's Retry-After; <= 0: until the next call
				   may go (at least 1) */
	struct pace_link *link; /* every body also crosses this link (the runner's); NULL:
				   none. The caller's: it outlives the service */
	/* Called (under the service's lock, from its threads) with one line per
	 * answered request, e.g. "GET /_apis/artifactcache/cache?keys=... 204".
	 * May be NULL. */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
};

/* What the service did since the start or the last ghacache_counters_reset.
 * entries and total_size are the state now and are never reset. */
struct ghacache_counters {
	int64_t hits;          /* lookups answered 200 */
	int64_t misses;        /* lookups answered 204 */
	int64_t reserved;      /* reservations made (201) */
	int64_t conflicts;     /* reservations refused as existing (409) */
	int64_t committed;     /* entries committed */
	int64_t bytes_up;      /* chunk bytes written into entries */
	int64_t bytes_down;    /* archive bytes sent */
	int64_t throttled;     /* 429s answered */
	int64_t unauthorized;  /* 401s answered */
	int64_t failed;        /* other 4xx and 5xx answers */
	int64_t evictions;     /* entries evicted over the quota */
	int64_t evicted_bytes;
	int64_t requests;      /* every request answered */
	int64_t entries;       /* committed entries now */
	int64_t total_size;    /* their bytes now */
};

struct ghacache;

/* Start the service with entries stored in dir (created when missing; the
 * caller removes it after ghacache_stop). s is copied. */
int ghacache_start(struct ghacache **out, const struct ghacache_settings *s, const char *dir);

/* Stop serving (open transfers are cut) and free g. Entries stay in dir.
 * NULL is allowed. */
void ghacache_stop(struct ghacache *g);

/* "http://127.0.0.1:PORT/", the url= of `--cache-to type=gha`. Owned by g. */
const char *ghacache_url(const struct ghacache *g);
int ghacache_port(const struct ghacache *g);

/* A snapshot of the counters. */
void ghacache_counters(struct ghacache_counters *out, struct ghacache *g);
void ghacache_counters_reset(struct ghacache *g);

/* The counters as a JSON object with the member names above. New reference. */
json_t *ghacache_counters_json(const struct ghacache_counters *c);

/* ---- tokens (ghacache_token.c) ---- */

/* Permission bits of a scope, as GitHub's `ac` claim writes them. */
#define GHACACHE_READ 1
#define GHACACHE_WRITE 2

/* A scope is a git ref ("refs/heads/main"). A run reads every scope with the
 * read bit, in this order, and writes into the first with the write bit. */
struct ghacache_scope {
	const char *scope;
	int permission;
};

/* Mint an unsigned JWT ("alg": "none", empty signature) whose claims carry
 * `ac` (a JSON string holding [{"Scope":..., "Permission":...}, ...]),
 * `nbf` and `exp` (seconds since the epoch). Caller frees *out. */
int ghacache_token(char **out, const struct ghacache_scope *scopes, size_t n, int64_t not_before,
		   int64_t expires);

/* The token GitHub gives a workflow run on `ref`: its own scope read-write
 * and, when default_ref is another branch, the default branch's read-only.
 * Valid from a minute ago for `lifetime` seconds. */
int ghacache_token_for_ref(char **out, const char *ref, const char *default_ref, double lifetime);

#endif
