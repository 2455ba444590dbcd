/* test_world_repo.c: unit tests of world/repo.c (the generated cafeboo
 * repository) and world/catalog.c (the packages it pins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/catalog.h"
#include "world/repo.h"

struct fixture {
	char tmp[64];
	char *repo_dir;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	strcpy(f->tmp, "/tmp/test_world_repo.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	f->repo_dir = path_join(f->tmp, "cafeboo");
	git_libgit2_init();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_rf(f->tmp);
	free(f->repo_dir);
	free(f);
	git_libgit2_shutdown();
	return 0;
}

/* The commits from HEAD, oldest first; caller frees the array and commits. */
static size_t load_history(git_repository *repo, git_commit ***out)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	git_commit **v = NULL;
	size_t n = 0;

	assert_int_equal(git_revwalk_new(&walk, repo), 0);
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	assert_int_equal(git_revwalk_push_head(walk), 0);
	while (git_revwalk_next(&oid, walk) == 0) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		assert_int_equal(git_commit_lookup(&v[n], repo, &oid), 0);
		n++;
	}
	git_revwalk_free(walk);
	*out = v;
	return n;
}

static void free_history(git_commit **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		git_commit_free(v[i]);
	free(v);
}

/* Which kind of change the diff parent -> c is, judged from the paths. */
static enum world_commit_kind classify(git_repository *repo, git_commit *parent, git_commit *c)
{
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	size_t i, n, reqs = 0, code = 0, ci = 0, data = 0;

	if (!parent)
		return WORLD_COMMIT_INITIAL;
	assert_int_equal(git_commit_tree(&a, parent), 0);
	assert_int_equal(git_commit_tree(&b, c), 0);
	assert_int_equal(git_diff_tree_to_tree(&diff, repo, a, b, NULL), 0);
	n = git_diff_num_deltas(diff);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *p = git_diff_get_delta(diff, i)->new_file.path;
		size_t len = strlen(p);

		if (strcmp(p, world_repo_requirements_path()) == 0)
			reqs++;
		else if (strcmp(p, ".github/workflows/deploy.yml") == 0)
			ci++;
		else if (strncmp(p, "ai_project/data/", 16) == 0)
			data++;
		else if (strncmp(p, "ai_project/", 11) == 0 && len > 3 && strcmp(p + len - 3, ".py") == 0)
			code++;
		else
			fail_msg("commit changes an unexpected path: %s", p);
	}
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	/* exactly one kind of change per commit */
	assert_int_equal((reqs > 0) + (code > 0) + (ci > 0) + (data > 0), 1);
	return reqs ? WORLD_COMMIT_REQS : code ? WORLD_COMMIT_CODE : ci ? WORLD_COMMIT_CI : WORLD_COMMIT_DATA;
}

static void test_history_matches_plan(void **state)
{
	struct fixture *f = *state;
	git_repository *repo = NULL;
	git_commit **hist = NULL;
	size_t n, i, nplan, count[5] = { 0 };
	const struct world_commit_plan *plan = world_repo_plan(&nplan);

	assert_int_equal(world_repo_generate(f->repo_dir, 1), 0);
	assert_int_equal(git_repository_open(&repo, f->repo_dir), 0);
	assert_false(git_repository_is_bare(repo));
	n = load_history(repo, &hist);
	assert_true(n >= 12);
	assert_int_equal(n, nplan);
	for (i = 0; i < n; i++) {
		enum world_commit_kind k = classify(repo, i ? hist[i - 1] : NULL, hist[i]);

		assert_string_equal(git_commit_summary(hist[i]), plan[i].subject);
		if (k != plan[i].kind)
			fail_msg("commit %zu '%s' is %s, planned %s", i, plan[i].subject,
				 world_commit_kind_name(k), world_commit_kind_name(plan[i].kind));
		assert_int_equal(git_commit_parentcount(hist[i]), i ? 1 : 0);
		if (i)
			assert_true(git_commit_time(hist[i]) > git_commit_time(hist[i - 1]));
		count[k]++;
	}
	assert_int_equal(count[WORLD_COMMIT_INITIAL], 1);
	assert_true(count[WORLD_COMMIT_REQS] * 3 + 3 >= n && count[WORLD_COMMIT_REQS] * 3 <= n + 3);
	assert_true(count[WORLD_COMMIT_CODE] * 3 + 3 >= n && count[WORLD_COMMIT_CODE] * 3 <= n + 3);
	assert_true(count[WORLD_COMMIT_CI] * 5 + 5 >= n && count[WORLD_COMMIT_CI] * 5 <= n + 5);
	assert_int_equal(count[WORLD_COMMIT_DATA], 1);
	free_history(hist, n);
	git_repository_free(repo);
}

static const struct catalog_pkg *catalog_find(const char *name, const char *version)
{
	size_t n, i;
	const struct catalog_pkg *p = catalog_packages(&n);

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0 && (!version || strcmp(p[i].version, version) == 0))
			return &p[i];
	return NULL;
}

/* Every pin of every commit is in the catalog, and every catalog entry is
 * pinned by some commit (no dead wheels to generate). */
