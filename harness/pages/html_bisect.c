/*
 * html_bisect.c: the page of a bisect folder (its index.html, and bench
 * report DIR --format html): the verdict, the culprit with the Dockerfile
 * steps whose cache it broke, every probe, then the run's own sections
 * (html.h) for the builds the probes made and the scenario.
 */
#include "results/bisect_report.h"
#include "pages/html.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void verdict_section(struct html_page *p, json_t *b)
{
	json_t *c = json_object_get(b, "culprit"), *x;
	const char *state = json_str(b, "state");
	struct strbuf sb = {0};
	size_t i;

	html_section_begin(p, "verdict", "Verdict");
	html_para(p, !strcmp(state, "found") ? "bad" : !strcmp(state, "none") ? "good" : "warn",
		  *json_str(b, "reason") ? json_str(b, "reason") : "Not finished: interrupted before a verdict.");
	strbuf_printf(&sb, "%.0f probes for %.0f commits (log2 = %.1f, plus the good and the bad end); "
		      "a probe builds the commit's parent cold, then the commit warm, and is bad when %s.",
		      json_num(b, "probe_count", 0), json_num(b, "range", 0),
		      json_num(b, "range", 0) > 0 ? log2(json_num(b, "range", 1)) : 0,
		      !strcmp(json_str(b, "metric"), "warm_seconds") ?
		      "its warm build is slower than the good end's by the gate's rule" :
		      "its warm build reuses fewer cached steps than the good end's");
	html_para(p, "", sb.buf);
	if (json_is_object(c)) {
		html_facts_begin(p);
		html_fact(p, "first bad commit", json_str(c, "commit"));
		html_fact(p, "subject", json_str(c, "subject"));
		strbuf_reset(&sb);
		json_array_foreach(json_object_get(c, "changed"), i, x)
			strbuf_printf(&sb, "%s%s", i ? ", " : "", json_string_value(x));
		html_fact(p, "paths it changed", sb.buf);
		strbuf_reset(&sb);
		strbuf_printf(&sb, "%.0f of %.0f (the good end's: %.0f)", json_num(c, "cached_steps", 0),
			      json_num(c, "steps_total", 0), json_num(c, "good_cached_steps", 0));
		html_fact(p, "cached steps, warm", sb.buf);
		strbuf_reset(&sb);
		strbuf_printf(&sb, "%.2f s (the good end's: %.2f s)", json_num(c, "warm_seconds", NAN),
			      json_num(c, "good_warm_seconds", NAN));
		html_fact(p, "warm build", sb.buf);
		html_facts_end(p);
		if (json_array_size(json_object_get(c, "broken_steps"))) {
			static const struct html_column cols[] = {{"Dockerfile", false}, {"line", true},
								  {"step: cached at the good end, rebuilt here", false}};
			html_table_begin(p, "broken", "The steps whose cache it broke", cols, 3);
			json_array_foreach(json_object_get(c, "broken_steps"), i, x) {
				char buf[32];
				html_row_begin(p, NULL);
				html_cell(p, json_str(c, "dockerfile"));
				snprintf(buf, sizeof(buf), "%.0f", json_num(x, "line", NAN));
				html_cell_number(p, json_num(x, "line", NAN), buf);
				html_cell_code(p, json_str(x, "step"), NULL);
				html_row_end(p);
			}
			html_table_end(p);
		}
	}
	html_section_end(p);
	strbuf_release(&sb);
}

static void probes_section(struct html_page *p, json_t *b)
{
	static const struct html_column cols[] = {
		{"probe", true}, {"commit", false}, {"subject", false}, {"role", false}, {"status", false},
		{"cached steps, warm", true}, {"warm (s)", true}, {"verdict", false}, {"why", false},
	};
	json_t *x;
	size_t i;
	char buf[32];

	html_section_begin(p, "probes", "Probes");
	html_table_begin(p, "probes-table", "In the order they were made", cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(b, "probes"), i, x) {
		const char *v = json_str(x, "verdict");
		html_row_begin(p, !strcmp(v, "bad") ? "bad" : !strcmp(v, "skip") || !strcmp(v, "failed") ? "warn" : NULL);
		snprintf(buf, sizeof(buf), "%.0f", json_num(x, "probe", 0));
		html_cell_number(p, json_num(x, "probe", 0), buf);
		html_cell_code(p, json_str(x, "short"), json_str(x, "commit"));
		html_cell_wrap(p, json_str(x, "subject"));
		html_cell(p, json_str(x, "role"));
		html_cell_status(p, json_str(x, "status"));
		snprintf(buf, sizeof(buf), "%.0f/%.0f", json_num(x, "cached_steps", 0), json_num(x, "steps_total", 0));
		html_cell_number(p, json_num(x, "cached_steps", 0), buf);
		html_cell_seconds(p, json_num(x, "warm_seconds", NAN));
		html_cell(p, *v ? v : "-");
		html_cell_wrap(p, json_str(x, "note"));
		html_row_end(p);
	}
	html_table_end(p);
	html_section_end(p);
}

char *html_bisect_page(json_t *bisect, json_t *run, const char *link_base)
{
	struct html_page p;
	char *title = xasprintf("bench bisect: %s", json_str(bisect, "variant")), *doc;

	html_page_begin(&p, title, link_base);
	html_raw(&p, "<p class=\"sub\">");
	html_textf(&p, "Variant %s over %s (%.0f commits, the good end %.7s), metric %s.",
		   json_str(bisect, "variant"), json_str(bisect, "commits"), json_num(bisect, "range", 0),
		   json_str(json_object_get(bisect, "good_end"), "commit"), json_str(bisect, "metric"));
	html_raw(&p, "</p>\n");
	verdict_section(&p, bisect);
	probes_section(&p, bisect);
	html_run_builds(&p, run);
	html_run_scenario(&p, run);
	html_page_end(&p);
	doc = strbuf_detach(&p.out);
	html_page_release(&p);
	free(title);
	return doc;
}
