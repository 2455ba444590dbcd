/*
 * world/proxy.h: a paced TCP proxy on 127.0.0.1. It listens on a port of
 * its own (bound before proxy_start returns, so nobody can take it in
 * between) and forwards each connection it accepts to its own connection to
 * 127.0.0.1:upstream_port, byte for byte, in both directions, passing a
 * half-close on. Each direction of each connection is paced at `rate`
 * bytes/s and also drawn from a shared link (the runner's), as one transfer
 * on a real runner's network would be. The world puts one in front of its
 * registry, so that pushes and registry caches pay the network like every
 * other transfer. It counts the bytes it forwards and never prints anything.
 */
#ifndef BENCH_WORLD_PROXY_H
#define BENCH_WORLD_PROXY_H

#include <stdint.h>

#include "world/pace.h"

struct proxy;

enum proxy_direction {
	PROXY_UP,   /* client to upstream (a push, a cache export) */
	PROXY_DOWN, /* upstream to client (a pull, a cache import) */
};

/* Listen on 127.0.0.1 and a free port, and forward to upstream_port.
 * rate <= 0: each connection unpaced (the link still applies). link (may be
 * NULL) must outlive the proxy. */
int proxy_start(struct proxy **out, int upstream_port, double rate, struct pace_link *link);

/* The same, listening on the IPv4 address addr ("0.0.0.0": every
 * interface) instead of 127.0.0.1 (the upstream stays on 127.0.0.1), on a
 * given port (0: any): a resumed run's image and cache refs name it.
 * BENCH_EINVALID for a bad addr, BENCH_ESETUP when it cannot be bound. */
int proxy_start_at(struct proxy **out, const char *addr, int upstream_port, double rate, struct pace_link *link,
		   int port);

/* Stop accepting, cut the open connections, wait for every thread, free p.
 * NULL is fine. */

void proxy_stop(struct proxy *p);

/* The bound port. */
int proxy_port(const struct proxy *p);

/* Bytes forwarded in one direction since the start or the last reset. */
void proxy_counters_reset(struct proxy *p);
int64_t proxy_bytes(const struct proxy *p, enum proxy_direction dir);

#endif
