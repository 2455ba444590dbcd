/* test_results.c: unit tests of results.c (the results folder, its journal,
 * CSV, summary and the loader that recovers interrupted runs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "results/results.h"
#include "lib/util.h"

#define COMMIT "0123456789abcdef0123456789abcdef01234567"

#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("%.17g != %.17g (within %g)\n", a, b, eps);
		_fail(file, line);
	}
}

/* ---- fixtures and helpers ---- */

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_results.XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	*state = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(*state);
	free(*state);
	return 0;
}

static json_t *make_build(const char *variant, int rep, int index, const char *phase,
			  const char *status, double wall, int total, int cached)
{
	json_t *b = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:f, s:i, s:i,"
			      " s:[{s:s, s:f, s:b}], s:I, s:I, s:s}",
			      "variant", variant, "repetition", rep, "commit", COMMIT,
			      "short", "0123456", "subject", "add a feature", "index", index,
			      "phase", phase, "status", status, "exit_code",
			      strcmp(status, "ok") ? 1 : 0, "wall_seconds", wall,
			      "steps_total", total, "steps_cached", cached, "steps", "name",
			      "[1/2] RUN make", "seconds", wall / 2, "cached", 0, "cache_bytes",
			      (json_int_t)1000, "image_bytes", (json_int_t)2000, "log",
			      "logs/x.log");
	assert_non_null(b);
	if (strcmp(status, "ok"))
		json_object_set_new(b, "reason", json_string("step failed"));
	return b;
}

static char *file_text(const char *dir, const char *name)
{
	char *path = path_join(dir, name), *text = NULL;
	int error = read_file(&text, NULL, path);
	if (error)
		print_error("%s\n", bench_error_last());
	assert_int_equal(error, 0);
	free(path);
	return text;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	free(path);
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static off_t file_size(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	free(path);
	return st.st_size;
}

static struct results *create(const char *base)
{
	struct results *r = NULL;
	int error = results_create(&r, base, "demo", json_pack("{s:s}", "name", "demo"),
				   json_pack("{s:s}", "docker", "26.1"));
	if (error)
		print_error("%s\n", bench_error_last());
	assert_int_equal(error, 0);
	assert_non_null(r);
	r->run_json_interval = 0; /* run.json after every build (test_run_json_behind: less) */
	return r;
}

static void append_ok(struct results *r, json_t *b)
{
	int error = results_append(r, b);
	if (error)
		print_error("%s\n", bench_error_last());
	assert_int_equal(error, 0);
}

/* Six builds of "A" (one failed) and one failed build of "B". */
static void append_sample(struct results *r)
{
	append_ok(r, make_build("A", 1, 1, "cold", "ok", 10, 10, 0));
	append_ok(r, make_build("A", 1, 2, "warm", "ok", 3, 10, 8));
	append_ok(r, make_build("B", 1, 1, "cold", "failed", 1, 10, 0));
	append_ok(r, make_build("A", 2, 1, "cold", "ok", 12, 10, 0));
	append_ok(r, make_build("A", 2, 2, "warm", "ok", 5, 10, 9));
	append_ok(r, make_build("A", 2, 3, "warm", "ok", 4, 10, 10));
	append_ok(r, make_build("A", 3, 1, "cold", "failed", 1, 10, 0));
}

/* ---- tests ---- */

static void test_create(void **state)
{
	const char *base = *state;
	static const char *const keys[] = {"bench_version", "started", "finished", "scenario",
					   "environment", "builds", "summary"};
	struct results *r = create(base);
	char *name = strrchr(r->dir, '/') + 1, *csv, *journal, *run_path;
	json_t *run;
	void *it;
	size_t i = 0;

	assert_true(!strncmp(r->dir, base, strlen(base)));
	assert_true(!strncmp(name, "demo-", 5));
	assert_int_equal(strlen(name), strlen("demo-yyyymmddThhmmssZ"));
	assert_true(path_is_dir(r->logs_dir));
	assert_true(r->journal_fd >= 0);
	journal = file_text(r->dir, "journal.jsonl");
	assert_string_equal(journal, "");
	csv = file_text(r->dir, "builds.csv");
	assert_string_equal(csv, results_csv_header());
	run_path = path_join(r->dir, "run.json");
	run = json_load_file(run_path, 0, NULL);
	assert_non_null(run);
	for (it = json_object_iter(run); it; it = json_object_iter_next(run, it), i++) {
		assert_true(i < 7);
		assert_string_equal(json_object_iter_key(it), keys[i]);
	}
	assert_int_equal(i, 7);
	assert_string_equal(json_string_value(json_object_get(run, "bench_version")), "0.1");
	assert_true(json_is_false(json_object_get(run, "finished")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(run, "scenario"),
								 "name")), "demo");
	assert_int_equal(strlen(json_string_value(json_object_get(run, "started"))), 20);
	json_decref(run);
	free(run_path);
	free(journal);
	free(csv);
	results_free(r);
}

