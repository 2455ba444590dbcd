/*
 * it_gate.c: integration proof of the regression gate on the real engine.
 * tests/data/gate/it/tiny-gate.ini (the tiny fixture's last 2 commits, three
 * repetitions, one variant "app" with a local cache) is run and gated
 * against the committed baseline tests/data/gate/it/tiny-baseline.json,
 * recorded from a real run of the same scenario: it must pass. The same
 * variant built from dockerfiles/tiny/cache-breaking.Dockerfile
 * (tiny-gate-broken.ini) must fail, naming "cached steps". Both runs are also
 * made with `bench run --gate`, whose exit status carries the verdict.
 * About 12 builds of a few seconds each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ittest.h"

#define DATA "tests/data/gate/it"

struct run {
	int status;            /* bench run's exit status */
	char *out, *err;       /* its stdout and stderr */
	char *dir;             /* its results folder (NULL when none) */
};

static char *tmp;
static char *baseline;     /* the committed baseline, absolute */
static struct run good, broken;

/*
 * A copy of DATA/name in tmp with "repo = " pointing at the fixture
 * repository ($BENCH_FIXTURES) and "dockerfile = " made absolute, so that the
 * scenario works from the temporary folder. Caller frees the path.
 */
static char *scenario_copy(const char *name)
{
	char *src = xasprintf("%s/%s", DATA, name), *dir = path_absolute(DATA);
	char *text = NULL, *line, *next, *dst = path_join(tmp, name), *repo = it_fixture_repo();
	struct strbuf sb = {0};

	assert_int_equal(read_file(&text, NULL, src), 0);
	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!strncmp(line, "repo = ", 7)) {
			strbuf_printf(&sb, "repo = %s\n", repo);
		} else if (!strncmp(line, "dockerfile = ", 13)) {
			char *rel = xstrndup(line + 13, strcspn(line + 13, "\n"));
			char *joined = path_join(dir, rel), *abs = path_absolute(joined);
			strbuf_printf(&sb, "dockerfile = %s\n", abs);
			free(rel);
			free(joined);
			free(abs);
		} else {
			strbuf_add(&sb, line, (size_t)(next - line));
		}
	}
	assert_int_equal(write_file_atomic(dst, sb.buf, sb.len), 0);
	strbuf_release(&sb);
	free(text);
	free(src);
	free(dir);
	free(repo);
	return dst;
}

/* `bench args...`: its exit status, -1 when it could not be run (the
 * callers' messages then show what there is). */
static int bench(char **out, char **err, const char *const *args)
{
	int status = -1;

	if (it_capture(out, err, &status, it_bench_bin(), args, 900) < 0)
		status = -1;
	return status;
}

/* `bench run SCENARIO --gate BASELINE` in its own results folder. */
static void run_gated(struct run *r, const char *scenario_name, const char *results_name)
{
	char *scenario = scenario_copy(scenario_name), *results = path_join(tmp, results_name);
	const char *args[] = {"run", scenario, "--results", results, "--no-plot", "-q",
			      "--gate", baseline, NULL};

	r->status = bench(&r->out, &r->err, args);
	r->dir = it_only_child(results);
	free(scenario);
	free(results);
}

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-it-gate-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	baseline = path_absolute(DATA "/tiny-baseline.json");
	run_gated(&good, "tiny-gate.ini", "good");
	run_gated(&broken, "tiny-gate-broken.ini", "broken");
	return 0;
}

static void run_release(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->dir);
}

static int teardown(void **state)
{
	(void)state;
	run_release(&good);
	run_release(&broken);
	rm_rf(tmp);
	free(tmp);
	free(baseline);
	return 0;
}

static void require_results(const struct run *r)
{
	if (!r->dir)
		fail_msg("no results folder; bench run exited %d\nstdout:\n%s\nstderr:\n%s", r->status,
			 r->out ? r->out : "", r->err ? r->err : "");
}

