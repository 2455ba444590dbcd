/*
 * run_verdict.c: what bench run keeps for the verdict (results/verdict.h):
 * the repository's first-parent history (its mix of build kinds and its
 * push rate) as run.json's "history" when the run starts, and the verdict
 * itself as run.json's "verdict" when it ends.
 */
#include "run/run_int.h"
#include "results/verdict.h"
#include "lib/error.h"

json_t *run_verdict_history_json(struct run *r)
{
	struct commit_info *c = NULL;
	struct verdict_history h = {0};
	size_t n = 0, i;
	char *source;
	json_t *out;

	if (!r->co.count || !r->co.repo)
		return NULL;
	if (replay_history(&c, &n, r->co.repo, r->co.commits[r->co.count - 1].id, r->sc->verdict.history) < 0) {
		progress_note(&r->progress, "the verdict goes without the repository's history: %s",
			      bench_error_last());
		bench_error_clear();
		return NULL;
	}
	for (i = 0; i < n; i++)
		verdict_history_add(&h, c[i].changed, c[i].changed_count, c[i].time, !c[i].parent[0],
				    r->sc->verdict.manifests, r->sc->verdict.manifests_count);
	source = xasprintf("the first-parent history of %s", r->co.commits[r->co.count - 1].short_id);
	out = verdict_history_json(&h, source);
	free(source);
	commit_info_array_free(c, n);
	return out;
}

void run_verdict_history(struct run *r)
{
	json_t *h;

	if (!r->res || !(h = run_verdict_history_json(r)))
		return;
	pthread_mutex_lock(&r->lock);
	json_object_set_new(r->res->run, "history", h);
	pthread_mutex_unlock(&r->lock);
}

void run_verdict_attach(struct run *r)
{
	json_t *v;

	if (!r->res || !(v = verdict_compute(r->res->run)))
		return;
	json_object_set_new(r->res->run, "verdict", v);
}
