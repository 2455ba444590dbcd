/*
 * cmd_run.c: `bench run SCENARIO.ini [options]`: the flags, the replay
 * (run.c), then what the end of a run prints: the summary table, the blog
 * comparison of a world scenario (after its calibration run), the charts,
 * the --gate verdict, and where the time went.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "blog/blogreport.h"
#include "blog/calibrate.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "results/comparable.h"
#include "results/gate.h"
#include "lib/monotonic.h"
#include "run/progress.h"
#include "lib/proc.h"
#include "run/run.h"
#include "results/runsummary.h"
#include "run/runreport.h"
#include "scenario/scenario.h"
#include "lib/util.h"

static void run_usage(FILE *f)
{
	help_print(f, "run");
}

/* The end of a run whose replay ended (out->run is set): the summary, the
 * blog comparison (world scenarios), the charts, and the gate when asked and
 * nothing stopped the run (error == 0). Returns 0, or the gate's error. */
static const char *allow_different; /* --allow-different */

static int report_run(bool *gate_failed, const struct run_options *opts, const struct run_outcome *out,
		      int error)
{
	runsummary_print(stdout, out->run);
	if (out->scenario->world.enabled) {
		json_t *calib = NULL, *ev;
		char *path, *text;
		if (!error && calibrate_wanted(opts, out) && calibrate_run(&calib, opts, out) < 0)
			fprintf(stderr, "bench run: warning: no calibration run, the projection is an upper bound: %s\n",
				bench_error_last());
		ev = blogreport_evaluate(out->run, calib);
		json_decref(calib);
		path = path_join(out->results_dir, "blog-comparison.json");
		text = json_dumps(ev, JSON_INDENT(2));
		blogreport_print(stdout, ev);
		if (text && write_file_atomic(path, text, strlen(text)) < 0)
			fprintf(stderr, "bench run: warning: %s\n", bench_error_last());
		free(text);
		free(path);
		json_decref(ev);
	}
	if (!opts->no_plot)
		runreport_plot(out->results_dir, opts->quiet);
	if (!error && opts->gate_baseline) {
		int regressed = 0;
		fprintf(stdout, "\ngate against %s\n", opts->gate_baseline);
		if ((error = gate_run(&regressed, out->results_dir, opts->gate_baseline, &out->scenario->gate,
				      allow_different, stdout)) == 0)
			*gate_failed = regressed != 0;
		return error;
	}
	return 0;
}

/* Where the time went (stderr, with the progress): run.c's split, the
 * report from `report_started` on, the whole command, bench's peak memory. */
static void print_split(struct time_split *split, monotime started, monotime report_started)
{
	struct rusage ru;

	split->report += monotime_seconds_since(report_started);
	split->total = monotime_seconds_since(started);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		split->peak_rss_kb = ru.ru_maxrss;
	fputc('\n', stderr);
	progress_time_split(stderr, split);
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"results", required_argument, NULL, 'R'}, {"only", required_argument, NULL, 'o'},
		{"commits", required_argument, NULL, 'c'}, {"scale", required_argument, NULL, 's'},
		{"resume", required_argument, NULL, 'r'}, {"force", no_argument, NULL, 'f'},
		{"work", required_argument, NULL, 'w'}, {"gate", required_argument, NULL, 'g'},
		{"engines", required_argument, NULL, 'e'},
		{"dry-run", no_argument, NULL, 'n'}, {"no-plot", no_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{"keep-images", no_argument, NULL, 'K'},
		{"allow-different", required_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	struct run_options opts = {0};
	struct run_outcome out;
	bool gate_failed = false;
	int c, error, status;
	monotime started = monotime_now(), t;
	char *end;

	optind = 1;
	opterr = 0;
	allow_different = NULL;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'R': opts.results_base = optarg; break;
		case 'o': opts.only = optarg; break;
		case 'c': opts.commits = optarg; break;
		case 's':
			opts.scale = strtod(optarg, &end);
			if (*end || !(opts.scale > 0) || opts.scale > 4) {
				return cmd_usage_error("run", "--scale '%s' is not a number in (0, 4]", optarg);
			}
			break;
		case 'r': opts.resume_dir = optarg; break;
		case 'f': opts.force = true; break;
		case 'w': opts.work_dir = optarg; break;
		case 'e': opts.engines = optarg; break;
		case 'g': opts.gate_baseline = optarg; break;
		case 'A':
			if (comparable_check_names(optarg, "--allow-different") < 0)
				return cmd_usage_error("run", "%s", bench_error_last());
			allow_different = optarg;
			break;
		case 'n': opts.dry_run = true; break;
		case 'P': opts.no_plot = true; break;
		case 'K': opts.keep_images = true; break;
		case 'q': opts.quiet = true; break;
		case 'h': run_usage(stdout); return 0;
		default:
			return cmd_usage_error("run", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error("run", "%s", optind == argc ? "missing SCENARIO.ini" :
				       "more than one scenario given");
	opts.scenario_path = argv[optind];
	if (opts.gate_baseline) {
		/* a missing or broken baseline stops the run before its first build */
		json_t *baseline = NULL;
		if ((error = gate_baseline_load(&baseline, opts.gate_baseline)) < 0) {
			bench_error_wrap(error, "--gate");
			return cmd_fail("run", error);
		}
		json_decref(baseline);
	}
	proc_install_signal_handlers();
	error = run_execute(&out, &opts);
	t = monotime_now();
	if (out.run) {
		/* the report must not replace the message of what stopped the run */
		char *message = error < 0 ? xstrdup(bench_error_last()) : NULL;
		int gate_error = report_run(&gate_failed, &opts, &out, error);
		if (message)
			bench_error_set(error, "%s", message);
		else
			error = gate_error;
		free(message);
	}
	if (error < 0) {
		status = cmd_fail("run", error);
		if (out.results_dir)
			fprintf(stderr, "bench run: finished builds are kept in %s\n", out.results_dir);
	} else if (out.not_ok || gate_failed) {
		status = 1;
	} else {
		status = 0;
	}
	/* the page last: it shows the charts and the gate's verdict */
	if (out.results_dir && !opts.no_plot)
		runreport_page(out.results_dir);
	if (out.run && !opts.quiet)
		print_split(&out.split, started, t);
	run_outcome_release(&out);
	return status;
}
