/*
 * scenario_keys.c: the table of every scenario key, and the code that runs
 * it: parse a value by its kind, store it, set defaults, free what the keys
 * own (see scenario_int.h). A new key is one row here, one line in
 * docs/scenario.md (a unit test checks it) and, when its syntax is its own,
 * a setter in scenario_values.c.
 */
#include "scenario/scenario_int.h"
#include "lib/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BASE_IMAGE "bench/python:3.12.7-slim"

#define SCEN(f) offsetof(struct scenario, f)
#define VAR(f) offsetof(struct variant, f)
#define WORLD(f) offsetof(struct world_settings, f)
#define GATE(f) offsetof(struct gate_settings, f)
#define VERDICT(f) offsetof(struct verdict_settings, f)
#define REG(f) offsetof(struct registry_settings, f)
#define LIST(type, f) .off = offsetof(type, f), .count_off = offsetof(type, f##_count)

static const char *const networks[] = {"host", "none", "default", NULL};
/* ---- [verdict] ---- */

const char *const build_kind_names[BUILD_KINDS] = {"first", "code", "deps", "dockerfile"};

bool scenario_mix_parse(double out[BUILD_KINDS], const char *v)
{
	double w[BUILD_KINDS] = {0}, sum = 0;
	bool seen[BUILD_KINDS] = {false};
	const char *p = v;
	size_t i;

	if (!v)
		return false;
	for (;;) {
		size_t n;
		char *end;
		double d;

		p += strspn(p, " \t");
		n = strcspn(p, ": \t,");
		for (i = 0; i < BUILD_KINDS; i++)
			if (strlen(build_kind_names[i]) == n && !strncmp(p, build_kind_names[i], n))
				break;
		if (i == BUILD_KINDS || seen[i])
			return false;
		p += n;
		p += strspn(p, " \t");
		if (*p++ != ':')
			return false;
		p += strspn(p, " \t");
		if (!*p || *p == ',' || *p == '-' || *p == '+')
			return false;
		d = strtod(p, &end);
		if (end == p || !(d >= 0) || d > 1e6)
			return false;
		seen[i] = true;
		w[i] = d;
		sum += d;
		p = end + strspn(end, " \t");
		if (!*p)
			break;
		if (*p++ != ',')
			return false;
	}
	if (!(sum > 0))
		return false;
	for (i = 0; i < BUILD_KINDS; i++)
		out[i] = w[i] / sum;
	return true;
}

static bool is_mix(const char *v)
{
	double mix[BUILD_KINDS];
	return scenario_mix_parse(mix, v);
}

/* in the order of enum runner_kind */
static const char *const runner_kinds[] = {"ephemeral", "persistent", NULL};
static const char *const cache_modes[] = {"max", "min", NULL};
static const char *const compressions[] = {"gzip", "zstd", NULL};
static const char *const push_modes[] = {"load", "direct", NULL};

_Static_assert(sizeof(enum runner_kind) == sizeof(int),
	       "KIND_ENUM stores an int");

#define NAME_HINT "use letters, digits, '.', '_' and '-'"
#define FRACTION_HELP "how much it may grow before the gate fails: 15% or 0.15"