static void test_requirements_in_catalog(void **state)
{
	struct fixture *f = *state;
	git_repository *repo = NULL;
	git_commit **hist = NULL;
	size_t n, i, ncat;
	const struct catalog_pkg *cat = catalog_packages(&ncat);
	int *used = xcalloc(ncat, sizeof(*used));

	assert_int_equal(world_repo_generate(f->repo_dir, 7), 0);
	assert_int_equal(git_repository_open(&repo, f->repo_dir), 0);
	n = load_history(repo, &hist);
	for (i = 0; i < n; i++) {
		git_tree *tree = NULL;
		git_tree_entry *te = NULL;
		git_blob *blob = NULL;
		char *text, *line, *save = NULL;
		size_t lines = 0;

		assert_int_equal(git_commit_tree(&tree, hist[i]), 0);
		assert_int_equal(git_tree_entry_bypath(&te, tree, world_repo_requirements_path()), 0);
		assert_int_equal(git_blob_lookup(&blob, repo, git_tree_entry_id(te)), 0);
		text = xstrndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *eq = strstr(line, "==");
			const struct catalog_pkg *p;

			if (!eq)
				fail_msg("commit %zu: requirement without a pin: %s", i, line);
			*eq = '\0';
			p = catalog_find(line, eq + 2);
			if (!p)
				fail_msg("commit %zu: %s==%s is not in the catalog", i, line, eq + 2);
			used[p - cat] = 1;
			lines++;
		}
		assert_true(lines > 50);
		free(text);
		git_blob_free(blob);
		git_tree_entry_free(te);
		git_tree_free(tree);
	}
	for (i = 0; i < ncat; i++)
		if (!used[i])
			fail_msg("catalog entry %s %s is pinned by no commit", cat[i].name, cat[i].version);
	free(used);
	free_history(hist, n);
	git_repository_free(repo);
}

static void test_catalog_contents(void **state)
{
	size_t n, i, j;
	const struct catalog_pkg *p = catalog_packages(&n);
	const struct catalog_model *m;
	double total = 0;
	(void)state;

	for (i = 0; i < n; i++) {
		for (const char *c = p[i].name; *c; c++)
			assert_true(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-');
		assert_true(p[i].real_mb > 0 && p[i].real_mb < 1000);
		for (j = i + 1; j < n; j++)
			assert_false(strcmp(p[i].name, p[j].name) == 0 && strcmp(p[i].version, p[j].version) == 0);
		total += p[i].real_mb;
	}
	/* the blog's point: GBs of wheels, torch and cuDNN first */
	assert_true(total > 2500 && total < 4000);
	assert_non_null(catalog_find("torch", "2.5.1"));
	assert_non_null(catalog_find("nvidia-cudnn-cu12", "9.1.0.70"));
	assert_non_null(catalog_find("google-genai", NULL));
	m = catalog_models(&n);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].url_path, "ai_model_cafeboo/embedding_model.tar.gz");
	assert_int_equal(m[0].is_targz, 1);
	assert_string_equal(m[1].url_path, "ai_model_cafeboo/moderation_model/best_model.pt");
	assert_int_equal(m[1].is_targz, 0);
}

static void head_id(git_oid *out, const char *dir)
{
	git_repository *repo = NULL;

	assert_int_equal(git_repository_open(&repo, dir), 0);
	assert_int_equal(git_reference_name_to_id(out, repo, "HEAD"), 0);
	git_repository_free(repo);
}

static void test_deterministic(void **state)
{
	struct fixture *f = *state;
	char *a = path_join(f->tmp, "a"), *b = path_join(f->tmp, "b"), *c = path_join(f->tmp, "c");
	git_oid ha, hb, hc;

	assert_int_equal(world_repo_generate(a, 42), 0);
	assert_int_equal(world_repo_generate(b, 42), 0);
	assert_int_equal(world_repo_generate(c, 43), 0);
	head_id(&ha, a);
	head_id(&hb, b);
	head_id(&hc, c);
	assert_true(git_oid_equal(&ha, &hb));
	assert_false(git_oid_equal(&ha, &hc));
	free(a);
	free(b);
	free(c);
}

/* HEAD is checked out on main, the tree is clean, the final workflow is the
 * blog's buildx + actions/cache one. */
static void test_worktree(void **state)
{
	struct fixture *f = *state;
	git_repository *repo = NULL;
	git_status_list *st = NULL;
	git_status_options so;
	git_reference *head = NULL;
	char *path, *text = NULL;
	size_t len;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	assert_int_equal(world_repo_generate(f->repo_dir, 3), 0);
	path = path_join(f->repo_dir, ".github/workflows/deploy.yml");
	assert_int_equal(read_file(&text, &len, path), 0);
	assert_non_null(strstr(text, "actions/cache@v3"));
	assert_non_null(strstr(text, "--cache-to=type=local,dest=/tmp/.buildx-cache-new,mode=max"));
	free(text);
	free(path);
	path = path_join(f->repo_dir, "ai_project/main.py");
	assert_int_equal(read_file(&text, &len, path), 0);
	assert_non_null(strstr(text, "app = FastAPI("));
	free(text);
	free(path);
	path = path_join(f->repo_dir, "ai_project/models/.gitkeep");
	assert_true(path_exists(path));
	free(path);

	assert_int_equal(git_repository_open(&repo, f->repo_dir), 0);
	assert_int_equal(git_repository_head(&head, repo), 0);
	assert_string_equal(git_reference_name(head), "refs/heads/main");
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
	assert_int_equal(git_status_list_new(&st, repo, &so), 0);
	assert_int_equal(git_status_list_entrycount(st), 0);
	git_status_list_free(st);
	git_reference_free(head);
	git_repository_free(repo);

	/* a second generation into the same folder is refused */
	assert_int_equal(world_repo_generate(f->repo_dir, 3), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "holds a repository already"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_matches_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requirements_in_catalog, setup, teardown),
		cmocka_unit_test(test_catalog_contents),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worktree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
