/* test_replay.c: unit tests for harness/repo/replay.c on repositories built by
 * tests/gitfixture.h in temporary directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gitfixture.h"

#include "lib/error.h"
#include "repo/checkout.h"
#include "repo/replay.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The shared history (master's first-parent chain is c1 c2 c3 m c5):
 *
 *   c1 -- c2 -- c3 -- m -- c5        master (tag v1 on c1)
 *           \        /
 *            s1 -- s2                side
 */
struct world {
	char *tmp, *dir;
	git_repository *repo;
	struct fixture_id c1, c2, c3, s1, s2, m, c5;
	struct replay *r;
};

static int setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	struct fixture_file f1[] = {
		{"Dockerfile", "FROM scratch\nCOPY . /\n", 0},
		{"app/main.c", "int main(void) { return 0; }\n", 0},
		{"run.sh", "#!/bin/sh\necho hi\n", FIXTURE_EXEC},
		{"link", "run.sh", FIXTURE_LINK},
		{NULL, NULL, 0}};
	struct fixture_file f2[] = {{"app/main.c", "int main(void) { return 1; }\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f3[] = {{"README", "hello\n", 0}, {NULL, NULL, 0}};
	struct fixture_file fs1[] = {{"side.txt", "side\n", 0}, {NULL, NULL, 0}};
	struct fixture_file fs2[] = {{"requirements.txt", "flask\n", 0}, {NULL, NULL, 0}};
	struct fixture_file fm[] = {{"side.txt", "side\n", 0}, {"requirements.txt", "flask\n", 0},
	                            {NULL, NULL, 0}};
	struct fixture_file f5[] = {{"Dockerfile", "FROM busybox\n", 0}, {"README", NULL, 0},
	                            {NULL, NULL, 0}};

	w->tmp = fixture_tmpdir();
	w->dir = path_join(w->tmp, "repo");
	w->repo = fixture_repo_init(w->dir);
	w->c1 = fixture_commit(w->repo, "first commit\n\nwith a body\n", f1);
	fixture_tag(w->repo, "v1", &w->c1);
	w->c2 = fixture_commit(w->repo, "\nsecond  \n", f2);
	fixture_branch(w->repo, "side", &w->c2);
	w->s1 = fixture_commit_on(w->repo, "refs/heads/side", "side one", fs1, NULL, 0);
	w->s2 = fixture_commit_on(w->repo, "refs/heads/side", "side two", fs2, NULL, 0);
	w->c3 = fixture_commit(w->repo, "third", f3);
	w->m = fixture_merge(w->repo, "merge side", &w->s2, fm);
	w->c5 = fixture_commit(w->repo, "fifth", f5);
	assert_int_equal(replay_open(&w->r, w->dir), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	replay_free(w->r);
	fixture_repo_free(w->repo);
	fixture_rmtree(w->tmp);
	free(w->dir);
	free(w->tmp);
	free(w);
	return 0;
}

/* Resolve spec and compare the ids with the expected commits, in order. */
static void expect_commits(struct world *w, const char *spec, const struct fixture_id *const *want,
                           size_t n)
{
	struct commit_info *c = NULL;
	size_t count = 0, i;

	assert_int_equal(replay_resolve(&c, &count, w->r, spec), 0);
	assert_int_equal(count, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(c[i].id, want[i]->hex);
		assert_memory_equal(c[i].short_id, want[i]->hex, 7);
		assert_int_equal(strlen(c[i].short_id), 7);
	}
	commit_info_array_free(c, count);
}

/* Resolve spec, expecting code and a message containing `part`. */
static void expect_error(struct world *w, const char *spec, int code, const char *part)
{
	struct commit_info *c = (struct commit_info *)1;
	size_t count = 99;

	bench_error_clear();
	assert_int_equal(replay_resolve(&c, &count, w->r, spec), code);
	assert_null(c);
	assert_int_equal(count, 0);
	if (!strstr(bench_error_last(), part))
		fail_msg("message '%s' lacks '%s'", bench_error_last(), part);
}

static void test_range_first_parent(void **state)
{
	struct world *w = *state;
	const struct fixture_id *all[] = {&w->c2, &w->c3, &w->m, &w->c5};
	const struct fixture_id *to_m[] = {&w->c3, &w->m};

	expect_commits(w, w->c1.hex, (const struct fixture_id *const[]){&w->c1}, 1);
	expect_commits(w, "v1..HEAD", all, 4);
	expect_commits(w, "  v1..master\n", all, 4);
	expect_commits(w, "side..HEAD~1", to_m, 2);
	{ /* A..B with full hex ids, B on the side branch: only side's own */
		char spec[100];
		snprintf(spec, sizeof(spec), "%s..%s", w->c1.hex, w->s2.hex);
		expect_commits(w, spec, (const struct fixture_id *const[]){&w->c2, &w->s1, &w->s2}, 3);
	}
}

static void test_last_n(void **state)
{
	struct world *w = *state;
	const struct fixture_id *last3[] = {&w->c3, &w->m, &w->c5};
	const struct fixture_id *all[] = {&w->c1, &w->c2, &w->c3, &w->m, &w->c5};

	expect_commits(w, "last:3", last3, 3);
	expect_commits(w, "last:1", last3 + 2, 1);
	expect_commits(w, "last:5", all, 5);
	expect_error(w, "last:100", BENCH_EINVALID, "has only 5 commits (first-parent history); ask for at most last:5");
	expect_error(w, "last:0", BENCH_EINVALID, "invalid commit range 'last:0'");
	expect_error(w, "last:x", BENCH_EINVALID, "positive whole number");
	expect_error(w, "last:", BENCH_EINVALID, "invalid commit range");
	expect_error(w, "last:-2", BENCH_EINVALID, "invalid commit range");
	expect_error(w, "last:3x", BENCH_EINVALID, "invalid commit range");
}

static void test_list_keeps_order(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0;
	char spec[200];

	snprintf(spec, sizeof(spec), "%s\tv1  HEAD~1 %.10s", w->c5.hex, w->s1.hex);
	assert_int_equal(replay_resolve(&c, &n, w->r, spec), 0);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].id, w->c5.hex);
	assert_string_equal(c[1].id, w->c1.hex);
	assert_string_equal(c[2].id, w->m.hex);
	assert_string_equal(c[3].id, w->s1.hex);
	assert_string_equal(c[0].subject, "fifth");
	assert_string_equal(c[1].subject, "first commit");
	commit_info_array_free(c, n);

	assert_int_equal(replay_resolve(&c, &n, w->r, w->c2.hex), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].subject, "second"); /* blank line and trailing spaces gone */
	commit_info_array_free(c, n);
}

