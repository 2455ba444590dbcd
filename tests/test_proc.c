/*
 * test_proc.c: unit tests for harness/lib/proc.c, the child-process helper:
 * exit codes, separate stdout/stderr, big outputs, signals, exec and chdir
 * failures, env, timeouts and Ctrl-C killing the whole process group;
 * proc_start/proc_poll/proc_wait/proc_kill for long-running children.
 * (Tests may run sh as a child program; bench itself never does.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/proc.h"
#include "lib/util.h"

/* Collects both streams of a proc_run. */
struct sink {
	struct strbuf out, err;
	size_t out_bytes, err_bytes;
	bool out_bad, err_bad; /* a byte that was not the expected one */
	int calls;
	int ticks;
	int interrupt_at_tick;
};

static int sink_out(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;
	s->calls++;
	strbuf_add(&s->out, buf, len);
	return 0;
}

static int sink_err(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;
	strbuf_add(&s->err, buf, len);
	return 0;
}

static int count_out(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 'o')
			s->out_bad = true;
	s->out_bytes += len;
	return 0;
}

static int count_err(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 'e')
			s->err_bad = true;
	s->err_bytes += len;
	return 0;
}

static int stop_at_first(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;
	(void)buf;
	s->calls++;
	s->out_bytes += len;
	return 1;
}

static void tick_interrupt(void *ctx)
{
	struct sink *s = ctx;
	if (++s->ticks == s->interrupt_at_tick)
		proc_request_interrupt(SIGINT);
}

static void sink_release(struct sink *s)
{
	strbuf_release(&s->out);
	strbuf_release(&s->err);
}

static const char *str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/* Run argv with both streams into s. */
static int run(struct proc *p, struct sink *s, const char *const *argv)
{
	memset(p, 0, sizeof(*p));
	p->argv = argv;
	p->on_stdout = sink_out;
	p->on_stderr = sink_err;
	p->ctx = s;
	return proc_run(p);
}

/* Gone or a zombie (nobody may reap orphans in a container). Waits for a
 * SIGKILL that was sent to be delivered, for at most 10 s. */
