/*
 * init_write.c: the scenario bench init writes (init_int.h): a commented
 * header (what was read, the findings, what could not be carried over),
 * [scenario], [registry] when the workflow's tags name one, and the
 * variants: as-is, then the alternatives. Every part is parsed by the
 * scenario parser of this bench before it is written live; a part it does
 * not accept is written commented out, with what it needs and the parser's
 * own message, so the file always loads and shows what to switch on.
 */
#include <stdlib.h>
#include <string.h>

#include "init/init_int.h"
#include "lib/error.h"
#include "scenario/scenario.h"

/* A variant to write. */
struct vdef {
	const char *name;
	char *why;          /* the comment above it, without "; " */
	const char *cache;
	const char *mode;   /* NULL: not written */
	const char *scope;  /* cache_scope, NULL: the variant's name */
	bool push;
	const char *needs;  /* what it needs that this bench may not have, or NULL */
};

#define NEEDS_REGISTRY "a registry outside [world]: the [registry] section (ref = HOST[:PORT]/NAME, " \
		       "insecure = yes for plain HTTP; authentication from docker login)"
#define NEEDS_GHA "cache = gha outside [world], from a GitHub runner's environment " \
		  "(ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN)"

static void comment_wrapped(struct strbuf *sb, const char *indent, const char *text);

static void scenario_section(struct strbuf *sb, const struct init_plan *p)
{
	size_t i;

	strbuf_printf(sb, "[scenario]\nname = %s\nrepo = %s\n", p->name, p->repo_rel);
	strbuf_printf(sb, "commits = %s", p->commits);
	if (!strncmp(p->commits, "sample:", 7))
		strbuf_printf(sb, "   ; spread over the last %s first-parent commits of HEAD (%.7s)",
			      strchr(p->commits, ':') ? strrchr(p->commits, ':') + 1 : "", p->head);
	strbuf_printf(sb, "\ncontext = %s\nrepetitions = 1\ntimeout = 30m\nnetwork = host\n", p->context);
	if (p->build_args.n) {
		strbuf_puts(sb, "build_args =");
		for (i = 0; i < p->build_args.n; i++)
			strbuf_printf(sb, " %s", p->build_args.v[i]);
		strbuf_puts(sb, "\n");
	}
	for (i = 0; i < p->args_off.n; i++) {
		char *t = xasprintf("the workflow's build arg %s is left out: bench cannot evaluate it; add "
				    "KEY=VALUE to build_args", p->args_off.v[i]);
		comment_wrapped(sb, "", t);
		free(t);
	}
}

static void registry_section(struct strbuf *sb, const struct init_plan *p)
{
	strbuf_printf(sb, "[registry]\nref = %s\n", p->registry_ref);
	if (!strncmp(p->registry_ref, "localhost", 9) || !strncmp(p->registry_ref, "127.", 4))
		strbuf_puts(sb, "insecure = yes   ; a registry on this machine: plain HTTP\n");
}

static void variant_text(struct strbuf *sb, const struct init_plan *p, const struct vdef *v, bool push)
{
	strbuf_printf(sb, "[variant %s]\ndockerfile = repo:%s\ncache = %s\n", v->name, p->dockerfile, v->cache);
	if (v->mode)
		strbuf_printf(sb, "cache_mode = %s\n", v->mode);
	if (v->scope)
		strbuf_printf(sb, "cache_scope = %s\n", v->scope);
	if (p->target)
		strbuf_printf(sb, "target = %s\n", p->target);
	strbuf_printf(sb, "runner = %s\n", p->persistent ? "persistent" : "ephemeral");
	if (push)
		strbuf_puts(sb, "push = yes\n");
}

/* NULL when the scenario parser accepts text, else its first message
 * without the "path:line: " (caller frees). */
static char *probe(const struct init_plan *p, const char *text)
{
	struct scenario *s = NULL;
	char *msg = NULL;

	if (scenario_parse(&s, p->out_abs, text, strlen(text)) < 0) {
		const char *m = bench_error_last(), *c;
		size_t plen = strlen(p->out_abs);
		if (!strncmp(m, p->out_abs, plen) && m[plen] == ':' && (c = strstr(m + plen + 1, ": ")))
			m = c + 2;
		msg = xstrndup(m, strcspn(m, "\n"));
		if (!*msg) {
			free(msg);
			msg = xstrdup("the scenario parser refused it");
		}
	}
	scenario_free(s);
	bench_error_clear();
	return msg;
}

#define WRAP 96 /* the scenario parser refuses lines of more than 197 characters */

/* text as comment lines: "; " + indent, wrapped at spaces near WRAP
 * columns, continuation lines indented two more. */
