/*
 * run.c: the replay loop of `bench run`.
 *
 * For every variant and repetition (a series), the scenario's commits are
 * built in order: the first build of a series is cold (runner reset, empty
 * cache), the others warm. The series are spread over the run's engines by
 * dispatch.c, each series on one engine from its cold build to its last, the
 * engines building in parallel. run_one.c makes each build, phase by
 * phase: it goes to its variant's builder (builder.h) on its engine as an
 * argv; build.c runs it, keeps its output in logs/ and parses its progress;
 * cache.c restores and saves the series' cache around it; series.c says
 * which image ref it gets and removes the one it replaced; its record (with
 * its engine) is appended to the journal as it ends, and state.json (runstate.h) says what a resume continues from. A
 * resumed run skips the builds its journal has, a series cut in the middle
 * going on with the cache state it had when it can; Ctrl-C ends the loop
 * with every finished build kept; an engine that stops answering fails its
 * build and its series restart on the other engines (none left: the run
 * stops). A planned run (bench bisect, run.h) replays the series its plan
 * gives, on the first engine of the run.
 *
 * What the engines' threads share is guarded by r->lock: the results folder,
 * the state, the checkouts' repository, the run's outcome and time split;
 * image sizes by r->sizes_lock. Each engine has its own progress display,
 * cache environment, build args, world runner and work tree.
 *
 * Folders: the run's private work folder (default RESULTS/.work, removed at
 * the end of a complete run, kept after an interruption so --resume can go
 * on) holds the checked-out commits, per-series folders (cache, metadata)
 * and the world.
 */
#include "run/run.h"
#include "run/run_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/build.h"
#include "builders/builder.h"
#include "cache/cache.h"
#include "repo/checkout.h"
#include "run/dispatch.h"
#include "builders/engine.h"
#include "run/engines.h"
#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "run/progress.h"
#include "run/redact.h"
#include "results/estimate.h"
#include "results/results.h"
#include "results/verdict.h"
#include "run/runstate.h"
#include "run/series.h"
#include "scenario/scenario.h"
#include "lib/util.h"
#include "world/world.h"
#include "world/repo.h"

/* ---- a series, and the engines ---- */

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

/* Build series s from its first commit to its last. Returns 0,
 * DISPATCH_ENGINE_LOST, or a negative code that stops the run. */
static int run_series(struct run *r, struct series *s, struct dispatch *d)
{
	size_t i;
	int error = 0;

	for (i = 0; i < s->co->count; i++) {
		if (proc_interrupt_requested())
			return BENCH_EINTERRUPTED;
		if (d && dispatch_stopping(d))
			return 0; /* another engine stopped the run */
		if ((error = run_build_one(r, s, i)) < 0)
			return error;
		if (s->interrupted)
			return BENCH_EINTERRUPTED;
		if (s->eng->lost)
			return DISPATCH_ENGINE_LOST;
	}
	series_drop_image(s);
	if (!r->opts->dry_run && !r->opts->work_dir)
		rm_rf(s->dir);
	return 0;
}

static int on_series(void *ctx, struct dispatch *d, size_t k, struct dispatch_series *ss)
{
	struct run *r = ctx;
	struct series s;
	int error, reps = r->sc->repetitions;

	series_init(&s, &r->eng[k], &r->sc->variants[ss->index / (size_t)reps], (int)(ss->index % (size_t)reps) + 1,
		    &r->co);
	s.restart = ss->restart;
	run_resume_cache_state(r, &s);
	error = run_series(r, &s, d);
	series_release(&s);
	return error;
}

/* The message of a run whose engines all stopped answering. */
static int engines_lost(struct run *r)
{
	char *hint = resume_hint(r);
	int error = bench_error_set(BENCH_ESETUP,
		"docker daemon stopped answering during the run (%s); the failed build and everything "
		"before it are in %s (continue later with: %s)",
		r->engines.n > 1 ? "every engine of the run" : engine_describe(&r->engines.v[0]), r->res->dir, hint);
	free(hint);
	return error;
}

/* A planned run: each series the plan asks for, with its own commits, on
 * the first engine of the run. */
