/*
 * scenario_check.c: the checks of a scenario that need the whole file, run
 * once every line was read: required keys, what needs a [world] section,
 * cache options against the variant's cache kind, what the variant's
 * builder cannot do (builder.h: unsupported), the gate's reference
 * variant (unless "none"), inline's push. Also fills the defaults that depend on other keys (the gha cache
 * scope, inline's cache_mode).
 */
#include "scenario/scenario_int.h"
#include "builders/builder.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

static void check_scenario(struct scen_parser *p, bool world)
{
	struct scenario *s = p->s;
	int repo = scen_key_line(&p->scen, SEC_SCENARIO, "repo");

	if (!p->scen_line) {
		scen_add_error(p, 1, "no [scenario] section; add one with name, repo and commits");
		return;
	}
	if (!scen_key_line(&p->scen, SEC_SCENARIO, "name"))
		scen_add_error(p, p->scen_line, "missing required key 'name' in [scenario]");
	if (world && repo) {
		scen_add_error(p, repo, "'repo' must not be set when a [world] section exists (the "
			       "world generates the repository); remove it");
	} else if (!world && !repo) {
		scen_add_error(p, p->scen_line, "missing required key 'repo' in [scenario]");
	} else if (!world && p->repo_raw) {
		char *what = xasprintf("repo '%s'", p->repo_raw);
		s->repo = scen_resolve(p, repo, what, p->repo_raw, true);
		free(what);
	}
	if (!scen_key_line(&p->scen, SEC_SCENARIO, "commits"))
		scen_add_error(p, p->scen_line, "missing required key 'commits' in [scenario]");
	if (!s->variants_count && !p->bad_headers)
		scen_add_error(p, p->scen_line, "no [variant NAME] section; add at least one, e.g. "
			       "[variant single-stage] with a dockerfile");
}

/* What each cache kind that needs [world] gets from it. */
static const char *world_provides(enum cache_kind cache)
{
	switch (cache) {
	case CACHE_REGISTRY: return "the registry";
	case CACHE_GHA: return "the emulated GitHub cache service";
	case CACHE_INLINE: return "the registry the image and its cache are pushed to";
	default: return NULL;
	}
}

static void check_cache(struct scen_parser *p, struct variant *v, const struct keylines *at,
			bool world)
{
	int cache = scen_key_line(at, SEC_VARIANT, "cache");
	int mode = scen_key_line(at, SEC_VARIANT, "cache_mode");
	int scope = scen_key_line(at, SEC_VARIANT, "cache_scope");
	const char *needs = world_provides(v->cache);

	if (needs && !world)
		scen_add_error(p, cache, "cache = %s needs a [world] section (it provides %s); use "
			       "cache = local or add [world]", cache_kind_name(v->cache), needs);
	if (v->cache_key_files_count && v->cache != CACHE_LOCAL)
		scen_add_error(p, scen_key_line(at, SEC_VARIANT, "cache_key"), "cache_key needs "
			       "cache = local (it keys the cache folder kept between runs)");
	if (v->cache == CACHE_INLINE) {
		if (mode && strcmp(v->cache_mode, "min"))
			scen_add_error(p, mode, "cache = inline supports only cache_mode = min "
				       "(BuildKit's inline cache only embeds min); set cache_mode = "
				       "min or remove it");
		scen_replace(&v->cache_mode, "min");
		if (world && !v->push) /* (without a world, push is refused anyway) */
			scen_add_error(p, scen_key_line(at, SEC_VARIANT, "push") ? scen_key_line(at, SEC_VARIANT, "push")
				       : cache, "cache = inline needs push = yes (the cache travels in the "
				       "pushed image, and the next build imports it from the registry)");
	}
	if (scope && v->cache != CACHE_GHA)
		scen_add_error(p, scope, "cache_scope needs cache = gha (it names the scope of the "
			       "GitHub cache); remove it or set cache = gha");
	else if (v->cache == CACHE_GHA && !v->cache_scope)
		v->cache_scope = xstrdup(v->name);
}

/* What the variant's builder cannot do (builder.h: unsupported). */
static void check_builder(struct scen_parser *p, struct variant *v, const struct keylines *at)
{
	const struct builder *b = builder_of(v);
	const char *why = b->unsupported(p->s, v);
	int line = scen_key_line(at, SEC_VARIANT, "builder");

	if (why)
		scen_add_error(p, line ? line : v->line, "builder = %s: %s", b->name, why);
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

void scen_check(struct scen_parser *p)
{
	struct scenario *s = p->s;
	bool world = s->world.enabled;
	size_t i;

	check_scenario(p, world);
	for (i = 0; i < s->variants_count; i++) {
		struct variant *v = &s->variants[i];
		if (!scen_key_line(&p->vars[i], SEC_VARIANT, "dockerfile"))
			scen_add_error(p, v->line, "missing required key 'dockerfile' in [variant %s]",
				       v->name);
		check_cache(p, v, &p->vars[i], world);
		check_builder(p, v, &p->vars[i]);
		if (v->push && !world)
			scen_add_error(p, scen_key_line(&p->vars[i], SEC_VARIANT, "push"), "push = yes "
				       "needs a [world] section (it provides the registry); set push = "
				       "no or add [world]");
	}
	if (world && !scen_key_line(&p->world, SEC_WORLD, "kind"))
		scen_add_error(p, s->world.line, "missing required key 'kind' in [world]");
	if (world && s->world.listen && !strcmp(s->world.listen, "0.0.0.0") && !s->world.address)
		scen_add_error(p, scen_key_line(&p->world, SEC_WORLD, "listen"), "listen = 0.0.0.0 needs "
			       "address = HOST in [world]: the host or IPv4 address the engines reach this "
			       "machine at");
	if (s->gate.reference && strcmp(s->gate.reference, "none")) /* none: no reference */
		check_reference(p);
}
