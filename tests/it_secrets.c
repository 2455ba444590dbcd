/*
 * it_secrets.c: a scenario's build secrets (`secret = id=ID,src=FILE` and
 * `secret = id=ID,env=VAR`) reach the build on the real engine, and their
 * values appear nowhere bench writes, though the steps PRINT them: whole
 * (cat), in two writes a second apart (so BuildKit sends two log chunks),
 * one line of a secret of several lines, and in the output of a step that
 * fails (whose last lines become the build's `reason`). Every file of the
 * results folder is searched as bytes and, for the logs, with every base64
 * log chunk of the rawjson stream decoded and joined per file (a secret cut
 * between chunks is found there); so are bench's stdout and stderr and the
 * `--dry-run` listing. The logs must show the redaction mark where the
 * secrets were printed, so the steps did print them.
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

#include "lib/base64.h"
#include "ittest.h"
#include "run/redact.h"

#define FILE_SECRET "s3cr3t-VALUE-xyz"
#define ENV_SECRET "s3cr3t-ENV-4711q"
#define KEY_LINE2 "AAAAB3NzaC1yc2EAAAADAQABlineTWO"
#define KEY_SECRET "-----BEGIN TEST KEY-----\n" KEY_LINE2 "\n-----END TEST KEY-----\n"

static const char *const values[] = {FILE_SECRET, ENV_SECRET, KEY_LINE2, "-----BEGIN TEST KEY-----\n" KEY_LINE2};

static char *tmp;

/* Whether needle occurs in the bytes (not only the text) of s. */
static bool has(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

/* The first secret value in s, or NULL. */
static const char *leaked(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (has(s, len, values[i]))
			return values[i];
	return NULL;
}

/* Every "data" string of a rawjson log, decoded and joined in order: a step's
 * output as BuildKit sent it ("data": "..." pretty-printed by buildx 0.13,
 * "data":"..." on one line by 0.29). Caller frees. */
static char *decoded_logs(const char *text, size_t *len)
{
	struct strbuf all = {0};
	const char *p = text;

	while ((p = strstr(p, "\"data\":"))) {
		size_t n = 0;
		const char *start = p + strlen("\"data\":"), *end;
		char *dec;
		start += strspn(start, " ");
		if (*start++ != '"') {
			p = start;
			continue;
		}
		if (!(end = strchr(start, '"')))
			break;
		dec = base64_decode_lenient(&n, start, (size_t)(end - start));
		strbuf_add(&all, dec, n);
		free(dec);
		p = end;
	}
	*len = all.len;
	return all.buf ? strbuf_detach(&all) : xstrdup("");
}

/* Every regular file under dir, as bytes and with its log chunks decoded;
 * fails naming the first file holding a secret. Returns how many files were
 * read; *marks counts the redaction marks in the decoded logs. */
static int scan_tree(const char *dir, int *marks)
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
			files += scan_tree(path, marks);
		} else if (read_file(&data, &len, path) == 0) {
			size_t dlen = 0;
			char *dec = decoded_logs(data, &dlen);
			const char *what, *p;
			if ((what = leaked(data, len)))
				fail_msg("the secret value '%s' is written in %s", what, path);
			if ((what = leaked(dec, dlen)))
				fail_msg("the secret value '%s' is in the decoded log chunks of %s", what, path);
			for (p = dec; (p = memmem(p, dlen - (size_t)(p - dec), REDACT_MARK, 3)); p += 3)
				(*marks)++;
			files++;
			free(dec);
			free(data);
		}
		free(path);
	}
	closedir(d);
	return files;
}

