/*
 * run.c: the replay loop of `bench run`.
 *
 * For every variant and repetition, the scenario's commits are built in
 * order: the first build of a series is cold (runner reset, empty cache), the
 * others warm. Each build is one `docker buildx build` exec'ed as an argv,
 * its rawjson progress parsed as it arrives, its full output kept in logs/,
 * and its record appended to the journal before the next build starts.
 *
 * Folders: the run's private work folder (default RESULTS/.work, removed at
 * the end of a complete run, kept after an interruption so --resume can go
 * on) holds the checked-out commits, per-series cache folders and the world.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blogreport.h"
#include "docker.h"
#include "error.h"
#include "gate.h"
#include "monotonic.h"
#include "proc.h"
#include "progress.h"
#include "rawjson.h"
#include "replay.h"
#include "results.h"
#include "runreport.h"
#include "scenario.h"
#include "sha256.h"
#include "util.h"
#include "world.h"
#include "world/repo.h"

struct run {
	const struct run_options *opts;
	struct run_outcome *out;
	struct scenario *sc;
	struct replay *repo;
	struct commit_info *commits;
	size_t ncommits;
	char **checkouts;     /* per commit: its folder once checked out */
	struct world *world;
	struct results *res;
	struct progress progress;
	char *work;           /* private work folder */
	char *marker;         /* "bench-run-<stamp>": every image this run tags */
	struct strvec build_args;
	struct strvec secrets;
	json_t *finished;     /* resume: keys of builds already in the journal */
	int lock_fd;          /* the engine lock, held for the whole run */
	bool daemon_lost;
};

/* ---- small helpers ---- */

static char *lowercase_name(const char *s)
{
	char *p = xstrdup(s), *q;
	for (q = p; *q; q++) {
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
		else if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == '.' || *q == '_'))
			*q = '-';
	}
	return p;
}

/* Print argv for --dry-run and for logs, quoted so a reader can paste it. */
static void print_argv(FILE *f, const char *const *argv)
{
	for (; *argv; argv++) {
		const char *a = *argv;
		bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@+%") == strlen(a);
		if (plain) {
			fputs(a, f);
		} else {
			fputc('\'', f);
			for (; *a; a++) {
				if (*a == '\'')
					fputs("'\\''", f);
				else
					fputc(*a, f);
			}
			fputc('\'', f);
		}
		fputc(argv[1] ? ' ' : '\n', f);
	}
}

static void world_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	progress_note(&r->progress, "%s", msg);
}

/* ---- per-build output handling ---- */

struct build_io {
	struct run *r;
	int log_fd;
	struct rawjson *raw;
	struct strbuf tail;   /* the last bytes of stderr, for the failure reason */
	bool write_failed;
	int write_errno;      /* why the log could not be written (ENOSPC...) */
};

