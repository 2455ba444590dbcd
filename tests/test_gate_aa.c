/*
 * test_gate_aa.c: the gate's A/A and A/B test over recorded runs of the real
 * engine (tests/data/gate/aa/, see its README.md): runs of one small scenario
 * made on a shared, noisy machine, unchanged (A), with caching broken (B:
 * the code copied before the dependency step) and with a pure slowdown (B:
 * half a second more per build in the cached variants, the same steps
 * cached). Every A run serves as the baseline of every other: no pair may
 * fail (the false alarms). Against every A baseline, every broken run must
 * fail on cached steps and every slow run on its time against the
 * reference; and each A run with its cold builds halved (the issue's
 * adversarial case) must pass against its own baseline. The counts are
 * printed. No docker: the runs are read from disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "results/gate.h"
#include "results/results.h"
#include "lib/util.h"

#define MAX_RUNS 64

/* The recorded runs, by kind: the folder names end in -aa, -aa-broken,
 * -aa-slow. */
static struct {
	json_t *run[MAX_RUNS];
	char *name[MAX_RUNS];
	size_t n;
} same, broken, slow;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static int setup(void **state)
{
	const char *root = getenv("BENCH_DATADIR");
	char *dir = xasprintf("%s%stests/data/gate/aa/runs", root && *root ? root : "",
			      root && *root ? "/" : ""), *names[3 * MAX_RUNS];
	struct dirent *e;
	size_t n = 0, i;
	DIR *d = opendir(dir);
	(void)state;

	if (!d) {
		print_error("cannot open %s (run from the top folder or set BENCH_DATADIR)\n", dir);
		free(dir);
		return -1;
	}
	while ((e = readdir(d)) && n < 3 * MAX_RUNS)
		if (e->d_name[0] != '.')
			names[n++] = xstrdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]), *missing = NULL;
		json_t *run = NULL;
		if (results_load(&run, &missing, path) < 0 || missing) {
			print_error("%s: %s\n", path, missing ? missing : bench_error_last());
			json_decref(run);
			free(missing);
			free(path);
			free(names[i]);
			continue;
		}
		free(path);
#define KEEP(kind) do { kind.run[kind.n] = run; kind.name[kind.n++] = names[i]; } while (0)
		if (ends_with(names[i], "-aa") && same.n < MAX_RUNS)
			KEEP(same);
		else if (ends_with(names[i], "-aa-broken") && broken.n < MAX_RUNS)
			KEEP(broken);
		else if (ends_with(names[i], "-aa-slow") && slow.n < MAX_RUNS)
			KEEP(slow);
		else {
			json_decref(run);
			free(names[i]);
		}
#undef KEEP
	}
	free(dir);
	return 0;
}

static int teardown(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < same.n; i++) {
		json_decref(same.run[i]);
		free(same.name[i]);
	}
	for (i = 0; i < broken.n; i++) {
		json_decref(broken.run[i]);
		free(broken.name[i]);
	}
	for (i = 0; i < slow.n; i++) {
		json_decref(slow.run[i]);
		free(slow.name[i]);
	}
	return 0;
}

/* Judge run against the baseline made of then, with the default thresholds
 * (the reference: the first variant without cache). *failed lists the
 * failing checks as "variant check; ..." (caller frees; NULL when none). */
static size_t judge(char **failed, json_t *run, json_t *then)
{
	struct gate_limits limits;
	struct gate_report r;
	struct strbuf sb = {0};
	json_t *base = NULL;
	size_t i, n;

	gate_limits_resolve(&limits, NULL, NULL);
	assert_int_equal(gate_baseline_from_run(&base, then, "recorded"), 0);
	assert_int_equal(gate_evaluate(&r, run, base, &limits), 0);
	for (i = 0; i < r.count; i++)
		if (r.checks[i].status == GATE_FAIL)
			strbuf_printf(&sb, "%s%s %s", sb.len ? "; " : "", r.checks[i].variant,
				      r.checks[i].check);
	n = r.failed;
	gate_report_release(&r);
	json_decref(base);
	*failed = strbuf_detach(&sb);
	return n;
}

