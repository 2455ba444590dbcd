/*
 * plot.c: the charts of a results folder (see plot.h): the step classifier,
 * the data files, the gnuplot scripts made from plots/NAME.gp.in, and the
 * rendering through gnuplot (exec'ed with proc_run, never a shell).
 */
#include "pages/plot.h"
#include "lib/error.h"
#include "pages/gnuplot.h"
#include "results/stats.h"
#include "lib/jsonx.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define NGROUPS PLOT_NGROUPS
/* Up to this many commits, tic labels are two horizontal lines. */
#define PLOT_HORIZONTAL_MAX 8

/* Colours of the lines (one per variant): distinct hues at distinct
 * luminance, with dash and point types as well, so greyscale keeps them apart. */
static const char *const line_colors[] = {
	"#1b0c41", "#d1495b", "#00798c", "#edae49", "#6a4c93", "#66a182", "#8d96a3", "#3d348b",
};
static const int line_dash[] = {1, 2, 4, 5, 3, 1, 2, 4};
static const int line_point[] = {7, 5, 9, 13, 11, 4, 6, 8};
#define NCOLORS 8

/* The step groups: viridis colours (monotonic luminance, so each group keeps
 * its own grey), handed out interleaved so that neighbours in a stack differ
 * by at least two luminance steps. */
static const char *const group_colors[NGROUPS] = {
	"#440154", "#21918c", "#fde725", "#3b528b", "#5ec962", "#472d7b", "#28ae80", "#2c728e", "#addc30",
};

/* What each group stands for, in the steps chart's legend. */
static const char *const group_legend[NGROUPS] = {
	"base image, system setup, metadata", "dependency install (pip)", "model download",
	"code (build context, COPY)", "image export", "BuildKit cache import/export",
	"cache restore/save (actions/cache)", "push", "other",
};

const char *plot_group_color(size_t group)
{
	return group < NGROUPS ? group_colors[group] : NULL;
}

const char *plot_group_legend(size_t group)
{
	return group < NGROUPS ? group_legend[group] : NULL;
}

/* ---- what the builds hold ---- */

static bool build_ok(json_t *b)
{
	return !strcmp(json_str(b, "status"), "ok") && json_is_number(json_object_get(b, "wall_seconds"));
}

struct commit {
	long index;
	char *label;        /* "short subject" (truncated) with "*" when changed */
	bool changed;       /* touched requirements*.txt or a Dockerfile */
	char *short_id, *subject;
};

/* The variants (scenario order first, then as builds name them) and the
 * commits (by index) of a run. */
struct gather {
	struct strvec variants;
	struct commit *commits;
	size_t ncommits;
	bool any_changed;
};

static bool starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool touches_deps(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (starts(base, "requirements") && n > 4 && !strcasecmp(base + n - 4, ".txt"))
		return true;
	if (!strcasecmp(base, "Dockerfile") || starts(base, "Dockerfile."))
		return true;
	return n > 11 && !strcasecmp(base + n - 11, ".dockerfile");
}

static ssize_t strvec_find(const struct strvec *sv, const char *s)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return (ssize_t)i;
	return -1;
}

static int commit_cmp(const void *a, const void *b)
{
	const struct commit *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* A copy of s cut to at most max bytes on a UTF-8 boundary, "…" appended
 * when cut. */
static char *truncate_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	n = max - 1;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return xasprintf("%.*s\xE2\x80\xA6", (int)n, s);
}

