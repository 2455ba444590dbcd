/*
 * it_push_mode.c: push_mode on the real engine, in an emulated world at a
 * tiny scale. Two variants with a registry cache build the last two commits
 * of the world's history: `load` stores each image and pushes it apart
 * (push_seconds), `direct` pushes from the build's exporter and stores
 * nothing. The warm build of `load` pulls the unchanged 4 MB layer from the
 * registry cache to store the image; the warm build of `direct` leaves it in
 * the registry (only manifests come down) and still pushes its new layer.
 * The code layer is a COPY --link: a plain COPY is built on the snapshot of
 * the layer below, which BuildKit then pulls whatever the output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "ittest.h"

#define MB 1000000.0

/* o[key] as a number (integer or real), or -1. */
static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* The build of variant in phase in run. Borrowed. */
static json_t *find(json_t *run, const char *variant, const char *phase)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (!strcmp(it_str(b, "variant"), variant) && !strcmp(it_str(b, "phase"), phase))
			return b;
	fail_msg("no %s build of %s", phase, variant);
	return NULL;
}

static void test_load_and_direct(void **state)
{
	char *dir = xstrdup("/tmp/bench-it-push-mode-XXXXXX"), *df, *ini, *results, *text, *run_dir, *out = NULL,
	     *err = NULL;
	json_error_t jerr;
	json_t *run, *b;
	int code;

	(void)state;
	assert_non_null(mkdtemp(dir));
	df = path_join(dir, "Dockerfile");
	ini = path_join(dir, "push.ini");
	results = path_join(dir, "results");
	const char *args[] = {"run", ini, "--results", results, "--no-plot", NULL};
	/* a 4 MB layer no commit changes, then the code, independent of it */
	it_write_text(df, "FROM bench/busybox:latest\n"
			  "RUN head -c 4000000 /dev/urandom > /big\n"
			  "COPY --link ai_project /app\n");
	text = xasprintf("[scenario]\nname = pushmode\ncommits = last:2\ntimeout = 5m\n\n"
			 "[variant load]\ndockerfile = %s\ncache = registry\npush = yes\n\n"
			 "[variant direct]\ndockerfile = %s\ncache = registry\npush = yes\npush_mode = direct\n\n"
			 "[world]\nkind = cafeboo\nscale = 0.002\nbase_image = bench/busybox:latest\n", df, df);
	it_write_text(ini, text);
	code = it_bench(&out, &err, args);
	if (code != 0)
		fail_msg("bench run: exit %d\n%s\n%s", code, out, err);
	run_dir = it_only_child(results);
	assert_non_null(run_dir);
	run = it_load_run(run_dir, &jerr);
	assert_non_null(run);

	/* load: pushed apart; its warm build pulls the unchanged layer to store the image */
	b = find(run, "load", "warm");
	assert_string_equal(it_str(b, "status"), "ok");
	assert_true(num(b, "push_seconds") >= 0);
	assert_true(num(b, "registry_bytes") - num(b, "registry_sent_bytes") > 3.5 * MB);
	/* direct: no push apart; the new layer goes up, the unchanged one stays remote */
	b = find(run, "direct", "cold");
	assert_string_equal(it_str(b, "status"), "ok");
	assert_true(num(b, "push_seconds") < 0);
	assert_true(num(b, "registry_sent_bytes") > 3.5 * MB);
	b = find(run, "direct", "warm");
	assert_string_equal(it_str(b, "status"), "ok");
	assert_true(num(b, "push_seconds") < 0);
	assert_true(num(b, "registry_sent_bytes") > 0);
	if (!(num(b, "registry_bytes") - num(b, "registry_sent_bytes") < 0.5 * MB))
		fail_msg("the direct warm build pulled %.0f bytes from the registry",
			 num(b, "registry_bytes") - num(b, "registry_sent_bytes"));
	fprintf(stderr, "  warm: load pulled %.2f MB, direct %.3f MB from the registry\n",
		(num(find(run, "load", "warm"), "registry_bytes") -
		 num(find(run, "load", "warm"), "registry_sent_bytes")) / MB,
		(num(b, "registry_bytes") - num(b, "registry_sent_bytes")) / MB);

	json_decref(run);
	free(run_dir);
	free(text);
	free(out);
	free(err);
	rm_rf(dir);
	free(dir);
	free(df);
	free(ini);
	free(results);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
