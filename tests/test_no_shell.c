/*
 * test_no_shell.c: "no shell anywhere". bench runs programs only as argv
 * through harness/lib/proc.h; this test scans every .c source under harness/ for the
 * ways a shell sneaks in (system(, popen(, "/bin/sh", "sh", "-c") and fails
 * naming file:line. Comments are ignored, so prose may still say "never
 * system()". The scanner itself is tested on planted samples first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"

/* Blank out comments (keeping newlines, so line numbers stay right) and
 * leave code and string literals as they are. */
static void strip_comments(char *s)
{
	char quote = 0;
	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (s[0] == '/' && s[1] == '*') {
			for (; *s && !(s[0] == '*' && s[1] == '/'); s++)
				if (*s != '\n')
					*s = ' ';
			if (*s) {
				s[0] = s[1] = ' ';
				s++;
			} else {
				return;
			}
		} else if (s[0] == '/' && s[1] == '/') {
			for (; *s && *s != '\n'; s++)
				*s = ' ';
			if (!*s)
				return;
		}
	}
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* `name` followed by optional blanks and '(' and not preceded by an
 * identifier character (so "filesystem(" is not "system("). */
static const char *find_call(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p, *q;
	for (p = text; (p = strstr(p, name)); p++) {
		if (p > text && is_ident(p[-1]))
			continue;
		q = p + n;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(')
			return p;
	}
	return NULL;
}

/* "sh" (or "bash") , "-c" with any blanks around the comma. */
static const char *find_sh_c(const char *text)
{
	static const char *const shells[] = {"\"sh\"", "\"bash\"", "\"/bin/sh\"", "\"/bin/bash\"", NULL};
	const char *p, *q;
	int i;
	for (i = 0; shells[i]; i++) {
		for (p = text; (p = strstr(p, shells[i])); p++) {
			q = p + strlen(shells[i]);
			while (isspace((unsigned char)*q))
				q++;
			if (*q != ',')
				continue;
			q++;
			while (isspace((unsigned char)*q))
				q++;
			if (!strncmp(q, "\"-c\"", 4))
				return p;
		}
	}
	return NULL;
}

/* The first forbidden thing in text (comments already stripped), its kind in
 * *what; NULL when clean. */
static const char *find_shell(const char *text, const char **what)
{
	const char *p;
	if ((p = find_call(text, "system"))) {
		*what = "system()";
		return p;
	}
	if ((p = find_call(text, "popen"))) {
		*what = "popen()";
		return p;
	}
	if ((p = strstr(text, "\"/bin/sh\"")) || (p = strstr(text, "\"/bin/bash\""))) {
		*what = "a shell path";
		return p;
	}
	if ((p = find_sh_c(text))) {
		*what = "\"sh\", \"-c\"";
		return p;
	}
	return NULL;
}

static bool dirty(const char *sample)
{
	char *copy = xstrdup(sample);
	const char *what = NULL;
	bool found;
	strip_comments(copy);
	found = find_shell(copy, &what) != NULL;
	free(copy);
	return found;
}

static void test_scanner_finds_shells(void **state)
{
	(void)state;
	assert_true(dirty("int main(void) { return system(\"ls\"); }"));
	assert_true(dirty("FILE *f = popen (cmd, \"r\");"));
	assert_true(dirty("execl(\"/bin/sh\", \"sh\", \"-c\", cmd, NULL);"));
	assert_true(dirty("const char *argv[] = {\"sh\",\n\t\"-c\", cmd, NULL};"));
	assert_true(dirty("const char *argv[] = {\"bash\", \"-c\", cmd, NULL};"));
	assert_true(dirty("x = \"/bin/sh\";"));
}

static void test_scanner_ignores_innocents(void **state)
{
	(void)state;
	assert_false(dirty("/* never system() nor popen() nor \"/bin/sh\" */ int x;"));
	assert_false(dirty("// we never call system(\"ls\")\nint y;"));
	assert_false(dirty("int filesystem(void); int z = filesystem();"));
	assert_false(dirty("struct proc p = {.argv = argv}; proc_run(&p);"));
	assert_false(dirty("const char *s = \"/* not a comment */\"; int system_ok = 1;"));
	assert_false(dirty("const char *argv[] = {\"sh\", \"script.sh\", NULL};"));
}

static void scan_file(const char *path, struct strbuf *report)
{
	char *text = NULL;
	size_t len = 0;
	const char *what = NULL, *hit, *p;
	int line;

	assert_int_equal(read_file(&text, &len, path), 0);
	strip_comments(text);
	for (p = text; (hit = find_shell(p, &what)); p = hit + 1) {
		const char *q;
		for (line = 1, q = text; q < hit; q++)
			line += *q == '\n';
		strbuf_printf(report, "%s:%d: %s: run programs through proc.h as an argv\n",
			      path, line, what);
	}
	free(text);
}

/* Every .c file under dir, recursively; *files counts them. */
static void scan_tree(const char *dir, struct strbuf *report, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		path = path_join(dir, e->d_name);
		if (path_is_dir(path)) {
			scan_tree(path, report, files);
		} else if (n > 2 && !strcmp(e->d_name + n - 2, ".c")) {
			scan_file(path, report);
			(*files)++;
		}
		free(path);
	}
	closedir(d);
}

static void test_harness_has_no_shell(void **state)
{
	const char *root = getenv("BENCH_DATADIR");
	struct strbuf report = {0};
	char *harness;
	int files = 0;
	(void)state;

	/* run-unit sets BENCH_DATADIR to the repository root; else the cwd */
	harness = path_join(root && *root ? root : ".", "harness");
	if (!path_is_dir(harness))
		fail_msg("cannot find the sources: '%s' is not a folder (run from the repository root)", harness);
	scan_tree(harness, &report, &files);
	assert_true(files > 10);
	if (report.len)
		fail_msg("a shell is used:\n%s", report.buf);
	strbuf_release(&report);
	free(harness);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanner_finds_shells),
		cmocka_unit_test(test_scanner_ignores_innocents),
		cmocka_unit_test(test_harness_has_no_shell),
	};
	return cmocka_run_group_tests_name("no shell anywhere", tests, NULL, NULL);
}
