/*
 * comparable.h: whether two runs (or a run and a baseline) measured the
 * same thing. Times compare only between runs of the same scale, commits,
 * Dockerfiles, engine and machine; `bench compare` prints what differs
 * before its table, `bench gate` refuses (exit 2) unless told which
 * differences to allow (--allow-different SCALE,ENGINE,...).
 *
 * The facts are a table (comparable.c), one row each:
 *   SCALE        the [world] scale (no world: not a fact of the run)
 *   COMMITS      the commit ids the builds replayed, in order
 *   DOCKERFILES  each variant's host-side Dockerfile digest (variants of
 *                both runs only; repo: Dockerfiles go with COMMITS)
 *   ENGINE       the engine's versions (docker server, buildx, and what
 *                else run.json's environment records of the engine)
 *   MACHINE      the engine machine's architecture, CPUs and memory (GiB)
 * A fact one side did not record (an older run.json or baseline) is not
 * compared.
 */
#ifndef BENCH_COMPARABLE_H
#define BENCH_COMPARABLE_H

#include <jansson.h>

#include "lib/util.h"

/* The facts of a run (results_load's object): {NAME: {"value": V, "text":
 * "scale 0.04"}} for each fact it records. New reference. */
json_t *comparable_facts(json_t *run);

/* The facts a baseline carries ("comparable", written by
 * gate_baseline_from_run), or for a baseline made before them what its
 * "commits" and "machine" say. New reference. */
json_t *comparable_baseline_facts(json_t *baseline);

/* What differs between facts a and b (of runs labelled la and lb): the
 * fact's name in *names and one line each in *lines ("scale: A at scale
 * 0.04, B at scale 1"). */
void comparable_diff(struct strvec *names, struct strvec *lines, json_t *a, json_t *b, const char *la,
		     const char *lb);

/* Check a comma-separated list of fact names (--allow-different): 0, or
 * BENCH_EINVALID naming the flag, the bad name and the known ones. */
int comparable_check_names(const char *list, const char *flag);

/* Whether name is in the comma-separated list (NULL: none). */
bool comparable_allowed(const char *list, const char *name);

/* "SCALE, COMMITS, DOCKERFILES, ENGINE, MACHINE". */
const char *comparable_known(void);

#endif
