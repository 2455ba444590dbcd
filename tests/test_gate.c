/*
 * test_gate.c: unit tests of the regression gate (gate.c, gate_format.c,
 * cmd_gate.c), no docker. tests/data/gate/ holds hand-written recorded runs
 * (see its README.md): the baseline's run, an unchanged but noisy rerun, one
 * with broken caching, one with a single outlier, one consistently 40% slower
 * and one with a 10% bigger image. cmd_baseline and cmd_gate are called
 * directly and their exit statuses checked; stdout/stderr are captured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "lib/error.h"
#include "results/gate.h"
#include "results/results.h"
#include "lib/util.h"
#include "capture.h"

#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%.17g != %.17g (within %g)\n", a, b, eps);
		_fail(file, line);
	}
}

static char *tmp;       /* this test's folder */
static char *baseline;  /* tmp/baseline.json, made from tests/data/gate/base */

/* tests/data/gate/NAME: under $BENCH_DATADIR (tests/run-unit sets it), else
 * next to this file. */
static char *data(const char *name)
{
	const char *root = getenv("BENCH_DATADIR");
	char *dir, *path;

	if (root && *root)
		return xasprintf("%s/tests/data/gate/%s", root, name);
	dir = path_dirname(__FILE__);
	path = xasprintf("%s/data/gate/%s", dir, name);
	free(dir);
	return path;
}

static char *tmp_path(const char *name)
{
	return path_join(tmp, name);
}

/* Run fn(argv) with stdout and stderr captured into *out / *err (either may
 * be NULL: discarded). Returns its exit status. */
static int capture(char **out, char **err, int (*fn)(int, char **), const char *const *args)
{
	return capture_cmd(out, err, tmp, fn, args);
}

/* `bench gate DATA/run --baseline FILE EXTRA...`, the JSON verdict parsed
 * into *verdict (when not NULL). */
static int gate(json_t **verdict, const char *run, const char *base, const char *const *extra)
{
	char *dir = data(run), *json_path = tmp_path("verdict.json");
	const char *args[32] = {"gate", dir, "--baseline", base, "--format", "json", "-o", json_path};
	int n = 8, status;

	for (; extra && *extra; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	unlink(json_path);
	status = capture(NULL, NULL, cmd_gate, args);
	if (verdict)
		*verdict = status == 2 ? NULL : json_load_file(json_path, 0, NULL);
	free(dir);
	free(json_path);
	return status;
}

/* The check named `check` of `variant` in a JSON verdict (fails when none). */
static json_t *find_check(json_t *verdict, const char *variant, const char *check)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(verdict, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "variant")), variant) &&
		    !strcmp(json_string_value(json_object_get(c, "check")), check))
			return c;
	fail_msg("no check '%s' of '%s' in the verdict", check, variant);
	return NULL;
}

static const char *status_of(json_t *verdict, const char *variant, const char *check)
{
	return json_string_value(json_object_get(find_check(verdict, variant, check), "status"));
}

static size_t count_status(json_t *verdict, const char *status)
{
	json_t *c;
	size_t i, n = 0;

	json_array_foreach(json_object_get(verdict, "checks"), i, c)
		n += !strcmp(json_string_value(json_object_get(c, "status")), status);
	return n;
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_gate.XXXXXX";
	char *base = data("base");
	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	tmp = xstrdup(tmpl);
	baseline = tmp_path("baseline.json");
	{
		const char *args[] = {"baseline", base, "-o", baseline, NULL};
		char *err = NULL;
		if (capture(NULL, &err, cmd_baseline, args) != 0) {
			print_error("cannot make the baseline of %s (run from the top folder or set "
				    "BENCH_DATADIR): %s", base, err);
			free(err);
			free(base);
			return -1;
		}
		free(err);
	}
	free(base);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(tmp);
	free(baseline);
	return 0;
}

/* ---- baselines ---- */

