/*
 * cache_none.c: the `cache = none` backend (cache_kind.h): nothing is
 * imported or exported; every build starts from what the runner has.
 */
#include "cache/cache_backend.h"

#include "lib/util.h"

static void none_init(struct cache_series *s, int rep, const char *dir)
{
	(void)s, (void)rep, (void)dir;
}

static int none_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
			const char *checkout, bool cold, json_t *record)
{
	(void)u, (void)s, (void)commit_id, (void)checkout, (void)cold, (void)record;
	return 0;
}

static int none_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	(void)u, (void)s, (void)ok;
	json_object_set_new(record, "cache_bytes", json_integer(0));
	return 0;
}

static char *none_fingerprint(const struct cache_series *s)
{
	(void)s;
	return xstrdup("none");
}

const struct cache_kind cache_kind_none = {
	.name = "none",
	.help = "no cache: nothing is imported or exported",
	.init = none_init,
	.restore = none_restore,
	.save = none_save,
	.fingerprint = none_fingerprint,
};
