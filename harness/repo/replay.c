/*
 * replay.c: the git side of a run, on libgit2. Opens the user's repository,
 * turns the scenario's commit spec into a list of commits (oldest first) and
 * writes any commit's tree into a folder of its own, never touching the
 * repository's index or work tree.
 */
#include "repo/replay.h"
#include "lib/error.h"
#include "lib/util.h"

#include <git2.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The repository stays open for the whole run; path is kept as the user
 * wrote it, for messages. Each replay holds one libgit2 init reference. */
struct replay {
	git_repository *repo;
	char *path;
};

/* A growable list of commit ids, while a spec is being walked. */
struct oidvec {
	git_oid *v;
	size_t n, alloc;
};

static void oidvec_push(struct oidvec *ov, const git_oid *oid)
{
	if (ov->n == ov->alloc) {
		ov->alloc = ov->alloc ? ov->alloc * 2 : 16;
		ov->v = xrealloc(ov->v, ov->alloc * sizeof(*ov->v));
	}
	git_oid_cpy(&ov->v[ov->n++], oid);
}

static const char *git_message(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

int replay_open(struct replay **out, const char *path)
{
	git_repository *repo = NULL;
	int gerr, error = 0;

	*out = NULL;
	if (git_libgit2_init() < 0)
		return bench_error_set(BENCH_ERROR, "cannot initialise libgit2: %s", git_message());
	gerr = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (gerr == GIT_ENOTFOUND) {
		error = bench_error_set(BENCH_ENOTFOUND,
			"'%s' is not a git repository (git init it, or point 'repo' at one)", path);
		goto done;
	}
	if (gerr < 0) {
		error = bench_error_set(BENCH_ERROR, "cannot open repository '%s': %s",
		                        path, git_message());
		goto done;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->repo = repo;
	(*out)->path = xstrdup(path);
	repo = NULL;
done:
	if (error) {
		git_repository_free(repo);
		git_libgit2_shutdown();
	}
	return error;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r->path);
	free(r);
	git_libgit2_shutdown();
}

void commit_info_array_free(struct commit_info *c, size_t count)
{
	size_t i, j;

	if (!c)
		return;
	for (i = 0; i < count; i++) {
		free(c[i].subject);
		for (j = 0; j < c[i].changed_count; j++)
			free(c[i].changed[j]);
		free(c[i].changed);
		for (j = 0; j < c[i].changed_prev_count; j++)
			free(c[i].changed_prev[j]);
		free(c[i].changed_prev);
	}
	free(c);
}

/* Resolve one revision (any rev-parse syntax, tags peeled) to a commit id.
 * `what` names it in messages: "revision" or "commit". */
static int resolve_rev(git_oid *out, struct replay *r, const char *rev, const char *what)
{
	git_object *obj = NULL, *commit = NULL;
	int gerr, error = 0;

	gerr = git_revparse_single(&obj, r->repo, rev);
	if (gerr == GIT_ENOTFOUND || gerr == GIT_EUNBORNBRANCH) {
		error = bench_error_set(BENCH_ENOTFOUND, "%s '%s' not found in '%s'",
		                        what, rev, r->path);
		goto done;
	}
	if (gerr == GIT_EAMBIGUOUS) {
		error = bench_error_set(BENCH_EINVALID, "%s '%s' is ambiguous in '%s'",
		                        what, rev, r->path);
		goto done;
	}
	if (gerr < 0) {
		error = bench_error_set(BENCH_EINVALID, "invalid %s '%s': %s",
		                        what, rev, git_message());
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		error = bench_error_set(BENCH_EINVALID, "%s '%s' in '%s' is a %s, not a commit",
		                        what, rev, r->path, git_object_type2string(git_object_type(obj)));
		goto done;
	}
	git_oid_cpy(out, git_object_id(commit));
done:
	git_object_free(commit);
	git_object_free(obj);
	return error;
}

/* The commit's first line, without leading blank lines or trailing spaces. */
static char *commit_subject(const git_commit *c)
{
	const char *msg = git_commit_message(c), *end;

	if (!msg)
		return xstrdup("");
	while (*msg == '\n' || *msg == '\r')
		msg++;
	end = strchr(msg, '\n');
	if (!end)
		end = msg + strlen(msg);
	while (end > msg && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(msg, (size_t)(end - msg));
}

/* The paths that differ from tree a (NULL: an empty tree) to tree b, into
 * *paths (caller frees each and the array). */
static int diff_paths(char ***paths, size_t *count, struct replay *r, git_tree *a, git_tree *b)
{
	git_diff *diff = NULL;
	git_diff_options opts;
	size_t i, n;

	*paths = NULL;
	*count = 0;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_tree(&diff, r->repo, a, b, &opts) < 0)
		return bench_error_set(BENCH_ERROR, "cannot diff two trees of '%s': %s", r->path, git_message());
	n = git_diff_num_deltas(diff);
	*paths = xcalloc(n ? n : 1, sizeof(**paths));
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *p = d->new_file.path ? d->new_file.path : d->old_file.path;
		(*paths)[(*count)++] = xstrdup(p);
	}
	git_diff_free(diff);
	return 0;
}