static void test_baseline_round_trip(void **state)
{
	json_t *b = NULL, *local, *nocache;
	(void)state;

	assert_int_equal(gate_baseline_load(&b, baseline), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "bench_baseline")), 2);
	assert_string_equal(json_string_value(json_object_get(b, "source")), "base");
	assert_true(json_is_string(json_object_get(b, "created")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "machine"), "hostname")),
			    "ci-runner-1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "machine"), "cpus")), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "machine"), "buildx")),
			    "v0.13.1");
	assert_int_equal(json_array_size(json_object_get(b, "commits")), 6);

	local = json_object_get(json_object_get(b, "variants"), "multi-local");
	nocache = json_object_get(json_object_get(b, "variants"), "multi-nocache");
	assert_non_null(local);
	assert_non_null(nocache);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(local, "warm"), "n")), 5);
	assert_near(json_number_value(json_object_get(json_object_get(local, "warm"), "median")), 5.0, 1e-9);
	assert_near(json_number_value(json_object_get(json_object_get(local, "warm"), "min")), 4.9, 1e-9);
	assert_near(json_number_value(json_object_get(json_object_get(local, "warm"), "max")), 5.2, 1e-9);
	assert_near(json_number_value(json_object_get(json_object_get(local, "cold"), "median")), 12.0, 1e-9);
	assert_int_equal(json_array_size(json_object_get(local, "warm_samples")), 5);
	assert_int_equal(json_array_size(json_object_get(local, "cold_samples")), 1);
	assert_near(json_number_value(json_object_get(local, "warm_over_cold")), 5.0 / 12.0, 1e-9);
	assert_near(json_number_value(json_object_get(local, "cached_steps_warm")), 29.0 / 5, 1e-9);
	assert_near(json_number_value(json_object_get(local, "cached_step_ratio")), 29.0 / 40, 1e-9);
	assert_near(json_number_value(json_object_get(local, "image_bytes")), 10e6, 1e-3);
	assert_near(json_number_value(json_object_get(local, "cache_bytes")), 3.3e6, 1e-3);
	assert_near(json_number_value(json_object_get(json_object_get(local, "relative"), "multi-nocache")),
		    5.0 / 20.0, 1e-9);
	assert_near(json_number_value(json_object_get(json_object_get(nocache, "relative"), "multi-local")),
		    20.0 / 5.0, 1e-9);
	assert_near(json_number_value(json_object_get(nocache, "cache_bytes")), 0, 1e-9);
	/* what the time checks need: the variant's cache, one figure per series,
	 * each warm build with its commit */
	assert_true(json_is_true(json_object_get(local, "caching")));
	assert_true(json_is_false(json_object_get(nocache, "caching")));
	assert_string_equal(json_string_value(json_object_get(nocache, "cache")), "none");
	assert_int_equal(json_array_size(json_object_get(local, "series")), 1);
	assert_near(json_number_value(json_object_get(json_array_get(json_object_get(local, "series"), 0),
						      "warm_over_cold")), 5.0 / 12.0, 1e-9);
	assert_int_equal(json_array_size(json_object_get(local, "warm_builds")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(local, "warm_builds"), 0), "commit")),
		json_string_value(json_array_get(json_object_get(b, "commits"), 1)));
	json_decref(b);
}

static void test_baseline_to_stdout_and_errors(void **state)
{
	char *out = NULL, *err = NULL, *base = data("base"), *missing = tmp_path("no-such-results");
	json_t *j;
	(void)state;
	{
		const char *args[] = {"baseline", base, NULL};
		assert_int_equal(capture(&out, NULL, cmd_baseline, args), 0);
		j = json_loads(out, 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "bench_baseline")), 2);
		json_decref(j);
		free(out);
	}
	{
		const char *args[] = {"baseline", missing, "-o", baseline, NULL};
		assert_int_equal(capture(NULL, &err, cmd_baseline, args), 2);
		assert_non_null(strstr(err, "no-such-results"));
		free(err);
	}
	{
		const char *args[] = {"baseline", NULL};
		assert_int_equal(capture(NULL, NULL, cmd_baseline, args), 2);
	}
	free(base);
	free(missing);
}

/* ---- the recorded runs ---- */