static void log_write(struct build_io *io, const char *buf, size_t len)
{
	while (io->log_fd >= 0 && len) {
		ssize_t n = write(io->log_fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			io->write_failed = true;
			io->write_errno = errno;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static int on_stderr(void *ctx, const char *buf, size_t len)
{
	struct build_io *io = ctx;
	log_write(io, buf, len);
	rawjson_feed(io->raw, buf, len);
	strbuf_add(&io->tail, buf, len);
	if (io->tail.len > 65536) {
		memmove(io->tail.buf, io->tail.buf + io->tail.len - 16384, 16384);
		io->tail.len = 16384;
		io->tail.buf[io->tail.len] = '\0';
	}
	return 0;
}

static int on_stdout(void *ctx, const char *buf, size_t len)
{
	log_write(ctx, buf, len);
	return 0;
}

static void on_tick(void *ctx)
{
	struct build_io *io = ctx;
	progress_update(&io->r->progress, rawjson_current(io->raw));
}

/* Replace bytes that are not valid UTF-8 (a step may print binary output)
 * so the text can be stored as a JSON string. */
static void utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		int k;
		for (k = 1; n && k < n; k++)
			if ((p[k] & 0xC0) != 0x80)
				n = 0;
		if (!n) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

/* The last `max` lines of text (a pointer into it). */
static const char *last_lines(const char *text, size_t len, int max)
{
	const char *p = text + len;
	while (p > text && (p[-1] == '\n' || p[-1] == ' '))
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --max == 0)
			break;
		p--;
	}
	return p;
}

/* The failure reason: the failing step, its error and the last lines of its
 * output; or, when no step failed, the plain-text lines docker printed after
 * the JSON stream ("ERROR: failed to solve: ..."). Caller frees. */
static char *failure_reason(struct build_io *io, int exit_code)
{
	struct strbuf sb = {0};
	const struct step *steps;
	size_t n, i;
	char *reason;

	steps = rawjson_steps(io->raw, &n);
	for (i = 0; i < n && !sb.len; i++) {
		const char *log;
		if (!steps[i].error)
			continue;
		strbuf_printf(&sb, "%s: %s", steps[i].name ? steps[i].name : "step", steps[i].error);
		log = rawjson_step_log(io->raw, i);
		if (log && *log)
			strbuf_printf(&sb, "\n%s", last_lines(log, strlen(log), 10));
	}
	if (!sb.len && io->tail.len) {
		/* plain lines at the end of stderr, after the last JSON object */
		const char *end = io->tail.buf + io->tail.len, *p = end;
		while (p > io->tail.buf && p[-1] != '}')
			p--;
		strbuf_puts(&sb, last_lines(p, (size_t)(end - p), 8));
	}
	if (!sb.len)
		strbuf_printf(&sb, "docker buildx build exited with status %d", exit_code);
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	reason = strbuf_detach(&sb);
	i = strspn(reason, "\n ");
	memmove(reason, reason + i, strlen(reason + i) + 1);
	if (!*reason) {
		free(reason);
		reason = xasprintf("docker buildx build exited with status %d", exit_code);
	}
	utf8_sanitize(reason);
	return reason;
}

/* ---- the steps of one build ---- */

static const char *commit_dir(struct run *r, size_t i, int *error)
{
	*error = 0;
	if (!r->checkouts[i]) {
		char *dir = xasprintf("%s/commits/%s", r->work, r->commits[i].id);
		if ((*error = replay_checkout(r->repo, r->commits[i].id, dir)) < 0) {
			free(dir);
			return NULL;
		}
		r->checkouts[i] = dir;
	}
	return r->checkouts[i];
}

/* Copy the variant's Dockerfile (and .dockerignore) into a folder of its own,
 * as BuildKit reads "<Dockerfile>.dockerignore" next to the Dockerfile:
 * the checked-out commit stays as it is. */
static int variant_dockerfile(char **out, struct run *r, const struct variant *v, const char *src)
{
	char *dir = xasprintf("%s/dockerfiles/%s", r->work, v->name);
	char *df = path_join(dir, "Dockerfile"), *ign = NULL, *data = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = mkdir_p(dir)) < 0 || (error = read_file(&data, &len, src)) < 0 ||
	    (error = write_file_atomic(df, data, len)) < 0)
		goto done;
	if (v->dockerignore) {
		free(data);
		data = NULL;
		ign = xasprintf("%s.dockerignore", df);
		if ((error = read_file(&data, &len, v->dockerignore)) < 0 ||
		    (error = write_file_atomic(ign, data, len)) < 0)
			goto done;
	}
	*out = df;
	df = NULL;
done:
	free(dir);
	free(df);
	free(ign);
	free(data);
	return error;
}

struct series {
	const struct variant *v;
	int rep;
	char *dir;        /* work/series/<variant>-r<rep> */
	char *cache;      /* the cache folder docker reads (--cache-from src) */
	char *cache_new;  /* the folder docker writes (--cache-to dest) */
	char *store;      /* the actions/cache stand-in's storage: one folder per key */
	char *latest;     /* the key saved last (what restore-keys would find) */
	char *cache_ref;  /* registry cache ref */
	bool transport;   /* restore/save through the world's paced copy */
};

static void series_release(struct series *s)
{
	free(s->dir);
	free(s->cache);
	free(s->cache_new);
	free(s->store);
	free(s->latest);
	free(s->cache_ref);
	memset(s, 0, sizeof(*s));
}

