/*
 * buildah.h: the buildah builder (builder_buildah, see builder.h) and the
 * pieces of it the unit tests look at: the storage folder bench owns, the
 * argv every call starts with, the build's argv and cache flags, and what
 * a scenario may not ask of buildah.
 */
#ifndef BENCH_BUILDAH_H
#define BENCH_BUILDAH_H

#include "builders/builder.h"
#include "lib/util.h"

/* The buildah builder. */
extern const struct builder builder_buildah;

/* The buildah to run: $BENCH_BUILDAH or "buildah". */
const char *buildah_cli(void);

/* The folder that holds buildah's storage: $BENCH_BUILDAH_ROOT, else
 * $TMPDIR/bench-buildah (TMPDIR unset: /tmp). Caller frees. */
char *buildah_root(void);

/* Start an argv: `env TMPDIR=ROOT/tmp buildah --root ROOT/storage
 * --runroot ROOT/run --storage-driver vfs`. */
void buildah_argv_init(struct strvec *argv);

/* The full argv of `buildah bud --layers --isolation chroot --pull=never
 * ...` for req; BENCH_EINVALID for what buildah cannot do (a network other
 * than host, a cache other than a registry). */
int buildah_build_argv(struct strvec *argv, const struct engine *e, const struct build_request *req);

/* --cache-from / --cache-to REPOSITORY (buildah_cache_repo of the
 * location) and --tls-verify=false; BENCH_EINVALID for a cache that is not
 * a registry, or an export with a mode other than max or a compression. */
int buildah_cache_options(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to);

/* "HOST/PATH:TAG" as a repository of its own, "HOST/PATH-TAG" (buildah
 * tags every step's cache by its key in it). Caller frees. */
char *buildah_cache_repo(const char *location);

/* `buildah push --quiet --tls-verify=false REF`. */
void buildah_push_argv(struct strvec *argv, const struct engine *e, const char *ref);

/* builder_buildah.unsupported: what of v (in sc) buildah cannot do. */
const char *buildah_unsupported(const struct scenario *sc, const struct variant *v);

#endif
