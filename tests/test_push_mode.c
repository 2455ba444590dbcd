/*
 * test_push_mode.c: push_mode = load | direct, through a dry run of a world
 * scenario (no engine): load builds into the engine (--load) and pushes apart
 * (docker push); direct pushes from the build's image exporter and stores
 * nothing (--output type=image,push=true,store=false), with no docker push;
 * a bad value names the file and line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/error.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "lib/util.h"
#include "capture.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("test-push-mode")

static char *scenario_text(const char *multi_keys)
{
	const char *root = getenv("BENCH_DATADIR");
	return xasprintf("[scenario]\nname = pushmode\ncommits = last:1\nallow_outside = yes\n\n"
			 "[variant single]\ndockerfile = %s/dockerfiles/single-stage.Dockerfile\npush = yes\n\n"
			 "[variant multi]\ndockerfile = %s/dockerfiles/multi-stage.Dockerfile\npush = yes\n%s\n"
			 "[world]\nkind = cafeboo\n", root ? root : ".", root ? root : ".", multi_keys);
}

/* The lines a dry run of text prints. New string. */
static char *dry_run(const char *text)
{
	char *path = path_join(tmp, "p.ini"), *printed = NULL;
	struct run_options opts = {.dry_run = true, .quiet = true};
	struct run_outcome o;
	struct capture c;
	int error;

	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	opts.scenario_path = path;
	capture_begin(&c, tmp);
	error = run_execute(&o, &opts);
	capture_end(&printed, NULL, &c);
	assert_int_equal(error, 0);
	run_outcome_release(&o);
	free(path);
	return printed;
}

/* The printed line that holds both a and b, or NULL. Borrowed from text. */
static const char *line_with(const char *text, const char *a, const char *b)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		char *one = xasprintf("%.*s", (int)n, l);
		bool hit = strstr(one, a) && strstr(one, b);
		free(one);
		if (hit)
			return l;
	}
	return NULL;
}

static void test_load_and_direct(void **state)
{
	char *text = scenario_text("push_mode = direct\n"), *printed;

	(void)state;
	printed = dry_run(text);
	/* single (load, the default): stored, then pushed apart */
	assert_non_null(line_with(printed, "buildx build", "/single:"));
	assert_non_null(strstr(line_with(printed, "buildx build", "/single:"), "--load"));
	assert_non_null(line_with(printed, "docker push", "/single:"));
	/* multi (direct): the exporter pushes, nothing stored, no docker push */
	assert_non_null(line_with(printed, "buildx build", "--output type=image,push=true,store=false"));
	assert_non_null(line_with(printed, "/multi:", "--output type=image,push=true,store=false"));
	assert_null(line_with(printed, "docker push", "/multi:"));
	free(printed);
	free(text);
}

static void test_bad_value(void **state)
{
	struct scenario *s = NULL;
	char *text = scenario_text("push_mode = later\n");

	(void)state;
	assert_int_equal(scenario_parse(&s, "p.ini", text, strlen(text)), BENCH_EINVALID);
	assert_string_equal(bench_error_last(), "p.ini:13: invalid push_mode 'later' (use load or direct)");
	assert_null(s);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_direct),
		cmocka_unit_test(test_bad_value),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
