/*
 * test_supersede.c: a series built again on another engine (its first one
 * stopped answering) in the results folder (harness/results/results.c): the later
 * build of a key replaces the earlier in run.json's builds and builds.csv,
 * the earlier moves to "superseded"; the journal keeps both lines and the
 * loader reads them back the same way, whether run.json is current, older
 * than the journal, or missing; --resume's rewritten journal keeps both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "results/results.h"
#include "lib/util.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("test-supersede")

static json_t *build(int index, const char *engine, const char *status, double wall)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:f}", "variant", "v", "repetition", 1, "index", index,
			 "phase", index == 1 ? "cold" : "warm", "engine", engine, "status", status, "wall_seconds", wall);
}

static char *read_text(const char *dir, const char *name)
{
	char *path = path_join(dir, name), *text = NULL;
	assert_int_equal(read_file(&text, NULL, path), 0);
	free(path);
	return text;
}

static int count_lines(const char *text)
{
	int n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The run as the loader sees it: builds v/1/1 and v/1/2 from engine b, the
 * two of engine a superseded. */
static void assert_moved(json_t *run)
{
	json_t *builds = json_object_get(run, "builds"), *sup = json_object_get(run, "superseded");

	assert_int_equal(json_array_size(builds), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(builds, 0), "engine")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(builds, 1), "engine")), "b");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(builds, 0), "index")), 1);
	assert_int_equal(json_array_size(sup), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sup, 0), "engine")), "a");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sup, 1), "status")), "failed");
	/* the summary counts the builds that stand */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(run, "summary"), 0), "ok")),
			 2);
}

static void test_later_build_supersedes(void **state)
{
	struct results *r = NULL;
	json_t *run = NULL;
	char *text, *old_run, *run_path, *missing = NULL;

	(void)state;
	assert_int_equal(results_create(&r, tmp, "sup", json_object(), json_object()), 0);
	r->run_json_interval = 0; /* run.json (and its summary) after every build */
	assert_int_equal(results_append(r, build(1, "a", "ok", 1.0)), 0);
	assert_int_equal(results_append(r, build(2, "a", "failed", 2.0)), 0); /* a stopped answering */
	run_path = path_join(r->dir, "run.json");
	old_run = read_text(r->dir, "run.json");
	assert_int_equal(results_append(r, build(1, "b", "ok", 3.0)), 0);    /* restarted on b */
	assert_int_equal(results_append(r, build(2, "b", "ok", 4.0)), 0);
	assert_moved(r->run);

	text = read_text(r->dir, "journal.jsonl");
	assert_int_equal(count_lines(text), 4); /* nothing finished is lost */
	free(text);
	text = read_text(r->dir, "builds.csv");
	assert_int_equal(count_lines(text), 3); /* the header and the builds that stand */
	assert_null(strstr(text, "failed"));
	free(text);

	/* read back: run.json current */
	assert_int_equal(results_load(&run, &missing, r->dir), 0);
	assert_moved(run);
	json_decref(run);
	free(missing);

	/* run.json older than the journal (killed before it was written) */
	assert_int_equal(write_file_atomic(run_path, old_run, strlen(old_run)), 0);
	assert_int_equal(results_load(&run, &missing, r->dir), 0);
	assert_moved(run);
	json_decref(run);
	free(missing);

	/* no run.json at all */
	unlink(run_path);
	assert_int_equal(results_load(&run, &missing, r->dir), 0);
	assert_moved(run);
	json_decref(run);
	free(missing);

	/* --resume rewrites the journal: the superseded lines first */
	{
		char *dir = xstrdup(r->dir);
		struct results *again = NULL;
		char *notes = NULL;
		results_free(r);
		r = NULL;
		assert_int_equal(results_reopen(&again, &notes, dir), 0);
		free(notes);
		assert_moved(again->run);
		results_free(again);
		text = read_text(dir, "journal.jsonl");
		assert_int_equal(count_lines(text), 4);
		free(text);
		assert_int_equal(results_load(&run, &missing, dir), 0);
		assert_moved(run);
		json_decref(run);
		free(missing);
		free(dir);
	}
	free(old_run);
	free(run_path);
}

/* The same record twice (a journal line run.json already has) is one build. */
static void test_same_build_once(void **state)
{
	struct results *r = NULL;
	json_t *run = NULL;

	(void)state;
	assert_int_equal(results_create(&r, tmp, "once", json_object(), json_object()), 0);
	assert_int_equal(results_append(r, build(1, "a", "ok", 1.0)), 0);
	assert_int_equal(results_append(r, build(1, "a", "ok", 1.0)), 0);
	assert_int_equal(json_array_size(json_object_get(r->run, "builds")), 1);
	assert_null(json_object_get(r->run, "superseded"));
	assert_int_equal(results_load(&run, NULL, r->dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 1);
	assert_null(json_object_get(run, "superseded"));
	json_decref(run);
	results_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_later_build_supersedes),
		cmocka_unit_test(test_same_build_once),
	};
	return cmocka_run_group_tests_name("supersede", tests, setup, teardown);
}
