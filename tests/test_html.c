/* test_html.c: unit tests of html.c, html_svg.c, html_run.c and
 * html_compare.c: escaping, the SVG sanitizer, the page of a recorded run
 * (tests/data/runs/tiny-real, with its charts drawn by gnuplot, a gate.json and
 * a hostile commit subject) checked to be self-contained, and the compare page
 * of two recorded runs. The same page in a real browser is tests/it_html.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base64.h"
#include "blog/blogreport.h"
#include "lib/error.h"
#include "pages/html.h"
#include "pages/plot.h"
#include "results/results.h"
#include "lib/sha256.h"
#include "lib/util.h"

#include "reporoot.h"

#define HOSTILE "<script>alert(1)</script> & \"q\""
#define HOSTILE_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"

static char *data_path(const char *rel)
{
	char *root = repo_root(), *p = path_join(root, rel);
	free(root);
	return p;
}

static json_t *load(const char *dir)
{
	json_t *run = NULL;
	if (results_load(&run, NULL, dir) < 0)
		fail_msg("%s", bench_error_last());
	return run;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

/* ---- escaping ---- */

static void test_escape(void **state)
{
	struct strbuf sb = {0};
	(void)state;

	html_escape(&sb, HOSTILE " 'a'");
	assert_string_equal(sb.buf, HOSTILE_ESCAPED " &#39;a&#39;");
	strbuf_reset(&sb);
	/* UTF-8 kept; invalid bytes, overlongs and surrogates replaced; controls spaced */
	html_escape(&sb, "caf\xC3\xA9 \xE2\x86\x92 \xFF \xC0\xAF \xED\xA0\x80 a\x01" "b\tc\nd");
	assert_string_equal(sb.buf, "caf\xC3\xA9 \xE2\x86\x92 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "
			    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD a b\tc\nd");
	strbuf_reset(&sb);
	html_escape(&sb, "cut \xE2\x86"); /* a sequence the string ends inside */
	assert_string_equal(sb.buf, "cut \xEF\xBF\xBD\xEF\xBF\xBD");
	strbuf_release(&sb);
}

/* ---- the SVG sanitizer ---- */

static void test_svg_sanitize(void **state)
{
	static const char svg[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" "
		"[ <!ENTITY x \"boom\"> ]>\n"
		"<!-- a comment -->\n"
		"<svg width=\"1200\" height=\"700\" viewBox=\"0 0 1200 700\" xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:xlink=\"http://www.w3.org/1999/xlink\" onload=\"alert(1)\">\n"
		"<title>Gnuplot</title><desc>made by gnuplot</desc>\n"
		"<script>alert(2)</script><style>@import url(http://evil/x.css);</style>\n"
		"<defs><circle id='gpDot' r='0.5'/><filter id = 'box'><feFlood flood-color = 'white'/></filter>"
		"<g id='gpDot'/><g id='gpDot-2'/></defs>\n"
		"<g id=\"gnuplot_canvas\" style=\"background:url(http://evil/)\">\n"
		"<use xlink:href='#gpDot' x='1' y='2'/><use href=\"http://evil/#a\"/>\n"
		"<rect fill=\"url(#box)\" filter=\"url( 'http://evil/f' )\" width=\"3\" height=\"4\"/>\n"
		"<a href=\"javascript:alert(3)\"><text>in a link</text></a>\n"
		"<foreignObject><div>html</div></foreignObject><image href=\"http://evil/i.png\"/>\n"
		"<text x='1' class=\"gridline\">&lt;b&gt; &amp; &#65;&#x42; &x; \"q\" &#0; </text>\n"
		"<text><![CDATA[<i>cdata</i> & more]]></text>\n"
		"</g>\n</svg>\n<!-- trailing -->\n";
	struct strbuf out = {0};
	(void)state;

	strbuf_puts(&out, "before|");
	assert_int_equal(html_svg_sanitize(&out, svg, "c7-"), 0);
	assert_true(!strncmp(out.buf, "before|<svg viewBox=\"0 0 1200 700\" xmlns=", 41));
	/* nothing that runs, loads or styles */
	assert_null(strstr(out.buf, "<?xml"));
	assert_null(strstr(out.buf, "DOCTYPE"));
	assert_null(strstr(out.buf, "ENTITY"));
	assert_null(strstr(out.buf, "comment"));
	assert_null(strstr(out.buf, "alert"));
	assert_null(strstr(out.buf, "evil"));
	assert_null(strstr(out.buf, "<title"));
	assert_null(strstr(out.buf, "Gnuplot"));
	assert_null(strstr(out.buf, "style"));
	assert_null(strstr(out.buf, "in a link"));
	assert_null(strstr(out.buf, "html"));
	assert_null(strstr(out.buf, "class="));
	assert_null(strstr(out.buf, "width=\"1200\""));
	/* ids prefixed, and the references to them */
	assert_non_null(strstr(out.buf, "<circle id=\"c7-gpDot\" r=\"0.5\"/>"));
	assert_non_null(strstr(out.buf, "<filter id=\"c7-box\"><feFlood flood-color=\"white\"/></filter>"
			    "<g id=\"c7-gpDot-2\"/><g id=\"c7-gpDot-2-2\"/>"));
	assert_non_null(strstr(out.buf, "<g id=\"c7-gnuplot_canvas\">"));
	assert_non_null(strstr(out.buf, "<use xlink:href=\"#c7-gpDot\" x=\"1\" y=\"2\"/><use/>"));
	assert_non_null(strstr(out.buf, "<rect fill=\"url(#c7-box)\" width=\"3\" height=\"4\"/>"));
	/* text decoded and escaped again */
	assert_non_null(strstr(out.buf, "<text x=\"1\">&lt;b&gt; &amp; AB &amp;x; &quot;q&quot; \xEF\xBF\xBD </text>"));
	assert_non_null(strstr(out.buf, "<text>&lt;i&gt;cdata&lt;/i&gt; &amp; more</text>"));
	assert_true(out.len > 7 && !strcmp(out.buf + out.len - 6, "</svg>"));
	strbuf_release(&out);
}

static void test_svg_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "no markup", "<g></g>", "<svg><g></svg>", "<svg><g>", "<svg a=b></svg>",
		"<svg a></svg>", "<svg a=\"x></svg>", "<svg><!-- open </svg>", "<svg></g></svg>",
	};
	struct strbuf out = {0};
	size_t i;
	(void)state;

	strbuf_puts(&out, "kept");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (html_svg_sanitize(&out, bad[i], "x-") != BENCH_EINVALID)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(bench_error_last(), "not well-formed SVG"));
		assert_string_equal(out.buf, "kept"); /* nothing half-written */
	}
	strbuf_release(&out);
}

