/*
 * confine.c: resolve a path inside a checkout without leaving it (see
 * confine.h). The resolved part is kept as a list of components below root;
 * the components still to walk are a queue that a symlink's target is put in
 * front of, as the kernel's path walk does.
 */
#include "repo/confine.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"

#define MAX_LINKS 40 /* as Linux's path walk */

/* The components of path ("a//b/./c" -> a b c; ".." kept), appended to v. */
static void split(struct strvec *v, const char *path)
{
	char *copy = xstrdup(path), *tok, *save = NULL, *p;

	for (p = copy; (tok = strtok_r(p, "/", &save)); p = NULL)
		if (strcmp(tok, "."))
			strvec_push(v, tok);
	free(copy);
}

/* "a/b/c" from the first n components of v. Caller frees. */
static char *joined(const struct strvec *v, size_t n)
{
	struct strbuf sb = {0};
	size_t i;

	for (i = 0; i < n; i++)
		strbuf_printf(&sb, "%s%s", i ? "/" : "", v->v[i]);
	return sb.len ? strbuf_detach(&sb) : xstrdup("");
}

static void pop(struct strvec *v)
{
	free(v->v[--v->n]);
	v->v[v->n] = NULL;
}

int confine_path(char **out, const char *root, const char *rel)
{
	struct strvec done = {0}, todo = {0}, rest = {0};
	char *link = NULL, *link_target = NULL; /* the last symlink followed */
	size_t next = 0;
	int links = 0, error = 0;

	*out = NULL;
	split(&todo, rel);
	while (next < todo.n) {
		const char *c = todo.v[next++];
		char *here, *path, target[PATH_MAX];
		struct stat st;
		ssize_t len;

		if (!strcmp(c, "..")) {
			if (!done.n) {
				error = link ? bench_error_set(BENCH_EINVALID, "'%s' is a symlink to '%s', outside the checkout",
							       link, link_target)
					     : bench_error_set(BENCH_EINVALID, "'%s' climbs above the checkout", rel);
				goto done;
			}
			pop(&done);
			continue;
		}
		strvec_push(&done, c);
		here = joined(&done, done.n);
		path = path_join(root, here);
		if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode)) {
			/* a plain component, or one that does not exist (the rest is
			 * then taken as given: nothing below it exists either) */
			free(here);
			free(path);
			continue;
		}
		len = readlink(path, target, sizeof(target) - 1);
		free(path);
		if (len < 0) {
			error = bench_error_errno(BENCH_EIO, "cannot read the symlink '%s' in the checkout", here);
			free(here);
			goto done;
		}
		target[len] = '\0';
		if (target[0] == '/' || ++links > MAX_LINKS) {
			error = bench_error_set(BENCH_EINVALID, target[0] == '/' ?
				"'%s' is a symlink to '%s', outside the checkout" :
				"'%s' is a symlink to '%s': too many levels of symlinks", here, target);
			free(here);
			goto done;
		}
		free(link);
		free(link_target);
		link = here;
		link_target = xstrdup(target);
		/* the link's target takes its place, before the components after it */
		pop(&done);
		split(&rest, target);
		while (next < todo.n)
			strvec_push(&rest, todo.v[next++]);
		strvec_release(&todo);
		todo = rest;
		memset(&rest, 0, sizeof(rest));
		next = 0;
	}
	{
		char *inside = joined(&done, done.n);
		*out = *inside ? path_join(root, inside) : xstrdup(root);
		free(inside);
	}
done:
	strvec_release(&done);
	strvec_release(&todo);
	strvec_release(&rest);
	free(link);
	free(link_target);
	return error;
}
