/*
 * run_engines.c: the engines' part of `bench run` (see run_int.h): each
 * engine's state, the world's runners and build args, the fingerprints,
 * the base images an engine gets before its first build, what a resumed
 * run pins, and what the run does when an engine stops answering.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "proc.h"

void run_world_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	progress_note(&r->progress, "%s", msg);
}

/* Is the engine still answering? When not, it is lost, and why is kept. */
bool run_engine_gone(struct run_engine *re)
{
	struct builder_needs nothing = {0};

	if (proc_interrupt_requested() || re->r->builder->preflight(re->engine, &nothing) == 0)
		return false;
	re->lost = true;
	free(re->lost_reason);
	re->lost_reason = xstrdup(bench_error_last());
	return true;
}

/* Before engine k's first build: the base images the scenario needs. */
int run_on_engine_start(void *ctx, struct dispatch *d, size_t k)
{
	struct run *r = ctx;
	struct run_engine *re = &r->eng[k];
	const struct engine **sources = xcalloc(r->engines.n + 1, sizeof(*sources));
	struct engine def;
	char *dir = xasprintf("%s/engines/%zu", r->work, k);
	size_t i, n = 0;
	int error;

	(void)d;
	engine_init_default(&def);
	sources[n++] = &def; /* where scripts/setup made them */
	for (i = 0; i < r->engines.n; i++)
		sources[n++] = &r->engines.v[i];
	error = engine_copy_images(r->builder, re->engine, sources, n, &r->base_images, dir, run_world_log, r);
	for (i = 0; !error && r->world && i < r->base_images.n; i++)
		error = r->builder->import_base(re->engine, r->base_images.v[i]);
	if (error < 0 && !proc_interrupt_requested() && run_engine_gone(re)) {
		progress_note(&r->progress, "engine %s: cannot prepare it: %s", re->engine->name, bench_error_last());
		error = DISPATCH_ENGINE_LOST;
	}
	rm_rf(dir);
	free(dir);
	free(sources);
	engine_release(&def);
	return error;
}

void run_on_engine_lost(void *ctx, size_t k, size_t moved)
{
	struct run *r = ctx;
	struct run_engine *re = &r->eng[k];
	json_t *fp;

	progress_note(&r->progress, "engine %s stopped answering (%s); %zu series move to the other engines",
		      re->engine->name, re->lost_reason ? re->lost_reason : "?", moved);
	pthread_mutex_lock(&r->lock);
	fp = json_array_get(json_object_get(json_object_get(r->res->run, "environment"), "engines"), k);
	if (json_is_object(fp))
		json_object_set_new(fp, "lost", json_string(re->lost_reason ? re->lost_reason : "stopped answering"));
	pthread_mutex_unlock(&r->lock);
}

/* Resume: a series the journal has builds of stays on their engine; when
 * that engine is not in this run, it restarts from its cold build on any
 * (cold and warm are per engine). A series the journal has whole goes
 * nowhere. Builds recorded before engines were (no "engine") were made on
 * the default engine. */
void run_resume_pins(struct run *r, struct dispatch_series *series, size_t n)
{
	json_t *b;
	size_t i, *count = xcalloc(n ? n : 1, sizeof(*count));
	int reps = r->sc->repetitions;

	json_array_foreach(json_object_get(r->res->run, "builds"), i, b) {
		const char *variant = json_string_value(json_object_get(b, "variant"));
		const char *engine = json_string_value(json_object_get(b, "engine"));
		json_int_t rep = json_integer_value(json_object_get(b, "repetition"));
		size_t vi;
		for (vi = 0; variant && vi < r->sc->variants_count; vi++) {
			size_t si = vi * (size_t)reps + (size_t)rep - 1;
			if (strcmp(r->sc->variants[vi].name, variant) || rep < 1 || rep > reps)
				continue;
			series[si].pin = engine_set_find(&r->engines, engine ? engine : "default");
			series[si].restart = series[si].pin < 0;
			count[si]++;
		}
	}
	for (i = 0; i < n; i++) {
		if (count[i] >= r->co.count) { /* whole: nothing to build */
			series[i].pin = -1;
			series[i].restart = false;
		}
	}
	free(count);
}

