/*
 * main.c: the bench command line: a table of commands, each
 * `int cmd_x(int argc, char **argv)`, and the mapping of errors to exit
 * statuses (0 ok, 1 a negative result, 2 usage or set-up error, 130 Ctrl-C).
 * A command's help is its row in help.c's table: a new command adds a row
 * here and a row there (tests/test_help.c checks that each has one).
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{"init", cmd_init},
	{"run", cmd_run},
	{"plot", cmd_plot},
	{"report", cmd_report},
	{"compare", cmd_compare},
	{"blog", cmd_blog},
	{"baseline", cmd_baseline},
	{"gate", cmd_gate},
	{"bisect", cmd_bisect},
	{"sweep", cmd_sweep},
	{"help", cmd_help},
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		help_print_commands(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help_print_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bench %s\n", BENCH_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--man")) {
		help_print_man(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bench: error: unknown command '%s'\ntry 'bench --help'\n", argv[1]);
	return 2;
}
