/*
 * it_tiny.c: integration tests of `bench run` on the real engine: the tiny
 * fixture repository (5 commits, commit 3 fails on purpose), a busybox base
 * image made by scripts/setup, variants with cache=none and cache=local on an
 * ephemeral runner, and one whose Dockerfile no commit has.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ittest.h"

static struct it_group grp; /* the one run of tiny-it.ini, with three variants */

/* A scenario NAME.ini in tmp replaying the fixture's last 5 commits with
 * these variants, where @DF@ stands for the tiny multi-stage Dockerfile.
 * Caller frees the path. */
static char *write_scenario(const char *name, const char *variants)
{
	char *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *path = xasprintf("%s/%s.ini", grp.tmp, name);
	/* (the repository's Dockerfile from a scenario in /tmp: allowed, and said so) */
	char *text = xasprintf("allow_outside = yes\n%s", variants), *expanded = it_subst(text, "@DF@", df);

	it_write_scenario(path, name, "last:5", "5m", expanded);
	free(expanded);
	free(text);
	free(df);
	return path;
}

static int setup_run(void **state)
{
	char *scenario, *work;
	(void)state;
	if (it_group_init(&grp, "bench-it") < 0)
		return -1;
	scenario = write_scenario("tiny-it",
		"[variant nocache]\ndockerfile = @DF@\ncache = none\n\n"
		"[variant local]\ndockerfile = @DF@\ncache = local\n\n"
		"[variant missing]\ndockerfile = repo:NoSuch.Dockerfile\n\n"
		"[verdict]\nmanifests = deps.txt\n");
	work = path_join(grp.tmp, "work");
	{
		const char *args[] = {"run", scenario, "--work", work, "--no-plot", NULL};
		it_group_run(&grp, args);
	}
	free(scenario);
	free(work);
	return 0;
}

static int teardown_run(void **state)
{
	(void)state;
	it_group_release(&grp);
	return 0;
}

static json_t *build_of(const char *variant, int index)
{
	json_t *b;
	size_t i;
	json_array_foreach(json_object_get(grp.run, "builds"), i, b)
		if (!strcmp(json_string_value(json_object_get(b, "variant")), variant) &&
		    json_integer_value(json_object_get(b, "index")) == index)
			return b;
	return NULL;
}

static void test_run_shape(void **state)
{
	(void)state;
	if (!grp.run)
		fail_msg("no run.json; bench exited %d\nstdout:\n%s\nstderr:\n%s", grp.status,
			 grp.out ? grp.out : "", grp.err ? grp.err : "");
	/* a failing commit and skipped builds: exit 1, after all 15 builds */
	assert_int_equal(grp.status, 1);
	assert_int_equal(json_array_size(json_object_get(grp.run, "builds")), 15);
	assert_true(json_is_object(json_object_get(grp.run, "scenario")));
	assert_true(json_is_string(json_object_get(json_object_get(grp.run, "environment"), "docker_server")));
	assert_true(json_is_string(json_object_get(json_object_get(grp.run, "environment"), "buildx")));
	/* dockerd 28 names its containerd and its builder's BuildKit */
	assert_true(json_is_string(json_object_get(json_object_get(grp.run, "environment"), "containerd")));
	assert_true(json_is_string(json_object_get(json_object_get(grp.run, "environment"), "buildkit")));
	assert_int_equal(json_array_size(json_object_get(grp.run, "summary")), 3);
	assert_non_null(strstr(grp.out, "warm median"));
}

static void test_phases_and_cache(void **state)
{
	int i;
	(void)state;
	assert_non_null(grp.run);
	for (i = 1; i <= 5; i++) {
		json_t *none = build_of("nocache", i), *local = build_of("local", i);
		assert_non_null(none);
		assert_non_null(local);
		assert_string_equal(it_str(none, "phase"), i == 1 ? "cold" : "warm");
		assert_string_equal(it_str(local, "phase"), i == 1 ? "cold" : "warm");
		assert_true(it_num(none, "steps_total") > 0);
		if (i == 3)
			continue; /* the failing commit */
		assert_string_equal(it_str(none, "status"), "ok");
		assert_string_equal(it_str(local, "status"), "ok");
		/* an ephemeral runner without a cache has nothing to reuse */
		assert_int_equal(it_num(none, "steps_cached"), 0);
		if (i > 1)
			assert_true(it_num(local, "steps_cached") > 0);
		assert_true(it_num(local, "cache_bytes") > 0);
		assert_true(it_num(local, "image_bytes") > 0);
		assert_true(json_real_value(json_object_get(local, "wall_seconds")) > 0);
	}
	/* commit 2 changes deps.txt: the deps step rebuilt, the base step cached */
	assert_true(it_num(build_of("local", 2), "steps_cached") < it_num(build_of("local", 4), "steps_cached"));
}

