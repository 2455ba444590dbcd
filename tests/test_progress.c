/*
 * test_progress.c: the progress display written to a temporary file: plain
 * lines (not a terminal), the redrawn terminal line (tty forced on), quiet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/progress.h"
#include "lib/util.h"

/* Everything written to f so far, NUL-terminated. Caller frees. */
static char *contents(FILE *f)
{
	long len;
	char *buf;

	fflush(f);
	len = ftell(f);
	assert_true(len >= 0);
	buf = xmalloc((size_t)len + 1);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void start(struct progress *p, FILE *f, bool quiet, int reps)
{
	progress_init(p, f, quiet);
	assert_false(p->tty); /* a regular file */
	progress_build_start(p, "pip", "warm", 1, reps, 2, 5, "abc1234");
}

static void test_plain_lines(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	assert_non_null(f);
	start(&p, f, false, 1);
	progress_update(&p, NULL);                       /* nothing */
	progress_update(&p, "[deps 1/2] COPY req.txt /req.txt");
	progress_update(&p, "[deps 1/2] COPY req.txt /req.txt"); /* same: nothing */
	progress_update(&p, NULL);
	progress_update(&p, "[deps 2/2] RUN pip install -r req.txt");
	progress_update(&p, "[deps 2/2] RUN pip install -r req.txt");
	progress_build_end(&p, "ok", 12.34, 5, 7);
	out = contents(f);
	assert_int_equal(count_lines(out), 3);
	assert_non_null(strstr(out, "[pip] warm commit 2/5 abc1234 "));
	assert_non_null(strstr(out, "s: [deps 1/2] COPY req.txt /req.txt\n"));
	assert_non_null(strstr(out, "s: [deps 2/2] RUN pip install -r req.txt\n"));
	assert_non_null(strstr(out, "\n[pip] commit 2/5 abc1234 warm: ok 12.3s (5/7 steps cached)\n"));
	assert_null(strchr(out, '\r'));
	assert_null(strchr(out, '\033'));
	free(out);
	fclose(f);
}

/* A long step is printed again after PROGRESS_PLAIN_REPEAT seconds; the
 * clock is moved by hand rather than waited for. */
static void test_plain_repeat(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	start(&p, f, false, 3);
	progress_update(&p, "[base 2/2] RUN make");
	progress_update(&p, "[base 2/2] RUN make");
	p.last_print -= (monotime)((PROGRESS_PLAIN_REPEAT + 1) * 1e9);
	progress_update(&p, "[base 2/2] RUN make");
	progress_update(&p, "[base 2/2] RUN make");
	progress_build_end(&p, "failed", 3.0, 0, 0);
	out = contents(f);
	assert_int_equal(count_lines(out), 3);
	/* repetitions > 1 show the repetition; no steps: no count */
	assert_non_null(strstr(out, "[pip] warm rep 1/3 commit 2/5 abc1234 "));
	assert_non_null(strstr(out, "[pip] commit 2/5 abc1234 warm rep 1/3: failed 3.0s\n"));
	free(out);
	fclose(f);
}

/* Control characters become spaces and a huge step name is cut. */
static void test_plain_clean(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out, *big = xmalloc(1001);
	(void)state;

	memset(big, 'x', 1000);
	big[1000] = '\0';
	start(&p, f, false, 1);
	progress_update(&p, "[1/2] RUN <<EOF\necho hi\nEOF");
	progress_update(&p, big);
	out = contents(f);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, "[1/2] RUN <<EOF echo hi EOF\n"));
	assert_non_null(strstr(out, "xxx...\n"));
	assert_true(strlen(strrchr(out, ':')) < 220);
	free(out);
	free(big);
	fclose(f);
}

static void test_quiet(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	start(&p, f, true, 1);
	progress_update(&p, "[deps 2/2] RUN x");
	progress_note(&p, "resetting runner");
	progress_build_end(&p, "ok", 1.0, 1, 2);
	p.tty = true;
	progress_update(&p, "[deps 2/2] RUN y");
	out = contents(f);
	assert_string_equal(out, "");
	free(out);
	fclose(f);
}