static void test_same_run_passes(void **state)
{
	json_t *v = NULL;
	(void)state;
	assert_int_equal(gate(&v, "base", baseline, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "pass");
	assert_int_equal(count_status(v, "fail"), 0);
	/* no cache folder without cache = local: skipped, with the reason */
	assert_string_equal(status_of(v, "multi-nocache", "cache size"), "skip");
	assert_non_null(json_string_value(json_object_get(find_check(v, "multi-nocache", "cache size"),
							  "note")));
	json_decref(v);
}

static void test_noisy_rerun_passes(void **state)
{
	const char *absolute[] = {"--absolute", NULL};
	json_t *v = NULL;
	char *notes;
	(void)state;
	assert_int_equal(gate(&v, "noisy", baseline, NULL), 0);
	assert_string_equal(status_of(v, "multi-local", "warm/cold"), "pass");
	/* recorded on another runner: said so */
	notes = json_dumps(json_object_get(v, "notes"), 0);
	assert_non_null(strstr(notes, "another machine"));
	free(notes);
	json_decref(v);
	assert_int_equal(gate(&v, "noisy", baseline, absolute), 0);
	assert_string_equal(status_of(v, "multi-local", "warm median"), "pass");
	json_decref(v);
}

static void test_broken_cache_fails(void **state)
{
	json_t *v = NULL, *c;
	char *text = NULL, *dir = data("broken-cache");
	(void)state;
	assert_int_equal(gate(&v, "broken-cache", baseline, NULL), 1);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "fail");
	c = find_check(v, "multi-local", "cached steps");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "fail");
	assert_near(json_number_value(json_object_get(c, "measured")), 0, 1e-9);
	assert_near(json_number_value(json_object_get(c, "baseline")), 5.8, 1e-9);
	assert_string_equal(json_string_value(json_object_get(c, "limit_is")), "minimum");
	/* one series, one cold build on each side: warm/cold cannot decide */
	c = find_check(v, "multi-local", "warm/cold");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "pass");
	assert_true(json_is_true(json_object_get(c, "inconclusive")));
	assert_non_null(strstr(json_string_value(json_object_get(c, "note")), "inconclusive"));
	/* against the variant without cache (the reference by default), commit
	 * by commit, it can */
	assert_string_equal(status_of(v, "multi-local", "vs multi-nocache"), "fail");
	assert_true(json_is_true(json_object_get(json_object_get(v, "thresholds"), "reference_auto")));
	/* the variant without a cache is unaffected, and has no warm/cold */
	assert_string_equal(status_of(v, "multi-nocache", "cached steps"), "pass");
	assert_string_equal(status_of(v, "multi-nocache", "warm/cold"), "skip");
	json_decref(v);

	/* the text report names the failing check on a FAIL line */
	{
		const char *args[] = {"gate", dir, "--baseline", baseline, NULL};
		char *line;
		assert_int_equal(capture(&text, NULL, cmd_gate, args), 1);
		line = strstr(text, "FAIL  multi-local");
		assert_non_null(line);
		assert_non_null(strstr(text, "cached steps"));
		assert_non_null(strstr(text, "gate: FAIL"));
		assert_non_null(strstr(text, "noise rule:"));
		free(text);
	}
	/* allowed to fall, and no reference: passes */
	{
		const char *extra[] = {"--cached-steps-may-fall", "--reference", "none", NULL};
		assert_int_equal(gate(&v, "broken-cache", baseline, extra), 0);
		assert_string_equal(status_of(v, "multi-local", "cached steps"), "skip");
		json_decref(v);
	}
	free(dir);
}

static void test_one_outlier_passes(void **state)
{
	/* even an absolute check with a 1% threshold: the median moved 2%, but
	 * one noisy sample is within the noise */
	const char *tight[] = {"--absolute", "--warm-median-growth", "1%", NULL};
	json_t *v = NULL, *c;
	(void)state;
	assert_int_equal(gate(&v, "outlier", baseline, NULL), 0);
	json_decref(v);
	assert_int_equal(gate(&v, "outlier", baseline, tight), 0);
	c = find_check(v, "multi-local", "warm median");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "pass");
	assert_true(json_number_value(json_object_get(c, "measured")) >
		    json_number_value(json_object_get(c, "limit")));
	assert_non_null(strstr(json_string_value(json_object_get(c, "note")), "within the noise"));
	assert_non_null(strstr(json_string_value(json_object_get(v, "noise_rule")), "Mann-Whitney"));
	json_decref(v);
}

static void test_slow_warm_builds_fail(void **state)
{
	const char *absolute[] = {"--absolute", NULL};
	const char *loose[] = {"--warm-over-cold-growth", "0.5", "--warm-median-growth", "50%", NULL};
	json_t *v = NULL, *c;
	(void)state;
	/* the run's own [gate] section names the reference variant */
	assert_int_equal(gate(&v, "slow", baseline, NULL), 1);
	assert_string_equal(status_of(v, "multi-local", "warm/cold"), "pass");
	c = find_check(v, "multi-local", "vs multi-nocache");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "fail");
	assert_near(json_number_value(json_object_get(c, "measured")), 7.0 / 20.0, 0.01);
	assert_near(json_number_value(json_object_get(c, "baseline")), 5.0 / 20.0, 0.01);
	assert_near(json_number_value(json_object_get(c, "limit")), json_number_value(json_object_get(c, "baseline")) * 1.15, 1e-9);
	assert_non_null(strstr(json_string_value(json_object_get(c, "note")), "Mann-Whitney"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "thresholds"),
							      "reference")), "multi-nocache");
	assert_true(json_is_false(json_object_get(json_object_get(v, "thresholds"), "reference_auto")));
	/* the reference is not judged against itself; absolute is off by default */
	json_t *ch;
	size_t i;
	json_array_foreach(json_object_get(v, "checks"), i, ch) {
		assert_string_not_equal(json_string_value(json_object_get(ch, "check")), "warm median");
		if (!strcmp(json_string_value(json_object_get(ch, "variant")), "multi-nocache"))
			assert_null(strstr(json_string_value(json_object_get(ch, "check")), "vs "));
	}
	json_decref(v);

	assert_int_equal(gate(&v, "slow", baseline, absolute), 1);
	assert_string_equal(status_of(v, "multi-local", "warm median"), "fail");
	json_decref(v);
	/* flags beat the scenario's [gate] and the defaults */
	assert_int_equal(gate(&v, "slow", baseline, loose), 0);
	assert_near(json_number_value(json_object_get(json_object_get(v, "thresholds"),
						      "warm_over_cold_growth")), 0.5, 1e-12);
	json_decref(v);
}