static void gather_init(struct gather *g, json_t *run)
{
	json_t *builds = json_object_get(run, "builds"), *vars, *b, *v;
	struct strvec seen = {0};
	size_t i, j, k;

	memset(g, 0, sizeof(*g));
	json_array_foreach(builds, i, b) {
		const char *name = json_str(b, "variant");
		struct commit *c = NULL;
		long index = (long)json_num(b, "index", 0);

		if (strvec_find(&seen, name) < 0)
			strvec_push(&seen, name);
		for (j = 0; j < g->ncommits; j++)
			if (g->commits[j].index == index)
				c = &g->commits[j];
		if (!c) {
			g->commits = xrealloc(g->commits, (g->ncommits + 1) * sizeof(*c));
			c = &g->commits[g->ncommits++];
			memset(c, 0, sizeof(*c));
			c->index = index;
			c->short_id = xstrdup(json_str(b, "short"));
			c->subject = xstrdup(json_str(b, "subject"));
		}
		json_array_foreach(json_object_get(b, "changed"), k, v)
			if (json_is_string(v) && touches_deps(json_string_value(v)))
				c->changed = true;
	}
	vars = json_object_get(json_object_get(run, "scenario"), "variants");
	json_array_foreach(vars, i, v) {
		const char *name = json_str(v, "name");
		if (strvec_find(&seen, name) >= 0 && strvec_find(&g->variants, name) < 0)
			strvec_push(&g->variants, name);
	}
	for (i = 0; i < seen.n; i++)
		if (strvec_find(&g->variants, seen.v[i]) < 0)
			strvec_push(&g->variants, seen.v[i]);
	strvec_release(&seen);
	if (g->ncommits)
		qsort(g->commits, g->ncommits, sizeof(*g->commits), commit_cmp);
	for (j = 0; j < g->ncommits; j++) {
		struct commit *c = &g->commits[j];
		/* horizontal labels share the plot's ~680 px: about 9 px a character */
		size_t room = g->ncommits <= PLOT_HORIZONTAL_MAX ? 680 / (9 * g->ncommits) : 24;
		char *subject = truncate_utf8(c->subject, room < 8 ? 8 : room > 24 ? 24 : room);
		/* few commits: two lines, horizontal; many: one line, rotated */
		if (g->ncommits <= PLOT_HORIZONTAL_MAX)
			c->label = xasprintf("%s%s\n%s", c->short_id, c->changed ? " *" : "", subject);
		else
			c->label = xasprintf("%s %s%s", c->short_id, subject, c->changed ? " *" : "");
		g->any_changed |= c->changed;
		free(subject);
	}
}

static void gather_release(struct gather *g)
{
	size_t j;
	for (j = 0; j < g->ncommits; j++) {
		free(g->commits[j].label);
		free(g->commits[j].short_id);
		free(g->commits[j].subject);
	}
	free(g->commits);
	strvec_release(&g->variants);
}

static size_t commit_slot(const struct gather *g, long index)
{
	size_t j;
	for (j = 0; j < g->ncommits; j++)
		if (g->commits[j].index == index)
			return j;
	return 0;
}

/* ---- text helpers ---- */

/* s as a data-file string: double quotes (which cannot be escaped there)
 * become single quotes and backslashes slashes; a newline is written as \n,
 * which gnuplot reads back as a newline; other control characters spaces. */
static void dat_string(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, "\"");
	for (; *s; s++) {
		char c = *s == '"' ? '\'' : *s == '\\' ? '/' : ((unsigned char)*s < 0x20 ? ' ' : *s);
		if (*s == '\n')
			strbuf_puts(sb, "\\n");
		else
			strbuf_add(sb, &c, 1);
	}
	strbuf_puts(sb, "\"");
}

static void dat_value(struct strbuf *sb, double v)
{
	if (isfinite(v))
		strbuf_printf(sb, " %.3f", v);
	else
		strbuf_puts(sb, " NaN");
}

static void line_styles(struct strbuf *setup, size_t n)
{
	size_t k;
	for (k = 0; k < n; k++)
		strbuf_printf(setup, "set style line %zu lc rgb \"%s\" lw 2.5 dt %d pt %d ps 1.6\n",
			      k + 1, line_colors[k % NCOLORS], line_dash[k % NCOLORS],
			      line_point[k % NCOLORS]);
}

/* The commit axis: tic labels, and the commits that changed requirements or
 * a Dockerfile as shaded columns with a legend entry (appended to plot). */