/* ---- a page of a recorded run ---- */

static char *tmp;      /* a copy of tiny-real with its charts, a gate.json and a hostile subject */
static char *page;     /* its index.html */

static int setup_page(void **state)
{
	char *src = data_path("tests/data/runs/tiny-real"), *tmpl = data_path("plots");
	char *dir, *plots, *path, *text;
	struct plot_output o = {0};
	json_t *run, *b;
	size_t len;
	(void)state;

	tmp = xstrdup("/tmp/test_html.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	dir = path_join(tmp, "run");
	assert_int_equal(copy_tree(dir, src), 0);
	path = path_join(dir, "journal.jsonl");
	unlink(path); /* run.json alone, so that the changes below hold */
	free(path);
	run = load(dir);
	b = json_array_get(json_object_get(run, "builds"), 1);
	json_object_set_new(b, "subject", json_string(HOSTILE));
	json_object_set_new(b, "reason", json_string("first line <b>\nsecond line & more"));
	path = path_join(dir, "run.json");
	assert_int_equal(json_dump_file(run, path, JSON_INDENT(1)), 0);
	free(path);
	plots = path_join(dir, "plots");
	if (plot_write(&o, run, plots, tmpl, true) < 0)
		fail_msg("%s", bench_error_last());
	plot_output_release(&o);
	/* a gate verdict as `bench run --gate` keeps it */
	text = xstrdup("{\"verdict\": \"fail\", \"results\": \"run\", \"baseline\": \"base.json\", "
		       "\"counts\": {\"pass\": 1, \"fail\": 1, \"skip\": 0}, \"thresholds\": "
		       "{\"warm_median_growth\": 0.15, \"warm_over_cold_growth\": 0.1, \"image_growth\": 0.05, "
		       "\"cache_growth\": 0.2, \"cached_steps_may_fall\": false, \"reference\": null, "
		       "\"absolute\": false}, \"checks\": [{\"variant\": \"multi-local\", \"check\": \"cached steps\", "
		       "\"status\": \"fail\", \"measured\": 2, \"baseline\": 3, \"limit\": 3, \"limit_is\": \"minimum\", "
		       "\"unit\": \"steps\", \"rule\": \"may not fall\", \"note\": null}, {\"variant\": \"<i>v</i>\", "
		       "\"check\": \"image size\", \"status\": \"pass\", \"measured\": 2122497, \"baseline\": 2122497, "
		       "\"limit\": 2228621, \"limit_is\": \"maximum\", \"unit\": \"bytes\", \"rule\": \"may grow by at "
		       "most 5%\", \"note\": null}], \"notes\": [\"other commits <x>\"], \"noise_rule\": \"one noisy "
		       "sample cannot fail the gate\"}\n");
	path = path_join(dir, "gate.json");
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	free(path);
	free(text);
	if (html_run_write(dir, NULL) < 0)
		fail_msg("%s", bench_error_last());
	path = path_join(dir, "index.html");
	assert_int_equal(read_file(&page, &len, path), 0);
	free(path);
	json_decref(run);
	free(plots);
	free(dir);
	free(src);
	free(tmpl);
	return 0;
}

static int teardown_page(void **state)
{
	(void)state;
	rm_rf(tmp);
	free(tmp);
	free(page);
	return 0;
}

static void test_page_shows_the_run(void **state)
{
	(void)state;
	assert_true(!strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 32));
	assert_non_null(strstr(page, "<title>bench: tiny</title>"));
	assert_non_null(strstr(page, "8 of 10 builds ok"));
	/* the sections, listed in the contents line */
	assert_non_null(strstr(page, "<nav aria-label=\"contents\"><a href=\"#verdict\">Verdict</a>"
			    "<a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a>"
			    "<a href=\"#gate\">Regression gate</a>"));
	/* the verdict first: the pick (or too close to call) and money a month */
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"verdict-table\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"verdict-kinds\">"));
	assert_non_null(strstr(page, "GitHub Actions billing, Linux 2-core"));
	assert_non_null(strstr(page, "<a href=\"#gate\"><span class=\"badge fail\">gate: FAIL</span></a>"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"summary-table\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"statistics\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"steps-table\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"builds-table\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"gate-checks\">"));
	assert_non_null(strstr(page, "<table class=\"sortable\" id=\"variants\">"));
	assert_int_equal(count(page, "<tbody>\n<tr"), 8); /* 6, and the verdict's 2 */
	/* the four charts inline, each with its own ids */
	assert_int_equal(count(page, "<figure>\n<svg "), 4);
	assert_non_null(strstr(page, "id=\"c1-gnuplot_canvas\""));
	assert_non_null(strstr(page, "id=\"c4-gnuplot_canvas\""));
	/* the statistics with their units, and the summary's colours of the charts */
	assert_non_null(strstr(page, "<th scope=\"col\" class=\"n\">median (s)</th>"));
	assert_non_null(strstr(page, "<td class=\"n\" data-v=\"1.86586999\">1.87 s</td>"));
	assert_non_null(strstr(page, "<span class=\"sw\" style=\"background:#1b0c41\"></span>multi-nocache"));
	assert_non_null(strstr(page, "<td class=\"n\" data-v=\"2122497\">2.1 MB</td>"));
	/* every build, with a link to its log */
	assert_int_equal(count(page, "<a href=\"logs/"), 10);
	assert_non_null(strstr(page, "<a href=\"logs/multi-local-r1-003-30f7f88.log\">log</a>"));
	assert_non_null(strstr(page, "FAIL marker present"));
	/* the gate: verdict, checks with units, notes */
	assert_non_null(strstr(page, ">gate: FAIL (a regression)</span>"));
	assert_non_null(strstr(page, ">\xE2\x89\xA5 3 steps</td>"));
	assert_non_null(strstr(page, ">2.1 MB</td>"));
	assert_non_null(strstr(page, "other commits &lt;x&gt;"));
	/* the machine */
	assert_non_null(strstr(page, "<dt>docker_server</dt><dd>26.1.5+dfsg1</dd>"));
	/* the header's engine versions (a run from before containerd and
	 * BuildKit were recorded: docker and buildx only) */
	assert_non_null(strstr(page, " memory, docker 26.1.5+dfsg1, buildx 0.13.1+ds1, Linux"));
	assert_non_null(strstr(page, "<dt>memory_bytes</dt><dd>25.3 GB</dd>"));
}

