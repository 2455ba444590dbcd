/*
 * cmd_sweep.c: `bench sweep SCENARIO --param KEY=V1,V2,... [options]`: the
 * scenario run once per value (per combination of the values of several
 * --param), each point a whole `bench run` (run.h) with the keys set over
 * the file's (scenario_override.c) and bench run's options, in a results
 * folder of its own inside the sweep folder; sweep.json records the points
 * as they finish (sweep.h). At the end: the table, the crossovers, the
 * chart and the page (pages/sweep_chart.h). --resume continues where it stopped.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "pages/plot.h"
#include "lib/proc.h"
#include "results/results.h"
#include "run/run.h"
#include "results/runsummary.h"
#include "run/runreport.h"
#include "scenario/scenario.h"
#include "results/sweep.h"
#include "pages/sweep_chart.h"
#include "results/sweep_report.h"
#include "lib/util.h"

static void sweep_usage(FILE *f)
{
	help_print(f, "sweep");
}

struct sweep_flags {
	struct strvec params;
	const char *only, *commits, *results, *resume;
	double scale;
	bool force, no_plot, quiet;
};

/* The overrides of a point: its assignments, from --param. Caller frees. */
static struct scenario_override *point_overrides(size_t *n, json_t *point)
{
	json_t *assign = json_object_get(point, "assignments"), *a;
	struct scenario_override *ov = xcalloc(json_array_size(assign) + 1, sizeof(*ov));
	size_t i;

	*n = json_array_size(assign);
	json_array_foreach(assign, i, a)
		ov[i] = (struct scenario_override){"--param", json_string_value(a) ? json_string_value(a) : ""};
	return ov;
}

/* Every point's keys checked against the scenario before anything runs;
 * the scenario's name into *name (caller frees). */
static int check_points(char **name, json_t *sweep, const struct sweep_flags *fl, const char *path)
{
	json_t *pt;
	size_t i, n;
	int error = 0;

	*name = NULL;
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		if (error)
			break;
		struct scenario *sc = NULL;
		struct scenario_override *ov = point_overrides(&n, pt);
		if ((error = scenario_load_with(&sc, path, ov, n)) == 0 && fl->only)
			error = scenario_only_variant(sc, fl->only);
		if (!error && fl->scale > 0 && !sc->world.enabled)
			error = bench_error_set(BENCH_EINVALID, "--scale: scenario '%s' has no [world] "
						"section to scale", path);
		if (!error && !*name)
			*name = xstrdup(sc->name);
		scenario_free(sc);
		free(ov);
	}
	if (error) {
		free(*name);
		*name = NULL;
	}
	return error;
}

/* base/<name>-sweep-<UTC>, made (with -2, -3... when taken). Caller frees. */
static int make_sweep_dir(char **out, const char *base, const char *name)
{
	char stamp[32], *dir = NULL;
	int error, k;

	*out = NULL;
	utc_stamp(stamp, sizeof(stamp));
	if ((error = mkdir_p(base)) < 0)
		return error;
	for (k = 1; k < 1000; k++) {
		dir = k == 1 ? xasprintf("%s/%s-sweep-%s", base, name, stamp) :
			       xasprintf("%s/%s-sweep-%s-%d", base, name, stamp, k);
		if (mkdir(dir, 0777) == 0) {
			*out = dir;
			return 0;
		}
		free(dir);
	}
	return bench_error_errno(BENCH_EIO, "cannot create a sweep folder in '%s'", base);
}

/* A point's label as a file name: "bandwidth=5MB/s" -> "bandwidth-5MB_s". */
static char *label_slug(const char *label)
{
	char *s = xstrdup(label), *c;
	for (c = s; *c; c++)
		if (*c == '=' || *c == ' ')
			*c = '-';
		else if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			   *c == '.' || *c == '_' || *c == '-'))
			*c = '_';
	return s;
}

/* A point's charts, for its page (their list is not printed: the sweep's
 * page links each point's). */
static void point_charts(const char *dir)
{
	struct plot_output out = {0};
	json_t *run = NULL;
	char *templates = NULL, *plots = path_join(dir, "plots");

	if (results_load(&run, NULL, dir) < 0 || plot_templates_dir(&templates) < 0 ||
	    plot_write(&out, run, plots, templates, true) < 0)
		fprintf(stderr, "bench sweep: warning: no charts for %s: %s\n", dir, bench_error_last());
	bench_error_clear();
	plot_output_release(&out);
	json_decref(run);
	free(templates);
	free(plots);
}

/* Run one point into the sweep folder; its record updated. Returns
 * run_execute's code. */
