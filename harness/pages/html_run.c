/*
 * html_run.c: the page of one results folder (bench report --format html and
 * the index.html bench run leaves): the sections of html.h's "sections of a
 * results folder" made from run.json (as results_load gives it) and the
 * charts in plots/, and the page they make. The sections read from the other
 * files of the folder (gate.json, blog-comparison.json) are html_files.c's.
 */
#include "pages/html.h"
#include "lib/error.h"
#include "pages/plot.h"
#include "results/results.h"
#include "results/contention.h"
#include "results/versions.h"
#include "lib/jsonx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH "\xE2\x80\x93"

static bool ok_build(json_t *b)
{
	return !strcmp(json_str(b, "status"), "ok");
}

/* ---- header ---- */

/* The engine versions for the header: "docker 28.5.2, buildx 0.29.1,
 * containerd 2.1.9, BuildKit v0.25.1" (several engines: each one's, named,
 * "; "-separated), or "docker (not recorded)". Caller frees. */
static char *engine_versions(json_t *run)
{
	json_t *versions = versions_of_run(run), *v;
	size_t i, n = json_array_size(versions);
	struct strbuf sb = {0};

	json_array_foreach(versions, i, v) {
		char *text = versions_text(v);
		if (*text)
			strbuf_printf(&sb, "%s%s%s%s", sb.len ? "; " : "", n > 1 ? json_str(v, "name") : "",
				      n > 1 ? ": " : "", text);
		free(text);
	}
	json_decref(versions);
	return sb.buf ? strbuf_detach(&sb) : xstrdup("docker (not recorded)");
}

void html_run_header(struct html_page *p, json_t *run, const char *dir)
{
	json_t *gate = dir ? html_folder_json(dir, "gate.json") : NULL;
	json_t *builds = json_object_get(run, "builds"), *b, *scenario = json_object_get(run, "scenario");
	json_t *env = json_object_get(run, "environment");
	size_t i, ok = 0, n = json_array_size(builds);
	struct strbuf line = {0};
	char ram[32];

	json_array_foreach(builds, i, b)
		ok += ok_build(b);
	if (*json_str(run, "started"))
		strbuf_printf(&line, "Started %s%s%s. ", json_str(run, "started"),
			      *json_str(run, "ended") ? ", ended " : "", json_str(run, "ended"));
	if (!json_is_object(scenario))
		strbuf_puts(&line, "The scenario is not recorded (no run.json)");
	else
		strbuf_printf(&line, "%zu variant%s \xC3\x97 the commits %s \xC3\x97 %.0f repetition%s",
			      json_array_size(json_object_get(scenario, "variants")),
			      json_array_size(json_object_get(scenario, "variants")) == 1 ? "" : "s",
			      *json_str(scenario, "commits") ? json_str(scenario, "commits") : "(not recorded)",
			      json_num(scenario, "repetitions", 1), json_num(scenario, "repetitions", 1) == 1 ? "" : "s");
	if (json_is_object(env)) {
		char *versions = engine_versions(run);
		html_format_bytes(ram, sizeof(ram), json_num(env, "memory_bytes", NAN));
		strbuf_printf(&line, ", on %s (%.0f CPUs, %s memory, %s, %s).",
			      *json_str(env, "hostname") ? json_str(env, "hostname") : "?",
			      json_num(env, "cpus", NAN), ram, versions,
			      *json_str(env, "kernel") ? json_str(env, "kernel") : "kernel ?");
		free(versions);
	} else {
		strbuf_puts(&line, ".");
	}
	html_raw(p, "<p class=\"sub\">");
	html_text(p, line.buf);
	html_raw(p, "</p>\n<div class=\"badges\">");
	strbuf_reset(&line);
	strbuf_printf(&line, "%zu of %zu builds ok", ok, n);
	html_badge(p, n && ok == n ? "ok" : "fail", line.buf);
	if (!json_is_true(json_object_get(run, "finished")))
		html_badge(p, "warn", "not finished: interrupted or still running");
	if (*json_str(gate, "verdict")) {
		bool failed = !strcmp(json_str(gate, "verdict"), "fail");
		html_raw(p, "<a href=\"#gate\">");
		html_badge(p, failed ? "fail" : "ok", failed ? "gate: FAIL" : "gate: PASS");
		html_raw(p, "</a>");
	}
	html_raw(p, "</div>\n");
	strbuf_release(&line);
	json_decref(gate);
}

