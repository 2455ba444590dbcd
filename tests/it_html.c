/*
 * it_html.c: the results page of a real run, in a real browser. `bench run`
 * replays the tiny fixture's last 5 commits (commit 3 fails on purpose) with
 * two variants on the real engine, gated against tests/data/gate/it's
 * baseline, and leaves index.html with its charts and gate verdict. Debian's
 * chromium (scripts/setup) then loads the page headless, exec'ed as an argv
 * through proc.c with a fresh profile folder each time, and the test decides
 * that it renders when:
 *
 *   - chromium exits 0 and logs no console message (--enable-logging=stderr
 *     --v=0 prints every console message, a script error or a refused load
 *     of the page's Content-Security-Policy among them, as "CONSOLE");
 *   - the DOM after the page's script ran (--dump-dom) has the mark the
 *     script sets last (data-js="ready"), the four charts as <svg>, the
 *     tables, the gate section;
 *   - the page opened as index.html#sort=builds-table:7:desc shows the
 *     builds by wall time, longest first (the sort a click on the header
 *     does), with the failed builds last;
 *   - a screenshot and a printed A4 PDF are written and are not empty.
 *
 * The same folder with a commit subject of "<script>...</script> & ..."
 * shows it as text; and a page that throws and loads what its policy forbids
 * is seen doing both (the console check can fail). About 10 builds of a few seconds, and 5 chromium starts
 * of about a second each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "ittest.h"

#define HOSTILE "<script>alert(1)</script> & \"q\""

static char *tmp;          /* this test's folder */
static char *results_dir;  /* the run's results folder */
static int run_status;
static char *run_stdout, *run_stderr;
static int profiles;       /* chromium profile folders made */

