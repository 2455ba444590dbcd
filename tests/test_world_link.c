/*
 * test_world_link.c: unit tests of the runner's link and the registry's
 * paced proxy (world/pace.c, world/proxy.c): a link shared by concurrent
 * streams gives each about its share and all of them together its rate; a
 * stream is held to the slower of its own rate and the link; the proxy
 * forwards real HTTP exchanges (the world's server behind it) at its rate in
 * both directions, passes half-closes on, counts what it forwards, owns its
 * port from the start and stops at once.
 *
 * Timings hold under load: each paced time is judged against references
 * measured in the same test, before and after it (paced_ok): pacing
 * never makes the work faster than its rate allows (at least 0.9 of the
 * expected time, whatever the load), and makes it at most 15% slower than
 * a lone pacer handing out the same bytes at the same rate takes now (what
 * sleeping in slices costs on this machine as loaded), plus what the same
 * work takes unpaced now. A loaded machine makes the references longer,
 * not the checks weaker: a per-file buffer charged 64 times over, a link
 * that charges twice or does not share, still fails. A load that changes
 * between the references and the measure is met by measuring again (at
 * most 3 times): a fault fails every time, a busy moment does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/util.h"
#include "world/pace.h"
#include "world/proxy.h"
#include "world/server.h"
#include "pacetest.h"

#define FILE_BYTES (4 * 1000 * 1000)

static double max2(double a, double b)
{
	return a > b ? a : b;
}

/* The references of a paced time: a lone pacer handing out `bytes` at
 * `rate`, and the same work unpaced (`work`, seconds, measured by the
 * caller; 0 when there is none). Measure one set before, one after. */
struct refs {
	double pacer, work;
};

static void refs_take(struct refs *r, size_t bytes, double rate, double work)
{
	r->pacer = max2(r->pacer, draw_bytes(bytes, rate, NULL));
	r->work = max2(r->work, work);
}

#define ATTEMPTS 3

/* A paced time `secs` of work whose rate makes it take `expect`: at least
 * 0.9 expect (asserted: load never makes pacing faster), and whether it is
 * at most 1.15 times the lone pacer plus the work unpaced (the work and the
 * waiting, at worst one after the other). A load that changes between the
 * references and the measure can push one attempt over: the caller measures
 * again, up to ATTEMPTS times (a pacing fault fails every one). */
static bool paced_ok(const char *what, double secs, double expect, const struct refs *r, int attempt)
{
	double most = 1.15 * r->pacer + r->work;

	print_message("%s: %.3f s (%.2f of %.3f s by the rate; now a lone pacer takes %.3f s, the work "
		      "unpaced %.3f s: at most %.3f s)%s\n", what, secs, secs / expect, expect, r->pacer, r->work,
		      most, secs <= most ? "" : attempt + 1 < ATTEMPTS ? ": over, measuring again" : ": over");
	assert_true(r->pacer >= 0.9 * expect);
	assert_true(secs >= 0.9 * expect);
	return secs <= most;
}

/* A folder (tmp/files) with big.bin (FILE_BYTES of noise) behind an
 * unpaced server. */
static struct {
	char *tmp, *files;
	char *data; /* big.bin's bytes */
	struct server *server;
} fx;

static int setup(void **state)
{
	char tmpl[] = "/tmp/bench-link-XXXXXX";
	uint64_t x = 88172645463325252ull;
	char *path;
	(void)state;

	if (!mkdtemp(tmpl))
		return -1;
	fx.tmp = xstrdup(tmpl);
	fx.files = path_join(fx.tmp, "files");
	fx.data = xmalloc(FILE_BYTES);
	for (size_t i = 0; i < FILE_BYTES; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		fx.data[i] = (char)(x >> 24);
	}
	path = path_join(fx.files, "big.bin");
	if (mkdir_p(fx.files) || write_file_atomic(path, fx.data, FILE_BYTES) ||
	    server_start(&fx.server, fx.files, 0, 0, NULL))
		return -1;
	free(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	server_stop(fx.server);
	rm_rf(fx.tmp);
	free(fx.tmp);
	free(fx.files);
	free(fx.data);
	return 0;
}

static bool stop_now(void *ctx)
{
	(void)ctx;
	return true;
}

/* ---- a small HTTP client ---- */

static int connect_port(int port)
{
	struct sockaddr_in sa = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		assert_true(n > 0);
		buf += n;
		len -= (size_t)n;
	}
}

