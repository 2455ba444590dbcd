/*
 * cache_kind.h: the table of `cache =` kinds, one row per kind.
 *
 * A row is everything bench knows of a kind: its name (written only here,
 * in its backend's file), what it needs from outside the runner (the
 * world, a registry, the runner's environment), the cache types it hands
 * the builder (builder.h: struct cache_spec; a builder that does not take
 * all of them cannot do the kind), the options that only make sense for it,
 * and its operations. The scenario parser looks `cache = NAME` up here and
 * checks a variant against its row; cache.c runs the row's operations.
 *
 * A new backend is one file defining its `const struct cache_kind` and
 * one line in the table (cache_kinds.c). This header is a leaf: it
 * includes nothing of bench's, so the scenario parser can read the table
 * without the rest of the cache policy.
 */
#ifndef BENCH_CACHE_KIND_H
#define BENCH_CACHE_KIND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct cache_series;
struct cache_use;

/* What a kind needs from outside the runner: any one of these will do
 * (0: nothing, the runner alone). */
enum {
	CACHE_FROM_WORLD = 1,      /* the emulated world ([world]) */
	CACHE_FROM_REGISTRY = 2,   /* a registry of the user's ([registry]) */
	CACHE_FROM_RUNNER_ENV = 4, /* the CI runner's environment (env below) */
};

/* Options that only make sense for some kinds. */
enum {
	CACHE_TAKES_KEY = 1,   /* cache_key = files:... (an actions/cache folder) */
	CACHE_TAKES_SCOPE = 2, /* cache_scope (default: the variant's name) */
	CACHE_MIN_ONLY = 4,    /* only cache_mode = min (min_only_why says why) */
	CACHE_NEEDS_PUSH = 8,  /* push = yes (needs_push_why says why) */
};

struct cache_kind {
	const char *name;        /* `cache = NAME` */
	const char *help;        /* one line: where the cache is kept */
	unsigned needs;          /* CACHE_FROM_*, any one of them */
	const char *provides;    /* what the world gives it, for "needs a [world] section
				    (it provides ...)" */
	const char *const *env;  /* CACHE_FROM_RUNNER_ENV: the variables it reads, NULL-ended */
	const char *const *types;/* the cache_spec types it hands a builder, NULL-ended;
				    NULL: none (no import, no export) */
	unsigned flags;          /* CACHE_TAKES_KEY ... */
	const char *min_only_why;
	const char *needs_push_why;

	/* the operations (struct cache_series: cache.h) */
	/* set up the series' fields (s->v, s->env are set) */
	void (*init)(struct cache_series *s, int rep, const char *dir);
	/* before a build: restore, then fill u->from and u->to */
	int (*restore)(struct cache_use *u, struct cache_series *s, const char *commit_id,
		       const char *checkout, bool cold, json_t *record);
	/* after a build: keep what it exported, put cache_bytes into record */
	int (*save)(struct cache_use *u, struct cache_series *s, bool ok, json_t *record);
	/* what the series' cache holds now, for --resume: a string that changes
	 * when the content does (caller frees); NULL: cannot be told (a cut
	 * series is then built again). May itself be NULL. */
	char *(*fingerprint)(const struct cache_series *s);
};

/* The kind named `name`, or NULL. */
const struct cache_kind *cache_kind_find(const char *name);
/* The i-th kind of the table, or NULL past the last. */
const struct cache_kind *cache_kind_at(size_t i);
/* The kind a variant gets when it names none: "none". */
const struct cache_kind *cache_kind_default(void);
/* Whether the kind hands the builder a cache (it exports one). */
bool cache_kind_exports(const struct cache_kind *k);
/* "none, local, registry, gha or inline": the names, for messages. Static. */
const char *cache_kind_names(void);

/* Add a row after the table's, for the lifetime of the process: a backend
 * defined outside harness/cache (tests/test_cache_kinds.c's made-up one).
 * BENCH_EINVALID when its name is taken or the rows are full. */
int cache_kind_register(const struct cache_kind *k);

/* The rows of harness/cache (each defined in its backend's file). */
extern const struct cache_kind cache_kind_none, cache_kind_local, cache_kind_registry, cache_kind_gha,
	cache_kind_inline;

#endif
