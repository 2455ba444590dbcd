/*
 * world/repo.h: the generated git repository of the emulated cafeboo world,
 * a FastAPI AI service whose history looks like a real project's: dependency
 * bumps, code changes, CI tweaks and one data change. Everything in it is
 * fixed (contents, authors, times) except that the seed shifts commit times,
 * so a seed always gives the same commit ids.
 */
#ifndef BENCH_WORLD_REPO_H
#define BENCH_WORLD_REPO_H

#include <stddef.h>

/* What a commit touches, against its parent. */
enum world_commit_kind {
	WORLD_COMMIT_INITIAL, /* the whole project */
	WORLD_COMMIT_REQS,    /* only ai_project/requirements.txt */
	WORLD_COMMIT_CODE,    /* only *.py under ai_project/ */
	WORLD_COMMIT_CI,      /* only .github/workflows/deploy.yml */
	WORLD_COMMIT_DATA,    /* only files under ai_project/data/ */
};

struct world_commit_plan {
	const char *subject; /* first line of the commit message */
	enum world_commit_kind kind;
};

/* The commits world_repo_generate makes, oldest first. Static data. */
const struct world_commit_plan *world_repo_plan(size_t *n);

/* "initial", "reqs", "code", "ci", "data". */
const char *world_commit_kind_name(enum world_commit_kind kind);

/* Path of the requirements file inside the repository. */
const char *world_repo_requirements_path(void);

/* Create a non-bare repository at dir (created when missing; it must not
 * hold a repository already) with the planned history on branch "main",
 * HEAD checked out in the working tree. */
int world_repo_generate(const char *dir, unsigned seed);

#endif
