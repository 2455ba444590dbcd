/*
 * parser.h: reading a builder's output as the build goes on. A builder names
 * its progress parser (struct parser_ops: `rawjson` for BuildKit's
 * --progress=rawjson, `buildah` for buildah's plain text); a build feeds it
 * the bytes of the streams it reads and asks it for the current step (the
 * live progress line), the steps with their cached flags (run.json), a
 * step's last output and the plain text a failed build ended with (the
 * failure reason). A parser defines its parser_ops in its own file
 * (parser_rawjson in rawjson.c, parser_buildah in buildah_parse.c); a new
 * builder adds one and names it in its builder entry.
 */
#ifndef BENCH_PARSER_H
#define BENCH_PARSER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* One step of a build, as a parser reports it. */
struct step {
	char *digest;      /* the parser's key for it (BuildKit: the vertex digest) */
	char *name;        /* "[deps 2/2] RUN pip install ...", "exporting to image" */
	double started;    /* seconds since the epoch (0 when not started) */
	double completed;  /* seconds since the epoch (0 when not completed) */
	double earlier;    /* seconds of its earlier runs, when it was started again after
			      it completed (BuildKit pulls a cached step's layers that way) */
	bool cached;
	char *error;       /* NULL when none */
};

enum {
	PARSER_STDOUT = 1 << 1,
	PARSER_STDERR = 1 << 2,
};

/* A progress parser. `state` is the parser's own object. */
struct parser_ops {
	const char *name;   /* "rawjson" */
	unsigned streams;   /* PARSER_STDOUT | PARSER_STDERR: what it reads */
	int (*create)(void **state);
	void (*destroy)(void *state);
	/* bytes read from one stream (PARSER_STDOUT or PARSER_STDERR): a
	 * parser of lines keeps a partial line per stream */
	int (*feed)(void *state, unsigned stream, const char *buf, size_t len);
	/* the step running now, for the progress line, or NULL */
	const char *(*current)(const void *state);
	/* the steps in the order first seen */
	const struct step *(*steps)(const void *state, size_t *count);
	/* [{"name", "seconds", "cached"[, "error"]}] and the counts of
	 * cacheable steps and cached ones, for run.json. New reference. */
	json_t *(*steps_json)(const void *state, int *total, int *cached);
	/* the last output of step i ("" when none) */
	const char *(*step_log)(const void *state, size_t i);
	/* where the plain text the builder printed at the end begins, in the
	 * last bytes of what it read ("ERROR: failed to solve: ..."). */
	const char *(*trailer)(const char *tail, size_t len);
	/* what identifies the built image's content (two builds that name the
	 * same made images of the same size), or NULL when the output did not
	 * say; may be NULL itself */
	const char *(*image)(const void *state);
};

/* One build's parser: the ops, their state and the last bytes fed. */
struct parser {
	const struct parser_ops *ops;
	void *state;
	struct strbuf tail; /* at most PARSER_TAIL_MAX bytes */
};

int parser_init(struct parser *p, const struct parser_ops *ops);
void parser_release(struct parser *p);

/* Feed bytes read from stream (PARSER_STDOUT or PARSER_STDERR); a stream the
 * parser does not read is ignored. */
int parser_feed(struct parser *p, unsigned stream, const char *buf, size_t len);

const char *parser_current(const struct parser *p);
json_t *parser_steps_json(const struct parser *p, int *total, int *cached);
/* The built image's identity (parser_ops.image), or NULL. */
const char *parser_image(const struct parser *p);

/* Why the build failed, for run.json: the failing step, its error and the
 * last lines of its output; or, when no step failed, the last lines of the
 * builder's closing text; else "COMMAND exited with status N". Valid UTF-8,
 * trimmed. Caller frees. */
char *parser_failure(const struct parser *p, const char *command, int exit_code);

/* Replace bytes that are not valid UTF-8 (a step may print binary output)
 * with '?', so the text can be stored as a JSON string. */
void utf8_sanitize(char *s);

/* The last `max` lines of text (a pointer into it). */
const char *last_lines(const char *text, size_t len, int max);

#endif
