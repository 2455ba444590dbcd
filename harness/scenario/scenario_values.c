/*
 * scenario_values.c: the scenario values that have a syntax of their own:
 * the checks the key table points at (names, commit ranges, engines, cache
 * mount targets) and the setters of keys no generic kind covers (build args,
 * secrets, Dockerfiles, cache keys, builders). See scenario_int.h.
 */
#include <arpa/inet.h>
#include "scenario/scenario_int.h"
#include "cache/cache_kind.h"
#include "builders/builder.h"
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small checks ---- */

bool scen_is_name(const char *v)
{
	const char *c;
	if (!*v || !strcmp(v, ".") || !strcmp(v, ".."))
		return false;
	for (c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
			return false;
	return true;
}

bool scen_is_identifier(const char *v, size_t n)
{
	size_t i;
	if (!n || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_')
			return false;
	return true;
}

bool scen_is_word(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (isspace((unsigned char)*v) || iscntrl((unsigned char)*v))
			return false;
	return true;
}

/* A relative path that stays inside its root: not absolute, no ".." part. */
bool scen_is_inner_path(const char *v)
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

/* An absolute path other than "/", without ".." parts, commas or quotes
 * (it goes into a --mount option's comma-separated fields). */
bool scen_is_mount_target(const char *v)
{
	return v[0] == '/' && v[1 + strspn(v + 1, "/")] && scen_is_word(v) &&
	       !strpbrk(v, ",\"'") && scen_is_inner_path(v + strspn(v, "/"));
}

bool scen_parse_uint(unsigned long long *out, const char *t, unsigned long long max)
{
	char *end;
	if (!isdigit((unsigned char)*t))
		return false;
	errno = 0;
	*out = strtoull(t, &end, 10);
	return !*end && !errno && *out <= max;
}

bool scen_parse_number(double *out, const char *t)
{
	char *end;
	if (!isdigit((unsigned char)*t) && *t != '.')
		return false;
	*out = strtod(t, &end);
	return !*end && end != t && isfinite(*out);
}

/* "15%" or "0.15", stored as a fraction. */
bool scen_parse_fraction(double *out, const char *t)
{
	size_t n = strlen(t);
	bool ok;
	if (n && t[n - 1] == '%') {
		char *num = xstrndup(t, n - 1);
		ok = scen_parse_number(out, num);
		free(num);
		*out /= 100;
		return ok;
	}
	return scen_parse_number(out, t);
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

static bool is_range(const char *v)
{
	const char *dots = strstr(v, "..");
	return dots && is_rev(v, (size_t)(dots - v)) && is_rev(dots + 2, strlen(dots + 2));
}

/* The number after prefix (e.g. "last:") up to the first space, at least min. */
static bool count_after(unsigned long long *n, const char *v, const char *prefix,
			unsigned long long min)
{
	size_t len = strlen(prefix);
	char *num;
	bool ok;

	if (strncmp(v, prefix, len))
		return false;
	num = xstrndup(v + len, strcspn(v + len, " \t"));
	ok = scen_parse_uint(n, num, 1000000) && *n >= min;
	free(num);
	return ok;
}

/* "A..B", "a1b2 c3d4", "last:N" (N >= 1), or "sample:N RANGE" where RANGE is
 * "A..B" or "last:M" and 2 <= N (<= M); syntax only: replay.c resolves it. */
bool scen_is_commits(const char *v)
{
	unsigned long long n, m;

	if (!strncmp(v, "sample:", 7)) {
		const char *range = v + 7 + strcspn(v + 7, " \t");
		range += strspn(range, " \t");
		if (!count_after(&n, v, "sample:", 2))
			return false;
		if (!strncmp(range, "last:", 5))
			return count_after(&m, range, "last:", n) && !range[strcspn(range, " \t")];
		return is_range(range);
	}
	if (!strncmp(v, "last:", 5))
		return count_after(&n, v, "last:", 1) && !v[strcspn(v, " \t")];
	if (strstr(v, ".."))
		return is_range(v);
	while (*v) {
		size_t len = strcspn(v, " \t");
		if (!is_rev(v, len))
			return false;
		v += len;
		v += strspn(v, " \t");
	}
	return true;
}

/* host[:port] for tcp:// (port required) and ssh:// ([user@] first). */
static bool is_host_port(const char *v, bool need_port)
{
	const char *colon = strrchr(v, ':');
	size_t host = colon ? (size_t)(colon - v) : strlen(v), i;
	unsigned long long port;

	if (!host || (need_port && !colon))
		return false;
	for (i = 0; i < host; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr(".-_", v[i]))
			return false;
	return !colon || (scen_parse_uint(&port, colon + 1, 65535) && port >= 1);
}

/* A docker context name ([A-Za-z0-9][A-Za-z0-9_.+-]*) or a DOCKER_HOST URL:
 * unix:///PATH, tcp://HOST:PORT, ssh://[USER@]HOST[:PORT]. */
bool scen_is_engine(const char *v)
{
	const char *c;

	if (!strncmp(v, "unix://", 7))
		return v[7] == '/' && v[8] && scen_is_word(v);
	if (!strncmp(v, "tcp://", 6))
		return is_host_port(v + 6, true);
	if (!strncmp(v, "ssh://", 6)) {
		const char *at = strchr(v + 6, '@');
		if (at && (at == v + 6 || !scen_is_identifier(v + 6, 1)))
			return false;
		for (c = v + 6; at && c < at; c++)
			if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
				return false;
		return is_host_port(at ? at + 1 : v + 6, false);
	}
	if (!isalnum((unsigned char)v[0]))
		return false;
	for (c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.+-", *c))
			return false;
	return true;
}

bool scen_is_ipv4(const char *v)
{
	unsigned char buf[4];
	return inet_pton(AF_INET, v, buf) == 1;
}

/* ENGINE=ADDRESS: an engine's name (as in engines =) and an IPv4 address of
 * this machine that is not 0.0.0.0 (the runner binds to it and its builds
 * are told it). The last '=' splits: a URL may hold one. */
bool scen_is_engine_listen(const char *v)
{
	const char *eq = strrchr(v, '=');
	char *name;
	bool ok;

	if (!eq || eq == v || !scen_is_ipv4(eq + 1) || !strcmp(eq + 1, "0.0.0.0"))
		return false;
	name = xstrndup(v, (size_t)(eq - v));
	ok = scen_is_engine(name);
	free(name);
	return ok;
}

bool scen_is_host(const char *v)
{
	return !strchr(v, ':') && is_host_port(v, false);
}

/* A registry repository, HOST[:PORT]/NAME: HOST as docker tells a registry
 * from a Docker Hub namespace (a dot or a port, or localhost), NAME one or
 * more '/'-separated components of lowercase letters and digits joined by
 * '.', '_' or '-'; no tag and no digest (bench tags the images). */
bool scen_is_registry_ref(const char *v)
{
	const char *slash = strchr(v, '/'), *c;
	char *host;
	bool ok, sep = true;

	if (!slash || slash == v)
		return false;
	host = xstrndup(v, (size_t)(slash - v));
	ok = is_host_port(host, false) && (strchr(host, '.') || strchr(host, ':') || !strcmp(host, "localhost"));
	free(host);
	for (c = slash + 1; ok && *c; c++) {
		bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
		if (!alnum && (sep || !strchr("._-/", *c)))
			ok = false;
		sep = !alnum;
	}
	return ok && !sep;
}

/* ---- helpers for setters ---- */

char *scen_resolve(struct scen_parser *p, int line, const char *what, const char *value,
		   bool want_dir)
{
	char *joined = path_join(p->s->dir, value);
	char *abs = path_absolute(joined);
	struct stat st;

	free(joined);
	if (stat(abs, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			scen_add_error(p, line, "%s not found (resolved to %s)", what, abs);
		else
			scen_add_error(p, line, "%s cannot be read (resolved to %s): %s", what, abs,
				       strerror(errno));
	} else if (want_dir && !S_ISDIR(st.st_mode)) {
		scen_add_error(p, line, "%s is not a directory (resolved to %s)", what, abs);
	} else if (!want_dir && !S_ISREG(st.st_mode)) {
		scen_add_error(p, line, "%s is not a regular file (resolved to %s)", what, abs);
	} else {
		return abs;
	}
	free(abs);
	return NULL;
}

void scen_replace(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

/* ---- [scenario] ---- */

/* Resolved by scenario_check, once it knows whether [world] exists. */
void scen_set_repo(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
		   int line)
{
	(void)k, (void)base, (void)line;
	scen_replace(&p->repo_raw, v);
}

void scen_set_context(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
		      int line)
{
	struct scenario *s = base;
	(void)k;
	if (*v == '/')
		scen_add_error(p, line, "context '%s' must be relative to the repository root, "
			       "not absolute", v);
	else if (!scen_is_inner_path(v))
		scen_add_error(p, line, "context '%s' must not leave the repository with '..'; "
			       "use a folder inside it", v);
	else
		scen_replace(&s->context, v);
}

void scen_set_build_args(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
			 int line)
{
	struct scenario *s = base;
	size_t first = s->build_args_count;
	(void)k;

	while (*v) {
		size_t len = strcspn(v, " \t"), i;
		const char *eq = memchr(v, '=', len);
		if (!eq || !scen_is_identifier(v, (size_t)(eq - v))) {
			scen_add_error(p, line, "invalid build_args entry '%.*s' (use KEY=VALUE, KEY "
				       "made of letters, digits and '_', not starting with a digit)",
				       (int)len, v);
		} else {
			bool dup = false;
			for (i = first; i < s->build_args_count; i++)
				if (!strncmp(s->build_args[i], v, (size_t)(eq - v) + 1))
					dup = true;
			if (dup) {
				scen_add_error(p, line, "build arg '%.*s' is given twice in build_args; "
					       "keep one", (int)(eq - v), v);
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

/* Read "id=ID,src=FILE" or "id=ID,env=VAR" into sec and *src; NULL or why not. */
static const char *secret_fields(struct secret *sec, char **src, const char *c)
{
	while (*c) {
		size_t len = strcspn(c, ","), klen;
		const char *eq = memchr(c, '=', len);
		char **slot;
		if (!eq || eq == c || eq + 1 == c + len)
			return "each field is NAME=VALUE";
		klen = (size_t)(eq - c);
		if (klen == 2 && !strncmp(c, "id", 2))
			slot = &sec->id;
		else if (klen == 3 && !strncmp(c, "src", 3))
			slot = src;
		else if (klen == 3 && !strncmp(c, "env", 3))
			slot = &sec->env;
		else
			return "unknown field";
		if (*slot)
			return "a field is given twice";
		*slot = xstrndup(eq + 1, (size_t)(c + len - eq - 1));
		c += len + (c[len] == ',');
	}
	if (!sec->id)
		return "id is missing";
	if (!scen_is_name(sec->id))
		return "id must be letters, digits, '.', '_' and '-'";
	if (!*src == !sec->env)
		return "give exactly one of src and env";
	if (sec->env && !scen_is_identifier(sec->env, strlen(sec->env)))
		return "env must name an environment variable";
	return NULL;
}

void scen_set_secret(struct scen_parser *p, const struct key_def *k, void *base, const char *value,
		     int line)
{
	struct scenario *s = base;
	struct secret sec = {0};
	const char *why;
	char *src = NULL, *what = NULL;
	size_t i;
	(void)k;

	if ((why = secret_fields(&sec, &src, value))) {
		scen_add_error(p, line, "invalid secret '%s': %s (use id=ID,src=FILE or "
			       "id=ID,env=VARNAME)", value, why);
		goto done;
	}
	for (i = 0; i < s->secrets_count; i++) {
		if (!strcmp(s->secrets[i].id, sec.id)) {
			scen_add_error(p, line, "duplicate secret id '%s' (first at line %d); give "
				       "each secret its own id", sec.id, p->secret_lines[i]);
			goto done;
		}
	}
	if (src) {
		what = xasprintf("secret '%s': src '%s'", sec.id, src);
		if (!(sec.src = scen_resolve(p, line, what, src, false)))
			goto done;
	}
	i = s->secrets_count++;
	s->secrets = xrealloc(s->secrets, (i + 1) * sizeof(*s->secrets));
	p->secret_lines = xrealloc(p->secret_lines, (i + 1) * sizeof(*p->secret_lines));
	s->secrets[i] = sec;
	p->secret_lines[i] = line;
	memset(&sec, 0, sizeof(sec));
done:
	free(sec.id);
	free(sec.src);
	free(sec.env);
	free(src);
	free(what);
}

/* ---- [variant NAME] ---- */

void scen_set_dockerfile(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
			 int line)
{
	struct variant *var = base;
	char *what;
	(void)k;

	if (!strncmp(v, "repo:", 5)) {
		if (scen_is_inner_path(v + 5)) {
			scen_replace(&var->dockerfile, v + 5);
			var->dockerfile_in_repo = true;
		} else {
			scen_add_error(p, line, "dockerfile '%s' must name a relative path inside the "
				       "commit, without '..' (e.g. repo:docker/app.Dockerfile)", v);
		}
		return;
	}
	what = xasprintf("dockerfile '%s'", v);
	free(var->dockerfile);
	var->dockerfile = scen_resolve(p, line, what, v, false);
	var->dockerfile_in_repo = false;
	free(what);
}

void scen_set_dockerignore(struct scen_parser *p, const struct key_def *k, void *base,
			   const char *v, int line)
{
	struct variant *var = base;
	char *what = xasprintf("dockerignore '%s'", v);
	(void)k;

	free(var->dockerignore);
	var->dockerignore = scen_resolve(p, line, what, v, false);
	free(what);
}

/* cache_key = commit | files:PATH[,PATH...]: the actions/cache key of the
 * cache folder, a new one per commit (the blog's github.sha) or the hash of
 * files of the commit (hashFiles). */
void scen_set_cache_key(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
			int line)
{
	struct variant *var = base;
	char *list, *tok, *save = NULL;

	scen_keys_release_one(k, base);
	if (!strcmp(v, "commit"))
		return;
	if (strncmp(v, "files:", 6) || !v[6]) {
		scen_add_error(p, line, "invalid cache_key '%s' (use commit, or files:PATH[,PATH...] "
			       "with paths inside the commit)", v);
		return;
	}
	list = xstrdup(v + 6);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!scen_is_inner_path(tok)) {
			scen_add_error(p, line, "cache_key path '%s' must be relative to the commit, "
				       "without '..'", tok);
			continue;
		}
		var->cache_key_files = xrealloc(var->cache_key_files,
						(var->cache_key_files_count + 1) * sizeof(char *));
		var->cache_key_files[var->cache_key_files_count++] = xstrdup(tok);
	}
	free(list);
}

/* Names from a NULL-terminated list as "a, b, c". Caller frees. */
static char *names_text(const char *const *names)
{
	struct strbuf sb = {0};
	size_t i;
	for (i = 0; names[i]; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", names[i]);
	return strbuf_detach(&sb);
}

/* A string field that must be one of known, with "unknown WHAT" errors. */
static void set_known(struct scen_parser *p, char **field, const char *what,
		      const char *const *known, const char *v, int line)
{
	char *list;
	size_t i;

	for (i = 0; known[i]; i++) {
		if (!strcmp(known[i], v)) {
			scen_replace(field, v);
			return;
		}
	}
	list = names_text(known);
	scen_add_error(p, line, "unknown %s '%s' (known: %s)", what, v, list);
	free(list);
}

void scen_set_builder(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
		      int line)
{
	(void)k;
	if (builder_find(v))
		scen_replace(&((struct variant *)base)->builder, v);
	else
		scen_add_error(p, line, "unknown builder '%s' (known: %s)", v, builder_names());
}

/* A kind of the cache table (cache_kind.h): the row, named once there. */
void scen_set_cache(struct scen_parser *p, const struct key_def *k, void *base, const char *v, int line)
{
	const struct cache_kind *kind = cache_kind_find(v);

	(void)k;
	if (kind)
		((struct variant *)base)->cache = kind;
	else
		scen_add_error(p, line, "invalid cache '%s' (use %s)", v, cache_kind_names());
}

/* ---- [world] ---- */

void scen_set_world_kind(struct scen_parser *p, const struct key_def *k, void *base, const char *v,
			 int line)
{
	static const char *const kinds[] = {"cafeboo", NULL};
	(void)k;
	set_known(p, &((struct world_settings *)base)->kind, "world kind", kinds, v, line);
}

/* "N/min" or "N/s" (or "0": no limit), N a whole number, into an int of
 * requests per minute. */
void scen_set_request_rate(struct scen_parser *p, const struct key_def *k, void *base,
			   const char *v, int line)
{
	const char *slash = strchr(v, '/');
	char *num = xstrndup(v, slash ? (size_t)(slash - v) : strlen(v));
	unsigned long long n, per = 0;

	if (!slash)
		per = strcmp(v, "0") ? 0 : 1;
	else if (!strcmp(slash, "/min"))
		per = 1;
	else if (!strcmp(slash, "/s"))
		per = 60;
	if (per && scen_parse_uint(&n, num, 1000000))
		*(int *)((char *)base + k->off) = (int)(n * per);
	else
		scen_add_error(p, line, "invalid rate '%s' for '%s' (a whole number per minute or "
			       "second, e.g. 200/min or 10/s; 0 for no limit)", v, k->name);
	free(num);
}