/* Fill ci for commit oid: ids, subject, time and the paths changed against
 * the first parent (every path for a root commit). ci owns what it gets. */
static int commit_info_fill(struct commit_info *ci, struct replay *r, const git_oid *oid)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	int error = 0;

	memset(ci, 0, sizeof(*ci));
	git_oid_tostr(ci->id, sizeof(ci->id), oid);
	memcpy(ci->short_id, ci->id, 7);
	ci->short_id[7] = '\0';
	if (git_commit_lookup(&c, r->repo, oid) < 0 || git_commit_tree(&tree, c) < 0) {
		error = bench_error_set(BENCH_ERROR, "cannot read commit %s in '%s': %s",
		                        ci->id, r->path, git_message());
		goto done;
	}
	ci->subject = commit_subject(c);
	ci->time = (long long)git_commit_time(c);
	if (git_commit_parentcount(c) > 0 &&
	    (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&ptree, parent) < 0)) {
		error = bench_error_set(BENCH_ERROR, "cannot read the parent of commit %s in '%s': %s",
		                        ci->id, r->path, git_message());
		goto done;
	}
	if (parent)
		git_oid_tostr(ci->parent, sizeof(ci->parent), git_commit_id(parent));
	error = diff_paths(&ci->changed, &ci->changed_count, r, ptree, tree);
done:
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(c);
	return error;
}

/* Walk first parents from `from` (its ids pushed to the walk), stopping at
 * the ancestors of `hide` when given, at most `limit` commits (0: no
 * limit). Newest first into ov. */
static int walk_first_parent(struct oidvec *ov, struct replay *r, const git_oid *from,
                             const git_oid *hide, size_t limit)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int gerr, error = 0;

	if (git_revwalk_new(&walk, r->repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL) < 0 ||
	    git_revwalk_simplify_first_parent(walk) < 0 ||
	    git_revwalk_push(walk, from) < 0 ||
	    (hide && git_revwalk_hide(walk, hide) < 0)) {
		error = bench_error_set(BENCH_ERROR, "cannot walk the history of '%s': %s",
		                        r->path, git_message());
		goto done;
	}
	while (!limit || ov->n < limit) {
		gerr = git_revwalk_next(&oid, walk);
		if (gerr == GIT_ITEROVER)
			break;
		if (gerr < 0) {
			error = bench_error_set(BENCH_ERROR, "cannot walk the history of '%s': %s",
			                        r->path, git_message());
			goto done;
		}
		oidvec_push(ov, &oid);
	}
done:
	git_revwalk_free(walk);
	return error;
}

static void oidvec_reverse(struct oidvec *ov)
{
	size_t i;
	for (i = 0; i < ov->n / 2; i++) {
		git_oid t = ov->v[i];
		ov->v[i] = ov->v[ov->n - 1 - i];
		ov->v[ov->n - 1 - i] = t;
	}
}

