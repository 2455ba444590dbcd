/*
 * gate_format.c: the three forms of a gate report (see gate.h): text, one
 * line per check, for the terminal and CI logs; a Markdown table for
 * $GITHUB_STEP_SUMMARY; the JSON verdict for other programs. Each ends with
 * the noise rule, so that a reader knows why a slower figure did not fail.
 */
#include "results/gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char gate_noise_rule[] =
	"A time check (warm/cold, vs REF, warm median) fails only when the run's median is "
	"beyond the limit (the baseline's median grown by the threshold) and a two-sided "
	"Mann-Whitney U test at p < 0.05 tells the run's samples from the baseline's shifted "
	"by the threshold; bench compare decides by the same rule. Sample sizes that cannot "
	"reach p < 0.05 at all (3 against 3, one against one) make the check inconclusive, "
	"a pass. warm/cold has one sample per series (its warm median over its cold build: "
	"one cold build is one figure, not one per warm build); vs REF one per warm build, "
	"over the reference's build of the same commit in the same run. Ok builds and cached "
	"steps are compared exactly, image and cache sizes within their allowances.";

static const char *status_name(enum gate_status s)
{
	switch (s) {
	case GATE_PASS: return "PASS";
	case GATE_FAIL: return "FAIL";
	case GATE_SKIP: return "SKIP";
	}
	return "?";
}

/* A figure in its unit ("-" when unknown) into buf. */
static void format_value(char *buf, size_t size, enum gate_unit unit, double v)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;

	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return;
	}
	switch (unit) {
	case GATE_SECONDS:
		snprintf(buf, size, "%.2f s", v);
		break;
	case GATE_RATIO:
		snprintf(buf, size, "%.3f", v);
		break;
	case GATE_STEPS:
		snprintf(buf, size, "%.3g", v);
		break;
	case GATE_SHARE:
		snprintf(buf, size, "%.0f%%", v * 100);
		break;
	case GATE_BYTES:
		while (fabs(v) >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
			v /= 1000;
			u++;
		}
		snprintf(buf, size, u ? "%.4g %s" : "%.0f %s", v, units[u]);
		break;
	}
}

static void format_limit(char *buf, size_t size, const struct gate_check *c)
{
	char v[48];

	format_value(v, sizeof(v), c->unit, c->limit);
	if (isfinite(c->limit))
		snprintf(buf, size, "%s %s", c->at_least ? ">=" : "<=", v);
	else
		snprintf(buf, size, "-");
}

/* text, wrapped at 78 columns, each line starting with prefix (first) or
 * with as many spaces (the others). */
