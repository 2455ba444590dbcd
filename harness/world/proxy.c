/*
 * world/proxy.c: the paced TCP proxy of the emulated world (see proxy.h).
 *
 * Threads and blocking sockets: one acceptor thread, and per accepted
 * connection two pump threads, one per direction, each reading, asking its
 * pacer (its own rate, then the shared link) and writing. A pump that reads
 * the end of its stream passes it on as a half-close and ends; a pump that
 * fails shuts both sockets down so that its partner ends too. The proxy owns
 * its connections: the acceptor reaps the finished ones (join, close, free)
 * whenever it accepts a new one, proxy_stop reaps the rest. Every thread
 * runs with all signals blocked, so signals keep going to bench's main
 * thread.
 */
#include "world/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"

#define PUMP_BUFFER 65536

struct conn;

/* One direction of one connection. */
struct pump {
	struct conn *c;
	enum proxy_direction dir;
	pthread_t thread;
	bool started;
};

struct conn {
	struct proxy *p;
	int client, upstream;  /* closed only when the conn is reaped */
	struct pump pumps[2];
	atomic_int running;    /* pumps not yet ended */
	struct conn *next;
};

struct proxy {
	int listen_fd, port, upstream_port;
	double rate;
	struct pace_link *link; /* the caller's, may be NULL */
	pthread_t acceptor;
	bool acceptor_started;
	pthread_mutex_t mu;     /* guards conns */
	struct conn *conns;
	atomic_bool stopping;
	atomic_llong bytes[2];
};

static bool proxy_stopping(void *ctx)
{
	struct proxy *p = ctx;
	return atomic_load(&p->stopping);
}

/* Start fn(arg) with every signal blocked in the new thread. Returns 0 or an
 * errno value. */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *pump_main(void *arg)
{
	struct pump *pu = arg;
	struct conn *c = pu->c;
	struct proxy *p = c->p;
	int from = pu->dir == PROXY_UP ? c->client : c->upstream;
	int to = pu->dir == PROXY_UP ? c->upstream : c->client;
	char *buf = xmalloc(PUMP_BUFFER);
	struct pacer pacer;

	pacer_init(&pacer, p->rate, proxy_stopping, p);
	pacer_set_link(&pacer, p->link);
	for (;;) {
		ssize_t n = recv(from, buf, PUMP_BUFFER, 0);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) { /* the end of this direction: pass the half-close on */
			shutdown(to, SHUT_WR);
			goto done;
		}
		if (n < 0)
			goto broken;
		while (off < (size_t)n) {
			size_t grant = pacer_acquire(&pacer, (size_t)n - off);

			if (!grant || send_all(to, buf + off, grant) < 0)
				goto broken;
			atomic_fetch_add(&p->bytes[pu->dir], (long long)grant);
			off += grant;
		}
	}
broken: /* a reset, a failed write or the proxy stopping: end both directions */
	shutdown(c->client, SHUT_RDWR);
	shutdown(c->upstream, SHUT_RDWR);
done:
	free(buf);
	atomic_fetch_sub(&c->running, 1);
	return NULL;
}

/* Join c's pumps, close its sockets, free it. */
static void conn_free(struct conn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->pumps[i].started)
			pthread_join(c->pumps[i].thread, NULL);
	close(c->client);
	close(c->upstream);
	free(c);
}

/* Reap the connections whose pumps have both ended (all of them when
 * `all`, after cutting them). */
static void reap(struct proxy *p, bool all)
{
	struct conn **link, *c, *done = NULL;

	pthread_mutex_lock(&p->mu);
	for (link = &p->conns; (c = *link);) {
		if (all) {
			shutdown(c->client, SHUT_RDWR);
			shutdown(c->upstream, SHUT_RDWR);
		}
		if (all || atomic_load(&c->running) == 0) {
			*link = c->next;
			c->next = done;
			done = c;
		} else {
			link = &c->next;
		}
	}
	pthread_mutex_unlock(&p->mu);
	while ((c = done)) {
		done = c->next;
		conn_free(c);
	}
}

