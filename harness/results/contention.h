/*
 * contention.h: the CPU contention a run's builds were measured under (each
 * ok build's `cpu_contention`, lib/cpupressure.h), summed up, and the
 * warning the summary, the report and the blog's figures print when it was
 * high: a time measured while other programs took the CPUs is the
 * machine's, not the strategy's.
 */
#ifndef BENCH_CONTENTION_H
#define BENCH_CONTENTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The share above which a build counts as measured under contention. The
 * main job alone on a 2-core machine: 11 to 13% a build; beside two other
 * engines' builds (load 5 to 7): 55 to 72%, and its projections 36 to 41%
 * high (docs/results.md). */
#define CONTENTION_HIGH 0.30

struct contention {
	size_t n;      /* ok builds with a reading */
	size_t high;   /* of those, above CONTENTION_HIGH */
	double median; /* NAN when n is 0 */
	double max;
};

/* The contention of the ok builds in `builds` (a JSON array of build
 * records); of one variant only unless variant is NULL. */
void contention_of(struct contention *out, json_t *builds, const char *variant);

/* Whether c says the figures were disturbed: the median above
 * CONTENTION_HIGH. */
bool contention_high(const struct contention *c);

/* The warning's text when contention_high(c), else NULL; what measured
 * `what` (e.g. "the builds"). Caller frees. */
char *contention_warning_text(const struct contention *c, const char *what);

/* One warning line on f, `prefix` first, when contention_high(c); what
 * measured `what` (e.g. "the builds"). Nothing otherwise. */
void contention_warning(FILE *f, const struct contention *c, const char *what, const char *prefix);

#endif
