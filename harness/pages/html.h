/*
 * html.h: bench's results as one self-contained HTML page (bench report
 * --format html, the index.html of every results folder, bench compare
 * --format html).
 *
 * A page is a struct html_page that sections are appended to, in order:
 *
 *   html_page_begin(&p, title, link_base);
 *   html_run_header(&p, run); html_run_summary(&p, run); ...   (html_run.c)
 *   html_page_end(&p);                  p.out.buf is the document
 *
 * Every section is a function of this header taking the page and the data it
 * shows, so a page of another kind (a sweep, a bisect) is another list of
 * sections: its own sections made from the primitives below (section, facts,
 * table, chart, note) next to the run's.
 *
 * What a page holds: one <style>, one <script> (sortable tables, a few lines,
 * the page reads the same without it), inline SVG charts, and nothing loaded
 * from anywhere: a Content-Security-Policy in the page itself allows no
 * fetch at all and only that one script (by its sha256), so a browser refuses
 * even what escaping missed. Every text that comes from data (run.json,
 * gate.json, file names) goes through html_escape; only string literals of
 * bench's own code are written raw.
 */
#ifndef BENCH_HTML_H
#define BENCH_HTML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct html_page {
	struct strbuf out;     /* the document so far */
	char *link_base;       /* prefix of links to files of the results folder */
	int charts;            /* charts inlined so far (their ids are prefixed c1-, c2-...) */
	struct strvec toc;     /* "id\ttitle" of each section, for the contents line */
	size_t toc_at;         /* where in out the contents line goes */
};

/* ---- the page (html.c) ---- */

/* Start the document: head, style, title (escaped) and the contents line
 * that html_page_end fills in. link_base (NULL: "") prefixes the relative
 * links to files of the results folder (logs/...), for a page written
 * elsewhere than in the folder. */
void html_page_begin(struct html_page *p, const char *title, const char *link_base);
/* The script, the end of the document, and the contents line. */
void html_page_end(struct html_page *p);
void html_page_release(struct html_page *p);

/* s with & < > " ' as character references: safe in text and in quoted
 * attribute values. Invalid UTF-8 bytes become U+FFFD. */
