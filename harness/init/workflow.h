/*
 * init/workflow.h: the image builds of a GitHub Actions workflow, as bench
 * init reads them (libyaml): `docker/build-push-action` steps (their `with:`)
 * and `docker build` / `docker buildx build` command lines of `run:` steps
 * (runline.c parses the words). Not a workflow engine: `${{ }}` expressions
 * are kept as written, except `${{ env.NAME }}`, and `$NAME` / `${NAME}` of
 * run lines, which are replaced from the workflow's, job's and step's `env:`
 * when the value there is a plain string.
 */
#ifndef BENCH_INIT_WORKFLOW_H
#define BENCH_INIT_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* One image build of a workflow. Paths are as written (relative to the
 * repository's root, or to the step's working-directory for run lines). */
struct wf_build {
	char *workflow;          /* the file it was read from, as given */
	int line;                /* 1-based line of the step */
	char *job;               /* the job's id */
	const char *how;         /* "docker/build-push-action", "docker buildx build", "docker build" */
	char *context;           /* "." when not given */
	char *file;              /* -f / file:, NULL: CONTEXT/Dockerfile */
	char *target;            /* NULL when not given */
	struct strvec build_args;/* "KEY=VALUE" */
	struct strvec cache_from;/* the specs as written: "type=gha", "type=local,src=..." */
	struct strvec cache_to;
	struct strvec tags;
	bool push;               /* --push, push: true (or an expression), a docker push of the
				    job after it, or --output type=registry / image,push=true */
	bool self_hosted;        /* the job's runs-on names a self-hosted runner */
};

struct wf_builds {
	struct wf_build *v;
	size_t n;
};

/* Append to out the builds of the workflow `text` (len bytes), named `name`
 * in messages. BENCH_EINVALID with "NAME:LINE: ..." when the text is not
 * YAML (libyaml's problem and line) or its root is not a mapping; a file
 * with no build adds nothing. out keeps what it had on error. */
int workflow_read(struct wf_builds *out, const char *name, const char *text, size_t len);

void wf_builds_release(struct wf_builds *b);

/* ---- runline.c ---- */

/* The shell words of one command line: quotes ('...', "...") and backslash
 * escapes removed, `\` + newline joined. Commands are split at newlines,
 * ';', '&&', '||' and '|'; each command is an array of words in out (a
 * strvec per command). A `${{ ... }}` expression stays whole in its word.
 * Not a shell: no expansion, no subshells. */
void runline_commands(struct strvec **out, size_t *n, const char *script);
void runline_commands_free(struct strvec *cmds, size_t n);

/* When words (a command of runline_commands) are `docker build`,
 * `docker buildx build` or `docker image build` (after an optional sudo),
 * fill b (how, context, file, target, build_args, cache_from, cache_to,
 * tags, push) and return true. b's strings are owned by b. */
bool runline_docker_build(struct wf_build *b, const struct strvec *words);

/* When words are `docker push REF` (or `docker image push REF`), REF. */
const char *runline_docker_push(const struct strvec *words);

#endif
