/*
 * comparable.c: the facts two runs must share for their times to compare
 * (see comparable.h): one row of the table per fact, each a function that
 * reads the fact from a run.json. A new fact is one row; a new engine
 * version field of run.json's environment is one word of engine_keys.
 */
#include "results/comparable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/error.h"
#include "lib/jsonx.h"
#include "results/gate.h"

/* {"value": value (taken), "text": text (taken)}. */
static json_t *fact(json_t *value, char *text)
{
	json_t *f = json_pack("{s:o, s:s}", "value", value, "text", text);
	free(text);
	return f;
}

static json_t *fact_scale(json_t *run)
{
	json_t *scale = json_object_get(json_object_get(json_object_get(run, "scenario"), "world"), "scale");

	if (!json_is_number(scale))
		return NULL; /* no world: nothing is scaled */
	return fact(json_real(json_number_value(scale)), xasprintf("scale %g", json_number_value(scale)));
}

static json_t *fact_commits(json_t *run)
{
	json_t *ids = gate_commit_list(json_object_get(run, "builds"));
	size_t n = json_array_size(ids);

	if (!n) {
		json_decref(ids);
		return NULL;
	}
	return fact(ids, xasprintf("%zu commit%s %.7s..%.7s", n, n == 1 ? "" : "s",
				   json_string_value(json_array_get(ids, 0)),
				   json_string_value(json_array_get(ids, n - 1))));
}

static json_t *fact_dockerfiles(json_t *run)
{
	json_t *digests = json_object(), *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(run, "scenario"), "variants"), i, v) {
		json_t *sha = json_object_get(v, "dockerfile_sha256");
		if (json_is_string(sha))
			json_object_set(digests, json_str(v, "name"), sha);
	}
	if (!json_object_size(digests)) {
		json_decref(digests);
		return NULL; /* recorded since comparable.c, and only for host-side Dockerfiles */
	}
	return fact(digests, xasprintf("%zu Dockerfile digest%s", json_object_size(digests),
				       json_object_size(digests) == 1 ? "" : "s"));
}

/* The environment's fields that name the engine's versions. */
static const char *const engine_keys[] = {"docker_server", "buildx", "containerd", "buildkit", NULL};

static json_t *engine_value(json_t *env, struct strbuf *text)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; engine_keys[i]; i++) {
		json_t *v = json_object_get(env, engine_keys[i]);
		if (json_is_string(v) && *json_string_value(v)) {
			json_object_set(o, engine_keys[i], v);
			strbuf_printf(text, "%s%s %s", text->len ? ", " : "", engine_keys[i], json_string_value(v));
		}
	}
	return o;
}

static json_t *fact_engine(json_t *run)
{
	struct strbuf text = {0};
	json_t *o = engine_value(json_object_get(run, "environment"), &text);

	if (!json_object_size(o)) {
		json_decref(o);
		strbuf_release(&text);
		return NULL;
	}
	return fact(o, strbuf_detach(&text));
}

/* {arch, cpus, memory_gib} of what is known; memory in whole GiB, so that
 * two machines of one kind compare equal. */
static json_t *machine_value(const char *arch, double cpus, double memory, struct strbuf *text)
{
	json_t *o = json_object();

	if (arch && *arch) {
		json_object_set_new(o, "arch", json_string(arch));
		strbuf_printf(text, "%s", arch);
	}
	if (isfinite(cpus) && cpus > 0) {
		json_object_set_new(o, "cpus", json_integer((json_int_t)cpus));
		strbuf_printf(text, "%s%.0f CPUs", text->len ? ", " : "", cpus);
	}
	if (isfinite(memory) && memory > 0) {
		json_object_set_new(o, "memory_gib", json_integer((json_int_t)llround(memory / 1073741824.0)));
		strbuf_printf(text, "%s%.0f GiB", text->len ? ", " : "", round(memory / 1073741824.0));
	}
	return o;
}

static json_t *machine_fact(json_t *o, struct strbuf *text)
{
	if (!json_object_size(o)) {
		json_decref(o);
		strbuf_release(text);
		return NULL;
	}
	return fact(o, strbuf_detach(text));
}

static json_t *fact_machine(json_t *run)
{
	json_t *env = json_object_get(run, "environment");
	struct strbuf text = {0};
	double cpus = json_num(env, "engine_cpus", json_num(env, "cpus", NAN));
	double memory = json_num(env, "engine_memory_bytes", json_num(env, "memory_bytes", NAN));

	return machine_fact(machine_value(json_str(env, "machine"), cpus, memory, &text), &text);
}

static const struct fact_row {
	const char *name; /* as --allow-different takes it */
	const char *what; /* in the line that says they differ */
	json_t *(*of)(json_t *run);
} facts[] = {
	{"SCALE", "scale", fact_scale},
	{"COMMITS", "commits", fact_commits},
	{"DOCKERFILES", "Dockerfiles", fact_dockerfiles},
	{"ENGINE", "engine", fact_engine},
	{"MACHINE", "machine", fact_machine},
};
#define NFACTS (sizeof(facts) / sizeof(facts[0]))

