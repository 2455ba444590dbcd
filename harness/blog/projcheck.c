/*
 * projcheck.c: a run's projection to scale 1 set against a run measured at
 * scale 1, build by build and step group by step group (see projcheck.h).
 */
#include "blog/projcheck.h"

#include <math.h>
#include <string.h>

#include "blog/blogreport.h"
#include "lib/jsonx.h"
#include "pages/plot.h"
#include "blog/projection.h"

/* The ok build of run in variant and phase at commit (NULL: the first of
 * that variant and phase). Borrowed. */
static json_t *find_build(json_t *run, const char *variant, const char *phase, const char *commit)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (!strcmp(json_str(b, "status"), "ok") && !strcmp(json_str(b, "variant"), variant) &&
		    !strcmp(json_str(b, "phase"), phase) && (!commit || !strcmp(json_str(b, "commit"), commit)))
			return b;
	return NULL;
}

json_t *projcheck_evaluate(json_t *run, json_t *calib, json_t *full)
{
	json_t *out = json_object(), *pairs = json_array(), *f;
	double scale = projection_run_scale(run), calib_scale = calib ? projection_run_scale(calib) : 0;
	size_t i;

	json_array_foreach(json_object_get(full, "builds"), i, f) {
		const char *variant = json_str(f, "variant"), *phase = json_str(f, "phase");
		bool cold = !strcmp(phase, "cold");
		double measured[PLOT_NGROUPS], wall = json_num(f, "wall_seconds", 0);
		struct projected_build pb;
		json_t *b, *groups;
		int g;

		if (strcmp(json_str(f, "status"), "ok") ||
		    !(b = find_build(run, variant, phase, cold ? NULL : json_str(f, "commit"))))
			continue;
		projection_build(&pb, b, scale, calib ? projection_counterpart(calib, b, BLOG_MULTI_CACHED) : NULL,
				 calib_scale);
		plot_build_groups(measured, f);
		groups = json_object();
		for (g = 0; g < PLOT_NGROUPS; g++)
			if (pb.groups[g] > 0 || measured[g] > 0)
				json_object_set_new(groups, plot_step_groups[g],
						    json_pack("[f, f]", pb.groups[g], measured[g]));
		json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:o}", "variant", variant,
						       "phase", phase, "commit", json_str(f, "short"),
						       "run_commit", json_str(b, "short"), "projected", pb.seconds,
						       "measured", wall,
						       "error", wall > 0 ? json_real(pb.seconds / wall - 1) : json_null(),
						       "groups", groups));
	}
	json_object_set_new(out, "builds", pairs);
	json_object_set_new(out, "run_scale", json_real(scale));
	json_object_set_new(out, "full_scale", json_real(projection_run_scale(full)));
	json_object_set_new(out, "calibration_scale", calib ? json_real(calib_scale) : json_null());
	return out;
}

void projcheck_print(FILE *f, json_t *check)
{
	json_t *p, *pairs = json_object_get(check, "builds");
	size_t i;

	fprintf(f, "the projection to scale 1 (run at scale %g, calibration ", json_num(check, "run_scale", 0));
	if (json_is_number(json_object_get(check, "calibration_scale")))
		fprintf(f, "at %g", json_num(check, "calibration_scale", 0));
	else
		fputs("none: an upper bound", f);
	fprintf(f, ") against builds measured at scale %g\n", json_num(check, "full_scale", 0));
	if (!json_array_size(pairs)) {
		fputs("no build of the full-scale run has a counterpart in the run (same variant and phase; "
		      "a warm build at the same commit)\n", f);
		return;
	}
	fprintf(f, "%-24s %-5s %-17s %11s %11s %7s\n", "variant", "phase", "commit (run's)", "projected s",
		"measured s", "error");
	json_array_foreach(pairs, i, p) {
		char commits[40];
		snprintf(commits, sizeof(commits), "%s (%s)", json_str(p, "commit"), json_str(p, "run_commit"));
		fprintf(f, "%-24s %-5s %-17s %11.1f %11.1f %+6.0f%%\n", json_str(p, "variant"), json_str(p, "phase"),
			commits, json_num(p, "projected", 0), json_num(p, "measured", 0),
			100 * json_num(p, "error", NAN));
	}
	fputs("\nstep groups, projected / measured seconds:\n", f);
	json_array_foreach(pairs, i, p) {
		const char *g;
		json_t *v;
		fprintf(f, "  %s %s %s:", json_str(p, "variant"), json_str(p, "phase"), json_str(p, "commit"));
		json_object_foreach(json_object_get(p, "groups"), g, v)
			fprintf(f, " %s %.1f/%.1f", g, json_number_value(json_array_get(v, 0)),
				json_number_value(json_array_get(v, 1)));
		fputc('\n', f);
	}
}
