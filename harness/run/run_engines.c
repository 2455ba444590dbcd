/*
 * run_engines.c: the engines' part of `bench run` (see run_int.h): each
 * engine's state, the world's runners and build args, the fingerprints,
 * the base images an engine gets before its first build, what a resumed
 * run pins, and what the run does when an engine stops answering.
 */
#include "run/run_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/proc.h"
#include "run/world_engine.h"

void run_world_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	progress_note(&r->progress, "%s", msg);
}

/* The cache's notes ("restoring cache ...") on one engine's progress line
 * (cache_env.note; ctx is that engine's struct progress). */
static void cache_note_progress(void *ctx, const char *msg)
{
	progress_note(ctx, "%s", msg);
}

/* Is the engine still answering? When not, it is lost, and why is kept. */
bool run_engine_gone(struct run_engine *re, const struct builder *b)
{
	struct builder_needs nothing = {0};

	if (proc_interrupt_requested() || b->preflight(re->engine, &nothing) == 0)
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
	error = engine_copy_images(builder_default(), re->engine, sources, n, &r->base_images, dir, run_world_log, r);
	/* the first engine made the world (run_world_start): it has its base */
	for (i = 0; !error && r->world && k > 0 && i < r->base_images.n; i++)
		error = builders_import_base(r->sc, re->engine, r->base_images.v[i]);
	if (error < 0 && !proc_interrupt_requested() && run_engine_gone(re, builder_default())) {
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
		re->cache_env = (struct cache_env){.marker = r->marker, .note = cache_note_progress,
						   .note_ctx = &re->progress,
						   .dry_run = r->opts->dry_run, .builder = builder_default(),
						   .engine = re->engine, .network = r->sc->network,
						   .registry = r->sc->registry.enabled ? &r->sc->registry : NULL,
						   .runner_env = !r->sc->world.enabled};
		re->world_same = true;
		if (r->opts->dry_run && r->sc->world.enabled) {
			/* the dry run shows the registry's refs as the run would make them */
			const struct world_settings *ws = &r->sc->world;
			re->dry_registry = xasprintf("%s:<registry-port>", ws->address ? ws->address
						     : ws->listen ? ws->listen : "127.0.0.1");
			re->cache_env.dry_registry = re->dry_registry;
		}
	}
	if (r->engines.n > 1)
		r->progress.tty = false;
}

void run_engines_set_marker(struct run *r)
{
	size_t k;

	for (k = 0; k < r->engines.n; k++)
		r->eng[k].cache_env.marker = r->marker;
}

/* The label of series si's builds in engine k's progress (run.c's
 * series_label). Caller frees. */
static char *plan_label(struct run *r, size_t k, const struct variant *v)
{
	return r->engines.n > 1 ? xasprintf("%s @%s", v->name, r->engines.v[k].name) : xstrdup(v->name);
}

/* Has a resumed run every build of series ds already? */
static bool series_whole(struct run *r, const struct dispatch_series *ds, const struct variant *v)
{
	int rep = (int)(ds->index % (size_t)r->sc->repetitions) + 1;
	return r->finished && !ds->restart && run_recorded_builds(r, v, rep) == (int)r->co.count;
}

void run_engines_plan(struct run *r)
{
	size_t i, next = 0;
	int reps = r->sc->repetitions;

	for (i = 0; i < r->nseries; i++) {
		const struct dispatch_series *ds = &r->series[i];
		const struct variant *v = &r->sc->variants[ds->index / (size_t)reps];
		size_t k;
		char *label;
		if (series_whole(r, ds, v))
			continue; /* nothing of it to build */
		k = ds->pin >= 0 ? (size_t)ds->pin : next++ % r->engines.n;
		label = plan_label(r, k, v);
		progress_plan(&r->eng[k].progress, label, "cold", 1);
		progress_plan(&r->eng[k].progress, label, "warm", (int)r->co.count - 1);
		free(label);
	}
}

int run_engines_check(struct run *r)
{
	size_t i;

	for (i = 0; r->engines.n > 1 && i < r->sc->variants_count; i++) {
		const struct builder *b = builder_of(&r->sc->variants[i]);
		if (!b->copy_image)
			return bench_error_set(BENCH_EINVALID, "variant '%s': builder %s cannot spread a run over "
					       "several engines", r->sc->variants[i].name, b->name);
	}
	return 0;
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
		const char *address = world_engine_listen(ws, re->engine->name);
		char *origin = xasprintf("http://%s:<index-port>", address ? address : ws->address ? ws->address
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
		if ((error = engine_fingerprint(&fp, builder_default(), &r->engines.v[k])) == 0) {
			/* its image store drops a replaced image: one tag a series (series.h) */
			r->eng[k].moving_tag = !strcmp(json_str(fp, "image_store"), "containerd");
			json_array_append_new(fps, fp);
		}
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

/* The ports engine k's runner had in the interrupted run, if saved: by
 * the engine's name, else (the first engine) the world's own. */
static bool wanted_ports(struct run *r, size_t k, struct world_resume *want)
{
	if (!r->opts->resume_dir)
		return false;
	if (runstate_runner(&r->state, r->engines.v[k].name, want))
		return true;
	return k == 0 && runstate_world(&r->state, want);
}

/* The world, made on the first engine, and a runner of it per engine; a
 * resumed run's on the ports it had, when it can (see runstate.h). */
int run_world_start(struct run *r)
{
	struct world_resume want = {0}, got;
	bool wanted;
	char *wdir;
	size_t k;
	int error;

	if (!r->sc->world.enabled)
		return 0;
	wdir = path_join(r->work, "world");
	wanted = wanted_ports(r, 0, &want);
	error = world_start_resumed(&r->world, &r->sc->world, &r->engines.v[0], &run_world_engine_ops, wdir,
				    wanted ? &want : NULL, run_world_log, r);
	free(wdir);
	if (error < 0 || (error = builders_import_base(r->sc, &r->engines.v[0], world_base_image(r->world))) < 0)
		return error;
	for (k = 0; k < r->engines.n; k++) {
		struct run_engine *re = &r->eng[k];
		struct cache_env *ce = &re->cache_env;
		if (k > 0) {
			wanted = wanted_ports(r, k, &want);
			if ((error = world_add_runner_for(&ce->runner, r->world, re->engine, wanted ? &want : NULL)) < 0)
				return error;
		}
		world_runner_ports(r->world, ce->runner, &got);
		/* a resumed run whose ports are unknown cannot continue a cut series */
		re->world_same = r->opts->resume_dir ? wanted && got.index_port == want.index_port &&
							       got.registry_port == want.registry_port : true;
		if (k == 0)
			runstate_set_world(&r->state, got.index_port, got.registry_port);
		runstate_set_runner(&r->state, re->engine->name, &got);
		ce->world = r->world;
		ce->paced_store = r->sc->world.cache_bandwidth > 0;
	}
	/* the world starts after the results folder is made (it lives in the
	 * run's work folder): its description joins run.json now */
	return results_set_environment(r->res, "world", world_describe(r->world));
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
		free(r->eng[k].dry_registry);
		progress_release(&r->eng[k].progress);
	}
	free(r->eng);
	r->eng = NULL;
}
