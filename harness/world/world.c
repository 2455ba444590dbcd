/*
 * world/world.c: starts and stops the emulated cafeboo world (see world.h)
 * by putting its parts together: the base image (baseimage.c), the
 * generated repository (repo.c), the generated files (wheels.c) behind the
 * paced HTTP server (server.c), the local registry (registry.c) behind the
 * paced proxy (proxy.c), and the paced copy standing in for actions/cache
 * (pace.c), and GitHub's cache service v2 (ghacache.c) when a variant uses
 * `cache = gha`. The world owns the runner's link (pace.c): every transfer
 * that would cross a real runner's network draws from it, at the same moment.
 */
#include "world/world.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "world/baseimage.h"
#include "world/ghacache.h"
#include "world/pace.h"
#include "world/proxy.h"
#include "world/registry.h"
#include "world/repo.h"
#include "world/server.h"
#include "world/wheels.h"

/* What one more runner (an engine of the run past the first) has of its
 * own: its link, and the index and proxy ports that pace and count for it. */
struct world_runner {
	struct pace_link *link;
	struct server *server;
	struct proxy *proxy;
	char *registry_addr;
	struct ghacache *gha;           /* while a gha series runs on it, or NULL */
	char *gha_dir;                  /* its entries */
	const char *listen, *address;   /* where it binds, what its builds are told
					   (addresses_for: the settings') */
};

/* Everything lives under dir (work_dir/world), which world_stop removes. */
struct world {
	const struct world_settings *s; /* the caller's */
	char *dir, *files_dir, *repo_dir;
	char *registry_addr;
	const char *base_image;         /* s->base_image or the default */
	struct pace_link *link;         /* the runner's: runner_bandwidth */
	struct server *server;
	struct registry *registry;      /* on a private port, behind proxy */
	struct proxy *proxy;
	struct ghacache *gha;           /* while a gha series runs, or NULL */
	char *gha_dir;                  /* its entries */
	const struct world_engine_ops *ops; /* the caller's: the engines' operations */
	const char *listen, *address;   /* runner 0's (the first engine's) */
	struct world_files files;
	double generate_seconds;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	bool keep;                      /* world_stop keeps the registry's storage */
	struct world_runner *runners;   /* runners 1.. (world_add_runner) */
	int nrunners;                   /* of them */
};

static void note(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct world *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!w->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->log(w->log_ctx, msg);
}

/* The address the world's servers bind to, and the one builds are told. */
static const char *listen_of(const struct world *w)
{
	return w->s->listen && *w->s->listen ? w->s->listen : "127.0.0.1";
}

static const char *address_of(const struct world *w)
{
	return w->s->address && *w->s->address ? w->s->address : listen_of(w);
}

const char *world_engine_listen(const struct world_settings *s, const char *engine)
{
	size_t i, n = strlen(engine);

	for (i = 0; i < s->engine_listen_count; i++) {
		const char *v = s->engine_listen[i], *eq = strrchr(v, '=');
		if (eq && (size_t)(eq - v) == n && !strncmp(v, engine, n))
			return eq + 1;
	}
	return NULL;
}

/* Where engine e's runner binds and the address its builds are told (NULL
 * is the default engine). Both point into the settings. */
static void addresses_for(const struct world *w, const struct engine *e, const char **listen,
			  const char **address)
{
	const char *own = world_engine_listen(w->s, w->ops->name(e));

	*listen = own ? own : listen_of(w);
	*address = own ? own : address_of(w);
}

int world_start(struct world **out, const struct world_settings *s, const struct engine *e,
		const struct world_engine_ops *ops, const char *work_dir, void (*log)(void *ctx, const char *msg),
		void *log_ctx)
{
	return world_start_resumed(out, s, e, ops, work_dir, NULL, log, log_ctx);
}

/* The index server and the registry proxy, on the resumed run's ports when
 * they can be had, else on any. */
