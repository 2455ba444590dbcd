/*
 * verdict.c: the verdict of a run (see verdict.h): build kinds from changed
 * files, the mix and push rate of a history, the expected time per push per
 * variant, minutes and dollars per month, and the pick by the gate's rule.
 */
#include "results/verdict.h"
#include "results/report.h"
#include "results/results.h"
#include "results/stats.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- kinds ---- */

const char *build_kind_title(enum build_kind k)
{
	static const char *const titles[BUILD_KINDS] = {"first build", "code-only", "dependency change",
							 "Dockerfile change"};
	return (unsigned)k < BUILD_KINDS ? titles[k] : "?";
}

int build_kind_parse(const char *name)
{
	int i;
	for (i = 0; name && i < BUILD_KINDS; i++)
		if (!strcmp(name, build_kind_names[i]))
			return i;
	return -1;
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool has_prefix_suffix(const char *s, const char *prefix, const char *suffix)
{
	size_t n = strlen(s), p = strlen(prefix), q = strlen(suffix);
	return n >= p + q && !strncmp(s, prefix, p) && !strcmp(s + n - q, suffix);
}

bool build_kind_is_manifest(const char *path, char *const *more, size_t nmore)
{
	/* the files package managers install from, lock files included */
	static const char *const names[] = {
		"Pipfile", "Pipfile.lock", "poetry.lock", "pyproject.toml", "setup.py", "setup.cfg",
		"uv.lock", "pdm.lock", "environment.yml", "yarn.lock", "pnpm-lock.yaml",
		"npm-shrinkwrap.json", "bun.lockb", "go.mod", "go.sum", "Cargo.toml", "Cargo.lock",
		"pom.xml", "build.gradle", "build.gradle.kts", "gradle.lockfile", "Gemfile",
		"Gemfile.lock", "composer.json", "composer.lock", "mix.exs", "mix.lock",
		"packages.lock.json", "Directory.Packages.props", NULL};
	const char *base = base_of(path);
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(base, names[i]))
			return true;
	for (i = 0; i < nmore; i++)
		if (!strcmp(base, more[i]) || !strcmp(path, more[i]))
			return true;
	/* requirements.txt, requirements-dev.txt, requirements/base.txt */
	if (has_prefix_suffix(base, "requirements", ".txt") || has_prefix_suffix(base, "requirements", ".in") ||
	    has_prefix_suffix(base, "constraints", ".txt"))
		return true;
	if (base != path && has_prefix_suffix(base, "", ".txt") &&
	    (!strncmp(path, "requirements/", 13) || strstr(path, "/requirements/")))
		return true;
	/* package.json, package-lock.json */
	return has_prefix_suffix(base, "package", ".json");
}

bool build_kind_is_dockerfile(const char *path)
{
	const char *base = base_of(path);
	return !strcmp(base, "Dockerfile") || !strncmp(base, "Dockerfile.", 11) ||
	       !strcmp(base, "Containerfile") || has_prefix_suffix(base, "", ".Dockerfile") ||
	       has_prefix_suffix(base, "", ".dockerfile") || has_prefix_suffix(base, "", ".dockerignore") ||
	       !strcmp(base, ".dockerignore");
}

enum build_kind build_kind_of(char *const *files, size_t n, char *const *more, size_t nmore)
{
	enum build_kind k = BUILD_CODE;
	size_t i;

	for (i = 0; i < n; i++) {
		if (build_kind_is_dockerfile(files[i]))
			return BUILD_DOCKERFILE;
		if (build_kind_is_manifest(files[i], more, nmore))
			k = BUILD_DEPS;
	}
	return k;
}

/* The strings of JSON array a (borrowed from it) as a new array of n. */
static char **strings_of(size_t *n, json_t *a)
{
	char **v = xcalloc(json_array_size(a) + 1, sizeof(*v));
	json_t *x;
	size_t i;

	*n = 0;
	json_array_foreach(a, i, x)
		if (json_is_string(x))
			v[(*n)++] = (char *)json_string_value(x);
	return v;
}

