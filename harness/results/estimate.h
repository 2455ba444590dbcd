/*
 * estimate.h: how long a planned run would take (bench run --dry-run),
 * from an earlier run of the same scenario under the results folder.
 */
#ifndef BENCH_ESTIMATE_H
#define BENCH_ESTIMATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The earlier run of scenario `name` under base with builds: one of the
 * same scenario file (digest) when there is one, else any of that name; the
 * newest of them. Its folder (caller frees), or NULL when there is none;
 * *same_digest says which. */
char *estimate_find_run(bool *same_digest, const char *base, const char *name, const char *digest);

/* Seconds that ncold cold and nwarm warm builds of each of the variants
 * would take at run's median times per variant and phase (a variant run
 * lacks: the medians over all its variants). NAN when run has no ok build. */
double estimate_seconds(json_t *run, const char *const *variants, size_t nvariants, size_t ncold, size_t nwarm);

#endif
