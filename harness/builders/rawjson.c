/*
 * rawjson.c: reads `docker buildx build --progress=rawjson` from the bytes
 * as they arrive on stderr and keeps the build's steps (BuildKit vertexes).
 *
 * The stream is JSON objects one after another (pretty-printed by buildx
 * 0.13, one a line by 0.29: the scanner does not care). A small
 * scanner follows braces and strings byte by byte and only hands an object to
 * jansson once its closing brace is there, so every byte is looked at a
 * bounded number of times and a 50 MB stream parses in linear time whatever
 * the chunk sizes are. Anything that is not an object (docker's closing
 * "ERROR: failed to solve ..." text, a stray warning) is garbage: it is
 * skipped up to the next '{' at the start of a line and counted.
 */
#include "builders/rawjson.h"
#include "lib/base64.h"
#include "lib/error.h"
#include "lib/util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_TAIL 4096            /* bytes of output kept per step */
#define MAX_OBJECT (64u << 20)   /* a longer "object" is garbage */

enum mode {
	MODE_SEEK, /* between objects: whitespace, then '{' or garbage */
	MODE_SKIP, /* in garbage: looking for '{' at the start of a line */
	MODE_OBJ,  /* inside an object, waiting for its closing brace */
};

/* What a step has besides the public struct step. */
struct step_extra {
	char *log;      /* NUL-terminated, at most 2 * LOG_TAIL bytes */
	size_t log_len;
};

struct rawjson {
	/* Bytes not consumed yet (a partial object, or nothing). */
	char *buf;
	size_t len, alloc;

	/* Scanner state; offsets are relative to the bytes being processed. */
	enum mode mode;
	size_t obj_start; /* MODE_OBJ: where the object's '{' is */
	size_t scan;      /* MODE_OBJ: the next byte to look at */
	int depth;
	bool in_string, escape;
	bool prev_nl;     /* the byte before the next one was '\n' (or none) */

	/* Steps in the order first seen, and a digest -> index hash table. */
	struct step *steps;
	struct step_extra *extra;
	size_t nsteps, steps_alloc;
	size_t *table; /* index + 1; 0 is an empty slot */
	size_t table_size;

	size_t garbage, objects;
	struct rawjson_tap tap; /* optional: the stream itself, for redact.c */
	char *image;      /* the image config digest the exporter named */
};

int rawjson_new(struct rawjson **out)
{
	struct rawjson *p = xcalloc(1, sizeof(*p));
	p->mode = MODE_SEEK;
	p->prev_nl = true;
	p->table_size = 64;
	p->table = xcalloc(p->table_size, sizeof(*p->table));
	*out = p;
	return 0;
}

void rawjson_free(struct rawjson *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nsteps; i++) {
		free(p->steps[i].digest);
		free(p->steps[i].name);
		free(p->steps[i].error);
		free(p->extra[i].log);
	}
	free(p->image);
	free(p->steps);
	free(p->extra);
	free(p->table);
	free(p->buf);
	free(p);
}

/* ---- time ---- */

static bool take_digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool take_char(const char **s, const char *allowed)
{
	if (!**s || !strchr(allowed, **s))
		return false;
	(*s)++;
	return true;
}