static void test_create_same_second(void **state)
{
	const char *base = *state;
	int attempt;

	/* Occupy this second's names; retry if the clock ticks meanwhile. */
	for (attempt = 0; attempt < 5; attempt++) {
		char s1[32], s2[32], *a, *b, *expect;
		struct results *r;
		utc_stamp(s1, sizeof(s1));
		a = xasprintf("%s/demo-%s", base, s1);
		b = xasprintf("%s/demo-%s-2", base, s1);
		expect = xasprintf("%s/demo-%s-3", base, s1);
		mkdir(a, 0777);
		mkdir(b, 0777);
		r = create(base);
		utc_stamp(s2, sizeof(s2));
		if (!strcmp(s1, s2)) {
			assert_string_equal(r->dir, expect);
			attempt = 5;
		}
		results_free(r);
		free(a);
		free(b);
		free(expect);
	}
}

static void test_csv_row(void **state)
{
	json_t *b = make_build("A", 1, 3, "warm", "failed", 2.5, 10, 4);
	char *row, *key;
	(void)state;

	json_object_set_new(b, "subject", json_string("fix \"quoted\", stuff"));
	json_object_set_new(b, "reason", json_string("line1\nline2"));
	json_object_set_new(b, "cache_restore_seconds", json_real(0.25));
	json_object_set_new(b, "cpu_contention", json_real(0.125));
	row = results_csv_row(b);
	assert_string_equal(row, "A,1,3," COMMIT ",\"fix \"\"quoted\"\", stuff\",warm,failed,1,"
				 "2.5,10,4,1000,2000,0.25,,,,\"line1\nline2\",,0.125\n");
	key = results_build_key(b);
	assert_string_equal(key, "A/1/3");
	assert_string_equal(results_csv_header(),
			    "variant,repetition,index,commit,subject,phase,status,exit_code,"
			    "wall_seconds,steps_total,steps_cached,cache_bytes,image_bytes,"
			    "cache_restore_seconds,cache_save_seconds,push_seconds,served_bytes,"
			    "reason,engine,cpu_contention\n");
	free(row);
	free(key);
	json_decref(b);
}

static void check_summary(json_t *summary)
{
	json_t *a = json_array_get(summary, 0), *b = json_array_get(summary, 1), *cold, *warm;

	assert_int_equal(json_array_size(summary), 2);
	assert_string_equal(json_string_value(json_object_get(a, "variant")), "A");
	assert_int_equal(json_integer_value(json_object_get(a, "builds")), 6);
	assert_int_equal(json_integer_value(json_object_get(a, "ok")), 5);
	assert_near(json_number_value(json_object_get(a, "cold_seconds")), 11.0, 1e-12);
	assert_near(json_number_value(json_object_get(a, "warm_median_seconds")), 4.0, 1e-12);
	assert_near(json_number_value(json_object_get(a, "warm_over_cold")), 4.0 / 11.0, 1e-12);
	assert_near(json_number_value(json_object_get(a, "cached_step_ratio")), 0.9, 1e-12);
	cold = json_object_get(a, "cold");
	warm = json_object_get(a, "warm");
	assert_int_equal(json_integer_value(json_object_get(cold, "n")), 2);
	assert_near(json_number_value(json_object_get(cold, "mean")), 11.0, 1e-12);
	assert_near(json_number_value(json_object_get(cold, "stddev")), sqrt(2.0), 1e-12);
	assert_near(json_number_value(json_object_get(cold, "min")), 10.0, 0);
	assert_near(json_number_value(json_object_get(cold, "max")), 12.0, 0);
	assert_int_equal(json_integer_value(json_object_get(warm, "n")), 3);
	assert_near(json_number_value(json_object_get(warm, "median")), 4.0, 1e-12);
	assert_near(json_number_value(json_object_get(warm, "stddev")), 1.0, 1e-12);
	assert_int_equal(json_integer_value(json_object_get(warm, "outliers")), 0);

	assert_string_equal(json_string_value(json_object_get(b, "variant")), "B");
	assert_int_equal(json_integer_value(json_object_get(b, "builds")), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "ok")), 0);
	assert_true(json_is_null(json_object_get(b, "cold_seconds")));
	assert_true(json_is_null(json_object_get(b, "warm_median_seconds")));
	assert_true(json_is_null(json_object_get(b, "warm_over_cold")));
	assert_true(json_is_null(json_object_get(b, "cached_step_ratio")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "cold"), "n")), 0);
}

