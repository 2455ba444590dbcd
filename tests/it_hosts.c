/*
 * it_hosts.c: a run spread over this machine's engine and an engine on a
 * second host, for real: scripts/host makes the host (a network namespace
 * on a veth pair, its own dockerd reached as a tcp:// engine with TLS
 * through a docker context and as an ssh:// engine through its own sshd)
 * and removes it at the end, also when a test fails. The world listens on
 * 127.0.0.1 for this machine's engine and on this side of the veth for the
 * second host's ([world] engine_listen), nowhere else. On a cafeboo slice
 * (tests/data/hosts/slice.ini: a small world, every cache backend, gha
 * included, three commits):
 *   - split over both hosts, the builds, phases, statuses and cached steps
 *     equal a one-host run's, gha built on the second host too;
 *   - Ctrl-C halfway, then --resume: every series ends on the host it
 *     began on, no build is made twice;
 *   - the second host's link cut (ip link set down) while it builds: its
 *     series move to the first host, the run ends complete, every build
 *     that finished is kept, and run.json says which engine was lost and
 *     why.
 * A host that cannot be made fails the suite (it is not skipped).
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

#include "lib/monotonic.h"
#include "builders/engine.h"
#include "ittest.h"

#define RUN_LIMIT 600 /* seconds: bench may wait for an engine's lock */
#include "itengines.h"

static char *tmp;        /* this suite's folder */
static char *host;       /* the second host's name (scripts/host NAME) */
static char *script;     /* scripts/host, absolute */
static char *local_addr; /* this side of the veth: where the world listens for it */
static char *link_name;  /* the veth on this side */
static char *context;    /* its docker context (tcp:// with TLS) */
static char *ssh_url;    /* ssh://root@ADDRESS */
static int serial;

/* scripts/host CMD NAME: its exit status; its stdout in *out. */
static int host_script(const char *cmd, char **out)
{
	const char *args[] = {cmd, host, NULL};
	char *o = NULL, *e = NULL;
	int status = -1;

	if (it_capture(&o, &e, &status, script, args, 600) < 0)
		status = -1;
	if (status != 0)
		print_message("scripts/host %s %s exited %d:\n%s%s\n", cmd, host, status, o ? o : "", e ? e : "");
	if (out)
		*out = o;
	else
		free(o);
	free(e);
	return status;
}

/* The value of KEY=VALUE in scripts/host's output, or NULL. Caller frees. */
static char *info_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == '=')
			return xstrndup(p + n + 1, strcspn(p + n + 1, "\n"));
	return NULL;
}

/* ip link set LINK up|down: true when it did. */
static bool set_link(const char *state)
{
	const char *args[] = {"link", "set", link_name, state, NULL};
	char *o = NULL, *e = NULL;
	int status = -1;

	if (it_capture(&o, &e, &status, "ip", args, 30) < 0 || status != 0)
		print_message("ip link set %s %s: %s\n", link_name, state, e ? e : "cannot run ip");
	free(o);
	free(e);
	return status == 0;
}

