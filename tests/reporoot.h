/*
 * reporoot.h: where a unit test finds the repository's files (tests/data,
 * the chart templates in plots/), whether tests/run-unit started it from
 * the root or it was started from elsewhere.
 */
#ifndef BENCH_TESTS_REPOROOT_H
#define BENCH_TESTS_REPOROOT_H

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

/* The repository's root: the working folder (tests/run-unit cds there), or
 * the first parent of this program's folder that holds tests/data/runs.
 * Caller frees; fails the test when there is none. */
static inline char *repo_root(void)
{
	char exe[PATH_MAX], *dir;
	ssize_t n;

	if (path_is_dir("tests/data/runs") && path_exists("plots/build_time.gp.in"))
		return path_absolute(".");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	dir = path_dirname(exe);
	while (strcmp(dir, "/")) {
		char *probe = path_join(dir, "tests/data/runs"), *up;
		bool found = path_is_dir(probe);
		free(probe);
		if (found)
			return dir;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	fail_msg("cannot find tests/data/runs");
	return NULL;
}

#endif
