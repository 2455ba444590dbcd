/*
 * buildah.c: the buildah builder (builder.h): `buildah bud --layers` run as
 * root with the vfs storage driver and chroot isolation (no daemon, no
 * privileges beyond root's), its storage in a folder bench owns.
 *
 * The storage folder is $BENCH_BUILDAH_ROOT, else $TMPDIR/bench-buildah
 * (TMPDIR unset: /tmp): beside the default engine's lock, which every bench
 * run holds while it builds, so one run at a time uses it. It holds
 * storage/ (--root), run/ (--runroot) and tmp/ (buildah's TMPDIR, so that
 * even a killed build leaves its temporary files there). Base images are
 * copied in from the engine (`docker image save` then `buildah pull
 * docker-archive:`) the first time a build needs them and stay until the
 * run ends; a reset removes the run's images and the layer cache (unnamed
 * images) and working containers; the end of the run removes the folder.
 *
 * Every call is an argv: `env TMPDIR=DIR buildah --root ... --runroot ...
 * --storage-driver vfs COMMAND ...` ($BENCH_BUILDAH may name another
 * buildah, as BENCH_DOCKER does for docker).
 */
#include "builders/buildah.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builders/buildah_parse.h"
#include "builders/docker.h"
#include "cache/cache_kind.h"
#include "lib/error.h"
#include "lib/proc.h"

#define QUERY_TIMEOUT 120.0
#define TRANSFER_TIMEOUT 1800.0 /* a base image pulled in */

const char *buildah_cli(void)
{
	const char *env = getenv("BENCH_BUILDAH");
	return env && *env ? env : "buildah";
}

char *buildah_root(void)
{
	const char *root = getenv("BENCH_BUILDAH_ROOT"), *tmp = getenv("TMPDIR");
	if (root && *root)
		return path_absolute(root);
	return path_join(tmp && *tmp ? tmp : "/tmp", "bench-buildah");
}

void buildah_argv_init(struct strvec *argv)
{
	char *root = buildah_root();

	strvec_push(argv, "env");
	strvec_pushf(argv, "TMPDIR=%s/tmp", root);
	strvec_push(argv, buildah_cli());
	strvec_push(argv, "--root");
	strvec_pushf(argv, "%s/storage", root);
	strvec_push(argv, "--runroot");
	strvec_pushf(argv, "%s/run", root);
	strvec_push(argv, "--storage-driver");
	strvec_push(argv, "vfs");
	free(root);
}

/* The first line of text, trimmed, in a static buffer (for messages). */
static const char *first_line(const char *text)
{
	static char line[512];
	size_t n;

	while (text && (*text == ' ' || *text == '\n'))
		text++;
	n = text ? strcspn(text, "\n") : 0;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text ? text : "", n);
	line[n] = '\0';
	return line;
}

/* Run `buildah ARGS...` on bench's storage (its tmp/ made first) and
 * capture its output; *status gets the exit status. */
static int buildah_query(char **out, char **err, int *status, const char *const *args, double timeout)
{
	struct strvec argv = {0};
	char *root = buildah_root(), *tmp = path_join(root, "tmp");
	const char *const *a;
	int error;

	if ((error = mkdir_p(tmp)) < 0)
		goto done;
	buildah_argv_init(&argv);
	for (a = args; *a; a++)
		strvec_push(&argv, *a);
	error = proc_capture(out, err, status, strvec_argv(&argv), timeout);
	if (error < 0 && error != BENCH_EINTERRUPTED)
		error = bench_error_wrap(BENCH_ESETUP, "buildah %s", args[0]);
done:
	strvec_release(&argv);
	free(root);
	free(tmp);
	return error;
}

/* `buildah ARGS...` for its exit status; a failure says `what` and the
 * first line buildah printed about it. */
static int buildah_do(const char *const *args, double timeout, const char *what)
{
	char *out = NULL, *err = NULL;
	int status = 0, error;

	if ((error = buildah_query(&out, &err, &status, args, timeout)) == 0 && status != 0)
		error = bench_error_set(BENCH_ERROR, "%s failed (exit %d): %s", what, status,
					first_line(err && *err ? err : out));
	free(out);
	free(err);
	return error;
}