static void series_init(struct series *s, struct run *r, const struct variant *v, int rep)
{
	char *name = lowercase_name(v->name);
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->rep = rep;
	s->dir = xasprintf("%s/series/%s-r%d", r->work, v->name, rep);
	s->cache = path_join(s->dir, "cache");
	s->cache_new = path_join(s->dir, "cache-new");
	s->store = path_join(s->dir, "store");
	s->transport = v->cache == CACHE_LOCAL && v->runner == RUNNER_EPHEMERAL &&
		       ((r->world && r->sc->world.cache_bandwidth > 0) || v->cache_key_files_count);
	if (v->cache == CACHE_REGISTRY && r->world)
		s->cache_ref = xasprintf("%s/%s/%s-cache:r%d", world_registry(r->world), r->marker, name, rep);
	free(name);
}

static void set_number(json_t *o, const char *key, double v)
{
	json_object_set_new(o, key, json_real(v));
}

/* The actions/cache key of the cache folder at this commit: the commit
 * (the blog's `buildx-${{ github.sha }}`), or the hash of the variant's
 * cache_key files in the checked-out commit (hashFiles). Caller frees. */
static char *cache_key(const struct variant *v, const struct commit_info *c, const char *dir)
{
	struct strbuf all = {0};
	char hex[SHA256_HEX_SIZE];
	size_t k;

	if (!v->cache_key_files_count)
		return xasprintf("commit-%s", c->id);
	for (k = 0; k < v->cache_key_files_count; k++) {
		char *path = path_join(dir, v->cache_key_files[k]), *data = NULL;
		size_t len = 0;
		strbuf_add(&all, v->cache_key_files[k], strlen(v->cache_key_files[k]) + 1);
		if (read_file(&data, &len, path) == 0)
			strbuf_add(&all, data, len);
		else
			strbuf_puts(&all, "(missing)");
		bench_error_clear();
		free(data);
		free(path);
	}
	sha256_hex(hex, all.buf, all.len);
	strbuf_release(&all);
	hex[16] = '\0';
	return xasprintf("files-%s", hex);
}

/* Copy a cache folder through the actions/cache stand-in: paced by the
 * world when there is one, a plain copy otherwise. */
static int store_copy(double *seconds, struct run *r, const char *dst, const char *src)
{
	monotime start = monotime_now();
	int error;
	if (r->world)
		return world_paced_copy(seconds, r->world, dst, src);
	if ((error = rm_rf(dst)) == 0 && path_is_dir(src))
		error = copy_tree(dst, src);
	*seconds = monotime_seconds_since(start);
	return error;
}

/* Build variant s->v at commit i. Returns 0 when the build ran (any status),
 * or a negative code that must stop the run (interrupted, results lost). */
