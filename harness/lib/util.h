/*
 * util.h: small helpers every module shares: a growable string, a growable
 * argv (git's strvec), paths and files. Functions return 0 or a negative
 * BENCH_E* code with the message kept in error.h, unless noted.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated string. Zero-initialise, then _free. */
struct strbuf {
	char *buf; /* NULL until the first append */
	size_t len, alloc;
};
void strbuf_add(struct strbuf *sb, const char *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void strbuf_reset(struct strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

/* A growable NULL-terminated argv. Zero-initialise, then _release. */
struct strvec {
	char **v; /* NULL-terminated once anything was pushed */
	size_t n, alloc;
};
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strvec_release(struct strvec *sv);
/* The argv for exec: sv->v, or an empty argv when nothing was pushed. */
const char *const *strvec_argv(const struct strvec *sv);
/* Whether the NULL-ended list v (may be NULL) holds the string s. */
bool strlist_has(const char *const *v, const char *s);

/* Allocation that aborts the program on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* "a" + "/" + "b"; b absolute is returned as-is. Caller frees. */
char *path_join(const char *a, const char *b);
/* Directory part of a path ("." when none). Caller frees. */
char *path_dirname(const char *path);
/* Absolute, normalised form of path (need not exist). Caller frees. */
char *path_absolute(const char *path);
bool path_exists(const char *path);
bool path_is_dir(const char *path);

int mkdir_p(const char *path);
/* Remove a file or a whole tree; a missing path is not an error. */
int rm_rf(const char *path);
/* Bytes used by the regular files under path (0 when missing). */
int dir_size(int64_t *out, const char *path);
/* Copy a tree (regular files, dirs, symlinks) from src to a new dst. */
int copy_tree(const char *dst, const char *src);
/* What copy_tree_with may do differently from copy_tree (NULL: nothing). */
struct copy_tree_hooks {
	/* Asked before each read of file bytes: how many of `want` bytes may
	 * be read now (1..want), or 0 to stop the copy with BENCH_EINTERRUPTED.
	 * NULL: read freely. A pacer goes here. */
	size_t (*grant)(void *ctx, size_t want);
	void *ctx;
	unsigned dir_mode_or; /* mode bits added to every directory made */
};
int copy_tree_with(const char *dst, const char *src, const struct copy_tree_hooks *hooks);

/* Read a whole file into a NUL-terminated buffer. Caller frees *out. */
int read_file(char **out, size_t *len, const char *path);
/* Read a file in pieces, handing each to chunk(ctx, data, len) (data is
 * only valid during the call). Errors as read_file: BENCH_ENOTFOUND when
 * missing, BENCH_EIO. */
int read_file_chunks(const char *path, void (*chunk)(void *ctx, const void *data, size_t len),
		     void *ctx);
/* Write data to path atomically: path.tmp, fsync, rename, fsync dir. */
int write_file_atomic(const char *path, const char *data, size_t len);

/* Parse "30m", "90s", "1h30m", "250ms", "2.5" (seconds) into seconds.
 * Returns 0, or -1 when the text is not a duration. */
int parse_duration(double *out, const char *text);
/* Parse "100MB", "1.5GiB", "20MB/s", "512k" into bytes (per second when
 * allow_rate and the text ends in "/s"). Returns 0, or -1 when invalid. */
int parse_size(double *out, const char *text, bool allow_rate);
/* "yes/no/true/false/1/0/on/off". Returns 0, or -1 when invalid. */
int parse_bool(bool *out, const char *text);

/* Current UTC time as yyyymmddThhmmssZ into buf (at least 17 bytes). */
void utc_stamp(char *buf, size_t size);
/* Current UTC time as ISO 8601 "yyyy-mm-ddThh:mm:ssZ" into buf. */
void utc_iso8601(char *buf, size_t size);

#endif
