/*
 * bisect.c: the decision logic of `bench bisect` (see bisect.h): the
 * bisection replayed over the recorded probes, the rule that says a probe is
 * bad, and the steps whose cache the culprit broke.
 */
#include "results/bisect.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "builders/parser.h"
#include "builders/rawjson.h"
#include "results/stats.h"
#include "lib/util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One recorded probe: the builds of series (variant, number). */
struct probe_rec {
	int number;
	json_t *cold, *warm; /* index 1 and 2, borrowed */
};

/* A replay of the bisection over the recorded probes. */
struct walk {
	const struct bisect_config *cfg;
	const struct commit_info *range;
	size_t n;
	struct probe_rec *recs;   /* the complete probes, by number */
	size_t nrecs, used;       /* used: consumed so far, in order */
	int next_number;          /* for a new probe */
	struct bisect_result *out;
	double *good;             /* the good end's values */
	size_t ngood;
	json_t **first_warm;      /* per range commit: its first probe's warm build */
};

enum judgement { J_NEED, J_GOOD, J_BAD, J_SKIP, J_UNDECIDED };

const char *bisect_metric_name(enum bisect_metric m)
{
	return m == BISECT_WARM_SECONDS ? "warm_seconds" : "cached_steps";
}

int bisect_metric_parse(enum bisect_metric *out, const char *name)
{
	if (!strcmp(name, "cached_steps"))
		*out = BISECT_CACHED_STEPS;
	else if (!strcmp(name, "warm_seconds"))
		*out = BISECT_WARM_SECONDS;
	else
		return bench_error_set(BENCH_EINVALID, "unknown metric '%s' (use cached_steps or "
				       "warm_seconds)", name);
	return 0;
}

const char *bisect_verdict_name(enum bisect_verdict v)
{
	switch (v) {
	case BISECT_PROBE: return "running";
	case BISECT_FOUND: return "found";
	case BISECT_NONE: return "none";
	case BISECT_UNDECIDED: return "undecided";
	}
	return "unknown";
}

/* ---- the recorded probes ---- */

static int rec_cmp(const void *a, const void *b)
{
	const struct probe_rec *x = a, *y = b;
	return (x->number > y->number) - (x->number < y->number);
}

static void collect(struct walk *w, json_t *builds)
{
	struct probe_rec *all = NULL;
	size_t nall = 0, i, k;
	json_t *b;

	json_array_foreach(builds, i, b) {
		int number = (int)json_num(b, "repetition", 0), index = (int)json_num(b, "index", 0);
		if (strcmp(json_str(b, "variant"), w->cfg->variant) || number < 1)
			continue;
		if (number >= w->next_number)
			w->next_number = number + 1;
		for (k = 0; k < nall && all[k].number != number; k++)
			;
		if (k == nall) {
			all = xrealloc(all, (nall + 1) * sizeof(*all));
			all[nall++] = (struct probe_rec){.number = number};
		}
		if (index == 1)
			all[k].cold = b;
		else if (index == 2)
			all[k].warm = b;
	}
	if (nall)
		qsort(all, nall, sizeof(*all), rec_cmp);
	for (k = 0; k < nall; k++)
		if (all[k].warm && strcmp(json_str(all[k].warm, "status"), "interrupted"))
			all[w->nrecs++] = all[k];
	w->recs = all;
}

static bool probe_ok(const struct probe_rec *r)
{
	return r->cold && !strcmp(json_str(r->cold, "status"), "ok") &&
	       !strcmp(json_str(r->warm, "status"), "ok");
}

static double probe_value(const struct walk *w, const struct probe_rec *r)
{
	return w->cfg->metric == BISECT_CACHED_STEPS ? json_num(r->warm, "steps_cached", NAN)
						     : json_num(r->warm, "wall_seconds", NAN);
}