static int replay_plan(struct run *r)
{
	const struct run_plan *plan = r->opts->plan;
	struct run_view view = {.scenario = r->sc, .commits = r->co.commits, .count = r->co.count,
				.repo = r->world ? world_repo_path(r->world) : r->sc->repo,
				.results_dir = r->res->dir};
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
			series_init(&s, &r->eng[0], &r->sc->variants[vi], next.repetition, &co);
			run_resume_cache_state(r, &s);
			error = run_series(r, &s, NULL);
			series_release(&s);
		}
		checkouts_release(&co);
		if (error == DISPATCH_ENGINE_LOST)
			return engines_lost(r);
		if (error < 0)
			return error;
	}
}

/* Every series, over the engines (a planned run: the plan's); a resumed
 * series goes on where it was built before, or restarts from its cold build
 * when that engine is not in this run. */
static int replay_all(struct run *r)
{
	static const struct dispatch_ops ops = {run_on_engine_start, on_series, run_on_engine_lost};
	size_t i;
	int error = 0;

	if (r->opts->plan) {
		error = replay_plan(r);
	} else if (r->opts->dry_run) {
		/* in order, engine by engine, as the commands would run */
		for (i = 0; i < r->nseries && !error; i++)
			error = on_series(r, NULL, i % r->engines.n, &r->series[i]);
	} else {
		run_engines_plan(r);
		error = dispatch_run(r->series, r->nseries, r->engines.n, &ops, r);
	}
	if (error == DISPATCH_NO_ENGINE)
		error = engines_lost(r);
	if (error == BENCH_EINTERRUPTED && r->res && !r->opts->dry_run) {
		char *hint = resume_hint(r);
		error = bench_error_set(BENCH_EINTERRUPTED,
			"interrupted (signal %d); the builds that finished are in %s (continue with: %s)",
			proc_interrupt_signal(), r->res->dir, hint);
		free(hint);
	}
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
		free(r->sc->commits_at);
		r->sc->commits_at = xstrdup("--commits");
	}
	if (o->scale > 0) {
		if (!r->sc->world.enabled)
			return bench_error_set(BENCH_EINVALID, "--scale: scenario '%s' has no [world] section to scale",
					       r->sc->path);
		r->sc->world.scale = o->scale;
	}
	if ((error = engine_set_init(&r->engines, o->engines, r->sc->engines, r->sc->engines_count,
				     o->engines ? "--engines" : "engines")) < 0)
		return error;
	if (o->plan && r->engines.n > 1) {
		progress_note(&r->progress, "a planned run builds on one engine: %s", r->engines.v[0].name);
		engine_set_truncate(&r->engines, 1);
	}
	return 0;
}

/* Every series (variant x repetition), free to go to any engine; a resumed
 * run pins those the journal has builds of (run_resume_pins). */
static void list_series(struct run *r)
{
	size_t i;

	r->nseries = r->sc->variants_count * (size_t)r->sc->repetitions;
	r->series = xcalloc(r->nseries ? r->nseries : 1, sizeof(*r->series));
	for (i = 0; i < r->nseries; i++) {
		r->series[i].index = i;
		r->series[i].pin = -1;
	}
	if (r->finished)
		run_resume_pins(r, r->series, r->nseries);
}

