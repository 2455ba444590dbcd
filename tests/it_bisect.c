/*
 * it_bisect.c: integration tests of `bench bisect` on the real engine, on
 * the bisect fixture repository (tests/mkfixture --bisect, made by `make
 * fixtures`): 15 commits whose 11th, "build: copy the sources first",
 * moves `COPY . /app` before the dependency install. Over the last 12
 * commits bisect must name exactly that commit in 6 probes (the good end,
 * the bad end, then 4: ceil(log2 12)); over a range before it, say there is
 * no bad commit after 2. Busybox images, a persistent runner, about a minute.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ittest.h"
#include "lib/jsonx.h"
#include "repo/replay.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("it-bisect")

#define CULPRIT_SUBJECT "build: copy the sources first, a simpler Dockerfile"


/* The bisect fixture: beside the tiny one. Caller frees. */
static char *bisect_repo(void)
{
	char *tiny = it_fixture_repo(), *dir = path_dirname(tiny), *repo = path_join(dir, "bisect");
	free(tiny);
	free(dir);
	return repo;
}

/* The id of the fixture's commit with that subject (among the last 15). */
static void commit_with_subject(char out[41], const char *subject)
{
	struct replay *r = NULL;
	struct commit_info *c = NULL;
	char *repo = bisect_repo();
	size_t n = 0, i;

	out[0] = '\0';
	assert_int_equal(replay_open(&r, repo), 0);
	assert_int_equal(replay_resolve(&c, &n, r, "last:15"), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(c[i].subject, subject))
			memcpy(out, c[i].id, 41);
	commit_info_array_free(c, n);
	replay_free(r);
	free(repo);
	assert_true(out[0] != '\0');
}

static char *write_scenario(const char *commits)
{
	char *repo = bisect_repo(), *path = xasprintf("%s/bisect.ini", tmp);
	char *text = xasprintf("[scenario]\nname = bisect-it\nrepo = %s\ncommits = %s\ntimeout = 5m\n\n"
			       "[variant app]\ndockerfile = repo:Dockerfile\ncache = none\nrunner = persistent\n",
			       repo, commits);
	it_write_text(path, text);
	free(text);
	free(repo);
	return path;
}


/* Run bench bisect on scenario into results/NAME; its bisect.json. */
static json_t *bisect(int *status, char **out, char **err, const char *scenario, const char *name)
{
	char *results = xasprintf("%s/%s", tmp, name), *dir;
	const char *args[] = {"bisect", scenario, "--results", results, NULL};
	json_t *record = NULL;

	*status = it_bench(out, err, args);
	if ((dir = it_only_child(results))) {
		char *path = path_join(dir, "bisect.json");
		record = json_load_file(path, 0, NULL);
		free(path);
	}
	if (!record)
		fail_msg("no bisect.json; bench exited %d\nstdout:\n%s\nstderr:\n%s", *status, *out ? *out : "",
			 *err ? *err : "");
	free(results);
	free(dir);
	return record;
}

static void test_finds_the_culprit(void **state)
{
	char culprit[41], *out = NULL, *err = NULL, *scenario = write_scenario("last:12"), *line;
	int status;
	json_t *b, *c, *steps;
	(void)state;

	commit_with_subject(culprit, CULPRIT_SUBJECT);
	b = bisect(&status, &out, &err, scenario, "found");
	if (status != 0)
		fail_msg("bench bisect exited %d\nstdout:\n%s\nstderr:\n%s", status, out, err);
	assert_string_equal(json_str(b, "state"), "found");
	c = json_object_get(b, "culprit");
	assert_string_equal(json_str(c, "commit"), culprit);
	/* the good end, the bad end, then ceil(log2 12) = 4 */
	assert_int_equal(json_num(b, "probe_count", 0), 6);
	assert_int_equal(json_array_size(json_object_get(b, "probes")), 6);
	line = xasprintf("first bad commit: %s %s", culprit, CULPRIT_SUBJECT);
	assert_non_null(strstr(out, line));
	free(line);
	assert_non_null(strstr(out, "found in 6 probes for 12 commits"));
	/* what it changed, and which Dockerfile lines lost their cache */
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "changed"), 0)), "Dockerfile");
	assert_true(json_num(c, "cached_steps", -1) < json_num(c, "good_cached_steps", -1));
	steps = json_object_get(c, "broken_steps");
	assert_int_equal(json_array_size(steps), 2);
	assert_string_equal(json_str(json_array_get(steps, 0), "step"), "COPY deps.txt /deps.txt");
	assert_int_equal(json_num(json_array_get(steps, 0), "line", 0), 3);
	assert_string_equal(json_str(json_array_get(steps, 1), "step"), "RUN cat /deps.txt > /deps.installed");
	assert_int_equal(json_num(json_array_get(steps, 1), "line", 0), 4);
	assert_non_null(strstr(out, "Dockerfile:4  RUN cat /deps.txt > /deps.installed"));
	assert_non_null(strstr(out, "page: "));
	/* bench report reads the folder back */
	{
		char *results = xasprintf("%s/found", tmp), *dir = it_only_child(results), *md = NULL, *e = NULL;
		const char *args[] = {"report", dir, "--format", "markdown", NULL};
		assert_int_equal(it_bench(&md, &e, args), 0);
		assert_non_null(strstr(md, "**Found** (metric cached_steps)"));
		assert_non_null(strstr(md, "| Dockerfile:3 | COPY deps.txt /deps.txt |"));
		free(md);
		free(e);
		free(dir);
		free(results);
	}
	json_decref(b);
	free(out);
	free(err);
	free(scenario);
}

static void test_no_bad_commit(void **state)
{
	/* HEAD~12..HEAD~5: commits 4 to 10, before the culprit */
	char *out = NULL, *err = NULL, *scenario = write_scenario("HEAD~12..HEAD~5");
	int status;
	json_t *b;
	(void)state;

	b = bisect(&status, &out, &err, scenario, "none");
	if (status != 0)
		fail_msg("bench bisect exited %d\nstdout:\n%s\nstderr:\n%s", status, out, err);
	assert_string_equal(json_str(b, "state"), "none");
	assert_int_equal(json_num(b, "probe_count", 0), 2);
	assert_null(json_object_get(b, "culprit"));
	assert_non_null(strstr(out, "no bad commit: no commit of the range broke the cache"));
	json_decref(b);
	free(out);
	free(err);
	free(scenario);
}

static void test_usage_errors(void **state)
{
	char *out = NULL, *err = NULL, *scenario = write_scenario("last:12");
	const char *sample[] = {"bisect", scenario, "--commits", "sample:3 last:12", NULL};
	const char *variant[] = {"bisect", scenario, "--variant", "nope", NULL};
	(void)state;

	assert_int_equal(it_bench(&out, &err, sample), 2);
	assert_non_null(strstr(err, "bisect needs every commit of the chain"));
	free(out);
	free(err);
	assert_int_equal(it_bench(&out, &err, variant), 2);
	assert_non_null(strstr(err, "no variant 'nope'"));
	free(out);
	free(err);
	free(scenario);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_the_culprit),
		cmocka_unit_test(test_no_bad_commit),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