/* ---- the storage folder ---- */

/* Whether something is mounted at or under dir (rm -rf must not go into
 * it). */
static bool mounted_under(const char *dir)
{
	char *text = NULL, *line, *save = NULL;
	size_t n = strlen(dir), len = 0;
	bool found = false;

	if (read_file(&text, &len, "/proc/self/mountinfo") < 0) {
		bench_error_clear();
		return true; /* cannot tell: do not remove */
	}
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char point[4096];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
			found = !strncmp(point, dir, n) && (point[n] == '/' || !point[n]);
	}
	free(text);
	return found;
}

/* Remove the storage folder root, unless something is mounted in it. */
static int remove_root(const char *root)
{
	if (!path_exists(root))
		return 0;
	if (mounted_under(root))
		return bench_error_set(BENCH_ERROR, "cannot remove buildah's storage %s: something is mounted "
				       "in it (see /proc/self/mountinfo); unmount it, then remove it", root);
	return rm_rf(root);
}

/* ---- preflight and environment ---- */

static int buildah_version(char **out)
{
	const char *argv[] = {buildah_cli(), "--version", NULL};
	char *err = NULL;
	int status = 0, error;

	*out = NULL;
	error = proc_capture(out, &err, &status, argv, QUERY_TIMEOUT);
	if (error == BENCH_ENOTFOUND)
		error = bench_error_set(BENCH_ESETUP,
			"buildah not found ('%s' cannot be run: %s): install it (Debian: buildah) or run "
			"scripts/setup --tests; BENCH_BUILDAH may name another executable", buildah_cli(), bench_error_last());
	else if (error == 0 && status != 0)
		error = bench_error_set(BENCH_ESETUP, "'%s --version' failed (exit %d): %s", buildah_cli(), status,
					first_line(err && *err ? err : *out));
	free(err);
	if (error < 0) {
		free(*out);
		*out = NULL;
	}
	return error;
}

static int buildah_preflight(const struct engine *e, const struct builder_needs *needs)
{
	const char *info[] = {"info", NULL};
	char *version = NULL, *out = NULL, *err = NULL, *root = buildah_root();
	bool existed = path_exists(root);
	int status = 0, error;

	(void)needs; /* registry caches and pushes need nothing more than buildah */
	if (!engine_is_default(e)) {
		error = bench_error_set(BENCH_EINVALID,
			"builder buildah builds on this machine, in %s; it cannot build on %s (it has no "
			"daemon to reach): run its variants on the default engine", root, engine_describe(e));
		goto done;
	}
	/* base images come from the engine's image store */
	if ((error = buildah_version(&version)) < 0 || (error = docker_preflight(e, false)) < 0 ||
	    (error = buildah_query(&out, &err, &status, info, QUERY_TIMEOUT)) < 0)
		goto done;
	if (status != 0)
		error = bench_error_set(BENCH_ESETUP, "buildah cannot use its storage in %s (vfs): %s", root,
					first_line(err && *err ? err : out));
done:
	if (error < 0 && !existed) { /* what the check made goes; its message stays */
		char *why = xstrdup(bench_error_last());
		remove_root(root);
		bench_error_set(error, "%s", why);
		free(why);
	}
	free(version);
	free(out);
	free(err);
	free(root);
	return error;
}

static int buildah_environment(json_t **out, const struct engine *e)
{
	char *version = NULL, *root = buildah_root();

	(void)e;
	*out = json_object();
	if (buildah_version(&version) == 0) {
		version[strcspn(version, "\n")] = '\0';
		json_object_set_new(*out, "buildah", json_string(version));
	} else {
		json_object_set_new(*out, "buildah", json_null());
	}
	bench_error_clear();
	json_object_set_new(*out, "buildah_storage", json_sprintf("vfs in %s", root));
	json_object_set_new(*out, "buildah_isolation", json_string("chroot"));
	free(version);
	free(root);
	return 0;
}

/* ---- images ---- */

