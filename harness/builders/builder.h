/*
 * builder.h: the seam between bench and the program that builds images.
 *
 * A builder is a table entry (struct builder) of operations, looked up by
 * name (builder_find("buildkit")); each variant names its own (`builder =`,
 * builder_of). run.c, build.c, cache.c and the world only ever call these;
 * a new builder plugs in with one file that defines its `const struct
 * builder` and one line in the table in builder.c. Every operation takes
 * the engine (engine.h) it acts on. The first builder is BuildKit through
 * `docker buildx build` (docker.c, which holds every docker argv of bench);
 * the second is buildah (buildah.c), which keeps a storage of its own.
 */
#ifndef BENCH_BUILDER_H
#define BENCH_BUILDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "builders/engine.h"
#include "scenario/scenario.h"
#include "lib/util.h"

struct builder;
struct parser_ops; /* parser.h */

/* What the scenario asks of the builder, checked by preflight. */
struct builder_needs {
	bool cache_export;   /* some variant exports a cache (cache != none) */
	bool push;           /* some variant pushes its image */
	bool gha;            /* some variant uses GitHub's cache service (type=gha) */
};

/* Whether builder b takes the cache type (its cache_types). */
bool builder_takes_cache(const struct builder *b, const char *type);

/* What scenario sc asks of builder b (NULL: of any builder). */
void builder_needs_of(struct builder_needs *needs, const struct scenario *sc, const struct builder *b);

/* Where a build imports its cache from or exports it to, in BuildKit's
 * terms (the reference; another builder maps what it can and refuses the
 * rest): type NULL means no import/export. */
struct cache_spec {
	const char *type;        /* "local", "registry", "gha", "inline" (export only), or NULL */
	const char *location;    /* local: a folder; registry: an image ref; gha: the service URL
				    (url_v2) */
	const char *const *attrs;/* more "key=value" attributes (gha: token=..., version=2),
				    NULL-terminated, or NULL */
	const char *mode;        /* export: "max" (NULL) or "min" */
	const char *compression; /* export: "gzip", "zstd", or NULL (the default) */
};

/* One build, as bench wants it; the builder turns it into an argv. */
struct build_request {
	const char *context;     /* build context folder */
	const char *dockerfile;  /* path of the Dockerfile */
	const char *tag;         /* image tag, or NULL (with output) */
	const char *target;      /* or NULL */
	const char *network;     /* or NULL */
	const char *metadata_file; /* where the builder writes the image digest, or NULL */
	struct cache_spec cache_from, cache_to;
	const char *const *build_args; /* "KEY=VALUE", NULL-terminated, or NULL */
	const char *const *secrets;    /* "id=x,src=y" / "id=x,env=Y", or NULL */
	bool push;               /* push as part of the build (bench pushes apart: false) */
	const char *output;      /* where the result goes instead of the engine's images, in
				    BuildKit's --output terms ("type=local,dest=DIR",
				    "type=cacheonly": the cache dance's helper builds), or NULL */
};

struct builder {
	const char *name;        /* "buildkit": the table key */
	const char *command;     /* "docker buildx build": for messages */
	const struct parser_ops *parser; /* reads the build's output */

	/* Before the first build: is everything there that `needs` asks for?
	 * BENCH_ESETUP with the fix in the message. Also the "is the engine
	 * still answering" check after a failed build (needs all false). */
	int (*preflight)(const struct engine *e, const struct builder_needs *needs);

	/* Versions, drivers and machine, for run.json's environment. */
	int (*environment)(json_t **out, const struct engine *e);

	/* A fresh hosted runner: remove the images whose name holds marker
	 * and everything the builder caches; base images stay. */
	int (*reset)(const struct engine *e, const char *marker);
	/* What reset would do, one line for --dry-run. */
	void (*print_reset)(FILE *f, const struct engine *e, const char *marker);
	/* Only remove the images whose name holds marker. */
	int (*remove_images)(const struct engine *e, const char *marker);
	/* Remove the one image ref (a persistent runner's previous build, once
	 * the next build replaced it): one command, whatever the store holds. */
	int (*remove_image)(const struct engine *e, const char *ref);
	/* Remove every image whose repository starts with prefix (every run's
	 * marker starts with it): what runs killed before their end left.
	 * Only while holding the engine lock. How many in *removed. */
	int (*remove_leftovers)(int *removed, const struct engine *e, const char *prefix);

