/*
 * scenario.c: reads and validates a scenario file (see scenario.h).
 *
 * inih splits "key = value" lines and strips inline comments; everything it
 * cannot tell us (line numbers, section headers, overlong lines, indented
 * continuation lines) is handled by our own line reader, which sees each line
 * just before inih does. Every problem is collected with its line and all of
 * them are reported at once, sorted by line, as "path:line: message".
 */
#include "scenario.h"
#include "error.h"
#include "sha256.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum sec { SEC_NONE, SEC_SCENARIO, SEC_VARIANT, SEC_WORLD, SEC_GATE, SEC_BAD };
enum { K_NAME, K_REPO, K_COMMITS, K_CONTEXT, K_REPETITIONS, K_TIMEOUT, K_NETWORK,
       K_BUILD_ARGS, K_SECRET };
enum { V_DOCKERFILE, V_DOCKERIGNORE, V_CACHE, V_CACHE_MODE, V_RUNNER, V_TARGET, V_PUSH, V_CACHE_KEY, V_CACHE_COMPRESSION };
enum { W_KIND, W_SCALE, W_BANDWIDTH, W_LATENCY, W_CACHE_BANDWIDTH, W_REGISTRY_BANDWIDTH,
       W_BASE_IMAGE, W_SEED };
enum { G_WARM_MEDIAN, G_WARM_OVER_COLD, G_IMAGE, G_CACHE, G_CACHED_STEPS, G_REFERENCE,
       G_ABSOLUTE };

static const char *const scenario_keys[] = {"name", "repo", "commits", "context",
	"repetitions", "timeout", "network", "build_args", "secret", NULL};
static const char *const variant_keys[] = {"dockerfile", "dockerignore", "cache",
	"cache_mode", "runner", "target", "push", "cache_key", "cache_compression", NULL};
static const char *const world_keys[] = {"kind", "scale", "bandwidth", "latency",
	"cache_bandwidth", "registry_bandwidth", "base_image", "seed", NULL};
static const char *const gate_keys[] = {"warm_median_growth", "warm_over_cold_growth",
	"image_growth", "cache_growth", "cached_steps_may_fall", "reference", "absolute", NULL};

#define KMAX 10
#define REPORT_LIMIT 3800 /* error.c keeps 4096 bytes */
#define DEFAULT_BASE_IMAGE "bench/python:3.12.7-slim"

/* Line where each key of one section was first set (0 = unset). */
struct keylines {
	int at[KMAX];
};

struct problem {
	int line;
	size_t seq;
	char *msg;
};

struct parser {
	const char *path; /* as given by the caller, for messages */
	struct scenario *s;
	struct problem *errs;
	size_t nerrs, aerrs;
	/* the line reader */
	const char *text;
	size_t len, pos;
	int lineno;
	/* where we are */
	enum sec sec;
	size_t var;        /* current variant when sec == SEC_VARIANT */
	char *prev_name;   /* last key of this section, for continuation lines */
	size_t prev_indent;/* indentation of the line that set it */
	int bad_headers;   /* section headers that could not be read */
	int scen_line;
	struct keylines scen, world, gate, *vars;
	char *repo_raw;
	int *secret_lines;
};

static void add_error(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->nerrs == p->aerrs) {
		p->aerrs = p->aerrs ? 2 * p->aerrs : 8;
		p->errs = xrealloc(p->errs, p->aerrs * sizeof(*p->errs));
	}
	p->errs[p->nerrs].line = line;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].msg = msg;
	p->nerrs++;
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Keep every collected problem as the error message, in line order. */
static int report(struct parser *p)
{
	struct strbuf sb = {0};
	size_t i;

	qsort(p->errs, p->nerrs, sizeof(*p->errs), problem_cmp);
	for (i = 0; i < p->nerrs; i++) {
		char *one = xasprintf("%s:%d: %s", p->path, p->errs[i].line, p->errs[i].msg);
		if (i && sb.len + strlen(one) + 1 > REPORT_LIMIT) {
			strbuf_printf(&sb, "\n%s:%d: ... and %zu more errors", p->path,
				      p->errs[i].line, p->nerrs - i);
			free(one);
			break;
		}
		strbuf_printf(&sb, "%s%s", i ? "\n" : "", one);
		free(one);
	}
	bench_error_set(BENCH_EINVALID, "%s", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return BENCH_EINVALID;
}

/* ---- small checks ---- */

static bool is_name(const char *v)
{
	const char *c;
	if (!*v || !strcmp(v, ".") || !strcmp(v, ".."))
		return false;
	for (c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
			return false;
	return true;
}

static bool is_identifier(const char *v, size_t n)
{
	size_t i;
	if (!n || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_')
			return false;
	return true;
}

static bool has_space(const char *v)
{
	for (; *v; v++)
		if (isspace((unsigned char)*v) || iscntrl((unsigned char)*v))
			return true;
	return false;
}

/* A relative path that stays inside its root: not absolute, no ".." part. */
static bool is_inner_path(const char *v)
{
	const char *c = v;
	if (!*v || *v == '/')
		return false;
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += n;
		while (*c == '/')
			c++;
	}
	return true;
}

static bool parse_uint(unsigned long long *out, const char *t, unsigned long long max)
{
	char *end;
	if (!isdigit((unsigned char)*t))
		return false;
	errno = 0;
	*out = strtoull(t, &end, 10);
	return !*end && !errno && *out <= max;
}

static bool parse_number(double *out, const char *t)
{
	char *end;
	if (!isdigit((unsigned char)*t) && *t != '.')
		return false;
	*out = strtod(t, &end);
	return !*end && end != t && isfinite(*out);
}

/* "15%" or "0.15", stored as a fraction. */
static bool parse_fraction(double *out, const char *t)
{
	size_t n = strlen(t);
	bool ok;
	if (n && t[n - 1] == '%') {
		char *num = xstrndup(t, n - 1);
		ok = parse_number(out, num);
		free(num);
		*out /= 100;
		return ok;
	}
	return parse_number(out, t);
}

/* One commit expression: no spaces or ':', not an option, no "..". */
static bool is_rev(const char *v, size_t n)
{
	size_t i;
	if (!n || v[0] == '-' || v[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)v[i]) || iscntrl((unsigned char)v[i]) || v[i] == ':')
			return false;
		if (i + 1 < n && v[i] == '.' && v[i + 1] == '.')
			return false;
	}
	return true;
}