static void test_bigger_image_fails(void **state)
{
	const char *looser[] = {"--image-growth", "15%", NULL};
	json_t *v = NULL, *c;
	(void)state;
	assert_int_equal(gate(&v, "image-bigger", baseline, NULL), 1);
	c = find_check(v, "multi-local", "image size");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "fail");
	assert_near(json_number_value(json_object_get(c, "limit")), 10.5e6, 1e-3);
	assert_int_equal(count_status(v, "fail"), 1);
	json_decref(v);
	assert_int_equal(gate(&v, "image-bigger", baseline, looser), 0);
	json_decref(v);
}

/* ---- baselines edited, missing or corrupt ---- */

static void test_stricter_baseline_fails(void **state)
{
	char *strict = tmp_path("strict.json");
	json_t *b = NULL, *local, *v = NULL;
	(void)state;
	assert_int_equal(gate_baseline_load(&b, baseline), 0);
	local = json_object_get(json_object_get(b, "variants"), "multi-local");
	json_object_set_new(local, "cached_steps_warm", json_real(7));
	json_object_set_new(local, "cache_bytes", json_real(2e6));
	assert_int_equal(gate_baseline_save(strict, b), 0);
	json_decref(b);

	assert_int_equal(gate(&v, "base", strict, NULL), 1);
	assert_string_equal(status_of(v, "multi-local", "cached steps"), "fail");
	assert_string_equal(status_of(v, "multi-local", "cache size"), "fail");
	assert_string_equal(status_of(v, "multi-local", "image size"), "pass");
	json_decref(v);
	free(strict);
}

/* A baseline of format 1 (no series, no warm builds by commit, no cache
 * kind) still judges: one figure on its side, which cannot decide alone. */
static void test_format_1_baseline(void **state)
{
	char *old = tmp_path("format-1.json"), *notes;
	json_t *b = NULL, *fig, *v = NULL;
	const char *name;
	(void)state;
	assert_int_equal(gate_baseline_load(&b, baseline), 0);
	json_object_set_new(b, "bench_baseline", json_integer(1));
	json_object_foreach(json_object_get(b, "variants"), name, fig) {
		json_object_del(fig, "series");
		json_object_del(fig, "warm_builds");
		json_object_del(fig, "caching");
	}
	assert_int_equal(gate_baseline_save(old, b), 0);
	json_decref(b);

	assert_int_equal(gate(&v, "slow", old, NULL), 0);
	assert_true(json_is_true(json_object_get(find_check(v, "multi-local", "vs multi-nocache"),
						 "inconclusive")));
	notes = json_dumps(json_object_get(v, "notes"), 0);
	assert_non_null(strstr(notes, "format version 1"));
	free(notes);
	json_decref(v);
	/* exact checks do not need the new figures */
	assert_int_equal(gate(&v, "broken-cache", old, NULL), 1);
	assert_string_equal(status_of(v, "multi-local", "cached steps"), "fail");
	json_decref(v);
	free(old);
}

static void test_missing_and_corrupt_baseline(void **state)
{
	char *missing = tmp_path("missing.json"), *corrupt = tmp_path("corrupt.json");
	char *other = tmp_path("other.json"), *future = tmp_path("future.json"), *err = NULL;
	char *dir = data("base"), *expect;
	(void)state;

	assert_int_equal(gate(NULL, "base", missing, NULL), 2);
	expect = xasprintf("cannot read baseline '%s': No such file or directory", missing);
	assert_string_equal(bench_error_last(), expect);
	free(expect);

	assert_int_equal(write_file_atomic(corrupt, "{\"bench_baseline\": 1,", 21), 0);
	assert_int_equal(gate(NULL, "base", corrupt, NULL), 2);
	assert_non_null(strstr(bench_error_last(), "corrupt.json' is not a bench baseline"));

	assert_int_equal(write_file_atomic(other, "{\"builds\": []}\n", 15), 0);
	{
		const char *args[] = {"gate", dir, "--baseline", other, NULL};
		assert_int_equal(capture(NULL, &err, cmd_gate, args), 2);
		expect = xasprintf("bench gate: error: baseline '%s' is not a bench baseline "
				   "(missing 'bench_baseline')\n", other);
		assert_string_equal(err, expect);
		free(expect);
		free(err);
	}

	assert_int_equal(write_file_atomic(future, "{\"bench_baseline\": 3, \"variants\": {}}", 37), 0);
	assert_int_equal(gate(NULL, "base", future, NULL), 2);
	assert_non_null(strstr(bench_error_last(), "version 3"));
	free(missing);
	free(corrupt);
	free(other);
	free(future);
	free(dir);
}

