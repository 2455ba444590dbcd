/*
 * run_one.c: one build of a series, phase by phase (run_build_one): skip
 * what a resumed run has, reset the runner, check the commit out, restore
 * the cache, make the command, run it, save the cache, record the build,
 * keep its image. The phases share a struct one_build, which owns every
 * string and argv of the build until one_build_release; the series (s)
 * and the run (r) are borrowed. What the engines' threads share is taken
 * under r->lock, as in run.c.
 */
#include "run/run_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/cpupressure.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "results/verdict.h"
#include "run/build.h"
#include "run/series.h"
#include "world/world.h"

/* ---- the record ---- */

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
	/* the build's kind, for the verdict: what changed since the series' last build */
	json_object_set_new(b, "kind", json_string(build_kind_names[i == 0 ? BUILD_FIRST :
				    build_kind_of(c->changed_prev, c->changed_prev_count, s->eng->r->sc->verdict.manifests,
						  s->eng->r->sc->verdict.manifests_count)]));
	json_object_set_new(b, "engine", json_string(s->eng->engine->name));
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
	int runner = re->cache_env.runner;

	build_exec_record(b, x);
	cache_record_seconds(b, cu, &s->cache);
	if (w) {
		json_object_set_new(b, "served_bytes", json_integer(world_runner_served_bytes(w, runner)));
		json_object_set_new(b, "served_requests", json_integer(world_runner_served_requests(w, runner)));
		json_object_set_new(b, "registry_bytes", json_integer(world_runner_registry_bytes(w, runner)));
		json_object_set_new(b, "registry_sent_bytes", json_integer(world_runner_registry_sent_bytes(w, runner)));
	}
	/* an engine that died mid-run makes every later build fail: move on
	 * (one on another host whose link went makes its build hang until
	 * the timeout, unless the connection's keepalive notices first) */
	if ((!strcmp(x->status, "failed") || !strcmp(x->status, "timeout")) && run_engine_gone(re, s->builder))
		record_lost(b, re, "during the build");
}

/* After build i of series s was recorded (r->lock held): what a resume
 * continues from. A state that cannot be written only costs a resume its
 * cut series (built again from cold), so it is a warning. */
static void save_state(struct run *r, struct series *s, size_t i)
{
	runstate_series_saved(&r->state, s->v, s->rep, (int)i + 1, &s->cache);
	if (runstate_save(&r->state) < 0) {
		progress_note(&r->progress, "warning: %s (a resume would build this series again)", bench_error_last());
		bench_error_clear();
	}
}

/* ---- the phases ---- */

/* Commit i of s in s's engine's work tree, its paths confined to it, and
 * the variant's Dockerfile copied (the repository is shared: r->lock). */
