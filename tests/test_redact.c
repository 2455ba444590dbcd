/*
 * test_redact.c: secret values kept out of text, JSON records and a build's
 * output stream (harness/run/redact.c). The stream tests print a secret the way
 * a step would: whole, cut in two between log chunks (at every cut point),
 * fed to the filter in chunks of every size, inside BuildKit's rawjson
 * (base64 in JSON) and in plain text; the output must hold the secret in no
 * form (not as text, not in any decoded log chunk, not in what the rawjson
 * parser reads back), and be the same stream otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "builders/rawjson.h"
#include "run/redact.h"
#include "lib/util.h"

#define SECRET "s3cr3t-VALUE-xyz"
#define MULTI "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\nlast\n"

static void collect(void *ctx, const char *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
}

static struct redact *secrets(void)
{
	const char *values[] = {SECRET "\n", "s3cr3t", MULTI};
	return redact_new_values(values, 3);
}

static void test_text(void **state)
{
	struct redact *r = secrets();
	char *out;
	(void)state;

	assert_true(redact_any(r));
	out = redact_text(r, "token=" SECRET " and s3cr3t, s3cr3t-VALUE");
	/* the longest value first; a shorter one inside it also goes */
	assert_string_equal(out, "token=*** and ***, ***-VALUE");
	free(out);
	/* each long line of a value of several lines, and the whole value */
	out = redact_text(r, "x" MULTI "y | AAAAB3NzaC1yc2EAAAADAQAB | last");
	assert_string_equal(out, "x***\ny | *** | last");
	free(out);
	out = redact_text(NULL, "as is");
	assert_string_equal(out, "as is");
	free(out);
	redact_free(r);
	r = redact_new_values(NULL, 0);
	assert_false(redact_any(r));
	redact_free(r);
}

static void test_json(void **state)
{
	struct redact *r = secrets();
	json_t *j = json_pack("{s:s, s:[s, {s:s}], s:i, s:s}", "reason", "cat printed " SECRET, "steps",
			      "a", "name", "RUN echo s3cr3t", "n", 3, SECRET, "key stays");
	char *text;
	(void)state;

	redact_json(r, j);
	text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text, "{\"n\":3,\"reason\":\"cat printed ***\",\"s3cr3t-VALUE-xyz\":\"key stays\","
				  "\"steps\":[\"a\",{\"name\":\"RUN echo ***\"}]}");
	free(text);
	json_decref(j);
	redact_free(r);
}

/* Feed text to st in chunks of `chunk` bytes, then finish. */
static void feed_chunks(struct redact_stream *st, const char *text, size_t len, size_t chunk)
{
	size_t i;
	for (i = 0; i < len; i += chunk)
		redact_stream_feed(st, text + i, len - i < chunk ? len - i : chunk);
	redact_stream_finish(st);
}

static void test_stream_text(void **state)
{
	struct redact *r = secrets();
	const char *in = "line 1\nthe token: " SECRET "\nnot s3cr3 but s3cr3t!\nends with s3cr";
	size_t chunk;
	(void)state;

	for (chunk = 1; chunk <= strlen(in); chunk++) {
		struct strbuf out = {0};
		struct redact_stream *st = redact_stream_new(r, REDACT_TEXT, collect, &out);
		feed_chunks(st, in, strlen(in), chunk);
		/* a strict beginning of a secret at the very end is given as it is */
		assert_string_equal(out.buf, "line 1\nthe token: ***\nnot s3cr3 but ***!\nends with s3cr");
		redact_stream_free(st);
		strbuf_release(&out);
	}
	redact_free(r);
}

/* One rawjson object as BuildKit writes it: a vertex, and log chunks. */
static void rawjson_object(struct strbuf *sb, const char *vertex, const char *name, const char *const *chunks)
{
	json_t *o = json_pack("{s:[{s:s, s:s, s:s}]}", "vertexes", "digest", vertex, "name", name, "started",
			      "2026-11-28T06:36:55.1Z");
	json_t *logs = json_array();
	char *text;

	for (; chunks && *chunks; chunks++) {
		char *enc = xmalloc(BASE64_LEN(strlen(*chunks)) + 1);
		base64_encode(enc, *chunks, strlen(*chunks));
		json_array_append_new(logs, json_pack("{s:s, s:i, s:s, s:s}", "vertex", vertex, "stream", 1,
						      "data", enc, "timestamp", "2026-11-28T06:36:56Z"));
		free(enc);
	}
	if (json_array_size(logs))
		json_object_set_new(o, "logs", logs);
	else
		json_decref(logs);
	text = json_dumps(o, JSON_INDENT(2));
	strbuf_printf(sb, "%s\n", text);
	free(text);
	json_decref(o);
}

