/*
 * world/baseimage.h: the stand-in for python:3.12.7-slim, made without any
 * registry: a Debian bookworm rootfs from debootstrap (Python, pip, venv,
 * curl, tar), adjusted so the blog's Dockerfiles work unchanged, then
 * `docker import`ed. Built once when absent and kept across runs.
 */
#ifndef BENCH_WORLD_BASEIMAGE_H
#define BENCH_WORLD_BASEIMAGE_H

#include <stdbool.h>

struct engine;
struct strvec;

/* What the world asks of the engine it runs with, lent by the run (the
 * docker CLI's operations, builders/docker.h): world/ sees an engine only as
 * an opaque pointer it hands back. e NULL is the default engine. */
struct world_engine_ops {
	const char *(*name)(const struct engine *e); /* "default" for NULL */
	int (*image_exists)(bool *out, const struct engine *e, const char *ref);
	int (*image_remove)(const struct engine *e, const char *ref);
	void (*import_argv)(struct strvec *argv, const struct engine *e, const char *tar, const char *ref,
			    const char *const *changes, const char *message);
	void (*run_argv)(struct strvec *argv, const struct engine *e, const char *ref, const char *network,
			 const char *const *cmd);
};

#define WORLD_BASE_IMAGE_DEFAULT "bench/python:3.12.7-slim"

/* Make sure the image `ref` exists on engine e (NULL: the default engine),
 * through ops: return at once when ops->image_exists finds it, else build it in work_dir (rootfs and tarball removed
 * afterwards) and check it: `apt-get update && apt-get install -y curl tar`
 * works offline, `pip install` as root lands in /usr/local/lib/python3.12.
 * Needs root and debootstrap; takes about 1-3 minutes. Progress lines go to
 * log when not NULL. BENCH_ESETUP when the machine lacks something. */
int world_base_image_ensure(const struct world_engine_ops *ops, const struct engine *e, const char *ref, const char *work_dir,
			    void (*log)(void *ctx, const char *msg), void *ctx);

/* The Debian mirror this machine's apt uses: the first non-security URI of
 * APT_DIR/sources.list.d/ *.sources (deb822), else of APT_DIR/sources.list.
 * apt_dir NULL means "/etc/apt". *out is freed by the caller. BENCH_ESETUP
 * when none is found. */
int world_apt_mirror(char **out, const char *apt_dir);

#endif
