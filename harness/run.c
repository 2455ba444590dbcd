/*
 * run.c: the replay loop of `bench run`.
 *
 * For every variant and repetition, the scenario's commits are built in
 * order: the first build of a series is cold (runner reset, empty cache), the
 * others warm. Each build goes to the builder (builder.h) on the run's engine
 * as an argv; build.c runs it, keeps its output in logs/ and parses its
 * progress; cache.c restores and saves the series' cache around it; its
 * record is appended to the journal before the next build starts. A resumed
 * run skips the builds its journal has; Ctrl-C and an engine that stops
 * answering end the loop with every finished build kept.
 *
 * Folders: the run's private work folder (default RESULTS/.work, removed at
 * the end of a complete run, kept after an interruption so --resume can go
 * on) holds the checked-out commits, per-series folders (cache, metadata)
 * and the world.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "builder.h"
#include "cache.h"
#include "checkout.h"
#include "engine.h"
#include "error.h"
#include "monotonic.h"
#include "proc.h"
#include "progress.h"
#include "redact.h"
#include "results.h"
#include "runstate.h"
#include "scenario.h"
#include "util.h"
#include "world.h"
#include "world/repo.h"

struct run {
	const struct run_options *opts;
	struct run_outcome *out;
	struct scenario *sc;
	struct engine engine; /* the one engine of this run: the default */
	struct checkouts co;  /* the commits, checked out in the work folder */
	struct world *world;
	struct results *res;
	struct progress progress;
	struct cache_env cache_env;
	char *work;           /* private work folder */
	char *marker;         /* "bench-run-<stamp>": every image this run tags */
	struct strvec build_args;
	struct strvec secrets;
	struct redact *redact; /* the secrets' values, kept out of the results */
	json_t *finished;     /* resume: keys of builds already in the journal */
	struct runstate state;/* state.json: what a resume continues from (runstate.h) */
	json_t *resumed;      /* resume: "VARIANT/REP" -> the cache state a cut series continues with */
	bool world_same;      /* the world has the interrupted run's ports (or there is none) */
	json_t *image_sizes;  /* image identity -> bytes, for build.c */
	int lock_fd;          /* the engine lock, held for the whole run */
	bool builders_up;     /* preflight passed: builders_finish at the end */
	bool daemon_lost;
	bool keep_world;      /* the run did not finish: keep the registry's storage */
};

/* One variant and repetition: its builds share a folder and a cache. */
struct series {
	const struct variant *v;
	const struct builder *builder; /* the variant's */
	int rep;
	struct checkouts *co; /* its commits: the run's, or a planned series' own */
	char *dir;            /* work/series/<variant>-r<rep> */
	struct cache_series cache;
};

static void world_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	progress_note(&r->progress, "%s", msg);
}

static void series_init(struct series *s, struct run *r, const struct variant *v, int rep,
			struct checkouts *co)
{
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->builder = builder_of(v);
	s->rep = rep;
	s->co = co;
	s->dir = xasprintf("%s/series/%s-r%d", r->work, v->name, rep);
	cache_series_init(&s->cache, v, rep, s->dir, &r->cache_env);
}

static void series_release(struct series *s)
{
	cache_series_release(&s->cache);
	free(s->dir);
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
	for (k = 0; k < c->changed_count; k++)
		json_array_append_new(changed, json_string(c->changed[k]));
	json_object_set_new(b, "changed", changed);
	changed = json_array();
	for (k = 0; k < c->changed_prev_count; k++)
		json_array_append_new(changed, json_string(c->changed_prev[k]));
	json_object_set_new(b, "changed_since_previous", changed);
	return b;
}

static void set_number(json_t *o, const char *key, double v)
{
	json_object_set_new(o, key, json_real(v));
}

/* The record of a build that ran: the build's, the cache's times, the
 * world's counters; and the check that a failed build did not lose the
 * engine. */
