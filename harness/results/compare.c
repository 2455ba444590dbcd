/*
 * compare.c: `bench compare`: two runs variant by variant, with a verdict
 * per variant by the decision rule the gate uses (stats_decide): better or
 * worse only beyond both the threshold and the noise, inconclusive when the
 * builds are too few for the test to reach significance at all.
 */
#include "results/report.h"
#include "results/comparable.h"
#include "lib/error.h"
#include "results/results.h"
#include "results/stats.h"
#include "lib/util.h"
#include "lib/jsonx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *compare_verdict_name(enum compare_verdict v)
{
	switch (v) {
	case COMPARE_SAME:
		return "no significant change";
	case COMPARE_BETTER:
		return "better";
	case COMPARE_WORSE:
		return "worse";
	case COMPARE_INCONCLUSIVE:
		return "inconclusive";
	default:
		return "not comparable";
	}
}

void compare_samples(struct compare_result *out, const double *a, size_t na,
		     const double *b, size_t nb, double threshold)
{
	struct stats_decision d;

	memset(out, 0, sizeof(*out));
	out->ratio = NAN;
	out->p = NAN;
	if (!na || !nb) {
		out->verdict = COMPARE_NONE;
		snprintf(out->rule, sizeof(out->rule), "no ok build in %s",
			 !na && !nb ? "either run" : !na ? "A" : "B");
		return;
	}
	stats_decide(&d, a, na, b, nb, threshold, false);
	if (d.base_median > 0)
		out->ratio = d.now_median / d.base_median;
	out->p = d.p;
	switch (d.change) {
	case STATS_WORSE: out->verdict = COMPARE_WORSE; break;
	case STATS_BETTER: out->verdict = COMPARE_BETTER; break;
	case STATS_INCONCLUSIVE: out->verdict = COMPARE_INCONCLUSIVE; break;
	case STATS_NO_CHANGE: out->verdict = COMPARE_SAME; break;
	}
	snprintf(out->rule, sizeof(out->rule), "%s", d.reason);
}

/* The rule, printed under the table. */
static const char compare_rule[] =
	"B is better or worse only when its median lies beyond A's shrunk or grown by the "
	"threshold and a two-sided Mann-Whitney U test (p < 0.05) tells B's builds from A's "
	"shifted by the threshold (the rule of bench gate); when the numbers of builds cannot "
	"reach p < 0.05 at all (3 against 3 or 4), inconclusive.";

/* The wall seconds of variant's ok builds in phase. *n gets the count. */
static double *samples(size_t *n, json_t *run, const char *variant, const char *phase)
{
	json_t *builds = json_object_get(run, "builds"), *b;
	double *v = xmalloc((json_array_size(builds) + 1) * sizeof(double));
	size_t i;

	*n = 0;
	json_array_foreach(builds, i, b) {
		json_t *w = json_object_get(b, "wall_seconds");
		if (!strcmp(json_str(b, "variant"), variant) && !strcmp(json_str(b, "phase"), phase) &&
		    !strcmp(json_str(b, "status"), "ok") && json_is_number(w))
			v[(*n)++] = json_number_value(w);
	}
	return v;
}

/* The variants of run in the order they first appear in its builds. */
static void variants_of(struct strvec *out, json_t *run)
{
	json_t *b;
	size_t i, k;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		const char *v = json_str(b, "variant");
		for (k = 0; k < out->n && strcmp(out->v[k], v); k++)
			;
		if (k == out->n)
			strvec_push(out, v);
	}
}

static bool has(const struct strvec *sv, const char *s)
{
	size_t k;
	for (k = 0; k < sv->n; k++)
		if (!strcmp(sv->v[k], s))
			return true;
	return false;
}

/* "12.3" or "–" into buf. */
static const char *fmt_s(char *buf, size_t size, const struct stats *st, double v)
{
	if (st->n)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "-");
	return buf;
}

static const char *fmt_range(char *buf, size_t size, const struct stats *st)
{
	if (st->n)
		snprintf(buf, size, "%.1f-%.1f sd %.1f", st->min, st->max, st->stddev);
	else
		snprintf(buf, size, "-");
	return buf;
}

static const char *run_label(char *buf, size_t size, json_t *run)
{
	const char *name = json_str(json_object_get(run, "scenario"), "name");
	const char *started = json_str(run, "started");
	snprintf(buf, size, "%s%s%s", *name ? name : "(scenario not recorded)",
		 *started ? ", started " : "", started);
	return buf;
}

/* Notes on the engines behind the two runs, where they differ: runs from
 * other engines compare other machines (or daemons), and a run spread over
 * several engines mixes them (each series stays on one). */
static void engine_notes(FILE *f, json_t *a, json_t *b, bool markdown)
{
	json_t *ea = results_engines(a), *eb = results_engines(b);
	char *na = results_engines_names(ea), *nb = results_engines_names(eb);
	const char *lead = markdown ? "> **Note:** " : "note: ";

	if (!results_engines_same(ea, eb))
		fprintf(f, "%sA was built on %s %s, B on %s %s: other engines, so the times compare other "
			"machines or daemons as well\n", lead, json_array_size(ea) == 1 ? "engine" : "engines", na,
			json_array_size(eb) == 1 ? "engine" : "engines", nb);
	else if (json_array_size(ea) > 1)
		fprintf(f, "%sboth runs were spread over engines %s (each series on one engine)\n", lead, na);
	if (!results_engines_same(ea, eb) || json_array_size(ea) > 1)
		fputs("\n", f);
	free(na);
	free(nb);
	json_decref(ea);
	json_decref(eb);
}

