/*
 * init.c: `bench init`'s reading and deciding (init.h): the repository at
 * HEAD through libgit2 (its workflows, its Dockerfile, its .dockerignore,
 * the length of its history), the build the as-is variant replays and how
 * the workflow caches and pushes it. init_write.c writes the scenario.
 */
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "init/init_int.h"
#include "lib/error.h"

#define HISTORY_MAX 1000 /* first-parent commits counted */
#define SAMPLE_RANGE 30  /* commits = sample:SAMPLE_N last:SAMPLE_RANGE */
#define SAMPLE_N 6

static int git_fail(const char *what, const char *path)
{
	const git_error *e = git_error_last();
	return bench_error_set(BENCH_ERROR, "%s '%s': %s", what, path, e && e->message ? e->message : "libgit2 error");
}

/* The blob at path in tree, NUL-terminated (caller frees), or NULL. */
static char *read_blob(git_repository *repo, git_tree *tree, const char *path, size_t *len)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	char *text = NULL;

	if (git_tree_entry_bypath(&e, tree, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&b, repo, git_tree_entry_id(e)) == 0) {
		size_t n = (size_t)git_blob_rawsize(b);
		text = xmalloc(n + 1);
		memcpy(text, git_blob_rawcontent(b), n);
		text[n] = 0;
		if (len)
			*len = n;
	}
	git_blob_free(b);
	git_tree_entry_free(e);
	git_error_clear();
	return text;
}

static bool has_blob(git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	bool ok = git_tree_entry_bypath(&e, tree, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_BLOB;
	git_tree_entry_free(e);
	git_error_clear();
	return ok;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* Every .yml and .yaml file of .github/workflows at HEAD, in name order. */
static int read_workflows(struct init_plan *p, git_repository *repo, git_tree *tree)
{
	git_tree_entry *dir = NULL;
	git_tree *wf = NULL;
	size_t i;
	int error = 0;

	if (git_tree_entry_bypath(&dir, tree, ".github/workflows") < 0 ||
	    git_tree_entry_type(dir) != GIT_OBJECT_TREE || git_tree_lookup(&wf, repo, git_tree_entry_id(dir)) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(wf) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(wf, i);
		const char *n = git_tree_entry_name(e);
		char *path, *text;
		size_t len = 0, before = p->builds.n;

		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || !(ends_with(n, ".yml") || ends_with(n, ".yaml")))
			continue;
		path = xasprintf(".github/workflows/%s", n);
		if ((text = read_blob(repo, tree, path, &len)))
			error = workflow_read(&p->builds, path, text, len);
		if (!error)
			strvec_pushf(&p->read, "%s (%zu image build%s)", path, p->builds.n - before,
				     p->builds.n - before == 1 ? "" : "s");
		free(text);
		free(path);
	}
done:
	git_tree_free(wf);
	git_tree_entry_free(dir);
	git_error_clear();
	return error;
}

/* path without "./" segments and trailing '/'; "" becomes ".". Caller frees. */
static char *clean_path(const char *path)
{
	struct strbuf sb = {0};
	const char *s = path;

	while (*s) {
		size_t l = strcspn(s, "/");
		if (l && !(l == 1 && s[0] == '.'))
			strbuf_printf(&sb, "%s%.*s", sb.len ? "/" : "", (int)l, s);
		s += l + (s[l] == '/');
	}
	return sb.len ? strbuf_detach(&sb) : (strbuf_release(&sb), xstrdup("."));
}

static bool is_expression(const char *s)
{
	return strchr(s, '$') != NULL;
}

/* The first Dockerfile of the tree (breadth first: the root's wins), or NULL. */
static char *find_dockerfile(git_repository *repo, git_tree *tree, const char *prefix, int depth)
{
	size_t i;
	char *found = NULL;

	for (i = 0; i < git_tree_entrycount(tree) && !found; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *n = git_tree_entry_name(e);
		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && (!strcmp(n, "Dockerfile") || ends_with(n, ".Dockerfile")))
			found = *prefix ? xasprintf("%s/%s", prefix, n) : xstrdup(n);
	}
	for (i = 0; depth < 3 && i < git_tree_entrycount(tree) && !found; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_tree *sub = NULL;
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE || git_tree_entry_name(e)[0] == '.' ||
		    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
			continue;
		char *pre = *prefix ? xasprintf("%s/%s", prefix, git_tree_entry_name(e)) : xstrdup(git_tree_entry_name(e));
		found = find_dockerfile(repo, sub, pre, depth + 1);
		free(pre);
		git_tree_free(sub);
	}
	return found;
}

