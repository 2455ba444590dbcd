/*
 * world/ghacache_parse.c: the reading of the GitHub cache service v2's
 * requests (see ghacache_parse.h). The Twirp bodies are protojson as
 * go-actions-cache and actions/toolkit write them (snake_case names, int64
 * as a number or a string); block lists are the XML Azure's SDK writes
 * (encoding/xml: a declaration, then one element per id, no attributes).
 */
#include "world/ghacache_parse.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static int refuse(const char **code, char *why, size_t size, const char *c, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int refuse(const char **code, char *why, size_t size, const char *c, const char *fmt, ...)
{
	va_list ap;

	if (code)
		*code = c;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

bool gha_key_ok(const char *key)
{
	size_t len = key ? strlen(key) : 0;
	return len > 0 && len <= GHA_KEY_MAX && !strchr(key, ',');
}

/* protojson's int64: a JSON integer, or a string of decimal digits. */
static int read_int64(int64_t *out, json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	long long n;

	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (!s || !*s || strspn(s, "-0123456789") != strlen(s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (int64_t)n;
	return 0;
}

/* A string member (NULL when absent, -1 when of another type). */
static int read_string(char **out, json_t *req, const char *name)
{
	json_t *v = json_object_get(req, name);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = xstrdup(json_string_value(v));
	return 0;
}

int gha_twirp_req_parse(struct gha_twirp_req *out, const char **code, char *why, size_t size,
			const char *body, size_t len)
{
	json_t *req = body && len ? json_loadb(body, len, 0, NULL) : NULL, *keys, *v;
	int error = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(req)) {
		error = refuse(code, why, size, "malformed", "the body is not a JSON object");
		goto done;
	}
	if (read_string(&out->key, req, "key") < 0 || read_string(&out->version, req, "version") < 0) {
		error = refuse(code, why, size, "malformed", "key and version must be strings");
		goto done;
	}
	if ((v = json_object_get(req, "size_bytes")) && !json_is_null(v)) {
		if (read_int64(&out->size_bytes, v) < 0 || out->size_bytes < 0) {
			error = refuse(code, why, size, "malformed", "size_bytes is not a size");
			goto done;
		}
		out->has_size = true;
	}
	keys = json_object_get(req, "restore_keys");
	if (keys && !json_is_null(keys) && !json_is_array(keys)) {
		error = refuse(code, why, size, "malformed", "restore_keys is not a list");
		goto done;
	}
	json_array_foreach(keys, i, v) {
		if (!json_is_string(v)) {
			error = refuse(code, why, size, "malformed", "restore key %zu is not a string", i + 1);
			goto done;
		}
		if (!gha_key_ok(json_string_value(v))) {
			error = refuse(code, why, size, "invalid_argument",
				       "restore key %zu is empty, longer than %d characters or has a comma",
				       i + 1, GHA_KEY_MAX);
			goto done;
		}
		strvec_push(&out->restore_keys, json_string_value(v));
	}
	if (out->restore_keys.n > GHA_RESTORE_KEYS_MAX)
		error = refuse(code, why, size, "invalid_argument", "%zu restore keys, at most %d",
			       out->restore_keys.n, GHA_RESTORE_KEYS_MAX);
	else if (!gha_key_ok(out->key))
		error = refuse(code, why, size, "invalid_argument",
			       "the key is missing, longer than %d characters or has a comma", GHA_KEY_MAX);
	else if (!out->version || !*out->version || strlen(out->version) > GHA_KEY_MAX)
		error = refuse(code, why, size, "invalid_argument", "the version is missing or too long");
done:
	json_decref(req);
	if (error)
		gha_twirp_req_release(out);
	return error;
}

void gha_twirp_req_release(struct gha_twirp_req *r)
{
	free(r->key);
	free(r->version);
	strvec_release(&r->restore_keys);
	memset(r, 0, sizeof(*r));
}

int gha_twirp_status(const char *code)
{
	static const struct {
		const char *code;
		int status;
	} table[] = {
		{"canceled", 408}, {"invalid_argument", 400}, {"malformed", 400},
		{"deadline_exceeded", 408}, {"not_found", 404}, {"bad_route", 404},
		{"already_exists", 409}, {"permission_denied", 403}, {"unauthenticated", 401},
		{"resource_exhausted", 429}, {"failed_precondition", 412}, {"aborted", 409},
		{"out_of_range", 400}, {"unimplemented", 501}, {"internal", 500},
		{"unavailable", 503}, {"dataloss", 500},
	};
	size_t i;

	for (i = 0; code && i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(code, table[i].code))
			return table[i].status;
	return 500;
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '/';
}

bool gha_block_id_ok(const char *id)
{
	size_t len = id ? strlen(id) : 0, pad = 0, i;

	if (!len || len % 4)
		return false;
	while (pad < 2 && id[len - 1 - pad] == '=')
		pad++;
	for (i = 0; i < len - pad; i++)
		if (!is_b64(id[i]))
			return false;
	return len / 4 * 3 - pad <= GHA_BLOCK_ID_MAX && len / 4 * 3 - pad > 0;
}

/* ---- block lists ---- */

struct xml {
	const char *p, *end;
};

static void skip_space(struct xml *x)
{
	while (x->p < x->end && strchr(" \t\r\n", *x->p))
		x->p++;
}

static bool take(struct xml *x, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(x->end - x->p) < n || memcmp(x->p, s, n))
		return false;
	x->p += n;
	return true;
}

/* Text up to the next '<', with the five predefined entities decoded. */
static bool text(struct xml *x, struct strbuf *out)
{
	static const char *const ent[][2] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"},
					      {"&quot;", "\""}, {"&apos;", "'"}};
	size_t i;

	strbuf_reset(out);
	strbuf_puts(out, "");
	while (x->p < x->end && *x->p != '<') {
		if (*x->p != '&') {
			strbuf_add(out, x->p++, 1);
			continue;
		}
		for (i = 0; i < 5 && !take(x, ent[i][0]); i++)
			;
		if (i == 5)
			return false;
		strbuf_puts(out, ent[i][1]);
	}
	return x->p < x->end;
}

