/*
 * docker.h: everything bench asks of the docker CLI, always as an argv, and
 * the BuildKit builder (builder_buildkit, see builder.h) made of it. No other
 * file of bench holds a docker argv. Each call names its engine: the CLI
 * gets `--context NAME` or `-H URL` for any engine but the default.
 * The CLI is "docker" from PATH, or $BENCH_DOCKER (tests point it at a fake
 * executable to exercise the error paths).
 */
#ifndef BENCH_DOCKER_H
#define BENCH_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "builders/builder.h"
#include "builders/engine.h"
#include "lib/util.h"

/* The BuildKit builder: `docker buildx build` on the engine. */
extern const struct builder builder_buildkit;

/* The docker CLI to run: $BENCH_DOCKER or "docker". */
const char *docker_cli(void);

/* Start an argv for engine e: the CLI, then `--context NAME` or `-H URL`. */
void docker_argv_init(struct strvec *argv, const struct engine *e);

/* Checked before the first build, each failure with the fix in the message:
 * the CLI is missing, the daemon does not answer, buildx is missing, the
 * current builder cannot export a local cache (only checked when need_cache_export). */
int docker_preflight(const struct engine *e, bool need_cache_export);

/* Whether an engine speaks GitHub's cache service v2 (BuildKit >= 0.20; v1
 * was shut down on 15 April 2025): by the BuildKit version when it has one
 * ("v0.25.1"; Debian's builds say "v0.0.0+unknown"), else by dockerd's
 * ("28.5.2+dfsg4": moby 28.0 is the first to vendor BuildKit 0.20). Unknown
 * both ways: true (the build will say). */
bool docker_speaks_gha_v2(const char *buildkit, const char *server);

/* The engine's versions (docker_client, docker_server, containerd, buildx,
 * buildkit: strings, null when the engine does not say), its storage driver
 * and id, kernel, CPUs, memory. New reference. */
int docker_environment(json_t **out, const struct engine *e);

/* The "BuildKit version:" of `docker buildx inspect`'s output (its first
 * node), or NULL. Caller frees. */
char *docker_parse_buildkit_version(const char *inspect);

/* Append the full argv of `docker buildx build ...` for req to argv. */
int docker_build_argv(struct strvec *argv, const struct engine *e, const struct build_request *req);

/* --cache-from / --cache-to of BuildKit: type=local (src=, dest=),
 * type=registry (ref=) or type=gha (url_v2=), then the spec's attributes;
 * exports with mode= and the compression options. */
int docker_cache_options(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to);

/* A fresh-hosted-runner reset: remove the images whose name:tag holds
 * marker and prune the builder cache (`docker builder prune -af`). Base
 * images stay. */
int docker_reset_runner(const struct engine *e, const char *marker);

/* Remove the images whose name:tag holds marker (nothing else). */
int docker_remove_images(const struct engine *e, const char *marker);

/* Remove every image whose repository starts with prefix (after a registry
 * host): what runs that did not end left; how many in *removed (may be
 * NULL). */
int docker_remove_leftover_images(int *removed, const struct engine *e, const char *prefix);

/* Size in bytes of a local image. */
int docker_image_size(int64_t *out, const struct engine *e, const char *ref);

/* Whether a local image exists. */
int docker_image_exists(bool *out, const struct engine *e, const char *ref);

/* `docker image rm -f ref`. */
int docker_image_remove(const struct engine *e, const char *ref);

/* `docker push -q ref`. */
void docker_push_argv(struct strvec *argv, const struct engine *e, const char *ref);

/* `docker import --change C... --message M TAR REF`: a rootfs tarball as an
 * image (changes NULL-terminated, or NULL). */
void docker_import_argv(struct strvec *argv, const struct engine *e, const char *tar, const char *ref,
			const char *const *changes, const char *message);

/* `docker run --rm --network NETWORK REF CMD...`. */
void docker_run_argv(struct strvec *argv, const struct engine *e, const char *ref, const char *network,
		     const char *const *cmd);

/* `docker image save -o TAR REF` and `docker image load -i TAR`: an image
 * carried to another engine or builder as a file. */
int docker_image_save(const struct engine *e, const char *ref, const char *tar);
int docker_image_load(const struct engine *e, const char *tar);

#endif
