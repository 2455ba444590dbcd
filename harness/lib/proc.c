/*
 * proc.c: run a child program and collect its output (see proc.h), after
 * git's run-command.c.
 *
 * The child is fork()ed with every signal blocked, leads its own process
 * group, gets default signal dispositions and an empty mask, stdin from
 * /dev/null and stdout/stderr on pipes (or /dev/null). exec (or chdir)
 * failure travels back to the parent as an errno on a close-on-exec pipe.
 * The parent drains both pipes with poll(2), calls on_tick about every
 * 100 ms, and kills the whole group on timeout or Ctrl-C.
 */
#include "lib/proc.h"
#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TICK_NS        100000000ull    /* on_tick and interrupt polling */
#define KILL_GRACE_NS  5000000000ull   /* SIGTERM -> SIGKILL */
#define EXIT_GRACE_NS  1000000000ull   /* child gone, pipes still open */
#define READ_CHUNK     65536

static volatile sig_atomic_t interrupt_signo;

void proc_request_interrupt(int signo)
{
	interrupt_signo = signo > 0 ? signo : SIGINT;
}

bool proc_interrupt_requested(void)
{
	return interrupt_signo != 0;
}

int proc_interrupt_signal(void)
{
	return interrupt_signo;
}

void proc_interrupt_reset(void)
{
	interrupt_signo = 0;
}

void proc_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: let poll/read see EINTR */
	sa.sa_handler = proc_request_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* What the child writes on the error pipe before _exit(127). */
