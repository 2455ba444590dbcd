/*
 * findings.c: the Dockerfile rules of bench init (findings.h). The
 * Dockerfile is cut into instructions (a trailing backslash continues a
 * line, '#' lines are comments, keywords are case-insensitive) and stages
 * (FROM ... AS NAME; a FROM naming an earlier stage inherits what that stage
 * copied from the context). Each rule is a row of `rules` below.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "init/findings.h"
#include "lib/util.h"

enum rule_id { R_COPY_ALL, R_NO_IGNORE, R_DOWNLOAD, R_NO_CACHE_MOUNT };

/* The rules: id, what it looks for, the message (printf: see each use). */
static const struct {
	struct finding_rule r;
	const char *message;
} rules[] = {
	[R_COPY_ALL] = {{"copy-all-before-install",
			 "the whole context copied (COPY . or ADD .) before a RUN that installs the "
			 "dependencies, in the same stage"},
			"%s copies the whole context before the install at line %d (%s): every code "
			"change re-runs the install; copy %s alone before it and the rest after"},
	[R_NO_IGNORE] = {{"no-dockerignore", "no .dockerignore at the root of the build context "
			  "of a Dockerfile that copies the whole context"},
			 "%s copies the whole context and there is no %s: .git, local venvs and data "
			 "go to the builder, and the layer changes with any file of them"},
	[R_DOWNLOAD] = {{"download-not-isolated",
			 "a RUN that downloads (curl, wget, pip download, git clone, model downloads) "
			 "after its stage, or a stage it builds on, copied files from the context"},
			"%s downloads after line %d copied %s from the context: a change there "
			"downloads it again; download in a stage of its own that copies nothing"},
	[R_NO_CACHE_MOUNT] = {{"no-cache-mount",
			       "a package manager (pip, npm, yarn, apt-get, go, cargo, maven, gradle, "
			       "bundle, poetry) in a RUN without --mount=type=cache"},
			      "%s runs without --mount=type=cache: each time the step re-runs it "
			      "downloads every package again"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

const struct finding_rule *findings_rule(size_t i)
{
	return i < NRULES ? &rules[i].r : NULL;
}

/* Install commands: what they look like in a RUN, the manifest they read. */
static const struct { const char *cmd, *manifest; } installs[] = {
	{"pip install", "requirements.txt"}, {"pip3 install", "requirements.txt"},
	{"poetry install", "pyproject.toml and poetry.lock"}, {"pipenv install", "Pipfile and Pipfile.lock"},
	{"uv sync", "pyproject.toml and uv.lock"}, {"npm ci", "package.json and package-lock.json"},
	{"npm install", "package.json and package-lock.json"}, {"yarn install", "package.json and yarn.lock"},
	{"pnpm install", "package.json and pnpm-lock.yaml"}, {"go mod download", "go.mod and go.sum"},
	{"go build", "go.mod and go.sum"}, {"cargo build", "Cargo.toml and Cargo.lock"},
	{"cargo fetch", "Cargo.toml and Cargo.lock"}, {"mvn ", "pom.xml"}, {"gradle ", "build.gradle"},
	{"bundle install", "Gemfile and Gemfile.lock"}, {"composer install", "composer.json and composer.lock"},
};

/* Package managers whose downloads a cache mount keeps. */
static const char *const managers[] = {
	"pip install", "pip3 install", "poetry install", "uv sync", "uv pip install", "npm ci",
	"npm install", "yarn install", "pnpm install", "apt-get install", "apt install",
	"go mod download", "go build", "cargo build", "cargo fetch", "mvn ", "gradle ",
	"bundle install", NULL,
};

static const char *const downloads[] = {
	"curl ", "wget ", "pip download", "git clone", "huggingface-cli download", "hf download",
	"snapshot_download", "from_pretrained", "gsutil cp", "aws s3 cp", "gcloud storage cp", NULL,
};

/* One instruction: its keyword (upper-cased), the rest, its first line. */
struct instr {
	char kw[16];
	char *args;
	int line;
};

/* Cut text into instructions. Caller frees each args and the array. */
static struct instr *instructions(size_t *n, const char *text)
{
	struct instr *v = NULL;
	const char *s = text;
	int line = 1;

	*n = 0;
	while (*s) {
		struct strbuf sb = {0};
		int first = line;
		const char *e;
		size_t k;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\r') { /* a comment or a blank line */
			s += strcspn(s, "\n");
			if (*s) {
				s++;
				line++;
			}
			continue;
		}
		for (;;) { /* the logical line */
			size_t l = strcspn(s, "\n");
			const char *end = s + l;
			while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			bool cont = end > s && end[-1] == '\\';
			strbuf_add(&sb, s, (size_t)(end - s) - cont);
			strbuf_puts(&sb, " ");
			s += l;
			if (*s) {
				s++;
				line++;
			}
			if (!cont || !*s)
				break;
			while (*s == ' ' || *s == '\t' || (*s == '#' && strchr(s, '\n'))) {
				if (*s == '#') { /* a comment inside a continued instruction */
					s = strchr(s, '\n') + 1;
					line++;
				} else {
					s++;
				}
			}
		}
		e = sb.buf;
		for (k = 0; e[k] && !isspace((unsigned char)e[k]) && k < sizeof(v->kw) - 1; k++)
			;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		memset(v[*n].kw, 0, sizeof(v[*n].kw));
		for (size_t i = 0; i < k; i++)
			v[*n].kw[i] = (char)toupper((unsigned char)e[i]);
		while (e[k] && !isspace((unsigned char)e[k]))
			k++;
		while (isspace((unsigned char)e[k]))
			k++;
		v[*n].args = xstrdup(e + k);
		v[*n].line = first;
		(*n)++;
		strbuf_release(&sb);
	}
	return v;
}

static const char *find_any(const char *args, const char *const *list)
{
	size_t i;
	for (i = 0; list[i]; i++)
		if (strstr(args, list[i]))
			return list[i];
	return NULL;
}

static size_t find_install(const char *args)
{
	size_t i;
	for (i = 0; i < sizeof(installs) / sizeof(installs[0]); i++)
		if (strstr(args, installs[i].cmd))
			return i;
	return (size_t)-1;
}

/* Whether in is a COPY/ADD from the context (no --from=): its sources,
 * flags skipped, in *src (caller frees); *whole: one of them is the whole
 * context. */
static bool context_copy(char **src, bool *whole_out, const struct instr *in)
{
	const char *a = in->args;
	const char *last;
	bool whole = false;
	struct strbuf sb = {0};

	*src = NULL;
	if (strcmp(in->kw, "COPY") && strcmp(in->kw, "ADD"))
		return false;
	while (!strncmp(a, "--", 2)) {
		if (!strncmp(a, "--from=", 7))
			return false;
		a += strcspn(a, " ");
		while (*a == ' ')
			a++;
	}
	if (*a == '[') /* the JSON form: read as words anyway */
		a++;
	last = a + strlen(a);
	while (last > a && last[-1] == ' ')
		last--;
	while (last > a && last[-1] != ' ') /* drop the destination */
		last--;
	while (a < last) {
		size_t l = strcspn(a, " ");
		char *w = xstrndup(a, l);
		if (!strcmp(w, ".") || !strcmp(w, "./") || !strcmp(w, "\".\",") || !strcmp(w, "\"./\","))
			whole = true;
		strbuf_printf(&sb, "%s%s", sb.len ? " " : "", w);
		free(w);
		a += l;
		while (*a == ' ')
			a++;
	}
	*src = strbuf_detach(&sb);
	*whole_out = whole;
	return true;
}

/* A stage, and the first thing it (or a stage it builds on) copied from the
 * context. */
struct stage {
	char *name;
	int copy_line;    /* the first context copy of the stage or the stages it builds on */
	char *copy_what;
};

void findings_dockerfile(struct findings *out, const char *file, const char *text, bool has_dockerignore,
			 const char *dockerignore)
{
	size_t n, i, j, ns = 0;
	struct instr *in = instructions(&n, text);
	struct stage *st = NULL;
	int whole_line = 0, cur = -1;
	char *whole_what = NULL;

	for (i = 0; i < n; i++) {
		char *src = NULL;

		if (!strcmp(in[i].kw, "FROM")) {
			char base[256] = "", as[256] = "";
			const char *a = in[i].args;
			while (!strncmp(a, "--", 2)) { /* --platform=... */
				a += strcspn(a, " ");
				while (*a == ' ')
					a++;
			}
			sscanf(a, "%255s %*s %255s", base, as);
			st = xrealloc(st, (ns + 1) * sizeof(*st));
			memset(&st[ns], 0, sizeof(st[ns]));
			st[ns].name = xstrdup(as);
			for (j = 0; j < ns; j++) /* FROM an earlier stage: what it copied */
				if (st[j].name[0] && !strcasecmp(st[j].name, base)) {
					if (st[j].copy_line) {
						st[ns].copy_line = st[j].copy_line;
						st[ns].copy_what = xstrdup(st[j].copy_what);
					}
					break;
				}
			cur = (int)ns++;
			continue;
		}
		if (cur < 0)
			continue;
		bool whole;
		if (context_copy(&src, &whole, &in[i])) {
			if (!st[cur].copy_line) {
				st[cur].copy_line = in[i].line;
				st[cur].copy_what = xstrdup(src);
			}
			if (whole) {
				char *what = xasprintf("%s %s", in[i].kw, in[i].args);
				while (what[strlen(what) - 1] == ' ')
					what[strlen(what) - 1] = 0;
				if (!whole_line) {
					whole_line = in[i].line;
					whole_what = xstrdup(what);
				}
				for (j = i + 1; j < n && strcmp(in[j].kw, "FROM"); j++) {
					size_t k;
					if (strcmp(in[j].kw, "RUN") || (k = find_install(in[j].args)) == (size_t)-1)
						continue;
					findings_add(out, rules[R_COPY_ALL].r.id, file, in[i].line,
						     rules[R_COPY_ALL].message, what, in[j].line,
						     installs[k].cmd, installs[k].manifest);
					break;
				}
				free(what);
			}
			free(src);
			continue;
		}
		if (strcmp(in[i].kw, "RUN"))
			continue;
		const char *m = find_any(in[i].args, managers);
		if (m && !strstr(in[i].args, "type=cache")) {
			char *what = xasprintf("RUN (%.*s)", (int)(strlen(m) - (m[strlen(m) - 1] == ' ')), m);
			findings_add(out, rules[R_NO_CACHE_MOUNT].r.id, file, in[i].line, rules[R_NO_CACHE_MOUNT].message, what);
			free(what);
		}
		const char *d = find_any(in[i].args, downloads);
		if (d && st[cur].copy_line) {
			char *what = xasprintf("RUN (%.*s)", (int)(strlen(d) - (d[strlen(d) - 1] == ' ')), d);
			findings_add(out, rules[R_DOWNLOAD].r.id, file, in[i].line, rules[R_DOWNLOAD].message, what,
				     st[cur].copy_line, st[cur].copy_what);
			free(what);
		}
	}
	if (!has_dockerignore && whole_line)
		findings_add(out, rules[R_NO_IGNORE].r.id, file, whole_line, rules[R_NO_IGNORE].message, whole_what,
			     dockerignore);
	free(whole_what);
	for (i = 0; i < n; i++)
		free(in[i].args);
	free(in);
	for (i = 0; i < ns; i++) {
		free(st[i].name);
		free(st[i].copy_what);
	}
	free(st);
}

void findings_add(struct findings *out, const char *rule, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	struct finding *f;

	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	f = &out->v[out->n++];
	f->rule = rule;
	f->file = xstrdup(file);
	f->line = line;
	va_start(ap, fmt);
	f->message = xvasprintf(fmt, ap);
	va_end(ap);
}

void findings_release(struct findings *f)
{
	size_t i;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].file);
		free(f->v[i].message);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
