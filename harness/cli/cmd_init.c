/*
 * cmd_init.c: `bench init [REPO] [-o FILE]`: a first scenario for a
 * repository (init/init.h), written to FILE or stdout; its findings and
 * notes on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "init/init.h"
#include "lib/error.h"
#include "lib/util.h"

static void init_usage(FILE *f)
{
	help_print(f, "init");
}

static void print_report(const struct init_result *res, const char *out)
{
	size_t i;

	for (i = 0; i < res->findings.n; i++) {
		const struct finding *f = &res->findings.v[i];
		fprintf(stderr, "%s:%d: %s [%s]\n", f->file, f->line, f->message, f->rule);
	}
	for (i = 0; i < res->notes.n; i++)
		fprintf(stderr, "bench init: note: %s\n", res->notes.v[i]);
	fprintf(stderr, "bench init: %s: variants", out ? out : "stdout");
	for (i = 0; i < res->live.n; i++)
		fprintf(stderr, " %s", res->live.v[i]);
	if (res->off.n) {
		fprintf(stderr, "; commented out (they say what they need):");
		for (i = 0; i < res->off.n; i++)
			fprintf(stderr, " %s", res->off.v[i]);
	}
	fputs("\n", stderr);
}

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'F'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct init_options o = {0};
	struct init_result res = {0};
	bool force = false, quiet = false;
	int c, error;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'F': force = true; break;
		case 'q': quiet = true; break;
		case 'h': init_usage(stdout); return 0;
		default:
			return cmd_usage_error("init", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error("init", "one repository at most, got '%s' and '%s'", argv[optind],
				       argv[optind + 1]);
	o.repo = optind < argc ? argv[optind] : ".";
	if (o.out && !force && path_exists(o.out))
		return cmd_usage_error("init", "-o %s: the file exists; use --force to overwrite it", o.out);
	if ((error = init_scenario(&res, &o)) < 0) {
		init_result_release(&res);
		return cmd_fail("init", error);
	}
	if (o.out)
		error = write_file_atomic(o.out, res.scenario, strlen(res.scenario));
	else if (fputs(res.scenario, stdout) == EOF || fflush(stdout) == EOF)
		error = bench_error_set(BENCH_EIO, "cannot write the scenario to stdout");
	if (!error && !quiet)
		print_report(&res, o.out);
	init_result_release(&res);
	return error < 0 ? cmd_fail("init", error) : 0;
}