static int build_one(struct run *r, struct series *s, size_t i)
{
	const struct variant *v = s->v;
	const struct commit_info *c = &r->commits[i];
	bool cold = i == 0;
	struct build_request req = {0};
	struct strvec argv = {0}, push_argv = {0};
	struct build_io io = {.r = r, .log_fd = -1};
	struct proc p = {0};
	json_t *b = json_object(), *changed = json_array(), *steps;
	char *name = lowercase_name(v->name), *tag = NULL, *meta = NULL, *log_rel = NULL, *log_path = NULL;
	char *dockerfile = NULL, *context = NULL, *cache_from = NULL, *cache_to = NULL, *key = NULL;
	char *export_opts = NULL;
	bool exact_hit = false;
	const char *status = "ok", *dir;
	double restore_s = 0, save_s = 0, push_s = 0, build_s = 0;
	int error = 0, steps_total = 0, steps_cached = 0;
	int64_t bytes;
	size_t k;

	json_object_set_new(b, "variant", json_string(v->name));
	json_object_set_new(b, "repetition", json_integer(s->rep));
	json_object_set_new(b, "commit", json_string(c->id));
	json_object_set_new(b, "short", json_string(c->short_id));
	json_object_set_new(b, "subject", json_string(c->subject ? c->subject : ""));
	json_object_set_new(b, "index", json_integer((json_int_t)i + 1));
	json_object_set_new(b, "phase", json_string(cold ? "cold" : "warm"));
	for (k = 0; k < c->changed_count; k++)
		json_array_append_new(changed, json_string(c->changed[k]));
	json_object_set_new(b, "changed", changed);

	key = results_build_key(b);
	if (r->finished && json_object_get(r->finished, key))
		goto done; /* resume: finished before */
	free(key);
	key = NULL;

	progress_build_start(&r->progress, v->name, cold ? "cold" : "warm", s->rep,
			     r->sc->repetitions, (int)i + 1, (int)r->ncommits, c->short_id);

	/* the runner: a fresh hosted runner has nothing but the cache folder */
	if (cold || v->runner == RUNNER_EPHEMERAL) {
		if (r->opts->dry_run) {
			printf("%s builder prune -af   # and remove the run's images (%s*)\n", docker_cli(), r->marker);
		} else if ((error = docker_reset_runner(r->marker)) < 0) {
			goto fatal_check;
		}
	}
	if (cold && !r->opts->dry_run) {
		rm_rf(s->dir);
		if ((error = mkdir_p(s->dir)) < 0)
			goto done;
	}

	if (!(dir = commit_dir(r, i, &error)))
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
		error = variant_dockerfile(&dockerfile, r, v, in_repo);
		free(in_repo);
	} else {
		error = variant_dockerfile(&dockerfile, r, v, v->dockerfile);
	}
	if (error < 0)
		goto done;

	/* the cache: restored like actions/cache, imported, exported, rotated;
	 * both exporters take the same mode and compression options */
	export_opts = xasprintf("mode=%s%s%s", v->cache_mode,
				v->cache_compression ? ",force-compression=true,compression=" : "",
				v->cache_compression ? v->cache_compression : "");
	if (v->cache == CACHE_LOCAL) {
		if (s->transport && !r->opts->dry_run) {
			/* actions/cache: the exact key, else the latest entry (restore-keys) */
			char *exact_dir, *src = NULL;
			key = cache_key(v, c, dir);
			exact_dir = path_join(s->store, key);
			if (path_is_dir(exact_dir)) {
				exact_hit = true;
				src = xstrdup(exact_dir);
			} else if (s->latest) {
				src = path_join(s->store, s->latest);
			}
			free(exact_dir);
			json_object_set_new(b, "cache_key", json_string(key));
			json_object_set_new(b, "cache_hit", json_string(exact_hit ? "exact" : src ? "partial" : "none"));
			if (src) {
				progress_note(&r->progress, "restoring cache (actions/cache stand-in)");
				error = store_copy(&restore_s, r, s->cache, src);
				free(src);
				if (error < 0)
					goto done;
			}
		}
		if (path_is_dir(s->cache) || (r->opts->dry_run && !cold))
			cache_from = xasprintf("type=local,src=%s", s->cache);
		/* a workflow keyed on files skips the export on an exact hit, as
		 * actions/cache would not save it anyway */
		if (!(exact_hit && v->cache_key_files_count))
			cache_to = xasprintf("type=local,dest=%s,%s", s->cache_new, export_opts);
		rm_rf(s->cache_new);
	} else if (v->cache == CACHE_REGISTRY && s->cache_ref) {
		if (!cold)
			cache_from = xasprintf("type=registry,ref=%s", s->cache_ref);
		cache_to = xasprintf("type=registry,ref=%s,%s", s->cache_ref, export_opts);
	}

	tag = xasprintf("%s%s%s/%s:%s-r%d", v->push && r->world ? world_registry(r->world) : "",
			v->push && r->world ? "/" : "", r->marker, name, c->short_id, s->rep);
	meta = xasprintf("%s/metadata.json", s->dir);
	req.context = context;
	req.dockerfile = dockerfile;
	req.tag = tag;
	req.target = v->target;
	req.network = r->sc->network;
	req.metadata_file = meta;
	req.cache_from = cache_from;
	req.cache_to = cache_to;
	req.build_args = strvec_argv(&r->build_args);
	req.secrets = r->secrets.n ? strvec_argv(&r->secrets) : NULL;
	/* the image is loaded, then pushed by `docker push`, timed apart (with
	 * the containerd store, an image exporter that pushes makes the local
	 * cache export fail with "not found") */
	req.push = false;
	docker_build_argv(&argv, &req);
	if (v->push) {
		strvec_push(&push_argv, docker_cli());
		strvec_push(&push_argv, "push");
		strvec_push(&push_argv, "-q");
		strvec_push(&push_argv, tag);
	}

	if (r->opts->dry_run) {
		print_argv(stdout, strvec_argv(&argv));
		if (v->push)
			print_argv(stdout, strvec_argv(&push_argv));
		goto done;
	}

	/* the build itself */
	log_rel = xasprintf("logs/%s-r%d-%03zu-%s.log", v->name, s->rep, i + 1, c->short_id);
	log_path = path_join(r->res->dir, log_rel);
	if ((io.log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot create log '%s'", log_path);
		goto done;
	}
	{
		FILE *f = fdopen(dup(io.log_fd), "w");
		if (f) {
			fputs("$ ", f);
			print_argv(f, strvec_argv(&argv));
			fclose(f);
		}
	}
	if ((error = rawjson_new(&io.raw)) < 0)
		goto done;
	if (r->world)
		world_counters_reset(r->world);
	p.argv = strvec_argv(&argv);
	p.timeout_seconds = r->sc->timeout;
	p.on_stdout = on_stdout;
	p.on_stderr = on_stderr;
	p.on_tick = on_tick;
	p.ctx = &io;
	if ((error = proc_run(&p)) < 0)
		goto done;
	if (io.write_failed) {
		/* a log cut short (disk full): stop rather than keep half a record,
		 * and give its space back so that run.json can still be written */
		unlink(log_path);
		error = bench_error_set(BENCH_EIO, "cannot write '%s': %s (the build of %s at %s is not "
					"recorded)", log_path, strerror(io.write_errno), v->name, c->short_id);
		goto done;
	}
	build_s = p.wall_seconds;
	if (p.interrupted)
		status = "interrupted";
	else if (p.timed_out)
		status = "timeout";
	else if (p.exit_code != 0)
		status = "failed";

	if (!strcmp(status, "ok") && v->push) {
		struct proc pp = {.argv = strvec_argv(&push_argv), .timeout_seconds = r->sc->timeout,
				  .on_stdout = on_stdout, .on_stderr = on_stdout, .ctx = &io};
		progress_note(&r->progress, "pushing %s", tag);
		if ((error = proc_run(&pp)) < 0)
			goto done;
		push_s = pp.wall_seconds;
		if (pp.interrupted) {
			status = "interrupted";
		} else if (pp.exit_code != 0) {
			status = "failed";
			json_object_set_new(b, "reason", json_sprintf("docker push %s failed (exit %d), see %s",
								       tag, pp.exit_code, log_rel));
		}
	}

	/* rotate the cache like the blog's workflow: CACHE-new replaces CACHE */
	if (v->cache == CACHE_LOCAL) {
		if (!strcmp(status, "ok") && path_is_dir(s->cache_new)) {
			if (s->transport) {
				char *dst = path_join(s->store, key);
				progress_note(&r->progress, "saving cache (actions/cache stand-in)");
				error = exact_hit ? 0 : store_copy(&save_s, r, dst, s->cache_new);
				free(dst);
				if (error < 0)
					goto done;
				if (!exact_hit) {
					/* keep only the newest entry, as restore-keys would pick it */
					if (s->latest && strcmp(s->latest, key)) {
						char *old_dir = path_join(s->store, s->latest);
						rm_rf(old_dir);
						free(old_dir);
					}
					free(s->latest);
					s->latest = xstrdup(key);
				}
				json_object_set_new(b, "cache_saved", json_boolean(!exact_hit));
				rm_rf(s->cache_new);
				rm_rf(s->cache);
			} else {
				rm_rf(s->cache);
				if (rename(s->cache_new, s->cache) < 0) {
					error = bench_error_errno(BENCH_EIO, "cannot move '%s' to '%s'", s->cache_new, s->cache);
					goto done;
				}
			}
		} else {
			rm_rf(s->cache_new);
			if (s->transport)
				rm_rf(s->cache);
		}
		if (s->transport) {
			char *latest = s->latest ? path_join(s->store, s->latest) : NULL;
			bytes = 0;
			if (latest)
				dir_size(&bytes, latest);
			free(latest);
		} else {
			dir_size(&bytes, s->cache);
		}
		json_object_set_new(b, "cache_bytes", json_integer(bytes));
	} else {
		json_object_set_new(b, "cache_bytes", json_integer(0));
	}

	json_object_set_new(b, "exit_code", json_integer(p.exit_code));
	steps = rawjson_steps_json(io.raw, &steps_total, &steps_cached);
	json_object_set_new(b, "steps_total", json_integer(steps_total));
	json_object_set_new(b, "steps_cached", json_integer(steps_cached));
	json_object_set_new(b, "steps", steps);
	bytes = 0;
	if (!strcmp(status, "ok"))
		docker_image_size(&bytes, tag);
	bench_error_clear();
	json_object_set_new(b, "image_bytes", json_integer(bytes));
	set_number(b, "build_seconds", build_s);
	if (v->push)
		set_number(b, "push_seconds", push_s);
	if (s->transport) {
		set_number(b, "cache_restore_seconds", restore_s);
		set_number(b, "cache_save_seconds", save_s);
	}
	if (r->world) {
		json_object_set_new(b, "served_bytes", json_integer(world_served_bytes(r->world)));
		json_object_set_new(b, "served_requests", json_integer(world_served_requests(r->world)));
	}
	json_object_set_new(b, "log", json_string(log_rel));
	if (strcmp(status, "ok") && !json_object_get(b, "reason")) {
		if (!strcmp(status, "timeout"))
			json_object_set_new(b, "reason", json_sprintf("build exceeded the timeout of %.0f s; its process group was killed", r->sc->timeout));
		else if (!strcmp(status, "interrupted"))
			json_object_set_new(b, "reason", json_string("interrupted (Ctrl-C); the build was stopped"));
		else {
			char *reason = failure_reason(&io, p.exit_code);
			json_object_set_new(b, "reason", json_string(reason));
			free(reason);
		}
	}
	if (!strcmp(status, "failed")) {
		/* a daemon that died mid-run makes every later build fail: stop */
		if (!proc_interrupt_requested() && docker_preflight(false) < 0) {
			char *reason = xasprintf("docker daemon stopped answering during the build: %s", bench_error_last());
			json_object_set_new(b, "reason", json_string(reason));
			free(reason);
			r->daemon_lost = true;
		}
	}

record:
	json_object_set_new(b, "status", json_string(status));
	if (!json_object_get(b, "exit_code"))
		json_object_set_new(b, "exit_code", json_integer(-1));
	if (!json_object_get(b, "wall_seconds"))
		set_number(b, "wall_seconds", restore_s + build_s + push_s + save_s);
	progress_build_end(&r->progress, status, restore_s + build_s + push_s + save_s, steps_cached, steps_total);
	if (r->opts->dry_run)
		goto done; /* a skipped build: the dry run records and counts nothing */
	r->out->builds++;
	if (!strcmp(status, "ok"))
		r->out->ok++;
	else
		r->out->not_ok++;
	if (!strcmp(status, "interrupted"))
		r->out->interrupted = true; /* recorded; --resume drops it and builds it again */
	error = results_append(r->res, json_incref(b));
	if (error < 0)
		error = bench_error_wrap(error, "cannot record the build of %s at %s (results kept so far are in %s)",
					 v->name, c->short_id, r->res->dir);
	goto done;

fatal_check:
	if (proc_interrupt_requested())
		error = BENCH_EINTERRUPTED;
done:
	if (io.log_fd >= 0)
		close(io.log_fd);
	rawjson_free(io.raw);
	strbuf_release(&io.tail);
	strvec_release(&argv);
	strvec_release(&push_argv);
	free(export_opts);
	json_decref(b);
	free(name);
	free(tag);
	free(meta);
	free(log_rel);
	free(log_path);
	free(dockerfile);
	free(context);
	free(cache_from);
	free(cache_to);
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

static bool needs_cache_export(const struct scenario *sc)
{
	size_t i;
	for (i = 0; i < sc->variants_count; i++)
		if (sc->variants[i].cache != CACHE_NONE)
			return true;
	return false;
}

static void collect_args(struct run *r)
{
	size_t i;
	if (r->world)
		world_build_args(r->world, &r->build_args);
	for (i = 0; i < r->sc->build_args_count; i++)
		strvec_push(&r->build_args, r->sc->build_args[i]);
	for (i = 0; i < r->sc->secrets_count; i++) {
		const struct secret *s = &r->sc->secrets[i];
		if (s->src)
			strvec_pushf(&r->secrets, "id=%s,src=%s", s->id, s->src);
		else
			strvec_pushf(&r->secrets, "id=%s,env=%s", s->id, s->env);
	}
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
		const char *status = json_string_value(json_object_get(b, "status"));
		json_object_set_new(r->finished, key, json_true());
		free(key);
		/* the exit status speaks for the whole run, not only this part */
		r->out->builds++;
		if (status && !strcmp(status, "ok"))
			r->out->ok++;
		else
			r->out->not_ok++;
	}
	return 0;
}

