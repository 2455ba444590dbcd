/*
 * scenario_read.c: the reading side of the scenario parser: the line reader
 * inih calls, section headers, key lookup in the key table (unknown keys with
 * a did-you-mean, duplicates, empty values) and the list of problems.
 *
 * inih splits "key = value" lines and strips inline comments; everything it
 * cannot tell us (line numbers, section headers, overlong lines, indented
 * continuation lines) is handled by our own line reader, which sees each line
 * just before inih does. Every problem is collected with its line and all of
 * them are reported at once, sorted by line, as "path:line: message".
 */
#include "scenario/scenario_int.h"
#include "lib/error.h"
#include "lib/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_LIMIT 3800 /* error.c keeps 4096 bytes */

void scen_add_error(struct scen_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->nerrs == p->aerrs) {
		p->aerrs = p->aerrs ? 2 * p->aerrs : 8;
		p->errs = xrealloc(p->errs, p->aerrs * sizeof(*p->errs));
	}
	p->errs[p->nerrs].line = line;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].msg = msg;
	p->nerrs++;
}

/* The file's lines in order, then the overrides (line -1, -2, ...) in theirs. */
static long problem_order(int line)
{
	return line < 0 ? (long)INT_MAX + -(long)line : line;
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	if (x->line != y->line)
		return problem_order(x->line) < problem_order(y->line) ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Keep every collected problem as the error message, in line order. */
int scen_report(struct scen_parser *p)
{
	struct strbuf sb = {0};
	size_t i;

	qsort(p->errs, p->nerrs, sizeof(*p->errs), problem_cmp);
	for (i = 0; i < p->nerrs; i++) {
		int line = p->errs[i].line;
		char *one = line < 0 && (size_t)-line <= p->nov ?
			xasprintf("%s %s: %s", p->ov[-line - 1].flag, p->ov[-line - 1].assignment, p->errs[i].msg) :
			xasprintf("%s:%d: %s", p->path, line, p->errs[i].msg);
		if (i && sb.len + strlen(one) + 1 > REPORT_LIMIT) {
			strbuf_printf(&sb, "\n%s:%d: ... and %zu more errors", p->path,
				      p->errs[i].line, p->nerrs - i);
			free(one);
			break;
		}
		strbuf_printf(&sb, "%s%s", i ? "\n" : "", one);
		free(one);
	}
	bench_error_set(BENCH_EINVALID, "%s", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return BENCH_EINVALID;
}

/* ---- sections ---- */

/* Edit distance with adjacent transpositions (optimal string alignment),
 * for names up to 63 characters; longer ones count as far. */
size_t scen_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64][64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static void open_variant(struct scen_parser *p, const char *name, int line)
{
	struct scenario *s = p->s;
	struct variant *v;
	size_t i;

	if (!*name) {
		scen_add_error(p, line, "[variant] needs a name, e.g. [variant single-stage]");
		return;
	}
	if (!scen_is_name(name)) {
		scen_add_error(p, line, "invalid variant name '%s' (use letters, digits, '.', '_' "
			       "and '-')", name);
		return;
	}
	for (i = 0; i < s->variants_count; i++) {
		if (!strcmp(s->variants[i].name, name)) {
			scen_add_error(p, line, "duplicate variant '%s' (first defined at line %d); "
				       "give each variant its own name", name, s->variants[i].line);
			return;
		}
	}
	s->variants = xrealloc(s->variants, (i + 1) * sizeof(*s->variants));
	p->vars = xrealloc(p->vars, (i + 1) * sizeof(*p->vars));
	memset(&p->vars[i], 0, sizeof(p->vars[i]));
	v = &s->variants[i];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->line = line;
	s->variants_count++;
	scen_keys_set_defaults(p, SEC_VARIANT, v);
	p->var = i;
	p->sec = SEC_VARIANT;
}

/* Claim a section that may appear once; *seen holds the line of the first. */
static void open_once(struct scen_parser *p, enum sec sec, int *seen, const char *name, int line)
{
	if (*seen) {
		scen_add_error(p, line, "duplicate section [%s] (first at line %d); merge them into "
			       "one", name, *seen);
		return;
	}
	*seen = line;
	p->sec = sec;
}

/* How many edits a typo of name may be from what it meant: 2, 1 for short
 * names (fewer than 5 characters). */
static size_t typo_edits(const char *name)
{
	return strlen(name) < 5 ? 1 : 2;
}

static void unknown_section(struct scen_parser *p, const char *name, int line)
{
	static const char *const known[] = {"scenario", "variant", "world", "registry", "gate", "verdict", NULL};
	size_t n = strcspn(name, " \t"), i;
	char *word = xstrndup(name, n);

	for (i = 0; known[i] && scen_edit_distance(word, known[i]) > typo_edits(word); i++)
		;
	if (known[i])
		scen_add_error(p, line, "unknown section [%s]; did you mean [%s%s]? (known: "
			       "[scenario], [variant NAME], [world], [registry], [gate], [verdict])", name, known[i],
			       name + n);
	else
		scen_add_error(p, line, "unknown section [%s] (known: [scenario], [variant NAME], "
			       "[world], [registry], [gate], [verdict])", name);
	free(word);
}

static void open_named(struct scen_parser *p, const char *a, int line)
{
	if (!strcmp(a, "scenario"))
		open_once(p, SEC_SCENARIO, &p->scen_line, a, line);
	else if (!strcmp(a, "world"))
		open_once(p, SEC_WORLD, &p->s->world.line, a, line);
	else if (!strcmp(a, "registry"))
		open_once(p, SEC_REGISTRY, &p->s->registry.line, a, line);
	else if (!strcmp(a, "gate"))
		open_once(p, SEC_GATE, &p->s->gate.line, a, line);
	else if (!strcmp(a, "verdict"))
		open_once(p, SEC_VERDICT, &p->s->verdict.line, a, line);
	else if (!strncmp(a, "variant", 7) && (!a[7] || isspace((unsigned char)a[7])))
		open_variant(p, a + 7 + strspn(a + 7, " \t"), line);
	else
		unknown_section(p, a, line);
}

static void open_section(struct scen_parser *p, const char *hdr, size_t n, int line)
{
	size_t close = 1, rest;
	bool was_space = false;
	char *inner, *a, *z;

	p->sec = SEC_BAD;
	p->bad_headers++;
	free(p->prev_name);
	p->prev_name = NULL;
	/* Same rule as inih: ']' ends it, "; comment" after a space does too. */
	while (close < n && hdr[close] != ']' && !(was_space && hdr[close] == ';'))
		was_space = isspace((unsigned char)hdr[close++]);
	if (close >= n || hdr[close] != ']') {
		scen_add_error(p, line, "section header '%.*s' has no closing ']'", (int)n, hdr);
		return;
	}
	for (rest = close + 1; rest < n && isspace((unsigned char)hdr[rest]); rest++)
		;
	if (rest < n && hdr[rest] != ';' && hdr[rest] != '#') {
		scen_add_error(p, line, "unexpected text '%.*s' after section header; put it on its "
			       "own line or start it with ';'", (int)(n - rest), hdr + rest);
		return;
	}
	inner = xstrndup(hdr + 1, close - 1);
	for (a = inner; isspace((unsigned char)*a); a++)
		;
	for (z = a + strlen(a); z > a && isspace((unsigned char)z[-1]);)
		*--z = '\0';
	open_named(p, a, line);
	if (p->sec == SEC_WORLD)
		p->s->world.enabled = true;
	if (p->sec == SEC_REGISTRY)
		p->s->registry.enabled = true;
	if (p->sec != SEC_BAD)
		p->bad_headers--;
	free(inner);
}

/* inih's reader: hand over one line at a time, counting them. Lines inih
 * should not see (comments, section headers, overlong or malformed lines,
 * continuations) are dealt with here and handed over blank; key lines are
 * handed over without their indentation, so that inih never joins lines.
 * A line indented deeper than the key before it (in the same section) is
 * what inih would read as a continuation: we refuse it. */
char *scen_read_line(char *str, int num, void *stream)
{
	struct scen_parser *p = stream;
	const char *line = p->text + p->pos, *nl;
	size_t n, indent, i;
	bool was_space = false;

	if (p->pos >= p->len)
		return NULL;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->lineno++;
	str[0] = '\0';
	if (p->lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
		line += 3, n -= 3;
	while (n && isspace((unsigned char)line[n - 1]))
		n--;
	if (n + 3 > (size_t)num) {
		scen_add_error(p, p->lineno, "line is too long (%zu characters, at most %d); "
			       "shorten it", n, num - 3);
		p->long_lines++;
		return str;
	}
	for (indent = 0; indent < n && isspace((unsigned char)line[indent]); indent++)
		;
	line += indent;
	n -= indent;
	if (!n || *line == ';' || *line == '#')
		return str;
	if (*line == '[') {
		open_section(p, line, n, p->lineno);
		return str;
	}
	for (i = 0; i < n && line[i] != '=' && line[i] != ':'; i++) {
		if (was_space && line[i] == ';')
			break;
		was_space = isspace((unsigned char)line[i]);
	}
	if (p->prev_name && indent > p->prev_indent) {
		scen_add_error(p, p->lineno, "indented line continues the value of '%s'; multi-line "
			       "values are not supported, put the value on one line", p->prev_name);
	} else if (i < n && (line[i] == '=' || line[i] == ':')) {
		memcpy(str, line, n);
		str[n] = '\0';
		p->prev_indent = indent;
	} else {
		scen_add_error(p, p->lineno, "expected 'key = value' or '[section]', got '%.*s'",
			       (int)n, line);
	}
	return str;
}

/* ---- keys ---- */

/* "unknown key" with the keys of the section, and a hint when the name is
 * a typo of one of them (at most 2 edits, 1 for short names) or a key of
 * another section. */
static void unknown_key(struct scen_parser *p, const char *name, const char *title)
{
	struct strbuf known = {0}, hint = {0};
	const struct key_def *k, *near = NULL;
	size_t i, best = typo_edits(name) + 1;

	for (i = 0; (k = scen_key_at(i)); i++) {
		size_t dist;
		if (k->sec != p->sec)
			continue;
		strbuf_printf(&known, "%s%s", known.len ? ", " : "", k->name);
		if ((dist = scen_edit_distance(name, k->name)) < best)
			best = dist, near = k;
	}
	for (i = 0; !near && (k = scen_key_at(i)); i++) {
		if (!strcmp(k->name, name)) {
			char *where = scen_section_title(k->sec, NULL);
			strbuf_printf(&hint, "; it is a key of %s", where);
			free(where);
			break;
		}
	}
	if (near)
		strbuf_printf(&hint, "; did you mean '%s'?", near->name);
	scen_add_error(p, p->lineno, "unknown key '%s' in %s%s (known: %s)", name, title,
		       hint.buf ? hint.buf : "", known.buf);
	strbuf_release(&known);
	strbuf_release(&hint);
}

static void *section_base(struct scen_parser *p, struct keylines **lines)
{
	switch (p->sec) {
	case SEC_SCENARIO: *lines = &p->scen; return p->s;
	case SEC_VARIANT: *lines = &p->vars[p->var]; return &p->s->variants[p->var];
	case SEC_WORLD: *lines = &p->world; return &p->s->world;
	case SEC_VERDICT: *lines = &p->verdict; return &p->s->verdict;
	case SEC_REGISTRY: *lines = &p->registry; return &p->s->registry;
	default: *lines = &p->gate; return &p->s->gate;
	}
}

int scen_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct scen_parser *p = user;
	const struct key_def *k;
	struct keylines *lines;
	void *base;
	int line = p->lineno;
	char *title;
	size_t i;

	(void)section; /* ours is p->sec: inih truncates long section names */
	if (p->sec == SEC_NONE) {
		scen_add_error(p, line, "key '%s' is outside any section; put it under [scenario] "
			       "or another section", name);
		return 1;
	}
	if (p->sec == SEC_BAD)
		return 1; /* the section header was reported already */
	base = section_base(p, &lines);
	scen_replace(&p->prev_name, name);
	title = scen_section_title(p->sec, p->sec == SEC_VARIANT ? p->s->variants[p->var].name : NULL);
	if (!*name) {
		scen_add_error(p, line, "missing key name before '=' in %s", title);
	} else if (!(k = scen_key_find(&i, p->sec, name))) {
		unknown_key(p, name, title);
	} else if (lines->at[i] && !(k->flags & KEY_REPEATABLE)) {
		scen_add_error(p, line, "duplicate key '%s' in %s (first set at line %d); keep only "
			       "one", name, title, lines->at[i]);
	} else {
		if (!lines->at[i])
			lines->at[i] = line;
		if (!*value)
			scen_add_error(p, line, "empty value for '%s' in %s; give a value or remove the "
				       "line", name, title);
		else
			scen_key_apply(p, k, base, value, line);
	}
	free(title);
	return 1;
}
