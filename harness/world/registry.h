/*
 * world/registry.h: a private container registry on 127.0.0.1 for the push
 * step (and registry caches): Debian's docker-registry (distribution 2.8)
 * started as a background child with its storage in the caller's work_dir.
 * Docker allows plain-HTTP registries on 127.0.0.0/8 without configuration.
 */
#ifndef BENCH_WORLD_REGISTRY_H
#define BENCH_WORLD_REGISTRY_H

#include <stdint.h>

struct registry;

/* Write work_dir/registry/config.yml (storage in work_dir/registry/data, a
 * free port on 127.0.0.1, deletes enabled), start `docker-registry serve` and
 * wait (at most 10 s) until GET /v2/ answers 200 from it (not from another
 * program that took the port first: then it tries another). Its output goes to
 * work_dir/registry/registry.log. BENCH_ESETUP when docker-registry is not
 * installed. */
int registry_start(struct registry **out, const char *work_dir);

/* "127.0.0.1:PORT". Owned by r. */
const char *registry_address(const struct registry *r);
int registry_port(const struct registry *r);

/* GET path (e.g. "/v2/_catalog") from the registry: *status gets the HTTP
 * status, *body (caller frees, may be NULL) the response body. */
int registry_get(int *status, char **body, const struct registry *r, const char *path);

/* The digest ("sha256:...") of the manifest that name:tag points at, in
 * *digest (caller frees), NULL when there is none. */
int registry_manifest_digest(char **digest, const struct registry *r, const char *name, const char *tag);

/* Keep work_dir/registry (the storage) when the registry stops: an
 * interrupted run's pushes and registry caches, for its resume. A registry
 * started on a kept storage serves what it holds. */
void registry_keep(struct registry *r);

/* The bytes of the blobs the manifest repo:tag names, each once (config and
 * layers, through an index's manifests; a BuildKit cache index's entries):
 * what the image or cache takes in the registry, blobs it shares with other
 * images counted.
 * BENCH_ENOTFOUND when there is no such manifest. */
int registry_manifest_bytes(int64_t *bytes, const struct registry *r, const char *repo,
			    const char *tag);

/* SIGTERM (SIGKILL after 5 s), reap, remove work_dir/registry (unless
 * kept), free r. NULL is fine. */
void registry_stop(struct registry *r);

#endif
