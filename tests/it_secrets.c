/*
 * it_secrets.c: a scenario's build secrets (`secret = id=ID,src=FILE` and
 * `secret = id=ID,env=VAR`) reach the build on the real engine, and their
 * values appear nowhere bench writes: not in any file of the results folder
 * (run.json, journal, CSV, logs), not on its stdout or stderr, not in the
 * `--dry-run` listing. The Dockerfile fails the build when a secret is
 * missing, so a passing run proves the secrets were given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ittest.h"

#define FILE_SECRET "s3cr3t-VALUE-xyz"
#define ENV_SECRET "s3cr3t-ENV-4711q"

static char *tmp;

/* Whether needle occurs in the bytes (not only the text) of s. */
static bool has(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

/* Every regular file under dir; fails naming the first holding a secret.
 * Returns how many files were read. */
static int scan_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path, *data = NULL;
		size_t len = 0;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path = path_join(dir, e->d_name);
		if (path_is_dir(path)) {
			files += scan_tree(path);
		} else if (read_file(&data, &len, path) == 0) {
			if (has(data, len, FILE_SECRET) || has(data, len, ENV_SECRET))
				fail_msg("a secret's value is written in %s", path);
			files++;
			free(data);
		}
		free(path);
	}
	closedir(d);
	return files;
}

static char *write_scenario(void)
{
	char *df = path_join(tmp, "Dockerfile"), *token = path_join(tmp, "token.txt");
	char *ini = path_join(tmp, "secrets.ini"), *rest;

	it_write_text(token, FILE_SECRET "\n");
	/* required=true: the build fails when a secret is not given; the value is
	 * only compared by length, so the Dockerfile (and the log) never holds it */
	it_write_text(df, "FROM bench/busybox:latest\n"
			  "RUN --mount=type=secret,id=token,required=true "
			  "--mount=type=secret,id=envtok,required=true "
			  "cat /run/secrets/token /run/secrets/envtok > /dev/null && "
			  "test \"$(wc -c < /run/secrets/token)\" -eq 17 && "
			  "test \"$(wc -c < /run/secrets/envtok)\" -eq 16 && echo secrets-seen\n");
	rest = xasprintf("secret = id=token,src=%s\nsecret = id=envtok,env=IT_SECRET_ENV\n\n"
			 "[variant v]\ndockerfile = %s\ncache = none\nrunner = persistent\n",
			 token, df);
	it_write_scenario(ini, "secrets", "last:1", "5m", rest);
	free(rest);
	free(df);
	free(token);
	return ini;
}

static void test_secrets_never_written(void **state)
{
	char *ini = write_scenario(), *results = path_join(tmp, "results"), *work = path_join(tmp, "work");
	char *out = NULL, *err = NULL;
	const char *args[] = {"run", ini, "--results", results, "--work", work, "--no-plot", NULL};
	int status, files;
	(void)state;

	status = it_bench(&out, &err, args);
	if (status != 0)
		fail_msg("the build with secrets exited %d:\n%s", status, err);
	assert_false(has(out, strlen(out), FILE_SECRET) || has(out, strlen(out), ENV_SECRET));
	assert_false(has(err, strlen(err), FILE_SECRET) || has(err, strlen(err), ENV_SECRET));
	files = scan_tree(results);
	assert_true(files >= 4); /* run.json, journal.jsonl, builds.csv, a log */
	free(out);
	free(err);
	out = err = NULL;

	/* the dry run names the secrets' ids and files, never their values */
	{
		const char *dry[] = {"run", ini, "--dry-run", NULL};
		assert_int_equal(it_bench(&out, &err, dry), 0);
		assert_non_null(strstr(out, "--secret"));
		assert_non_null(strstr(out, "id=token"));
		assert_non_null(strstr(out, "id=envtok,env=IT_SECRET_ENV"));
		assert_false(has(out, strlen(out), FILE_SECRET) || has(out, strlen(out), ENV_SECRET));
		assert_false(has(err, strlen(err), FILE_SECRET) || has(err, strlen(err), ENV_SECRET));
	}
	free(out);
	free(err);
	free(ini);
	free(results);
	free(work);
}

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-itsecrets-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	/* bench and docker inherit it: the env= secret's value */
	setenv("IT_SECRET_ENV", ENV_SECRET, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("IT_SECRET_ENV");
	rm_rf(tmp);
	free(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_never_written),
	};
	return cmocka_run_group_tests_name("integration: build secrets stay secret", tests, setup, teardown);
}