static void test_page_escapes_data(void **state)
{
	(void)state;
	assert_non_null(strstr(page, "<td class=\"wrap\">" HOSTILE_ESCAPED "</td>"));
	assert_null(strstr(page, "<script>alert"));
	assert_null(strstr(page, "<i>v</i>"));
	assert_non_null(strstr(page, "&lt;i&gt;v&lt;/i&gt;"));
	assert_non_null(strstr(page, "<details><summary>first line &lt;b&gt;</summary>"
			    "<pre>first line &lt;b&gt;\nsecond line &amp; more</pre></details>"));
	/* the page's own script and nothing else */
	assert_int_equal(count(page, "<script"), 1);
}

static void test_page_is_self_contained(void **state)
{
	struct strbuf csp = {0};
	struct sha256_ctx c;
	unsigned char digest[SHA256_DIGEST_SIZE];
	const char *p, *script, *end;
	(void)state;

	/* nothing is loaded: no src, no link, no @import, no url() but to an id */
	assert_null(strstr(page, "src="));
	assert_null(strstr(page, "<link"));
	assert_null(strstr(page, "@import"));
	assert_null(strstr(page, "<iframe"));
	assert_null(strstr(page, "<object"));
	for (p = page; (p = strstr(p, "url(")); p++)
		assert_true(p[4] == '#');
	/* every link stays in the page or the results folder */
	for (p = page; (p = strstr(p, "href=\"")); p++)
		if (p[6] != '#' && strncmp(p + 6, "logs/", 5))
			fail_msg("a link out of the page: %.60s", p);
	assert_null(strstr(page, "href=\"http"));
	/* the only addresses are SVG's namespace names, never fetched */
	for (p = page; (p = strstr(p, "http")); p++)
		if ((!strncmp(p, "http:", 5) || !strncmp(p, "https:", 6)) && strncmp(p, "http://www.w3.org/", 18))
			fail_msg("an address in the page: %.60s", p);
	/* the policy: no fetch at all, and only the page's script by its hash */
	script = strstr(page, "<script>") + 8;
	end = strstr(script, "</script>");
	sha256_init(&c);
	sha256_update(&c, script, (size_t)(end - script));
	sha256_final(digest, &c);
	strbuf_puts(&csp, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
		    "script-src 'sha256-");
	{
		char b64[64], *c;
		base64url_encode(b64, digest, sizeof(digest));
		for (c = b64; *c; c++)
			*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
		strbuf_printf(&csp, "%s=", b64);
	}
	strbuf_puts(&csp, "'\">");
	assert_non_null(strstr(page, csp.buf));
	strbuf_release(&csp);
}