static int checkout_commit(struct run *r, struct series *s, size_t i, json_t *b, const char **status,
			   const char **dir, char **context, char **dockerfile)
{
	const struct variant *v = s->v;
	const struct commit_info *c = &s->co->commits[i];
	char *in_repo = NULL;
	int error;

	pthread_mutex_lock(&r->lock);
	if ((error = checkouts_dir_at(dir, s->co, s->eng->k, i)) < 0)
		goto done;
	/* the paths the variant reads in the commit stay inside it: a
	 * committed symlink to elsewhere fails this build, with the reason */
	if ((error = checkouts_confine(context, &in_repo, s->co, i, *dir, v, r->sc->context)) == BENCH_EINVALID) {
		*status = "failed";
		json_object_set_new(b, "reason", json_string(bench_error_last()));
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	if (v->dockerfile_in_repo) {
		if (!path_exists(in_repo)) {
			*status = "skipped";
			json_object_set_new(b, "reason", json_sprintf("commit %s has no '%s'", c->short_id, v->dockerfile));
			goto done;
		}
		error = checkouts_dockerfile(dockerfile, s->co, v, s->rep, in_repo);
	} else {
		error = checkouts_dockerfile(dockerfile, s->co, v, s->rep, v->dockerfile);
	}
done:
	pthread_mutex_unlock(&r->lock);
	free(in_repo);
	return error;
}

/* What the phases of one build share. */
struct one_build {
	struct run *r;
	struct series *s;
	struct run_engine *re;
	const struct engine *e;
	const struct commit_info *c;
	size_t i;
	bool cold;
	json_t *b;                 /* its record */
	const char *status;        /* "ok" until a phase says otherwise */
	const char *dir;           /* the engine's work tree at the commit */
	char *key, *context, *dockerfile, *tag, *meta, *log_rel, *log_path;
	struct build_request req;
	struct strvec argv, push_argv;
	struct build_exec x;
	struct cache_use cu;
	double resets;             /* the runner's reset before it */
	struct cpu_pressure psi0;  /* the machine's CPU contention when its timed part began */
};

/* What a phase returns besides 0 (go on) and a negative code (stop the
 * run): record the build now (its status says why), or nothing more to do
 * (a build the journal has, a dry run's command printed). */
enum { PHASE_RECORD = 1, PHASE_DONE = 2 };

static void one_build_init(struct one_build *ob, struct run *r, struct series *s, size_t i)
{
	memset(ob, 0, sizeof(*ob));
	ob->r = r;
	ob->s = s;
	ob->re = s->eng;
	ob->e = s->eng->engine;
	ob->i = i;
	ob->c = &s->co->commits[i];
	ob->cold = i == 0;
	ob->b = record_new(s, ob->c, i);
	ob->key = results_build_key(ob->b);
	ob->status = "ok";
	ob->x = (struct build_exec){.builder = s->builder, .engine = ob->e, .log_fd = -1};
}

static void one_build_release(struct one_build *ob)
{
	build_exec_release(&ob->x);
	cache_use_release(&ob->cu);
	strvec_release(&ob->argv);
	strvec_release(&ob->push_argv);
	json_decref(ob->b);
	free(ob->tag);
	free(ob->meta);
	free(ob->log_rel);
	free(ob->log_path);
	free(ob->dockerfile);
	free(ob->context);
	free(ob->key);
}

/* A resumed run: a build its journal has is not made again (unless its
 * series restarts); the others are announced. */
static int phase_skip_finished(struct one_build *ob)
{
	struct run *r = ob->r;
	struct series *s = ob->s;

	if (r->finished && json_object_get(r->finished, ob->key) && !s->restart) {
		progress_unplan(&ob->re->progress, s->label, ob->cold ? "cold" : "warm");
		return PHASE_DONE;
	}
	progress_build_start(&ob->re->progress, s->label, ob->cold ? "cold" : "warm", s->rep,
			     r->sc->repetitions, (int)ob->i + 1, (int)s->co->count, ob->c->short_id);
	return 0;
}

/* The runner: a fresh hosted runner has nothing but the cache folder. An
 * engine that stopped answering fails the build (recorded); any other
 * failure stops the run. */
static int phase_reset_runner(struct one_build *ob)
{
	struct run *r = ob->r;
	struct series *s = ob->s;
	monotime t0;
	int error;

	if (!ob->cold && s->v->runner != RUNNER_EPHEMERAL)
		return 0;
	t0 = monotime_now();
	if (r->opts->dry_run) {
		s->builder->print_reset(stdout, ob->e, r->marker);
	} else if ((error = s->builder->reset(ob->e, r->marker)) < 0) {
		if (proc_interrupt_requested() || !run_engine_gone(ob->re, s->builder))
			return proc_interrupt_requested() ? BENCH_EINTERRUPTED : error;
		ob->status = "failed";
		record_lost(ob->b, ob->re, "before the build");
		return PHASE_RECORD;
	}
	ob->resets = monotime_seconds_since(t0);
	return 0;
}

/* A cold build starts the series' folder (its cache, its metadata) anew. */
static int phase_series_folder(struct one_build *ob)
{
	if (!ob->cold || ob->r->opts->dry_run)
		return 0;
	rm_rf(ob->s->dir);
	return mkdir_p(ob->s->dir);
}

/* The commit in the engine's work tree, with the variant's Dockerfile; a
 * commit that cannot be built (no Dockerfile, a path leaving the tree) is
 * recorded as such. */
static int phase_checkout(struct one_build *ob)
{
	int error = checkout_commit(ob->r, ob->s, ob->i, ob->b, &ob->status, &ob->dir, &ob->context,
				    &ob->dockerfile);
	if (error < 0)
		return error;
	return strcmp(ob->status, "ok") ? PHASE_RECORD : 0;
}

static int phase_cache_restore(struct one_build *ob)
{
	cpu_pressure_read(&ob->psi0); /* the timed part starts here */
	return cache_restore(&ob->cu, &ob->s->cache, ob->c->id, ob->dir, ob->cold, ob->b);
}

/* Whether variant v pushes from the build's image exporter (push_mode =
 * direct) rather than loading the image and pushing it apart. */
static bool push_direct(const struct variant *v)
{
	return v->push_mode && !strcmp(v->push_mode, "direct");
}

/* The build's argv (and the push's) through the variant's builder; a dry
 * run prints them and is done. */
static int phase_command(struct one_build *ob)
{
	struct run *r = ob->r;
	struct series *s = ob->s;
	struct build_request *req = &ob->req;
	int error;

	series_before_build(s, ob->i);
	ob->tag = series_image_ref(s, ob->c);
	ob->meta = xasprintf("%s/metadata.json", s->dir);
	req->context = ob->context;
	req->dockerfile = ob->dockerfile;
	req->tag = ob->tag;
	req->target = s->v->target;
	req->network = r->sc->network;
	req->metadata_file = ob->meta;
	req->cache_from = ob->cu.from;
	req->cache_to = ob->cu.to;
	req->build_args = strvec_argv(&ob->re->build_args);
	req->secrets = r->secrets.n ? strvec_argv(&r->secrets) : NULL;
	/* push_mode = load: the image is built and loaded, then pushed apart
	 * and timed apart (the blog's docker build + docker push); direct: the
	 * image exporter pushes and stores nothing (the blog's buildx build
	 * --push on a docker-container builder; the docker driver's exporter
	 * would also store the image, and pull every layer a registry cache
	 * left remote to do so, unless store=false), the push is part of the
	 * build's time */
	req->push = false;
	if (s->v->push && push_direct(s->v))
		req->output = "type=image,push=true,store=false";
	if ((error = s->builder->build_argv(&ob->argv, ob->e, req)) < 0)
		return error;
	if (s->v->push && !req->output)
		s->builder->push_argv(&ob->push_argv, ob->e, ob->tag);
	if (!r->opts->dry_run)
		return 0;
	build_print_argv(stdout, strvec_argv(&ob->argv));
	if (ob->push_argv.n)
		build_print_argv(stdout, strvec_argv(&ob->push_argv));
	return PHASE_DONE;
}

/* The build itself, its log in the results, then the cache saved and what
 * the build did recorded. */
static int phase_build(struct one_build *ob)
{
	struct run *r = ob->r;
	struct series *s = ob->s;
	struct build_exec *x = &ob->x;
	int error;

	ob->log_rel = xasprintf("logs/%s-r%d-%03zu-%s.log", s->v->name, s->rep, ob->i + 1, ob->c->short_id);
	ob->log_path = path_join(r->res->dir, ob->log_rel);
	if (r->world)
		world_runner_counters_reset(r->world, ob->re->cache_env.runner);
	x->argv = strvec_argv(&ob->argv);
	x->push_argv = ob->push_argv.n ? strvec_argv(&ob->push_argv) : NULL;
	x->ref = ob->tag;
	x->log_path = ob->log_path;
	x->log_rel = ob->log_rel;
	x->timeout = r->sc->timeout;
	x->progress = &ob->re->progress;
	x->redact = r->redact;
	x->image_sizes = r->image_sizes;
	x->image_sizes_lock = &r->sizes_lock;
	if ((error = builder_prepare(s->builder, ob->e, &ob->req)) < 0 || (error = build_exec_run(x)) < 0)
		return error;
	ob->status = x->status;
	ob->cu.image = ob->tag;
	if ((error = cache_save(&ob->cu, &s->cache, !strcmp(ob->status, "ok"), ob->b)) < 0)
		return error;
	record_ran(ob->b, ob->re, x, &ob->cu, s);
	return 0;
}

/* The record's status and times, the progress line's end and the run's
 * time split. PHASE_DONE in a dry run (a skipped build: it records and
 * counts nothing). */
static int phase_finish_record(struct one_build *ob)
{
	struct run *r = ob->r;
	json_t *b = ob->b;
	double wall = ob->cu.restore_seconds + ob->x.build_seconds + ob->x.push_seconds + ob->cu.save_seconds;

	json_object_set_new(b, "status", json_string(ob->status));
	if (!json_object_get(b, "exit_code"))
		json_object_set_new(b, "exit_code", json_integer(-1));
	if (!json_object_get(b, "wall_seconds"))
		set_number(b, "wall_seconds", wall);
	if (ob->psi0.ok) {
		struct cpu_pressure now;
		double share;
		cpu_pressure_read(&now);
		if (isfinite(share = cpu_pressure_share(&ob->psi0, &now)))
			set_number(b, "cpu_contention", share);
	}
	progress_build_end(&ob->re->progress, ob->status, wall,
			   (int)json_integer_value(json_object_get(b, "steps_cached")),
			   (int)json_integer_value(json_object_get(b, "steps_total")));
	if (r->opts->dry_run)
		return PHASE_DONE;
	pthread_mutex_lock(&r->lock);
	r->out->split.docker += wall;
	r->out->split.resets += ob->resets;
	r->out->split.nbuilds++;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* The record into the journal (secrets redacted) and the state a resume
 * continues from; an interrupted build marks the series and the run. */
static int phase_append(struct one_build *ob)
{
	struct run *r = ob->r;
	struct series *s = ob->s;
	int error;

	if (!strcmp(ob->status, "interrupted"))
		s->interrupted = true; /* recorded; --resume drops it and builds it again */
	redact_json(r->redact, ob->b); /* a step that printed a secret: not in the reason */
	pthread_mutex_lock(&r->lock);
	if (s->interrupted)
		r->interrupted = true;
	error = results_append(r->res, json_incref(ob->b));
	if (error < 0)
		error = bench_error_wrap(error, "cannot record the build of %s at %s (results kept so far are in %s)",
					 s->v->name, ob->c->short_id, r->res->dir);
	else if (!s->interrupted)
		save_state(r, s, ob->i);
	pthread_mutex_unlock(&r->lock);
	return error;
}

int run_build_one(struct run *r, struct series *s, size_t i)
{
	struct one_build ob;
	int step;

	one_build_init(&ob, r, s, i);
	if ((step = phase_skip_finished(&ob)) == 0 && (step = phase_reset_runner(&ob)) == 0 &&
	    (step = phase_series_folder(&ob)) == 0 && (step = phase_checkout(&ob)) == 0 &&
	    (step = phase_cache_restore(&ob)) == 0 && (step = phase_command(&ob)) == 0)
		step = phase_build(&ob);
	if ((step == 0 || step == PHASE_RECORD) && (step = phase_finish_record(&ob)) == 0 &&
	    (step = phase_append(&ob)) == 0 && !strcmp(ob.status, "ok") && ob.tag)
		series_keep_image(s, &ob.tag, i);
	one_build_release(&ob);
	return step < 0 ? step : 0;
}