static void commit_axis(struct strbuf *setup, struct strbuf *plot, const struct gather *g)
{
	size_t j, obj = 1;
	for (j = 0; j < g->ncommits; j++)
		if (g->commits[j].changed)
			strbuf_printf(setup, "set object %zu rect from first %ld.5, graph 0 to first %ld.5, "
				      "graph 1 behind fillcolor rgb \"#e4e4e4\" fillstyle solid 1.0 noborder\n",
				      obj++, g->commits[j].index - 1, g->commits[j].index);
	strbuf_puts(setup, "set xtics (");
	for (j = 0; j < g->ncommits; j++) {
		strbuf_puts(setup, j ? ", " : "");
		gnuplot_quote(setup, g->commits[j].label);
		strbuf_printf(setup, " %ld", g->commits[j].index);
	}
	strbuf_puts(setup, ")\n");
	if (g->ncommits > PLOT_HORIZONTAL_MAX)
		strbuf_puts(setup, "set xtics rotate by 30 right\n");
	else /* gnuplot leaves room for one line of tic labels only */
		strbuf_puts(setup, "set xlabel offset 0,-1.2\nset bmargin 5.5\n");
	if (g->ncommits)
		strbuf_printf(setup, "set xrange [%ld.5:%ld.5]\n", g->commits[0].index - 1,
			      g->commits[g->ncommits - 1].index);
	if (g->any_changed)
		strbuf_puts(plot, ", \\\n     NaN with boxes fillstyle solid 1.0 fillcolor rgb \"#e4e4e4\" "
			    "title \"* requirements.txt or Dockerfile changed\"");
}

/* ---- the charts: each fills a data file, set lines and a plot command ---- */

struct chart {
	const char *name;   /* file stem: NAME.dat, NAME.gp, NAME.png, NAME.svg */
	struct strbuf data, setup, plot;
	char *title;
	bool empty;         /* nothing to draw */
};

/* Per commit and variant: the mean of a per-build value over ok builds
 * (repetitions); NaN where there is none. `cold_only` keeps cold builds. */
static double *per_commit_mean(const struct gather *g, json_t *builds,
			       double (*value)(json_t *b), bool cold_only)
{
	size_t nv = g->variants.n, nc = g->ncommits, i, cells = nv * nc;
	double *sum = xcalloc(cells ? cells : 1, sizeof(double));
	size_t *count = xcalloc(cells ? cells : 1, sizeof(size_t));
	json_t *b;

	json_array_foreach(builds, i, b) {
		ssize_t v = strvec_find(&g->variants, json_str(b, "variant"));
		size_t c = commit_slot(g, (long)json_num(b, "index", 0));
		double x;
		if (v < 0 || !build_ok(b) || (cold_only && strcmp(json_str(b, "phase"), "cold")))
			continue;
		x = value(b);
		if (!isfinite(x))
			continue;
		sum[c * nv + (size_t)v] += x;
		count[c * nv + (size_t)v]++;
	}
	for (i = 0; i < cells; i++)
		sum[i] = count[i] ? sum[i] / (double)count[i] : NAN;
	free(count);
	return sum;
}

static double wall_of(json_t *b)
{
	return json_num(b, "wall_seconds", NAN);
}

static double hit_percent(json_t *b)
{
	double total = json_num(b, "steps_total", 0);
	return total > 0 ? 100.0 * json_num(b, "steps_cached", 0) / total : NAN;
}

static bool any_finite(const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			return true;
	return false;
}

static void chart_build_time(struct chart *ch, const struct gather *g, json_t *builds)
{
	size_t nv = g->variants.n, j, k;
	double *mean = per_commit_mean(g, builds, wall_of, false);
	double *cold = per_commit_mean(g, builds, wall_of, true);

	ch->title = xstrdup("Build time per commit (mean of the repetitions)");
	strbuf_puts(&ch->data, "# build_time.dat: wall seconds of ok builds per commit, mean over "
		    "repetitions; NaN = none\n# index short label");
	for (k = 0; k < nv; k++)
		strbuf_printf(&ch->data, " %s:mean %s:cold", g->variants.v[k], g->variants.v[k]);
	strbuf_puts(&ch->data, "\n");
	for (j = 0; j < g->ncommits; j++) {
		strbuf_printf(&ch->data, "%ld %s ", g->commits[j].index, g->commits[j].short_id);
		dat_string(&ch->data, g->commits[j].label);
		for (k = 0; k < nv; k++) {
			dat_value(&ch->data, mean[j * nv + k]);
			dat_value(&ch->data, cold[j * nv + k]);
		}
		strbuf_puts(&ch->data, "\n");
	}
	ch->empty = !any_finite(mean, nv * g->ncommits);

	line_styles(&ch->setup, nv);
	strbuf_puts(&ch->plot, "plot ");
	for (k = 0; k < nv; k++) {
		strbuf_printf(&ch->plot, "%s'build_time.dat' using 1:%zu with linespoints ls %zu title ",
			      k ? ", \\\n     " : "", 4 + 2 * k, k + 1);
		gnuplot_quote(&ch->plot, g->variants.v[k]);
	}
	for (k = 0; k < nv; k++)
		strbuf_printf(&ch->plot, ", \\\n     'build_time.dat' using 1:%zu with points pt 6 ps 3.2 "
			      "lw 2 lc rgb \"black\" %s", 5 + 2 * k,
			      k ? "notitle" : "title \"cold build (circled)\"");
	commit_axis(&ch->setup, &ch->plot, g);
	free(mean);
	free(cold);
}

