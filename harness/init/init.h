/*
 * init/init.h: `bench init`: a first scenario for a repository, written
 * from what it holds at HEAD (read with libgit2, so the scenario describes
 * the commits bench will replay, not uncommitted files): its GitHub Actions
 * workflows' image builds (workflow.h), its Dockerfile and .dockerignore
 * (findings.h). The scenario's variants are the workflow's own set-up
 * (`as-is`) and the cache strategies worth comparing with it; a variant
 * that this bench's scenario parser does not accept (e.g. a registry
 * outside [world]) is written commented out, with what it needs.
 */
#ifndef BENCH_INIT_H
#define BENCH_INIT_H

#include "init/findings.h"
#include "lib/util.h"

struct init_options {
	const char *repo; /* the repository: a work tree or a bare repository ("." when NULL) */
	const char *out;  /* where the scenario will be written, for its relative paths
			     (NULL: the current folder's "bench.ini") */
};

struct init_result {
	char *scenario;           /* the scenario's text */
	struct findings findings; /* the Dockerfile's, also written at the top of the scenario */
	struct strvec notes;      /* what init could not carry over, one sentence each */
	struct strvec live;       /* the variants written live */
	struct strvec off;        /* the variants written commented out */
};

/* Read the repository and write the scenario into res (owned by the
 * caller, init_result_release). BENCH_ENOTFOUND when repo is not a git
 * repository, BENCH_EINVALID when it has no commit, a workflow is not YAML
 * ("FILE:LINE: ...") or neither a workflow nor the tree names a Dockerfile. */
int init_scenario(struct init_result *res, const struct init_options *o);

void init_result_release(struct init_result *res);

#endif
