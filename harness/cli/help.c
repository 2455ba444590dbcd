/*
 * help.c: the table of help pages (help.h) and what is printed from it:
 * each command's --help, `bench --help`, the man page bench(1) and the
 * completion's lists. The text lives here only; a command's usage function
 * is help_print(f, "NAME").
 */
#include <stdbool.h>
#include <string.h>

#include "cli/help.h"
#include "scenario/scenario.h"

#define RESULTS_OPTS                                                                  \
	"  --results DIR          parent folder of the results (default: results)\n"

static const struct help_page pages[] = {
	{"init", "a first scenario from a repository's CI workflows and Dockerfile",
	 "init [REPO] [-o FILE] [--force]",
	 "Write a first scenario for the git repository REPO (default: the current\n"
	 "folder) from what it holds at HEAD: the image builds of its GitHub Actions\n"
	 "workflows (docker/build-push-action steps, docker build and docker buildx\n"
	 "build run lines), its Dockerfile and its .dockerignore. The variants are the\n"
	 "workflow's own set-up (as-is) and the caches worth comparing with it: none,\n"
	 "local (a folder kept by actions/cache), gha, registry, and inline when the\n"
	 "workflow pushes. A part this bench cannot run is written commented out,\n"
	 "saying what it needs. Findings from reading the Dockerfile (FILE:LINE) go\n"
	 "at the top of the scenario and to stderr.\n",
	 "  -o, --output FILE      write the scenario to FILE (default stdout); its repo\n"
	 "                         is written relative to FILE's folder\n"
	 "  --force                overwrite FILE when it exists\n"
	 "  -q, --quiet            no findings nor notes on stderr\n",
	 "bench init path/to/repo -o bench.ini\n"
	 "bench init > bench.ini\n",
	 "0 written, 2 usage or set-up error (REPO is no git\n"
	 "repository or has no commit, a workflow is not valid YAML: the message\n"
	 "names FILE:LINE, no Dockerfile, FILE exists)\n"},

	{"run", "replay commits against Dockerfile variants and measure the builds",
	 "run SCENARIO.ini [options]",
	 "Replay the scenario's commits against each variant on the Docker engine: per\n"
	 "variant and repetition a cold build, then warm ones. Results go to\n"
	 "results/<name>-<UTC>/ (run.json, journal.jsonl, builds.csv, logs/, plots/,\n"
	 "index.html); the verdict (which variant to pick, in CI minutes and dollars\n"
	 "a month) and the summary go to stdout, progress to stderr.\n",
	 RESULTS_OPTS
	 "  --only V[,V...]        build only this variant (these variants)\n"
	 "  --commits RANGE        replay RANGE instead of the scenario's commits\n"
	 "  --scale X              multiply every size of the emulated world by X\n"
	 "  --resume DIR           continue the interrupted run in DIR\n"
	 "  --force                resume even when the scenario file changed\n"
	 "  --work DIR             keep the work folder (checkouts, caches) in DIR\n"
	 "  --keep-images          leave the run's images (and the builder cache) on the\n"
	 "                         engine\n"
	 "  --engines A,B          build on these docker engines (context names or\n"
	 "                         DOCKER_HOST URLs), a series per engine at a time;\n"
	 "                         overrides the scenario's engines\n"
	 "  --gate FILE            gate the finished run against the baseline FILE\n"
	 "  --allow-different LIST with --gate: differences from the baseline to allow\n"
	 "                         (SCALE,COMMITS,DOCKERFILES,ENGINE,MACHINE); any other\n"
	 "                         exits 2\n"
	 "  --dry-run              print every docker command and run none, then the\n"
	 "                         number of builds and an estimate from an earlier\n"
	 "                         run of the scenario in the results folder\n"
	 "  --no-plot              do not draw the charts nor write index.html at the end\n"
	 "  -q, --quiet            no progress on stderr\n",
	 "bench run scenarios/cafeboo.ini\n"
	 "bench run --dry-run scenarios/cafeboo.ini\n"
	 "bench run scenarios/cafeboo.ini --only multi-stage-cached --commits last:2\n",
	 "0 every build ok, 1 some build not ok (or the gate failed), 2 usage or set-up\n"
	 "error, 130 interrupted (everything finished is kept: continue with --resume)\n"},

	{"plot", "draw the charts of a results folder with gnuplot",
	 "plot RESULTS_DIR [-o DIR]",
	 "Draw the charts of a results folder: build time per commit, cold vs warm,\n"
	 "where the time goes (step groups) and cache hits, as PNG (1200x700) and SVG,\n"
	 "with their data files (*.dat) and gnuplot scripts (*.gp). A sweep folder\n"
	 "gets its chart: warm time against the parameter (DIR/plots/sweep.*).\n"
	 "Templates come from $BENCH_DATADIR/plots, <bench's folder>/plots or\n"
	 "<bench's folder>/../share/bench/plots.\n",
	 "  -o, --output DIR       write into DIR (default RESULTS_DIR/plots; --out is\n"
	 "                         the same)\n",
	 "bench plot results/cafeboo-20261129T182405Z\n"
	 "bench plot docs/runs/cafeboo-main -o /tmp/cafeboo-charts\n",
	 "0 drawn (or nothing to draw), 2 usage error or unreadable results, 1 another\n"
	 "failure\n"},

	{"report", "print a results folder as markdown, csv, json, html or text",
	 "report RESULTS_DIR [--format F] [-o FILE]",
	 "Print the verdict (the pick, time per push, CI minutes and dollars a month),\n"
	 "the summary (per variant: cold, warm median, warm/cold, cached steps, with\n"
	 "n, mean, stddev, min, max) and the builds of a results folder. A sweep\n"
	 "folder (bench sweep) gets its table and crossovers, a bisect folder (bench\n"
	 "bisect) its probes and verdict, in text, markdown, csv, json or html.\n",
	 "  -f, --format F         markdown (default; ready for $GITHUB_STEP_SUMMARY),\n"
	 "                         csv, json ({summary, builds, verdict}),\n"
	 "                         benchmark-action (the array github-action-benchmark\n"
	 "                         reads as customSmallerIsBetter), html (one\n"
	 "                         self-contained page: verdict, charts, tables, gate\n"
	 "                         verdict, the builds with links to their logs; bench\n"
	 "                         run writes it as RESULTS_DIR/index.html) or text\n"
	 "                         (what bench run prints at its end)\n"
	 "  -o, --output FILE      write to FILE instead of stdout\n",
	 "bench report docs/runs/cafeboo-main\n"
	 "bench report docs/runs/cafeboo-main --format html -o /tmp/cafeboo.html\n",
	 "0 printed, 2 usage error or unreadable results\n"},

	{"compare", "compare two runs variant by variant",
	 "compare RUN_A RUN_B [--format F] [-o FILE] [--threshold X]",
	 "Compare two results folders variant by variant: first what makes them measure\n"
	 "different things, when anything does (scale, commits, Dockerfiles, engine,\n"
	 "machine), then cold and warm medians, the\n"
	 "ratio B/A, the spread, and a verdict on the warm builds by the rule of\n"
	 "bench gate: better or worse only when B's median is beyond A's by more than\n"
	 "the threshold and a two-sided Mann-Whitney U test (p < 0.05) tells B's\n"
	 "builds from A's shifted by the threshold; no significant change when it\n"
	 "cannot; inconclusive when the numbers of builds cannot reach p < 0.05 at\n"
	 "all (3 against 3 or 4).\n",
	 "  -f, --format F         text (default), markdown or html (a self-contained\n"
	 "                         page)\n"
	 "  -o, --output FILE      write to FILE instead of stdout\n"
	 "  -t, --threshold X      the change that counts, as 10% or 0.10 (default 5%;\n"
	 "                         the html page uses 5%)\n",
	 "bench compare docs/runs/cafeboo-main docs/runs/cafeboo-scale1\n",
	 "0 compared, whatever the verdicts; 2 usage error or unreadable results\n"},

	{"blog", "the cafeboo run next to the blog's figures, projected to scale 1",
	 "blog RESULTS_DIR [CALIBRATION_DIR] [--against FULL_DIR] [--json]",
	 "The blog's figures next to a cafeboo run's: measured, and projected to scale 1\n"
	 "build by build and step group by step group through the same builds in the\n"
	 "calibration run (RESULTS_DIR/calibration/*, or CALIBRATION_DIR: a run of the\n"
	 "same commits at a smaller scale); and the reproduction's targets.\n",
	 "  --against FULL_DIR     instead, set the projection against the builds of\n"
	 "                         FULL_DIR, a run at scale 1: build by build and step\n"
	 "                         group by step group, with the error of each;\n"
	 "                         repeatable: several scale-1 runs of some builds each\n"
	 "  --json                 print the evaluation as JSON\n",
	 "bench blog docs/runs/cafeboo-main\n"
	 "bench blog docs/runs/cafeboo-main --against docs/runs/cafeboo-scale1\n",
	 "0 printed, 2 usage error or unreadable results\n"},

	{"baseline", "keep a run's figures as the baseline for bench gate",
	 "baseline RESULTS_DIR [-o FILE]",
	 "Keep the figures of a recorded run (per variant: cold and warm times with\n"
	 "their samples, warm/cold, cached steps, image and cache sizes, ratios to\n"
	 "the other variants) as a baseline for bench gate.\n",
	 "  -o, --output FILE      write the baseline to FILE (atomically; default stdout)\n",
	 "bench baseline docs/runs/cafeboo-main -o /tmp/baseline.json\n",
	 "0 written, 2 usage error or unreadable results\n"},

	{"gate", "judge a run against a baseline: exit 1 on a regression (CI)",
	 "gate RESULTS_DIR --baseline FILE [options]",
	 "Judge a run against a baseline made by bench baseline, one line per check\n"
	 "(PASS, FAIL or SKIP, measured, limit, baseline, why). A time check fails only\n"
	 "when its median is beyond the limit and a two-sided Mann-Whitney U test\n"
	 "(p < 0.05) tells the run's samples from the baseline's shifted by the\n"
	 "threshold; when the samples are too few for p < 0.05 (one series against\n"
	 "one, 3 against 3) it passes as inconclusive, saying why. warm/cold has one\n"
	 "sample per series, vs REF one per warm build. Ok builds and cached steps are\n"
	 "exact; image and cache sizes have their allowances.\n",
	 "  --baseline FILE        the baseline made by bench baseline\n"
	 "  -f, --format F         the report's form: text (default), markdown or json\n"
	 "  -o, --output FILE      write the report to FILE (the text report still goes\n"
	 "                         to stdout)\n"
	 "  --summary FILE         append the Markdown report to FILE\n"
	 "                         (e.g. \"$GITHUB_STEP_SUMMARY\")\n"
	 "Thresholds (default: the run's [gate] section, else the values shown):\n"
	 "  --warm-over-cold-growth X\n"
	 "                         warm/cold may grow by X (0.10)\n"
	 "  --warm-median-growth X\n"
	 "                         warm median vs the reference variant, and absolute\n"
	 "                         with --absolute, may grow by X (15%)\n"
	 "  --image-growth X       image size may grow by X (5%)\n"
	 "  --cache-growth X       cache folder size may grow by X (20%)\n"
	 "  --cached-steps-may-fall\n"
	 "                         do not fail when fewer warm steps are cached\n"
	 "  --reference VARIANT    judge each variant's warm builds relative to\n"
	 "                         VARIANT's builds of the same commits in the same run\n"
	 "                         (default: the first variant without any cache; none:\n"
	 "                         no such check)\n"
	 "  --absolute             also judge absolute warm medians (same machine)\n"
	 "  --allow-different LIST gate a run that differs from the baseline in these\n"
	 "                         (comma-separated): SCALE, COMMITS, DOCKERFILES,\n"
	 "                         ENGINE, MACHINE; any other difference exits 2\n",
	 "bench gate docs/runs/cafeboo-main --baseline /tmp/baseline.json\n"
	 "bench gate results/cafeboo-* --baseline baseline.json --summary \"$GITHUB_STEP_SUMMARY\"\n",
	 "0 no regression (skips allowed), 1 a regression, 2 usage or set-up error\n"
	 "(missing or corrupt baseline, unreadable results, a run that differs from the\n"
	 "baseline in a way --allow-different does not name)\n"},

	{"bisect", "find the commit of a range that broke the build cache",
	 "bisect SCENARIO.ini [--variant NAME] [options]",
	 "Find the first commit of a first-parent range that broke the build cache.\n"
	 "A probe at commit C builds C's parent cold (as the variant's runner and\n"
	 "cache say), then C warm; it is bad when it does worse than the probe of\n"
	 "the good end (the commit before the range): fewer cached steps, or (with\n"
	 "--metric warm_seconds) a slower warm build by the gate's rule, probing\n"
	 "again while the samples are too few to tell. The newest commit is probed\n"
	 "second; when it is not bad no commit is. Then about log2(N) probes.\n",
	 "  --variant NAME         the variant to probe (default: the scenario's only one)\n"
	 "  --commits RANGE        A..B or last:N (default: the scenario's commits)\n"
	 "  --metric M             cached_steps (default) or warm_seconds\n"
	 "  --threshold X          warm_seconds: how much slower is bad, as 15% or 0.15\n"
	 "                         (default: the scenario's [gate] warm_median_growth,\n"
	 "                         15%)\n"
	 "  --max-probes N         warm_seconds: most probes of one commit (default 5)\n"
	 RESULTS_OPTS
	 "  --resume DIR           continue the interrupted bisection in DIR\n"
	 "  --force                resume even when the scenario file changed\n"
	 "  --work DIR             keep the work folder (checkouts, caches) in DIR\n"
	 "  --no-plot              do not write index.html at the end\n"
	 "  -q, --quiet            no progress on stderr\n",
	 "bench bisect scenarios/bisect.ini --variant app --commits last:12\n",
	 "0 found the first bad commit or proved there is none, 1 could not decide (it\n"
	 "says why), 2 usage or set-up error, 130 interrupted (every finished probe is\n"
	 "kept: continue with --resume)\n"},

	{"sweep", "run a scenario once per value of a parameter; where a strategy pays",
	 "sweep SCENARIO.ini --param KEY=V1,V2,... [--param ...] [options]",
	 "Run the scenario once per value of KEY (once per combination of the values\n"
	 "of several --param), each run in a results folder of its own inside the\n"
	 "sweep folder; then the table of cold and warm medians per variant and value,\n"
	 "the chart of warm time against the first parameter, and the crossovers:\n"
	 "where two variants swap places (interpolated between the two values where\n"
	 "their order flips).\n"
	 "\n"
	 "KEY is a key of the scenario file: KEY for the one section that has it (a\n"
	 "variant key sets every variant), SECTION.KEY (scenario, world, gate) or\n"
	 "VARIANT.KEY for one variant; e.g. bandwidth, runner_bandwidth,\n"
	 "cache_bandwidth, latency, scale, cache_mode, multi-stage-cached.cache_mode.\n"
	 "Each value is checked as the file's would be.\n",
	 "  --param KEY=V1,V2,...  a key and its values (repeatable)\n"
	 "  --only V[,V...]        build only these variants, at every point\n"
	 "  --commits RANGE        replay RANGE instead of the scenario's commits\n"
	 "  --scale X              multiply every size of the emulated world by X\n"
	 "  --results DIR          parent folder of the sweep folder (default: results)\n"
	 "  --resume DIR           continue the interrupted sweep in DIR (its parameters\n"
	 "                         and options are the ones it was started with)\n"
	 "  --force                resume even when the scenario file changed\n"
	 "  --no-plot              no charts and no index.html, for the points and the\n"
	 "                         sweep\n"
	 "  -q, --quiet            no progress on stderr\n",
	 "bench sweep scenarios/cafeboo.ini --param bandwidth=5MB/s,25MB/s,100MB/s\n",
	 "0 every build of every point ok, 1 some build not ok, 2 usage or set-up error,\n"
	 "130 interrupted (every finished point and build is kept)\n"},

	{"help", "this list, a command's help, or the lists the completion reads",
	 "help [CMD | --commands | --options CMD | --keys]",
	 "Print the list of commands, or the help page of CMD (as bench CMD --help\n"
	 "does). --commands, --options CMD and --keys print, one per line, the\n"
	 "command names, the options of CMD and the scenario keys (SECTION.KEY):\n"
	 "what the bash completion offers. bench --man prints this manual page.\n",
	 "  --commands             the command names\n"
	 "  --options CMD          the options of CMD\n"
	 "  --keys                 every scenario key, as SECTION.KEY\n",
	 "bench help run\n"
	 "bench help --keys\n",
	 "0 printed, 2 no such command or a usage error\n"},
};

