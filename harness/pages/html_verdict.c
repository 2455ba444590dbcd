/*
 * html_verdict.c: the page's verdict section (results/verdict.h), first
 * after the header: the pick or "too close to call", minutes and money per
 * month per variant, each build kind's median per variant, and where the
 * mix, the push rate and the price come from.
 */
#include "pages/html.h"
#include "pages/plot.h"
#include "results/verdict.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void headline(struct html_page *p, json_t *v)
{
	const char *pick = json_string_value(json_object_get(v, "pick"));
	json_t *top = json_array_get(json_object_get(v, "variants"), 0);
	char *text;

	if (pick && json_is_number(json_object_get(top, "minutes_per_month")))
		text = xasprintf("Pick %s: %.1f s per push, %.0f CI minutes and $%.2f a month.", pick,
				 json_num(top, "per_push_seconds", 0), json_num(top, "minutes_per_month", 0),
				 json_num(top, "cost_per_month", 0));
	else if (pick)
		text = xasprintf("Pick %s: %.1f s per push.", pick, json_num(top, "per_push_seconds", 0));
	else if (json_is_true(json_object_get(v, "too_close")))
		text = xasprintf("Too close to call between %s and %s.", json_str(top, "variant"),
				 json_str(v, "runner_up"));
	else
		text = xstrdup("No verdict.");
	html_para(p, pick ? "good" : "warn", text);
	html_para(p, "", json_str(v, "reason"));
	free(text);
}

static void variants_table(struct html_page *p, json_t *run, json_t *v)
{
	static const struct html_column cols[] = {
		{"variant", false}, {"per push (s)", true}, {"CI minutes / month", true}, {"$ / month", true},
	};
	json_t *o;
	size_t i;
	char buf[64];

	html_table_begin(p, "verdict-table", "Expected time per push, minutes and money per month", cols,
			 sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(v, "variants"), i, o) {
		const char *name = json_str(o, "variant");
		double minutes = json_num(o, "minutes_per_month", NAN), cost = json_num(o, "cost_per_month", NAN);
		html_row_begin(p, !strcmp(name, json_str(v, "pick")) ? "good" : NULL);
		html_cell_variant(p, name, plot_variant_color(run, name));
		html_cell_seconds(p, json_num(o, "per_push_seconds", NAN));
		snprintf(buf, sizeof(buf), "%.0f", minutes);
		html_cell_number(p, minutes, buf);
		snprintf(buf, sizeof(buf), "$%.2f", cost);
		html_cell_number(p, cost, buf);
		html_row_end(p);
	}
	html_table_end(p);
}

/* One row per kind and variant: the mix's weight, the median and n. */
static void kinds_table(struct html_page *p, json_t *run, json_t *v)
{
	static const struct html_column cols[] = {
		{"build kind", false}, {"mix", true}, {"variant", false}, {"median (s)", true}, {"builds", true},
	};
	json_t *k, *o;
	size_t i, j;
	char buf[32];

	html_table_begin(p, "verdict-kinds", "Each kind of build's median per variant", cols,
			 sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(v, "kinds"), i, k) {
		json_array_foreach(json_object_get(v, "variants"), j, o) {
			const char *name = json_str(o, "variant");
			json_t *m = json_object_get(json_object_get(k, "variants"), name);
			if (!m)
				continue;
			html_row_begin(p, NULL);
			html_cell(p, json_str(k, "title"));
			html_cell_percent(p, json_num(k, "weight", NAN));
			html_cell_variant(p, name, plot_variant_color(run, name));
			html_cell_seconds(p, json_num(m, "median", NAN));
			snprintf(buf, sizeof(buf), "%.0f", json_num(m, "n", NAN));
			html_cell_number(p, json_num(m, "n", NAN), buf);
			html_row_end(p);
		}
	}
	html_table_end(p);
}

static void sources(struct html_page *p, json_t *v)
{
	json_t *un = json_object_get(v, "unmeasured"), *x;
	struct strbuf sb = {0};
	size_t i;
	char buf[64];

	html_facts_begin(p);
	html_fact(p, "mix of kinds", json_str(v, "mix_source"));
	json_array_foreach(un, i, x)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", json_string_value(x));
	if (sb.buf)
		html_fact(p, "not measured (weight spread over the others)", sb.buf);
	if (json_is_number(json_object_get(v, "pushes_per_day"))) {
		snprintf(buf, sizeof(buf), "%.2f", json_num(v, "pushes_per_day", 0));
		html_fact(p, "pushes per day", buf);
	}
	html_fact(p, "push rate from", json_str(v, "pushes_source"));
	snprintf(buf, sizeof(buf), "$%g", json_num(v, "price_per_minute", 0));
	html_fact(p, "price per minute", buf);
	html_fact(p, "price from", json_str(v, "price_source"));
	html_facts_end(p);
	html_para(p, "note", "Build time only: GitHub bills each job rounded up to the minute, with its "
		  "checkout and other steps. The pick is the fastest variant per push when the rule of "
		  "bench gate (5% threshold, two-sided Mann-Whitney U test, p < 0.05) tells its warm builds "
		  "from the runner-up's.");
	strbuf_release(&sb);
}

void html_run_verdict(struct html_page *p, json_t *run)
{
	json_t *v = verdict_of(run);

	if (!v)
		return;
	html_section_begin(p, "verdict", "Verdict");
	headline(p, v);
	variants_table(p, run, v);
	kinds_table(p, run, v);
	sources(p, v);
	html_section_end(p);
	json_decref(v);
}