/* Every unchanged run against every other one's baseline: no failure. */
static void test_aa_no_false_alarms(void **state)
{
	size_t i, j, pairs = 0, alarms = 0;
	char *failed;
	(void)state;

	assert_true(same.n >= 10);
	for (i = 0; i < same.n; i++)
		for (j = 0; j < same.n; j++) {
			if (i == j)
				continue;
			pairs++;
			if (judge(&failed, same.run[j], same.run[i])) {
				alarms++;
				print_error("false alarm: %s against the baseline of %s: %s\n",
					    same.name[j], same.name[i], failed);
			}
			free(failed);
		}
	print_message("A/A over recorded runs: %zu false alarms in %zu pairs of %zu unchanged "
		      "runs\n", alarms, pairs, same.n);
	assert_int_equal(alarms, 0);
}

/* Kind's runs against every unchanged baseline: how many failed on both
 * checks `a` and `b` and not on `never` (NULL: any), printed and returned;
 * *pairs gets the number of pairs. */
static size_t detections(size_t *pairs, const char *label, json_t **runs, char **names, size_t n,
			 const char *a, const char *b, const char *never)
{
	size_t i, j, detected = 0;
	char *failed;

	*pairs = 0;
	for (i = 0; i < same.n; i++)
		for (j = 0; j < n; j++) {
			(*pairs)++;
			judge(&failed, runs[j], same.run[i]);
			if (strstr(failed, a) && strstr(failed, b) && !(never && strstr(failed, never)))
				detected++;
			else
				print_error("missed: %s against the baseline of %s: %s\n", names[j],
					    same.name[i], *failed ? failed : "nothing failed");
			free(failed);
		}
	print_message("A/B %s over recorded runs: %zu of %zu detected\n", label, detected, *pairs);
	return detected;
}

/* Every cache-breaking run fails against every unchanged baseline, on the
 * cached steps of both cached variants. */
static void test_ab_cache_break_detected(void **state)
{
	size_t pairs, detected;
	(void)state;
	assert_true(broken.n >= 3);
	detected = detections(&pairs, "cache break (cached steps)", broken.run, broken.name,
			      broken.n, "local cached steps", "persistent cached steps", NULL);
	assert_int_equal(detected, pairs);
}

/* Every run with the slower cached variants fails against every unchanged
 * baseline, on their time against the reference built in the same run. */
static void test_ab_slowdown_detected(void **state)
{
	size_t pairs, detected;
	(void)state;
	assert_true(slow.n >= 3);
	detected = detections(&pairs, "slowdown (vs nocache)", slow.run, slow.name, slow.n,
			      "local vs nocache", "persistent vs nocache", "cached steps");
	assert_int_equal(detected, pairs);
}

/* The adversarial case: a run against its own baseline, with only
 * its cold builds' times halved. */
static void test_halved_cold_builds_pass(void **state)
{
	size_t i, k, passed = 0;
	json_t *b;
	char *failed;
	(void)state;

	for (i = 0; i < same.n; i++) {
		json_t *copy = json_deep_copy(same.run[i]);
		json_array_foreach(json_object_get(copy, "builds"), k, b)
			if (!strcmp(json_string_value(json_object_get(b, "phase")), "cold"))
				json_object_set_new(b, "wall_seconds", json_real(json_number_value(
					json_object_get(b, "wall_seconds")) / 2));
		if (!judge(&failed, copy, same.run[i]))
			passed++;
		else
			print_error("%s with its cold builds halved failed: %s\n", same.name[i], failed);
		free(failed);
		json_decref(copy);
	}
	print_message("halved cold builds: %zu of %zu runs pass against their own baseline\n",
		      passed, same.n);
	assert_int_equal(passed, same.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aa_no_false_alarms),
		cmocka_unit_test(test_ab_cache_break_detected),
		cmocka_unit_test(test_ab_slowdown_detected),
		cmocka_unit_test(test_halved_cold_builds_pass),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