#define NPAGES (sizeof(pages) / sizeof(pages[0]))

const struct help_page *help_page_at(size_t i)
{
	return i < NPAGES ? &pages[i] : NULL;
}

const struct help_page *help_find(const char *name)
{
	size_t i;
	for (i = 0; name && i < NPAGES; i++)
		if (!strcmp(pages[i].name, name))
			return &pages[i];
	return NULL;
}

/* Each line of text to f with prefix before it. */
static void indent(FILE *f, const char *prefix, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		fprintf(f, "%s%.*s\n", n ? prefix : "", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

int help_print(FILE *f, const char *name)
{
	const struct help_page *p = help_find(name);
	if (!p)
		return -1;
	fprintf(f, "usage: bench %s\n\n%s\nOptions:\n", p->synopsis, p->description);
	if (p->options)
		fputs(p->options, f);
	fputs("  -h, --help             show this help\n\nExamples:\n", f);
	indent(f, "  ", p->examples);
	fputs("\nExit status: ", f);
	fputs(p->exit_status, f);
	return 0;
}

void help_print_commands(FILE *f)
{
	size_t i;
	fputs("usage: bench <command> [options]\n"
	      "       bench --help | --version | --man\n\n"
	      "Replay git commits against Dockerfile variants on a real Docker engine and\n"
	      "measure cold and warm builds: which build strategy pays for a repository.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < NPAGES; i++)
		fprintf(f, "  %-10s %s\n", pages[i].name, pages[i].summary);
	fputs("\n'bench help CMD' or 'bench CMD --help' describes a command, with examples.\n\n"
	      "Example:\n  bench run --dry-run scenarios/cafeboo.ini\n\n"
	      "Exit status: 0 ok, 1 some build not ok or a regression, 2 usage or set-up\n"
	      "error, 130 interrupted.\n", f);
}

/* One option name per line: the words starting with '-' before the
 * description of each item line of an options text. */
static void options_of(FILE *f, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		const char *p = text, *end = text + n;
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p == '-') {
			size_t w = strcspn(p, " ,=\n");
			fprintf(f, "%.*s\n", (int)w, p);
			p += w;
			/* ", -x" continues the item; "ARG" or two spaces end the names */
			while (p < end && *p != ' ' && *p != ',')
				p++;
			if (p + 2 <= end && p[0] == ',' && p[1] == ' ')
				p += 2;
			else
				break;
		}
		text += n + (text[n] == '\n');
	}
}

int help_print_options(FILE *f, const char *name)
{
	const struct help_page *p = help_find(name);
	if (!p)
		return -1;
	options_of(f, p->options);
	fputs("-h\n--help\n", f);
	return 0;
}

/* text as roff: backslashes, minus signs and leading dots escaped. */
static void roff_text(FILE *f, const char *text, size_t n)
{
	size_t i;
	if (n && (text[0] == '.' || text[0] == '\''))
		fputs("\\&", f);
	for (i = 0; i < n; i++) {
		if (text[i] == '\\')
			fputs("\\e", f);
		else if (text[i] == '-')
			fputs("\\-", f);
		else
			fputc(text[i], f);
	}
}

/* Paragraphs of text (blank lines between them) as roff. */
static void roff_paragraphs(FILE *f, const char *text)
{
	bool start = true;
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		if (!n) {
			start = true;
		} else {
			if (start)
				fputs(".PP\n", f);
			start = false;
			roff_text(f, text, n);
			fputc('\n', f);
		}
		text += n + (text[n] == '\n');
	}
}

