/*
 * world_settings.h: the [world] section of a scenario as the parser
 * (scenario/) fills it and the world (world.h) reads it. It lives with the
 * world so that world/ includes nothing of scenario/.
 */
#ifndef BENCH_WORLD_SETTINGS_H
#define BENCH_WORLD_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

/* [world]: the emulated network of scenarios/cafeboo.ini (see world.h). */
struct world_settings {
	bool enabled;             /* a [world] section is present */
	char *kind;               /* "cafeboo" */
	double scale;             /* multiplies every size; default 0.05 */
	double bandwidth;         /* bytes/s of the emulated internet (index, models) */
	double latency;           /* seconds added before each response */
	double cache_bandwidth;   /* bytes/s of the actions/cache stand-in; 0 = no transport */
	double registry_bandwidth;/* bytes/s of pushes to the registry; 0 = unpaced */
	double runner_bandwidth;  /* bytes/s of the runner's own link, shared by every transfer
				     at once; 0 (default) = no cap */
	double gha_quota;         /* bytes the emulated GitHub cache service keeps, before
				     scaling (the world multiplies it by scale); default 10GB */
	int gha_rate_limit;       /* upload requests per minute the GitHub cache service accepts
				     before answering 429 ("N/s" is stored as 60N); 0 = unlimited */
	double gha_retry_after;   /* seconds of the Retry-After sent with a 429; default 1 */
	char *base_image;         /* local image used as FROM, e.g. "bench/python:3.12.7-slim" */
	char *listen;             /* the IPv4 address the index and the registry's proxies
				     bind to; default "127.0.0.1", "0.0.0.0": every interface */
	char *address;            /* the host the builds are told (index URLs, registry refs):
				     how the engines reach the world; default: listen */
	char **engine_listen;     /* "ENGINE=ADDRESS" ...: the runner (index, registry proxy,
				     GitHub cache service) of the engine named ENGINE binds to
				     ADDRESS and its builds are told ADDRESS, overriding
				     listen and address for it (an engine on another host
				     next to one on this machine) */
	size_t engine_listen_count;
	unsigned seed;
	int line;
};

#endif