/* Push onto ids the images to remove: those with a name that holds marker,
 * and, when layer_cache, those with no name (the layers kept by --layers). */
static int images_to_remove(struct strvec *ids, const char *marker, bool layer_cache)
{
	const char *list[] = {"images", "--all", "--json", "--no-trunc", NULL};
	char *out = NULL, *err = NULL;
	json_t *images = NULL, *img;
	json_error_t jerr;
	int status = 0, error;
	size_t i;

	if ((error = buildah_query(&out, &err, &status, list, QUERY_TIMEOUT)) < 0)
		goto done;
	if (status != 0) {
		error = bench_error_set(BENCH_ERROR, "cannot list buildah's images: %s", first_line(err));
		goto done;
	}
	if (!out[strspn(out, " \n")])
		goto done; /* no images at all */
	if (!(images = json_loads(out, JSON_DECODE_ANY, &jerr)) || !(json_is_array(images) || json_is_null(images))) {
		error = bench_error_set(BENCH_ERROR, "cannot read buildah's image list: %s", jerr.text);
		goto done;
	}
	json_array_foreach(images, i, img) {
		json_t *names = json_object_get(img, "names"), *name;
		const char *id = json_string_value(json_object_get(img, "id"));
		bool remove = layer_cache && json_array_size(names) == 0;
		size_t k;
		json_array_foreach(names, k, name)
			remove |= marker && *marker && json_is_string(name) && strstr(json_string_value(name), marker);
		if (id && remove)
			strvec_push(ids, id);
	}
done:
	json_decref(images);
	free(out);
	free(err);
	return error;
}

static int remove_some(const char *marker, bool layer_cache)
{
	struct strvec rm = {0};
	int error;

	strvec_push(&rm, "rmi");
	strvec_push(&rm, "-f");
	if ((error = images_to_remove(&rm, marker, layer_cache)) == 0 && rm.n > 2)
		error = buildah_do(strvec_argv(&rm), QUERY_TIMEOUT, "buildah rmi");
	strvec_release(&rm);
	return error;
}

static int buildah_remove_images(const struct engine *e, const char *marker)
{
	(void)e;
	return remove_some(marker, false);
}

static int buildah_remove_image(const struct engine *e, const char *ref)
{
	const char *rmi[] = {"rmi", "-f", ref, NULL};

	(void)e;
	return buildah_do(rmi, QUERY_TIMEOUT, "buildah rmi");
}

/* A fresh hosted runner: no working container (a failed build leaves
 * one), none of the run's images, no layer cache; base images stay. */
static int buildah_reset(const struct engine *e, const char *marker)
{
	const char *rm_all[] = {"rm", "--all", NULL};
	int error;

	(void)e;
	if ((error = buildah_do(rm_all, QUERY_TIMEOUT, "buildah rm --all")) < 0)
		return error;
	return remove_some(marker, true);
}

static void buildah_print_reset(FILE *f, const struct engine *e, const char *marker)
{
	struct strvec argv = {0};
	size_t i;

	(void)e;
	buildah_argv_init(&argv);
	for (i = 0; i < argv.n; i++)
		fprintf(f, "%s ", argv.v[i]);
	fprintf(f, "rm --all; and rmi -f the run's images (*%s*) and the layer cache (unnamed images); "
		"base images stay\n", marker);
	strvec_release(&argv);
}

/* The end of a run: the whole storage folder goes, base images too. */
static int buildah_finish(const struct engine *e, const char *marker)
{
	const char *rm_all[] = {"rm", "--all", NULL};
	char *root = buildah_root();
	int error = 0;

	(void)e;
	(void)marker;
	if (path_exists(root)) {
		buildah_do(rm_all, QUERY_TIMEOUT, "buildah rm --all");
		bench_error_clear();
		error = remove_root(root);
	}
	free(root);
	return error;
}

