/*
 * test_readme.c: every example of README.md runs as written, and every
 * scenario block of README.md, docs/scenario.md and docs/backends.md loads.
 *
 * The fenced blocks of README.md are read by their info string:
 *   ini                a scenario: loaded by the scenario parser as if it were
 *                      scenarios/NAME.ini (its paths are relative to there)
 *   sh                 commands that need no engine: each line is run with
 *                      bash -c from the repository root, the bench built beside
 *                      this test first in PATH, and must exit 0
 *   sh engine          commands that need the engine (or install, or take long):
 *                      each line must pass bash -n, and each bench in it must
 *                      name a command and options that exist
 *   sh engine pending  the same, for a command not merged yet: bash -n only
 *   text               output, shown as is
 * Any other block fails the test, so a new example is always checked. The
 * README keeps its contract with .ci/run (the test command is the second line
 * of its first block) and its length (at most 300 lines).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/help.h"
#include "lib/error.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "reporoot.h"
#include "scenario/scenario.h"

static char *root, *bindir;

static int setup(void **state)
{
	char exe[4096], *tests, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	(void)state;
	root = repo_root();
	assert_true(n > 0);
	exe[n] = '\0';
	tests = path_dirname(exe);
	bindir = path_dirname(tests);
	free(tests);
	path = path_join(bindir, "bench");
	if (!path_exists(path))
		fail_msg("no %s: make builds it", path);
	free(path);
	/* the examples say `bench`: the one built beside this test */
	path = xasprintf("%s:%s", bindir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(chdir(root), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(root);
	free(bindir);
	return 0;
}

struct block {
	char info[64];
	int line;      /* of the opening fence, 1-based */
	char *text;    /* the lines between the fences */
};

/* The fenced blocks of file, into b (at most max); returns how many. */
static size_t blocks_of(struct block *b, size_t max, const char *file, size_t *lines)
{
	char *text = NULL, *p, *path = path_join(root, file);
	size_t len, n = 0;
	int line = 0;
	struct strbuf body = {0};
	bool in = false;

	if (read_file(&text, &len, path) < 0)
		fail_msg("cannot read %s: %s", path, bench_error_last());
	for (p = text; *p; ) {
		size_t l = strcspn(p, "\n");
		line++;
		if (l >= 3 && !strncmp(p, "```", 3)) {
			if (!in) {
				assert_true(n < max);
				snprintf(b[n].info, sizeof(b[n].info), "%.*s", (int)(l - 3), p + 3);
				b[n].line = line;
				strbuf_reset(&body);
				in = true;
			} else {
				b[n++].text = xstrdup(body.buf ? body.buf : "");
				in = false;
			}
		} else if (in) {
			strbuf_add(&body, p, l);
			strbuf_add(&body, "\n", 1);
		}
		p += l + (p[l] == '\n');
	}
	if (in)
		fail_msg("%s:%d: a code block is not closed", file, b[n].line);
	if (lines)
		*lines = (size_t)line;
	strbuf_release(&body);
	free(text);
	free(path);
	return n;
}

static void blocks_free(struct block *b, size_t n)
{
	while (n--)
		free(b[n].text);
}

/* Each ini block of file loads as scenarios/readme-example.ini. */
static size_t check_ini(const char *file)
{
	struct block b[64];
	size_t n = blocks_of(b, 64, file, NULL), i, checked = 0;
	char *as = path_join(root, "scenarios/readme-example.ini");

	for (i = 0; i < n; i++) {
		struct scenario *s = NULL;
		if (strcmp(b[i].info, "ini"))
			continue;
		if (scenario_parse(&s, as, b[i].text, strlen(b[i].text)) < 0)
			fail_msg("%s:%d: the scenario block does not load:\n%s", file, b[i].line,
				 bench_error_last());
		scenario_free(s);
		checked++;
	}
	blocks_free(b, n);
	free(as);
	return checked;
}

static void test_ini_blocks_load(void **state)
{
	(void)state;
	assert_true(check_ini("README.md") >= 1);
	assert_true(check_ini("docs/scenario.md") >= 2);
	assert_true(check_ini("docs/backends.md") >= 1);
}

/* Is opt (len bytes) an option of command cmd, or of bench itself when cmd
 * is NULL? The list is the one the completion reads (help.c). */
static bool known_option(const char *cmd, const char *opt, size_t len)
{
	char *list = NULL, *want;
	size_t size = 0;
	bool found;
	FILE *f = open_memstream(&list, &size);

	assert_non_null(f);
	fputc('\n', f);
	if (!cmd)
		fputs("--help\n-h\n--version\n--man\n", f);
	else
		help_print_options(f, cmd);
	fclose(f);
	want = xasprintf("\n%.*s\n", (int)len, opt);
	found = strstr(list, want) != NULL;
	free(want);
	free(list);
	return found;
}

/* Each bench in line names a command and its options (file:line for the
 * message). */
static void check_bench_words(const char *file, int at, const char *line)
{
	char *copy = xstrdup(line), *save = NULL, *w;
	const char *cmd = NULL;
	bool in_bench = false, want_cmd = false;

	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		size_t wl = strlen(w);
		if (!strcmp(w, "&&") || !strcmp(w, "||") || !strcmp(w, "|") || !strcmp(w, ";")) {
			in_bench = want_cmd = false;
			continue;
		}
		if (!strcmp(w, "bench") || (wl > 6 && !strcmp(w + wl - 6, "/bench"))) {
			in_bench = want_cmd = true;
			cmd = NULL;
			continue;
		}
		if (!in_bench)
			continue;
		if (want_cmd && w[0] != '-') {
			if (!help_find(w))
				fail_msg("%s:%d: bench has no command '%s': %s", file, at, w, line);
			cmd = w;
			want_cmd = false;
			continue;
		}
		want_cmd = false;
		if (w[0] == '-' && strcmp(w, "-")) {
			size_t len = strcspn(w, "=");
			if (!known_option(cmd, w, len))
				fail_msg("%s:%d: bench %s has no option '%.*s': %s", file, at,
					 cmd ? cmd : "", (int)len, w, line);
		}
	}
	free(copy);
}

