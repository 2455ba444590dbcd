/*
 * test_refuse.c: bad input refused before anything runs. Each case runs the
 * bench executable next to this test (BUILD/bench) on a scenario written
 * for it, in a TMPDIR of its own, and checks that bench exits 2, names the
 * file:line (or the flag) in its message, and leaves nothing in TMPDIR nor
 * a results folder. Most cases are dry runs, which never touch the engine;
 * the run cases stop before the engine is asked anything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/proc.h"
#include "lib/util.h"
#include "gitfixture.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("refuse")

static char bench[PATH_MAX];
static char *repo;     /* a 5-commit repository */
static char *dockerfile; /* a Dockerfile next to the scenarios */

struct out {
	struct strbuf text;
};

static int keep(void *ctx, const char *buf, size_t len)
{
	strbuf_add(&((struct out *)ctx)->text, buf, len);
	return 0;
}

/* The entries of dir (not . and ..). */
static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Run bench with args (NULL-terminated) in tmp/case with TMPDIR tmp/case/tmp;
 * expect exit status 2, stderr holding `want`, and nothing left behind:
 * TMPDIR empty, no results folder. */
static void refused(const char *name, const char *scenario, const char *want, ...)
{
	char *dir = path_join(tmp, name), *tmpdir = path_join(dir, "tmp"), *ini = path_join(dir, "s.ini");
	char *env_tmp = xasprintf("TMPDIR=%s", tmpdir), *results = path_join(dir, "results");
	const char *argv[16] = {bench};
	const char *env[] = {env_tmp, NULL};
	struct out err = {{0}};
	struct proc p = {.argv = argv, .env = env, .dir = dir, .timeout_seconds = 60, .on_stderr = keep,
			 .ctx = &err};
	size_t n = 1;
	const char *a;
	va_list ap;

	assert_int_equal(mkdir_p(tmpdir), 0);
	assert_int_equal(write_file_atomic(ini, scenario, strlen(scenario)), 0);
	va_start(ap, want);
	while ((a = va_arg(ap, const char *)) && n < 14)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "s.ini";
	argv[n] = NULL;
	assert_int_equal(proc_run(&p), 0);
	if (p.exit_code != 2 || !err.text.buf || !strstr(err.text.buf, want))
		fprintf(stderr, "%s: exit %d, stderr:\n%s\nwanted: %s\n", name, p.exit_code,
			err.text.buf ? err.text.buf : "", want);
	assert_int_equal(p.exit_code, 2);
	assert_non_null(err.text.buf);
	assert_non_null(strstr(err.text.buf, want));
	assert_int_equal(entries(tmpdir), 0); /* no /tmp/bench-dry-run-PID, no checkout */
	assert_false(path_exists(results));
	strbuf_release(&err.text);
	free(dir);
	free(tmpdir);
	free(ini);
	free(env_tmp);
	free(results);
}

/* A scenario of the fixture repository with commits = `commits`. */
static char *scenario(const char *commits, const char *extra)
{
	return xasprintf("[scenario]\nname = refuse\nrepo = %s\ncommits = %s\n%s\n[variant v]\ndockerfile = %s\n",
			 repo, commits, extra, dockerfile);
}

static void test_commit_range_dry_run(void **state)
{
	char *s = scenario("deadbeef..HEAD", "");
	(void)state;
	refused("range", s, "s.ini:4: revision 'deadbeef' not found", "run", "--dry-run", NULL);
	free(s);
}

static void test_last_beyond_history(void **state)
{
	char *s = scenario("last:500", "");
	(void)state;
	refused("last", s, "s.ini:4: commit range 'last:500': HEAD of", "run", "--dry-run", NULL);
	refused("last-msg", s, "has only 5 commits", "run", "--dry-run", NULL);
	/* a real run stops before any engine, lock or results folder */
	refused("last-run", s, "s.ini:4: commit range 'last:500'", "run", "-q", "--results", "results", NULL);
	free(s);
}

static void test_commits_flag(void **state)
{
	char *s = scenario("last:2", "");
	(void)state;
	refused("flag", s, "--commits: revision 'nope' not found", "run", "--dry-run", "--commits", "nope", NULL);
	free(s);
}

