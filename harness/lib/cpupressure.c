/*
 * cpupressure.c: the machine's CPU contention over a stretch of time, from
 * /proc/pressure/cpu (see cpupressure.h).
 */
#include "lib/cpupressure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpu_pressure_parse(double *out, const char *text)
{
	const char *line, *eol, *total;

	for (line = text; line && *line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		if (!strncmp(line, "some ", 5) && (total = strstr(line, " total=")) && (!eol || total < eol)) {
			char *end;
			double us = strtod(total + 7, &end);
			if (end == total + 7 || us < 0)
				return -1;
			*out = us / 1e6;
			return 0;
		}
	}
	return -1;
}

void cpu_pressure_read(struct cpu_pressure *out)
{
	const char *path = getenv("BENCH_CPU_PRESSURE");
	char text[512];
	FILE *f;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->at = monotime_now();
	if (!(f = fopen(path && *path ? path : "/proc/pressure/cpu", "re")))
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	out->ok = cpu_pressure_parse(&out->some_seconds, text) == 0;
}

double cpu_pressure_share(const struct cpu_pressure *a, const struct cpu_pressure *b)
{
	double wall, stalled;

	if (!a->ok || !b->ok || b->at <= a->at)
		return NAN;
	wall = monotime_seconds(a->at, b->at);
	stalled = b->some_seconds - a->some_seconds;
	if (stalled < 0)
		return NAN;
	return stalled > wall ? 1 : stalled / wall;
}