static const struct key_def keys[] = {
	/* [scenario] */
	{.sec = SEC_SCENARIO, .name = "name", .kind = KIND_STRING, .off = SCEN(name),
	 .ok = scen_is_name, .hint = NAME_HINT "; it names the results folder",
	 .help = "names the results folder (required)"},
	{.sec = SEC_SCENARIO, .name = "repo", .kind = KIND_CUSTOM, .set = scen_set_repo,
	 .store = KIND_STRING, .off = SCEN(repo),
	 .help = "the git repository, relative to the scenario file (required unless [world])"},
	{.sec = SEC_SCENARIO, .name = "commits", .kind = KIND_STRING, .off = SCEN(commits),
	 .ok = scen_is_commits,
	 .hint = "use A..B, a space-separated list of commits, last:N with N >= 1, or "
		 "sample:N A..B or sample:N last:M with N >= 2 and N <= M",
	 .help = "A..B, a list of commits, last:N, or sample:N RANGE (required)"},
	{.sec = SEC_SCENARIO, .name = "context", .kind = KIND_CUSTOM, .set = scen_set_context,
	 .store = KIND_STRING, .off = SCEN(context), .def = ".",
	 .help = "the build context inside the checked-out commit"},
	{.sec = SEC_SCENARIO, .name = "repetitions", .kind = KIND_INT, .off = SCEN(repetitions),
	 .min = 1, .max = 100, .def = "1",
	 .help = "how many times each variant's series is replayed"},
	{.sec = SEC_SCENARIO, .name = "timeout", .kind = KIND_DURATION, .off = SCEN(timeout),
	 .hint = "90s, 30m, 1h30m", .flags = KEY_POSITIVE, .def = "30m", .most = "48h",
	 .help = "per build: its whole process group is killed after it"},
	{.sec = SEC_SCENARIO, .name = "network", .kind = KIND_CHOICE, .off = SCEN(network),
	 .choices = networks, .def = "host", .help = "passed to buildx as --network"},
	{.sec = SEC_SCENARIO, .name = "build_args", .kind = KIND_CUSTOM,
	 .set = scen_set_build_args, .store = KIND_LIST, LIST(struct scenario, build_args),
	 .help = "KEY=VALUE ..., passed as --build-arg"},
	{.sec = SEC_SCENARIO, .name = "secret", .kind = KIND_CUSTOM, .set = scen_set_secret,
	 .store = KIND_NONE, .json = scen_secrets_json, .flags = KEY_REPEATABLE,
	 .help = "id=ID,src=FILE or id=ID,env=VAR; repeatable; values never recorded"},
	{.sec = SEC_SCENARIO, .name = "engines", .kind = KIND_LIST,
	 LIST(struct scenario, engines), .ok = scen_is_engine,
	 .hint = "use a docker context name, unix:///PATH, tcp://HOST:PORT or ssh://USER@HOST",
	 .help = "docker contexts or DOCKER_HOST URLs to run on; none = the default engine"},
	{.sec = SEC_SCENARIO, .name = "allow_outside", .kind = KIND_BOOL,
	 .off = SCEN(allow_outside), .def = "no",
	 .help = "yes: host-side dockerfile/dockerignore files may be outside the scenario's "
		 "repository"},

	/* [variant NAME] */
	{.sec = SEC_VARIANT, .name = "dockerfile", .kind = KIND_CUSTOM, .set = scen_set_dockerfile,
	 .store = KIND_STRING, .off = VAR(dockerfile),
	 .help = "the Dockerfile, or repo:PATH for the file in each commit (required)"},
	{.sec = SEC_VARIANT, .name = "dockerignore", .kind = KIND_CUSTOM,
	 .set = scen_set_dockerignore, .store = KIND_STRING, .off = VAR(dockerignore),
	 .help = "copied as .dockerignore into the context"},
	{.sec = SEC_VARIANT, .name = "cache", .kind = KIND_CUSTOM, .set = scen_set_cache,
	 .store = KIND_NONE, .off = VAR(cache), .json = scen_cache_json, .def = "none",
	 .help = "where the build cache is kept: a kind of the cache table (cache/cache_kinds.c)"},
	{.sec = SEC_VARIANT, .name = "cache_mode", .kind = KIND_CHOICE, .off = VAR(cache_mode),
	 .choices = cache_modes, .def = "max",
	 .help = "max or min: which layers the cache export keeps (inline: min only)"},
	{.sec = SEC_VARIANT, .name = "runner", .kind = KIND_ENUM, .off = VAR(runner),
	 .choices = runner_kinds, .def = "ephemeral",
	 .help = "ephemeral (hosted: reset before every build) or persistent"},
	{.sec = SEC_VARIANT, .name = "target", .kind = KIND_STRING, .off = VAR(target),
	 .ok = scen_is_word, .hint = "a build stage name, without spaces",
	 .help = "the stage to build (--target)"},
	{.sec = SEC_VARIANT, .name = "push", .kind = KIND_BOOL, .off = VAR(push), .def = "no",
	 .help = "push the image to the registry of [world] or [registry]"},
	{.sec = SEC_VARIANT, .name = "push_mode", .kind = KIND_CHOICE, .off = VAR(push_mode),
	 .choices = push_modes, .def = "load",
	 .help = "load (store the image, then docker push, timed apart) or direct (the build "
		 "pushes and stores nothing: buildx build --push)"},
	{.sec = SEC_VARIANT, .name = "cache_key", .kind = KIND_CUSTOM, .set = scen_set_cache_key,
	 .store = KIND_LIST, LIST(struct variant, cache_key_files), .json = scen_cache_key_json,
	 .def = "commit", .help = "commit or files:PATH[,PATH...]: the actions/cache key"},
	{.sec = SEC_VARIANT, .name = "cache_compression", .kind = KIND_CHOICE,
	 .off = VAR(cache_compression), .choices = compressions,
	 .help = "gzip or zstd for the exported cache; unset: BuildKit's default"},
	{.sec = SEC_VARIANT, .name = "builder", .kind = KIND_CUSTOM, .set = scen_set_builder,
	 .store = KIND_STRING, .off = VAR(builder), .def = "buildkit",
	 .help = "the image builder: buildkit or buildah"},
	{.sec = SEC_VARIANT, .name = "cache_scope", .kind = KIND_STRING, .off = VAR(cache_scope),
	 .ok = scen_is_name, .hint = NAME_HINT,
	 .help = "cache = gha only: the cache scope (default: the variant's name)"},
	{.sec = SEC_VARIANT, .name = "cache_mounts", .kind = KIND_LIST,
	 LIST(struct variant, cache_mounts), .ok = scen_is_mount_target,
	 .hint = "an absolute path without '..' or ',': the target= of a RUN --mount=type=cache",
	 .help = "RUN --mount=type=cache targets carried between builds via actions/cache"},

	/* [world] */
	{.sec = SEC_WORLD, .name = "kind", .kind = KIND_CUSTOM, .set = scen_set_world_kind,
	 .store = KIND_STRING, .off = WORLD(kind), .help = "cafeboo (required)"},
	{.sec = SEC_WORLD, .name = "scale", .kind = KIND_NUMBER, .off = WORLD(scale),
	 .min = 0, .max = 4, .def = "0.05",
	 .hint = "use a number greater than 0 and at most 4, e.g. 0.05",
	 .help = "multiplies every size (--scale overrides)"},
	{.sec = SEC_WORLD, .name = "bandwidth", .kind = KIND_RATE, .off = WORLD(bandwidth),
	 .flags = KEY_POSITIVE, .def = "25MB/s",
	 .help = "per download from the emulated PyPI and cloud storage"},
	{.sec = SEC_WORLD, .name = "latency", .kind = KIND_DURATION, .off = WORLD(latency),
	 .hint = "40ms, 0.5s, 0", .def = "0", .most = "60s", .help = "before every response"},
	{.sec = SEC_WORLD, .name = "cache_bandwidth", .kind = KIND_RATE,
	 .off = WORLD(cache_bandwidth), .def = "0",
	 .help = "per actions/cache restore or save; 0 = an unpaced copy"},
	{.sec = SEC_WORLD, .name = "registry_bandwidth", .kind = KIND_RATE,
	 .off = WORLD(registry_bandwidth), .def = "0",
	 .help = "per connection to the registry, each way; 0 = unpaced"},
	{.sec = SEC_WORLD, .name = "runner_bandwidth", .kind = KIND_RATE,
	 .off = WORLD(runner_bandwidth), .def = "0",
	 .help = "the runner's own link, shared by every transfer at once; 0 = no cap"},
	{.sec = SEC_WORLD, .name = "gha_quota", .kind = KIND_SIZE, .off = WORLD(gha_quota),
	 .flags = KEY_POSITIVE, .def = "10GB",
	 .help = "what the emulated GitHub cache service keeps, before scaling"},
	{.sec = SEC_WORLD, .name = "gha_rate_limit", .kind = KIND_CUSTOM,
	 .set = scen_set_request_rate, .store = KIND_INT, .off = WORLD(gha_rate_limit),
	 .def = "0", .help = "N/min or N/s: cache uploads accepted before a 429; 0 = unlimited"},
	{.sec = SEC_WORLD, .name = "gha_retry_after", .kind = KIND_DURATION,
	 .off = WORLD(gha_retry_after), .hint = "1s, 500ms, 2s", .def = "1s", .most = "1h",
	 .help = "the Retry-After of the GitHub cache service's 429"},
	{.sec = SEC_WORLD, .name = "base_image", .kind = KIND_STRING, .off = WORLD(base_image),
	 .ok = scen_is_word, .hint = "an image reference without spaces",
	 .def = DEFAULT_BASE_IMAGE, .help = "a local image used as FROM"},
	{.sec = SEC_WORLD, .name = "listen", .kind = KIND_STRING, .off = WORLD(listen),
	 .ok = scen_is_ipv4, .hint = "an IPv4 address: 127.0.0.1, 0.0.0.0 or one of this machine's",
	 .def = "127.0.0.1", .help = "the address the index and the registry listen on"},
	{.sec = SEC_WORLD, .name = "address", .kind = KIND_STRING, .off = WORLD(address),
	 .ok = scen_is_host, .hint = "a host name or IPv4 address the engines reach this machine at",
	 .help = "the host builds reach the world at (default: listen)"},
	{.sec = SEC_WORLD, .name = "engine_listen", .kind = KIND_LIST,
	 LIST(struct world_settings, engine_listen), .ok = scen_is_engine_listen,
	 .hint = "ENGINE=ADDRESS: an engine of the run and an IPv4 address of this machine, e.g. build-1=10.0.0.5",
	 .help = "ENGINE=ADDRESS ...: that engine's runner listens on ADDRESS and its builds are told it"},
	{.sec = SEC_WORLD, .name = "seed", .kind = KIND_UNSIGNED, .off = WORLD(seed), .min = 0,
	 .max = UINT_MAX, .def = "1", .help = "seeds the generated repository and files"},

	/* [registry] */
	{.sec = SEC_REGISTRY, .name = "ref", .kind = KIND_STRING, .off = REG(ref),
	 .ok = scen_is_registry_ref,
	 .hint = "use HOST[:PORT]/NAME, e.g. registry.example.com:5000/team/app, without a tag",
	 .help = "HOST[:PORT]/NAME: where push, cache = registry and inline go (required)"},
	{.sec = SEC_REGISTRY, .name = "insecure", .kind = KIND_BOOL, .off = REG(insecure),
	 .def = "no", .help = "yes: the registry speaks plain HTTP, not HTTPS"},

	/* [gate] */
	{.sec = SEC_GATE, .name = "warm_median_growth", .kind = KIND_FRACTION,
	 .off = GATE(warm_median_growth), .help = FRACTION_HELP " (warm median time)"},
	{.sec = SEC_GATE, .name = "warm_over_cold_growth", .kind = KIND_FRACTION,
	 .off = GATE(warm_over_cold_growth), .help = "how much warm/cold may rise: 0.10"},
	{.sec = SEC_GATE, .name = "image_growth", .kind = KIND_FRACTION,
	 .off = GATE(image_growth), .help = FRACTION_HELP " (image size)"},
	{.sec = SEC_GATE, .name = "cache_growth", .kind = KIND_FRACTION,
	 .off = GATE(cache_growth), .help = FRACTION_HELP " (cache size)"},
	{.sec = SEC_GATE, .name = "cached_steps_may_fall", .kind = KIND_TRISTATE,
	 .off = GATE(cached_steps_may_fall), .help = "whether fewer cached steps may pass"},
	{.sec = SEC_GATE, .name = "reference", .kind = KIND_STRING, .off = GATE(reference),
	 .help = "the variant ratio checks compare against; none: no such check"},
	{.sec = SEC_GATE, .name = "absolute", .kind = KIND_TRISTATE, .off = GATE(absolute),
	 .help = "also check absolute times"},

	/* [verdict] (results/verdict.h) */
	{.sec = SEC_VERDICT, .name = "mix", .kind = KIND_STRING, .off = VERDICT(mix), .ok = is_mix,
	 .hint = "kinds with weights, as code:0.8,deps:0.15,dockerfile:0.05; the kinds are first, code, "
		 "deps and dockerfile",
	 .help = "how often each kind of build happens (default: the repository's history)"},
	{.sec = SEC_VERDICT, .name = "pushes_per_day", .kind = KIND_NUMBER,
	 .off = VERDICT(pushes_per_day), .min = 0, .max = 1e6, .hint = "a number of pushes above 0: 12 or 0.5",
	 .help = "pushes a day that build (default: from the history's commit dates)"},
	{.sec = SEC_VERDICT, .name = "price_per_minute", .kind = KIND_NUMBER,
	 .off = VERDICT(price_per_minute), .min = 0, .max = 1e3, .def = "0.008",
	 .hint = "dollars a minute, above 0: 0.008",
	 .help = "dollars per CI minute (default: GitHub Actions, Linux 2-core)"},
	{.sec = SEC_VERDICT, .name = "history", .kind = KIND_UNSIGNED, .off = VERDICT(history),
	 .min = 2, .max = 1000000, .def = "200",
	 .help = "first-parent commits read for the mix and the push rate"},
	{.sec = SEC_VERDICT, .name = "manifests", .kind = KIND_LIST, LIST(struct verdict_settings, manifests),
	 .ok = scen_is_word, .hint = "file names or paths, space-separated",
	 .help = "more files whose change is a dependency change (deps.txt tools/versions.lock)"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= SCENARIO_KEYS_MAX, "raise SCENARIO_KEYS_MAX");

const struct key_def *scen_key_at(size_t i)
{
	return i < NKEYS ? &keys[i] : NULL;
}

const struct key_def *scen_key_find(size_t *index, enum sec sec, const char *name)
{
	size_t i;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].sec == sec && !strcmp(keys[i].name, name)) {
			if (index)
				*index = i;
			return &keys[i];
		}
	}
	return NULL;
}