static int start_listeners(struct world *w, const struct world_resume *resume)
{
	const struct world_settings *s = w->s;
	int want = resume ? resume->registry_port : 0, error;

	error = proxy_start_at(&w->proxy, w->listen, registry_port(w->registry), s->registry_bandwidth, w->link,
			       want);
	if (error && want) {
		note(w, "world: the registry's port %d is taken (%s); the registry is on another", want,
		     bench_error_last());
		error = proxy_start_at(&w->proxy, w->listen, registry_port(w->registry), s->registry_bandwidth,
				       w->link, 0);
	}
	if (error)
		return error;
	w->registry_addr = xasprintf("%s:%d", w->address, proxy_port(w->proxy));
	return 0;
}

static int start_server(struct world *w, const struct world_resume *resume)
{
	const struct world_settings *s = w->s;
	int want = resume ? resume->index_port : 0, error;

	error = server_start_at(&w->server, w->listen, w->files_dir, s->bandwidth, s->latency, w->link, want);
	if (error && want) {
		note(w, "world: the index's port %d is taken (%s); the index is on another", want,
		     bench_error_last());
		error = server_start_at(&w->server, w->listen, w->files_dir, s->bandwidth, s->latency, w->link, 0);
	}
	return error;
}

int world_start_resumed(struct world **out, const struct world_settings *s, const struct engine *e,
			const struct world_engine_ops *ops, const char *work_dir, const struct world_resume *resume,
			void (*log)(void *ctx, const char *msg), void *log_ctx)
{
	struct world *w = xcalloc(1, sizeof(*w));
	monotime t0;
	int error = 0;

	*out = NULL;
	w->s = s;
	w->ops = ops;
	addresses_for(w, e, &w->listen, &w->address);
	w->log = log;
	w->log_ctx = log_ctx;
	w->base_image = s->base_image && *s->base_image ? s->base_image : WORLD_BASE_IMAGE_DEFAULT;
	w->dir = path_join(work_dir, "world");
	w->files_dir = path_join(w->dir, "files");
	w->repo_dir = path_join(w->dir, "repo");
	if (s->kind && strcmp(s->kind, "cafeboo")) {
		error = bench_error_set(BENCH_EINVALID, "unknown world kind '%s'", s->kind);
		goto done;
	}
	if (!(s->scale > 0)) {
		error = bench_error_set(BENCH_EINVALID, "world scale must be positive, not %g", s->scale);
		goto done;
	}
	/* a resumed run keeps the registry's storage; the rest is made anew */
	if ((error = resume ? rm_rf(w->files_dir) : rm_rf(w->dir)) || (resume && (error = rm_rf(w->repo_dir))) ||
	    (error = mkdir_p(w->dir)))
		goto done;

	/* the registry first: a missing docker-registry is reported at once,
	 * not after minutes of making a base image */
	w->link = pace_link_new(s->runner_bandwidth);
	if ((error = registry_start(&w->registry, w->dir)) || (error = start_listeners(w, resume)))
		goto done;

	note(w, "world: checking the base image %s", w->base_image);
	if ((error = world_base_image_ensure(ops, e, w->base_image, w->dir, log, log_ctx)))
		goto done;

	note(w, "world: generating the repository");
	if ((error = world_repo_generate(w->repo_dir, s->seed))) {
		error = bench_error_wrap(error, "cannot generate the world's repository");
		goto done;
	}

	note(w, "world: generating wheels and model files at scale %g", s->scale);
	t0 = monotime_now();
	if ((error = world_files_generate(&w->files, w->files_dir, s->scale, s->seed))) {
		error = bench_error_wrap(error, "cannot generate the world's files");
		goto done;
	}
	w->generate_seconds = monotime_seconds_since(t0);
	note(w, "world: %zu wheels (%.1f MB) and models (%.1f MB) in %.1f s", w->files.wheels,
	     (double)w->files.wheel_bytes / 1e6, (double)w->files.model_bytes / 1e6,
	     w->generate_seconds);

	if ((error = start_server(w, resume)))
		goto done;
	note(w, "world: index at http://%s:%d/simple/, registry at %s (paced, in front of %s)", w->address,
	     server_port(w->server), w->registry_addr, registry_address(w->registry));
	*out = w;
	w = NULL;
done:
	if (w)
		world_stop(w);
	return error;
}

