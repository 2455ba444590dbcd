/* runreport.c: the end of `bench run`: the charts and the page (the summary
 * table is results/runsummary.c). */
#include "run/runreport.h"

#include <stdlib.h>

#include "lib/error.h"
#include "pages/html.h"
#include "pages/plot.h"
#include "results/results.h"
#include "lib/util.h"

void runreport_plot(const char *results_dir, bool quiet)
{
	struct plot_output out = {0};
	json_t *run = NULL;
	char *templates = NULL, *dir = path_join(results_dir, "plots"), *missing = NULL;
	size_t i;
	int error;

	if ((error = results_load(&run, &missing, results_dir)) < 0 ||
	    (error = plot_templates_dir(&templates)) < 0)
		goto done;
	error = plot_write(&out, run, dir, templates, true);
	if (!quiet)
		for (i = 0; i < out.notes.n; i++)
			fprintf(stderr, "bench run: note: %s\n", out.notes.v[i]);
	if (out.images.n) {
		fprintf(stdout, "\ncharts:\n");
		for (i = 0; i < out.images.n; i++)
			fprintf(stdout, "  %s\n", out.images.v[i]);
	}
done:
	if (error < 0)
		fprintf(stderr, "bench run: warning: no charts: %s\n", bench_error_last());
	bench_error_clear();
	plot_output_release(&out);
	json_decref(run);
	free(templates);
	free(missing);
	free(dir);
}

void runreport_page(const char *results_dir)
{
	char *path = path_join(results_dir, "index.html");

	if (html_run_write(results_dir, path) < 0)
		fprintf(stderr, "bench run: warning: no results page: %s\n", bench_error_last());
	else
		fprintf(stdout, "\npage: %s\n", path);
	bench_error_clear();
	free(path);
}