int scen_key_line(const struct keylines *lines, enum sec sec, const char *name)
{
	size_t i;
	return scen_key_find(&i, sec, name) ? lines->at[i] : 0;
}

static const char *sec_name(enum sec sec)
{
	switch (sec) {
	case SEC_SCENARIO: return "scenario";
	case SEC_VARIANT: return "variant";
	case SEC_WORLD: return "world";
	case SEC_REGISTRY: return "registry";
	case SEC_GATE: return "gate";
	case SEC_VERDICT: return "verdict";
	default: return "";
	}
}

char *scen_section_title(enum sec sec, const char *variant)
{
	if (sec == SEC_VARIANT)
		return xasprintf("[variant %s]", variant ? variant : "NAME");
	return sec == SEC_NONE || sec == SEC_BAD ? xstrdup("") : xasprintf("[%s]", sec_name(sec));
}

const struct scenario_key_doc *scenario_key_doc(size_t i)
{
	static struct scenario_key_doc docs[NKEYS];
	if (i >= NKEYS)
		return NULL;
	docs[i].section = sec_name(keys[i].sec);
	docs[i].name = keys[i].name;
	docs[i].def = keys[i].def;
	docs[i].help = keys[i].help;
	return &docs[i];
}

/* "use a, b or c" for a list of choices. Caller frees. */
static char *choices_text(const char *const *choices)
{
	struct strbuf sb = {0};
	size_t i;

	strbuf_puts(&sb, "use ");
	for (i = 0; choices[i]; i++)
		strbuf_printf(&sb, "%s%s", !i ? "" : choices[i + 1] ? ", " : " or ", choices[i]);
	return strbuf_detach(&sb);
}