static void chart_cache_hits(struct chart *ch, const struct gather *g, json_t *builds)
{
	size_t nv = g->variants.n, j, k;
	double *hits = per_commit_mean(g, builds, hit_percent, false);

	ch->title = xstrdup("Cache hits per commit: cached steps / steps (mean of the repetitions)");
	strbuf_puts(&ch->data, "# cache_hits.dat: percent of Dockerfile steps cached in ok builds per "
		    "commit, mean over repetitions; NaN = none\n# index short label");
	for (k = 0; k < nv; k++)
		strbuf_printf(&ch->data, " %s", g->variants.v[k]);
	strbuf_puts(&ch->data, "\n");
	for (j = 0; j < g->ncommits; j++) {
		strbuf_printf(&ch->data, "%ld %s ", g->commits[j].index, g->commits[j].short_id);
		dat_string(&ch->data, g->commits[j].label);
		for (k = 0; k < nv; k++)
			dat_value(&ch->data, hits[j * nv + k]);
		strbuf_puts(&ch->data, "\n");
	}
	ch->empty = !any_finite(hits, nv * g->ncommits);

	line_styles(&ch->setup, nv);
	strbuf_puts(&ch->plot, "plot ");
	for (k = 0; k < nv; k++) {
		strbuf_printf(&ch->plot, "%s'cache_hits.dat' using ($1%+.3f):%zu with linespoints ls %zu title ",
			      k ? ", \\\n     " : "", 0.04 * ((double)k - (double)(nv - 1) / 2), 4 + k, k + 1);
		gnuplot_quote(&ch->plot, g->variants.v[k]);
	}
	commit_axis(&ch->setup, &ch->plot, g);
	free(hits);
}

/* The wall seconds of a variant's ok builds in `phase`. *n gets the count. */
static double *phase_samples(size_t *n, json_t *builds, const char *variant, const char *phase)
{
	double *v = xmalloc((json_array_size(builds) + 1) * sizeof(double));
	json_t *b;
	size_t i;

	*n = 0;
	json_array_foreach(builds, i, b)
		if (build_ok(b) && !strcmp(json_str(b, "variant"), variant) &&
		    !strcmp(json_str(b, "phase"), phase))
			v[(*n)++] = json_num(b, "wall_seconds", 0);
	return v;
}

