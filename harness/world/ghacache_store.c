/*
 * world/ghacache_store.c: the entries of the emulated GitHub Actions cache
 * and GitHub's rules for them (see ghacache_store.h): lookups by exact key
 * then restore-key prefix within the readable scopes, one reservation per
 * key, version and scope, a blob uploaded whole or as staged blocks, the
 * finalize that checks its size, and the repository's size quota kept by
 * evicting the least recently used.
 */
#include "world/ghacache_store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/ghacache_parse.h"

int gha_fault_set(struct gha_fault *f, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	f->status = status;
	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return -1;
}

int gha_store_init(struct gha_store *st, const char *dir, int64_t quota)
{
	int error;

	memset(st, 0, sizeof(*st));
	st->dir = path_absolute(dir);
	st->quota = quota > 0 ? quota : 0;
	st->next_id = 1;
	st->next_part = 1;
	if ((error = mkdir_p(st->dir)) < 0)
		return bench_error_wrap(error, "cannot make the cache service's folder");
	return 0;
}

char *gha_store_path(const struct gha_store *st, int64_t id)
{
	return xasprintf("%s/%" PRId64 ".blob", st->dir, id);
}

char *gha_store_part_path(const struct gha_store *st, int64_t seq)
{
	return xasprintf("%s/%" PRId64 ".part", st->dir, seq);
}

int64_t gha_store_new_part(struct gha_store *st)
{
	return st->next_part++;
}

static void unlink_part(const struct gha_store *st, int64_t seq)
{
	char *path = gha_store_part_path(st, seq);
	unlink(path);
	free(path);
}

static void drop_blocks(const struct gha_store *st, struct gha_entry *e)
{
	size_t i;

	for (i = 0; i < e->nblocks; i++) {
		unlink_part(st, e->blocks[i].seq);
		free(e->blocks[i].id);
	}
	e->nblocks = 0;
}

static void entry_free(const struct gha_store *st, struct gha_entry *e)
{
	drop_blocks(st, e);
	free(e->blocks);
	free(e->key);
	free(e->version);
	free(e->scope);
	free(e);
}

void gha_store_release(struct gha_store *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		entry_free(st, st->v[i]);
	free(st->v);
	free(st->dir);
	memset(st, 0, sizeof(*st));
}

static bool visible(const struct gha_entry *e, const char *version, const char *scope)
{
	return e->committed && !strcmp(e->version, version) && !strcmp(e->scope, scope);
}

/* The newest finalized entry of scope+version whose key starts with prefix
 * (exact: equals it). */
static struct gha_entry *newest_match(struct gha_store *st, const char *key, bool exact,
				      const char *version, const char *scope)
{
	struct gha_entry *best = NULL;
	size_t klen = strlen(key), i;

	for (i = 0; i < st->n; i++) {
		struct gha_entry *e = st->v[i];
		if (!visible(e, version, scope))
			continue;
		if (exact ? strcmp(e->key, key) != 0 : strncmp(e->key, key, klen) != 0)
			continue;
		if (!best || e->created > best->created)
			best = e;
	}
	return best;
}

void gha_store_touch(struct gha_store *st, struct gha_entry *e)
{
	e->used = ++st->tick;
}

struct gha_entry *gha_store_lookup(struct gha_store *st, const char *const *keys, size_t nkeys,
				   const char *version, const char *const *scopes, size_t nscopes)
{
	size_t s, k;

	for (s = 0; s < nscopes && nkeys; s++) {
		struct gha_entry *e = newest_match(st, keys[0], true, version, scopes[s]);
		for (k = 1; !e && k < nkeys; k++)
			e = newest_match(st, keys[k], false, version, scopes[s]);
		if (e) {
			gha_store_touch(st, e);
			return e;
		}
	}
	return NULL;
}

struct gha_entry *gha_store_get(struct gha_store *st, int64_t id)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->v[i]->id == id)
			return st->v[i];
	return NULL;
}

struct gha_entry *gha_store_find(struct gha_store *st, const char *key, const char *version,
				 const char *scope)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		struct gha_entry *e = st->v[i];
		if (!strcmp(e->key, key) && !strcmp(e->version, version) && !strcmp(e->scope, scope))
			return e;
	}
	return NULL;
}

int gha_store_reserve(int64_t *id, struct gha_fault *f, struct gha_store *st, const char *key,
		      const char *version, const char *scope)
{
	struct gha_entry *e;

	if (gha_store_find(st, key, version, scope))
		return gha_fault_set(f, 409, "already_exists",
				     "cache entry already exists: scope %s, key %s, version %s", scope,
				     key, version);
	e = xcalloc(1, sizeof(*e));
	e->id = st->next_id++;
	e->key = xstrdup(key);
	e->version = xstrdup(version);
	e->scope = xstrdup(scope);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 64;
		st->v = xrealloc(st->v, st->alloc * sizeof(*st->v));
	}
	st->v[st->n++] = e;
	*id = e->id;
	return 0;
}

