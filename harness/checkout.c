/*
 * checkout.c: the commits and Dockerfiles of a run's builds in its work
 * folder (see checkout.h), and the paths a variant reads in a commit, kept
 * inside it (confine.c).
 */
#include "checkout.h"

#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "error.h"
#include "util.h"

int checkouts_open(struct checkouts *co, const char *work, const char *repo_path, const char *spec)
{
	int error;

	memset(co, 0, sizeof(*co));
	co->work = xstrdup(work);
	if ((error = replay_open(&co->repo, repo_path)) < 0 ||
	    (error = replay_resolve(&co->commits, &co->count, co->repo, spec)) < 0)
		return error;
	co->dirs = xcalloc(co->count ? co->count : 1, sizeof(*co->dirs));
	return 0;
}

void checkouts_release(struct checkouts *co)
{
	size_t i;

	if (co->dirs)
		for (i = 0; i < co->count; i++)
			free(co->dirs[i]);
	free(co->dirs);
	commit_info_array_free(co->commits, co->count);
	replay_free(co->repo);
	free(co->work);
	memset(co, 0, sizeof(*co));
}

int checkouts_dir(const char **out, struct checkouts *co, size_t i)
{
	int error;

	*out = NULL;
	if (!co->dirs[i]) {
		char *dir = xasprintf("%s/commits/%s", co->work, co->commits[i].id);
		if ((error = replay_checkout(co->repo, co->commits[i].id, dir)) < 0) {
			free(dir);
			return error;
		}
		co->dirs[i] = dir;
	}
	*out = co->dirs[i];
	return 0;
}

int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, const char *src)
{
	char *dir = xasprintf("%s/dockerfiles/%s", co->work, v->name);
	char *df = path_join(dir, "Dockerfile"), *ign = NULL, *data = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = mkdir_p(dir)) < 0 || (error = read_file(&data, &len, src)) < 0 ||
	    (error = write_file_atomic(df, data, len)) < 0)
		goto done;
	if (v->dockerignore) {
		free(data);
		data = NULL;
		ign = xasprintf("%s.dockerignore", df);
		if ((error = read_file(&data, &len, v->dockerignore)) < 0 ||
		    (error = write_file_atomic(ign, data, len)) < 0)
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
