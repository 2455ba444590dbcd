/*
 * engine.c: naming a Docker engine (see engine.h) and the per-engine lock
 * that keeps two bench runs from pruning each other's builder cache.
 */
#include "builders/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/proc.h"
#include "lib/sha256.h"
#include "lib/util.h"

static const char *const url_schemes[] = {"unix://", "tcp://", "ssh://", "fd://", "npipe://", NULL};

void engine_init_default(struct engine *e)
{
	memset(e, 0, sizeof(*e));
	e->name = xstrdup("default");
}

int engine_init(struct engine *e, const char *spec)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!spec || !*spec || !strcmp(spec, "default")) {
		engine_init_default(e);
		return 0;
	}
	if (strstr(spec, "://")) {
		for (i = 0; url_schemes[i]; i++)
			if (!strncmp(spec, url_schemes[i], strlen(url_schemes[i])) && spec[strlen(url_schemes[i])])
				break;
		if (!url_schemes[i])
			return bench_error_set(BENCH_EINVALID, "engine '%s': not a docker host URL "
					       "(unix://PATH, tcp://HOST:PORT, ssh://[USER@]HOST)", spec);
		e->host = xstrdup(spec);
	} else {
		if (strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(spec) ||
		    spec[0] == '-')
			return bench_error_set(BENCH_EINVALID, "engine '%s': not a docker context name "
					       "(letters, digits, '.', '_', '-') nor a URL", spec);
		e->context = xstrdup(spec);
	}
	e->name = xstrdup(spec);
	return 0;
}

void engine_release(struct engine *e)
{
	free(e->name);
	free(e->context);
	free(e->host);
	memset(e, 0, sizeof(*e));
}

bool engine_is_default(const struct engine *e)
{
	return !e || (!e->context && !e->host);
}

const char *engine_describe(const struct engine *e)
{
	static _Thread_local char text[512];

	if (e && e->context)
		snprintf(text, sizeof(text), "docker context '%s'", e->context);
	else if (e && e->host)
		snprintf(text, sizeof(text), "docker engine at %s", e->host);
	else
		snprintf(text, sizeof(text), "the default docker engine");
	return text;
}

char *engine_lock_path(const struct engine *e)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char hex[SHA256_HEX_SIZE], *safe, *p, *file, *path;

	if (engine_is_default(e))
		return path_join(dir, "bench-engine.lock");
	/* a readable name and a hash, so that "a/b" and "a_b" do not share */
	sha256_hex(hex, e->name, strlen(e->name));
	hex[12] = '\0';
	safe = xstrdup(e->name);
	for (p = safe; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", *p))
			*p = '_';
	if (strlen(safe) > 64)
		safe[64] = '\0';
	file = xasprintf("bench-engine-%s-%s.lock", safe, hex);
	path = path_join(dir, file);
	free(file);
	free(safe);
	return path;
}

int engine_lock(int *out, const struct engine *e, void (*waiting)(void *ctx, const char *path), void *ctx)
{
	char *path = engine_lock_path(e);
	int fd, error = 0;

	*out = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		error = bench_error_errno(BENCH_ESETUP, "cannot open the engine lock '%s'", path);
		goto done;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (waiting)
			waiting(ctx, path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR || proc_interrupt_requested()) {
				error = errno == EINTR ? bench_error_set(BENCH_EINTERRUPTED, "interrupted while waiting for the engine lock")
						       : bench_error_errno(BENCH_ESETUP, "cannot lock '%s'", path);
				close(fd);
				goto done;
			}
		}
	}
	*out = fd;
done:
	free(path);
	return error;
}