/* "A..B": the first-parent chain of B down to, excluding, A's history. */
static int resolve_range(struct oidvec *ov, struct replay *r, const char *spec, const char *dots)
{
	char *from = xstrndup(spec, (size_t)(dots - spec)), *to = xstrdup(dots + 2);
	git_oid hide, tip;
	int error = 0;

	if (spec[strcspn(spec, " \t\r\n")]) {
		error = bench_error_set(BENCH_EINVALID,
			"invalid commit range '%s': a range is one 'A..B', not mixed with other revisions", spec);
		goto done;
	}
	if (to[0] == '.') {
		error = bench_error_set(BENCH_EINVALID,
			"invalid commit range '%s': symmetric ranges ('A...B') are not supported, use 'A..B'", spec);
		goto done;
	}
	if (!*from || !*to || strstr(to, "..")) {
		error = bench_error_set(BENCH_EINVALID, "invalid commit range '%s': %s", spec,
			!*from ? "missing start revision before '..'" :
			!*to ? "missing end revision after '..'" : "more than one '..'");
		goto done;
	}
	if ((error = resolve_rev(&hide, r, from, "revision")) < 0 ||
	    (error = resolve_rev(&tip, r, to, "revision")) < 0)
		goto done;
	if ((error = walk_first_parent(ov, r, &tip, &hide, 0)) < 0)
		goto done;
	oidvec_reverse(ov);
done:
	free(from);
	free(to);
	return error;
}

/* "last:N": the newest N first-parent commits of HEAD. */
static int resolve_last(struct oidvec *ov, struct replay *r, const char *spec)
{
	const char *num = spec + strlen("last:");
	char *end = NULL;
	long n;
	git_oid head;
	int gerr, error;

	errno = 0;
	n = isdigit((unsigned char)*num) ? strtol(num, &end, 10) : 0;
	if (!end || *end || errno || n <= 0)
		return bench_error_set(BENCH_EINVALID,
			"invalid commit range '%s': expected 'last:N' with N a positive whole number", spec);
	gerr = git_reference_name_to_id(&head, r->repo, "HEAD");
	if (gerr == GIT_ENOTFOUND || gerr == GIT_EUNBORNBRANCH)
		return bench_error_set(BENCH_EINVALID,
			"commit range '%s' resolves to no commit: HEAD of '%s' has no commit yet", spec, r->path);
	if (gerr < 0)
		return bench_error_set(BENCH_ERROR, "cannot read HEAD of '%s': %s", r->path, git_message());
	if ((error = walk_first_parent(ov, r, &head, NULL, (size_t)n)) < 0)
		return error;
	if (ov->n < (size_t)n)
		return bench_error_set(BENCH_EINVALID,
			"commit range '%s': HEAD of '%s' has only %zu commit%s (first-parent history); ask "
			"for at most last:%zu", spec, r->path, ov->n, ov->n == 1 ? "" : "s", ov->n);
	oidvec_reverse(ov);
	return 0;
}

/* "a b c": each revision, in the order given. */
static int resolve_list(struct oidvec *ov, struct replay *r, const char *spec)
{
	char *copy = xstrdup(spec), *tok, *save = NULL, *p;
	git_oid oid;
	int error = 0;

	for (p = copy; (tok = strtok_r(p, " \t\r\n", &save)); p = NULL) {
		if ((error = resolve_rev(&oid, r, tok, "revision")) < 0)
			goto done;
		oidvec_push(ov, &oid);
	}
done:
	free(copy);
	return error;
}

/* infos[i].changed_prev: the paths changed since infos[i - 1] (a list may
 * skip commits: "a c", "sample:N"); the first keeps its own changes. */
static int changed_since_previous(struct commit_info *infos, size_t i, struct replay *r,
				  const struct oidvec *ov)
{
	git_commit *c = NULL, *prev = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	size_t k;
	int error = 0;

	if (i == 0 || (git_commit_lookup(&c, r->repo, &ov->v[i]) == 0 && git_commit_parentcount(c) > 0 &&
		       git_oid_equal(git_commit_parent_id(c, 0), &ov->v[i - 1]))) {
		infos[i].changed_prev = xcalloc(infos[i].changed_count + 1, sizeof(char *));
		for (k = 0; k < infos[i].changed_count; k++)
			infos[i].changed_prev[k] = xstrdup(infos[i].changed[k]);
		infos[i].changed_prev_count = infos[i].changed_count;
		goto done;
	}
	if (git_commit_lookup(&prev, r->repo, &ov->v[i - 1]) < 0 || git_commit_tree(&ptree, prev) < 0 ||
	    (!c && git_commit_lookup(&c, r->repo, &ov->v[i]) < 0) || git_commit_tree(&tree, c) < 0) {
		error = bench_error_set(BENCH_ERROR, "cannot read commits %s and %s in '%s': %s",
					infos[i - 1].id, infos[i].id, r->path, git_message());
		goto done;
	}
	error = diff_paths(&infos[i].changed_prev, &infos[i].changed_prev_count, r, ptree, tree);
done:
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(prev);
	git_commit_free(c);
	return error;
}

