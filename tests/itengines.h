/*
 * itengines.h: helpers shared by the integration tests that run bench over
 * several engines (it_engines.c, it_hosts.c): build records by series, a
 * bench run in the background with its output in a file, and the journal
 * watched while it runs. Header-only, after ittest.h; the including test
 * defines RUN_LIMIT (seconds a background run may take).
 */
#ifndef BENCH_TESTS_ITENGINES_H
#define BENCH_TESTS_ITENGINES_H

#ifndef RUN_LIMIT
#error "define RUN_LIMIT before itengines.h"
#endif

#include <errno.h>
#include <time.h>

IT_API void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

IT_API char *slurp(const char *path)
{
	char *text = NULL;
	if (read_file(&text, NULL, path) < 0)
		return xstrdup("");
	return text;
}

IT_API const char *tail_of(const char *text)
{
	size_t len = strlen(text);
	return len > 1500 ? text + len - 1500 : text;
}

/* "variant/repetition" of a build record. Caller frees. */
IT_API char *series_of(json_t *b)
{
	return xasprintf("%s/%lld", it_str(b, "variant"), it_num(b, "repetition"));
}

/* Each series' builds all on one engine; returns how many engines served. */
IT_API int check_series_pinned(json_t *builds)
{
	json_t *where = json_object(), *b, *names = json_object();
	size_t i;
	int n;

	json_array_foreach(builds, i, b) {
		char *s = series_of(b);
		json_t *e = json_object_get(where, s);
		if (e && strcmp(json_string_value(e), it_str(b, "engine")))
			fail_msg("series %s was built on %s and on %s", s, json_string_value(e), it_str(b, "engine"));
		json_object_set_new(where, s, json_string(it_str(b, "engine")));
		json_object_set_new(names, it_str(b, "engine"), json_true());
		free(s);
	}
	n = (int)json_object_size(names);
	json_decref(where);
	json_decref(names);
	return n;
}

IT_API json_t *find_build(json_t *builds, const char *variant, long long rep, long long index)
{
	json_t *b;
	size_t i;

	json_array_foreach(builds, i, b)
		if (!strcmp(it_str(b, "variant"), variant) && it_num(b, "repetition") == rep && it_num(b, "index") == index)
			return b;
	return NULL;
}

/* bench started in the background, its output in a file. */
struct bg {
	struct proc p;
	struct strvec argv;
	char *log;
	int fd;
};

IT_API void bg_start(struct bg *g, const char *dir, const char *const *args)
{
	memset(g, 0, sizeof(*g));
	it_argv(&g->argv, it_bench_bin(), args);
	g->log = path_join(dir, "bench.log");
	g->fd = open(g->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(g->fd > 2);
	g->p.argv = strvec_argv(&g->argv);
	g->p.output_fd = g->fd;
	assert_int_equal(proc_start(&g->p), 0);
}

/* Wait for it to end: its exit status. */
IT_API int bg_wait(struct bg *g)
{
	int i;

	for (i = 0; i < RUN_LIMIT * 10 && !proc_poll(&g->p); i++)
		sleep_ms(100);
	if (g->p.running) {
		proc_kill(&g->p, 5);
		fail_msg("bench did not end within %d s:\n%s", RUN_LIMIT, tail_of(slurp(g->log)));
	}
	close(g->fd);
	strvec_release(&g->argv);
	return g->p.exit_code;
}

/* Lines of the journal in dir's one results folder that hold both needles
 * (b may be NULL). */
IT_API int journal_count(const char *results, const char *a, const char *b)
{
	char *run = it_only_child(results), *path, *text, *line, *save = NULL;
	int n = 0;

	if (!run)
		return 0;
	path = path_join(run, "journal.jsonl");
	text = slurp(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
	free(text);
	free(path);
	free(run);
	return n;
}

/* Wait until the journal has a line with both needles; false after limit s. */
IT_API bool wait_journal(const char *results, const char *a, const char *b, int limit)
{
	int i;
	for (i = 0; i < limit * 10; i++) {
		if (journal_count(results, a, b) > 0)
			return true;
		sleep_ms(100);
	}
	return false;
}

#endif
