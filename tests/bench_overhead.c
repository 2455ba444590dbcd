/*
 * bench_overhead.c: what `bench run` costs outside docker, per build, against
 * a plain shell loop doing the same builds (`make benchmarks`).
 *
 * A generated bare repository (libgit2, tests/gitfixture.h) of F files
 * (default 1,000) and as many commits as the longest series asks for; each
 * commit changes three files under src/ (every tenth one also adds one and
 * deletes another). The repository's .dockerignore leaves src/ (and the
 * plain loop's .git) out of the build context and the Dockerfile copies only
 * app/, so that every build after the first is fully cached and docker's
 * work is small and the same for every commit, whoever drives it. For each N (default 10 and 100):
 *
 *   1. `bench run` of a scenario replaying the last N commits with one
 *      variant on a persistent runner (cache = none), timed from outside
 *      (proc.h), less the time it sat in flock(2) waiting for another run's
 *      engine lock (/proc/PID/syscall, read every 100 ms);
 *      its peak RSS is the kernel's VmHWM of the bench process, read from
 *      /proc every 100 ms while it runs (docker's own processes are not in
 *      it);
 *   2. the sum of the builds' wall_seconds (docker's time, as bench measured
 *      it) from the results folder;
 *   3. tests/bench_overhead_loop: `git checkout` + `docker buildx build
 *      -t NAME:latest --load` of the same commits with the same flags, one
 *      moving tag removed at the end with the builder cache pruned (what a
 *      person would write, leaving the engine as it was), timed the same way
 *      (holding the engine lock, as bench does).
 *
 * First, without the engine, what bench's own parts cost: checking out a
 * commit (a fresh folder each, or one folder that follows the commits) and
 * recording a build (run.json after every build, or every 10 s).
 *
 * Then it prints bench's total, docker's sum, bench's time outside docker per
 * build (all of it, set-up included, divided by the builds), the marginal
 * cost of one more build between two series lengths (the slope: what a longer
 * history costs per commit), the plain loop and bench/loop, and the
 * bench-run-* images left behind. Figures, not a test: nothing here fails on
 * a threshold.
 *
 * usage: bench_overhead [--bench PATH] [--files F] [--commits N[,N...]] [--parts]
 *                       [--prepare DIR] [--vs-bench PATH]
 * (--parts: only the parts without the engine; --prepare: the repository,
 * scenarios and loop trees kept in DIR, and the commands to time printed;
 * --vs-bench: another bench binary measured the same way, right after, for
 * a before/after ratio in one run)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>

#include "gitfixture.h"

#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "repo/replay.h"
#include "results/results.h"
#include "lib/util.h"

#define MAX_SERIES 8
#define CHANGES_PER_COMMIT 3
#define RUN_TIMEOUT 7200.0

struct measure {
	int n;
	double bench_s, docker_s, loop_s;
	double setup_s, cleanup_s, own_ms; /* from bench's time split; -1: none */
	double runner_s;                   /* its runner clean-up (resets, replaced images); 0: none */
	int builds, ok;
	long peak_kb;
	int images_left;
};

/* What is watched of a child: the end of its output (for the message when
 * it fails), its peak RSS, and how long it was blocked in flock(2) (bench
 * waiting for another run's engine lock). */
struct tail {
	struct strbuf sb;
	pid_t *pid;
	long peak_kb;
	monotime last_tick;
	bool in_flock;
	double flock_seconds;
};

static int keep_tail(void *ctx, const char *buf, size_t len)
{
	struct tail *t = ctx;
	strbuf_add(&t->sb, buf, len);
	if (t->sb.len > 16384) {
		memmove(t->sb.buf, t->sb.buf + t->sb.len - 8192, 8192);
		t->sb.len = 8192;
		t->sb.buf[8192] = '\0';
	}
	return 0;
}

/* Every tick (100 ms): VmHWM of the child (the process itself, not its
 * children), in kB; and whether it sits in flock(2) (/proc/PID/syscall), the
 * time since the last tick counting as waiting when it did then. */
