/*
 * main.c: the bench command line: a table of commands, each
 * `int cmd_x(int argc, char **argv)`, and the mapping of errors to exit
 * statuses (0 ok, 1 a negative result, 2 usage or set-up error, 130 Ctrl-C).
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#define BENCH_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
};

static const struct command commands[] = {
	{"run", cmd_run, "replay commits against Dockerfile variants and measure the builds"},
	{"plot", cmd_plot, "draw the charts of a results folder with gnuplot"},
	{"report", cmd_report, "print a results folder as markdown, csv, json or benchmark-action"},
	{"compare", cmd_compare, "compare two runs variant by variant"},
	{"blog", cmd_blog, "the cafeboo run next to the blog's figures (two runs: a line fit to scale 1)"},
	{"baseline", cmd_baseline, "keep a run's figures as the baseline for bench gate"},
	{"gate", cmd_gate, "judge a run against a baseline: exit 1 on a regression (CI)"},
	{"bisect", cmd_bisect, "find the commit of a range that broke the build cache"},
	{"sweep", cmd_sweep, "run a scenario once per value of a parameter; where a strategy pays"},
};

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: bench <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].description);
	fprintf(f, "\n'bench <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bench %s\n", BENCH_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bench: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