/* The entry of the probes log for r, in role. Borrowed from out->probes. */
static json_t *log_probe(struct walk *w, const struct probe_rec *r, const char *role)
{
	json_t *e = json_object();
	json_t *bad = probe_ok(r) ? NULL : r->cold && !strcmp(json_str(r->cold, "status"), "ok") ? r->warm : r->cold;

	json_object_set_new(e, "probe", json_integer(r->number));
	json_object_set_new(e, "commit", json_string(json_str(r->warm, "commit")));
	json_object_set_new(e, "short", json_string(json_str(r->warm, "short")));
	json_object_set_new(e, "subject", json_string(json_str(r->warm, "subject")));
	json_object_set_new(e, "role", json_string(role));
	json_object_set_new(e, "status", json_string(probe_ok(r) ? "ok" : bad ? json_str(bad, "status") : "missing"));
	json_object_set_new(e, "cached_steps", json_integer((json_int_t)json_num(r->warm, "steps_cached", 0)));
	json_object_set_new(e, "steps_total", json_integer((json_int_t)json_num(r->warm, "steps_total", 0)));
	json_object_set_new(e, "warm_seconds", json_real(json_num(r->warm, "wall_seconds", 0)));
	if (!probe_ok(r) && !bad)
		json_object_set_new(e, "note", json_string("the parent's build is not recorded"));
	else if (bad)
		json_object_set_new(e, "note", json_sprintf("the %s build (%s) %s: %s",
			bad == r->cold ? "parent's" : "commit's", json_str(bad, "short"), json_str(bad, "status"),
			*json_str(bad, "reason") ? json_str(bad, "reason") : "no reason recorded"));
	json_array_append_new(w->out->probes, e);
	return e;
}

static void set_verdict(json_t *e, const char *verdict, const char *why)
{
	json_object_set_new(e, "verdict", json_string(verdict));
	if (why && !json_object_get(e, "note"))
		json_object_set_new(e, "note", json_string(why));
}

/* The next recorded probe, which must be at commit id: 1 and *rec, or 0
 * after asking for a new probe of id in out, or BENCH_EINVALID. */
static int take(struct walk *w, struct probe_rec **rec, json_t **entry, const char *id,
		const char *role)
{
	struct probe_rec *r;

	if (w->used == w->nrecs) {
		w->out->verdict = BISECT_PROBE;
		snprintf(w->out->probe_commit, sizeof(w->out->probe_commit), "%s", id);
		w->out->probe_number = w->next_number;
		return 0;
	}
	r = &w->recs[w->used];
	if (strcmp(json_str(r->warm, "commit"), id))
		return bench_error_set(BENCH_EINVALID, "probe %d of the recorded bisection is at commit "
				       "%.7s where this bisection probes %.7s: resume it with the scenario, "
				       "variant, metric and range it was started with", r->number,
				       json_str(r->warm, "commit"), id);
	w->used++;
	*rec = r;
	*entry = log_probe(w, r, role);
	return 1;
}

/* ---- the rule ---- */

static void undecided(struct walk *w, char *reason)
{
	w->out->verdict = BISECT_UNDECIDED;
	free(w->out->reason);
	w->out->reason = reason;
}

/* The good end probed once more (time metric). 1 when a sample was added, 0
 * when a probe is needed, a negative code, or 2 when it failed (undecided). */
static int good_again(struct walk *w)
{
	struct probe_rec *r;
	json_t *e;
	int rc = take(w, &r, &e, w->range[0].parent, "good end, again");

	if (rc <= 0)
		return rc;
	if (!probe_ok(r)) {
		set_verdict(e, "failed", NULL);
		undecided(w, xasprintf("the good end %.7s failed on its probe %d: %s", w->range[0].parent,
				       r->number, json_str(e, "note")));
		return 2;
	}
	w->good[w->ngood++] = probe_value(w, r);
	set_verdict(e, "good end", NULL);
	return 1;
}

/* The verdict of stats_decide on a probe: good, bad, or NULL (inconclusive). */
static const char *decided(enum judgement *j, const struct stats_decision *d)
{
	if (d->change == STATS_INCONCLUSIVE)
		return NULL;
	*j = d->change == STATS_WORSE ? J_BAD : J_GOOD;
	return *j == J_BAD ? "bad" : "good";
}