static void poll_child(void *ctx)
{
	struct tail *t = ctx;
	char path[64], *text = NULL, *p;
	monotime now = monotime_now();

	if (!t->pid || !*t->pid)
		return;
	if (t->in_flock)
		t->flock_seconds += monotime_seconds(t->last_tick, now);
	t->last_tick = now;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)*t->pid);
	if (read_file(&text, NULL, path) == 0 && (p = strstr(text, "VmHWM:"))) {
		long kb = strtol(p + 6, NULL, 10);
		if (kb > t->peak_kb)
			t->peak_kb = kb;
	}
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)*t->pid);
	t->in_flock = read_file(&text, NULL, path) == 0 && atol(text) == SYS_flock;
	bench_error_clear();
	free(text);
}

/* Run argv to its end; its wall time less the time it waited for the engine
 * lock in *seconds, its peak RSS in *peak_kb and the end of its output in
 * *tail (both may be NULL; caller frees). Exits the benchmark when it cannot
 * run or fails. */
static void run_timed(double *seconds, long *peak_kb, char **tail, const char *const *argv)
{
	struct tail t = {0};
	struct proc p = {.argv = argv, .timeout_seconds = RUN_TIMEOUT, .on_stdout = keep_tail,
			 .on_stderr = keep_tail, .on_tick = poll_child, .ctx = &t};

	t.pid = &p.pid;
	if (proc_run(&p) < 0 || p.exit_code != 0) {
		fprintf(stderr, "bench_overhead: '%s' failed (exit %d): %s\n%s\n", argv[0], p.exit_code,
			bench_error_last(), t.sb.buf ? t.sb.buf : "");
		exit(1);
	}
	*seconds = p.wall_seconds - t.flock_seconds;
	if (t.flock_seconds > 0.5)
		printf("('%s' waited %.1f s for the engine lock, not counted)\n", argv[0], t.flock_seconds);
	if (peak_kb)
		*peak_kb = t.peak_kb;
	if (tail)
		*tail = strbuf_detach(&t.sb);
	strbuf_release(&t.sb);
}

/* A figure of bench's time split after label (a row, "  set-up   1.2s  ...",
 * or within one, ", runner clean-up 1.2s,"): its seconds, or -1. */
static double split_row(const char *out, const char *label)
{
	const char *row = out ? strstr(out, "where the time went") : NULL;
	char text[32];
	double s;

	if (!row || !(row = strstr(row, label)) ||
	    sscanf(row + strlen(label), " %31[^ ,\n]", text) != 1 || parse_duration(&s, text) < 0)
		return -1;
	return s;
}

/* bench's own work between builds, from its split: "(N ms a build)", or -1. */
static double split_own_ms(const char *out)
{
	const char *row = out ? strstr(out, "where the time went") : NULL;
	const char *end = row ? strstr(row, " ms a build)") : NULL;

	while (end && end > row && end[-1] != '(')
		end--;
	return end ? atof(end) : -1;
}

/* ---- the repository ---- */

static char *file_text(int file, int version)
{
	return xasprintf("file %d, version %d\n%s\n", file, version,
			 "the same line in every file, so that the blobs are of a realistic size "
			 "and the repository's objects are not all of a few bytes");
}

/* src/dNN/fNNNN.txt: files spread over folders of 50. */
static char *file_path(int file)
{
	return xasprintf("src/d%02d/f%04d.txt", file / 50, file);
}

/* A pseudo-random file among the first n that still exists. */
static int pick_alive(unsigned *seed, const bool *alive, int n)
{
	int f;
	do {
		*seed = *seed * 1103515245u + 12345u;
		f = (int)((*seed >> 8) % (unsigned)n);
	} while (!alive[f]);
	return f;
}

/*
 * A bare repository of nfiles files (three of them app/ and .dockerignore)
 * and 1 + ncommits commits. Deterministic: the same arguments give the same
 * ids.
 */