static int choice_index(const char *const *choices, const char *v)
{
	int i;
	for (i = 0; choices[i]; i++)
		if (!strcmp(choices[i], v))
			return i;
	return -1;
}

static void bad_value(struct scen_parser *p, const struct key_def *k, const char *v, int line)
{
	char *use;

	switch (k->kind) {
	case KIND_CHOICE: case KIND_ENUM:
		use = choices_text(k->choices);
		scen_add_error(p, line, "invalid %s '%s' (%s)", k->name, v, use);
		free(use);
		break;
	case KIND_BOOL: case KIND_TRISTATE:
		scen_add_error(p, line, "invalid boolean '%s' for '%s' (use yes or no)", v, k->name);
		break;
	case KIND_INT: case KIND_UNSIGNED:
		scen_add_error(p, line, "invalid %s '%s' (use a whole number from %.0f to %.0f)",
			       k->name, v, k->min, k->max);
		break;
	case KIND_FRACTION:
		scen_add_error(p, line, "invalid value '%s' for '%s' (use a percentage like 15%% "
			       "or a fraction like 0.15)", v, k->name);
		break;
	case KIND_DURATION:
		scen_add_error(p, line, "invalid duration '%s' for '%s' (examples: %s)", v, k->name,
			       k->hint);
		break;
	case KIND_SIZE:
		scen_add_error(p, line, "invalid size '%s' for '%s' (examples: 10GB, 512MB, 1.5GiB)",
			       v, k->name);
		break;
	case KIND_RATE:
		scen_add_error(p, line, "invalid size '%s' for '%s' (examples: 20MB/s, 1.5MiB/s, "
			       "500k/s)", v, k->name);
		break;
	default:
		scen_add_error(p, line, "invalid %s '%s' (%s)", k->name, v, k->hint);
		break;
	}
}

