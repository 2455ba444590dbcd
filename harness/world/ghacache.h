/*
 * world/ghacache.h: an emulated GitHub Actions cache service, v2 (the one
 * GitHub serves since April 2025 and BuildKit >= 0.20 speaks through
 * tonistiigi/go-actions-cache when given `url_v2` and `version=2`), on
 * 127.0.0.1 and an ephemeral port, for one repository. Two halves on the
 * one port, as GitHub splits them between its results service and Azure
 * Blob Storage:
 *   POST /twirp/github.actions.results.api.v1.CacheService/METHOD  (Twirp JSON,
 *        Authorization: Bearer TOKEN)
 *     CreateCacheEntry          {key, version} -> {ok, signed_upload_url}
 *     FinalizeCacheEntryUpload  {key, version, size_bytes} -> {ok, entry_id}
 *     GetCacheEntryDownloadURL  {key, restore_keys, version}
 *                               -> {ok, signed_download_url, matched_key}
 *   /blob/ID?sv=...&sr=b&sp=...&se=...&sig=...  (the signed URLs, no token)
 *     PUT  x-ms-blob-type: BlockBlob   Put Blob (the whole blob at once)
 *     PUT  ?comp=block&blockid=B64     Put Block (staged)
 *     PUT  ?comp=blocklist             Put Block List (XML: the blob is the
 *                                      listed blocks, in order)
 *     GET  (Range / x-ms-range)        Get Blob, ranged or whole
 * with GitHub's policies as settings: a size quota with least-recently-used
 * eviction, a rate limit on the upload calls (CreateCacheEntry and
 * FinalizeCacheEntryUpload) answered 429 + Retry-After, branch scopes read
 * from the token's `ac` claim, and signed URLs that expire. Bodies are
 * paced at `bandwidth` per connection (world/pace.h), and through `link`
 * when set, after `latency`. Every request is appended to a request log.
 * Entries are files in a folder the caller owns. It never prints anything.
 */
#ifndef BENCH_WORLD_GHACACHE_H
#define BENCH_WORLD_GHACACHE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct pace_link;

/* GitHub's cache size limit per repository: 10 GB. */
#define GHACACHE_DEFAULT_QUOTA 10000000000LL
/* How long a signed URL is valid when url_lifetime is not set. GitHub does
 * not publish its own; an hour outlasts any build bench runs. */
#define GHACACHE_DEFAULT_URL_LIFETIME 3600.0

struct ghacache_settings {
	double bandwidth;       /* bytes/s per connection, both ways; <= 0: unpaced */
	double latency;         /* seconds before each answer; <= 0: none */
	int64_t quota;          /* bytes of finalized entries kept; <= 0: no limit */
	int rate_limit;         /* upload calls (CreateCacheEntry, FinalizeCacheEntryUpload)
				   allowed... */
	double rate_period;     /* ...per this many seconds; rate_limit <= 0: unlimited */
	double retry_after;     /* seconds in a 429's Retry-After; <= 0: until the next call
				   may go (at least 1) */
	double url_lifetime;    /* seconds a signed URL is valid; <= 0: the default */
	struct pace_link *link; /* every body also crosses this link (the runner's); NULL:
				   none. The caller's: it outlives the service */
	const char *log;        /* the request log, appended to (made when missing); NULL:
				   none. Copied */
	const char *listen;     /* the IPv4 address it binds to; NULL: 127.0.0.1 */
	const char *address;    /* the host its URLs name (engines on other hosts reach
				   it there); NULL: listen */
};

/* What the service did since the start or the last ghacache_counters_reset.
 * entries and total_size are the state now and are never reset. */
struct ghacache_counters {
	int64_t hits;          /* GetCacheEntryDownloadURL answered ok */
	int64_t misses;        /* GetCacheEntryDownloadURL answered not ok */
	int64_t reserved;      /* CreateCacheEntry answered ok */
	int64_t conflicts;     /* CreateCacheEntry refused as existing (409 already_exists) */
	int64_t committed;     /* FinalizeCacheEntryUpload answered ok */
	int64_t bytes_up;      /* Put Blob and Put Block bytes received */
	int64_t bytes_down;    /* Get Blob bytes sent */
	int64_t blob_puts;     /* Put Blob answered 201 */
	int64_t blocks;        /* Put Block answered 201 */
	int64_t block_lists;   /* Put Block List answered 201 */
	int64_t downloads;     /* Get Blob answered 200 or 206 */
	int64_t ranged;        /* of them, 206 */
	int64_t expired;       /* signed URLs refused as expired (403) */
	int64_t throttled;     /* 429s answered */
	int64_t unauthorized;  /* 401s answered */
	int64_t failed;        /* other 4xx and 5xx answers */
	int64_t evictions;     /* entries evicted over the quota */
	int64_t evicted_bytes;
	int64_t requests;      /* every request answered */
	int64_t entries;       /* finalized entries now */
	int64_t total_size;    /* their bytes now */
};

struct ghacache;

/* Start the service with entries stored in dir (created when missing; the
 * caller removes it after ghacache_stop). s is copied. */
int ghacache_start(struct ghacache **out, const struct ghacache_settings *s, const char *dir);

/* Stop serving (open transfers are cut) and free g. Entries stay in dir.
 * NULL is allowed. */
void ghacache_stop(struct ghacache *g);

/* "http://ADDRESS:PORT/" (ADDRESS: settings' address, else listen, else
 * 127.0.0.1): BuildKit's url_v2 (ACTIONS_RESULTS_URL). Owned by g. */
const char *ghacache_url(const struct ghacache *g);
int ghacache_port(const struct ghacache *g);

/* Move the service's clock (tokens, signed URLs) `seconds` ahead of the
 * wall clock, for good: what a long build would see. */
void ghacache_clock_advance(struct ghacache *g, double seconds);

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
