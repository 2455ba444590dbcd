/*
 * cache_kinds.c: the table of `cache =` kinds (cache_kind.h). Each row is
 * defined in its backend's file; a new backend is one file and one line
 * here. Rows registered at run time (cache_kind_register) come after.
 */
#include "cache/cache_kind.h"

#include <stdio.h>
#include <string.h>

#include "lib/error.h"

static const struct cache_kind *const table[] = {
	&cache_kind_none,
	&cache_kind_local,
	&cache_kind_registry,
	&cache_kind_gha,
	&cache_kind_inline,
};

#define NTABLE (sizeof(table) / sizeof(table[0]))
#define NEXTRA 8

static const struct cache_kind *extra[NEXTRA];
static size_t nextra;

const struct cache_kind *cache_kind_at(size_t i)
{
	if (i < NTABLE)
		return table[i];
	return i - NTABLE < nextra ? extra[i - NTABLE] : NULL;
}

const struct cache_kind *cache_kind_find(const char *name)
{
	const struct cache_kind *k;
	size_t i;

	for (i = 0; name && (k = cache_kind_at(i)); i++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const struct cache_kind *cache_kind_default(void)
{
	return &cache_kind_none;
}

bool cache_kind_exports(const struct cache_kind *k)
{
	return k && k->types && k->types[0];
}

const char *cache_kind_names(void)
{
	static _Thread_local char names[512];
	const struct cache_kind *k;
	size_t i, off = 0;

	names[0] = '\0';
	for (i = 0; (k = cache_kind_at(i)) && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
					!i ? "" : cache_kind_at(i + 1) ? ", " : " or ", k->name);
	return names;
}

int cache_kind_register(const struct cache_kind *k)
{
	if (!k || !k->name || !k->init || !k->restore || !k->save)
		return bench_error_set(BENCH_EINVALID, "cache kind: a row needs a name, init, restore and save");
	if (cache_kind_find(k->name))
		return bench_error_set(BENCH_EINVALID, "cache kind '%s' is in the table already", k->name);
	if (nextra == NEXTRA)
		return bench_error_set(BENCH_EINVALID, "cache kind '%s': no room for more than %d added kinds",
				       k->name, NEXTRA);
	extra[nextra++] = k;
	return 0;
}
