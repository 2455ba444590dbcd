/*
 * series.c: a series' state (its folder, label, cache) and the image its
 * builds leave on a persistent runner (the rule is in series.h). The series
 * owns its folder name, label, cache state and newest image ref; run.c
 * makes one per variant and repetition as the dispatcher hands them out,
 * run_resume.c one to look at a cut series' cache.
 */
#include "run/series.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/util.h"
#include "run/run_int.h"
#include "world/world.h"

void series_init(struct series *s, struct run_engine *re, const struct variant *v, int rep,
			struct checkouts *co)
{
	struct run *r = re->r;

	memset(s, 0, sizeof(*s));
	s->v = v;
	s->builder = builder_of(v);
	s->rep = rep;
	s->eng = re;
	s->co = co;
	s->dir = xasprintf("%s/series/%s-r%d", r->work, v->name, rep);
	s->label = r->engines.n > 1 ? xasprintf("%s @%s", v->name, re->engine->name) : xstrdup(v->name);
	cache_series_init(&s->cache, v, rep, s->dir, &re->cache_env);
}

void series_release(struct series *s)
{
	cache_series_release(&s->cache);
	free(s->last_image);
	free(s->prev_image);
	free(s->dir);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

/* Whether the builds of s can share tags at all: nothing pushed, the
 * BuildKit builder, an engine whose image store drops the image a tag moved
 * away from (run_engine.moving_tag, from its fingerprint), and not
 * --keep-images (which keeps every build's image under its own ref). */
static bool shares_tags(const struct series *s)
{
	return !s->v->push && !strcmp(s->builder->name, builder_default()->name) && s->eng->moving_tag &&
	       !s->eng->r->opts->keep_images;
}

/* Whether the builds of s share one moving tag: shares_tags, on a runner
 * that removes the run's images before every build (ephemeral). */
static bool moving_tag(const struct series *s)
{
	return shares_tags(s) && s->v->runner != RUNNER_PERSISTENT;
}

/* Whether the builds of s take two tags in turn: shares_tags, on a
 * persistent runner. One tag would move while the next build is exported:
 * BuildKit names the new image before it unpacks it, so the previous image
 * is dropped while the unpack stats the layer snapshots the two share, and
 * containerd's collector can take one of them between BuildKit's Stat and
 * Prepare: "failed to prepare extraction snapshot ... parent snapshot ...
 * does not exist" (moby/buildkit#6521, fixed in BuildKit v0.29). With two
 * tags the image a build's naming drops is the one before the previous
 * build's, and the previous image, unpacked and named, holds every snapshot
 * the two builds share (a layer the new build could share with the dropped
 * image alone: series_before_build). Removing the previous image after each build
 * instead costs a synchronous collection in the daemon (`docker image rm`:
 * 0.4 to 0.6 s, against 0.04 s for a tag). */
static bool two_tags(const struct series *s)
{
	return shares_tags(s) && s->v->runner == RUNNER_PERSISTENT;
}

char *series_image_ref(const struct series *s, const struct commit_info *c)
{
	struct run *r = s->eng->r;
	char *name = builder_ref_name(s->v->name), *ref;

	if (moving_tag(s))
		ref = xasprintf("%s/%s:r%d", r->marker, name, s->rep);
	else if (two_tags(s)) {
		/* the tag the newest image does not hold: -a first */
		ref = xasprintf("%s/%s:r%d-a", r->marker, name, s->rep);
		if (s->last_image && !strcmp(s->last_image, ref))
			ref[strlen(ref) - 1] = 'b';
	} else {
		/* pushed: to the registry of [world] or [registry] (cache.h) */
		char *ctag = xasprintf("%s-r%d", c->short_id, s->rep);
		ref = s->v->push ? cache_registry_ref(&s->eng->cache_env, name, ctag) : NULL;
		if (!ref)
			ref = xasprintf("%s/%s:%s", r->marker, name, ctag);
		free(ctag);
	}
	free(name);
	return ref;
}

/* Remove image ref of s from its engine; a failure is a warning (the run's
 * end removes it with the others). The time counts with the resets. */
static void remove_image(struct series *s, const char *ref)
{
	struct run *r = s->eng->r;
	monotime t0 = monotime_now();

	if (s->builder->remove_image(s->eng->engine, ref) < 0) {
		progress_note(&s->eng->progress, "warning: %s", bench_error_last());
		bench_error_clear();
	}
	pthread_mutex_lock(&r->lock);
	r->out->split.resets += monotime_seconds_since(t0);
	pthread_mutex_unlock(&r->lock);
}

void series_before_build(struct series *s, size_t i)
{
	if (!two_tags(s) || !s->prev_image || s->eng->r->opts->dry_run)
		return;
	/* the naming may drop the image before the previous one only when the
	 * two images are of the two commits before this one, and this one
	 * brings back no path the previous commit changed: then no layer of
	 * the new image is one that only the dropped image holds (replay.c).
	 * Otherwise it goes now, and the collection is over before the build
	 * (0.4 s). */
	if (i >= 2 && s->last_index == i - 1 && s->prev_index == i - 2 && !s->co->commits[i].reverts_prev)
		return;
	remove_image(s, s->prev_image);
	free(s->prev_image);
	s->prev_image = NULL;
}

void series_keep_image(struct series *s, char **ref, size_t i)
{
	struct run *r = s->eng->r;

	if (s->v->runner != RUNNER_PERSISTENT || r->opts->keep_images || !s->builder->remove_image)
		return;
	if (two_tags(s)) {
		/* *ref is the tag the previous image but one held: it moved */
		free(s->prev_image);
		s->prev_image = s->last_image;
		s->prev_index = s->last_index;
	} else {
		if (s->last_image && strcmp(s->last_image, *ref))
			remove_image(s, s->last_image);
		free(s->last_image);
	}
	s->last_image = *ref;
	s->last_index = i;
	*ref = NULL;
}

void series_drop_image(struct series *s)
{
	struct run *r = s->eng->r;

	if (r->opts->keep_images || r->opts->dry_run || !s->builder->remove_image)
		return;
	if (s->last_image)
		remove_image(s, s->last_image);
	if (s->prev_image)
		remove_image(s, s->prev_image);
	free(s->last_image);
	free(s->prev_image);
	s->last_image = s->prev_image = NULL;
}