static int run_point(json_t *pt, size_t index, size_t total, const struct sweep_flags *fl,
		     const char *scenario, const char *sweep_dir, const char *hint)
{
	struct run_options opts = {0};
	struct run_outcome out;
	size_t n;
	struct scenario_override *ov = point_overrides(&n, pt);
	char *slug = label_slug(json_str(pt, "label")), *resume = NULL;
	int error;

	printf("\n== point %zu of %zu: %s ==\n", index + 1, total, json_str(pt, "label"));
	fflush(stdout);
	if (*json_str(pt, "dir"))
		resume = path_join(sweep_dir, json_str(pt, "dir"));
	opts.scenario_path = scenario;
	opts.results_base = sweep_dir;
	opts.only = fl->only;
	opts.commits = fl->commits;
	opts.scale = fl->scale;
	opts.resume_dir = resume;
	opts.force = fl->force;
	opts.quiet = fl->quiet;
	opts.overrides = ov;
	opts.overrides_count = n;
	opts.results_label = slug;
	opts.resume_hint = hint;
	error = run_execute(&out, &opts);
	if (out.results_dir) {
		char *base = strrchr(out.results_dir, '/');
		json_object_set_new(pt, "dir", json_string(base ? base + 1 : out.results_dir));
	}
	if (out.run) {
		json_object_set_new(pt, "summary", sweep_point_summary(json_object_get(out.run, "builds")));
		json_object_set_new(pt, "builds", json_integer(out.builds));
		json_object_set_new(pt, "ok", json_integer(out.ok));
		runsummary_print(stdout, out.run);
	}
	json_object_set_new(pt, "state", json_string(error < 0 ? "stopped" : "done"));
	if (out.results_dir && !fl->no_plot) {
		char *message = error < 0 ? xstrdup(bench_error_last()) : NULL;
		point_charts(out.results_dir);
		runreport_page(out.results_dir);
		if (message) /* what stopped the run, not the page's */
			bench_error_set(error, "%s", message);
		free(message);
	}
	run_outcome_release(&out);
	free(ov);
	free(slug);
	free(resume);
	return error;
}

/* The end: crossovers, the record, the table, the chart and the page. */
static void finish(json_t *sweep, const char *dir, bool complete, bool no_plot)
{
	char ended[32], *page;

	utc_iso8601(ended, sizeof(ended));
	json_object_set_new(sweep, "crossovers", sweep_crossovers(sweep));
	json_object_set_new(sweep, "finished", json_boolean(complete));
	json_object_set_new(sweep, "ended", json_string(ended));
	if (sweep_save(dir, sweep) < 0)
		fprintf(stderr, "bench sweep: warning: %s\n", bench_error_last());
	sweep_report_write(stdout, sweep, REPORT_TEXT);
	printf("\nsweep: %s\n", dir);
	if (no_plot)
		return;
	{
		struct plot_output out = {0};
		size_t i;
		if (sweep_chart(&out, sweep, dir, true) < 0)
			fprintf(stderr, "bench sweep: warning: no chart: %s\n", bench_error_last());
		for (i = 0; i < out.images.n; i++)
			printf("chart: %s\n", out.images.v[i]);
		plot_output_release(&out);
	}
	page = html_sweep_page(sweep, dir, NULL);
	{
		char *path = path_join(dir, "index.html");
		if (write_file_atomic(path, page, strlen(page)) < 0)
			fprintf(stderr, "bench sweep: warning: no page: %s\n", bench_error_last());
		else
			printf("page: %s\n", path);
		free(path);
	}
	bench_error_clear();
	free(page);
}

