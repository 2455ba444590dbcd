/* util.c: strings, argv vectors, paths and files shared by every module. */
#include "lib/util.h"
#include "lib/error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	fputs("bench: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb = {0};
	strbuf_vprintf(&sb, fmt, ap);
	return strbuf_detach(&sb);
}

/* ---- strbuf ---- */

static void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	sb->alloc = (sb->len + extra + 1) * 2;
	sb->buf = xrealloc(sb->buf, sb->alloc);
}

void strbuf_add(struct strbuf *sb, const char *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* ap is left as va_start made it (the caller va_ends it). */
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	strbuf_grow(sb, (size_t)n);
	va_copy(ap2, ap);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	sb->len += (size_t)n;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

/* ---- strvec ---- */

void strvec_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = (sv->n + 2) * 2;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strvec_push(sv, s);
	free(s);
}

void strvec_release(struct strvec *sv)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

const char *const *strvec_argv(const struct strvec *sv)
{
	static const char *const empty[] = {NULL};
	return sv->v ? (const char *const *)sv->v : empty;
}

bool strlist_has(const char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* ---- paths ---- */

char *path_join(const char *a, const char *b)
{
	size_t la;
	if (!a || !*a || b[0] == '/')
		return xstrdup(b);
	la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *path_absolute(const char *path)
{
	struct strvec parts = {0};
	struct strbuf out = {0};
	char *joined, *p, *tok, *save = NULL;
	size_t i;

	if (path[0] == '/') {
		joined = xstrdup(path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			strcpy(cwd, "/");
		joined = path_join(cwd, path);
	}
	for (p = joined; (tok = strtok_r(p, "/", &save)); p = NULL) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (parts.n) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			}
			continue;
		}
		strvec_push(&parts, tok);
	}
	for (i = 0; i < parts.n; i++)
		strbuf_printf(&out, "/%s", parts.v[i]);
	if (!out.len)
		strbuf_puts(&out, "/");
	strvec_release(&parts);
	free(joined);
	return strbuf_detach(&out);
}

bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mkdir_p(const char *path)
{
	char *copy = xstrdup(path), *p;
	int error = 0;

	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
				error = bench_error_errno(BENCH_EIO, "cannot create directory '%s'", copy);
				goto done;
			}
			*p = saved;
			if (!saved)
				break;
		}
	}
	if (!path_is_dir(path))
		error = bench_error_set(BENCH_EIO, "'%s' exists and is not a directory", path);
done:
	free(copy);
	return error;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int error = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bench_error_errno(BENCH_EIO, "cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return bench_error_errno(BENCH_EIO, "cannot remove '%s'", path);
		return 0;
	}
	if (!(dir = opendir(path)))
		return bench_error_errno(BENCH_EIO, "cannot open directory '%s'", path);
	while ((de = readdir(dir))) {
		char *child;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = path_join(path, de->d_name);
		error = rm_rf(child);
		free(child);
		if (error)
			break;
	}
	closedir(dir);
	if (!error && rmdir(path) < 0 && errno != ENOENT)
		error = bench_error_errno(BENCH_EIO, "cannot remove directory '%s'", path);
	return error;
}

int dir_size(int64_t *out, const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int error = 0;

	*out = 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bench_error_errno(BENCH_EIO, "cannot stat '%s'", path);
	if (S_ISREG(st.st_mode)) {
		*out = st.st_size;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (!(dir = opendir(path)))
		return bench_error_errno(BENCH_EIO, "cannot open directory '%s'", path);
	while ((de = readdir(dir))) {
		char *child;
		int64_t sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = path_join(path, de->d_name);
		error = dir_size(&sub, child);
		free(child);
		if (error)
			break;
		*out += sub;
	}
	closedir(dir);
	return error;
}

/* One walker for copy_tree and copy_tree_with; hooks may be NULL. */
static int copy_file(const char *dst, const char *src, mode_t mode,
		     const struct copy_tree_hooks *hooks)
{
	char buf[1 << 16];
	struct stat st;
	off_t left; /* bytes the file still has; -1: unknown */
	int in = -1, out = -1, error = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot open '%s'", src);
		goto done;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot create '%s'", dst);
		goto done;
	}
	left = fstat(in, &st) == 0 ? st.st_size : -1;
	for (;;) {
		/* a grant is asked only for bytes the file still has, so that a
		 * pacer is not charged for the read that finds its end */
		size_t want = left >= 0 && (uint64_t)left < sizeof(buf) ? (size_t)left : sizeof(buf);
		size_t grant = left != 0 && hooks && hooks->grant ? hooks->grant(hooks->ctx, want)
								  : sizeof(buf);
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
		if (left > 0)
			left -= n < left ? n : left;
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

int copy_tree_with(const char *dst, const char *src, const struct copy_tree_hooks *hooks)
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
		return copy_file(dst, src, st.st_mode, hooks);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(dst, (st.st_mode & 07777) | (hooks ? hooks->dir_mode_or : 0)) < 0 &&
	    errno != EEXIST)
		return bench_error_errno(BENCH_EIO, "cannot create directory '%s'", dst);
	if (!(dir = opendir(src)))
		return bench_error_errno(BENCH_EIO, "cannot open directory '%s'", src);
	while (!error && (de = readdir(dir))) {
		char *s, *d;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = path_join(src, de->d_name);
		d = path_join(dst, de->d_name);
		error = copy_tree_with(d, s, hooks);
		free(s);
		free(d);
	}
	closedir(dir);
	return error;
}

