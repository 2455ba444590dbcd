/*
 * pacetest.h: the reference the tests of paced transfers time against: how
 * long a lone pacer takes, now, to hand out some bytes (a loaded machine
 * makes it longer, as it does the paced transfer measured beside it).
 */
#ifndef BENCH_TESTS_PACETEST_H
#define BENCH_TESTS_PACETEST_H

#include <stddef.h>

#include "lib/monotonic.h"
#include "world/pace.h"

/* The seconds a lone pacer of rate `own` over link (may be NULL) takes to
 * hand out `bytes`, in 64 KiB asks. */
static inline double draw_bytes(size_t bytes, double own, struct pace_link *link)
{
	struct pacer p;
	monotime t = monotime_now();

	pacer_init(&p, own, NULL, NULL);
	pacer_set_link(&p, link);
	while (bytes)
		bytes -= pacer_acquire(&p, bytes < 65536 ? bytes : 65536);
	return monotime_seconds_since(t);
}

#endif
