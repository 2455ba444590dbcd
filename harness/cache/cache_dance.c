/*
 * cache_dance.c: the contents of a Dockerfile's RUN --mount=type=cache
 * targets carried between builds on an ephemeral runner, as
 * reproducible-containers/buildkit-cache-dance does on GitHub Actions (the
 * "cache dance"), around whatever `cache =` backend the variant has:
 *
 *   before the build  the contents saved last are restored from the
 *                     actions/cache stand-in (the paced copy) and injected
 *                     by a helper build whose RUN mounts the same cache (the
 *                     same id, target and sharing, read from the Dockerfile)
 *                     and copies them in from a bind mount of the restored
 *                     folder (--output type=cacheonly: no image);
 *   after the build   a helper build mounts the same cache again and copies
 *                     its contents into a scratch stage exported to a local
 *                     folder (--output type=local), which is saved into the
 *                     stand-in under the build's key; the newest entry is
 *                     restored next time (restore-keys).
 *
 * Both times are the build's restore and save (apart:
 * cache_mounts_restore_seconds, cache_mounts_save_seconds). The helper
 * builds go through the builder seam (builder.h) as argvs. The helper image
 * is the world's base image, else bench/busybox:latest (scripts/setup makes
 * it). Each helper build gets a new BENCH_DANCE_STAMP build arg so that its
 * RUN never comes from the builder cache (BuildKit's --no-cache and
 * --no-cache-filter would also give the RUN empty cache mounts).
 */
#include "cache/cache_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "builders/parser.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "world/world.h"

#define DANCE_TIMEOUT 1800.0
#define DANCE_IMAGE_DEFAULT "bench/busybox:latest"
#define DANCE_ROOT "/bench-dance"

/* ---- the Dockerfile's cache mounts ---- */

/* Whether option `opt` (key=value) of a --mount flag has one of the keys
 * (NULL-terminated); *value points at its value. */
static bool option_is(const char **value, const char *opt, size_t len, const char *const *keys)
{
	for (; *keys; keys++) {
		size_t k = strlen(*keys);
		if (len > k && !strncmp(opt, *keys, k) && opt[k] == '=') {
			*value = opt + k + 1;
			return true;
		}
	}
	return false;
}

/* The --mount flag at text (after "--mount=", len bytes), when it is a
 * cache mount of `target`: its spec with the options that name the cache
 * and shape its folder. Caller frees; NULL otherwise. */
static char *cache_mount_spec(const char *text, size_t len, const char *target)
{
	static const char *const type_keys[] = {"type", NULL};
	static const char *const target_keys[] = {"target", "dst", "destination", NULL};
	static const char *const kept[] = {"id", "sharing", "uid", "gid", "mode", NULL};
	struct strbuf keep = {0};
	bool cache = false, match = false;
	const char *p = text, *end = text + len, *value;
	char *spec = NULL;

	if (len >= 2 && (*p == '"' || *p == '\'') && end[-1] == *p)
		p++, end--;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);
		if (option_is(&value, p, n, type_keys))
			cache = (size_t)(p + n - value) == 5 && !strncmp(value, "cache", 5);
		else if (option_is(&value, p, n, target_keys))
			match = (size_t)(p + n - value) == strlen(target) && !strncmp(value, target, strlen(target));
		else if (option_is(&value, p, n, kept))
			strbuf_printf(&keep, ",%.*s", (int)n, p);
		p += n + (comma != NULL);
	}
	if (cache && match)
		spec = xasprintf("type=cache,target=%s%s", target, keep.buf ? keep.buf : "");
	strbuf_release(&keep);
	return spec;
}

int dance_find_mounts(struct strvec *specs, const char *text, const char *const *targets, size_t n,
		      const char *dockerfile)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *line = text;
		char *spec = NULL;
		while (line && *line && !spec) {
			const char *eol = strchr(line, '\n'), *p = line + strspn(line, " \t");
			const char *stop = eol ? eol : line + strlen(line);
			if (*p != '#') {
				while (!spec && (p = strstr(p, "--mount=")) && p < stop) {
					p += strlen("--mount=");
					spec = cache_mount_spec(p, strcspn(p, " \t\r\n"), targets[i]);
				}
			}
			line = eol ? eol + 1 : NULL;
		}
		if (!spec) {
			strvec_release(specs);
			return bench_error_set(BENCH_EINVALID, "cache_mounts: '%s' has no RUN --mount=type=cache "
					       "with target=%s", dockerfile, targets[i]);
		}
		strvec_push(specs, spec);
		free(spec);
	}
	return 0;
}