/* "A..B", "a1b2 c3d4", or "last:N" (N >= 1); syntax only. */
static bool is_commits(const char *v)
{
	const char *dots = strstr(v, "..");
	unsigned long long n;

	if (!strncmp(v, "last:", 5))
		return parse_uint(&n, v + 5, 1000000) && n >= 1;
	if (dots)
		return is_rev(v, (size_t)(dots - v)) && is_rev(dots + 2, strlen(dots + 2));
	while (*v) {
		size_t len = strcspn(v, " \t");
		if (!is_rev(v, len))
			return false;
		v += len;
		v += strspn(v, " \t");
	}
	return true;
}

/* Resolve value against the scenario's folder; the absolute path when it is
 * a regular file (or a directory when want_dir), else NULL after keeping an
 * error that starts with `what`. */
static char *resolve(struct parser *p, int line, const char *what, const char *value,
		     bool want_dir)
{
	char *joined = path_join(p->s->dir, value);
	char *abs = path_absolute(joined);
	struct stat st;

	free(joined);
	if (stat(abs, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			add_error(p, line, "%s not found (resolved to %s)", what, abs);
		else
			add_error(p, line, "%s cannot be read (resolved to %s): %s", what, abs,
				  strerror(errno));
	} else if (want_dir && !S_ISDIR(st.st_mode)) {
		add_error(p, line, "%s is not a directory (resolved to %s)", what, abs);
	} else if (!want_dir && !S_ISREG(st.st_mode)) {
		add_error(p, line, "%s is not a regular file (resolved to %s)", what, abs);
	} else {
		return abs;
	}
	free(abs);
	return NULL;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static void bad_duration(struct parser *p, int line, const char *key, const char *v,
			 const char *examples)
{
	add_error(p, line, "invalid duration '%s' for '%s' (examples: %s)", v, key, examples);
}

static void bad_rate(struct parser *p, int line, const char *key, const char *v)
{
	add_error(p, line, "invalid size '%s' for '%s' (examples: 20MB/s, 1.5MiB/s, 500k/s)", v, key);
}

/* ---- [scenario] ---- */

static void add_build_args(struct parser *p, int line, const char *v)
{
	struct scenario *s = p->s;
	size_t first = s->build_args_count;

	while (*v) {
		size_t len = strcspn(v, " \t"), i;
		const char *eq = memchr(v, '=', len);
		if (!eq || !is_identifier(v, (size_t)(eq - v))) {
			add_error(p, line, "invalid build_args entry '%.*s' (use KEY=VALUE, KEY made of "
				  "letters, digits and '_', not starting with a digit)", (int)len, v);
		} else {
			bool dup = false;
			for (i = first; i < s->build_args_count; i++)
				if (!strncmp(s->build_args[i], v, (size_t)(eq - v) + 1))
					dup = true;
			if (dup) {
				add_error(p, line, "build arg '%.*s' is given twice in build_args; keep one",
					  (int)(eq - v), v);
			} else {
				s->build_args = xrealloc(s->build_args,
					(s->build_args_count + 1) * sizeof(*s->build_args));
				s->build_args[s->build_args_count++] = xstrndup(v, len);
			}
		}
		v += len;
		v += strspn(v, " \t");
	}
}

static void add_secret(struct parser *p, int line, const char *value)
{
	struct secret sec = {0};
	const char *why = NULL, *c = value;
	char *src = NULL, *what = NULL;
	size_t i;

	while (*c && !why) {
		size_t len = strcspn(c, ","), klen;
		const char *eq = memchr(c, '=', len);
		char **slot;
		if (!eq || eq == c || eq + 1 == c + len) {
			why = "each field is NAME=VALUE";
			break;
		}
		klen = (size_t)(eq - c);
		if (klen == 2 && !strncmp(c, "id", 2))
			slot = &sec.id;
		else if (klen == 3 && !strncmp(c, "src", 3))
			slot = &src;
		else if (klen == 3 && !strncmp(c, "env", 3))
			slot = &sec.env;
		else {
			why = "unknown field";
			break;
		}
		if (*slot)
			why = "a field is given twice";
		else
			*slot = xstrndup(eq + 1, (size_t)(c + len - eq - 1));
		c += len + (c[len] == ',');
	}
	if (!why && !sec.id)
		why = "id is missing";
	else if (!why && !is_name(sec.id))
		why = "id must be letters, digits, '.', '_' and '-'";
	else if (!why && !src == !sec.env)
		why = "give exactly one of src and env";
	else if (!why && sec.env && !is_identifier(sec.env, strlen(sec.env)))
		why = "env must name an environment variable";
	if (why) {
		add_error(p, line, "invalid secret '%s': %s (use id=ID,src=FILE or id=ID,env=VARNAME)",
			  value, why);
		goto done;
	}
	for (i = 0; i < p->s->secrets_count; i++) {
		if (!strcmp(p->s->secrets[i].id, sec.id)) {
			add_error(p, line, "duplicate secret id '%s' (first at line %d); give each "
				  "secret its own id", sec.id, p->secret_lines[i]);
			goto done;
		}
	}
	if (src) {
		what = xasprintf("secret '%s': src '%s'", sec.id, src);
		if (!(sec.src = resolve(p, line, what, src, false)))
			goto done;
	}
	i = p->s->secrets_count++;
	p->s->secrets = xrealloc(p->s->secrets, (i + 1) * sizeof(*p->s->secrets));
	p->secret_lines = xrealloc(p->secret_lines, (i + 1) * sizeof(*p->secret_lines));
	p->s->secrets[i] = sec;
	p->secret_lines[i] = line;
	memset(&sec, 0, sizeof(sec));
done:
	free(sec.id);
	free(sec.src);
	free(sec.env);
	free(src);
	free(what);
}

static void set_scenario(struct parser *p, int key, const char *v, int line)
{
	struct scenario *s = p->s;
	unsigned long long n;
	double d;

	switch (key) {
	case K_NAME:
		if (is_name(v))
			replace(&s->name, v);
		else
			add_error(p, line, "invalid name '%s' (use letters, digits, '.', '_' and '-'; "
				  "it names the results folder)", v);
		break;
	case K_REPO:
		replace(&p->repo_raw, v);
		break;
	case K_COMMITS:
		if (is_commits(v))
			replace(&s->commits, v);
		else
			add_error(p, line, "invalid commits '%s' (use A..B, a space-separated list of "
				  "commits, or last:N with N >= 1)", v);
		break;
	case K_CONTEXT:
		if (*v == '/')
			add_error(p, line, "context '%s' must be relative to the repository root, "
				  "not absolute", v);
		else if (!is_inner_path(v))
			add_error(p, line, "context '%s' must not leave the repository with '..'; "
				  "use a folder inside it", v);
		else
			replace(&s->context, v);
		break;
	case K_REPETITIONS:
		if (parse_uint(&n, v, 100) && n >= 1)
			s->repetitions = (int)n;
		else
			add_error(p, line, "invalid repetitions '%s' (use a whole number from 1 to 100)", v);
		break;
	case K_TIMEOUT:
		if (parse_duration(&d, v) < 0)
			bad_duration(p, line, "timeout", v, "90s, 30m, 1h30m");
		else if (d <= 0)
			add_error(p, line, "'timeout' must be greater than zero (got '%s')", v);
		else
			s->timeout = d;
		break;
	case K_NETWORK:
		if (!strcmp(v, "host") || !strcmp(v, "none") || !strcmp(v, "default"))
			replace(&s->network, v);
		else
			add_error(p, line, "invalid network '%s' (use host, none or default)", v);
		break;
	case K_BUILD_ARGS:
		add_build_args(p, line, v);
		break;
	case K_SECRET:
		add_secret(p, line, v);
		break;
	}
}

/* ---- [variant NAME], [world], [gate] ---- */

/* cache_key = commit | files:PATH[,PATH...]: the actions/cache key of the
 * cache folder, a new one per commit (the blog's github.sha) or the hash of
 * files of the commit (hashFiles). */
static void set_cache_key(struct parser *p, struct variant *var, int line, const char *v)
{
	char *list, *tok, *save = NULL;
	size_t i;

	for (i = 0; i < var->cache_key_files_count; i++)
		free(var->cache_key_files[i]);
	free(var->cache_key_files);
	var->cache_key_files = NULL;
	var->cache_key_files_count = 0;
	if (!strcmp(v, "commit"))
		return;
	if (strncmp(v, "files:", 6) || !v[6]) {
		add_error(p, line, "invalid cache_key '%s' (use commit, or files:PATH[,PATH...] "
			  "with paths inside the commit)", v);
		return;
	}
	list = xstrdup(v + 6);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!is_inner_path(tok)) {
			add_error(p, line, "cache_key path '%s' must be relative to the commit, without '..'", tok);
			continue;
		}
		var->cache_key_files = xrealloc(var->cache_key_files,
						(var->cache_key_files_count + 1) * sizeof(char *));
		var->cache_key_files[var->cache_key_files_count++] = xstrdup(tok);
	}
	free(list);
}

