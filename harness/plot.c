/*
 * plot.c: the charts of a results folder (see plot.h): the step classifier,
 * the data files, the gnuplot scripts made from plots/*.gp.in, and the
 * rendering through gnuplot (exec'ed with proc_run, never a shell).
 */
#include "plot.h"
#include "error.h"
#include "proc.h"
#include "stats.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *const plot_step_groups[] = {
	"base", "deps", "models", "code", "export", "cache", "restore/save", "push", "other", NULL,
};
#define NGROUPS 9
enum { G_BASE, G_DEPS, G_MODELS, G_CODE, G_EXPORT, G_CACHE, G_RESTORE, G_PUSH, G_OTHER };

/* Colours of the lines (one per variant): distinct hues at distinct
 * luminance, with dash and point types as well, so greyscale keeps them apart. */
static const char *const line_colors[] = {
	"#1b0c41", "#d1495b", "#00798c", "#edae49", "#6a4c93", "#66a182", "#8d96a3", "#3d348b",
};
static const int line_dash[] = {1, 2, 4, 5, 3, 1, 2, 4};
static const int line_point[] = {7, 5, 9, 13, 11, 4, 6, 8};
#define NCOLORS 8

/* The step groups, dark to light (viridis): monotonic luminance. */
static const char *const group_colors[NGROUPS] = {
	"#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725",
};

/* ---- step classification ---- */

static bool has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_any(const char *s, const char *const *needles)
{
	for (; *needles; needles++)
		if (has(s, *needles))
			return true;
	return false;
}

static bool starts_any(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (starts(s, *prefixes))
			return true;
	return false;
}

/* Whether a COPY/ADD's --from= stage name contains `what`. */
static bool from_stage_has(const char *rest, const char *what)
{
	const char *from = strcasestr(rest, "--from=");
	char stage[64];
	size_t n;

	if (!from)
		return false;
	from += strlen("--from=");
	n = strcspn(from, " \t");
	if (n >= sizeof(stage))
		n = sizeof(stage) - 1;
	memcpy(stage, from, n);
	stage[n] = '\0';
	return has(stage, what);
}

const char *step_group(const char *name)
{
	static const char *const cache[] = {
		"importing cache", "exporting cache", "preparing build cache", "cache manifest",
		"writing cache", NULL,
	};
	static const char *const exporting[] = {
		"exporting to image", "exporting layers", "exporting manifest", "exporting config",
		"exporting attestation", "writing image", "naming to", "sending tarball",
		"unpacking to", "exporting to docker image format", "exporting to oci image format", NULL,
	};
	static const char *const base_instr[] = {
		"FROM", "WORKDIR", "ENV", "ARG", "LABEL", "USER", "EXPOSE", "CMD", "ENTRYPOINT",
		"SHELL", "HEALTHCHECK", "VOLUME", "STOPSIGNAL", "ONBUILD", "MAINTAINER", NULL,
	};
	static const char *const installs[] = {
		"pip ", "pip3 ", "uv pip", "uv sync", "poetry install", "conda install",
		"mamba install", "npm ci", "npm install", "yarn install", "yarn ", "requirements", NULL,
	};
	static const char *const fetches[] = {"curl ", "wget ", "huggingface", "model", NULL};
	static const char *const system[] = {
		"apt-get ", "apt ", "apk ", "yum ", "dnf ", "useradd ", "adduser ", "groupadd ", NULL,
	};
	static const char *const manifests[] = {
		"requirements", "pyproject", "poetry.lock", "package.json", "package-lock",
		"pipfile", "uv.lock", NULL,
	};
	char stage[64] = "", instr[16];
	const char *rest = name, *end;
	size_t n, i;

	if (!name || !*name)
		return "other";
	if (has_any(name, cache))
		return "cache";
	if (starts(name, "pushing") || starts(name, "push "))
		return "push";
	if (starts_any(name, exporting))
		return "export";
	if (starts(name, "[internal] load build context"))
		return "code";
	if (starts(name, "[internal]") || starts(name, "[auth]") || starts(name, "resolve image config"))
		return "base";

	/* "[stage n/m] INSTR ..." or "[n/m] INSTR ...": the stage is the first word */
	if (name[0] == '[' && (end = strchr(name, ']'))) {
		const char *sp = memchr(name + 1, ' ', (size_t)(end - name - 1));
		if (sp) {
			n = (size_t)(sp - name - 1);
			if (n >= sizeof(stage))
				n = sizeof(stage) - 1;
			memcpy(stage, name + 1, n);
			stage[n] = '\0';
		}
		rest = end + 1;
		while (*rest == ' ')
			rest++;
	}
	n = strcspn(rest, " \t");
	if (n >= sizeof(instr))
		return "other";
	memcpy(instr, rest, n);
	instr[n] = '\0';
	for (i = 0; base_instr[i]; i++)
		if (!strcasecmp(instr, base_instr[i]))
			return "base";
	if (!strcasecmp(instr, "RUN")) {
		if (has_any(rest, installs) || has(stage, "dep"))
			return "deps";
		if (has_any(rest, fetches) || has(stage, "model"))
			return "models";
		if (has_any(rest, system))
			return "base";
		return "other";
	}
	if (!strcasecmp(instr, "COPY") || !strcasecmp(instr, "ADD")) {
		if (has_any(rest, manifests) || has(stage, "dep") || from_stage_has(rest, "dep"))
			return "deps";
		if (has(rest, "model") || has(stage, "model"))
			return "models";
		return "code";
	}
	return "other";
}