/* Whether path is the same in trees a and b: the same blob and mode, or in
 * neither. */
static bool same_entry(bool *same, git_tree *a, git_tree *b, const char *path)
{
	git_tree_entry *ea = NULL, *eb = NULL;
	int ga = git_tree_entry_bypath(&ea, a, path), gb = git_tree_entry_bypath(&eb, b, path);
	bool ok = (ga == 0 || ga == GIT_ENOTFOUND) && (gb == 0 || gb == GIT_ENOTFOUND);

	*same = ok && (ea && eb ? git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
					  git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb)
				: !ea && !eb);
	git_tree_entry_free(ea);
	git_tree_entry_free(eb);
	return ok;
}

/* infos[i].reverts_prev: some path that infos[i - 1] changed (its
 * changed_prev) is at infos[i] as it was at infos[i - 2]. Only then can a
 * build of infos[i] make a layer that a build of infos[i - 2] made and one
 * of infos[i - 1] did not (a layer is made of files, and one that differs
 * between i - 2 and i - 1 differs in a path i - 1 changed): the series'
 * image rule needs to know (run/series.h). */
static int reverts_previous(struct commit_info *infos, size_t i, struct replay *r, const struct oidvec *ov)
{
	git_commit *c = NULL, *back = NULL;
	git_tree *tree = NULL, *btree = NULL;
	size_t k;
	int error = 0;

	if (i < 2)
		return 0;
	if (git_commit_lookup(&c, r->repo, &ov->v[i]) < 0 || git_commit_tree(&tree, c) < 0 ||
	    git_commit_lookup(&back, r->repo, &ov->v[i - 2]) < 0 || git_commit_tree(&btree, back) < 0) {
		error = bench_error_set(BENCH_ERROR, "cannot read commits %s and %s in '%s': %s",
					infos[i - 2].id, infos[i].id, r->path, git_message());
		goto done;
	}
	for (k = 0; k < infos[i - 1].changed_prev_count && !infos[i].reverts_prev; k++) {
		bool same;
		if (!same_entry(&same, tree, btree, infos[i - 1].changed_prev[k])) {
			error = bench_error_set(BENCH_ERROR, "cannot read '%s' in commits %s and %s in '%s': %s",
						infos[i - 1].changed_prev[k], infos[i - 2].id, infos[i].id, r->path,
						git_message());
			goto done;
		}
		infos[i].reverts_prev = same;
	}
done:
	git_tree_free(tree);
	git_tree_free(btree);
	git_commit_free(c);
	git_commit_free(back);
	return error;
}

/* "sample:N R": N commits spread evenly over R's first-parent chain (R is
 * "A..B" or "last:M"), the oldest and the newest included. */
static int resolve_sample(struct oidvec *ov, struct replay *r, const char *spec)
{
	const char *num = spec + strlen("sample:"), *range;
	struct oidvec all = {0};
	char *end = NULL;
	const char *dots;
	long n;
	size_t i;
	int error;

	errno = 0;
	n = isdigit((unsigned char)*num) ? strtol(num, &end, 10) : 0;
	if (!end || !isspace((unsigned char)*end) || errno || n < 2 || n > 1000000)
		return bench_error_set(BENCH_EINVALID,
			"invalid commit range '%s': expected 'sample:N A..B' or 'sample:N last:M' with N a "
			"whole number of at least 2", spec);
	range = end + strspn(end, " \t\r\n");
	if ((dots = strstr(range, "..")))
		error = resolve_range(&all, r, range, dots);
	else if (!strncmp(range, "last:", 5))
		error = resolve_last(&all, r, range);
	else
		error = bench_error_set(BENCH_EINVALID,
			"invalid commit range '%s': sample:N takes a range 'A..B' or 'last:M' after N", spec);
	if (error)
		goto done;
	if (all.n < (size_t)n) {
		error = bench_error_set(BENCH_EINVALID,
			"commit range '%s': '%s' has %zu commit%s, fewer than the %ld to sample; ask for at "
			"most %zu or widen the range", spec, range, all.n, all.n == 1 ? "" : "s", n, all.n);
		goto done;
	}
	/* commit round(i * (M - 1) / (N - 1)), in whole numbers */
	for (i = 0; i < (size_t)n; i++) {
		size_t k = (2 * i * (all.n - 1) + (size_t)(n - 1)) / (2 * (size_t)(n - 1));
		oidvec_push(ov, &all.v[k]);
	}
done:
	free(all.v);
	return error;
}