void world_stop(struct world *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->nrunners; i++) {
		world_runner_gha_stop(w, i + 1);
		free(w->runners[i].gha_dir);
		server_stop(w->runners[i].server);
		proxy_stop(w->runners[i].proxy);
		pace_link_free(w->runners[i].link);
		free(w->runners[i].registry_addr);
	}
	free(w->runners);
	world_gha_stop(w);
	server_stop(w->server);
	proxy_stop(w->proxy);
	if (w->registry && w->keep)
		registry_keep(w->registry);
	if (w->registry)
		registry_stop(w->registry);
	pace_link_free(w->link); /* after every stream that draws from it */
	if (w->dir && !w->keep) {
		/* a failing world_start's message matters more than rm_rf's */
		char *msg = xstrdup(bench_error_last());
		if (rm_rf(w->dir))
			bench_error_set(BENCH_ERROR, "%s", msg);
		free(msg);
	}
	free(w->dir);
	free(w->files_dir);
	free(w->repo_dir);
	free(w->registry_addr);
	free(w->gha_dir);
	free(w);
}

void world_keep(struct world *w)
{
	w->keep = true;
}

int world_index_port(const struct world *w)
{
	return server_port(w->server);
}

int world_registry_port(const struct world *w)
{
	return proxy_port(w->proxy);
}

/* The repository name (caller frees) and tag of ref, an image ref of the
 * world's registry ("127.0.0.1:PORT/NAME:TAG"). */
static int split_ref(char **name, const char **tag, const struct world *w, const char *ref)
{
	size_t host = strlen(w->registry_addr);
	const char *colon;

	*name = NULL;
	if (strncmp(ref, w->registry_addr, host) || ref[host] != '/')
		return bench_error_set(BENCH_EINVALID, "'%s' is not a ref of the world's registry %s", ref,
				       w->registry_addr);
	ref += host + 1;
	colon = strrchr(ref, ':');
	if (!colon || strchr(colon, '/'))
		return bench_error_set(BENCH_EINVALID, "'%s' has no tag", ref);
	*name = xstrndup(ref, (size_t)(colon - ref));
	*tag = colon + 1;
	return 0;
}

int world_registry_digest(char **digest, const struct world *w, const char *ref)
{
	const char *tag;
	char *repo;
	int error;

	*digest = NULL;
	if ((error = split_ref(&repo, &tag, w, ref)) == 0)
		error = registry_manifest_digest(digest, w->registry, repo, tag);
	free(repo);
	return error;
}

const char *world_repo_path(const struct world *w)
{
	return w->repo_dir;
}

void world_build_args_at(struct strvec *args, const char *index_origin, const char *base_image)
{
	const char *host = strstr(index_origin, "://") ? strstr(index_origin, "://") + 3 : index_origin;

	strvec_pushf(args, "PIP_INDEX_URL=%s/simple/", index_origin);
	strvec_pushf(args, "PIP_TRUSTED_HOST=%.*s", (int)strcspn(host, ":/"), host);
	strvec_pushf(args, "MODEL_BASE_URL=%s/storage", index_origin);
	strvec_pushf(args, "BASE_IMAGE=%s", base_image);
}

void world_build_args(const struct world *w, struct strvec *args)
{
	world_runner_build_args(w, 0, args);
}

const char *world_base_image(const struct world *w)
{
	return w->base_image;
}

const char *world_registry(const struct world *w)
{
	return w->registry_addr;
}

void world_counters_reset(struct world *w)
{
	server_counters_reset(w->server);
	proxy_counters_reset(w->proxy);
	if (w->gha)
		ghacache_counters_reset(w->gha);
}

int64_t world_served_bytes(const struct world *w)
{
	return server_bytes(w->server);
}