static void test_page_ids_unique(void **state)
{
	struct strvec ids = {0};
	const char *p;
	size_t i, j;
	(void)state;

	for (p = page; (p = strstr(p, " id=\"")); p += 5) {
		size_t n = strcspn(p + 5, "\"");
		char *id = xstrndup(p + 5, n);
		strvec_push(&ids, id);
		free(id);
	}
	assert_true(ids.n > 50);
	for (i = 0; i < ids.n; i++)
		for (j = i + 1; j < ids.n; j++)
			if (!strcmp(ids.v[i], ids.v[j]))
				fail_msg("id \"%s\" twice", ids.v[i]);
	strvec_release(&ids);
}

static void test_page_elsewhere_links_back(void **state)
{
	char *dir = path_join(tmp, "run"), *other = path_join(tmp, "pages/a"), *path = path_join(other, "p.html");
	char *text = NULL;
	size_t len;
	(void)state;

	assert_int_equal(mkdir_p(other), 0);
	assert_int_equal(html_run_write(dir, path), 0);
	assert_int_equal(read_file(&text, &len, path), 0);
	assert_non_null(strstr(text, "<a href=\"../../run/logs/multi-local-r1-003-30f7f88.log\">log</a>"));
	free(text);
	free(path);
	free(other);
	free(dir);
}