/* Run argv; its exit status, its output into *out (freed by the caller). */
static int run(char **out, const char *const *argv)
{
	char *err = NULL;
	int code = -1;
	if (proc_capture(out, &err, &code, argv, 300) < 0)
		fail_msg("cannot run %s: %s", argv[0], bench_error_last());
	if (code) {
		char *both = xasprintf("%s%s", *out ? *out : "", err ? err : "");
		free(*out);
		*out = both;
	}
	free(err);
	return code;
}

static void test_readme_examples(void **state)
{
	struct block b[64];
	size_t lines = 0, n = blocks_of(b, 64, "README.md", &lines), i, ran = 0, checked = 0;
	(void)state;

	if (lines > 300)
		fail_msg("README.md has %zu lines; at most 300 (the reference is in docs/)", lines);
	/* .ci/run: the second line of the first block is the test command */
	assert_true(n > 0);
	static const char first_block[] = "scripts/setup && make && ./bench run scenarios/cafeboo.ini\n"
					  "scripts/setup --tests && make check\n";
	if (strncmp(b[0].text, first_block, sizeof first_block - 1))
		fail_msg("README.md's first block is not the two fresh-machine commands:\n%s", b[0].text);
	for (i = 0; i < n; i++) {
		const char *info = b[i].info;
		bool sh = !strcmp(info, "sh"), engine = !strcmp(info, "sh engine"),
		     pending = !strcmp(info, "sh engine pending");
		char *p = b[i].text;
		int at = b[i].line;

		if (!strcmp(info, "ini") || !strcmp(info, "text"))
			continue;
		if (!sh && !engine && !pending)
			fail_msg("README.md:%d: a block of kind '%s': use sh (runs here), sh engine, "
				 "sh engine pending, ini or text", at, info);
		while (*p) {
			size_t l = strcspn(p, "\n");
			char *line = xstrndup(p, l), *out = NULL;
			at++;
			p += l + (p[l] == '\n');
			if (!*line || line[0] == '#') {
				free(line);
				continue;
			}
			{
				const char *argv[] = {"bash", "-n", "-c", line, NULL};
				if (run(&out, argv))
					fail_msg("README.md:%d: not valid shell: %s\n%s", at, line, out);
				free(out);
				out = NULL;
			}
			if (sh) {
				const char *argv[] = {"bash", "-c", line, NULL};
				int code = run(&out, argv);
				if (code)
					fail_msg("README.md:%d: '%s' exited %d:\n%s", at, line, code, out);
				ran++;
			}
			if (!pending)
				check_bench_words("README.md", at, line);
			checked++;
			free(out);
			free(line);
		}
	}
	blocks_free(b, n);
	assert_true(ran >= 3);
	assert_true(checked >= ran + 3);
}

/* The checker itself: an unknown command or option is caught. */
static void test_checker_catches(void **state)
{
	(void)state;
	assert_true(known_option("run", "--dry-run", 9));
	assert_true(known_option("plot", "-o", 2));
	assert_false(known_option("run", "--dry", 5));
	assert_false(known_option("run", "--no-such", 9));
	assert_true(known_option(NULL, "--version", 9));
	assert_false(known_option(NULL, "--dry-run", 9));
	assert_false(known_option("gate", "--run", 5)); /* not the end of --dry-run */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_blocks_load),
		cmocka_unit_test(test_readme_examples),
		cmocka_unit_test(test_checker_catches),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
