/*
 * test_help.c: the CLI's help pages (harness/cli/help.c), run through the
 * bench binary beside this test ($(BUILD)/bench): every command of main.c's
 * table has a page, and its --help an example and the exit status; usage
 * errors have one style and exit 2; plot's -o is --output (--out kept);
 * bench(1) renders without a warning in groff and man; the bash completion
 * offers the commands, the options and the scenario keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/help.h"
#include "lib/error.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "reporoot.h"

static char *root, *bench;

/* A new folder /tmp/bench-NAME-XXXXXX; the test removes it. */
static char *tmpdir_make(const char *name)
{
	char *dir = xasprintf("/tmp/bench-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	return dir;
}

/* The bench built beside this test: BUILD/tests/test_help -> BUILD/bench. */
static int setup(void **state)
{
	char exe[4096], *tests, *build;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	(void)state;
	root = repo_root();
	assert_true(n > 0);
	exe[n] = '\0';
	tests = path_dirname(exe);
	build = path_dirname(tests);
	bench = path_join(build, "bench");
	free(tests);
	free(build);
	if (!path_exists(bench))
		fail_msg("no %s: make builds it", bench);
	assert_int_equal(chdir(root), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(root);
	free(bench);
	return 0;
}

/* Run bench with args (NULL-terminated); out and err captured. */
static int run_bench(char **out, char **err, ...)
{
	const char *argv[16] = {bench};
	size_t n = 1;
	int code = -1;
	va_list ap;
	va_start(ap, err);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (proc_capture(out, err, &code, argv, 60) < 0)
		fail_msg("cannot run %s: %s", bench, bench_error_last());
	return code;
}

/* The command names of main.c's table, from its source. */
static size_t main_commands(char names[][32], size_t max)
{
	char *path = path_join(root, "harness/cli/main.c"), *text = NULL;
	size_t len, n = 0;
	regex_t re;
	regmatch_t m[2];
	const char *p;

	assert_int_equal(read_file(&text, &len, path), 0);
	assert_int_equal(regcomp(&re, "\\{\"([a-z-]+)\", cmd_[a-z_]+\\}", REG_EXTENDED), 0);
	for (p = text; n < max && !regexec(&re, p, 2, m, 0); p += m[0].rm_eo) {
		int w = (int)(m[1].rm_eo - m[1].rm_so);
		snprintf(names[n++], 32, "%.*s", w, p + m[1].rm_so);
	}
	regfree(&re);
	free(text);
	free(path);
	return n;
}

static void test_every_command_has_a_page(void **state)
{
	char names[64][32];
	size_t n = main_commands(names, 64), i;
	(void)state;

	assert_true(n >= 10);
	for (i = 0; i < n; i++) {
		const struct help_page *p = help_find(names[i]);
		char *out = NULL, *err = NULL, *usage = xasprintf("usage: bench %s", names[i]);
		if (!p)
			fail_msg("command '%s' of main.c has no row in help.c's pages[]", names[i]);
		assert_int_equal(run_bench(&out, &err, names[i], "--help", NULL), 0);
		if (strncmp(out, usage, strlen(usage)) || !strstr(out, "\nExamples:\n  bench ") ||
		    !strstr(out, "\nExit status: ") || !strstr(out, "--help"))
			fail_msg("bench %s --help lacks its usage, an example or the exit status:\n%s",
				 names[i], out);
		free(out);
		free(err);
		/* bench help CMD prints the same page */
		assert_int_equal(run_bench(&out, &err, "help", names[i], NULL), 0);
		assert_int_equal(strncmp(out, usage, strlen(usage)), 0);
		free(out);
		free(err);
		free(usage);
	}
	/* and every page is a command */
	for (i = 0; help_page_at(i); i++) {
		size_t j;
		for (j = 0; j < n && strcmp(names[j], help_page_at(i)->name); j++)
			;
		if (j == n)
			fail_msg("help page '%s' is no command of main.c", help_page_at(i)->name);
	}
}

/* bench --help lists every command, `bench help CMD` among them. */
static void test_bench_help_lists(void **state)
{
	char *out = NULL, *err = NULL;
	size_t i;
	(void)state;
	assert_int_equal(run_bench(&out, &err, "--help", NULL), 0);
	for (i = 0; help_page_at(i); i++) {
		char *line = xasprintf("\n  %-10s ", help_page_at(i)->name);
		assert_non_null(strstr(out, line));
		free(line);
	}
	assert_non_null(strstr(out, "bench help CMD"));
	assert_non_null(strstr(out, "Example"));
	assert_non_null(strstr(out, "Exit status"));
	free(out);
	free(err);
	/* no command: the list on stderr, exit 2 */
	assert_int_equal(run_bench(&out, &err, NULL), 2);
	assert_non_null(strstr(err, "usage: bench"));
	free(out);
	free(err);
}

/* Usage errors: "bench CMD: error: ...", "try 'bench CMD --help'", exit 2. */
static void test_usage_errors(void **state)
{
	char names[64][32];
	size_t n = main_commands(names, 64), i;
	(void)state;
	for (i = 0; i < n; i++) {
		char *out = NULL, *err = NULL;
		char *want = xasprintf("bench %s: error: ", names[i]);
		char *hint = xasprintf("try 'bench %s --help'\n", names[i]);
		assert_int_equal(run_bench(&out, &err, names[i], "--no-such-flag", NULL), 2);
		if (strncmp(err, want, strlen(want)) || !strstr(err, "--no-such-flag") || !strstr(err, hint))
			fail_msg("bench %s --no-such-flag: %s", names[i], err);
		free(out);
		free(err);
		free(want);
		free(hint);
	}
	{
		char *out = NULL, *err = NULL;
		assert_int_equal(run_bench(&out, &err, "nosuch", NULL), 2);
		assert_string_equal(err, "bench: error: unknown command 'nosuch'\ntry 'bench --help'\n");
		free(out);
		free(err);
		assert_int_equal(run_bench(&out, &err, "report", NULL), 2);
		assert_string_equal(err, "bench report: error: missing RESULTS_DIR\n"
					 "try 'bench report --help'\n");
		free(out);
		free(err);
	}
}

/* plot: -o, --output and the older --out all name the folder. */
static void test_plot_output(void **state)
{
	char *dir = tmpdir_make("bench-help"), *out = NULL, *err = NULL;
	char *run = path_join(root, "docs/runs/cafeboo-main");
	const char *flags[] = {"-o", "--output", "--out"};
	size_t i;
	(void)state;
	for (i = 0; i < 3; i++) {
		char *to = xasprintf("%s/charts-%zu", dir, i), *dat = path_join(to, "build_time.dat");
		int code = run_bench(&out, &err, "plot", run, flags[i], to, NULL);
		if (code != 0 || !path_exists(dat))
			fail_msg("bench plot %s: exit %d, no %s:\n%s", flags[i], code, dat, err);
		free(out);
		free(err);
		free(dat);
		free(to);
	}
	rm_rf(dir);
	free(dir);
	free(run);
}

/* bench(1) from bench --man: groff -ww and man --warnings say nothing. */
static void test_man_page(void **state)
{
	char *dir = tmpdir_make("bench-man"), *path = path_join(dir, "bench.1");
	char *out = NULL, *err = NULL;
	int code = -1;
	(void)state;
	assert_int_equal(run_bench(&out, &err, "--man", NULL), 0);
	assert_int_equal(write_file_atomic(path, out, strlen(out)), 0);
	assert_non_null(strstr(out, ".TH BENCH 1"));
	for (size_t i = 0; help_page_at(i); i++) {
		char *ss = xasprintf(".SS \"%s\"", help_page_at(i)->name);
		assert_non_null(strstr(out, ss));
		free(ss);
	}
	free(out);
	free(err);
	{
		const char *argv[] = {"groff", "-man", "-ww", "-z", path, NULL};
		assert_int_equal(proc_capture(&out, &err, &code, argv, 60), 0);
		if (code || *err)
			fail_msg("groff -man -ww -z bench.1: exit %d\n%s", code, err);
		free(out);
		free(err);
	}
	{
		const char *argv[] = {"man", "--warnings", "-l", path, NULL};
		assert_int_equal(proc_capture(&out, &err, &code, argv, 60), 0);
		if (code || *err)
			fail_msg("man --warnings -l bench.1: exit %d\n%s", code, err);
		assert_non_null(strstr(out, "Exit status"));
		assert_non_null(strstr(out, "Examples"));
		free(out);
		free(err);
	}
	rm_rf(dir);
	free(dir);
	free(path);
}

/* What _bench offers for the words of line (the last one being completed). */
static char *complete(const char *line)
{
	char *bin = path_dirname(bench);
	char *script = xasprintf(
		"PATH=%s:$PATH; source completions/bench.bash || exit 3; read -ra COMP_WORDS <<<\"$1\"; "
		"[[ $1 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _bench; "
		"printf '%%s\\n' \"${COMPREPLY[@]}\"", bin);
	const char *argv[] = {"bash", "-c", script, "bash", line, NULL};
	char *out = NULL, *err = NULL;
	int code = -1;
	assert_int_equal(proc_capture(&out, &err, &code, argv, 60), 0);
	if (code || *err)
		fail_msg("completion of '%s': exit %d\n%s", line, code, err);
	free(err);
	free(script);
	free(bin);
	return out;
}

static void test_completion(void **state)
{
	char *out;
	(void)state;
	out = complete("bench ");
	for (size_t i = 0; help_page_at(i); i++) {
		char *l = xasprintf("%s\n", help_page_at(i)->name);
		assert_non_null(strstr(out, l));
		free(l);
	}
	free(out);
	out = complete("bench ga");
	assert_string_equal(out, "gate\n");
	free(out);
	out = complete("bench gate --warm-m");
	assert_string_equal(out, "--warm-median-growth\n");
	free(out);
	out = complete("bench plot --o");
	assert_string_equal(out, "--output\n");
	free(out);
	out = complete("bench report x --format be");
	assert_string_equal(out, "benchmark-action\n");
	free(out);
	/* the scenario keys, from the key table */
	out = complete("bench sweep s.ini --param runner_b");
	assert_string_equal(out, "runner_bandwidth=\n");
	free(out);
	out = complete("bench sweep s.ini --param gate.");
	assert_non_null(strstr(out, "gate.warm_median_growth=\n"));
	assert_non_null(strstr(out, "gate.absolute=\n"));
	free(out);
	out = complete("bench help --options ");
	assert_non_null(strstr(out, "sweep\n"));
	free(out);
}

/* bench help --keys is the key table, --options CMD the page's options. */
static void test_help_lists(void **state)
{
	char *out = NULL, *err = NULL;
	(void)state;
	assert_int_equal(run_bench(&out, &err, "help", "--keys", NULL), 0);
	assert_non_null(strstr(out, "scenario.name\n"));
	assert_non_null(strstr(out, "variant.cache\n"));
	assert_non_null(strstr(out, "world.bandwidth\n"));
	free(out);
	free(err);
	assert_int_equal(run_bench(&out, &err, "help", "--options", "compare", NULL), 0);
	assert_string_equal(out, "-f\n--format\n-o\n--output\n-t\n--threshold\n-h\n--help\n");
	free(out);
	free(err);
	assert_int_equal(run_bench(&out, &err, "help", "nosuch", NULL), 2);
	assert_non_null(strstr(err, "bench help: error: no command 'nosuch'"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_has_a_page),
		cmocka_unit_test(test_bench_help_lists),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_plot_output),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_help_lists),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
