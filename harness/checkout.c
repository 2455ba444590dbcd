/*
 * checkout.c: the commits and Dockerfiles of a run's builds in its work
 * folder (see checkout.h). One work tree follows the commits as they are
 * built (replay_tree: only what changed is written), and a Dockerfile copy
 * is written only when it changed, so a build's own cost does not follow the
 * size of the repository.
 */
#include "checkout.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

int checkouts_open(struct checkouts *co, const char *work, const char *repo_path, const char *spec)
{
	int error;

	char *tree;

	memset(co, 0, sizeof(*co));
	co->work = xstrdup(work);
	if ((error = replay_open(&co->repo, repo_path)) < 0 ||
	    (error = replay_resolve(&co->commits, &co->count, co->repo, spec)) < 0)
		return error;
	co->at = co->count;
	tree = path_join(work, "tree");
	error = replay_tree_new(&co->tree, co->repo, tree);
	free(tree);
	return error;
}

void checkouts_release(struct checkouts *co)
{
	replay_tree_free(co->tree);
	commit_info_array_free(co->commits, co->count);
	replay_free(co->repo);
	free(co->work);
	memset(co, 0, sizeof(*co));
}

int checkouts_dir(const char **out, struct checkouts *co, size_t i)
{
	int error;

	*out = NULL;
	if (co->at != i) {
		co->at = co->count; /* unknown until the checkout succeeds */
		if ((error = replay_tree_checkout(co->tree, co->commits[i].id)) < 0)
			return error;
		co->at = i;
	}
	*out = replay_tree_path(co->tree);
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

int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, const char *src)
{
	char *dir = xasprintf("%s/dockerfiles/%s", co->work, v->name);
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