/* The sweep to run: a new record from the flags, or the one to resume. */
static int open_sweep(json_t **sweep, char **dir, struct sweep_flags *fl, const char *scenario)
{
	struct sweep_param *params = NULL;
	json_t *options;
	char *name = NULL;
	size_t i, n = fl->params.n;
	int error = 0;

	*sweep = NULL;
	*dir = NULL;
	if (fl->resume) {
		json_t *o;
		if (fl->params.n || fl->only || fl->commits || fl->scale > 0)
			return bench_error_set(BENCH_EINVALID, "--resume takes the parameters and options from "
					       "%s/%s; give none of --param, --only, --commits, --scale", fl->resume,
					       SWEEP_JSON);
		if ((error = sweep_load(sweep, fl->resume)) < 0)
			return error;
		o = json_object_get(*sweep, "options");
		fl->only = json_is_string(json_object_get(o, "only")) ? json_str(o, "only") : NULL;
		fl->commits = json_is_string(json_object_get(o, "commits")) ? json_str(o, "commits") : NULL;
		fl->scale = json_num(o, "scale", 0);
		*dir = xstrdup(fl->resume);
		error = check_points(&name, *sweep, fl, scenario);
		free(name);
		return error;
	}
	if (!n)
		return bench_error_set(BENCH_EINVALID, "give at least one --param KEY=V1,V2,...");
	params = xcalloc(n, sizeof(*params));
	for (i = 0; i < n && !error; i++)
		error = sweep_param_parse(&params[i], fl->params.v[i]);
	for (i = 0; i < n && !error && fl->scale > 0; i++)
		if (!strcmp(params[i].key, "scale") || !strcmp(params[i].key, "world.scale"))
			error = bench_error_set(BENCH_EINVALID, "--scale and --param %s: give the scale one way",
						params[i].key);
	if (error)
		goto done;
	options = json_object();
	if (fl->only)
		json_object_set_new(options, "only", json_string(fl->only));
	if (fl->commits)
		json_object_set_new(options, "commits", json_string(fl->commits));
	if (fl->scale > 0)
		json_object_set_new(options, "scale", json_real(fl->scale));
	{
		char *abs = path_absolute(scenario);
		*sweep = sweep_new(abs, "", params, n, options);
		free(abs);
	}
	if ((error = check_points(&name, *sweep, fl, scenario)) < 0)
		goto done;
	json_object_set_new(*sweep, "name", json_string(name));
	if ((error = make_sweep_dir(dir, fl->results ? fl->results : "results", name)) < 0 ||
	    (error = sweep_save(*dir, *sweep)) < 0)
		goto done;
done:
	for (i = 0; i < n; i++)
		sweep_param_release(&params[i]);
	free(params);
	free(name);
	return error;
}

int cmd_sweep(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"param", required_argument, NULL, 'p'}, {"only", required_argument, NULL, 'o'},
		{"commits", required_argument, NULL, 'c'}, {"scale", required_argument, NULL, 's'},
		{"results", required_argument, NULL, 'R'}, {"resume", required_argument, NULL, 'r'},
		{"force", no_argument, NULL, 'f'}, {"no-plot", no_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sweep_flags fl = {0};
	json_t *sweep = NULL, *pt;
	char *dir = NULL, *hint = NULL, *end;
	size_t i, total;
	int c, error = 0, status = 0, not_ok = 0;
	bool complete = true;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': strvec_push(&fl.params, optarg); break;
		case 'o': fl.only = optarg; break;
		case 'c': fl.commits = optarg; break;
		case 's':
			fl.scale = strtod(optarg, &end);
			if (*end || !(fl.scale > 0) || fl.scale > 4) {
				strvec_release(&fl.params);
				return cmd_usage_error("sweep", "--scale '%s' is not a number in (0, 4]", optarg);
			}
			break;
		case 'R': fl.results = optarg; break;
		case 'r': fl.resume = optarg; break;
		case 'f': fl.force = true; break;
		case 'P': fl.no_plot = true; break;
		case 'q': fl.quiet = true; break;
		case 'h': sweep_usage(stdout); strvec_release(&fl.params); return 0;
		default:
			strvec_release(&fl.params);
			return cmd_usage_error("sweep", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		strvec_release(&fl.params);
		return cmd_usage_error("sweep", "%s", optind == argc ? "missing SCENARIO.ini" :
				       "more than one scenario given");
	}
	if ((error = open_sweep(&sweep, &dir, &fl, argv[optind])) < 0) {
		status = cmd_fail("sweep", error);
		goto done;
	}
	hint = xasprintf("bench sweep %s --resume %s", argv[optind], dir);
	proc_install_signal_handlers();
	total = json_array_size(json_object_get(sweep, "points"));
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		if (!strcmp(json_str(pt, "state"), "done"))
			continue;
		error = run_point(pt, i, total, &fl, argv[optind], dir, hint);
		if (sweep_save(dir, sweep) < 0 && !error)
			error = BENCH_EIO;
		if (error < 0)
			break;
	}
	json_array_foreach(json_object_get(sweep, "points"), i, pt) {
		complete = complete && !strcmp(json_str(pt, "state"), "done");
		not_ok += (int)(json_num(pt, "builds", 0) - json_num(pt, "ok", 0));
	}
	{
		char *message = error < 0 ? xstrdup(bench_error_last()) : NULL;
		finish(sweep, dir, complete, fl.no_plot);
		if (message)
			bench_error_set(error, "%s", message);
		free(message);
	}
	if (error < 0) {
		status = cmd_fail("sweep", error);
		fprintf(stderr, "bench sweep: finished points are kept in %s (continue with: %s)\n", dir, hint);
	} else {
		status = not_ok ? 1 : 0;
	}
done:
	json_decref(sweep);
	strvec_release(&fl.params);
	free(dir);
	free(hint);
	return status;
}