static void test_invalid_and_unknown(void **state)
{
	struct world *w = *state;
	char msg[300];

	expect_error(w, "x..", BENCH_EINVALID, "invalid commit range 'x..': ");
	expect_error(w, "..HEAD", BENCH_EINVALID, "invalid commit range '..HEAD': ");
	expect_error(w, "v1...HEAD", BENCH_EINVALID, "invalid commit range 'v1...HEAD': ");
	expect_error(w, "v1..HEAD..side", BENCH_EINVALID, "invalid commit range");
	expect_error(w, "v1..HEAD side", BENCH_EINVALID, "invalid commit range");
	expect_error(w, "", BENCH_EINVALID, "empty commit range");
	expect_error(w, " \n", BENCH_EINVALID, "empty commit range");

	snprintf(msg, sizeof(msg), "revision 'nosuch' not found in '%s'", w->dir);
	expect_error(w, "nosuch", BENCH_ENOTFOUND, msg);
	expect_error(w, "HEAD nosuch", BENCH_ENOTFOUND, msg);
	expect_error(w, "nosuch..HEAD", BENCH_ENOTFOUND, msg);
	expect_error(w, "v1..nosuch", BENCH_ENOTFOUND, msg);
	expect_error(w, "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", BENCH_ENOTFOUND,
	             "revision 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' not found");
	expect_error(w, "HEAD~10", BENCH_ENOTFOUND, "revision 'HEAD~10' not found");
	expect_error(w, "HEAD^{tree}", BENCH_EINVALID, "not a commit");
}

static void test_empty_range(void **state)
{
	struct world *w = *state;
	char spec[100];

	expect_error(w, "HEAD..HEAD", BENCH_EINVALID, "commit range 'HEAD..HEAD' resolves to no commit");
	/* B is an ancestor of A: nothing left */
	snprintf(spec, sizeof(spec), "HEAD..%s", w->c2.hex);
	expect_error(w, spec, BENCH_EINVALID, "resolves to no commit");
}