static void test_append(void **state)
{
	struct results *r = create(*state);
	char *journal, *csv, *line, *save = NULL, *path;
	json_t *run, *builds;
	size_t i = 0;

	append_sample(r);
	journal = file_text(r->dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), 7);
	builds = json_object_get(r->run, "builds");
	for (line = strtok_r(journal, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		json_t *b = json_loads(line, 0, NULL);
		char *compact = json_dumps(json_array_get(builds, i), JSON_COMPACT);
		assert_non_null(b);
		assert_true(json_equal(b, json_array_get(builds, i)));
		assert_string_equal(line, compact); /* compact: one line, no spaces */
		free(compact);
		json_decref(b);
	}
	assert_int_equal(i, 7);

	csv = file_text(r->dir, "builds.csv");
	assert_int_equal(count_lines(csv), 8);
	assert_true(!strncmp(csv, results_csv_header(), strlen(results_csv_header())));
	assert_non_null(strstr(csv, "\nB,1,1," COMMIT ",add a feature,cold,failed,1,1,10,0,1000,"
				    "2000,,,,,step failed,,\n"));

	path = path_join(r->dir, "run.json");
	run = json_load_file(path, 0, NULL);
	assert_non_null(run);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 7);
	check_summary(json_object_get(run, "summary"));
	assert_true(json_equal(run, r->run));

	assert_int_equal(results_finish(r, true), 0);
	json_decref(run);
	run = json_load_file(path, 0, NULL);
	assert_true(json_is_true(json_object_get(run, "finished")));

	assert_int_equal(results_append(r, json_integer(3)), BENCH_EINVALID);
	json_decref(run);
	free(path);
	free(journal);
	free(csv);
	results_free(r);
}

static void test_summary_direct(void **state)
{
	json_t *builds = json_array(), *s;
	(void)state;

	s = results_summary(builds);
	assert_int_equal(json_array_size(s), 0);
	json_decref(s);
	json_array_append_new(builds, make_build("A", 1, 1, "cold", "ok", 10, 10, 0));
	json_array_append_new(builds, make_build("A", 1, 2, "warm", "ok", 3, 10, 8));
	json_array_append_new(builds, make_build("B", 1, 1, "cold", "failed", 1, 10, 0));
	json_array_append_new(builds, make_build("A", 2, 1, "cold", "ok", 12, 10, 0));
	json_array_append_new(builds, make_build("A", 2, 2, "warm", "ok", 5, 10, 9));
	json_array_append_new(builds, make_build("A", 2, 3, "warm", "ok", 4, 10, 10));
	json_array_append_new(builds, make_build("A", 3, 1, "cold", "failed", 1, 10, 0));
	s = results_summary(builds);
	check_summary(s);
	json_decref(s);
	json_decref(builds);
}

