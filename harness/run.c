/*
 * run.c: the replay loop of `bench run`.
 *
 * For every variant and repetition (a series), the scenario's commits are
 * built in order: the first build of a series is cold (runner reset, empty
 * cache), the others warm. The series are spread over the run's engines by
 * dispatch.c, each series on one engine from its cold build to its last, the
 * engines building in parallel. Each build goes to the builder (builder.h) on
 * its engine as an argv; build.c runs it, keeps its output in logs/ and
 * parses its progress; cache.c restores and saves the series' cache around
 * it; its record (with its engine) is appended to the journal as it ends. A
 * resumed run skips the builds its journal has; Ctrl-C ends the loop with
 * every finished build kept; an engine that stops answering fails its build
 * and its series restart on the other engines (none left: the run stops).
 *
 * What the engines' threads share is guarded by r->lock: the results folder,
 * the checkouts, the run's outcome. Each engine has its own progress
 * display, cache environment, build args and world runner.
 *
 * Folders: the run's private work folder (default RESULTS/.work, removed at
 * the end of a complete run, kept after an interruption so --resume can go
 * on) holds the checked-out commits, per-series folders (cache, metadata)
 * and the world.
 */
#include "run.h"
#include "run_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "builder.h"
#include "cache.h"
#include "checkout.h"
#include "engine.h"
#include "engines.h"
#include "error.h"
#include "proc.h"
#include "progress.h"
#include "results.h"
#include "scenario.h"
#include "dispatch.h"
#include "util.h"
#include "world.h"
#include "world/repo.h"

/* One variant and repetition on one engine: its builds share a folder and a
 * cache. */
struct series {
	const struct variant *v;
	int rep;
	struct run_engine *eng;
	bool restart;         /* build all again, even what the journal has */
	bool interrupted;
	char *dir;            /* work/series/<variant>-r<rep> */
	char *label;          /* the progress line's: the variant (@engine) */
	struct cache_series cache;
};

static void series_init(struct series *s, struct run_engine *re, const struct variant *v, int rep)
{
	struct run *r = re->r;

	memset(s, 0, sizeof(*s));
	s->v = v;
	s->rep = rep;
	s->eng = re;
	s->dir = xasprintf("%s/series/%s-r%d", r->work, v->name, rep);
	s->label = r->engines.n > 1 ? xasprintf("%s @%s", v->name, re->engine->name) : xstrdup(v->name);
	cache_series_init(&s->cache, v, rep, s->dir, &re->cache_env);
}

