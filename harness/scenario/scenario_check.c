/*
 * scenario_check.c: the checks of a scenario that need the whole file, run
 * once every line was read: required keys, what needs a [world] or
 * [registry] section, cache options against the variant's cache kind, what
 * the variant's builder cannot do (the cache types of its kind, builder.h: unsupported),
 * the gate's reference variant (unless "none"). The cache checks read the
 * kind's row (cache_kind.h), never its name. Also fills the defaults that
 * depend on other keys (the cache scope, a min-only kind's cache_mode).
 */
#include "scenario/scenario_int.h"
#include "builders/builder.h"
#include "cache/cache_kind.h"
#include "lib/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A required key that is not set: an error, unless a line was too long to
 * read (it may be the one that set it: "line is too long" says what to do). */
static void missing(struct scen_parser *p, int line, const char *what)
{
	if (!p->long_lines)
		scen_add_error(p, line, "%s", what);
}

static void check_scenario(struct scen_parser *p, bool world)
{
	struct scenario *s = p->s;
	int repo = scen_key_line(&p->scen, SEC_SCENARIO, "repo"), line;

	if (!p->scen_line && p->long_lines)
		return;
	if (!p->scen_line) {
		scen_add_error(p, 1, "no [scenario] section; add one with name, repo and commits");
		return;
	}
	if (!scen_key_line(&p->scen, SEC_SCENARIO, "name"))
		missing(p, p->scen_line, "missing required key 'name' in [scenario]");
	if (world && repo) {
		scen_add_error(p, repo, "'repo' must not be set when a [world] section exists (the "
			       "world generates the repository); remove it");
	} else if (!world && !repo) {
		missing(p, p->scen_line, "missing required key 'repo' in [scenario]");
	} else if (!world && p->repo_raw) {
		char *what = xasprintf("repo '%s'", p->repo_raw);
		s->repo = scen_resolve(p, repo, what, p->repo_raw, true);
		free(what);
	}
	if (!(line = scen_key_line(&p->scen, SEC_SCENARIO, "commits")))
		missing(p, p->scen_line, "missing required key 'commits' in [scenario]");
	else if (line < 0 && (size_t)-line <= p->nov)
		s->commits_at = xasprintf("%s %s", p->ov[-line - 1].flag, p->ov[-line - 1].assignment);
	else
		s->commits_at = xasprintf("%s:%d", p->path, line);
	if (!s->variants_count && !p->bad_headers)
		missing(p, p->scen_line, "no [variant NAME] section; add at least one, e.g. "
			"[variant single-stage] with a dockerfile");
}

/* What a variant that pushes or keeps its cache in a registry needs. */
#define REGISTRY_OR_WORLD "a [registry] section with ref = HOST[:PORT]/NAME (your registry) or a " \
	"[world] section (it provides %s)"

/* The kinds whose row has flag, "a or b", for messages. Caller frees. */
static char *kinds_with(unsigned flag)
{
	const struct cache_kind *k;
	struct strbuf sb = {0};
	size_t i, n = 0;

	for (i = 0; (k = cache_kind_at(i)); i++)
		if (k->flags & flag)
			strbuf_printf(&sb, "%s%s", n++ ? " or " : "", k->name);
	return sb.buf ? strbuf_detach(&sb) : xstrdup("none");
}

/* The variant's cache options against its kind's row (cache_kind.h):
 * what the kind needs from outside the runner, and the options only some
 * kinds take. */