static void test_not_a_repo(void **state)
{
	struct world *w = *state;
	struct replay *r = (struct replay *)1;
	char *plain = path_join(w->tmp, "plain"), *missing = path_join(w->tmp, "missing");
	char *sub = path_join(w->dir, "app"), *expect;

	assert_int_equal(mkdir_p(plain), 0);
	assert_int_equal(replay_open(&r, plain), BENCH_ENOTFOUND);
	assert_null(r);
	expect = xasprintf("'%s' is not a git repository (git init it, or point 'repo' at one)", plain);
	assert_string_equal(bench_error_last(), expect);
	free(expect);
	assert_int_equal(replay_open(&r, missing), BENCH_ENOTFOUND);
	assert_null(r);
	/* no search upwards: a folder inside a work tree is not a repository */
	assert_int_equal(replay_open(&r, sub), BENCH_ENOTFOUND);
	assert_null(r);
	free(plain);
	free(missing);
	free(sub);
}

static void test_changed_paths(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0;

	assert_int_equal(replay_resolve(&c, &n, w->r, "last:5"), 0);
	assert_int_equal(n, 5);
	/* root commit: every path */
	assert_int_equal(c[0].changed_count, 4);
	assert_string_equal(c[0].changed[0], "Dockerfile");
	assert_string_equal(c[0].changed[1], "app/main.c");
	assert_string_equal(c[0].changed[2], "link");
	assert_string_equal(c[0].changed[3], "run.sh");
	assert_int_equal(c[0].time, FIXTURE_TIME0);
	assert_int_equal(c[1].changed_count, 1);
	assert_string_equal(c[1].changed[0], "app/main.c");
	assert_int_equal(c[1].time, FIXTURE_TIME0 + 60);
	assert_int_equal(c[2].changed_count, 1);
	assert_string_equal(c[2].changed[0], "README");
	/* a merge: against its first parent only */
	assert_string_equal(c[3].subject, "merge side");
	assert_int_equal(c[3].changed_count, 2);
	assert_string_equal(c[3].changed[0], "requirements.txt");
	assert_string_equal(c[3].changed[1], "side.txt");
	/* a deletion counts */
	assert_int_equal(c[4].changed_count, 2);
	assert_string_equal(c[4].changed[0], "Dockerfile");
	assert_string_equal(c[4].changed[1], "README");
	commit_info_array_free(c, n);
}

/* The verdict's history: first parents only, newest `limit` down from a
 * revision, oldest first, each with its changed paths and time. */
static void test_history(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0;

	assert_int_equal(replay_history(&c, &n, w->r, w->c5.hex, 200), 0);
	assert_int_equal(n, 5); /* c1 c2 c3 m c5: the side branch is not first-parent */
	assert_string_equal(c[0].id, w->c1.hex);
	assert_string_equal(c[0].parent, "");
	assert_string_equal(c[3].id, w->m.hex);
	assert_int_equal(c[3].changed_count, 2);
	assert_string_equal(c[3].changed[0], "requirements.txt");
	assert_int_equal(c[1].time, FIXTURE_TIME0 + 60);
	assert_int_equal(c[4].changed_prev_count, 0);
	commit_info_array_free(c, n);
	assert_int_equal(replay_history(&c, &n, w->r, "HEAD~1", 2), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].id, w->c3.hex);
	assert_string_equal(c[1].id, w->m.hex);
	commit_info_array_free(c, n);
	assert_int_equal(replay_history(&c, &n, w->r, "no-such-rev", 2), BENCH_ENOTFOUND);
	assert_null(c);
}

/* A list that skips commits: each commit's changes since the one before it
 * in the list, not since its parent (c2 -> m takes in c3's README and the
 * side branch's requirements.txt). */
