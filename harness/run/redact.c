/*
 * redact.c: secret values kept out of what bench writes (see redact.h).
 * The values are read once per run; the stream owns what it holds back.
 */
#include "run/redact.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "builders/rawjson.h"
#include "lib/util.h"

#define LINE_MIN 8 /* a line of a value of several lines is hidden on its own from this length */

struct redact {
	char **values;            /* longest first */
	size_t *lens;
	size_t n;
	unsigned char first[256]; /* 1: some value starts with this byte */
};

/* ---- the values ---- */

static void add_value(struct redact *r, const char *v, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i < r->n; i++)
		if (r->lens[i] == len && !memcmp(r->values[i], v, len))
			return;
	r->values = xrealloc(r->values, (r->n + 1) * sizeof(*r->values));
	r->lens = xrealloc(r->lens, (r->n + 1) * sizeof(*r->lens));
	/* keep the longest first: a value that holds another wins */
	for (i = r->n; i > 0 && r->lens[i - 1] < len; i--) {
		r->values[i] = r->values[i - 1];
		r->lens[i] = r->lens[i - 1];
	}
	r->values[i] = xstrndup(v, len);
	r->lens[i] = len;
	r->n++;
	r->first[(unsigned char)v[0]] = 1;
}

/* A secret's value without its trailing line ends, and each long line of it. */
static void add_secret(struct redact *r, const char *v, size_t len)
{
	const char *p, *end;

	while (len && (v[len - 1] == '\n' || v[len - 1] == '\r'))
		len--;
	add_value(r, v, len);
	for (p = v; p < v + len; p = end + 1) {
		end = memchr(p, '\n', (size_t)(v + len - p));
		if (!end)
			end = v + len;
		if (end < v + len || p > v) { /* only when there are several lines */
			size_t l = (size_t)(end - p) - (end > p && end[-1] == '\r');
			if (l >= LINE_MIN)
				add_value(r, p, l);
		}
	}
}

struct redact *redact_new(const struct scenario *sc)
{
	struct redact *r = xcalloc(1, sizeof(*r));
	size_t i;

	for (i = 0; sc && i < sc->secrets_count; i++) {
		const struct secret *s = &sc->secrets[i];
		if (s->src) {
			char *data = NULL;
			size_t len = 0;
			if (read_file(&data, &len, s->src) == 0)
				add_secret(r, data, len);
			free(data);
		} else if (s->env && getenv(s->env)) {
			add_secret(r, getenv(s->env), strlen(getenv(s->env)));
		}
	}
	return r;
}

struct redact *redact_new_values(const char *const *values, size_t n)
{
	struct redact *r = xcalloc(1, sizeof(*r));
	size_t i;

	for (i = 0; i < n; i++)
		add_secret(r, values[i], strlen(values[i]));
	return r;
}

void redact_free(struct redact *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->values[i]);
	free(r->values);
	free(r->lens);
	free(r);
}

bool redact_any(const struct redact *r)
{
	return r && r->n;
}

/* ---- text ---- */

/*
 * Append buf[0, len) to out with every value replaced, and return how many
 * bytes were taken: all of them when final, else up to where a value could
 * begin that the bytes to come may complete (those are held back).
 */
static size_t scan(const struct redact *r, struct strbuf *out, const char *buf, size_t len, bool final)
{
	size_t p = 0, q, i;

	while (p < len) {
		bool matched = false;
		for (q = p; q < len && !r->first[(unsigned char)buf[q]]; q++)
			;
		strbuf_add(out, buf + p, q - p);
		if ((p = q) == len)
			break;
		for (i = 0; !final && i < r->n; i++)
			if (r->lens[i] > len - p && !memcmp(buf + p, r->values[i], len - p))
				return p; /* may be a secret cut short: wait */
		for (i = 0; i < r->n && !matched; i++) {
			if (r->lens[i] <= len - p && !memcmp(buf + p, r->values[i], r->lens[i])) {
				strbuf_puts(out, REDACT_MARK);
				p += r->lens[i];
				matched = true;
			}
		}
		if (!matched)
			strbuf_add(out, buf + p++, 1);
	}
	return len;
}

char *redact_text(const struct redact *r, const char *text)
{
	struct strbuf out = {0};

	if (!redact_any(r))
		return xstrdup(text);
	scan(r, &out, text, strlen(text), true);
	return out.buf ? strbuf_detach(&out) : xstrdup("");
}

void redact_json(const struct redact *r, json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!redact_any(r))
		return;
	switch (json_typeof(j)) {
	case JSON_STRING: {
		char *clean = redact_text(r, json_string_value(j));
		if (strcmp(clean, json_string_value(j)))
			json_string_set(j, clean);
		free(clean);
		break;
	}
	case JSON_OBJECT:
		json_object_foreach(j, key, v)
			redact_json(r, v);
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			redact_json(r, v);
		break;
	default:
		break;
	}
}

/* Feed data to a held-back buffer: what is safe goes to out, the rest stays. */
static void hold_feed(const struct redact *r, struct strbuf *held, const char *data, size_t len,
		      struct strbuf *out, bool final)
{
	size_t taken;

	strbuf_add(held, data, len);
	if (!held->len)
		return;
	taken = scan(r, out, held->buf, held->len, final);
	memmove(held->buf, held->buf + taken, held->len - taken);
	held->len -= taken;
	held->buf[held->len] = '\0';
}

/* ---- the stream ---- */

/* What a step's output (one vertex, one stream) holds back between chunks. */
struct log_hold {
	char *vertex;
	json_int_t stream;
	struct strbuf held;
};

