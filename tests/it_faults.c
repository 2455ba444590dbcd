/*
 * it_faults.c: fault injection on the real engine. Each test breaks a
 * `bench run` of the tiny fixture in one way (Ctrl-C, SIGKILL, the docker
 * daemon going away, a hanging build, a full disk, no gnuplot, no
 * docker-registry) and checks that nothing finished is lost (every journal
 * line parses, journal lines == builds in run.json), that no process is left
 * behind, and that the message says what happened. The Ctrl-C and SIGKILL
 * runs are then finished with `bench run --resume`.
 *
 * bench is started with posix_spawn (not proc.h) so that the test holds its
 * pid and can signal it mid-build. Processes are found by scanning
 * /proc/PID/cmdline for this test's temp folder (in every docker argv through
 * --metadata-file) and for a marker echoed by the slow RUN steps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ittest.h"

extern char **environ;

/* Seconds a whole run may take before the test calls it a hang. Generous:
 * bench waits for the engine lock while another bench run (another test
 * suite) uses the daemon. A signalled bench gets far less. */
#define RUN_LIMIT 600

static char *tmp;     /* this suite's folder */
static int serial;    /* numbers each test's folder */
static char *mounted; /* the disk-full test's tmpfs, until unmounted */

struct job {
	char *dir;        /* the test's folder: TMP/N-name */
	char *results;    /* DIR/results: the --results base */
	char *work;       /* DIR/work */
	char *scenario;   /* DIR/name.ini */
	char *marker;     /* unique text echoed by the Dockerfile's slow step */
	char *out, *err;  /* files bench's stdout and stderr go to */
	pid_t pid;
};

/* ---- helpers ---- */

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;
	if (read_file(&text, &len, path) < 0)
		return xstrdup("");
	return text;
}

/* The end of a long text, for failure messages (cmocka cuts them short). */
static const char *tail_of(const char *text)
{
	size_t len = strlen(text);
	return len > 900 ? text + len - 900 : text;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A job folder with a Dockerfile and a scenario replaying `commits` of the
 * tiny fixture. In dockerfile and extra, "@M@" stands for the marker. */
static struct job *job_new(const char *name, const char *commits, const char *timeout,
			   const char *dockerfile, const char *extra)
{
	struct job *j = xcalloc(1, sizeof(*j));
	char *df = NULL, *rest, *body;

	j->dir = xasprintf("%s/%d-%s", tmp, ++serial, name);
	assert_int_equal(mkdir_p(j->dir), 0);
	j->results = path_join(j->dir, "results");
	j->work = path_join(j->dir, "work");
	j->scenario = xasprintf("%s/%s.ini", j->dir, name);
	j->marker = xasprintf("itfaults-%s-%d-%d", name, (int)getpid(), serial);
	j->out = path_join(j->dir, "bench.out");
	j->err = path_join(j->dir, "bench.err");
	df = path_join(j->dir, "Dockerfile");
	body = it_subst(dockerfile, "@M@", j->marker);
	it_write_text(df, body);
	rest = xasprintf("%s\n[variant slow]\ndockerfile = %s\ncache = none\nrunner = persistent\n",
			 extra ? extra : "", df);
	it_write_scenario(j->scenario, name, commits, timeout, rest);
	free(rest);
	free(body);
	free(df);
	return j;
}

static void job_free(struct job *j)
{
	free(j->dir);
	free(j->results);
	free(j->work);
	free(j->scenario);
	free(j->marker);
	free(j->out);
	free(j->err);
	free(j);
}

/* Start bench with args (NULL-terminated), stdout and stderr to the job's
 * files, env entries "KEY=VALUE" replacing ours. */
static void job_start(struct job *j, const char *const *args, const char *const *env)
{
	posix_spawn_file_actions_t fa;
	struct strvec argv = {0}, envv = {0};
	size_t i, k;

	it_argv(&argv, it_bench_bin(), args);
	for (i = 0; environ[i]; i++) {
		bool replaced = false;
		size_t klen = strcspn(environ[i], "=");
		for (k = 0; env && env[k] && !replaced; k++)
			replaced = !strncmp(environ[i], env[k], klen) && env[k][klen] == '=';
		if (!replaced)
			strvec_push(&envv, environ[i]);
	}
	for (k = 0; env && env[k]; k++)
		strvec_push(&envv, env[k]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, j->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, j->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawn(&j->pid, argv.v[0], &fa, NULL, argv.v, envv.v), 0);
	posix_spawn_file_actions_destroy(&fa);
	strvec_release(&argv);
	strvec_release(&envv);
}

/* Wait for bench to end: its exit status, 128+N when killed by signal N.
 * Past `seconds` it is killed and the test fails (no hang). */
static int job_wait(struct job *j, int seconds)
{
	int status, i;
	for (i = 0; i < seconds * 10; i++) {
		pid_t r = waitpid(j->pid, &status, WNOHANG);
		if (r == j->pid) {
			j->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		assert_true(r == 0 || (r < 0 && errno == EINTR));
		sleep_ms(100);
	}
	kill(j->pid, SIGKILL);
	waitpid(j->pid, &status, 0);
	j->pid = 0;
	fail_msg("bench did not end within %d s (hang); stderr:\n%s", seconds, tail_of(slurp(j->err)));
	return -1;
}

static int job_run(struct job *j, const char *const *args, const char *const *env, int seconds)
{
	job_start(j, args, env);
	return job_wait(j, seconds);
}

/* Pids (besides ours) whose command line holds both needles (b may be
 * NULL), up to max of them; returns how many. */
static int find_procs(pid_t *pids, int max, const char *a, const char *b)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[64], buf[8192];
		ssize_t len, i;
		int fd;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		for (i = 0; i < len; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[len] = '\0';
		if (strstr(buf, a) && (!b || strstr(buf, b))) {
			if (n < max)
				pids[n] = pid;
			n++;
		}
	}
	closedir(d);
	return n;
}

static int strcmp_ptr(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

static int count_procs(const char *a, const char *b)
{
	pid_t pids[1];
	return find_procs(pids, 1, a, b);
}

/* Wait up to `seconds` for no process to hold the needles; the count left. */
static int wait_procs_gone(const char *a, const char *b, int seconds)
{
	int i, n = 0;
	for (i = 0; i < seconds * 10 && (n = count_procs(a, b)); i++)
		sleep_ms(100);
	return n;
}

/* The one run folder under the job's results base, or NULL. */
static char *run_dir(struct job *j)
{
	DIR *d = opendir(j->results);
	struct dirent *e;
	char *found = NULL;
	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !found)
			found = path_join(j->results, e->d_name);
	closedir(d);
	return found;
}

/* Lines of DIR/journal.jsonl, each asserted to be a whole JSON object with a
 * key not seen before; the records are appended to *records when not NULL. */
static int journal_check(const char *dir, json_t *records)
{
	char *path = path_join(dir, "journal.jsonl"), *text, *line, *save = NULL;
	json_t *keys = json_object();
	int lines = 0;

	text = slurp(path);
	if (*text)
		assert_int_equal(text[strlen(text) - 1], '\n'); /* no torn last line */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *b = json_loads(line, 0, &jerr);
		char *key;
		if (!json_is_object(b))
			fail_msg("%s line %d does not parse: %s\n%s", path, lines + 1, jerr.text, line);
		key = xasprintf("%s/%lld/%lld", json_string_value(json_object_get(b, "variant")),
				json_integer_value(json_object_get(b, "repetition")),
				json_integer_value(json_object_get(b, "index")));
		if (json_object_get(keys, key))
			fail_msg("%s: build %s recorded twice", path, key);
		json_object_set_new(keys, key, json_true());
		free(key);
		if (records)
			json_array_append(records, b);
		json_decref(b);
		lines++;
	}
	json_decref(keys);
	free(text);
	free(path);
	return lines;
}