static void set_variant(struct parser *p, int key, const char *v, int line)
{
	struct variant *var = &p->s->variants[p->var];
	char *what;
	bool b;

	switch (key) {
	case V_DOCKERFILE:
		if (!strncmp(v, "repo:", 5)) {
			if (is_inner_path(v + 5)) {
				replace(&var->dockerfile, v + 5);
				var->dockerfile_in_repo = true;
			} else {
				add_error(p, line, "dockerfile '%s' must name a relative path inside the "
					  "commit, without '..' (e.g. repo:docker/app.Dockerfile)", v);
			}
			break;
		}
		what = xasprintf("dockerfile '%s'", v);
		free(var->dockerfile);
		var->dockerfile = resolve(p, line, what, v, false);
		var->dockerfile_in_repo = false;
		free(what);
		break;
	case V_DOCKERIGNORE:
		what = xasprintf("dockerignore '%s'", v);
		free(var->dockerignore);
		var->dockerignore = resolve(p, line, what, v, false);
		free(what);
		break;
	case V_CACHE:
		if (!strcmp(v, "none"))
			var->cache = CACHE_NONE;
		else if (!strcmp(v, "local"))
			var->cache = CACHE_LOCAL;
		else if (!strcmp(v, "registry"))
			var->cache = CACHE_REGISTRY;
		else
			add_error(p, line, "invalid cache '%s' (use none, local or registry)", v);
		break;
	case V_CACHE_MODE:
		if (!strcmp(v, "max") || !strcmp(v, "min"))
			replace(&var->cache_mode, v);
		else
			add_error(p, line, "invalid cache_mode '%s' (use max or min)", v);
		break;
	case V_RUNNER:
		if (!strcmp(v, "ephemeral"))
			var->runner = RUNNER_EPHEMERAL;
		else if (!strcmp(v, "persistent"))
			var->runner = RUNNER_PERSISTENT;
		else
			add_error(p, line, "invalid runner '%s' (use ephemeral or persistent)", v);
		break;
	case V_TARGET:
		if (has_space(v))
			add_error(p, line, "invalid target '%s' (a build stage name, without spaces)", v);
		else
			replace(&var->target, v);
		break;
	case V_CACHE_KEY:
		set_cache_key(p, var, line, v);
		break;
	case V_CACHE_COMPRESSION:
		if (!strcmp(v, "gzip") || !strcmp(v, "zstd"))
			replace(&var->cache_compression, v);
		else
			add_error(p, line, "invalid cache_compression '%s' (use gzip or zstd)", v);
		break;
	case V_PUSH:
		if (parse_bool(&b, v) < 0)
			add_error(p, line, "invalid boolean '%s' for 'push' (use yes or no)", v);
		else
			var->push = b;
		break;
	}
}

