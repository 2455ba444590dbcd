/*
 * scenario_override.c: keys set from the command line over the scenario
 * file's (bench sweep --param), see scenario.h. Each "KEY=VALUE" finds its
 * key in the table of scenario_keys.c and goes through the same parsing,
 * checks and storage as a line of the file, after the file and before the
 * checks across keys (scenario_check.c). Its problems are kept at line
 * -(i + 1), which scen_report prints as "FLAG KEY=VALUE: ...".
 */
#include "scenario/scenario_int.h"
#include "lib/error.h"
#include "lib/sha256.h"
#include "lib/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const enum sec sections[] = {SEC_SCENARIO, SEC_VARIANT, SEC_WORLD, SEC_REGISTRY, SEC_GATE, SEC_VERDICT};
static const char *const section_names[] = {"scenario", "variant", "world", "registry", "gate", "verdict"};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* What one override sets: key k (at index in the table) of section sec; for
 * a variant key, variant number `variant`, or every variant when it is -1. */
struct target {
	enum sec sec;
	const struct key_def *k;
	size_t index;
	long variant;
};

/* "unknown key 'X' [in SECTION]" with a guess when name is a typo of a key
 * of sec (SEC_NONE: of any section), or the section it belongs to. Caller
 * frees. */
static char *unknown_key_text(const char *name, enum sec sec, const char *title)
{
	struct strbuf sb = {0};
	const struct key_def *k, *near = NULL, *elsewhere = NULL;
	size_t i, best = strlen(name) < 5 ? 2 : 3;

	for (i = 0; (k = scen_key_at(i)); i++) {
		size_t d = scen_edit_distance(name, k->name);
		if (sec != SEC_NONE && k->sec != sec) {
			if (!d)
				elsewhere = k;
			continue;
		}
		if (d < best)
			best = d, near = k;
	}
	strbuf_printf(&sb, "unknown key '%s'%s%s", name, title ? " in " : "", title ? title : "");
	if (elsewhere) {
		char *where = scen_section_title(elsewhere->sec, NULL);
		strbuf_printf(&sb, "; it is a key of %s", where);
		free(where);
	} else if (near) {
		strbuf_printf(&sb, "; did you mean '%s'?", near->name);
	}
	strbuf_puts(&sb, " (write KEY, SECTION.KEY or VARIANT.KEY with a key of the scenario file)");
	return strbuf_detach(&sb);
}

/* The variant called name, or -1. */
static long variant_index(const struct scenario *s, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < s->variants_count; i++)
		if (strlen(s->variants[i].name) == len && !strncmp(s->variants[i].name, name, len))
			return (long)i;
	return -1;
}

/* Find what `name` ("KEY", "SECTION.KEY" or "VARIANT.KEY") sets; a problem
 * at line and false when nothing or more than one thing has that name. */
static bool find_target(struct target *t, struct scen_parser *p, const char *name, int line)
{
	const char *dot = strrchr(name, '.'), *key = dot ? dot + 1 : name;
	size_t i, found = 0;
	char *msg;

	t->variant = -1;
	if (dot) {
		/* a variant's name may hold dots; a key's never does */
		size_t plen = (size_t)(dot - name);
		for (i = 0; i < NSECTIONS; i++)
			if (strlen(section_names[i]) == plen && !strncmp(name, section_names[i], plen))
				break;
		if (i < NSECTIONS && sections[i] != SEC_VARIANT) {
			t->sec = sections[i];
		} else if ((t->variant = variant_index(p->s, name, plen)) >= 0) {
			t->sec = SEC_VARIANT;
		} else {
			scen_add_error(p, line, "'%.*s' is neither a section (scenario, world, gate, verdict) nor a "
				       "variant of this scenario", (int)plen, name);
			return false;
		}
		if (!(t->k = scen_key_find(&t->index, t->sec, key))) {
			char *where = scen_section_title(t->sec, t->sec == SEC_VARIANT ?
							 p->s->variants[t->variant].name : NULL);
			msg = unknown_key_text(key, t->sec, where);
			scen_add_error(p, line, "%s", msg);
			free(msg);
			free(where);
			return false;
		}
		return true;
	}
	for (i = 0; i < NSECTIONS; i++) {
		size_t index;
		const struct key_def *k = scen_key_find(&index, sections[i], key);
		if (k && !found++) {
			t->sec = sections[i];
			t->k = k;
			t->index = index;
		}
	}
	if (!found) {
		msg = unknown_key_text(key, SEC_NONE, NULL);
		scen_add_error(p, line, "%s", msg);
		free(msg);
	} else if (found > 1) {
		scen_add_error(p, line, "key '%s' is in more than one section; write SECTION.%s or "
			       "VARIANT.%s", key, key, key);
	}
	return found == 1;
}

/* The section struct and line record of t (variant v for a variant key). */
static void *target_base(struct keylines **lines, struct scen_parser *p, const struct target *t, size_t v)
{
	switch (t->sec) {
	case SEC_SCENARIO: *lines = &p->scen; return p->s;
	case SEC_VARIANT: *lines = &p->vars[v]; return &p->s->variants[v];
	case SEC_WORLD: *lines = &p->world; return &p->s->world;
	case SEC_VERDICT: *lines = &p->verdict; return &p->s->verdict;
	case SEC_REGISTRY: *lines = &p->registry; return &p->s->registry;
	default: *lines = &p->gate; return &p->s->gate;
	}
}