int rawjson_parse_time(double *out, const char *text)
{
	const char *s = text;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	double frac = 0, scale = 0.1;
	struct tm tm = {0};
	time_t t;

	if (!s || !take_digits(&s, 4, &year) || !take_char(&s, "-") ||
	    !take_digits(&s, 2, &mon) || !take_char(&s, "-") ||
	    !take_digits(&s, 2, &day) || !take_char(&s, "Tt ") ||
	    !take_digits(&s, 2, &hour) || !take_char(&s, ":") ||
	    !take_digits(&s, 2, &min) || !take_char(&s, ":") ||
	    !take_digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		for (; isdigit((unsigned char)*s); s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (!take_digits(&s, 2, &oh) || !take_char(&s, ":") || !take_digits(&s, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*s || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = (double)t + frac - sign * (oh * 3600.0 + om * 60.0);
	return 0;
}

/* ---- steps ---- */

static size_t hash_digest(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static void table_insert(struct rawjson *p, size_t index)
{
	size_t mask = p->table_size - 1;
	size_t i = hash_digest(p->steps[index].digest) & mask;
	while (p->table[i])
		i = (i + 1) & mask;
	p->table[i] = index + 1;
}

/* The index of the step with this digest, or SIZE_MAX with the free slot
 * where it would go in *slot. */
static size_t step_find(const struct rawjson *p, const char *digest, size_t *slot)
{
	size_t mask = p->table_size - 1;
	size_t i = hash_digest(digest) & mask;

	for (; p->table[i]; i = (i + 1) & mask)
		if (!strcmp(p->steps[p->table[i] - 1].digest, digest))
			return p->table[i] - 1;
	if (slot)
		*slot = i;
	return SIZE_MAX;
}

/* The step with this digest, added (with only the digest) when new. */
static size_t step_find_or_add(struct rawjson *p, const char *digest)
{
	size_t i = 0, n = step_find(p, digest, &i);

	if (n != SIZE_MAX)
		return n;

	if (p->nsteps == p->steps_alloc) {
		p->steps_alloc = p->steps_alloc ? 2 * p->steps_alloc : 16;
		p->steps = xrealloc(p->steps, p->steps_alloc * sizeof(*p->steps));
		p->extra = xrealloc(p->extra, p->steps_alloc * sizeof(*p->extra));
	}
	n = p->nsteps++;
	memset(&p->steps[n], 0, sizeof(p->steps[n]));
	memset(&p->extra[n], 0, sizeof(p->extra[n]));
	p->steps[n].digest = xstrdup(digest);

	if (2 * p->nsteps > p->table_size) {
		free(p->table);
		p->table_size *= 2;
		p->table = xcalloc(p->table_size, sizeof(*p->table));
		for (size_t k = 0; k < p->nsteps; k++)
			table_insert(p, k);
	} else {
		p->table[i] = n + 1;
	}
	return n;
}

static bool get_time(double *out, json_t *obj, const char *key)
{
	const char *text = json_string_value(json_object_get(obj, key));
	double t;
	if (!text || rawjson_parse_time(&t, text) < 0 || t <= 0)
		return false;
	*out = t;
	return true;
}

static void replace_string(char **field, json_t *value)
{
	const char *text = json_string_value(value);
	if (!text)
		return;
	free(*field);
	*field = xstrdup(text);
}

/*
 * Merge one vertex into its step. Each vertex is a snapshot where Go left out
 * empty fields: a field that is there overrides, one that is missing keeps
 * what was known, except that a (re)start without "completed" means the step
 * runs again: a new start after it completed keeps the time of the run
 * before (BuildKit starts a cached step again to pull its layers from a
 * remote cache, in several runs). "cached": true sticks.
 */
static void merge_vertex(struct rawjson *p, json_t *v)
{
	const char *digest = json_string_value(json_object_get(v, "digest"));
	struct step *s;
	json_t *error;
	size_t idx;
	double t;

	if (!digest || !*digest)
		return;
	idx = step_find_or_add(p, digest); /* may move p->steps */
	s = &p->steps[idx];
	replace_string(&s->name, json_object_get(v, "name"));
	if (get_time(&t, v, "started")) {
		if (s->completed >= s->started && s->started > 0 && t > s->started)
			s->earlier += s->completed - s->started;
		s->started = t;
		if (!json_object_get(v, "completed"))
			s->completed = 0;
	}
	if (get_time(&t, v, "completed"))
		s->completed = t;
	if (json_is_true(json_object_get(v, "cached")))
		s->cached = true;
	error = json_object_get(v, "error");
	if (json_string_length(error) > 0)
		replace_string(&s->error, error);
}

/* Keep the last LOG_TAIL bytes (at least) of a step's output. */
static void log_append(struct step_extra *ex, const char *data, size_t n)
{
	if (n > LOG_TAIL) {
		data += n - LOG_TAIL;
		n = LOG_TAIL;
	}
	if (!ex->log)
		ex->log = xmalloc(2 * LOG_TAIL + 1);
	if (ex->log_len + n > 2 * LOG_TAIL) {
		memmove(ex->log, ex->log + ex->log_len - LOG_TAIL, LOG_TAIL);
		ex->log_len = LOG_TAIL;
	}
	for (size_t i = 0; i < n; i++) /* NUL would end the string early */
		ex->log[ex->log_len++] = data[i] ? data[i] : '?';
	ex->log[ex->log_len] = '\0';
}

static void merge_log(struct rawjson *p, json_t *l)
{
	const char *digest = json_string_value(json_object_get(l, "vertex"));
	json_t *data = json_object_get(l, "data");
	const char *in = json_string_value(data);
	size_t len = json_string_length(data), n = 0, i;
	char *dec;

	if (!digest || !in || !len)
		return;
	/* Logs only ever follow their vertex; an unknown digest is dropped. */
	i = step_find(p, digest, NULL);
	if (i == SIZE_MAX)
		return;
	dec = base64_decode_lenient(&n, in, len);
	log_append(&p->extra[i], dec, n);
	free(dec);
}

static void handle_object(struct rawjson *p, json_t *obj)
{
	json_t *arr, *item;
	size_t i;

	arr = json_object_get(obj, "vertexes");
	json_array_foreach(arr, i, item)
		if (json_is_object(item))
			merge_vertex(p, item);
	arr = json_object_get(obj, "logs");
	json_array_foreach(arr, i, item)
		if (json_is_object(item))
			merge_log(p, item);
	/* of the "statuses" (transfer and extraction counters), only the one
	 * naming the image's config: "exporting config sha256:..." (containerd
	 * image store) or "writing image sha256:..." (the classic one) */
	arr = json_object_get(obj, "statuses");
	json_array_foreach(arr, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		const char *digest = NULL;
		if (id && !strncmp(id, "exporting config sha256:", 24))
			digest = id + 17;
		else if (id && !strncmp(id, "writing image sha256:", 21))
			digest = id + 14;
		if (digest && (!p->image || strcmp(p->image, digest))) {
			free(p->image);
			p->image = xstrdup(digest);
		}
	}
}

const char *rawjson_image(const struct rawjson *p)
{
	return p->image;
}

/* ---- the scanner ---- */

static void object_begin(struct rawjson *p, size_t at)
{
	p->mode = MODE_OBJ;
	p->obj_start = at;
	p->scan = at;
	p->depth = 0;
	p->in_string = false;
	p->escape = false;
}

/* Bytes data[from, to) are not an object: count them, and hand them to the
 * tap. */
static void garbage(struct rawjson *p, const char *data, size_t from, size_t to)
{
	p->garbage += to - from;
	if (p->tap.garbage && to > from)
		p->tap.garbage(p->tap.ctx, data + from, to - from);
}

/* Bytes [from, to) were not an object: count them and look for the next
 * '{' at the start of a line from `to` on. */
static void object_drop(struct rawjson *p, const char *data, size_t from, size_t to, bool prev_nl)
{
	garbage(p, data, from, to);
	p->mode = MODE_SKIP;
	p->prev_nl = prev_nl;
}

/* data[obj_start, end) is a balanced object: hand it to jansson. On a syntax
 * error the object is garbage from its second byte on (the skip goes on from
 * there, so a good object that started inside it is still found). Returns
 * where scanning goes on. */
static size_t object_end(struct rawjson *p, const char *data, size_t end)
{
	json_error_t err;
	json_t *obj;

	/* The slice is complete, so json_error_premature_end_of_input cannot
	 * happen here: the scanner waited for the closing brace. */
	obj = json_loadb(data + p->obj_start, end - p->obj_start, JSON_DISABLE_EOF_CHECK, &err);
	if (!obj || !json_is_object(obj)) {
		json_decref(obj);
		object_drop(p, data, p->obj_start, p->obj_start + 1, false);
		return p->obj_start + 1;
	}
	handle_object(p, obj);
	if (p->tap.object)
		p->tap.object(p->tap.ctx, obj);
	json_decref(obj);
	p->objects++;
	p->mode = MODE_SEEK;
	p->prev_nl = false;
	return end;
}

/* Follow an object's braces from p->scan. Returns where scanning goes on:
 * len when the object is still open. */
static size_t scan_object(struct rawjson *p, const char *data, size_t len)
{
	size_t i;

	for (i = p->scan; i < len; i++) {
		char c = data[i];
		if (p->in_string) {
			if (p->escape)
				p->escape = false;
			else if (c == '\\')
				p->escape = true;
			else if (c == '"')
				p->in_string = false;
			else if (c == '\n') { /* JSON strings hold no raw newline */
				object_drop(p, data, p->obj_start, i + 1, true);
				return i + 1;
			}
			continue;
		}
		switch (c) {
		case '"':
			p->in_string = true;
			break;
		case '{':
			/* A '{' at the start of a line inside an object: the
			 * object was cut short and a new one begins here. */
			if (i > p->obj_start && data[i - 1] == '\n') {
				garbage(p, data, p->obj_start, i);
				object_begin(p, i);
			}
			p->depth++;
			break;
		case '[':
			p->depth++;
			break;
		case '}':
		case ']':
			if (--p->depth <= 0)
				return object_end(p, data, i + 1);
			break;
		}
	}
	p->scan = len;
	if (len - p->obj_start > MAX_OBJECT) {
		object_drop(p, data, p->obj_start, len, data[len - 1] == '\n');
		p->scan = len;
	}
	return len;
}

/* Process data[p->scan, len). Returns how many bytes from the front are
 * consumed: all of them but an object still open. */
static size_t process(struct rawjson *p, const char *data, size_t len)
{
	size_t i = p->mode == MODE_OBJ ? p->scan : 0;

	while (i < len) {
		unsigned char c = (unsigned char)data[i];
		const char *nl;
		size_t end;

		switch (p->mode) {
		case MODE_SEEK:
			if (c == '{') {
				object_begin(p, i);
			} else if (isspace(c)) {
				p->prev_nl = c == '\n';
				i++;
			} else {
				p->mode = MODE_SKIP;
			}
			break;
		case MODE_SKIP:
			if (p->prev_nl && c == '{') {
				object_begin(p, i);
				break;
			}
			nl = memchr(data + i, '\n', len - i);
			end = nl ? (size_t)(nl - data) + 1 : len;
			garbage(p, data, i, end);
			p->prev_nl = nl != NULL;
			i = end;
			break;
		case MODE_OBJ:
			i = scan_object(p, data, len);
			break;
		}
	}
	return p->mode == MODE_OBJ ? p->obj_start : len;
}

/*
 * Bytes are parsed straight from the caller's buffer when nothing is pending;
 * only the tail of an object that is still open is copied into p->buf, and
 * p->buf is compacted after every feed, so it holds at most one object.
 */
int rawjson_feed(struct rawjson *p, const char *buf, size_t len)
{
	size_t keep;

	if (!len)
		return 0;
	if (!p->len) {
		keep = process(p, buf, len);
		buf += keep;
		len -= keep;
	} else {
		if (p->len + len > p->alloc) {
			p->alloc = p->len + len > 2 * p->alloc ? p->len + len : 2 * p->alloc;
			p->buf = xrealloc(p->buf, p->alloc);
		}
		memcpy(p->buf + p->len, buf, len);
		p->len += len;
		keep = process(p, p->buf, p->len);
		memmove(p->buf, p->buf + keep, p->len - keep);
		p->len -= keep;
		buf = NULL;
		len = 0;
	}
	if (p->mode == MODE_OBJ) {
		p->obj_start -= keep;
		p->scan -= keep;
	}
	if (len) { /* the pending tail of the caller's buffer */
		if (len > p->alloc) {
			p->alloc = len < 4096 ? 4096 : len;
			free(p->buf);
			p->buf = xmalloc(p->alloc);
		}
		memcpy(p->buf, buf, len);
		p->len = len;
	}
	if (p->alloc > (1u << 20) && p->len < p->alloc / 8) {
		p->alloc = p->len * 2 > 4096 ? p->len * 2 : 4096;
		p->buf = xrealloc(p->buf, p->alloc);
	}
	return 0;
}

void rawjson_set_tap(struct rawjson *p, const struct rawjson_tap *tap)
{
	p->tap = *tap;
}

const char *rawjson_pending(const struct rawjson *p, size_t *len)
{
	*len = p->len;
	return p->buf ? p->buf : "";
}

/* ---- queries ---- */

const struct step *rawjson_steps(const struct rawjson *p, size_t *count)
{
	*count = p->nsteps;
	return p->steps;
}

const char *rawjson_current(const struct rawjson *p)
{
	const struct step *best = NULL;

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		if (s->started > 0 && s->completed == 0 && !s->error &&
		    (!best || s->started >= best->started))
			best = s;
	}
	return best ? (best->name ? best->name : best->digest) : NULL;
}

size_t rawjson_garbage(const struct rawjson *p)
{
	return p->garbage;
}

size_t rawjson_objects(const struct rawjson *p)
{
	return p->objects;
}

const char *rawjson_step_log(const struct rawjson *p, size_t index)
{
	const struct step_extra *ex;
	const char *s;
	int skip = 0;

	if (index >= p->nsteps || !p->extra[index].log)
		return "";
	ex = &p->extra[index];
	s = ex->log + (ex->log_len > LOG_TAIL ? ex->log_len - LOG_TAIL : 0);
	/* Do not start in the middle of a UTF-8 sequence. */
	while (skip < 3 && ((unsigned char)*s & 0xc0) == 0x80) {
		s++;
		skip++;
	}
	return s;
}

const char *rawjson_first_error(const struct rawjson *p)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].error)
			return p->steps[i].error;
	return NULL;
}

/* "[stage n/m] INSTR ..." or "[n/m] INSTR ..." (the bracket may also hold a
 * platform, "[linux/amd64 base 2/3]"), INSTR not FROM. */
bool step_is_instruction(const struct step *s)
{
	const char *n = s ? s->name : NULL, *close, *tok, *q;
	size_t word;

	if (!n || n[0] != '[' || !(close = strchr(n, ']')))
		return false;
	for (tok = close; tok > n + 1 && tok[-1] != ' '; tok--)
		;
	q = tok;
	if (!isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q++ != '/' || !isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	if (q != close || close[1] != ' ')
		return false;
	q = close + 2;
	for (word = 0; isalpha((unsigned char)q[word]); word++)
		;
	if (!word || (q[word] != ' ' && q[word] != '\0'))
		return false;
	return !(word == 4 && !strncasecmp(q, "FROM", 4));
}

double step_seconds(const struct step *s)
{
	if (s->started > 0 && s->completed >= s->started)
		return s->earlier + s->completed - s->started;
	return s->earlier;
}

json_t *rawjson_steps_json(const struct rawjson *p, int *steps_total, int *steps_cached)
{
	json_t *arr = json_array();
	int total = 0, cached = 0;

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s->name ? s->name : s->digest));
		json_object_set_new(o, "seconds", json_real(step_seconds(s)));
		json_object_set_new(o, "cached", json_boolean(s->cached));
		if (s->error)
			json_object_set_new(o, "error", json_string(s->error));
		json_array_append_new(arr, o);
		if (step_is_instruction(s)) {
			total++;
			cached += s->cached;
		}
	}
	if (steps_total)
		*steps_total = total;
	if (steps_cached)
		*steps_cached = cached;
	return arr;
}

