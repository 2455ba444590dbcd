/*
 * scenario.h: a scenario file (INI, read with inih) and its validation.
 *
 * A scenario names a git repository, the commits to replay, and the Dockerfile
 * variants to build at each commit. Paths are relative to the scenario file.
 * Unknown sections and keys are errors. Every error names "file:line" and all
 * of them are reported at once.
 *
 * The parser is split by concern: scenario.c (this API, defaults, freeing),
 * scenario_read.c (lines, sections, key lookup and the error list),
 * scenario_keys.c (the table of every key: kind, field, default, help),
 * scenario_values.c (the checks and setters of keys with their own syntax),
 * scenario_check.c (checks across keys), scenario_json.c (run.json's copy),
 * scenario_override.c (keys set from the command line over the file's).
 * scenario_int.h is what they share.
 */
#ifndef BENCH_SCENARIO_H
#define BENCH_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "world/world_settings.h" /* struct world_settings: [world] */

struct cache_kind; /* a row of the table of cache kinds (cache/cache_kind.h) */

enum runner_kind {
	RUNNER_EPHEMERAL,  /* fresh hosted runner: builder cache and images removed before every build */
	RUNNER_PERSISTENT, /* self-hosted runner: daemon state kept */
};

struct variant {
	char *name;
	char *dockerfile;        /* absolute path; or the path inside each commit when in_repo */
	bool dockerfile_in_repo; /* "repo:PATH" */
	char *dockerignore;      /* optional absolute path copied as .dockerignore into the context */
	const struct cache_kind *cache; /* cache = NAME: its row; "none" by default */
	char *cache_mode;        /* "max" (default) or "min" */
	char *cache_compression; /* "gzip" or "zstd" for the exported cache, NULL: BuildKit's default */
	enum runner_kind runner;
	char *target;            /* NULL when unset */
	bool push;               /* push to the registry of [world] or [registry] */
	char *push_mode;         /* "load" (default): stored in the engine, then `docker push`,
				    timed apart; "direct": the build's image exporter pushes and
				    stores nothing (buildx build --push on a container builder) */
	char **cache_key_files;  /* cache_key = files:...: the cache folder's key is their
				    hash (actions/cache hashFiles); NULL: one key per commit */
	size_t cache_key_files_count;
	char *builder;           /* builder = NAME: "buildkit" (default) or "buildah" */
	char *cache_scope;       /* cache_scope: the gha cache's scope; the variant's name
				    when cache = gha and unset, NULL for other caches */
	char **cache_mounts;     /* cache_mounts = TARGET ...: absolute target= paths of the
				    Dockerfile's RUN --mount=type=cache whose contents are
				    carried between builds through the actions/cache stand-in
				    (the "cache dance"); none by default */
	size_t cache_mounts_count;
	int line;                /* line of the [variant ...] header */
};

/* [registry]: a registry of the user's (a team's), where push = yes,
 * cache = registry and cache = inline go when there is no [world]. Docker
 * authenticates to it as it always does (docker login: the user's
 * ~/.docker/config.json or $DOCKER_CONFIG); bench passes no credential. */
struct registry_settings {
	bool enabled;   /* a [registry] section is present */
	char *ref;      /* HOST[:PORT]/NAME: the repository images and caches are tagged in */
	bool insecure;  /* plain HTTP (registry.insecure=true on the registry caches) */
	int line;
};

/* [gate]: regression thresholds (see gate.h). Negative means "not set". */
struct gate_settings {
	double warm_median_growth;    /* fraction: 0.15 = may grow 15% */
	double warm_over_cold_growth; /* absolute: 0.10 */
	double image_growth;          /* fraction */
	double cache_growth;          /* fraction */
	int cached_steps_may_fall;    /* -1 unset, 0 no, 1 yes */
	char *reference;              /* reference variant for ratio checks, or NULL */
	int absolute;                 /* -1 unset, 0 no, 1 yes: also check absolute times */
	int line;
};

/* [verdict]: how build kinds weigh into minutes and money per month
 * (results/verdict.h). */
struct verdict_settings {
	char *mix;               /* "code:0.8,deps:0.15,dockerfile:0.05" (scenario_mix_parse),
				    or NULL: the repository's history */
	double pushes_per_day;   /* 0: estimated from the history's commit dates */
	double price_per_minute; /* dollars; default 0.008, GitHub's Linux 2-core rate */
	unsigned history;        /* first-parent commits read for the mix and the push rate */
	char **manifests;        /* more dependency files (base names or paths) than the
				    known ones (results/verdict.c) */
	size_t manifests_count;
	int line;
};

/* The kinds of build a push makes, in the verdict's order (results/verdict.h
 * classifies builds; scenario_mix_parse reads their weights by these names). */
enum build_kind { BUILD_FIRST, BUILD_CODE, BUILD_DEPS, BUILD_DOCKERFILE, BUILD_KINDS };
extern const char *const build_kind_names[BUILD_KINDS]; /* "first", "code", "deps", "dockerfile" */

/* Read "code:0.8,deps:0.15,dockerfile:0.05" (kinds by build_kind_names, each
 * at most once, weights >= 0 not all zero; ", " or "," between) into out,
 * normalized to sum 1 and 0 for kinds not named. False when malformed. */
bool scenario_mix_parse(double out[BUILD_KINDS], const char *v);