/* spec's commits, oldest first, into ov (see replay_resolve). */
static int resolve_ids(struct oidvec *ov, struct replay *r, const char *spec)
{
	char *trimmed;
	const char *dots;
	size_t len;
	int error = 0;

	while (isspace((unsigned char)*spec))
		spec++;
	len = strlen(spec);
	while (len && isspace((unsigned char)spec[len - 1]))
		len--;
	trimmed = xstrndup(spec, len);

	if (!*trimmed)
		error = bench_error_set(BENCH_EINVALID,
			"empty commit range (give 'A..B', 'last:N' or a list of revisions)");
	else if (!strncmp(trimmed, "sample:", 7))
		error = resolve_sample(ov, r, trimmed);
	else if ((dots = strstr(trimmed, "..")))
		error = resolve_range(ov, r, trimmed, dots);
	else if (!strncmp(trimmed, "last:", 5))
		error = resolve_last(ov, r, trimmed);
	else
		error = resolve_list(ov, r, trimmed);
	if (!error && !ov->n)
		error = bench_error_set(BENCH_EINVALID, "commit range '%s' resolves to no commit", trimmed);
	free(trimmed);
	return error;
}

int replay_count(size_t *count, struct replay *r, const char *spec)
{
	struct oidvec ov = {0};
	int error = resolve_ids(&ov, r, spec);

	*count = error ? 0 : ov.n;
	free(ov.v);
	return error;
}

int replay_resolve(struct commit_info **out, size_t *count, struct replay *r, const char *spec)
{
	struct oidvec ov = {0};
	struct commit_info *infos = NULL;
	size_t i, filled = 0;
	int error = 0;

	*out = NULL;
	*count = 0;
	if ((error = resolve_ids(&ov, r, spec)) < 0)
		goto done;
	infos = xcalloc(ov.n, sizeof(*infos));
	for (i = 0; i < ov.n; i++, filled++)
		if ((error = commit_info_fill(&infos[i], r, &ov.v[i])) < 0) {
			filled++; /* a half-filled entry still owns what it got */
			goto done;
		}
	for (i = 0; i < ov.n; i++)
		if ((error = changed_since_previous(infos, i, r, &ov)) < 0 ||
		    (error = reverts_previous(infos, i, r, &ov)) < 0)
			goto done;
	*out = infos;
	*count = ov.n;
	infos = NULL;
done:
	commit_info_array_free(infos, filled);
	free(ov.v);
	return error;
}

/* Look up commit `id` (any revision) and its tree. Caller frees both. */
static int lookup_tree(git_commit **commit, git_tree **tree, struct replay *r, const char *id)
{
	git_oid oid;
	int error;

	*commit = NULL;
	*tree = NULL;
	if ((error = resolve_rev(&oid, r, id, "commit")) < 0)
		return error;
	if (git_commit_lookup(commit, r->repo, &oid) < 0 || git_commit_tree(tree, *commit) < 0) {
		git_commit_free(*commit);
		*commit = NULL;
		return bench_error_set(BENCH_ERROR, "cannot read commit '%s' in '%s': %s",
		                       id, r->path, git_message());
	}
	return 0;
}

/* The real path of p when it exists, else its absolute form. Caller frees. */
static char *real_or_absolute(const char *p)
{
	char *real = realpath(p, NULL);
	char *abs;

	if (real) {
		abs = xstrdup(real);
		free(real);
		return abs;
	}
	return path_absolute(p);
}

/* Whether emptying dir would delete inside (dir is inside, or equal to). */
static bool path_contains(const char *dir, const char *inside)
{
	char *d = real_or_absolute(dir), *in = real_or_absolute(inside);
	size_t n = strlen(d);
	bool yes;

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	yes = !strcmp(d, "/") || (!strncmp(in, d, n) && (in[n] == '\0' || in[n] == '/'));
	free(d);
	free(in);
	return yes;
}