static void set_rate(struct parser *p, double *out, const char *key, const char *v, int line,
		     bool positive)
{
	double d;
	if (parse_size(&d, v, true) < 0)
		bad_rate(p, line, key, v);
	else if (positive && d <= 0)
		add_error(p, line, "'%s' must be greater than zero (got '%s')", key, v);
	else
		*out = d;
}

static void set_world(struct parser *p, int key, const char *v, int line)
{
	struct world_settings *w = &p->s->world;
	unsigned long long n;
	double d;

	switch (key) {
	case W_KIND:
		if (!strcmp(v, "cafeboo"))
			replace(&w->kind, v);
		else
			add_error(p, line, "unknown world kind '%s' (known: cafeboo)", v);
		break;
	case W_SCALE:
		if (parse_number(&d, v) && d > 0 && d <= 4)
			w->scale = d;
		else
			add_error(p, line, "invalid scale '%s' (use a number greater than 0 and at "
				  "most 4, e.g. 0.05)", v);
		break;
	case W_BANDWIDTH:
		set_rate(p, &w->bandwidth, "bandwidth", v, line, true);
		break;
	case W_LATENCY:
		if (parse_duration(&d, v) < 0)
			bad_duration(p, line, "latency", v, "40ms, 0.5s, 0");
		else
			w->latency = d;
		break;
	case W_CACHE_BANDWIDTH:
		set_rate(p, &w->cache_bandwidth, "cache_bandwidth", v, line, false);
		break;
	case W_REGISTRY_BANDWIDTH:
		set_rate(p, &w->registry_bandwidth, "registry_bandwidth", v, line, false);
		break;
	case W_BASE_IMAGE:
		if (has_space(v))
			add_error(p, line, "invalid base_image '%s' (an image reference without spaces)", v);
		else
			replace(&w->base_image, v);
		break;
	case W_SEED:
		if (parse_uint(&n, v, UINT_MAX))
			w->seed = (unsigned)n;
		else
			add_error(p, line, "invalid seed '%s' (use a whole number from 0 to %u)", v,
				  UINT_MAX);
		break;
	}
}

static void set_gate(struct parser *p, int key, const char *v, int line)
{
	struct gate_settings *g = &p->s->gate;
	double *fractions[] = {&g->warm_median_growth, &g->warm_over_cold_growth,
			       &g->image_growth, &g->cache_growth};
	double d;
	bool b;

	switch (key) {
	case G_WARM_MEDIAN: case G_WARM_OVER_COLD: case G_IMAGE: case G_CACHE:
		if (parse_fraction(&d, v))
			*fractions[key] = d;
		else
			add_error(p, line, "invalid value '%s' for '%s' (use a percentage like 15%% "
				  "or a fraction like 0.15)", v, gate_keys[key]);
		break;
	case G_CACHED_STEPS: case G_ABSOLUTE:
		if (parse_bool(&b, v) < 0)
			add_error(p, line, "invalid boolean '%s' for '%s' (use yes or no)", v,
				  gate_keys[key]);
		else
			*(key == G_ABSOLUTE ? &g->absolute : &g->cached_steps_may_fall) = b;
		break;
	case G_REFERENCE:
		replace(&g->reference, v);
		break;
	}
}