static int group_index(const char *group)
{
	int i;
	for (i = 0; i < NGROUPS; i++)
		if (!strcmp(plot_step_groups[i], group))
			return i;
	return G_OTHER;
}

/* ---- what the builds hold ---- */

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A number field, or `dflt` when missing or not a number. */
static double jnum(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

static bool build_ok(json_t *b)
{
	return !strcmp(jstr(b, "status"), "ok") && json_is_number(json_object_get(b, "wall_seconds"));
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
		const char *name = jstr(b, "variant");
		struct commit *c = NULL;
		long index = (long)jnum(b, "index", 0);

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
			c->short_id = xstrdup(jstr(b, "short"));
			c->subject = xstrdup(jstr(b, "subject"));
		}
		json_array_foreach(json_object_get(b, "changed"), k, v)
			if (json_is_string(v) && touches_deps(json_string_value(v)))
				c->changed = true;
	}
	vars = json_object_get(json_object_get(run, "scenario"), "variants");
	json_array_foreach(vars, i, v) {
		const char *name = jstr(v, "name");
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
		char *subject = truncate_utf8(c->subject, 24);
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
 * become single quotes, control characters spaces. */
static void dat_string(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, "\"");
	for (; *s; s++) {
		char c = *s == '"' ? '\'' : ((unsigned char)*s < 0x20 ? ' ' : *s);
		strbuf_add(sb, &c, 1);
	}
	strbuf_puts(sb, "\"");
}

/* s as a gnuplot double-quoted string in a script. */
static void gp_string(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_add(sb, "\\", 1);
		if ((unsigned char)*s < 0x20)
			strbuf_add(sb, " ", 1);
		else
			strbuf_add(sb, s, 1);
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

/* Commits that changed requirements or a Dockerfile: shaded columns, plus a
 * legend entry for them when `legend` (appended to plot). */
static void shade_changed(struct strbuf *setup, struct strbuf *plot, const struct gather *g)
{
	size_t j, obj = 1;
	for (j = 0; j < g->ncommits; j++)
		if (g->commits[j].changed)
			strbuf_printf(setup, "set object %zu rect from first %ld.5, graph 0 to first %ld.5, "
				      "graph 1 behind fillcolor rgb \"#e4e4e4\" fillstyle solid 1.0 noborder\n",
				      obj++, g->commits[j].index - 1, g->commits[j].index);
	if (g->ncommits)
		strbuf_printf(setup, "set xrange [%ld.5:%ld.5]\n", g->commits[0].index - 1,
			      g->commits[g->ncommits - 1].index);
	if (g->any_changed)
		strbuf_puts(plot, ", \\\n     NaN with boxes fillstyle solid 1.0 fillcolor rgb \"#e4e4e4\" "
			    "title \"* commit changed requirements.txt or a Dockerfile\"");
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
		ssize_t v = strvec_find(&g->variants, jstr(b, "variant"));
		size_t c = commit_slot(g, (long)jnum(b, "index", 0));
		double x;
		if (v < 0 || !build_ok(b) || (cold_only && strcmp(jstr(b, "phase"), "cold")))
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
	return jnum(b, "wall_seconds", NAN);
}

static double hit_percent(json_t *b)
{
	double total = jnum(b, "steps_total", 0);
	return total > 0 ? 100.0 * jnum(b, "steps_cached", 0) / total : NAN;
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
		strbuf_printf(&ch->plot, "%s'build_time.dat' using 1:%zu%s with linespoints ls %zu title ",
			      k ? ", \\\n     " : "", 4 + 2 * k, k ? "" : ":xtic(3)", k + 1);
		gp_string(&ch->plot, g->variants.v[k]);
	}
	for (k = 0; k < nv; k++)
		strbuf_printf(&ch->plot, ", \\\n     'build_time.dat' using 1:%zu with points pt 6 ps 3.2 "
			      "lw 2 lc rgb \"black\" %s", 5 + 2 * k,
			      k ? "notitle" : "title \"cold build (circled)\"");
	shade_changed(&ch->setup, &ch->plot, g);
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
		strbuf_printf(&ch->plot, "%s'cache_hits.dat' using 1:%zu%s with linespoints ls %zu title ",
			      k ? ", \\\n     " : "", 4 + k, k ? "" : ":xtic(3)", k + 1);
		gp_string(&ch->plot, g->variants.v[k]);
	}
	shade_changed(&ch->setup, &ch->plot, g);
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
		if (build_ok(b) && !strcmp(jstr(b, "variant"), variant) &&
		    !strcmp(jstr(b, "phase"), phase))
			v[(*n)++] = jnum(b, "wall_seconds", 0);
	return v;
}

