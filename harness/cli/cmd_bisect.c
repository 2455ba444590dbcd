/*
 * cmd_bisect.c: `bench bisect SCENARIO --variant NAME [options]`: which
 * commit of a range broke the build cache. The flags, then a planned run
 * (run.h) whose plan is the bisection (bisect.h): each probe is a series of
 * two builds (the commit's parent cold, the commit warm) recorded in the
 * results folder under its probe number, so journal, resume and Ctrl-C are
 * bench run's. bisect.json is rewritten before every probe; the verdict is
 * printed at the end and the folder gets its index.html.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/bisect.h"
#include "results/bisect_report.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "results/gate.h"
#include "pages/html.h"
#include "lib/jsonx.h"
#include "lib/proc.h"
#include "repo/replay.h"
#include "results/results.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "lib/util.h"

static void bisect_usage(FILE *f)
{
	help_print(f, "bisect");
}

/* The plan: the bisection, and its record in the results folder. */
struct bisect_plan {
	struct bisect_config cfg; /* cfg.variant is `variant` */
	char *variant;
	char *commits;            /* the range as given */
	struct bisect_result res; /* the last step */
	char *series;             /* "PARENT COMMIT" of the probe asked for */
	json_t *record;           /* bisect.json */
	bool checked, done;
};

/* The good end must have a parent to build before it. */
static int check_good_end(const struct run_view *view)
{
	struct replay *r = NULL;
	struct commit_info *c = NULL;
	size_t n = 0;
	char *spec;
	int error;

	if (!view->count || !view->commits[0].parent[0])
		return 0; /* bisect_step says why */
	spec = xasprintf("%s~1", view->commits[0].parent);
	if ((error = replay_open(&r, view->repo)) == 0 && replay_resolve(&c, &n, r, spec) < 0)
		error = bench_error_set(BENCH_EINVALID, "the good end %.7s (the commit before the range) "
					"is a root commit: it has no parent to build before it; start the "
					"range one commit later", view->commits[0].parent);
	commit_info_array_free(c, n);
	replay_free(r);
	free(spec);
	return error;
}

/* The culprit's Dockerfile text (NULL when it cannot be read) and its name. */
static char *culprit_dockerfile(const char **name, const struct run_view *view, const char *variant,
				const char *id)
{
	const struct scenario *sc = view->scenario;
	struct replay *r = NULL;
	char *text = NULL;
	size_t i, len;

	*name = "Dockerfile";
	for (i = 0; i < sc->variants_count && strcmp(sc->variants[i].name, variant); i++)
		;
	if (i == sc->variants_count)
		return NULL;
	*name = sc->variants[i].dockerfile;
	if (!sc->variants[i].dockerfile_in_repo)
		read_file(&text, &len, sc->variants[i].dockerfile);
	else if (replay_open(&r, view->repo) == 0)
		replay_read_file(&text, &len, r, id, sc->variants[i].dockerfile);
	replay_free(r);
	bench_error_clear();
	return text;
}

static json_t *commit_json(const char *id, json_t *probe)
{
	return json_pack("{s:s, s:s, s:s}", "commit", id, "short", json_str(probe, "short"),
			 "subject", json_str(probe, "subject"));
}