static int buildah_image_size(int64_t *out, const struct engine *e, const char *ref)
{
	const char *args[] = {"inspect", "--type", "image", "--format", "{{.Manifest}}", ref, NULL};
	char *text = NULL;
	json_t *manifest = NULL, *layer;
	int status = 0, error;
	size_t i;

	(void)e;
	*out = 0;
	if ((error = buildah_query(&text, NULL, &status, args, QUERY_TIMEOUT)) < 0)
		goto done;
	if (status != 0 || !(manifest = json_loads(text, 0, NULL))) {
		error = bench_error_set(BENCH_ENOTFOUND, "image '%s' not found in buildah's storage", ref);
		goto done;
	}
	/* the layers as buildah stores them: uncompressed tars */
	json_array_foreach(json_object_get(manifest, "layers"), i, layer)
		*out += json_integer_value(json_object_get(layer, "size"));
done:
	json_decref(manifest);
	free(text);
	return error;
}

void buildah_push_argv(struct strvec *argv, const struct engine *e, const char *ref)
{
	(void)e;
	buildah_argv_init(argv);
	strvec_push(argv, "push");
	strvec_push(argv, "--quiet");
	strvec_push(argv, "--tls-verify=false"); /* the world's registry speaks plain HTTP */
	strvec_push(argv, ref);
}

/* A base image from the engine: kept when buildah has it, else saved from
 * the engine into a file and pulled from it under the same name. */
static int buildah_import_base(const struct engine *e, const char *ref)
{
	const char *inspect[] = {"inspect", "--type", "image", "--format", "{{.FromImageID}}", ref, NULL};
	char *root = buildah_root(), *tar = NULL, *out = NULL;
	int status = 0, error;
	bool there = false;

	if ((error = buildah_query(&out, NULL, &status, inspect, QUERY_TIMEOUT)) < 0 || status == 0)
		goto done;
	if ((error = docker_image_exists(&there, e, ref)) < 0)
		goto done;
	if (!there) {
		error = bench_error_set(BENCH_ENOTFOUND, "base image '%s' is neither in buildah's storage (%s) nor "
					"in %s's image store", ref, root, engine_describe(e));
		goto done;
	}
	tar = xasprintf("%s/tmp/base-%d.tar", root, (int)getpid());
	if ((error = docker_image_save(e, ref, tar)) == 0) {
		char *src = xasprintf("docker-archive:%s", tar);
		const char *pull[] = {"pull", "--quiet", src, NULL};
		free(out);
		out = NULL;
		if ((error = buildah_query(&out, NULL, &status, pull, TRANSFER_TIMEOUT)) == 0 && status != 0)
			error = bench_error_set(BENCH_ERROR, "buildah pull %s failed (exit %d)", src, status);
		free(src);
	}
	if (!error) {
		/* the archive's name may differ in its registry part: tag as FROM says */
		char *id = xstrdup(first_line(out));
		const char *tag[] = {"tag", id, ref, NULL};
		error = buildah_do(tag, QUERY_TIMEOUT, "buildah tag");
		free(id);
	}
	unlink(tar);
	if (error < 0)
		error = bench_error_wrap(BENCH_ESETUP, "cannot bring base image '%s' from %s into buildah",
					 ref, engine_describe(e));
done:
	free(out);
	free(tar);
	free(root);
	return error;
}

/* ---- the build ---- */

/* A registry cache location "HOST/PATH:TAG" as buildah's repository: buildah
 * tags the cache of each step in it by its own key, so a tag (the series'
 * repetition) goes into the name: "HOST/PATH-TAG". Caller frees. */
char *buildah_cache_repo(const char *location)
{
	const char *slash = strrchr(location, '/'), *colon = strrchr(location, ':');
	char *repo = xstrdup(location);

	if (colon && slash && colon > slash)
		repo[colon - location] = '-';
	return repo;
}

