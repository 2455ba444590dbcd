/*
 * buildah_parse.h: reads what `buildah bud` prints, line by line from both
 * of its streams, and keeps the build's steps: "STEP i/m: INSTR ..." (with a
 * "[k/n] " stage prefix in a multi-stage build) starts a step, "--> Using
 * cache ID" marks it cached, "--> ID" ends it, "COMMIT NAME" is the final
 * commit, "Error: ..." is the error of the step that was running, anything
 * else is that step's output. A step is named the way BuildKit names its
 * vertexes, "[stage i/m] INSTR ..." ("[i/m] INSTR ..." in a single-stage
 * build; an unnamed stage k is "stage-(k-1)"), with buildah's numbering,
 * so that run.json reads the same for both builders. Times are those of the
 * lines' arrival.
 */
#ifndef BENCH_BUILDAH_PARSE_H
#define BENCH_BUILDAH_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "builders/parser.h"

struct buildah_parse;

int buildah_parse_new(struct buildah_parse **out);
void buildah_parse_free(struct buildah_parse *p);

/* Feed bytes of one stream (PARSER_STDOUT or PARSER_STDERR) that arrived at
 * `now` (seconds since the epoch). Each stream keeps its partial last line
 * until its newline comes. */
int buildah_parse_feed(struct buildah_parse *p, unsigned stream, const char *buf, size_t len, double now);

/* The steps in the order they started. Owned by p. */
const struct step *buildah_parse_steps(const struct buildah_parse *p, size_t *count);

/* The name of the step running now (started, not ended), or NULL. */
const char *buildah_parse_current(const struct buildah_parse *p);

/* The last few KiB step i printed ("" when nothing). Owned by p. */
const char *buildah_parse_step_log(const struct buildah_parse *p, size_t i);

/* Whether a step is one of those steps_total counts: an instruction that
 * makes a layer BuildKit would cache too (RUN, COPY, ADD, WORKDIR). FROM
 * and the metadata instructions (CMD, ENV, ARG, LABEL...), which buildah
 * numbers and commits as steps of their own but BuildKit does not, are
 * listed and not counted. */
bool buildah_step_counts(const struct step *s);

/* [{"name", "seconds", "cached"[, "error"]}] and the counts of counted
 * steps and cached ones; a step still open ends at the last line read.
 * New reference. */
json_t *buildah_parse_steps_json(const struct buildah_parse *p, int *steps_total, int *steps_cached);

/* This parser as the builder seam's parser_ops (buildah's, on stdout and
 * stderr). */
extern const struct parser_ops parser_buildah;

#endif
