/*
 * capture.h: what a piece of bench printed, for the unit tests that call a
 * command or run_execute in-process. capture_begin sends stdout and stderr
 * to two files in a folder; capture_end puts them back and reads the files.
 * capture_cmd does both around one `int cmd_x(int argc, char **argv)`.
 */
#ifndef BENCH_TESTS_CAPTURE_H
#define BENCH_TESTS_CAPTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/util.h"

struct capture {
	int saved[2];   /* the real stdout and stderr */
	char *paths[2]; /* where they went meanwhile */
};

/* From now until capture_end, stdout and stderr go to dir/stdout.txt and
 * dir/stderr.txt (emptied first). */
static inline void capture_begin(struct capture *c, const char *dir)
{
	int k, fd;

	c->paths[0] = path_join(dir, "stdout.txt");
	c->paths[1] = path_join(dir, "stderr.txt");
	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < 2; k++) {
		c->saved[k] = dup(k + 1);
		fd = open(c->paths[k], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		assert_true(fd >= 0 && c->saved[k] >= 0);
		dup2(fd, k + 1);
		close(fd);
	}
}

/* Put stdout and stderr back; what went to each into *out and *err (the
 * caller frees; NULL: not wanted). */
static inline void capture_end(char **out, char **err, struct capture *c)
{
	char **dest[2] = {out, err};
	int k;

	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < 2; k++) {
		dup2(c->saved[k], k + 1);
		close(c->saved[k]);
		if (dest[k])
			assert_int_equal(read_file(dest[k], NULL, c->paths[k]), 0);
		free(c->paths[k]);
	}
}

/* fn(args), a NULL-ended list of at most 31 words, with its output captured
 * through files in dir. Returns fn's exit status. */
static inline int capture_cmd(char **out, char **err, const char *dir, int (*fn)(int, char **),
		       const char *const *args)
{
	struct capture c;
	char *argv[32];
	int argc = 0, status;

	for (; args[argc]; argc++) {
		assert_true(argc < 31);
		argv[argc] = (char *)args[argc];
	}
	argv[argc] = NULL;
	capture_begin(&c, dir);
	status = fn(argc, argv);
	capture_end(out, err, &c);
	return status;
}

#endif
