/*
 * test_rawjson.c: the rawjson reader against streams recorded from a real
 * `docker buildx build --progress=rawjson` (tests/data/rawjson, see its
 * README.md), fed whole, byte by byte and in random chunks, plus garbage,
 * truncation, restarts and timestamps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "builders/rawjson.h"
#include "lib/util.h"

struct stream {
	char *data;
	size_t len;
};

/* tests/data/rawjson next to this file (the tests run from the top folder),
 * or under $BENCH_SRCDIR when they run from elsewhere. */
static void load(struct stream *s, const char *name)
{
	char *dir = path_dirname(__FILE__);
	char *path = xasprintf("%s/data/rawjson/%s", dir, name);
	if (!path_exists(path) && getenv("BENCH_SRCDIR")) {
		free(path);
		path = xasprintf("%s/tests/data/rawjson/%s", getenv("BENCH_SRCDIR"), name);
	}
	if (read_file(&s->data, &s->len, path) < 0)
		fail_msg("%s", bench_error_last());
	free(path);
	free(dir);
}

static struct rawjson *parse_chunks(const char *data, size_t len, size_t chunk, unsigned seed)
{
	struct rawjson *p;
	size_t off = 0;

	assert_int_equal(rawjson_new(&p), 0);
	srand(seed);
	while (off < len) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 700;
		if (n > len - off)
			n = len - off;
		assert_int_equal(rawjson_feed(p, data + off, n), 0);
		off += n;
	}
	return p;
}

static struct rawjson *parse_whole(const char *data, size_t len)
{
	return parse_chunks(data, len, len ? len : 1, 0);
}

static const struct step *find_step(const struct rawjson *p, const char *prefix)
{
	size_t n;
	const struct step *s = rawjson_steps(p, &n);
	for (size_t i = 0; i < n; i++)
		if (s[i].name && !strncmp(s[i].name, prefix, strlen(prefix)))
			return &s[i];
	return NULL;
}

static void counts(const struct rawjson *p, int *total, int *cached)
{
	json_t *j = rawjson_steps_json(p, total, cached);
	assert_non_null(j);
	json_decref(j);
}

static void assert_same(const struct rawjson *a, const struct rawjson *b)
{
	size_t na, nb;
	const struct step *sa = rawjson_steps(a, &na), *sb = rawjson_steps(b, &nb);

	assert_int_equal(na, nb);
	assert_int_equal(rawjson_objects(a), rawjson_objects(b));
	assert_int_equal(rawjson_garbage(a), rawjson_garbage(b));
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(sa[i].digest, sb[i].digest);
		assert_string_equal(sa[i].name, sb[i].name);
		assert_true(sa[i].started == sb[i].started);
		assert_true(sa[i].completed == sb[i].completed);
		assert_int_equal(sa[i].cached, sb[i].cached);
		assert_int_equal(!sa[i].error, !sb[i].error);
		if (sa[i].error)
			assert_string_equal(sa[i].error, sb[i].error);
		assert_string_equal(rawjson_step_log(a, i), rawjson_step_log(b, i));
	}
}

static void test_parse_time(void **state)
{
	double t;
	(void)state;
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:36:55.244019905Z"), 0);
	assert_true(fabs(t - (1795847815.0 + 0.244019905)) < 1e-6);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:36:55Z"), 0);
	assert_true(t == 1795847815.0);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T07:36:55.5+01:00"), 0);
	assert_true(t == 1795847815.5);
	assert_int_equal(rawjson_parse_time(&t, "1970-01-01T00:00:00Z"), 0);
	assert_true(t == 0);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:36:55"), -1);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28 06:36"), -1);
	assert_int_equal(rawjson_parse_time(&t, "2026-13-28T06:36:55Z"), -1);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:36:55.Z"), -1);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:36:55Zjunk"), -1);
	assert_int_equal(rawjson_parse_time(&t, ""), -1);
}