static void make_repo(const char *path, int nfiles, int ncommits)
{
	git_repository *repo = fixture_repo_init_bare(path);
	int nsrc = nfiles - 3, next_file = nsrc, c, k;
	int *version = xcalloc((size_t)nfiles + (size_t)ncommits, sizeof(int));
	bool *alive = xcalloc((size_t)nfiles + (size_t)ncommits, sizeof(bool));
	struct fixture_file *files = xcalloc((size_t)nfiles + 1, sizeof(*files));
	char **owned = xcalloc((size_t)nfiles * 2 + 1, sizeof(char *));
	size_t nowned = 0, i;
	unsigned seed = 12345;

	files[0] = (struct fixture_file){".dockerignore", "src\n.git\n", 0};
	files[1] = (struct fixture_file){"app/main.sh", "#!/bin/sh\necho hello\n", FIXTURE_EXEC};
	files[2] = (struct fixture_file){"app/VERSION", "1\n", 0};
	for (k = 0; k < nsrc; k++) {
		alive[k] = true;
		files[3 + k].path = owned[nowned++] = file_path(k);
		files[3 + k].content = owned[nowned++] = file_text(k, 0);
	}
	fixture_commit(repo, "the first version", files);
	for (i = 0; i < nowned; i++)
		free(owned[i]);

	for (c = 1; c <= ncommits; c++) {
		struct fixture_file change[CHANGES_PER_COMMIT + 3] = {{0}};
		char *msg = xasprintf("change %d", c);
		size_t n = 0;

		nowned = 0;
		if (c % 10 == 0) { /* one file goes, a new one comes */
			int gone = pick_alive(&seed, alive, next_file);
			alive[gone] = false;
			change[n++].path = owned[nowned++] = file_path(gone);
			alive[next_file] = true;
			change[n].path = owned[nowned++] = file_path(next_file);
			change[n++].content = owned[nowned++] = file_text(next_file, 0);
			next_file++;
		}
		for (k = 0; k < CHANGES_PER_COMMIT; k++) {
			int f = pick_alive(&seed, alive, next_file);
			version[f]++;
			change[n].path = owned[nowned++] = file_path(f);
			change[n++].content = owned[nowned++] = file_text(f, version[f]);
		}
		fixture_commit(repo, msg, change);
		for (i = 0; i < nowned; i++)
			free(owned[i]);
		free(msg);
	}
	fixture_repo_free(repo);
	free(version);
	free(alive);
	free(files);
	free(owned);
}

/* ---- bench's own parts, without the engine ---- */

/* Check out the newest n commits of repo one after the other: each into a
 * fresh folder of its own (as bench did), or all into one folder that
 * follows them (replay_tree). Milliseconds a commit. */
static double time_checkouts(const char *tmp, const char *repo, int n, bool incremental)
{
	struct replay *r = NULL;
	struct replay_tree *t = NULL;
	struct commit_info *c = NULL;
	char *spec = xasprintf("last:%d", n), *base = path_join(tmp, "parts-checkouts");
	size_t count = 0, i;
	monotime t0;
	double ms;

	if (replay_open(&r, repo) < 0 || replay_resolve(&c, &count, r, spec) < 0 ||
	    replay_tree_new(&t, r, base) < 0) {
		fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
		exit(1);
	}
	t0 = monotime_now();
	for (i = 0; i < count; i++) {
		char *dir = xasprintf("%s/%s", base, c[i].id);
		if ((incremental ? replay_tree_checkout(t, c[i].id) : replay_checkout(r, c[i].id, dir)) < 0) {
			fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
			exit(1);
		}
		free(dir);
	}
	ms = 1000 * monotime_seconds_since(t0) / (double)count;
	rm_rf(base);
	replay_tree_free(t);
	commit_info_array_free(c, count);
	replay_free(r);
	free(spec);
	free(base);
	return ms;
}