/* The verdict's part of run.json: each build's kind (commit 2 changes
 * deps.txt, the fixture's dependency file by [verdict] manifests), the
 * fixture's first-parent history, and the verdict itself, first on stdout. */
static void test_verdict_recorded(void **state)
{
	json_t *h, *v, *row;
	size_t i;
	(void)state;
	assert_non_null(grp.run);
	for (i = 1; i <= 5; i++)
		assert_string_equal(it_str(build_of("local", (int)i), "kind"),
				    i == 1 ? "first" : i == 2 ? "deps" : "code");
	h = json_object_get(grp.run, "history");
	assert_int_equal(it_num(h, "commits"), 5);
	assert_int_equal(it_num(json_object_get(h, "kinds"), "first"), 1);
	assert_int_equal(it_num(json_object_get(h, "kinds"), "deps"), 1);
	assert_int_equal(it_num(json_object_get(h, "kinds"), "code"), 3);
	v = json_object_get(grp.run, "verdict");
	assert_non_null(strstr(it_str(v, "mix_source"), "first-parent history"));
	/* the fixture's commits are a minute apart: one day at the least, 4 pushes */
	assert_float_equal(json_number_value(json_object_get(v, "pushes_per_day")), 4, 1e-9);
	json_array_foreach(json_object_get(v, "variants"), i, row) {
		bool missing = !strcmp(it_str(row, "variant"), "missing");
		assert_true(missing == json_is_null(json_object_get(row, "per_push_seconds")));
		assert_true(missing || json_number_value(json_object_get(row, "cost_per_month")) > 0);
	}
	assert_true(json_is_string(json_object_get(v, "pick")) || json_is_true(json_object_get(v, "too_close")));
	assert_true(!strncmp(grp.out, "\nverdict: ", 10));
}

static void test_failing_commit_recorded(void **state)
{
	json_t *b;
	(void)state;
	assert_non_null(grp.run);
	b = build_of("local", 3);
	assert_string_equal(it_str(b, "status"), "failed");
	assert_true(it_num(b, "exit_code") != 0);
	assert_non_null(strstr(it_str(b, "reason"), "FAIL marker present"));
	/* and the run went on */
	assert_string_equal(it_str(build_of("local", 4), "status"), "ok");
}

static void test_skipped_without_dockerfile(void **state)
{
	json_t *b;
	(void)state;
	assert_non_null(grp.run);
	b = build_of("missing", 2);
	assert_string_equal(it_str(b, "status"), "skipped");
	assert_non_null(strstr(it_str(b, "reason"), "NoSuch.Dockerfile"));
}

static void test_one_cache_folder_after_rotation(void **state)
{
	char *series = xasprintf("%s/work/series/local-r1", grp.tmp);
	char *cache = path_join(series, "cache"), *cache_new = path_join(series, "cache-new");
	char *index = path_join(cache, "index.json");
	(void)state;
	assert_true(path_is_dir(cache));
	assert_true(path_exists(index));
	assert_false(path_exists(cache_new));
	free(series);
	free(cache);
	free(cache_new);
	free(index);
}

static void test_files_written(void **state)
{
	char *csv = NULL, *journal = NULL, *path, *log;
	size_t len, lines = 0, i;
	(void)state;
	assert_non_null(grp.dir);
	path = path_join(grp.dir, "builds.csv");
	assert_int_equal(read_file(&csv, &len, path), 0);
	{
		bool quoted = false; /* a reason may span lines inside quotes */
		for (i = 0; i < len; i++) {
			if (csv[i] == '"')
				quoted = !quoted;
			else if (csv[i] == '\n' && !quoted)
				lines++;
		}
	}
	assert_int_equal(lines, 16); /* header + 15 builds */
	free(path);
	path = path_join(grp.dir, "journal.jsonl");
	assert_int_equal(read_file(&journal, &len, path), 0);
	for (i = 0, lines = 0; i < len; i++)
		lines += journal[i] == '\n';
	assert_int_equal(lines, 15);
	free(path);
	log = path_join(grp.dir, it_str(build_of("local", 2), "log"));
	assert_true(path_exists(log));
	free(log);
	free(csv);
	free(journal);
}

