/*
 * cache.h: the build cache of a series (one variant, one repetition), kept
 * from one build to the next the way a CI workflow keeps it between jobs.
 *
 *   cache = none      nothing is imported or exported.
 *   cache = local     the blog's workflow: the build imports the folder
 *                     CACHE (--cache-from) and exports CACHE-new
 *                     (--cache-to); after a build that succeeded CACHE-new
 *                     replaces CACHE. An ephemeral runner whose world paces
 *                     the actions/cache stand-in, or a variant keyed on
 *                     files, goes through the store: before the build CACHE
 *                     is restored from the entry of the exact key, else the
 *                     latest entry (restore-keys); after it CACHE-new is
 *                     saved under its key, and only the newest entry is kept.
 *   cache = registry  the build imports and exports an image ref in the
 *                     world's registry, or in [registry]'s repository.
 *   cache = gha       GitHub's cache service v2 of the world (type=gha), one
 *                     service per series, started empty by its cold build;
 *                     the content survives an ephemeral runner's reset.
 *                     Without a world, the runner's own service: buildx
 *                     reads ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN and
 *                     ACTIONS_CACHE_SERVICE_V2 from its environment.
 *   cache = inline    the cache metadata goes into the pushed image
 *                     (type=inline); the next build imports the image the
 *                     series pushed last (type=registry).
 *   cache_mounts      (any kind, ephemeral runner) the contents of the
 *                     Dockerfile's RUN --mount=type=cache targets are
 *                     extracted after the build and injected before the next
 *                     by helper builds, kept in the actions/cache stand-in
 *                     (the "cache dance", cache_dance.c).
 *
 * Each kind is one backend: a file of its own and a row in the table of
 * kinds (cache_kind.h, cache_kinds.c); a new kind is one more file and row,
 * its fields in struct cache_series / struct cache_state here when it
 * keeps any. run.c only calls cache_series_init, cache_restore,
 * cache_save, cache_record_seconds and cache_series_release.
 */
#ifndef BENCH_CACHE_H
#define BENCH_CACHE_H

#include <jansson.h>
#include <stdbool.h>

#include "builders/builder.h"
#include "cache/cache_kind.h"
#include "scenario/scenario.h"

struct world;

/* What the run lends every series. */
struct cache_env {
	struct world *world;        /* the emulated world, or NULL (no [world], dry run) */
	bool paced_store;           /* the world paces the actions/cache stand-in */
	const char *marker;         /* the run's image marker (registry cache refs) */
	/* "restoring cache ..." notes: the run's progress line, or NULL for none;
	 * note is called with note_ctx and the note's text (cache/ knows no
	 * progress line, the run lends one). */
	void (*note)(void *note_ctx, const char *msg);
	void *note_ctx;
	bool dry_run;               /* restore and save nothing */
	const struct builder *builder; /* the cache dance's helper builds */
	const struct engine *engine;
	const char *network;        /* their --network, or NULL */
	int runner;                 /* the world's runner of the series' engine (world.h) */
	const char *dry_registry;   /* the dry run of a [world] scenario: the registry's
				       HOST:<registry-port>, shown in registry cache refs */
	const struct registry_settings *registry; /* [registry] (no world), or NULL */
	bool runner_env;            /* no [world]: gha is the runner's (its environment) */
};

/* What a series carries from one build to the next, and what --resume would
 * have to find again after an interruption: plain strings, to and from JSON
 * with cache_state_to_json / cache_state_from_json. */
struct cache_state {
	char *latest_key;   /* local through the store: the key saved last */
	char *registry_ref; /* registry: the cache image ref */
	char *inline_ref;   /* inline: the image the series pushed last */
	char *mounts_key;   /* cache_mounts: the key the mounts were saved under last */
};

