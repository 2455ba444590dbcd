/*
 * checkout.h: the inputs of a run's builds in its work folder: the
 * scenario's commits resolved in the repository and checked out, one at a
 * time, into a work tree that follows the builds (WORK/tree: moving to
 * another commit writes only what differs; a run of several engines has a
 * tree per engine, WORK/tree-K, since each builds its own commit), and each variant's Dockerfile
 * copied into a folder of its own (WORK/dockerfiles/VARIANT), so the
 * checked-out commit stays as it is.
 */
#ifndef BENCH_CHECKOUT_H
#define BENCH_CHECKOUT_H

#include <stddef.h>

#include "repo/replay.h"
#include "scenario/scenario.h"

struct checkouts {
	char *work;                  /* the run's work folder */
	struct replay *repo;
	struct commit_info *commits; /* the commits to replay, oldest first */
	size_t count;
	struct checkout_tree {
		struct replay_tree *tree; /* WORK/tree, WORK/tree-1... */
		size_t at;           /* the commit it holds; count: none */
	} *trees;                    /* made on their first use */
	size_t ntrees;
};

/* Open the repository at repo_path and resolve spec ("A..B", "last:N", ids)
 * to the commits to replay. */
int checkouts_open(struct checkouts *co, const char *work, const char *repo_path, const char *spec);
void checkouts_release(struct checkouts *co);

/* The work tree, holding commit i (owned by co; it holds another commit
 * after the next call). */
int checkouts_dir(const char **out, struct checkouts *co, size_t i);
/* The same in work tree `slot` (0: WORK/tree, the one above), which only
 * its caller moves (one engine's): the caller serialises the calls (they
 * share the repository). */
int checkouts_dir_at(const char **out, struct checkouts *co, size_t slot, size_t i);

/* The paths variant v reads in commit i's checkout (its folder dir),
 * resolved without leaving it (confine.h): *context the build context
 * (context_rel inside the commit), *dockerfile the repo:PATH Dockerfile (NULL
 * when the variant's Dockerfile is not in the commit), and each cache_key
 * file and the context's .dockerignore (which the builder reads) checked. Both caller-freed. BENCH_EINVALID when one leads outside the
 * checkout, naming the variant, the key, the commit and the path. */
int checkouts_confine(char **context, char **dockerfile, struct checkouts *co, size_t i, const char *dir,
		      const struct variant *v, const char *context_rel);

/* Copy the Dockerfile src of variant v (and the variant's .dockerignore,
 * as "<Dockerfile>.dockerignore", which BuildKit reads next to it) into
 * WORK/dockerfiles/VARIANT-rREP, a folder per series (two engines may build
 * two repetitions of a variant at once, each at its own commit); *out is the
 * copy's path (caller frees). */
int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, int rep, const char *src);

#endif