/* DIR/run.json, asserted to parse as a run object. New reference. */
static json_t *run_json(const char *dir)
{
	json_error_t jerr;
	json_t *run = it_load_run(dir, &jerr);
	if (!json_is_object(run) || !json_is_array(json_object_get(run, "builds")))
		fail_msg("%s/run.json is not a valid run: %s", dir, jerr.text);
	return run;
}

static size_t run_builds(json_t *run)
{
	return json_array_size(json_object_get(run, "builds"));
}

static void assert_contains(const char *text, const char *what, const char *where)
{
	if (!strstr(text, what))
		fail_msg("expected \"%s\" in %s:\n...%s", what, where, tail_of(text));
}

/* Wait until `lines` builds are journaled and the next one's slow RUN
 * step (its shell echoing the marker) is running. */
static char *wait_build_after(struct job *j, int lines)
{
	char *dir = NULL;
	int i;
	for (i = 0; i < RUN_LIMIT * 10; i++) {
		int st;
		if (waitpid(j->pid, &st, WNOHANG) == j->pid) {
			j->pid = 0;
			fail_msg("bench ended early (status %d); stderr:\n%s", st, tail_of(slurp(j->err)));
		}
		if (!dir)
			dir = run_dir(j);
		if (dir && journal_check(dir, NULL) >= lines && count_procs(j->marker, "sleep"))
			return dir;
		sleep_ms(100);
	}
	fail_msg("build %d never started; stderr:\n%s", lines + 1, tail_of(slurp(j->err)));
	return NULL;
}

static char *wait_second_build(struct job *j)
{
	return wait_build_after(j, 1);
}

/* The Dockerfile of the interrupted runs: every commit's context differs, so
 * each build runs the 4 s step (the persistent runner keeps layers). */
static const char slow_dockerfile[] =
	"FROM bench/busybox:latest\n"
	"COPY . /app\n"
	"RUN sleep 4; echo @M@\n";