/* ---- sections and the inih callbacks ---- */

static char *section_title(struct parser *p)
{
	switch (p->sec) {
	case SEC_SCENARIO: return xstrdup("[scenario]");
	case SEC_WORLD: return xstrdup("[world]");
	case SEC_GATE: return xstrdup("[gate]");
	case SEC_VARIANT: return xasprintf("[variant %s]", p->s->variants[p->var].name);
	default: return xstrdup("");
	}
}

static void open_variant(struct parser *p, const char *name, int line)
{
	struct scenario *s = p->s;
	struct variant *v;
	size_t i;

	if (!*name) {
		add_error(p, line, "[variant] needs a name, e.g. [variant single-stage]");
		return;
	}
	if (!is_name(name)) {
		add_error(p, line, "invalid variant name '%s' (use letters, digits, '.', '_' and '-')",
			  name);
		return;
	}
	for (i = 0; i < s->variants_count; i++) {
		if (!strcmp(s->variants[i].name, name)) {
			add_error(p, line, "duplicate variant '%s' (first defined at line %d); give "
				  "each variant its own name", name, s->variants[i].line);
			return;
		}
	}
	s->variants = xrealloc(s->variants, (i + 1) * sizeof(*s->variants));
	p->vars = xrealloc(p->vars, (i + 1) * sizeof(*p->vars));
	memset(&p->vars[i], 0, sizeof(p->vars[i]));
	v = &s->variants[i];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->cache_mode = xstrdup("max");
	v->line = line;
	s->variants_count++;
	p->var = i;
	p->sec = SEC_VARIANT;
}

/* Claim a section that may appear once; *seen holds the line of the first. */
static void open_once(struct parser *p, enum sec sec, int *seen, const char *name, int line)
{
	if (*seen) {
		add_error(p, line, "duplicate section [%s] (first at line %d); merge them into one",
			  name, *seen);
		return;
	}
	*seen = line;
	p->sec = sec;
}

static void open_section(struct parser *p, const char *hdr, size_t n, int line)
{
	size_t close = 1, rest;
	bool was_space = false;
	char *inner;

	p->sec = SEC_BAD;
	p->bad_headers++;
	free(p->prev_name);
	p->prev_name = NULL;
	/* Same rule as inih: ']' ends it, "; comment" after a space does too. */
	while (close < n && hdr[close] != ']' && !(was_space && hdr[close] == ';'))
		was_space = isspace((unsigned char)hdr[close++]);
	if (close >= n || hdr[close] != ']') {
		add_error(p, line, "section header '%.*s' has no closing ']'", (int)n, hdr);
		return;
	}
	for (rest = close + 1; rest < n && isspace((unsigned char)hdr[rest]); rest++)
		;
	if (rest < n && hdr[rest] != ';' && hdr[rest] != '#') {
		add_error(p, line, "unexpected text '%.*s' after section header; put it on its own "
			  "line or start it with ';'", (int)(n - rest), hdr + rest);
		return;
	}
	inner = xstrndup(hdr + 1, close - 1);
	{
		char *a = inner, *z = inner + strlen(inner);
		while (isspace((unsigned char)*a))
			a++;
		while (z > a && isspace((unsigned char)z[-1]))
			*--z = '\0';
		if (!strcmp(a, "scenario"))
			open_once(p, SEC_SCENARIO, &p->scen_line, a, line);
		else if (!strcmp(a, "world"))
			open_once(p, SEC_WORLD, &p->s->world.line, a, line);
		else if (!strcmp(a, "gate"))
			open_once(p, SEC_GATE, &p->s->gate.line, a, line);
		else if (!strncmp(a, "variant", 7) && (!a[7] || isspace((unsigned char)a[7])))
			open_variant(p, a + 7 + strspn(a + 7, " \t"), line);
		else
			add_error(p, line, "unknown section [%s] (known: [scenario], [variant NAME], "
				  "[world], [gate])", a);
		if (p->sec == SEC_WORLD)
			p->s->world.enabled = true;
		if (p->sec != SEC_BAD)
			p->bad_headers--;
	}
	free(inner);
}

/* inih's reader: hand over one line at a time, counting them. Lines inih
 * should not see (comments, section headers, overlong or malformed lines,
 * continuations) are dealt with here and handed over blank; key lines are
 * handed over without their indentation, so that inih never joins lines.
 * A line indented deeper than the key before it (in the same section) is
 * what inih would read as a continuation: we refuse it. */
