/*
 * builder.c: the table of builders (see builder.h). A new builder is one
 * file defining its `const struct builder` and one line here.
 */
#include "builder.h"

#include <string.h>

static const struct builder *const builders[] = {
	&builder_buildkit,
	NULL,
};

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

const char *builder_names(void)
{
	static _Thread_local char names[256];
	size_t i, off = 0;

	for (i = 0; builders[i] && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "", builders[i]->name);
	return names;
}

void builder_needs_of(struct builder_needs *needs, const struct scenario *sc)
{
	size_t i;

	memset(needs, 0, sizeof(*needs));
	for (i = 0; i < sc->variants_count; i++) {
		needs->cache_export |= sc->variants[i].cache != CACHE_NONE;
		needs->registry_cache |= sc->variants[i].cache == CACHE_REGISTRY;
		needs->push |= sc->variants[i].push;
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