static int setup(void **state)
{
	char *out = NULL;

	(void)state;
	tmp = xstrdup("/tmp/bench-it-hosts-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	host = xasprintf("bh%d", (int)(getpid() % 1000000));
	script = path_absolute("scripts/host");
	if (host_script("start", &out) != 0) {
		free(out);
		host_script("stop", NULL);
		return -1;
	}
	local_addr = info_value(out, "local");
	link_name = info_value(out, "link");
	context = info_value(out, "context");
	ssh_url = info_value(out, "ssh");
	free(out);
	return local_addr && link_name && context && ssh_url ? 0 : -1;
}

static void unlink_engine_lock(const char *name)
{
	struct engine e;

	if (name && engine_init(&e, name) == 0) {
		char *lock = engine_lock_path(&e);
		unlink(lock);
		free(lock);
		engine_release(&e);
	}
}

/* Always, failed tests or not: the host goes (namespace, veth, dockerd,
 * sshd, certificates, context), and the lock files the runs made. */
static int teardown(void **state)
{
	(void)state;
	host_script("stop", NULL);
	unlink_engine_lock(context);
	unlink_engine_lock(ssh_url);
	rm_rf(tmp);
	free(tmp);
	free(host);
	free(script);
	free(local_addr);
	free(link_name);
	free(context);
	free(ssh_url);
	return 0;
}

/* The slice in a folder of its own, its world listening for engine (the
 * second host's, as the run names it) on this side of the veth. Returns
 * the folder; *scenario gets the file (caller frees both). */
static char *job(char **scenario, const char *name, const char *engine, int reps)
{
	char *dir = xasprintf("%s/%d-%s", tmp, ++serial, name), *data = path_absolute("tests/data/hosts");
	char *tpl_path = path_join(data, "slice.ini"), *tpl = slurp(tpl_path), *a, *b, *c, *d;
	char reps_text[16];

	snprintf(reps_text, sizeof(reps_text), "%d", reps);
	assert_int_equal(mkdir_p(dir), 0);
	a = it_subst(tpl, "@ENGINE@", engine);
	b = it_subst(a, "@ADDRESS@", local_addr);
	c = it_subst(b, "@REPS@", reps_text);
	d = it_subst(c, "@DIR@", data);
	*scenario = xasprintf("%s/%s.ini", dir, name);
	it_write_text(*scenario, d);
	free(a);
	free(b);
	free(c);
	free(d);
	free(tpl);
	free(tpl_path);
	free(data);
	return dir;
}

/* Every build ok, cold first then warm. */
static void check_all_ok(json_t *builds)
{
	json_t *b;
	size_t i;

	json_array_foreach(builds, i, b) {
		if (strcmp(it_str(b, "status"), "ok"))
			fail_msg("%s r%lld #%lld on %s: %s (%s)", it_str(b, "variant"), it_num(b, "repetition"),
				 it_num(b, "index"), it_str(b, "engine"), it_str(b, "status"), it_str(b, "reason"));
		assert_string_equal(it_str(b, "phase"), it_num(b, "index") == 1 ? "cold" : "warm");
	}
}

/* The world stayed on this machine's loopback and this side of the veth. */
static void check_world_addresses(json_t *run, const char *engine)
{
	json_t *world = json_object_get(json_object_get(run, "environment"), "world");

	assert_string_equal(it_str(world, "listen"), "127.0.0.1");
	assert_string_equal(it_str(world, "address"), "127.0.0.1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(world, "engine_listen"), engine)),
			    local_addr);
}

/* Run bench to its end: its exit status, stderr in *err; *seconds its wall
 * time. */
static int bench_timed(char **err, double *seconds, const char *const *args)
{
	char *out = NULL;
	monotime t0 = monotime_now();
	int status = it_bench(&out, err, args);

	*seconds = monotime_seconds_since(t0);
	free(out);
	return status;
}

static void test_slice_split_equals_one_host(void **state)
{
	char *scenario, *dir = job(&scenario, "slice", context, 2), *err = NULL;
	char *one = path_join(dir, "one"), *two = path_join(dir, "two"), *both = xasprintf("default,%s", context);
	char *one_dir, *two_dir;
	json_t *run1, *run2, *b1, *b2, *fps, *b;
	double t1, t2;
	size_t i, remote = 0, remote_gha_hits = 0, remote_index = 0;
	int status;

	(void)state;
	{
		const char *args[] = {"run", scenario, "--engines", "default", "--results", one, "--no-plot", NULL};
		if ((status = bench_timed(&err, &t1, args)) != 0)
			fail_msg("one-host run exited %d:\n%s", status, tail_of(err));
		free(err);
	}
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", two, "--no-plot", NULL};
		if ((status = bench_timed(&err, &t2, args)) != 0)
			fail_msg("two-host run exited %d:\n%s", status, tail_of(err));
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
	assert_int_equal(json_array_size(b1), 30); /* 5 variants, 2 repetitions, 3 commits */
	assert_int_equal(json_array_size(b2), 30);
	check_all_ok(b1);
	check_all_ok(b2);
	json_array_foreach(b1, i, b) {
		json_t *other = find_build(b2, it_str(b, "variant"), it_num(b, "repetition"), it_num(b, "index"));
		assert_non_null(other);
		assert_string_equal(it_str(b, "commit"), it_str(other, "commit"));
		assert_string_equal(it_str(b, "phase"), it_str(other, "phase"));
		if (it_num(b, "steps_total") != it_num(other, "steps_total") ||
		    it_num(b, "steps_cached") != it_num(other, "steps_cached"))
			fail_msg("%s r%lld #%lld: %lld/%lld steps cached on one host, %lld/%lld on %s",
				 it_str(b, "variant"), it_num(b, "repetition"), it_num(b, "index"),
				 it_num(b, "steps_cached"), it_num(b, "steps_total"), it_num(other, "steps_cached"),
				 it_num(other, "steps_total"), it_str(other, "engine"));
	}
	json_array_foreach(b2, i, b) {
		if (strcmp(it_str(b, "engine"), context))
			continue;
		remote++;
		/* its cold builds fetched the index over the veth, its gha
		 * builds used the cache service there */
		if (it_num(b, "index") == 1)
			remote_index += it_num(b, "served_requests") > 0;
		if (!strcmp(it_str(b, "variant"), "gha") && it_num(b, "index") > 1)
			remote_gha_hits += it_num(json_object_get(b, "gha"), "hits") > 0;
	}
	assert_int_equal(check_series_pinned(b2), 2);
	assert_true(remote > 0);
	if (remote_index == 0)
		fail_msg("no cold build on %s fetched the world's index", context);
	/* the first two series (gha, repetitions 1 and 2) start on the two
	 * engines at once */
	if (remote_gha_hits == 0)
		fail_msg("no warm gha build on %s imported from the cache service", context);
	check_world_addresses(run2, context);
	fps = json_object_get(json_object_get(run2, "environment"), "engines");
	assert_int_equal(json_array_size(fps), 2);
	assert_string_equal(it_str(json_array_get(fps, 1), "context"), context);
	assert_string_not_equal(it_str(json_array_get(fps, 0), "engine_id"), it_str(json_array_get(fps, 1), "engine_id"));
	assert_null(json_object_get(run2, "superseded"));
	print_message("slice over two hosts: 30 builds equal to the one-host run's in phase, status and cached "
		      "steps, %zu on %s; one host %.1f s, two hosts %.1f s (%.2fx)\n",
		      remote, context, t1, t2, t2 > 0 ? t1 / t2 : 0);
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

static size_t count_lines(const char *path)
{
	char *text = slurp(path);
	size_t n = 0;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

static void test_interrupt_and_resume_across_hosts(void **state)
{
	char *scenario, *dir = job(&scenario, "resume", context, 1), *results, *both, *run_dir, *err = NULL;
	char *on_remote = xasprintf("\"engine\":\"%s\"", context), *journal;
	struct bg g;
	json_t *run, *builds;
	double seconds;
	int status;

	(void)state;
	results = path_join(dir, "results");
	both = xasprintf("default,%s", context);
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", results, "--no-plot", NULL};
		bg_start(&g, dir, args);
	}
	/* a warm build done on the second host: its series is cut halfway */
	if (!wait_journal(results, on_remote, "\"index\":2", RUN_LIMIT))
		fail_msg("no warm build finished on %s:\n%s", context, tail_of(slurp(g.log)));
	kill(g.p.pid, SIGINT);
	status = bg_wait(&g);
	if (status != 130)
		fail_msg("interrupted run exited %d:\n%s", status, tail_of(slurp(g.log)));
	run_dir = it_only_child(results);
	{
		const char *args[] = {"run", "--resume", run_dir, scenario, "--engines", both, "--no-plot", NULL};
		if ((status = bench_timed(&err, &seconds, args)) != 0)
			fail_msg("resumed run exited %d:\n%s", status, tail_of(err));
		free(err);
	}
	run = it_load_run(run_dir, NULL);
	builds = json_object_get(run, "builds");
	assert_int_equal(json_array_size(builds), 15);
	check_all_ok(builds);
	assert_int_equal(check_series_pinned(builds), 2);
	assert_null(json_object_get(run, "superseded"));
	check_world_addresses(run, context);
	journal = path_join(run_dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), 15); /* each build once */
	print_message("interrupted and resumed over two hosts: 15 builds, each once, each series on one host\n");
	json_decref(run);
	free(journal);
	free(run_dir);
	free(results);
	free(both);
	free(on_remote);
	free(scenario);
	free(dir);
}

static void test_link_cut_moves_series(void **state)
{
	char *scenario, *dir = job(&scenario, "cut", ssh_url, 1), *results, *both, *run_dir, *log, *journal;
	char *on_remote = xasprintf("\"engine\":\"%s\"", ssh_url);
	json_t *run, *builds, *sup, *fps, *b;
	struct bg g;
	size_t i, lost_ok = 0, moved = 0;
	bool cause = false, cut, restored;
	int status;

	(void)state;
	results = path_join(dir, "results");
	both = xasprintf("default,%s", ssh_url);
	{
		const char *args[] = {"run", scenario, "--engines", both, "--results", results, "--no-plot", NULL};
		bg_start(&g, dir, args);
	}
	/* a build done on the second host: the next one of its series is on */
	if (!wait_journal(results, on_remote, "\"status\":\"ok\"", RUN_LIMIT))
		fail_msg("no build finished on %s:\n%s", ssh_url, tail_of(slurp(g.log)));
	cut = set_link("down");
	status = bg_wait(&g);
	restored = set_link("up");
	assert_true(cut);
	assert_true(restored);
	log = slurp(g.log);
	if (status != 0)
		fail_msg("run with a cut link exited %d:\n%s", status, tail_of(log));
	if (!strstr(log, "stopped answering"))
		fail_msg("no word of the lost engine:\n%s", tail_of(log));

	run_dir = it_only_child(results);
	run = it_load_run(run_dir, NULL);
	builds = json_object_get(run, "builds");
	sup = json_object_get(run, "superseded");
	assert_int_equal(json_array_size(builds), 15);
	check_all_ok(builds);
	check_series_pinned(builds);
	check_world_addresses(run, ssh_url);
	/* the build the cut took down, with its cause; the builds its series
	 * had made before, kept */
	assert_true(json_array_size(sup) >= 1);
	json_array_foreach(sup, i, b) {
		assert_string_equal(it_str(b, "engine"), ssh_url);
		if (strstr(it_str(b, "reason"), "stopped answering"))
			cause = true;
		lost_ok += !strcmp(it_str(b, "status"), "ok");
		if (!find_build(builds, it_str(b, "variant"), it_num(b, "repetition"), it_num(b, "index")))
			fail_msg("superseded %s #%lld was not built again", it_str(b, "variant"), it_num(b, "index"));
	}
	assert_true(cause);
	json_array_foreach(builds, i, b) {
		json_t *first = find_build(sup, it_str(b, "variant"), it_num(b, "repetition"), 1);
		if (first && !strcmp(it_str(b, "engine"), "default"))
			moved++;
	}
	assert_true(moved > 0);
	/* nothing finished is lost: every journal line is a build or a superseded one */
	journal = path_join(run_dir, "journal.jsonl");
	assert_int_equal(count_lines(journal), json_array_size(builds) + json_array_size(sup));
	fps = json_object_get(json_object_get(run, "environment"), "engines");
	assert_string_equal(it_str(json_array_get(fps, 1), "name"), ssh_url);
	assert_true(*it_str(json_array_get(fps, 1), "lost"));
	print_message("link of %s cut mid-run: %zu build(s) superseded (%zu of them ok), %zu builds of its series "
		      "made again on the first host, the 15 builds complete; lost: %s\n",
		      ssh_url, json_array_size(sup), lost_ok, moved, it_str(json_array_get(fps, 1), "lost"));
	json_decref(run);
	free(journal);
	free(log);
	free(run_dir);
	free(results);
	free(both);
	free(on_remote);
	free(scenario);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slice_split_equals_one_host),
		cmocka_unit_test(test_interrupt_and_resume_across_hosts),
		cmocka_unit_test(test_link_cut_moves_series),
	};
	return cmocka_run_group_tests_name("hosts", tests, setup, teardown);
}
