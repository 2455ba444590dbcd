/*
 * docker.h: everything bench asks of the docker CLI, always as an argv.
 * The CLI is "docker" from PATH, or $BENCH_DOCKER (tests point it at a fake
 * executable to exercise the error paths).
 */
#ifndef BENCH_DOCKER_H
#define BENCH_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"
#include "util.h"

/* The docker CLI to run: $BENCH_DOCKER or "docker". */
const char *docker_cli(void);

/* Checked before the first build, each failure with the fix in the message:
 * the CLI is missing, the daemon does not answer, buildx is missing, the
 * current builder cannot export a local cache (only checked when need_cache_export). */
int docker_preflight(bool need_cache_export);

/* Client, server and buildx versions, kernel, CPUs, memory. New reference. */
int docker_environment(json_t **out);

struct build_request {
	const char *context;     /* build context folder */
	const char *dockerfile;  /* path of the Dockerfile */
	const char *tag;         /* image tag */
	const char *target;      /* or NULL */
	const char *network;     /* or NULL */
	const char *metadata_file;
	const char *cache_from;  /* "type=local,src=..." or NULL */
	const char *cache_to;    /* "type=local,dest=...,mode=max" or NULL */
	const char *const *build_args; /* "KEY=VALUE", NULL-terminated, or NULL */
	const char *const *secrets;    /* "id=x,src=y" / "id=x,env=Y", or NULL */
	bool push;               /* --push instead of --load (the image is loaded too) */
};

/* Append the full argv of `docker buildx build ...` for req to argv. */
void docker_build_argv(struct strvec *argv, const struct build_request *req);

/* Every image a run tags has this prefix, then the run's stamp and pid:
 * "bench-run-20261129t112110z-601/VARIANT:COMMIT-rN" (after the registry,
 * when pushed). */
#define DOCKER_RUN_MARKER_PREFIX "bench-run-"

/* A fresh-hosted-runner reset: remove the images whose name contains
 * tag_marker and prune the builder cache (`docker builder prune -af`).
 * Base images stay. */
int docker_reset_runner(const char *tag_marker);

/* Remove the images whose name contains tag_marker (one run's). */
int docker_remove_images(const char *tag_marker);

/* Remove every image a bench run tagged (DOCKER_RUN_MARKER_PREFIX), what
 * runs that did not end left behind; *removed (may be NULL) gets how many.
 * Only while holding the engine lock: then no run is using them. */
int docker_remove_leftover_images(int *removed);

/* Size in bytes of a local image (`docker image inspect`). */
int docker_image_size(int64_t *out, const char *tag);

/* The size of the image a build tagged `tag`, asking docker only when the
 * build's metadata file names an image config that is not in `known`
 * (config digest -> size, kept by the caller for the run; may be NULL). */
int docker_image_size_known(int64_t *out, json_t *known, const char *metadata_file, const char *tag);

/* Whether a local image exists. */
int docker_image_exists(bool *out, const char *ref);

#endif
