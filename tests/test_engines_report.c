/*
 * test_engines_report.c: where report, compare and gate show the engines a
 * run was built on, with runs made in memory: the engines of a run (from its
 * builds, with the ids of environment.engines; a build from before engines
 * is the default engine's); the Markdown report's "Built on engines" line,
 * engine column and superseded note, only for a run spread over several;
 * builds.csv's engine column; compare's note when A and B come from other
 * engines, none when from the same one; the gate's note against a baseline
 * made on other engines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/gate.h"
#include "results/report.h"
#include "results/results.h"
#include "lib/util.h"

/* A run: variants a and b, 1 cold + 3 warm builds each; the builds of
 * variant b on engine `other` (NULL: every build on `first`). */
static json_t *make_run(const char *first, const char *other, const char *first_id, const char *other_id)
{
	json_t *run = json_object(), *builds = json_array(), *env = json_object(), *fps = json_array();
	const char *variants[] = {"a", "b"};
	int v, i;

	for (v = 0; v < 2; v++)
		for (i = 1; i <= 4; i++) {
			json_t *b = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:f, s:i, s:i}", "variant",
					      variants[v], "repetition", 1, "index", i, "commit", "c0ffee",
					      "phase", i == 1 ? "cold" : "warm", "status", "ok", "short", "c0ffee",
					      "wall_seconds", i == 1 ? 10.0 + v : 5.0 + 0.1 * i, "steps_total", 4,
					      "steps_cached", i == 1 ? 0 : 2);
			if (first)
				json_object_set_new(b, "engine", json_string(v && other ? other : first));
			json_array_append_new(builds, b);
		}
	if (first)
		json_array_append_new(fps, json_pack("{s:s, s:s}", "name", first, "engine_id", first_id));
	if (other)
		json_array_append_new(fps, json_pack("{s:s, s:s}", "name", other, "engine_id", other_id));
	json_object_set_new(env, "engines", fps);
	json_object_set_new(env, "hostname", json_string("vm"));
	json_object_set_new(env, "cpus", json_integer(2));
	json_object_set_new(run, "environment", env);
	json_object_set_new(run, "scenario", json_pack("{s:s}", "name", "eng"));
	json_object_set_new(run, "builds", builds);
	json_object_set_new(run, "summary", results_summary(builds));
	json_object_set_new(run, "finished", json_true());
	return run;
}

/* What fn wrote to a memory stream. Caller frees. */
static char *report_text(json_t *run, enum report_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(report_write(f, run, fmt), 0);
	fclose(f);
	return text;
}

static char *compare_text(json_t *a, json_t *b, bool markdown)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(compare_write(f, a, b, markdown, 0.05), 0);
	fclose(f);
	return text;
}

static void test_engines_of_a_run(void **state)
{
	json_t *one = make_run(NULL, NULL, NULL, NULL), *two = make_run("default", "node-2", "ID-A", "ID-B"), *e;
	char *names;

	(void)state;
	e = results_engines(one); /* a run from before engines */
	assert_int_equal(json_array_size(e), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "name")), "default");
	json_decref(e);
	e = results_engines(two);
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "engine_id")), "ID-B");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 1), "builds")), 4);
	names = results_engines_names(e);
	assert_string_equal(names, "default, node-2");
	free(names);
	json_decref(e);
	json_decref(one);
	json_decref(two);
}

static void test_report_shows_engines(void **state)
{
	json_t *one = make_run("default", NULL, "ID-A", NULL), *two = make_run("default", "node-2", "ID-A", "ID-B");
	char *text;

	(void)state;
	text = report_text(one, REPORT_MARKDOWN);
	assert_null(strstr(text, "Built on engines"));
	assert_null(strstr(text, "| engine |"));
	free(text);

	json_object_set_new(two, "superseded", json_pack("[{s:s}]", "variant", "b"));
	text = report_text(two, REPORT_MARKDOWN);
	assert_non_null(strstr(text, "Built on engines `default` (4 builds), `node-2` (4 builds)"));
	assert_non_null(strstr(text, "| image (MB) | engine | note |"));
	assert_non_null(strstr(text, " | node-2 | "));
	assert_non_null(strstr(text, "1 build made on an engine that stopped answering was made again"));
	free(text);

	text = report_text(two, REPORT_CSV);
	assert_non_null(strstr(text, ",reason,engine,cpu_contention\n"));
	assert_non_null(strstr(text, ",node-2,\n")); /* no cpu_contention recorded */
	free(text);
	json_decref(one);
	json_decref(two);
}

static void test_compare_notes_other_engines(void **state)
{
	json_t *a = make_run("default", NULL, "ID-A", NULL), *same = make_run("default", NULL, "ID-A", NULL);
	json_t *elsewhere = make_run("node-9", NULL, "ID-Z", NULL), *spread = make_run("default", "node-2", "ID-A", "ID-B");
	char *text;

	(void)state;
	text = compare_text(a, same, false);
	assert_null(strstr(text, "note:"));
	free(text);
	text = compare_text(a, elsewhere, false);
	assert_non_null(strstr(text, "note: A was built on engine default, B on engine node-9: other engines"));
	free(text);
	text = compare_text(a, spread, true);
	assert_non_null(strstr(text, "> **Note:** A was built on engine default, B on engines default, node-2"));
	free(text);
	text = compare_text(spread, spread, false);
	assert_non_null(strstr(text, "note: both runs were spread over engines default, node-2"));
	free(text);
	json_decref(a);
	json_decref(same);
	json_decref(elsewhere);
	json_decref(spread);
}

static bool has_note(const struct gate_report *r, const char *needle)
{
	size_t i;
	for (i = 0; i < r->notes.n; i++)
		if (strstr(r->notes.v[i], needle))
			return true;
	return false;
}

static void test_gate_notes_other_engines(void **state)
{
	json_t *base_run = make_run("default", NULL, "ID-A", NULL), *baseline = NULL;
	json_t *same = make_run("default", NULL, "ID-A", NULL), *spread = make_run("default", "node-2", "ID-A", "ID-B");
	struct gate_settings none;
	struct gate_limits limits;
	struct gate_report r;

	(void)state;
	gate_settings_unset(&none);
	gate_limits_resolve(&limits, &none, NULL);
	assert_int_equal(gate_baseline_from_run(&baseline, base_run, "base"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(baseline, "machine"), "engines")), 1);

	memset(&r, 0, sizeof(r));
	assert_int_equal(gate_evaluate(&r, same, baseline, &limits), 0);
	assert_false(has_note(&r, "engine"));
	gate_report_release(&r);

	memset(&r, 0, sizeof(r));
	assert_int_equal(gate_evaluate(&r, spread, baseline, &limits), 0);
	assert_true(has_note(&r, "this run was built on engines default, node-2, the baseline on default"));
	gate_report_release(&r);

	json_decref(baseline);
	json_decref(base_run);
	json_decref(same);
	json_decref(spread);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engines_of_a_run),
		cmocka_unit_test(test_report_shows_engines),
		cmocka_unit_test(test_compare_notes_other_engines),
		cmocka_unit_test(test_gate_notes_other_engines),
	};
	return cmocka_run_group_tests_name("engines_report", tests, NULL, NULL);
}