/* Read fd to its end into out (may be NULL), adding every chunk's size to
 * *progress (may be NULL) as it comes. Returns the byte count. */
static size_t recv_all(int fd, struct strbuf *out, atomic_llong *progress)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out)
			strbuf_add(out, buf, (size_t)n);
		if (progress)
			atomic_fetch_add(progress, n);
		total += (size_t)n;
	}
	return total;
}

/* One HTTP/1.0 exchange with port: the request's head and body (may be
 * empty) out, the whole response back in *resp. Returns the request's size. */
static size_t exchange(struct strbuf *resp, int port, const char *head, const char *body,
		       size_t body_len, atomic_llong *progress)
{
	int fd = connect_port(port);

	send_all(fd, head, strlen(head));
	if (body_len)
		send_all(fd, body, body_len);
	recv_all(fd, resp, progress);
	close(fd);
	return strlen(head) + body_len;
}

/* The response's status and where its body starts. */
static const char *response_body(int *status, const struct strbuf *resp)
{
	const char *sep = resp->buf ? strstr(resp->buf, "\r\n\r\n") : NULL;

	assert_non_null(sep);
	assert_int_equal(sscanf(resp->buf, "HTTP/1.%*d %d", status), 1);
	return sep + 4;
}

#define GET_BIG "GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"

/* ---- two streams at once ---- */

/* One of two concurrent streams: either pacer draws (port 0) or a GET of
 * big.bin from port. Each notes when it ends and, when it ends first, how
 * far the other one had come by then. */
struct stream {
	struct stream *other;
	struct pace_link *link;
	int port;
	atomic_llong done;
	double seconds, other_share;
	atomic_bool *first_over;
	pthread_barrier_t *ready; /* both threads start together */
	monotime start;
};

static void *stream_main(void *arg)
{
	struct stream *s = arg;

	pthread_barrier_wait(s->ready);
	s->start = monotime_now();
	if (s->port) {
		struct strbuf resp = {0};
		exchange(&resp, s->port, GET_BIG, NULL, 0, &s->done);
		strbuf_release(&resp);
	} else {
		struct pacer p;
		pacer_init(&p, 0, NULL, NULL);
		pacer_set_link(&p, s->link);
		while (atomic_load(&s->done) < FILE_BYTES)
			atomic_fetch_add(&s->done, (long long)pacer_acquire(&p, 65536));
	}
	s->seconds = monotime_seconds_since(s->start);
	if (!atomic_exchange(s->first_over, true))
		s->other_share = (double)atomic_load(&s->other->done) / (double)atomic_load(&s->done);
	return NULL;
}

/* Two streams at once over link (pacers) or from port; the seconds until
 * both ended, and *share: how far the other had come when the first ended
 * (NULL: not wanted). */
static double two_streams(double *share, struct pace_link *link, int port)
{
	struct stream s[2];
	pthread_t t[2];
	atomic_bool first_over;
	pthread_barrier_t ready;
	double last;

	atomic_init(&first_over, false);
	pthread_barrier_init(&ready, NULL, 2);
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 2; i++) {
		s[i].other = &s[1 - i];
		s[i].link = link;
		s[i].port = port;
		atomic_init(&s[i].done, 0);
		s[i].first_over = &first_over;
		s[i].ready = &ready;
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, stream_main, &s[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&ready);
	assert_true(atomic_load(&s[0].done) >= FILE_BYTES && atomic_load(&s[1].done) >= FILE_BYTES);
	last = max2(s[0].seconds, s[1].seconds);
	if (share)
		*share = s[0].other_share > 0 ? s[0].other_share : s[1].other_share;
	return last;
}