/*
 * A folder that follows commits. `current` is the tree the folder holds, NULL
 * until the first checkout and after a failed one (the folder's state is then
 * unknown, so the next checkout writes it whole again).
 */
struct replay_tree {
	struct replay *r;
	char *dest;         /* as given, for messages */
	char *abs;          /* absolute */
	git_tree *current;
};

int replay_tree_new(struct replay_tree **out, struct replay *r, const char *dest)
{
	const char *workdir = git_repository_workdir(r->repo);
	char *abs = real_or_absolute(dest);

	*out = NULL;
	if (path_contains(abs, git_repository_commondir(r->repo)) ||
	    (workdir && path_contains(abs, workdir))) {
		free(abs);
		return bench_error_set(BENCH_EINVALID,
			"refusing to check out into '%s': emptying it would delete the repository '%s'",
			dest, r->path);
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->r = r;
	(*out)->dest = xstrdup(dest);
	(*out)->abs = abs;
	return 0;
}

void replay_tree_free(struct replay_tree *t)
{
	if (!t)
		return;
	git_tree_free(t->current);
	free(t->dest);
	free(t->abs);
	free(t);
}

const char *replay_tree_path(const struct replay_tree *t)
{
	return t->abs;
}

/* The paths that differ between trees a and b (both sides of each delta:
 * without rename detection they are the same path). */
static int changed_paths(git_strarray *out, struct replay *r, git_tree *a, git_tree *b)
{
	git_diff *diff = NULL;
	git_diff_options opts;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_diff_tree_to_tree(&diff, r->repo, a, b, &opts) < 0)
		return bench_error_set(BENCH_ERROR, "cannot diff two trees of '%s': %s",
				       r->path, git_message());
	n = git_diff_num_deltas(diff);
	out->strings = xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		out->strings[out->count++] = xstrdup(d->new_file.path ? d->new_file.path
								      : d->old_file.path);
	}
	git_diff_free(diff);
	return 0;
}

static void strarray_release(git_strarray *a)
{
	size_t i;
	for (i = 0; i < a->count; i++)
		free(a->strings[i]);
	free(a->strings);
	memset(a, 0, sizeof(*a));
}

/*
 * Checkouts go into target_directory so that the repository's work tree is
 * never looked at, with DONT_UPDATE_INDEX and DONT_WRITE_INDEX so that the
 * repository's index is never written; this works for bare repositories too.
 *
 * The first one (or after a failure) empties the folder and checks out with
 * an empty in-memory index as the baseline, so that every file of the tree
 * counts as new and is written. Later ones take the tree the folder holds as
 * the baseline and only the paths that differ between the two trees as the
 * pathspec (exact paths): libgit2 then writes the files that changed (content,
 * mode, symlink, file to folder and back) and removes the ones that went,
 * with the folders they leave empty, and looks at nothing else. The cost
 * follows the size of the change, not of the tree.
 */