static void test_step_is_instruction(void **state)
{
	static const struct { const char *name; bool yes; } cases[] = {
		{"[base 2/2] RUN echo hello", true},
		{"[deps 1/2] COPY req.txt /req.txt", true},
		{"[4/5] RUN echo \"about to fail\"", true},
		{"[linux/amd64 build 3/4] WORKDIR /src", true},
		{"[stage-2 2/3] COPY --from=builder /a /b", true},
		{"[base 1/2] FROM docker.io/library/bench-busybox:latest", false},
		{"[1/5] FROM docker.io/library/bench-busybox:latest@sha256:ef", false},
		{"[internal] load build definition from Dockerfile", false},
		{"[internal] load metadata for docker.io/library/x:latest", false},
		{"exporting to image", false},
		{"exporting cache to client directory", false},
		{"importing cache manifest from local:1", false},
		{"[base 2/2]RUN x", false},
		{"[base x/2] RUN x", false},
		{"[base 2/2] ", false},
		{"", false},
	};
	struct step s = {0};
	(void)state;
	assert_false(step_is_instruction(&s)); /* no name */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.name = (char *)cases[i].name;
		if (step_is_instruction(&s) != cases[i].yes)
			fail_msg("step_is_instruction(\"%s\") should be %d", cases[i].name, cases[i].yes);
	}
}

static void test_cold(void **state)
{
	struct stream s;
	struct rawjson *p;
	const struct step *st;
	size_t n;
	int total, cached;
	double t;
	(void)state;

	load(&s, "cold.json");
	p = parse_whole(s.data, s.len);
	rawjson_steps(p, &n);
	assert_int_equal(n, 12);
	assert_int_equal(rawjson_objects(p), 60);
	assert_int_equal(rawjson_garbage(p), 0);
	counts(p, &total, &cached);
	assert_int_equal(total, 5);
	assert_int_equal(cached, 0);
	assert_null(rawjson_current(p)); /* all completed */
	assert_null(rawjson_first_error(p));

	st = find_step(p, "[base 2/2] RUN echo hello > /hello && sleep 1");
	assert_non_null(st);
	assert_true(step_is_instruction(st));
	assert_false(st->cached);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:41:12.981017647Z"), 0);
	assert_true(st->started == t);
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:41:14.062888959Z"), 0);
	assert_true(st->completed == t);
	assert_true(fabs(step_seconds(st) - 1.081871312) < 1e-5);

	/* The first vertex ran twice: the second run's times are kept. */
	st = rawjson_steps(p, &n);
	assert_string_equal(st[0].name, "[internal] load build definition from Dockerfile");
	assert_int_equal(rawjson_parse_time(&t, "2026-11-28T06:41:12.92467495Z"), 0);
	assert_true(st[0].started == t);
	assert_true(st[0].completed > st[0].started);

	st = find_step(p, "[deps 2/2] RUN cat /req.txt");
	assert_non_null(st);
	assert_string_equal(rawjson_step_log(p, (size_t)(st - rawjson_steps(p, &n))),
			    "requests==2.0\n");
	assert_non_null(find_step(p, "exporting cache to client directory"));
	assert_false(step_is_instruction(find_step(p, "[base 1/2] FROM")));
	rawjson_free(p);
	free(s.data);
}

static void test_warm(void **state)
{
	static const char *const was_cached[] = {
		"[base 2/2] RUN echo hello", "[deps 1/2] COPY req.txt", "[deps 2/2] RUN cat /req.txt",
	};
	struct stream s;
	struct rawjson *p;
	int total, cached;
	(void)state;

	load(&s, "warm.json");
	p = parse_whole(s.data, s.len);
	counts(p, &total, &cached);
	assert_int_equal(total, 5);
	assert_int_equal(cached, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct step *st = find_step(p, was_cached[i]);
		assert_non_null(st);
		assert_true(st->cached);
	}
	assert_false(find_step(p, "[final 1/2] COPY . /app")->cached);
	assert_false(find_step(p, "[final 2/2] RUN ls /app")->cached);
	assert_non_null(find_step(p, "importing cache manifest from local:"));
	assert_int_equal(rawjson_garbage(p), 0);
	rawjson_free(p);
	free(s.data);
}

