/*
 * cpupressure.h: how much of a stretch of time some task on this machine
 * waited for a CPU (Linux pressure stall information, /proc/pressure/cpu,
 * line "some"). A build's record keeps it as `cpu_contention`: the share of
 * its wall time during which something, the build itself included, was
 * runnable and not running. A neighbour that takes the CPUs raises it; the
 * report and the blog's figures say so (a time measured under contention is
 * the machine's, not the strategy's).
 */
#ifndef BENCH_CPUPRESSURE_H
#define BENCH_CPUPRESSURE_H

#include <stdbool.h>

#include "lib/monotonic.h"

struct cpu_pressure {
	bool ok;             /* the kernel has PSI and the file was read */
	double some_seconds; /* "some ... total=" (microseconds in the file) */
	monotime at;
};

/* A reading of /proc/pressure/cpu now (out->ok false without PSI; never an
 * error: contention is extra information). BENCH_CPU_PRESSURE names
 * another file (the unit tests'). */
void cpu_pressure_read(struct cpu_pressure *out);

/* The share of [a, b] during which some task waited for a CPU, 0..1; NAN
 * when either reading failed or no time passed. */
double cpu_pressure_share(const struct cpu_pressure *a, const struct cpu_pressure *b);

/* Parse the file's text: the "some" line's total, in seconds, in *out.
 * 0, or -1 when there is no such line. */
int cpu_pressure_parse(double *out, const char *text);

#endif
