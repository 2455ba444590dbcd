/*
 * error.h: the last error's message, kept the way libgit2 keeps it.
 *
 * Lower modules return 0 on success or a negative BENCH_E* code, and leave a
 * human message here saying what failed and with what. Only the command level
 * (harness/cli/cmd_*.c) prints it and maps it to an exit status. Each thread has
 * its own (the engines of a run build in threads of their own): a message
 * that must cross to another thread is copied (see dispatch.c).
 */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

enum {
	BENCH_OK = 0,
	BENCH_ERROR = -1,       /* generic failure */
	BENCH_ENOTFOUND = -3,   /* a file, commit or object does not exist */
	BENCH_EINVALID = -4,    /* bad input: scenario, flag, results file */
	BENCH_ESETUP = -5,      /* the machine is not ready: docker, buildx, gnuplot */
	BENCH_EINTERRUPTED = -6,/* Ctrl-C (SIGINT/SIGTERM) arrived */
	BENCH_EIO = -7,         /* reading or writing a file failed (disk full...) */
};

/* Keep a printf-style message as the last error and return `code`, so that
 * callers can write `return bench_error_set(BENCH_EINVALID, "...")`. */
int bench_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like bench_error_set, with ": strerror(errno)" appended. */
int bench_error_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the kept message with more context: "context: old message". */
int bench_error_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last message, never NULL ("" when none). Owned by this module. */
const char *bench_error_last(void);

void bench_error_clear(void);

#endif
