/*
 * replay.h: the git side of a run (libgit2). Resolves the scenario's commit
 * list, and checks each commit out into a folder of its own without touching
 * the user's working tree or index.
 */
#ifndef BENCH_REPLAY_H
#define BENCH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

struct commit_info {
	char id[41];        /* full hex id */
	char short_id[8];   /* first 7 hex digits */
	char parent[41];    /* full hex id of the first parent, "" for a root commit */
	char *subject;      /* first line of the message */
	char **changed;     /* paths changed against the first parent (all, for a root commit) */
	size_t changed_count;
	char **changed_prev;/* paths changed since the commit before it in the resolved list
			       (which may skip commits); for the first, the same as changed */
	size_t changed_prev_count;
	bool reverts_prev;  /* a path the commit before it changed is back as it was
			       two commits before (replay.c says why it matters) */
	long long time;     /* committer time, seconds since the epoch */
};

struct replay;

/* Open the repository at path (a work tree or a bare repository).
 * BENCH_ENOTFOUND with "'PATH' is not a git repository" when it is not. */
int replay_open(struct replay **out, const char *path);
void replay_free(struct replay *r);

/* Resolve spec into commits, oldest first:
 *   "A..B"          first-parent history of B down to (excluding) A
 *   "a1b2 c3d4 ..." each revision as listed (any rev-parse syntax)
 *   "last:N"        the last N first-parent commits of HEAD
 *   "sample:N R"    N commits spread evenly over the first-parent range R
 *                   ("A..B" or "last:M"), both ends included: commit
 *                   round(i * (M - 1) / (N - 1)) of R's M, for i = 0..N-1
 * BENCH_EINVALID when the spec is malformed or resolves to no commit (or,
 * for sample:N, to fewer than N), BENCH_ENOTFOUND when a revision does not
 * exist. */
int replay_resolve(struct commit_info **out, size_t *count, struct replay *r, const char *spec);

/* How many commits spec resolves to, with replay_resolve's errors (last:N
 * beyond the history is one, naming how many there are), without reading
 * the commits: the check of a run's input before anything runs. */
int replay_count(size_t *count, struct replay *r, const char *spec);
void commit_info_array_free(struct commit_info *c, size_t count);

/* The first-parent history of revision tip, its newest `limit` commits (tip
 * included), oldest first: id, subject, time and changed (changed_prev
 * left empty). What the verdict reads the repository's mix of build kinds
 * and push rate from. */
int replay_history(struct commit_info **out, size_t *count, struct replay *r, const char *tip, size_t limit);

/* Write the tree of commit `id` into dest (created; emptied first when it
 * exists). The repository's index and work tree are untouched.
 * Executable bits and symlinks are kept; works for bare repositories.
 * BENCH_EINVALID (nothing deleted) when dest is or contains the repository. */
int replay_checkout(struct replay *r, const char *id, const char *dest);

/* A folder that follows a sequence of commits (one per run): each checkout
 * writes only what differs from the commit the folder held before, and
 * removes what went. The first checkout (and the one after a failed one)
 * empties the folder and writes the whole tree. Same guarantees as
 * replay_checkout; BENCH_EINVALID from _new when dest is or contains the
 * repository. The folder must not be changed by anyone else in between. */
struct replay_tree;
int replay_tree_new(struct replay_tree **out, struct replay *r, const char *dest);
/* Make the folder hold exactly the tree of commit `id` (any revision). */
int replay_tree_checkout(struct replay_tree *t, const char *id);
/* The folder, absolute. */
const char *replay_tree_path(const struct replay_tree *t);
void replay_tree_free(struct replay_tree *t);

/* The file at path in commit `id` (*out NUL-terminated, caller frees).
 * BENCH_ENOTFOUND when the commit has no file there. */
int replay_read_file(char **out, size_t *len, struct replay *r, const char *id, const char *path);

/* Whether commit `id` has a file at path. */
int replay_has_file(bool *out, struct replay *r, const char *id, const char *path);

/* True when one of the commit's changed paths matches any of the basenames
 * or paths in `names` (e.g. "requirements.txt", "Dockerfile"). */
bool commit_touches(const struct commit_info *c, const char *const *names);

#endif