/* The value of KEY= in a cache spec "type=gha,mode=max,scope=x", or NULL. Caller frees. */
static char *spec_get(const char *spec, const char *key)
{
	size_t kl = strlen(key);
	const char *s = spec;

	while (*s) {
		size_t l = strcspn(s, ",");
		if (l > kl && !strncmp(s, key, kl) && s[kl] == '=')
			return xstrndup(s + kl + 1, l - kl - 1);
		s += l + (s[l] == ',');
	}
	return NULL;
}

/* The bench cache kind of a spec: "type=X" or a bare image ref (registry). */
static const char *spec_kind(const char *spec)
{
	char *t = strchr(spec, '=') ? spec_get(spec, "type") : xstrdup("registry");
	const char *k = NULL;

	if (t && (!strcmp(t, "gha") || !strcmp(t, "local") || !strcmp(t, "registry") || !strcmp(t, "inline")))
		k = !strcmp(t, "gha") ? "gha" : !strcmp(t, "local") ? "local" : !strcmp(t, "registry") ? "registry" : "inline";
	free(t);
	return k;
}

static bool scope_ok(const char *v)
{
	const char *c;
	for (c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("._-", *c)))
			return false;
	return *v && strcmp(v, ".") && strcmp(v, "..");
}

/* How the primary build caches: the cache-to's type (else the cache-from's),
 * its mode (BuildKit's default, min, when the workflow gives none). */
static void decide_cache(struct init_plan *p, struct init_result *res)
{
	const struct wf_build *b = p->primary;
	struct strbuf said = {0};
	const char *spec = NULL;
	size_t i;

	p->cache = "none";
	for (i = 0; i < b->cache_from.n; i++)
		strbuf_printf(&said, "%scache-from %s", said.len ? ", " : "", b->cache_from.v[i]);
	for (i = 0; i < b->cache_to.n; i++)
		strbuf_printf(&said, "%scache-to %s", said.len ? ", " : "", b->cache_to.v[i]);
	for (i = 0; i < b->build_args.n; i++)
		if (!strcmp(b->build_args.v[i], "BUILDKIT_INLINE_CACHE=1"))
			p->cache = "inline";
	spec = b->cache_to.n ? b->cache_to.v[0] : b->cache_from.n ? b->cache_from.v[0] : NULL;
	if (spec) {
		const char *k = spec_kind(spec);
		if (!k) {
			strvec_pushf(&res->notes, "%s:%d: the cache '%s' is not one bench builds with (none, local, "
				     "registry, gha, inline): the as-is variant has no cache", b->workflow, b->line, spec);
		} else {
			char *mode = b->cache_to.n ? spec_get(b->cache_to.v[0], "mode") : NULL;
			char *scope = spec_get(spec, "scope");
			p->cache = k;
			if (!strcmp(k, "inline"))
				p->cache_mode = xstrdup("min");
			else
				p->cache_mode = xstrdup(mode && !strcmp(mode, "max") ? "max" : "min");
			if (!strcmp(k, "gha") && scope && scope_ok(scope))
				p->cache_scope = xstrdup(scope);
			if (!b->cache_to.n)
				strvec_pushf(&res->notes, "%s:%d: the workflow imports a cache (%s) but exports none; "
					     "as-is exports it too, as bench's cache = %s does", b->workflow, b->line, spec, k);
			free(mode);
			free(scope);
		}
	}
	if (!strcmp(p->cache, "inline") && !p->cache_mode)
		p->cache_mode = xstrdup("min");
	p->cache_said = said.len ? strbuf_detach(&said) : (strbuf_release(&said), xstrdup("no cache flags"));
}

/* [registry] ref from the first tag: HOST[:PORT]/NAME when its first part
 * names a registry host (a '.' or ':' in it, or localhost); docker.io/USER/NAME
 * for a pushed USER/NAME; none for a local name (app:dev). */
static void decide_registry(struct init_plan *p)
{
	const char *tag = p->primary && p->primary->tags.n ? p->primary->tags.v[0] : NULL;
	char *ref, *slash, *colon, *at;

	if (!tag) {
		p->registry_said = xstrdup("the workflow tags no image");
		return;
	}
	ref = xstrdup(tag);
	if ((at = strchr(ref, '@')))
		*at = 0;
	slash = strrchr(ref, '/');
	colon = strrchr(ref, ':');
	if (colon && (!slash || colon > slash))
		*colon = 0;
	if (is_expression(ref)) {
		p->registry_said = xasprintf("the tag '%s' holds an expression bench cannot evaluate", tag);
		free(ref);
		return;
	}
	slash = strchr(ref, '/');
	if (slash && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
		      !strncmp(ref, "localhost/", 10))) {
		p->registry_ref = ref;
		p->registry_said = xasprintf("from the tag %s", tag);
	} else if (slash && p->primary->push) { /* user/app, pushed: Docker Hub */
		p->registry_ref = xasprintf("docker.io/%s", ref);
		p->registry_said = xasprintf("from the tag %s (Docker Hub)", tag);
		free(ref);
	} else {
		p->registry_said = xasprintf("the tag %s names no registry", tag);
		free(ref);
	}
}