static void test_fail(void **state)
{
	struct stream s;
	struct rawjson *p;
	const struct step *st, *all, *failed;
	const char *tail;
	size_t n;
	int total, cached;
	json_t *j, *e;
	(void)state;

	load(&s, "fail.json");
	p = parse_whole(s.data, s.len);
	/* docker's closing "Dockerfile:4 ... ERROR: failed to solve" text is
	 * garbage: everything after the newline that ends the last object. */
	tail = strstr(s.data, "\nDockerfile:4");
	assert_non_null(tail);
	assert_int_equal(rawjson_garbage(p), s.len - (size_t)(tail + 1 - s.data));
	assert_int_equal(rawjson_objects(p), 36);

	failed = st = find_step(p, "[4/5] RUN echo \"about to fail\"");
	assert_non_null(st);
	assert_non_null(st->error);
	assert_non_null(strstr(st->error, "did not complete successfully: exit code: 1"));
	assert_ptr_equal(rawjson_first_error(p), st->error);
	all = rawjson_steps(p, &n);
	assert_non_null(strstr(rawjson_step_log(p, (size_t)(st - all)), "about to fail\n"));
	assert_non_null(strstr(rawjson_step_log(p, (size_t)(st - all)),
			       "ls: /nonexistent: No such file or directory"));
	assert_null(rawjson_current(p)); /* the failed step is not running */

	st = find_step(p, "[5/5] RUN echo never-runs");
	assert_non_null(st);
	assert_true(st->started == 0 && step_seconds(st) == 0);

	j = rawjson_steps_json(p, &total, &cached);
	assert_int_equal(total, 4);
	assert_int_equal(cached, 0);
	assert_int_equal(json_array_size(j), n);
	e = NULL;
	for (size_t i = 0; i < json_array_size(j); i++) {
		json_t *o = json_array_get(j, i);
		assert_true(json_is_string(json_object_get(o, "name")));
		assert_true(json_is_real(json_object_get(o, "seconds")));
		assert_true(json_is_boolean(json_object_get(o, "cached")));
		if (json_object_get(o, "error"))
			e = o;
	}
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "name")), failed->name);
	json_decref(j);
	rawjson_free(p);
	free(s.data);
}

static void test_multi(void **state)
{
	struct stream s;
	struct rawjson *p;
	const struct step *st;
	size_t n;
	int total, cached;
	(void)state;

	load(&s, "multi.json");
	p = parse_whole(s.data, s.len);
	rawjson_steps(p, &n);
	assert_int_equal(n, 13);
	counts(p, &total, &cached);
	assert_int_equal(total, 7);
	assert_int_equal(cached, 0);
	/* The three stages share one FROM vertex; BuildKit had it cached. */
	st = find_step(p, "[stage-2 1/3] FROM ");
	assert_non_null(st);
	assert_true(st->cached);
	assert_false(step_is_instruction(st));
	assert_non_null(find_step(p, "[tester 3/3] RUN grep -q alpha"));
	assert_non_null(find_step(p, "[stage-2 3/3] COPY --from=tester /t/ok /app/ok"));
	assert_true(step_seconds(find_step(p, "[builder 4/4] RUN cat a.txt")) > 1.0);
	rawjson_free(p);
	free(s.data);
}

/* Byte by byte, fixed and random chunks: the same steps every time. */
static void test_chunking(void **state)
{
	static const char *const files[] = {"cold.json", "warm.json", "fail.json", "multi.json"};
	static const size_t chunks[] = {1, 2, 3, 7, 64, 4096};
	(void)state;

	for (size_t f = 0; f < 4; f++) {
		struct stream s;
		struct rawjson *whole;
		load(&s, files[f]);
		whole = parse_whole(s.data, s.len);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct rawjson *p = parse_chunks(s.data, s.len, chunks[c], 0);
			assert_same(whole, p);
			rawjson_free(p);
		}
		for (unsigned seed = 1; seed <= 20; seed++) {
			struct rawjson *p = parse_chunks(s.data, s.len, 0, seed);
			assert_same(whole, p);
			rawjson_free(p);
		}
		rawjson_free(whole);
		free(s.data);
	}
}

/* Offsets just past each top-level '}' (one at the start of a line). */
static size_t object_ends(size_t *ends, size_t max, const struct stream *s)
{
	size_t n = 0;
	for (size_t i = 1; i < s->len; i++)
		if (s->data[i] == '}' && s->data[i - 1] == '\n' && n < max)
			ends[n++] = i + 1;
	return n;
}

