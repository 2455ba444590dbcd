/*
 * it_engines.c: a run spread over two real Docker engines. The second engine
 * is a dockerd of its own started by scripts/engine (its own data root,
 * socket and containerd namespace, registered as a docker context) and
 * stopped at the end, also when a test fails. On the tiny fixture:
 *   - the merged results of a run over both engines (3 variants, 3 commits)
 *     equal a one-engine run of the same scenario in builds, phases,
 *     statuses and cached steps, each series on one engine, both engines
 *     used and fingerprinted;
 *   - Ctrl-C halfway, then --resume: every series ends on the engine it
 *     began on, no build is made twice;
 *   - the second engine's dockerd killed mid-run: its build fails with that
 *     cause, its series restart from their cold build on the default
 *     engine, the run ends complete, and every build that finished (on the
 *     lost engine too) is still in the journal and in run.json.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builders/engine.h"
#include "ittest.h"

#define RUN_LIMIT 600 /* seconds: bench may wait for the shared engine's lock */
#include "itengines.h"

static char *tmp;    /* this suite's folder */
static char *engine; /* the second engine's name (a docker context) */
static char *script; /* scripts/engine, absolute */
static int serial;

/* scripts/engine CMD NAME: its exit status; its output on failure. */
static int engine_script(const char *cmd, char **out)
{
	const char *args[] = {cmd, engine, NULL};
	char *o = NULL, *e = NULL;
	int status = -1;

	assert_int_equal(it_capture(&o, &e, &status, script, args, 600), 0);
	if (status != 0)
		print_message("scripts/engine %s %s exited %d:\n%s%s\n", cmd, engine, status, o ? o : "", e ? e : "");
	if (out)
		*out = o;
	else
		free(o);
	free(e);
	return status;
}

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-it-engines-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	engine = xasprintf("bench-it-%d", (int)getpid());
	script = path_absolute("scripts/engine");
	if (engine_script("start", NULL) != 0) {
		engine_script("stop", NULL);
		return -1;
	}
	return 0;
}

/* Always, failed tests or not: the engine goes, with its data and context,
 * and the lock file the runs made for it; the suite's folder too unless
 * IT_KEEP is set (then it is printed, for whoever studies a failure). */
static int teardown(void **state)
{
	struct engine e;
	(void)state;
	engine_script("stop", NULL);
	if (engine_init(&e, engine) == 0) {
		char *lock = engine_lock_path(&e);
		unlink(lock);
		free(lock);
		engine_release(&e);
	}
	if (getenv("IT_KEEP") && *getenv("IT_KEEP")) /* to study a failed run: the caller removes it */
		print_message("kept %s\n", tmp);
	else
		rm_rf(tmp);
	free(tmp);
	free(engine);
	free(script);
	return 0;
}

/* A scenario in a folder of its own: the tiny fixture's commits, variants
 * on the tiny multi-stage Dockerfile. Returns the folder; *scenario gets
 * the file (caller frees both). */
static char *job(char **scenario, const char *name, const char *commits, const char *variants)
{
	char *dir = xasprintf("%s/%d-%s", tmp, ++serial, name), *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *with = xasprintf("allow_outside = yes\n%s", variants); /* the repository's Dockerfile from /tmp */
	char *rest = it_subst(with, "@DF@", df);

	assert_int_equal(mkdir_p(dir), 0);
	*scenario = xasprintf("%s/%s.ini", dir, name);
	it_write_scenario(*scenario, name, commits, "5m", rest);
	free(rest);
	free(with);
	free(df);
	return dir;
}

/* Run bench with args to its end: its exit status; stderr in *err. */
static int bench(char **err, const char *const *args)
{
	char *out = NULL;
	int status = it_bench(&out, err, args);
	free(out);
	return status;
}

/* "variant/repetition" of a build record. Caller frees. */
static const char variants[] =
	"\n[variant nocache]\ndockerfile = @DF@\ncache = none\n"
	"\n[variant local]\ndockerfile = @DF@\ncache = local\n"
	"\n[variant persistent]\ndockerfile = @DF@\ncache = none\nrunner = persistent\n";

