/*
 * confine.h: a path inside a checked-out commit, resolved without leaving
 * it. A commit may hold symlinks; a `repo:PATH` Dockerfile, a `cache_key`
 * file or the build context reached through one must still be a file of the
 * commit, not /etc/passwd or another folder of the machine.
 */
#ifndef BENCH_CONFINE_H
#define BENCH_CONFINE_H

/*
 * Resolve rel (relative to root) the way the kernel would, one component at
 * a time, following symlinks, but inside root: a symlink whose target is
 * absolute, or whose target (or a ".." of rel) climbs above root, leads
 * outside and is refused, at any component and whether or not its target
 * exists. *out gets root joined with the resolved path (caller frees); a
 * path that does not exist (wholly or in part) resolves as far as it exists,
 * the rest appended as given: whether it exists is the caller's question.
 * Returns 0, or BENCH_EINVALID with a message naming the component and its
 * target ("'ctx/link' is a symlink to '/etc', outside the checkout"), or
 * BENCH_EIO when a component cannot be read.
 */
int confine_path(char **out, const char *root, const char *rel);

#endif
