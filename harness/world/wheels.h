/*
 * world/wheels.h: the files of the emulated internet, generated from the
 * catalog: one valid py3-none-any wheel per catalog package, a PEP 503
 * simple index over them, and the model files. Everything is deterministic
 * for a seed. The layout under the folder handed to world_files_generate is
 * the URL space the world's server serves:
 *   simple/index.html, simple/NAME/index.html   the index
 *   packages/NAME_U-VERSION-py3-none-any.whl     the wheels
 *   storage/URL_PATH                             the models (catalog.h)
 */
#ifndef BENCH_WORLD_WHEELS_H
#define BENCH_WORLD_WHEELS_H

#include <stddef.h>
#include <stdint.h>

/* What world_files_generate made. */
struct world_files {
	int64_t wheel_bytes;  /* all wheels */
	int64_t model_bytes;  /* all model files */
	size_t projects;      /* distinct package names in the index */
	size_t wheels;        /* wheel files (one per catalog entry) */
};

/* Generate everything into dir (created; must not hold older files), with
 * every size multiplied by scale (> 0), on every core (world/files.c). */
int world_files_generate(struct world_files *out, const char *dir, double scale, unsigned seed);

/* "name_with_underscores-VERSION-py3-none-any.whl". Caller frees. */
char *wheel_filename(const char *name, const char *version);

/* Write one wheel of about target_bytes (at least a few KB) at path: an
 * __init__.py, a _native.so payload compressing about 2:1, and the
 * dist-info METADATA, WHEEL and RECORD. */
int wheel_write(const char *path, const char *name, const char *version,
		int64_t target_bytes, uint64_t seed);

/* Write a .tar.gz of a folder "embedding_model/" (config.json,
 * tokenizer.json, model.safetensors) of about target_bytes at path. */
int model_targz_write(const char *path, int64_t target_bytes, uint64_t seed);

/* Write target_bytes of weight-like bytes at path. */
int model_raw_write(const char *path, int64_t target_bytes, uint64_t seed);

/* The byte streams, for tests: native-library-like bytes (deflate about
 * 2:1) and weight-like bytes (about 1.1:1). */
void world_bytes_native(void *buf, size_t len, uint64_t seed);
void world_bytes_weights(void *buf, size_t len, uint64_t seed);

#endif