int64_t world_served_requests(const struct world *w)
{
	return server_requests(w->server);
}

int64_t world_registry_bytes(const struct world *w)
{
	return proxy_bytes(w->proxy, PROXY_UP) + proxy_bytes(w->proxy, PROXY_DOWN);
}

int world_registry_ref_bytes(int64_t *bytes, const struct world *w, const char *ref)
{
	const char *tag;
	char *repo;
	int error;

	*bytes = 0;
	if ((error = split_ref(&repo, &tag, w, ref)) == 0)
		error = registry_manifest_bytes(bytes, w->registry, repo, tag);
	free(repo);
	return error;
}

int64_t world_registry_sent_bytes(const struct world *w)
{
	return proxy_bytes(w->proxy, PROXY_UP);
}

/* ---- GitHub's cache service ---- */

static struct world_runner runner_view(const struct world *w, int i);

/* Runner i's service and its folder: 0 is the world's own. */
static void gha_slot(struct world *w, int runner, struct ghacache ***gha, char ***dir, struct pace_link **link)
{
	if (runner <= 0 || runner > w->nrunners) {
		*gha = &w->gha;
		*dir = &w->gha_dir;
		*link = w->link;
	} else {
		*gha = &w->runners[runner - 1].gha;
		*dir = &w->runners[runner - 1].gha_dir;
		*link = w->runners[runner - 1].link;
	}
}

char *world_runner_gha_log(const struct world *w, int runner)
{
	char *work = path_dirname(w->dir), *path;

	if (runner > 0 && runner <= w->nrunners)
		path = xasprintf("%s/gha-requests-%d.log", work, runner);
	else
		path = path_join(work, "gha-requests.log");
	free(work);
	return path;
}

int world_runner_gha_start(struct world *w, int runner)
{
	const struct world_settings *s = w->s;
	struct ghacache **gha;
	char **dir, *log = world_runner_gha_log(w, runner);
	struct ghacache_settings gs = {
		/* the same backend as actions/cache, reached over the same link */
		.bandwidth = s->cache_bandwidth,
		.latency = s->latency,
		.quota = s->gha_quota > 0 ? (int64_t)(s->gha_quota * s->scale) : 0,
		.rate_limit = s->gha_rate_limit,
		.rate_period = 60,
		.retry_after = s->gha_retry_after,
		.log = log,
	};
	int error;

	world_runner_gha_stop(w, runner);
	gha_slot(w, runner, &gha, &dir, &gs.link);
	gs.listen = runner_view(w, runner).listen;
	gs.address = runner_view(w, runner).address;
	if (!*dir)
		*dir = runner > 0 ? xasprintf("%s/gha-%d", w->dir, runner) : path_join(w->dir, "gha");
	if ((error = rm_rf(*dir)) < 0 || (error = ghacache_start(gha, &gs, *dir)) < 0) {
		free(log);
		return bench_error_wrap(error, "cannot start the GitHub cache service");
	}
	note(w, "world: GitHub cache service v2 at %s (quota %.1f MB, requests logged to %s)", ghacache_url(*gha),
	     (double)gs.quota / 1e6, log);
	free(log);
	return 0;
}

void world_runner_gha_stop(struct world *w, int runner)
{
	struct ghacache **gha;
	struct pace_link *link;
	char **dir;

	gha_slot(w, runner, &gha, &dir, &link);
	if (!*gha)
		return;
	ghacache_stop(*gha);
	*gha = NULL;
	/* a folder that cannot go is not worth a message; the caller's message
	 * (what stopped a run, when the world stops) stays */
	if (rm_rf(*dir) < 0)
		bench_error_clear();
}

const char *world_runner_gha_url(const struct world *w, int runner)
{
	struct ghacache **gha;
	struct pace_link *link;
	char **dir;

	gha_slot((struct world *)w, runner, &gha, &dir, &link);
	return *gha ? ghacache_url(*gha) : NULL;
}