static void test_dry_run_runs_nothing(void **state)
{
	char *scenario = write_scenario("tiny-dry", "[variant local]\ndockerfile = @DF@\ncache = local\n");
	char *results = path_join(grp.tmp, "dry-results"), *out = NULL, *err = NULL;
	const char *args[] = {"run", scenario, "--dry-run", "--results", results, NULL};
	size_t builds = 0;
	const char *p;
	(void)state;
	assert_int_equal(it_bench(&out, &err, args), 0);
	for (p = out; (p = strstr(p, "buildx build")); p++)
		builds++;
	assert_int_equal(builds, 5);
	/* the plan: the number of builds, no earlier run to estimate from */
	assert_non_null(strstr(out, "# plan: 5 builds: 1 variant x 5 commits x 1 repetition, on 1 engine\n"));
	assert_non_null(strstr(out, "# estimate: none (no earlier run of scenario 'tiny-dry'"));
	assert_non_null(strstr(out, "--cache-to type=local,dest="));
	assert_false(path_exists(results));
	free(out);
	free(err);
	free(scenario);
	free(results);
}

/* What the docker commands bench ran say of the persistent series' images
 * (log: one "$*" a line, and after each build the wrapper's "alive N
 * dangling M": the run's images on the engine, and the engine's dangling
 * ones). */
struct images_seen {
	int builds;        /* buildx build commands */
	int tags;          /* distinct -t refs among them */
	int most_alive;    /* the most images of the run alive after a build */
	int dangling_min, dangling_max;
	int removals;      /* `image rm -f` of one ref */
	int removals_between; /* of those, before the last build */
};

static void images_seen(struct images_seen *o, const char *log)
{
	char *text = NULL, *line, *save = NULL, tags[8][160];
	int ntags = 0, k, alive, dangling, rm_after_build = 0;

	memset(o, 0, sizeof(*o));
	o->dangling_min = 1 << 30;
	assert_int_equal(read_file(&text, NULL, log), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *t;
		if (!strncmp(line, "buildx build ", 13) && (t = strstr(line, " -t "))) {
			char tag[160];
			o->builds++;
			o->removals_between += rm_after_build;
			rm_after_build = 0;
			assert_int_equal(sscanf(t + 4, "%159s", tag), 1);
			for (k = 0; k < ntags && strcmp(tags[k], tag); k++)
				;
			if (k == ntags && ntags < 8)
				snprintf(tags[ntags++], sizeof(tags[0]), "%s", tag);
		} else if (!strncmp(line, "image rm -f ", 12) && !strchr(line + 12, ' ')) {
			o->removals++;
			rm_after_build++;
		} else if (sscanf(line, "alive %d dangling %d", &alive, &dangling) == 2) {
			o->most_alive = alive > o->most_alive ? alive : o->most_alive;
			o->dangling_min = dangling < o->dangling_min ? dangling : o->dangling_min;
			o->dangling_max = dangling > o->dangling_max ? dangling : o->dangling_max;
		}
	}
	o->tags = ntags;
	free(text);
}

/* runner = persistent keeps the daemon's build cache between builds: warm
 * builds reuse layers without any cache folder, cold resets it; and it keeps
 * the newest image. On the containerd store (scripts/setup's) the builds
 * take two tags in turn, so a build's naming drops the image before the
 * previous one, never the previous one while the new one is unpacked
 * (moby/buildkit#6521, series.c), and nothing is removed between builds
 * unless the new image could share a layer with the dropped one alone;
 * on the classic store each build has its own ref, and the one it replaced
 * is removed right after it is built. Checked on the engine itself after
 * every build: at most two images of the run alive, and no dangling image
 * left. */