static bool pid_gone(pid_t pid)
{
	for (int i = 0; i < 1000; i++) {
		char path[64], *text = NULL, *paren;
		bool gone;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (read_file(&text, NULL, path) < 0)
			return true;
		paren = strrchr(text, ')');
		gone = paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
		free(text);
		if (gone)
			return true;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	return false;
}

static void test_exit_zero(void **state)
{
	const char *argv[] = { "true", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_int_equal(run(&p, &s, argv), 0);
	assert_int_equal(p.exit_code, 0);
	assert_int_equal(p.term_signal, 0);
	assert_true(p.pid > 0);
	assert_false(p.timed_out);
	assert_false(p.interrupted);
	assert_true(p.wall_seconds > 0);
	sink_release(&s);
}

static void test_exit_three(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 3", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_int_equal(run(&p, &s, argv), 0);
	assert_int_equal(p.exit_code, 3);
	assert_int_equal(p.term_signal, 0);
	sink_release(&s);
}

static void test_separate_streams(void **state)
{
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2; echo out2", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_int_equal(run(&p, &s, argv), 0);
	assert_string_equal(str(&s.out), "out\nout2\n");
	assert_string_equal(str(&s.err), "err\n");
	sink_release(&s);
}

/* 2 MB on stderr before 3 MB on stdout: a parent reading stdout to EOF first
 * would deadlock with the child blocked on a full stderr pipe. */
static void test_large_output(void **state)
{
	const char *argv[] = { "sh", "-c",
		"head -c 2000000 /dev/zero | tr '\\0' e >&2; "
		"head -c 3000000 /dev/zero | tr '\\0' o", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.on_stdout = count_out;
	p.on_stderr = count_err;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(p.exit_code, 0);
	assert_int_equal(s.out_bytes, 3000000);
	assert_int_equal(s.err_bytes, 2000000);
	assert_false(s.out_bad);
	assert_false(s.err_bad);
}

static void test_killed_by_signal(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_int_equal(run(&p, &s, argv), 0);
	assert_int_equal(p.exit_code, 128 + 9);
	assert_int_equal(p.term_signal, 9);
	sink_release(&s);
}

static void test_not_found(void **state)
{
	const char *argv[] = { "bench-no-such-program-xyzzy", "arg", NULL };
	struct sink s = { 0 };
	struct proc p;
	char *out = (char *)"sentinel", *err = (char *)"sentinel";
	int code = 0;
	(void)state;
	assert_int_equal(run(&p, &s, argv), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), "'bench-no-such-program-xyzzy'"));
	assert_non_null(strstr(bench_error_last(), "No such file"));
	assert_int_not_equal(p.exit_code, 127);
	assert_string_equal(str(&s.out), "");
	assert_string_equal(str(&s.err), "");

	assert_int_equal(proc_capture(&out, &err, &code, argv, 0), BENCH_ENOTFOUND);
	assert_null(out);
	assert_null(err);
	assert_int_not_equal(code, 127);
	sink_release(&s);
}

static void test_not_executable(void **state)
{
	char dir[] = "/tmp/test_proc.XXXXXX", *file;
	const char *argv[2] = { NULL, NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_non_null(mkdtemp(dir));
	file = path_join(dir, "script");
	assert_int_equal(write_file_atomic(file, "#!/bin/sh\n", 10), 0);
	assert_int_equal(chmod(file, 0644), 0);
	argv[0] = file;
	assert_int_equal(run(&p, &s, argv), BENCH_ERROR);
	assert_non_null(strstr(bench_error_last(), file));
	assert_non_null(strstr(bench_error_last(), "Permission denied"));
	assert_int_equal(rm_rf(dir), 0);
	free(file);
	sink_release(&s);
}

static void test_empty_argv(void **state)
{
	const char *argv[] = { NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_int_equal(run(&p, &s, argv), BENCH_EINVALID);
	assert_int_equal(p.pid, 0);
}

static void test_dir(void **state)
{
	char dir[] = "/tmp/test_proc.XXXXXX", *real, *want, *missing;
	const char *argv[] = { "pwd", "-P", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	assert_non_null(mkdtemp(dir));
	real = realpath(dir, NULL);
	assert_non_null(real);
	want = xasprintf("%s\n", real);

	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.dir = dir;
	p.on_stdout = sink_out;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(p.exit_code, 0);
	assert_string_equal(str(&s.out), want);

	missing = path_join(dir, "missing");
	p.dir = missing;
	assert_int_equal(proc_run(&p), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), missing));
	assert_non_null(strstr(bench_error_last(), "'pwd'"));

	assert_int_equal(rm_rf(dir), 0);
	free(missing);
	free(want);
	free(real);
	sink_release(&s);
}

static void test_env(void **state)
{
	const char *argv[] = { "sh", "-c",
		"printf '%s|%s|%s' \"$BENCH_T_NEW\" \"$BENCH_T_OVR\" "
		"\"${BENCH_T_DEL-unset}\"", NULL };
	const char *env[] = { "BENCH_T_NEW=hello world", "BENCH_T_OVR=new",
			      "BENCH_T_DEL", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	setenv("BENCH_T_OVR", "old", 1);
	setenv("BENCH_T_DEL", "present", 1);
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.env = env;
	p.on_stdout = sink_out;
	p.on_stderr = sink_err;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_string_equal(str(&s.out), "hello world|new|unset");
	assert_string_equal(str(&s.err), "");
	/* our own environment is untouched */
	assert_string_equal(getenv("BENCH_T_OVR"), "old");
	assert_null(getenv("BENCH_T_NEW"));

	/* without env the child inherits ours */
	strbuf_reset(&s.out);
	p.env = NULL;
	assert_int_equal(proc_run(&p), 0);
	assert_string_equal(str(&s.out), "|old|present");
	unsetenv("BENCH_T_OVR");
	unsetenv("BENCH_T_DEL");
	sink_release(&s);
}

/* stdin is /dev/null, an uncollected stream goes to /dev/null, the child
 * leads its own process group, with no ignored and no blocked signal even
 * though we ignore SIGPIPE and block SIGUSR1. */
static void test_child_setup(void **state)
{
	const char *in[] = { "readlink", "/proc/self/fd/0", NULL };
	const char *out[] = { "sh", "-c", "x=$(readlink /proc/$$/fd/1); echo \"$x\" >&2", NULL };
	const char *sig[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	const char *stat[] = { "cat", "/proc/self/stat", NULL };
	struct sink s = { 0 };
	struct proc p;
	sigset_t usr1, old;
	void (*oldpipe)(int);
	int pid = 0, pgrp = 0;
	char *paren;
	(void)state;

	assert_int_equal(run(&p, &s, in), 0);
	assert_string_equal(str(&s.out), "/dev/null\n");

	strbuf_reset(&s.out);
	memset(&p, 0, sizeof(p));
	p.argv = out;
	p.on_stderr = sink_err;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_string_equal(str(&s.err), "/dev/null\n");

	strbuf_reset(&s.err);
	oldpipe = signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	assert_int_equal(run(&p, &s, sig), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, oldpipe);
	{
		/* signals 32 and 33 are glibc's own (SIGCANCEL, SIGSETXID): no
		 * program can change them with sigaction, and make runs its
		 * children with them ignored, so they are left out */
		unsigned long long blk = 1, ign = 1;
		assert_int_equal(sscanf(str(&s.out), "SigBlk:\t%llx\nSigIgn:\t%llx", &blk, &ign), 2);
		assert_int_equal(blk & ~0x180000000ull, 0);
		assert_int_equal(ign & ~0x180000000ull, 0);
	}

	strbuf_reset(&s.out);
	assert_int_equal(run(&p, &s, stat), 0);
	paren = strrchr(str(&s.out), ')');
	assert_non_null(paren);
	assert_int_equal(sscanf(str(&s.out), "%d", &pid), 1);
	assert_int_equal(sscanf(paren + 2, "%*c %*d %d", &pgrp), 1);
	assert_int_equal(pid, p.pid);
	assert_int_equal(pgrp, p.pid);
	assert_int_not_equal(pgrp, getpgrp());
	sink_release(&s);
}

static void test_callback_stops_stream(void **state)
{
	const char *argv[] = { "head", "-c", "1000000", "/dev/zero", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.on_stdout = stop_at_first;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(p.exit_code, 0);
	assert_int_equal(s.calls, 1);
	assert_true(s.out_bytes > 0 && s.out_bytes < 1000000);
}

/* The child waits for a grandchild `sleep 30`; the timeout kills both. */
static void test_timeout_kills_group(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct sink s = { 0 };
	struct proc p;
	int grandchild = 0;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.timeout_seconds = 0.3;
	p.on_stdout = sink_out;
	p.on_stderr = sink_err;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_true(p.timed_out);
	assert_false(p.interrupted);
	assert_int_equal(p.term_signal, SIGTERM);
	assert_int_equal(p.exit_code, 128 + SIGTERM);
	assert_true(p.wall_seconds < 20);
	assert_int_equal(sscanf(str(&s.out), "%d", &grandchild), 1);
	assert_true(grandchild > 0);
	assert_true(pid_gone(p.pid));
	assert_true(pid_gone(grandchild));
	sink_release(&s);
}

/* A child that ignores SIGTERM gets SIGKILL after the grace period. */
static void test_timeout_escalates(void **state)
{
	const char *argv[] = { "sh", "-c", "trap '' TERM; echo $$; sleep 30", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.timeout_seconds = 0.2;
	p.on_stdout = sink_out;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_true(p.timed_out);
	assert_int_equal(p.term_signal, SIGKILL);
	assert_int_equal(p.exit_code, 128 + SIGKILL);
	assert_true(p.wall_seconds < 25);
	sink_release(&s);
}

/* The child exits at once, leaving a grandchild that holds our stdout pipe:
 * proc_run must not wait 30 s for it, and cleans it up. */
static void test_orphan_holding_pipe(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 30 & echo $!; exit 5", NULL };
	struct sink s = { 0 };
	struct proc p;
	int grandchild = 0;
	(void)state;
	assert_int_equal(run(&p, &s, argv), 0);
	assert_int_equal(p.exit_code, 5);
	assert_false(p.timed_out);
	assert_true(p.wall_seconds < 20);
	assert_int_equal(sscanf(str(&s.out), "%d", &grandchild), 1);
	assert_true(pid_gone(grandchild));
	sink_release(&s);
}

static void test_interrupt_from_tick(void **state)
{
	const char *argv[] = { "sleep", "30", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	s.interrupt_at_tick = 3;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.timeout_seconds = 20; /* fail, not hang, if ticks never come */
	p.on_tick = tick_interrupt;
	p.ctx = &s;
	assert_int_equal(proc_run(&p), 0);
	assert_true(p.interrupted);
	assert_false(p.timed_out);
	assert_true(s.ticks >= 3);
	assert_int_equal(p.term_signal, SIGTERM);
	assert_true(pid_gone(p.pid));
	assert_true(proc_interrupt_requested());
	assert_int_equal(proc_interrupt_signal(), SIGINT);

	/* still pending: nothing more is started */
	assert_int_equal(proc_run(&p), BENCH_EINTERRUPTED);
	assert_int_equal(p.pid, 0);
	assert_non_null(strstr(bench_error_last(), "'sleep'"));

	proc_interrupt_reset();
	assert_false(proc_interrupt_requested());
	assert_int_equal(proc_interrupt_signal(), 0);
}

static void test_signal_handlers(void **state)
{
	struct sigaction sa, dfl;
	(void)state;
	proc_install_signal_handlers();
	assert_int_equal(sigaction(SIGINT, NULL, &sa), 0);
	assert_true(sa.sa_handler == proc_request_interrupt);
	assert_int_equal(sa.sa_flags & SA_RESTART, 0);
	assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_IGN);

	assert_int_equal(raise(SIGTERM), 0);
	assert_true(proc_interrupt_requested());
	assert_int_equal(proc_interrupt_signal(), SIGTERM);
	proc_interrupt_reset();

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
}

static void test_capture(void **state)
{
	const char *both[] = { "sh", "-c", "echo hi; echo oops >&2; exit 2", NULL };
	const char *slow[] = { "sleep", "30", NULL };
	char *out = NULL, *err = NULL;
	int code = -1;
	(void)state;
	assert_int_equal(proc_capture(&out, &err, &code, both, 0), 0);
	assert_string_equal(out, "hi\n");
	assert_string_equal(err, "oops\n");
	assert_int_equal(code, 2);
	free(out);
	free(err);

	assert_int_equal(proc_capture(&out, NULL, NULL, both, 0), 0);
	assert_string_equal(out, "hi\n");
	free(out);

	assert_int_equal(proc_capture(&out, &err, &code, slow, 0.2), BENCH_ERROR);
	assert_null(out);
	assert_null(err);
	assert_non_null(strstr(bench_error_last(), "timed out"));
	assert_int_equal(code, 128 + SIGTERM);
}

/* Wait (without reaping) until pid has exited, at most 10 s. */
static void wait_exited(pid_t pid)
{
	siginfo_t si;
	int i;

	for (i = 0; i < 1000; i++) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			return;
		usleep(10000);
	}
	fail_msg("child %d did not exit", (int)pid);
}

/* The one rule (proc.h): a child that ends non-zero while an interrupt is
 * pending was interrupted, though nothing killed it; one that succeeds, or
 * that its timeout killed, was not. Every way to wait applies it, and
 * proc_capture's callers get BENCH_EINTERRUPTED. */
static void test_failed_while_interrupted(void **state)
{
	const char *fails[] = { "sh", "-c", "exit 3", NULL };
	const char *succeeds[] = { "true", NULL };
	const char *interrupts[] = { "sh", "-c", "kill -INT $PPID; exit 3", NULL };
	char *out = NULL, *err = NULL;
	struct proc p;
	int code = -1;
	(void)state;

	/* proc_wait: the child exited on its own before Ctrl-C came */
	memset(&p, 0, sizeof(p));
	p.argv = fails;
	assert_int_equal(proc_start(&p), 0);
	wait_exited(p.pid);
	proc_request_interrupt(SIGINT);
	assert_int_equal(proc_wait(&p), 0);
	assert_int_equal(p.exit_code, 3);
	assert_int_equal(p.term_signal, 0); /* not killed */
	assert_true(p.interrupted);
	proc_interrupt_reset();

	/* proc_poll the same */
	memset(&p, 0, sizeof(p));
	p.argv = fails;
	assert_int_equal(proc_start(&p), 0);
	wait_exited(p.pid);
	proc_request_interrupt(SIGINT);
	assert_true(proc_poll(&p));
	assert_true(p.interrupted);
	proc_interrupt_reset();

	/* a child that succeeded was not interrupted */
	memset(&p, 0, sizeof(p));
	p.argv = succeeds;
	assert_int_equal(proc_start(&p), 0);
	wait_exited(p.pid);
	proc_request_interrupt(SIGINT);
	assert_int_equal(proc_wait(&p), 0);
	assert_false(p.interrupted);
	proc_interrupt_reset();

	/* without an interrupt, a failure is a failure */
	memset(&p, 0, sizeof(p));
	p.argv = fails;
	assert_int_equal(proc_run(&p), 0);
	assert_false(p.interrupted);

	/* proc_capture: Ctrl-C as the child fails is BENCH_EINTERRUPTED */
	proc_install_signal_handlers();
	assert_int_equal(proc_capture(&out, &err, &code, interrupts, 10), BENCH_EINTERRUPTED);
	assert_null(out);
	assert_null(err);
	assert_true(code == 3 || code == 128 + SIGTERM); /* failed, or killed first */
	assert_non_null(strstr(bench_error_last(), "'sh' was interrupted"));
	proc_interrupt_reset();
	{
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGPIPE, &dfl, NULL);
	}
}

/* proc_start returns while the child runs; proc_wait collects its output
 * and exit status afterwards. */
static void test_start_then_wait(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 0.5; echo out; echo err >&2; exit 4", NULL };
	struct sink s = { 0 };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.on_stdout = sink_out;
	p.on_stderr = sink_err;
	p.ctx = &s;
	assert_int_equal(proc_start(&p), 0);
	assert_true(p.running);
	assert_true(p.pid > 0);
	assert_false(proc_poll(&p)); /* still sleeping */
	assert_int_equal(proc_wait(&p), 0);
	assert_false(p.running);
	assert_int_equal(p.exit_code, 4);
	assert_string_equal(str(&s.out), "out\n");
	assert_string_equal(str(&s.err), "err\n");
	assert_true(pid_gone(p.pid));
	assert_int_equal(proc_wait(&p), BENCH_EINVALID); /* reaped already */
	sink_release(&s);
}

/* A long-running child writing to a log descriptor, polled, then killed:
 * SIGTERM to its whole group, then reaped. */
static void test_start_log_fd_and_kill(void **state)
{
	char dir[] = "/tmp/test_proc.XXXXXX", *log, *text = NULL;
	const char *argv[] = { "sh", "-c", "echo started; echo to-err >&2; sleep 30 & wait", NULL };
	struct proc p;
	int fd;
	(void)state;
	assert_non_null(mkdtemp(dir));
	log = path_join(dir, "log");
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(fd > 2);
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.output_fd = fd;
	assert_int_equal(proc_start(&p), 0);
	close(fd);
	for (int i = 0; i < 500; i++) {
		free(text);
		text = NULL;
		if (read_file(&text, NULL, log) == 0 && strstr(text, "to-err"))
			break;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	assert_non_null(text);
	assert_non_null(strstr(text, "started\n"));
	assert_non_null(strstr(text, "to-err\n"));
	assert_false(proc_poll(&p));
	proc_kill(&p, 5);
	assert_false(p.running);
	assert_int_equal(p.term_signal, SIGTERM);
	assert_true(pid_gone(p.pid));
	assert_true(proc_poll(&p));
	proc_kill(&p, 5); /* not running: nothing happens */
	free(text);
	free(log);
	assert_int_equal(rm_rf(dir), 0);
}

/* An exec failure reaches proc_start's caller through the close-on-exec
 * pipe: an error, not a child that exits 127; nothing is left running. */
static void test_start_exec_failure(void **state)
{
	const char *argv[] = { "bench-no-such-program-xyzzy", NULL };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	assert_int_equal(proc_start(&p), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), "cannot run 'bench-no-such-program-xyzzy'"));
	assert_false(p.running);
	assert_true(proc_poll(&p));
	assert_int_not_equal(p.exit_code, 127);

	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.output_fd = 2;
	assert_int_equal(proc_start(&p), BENCH_EINVALID);
}

/* A child that ignores SIGTERM is killed after the grace period. */
static void test_kill_escalates(void **state)
{
	const char *argv[] = { "sh", "-c", "trap '' TERM; while :; do sleep 0.05; done", NULL };
	struct proc p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	assert_int_equal(proc_start(&p), 0);
	nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
	proc_kill(&p, 0.3);
	assert_int_equal(p.term_signal, SIGKILL);
	assert_true(pid_gone(p.pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_zero),
		cmocka_unit_test(test_exit_three),
		cmocka_unit_test(test_separate_streams),
		cmocka_unit_test(test_large_output),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_not_executable),
		cmocka_unit_test(test_empty_argv),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_child_setup),
		cmocka_unit_test(test_callback_stops_stream),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_timeout_escalates),
		cmocka_unit_test(test_orphan_holding_pipe),
		cmocka_unit_test(test_interrupt_from_tick),
		cmocka_unit_test(test_signal_handlers),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_start_then_wait),
		cmocka_unit_test(test_start_log_fd_and_kill),
		cmocka_unit_test(test_start_exec_failure),
		cmocka_unit_test(test_kill_escalates),
		cmocka_unit_test(test_failed_while_interrupted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