static void check_cache(struct scen_parser *p, struct variant *v, const struct keylines *at,
			bool world, bool registry)
{
	const struct cache_kind *kind = v->cache;
	int cache = scen_key_line(at, SEC_VARIANT, "cache");
	int mode = scen_key_line(at, SEC_VARIANT, "cache_mode");
	int scope = scen_key_line(at, SEC_VARIANT, "cache_scope");
	int push = scen_key_line(at, SEC_VARIANT, "push");

	if (!kind)
		return; /* a bad value, reported */
	if (kind->needs == CACHE_FROM_WORLD && !world)
		scen_add_error(p, cache, "cache = %s needs a [world] section (it provides %s); use "
			       "cache = local or add [world]", kind->name, kind->provides);
	else if (kind->needs && !(kind->needs & CACHE_FROM_RUNNER_ENV) && !world && !registry)
		scen_add_error(p, cache, "cache = %s needs " REGISTRY_OR_WORLD "; use cache = local "
			       "or add one of them", kind->name, kind->provides);
	/* (CACHE_FROM_RUNNER_ENV: the run reads the runner's environment before
	 * its first build, cache_check) */
	if (v->cache_key_files_count && !(kind->flags & CACHE_TAKES_KEY)) {
		char *which = kinds_with(CACHE_TAKES_KEY);
		scen_add_error(p, scen_key_line(at, SEC_VARIANT, "cache_key"), "cache_key needs "
			       "cache = %s (it keys the cache folder kept between runs)", which);
		free(which);
	}
	if (kind->flags & CACHE_MIN_ONLY) {
		if (mode && strcmp(v->cache_mode, "min"))
			scen_add_error(p, mode, "cache = %s supports only cache_mode = min (%s); set "
				       "cache_mode = min or remove it", kind->name, kind->min_only_why);
		scen_replace(&v->cache_mode, "min");
	}
	if ((kind->flags & CACHE_NEEDS_PUSH) && (world || registry) && !v->push) /* (else push is refused anyway) */
		scen_add_error(p, push ? push : cache, "cache = %s needs push = yes (%s)", kind->name,
			       kind->needs_push_why);
	if (scope && !(kind->flags & CACHE_TAKES_SCOPE)) {
		char *which = kinds_with(CACHE_TAKES_SCOPE);
		scen_add_error(p, scope, "cache_scope needs cache = %s (it names the scope of the "
			       "GitHub cache); remove it or set cache = %s", which, which);
		free(which);
	} else if ((kind->flags & CACHE_TAKES_SCOPE) && !v->cache_scope)
		v->cache_scope = xstrdup(v->name);
}

/* The first cache type the kind hands a builder that b does not take, or
 * NULL when b takes them all. */
static const char *builder_lacks(const struct builder *b, const struct cache_kind *kind)
{
	const char *const *t;

	for (t = kind->types; t && *t; t++)
		if (!builder_takes_cache(b, *t))
			return *t;
	return NULL;
}

/* What the variant's builder cannot do: the cache types its kind needs
 * (builder.h: cache_types), then the rest (unsupported). */
static void check_builder(struct scen_parser *p, struct variant *v, const struct keylines *at)
{
	const struct builder *b = builder_of(v);
	const char *why, *type;
	int line = scen_key_line(at, SEC_VARIANT, "builder");

	line = line ? line : v->line;
	if (v->cache && (type = builder_lacks(b, v->cache))) {
		const struct cache_kind *k;
		struct strbuf can = {0};
		size_t i;
		for (i = 0; (k = cache_kind_at(i)); i++)
			if (!builder_lacks(b, k))
				strbuf_printf(&can, "%s%s", can.len ? ", " : "", k->name);
		scen_add_error(p, line, "builder = %s: cache = %s needs the cache type '%s', which %s "
			       "does not take; use cache = %s or another builder", b->name, v->cache->name,
			       type, b->name, can.buf ? can.buf : "none");
		strbuf_release(&can);
	} else if ((why = b->unsupported(p->s, v))) {
		scen_add_error(p, line, "builder = %s: %s", b->name, why);
	}
}

static void check_reference(struct scen_parser *p)
{
	struct scenario *s = p->s;
	struct strbuf names = {0};
	size_t i;

	for (i = 0; i < s->variants_count; i++) {
		if (!strcmp(s->variants[i].name, s->gate.reference))
			break;
		strbuf_printf(&names, "%s%s", i ? ", " : "", s->variants[i].name);
	}
	if (i == s->variants_count)
		scen_add_error(p, scen_key_line(&p->gate, SEC_GATE, "reference"), "reference '%s' "
			       "is not a variant of this scenario (variants: %s)", s->gate.reference,
			       names.buf ? names.buf : "none");
	strbuf_release(&names);
}