/* ---- the helper Dockerfiles ---- */

char *dance_extract_dockerfile(const struct strvec *specs, const char *const *targets, const char *image)
{
	struct strbuf sb = {0};
	size_t i;

	strbuf_printf(&sb, "# bench: the cache dance's extraction (cache_mounts)\n"
		      "FROM %s AS dance\nARG BENCH_DANCE_STAMP\nRUN", image);
	for (i = 0; i < specs->n; i++)
		strbuf_printf(&sb, " --mount=%s", specs->v[i]);
	strbuf_puts(&sb, " set -e");
	for (i = 0; i < specs->n; i++)
		strbuf_printf(&sb, "; mkdir -p " DANCE_ROOT "/%zu; cp -a '%s'/. " DANCE_ROOT "/%zu/", i,
			      targets[i], i);
	strbuf_puts(&sb, "\nFROM scratch\nCOPY --from=dance " DANCE_ROOT " /\n");
	return strbuf_detach(&sb);
}

char *dance_inject_dockerfile(const struct strvec *specs, const char *const *targets, const char *image)
{
	struct strbuf sb = {0};
	size_t i;

	strbuf_printf(&sb, "# bench: the cache dance's injection (cache_mounts)\n"
		      "FROM %s\nARG BENCH_DANCE_STAMP\nRUN", image);
	for (i = 0; i < specs->n; i++)
		strbuf_printf(&sb, " --mount=%s --mount=type=bind,source=%zu,target=" DANCE_ROOT "/%zu",
			      specs->v[i], i, i);
	strbuf_puts(&sb, " set -e");
	for (i = 0; i < specs->n; i++)
		strbuf_printf(&sb, "; cp -a " DANCE_ROOT "/%zu/. '%s'/", i, targets[i]);
	strbuf_puts(&sb, "\n");
	return strbuf_detach(&sb);
}

/* ---- the helper builds ---- */

static const char *dance_image(const struct cache_series *s)
{
	return s->env->world ? world_base_image(s->env->world) : DANCE_IMAGE_DEFAULT;
}

/* Write `text` as dance_dir/NAME and build it in context with output:
 * *seconds gets the build's time. A build that fails is an error with its
 * failure text (the builder's parser). */
static int helper_build(double *seconds, const struct cache_series *s, const char *name, const char *text,
			const char *context, const char *output)
{
	const struct builder *b = s->env->builder;
	char *df = path_join(s->dance_dir, name), *out = NULL, *err = NULL;
	char *stamp = xasprintf("BENCH_DANCE_STAMP=%d-%llu", (int)getpid(), (unsigned long long)monotime_now());
	const char *args[] = {stamp, NULL};
	struct build_request req = {.context = context, .dockerfile = df, .network = s->env->network,
				    .build_args = args, .output = output};
	struct strvec argv = {0};
	struct parser p = {0};
	monotime t0 = monotime_now();
	int status = 0, error;

	if (!b)
		error = bench_error_set(BENCH_ERROR, "cache_mounts: no builder for the cache dance");
	else if ((error = write_file_atomic(df, text, strlen(text))) == 0 &&
		 (error = b->build_argv(&argv, s->env->engine, &req)) == 0)
		error = proc_capture(&out, &err, &status, strvec_argv(&argv), DANCE_TIMEOUT);
	*seconds = monotime_seconds_since(t0);
	if (!error && status != 0) {
		char *why = NULL;
		if (parser_init(&p, b->parser) == 0) {
			parser_feed(&p, PARSER_STDOUT, out ? out : "", out ? strlen(out) : 0);
			parser_feed(&p, PARSER_STDERR, err ? err : "", err ? strlen(err) : 0);
			why = parser_failure(&p, b->command, status);
		}
		error = bench_error_set(BENCH_ERROR, "cache_mounts of %s: the cache dance's %s failed: %s",
					s->v->name, name, why ? why : "");
		free(why);
		parser_release(&p);
	}
	strvec_release(&argv);
	free(df);
	free(out);
	free(err);
	free(stamp);
	return error;
}

/* The stand-in's entry of key (NULL: NULL), in dance_dir/store. Caller
 * frees. */