static void test_changed_since_previous(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0;
	char spec[128];

	snprintf(spec, sizeof(spec), "%s %s %s", w->c1.hex, w->c2.hex, w->m.hex);
	assert_int_equal(replay_resolve(&c, &n, w->r, spec), 0);
	assert_int_equal(n, 3);
	/* the first: its own changes */
	assert_int_equal(c[0].changed_prev_count, c[0].changed_count);
	/* c2 follows its parent: the same as changed */
	assert_int_equal(c[1].changed_prev_count, 1);
	assert_string_equal(c[1].changed_prev[0], "app/main.c");
	/* m skips c3: README (from c3) and the merge's own paths */
	assert_int_equal(c[2].changed_count, 2);
	assert_int_equal(c[2].changed_prev_count, 3);
	assert_string_equal(c[2].changed_prev[0], "README");
	assert_string_equal(c[2].changed_prev[1], "requirements.txt");
	assert_string_equal(c[2].changed_prev[2], "side.txt");
	commit_info_array_free(c, n);

	/* backwards in history: what differs, whichever way */
	snprintf(spec, sizeof(spec), "%s %s", w->c5.hex, w->c1.hex);
	assert_int_equal(replay_resolve(&c, &n, w->r, spec), 0);
	assert_int_equal(c[1].changed_prev_count, 4); /* Dockerfile, app/main.c, requirements.txt, side.txt */
	assert_string_equal(c[1].changed_prev[0], "Dockerfile");
	commit_info_array_free(c, n);
}

static void test_commit_touches(void **state)
{
	struct world *w = *state;
	struct commit_info *c = NULL;
	size_t n = 0;
	const char *const by_base[] = {"Dockerfile", "main.c", NULL};
	const char *const by_path[] = {"app/main.c", NULL};
	const char *const none[] = {"app", "Dockerfile", "c", "ain.c", NULL};
	const char *const empty[] = {NULL};

	assert_int_equal(replay_resolve(&c, &n, w->r, w->c2.hex), 0);
	assert_true(commit_touches(&c[0], by_base));
	assert_true(commit_touches(&c[0], by_path));
	assert_false(commit_touches(&c[0], none));
	assert_false(commit_touches(&c[0], empty));
	commit_info_array_free(c, n);

	assert_int_equal(replay_resolve(&c, &n, w->r, "HEAD~1"), 0);
	{
		const char *const req[] = {"requirements.txt", NULL};
		assert_true(commit_touches(&c[0], req));
	}
	commit_info_array_free(c, n);
}

static void test_has_file(void **state)
{
	struct world *w = *state;
	bool has = false;

	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "run.sh"), 0);
	assert_true(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "./app/main.c"), 0);
	assert_true(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "link"), 0);
	assert_true(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "app"), 0);
	assert_false(has); /* a directory is not a file */
	{
		/* a symlink's blob is its target: never read as the file */
		char *text = NULL;
		size_t len = 0;
		assert_int_equal(replay_read_file(&text, &len, w->r, w->c1.hex, "link"), BENCH_EINVALID);
		assert_null(text);
		assert_non_null(strstr(bench_error_last(), "'link' in commit"));
		assert_non_null(strstr(bench_error_last(), "is a symlink"));
	}
	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "README"), 0);
	assert_false(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c3.hex, "README"), 0);
	assert_true(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c5.hex, "README"), 0);
	assert_false(has);
	assert_int_equal(replay_has_file(&has, w->r, w->c1.hex, "app/nope/x"), 0);
	assert_false(has);
	assert_int_equal(replay_has_file(&has, w->r, "nosuch", "README"), BENCH_ENOTFOUND);
	assert_false(has);
}

