/*
 * builder.c: the table of builders (see builder.h), and the operations of a
 * run that go to every builder its variants name. A new builder is one file
 * defining its `const struct builder` and one line here.
 */
#include "builders/builder.h"

#include <string.h>

#include "builders/dockerfile.h"
#include "cache/cache_kind.h"
#include "lib/error.h"
#include "lib/util.h"

/* The table: a builder is defined in a file of its own and named here. */
extern const struct builder builder_buildkit, builder_buildah;

static const struct builder *const builders[] = {
	&builder_buildkit,
	&builder_buildah,
	NULL,
};

#define BUILDERS_MAX (sizeof(builders) / sizeof(builders[0]))

const struct builder *builder_find(const char *name)
{
	size_t i;

	for (i = 0; name && builders[i]; i++)
		if (!strcmp(builders[i]->name, name))
			return builders[i];
	return NULL;
}

const struct builder *builder_default(void)
{
	return builders[0];
}

const struct builder *builder_of(const struct variant *v)
{
	const struct builder *b = builder_find(v->builder);
	return b ? b : builder_default();
}

const char *builder_names(void)
{
	static _Thread_local char names[256];
	size_t i, off = 0;

	for (i = 0; builders[i] && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "", builders[i]->name);
	return names;
}

bool builder_takes_cache(const struct builder *b, const char *type)
{
	return strlist_has(b->cache_types, type);
}

void builder_needs_of(struct builder_needs *needs, const struct scenario *sc, const struct builder *b)
{
	size_t i;

	memset(needs, 0, sizeof(*needs));
	for (i = 0; i < sc->variants_count; i++) {
		const struct variant *v = &sc->variants[i];
		if (b && builder_of(v) != b)
			continue;
		needs->cache_export |= cache_kind_exports(v->cache);
		needs->push |= v->push;
		needs->gha |= v->cache && strlist_has(v->cache->types, "gha");
	}
}

char *builder_ref_name(const char *s)
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

static void push_flag(struct strvec *argv, const char *flag, const char *value)
{
	strvec_push(argv, flag);
	strvec_push(argv, value);
}

void builder_common_flags(struct strvec *argv, const struct build_request *req)
{
	const char *const *p;

	push_flag(argv, "-f", req->dockerfile);
	if (req->tag)
		push_flag(argv, "-t", req->tag);
	if (req->target)
		push_flag(argv, "--target", req->target);
	for (p = req->build_args; p && *p; p++)
		push_flag(argv, "--build-arg", *p);
	for (p = req->secrets; p && *p; p++)
		push_flag(argv, "--secret", *p);
}

/* ---- a run's builders ---- */

/* The builders sc's variants name, each once, in table order, NULL-ended. */
static void builders_used(const struct builder *out[BUILDERS_MAX], const struct scenario *sc)
{
	size_t i, k, n = 0;

	for (i = 0; builders[i]; i++)
		for (k = 0; k < sc->variants_count; k++)
			if (builder_of(&sc->variants[k]) == builders[i]) {
				out[n++] = builders[i];
				break;
			}
	out[n] = NULL;
}

int builders_preflight(const struct scenario *sc, const struct engine *e)
{
	const struct builder *used[BUILDERS_MAX];
	struct builder_needs needs;
	size_t i;
	int error;

	builders_used(used, sc);
	for (i = 0; used[i]; i++) {
		builder_needs_of(&needs, sc, used[i]);
		if ((error = used[i]->preflight(e, &needs)) < 0)
			return error;
	}
	return 0;
}

int builders_environment(json_t **out, const struct scenario *sc, const struct engine *e)
{
	const struct builder *used[BUILDERS_MAX];
	size_t i;
	int error;

	*out = NULL;
	if ((error = builder_default()->environment(out, e)) < 0)
		return error;
	builders_used(used, sc);
	for (i = 0; used[i]; i++) {
		json_t *more = NULL;
		if (used[i] == builder_default())
			continue;
		if ((error = used[i]->environment(&more, e)) < 0) {
			json_decref(*out);
			*out = NULL;
			return error;
		}
		json_object_update(*out, more);
		json_decref(more);
	}
	return 0;
}

int builders_import_base(const struct scenario *sc, const struct engine *e, const char *ref)
{
	const struct builder *used[BUILDERS_MAX];
	size_t i;
	int error;

	builders_used(used, sc);
	for (i = 0; used[i]; i++)
		if ((error = used[i]->import_base(e, ref)) < 0)
			return error;
	return 0;
}

int builders_finish(const struct scenario *sc, const struct engine *e, const char *marker)
{
	const struct builder *used[BUILDERS_MAX];
	size_t i;
	int error, first = 0;

	builders_used(used, sc);
	for (i = 0; used[i]; i++)
		if ((error = used[i]->finish(e, marker)) < 0 && !first)
			first = error;
	return first;
}

int builder_prepare(const struct builder *b, const struct engine *e, const struct build_request *req)
{
	struct strvec images = {0};
	size_t i;
	int error = 0;

	if (!b->own_store)
		return 0;
	if ((error = dockerfile_base_images(&images, req->dockerfile, req->build_args)) < 0)
		goto done;
	for (i = 0; i < images.n && !error; i++) {
		error = b->import_base(e, images.v[i]);
		if (error == BENCH_ENOTFOUND) {
			bench_error_clear();
			error = 0;
		}
	}
done:
	strvec_release(&images);
	return error;
}
