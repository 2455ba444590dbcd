/*
 * run_verdict.c: what bench run keeps for the verdict (results/verdict.h):
 * the repository's first-parent history (its mix of build kinds and its
 * push rate) as run.json's "history" when the run starts, and the verdict
 * itself as run.json's "verdict" when it ends.
 */
#include "run/run_int.h"
#include "results/verdict.h"
#include "lib/error.h"

/* Read [verdict] history commits down from the last replayed commit. A
 * history that cannot be read is a note, not an error: the verdict then
 * takes the mix of the replayed commits. */
void run_verdict_history(struct run *r)
{
	struct commit_info *c = NULL;
	struct verdict_history h = {0};
	size_t n = 0, i;
	char *source;

	if (!r->co.count || !r->co.repo || !r->res)
		return;
	if (replay_history(&c, &n, r->co.repo, r->co.commits[r->co.count - 1].id, r->sc->verdict.history) < 0) {
		progress_note(&r->progress, "the verdict goes without the repository's history: %s",
			      bench_error_last());
		bench_error_clear();
		return;
	}
	for (i = 0; i < n; i++)
		verdict_history_add(&h, c[i].changed, c[i].changed_count, c[i].time, !c[i].parent[0]);
	source = xasprintf("the first-parent history of %s", r->co.commits[r->co.count - 1].short_id);
	pthread_mutex_lock(&r->lock);
	json_object_set_new(r->res->run, "history", verdict_history_json(&h, source));
	pthread_mutex_unlock(&r->lock);
	free(source);
	commit_info_array_free(c, n);
}

void run_verdict_attach(struct run *r)
{
	json_t *v;

	if (!r->res || !(v = verdict_compute(r->res->run)))
		return;
	json_object_set_new(r->res->run, "verdict", v);
}
