/*
 * world/files.c: the emulated internet's file tree (see wheels.h): every
 * wheel and model file written by wheels.c, one file per job on every core
 * (parallel.h), then the PEP 503 index pages. Each file's bytes follow from
 * its seed alone: the tree is the same whatever the threads do.
 */
#include "world/wheels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/error.h"
#include "lib/parallel.h"
#include "lib/sha256.h"
#include "lib/util.h"
#include "world/catalog.h"

/* A per-file seed from the world's seed and the file's identity (FNV-1a). */
static uint64_t file_seed(unsigned seed, const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)seed * 0x9e3779b97f4a7c15ull);
	const char *p;

	for (p = a; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	h = (h ^ '/') * 0x100000001b3ull;
	for (p = b; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

struct built_wheel {
	const struct catalog_pkg *pkg;
	char *file;
	char hex[SHA256_HEX_SIZE];
};

static int cmp_built(const void *a, const void *b)
{
	const struct built_wheel *x = a, *y = b;
	int c = strcmp(x->pkg->name, y->pkg->name);
	return c ? c : strcmp(x->pkg->version, y->pkg->version);
}

static int file_size(int64_t *out, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return bench_error_errno(BENCH_EIO, "cannot stat '%s'", path);
	*out = st.st_size;
	return 0;
}

/* simple/index.html and one simple/NAME/index.html per project; links are
 * absolute paths so that a missing trailing slash does not matter. */
static int write_index(struct world_files *out, const char *dir, struct built_wheel *w, size_t n)
{
	struct strbuf root = {0}, page = {0};
	char *path = NULL, *pdir = NULL;
	size_t i, j;
	int error = 0;

	static const char head[] = "<!DOCTYPE html>\n<html>\n<head>\n"
		"<meta name=\"pypi:repository-version\" content=\"1.0\">\n<title>%s</title>\n"
		"</head>\n<body>\n";
	static const char tail[] = "</body>\n</html>\n";

	qsort(w, n, sizeof(*w), cmp_built);
	strbuf_printf(&root, head, "Simple index");
	for (i = 0; i < n; i = j) {
		const char *name = w[i].pkg->name;
		strbuf_printf(&root, "<a href=\"/simple/%s/\">%s</a>\n", name, name);
		strbuf_reset(&page);
		strbuf_printf(&page, head, name);
		strbuf_printf(&page, "<h1>Links for %s</h1>\n", name);
		for (j = i; j < n && !strcmp(w[j].pkg->name, name); j++)
			strbuf_printf(&page, "<a href=\"/packages/%s#sha256=%s\">%s</a><br>\n",
				      w[j].file, w[j].hex, w[j].file);
		strbuf_puts(&page, tail);
		free(pdir);
		free(path);
		pdir = xasprintf("%s/simple/%s", dir, name);
		path = path_join(pdir, "index.html");
		if ((error = mkdir_p(pdir)) ||
		    (error = write_file_atomic(path, page.buf, page.len)))
			goto done;
		out->projects++;
	}
	strbuf_puts(&root, tail);
	free(path);
	path = xasprintf("%s/simple/index.html", dir);
	error = write_file_atomic(path, root.buf, root.len);
done:
	free(path);
	free(pdir);
	strbuf_release(&root);
	strbuf_release(&page);
	return error;
}

/* Every file of the world is one job of parallel_run: the wheels, then the
 * models, largest first so that the threads end together. */
struct gen_jobs {
	const char *dir, *pkgdir;
	double scale;
	unsigned seed;
	const struct catalog_pkg *pkgs;
	const struct catalog_model *models;
	size_t npkgs, nmodels;
	size_t *order;             /* job -> file: < npkgs a wheel, else a model */
	struct built_wheel *built; /* per wheel */
	int64_t *sizes;            /* per file */
};

static double file_mb(const struct gen_jobs *g, size_t f)
{
	return f < g->npkgs ? g->pkgs[f].real_mb : g->models[f - g->npkgs].real_mb;
}

static int cmp_larger(const void *a, const void *b, void *ctx)
{
	size_t fa = *(const size_t *)a, fb = *(const size_t *)b;
	double x = file_mb(ctx, fa), y = file_mb(ctx, fb);
	return x < y ? 1 : x > y ? -1 : (fa > fb) - (fa < fb);
}

static int gen_wheel(struct gen_jobs *g, size_t i)
{
	const struct catalog_pkg *pkg = &g->pkgs[i];
	int64_t target = llround(pkg->real_mb * 1e6 * g->scale);
	char *path = path_join(g->pkgdir, g->built[i].file);
	int error;

	if (!(error = wheel_write(path, pkg->name, pkg->version, target,
				  file_seed(g->seed, pkg->name, pkg->version))) &&
	    !(error = sha256_file_hex(g->built[i].hex, path)))
		error = file_size(&g->sizes[i], path);
	free(path);
	return error;
}

static int gen_model(struct gen_jobs *g, size_t m)
{
	const struct catalog_model *model = &g->models[m];
	int64_t target = llround(model->real_mb * 1e6 * g->scale);
	uint64_t s = file_seed(g->seed, "storage", model->url_path);
	char *path = xasprintf("%s/storage/%s", g->dir, model->url_path), *mdir = path_dirname(path);
	int error;

	if (!(error = mkdir_p(mdir)) &&
	    !(error = model->is_targz ? model_targz_write(path, target, s)
				      : model_raw_write(path, target, s)))
		error = file_size(&g->sizes[g->npkgs + m], path);
	free(path);
	free(mdir);
	return error;
}

static int gen_job(void *ctx, size_t job)
{
	struct gen_jobs *g = ctx;
	size_t f = g->order[job];
	return f < g->npkgs ? gen_wheel(g, f) : gen_model(g, f - g->npkgs);
}

int world_files_generate(struct world_files *out, const char *dir, double scale, unsigned seed)
{
	struct gen_jobs g = {.dir = dir, .scale = scale, .seed = seed};
	char *pkgdir = path_join(dir, "packages");
	size_t i, nfiles;
	int error = 0;

	memset(out, 0, sizeof(*out));
	g.pkgdir = pkgdir;
	g.pkgs = catalog_packages(&g.npkgs);
	g.models = catalog_models(&g.nmodels);
	nfiles = g.npkgs + g.nmodels;
	g.built = xcalloc(g.npkgs ? g.npkgs : 1, sizeof(*g.built));
	g.sizes = xcalloc(nfiles ? nfiles : 1, sizeof(*g.sizes));
	g.order = xcalloc(nfiles ? nfiles : 1, sizeof(*g.order));
	if (!(scale > 0)) {
		error = bench_error_set(BENCH_EINVALID, "world scale must be positive, not %g", scale);
		goto done;
	}
	for (i = 0; i < g.nmodels; i++)
		if (strstr(g.models[i].url_path, "..") || g.models[i].url_path[0] == '/') {
			error = bench_error_set(BENCH_EINVALID, "bad model path '%s'", g.models[i].url_path);
			goto done;
		}
	if ((error = mkdir_p(pkgdir)))
		goto done;
	for (i = 0; i < g.npkgs; i++) {
		g.built[i].pkg = &g.pkgs[i];
		g.built[i].file = wheel_filename(g.pkgs[i].name, g.pkgs[i].version);
	}
	for (i = 0; i < nfiles; i++)
		g.order[i] = i;
	qsort_r(g.order, nfiles, sizeof(*g.order), cmp_larger, &g);
	if ((error = parallel_run(nfiles, gen_job, &g, 0)))
		goto done;
	for (i = 0; i < g.npkgs; i++)
		out->wheel_bytes += g.sizes[i];
	out->wheels = g.npkgs;
	for (i = 0; i < g.nmodels; i++)
		out->model_bytes += g.sizes[g.npkgs + i];
	error = write_index(out, dir, g.built, g.npkgs);
done:
	for (i = 0; i < g.npkgs; i++)
		free(g.built[i].file);
	free(g.built);
	free(g.sizes);
	free(g.order);
	free(pkgdir);
	return error;
}
