/*
 * test_ci_workflow.c: the example GitHub Actions workflow
 * (docs/ci/github-actions-bench.yml) and the scenario it runs
 * (docs/ci/ci.ini). The workflow passes yamllint (Debian's, installed by
 * scripts/setup) with docs/ci/yamllint.yml, and the lint does fail on a
 * broken copy; its policy holds (read through python3's yaml, which yamllint
 * brings): no permission by default, contents: write only in a job that
 * runs on pushes alone, reads only elsewhere, a baseline recording never
 * cancelled, gh-pages made on the first run, the scenario it names shipped;
 * and ci.ini, copied as bench/ci.ini into a repository as the workflow says,
 * passes `bench run --dry-run` there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "gitfixture.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("ci-workflow")

#define WORKFLOW "docs/ci/github-actions-bench.yml"
#define LINT_CONFIG "docs/ci/yamllint.yml"
#define SCENARIO "docs/ci/ci.ini"

static char top[PATH_MAX];   /* the repository root */
static char bench[PATH_MAX]; /* BUILD/bench */

static char *at_top(const char *rel)
{
	return path_join(top, rel);
}

/* yamllint on path: its exit status, its report in *out (caller frees). */
static int yamllint(char **out, const char *path)
{
	char *config = at_top(LINT_CONFIG), *err = NULL;
	const char *argv[] = {"yamllint", "-f", "parsable", "-c", config, path, NULL};
	int code = -1, error = proc_capture(out, &err, &code, argv, 60);

	if (error == BENCH_ENOTFOUND)
		fail_msg("yamllint is not installed (scripts/setup installs it): %s", bench_error_last());
	assert_int_equal(error, 0);
	free(err);
	free(config);
	return code;
}

static void test_workflow_lints(void **state)
{
	char *path = at_top(WORKFLOW), *out = NULL;
	int code;
	(void)state;

	code = yamllint(&out, path);
	if (code != 0)
		fail_msg("yamllint %s exited %d:\n%s", WORKFLOW, code, out);
	free(out);
	free(path);
}

/* The lint is no formality: a copy with a key given twice and a tab fails. */
static void test_lint_fails_on_a_broken_copy(void **state)
{
	char *path = at_top(WORKFLOW), *copy = path_join(tmp, "broken.yml"), *text = NULL, *out = NULL;
	size_t len = 0;
	struct strbuf sb = {0};
	(void)state;

	assert_int_equal(read_file(&text, &len, path), 0);
	strbuf_add(&sb, text, len);
	strbuf_puts(&sb, "permissions:\n\tcontents: write\n");
	assert_int_equal(write_file_atomic(copy, sb.buf, sb.len), 0);
	assert_int_not_equal(yamllint(&out, copy), 0);
	assert_non_null(strstr(out, "broken.yml:"));
	free(out);
	free(text);
	free(path);
	free(copy);
	strbuf_release(&sb);
}

/* The workflow as JSON (python3's yaml: the YAML yamllint reads). */
static json_t *workflow_json(void)
{
	char *path = at_top(WORKFLOW), *out = NULL, *err = NULL;
	const char *argv[] = {"python3", "-c",
			      "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
			      path, NULL};
	int code = -1;
	json_t *w;

	assert_int_equal(proc_capture(&out, &err, &code, argv, 60), 0);
	if (code != 0)
		fail_msg("cannot read %s as YAML: %s", WORKFLOW, err);
	w = json_loads(out, 0, NULL);
	assert_non_null(w);
	free(out);
	free(err);
	free(path);
	return w;
}