/* `bench gate DIR --baseline FILE --format json`, the verdict parsed. */
static int gate_json(json_t **verdict, const char *dir, const char *base)
{
	char *out = NULL, *err = NULL;
	const char *args[] = {"gate", dir, "--baseline", base, "--format", "json", NULL};
	int status = bench(&out, &err, args);

	*verdict = out ? json_loads(out, 0, NULL) : NULL;
	if (!*verdict)
		fail_msg("bench gate exited %d without a JSON verdict\nstdout:\n%s\nstderr:\n%s",
			 status, out ? out : "", err ? err : "");
	free(out);
	free(err);
	return status;
}

static const char *status_of(json_t *verdict, const char *check)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(verdict, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "variant")), "app") &&
		    !strcmp(json_string_value(json_object_get(c, "check")), check))
			return json_string_value(json_object_get(c, "status"));
	fail_msg("no check '%s' in the verdict", check);
	return NULL;
}

/* The text report of `bench gate DIR --baseline FILE`, for failure messages.
 * Caller frees. */
static char *gate_text(const char *dir, const char *base)
{
	char *out = NULL, *err = NULL;
	const char *args[] = {"gate", dir, "--baseline", base, NULL};

	bench(&out, &err, args);
	free(err);
	return out ? out : xstrdup("");
}

static void test_same_dockerfile_passes(void **state)
{
	json_t *v = NULL;
	int status;
	(void)state;
	require_results(&good);
	if ((status = gate_json(&v, good.dir, baseline)) != 0) {
		/* another client pruning the builder or re-tagging the base image
		 * during the run shows here as fewer cached steps */
		char *text = gate_text(good.dir, baseline);
		json_decref(v);
		fail_msg("bench gate exited %d for the unchanged Dockerfile:\n%s", status, text);
	}
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "pass");
	assert_string_equal(status_of(v, "cached steps"), "pass");
	assert_string_equal(status_of(v, "image size"), "pass");
	assert_string_equal(status_of(v, "cache size"), "pass");
	json_decref(v);
}

static void test_cache_breaking_fails(void **state)
{
	char *out = NULL, *err = NULL;
	json_t *v = NULL;
	(void)state;
	require_results(&broken);
	assert_int_equal(gate_json(&v, broken.dir, baseline), 1);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "fail");
	assert_string_equal(status_of(v, "cached steps"), "fail");
	json_decref(v);
	{
		const char *args[] = {"gate", broken.dir, "--baseline", baseline, NULL};
		assert_int_equal(bench(&out, &err, args), 1);
		assert_non_null(strstr(out, "FAIL  app"));
		assert_non_null(strstr(out, "cached steps"));
	}
	free(out);
	free(err);
}

/* A baseline made now from the good run, then the broken run against it. */
static void test_fresh_baseline_round_trip(void **state)
{
	char *fresh = path_join(tmp, "fresh.json"), *out = NULL, *err = NULL;
	json_t *v = NULL;
	(void)state;
	require_results(&good);
	require_results(&broken);
	{
		const char *args[] = {"baseline", good.dir, "-o", fresh, NULL};
		assert_int_equal(bench(&out, &err, args), 0);
	}
	assert_int_equal(gate_json(&v, good.dir, fresh), 0);
	json_decref(v);
	assert_int_equal(gate_json(&v, broken.dir, fresh), 1);
	assert_string_equal(status_of(v, "cached steps"), "fail");
	json_decref(v);
	free(out);
	free(err);
	free(fresh);
}

/* bench run --gate: the verdict is in its exit status and on stdout. */
static void test_run_gate_flag(void **state)
{
	(void)state;
	require_results(&good);
	require_results(&broken);
	if (good.status != 0)
		fail_msg("bench run --gate of the good scenario exited %d\nstdout:\n%s\nstderr:\n%s",
			 good.status, good.out, good.err);
	assert_non_null(strstr(good.out, "gate: PASS"));
	if (broken.status != 1 || !strstr(broken.out, "cached steps"))
		fail_msg("bench run --gate of the broken scenario exited %d (want 1, naming cached "
			 "steps)\nstdout:\n%s\nstderr:\n%s", broken.status, broken.out, broken.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_dockerfile_passes),
		cmocka_unit_test(test_cache_breaking_fails),
		cmocka_unit_test(test_fresh_baseline_round_trip),
		cmocka_unit_test(test_run_gate_flag),
	};
	return cmocka_run_group_tests_name("integration: bench gate on the real engine", tests,
					   setup, teardown);
}