static void test_note(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	progress_init(&p, f, false);
	progress_note(&p, "restoring cache %s (%d MB)", "pip", 12);
	progress_note(&p, "already ends\n");
	out = contents(f);
	assert_string_equal(out, "restoring cache pip (12 MB)\nalready ends\n");
	free(out);
	fclose(f);
}

/* The terminal line, with tty forced on: "\r\033[K", redrawn on every update,
 * cut to the width, cleared before a note and the final line. */
static void test_tty(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out, *line, *end;
	(void)state;

	start(&p, f, false, 1);
	p.tty = true;
	p.width = 60;
	progress_update(&p, NULL);
	progress_update(&p, "[deps 2/2] RUN pip install -r requirements.txt --no-cache-dir");
	assert_true(p.line_open);
	progress_note(&p, "a note");
	assert_false(p.line_open);
	p.width = 80;
	progress_update(&p, "[deps 2/2] RUN é");
	progress_build_end(&p, "ok", 1.26, 1, 2);
	out = contents(f);

	assert_true(!strncmp(out, "\r\033[K[pip] warm  rep 1/1  commit 2/5 abc1234  ", 45));
	/* second draw: the long step, cut to 59 columns */
	line = strstr(out + 1, "\r\033[K[pip]");
	assert_non_null(line);
	line += 4;
	end = strstr(line, "\r\033[K");
	assert_non_null(end);
	assert_int_equal(end - line, 59);
	assert_true(!strncmp(end, "\r\033[Ka note\n", 11));
	assert_non_null(strstr(out, "s  [deps 2/2] RUN é\r\033[K"
				    "[pip] commit 2/5 abc1234 warm: ok 1.3s (1/2 steps cached)\n"));
	free(out);
	fclose(f);
}

/* A UTF-8 character is never cut in half. */
static void test_tty_utf8_cut(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out, step[256];
	size_t prefix;
	(void)state;

	start(&p, f, false, 1);
	p.tty = true;
	p.width = 100;
	progress_update(&p, "");
	out = contents(f);
	prefix = strlen(out) - 4; /* columns before the step, "  " included */
	free(out);
	rewind(f);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	strcpy(step, "");
	while (strlen(step) < 200) /* 100 characters */
		strcat(step, "ü");
	progress_update(&p, step);
	out = contents(f);
	/* 99 columns: the prefix, then 99 - prefix two-byte characters */
	assert_int_equal(strlen(out), 4 + prefix + 2 * (99 - prefix));
	free(out);
	fclose(f);
}

/* Make the running build look `seconds` old, then end it. */
static void end_after(struct progress *p, double seconds)
{
	p->started = monotime_now() - (monotime)(seconds * 1e9);
	progress_build_end(p, "ok", seconds, 1, 1);
}

static void assert_eta_near(const struct progress *p, double want, double within)
{
	double eta = progress_eta(p);
	if (eta < want - within || eta > want + within)
		fail_msg("ETA %.3f s, expected %.3f s", eta, want);
}

static void assert_eta(const struct progress *p, double want)
{
	assert_eta_near(p, want, 0.05);
}

/* The ETA: the mean of the builds done, per variant and phase, borrowed
 * from the same phase, then the same variant, while a kind has none. */
