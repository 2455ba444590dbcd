/*
 * world/server.h: the emulated internet's HTTP server (libmicrohttpd, one
 * thread per connection) on 127.0.0.1 and an ephemeral port. It serves a
 * folder read-only (a trailing "/" serves that folder's index.html), waits
 * `latency` seconds before each response and paces every body at
 * `bandwidth` bytes/s per connection, every body also drawn from a shared
 * link (the runner's) when given one. It counts body bytes and requests and
 * never prints anything.
 */
#ifndef BENCH_WORLD_SERVER_H
#define BENCH_WORLD_SERVER_H

#include <stdint.h>

#include "world/pace.h"

struct server;

/* Serve root (which must outlive the server). bandwidth <= 0: unpaced.
 * link (may be NULL) must outlive the server. */
int server_start(struct server **out, const char *root, double bandwidth, double latency,
		 struct pace_link *link);

/* The same, listening on the IPv4 address listen ("0.0.0.0": every
 * interface) instead of 127.0.0.1, on a given port (0: any): a resumed run
 * serves on the port its builds were given. BENCH_EINVALID for a bad
 * address, BENCH_ESETUP when the port cannot be bound. */
int server_start_at(struct server **out, const char *listen, const char *root, double bandwidth, double latency,
		    struct pace_link *link, int port);

/* Stop serving (open transfers are cut) and free s. NULL is allowed. */

void server_stop(struct server *s);

/* The bound port. */
int server_port(const struct server *s);

/* Counters since the start or the last reset: body bytes sent and requests
 * answered (any status). */
void server_counters_reset(struct server *s);
int64_t server_bytes(const struct server *s);
int64_t server_requests(const struct server *s);

#endif