static void decide_build_args(struct init_plan *p)
{
	size_t i;
	for (i = 0; p->primary && i < p->primary->build_args.n; i++) {
		const char *a = p->primary->build_args.v[i];
		const char *eq = strchr(a, '=');
		if (!strcmp(a, "BUILDKIT_INLINE_CACHE=1"))
			continue;
		if (!eq || eq == a || is_expression(a) || strpbrk(a, " \t;"))
			strvec_push(&p->args_off, a);
		else
			strvec_push(&p->build_args, a);
	}
}

/* The scenario's name: the repository folder's, in name characters. */
static char *repo_name(const char *abs)
{
	const char *base = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
	char *n = xstrdup(*base ? base : "repo"), *c;

	if (ends_with(n, ".git") && strlen(n) > 4)
		n[strlen(n) - 4] = 0;
	for (c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("._-", *c)))
			*c = '-';
	return n;
}

/* to, relative to the folder from (both absolute and clean). Caller frees. */
static char *relative_to(const char *from, const char *to)
{
	struct strbuf sb = {0};
	size_t i = 0, common = 0;
	const char *s;

	while (from[i] && from[i] == to[i]) {
		if (from[i] == '/')
			common = i;
		i++;
	}
	if (!from[i] && (to[i] == '/' || !to[i]))
		common = i;
	else if (!to[i] && from[i] == '/')
		common = i;
	if (!common) { /* nothing in common but the root: the absolute path reads better */
		strbuf_release(&sb);
		return xstrdup(to);
	}
	for (s = from + common; *s; s++)
		if (*s == '/')
			strbuf_puts(&sb, sb.len ? "/.." : "..");
	if (to[common] == '/')
		strbuf_printf(&sb, "%s%s", sb.len ? "/" : "", to + common + 1);
	return sb.len ? strbuf_detach(&sb) : (strbuf_release(&sb), xstrdup("."));
}

/* First-parent commits from HEAD, at most HISTORY_MAX. */
static size_t count_history(git_repository *repo)
{
	git_revwalk *w = NULL;
	git_oid oid;
	size_t n = 0;

	if (git_revwalk_new(&w, repo) == 0 && git_revwalk_push_head(w) == 0) {
		git_revwalk_simplify_first_parent(w);
		while (n < HISTORY_MAX && git_revwalk_next(&oid, w) == 0)
			n++;
	}
	git_revwalk_free(w);
	git_error_clear();
	return n;
}

/* The build the as-is variant replays: the first whose Dockerfile is in the tree. */
static void pick_primary(struct init_plan *p, git_tree *tree)
{
	size_t i;

	for (i = 0; i < p->builds.n && !p->primary; i++) {
		const struct wf_build *b = &p->builds.v[i];
		char *path = b->file ? clean_path(b->file) : xasprintf("%s/Dockerfile", b->context);
		char *clean = clean_path(path);
		if (!is_expression(clean) && has_blob(tree, clean))
			p->primary = b;
		free(clean);
		free(path);
	}
	if (!p->primary && p->builds.n)
		p->primary = &p->builds.v[0];
}

