/*
 * it_gate.c: the gate's A/A and A/B self-test on the real engine.
 * tests/data/gate/it/tiny-gate.ini (three commits of the tiny fixture, a
 * variant without cache and a persistent runner: nine builds of a few
 * seconds) is run once and kept as a baseline (`bench baseline`), then run
 * RERUNS more times unchanged with `bench run --gate`: none may fail (A/A,
 * the false alarms). tiny-gate-broken.ini, the same variants built from
 * dockerfiles/tiny/cache-breaking.Dockerfile (the code copied before the
 * dependency step), is run RERUNS times the same way: every one must fail,
 * naming "cached steps" (A/B, the detections). The counts are printed.
 * Then: an unchanged run against the committed baseline tiny-baseline.json
 * (recorded earlier, by another bench run) passes, and so does the
 * adversarial copy of the baseline's own results folder with only its cold
 * builds' times halved. About 21 runs of 9 builds: 5 minutes alone on the
 * engine.
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
#define RERUNS 10

struct run {
	int status;            /* bench run's exit status */
	char *out, *err;       /* its stdout and stderr */
	char *dir;             /* its results folder (NULL when none) */
};

static char *tmp;
static char *committed;    /* the committed baseline, absolute */
static char *fresh;        /* the baseline of `base`, made now */
static struct run base, same[RERUNS], broken[RERUNS];

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
			/* the copy in /tmp uses the repository's Dockerfiles */
			strbuf_printf(&sb, "repo = %s\nallow_outside = yes\n", repo);
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

/* `bench run SCENARIO [--gate BASELINE [--allow-different ALLOW]]` in its
 * own results folder. */
static void run_one(struct run *r, const char *scenario, const char *results_name,
		    const char *baseline, const char *allow)
{
	char *results = path_join(tmp, results_name);
	const char *args[] = {"run", scenario, "--results", results, "--no-plot", "-q",
			      baseline ? "--gate" : NULL, baseline, allow ? "--allow-different" : NULL, allow, NULL};

	r->status = bench(&r->out, &r->err, args);
	r->dir = it_only_child(results);
	free(results);
}

