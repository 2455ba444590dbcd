/*
 * workflow.c: the image builds of one GitHub Actions workflow file, read
 * with libyaml's document loader (workflow.h). Walks jobs.*.steps[*]:
 * `uses: docker/build-push-action@*` steps give their `with:`, `run:` steps
 * give their docker build command lines (runline.c), and a `docker push`
 * of a job marks that job's earlier builds as pushing.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "init/workflow.h"
#include "lib/error.h"

/* The loaded document and what the walk needs from it. */
struct walk {
	yaml_document_t *doc;
	const char *name;
	struct wf_builds *out;
};

static yaml_node_t *node(struct walk *w, int id)
{
	return id ? yaml_document_get_node(w->doc, id) : NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of `key` in mapping m, or NULL. */
static yaml_node_t *get(struct walk *w, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;

	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(w, p->key));
		if (k && !strcmp(k, key))
			return node(w, p->value);
	}
	return NULL;
}

static const char *get_str(struct walk *w, yaml_node_t *m, const char *key)
{
	return scalar(get(w, m, key));
}

/* The env: maps in force for a step, innermost first. */
struct envs {
	yaml_node_t *m[3];
};

/* The plain value of NAME in the env maps (NULL when unset or an expression). */
static const char *env_lookup(struct walk *w, const struct envs *e, const char *name, size_t len)
{
	char *key = xstrndup(name, len);
	const char *v = NULL;
	int i;

	for (i = 0; i < 3 && !v; i++)
		v = get_str(w, e->m[i], key);
	free(key);
	return v && !strstr(v, "${{") ? v : NULL;
}

/* s with `${{ env.NAME }}` and (for run lines, shell) `$NAME` / `${NAME}`
 * replaced from the env maps where they hold plain strings. Caller frees. */
static char *expand(struct walk *w, const struct envs *e, const char *s, bool shell)
{
	struct strbuf sb = {0};
	const char *v;

	while (*s) {
		if (!strncmp(s, "${{", 3)) {
			const char *end = strstr(s, "}}");
			const char *p = s + 3;
			while (*p == ' ')
				p++;
			if (end && !strncmp(p, "env.", 4)) {
				const char *n = p + 4, *q = n;
				while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
				       (*q >= '0' && *q <= '9') || *q == '_')
					q++;
				if ((v = env_lookup(w, e, n, (size_t)(q - n)))) {
					strbuf_puts(&sb, v);
					s = end + 2;
					continue;
				}
			}
			if (end) {
				strbuf_add(&sb, s, (size_t)(end + 2 - s));
				s = end + 2;
				continue;
			}
		}
		if (shell && *s == '$' && s[1] != '{' && s[1] != '(') {
			const char *n = s + 1, *q = n;
			while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
			       *q == '_')
				q++;
			if (q > n && (v = env_lookup(w, e, n, (size_t)(q - n)))) {
				strbuf_puts(&sb, v);
				s = q;
				continue;
			}
		} else if (shell && s[0] == '$' && s[1] == '{' && s[2] != '{') {
			const char *n = s + 2, *q = strchr(n, '}');
			if (q && (v = env_lookup(w, e, n, (size_t)(q - n)))) {
				strbuf_puts(&sb, v);
				s = q + 1;
				continue;
			}
		}
		strbuf_add(&sb, s++, 1);
	}
	return strbuf_detach(&sb);
}

/* A `with:` list (build-args, cache-from, tags): one item per line, or
 * comma-separated for tags. */
static void push_list(struct strvec *out, const char *v, bool commas)
{
	const char *s = v;

	while (s && *s) {
		size_t l = strcspn(s, commas ? "\n," : "\n");
		const char *a = s, *b = s + l;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a && *a != '#')
			strvec_pushf(out, "%.*s", (int)(b - a), a);
		s += l + (s[l] != 0);
	}
}

static void add_build(struct walk *w, struct wf_build *b, const char *job, int line, bool self_hosted)
{
	b->workflow = xstrdup(w->name);
	b->job = xstrdup(job);
	b->line = line;
	b->self_hosted = self_hosted;
	w->out->v = xrealloc(w->out->v, (w->out->n + 1) * sizeof(*w->out->v));
	w->out->v[w->out->n++] = *b;
}

static bool truthy(const char *v)
{
	/* an expression (push: ${{ github.event_name != 'pull_request' }}) pushes on the
	 * default branch, which is what bench replays */
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "True") || strstr(v, "${{"));
}

static void build_push_action(struct walk *w, yaml_node_t *with, const struct envs *e, const char *job,
			      int line, bool self_hosted)
{
	struct wf_build b = {0};
	static const char *const lists[] = {"build-args", "cache-from", "cache-to", "tags"};
	struct strvec *dst[] = {&b.build_args, &b.cache_from, &b.cache_to, &b.tags};
	const char *v;
	size_t i;

	b.how = "docker/build-push-action";
	v = get_str(w, with, "context");
	b.context = v ? expand(w, e, v, false) : xstrdup(".");
	if ((v = get_str(w, with, "file")))
		b.file = expand(w, e, v, false);
	if ((v = get_str(w, with, "target")))
		b.target = expand(w, e, v, false);
	for (i = 0; i < 4; i++) {
		yaml_node_t *n = get(w, with, lists[i]);
		if (n && n->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;
			for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
				if (scalar(node(w, *it)))
					push_list(dst[i], scalar(node(w, *it)), false);
		} else if ((v = scalar(n))) {
			char *x = expand(w, e, v, false);
			push_list(dst[i], x, i == 3);
			free(x);
		}
	}
	for (i = 0; i < b.tags.n; i++) {
		char *x = expand(w, e, b.tags.v[i], false);
		free(b.tags.v[i]);
		b.tags.v[i] = x;
	}
	b.push = truthy(get_str(w, with, "push"));
	if ((v = get_str(w, with, "outputs")) && (strstr(v, "type=registry") || strstr(v, "push=true")))
		b.push = true;
	add_build(w, &b, job, line, self_hosted);
}