void run_engines_prepare(struct run *r)
{
	size_t k;

	r->eng = xcalloc(r->engines.n, sizeof(*r->eng));
	for (k = 0; k < r->engines.n; k++) {
		struct run_engine *re = &r->eng[k];
		re->r = r;
		re->k = k;
		re->engine = &r->engines.v[k];
		progress_init(&re->progress, stderr, r->opts->quiet);
		if (r->engines.n > 1)
			re->progress.tty = false; /* one redrawn line cannot show two builds */
		re->cache_env = (struct cache_env){.marker = r->marker, .progress = &re->progress,
						   .dry_run = r->opts->dry_run};
	}
	if (r->engines.n > 1)
		r->progress.tty = false;
}

/* The build args of engine k: the world's, as its runner reaches it, then
 * the scenario's. */
static void collect_args(struct run *r, size_t k)
{
	struct run_engine *re = &r->eng[k];
	size_t i;

	if (r->world)
		world_runner_build_args(r->world, re->cache_env.runner, &re->build_args);
	else if (r->sc->world.enabled) { /* dry run */
		const struct world_settings *ws = &r->sc->world;
		char *origin = xasprintf("http://%s:<index-port>", ws->address ? ws->address
								   : ws->listen ? ws->listen : "127.0.0.1");
		world_build_args_at(&re->build_args, origin, ws->base_image);
		free(origin);
	}
	for (i = 0; i < r->sc->build_args_count; i++)
		strvec_push(&re->build_args, r->sc->build_args[i]);
}

/* Each engine's fingerprint into environment.engines[] (in the order of the
 * engines of this run; a resumed run keeps those of the engines it had
 * before, after them). Two names of one daemon are refused. */
int run_engines_fingerprint(struct run *r, json_t *env)
{
	json_t *fps = json_array(), *old = json_object_get(env, "engines"), *fp;
	size_t k, i;
	int error = 0;

	for (k = 0; k < r->engines.n && !error; k++)
		if ((error = engine_fingerprint(&fp, r->builder, &r->engines.v[k])) == 0)
			json_array_append_new(fps, fp);
	if (!error)
		error = engine_fingerprints_check(fps);
	json_array_foreach(old, i, fp)
		if (engine_set_find(&r->engines, json_string_value(json_object_get(fp, "name"))) < 0)
			json_array_append(fps, fp);
	if (!error)
		json_object_set(env, "engines", fps);
	json_decref(fps);
	return error;
}

/* The base images every engine needs: the world's, and what the variants'
 * Dockerfiles start FROM (a repo: Dockerfile as in the first commit). */
int run_base_images(struct run *r)
{
	const char *dir = NULL;
	size_t i;
	int error = 0;

	if (r->world)
		strvec_push(&r->base_images, world_base_image(r->world));
	for (i = 0; i < r->sc->variants_count && !error; i++) {
		const struct variant *v = &r->sc->variants[i];
		char *path;
		if (v->dockerfile_in_repo) {
			if (!r->co.count || (error = checkouts_dir(&dir, &r->co, 0)) < 0)
				break;
			path = path_join(dir, v->dockerfile);
		} else {
			path = xstrdup(v->dockerfile);
		}
		if (path_exists(path))
			error = dockerfile_base_images(&r->base_images, path, strvec_argv(&r->eng[0].build_args));
		free(path);
	}
	return error;
}

/* The world, made on the first engine, and a runner of it per engine. */
int run_world_start(struct run *r)
{
	char *wdir;
	size_t k;
	int error;

	if (!r->sc->world.enabled)
		return 0;
	wdir = path_join(r->work, "world");
	error = world_start(&r->world, &r->sc->world, &r->engines.v[0], wdir, run_world_log, r);
	free(wdir);
	if (error < 0 || (error = r->builder->import_base(&r->engines.v[0], world_base_image(r->world))) < 0)
		return error;
	for (k = 0; k < r->engines.n; k++) {
		struct cache_env *ce = &r->eng[k].cache_env;
		if (k > 0 && (error = world_add_runner(&ce->runner, r->world)) < 0)
			return error;
		ce->world = r->world;
		ce->paced_store = r->sc->world.cache_bandwidth > 0;
	}
	return 0;
}

void run_engines_args(struct run *r)
{
	size_t k;

	for (k = 0; k < r->engines.n; k++)
		collect_args(r, k);
}

void run_engines_release(struct run *r)
{
	size_t k;

	for (k = 0; r->eng && k < r->engines.n; k++) {
		strvec_release(&r->eng[k].build_args);
		free(r->eng[k].lost_reason);
	}
	free(r->eng);
	r->eng = NULL;
}
