/*
 * world/ghacache_store.h: the inside of the emulated GitHub Actions cache
 * (world/ghacache.h): the entries of one repository with GitHub's lookup,
 * reservation, upload, commit and eviction rules (ghacache_store.c), and
 * the reading of the run's token (ghacache_token.c). Nothing here locks:
 * the HTTP side (ghacache.c) calls it under its mutex. Nothing here touches
 * error.h either, since it runs on the server's threads: a refusal fills a
 * struct gha_fault that becomes the HTTP answer.
 */
#ifndef BENCH_WORLD_GHACACHE_STORE_H
#define BENCH_WORLD_GHACACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "world/ghacache.h"

/* A refusal: the HTTP status, GitHub's typeKey and a message. */
struct gha_fault {
	int status;
	const char *type_key;
	char message[256];
};

/* Fill f and return -1. */
int gha_fault_set(struct gha_fault *f, int status, const char *type_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One uploaded byte range [start, end). */
struct gha_range {
	int64_t start, end;
};

/* One cache entry: reserved, then filled by chunks, then committed. Its
 * bytes are the file gha_store_path(id). */
struct gha_entry {
	int64_t id;
	char *key, *version, *scope;
	bool committed;
	int64_t size;           /* committed size */
	uint64_t created;       /* commit order: "newest" among prefix matches */
	uint64_t used;          /* order of the last hit, download or commit */
	time_t created_at;      /* wall time of the commit (creationTime) */
	struct gha_range *ranges; /* received, sorted, merged */
	size_t nranges, alloc;
};

/* The entries of one repository. */
struct gha_store {
	char *dir;
	int64_t quota;          /* <= 0: none */
	struct gha_entry **v;
	size_t n, alloc;
	int64_t next_id;
	uint64_t tick;
	int64_t total;          /* bytes of committed entries */
	int64_t committed;      /* how many are committed */
};

/* Start an empty store in dir (made when missing; main thread, error.h). */
int gha_store_init(struct gha_store *st, const char *dir, int64_t quota);
void gha_store_release(struct gha_store *st);

/* The file of entry id. Caller frees. */
char *gha_store_path(const struct gha_store *st, int64_t id);

/* GitHub's lookup: for each readable scope in order, keys[0] exactly, then
 * the newest entry whose key starts with keys[0], then the newest starting
 * with each further key (restore-keys); the version must match, only
 * committed entries count. A hit is marked used. NULL: a miss. */
struct gha_entry *gha_store_lookup(struct gha_store *st, const char *const *keys, size_t nkeys,
				   const char *version, const char *const *scopes, size_t nscopes);

/* Reserve key+version in scope: *id gets the new entry's id. Refused (409)
 * when the scope already has that key and version, reserved or committed. */
int gha_store_reserve(int64_t *id, struct gha_fault *f, struct gha_store *st, const char *key,
		      const char *version, const char *scope);

/* The entry with this id, or NULL. */
struct gha_entry *gha_store_get(struct gha_store *st, int64_t id);

/* Record that [start, end) of e arrived. */
void gha_entry_add_range(struct gha_entry *e, int64_t start, int64_t end);

/* Commit e at `size` bytes: the chunks must cover exactly [0, size). Then
 * evict the least recently used committed entries while the total is over
 * the quota; *evicted and *evicted_bytes get what went. An entry larger
 * than the quota alone is refused and dropped. */
int gha_store_commit(int64_t *evicted, int64_t *evicted_bytes, struct gha_fault *f,
		     struct gha_store *st, struct gha_entry *e, int64_t size);

/* Mark e used now (LRU order). */
void gha_store_touch(struct gha_store *st, struct gha_entry *e);

/* ---- the token (ghacache_token.c) ---- */

/* The scopes a token grants, copied out of its claims. */
struct gha_grant {
	struct ghacache_scope *scopes; /* scope strings owned */
	size_t n;
};

/* Read "Bearer TOKEN" (authorization may be NULL): the claims' `ac`, and
 * `nbf` <= now < `exp`. Refused with 401 otherwise. */
int gha_grant_parse(struct gha_grant *out, struct gha_fault *f, const char *authorization,
		    time_t now);
void gha_grant_release(struct gha_grant *g);

/* The scope a run writes into (the first with the write bit), or NULL. */
const char *gha_grant_write_scope(const struct gha_grant *g);

#endif