static void record_ran(json_t *b, struct run *r, const struct build_exec *x, const struct cache_use *cu,
		       const struct series *s)
{
	build_exec_record(b, x);
	cache_record_seconds(b, cu, &s->cache);
	if (r->world) {
		json_object_set_new(b, "served_bytes", json_integer(world_served_bytes(r->world)));
		json_object_set_new(b, "served_requests", json_integer(world_served_requests(r->world)));
		json_object_set_new(b, "registry_bytes", json_integer(world_registry_bytes(r->world)));
		json_object_set_new(b, "registry_sent_bytes", json_integer(world_registry_sent_bytes(r->world)));
	}
	if (!strcmp(x->status, "failed") && !proc_interrupt_requested()) {
		/* an engine that died mid-run makes every later build fail: stop */
		struct builder_needs nothing = {0};
		if (s->builder->preflight(&r->engine, &nothing) < 0) {
			json_object_set_new(b, "reason", json_sprintf("docker daemon stopped answering during the build: %s",
								       bench_error_last()));
			r->daemon_lost = true;
		}
	}
}

/* After build i of series s was recorded: what a resume continues from.
 * A state that cannot be written only costs a resume its cut series (built
 * again from cold), so it is a warning. */
static void save_state(struct run *r, struct series *s, size_t i)
{
	runstate_series_saved(&r->state, s->v, s->rep, (int)i + 1, &s->cache);
	if (runstate_save(&r->state) < 0) {
		progress_note(&r->progress, "warning: %s (a resume would build this series again)", bench_error_last());
		bench_error_clear();
	}
}

/* Build variant s->v at commit i. Returns 0 when the build ran (any status),
 * or a negative code that must stop the run (interrupted, results lost). */