int gha_store_stage_block(struct gha_fault *f, struct gha_store *st, struct gha_entry *e,
			  const char *id, int64_t seq, int64_t size)
{
	size_t i;

	for (i = 0; i < e->nblocks && strcmp(e->blocks[i].id, id); i++)
		;
	if (i < e->nblocks) { /* the latest upload of a block id wins */
		unlink_part(st, e->blocks[i].seq);
		e->blocks[i].seq = seq;
		e->blocks[i].size = size;
		return 0;
	}
	if (e->nblocks == GHA_BLOCKS_MAX) {
		unlink_part(st, seq);
		return gha_fault_set(f, 409, "BlockCountExceedsLimit",
				     "the uncommitted block count cannot exceed %d", GHA_BLOCKS_MAX);
	}
	if (e->nblocks == e->alloc) {
		e->alloc = e->alloc ? e->alloc * 2 : 8;
		e->blocks = xrealloc(e->blocks, e->alloc * sizeof(*e->blocks));
	}
	e->blocks[e->nblocks++] = (struct gha_block){xstrdup(id), seq, size};
	return 0;
}

void gha_store_put_blob(struct gha_store *st, struct gha_entry *e, int64_t seq, int64_t size)
{
	char *from = gha_store_part_path(st, seq), *to = gha_store_path(st, e->id);

	if (rename(from, to) < 0) /* a part made under the store's folder: cannot fail but for
				     the disk; then the blob is empty and the finalize says so */
		size = 0;
	drop_blocks(st, e);
	e->uploaded = true;
	e->blob_size = size;
	free(from);
	free(to);
}

int gha_store_block_list(struct gha_block **parts, struct gha_fault *f, struct gha_entry *e,
			 const char *const *ids, size_t n)
{
	size_t i, j;

	*parts = xcalloc(n ? n : 1, sizeof(**parts));
	for (i = 0; i < n; i++) {
		for (j = 0; j < e->nblocks && strcmp(e->blocks[j].id, ids[i]); j++)
			;
		if (j == e->nblocks) {
			free(*parts);
			*parts = NULL;
			return gha_fault_set(f, 400, "InvalidBlockList",
					     "block %zu of the list (%s) is not staged", i + 1, ids[i]);
		}
		(*parts)[i] = e->blocks[j];
		(*parts)[i].id = NULL; /* the entry keeps its strings */
	}
	return 0;
}

/* Remove entry index i from the store and its files from the disk. */
static void drop(struct gha_store *st, size_t i)
{
	struct gha_entry *e = st->v[i];
	char *path = gha_store_path(st, e->id);

	unlink(path);
	free(path);
	if (e->committed) {
		st->total -= e->size;
		st->committed--;
	}
	entry_free(st, e);
	memmove(st->v + i, st->v + i + 1, (st->n - i - 1) * sizeof(*st->v));
	st->n--;
}

/* Index of the finalized entry used longest ago, or st->n when none. */
static size_t least_recently_used(const struct gha_store *st)
{
	size_t i, lru = st->n;

	for (i = 0; i < st->n; i++)
		if (st->v[i]->committed && (lru == st->n || st->v[i]->used < st->v[lru]->used))
			lru = i;
	return lru;
}

static size_t index_of(const struct gha_store *st, const struct gha_entry *e)
{
	size_t i;

	for (i = 0; i < st->n && st->v[i] != e; i++)
		;
	return i;
}

int gha_store_finalize(int64_t *evicted, int64_t *evicted_bytes, struct gha_fault *f,
		       struct gha_store *st, struct gha_entry *e, int64_t size)
{
	*evicted = *evicted_bytes = 0;
	if (e->committed)
		return gha_fault_set(f, 409, "already_exists", "cache entry %s is already finalized",
				     e->key);
	if (!e->uploaded)
		return gha_fault_set(f, 412, "failed_precondition",
				     "no blob was uploaded for cache entry %s", e->key);
	if (size != e->blob_size)
		return gha_fault_set(f, 400, "invalid_argument",
				     "size_bytes %" PRId64 " does not match the uploaded blob's %" PRId64
				     " bytes", size, e->blob_size);
	if (st->quota && size > st->quota) {
		gha_fault_set(f, 200, NULL, "cache size of %" PRId64 " bytes is over the repository's "
			      "limit of %" PRId64 " bytes", size, st->quota);
		drop(st, index_of(st, e));
		return -2;
	}
	e->committed = true;
	e->size = size;
	e->created = ++st->tick;
	e->used = e->created;
	st->total += size;
	st->committed++;
	while (st->quota && st->total > st->quota) {
		size_t lru = least_recently_used(st);
		if (lru == st->n || st->v[lru] == e)
			break;
		(*evicted)++;
		*evicted_bytes += st->v[lru]->size;
		drop(st, lru);
	}
	return 0;
}
