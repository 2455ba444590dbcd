/*
 * init/findings.h: what bench init says about a Dockerfile before anything
 * is built: build-cache mistakes that the run will then measure, each
 * naming file:line. The rules are one table in findings.c (rule id, what it
 * looks for, the message); findings_rule lists them for docs and tests.
 */
#ifndef BENCH_INIT_FINDINGS_H
#define BENCH_INIT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

struct finding {
	const char *rule; /* the rule's id (static) */
	char *file;       /* the file it names */
	int line;         /* 1-based; 0: the file as a whole */
	char *message;    /* one sentence, without the "file:line: " */
};

struct findings {
	struct finding *v;
	size_t n;
};

/* Append to out what the rules find in the Dockerfile `text`, named `file`
 * in the findings. `has_dockerignore`: the build context has a
 * .dockerignore (named `dockerignore` in the finding when it has not). */
void findings_dockerfile(struct findings *out, const char *file, const char *text,
			 bool has_dockerignore, const char *dockerignore);

/* Append a finding of the caller's own (rule "init"). */
void findings_add(struct findings *out, const char *rule, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void findings_release(struct findings *f);

/* The i-th rule (its id and what it looks for), or NULL past the last. */
struct finding_rule {
	const char *id;
	const char *looks_for;
};
const struct finding_rule *findings_rule(size_t i);

#endif