/* Read a whole file for comparison; aborts the test when missing. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char *p = *name ? path_join(dir, name) : xstrdup(dir), *data = NULL;
	size_t n = 0;

	if (read_file(&data, &n, p) < 0)
		fail_msg("cannot read '%s': %s", p, bench_error_last());
	free(p);
	if (len)
		*len = n;
	return data;
}

static void check_c1_tree(const char *dest)
{
	char *data, *p, target[64];
	struct stat st;
	ssize_t n;

	data = slurp(dest, "Dockerfile", NULL);
	assert_string_equal(data, "FROM scratch\nCOPY . /\n");
	free(data);
	data = slurp(dest, "app/main.c", NULL);
	assert_string_equal(data, "int main(void) { return 0; }\n");
	free(data);

	p = path_join(dest, "run.sh");
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(st.st_mode & S_IXUSR);
	free(p);
	p = path_join(dest, "Dockerfile");
	assert_int_equal(stat(p, &st), 0);
	assert_false(st.st_mode & S_IXUSR);
	free(p);
	p = path_join(dest, "link");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(p, target, sizeof(target) - 1);
	assert_int_equal(n, 6);
	target[n] = '\0';
	assert_string_equal(target, "run.sh");
	free(p);
	p = path_join(dest, "README");
	assert_false(path_exists(p));
	free(p);
	p = path_join(dest, ".git");
	assert_false(path_exists(p));
	free(p);
}

static void test_checkout_leaves_user_tree_alone(void **state)
{
	struct world *w = *state;
	char *dest = path_join(w->tmp, "out/c1"), *stale, *index_path, *before, *after, *data;
	size_t before_len, after_len, status_before;
	struct fixture_id head_before, head_after;

	/* the user is in the middle of something */
	fixture_write_worktree(w->repo, "Dockerfile", "FROM local-edit\n", 0);
	fixture_write_worktree(w->repo, "untracked.txt", "mine\n", 0);
	status_before = fixture_status_count(w->repo);
	assert_int_equal(status_before, 2);
	index_path = path_join(git_repository_path(w->repo), "index");
	before = slurp(index_path, "", &before_len);
	assert_int_equal(fixture_resolve(&head_before, w->repo, "HEAD"), 0);

	/* dest exists with leftovers: they must go */
	assert_int_equal(mkdir_p(dest), 0);
	stale = path_join(dest, "stale.txt");
	assert_int_equal(write_file_atomic(stale, "x", 1), 0);
	assert_int_equal(replay_checkout(w->r, w->c1.hex, dest), 0);
	assert_false(path_exists(stale));
	check_c1_tree(dest);

	/* again with another commit into the same folder, and by tag name */
	assert_int_equal(replay_checkout(w->r, w->c5.hex, dest), 0);
	data = slurp(dest, "Dockerfile", NULL);
	assert_string_equal(data, "FROM busybox\n");
	free(data);
	data = slurp(dest, "requirements.txt", NULL);
	assert_string_equal(data, "flask\n");
	free(data);
	assert_int_equal(replay_checkout(w->r, "v1", dest), 0);
	check_c1_tree(dest);

	/* the user's work tree, index and HEAD are as they were */
	data = slurp(git_repository_workdir(w->repo), "Dockerfile", NULL);
	assert_string_equal(data, "FROM local-edit\n");
	free(data);
	assert_int_equal(fixture_status_count(w->repo), status_before);
	after = slurp(index_path, "", &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	assert_int_equal(fixture_resolve(&head_after, w->repo, "HEAD"), 0);
	assert_string_equal(head_after.hex, head_before.hex);

	/* never empty a folder that holds the repository */
	bench_error_clear();
	assert_int_equal(replay_checkout(w->r, w->c1.hex, w->dir), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "refusing"));
	assert_int_equal(replay_checkout(w->r, w->c1.hex, w->tmp), BENCH_EINVALID);
	assert_true(path_exists(index_path));
	assert_int_equal(replay_checkout(w->r, "nosuch", dest), BENCH_ENOTFOUND);

	free(before);
	free(after);
	free(index_path);
	free(stale);
	free(dest);
}

/* ---- the incremental tree ---- */

/* One line per entry under dir (recursively, sorted): path, type, and the
 * exec bit and content of a file or the target of a link. */
static void describe(struct strbuf *sb, const char *dir, const char *rel)
{
	char *full = *rel ? path_join(dir, rel) : xstrdup(dir);
	struct dirent **names = NULL;
	int n = scandir(full, &names, NULL, alphasort), i;

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		char *path = path_join(dir, sub), target[256];
		struct stat st;

		if (strcmp(name, ".") && strcmp(name, "..")) {
			assert_int_equal(lstat(path, &st), 0);
			if (S_ISDIR(st.st_mode)) {
				strbuf_printf(sb, "%s/\n", sub);
				describe(sb, dir, sub);
			} else if (S_ISLNK(st.st_mode)) {
				ssize_t len = readlink(path, target, sizeof(target) - 1);
				assert_true(len >= 0);
				target[len] = '\0';
				strbuf_printf(sb, "%s -> %s\n", sub, target);
			} else {
				char *data = slurp(path, "", NULL);
				strbuf_printf(sb, "%s %s [%s]\n", sub, st.st_mode & S_IXUSR ? "x" : "-", data);
				free(data);
			}
		}
		free(path);
		free(sub);
		free(names[i]);
	}
	free(names);
	free(full);
}

static char *tree_text(const char *dir)
{
	struct strbuf sb = {0};
	describe(&sb, dir, "");
	return strbuf_detach(&sb);
}

static void file_identity(const char *dir, const char *rel, struct stat *st)
{
	char *p = path_join(dir, rel);
	assert_int_equal(lstat(p, st), 0);
	free(p);
}