static int decide(struct init_plan *p, struct init_result *res, git_repository *repo, git_tree *tree)
{
	const struct wf_build *b;
	char *text, *ignore;

	pick_primary(p, tree);
	if ((b = p->primary)) {
		char *df = b->file ? xstrdup(b->file) : xasprintf("%s/Dockerfile", b->context);
		p->context = clean_path(b->context);
		if (is_expression(p->context) || strstr(p->context, "://") || !strncmp(p->context, "..", 2)) {
			strvec_pushf(&res->notes, "%s:%d: the context '%s' is not a folder of the repository: "
				     "the scenario uses its root", b->workflow, b->line, b->context);
			free(p->context);
			p->context = xstrdup(".");
		}
		p->dockerfile = clean_path(df);
		free(df);
		if (is_expression(p->dockerfile)) {
			strvec_pushf(&res->notes, "%s:%d: the Dockerfile '%s' holds an expression: the scenario "
				     "uses Dockerfile", b->workflow, b->line, p->dockerfile);
			free(p->dockerfile);
			p->dockerfile = xstrdup("Dockerfile");
		}
		if (b->target && !is_expression(b->target))
			p->target = xstrdup(b->target);
		p->push = b->push;
		p->persistent = b->self_hosted;
		decide_cache(p, res);
		decide_registry(p);
		decide_build_args(p);
	} else {
		p->dockerfile = find_dockerfile(repo, tree, "", 0);
		if (!p->dockerfile)
			return bench_error_set(BENCH_EINVALID, "no Dockerfile in the repository at HEAD, and no "
					       "workflow under .github/workflows builds an image");
		p->context = xstrdup(".");
		p->cache = "none";
		p->cache_said = xstrdup("no workflow builds it");
		decide_registry(p);
	}
	text = read_blob(repo, tree, p->dockerfile, NULL);
	p->dockerfile_found = text != NULL;
	if (!text) {
		char *where = b ? xasprintf(", yet %s:%d builds it", b->workflow, b->line) : xstrdup("");
		strvec_pushf(&res->notes, "%s is not in the repository at HEAD%s: the variants cannot build "
			     "until it is committed (or set their dockerfile to a file of yours)", p->dockerfile, where);
		free(where);
	} else {
		char *own = xasprintf("%s.dockerignore", p->dockerfile); /* BuildKit's per-Dockerfile ignore */
		ignore = strcmp(p->context, ".") ? xasprintf("%s/.dockerignore", p->context) : xstrdup(".dockerignore");
		findings_dockerfile(&res->findings, p->dockerfile, text, has_blob(tree, ignore) || has_blob(tree, own),
				    ignore);
		free(own);
		free(ignore);
	}
	free(text);
	return 0;
}

static int by_line(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int init_scenario(struct init_result *res, const struct init_options *o)
{
	struct init_plan p = {0};
	const char *repo_path = o->repo ? o->repo : ".";
	git_repository *repo = NULL;
	git_object *head = NULL;
	git_tree *tree = NULL;
	char *repo_abs = NULL, *out_dir = NULL;
	int error = 0;

	memset(res, 0, sizeof(*res));
	git_libgit2_init();
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		error = bench_error_set(BENCH_ENOTFOUND, "'%s' is not a git repository", repo_path);
		goto done;
	}
	if (git_revparse_single(&head, repo, "HEAD^{commit}") < 0) {
		error = bench_error_set(BENCH_EINVALID, "'%s' has no commit yet: commit the Dockerfile and the "
					"workflows first (bench replays commits)", repo_path);
		goto done;
	}
	if (git_commit_tree(&tree, (git_commit *)head) < 0) {
		error = git_fail("cannot read HEAD's tree in", repo_path);
		goto done;
	}
	git_oid_tostr(p.head, sizeof(p.head), git_object_id(head));
	if ((error = read_workflows(&p, repo, tree)) < 0 || (error = decide(&p, res, repo, tree)) < 0)
		goto done;

	if (res->findings.n)
		qsort(res->findings.v, res->findings.n, sizeof(*res->findings.v), by_line);
	p.history = count_history(repo);
	if (p.history >= 2 * SAMPLE_N)
		p.commits = xasprintf("sample:%d last:%zu", SAMPLE_N, p.history < SAMPLE_RANGE ? p.history : SAMPLE_RANGE);
	else
		p.commits = xasprintf("last:%zu", p.history ? p.history : 1);
	repo_abs = path_absolute(git_repository_workdir(repo) ? git_repository_workdir(repo) : git_repository_path(repo));
	p.out_abs = path_absolute(o->out ? o->out : "bench.ini");
	out_dir = path_dirname(p.out_abs);
	p.repo_rel = relative_to(out_dir, repo_abs);
	p.name = repo_name(repo_abs);
	error = init_write(res, &p);
done:
	free(repo_abs);
	free(out_dir);
	free(p.out_abs);
	free(p.repo_rel);
	free(p.name);
	free(p.commits);
	strvec_release(&p.read);
	wf_builds_release(&p.builds);
	free(p.dockerfile);
	free(p.context);
	free(p.target);
	strvec_release(&p.build_args);
	strvec_release(&p.args_off);
	free(p.cache_mode);
	free(p.cache_scope);
	free(p.cache_said);
	free(p.registry_ref);
	free(p.registry_said);
	git_tree_free(tree);
	git_object_free(head);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return error;
}

void init_result_release(struct init_result *res)
{
	free(res->scenario);
	findings_release(&res->findings);
	strvec_release(&res->notes);
	strvec_release(&res->live);
	strvec_release(&res->off);
	memset(res, 0, sizeof(*res));
}