static char *write_scenario(void)
{
	char *df = path_join(tmp, "Dockerfile"), *fail = path_join(tmp, "Dockerfile.fail");
	char *token = path_join(tmp, "token.txt"), *key = path_join(tmp, "key.pem");
	char *ini = path_join(tmp, "secrets.ini"), *rest;

	it_write_text(token, FILE_SECRET "\n");
	it_write_text(key, KEY_SECRET);
	/* required=true: the build fails when a secret is not given. Each step
	 * prints its secret: whole, in two writes a second apart (two log
	 * chunks), and one line of the key */
	it_write_text(df, "FROM bench/busybox:latest\n"
			  "RUN --mount=type=secret,id=token,required=true "
			  "echo \"token=$(cat /run/secrets/token)\"\n"
			  "RUN --mount=type=secret,id=envtok,required=true "
			  "echo \"env=$(cat /run/secrets/envtok)\"\n"
			  "RUN --mount=type=secret,id=token,required=true "
			  "head -c 7 /run/secrets/token; sleep 1; tail -c +8 /run/secrets/token\n"
			  "RUN --mount=type=secret,id=key,required=true "
			  "echo \"line=$(sed -n 2p /run/secrets/key)\"; cat /run/secrets/key\n");
	/* a step that prints the secret and fails: its output becomes the reason */
	it_write_text(fail, "FROM bench/busybox:latest\n"
			    "RUN --mount=type=secret,id=token,required=true "
			    "echo \"failing with $(cat /run/secrets/token)\"; exit 3\n");
	rest = xasprintf("secret = id=token,src=%s\nsecret = id=envtok,env=IT_SECRET_ENV\n"
			 "secret = id=key,src=%s\n\n"
			 "[variant v]\ndockerfile = %s\ncache = none\nrunner = persistent\n\n"
			 "[variant fails]\ndockerfile = %s\ncache = none\nrunner = persistent\n",
			 token, key, df, fail);
	it_write_scenario(ini, "secrets", "last:1", "5m", rest);
	free(rest);
	free(df);
	free(fail);
	free(token);
	free(key);
	return ini;
}

static void test_secrets_never_written(void **state)
{
	char *ini = write_scenario(), *results = path_join(tmp, "results"), *work = path_join(tmp, "work");
	char *out = NULL, *err = NULL, *dir;
	const char *args[] = {"run", ini, "--results", results, "--work", work, "--no-plot", NULL};
	int status, files, marks = 0;
	json_t *run, *b;
	size_t i;
	(void)state;

	/* exit 1: the "fails" variant fails, on purpose */
	status = it_bench(&out, &err, args);
	if (status != 1)
		fail_msg("the run with secrets exited %d, not 1:\n%s", status, err);
	assert_null(leaked(out, strlen(out)));
	assert_null(leaked(err, strlen(err)));
	dir = it_only_child(results);
	assert_non_null(dir);
	run = it_load_run(dir, NULL);
	assert_non_null(run);
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		if (!strcmp(it_str(b, "variant"), "v")) {
			if (strcmp(it_str(b, "status"), "ok"))
				fail_msg("the build that prints the secrets is %s: %s", it_str(b, "status"),
					 it_str(b, "reason"));
		} else {
			/* the failing step's output is in the reason, redacted */
			assert_string_equal(it_str(b, "status"), "failed");
			if (!strstr(it_str(b, "reason"), "failing with " REDACT_MARK))
				fail_msg("the reason lacks the step's redacted output: %s", it_str(b, "reason"));
		}
	}
	json_decref(run);
	files = scan_tree(results, &marks);
	assert_true(files >= 5); /* run.json, journal.jsonl, builds.csv, two logs */
	/* token, env, the two halves joined, the key's line and the whole key,
	 * and the failing step's: the steps printed them */
	if (marks < 6)
		fail_msg("only %d redaction marks in the logs: the steps did not print the secrets", marks);
	free(out);
	free(err);
	free(dir);
	out = err = NULL;

	/* the dry run names the secrets' ids and files, never their values */
	{
		const char *dry[] = {"run", ini, "--dry-run", NULL};
		assert_int_equal(it_bench(&out, &err, dry), 0);
		assert_non_null(strstr(out, "--secret"));
		assert_non_null(strstr(out, "id=token"));
		assert_non_null(strstr(out, "id=envtok,env=IT_SECRET_ENV"));
		assert_null(leaked(out, strlen(out)));
		assert_null(leaked(err, strlen(err)));
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