static void chart_cold_warm(struct chart *ch, const struct gather *g, json_t *builds)
{
	static const char *const phases[] = {"cold", "warm"};
	static const char *const colors[] = {"#2c115f", "#f4a736"};
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
		gp_string(&ch->setup, g->variants.v[k]);
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
			      "     'cold_warm.dat' using %s:%zu:%zu:%zu with yerrorbars pt 0 lw 2 "
			      "lc rgb \"black\" %s, \\\n"
			      "     'cold_warm.dat' using %s:%zu:(sprintf(\"%%.1f s\", $%zu)) with labels "
			      "offset 0,0.9 notitle",
			      p ? ", \\\n     " : "", x, c, p ? "pattern 4" : "solid 1.0", colors[p],
			      phases[p], x, c, c + 1, c + 2, p ? "notitle" : "title \"min-max\"",
			      x, c + 2, c);
	}
}

/* Seconds of build b per step group (see step_group in plot.h). */
static void build_groups(double out[NGROUPS], json_t *b)
{
	double wall = jnum(b, "wall_seconds", 0), push = jnum(b, "push_seconds", 0);
	double restore = jnum(b, "cache_restore_seconds", 0) + jnum(b, "cache_save_seconds", 0);
	double docker = jnum(b, "build_seconds", wall - restore - push), sum = 0, scale = 1;
	json_t *s;
	size_t i;
	int g;

	memset(out, 0, NGROUPS * sizeof(double));
	if (docker < 0)
		docker = 0;
	json_array_foreach(json_object_get(b, "steps"), i, s) {
		double sec = jnum(s, "seconds", 0);
		if (sec > 0) {
			out[group_index(step_group(jstr(s, "name")))] += sec;
			sum += sec;
		}
	}
	if (sum > docker)
		scale = sum > 0 ? docker / sum : 1;
	for (g = 0; g < NGROUPS; g++)
		out[g] *= scale;
	out[G_OTHER] += docker - sum * scale > 0 ? docker - sum * scale : 0;
	out[G_RESTORE] += restore;
	out[G_PUSH] += push;
}

/* The ok build of variant in phase whose wall time is closest to the phase's
 * median (the "typical" build), or NULL. */
static json_t *typical_build(json_t *builds, const char *variant, const char *phase)
{
	size_t n, i;
	double *v = phase_samples(&n, builds, variant, phase), median, best = INFINITY;
	json_t *b, *pick = NULL;

	median = stats_median(v, n);
	json_array_foreach(builds, i, b) {
		double d;
		if (!build_ok(b) || strcmp(jstr(b, "variant"), variant) || strcmp(jstr(b, "phase"), phase))
			continue;
		d = fabs(jnum(b, "wall_seconds", 0) - median);
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
	static const char *const legend[NGROUPS] = {
		"base image, system setup, metadata", "dependency install (pip)", "model download",
		"code (build context, COPY)", "image export", "BuildKit cache import/export",
		"cache restore/save (actions/cache)", "push", "other",
	};
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
			json_t *b = typical_build(builds, g->variants.v[k], phases[p]);
			if (!b)
				continue;
			build_groups(groups, b);
			dat_string(&ch->data, g->variants.v[k]);
			strbuf_printf(&ch->data, " %s", phases[p]);
			for (gi = 0; gi < NGROUPS; gi++) {
				dat_value(&ch->data, groups[gi]);
				total[gi] += groups[gi];
			}
			dat_value(&ch->data, jnum(b, "wall_seconds", 0));
			strbuf_printf(&ch->data, " %s\n", *jstr(b, "short") ? jstr(b, "short") : "-");
			rows++;
		}
	}
	ch->empty = rows == 0;
	strbuf_printf(&ch->setup, "set xrange [-0.6:%zu.6]\n", rows ? rows - 1 : 0);
	strbuf_puts(&ch->plot, "plot ");
	for (gi = 0; gi < NGROUPS; gi++) {
		if (total[gi] <= 0 && !(first && gi == NGROUPS - 1))
			continue; /* a group no build spent time in: keep the legend short */
		strbuf_printf(&ch->plot, "%s'steps.dat' using %d%s title \"%s\" fillcolor rgb \"%s\"",
			      first ? "" : ", \\\n     ", 3 + gi,
			      first ? ":xtic(strcol(1).\"\\n\".strcol(2).\" (\".strcol(13).\")\")" : "",
			      legend[gi], group_colors[gi]);
		first = false;
	}
	strbuf_puts(&ch->plot, ", \\\n     'steps.dat' using 0:12:(sprintf(\"%.1f s\", $12)) "
		    "with labels offset 0,0.9 notitle");
}
