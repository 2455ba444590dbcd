/*
 * run_resume.c: what `bench run --resume` does before it builds (see
 * run_int.h): the refusal of a changed scenario, the builds the results
 * already have, and for each series cut in the middle whether it continues
 * with the cache state it had (state.json, runstate.h) or is built again from
 * its cold build.
 */
#include "run/run_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"

/* A series that continues after a resume takes the cache state it had. */
void run_resume_cache_state(struct run *r, struct series *s)
{
	char *key = xasprintf("%s/%d", s->v->name, s->rep);
	json_t *saved = s->restart ? NULL : json_object_get(r->resumed, key);

	if (saved) {
		cache_state_release(&s->cache.state);
		cache_state_from_json(&s->cache.state, saved);
	}
	free(key);
}

/* Resume: a refusal when the scenario file changed since the run began
 * (unless --force), before anything in the folder is touched. */
int run_check_digest(struct run *r, const char *dir)
{
	json_t *run = NULL, *digest;
	int error;

	if ((error = results_load(&run, NULL, dir)) < 0)
		return error;
	digest = json_object_get(json_object_get(run, "scenario"), "digest");
	if (!r->opts->force && (!json_is_string(digest) || strcmp(json_string_value(digest), r->sc->digest)))
		error = bench_error_set(BENCH_EINVALID,
			"scenario '%s' changed since %s was started (digest %s, now %s): "
			"rerun from scratch, or pass --force to resume anyway",
			r->sc->path, dir, json_is_string(digest) ? json_string_value(digest) : "unknown",
			r->sc->digest);
	json_decref(run);
	return error;
}

/* Resume: the keys of the builds the results already have. */
int run_prepare_resume(struct run *r)
{
	json_t *builds, *b;
	size_t i;

	if (!(r->finished = json_object()))
		return bench_error_set(BENCH_ERROR, "out of memory");
	builds = json_object_get(r->res->run, "builds");
	json_array_foreach(builds, i, b) {
		char *key = results_build_key(b);
		json_object_set_new(r->finished, key, json_true());
		free(key);
	}
	return 0;
}

/* The builds of series (v, rep) the results already have, 1..count. */
int run_recorded_builds(struct run *r, const struct variant *v, int rep)
{
	size_t i;
	int done = 0;

	for (i = 1; i <= r->co.count; i++) {
		char *key = xasprintf("%s/%d/%zu", v->name, rep, i);
		done += json_object_get(r->finished, key) != NULL;
		free(key);
	}
	return done;
}

/*
 * Resume: each series cut in the middle on an engine of this run either
 * continues there with the cache state it had (state.json, checked against
 * what its cache holds now) or is built again from its cold build, its
 * records dropped; the run says which and why. A series whose engine is not
 * in this run restarts on any (run_resume_pins).
 */
int run_resume_series(struct run *r)
{
	size_t si, i;
	int error = 0, reps = r->sc->repetitions;

	r->resumed = json_object();
	for (si = 0; si < r->nseries && !error; si++) {
		struct dispatch_series *ds = &r->series[si];
		const struct variant *v = &r->sc->variants[si / (size_t)reps];
		int rep = (int)(si % (size_t)reps) + 1, done = run_recorded_builds(r, v, rep);
		struct series s;
		char *why, *key;
		if (done == 0 || done == (int)r->co.count)
			continue;
		if (ds->restart) {
			progress_note(&r->progress, "resume: %s (repetition %d) is built again from its cold build: "
				      "the engine it was built on is not in this run", v->name, rep);
			continue;
		}
		series_init(&s, &r->eng[ds->pin], v, rep, &r->co);
		why = runstate_series_resume(&r->state, v, rep, done, &s.cache, s.eng->world_same);
		if (!why) {
			progress_note(&r->progress, "resume: %s (repetition %d) continues after build %d of %zu "
				      "with the cache state it had", v->name, rep, done, r->co.count);
			key = xasprintf("%s/%d", v->name, rep);
			json_object_set_new(r->resumed, key, cache_state_to_json(&s.cache.state));
			free(key);
		} else {
			progress_note(&r->progress, "resume: %s (repetition %d) is built again from its cold "
				      "build: %s", v->name, rep, why);
			for (i = 1; i <= r->co.count; i++) {
				key = xasprintf("%s/%d/%zu", v->name, rep, i);
				json_object_del(r->finished, key);
				free(key);
			}
			error = results_drop_series(r->res, v->name, rep);
			ds->pin = -1; /* nothing of it left: any engine */
		}
		free(why);
		series_release(&s);
	}
	return error;
}
