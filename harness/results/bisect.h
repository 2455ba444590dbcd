/*
 * bisect.h: `bench bisect`: which commit of a first-parent range broke the
 * build cache. The decision logic only: it reads recorded builds and says
 * what to probe next or what it found; cmd_bisect.c runs the probes through
 * a planned run (run.h) and prints the verdict.
 *
 * A probe at commit C is a series of two builds: C's first parent, cold (as
 * the variant's runner and cache say), then C, warm. Its value is the warm
 * build's: its cached steps (metric cached_steps) or its wall seconds
 * (warm_seconds). The good end G is the commit before the range (A of
 * "A..B"); it is probed first, and a probe is bad when it compares worse
 * than G's:
 *   cached_steps   fewer cached steps than G's probe: exact, one probe each
 *   warm_seconds   worse by stats_decide (the gate's rule, threshold a
 *                  fraction): when the rule says inconclusive (too few
 *                  samples to reach p < 0.05), C and G are probed again, in
 *                  turn, up to max_samples each (4 against 4 always decides)
 * The newest commit (B) is probed second: when it is not bad, no commit of
 * the range is (the bisection assumes that once broken the cache stays
 * broken). Otherwise the range is bisected, about log2(N) more probes; a
 * commit whose probe fails to build is skipped (its neighbour nearest the
 * middle is probed instead), as git bisect skip does.
 *
 * Probes are recorded as the builds of series (variant, repetition = the
 * probe number, index 1 and 2), so a bisection is replayed from its builds:
 * bisect_step is a pure function of the recorded builds, which gives resume
 * for free. A probe whose warm build is missing or was interrupted is
 * ignored (probed again under a new number).
 */
#ifndef BENCH_BISECT_H
#define BENCH_BISECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "repo/replay.h"

enum bisect_metric { BISECT_CACHED_STEPS, BISECT_WARM_SECONDS };

struct bisect_config {
	const char *variant;
	enum bisect_metric metric;
	double threshold;   /* warm_seconds: the growth allowed, a fraction (the gate's
			       warm_median_growth) */
	int max_samples;    /* warm_seconds: most probes of one commit; at least 1 */
};

enum bisect_verdict {
	BISECT_PROBE,     /* probe `probe_commit` next, as probe number probe_number */
	BISECT_FOUND,     /* range[culprit] is the first bad commit */
	BISECT_NONE,      /* no commit of the range is bad */
	BISECT_UNDECIDED, /* cannot tell: reason says why */
};

struct bisect_result {
	enum bisect_verdict verdict;
	char probe_commit[41];
	int probe_number;
	size_t culprit;       /* BISECT_FOUND: index into the range */
	char *reason;         /* a sentence: why undecided, what found */
	json_t *probes;       /* every probe so far: {probe, commit, short, subject, role,
				 status, cached_steps, steps_total, warm_seconds, verdict, note} */
	json_t *good_build;   /* the good end's first warm build (borrowed from builds) */
	json_t *culprit_build;/* BISECT_FOUND: the culprit's first warm build (borrowed) */
	int probe_count;      /* probes used (complete ones) */
};

/* Replay the bisection of range[0..n) (oldest first, range[0].parent the good
 * end) over the recorded builds (run.json's "builds"): the next probe, or
 * the verdict. BENCH_EINVALID when the range is empty or starts at a root
 * commit, or when a recorded probe is not the one this bisection would have
 * made (another range, variant or metric). */
int bisect_step(struct bisect_result *out, const struct bisect_config *cfg,
		const struct commit_info *range, size_t n, json_t *builds);
void bisect_result_release(struct bisect_result *r);

const char *bisect_metric_name(enum bisect_metric m);
int bisect_metric_parse(enum bisect_metric *out, const char *name);
const char *bisect_verdict_name(enum bisect_verdict v);

/* The Dockerfile instructions cached in `good` (a warm build record) and
 * rebuilt in `bad`, as the instruction text without the "[stage n/m] "
 * prefix, in bad's order; with `dockerfile` (the culprit's Dockerfile text,
 * may be NULL) each with the line it starts at in it:
 * [{"step": "RUN pip install ...", "line": 7 or null}]. New reference. */
json_t *bisect_broken_steps(json_t *good, json_t *bad, const char *dockerfile);

#endif