enum build_kind build_kind_of_record(json_t *build, json_t *more)
{
	json_t *files = json_object_get(build, "changed_since_previous");
	int recorded = build_kind_parse(json_string_value(json_object_get(build, "kind")));
	char **paths, **extra;
	size_t n, nmore;
	enum build_kind k;

	if (recorded >= 0)
		return (enum build_kind)recorded;
	if (!strcmp(json_str(build, "phase"), "cold"))
		return BUILD_FIRST;
	if (!json_is_array(files))
		files = json_object_get(build, "changed");
	paths = strings_of(&n, files);
	extra = strings_of(&nmore, more);
	k = build_kind_of(paths, n, extra, nmore);
	free(paths);
	free(extra);
	return k;
}

/* ---- history ---- */

void verdict_history_add(struct verdict_history *h, char *const *files, size_t n, long long time, bool root,
			 char *const *more, size_t nmore)
{
	h->kinds[root ? BUILD_FIRST : build_kind_of(files, n, more, nmore)]++;
	if (!h->commits || time < h->oldest)
		h->oldest = time;
	if (!h->commits || time > h->newest)
		h->newest = time;
	h->commits++;
}

/* Days the history spans: at least one (a burst of commits in an hour is
 * not a rate of thousands a day). */
static double history_days(long long oldest, long long newest)
{
	double d = (double)(newest - oldest) / 86400.0;
	return d < 1 ? 1 : d;
}

json_t *verdict_history_json(const struct verdict_history *h, const char *source)
{
	json_t *o = json_object(), *kinds = json_object();
	double days = history_days(h->oldest, h->newest);
	size_t i;

	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "commits", json_integer((json_int_t)h->commits));
	json_object_set_new(o, "oldest", json_integer(h->oldest));
	json_object_set_new(o, "newest", json_integer(h->newest));
	json_object_set_new(o, "days", json_real(days));
	/* every first-parent commit but the first is one push that builds */
	json_object_set_new(o, "pushes_per_day",
			    h->commits > 1 ? json_real((double)(h->commits - 1) / days) : json_null());
	for (i = 0; i < BUILD_KINDS; i++)
		json_object_set_new(kinds, build_kind_names[i], json_integer((json_int_t)h->kinds[i]));
	json_object_set_new(o, "kinds", kinds);
	return o;
}

/* ---- the verdict ---- */

struct sample {
	double *v;
	size_t n, cap;
};

static void sample_push(struct sample *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = x;
}

struct var {
	const char *name;
	struct sample kind[BUILD_KINDS];
	struct sample warm;   /* every ok warm build, the pick's test sample */
	double per_push;
};

/* The mix: [verdict] mix, else the history's kinds (the root commit left
 * out), else the kinds of the replayed commits (one series' warm builds).
 * Fills mix (sums to 1) and returns where it came from (a new string), or
 * NULL when nothing gives one. */
static char *mix_of(double mix[BUILD_KINDS], json_t *run, json_t *builds)
{
	json_t *set = json_object_get(json_object_get(run, "scenario"), "verdict");
	json_t *hist = json_object_get(run, "history"), *b;
	const char *s = json_string_value(json_object_get(set, "mix"));
	double n[BUILD_KINDS] = {0}, sum = 0;
	const char *series = NULL;
	int rep = 0;
	size_t i;

	if (s && scenario_mix_parse(mix, s))
		return xstrdup("[verdict] mix");
	if (json_is_object(hist)) {
		json_t *kinds = json_object_get(hist, "kinds");
		for (i = BUILD_CODE; i < BUILD_KINDS; i++)
			sum += n[i] = json_num(kinds, build_kind_names[i], 0);
		if (sum > 0) {
			for (i = 0; i < BUILD_KINDS; i++)
				mix[i] = n[i] / sum;
			return xasprintf("%s (%.0f commits)", json_str(hist, "source"), sum);
		}
	}
	/* the commits the run replayed: the builds of its first series */
	json_array_foreach(builds, i, b) {
		if (!series) {
			series = json_str(b, "variant");
			rep = (int)json_num(b, "repetition", 1);
		}
		if (strcmp(json_str(b, "variant"), series) || (int)json_num(b, "repetition", 1) != rep ||
		    !strcmp(json_str(b, "phase"), "cold"))
			continue;
		n[build_kind_of_record(b, json_object_get(set, "manifests"))]++;
		sum++;
	}
	if (!(sum > 0))
		return NULL;
	for (i = 0; i < BUILD_KINDS; i++)
		mix[i] = n[i] / sum;
	return xasprintf("the %.0f replayed commits after the first", sum);
}