bool world_runner_gha_counters(struct ghacache_counters *out, struct world *w, int runner)
{
	struct ghacache **gha;
	struct pace_link *link;
	char **dir;

	memset(out, 0, sizeof(*out));
	gha_slot(w, runner, &gha, &dir, &link);
	if (!*gha)
		return false;
	ghacache_counters(out, *gha);
	return true;
}

int world_gha_start(struct world *w)
{
	return world_runner_gha_start(w, 0);
}

void world_gha_stop(struct world *w)
{
	world_runner_gha_stop(w, 0);
}

const char *world_gha_url(const struct world *w)
{
	return world_runner_gha_url(w, 0);
}

int world_gha_token(char **out, const struct world *w, double lifetime)
{
	(void)w;
	return ghacache_token_for_ref(out, WORLD_GHA_REF, WORLD_GHA_REF, lifetime);
}

static bool interrupted(void *ctx)
{
	(void)ctx;
	return proc_interrupt_requested();
}

json_t *world_describe(const struct world *w)
{
	json_t *o = json_object();
	char *url = xasprintf("http://%s:%d/simple/", w->address, server_port(w->server));
	json_t *per_engine = json_object();
	size_t i;

	json_object_set_new(o, "kind", json_string(w->s->kind ? w->s->kind : "cafeboo"));
	json_object_set_new(o, "scale", json_real(w->s->scale));
	json_object_set_new(o, "seed", json_integer(w->s->seed));
	json_object_set_new(o, "bandwidth", json_real(w->s->bandwidth));
	json_object_set_new(o, "latency", json_real(w->s->latency));
	json_object_set_new(o, "cache_bandwidth", json_real(w->s->cache_bandwidth));
	json_object_set_new(o, "registry_bandwidth", json_real(w->s->registry_bandwidth));
	json_object_set_new(o, "runner_bandwidth", json_real(w->s->runner_bandwidth));
	json_object_set_new(o, "gha_quota", json_integer((json_int_t)(w->s->gha_quota * w->s->scale)));
	json_object_set_new(o, "gha_rate_limit", json_integer(w->s->gha_rate_limit));
	json_object_set_new(o, "gha_retry_after", json_real(w->s->gha_retry_after));
	json_object_set_new(o, "base_image", json_string(w->base_image));
	json_object_set_new(o, "index_url", json_string(url));
	json_object_set_new(o, "listen", json_string(w->listen));
	json_object_set_new(o, "address", json_string(w->address));
	for (i = 0; i < w->s->engine_listen_count; i++) {
		const char *v = w->s->engine_listen[i], *eq = strrchr(v, '=');
		char *name = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;
		if (name)
			json_object_set_new(per_engine, name, json_string(eq + 1));
		free(name);
	}
	if (json_object_size(per_engine))
		json_object_set(o, "engine_listen", per_engine);
	json_decref(per_engine);
	json_object_set_new(o, "index_port", json_integer(server_port(w->server)));
	json_object_set_new(o, "registry", json_string(w->registry_addr ? w->registry_addr : ""));
	json_object_set_new(o, "packages", json_integer((json_int_t)w->files.projects));
	json_object_set_new(o, "wheels", json_integer((json_int_t)w->files.wheels));
	json_object_set_new(o, "wheel_bytes", json_integer(w->files.wheel_bytes));
	json_object_set_new(o, "model_bytes", json_integer(w->files.model_bytes));
	json_object_set_new(o, "generate_seconds", json_real(w->generate_seconds));
	free(url);
	return o;
}

/* ---- runners ---- */

/* Runner i as a view: 0 is the world's own link, server and proxy. */
static struct world_runner runner_view(const struct world *w, int i)
{
	if (i <= 0 || i > w->nrunners)
		return (struct world_runner){w->link, w->server, w->proxy, w->registry_addr, w->gha, w->gha_dir,
					     w->listen, w->address};
	return w->runners[i - 1];
}

int world_add_runner(int *index, struct world *w)
{
	return world_add_runner_at(index, w, NULL);
}

