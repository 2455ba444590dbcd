/*
 * builder.h: the seam between bench and the program that builds images.
 *
 * A builder is a table entry (struct builder) of operations, looked up by
 * name (builder_find("buildkit")). run.c, build.c, cache.c and the world
 * only ever call these; a new builder plugs in with one file that defines
 * its `const struct builder` and one line in the table in builder.c. Every
 * operation takes the engine (engine.h) it acts on. The first builder is
 * BuildKit through `docker buildx build` (docker.c, which holds every docker
 * argv of bench).
 */
#ifndef BENCH_BUILDER_H
#define BENCH_BUILDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "parser.h"
#include "scenario.h"
#include "util.h"

/* What the scenario asks of the builder, checked by preflight. */
struct builder_needs {
	bool cache_export;   /* some variant exports a cache (cache != none) */
	bool registry_cache; /* some variant keeps its cache in a registry */
	bool push;           /* some variant pushes its image */
};

/* What scenario sc asks of any builder. */
void builder_needs_of(struct builder_needs *needs, const struct scenario *sc);

/* Where a build imports its cache from or exports it to; kind CACHE_NONE
 * means no import/export. The builder maps it to its own flags. */
struct cache_spec {
	enum cache_kind kind;
	const char *location;    /* local: a folder; registry: an image ref */
	const char *mode;        /* export: "max" or "min" */
	const char *compression; /* export: "gzip", "zstd", or NULL (the default) */
};

/* One build, as bench wants it; the builder turns it into an argv. */
struct build_request {
	const char *context;     /* build context folder */
	const char *dockerfile;  /* path of the Dockerfile */
	const char *tag;         /* image tag */
	const char *target;      /* or NULL */
	const char *network;     /* or NULL */
	const char *metadata_file; /* where the builder writes the image digest, or NULL */
	struct cache_spec cache_from, cache_to;
	const char *const *build_args; /* "KEY=VALUE", NULL-terminated, or NULL */
	const char *const *secrets;    /* "id=x,src=y" / "id=x,env=Y", or NULL */
	bool push;               /* push as part of the build (bench pushes apart: false) */
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

	/* The argv of a build (appended to argv). BENCH_EINVALID when the
	 * request asks for what this builder cannot do. */
	int (*build_argv)(struct strvec *argv, const struct engine *e, const struct build_request *req);
	/* The cache flags of a build: how cache = none | local | registry map
	 * to this builder's options (used by build_argv). */
	int (*cache_options)(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to);

	/* Size in bytes of a built image. */
	int (*image_size)(int64_t *out, const struct engine *e, const char *ref);
	/* The argv that pushes a built image to its registry. */
	void (*push_argv)(struct strvec *argv, const struct engine *e, const char *ref);

	/* Make the engine's image `ref` (a base image) usable by this builder:
	 * BuildKit reads the engine's image store and only checks it is there;
	 * a builder with a store of its own copies it in. */
	int (*import_base)(const struct engine *e, const char *ref);

	/* Bring image `ref` (a base image) from engine `from` to engine `to`
	 * when `to` lacks it, through a file in dir (no pipe between two
	 * processes): 0 when `to` has it afterwards, BENCH_ENOTFOUND when
	 * neither has it. NULL: this builder cannot spread a run over several
	 * engines. */
	int (*copy_image)(const struct engine *to, const struct engine *from, const char *ref, const char *dir);
};

/* The builder named `name`, or NULL. */
const struct builder *builder_find(const char *name);

/* The builder a scenario gets when it names none: buildkit. */
const struct builder *builder_default(void);

/* The names in the table, ", "-separated, for messages. Static. */
const char *builder_names(void);

/* A name (a variant's) as it may appear in an image reference: lowercase,
 * anything but [a-z0-9._-] turned into '-'. Caller frees. */
char *builder_ref_name(const char *name);

/* The builders (docker.c: buildkit). */
extern const struct builder builder_buildkit;

#endif