/* Did every variant with an ok warm build (the others are out of the
 * verdict) measure kind k? */
static bool measured_everywhere(const struct var *vars, size_t nv, size_t k)
{
	size_t i, in = 0;

	for (i = 0; i < nv; i++) {
		if (!vars[i].warm.n)
			continue;
		in++;
		if (!vars[i].kind[k].n)
			return false;
	}
	return in > 0;
}

static int by_per_push(const void *a, const void *b)
{
	const struct var *x = a, *y = b;
	if (isnan(x->per_push) != isnan(y->per_push))
		return isnan(x->per_push) ? 1 : -1;
	return x->per_push < y->per_push ? -1 : x->per_push > y->per_push;
}

/* The pick: vars[0] (the fastest per push) when the gate's rule finds its
 * warm builds better than the runner-up's beyond the threshold and the
 * noise; else too close to call. */
static void decide(json_t *out, struct var *vars, size_t nv)
{
	struct stats_decision d;

	if (nv == 0 || isnan(vars[0].per_push)) {
		json_object_set_new(out, "pick", json_null());
		json_object_set_new(out, "too_close", json_false());
		json_object_set_new(out, "reason", json_string("no variant has an ok warm build"));
		return;
	}
	if (nv == 1 || isnan(vars[1].per_push)) {
		json_object_set_new(out, "pick", json_string(vars[0].name));
		json_object_set_new(out, "too_close", json_false());
		json_object_set_new(out, "reason", json_string("the only variant with ok warm builds"));
		return;
	}
	stats_decide(&d, vars[1].warm.v, vars[1].warm.n, vars[0].warm.v, vars[0].warm.n,
		     COMPARE_THRESHOLD, false);
	if (d.change == STATS_BETTER) {
		json_object_set_new(out, "pick", json_string(vars[0].name));
		json_object_set_new(out, "too_close", json_false());
	} else {
		json_object_set_new(out, "pick", json_null());
		json_object_set_new(out, "too_close", json_true());
	}
	json_object_set_new(out, "runner_up", json_string(vars[1].name));
	json_object_set_new(out, "reason", json_sprintf("%s against %s's warm builds: %s", vars[0].name,
							vars[1].name, d.reason));
	json_object_set_new(out, "p", isnan(d.p) ? json_null() : json_real(d.p));
}