/* A build record of the size bench writes for a small Dockerfile. */
static json_t *fake_build(int index)
{
	json_t *b = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:f, s:f, s:i, s:i,"
			      " s:I, s:I, s:s, s:[s,s,s]}",
			      "variant", "cached", "repetition", 1,
			      "commit", "0123456789abcdef0123456789abcdef01234567", "short", "0123456",
			      "subject", "change 42", "index", index, "phase", index == 1 ? "cold" : "warm",
			      "status", "ok", "exit_code", 0, "wall_seconds", 0.5, "build_seconds", 0.5,
			      "steps_total", 1, "steps_cached", 1, "cache_bytes", (json_int_t)0,
			      "image_bytes", (json_int_t)4400000, "log", "logs/cached-r1-042-0123456.log",
			      "changed", "src/d01/f0042.txt", "src/d07/f0377.txt", "src/d13/f0650.txt");
	json_object_set_new(b, "steps", json_pack("[{s:s, s:f, s:b}, {s:s, s:f, s:b}]",
						  "name", "[1/2] FROM bench/busybox:latest", "seconds", 0.01,
						  "cached", 1, "name", "[2/2] COPY app/ /app/", "seconds", 0.0,
						  "cached", 1));
	return b;
}

/* This process's resident memory now (VmRSS), in kB. */
static long rss_kb(void)
{
	char *text = NULL, *p;
	long kb = 0;

	if (read_file(&text, NULL, "/proc/self/status") == 0 && (p = strstr(text, "VmRSS:")))
		kb = strtol(p + 6, NULL, 10);
	bench_error_clear();
	free(text);
	return kb;
}

/* Record n builds in a new results folder, run.json rewritten after every
 * build (interval 0, as bench did) or every RESULTS_RUN_JSON_INTERVAL s.
 * Milliseconds a build over the first ten and the last ten; what the n
 * records take in memory (kB, may be NULL). */
static void time_records(double *first, double *last, long *grown_kb, const char *tmp, int n,
			 double interval)
{
	long before = rss_kb();
	char *base = path_join(tmp, "parts-results");
	struct results *r = NULL;
	monotime t0 = 0;
	int i;

	if (results_create(&r, base, "parts", json_object(), json_object()) < 0) {
		fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
		exit(1);
	}
	r->run_json_interval = interval;
	for (i = 1; i <= n; i++) {
		if (i == 1 || i == n - 9)
			t0 = monotime_now();
		if (results_append(r, fake_build(i)) < 0) {
			fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
			exit(1);
		}
		if (i == 10)
			*first = 100 * monotime_seconds_since(t0);
		if (i == n)
			*last = 100 * monotime_seconds_since(t0);
	}
	if (grown_kb)
		*grown_kb = rss_kb() - before;
	results_finish(r, true);
	results_free(r);
	rm_rf(base);
	free(base);
}

static void print_parts(const char *tmp, const char *repo, int nfiles, int maxn)
{
	int n = maxn < 100 ? maxn : 100;
	double full = time_checkouts(tmp, repo, n, false), inc = time_checkouts(tmp, repo, n, true);
	double every_first, every_last, now_first, now_last;
	long grown = 0;

	/* the memory first, while the allocator has nothing to reuse */
	time_records(&now_first, &now_last, &grown, tmp, 1000, RESULTS_RUN_JSON_INTERVAL);
	time_records(&every_first, &every_last, NULL, tmp, 1000, 0);
	printf("\nbench's own parts (no engine):\n");
	printf("  check out a commit of %d files (%d commits): a fresh folder each %.1f ms, "
	       "one folder that follows them %.1f ms\n", nfiles, n, full, inc);
	printf("  record a build (builds 1-10, 991-1000): run.json after every build %.1f ms, %.1f ms; "
	       "every %.0f s %.1f ms, %.1f ms\n", every_first, every_last, RESULTS_RUN_JSON_INTERVAL,
	       now_first, now_last);
	printf("  1000 build records in memory: %.1f MB more resident\n", grown / 1024.0);
	fflush(stdout);
}

/* ---- the runs ---- */

static char *only_child(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !found)
			found = path_join(dir, e->d_name);
	if (d)
		closedir(d);
	return found;
}

/* TMP/overhead-N.ini: the last n commits, one variant on a persistent
 * runner. Its path (caller frees). */
static char *write_scenario(const char *tmp, int n, const char *repo, const char *dockerfile)
{
	char *scenario = xasprintf("%s/overhead-%d.ini", tmp, n);
	char *text = xasprintf("[scenario]\nname = overhead\nrepo = %s\ncommits = last:%d\n"
			       "context = .\ntimeout = 5m\nnetwork = host\n\n"
			       "[variant cached]\ndockerfile = %s\ncache = none\nrunner = persistent\n",
			       repo, n, dockerfile);

	if (write_file_atomic(scenario, text, strlen(text)) < 0) {
		fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
		exit(1);
	}
	free(text);
	return scenario;
}