/* A copy of s with text inserted at offset at. */
static struct stream splice(const struct stream *s, size_t at, const char *text, size_t cut)
{
	struct stream o;
	size_t tl = strlen(text);
	o.len = s->len + tl - cut;
	o.data = xmalloc(o.len + 1);
	memcpy(o.data, s->data, at);
	memcpy(o.data + at, text, tl);
	memcpy(o.data + at + tl, s->data + at + cut, s->len - at - cut);
	o.data[o.len] = '\0';
	return o;
}

static void test_garbage_between(void **state)
{
	static const char junk[] = "WARNING: buildx is old {not json}\n\"unterminated\n"
				   "[1,2]\n   \n}\n";
	struct stream s, g;
	size_t ends[128];
	struct rawjson *orig, *p;
	(void)state;

	load(&s, "cold.json");
	assert_int_equal(object_ends(ends, 128, &s), 60);
	orig = parse_whole(s.data, s.len);
	g = splice(&s, ends[9] + 1, junk, 0); /* after "}\n" */
	for (unsigned seed = 0; seed < 5; seed++) {
		p = seed ? parse_chunks(g.data, g.len, 0, seed) : parse_whole(g.data, g.len);
		assert_int_equal(rawjson_garbage(p), strlen(junk));
		assert_int_equal(rawjson_objects(p), 60);
		assert_int_equal(rawjson_garbage(orig), 0);
		{ /* the same steps */
			size_t n1, n2;
			const struct step *a = rawjson_steps(orig, &n1), *b = rawjson_steps(p, &n2);
			assert_int_equal(n1, n2);
			for (size_t i = 0; i < n1; i++) {
				assert_string_equal(a[i].name, b[i].name);
				assert_true(a[i].completed == b[i].completed);
			}
		}
		rawjson_free(p);
	}
	rawjson_free(orig);
	free(g.data);
	free(s.data);
}

/* Junk inside an object spoils that object only. */
static void test_garbage_inside(void **state)
{
	static const char *const junk[] = {"\nGARBAGE LINE\n", "\"oops, a broken string\n"};
	struct stream s, g;
	size_t ends[128];
	struct rawjson *p;
	(void)state;

	load(&s, "cold.json");
	object_ends(ends, 128, &s);
	for (size_t j = 0; j < 2; j++) {
		/* object 20 runs from ends[19] + 1 to ends[20]; spoil it after "{\n" */
		size_t start = ends[19] + 1, len = ends[20] - start;
		assert_int_equal(s.data[start], '{');
		g = splice(&s, start + 2, junk[j], 0);
		for (unsigned seed = 0; seed < 5; seed++) {
			p = seed ? parse_chunks(g.data, g.len, 0, seed) : parse_whole(g.data, g.len);
			assert_int_equal(rawjson_objects(p), 59);
			assert_int_equal(rawjson_garbage(p), len + strlen(junk[j]) + 1);
			assert_non_null(find_step(p, "exporting cache to client directory"));
			rawjson_free(p);
		}
		free(g.data);
	}

	/* An object cut short: the next one starts at the start of a line. */
	{
		size_t start = ends[19] + 1, half = (ends[20] - start) / 2, cut;
		while (s.data[start + half - 1] != '\n')
			half++;
		cut = ends[20] + 1 - (start + half);
		g = splice(&s, start + half, "", cut);
		p = parse_whole(g.data, g.len);
		assert_int_equal(rawjson_objects(p), 59);
		assert_int_equal(rawjson_garbage(p), half);
		rawjson_free(p);
		p = parse_chunks(g.data, g.len, 1, 0);
		assert_int_equal(rawjson_objects(p), 59);
		assert_int_equal(rawjson_garbage(p), half);
		rawjson_free(p);
		free(g.data);
	}
	free(s.data);
}

/* A stream that stops anywhere yields the objects completed before. */
static void test_truncated(void **state)
{
	struct stream s;
	size_t ends[128], n;
	(void)state;

	load(&s, "multi.json");
	n = object_ends(ends, 128, &s);
	assert_int_equal(n, 55);
	for (size_t cut = 0; cut <= s.len; cut += cut < 200 ? 1 : 61) {
		struct rawjson *p = parse_whole(s.data, cut);
		size_t complete = 0;
		while (complete < n && ends[complete] <= cut)
			complete++;
		assert_int_equal(rawjson_objects(p), complete);
		assert_int_equal(rawjson_garbage(p), 0);
		rawjson_free(p);
	}
	free(s.data);
}

