/*
 * test_confine.c: paths a variant reads in a commit stay inside its
 * checkout. A fixture repository (gitfixture.h) commits symlinks that lead
 * outside (absolute, climbing with "..", through a folder link, a loop) and
 * some that stay inside; after a real checkout (replay.c), confine_path and
 * checkouts_confine must refuse the first kind, naming the variant, the key,
 * the commit and the path, and resolve the second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gitfixture.h"

#include "repo/checkout.h"
#include "repo/confine.h"
#include "lib/error.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

struct fx {
	char *tmp, *repo_dir, *work;
	struct checkouts co;
	const char *dir; /* the commit's checkout */
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct fixture_file files[] = {
		{"Dockerfile", "FROM scratch\n", 0},
		{"docker/Dockerfile", "FROM scratch\nCOPY . /\n", 0},
		{"requirements.txt", "flask\n", 0},
		{"app/main.py", "print(1)\n", 0},
		/* inside */
		{"Dockerfile.link", "docker/Dockerfile", FIXTURE_LINK},
		{"app/reqs", "../requirements.txt", FIXTURE_LINK},
		{"here", ".", FIXTURE_LINK},
		{"dangling", "not-there", FIXTURE_LINK},
		/* outside */
		{"passwd", "/etc/passwd", FIXTURE_LINK},
		{"etc", "/etc", FIXTURE_LINK},
		{"app/up", "../../outside.txt", FIXTURE_LINK},
		{"app/gone", "../../../nowhere/file", FIXTURE_LINK},
		{"loop", "loop", FIXTURE_LINK},
		{"shadow", "/etc/shadow", FIXTURE_LINK},
		{"ctx/app.py", "print(2)\n", 0},
		{"ctx/.dockerignore", "../../../etc/shadow", FIXTURE_LINK},
		{NULL, NULL, 0}};
	git_repository *repo;

	f->tmp = fixture_tmpdir();
	f->repo_dir = path_join(f->tmp, "repo");
	f->work = path_join(f->tmp, "work");
	repo = fixture_repo_init(f->repo_dir);
	fixture_commit(repo, "symlinks", files);
	fixture_repo_free(repo);
	assert_int_equal(checkouts_open(&f->co, f->work, f->repo_dir, "last:1"), 0);
	assert_int_equal(checkouts_dir(&f->dir, &f->co, 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	checkouts_release(&f->co);
	fixture_rmtree(f->tmp);
	free(f->tmp);
	free(f->repo_dir);
	free(f->work);
	free(f);
	return 0;
}

/* rel resolves inside the checkout, to dir/want. */
static void inside(struct fx *f, const char *rel, const char *want)
{
	char *out = NULL, *expect = *want ? path_join(f->dir, want) : xstrdup(f->dir);
	int error = confine_path(&out, f->dir, rel);
	if (error)
		fail_msg("'%s' refused: %s", rel, bench_error_last());
	assert_string_equal(out, expect);
	free(out);
	free(expect);
}

/* rel is refused, with a message holding `part`. */
static void outside(struct fx *f, const char *rel, const char *part)
{
	char *out = (char *)"unset";
	bench_error_clear();
	assert_int_equal(confine_path(&out, f->dir, rel), BENCH_EINVALID);
	assert_null(out);
	if (!strstr(bench_error_last(), part))
		fail_msg("'%s': message '%s' lacks '%s'", rel, bench_error_last(), part);
}

static void test_inside(void **state)
{
	struct fx *f = *state;
	inside(f, ".", "");
	inside(f, "Dockerfile", "Dockerfile");
	inside(f, "Dockerfile.link", "docker/Dockerfile");
	inside(f, "app/reqs", "requirements.txt");
	inside(f, "here/here/app/main.py", "app/main.py");
	inside(f, "./app/../app/main.py", "app/main.py");
	/* not there: resolved as far as it exists; whether it exists is the caller's */
	inside(f, "dangling", "not-there");
	inside(f, "no/such/file", "no/such/file");
}

static void test_outside(void **state)
{
	struct fx *f = *state;
	outside(f, "passwd", "'passwd' is a symlink to '/etc/passwd', outside the checkout");
	/* at any component */
	outside(f, "etc/passwd", "'etc' is a symlink to '/etc', outside the checkout");
	outside(f, "here/etc/hostname", "'etc' is a symlink to '/etc'");
	/* climbing out, whether or not the target exists */
	outside(f, "app/up", "'app/up' is a symlink to '../../outside.txt', outside the checkout");
	outside(f, "app/gone", "'app/gone' is a symlink to '../../../nowhere/file', outside the checkout");
	outside(f, "..", "'..' climbs above the checkout");
	outside(f, "loop", "too many levels of symlinks");
}

/* What the run sees: the variant, the key, the commit and the path. */
static void test_checkouts_confine(void **state)
{
	struct fx *f = *state;
	char *files[] = {"app/reqs", "passwd"};
	struct variant v = {.name = "optimized", .dockerfile = "Dockerfile.link", .dockerfile_in_repo = true};
	char *context = NULL, *df = NULL, *expect;
	char short_id[8];

	memcpy(short_id, f->co.commits[0].short_id, sizeof(short_id));
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "."), 0);
	assert_string_equal(context, f->dir);
	expect = path_join(f->dir, "docker/Dockerfile");
	assert_string_equal(df, expect);
	free(expect);
	free(context);
	free(df);

	/* the context through a link to /etc */
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "etc"), BENCH_EINVALID);
	assert_null(context);
	assert_null(df);
	expect = xasprintf("variant 'optimized': context 'etc' at commit %s: 'etc' is a symlink to '/etc', "
			   "outside the checkout", short_id);
	assert_string_equal(bench_error_last(), expect);
	free(expect);

	/* a repo:PATH Dockerfile */
	v.dockerfile = "passwd";
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "."), BENCH_EINVALID);
	expect = xasprintf("variant 'optimized': dockerfile 'repo:passwd' at commit %s: 'passwd' is a symlink "
			   "to '/etc/passwd', outside the checkout", short_id);
	assert_string_equal(bench_error_last(), expect);
	free(expect);

	/* a Dockerfile that is a symlink to /etc/shadow (a pull request's) */
	v.dockerfile = "shadow";
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "."), BENCH_EINVALID);
	assert_null(df);
	expect = xasprintf("variant 'optimized': dockerfile 'repo:shadow' at commit %s: 'shadow' is a symlink "
			   "to '/etc/shadow', outside the checkout", short_id);
	assert_string_equal(bench_error_last(), expect);
	free(expect);

	/* the context's .dockerignore, which the builder reads on this machine */
	v.dockerfile = "Dockerfile";
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "ctx"), BENCH_EINVALID);
	assert_null(context);
	expect = xasprintf("variant 'optimized': the context's .dockerignore at commit %s: 'ctx/.dockerignore' "
			   "is a symlink to '../../../etc/shadow', outside the checkout", short_id);
	assert_string_equal(bench_error_last(), expect);
	free(expect);

	/* a cache_key file: the first is fine, the second is not */
	v.dockerfile = "Dockerfile";
	v.cache_key_files = files;
	v.cache_key_files_count = 2;
	assert_int_equal(checkouts_confine(&context, &df, &f->co, 0, f->dir, &v, "."), BENCH_EINVALID);
	expect = xasprintf("variant 'optimized': cache_key 'files:passwd' at commit %s: 'passwd' is a symlink "
			   "to '/etc/passwd', outside the checkout", short_id);
	assert_string_equal(bench_error_last(), expect);
	free(expect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inside),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_checkouts_confine),
	};
	return cmocka_run_group_tests_name("paths stay inside the checkout", tests, setup, teardown);
}
