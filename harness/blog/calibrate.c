/*
 * calibrate.c: the cafeboo main job's calibration run (see calibrate.h):
 * the multi-stage cached variant replayed again at a tiny scale, kept in
 * the main run's results folder, and found there again by `bench blog`.
 */
#include "blog/calibrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog/blogreport.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "blog/projection.h"
#include "results/results.h"
#include "scenario/scenario.h"
#include "lib/util.h"

/* Whether run has an ok build of variant. */
static bool has_ok_builds(json_t *run, const char *variant)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (!strcmp(json_str(b, "variant"), variant) && !strcmp(json_str(b, "status"), "ok"))
			return true;
	return false;
}

bool calibrate_wanted(const struct run_options *opts, const struct run_outcome *out)
{
	if (opts->dry_run || !out->run || out->interrupted || !out->scenario || !out->scenario->world.enabled ||
	    !(out->scenario->world.scale < 0.5) || !(out->scenario->world.scale > CALIBRATE_SCALE))
		return false;
	return has_ok_builds(out->run, BLOG_MULTI_CACHED);
}

int calibrate_load(json_t **calib, const char *results_dir)
{
	char *parent = path_join(results_dir, CALIBRATE_SUBDIR), *newest = NULL, *dir = NULL;
	struct dirent *de;
	DIR *d;
	int error = 0;

	*calib = NULL;
	if (!(d = opendir(parent))) {
		free(parent);
		return 0;
	}
	/* the folders are NAME-STAMP: the greatest name is the newest */
	while ((de = readdir(d))) {
		char *run_json;
		bool has_run;
		if (de->d_name[0] == '.')
			continue;
		run_json = xasprintf("%s/%s/run.json", parent, de->d_name);
		has_run = path_exists(run_json);
		free(run_json);
		if (has_run && (!newest || strcmp(de->d_name, newest) > 0)) {
			free(newest);
			newest = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (newest) {
		dir = path_join(parent, newest);
		error = results_load(calib, NULL, dir);
	}
	free(dir);
	free(newest);
	free(parent);
	return error;
}

/* The commits to calibrate, as a replay list ("ID ID ID"): those of the
 * main run's calibrated builds, in order, from the cold one until a warm
 * build that rebuilt its dependencies and one that did not are both in (or
 * the run ends). NULL when the run has none. */
static char *calibration_commits(json_t *run)
{
	struct strbuf list = {0};
	bool deps = false, code = false;
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		bool warm = !strcmp(json_str(b, "phase"), "warm"), rebuilt = projection_deps_rebuilt(b);
		if (strcmp(json_str(b, "variant"), BLOG_MULTI_CACHED) || json_num(b, "repetition", 1) != 1 ||
		    (warm && (rebuilt ? deps : code)))
			continue;
		if (warm && !list.len)
			break; /* no cold build */
		strbuf_printf(&list, "%s%s", list.len ? " " : "", json_str(b, "commit"));
		if (warm)
			*(rebuilt ? &deps : &code) = true;
		if (deps && code)
			break;
	}
	return list.len ? strbuf_detach(&list) : NULL;
}

int calibrate_run(json_t **calib, const struct run_options *opts, const struct run_outcome *out)
{
	struct run_options o = {0};
	struct run_outcome co;
	char *base, *commits;
	int error;

	*calib = NULL;
	if ((error = calibrate_load(calib, out->results_dir)) < 0 || *calib)
		return error;
	if (!(commits = calibration_commits(out->run)))
		return 0;
	base = path_join(out->results_dir, CALIBRATE_SUBDIR);
	o.scenario_path = opts->scenario_path;
	o.results_base = base;
	/* the no-cache builds (load, then docker push) are projected with a
	 * no-cache counterpart when the run has them: the cached variant's
	 * workflow differs (push_mode = direct puts the push in its export) */
	o.only = has_ok_builds(out->run, BLOG_MULTI_NOCACHE) ? BLOG_MULTI_CACHED "," BLOG_MULTI_NOCACHE
							      : BLOG_MULTI_CACHED;
	o.commits = commits;
	o.scale = CALIBRATE_SCALE;
	o.quiet = opts->quiet;
	o.no_plot = true;
	if (!opts->quiet)
		fprintf(stderr, "bench run: calibration: %s again at scale %g, for the projection to scale 1\n",
			o.only, CALIBRATE_SCALE);
	error = run_execute(&co, &o);
	if (co.run && error == 0)
		*calib = json_incref(co.run);
	run_outcome_release(&co);
	free(commits);
	free(base);
	return error;
}
