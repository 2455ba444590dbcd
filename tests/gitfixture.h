/*
 * gitfixture.h: build small git repositories with libgit2 for tests.
 *
 * Header-only (every function is static), so a test simply does
 *   #include "gitfixture.h"
 * and the Makefile never mistakes it for a test program. Nothing here runs
 * the git CLI. Every commit gets a fixed author/committer ("Bench Fixture
 * <fixture@example.invalid>") and a time of its first parent's time + 60s
 * (1700000000 for a root commit), so the same history always gets the same
 * commit ids. Any libgit2 failure fails the test at once: through cmocka's
 * fail_msg() when <cmocka.h> was included first, otherwise abort().
 *
 *   char *dir = fixture_tmpdir();
 *   git_repository *repo = fixture_repo_init(dir);
 *   struct fixture_file files[] = {
 *       {"Dockerfile", "FROM scratch\n", 0},
 *       {"run.sh", "#!/bin/sh\n", FIXTURE_EXEC},
 *       {"link", "run.sh", FIXTURE_LINK},
 *       {NULL, NULL, 0}};
 *   struct fixture_id c1 = fixture_commit(repo, "first", files);
 *   ... c1.hex ...
 *   fixture_repo_free(repo);
 *   fixture_rmtree(dir); free(dir);
 */
#ifndef BENCH_TESTS_GITFIXTURE_H
#define BENCH_TESTS_GITFIXTURE_H

#include <git2.h>

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURE_API static __attribute__((unused))

/* File modes for struct fixture_file (0 means a regular file). */
#define FIXTURE_FILE 0100644u
#define FIXTURE_EXEC 0100755u
#define FIXTURE_LINK 0120000u /* content is the link target */
#define FIXTURE_TIME0 1700000000LL

/* One file to put into a commit. content NULL deletes path instead.
 * Lists end with an entry whose path is NULL; a NULL list means no change. */
struct fixture_file {
	const char *path;
	const char *content;
	unsigned mode;
};

/* A commit id, both ways. Returned by value: no memory to free. */
struct fixture_id {
	git_oid oid;
	char hex[41];
};

__attribute__((format(printf, 1, 2), noreturn, unused))
static void fixture_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	const git_error *e = git_error_last();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
#ifdef fail_msg
	fail_msg("gitfixture: %s%s%s", msg, e ? ": " : "", e ? e->message : "");
#endif
	fprintf(stderr, "gitfixture: %s%s%s\n", msg, e ? ": " : "", e ? e->message : "");
	abort();
}

#define FIXTURE_CHECK(expr, ...) \
	do { if ((expr) < 0) fixture_fail(__VA_ARGS__); } while (0)

/* A fresh directory under $TMPDIR (or /tmp). Caller frees the string. */
FIXTURE_API char *fixture_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	size_t n;
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	n = strlen(base) + sizeof("/bench-test-XXXXXX");
	dir = malloc(n);
	if (!dir)
		abort();
	snprintf(dir, n, "%s/bench-test-XXXXXX", base);
	if (!mkdtemp(dir))
		fixture_fail("cannot create a temporary directory in '%s'", base);
	return dir;
}

