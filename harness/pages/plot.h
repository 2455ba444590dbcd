/*
 * plot.h: the charts of a results folder (bench plot). For each chart a data
 * file (whitespace separated, "#" header comment, strings in double quotes,
 * NaN for "no value") and a gnuplot script made from a template
 * plots/<chart>.gp.in are written, then gnuplot renders the script into
 * <chart>.png (pngcairo 1200x700) and <chart>.svg.
 *
 *   build_time   build time per commit, one line per variant (mean over the
 *                repetitions of ok builds); cold builds circled; commits that
 *                changed requirements.txt or a Dockerfile shaded and starred
 *   cold_warm    median cold and warm build per variant, min-max error bars
 *   steps        where the time goes: per variant, the cold build and the
 *                typical warm build (the one closest to the warm median) as
 *                stacked bars of step groups (see step_group)
 *   cache_hits   cached steps / steps per commit per variant (percent)
 *
 * Template placeholders, replaced verbatim: @TITLE@ @PNG@ @SVG@ @DATA@
 * @SETUP@ (chart-specific "set" lines, e.g. shaded commits) and @PLOT@ (the
 * plot command with one series per variant or group). gnuplot runs with the
 * output folder as its working directory, so the scripts name their files
 * without a path and the folder can be moved and re-rendered.
 */
#ifndef BENCH_PLOT_H
#define BENCH_PLOT_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * The group a BuildKit step (vertex name) belongs to, for the "where the time
 * goes" chart. Never NULL; one of the strings in plot_step_groups. Rules, the
 * first that matches wins (case-insensitive; "[stage n/m] " is the vertex's
 * stage prefix, the stage name being its first word):
 *
 *   "cache"   importing cache / exporting cache / preparing build cache /
 *             cache manifest / "writing cache" / (exporting to) GitHub
 *             Actions Cache
 *   "push"    pushing ... (layers, manifest), "push " ...
 *   "export"  exporting to image / exporting layers / exporting manifest /
 *             exporting config / exporting attestation / writing image /
 *             naming to / sending tarball / unpacking to / exporting to
 *             (docker|oci) image format / resolving provenance for metadata
 *             file (buildx >= 0.2x writes the image's provenance into
 *             --metadata-file after the export: part of making the image)
 *   "code"    [internal] load build context (the source tree transfer)
 *   "base"    any other [internal] step (load metadata, load .dockerignore,
 *             load build definition), [auth] ..., resolve image config, and
 *             instructions FROM WORKDIR ENV ARG LABEL USER EXPOSE CMD
 *             ENTRYPOINT SHELL HEALTHCHECK VOLUME STOPSIGNAL ONBUILD
 *   RUN       "deps" when it installs packages (pip, uv, poetry, conda, npm,
 *             yarn, or names requirements) or the stage name contains "dep";
 *             else "models" when it fetches (curl, wget, huggingface) or
 *             names "model", or the stage name contains "model";
 *             else "base" for system setup (apt-get, apt, apk, yum, dnf,
 *             useradd, adduser, groupadd); else "other"
 *   COPY/ADD  "deps" when it copies a dependency manifest (requirements,
 *             pyproject, poetry.lock, package.json, package-lock, Pipfile,
 *             uv.lock), or --from= a stage containing "dep", or the stage
 *             name contains "dep"; "models" when it names "model" or the
 *             stage name contains "model"; else "code"
 *   "other"   everything else (and NULL or "")
 *
 * A step that BuildKit reports as cached counts as "cache" whatever its name:
 * its time is the loading of cached layers, not the step's work.
 *
 * A build's wall_seconds is cache restore + docker build + push + cache save.
 * The chart splits it as:
 *   "restore/save" cache_restore_seconds + cache_save_seconds, and the cache
 *                  dance's cache_mounts_restore_seconds + cache_mounts_save_seconds
 *   "push"         push_seconds (docker push), plus any "pushing" steps
 *   the steps' groups, within the docker build's time (build_seconds, or
 *                  wall_seconds minus the three above when absent); BuildKit
 *                  runs stages in parallel, so when the steps add up to more
 *                  than that time they are scaled down proportionally
 *   "other"        the rest of the docker build's time
 */
const char *step_group(const char *step_name);

/* Every group in stacking order, NULL-terminated. */
#define PLOT_NGROUPS 9
extern const char *const plot_step_groups[];

/* The seconds of a build record spent in each group of plot_step_groups, as
 * the "where the time goes" chart stacks them (rules above); they add up to
 * the build's wall_seconds. */
void plot_build_groups(double out[PLOT_NGROUPS], json_t *build);

/* The colour of step group g (an index into plot_step_groups) in the steps
 * chart, and the words of its legend; NULL when g is out of range. */
const char *plot_group_color(size_t group);
const char *plot_group_legend(size_t group);

/* The colour ("#rrggbb") of variant's line in the charts of run, NULL when
 * the run has no build of it. */
const char *plot_variant_color(json_t *run, const char *variant);

/* The ok build of variant in phase whose wall time is closest to the phase's
 * median (the "typical" build the steps chart shows), or NULL. Borrowed from
 * builds. */
json_t *plot_typical_build(json_t *builds, const char *variant, const char *phase);

/* What plot_write made: paths of the files written. */
struct plot_output {
	struct strvec data;    /* *.dat */
	struct strvec scripts; /* *.gp */
	struct strvec images;  /* *.png and *.svg rendered */
	struct strvec notes;   /* what is missing or skipped, one line each */
};
void plot_output_release(struct plot_output *o);

/* Find the folder of the *.gp.in templates: $BENCH_DATADIR/plots, then
 * $BENCH_DATADIR itself, then <dir of /proc/self/exe>/plots, then <exe
 * dir>/../share/bench/plots, then <exe dir>/../plots (build/bench in the
 * source tree). BENCH_ENOTFOUND naming the places tried. */
int plot_templates_dir(char **out);

/*
 * Write the data files and scripts for `run` (as results_load gives it) into
 * out_dir (created), then render them with gnuplot unless render is false.
 * Charts without any data are skipped with a note. When gnuplot is not in
 * PATH: BENCH_ESETUP ("gnuplot not found: apt-get install gnuplot-nox (the
 * data files and scripts are in DIR)"), with the data files and scripts
 * written. A gnuplot failure is BENCH_ERROR with its stderr in the message.
 */
int plot_write(struct plot_output *out, json_t *run, const char *out_dir,
	       const char *templates_dir, bool render);

/* One chart of another kind of folder (a sweep's), made as plot_write makes
 * its own: NAME.dat (data) and NAME.gp (templates_dir/NAME.gp.in with
 * @TITLE@, @SETUP@ and @PLOT@ filled) written into dir (created), then
 * NAME.png and NAME.svg rendered when render (errors as plot_write's). */
int plot_chart_write(struct plot_output *out, const char *name, const char *title, const char *data,
		     const char *setup, const char *plot, const char *dir, const char *templates_dir,
		     bool render);

/* "set style line K ..." for the first n line styles (K = 1..n), the colours,
 * dashes and points of the variants' lines in the run's charts. */
void plot_line_styles(struct strbuf *setup, size_t n);

/* Notes on what a (possibly interrupted) run lacks: builds expected from the
 * scenario's variants x repetitions x commits seen that are not recorded, and
 * builds that did not end "ok". Appended to notes, one line each. */
void plot_missing_notes(struct strvec *notes, json_t *run);

#endif
