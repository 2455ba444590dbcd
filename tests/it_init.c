/*
 * it_init.c: the README's quick start for "your repository", on the real
 * engine: `bench init REPO -o bench.ini`, `bench run bench.ini`, then the
 * results folder's index.html. The repository is a fixture made here
 * (gitfixture.h): a busybox Dockerfile and the blog's kind of workflow, a
 * `docker buildx build --push` with a local cache folder, its tag a local
 * name (a registry in the tag would be written as [registry] and pushed
 * to, and this machine reaches none). The variants that load on this bench
 * (as-is without its push, no-cache) are built; the ones that need a
 * registry or a runner's gha cache stay commented out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitfixture.h"
#include "ittest.h"

static const char workflow[] =
	"name: image\non:\n  push:\n    branches: [main]\n"
	"jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
	"      - uses: actions/checkout@v4\n"
	"      - uses: actions/cache@v4\n        with:\n          path: /tmp/.buildx-cache\n"
	"          key: ${{ runner.os }}-buildx-${{ github.sha }}\n"
	"      - name: Build & Push\n        run: |\n"
	"          docker buildx build --push \\\n"
	"            --cache-from=type=local,src=/tmp/.buildx-cache \\\n"
	"            --cache-to=type=local,dest=/tmp/.buildx-cache-new,mode=max \\\n"
	"            -t acme-app:${{ github.sha }} .\n";

static const char dockerfile[] =
	"FROM bench/busybox:latest\n"
	"WORKDIR /app\n"
	"COPY . .\n"
	"RUN wc -c app.txt > size.txt\n";

static void test_quick_start(void **state)
{
	char *tmp = fixture_tmpdir(), *repo_dir = path_join(tmp, "repo"), *ini = path_join(tmp, "bench.ini");
	char *results = path_join(tmp, "results"), *out = NULL, *err = NULL, *dir, *page, *text;
	git_repository *repo = fixture_repo_init(repo_dir);
	struct fixture_file c1[] = {{"Dockerfile", dockerfile, 0}, {"app.txt", "one\n", 0},
				    {".github/workflows/image.yml", workflow, 0}, {NULL, NULL, 0}};
	struct fixture_file c2[] = {{"app.txt", "two\n", 0}, {NULL, NULL, 0}};
	struct fixture_file c3[] = {{"app.txt", "three\n", 0}, {NULL, NULL, 0}};
	const char *init_args[] = {"init", repo_dir, "-o", ini, NULL};
	const char *run_args[] = {"run", ini, "--results", results, "-q", NULL};
	json_t *run, *builds, *b;
	size_t i, asis = 0, nocache = 0;
	(void)state;

	fixture_commit(repo, "first", c1);
	fixture_commit(repo, "two", c2);
	fixture_commit(repo, "three", c3);
	fixture_repo_free(repo);

	assert_int_equal(it_bench(&out, &err, init_args), 0);
	assert_int_equal(read_file(&text, NULL, ini), 0);
	assert_non_null(strstr(text, "[variant as-is]\ndockerfile = repo:Dockerfile\ncache = local\n"
				     "cache_mode = max\n"));
	assert_non_null(strstr(err, "Dockerfile:3: COPY . . copies the whole context and there is no "
				    ".dockerignore"));
	free(text);
	free(out);
	free(err);

	if (it_bench(&out, &err, run_args) != 0)
		fail_msg("bench run %s failed:\n%s\n%s", ini, out, err);
	dir = it_only_child(results);
	assert_non_null(dir);
	page = path_join(dir, "index.html");
	assert_true(path_exists(page));
	run = it_load_run(dir, NULL);
	assert_non_null(run);
	builds = json_object_get(run, "builds");
	json_array_foreach(builds, i, b) {
		assert_string_equal(it_str(b, "status"), "ok");
		asis += !strcmp(it_str(b, "variant"), "as-is");
		nocache += !strcmp(it_str(b, "variant"), "no-cache");
	}
	assert_int_equal(asis, 3); /* commits = last:3 */
	assert_int_equal(nocache, 3);
	json_decref(run);
	free(page);
	free(dir);
	free(out);
	free(err);
	free(results);
	free(ini);
	free(repo_dir);
	fixture_rmtree(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quick_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