struct cache_series {
	const struct cache_kind *kind; /* v->cache */
	const struct variant *v;
	const struct cache_env *env;
	char *folder;       /* local: the folder the build imports */
	char *folder_new;   /* local: the folder the build exports */
	char *store;        /* local: the actions/cache stand-in, one folder per key */
	bool transport;     /* local: restore and save through the store */
	bool dance;         /* cache_mounts on an ephemeral runner: carried by the dance */
	char *dance_dir;    /* its folder: helper Dockerfiles, contents in and out, store */
	struct cache_state state;
};

/* One build's use of its series' cache. */
struct cache_use {
	struct cache_spec from, to; /* for the build request; point into the series */
	char *key;                  /* the actions/cache key, or NULL */
	bool exact_hit;             /* the store had the exact key */
	/* all the time spent before and after the build (actions/cache copies,
	 * the cache dance); the dance's own share apart */
	double restore_seconds, save_seconds;
	double mounts_restore_seconds, mounts_save_seconds;
	const char *image;          /* the build's image ref: the caller sets it before
				       cache_save (inline keeps it) */
	char *gha_token, *gha_scope;/* gha: "token=...", "scope=..." */
	char *mounts_key;           /* cache_mounts: the key their contents are saved under */
	struct strvec mount_specs;  /* cache_mounts: their --mount specs in the Dockerfile */
	const char *gha_attrs[4];   /* u->from.attrs and u->to.attrs of gha */
};

/* Every variant of sc has a kind of the table (cache_kind.h); else
 * BENCH_EINVALID naming the variant. A kind that reads the runner's
 * environment (no [world]) finds its variables there; else BENCH_ESETUP
 * naming the first one missing. Checked before a run. */
int cache_check(const struct scenario *sc);

/* A series of variant v, repetition rep, whose private folder is dir (the
 * caller's: it makes and removes it). */
void cache_series_init(struct cache_series *s, const struct variant *v, int rep, const char *dir,
		       const struct cache_env *env);
void cache_series_release(struct cache_series *s);

/* Before the build of commit c (checked out in checkout; cold: the first of
 * the series): restore what the backend restores and fill u->from / u->to.
 * The cache_key and cache_hit of the build go into record. */
int cache_restore(struct cache_use *u, struct cache_series *s, const char *commit_id, const char *checkout,
		  bool cold, json_t *record);

/* After the build (and its push); ok: it succeeded. Rotate or save, and put
 * cache_saved and cache_bytes into record. */
int cache_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record);

/* The restore and save times, recorded when the series goes through the
 * store (cache_restore_seconds, cache_save_seconds) or dances
 * (cache_mounts_restore_seconds, cache_mounts_save_seconds). */
void cache_record_seconds(json_t *record, const struct cache_use *u, const struct cache_series *s);

void cache_use_release(struct cache_use *u);

/* The ref of image `name` with `tag` in the registry builds push to and
 * keep registry caches in: the world runner's registry (or, in the dry run
 * of a [world] scenario, dry_registry): HOST:PORT/MARKER/NAME:TAG; or
 * [registry]'s repository, where every
 * image of the run is a tag (REF:MARKER-NAME-TAG); NULL when there is
 * neither. Caller frees. */
char *cache_registry_ref(const struct cache_env *env, const char *name, const char *tag);

/* What the series' cache holds now, for --resume (its kind's fingerprint),
 * or NULL when it cannot be told: a kind without one, or cache mounts
 * carried apart. Caller frees. */
char *cache_fingerprint(const struct cache_series *s);

/* The actions/cache key of the cache folder at a commit: "commit-ID" (the
 * blog's `buildx-${{ github.sha }}`), or, for cache_key = files:..., "files-"
 * and the hash of those files in the checkout (hashFiles). Caller frees. */
char *cache_key(const struct variant *v, const char *commit_id, const char *checkout);

/* The state as JSON (new reference) and back; BENCH_EINVALID when j is not
 * such an object. */
json_t *cache_state_to_json(const struct cache_state *st);
int cache_state_from_json(struct cache_state *st, const json_t *j);
void cache_state_release(struct cache_state *st);

#endif
