/*
 * bench_rawjson.c: throughput of the rawjson reader on a synthetic ~50 MB
 * `--progress=rawjson` stream (vertexes, statuses and base64 logs, pretty
 * printed like buildx does), fed whole, in 64 KiB pipe-sized chunks and in
 * 1-byte-to-4 KiB random chunks. Prints MB/s. Not a unit test (no test_
 * prefix); build it by hand:
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iharness $(pkg-config --cflags jansson) \
 *      -o /tmp/bench_rawjson tests/bench_rawjson.c harness/builders/rawjson.c \
 *      harness/lib/util.c harness/lib/error.c $(pkg-config --libs jansson) -lm
 *   /tmp/bench_rawjson [megabytes]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/monotonic.h"
#include "builders/rawjson.h"
#include "lib/util.h"

static void add_log(struct strbuf *sb, const char *digest, size_t bytes, unsigned seed)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	strbuf_printf(sb, "{\n  \"logs\": [\n    {\n      \"vertex\": \"%s\",\n"
			  "      \"stream\": 1,\n      \"data\": \"", digest);
	for (size_t i = 0; i < bytes / 3 * 4; i++)
		strbuf_add(sb, &tab[(seed + i * 7) % 64], 1);
	strbuf_puts(sb, "\",\n      \"timestamp\": \"2026-11-28T06:36:55.244019905Z\"\n"
			"    }\n  ]\n}\n");
}

static void generate(struct strbuf *sb, size_t target)
{
	char digest[80];
	for (unsigned i = 0; sb->len < target; i++) {
		unsigned v = i % 400;
		snprintf(digest, sizeof(digest), "sha256:%064u", v);
		strbuf_printf(sb,
			      "{\n  \"vertexes\": [\n    {\n      \"digest\": \"%s\",\n"
			      "      \"inputs\": [\n        \"sha256:%064u\"\n      ],\n"
			      "      \"name\": \"[stage%u %u/400] RUN make -j8 target-%u \\u0026\\u0026 echo done\",\n"
			      "      \"started\": \"2026-11-28T06:%02u:%02u.%09uZ\"%s\n    }\n  ]\n}\n",
			      digest, v ? v - 1 : 0, v % 7, v + 1, v, (i / 60) % 60, i % 60, i * 7919 % 1000000000,
			      i % 3 ? ",\n      \"completed\": \"2026-11-28T07:00:00.5Z\"" : "");
		strbuf_printf(sb,
			      "{\n  \"statuses\": [\n    {\n      \"id\": \"extracting sha256:%u\",\n"
			      "      \"vertex\": \"%s\",\n      \"name\": \"extracting\",\n"
			      "      \"current\": %u,\n      \"total\": 1000000,\n"
			      "      \"timestamp\": \"2026-11-28T06:36:55.250808569Z\"\n    }\n  ]\n}\n",
			      i, digest, i * 13 % 1000000);
		add_log(sb, digest, i % 50 == 0 ? 60000 : 300, i);
	}
}

static double run(const char *data, size_t len, size_t chunk, size_t *steps, size_t *objects)
{
	struct rawjson *p;
	monotime t0;
	size_t off = 0;
	double s;

	srand(1);
	if (rawjson_new(&p) < 0)
		return -1;
	t0 = monotime_now();
	while (off < len) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 4096;
		if (n > len - off)
			n = len - off;
		rawjson_feed(p, data + off, n);
		off += n;
	}
	s = monotime_seconds_since(t0);
	rawjson_steps(p, steps);
	*objects = rawjson_objects(p);
	rawjson_free(p);
	return s;
}

int main(int argc, char **argv)
{
	double mb = argc > 1 ? atof(argv[1]) : 50;
	static const struct { const char *what; size_t chunk; } modes[] = {
		{"whole", 0}, {"64KiB chunks", 65536}, {"random 1B-4KiB chunks", 0},
	};
	struct strbuf sb = {0};
	size_t steps = 0, objects = 0;

	if (mb <= 0)
		mb = 50;
	generate(&sb, (size_t)(mb * 1e6));
	printf("stream: %.1f MB\n", sb.len / 1e6);
	for (size_t m = 0; m < 3; m++) {
		size_t chunk = m == 0 ? sb.len : modes[m].chunk;
		double s = run(sb.buf, sb.len, chunk, &steps, &objects);
		printf("%-22s %8.3f s  %7.1f MB/s  (%zu objects, %zu steps)\n", modes[m].what, s,
		       sb.len / 1e6 / s, objects, steps);
	}
	strbuf_release(&sb);
	return 0;
}