/* What makes A and B measure different things (comparable.h), before
 * anything else: a ratio of runs at two scales, or of other commits, says
 * little about the variants. */
static void differences(FILE *f, json_t *a, json_t *b, bool markdown)
{
	json_t *fa = comparable_facts(a), *fb = comparable_facts(b);
	struct strvec names = {0}, lines = {0};
	size_t i;

	comparable_diff(&names, &lines, fa, fb, "A", "B");
	if (lines.n) {
		fputs(markdown ? "> **Not comparable as they stand:** the runs differ in\n>\n" :
			"not comparable as they stand: the runs differ in\n", f);
		for (i = 0; i < lines.n; i++)
			fprintf(f, markdown ? "> - %s\n" : "  %s\n", lines.v[i]);
		fputs("\n", f);
	}
	strvec_release(&names);
	strvec_release(&lines);
	json_decref(fa);
	json_decref(fb);
}

int compare_write(FILE *f, json_t *a, json_t *b, bool markdown, double threshold)
{
	struct strvec va = {0}, vb = {0};
	char l1[160], l2[160];
	size_t k, only = 0;
	int error = 0;
	bool any = false;

	variants_of(&va, a);
	variants_of(&vb, b);
	if (markdown)
		fputs("## bench compare\n\n", f);
	differences(f, a, b, markdown);
	if (markdown) {
		fprintf(f, "- A: %s\n- B: %s\n- threshold: %g%%\n\n",
			run_label(l1, sizeof(l1), a), run_label(l2, sizeof(l2), b), threshold * 100);
		engine_notes(f, a, b, markdown);
		fputs("| variant | cold A (s) | cold B (s) | warm A (s) | warm B (s) | warm B/A | "
			"warm A min-max, sd | warm B min-max, sd | verdict | rule |\n"
			"|:--|--:|--:|--:|--:|--:|--:|--:|:--|:--|\n", f);
	} else {
		fprintf(f, "A: %s\nB: %s\nthreshold: %g%%\n\n", run_label(l1, sizeof(l1), a),
			run_label(l2, sizeof(l2), b), threshold * 100);
		engine_notes(f, a, b, markdown);
		fprintf(f, "%-18s %9s %9s %9s %9s %8s  %-22s %-22s %s\n",
			"variant",
			"cold A s", "cold B s", "warm A s", "warm B s", "B/A",
			"warm A min-max, sd", "warm B min-max, sd", "verdict (rule)");
	}
	for (k = 0; k < va.n; k++) {
		const char *v = va.v[k], *phase = "warm";
		size_t nca, ncb, nwa, nwb;
		double *ca, *cb, *wa, *wb;
		struct stats sca, scb, swa, swb;
		struct compare_result r;
		char c1[32], c2[32], w1[32], w2[32], ratio[32], r1[48], r2[48];

		if (!has(&vb, v))
			continue;
		any = true;
		ca = samples(&nca, a, v, "cold");
		cb = samples(&ncb, b, v, "cold");
		wa = samples(&nwa, a, v, "warm");
		wb = samples(&nwb, b, v, "warm");
		stats_compute(&sca, ca, nca);
		stats_compute(&scb, cb, ncb);
		stats_compute(&swa, wa, nwa);
		stats_compute(&swb, wb, nwb);
		if (nwa && nwb) {
			compare_samples(&r, wa, nwa, wb, nwb, threshold);
		} else {
			phase = "cold";
			compare_samples(&r, ca, nca, cb, ncb, threshold);
		}
		if (isfinite(r.ratio))
			snprintf(ratio, sizeof(ratio), "%.2fx", r.ratio);
		else
			snprintf(ratio, sizeof(ratio), "-");
		fmt_s(c1, sizeof(c1), &sca, sca.median);
		fmt_s(c2, sizeof(c2), &scb, scb.median);
		fmt_s(w1, sizeof(w1), &swa, swa.median);
		fmt_s(w2, sizeof(w2), &swb, swb.median);
		fmt_range(r1, sizeof(r1), &swa);
		fmt_range(r2, sizeof(r2), &swb);
		if (markdown)
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | **%s** | %s%s |\n", v, c1,
				c2, w1, w2, ratio, r1, r2, compare_verdict_name(r.verdict), r.rule,
				strcmp(phase, "warm") ? ", on cold builds" : "");
		else
			fprintf(f, "%-18s %9s %9s %9s %9s %8s  %-22s %-22s %s (%s%s)\n", v, c1, c2, w1,
				w2, ratio, r1, r2, compare_verdict_name(r.verdict), r.rule,
				strcmp(phase, "warm") ? ", on cold builds" : "");
		free(ca);
		free(cb);
		free(wa);
		free(wb);
	}
	if (!any)
		fputs(markdown ? "\nNo variant is in both runs.\n" : "\nno variant is in both runs\n", f);
	else
		fprintf(f, "%s%s\n", markdown ? "\n" : "\nrule: ", compare_rule);
	for (k = 0; k < va.n + vb.n; k++) {
		bool in_a = k < va.n;
		const char *v = in_a ? va.v[k] : vb.v[k - va.n];
		if (has(in_a ? &vb : &va, v))
			continue;
		if (!only++)
			fputs("\n", f);
		fprintf(f, "%sonly in %s: %s\n", markdown ? "- " : "", in_a ? "A" : "B", v);
	}
	if (fflush(f) == EOF || ferror(f))
		error = bench_error_errno(BENCH_EIO, "cannot write the comparison");
	strvec_release(&va);
	strvec_release(&vb);
	return error;
}