static int open_results(struct run *r)
{
	json_t *scenario_json, *env = NULL;
	int error;

	if (r->opts->resume_dir) {
		if ((error = results_reopen(&r->res, r->opts->resume_dir)) < 0)
			return error;
		return prepare_resume(r);
	}
	scenario_json = scenario_to_json(r->sc);
	if ((error = docker_environment(&env)) < 0) {
		json_decref(scenario_json);
		return error;
	}
	if (r->world)
		json_object_set_new(env, "world", world_describe(r->world));
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
	const char *repo = r->sc->repo;
	int error;
	char *generated = NULL;

	if (r->world) {
		repo = world_repo_path(r->world);
	} else if (!repo) {
		/* dry run of a world scenario: the repository is generated, not served */
		generated = path_join(r->work, "world-repo");
		if ((error = world_repo_generate(generated, r->sc->world.seed)) < 0)
			goto done;
		repo = generated;
	}
	if ((error = replay_open(&r->repo, repo)) < 0)
		goto done;
	if ((error = replay_resolve(&r->commits, &r->ncommits, r->repo, r->sc->commits)) < 0)
		goto done;
	r->checkouts = xcalloc(r->ncommits, sizeof(*r->checkouts));
done:
	free(generated);
	return error;
}

/* One run at a time per engine: an ephemeral runner's reset prunes the whole
 * builder cache, which would corrupt the measurements (and the cache exports)
 * of another run using the same daemon. A second bench waits for the first.
 * The lock is released when the process ends, however it ends. */
