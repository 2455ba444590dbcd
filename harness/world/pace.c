/*
 * world/pace.c: the token-bucket pacer of the emulated world (see pace.h) and
 * the paced tree copy that stands in for actions/cache.
 */
#include "world/pace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define PACE_SLICE 0.05 /* longest single sleep, so that stop is noticed */

void pacer_init(struct pacer *p, double rate, pace_stop_fn stop, void *stop_ctx)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate > 0 ? rate : 0;
	/* about 10 ms worth of bytes per grant, within [4 KiB, 1 MiB] */
	p->burst = p->rate / 100;
	if (p->burst < 4096)
		p->burst = 4096;
	if (p->burst > 1048576)
		p->burst = 1048576;
	p->tokens = 0;
	p->last = monotime_now();
	p->stop = stop;
	p->stop_ctx = stop_ctx;
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int pace_sleep(double seconds, pace_stop_fn stop, void *stop_ctx)
{
	monotime start = monotime_now();
	double left;

	while ((left = seconds - monotime_seconds_since(start)) > 0) {
		if (stop && stop(stop_ctx))
			return -1;
		sleep_seconds(left < PACE_SLICE ? left : PACE_SLICE);
	}
	return 0;
}

/* The bucket refills at p->rate up to p->burst; a grant of `need` bytes waits
 * until that many tokens are there and spends them, so the long-run rate is
 * exactly p->rate whatever the chunk sizes. */
size_t pacer_acquire(struct pacer *p, size_t want)
{
	double need;

	if (!want)
		return 0;
	if (p->rate <= 0)
		return want;
	need = (double)want < p->burst ? (double)want : p->burst;
	for (;;) {
		monotime now = monotime_now();
		double wait;

		p->tokens += monotime_seconds(p->last, now) * p->rate;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last = now;
		if (p->tokens >= need) {
			p->tokens -= need;
			return (size_t)need;
		}
		if (p->stop && p->stop(p->stop_ctx))
			return 0;
		wait = (need - p->tokens) / p->rate;
		sleep_seconds(wait < PACE_SLICE ? wait : PACE_SLICE);
	}
}

/* ---- the paced tree copy ---- */

static int copy_file_paced(struct pacer *p, const char *dst, const char *src, mode_t mode)
{
	char buf[1 << 16];
	int in = -1, out = -1, error = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot open '%s'", src);
		goto done;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot create '%s'", dst);
		goto done;
	}
	for (;;) {
		size_t grant = pacer_acquire(p, sizeof(buf));
		ssize_t n;

		if (!grant) {
			error = bench_error_set(BENCH_EINTERRUPTED, "copy of '%s' interrupted", src);
			goto done;
		}
		n = read(in, buf, grant);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = bench_error_errno(BENCH_EIO, "cannot read '%s'", src);
			goto done;
		}
		if (n == 0)
			break;
		if (write(out, buf, (size_t)n) != n) {
			error = bench_error_errno(BENCH_EIO, "cannot write '%s'", dst);
			goto done;
		}
	}
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", dst);
	return error;
}

static int copy_tree_paced(struct pacer *p, const char *dst, const char *src)
{
	struct stat st;
	DIR *dir = NULL;
	struct dirent *de;
	int error = 0;

	if (lstat(src, &st) < 0)
		return bench_error_errno(BENCH_EIO, "cannot stat '%s'", src);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return bench_error_errno(BENCH_EIO, "cannot read link '%s'", src);
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			return bench_error_errno(BENCH_EIO, "cannot create link '%s'", dst);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return copy_file_paced(p, dst, src, st.st_mode);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(dst, (st.st_mode & 07777) | 0700) < 0 && errno != EEXIST)
		return bench_error_errno(BENCH_EIO, "cannot create directory '%s'", dst);
	if (!(dir = opendir(src)))
		return bench_error_errno(BENCH_EIO, "cannot open directory '%s'", src);
	while (!error && (de = readdir(dir))) {
		char *s, *d;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = path_join(src, de->d_name);
		d = path_join(dst, de->d_name);
		error = copy_tree_paced(p, d, s);
		free(s);
		free(d);
	}
	closedir(dir);
	return error;
}

int paced_copy_tree(double *seconds, const char *dst, const char *src, double rate,
		    pace_stop_fn stop, void *stop_ctx)
{
	monotime start = monotime_now();
	struct pacer p;
	struct stat st;
	char *parent = NULL;
	int error;

	*seconds = 0;
	if ((error = rm_rf(dst)))
		goto done;
	if (lstat(src, &st) < 0) {
		if (errno != ENOENT)
			error = bench_error_errno(BENCH_EIO, "cannot stat '%s'", src);
		goto done; /* a missing src: nothing cached yet, not an error */
	}
	parent = path_dirname(dst);
	if ((error = mkdir_p(parent)))
		goto done;
	pacer_init(&p, rate, stop, stop_ctx);
	error = copy_tree_paced(&p, dst, src);
done:
	free(parent);
	*seconds = monotime_seconds_since(start);
	return error;
}