/* The culprit's part of bisect.json. */
static json_t *culprit_json(struct bisect_plan *p, const struct run_view *view)
{
	const struct commit_info *c = &view->commits[p->res.culprit];
	json_t *o = json_object(), *changed = json_array();
	const char *df_name;
	char *df = culprit_dockerfile(&df_name, view, p->cfg.variant, c->id);
	size_t i;

	for (i = 0; i < c->changed_count; i++)
		json_array_append_new(changed, json_string(c->changed[i]));
	json_object_set_new(o, "commit", json_string(c->id));
	json_object_set_new(o, "short", json_string(c->short_id));
	json_object_set_new(o, "subject", json_string(c->subject ? c->subject : ""));
	json_object_set_new(o, "changed", changed);
	json_object_set_new(o, "probe", json_integer((json_int_t)json_num(p->res.culprit_build, "repetition", 0)));
	json_object_set_new(o, "cached_steps", json_integer((json_int_t)json_num(p->res.culprit_build, "steps_cached", 0)));
	json_object_set_new(o, "steps_total", json_integer((json_int_t)json_num(p->res.culprit_build, "steps_total", 0)));
	json_object_set_new(o, "warm_seconds", json_real(json_num(p->res.culprit_build, "wall_seconds", 0)));
	json_object_set_new(o, "good_cached_steps", json_integer((json_int_t)json_num(p->res.good_build, "steps_cached", 0)));
	json_object_set_new(o, "good_warm_seconds", json_real(json_num(p->res.good_build, "wall_seconds", 0)));
	json_object_set_new(o, "dockerfile", json_string(df_name));
	json_object_set_new(o, "broken_steps", bisect_broken_steps(p->res.good_build, p->res.culprit_build, df));
	free(df);
	return o;
}

/* bisect.json as the last step leaves it. */
static json_t *make_record(struct bisect_plan *p, const struct run_view *view)
{
	json_t *o = json_object(), *probes = p->res.probes;
	const char *good = view->count ? view->commits[0].parent : "";

	json_object_set_new(o, "bench_bisect", json_integer(1));
	json_object_set_new(o, "scenario", json_string(view->scenario->path));
	json_object_set_new(o, "variant", json_string(p->cfg.variant));
	json_object_set_new(o, "metric", json_string(bisect_metric_name(p->cfg.metric)));
	json_object_set_new(o, "threshold", json_real(p->cfg.threshold));
	json_object_set_new(o, "max_samples", json_integer(p->cfg.max_samples));
	json_object_set_new(o, "commits", json_string(p->commits));
	json_object_set_new(o, "range", json_integer((json_int_t)view->count));
	json_object_set_new(o, "good_end", commit_json(good, json_array_get(probes, 0)));
	if (view->count)
		json_object_set_new(o, "bad_end", json_pack("{s:s, s:s, s:s}", "commit", view->commits[view->count - 1].id,
			"short", view->commits[view->count - 1].short_id, "subject",
			view->commits[view->count - 1].subject ? view->commits[view->count - 1].subject : ""));
	json_object_set_new(o, "state", json_string(bisect_verdict_name(p->res.verdict)));
	json_object_set_new(o, "reason", json_string(p->res.reason ? p->res.reason : ""));
	json_object_set_new(o, "probe_count", json_integer(p->res.probe_count));
	json_object_set(o, "probes", probes);
	if (p->res.verdict == BISECT_FOUND)
		json_object_set_new(o, "culprit", culprit_json(p, view));
	return o;
}

