/*
 * init/init_int.h: what init.c (reading the repository, deciding) hands to
 * init_write.c (writing the scenario and checking each part loads).
 */
#ifndef BENCH_INIT_INT_H
#define BENCH_INIT_INT_H

#include <stdbool.h>

#include "init/init.h"
#include "init/workflow.h"

/* The repository as read, and the as-is set-up decided from it. */
struct init_plan {
	char *out_abs;            /* the scenario's path, absolute (for parsing the probes) */
	char *repo_rel;           /* the repository, relative to the scenario's folder */
	char *name;               /* the scenario's name */
	char head[8];             /* HEAD's short id */
	char *commits;            /* "sample:6 last:30", "last:3" */
	size_t history;           /* first-parent commits counted (at most HISTORY_MAX) */
	struct strvec read;       /* what was read: "PATH (N image builds)" */
	struct wf_builds builds;  /* every build of every workflow */
	const struct wf_build *primary; /* the build the as-is variant replays, or NULL */

	char *dockerfile;         /* path inside the repository */
	char *context;            /* inside the repository, "." */
	bool dockerfile_found;    /* at HEAD */
	char *target;
	struct strvec build_args; /* KEY=VALUE that the scenario can carry */
	struct strvec args_off;   /* those it cannot (expressions, secrets, spaces) */

	const char *cache;        /* the as-is cache: none, local, registry, gha, inline */
	char *cache_mode;         /* "min", "max", NULL: none */
	char *cache_scope;        /* gha scope=, when a valid name */
	char *cache_said;         /* the workflow's cache flags, for the comment */
	bool push;
	bool persistent;          /* a self-hosted runner */
	char *registry_ref;       /* HOST[:PORT]/NAME from the tags, or NULL */
	char *registry_said;      /* the tag it came from, or why there is none */
};

/* Write the scenario of plan into res->scenario (and res->live, res->off);
 * BENCH_ERROR when the whole does not load (a bug of init). */
int init_write(struct init_result *res, const struct init_plan *plan);

#endif