/* Whether range[k] is bad, probing it (and for time the good end again) as
 * long as the rule needs. Returns 0 with *j (J_NEED: a probe was asked for)
 * or a negative code. */
static int judge(struct walk *w, enum judgement *j, size_t k, const char *role)
{
	const struct commit_info *c = &w->range[k];
	size_t max = (size_t)w->cfg->max_samples, nn = 0;
	double *now = xcalloc(max + 1, sizeof(*now));
	struct stats_decision d;
	struct probe_rec *r;
	const char *verdict;
	json_t *e = NULL;
	char *why;
	int rc = 0;

	*j = J_NEED;
	for (;;) {
		if ((rc = take(w, &r, &e, c->id, nn ? "again" : role)) <= 0)
			goto done;
		if (!nn)
			w->first_warm[k] = r->warm;
		if (!probe_ok(r)) {
			set_verdict(e, "skip", NULL);
			*j = J_SKIP;
			goto done;
		}
		now[nn++] = probe_value(w, r);
		if (w->cfg->metric == BISECT_CACHED_STEPS) {
			*j = now[0] < w->good[0] ? J_BAD : J_GOOD;
			why = xasprintf("%.0f cached steps against the good end's %.0f", now[0], w->good[0]);
			set_verdict(e, *j == J_BAD ? "bad" : "good", why);
			free(why);
			goto done;
		}
decide:
		stats_decide(&d, w->good, w->ngood, now, nn, w->cfg->threshold, false);
		if ((verdict = decided(j, &d))) {
			why = xasprintf("warm %.2f s (median of %zu) against the good end's %.2f s (of %zu): %s",
					d.now_median, nn, d.base_median, w->ngood, d.reason);
			set_verdict(e, verdict, why);
			free(why);
			goto done;
		}
		set_verdict(e, "inconclusive", d.reason);
		if (nn >= max && w->ngood >= max) {
			undecided(w, xasprintf("commit %s (%s) is still inconclusive after %zu probes against "
					       "%zu of the good end: %s", c->short_id, c->subject, nn, w->ngood,
					       d.reason));
			*j = J_UNDECIDED;
			goto done;
		}
		if (w->ngood < max) {
			if ((rc = good_again(w)) <= 0)
				goto done;
			if (rc == 2) {
				*j = J_UNDECIDED;
				rc = 0;
				goto done;
			}
		}
		if (nn >= max)
			goto decide; /* only the good end can grow */
	}
done:
	free(now);
	return rc < 0 ? rc : 0;
}

/* The range commit strictly between lo and hi, not skipped, nearest their
 * middle (the lower on a tie); -1 when every one is skipped. */
static long pick_middle(long lo, long hi, const bool *skipped)
{
	long mid = lo + (hi - lo) / 2, d;

	for (d = 0; mid - d > lo || mid + d < hi; d++) {
		if (mid - d > lo && mid - d < hi && !skipped[mid - d])
			return mid - d;
		if (d && mid + d < hi && mid + d > lo && !skipped[mid + d])
			return mid + d;
	}
	return -1;
}

/* Undecided: the first bad commit is one of the skipped ones in (lo, hi)
 * or hi. */
static void undecided_skipped(struct walk *w, long lo, long hi)
{
	struct strbuf sb = {0};
	long k;

	for (k = lo + 1; k <= hi; k++)
		strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", w->range[k].short_id);
	undecided(w, xasprintf("the first bad commit is one of %s: the probes of all but the last "
			       "failed to build, so they cannot be told apart", sb.buf));
	strbuf_release(&sb);
}

