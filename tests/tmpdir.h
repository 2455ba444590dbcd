/*
 * tmpdir.h: a cmocka group's temporary folder. TMPDIR_FIXTURE("name")
 * defines `tmp` (the folder, /tmp/bench-name-XXXXXX) and the group's setup
 * and teardown: setup makes it, teardown removes it with everything in it.
 */
#ifndef BENCH_TESTS_TMPDIR_H
#define BENCH_TESTS_TMPDIR_H

#include <stdlib.h>

#include "lib/util.h"

#define TMPDIR_FIXTURE(name)                                              \
	static char *tmp;                                                 \
	static int setup(void **state)                                    \
	{                                                                 \
		(void)state;                                              \
		tmp = xstrdup("/tmp/bench-" name "-XXXXXX");              \
		return mkdtemp(tmp) ? 0 : -1;                             \
	}                                                                 \
	static int teardown(void **state)                                 \
	{                                                                 \
		(void)state;                                              \
		rm_rf(tmp);                                               \
		free(tmp);                                                \
		return 0;                                                 \
	}

#endif