int copy_tree(const char *dst, const char *src)
{
	return copy_tree_with(dst, src, NULL);
}

/* ---- files ---- */

int read_file_chunks(const char *path, void (*chunk)(void *ctx, const void *data, size_t len),
		     void *ctx)
{
	char buf[1 << 16];
	int fd, error = 0;
	ssize_t n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return bench_error_errno(errno == ENOENT ? BENCH_ENOTFOUND : BENCH_EIO,
					 "cannot open '%s'", path);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = bench_error_errno(BENCH_EIO, "cannot read '%s'", path);
			goto done;
		}
		chunk(ctx, buf, (size_t)n);
	}
done:
	close(fd);
	return error;
}

static void strbuf_chunk(void *sb, const void *data, size_t len)
{
	strbuf_add(sb, data, len);
}

int read_file(char **out, size_t *len, const char *path)
{
	struct strbuf sb = {0};
	int error;

	*out = NULL;
	if ((error = read_file_chunks(path, strbuf_chunk, &sb)))
		goto done;
	if (len)
		*len = sb.len;
	*out = strbuf_detach(&sb);
done:
	strbuf_release(&sb);
	return error;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp", path);
	char *dir = path_dirname(path);
	int fd = -1, dfd = -1, error = 0;
	size_t off = 0;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot create '%s'", tmp);
		goto done;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = bench_error_errno(BENCH_EIO, "cannot write '%s'", tmp);
			goto done;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot sync '%s'", tmp);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", tmp);
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot rename '%s' to '%s'", tmp, path);
		goto done;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
done:
	if (fd >= 0)
		close(fd);
	if (error)
		unlink(tmp);
	free(tmp);
	free(dir);
	return error;
}

/* ---- parsing of values ---- */

int parse_duration(double *out, const char *text)
{
	const char *p = text;
	double total = 0;
	bool any = false;

	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		char *end;
		double v;
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p || !isfinite(v) || v < 0)
			return -1;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			v /= 1000;
			p += 2;
		} else if (*p == 'h') {
			v *= 3600;
			p++;
		} else if (*p == 'm') {
			v *= 60;
			p++;
		} else if (*p == 's') {
			p++;
		} else if (*p && !isspace((unsigned char)*p)) {
			return -1;
		} else if (any) {
			return -1; /* "1h30" is ambiguous */
		}
		total += v;
		any = true;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (!any)
		return -1;
	*out = total;
	return 0;
}

int parse_size(double *out, const char *text, bool allow_rate)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
		{"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
		{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1}, {"", 1},
	};
	char unit[16];
	char *end;
	double v;
	size_t i, n;
	bool rate = false;

	while (isspace((unsigned char)*text))
		text++;
	if (!isdigit((unsigned char)*text) && *text != '.')
		return -1;
	v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	n = strlen(end);
	while (n && isspace((unsigned char)end[n - 1]))
		n--;
	if (n >= 2 && end[n - 2] == '/' && (end[n - 1] == 's' || end[n - 1] == 'S')) {
		if (!allow_rate)
			return -1;
		rate = true;
		n -= 2;
	}
	(void)rate;
	if (n >= sizeof(unit))
		return -1;
	for (i = 0; i < n; i++)
		unit[i] = (char)tolower((unsigned char)end[i]);
	unit[n] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(unit, units[i].unit)) {
			*out = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

int parse_bool(bool *out, const char *text)
{
	static const char *yes[] = {"yes", "true", "1", "on"}, *no[] = {"no", "false", "0", "off"};
	size_t i;
	for (i = 0; i < 4; i++) {
		if (!strcasecmp(text, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

void utc_stamp(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y%m%dT%H%M%SZ", &tm);
}

void utc_iso8601(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