static char *read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *line = p->text + p->pos, *nl;
	size_t n, indent, i;
	bool was_space = false;

	if (p->pos >= p->len)
		return NULL;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->lineno++;
	str[0] = '\0';
	if (p->lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
		line += 3, n -= 3;
	while (n && isspace((unsigned char)line[n - 1]))
		n--;
	if (n + 3 > (size_t)num) {
		add_error(p, p->lineno, "line is too long (%zu characters, at most %d); shorten it",
			  n, num - 3);
		return str;
	}
	for (indent = 0; indent < n && isspace((unsigned char)line[indent]); indent++)
		;
	line += indent;
	n -= indent;
	if (!n || *line == ';' || *line == '#')
		return str;
	if (*line == '[') {
		open_section(p, line, n, p->lineno);
		return str;
	}
	for (i = 0; i < n && line[i] != '=' && line[i] != ':'; i++) {
		if (was_space && line[i] == ';')
			break;
		was_space = isspace((unsigned char)line[i]);
	}
	if (p->prev_name && indent > p->prev_indent) {
		add_error(p, p->lineno, "indented line continues the value of '%s'; multi-line "
			  "values are not supported, put the value on one line", p->prev_name);
	} else if (i < n && (line[i] == '=' || line[i] == ':')) {
		memcpy(str, line, n);
		str[n] = '\0';
		p->prev_indent = indent;
	} else {
		add_error(p, p->lineno, "expected 'key = value' or '[section]', got '%.*s'",
			  (int)n, line);
	}
	return str;
}

static int key_index(const char *const *keys, const char *name)
{
	int i;
	for (i = 0; keys[i]; i++)
		if (!strcmp(keys[i], name))
			return i;
	return -1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	const char *const *keys;
	struct keylines *lines;
	void (*set)(struct parser *, int, const char *, int);
	int line = p->lineno, k;
	char *title = NULL;

	(void)section; /* ours is p->sec: inih truncates long section names */
	switch (p->sec) {
	case SEC_NONE:
		add_error(p, line, "key '%s' is outside any section; put it under [scenario] or "
			  "another section", name);
		return 1;
	case SEC_BAD:
		return 1; /* the section header was reported already */
	case SEC_SCENARIO: keys = scenario_keys; lines = &p->scen; set = set_scenario; break;
	case SEC_VARIANT: keys = variant_keys; lines = &p->vars[p->var]; set = set_variant; break;
	case SEC_WORLD: keys = world_keys; lines = &p->world; set = set_world; break;
	default: keys = gate_keys; lines = &p->gate; set = set_gate; break;
	}
	replace(&p->prev_name, name);
	title = section_title(p);
	if (!*name) {
		add_error(p, line, "missing key name before '=' in %s", title);
	} else if ((k = key_index(keys, name)) < 0) {
		struct strbuf known = {0};
		for (k = 0; keys[k]; k++)
			strbuf_printf(&known, "%s%s", k ? ", " : "", keys[k]);
		add_error(p, line, "unknown key '%s' in %s (known: %s)", name, title, known.buf);
		strbuf_release(&known);
	} else if (lines->at[k] && !(p->sec == SEC_SCENARIO && k == K_SECRET)) {
		add_error(p, line, "duplicate key '%s' in %s (first set at line %d); keep only one",
			  name, title, lines->at[k]);
	} else {
		if (!lines->at[k])
			lines->at[k] = line;
		if (!*value)
			add_error(p, line, "empty value for '%s' in %s; give a value or remove the line",
				  name, title);
		else
			set(p, k, value, line);
	}
	free(title);
	return 1;
}

/* Checks that need the whole file: required keys, [world] dependencies, the
 * gate's reference variant. */
static void finish(struct parser *p)
{
	struct scenario *s = p->s;
	bool world = s->world.enabled;
	size_t i;

	if (!p->scen_line) {
		add_error(p, 1, "no [scenario] section; add one with name, repo and commits");
	} else {
		if (!p->scen.at[K_NAME])
			add_error(p, p->scen_line, "missing required key 'name' in [scenario]");
		if (world && p->scen.at[K_REPO])
			add_error(p, p->scen.at[K_REPO], "'repo' must not be set when a [world] section "
				  "exists (the world generates the repository); remove it");
		else if (!world && !p->scen.at[K_REPO])
			add_error(p, p->scen_line, "missing required key 'repo' in [scenario]");
		else if (!world && p->repo_raw) {
			char *what = xasprintf("repo '%s'", p->repo_raw);
			s->repo = resolve(p, p->scen.at[K_REPO], what, p->repo_raw, true);
			free(what);
		}
		if (!p->scen.at[K_COMMITS])
			add_error(p, p->scen_line, "missing required key 'commits' in [scenario]");
		if (!s->variants_count && !p->bad_headers)
			add_error(p, p->scen_line, "no [variant NAME] section; add at least one, e.g. "
				  "[variant single-stage] with a dockerfile");
	}
	for (i = 0; i < s->variants_count; i++) {
		struct variant *v = &s->variants[i];
		if (!p->vars[i].at[V_DOCKERFILE])
			add_error(p, v->line, "missing required key 'dockerfile' in [variant %s]", v->name);
		if (v->cache == CACHE_REGISTRY && !world)
			add_error(p, p->vars[i].at[V_CACHE], "cache = registry needs a [world] section "
				  "(it provides the registry); use cache = local or add [world]");
		if (v->cache_key_files_count && v->cache != CACHE_LOCAL)
			add_error(p, p->vars[i].at[V_CACHE_KEY], "cache_key needs cache = local (it keys "
				  "the cache folder kept between runs)");
		if (v->push && !world)
			add_error(p, p->vars[i].at[V_PUSH], "push = yes needs a [world] section (it "
				  "provides the registry); set push = no or add [world]");
	}
	if (world && !p->world.at[W_KIND])
		add_error(p, s->world.line, "missing required key 'kind' in [world]");
	if (s->gate.reference && strcmp(s->gate.reference, "none")) { /* none: no reference */
		struct strbuf names = {0};
		for (i = 0; i < s->variants_count; i++) {
			if (!strcmp(s->variants[i].name, s->gate.reference))
				break;
			strbuf_printf(&names, "%s%s", i ? ", " : "", s->variants[i].name);
		}
		if (i == s->variants_count)
			add_error(p, p->gate.at[G_REFERENCE], "reference '%s' is not a variant of this "
				  "scenario (variants: %s)", s->gate.reference,
				  names.buf ? names.buf : "none");
		strbuf_release(&names);
	}
}

