/*
 * engines.c: the engines of a run (see engines.h): the list, the locks in
 * order, the fingerprints, and the base images each engine needs.
 */
#include "run/engines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"

/* ---- the list ---- */

static int add_engine(struct engine_set *set, const char *spec, const char *what)
{
	struct engine e;
	int error;
	size_t k;

	if ((error = engine_init(&e, spec)) < 0)
		return bench_error_wrap(error, "%s", what);
	for (k = 0; k < set->n; k++) {
		if (!strcmp(set->v[k].name, e.name)) {
			engine_release(&e);
			return bench_error_set(BENCH_EINVALID, "%s: engine '%s' is listed twice", what, spec);
		}
	}
	set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	set->lock_fds = xrealloc(set->lock_fds, (set->n + 1) * sizeof(*set->lock_fds));
	set->v[set->n] = e;
	set->lock_fds[set->n] = -1;
	set->n++;
	return 0;
}

int engine_set_init(struct engine_set *set, const char *list, char *const *names, size_t count, const char *what)
{
	int error = 0;
	size_t i;

	memset(set, 0, sizeof(*set));
	if (list) {
		char *copy = xstrdup(list), *save = NULL, *tok;
		for (tok = strtok_r(copy, ",", &save); tok && !error; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			tok[strcspn(tok, " ")] = '\0';
			if (*tok)
				error = add_engine(set, tok, what);
		}
		free(copy);
		if (!error && !set->n)
			error = bench_error_set(BENCH_EINVALID, "%s: no engine named in '%s'", what, list);
	} else {
		for (i = 0; i < count && !error; i++)
			error = add_engine(set, names[i], what);
	}
	if (!error && !set->n)
		error = add_engine(set, NULL, what);
	if (error < 0)
		engine_set_release(set);
	return error;
}

void engine_set_truncate(struct engine_set *set, size_t n)
{
	while (set->n > n) {
		set->n--;
		if (set->lock_fds[set->n] >= 0)
			close(set->lock_fds[set->n]);
		engine_release(&set->v[set->n]);
	}
}

void engine_set_release(struct engine_set *set)
{
	size_t k;

	for (k = 0; k < set->n; k++) {
		if (set->lock_fds[k] >= 0)
			close(set->lock_fds[k]);
		engine_release(&set->v[k]);
	}
	free(set->v);
	free(set->lock_fds);
	memset(set, 0, sizeof(*set));
}

int engine_set_find(const struct engine_set *set, const char *name)
{
	size_t k;

	for (k = 0; name && k < set->n; k++)
		if (!strcmp(set->v[k].name, name))
			return (int)k;
	return -1;
}

/* ---- locks ---- */

struct lock_order {
	char *path;
	size_t k;
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct lock_order *)a)->path, ((const struct lock_order *)b)->path);
}

int engine_set_lock(struct engine_set *set, void (*waiting)(void *ctx, const char *path), void *ctx)
{
	struct lock_order *order = xcalloc(set->n ? set->n : 1, sizeof(*order));
	size_t i;
	int error = 0;

	for (i = 0; i < set->n; i++)
		order[i] = (struct lock_order){engine_lock_path(&set->v[i]), i};
	qsort(order, set->n, sizeof(*order), by_path);
	for (i = 0; i < set->n && !error; i++)
		error = engine_lock(&set->lock_fds[order[i].k], &set->v[order[i].k], waiting, ctx);
	for (i = 0; i < set->n; i++)
		free(order[i].path);
	free(order);
	return error;
}

/* ---- fingerprints ---- */

int engine_fingerprint(json_t **out, const struct builder *b, const struct engine *e)
{
	json_t *env = NULL, *fp;
	int error;

	*out = NULL;
	if ((error = b->environment(&env, e)) < 0)
		return error;
	fp = json_object();
	json_object_set_new(fp, "name", json_string(e->name));
	if (e->context)
		json_object_set_new(fp, "context", json_string(e->context));
	if (e->host)
		json_object_set_new(fp, "host", json_string(e->host));
	json_object_update(fp, env);
	json_decref(env);
	*out = fp;
	return 0;
}

int engine_fingerprints_check(const json_t *fingerprints)
{
	size_t i, j;

	for (i = 0; i < json_array_size(fingerprints); i++) {
		json_t *a = json_array_get(fingerprints, i);
		const char *id = json_string_value(json_object_get(a, "engine_id"));
		if (!id || !*id)
			continue;
		for (j = 0; j < i; j++) {
			json_t *b = json_array_get(fingerprints, j);
			const char *other = json_string_value(json_object_get(b, "engine_id"));
			if (other && !strcmp(id, other))
				return bench_error_set(BENCH_EINVALID,
					"engines '%s' and '%s' are one docker daemon (engine id %s): the engines of a "
					"run must be separate daemons, since each one's builder cache is pruned for its "
					"own series", json_string_value(json_object_get(b, "name")),
					json_string_value(json_object_get(a, "name")), id);
		}
	}
	return 0;
}

/* ---- copying ---- */

int engine_copy_images(const struct builder *b, const struct engine *e, const struct engine *const *sources,
		       size_t nsources, const struct strvec *refs, const char *dir,
		       void (*note)(void *ctx, const char *msg), void *ctx)
{
	size_t i, k;
	int error = 0;

	if (!b->copy_image)
		return bench_error_set(BENCH_EINVALID, "builder %s cannot bring base images to %s", b->name,
				       engine_describe(e));
	for (i = 0; i < refs->n && !error; i++) {
		bool copied = false, asked = false;
		for (k = 0; k < nsources && !copied; k++) {
			if (!strcmp(sources[k]->name, e->name))
				continue;
			asked = true;
			error = b->copy_image(e, sources[k], refs->v[i], dir);
			if (error == BENCH_ENOTFOUND) {
				error = 0;
				bench_error_clear();
				continue;
			}
			if (error < 0)
				break;
			copied = true;
		}
		if (!error && asked && !copied && note) {
			char *msg = xasprintf("base image %s: no other engine has it; left to the builds on %s",
					      refs->v[i], e->name);
			note(ctx, msg);
			free(msg);
		}
	}
	return error;
}
