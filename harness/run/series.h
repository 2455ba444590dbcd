/*
 * series.h: one series of `bench run` (a variant and repetition on one
 * engine, its builds sharing a folder and a cache) and the image its builds
 * leave on a persistent runner.
 *
 * The image rule: the builds of a series that push get a ref each
 * (REGISTRY/MARKER/VARIANT:SHORT-rREP, the registry keeps them apart); an
 * ephemeral runner's builds share one moving tag (MARKER/VARIANT:rREP) when
 * the engine drops an image whose tag moved to a newer one (the containerd
 * image store does); the tag goes at the next build's reset or at the end
 * of the series. A persistent runner's builds on that store take two tags
 * in turn (MARKER/VARIANT:rREP-a, -b), so a build's naming drops the image
 * before the previous one, never the previous one while the new one is
 * unpacked (series.c says why); that image is removed before the build
 * instead when the new image could share a layer with it alone (the commit
 * brings back a path the previous one changed, or the two images are not
 * of the two commits before it); both go at the end of the series. Otherwise
 * (a pushed build, buildah, the classic image store) each build has its own
 * ref and the one it replaced is removed as soon as the new one is built;
 * with --keep-images every build keeps its own ref and nothing is removed.
 * Either way at most the two newest images of a series are alive between
 * builds, and the run's end removes what is left (MARKER*).
 */
#ifndef BENCH_SERIES_H
#define BENCH_SERIES_H

#include <stdbool.h>

#include "builders/builder.h"
#include "cache/cache.h"
#include "repo/checkout.h"
#include "scenario/scenario.h"

struct run_engine;

struct series {
	const struct variant *v;
	const struct builder *builder; /* the variant's */
	int rep;
	struct run_engine *eng;
	struct checkouts *co; /* its commits: the run's, or a planned series' own */
	bool restart;         /* build all again, even what the journal has */
	bool interrupted;
	char *dir;            /* work/series/<variant>-r<rep> */
	char *label;          /* the progress line's: the variant (@engine) */
	char *last_image;     /* a persistent runner's newest image (owned): removed once
				 the next build replaced it, or at the series' end */
	char *prev_image;     /* with two tags, the other one (owned): moves at the next
				 build, removed at the series' end */
	size_t last_index, prev_index; /* their commits' indexes in co */
	struct cache_series cache;
};

/* s: variant v, repetition rep, on engine re, its commits co. */
void series_init(struct series *s, struct run_engine *re, const struct variant *v, int rep, struct checkouts *co);
void series_release(struct series *s);

/* The ref the build of s at commit c is tagged with (see the rule above).
 * Caller frees. */
char *series_image_ref(const struct series *s, const struct commit_info *c);

/* Before the build of commit co->commits[i] of s: with two tags, remove
 * the image its naming would drop when that is not safe (see the rule
 * above). The time counts with the resets. */
void series_before_build(struct series *s, size_t i);

/* A persistent runner keeps the image an ok build of co->commits[i] just
 * made (*ref, taken).
 * With two tags the previous one stays, under the tag the next build moves;
 * otherwise the previous one goes now (after the new one is built, never
 * before) unless it is the same ref. Not with --keep-images. The time
 * counts with the resets. */
void series_keep_image(struct series *s, char **ref, size_t i);

/* The end of the series: its images go (a moving tag is removed once,
 * here; both of two tags). Not with --keep-images or a dry run. */
void series_drop_image(struct series *s);

#endif
