/*
 * test_fuzz_regressions.c: replays every input kept under tests/fuzz/ (the
 * seeds and any corpus, and above all the crashes/ folders: inputs that once
 * crashed a parser) through the very fuzz targets `make fuzz` builds, so a
 * parser bug found by libFuzzer stays fixed in an ordinary unit test run (and
 * under `make san` and `make valgrind`, which see what the fuzzer saw).
 *
 * The targets are compiled in here with LLVMFuzzerTestOneInput renamed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

#define LLVMFuzzerTestOneInput fuzz_scenario_one
#include "fuzz/fuzz_scenario.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_rawjson_one
#include "fuzz/fuzz_rawjson.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_baseline_one
#include "fuzz/fuzz_baseline.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_svg_one
#include "fuzz/fuzz_svg.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ghacache_one
#include "fuzz/fuzz_ghacache.c"
#undef LLVMFuzzerTestOneInput

typedef int (*target_fn)(const uint8_t *data, size_t size);

/* The input being replayed, named when the program dies on it: from a
 * signal handler (plain build) or the sanitizers' death callback. */
static const char *current_input;

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void name_culprit(void)
{
	static const char msg[] = "\nfuzz regression: the parser crashed on input: ";
	if (!current_input)
		return;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, current_input, strlen(current_input));
	(void)!write(2, "\n", 1);
}

static void on_fatal_signal(int signo)
{
	name_culprit();
	signal(signo, SIG_DFL);
	raise(signo);
}

static void watch_crashes(void)
{
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGFPE, on_fatal_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(name_culprit);
}

static char *fuzz_root(void)
{
	const char *root = getenv("BENCH_DATADIR");
	return path_join(root && *root ? root : ".", "tests/fuzz");
}

/* Feed every regular file of dir (a missing dir is fine: no crashes kept
 * yet) to the target; returns how many. A crash ends the test program,
 * naming the file on stderr first. */
static int replay_dir(target_fn target, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *path, *data = NULL;
		size_t len = 0;
		if (e->d_name[0] == '.')
			continue;
		path = path_join(dir, e->d_name);
		if (!path_is_dir(path)) {
			assert_int_equal(read_file(&data, &len, path), 0);
			current_input = path;
			/* a copy of exactly len bytes, so ASan sees any read past the end */
			{
				uint8_t *copy = xmalloc(len ? len : 1);
				memcpy(copy, data, len);
				assert_int_equal(target(copy, len), 0);
				free(copy);
			}
			current_input = NULL;
			free(data);
			n++;
		}
		free(path);
	}
	closedir(d);
	return n;
}

static int replay_target(target_fn target, const char *name)
{
	static const char *const kinds[] = {"crashes", "seeds", "corpus", NULL};
	char *root = fuzz_root();
	int i, n = 0;

	for (i = 0; kinds[i]; i++) {
		char *dir = xasprintf("%s/%s/%s", root, name, kinds[i]);
		n += replay_dir(target, dir);
		free(dir);
	}
	free(root);
	return n;
}

static void test_scenario_inputs(void **state)
{
	(void)state;
	/* the seeds are the good and bad scenarios of tests/data: dozens */
	assert_true(replay_target(fuzz_scenario_one, "scenario") >= 20);
}

static void test_rawjson_inputs(void **state)
{
	(void)state;
	assert_true(replay_target(fuzz_rawjson_one, "rawjson") >= 4);
}

static void test_baseline_inputs(void **state)
{
	(void)state;
	assert_true(replay_target(fuzz_baseline_one, "baseline") >= 3);
}

static void test_svg_inputs(void **state)
{
	(void)state;
	assert_true(replay_target(fuzz_svg_one, "svg") >= 3);
}

static void test_ghacache_inputs(void **state)
{
	(void)state;
	assert_true(replay_target(fuzz_ghacache_one, "ghacache") >= 7);
}

/* The replay must be able to fail: the targets really parse what they get. */
static void test_targets_parse(void **state)
{
	static const char ini[] = "[scenario]\nname = x\n";
	static const char raw[] = "\0\0{\"vertexes\":[{\"digest\":\"sha256:1\",\"name\":\"[1/2] RUN true\"}]}\n";
	struct rawjson *p;
	size_t n;
	(void)state;
	assert_int_equal(fuzz_scenario_one((const uint8_t *)ini, sizeof(ini) - 1), 0);
	assert_int_equal(fuzz_rawjson_one((const uint8_t *)raw, sizeof(raw) - 1), 0);
	/* and the same bytes through the reader directly give one step */
	assert_int_equal(rawjson_new(&p), 0);
	assert_int_equal(rawjson_feed(p, raw + 2, sizeof(raw) - 3), 0);
	rawjson_steps(p, &n);
	assert_int_equal(n, 1);
	rawjson_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_parse),
		cmocka_unit_test(test_scenario_inputs),
		cmocka_unit_test(test_rawjson_inputs),
		cmocka_unit_test(test_baseline_inputs),
		cmocka_unit_test(test_svg_inputs),
		cmocka_unit_test(test_ghacache_inputs),
	};
	watch_crashes();
	return cmocka_run_group_tests_name("fuzz regressions: kept inputs through the parsers", tests, NULL, NULL);
}