static int setup_run(void **state)
{
	char *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *baseline = path_absolute("tests/data/gate/it/tiny-baseline.json");
	char *scenario, *results, *variants;
	(void)state;

	tmp = xstrdup("/tmp/bench-it-html-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	scenario = path_join(tmp, "tiny-html.ini");
	results = path_join(tmp, "results");
	variants = xasprintf("allow_outside = yes\n\n[variant app]\ndockerfile = %s\ncache = local\n\n"
			     "[variant nocache]\ndockerfile = %s\ncache = none\n", df, df);
	it_write_scenario(scenario, "tiny-html", "last:5", "5m", variants);
	{
		/* the committed baseline was recorded on another engine, from 3 of
		 * these 5 commits: the page shows a verdict, whatever it is */
		const char *args[] = {"run", scenario, "--results", results, "--gate", baseline,
				      "--allow-different", "ENGINE,MACHINE,COMMITS", "-q", NULL};
		run_status = it_bench(&run_stdout, &run_stderr, args);
	}
	results_dir = it_only_child(results);
	free(variants);
	free(scenario);
	free(results);
	free(baseline);
	free(df);
	return 0;
}

static int teardown_run(void **state)
{
	(void)state;
	rm_rf(tmp); /* the results and every chromium profile folder */
	free(tmp);
	free(results_dir);
	free(run_stdout);
	free(run_stderr);
	return 0;
}

/*
 * chromium, headless as root, with a new empty profile, on url, with the
 * extra flags; its stdout and stderr (caller frees). Fails the test when it
 * cannot be run or does not exit 0 within two minutes.
 */
static void chromium(char **out, char **err, const char *url, const char *const *extra)
{
	char *profile = xasprintf("%s/chromium-profile-%d", tmp, ++profiles);
	struct strvec argv = {0};
	int status = -1;

	assert_int_equal(mkdir_p(profile), 0);
	strvec_push(&argv, "chromium");
	strvec_push(&argv, "--headless");
	strvec_push(&argv, "--no-sandbox");
	strvec_push(&argv, "--disable-gpu");
	strvec_push(&argv, "--disable-quic");
	strvec_push(&argv, "--no-first-run");
	strvec_push(&argv, "--disable-background-networking");
	strvec_push(&argv, "--disable-component-update");
	strvec_push(&argv, "--disable-sync");
	strvec_pushf(&argv, "--user-data-dir=%s", profile);
	strvec_push(&argv, "--enable-logging=stderr");
	strvec_push(&argv, "--v=0");
	for (; *extra; extra++)
		strvec_push(&argv, *extra);
	strvec_push(&argv, url);
	if (proc_capture(out, err, &status, strvec_argv(&argv), 120) < 0)
		fail_msg("cannot run chromium (scripts/setup installs it): %s", bench_error_last());
	if (status != 0)
		fail_msg("chromium exited %d on %s:\n%s", status, url, *err ? *err : "");
	rm_rf(profile);
	strvec_release(&argv);
	free(profile);
}

/* The page's DOM after its script ran, checked for console messages (a
 * script error, a load the page's policy refused, anything logged). */
static char *rendered_dom(const char *page, const char *fragment)
{
	const char *flags[] = {"--dump-dom", NULL};
	char *url = xasprintf("file://%s%s", page, fragment), *out = NULL, *err = NULL;
	const char *console;

	chromium(&out, &err, url, flags);
	if ((console = strstr(err ? err : "", "CONSOLE")))
		fail_msg("the page logged to the console:\n%.*s", (int)strcspn(console, "\n"), console);
	assert_non_null(out);
	if (!strstr(out, "<html lang=\"en\" data-js=\"ready\">"))
		fail_msg("the page's script did not run to its end:\n%.400s", out);
	free(err);
	free(url);
	return out;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static char *index_page(void)
{
	if (!results_dir)
		fail_msg("no results folder; bench exited %d\nstdout:\n%s\nstderr:\n%s", run_status,
			 run_stdout ? run_stdout : "", run_stderr ? run_stderr : "");
	return path_join(results_dir, "index.html");
}

static void test_run_leaves_its_page(void **state)
{
	char *page = index_page(), *gate = path_join(results_dir, "gate.json");
	char *svg = path_join(results_dir, "plots/steps.svg");
	(void)state;

	assert_int_equal(run_status, 1); /* commit 3 fails on purpose */
	assert_true(path_exists(page));
	assert_true(path_exists(gate));
	assert_true(path_exists(svg));
	assert_non_null(strstr(run_stdout, "page: "));
	assert_non_null(strstr(run_stdout, "index.html"));
	free(svg);
	free(gate);
	free(page);
}

static void test_page_renders(void **state)
{
	char *page = index_page(), *dom = rendered_dom(page, "");
	(void)state;

	assert_int_equal(count(dom, "<figure>\n<svg viewBox="), 4);
	assert_non_null(strstr(dom, "id=\"summary-table\""));
	assert_non_null(strstr(dom, "id=\"statistics\""));
	assert_non_null(strstr(dom, "id=\"steps-table\""));
	assert_non_null(strstr(dom, "id=\"builds-table\""));
	assert_non_null(strstr(dom, "<section id=\"gate\">"));
	assert_non_null(strstr(dom, "gate: "));
	/* the script made the headers buttons */
	assert_true(count(dom, "<th scope=\"col\" class=\"n\"><button type=\"button\">") >= 10);
	assert_int_equal(count(dom, "<a href=\"logs/"), 10);
	free(dom);
	free(page);
}

/* The cells of column col of table id in a dumped DOM: their data-v. */
static size_t column_values(double *out, size_t max, const char *dom, const char *id, size_t col)
{
	char *open = xasprintf("id=\"%s\"", id);
	const char *t = strstr(dom, open), *end, *row;
	size_t n = 0, c;

	assert_non_null(t);
	t = strstr(t, "<tbody>");
	end = strstr(t, "</tbody>");
	for (row = strstr(t, "<tr"); row && row < end && n < max; row = strstr(row + 3, "<tr")) {
		const char *cell = row, *v;
		for (c = 0; c <= col; c++)
			cell = strstr(cell + 1, "<td");
		v = strstr(cell, "data-v=\"");
		assert_non_null(v);
		assert_true(v < strstr(cell, ">"));
		out[n++] = v[8] == '"' ? NAN : strtod(v + 8, NULL);
	}
	free(open);
	return n;
}

static void test_sorting_works(void **state)
{
	char *page = index_page(), *dom = rendered_dom(page, "#sort=builds-table:7:desc");
	double wall[32];
	size_t n, i;
	(void)state;

	assert_non_null(strstr(dom, "<th scope=\"col\" class=\"n\" aria-sort=\"descending\"><button "
				    "type=\"button\">wall (s)</button></th>"));
	n = column_values(wall, 32, dom, "builds-table", 7);
	assert_int_equal(n, 10);
	for (i = 0; i + 1 < n; i++)
		if (!isnan(wall[i + 1]) && !(wall[i] >= wall[i + 1]))
			fail_msg("row %zu: %g s before %g s", i, wall[i], wall[i + 1]);
	/* the two failed builds have no time: last */
	assert_true(isnan(wall[8]) && isnan(wall[9]));
	assert_false(isnan(wall[7]));
	free(dom);
	free(page);
}

/* Whether path is a PNG of w x h pixels. */
static void check_png(const char *path, unsigned w, unsigned h, size_t min_bytes)
{
	unsigned char *d = NULL;
	size_t len = 0;

	assert_int_equal(read_file((char **)&d, &len, path), 0);
	if (len < min_bytes)
		fail_msg("%s: %zu bytes, an empty picture?", path, len);
	assert_memory_equal(d, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal((unsigned)d[16] << 24 | d[17] << 16 | d[18] << 8 | d[19], w);
	assert_int_equal((unsigned)d[20] << 24 | d[21] << 16 | d[22] << 8 | d[23], h);
	free(d);
}

static void test_screenshot_and_print(void **state)
{
	char *page = index_page(), *url = xasprintf("file://%s", page);
	char *png = path_join(tmp, "page.png"), *phone = path_join(tmp, "phone.png");
	char *pdf = path_join(tmp, "page.pdf"), *f1 = xasprintf("--screenshot=%s", png);
	char *f2 = xasprintf("--screenshot=%s", phone), *f3 = xasprintf("--print-to-pdf=%s", pdf);
	const char *wide[] = {f1, "--window-size=1280,2000", "--hide-scrollbars", NULL};
	const char *narrow[] = {f2, "--window-size=390,844", "--hide-scrollbars", NULL};
	const char *print[] = {f3, "--no-pdf-header-footer", NULL};
	char *out = NULL, *err = NULL, *text = NULL;
	size_t len;
	(void)state;

	chromium(&out, &err, url, wide);
	check_png(png, 1280, 2000, 40000); /* a blank page is a few kB */
	free(out);
	free(err);
	chromium(&out, &err, url, narrow);
	check_png(phone, 390, 844, 15000);
	free(out);
	free(err);
	chromium(&out, &err, url, print);
	assert_int_equal(read_file(&text, &len, pdf), 0);
	assert_true(len > 20000 && !memcmp(text, "%PDF-", 5));
	free(text);
	free(out);
	free(err);
	free(f1);
	free(f2);
	free(f3);
	free(pdf);
	free(phone);
	free(png);
	free(url);
	free(page);
}

/* The checks above can fail: a page whose script throws and which tries to
 * load an image its policy forbids is seen doing both. */
static void test_console_is_read(void **state)
{
	const char *flags[] = {"--dump-dom", NULL};
	char *path = path_join(tmp, "bad.html"), *url = xasprintf("file://%s", path);
	char *out = NULL, *err = NULL;
	(void)state;

	it_write_text(path, "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
		      "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
		      "<img src=\"http://127.0.0.1:9/x.png\"><script>nosuchfn();</script></body></html>");
	chromium(&out, &err, url, flags);
	assert_non_null(strstr(err, "CONSOLE"));
	assert_non_null(strstr(err, "nosuchfn is not defined"));
	assert_non_null(strstr(err, "violates the following Content Security Policy"));
	free(out);
	free(err);
	free(url);
	free(path);
}

static void test_hostile_subject_is_text(void **state)
{
	char *dir = path_join(tmp, "hostile"), *runjson = path_join(dir, "run.json");
	char *journal = path_join(dir, "journal.jsonl"), *page = path_join(dir, "index.html");
	char *out = NULL, *err = NULL, *dom;
	json_t *run;
	const char *args[] = {"report", dir, "--format", "html", "-o", page, NULL};
	(void)state;

	assert_non_null(results_dir);
	assert_int_equal(copy_tree(dir, results_dir), 0);
	unlink(journal);
	run = it_load_run(dir, NULL);
	assert_non_null(run);
	json_object_set_new(json_array_get(json_object_get(run, "builds"), 1), "subject", json_string(HOSTILE));
	assert_int_equal(json_dump_file(run, runjson, 0), 0);
	assert_int_equal(it_bench(&out, &err, args), 0);
	dom = rendered_dom(page, "");
	assert_non_null(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"q\""));
	assert_int_equal(count(dom, "<script"), 1);
	free(dom);
	free(out);
	free(err);
	json_decref(run);
	free(page);
	free(journal);
	free(runjson);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_leaves_its_page),
		cmocka_unit_test(test_page_renders),
		cmocka_unit_test(test_sorting_works),
		cmocka_unit_test(test_screenshot_and_print),
		cmocka_unit_test(test_hostile_subject_is_text),
		cmocka_unit_test(test_console_is_read),
	};
	return cmocka_run_group_tests(tests, setup_run, teardown_run);
}