char *scenario_tree(const char *dir)
{
	char *real = realpath(dir, NULL), *at, *up;

	if (!real)
		return xstrdup(dir);
	for (at = xstrdup(real); strcmp(at, "/"); at = up) {
		char *git = path_join(at, ".git");
		bool found = path_exists(git);
		free(git);
		if (found) {
			free(real);
			return at;
		}
		up = path_dirname(at);
		free(at);
	}
	free(at);
	up = path_dirname(real);
	if (!strcmp(up, "/")) {
		free(up);
		return real;
	}
	free(real);
	return up;
}

/* Whether path (symlinks resolved) is tree or below it. */
static bool inside(const char *tree, const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = strlen(tree);
	bool in = real && !strncmp(real, tree, n) && (real[n] == '/' || !real[n] || !strcmp(tree, "/"));

	free(real);
	return in;
}

/* A host-side file of a variant outside the scenario's tree, unless
 * allow_outside = yes: a scenario from a pull request must not build (and
 * print in a parse error) /etc/passwd or a file of another project. */
static void check_outside(struct scen_parser *p, const char *tree, const struct keylines *at,
			  const char *key, const char *path)
{
	if (!path || p->s->allow_outside || inside(tree, path))
		return;
	scen_add_error(p, scen_key_line(at, SEC_VARIANT, key), "%s '%s' is outside the scenario's "
		       "tree %s; move it there, or set allow_outside = yes in [scenario] to use it",
		       key, path, tree);
}

void scen_check(struct scen_parser *p)
{
	struct scenario *s = p->s;
	bool world = s->world.enabled, registry = s->registry.enabled;
	char *tree = NULL;
	size_t i;

	check_scenario(p, world);
	for (i = 0; i < s->variants_count; i++) {
		struct variant *v = &s->variants[i];
		if (!scen_key_line(&p->vars[i], SEC_VARIANT, "dockerfile") && !p->long_lines)
			scen_add_error(p, v->line, "missing required key 'dockerfile' in [variant %s]",
				       v->name);
		check_cache(p, v, &p->vars[i], world, registry);
		if (!v->dockerfile_in_repo) {
			if (!tree)
				tree = scenario_tree(s->dir);
			check_outside(p, tree, &p->vars[i], "dockerfile", v->dockerfile);
			check_outside(p, tree, &p->vars[i], "dockerignore", v->dockerignore);
		}
		check_builder(p, v, &p->vars[i]);
		if (v->push && !world && !registry)
			scen_add_error(p, scen_key_line(&p->vars[i], SEC_VARIANT, "push"), "push = yes "
				       "needs " REGISTRY_OR_WORLD "; set push = no or add one of them",
				       "the registry");
	}
	if (registry && !scen_key_line(&p->registry, SEC_REGISTRY, "ref"))
		scen_add_error(p, s->registry.line, "missing required key 'ref' in [registry] (the "
			       "repository images and caches go to: HOST[:PORT]/NAME)");
	if (registry && world)
		scen_add_error(p, s->registry.line, "[registry] and [world] cannot both be set (the "
			       "world has a registry of its own); remove one of them");
	if (world && !scen_key_line(&p->world, SEC_WORLD, "kind"))
		missing(p, s->world.line, "missing required key 'kind' in [world]");
	if (world && s->world.listen && !strcmp(s->world.listen, "0.0.0.0") && !s->world.address)
		scen_add_error(p, scen_key_line(&p->world, SEC_WORLD, "listen"), "listen = 0.0.0.0 needs "
			       "address = HOST in [world]: the host or IPv4 address the engines reach this "
			       "machine at");
	if (s->gate.reference && strcmp(s->gate.reference, "none")) /* none: no reference */
		check_reference(p);
	free(tree);
}