static void test_usage_errors(void **state)
{
	char *dir = data("base"), *nowhere = tmp_path("nowhere");
	(void)state;
	{
		const char *args[] = {"gate", dir, NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
	}
	{
		const char *args[] = {"gate", "--baseline", baseline, NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
	}
	{
		const char *args[] = {"gate", dir, "--baseline", baseline, "--format", "yaml", NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
	}
	{
		const char *args[] = {"gate", dir, "--baseline", baseline, "--image-growth", "lots", NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
	}
	{
		const char *args[] = {"gate", dir, "--baseline", baseline, "--bogus", NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
	}
	{
		const char *args[] = {"gate", nowhere, "--baseline", baseline, NULL};
		assert_int_equal(capture(NULL, NULL, cmd_gate, args), 2);
		assert_non_null(strstr(bench_error_last(), "nowhere"));
	}
	{
		const char *extra[] = {"--reference", "no-such-variant", NULL};
		assert_int_equal(gate(NULL, "base", baseline, extra), 2);
		assert_non_null(strstr(bench_error_last(), "no-such-variant"));
	}
	{
		const char *args[] = {"gate", "--help", NULL};
		char *out = NULL;
		assert_int_equal(capture(&out, NULL, cmd_gate, args), 0);
		assert_non_null(strstr(out, "--baseline FILE"));
		free(out);
	}
	free(dir);
	free(nowhere);
}

/* ---- report forms ---- */

static void test_markdown_and_summary(void **state)
{
	char *md_path = tmp_path("report.md"), *summary = tmp_path("summary.md");
	char *dir = data("image-bigger"), *md = NULL, *sum = NULL, *out = NULL;
	(void)state;
	assert_int_equal(write_file_atomic(summary, "earlier step\n", 13), 0);
	{
		const char *args[] = {"gate", dir, "--baseline", baseline, "--format", "markdown",
				      "-o", md_path, "--summary", summary, NULL};
		assert_int_equal(capture(&out, NULL, cmd_gate, args), 1);
	}
	/* with -o, the text report still goes to stdout */
	assert_non_null(strstr(out, "FAIL  multi-local"));
	assert_int_equal(read_file(&md, NULL, md_path), 0);
	assert_non_null(strstr(md, "### bench gate: "));
	assert_non_null(strstr(md, "FAIL"));
	assert_non_null(strstr(md, "| Status | Variant | Check | Measured | Limit | Baseline | Rule |\n"
				   "| --- | --- | --- | ---: | ---: | ---: | --- |\n"));
	assert_non_null(strstr(md, "| \u274c **FAIL** | multi-local | image size | 11 MB | <= 10.5 MB | 10 MB |"));
	assert_non_null(strstr(md, "Noise rule:"));
	/* the summary is appended to, never replaced */
	assert_int_equal(read_file(&sum, NULL, summary), 0);
	assert_int_equal(strncmp(sum, "earlier step\n### bench gate: ", 29), 0);
	assert_non_null(strstr(sum, md + 4));
	free(md);
	free(sum);
	free(out);
	free(md_path);
	free(summary);
	free(dir);
}

static void test_text_and_json_shape(void **state)
{
	json_t *v = NULL, *c;
	size_t i;
	(void)state;
	assert_int_equal(gate(&v, "noisy", baseline, NULL), 0);
	assert_true(json_is_object(json_object_get(v, "thresholds")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "counts"), "fail")), 0);
	assert_true(json_array_size(json_object_get(v, "checks")) >= 10);
	json_array_foreach(json_object_get(v, "checks"), i, c) {
		assert_true(json_is_string(json_object_get(c, "variant")));
		assert_true(json_is_string(json_object_get(c, "check")));
		assert_true(json_is_string(json_object_get(c, "rule")));
		assert_non_null(json_object_get(c, "measured"));
		assert_non_null(json_object_get(c, "baseline"));
		assert_non_null(json_object_get(c, "limit"));
	}
	json_decref(v);
}

static void test_gate_run(void **state)
{
	/* a copy: gate_run keeps its verdict in the folder (gate.json) */
	char *src = data("slow"), *slow = tmp_path("slow-run"), *out_path = tmp_path("gate-run.txt");
	char *verdict = path_join(slow, "gate.json"), *text = NULL;
	struct gate_settings loose;
	int regressed = -1;
	json_t *v;
	FILE *f;
	(void)state;

	assert_int_equal(copy_tree(slow, src), 0);
	f = fopen(out_path, "w");
	assert_non_null(f);
	assert_int_equal(gate_run(&regressed, slow, baseline, NULL, NULL, f), 0);
	fclose(f);
	assert_int_equal(regressed, 1);
	assert_int_equal(read_file(&text, NULL, out_path), 0);
	assert_non_null(strstr(text, "vs multi-nocache"));
	free(text);
	/* the same verdict as JSON beside the results, for the results page */
	v = json_load_file(verdict, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "fail");
	json_decref(v);

	/* the settings bench run passes win over the run's own */
	gate_settings_unset(&loose);
	loose.warm_median_growth = 1;
	f = fopen(out_path, "w");
	assert_int_equal(gate_run(&regressed, slow, baseline, &loose, NULL, f), 0);
	fclose(f);
	assert_int_equal(regressed, 0);

	f = fopen(out_path, "w");
	assert_true(gate_run(&regressed, slow, out_path, NULL, NULL, f) < 0);
	fclose(f);
	assert_int_equal(regressed, 0);
	assert_non_null(strstr(bench_error_last(), "is not a bench baseline"));
	free(verdict);
	free(src);
	free(slow);
	free(out_path);
}

/* ---- the noise rule on small samples (in memory) ---- */

/* A run of one variant "v": `reps` series, series r a cold build of cold[r]
 * seconds at commit c0 then warm builds of warm[r * per_rep + k] seconds at
 * commits c1, c2...; plus a variant only in some runs. */
static json_t *mini_series(const double *cold, size_t reps, const double *warm, size_t per_rep,
			   const char *extra_variant)
{
	json_t *builds = json_array();
	size_t r, k;

	for (r = 0; r < reps; r++) {
		json_array_append_new(builds, json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:f, s:i, s:i, s:i, s:i}",
			"variant", "v", "repetition", (int)r + 1, "commit", "c0", "index", 1, "phase",
			"cold", "status", "ok", "wall_seconds", cold[r], "steps_total", 4, "steps_cached",
			0, "image_bytes", 1000, "cache_bytes", 0));
		for (k = 0; k < per_rep; k++) {
			char commit[16];
			snprintf(commit, sizeof(commit), "c%zu", k + 1);
			json_array_append_new(builds, json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:f, s:i, s:i, s:i, s:i}",
				"variant", "v", "repetition", (int)r + 1, "commit", commit, "index",
				(int)k + 2, "phase", "warm", "status", "ok", "wall_seconds",
				warm[r * per_rep + k], "steps_total", 4, "steps_cached", 3, "image_bytes",
				1000, "cache_bytes", 0));
		}
	}
	if (extra_variant)
		json_array_append_new(builds, json_pack("{s:s, s:i, s:i, s:s, s:s, s:f}", "variant",
			extra_variant, "repetition", 1, "index", 1, "phase", "cold", "status", "ok",
			"wall_seconds", 10.0));
	return json_pack("{s:o, s:{s:s}, s:o}", "builds", builds, "environment", "hostname", "h",
			 "scenario", json_null());
}