static int lock_engine(struct run *r)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = path_join(dir, "bench-engine.lock");
	int error = 0;

	r->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (r->lock_fd < 0) {
		error = bench_error_errno(BENCH_ESETUP, "cannot open the engine lock '%s'", path);
		goto done;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		progress_note(&r->progress, "another bench run is using the docker engine (lock %s); waiting for it", path);
		while (flock(r->lock_fd, LOCK_EX) < 0) {
			if (errno != EINTR || proc_interrupt_requested()) {
				error = errno == EINTR ? bench_error_set(BENCH_EINTERRUPTED, "interrupted while waiting for the engine lock")
						       : bench_error_errno(BENCH_ESETUP, "cannot lock '%s'", path);
				goto done;
			}
		}
	}
done:
	free(path);
	return error;
}

static int replay_all(struct run *r)
{
	size_t vi, i;
	int rep, error = 0;

	for (vi = 0; vi < r->sc->variants_count && !error; vi++) {
		for (rep = 1; rep <= r->sc->repetitions && !error; rep++) {
			struct series s;
			series_init(&s, r, &r->sc->variants[vi], rep);
			for (i = 0; i < r->ncommits; i++) {
				if (proc_interrupt_requested()) {
					error = BENCH_EINTERRUPTED;
					break;
				}
				if ((error = build_one(r, &s, i)) < 0)
					break;
				if (r->out->interrupted) {
					error = BENCH_EINTERRUPTED;
					break;
				}
				if (r->daemon_lost) {
					error = bench_error_set(BENCH_ESETUP,
						"docker daemon stopped answering during the run; the failed build and "
						"everything before it are in %s (continue later with: bench run --resume %s %s)",
						r->res->dir, r->res->dir, r->sc->path);
					break;
				}
			}
			if (!r->opts->dry_run && !error && !r->opts->work_dir)
				rm_rf(s.dir);
			series_release(&s);
		}
	}
	if (error == BENCH_EINTERRUPTED && r->res && !r->opts->dry_run)
		error = bench_error_set(BENCH_EINTERRUPTED,
			"interrupted (signal %d); the builds that finished are in %s (continue with: "
			"bench run --resume %s %s)", proc_interrupt_signal(), r->res->dir, r->res->dir,
			r->sc->path);
	return error;
}