static void test_two_engines_equal_one(void **state)
{
	char *scenario, *dir = job(&scenario, "equal", "HEAD~3 HEAD~2 HEAD", variants), *err = NULL;
	char *one = path_join(dir, "one"), *two = path_join(dir, "two"), *both = xasprintf("default,%s", engine);
	char *one_dir, *two_dir;
	json_t *run1, *run2, *b1, *b2, *fps, *b;
	size_t i;

	(void)state;
	{
		const char *args[] = {"run", scenario, "--results", one, "--no-plot", NULL};
		int status = bench(&err, args);
		if (status != 1) /* commit 2 of 3 fails on purpose */
			fail_msg("one-engine run exited %d:\n%s", status, tail_of(err));
		free(err);
	}
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", two, "--no-plot", NULL};
		int status = bench(&err, args);
		if (status != 1)
			fail_msg("two-engine run exited %d:\n%s", status, tail_of(err));
		free(err);
	}
	one_dir = it_only_child(one);
	two_dir = it_only_child(two);
	run1 = it_load_run(one_dir, NULL);
	run2 = it_load_run(two_dir, NULL);
	assert_non_null(run1);
	assert_non_null(run2);
	b1 = json_object_get(run1, "builds");
	b2 = json_object_get(run2, "builds");
	assert_int_equal(json_array_size(b1), 9);
	assert_int_equal(json_array_size(b2), 9);
	json_array_foreach(b1, i, b) {
		json_t *other = find_build(b2, it_str(b, "variant"), it_num(b, "repetition"), it_num(b, "index"));
		assert_non_null(other);
		assert_string_equal(it_str(b, "commit"), it_str(other, "commit"));
		assert_string_equal(it_str(b, "phase"), it_str(other, "phase"));
		assert_string_equal(it_str(b, "status"), it_str(other, "status"));
		if (it_num(b, "steps_total") != it_num(other, "steps_total") ||
		    it_num(b, "steps_cached") != it_num(other, "steps_cached"))
			fail_msg("%s r%lld #%lld: %lld/%lld steps cached on one engine, %lld/%lld on %s",
				 it_str(b, "variant"), it_num(b, "repetition"), it_num(b, "index"),
				 it_num(b, "steps_cached"), it_num(b, "steps_total"), it_num(other, "steps_cached"),
				 it_num(other, "steps_total"), it_str(other, "engine"));
		assert_string_equal(it_str(b, "engine"), "default");
	}
	assert_int_equal(check_series_pinned(b2), 2); /* both engines built */
	fps = json_object_get(json_object_get(run2, "environment"), "engines");
	assert_int_equal(json_array_size(fps), 2);
	assert_string_equal(it_str(json_array_get(fps, 1), "name"), engine);
	assert_true(*it_str(json_array_get(fps, 0), "engine_id"));
	assert_string_not_equal(it_str(json_array_get(fps, 0), "engine_id"), it_str(json_array_get(fps, 1), "engine_id"));
	assert_null(json_object_get(run2, "superseded"));
	print_message("two engines: 9 builds equal to the one-engine run's in phase, status and cached steps\n");
	json_decref(run1);
	json_decref(run2);
	free(one_dir);
	free(two_dir);
	free(one);
	free(two);
	free(both);
	free(scenario);
	free(dir);
}

static const char two_variants[] =
	"\n[variant nocache]\ndockerfile = @DF@\ncache = none\n"
	"\n[variant local]\ndockerfile = @DF@\ncache = local\n";

static const char two_by_two[] =
	"repetitions = 2\n"
	"\n[variant nocache]\ndockerfile = @DF@\ncache = none\n"
	"\n[variant local]\ndockerfile = @DF@\ncache = local\n";

static void test_interrupt_and_resume(void **state)
{
	char *scenario, *dir = job(&scenario, "resume", "HEAD~3 HEAD~1 HEAD", two_variants);
	char *results = path_join(dir, "results"), *both = xasprintf("default,%s", engine), *run_dir, *err = NULL;
	char *journal;
	struct bg g;
	json_t *run, *builds;
	int status;

	(void)state;
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", results, "--no-plot", NULL};
		bg_start(&g, dir, args);
	}
	if (!wait_journal(results, "\"status\":\"ok\"", "\"index\":2", RUN_LIMIT))
		fail_msg("no warm build finished:\n%s", tail_of(slurp(g.log)));
	kill(g.p.pid, SIGINT);
	status = bg_wait(&g);
	if (status != 130)
		fail_msg("interrupted run exited %d:\n%s", status, tail_of(slurp(g.log)));
	run_dir = it_only_child(results);
	{
		const char *args[] = {"run", "--resume", run_dir, scenario, "--engines", both, "--no-plot", NULL};
		status = bench(&err, args);
		if (status != 0) {
			/* which build was not ok, and why: the journal says it whole */
			char *path = path_join(run_dir, "journal.jsonl"), *text = slurp(path), *line, *save = NULL;
			for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				if (!strstr(line, "\"status\":\"ok\""))
					print_message("not ok: %.600s\n", line);
			free(text);
			free(path);
			fail_msg("resumed run exited %d:\n%s", status, tail_of(err));
		}
		free(err);
	}
	run = it_load_run(run_dir, NULL);
	builds = json_object_get(run, "builds");
	assert_int_equal(json_array_size(builds), 6);
	check_series_pinned(builds);
	assert_null(json_object_get(run, "superseded"));
	journal = path_join(run_dir, "journal.jsonl");
	{
		char *text = slurp(journal);
		int lines = 0;
		for (char *p = text; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 6); /* each build once */
		free(text);
	}
	print_message("interrupted and resumed over two engines: 6 builds, each series on one engine\n");
	json_decref(run);
	free(journal);
	free(run_dir);
	free(results);
	free(both);
	free(scenario);
	free(dir);
}