	/* The argv of a build (appended to argv). BENCH_EINVALID when the
	 * request asks for what this builder cannot do. */
	int (*build_argv)(struct strvec *argv, const struct engine *e, const struct build_request *req);
	/* The cache types (struct cache_spec's type) this builder takes,
	 * NULL-ended: a cache kind whose types (cache/cache_kind.h) are not
	 * all here is refused for its variants at scenario check time. */
	const char *const *cache_types;
	/* The cache flags of a build: how the cache_specs that the cache kinds
	 * make map to this builder's options (used by build_argv;
	 * BENCH_EINVALID for a type it lacks). */
	int (*cache_options)(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to);

	/* Size in bytes of a built image. */
	int (*image_size)(int64_t *out, const struct engine *e, const char *ref);
	/* The argv that pushes a built image to its registry. */
	void (*push_argv)(struct strvec *argv, const struct engine *e, const char *ref);

	/* Make the engine's image `ref` (a base image) usable by this builder:
	 * BuildKit reads the engine's image store and only checks it is there;
	 * a builder with a store of its own copies it in. BENCH_ENOTFOUND or
	 * BENCH_ESETUP when the engine does not have it. */
	int (*import_base)(const struct engine *e, const char *ref);
	/* The builder keeps images in a store of its own: before each build
	 * the base images its Dockerfile names go through import_base
	 * (builder_prepare). */
	bool own_store;

	/* What of variant v (in scenario sc) this builder cannot do, as one
	 * sentence that names the key and the way out; NULL when it can do all
	 * of it. The scenario parser reports it at the variant's builder line. */
	const char *(*unsupported)(const struct scenario *sc, const struct variant *v);
	/* After the run's last build, whatever its end: remove everything the
	 * run left in the builder (BuildKit: as reset). */
	int (*finish)(const struct engine *e, const char *marker);

	/* Bring image `ref` (a base image) from engine `from` to engine `to`
	 * when `to` lacks it, through a file in dir (no pipe between two
	 * processes): 0 when `to` has it afterwards, BENCH_ENOTFOUND when
	 * neither has it. NULL: this builder cannot spread a run over several
	 * engines. */
	int (*copy_image)(const struct engine *to, const struct engine *from, const char *ref, const char *dir);
};

/* The builder named `name`, or NULL. */
const struct builder *builder_find(const char *name);

/* The builder variant v names (the default when it names none). */
const struct builder *builder_of(const struct variant *v);

/* The builder a scenario gets when it names none: buildkit. */
const struct builder *builder_default(void);

/* The names in the table, ", "-separated, for messages. Static. */
const char *builder_names(void);

/* A name (a variant's) as it may appear in an image reference: lowercase,
 * anything but [a-z0-9._-] turned into '-'. Caller frees. */
char *builder_ref_name(const char *name);

/* ---- a run's builders: each operation for every builder a variant of sc
 * names, once each, in table order ---- */

/* preflight, each with what sc asks of it. */
int builders_preflight(const struct scenario *sc, const struct engine *e);
/* The default builder's environment (the engine's facts), with the keys of
 * every other builder sc uses added. New reference in *out. */
int builders_environment(json_t **out, const struct scenario *sc, const struct engine *e);
/* import_base of ref (the world's base image). */
int builders_import_base(const struct scenario *sc, const struct engine *e, const char *ref);
/* finish; every builder is finished, the first error is returned. */
int builders_finish(const struct scenario *sc, const struct engine *e, const char *marker);

/* The flags `docker buildx build` and `buildah bud` spell alike, appended
 * in this order: -f DOCKERFILE, -t TAG, --target T, --build-arg K=V ...,
 * --secret S ... */
void builder_common_flags(struct strvec *argv, const struct build_request *req);

/* Before the build req: for a builder with a store of its own, import_base
 * of each image req's Dockerfile builds on (dockerfile.h). An image the
 * engine does not have either is left out: the build then fails on it and
 * says so in its record. Nothing for the others. */
int builder_prepare(const struct builder *b, const struct engine *e, const struct build_request *req);

/* The builders themselves are declared by their own headers (docker.h:
 * builder_buildkit; buildah.h: builder_buildah) and listed in builder.c. */

#endif
