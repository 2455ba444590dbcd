/*
 * runsummary.c: the summary of one run (run.json's object) as `bench run`
 * and `bench report` print it: the verdict, the table per variant, the
 * engines, their versions and the builds not ok.
 */
#include "results/runsummary.h"

#include <stdlib.h>
#include <string.h>

#include "lib/jsonx.h"
#include "results/results.h"
#include "results/contention.h"
#include "results/verdict.h"
#include "results/versions.h"

static void print_seconds(FILE *f, json_t *v, int width)
{
	if (json_is_number(v))
		fprintf(f, " %*.1f", width, json_number_value(v));
	else
		fprintf(f, " %*s", width, "-");
}

/* One line per build that did not end ok: what and why (first line). */
static void print_not_ok(FILE *f, json_t *run)
{
	json_t *b;
	size_t i;
	bool header = false;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		const char *status = json_string_value(json_object_get(b, "status"));
		const char *reason = json_string_value(json_object_get(b, "reason"));
		if (!status || !strcmp(status, "ok"))
			continue;
		if (!header) {
			fprintf(f, "\nbuilds not ok:\n");
			header = true;
		}
		fprintf(f, "  %s r%lld commit %lld %s: %s: %.*s\n",
			json_string_value(json_object_get(b, "variant")) ?: "?",
			(long long)json_integer_value(json_object_get(b, "repetition")),
			(long long)json_integer_value(json_object_get(b, "index")),
			json_string_value(json_object_get(b, "short")) ?: "?", status,
			reason ? (int)strcspn(reason, "\n") : 0, reason ? reason : "");
	}
}

/* A run over several engines: how many builds each made, which were lost,
 * how many builds were made again elsewhere. */
static void print_engines(FILE *f, json_t *run)
{
	json_t *engines = results_engines(run), *e, *fp;
	json_t *fps = json_object_get(json_object_get(run, "environment"), "engines");
	size_t i, nsup = json_array_size(json_object_get(run, "superseded"));

	if (json_array_size(engines) > 1 || nsup) {
		fputs("\nengines:", f);
		json_array_foreach(engines, i, e)
			fprintf(f, "%s %s (%lld builds)", i ? "," : "", json_string_value(json_object_get(e, "name")),
				(long long)json_integer_value(json_object_get(e, "builds")));
		fputs("\n", f);
	}
	json_array_foreach(fps, i, fp)
		if (json_is_string(json_object_get(fp, "lost")))
			fprintf(f, "engine %s stopped answering: %s\n", json_string_value(json_object_get(fp, "name")),
				json_string_value(json_object_get(fp, "lost")));
	if (nsup)
		fprintf(f, "%zu build%s made on a lost engine %s made again on another (kept in run.json's "
			"\"superseded\")\n", nsup, nsup == 1 ? "" : "s", nsup == 1 ? "was" : "were");
	json_decref(engines);
}

/* "engine: docker 28.5.2, buildx 0.29.1, ..." (several: one line each,
 * named); nothing when not recorded. */
static void print_versions(FILE *f, json_t *run)
{
	json_t *versions = versions_of_run(run), *v;
	size_t i, n = json_array_size(versions);

	json_array_foreach(versions, i, v) {
		char *text = versions_text(v);
		if (*text && n > 1)
			fprintf(f, "engine %s: %s\n", json_str(v, "name"), text);
		else if (*text)
			fprintf(f, "engine: %s\n", text);
		free(text);
	}
	json_decref(versions);
}

void runsummary_print(FILE *f, json_t *run)
{
	json_t *summary = json_object_get(run, "summary"), *s, *verdict = verdict_of(run);
	size_t i, width = 7;

	/* the verdict first: which variant to pick, in minutes and money */
	if (verdict) {
		fputc('\n', f);
		verdict_write(f, verdict, false);
		json_decref(verdict);
	}

	json_array_foreach(summary, i, s) {
		size_t n = strlen(json_string_value(json_object_get(s, "variant")) ?: "");
		if (n > width)
			width = n;
	}
	fprintf(f, "%-*s %8s %14s %10s %13s %8s\n", (int)width, "variant", "cold s", "warm median s",
		"warm/cold", "cached steps", "builds");
	json_array_foreach(summary, i, s) {
		json_t *ratio = json_object_get(s, "cached_step_ratio");
		json_t *woc = json_object_get(s, "warm_over_cold");
		fprintf(f, "%-*s", (int)width, json_string_value(json_object_get(s, "variant")) ?: "?");
		print_seconds(f, json_object_get(s, "cold_seconds"), 8);
		print_seconds(f, json_object_get(s, "warm_median_seconds"), 14);
		if (json_is_number(woc))
			fprintf(f, " %10.2f", json_number_value(woc));
		else
			fprintf(f, " %10s", "-");
		if (json_is_number(ratio))
			fprintf(f, " %12.0f%%", 100.0 * json_number_value(ratio));
		else
			fprintf(f, " %13s", "-");
		fprintf(f, " %4lld/%-3lld\n", (long long)json_integer_value(json_object_get(s, "ok")),
			(long long)json_integer_value(json_object_get(s, "builds")));
	}
	{
		struct contention c;
		contention_of(&c, json_object_get(run, "builds"), NULL);
		contention_warning(f, &c, "the builds", "");
	}
	print_engines(f, run);
	print_versions(f, run);
	print_not_ok(f, run);
}