static int connect_upstream(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Requests and responses are forwarded as they come: no Nagle delay. */
static void no_delay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Take an accepted client: connect upstream (a refused upstream closes the
 * client, as a dead server would) and start the two pumps. */
static void conn_start(struct proxy *p, int client)
{
	struct conn *c;
	int upstream = connect_upstream(p->upstream_port);

	if (upstream < 0) {
		close(client);
		return;
	}
	no_delay(client);
	no_delay(upstream);
	c = xcalloc(1, sizeof(*c));
	c->p = p;
	c->client = client;
	c->upstream = upstream;
	atomic_init(&c->running, 2);
	pthread_mutex_lock(&p->mu);
	c->next = p->conns;
	p->conns = c;
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < 2; i++) {
		c->pumps[i].c = c;
		c->pumps[i].dir = i ? PROXY_DOWN : PROXY_UP;
		if (start_thread(&c->pumps[i].thread, pump_main, &c->pumps[i]) == 0) {
			c->pumps[i].started = true;
		} else { /* no thread: this direction ends at once, and the other */
			shutdown(client, SHUT_RDWR);
			shutdown(upstream, SHUT_RDWR);
			atomic_fetch_sub(&c->running, 1);
		}
	}
}

static void *accept_main(void *arg)
{
	struct proxy *p = arg;

	while (!atomic_load(&p->stopping)) {
		int client = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (client < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (atomic_load(&p->stopping))
				break;
			pace_sleep(0.05, proxy_stopping, p); /* out of fds, say */
			continue;
		}
		if (atomic_load(&p->stopping)) {
			close(client);
			break;
		}
		reap(p, false);
		conn_start(p, client);
	}
	return NULL;
}

int proxy_start(struct proxy **out, int upstream_port, double rate, struct pace_link *link)
{
	return proxy_start_at(out, "127.0.0.1", upstream_port, rate, link, 0);
}

int proxy_start_at(struct proxy **out, const char *addr, int upstream_port, double rate, struct pace_link *link,
		   int port)
{
	struct proxy *p = xcalloc(1, sizeof(*p));
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int error = 0, rc;

	*out = NULL;
	p->upstream_port = upstream_port;
	p->rate = rate > 0 ? rate : 0;
	p->link = link;
	pthread_mutex_init(&p->mu, NULL);
	atomic_init(&p->stopping, false);
	atomic_init(&p->bytes[PROXY_UP], 0);
	atomic_init(&p->bytes[PROXY_DOWN], 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		p->listen_fd = -1; /* nothing opened for proxy_stop to close */
		error = bench_error_set(BENCH_EINVALID, "cannot listen on '%s': not an IPv4 address", addr);
		goto done;
	}
	sa.sin_port = htons((uint16_t)port);
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd >= 0) {
		/* a resumed run binds the port of the run that was killed, whose
		 * connections linger (FIN_WAIT2 while the engine keeps its end):
		 * they and the new listener must all allow it */
		int one = 1;
		setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(p->listen_fd, 128) < 0 || getsockname(p->listen_fd, (struct sockaddr *)&sa, &len) < 0) {
		error = bench_error_errno(BENCH_ESETUP, "cannot listen on %s for the proxy to port %d", addr,
					  upstream_port);
		goto done;
	}
	p->port = ntohs(sa.sin_port);
	if ((rc = start_thread(&p->acceptor, accept_main, p))) {
		errno = rc;
		error = bench_error_errno(BENCH_ESETUP, "cannot start the proxy's thread");
		goto done;
	}
	p->acceptor_started = true;
	*out = p;
	p = NULL;
done:
	proxy_stop(p);
	return error;
}

void proxy_stop(struct proxy *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, true);
	if (p->acceptor_started) {
		shutdown(p->listen_fd, SHUT_RDWR); /* wakes accept4 */
		pthread_join(p->acceptor, NULL);
	}
	reap(p, true);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int proxy_port(const struct proxy *p)
{
	return p->port;
}

void proxy_counters_reset(struct proxy *p)
{
	atomic_store(&p->bytes[PROXY_UP], 0);
	atomic_store(&p->bytes[PROXY_DOWN], 0);
}

int64_t proxy_bytes(const struct proxy *p, enum proxy_direction dir)
{
	return atomic_load(&((struct proxy *)p)->bytes[dir]);
}
