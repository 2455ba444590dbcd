/*
 * help.h: the help pages of the bench commands, in one table (help.c).
 * `bench CMD --help`, `bench help CMD`, `bench --help`, the man page bench(1)
 * (`bench --man`) and the bash completion's lists (`bench help --commands`,
 * `--options CMD`, `--keys`) are all printed from it, so they cannot
 * disagree. A new command adds one row to pages[] in help.c (and its own row
 * in main.c's commands[]).
 */
#ifndef BENCH_HELP_H
#define BENCH_HELP_H

#include <stddef.h>
#include <stdio.h>

#define BENCH_VERSION "0.1.0"

struct help_page {
	const char *name;        /* the command: "run" */
	const char *summary;     /* one line for `bench --help` and the man page */
	const char *synopsis;    /* after "usage: bench ": "run SCENARIO.ini [options]" */
	const char *description; /* paragraphs, lines of at most 78 characters */
	const char *options;     /* "  -o, --output FILE   what it does\n" lines, continuation
				    lines indented further; a line not starting with a space
				    is a heading; NULL: no option but --help */
	const char *examples;    /* shell lines, one command each */
	const char *exit_status; /* "0 ..., 2 ..." */
};

/* The i-th page, in the order of `bench --help`, or NULL past the last. */
const struct help_page *help_page_at(size_t i);

/* The page of command name, or NULL. */
const struct help_page *help_find(const char *name);

/* The whole help page of name to f (usage, description, options, examples,
 * exit status). Returns 0, or -1 when there is no such page. */
int help_print(FILE *f, const char *name);

/* `bench --help`: the list of commands. */
void help_print_commands(FILE *f);

/* The man page bench(1), in roff, to f. */
void help_print_man(FILE *f);

/* The options of command name, one per line ("-o", "--output", ...), for the
 * completion. Returns 0, or -1 when there is no such page. */
int help_print_options(FILE *f, const char *name);

/* `bench help [CMD | --commands | --options CMD | --keys | --man]`. */
int cmd_help(int argc, char **argv);

#endif