static void feed_str(struct rawjson *p, const char *s)
{
	assert_int_equal(rawjson_feed(p, s, strlen(s)), 0);
}

#define V(digest, more) "{\"vertexes\":[{\"digest\":\"" digest "\"" more "}]}\n"
#define T(sec) "\"2026-01-01T00:00:0" #sec "Z\""

static void test_current_and_merge(void **state)
{
	struct rawjson *p;
	const struct step *st;
	size_t n;
	(void)state;

	assert_int_equal(rawjson_new(&p), 0);
	assert_null(rawjson_current(p));
	feed_str(p, V("sha256:a", ",\"name\":\"[1/3] RUN a\""));
	assert_null(rawjson_current(p)); /* not started */
	feed_str(p, V("sha256:a", ",\"name\":\"[1/3] RUN a\",\"started\":" T(1)));
	assert_string_equal(rawjson_current(p), "[1/3] RUN a");
	feed_str(p, V("sha256:b", ",\"name\":\"[2/3] RUN b\",\"started\":" T(2)));
	assert_string_equal(rawjson_current(p), "[2/3] RUN b");
	feed_str(p, V("sha256:b", ",\"started\":" T(2) ",\"completed\":" T(3) ",\"cached\":true"));
	assert_string_equal(rawjson_current(p), "[1/3] RUN a");
	feed_str(p, V("sha256:a", ",\"started\":" T(1) ",\"completed\":" T(4)));
	assert_null(rawjson_current(p));

	/* The same run sent again is not a new run. */
	feed_str(p, V("sha256:b", ",\"started\":" T(2) ",\"completed\":" T(3) ",\"cached\":true"));
	/* "cached" sticks; a missing name keeps the old one. */
	feed_str(p, V("sha256:b", ",\"started\":" T(2) ",\"completed\":" T(3)));
	st = rawjson_steps(p, &n);
	assert_int_equal(n, 2);
	assert_true(st[1].cached);
	assert_string_equal(st[1].name, "[2/3] RUN b");
	assert_true(step_seconds(&st[1]) == 1.0);

	/* A restart without "completed" runs again; the run before counts. */
	feed_str(p, V("sha256:a", ",\"started\":" T(5)));
	st = rawjson_steps(p, &n);
	assert_true(st[0].completed == 0);
	assert_true(step_seconds(&st[0]) == 3.0);
	assert_string_equal(rawjson_current(p), "[1/3] RUN a");

	/* An error ends it and sticks. */
	feed_str(p, V("sha256:a", ",\"started\":" T(5) ",\"completed\":" T(6) ",\"error\":\"boom\""));
	feed_str(p, V("sha256:a", ",\"error\":\"\""));
	st = rawjson_steps(p, &n);
	assert_string_equal(st[0].error, "boom");
	assert_true(step_seconds(&st[0]) == 4.0); /* 1..4, then 5..6 */
	assert_null(rawjson_current(p));

	/* Compact objects back to back; a top-level array is garbage; a vertex
	 * without digest and a log for an unknown vertex are ignored. */
	feed_str(p, "{\"statuses\":[]}{\"vertexes\":[{\"name\":\"x\"}, 3]}\n[1,2]\n"
		    "{\"logs\":[{\"vertex\":\"sha256:zzz\",\"data\":\"aGkK\"}]}\n");
	assert_int_equal(rawjson_garbage(p), 6);
	assert_int_equal(rawjson_objects(p), 13);
	rawjson_steps(p, &n);
	assert_int_equal(n, 2);
	rawjson_free(p);
}

/* While the recorded cold build is fed object by object, the long RUN step
 * shows up as the current one. */
