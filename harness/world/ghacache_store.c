/*
 * world/ghacache_store.c: the entries of the emulated GitHub Actions cache
 * and GitHub's rules for them (see ghacache_store.h): lookups by exact key
 * then prefix within the readable scopes, one reservation per key, version
 * and scope, chunks that must cover the entry exactly at commit, and the
 * repository's size quota kept by evicting the least recently used.
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

int gha_fault_set(struct gha_fault *f, int status, const char *type_key, const char *fmt, ...)
{
	va_list ap;

	f->status = status;
	f->type_key = type_key;
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
	if ((error = mkdir_p(st->dir)) < 0)
		return bench_error_wrap(error, "cannot make the cache service's folder");
	return 0;
}

static void entry_free(struct gha_entry *e)
{
	free(e->key);
	free(e->version);
	free(e->scope);
	free(e->ranges);
	free(e);
}

void gha_store_release(struct gha_store *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		entry_free(st->v[i]);
	free(st->v);
	free(st->dir);
	memset(st, 0, sizeof(*st));
}

char *gha_store_path(const struct gha_store *st, int64_t id)
{
	return xasprintf("%s/%" PRId64 ".blob", st->dir, id);
}

static bool visible(const struct gha_entry *e, const char *version, const char *scope)
{
	return e->committed && !strcmp(e->version, version) && !strcmp(e->scope, scope);
}

/* The newest committed entry of scope+version whose key starts with prefix
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

	for (s = 0; s < nscopes; s++) {
		struct gha_entry *e = NULL;
		if (nkeys)
			e = newest_match(st, keys[0], true, version, scopes[s]);
		for (k = 0; !e && k < nkeys; k++)
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

int gha_store_reserve(int64_t *id, struct gha_fault *f, struct gha_store *st, const char *key,
		      const char *version, const char *scope)
{
	struct gha_entry *e;
	size_t i;

	for (i = 0; i < st->n; i++) {
		e = st->v[i];
		if (!strcmp(e->key, key) && !strcmp(e->version, version) && !strcmp(e->scope, scope))
			return gha_fault_set(f, 409, "ArtifactCacheItemAlreadyExistsException",
					     "Cache already exists. Scope: %s, Key: %s, Version: %s",
					     scope, key, version);
	}
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

void gha_entry_add_range(struct gha_entry *e, int64_t start, int64_t end)
{
	size_t i = 0, j;

	if (end <= start)
		return;
	/* skip the ranges wholly before, merge those that touch or overlap */
	while (i < e->nranges && e->ranges[i].end < start)
		i++;
	for (j = i; j < e->nranges && e->ranges[j].start <= end; j++) {
		if (e->ranges[j].start < start)
			start = e->ranges[j].start;
		if (e->ranges[j].end > end)
			end = e->ranges[j].end;
	}
	if (j == i) { /* nothing merged: insert at i */
		if (e->nranges == e->alloc) {
			e->alloc = e->alloc ? e->alloc * 2 : 8;
			e->ranges = xrealloc(e->ranges, e->alloc * sizeof(*e->ranges));
		}
		memmove(e->ranges + i + 1, e->ranges + i, (e->nranges - i) * sizeof(*e->ranges));
		e->nranges++;
	} else if (j > i + 1) { /* ranges i..j-1 become one */
		memmove(e->ranges + i + 1, e->ranges + j, (e->nranges - j) * sizeof(*e->ranges));
		e->nranges -= j - i - 1;
	}
	e->ranges[i].start = start;
	e->ranges[i].end = end;
}

/* Remove entry index i from the store and its file from the disk. */
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
	entry_free(e);
	memmove(st->v + i, st->v + i + 1, (st->n - i - 1) * sizeof(*st->v));
	st->n--;
}

/* Index of the committed entry used longest ago, or st->n when none. */
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

int gha_store_commit(int64_t *evicted, int64_t *evicted_bytes, struct gha_fault *f,
		     struct gha_store *st, struct gha_entry *e, int64_t size)
{
	int64_t have = e->nranges ? e->ranges[e->nranges - 1].end : 0;

	*evicted = *evicted_bytes = 0;
	if (e->committed)
		return gha_fault_set(f, 400, "ArtifactCacheEntryAlreadyCommittedException",
				     "Cache %" PRId64 " is already committed", e->id);
	if (size < 0 || e->nranges > 1 || (e->nranges && e->ranges[0].start != 0) || have != size)
		return gha_fault_set(f, 400, "InvalidOperationException",
				     "Cache size of %" PRId64 " bytes does not match the uploaded "
				     "size of %" PRId64 " bytes in %zu range(s)",
				     size, have, e->nranges);
	if (st->quota && size > st->quota) {
		gha_fault_set(f, 400, "ArtifactCacheSizeLimitExceededException",
			      "Cache size of %" PRId64 " bytes is over the repository's limit of %" PRId64
			      " bytes", size, st->quota);
		drop(st, index_of(st, e));
		return -1;
	}
	e->committed = true;
	e->size = size;
	e->created = ++st->tick;
	e->used = e->created;
	e->created_at = time(NULL);
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