static void run_step(struct walk *w, const char *script, const struct envs *e, const char *job, int line,
		     bool self_hosted, size_t job_first)
{
	char *x = expand(w, e, script, true);
	struct strvec *cmds;
	size_t n, i, j;

	runline_commands(&cmds, &n, x);
	for (i = 0; i < n; i++) {
		struct wf_build b = {0};
		if (runline_docker_build(&b, &cmds[i])) {
			for (j = 0; j < b.tags.n; j++) {
				char *t = expand(w, e, b.tags.v[j], true);
				free(b.tags.v[j]);
				b.tags.v[j] = t;
			}
			add_build(w, &b, job, line, self_hosted);
		} else if (runline_docker_push(&cmds[i])) {
			for (j = job_first; j < w->out->n; j++) /* the job's builds so far push */
				w->out->v[j].push = true;
		}
	}
	runline_commands_free(cmds, n);
	free(x);
}

static bool runs_self_hosted(struct walk *w, yaml_node_t *runs_on)
{
	yaml_node_item_t *it;
	const char *v;

	if ((v = scalar(runs_on)))
		return strstr(v, "self-hosted") != NULL;
	if (runs_on && runs_on->type == YAML_SEQUENCE_NODE)
		for (it = runs_on->data.sequence.items.start; it < runs_on->data.sequence.items.top; it++)
			if ((v = scalar(node(w, *it))) && strstr(v, "self-hosted"))
				return true;
	return false;
}

static void walk_job(struct walk *w, const char *job, yaml_node_t *j, yaml_node_t *wf_env)
{
	yaml_node_t *steps = get(w, j, "steps");
	bool self_hosted = runs_self_hosted(w, get(w, j, "runs-on"));
	size_t first = w->out->n;
	yaml_node_item_t *it;

	if (!steps || steps->type != YAML_SEQUENCE_NODE)
		return;
	for (it = steps->data.sequence.items.start; it < steps->data.sequence.items.top; it++) {
		yaml_node_t *s = node(w, *it);
		struct envs e = {{get(w, s, "env"), get(w, j, "env"), wf_env}};
		const char *uses = get_str(w, s, "uses"), *run = get_str(w, s, "run");
		int line = s ? (int)s->start_mark.line + 1 : 0;

		if (uses && !strncmp(uses, "docker/build-push-action@", 25))
			build_push_action(w, get(w, s, "with"), &e, job, line, self_hosted);
		else if (run)
			run_step(w, run, &e, job, line, self_hosted, first);
	}
}

int workflow_read(struct wf_builds *out, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct wf_builds got = {0};
	struct walk w = {&doc, name, &got};
	yaml_node_t *root, *jobs;
	yaml_node_pair_t *p;
	int error = 0;

	if (!yaml_parser_initialize(&parser))
		return bench_error_set(BENCH_ERROR, "%s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		/* "while scanning a quoted scalar": the line where it started, not the
		 * end of the file where the problem showed */
		size_t line = (parser.context ? parser.context_mark.line : parser.problem_mark.line) + 1;
		error = bench_error_set(BENCH_EINVALID, "%s:%zu: invalid YAML: %s%s%s", name, line,
					parser.problem ? parser.problem : "malformed document",
					parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return error;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	if (!root) /* an empty file */
		goto done;
	if (root->type != YAML_MAPPING_NODE) {
		error = bench_error_set(BENCH_EINVALID, "%s:%zu: not a workflow: the top level must be a "
					"mapping (name:, on:, jobs:)", name, root->start_mark.line + 1);
		goto done;
	}
	jobs = get(&w, root, "jobs");
	if (jobs && jobs->type == YAML_MAPPING_NODE)
		for (p = jobs->data.mapping.pairs.start; p < jobs->data.mapping.pairs.top; p++) {
			const char *id = scalar(node(&w, p->key));
			if (id)
				walk_job(&w, id, node(&w, p->value), get(&w, root, "env"));
		}
done:
	yaml_document_delete(&doc);
	if (error) {
		wf_builds_release(&got);
		return error;
	}
	out->v = xrealloc(out->v, (out->n + got.n + 1) * sizeof(*out->v));
	if (got.n)
		memcpy(out->v + out->n, got.v, got.n * sizeof(*got.v));
	out->n += got.n;
	free(got.v);
	return 0;
}

static void build_release(struct wf_build *b)
{
	free(b->workflow);
	free(b->job);
	free(b->context);
	free(b->file);
	free(b->target);
	strvec_release(&b->build_args);
	strvec_release(&b->cache_from);
	strvec_release(&b->cache_to);
	strvec_release(&b->tags);
}

void wf_builds_release(struct wf_builds *b)
{
	size_t i;
	for (i = 0; i < b->n; i++)
		build_release(&b->v[i]);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}