/* bench run of the last n commits: bench's total, docker's sum, builds. */
static void measure_bench(struct measure *m, const char *bench, const char *tmp, const char *repo,
			  const char *dockerfile, const char *tag)
{
	char *scenario = write_scenario(tmp, m->n, repo, dockerfile);
	char *results = xasprintf("%s/results-%s-%d", tmp, tag, m->n);
	const char *argv[] = {bench, "run", scenario, "--results", results, "--no-plot", NULL};
	char *dir, *missing = NULL, *out = NULL;
	json_t *run = NULL, *b;
	size_t i;

	run_timed(&m->bench_s, &m->peak_kb, &out, argv);
	m->setup_s = split_row(out, "\n  set-up ");
	m->cleanup_s = split_row(out, "\n  clean-up ");
	m->runner_s = split_row(out, ", runner clean-up ");
	m->own_ms = split_own_ms(out);
	free(out);
	dir = only_child(results);
	if (!dir || results_load(&run, &missing, dir) < 0) {
		fprintf(stderr, "bench_overhead: no results in %s: %s\n", results, bench_error_last());
		exit(1);
	}
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		m->builds++;
		m->docker_s += json_number_value(json_object_get(b, "wall_seconds"));
		if (!strcmp(json_str(b, "status"), "ok"))
			m->ok++;
	}
	json_decref(run);
	free(missing);
	free(dir);
	free(scenario);
	free(results);
}

/* The engine lock every bench run takes (see README), held by the caller
 * for the plain loop. */
static int lock_engine(void)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = path_join(dir, "bench-engine.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		fprintf(stderr, "bench_overhead: cannot lock '%s'\n", path);
		exit(1);
	}
	free(path);
	return fd;
}

/* Images whose repository starts with "bench-run-": what finished runs left. */
static int count_run_images(void)
{
	const char *argv[] = {getenv("BENCH_DOCKER") && *getenv("BENCH_DOCKER") ? getenv("BENCH_DOCKER") : "docker",
			      "image", "ls", "--format", "{{.Repository}}", NULL};
	char *out = NULL, *line, *save = NULL;
	int status = 0, n = 0;

	if (proc_capture(&out, NULL, &status, argv, 120) < 0 || status != 0) {
		fprintf(stderr, "bench_overhead: docker image ls failed: %s\n", bench_error_last());
		exit(1);
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "bench-run-", 10) || strstr(line, "/bench-run-"))
			n++;
	free(out);
	return n;
}

static void measure_loop(struct measure *m, const char *loop, const char *tmp, const char *repo,
			 const char *dockerfile)
{
	char *tree = xasprintf("%s/loop-tree-%d", tmp, m->n);
	char *logs = xasprintf("%s/loop-logs-%d", tmp, m->n);
	char *prefix = xasprintf("bench-overhead-loop-%d-%d/cached", (int)getpid(), m->n);
	char *count = xasprintf("%d", m->n);
	const char *clone[] = {"git", "clone", "-q", repo, tree, NULL};
	const char *argv[] = {loop, tree, dockerfile, count, prefix, logs, NULL};
	double clone_s;
	int fd;

	run_timed(&clone_s, NULL, NULL, clone);
	if (mkdir_p(logs) < 0) {
		fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
		exit(1);
	}
	fd = lock_engine();
	m->images_left = count_run_images();
	run_timed(&m->loop_s, NULL, NULL, argv);
	close(fd);
	free(tree);
	free(logs);
	free(prefix);
	free(count);
}

/* --prepare DIR: the repository, the scenarios and the loop's work trees
 * stay in DIR, and the commands that time them (by hand, or paired by a
 * benchmark runner) are printed. */