/* A duration, size or rate by k's kind: 0, or -1 when v is not one. */
static int parse_amount(double *out, const struct key_def *k, const char *v)
{
	return k->kind == KIND_DURATION ? parse_duration(out, v) :
	       parse_size(out, v, k->kind == KIND_RATE);
}

/* The largest value k takes, as written: its row's, else its kind's. */
static const char *most_text(const struct key_def *k)
{
	if (k->most)
		return k->most;
	return k->kind == KIND_DURATION ? SCEN_MOST_DURATION :
	       k->kind == KIND_SIZE ? SCEN_MOST_SIZE : SCEN_MOST_RATE;
}

/* The largest value k takes, in seconds, bytes or bytes per second (the
 * table's texts parse: test_scenario checks every row). */
static double kind_most(const struct key_def *k)
{
	double most = 0;
	parse_amount(&most, k, most_text(k));
	return most;
}

/* Space-separated words, each k->ok, none twice, into a fresh list. */
static void set_list(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
		     int line)
{
	char ***list = (char ***)((char *)base + k->off);
	size_t *count = (size_t *)((char *)base + k->count_off), i;

	scen_keys_release_one(k, base);
	while (*v) {
		size_t len = strcspn(v, " \t");
		char *word = xstrndup(v, len);
		bool dup = false;
		for (i = 0; i < *count; i++)
			dup = dup || !strcmp((*list)[i], word);
		if (k->ok && !k->ok(word)) {
			scen_add_error(p, line, "invalid %s entry '%s' (%s)", k->name, word, k->hint);
		} else if (dup) {
			scen_add_error(p, line, "'%s' is given twice in %s; keep one", word, k->name);
		} else {
			*list = xrealloc(*list, (*count + 1) * sizeof(**list));
			(*list)[(*count)++] = word;
			word = NULL;
		}
		free(word);
		v += len;
		v += strspn(v, " \t");
	}
}

