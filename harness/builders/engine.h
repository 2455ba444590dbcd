/*
 * engine.h: the Docker engine a build runs on. Every builder operation takes
 * one: a run spreads its series over one or several engines (the
 * scenario's `engines =`, or --engines; engines.h), the default one when
 * none is named. An engine is named the way docker names it: the default
 * (no flag: DOCKER_HOST or the CLI's current context), a docker context by
 * name, or a DOCKER_HOST-style URL (unix:///run/x.sock, tcp://, ssh://). A
 * NULL `const struct engine *` means the default engine everywhere.
 */
#ifndef BENCH_ENGINE_H
#define BENCH_ENGINE_H

#include <stdbool.h>

struct engine {
	char *name;    /* as given: "default", a context name, or the URL */
	char *context; /* a docker context name (`--context NAME`), or NULL */
	char *host;    /* a DOCKER_HOST-style URL (`-H URL`), or NULL */
};

/* Parse spec: NULL, "" or "default" is the default engine; a value with
 * "://" is a URL (unix, tcp, ssh, fd, npipe); anything else a context name
 * (letters, digits, "._-"). BENCH_EINVALID, naming spec, otherwise. */
int engine_init(struct engine *e, const char *spec);

/* The default engine (cannot fail). */
void engine_init_default(struct engine *e);

void engine_release(struct engine *e);

bool engine_is_default(const struct engine *e);

/* What to call the engine in messages: "the default docker engine",
 * "docker context 'x'", "docker engine at tcp://...". A buffer of the calling
 * thread, valid until its next call. */
const char *engine_describe(const struct engine *e);

/* The lock file that serializes bench runs on this engine: the default
 * engine's is $TMPDIR/bench-engine.lock (TMPDIR unset: /tmp); another's is
 * $TMPDIR/bench-engine-NAME-HASH.lock. (Two names of one daemon get two
 * locks.) Caller frees. */
char *engine_lock_path(const struct engine *e);

/* Take the engine's lock for the life of *fd (close it, or let the process
 * end, to release it). When another bench holds it, `waiting` is called once
 * with the lock's path and this waits; Ctrl-C while waiting gives
 * BENCH_EINTERRUPTED. */
int engine_lock(int *fd, const struct engine *e, void (*waiting)(void *ctx, const char *path), void *ctx);

#endif
