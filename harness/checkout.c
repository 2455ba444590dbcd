/*
 * checkout.c: the commits and Dockerfiles of a run's builds in its work
 * folder (see checkout.h).
 */
#include "checkout.h"

#include <stdlib.h>
#include <string.h>

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

int checkouts_dockerfile(char **out, struct checkouts *co, const struct variant *v, int rep, const char *src)
{
	char *dir = xasprintf("%s/dockerfiles/%s-r%d", co->work, v->name, rep);
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