static void test_eta(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	progress_init(&p, f, false);
	progress_plan(&p, "a", "cold", 1);
	progress_plan(&p, "a", "warm", 4);
	progress_plan(&p, "b", "cold", 1);
	progress_plan(&p, "b", "warm", 4);
	assert_true(progress_eta(&p) < 0); /* nothing known yet */

	progress_build_start(&p, "a", "cold", 1, 1, 1, 5, "c1");
	assert_true(progress_eta(&p) < 0);
	end_after(&p, 10);
	/* a warm: a's 10 s; b cold: the cold mean 10 s; b warm: every build's 10 s */
	assert_eta(&p, 4 * 10 + 10 + 4 * 10);

	progress_build_start(&p, "a", "warm", 1, 1, 2, 5, "c2");
	end_after(&p, 2);
	progress_build_start(&p, "a", "warm", 1, 1, 3, 5, "c3");
	end_after(&p, 2);
	/* a warm 2 x 2 s, b cold 10 s, b warm borrows the warm mean: 4 x 2 s */
	assert_eta(&p, 2 * 2 + 10 + 4 * 2);

	/* a running build counts for what its kind is expected to take still */
	progress_build_start(&p, "a", "warm", 1, 1, 4, 5, "c4");
	p.started = monotime_now() - (monotime)(1.5 * 1e9);
	assert_eta(&p, 0.5 + 2 + 10 + 8);
	p.started = monotime_now() - (monotime)(5 * 1e9); /* longer than expected */
	assert_eta(&p, 0 + 2 + 10 + 8);
	end_after(&p, 2);

	/* resume: a build made before is not to be made */
	progress_unplan(&p, "b", "warm");
	assert_eta(&p, 2 + 10 + 3 * 2);
	progress_unplan(&p, "nosuch", "warm"); /* nothing */
	assert_eta(&p, 2 + 10 + 3 * 2);

	out = contents(f);
	assert_non_null(strstr(out, "[a] commit 1/5 c1 cold: ok 10.0s (1/1 steps cached); ETA 1m30s\n"));
	assert_non_null(strstr(out, "[a] commit 3/5 c3 warm: ok 2.0s (1/1 steps cached); ETA 22s\n"));
	free(out);
	progress_release(&p);
	fclose(f);
}

static void test_eta_on_tty(void **state)
{
	FILE *f = tmpfile();
	struct progress p;
	char *out;
	(void)state;

	progress_init(&p, f, false);
	p.tty = true;
	p.width = 200;
	progress_plan(&p, "a", "warm", 3);
	progress_build_start(&p, "a", "warm", 1, 1, 1, 3, "c1");
	end_after(&p, 100);
	progress_build_start(&p, "a", "warm", 1, 1, 2, 3, "c2");
	progress_update(&p, "[2/2] RUN x");
	out = contents(f);
	/* this one (100 s expected, just started) and one more: 3m19s or 3m20s */
	assert_eta_near(&p, 200, 1);
	assert_non_null(strstr(out, "  ETA 3m"));
	assert_non_null(strstr(out, "  [2/2] RUN x"));
	free(out);
	progress_release(&p);
	fclose(f);
}

static void test_time_split(void **state)
{
	FILE *f = tmpfile();
	struct time_split t = {.total = 200.5, .waiting = 0.01, .setup = 1.25, .world = 0,
			       .builds = 190, .docker = 188, .nbuilds = 100, .report = 3.5,
			       .cleanup = 5.75, .peak_rss_kb = 14336};
	char *out, buf[32];
	(void)state;

	progress_time_split(f, &t);
	out = contents(f);
	assert_string_equal(out,
		"where the time went (3m20s in all):\n"
		"  set-up                     1.2s  docker checks, results folder, commits, work tree\n"
		"  builds                    3m10s  100 builds: docker 3m08s, bench 2.0s (20 ms a build)\n"
		"  report and plots           3.5s\n"
		"  clean-up                   5.8s  the run's images, builder cache, work folder\n"
		"  bench's peak memory: 14.0 MB\n");
	free(out);
	fclose(f);

	f = tmpfile();
	t.resets = 1.5;
	progress_time_split(f, &t);
	out = contents(f);
	assert_non_null(strstr(out, "100 builds: docker 3m08s, runner clean-up 1.5s, bench 0.5s (5 ms a build)"));
	free(out);
	fclose(f);

	f = tmpfile();
	t.resets = 0;
	t.waiting = 30;
	t.world = 95;
	t.nbuilds = 0;
	progress_time_split(f, &t);
	out = contents(f);
	assert_non_null(strstr(out, "  waiting for the engine    30.0s  another bench run held the engine lock\n"));
	assert_non_null(strstr(out, "  world                     1m35s  base image"));
	assert_non_null(strstr(out, "no build made"));
	free(out);
	fclose(f);

	progress_duration(buf, sizeof(buf), 3725);
	assert_string_equal(buf, "1h02m");
	progress_duration(buf, sizeof(buf), -1);
	assert_string_equal(buf, "0.0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lines),
		cmocka_unit_test(test_plain_repeat),
		cmocka_unit_test(test_plain_clean),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_tty_utf8_cut),
		cmocka_unit_test(test_eta),
		cmocka_unit_test(test_eta_on_tty),
		cmocka_unit_test(test_time_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