/* The line of the first byte that is not UTF-8 text (NUL, control
 * characters other than tab/CR/LF, invalid sequences), or 0. */
static int binary_line(unsigned char *bad, const unsigned char *t, size_t len)
{
	size_t i = 0, k, need;
	int line = 1;

	while (i < len) {
		unsigned char c = t[i];
		*bad = c;
		if (c == '\n') {
			line++, i++;
			continue;
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return line;
			i++;
			continue;
		}
		need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
		       c >= 0xf0 && c <= 0xf4 ? 3 : 0;
		if (!need)
			return line;
		for (k = 1; k <= need; k++)
			if (i + k >= len || (t[i + k] & 0xc0) != 0x80)
				return line;
		/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
		if ((c == 0xe0 && t[i + 1] < 0xa0) || (c == 0xed && t[i + 1] >= 0xa0) ||
		    (c == 0xf0 && t[i + 1] < 0x90) || (c == 0xf4 && t[i + 1] >= 0x90))
			return line;
		i += need + 1;
	}
	return 0;
}

static void variant_release(struct variant *v)
{
	free(v->name);
	free(v->dockerfile);
	free(v->dockerignore);
	free(v->cache_mode);
	free(v->cache_compression);
	for (size_t k = 0; k < v->cache_key_files_count; k++)
		free(v->cache_key_files[k]);
	free(v->cache_key_files);
	free(v->target);
}

void scenario_free(struct scenario *s)
{
	size_t i;
	if (!s)
		return;
	free(s->path);
	free(s->dir);
	free(s->digest);
	free(s->name);
	free(s->repo);
	free(s->commits);
	free(s->context);
	free(s->network);
	for (i = 0; i < s->build_args_count; i++)
		free(s->build_args[i]);
	free(s->build_args);
	for (i = 0; i < s->secrets_count; i++) {
		free(s->secrets[i].id);
		free(s->secrets[i].src);
		free(s->secrets[i].env);
	}
	free(s->secrets);
	for (i = 0; i < s->variants_count; i++)
		variant_release(&s->variants[i]);
	free(s->variants);
	free(s->world.kind);
	free(s->world.base_image);
	free(s->gate.reference);
	free(s);
}

static struct scenario *scenario_new(const char *path, const char *text, size_t len)
{
	struct scenario *s = xcalloc(1, sizeof(*s));
	char digest[SHA256_HEX_SIZE];

	s->path = path_absolute(path);
	s->dir = path_dirname(s->path);
	sha256_hex(digest, text, len);
	s->digest = xstrdup(digest);
	s->context = xstrdup(".");
	s->repetitions = 1;
	s->timeout = 1800;
	s->network = xstrdup("host");
	s->world.scale = 0.05;
	s->world.bandwidth = 25e6;
	s->world.base_image = xstrdup(DEFAULT_BASE_IMAGE);
	s->world.seed = 1;
	s->gate.warm_median_growth = -1;
	s->gate.warm_over_cold_growth = -1;
	s->gate.image_growth = -1;
	s->gate.cache_growth = -1;
	s->gate.cached_steps_may_fall = -1;
	s->gate.absolute = -1;
	return s;
}

int scenario_parse(struct scenario **out, const char *path, const char *text, size_t len)
{
	struct parser p = {0};
	unsigned char bad;
	int line, rc, error = 0;
	size_t i;

	*out = NULL;
	p.path = path;
	p.text = text;
	p.len = len;
	p.s = scenario_new(path, text, len);
	if ((line = binary_line(&bad, (const unsigned char *)text, len))) {
		add_error(&p, line, "not a text file (found byte 0x%02x); a scenario must be UTF-8 "
			  "text", bad);
	} else {
		rc = ini_parse_stream(read_line, &p, on_key, &p);
		if (rc < 0) {
			error = bench_error_set(BENCH_ERROR, "cannot parse '%s': inih failed (%d)",
						path, rc);
			goto done;
		}
		if (rc > 0 && !p.nerrs)
			add_error(&p, rc, "cannot parse this line");
		finish(&p);
	}
	if (p.nerrs) {
		error = report(&p);
		goto done;
	}
	*out = p.s;
	p.s = NULL;
done:
	scenario_free(p.s);
	for (i = 0; i < p.nerrs; i++)
		free(p.errs[i].msg);
	free(p.errs);
	free(p.prev_name);
	free(p.vars);
	free(p.repo_raw);
	free(p.secret_lines);
	return error;
}