static void series_release(struct series *s)
{
	cache_series_release(&s->cache);
	free(s->dir);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

/* ---- one build ---- */

/* The record of the build of s at commit i, as far as it is known before
 * it runs. New reference. */
static json_t *record_new(const struct series *s, const struct commit_info *c, size_t i)
{
	json_t *b = json_object(), *changed = json_array();
	size_t k;

	json_object_set_new(b, "variant", json_string(s->v->name));
	json_object_set_new(b, "repetition", json_integer(s->rep));
	json_object_set_new(b, "commit", json_string(c->id));
	json_object_set_new(b, "short", json_string(c->short_id));
	json_object_set_new(b, "subject", json_string(c->subject ? c->subject : ""));
	json_object_set_new(b, "index", json_integer((json_int_t)i + 1));
	json_object_set_new(b, "phase", json_string(i == 0 ? "cold" : "warm"));
	json_object_set_new(b, "engine", json_string(s->eng->engine->name));
	for (k = 0; k < c->changed_count; k++)
		json_array_append_new(changed, json_string(c->changed[k]));
	json_object_set_new(b, "changed", changed);
	return b;
}

static void set_number(json_t *o, const char *key, double v)
{
	json_object_set_new(o, key, json_real(v));
}

/* The reason of a build its engine failed: the engine stopped answering. */
static void record_lost(json_t *b, const struct run_engine *re, const char *when)
{
	json_object_set_new(b, "reason", json_sprintf("docker daemon stopped answering %s (engine %s): %s", when,
						       re->engine->name, re->lost_reason));
}

/* The record of a build that ran: the build's, the cache's times, the
 * world's counters (this engine's runner's); and the check that a failed
 * build did not lose the engine. */
static void record_ran(json_t *b, struct run_engine *re, const struct build_exec *x, const struct cache_use *cu,
		       const struct series *s)
{
	struct world *w = re->r->world;

	build_exec_record(b, x);
	cache_record_seconds(b, cu, &s->cache);
	if (w) {
		json_object_set_new(b, "served_bytes", json_integer(world_runner_served_bytes(w, re->cache_env.runner)));
		json_object_set_new(b, "served_requests",
				    json_integer(world_runner_served_requests(w, re->cache_env.runner)));
	}
	/* an engine that died mid-run makes every later build fail: move on */
	if (!strcmp(x->status, "failed") && run_engine_gone(re))
		record_lost(b, re, "during the build");
}

/* Build variant s->v at commit i on s's engine. Returns 0 when the build ran
 * (any status; s->eng->lost when its engine stopped answering), or a
 * negative code that must stop the run (interrupted, results lost). */
static int build_one(struct run *r, struct series *s, size_t i)
{
	const struct variant *v = s->v;
	struct run_engine *re = s->eng;
	const struct engine *e = re->engine;
	const struct commit_info *c = &r->co.commits[i];
	bool cold = i == 0;
	struct build_request req = {0};
	struct strvec argv = {0}, push_argv = {0};
	struct build_exec x = {.builder = r->builder, .engine = e, .log_fd = -1};
	struct cache_use cu = {0};
	json_t *b = record_new(s, c, i);
	char *name = builder_ref_name(v->name), *tag = NULL, *meta = NULL, *log_rel = NULL, *log_path = NULL;
	char *dockerfile = NULL, *context = NULL, *key = results_build_key(b);
	const char *status = "ok", *dir = NULL;
	int error = 0;

	if (r->finished && json_object_get(r->finished, key) && !s->restart)
		goto done; /* resume: finished before */
	progress_build_start(&re->progress, s->label, cold ? "cold" : "warm", s->rep,
			     r->sc->repetitions, (int)i + 1, (int)r->co.count, c->short_id);

	/* the runner: a fresh hosted runner has nothing but the cache folder */
	if (cold || v->runner == RUNNER_EPHEMERAL) {
		if (r->opts->dry_run) {
			r->builder->print_reset(stdout, e, r->marker);
		} else if ((error = r->builder->reset(e, r->marker)) < 0) {
			if (proc_interrupt_requested() || !run_engine_gone(re))
				goto fatal_check;
			error = 0;
			status = "failed";
			record_lost(b, re, "before the build");
			goto record;
		}
	}
	if (cold && !r->opts->dry_run) {
		rm_rf(s->dir);
		if ((error = mkdir_p(s->dir)) < 0)
			goto done;
	}

	pthread_mutex_lock(&r->lock);
	error = checkouts_dir(&dir, &r->co, i);
	pthread_mutex_unlock(&r->lock);
	if (error < 0)
		goto done;
	context = path_join(dir, r->sc->context);
	if (v->dockerfile_in_repo) {
		char *in_repo = path_join(dir, v->dockerfile);
		if (!path_exists(in_repo)) {
			status = "skipped";
			json_object_set_new(b, "reason", json_sprintf("commit %s has no '%s'", c->short_id, v->dockerfile));
			free(in_repo);
			goto record;
		}
		error = checkouts_dockerfile(&dockerfile, &r->co, v, s->rep, in_repo);
		free(in_repo);
	} else {
		error = checkouts_dockerfile(&dockerfile, &r->co, v, s->rep, v->dockerfile);
	}
	if (error < 0 || (error = cache_restore(&cu, &s->cache, c->id, dir, cold, b)) < 0)
		goto done;

	tag = xasprintf("%s%s%s/%s:%s-r%d",
			v->push && r->world ? world_runner_registry(r->world, re->cache_env.runner) : "",
			v->push && r->world ? "/" : "", r->marker, name, c->short_id, s->rep);
	meta = xasprintf("%s/metadata.json", s->dir);
	req.context = context;
	req.dockerfile = dockerfile;
	req.tag = tag;
	req.target = v->target;
	req.network = r->sc->network;
	req.metadata_file = meta;
	req.cache_from = cu.from;
	req.cache_to = cu.to;
	req.build_args = strvec_argv(&re->build_args);
	req.secrets = r->secrets.n ? strvec_argv(&r->secrets) : NULL;
	/* the image is built and loaded, then pushed apart and timed apart
	 * (with the containerd store, an image exporter that pushes makes the
	 * local cache export fail with "not found") */
	req.push = false;
	if ((error = r->builder->build_argv(&argv, e, &req)) < 0)
		goto done;
	if (v->push)
		r->builder->push_argv(&push_argv, e, tag);
	if (r->opts->dry_run) {
		build_print_argv(stdout, strvec_argv(&argv));
		if (v->push)
			build_print_argv(stdout, strvec_argv(&push_argv));
		goto done;
	}

	/* the build itself */
	log_rel = xasprintf("logs/%s-r%d-%03zu-%s.log", v->name, s->rep, i + 1, c->short_id);
	log_path = path_join(r->res->dir, log_rel);
	if (r->world)
		world_runner_counters_reset(r->world, re->cache_env.runner);
	x.argv = strvec_argv(&argv);
	x.push_argv = v->push ? strvec_argv(&push_argv) : NULL;
	x.ref = tag;
	x.log_path = log_path;
	x.log_rel = log_rel;
	x.timeout = r->sc->timeout;
	x.progress = &re->progress;
	if ((error = build_exec_run(&x)) < 0)
		goto done;
	status = x.status;
	if ((error = cache_save(&cu, &s->cache, !strcmp(status, "ok"), b)) < 0)
		goto done;
	record_ran(b, re, &x, &cu, s);

record:
	json_object_set_new(b, "status", json_string(status));
	if (!json_object_get(b, "exit_code"))
		json_object_set_new(b, "exit_code", json_integer(-1));
	{
		double wall = cu.restore_seconds + x.build_seconds + x.push_seconds + cu.save_seconds;
		if (!json_object_get(b, "wall_seconds"))
			set_number(b, "wall_seconds", wall);
		progress_build_end(&re->progress, status, wall, (int)json_integer_value(json_object_get(b, "steps_cached")),
				   (int)json_integer_value(json_object_get(b, "steps_total")));
	}
	if (r->opts->dry_run)
		goto done; /* a skipped build: the dry run records and counts nothing */
	if (!strcmp(status, "interrupted"))
		s->interrupted = true; /* recorded; --resume drops it and builds it again */
	pthread_mutex_lock(&r->lock);
	if (s->interrupted)
		r->interrupted = true;
	error = results_append(r->res, json_incref(b));
	if (error < 0)
		error = bench_error_wrap(error, "cannot record the build of %s at %s (results kept so far are in %s)",
					 v->name, c->short_id, r->res->dir);
	pthread_mutex_unlock(&r->lock);
	goto done;

fatal_check:
	if (proc_interrupt_requested())
		error = BENCH_EINTERRUPTED;
done:
	build_exec_release(&x);
	cache_use_release(&cu);
	strvec_release(&argv);
	strvec_release(&push_argv);
	json_decref(b);
	free(name);
	free(tag);
	free(meta);
	free(log_rel);
	free(log_path);
	free(dockerfile);
	free(context);
	free(key);
	return error;
}

/* ---- a series, and the engines ---- */

/* Build series s from its first commit to its last. Returns 0,
 * DISPATCH_ENGINE_LOST, or a negative code that stops the run. */
static int run_series(struct run *r, struct series *s, struct dispatch *d)
{
	size_t i;
	int error = 0;

	for (i = 0; i < r->co.count; i++) {
		if (proc_interrupt_requested())
			return BENCH_EINTERRUPTED;
		if (d && dispatch_stopping(d))
			return 0; /* another engine stopped the run */
		if ((error = build_one(r, s, i)) < 0)
			return error;
		if (s->interrupted)
			return BENCH_EINTERRUPTED;
		if (s->eng->lost)
			return DISPATCH_ENGINE_LOST;
	}
	if (!r->opts->dry_run && !r->opts->work_dir)
		rm_rf(s->dir);
	return 0;
}

static int on_series(void *ctx, struct dispatch *d, size_t k, struct dispatch_series *ss)
{
	struct run *r = ctx;
	struct series s;
	int error, reps = r->sc->repetitions;

	series_init(&s, &r->eng[k], &r->sc->variants[ss->index / (size_t)reps], (int)(ss->index % (size_t)reps) + 1);
	s.restart = ss->restart;
	error = run_series(r, &s, d);
	series_release(&s);
	return error;
}

/* Every series, over the engines; a resumed series goes on where it was
 * built before, or restarts from its cold build when that engine is not in
 * this run. */
static int replay_all(struct run *r)
{
	static const struct dispatch_ops ops = {run_on_engine_start, on_series, run_on_engine_lost};
	size_t nseries = r->sc->variants_count * (size_t)r->sc->repetitions, i;
	struct dispatch_series *series = xcalloc(nseries ? nseries : 1, sizeof(*series));
	int error = 0;

	for (i = 0; i < nseries; i++) {
		series[i].index = i;
		series[i].pin = -1;
	}
	if (r->finished)
		run_resume_pins(r, series, nseries);
	if (r->opts->dry_run) {
		/* in order, engine by engine, as the commands would run */
		for (i = 0; i < nseries && !error; i++)
			error = on_series(r, NULL, i % r->engines.n, &series[i]);
	} else {
		error = dispatch_run(series, nseries, r->engines.n, &ops, r);
	}
	free(series);
	if (error == DISPATCH_NO_ENGINE)
		error = bench_error_set(BENCH_ESETUP,
			"docker daemon stopped answering during the run (%s); the failed build and everything "
			"before it are in %s (continue later with: bench run --resume %s %s)",
			r->engines.n > 1 ? "every engine of the run" : engine_describe(&r->engines.v[0]),
			r->res->dir, r->res->dir, r->sc->path);
	if (error == BENCH_EINTERRUPTED && r->res && !r->opts->dry_run)
		error = bench_error_set(BENCH_EINTERRUPTED,
			"interrupted (signal %d); the builds that finished are in %s (continue with: "
			"bench run --resume %s %s)", proc_interrupt_signal(), r->res->dir, r->res->dir,
			r->sc->path);
	return error;
}

/* ---- set-up and tear-down ---- */

static int apply_overrides(struct run *r)
{
	const struct run_options *o = r->opts;
	int error = 0;

	if (o->only && (error = scenario_only_variant(r->sc, o->only)) < 0)
		return error;
	if (o->commits) {
		free(r->sc->commits);
		r->sc->commits = xstrdup(o->commits);
	}
	if (o->scale > 0) {
		if (!r->sc->world.enabled)
			return bench_error_set(BENCH_EINVALID, "--scale: scenario '%s' has no [world] section to scale",
					       r->sc->path);
		r->sc->world.scale = o->scale;
	}
	return engine_set_init(&r->engines, o->engines, r->sc->engines, r->sc->engines_count,
			       o->engines ? "--engines" : "engines");
}

/* Resume: the journal's finished builds, and a refusal when the scenario
 * file changed since the run began (unless --force). */
static int prepare_resume(struct run *r)
{
	json_t *builds, *b, *digest;
	size_t i;

	if (!(r->finished = json_object()))
		return bench_error_set(BENCH_ERROR, "out of memory");
	digest = json_object_get(json_object_get(r->res->run, "scenario"), "digest");
	if (!r->opts->force && (!json_is_string(digest) || strcmp(json_string_value(digest), r->sc->digest)))
		return bench_error_set(BENCH_EINVALID,
			"scenario '%s' changed since %s was started (digest %s, now %s): "
			"rerun from scratch, or pass --force to resume anyway",
			r->sc->path, r->res->dir, json_is_string(digest) ? json_string_value(digest) : "unknown",
			r->sc->digest);
	builds = json_object_get(r->res->run, "builds");
	json_array_foreach(builds, i, b) {
		char *key = results_build_key(b);
		json_object_set_new(r->finished, key, json_true());
		free(key);
	}
	return 0;
}

static int open_results(struct run *r)
{
	json_t *scenario_json, *env = NULL;
	int error;

	if (r->opts->resume_dir) {
		if ((error = results_reopen(&r->res, r->opts->resume_dir)) < 0 || (error = prepare_resume(r)) < 0)
			return error;
		env = json_object_get(r->res->run, "environment");
		if (!json_is_object(env))
			json_object_set_new(r->res->run, "environment", env = json_object());
		return run_engines_fingerprint(r, env);
	}
	if ((error = r->builder->environment(&env, &r->engines.v[0])) < 0 || (error = run_engines_fingerprint(r, env)) < 0) {
		json_decref(env);
		return error;
	}
	scenario_json = scenario_to_json(r->sc);
	return results_create(&r->res, r->opts->results_base ? r->opts->results_base : "results",
			      r->sc->name, scenario_json, env);
}

static int make_work_dir(struct run *r)
{
	if (r->opts->work_dir)
		r->work = path_absolute(r->opts->work_dir);
	else if (r->opts->dry_run)
		r->work = xasprintf("%s/bench-dry-run-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	else
		r->work = path_join(r->res->dir, ".work");
	return mkdir_p(r->work);
}

static int open_repository(struct run *r)
{
	const char *repo = r->world ? world_repo_path(r->world) : r->sc->repo;
	char *generated = NULL;
	int error = 0;

	if (!repo) {
		/* dry run of a world scenario: the repository is generated, not served */
		generated = path_join(r->work, "world-repo");
		error = world_repo_generate(generated, r->sc->world.seed);
		repo = generated;
	}
	if (!error)
		error = checkouts_open(&r->co, r->work, repo, r->sc->commits);
	free(generated);
	return error;
}

static void run_release(struct run *r)
{
	if (r->world)
		world_stop(r->world);
	checkouts_release(&r->co);
	results_free(r->res);
	if (r->out->run)
		r->out->scenario = r->sc; /* the end-of-run report reads it */
	else
		scenario_free(r->sc);
	run_engines_release(r);
	strvec_release(&r->secrets);
	strvec_release(&r->base_images);
	json_decref(r->finished);
	free(r->work);
	free(r->marker);
	engine_set_release(&r->engines);
	pthread_mutex_destroy(&r->lock);
}

static void lock_waiting(void *ctx, const char *path)
{
	struct run *r = ctx;
	progress_note(&r->progress, "another bench run is using a docker engine of this run (lock %s); waiting for it",
		      path);
}

/* The dry run: every argv printed, nothing run, nothing kept. */
static int dry_run(struct run *r)
{
	int error;

	if ((error = make_work_dir(r)) < 0 || (error = open_repository(r)) < 0)
		return error;
	run_engines_args(r);
	/* paths in the dry run point at a results folder that is not made */
	r->res = xcalloc(1, sizeof(*r->res));
	r->res->dir = xstrdup("results/DRY-RUN");
	r->res->journal_fd = -1;
	error = replay_all(r);
	rm_rf(r->work);
	free(r->res->dir);
	free(r->res);
	r->res = NULL;
	return error;
}

/* The run's outcome, from the builds as they stand (a build an engine
 * failed and another one made again counts once, as the latter). */
static void count_outcome(struct run_outcome *out, json_t *run)
{
	json_t *b;
	size_t i;

	out->builds = out->ok = out->not_ok = 0;
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		out->builds++;
		if (!strcmp(json_string_value(json_object_get(b, "status")) ?: "", "ok"))
			out->ok++;
		else
			out->not_ok++;
	}
}

/* Set up everything the replay needs, after the lock. */
static int set_up(struct run *r)
{
	struct builder_needs needs;
	size_t k;
	int error = 0;

	builder_needs_of(&needs, r->sc);
	for (k = 0; k < r->engines.n && !error; k++)
		error = r->builder->preflight(&r->engines.v[k], &needs);
	if (error < 0 || (error = open_results(r)) < 0)
		return error;
	r->out->results_dir = xstrdup(r->res->dir);
	if ((error = make_work_dir(r)) < 0 || (error = run_world_start(r)) < 0)
		return error;
	run_engines_args(r);
	if ((error = open_repository(r)) < 0 || (error = run_base_images(r)) < 0)
		return error;
	if (r->engines.n > 1 && !r->builder->copy_image)
		return bench_error_set(BENCH_EINVALID, "builder %s cannot spread a run over several engines",
				       r->builder->name);
	return 0;
}

int run_execute(struct run_outcome *out, const struct run_options *opts)
{
	struct run r = {.opts = opts, .out = out};
	char stamp[32], *message = NULL;
	int error, end_error;
	size_t k;

	memset(out, 0, sizeof(*out));
	pthread_mutex_init(&r.lock, NULL);
	progress_init(&r.progress, stderr, opts->quiet);
	r.builder = builder_default();
	if ((error = scenario_load(&r.sc, opts->scenario_path)) < 0 || (error = apply_overrides(&r)) < 0)
		goto done;
	utc_stamp(stamp, sizeof(stamp));
	{
		char *marker = xasprintf("bench-run-%s-%d", stamp, (int)getpid());
		r.marker = builder_ref_name(marker);
		free(marker);
	}
	run_engines_prepare(&r);
	for (k = 0; k < r.sc->secrets_count; k++) {
		const struct secret *s = &r.sc->secrets[k];
		if (s->src)
			strvec_pushf(&r.secrets, "id=%s,src=%s", s->id, s->src);
		else
			strvec_pushf(&r.secrets, "id=%s,env=%s", s->id, s->env);
	}
	if (opts->dry_run) {
		error = dry_run(&r);
		goto done;
	}

	if ((error = engine_set_lock(&r.engines, lock_waiting, &r)) < 0 || (error = set_up(&r)) < 0)
		goto done;
	progress_note(&r.progress, "replaying %zu commit(s) x %zu variant(s) x %d repetition(s) on %zu engine(s); "
		      "results in %s", r.co.count, r.sc->variants_count, r.sc->repetitions, r.engines.n, r.res->dir);

	error = replay_all(&r);
	if (proc_interrupt_requested() || r.interrupted)
		out->interrupted = true;
	if (out->interrupted && !error)
		error = bench_error_set(BENCH_EINTERRUPTED, "interrupted (signal %d) after the last build; "
					"the builds are in %s", proc_interrupt_signal(), r.res->dir);

	end_error = results_finish(r.res, error == 0);
	if (!error && end_error < 0)
		error = end_error;
	if (error < 0)
		message = xstrdup(bench_error_last());
	out->run = json_incref(r.res->run);
	count_outcome(out, r.res->run);
	for (k = 0; k < r.engines.n; k++)
		if (!r.eng[k].lost)
			r.builder->reset(&r.engines.v[k], r.marker);
	bench_error_clear();
	if (message) /* the clean-up above must not replace what stopped the run */
		bench_error_set(error, "%s", message);
	if (!out->interrupted && !error && !opts->work_dir) {
		if (r.world) {
			world_stop(r.world);
			r.world = NULL;
		}
		rm_rf(r.work);
	}
done:
	if (out->interrupted && error == 0)
		error = BENCH_EINTERRUPTED;
	run_release(&r);
	free(message);
	return error;
}

void run_outcome_release(struct run_outcome *out)
{
	free(out->results_dir);
	json_decref(out->run);
	scenario_free(out->scenario);
	memset(out, 0, sizeof(*out));
}