static int build_one(struct run *r, struct series *s, size_t i)
{
	const struct variant *v = s->v;
	const struct commit_info *c = &s->co->commits[i];
	bool cold = i == 0;
	struct build_request req = {0};
	struct strvec argv = {0}, push_argv = {0};
	struct build_exec x = {.builder = s->builder, .engine = &r->engine, .log_fd = -1};
	struct cache_use cu = {0};
	json_t *b = record_new(s, c, i);
	char *name = builder_ref_name(v->name), *tag = NULL, *meta = NULL, *log_rel = NULL, *log_path = NULL;
	char *dockerfile = NULL, *context = NULL, *in_repo = NULL, *key = results_build_key(b);
	const char *status = "ok", *dir;
	int error = 0;

	if (r->finished && json_object_get(r->finished, key)) {
		progress_unplan(&r->progress, v->name, cold ? "cold" : "warm");
		goto done; /* resume: finished before */
	}
	progress_build_start(&r->progress, v->name, cold ? "cold" : "warm", s->rep,
			     r->sc->repetitions, (int)i + 1, (int)s->co->count, c->short_id);

	/* the runner: a fresh hosted runner has nothing but the cache folder */
	if (cold || v->runner == RUNNER_EPHEMERAL) {
		monotime t0 = monotime_now();
		if (r->opts->dry_run)
			s->builder->print_reset(stdout, &r->engine, r->marker);
		else if ((error = s->builder->reset(&r->engine, r->marker)) < 0)
			goto fatal_check;
		r->out->split.resets += monotime_seconds_since(t0);
	}
	if (cold && !r->opts->dry_run) {
		rm_rf(s->dir);
		if ((error = mkdir_p(s->dir)) < 0)
			goto done;
	}

	if ((error = checkouts_dir(&dir, s->co, i)) < 0)
		goto done;
	/* the paths the variant reads in the commit stay inside it: a
	 * committed symlink to elsewhere fails this build, with the reason */
	if ((error = checkouts_confine(&context, &in_repo, s->co, i, dir, v, r->sc->context)) == BENCH_EINVALID) {
		status = "failed";
		json_object_set_new(b, "reason", json_string(bench_error_last()));
		error = 0;
		goto record;
	}
	if (error < 0)
		goto done;
	if (v->dockerfile_in_repo) {
		if (!path_exists(in_repo)) {
			status = "skipped";
			json_object_set_new(b, "reason", json_sprintf("commit %s has no '%s'", c->short_id, v->dockerfile));
			goto record;
		}
		error = checkouts_dockerfile(&dockerfile, s->co, v, in_repo);
	} else {
		error = checkouts_dockerfile(&dockerfile, s->co, v, v->dockerfile);
	}
	if (error < 0 || (error = cache_restore(&cu, &s->cache, c->id, dir, cold, b)) < 0)
		goto done;

	tag = xasprintf("%s%s%s/%s:%s-r%d", v->push && r->world ? world_registry(r->world) : "",
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
	req.build_args = strvec_argv(&r->build_args);
	req.secrets = r->secrets.n ? strvec_argv(&r->secrets) : NULL;
	/* the image is built and loaded, then pushed apart and timed apart
	 * (with the containerd store, an image exporter that pushes makes the
	 * local cache export fail with "not found") */
	req.push = false;
	if ((error = s->builder->build_argv(&argv, &r->engine, &req)) < 0)
		goto done;
	if (v->push)
		s->builder->push_argv(&push_argv, &r->engine, tag);
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
		world_counters_reset(r->world);
	x.argv = strvec_argv(&argv);
	x.push_argv = v->push ? strvec_argv(&push_argv) : NULL;
	x.ref = tag;
	x.log_path = log_path;
	x.log_rel = log_rel;
	x.timeout = r->sc->timeout;
	x.progress = &r->progress;
	x.redact = r->redact;
	x.image_sizes = r->image_sizes;
	if ((error = builder_prepare(s->builder, &r->engine, &req)) < 0 || (error = build_exec_run(&x)) < 0)
		goto done;
	status = x.status;
	cu.image = tag;
	if ((error = cache_save(&cu, &s->cache, !strcmp(status, "ok"), b)) < 0)
		goto done;
	record_ran(b, r, &x, &cu, s);

record:
	json_object_set_new(b, "status", json_string(status));
	if (!json_object_get(b, "exit_code"))
		json_object_set_new(b, "exit_code", json_integer(-1));
	{
		double wall = cu.restore_seconds + x.build_seconds + x.push_seconds + cu.save_seconds;
		if (!json_object_get(b, "wall_seconds"))
			set_number(b, "wall_seconds", wall);
		r->out->split.docker += wall;
		progress_build_end(&r->progress, status, wall, (int)json_integer_value(json_object_get(b, "steps_cached")),
				   (int)json_integer_value(json_object_get(b, "steps_total")));
	}
	if (r->opts->dry_run)
		goto done; /* a skipped build: the dry run records and counts nothing */
	r->out->builds++;
	r->out->split.nbuilds++;
	if (!strcmp(status, "ok"))
		r->out->ok++;
	else
		r->out->not_ok++;
	if (!strcmp(status, "interrupted"))
		r->out->interrupted = true; /* recorded; --resume drops it and builds it again */
	redact_json(r->redact, b); /* a step that printed a secret: not in the reason */
	error = results_append(r->res, json_incref(b));
	if (error < 0) {
		error = bench_error_wrap(error, "cannot record the build of %s at %s (results kept so far are in %s)",
					 v->name, c->short_id, r->res->dir);
		goto done;
	}
	if (strcmp(status, "interrupted"))
		save_state(r, s, i);
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
	free(in_repo);
	free(key);
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
	return 0;
}

static void collect_args(struct run *r)
{
	size_t i;
	if (r->world)
		world_build_args(r->world, &r->build_args);
	for (i = 0; i < r->sc->build_args_count; i++)
		strvec_push(&r->build_args, r->sc->build_args[i]);
	r->redact = redact_new(r->sc);
	for (i = 0; i < r->sc->secrets_count; i++) {
		const struct secret *s = &r->sc->secrets[i];
		if (s->src)
			strvec_pushf(&r->secrets, "id=%s,src=%s", s->id, s->src);
		else
			strvec_pushf(&r->secrets, "id=%s,env=%s", s->id, s->env);
	}
}

/* Resume: a refusal when the scenario file changed since the run began
 * (unless --force), before anything in the folder is touched. */
static int check_digest(struct run *r, const char *dir)
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
static int prepare_resume(struct run *r)
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

/* The builds recorded before: the exit status speaks for the whole run, not
 * only this part. */
static void count_recorded(struct run *r)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(r->res->run, "builds"), i, b) {
		const char *status = json_string_value(json_object_get(b, "status"));
		r->out->builds++;
		if (status && !strcmp(status, "ok"))
			r->out->ok++;
		else
			r->out->not_ok++;
	}
}

