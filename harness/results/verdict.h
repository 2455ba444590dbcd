/*
 * verdict.h: which variant to pick, in minutes and money (issue 21). A run's
 * builds are grouped by kind (first build, code-only, dependency change,
 * Dockerfile change: build_kind_of, from the files a commit changes); each
 * kind's median per variant is weighed by the repository's own mix of kinds
 * (its first-parent history, or [verdict] mix) into an expected time per
 * push; that, at the repository's push rate and a price per minute, gives CI
 * minutes and dollars per month. The pick is the fastest variant per push
 * when the gate's rule (stats_decide, the 5% threshold of bench compare)
 * tells its warm builds from the runner-up's; else "too close to call".
 *
 * Everything is computed from run.json alone (verdict_compute), so bench
 * report gives old runs a verdict too; bench run writes it as run["verdict"].
 */
#ifndef BENCH_VERDICT_H
#define BENCH_VERDICT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scenario/scenario.h" /* enum build_kind, build_kind_names, scenario_mix_parse */

/* GitHub's published per-minute rate of its standard Linux 2-core runner. */
#define VERDICT_PRICE_PER_MINUTE 0.008
/* Its source, as the reports name it (the page links nowhere, so no
 * address; docs/verdict.md gives it). */
#define VERDICT_PRICE_SOURCE "GitHub Actions billing, Linux 2-core, $0.008 a minute " \
	"(docs.github.com, \"About billing for GitHub Actions\")"
#define VERDICT_DAYS_PER_MONTH 30.0

/* "first build", "code-only", "dependency change", "Dockerfile change". */
const char *build_kind_title(enum build_kind k);
/* The kind of name ("first", "code", "deps", "dockerfile"); -1 when unknown. */
int build_kind_parse(const char *name);

/* Is path a dependency manifest or lock file (requirements*.txt,
 * package*.json, go.mod, Cargo.lock, ..., or one of more[0..nmore), base
 * names or paths: [verdict] manifests)? A Dockerfile or .dockerignore? */
bool build_kind_is_manifest(const char *path, char *const *more, size_t nmore);
bool build_kind_is_dockerfile(const char *path);
/* The kind of a commit that changes files[0..n) (never BUILD_FIRST): a
 * Dockerfile change over a dependency change over code-only. */
enum build_kind build_kind_of(char *const *files, size_t n, char *const *more, size_t nmore);
/* The kind of a build record: its "kind" when it has one; else BUILD_FIRST
 * for its series' cold build, else by its "changed_since_previous" files
 * (what its cache saw change), or "changed" in runs recorded before that
 * field; more: [verdict] manifests as a JSON array (or NULL). */
enum build_kind build_kind_of_record(json_t *build, json_t *more);

/* The kinds of a first-parent history, counted commit by commit. */
struct verdict_history {
	size_t commits;           /* commits read (the root commit included) */
	size_t kinds[BUILD_KINDS];/* per kind; the root commit counts as BUILD_FIRST */
	long long oldest, newest; /* committer times, seconds since the epoch */
};
/* Count one commit that changes files[0..n) at time; root: it has no parent. */
void verdict_history_add(struct verdict_history *h, char *const *files, size_t n, long long time,
			 bool root, char *const *more, size_t nmore);
/* run.json's "history": {source, commits, oldest, newest, days,
 * pushes_per_day, kinds: {first, code, deps, dockerfile}}. New reference. */
json_t *verdict_history_json(const struct verdict_history *h, const char *source);

/*
 * The verdict of run (as results_load gives it): {kinds: [{kind, title,
 * weight, variants: {NAME: {n, median}}}], mix: {KIND: weight}, mix_source,
 * unmeasured: [KIND], pushes_per_day, pushes_source, price_per_minute,
 * price_source, variants: [{variant, per_push_seconds, minutes_per_month,
 * cost_per_month}] fastest first, pick (a name or null), too_close, reason,
 * p}. Settings come from run["scenario"]["verdict"], the history from
 * run["history"]. New reference; NULL when no variant has an ok build.
 */
json_t *verdict_compute(json_t *run);
/* run["verdict"] when it has one, else verdict_compute(run). New reference or NULL. */
json_t *verdict_of(json_t *run);

/* The verdict as text (the end of bench run, bench report --format text) or
 * Markdown: the pick, a table per variant, the kinds' medians, and where
 * each number comes from. */
void verdict_write(FILE *f, json_t *verdict, bool markdown);

#endif
