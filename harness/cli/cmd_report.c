/*
 * cmd_report.c: the commands that read results folders: `bench plot`,
 * `bench report` and `bench compare`. They parse flags, load the folders
 * (results_load) and hand them to plot.c, report.c and compare.c; only here
 * are errors and notes printed.
 */
#include "results/bisect_report.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "results/gate.h"
#include "pages/html.h"
#include "pages/plot.h"
#include "results/report.h"
#include "results/results.h"
#include "pages/sweep_chart.h"
#include "results/sweep_report.h"
#include "lib/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "bench CMD: note: ..." on stderr for each line of text. */
static void print_notes(const char *cmd, const char *text)
{
	const char *p = text;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		if (n)
			fprintf(stderr, "bench %s: note: %.*s\n", cmd, (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

/* Load dir, printing what is missing. Returns 0 or the exit status. */
static int load(json_t **run, const char *cmd, const char *dir)
{
	char *missing = NULL;
	int error = results_load(run, &missing, dir);

	if (error < 0)
		return cmd_fail(cmd, error);
	print_notes(cmd, missing);
	free(missing);
	return 0;
}

/* A sweep folder's chart (DIR/plots/sweep.*): 0 drawn, 1 not a sweep
 * folder, else minus the exit status. */
static int plot_sweep(const char *dir)
{
	struct plot_output out = {0};
	json_t *sweep = NULL;
	size_t i;
	int error = sweep_load(&sweep, dir);

	if (error == BENCH_ENOTFOUND) {
		bench_error_clear();
		return 1;
	}
	if (!error)
		error = sweep_chart(&out, sweep, dir, true);
	for (i = 0; i < out.images.n; i++)
		printf("%s\n", out.images.v[i]);
	plot_output_release(&out);
	json_decref(sweep);
	return error < 0 ? -cmd_fail("plot", error) : 0;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"out", required_argument, NULL, 'o'}, /* the older name, kept */
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct plot_output out = {0};
	const char *out_dir = NULL;
	char *dir = NULL, *templates = NULL;
	json_t *run = NULL;
	int c, status = 0, error;
	size_t i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_dir = optarg;
			break;
		case 'h':
			help_print(stdout, "plot");
			return 0;
		default:
			return cmd_usage_error("plot", "unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("plot", "%s", argc - optind < 1 ?
				   "missing RESULTS_DIR" : "too many arguments (one RESULTS_DIR)");
	if (!out_dir && (status = plot_sweep(argv[optind])) <= 0)
		return -status;
	if ((status = load(&run, "plot", argv[optind])))
		goto done;
	dir = out_dir ? xstrdup(out_dir) : path_join(argv[optind], "plots");
	plot_missing_notes(&out.notes, run);
	for (i = 0; i < out.notes.n; i++)
		fprintf(stderr, "bench plot: note: %s\n", out.notes.v[i]);
	strvec_release(&out.notes);
	if ((error = plot_templates_dir(&templates)) < 0) {
		status = cmd_fail("plot", error);
		goto done;
	}
	error = plot_write(&out, run, dir, templates, true);
	for (i = 0; i < out.notes.n; i++)
		fprintf(stderr, "bench plot: note: %s\n", out.notes.v[i]);
	for (i = 0; i < out.images.n; i++)
		printf("%s\n", out.images.v[i]);
	if (error < 0)
		status = cmd_fail("plot", error);
	else if (!out.images.n)
		fprintf(stderr, "bench plot: note: nothing to draw (no ok builds)\n");
done:
	plot_output_release(&out);
	json_decref(run);
	free(dir);
	free(templates);
	return status;
}

/*
 * The report of a sweep or bisect folder (sweep.json, bisect.json) into
 * memory, then to path atomically or to stdout. 1 when dir is neither (a
 * run's folder), else 0 or an error.
 */
static int report_other_folder(const char *dir, enum report_format format, const char *path)
{
	json_t *rec = NULL, *run = NULL;
	char *doc = NULL, *link = NULL;
	size_t len = 0;
	bool sweep;
	FILE *mem;
	int error;

	if ((error = sweep_load(&rec, dir)) != BENCH_ENOTFOUND)
		sweep = true;
	else if ((error = bisect_report_load(&rec, dir)) != BENCH_ENOTFOUND)
		sweep = false;
	else {
		bench_error_clear();
		return 1;
	}
	if (error < 0)
		return error;
	if (format == REPORT_HTML) {
		link = html_link_base(dir, path);
		if (!sweep && (error = results_load(&run, NULL, dir)) < 0)
			goto done;
		doc = sweep ? html_sweep_page(rec, dir, link) : html_bisect_page(rec, run, link);
		len = strlen(doc);
	} else if (!(mem = open_memstream(&doc, &len))) {
		error = bench_error_errno(BENCH_EIO, "cannot make a memory stream");
		goto done;
	} else {
		error = sweep ? sweep_report_write(mem, rec, format) : bisect_report_write(mem, rec, format);
		if (fclose(mem) == EOF && !error)
			error = bench_error_errno(BENCH_EIO, "cannot write the report");
	}
	if (!error && path && strcmp(path, "-"))
		error = write_file_atomic(path, doc, len);
	else if (!error && (fwrite(doc, 1, len, stdout) != len || fflush(stdout) == EOF))
		error = bench_error_errno(BENCH_EIO, "cannot write the report");
done:
	json_decref(rec);
	json_decref(run);
	free(doc);
	free(link);
	return error;
}

/* Write the report into memory, then to path atomically (or to stdout). */
static int report_to(const char *path, enum report_format format, json_t *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int error;

	if (!path)
		return report_write(stdout, run, format);
	if (!(mem = open_memstream(&buf, &len)))
		return bench_error_errno(BENCH_EIO, "cannot make a memory stream");
	error = report_write(mem, run, format);
	if (fclose(mem) == EOF && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write the report");
	if (!error)
		error = write_file_atomic(path, buf, len);
	free(buf);
	return error;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum report_format format = REPORT_MARKDOWN;
	const char *output = NULL;
	json_t *run = NULL;
	int c, status = 0, error;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (report_format_parse(&format, optarg) < 0)
				return cmd_usage_error("report", "--format: %s", bench_error_last());
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			help_print(stdout, "report");
			return 0;
		default:
			return cmd_usage_error("report", "unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("report", "%s", argc - optind < 1 ?
				   "missing RESULTS_DIR" : "too many arguments (one RESULTS_DIR)");
	if ((error = report_other_folder(argv[optind], format, output)) <= 0)
		return error < 0 ? cmd_fail("report", error) : 0;
	if ((status = load(&run, "report", argv[optind])))
		goto done;
	if (format == REPORT_HTML)
		error = html_run_write(argv[optind], output ? output : "-");
	else
		error = report_to(output, format, run);
	if (error < 0)
		status = cmd_fail("report", error);
done:
	json_decref(run);
	return status;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"threshold", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_t *a = NULL, *b = NULL;
	bool markdown = false, html = false;
	double threshold = COMPARE_THRESHOLD;
	const char *output = NULL;
	char *doc = NULL;
	size_t len = 0;
	FILE *f;
	int c, status = 0, error;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			markdown = !strcmp(optarg, "markdown") || !strcmp(optarg, "md");
			html = !strcmp(optarg, "html");
			if (!markdown && !html && strcmp(optarg, "text"))
				return cmd_usage_error("compare", "--format: unknown format '%s' (use text, markdown or html)",
						   optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 't':
			if (gate_parse_fraction(&threshold, optarg) < 0)
				return cmd_usage_error("compare", "--threshold: invalid "
						   "threshold '%s' (use a percentage like 10%% or a "
						   "fraction like 0.10)", optarg);
			break;
		case 'h':
			help_print(stdout, "compare");
			return 0;
		default:
			return cmd_usage_error("compare", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error("compare", "%s",
				   "expected two results folders, RUN_A and RUN_B");
	if ((status = load(&a, "compare", argv[optind])) ||
	    (status = load(&b, "compare", argv[optind + 1])))
		goto done;
	/* into memory first, so that -o FILE is written whole or not at all */
	if (html) {
		doc = html_compare_page(a, b, argv[optind], argv[optind + 1]);
		len = strlen(doc);
		error = 0;
	} else if (!(f = open_memstream(&doc, &len))) {
		error = bench_error_errno(BENCH_EIO, "cannot make a memory stream");
	} else {
		error = compare_write(f, a, b, markdown, threshold);
		if (fclose(f) == EOF && !error)
			error = bench_error_errno(BENCH_EIO, "cannot write the comparison");
	}
	if (!error && output)
		error = write_file_atomic(output, doc, len);
	else if (!error && (fwrite(doc, 1, len, stdout) != len || fflush(stdout) == EOF))
		error = bench_error_errno(BENCH_EIO, "cannot write the comparison");
	if (error < 0)
		status = cmd_fail("compare", error);
done:
	free(doc);
	json_decref(a);
	json_decref(b);
	return status;
}
