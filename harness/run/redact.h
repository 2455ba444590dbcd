/*
 * redact.h: the values of a scenario's build secrets (`secret = id=ID,
 * src=FILE` and `id=ID,env=VAR`) kept out of everything bench writes. A
 * step may print a secret (`cat /run/secrets/ID`); its output reaches the
 * build log, the failure reason (run.json, the journal, builds.csv) and the
 * progress line. Every such value is replaced with REDACT_MARK:
 *
 *   - in text (redact_text) and in every string of a JSON record
 *     (redact_json), before a build's record is kept;
 *   - in a build's output as it streams (struct redact_stream), before it
 *     reaches the log and the progress parser. BuildKit's rawjson stream
 *     carries a step's output base64-encoded inside JSON, in chunks that may
 *     cut a secret in two: the stream is read object by object (rawjson's
 *     scanner), every log chunk decoded, redacted across the chunk
 *     boundaries of its step (the end of a chunk that could begin a secret is
 *     held back until the next chunk of that step, or the end), encoded
 *     again, and the object written anew; every other string of the object
 *     and any text between objects is redacted as text.
 *
 * The log therefore holds the rawjson stream as bench read it, with the
 * secrets replaced, not the bytes docker wrote.
 */
#ifndef BENCH_REDACT_H
#define BENCH_REDACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "scenario/scenario.h"

#define REDACT_MARK "***"

struct redact;

/* The values of sc's secrets: each src file's content and each env
 * variable's value, without trailing line ends, and each line of a value of
 * several lines. A file that cannot be read or an unset variable gives no
 * value (the build then fails on the missing secret, in docker's words).
 * Never fails; a scenario without secrets gives an empty redact. */
struct redact *redact_new(const struct scenario *sc);
/* The same for explicit values (tests). */
struct redact *redact_new_values(const char *const *values, size_t n);
void redact_free(struct redact *r);

/* Whether there is anything to hide. */
bool redact_any(const struct redact *r);

/* text with every value replaced. New string; NULL r copies. */
char *redact_text(const struct redact *r, const char *text);

/* Replace the values in every string of j, recursively, in place (object
 * keys are the record's own names and stay). */
void redact_json(const struct redact *r, json_t *j);

/* A build's output stream, redacted as it arrives. */
enum redact_format {
	REDACT_TEXT,    /* plain text */
	REDACT_RAWJSON, /* BuildKit's --progress=rawjson */
};

struct redact_stream;
typedef void (*redact_emit_fn)(void *ctx, const char *buf, size_t len);

/* The redacted bytes go to emit(ctx, ...) as soon as they are safe to give. */
struct redact_stream *redact_stream_new(const struct redact *r, enum redact_format format, redact_emit_fn emit,
					void *ctx);
void redact_stream_feed(struct redact_stream *st, const char *buf, size_t len);
/* The end of the stream: what was held back is given (redacted). */
void redact_stream_finish(struct redact_stream *st);
void redact_stream_free(struct redact_stream *st);

#endif