static pid_t dockerd_pid(void)
{
	char *path = xasprintf("/run/%s.pid", engine), *text = slurp(path);
	pid_t pid = (pid_t)atoi(text);

	free(path);
	free(text);
	return pid;
}

static void test_engine_killed_mid_run(void **state)
{
	char *scenario, *dir = job(&scenario, "kill", "HEAD~3 HEAD~1 HEAD", two_by_two);
	char *results = path_join(dir, "results"), *both = xasprintf("default,%s", engine), *run_dir, *log;
	char *on_engine = xasprintf("\"engine\":\"%s\"", engine), *journal_text, *line, *save = NULL, *path;
	json_t *run, *builds, *sup, *fps, *b;
	struct bg g;
	pid_t pid = dockerd_pid();
	size_t i, lines = 0, lost_builds = 0;
	int status;

	(void)state;
	assert_true(pid > 1);
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", results, "--no-plot", NULL};
		bg_start(&g, dir, args);
	}
	if (!wait_journal(results, on_engine, "\"status\":\"ok\"", RUN_LIMIT))
		fail_msg("no build finished on %s:\n%s", engine, tail_of(slurp(g.log)));
	assert_int_equal(kill(pid, SIGKILL), 0);
	status = bg_wait(&g);
	log = slurp(g.log);
	if (status != 0)
		fail_msg("run with a lost engine exited %d:\n%s", status, tail_of(log));
	if (!strstr(log, "stopped answering"))
		fail_msg("no word of the lost engine:\n%s", tail_of(log));

	run_dir = it_only_child(results);
	run = it_load_run(run_dir, NULL);
	builds = json_object_get(run, "builds");
	sup = json_object_get(run, "superseded");
	assert_int_equal(json_array_size(builds), 12);
	check_series_pinned(builds);
	json_array_foreach(builds, i, b) {
		assert_string_equal(it_str(b, "status"), "ok");
		assert_string_equal(it_str(b, "phase"), it_num(b, "index") == 1 ? "cold" : "warm");
	}
	/* the build the engine took down, with its cause */
	assert_true(json_array_size(sup) >= 1);
	{
		bool cause = false;
		json_array_foreach(sup, i, b) {
			assert_string_equal(it_str(b, "engine"), engine);
			if (strstr(it_str(b, "reason"), "stopped answering"))
				cause = true;
			lost_builds += !strcmp(it_str(b, "status"), "ok");
		}
		assert_true(cause);
	}
	/* nothing finished is lost: every journal line is a build or a superseded one */
	path = path_join(run_dir, "journal.jsonl");
	journal_text = slurp(path);
	for (line = strtok_r(journal_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		lines++;
	assert_int_equal(lines, json_array_size(builds) + json_array_size(sup));
	fps = json_object_get(json_object_get(run, "environment"), "engines");
	assert_true(*it_str(json_array_get(fps, 1), "lost"));
	print_message("engine %s killed mid-run: %zu build(s) superseded (%zu of them ok), the 12 builds complete\n",
		      engine, json_array_size(sup), lost_builds);
	json_decref(run);
	free(path);
	free(journal_text);
	free(log);
	free(run_dir);
	free(results);
	free(both);
	free(on_engine);
	free(scenario);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_engines_equal_one),
		cmocka_unit_test(test_interrupt_and_resume),
		cmocka_unit_test(test_engine_killed_mid_run),
	};
	return cmocka_run_group_tests_name("engines", tests, setup, teardown);
}
