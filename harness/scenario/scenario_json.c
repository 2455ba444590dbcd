/*
 * scenario_json.c: the scenario as parsed, for run.json. Every key of the
 * table is written under its own name, as its kind keeps it (a new key needs
 * nothing here); secrets by id only, never their values or sources.
 */
#include "scenario/scenario_int.h"
#include "cache/cache_kind.h"
#include "lib/error.h"
#include "lib/sha256.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *string_list(char *const *list, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

void scen_secrets_json(json_t *obj, const struct key_def *k, const void *base)
{
	const struct scenario *s = base;
	json_t *a = json_array();
	size_t i;

	(void)k;
	for (i = 0; i < s->secrets_count; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "id", s->secrets[i].id,
						   "kind", s->secrets[i].src ? "file" : "env"));
	json_object_set_new(obj, "secrets", a);
}

void scen_cache_key_json(json_t *obj, const struct key_def *k, const void *base)
{
	const struct variant *v = base;
	(void)k;
	if (v->cache_key_files_count)
		json_object_set_new(obj, "cache_key_files",
				    string_list(v->cache_key_files, v->cache_key_files_count));
	else
		json_object_set_new(obj, "cache_key", json_string("commit"));
}

void scen_cache_json(json_t *obj, const struct key_def *k, const void *base)
{
	const struct variant *v = base;
	json_object_set_new(obj, k->name, v->cache ? json_string(v->cache->name) : json_null());
}

static json_t *key_value(const struct key_def *k, const void *base)
{
	const void *field = (const char *)base + k->off;
	double d;
	int i;

	switch (scen_key_store(k)) {
	case KIND_STRING: case KIND_CHOICE:
		return str_or_null(*(char *const *)field);
	case KIND_ENUM:
		return json_string(k->choices[*(const int *)field]);
	case KIND_BOOL:
		return json_boolean(*(const bool *)field);
	case KIND_TRISTATE:
		i = *(const int *)field;
		return i < 0 ? json_null() : json_boolean(i);
	case KIND_INT:
		return json_integer(*(const int *)field);
	case KIND_UNSIGNED:
		return json_integer((json_int_t)*(const unsigned *)field);
	case KIND_FRACTION:
		d = *(const double *)field;
		return d < 0 ? json_null() : json_real(d);
	case KIND_NUMBER: case KIND_DURATION: case KIND_SIZE: case KIND_RATE:
		return json_real(*(const double *)field);
	case KIND_LIST:
		return string_list(*(char **const *)field,
				   *(const size_t *)((const char *)base + k->count_off));
	default:
		return NULL;
	}
}

/* Every key of sec, from the section's struct at base, into obj. */
static void keys_json(json_t *obj, enum sec sec, const void *base)
{
	const struct key_def *k;
	size_t i;

	for (i = 0; (k = scen_key_at(i)); i++) {
		json_t *v;
		if (k->sec != sec)
			continue;
		if (k->json)
			k->json(obj, k, base);
		else if ((v = key_value(k, base)))
			json_object_set_new(obj, k->name, v);
	}
}

json_t *scenario_to_json(const struct scenario *s)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	json_object_set_new(o, "path", json_string(s->path));
	json_object_set_new(o, "digest", json_string(s->digest));
	if (s->overrides_count)
		json_object_set_new(o, "overrides", string_list(s->overrides, s->overrides_count));
	keys_json(o, SEC_SCENARIO, s);
	for (i = 0; i < s->variants_count; i++) {
		const struct variant *v = &s->variants[i];
		json_t *vo = json_object();
		json_object_set_new(vo, "name", json_string(v->name));
		json_object_set_new(vo, "dockerfile_in_repo", json_boolean(v->dockerfile_in_repo));
		keys_json(vo, SEC_VARIANT, v);
		{
			/* what the host-side Dockerfile held when the run began: runs
			 * compare only when it is the same (results/comparable.c) */
			char hex[SHA256_HEX_SIZE];
			json_object_set_new(vo, "dockerfile_sha256", !v->dockerfile_in_repo && v->dockerfile &&
					    sha256_file_hex(hex, v->dockerfile) == 0 ? json_string(hex) : json_null());
			bench_error_clear();
		}
		json_array_append_new(a, vo);
	}
	json_object_set_new(o, "variants", a);
	if (s->world.enabled) {
		json_t *w = json_object();
		keys_json(w, SEC_WORLD, &s->world);
		json_object_set_new(o, "world", w);
	}
	if (s->registry.enabled) {
		json_t *r = json_object();
		keys_json(r, SEC_REGISTRY, &s->registry);
		json_object_set_new(o, "registry", r);
	}
	if (s->gate.line > 0) {
		json_t *g = json_object();
		keys_json(g, SEC_GATE, &s->gate);
		json_object_set_new(o, "gate", g);
	}
	{ /* always: bench report recomputes the verdict from run.json */
		json_t *vd = json_object();
		keys_json(vd, SEC_VERDICT, &s->verdict);
		json_object_set_new(o, "verdict", vd);
	}
	return o;
}