/* One series: a cold build of 10 s and the given warm times. */
static json_t *mini_run(const double *warm, size_t n, const char *extra_variant)
{
	const double cold = 10.0;
	return mini_series(&cold, 1, warm, n, extra_variant);
}

/* The check `check` of "v" in run_now judged against the baseline of
 * run_then (both released here); *inconclusive (may be NULL) gets its flag. */
static enum gate_status judge_runs(bool *inconclusive, const char *check, json_t *run_now,
				   json_t *run_then, bool absolute)
{
	json_t *base = NULL;
	struct gate_limits limits;
	struct gate_report r;
	enum gate_status status = GATE_SKIP;
	size_t i;
	bool found = false;

	gate_limits_resolve(&limits, NULL, NULL);
	limits.absolute = absolute;
	assert_int_equal(gate_baseline_from_run(&base, run_then, "mini"), 0);
	assert_int_equal(gate_evaluate(&r, run_now, base, &limits), 0);
	for (i = 0; i < r.count; i++)
		if (!strcmp(r.checks[i].variant, "v") && !strcmp(r.checks[i].check, check)) {
			status = r.checks[i].status;
			if (inconclusive)
				*inconclusive = r.checks[i].inconclusive;
			found = true;
		}
	assert_true(found);
	gate_report_release(&r);
	json_decref(base);
	json_decref(run_then);
	json_decref(run_now);
	return status;
}

/* The status of check `check` of "v" for a run with warm times `now` against
 * a baseline with warm times `then` (one series each). */
static enum gate_status judge(bool *inconclusive, const char *check, const double *now, size_t nn,
			      const double *then, size_t nt, bool absolute)
{
	return judge_runs(inconclusive, check, mini_run(now, nn, NULL), mini_run(then, nt, NULL),
			  absolute);
}