static void wrap(struct strbuf *sb, const char *prefix, const char *text)
{
	size_t indent = strlen(prefix), col = indent;
	const char *p = text;

	strbuf_puts(sb, prefix);
	while (*p) {
		size_t word = strcspn(p, " ");
		if (col > indent && col + 1 + word > 78) {
			strbuf_printf(sb, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			strbuf_puts(sb, " ");
			col++;
		}
		strbuf_add(sb, p, word);
		col += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	strbuf_puts(sb, "\n");
}

static void verdict_line(struct strbuf *sb, const struct gate_report *r)
{
	strbuf_printf(sb, "%s: %zu check%s, %zu passed", r->failed ? "FAIL" : "PASS", r->count,
		      r->count == 1 ? "" : "s", r->passed);
	if (r->inconclusive)
		strbuf_printf(sb, " (%zu inconclusive)", r->inconclusive);
	strbuf_printf(sb, ", %zu failed, %zu skipped", r->failed, r->skipped);
}

static void format_text(struct strbuf *sb, const struct gate_report *r)
{
	int wv = 7, wc = 5, wm = 8, wl = 5;
	char m[64], l[64], b[64];
	size_t i;

	for (i = 0; i < r->count; i++) {
		const struct gate_check *c = &r->checks[i];
		int n;
		format_value(m, sizeof(m), c->unit, c->measured);
		format_limit(l, sizeof(l), c);
		if ((n = (int)strlen(c->variant)) > wv) wv = n;
		if ((n = (int)strlen(c->check)) > wc) wc = n;
		if ((n = (int)strlen(m)) > wm) wm = n;
		if ((n = (int)strlen(l)) > wl) wl = n;
	}
	strbuf_printf(sb, "bench gate: %s against baseline %s\n",
		      r->results ? r->results : "the run", r->baseline ? r->baseline : "");
	for (i = 0; i < r->count; i++) {
		const struct gate_check *c = &r->checks[i];
		format_value(m, sizeof(m), c->unit, c->measured);
		format_limit(l, sizeof(l), c);
		format_value(b, sizeof(b), c->unit, c->baseline);
		strbuf_printf(sb, "%s  %-*s  %-*s  %*s  %-*s  ", status_name(c->status), wv, c->variant,
			      wc, c->check, wm, m, wl, l);
		if (c->status == GATE_SKIP)
			strbuf_printf(sb, "(%s)\n", c->note ? c->note : "skipped");
		else if (c->note)
			strbuf_printf(sb, "(baseline %s; %s)\n", b, c->note);
		else
			strbuf_printf(sb, "(baseline %s)\n", b);
	}
	for (i = 0; i < r->notes.n; i++)
		wrap(sb, "note: ", r->notes.v[i]);
	strbuf_puts(sb, "gate: ");
	verdict_line(sb, r);
	strbuf_printf(sb, "\nthresholds: warm/cold +%g, warm median +%g%%%s%s%s%s, image +%g%%, "
		      "cache +%g%%, cached steps %s\n", r->limits.warm_over_cold_growth,
		      r->limits.warm_median_growth * 100,
		      r->limits.reference ? " vs " : "", r->limits.reference ? r->limits.reference : "",
		      r->reference_auto ? " (the first variant without cache)" : "",
		      r->limits.absolute ? " (and absolute)" : "", r->limits.image_growth * 100,
		      r->limits.cache_growth * 100,
		      r->limits.cached_steps_may_fall ? "may fall" : "may not fall");
	wrap(sb, "noise rule: ", gate_noise_rule);
}

/* A Markdown table cell: '|' escaped, line breaks as spaces. */
static void md_cell(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, " ");
	for (; *s; s++) {
		if (*s == '|')
			strbuf_puts(sb, "\\|");
		else if (*s == '\n' || *s == '\r')
			strbuf_puts(sb, " ");
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_puts(sb, " |");
}

static void format_markdown(struct strbuf *sb, const struct gate_report *r)
{
	char m[64], l[64], b[64];
	size_t i;

	strbuf_printf(sb, "### bench gate: %s\n\n", r->failed ? "\u274c FAIL" : "\u2705 PASS");
	strbuf_printf(sb, "`%s` against baseline `%s`: ", r->results ? r->results : "the run",
		      r->baseline ? r->baseline : "");
	verdict_line(sb, r);
	strbuf_puts(sb, ".\n\n| Status | Variant | Check | Measured | Limit | Baseline | Rule |\n"
		    "| --- | --- | --- | ---: | ---: | ---: | --- |\n");
	for (i = 0; i < r->count; i++) {
		const struct gate_check *c = &r->checks[i];
		char *rule;
		format_value(m, sizeof(m), c->unit, c->measured);
		format_limit(l, sizeof(l), c);
		format_value(b, sizeof(b), c->unit, c->baseline);
		strbuf_puts(sb, "|");
		md_cell(sb, c->status == GATE_FAIL ? "\u274c **FAIL**" :
			    c->status == GATE_PASS ? "\u2705 PASS" : "\u2796 SKIP");
		md_cell(sb, c->variant);
		md_cell(sb, c->check);
		md_cell(sb, m);
		md_cell(sb, l);
		md_cell(sb, b);
		if (c->status == GATE_SKIP)
			rule = xstrdup(c->note ? c->note : "skipped");
		else
			rule = c->note ? xasprintf("%s; %s", c->rule, c->note) : xstrdup(c->rule);
		md_cell(sb, rule);
		free(rule);
		strbuf_puts(sb, "\n");
	}
	strbuf_puts(sb, "\n");
	for (i = 0; i < r->notes.n; i++)
		strbuf_printf(sb, "> **Note:** %s\n\n", r->notes.v[i]);
	strbuf_printf(sb, "<sub>Noise rule: %s</sub>\n\n", gate_noise_rule);
}

static json_t *number_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void format_json(struct strbuf *sb, const struct gate_report *r)
{
	static const char *const units[] = {"seconds", "ratio", "bytes", "steps", "share"};
	json_t *o = json_object(), *checks = json_array(), *notes = json_array(), *t;
	char *text;
	size_t i;

	for (i = 0; i < r->count; i++) {
		const struct gate_check *c = &r->checks[i];
		json_t *j = json_object();
		char status[8];
		snprintf(status, sizeof(status), "%s", status_name(c->status));
		for (char *p = status; *p; p++)
			*p = (char)(*p - 'A' + 'a');
		json_object_set_new(j, "variant", json_string(c->variant));
		json_object_set_new(j, "check", json_string(c->check));
		json_object_set_new(j, "status", json_string(status));
		json_object_set_new(j, "measured", number_or_null(c->measured));
		json_object_set_new(j, "baseline", number_or_null(c->baseline));
		json_object_set_new(j, "limit", number_or_null(c->limit));
		json_object_set_new(j, "limit_is", json_string(c->at_least ? "minimum" : "maximum"));
		json_object_set_new(j, "unit", json_string(units[c->unit]));
		json_object_set_new(j, "rule", json_string(c->rule));
		json_object_set_new(j, "note", c->note ? json_string(c->note) : json_null());
		json_object_set_new(j, "inconclusive", json_boolean(c->inconclusive));
		json_array_append_new(checks, j);
	}
	for (i = 0; i < r->notes.n; i++)
		json_array_append_new(notes, json_string(r->notes.v[i]));
	t = json_object();
	json_object_set_new(t, "warm_median_growth", json_real(r->limits.warm_median_growth));
	json_object_set_new(t, "warm_over_cold_growth", json_real(r->limits.warm_over_cold_growth));
	json_object_set_new(t, "image_growth", json_real(r->limits.image_growth));
	json_object_set_new(t, "cache_growth", json_real(r->limits.cache_growth));
	json_object_set_new(t, "cached_steps_may_fall", json_boolean(r->limits.cached_steps_may_fall));
	json_object_set_new(t, "reference", r->limits.reference ? json_string(r->limits.reference)
							       : json_null());
	json_object_set_new(t, "reference_auto", json_boolean(r->reference_auto));
	json_object_set_new(t, "absolute", json_boolean(r->limits.absolute));
	json_object_set_new(o, "verdict", json_string(r->failed ? "fail" : "pass"));
	json_object_set_new(o, "results", r->results ? json_string(r->results) : json_null());
	json_object_set_new(o, "baseline", r->baseline ? json_string(r->baseline) : json_null());
	json_object_set_new(o, "counts", json_pack("{s:I, s:I, s:I, s:I}", "pass",
						   (json_int_t)r->passed, "fail", (json_int_t)r->failed,
						   "skip", (json_int_t)r->skipped, "inconclusive",
						   (json_int_t)r->inconclusive));
	json_object_set_new(o, "thresholds", t);
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "noise_rule", json_string(gate_noise_rule));
	text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	strbuf_puts(sb, text ? text : "{}");
	strbuf_puts(sb, "\n");
	free(text);
	json_decref(o);
}

void gate_format_report(struct strbuf *sb, const struct gate_report *r, enum gate_format fmt)
{
	switch (fmt) {
	case GATE_TEXT: format_text(sb, r); break;
	case GATE_MARKDOWN: format_markdown(sb, r); break;
	case GATE_JSON: format_json(sb, r); break;
	}
}