/* An options text as roff: each item a .TP with its names in bold, the
 * continuation lines its paragraph; a heading line a .PP of its own. */
static void roff_options(FILE *f, const char *text)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n"), lead = strspn(text, " ");
		const char *line = text + lead;
		size_t len = n > lead ? n - lead : 0;
		if (lead == 0) {
			fputs(".PP\n", f);
			roff_text(f, text, n);
			fputc('\n', f);
		} else if (lead <= 4 && len && line[0] == '-') {
			const char *gap = strstr(line, "  ");
			size_t names = gap && (size_t)(gap - line) < len ? (size_t)(gap - line) : len;
			fputs(".TP\n.B ", f);
			roff_text(f, line, names);
			fputc('\n', f);
			while (names < len && line[names] == ' ')
				names++;
			if (names < len) {
				roff_text(f, line + names, len - names);
				fputc('\n', f);
			}
		} else if (len) {
			roff_text(f, line, len);
			fputc('\n', f);
		}
		text += n + (text[n] == '\n');
	}
}

/* Lines of shell as an indented, unfilled block. */
static void roff_example(FILE *f, const char *text)
{
	fputs(".PP\n.RS 4\n.nf\n", f);
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		roff_text(f, text, n);
		fputc('\n', f);
		text += n + (text[n] == '\n');
	}
	fputs(".fi\n.RE\n", f);
}