static int bisect_walk(struct walk *w)
{
	struct bisect_result *out = w->out;
	struct probe_rec *r;
	enum judgement j;
	json_t *e;
	bool *skipped = xcalloc(w->n, sizeof(*skipped));
	long lo = -1, hi = (long)w->n - 1, mid;
	int rc;

	/* the good end */
	if ((rc = take(w, &r, &e, w->range[0].parent, "good end")) <= 0)
		goto done;
	out->good_build = r->warm;
	if (!probe_ok(r)) {
		set_verdict(e, "failed", NULL);
		undecided(w, xasprintf("the good end %.7s (the commit before the range) failed on its "
				       "probe: %s", w->range[0].parent, json_str(e, "note")));
		goto done;
	}
	w->good[w->ngood++] = probe_value(w, r);
	set_verdict(e, "good end", NULL);
	if (w->cfg->metric == BISECT_CACHED_STEPS && w->good[0] <= 0) {
		undecided(w, xasprintf("the good end %.7s (%s) reused no cached step on its probe, so no "
				       "probe can reuse fewer: start the range after a commit whose own change "
				       "leaves the cache of most steps alone, or use --metric warm_seconds",
				       w->range[0].parent, json_str(r->warm, "subject")));
		goto done;
	}

	/* the bad end: when it is not bad, none is */
	if ((rc = judge(w, &j, (size_t)hi, "bad end")) < 0 || j == J_NEED || j == J_UNDECIDED)
		goto done;
	if (j == J_SKIP) {
		undecided(w, xasprintf("the newest commit %s (%s) failed to build on its probe: the "
				       "range has no known bad end", w->range[hi].short_id, w->range[hi].subject));
		goto done;
	}
	if (j == J_GOOD) {
		out->verdict = BISECT_NONE;
		out->reason = xasprintf("no commit of the range broke the cache: the newest, %s (%s), is "
					"not worse than the good end %.7s (%s)", w->range[hi].short_id,
					w->range[hi].subject, w->range[0].parent,
					json_str(json_array_get(out->probes, json_array_size(out->probes) - 1), "note"));
		goto done;
	}

	while (hi - lo > 1) {
		if ((mid = pick_middle(lo, hi, skipped)) < 0) {
			undecided_skipped(w, lo, hi);
			goto done;
		}
		if ((rc = judge(w, &j, (size_t)mid, "bisect")) < 0 || j == J_NEED || j == J_UNDECIDED)
			goto done;
		if (j == J_SKIP)
			skipped[mid] = true;
		else if (j == J_BAD)
			hi = mid;
		else
			lo = mid;
	}
	out->verdict = BISECT_FOUND;
	out->culprit = (size_t)hi;
	out->culprit_build = w->first_warm[hi];
	out->reason = xasprintf("the first bad commit is %s (%s)", w->range[hi].short_id, w->range[hi].subject);
done:
	free(skipped);
	return rc < 0 ? rc : 0;
}

int bisect_step(struct bisect_result *out, const struct bisect_config *cfg,
		const struct commit_info *range, size_t n, json_t *builds)
{
	struct walk w = {.cfg = cfg, .range = range, .n = n, .out = out, .next_number = 1};
	int error;

	memset(out, 0, sizeof(*out));
	out->probes = json_array();
	if (!n)
		return bench_error_set(BENCH_EINVALID, "the commit range to bisect has no commit");
	if (!range[0].parent[0])
		return bench_error_set(BENCH_EINVALID, "the range to bisect starts at %s, a root commit: "
				       "there is no good end before it to compare with (start the range "
				       "one commit later)", range[0].short_id);
	if (cfg->max_samples < 1)
		return bench_error_set(BENCH_EINVALID, "max_samples must be at least 1");
	collect(&w, builds);
	w.good = xcalloc((size_t)cfg->max_samples + 1, sizeof(*w.good));
	w.first_warm = xcalloc(n, sizeof(*w.first_warm));
	error = bisect_walk(&w);
	out->probe_count = (int)w.used;
	free(w.recs);
	free(w.good);
	free(w.first_warm);
	return error;
}

void bisect_result_release(struct bisect_result *r)
{
	free(r->reason);
	json_decref(r->probes);
	memset(r, 0, sizeof(*r));
}

/* ---- the steps the culprit broke ---- */

/* The instruction of a step named "[stage n/m] INSTR ...", with its runs of
 * white space made one space and the keyword upper-cased; NULL when the
 * step is not a cacheable instruction. Caller frees. */