void scen_key_apply(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
		    int line)
{
	void *field = (char *)base + k->off;
	unsigned long long n;
	double d;
	bool b;
	int i;

	switch (k->kind) {
	case KIND_NONE:
		return;
	case KIND_CUSTOM:
		k->set(p, k, base, v, line);
		return;
	case KIND_LIST:
		set_list(p, k, base, v, line);
		return;
	case KIND_STRING:
		if (k->ok && !k->ok(v))
			break;
		scen_replace(field, v);
		return;
	case KIND_CHOICE:
		if (choice_index(k->choices, v) < 0)
			break;
		scen_replace(field, v);
		return;
	case KIND_ENUM:
		if ((i = choice_index(k->choices, v)) < 0)
			break;
		*(int *)field = i;
		return;
	case KIND_BOOL: case KIND_TRISTATE:
		if (parse_bool(&b, v) < 0)
			break;
		if (k->kind == KIND_BOOL)
			*(bool *)field = b;
		else
			*(int *)field = b;
		return;
	case KIND_INT: case KIND_UNSIGNED:
		if (!scen_parse_uint(&n, v, (unsigned long long)k->max) || n < k->min)
			break;
		if (k->kind == KIND_INT)
			*(int *)field = (int)n;
		else
			*(unsigned *)field = (unsigned)n;
		return;
	case KIND_NUMBER:
		if (!scen_parse_number(&d, v) || d <= k->min || d > k->max)
			break;
		*(double *)field = d;
		return;
	case KIND_FRACTION:
		if (!scen_parse_fraction(&d, v))
			break;
		*(double *)field = d;
		return;
	case KIND_DURATION: case KIND_SIZE: case KIND_RATE:
		if (parse_amount(&d, k, v) < 0)
			break;
		if ((k->flags & KEY_POSITIVE) && d <= 0) {
			scen_add_error(p, line, "'%s' must be greater than zero (got '%s')", k->name, v);
			return;
		}
		if (d > kind_most(k)) {
			scen_add_error(p, line, "'%s' must be at most %s (got '%s')", k->name,
				       most_text(k), v);
			return;
		}
		*(double *)field = d;
		return;
	}
	bad_value(p, k, v, line);
}