void html_escape(struct strbuf *sb, const char *s);
/* Escaped text (s NULL: nothing). */
void html_text(struct html_page *p, const char *s);
/* printf, then escaped as a whole. */
void html_textf(struct html_page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Markup of bench's own (a string literal, never data). */
void html_raw(struct html_page *p, const char *markup);

/* <section id=ID><h2>TITLE</h2> ... </section>; the section is listed in
 * the contents line. */
void html_section_begin(struct html_page *p, const char *id, const char *title);
void html_section_end(struct html_page *p);
/* A paragraph of escaped text; tone "" (plain), "note", "good", "bad",
 * "warn" colours its box. */
void html_para(struct html_page *p, const char *tone, const char *text);

/* A list of facts: name and value, both escaped ("–" when value is NULL or
 * empty). Call between html_facts_begin and html_facts_end. */
void html_facts_begin(struct html_page *p);
void html_fact(struct html_page *p, const char *name, const char *value);
void html_facts_end(struct html_page *p);

/* A badge: "ok", "fail", "warn" or "skip" colours it; text escaped. */
void html_badge(struct html_page *p, const char *tone, const char *text);
/* A small square of color ("#rrggbb"; anything else draws nothing), as the
 * charts use it for a variant or a step group. */
void html_swatch(struct html_page *p, const char *color);
/* A block of preformatted, escaped text (a failure's whole message). */
void html_pre(struct html_page *p, const char *text);

/* ---- tables (html.c) ---- */

struct html_column {
	const char *name;      /* the header, with its unit: "cold (s)" */
	bool numeric;          /* right-aligned; sorted by the cells' numbers */
};

/* A table that sorts by any column when its header is clicked; id names it
 * (also for the #sort=ID:COLUMN[:desc] address that sorts it on load). It
 * scrolls sideways on a narrow screen. */
void html_table_begin(struct html_page *p, const char *id, const char *caption,
		      const struct html_column *cols, size_t ncols);
/* tone as html_para's (NULL: plain), for the whole row. */
void html_row_begin(struct html_page *p, const char *tone);
void html_row_end(struct html_page *p);
void html_table_end(struct html_page *p);

/* Cells. Numbers carry their value for sorting; a NaN is shown as "–" and
 * sorts last. */
void html_cell(struct html_page *p, const char *text);
void html_cell_code(struct html_page *p, const char *text, const char *title);
/* Prose that wraps in a column wide enough to read it (a subject, a rule). */
void html_cell_wrap(struct html_page *p, const char *text);
void html_cell_number(struct html_page *p, double v, const char *text);
void html_cell_seconds(struct html_page *p, double seconds);  /* "1.23 s", "548.0 s" */
void html_cell_minutes(struct html_page *p, double seconds);  /* "548.0 s (9m08s)" */
void html_cell_ratio(struct html_page *p, double ratio);      /* "0.43×" */
void html_cell_percent(struct html_page *p, double share);    /* 0.75 -> "75 %" */
void html_cell_bytes(struct html_page *p, double bytes);      /* "2.1 MB" */
/* A variant's name with its colour in the charts (color NULL: none). */
void html_cell_variant(struct html_page *p, const char *name, const char *color);
/* A build status ("ok", "failed", "timeout", "skipped", "interrupted") as a
 * badge. */
void html_cell_status(struct html_page *p, const char *status);
/* A link to a file of the results folder (path relative to it, as run.json
 * records it), prefixed with the page's link_base; text escaped. */
void html_cell_file_link(struct html_page *p, const char *path, const char *text);

/* "1.23 s", "548.0 s", "–" into buf. */
void html_format_seconds(char *buf, size_t size, double seconds);
/* "2.1 MB", "–" into buf (decimal units). */
void html_format_bytes(char *buf, size_t size, double bytes);

/* ---- charts (html_svg.c) ---- */

/*
 * Copy the SVG document svg into out, safe to inline in an HTML page: the XML
 * prologue, DOCTYPE, comments, processing instructions, <title>, <desc> and
 * any element but SVG's drawing elements (script, foreignObject, style,
 * image, a, animations...) with their content are dropped; of attributes only
 * presentation and geometry ones are kept (no on*, no style, no href but
 * "#id"); every id is prefixed with id_prefix, and so are the references to
 * it (href="#id", url(#id)), so that several charts on one page do not share
 * ids (an id repeated within the chart gets "-2", "-3"...); the root's width and height are dropped (the page sizes it by its
 * viewBox). Text and attribute values are written escaped. BENCH_EINVALID
 * when svg has no <svg> element or is not well formed.
 */
int html_svg_sanitize(struct strbuf *out, const char *svg, const char *id_prefix);

/* A <figure> with the chart read from svg_path (sanitized as above, with a
 * prefix of its own) and caption (escaped). BENCH_ENOTFOUND / BENCH_EIO /
 * BENCH_EINVALID with nothing written when it cannot be read. */
int html_chart(struct html_page *p, const char *svg_path, const char *caption);

/* A chart bench draws itself (html_bars.c): per row, one horizontal bar per
 * series (value; NaN: "no ok build") with a min-max whisker (lo, hi; NaN:
 * none), the values written after the bars with their unit, the axis named
 * `axis`. Series colours: grey for the first, then the charts' colours. */
#define HTML_BARS_MAX_SERIES 4
struct html_bar {
	const char *label;
	double value[HTML_BARS_MAX_SERIES], lo[HTML_BARS_MAX_SERIES], hi[HTML_BARS_MAX_SERIES];
};
void html_bar_chart(struct html_page *p, const char *caption, const char *axis, const char *unit,
		    const char *const *series, size_t nseries, const struct html_bar *bars, size_t n);

/* ---- the sections of a results folder (html_run.c) ---- */

/* When, what and where, then a line of badges: how many builds ok, the run's
 * state, the gate's verdict (DIR/gate.json; dir may be NULL). */
void html_run_header(struct html_page *p, json_t *run, const char *dir);
/* The verdict (results/verdict.h): the pick, minutes and money a month,
 * each build kind's medians, the sources (html_verdict.c). */
void html_run_verdict(struct html_page *p, json_t *run);
/* The scenario (every key, the variants as a table) and the machine. */
void html_run_scenario(struct html_page *p, json_t *run);
/* Per variant: cold, warm median, warm/cold, cached steps, ok builds; the
 * statistics of each phase (n, median, mean, stddev, min, max, outliers) and
 * hyperfine's outlier warnings. */
void html_run_summary(struct html_page *p, json_t *run);
/* The four charts of DIR/plots (a note when they were not drawn). */
void html_run_charts(struct html_page *p, const char *dir);
/* Where the time goes: the step groups of the cold build and of the typical
 * warm build of each variant, as the steps chart stacks them. */
void html_run_steps(struct html_page *p, json_t *run);
/* The JSON file NAME of results folder dir (new reference), NULL when it is
 * absent or does not parse: the page goes without what it would show. */
json_t *html_folder_json(const char *dir, const char *name);
/* DIR/blog-comparison.json (a cafeboo run), when present (html_files.c). */
void html_run_blog(struct html_page *p, const char *dir);
/* DIR/gate.json (the verdict of bench run --gate), when present (html_files.c). */
void html_run_gate(struct html_page *p, json_t *run, const char *dir);
/* Every build: variant, repetition, commit, subject, phase, status, times,
 * cached steps, sizes, the failure reason and a link to its log. */
void html_run_builds(struct html_page *p, json_t *run);

/* The whole page of a results folder (run as results_load gives it) into
 * *out (caller frees). */
char *html_run_page(json_t *run, const char *dir, const char *link_base);

/* The link_base of a page of folder dir written to path: the relative path
 * from path's folder to dir ("" when the same); NULL for stdout ("-") or
 * NULL. Caller frees. */
char *html_link_base(const char *dir, const char *path);

/*
 * Write the page of results folder dir to path (NULL: DIR/index.html; "-":
 * stdout), atomically. Links to the folder's files are made relative to
 * where the page is written (as if in dir for stdout). Errors: results_load's,
 * or BENCH_EIO naming the file.
 */
int html_run_write(const char *dir, const char *path);

/* ---- two runs side by side (html_compare.c) ---- */

/* The page of `bench compare A B --format html`: both runs' scenario and
 * machine, and per variant the medians, the spread and compare.c's verdict.
 * dir_a and dir_b name the folders. Caller frees. */
char *html_compare_page(json_t *a, json_t *b, const char *dir_a, const char *dir_b);

#endif