/* Run two streams at once over a link of `rate` bytes/s (the pacers' own
 * link, or whatever paces the server at port) and check: together they
 * move at the rate (no faster, and no slower than the slack and the same
 * two streams unpaced allow: from ref_port, or over an uncapped link), and
 * when the first ends the other has moved at least 80% as much. */
static void check_two_streams(const char *what, struct pace_link *link, int port, double rate, int ref_port)
{
	struct pace_link *open = pace_link_new(0);
	double last, share, expect = 2.0 * FILE_BYTES / rate;
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct refs r = {0};
		refs_take(&r, 2 * FILE_BYTES, rate, two_streams(NULL, open, ref_port));
		last = two_streams(&share, link, port);
		refs_take(&r, 2 * FILE_BYTES, rate, two_streams(NULL, open, ref_port));
		print_message("%s: two streams of %d bytes over %.0f MB/s: together %.2f MB/s; the other had "
			      "%.2f of the first's bytes when it ended\n", what, FILE_BYTES, rate / 1e6,
			      2.0 * FILE_BYTES / last / 1e6, share);
		assert_true(2.0 * FILE_BYTES / last <= 1.15 * rate);
		/* a starved thread is the machine's; a link that does not share
		 * starves one every time */
		if (paced_ok(what, last, expect, &r, attempt) && share >= 0.8)
			break;
	}
	assert_true(attempt < ATTEMPTS);
	pace_link_free(open);
}

static void test_link_shared_by_two_streams(void **state)
{
	struct pace_link *link = pace_link_new(16e6);
	(void)state;

	check_two_streams("link", link, 0, 16e6, 0);
	pace_link_free(link);
}

/* Each stream goes no faster than the slower of its rate and the link. */
static void test_link_and_own_rate(void **state)
{
	static const struct { double own, link; } cases[] = {{4e6, 40e6}, {40e6, 4e6}, {4e6, 4e6}};
	struct pace_link *none = pace_link_new(0);
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pace_link *link = pace_link_new(cases[i].link);
		double secs, slower = cases[i].own < cases[i].link ? cases[i].own : cases[i].link;
		char *what = xasprintf("own %.0f MB/s, link %.0f MB/s: 2 MB", cases[i].own / 1e6,
				       cases[i].link / 1e6);
		int attempt;

		for (attempt = 0; attempt < ATTEMPTS; attempt++) {
			struct refs r = {0};
			refs_take(&r, 2000000, slower, 0);
			secs = draw_bytes(2000000, cases[i].own, link);
			refs_take(&r, 2000000, slower, 0);
			if (paced_ok(what, secs, 2e6 / slower, &r, attempt))
				break;
		}
		assert_true(attempt < ATTEMPTS);
		free(what);
		pace_link_free(link);
	}
	/* no cap, or no link: at once */
	assert_int_equal(pace_link_take(none, 1000000000, NULL, NULL), 0);
	assert_int_equal(pace_link_take(NULL, 1000000000, NULL, NULL), 0);
	assert_true(pace_link_rate(none) == 0 && pace_link_rate(NULL) == 0);
	pace_link_free(none);
	pace_link_free(NULL);
}

static void test_link_stop(void **state)
{
	struct pace_link *link = pace_link_new(1000); /* 1 MB would take 1000 s */
	struct pacer p;
	monotime t = monotime_now();
	(void)state;

	assert_int_equal(pace_link_take(link, 1000000, stop_now, NULL), -1);
	pacer_init(&p, 0, stop_now, NULL);
	pacer_set_link(&p, link);
	assert_int_equal(pacer_acquire(&p, 1000000), 0);
	assert_true(monotime_seconds_since(t) < 1);
	pace_link_free(link);
}

