/*
 * world/ghacache_store.h: the inside of the emulated GitHub Actions cache
 * (world/ghacache.h): the entries of one repository with GitHub's lookup,
 * reservation, finalize and eviction rules, and each entry's blob with
 * Azure's staged blocks (ghacache_store.c); the reading of the run's token
 * (ghacache_token.c). Nothing here locks: the HTTP side calls it under its
 * mutex. Nothing here touches error.h either, since it runs on the
 * server's threads: a refusal fills a struct gha_fault that becomes the
 * HTTP answer.
 */
#ifndef BENCH_WORLD_GHACACHE_STORE_H
#define BENCH_WORLD_GHACACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "world/ghacache.h"

/* A refusal: the HTTP status, the error code (Twirp's for the cache
 * service, Azure's for a blob) and a message. */
struct gha_fault {
	int status;
	const char *code;
	char message[256];
};

/* Fill f and return -1. */
int gha_fault_set(struct gha_fault *f, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A block staged by Put Block: its bytes are gha_store_part_path(seq). */
struct gha_block {
	char *id;
	int64_t seq, size;
};

/* One cache entry: reserved (CreateCacheEntry), its blob uploaded (Put
 * Blob, or Put Block ... Put Block List), then finalized. Its bytes are
 * gha_store_path(id). */
struct gha_entry {
	int64_t id;
	char *key, *version, *scope;
	bool uploaded;          /* the blob is there (blob_size bytes) */
	bool committed;         /* finalized: lookups see it */
	int64_t blob_size;
	int64_t size;           /* finalized size */
	uint64_t created;       /* finalize order: "newest" among prefix matches */
	uint64_t used;          /* order of the last hit, download or finalize */
	struct gha_block *blocks; /* staged, not in the blob yet */
	size_t nblocks, alloc;
};

/* The entries of one repository. */
struct gha_store {
	char *dir;
	int64_t quota;          /* <= 0: none */
	struct gha_entry **v;
	size_t n, alloc;
	int64_t next_id, next_part;
	uint64_t tick;
	int64_t total;          /* bytes of finalized entries */
	int64_t committed;      /* how many are finalized */
};

/* Start an empty store in dir (made when missing; main thread, error.h). */
int gha_store_init(struct gha_store *st, const char *dir, int64_t quota);
void gha_store_release(struct gha_store *st);

/* The blob of entry id; a part (a staged block or a blob on its way in)
 * numbered seq (gha_store_new_part). Caller frees. */
char *gha_store_path(const struct gha_store *st, int64_t id);
char *gha_store_part_path(const struct gha_store *st, int64_t seq);
int64_t gha_store_new_part(struct gha_store *st);

/* GitHub's lookup: for each readable scope in order, keys[0] exactly, then
 * the newest entry whose key starts with each of keys[1..] (restore keys);
 * the version must match, only finalized entries count. A hit is marked
 * used. NULL: a miss. */
struct gha_entry *gha_store_lookup(struct gha_store *st, const char *const *keys, size_t nkeys,
				   const char *version, const char *const *scopes, size_t nscopes);

/* Reserve key+version in scope: *id gets the new entry's id. Refused (409
 * already_exists) when the scope already has that key and version,
 * reserved or finalized. */
int gha_store_reserve(int64_t *id, struct gha_fault *f, struct gha_store *st, const char *key,
		      const char *version, const char *scope);

/* The entry with this id; the one of key+version in scope. NULL: none. */
struct gha_entry *gha_store_get(struct gha_store *st, int64_t id);
struct gha_entry *gha_store_find(struct gha_store *st, const char *key, const char *version,
				 const char *scope);

/* Put Block: part seq (size bytes) becomes block `id` of e, replacing a
 * staged block of the same id. Refused past GHA_BLOCKS_MAX blocks. */
int gha_store_stage_block(struct gha_fault *f, struct gha_store *st, struct gha_entry *e,
			  const char *id, int64_t seq, int64_t size);

/* Put Blob: part seq (size bytes) becomes e's blob; staged blocks go. */
void gha_store_put_blob(struct gha_store *st, struct gha_entry *e, int64_t seq, int64_t size);

/* Put Block List, first half: the staged blocks ids[0..n) name, in order,
 * copied into *parts (n entries, caller frees). Refused (400
 * InvalidBlockList) when one is not staged. The caller joins the parts into
 * a new part outside the lock, then calls gha_store_put_blob. */
int gha_store_block_list(struct gha_block **parts, struct gha_fault *f, struct gha_entry *e,
			 const char *const *ids, size_t n);

/* Finalize e at `size` bytes: its blob must be there with that size. Then
 * evict the least recently used finalized entries while the total is over
 * the quota; *evicted and *evicted_bytes get what went. An entry larger
 * than the quota alone is refused (-2) and dropped. */
int gha_store_finalize(int64_t *evicted, int64_t *evicted_bytes, struct gha_fault *f,
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
 * `nbf` <= now < `exp`. Refused with 401 unauthenticated otherwise. */
int gha_grant_parse(struct gha_grant *out, struct gha_fault *f, const char *authorization,
		    time_t now);
void gha_grant_release(struct gha_grant *g);

/* The scope a run writes into (the first with the write bit), or NULL. */
const char *gha_grant_write_scope(const struct gha_grant *g);

#endif
