/* cmd_run.c: `bench run SCENARIO.ini [options]`: flags, then run.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "proc.h"
#include "run.h"
#include "runreport.h"

static void run_usage(FILE *f)
{
	fputs("usage: bench run SCENARIO.ini [options]\n"
	      "\n"
	      "  --results DIR     parent folder of the results (default: results)\n"
	      "  --only VARIANT    build only this variant\n"
	      "  --commits RANGE   replay RANGE instead of the scenario's commits\n"
	      "  --scale X         multiply every size of the emulated world by X\n"
	      "  --resume DIR      continue the interrupted run in DIR\n"
	      "  --force           resume even when the scenario file changed\n"
	      "  --work DIR        keep the work folder (checkouts, caches) in DIR\n"
	      "  --gate FILE       gate the finished run against the baseline FILE\n"
	      "  --dry-run         print every docker command and run none\n"
	      "  --no-plot         do not draw the charts nor write index.html at the end\n"
	      "  -q, --quiet       no progress on stderr\n"
	      "\n"
	      "exit status: 0 every build ok, 1 some build not ok (or the gate failed),\n"
	      "2 usage or set-up error, 130 interrupted (everything finished is kept)\n", f);
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"results", required_argument, NULL, 'R'}, {"only", required_argument, NULL, 'o'},
		{"commits", required_argument, NULL, 'c'}, {"scale", required_argument, NULL, 's'},
		{"resume", required_argument, NULL, 'r'}, {"force", no_argument, NULL, 'f'},
		{"work", required_argument, NULL, 'w'}, {"gate", required_argument, NULL, 'g'},
		{"dry-run", no_argument, NULL, 'n'}, {"no-plot", no_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run_options opts = {0};
	struct run_outcome out;
	int c, error, status;
	char *end;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'R': opts.results_base = optarg; break;
		case 'o': opts.only = optarg; break;
		case 'c': opts.commits = optarg; break;
		case 's':
			opts.scale = strtod(optarg, &end);
			if (*end || !(opts.scale > 0) || opts.scale > 4) {
				fprintf(stderr, "bench run: error: --scale '%s' is not a number in (0, 4]\n", optarg);
				return 2;
			}
			break;
		case 'r': opts.resume_dir = optarg; break;
		case 'f': opts.force = true; break;
		case 'w': opts.work_dir = optarg; break;
		case 'g': opts.gate_baseline = optarg; break;
		case 'n': opts.dry_run = true; break;
		case 'P': opts.no_plot = true; break;
		case 'q': opts.quiet = true; break;
		case 'h': run_usage(stdout); return 0;
		default:
			fprintf(stderr, "bench run: error: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
			run_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench run: error: %s\n\n",
			optind == argc ? "missing SCENARIO.ini" : "more than one scenario given");
		run_usage(stderr);
		return 2;
	}
	opts.scenario_path = argv[optind];
	proc_install_signal_handlers();
	error = run_execute(&out, &opts);
	if (error < 0) {
		status = cmd_fail("run", error);
		if (out.results_dir)
			fprintf(stderr, "bench run: finished builds are kept in %s\n", out.results_dir);
	} else if (out.not_ok || out.gate_failed) {
		status = 1;
	} else {
		status = 0;
	}
	/* the page last: it shows the charts and the gate's verdict */
	if (out.results_dir && !opts.no_plot)
		runreport_page(out.results_dir);
	run_outcome_release(&out);
	return status;
}
