/*
 * test_cache_kinds.c: the table of cache kinds (cache/cache_kind.h) with a
 * made-up backend. A kind defined here, in one file, and added as one row
 * (cache_kind_register) is a `cache =` value the scenario parser accepts;
 * its row drives the scenario check (what it needs, which builders can do
 * it: a builder that does not declare its cache type is refused at file:line)
 * and cache.c runs its operations into the build's argv. The kinds of
 * harness/cache are checked against their builders the same way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builders/builder.h"
#include "cache/cache.h"
#include "cache/cache_kind.h"
#include "lib/error.h"
#include "lib/util.h"
#include "scenario/scenario.h"
#include "tmpdir.h"

TMPDIR_FIXTURE("test-cache-kinds")

/* ---- the made-up backend: a folder per series, named "pad" ---- */

static int restores, saves;

static void pad_init(struct cache_series *s, int rep, const char *dir)
{
	(void)rep;
	s->folder = path_join(dir, "pad");
}

static int pad_restore(struct cache_use *u, struct cache_series *s, const char *commit_id,
		       const char *checkout, bool cold, json_t *record)
{
	(void)commit_id, (void)checkout, (void)record;
	restores++;
	if (!cold) {
		u->from.type = "local";
		u->from.location = s->folder;
	}
	u->to.type = "local";
	u->to.location = s->folder;
	u->to.mode = s->v->cache_mode;
	return 0;
}

static int pad_save(struct cache_use *u, struct cache_series *s, bool ok, json_t *record)
{
	(void)u, (void)s;
	saves++;
	json_object_set_new(record, "cache_bytes", json_integer(ok ? 42 : 0));
	return 0;
}

static const struct cache_kind cache_kind_scratchpad = {
	.name = "scratchpad",
	.help = "a made-up backend: a folder per series",
	.types = (const char *const[]){"local", NULL},
	.init = pad_init,
	.restore = pad_restore,
	.save = pad_save,
};

/* a made-up kind that needs the world, and a type no builder takes */
static const struct cache_kind cache_kind_faraway = {
	.name = "faraway",
	.help = "a made-up backend that needs the world",
	.needs = CACHE_FROM_WORLD,
	.provides = "the far-away service",
	.types = (const char *const[]){"faraway", NULL},
	.init = pad_init,
	.restore = pad_restore,
	.save = pad_save,
};

static int setup_kinds(void **state)
{
	if (setup(state) < 0 || cache_kind_register(&cache_kind_scratchpad) < 0 ||
	    cache_kind_register(&cache_kind_faraway) < 0)
		return -1;
	return 0;
}

/* Parse a scenario whose one variant has the lines `variant` (from line
 * 7 on); path: tmp/mem.ini. */
static int parse(struct scenario **s, const char *variant)
{
	char *path = path_join(tmp, "mem.ini");
	char *text = xasprintf("[scenario]\nname = t\nrepo = .\ncommits = HEAD\n\n[variant v]\n%s\n"
			       "dockerfile = repo:Dockerfile\n", variant);
	int rc = scenario_parse(s, path, text, strlen(text));
	free(text);
	free(path);
	return rc;
}

/* The error of parse(), which must fail, without the path of tmp/mem.ini. */
static const char *parse_error(const char *variant)
{
	struct scenario *s = NULL;
	size_t n = strlen(tmp) + strlen("/mem.ini");
	const char *msg;

	assert_int_equal(parse(&s, variant), BENCH_EINVALID);
	assert_null(s);
	msg = bench_error_last();
	assert_int_equal(strncmp(msg, tmp, strlen(tmp)), 0);
	return msg + n;
}

/* The new row is a `cache =` value, named in run.json and in the list of
 * kinds; its row's needs and types are checked like any other's. */