/* The seconds an unpaced copy of src to dst takes (dst removed after). */
static double unpaced_copy(const char *dst, const char *src)
{
	double secs = 0;

	assert_int_equal(paced_copy_tree(&secs, dst, src, 0, NULL, NULL, NULL), 0);
	rm_rf(dst);
	return secs;
}

/* The actions/cache stand-in draws from the link too. */
static void test_paced_copy_on_the_link(void **state)
{
	struct pace_link *link = pace_link_new(8e6);
	char *dst = path_join(fx.tmp, "copy");
	double secs;
	int attempt;
	(void)state;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct refs r = {0};
		refs_take(&r, FILE_BYTES, 8e6, unpaced_copy(dst, fx.files));
		assert_int_equal(paced_copy_tree(&secs, dst, fx.files, 100e6, link, NULL, NULL), 0);
		rm_rf(dst);
		refs_take(&r, FILE_BYTES, 8e6, unpaced_copy(dst, fx.files));
		if (paced_ok("paced copy at 100 MB/s over an 8 MB/s link", secs, FILE_BYTES / 8e6, &r, attempt))
			break;
	}
	assert_true(attempt < ATTEMPTS);
	free(dst);
	pace_link_free(link);
}

/* A copy of many small files is charged their bytes, not a buffer per file
 * (nor the read that finds each file's end). Charging a 64 KiB buffer a file
 * would take 64 times longer; creating the 200 files is the reference's
 * share of the bound (a millisecond each on a slow disk under load). */
static void test_paced_copy_charges_file_bytes(void **state)
{
	char *src = path_join(fx.tmp, "small"), *dst = path_join(fx.tmp, "small-copy");
	double secs, expect = 200 * 1000 / 1e6;
	int attempt;
	(void)state;

	assert_int_equal(mkdir_p(src), 0);
	for (int i = 0; i < 200; i++) {
		char *f = xasprintf("%s/f%03d", src, i);
		assert_int_equal(write_file_atomic(f, fx.data, 1000), 0);
		free(f);
	}
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct refs r = {0};
		refs_take(&r, 200 * 1000, 1e6, unpaced_copy(dst, src));
		assert_int_equal(paced_copy_tree(&secs, dst, src, 1e6, NULL, NULL, NULL), 0);
		rm_rf(dst);
		refs_take(&r, 200 * 1000, 1e6, unpaced_copy(dst, src));
		if (paced_ok("paced copy of 200 files of 1000 bytes at 1 MB/s", secs, expect, &r, attempt))
			break;
	}
	assert_true(attempt < ATTEMPTS);
	rm_rf(src);
	rm_rf(dst);
	free(src);
	free(dst);
}

/* Two downloads from the world's server at once share the runner's link. */
static void test_server_downloads_share_the_link(void **state)
{
	struct pace_link *link = pace_link_new(8e6);
	struct server *s = NULL;
	(void)state;

	assert_int_equal(server_start(&s, fx.files, 100e6, 0, link), 0);
	check_two_streams("server", link, server_port(s), 8e6, server_port(fx.server));
	server_stop(s);
	pace_link_free(link);
}

/* ---- the proxy ---- */

/* The seconds a GET of big.bin (a PUT of its bytes, head `put`) through
 * the unpaced proxy q takes now: the references of the paced proxy's. */
static double unpaced_exchange(struct proxy *q, const char *put)
{
	struct strbuf resp = {0};
	monotime t = monotime_now();

	if (put)
		exchange(&resp, proxy_port(q), put, fx.data, FILE_BYTES, NULL);
	else
		exchange(&resp, proxy_port(q), GET_BIG, NULL, 0, NULL);
	strbuf_release(&resp);
	return monotime_seconds_since(t);
}

/* A GET and a PUT through a proxy of 8 MB/s in front of the server: each
 * direction at the proxy's rate, the bytes intact and counted. */
