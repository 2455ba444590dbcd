/*
 * scenario.c: reads and validates a scenario file (see scenario.h): the
 * entry points, the file-wide byte check, defaults and freeing. The reading
 * itself is in scenario_read.c, driven by the key table of scenario_keys.c.
 */
#include "scenario/scenario_int.h"
#include "lib/error.h"
#include "lib/sha256.h"
#include "lib/util.h"

#include <ini.h>
#include <stdlib.h>
#include <string.h>

/* The line of the first byte that is not UTF-8 text (NUL, control
 * characters other than tab/CR/LF, invalid sequences), or 0. */
static int binary_line(unsigned char *bad, const unsigned char *t, size_t len)
{
	size_t i = 0, k, need;
	int line = 1;

	while (i < len) {
		unsigned char c = t[i];
		*bad = c;
		if (c == '\n') {
			line++, i++;
			continue;
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return line;
			i++;
			continue;
		}
		need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
		       c >= 0xf0 && c <= 0xf4 ? 3 : 0;
		if (!need)
			return line;
		for (k = 1; k <= need; k++)
			if (i + k >= len || (t[i + k] & 0xc0) != 0x80)
				return line;
		/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
		if ((c == 0xe0 && t[i + 1] < 0xa0) || (c == 0xed && t[i + 1] >= 0xa0) ||
		    (c == 0xf0 && t[i + 1] < 0x90) || (c == 0xf4 && t[i + 1] >= 0x90))
			return line;
		i += need + 1;
	}
	return 0;
}

static void variant_release(struct variant *v)
{
	free(v->name);
	scen_keys_release(SEC_VARIANT, v);
}

void scenario_free(struct scenario *s)
{
	size_t i;
	if (!s)
		return;
	free(s->path);
	free(s->dir);
	free(s->digest);
	free(s->commits_at);
	scen_keys_release(SEC_SCENARIO, s);
	for (i = 0; i < s->secrets_count; i++) {
		free(s->secrets[i].id);
		free(s->secrets[i].src);
		free(s->secrets[i].env);
	}
	free(s->secrets);
	for (i = 0; i < s->overrides_count; i++)
		free(s->overrides[i]);
	free(s->overrides);
	for (i = 0; i < s->variants_count; i++)
		variant_release(&s->variants[i]);
	free(s->variants);
	scen_keys_release(SEC_WORLD, &s->world);
	scen_keys_release(SEC_REGISTRY, &s->registry);
	scen_keys_release(SEC_GATE, &s->gate);
	scen_keys_release(SEC_VERDICT, &s->verdict);
	free(s);
}

/* A scenario with every default of [scenario], [world], [registry] and [gate] (a
 * variant gets its own when its section opens). */
static struct scenario *scenario_new(struct scen_parser *p, const char *path, const char *text,
				     size_t len)
{
	struct scenario *s = xcalloc(1, sizeof(*s));
	char digest[SHA256_HEX_SIZE];

	s->path = path_absolute(path);
	s->dir = path_dirname(s->path);
	sha256_hex(digest, text, len);
	s->digest = xstrdup(digest);
	p->s = s;
	scen_keys_set_defaults(p, SEC_SCENARIO, s);
	scen_keys_set_defaults(p, SEC_WORLD, &s->world);
	scen_keys_set_defaults(p, SEC_REGISTRY, &s->registry);
	scen_keys_set_defaults(p, SEC_GATE, &s->gate);
	scen_keys_set_defaults(p, SEC_VERDICT, &s->verdict);
	return s;
}

int scenario_parse(struct scenario **out, const char *path, const char *text, size_t len)
{
	return scenario_parse_with(out, path, text, len, NULL, 0);
}

int scenario_parse_with(struct scenario **out, const char *path, const char *text, size_t len,
			const struct scenario_override *ov, size_t n)
{
	struct scen_parser p = {.ov = ov, .nov = n};
	unsigned char bad;
	int line, rc, error = 0;
	size_t i;

	*out = NULL;
	p.path = path;
	p.text = text;
	p.len = len;
	scenario_new(&p, path, text, len);
	if ((line = binary_line(&bad, (const unsigned char *)text, len))) {
		scen_add_error(&p, line, "not a text file (found byte 0x%02x); a scenario must be "
			       "UTF-8 text", bad);
	} else {
		rc = ini_parse_stream(scen_read_line, &p, scen_on_key, &p);
		if (rc < 0) {
			error = bench_error_set(BENCH_ERROR, "cannot parse '%s': inih failed (%d)",
						path, rc);
			goto done;
		}
		if (rc > 0 && !p.nerrs)
			scen_add_error(&p, rc, "cannot parse this line");
		scen_apply_overrides(&p);
		scen_check(&p);
	}
	if (p.nerrs) {
		error = scen_report(&p);
		goto done;
	}
	*out = p.s;
	p.s = NULL;
done:
	scenario_free(p.s);
	for (i = 0; i < p.nerrs; i++)
		free(p.errs[i].msg);
	free(p.errs);
	free(p.prev_name);
	free(p.vars);
	free(p.repo_raw);
	free(p.secret_lines);
	return error;
}

int scenario_load(struct scenario **out, const char *path)
{
	return scenario_load_with(out, path, NULL, 0);
}

int scenario_load_with(struct scenario **out, const char *path, const struct scenario_override *ov,
		       size_t n)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = read_file(&text, &len, path)) < 0)
		goto done;
	error = scenario_parse_with(out, path, text, len, ov, n);
done:
	free(text);
	return error;
}

/* Whether variant name is one of the comma-separated names. */
static bool listed(const char *names, const char *name)
{
	size_t n = strlen(name);
	while (*names) {
		size_t len = strcspn(names, ",");
		if (len == n && !strncmp(names, name, n))
			return true;
		names += len + (names[len] == ',');
	}
	return false;
}

int scenario_only_variant(struct scenario *s, const char *names)
{
	struct strbuf all = {0};
	const char *p = names;
	size_t i, kept = 0;
	int error = 0;

	for (i = 0; i < s->variants_count; i++)
		strbuf_printf(&all, "%s%s", i ? ", " : "", s->variants[i].name);
	while (*p) { /* every name must be a variant */
		size_t len = strcspn(p, ",");
		for (i = 0; i < s->variants_count; i++)
			if (strlen(s->variants[i].name) == len && !strncmp(s->variants[i].name, p, len))
				break;
		if (i == s->variants_count) {
			error = bench_error_set(BENCH_EINVALID, "no variant '%.*s' in scenario '%s' "
						"(variants: %s)", (int)len, p, s->name ? s->name : "",
						all.buf ? all.buf : "none");
			goto done;
		}
		p += len + (p[len] == ',');
	}
	for (i = 0; i < s->variants_count; i++) {
		if (listed(names, s->variants[i].name))
			s->variants[kept++] = s->variants[i];
		else
			variant_release(&s->variants[i]);
	}
	s->variants_count = kept;
done:
	strbuf_release(&all);
	return error;
}

const char *runner_kind_name(enum runner_kind k)
{
	switch (k) {
	case RUNNER_EPHEMERAL: return "ephemeral";
	case RUNNER_PERSISTENT: return "persistent";
	}
	return "unknown";
}
