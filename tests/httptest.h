/*
 * httptest.h: a minimal HTTP/1.0 client for the unit tests of the world's
 * servers (tests/test_world_*.c): one request per connection to
 * 127.0.0.1:PORT, any method, extra header lines and a body; the answer's
 * status, headers and body. No libcurl.
 *
 * Header-only (every function is static) so the Makefile never takes it for
 * a test program.
 */
#ifndef BENCH_TESTS_HTTPTEST_H
#define BENCH_TESTS_HTTPTEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

#define HTTPTEST_API static __attribute__((unused))

/* One answer. Release with http_resp_release. */
struct http_resp {
	int status;
	char *headers; /* the header block, "Name: value\r\n" lines */
	char *body;    /* NUL-terminated after len bytes */
	size_t len;
};

HTTPTEST_API void http_resp_release(struct http_resp *r)
{
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* A header's value (case-insensitive name) copied into buf, or NULL when the
 * answer has none. */
HTTPTEST_API const char *http_header(const struct http_resp *r, const char *name, char *buf,
				     size_t size)
{
	size_t nlen = strlen(name);
	const char *p = r->headers;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;
			while (*v == ' ')
				v++;
			len -= (size_t)(v - p);
			if (len >= size)
				len = size - 1;
			memcpy(buf, v, len);
			buf[len] = '\0';
			return buf;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

/* Send `method path` with the header lines in headers (NULL-terminated, each
 * "Name: value", may be NULL) and body (len bytes, may be NULL), read the
 * whole answer into *resp. Returns 0, or -1 when the exchange failed. */
HTTPTEST_API int http_request(struct http_resp *resp, int port, const char *method,
			      const char *path, const char *const *headers, const void *body,
			      size_t len)
{
	struct sockaddr_in addr = {0};
	struct strbuf req = {0}, in = {0};
	char buf[65536], *sep;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t off;
	ssize_t n;

	memset(resp, 0, sizeof(*resp));
	if (fd < 0)
		return -1;
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	strbuf_printf(&req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n", method, path);
	for (; headers && *headers; headers++)
		strbuf_printf(&req, "%s\r\n", *headers);
	if (body)
		strbuf_printf(&req, "Content-Length: %zu\r\n", len);
	strbuf_puts(&req, "\r\n");
	if (body)
		strbuf_add(&req, body, len);
	for (off = 0; off < req.len; off += (size_t)n)
		if ((n = write(fd, req.buf + off, req.len - off)) <= 0)
			break;
	strbuf_release(&req);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&in, buf, (size_t)n);
	close(fd);
	if (!in.buf || sscanf(in.buf, "HTTP/1.%*d %d", &resp->status) != 1 ||
	    !(sep = strstr(in.buf, "\r\n\r\n"))) {
		strbuf_release(&in);
		return -1;
	}
	{
		char *eol = strstr(in.buf, "\r\n");
		resp->headers = xstrndup(eol + 2, (size_t)(sep + 2 - (eol + 2)));
	}
	sep += 4;
	resp->len = in.len - (size_t)(sep - in.buf);
	resp->body = xmalloc(resp->len + 1);
	memcpy(resp->body, sep, resp->len);
	resp->body[resp->len] = '\0';
	strbuf_release(&in);
	return 0;
}

/* A GET (or HEAD, or any body-less method): *status, the body (caller
 * frees) and its length. */
HTTPTEST_API int http_get(int *status, char **body, size_t *len, int port, const char *method,
			  const char *path)
{
	struct http_resp r;

	if (http_request(&r, port, method, path, NULL, NULL, 0) < 0)
		return -1;
	*status = r.status;
	*body = r.body;
	*len = r.len;
	r.body = NULL;
	http_resp_release(&r);
	return 0;
}

#endif