/* Finish an interrupted run with --resume and check it: 3 builds, each once. */
static void resume_and_check(struct job *j, const char *dir)
{
	const char *args[] = {"run", "--resume", dir, j->scenario, "--work", j->work, "--no-plot", NULL};
	json_t *run;
	int status = job_run(j, args, NULL, RUN_LIMIT);
	char *err = slurp(j->err);
	if (status != 0) {
		char *jpath = path_join(dir, "journal.jsonl");
		fail_msg("resume exited %d:\n%s\njournal:\n%s", status, tail_of(err), tail_of(slurp(jpath)));
	}
	assert_int_equal(journal_check(dir, NULL), 3);
	run = run_json(dir);
	assert_int_equal(run_builds(run), 3);
	assert_true(json_is_true(json_object_get(run, "finished")));
	json_decref(run);
	free(err);
}

/* ---- a. Ctrl-C during a build ---- */

static void test_sigint_keeps_finished_and_resumes(void **state)
{
	struct job *j = job_new("sigint", "last:3", "5m", slow_dockerfile, NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	json_t *records = json_array(), *run, *b;
	char *dir, *err;
	size_t i;
	int status;
	(void)state;

	job_start(j, args, NULL);
	dir = wait_second_build(j);
	assert_int_equal(kill(j->pid, SIGINT), 0);
	status = job_wait(j, 60);
	err = slurp(j->err);
	if (status != 130)
		fail_msg("bench exited %d after SIGINT, not 130:\n%s", status, tail_of(err));
	assert_contains(err, "interrupted", "stderr");
	assert_contains(err, "--resume", "stderr");
	/* the docker client died with bench, and BuildKit stopped the step */
	assert_int_equal(count_procs(j->work, "buildx"), 0);
	assert_int_equal(wait_procs_gone(j->marker, "sleep", 20), 0);
	/* the finished build is kept; the interrupted one is recorded as such
	 * (resume drops that record and builds it again) */
	{
		int lines = journal_check(dir, records), ok = 0, interrupted = 0;
		assert_true(lines == 1 || lines == 2);
		run = run_json(dir);
		assert_int_equal(run_builds(run), lines);
		json_array_foreach(records, i, b) {
			ok += !strcmp(it_str(b, "status"), "ok");
			interrupted += !strcmp(it_str(b, "status"), "interrupted");
		}
		assert_int_equal(ok, 1);
		assert_int_equal(ok + interrupted, lines);
	}
	assert_false(json_is_true(json_object_get(run, "finished")));
	json_decref(run);
	json_decref(records);
	free(err);

	resume_and_check(j, dir);
	free(dir);
	job_free(j);
}

/* ---- b. SIGKILL during a build ---- */

static void test_sigkill_leaves_no_torn_record(void **state)
{
	struct job *j = job_new("sigkill", "last:3", "5m", slow_dockerfile, NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	pid_t pids[16];
	json_t *run;
	char *dir;
	int n, i;
	(void)state;

	job_start(j, args, NULL);
	dir = wait_second_build(j);
	assert_int_equal(kill(j->pid, SIGKILL), 0);
	assert_int_equal(job_wait(j, 30), 128 + SIGKILL);
	/* SIGKILL cannot be handled: the docker client gets SIGKILL from the
	 * kernel with bench (PR_SET_PDEATHSIG); whatever is left is ended here */
	n = find_procs(pids, 16, j->work, "buildx");
	for (i = 0; i < n && i < 16; i++) {
		kill(-pids[i], SIGKILL);
		kill(pids[i], SIGKILL);
	}
	assert_int_equal(wait_procs_gone(j->work, "buildx", 20), 0);
	assert_int_equal(wait_procs_gone(j->marker, "sleep", 20), 0);

	assert_int_equal(journal_check(dir, NULL), 1);
	run = run_json(dir); /* written atomically: the old or the new one */
	assert_true(run_builds(run) <= 1);
	json_decref(run);

	resume_and_check(j, dir);
	free(dir);
	job_free(j);
}

/* ---- resume: a changed scenario, --force, a complete run, a wrong folder ---- */

static void test_resume_checks_the_scenario(void **state)
{
	/* commit 3 fails on its FAIL marker: the resumed run still exits 1 */
	struct job *j = job_new("resume", "last:3", "5m",
		"FROM bench/busybox:latest\nCOPY . /app\nRUN test ! -f /app/FAIL && echo @M@\n", NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	char *dir, *err, *text, *changed;
	json_t *run;
	int status;
	(void)state;

	status = job_run(j, args, NULL, RUN_LIMIT);
	if (status != 1)
		fail_msg("the first run exited %d, not 1:\n%s", status, tail_of(slurp(j->err)));
	dir = run_dir(j);
	assert_non_null(dir);
	assert_int_equal(journal_check(dir, NULL), 3);

	/* the scenario changed: refused, nothing touched */
	text = slurp(j->scenario);
	changed = xasprintf("; changed after the run\n%s", text);
	it_write_text(j->scenario, changed);
	{
		const char *resume[] = {"run", "--resume", dir, j->scenario, "--no-plot", NULL};
		status = job_run(j, resume, NULL, RUN_LIMIT);
		err = slurp(j->err);
		if (status != 2)
			fail_msg("resume of a changed scenario exited %d, not 2:\n%s", status, tail_of(err));
		assert_contains(err, "changed since", "stderr");
		assert_contains(err, "--force", "stderr");
		free(err);
	}
	/* --force: every build is already there, none is run again; the exit
	 * status still tells of the failed build. A torn journal line (a crash
	 * in the middle of a write) is dropped, said, and kept in run.json */
	{
		const char *force[] = {"run", "--resume", dir, j->scenario, "--force", "--no-plot", NULL};
		char *jpath = path_join(dir, "journal.jsonl"), *jtext = slurp(jpath), *torn;
		torn = xasprintf("%s{\"variant\":\"slow\",\"repetition\":1,\"ind", jtext);
		it_write_text(jpath, torn);
		status = job_run(j, force, NULL, RUN_LIMIT);
		err = slurp(j->err);
		if (status != 1)
			fail_msg("resume --force of a complete run exited %d, not 1:\n%s", status, tail_of(err));
		assert_contains(err, "journal.jsonl line 4 is torn or corrupt, skipped", "stderr of the resume");
		assert_int_equal(journal_check(dir, NULL), 3);
		run = run_json(dir);
		assert_int_equal(run_builds(run), 3);
		assert_true(json_is_true(json_object_get(run, "finished")));
		assert_non_null(strstr(it_str(json_array_get(json_object_get(run, "resumes"), 0), "notes"),
				       "journal.jsonl line 4 is torn or corrupt, skipped"));
		free(jpath);
		free(jtext);
		free(torn);
		json_decref(run);
		free(err);
	}
	/* not a results folder */
	{
		const char *wrong[] = {"run", "--resume", j->work, j->scenario, "--no-plot", NULL};
		status = job_run(j, wrong, NULL, RUN_LIMIT);
		err = slurp(j->err);
		assert_int_equal(status, 2);
		assert_contains(err, "not a results folder", "stderr");
		free(err);
	}
	free(text);
	free(changed);
	free(dir);
	job_free(j);
}

/* ---- c. the docker daemon stops answering mid-run ---- */

static void test_daemon_lost_stops_the_run(void **state)
{
	struct job *j = job_new("daemon", "last:2", "2m", slow_dockerfile, NULL);
	char *sock = path_join(j->dir, "proxy.sock"), *listen = xasprintf("UNIX-LISTEN:%s,fork", sock);
	char *host = xasprintf("DOCKER_HOST=unix://%s", sock), *dir, *err;
	const char *socat_argv[] = {"socat", listen, "UNIX-CONNECT:/var/run/docker.sock", NULL};
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	const char *env[] = {host, NULL};
	posix_spawnattr_t attr;
	pid_t socat = 0;
	json_t *records = json_array(), *run;
	int status, i;
	(void)state;

	if (!path_exists("/var/run/docker.sock"))
		fail_msg("no docker socket at /var/run/docker.sock to put a proxy in front of "
			 "(scripts/setup starts dockerd there)");
	/* socat in a process group of its own: its per-connection children die with it */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	if (posix_spawnp(&socat, "socat", NULL, &attr, (char *const *)socat_argv, environ) != 0)
		fail_msg("cannot start socat (%s): scripts/setup installs it", strerror(errno));
	posix_spawnattr_destroy(&attr);
	for (i = 0; i < 50 && !path_exists(sock); i++)
		sleep_ms(100);
	assert_true(path_exists(sock));

	job_start(j, args, env);
	/* the first build's slow step is running: pull the plug */
	for (i = 0; i < RUN_LIMIT * 10 && !count_procs(j->marker, "sleep"); i++)
		sleep_ms(100);
	assert_true(count_procs(j->marker, "sleep") > 0);
	kill(-socat, SIGKILL);
	waitpid(socat, NULL, 0);
	unlink(sock);

	status = job_wait(j, 150);
	err = slurp(j->err);
	if (status != 2)
		fail_msg("bench exited %d when the daemon went away, not 2:\n%s", status, tail_of(err));
	assert_contains(err, "docker daemon stopped answering", "stderr");
	assert_int_equal(count_procs(j->work, "buildx"), 0);
	dir = run_dir(j);
	assert_non_null(dir);
	assert_int_equal(journal_check(dir, records), 1);
	assert_string_equal(it_str(json_array_get(records, 0), "status"), "failed");
	assert_contains(it_str(json_array_get(records, 0), "reason"), "daemon", "the build's reason");
	run = run_json(dir);
	assert_int_equal(run_builds(run), 1);
	json_decref(run);
	/* the real daemon was never touched; BuildKit ends the orphaned step */
	wait_procs_gone(j->marker, "sleep", 20);
	json_decref(records);
	free(dir);
	free(err);
	free(sock);
	free(listen);
	free(host);
	job_free(j);
}

/* ---- d. a build that hangs past its timeout ---- */

static void test_timeout_kills_the_build(void **state)
{
	/* commit 4 hangs; commit 5 (it adds app/util.sh) builds at once */
	struct job *j = job_new("timeout", "last:2", "5s",
		"FROM bench/busybox:latest\nCOPY . /app\n"
		"RUN if [ ! -f /app/app/util.sh ]; then sleep 613; fi; echo @M@\n", NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	json_t *records = json_array(), *b;
	char *dir, *err;
	int status;
	(void)state;

	status = job_run(j, args, NULL, RUN_LIMIT);
	err = slurp(j->err);
	if (status != 1)
		fail_msg("bench exited %d, not 1 (a build not ok):\n%s", status, tail_of(err));
	dir = run_dir(j);
	assert_non_null(dir);
	assert_int_equal(journal_check(dir, records), 2);
	b = json_array_get(records, 0);
	assert_string_equal(it_str(b, "status"), "timeout");
	assert_contains(it_str(b, "reason"), "timeout", "the build's reason");
	assert_true(json_real_value(json_object_get(b, "wall_seconds")) < 60);
	/* the run went on */
	assert_string_equal(it_str(json_array_get(records, 1), "status"), "ok");
	/* nothing left: not the client, not the step's processes */
	assert_int_equal(count_procs(j->work, "buildx"), 0);
	assert_int_equal(wait_procs_gone(j->marker, NULL, 20), 0);
	assert_int_equal(wait_procs_gone("sleep 613", NULL, 10), 0);
	json_decref(records);
	free(dir);
	free(err);
	job_free(j);
}

/* ---- e. the results folder's disk fills up ---- */

static void test_disk_full_is_a_clear_error(void **state)
{
	/* commit 5 prints 2.7 MB, which its log cannot hold on 300 KB */
	struct job *j = job_new("diskfull", "last:3", "5m",
		"FROM bench/busybox:latest\nCOPY . /app\n"
		"RUN if [ -f /app/app/util.sh ]; then seq 1 400000; fi; echo @M@\n", NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work,
			      "--no-plot", NULL};
	json_t *run, *records = json_array();
	char *dir, *err;
	int status, lines;
	(void)state;

	assert_int_equal(mkdir_p(j->results), 0);
	if (mount("tmpfs", j->results, "tmpfs", 0, "size=300k") < 0) {
		int saved = errno;
		char *where = xstrdup(j->results);
		job_free(j);
		fail_msg("cannot mount a tmpfs on %s (%s): the integration tests run as root with "
			 "CAP_SYS_ADMIN", where, strerror(saved));
	}
	mounted = xstrdup(j->results);
	status = job_run(j, args, NULL, RUN_LIMIT);
	err = slurp(j->err);
	dir = run_dir(j);
	if (status != 2)
		fail_msg("bench exited %d on a full disk, not 2:\n%s", status, tail_of(err));
	assert_contains(err, "No space left on device", "stderr");
	assert_contains(err, "cannot write '", "stderr");
	assert_contains(err, j->results, "stderr (the file that could not be written)");
	assert_contains(err, "/logs/", "stderr (the log filled the disk)");
	assert_non_null(dir);
	lines = journal_check(dir, records);
	assert_int_equal(lines, 2);
	run = run_json(dir);
	assert_int_equal(run_builds(run), (size_t)lines);
	json_decref(run);
	json_decref(records);
	assert_int_equal(umount2(j->results, 0), 0);
	free(mounted);
	mounted = NULL;
	free(dir);
	free(err);
	job_free(j);
}

/* ---- f. no gnuplot; no docker-registry for a world ---- */

/* A folder holding only a link to docker: a PATH without gnuplot and
 * docker-registry. "PATH=..." for the child's environment. */
static char *docker_only_path(struct job *j)
{
	char *bin = path_join(j->dir, "bin"), *link = path_join(bin, "docker"), *env;
	char *out = NULL;
	int status = 0;
	const char *which[] = {"which", "docker", NULL};
	assert_int_equal(proc_capture(&out, NULL, &status, which, 10), 0);
	assert_int_equal(status, 0);
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(mkdir_p(bin), 0);
	assert_int_equal(symlink(out, link), 0);
	env = xasprintf("PATH=%s", bin);
	free(out);
	free(link);
	free(bin);
	return env;
}

static void test_no_gnuplot_warns(void **state)
{
	struct job *j = job_new("nognuplot", "last:2", "5m",
		"FROM bench/busybox:latest\nCOPY . /app\nRUN echo @M@\n", NULL);
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work, NULL};
	char *path = docker_only_path(j), *dir, *err;
	const char *env[] = {path, NULL};
	json_t *run;
	int status;
	(void)state;

	status = job_run(j, args, env, RUN_LIMIT);
	err = slurp(j->err);
	if (status != 0)
		fail_msg("bench exited %d without gnuplot, not 0:\n%s", status, tail_of(err));
	assert_contains(err, "gnuplot", "stderr");
	assert_contains(err, "warning", "stderr");
	dir = run_dir(j);
	assert_non_null(dir);
	assert_int_equal(journal_check(dir, NULL), 2);
	run = run_json(dir);
	assert_int_equal(run_builds(run), 2);
	assert_true(json_is_true(json_object_get(run, "finished")));
	json_decref(run);
	free(dir);
	free(err);
	free(path);
	job_free(j);
}

static void test_world_without_registry_fails_before_building(void **state)
{
	struct job *j;
	const char *args[4 + 4] = {"run", NULL, "--results", NULL, "--work", NULL, "--no-plot", NULL};
	char *ini, *path, *dir, *err, *df;
	const char *env[2];
	int status;
	(void)state;

	j = job_new("noregistry", "last:2", "5m", "FROM bench/busybox:latest\nRUN echo @M@\n", NULL);
	df = path_join(j->dir, "Dockerfile");
	ini = xasprintf("[scenario]\nname = noregistry\ncommits = last:2\ntimeout = 5m\n\n"
			"[variant v]\ndockerfile = %s\ncache = none\n\n[world]\nkind = cafeboo\nscale = 0.01\n", df);
	it_write_text(j->scenario, ini);
	path = docker_only_path(j);
	env[0] = path;
	env[1] = NULL;
	args[1] = j->scenario;
	args[3] = j->results;
	args[5] = j->work;
	status = job_run(j, args, env, RUN_LIMIT);
	err = slurp(j->err);
	if (status != 2)
		fail_msg("a world without docker-registry exited %d, not 2:\n%s", status, tail_of(err));
	assert_contains(err, "docker-registry", "stderr");
	assert_contains(err, "not found", "stderr");
	/* nothing was built */
	if ((dir = run_dir(j))) {
		assert_int_equal(journal_check(dir, NULL), 0);
		free(dir);
	}
	assert_int_equal(count_procs(j->work, "buildx"), 0);
	free(err);
	free(path);
	free(ini);
	free(df);
	job_free(j);
}

/* ---- g. a resumed run's warm builds are those of an uninterrupted run ---- */

/* "VARIANT/INDEX=CACHED/TOTAL status" of every build of the run in dir, in
 * order: what a resume must reproduce. Caller frees. */
static char *cached_steps(const char *dir)
{
	json_t *run = run_json(dir), *b;
	struct strbuf sb = {0};
	size_t i, k;

	json_array_foreach(json_object_get(run, "builds"), i, b)
		strbuf_printf(&sb, "%s/%lld=%lld/%lld %s\n", it_str(b, "variant"), it_num(b, "index"),
			      it_num(b, "steps_cached"), it_num(b, "steps_total"), it_str(b, "status"));
	json_decref(run);
	{
		/* sort the lines: variants interleave differently after a resume */
		struct strvec lines = {0};
		char *save = NULL, *tok, *text = strbuf_detach(&sb);
		for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save))
			strvec_push(&lines, tok);
		qsort(lines.v, lines.n, sizeof(*lines.v), (int (*)(const void *, const void *))strcmp_ptr);
		for (k = 0; k < lines.n; k++)
			strbuf_printf(&sb, "%s\n", lines.v[k]);
		strvec_release(&lines);
		free(text);
	}
	return strbuf_detach(&sb);
}

/* Run `--resume dir` to its end (or until stopped by the caller); 0 when
 * it ended with status 0. */
static int resume_run(struct job *j, const char *dir)
{
	const char *args[] = {"run", "--resume", dir, j->scenario, "--work", j->work, "--no-plot", NULL};
	return job_run(j, args, NULL, RUN_LIMIT);
}

/*
 * The Dockerfile of the resume tests: two layers that follow deps.txt, two
 * that follow app/ (each commit of the tiny fixture changes app/ or
 * deps.txt), with slow steps to be stopped in. A warm build from the right
 * cache has the deps layers cached; from none, nothing.
 */
static const char resume_dockerfile[] =
	"FROM bench/busybox:latest\n"
	"COPY deps.txt /app/deps.txt\n"
	"RUN cat /app/deps.txt; echo @M@ deps\n"
	"COPY app /app/app\n"
	"RUN sleep 2; echo @M@ app\n";

static void test_resume_continues_local_caches(void **state)
{
	/* a local cache folder rotated as the blog's workflow does, and the
	 * actions/cache stand-in keyed on app/main.sh: the commit cut in the
	 * middle has a new key, so its build restores the latest entry, which
	 * only the saved state names */
	const char *variants =
		"[variant local]\ndockerfile = %s\ncache = local\nrunner = ephemeral\n\n"
		"[variant keyed]\ndockerfile = %s\ncache = local\ncache_key = files:app/main.sh\n"
		"runner = ephemeral\n";
	struct job *ref = job_new("resumeref", "last:3", "5m", resume_dockerfile, NULL);
	struct job *j = job_new("resumecut", "last:3", "5m", resume_dockerfile, NULL);
	const char *ref_args[] = {"run", ref->scenario, "--results", ref->results, "--work", ref->work,
				  "--no-plot", NULL};
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work, "--no-plot", NULL};
	char *df, *rest, *dir, *ref_dir, *want, *got, *err;
	int status;
	(void)state;

	/* both jobs replay the same scenario, each with its own marker */
	df = path_join(ref->dir, "Dockerfile");
	rest = xasprintf(variants, df, df);
	it_write_scenario(ref->scenario, "resumeref", "last:3", "5m", rest);
	free(rest);
	free(df);
	df = path_join(j->dir, "Dockerfile");
	rest = xasprintf(variants, df, df);
	it_write_scenario(j->scenario, "resumecut", "last:3", "5m", rest);
	free(rest);
	free(df);

	status = job_run(ref, ref_args, NULL, RUN_LIMIT);
	if (status != 0)
		fail_msg("the uninterrupted run exited %d:\n%s", status, tail_of(slurp(ref->err)));
	ref_dir = run_dir(ref);
	want = cached_steps(ref_dir);
	/* the warm builds did use the caches: 2 of 4 steps each */
	assert_contains(want, "local/2=2/4 ok", "the uninterrupted run's cached steps");
	assert_contains(want, "keyed/2=2/4 ok", "the uninterrupted run's cached steps");

	/* SIGKILL in the second build of `local`, then resume */
	job_start(j, args, NULL);
	dir = wait_build_after(j, 1);
	assert_int_equal(kill(j->pid, SIGKILL), 0);
	assert_int_equal(job_wait(j, 30), 128 + SIGKILL);
	assert_int_equal(wait_procs_gone(j->work, "buildx", 20), 0);
	{
		/* Ctrl-C in the second build of `keyed`, then resume again */
		const char *resume[] = {"run", "--resume", dir, j->scenario, "--work", j->work, "--no-plot", NULL};
		job_start(j, resume, NULL);
		free(wait_build_after(j, 4));
		assert_int_equal(kill(j->pid, SIGINT), 0);
		assert_int_equal(job_wait(j, 60), 130);
		err = slurp(j->err);
		assert_contains(err, "resume: local (repetition 1) continues after build 1 of 3", "stderr of the resume");
		free(err);
	}
	status = resume_run(j, dir);
	err = slurp(j->err);
	if (status != 0)
		fail_msg("the second resume exited %d:\n%s", status, tail_of(err));
	assert_contains(err, "resume: keyed (repetition 1) continues after build 1 of 3", "stderr of the resume");
	got = cached_steps(dir);
	if (strcmp(want, got))
		fail_msg("the resumed run's cached steps differ from the uninterrupted run's:\n%s\nwanted:\n%s", got, want);
	assert_int_equal(journal_check(dir, NULL), 6);
	free(err);
	free(got);
	free(want);
	free(dir);
	free(ref_dir);
	job_free(ref);
	job_free(j);
}