int gha_block_list_parse(struct strvec *ids, char *why, size_t size, const char *xml, size_t len)
{
	static const char *const kinds[] = {"Latest", "Uncommitted", "Committed"};
	struct xml x = {xml, xml + len};
	struct strbuf id = {0};
	int error = 0;
	size_t k;

	if (len >= 3 && !memcmp(xml, "\xef\xbb\xbf", 3))
		x.p += 3;
	skip_space(&x);
	if (take(&x, "<?xml")) {
		const char *close = memmem(x.p, (size_t)(x.end - x.p), "?>", 2);
		if (!close) {
			error = refuse(NULL, why, size, NULL, "an unterminated XML declaration");
			goto done;
		}
		x.p = close + 2;
	}
	skip_space(&x);
	if (!take(&x, "<BlockList>")) {
		error = refuse(NULL, why, size, NULL, "no <BlockList>");
		goto done;
	}
	for (;;) {
		char open[32], close[32];
		skip_space(&x);
		if (take(&x, "</BlockList>"))
			break;
		for (k = 0; k < 3; k++) {
			snprintf(open, sizeof(open), "<%s>", kinds[k]);
			if (take(&x, open))
				break;
		}
		if (k == 3) {
			error = refuse(NULL, why, size, NULL, "an element other than Latest, Uncommitted "
				       "and Committed in <BlockList>");
			goto done;
		}
		snprintf(close, sizeof(close), "</%s>", kinds[k]);
		if (!text(&x, &id) || !take(&x, close)) {
			error = refuse(NULL, why, size, NULL, "an unterminated <%s>", kinds[k]);
			goto done;
		}
		if (!gha_block_id_ok(id.buf)) {
			error = refuse(NULL, why, size, NULL, "block %zu: not a block id", ids->n + 1);
			goto done;
		}
		if (ids->n == GHA_BLOCKS_MAX) {
			error = refuse(NULL, why, size, NULL, "more than %d blocks", GHA_BLOCKS_MAX);
			goto done;
		}
		strvec_push(ids, id.buf);
	}
	skip_space(&x);
	if (x.p != x.end)
		error = refuse(NULL, why, size, NULL, "text after </BlockList>");
done:
	strbuf_release(&id);
	return error;
}

int gha_range_parse(int64_t *start, int64_t *end, const char *text, int64_t size)
{
	long long s, e = size - 1;
	int n = 0, m = 0;

	if (!text || sscanf(text, "bytes=%lld-%n", &s, &n) != 1 || !n)
		return -1;
	if (text[n] && (sscanf(text + n, "%lld%n", &e, &m) != 1 || text[n + m] || e < s))
		return -1;
	if (s < 0 || s >= size)
		return -1;
	*start = s;
	*end = e < size ? e : size - 1;
	return 0;
}