static void test_proxy_paces_http_both_ways(void **state)
{
	struct proxy *p = NULL, *q = NULL;
	struct strbuf resp = {0};
	const char *body;
	char *put;
	size_t sent;
	int status;
	monotime t;
	double secs, expect = FILE_BYTES / 8e6;
	int attempt;
	bool ok = false;
	(void)state;

	assert_int_equal(proxy_start(&p, server_port(fx.server), 8e6, NULL), 0);
	assert_int_equal(proxy_start(&q, server_port(fx.server), 0, NULL), 0);
	for (attempt = 0; attempt < ATTEMPTS && !ok; attempt++) {
		struct refs r = {0};
		proxy_counters_reset(p);
		refs_take(&r, FILE_BYTES, 8e6, unpaced_exchange(q, NULL));
		t = monotime_now();
		sent = exchange(&resp, proxy_port(p), GET_BIG, NULL, 0, NULL);
		secs = monotime_seconds_since(t);
		refs_take(&r, FILE_BYTES, 8e6, unpaced_exchange(q, NULL));
		body = response_body(&status, &resp);
		ok = paced_ok("proxy at 8 MB/s, download", secs, expect, &r, attempt);
		assert_int_equal(status, 200);
		assert_int_equal(resp.len - (size_t)(body - resp.buf), FILE_BYTES);
		assert_memory_equal(body, fx.data, FILE_BYTES);
		assert_int_equal(proxy_bytes(p, PROXY_DOWN), resp.len);
		assert_int_equal(proxy_bytes(p, PROXY_UP), sent);
		strbuf_release(&resp);
	}
	assert_true(ok);

	/* the upload: the server reads the whole body, then refuses the method */
	proxy_counters_reset(p);
	assert_int_equal(proxy_bytes(p, PROXY_UP), 0);
	assert_int_equal(proxy_bytes(p, PROXY_DOWN), 0);
	put = xasprintf("PUT /up.bin HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n", FILE_BYTES);
	for (ok = false, attempt = 0; attempt < ATTEMPTS && !ok; attempt++) {
		struct refs r = {0};
		proxy_counters_reset(p);
		refs_take(&r, FILE_BYTES, 8e6, unpaced_exchange(q, put));
		t = monotime_now();
		sent = exchange(&resp, proxy_port(p), put, fx.data, FILE_BYTES, NULL);
		secs = monotime_seconds_since(t);
		refs_take(&r, FILE_BYTES, 8e6, unpaced_exchange(q, put));
		response_body(&status, &resp);
		ok = paced_ok("proxy at 8 MB/s, upload", secs, expect, &r, attempt);
		assert_int_equal(status, 405);
		assert_int_equal(proxy_bytes(p, PROXY_UP), sent);
		assert_int_equal(proxy_bytes(p, PROXY_DOWN), resp.len);
		strbuf_release(&resp);
	}
	assert_true(ok);
	free(put);
	proxy_stop(q);
	proxy_stop(p);
	proxy_stop(NULL);
}

/* Two connections through an unpaced proxy share the runner's link. */
static void test_proxy_connections_share_the_link(void **state)
{
	struct pace_link *link = pace_link_new(8e6);
	struct proxy *p = NULL;
	(void)state;

	assert_int_equal(proxy_start(&p, server_port(fx.server), 0, link), 0);
	check_two_streams("proxy", link, proxy_port(p), 8e6, server_port(fx.server));
	proxy_stop(p);
	pace_link_free(link);
}

/* An upstream that reads to the end of its one connection, then sends back
 * what it read and closes: it answers only if the half-close came through. */
struct echo {
	int listen_fd, port;
	pthread_t thread;
};

static void *echo_main(void *arg)
{
	struct echo *e = arg;
	struct strbuf got = {0};
	int fd = accept(e->listen_fd, NULL, NULL);

	if (fd >= 0) {
		recv_all(fd, &got, NULL);
		if (got.len)
			send(fd, got.buf, got.len, MSG_NOSIGNAL);
		close(fd);
	}
	strbuf_release(&got);
	return NULL;
}

