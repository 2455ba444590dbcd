/*
 * engines.h: the engines of a run (the scenario's `engines =`, or
 * `bench run --engines a,b`, or the default engine): their run locks, taken
 * in one order so that two runs sharing engines never wait on each other in
 * a circle; each engine's fingerprint for run.json's environment.engines[];
 * the refusal of two names of one daemon (each engine prunes its own builder
 * cache, so two series on one daemon would spoil each other); and the base
 * images every engine must have before its first build, read from the
 * variants' Dockerfiles and copied from an engine that has them.
 */
#ifndef BENCH_ENGINES_H
#define BENCH_ENGINES_H

#include <jansson.h>
#include <stddef.h>

#include "builders/builder.h"
#include "builders/engine.h"
#include "builders/dockerfile.h"
#include "lib/util.h"

struct engine_set {
	struct engine *v; /* in the order given */
	size_t n;
	int *lock_fds;    /* each engine's run lock once engine_set_lock took it, else -1 */
};

/* The engines of a run: `list` ("a,b": --engines) when not NULL, else
 * names[0..count), else the default engine alone. A name given twice, or a
 * name that is neither a context nor a URL, is BENCH_EINVALID naming it
 * (`what` says where it came from: "--engines", "engines"). */
int engine_set_init(struct engine_set *set, const char *list, char *const *names, size_t count, const char *what);
void engine_set_release(struct engine_set *set);
/* Keep the first n engines only (n <= set->n). */
void engine_set_truncate(struct engine_set *set, size_t n);

/* The index of the engine named name, or -1. */
int engine_set_find(const struct engine_set *set, const char *name);

/* Take every engine's run lock, in the order of their lock files' paths;
 * waiting is called for each one another bench holds (see engine_lock). */
int engine_set_lock(struct engine_set *set, void (*waiting)(void *ctx, const char *path), void *ctx);

/* The fingerprint of engine e for environment.engines[]: {"name", and
 * what the builder's environment says of it (versions, engine id, kernel,
 * CPUs, memory)}. New reference. */
int engine_fingerprint(json_t **out, const struct builder *b, const struct engine *e);

/* BENCH_EINVALID when two fingerprints of the array carry one engine id:
 * two names of one daemon. */
int engine_fingerprints_check(const json_t *fingerprints);

/* Make sure engine e has every image of refs: one it lacks is copied from
 * the first of sources[0..nsources) that has it, through a file in dir. An
 * image none of them has is left to the build (a remote engine may pull
 * it); note (may be NULL) is told. */
int engine_copy_images(const struct builder *b, const struct engine *e, const struct engine *const *sources,
		       size_t nsources, const struct strvec *refs, const char *dir,
		       void (*note)(void *ctx, const char *msg), void *ctx);

#endif
