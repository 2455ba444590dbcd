/*
 * checkout.c: the commits and Dockerfiles of a run's builds in its work
 * folder (see checkout.h). One work tree follows the commits as they are
 * built (replay_tree: only what changed is written), and a Dockerfile copy
 * is written only when it changed, so a build's own cost does not follow the
 * size of the repository. The paths a variant reads in a commit are kept
 * inside it (confine.c).
 */
#include "repo/checkout.h"

#include <stdlib.h>
#include <string.h>

#include "repo/confine.h"
#include "lib/error.h"
#include "lib/util.h"

int checkouts_open(struct checkouts *co, const char *work, const char *repo_path, const char *spec)
{
	int error;

	memset(co, 0, sizeof(*co));
	co->work = xstrdup(work);
	if ((error = replay_open(&co->repo, repo_path)) < 0 ||
	    (error = replay_resolve(&co->commits, &co->count, co->repo, spec)) < 0)
		return error;
	return checkouts_dir_at(NULL, co, 0, co->count); /* WORK/tree, empty */
}

void checkouts_release(struct checkouts *co)
{
	size_t k;

	for (k = 0; k < co->ntrees; k++)
		replay_tree_free(co->trees[k].tree);
	free(co->trees);
	commit_info_array_free(co->commits, co->count);
	replay_free(co->repo);
	free(co->work);
	memset(co, 0, sizeof(*co));
}

int checkouts_dir(const char **out, struct checkouts *co, size_t i)
{
	return checkouts_dir_at(out, co, 0, i);
}

/* Work tree slot, made when first asked for (i == count: made only). */
int checkouts_dir_at(const char **out, struct checkouts *co, size_t slot, size_t i)
{
	struct checkout_tree *t;
	int error;

	if (out)
		*out = NULL;
	if (slot >= co->ntrees) {
		co->trees = xrealloc(co->trees, (slot + 1) * sizeof(*co->trees));
		memset(co->trees + co->ntrees, 0, (slot + 1 - co->ntrees) * sizeof(*co->trees));
		co->ntrees = slot + 1;
	}
	t = &co->trees[slot];
	if (!t->tree) {
		char *path = slot ? xasprintf("%s/tree-%zu", co->work, slot) : path_join(co->work, "tree");
		error = replay_tree_new(&t->tree, co->repo, path);
		free(path);
		if (error < 0)
			return error;
		t->at = co->count;
	}
	if (i < co->count && t->at != i) {
		t->at = co->count; /* unknown until the checkout succeeds */
		if ((error = replay_tree_checkout(t->tree, co->commits[i].id)) < 0)
			return error;
		t->at = i;
	}
	if (out)
		*out = replay_tree_path(t->tree);
	return 0;
}

/* Write data to path unless path already holds exactly that (a build's
 * Dockerfile copy is the same for every commit of most variants). */
static int write_if_changed(const char *path, const char *data, size_t len)
{
	char *old = NULL;
	size_t old_len = 0;
	bool same = read_file(&old, &old_len, path) == 0 && old_len == len && !memcmp(old, data, len);

	bench_error_clear();
	free(old);
	return same ? 0 : write_file_atomic(path, data, len);
}

int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, int rep, const char *src)
{
	char *dir = xasprintf("%s/dockerfiles/%s-r%d", co->work, v->name, rep);
	char *df = path_join(dir, "Dockerfile"), *ign = NULL, *data = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = mkdir_p(dir)) < 0 || (error = read_file(&data, &len, src)) < 0 ||
	    (error = write_if_changed(df, data, len)) < 0)
		goto done;
	if (v->dockerignore) {
		free(data);
		data = NULL;
		ign = xasprintf("%s.dockerignore", df);
		if ((error = read_file(&data, &len, v->dockerignore)) < 0 ||
		    (error = write_if_changed(ign, data, len)) < 0)
			goto done;
	}
	*out = df;
	df = NULL;
done:
	free(dir);
	free(df);
	free(ign);
	free(data);
	return error;
}

/* Resolve rel in dir for `key` of variant v; the message names them all. */
static int confine_key(char **out, const struct checkouts *co, size_t i, const char *dir, const struct variant *v,
		       const char *key, const char *prefix, const char *rel)
{
	int error = confine_path(out, dir, rel);

	if (error < 0)
		error = bench_error_wrap(error, "variant '%s': %s '%s%s' at commit %s", v->name, key, prefix, rel,
					 co->commits[i].short_id);
	return error;
}

int checkouts_confine(char **context, char **dockerfile, struct checkouts *co, size_t i, const char *dir,
		      const struct variant *v, const char *context_rel)
{
	size_t k;
	int error;

	*context = *dockerfile = NULL;
	if ((error = confine_key(context, co, i, dir, v, "context", "", context_rel)) < 0)
		return error;
	{
		/* the builder reads the context's .dockerignore on this machine */
		char *rel = path_join(context_rel, ".dockerignore"), *ign = NULL;
		error = confine_path(&ign, dir, rel);
		if (error < 0)
			error = bench_error_wrap(error, "variant '%s': the context's .dockerignore at commit %s",
						 v->name, co->commits[i].short_id);
		free(rel);
		free(ign);
		if (error < 0)
			goto fail;
	}
	if (v->dockerfile_in_repo &&
	    (error = confine_key(dockerfile, co, i, dir, v, "dockerfile", "repo:", v->dockerfile)) < 0)
		goto fail;
	for (k = 0; k < v->cache_key_files_count; k++) {
		char *file = NULL;
		if ((error = confine_key(&file, co, i, dir, v, "cache_key", "files:", v->cache_key_files[k])) < 0)
			goto fail;
		free(file);
	}
	return 0;
fail:
	free(*context);
	free(*dockerfile);
	*context = *dockerfile = NULL;
	return error;
}