static void echo_start(struct echo *e)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);

	e->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(e->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(e->listen_fd, 4), 0);
	assert_int_equal(getsockname(e->listen_fd, (struct sockaddr *)&sa, &len), 0);
	e->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&e->thread, NULL, echo_main, e), 0);
}

static void test_proxy_passes_half_close(void **state)
{
	struct echo e;
	struct proxy *p = NULL;
	struct strbuf back = {0};
	struct timeval tv = {10, 0};
	int fd;
	(void)state;

	echo_start(&e);
	assert_int_equal(proxy_start(&p, e.port, 20e6, NULL), 0);
	fd = connect_port(proxy_port(p));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	send_all(fd, fx.data, 100000);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(recv_all(fd, &back, NULL), 100000);
	assert_memory_equal(back.buf, fx.data, 100000);
	close(fd);
	pthread_join(e.thread, NULL);
	close(e.listen_fd);
	assert_int_equal(proxy_bytes(p, PROXY_UP), 100000);
	assert_int_equal(proxy_bytes(p, PROXY_DOWN), 100000);
	strbuf_release(&back);
	proxy_stop(p);
}

struct slow_get {
	int port;
	size_t got;
};

static void *slow_get_main(void *arg)
{
	struct slow_get *g = arg;
	struct strbuf resp = {0};

	exchange(&resp, g->port, GET_BIG, NULL, 0, NULL);
	g->got = resp.len;
	strbuf_release(&resp);
	return NULL;
}

/* The proxy's port is its own from proxy_start on (nobody can take it in
 * between: a second bind fails, a connect succeeds at once); a refused
 * upstream closes the client; proxy_stop cuts a transfer in progress. */
static void test_proxy_port_refused_upstream_and_stop(void **state)
{
	struct proxy *p = NULL, *q = NULL;
	struct sockaddr_in sa = {0};
	struct slow_get g = {0};
	pthread_t t;
	char c;
	int fd, dead_port;
	monotime start;
	double secs;
	(void)state;

	/* a port nothing listens on: bound, read, closed */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	{
		socklen_t len = sizeof(sa);
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
		dead_port = ntohs(sa.sin_port);
	}
	close(fd);

	assert_int_equal(proxy_start(&p, dead_port, 0, NULL), 0);
	assert_int_equal(proxy_start(&q, dead_port, 0, NULL), 0);
	assert_true(proxy_port(p) > 0 && proxy_port(p) != proxy_port(q));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons((uint16_t)proxy_port(p));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EADDRINUSE);
	close(fd);
	fd = connect_port(proxy_port(q)); /* no wait: it listens already */
	assert_int_equal(recv(fd, &c, 1, 0), 0); /* upstream refused: closed */
	close(fd);
	proxy_stop(q);
	proxy_stop(p);

	/* 4 MB at 100 KB/s would take 40 s: stop cuts it */
	assert_int_equal(proxy_start(&p, server_port(fx.server), 100e3, NULL), 0);
	g.port = proxy_port(p);
	assert_int_equal(pthread_create(&t, NULL, slow_get_main, &g), 0);
	usleep(300000);
	start = monotime_now();
	proxy_stop(p);
	secs = monotime_seconds_since(start);
	pthread_join(t, NULL);
	print_message("proxy_stop with a transfer in progress: %.3f s, %zu bytes had come\n", secs, g.got);
	assert_true(secs < 1);
	assert_true(g.got < FILE_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_shared_by_two_streams),
		cmocka_unit_test(test_link_and_own_rate),
		cmocka_unit_test(test_link_stop),
		cmocka_unit_test(test_paced_copy_on_the_link),
		cmocka_unit_test(test_paced_copy_charges_file_bytes),
		cmocka_unit_test(test_server_downloads_share_the_link),
		cmocka_unit_test(test_proxy_paces_http_both_ways),
		cmocka_unit_test(test_proxy_connections_share_the_link),
		cmocka_unit_test(test_proxy_passes_half_close),
		cmocka_unit_test(test_proxy_port_refused_upstream_and_stop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