static void test_noise_rule_small_samples(void **state)
{
	const double then2[] = {5.0, 5.1}, apart[] = {8.0, 8.2};
	const double then3[] = {5.0, 5.1, 5.2}, slow3[] = {8.0, 8.1, 8.2};
	const double then4[] = {5.0, 5.1, 5.2, 4.9}, slow4[] = {8.0, 8.1, 8.2, 7.9};
	const double then5[] = {5.0, 5.1, 5.2, 5.0, 4.9}, mixed5[] = {4.9, 9.0, 5.0, 9.2, 9.1};
	const double slow5[] = {8.0, 8.1, 8.2, 8.3, 7.9};
	bool inc = false;
	(void)state;
	/* absolute warm medians, one sample per warm build: 2 against 2 and 3
	 * against 3 cannot reach p < 0.05 even with ranges far apart */
	assert_int_equal(judge(&inc, "warm median", apart, 2, then2, 2, true), GATE_PASS);
	assert_true(inc);
	assert_int_equal(judge(&inc, "warm median", slow3, 3, then3, 3, true), GATE_PASS);
	assert_true(inc);
	/* 4 against 4 can (p = 0.029) */
	assert_int_equal(judge(&inc, "warm median", slow4, 4, then4, 4, true), GATE_FAIL);
	assert_false(inc);
	/* 5 against 5: the median moved, but two of five samples are as fast as
	 * ever: within the noise, not inconclusive */
	assert_int_equal(judge(&inc, "warm median", mixed5, 5, then5, 5, true), GATE_PASS);
	assert_false(inc);
	assert_int_equal(judge(&inc, "warm median", slow5, 5, then5, 5, true), GATE_FAIL);
	/* warm/cold of one series is one figure, however many warm builds it has:
	 * 60% slower warm builds against one cold build each cannot decide */
	assert_int_equal(judge(&inc, "warm/cold", slow5, 5, then5, 5, false), GATE_PASS);
	assert_true(inc);
	/* faster: passes */
	assert_int_equal(judge(&inc, "warm/cold", then5, 5, slow5, 5, false), GATE_PASS);
}

/* warm/cold with five series: each one figure with its own cold build. */
static void test_warm_over_cold_per_series(void **state)
{
	const double cold[] = {10, 10, 10, 10, 10};
	/* the disagreement: baseline {0.40..0.44}, run {0.45, 0.46, 0.53,
	 * 0.54, 0.55}, limit +0.10. Unshifted, Mann-Whitney tells them apart
	 * (p = 0.008); against the baseline shifted by 0.10 it does not, and the
	 * ranges shifted overlap too: one rule, one answer, a pass */
	const double base[] = {4.0, 4.1, 4.2, 4.3, 4.4}, run[] = {4.5, 4.6, 5.3, 5.4, 5.5};
	const double beyond[] = {5.6, 5.7, 5.8, 5.9, 6.0};
	/* the cold builds vary, the warm ones do not: warm/cold follows the cold */
	const double noisy_cold[] = {10, 7, 13, 10, 8}, same_warm[] = {4.2, 4.2, 4.2, 4.2, 4.2};
	bool inc = true;
	(void)state;

	assert_int_equal(judge_runs(&inc, "warm/cold", mini_series(cold, 5, run, 1, NULL),
				    mini_series(cold, 5, base, 1, NULL), false), GATE_PASS);
	assert_false(inc);
	assert_int_equal(judge_runs(&inc, "warm/cold", mini_series(cold, 5, beyond, 1, NULL),
				    mini_series(cold, 5, base, 1, NULL), false), GATE_FAIL);
	assert_int_equal(judge_runs(&inc, "warm/cold", mini_series(noisy_cold, 5, same_warm, 1, NULL),
				    mini_series(cold, 5, base, 1, NULL), false), GATE_PASS);
}

static void test_variants_missing_on_either_side(void **state)
{
	const double warm[] = {5.0, 5.1, 5.2};
	json_t *run_then = mini_run(warm, 3, "old-variant"), *run_now = mini_run(warm, 3, "new-variant");
	json_t *base = NULL;
	struct gate_limits limits;
	struct gate_report r;
	struct strbuf sb = {0};
	(void)state;

	gate_limits_resolve(&limits, NULL, NULL);
	assert_int_equal(gate_baseline_from_run(&base, run_then, "mini"), 0);
	assert_int_equal(gate_evaluate(&r, run_now, base, &limits), 0);
	assert_int_equal(r.failed, 0);
	gate_format_report(&sb, &r, GATE_TEXT);
	assert_non_null(strstr(sb.buf, "SKIP  new-variant"));
	assert_non_null(strstr(sb.buf, "(variant missing in baseline)"));
	assert_non_null(strstr(sb.buf, "SKIP  old-variant"));
	/* a variant with one cold build and no warm one: no warm/cold figure */
	assert_non_null(strstr(sb.buf, "gate: PASS"));
	strbuf_release(&sb);
	gate_report_release(&r);
	json_decref(base);
	json_decref(run_then);
	json_decref(run_now);

	/* a run without builds makes no baseline */
	run_then = json_pack("{s:[]}", "builds");
	assert_int_equal(gate_baseline_from_run(&base, run_then, "empty"), BENCH_EINVALID);
	assert_null(base);
	json_decref(run_then);
}

/* A run that differs from its baseline in scale, engine and machine is
 * refused (exit 2 for bench gate) unless each difference is allowed; an
 * allowed one is a note. An old baseline (no "comparable") is compared in
 * what it records. */
