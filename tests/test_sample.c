/* test_sample.c: unit tests for `commits = sample:N RANGE` (replay.c), the
 * first parent each commit records and replay_read_file, on a linear history
 * of 10 commits built by tests/gitfixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gitfixture.h"

#include "lib/error.h"
#include "repo/replay.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

#define NCOMMITS 10

struct world {
	char *tmp, *dir;
	struct fixture_id c[NCOMMITS]; /* c[0] is the root */
	struct replay *r;
};

static int setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	git_repository *repo;
	int i;

	w->tmp = fixture_tmpdir();
	w->dir = path_join(w->tmp, "repo");
	repo = fixture_repo_init(w->dir);
	for (i = 0; i < NCOMMITS; i++) {
		char *body = xasprintf("version %d\n", i), *subject = xasprintf("commit %d", i);
		struct fixture_file f[] = {{"app.txt", body, 0},
					   {i == 4 ? "Dockerfile" : NULL, "FROM scratch\n", 0},
					   {NULL, NULL, 0}};
		w->c[i] = fixture_commit(repo, subject, f);
		free(body);
		free(subject);
	}
	fixture_repo_free(repo);
	assert_int_equal(replay_open(&w->r, w->dir), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	replay_free(w->r);
	fixture_rmtree(w->tmp);
	free(w->dir);
	free(w->tmp);
	free(w);
	return 0;
}

/* spec resolves to the commits c[want[0]], c[want[1]], ... (n of them). */
static void expect_sample(struct world *w, const char *spec, const int *want, size_t n)
{
	struct commit_info *c = NULL;
	size_t count = 0, i;

	if (replay_resolve(&c, &count, w->r, spec) != 0)
		fail_msg("'%s': %s", spec, bench_error_last());
	assert_int_equal(count, n);
	for (i = 0; i < n; i++)
		if (strcmp(c[i].id, w->c[want[i]].hex))
			fail_msg("'%s': commit %zu is '%s', expected commit %d", spec, i, c[i].subject, want[i]);
	commit_info_array_free(c, count);
}

static void expect_error(struct world *w, const char *spec, int code, const char *words)
{
	struct commit_info *c = NULL;
	size_t count = 0;

	if (replay_resolve(&c, &count, w->r, spec) != code)
		fail_msg("'%s': not error %d (%s)", spec, code, bench_error_last());
	assert_null(c);
	if (!strstr(bench_error_last(), words))
		fail_msg("'%s': message '%s' lacks '%s'", spec, bench_error_last(), words);
}

static void test_sample_spreads_evenly(void **state)
{
	struct world *w = *state;
	char *range = xasprintf("sample:4 %s..%s", w->c[0].hex, w->c[9].hex);
	static const int four_of_nine[] = {1, 4, 6, 9}; /* round(i * 8 / 3) + 1 */
	static const int two[] = {1, 9};
	static const int all[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const int last[] = {4, 6, 7, 9}; /* last:6 = c4..c9, round(i * 5 / 3) */

	expect_sample(w, range, four_of_nine, 4);
	free(range);
	range = xasprintf("  sample:2   %s..HEAD ", w->c[0].hex);
	expect_sample(w, range, two, 2);
	free(range);
	range = xasprintf("sample:9 %s..HEAD", w->c[0].hex);
	expect_sample(w, range, all, 9);
	free(range);
	expect_sample(w, "sample:4 last:6", last, 4);
}

static void test_sample_errors(void **state)
{
	struct world *w = *state;
	char *range = xasprintf("sample:5 %s..%s", w->c[5].hex, w->c[9].hex);

	expect_error(w, range, BENCH_EINVALID, "has 4 commits, fewer than the 5 to sample");
	free(range);
	expect_error(w, "sample:1 last:3", BENCH_EINVALID, "at least 2");
	expect_error(w, "sample:x last:3", BENCH_EINVALID, "expected 'sample:N A..B'");
	expect_error(w, "sample:3", BENCH_EINVALID, "expected 'sample:N A..B'");
	expect_error(w, "sample:3 HEAD", BENCH_EINVALID, "takes a range");
	expect_error(w, "sample:12 last:20", BENCH_EINVALID, "has only 10 commits (first-parent history)");
	expect_error(w, "sample:12 last:10", BENCH_EINVALID, "has 10 commits, fewer than the 12");
	expect_error(w, "sample:3 nope..HEAD", BENCH_ENOTFOUND, "'nope' not found");
}

static void test_parent_recorded(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0, i;

	assert_int_equal(replay_resolve(&c, &n, w->r, "last:10"), 0);
	assert_int_equal(n, NCOMMITS);
	assert_string_equal(c[0].parent, "");
	for (i = 1; i < n; i++)
		assert_string_equal(c[i].parent, w->c[i - 1].hex);
	commit_info_array_free(c, n);
}

static void test_read_file(void **state)
{
	struct world *w = *state;
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(replay_read_file(&text, &len, w->r, w->c[3].hex, "app.txt"), 0);
	assert_string_equal(text, "version 3\n");
	assert_int_equal(len, 10);
	free(text);
	assert_int_equal(replay_read_file(&text, &len, w->r, w->c[3].hex, "Dockerfile"), BENCH_ENOTFOUND);
	assert_null(text);
	assert_int_equal(replay_read_file(&text, &len, w->r, w->c[5].hex, "./Dockerfile"), 0);
	assert_string_equal(text, "FROM scratch\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_spreads_evenly),
		cmocka_unit_test(test_sample_errors),
		cmocka_unit_test(test_parent_recorded),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