static void test_page_without_charts(void **state)
{
	char *dir = data_path("tests/data/runs/synthetic-a");
	json_t *run = load(dir);
	char *doc = html_run_page(run, dir, NULL);
	(void)state;

	assert_null(strstr(doc, "<svg"));
	assert_non_null(strstr(doc, "No charts in this folder"));
	assert_null(strstr(doc, "id=\"gate\""));
	assert_null(strstr(doc, "id=\"blog\""));
	free(doc);
	json_decref(run);
	free(dir);
}

/* a chart that is not SVG: said on the page, the rest still there */
static void test_page_with_a_broken_chart(void **state)
{
	char *src = data_path("tests/data/runs/synthetic-a"), *dir = path_join(tmp, "broken");
	char *plots = path_join(dir, "plots"), *svg = path_join(plots, "steps.svg"), *doc;
	json_t *run;
	(void)state;

	assert_int_equal(copy_tree(dir, src), 0);
	assert_int_equal(mkdir_p(plots), 0);
	assert_int_equal(write_file_atomic(svg, "<svg><g></svg>", 14), 0);
	run = load(dir);
	doc = html_run_page(run, dir, NULL);
	assert_null(strstr(doc, "<svg"));
	assert_non_null(strstr(doc, "<p class=\"box bad\">plots/steps.svg: chart &#39;"));
	assert_non_null(strstr(doc, "the chart is not well-formed SVG: an end tag that closes nothing open"));
	assert_non_null(strstr(doc, "Some charts were not drawn"));    /* the three missing */
	assert_null(strstr(doc, "No charts in this folder"));
	assert_non_null(strstr(doc, "id=\"builds-table\""));
	free(doc);
	json_decref(run);
	free(svg);
	free(plots);
	free(dir);
	free(src);
}

/* a cafeboo run: the blog comparison as bench run keeps it */
static void test_page_blog_comparison(void **state)
{
	char *src = data_path("tests/data/runs/synthetic-a"), *dir = path_join(tmp, "cafeboo");
	char *path = path_join(dir, "blog-comparison.json"), *doc;
	json_t *run, *ev;
	(void)state;

	assert_int_equal(copy_tree(dir, src), 0);
	run = load(dir);
	ev = blogreport_evaluate(run, NULL);
	assert_int_equal(json_dump_file(ev, path, 0), 0);
	doc = html_run_page(run, dir, NULL);
	assert_non_null(strstr(doc, "<table class=\"sortable\" id=\"blog-table\">"));
	assert_non_null(strstr(doc, "<table class=\"sortable\" id=\"targets\">"));
	assert_non_null(strstr(doc, "multi-stage + local cache, later builds"));
	assert_non_null(strstr(doc, "at scale 0.05"));
	/* no calibration run: the projection says it is an upper bound */
	assert_non_null(strstr(doc, "no calibration run"));
	free(doc);
	json_decref(ev);
	json_decref(run);
	free(path);
	free(dir);
	free(src);
}

