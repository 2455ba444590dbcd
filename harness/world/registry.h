/*
 * world/registry.h: a private container registry on 127.0.0.1 for the push
 * step (and registry caches): Debian's docker-registry (distribution 2.8)
 * started as a background child with its storage in the caller's work_dir.
 * Docker allows plain-HTTP registries on 127.0.0.0/8 without configuration.
 */
#ifndef BENCH_WORLD_REGISTRY_H
#define BENCH_WORLD_REGISTRY_H

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

/* SIGTERM (SIGKILL after 5 s), reap, remove work_dir/registry, free r.
 * NULL is fine. */
void registry_stop(struct registry *r);

#endif