int replay_tree_checkout(struct replay_tree *t, const char *id)
{
	struct replay *r = t->r;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *empty = NULL;
	git_strarray paths = {0};
	git_checkout_options opts;
	int error;

	if ((error = lookup_tree(&commit, &tree, r, id)) < 0)
		goto done;
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX |
	                         GIT_CHECKOUT_DONT_WRITE_INDEX | GIT_CHECKOUT_NO_REFRESH;
	opts.target_directory = t->abs;
	if (t->current) {
		if ((error = changed_paths(&paths, r, t->current, tree)) < 0)
			goto done;
		if (!paths.count)
			goto moved;
		opts.checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
		opts.baseline = t->current;
		opts.paths = paths;
	} else {
		if ((error = rm_rf(t->abs)) < 0 || (error = mkdir_p(t->abs)) < 0) {
			bench_error_wrap(error, "cannot prepare '%s' for commit %s", t->dest, id);
			goto done;
		}
		if (git_index_new(&empty) < 0) {
			error = bench_error_set(BENCH_ERROR, "cannot create an index: %s", git_message());
			goto done;
		}
		opts.baseline_index = empty;
	}
	git_tree_free(t->current);
	t->current = NULL; /* unknown until the checkout succeeds */
	if (git_checkout_tree(r->repo, (const git_object *)tree, &opts) < 0) {
		error = bench_error_set(BENCH_EIO, "cannot check out commit %s of '%s' into '%s': %s",
		                        id, r->path, t->dest, git_message());
		goto done;
	}
moved:
	git_tree_free(t->current);
	t->current = tree;
	tree = NULL;
done:
	strarray_release(&paths);
	git_index_free(empty);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

int replay_checkout(struct replay *r, const char *id, const char *dest)
{
	struct replay_tree *t = NULL;
	int error;

	if ((error = replay_tree_new(&t, r, dest)) == 0)
		error = replay_tree_checkout(t, id);
	replay_tree_free(t);
	return error;
}

/* The entry at path in commit id (*entry NULL when the commit has none;
 * caller frees). `what` names the action in the message of a failed lookup. */
static int entry_at(git_tree_entry **entry, struct replay *r, const char *id, const char *path, const char *what)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int gerr, error;

	*entry = NULL;
	if ((error = lookup_tree(&commit, &tree, r, id)) < 0)
		return error;
	gerr = git_tree_entry_bypath(entry, tree, path);
	if (gerr == GIT_ENOTFOUND)
		*entry = NULL;
	else if (gerr < 0)
		error = bench_error_set(BENCH_ERROR, "cannot %s '%s' in commit '%s': %s", what, path, id,
		                        git_message());
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

int replay_read_file(char **out, size_t *len, struct replay *r, const char *id, const char *path)
{
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int error;

	*out = NULL;
	*len = 0;
	while (!strncmp(path, "./", 2))
		path += 2;
	if ((error = entry_at(&entry, r, id, path, "read")) < 0)
		goto done;
	if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		error = bench_error_set(BENCH_ENOTFOUND, "commit %.7s of '%s' has no file '%s'", id,
		                        r->path, path);
		goto done;
	}
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		/* its blob is the link's target, not a file of the commit */
		error = bench_error_set(BENCH_EINVALID, "'%s' in commit %.7s of '%s' is a symlink; only a "
					"regular file of the commit is read", path, id, r->path);
		goto done;
	}
	if (git_blob_lookup(&blob, r->repo, git_tree_entry_id(entry)) < 0) {
		error = bench_error_set(BENCH_ERROR, "cannot read '%s' in commit '%s': %s",
		                        path, id, git_message());
		goto done;
	}
	*len = (size_t)git_blob_rawsize(blob);
	*out = xstrndup(git_blob_rawcontent(blob), *len);
done:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return error;
}

int replay_has_file(bool *out, struct replay *r, const char *id, const char *path)
{
	git_tree_entry *entry = NULL;
	int error;

	*out = false;
	while (!strncmp(path, "./", 2))
		path += 2;
	if (!*path)
		return bench_error_set(BENCH_EINVALID, "empty path to look up in commit '%s'", id);
	if ((error = entry_at(&entry, r, id, path, "look up")) == 0)
		*out = entry && git_tree_entry_type(entry) == GIT_OBJECT_BLOB;
	git_tree_entry_free(entry);
	return error;
}

int replay_history(struct commit_info **out, size_t *count, struct replay *r, const char *tip, size_t limit)
{
	struct commit_info *infos = NULL;
	struct oidvec ov = {0};
	size_t i, filled = 0;
	git_oid from;
	int error;

	*out = NULL;
	*count = 0;
	if ((error = resolve_rev(&from, r, tip, "revision")) < 0 ||
	    (error = walk_first_parent(&ov, r, &from, NULL, limit)) < 0)
		goto done;
	oidvec_reverse(&ov);
	infos = xcalloc(ov.n ? ov.n : 1, sizeof(*infos));
	for (i = 0; i < ov.n; i++, filled++)
		if ((error = commit_info_fill(&infos[i], r, &ov.v[i])) < 0) {
			filled++; /* a half-filled entry still owns what it got */
			goto done;
		}
	*out = infos;
	*count = ov.n;
	infos = NULL;
done:
	commit_info_array_free(infos, filled);
	free(ov.v);
	return error;
}

bool commit_touches(const struct commit_info *c, const char *const *names)
{
	size_t i, j;

	if (!c || !names)
		return false;
	for (i = 0; i < c->changed_count; i++) {
		const char *path = c->changed[i];
		const char *slash = strrchr(path, '/');
		const char *base = slash ? slash + 1 : path;

		for (j = 0; names[j]; j++)
			if (!strcmp(path, names[j]) || !strcmp(base, names[j]))
				return true;
	}
	return false;
}