static void run_release(struct run *r)
{
	size_t i;
	if (r->world)
		world_stop(r->world);
	if (r->checkouts)
		for (i = 0; i < r->ncommits; i++)
			free(r->checkouts[i]);
	free(r->checkouts);
	commit_info_array_free(r->commits, r->ncommits);
	replay_free(r->repo);
	results_free(r->res);
	scenario_free(r->sc);
	strvec_release(&r->build_args);
	strvec_release(&r->secrets);
	json_decref(r->finished);
	free(r->work);
	free(r->marker);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
}

int run_execute(struct run_outcome *out, const struct run_options *opts)
{
	struct run r = {.opts = opts, .out = out, .lock_fd = -1};
	char stamp[32], *message = NULL;
	int error, end_error;

	memset(out, 0, sizeof(*out));
	progress_init(&r.progress, stderr, opts->quiet);
	if ((error = scenario_load(&r.sc, opts->scenario_path)) < 0 || (error = apply_overrides(&r)) < 0)
		goto done;
	utc_stamp(stamp, sizeof(stamp));
	{
		char *marker = xasprintf("bench-run-%s-%d", stamp, (int)getpid());
		r.marker = lowercase_name(marker);
		free(marker);
	}

	if (opts->dry_run) {
		if ((error = make_work_dir(&r)) < 0 || (error = open_repository(&r)) < 0)
			goto done;
		if (r.sc->world.enabled)
			world_build_args_at(&r.build_args, "http://127.0.0.1:<index-port>", r.sc->world.base_image);
		collect_args(&r);
		/* paths in the dry run point at a results folder that is not made */
		r.res = xcalloc(1, sizeof(*r.res));
		r.res->dir = xstrdup("results/DRY-RUN");
		r.res->journal_fd = -1;
		error = replay_all(&r);
		rm_rf(r.work);
		free(r.res->dir);
		free(r.res);
		r.res = NULL;
		goto done;
	}

	if ((error = lock_engine(&r)) < 0 || (error = docker_preflight(needs_cache_export(r.sc))) < 0)
		goto done;
	if ((error = open_results(&r)) < 0)
		goto done;
	out->results_dir = xstrdup(r.res->dir);
	if ((error = make_work_dir(&r)) < 0)
		goto done;
	if (r.sc->world.enabled) {
		char *wdir = path_join(r.work, "world");
		error = world_start(&r.world, &r.sc->world, wdir, world_log, &r);
		free(wdir);
		if (error < 0)
			goto done;
	}
	collect_args(&r);
	if ((error = open_repository(&r)) < 0)
		goto done;
	progress_note(&r.progress, "replaying %zu commit(s) x %zu variant(s) x %d repetition(s); results in %s",
		      r.ncommits, r.sc->variants_count, r.sc->repetitions, r.res->dir);

	error = replay_all(&r);
	if (proc_interrupt_requested())
		out->interrupted = true;
	if (out->interrupted && !error)
		error = bench_error_set(BENCH_EINTERRUPTED, "interrupted (signal %d) after the last build; "
					"the builds are in %s", proc_interrupt_signal(), r.res->dir);

	end_error = results_finish(r.res, error == 0);
	if (!error && end_error < 0)
		error = end_error;
	if (error < 0)
		message = xstrdup(bench_error_last());
	runreport_print(stdout, r.res->run, opts);
	if (r.sc->world.enabled) {
		json_t *ev = blogreport_evaluate(r.res->run);
		char *path = path_join(r.res->dir, "blog-comparison.json"), *text = json_dumps(ev, JSON_INDENT(2));
		blogreport_print(stdout, ev);
		if (text && write_file_atomic(path, text, strlen(text)) < 0)
			fprintf(stderr, "bench run: warning: %s\n", bench_error_last());
		free(text);
		free(path);
		json_decref(ev);
	}
	if (!opts->no_plot)
		runreport_plot(r.res->dir, opts->quiet);
	if (!error && opts->gate_baseline) {
		int regressed = 0;
		fprintf(stdout, "\ngate against %s\n", opts->gate_baseline);
		if ((error = gate_run(&regressed, r.res->dir, opts->gate_baseline, &r.sc->gate, stdout)) == 0)
			out->gate_failed = regressed != 0;
	}
	docker_reset_runner(r.marker);
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
	out->results_dir = NULL;
}
