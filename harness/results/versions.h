/*
 * versions.h: the engine versions a run was measured on (docker server,
 * buildx, containerd, BuildKit), read from run.json's environment for the
 * reports (markdown, json, text) and the HTML page.
 */
#ifndef BENCH_VERSIONS_H
#define BENCH_VERSIONS_H

#include <jansson.h>

/* Each engine's versions: [{"name", "docker_server", "buildx", "containerd",
 * "buildkit"}], a value null when not recorded (a run from before they
 * were), "buildx" shortened to its version ("0.29.1+ds1" of
 * "github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4"). From
 * environment.engines[] (every engine fingerprinted, in the run's order),
 * else from the environment itself as "default". Empty when run has no
 * environment. New reference. */
json_t *versions_of_run(json_t *run);

/* One entry as text: "docker 28.5.2, buildx 0.29.1, containerd 2.1.9,
 * BuildKit v0.25.1", what is not recorded left out; "" when nothing is.
 * Caller frees. */
char *versions_text(json_t *versions);

#endif