static char *instruction_text(const char *name)
{
	struct step st = {.name = (char *)name};
	struct strbuf sb = {0};
	const char *p;
	size_t i;

	if (!name || !step_is_instruction(&st))
		return NULL;
	p = strchr(name, ']') + 1;
	while (*p) {
		size_t n = strcspn(p, " \t\r\n");
		if (n) {
			if (sb.len)
				strbuf_puts(&sb, " ");
			strbuf_add(&sb, p, n);
		}
		p += n;
		p += strspn(p, " \t\r\n");
	}
	for (i = 0; i < sb.len && sb.buf[i] != ' '; i++)
		sb.buf[i] = (char)toupper((unsigned char)sb.buf[i]);
	return strbuf_detach(&sb);
}

/* The line where the instruction `text` (as instruction_text makes it)
 * starts in the Dockerfile, or 0: each instruction is joined over its
 * continuation lines, its white space made single spaces, then compared. */
static int dockerfile_line(const char *dockerfile, const char *text)
{
	const char *p = dockerfile;
	int line = 1, found = 0;

	while (p && *p && !found) {
		struct strbuf ins = {0};
		int start = line;
		bool more = true;
		char *norm;

		while (more && *p) {
			size_t n = strcspn(p, "\n"), end = n;
			const char *first = p + strspn(p, " \t");
			while (end && (p[end - 1] == '\r' || p[end - 1] == ' ' || p[end - 1] == '\t'))
				end--;
			more = end && p[end - 1] == '\\';
			if (*first == '#' && !ins.len) {
				more = false; /* a comment line */
			} else if (*first != '#') {
				strbuf_add(&ins, p, more ? end - 1 : end);
				strbuf_puts(&ins, " ");
			}
			p += n + (p[n] == '\n');
			line++;
		}
		if (ins.len) {
			char *named = xasprintf("[1/1] %s", ins.buf);
			if ((norm = instruction_text(named)) && !strcmp(norm, text))
				found = start;
			free(norm);
			free(named);
		}
		strbuf_release(&ins);
	}
	return found;
}

/* By line in the Dockerfile, the steps without a line last, in their order. */
static int broken_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double lx = json_num(x, "line", INFINITY), ly = json_num(y, "line", INFINITY);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return (json_num(x, "order", 0) > json_num(y, "order", 0)) - (json_num(x, "order", 0) < json_num(y, "order", 0));
}

json_t *bisect_broken_steps(json_t *good, json_t *bad, const char *dockerfile)
{
	json_t *out = json_array(), *cached = json_object(), *s;
	size_t i;

	json_array_foreach(json_object_get(good, "steps"), i, s) {
		char *t = instruction_text(json_str(s, "name"));
		if (t && json_is_true(json_object_get(s, "cached")))
			json_object_set_new(cached, t, json_true());
		free(t);
	}
	json_array_foreach(json_object_get(bad, "steps"), i, s) {
		char *t = instruction_text(json_str(s, "name"));
		int line;
		if (t && !json_is_true(json_object_get(s, "cached")) && json_object_get(cached, t)) {
			line = dockerfile ? dockerfile_line(dockerfile, t) : 0;
			json_array_append_new(out, json_pack("{s:s, s:o, s:i}", "step", t, "line",
							     line ? json_integer(line) : json_null(),
							     "order", (int)json_array_size(out)));
			json_object_del(cached, t); /* once */
		}
		free(t);
	}
	json_decref(cached);
	{
		size_t n = json_array_size(out);
		json_t **v = xcalloc(n ? n : 1, sizeof(*v)), *sorted = json_array();
		for (i = 0; i < n; i++)
			v[i] = json_array_get(out, i);
		qsort(v, n, sizeof(*v), broken_cmp);
		for (i = 0; i < n; i++) {
			json_object_del(v[i], "order");
			json_array_append(sorted, v[i]);
		}
		free(v);
		json_decref(out);
		return sorted;
	}
}
