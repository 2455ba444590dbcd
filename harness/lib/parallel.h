/*
 * parallel.h: run n independent jobs on the machine's cores (pthreads), for
 * CPU-bound work such as generating the emulated world's files. Each job
 * owns its own state; the message of a failing job (error.h keeps one per
 * thread) comes back to the caller's thread.
 */
#ifndef BENCH_PARALLEL_H
#define BENCH_PARALLEL_H

#include <stddef.h>

/* Job i of n: 0 or a negative BENCH_E* code with the message kept. */
typedef int (*parallel_job_fn)(void *ctx, size_t i);

/* Run job(ctx, 0..n-1) on up to `threads` threads (0: one per online CPU),
 * in order of i as far as the threads go. Every job runs even when one
 * fails; the result is the error of the lowest i that failed, its message
 * set in the caller's thread, or 0. */
int parallel_run(size_t n, parallel_job_fn job, void *ctx, int threads);

#endif