static int plan_next(void *ctx, struct run_series *next, const struct run_view *view)
{
	struct bisect_plan *p = ctx;
	char *text, *path;
	size_t k;
	int error;

	if (!p->checked && (error = check_good_end(view)) < 0)
		return error;
	p->checked = true;
	bisect_result_release(&p->res);
	if ((error = bisect_step(&p->res, &p->cfg, view->commits, view->count, view->builds)) < 0)
		return error;
	json_decref(p->record);
	p->record = make_record(p, view);
	text = json_dumps(p->record, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	path = path_join(view->results_dir, BISECT_JSON);
	error = write_file_atomic(path, text, strlen(text));
	free(text);
	free(path);
	if (error < 0)
		return error;
	if (p->res.verdict != BISECT_PROBE) {
		p->done = true;
		return 0;
	}
	free(p->series);
	for (k = 0; k < view->count && strcmp(view->commits[k].id, p->res.probe_commit); k++)
		;
	if (k < view->count)
		p->series = xasprintf("%s %s", view->commits[k].parent, p->res.probe_commit);
	else /* the good end */
		p->series = xasprintf("%s~1 %s", p->res.probe_commit, p->res.probe_commit);
	next->variant = p->cfg.variant;
	next->repetition = p->res.probe_number;
	next->commits = p->series;
	return 1;
}

/* ---- flags ---- */

struct bisect_flags {
	const char *variant, *commits, *metric, *resume;
	double threshold;   /* < 0: unset */
	int max_probes;     /* 0: unset */
};

/* The range must be a whole first-parent chain: A..B or last:N. */
static int check_range(const char *spec)
{
	const char *s = spec + strspn(spec, " \t");
	if (!strncmp(s, "sample:", 7))
		return bench_error_set(BENCH_EINVALID, "--commits '%s': bisect needs every commit of the "
				       "chain; give A..B or last:N, not sample:N", spec);
	if (!strstr(s, "..") && strncmp(s, "last:", 5))
		return bench_error_set(BENCH_EINVALID, "--commits '%s': bisect takes a first-parent range, "
				       "A..B or last:N (the commit before it is the good end)", spec);
	return 0;
}

/* On --resume: what the bisection in DIR was started with, and flags that
 * say otherwise refused. */
static int resume_settings(struct bisect_flags *fl, json_t **record, const char *dir)
{
	int error = bisect_report_load(record, dir);
	struct { const char *key, **flag, *name; } keep[] = {
		{"variant", &fl->variant, "--variant"}, {"commits", &fl->commits, "--commits"},
		{"metric", &fl->metric, "--metric"},
	};
	size_t i;

	if (error < 0)
		return bench_error_wrap(error, "--resume %s", dir);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *was = json_str(*record, keep[i].key);
		if (*keep[i].flag && strcmp(*keep[i].flag, was))
			return bench_error_set(BENCH_EINVALID, "%s '%s': the bisection in %s was started with "
					       "%s '%s'; resume it as it was started", keep[i].name, *keep[i].flag,
					       dir, keep[i].name, was);
		*keep[i].flag = was;
	}
	if (fl->threshold < 0)
		fl->threshold = json_num(*record, "threshold", -1);
	if (!fl->max_probes)
		fl->max_probes = (int)json_num(*record, "max_samples", 0);
	return 0;
}

/* The variant to probe and the settings, from the flags and the scenario. */
static int settle(struct bisect_plan *p, struct bisect_flags *fl, const char *scenario_path)
{
	struct scenario *sc = NULL;
	struct gate_limits lim;
	size_t i;
	int error;

	if ((error = scenario_load(&sc, scenario_path)) < 0)
		return error;
	if (!fl->variant && sc->variants_count != 1) {
		struct strbuf names = {0};
		for (i = 0; i < sc->variants_count; i++)
			strbuf_printf(&names, "%s%s", i ? ", " : "", sc->variants[i].name);
		error = bench_error_set(BENCH_EINVALID, "scenario '%s' has %zu variants: say which one to "
					"probe with --variant NAME (%s)", scenario_path, sc->variants_count,
					names.buf ? names.buf : "none");
		strbuf_release(&names);
		goto done;
	}
	if (fl->variant && (error = scenario_only_variant(sc, fl->variant)) < 0)
		goto done;
	p->cfg.variant = p->variant = xstrdup(fl->variant ? fl->variant : sc->variants[0].name);
	p->commits = xstrdup(fl->commits ? fl->commits : sc->commits);
	if ((error = check_range(p->commits)) < 0 ||
	    (fl->metric && (error = bisect_metric_parse(&p->cfg.metric, fl->metric)) < 0))
		goto done;
	gate_limits_resolve(&lim, NULL, &sc->gate);
	p->cfg.threshold = fl->threshold >= 0 ? fl->threshold : lim.warm_median_growth;
	p->cfg.max_samples = fl->max_probes > 0 ? fl->max_probes : 5;
done:
	scenario_free(sc);
	return error;
}

/* ---- the end ---- */