/*
 * A sequence of commits that changes content, modes, symlinks, files into
 * folders and back, and empties folders, replayed in one folder forwards,
 * backwards and by jumps: after each step the folder is exactly what a
 * fresh checkout of that commit writes, and a file no commit touches is
 * never rewritten (same inode, same mtime).
 */
/* A run of several engines: each engine's work tree holds its own commit,
 * whatever the others check out (checkouts_dir_at). */
static void test_tree_per_engine(void **state)
{
	struct world *w = *state;
	struct checkouts co;
	char *work = path_join(w->tmp, "work"), *text = NULL, *path;
	const char *d0 = NULL, *d1 = NULL;

	assert_int_equal(mkdir_p(work), 0);
	assert_int_equal(checkouts_open(&co, work, w->dir, "last:3"), 0); /* c3 m c5 */
	assert_int_equal(co.count, 3);
	assert_int_equal(checkouts_dir_at(&d0, &co, 0, 0), 0);
	assert_int_equal(checkouts_dir_at(&d1, &co, 1, 2), 0);
	assert_string_not_equal(d0, d1);
	path = path_join(d0, "Dockerfile");
	assert_int_equal(read_file(&text, NULL, path), 0);
	assert_string_equal(text, "FROM scratch\nCOPY . /\n"); /* c3, though tree 1 holds c5 */
	free(text);
	free(path);
	path = path_join(d0, "README");
	assert_true(path_exists(path));
	free(path);
	path = path_join(d1, "Dockerfile");
	assert_int_equal(read_file(&text, NULL, path), 0);
	assert_string_equal(text, "FROM busybox\n");
	free(text);
	free(path);
	path = path_join(d1, "README");
	assert_false(path_exists(path));
	free(path);
	/* tree 0 moves on by itself */
	assert_int_equal(checkouts_dir_at(&d0, &co, 0, 2), 0);
	path = path_join(d0, "README");
	assert_false(path_exists(path));
	free(path);
	checkouts_release(&co);
	free(work);
}

/* reverts_prev: a commit that brings back, as it was two commits before, a
 * path the commit before it changed (a dependency bump and its revert; a
 * file added and removed again); in the resolved list's order. */
