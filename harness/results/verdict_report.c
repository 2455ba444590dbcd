/*
 * verdict_report.c: the verdict (verdict.h) as text, first in bench run's
 * summary and bench report --format text, or as Markdown for bench report
 * --format markdown. The page's copy is in pages/html_run.c.
 */
#include "results/verdict.h"
#include "lib/jsonx.h"

#include <math.h>
#include <string.h>

static void headline(FILE *f, json_t *v, bool markdown)
{
	const char *pick = json_string_value(json_object_get(v, "pick"));
	json_t *top = json_array_get(json_object_get(v, "variants"), 0);

	fputs(markdown ? "### Verdict\n\n**" : "verdict: ", f);
	if (pick) {
		fprintf(f, "pick %s", pick);
		if (json_is_number(json_object_get(top, "per_push_seconds")))
			fprintf(f, ": %.1f s per push", json_num(top, "per_push_seconds", 0));
		if (json_is_number(json_object_get(top, "minutes_per_month")))
			fprintf(f, ", %.0f CI minutes and $%.2f a month", json_num(top, "minutes_per_month", 0),
				json_num(top, "cost_per_month", 0));
	} else if (json_is_true(json_object_get(v, "too_close"))) {
		fprintf(f, "too close to call between %s and %s", json_str(top, "variant"),
			json_str(v, "runner_up"));
	} else {
		fputs("none", f);
	}
	fprintf(f, "%s\n%s%s\n\n", markdown ? "**\n" : "", markdown ? "" : "  ", json_str(v, "reason"));
}

static void number_or_dash(FILE *f, json_t *o, const char *key, const char *fmt, int width)
{
	json_t *x = json_object_get(o, key);
	if (json_is_number(x))
		fprintf(f, fmt, width, json_number_value(x));
	else
		fprintf(f, "%*s", width, "-");
}

static void variants_table(FILE *f, json_t *v, bool markdown)
{
	json_t *o;
	size_t i;

	if (markdown)
		fputs("| variant | per push (s) | CI minutes / month | $ / month |\n|---|---:|---:|---:|\n", f);
	else
		fprintf(f, "  %-28s %12s %14s %10s\n", "variant", "per push (s)", "min / month", "$ / month");
	json_array_foreach(json_object_get(v, "variants"), i, o) {
		if (markdown) /* `name`: the summary's rows start "| name |" */
			fprintf(f, "| `%s` | ", json_str(o, "variant"));
		else
			fprintf(f, "  %-28s ", json_str(o, "variant"));
		number_or_dash(f, o, "per_push_seconds", "%*.1f", markdown ? 1 : 12);
		fputs(markdown ? " | " : " ", f);
		number_or_dash(f, o, "minutes_per_month", "%*.0f", markdown ? 1 : 14);
		fputs(markdown ? " | " : " ", f);
		number_or_dash(f, o, "cost_per_month", "%*.2f", markdown ? 1 : 10);
		fputs(markdown ? " |\n" : "\n", f);
	}
	fputc('\n', f);
}

/* One row per kind: its weight in the mix and each variant's median (n). */
static void kinds_table(FILE *f, json_t *v, bool markdown)
{
	json_t *vars = json_object_get(v, "variants"), *k, *o;
	size_t i, j;
	int w = 12; /* a column per variant, as wide as the longest name */

	json_array_foreach(vars, j, o)
		if ((int)strlen(json_str(o, "variant")) > w)
			w = (int)strlen(json_str(o, "variant"));
	fputs(markdown ? "| build kind | mix |" : "  build kind          mix ", f);
	json_array_foreach(vars, j, o)
		if (markdown)
			fprintf(f, " %s |", json_str(o, "variant"));
		else
			fprintf(f, " %*s", w, json_str(o, "variant"));
	if (markdown) {
		fputs("\n|---|---:|", f);
		json_array_foreach(vars, j, o)
			fputs("---:|", f);
	}
	fputc('\n', f);
	json_array_foreach(json_object_get(v, "kinds"), i, k) {
		json_t *per = json_object_get(k, "variants");
		fprintf(f, markdown ? "| %s | %.0f %% |" : "  %-17s %3.0f %%", json_str(k, "title"),
			100 * json_num(k, "weight", 0));
		json_array_foreach(vars, j, o) {
			json_t *m = json_object_get(per, json_str(o, "variant"));
			char cell[48];
			if (m)
				snprintf(cell, sizeof(cell), "%.1f s (%d)", json_num(m, "median", 0),
					 (int)json_num(m, "n", 0));
			else
				snprintf(cell, sizeof(cell), "-");
			if (markdown)
				fprintf(f, " %s |", cell);
			else
				fprintf(f, " %*s", w, cell);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void sources(FILE *f, json_t *v, bool markdown)
{
	const char *li = markdown ? "- " : "  ";
	json_t *un = json_object_get(v, "unmeasured"), *x;
	size_t i;

	fprintf(f, "%smix of kinds: %s\n", li,
		json_is_string(json_object_get(v, "mix_source")) ? json_str(v, "mix_source") : "unknown");
	if (json_array_size(un)) {
		fprintf(f, "%snot measured in this run (their weight is spread over the others):", li);
		json_array_foreach(un, i, x)
			fprintf(f, " %s", json_string_value(x));
		fputc('\n', f);
	}
	if (json_is_number(json_object_get(v, "pushes_per_day")))
		fprintf(f, "%spushes per day: %.2f (%s), %g days a month\n", li, json_num(v, "pushes_per_day", 0),
			json_str(v, "pushes_source"), VERDICT_DAYS_PER_MONTH);
	else
		fprintf(f, "%spushes per day: %s\n", li, json_str(v, "pushes_source"));
	fprintf(f, "%sprice: $%g per minute (%s); build time only, while GitHub bills each job "
		"rounded up to the minute\n", li, json_num(v, "price_per_minute", 0), json_str(v, "price_source"));
	fprintf(f, "%spick: the fastest per push when the rule of bench gate (5%% threshold, two-sided "
		"Mann-Whitney U test, p < 0.05) tells its warm builds from the runner-up's\n", li);
	fputc('\n', f);
}

void verdict_write(FILE *f, json_t *v, bool markdown)
{
	if (!v)
		return;
	headline(f, v, markdown);
	variants_table(f, v, markdown);
	kinds_table(f, v, markdown);
	sources(f, v, markdown);
}
