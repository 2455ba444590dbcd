/*
 * checkout.h: the inputs of a run's builds in its work folder: the
 * scenario's commits resolved in the repository and checked out when first
 * built (WORK/commits/ID), and each variant's Dockerfile copied into a folder
 * of its own (WORK/dockerfiles/VARIANT), so the checked-out commit stays as
 * it is.
 */
#ifndef BENCH_CHECKOUT_H
#define BENCH_CHECKOUT_H

#include <stddef.h>

#include "replay.h"
#include "scenario.h"

struct checkouts {
	char *work;                  /* the run's work folder */
	struct replay *repo;
	struct commit_info *commits; /* the commits to replay, oldest first */
	size_t count;
	char **dirs;                 /* per commit: its folder once checked out */
};

/* Open the repository at repo_path and resolve spec ("A..B", "last:N", ids)
 * to the commits to replay. */
int checkouts_open(struct checkouts *co, const char *work, const char *repo_path, const char *spec);
void checkouts_release(struct checkouts *co);

/* The folder of commit i, checked out the first time it is asked for
 * (owned by co). */
int checkouts_dir(const char **out, struct checkouts *co, size_t i);

/* Copy the Dockerfile src of variant v (and the variant's .dockerignore,
 * as "<Dockerfile>.dockerignore", which BuildKit reads next to it) into
 * WORK/dockerfiles/VARIANT-rREP, a folder per series (two engines may build
 * two repetitions of a variant at once, each at its own commit); *out is the
 * copy's path (caller frees). */
int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, int rep, const char *src);

#endif