static void test_reverts_previous(void **state)
{
	struct world *w = *state;
	char *dir = path_join(w->tmp, "revert-repo");
	git_repository *repo = fixture_repo_init(dir);
	struct fixture_file f1[] = {{"deps.txt", "v1\n", 0}, {"main.sh", "1\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f2[] = {{"deps.txt", "v2\n", 0}, {"main.sh", "2\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f3[] = {{"deps.txt", "v1\n", 0}, {"main.sh", "3\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f4[] = {{"main.sh", "4\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f5[] = {{"extra.txt", "x\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f6[] = {{"extra.txt", NULL, 0}, {NULL, NULL, 0}};
	struct fixture_id t[6];
	struct commit_info *c = NULL;
	struct replay *r = NULL;
	size_t n = 0;
	char *spec;
	(void)state;

	t[0] = fixture_commit(repo, "r1", f1);
	t[1] = fixture_commit(repo, "r2: bump", f2);
	t[2] = fixture_commit(repo, "r3: revert the bump", f3);
	t[3] = fixture_commit(repo, "r4: code", f4);
	t[4] = fixture_commit(repo, "r5: add a file", f5);
	t[5] = fixture_commit(repo, "r6: remove it", f6);
	assert_int_equal(replay_open(&r, dir), 0);
	assert_int_equal(replay_resolve(&c, &n, r, "last:6"), 0);
	assert_int_equal(n, 6);
	assert_false(c[0].reverts_prev);
	assert_false(c[1].reverts_prev);
	assert_true(c[2].reverts_prev);  /* deps.txt back to v1 */
	assert_false(c[3].reverts_prev); /* main.sh 4, not 2; deps.txt v1, not v2 */
	assert_false(c[4].reverts_prev);
	assert_true(c[5].reverts_prev);  /* extra.txt absent again, as at r4 */
	commit_info_array_free(c, n);
	/* a list that skips commits: r2 r4 r5 (r4 changed deps.txt back since r2,
	 * in neither of its neighbours' way), then r1 r2 r3 out of order */
	spec = xasprintf("%s %s %s", t[1].hex, t[3].hex, t[4].hex);
	assert_int_equal(replay_resolve(&c, &n, r, spec), 0);
	assert_false(c[2].reverts_prev); /* r5 against r2 on what r4 changed: deps.txt v1 != v2, main.sh 4 != 2 */
	commit_info_array_free(c, n);
	free(spec);
	spec = xasprintf("%s %s %s", t[0].hex, t[1].hex, t[2].hex);
	assert_int_equal(replay_resolve(&c, &n, r, spec), 0);
	assert_true(c[2].reverts_prev);
	commit_info_array_free(c, n);
	free(spec);
	replay_free(r);
	fixture_repo_free(repo);
	free(dir);
}

static void test_incremental_tree(void **state)
{
	struct world *w = *state;
	char *dir = path_join(w->tmp, "incr-repo"), *inc = path_join(w->tmp, "incr"),
	     *fresh = path_join(w->tmp, "fresh");
	git_repository *repo = fixture_repo_init(dir);
	struct fixture_file f1[] = {
		{"a.txt", "a1\n", 0}, {"dir/b.txt", "b\n", 0}, {"dir/sub/c.txt", "c\n", 0},
		{"run.sh", "#!/bin/sh\n", 0}, {"link", "a.txt", FIXTURE_LINK}, {"x", "x is a file\n", 0},
		{"keep/k.txt", "never changes\n", 0}, {"y/z.txt", "z\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f2[] = {
		{"a.txt", "a2\n", 0}, {"run.sh", "#!/bin/sh\n", FIXTURE_EXEC},
		{"link", "dir/b.txt", FIXTURE_LINK}, {"dir/sub/c.txt", NULL, 0},
		{"x", NULL, 0}, {"x/inner.txt", "x is a folder\n", 0},
		{"new/deep/file.txt", "deep\n", 0}, {NULL, NULL, 0}};
	struct fixture_file f3[] = {
		{"y/z.txt", NULL, 0}, {"y", "y is a file\n", 0}, {"link", "now a file\n", 0},
		{"a.txt", "keep/k.txt", FIXTURE_LINK}, {"new/deep/file.txt", NULL, 0}, {NULL, NULL, 0}};
	struct fixture_file f4[] = {{NULL, NULL, 0}}; /* the same tree as t3 */
	struct fixture_id t[4];
	const int order[] = {0, 1, 2, 3, 0, 2, 1, 3, 0, 1};
	struct replay *r = NULL;
	struct replay_tree *tree = NULL;
	struct stat keep0, keep;
	size_t i;

	t[0] = fixture_commit(repo, "t1", f1);
	t[1] = fixture_commit(repo, "t2", f2);
	t[2] = fixture_commit(repo, "t3", f3);
	t[3] = fixture_commit(repo, "t4", f4);
	assert_int_equal(replay_open(&r, dir), 0);
	assert_int_equal(replay_tree_new(&tree, r, inc), 0);
	assert_non_null(strstr(replay_tree_path(tree), "/incr"));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char *want, *got;

		assert_int_equal(replay_tree_checkout(tree, t[order[i]].hex), 0);
		assert_int_equal(replay_checkout(r, t[order[i]].hex, fresh), 0);
		want = tree_text(fresh);
		got = tree_text(inc);
		if (strcmp(want, got))
			fail_msg("step %zu (t%d): the incremental tree differs from a fresh checkout\n"
				 "fresh:\n%s\nincremental:\n%s", i, order[i] + 1, want, got);
		free(want);
		free(got);
		file_identity(inc, "keep/k.txt", &keep);
		if (i == 0)
			keep0 = keep;
		assert_int_equal(keep.st_ino, keep0.st_ino);
		assert_int_equal(keep.st_mtim.tv_sec, keep0.st_mtim.tv_sec);
		assert_int_equal(keep.st_mtim.tv_nsec, keep0.st_mtim.tv_nsec);
	}
	/* what t2 made and t3 removed is gone with its folders */
	{
		char *deep = path_join(inc, "new");
		assert_int_equal(replay_tree_checkout(tree, t[2].hex), 0);
		assert_false(path_exists(deep));
		free(deep);
	}
	/* a new tree object starts from scratch: leftovers go */
	replay_tree_free(tree);
	{
		char *stale = path_join(inc, "stale.txt"), *want, *got;
		assert_int_equal(write_file_atomic(stale, "x", 1), 0);
		assert_int_equal(replay_tree_new(&tree, r, inc), 0);
		assert_int_equal(replay_tree_checkout(tree, t[0].hex), 0);
		assert_false(path_exists(stale));
		assert_int_equal(replay_checkout(r, t[0].hex, fresh), 0);
		want = tree_text(fresh);
		got = tree_text(inc);
		assert_string_equal(got, want);
		free(want);
		free(got);
		free(stale);
	}
	/* an unknown commit fails and leaves the tree as it was */
	assert_int_equal(replay_tree_checkout(tree, "nosuch"), BENCH_ENOTFOUND);
	assert_int_equal(replay_tree_checkout(tree, t[1].hex), 0);
	replay_tree_free(tree);
	tree = NULL;

	/* never a folder that holds the repository */
	assert_int_equal(replay_tree_new(&tree, r, dir), BENCH_EINVALID);
	assert_null(tree);
	assert_non_null(strstr(bench_error_last(), "refusing"));

	replay_free(r);
	fixture_repo_free(repo);
	free(dir);
	free(inc);
	free(fresh);
}

static void test_bare_repository(void **state)
{
	struct world *w = *state;
	char *bare = path_join(w->tmp, "bare.git"), *dest = path_join(w->tmp, "bare-out");
	git_repository *repo = fixture_repo_init_bare(bare);
	struct fixture_file f1[] = {
		{"Dockerfile", "FROM scratch\nCOPY . /\n", 0},
		{"app/main.c", "int main(void) { return 0; }\n", 0},
		{"run.sh", "#!/bin/sh\necho hi\n", FIXTURE_EXEC},
		{"link", "run.sh", FIXTURE_LINK},
		{NULL, NULL, 0}};
	struct fixture_file f2[] = {{"Dockerfile", "FROM alpine\n", 0}, {NULL, NULL, 0}};
	struct fixture_id b1 = fixture_commit(repo, "first commit\n\nwith a body\n", f1);
	struct fixture_id b2 = fixture_commit(repo, "second", f2);
	struct replay *r = NULL;
	struct commit_info *c = NULL;
	size_t n = 0;
	bool has = false;
	char *data;

	/* same content, signature and times as the shared c1: same id */
	assert_string_equal(b1.hex, w->c1.hex);
	assert_int_equal(replay_open(&r, bare), 0);
	assert_int_equal(replay_resolve(&c, &n, r, "last:2"), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].id, b1.hex);
	assert_string_equal(c[1].id, b2.hex);
	assert_int_equal(c[1].changed_count, 1);
	commit_info_array_free(c, n);

	assert_int_equal(replay_checkout(r, b1.hex, dest), 0);
	check_c1_tree(dest);
	assert_int_equal(replay_checkout(r, "HEAD", dest), 0);
	data = slurp(dest, "Dockerfile", NULL);
	assert_string_equal(data, "FROM alpine\n");
	free(data);
	assert_int_equal(replay_has_file(&has, r, "HEAD", "run.sh"), 0);
	assert_true(has);

	replay_free(r);
	fixture_repo_free(repo);
	free(bare);
	free(dest);
}

static void test_unborn_head(void **state)
{
	struct world *w = *state;
	char *dir = path_join(w->tmp, "unborn");
	git_repository *repo = fixture_repo_init(dir);
	struct replay *r = NULL;
	struct commit_info *c = (struct commit_info *)1;
	size_t n = 9;

	assert_int_equal(replay_open(&r, dir), 0);
	assert_int_equal(replay_resolve(&c, &n, r, "last:3"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "resolves to no commit"));
	assert_null(c);
	assert_int_equal(replay_resolve(&c, &n, r, "HEAD"), BENCH_ENOTFOUND);
	replay_free(r);
	fixture_repo_free(repo);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_first_parent),
		cmocka_unit_test(test_last_n),
		cmocka_unit_test(test_list_keeps_order),
		cmocka_unit_test(test_invalid_and_unknown),
		cmocka_unit_test(test_empty_range),
		cmocka_unit_test(test_not_a_repo),
		cmocka_unit_test(test_changed_paths),
		cmocka_unit_test(test_changed_since_previous),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_commit_touches),
		cmocka_unit_test(test_has_file),
		cmocka_unit_test(test_checkout_leaves_user_tree_alone),
		cmocka_unit_test(test_incremental_tree),
		cmocka_unit_test(test_tree_per_engine),
		cmocka_unit_test(test_bare_repository),
		cmocka_unit_test(test_unborn_head),
		cmocka_unit_test(test_reverts_previous),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