/* ---- the bar chart bench draws ---- */

static void test_bar_chart(void **state)
{
	static const char *const series[] = {"A", "B<"};
	struct html_bar bars[] = {
		{"<x>&", {10, 20}, {8, NAN}, {12, NAN}},
		{"none", {NAN, 5}, {NAN, 4}, {NAN, 6}},
	};
	struct html_page p;
	(void)state;

	html_page_begin(&p, "t", NULL);
	html_bar_chart(&p, "cap & tion", "time (s)", "s", series, 2, bars, 2);
	html_page_end(&p);
	assert_int_equal(count(p.out.buf, "<svg viewBox=\"0 0 820 "), 1);
	assert_non_null(strstr(p.out.buf, ">&lt;x&gt;&amp;</text>"));
	assert_non_null(strstr(p.out.buf, ">B&lt;</text>"));
	assert_non_null(strstr(p.out.buf, ">20.0 s</text>"));
	assert_non_null(strstr(p.out.buf, ">no ok build</text>"));
	assert_non_null(strstr(p.out.buf, ">time (s)</text>"));
	assert_non_null(strstr(p.out.buf, "<figcaption>cap &amp; tion</figcaption>"));
	assert_int_equal(count(p.out.buf, "<path d="), 2); /* whiskers only where min < max */
	/* ticks at 0, 5, ..., 20 */
	assert_non_null(strstr(p.out.buf, ">0</text>"));
	assert_non_null(strstr(p.out.buf, ">20</text>"));
	html_page_release(&p);
}

/* ---- compare ---- */

static void test_compare_page(void **state)
{
	char *da = data_path("tests/data/runs/synthetic-a"), *db = data_path("tests/data/runs/synthetic-b");
	json_t *a = load(da), *b = load(db);
	char *doc = html_compare_page(a, b, "A<dir>", db);
	const char *row;
	(void)state;

	assert_non_null(strstr(doc, "A: A&lt;dir&gt;"));
	assert_non_null(strstr(doc, "<table class=\"sortable\" id=\"compare-table\">"));
	/* the verdicts of compare.c (tests/test_compare.c checks the same on the text) */
	row = strstr(doc, "no-cache</td>");
	assert_non_null(row);
	assert_true(strstr(row, ">better</span>") < strstr(row, "</tr>"));
	row = strstr(doc, "local-cache</td>");
	assert_non_null(row);
	assert_true(strstr(row, ">worse</span>") < strstr(row, "</tr>"));
	assert_non_null(strstr(doc, "Mann-Whitney p = 0.0022"));
	assert_non_null(strstr(doc, ">1.98\xC3\x97</td>"));
	assert_int_equal(count(doc, "<script"), 1);
	/* the warm medians as bars */
	assert_int_equal(count(doc, "<figure>\n<svg "), 1);
	assert_non_null(strstr(doc, ">168.6 s</text>"));
	free(doc);
	json_decref(a);
	json_decref(b);
	free(da);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_svg_sanitize),
		cmocka_unit_test(test_svg_rejects_malformed),
		cmocka_unit_test(test_page_shows_the_run),
		cmocka_unit_test(test_page_escapes_data),
		cmocka_unit_test(test_page_is_self_contained),
		cmocka_unit_test(test_page_ids_unique),
		cmocka_unit_test(test_page_elsewhere_links_back),
		cmocka_unit_test(test_page_without_charts),
		cmocka_unit_test(test_page_with_a_broken_chart),
		cmocka_unit_test(test_page_blog_comparison),
		cmocka_unit_test(test_bar_chart),
		cmocka_unit_test(test_compare_page),
	};
	return cmocka_run_group_tests(tests, setup_page, teardown_page);
}