static char *store_entry(const struct cache_series *s, const char *key)
{
	return key ? xasprintf("%s/store/%s", s->dance_dir, key) : NULL;
}

/* The variant's cache mount specs, from its Dockerfile at this commit. */
static int read_specs(struct strvec *specs, const struct cache_series *s, const char *checkout)
{
	const struct variant *v = s->v;
	char *path = v->dockerfile_in_repo ? path_join(checkout, v->dockerfile) : xstrdup(v->dockerfile);
	char *text = NULL;
	int error;

	if ((error = read_file(&text, NULL, path)) == 0)
		error = dance_find_mounts(specs, text, (const char *const *)v->cache_mounts,
					  v->cache_mounts_count, path);
	free(text);
	free(path);
	return error;
}

int cache_dance_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			const char *checkout, json_t *record)
{
	const struct variant *v = s->v;
	const struct strvec *specs = &u->mount_specs;
	char *in = NULL, *entry = NULL, *text = NULL;
	double copy = 0, build = 0;
	size_t i;
	int error;

	if (s->env->dry_run)
		return 0;
	free(u->mounts_key);
	u->mounts_key = xasprintf("mounts-%s", commit_id);
	strvec_release(&u->mount_specs);
	if ((error = read_specs(&u->mount_specs, s, checkout)) < 0 || (error = mkdir_p(s->dance_dir)) < 0)
		goto done;
	entry = store_entry(s, s->state.mounts_key);
	json_object_set_new(record, "cache_mounts_restored", json_boolean(entry && path_is_dir(entry)));
	if (!entry || !path_is_dir(entry))
		goto done; /* nothing saved yet: the mounts start empty */
	in = path_join(s->dance_dir, "in");
	cache_note(s, "restoring cache mounts (actions/cache stand-in)");
	if ((error = cache_store_copy(&copy, s, in, entry)) < 0)
		goto done;
	for (i = 0; i < specs->n && !error; i++) {
		char *sub = xasprintf("%s/%zu", in, i);
		error = mkdir_p(sub);
		free(sub);
	}
	if (error < 0)
		goto done;
	cache_note(s, "injecting cache mounts (cache dance)");
	text = dance_inject_dockerfile(specs, (const char *const *)v->cache_mounts, dance_image(s));
	error = helper_build(&build, s, "Dancefile.inject", text, in, "type=cacheonly");
	rm_rf(in);
done:
	u->mounts_restore_seconds = copy + build;
	free(in);
	free(entry);
	free(text);
	return error;
}

int cache_dance_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	const struct variant *v = s->v;
	char *out = NULL, *ctx = NULL, *entry = NULL, *text = NULL, *output = NULL;
	double copy = 0, build = 0;
	int64_t bytes = 0;
	int error = 0;

	/* a job whose build failed stops there: no extraction, no save */
	if (!ok || !u->mounts_key || !u->mount_specs.n)
		goto record;
	out = path_join(s->dance_dir, "out");
	ctx = path_join(s->dance_dir, "context");
	rm_rf(out);
	if ((error = mkdir_p(ctx)) < 0)
		goto done;
	cache_note(s, "extracting cache mounts (cache dance)");
	text = dance_extract_dockerfile(&u->mount_specs, (const char *const *)v->cache_mounts, dance_image(s));
	output = xasprintf("type=local,dest=%s", out);
	if ((error = helper_build(&build, s, "Dancefile.extract", text, ctx, output)) < 0)
		goto done;
	cache_note(s, "saving cache mounts (actions/cache stand-in)");
	entry = store_entry(s, u->mounts_key);
	if ((error = cache_store_copy(&copy, s, entry, out)) < 0)
		goto done;
	if (s->state.mounts_key && strcmp(s->state.mounts_key, u->mounts_key)) {
		char *old = store_entry(s, s->state.mounts_key);
		rm_rf(old);
		free(old);
	}
	free(s->state.mounts_key);
	s->state.mounts_key = xstrdup(u->mounts_key);
record:
	if (s->state.mounts_key) {
		free(entry);
		entry = store_entry(s, s->state.mounts_key);
		dir_size(&bytes, entry);
	}
	json_object_set_new(record, "cache_mounts_bytes", json_integer(bytes));
done:
	u->mounts_save_seconds = copy + build;
	if (out)
		rm_rf(out);
	free(out);
	free(ctx);
	free(entry);
	free(text);
	free(output);
	return error;
}