static void test_current_recorded(void **state)
{
	struct stream s;
	struct rawjson *p;
	size_t ends[128], n, prev = 0;
	bool saw_run = false, saw_export = false;
	(void)state;

	load(&s, "cold.json");
	n = object_ends(ends, 128, &s);
	assert_int_equal(rawjson_new(&p), 0);
	for (size_t i = 0; i < n; i++) {
		const char *cur;
		assert_int_equal(rawjson_feed(p, s.data + prev, ends[i] - prev), 0);
		prev = ends[i];
		cur = rawjson_current(p);
		if (cur && !strcmp(cur, "[base 2/2] RUN echo hello > /hello && sleep 1"))
			saw_run = true;
		if (cur && !strcmp(cur, "exporting to image"))
			saw_export = true;
	}
	assert_true(saw_run);
	assert_true(saw_export);
	assert_null(rawjson_current(p));
	rawjson_free(p);
	free(s.data);
}

static void b64(struct strbuf *sb, const unsigned char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		char out[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63],
			       i + 1 < n ? tab[v >> 6 & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
		strbuf_add(sb, out, 4);
	}
}

/* Only the last 4 KiB of a step's output is kept. */
static void test_log_tail(void **state)
{
	struct rawjson *p;
	unsigned char chunk[3001];
	const char *log;
	(void)state;

	assert_int_equal(rawjson_new(&p), 0);
	feed_str(p, V("sha256:a", ",\"name\":\"[1/1] RUN x\",\"started\":" T(1)));
	assert_string_equal(rawjson_step_log(p, 0), "");
	assert_string_equal(rawjson_step_log(p, 7), "");
	for (int k = 0; k < 5; k++) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (unsigned char)('a' + (k * 3001 + i) % 26);
		strbuf_puts(&sb, "{\"logs\":[{\"vertex\":\"sha256:a\",\"stream\":1,\"data\":\"");
		b64(&sb, chunk, sizeof(chunk) - (k == 4)); /* the last one 3000 bytes */
		strbuf_puts(&sb, "\"}]}\n");
		feed_str(p, sb.buf);
		strbuf_release(&sb);
	}
	log = rawjson_step_log(p, 0);
	assert_int_equal(strlen(log), 4096);
	/* bytes 15004 - 4096 .. 15003 of the whole output */
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(log[i], 'a' + (15004 - 4096 + i) % 26);
	rawjson_free(p);
}

/* buildx 0.29 on dockerd 28 (tests/data/rawjson/buildx029.json): an object
 * a line, not pretty-printed; the image is an index with a provenance
 * attestation, and a "resolving provenance for metadata file" step comes
 * after the export. The steps, logs and image are read as before, in one
 * piece or in chunks, and the provenance step is no instruction. */
static void test_buildx029(void **state)
{
	struct stream s;
	struct rawjson *p, *q;
	const struct step *st;
	size_t n;
	int total, cached;
	(void)state;

	load(&s, "buildx029.json");
	p = parse_whole(s.data, s.len);
	rawjson_steps(p, &n);
	assert_int_equal(n, 8);
	assert_int_equal(rawjson_objects(p), 42);
	assert_int_equal(rawjson_garbage(p), 0);
	counts(p, &total, &cached);
	assert_int_equal(total, 2);
	assert_int_equal(cached, 0);
	st = find_step(p, "[stage-0 2/3] RUN echo 1");
	assert_non_null(st);
	assert_string_equal(rawjson_step_log(p, (size_t)(st - rawjson_steps(p, &n))), "1\n");
	st = find_step(p, "resolving provenance for metadata file");
	assert_non_null(st);
	assert_false(step_is_instruction(st));
	assert_true(st->completed > st->started);
	assert_string_equal(rawjson_image(p),
			    "sha256:8f7705c063179bce26543d1083aac8bd9fd77a5ed69e9da978ec117a6cc97867");
	assert_null(rawjson_current(p));
	q = parse_chunks(s.data, s.len, 0, 7);
	assert_same(p, q);
	rawjson_free(q);
	rawjson_free(p);
	free(s.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_step_is_instruction),
		cmocka_unit_test(test_cold),
		cmocka_unit_test(test_warm),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_garbage_between),
		cmocka_unit_test(test_garbage_inside),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_current_and_merge),
		cmocka_unit_test(test_current_recorded),
		cmocka_unit_test(test_log_tail),
		cmocka_unit_test(test_buildx029),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