static void chart_cold_warm(struct chart *ch, const struct gather *g, json_t *builds)
{
	static const char *const phases[] = {"cold", "warm"};
	static const char *const colors[] = {"#2c115f", "#f6b04a"};
	size_t nv = g->variants.n, k, p, n;

	ch->title = xstrdup("Cold and warm builds per variant (median, min-max whiskers)");
	strbuf_puts(&ch->data, "# cold_warm.dat: wall seconds of ok builds per variant; NaN = none\n"
		    "# slot variant cold_median cold_min cold_max warm_median warm_min warm_max "
		    "cold_n warm_n\n");
	ch->empty = true;
	strbuf_puts(&ch->setup, "set xtics (");
	for (k = 0; k < nv; k++) {
		struct stats st[2];
		for (p = 0; p < 2; p++) {
			double *v = phase_samples(&n, builds, g->variants.v[k], phases[p]);
			stats_compute(&st[p], v, n);
			ch->empty &= n == 0;
			free(v);
		}
		strbuf_printf(&ch->data, "%zu ", k);
		dat_string(&ch->data, g->variants.v[k]);
		for (p = 0; p < 2; p++) {
			dat_value(&ch->data, st[p].n ? st[p].median : NAN);
			dat_value(&ch->data, st[p].n ? st[p].min : NAN);
			dat_value(&ch->data, st[p].n ? st[p].max : NAN);
		}
		strbuf_printf(&ch->data, " %zu %zu\n", st[0].n, st[1].n);
		strbuf_printf(&ch->setup, "%s", k ? ", " : "");
		gnuplot_quote(&ch->setup, g->variants.v[k]);
		strbuf_printf(&ch->setup, " %zu", k);
	}
	strbuf_printf(&ch->setup, ")\nset xrange [-0.6:%zu.6]\n", nv ? nv - 1 : 0);
	strbuf_puts(&ch->plot, "plot ");
	for (p = 0; p < 2; p++) {
		const char *x = p ? "($1+0.2)" : "($1-0.2)";
		size_t c = 3 + 3 * p;
		strbuf_printf(&ch->plot,
			      "%s'cold_warm.dat' using %s:%zu:(0.38) with boxes fillstyle %s "
			      "border lc rgb \"black\" fillcolor rgb \"%s\" title \"%s build (median)\", \\\n"
			      "     'cold_warm.dat' using %s:%zu:%zu:%zu with yerrorbars pt 7 ps 0.5 lw 2 "
			      "lc rgb \"black\" %s, \\\n"
			      "     'cold_warm.dat' using %s:%zu:(sprintf(\"%%.1f s\", $%zu)) with labels "
			      "offset 0,0.9 notitle",
			      p ? ", \\\n     " : "", x, c, "solid 1.0", colors[p],
			      phases[p], x, c, c + 1, c + 2, p ? "notitle" : "title \"min-max\"",
			      x, c + 2, c);
	}
}

/* The ok build of variant in phase whose wall time is closest to the phase's
 * median (the "typical" build), or NULL. */
json_t *plot_typical_build(json_t *builds, const char *variant, const char *phase)
{
	size_t n, i;
	double *v = phase_samples(&n, builds, variant, phase), median, best = INFINITY;
	json_t *b, *pick = NULL;

	median = stats_median(v, n);
	json_array_foreach(builds, i, b) {
		double d;
		if (!build_ok(b) || strcmp(json_str(b, "variant"), variant) ||
		    strcmp(json_str(b, "phase"), phase))
			continue;
		d = fabs(json_num(b, "wall_seconds", 0) - median);
		if (d < best) {
			best = d;
			pick = b;
		}
	}
	free(v);
	return pick;
}

