/*
 * rawjson.h: reads the progress stream of `docker buildx build
 * --progress=rawjson`: concatenated JSON objects, pretty-printed (buildx
 * 0.13) or one a line (buildx 0.29), each with optional "vertexes",
 * "statuses" and "logs". Bytes are fed
 * as they arrive; each complete object updates the build's steps (vertexes
 * keyed by digest: name, started, completed, cached, error).
 */
#ifndef BENCH_RAWJSON_H
#define BENCH_RAWJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "builders/parser.h" /* struct step; rawjson is parser_rawjson */

struct rawjson;

int rawjson_new(struct rawjson **out);
void rawjson_free(struct rawjson *p);

/* Feed bytes from the stream. Complete objects are parsed at once; a partial
 * one waits for more bytes. Garbage that is not JSON is skipped (counted in
 * rawjson_garbage) rather than failing the build's measurement. */
int rawjson_feed(struct rawjson *p, const char *buf, size_t len);

/* The steps in the order first seen. Owned by p. */
const struct step *rawjson_steps(const struct rawjson *p, size_t *count);

/* The name of the step that started most recently and is not completed, or
 * NULL. Owned by p. For the live progress line. */
const char *rawjson_current(const struct rawjson *p);

/* The image config digest ("sha256:...") the exporter's status named, or
 * NULL: what identifies the image's content. */
const char *rawjson_image(const struct rawjson *p);

/* Bytes skipped because they were not JSON. */
size_t rawjson_garbage(const struct rawjson *p);

/* Whether a step is a Dockerfile instruction that can be cached: its name is
 * "[stage n/m] INSTR ..." or "[n/m] INSTR ..." and INSTR is not FROM. These are
 * what steps_total and steps_cached count. */
bool step_is_instruction(const struct step *s);

/* Seconds the step took (completed - started, 0 when unknown). */
double step_seconds(const struct step *s);

/* The steps as run.json wants them: [{"name", "seconds", "cached"[, "error"]}]
 * plus steps_total and steps_cached. New reference. */
json_t *rawjson_steps_json(const struct rawjson *p, int *steps_total, int *steps_cached);

/* For a reader of the stream itself (redact.c rewrites the build log): in
 * stream order, each complete object (borrowed, valid during the call) and
 * each run of bytes that is not an object; whitespace between objects goes
 * to neither. */
struct rawjson_tap {
	void (*object)(void *ctx, json_t *obj);
	void (*garbage)(void *ctx, const char *bytes, size_t len);
	void *ctx;
};
void rawjson_set_tap(struct rawjson *p, const struct rawjson_tap *tap);

/* The bytes fed but not handed on yet (an object still open). Owned by p. */
const char *rawjson_pending(const struct rawjson *p, size_t *len);

/* This parser as the builder seam's parser_ops (BuildKit's, on stderr). */
extern const struct parser_ops parser_rawjson;

/* Additions (rawjson owner): */

/* Parse an RFC 3339 time ("2026-11-28T06:36:55.244019905Z", or with a
 * "+01:00" offset) into seconds since the epoch. Returns 0, or -1 when the
 * text is not such a time. */
int rawjson_parse_time(double *out, const char *text);

/* The last few KiB of what step `index` (as in rawjson_steps) printed on
 * stdout and stderr, decoded from the base64 "logs"; "" when nothing. Owned
 * by p. Useful to say why a RUN step failed. */
const char *rawjson_step_log(const struct rawjson *p, size_t index);

/* The error of the first step (in order first seen) that has one, or NULL.
 * Owned by p. */
const char *rawjson_first_error(const struct rawjson *p);

/* Complete JSON objects parsed so far. */
size_t rawjson_objects(const struct rawjson *p);

#endif