int buildah_cache_options(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to)
{
	const struct cache_spec *spec[2] = {from, to};
	bool registry = false;
	int i;

	for (i = 0; i < 2; i++) {
		const struct cache_spec *c = spec[i];
		char *repo;
		if (!c || !c->type)
			continue;
		if (strcmp(c->type, "registry") || !c->location)
			return bench_error_set(BENCH_EINVALID, "buildah: no cache %s for cache = %s (buildah's "
					       "cache is a registry repository)", i ? "export" : "import", c->type);
		if (i && ((c->mode && strcmp(c->mode, "max")) || c->compression))
			return bench_error_set(BENCH_EINVALID, "buildah: its cache export pushes every step's "
					       "layer with its own compression (no mode=%s, no compression=%s)",
					       c->mode ? c->mode : "max", c->compression ? c->compression : "default");
		repo = buildah_cache_repo(c->location);
		strvec_push(argv, i ? "--cache-to" : "--cache-from");
		strvec_push(argv, repo);
		free(repo);
		registry = true;
	}
	if (registry)
		strvec_push(argv, "--tls-verify=false"); /* the world's registry speaks plain HTTP */
	return 0;
}

static void push_flag(struct strvec *argv, const char *flag, const char *value)
{
	strvec_push(argv, flag);
	strvec_push(argv, value);
}

int buildah_build_argv(struct strvec *argv, const struct engine *e, const struct build_request *req)
{
	int error;

	(void)e;
	if (req->push)
		return bench_error_set(BENCH_EINVALID, "buildah: the image is pushed apart (push_argv), not by the build");
	if (req->network && strcmp(req->network, "host"))
		return bench_error_set(BENCH_EINVALID, "buildah: network = %s; with --isolation chroot a build "
				       "shares the host's network only (network = host)", req->network);
	buildah_argv_init(argv);
	strvec_push(argv, "bud");
	strvec_push(argv, "--layers");
	strvec_push(argv, "--isolation");
	strvec_push(argv, "chroot");
	strvec_push(argv, "--pull=never");
	if (req->network)
		push_flag(argv, "--network", req->network);
	if (req->metadata_file)
		push_flag(argv, "--iidfile", req->metadata_file);
	builder_common_flags(argv, req);
	if ((error = buildah_cache_options(argv, &req->cache_from, &req->cache_to)) < 0)
		return error;
	strvec_push(argv, req->context);
	return 0;
}

/* ---- what a scenario may ask ---- */

const char *buildah_unsupported(const struct scenario *sc, const struct variant *v)
{
	size_t i;

	/* (the cache kinds it cannot do at all: cache_types) */
	if (cache_kind_exports(v->cache) && v->cache_mode && strcmp(v->cache_mode, "max"))
		return "cache_mode = min is BuildKit's (buildah pushes the layer of every step, as mode=max "
		       "does); remove cache_mode";
	if (sc->registry.enabled && (v->push || cache_kind_exports(v->cache)))
		return "[registry] is BuildKit's (bench's buildah speaks plain HTTP to the world's registry, "
		       "without docker login's credentials); use builder = buildkit or the world";
	if (v->cache_compression)
		return "cache_compression is BuildKit's (buildah 1.28 has no option for its cache's "
		       "compression); remove it";
	if (v->cache_mounts_count)
		return "cache_mounts is BuildKit's (bench carries BuildKit's cache mounts only); remove it";
	if (sc->network && strcmp(sc->network, "host"))
		return "network must be host (buildah with --isolation chroot, the way without privileges, "
		       "shares the host's network only)";
	for (i = 0; i < sc->engines_count; i++)
		if (strcmp(sc->engines[i], "default"))
			return "engines: buildah builds on this machine only (it has no daemon to reach); "
			       "remove engines or use builder = buildkit";
	return NULL;
}

const struct builder builder_buildah = {
	.name = "buildah",
	.command = "buildah bud",
	.parser = &parser_buildah,
	.preflight = buildah_preflight,
	.environment = buildah_environment,
	.reset = buildah_reset,
	.print_reset = buildah_print_reset,
	.remove_images = buildah_remove_images,
	.remove_image = buildah_remove_image,
	.build_argv = buildah_build_argv,
	/* buildah 1.28's --cache-from/--cache-to take only a registry repository */
	.cache_types = (const char *const[]){"registry", NULL},
	.cache_options = buildah_cache_options,
	.image_size = buildah_image_size,
	.push_argv = buildah_push_argv,
	.import_base = buildah_import_base,
	.own_store = true,
	.unsupported = buildah_unsupported,
	.finish = buildah_finish,
};