static void prepare_commands(const char *dir, const char *bench, const char *loop, const char *repo,
			     const char *dockerfile, const struct measure *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *scenario = write_scenario(dir, m[i].n, repo, dockerfile);
		char *tree = xasprintf("%s/loop-tree-%d", dir, m[i].n);
		char *logs = xasprintf("%s/loop-logs-%d", dir, m[i].n);
		const char *clone[] = {"git", "clone", "-q", repo, tree, NULL};
		double s;

		run_timed(&s, NULL, NULL, clone);
		mkdir_p(logs);
		printf("N=%d:\n  %s run %s --results %s/results --no-plot -q\n"
		       "  flock %s/bench-engine.lock %s %s %s %d bench-overhead-loop/cached %s\n",
		       m[i].n, bench, scenario, dir, getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		       loop, tree, dockerfile, m[i].n, logs);
		free(scenario);
		free(tree);
		free(logs);
	}
}

/* "12.3" or "-" when bench did not say. */
static const char *or_dash(char *buf, size_t size, double v, const char *fmt)
{
	if (v < 0)
		return "-";
	snprintf(buf, size, fmt, v);
	return buf;
}

static void print_table(const struct measure *m, size_t n, int nfiles)
{
	char b1[32], b2[32], b3[32], b4[32];
	size_t i;

	printf("\noverhead: %d files, %d changed a commit; one variant, persistent runner, every build "
	       "after the first fully cached\n", nfiles, CHANGES_PER_COMMIT);
	printf("%6s %9s %9s %9s %10s %10s %9s %10s %9s %9s %9s %10s %9s %5s\n", "builds", "bench s",
	       "docker s", "outside", "a build", "marginal", "set-up s", "clean-up s", "removal", "between",
	       "loop s", "bench/loop", "peak RSS", "left");
	for (i = 0; i < n; i++) {
		double outside = m[i].bench_s - m[i].docker_s;
		char marginal[32] = "-";
		if (i > 0 && m[i].builds > m[i - 1].builds)
			snprintf(marginal, sizeof(marginal), "%.1f ms",
				 1000 * (outside - (m[i - 1].bench_s - m[i - 1].docker_s)) /
				 (m[i].builds - m[i - 1].builds));
		printf("%6d %9.2f %9.2f %9.2f %7.1f ms %10s %9s %10s %6s ms %6s ms %9.2f %10.2f %6.1f MB %5d\n",
		       m[i].builds, m[i].bench_s, m[i].docker_s, outside,
		       1000 * outside / (m[i].builds ? m[i].builds : 1), marginal,
		       or_dash(b1, sizeof(b1), m[i].setup_s, "%.2f"), or_dash(b2, sizeof(b2), m[i].cleanup_s, "%.2f"),
		       or_dash(b4, sizeof(b4), m[i].runner_s < 0 ? -1 : 1000 * m[i].runner_s / (m[i].builds ? m[i].builds : 1),
			       "%.0f"),
		       or_dash(b3, sizeof(b3), m[i].own_ms, "%.0f"), m[i].loop_s, m[i].bench_s / m[i].loop_s,
		       m[i].peak_kb / 1024.0, m[i].images_left);
		if (m[i].ok != m[i].builds)
			printf("       (%d of %d builds not ok)\n", m[i].builds - m[i].ok, m[i].builds);
	}
	printf("outside: bench's total minus the sum of the builds' wall_seconds; a build: outside / builds; "
	       "marginal: what one more build costs outside docker, between this row and the one above; "
	       "set-up, clean-up (removing the run's images, pruning the builder cache), removal (the "
	       "runner clean-up between builds and at the series' end, a build) and between "
	       "(bench's own work from one build to the next): bench's time split; loop s: "
	       "tests/bench_overhead_loop, one moving tag (removed at the end, then the builder "
	       "cache pruned); peak RSS: VmHWM of the bench process; "
	       "left: bench-run-* images on the engine after bench ended\n");
}