static void comment_wrapped(struct strbuf *sb, const char *indent, const char *text)
{
	bool first = true;

	while (*text) {
		size_t l = strcspn(text, "\n"), cut = l, room = WRAP - strlen(indent) - (first ? 0 : 2);
		if (l > room) {
			for (cut = room; cut > room / 2 && text[cut] != ' '; cut--)
				;
			if (text[cut] != ' ')
				cut = room;
		}
		strbuf_printf(sb, ";%s%s%s%.*s\n", *indent || !first ? " " : (cut ? " " : ""), indent,
			      first ? "" : "  ", (int)cut, text);
		text += cut;
		if (*text == ' ' && cut < l) {
			text++;
			first = false;
		} else {
			if (*text == '\n')
				text++;
			first = true;
		}
	}
}

/* Every line of text, prefixed with "; " (wrapped when long). */
static void commented(struct strbuf *sb, const char *text)
{
	comment_wrapped(sb, "", text);
}

static void say(struct strbuf *sb, const char *err)
{
	char *t = xasprintf("this bench says: %s", err);
	comment_wrapped(sb, "  ", t);
	free(t);
}

/* The lines above a part written commented out. */
static void off(struct strbuf *sb, const char *needs, const char *err)
{
	char *t = xasprintf("OFF: needs %s", needs);
	comment_wrapped(sb, "", t);
	say(sb, err);
	free(t);
}

static bool gha_env_missing(void)
{
	return !getenv("ACTIONS_RESULTS_URL") || !getenv("ACTIONS_RUNTIME_TOKEN");
}

/* Write v live when it loads (without push = yes when only that is
 * refused), else commented out with what it needs. */
static void write_variant(struct strbuf *sb, struct init_result *res, const struct init_plan *p,
			  const char *head, const struct vdef *v)
{
	struct strbuf t = {0}, probe_text = {0};
	char *err, *err2 = NULL;
	bool registry_cache = !strcmp(v->cache, "registry") || !strcmp(v->cache, "inline");

	strbuf_puts(sb, "\n");
	commented(sb, v->why);
	variant_text(&t, p, v, v->push);
	strbuf_printf(&probe_text, "%s%s", head, t.buf);
	err = probe(p, probe_text.buf);
	if (!err && registry_cache && !p->registry_ref)
		err = xasprintf("no [registry] ref: %s", p->registry_said);
	if (!err && !strcmp(v->cache, "gha") && gha_env_missing())
		err = xstrdup("ACTIONS_RESULTS_URL or ACTIONS_RUNTIME_TOKEN is not set here: uncomment it on a "
			      "GitHub runner (bench run in a workflow job)");
	if (err && v->push && !registry_cache) {
		strbuf_reset(&t);
		variant_text(&t, p, v, false);
		strbuf_reset(&probe_text);
		strbuf_printf(&probe_text, "%s%s", head, t.buf);
		err2 = probe(p, probe_text.buf);
		if (!err2 && !strcmp(v->cache, "gha") && gha_env_missing())
			err2 = xstrdup("gha");
	}
	if (err && v->push && !registry_cache && !err2) {
		/* live, without the push this bench cannot make */
		strbuf_puts(sb, t.buf);
		strbuf_puts(sb, "; push = yes\n");
		comment_wrapped(sb, "", "^ the workflow pushes: needs " NEEDS_REGISTRY);
		say(sb, err);
		strvec_pushf(&res->live, "%s (without push)", v->name);
	} else if (err) {
		strbuf_reset(&t);
		variant_text(&t, p, v, v->push);
		off(sb, v->needs ? v->needs : "a change to this scenario", err);
		commented(sb, t.buf);
		strvec_push(&res->off, v->name);
	} else {
		strbuf_puts(sb, t.buf);
		strvec_push(&res->live, v->name);
	}
	free(err);
	free(err2);
	strbuf_release(&t);
	strbuf_release(&probe_text);
}

static const char *needs_of(const char *cache, bool push)
{
	if (!strcmp(cache, "registry") || !strcmp(cache, "inline"))
		return NEEDS_REGISTRY;
	if (!strcmp(cache, "gha"))
		return NEEDS_GHA;
	return push ? NEEDS_REGISTRY : NULL;
}

static void header(struct strbuf *sb, struct init_result *res, const struct init_plan *p)
{
	size_t i;
	char *t;

	strbuf_printf(sb, "; %s: written by `bench init` from the repository at %s (HEAD %s).\n"
		      "; Check it, then: bench run --dry-run THIS_FILE; bench run THIS_FILE\n;\n",
		      p->name, p->repo_rel, p->head);
	strbuf_puts(sb, "; read:\n");
	for (i = 0; i < p->read.n; i++)
		comment_wrapped(sb, "  ", p->read.v[i]);
	if (!p->read.n)
		strbuf_puts(sb, ";   no workflow under .github/workflows\n");
	t = xasprintf("%s%s", p->dockerfile, p->dockerfile_found ? "" : " (not in the repository at HEAD)");
	comment_wrapped(sb, "  ", t);
	free(t);
	for (i = 0; i < p->builds.n; i++) {
		const struct wf_build *b = &p->builds.v[i];
		char *t = xasprintf("%s %s:%d (job %s, %s): file %s, context %s",
				    b == p->primary ? "as-is replays" : "not replayed:", b->workflow, b->line, b->job,
				    b->how, b->file ? b->file : "CONTEXT/Dockerfile", b->context);
		comment_wrapped(sb, "", t);
		free(t);
	}
	if (res->findings.n) {
		strbuf_puts(sb, ";\n; findings (from reading the Dockerfile; the run measures what they cost):\n");
		for (i = 0; i < res->findings.n; i++) {
			const struct finding *f = &res->findings.v[i];
			char *t = xasprintf("%s:%d: %s [%s]", f->file, f->line, f->message, f->rule);
			comment_wrapped(sb, "  ", t);
			free(t);
		}
	}
	if (res->notes.n) {
		strbuf_puts(sb, ";\n; notes:\n");
		for (i = 0; i < res->notes.n; i++)
			comment_wrapped(sb, "  ", res->notes.v[i]);
	}
	strbuf_puts(sb, "\n");
}

