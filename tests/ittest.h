/*
 * ittest.h: helpers shared by the integration tests (tests/it_*.c), which
 * run the real `bench` binary against the real docker engine.
 *
 * Header-only (every function is static), so a test simply does
 *   #include <cmocka.h>
 *   #include "ittest.h"
 * and the Makefile never mistakes it for a test program. <cmocka.h> must
 * come first: the helpers that say so fail the test through cmocka.
 *
 * `make integration` sets $BENCH_BIN (the bench to run) and $BENCH_FIXTURES
 * (the tiny fixture repository made by tests/mkfixture); without them the
 * tests fall back to ./bench and build/fixtures/tiny.
 */
#ifndef BENCH_TESTS_ITTEST_H
#define BENCH_TESTS_ITTEST_H

#ifndef assert_int_equal
#error "include <cmocka.h> before ittest.h"
#endif

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/proc.h"
#include "lib/util.h"

#define IT_API static __attribute__((unused))

/* The bench binary under test: $BENCH_BIN, else ./bench. */
IT_API const char *it_bench_bin(void)
{
	const char *b = getenv("BENCH_BIN");
	return b && *b ? b : "./bench";
}

/* The tiny fixture repository, absolute: $BENCH_FIXTURES, else
 * build/fixtures/tiny. Caller frees. */
IT_API char *it_fixture_repo(void)
{
	const char *f = getenv("BENCH_FIXTURES");
	return path_absolute(f && *f ? f : "build/fixtures/tiny");
}

/* Write text to path (atomically); fails the test when it cannot. */
IT_API void it_write_text(const char *path, const char *text)
{
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
}

/* A copy of text with every `key` replaced by `value`. Caller frees. */
IT_API char *it_subst(const char *text, const char *key, const char *value)
{
	struct strbuf sb = {0};
	const char *p, *hit;
	size_t klen = strlen(key);

	for (p = text; (hit = strstr(p, key)); p = hit + klen) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_puts(&sb, value);
	}
	strbuf_puts(&sb, p);
	return strbuf_detach(&sb);
}

/*
 * Write a scenario file replaying `commits` of the tiny fixture repository:
 *   [scenario]
 *   name = NAME
 *   repo = (the fixture repository)
 *   commits = COMMITS
 *   timeout = TIMEOUT
 * followed by `rest` as it is (more [scenario] keys, the variants).
 */
IT_API void it_write_scenario(const char *path, const char *name, const char *commits,
			      const char *timeout, const char *rest)
{
	char *repo = it_fixture_repo();
	char *text = xasprintf("[scenario]\nname = %s\nrepo = %s\ncommits = %s\ntimeout = %s\n%s",
			       name, repo, commits, timeout, rest);

	it_write_text(path, text);
	free(text);
	free(repo);
}

/* argv (empty) gets prog and then args (NULL-terminated). */
IT_API void it_argv(struct strvec *argv, const char *prog, const char *const *args)
{
	strvec_push(argv, prog);
	for (; *args; args++)
		strvec_push(argv, *args);
}

/* Run `prog args...` through proc_capture with its timeout: proc_capture's
 * result, the exit status in *status, stdout and stderr in *out and *err
 * (err may be NULL; caller frees). */
IT_API int it_capture(char **out, char **err, int *status, const char *prog,
		      const char *const *args, double timeout_seconds)
{
	struct strvec argv = {0};
	int rc;

	it_argv(&argv, prog, args);
	rc = proc_capture(out, err, status, strvec_argv(&argv), timeout_seconds);
	strvec_release(&argv);
	return rc;
}

/* Run `bench args...` (at most 15 minutes): its exit status. The test fails
 * when bench could not be run or was killed by the timeout. */
IT_API int it_bench(char **out, char **err, const char *const *args)
{
	int status = -1;

	assert_int_equal(it_capture(out, err, &status, it_bench_bin(), args, 900), 0);
	return status;
}

/* The one folder under results (a `bench run --results` base), as `ls`
 * names it first; NULL when there is none. Caller frees. */
IT_API char *it_only_child(const char *results)
{
	const char *ls[] = {"ls", results, NULL};
	char *list = NULL, *dir = NULL;
	int st = 0;

	if (proc_capture(&list, NULL, &st, ls, 10) == 0 && list && *list) {
		list[strcspn(list, "\n")] = '\0';
		dir = path_join(results, list);
	}
	free(list);
	return dir;
}

/* DIR/run.json as parsed (new reference), NULL when it is missing or does
 * not parse; jerr (may be NULL) says why. Checking it is the caller's. */
IT_API json_t *it_load_run(const char *dir, json_error_t *jerr)
{
	char *path = path_join(dir, "run.json");
	json_t *run = json_load_file(path, 0, jerr);

	free(path);
	return run;
}

/* A build record's string member, "" when absent. */
IT_API const char *it_str(json_t *b, const char *key)
{
	const char *s = json_string_value(json_object_get(b, key));
	return s ? s : "";
}

/* A build record's integer member, 0 when absent. */
IT_API long long it_num(json_t *b, const char *key)
{
	return json_integer_value(json_object_get(b, key));
}

/* Take the engine lock every `bench run` takes ($TMPDIR/bench-engine.lock,
 * flock LOCK_EX, waiting for it), so that no bench run prunes the daemon's
 * build cache under the test. Returns the fd; close it to let go. */
IT_API int it_lock_engine(void)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = path_join(dir, "bench-engine.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	free(path);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	return fd;
}

/*
 * One bench run per test group (a cmocka group setup and teardown): a
 * fresh folder, `bench ARGS... --results FOLDER/results` run once there,
 * and what it made, for every test of the group to look at. The group owns
 * the folder and everything below; it_group_release removes them.
 */
struct it_group {
	char *tmp;     /* /tmp/NAME-XXXXXX: the group's folder */
	char *results; /* tmp/results: the --results base */
	char *dir;     /* the one folder bench made there, or NULL */
	json_t *run;   /* dir's run.json (a sweep's folder has none), or NULL */
	int status;    /* bench's exit status */
	char *out, *err;
};

/* g's folder, /tmp/NAME-XXXXXX, made before the run so that the group can
 * write its scenario there first. 0, or -1 (the group's setup fails). */
IT_API int it_group_init(struct it_group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	g->tmp = xasprintf("/tmp/%s-XXXXXX", name);
	if (!mkdtemp(g->tmp))
		return -1;
	g->results = path_join(g->tmp, "results");
	return 0;
}

/* Run `bench args... --results g->results` (args NULL-terminated) and load
 * what it made. A run that failed is kept for the tests to report. */
IT_API void it_group_run(struct it_group *g, const char *const *args)
{
	const char **argv;
	size_t n = 0, i;

	while (args[n])
		n++;
	argv = xcalloc(n + 3, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = args[i];
	argv[n] = "--results";
	argv[n + 1] = g->results;
	g->status = it_bench(&g->out, &g->err, argv);
	if ((g->dir = it_only_child(g->results)))
		g->run = it_load_run(g->dir, NULL);
	free(argv);
}

IT_API void it_group_release(struct it_group *g)
{
	json_decref(g->run);
	if (g->tmp)
		rm_rf(g->tmp);
	free(g->tmp);
	free(g->results);
	free(g->dir);
	free(g->out);
	free(g->err);
	memset(g, 0, sizeof(*g));
}

#endif