static void test_gate_baseline_first(void **state)
{
	char *s = scenario("last:2", "");
	(void)state;
	refused("gate", s, "--gate: cannot read baseline '/nonexistent/baseline.json'", "run", "--dry-run",
		"--gate", "/nonexistent/baseline.json", NULL);
	refused("gate-run", s, "--gate: cannot read baseline", "run", "-q", "--results", "results", "--gate",
		"/nonexistent/baseline.json", NULL);
	free(s);
}

/* A world's repository is generated for the check, in TMPDIR, and removed */
static void test_world_commits(void **state)
{
	char *s = xasprintf("[scenario]\nname = refuse\ncommits = last:50\n\n[variant v]\ndockerfile = %s\n\n"
			    "[world]\nkind = cafeboo\n", dockerfile);
	(void)state;
	refused("world", s, "s.ini:3: commit range 'last:50': HEAD of 'the world's repository' has only 15 commits",
		"run", "-q", "--results", "results", NULL);
	refused("world-dry", s, "s.ini:3: commit range 'last:50'", "run", "--dry-run", NULL);
	free(s);
}

static void test_absurd_timeout(void **state)
{
	char *s = scenario("last:2", "timeout = 99999999999999h\n");
	(void)state;
	refused("timeout", s, "s.ini:5: 'timeout' must be at most 48h", "run", "--dry-run", NULL);
	free(s);
}

static void test_dockerfile_outside(void **state)
{
	char *s = xasprintf("[scenario]\nname = refuse\nrepo = %s\ncommits = last:2\n\n[variant v]\n"
			    "dockerfile = ../../../../../../../../../../etc/passwd\n", repo);
	char *allowed = xasprintf("[scenario]\nname = refuse\nrepo = %s\ncommits = last:2\nallow_outside = yes\n\n"
				  "[variant v]\ndockerfile = ../../../../../../../../../../etc/passwd\n", repo);
	char *ini = path_join(tmp, "outside/s.ini"), *out = NULL, *err = NULL;
	const char *argv[] = {bench, "run", "--dry-run", ini, NULL};
	int code = -1;
	(void)state;

	refused("outside", s, "s.ini:7: dockerfile '/etc/passwd' is outside the scenario's tree", "run",
		"--dry-run", NULL);
	refused("outside-how", s, "set allow_outside = yes in [scenario]", "run", "--dry-run", NULL);
	/* told so, the dry run goes on */
	assert_int_equal(write_file_atomic(ini, allowed, strlen(allowed)), 0);
	assert_int_equal(proc_capture(&out, &err, &code, argv, 60), 0);
	assert_int_equal(code, 0);
	free(out);
	free(err);
	free(ini);
	free(s);
	free(allowed);
}

static int group_setup(void **state)
{
	struct fixture_file files[] = {{"app.txt", "1\n", 0}, {NULL, NULL, 0}};
	char self[PATH_MAX], *dir;
	git_repository *r;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int i;

	if (setup(state) < 0 || n < 0)
		return -1;
	self[n] = '\0';
	dir = path_dirname(self); /* BUILD/tests */
	snprintf(bench, sizeof(bench), "%s/../bench", dir);
	free(dir);
	repo = path_join(tmp, "repo");
	r = fixture_repo_init(repo);
	for (i = 0; i < 5; i++) {
		char text[8];
		snprintf(text, sizeof(text), "%d\n", i);
		files[0].content = text;
		fixture_commit(r, "commit", files);
	}
	fixture_repo_free(r);
	dockerfile = path_join(tmp, "Dockerfile");
	return write_file_atomic(dockerfile, "FROM scratch\n", 13);
}

static int group_teardown(void **state)
{
	free(repo);
	free(dockerfile);
	return teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_range_dry_run),
		cmocka_unit_test(test_last_beyond_history),
		cmocka_unit_test(test_commits_flag),
		cmocka_unit_test(test_gate_baseline_first),
		cmocka_unit_test(test_world_commits),
		cmocka_unit_test(test_absurd_timeout),
		cmocka_unit_test(test_dockerfile_outside),
	};
	return cmocka_run_group_tests_name("bad input refused before anything runs", tests, group_setup,
					   group_teardown);
}