json_t *verdict_compute(json_t *run)
{
	json_t *builds = json_object_get(run, "builds"), *names = json_distinct_strs(builds, "variant");
	json_t *set = json_object_get(json_object_get(run, "scenario"), "verdict");
	json_t *hist = json_object_get(run, "history");
	json_t *out = NULL, *kinds, *mixo, *unmeasured, *vs, *b, *name;
	double mix[BUILD_KINDS] = {0}, covered = 0, rate, price;
	bool measured[BUILD_KINDS];
	struct var *vars = NULL;
	size_t nv = json_array_size(names), i, k;
	char *mix_source = NULL;
	const char *rate_source;

	if (!nv)
		goto done;
	vars = xcalloc(nv, sizeof(*vars));
	json_array_foreach(names, i, name)
		vars[i].name = json_string_value(name);
	json_array_foreach(builds, i, b) {
		struct var *v = NULL;
		enum build_kind kind;
		double t = json_num(b, "wall_seconds", NAN);

		if (strcmp(json_str(b, "status"), "ok") || !isfinite(t))
			continue;
		for (k = 0; k < nv && !v; k++)
			if (!strcmp(vars[k].name, json_str(b, "variant")))
				v = &vars[k];
		kind = build_kind_of_record(b, json_object_get(set, "manifests"));
		sample_push(&v->kind[kind], t);
		if (kind != BUILD_FIRST)
			sample_push(&v->warm, t);
	}

	out = json_object();
	mix_source = mix_of(mix, run, builds);
	kinds = json_array();
	mixo = json_object();
	unmeasured = json_array();
	for (k = 0; k < BUILD_KINDS; k++) {
		json_t *ko = json_object(), *per = json_object();

		for (i = 0; i < nv; i++) {
			struct sample *s = &vars[i].kind[k];
			if (s->n)
				json_object_set_new(per, vars[i].name,
						    json_pack("{s:I, s:f}", "n", (json_int_t)s->n, "median",
							      stats_median(s->v, s->n)));
		}
		json_object_set_new(mixo, build_kind_names[k], json_real(mix[k]));
		/* a kind every variant measured counts; the others' weight is
		 * spread over them (named in "unmeasured") */
		measured[k] = measured_everywhere(vars, nv, k);
		if (mix[k] > 0 && !measured[k])
			json_array_append_new(unmeasured, json_string(build_kind_names[k]));
		else
			covered += mix[k];
		json_object_set_new(ko, "kind", json_string(build_kind_names[k]));
		json_object_set_new(ko, "title", json_string(build_kind_title(k)));
		json_object_set_new(ko, "weight", json_real(mix[k]));
		json_object_set_new(ko, "variants", per);
		json_array_append_new(kinds, ko);
	}
	json_object_set_new(out, "kinds", kinds);
	json_object_set_new(out, "mix", mixo);
	json_object_set_new(out, "mix_source", mix_source ? json_string(mix_source) : json_null());
	json_object_set_new(out, "unmeasured", unmeasured);

	for (i = 0; i < nv; i++) {
		/* a variant without an ok warm build has no time per push */
		vars[i].per_push = covered > 0 && vars[i].warm.n ? 0 : NAN;
		for (k = 0; k < BUILD_KINDS && !isnan(vars[i].per_push); k++)
			if (mix[k] > 0 && measured[k])
				vars[i].per_push += mix[k] / covered * stats_median(vars[i].kind[k].v, vars[i].kind[k].n);
	}

	rate = json_num(set, "pushes_per_day", 0);
	rate_source = "[verdict] pushes_per_day";
	if (!(rate > 0)) {
		rate = json_num(hist, "pushes_per_day", NAN);
		rate_source = "the history's commit dates";
	}
	if (!(rate > 0)) {
		rate = NAN;
		rate_source = "unknown: set [verdict] pushes_per_day";
	}
	price = json_num(set, "price_per_minute", VERDICT_PRICE_PER_MINUTE);
	json_object_set_new(out, "pushes_per_day", isnan(rate) ? json_null() : json_real(rate));
	json_object_set_new(out, "pushes_source", json_string(rate_source));
	json_object_set_new(out, "price_per_minute", json_real(price));
	json_object_set_new(out, "price_source",
			    json_string(price == VERDICT_PRICE_PER_MINUTE ? VERDICT_PRICE_SOURCE
									 : "[verdict] price_per_minute"));

	qsort(vars, nv, sizeof(*vars), by_per_push);
	vs = json_array();
	for (i = 0; i < nv; i++) {
		double minutes = vars[i].per_push / 60.0 * rate * VERDICT_DAYS_PER_MONTH;
		json_t *vo = json_object();
		json_object_set_new(vo, "variant", json_string(vars[i].name));
		json_object_set_new(vo, "per_push_seconds",
				    isfinite(vars[i].per_push) ? json_real(vars[i].per_push) : json_null());
		json_object_set_new(vo, "minutes_per_month", isfinite(minutes) ? json_real(minutes) : json_null());
		json_object_set_new(vo, "cost_per_month", isfinite(minutes) ? json_real(minutes * price) : json_null());
		json_array_append_new(vs, vo);
	}
	json_object_set_new(out, "variants", vs);
	decide(out, vars, nv);

done:
	for (i = 0; vars && i < nv; i++) {
		for (k = 0; k < BUILD_KINDS; k++)
			free(vars[i].kind[k].v);
		free(vars[i].warm.v);
	}
	free(vars);
	free(mix_source);
	json_decref(names);
	return out;
}

json_t *verdict_of(json_t *run)
{
	json_t *v = json_object_get(run, "verdict");
	return json_is_object(v) ? json_incref(v) : verdict_compute(run);
}