/* A scenario of the emulated world at a very small scale: a registry cache
 * whose RUN steps use the index URL (a build arg holding the index's port). */
static void write_world_scenario(struct job *j, const char *name)
{
	char *df = path_join(j->dir, "Dockerfile"), *body = it_subst(
		"FROM bench/busybox:latest\n"
		"ARG PIP_INDEX_URL\n"
		"COPY ai_project/requirements.txt /r.txt\n"
		"RUN echo \"$PIP_INDEX_URL\"; cat /r.txt > /dev/null; echo @M@ deps\n"
		"COPY ai_project /app\n"
		"RUN sleep 2; echo \"$PIP_INDEX_URL\" @M@ app\n", "@M@", j->marker);
	char *ini = xasprintf("[scenario]\nname = %s\ncommits = last:3\ntimeout = 5m\n\n"
			      "[variant reg]\ndockerfile = %s\ncache = registry\nrunner = ephemeral\n\n"
			      "[world]\nkind = cafeboo\nscale = 0.002\n", name, df);
	it_write_text(df, body);
	it_write_text(j->scenario, ini);
	free(df);
	free(body);
	free(ini);
}

/* Start j's run, SIGKILL it in its second build; the run's folder. */
static char *killed_in_second_build(struct job *j)
{
	const char *args[] = {"run", j->scenario, "--results", j->results, "--work", j->work, "--no-plot", NULL};
	char *dir;

	job_start(j, args, NULL);
	dir = wait_second_build(j);
	assert_int_equal(kill(j->pid, SIGKILL), 0);
	assert_int_equal(job_wait(j, 30), 128 + SIGKILL);
	assert_int_equal(wait_procs_gone(j->work, "buildx", 20), 0);
	return dir;
}