static int open_results(struct run *r)
{
	json_t *scenario_json, *env = NULL;
	int error;

	if (r->opts->resume_dir) {
		char *notes = NULL;
		/* a refused resume leaves the folder as it was */
		if ((error = run_check_digest(r, r->opts->resume_dir)) < 0 ||
		    (error = results_reopen(&r->res, &notes, r->opts->resume_dir)) < 0)
			return error;
		if (notes) /* also kept in run.json's "resumes" */
			progress_note(&r->progress, "resume: %s: %s", r->res->dir, notes);
		free(notes);
		if ((error = run_prepare_resume(r)) < 0)
			return error;
		env = json_object_get(r->res->run, "environment");
		if (!json_is_object(env))
			json_object_set_new(r->res->run, "environment", env = json_object());
		return run_engines_fingerprint(r, env);
	}
	if ((error = builders_environment(&env, r->sc, &r->engines.v[0])) < 0 ||
	    (error = run_engines_fingerprint(r, env)) < 0) {
		json_decref(env);
		return error;
	}
	scenario_json = scenario_to_json(r->sc);
	{
		char *name = r->opts->results_label ? xasprintf("%s-%s", r->sc->name, r->opts->results_label) :
			     xstrdup(r->sc->name);
		error = results_create(&r->res, r->opts->results_base ? r->opts->results_base : "results", name,
				       scenario_json, env);
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

/* Whether the scenario's commits resolve in repo (see replay_count):
 * the error names where commits was set. */
static int check_commits_in(struct run *r, const char *repo)
{
	struct replay *rp = NULL;
	size_t n;
	int error = replay_open(&rp, repo);

	if (!error && (error = replay_count(&n, rp, r->sc->commits)) < 0)
		error = bench_error_wrap(error, "%s", r->sc->commits_at ? r->sc->commits_at : r->sc->path);
	replay_free(rp);
	return error;
}

/* The commits checked before anything runs: a bad range or last:N beyond
 * the history stops the run before an engine, a results folder or the world
 * is touched. A world's repository is generated for it (the same commits as
 * the world's: the seed fixes them) in a folder removed at once. */
static int check_commits(struct run *r)
{
	char *tmp;
	int error;

	if (!r->sc->world.enabled)
		return check_commits_in(r, r->sc->repo);
	tmp = xasprintf("%s/bench-commits-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		error = bench_error_errno(BENCH_EIO, "cannot make a folder like '%s'", tmp);
		free(tmp);
		return error;
	}
	if ((error = world_repo_generate(tmp, r->sc->world.seed)) == 0 &&
	    (error = check_commits_in(r, tmp)) < 0) {
		/* the folder is gone when the message is read: say what it held */
		struct strbuf sb = {0};
		const char *msg = bench_error_last(), *at;
		size_t n = strlen(tmp);
		while ((at = strstr(msg, tmp))) {
			strbuf_add(&sb, msg, (size_t)(at - msg));
			strbuf_puts(&sb, "the world's repository");
			msg = at + n;
		}
		strbuf_puts(&sb, msg);
		bench_error_set(error, "%s", sb.buf);
		strbuf_release(&sb);
	}
	rm_rf(tmp);
	free(tmp);
	return error;
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
	if (!error && r->opts->dry_run)
		error = check_commits_in(r, repo);
	if (!error)
		error = checkouts_open(&r->co, r->work, repo, r->sc->commits);
	free(generated);
	if (!error)
		list_series(r);
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
	run_engines_release(r);
	strvec_release(&r->secrets);
	strvec_release(&r->base_images);
	redact_free(r->redact);
	json_decref(r->finished);
	json_decref(r->resumed);
	runstate_release(&r->state);
	json_decref(r->image_sizes);
	free(r->series);
	progress_release(&r->progress);
	free(r->work);
	free(r->marker);
	engine_set_release(&r->engines);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->sizes_lock);
}

static void lock_waiting(void *ctx, const char *path)
{
	struct run *r = ctx;
	progress_note(&r->progress, "another bench run is using a docker engine of this run (lock %s); waiting for it",
		      path);
}

/* The end of the dry run's plan, as shell comments on stdout: how many
 * builds, and how long they would take at the median times of an earlier
 * run of this scenario in the results folder (estimate.h), when there is
 * one. */
static void dry_run_plan(struct run *r)
{
	const char *base = r->opts->results_base ? r->opts->results_base : "results";
	size_t nv = r->sc->variants_count, reps = (size_t)r->sc->repetitions, ncommits = r->co.count, i;
	size_t builds = nv * reps * ncommits;
	const char **names = xcalloc(nv ? nv : 1, sizeof(*names));
	bool same = false;
	char *earlier = estimate_find_run(&same, base, r->sc->name, r->sc->digest), *missing = NULL;
	json_t *run = NULL, *hist = run_verdict_history_json(r);
	double seconds = NAN;

	for (i = 0; i < nv; i++)
		names[i] = r->sc->variants[i].name;
	printf("# plan: %zu build%s: %zu variant%s x %zu commit%s x %zu repetition%s, on %zu engine%s\n", builds,
	       builds == 1 ? "" : "s", nv, nv == 1 ? "" : "s", ncommits, ncommits == 1 ? "" : "s", reps,
	       reps == 1 ? "" : "s", r->engines.n, r->engines.n == 1 ? "" : "s");
	if (earlier && results_load(&run, &missing, earlier) == 0)
		seconds = estimate_seconds(run, names, nv, reps, reps * (ncommits ? ncommits - 1 : 0));
	bench_error_clear();
	if (isfinite(seconds))
		printf("# estimate: %.0f min of builds (%.0f s) on one engine, at the median cold and warm times "
		       "of %s (%s)\n", seconds / 60, seconds, earlier,
		       same ? "the same scenario file" : "a scenario of that name, since changed");
	else
		printf("# estimate: none (no earlier run of scenario '%s' with builds in %s/)\n", r->sc->name, base);
	if (hist) { /* what the verdict will weigh the build kinds by */
		json_t *k = json_object_get(hist, "kinds");
		printf("# verdict: %s, %.0f commits after the first: %.0f code-only, %.0f dependency changes, "
		       "%.0f Dockerfile changes; %.2f pushes a day\n", json_string_value(json_object_get(hist, "source")),
		       json_number_value(json_object_get(hist, "commits")) - 1,
		       json_number_value(json_object_get(k, "code")), json_number_value(json_object_get(k, "deps")),
		       json_number_value(json_object_get(k, "dockerfile")),
		       json_number_value(json_object_get(hist, "pushes_per_day")));
	}
	if (r->sc->verdict.mix)
		printf("# verdict: [verdict] mix = %s takes the history's mix's place\n", r->sc->verdict.mix);
	if (r->sc->verdict.pushes_per_day > 0)
		printf("# verdict: [verdict] pushes_per_day = %g takes the history's rate's place\n",
		       r->sc->verdict.pushes_per_day);
	json_decref(hist);
	json_decref(run);
	free(missing);
	free(earlier);
	free(names);
}

/* The dry run: every argv printed, nothing run, nothing kept. */
static int dry_run(struct run *r)
{
	int error;

	if ((error = make_work_dir(r)) < 0 || (error = open_repository(r)) < 0) {
		if (!r->opts->work_dir)
			rm_rf(r->work); /* nothing is left behind */
		return error;
	}
	run_engines_args(r);
	/* paths in the dry run point at a results folder that is not made */
	r->res = xcalloc(1, sizeof(*r->res));
	r->res->dir = xstrdup("results/DRY-RUN");
	r->res->journal_fd = -1;
	error = replay_all(r);
	if (!error)
		dry_run_plan(r);
	rm_rf(r->work);
	free(r->res->dir);
	free(r->res);
	r->res = NULL;
	return error;
}

/* The run's outcome, from the builds as they stand (a build an engine
 * failed and another one made again counts once, as the latter); the
 * exit status speaks for the whole run, a resumed one's earlier part too. */
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

/* A run starts with the images runs killed before their end left (they
 * would make every later `image ls` longer and were never the engine's
 * user's): no other run is using the engines while we hold their locks. */
static void remove_leftovers(struct run *r)
{
	size_t k;

	for (k = 0; k < r->engines.n; k++) {
		int removed = 0;
		if (builder_default()->remove_leftovers(&removed, &r->engines.v[k], RUN_MARKER_PREFIX) < 0)
			progress_note(&r->progress, "warning: cannot remove the images earlier runs left on %s: %s",
				      r->engines.v[k].name, bench_error_last());
		else if (removed)
			progress_note(&r->progress, "removed %d image(s) that runs killed before their end left on %s",
				      removed, r->engines.v[k].name);
		bench_error_clear();
	}
}

/* Seconds since *t, and *t moved to now: the time split's stopwatch. */
static double lap(monotime *t)
{
	monotime now = monotime_now();
	double s = monotime_seconds(*t, now);
	*t = now;
	return s;
}

/* Each engine's preflight, then the results folder and its state (a resume:
 * the interrupted run's marker). */
static int set_up(struct run *r)
{
	size_t k;
	int error = 0;

	for (k = 0; k < r->engines.n && !error; k++)
		error = builders_preflight(r->sc, &r->engines.v[k]);
	if (error < 0)
		return error;
	r->builders_up = true; /* from here on every way out finishes the builders */
	if ((error = run_engines_check(r)) < 0 || (error = open_results(r)) < 0)
		return error;
	r->out->results_dir = xstrdup(r->res->dir);
	if ((error = runstate_load(&r->state, r->res->dir)) < 0)
		return error;
	if (r->opts->resume_dir && runstate_marker(&r->state)) {
		/* the interrupted run's images and registry cache refs */
		free(r->marker);
		r->marker = xstrdup(runstate_marker(&r->state));
		run_engines_set_marker(r);
	}
	runstate_set_marker(&r->state, r->marker);
	remove_leftovers(r);
	return make_work_dir(r);
}

int run_execute(struct run_outcome *out, const struct run_options *opts)
{
	struct run r = {.opts = opts, .out = out, .keep_world = true};
	struct time_split *split = &out->split;
	char stamp[32], *message = NULL;
	monotime t;
	int error, end_error;
	size_t k;

	memset(out, 0, sizeof(*out));
	t = monotime_now();
	pthread_mutex_init(&r.lock, NULL);
	pthread_mutex_init(&r.sizes_lock, NULL);
	progress_init(&r.progress, stderr, opts->quiet);
	r.image_sizes = json_object();
	if ((error = scenario_load_with(&r.sc, opts->scenario_path, opts->overrides, opts->overrides_count)) < 0 ||
	    (error = apply_overrides(&r)) < 0 || (error = cache_check(r.sc)) < 0 ||
	    (!opts->dry_run && (error = check_commits(&r)) < 0))
		goto done;
	utc_stamp(stamp, sizeof(stamp));
	{
		char *marker = xasprintf("%s%s-%d", opts->keep_images ? RUN_KEPT_PREFIX : RUN_MARKER_PREFIX,
					 stamp, (int)getpid());
		r.marker = builder_ref_name(marker);
		free(marker);
	}
	run_engines_prepare(&r);
	r.redact = redact_new(r.sc);
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

	split->setup += lap(&t);
	if ((error = engine_set_lock(&r.engines, lock_waiting, &r)) < 0)
		goto done;
	split->waiting += lap(&t);
	if ((error = set_up(&r)) < 0)
		goto done;
	split->setup += lap(&t);
	if ((error = run_world_start(&r)) < 0 || (error = runstate_save(&r.state)) < 0)
		goto done;
	*(r.world ? &split->world : &split->setup) += lap(&t);
	run_engines_args(&r);
	if ((error = open_repository(&r)) < 0 || (error = run_base_images(&r)) < 0 ||
	    (opts->resume_dir && (error = run_resume_series(&r)) < 0))
		goto done;
	run_verdict_history(&r);
	/* each engine's work tree at the first commit: writing every file of
	 * the tree is set-up, the builds then only move it from commit to commit */
	for (k = 0; k < r.engines.n && r.co.count && !opts->plan; k++)
		if ((error = checkouts_dir_at(NULL, &r.co, k, 0)) < 0)
			goto done;
	progress_note(&r.progress, "replaying %zu commit(s) x %zu variant(s) x %d repetition(s) on %zu engine(s); "
		      "results in %s", r.co.count, r.sc->variants_count, r.sc->repetitions, r.engines.n, r.res->dir);
	split->setup += lap(&t);

	error = replay_all(&r);
	split->builds += lap(&t);
	if (proc_interrupt_requested() || r.interrupted)
		out->interrupted = true;
	if (out->interrupted && !error)
		error = bench_error_set(BENCH_EINTERRUPTED, "interrupted (signal %d) after the last build; "
					"the builds are in %s", proc_interrupt_signal(), r.res->dir);

	run_verdict_attach(&r);
	end_error = results_finish(r.res, error == 0);
	if (!error && end_error < 0)
		error = end_error;
	out->run = json_incref(r.res->run);
	count_outcome(out, r.res->run);
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
	 * engines and buildah's storage stay as the last build left them) */
	if (r.builders_up && !opts->keep_images) {
		if (error < 0)
			message = xstrdup(bench_error_last());
		for (k = 0; k < r.engines.n; k++)
			if (!r.eng[k].lost && builders_finish(r.sc, &r.engines.v[k], r.marker) < 0)
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