void help_print_man(FILE *f)
{
	size_t i;
	fputs(".\\\" bench(1): made by `bench --man` from harness/cli/help.c; do not edit\n"
	      ".TH BENCH 1 2026 \"bench " BENCH_VERSION "\" \"User Commands\"\n"
	      ".SH NAME\nbench \\- replay git commits against Dockerfile variants and measure "
	      "the builds\n"
	      ".SH SYNOPSIS\n.B bench\n.I command\n[options]\n.br\n.B bench\n"
	      "\\-\\-help | \\-\\-version | \\-\\-man\n"
	      ".SH DESCRIPTION\n"
	      ".B bench\nmeasures which Docker build strategy pays off for a repository. It replays\n"
	      "a series of git commits against variant Dockerfiles, builds each one through\n"
	      "the real docker CLI (buildx/BuildKit, or buildah), measures cold and warm\n"
	      "builds, keeps every figure, draws the charts and gates regressions in CI.\n"
	      "A scenario file (INI) names the repository, the commits and the variants;\n"
	      "its keys are in docs/scenario.md and\n.B bench help \\-\\-keys\nlists them.\n"
	      ".SH COMMANDS\n", f);
	for (i = 0; i < NPAGES; i++) {
		const struct help_page *p = &pages[i];
		fputs(".SS \"", f);
		roff_text(f, p->name, strlen(p->name));
		fputs("\"\n.B bench\n", f);
		roff_text(f, p->synopsis, strlen(p->synopsis));
		fputs("\n", f);
		roff_paragraphs(f, p->description);
		roff_options(f, p->options);
		fputs(".TP\n.B \\-h, \\-\\-help\nshow this help\n.PP\nExamples:\n", f);
		roff_example(f, p->examples);
		fputs(".PP\nExit status: ", f);
		roff_text(f, p->exit_status, strlen(p->exit_status));
	}
	fputs(".SH EXIT STATUS\n"
	      ".TP\n.B 0\nevery build ok (or: printed, written, no regression)\n"
	      ".TP\n.B 1\nsome build not ok (failed, timeout, skipped, interrupted), or the gate "
	      "found a regression\n"
	      ".TP\n.B 2\nusage or set\\-up error: a bad option or scenario, no docker or buildx, "
	      "a missing or corrupt baseline, a results folder that cannot be written\n"
	      ".TP\n.B 130\ninterrupted by Ctrl\\-C (everything finished is kept)\n"
	      ".SH ENVIRONMENT\n.TP\n.B BENCH_DATADIR\nwhere the plot templates are looked "
	      "for first (its plots/ folder)\n"
	      ".TP\n.B TMPDIR\nwhere the engine locks are kept (bench\\-engine.lock)\n"
	      ".SH SEE ALSO\n.BR docker (1),\n.BR gnuplot (1);\n"
	      "README.md and docs/*.md in the source folder.\n", f);
}