/* Every "data" string of the rawjson stream out, decoded, concatenated. */
static char *decoded_logs(const char *out)
{
	struct strbuf all = {0};
	const char *p = out;

	while ((p = strstr(p, "\"data\": \""))) {
		size_t n = 0;
		const char *start = p + strlen("\"data\": \""), *end = strchr(start, '"');
		char *dec = base64_decode_lenient(&n, start, (size_t)(end - start));
		strbuf_add(&all, dec, n);
		free(dec);
		p = end;
	}
	return all.buf ? strbuf_detach(&all) : xstrdup("");
}

static void test_stream_rawjson(void **state)
{
	struct redact *r = secrets();
	const char *name = "[2/2] RUN cat /run/secrets/token";
	size_t cut, chunk, len;
	(void)state;

	/* the secret cut in two between log chunks, at every point */
	for (cut = 0; cut <= strlen(SECRET); cut++) {
		struct strbuf in = {0};
		char *first = xasprintf("token: %.*s", (int)cut, SECRET), *second = xasprintf("%s\ndone\n", SECRET + cut);
		const char *c1[] = {"start\n", first, NULL}, *c2[] = {second, NULL};

		rawjson_object(&in, "sha256:v1", name, c1);
		rawjson_object(&in, "sha256:v2", "[1/2] COPY . /", NULL); /* another step between */
		rawjson_object(&in, "sha256:v1", name, c2);
		strbuf_puts(&in, "ERROR: failed to solve: the token was " SECRET "\n");
		len = in.len;
		for (chunk = 1; chunk <= len; chunk += (chunk < 16 ? 1 : 97)) {
			struct strbuf out = {0};
			struct redact_stream *st = redact_stream_new(r, REDACT_RAWJSON, collect, &out);
			struct rawjson *p = NULL;
			const struct step *steps;
			size_t nsteps = 0;
			char *logs;

			feed_chunks(st, in.buf, len, chunk);
			assert_null(strstr(out.buf, SECRET));
			assert_null(strstr(out.buf, "s3cr3t"));
			logs = decoded_logs(out.buf);
			assert_string_equal(logs, "start\ntoken: ***\ndone\n");
			assert_non_null(strstr(out.buf, "ERROR: failed to solve: the token was ***\n"));
			/* the rewritten stream reads as the same build */
			rawjson_new(&p);
			rawjson_feed(p, out.buf, out.len);
			steps = rawjson_steps(p, &nsteps);
			assert_int_equal(nsteps, 2);
			assert_string_equal(steps[0].name, name);
			assert_string_equal(rawjson_step_log(p, 0), "start\ntoken: ***\ndone\n");
			rawjson_free(p);
			free(logs);
			redact_stream_free(st);
			strbuf_release(&out);
		}
		strbuf_release(&in);
		free(first);
		free(second);
	}
	redact_free(r);
}

/* The end of the stream gives what a step held back, and an object never
 * closed is redacted as text. */
static void test_stream_rawjson_end(void **state)
{
	struct redact *r = secrets();
	struct strbuf in = {0}, out = {0};
	const char *c1[] = {"held s3cr", NULL};
	struct redact_stream *st = redact_stream_new(r, REDACT_RAWJSON, collect, &out);
	char *logs;
	(void)state;

	rawjson_object(&in, "sha256:v1", "[1/1] RUN x", c1);
	strbuf_puts(&in, "{\"cut\": \"" SECRET);
	feed_chunks(st, in.buf, in.len, 5);
	logs = decoded_logs(out.buf);
	assert_string_equal(logs, "held s3cr");
	assert_null(strstr(out.buf, SECRET));
	assert_non_null(strstr(out.buf, "{\"cut\": \"***"));
	free(logs);
	redact_stream_free(st);
	strbuf_release(&in);
	strbuf_release(&out);
	redact_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_stream_text),
		cmocka_unit_test(test_stream_rawjson),
		cmocka_unit_test(test_stream_rawjson_end),
	};
	return cmocka_run_group_tests_name("secrets are redacted", tests, NULL, NULL);
}