/* Whether an earlier override set t already (its line is negative). */
static int set_before(struct scen_parser *p, const struct target *t)
{
	struct keylines *lines;
	size_t v, first = t->variant >= 0 ? (size_t)t->variant : 0;
	size_t last = t->sec != SEC_VARIANT ? 1 : t->variant >= 0 ? first + 1 : p->s->variants_count;

	for (v = first; v < last; v++) {
		target_base(&lines, p, t, v);
		if (lines->at[t->index] < 0)
			return lines->at[t->index];
	}
	return 0;
}

static void apply_one(struct scen_parser *p, size_t i)
{
	const char *a = p->ov[i].assignment, *eq = strchr(a, '='), *value;
	int line = -(int)(i + 1), before;
	struct target t;
	struct keylines *lines;
	char *name;
	size_t v, first, last;

	if (!eq || eq == a) {
		scen_add_error(p, line, "expected KEY=VALUE (e.g. bandwidth=10MB/s or "
			       "multi-stage-cached.cache_mode=min)");
		return;
	}
	name = xstrndup(a, (size_t)(eq - a));
	for (value = eq + 1; isspace((unsigned char)*value); value++)
		;
	if (!find_target(&t, p, name, line))
		goto done;
	if (!*value) {
		scen_add_error(p, line, "empty value for '%s'", t.k->name);
	} else if (t.k->flags & KEY_REPEATABLE) {
		scen_add_error(p, line, "'%s' cannot be set from the command line; keep it in the "
			       "scenario file", t.k->name);
	} else if (t.sec == SEC_WORLD && !p->s->world.enabled) {
		scen_add_error(p, line, "'%s' is a key of [world], and scenario '%s' has no [world] "
			       "section", t.k->name, p->path);
	} else if (t.sec == SEC_REGISTRY && !p->s->registry.enabled) {
		scen_add_error(p, line, "'%s' is a key of [registry], and scenario '%s' has no [registry] "
			       "section", t.k->name, p->path);
	} else if (t.sec == SEC_VARIANT && !p->s->variants_count) {
		scen_add_error(p, line, "scenario '%s' has no variant to set '%s' in", p->path,
			       t.k->name);
	} else if ((before = set_before(p, &t))) {
		scen_add_error(p, line, "'%s' is set twice on the command line (also by %s %s); keep "
			       "one", t.k->name, p->ov[-before - 1].flag, p->ov[-before - 1].assignment);
	} else {
		first = t.variant >= 0 ? (size_t)t.variant : 0;
		last = t.sec != SEC_VARIANT ? 1 : t.variant >= 0 ? first + 1 : p->s->variants_count;
		for (v = first; v < last; v++) {
			void *base = target_base(&lines, p, &t, v);
			lines->at[t.index] = line;
			scen_key_apply(p, t.k, base, value, line);
		}
	}
done:
	free(name);
}

void scen_apply_overrides(struct scen_parser *p)
{
	struct scenario *s = p->s;
	struct sha256_ctx c;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t i;

	if (!p->nov)
		return;
	s->overrides = xcalloc(p->nov, sizeof(*s->overrides));
	sha256_init(&c);
	sha256_update(&c, s->digest, strlen(s->digest));
	for (i = 0; i < p->nov; i++) {
		apply_one(p, i);
		s->overrides[s->overrides_count++] = xstrdup(p->ov[i].assignment);
		sha256_update(&c, "\n", 1);
		sha256_update(&c, p->ov[i].assignment, strlen(p->ov[i].assignment));
	}
	/* the digest says what was run: the file and what was set over it */
	sha256_final(digest, &c);
	free(s->digest);
	s->digest = xmalloc(SHA256_HEX_SIZE);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(s->digest + 2 * i, 3, "%02x", digest[i]);
}

int scenario_override_number(double *out, const char **unit, const char *assignment)
{
	const char *eq = strchr(assignment, '='), *dot, *value;
	const struct key_def *k = NULL;
	char *name;
	size_t i;
	bool ok = false;

	*out = 0;
	*unit = "";
	if (!eq)
		return bench_error_set(BENCH_EINVALID, "expected KEY=VALUE, got '%s'", assignment);
	name = xstrndup(assignment, (size_t)(eq - assignment));
	dot = strrchr(name, '.');
	for (i = 0; i < NSECTIONS && !k; i++)
		k = scen_key_find(NULL, sections[i], dot ? dot + 1 : name);
	value = eq + 1 + strspn(eq + 1, " \t");
	if (k) {
		switch (k->kind) {
		case KIND_RATE: ok = !parse_size(out, value, true); *unit = "B/s"; break;
		case KIND_SIZE: ok = !parse_size(out, value, false); *unit = "B"; break;
		case KIND_DURATION: ok = !parse_duration(out, value); *unit = "s"; break;
		case KIND_NUMBER: case KIND_INT: case KIND_UNSIGNED: ok = scen_parse_number(out, value); break;
		case KIND_FRACTION: ok = scen_parse_fraction(out, value); break;
		default: break;
		}
	}
	free(name);
	if (!ok)
		*unit = "";
	return ok ? 0 : BENCH_EINVALID;
}