enum { STAGE_SETUP, STAGE_CHDIR, STAGE_EXEC };
struct child_err {
	int stage;
	int err;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Make sure a descriptor we will dup2() in the child is not 0, 1 or 2
 * (possible when bench itself was started with those closed). */
static int fd_above_stdio(int fd)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int make_pipe(int fds[2])
{
	int raw[2];

	fds[0] = fds[1] = -1;
	if (pipe2(raw, O_CLOEXEC) < 0)
		return -1;
	fds[0] = fd_above_stdio(raw[0]);
	fds[1] = fd_above_stdio(raw[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		return -1;
	}
	return 0;
}

/* ---- in the child: only async-signal-safe calls from here ---- */

static void child_die(int errfd, int stage)
{
	struct child_err ce = { stage, errno };
	ssize_t n;

	do
		n = write(errfd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	_exit(127);
}

static void child_dup(int errfd, int from, int to)
{
	if (from == to) {
		int flags = fcntl(from, F_GETFD);
		if (flags < 0 || fcntl(from, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			child_die(errfd, STAGE_SETUP);
		return;
	}
	if (dup2(from, to) < 0)
		child_die(errfd, STAGE_SETUP);
}

/* The pid of the process that forks, for the child's death-signal check
 * (per thread: the engines of a run fork from threads of their own). Note
 * that PR_SET_PDEATHSIG fires when the forking *thread* ends: a child that
 * must outlive a build (a server) is started from the main thread. */
static _Thread_local pid_t forked_by;

static void child_start(const struct proc *p, char *const *envp, int errfd,
			int nullfd, int outfd, int errout)
{
	struct sigaction sa;
	sigset_t empty;
	int sig;

	setpgid(0, 0);
	/* if bench dies (even by SIGKILL), the child goes with it: a docker
	 * client left behind would keep its build running in the daemon */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != forked_by)
		_exit(127); /* bench died before prctl took effect */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* EINVAL for KILL/STOP is fine */
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);

	child_dup(errfd, nullfd, 0);
	child_dup(errfd, outfd, 1);
	child_dup(errfd, errout, 2);

	if (p->dir && chdir(p->dir) < 0)
		child_die(errfd, STAGE_CHDIR);
	if (envp)
		execvpe(p->argv[0], (char *const *)p->argv, envp);
	else
		execvp(p->argv[0], (char *const *)p->argv);
	child_die(errfd, STAGE_EXEC);
}

/* ---- in the parent ---- */

/* The child's environment: ours, with each "KEY=VALUE" of env replacing or
 * adding KEY, and a bare "KEY" removing it. The array is ours to free; the
 * strings still belong to environ and to the caller. NULL when env is NULL. */
static char **build_envp(const char *const *env)
{
	size_t n = 0, m = 0, i, j, out = 0;
	char **envp;

	if (!env)
		return NULL;
	while (environ && environ[n])
		n++;
	while (env[m])
		m++;
	envp = xcalloc(n + m + 1, sizeof(*envp));
	for (i = 0; i < n; i++) {
		const char *e = environ[i];
		size_t klen = strcspn(e, "=");
		bool replaced = false;
		for (j = 0; j < m && !replaced; j++) {
			size_t k2 = strcspn(env[j], "=");
			replaced = k2 == klen && !strncmp(e, env[j], klen);
		}
		if (!replaced)
			envp[out++] = environ[i];
	}
	for (j = 0; j < m; j++)
		if (strchr(env[j], '='))
			envp[out++] = (char *)env[j];
	envp[out] = NULL;
	return envp;
}

/* Wait for the error pipe to close (exec succeeded) or to carry the child's
 * errno. Returns 1 and fills *ce when the child failed to start. */
static int read_child_error(int fd, struct child_err *ce)
{
	size_t got = 0;

	while (got < sizeof(*ce)) {
		ssize_t n = read(fd, (char *)ce + got, sizeof(*ce) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got == sizeof(*ce);
}

static int reap(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r == pid ? 0 : -1;
}

/* Has the child exited? Leaves it a zombie (WNOWAIT) so that its pid, the
 * process group id, cannot be reused while we may still signal the group. */
static bool child_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR; /* ECHILD: nothing left to wait for */
	return si.si_pid == pid;
}

/* A descriptor that becomes readable when the child exits, so that a child
 * without collected output is noticed at once rather than at the next tick.
 * -1 when the kernel has none; the 100 ms ticks then do. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	static _Thread_local int unsupported; /* old kernel, or valgrind: ask once per thread */
	int fd;

	if (unsupported)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno == ENOSYS)
		unsupported = 1;
	return fd < 0 ? -1 : fd;
#else
	(void)pid;
	return -1;
#endif
}

struct stream {
	int fd;
	proc_output_fn fn;
	bool stopped; /* the callback asked for no more */
};

/* Read what is available on a (non-blocking) stream right now, up to a
 * bound so that the other stream gets its turn. Closes it at EOF. */
static void drain(struct stream *s, void *ctx)
{
	char buf[READ_CHUNK];
	int rounds;

	for (rounds = 0; rounds < 16 && s->fd >= 0; rounds++) {
		ssize_t n = read(s->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close_fd(&s->fd);
			return;
		}
		if (!s->stopped && s->fn(ctx, buf, (size_t)n) != 0)
			s->stopped = true;
	}
}

static void signal_group(pid_t pgid, int sig)
{
	if (kill(-pgid, sig) < 0)
		kill(pgid, sig); /* the group may not exist yet */
}

/* The poll loop: owns nothing but the read ends in s[], which it closes.
 * Returns 0, or -1 with errno when poll itself failed. */
static int supervise(struct proc *p, pid_t pid, struct stream s[2],
		     monotime start)
{
	monotime last_tick = start, term_at = 0, exit_at = 0;
	bool exited = false, killed = false;
	int pidfd = open_pidfd(pid), rc = 0;
	uint64_t timeout_ns = p->timeout_seconds > 0 ?
		(uint64_t)(p->timeout_seconds * 1e9) : 0;

	for (;;) {
		struct pollfd pfd[3];
		int nfds = 0, i, n;
		uint64_t wait_ns = TICK_NS;
		monotime now = monotime_now();

		if (!exited && child_exited(pid)) {
			exited = true;
			exit_at = now;
			close_fd(&pidfd);
		}
		if (exited && s[0].fd < 0 && s[1].fd < 0)
			break;
		if (p->on_tick && now - last_tick >= TICK_NS) {
			p->on_tick(p->ctx);
			last_tick = now;
		}
		if (!exited && !term_at) {
			if (timeout_ns && now - start >= timeout_ns)
				p->timed_out = true;
			else if (proc_interrupt_requested())
				p->interrupted = true;
			if (p->timed_out || p->interrupted) {
				signal_group(pid, SIGTERM);
				term_at = now;
			}
		}
		if (term_at && !killed && now - term_at >= KILL_GRACE_NS) {
			signal_group(pid, SIGKILL);
			killed = true;
		}
		if (exited && now - exit_at >= EXIT_GRACE_NS) {
			/* Whatever still holds our pipes outlived the child. */
			signal_group(pid, SIGKILL);
			close_fd(&s[0].fd);
			close_fd(&s[1].fd);
			break;
		}

		if (timeout_ns && !term_at && timeout_ns - (now - start) < wait_ns)
			wait_ns = timeout_ns - (now - start);
		for (i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				pfd[nfds++] = (struct pollfd){ s[i].fd, POLLIN, 0 };
		if (pidfd >= 0)
			pfd[nfds++] = (struct pollfd){ pidfd, POLLIN, 0 };
		n = poll(pfd, (nfds_t)nfds, (int)((wait_ns + 999999) / 1000000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			signal_group(pid, SIGKILL);
			close_fd(&s[0].fd);
			close_fd(&s[1].fd);
			errno = saved;
			rc = -1;
			break;
		}
		for (i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				drain(&s[i], p->ctx);
	}
	close_fd(&pidfd);
	return rc;
}

static void set_start_error(const struct proc *p, const struct child_err *ce,
			    int *code)
{
	const char *prog = p->argv[0];

	*code = ce->err == ENOENT ? BENCH_ENOTFOUND : BENCH_ERROR;
	if (ce->stage == STAGE_CHDIR)
		bench_error_set(*code, "cannot run '%s' in '%s': %s", prog,
				p->dir, strerror(ce->err));
	else
		bench_error_set(*code, "cannot run '%s': %s", prog,
				strerror(ce->err));
}

/* Fill exit_code / term_signal from a waitpid status; the child is gone.
 * One rule for every caller: a child that failed (other than by its
 * timeout) while an interrupt was pending was interrupted, whether we
 * killed it or it failed on its own as Ctrl-C was handled (the world's
 * servers stopping under it, its daemon's answer cut): it did not fail
 * for a reason of its own, and a resume must run it again rather than keep
 * a failure the user caused. */
static void set_ended(struct proc *p, int status)
{
	p->running = false;
	p->wall_seconds = monotime_seconds_since(p->started);
	if (WIFEXITED(status)) {
		p->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		p->term_signal = WTERMSIG(status);
		p->exit_code = 128 + p->term_signal;
	}
	if (p->exit_code != 0 && !p->timed_out && proc_interrupt_requested())
		p->interrupted = true;
}

int proc_start(struct proc *p)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
	int nullfd = -1, status = 0, code = BENCH_OK, logfd;
	bool use_log = p->output_fd > 2;
	char **envp = NULL;
	sigset_t all, old;
	struct child_err ce;
	pid_t pid;

	p->pid = 0;
	p->exit_code = -1;
	p->term_signal = 0;
	p->timed_out = p->interrupted = false;
	p->wall_seconds = 0;
	p->running = false;
	p->pipe_out = p->pipe_err = -1;
	if (!p->argv || !p->argv[0] || !p->argv[0][0])
		return bench_error_set(BENCH_EINVALID, "cannot run a program: empty argv");
	if (p->output_fd < 0 || p->output_fd == 1 || p->output_fd == 2)
		return bench_error_set(BENCH_EINVALID, "cannot run '%s': output descriptor %d",
				       p->argv[0], p->output_fd);
	if (proc_interrupt_requested())
		return bench_error_set(BENCH_EINTERRUPTED,
				       "interrupted before running '%s'", p->argv[0]);

	nullfd = fd_above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC));
	if (nullfd < 0) {
		code = bench_error_errno(BENCH_ERROR, "cannot open '/dev/null'");
		goto done;
	}
	if (make_pipe(errpipe) < 0 || (!use_log && p->on_stdout && make_pipe(out) < 0) ||
	    (!use_log && p->on_stderr && make_pipe(err) < 0)) {
		code = bench_error_errno(BENCH_ERROR, "cannot run '%s': pipe",
					 p->argv[0]);
		goto done;
	}
	envp = build_envp(p->env);
	logfd = use_log ? p->output_fd : nullfd;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->started = monotime_now();
	forked_by = getpid();
	pid = fork();
	if (pid == 0)
		child_start(p, envp, errpipe[1], nullfd,
			    out[1] >= 0 ? out[1] : logfd,
			    err[1] >= 0 ? err[1] : logfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		code = bench_error_errno(BENCH_ERROR, "cannot run '%s': fork",
					 p->argv[0]);
		goto done;
	}
	setpgid(pid, pid); /* also done by the child; whoever is first wins */
	p->pid = pid;
	close_fd(&errpipe[1]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&nullfd);

	if (read_child_error(errpipe[0], &ce)) {
		reap(pid, &status);
		set_start_error(p, &ce, &code);
		goto done;
	}
	for (int i = 0; i < 2; i++) {
		int fd = i ? err[0] : out[0];
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	p->pipe_out = out[0];
	p->pipe_err = err[0];
	out[0] = err[0] = -1;
	p->running = true;

done:
	close_fd(&nullfd);
	close_fd(&errpipe[0]);
	close_fd(&errpipe[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	free(envp);
	return code;
}

int proc_wait(struct proc *p)
{
	struct stream s[2] = { { p->pipe_out, p->on_stdout, false },
			       { p->pipe_err, p->on_stderr, false } };
	int status = 0, code = BENCH_OK;

	if (!p->running)
		return bench_error_set(BENCH_EINVALID, "cannot wait for '%s': not running",
				       p->argv && p->argv[0] ? p->argv[0] : "?");
	p->pipe_out = p->pipe_err = -1; /* supervise owns and closes them */
	if (supervise(p, p->pid, s, p->started) < 0)
		code = bench_error_errno(BENCH_ERROR, "cannot watch '%s': poll",
					 p->argv[0]);
	if (reap(p->pid, &status) < 0) {
		p->running = false;
		return bench_error_errno(BENCH_ERROR, "cannot wait for '%s'",
					 p->argv[0]);
	}
	set_ended(p, status);
	return code;
}

bool proc_poll(struct proc *p)
{
	int status = 0;
	pid_t r;

	if (!p->running)
		return true;
	do
		r = waitpid(p->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	if (r == p->pid)
		set_ended(p, status);
	else
		p->running = false; /* ECHILD: someone else reaped it */
	close_fd(&p->pipe_out);
	close_fd(&p->pipe_err);
	return true;
}

void proc_kill(struct proc *p, double grace_seconds)
{
	monotime start = monotime_now();
	uint64_t grace_ns = grace_seconds > 0 ? (uint64_t)(grace_seconds * 1e9) : 0;
	bool killed = false;

	if (!p->running)
		return;
	signal_group(p->pid, SIGTERM);
	while (!proc_poll(p)) {
		struct timespec ts = { 0, 20000000L };
		if (!killed && monotime_now() - start >= grace_ns) {
			signal_group(p->pid, SIGKILL);
			killed = true;
		}
		nanosleep(&ts, NULL);
	}
	kill(-p->pid, SIGKILL); /* anything left in its group */
}

int proc_run(struct proc *p)
{
	int code = proc_start(p);

	return code < 0 ? code : proc_wait(p);
}

/* ---- proc_capture ---- */

static int capture_append(void *ctx, const char *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
	return 0;
}

struct capture {
	struct strbuf out, err;
};

static int capture_out(void *ctx, const char *buf, size_t len)
{
	return capture_append(&((struct capture *)ctx)->out, buf, len);
}

static int capture_err(void *ctx, const char *buf, size_t len)
{
	return capture_append(&((struct capture *)ctx)->err, buf, len);
}

/* Unlike proc_run, a child killed by the timeout or by Ctrl-C is an error
 * here (BENCH_ERROR / BENCH_EINTERRUPTED): the caller has no struct proc to
 * look at. On any error *out and *err are NULL. */
int proc_capture(char **out, char **err, int *exit_code,
		 const char *const *argv, double timeout_seconds)
{
	struct capture c = { { 0 }, { 0 } };
	struct proc p;
	int code;

	*out = NULL;
	if (err)
		*err = NULL;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.timeout_seconds = timeout_seconds;
	p.on_stdout = capture_out;
	p.on_stderr = err ? capture_err : NULL;
	p.ctx = &c;
	code = proc_run(&p);
	if (exit_code)
		*exit_code = p.exit_code;
	if (code < 0)
		goto done;
	if (p.interrupted) {
		code = bench_error_set(BENCH_EINTERRUPTED, "'%s' was interrupted",
				       argv[0]);
		goto done;
	}
	if (p.timed_out) {
		code = bench_error_set(BENCH_ERROR, "'%s' timed out after %gs",
				       argv[0], timeout_seconds);
		goto done;
	}
	*out = strbuf_detach(&c.out);
	if (err)
		*err = strbuf_detach(&c.err);

done:
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	return code;
}