static void chart_steps(struct chart *ch, const struct gather *g, json_t *builds)
{
	static const char *const phases[] = {"cold", "warm"};
	double total[NGROUPS] = {0}, groups[NGROUPS];
	size_t k, p, rows = 0;
	int gi;
	bool first = true;

	ch->title = xstrdup("Where the time goes: the cold build and a typical warm build, by step group");
	strbuf_puts(&ch->data, "# steps.dat: seconds per step group of the cold build and of the warm "
		    "build closest to the warm median\n# variant phase");
	for (gi = 0; gi < NGROUPS; gi++)
		strbuf_printf(&ch->data, " %s", plot_step_groups[gi]);
	strbuf_puts(&ch->data, " wall_seconds commit\n");
	for (k = 0; k < g->variants.n; k++) {
		for (p = 0; p < 2; p++) {
			json_t *b = plot_typical_build(builds, g->variants.v[k], phases[p]);
			if (!b)
				continue;
			plot_build_groups(groups, b);
			dat_string(&ch->data, g->variants.v[k]);
			strbuf_printf(&ch->data, " %s", phases[p]);
			for (gi = 0; gi < NGROUPS; gi++) {
				dat_value(&ch->data, groups[gi]);
				total[gi] += groups[gi];
			}
			dat_value(&ch->data, json_num(b, "wall_seconds", 0));
			strbuf_printf(&ch->data, " %s\n", *json_str(b, "short") ? json_str(b, "short") : "-");
			rows++;
		}
	}
	ch->empty = rows == 0;
	strbuf_printf(&ch->setup, "set xrange [-0.6:%zu.6]\n", rows ? rows - 1 : 0);
	/* many bars: one-line labels, slanted, so neighbours do not overlap */
	if (rows > 6)
		strbuf_puts(&ch->setup, "set xtics rotate by 25 right\nset bmargin 9\nset lmargin 18\n");
	strbuf_puts(&ch->plot, "plot ");
	for (gi = 0; gi < NGROUPS; gi++) {
		if (total[gi] <= 0 && !(first && gi == NGROUPS - 1))
			continue; /* a group no build spent time in: keep the legend short */
		strbuf_printf(&ch->plot, "%s'steps.dat' using %d%s title \"%s\" linecolor rgb \"%s\"",
			      first ? "" : ", \\\n     ", 3 + gi,
			      !first ? "" : rows > 6 ? ":xtic(strcol(1).\" \".strcol(2))"
			      : ":xtic(strcol(1).\"\\n\".strcol(2).\" (\".strcol(13).\")\")",
			      group_legend[gi], group_colors[gi]);
		first = false;
	}
	strbuf_puts(&ch->plot, ", \\\n     'steps.dat' using 0:12:(sprintf(\"%.1f s\", $12)) "
		    "with labels offset 0,0.9 notitle");
}

/* Write NAME.dat and NAME.gp (from templates_dir/NAME.gp.in) into dir. */
static int write_chart(struct plot_output *out, struct chart *ch, const char *dir,
		       const char *templates_dir)
{
	char *tmpl_path = NULL, *tmpl = NULL, *script = NULL, *dat = NULL, *gp = NULL;
	char *png = xasprintf("%s.png", ch->name), *svg = xasprintf("%s.svg", ch->name);
	char *data = xasprintf("%s.dat", ch->name), *gpname = xasprintf("%s.gp", ch->name);
	struct strbuf title = {0};
	size_t len;
	int error;

	tmpl_path = xasprintf("%s/%s.gp.in", templates_dir, ch->name);
	if ((error = read_file(&tmpl, &len, tmpl_path)) < 0) {
		error = bench_error_wrap(error, "plot template %s.gp.in", ch->name);
		goto done;
	}
	gnuplot_quote(&title, ch->title);
	{
		const char *keys[] = {"TITLE", "PNG", "SVG", "DATA", "SETUP", "PLOT"};
		const char *vals[] = {title.buf, png, svg, data,
				      ch->setup.buf ? ch->setup.buf : "", ch->plot.buf ? ch->plot.buf : ""};
		script = gnuplot_fill(tmpl, keys, vals, 6);
	}
	dat = path_join(dir, data);
	gp = path_join(dir, gpname);
	if ((error = write_file_atomic(dat, ch->data.buf, ch->data.len)) < 0)
		goto done;
	strvec_push(&out->data, dat);
	if ((error = write_file_atomic(gp, script, strlen(script))) < 0)
		goto done;
	strvec_push(&out->scripts, gp);
done:
	strbuf_release(&title);
	free(tmpl_path);
	free(tmpl);
	free(script);
	free(dat);
	free(gp);
	free(png);
	free(svg);
	free(data);
	free(gpname);
	return error;
}

/* Render dir/NAME.gp into NAME.png and NAME.svg. */
static int render_chart(struct plot_output *out, const char *name, const char *dir)
{
	char *script = xasprintf("%s.gp", name), *png = xasprintf("%s/%s.png", dir, name);
	char *svg = xasprintf("%s/%s.svg", dir, name);
	int error;

	if ((error = gnuplot_run(dir, script)) < 0)
		goto done;
	if (!path_exists(png) || !path_exists(svg)) {
		error = bench_error_set(BENCH_ERROR, "gnuplot wrote no image for '%s/%s'", dir, script);
		goto done;
	}
	strvec_push(&out->images, png);
	strvec_push(&out->images, svg);
done:
	free(script);
	free(png);
	free(svg);
	return error;
}