static void test_not_comparable(void **state)
{
	char *dir = data("base"), *missing = NULL, *saved = tmp_path("scaled.json"), *err = NULL;
	json_t *then = NULL, *now, *base = NULL, *env;
	struct gate_limits limits;
	struct gate_report r;
	(void)state;

	assert_int_equal(results_load(&then, &missing, dir), 0);
	json_object_set_new(json_object_get(then, "scenario"), "world", json_pack("{s:f}", "scale", 0.04));
	now = json_deep_copy(then);
	json_object_set_new(json_object_get(json_object_get(now, "scenario"), "world"), "scale", json_real(1));
	env = json_object_get(now, "environment");
	json_object_set_new(env, "docker_server", json_string("99.0.0"));
	json_object_set_new(env, "cpus", json_integer(64));
	json_object_del(env, "engine_cpus");
	json_object_set_new(json_object_get(then, "environment"), "cpus", json_integer(2));
	json_object_del(json_object_get(then, "environment"), "engine_cpus");
	assert_int_equal(gate_baseline_from_run(&base, then, "base"), 0);
	gate_limits_resolve(&limits, NULL, NULL);

	assert_int_equal(gate_evaluate(&r, now, base, &limits), 0);
	assert_int_equal(r.different.n, 3);
	assert_int_equal(gate_check_comparable(&r, NULL), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "not comparable"));
	assert_non_null(strstr(bench_error_last(), "scale (SCALE): this run scale 1, the baseline scale 0.04"));
	assert_non_null(strstr(bench_error_last(), "engine (ENGINE): this run docker_server 99.0.0"));
	assert_non_null(strstr(bench_error_last(), "machine (MACHINE): "));
	assert_non_null(strstr(bench_error_last(), "--allow-different SCALE,ENGINE,MACHINE"));
	assert_int_equal(gate_check_comparable(&r, "SCALE,ENGINE"), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "--allow-different MACHINE)"));
	gate_report_release(&r);

	assert_int_equal(gate_evaluate(&r, now, base, &limits), 0);
	assert_int_equal(gate_check_comparable(&r, "machine,SCALE,ENGINE"), 0);
	assert_non_null(strstr(r.notes.v[r.notes.n - 3], "allowed difference: scale (SCALE)"));
	gate_report_release(&r);

	/* a baseline from before: the scale is not known, the engine is */
	json_object_del(base, "comparable");
	assert_int_equal(gate_evaluate(&r, now, base, &limits), 0);
	assert_int_equal(r.different.n, 2);
	assert_string_equal(r.different.v[0], "ENGINE");
	assert_string_equal(r.different.v[1], "MACHINE");
	gate_report_release(&r);

	/* the command: exit 2, and the names checked */
	assert_int_equal(gate_baseline_save(saved, base), 0);
	{
		const char *args[] = {"gate", dir, "--baseline", saved, "--allow-different", "SCALE,COLOUR", NULL};
		assert_int_equal(capture(NULL, &err, cmd_gate, args), 2);
		assert_non_null(strstr(err, "--allow-different: unknown difference 'COLOUR' (known: SCALE, COMMITS, "
				   "DOCKERFILES, ENGINE, MACHINE)"));
		free(err);
	}
	json_decref(then);
	json_decref(now);
	json_decref(base);
	free(missing);
	free(dir);
	free(saved);
}

static void test_parse_fraction(void **state)
{
	double d = -1;
	(void)state;
	assert_int_equal(gate_parse_fraction(&d, "15%"), 0);
	assert_near(d, 0.15, 1e-12);
	assert_int_equal(gate_parse_fraction(&d, "0.10"), 0);
	assert_near(d, 0.10, 1e-12);
	assert_int_equal(gate_parse_fraction(&d, "0"), 0);
	assert_near(d, 0, 1e-12);
	assert_int_equal(gate_parse_fraction(&d, "-5%"), -1);
	assert_int_equal(gate_parse_fraction(&d, "5%%"), -1);
	assert_int_equal(gate_parse_fraction(&d, ""), -1);
	assert_int_equal(gate_parse_fraction(&d, "nan"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_round_trip),
		cmocka_unit_test(test_baseline_to_stdout_and_errors),
		cmocka_unit_test(test_same_run_passes),
		cmocka_unit_test(test_noisy_rerun_passes),
		cmocka_unit_test(test_broken_cache_fails),
		cmocka_unit_test(test_one_outlier_passes),
		cmocka_unit_test(test_slow_warm_builds_fail),
		cmocka_unit_test(test_bigger_image_fails),
		cmocka_unit_test(test_stricter_baseline_fails),
		cmocka_unit_test(test_format_1_baseline),
		cmocka_unit_test(test_missing_and_corrupt_baseline),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_markdown_and_summary),
		cmocka_unit_test(test_text_and_json_shape),
		cmocka_unit_test(test_gate_run),
		cmocka_unit_test(test_noise_rule_small_samples),
		cmocka_unit_test(test_warm_over_cold_per_series),
		cmocka_unit_test(test_variants_missing_on_either_side),
		cmocka_unit_test(test_parse_fraction),
		cmocka_unit_test(test_not_comparable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