json_t *comparable_facts(json_t *run)
{
	json_t *out = json_object(), *f;
	size_t i;

	for (i = 0; i < NFACTS; i++)
		if ((f = facts[i].of(run)))
			json_object_set_new(out, facts[i].name, f);
	return out;
}

json_t *comparable_baseline_facts(json_t *baseline)
{
	json_t *recorded = json_object_get(baseline, "comparable"), *out, *machine, *commits, *f;
	struct strbuf text = {0};

	if (json_is_object(recorded))
		return json_incref(recorded);
	/* a baseline from before: its commits and machine */
	out = json_object();
	machine = json_object_get(baseline, "machine");
	commits = json_object_get(baseline, "commits");
	if (json_array_size(commits)) {
		json_t *run = json_pack("{s:[]}", "builds"), *c;
		size_t i;
		json_array_foreach(commits, i, c)
			json_array_append_new(json_object_get(run, "builds"), json_pack("{s:O}", "commit", c));
		if ((f = fact_commits(run)))
			json_object_set_new(out, "COMMITS", f);
		json_decref(run);
	}
	{
		json_t *run = json_pack("{s:O}", "environment", machine ? machine : json_null());
		if ((f = fact_engine(run)))
			json_object_set_new(out, "ENGINE", f);
		json_decref(run);
	}
	f = machine_fact(machine_value(NULL, json_num(machine, "cpus", NAN), json_num(machine, "memory_bytes", NAN),
				       &text), &text);
	if (f)
		json_object_set_new(out, "MACHINE", f);
	return out;
}

/* a and b differ: objects by the keys both have (a field one side does
 * not record is not compared), anything else as a whole. The keys that
 * differ go to *keys (NULL: not wanted). */
static bool differ(json_t *a, json_t *b, struct strvec *keys)
{
	const char *k;
	json_t *va;
	bool any = false;

	if (!json_is_object(a) || !json_is_object(b))
		return !json_equal(a, b);
	json_object_foreach(a, k, va) {
		json_t *vb = json_object_get(b, k);
		if (vb && !json_equal(va, vb)) {
			any = true;
			if (keys)
				strvec_push(keys, k);
		}
	}
	return any;
}

void comparable_diff(struct strvec *names, struct strvec *lines, json_t *a, json_t *b, const char *la,
		     const char *lb)
{
	size_t i, k;

	for (i = 0; i < NFACTS; i++) {
		json_t *fa = json_object_get(a, facts[i].name), *fb = json_object_get(b, facts[i].name);
		json_t *va = json_object_get(fa, "value"), *vb = json_object_get(fb, "value");
		struct strvec keys = {0};

		if (!fa || !fb || !differ(va, vb, &keys))
			continue;
		strvec_push(names, facts[i].name);
		if (!strcmp(facts[i].name, "DOCKERFILES")) {
			struct strbuf sb = {0};
			for (k = 0; k < keys.n; k++)
				strbuf_printf(&sb, "%svariant %s: %s sha256 %.12s, %s %.12s", k ? "; " : "", keys.v[k], la,
					      json_string_value(json_object_get(va, keys.v[k])), lb,
					      json_string_value(json_object_get(vb, keys.v[k])));
			strvec_pushf(lines, "%s (%s): %s", facts[i].what, facts[i].name, sb.buf);
			strbuf_release(&sb);
		} else {
			strvec_pushf(lines, "%s (%s): %s %s, %s %s", facts[i].what, facts[i].name, la,
				     json_str(fa, "text"), lb, json_str(fb, "text"));
		}
		strvec_release(&keys);
	}
}

const char *comparable_known(void)
{
	static char known[128];
	size_t i, at = 0;

	if (!known[0])
		for (i = 0; i < NFACTS; i++)
			at += (size_t)snprintf(known + at, sizeof(known) - at, "%s%s", i ? ", " : "", facts[i].name);
	return known;
}

bool comparable_allowed(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list && *list) {
		size_t len = strcspn(list, ",");
		if (len == n && !strncasecmp(list, name, n))
			return true;
		list += len + (list[len] == ',');
	}
	return false;
}

int comparable_check_names(const char *list, const char *flag)
{
	while (*list) {
		size_t len = strcspn(list, ","), i;
		for (i = 0; i < NFACTS; i++)
			if (strlen(facts[i].name) == len && !strncasecmp(list, facts[i].name, len))
				break;
		if (i == NFACTS)
			return bench_error_set(BENCH_EINVALID, "%s: unknown difference '%.*s' (known: %s)", flag,
					       (int)len, list, comparable_known());
		list += len + (list[len] == ',');
	}
	return 0;
}
