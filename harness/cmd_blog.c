/*
 * cmd_blog.c: `bench blog RESULTS_DIR [OTHER_RESULTS_DIR]`: the cafeboo
 * comparison with the blog, recomputed from a results folder; with a second
 * run of the same scenario at another scale, also the straight-line
 * projection to scale 1 through the two.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogreport.h"
#include "commands.h"
#include "error.h"
#include "results.h"

static void blog_usage(FILE *f)
{
	fputs("usage: bench blog RESULTS_DIR [OTHER_RESULTS_DIR] [--json]\n"
	      "\n"
	      "The blog's figures next to a cafeboo run's: measured, projected to scale 1\n"
	      "step group by step group, and, given a second run at another scale, on the\n"
	      "straight line through both runs' medians; and the reproduction's targets.\n"
	      "\n"
	      "  --json   print the evaluation as JSON\n"
	      "\n"
	      "exit status: 0 printed, 2 usage error or unreadable results\n", f);
}

int cmd_blog(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	json_t *run = NULL, *other = NULL, *ev = NULL, *ev2 = NULL;
	char *missing = NULL;
	bool as_json = false;
	int c, error = 0, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': as_json = true; break;
		case 'h': blog_usage(stdout); return 0;
		default:
			fprintf(stderr, "bench blog: error: unknown option '%s'\n\n", argv[optind - 1]);
			blog_usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "bench blog: error: give one results folder, or two at different scales\n\n");
		blog_usage(stderr);
		return 2;
	}
	if ((error = results_load(&run, &missing, argv[optind])) < 0)
		goto done;
	free(missing);
	missing = NULL;
	ev = blogreport_evaluate(run);
	if (argc - optind == 2) {
		if ((error = results_load(&other, &missing, argv[optind + 1])) < 0 ||
		    (error = blogreport_same_commits(run, other)) < 0)
			goto done;
		ev2 = blogreport_evaluate(other);
		if ((error = blogreport_fit(ev, ev2)) < 0)
			goto done;
	}
	if (as_json) {
		char *text = json_dumps(ev, JSON_INDENT(2));
		puts(text ? text : "{}");
		free(text);
	} else {
		blogreport_print(stdout, ev);
	}
done:
	if (error < 0)
		status = cmd_fail("blog", error);
	free(missing);
	json_decref(run);
	json_decref(other);
	json_decref(ev);
	json_decref(ev2);
	return status;
}