int scenario_load(struct scenario **out, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = read_file(&text, &len, path)) < 0)
		goto done;
	error = scenario_parse(out, path, text, len);
done:
	free(text);
	return error;
}

/* ---- output ---- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *real_or_null(double d)
{
	return d < 0 ? json_null() : json_real(d);
}

static json_t *tristate(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *scenario_to_json(const struct scenario *s)
{
	json_t *o = json_object(), *a;
	size_t i;

	json_object_set_new(o, "path", json_string(s->path));
	json_object_set_new(o, "digest", json_string(s->digest));
	json_object_set_new(o, "name", str_or_null(s->name));
	json_object_set_new(o, "repo", str_or_null(s->repo));
	json_object_set_new(o, "commits", str_or_null(s->commits));
	json_object_set_new(o, "context", str_or_null(s->context));
	json_object_set_new(o, "repetitions", json_integer(s->repetitions));
	json_object_set_new(o, "timeout", json_real(s->timeout));
	json_object_set_new(o, "network", str_or_null(s->network));
	a = json_array();
	for (i = 0; i < s->build_args_count; i++)
		json_array_append_new(a, json_string(s->build_args[i]));
	json_object_set_new(o, "build_args", a);
	a = json_array();
	for (i = 0; i < s->secrets_count; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "id", s->secrets[i].id,
						   "kind", s->secrets[i].src ? "file" : "env"));
	json_object_set_new(o, "secrets", a);
	a = json_array();
	for (i = 0; i < s->variants_count; i++) {
		const struct variant *v = &s->variants[i];
		json_t *vo = json_object();
		json_object_set_new(vo, "name", json_string(v->name));
		json_object_set_new(vo, "dockerfile", str_or_null(v->dockerfile));
		json_object_set_new(vo, "dockerfile_in_repo", json_boolean(v->dockerfile_in_repo));
		json_object_set_new(vo, "dockerignore", str_or_null(v->dockerignore));
		json_object_set_new(vo, "cache", json_string(cache_kind_name(v->cache)));
		json_object_set_new(vo, "cache_mode", str_or_null(v->cache_mode));
		json_object_set_new(vo, "cache_compression", str_or_null(v->cache_compression));
		if (v->cache_key_files_count) {
			json_t *files = json_array();
			for (size_t k = 0; k < v->cache_key_files_count; k++)
				json_array_append_new(files, json_string(v->cache_key_files[k]));
			json_object_set_new(vo, "cache_key_files", files);
		} else {
			json_object_set_new(vo, "cache_key", json_string("commit"));
		}
		json_object_set_new(vo, "runner", json_string(runner_kind_name(v->runner)));
		json_object_set_new(vo, "target", str_or_null(v->target));
		json_object_set_new(vo, "push", json_boolean(v->push));
		json_array_append_new(a, vo);
	}
	json_object_set_new(o, "variants", a);
	if (s->world.enabled) {
		const struct world_settings *w = &s->world;
		json_object_set_new(o, "world", json_pack("{s:o, s:f, s:f, s:f, s:f, s:f, s:o, s:I}",
			"kind", str_or_null(w->kind), "scale", w->scale, "bandwidth", w->bandwidth,
			"latency", w->latency, "cache_bandwidth", w->cache_bandwidth,
			"registry_bandwidth", w->registry_bandwidth,
			"base_image", str_or_null(w->base_image), "seed", (json_int_t)w->seed));
	}
	if (s->gate.line > 0) {
		const struct gate_settings *g = &s->gate;
		json_object_set_new(o, "gate", json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"warm_median_growth", real_or_null(g->warm_median_growth),
			"warm_over_cold_growth", real_or_null(g->warm_over_cold_growth),
			"image_growth", real_or_null(g->image_growth),
			"cache_growth", real_or_null(g->cache_growth),
			"cached_steps_may_fall", tristate(g->cached_steps_may_fall),
			"reference", str_or_null(g->reference),
			"absolute", tristate(g->absolute)));
	}
	return o;
}

int scenario_only_variant(struct scenario *s, const char *name)
{
	struct strbuf names = {0};
	size_t i, keep = s->variants_count;
	int error = 0;

	for (i = 0; i < s->variants_count; i++) {
		if (!strcmp(s->variants[i].name, name))
			keep = i;
		strbuf_printf(&names, "%s%s", i ? ", " : "", s->variants[i].name);
	}
	if (keep == s->variants_count) {
		error = bench_error_set(BENCH_EINVALID, "no variant '%s' in scenario '%s' "
					"(variants: %s)", name, s->name ? s->name : "",
					names.buf ? names.buf : "none");
		goto done;
	}
	for (i = 0; i < s->variants_count; i++)
		if (i != keep)
			variant_release(&s->variants[i]);
	s->variants[0] = s->variants[keep];
	s->variants_count = 1;
done:
	strbuf_release(&names);
	return error;
}

const char *cache_kind_name(enum cache_kind k)
{
	switch (k) {
	case CACHE_NONE: return "none";
	case CACHE_LOCAL: return "local";
	case CACHE_REGISTRY: return "registry";
	}
	return "unknown";
}

const char *runner_kind_name(enum runner_kind k)
{
	switch (k) {
	case RUNNER_EPHEMERAL: return "ephemeral";
	case RUNNER_PERSISTENT: return "persistent";
	}
	return "unknown";
}