int main(int argc, char **argv)
{
	const char *bench = "./bench", *list = "10,100", *prepare = NULL;
	struct measure m[MAX_SERIES] = {{0}}, vs[MAX_SERIES] = {{0}};
	const char *vs_bench = NULL;
	size_t n = 0, i;
	int nfiles = 1000, maxn = 0;
	bool parts_only = false;
	char *tmp, *repo, *dockerfile, *loop, *copy, *tok, *save = NULL, *p;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--bench") && a + 1 < argc)
			bench = argv[++a];
		else if (!strcmp(argv[a], "--files") && a + 1 < argc)
			nfiles = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--commits") && a + 1 < argc)
			list = argv[++a];
		else if (!strcmp(argv[a], "--parts"))
			parts_only = true;
		else if (!strcmp(argv[a], "--prepare") && a + 1 < argc)
			prepare = argv[++a];
		else if (!strcmp(argv[a], "--vs-bench") && a + 1 < argc)
			vs_bench = argv[++a];
		else {
			fprintf(stderr, "usage: bench_overhead [--bench PATH] [--files F] [--commits N[,N...]] [--parts] [--prepare DIR] [--vs-bench PATH]\n");
			return 2;
		}
	}
	copy = xstrdup(list);
	for (p = copy; (tok = strtok_r(p, ",", &save)) && n < MAX_SERIES; p = NULL) {
		m[n].n = atoi(tok);
		if (m[n].n < 1 || nfiles < 10) {
			fprintf(stderr, "bench_overhead: bad --commits '%s' or --files %d\n", list, nfiles);
			return 2;
		}
		if (m[n].n > maxn)
			maxn = m[n].n;
		n++;
	}
	free(copy);

	if (prepare && (path_exists(prepare) || mkdir_p(prepare) < 0)) {
		fprintf(stderr, "bench_overhead: --prepare %s: give a folder that does not exist\n", prepare);
		return 2;
	}
	tmp = prepare ? path_absolute(prepare) : fixture_tmpdir();
	repo = path_join(tmp, "repo.git");
	dockerfile = path_join(tmp, "Dockerfile");
	loop = path_absolute("tests/bench_overhead_loop");
	bench = path_absolute(bench);
	{
		monotime t0 = monotime_now();
		make_repo(repo, nfiles, maxn);
		printf("repository: %d files, %d commits, made in %.1f s\n", nfiles, maxn + 1,
		       monotime_seconds_since(t0));
	}
	print_parts(tmp, repo, nfiles, maxn);
	if (write_file_atomic(dockerfile, "FROM bench/busybox:latest\nCOPY app/ /app/\n", 42) < 0) {
		fprintf(stderr, "bench_overhead: %s\n", bench_error_last());
		return 1;
	}
	if (prepare) {
		prepare_commands(tmp, bench, loop, repo, dockerfile, m, n);
		parts_only = true;
	}
	for (i = 0; i < n && !parts_only; i++) {
		measure_bench(&m[i], bench, tmp, repo, dockerfile, "bench");
		if (vs_bench) {
			vs[i].n = m[i].n;
			measure_bench(&vs[i], vs_bench, tmp, repo, dockerfile, "vs");
		}
		measure_loop(&m[i], loop, tmp, repo, dockerfile);
		printf("N=%d: bench %.2f s (docker %.2f s), loop %.2f s, bench/loop %.2f", m[i].n, m[i].bench_s,
		       m[i].docker_s, m[i].loop_s, m[i].bench_s / m[i].loop_s);
		if (vs_bench)
			printf(", --vs-bench %.2f s (docker %.2f s)", vs[i].bench_s, vs[i].docker_s);
		printf("\n");
		fflush(stdout);
		vs[i].loop_s = m[i].loop_s;
	}
	if (!parts_only)
		print_table(m, n, nfiles);
	if (!parts_only && vs_bench) {
		printf("\nthe same with --vs-bench %s:", vs_bench);
		print_table(vs, n, nfiles);
		for (i = 0; i < n; i++)
			printf("N=%d: bench / vs-bench %.2f; outside docker %.2f\n", m[i].n,
			       m[i].bench_s / vs[i].bench_s,
			       (m[i].bench_s - m[i].docker_s) / (vs[i].bench_s - vs[i].docker_s));
	}
	if (!prepare)
		fixture_rmtree(tmp);
	free(tmp);
	free(repo);
	free(dockerfile);
	free(loop);
	free((char *)bench);
	return 0;
}
