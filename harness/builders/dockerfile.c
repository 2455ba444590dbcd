/*
 * dockerfile.c: the images a Dockerfile builds on (see dockerfile.h). Reads
 * the file into logical lines (continuations joined, comments dropped),
 * splits each into words and looks only at ARG (before the first FROM),
 * FROM, COPY, ADD and RUN.
 */
#include "builders/dockerfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/error.h"

struct scan {
	struct strvec *out;
	const char *const *build_args;
	struct strvec args;   /* the ARGs before the first FROM: "NAME=VALUE" or "NAME" */
	struct strvec stages; /* stage names so far */
	bool seen_from;
};

static bool in_list(const struct strvec *list, const char *s)
{
	size_t i;
	for (i = 0; i < list->n; i++)
		if (!strcasecmp(list->v[i], s))
			return true;
	return false;
}

/* The value of a global ARG: the build arg when one is given, else its
 * default; NULL for an ARG not declared or without a value. */
static const char *arg_value(const struct scan *sc, const char *name, size_t len)
{
	const char *const *a;
	const char *def = NULL;
	bool declared = false;
	size_t i;

	for (i = 0; i < sc->args.n; i++) {
		const char *d = sc->args.v[i];
		if (!strncmp(d, name, len) && (d[len] == '=' || !d[len])) {
			declared = true;
			def = d[len] == '=' ? d + len + 1 : NULL;
		}
	}
	if (!declared)
		return NULL;
	for (a = sc->build_args; a && *a; a++)
		if (!strncmp(*a, name, len) && (*a)[len] == '=')
			return *a + len + 1;
	return def;
}

/* word with ${NAME}, ${NAME:-DEFAULT} and $NAME expanded; what cannot be
 * expanded stays. Caller frees. */
static char *expand(const struct scan *sc, const char *word)
{
	struct strbuf sb = {0};
	const char *p = word;

	while (*p) {
		const char *name = NULL, *val;
		size_t len = 0, skip = 0;
		if (p[0] == '$' && p[1] == '{') {
			const char *dash;
			name = p + 2;
			len = strcspn(name, "}");
			skip = name[len] == '}' ? len + 3 : 0;
			dash = strstr(name, ":-");
			if (skip && dash && dash < name + len) { /* the default when unset or empty */
				size_t nlen = (size_t)(dash - name);
				val = nlen ? arg_value(sc, name, nlen) : NULL;
				if (!val || !*val)
					strbuf_add(&sb, dash + 2, (size_t)(name + len - dash - 2));
				else
					strbuf_puts(&sb, val);
				p += skip;
				continue;
			}
		} else if (p[0] == '$') {
			name = p + 1;
			while (isalnum((unsigned char)name[len]) || name[len] == '_')
				len++;
			skip = len + 1;
		}
		if (name && len && skip && (val = arg_value(sc, name, len))) {
			strbuf_puts(&sb, val);
			p += skip;
		} else {
			strbuf_add(&sb, p, 1);
			p++;
		}
	}
	if (!sb.buf)
		strbuf_puts(&sb, "");
	return strbuf_detach(&sb);
}

/* An image (not a stage, not scratch, fully expanded) goes to out, once. */
static void add_image(struct scan *sc, const char *word)
{
	char *img = expand(sc, word);
	bool number = *img && strspn(img, "0123456789") == strlen(img);

	if (*img && !number && !strchr(img, '$') && strcasecmp(img, "scratch") && !in_list(&sc->stages, img) &&
	    !in_list(sc->out, img))
		strvec_push(sc->out, img);
	free(img);
}

static void on_instruction(struct scan *sc, char **w, size_t n)
{
	size_t i;

	if (!strcasecmp(w[0], "ARG") && !sc->seen_from) {
		for (i = 1; i < n; i++)
			strvec_push(&sc->args, w[i]);
	} else if (!strcasecmp(w[0], "FROM")) {
		sc->seen_from = true;
		for (i = 1; i < n && !strncmp(w[i], "--", 2); i++)
			;
		if (i < n)
			add_image(sc, w[i]);
		if (i + 2 < n && !strcasecmp(w[i + 1], "AS"))
			strvec_push(&sc->stages, w[i + 2]);
	} else if (!strcasecmp(w[0], "COPY") || !strcasecmp(w[0], "ADD")) {
		for (i = 1; i < n && !strncmp(w[i], "--", 2); i++)
			if (!strncmp(w[i], "--from=", 7))
				add_image(sc, w[i] + 7);
	} else if (!strcasecmp(w[0], "RUN")) {
		for (i = 1; i < n && !strncmp(w[i], "--", 2); i++) {
			char *opts, *opt, *save = NULL;
			if (strncmp(w[i], "--mount=", 8))
				continue;
			opts = xstrdup(w[i] + 8);
			for (opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
				if (!strncmp(opt, "from=", 5))
					add_image(sc, opt + 5);
			free(opts);
		}
	}
}

/* Split a logical line into words and hand it on. */
static void on_line(struct scan *sc, char *line)
{
	char *words[64], *p = line;
	size_t n = 0;

	while (*p && n < sizeof(words) / sizeof(words[0])) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (n)
		on_instruction(sc, words, n);
}

int dockerfile_base_images(struct strvec *out, const char *path, const char *const *build_args)
{
	struct scan sc = {.out = out, .build_args = build_args};
	struct strbuf logical = {0};
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int error;

	if ((error = read_file(&text, &len, path)) < 0)
		return error;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		const char *first = line + strspn(line, " \t");
		bool more;
		if (*first == '#')
			continue;
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		more = n && line[n - 1] == '\\';
		strbuf_add(&logical, line, more ? n - 1 : n);
		strbuf_add(&logical, " ", 1);
		if (!more) {
			on_line(&sc, logical.buf);
			strbuf_reset(&logical);
		}
	}
	if (logical.len)
		on_line(&sc, logical.buf);
	strbuf_release(&logical);
	strvec_release(&sc.args);
	strvec_release(&sc.stages);
	free(text);
	return 0;
}