struct secret {
	char *id;
	char *src;  /* absolute path to the file, or NULL */
	char *env;  /* environment variable name, or NULL */
};

struct scenario {
	char *path;      /* absolute path of the scenario file */
	char *dir;       /* its directory: relative paths are resolved against it */
	char *digest;    /* sha256 hex of the file's bytes (resume refuses a changed file) */

	char *name;
	char *repo;      /* absolute path; NULL when [world] generates the repository */
	char *commits;   /* "A..B", "a1b2c3 d4e5f6", "last:N", or "sample:N RANGE" (N commits
			    spread evenly over RANGE, "A..B" or "last:M"; replay.c resolves it) */
	char *commits_at;/* where commits was set, for its messages: "FILE:LINE", or
			    "FLAG KEY=VALUE" for an override (a run's --commits sets its own) */
	char *context;   /* relative to the checked-out commit; default "." */
	int repetitions; /* default 1 */
	double timeout;  /* seconds per build; default 1800 */
	char *network;   /* default "host" */
	char **build_args; size_t build_args_count; /* "KEY=VALUE" */
	struct secret *secrets; size_t secrets_count;
	bool allow_outside; /* allow_outside = yes: host-side dockerfile and dockerignore
			       files may be outside the scenario's tree (scenario_tree) */
	char **engines;  /* engines = NAME ...: docker context names or DOCKER_HOST URLs
			    (unix://, tcp://, ssh://) to run on; none = the default engine */
	size_t engines_count;

	struct variant *variants; size_t variants_count;
	struct world_settings world;
	struct registry_settings registry;
	struct gate_settings gate;
	struct verdict_settings verdict;
	char **overrides;   /* the command line's "KEY=VALUE" applied over the file, in order */
	size_t overrides_count;
};

/* The keys a scenario file may hold, for documentation and tests: the i-th
 * one (in the order of the table in scenario_keys.c), or NULL past the last. */
struct scenario_key_doc {
	const char *section; /* "scenario", "variant", "world", "registry", "gate" or "verdict" */
	const char *name;
	const char *def;     /* the default as written in a file, or NULL: unset */
	const char *help;    /* one line */
};
const struct scenario_key_doc *scenario_key_doc(size_t i);

/* Parse and validate the scenario at path. On error returns BENCH_EINVALID
 * (or BENCH_ENOTFOUND when the file is missing) and keeps a message with every
 * problem found, one per line, each "path:line: message". *out is owned by the
 * caller and freed with scenario_free. */
int scenario_load(struct scenario **out, const char *path);

/* Parse from memory; `path` is used for messages and relative paths. */
int scenario_parse(struct scenario **out, const char *path, const char *text, size_t len);

void scenario_free(struct scenario *s);

/* ---- keys set from the command line (scenario_override.c) ---- */

/*
 * A key set over the file's value, e.g. by `bench sweep --param`:
 * "KEY=VALUE" where KEY is a key of the table written as
 *   KEY           the one section that has it; a variant key sets every variant
 *   SECTION.KEY   scenario.KEY, world.KEY or gate.KEY
 *   VARIANT.KEY   the key of one variant
 * The value is parsed, checked and stored as the file's would be, and the
 * checks across keys run after every override; an error names the flag and
 * the assignment: "--param bandwidth=fast: invalid size 'fast' for ...".
 * `secret` (repeatable) cannot be overridden.
 */
struct scenario_override {
	const char *flag;       /* where it comes from: "--param" */
	const char *assignment; /* "KEY=VALUE" */
};

/* scenario_load / scenario_parse, with the overrides applied in order after
 * the file and before the checks across keys. The scenario's digest then
 * covers them too (resume refuses a run with other overrides), and
 * scenario_to_json lists them ("overrides"). */
int scenario_load_with(struct scenario **out, const char *path, const struct scenario_override *ov,
		       size_t n);
int scenario_parse_with(struct scenario **out, const char *path, const char *text, size_t len,
			const struct scenario_override *ov, size_t n);

/* The value of an override as a number, for charts and interpolation:
 * rates in bytes/s (*unit "B/s"), sizes in bytes ("B"), durations in seconds
 * ("s"), numbers and fractions as they are (""). BENCH_EINVALID when the key
 * is unknown or its value is not one of these (a choice, a name); no
 * message is kept for a value that is not a number. */
int scenario_override_number(double *out, const char **unit, const char *assignment);

/* The scenario as parsed, for run.json (secrets by id only, never values). */
json_t *scenario_to_json(const struct scenario *s);

/* Keep only the variant named `names`, or the variants of a comma-separated
 * list ("a,b", in the scenario's order); BENCH_EINVALID when a name is no
 * variant's. */
int scenario_only_variant(struct scenario *s, const char *names);

/* The folder a scenario's host-side files (dockerfile, dockerignore) must be
 * in unless allow_outside = yes: the git work tree that holds the scenario
 * file (the nearest folder above it with a .git), else the folder above
 * the scenario's own (its folder and its siblings: scenarios/ next to
 * dockerfiles/), else the scenario's folder when that is /. dir is the
 * scenario's folder; the answer has its symlinks resolved. Caller frees. */
char *scenario_tree(const char *dir);

const char *runner_kind_name(enum runner_kind k);

#endif
