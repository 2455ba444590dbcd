/*
 * floor.c: bytes moved per warm build against the floor (see floor.h), from
 * the byte counts the world keeps per build (server.c: served_bytes; proxy.c:
 * registry_bytes, registry_sent_bytes; the cache folder's size; the image's).
 */
#include "blog/floor.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blog/projection.h"
#include "lib/jsonx.h"
#include "lib/util.h"
#include "results/stats.h"

enum { IDX, DOWN, UP, CACHE, STORED, MOVED, FLOOR, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"index_bytes", "registry_down_bytes", "registry_up_bytes", "cache_bytes",
	"stored_bytes", "moved_bytes", "floor_bytes",
};

/* One build's counts: out[NFIELDS]. local: its cache folder travels through
 * actions/cache (restored, then saved); load: its image is stored. */
static void build_bytes(double *out, json_t *b, bool local, bool load)
{
	double served = json_num(b, "served_bytes", 0), reg = json_num(b, "registry_bytes", 0);
	double sent = json_num(b, "registry_sent_bytes", 0);

	out[IDX] = served;
	out[UP] = sent;
	out[DOWN] = reg > sent ? reg - sent : 0;
	out[CACHE] = local ? 2 * json_num(b, "cache_bytes", 0) : 0;
	out[STORED] = load ? json_num(b, "image_bytes", 0) : 0;
	out[MOVED] = out[IDX] + out[DOWN] + out[UP] + out[CACHE] + out[STORED];
	out[FLOOR] = 0; /* set from every variant's builds, see floor_evaluate */
}

/* The medians of one kind of warm build of variant v (deps: dependency bumps
 * or code-only builds), or NULL when it has none. New reference. */
static json_t *kind_bytes(json_t *run, json_t *v, bool deps)
{
	const char *name = json_str(v, "name"), *mode = json_str(v, "push_mode");
	bool local = !strcmp(json_str(v, "cache"), "local"), load = !*mode || !strcmp(mode, "load");
	size_t n = json_array_size(json_object_get(run, "builds")), k = 0, i, f;
	double *vals[NFIELDS];
	json_t *b, *o = NULL;

	for (f = 0; f < NFIELDS; f++)
		vals[f] = xcalloc(n + 1, sizeof(double));
	json_array_foreach(json_object_get(run, "builds"), i, b) {
		double one[NFIELDS];
		if (strcmp(json_str(b, "variant"), name) || strcmp(json_str(b, "status"), "ok") ||
		    strcmp(json_str(b, "phase"), "warm") || projection_deps_rebuilt(b) != deps)
			continue;
		build_bytes(one, b, local, load);
		for (f = 0; f < NFIELDS; f++)
			vals[f][k] = one[f];
		k++;
	}
	if (k) {
		o = json_pack("{s:i}", "builds", (int)k);
		for (f = 0; f < NFIELDS; f++)
			json_object_set_new(o, field_names[f], json_real(stats_median(vals[f], k)));
	}
	for (f = 0; f < NFIELDS; f++)
		free(vals[f]);
	return o;
}

/* The floors, once every variant's medians are known: a code-only build's
 * is the smallest upload of any code-only build of the run (the code layer
 * and the manifests: every variant builds the same code); a dependency bump's
 * adds the wheels twice (the smallest index download of any bump: fetched,
 * then uploaded as the new dependency layer, which compresses to about their
 * size since wheels are compressed already). */
static void set_floors(json_t *ev)
{
	double code = INFINITY, wheels = INFINITY;
	const char *variant;
	json_t *kinds, *o;

	json_object_foreach(ev, variant, kinds) {
		if ((o = json_object_get(kinds, "code-only")) && json_num(o, "registry_up_bytes", 0) < code)
			code = json_num(o, "registry_up_bytes", 0);
		if ((o = json_object_get(kinds, "deps bump")) && json_num(o, "index_bytes", 0) < wheels)
			wheels = json_num(o, "index_bytes", 0);
	}
	if (!isfinite(code))
		code = 0;
	if (!isfinite(wheels))
		wheels = 0;
	json_object_foreach(ev, variant, kinds) {
		if ((o = json_object_get(kinds, "code-only")))
			json_object_set_new(o, "floor_bytes", json_real(code));
		if ((o = json_object_get(kinds, "deps bump")))
			json_object_set_new(o, "floor_bytes", json_real(code + 2 * wheels));
	}
}

json_t *floor_evaluate(json_t *run)
{
	json_t *ev = json_object(), *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(run, "scenario"), "variants"), i, v) {
		json_t *o, *code, *deps;
		if (!strcmp(json_str(v, "cache"), "none"))
			continue;
		o = json_object();
		if ((code = kind_bytes(run, v, false)))
			json_object_set_new(o, "code-only", code);
		if ((deps = kind_bytes(run, v, true)))
			json_object_set_new(o, "deps bump", deps);
		if (json_object_size(o))
			json_object_set_new(ev, json_str(v, "name"), o);
		else
			json_decref(o);
	}
	set_floors(ev);
	return ev;
}

static void print_mb(FILE *f, json_t *o, const char *field)
{
	fprintf(f, " %9.2f", json_num(o, field, 0) / 1e6);
}

void floor_print(FILE *f, json_t *ev)
{
	const char *variant, *kind;
	json_t *kinds, *o;

	if (!json_object_size(ev))
		return;
	fprintf(f, "\nbytes moved per warm build (MB, medians) against the floor: a code-only build must upload "
		"its new layers and manifests, a dependency bump must also fetch its wheels\n");
	fprintf(f, "  %-22s %-9s %9s %9s %9s %9s %9s %9s %9s %7s\n", "variant", "build", "index", "reg down",
		"reg up", "cache", "stored", "moved", "floor", "x floor");
	json_object_foreach(ev, variant, kinds) {
		json_object_foreach(kinds, kind, o) {
			double moved = json_num(o, "moved_bytes", 0), fl = json_num(o, "floor_bytes", 0);
			fprintf(f, "  %-22s %-9s", variant, kind);
			print_mb(f, o, "index_bytes");
			print_mb(f, o, "registry_down_bytes");
			print_mb(f, o, "registry_up_bytes");
			print_mb(f, o, "cache_bytes");
			print_mb(f, o, "stored_bytes");
			print_mb(f, o, "moved_bytes");
			print_mb(f, o, "floor_bytes");
			if (fl > 0)
				fprintf(f, " %7.0f\n", moved / fl);
			else
				fprintf(f, " %7s\n", "-");
		}
	}
}