static void test_reopen_continues(void **state)
{
	struct results *r = create(*state), *r2 = NULL;
	char *dir = xstrdup(r->dir), *journal, *csv, *missing = NULL;
	json_t *run;

	append_ok(r, make_build("A", 1, 1, "cold", "ok", 10, 10, 0));
	append_ok(r, make_build("A", 1, 2, "warm", "ok", 3, 10, 8));
	results_free(r);

	assert_int_equal(results_reopen(&r2, NULL, dir), 0);
	assert_int_equal(json_array_size(json_object_get(r2->run, "builds")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r2->run, "scenario"),
								 "name")), "demo");
	r2->run_json_interval = 0; /* run.json written after every build */
	append_ok(r2, make_build("A", 2, 1, "cold", "ok", 12, 10, 0));
	results_free(r2);

	journal = file_text(dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), 3);
	csv = file_text(dir, "builds.csv");
	assert_int_equal(count_lines(csv), 4);
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_null(missing);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 3);
	assert_near(json_number_value(json_object_get(json_array_get(json_object_get(run, "summary"),
								      0), "cold_seconds")),
		    11.0, 1e-12);
	json_decref(run);
	free(journal);
	free(csv);
	free(dir);
}

static void test_load_torn_line(void **state)
{
	struct results *r = create(*state), *r2 = NULL;
	char *dir = xstrdup(r->dir), *path, *missing = NULL, *journal;
	json_t *run;
	FILE *f;

	append_sample(r);
	/* a build whose journal line was cut short (a write that failed and
	 * could not be undone); the next append must start on a new line */
	path = path_join(dir, "journal.jsonl");
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"variant\":\"A\",\"repetition\":9,\"ind", f);
	fclose(f);
	append_ok(r, make_build("A", 8, 1, "cold", "failed", 1, 10, 0));
	results_free(r);

	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 8);
	assert_non_null(missing);
	assert_string_equal(missing, "journal.jsonl line 8 is torn or corrupt, skipped");
	json_decref(run);
	free(missing);

	/* a torn last line, as a crash leaves it */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"variant\":\"A\",\"repetition\":9,\"ind", f);
	fclose(f);
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 8);
	assert_non_null(missing);
	assert_non_null(strstr(missing, "journal.jsonl line 10 is torn or corrupt, skipped"));
	json_decref(run);
	free(missing);

	/* resuming drops the torn lines and appends cleanly; the note about
	 * them is given back and kept in run.json, which is rewritten at once */
	{
		char *notes = NULL, *text;
		json_t *resumes;
		assert_int_equal(results_reopen(&r2, &notes, dir), 0);
		assert_non_null(notes);
		assert_non_null(strstr(notes, "journal.jsonl line 10 is torn or corrupt, skipped"));
		text = file_text(dir, "run.json");
		run = json_loads(text, 0, NULL);
		assert_true(json_is_object(run));
		assert_int_equal(json_array_size(json_object_get(run, "builds")), 8);
		assert_false(json_is_true(json_object_get(run, "finished")));
		resumes = json_object_get(run, "resumes");
		assert_int_equal(json_array_size(resumes), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(resumes, 0), "notes")), notes);
		assert_non_null(json_object_get(json_array_get(resumes, 0), "at"));
		json_decref(run);
		free(text);
		free(notes);
	}
	r2->run_json_interval = 0;
	append_ok(r2, make_build("A", 9, 1, "cold", "ok", 20, 10, 0));
	results_free(r2);
	journal = file_text(dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), 9);
	{
		char *line, *save = NULL;
		for (line = strtok_r(journal, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			json_t *b = json_loads(line, 0, NULL);
			assert_true(json_is_object(b));
			json_decref(b);
		}
	}
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_null(missing);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 9);
	json_decref(run);
	free(journal);
	free(path);
	free(dir);
}

/* A resumed run that cannot continue a series drops its builds and builds
 * it again: gone from run.json, the journal and builds.csv; the others stay;
 * the environment can be completed once the run is set up. */
static void test_drop_series_and_environment(void **state)
{
	struct results *r = create(*state);
	char *dir = xstrdup(r->dir), *journal, *csv, *missing = NULL;
	json_t *run, *b;
	size_t i;

	append_sample(r);
	results_free(r);
	assert_int_equal(results_reopen(&r, NULL, dir), 0);
	assert_int_equal(results_drop_series(r, "A", 2), 0);
	assert_int_equal(results_set_environment(r, "world", json_pack("{s:i}", "index_port", 4242)), 0);
	r->run_json_interval = 0;
	append_ok(r, make_build("A", 2, 1, "cold", "ok", 11, 10, 0));
	results_free(r);

	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_null(missing);
	json_array_foreach(json_object_get(run, "builds"), i, b)
		assert_false(!strcmp(json_string_value(json_object_get(b, "variant")), "A") &&
			     json_integer_value(json_object_get(b, "repetition")) == 2 &&
			     json_integer_value(json_object_get(b, "index")) != 1);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(run, "environment"),
		"world"), "index_port")), 4242);
	journal = file_text(dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), 5);
	csv = file_text(dir, "builds.csv");
	assert_int_equal(count_lines(csv), 6);
	json_decref(run);
	free(journal);
	free(csv);
	free(dir);
}

