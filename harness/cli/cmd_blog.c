/*
 * cmd_blog.c: `bench blog RESULTS_DIR [CALIBRATION_DIR]`: the cafeboo
 * comparison with the blog, recomputed from a results folder, projected to
 * scale 1 with the calibration run kept in it (or given: any run of the
 * same commits at a smaller scale); with --against, set against a run made
 * at scale 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog/blogreport.h"
#include "blog/calibrate.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "blog/projcheck.h"
#include "blog/projection.h"
#include "results/results.h"

static void blog_usage(FILE *f)
{
	help_print(f, "blog");
}

int cmd_blog(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, {"against", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	json_t *run = NULL, *calib = NULL, *full = NULL, *ev = NULL;
	char *missing = NULL;
	const char *against[8] = {NULL};
	size_t nagainst = 0, k;
	bool as_json = false;
	int c, error = 0, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': as_json = true; break;
		case 'a':
			if (nagainst == sizeof(against) / sizeof(*against))
				return cmd_usage_error("blog", "--against given more than %zu times",
						       sizeof(against) / sizeof(*against));
			against[nagainst++] = optarg;
			break;
		case 'h': blog_usage(stdout); return 0;
		default:
			return cmd_usage_error("blog", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage_error("blog", "%s", argc - optind < 1 ? "missing RESULTS_DIR" :
				       "too many arguments (one results folder, and maybe its "
				       "calibration run's)");
	if ((error = results_load(&run, &missing, argv[optind])) < 0)
		goto done;
	if (argc - optind == 2) {
		free(missing);
		missing = NULL;
		if ((error = results_load(&calib, &missing, argv[optind + 1])) < 0 ||
		    (error = projection_check_commits(run, calib)) < 0)
			goto done;
		if (!(projection_run_scale(calib) < projection_run_scale(run))) {
			error = bench_error_set(BENCH_EINVALID, "'%s' is at scale %g, not below the run's %g: it cannot "
						"calibrate it", argv[optind + 1], projection_run_scale(calib),
						projection_run_scale(run));
			goto done;
		}
	} else if ((error = calibrate_load(&calib, argv[optind])) < 0) {
		goto done;
	}
	/* several scale-1 runs (each of some of the builds) count as one */
	for (k = 0; k < nagainst; k++) {
		json_t *one = NULL;
		free(missing);
		missing = NULL;
		if ((error = results_load(&one, &missing, against[k])) < 0)
			goto done;
		if (projection_run_scale(one) != 1) {
			error = bench_error_set(BENCH_EINVALID, "--against '%s': the run is at scale %g, not 1",
						against[k], projection_run_scale(one));
			json_decref(one);
			goto done;
		}
		if (!full)
			full = one;
		else {
			json_array_extend(json_object_get(full, "builds"), json_object_get(one, "builds"));
			json_decref(one);
		}
	}
	if (full) {
		ev = projcheck_evaluate(run, calib, full);
	} else {
		ev = blogreport_evaluate(run, calib);
	}
	if (as_json) {
		char *text = json_dumps(ev, JSON_INDENT(2));
		puts(text ? text : "{}");
		free(text);
	} else if (full) {
		projcheck_print(stdout, ev);
	} else {
		blogreport_print(stdout, ev);
	}
done:
	if (error < 0)
		status = cmd_fail("blog", error);
	free(missing);
	json_decref(run);
	json_decref(calib);
	json_decref(full);
	json_decref(ev);
	return status;
}
