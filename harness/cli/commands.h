/*
 * commands.h: the commands of the bench CLI (libgit2 src/cli style). Each
 * takes the command's own argv (argv[0] is the command name) and returns the
 * process exit status: 0 success, 1 a negative result (a build not ok, a
 * regression), 2 usage or set-up error, 130 interrupted.
 */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_blog(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* A usage error: "bench CMD: error: MESSAGE" and "try 'bench CMD --help'" on
 * stderr; returns 2, the exit status of a usage error. */
__attribute__((format(printf, 2, 3)))
int cmd_usage_error(const char *cmd, const char *fmt, ...);

/* Print the error kept in error.h as "bench CMD: error: ..." and return the
 * exit status for code: 2 for usage/set-up/input errors, 130 for an
 * interruption, 1 otherwise. */
int cmd_fail(const char *cmd, int code);

#endif