static int setup(void **state)
{
	char *good, *bad, *out = NULL, *err = NULL, name[32];
	int i;
	(void)state;

	tmp = xstrdup("/tmp/bench-it-gate-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	committed = path_absolute(DATA "/tiny-baseline.json");
	fresh = path_join(tmp, "baseline.json");
	good = scenario_copy("tiny-gate.ini");
	bad = scenario_copy("tiny-gate-broken.ini");
	run_one(&base, good, "base", NULL, NULL);
	if (base.dir) {
		const char *args[] = {"baseline", base.dir, "-o", fresh, NULL};
		if (bench(&out, &err, args) != 0)
			print_error("bench baseline failed:\n%s\n", err ? err : "");
	}
	/* A, B, A, B...: both see the same machine over the same minutes */
	for (i = 0; i < RERUNS; i++) {
		snprintf(name, sizeof(name), "same-%d", i);
		run_one(&same[i], good, name, fresh, NULL);
		snprintf(name, sizeof(name), "broken-%d", i);
		/* the cache-breaking Dockerfiles are the change a pull request gates */
		run_one(&broken[i], bad, name, fresh, "DOCKERFILES");
	}
	free(out);
	free(err);
	free(good);
	free(bad);
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
	int i;
	(void)state;
	run_release(&base);
	for (i = 0; i < RERUNS; i++) {
		run_release(&same[i]);
		run_release(&broken[i]);
	}
	rm_rf(tmp);
	free(tmp);
	free(committed);
	free(fresh);
	return 0;
}

static void require_results(const struct run *r)
{
	if (!r->dir)
		fail_msg("no results folder; bench run exited %d\nstdout:\n%s\nstderr:\n%s", r->status,
			 r->out ? r->out : "", r->err ? r->err : "");
}

/* `bench gate DIR --baseline FILE [--allow-different ALLOW]`: its exit
 * status; the text report in *text (caller frees). */
static int gate_text(char **text, const char *dir, const char *baseline, const char *allow)
{
	char *err = NULL;
	const char *args[] = {"gate", dir, "--baseline", baseline, allow ? "--allow-different" : NULL, allow, NULL};
	int status = bench(text, &err, args);

	if (status != 0 && status != 1)
		fail_msg("bench gate exited %d\n%s", status, err ? err : "");
	free(err);
	return status;
}

/* A/A: unchanged reruns against the baseline made from the first run. */
static void test_unchanged_reruns_pass(void **state)
{
	int i, alarms = 0;
	(void)state;
	require_results(&base);
	for (i = 0; i < RERUNS; i++) {
		require_results(&same[i]);
		if (same[i].status != 0) {
			alarms++;
			print_error("unchanged rerun %d exited %d:\n%s\n%s\n", i + 1, same[i].status,
				    same[i].out ? same[i].out : "", same[i].err ? same[i].err : "");
		}
		assert_non_null(strstr(same[i].out, "gate: PASS"));
	}
	print_message("A/A: %d false alarms in %d unchanged reruns\n", alarms, RERUNS);
	assert_int_equal(alarms, 0);
}

/* A/B: the cache-breaking Dockerfile fails every time, naming the check. */
static void test_cache_break_fails_every_time(void **state)
{
	int i, detected = 0;
	(void)state;
	for (i = 0; i < RERUNS; i++) {
		require_results(&broken[i]);
		if (broken[i].status == 1 && strstr(broken[i].out, "gate: FAIL") &&
		    strstr(broken[i].out, "FAIL  persistent  cached steps"))
			detected++;
		else
			print_error("cache-breaking run %d exited %d without naming cached steps:\n%s\n%s\n",
				    i + 1, broken[i].status, broken[i].out ? broken[i].out : "",
				    broken[i].err ? broken[i].err : "");
	}
	print_message("A/B: %d of %d cache-breaking runs failed the gate on \"persistent cached "
		      "steps\"\n", detected, RERUNS);
	assert_int_equal(detected, RERUNS);
}

/* The committed baseline, recorded earlier from the same scenario. */
static void test_committed_baseline(void **state)
{
	char *text = NULL;
	int status;
	(void)state;
	require_results(&same[0]);
	/* recorded on another engine (and maybe machine) than this one */
	status = gate_text(&text, same[0].dir, committed, "ENGINE,MACHINE");
	if (status != 0)
		fail_msg("an unchanged run failed against %s:\n%s", committed, text);
	assert_non_null(strstr(text, "PASS  persistent  cached steps"));
	free(text);
}

/* f with every cold build's wall_seconds and build_seconds halved. */
static void halve_cold(json_t *b)
{
	static const char *const keys[] = {"wall_seconds", "build_seconds"};
	size_t k;

	if (strcmp(it_str(b, "phase"), "cold"))
		return;
	for (k = 0; k < 2; k++) {
		json_t *v = json_object_get(b, keys[k]);
		if (json_is_number(v))
			json_object_set_new(b, keys[k], json_real(json_number_value(v) / 2));
	}
}

/* The adversarial case: the baseline's own results folder, copied
 * with only its cold builds' times halved in run.json and the journal (every
 * warm build as it was). Nothing got slower; one cold build per series cannot
 * tell noise from change: it must pass. */
static void test_halved_cold_builds_pass(void **state)
{
	char *copy = path_join(tmp, "halved"), *src, *dst, *text = NULL, *line, *next;
	struct strbuf journal = {0};
	json_t *run, *b;
	size_t i;
	int status;
	(void)state;
	require_results(&base);
	assert_int_equal(mkdir_p(copy), 0);

	run = it_load_run(base.dir, NULL);
	assert_non_null(run);
	json_array_foreach(json_object_get(run, "builds"), i, b)
		halve_cold(b);
	dst = path_join(copy, "run.json");
	assert_int_equal(json_dump_file(run, dst, JSON_INDENT(2)), 0);
	json_decref(run);
	free(dst);

	src = path_join(base.dir, "journal.jsonl");
	assert_int_equal(read_file(&text, NULL, src), 0);
	for (line = text; *line; line = next) {
		char *one;
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		b = json_loads(line, 0, NULL);
		assert_non_null(b);
		halve_cold(b);
		one = json_dumps(b, JSON_COMPACT);
		strbuf_printf(&journal, "%s\n", one);
		free(one);
		json_decref(b);
	}
	dst = path_join(copy, "journal.jsonl");
	assert_int_equal(write_file_atomic(dst, journal.buf, journal.len), 0);
	free(text);
	text = NULL;

	status = gate_text(&text, copy, fresh, NULL);
	if (status != 0)
		fail_msg("the baseline's own run with its cold builds halved failed:\n%s", text);
	/* warm/cold of the persistent runner doubled, from one cold build */
	assert_non_null(strstr(text, "PASS  persistent  warm/cold"));
	free(text);
	strbuf_release(&journal);
	free(src);
	free(dst);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_reruns_pass),
		cmocka_unit_test(test_cache_break_fails_every_time),
		cmocka_unit_test(test_committed_baseline),
		cmocka_unit_test(test_halved_cold_builds_pass),
	};
	return cmocka_run_group_tests_name("integration: the gate's A/A and A/B self-test on the "
					   "real engine", tests, setup, teardown);
}