static void test_load_without_run_json(void **state)
{
	struct results *r = create(*state);
	char *dir = xstrdup(r->dir), *path = path_join(dir, "run.json"), *missing = NULL;
	json_t *run;

	append_sample(r);
	results_free(r);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 7);
	assert_true(json_is_null(json_object_get(run, "scenario")));
	check_summary(json_object_get(run, "summary"));
	assert_non_null(missing);
	assert_non_null(strstr(missing, "run.json missing"));
	assert_non_null(strstr(missing, "read 7 builds from journal.jsonl"));
	json_decref(run);
	free(missing);
	free(path);
	free(dir);
}

static void test_load_corrupt_run_json(void **state)
{
	struct results *r = create(*state);
	char *dir = xstrdup(r->dir), *missing = NULL;
	json_t *run;

	append_sample(r);
	results_free(r);
	write_text(dir, "run.json", "{\"bench_version\": \"0.1\", \"builds\": [");
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 7);
	check_summary(json_object_get(run, "summary"));
	assert_non_null(missing);
	assert_non_null(strstr(missing, "run.json is corrupt"));
	assert_non_null(strstr(missing, "scenario and environment missing"));
	json_decref(run);
	free(missing);
	free(dir);
}

static void test_not_a_results_folder(void **state)
{
	const char *base = *state;
	char *expect = xasprintf("'%s' is not a results folder (no run.json or journal.jsonl)", base);
	char *missing = (char *)"unset", *nowhere = path_join(base, "nowhere");
	struct results *r = (struct results *)1;
	json_t *run = (json_t *)1;

	assert_int_equal(results_load(&run, &missing, base), BENCH_ENOTFOUND);
	assert_string_equal(bench_error_last(), expect);
	assert_null(run);
	assert_null(missing);
	assert_int_equal(results_reopen(&r, NULL, base), BENCH_ENOTFOUND);
	assert_null(r);
	assert_int_equal(results_load(&run, NULL, nowhere), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), "No such file"));
	free(expect);
	free(nowhere);
}

/* Append with file sizes limited to `limit` bytes: write() then fails with
 * EFBIG, as it would with ENOSPC on a full disk. */
static int append_limited(struct results *r, json_t *b, rlim_t limit)
{
	struct rlimit old, lim;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	int error;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = limit;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	error = results_append(r, b);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	return error;
}

/*
 * run.json is rewritten at most every run_json_interval seconds: between two
 * rewrites the journal alone holds the newest builds, and every reader (the
 * loader, a resumed run) still gets all of them; finishing writes them all.
 */
static json_t *load_json(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	json_t *v = json_load_file(path, 0, NULL);
	free(path);
	assert_non_null(v);
	return v;
}