/* ---- rawjson as a progress parser of the builder seam (parser.h) ---- */

static int rj_create(void **state)
{
	struct rawjson *p = NULL;
	int error = rawjson_new(&p);
	*state = p;
	return error;
}

static void rj_destroy(void *state)
{
	rawjson_free(state);
}

static int rj_feed(void *state, unsigned stream, const char *buf, size_t len)
{
	(void)stream; /* one stream: stderr */
	return rawjson_feed(state, buf, len);
}

static const char *rj_current(const void *state)
{
	return rawjson_current(state);
}

static const struct step *rj_steps(const void *state, size_t *count)
{
	return rawjson_steps(state, count);
}

static json_t *rj_steps_json(const void *state, int *total, int *cached)
{
	return rawjson_steps_json(state, total, cached);
}

static const char *rj_step_log(const void *state, size_t i)
{
	return rawjson_step_log(state, i);
}

static const char *rj_image(const void *state)
{
	return rawjson_image(state);
}

/* docker prints its plain-text lines after the last JSON object */
static const char *rj_trailer(const char *tail, size_t len)
{
	const char *p = tail + len;
	while (p > tail && p[-1] != '}')
		p--;
	return p;
}

const struct parser_ops parser_rawjson = {
	.name = "rawjson",
	.streams = PARSER_STDERR,
	.create = rj_create,
	.destroy = rj_destroy,
	.feed = rj_feed,
	.current = rj_current,
	.steps = rj_steps,
	.steps_json = rj_steps_json,
	.step_log = rj_step_log,
	.trailer = rj_trailer,
	.image = rj_image,
};