static int fixture_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a whole tree (symlinks are removed, never followed). */
FIXTURE_API void fixture_rmtree(const char *path)
{
	nftw(path, fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static git_repository *fixture_repo_init_ext(const char *path, int bare)
{
	git_repository *repo = NULL;

	git_libgit2_init();
	FIXTURE_CHECK(git_repository_init(&repo, path, (unsigned)bare),
	              "cannot init a repository in '%s'", path);
	return repo;
}

/* A new repository with a work tree at path (created when missing), HEAD on
 * an unborn "master". Takes a libgit2 reference: pair with fixture_repo_free. */
FIXTURE_API git_repository *fixture_repo_init(const char *path)
{
	return fixture_repo_init_ext(path, 0);
}

/* Like fixture_repo_init, for a bare repository (path is the git dir). */
FIXTURE_API git_repository *fixture_repo_init_bare(const char *path)
{
	return fixture_repo_init_ext(path, 1);
}

FIXTURE_API void fixture_repo_free(git_repository *repo)
{
	if (!repo)
		return;
	git_repository_free(repo);
	git_libgit2_shutdown();
}

/* The commit a revision ("HEAD", "refs/heads/side", "HEAD~1", a hex id)
 * names. Returns 0 and fills *out, or -1 when it does not resolve. */
FIXTURE_API int fixture_resolve(struct fixture_id *out, git_repository *repo, const char *rev)
{
	git_object *obj = NULL, *peeled = NULL;
	int error = -1;

	memset(out, 0, sizeof(*out));
	if (git_revparse_single(&obj, repo, rev) < 0)
		goto done;
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		goto done;
	git_oid_cpy(&out->oid, git_object_id(peeled));
	git_oid_tostr(out->hex, sizeof(out->hex), &out->oid);
	error = 0;
done:
	git_object_free(peeled);
	git_object_free(obj);
	return error;
}

/* Apply files on top of base (NULL: an empty tree) and write the tree. */
static void fixture_write_tree(git_oid *out, git_repository *repo, git_tree *base,
                               const struct fixture_file *files)
{
	git_index *index = NULL;
	const struct fixture_file *f;

	FIXTURE_CHECK(git_index_new(&index), "cannot create an index");
	if (base)
		FIXTURE_CHECK(git_index_read_tree(index, base), "cannot read a tree");
	for (f = files; f && f->path; f++) {
		git_index_entry entry;

		if (!f->content) {
			FIXTURE_CHECK(git_index_remove_bypath(index, f->path),
			              "cannot remove '%s'", f->path);
			continue;
		}
		memset(&entry, 0, sizeof(entry));
		entry.path = f->path;
		entry.mode = f->mode ? f->mode : FIXTURE_FILE;
		FIXTURE_CHECK(git_blob_create_from_buffer(&entry.id, repo, f->content,
		                                          strlen(f->content)),
		              "cannot write the blob of '%s'", f->path);
		FIXTURE_CHECK(git_index_add(index, &entry), "cannot add '%s'", f->path);
	}
	FIXTURE_CHECK(git_index_write_tree_to(out, index, repo), "cannot write a tree");
	git_index_free(index);
}

/*
 * The general form. Commits on ref ("HEAD" or "refs/heads/NAME"; a missing
 * branch is created, as a root commit) with the ref's tip as first parent,
 * extra_parents after it (for a merge), and the tip's tree changed by files.
 * The time is the first parent's time + 60s. When ref is "HEAD" and the
 * repository has a work tree, the work tree and index are then checked out
 * to match, as `git commit` would leave them.
 */
FIXTURE_API struct fixture_id fixture_commit_on(git_repository *repo, const char *ref,
                                                const char *msg,
                                                const struct fixture_file *files,
                                                const git_oid *extra_parents,
                                                size_t n_extra)
{
	struct fixture_id id;
	const git_commit *parents[8];
	git_commit *owned[8] = {0};
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	git_object *tip = NULL, *peeled = NULL;
	size_t n = 0, i;
	long long when = FIXTURE_TIME0;

	if (n_extra > 6)
		fixture_fail("too many parents");
	if (git_revparse_single(&tip, repo, ref) == 0) {
		FIXTURE_CHECK(git_object_peel(&peeled, tip, GIT_OBJECT_COMMIT),
		              "'%s' is not a commit", ref);
		owned[n] = (git_commit *)peeled;
		FIXTURE_CHECK(git_commit_tree(&base, owned[n]), "cannot read a tree");
		when = (long long)git_commit_time(owned[n]) + 60;
		n++;
		git_object_free(tip);
	}
	for (i = 0; i < n_extra; i++, n++)
		FIXTURE_CHECK(git_commit_lookup(&owned[n], repo, &extra_parents[i]),
		              "cannot find a parent commit");
	for (i = 0; i < n; i++)
		parents[i] = owned[i];

	fixture_write_tree(&tree_id, repo, base, files);
	FIXTURE_CHECK(git_tree_lookup(&tree, repo, &tree_id), "cannot read a tree");
	FIXTURE_CHECK(git_signature_new(&sig, "Bench Fixture", "fixture@example.invalid",
	                                (git_time_t)when, 0),
	              "cannot make a signature");
	memset(&id, 0, sizeof(id));
	FIXTURE_CHECK(git_commit_create(&id.oid, repo, ref, sig, sig, NULL, msg, tree,
	                                n, parents),
	              "cannot commit '%s' on '%s'", msg, ref);
	git_oid_tostr(id.hex, sizeof(id.hex), &id.oid);

	if (!strcmp(ref, "HEAD") && !git_repository_is_bare(repo)) {
		git_checkout_options opts;
		git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
		opts.checkout_strategy = GIT_CHECKOUT_FORCE;
		FIXTURE_CHECK(git_checkout_head(repo, &opts), "cannot check out HEAD");
	}

	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	for (i = 0; i < n; i++)
		git_commit_free(owned[i]);
	return id;
}

/* Commit files on top of HEAD (a root commit when HEAD is unborn). */
FIXTURE_API struct fixture_id fixture_commit(git_repository *repo, const char *msg,
                                             const struct fixture_file *files)
{
	return fixture_commit_on(repo, "HEAD", msg, files, NULL, 0);
}

/* A merge commit on HEAD: parents HEAD and other; the tree is HEAD's with
 * files applied (no real merging is done: put the merged result in files). */
FIXTURE_API struct fixture_id fixture_merge(git_repository *repo, const char *msg,
                                            const struct fixture_id *other,
                                            const struct fixture_file *files)
{
	return fixture_commit_on(repo, "HEAD", msg, files, &other->oid, 1);
}

/* Create (or move) branch refs/heads/NAME to point at commit at. */
FIXTURE_API void fixture_branch(git_repository *repo, const char *name,
                                const struct fixture_id *at)
{
	git_commit *c = NULL;
	git_reference *ref = NULL;

	FIXTURE_CHECK(git_commit_lookup(&c, repo, &at->oid), "cannot find commit %s", at->hex);
	FIXTURE_CHECK(git_branch_create(&ref, repo, name, c, 1), "cannot create branch '%s'", name);
	git_reference_free(ref);
	git_commit_free(c);
}

/* Create a lightweight tag refs/tags/NAME pointing at commit at. */
FIXTURE_API void fixture_tag(git_repository *repo, const char *name, const struct fixture_id *at)
{
	git_object *obj = NULL;
	git_oid oid;

	FIXTURE_CHECK(git_object_lookup(&obj, repo, &at->oid, GIT_OBJECT_COMMIT),
	              "cannot find commit %s", at->hex);
	FIXTURE_CHECK(git_tag_create_lightweight(&oid, repo, name, obj, 1),
	              "cannot create tag '%s'", name);
	git_object_free(obj);
}

/* Write content to path relative to the work tree (not staged), e.g. to
 * leave the user's tree dirty. mode FIXTURE_EXEC makes it executable. */
FIXTURE_API void fixture_write_worktree(git_repository *repo, const char *path,
                                        const char *content, unsigned mode)
{
	const char *workdir = git_repository_workdir(repo);
	char full[4096];
	FILE *fp;

	if (!workdir)
		fixture_fail("the repository is bare");
	snprintf(full, sizeof(full), "%s%s", workdir, path);
	if (!(fp = fopen(full, "wb")))
		fixture_fail("cannot write '%s'", full);
	fputs(content, fp);
	fclose(fp);
	if (mode == FIXTURE_EXEC)
		chmod(full, 0755);
}

/* Number of entries git status would show (untracked files included). */
FIXTURE_API size_t fixture_status_count(git_repository *repo)
{
	git_status_list *list = NULL;
	git_status_options opts;
	size_t n;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);

	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	FIXTURE_CHECK(git_status_list_new(&list, repo, &opts), "cannot read the status");
	n = git_status_list_entrycount(list);
	git_status_list_free(list);
	return n;
}

#endif
