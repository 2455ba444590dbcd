/*
 * world/ghacache_token.c: the token of the emulated GitHub Actions cache.
 * GitHub hands each workflow run a JWT (ACTIONS_RUNTIME_TOKEN) whose claims
 * carry `ac`, a JSON string listing the cache scopes the run may read and
 * write ([{"Scope":"refs/heads/main","Permission":3}]), and `nbf`/`exp`.
 * BuildKit reads the scopes out of it without checking the signature; the
 * service reads them the same way. The world mints the tokens unsigned.
 */
#include "world/ghacache_store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base64.h"
#include "lib/error.h"
#include "lib/util.h"

/* base64url of the compact JSON of v (stolen). Caller frees. */
static char *segment(json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT), *out;
	size_t len = strlen(text);

	out = xmalloc(BASE64URL_LEN(len) + 1);
	base64url_encode(out, text, len);
	free(text);
	json_decref(v);
	return out;
}

int ghacache_token(char **out, const struct ghacache_scope *scopes, size_t n, int64_t not_before,
		   int64_t expires)
{
	json_t *ac = json_array();
	char *ac_text, *head, *claims;
	size_t i;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (!scopes[i].scope || !*scopes[i].scope) {
			json_decref(ac);
			return bench_error_set(BENCH_EINVALID, "cache token scope %zu is empty", i + 1);
		}
		json_array_append_new(ac, json_pack("{s:s, s:i}", "Scope", scopes[i].scope,
						    "Permission", scopes[i].permission));
	}
	ac_text = json_dumps(ac, JSON_COMPACT);
	json_decref(ac);
	head = segment(json_pack("{s:s, s:s}", "typ", "JWT", "alg", "none"));
	claims = segment(json_pack("{s:s, s:s, s:I, s:I}", "iss", "bench-world", "ac", ac_text,
				   "nbf", (json_int_t)not_before, "exp", (json_int_t)expires));
	*out = xasprintf("%s.%s.", head, claims);
	free(head);
	free(claims);
	free(ac_text);
	return 0;
}

int ghacache_token_for_ref(char **out, const char *ref, const char *default_ref, double lifetime)
{
	struct ghacache_scope scopes[2] = {{ref, GHACACHE_READ | GHACACHE_WRITE},
					   {default_ref, GHACACHE_READ}};
	int64_t now = (int64_t)time(NULL);
	size_t n = default_ref && *default_ref && strcmp(ref, default_ref) ? 2 : 1;

	return ghacache_token(out, scopes, n, now - 60, now + (int64_t)lifetime);
}

/* ---- reading a token on the server's threads (no error.h) ---- */

void gha_grant_release(struct gha_grant *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free((char *)g->scopes[i].scope);
	free(g->scopes);
	g->scopes = NULL;
	g->n = 0;
}

const char *gha_grant_write_scope(const struct gha_grant *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->scopes[i].permission & GHACACHE_WRITE)
			return g->scopes[i].scope;
	return NULL;
}

/* The claims of a compact JWT "header.claims.signature", parsed. */
static json_t *jwt_claims(const char *token)
{
	const char *dot1 = strchr(token, '.'), *dot2;
	json_t *claims = NULL;
	size_t len;
	char *text;

	if (!dot1 || !(dot2 = strchr(dot1 + 1, '.')) || strchr(dot2 + 1, '.'))
		return NULL;
	if (!(text = base64url_decode(&len, dot1 + 1, (size_t)(dot2 - dot1 - 1))))
		return NULL;
	claims = json_loadb(text, len, 0, NULL);
	free(text);
	if (claims && !json_is_object(claims)) {
		json_decref(claims);
		claims = NULL;
	}
	return claims;
}

static int bad_token(struct gha_fault *f, const char *why)
{
	return gha_fault_set(f, 401, "unauthenticated", "cache token refused: %s", why);
}

/* `ac`: a JSON string holding [{"Scope": "...", "Permission": N}, ...]. */
static int read_scopes(struct gha_grant *out, struct gha_fault *f, json_t *claims)
{
	const char *text = json_string_value(json_object_get(claims, "ac"));
	json_t *list, *item;
	size_t i;

	if (!text)
		return bad_token(f, "no `ac` string claim");
	list = json_loads(text, 0, NULL);
	if (!json_is_array(list)) {
		json_decref(list);
		return bad_token(f, "`ac` is not a JSON list");
	}
	out->scopes = xcalloc(json_array_size(list) + 1, sizeof(*out->scopes));
	json_array_foreach(list, i, item) {
		const char *scope = json_string_value(json_object_get(item, "Scope"));
		json_t *perm = json_object_get(item, "Permission");
		if (!scope || !json_is_integer(perm)) {
			json_decref(list);
			gha_grant_release(out);
			return bad_token(f, "an `ac` scope without Scope or Permission");
		}
		out->scopes[out->n].scope = xstrdup(scope);
		out->scopes[out->n++].permission = (int)json_integer_value(perm);
	}
	json_decref(list);
	return 0;
}

int gha_grant_parse(struct gha_grant *out, struct gha_fault *f, const char *authorization,
		    time_t now)
{
	json_t *claims, *exp, *nbf;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (!authorization || strncmp(authorization, "Bearer ", 7))
		return bad_token(f, "no bearer token");
	if (!(claims = jwt_claims(authorization + 7)))
		return bad_token(f, "not a JSON web token");
	exp = json_object_get(claims, "exp");
	nbf = json_object_get(claims, "nbf");
	if (!json_is_number(exp) || !json_is_number(nbf))
		error = bad_token(f, "no numeric `exp` and `nbf` claims");
	else if ((double)now >= json_number_value(exp))
		error = gha_fault_set(f, 401, "unauthenticated",
				      "cache token refused: expired at %.0f", json_number_value(exp));
	else if ((double)now < json_number_value(nbf))
		error = gha_fault_set(f, 401, "unauthenticated",
				      "cache token refused: not valid before %.0f",
				      json_number_value(nbf));
	else
		error = read_scopes(out, f, claims);
	json_decref(claims);
	return error;
}