static void write_page(const char *dir, json_t *record)
{
	char *path = path_join(dir, "index.html"), *doc;
	json_t *run = NULL;

	if (results_load(&run, NULL, dir) < 0) {
		fprintf(stderr, "bench bisect: warning: no page: %s\n", bench_error_last());
	} else {
		doc = html_bisect_page(record, run, NULL);
		if (write_file_atomic(path, doc, strlen(doc)) < 0)
			fprintf(stderr, "bench bisect: warning: no page: %s\n", bench_error_last());
		else
			printf("\npage: %s\n", path);
		free(doc);
	}
	bench_error_clear();
	json_decref(run);
	free(path);
}

int cmd_bisect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"variant", required_argument, NULL, 'v'}, {"commits", required_argument, NULL, 'c'},
		{"metric", required_argument, NULL, 'm'}, {"threshold", required_argument, NULL, 't'},
		{"max-probes", required_argument, NULL, 'n'}, {"results", required_argument, NULL, 'R'},
		{"resume", required_argument, NULL, 'r'}, {"force", no_argument, NULL, 'f'},
		{"work", required_argument, NULL, 'w'}, {"no-plot", no_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bisect_flags fl = {.threshold = -1};
	struct bisect_plan plan = {0};
	struct run_plan run_plan = {plan_next, &plan};
	struct run_options opts = {0};
	struct run_outcome out;
	json_t *resumed = NULL;
	char *hint = NULL, *end;
	int c, error, status = 0;
	long n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': fl.variant = optarg; break;
		case 'c': fl.commits = optarg; break;
		case 'm': fl.metric = optarg; break;
		case 't':
			if (gate_parse_fraction(&fl.threshold, optarg) < 0) {
				return cmd_usage_error("bisect", "--threshold '%s' is not a percentage like "
						       "15%% or a fraction like 0.15", optarg);
			}
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 50) {
				return cmd_usage_error("bisect", "--max-probes '%s' is not a whole number "
						       "from 1 to 50", optarg);
			}
			fl.max_probes = (int)n;
			break;
		case 'R': opts.results_base = optarg; break;
		case 'r': fl.resume = opts.resume_dir = optarg; break;
		case 'f': opts.force = true; break;
		case 'w': opts.work_dir = optarg; break;
		case 'P': opts.no_plot = true; break;
		case 'q': opts.quiet = true; break;
		case 'h': bisect_usage(stdout); return 0;
		default:
			return cmd_usage_error("bisect", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error("bisect", "%s", optind == argc ? "missing SCENARIO.ini" :
				       "more than one scenario given");
	opts.scenario_path = argv[optind];
	if ((fl.resume && (error = resume_settings(&fl, &resumed, fl.resume)) < 0) ||
	    (error = settle(&plan, &fl, opts.scenario_path)) < 0) {
		status = cmd_fail("bisect", error);
		goto done;
	}
	opts.only = plan.cfg.variant;
	opts.commits = plan.commits;
	opts.results_label = "bisect";
	opts.plan = &run_plan;
	hint = xasprintf("bench bisect %s --resume {dir}", opts.scenario_path);
	opts.resume_hint = hint;
	proc_install_signal_handlers();
	error = run_execute(&out, &opts);
	if (error < 0) {
		status = cmd_fail("bisect", error);
		if (out.results_dir)
			fprintf(stderr, "bench bisect: the finished probes are kept in %s\n", out.results_dir);
	} else if (plan.done) {
		bisect_report_write(stdout, plan.record, REPORT_TEXT);
		printf("\nresults: %s\n", out.results_dir);
		status = plan.res.verdict == BISECT_UNDECIDED ? 1 : 0;
	} else {
		status = cmd_fail("bisect", bench_error_set(BENCH_ERROR, "the bisection ended without a verdict"));
	}
	if (out.results_dir && plan.record && !opts.no_plot)
		write_page(out.results_dir, plan.record);
	run_outcome_release(&out);
done:
	bisect_result_release(&plan.res);
	json_decref(plan.record);
	json_decref(resumed);
	free(plan.series);
	free(plan.variant);
	free(plan.commits);
	free(hint);
	return status;
}