struct redact_stream {
	const struct redact *r;
	enum redact_format format;
	redact_emit_fn emit;
	void *ctx;
	struct strbuf text;      /* text held back (text format, or text between objects) */
	struct rawjson *split;   /* rawjson: the scanner that finds the objects */
	struct log_hold *holds;
	size_t nholds;
};

static void emit_buf(struct redact_stream *st, struct strbuf *sb)
{
	if (sb->len)
		st->emit(st->ctx, sb->buf, sb->len);
	strbuf_release(sb);
}

static struct log_hold *hold_of(struct redact_stream *st, const char *vertex, json_int_t stream)
{
	size_t i;

	for (i = 0; i < st->nholds; i++)
		if (st->holds[i].stream == stream && !strcmp(st->holds[i].vertex, vertex))
			return &st->holds[i];
	st->holds = xrealloc(st->holds, (st->nholds + 1) * sizeof(*st->holds));
	memset(&st->holds[st->nholds], 0, sizeof(st->holds[0]));
	st->holds[st->nholds].vertex = xstrdup(vertex);
	st->holds[st->nholds].stream = stream;
	return &st->holds[st->nholds++];
}

/* A log entry's data, redacted across the chunks of its step; the new data
 * replaces the old in the entry. */
static void redact_log_entry(struct redact_stream *st, json_t *entry, bool final)
{
	const char *vertex = json_string_value(json_object_get(entry, "vertex"));
	json_t *data = json_object_get(entry, "data");
	struct log_hold *h = hold_of(st, vertex ? vertex : "", json_integer_value(json_object_get(entry, "stream")));
	struct strbuf out = {0};
	size_t n = 0;
	char *raw = base64_decode_lenient(&n, json_string_value(data) ? json_string_value(data) : "",
					  json_string_length(data)), *enc;

	hold_feed(st->r, &h->held, raw, n, &out, final);
	enc = xmalloc(BASE64_LEN(out.len) + 1);
	base64_encode(enc, out.buf ? out.buf : "", out.len);
	json_object_set_new(entry, "data", json_string(enc));
	free(enc);
	free(raw);
	strbuf_release(&out);
}

static void emit_object(struct redact_stream *st, json_t *obj)
{
	char *text = json_dumps(obj, JSON_INDENT(2));

	if (text) {
		st->emit(st->ctx, text, strlen(text));
		st->emit(st->ctx, "\n", 1);
	}
	free(text);
}

/* Give what every step's output holds back, as log entries of their own. */
static void flush_holds(struct redact_stream *st)
{
	size_t i;

	for (i = 0; i < st->nholds; i++) {
		struct log_hold *h = &st->holds[i];
		json_t *entry, *obj;
		if (!h->held.len)
			continue;
		entry = json_pack("{s:s, s:I, s:s}", "vertex", h->vertex, "stream", h->stream, "data", "");
		obj = json_pack("{s:[O]}", "logs", entry);
		redact_log_entry(st, json_array_get(json_object_get(obj, "logs"), 0), true);
		emit_object(st, obj);
		json_decref(entry);
		json_decref(obj);
	}
}

static void on_object(void *ctx, json_t *obj)
{
	struct redact_stream *st = ctx;
	json_t *copy = json_deep_copy(obj), *logs = json_incref(json_object_get(copy, "logs")), *entry;
	size_t i;

	json_object_del(copy, "logs");
	redact_json(st->r, copy);
	if (json_is_array(logs)) {
		json_array_foreach(logs, i, entry)
			if (json_is_object(entry))
				redact_log_entry(st, entry, false);
			else
				redact_json(st->r, entry);
		json_object_set(copy, "logs", logs);
	}
	emit_object(st, copy);
	json_decref(logs);
	json_decref(copy);
}

/* Text between objects (docker's closing lines): the steps' output is over
 * by then, so what it held back goes first. */
static void on_text(void *ctx, const char *bytes, size_t len)
{
	struct redact_stream *st = ctx;
	struct strbuf out = {0};

	flush_holds(st);
	hold_feed(st->r, &st->text, bytes, len, &out, false);
	emit_buf(st, &out);
}

struct redact_stream *redact_stream_new(const struct redact *r, enum redact_format format, redact_emit_fn emit,
					void *ctx)
{
	struct redact_stream *st = xcalloc(1, sizeof(*st));

	st->r = r;
	st->format = format;
	st->emit = emit;
	st->ctx = ctx;
	if (format == REDACT_RAWJSON) {
		struct rawjson_tap tap = {.object = on_object, .garbage = on_text, .ctx = st};
		rawjson_new(&st->split);
		rawjson_set_tap(st->split, &tap);
	}
	return st;
}

void redact_stream_feed(struct redact_stream *st, const char *buf, size_t len)
{
	if (st->split)
		rawjson_feed(st->split, buf, len);
	else
		on_text(st, buf, len);
}

void redact_stream_finish(struct redact_stream *st)
{
	struct strbuf out = {0};

	if (st->split) {
		size_t len = 0;
		const char *open = rawjson_pending(st->split, &len);
		/* an object never closed is text */
		on_text(st, open, len);
		flush_holds(st);
	}
	hold_feed(st->r, &st->text, "", 0, &out, true);
	emit_buf(st, &out);
}

void redact_stream_free(struct redact_stream *st)
{
	size_t i;

	if (!st)
		return;
	rawjson_free(st->split);
	for (i = 0; i < st->nholds; i++) {
		free(st->holds[i].vertex);
		strbuf_release(&st->holds[i].held);
	}
	free(st->holds);
	strbuf_release(&st->text);
	free(st);
}