static void test_scenario_accepts_the_new_kind(void **state)
{
	struct scenario *s = NULL;
	json_t *j;
	(void)state;

	assert_ptr_equal(cache_kind_find("scratchpad"), &cache_kind_scratchpad);
	assert_string_equal(cache_kind_names(), "none, local, registry, gha, inline, scratchpad or faraway");
	assert_int_equal(parse(&s, "cache = scratchpad"), 0);
	assert_ptr_equal(s->variants[0].cache, &cache_kind_scratchpad);
	assert_int_equal(cache_check(s), 0);
	j = scenario_to_json(s);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "variants"), 0),
							      "cache")), "scratchpad");
	json_decref(j);
	scenario_free(s);

	/* the builder that declares "local" can; the one that does not is
	 * refused at the variant's builder line */
	assert_true(builder_takes_cache(builder_find("buildkit"), "local"));
	assert_false(builder_takes_cache(builder_find("buildah"), "local"));
	assert_string_equal(parse_error("cache = scratchpad\nbuilder = buildah"),
			    ":8: builder = buildah: cache = scratchpad needs the cache type 'local', which "
			    "buildah does not take; use cache = none, registry or another builder");
	/* what the row needs, at the cache line */
	parse_error("cache = faraway");
	assert_non_null(strstr(bench_error_last(), "mem.ini:7: cache = faraway needs a [world] section (it "
			       "provides the far-away service)"));
	assert_non_null(strstr(bench_error_last(), "mem.ini:6: builder = buildkit: cache = faraway needs the "
			       "cache type 'faraway', which buildkit does not take"));
	/* an unknown value lists every kind, the new ones too */
	assert_string_equal(parse_error("cache = scratch"), ":7: invalid cache 'scratch' (use none, local, "
			    "registry, gha, inline, scratchpad or faraway)");
	/* options of other kinds are refused by the row's flags */
	assert_string_equal(parse_error("cache = scratchpad\ncache_scope = x"), ":8: cache_scope needs cache = gha "
			    "(it names the scope of the GitHub cache); remove it or set cache = gha");
}

/* cache.c runs the row's operations, and the builder turns what they fill
 * into its argv. */
static void test_series_runs_the_new_kind(void **state)
{
	struct variant v = {.name = "v", .cache = &cache_kind_scratchpad, .cache_mode = "min"};
	struct cache_env env = {0};
	struct cache_series s;
	struct cache_use u;
	struct build_request req = {.context = tmp, .dockerfile = "Dockerfile", .tag = "t"};
	struct engine e = {0};
	struct strvec argv = {0};
	json_t *rec = json_object();
	char *want;
	size_t i;
	bool from = false, to = false;
	(void)state;

	cache_series_init(&s, &v, 1, tmp, &env);
	assert_ptr_equal(s.kind, &cache_kind_scratchpad);
	assert_int_equal(cache_restore(&u, &s, "abc", tmp, false, rec), 0);
	assert_int_equal(restores, 1);
	req.cache_from = u.from;
	req.cache_to = u.to;
	assert_int_equal(builder_find("buildkit")->build_argv(&argv, &e, &req), 0);
	want = xasprintf("type=local,src=%s/pad", tmp);
	for (i = 0; i + 1 < argv.n; i++) {
		from |= !strcmp(argv.v[i], "--cache-from") && !strcmp(argv.v[i + 1], want);
		to |= !strcmp(argv.v[i], "--cache-to") && !strncmp(argv.v[i + 1], "type=local,dest=", 16) &&
		      strstr(argv.v[i + 1], ",mode=min");
	}
	assert_true(from && to);
	assert_int_equal(cache_save(&u, &s, true, rec), 0);
	assert_int_equal(saves, 1);
	assert_int_equal(json_integer_value(json_object_get(rec, "cache_bytes")), 42);
	/* no fingerprint in the row: a cut series cannot be told, it is built again */
	assert_null(cache_fingerprint(&s));
	cache_use_release(&u);
	cache_series_release(&s);
	strvec_release(&argv);
	json_decref(rec);
	free(want);
}

/* A name is taken once; the rows of harness/cache each declare a type
 * every builder that can do them takes. */
static void test_table(void **state)
{
	const struct cache_kind *k;
	size_t i;
	(void)state;

	assert_int_equal(cache_kind_register(&cache_kind_scratchpad), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "'scratchpad' is in the table already"));
	for (i = 0; (k = cache_kind_at(i)); i++) {
		const char *const *t;
		assert_non_null(k->name);
		assert_true(strlen(k->help) > 10);
		assert_ptr_equal(cache_kind_find(k->name), k);
		assert_true(!k->needs || k->provides);
		for (t = k->types; k != &cache_kind_faraway && t && *t; t++)
			assert_true(builder_takes_cache(builder_find("buildkit"), *t));
	}
	assert_true(i >= 7);
	assert_false(cache_kind_exports(&cache_kind_none));
	assert_true(cache_kind_exports(&cache_kind_registry));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_accepts_the_new_kind),
		cmocka_unit_test(test_series_runs_the_new_kind),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests_name("cache kinds", tests, setup_kinds, teardown);
}
