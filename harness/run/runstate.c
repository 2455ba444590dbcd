/*
 * runstate.c: state.json, what a resumed run continues from (see
 * runstate.h). The run owns its runstate; the series' cache is cache.c's,
 * whose fingerprint (cache_fingerprint) tells whether it is still there.
 */
#include "run/runstate.h"

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

#define STATE_JSON "state.json"

int runstate_load(struct runstate *st, const char *results_dir)
{
	json_error_t jerr;

	memset(st, 0, sizeof(*st));
	st->path = path_join(results_dir, STATE_JSON);
	if (path_exists(st->path)) {
		st->doc = json_load_file(st->path, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(st->doc)) {
			json_decref(st->doc);
			st->doc = NULL;
			return bench_error_set(BENCH_EINVALID, "'%s' is not a run's state (%s): remove it to build "
					       "every cut series again from its cold build", st->path, jerr.text);
		}
	}
	if (!st->doc)
		st->doc = json_pack("{s:i, s:{}}", "version", 1, "series");
	return 0;
}

void runstate_release(struct runstate *st)
{
	free(st->path);
	json_decref(st->doc);
	memset(st, 0, sizeof(*st));
}

int runstate_save(struct runstate *st)
{
	char *text = json_dumps(st->doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int error;

	if (!text)
		return bench_error_set(BENCH_ERROR, "cannot encode '%s'", st->path);
	error = write_file_atomic(st->path, text, strlen(text));
	free(text);
	return error;
}

const char *runstate_marker(const struct runstate *st)
{
	return json_string_value(json_object_get(st->doc, "marker"));
}

void runstate_set_marker(struct runstate *st, const char *marker)
{
	json_object_set_new(st->doc, "marker", json_string(marker));
}

/* The ports kept in w ({index_port, registry_port}): false when w has none. */
static bool ports_of(json_t *w, struct world_resume *out)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(w))
		return false;
	out->index_port = (int)json_integer_value(json_object_get(w, "index_port"));
	out->registry_port = (int)json_integer_value(json_object_get(w, "registry_port"));
	return out->index_port > 0 && out->registry_port > 0;
}

bool runstate_world(const struct runstate *st, struct world_resume *out)
{
	return ports_of(json_object_get(st->doc, "world"), out);
}

void runstate_set_world(struct runstate *st, int index_port, int registry_port)
{
	json_object_set_new(st->doc, "world", json_pack("{s:i, s:i}", "index_port", index_port,
							"registry_port", registry_port));
}

bool runstate_runner(const struct runstate *st, const char *engine, struct world_resume *out)
{
	return ports_of(json_object_get(json_object_get(st->doc, "runners"), engine), out);
}

void runstate_set_runner(struct runstate *st, const char *engine, const struct world_resume *ports)
{
	json_t *runners = json_object_get(st->doc, "runners");

	if (!json_is_object(runners))
		json_object_set_new(st->doc, "runners", runners = json_object());
	json_object_set_new(runners, engine, json_pack("{s:i, s:i}", "index_port", ports->index_port,
						       "registry_port", ports->registry_port));
}

static char *series_key(const struct variant *v, int rep)
{
	return xasprintf("%s/%d", v->name, rep);
}

void runstate_series_saved(struct runstate *st, const struct variant *v, int rep, int builds,
			   const struct cache_series *s)
{
	char *key = series_key(v, rep), *fp = cache_fingerprint(s);
	json_t *entry = json_pack("{s:i, s:o}", "builds", builds, "cache", cache_state_to_json(&s->state));

	if (fp)
		json_object_set_new(entry, "fingerprint", json_string(fp));
	json_object_set_new(json_object_get(st->doc, "series"), key, entry);
	free(fp);
	free(key);
}

char *runstate_series_resume(const struct runstate *st, const struct variant *v, int rep, int done,
			     struct cache_series *s, bool world_same)
{
	char *key = series_key(v, rep), *why = NULL, *now = NULL;
	json_t *entry = json_object_get(json_object_get(st->doc, "series"), key);
	const char *saved = json_string_value(json_object_get(entry, "fingerprint"));
	struct cache_state restored = {0}, before = s->state;

	if (v->runner == RUNNER_PERSISTENT) {
		why = xstrdup("a persistent runner's state is the engine's build cache, which cannot be checked "
			      "after an interruption");
	} else if (!json_is_object(entry)) {
		why = xstrdup("no state was saved for it");
	} else if (json_integer_value(json_object_get(entry, "builds")) != done) {
		why = xasprintf("its state was saved after build %lld, the results have %d",
				(long long)json_integer_value(json_object_get(entry, "builds")), done);
	} else if (!world_same) {
		why = xstrdup("the world could not have its ports again (the index URL is a build arg of every "
			      "RUN step that installs)");
	} else if (cache_state_from_json(&restored, json_object_get(entry, "cache")) < 0) {
		why = xasprintf("its saved cache state is unreadable (%s)", bench_error_last());
		bench_error_clear();
	} else {
		s->state = restored;
		now = cache_fingerprint(s);
		if (!saved || !now) {
			why = xstrdup("its kind of cache cannot be checked");
		} else if (strcmp(saved, now)) {
			why = xasprintf("its cache changed after its last recorded build (bench was stopped while "
					"the next build exported or saved it): %s, saved %s", now, saved);
		}
		if (why) {
			cache_state_release(&s->state);
			s->state = before;
		} else {
			cache_state_release(&before);
		}
	}
	free(now);
	free(key);
	return why;
}