static bool same(const struct vdef *a, const struct vdef *b)
{
	return !strcmp(a->cache, b->cache) && !strcmp(a->mode ? a->mode : "max", b->mode ? b->mode : "max");
}

int init_write(struct init_result *res, const struct init_plan *p)
{
	struct strbuf sb = {0}, head = {0}, reg = {0};
	struct vdef asis = {0}, alts[5];
	char *err = NULL;
	size_t i, nalts = 0;
	int error = 0;

	scenario_section(&head, p);
	header(&sb, res, p);
	strbuf_puts(&sb, head.buf);

	/* [registry]: live when this bench has it */
	if (p->registry_ref) {
		struct strbuf pt = {0};
		char *t;
		registry_section(&reg, p);
		strbuf_printf(&pt, "%s%s[variant probe]\ndockerfile = repo:%s\n", head.buf, reg.buf, p->dockerfile);
		err = probe(p, pt.buf);
		strbuf_release(&pt);
		t = xasprintf("where the image is pushed and registry caches are kept (%s)", p->registry_said);
		strbuf_puts(&sb, "\n");
		commented(&sb, t);
		free(t);
		if (err) {
			off(&sb, NEEDS_REGISTRY, err);
			commented(&sb, reg.buf);
			strbuf_reset(&reg);
		} else {
			strbuf_puts(&sb, reg.buf);
			strbuf_puts(&head, reg.buf);
		}
		free(err);
	} else {
		char *t = xasprintf("no [registry] ref: %s. Registry variants need one:", p->registry_said);
		strbuf_puts(&sb, "\n");
		commented(&sb, t);
		strbuf_puts(&sb, "; [registry]\n; ref = HOST[:PORT]/NAME\n");
		free(t);
	}

	asis.name = "as-is";
	asis.cache = p->cache;
	asis.mode = strcmp(p->cache, "none") ? p->cache_mode : NULL;
	asis.scope = p->cache_scope;
	asis.push = p->push;
	asis.needs = needs_of(p->cache, p->push);
	asis.why = p->primary ? xasprintf("the workflow's own set-up, %s:%d (%s): %s%s%s", p->primary->workflow,
					  p->primary->line, p->primary->how, p->cache_said, p->push ? ", push" : "",
					  p->persistent ? ", self-hosted runner" : "")
			      : xstrdup("the Dockerfile as it is, no cache (no workflow builds it)");
	write_variant(&sb, res, p, head.buf, &asis);

	alts[nalts++] = (struct vdef){"no-cache", xstrdup("no cache: every build from scratch on a fresh runner"),
				      "none", NULL, NULL, p->push, NULL};
	alts[nalts++] = (struct vdef){"local", xstrdup("a local cache folder kept between runs by actions/cache "
						       "(type=local, mode=max)"), "local", "max", NULL, p->push, NULL};
	alts[nalts++] = (struct vdef){"gha", xstrdup("BuildKit's GitHub Actions cache (type=gha, mode=max)"),
				      "gha", "max", NULL, p->push, NEEDS_GHA};
	alts[nalts++] = (struct vdef){"registry", xstrdup("a cache image in the registry beside the pushed one "
							  "(type=registry, mode=max)"), "registry", "max", NULL,
				      p->push, NEEDS_REGISTRY};
	if (p->push)
		alts[nalts++] = (struct vdef){"inline", xstrdup("the cache inside the pushed image (type=inline, "
								"min only; the workflow pushes)"), "inline", NULL, NULL,
					      true, NEEDS_REGISTRY};
	for (i = 0; i < nalts; i++) {
		if (same(&alts[i], &asis))
			strbuf_printf(&sb, "\n; (%s: the same as as-is)\n", alts[i].name);
		else
			write_variant(&sb, res, p, head.buf, &alts[i]);
		free(alts[i].why);
	}
	free(asis.why);

	res->scenario = strbuf_detach(&sb);
	if ((err = probe(p, res->scenario)))
		error = bench_error_set(BENCH_ERROR, "bench init wrote a scenario this bench does not load: %s", err);
	free(err);
	strbuf_release(&head);
	strbuf_release(&reg);
	return error;
}
