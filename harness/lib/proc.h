/*
 * proc.h: the one way bench runs another program (after git's run-command.h).
 *
 * An argv is exec'ed directly, never through a shell. The child gets its own
 * process group (so a timeout or Ctrl-C can kill docker and everything it
 * started), default signal dispositions and an empty signal mask. An exec
 * failure is reported back to the parent through a close-on-exec pipe, so
 * "program not found" is an error of proc_run, not exit status 127. stdout and
 * stderr are drained together with poll(2) and handed to callbacks; waitpid is
 * retried on EINTR.
 *
 * Two ways to use it: proc_run runs a child to its end; proc_start starts a
 * long-running one (a server) and returns, and proc_wait or proc_kill ends it
 * later. proc.c is the only place in bench that forks.
 */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Called with each chunk read from the child's stdout or stderr. Returning
 * non-zero stops reading that stream (the rest is discarded). */
typedef int (*proc_output_fn)(void *ctx, const char *buf, size_t len);

/* Called about every 100 ms while the child runs (progress display). */
typedef void (*proc_tick_fn)(void *ctx);

struct proc {
	/* input, set by the caller */
	const char *const *argv; /* argv[0] is looked up in PATH */
	const char *const *env;  /* extra "KEY=VALUE" entries, or NULL */
	                         /* (a bare "KEY" removes KEY) */
	const char *dir;         /* working directory of the child, or NULL */
	double timeout_seconds;  /* 0: none; else the process group is killed */
	proc_output_fn on_stdout, on_stderr; /* NULL: the stream goes to /dev/null */
	proc_tick_fn on_tick;
	void *ctx;
	int output_fd;           /* > 2: stdout and stderr both go to this
				    descriptor (a log) and the callbacks are
				    unused; 0: as the callbacks say */

	/* output, set by proc_run / proc_start and proc_wait */
	pid_t pid;
	int exit_code;   /* the exit status, or 128+signal when killed */
	int term_signal; /* the signal that ended it, or 0 */
	bool timed_out;  /* killed because timeout_seconds passed */
	bool interrupted;/* killed because proc_interrupt_requested() was set, or
			    ended non-zero (not by its timeout) while it was set:
			    one rule for every caller (a child that fails as
			    Ctrl-C is handled did not fail for a reason of its own) */
	double wall_seconds; /* monotonic time from fork to reaping */

	/* private: between proc_start and the end of proc_wait/proc_kill */
	bool running;        /* started and not reaped yet */
	int pipe_out, pipe_err; /* read ends of the callbacks' pipes, or -1 */
	uint64_t started;    /* monotime of the fork */
};

/* Run p->argv to completion. Returns 0 when the child ran (whatever its exit
 * status; see p->exit_code, timed_out, interrupted) and a negative code when
 * it could not be started, with the message kept ("cannot run 'docker': No
 * such file or directory"). */
int proc_run(struct proc *p);
/* (It fails with BENCH_EINTERRUPTED, starting nothing, when an interrupt is
 * already pending.) */

/* Start p->argv and return at once (p->pid set, p->running true). The
 * child is set up as for proc_run; when the callbacks are used, their
 * output is read only inside proc_wait, so a child that prints much and is
 * not waited for should write to p->output_fd instead. Returns 0, or a
 * negative code (nothing left running) when it could not be started: an
 * exec failure comes back through the close-on-exec pipe as here
 * ("cannot run 'x': No such file or directory", BENCH_ENOTFOUND). */
int proc_start(struct proc *p);

/* Wait for a started child: drain its output into the callbacks, call
 * on_tick, kill its group on timeout or Ctrl-C, reap it and fill exit_code,
 * term_signal, timed_out, interrupted and wall_seconds. Returns as proc_run. */
int proc_wait(struct proc *p);

/* Has the started child ended? Returns true (and reaps it, filling exit_code
 * and term_signal) when it has, false while it runs. Does not block. */
bool proc_poll(struct proc *p);

/* End a started child: SIGTERM to its process group, SIGKILL after
 * grace_seconds, then reap it (and SIGKILL whatever is left in its group).
 * Nothing happens when it is not running. */
void proc_kill(struct proc *p, double grace_seconds);

/* Run argv and capture its stdout into *out (caller frees) and, when err is
 * not NULL, its stderr into *err. Returns as proc_run; *exit_code gets the
 * status. A child killed by the timeout or by Ctrl-C makes it fail instead
 * (BENCH_ERROR / BENCH_EINTERRUPTED); on any failure *out and *err are NULL. */
int proc_capture(char **out, char **err, int *exit_code,
		 const char *const *argv, double timeout_seconds);

/* Ctrl-C handling: bench's SIGINT/SIGTERM handler calls proc_request_interrupt;
 * a running proc_run then kills its child's process group (SIGTERM, then
 * SIGKILL after 5 s) and returns with p->interrupted set. */
void proc_request_interrupt(int signo);
bool proc_interrupt_requested(void);
int proc_interrupt_signal(void);
/* Forget a requested interrupt (tests, and bench after handling one). */
void proc_interrupt_reset(void);
/* Install proc_request_interrupt for SIGINT and SIGTERM (and ignore SIGPIPE). */
void proc_install_signal_handlers(void);

#endif