/* The index port the run in dir saved, from its state.json. */
static int saved_index_port(const char *dir)
{
	char *path = path_join(dir, "state.json");
	json_t *st = json_load_file(path, 0, NULL);
	int port = (int)json_integer_value(json_object_get(json_object_get(st, "world"), "index_port"));

	if (port <= 0)
		fail_msg("%s has no world.index_port", path);
	json_decref(st);
	free(path);
	return port;
}

/* A listening socket on 127.0.0.1:port (taking it from a resumed world). */
static int take_port(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		fail_msg("cannot take port %d: %s", port, strerror(errno));
	return fd;
}

/*
 * The world: a registry cache series cut by SIGKILL resumes with the world's
 * ports again and the registry's storage of the interrupted run (its cache
 * image is found, by digest); with the index's port taken, the cut series is
 * built again from its cold build. Both end with the cached steps of an
 * uninterrupted run.
 */
static void test_resume_world_registry(void **state)
{
	struct job *ref = job_new("worldref", "last:3", "5m", "FROM scratch\n", NULL);
	struct job *j = job_new("worldcut", "last:3", "5m", "FROM scratch\n", NULL);
	struct job *k = job_new("worldport", "last:3", "5m", "FROM scratch\n", NULL);
	const char *ref_args[] = {"run", ref->scenario, "--results", ref->results, "--work", ref->work,
				  "--no-plot", NULL};
	char *dir, *ref_dir, *want, *got, *err;
	int status, fd;
	(void)state;

	write_world_scenario(ref, "worldref");
	write_world_scenario(j, "worldcut");
	write_world_scenario(k, "worldport");
	status = job_run(ref, ref_args, NULL, RUN_LIMIT);
	if (status != 0)
		fail_msg("the uninterrupted run exited %d:\n%s", status, tail_of(slurp(ref->err)));
	ref_dir = run_dir(ref);
	want = cached_steps(ref_dir);
	/* commit 13 changes code only: its deps layers come from the registry cache */
	assert_contains(want, "reg/2=2/4 ok", "the uninterrupted run's cached steps");

	/* the same ports, the registry's storage kept */
	dir = killed_in_second_build(j);
	status = resume_run(j, dir);
	err = slurp(j->err);
	if (status != 0)
		fail_msg("the resume exited %d:\n%s", status, tail_of(err));
	assert_contains(err, "resume: reg (repetition 1) continues after build 1 of 3", "stderr of the resume");
	got = cached_steps(dir);
	if (strcmp(want, got))
		fail_msg("the resumed run's cached steps differ from the uninterrupted run's:\n%s\nwanted:\n%s", got, want);
	free(got);
	free(err);
	free(dir);

	/* the index's port taken: built again from cold, and said so */
	dir = killed_in_second_build(k);
	fd = take_port(saved_index_port(dir));
	status = resume_run(k, dir);
	close(fd);
	err = slurp(k->err);
	if (status != 0)
		fail_msg("the resume exited %d:\n%s", status, tail_of(err));
	assert_contains(err, "is taken", "stderr of the resume");
	assert_contains(err, "resume: reg (repetition 1) is built again from its cold build: the world could not "
			"have its ports again", "stderr of the resume");
	got = cached_steps(dir);
	if (strcmp(want, got))
		fail_msg("the rebuilt series' cached steps differ from the uninterrupted run's:\n%s\nwanted:\n%s", got, want);
	assert_int_equal(journal_check(dir, NULL), 3);
	free(got);
	free(err);
	free(dir);
	free(want);
	free(ref_dir);
	job_free(ref);
	job_free(j);
	job_free(k);
}

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-itfaults-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* a failed disk-full test leaves its tmpfs mounted */
	if (mounted) {
		umount2(mounted, MNT_DETACH);
		free(mounted);
		mounted = NULL;
	}
	rm_rf(tmp);
	free(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigint_keeps_finished_and_resumes),
		cmocka_unit_test(test_sigkill_leaves_no_torn_record),
		cmocka_unit_test(test_resume_checks_the_scenario),
		cmocka_unit_test(test_daemon_lost_stops_the_run),
		cmocka_unit_test(test_timeout_kills_the_build),
		cmocka_unit_test(test_disk_full_is_a_clear_error),
		cmocka_unit_test(test_no_gnuplot_warns),
		cmocka_unit_test(test_world_without_registry_fails_before_building),
		cmocka_unit_test(test_resume_continues_local_caches),
		cmocka_unit_test(test_resume_world_registry),
	};
	if (getenv("IT_FAULTS_ONLY")) /* e.g. IT_FAULTS_ONLY='*sigint*' */
		cmocka_set_test_filter(getenv("IT_FAULTS_ONLY"));
	return cmocka_run_group_tests_name("integration: faults during bench run", tests, setup, teardown);
}
