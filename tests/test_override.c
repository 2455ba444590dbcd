/* test_override.c: unit tests for scenario_override.c: keys set from the
 * command line over the scenario file (bench sweep --param), checked by the
 * same table as the file, with errors that name the flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "scenario/scenario.h"
#include "lib/util.h"

/* A world scenario with two variants; the Dockerfile is the scenario file
 * itself (any regular file does), so nothing else is needed on disk. */
static const char text[] =
	"[scenario]\nname = sw\ncommits = last:3\n\n"
	"[world]\nkind = cafeboo\nbandwidth = 20MB/s\n\n"
	"[variant v.nocache]\ndockerfile = mem.ini\ncache = none\n\n"
	"[variant cached]\ndockerfile = mem.ini\ncache = local\ncache_mode = max\n";

static char dir[] = "/tmp/test_override.XXXXXX";
static char *path;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	path = path_join(dir, "mem.ini");
	return write_file_atomic(path, text, strlen(text));
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(dir);
	free(path);
	return 0;
}

/* Parse text with the overrides (all from --param); the scenario or NULL. */
static struct scenario *parse(int *rc, const char *const *assign, size_t n)
{
	struct scenario_override ov[8];
	struct scenario *s = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		ov[i] = (struct scenario_override){"--param", assign[i]};
	*rc = scenario_parse_with(&s, path, text, strlen(text), ov, n);
	return s;
}

static void expect_error(const char *assign, const char *words)
{
	const char *one[] = {assign};
	int rc;
	struct scenario *s = parse(&rc, one, 1);
	char *want = xasprintf("--param %s: ", assign);

	assert_int_equal(rc, BENCH_EINVALID);
	assert_null(s);
	if (strncmp(bench_error_last(), want, strlen(want)) || !strstr(bench_error_last(), words))
		fail_msg("'%s': message '%s' does not start with '%s' or lacks '%s'", assign,
			 bench_error_last(), want, words);
	free(want);
}

static void test_world_and_variant_keys(void **state)
{
	const char *assign[] = {"bandwidth=5MB/s", "cached.cache_mode=min", "scale=0.01",
				"cache_compression=zstd", "gate.warm_median_growth=20%"};
	struct scenario *plain = NULL, *s;
	json_t *j;
	int rc;
	(void)state;

	s = parse(&rc, assign, 5);
	if (!s)
		fail_msg("%s", bench_error_last());
	assert_true(fabs(s->world.bandwidth - 5e6) < 1);
	assert_true(fabs(s->world.scale - 0.01) < 1e-12);
	assert_string_equal(s->variants[0].cache_mode, "max"); /* only 'cached' */
	assert_string_equal(s->variants[1].cache_mode, "min");
	assert_string_equal(s->variants[0].cache_compression, "zstd"); /* every variant */
	assert_string_equal(s->variants[1].cache_compression, "zstd");
	assert_true(fabs(s->gate.warm_median_growth - 0.2) < 1e-12);
	/* recorded, and the digest covers them */
	assert_int_equal(s->overrides_count, 5);
	assert_string_equal(s->overrides[1], "cached.cache_mode=min");
	assert_int_equal(scenario_parse(&plain, path, text, strlen(text)), 0);
	assert_string_not_equal(plain->digest, s->digest);
	assert_int_equal(strlen(s->digest), 64);
	j = scenario_to_json(s);
	assert_int_equal(json_array_size(json_object_get(j, "overrides")), 5);
	json_decref(j);
	j = scenario_to_json(plain);
	assert_null(json_object_get(j, "overrides"));
	json_decref(j);
	scenario_free(plain);
	scenario_free(s);
	/* a variant whose name holds a dot, and an explicit section */
	{
		const char *two[] = {"v.nocache.runner=persistent", "world.latency=40ms"};
		s = parse(&rc, two, 2);
		if (!s)
			fail_msg("%s", bench_error_last());
		assert_int_equal(s->variants[0].runner, RUNNER_PERSISTENT);
		assert_int_equal(s->variants[1].runner, RUNNER_EPHEMERAL);
		assert_true(fabs(s->world.latency - 0.04) < 1e-12);
		scenario_free(s);
	}
}

static void test_errors_name_the_flag(void **state)
{
	(void)state;
	expect_error("bandwidth=fast", "invalid size 'fast' for 'bandwidth'");
	expect_error("bandwith=5MB/s", "unknown key 'bandwith'; did you mean 'bandwidth'?");
	expect_error("cache_mode=medium", "invalid cache_mode 'medium' (use max or min)");
	expect_error("nosuch.cache_mode=min", "'nosuch' is neither a section");
	expect_error("world.cache_mode=min", "unknown key 'cache_mode' in [world]; it is a key of [variant NAME]");
	expect_error("scale=9", "invalid scale '9'");
	expect_error("bandwidth=", "empty value for 'bandwidth'");
	expect_error("=1", "expected KEY=VALUE");
	expect_error("secret=id=a,env=B", "cannot be set from the command line");
	/* the checks across keys run after the override, and name it */
	expect_error("cached.cache_scope=deps", "cache_scope needs cache = gha");
	{
		/* a conflict with a line of the file is reported at that line */
		const char *inl[] = {"cached.cache=inline"};
		int rc;
		assert_null(parse(&rc, inl, 1));
		assert_non_null(strstr(bench_error_last(), "mem.ini:16: cache = inline supports only cache_mode = min"));
	}
	{
		const char *twice[] = {"bandwidth=1MB/s", "world.bandwidth=2MB/s"};
		int rc;
		assert_null(parse(&rc, twice, 2));
		assert_int_equal(rc, BENCH_EINVALID);
		assert_non_null(strstr(bench_error_last(), "--param world.bandwidth=2MB/s: 'bandwidth' is set "
					"twice on the command line (also by --param bandwidth=1MB/s)"));
	}
}

static void test_no_world(void **state)
{
	static const char plain[] = "[scenario]\nname = p\nrepo = .\ncommits = last:1\n"
				    "[variant a]\ndockerfile = mem.ini\n";
	struct scenario_override ov = {"--param", "bandwidth=1MB/s"};
	struct scenario *s = NULL;
	(void)state;

	assert_int_equal(scenario_parse_with(&s, path, plain, strlen(plain), &ov, 1), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "--param bandwidth=1MB/s: 'bandwidth' is a key of "
				"[world], and scenario"));
}

static void test_override_number(void **state)
{
	double v;
	const char *unit;
	(void)state;

	assert_int_equal(scenario_override_number(&v, &unit, "bandwidth=20MB/s"), 0);
	assert_true(fabs(v - 20e6) < 1e-6);
	assert_string_equal(unit, "B/s");
	assert_int_equal(scenario_override_number(&v, &unit, "world.latency=250ms"), 0);
	assert_true(fabs(v - 0.25) < 1e-12);
	assert_string_equal(unit, "s");
	assert_int_equal(scenario_override_number(&v, &unit, "scale=0.5"), 0);
	assert_string_equal(unit, "");
	assert_int_equal(scenario_override_number(&v, &unit, "gha_quota=1GiB"), 0);
	assert_true(fabs(v - 1073741824.0) < 1e-3);
	assert_string_equal(unit, "B");
	assert_int_equal(scenario_override_number(&v, &unit, "cache_mode=min"), BENCH_EINVALID);
	assert_int_equal(scenario_override_number(&v, &unit, "nosuch=1"), BENCH_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world_and_variant_keys),
		cmocka_unit_test(test_errors_name_the_flag),
		cmocka_unit_test(test_no_world),
		cmocka_unit_test(test_override_number),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