static void test_persistent_runner(void **state)
{
	char *scenario = write_scenario("tiny-persistent",
		"[variant persistent]\ndockerfile = @DF@\ncache = none\nrunner = persistent\n");
	char *results = path_join(grp.tmp, "persistent-results"), *dir, *out = NULL, *err = NULL;
	char *wrapper = path_join(grp.tmp, "docker-logged"), *log = path_join(grp.tmp, "docker-commands");
	char *script = xasprintf(
		"#!/bin/sh\necho \"$*\" >> '%s'\n"
		"case \"$1 $2\" in\n"
		"'buildx build')\n"
		"  docker \"$@\"; rc=$?\n"
		"  echo \"alive $(docker image ls --format '{{.Repository}}' | grep -c bench-run-)"
		" dangling $(docker image ls -q --filter dangling=true | wc -l)\" >> '%s'\n"
		"  exit $rc ;;\n"
		"esac\nexec docker \"$@\"\n", log, log);
	const char *args[] = {"run", scenario, "--results", results, "--no-plot", "-q", NULL};
	struct images_seen seen;
	json_t *prun, *b, *env;
	size_t i;
	(void)state;
	it_write_text(wrapper, script);
	assert_int_equal(chmod(wrapper, 0755), 0);
	setenv("BENCH_DOCKER", wrapper, 1); /* the real docker, each command logged */
	assert_int_equal(it_bench(&out, &err, args), 1); /* commit 3 fails on purpose */
	unsetenv("BENCH_DOCKER");
	dir = it_only_child(results);
	assert_non_null(dir);
	prun = it_load_run(dir, NULL);
	assert_non_null(prun);
	json_array_foreach(json_object_get(prun, "builds"), i, b) {
		long long index = json_integer_value(json_object_get(b, "index"));
		if (index == 1)
			assert_int_equal(it_num(b, "steps_cached"), 0);  /* cold: reset */
		else if (index != 3)
			assert_true(it_num(b, "steps_cached") > 0);     /* the daemon kept its cache */
		assert_int_equal(it_num(b, "cache_bytes"), 0);
	}
	env = json_array_get(json_object_get(json_object_get(prun, "environment"), "engines"), 0);
	images_seen(&seen, log);
	print_message("persistent runner (%s image store): %d builds, %d tag(s), at most %d image(s) of the run "
		      "alive, dangling %d..%d, %d removal(s), %d between builds\n", it_str(env, "image_store"),
		      seen.builds, seen.tags, seen.most_alive, seen.dangling_min, seen.dangling_max, seen.removals,
		      seen.removals_between);
	assert_int_equal(seen.builds, 5);
	assert_true(seen.most_alive >= 1 && seen.most_alive <= 2);
	assert_int_equal(seen.dangling_max, seen.dangling_min); /* nothing left dangling */
	if (!strcmp(it_str(env, "image_store"), "containerd")) {
		/* -a, -b; build 3 fails before its naming; build 4's images
		 * are of commits 1 and 2, not of the two before it, so build
		 * 1's image goes before it (its naming would drop it) and it
		 * takes -a; build 5 follows 4 but the other image is 2's, so
		 * that one goes before it too; both tags at the series' end */
		assert_int_equal(seen.tags, 2);
		assert_int_equal(seen.removals_between, 2);
		assert_int_equal(seen.removals, 4);
	} else {
		/* a ref a build, each replaced one removed once its successor
		 * is built: build 1's after build 2, 2's after 4 (3 fails:
		 * nothing replaced), 4's after 5 (no build follows), and 5's at
		 * the series' end */
		assert_int_equal(seen.tags, 5);
		assert_int_equal(seen.removals_between, 2);
		assert_int_equal(seen.removals, 4);
	}
	json_decref(prun);
	free(dir);
	free(out);
	free(err);
	free(scenario);
	free(results);
	free(wrapper);
	free(log);
	free(script);
}

static void test_bad_scenario_exit_2(void **state)
{
	char *path = path_join(grp.tmp, "bad.ini"), *out = NULL, *err = NULL, *want;
	const char *args[] = {"run", path, NULL};
	(void)state;
	it_write_text(path, "[scenario]\nname = x\ncolour = blue\n");
	assert_int_equal(it_bench(&out, &err, args), 2);
	want = xasprintf("%s:3:", path);
	assert_non_null(strstr(err, want));
	free(want);
	free(out);
	free(err);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_shape),
		cmocka_unit_test(test_phases_and_cache),
		cmocka_unit_test(test_verdict_recorded),
		cmocka_unit_test(test_failing_commit_recorded),
		cmocka_unit_test(test_skipped_without_dockerfile),
		cmocka_unit_test(test_one_cache_folder_after_rotation),
		cmocka_unit_test(test_files_written),
		cmocka_unit_test(test_dry_run_runs_nothing),
		cmocka_unit_test(test_persistent_runner),
		cmocka_unit_test(test_bad_scenario_exit_2),
	};
	return cmocka_run_group_tests_name("integration: bench run on the real engine", tests, setup_run, teardown_run);
}