/* The builds of series (v, rep) the results already have, 1..count. */
static int recorded_builds(struct run *r, const struct variant *v, int rep)
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
 * Resume: each series cut in the middle either continues with the cache
 * state it had (state.json, checked against what its cache holds now) or is
 * built again from its cold build, its records dropped; the run says which
 * and why.
 */
static int resume_series(struct run *r)
{
	size_t vi, i;
	int rep, error = 0;

	r->resumed = json_object();
	for (vi = 0; vi < r->sc->variants_count && !error; vi++) {
		const struct variant *v = &r->sc->variants[vi];
		for (rep = 1; rep <= r->sc->repetitions && !error; rep++) {
			int done = recorded_builds(r, v, rep);
			struct series s;
			char *why, *key;
			if (done == 0 || done == (int)r->co.count)
				continue;
			series_init(&s, r, v, rep, &r->co);
			why = runstate_series_resume(&r->state, v, rep, done, &s.cache, r->world_same);
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
			}
			free(why);
			series_release(&s);
		}
	}
	return error;
}

static int open_results(struct run *r)
{
	json_t *scenario_json, *env = NULL;
	int error;

	if (r->opts->resume_dir) {
		char *notes = NULL;
		/* a refused resume leaves the folder as it was */
		if ((error = check_digest(r, r->opts->resume_dir)) < 0 ||
		    (error = results_reopen(&r->res, &notes, r->opts->resume_dir)) < 0)
			return error;
		if (notes) /* also kept in run.json's "resumes" */
			progress_note(&r->progress, "resume: %s: %s", r->res->dir, notes);
		free(notes);
		return prepare_resume(r);
	}
	scenario_json = scenario_to_json(r->sc);
	if ((error = builders_environment(&env, r->sc, &r->engine)) < 0) {
		json_decref(scenario_json);
		return error;
	}
	{
		char *name = r->opts->results_label ? xasprintf("%s-%s", r->sc->name, r->opts->results_label) :
			     xstrdup(r->sc->name);
		int error = results_create(&r->res, r->opts->results_base ? r->opts->results_base : "results",
					   name, scenario_json, env);
		free(name);
		return error;
	}
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

/* The repository the commits come from. */
static const char *repo_path(struct run *r)
{
	return r->world ? world_repo_path(r->world) : r->sc->repo;
}

static int open_repository(struct run *r)
{
	const char *repo = repo_path(r);
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

/* A series that continues after a resume takes the cache state it had. */
static void resume_cache_state(struct run *r, struct series *s)
{
	char *key = xasprintf("%s/%d", s->v->name, s->rep);
	json_t *saved = json_object_get(r->resumed, key);

	if (saved) {
		cache_state_release(&s->cache.state);
		cache_state_from_json(&s->cache.state, saved);
	}
	free(key);
}

/* How to continue an interrupted run, for messages. Caller frees. */
static char *resume_hint(const struct run *r)
{
	const char *hint = r->opts->resume_hint, *at;

	if (hint && (at = strstr(hint, "{dir}")))
		return xasprintf("%.*s%s%s", (int)(at - hint), hint, r->res->dir, at + 5);
	if (hint)
		return xstrdup(hint);
	return xasprintf("bench run --resume %s %s", r->res->dir, r->sc->path);
}

/* Build every commit of series s in order. */
static int replay_series(struct run *r, struct series *s)
{
	size_t i;
	int error = 0;

	for (i = 0; i < s->co->count; i++) {
		if (proc_interrupt_requested())
			return BENCH_EINTERRUPTED;
		if ((error = build_one(r, s, i)) < 0)
			return error;
		if (r->out->interrupted)
			return BENCH_EINTERRUPTED;
		if (r->daemon_lost) {
			char *hint = resume_hint(r);
			error = bench_error_set(BENCH_ESETUP,
				"docker daemon stopped answering during the run; the failed build and "
				"everything before it are in %s (continue later with: %s)", r->res->dir, hint);
			free(hint);
			return error;
		}
	}
	if (!r->opts->dry_run && !r->opts->work_dir)
		rm_rf(s->dir);
	return 0;
}

/* A planned run: each series the plan asks for, with its own commits. */
static int replay_plan(struct run *r)
{
	const struct run_plan *plan = r->opts->plan;
	struct run_view view = {.scenario = r->sc, .commits = r->co.commits, .count = r->co.count,
				.repo = repo_path(r), .results_dir = r->res->dir};
	int error;

	for (;;) {
		struct run_series next = {0};
		struct checkouts co;
		struct series s;
		size_t vi;

		view.builds = json_object_get(r->res->run, "builds");
		if ((error = plan->next(plan->ctx, &next, &view)) <= 0)
			return error;
		for (vi = 0; vi < r->sc->variants_count; vi++)
			if (!strcmp(r->sc->variants[vi].name, next.variant))
				break;
		if (vi == r->sc->variants_count || next.repetition < 1)
			return bench_error_set(BENCH_EINVALID, "a planned series names no variant of "
					       "scenario '%s' ('%s', repetition %d)", r->sc->path,
					       next.variant, next.repetition);
		if ((error = checkouts_open(&co, r->work, view.repo, next.commits)) == 0) {
			series_init(&s, r, &r->sc->variants[vi], next.repetition, &co);
			resume_cache_state(r, &s);
			error = replay_series(r, &s);
			series_release(&s);
		}
		checkouts_release(&co);
		if (error < 0)
			return error;
	}
}

static int replay_all(struct run *r)
{
	size_t vi;
	int rep, error = 0;

	if (r->opts->plan)
		error = replay_plan(r);
	/* the ETA's plan: a cold build and count - 1 warm ones per series */
	for (vi = 0; vi < r->sc->variants_count && !r->opts->plan; vi++) {
		progress_plan(&r->progress, r->sc->variants[vi].name, "cold", r->sc->repetitions);
		progress_plan(&r->progress, r->sc->variants[vi].name, "warm",
			      r->sc->repetitions * (int)(r->co.count - 1));
	}
	for (vi = 0; vi < r->sc->variants_count && !error && !r->opts->plan; vi++) {
		for (rep = 1; rep <= r->sc->repetitions && !error; rep++) {
			struct series s;
			series_init(&s, r, &r->sc->variants[vi], rep, &r->co);
			resume_cache_state(r, &s);
			error = replay_series(r, &s);
			series_release(&s);
		}
	}
	if (error == BENCH_EINTERRUPTED && r->res && !r->opts->dry_run) {
		char *hint = resume_hint(r);
		error = bench_error_set(BENCH_EINTERRUPTED,
			"interrupted (signal %d); the builds that finished are in %s (continue with: %s)",
			proc_interrupt_signal(), r->res->dir, hint);
		free(hint);
	}
	return error;
}

static void run_release(struct run *r)
{
	if (r->world && r->keep_world)
		world_keep(r->world); /* for --resume: the registry's pushes and caches */
	if (r->world)
		world_stop(r->world);
	checkouts_release(&r->co);
	results_free(r->res);
	if (r->out->run)
		r->out->scenario = r->sc; /* the end-of-run report reads it */
	else
		scenario_free(r->sc);
	strvec_release(&r->build_args);
	strvec_release(&r->secrets);
	redact_free(r->redact);
	json_decref(r->finished);
	json_decref(r->resumed);
	runstate_release(&r->state);
	json_decref(r->image_sizes);
	progress_release(&r->progress);
	free(r->work);
	free(r->marker);
	engine_release(&r->engine);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
}

static void lock_waiting(void *ctx, const char *path)
{
	struct run *r = ctx;
	progress_note(&r->progress, "another bench run is using the docker engine (lock %s); waiting for it", path);
}

/* The dry run: every argv printed, nothing run, nothing kept. */
static int dry_run(struct run *r)
{
	int error;

	if ((error = make_work_dir(r)) < 0 || (error = open_repository(r)) < 0)
		return error;
	if (r->sc->world.enabled)
		world_build_args_at(&r->build_args, "http://127.0.0.1:<index-port>", r->sc->world.base_image);
	collect_args(r);
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

static int start_world(struct run *r)
{
	struct world_resume want;
	char *wdir;
	int error;

	r->world_same = true;
	if (!r->sc->world.enabled)
		return 0;
	wdir = path_join(r->work, "world");
	if (r->opts->resume_dir && runstate_world(&r->state, &want)) {
		error = world_start_resumed(&r->world, &r->sc->world, &r->engine, wdir, &want, world_log, r);
		r->world_same = !error && world_index_port(r->world) == want.index_port &&
				world_registry_port(r->world) == want.registry_port;
	} else {
		error = world_start(&r->world, &r->sc->world, &r->engine, wdir, world_log, r);
		r->world_same = !r->opts->resume_dir; /* the interrupted run's ports are unknown */
	}
	free(wdir);
	if (error < 0 || (error = builders_import_base(r->sc, &r->engine, world_base_image(r->world))) < 0)
		return error;
	runstate_set_world(&r->state, world_index_port(r->world), world_registry_port(r->world));
	r->cache_env.world = r->world;
	r->cache_env.paced_store = r->sc->world.cache_bandwidth > 0;
	/* the world starts after the results folder is made (it lives in the
	 * run's work folder): its description joins run.json now */
	return results_set_environment(r->res, "world", world_describe(r->world));
}

/* A run starts with the images runs killed before their end left (they
 * would make every later `image ls` longer and were never the engine's
 * user's): no other run is using the engine while we hold its lock. */
static void remove_leftovers(struct run *r)
{
	int removed = 0;

	if (builder_default()->remove_leftovers(&removed, &r->engine, RUN_MARKER_PREFIX) < 0)
		progress_note(&r->progress, "warning: cannot remove the images earlier runs left: %s",
			      bench_error_last());
	else if (removed)
		progress_note(&r->progress, "removed %d image(s) that runs killed before their end left", removed);
	bench_error_clear();
}

/* Seconds since *t, and *t moved to now: the time split's stopwatch. */
static double lap(monotime *t)
{
	monotime now = monotime_now();
	double s = monotime_seconds(*t, now);
	*t = now;
	return s;
}

int run_execute(struct run_outcome *out, const struct run_options *opts)
{
	struct run r = {.opts = opts, .out = out, .lock_fd = -1, .keep_world = true};
	struct time_split *split = &out->split;
	char stamp[32], *message = NULL;
	monotime t;
	int error, end_error;

	memset(out, 0, sizeof(*out));
	t = monotime_now();
	progress_init(&r.progress, stderr, opts->quiet);
	engine_init_default(&r.engine);
	r.image_sizes = json_object();
	if ((error = scenario_load_with(&r.sc, opts->scenario_path, opts->overrides, opts->overrides_count)) < 0 ||
	    (error = apply_overrides(&r)) < 0 || (error = cache_check(r.sc)) < 0)
		goto done;
	utc_stamp(stamp, sizeof(stamp));
	{
		char *marker = xasprintf("%s%s-%d", opts->keep_images ? RUN_KEPT_PREFIX : RUN_MARKER_PREFIX,
					 stamp, (int)getpid());
		r.marker = builder_ref_name(marker);
		free(marker);
	}
	r.cache_env = (struct cache_env){.marker = r.marker, .progress = &r.progress, .dry_run = opts->dry_run,
					 .builder = builder_default(), .engine = &r.engine, .network = r.sc->network};
	if (opts->dry_run) {
		error = dry_run(&r);
		goto done;
	}

	split->setup += lap(&t);
	if ((error = engine_lock(&r.lock_fd, &r.engine, lock_waiting, &r)) < 0)
		goto done;
	split->waiting += lap(&t);
	if ((error = builders_preflight(r.sc, &r.engine)) < 0)
		goto done;
	r.builders_up = true; /* from here on every way out finishes the builders */
	if ((error = open_results(&r)) < 0)
		goto done;
	out->results_dir = xstrdup(r.res->dir);
	if ((error = runstate_load(&r.state, r.res->dir)) < 0)
		goto done;
	if (opts->resume_dir && runstate_marker(&r.state)) {
		/* the interrupted run's images and registry cache refs */
		free(r.marker);
		r.marker = xstrdup(runstate_marker(&r.state));
		r.cache_env.marker = r.marker;
	}
	runstate_set_marker(&r.state, r.marker);
	remove_leftovers(&r);
	if ((error = make_work_dir(&r)) < 0)
		goto done;
	split->setup += lap(&t);
	if ((error = start_world(&r)) < 0 || (error = runstate_save(&r.state)) < 0)
		goto done;
	*(r.world ? &split->world : &split->setup) += lap(&t);
	collect_args(&r);
	if ((error = open_repository(&r)) < 0 || (opts->resume_dir && (error = resume_series(&r)) < 0))
		goto done;
	count_recorded(&r);
	progress_note(&r.progress, "replaying %zu commit(s) x %zu variant(s) x %d repetition(s); results in %s",
		      r.co.count, r.sc->variants_count, r.sc->repetitions, r.res->dir);
	split->setup += lap(&t);

	error = replay_all(&r);
	split->builds += lap(&t);
	if (proc_interrupt_requested())
		out->interrupted = true;
	if (out->interrupted && !error)
		error = bench_error_set(BENCH_EINTERRUPTED, "interrupted (signal %d) after the last build; "
					"the builds are in %s", proc_interrupt_signal(), r.res->dir);

	end_error = results_finish(r.res, error == 0);
	if (!error && end_error < 0)
		error = end_error;
	out->run = json_incref(r.res->run);
	split->report += lap(&t);
	r.keep_world = out->interrupted || error;
	if (!out->interrupted && !error && !opts->work_dir) {
		if (r.world) {
			world_stop(r.world);
			r.world = NULL;
		}
		rm_rf(r.work);
	}
	split->cleanup += lap(&t);
done:
	/* the run's images go, and the builders' caches (--keep-images: the
	 * engine and buildah's storage stay as the last build left them) */
	if (r.builders_up && !opts->keep_images) {
		if (error < 0)
			message = xstrdup(bench_error_last());
		if (builders_finish(r.sc, &r.engine, r.marker) < 0)
			progress_note(&r.progress, "clean-up after the run: %s", bench_error_last());
		bench_error_clear();
		if (message) /* the clean-up above must not replace what stopped the run */
			bench_error_set(error, "%s", message);
		split->cleanup += lap(&t);
	}
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