void scen_keys_set_defaults(struct scen_parser *p, enum sec sec, void *base)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct key_def *k = &keys[i];
		if (k->sec != sec)
			continue;
		if (k->def)
			scen_key_apply(p, k, base, k->def, 0);
		else if (k->kind == KIND_FRACTION)
			*(double *)((char *)base + k->off) = -1;
		else if (k->kind == KIND_TRISTATE)
			*(int *)((char *)base + k->off) = -1;
	}
}

/* How k keeps its value: its kind, or for a custom key what it says. */
enum key_kind scen_key_store(const struct key_def *k)
{
	return k->kind == KIND_CUSTOM ? k->store : k->kind;
}

void scen_keys_release_one(const struct key_def *k, void *base)
{
	void *field = (char *)base + k->off;
	size_t *count, i;

	switch (scen_key_store(k)) {
	case KIND_STRING: case KIND_CHOICE:
		free(*(char **)field);
		*(char **)field = NULL;
		break;
	case KIND_LIST:
		count = (size_t *)((char *)base + k->count_off);
		for (i = 0; i < *count; i++)
			free((*(char ***)field)[i]);
		free(*(char ***)field);
		*(char ***)field = NULL;
		*count = 0;
		break;
	default:
		break;
	}
}

void scen_keys_release(enum sec sec, void *base)
{
	size_t i;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].sec == sec)
			scen_keys_release_one(&keys[i], base);
}