int plot_write(struct plot_output *out, json_t *run, const char *out_dir,
	       const char *templates_dir, bool render)
{
	struct chart charts[] = {
		{.name = "build_time"}, {.name = "cold_warm"}, {.name = "steps"}, {.name = "cache_hits"},
	};
	size_t n = sizeof(charts) / sizeof(charts[0]), i;
	json_t *builds = json_object_get(run, "builds");
	struct gather g;
	int error = 0;

	gather_init(&g, run);
	if ((error = mkdir_p(out_dir)) < 0)
		goto done;
	chart_build_time(&charts[0], &g, builds);
	chart_cold_warm(&charts[1], &g, builds);
	chart_steps(&charts[2], &g, builds);
	chart_cache_hits(&charts[3], &g, builds);
	for (i = 0; i < n; i++) {
		if (charts[i].empty) {
			strvec_pushf(&out->notes, "%s chart skipped: no ok build has the data for it",
				     charts[i].name);
			continue;
		}
		if ((error = write_chart(out, &charts[i], out_dir, templates_dir)) < 0)
			goto done;
	}
	if (!render || !out->scripts.n)
		goto done;
	if (!gnuplot_available()) {
		error = bench_error_set(BENCH_ESETUP, "gnuplot not found: apt-get install gnuplot-nox "
					"(the data files and scripts are in %s)", out_dir);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (!charts[i].empty && (error = render_chart(out, charts[i].name, out_dir)) < 0)
			goto done;
done:
	for (i = 0; i < n; i++) {
		strbuf_release(&charts[i].data);
		strbuf_release(&charts[i].setup);
		strbuf_release(&charts[i].plot);
		free(charts[i].title);
	}
	gather_release(&g);
	return error;
}

int plot_chart_write(struct plot_output *out, const char *name, const char *title, const char *data,
		     const char *setup, const char *plot, const char *dir, const char *templates_dir,
		     bool render)
{
	struct chart ch = {.name = name, .title = xstrdup(title)};
	int error;

	strbuf_puts(&ch.data, data);
	strbuf_puts(&ch.setup, setup);
	strbuf_puts(&ch.plot, plot);
	if ((error = mkdir_p(dir)) < 0 || (error = write_chart(out, &ch, dir, templates_dir)) < 0 || !render)
		goto done;
	if (!gnuplot_available())
		error = bench_error_set(BENCH_ESETUP, "gnuplot not found: apt-get install gnuplot-nox "
					"(the data file and script are in %s)", dir);
	else
		error = render_chart(out, name, dir);
done:
	strbuf_release(&ch.data);
	strbuf_release(&ch.setup);
	strbuf_release(&ch.plot);
	free(ch.title);
	return error;
}

void plot_line_styles(struct strbuf *setup, size_t n)
{
	line_styles(setup, n);
}

void plot_output_release(struct plot_output *o)
{
	strvec_release(&o->data);
	strvec_release(&o->scripts);
	strvec_release(&o->images);
	strvec_release(&o->notes);
}

static bool has_templates(const char *dir)
{
	char *probe = path_join(dir, "build_time.gp.in");
	bool ok = path_exists(probe);
	free(probe);
	return ok;
}

int plot_templates_dir(char **out)
{
	const char *env = getenv("BENCH_DATADIR");
	struct strvec tried = {0};
	struct strbuf list = {0};
	char exe[PATH_MAX];
	ssize_t n;
	size_t i;
	int error = 0;

	*out = NULL;
	if (env && *env) {
		strvec_pushf(&tried, "%s/plots", env);
		strvec_push(&tried, env);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *dir;
		exe[n] = '\0';
		dir = path_dirname(exe);
		strvec_pushf(&tried, "%s/plots", dir);
		strvec_pushf(&tried, "%s/../share/bench/plots", dir);
		strvec_pushf(&tried, "%s/../plots", dir); /* build/bench in the source tree */
		free(dir);
	}
	for (i = 0; i < tried.n; i++) {
		if (has_templates(tried.v[i])) {
			*out = path_absolute(tried.v[i]);
			goto done;
		}
		strbuf_printf(&list, "%s%s", i ? ", " : "", tried.v[i]);
	}
	error = bench_error_set(BENCH_ENOTFOUND, "cannot find the plot templates (*.gp.in) in %s; "
				"set BENCH_DATADIR to the folder that holds plots/",
				list.len ? list.buf : "no folder");
done:
	strbuf_release(&list);
	strvec_release(&tried);
	return error;
}

/* ---- what a run lacks ---- */

static bool build_recorded(json_t *builds, const char *variant, long rep, long index)
{
	json_t *b;
	size_t i;
	json_array_foreach(builds, i, b)
		if (!strcmp(json_str(b, "variant"), variant) && (long)json_num(b, "repetition", 0) == rep &&
		    (long)json_num(b, "index", 0) == index)
			return true;
	return false;
}

void plot_missing_notes(struct strvec *notes, json_t *run)
{
	json_t *builds = json_object_get(run, "builds"), *scenario = json_object_get(run, "scenario");
	json_t *b, *v;
	struct strvec vars = {0}, detail = {0};
	struct gather g;
	long reps = (long)json_num(scenario, "repetitions", 0), r;
	size_t i, j, k, expected = 0, missing = 0, bad = 0;

	gather_init(&g, run);
	json_array_foreach(json_object_get(scenario, "variants"), i, v)
		strvec_push(&vars, json_str(v, "name"));
	for (i = 0; i < g.variants.n; i++)
		if (strvec_find(&vars, g.variants.v[i]) < 0)
			strvec_push(&vars, g.variants.v[i]);
	if (reps <= 0)
		json_array_foreach(builds, i, b)
			if ((long)json_num(b, "repetition", 0) > reps)
				reps = (long)json_num(b, "repetition", 0);
	if (!json_is_object(scenario))
		strvec_push(notes, "the scenario is not recorded (no run.json): expected builds "
			    "are counted from the variants and commits found");
	if (!json_array_size(builds))
		strvec_push(notes, "no builds are recorded");
	for (k = 0; k < vars.n; k++) {
		for (r = 1; r <= reps; r++) {
			struct strbuf idx = {0};
			size_t lacking = 0;
			for (j = 0; j < g.ncommits; j++) {
				expected++;
				if (build_recorded(builds, vars.v[k], r, g.commits[j].index))
					continue;
				lacking++;
				strbuf_printf(&idx, "%s%ld", idx.len ? ", " : "", g.commits[j].index);
			}
			missing += lacking;
			if (lacking && detail.n < 8)
				strvec_pushf(&detail, "variant '%s' repetition %ld: commit%s %s not built",
					     vars.v[k], r, lacking > 1 ? "s" : "", idx.buf);
			strbuf_release(&idx);
		}
	}
	if (missing)
		strvec_pushf(notes, "missing %zu of %zu builds (variants x repetitions x the %zu "
			     "commits seen)", missing, expected, g.ncommits);
	for (i = 0; i < detail.n; i++)
		strvec_push(notes, detail.v[i]);
	json_array_foreach(builds, i, b) {
		if (!strcmp(json_str(b, "status"), "ok"))
			continue;
		if (++bad <= 8)
			strvec_pushf(notes, "variant '%s' repetition %ld commit %ld (%s): %s%s%s",
				     json_str(b, "variant"), (long)json_num(b, "repetition", 0),
				     (long)json_num(b, "index", 0), json_str(b, "short"),
				     *json_str(b, "status") ? json_str(b, "status") : "no status",
				     *json_str(b, "reason") ? ": " : "", json_str(b, "reason"));
	}
	if (bad > 8)
		strvec_pushf(notes, "... and %zu more builds not ok", bad - 8);
	if (json_is_false(json_object_get(run, "finished")) && json_is_object(scenario))
		strvec_push(notes, "the run is not marked finished (interrupted or still running)");
	strvec_release(&vars);
	strvec_release(&detail);
	gather_release(&g);
}

const char *plot_variant_color(json_t *run, const char *variant)
{
	struct gather g;
	ssize_t k;

	gather_init(&g, run);
	k = strvec_find(&g.variants, variant);
	gather_release(&g);
	return k < 0 ? NULL : line_colors[(size_t)k % NCOLORS];
}
