/*
 * cmd_gate.c: `bench baseline RESULTS_DIR -o FILE` (keep a run's figures as
 * the baseline) and `bench gate RESULTS_DIR --baseline FILE` (judge a run
 * against it, for CI). The judging itself is gate.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "lib/error.h"
#include "results/comparable.h"
#include "results/gate.h"
#include "lib/util.h"

static void baseline_usage(FILE *f)
{
	help_print(f, "baseline");
}

static void gate_usage(FILE *f)
{
	help_print(f, "gate");
}

/* Warn about what makes a baseline weak: an incomplete folder, failed builds. */
static void baseline_warnings(json_t *baseline, const char *missing)
{
	const char *name;
	json_t *fig;

	if (missing)
		fprintf(stderr, "bench baseline: warning: the results folder is incomplete: %s\n", missing);
	json_object_foreach(json_object_get(baseline, "variants"), name, fig) {
		json_int_t builds = json_integer_value(json_object_get(fig, "builds"));
		json_int_t ok = json_integer_value(json_object_get(fig, "ok"));
		if (ok < builds)
			fprintf(stderr, "bench baseline: warning: variant '%s': %lld of %lld builds not ok\n",
				name, (long long)(builds - ok), (long long)builds);
	}
}

int cmd_baseline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	json_t *baseline = NULL;
	char *missing = NULL, *text = NULL;
	int c, status = 2;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'h': baseline_usage(stdout); return 0;
		default:
			return cmd_usage_error("baseline", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error("baseline", "%s",
				   optind == argc ? "missing RESULTS_DIR" : "more than one RESULTS_DIR given");
	/* every failure here is a set-up error (unreadable results, unwritable
	 * file): exit 2 whatever the code */
	if (gate_baseline_create(&baseline, &missing, argv[optind])) {
		fprintf(stderr, "bench baseline: error: %s\n", bench_error_last());
		goto done;
	}
	baseline_warnings(baseline, missing);
	if (!output) {
		text = json_dumps(baseline, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		printf("%s\n", text ? text : "{}");
	} else if (gate_baseline_save(output, baseline)) {
		fprintf(stderr, "bench baseline: error: %s\n", bench_error_last());
		goto done;
	} else {
		fprintf(stderr, "bench baseline: wrote %s (%zu variant%s from %s)\n", output,
			json_object_size(json_object_get(baseline, "variants")),
			json_object_size(json_object_get(baseline, "variants")) == 1 ? "" : "s",
			json_string_value(json_object_get(baseline, "source")));
	}
	status = 0;
done:
	json_decref(baseline);
	free(missing);
	free(text);
	return status;
}

/* Append text to path (created when missing), as GitHub's step summary wants. */
static int append_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	int error = 0;

	if (!f)
		return bench_error_errno(BENCH_EIO, "cannot open summary '%s'", path);
	if (fputs(text, f) == EOF)
		error = bench_error_errno(BENCH_EIO, "cannot write summary '%s'", path);
	if (fclose(f) != 0 && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write summary '%s'", path);
	return error;
}

int cmd_gate(int argc, char **argv)
{
	enum { O_BASELINE = 256, O_FORMAT, O_SUMMARY, O_WMG, O_WOCG, O_IMG, O_CACHE, O_MAYFALL,
	       O_REF, O_ABS, O_ALLOW };
	static const struct option longopts[] = {
		{"baseline", required_argument, NULL, O_BASELINE},
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"summary", required_argument, NULL, O_SUMMARY},
		{"warm-median-growth", required_argument, NULL, O_WMG},
		{"warm-over-cold-growth", required_argument, NULL, O_WOCG},
		{"image-growth", required_argument, NULL, O_IMG},
		{"cache-growth", required_argument, NULL, O_CACHE},
		{"cached-steps-may-fall", no_argument, NULL, O_MAYFALL},
		{"reference", required_argument, NULL, O_REF},
		{"absolute", no_argument, NULL, O_ABS},
		{"allow-different", required_argument, NULL, O_ALLOW},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gate_settings flags;
	struct gate_report report = {0};
	enum gate_format format = GATE_TEXT;
	const char *baseline = NULL, *output = NULL, *summary = NULL, *allow = NULL;
	struct strbuf out = {0}, md = {0}, text = {0};
	double *target;
	int c, error, status = 2;

	gate_settings_unset(&flags);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_BASELINE: baseline = optarg; break;
		case 'o': output = optarg; break;
		case O_SUMMARY: summary = optarg; break;
		case 'f':
		case O_FORMAT:
			if (!strcmp(optarg, "text"))
				format = GATE_TEXT;
			else if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
				format = GATE_MARKDOWN;
			else if (!strcmp(optarg, "json"))
				format = GATE_JSON;
			else
				return cmd_usage_error("gate", "unknown format '%s' (use text, markdown or json)", optarg);
			break;
		case O_WMG: case O_WOCG: case O_IMG: case O_CACHE:
			target = c == O_WMG ? &flags.warm_median_growth :
				 c == O_WOCG ? &flags.warm_over_cold_growth :
				 c == O_IMG ? &flags.image_growth : &flags.cache_growth;
			if (gate_parse_fraction(target, optarg) < 0)
				return cmd_usage_error("gate", "invalid threshold '%s' (use a "
						   "percentage like 15%% or a fraction like 0.15)", optarg);
			break;
		case O_MAYFALL: flags.cached_steps_may_fall = 1; break;
		case O_REF: flags.reference = optarg; break;
		case O_ABS: flags.absolute = 1; break;
		case O_ALLOW:
			if (comparable_check_names(optarg, "--allow-different") < 0)
				return cmd_usage_error("gate", "%s", bench_error_last());
			allow = optarg;
			break;
		case 'h': gate_usage(stdout); return 0;
		default:
			return cmd_usage_error("gate", "unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error("gate", "%s",
				   optind == argc ? "missing RESULTS_DIR" : "more than one RESULTS_DIR given");
	if (!baseline)
		return cmd_usage_error("gate", "%s", "missing --baseline FILE");

	if ((error = gate_check_dir(&report, argv[optind], baseline, &flags, NULL, allow))) {
		fprintf(stderr, "bench gate: error: %s\n", bench_error_last());
		goto done; /* status 2: the gate could not judge */
	}
	gate_format_report(&out, &report, format);
	if (output) {
		if ((error = write_file_atomic(output, out.buf, out.len))) {
			fprintf(stderr, "bench gate: error: %s\n", bench_error_last());
			goto done;
		}
		gate_format_report(&text, &report, GATE_TEXT);
		fputs(text.buf, stdout);
	} else {
		fputs(out.buf, stdout);
	}
	fflush(stdout);
	if (summary) {
		gate_format_report(&md, &report, GATE_MARKDOWN);
		if ((error = append_file(summary, md.buf))) {
			fprintf(stderr, "bench gate: error: %s\n", bench_error_last());
			goto done;
		}
	}
	status = report.failed ? 1 : 0;
done:
	gate_report_release(&report);
	strbuf_release(&out);
	strbuf_release(&md);
	strbuf_release(&text);
	return status;
}