static const char *str_at(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Least privilege; a baseline recording never cancelled; gh-pages made. */
static void test_workflow_policy(void **state)
{
	json_t *w = workflow_json(), *jobs = json_object_get(w, "jobs"), *job, *perms, *step;
	const char *name;
	size_t i, writers = 0;
	bool bootstrap = false;
	(void)state;

	/* nothing by default */
	perms = json_object_get(w, "permissions");
	assert_true(json_is_object(perms) && json_object_size(perms) == 0);
	json_object_foreach(jobs, name, job) {
		const char *contents;
		perms = json_object_get(job, "permissions");
		assert_true(json_is_object(perms)); /* each job says what it needs */
		contents = str_at(perms, "contents");
		if (!strcmp(contents, "write")) {
			/* only a job that runs on pushes alone, and builds nothing */
			writers++;
			assert_non_null(strstr(str_at(job, "if"), "github.event_name == 'push'"));
			json_array_foreach(json_object_get(job, "steps"), i, step)
				assert_null(strstr(str_at(step, "run"), "bench run"));
		} else {
			assert_true(!strcmp(contents, "read") || !*contents);
		}
		json_array_foreach(json_object_get(job, "steps"), i, step)
			if (strstr(str_at(step, "run"), "git ls-remote --exit-code --heads origin gh-pages"))
				bootstrap = !strcmp(contents, "write"); /* where it can push */
	}
	assert_int_equal(writers, 1);
	assert_true(bootstrap);
	/* cancel a pull request's older run, never the default branch's */
	assert_string_equal(str_at(json_object_get(w, "concurrency"), "cancel-in-progress"),
			    "${{ github.event_name == 'pull_request' }}");
	/* the scenario it runs is docs/ci/ci.ini's copy */
	assert_string_equal(str_at(json_object_get(w, "env"), "SCENARIO"), "bench/ci.ini");
	json_decref(w);
}

/* docs/ci/ci.ini as the workflow uses it: bench/ci.ini of a repository
 * with a Dockerfile, through `bench run --dry-run` (exit 0, nothing left). */
static void test_ci_scenario_loads(void **state)
{
	struct fixture_file files[] = {{"Dockerfile", "FROM scratch\n", 0}, {"app.txt", NULL, 0}, {NULL, NULL, 0}};
	char *repo = path_join(tmp, "repo"), *ini = path_join(tmp, "repo/bench/ci.ini"), *src = at_top(SCENARIO);
	char *tmpdir = path_join(tmp, "tmp"), *env_tmp = xasprintf("TMPDIR=%s", tmpdir), *text = NULL;
	const char *argv[] = {bench, "run", "--dry-run", ini, NULL};
	const char *env[] = {env_tmp, NULL};
	struct proc p = {.argv = argv, .env = env, .timeout_seconds = 60};
	git_repository *r = fixture_repo_init(repo);
	size_t len = 0;
	int i;
	(void)state;

	for (i = 0; i < 4; i++) {
		char content[16];
		snprintf(content, sizeof(content), "%d\n", i);
		files[1].content = content;
		fixture_commit(r, "commit", files);
	}
	fixture_repo_free(r);
	assert_int_equal(read_file(&text, &len, src), 0);
	assert_int_equal(mkdir_p(tmpdir), 0);
	{
		char *dir = path_dirname(ini);
		assert_int_equal(mkdir_p(dir), 0);
		free(dir);
	}
	assert_int_equal(write_file_atomic(ini, text, len), 0);
	assert_int_equal(proc_run(&p), 0);
	assert_int_equal(p.exit_code, 0);
	assert_true(rmdir(tmpdir) == 0); /* empty: the dry run left nothing */
	free(repo);
	free(ini);
	free(src);
	free(tmpdir);
	free(env_tmp);
	free(text);
}

static int group_setup(void **state)
{
	const char *data = getenv("BENCH_DATADIR");
	char self[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0 || setup(state) < 0)
		return -1;
	self[n] = '\0';
	dir = path_dirname(self); /* BUILD/tests */
	snprintf(bench, sizeof(bench), "%s/../bench", dir);
	free(dir);
	if (data)
		snprintf(top, sizeof(top), "%s", data);
	else if (!getcwd(top, sizeof(top)))
		return -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workflow_lints),
		cmocka_unit_test(test_lint_fails_on_a_broken_copy),
		cmocka_unit_test(test_workflow_policy),
		cmocka_unit_test(test_ci_scenario_loads),
	};
	return cmocka_run_group_tests_name("the example CI workflow", tests, group_setup, teardown);
}
