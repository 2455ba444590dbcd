/*
 * runline.c: the `run:` scripts of a workflow as bench init sees them: shell
 * words split into commands, and the options of `docker build` /
 * `docker buildx build` and `docker push` read from those words.
 */
#include <stdlib.h>
#include <string.h>

#include "init/workflow.h"

static bool is_sep(const char *s, size_t *len)
{
	if (s[0] == '\n' || s[0] == ';' || (s[0] == '|' && s[1] != '|') || (s[0] == '&' && s[1] != '&')) {
		*len = 1;
		return s[0] != '&';
	}
	if ((s[0] == '&' && s[1] == '&') || (s[0] == '|' && s[1] == '|')) {
		*len = 2;
		return true;
	}
	return false;
}

static void end_command(struct strvec **cmds, size_t *n, struct strvec *cur)
{
	if (!cur->n)
		return;
	*cmds = xrealloc(*cmds, (*n + 1) * sizeof(**cmds));
	(*cmds)[(*n)++] = *cur;
	memset(cur, 0, sizeof(*cur));
}

/* The caller owns *out (runline_commands_free). A '#' at the start of a
 * word comments out the rest of the line. */
void runline_commands(struct strvec **out, size_t *n, const char *s)
{
	struct strvec cur = {0};
	struct strbuf w = {0};
	bool in_word = false;
	size_t sep = 0;

	*out = NULL;
	*n = 0;
	while (*s) {
		if (s[0] == '\\' && s[1] == '\n') { /* a continued line */
			s += 2;
			continue;
		}
		if (!in_word && *s == '#') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\r' || is_sep(s, &sep)) {
			if (in_word) {
				strvec_push(&cur, w.buf ? w.buf : "");
				strbuf_reset(&w);
				in_word = false;
			}
			if (*s == ' ' || *s == '\t' || *s == '\r') {
				s++;
			} else {
				end_command(out, n, &cur);
				s += sep;
			}
			continue;
		}
		in_word = true;
		if (!strncmp(s, "${{", 3) && strstr(s, "}}")) {
			/* a GitHub expression: replaced before the shell runs, one word */
			const char *e = strstr(s, "}}") + 2;
			strbuf_add(&w, s, (size_t)(e - s));
			s = e;
		} else if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');
			size_t l = e ? (size_t)(e - s - 1) : strlen(s + 1);
			strbuf_add(&w, s + 1, l);
			s += l + 1 + (e != NULL);
		} else if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1] && strchr("\"\\$`\n", s[1]))
					s++;
				if (*s == '\n' && s[-1] == '\\')
					continue;
				strbuf_add(&w, s, 1);
			}
			if (*s)
				s++;
		} else if (*s == '\\' && s[1]) {
			strbuf_add(&w, s + 1, 1);
			s += 2;
		} else {
			strbuf_add(&w, s++, 1);
		}
	}
	if (in_word)
		strvec_push(&cur, w.buf ? w.buf : "");
	end_command(out, n, &cur);
	strbuf_release(&w);
}

void runline_commands_free(struct strvec *cmds, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		strvec_release(&cmds[i]);
	free(cmds);
}

/* The index of the word after `docker [image|buildx] VERB` (an optional sudo
 * and docker's global options before the verb skipped), or 0. */
static size_t after_verb(const struct strvec *w, const char *verb, bool buildx_ok)
{
	size_t i = 0;

	if (i < w->n && !strcmp(w->v[i], "sudo"))
		i++;
	if (i >= w->n || strcmp(w->v[i], "docker"))
		return 0;
	for (i++; i < w->n && w->v[i][0] == '-'; i++) /* --context X, --debug, -H X */
		if (!strchr(w->v[i], '=') && (!strcmp(w->v[i], "--context") || !strcmp(w->v[i], "-c") ||
					      !strcmp(w->v[i], "-H") || !strcmp(w->v[i], "--host") ||
					      !strcmp(w->v[i], "--config") || !strcmp(w->v[i], "-l") ||
					      !strcmp(w->v[i], "--log-level")))
			i++;
	if (i < w->n && (!strcmp(w->v[i], "image") || (buildx_ok && !strcmp(w->v[i], "buildx"))))
		i++;
	if (i < w->n && !strcmp(w->v[i], verb))
		return i + 1;
	return 0;
}

/* docker build / buildx build options that take a value as the next word
 * (those bench init does not read; the ones it reads are handled first). */
static const char *const valued[] = {
	"--add-host", "--allow", "--annotation", "--attest", "--build-context", "--builder",
	"--call", "--cgroup-parent", "--cpu-period", "--cpu-quota", "--cpu-shares", "-c",
	"--cpuset-cpus", "--cpuset-mems", "--iidfile", "--isolation", "--label", "--memory", "-m",
	"--memory-swap", "--metadata-file", "--network", "--platform", "--progress", "--secret",
	"--shm-size", "--ssh", "--ulimit", "--provenance", "--sbom", "--security-opt", NULL,
};

static bool takes_value(const char *opt)
{
	size_t i;
	for (i = 0; valued[i]; i++)
		if (!strcmp(valued[i], opt))
			return true;
	return false;
}

/* The value of option `name` (or its short form) at w[*i]: "--name=V",
 * "--name V", "-xV" or "-x V"; advances *i past a separate value. */
static const char *opt_value(const struct strvec *w, size_t *i, const char *name, const char *short_name)
{
	const char *a = w->v[*i];
	size_t l = strlen(name);

	if (!strncmp(a, name, l) && a[l] == '=')
		return a + l + 1;
	if (!strcmp(a, name) || (short_name && !strcmp(a, short_name)))
		return *i + 1 < w->n ? w->v[++*i] : "";
	if (short_name && !strncmp(a, short_name, 2) && a[2] && short_name[2] == 0)
		return a + 2;
	return NULL;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

bool runline_docker_build(struct wf_build *b, const struct strvec *w)
{
	size_t i = after_verb(w, "build", true);
	const char *v;
	bool buildx;

	if (!i)
		return false;
	buildx = false;
	for (size_t j = 0; j < i; j++)
		if (!strcmp(w->v[j], "buildx"))
			buildx = true;
	b->how = buildx ? "docker buildx build" : "docker build";
	for (; i < w->n; i++) {
		const char *a = w->v[i];
		if ((v = opt_value(w, &i, "--file", "-f")))
			set_str(&b->file, v);
		else if ((v = opt_value(w, &i, "--target", NULL)))
			set_str(&b->target, v);
		else if ((v = opt_value(w, &i, "--build-arg", NULL)))
			strvec_push(&b->build_args, v);
		else if ((v = opt_value(w, &i, "--cache-from", NULL)))
			strvec_push(&b->cache_from, v);
		else if ((v = opt_value(w, &i, "--cache-to", NULL)))
			strvec_push(&b->cache_to, v);
		else if ((v = opt_value(w, &i, "--tag", "-t")))
			strvec_push(&b->tags, v);
		else if ((v = opt_value(w, &i, "--output", "-o"))) {
			if (strstr(v, "type=registry") || strstr(v, "push=true"))
				b->push = true;
		} else if (!strcmp(a, "--push"))
			b->push = true;
		else if (a[0] == '-' && a[1] && takes_value(a))
			i++;
		else if (a[0] != '-' || !a[1])
			set_str(&b->context, a);
	}
	if (!b->context)
		b->context = xstrdup(".");
	return true;
}

const char *runline_docker_push(const struct strvec *w)
{
	size_t i = after_verb(w, "push", false);

	for (; i && i < w->n; i++)
		if (w->v[i][0] != '-')
			return w->v[i];
	return NULL;
}