/* ---- summary ---- */

static const char *const phases[] = {"cold", "warm"};

void html_run_summary(struct html_page *p, json_t *run)
{
	static const struct html_column cols[] = {
		{"variant", false}, {"ok builds", true}, {"cold (s)", true}, {"warm median (s)", true},
		{"warm/cold (ratio)", true}, {"cached steps, warm (%)", true},
	};
	static const struct html_column stat_cols[] = {
		{"variant", false}, {"phase", false}, {"n (builds)", true}, {"median (s)", true},
		{"mean (s)", true}, {"stddev (s)", true}, {"min (s)", true}, {"max (s)", true},
		{"outliers (builds)", true},
	};
	static const char *const keys[] = {"median", "mean", "stddev", "min", "max"};
	json_t *builds = json_object_get(run, "builds");
	json_t *summary = results_summary(json_is_array(builds) ? builds : NULL), *s;
	size_t i, k, ph;
	char buf[64];

	html_section_begin(p, "summary", "Summary");
	html_para(p, "", "Times are the wall seconds of ok builds. Cold is the first build of a series "
		  "(empty cache, fresh runner); warm are the later ones. Cached steps counts the "
		  "Dockerfile steps BuildKit reused on the warm builds.");
	html_table_begin(p, "summary-table", "Per variant", cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(summary, i, s) {
		const char *v = json_str(s, "variant");
		double okn = json_num(s, "ok", 0), total = json_num(s, "builds", 0);
		html_row_begin(p, okn < total ? "warn" : NULL);
		html_cell_variant(p, v, plot_variant_color(run, v));
		snprintf(buf, sizeof(buf), "%.0f/%.0f builds", okn, total);
		html_cell_number(p, okn, buf);
		html_cell_seconds(p, json_num(s, "cold_seconds", NAN));
		html_cell_seconds(p, json_num(s, "warm_median_seconds", NAN));
		html_cell_ratio(p, json_num(s, "warm_over_cold", NAN));
		html_cell_percent(p, json_num(s, "cached_step_ratio", NAN));
		html_row_end(p);
	}
	html_table_end(p);

	html_raw(p, "<h3>Statistics</h3>\n");
	html_table_begin(p, "statistics", "Per variant and phase, over the ok builds", stat_cols,
			 sizeof(stat_cols) / sizeof(stat_cols[0]));
	json_array_foreach(summary, i, s) {
		for (ph = 0; ph < 2; ph++) {
			json_t *st = json_object_get(s, phases[ph]);
			double outliers = json_num(st, "outliers", NAN);
			if (!(json_num(st, "n", 0) > 0))
				continue;
			html_row_begin(p, outliers > 0 ? "warn" : NULL);
			html_cell_variant(p, json_str(s, "variant"), plot_variant_color(run, json_str(s, "variant")));
			html_cell(p, phases[ph]);
			snprintf(buf, sizeof(buf), "%.0f", json_num(st, "n", NAN));
			html_cell_number(p, json_num(st, "n", NAN), buf);
			for (k = 0; k < 5; k++)
				html_cell_seconds(p, json_num(st, keys[k], NAN));
			snprintf(buf, sizeof(buf), "%.0f", outliers);
			html_cell_number(p, outliers, buf);
			html_row_end(p);
		}
	}
	html_table_end(p);
	json_array_foreach(summary, i, s) {
		for (ph = 0; ph < 2; ph++) {
			json_t *st = json_object_get(s, phases[ph]);
			if (!(json_num(st, "outliers", 0) > 0))
				continue;
			char *w = xasprintf("Statistical outliers were detected in the %s builds of '%s' "
					    "(%.0f of %.0f). Consider re-running the benchmark on a quiet "
					    "machine, without other programs competing for CPU, disk or "
					    "network.", phases[ph], json_str(s, "variant"),
					    json_num(st, "outliers", 0), json_num(st, "n", 0));
			html_para(p, "warn", w);
			free(w);
		}
	}
	{
		struct contention c;
		char *w;
		contention_of(&c, json_object_get(run, "builds"), NULL);
		if ((w = contention_warning_text(&c, "The builds"))) {
			html_para(p, "warn", w);
			free(w);
		}
	}
	html_section_end(p);
	json_decref(summary);
}

/* ---- charts ---- */

void html_run_charts(struct html_page *p, const char *dir)
{
	static const struct { const char *name, *caption; } charts[] = {
		{"build_time", "Build time per commit (s), one line per variant; cold builds circled; "
			       "commits that changed dependencies or a Dockerfile shaded and starred."},
		{"cold_warm", "Median cold and warm build per variant (s), with the min\xE2\x80\x93max range."},
		{"steps", "Where the time goes (s): the cold build and a typical warm build of each "
			  "variant, stacked by step group."},
		{"cache_hits", "Cached steps per commit (% of the Dockerfile's steps) per variant."},
	};
	size_t i, drawn = 0, missing = 0;

	html_section_begin(p, "charts", "Charts");
	for (i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		char *rel = xasprintf("plots/%s.svg", charts[i].name), *path = path_join(dir, rel);
		if (!path_exists(path)) {
			missing++; /* the note below says it once */
		} else if (html_chart(p, path, charts[i].caption) < 0) {
			char *msg = xasprintf("%s: %s", rel, bench_error_last());
			html_para(p, "bad", msg);
			free(msg);
		} else {
			drawn++;
		}
		free(rel);
		free(path);
	}
	bench_error_clear();
	if (missing == sizeof(charts) / sizeof(charts[0]))
		html_para(p, "note", "No charts in this folder's plots/: draw them with `bench plot "
			  "RESULTS_DIR` (needs gnuplot), then write this page again.");
	else if (missing)
		html_para(p, "note", "Some charts were not drawn (no data for them).");
	html_section_end(p);
}

/* ---- where the time goes ---- */

void html_run_steps(struct html_page *p, json_t *run)
{
	json_t *builds = json_object_get(run, "builds"), *b;
	struct html_column cols[4 + PLOT_NGROUPS];
	char *names[PLOT_NGROUPS] = {0};
	double total[PLOT_NGROUPS] = {0}, g[PLOT_NGROUPS];
	json_t *variants = json_distinct_strs(builds, "variant"), *v;
	size_t i, k, ph, ncols = 4, used[PLOT_NGROUPS], nused = 0;

	/* the groups any shown build spent time in */
	json_array_foreach(variants, i, v)
		for (ph = 0; ph < 2; ph++)
			if ((b = plot_typical_build(builds, json_string_value(v), phases[ph]))) {
				plot_build_groups(g, b);
				for (k = 0; k < PLOT_NGROUPS; k++)
					total[k] += g[k];
			}
	cols[0] = (struct html_column){"variant", false};
	cols[1] = (struct html_column){"phase", false};
	cols[2] = (struct html_column){"commit", false};
	cols[3] = (struct html_column){"wall (s)", true};
	for (k = 0; k < PLOT_NGROUPS; k++)
		if (total[k] > 0) {
			names[nused] = xasprintf("%s (s)", plot_step_groups[k]);
			cols[ncols++] = (struct html_column){names[nused], true};
			used[nused++] = k;
		}

	html_section_begin(p, "steps", "Where the time goes");
	html_para(p, "", "The cold build and the warm build closest to the warm median of each variant, "
		  "split into step groups as the steps chart stacks them (BuildKit runs stages in "
		  "parallel: the steps are scaled to the build's time). The groups:");
	html_raw(p, "<p class=\"legend\">");
	for (i = 0; i < nused; i++) {
		html_raw(p, "<span>");
		html_swatch(p, plot_group_color(used[i]));
		html_textf(p, "%s: %s", plot_step_groups[used[i]], plot_group_legend(used[i]));
		html_raw(p, "</span>");
	}
	html_raw(p, "</p>\n");
	html_table_begin(p, "steps-table", "Seconds per step group", cols, ncols);
	json_array_foreach(variants, i, v) {
		const char *name = json_string_value(v);
		for (ph = 0; ph < 2; ph++) {
			if (!(b = plot_typical_build(builds, name, phases[ph])))
				continue;
			plot_build_groups(g, b);
			html_row_begin(p, NULL);
			html_cell_variant(p, name, plot_variant_color(run, name));
			html_cell(p, phases[ph]);
			html_cell_code(p, json_str(b, "short"), json_str(b, "commit"));
			html_cell_seconds(p, json_num(b, "wall_seconds", NAN));
			for (k = 0; k < nused; k++)
				html_cell_seconds(p, g[used[k]]);
			html_row_end(p);
		}
	}
	html_table_end(p);
	html_section_end(p);
	for (k = 0; k < nused; k++)
		free(names[k]);
	json_decref(variants);
}

/* ---- builds ---- */

/* The GitHub cache service's counters of a build (bench run's "gha"),
 * sorted by the hit ratio of its lookups. */
static void cell_gha(struct html_page *p, json_t *g)
{
	double hits = json_num(g, "hits", NAN), misses = json_num(g, "misses", NAN);
	char text[160];

	if (!json_is_object(g)) {
		html_cell_number(p, NAN, DASH);
		return;
	}
	snprintf(text, sizeof(text), "%.0f/%.0f, %.1f MB down, %.1f MB up, %.0f evicted", hits, hits + misses,
		 json_num(g, "bytes_down", 0) / 1e6, json_num(g, "bytes_up", 0) / 1e6, json_num(g, "evictions", 0));
	html_cell_number(p, hits + misses > 0 ? hits / (hits + misses) : NAN, text);
}

void html_run_builds(struct html_page *p, json_t *run)
{
	enum { C_RESTORE, C_PUSH, C_SERVED, C_GHA, NEXTRA };
	static const char *const extra_keys[NEXTRA] = {"cache_restore_seconds", "push_seconds", "served_bytes",
						       "gha"};
	static const struct html_column base[] = {
		{"variant", false}, {"rep", true}, {"#", true}, {"commit", false}, {"subject", false},
		{"phase", false}, {"status", false}, {"wall (s)", true}, {"cached steps", true},
		{"image (MB)", true}, {"cache (MB)", true},
	};
	static const struct html_column extra_cols[NEXTRA] = {
		{"cache restore + save (s)", true}, {"push (s)", true}, {"served (MB)", true},
		{"GitHub cache: hits, down, up, evicted", true},
	};
	static const struct html_column tail[] = {{"engine", false}, {"log", false}, {"reason", false}};
	struct html_column cols[sizeof(base) / sizeof(base[0]) + NEXTRA + 3];
	size_t ncols = 0, i, k;
	bool extra[NEXTRA] = {false};
	json_t *builds = json_object_get(run, "builds"), *b, *engines = results_engines(run);
	bool several = json_array_size(engines) > 1; /* an engine column */
	char buf[64];

	json_array_foreach(builds, i, b) {
		for (k = 0; k < NEXTRA; k++)
			extra[k] |= json_is_number(json_object_get(b, extra_keys[k])) ||
				    json_is_object(json_object_get(b, extra_keys[k]));
		extra[C_RESTORE] |= json_is_number(json_object_get(b, "cache_mounts_restore_seconds"));
	}
	for (k = 0; k < sizeof(base) / sizeof(base[0]); k++)
		cols[ncols++] = base[k];
	for (k = 0; k < NEXTRA; k++)
		if (extra[k])
			cols[ncols++] = extra_cols[k];
	if (several)
		cols[ncols++] = tail[0];
	cols[ncols++] = tail[1];
	cols[ncols++] = tail[2];
	json_decref(engines);

	html_section_begin(p, "builds", "Builds");
	html_para(p, "", "Every build in the order it ran. Wall time is the whole build as CI sees it "
		  "(with the emulated world: cache restore, build, push, cache save). The log is "
		  "docker's full output.");
	html_table_begin(p, "builds-table", NULL, cols, ncols);
	json_array_foreach(builds, i, b) {
		const char *reason = json_str(b, "reason"), *log = json_str(b, "log");
		double cached = json_num(b, "steps_cached", NAN), total = json_num(b, "steps_total", NAN);
		size_t first = strcspn(reason, "\n");
		html_row_begin(p, ok_build(b) ? NULL : "bad");
		html_cell_variant(p, json_str(b, "variant"), plot_variant_color(run, json_str(b, "variant")));
		snprintf(buf, sizeof(buf), "%.0f", json_num(b, "repetition", NAN));
		html_cell_number(p, json_num(b, "repetition", NAN), buf);
		snprintf(buf, sizeof(buf), "%.0f", json_num(b, "index", NAN));
		html_cell_number(p, json_num(b, "index", NAN), buf);
		html_cell_code(p, *json_str(b, "short") ? json_str(b, "short") : json_str(b, "commit"),
			       json_str(b, "commit"));
		html_cell_wrap(p, json_str(b, "subject"));
		html_cell(p, json_str(b, "phase"));
		html_cell_status(p, json_str(b, "status"));
		html_cell_seconds(p, ok_build(b) ? json_num(b, "wall_seconds", NAN) : NAN);
		snprintf(buf, sizeof(buf), "%.0f/%.0f steps", cached, total);
		html_cell_number(p, isfinite(total) && total > 0 ? cached / total : NAN,
				 isfinite(total) ? buf : DASH);
		html_cell_bytes(p, json_num(b, "image_bytes", 0) > 0 ? json_num(b, "image_bytes", NAN) : NAN);
		html_cell_bytes(p, json_num(b, "cache_bytes", 0) > 0 ? json_num(b, "cache_bytes", NAN) : NAN);
		if (extra[C_RESTORE])
			html_cell_seconds(p, json_num(b, "cache_restore_seconds", 0) +
					     json_num(b, "cache_save_seconds", 0) +
					     json_num(b, "cache_mounts_restore_seconds", 0) +
					     json_num(b, "cache_mounts_save_seconds", 0));
		if (extra[C_PUSH])
			html_cell_seconds(p, json_num(b, "push_seconds", NAN));
		if (extra[C_SERVED])
			html_cell_bytes(p, json_num(b, "served_bytes", NAN));
		if (extra[C_GHA])
			cell_gha(p, json_object_get(b, "gha"));
		if (several)
			html_cell(p, *json_str(b, "engine") ? json_str(b, "engine") : "default");
		html_cell_file_link(p, log, "log");
		html_raw(p, "<td class=\"wrap\">");
		if (!*reason) {
			html_text(p, "");
		} else if (!reason[first]) {
			html_text(p, reason);
		} else {
			char *line = xstrndup(reason, first);
			html_raw(p, "<details><summary>");
			html_text(p, line);
			html_raw(p, "</summary>");
			html_pre(p, reason);
			html_raw(p, "</details>");
			free(line);
		}
		html_raw(p, "</td>");
		html_row_end(p);
	}
	html_table_end(p);
	html_section_end(p);
}

/* ---- scenario and machine ---- */

/* A JSON value as text, with the unit its key implies. */
static void value_text(struct strbuf *sb, const char *key, json_t *v)
{
	char buf[64];
	size_t klen = strlen(key), i;
	const char *k;
	json_t *x;

	if (json_is_string(v)) {
		strbuf_puts(sb, json_string_value(v));
	} else if (json_is_boolean(v)) {
		strbuf_puts(sb, json_is_true(v) ? "yes" : "no");
	} else if (json_is_number(v)) {
		double d = json_number_value(v);
		if (!strcmp(key, "timeout") || !strcmp(key, "latency")) {
			html_format_seconds(buf, sizeof(buf), d);
			strbuf_puts(sb, buf);
		} else if (klen >= 9 && !strcmp(key + klen - 9, "bandwidth")) {
			html_format_bytes(buf, sizeof(buf), d);
			strbuf_printf(sb, "%s/s", buf);
		} else if (klen >= 5 && !strcmp(key + klen - 5, "bytes")) {
			html_format_bytes(buf, sizeof(buf), d);
			strbuf_puts(sb, buf);
		} else {
			strbuf_printf(sb, "%g", d);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			strbuf_puts(sb, i ? ", " : "");
			value_text(sb, key, x);
		}
	} else if (json_is_object(v)) {
		i = 0;
		json_object_foreach(v, k, x) {
			if (json_is_null(x))
				continue;
			strbuf_printf(sb, "%s%s = ", i++ ? "; " : "", k);
			value_text(sb, k, x);
		}
	}
}

static void facts_of(struct html_page *p, json_t *o, const char *const *skip)
{
	const char *key, *const *s;
	struct strbuf sb = {0};
	json_t *v;

	html_facts_begin(p);
	json_object_foreach(o, key, v) {
		for (s = skip; *s && strcmp(*s, key); s++)
			;
		if (*s)
			continue;
		strbuf_reset(&sb);
		value_text(&sb, key, v);
		html_fact(p, key, sb.buf);
	}
	html_facts_end(p);
	strbuf_release(&sb);
}

/* A table of the objects of arr (a column per key any of them has); a
 * "name" column in the variants' colours when variant_names. */
static void object_table(struct html_page *p, json_t *run, const char *id, json_t *arr, bool variant_names)
{
	struct strvec keys = {0};
	struct html_column *cols;
	struct strbuf sb = {0};
	const char *key;
	json_t *v, *x;
	size_t i, k;

	json_array_foreach(arr, i, v)
		json_object_foreach(v, key, x) {
			for (k = 0; k < keys.n && strcmp(keys.v[k], key); k++)
				;
			if (k == keys.n)
				strvec_push(&keys, key);
		}
	if (keys.n) {
		cols = xcalloc(keys.n, sizeof(*cols));
		for (k = 0; k < keys.n; k++)
			cols[k] = (struct html_column){keys.v[k], false};
		html_table_begin(p, id, NULL, cols, keys.n);
		json_array_foreach(arr, i, v) {
			html_row_begin(p, NULL);
			for (k = 0; k < keys.n; k++) {
				x = json_object_get(v, keys.v[k]);
				strbuf_reset(&sb);
				value_text(&sb, keys.v[k], x);
				if (variant_names && !strcmp(keys.v[k], "name"))
					html_cell_variant(p, sb.buf ? sb.buf : "", plot_variant_color(run, sb.buf ? sb.buf : ""));
				else
					html_cell(p, sb.buf);
			}
			html_row_end(p);
		}
		html_table_end(p);
		free(cols);
	}
	strvec_release(&keys);
	strbuf_release(&sb);
}

void html_run_scenario(struct html_page *p, json_t *run)
{
	static const char *const skip[] = {"variants", NULL}, *const env_skip[] = {"engines", NULL};
	json_t *scenario = json_object_get(run, "scenario"), *variants = json_object_get(scenario, "variants");
	json_t *env = json_object_get(run, "environment"), *engines = json_object_get(env, "engines");

	html_section_begin(p, "scenario", "Scenario and machine");
	html_raw(p, "<h3>Scenario</h3>\n");
	if (json_is_object(scenario))
		facts_of(p, scenario, skip);
	else
		html_para(p, "note", "The scenario is not recorded (no run.json).");
	if (json_array_size(variants)) {
		html_raw(p, "<h3>Variants</h3>\n");
		object_table(p, run, "variants", variants, true);
	}
	html_raw(p, "<h3>Machine</h3>\n");
	if (json_is_object(env))
		facts_of(p, env, env_skip);
	else
		html_para(p, "note", "The machine is not recorded (no run.json).");
	if (json_array_size(engines) > 1) {
		html_raw(p, "<h3>Engines</h3>\n");
		object_table(p, run, "engines", engines, false);
	}
	if (*json_str(run, "bench_version"))
		html_para(p, "", json_str(run, "bench_version"));
	html_section_end(p);
}

/* ---- the page ---- */

char *html_run_page(json_t *run, const char *dir, const char *link_base)
{
	struct html_page p;
	const char *name = json_str(json_object_get(run, "scenario"), "name");
	char *title = xasprintf("bench: %s", *name ? name : "(scenario not recorded)");

	html_page_begin(&p, title, link_base);
	html_run_header(&p, run, dir);
	html_run_verdict(&p, run);
	html_run_summary(&p, run);
	html_run_charts(&p, dir);
	html_run_gate(&p, run, dir);
	html_run_steps(&p, run);
	html_run_blog(&p, dir);
	html_run_builds(&p, run);
	html_run_scenario(&p, run);
	html_page_end(&p);
	free(title);
	{
		char *doc = strbuf_detach(&p.out);
		html_page_release(&p);
		return doc;
	}
}

/* The components of an absolute path. */
static void split_path(struct strvec *out, const char *path)
{
	while (*path) {
		size_t n = strcspn(path, "/");
		if (n) {
			char *c = xstrndup(path, n);
			strvec_push(out, c);
			free(c);
		}
		path += n + (path[n] == '/');
	}
}

/* The relative path from folder `from` to folder `to` (both absolute and
 * normalised), with a trailing "/" unless it is "". Caller frees. */
static char *relative_dir(const char *from, const char *to)
{
	struct strvec a = {0}, b = {0};
	struct strbuf sb = {0};
	size_t i = 0, k;

	split_path(&a, from);
	split_path(&b, to);
	while (i < a.n && i < b.n && !strcmp(a.v[i], b.v[i]))
		i++;
	for (k = i; k < a.n; k++)
		strbuf_puts(&sb, "../");
	for (k = i; k < b.n; k++)
		strbuf_printf(&sb, "%s/", b.v[k]);
	strvec_release(&a);
	strvec_release(&b);
	return strbuf_detach(&sb);
}

char *html_link_base(const char *dir, const char *path)
{
	char *abs_dir, *abs_file, *file_dir, *link;

	if (!path || !strcmp(path, "-"))
		return NULL;
	abs_dir = path_absolute(dir);
	abs_file = path_absolute(path);
	file_dir = path_dirname(abs_file);
	link = relative_dir(file_dir, abs_dir);
	free(abs_dir);
	free(abs_file);
	free(file_dir);
	return link;
}

int html_run_write(const char *dir, const char *path)
{
	json_t *run = NULL;
	char *doc = NULL, *target = NULL, *link = NULL;
	int error;

	if ((error = results_load(&run, NULL, dir)) < 0)
		return error;
	link = html_link_base(dir, path);
	doc = html_run_page(run, dir, link);
	if (path && !strcmp(path, "-")) {
		if (fputs(doc, stdout) == EOF || fflush(stdout) == EOF)
			error = bench_error_errno(BENCH_EIO, "cannot write the page");
	} else {
		target = path ? xstrdup(path) : path_join(dir, "index.html");
		error = write_file_atomic(target, doc, strlen(doc));
	}
	free(doc);
	free(target);
	free(link);
	json_decref(run);
	return error;
}