int world_add_runner_at(int *index, struct world *w, const struct world_resume *want)
{
	return world_add_runner_for(index, w, NULL, want);
}

int world_add_runner_for(int *index, struct world *w, const struct engine *e, const struct world_resume *want)
{
	struct world_runner r = {0};
	int error;

	*index = -1;
	addresses_for(w, e, &r.listen, &r.address);
	r.link = pace_link_new(w->s->runner_bandwidth);
	error = server_start_at(&r.server, r.listen, w->files_dir, w->s->bandwidth, w->s->latency, r.link,
				want ? want->index_port : 0);
	if (error && want && want->index_port) {
		note(w, "world: the index's port %d is taken (%s); the runner's index is on another", want->index_port,
		     bench_error_last());
		error = server_start_at(&r.server, r.listen, w->files_dir, w->s->bandwidth, w->s->latency, r.link, 0);
	}
	if (!error) {
		error = proxy_start_at(&r.proxy, r.listen, registry_port(w->registry), w->s->registry_bandwidth,
				       r.link, want ? want->registry_port : 0);
		if (error && want && want->registry_port) {
			note(w, "world: the registry's port %d is taken (%s); the runner's registry is on another",
			     want->registry_port, bench_error_last());
			error = proxy_start_at(&r.proxy, r.listen, registry_port(w->registry),
					       w->s->registry_bandwidth, r.link, 0);
		}
	}
	if (error) {
		server_stop(r.server);
		pace_link_free(r.link);
		return error;
	}
	r.registry_addr = xasprintf("%s:%d", r.address, proxy_port(r.proxy));
	w->runners = xrealloc(w->runners, (size_t)(w->nrunners + 1) * sizeof(*w->runners));
	w->runners[w->nrunners++] = r;
	*index = w->nrunners;
	note(w, "world: runner %d: index at http://%s:%d/simple/, registry at %s", *index, r.address,
	     server_port(r.server), r.registry_addr);
	return 0;
}

int world_runners(const struct world *w)
{
	return w->nrunners + 1;
}

void world_runner_build_args(const struct world *w, int runner, struct strvec *args)
{
	struct world_runner view = runner_view(w, runner);
	char *origin = xasprintf("http://%s:%d", view.address, server_port(view.server));
	world_build_args_at(args, origin, w->base_image);
	free(origin);
}

const char *world_runner_registry(const struct world *w, int runner)
{
	return runner_view(w, runner).registry_addr;
}

void world_runner_counters_reset(struct world *w, int runner)
{
	struct world_runner r = runner_view(w, runner);
	struct ghacache **gha;
	struct pace_link *link;
	char **dir;

	server_counters_reset(r.server);
	proxy_counters_reset(r.proxy);
	gha_slot(w, runner, &gha, &dir, &link);
	if (*gha)
		ghacache_counters_reset(*gha);
}

void world_runner_ports(const struct world *w, int runner, struct world_resume *out)
{
	struct world_runner r = runner_view(w, runner);
	out->index_port = server_port(r.server);
	out->registry_port = proxy_port(r.proxy);
}

int64_t world_runner_registry_bytes(const struct world *w, int runner)
{
	struct world_runner r = runner_view(w, runner);
	return proxy_bytes(r.proxy, PROXY_UP) + proxy_bytes(r.proxy, PROXY_DOWN);
}

int64_t world_runner_registry_sent_bytes(const struct world *w, int runner)
{
	return proxy_bytes(runner_view(w, runner).proxy, PROXY_UP);
}

int64_t world_runner_served_bytes(const struct world *w, int runner)
{
	return server_bytes(runner_view(w, runner).server);
}

int64_t world_runner_served_requests(const struct world *w, int runner)
{
	return server_requests(runner_view(w, runner).server);
}

int world_runner_paced_copy(double *seconds, struct world *w, int runner, const char *dst, const char *src)
{
	return paced_copy_tree(seconds, dst, src, w->s->cache_bandwidth, runner_view(w, runner).link, interrupted,
			       NULL);
}
