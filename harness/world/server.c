/*
 * world/server.c: the emulated internet's HTTP server (see server.h). Each
 * connection has its own libmicrohttpd thread, so the latency wait and the
 * pacing simply sleep in that thread; every sleep is sliced and watches the
 * `stopping` flag so that server_stop never waits long.
 */
#include "world/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"
#include "world/pace.h"

struct server {
	struct MHD_Daemon *daemon;
	char *root;
	double bandwidth, latency;
	struct pace_link *link; /* the caller's, may be NULL */
	int port;
	atomic_bool stopping;
	atomic_llong bytes, requests;
};

/* One response body being sent: the open file and its pacer. Owned by the
 * MHD response (freed by free_body). */
struct body {
	struct server *s;
	int fd;
	struct pacer pacer;
};

static bool server_stopping(void *ctx)
{
	struct server *s = ctx;
	return atomic_load(&s->stopping);
}

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct body *b = cls;
	size_t grant = pacer_acquire(&b->pacer, max);
	ssize_t n;

	if (!grant)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	do
		n = pread(b->fd, buf, grant, (off_t)pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	atomic_fetch_add(&b->s->bytes, (long long)n);
	return n;
}

static void free_body(void *cls)
{
	struct body *b = cls;
	close(b->fd);
	free(b);
}

/* A URL is served only when every segment is an ordinary name: "." and
 * ".." (MHD has already percent-decoded the URL) and hidden names are
 * refused, so nothing outside root can be reached. */
static bool url_is_safe(const char *url)
{
	const char *p = url, *seg;

	if (*p != '/')
		return false;
	while (*p) {
		size_t len;
		p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len && seg[0] == '.')
			return false;
		if (!len && *p) /* "//" */
			return false;
	}
	return true;
}

static const char *content_type(const char *path)
{
	size_t len = strlen(path);
	if (len >= 5 && !strcmp(path + len - 5, ".html"))
		return "text/html; charset=utf-8";
	if (len >= 3 && !strcmp(path + len - 3, ".gz"))
		return "application/gzip";
	if (len >= 4 && !strcmp(path + len - 4, ".whl"))
		return "application/zip";
	return "application/octet-stream";
}

/* What PyPI answers with: a project page may be kept 10 minutes
 * (pypi.org/simple), a file for good (files.pythonhosted.org). pip's HTTP
 * cache (a RUN --mount=type=cache of /root/.cache/pip) keeps the wheels it
 * downloads only when they say so. */
static const char *cache_control(const char *path)
{
	size_t len = strlen(path);
	if (len >= 5 && !strcmp(path + len - 5, ".html"))
		return "max-age=600, public";
	return "max-age=365000000, immutable, public";
}

/* Open the file a URL names: a folder (with or without the trailing "/")
 * stands for its index.html. Returns the fd or -1. */
static int open_url(char **path_out, int64_t *size, const struct server *s, const char *url)
{
	char *path = xasprintf("%s%s", s->root, url);
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *index = path_join(path, "index.html");
		close(fd);
		free(path);
		path = index;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		*size = st.st_size;
	*path_out = path;
	return fd;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static int seen; /* marks a request whose headers were seen */
	struct server *s = cls;
	struct MHD_Response *r;
	struct body *b;
	enum MHD_Result ret;
	char *path = NULL;
	int64_t size = 0;
	int fd;

	(void)version;
	(void)upload_data;
	if (!*req_cls) {
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a body nobody asked for: drop it */
		*upload_data_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&s->requests, 1);
	if (s->latency > 0 && pace_sleep(s->latency, server_stopping, s) < 0)
		return MHD_NO;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (!url_is_safe(url))
		return answer_text(c, MHD_HTTP_FORBIDDEN, "forbidden\n");
	if ((fd = open_url(&path, &size, s, url)) < 0) {
		free(path);
		return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	b = xcalloc(1, sizeof(*b));
	b->s = s;
	b->fd = fd;
	pacer_init(&b->pacer, s->bandwidth, server_stopping, s);
	pacer_set_link(&b->pacer, s->link);
	r = MHD_create_response_from_callback((uint64_t)size, 1 << 16, read_body, b, free_body);
	if (!r) {
		free_body(b);
		free(path);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(path));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control(path));
	free(path);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int server_start(struct server **out, const char *root, double bandwidth, double latency,
		 struct pace_link *link)
{
	return server_start_at(out, "127.0.0.1", root, bandwidth, latency, link, 0);
}

int server_start_at(struct server **out, const char *listen, const char *root, double bandwidth, double latency,
		    struct pace_link *link, int port)
{
	struct server *s = xcalloc(1, sizeof(*s));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in addr;
	int error = 0;

	*out = NULL;
	s->root = path_absolute(root);
	s->bandwidth = bandwidth > 0 ? bandwidth : 0;
	s->latency = latency > 0 ? latency : 0;
	s->link = link;
	atomic_init(&s->stopping, false);
	atomic_init(&s->bytes, 0);
	atomic_init(&s->requests, 0);
	if (!path_is_dir(s->root)) {
		error = bench_error_set(BENCH_ENOTFOUND, "cannot serve '%s': not a folder", root);
		goto done;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, listen, &addr.sin_addr) != 1) {
		error = bench_error_set(BENCH_EINVALID, "cannot listen on '%s': not an IPv4 address", listen);
		goto done;
	}
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_END);
	if (!s->daemon) {
		error = port ? bench_error_set(BENCH_ESETUP, "cannot start the world's http server on %s:%d", listen, port)
			     : bench_error_set(BENCH_ESETUP, "cannot start the world's http server on %s", listen);
		goto done;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		error = bench_error_set(BENCH_ESETUP, "cannot read the world's http server port");
		goto done;
	}
	s->port = info->port;
	*out = s;
	s = NULL;
done:
	server_stop(s);
	return error;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	free(s->root);
	free(s);
}

int server_port(const struct server *s)
{
	return s->port;
}

void server_counters_reset(struct server *s)
{
	atomic_store(&s->bytes, 0);
	atomic_store(&s->requests, 0);
}

int64_t server_bytes(const struct server *s)
{
	return atomic_load(&((struct server *)s)->bytes);
}

int64_t server_requests(const struct server *s)
{
	return atomic_load(&((struct server *)s)->requests);
}