static void test_run_json_behind(void **state)
{
	struct results *r = create(*state), *r2 = NULL;
	char *dir = xstrdup(r->dir), *missing = NULL;
	json_t *run, *on_disk;

	r->run_json_interval = RESULTS_RUN_JSON_INTERVAL;
	append_ok(r, make_build("A", 1, 1, "cold", "ok", 10, 10, 0)); /* just written: not again */
	r->run_json_written = 0; /* long ago: the next append rewrites it */
	append_ok(r, make_build("A", 1, 2, "warm", "ok", 3, 10, 8));
	append_ok(r, make_build("A", 1, 3, "warm", "ok", 4, 10, 9));
	append_ok(r, make_build("B", 1, 1, "cold", "failed", 1, 10, 0));
	on_disk = load_json(dir, "run.json");
	assert_int_equal(json_array_size(json_object_get(on_disk, "builds")), 2);
	json_decref(on_disk);
	{
		char *journal = file_text(dir, "journal.jsonl");
		assert_int_equal(count_lines(journal), 4);
		free(journal);
	}

	/* a reader while the run goes on (or after a SIGKILL) */
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 4);
	assert_non_null(missing);
	assert_non_null(strstr(missing, "read 2 builds from journal.jsonl not in run.json"));
	assert_int_equal(json_array_size(json_object_get(run, "summary")), 2);
	json_decref(run);
	free(missing);
	missing = NULL;

	/* a resumed run starts from all of them */
	assert_int_equal(results_reopen(&r2, NULL, dir), 0);
	assert_int_equal(json_array_size(json_object_get(r2->run, "builds")), 4);
	results_free(r2);

	/* the end writes everything */
	assert_int_equal(results_finish(r, true), 0);
	on_disk = load_json(dir, "run.json");
	assert_int_equal(json_array_size(json_object_get(on_disk, "builds")), 4);
	json_decref(on_disk);
	assert_int_equal(results_load(&run, &missing, dir), 0);
	assert_null(missing);
	json_decref(run);
	results_free(r);
	free(dir);
}

static void test_disk_full(void **state)
{
	struct results *r = create(*state);
	char *run_before, *run_after, *journal_before, *journal_after, *expect, *tmp;
	char *missing = NULL;
	off_t jsize, csize;
	json_t *run;

	append_sample(r);
	run_before = file_text(r->dir, "run.json");
	journal_before = file_text(r->dir, "journal.jsonl");
	jsize = file_size(r->dir, "journal.jsonl");

	/* the journal line itself does not fit: nothing changes */
	assert_int_equal(append_limited(r, make_build("A", 5, 1, "cold", "ok", 9, 10, 0),
					(rlim_t)jsize + 10), BENCH_EIO);
	expect = xasprintf("cannot write '%s/journal.jsonl': %s", r->dir, strerror(EFBIG));
	assert_string_equal(bench_error_last(), expect);
	free(expect);
	journal_after = file_text(r->dir, "journal.jsonl");
	assert_string_equal(journal_after, journal_before);
	free(journal_after);
	run_after = file_text(r->dir, "run.json");
	assert_string_equal(run_after, run_before);
	free(run_after);
	assert_int_equal(json_array_size(json_object_get(r->run, "builds")), 7);

	/* the journal and CSV fit but run.json does not: run.json stays valid
	 * and the loader recovers the build from the journal */
	csize = file_size(r->dir, "builds.csv");
	{
		off_t limit = (jsize > csize ? jsize : csize) + 1000;
		assert_true(limit < (off_t)strlen(run_before));
		assert_int_equal(append_limited(r, make_build("A", 5, 1, "cold", "ok", 9, 10, 0),
						(rlim_t)limit), BENCH_EIO);
	}
	expect = xasprintf("cannot write '%s/run.json.tmp': %s", r->dir, strerror(EFBIG));
	assert_string_equal(bench_error_last(), expect);
	free(expect);
	run_after = file_text(r->dir, "run.json");
	assert_string_equal(run_after, run_before);
	free(run_after);
	tmp = path_join(r->dir, "run.json.tmp");
	assert_false(path_exists(tmp));
	free(tmp);
	journal_after = file_text(r->dir, "journal.jsonl");
	assert_int_equal(count_lines(journal_after), 8);
	free(journal_after);

	assert_int_equal(results_load(&run, &missing, r->dir), 0);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 8);
	assert_non_null(missing);
	assert_non_null(strstr(missing, "read 1 build from journal.jsonl not in run.json"));
	json_decref(run);
	free(missing);

	/* space is back: the next append writes everything again */
	append_ok(r, make_build("A", 5, 2, "warm", "ok", 2, 10, 10));
	assert_int_equal(results_load(&run, &missing, r->dir), 0);
	assert_null(missing);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 9);
	json_decref(run);
	free(run_before);
	free(journal_before);
	results_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_same_second, setup, teardown),
		cmocka_unit_test(test_csv_row),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test(test_summary_direct),
		cmocka_unit_test_setup_teardown(test_reopen_continues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_torn_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_series_and_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_json_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_without_run_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_corrupt_run_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_results_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