/* The scenario keys, as SECTION.KEY, from the key table. */
static void print_keys(FILE *f)
{
	const struct scenario_key_doc *d;
	size_t i;
	for (i = 0; (d = scenario_key_doc(i)); i++)
		fprintf(f, "%s.%s\n", d->section, d->name);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		help_print_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--commands") && argc == 2) {
		for (size_t i = 0; i < NPAGES; i++)
			printf("%s\n", pages[i].name);
		return 0;
	}
	if (!strcmp(argv[1], "--keys") && argc == 2) {
		print_keys(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--options") && argc == 3) {
		if (help_print_options(stdout, argv[2]) == 0)
			return 0;
		fprintf(stderr, "bench help: error: no command '%s'\ntry 'bench --help'\n", argv[2]);
		return 2;
	}
	if ((!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) && argc == 2)
		return help_print(stdout, "help") == 0 ? 0 : 2;
	if (argc == 2 && argv[1][0] != '-') {
		if (help_print(stdout, argv[1]) == 0)
			return 0;
		fprintf(stderr, "bench help: error: no command '%s'\ntry 'bench --help'\n", argv[1]);
		return 2;
	}
	fprintf(stderr, "bench help: error: unknown or extra argument '%s'\ntry 'bench help --help'\n",
		argv[argc - 1]);
	return 2;
}
