/*
 * docker.c: the questions bench asks the docker CLI (versions, preflight
 * checks, image sizes, runner resets), the argv of a build, a push, an
 * import, and the BuildKit builder's table entry made of them (at the end).
 * Every call goes through proc.h as an argv; nothing here builds a command
 * line.
 */
#include "builders/docker.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/proc.h"
#include "builders/rawjson.h"

#define QUERY_TIMEOUT 60.0
#define IMAGE_RM_SECONDS 5.0 /* more time for `image rm` per image */
#define TRANSFER_TIMEOUT 1800.0 /* save/load of an image */

const char *docker_cli(void)
{
	const char *env = getenv("BENCH_DOCKER");
	return env && *env ? env : "docker";
}

void docker_argv_init(struct strvec *argv, const struct engine *e)
{
	strvec_push(argv, docker_cli());
	if (e && e->context) {
		strvec_push(argv, "--context");
		strvec_push(argv, e->context);
	} else if (e && e->host) {
		strvec_push(argv, "-H");
		strvec_push(argv, e->host);
	}
}

/* The first line of text, trimmed, in a buffer of the calling thread (for
 * messages). */
static const char *first_line(const char *text)
{
	static _Thread_local char line[512];
	size_t n;
	if (!text)
		return "";
	while (*text == ' ' || *text == '\n')
		text++;
	n = strcspn(text, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text, n);
	line[n] = '\0';
	return line;
}

static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Run `docker ARGS...` and capture stdout (caller frees *out). Returns 0 and
 * sets *status; a CLI that cannot be run at all is BENCH_ESETUP. */
static int docker_query_timeout(char **out, char **err, int *status, const struct engine *e,
				const char *const *args, double timeout)
{
	struct strvec argv = {0};
	const char *const *a;
	int error;
	docker_argv_init(&argv, e);
	for (a = args; *a; a++)
		strvec_push(&argv, *a);
	error = proc_capture(out, err, status, strvec_argv(&argv), timeout);
	if (error == BENCH_ENOTFOUND)
		error = bench_error_set(BENCH_ESETUP,
			"docker CLI not found ('%s' cannot be run: %s): install it (Debian: docker.io) "
			"or run scripts/setup; BENCH_DOCKER may name another executable",
			docker_cli(), bench_error_last());
	else if (error < 0 && error != BENCH_EINTERRUPTED)
		error = bench_error_wrap(BENCH_ESETUP, "docker %s", args[0]);
	strvec_release(&argv);
	return error;
}

static int docker_query(char **out, char **err, int *status, const struct engine *e, const char *const *args)
{
	return docker_query_timeout(out, err, status, e, args, QUERY_TIMEOUT);
}

/* What the last preflight learnt (the versions), for docker_environment,
 * which would otherwise ask the same questions again a moment later. */
static struct {
	char *engine;                 /* engine_describe() of the engine asked */
	char *client, *server, *buildx;
	char *buildkit;               /* from `buildx inspect`, when the preflight asked it */
	json_t *env;                  /* docker_environment's answer for it, once asked */
} answered;

char *docker_parse_buildkit_version(const char *inspect)
{
	static const char label[] = "BuildKit version:";
	const char *p = inspect, *v;
	size_t n;

	while (p && *p) {
		p += strspn(p, " \t");
		if (!strncmp(p, label, sizeof(label) - 1)) {
			v = p + sizeof(label) - 1;
			v += strspn(v, " \t");
			n = strcspn(v, "\r\n");
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			return n ? xstrndup(v, n) : NULL;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static bool builder_can_export_cache(const struct engine *e)
{
	const char *inspect[] = {"buildx", "inspect", NULL};
	const char *info[] = {"info", "--format", "{{json .DriverStatus}}", NULL};
	char *out = NULL;
	int status = 0;
	bool ok = false;

	if (docker_query(&out, NULL, &status, e, inspect) == 0 && status == 0 && out) {
		ok = strstr(out, "docker-container") != NULL;
		free(answered.buildkit);
		answered.buildkit = docker_parse_buildkit_version(out);
	}
	free(out);
	out = NULL;
	if (!ok && docker_query(&out, NULL, &status, e, info) == 0 && status == 0 && out &&
	    strstr(out, "io.containerd.snapshotter"))
		ok = true;
	free(out);
	return ok;
}

static void answered_clear(void)
{
	free(answered.engine);
	free(answered.client);
	free(answered.server);
	free(answered.buildx);
	free(answered.buildkit);
	json_decref(answered.env);
	memset(&answered, 0, sizeof(answered));
}

/* out, chomped, handed over to *keep. */
static void keep_answer(char **keep, char **out)
{
	chomp(*out);
	free(*keep);
	*keep = *out ? *out : xstrdup("");
	*out = NULL;
}

int docker_preflight(const struct engine *e, bool need_cache_export)
{
	const char *client[] = {"version", "--format", "{{.Client.Version}}", NULL};
	const char *server[] = {"version", "--format", "{{.Server.Version}}", NULL};
	const char *buildx[] = {"buildx", "version", NULL};
	char *out = NULL, *err = NULL;
	int status = 0, error;

	answered_clear();
	if ((error = docker_query(&out, &err, &status, e, client)) < 0)
		goto done;
	if (status == 0)
		keep_answer(&answered.client, &out);
	free(out);
	free(err);
	out = err = NULL;
	if ((error = docker_query(&out, &err, &status, e, server)) < 0)
		goto done;
	if (status != 0) {
		const char *host = getenv("DOCKER_HOST");
		error = bench_error_set(BENCH_ESETUP,
			"docker daemon not answering at %s: start dockerd (scripts/setup starts it) "
			"and check 'docker info'; docker said: %s",
			!engine_is_default(e) ? engine_describe(e) : host && *host ? host : "the default socket",
			first_line(err && *err ? err : out));
		goto done;
	}
	keep_answer(&answered.server, &out);
	free(err);
	out = err = NULL;
	if ((error = docker_query(&out, &err, &status, e, buildx)) < 0)
		goto done;
	if (status != 0) {
		error = bench_error_set(BENCH_ESETUP,
			"docker buildx not found: install the buildx plugin (Debian: docker-buildx, "
			"in /usr/libexec/docker/cli-plugins) or run scripts/setup; docker said: %s",
			first_line(err && *err ? err : out));
		goto done;
	}
	keep_answer(&answered.buildx, &out);
	answered.engine = xstrdup(engine_describe(e));
	if (need_cache_export && !builder_can_export_cache(e)) {
		error = bench_error_set(BENCH_ESETUP,
			"the current buildx builder (driver 'docker') cannot export a build cache: "
			"enable the containerd image store ({\"features\":{\"containerd-snapshotter\":true}} "
			"in /etc/docker/daemon.json, then restart dockerd) or use a docker-container "
			"builder ('docker buildx create --use')");
		goto done;
	}
	error = 0;
done:
	if (error)
		answered_clear();
	free(out);
	free(err);
	return error;
}

/* Ask docker for `lines` values, one a line of its output: each a JSON
 * string, or null when docker did not answer (a missing line too). */
static void query_lines(json_t **values, size_t lines, const struct engine *e, const char *const *args)
{
	char *out = NULL, *line, *save = NULL;
	int status = 0;
	size_t i = 0;

	if (docker_query(&out, NULL, &status, e, args) == 0 && status == 0 && out)
		for (line = strtok_r(out, "\n", &save); line && i < lines; line = strtok_r(NULL, "\n", &save)) {
			chomp(line);
			values[i++] = json_string(line);
		}
	for (; i < lines; i++)
		values[i] = json_null();
	free(out);
	bench_error_clear();
}

/* What the engine says of itself and its machine, from one `docker info`:
 * its storage driver and image store (containerd or classic), CPUs and
 * memory, its own id (which tells two names of
 * one daemon apart from two daemons), kernel and OS (a remote engine's, not
 * bench's machine). Nulls when it does not answer. */
static void engine_info(json_t *env, const struct engine *e)
{
	const char *args[] = {"info", "--format", "{{json .}}", NULL};
	static const char *const fields[][2] = {
		{"Driver", "storage_driver"}, {"ID", "engine_id"}, {"Name", "engine_name"},
		{"OperatingSystem", "engine_os"}, {"KernelVersion", "engine_kernel"}, {"NCPU", "engine_cpus"},
		{"MemTotal", "engine_memory_bytes"},
	};
	char *out = NULL;
	int status = 0;
	json_t *info = NULL, *cpus, *mem;
	size_t i;

	if (docker_query(&out, NULL, &status, e, args) == 0 && status == 0 && out)
		info = json_loads(out, 0, NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(info, fields[i][0]);
		json_object_set(env, fields[i][1], v ? v : json_null());
	}
	/* the containerd image store names its snapshotter; the classic one
	 * does not (series.h: whether a moved tag leaves an image behind) */
	json_object_set_new(env, "image_store", !info ? json_null() :
			    json_string(strstr(out, "io.containerd.snapshotter") ? "containerd" : "classic"));
	cpus = json_object_get(info, "NCPU");
	mem = json_object_get(info, "MemTotal");
	json_object_set_new(env, "daemon_cpus_memory",
			    json_is_integer(cpus) && json_is_integer(mem)
			    ? json_sprintf("%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT, json_integer_value(cpus),
					   json_integer_value(mem))
			    : json_null());
	json_decref(info);
	free(out);
	bench_error_clear();
}

/* The BuildKit inside the engine: the version `docker buildx inspect` gives
 * its builder's node (a distribution's dockerd may say "v0.0.0+unknown":
 * its BuildKit was built without a version), or null. */
static json_t *buildkit_version(const struct engine *e, bool preflighted)
{
	const char *inspect[] = {"buildx", "inspect", NULL};
	char *out = NULL, *v = NULL;
	int status = 0;
	json_t *j;

	if (preflighted && answered.buildkit)
		return json_string(answered.buildkit);
	if (docker_query(&out, NULL, &status, e, inspect) == 0 && status == 0 && out)
		v = docker_parse_buildkit_version(out);
	bench_error_clear();
	j = v ? json_string(v) : json_null();
	free(v);
	free(out);
	return j;
}

/* The containerd version of the engine's components (`docker version`), as
 * a template: one line, empty when the engine names no containerd. */
#define CONTAINERD_FORMAT "{{range .Server.Components}}{{if eq .Name \"containerd\"}}{{.Version}}{{end}}{{end}}"

/* A docker call costs a tenth of a second or more on a busy machine: the
 * versions the preflight of the same engine just got are taken as they are,
 * the rest is asked in as few calls as can be (client, server and
 * containerd in one), and asked once (run.json's environment and the
 * engine's fingerprint both want it). */
int docker_environment(json_t **out, const struct engine *e)
{
	const char *versions[] = {"version", "--format", "{{.Client.Version}}\n{{.Server.Version}}\n" CONTAINERD_FORMAT,
				  NULL};
	const char *containerd[] = {"version", "--format", CONTAINERD_FORMAT, NULL};
	const char *buildx[] = {"buildx", "version", NULL};
	bool preflighted = answered.engine && !strcmp(answered.engine, engine_describe(e));
	json_t *env, *v[3];
	struct utsname un;
	struct sysinfo si;
	char host[256] = "";

	if (preflighted && answered.env) {
		*out = json_deep_copy(answered.env);
		return 0;
	}
	env = json_object();
	if (preflighted && answered.client) {
		v[0] = json_string(answered.client);
		v[1] = json_string(answered.server);
		query_lines(&v[2], 1, e, containerd);
	} else {
		query_lines(v, 3, e, versions);
	}
	json_object_set_new(env, "docker_client", v[0]);
	json_object_set_new(env, "docker_server", v[1]);
	json_object_set_new(env, "containerd", v[2]);
	if (preflighted)
		v[0] = json_string(answered.buildx);
	else
		query_lines(v, 1, e, buildx);
	json_object_set_new(env, "buildx", v[0]);
	json_object_set_new(env, "buildkit", buildkit_version(e, preflighted));
	engine_info(env, e);
	if (uname(&un) == 0) {
		json_object_set_new(env, "kernel", json_sprintf("%s %s", un.sysname, un.release));
		json_object_set_new(env, "machine", json_string(un.machine));
	}
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(env, "hostname", json_string(host));
	json_object_set_new(env, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	if (sysinfo(&si) == 0)
		json_object_set_new(env, "memory_bytes",
				    json_integer((json_int_t)si.totalram * (json_int_t)si.mem_unit));
	if (preflighted)
		answered.env = json_deep_copy(env);
	*out = env;
	return 0;
}

static void push_flag(struct strvec *argv, const char *flag, const char *value)
{
	strvec_push(argv, flag);
	strvec_push(argv, value);
}

/* BuildKit's cache types bench uses, and the attribute naming the location
 * when importing (--cache-from) and exporting (--cache-to); NULL: the type
 * has no location (inline: the cache goes into the image's config, mode=min
 * only, so it takes no mode either) and cannot be imported as such (inline
 * is read back as type=registry from the pushed image). from_env: a spec
 * without a location is one buildx completes from its environment (gha on
 * a runner: ACTIONS_RESULTS_URL and the rest). */
static const struct {
	const char *type, *from_key, *to_key;
	bool from_env;
} cache_types[] = {
	{"local", "src", "dest", false},
	{"registry", "ref", "ref", false},
	{"gha", "url_v2", "url_v2", true}, /* the cache service v2 (ACTIONS_RESULTS_URL) */
	{"inline", NULL, NULL, false},
};

static int cache_option(struct strvec *argv, const struct cache_spec *c, bool export)
{
	struct strbuf sb = {0};
	const char *const *a;
	size_t i, n = sizeof(cache_types) / sizeof(cache_types[0]);

	const char *key;

	for (i = 0; i < n && strcmp(cache_types[i].type, c->type); i++)
		;
	key = i == n ? NULL : export ? cache_types[i].to_key : cache_types[i].from_key;
	if (i == n || (!key && !(export && !cache_types[i].from_key)) ||
	    (key && !c->location && !cache_types[i].from_env))
		return bench_error_set(BENCH_EINVALID, "buildkit: no cache %s of type '%s'%s",
				       export ? "export" : "import", c->type,
				       key && !c->location ? " without a location" : "");
	strbuf_printf(&sb, "type=%s", c->type);
	if (key && c->location)
		strbuf_printf(&sb, ",%s=%s", key, c->location);
	for (a = c->attrs; a && *a; a++)
		strbuf_printf(&sb, ",%s", *a);
	/* every exporter with a location takes the same mode and compression
	 * options */
	if (export && key)
		strbuf_printf(&sb, ",mode=%s%s%s", c->mode ? c->mode : "max",
			      c->compression ? ",force-compression=true,compression=" : "",
			      c->compression ? c->compression : "");
	strvec_push(argv, export ? "--cache-to" : "--cache-from");
	strvec_push(argv, sb.buf);
	strbuf_release(&sb);
	return 0;
}

int docker_cache_options(struct strvec *argv, const struct cache_spec *from, const struct cache_spec *to)
{
	int error = 0;

	if (from && from->type && (error = cache_option(argv, from, false)) < 0)
		return error;
	if (to && to->type)
		error = cache_option(argv, to, true);
	return error;
}

int docker_build_argv(struct strvec *argv, const struct engine *e, const struct build_request *req)
{
	int error;

	docker_argv_init(argv, e);
	strvec_push(argv, "buildx");
	strvec_push(argv, "build");
	strvec_push(argv, "--progress=rawjson");
	if (req->metadata_file)
		push_flag(argv, "--metadata-file", req->metadata_file);
	if (req->network)
		push_flag(argv, "--network", req->network);
	builder_common_flags(argv, req);
	if ((error = docker_cache_options(argv, &req->cache_from, &req->cache_to)) < 0)
		return error;
	/* the image exporter of the docker driver stores the image and pushes it */
	if (req->output)
		push_flag(argv, "--output", req->output);
	else if (req->push)
		push_flag(argv, "--output", "type=image,push=true");
	else
		strvec_push(argv, "--load");
	strvec_push(argv, req->context);
	return 0;
}

/* Whether the run that named an image "PREFIX<stamp>-<pid>/..." or, as a
 * tag in [registry]'s repository, "PREFIX<stamp>-<pid>-..." (rest: what
 * follows PREFIX; the stamp has no '-') is still running on this machine:
 * its images are not leftovers, even when it holds another engine lock than
 * ours (another TMPDIR). A run on another machine cannot be seen: the lock
 * covers it. */
static bool run_alive(const char *rest)
{
	const char *dash = strchr(rest, '-');
	char *end;
	long pid;

	if (!dash || dash == rest)
		return false;
	pid = strtol(dash + 1, &end, 10);
	if (end == dash + 1 || (*end != '/' && *end != '-'))
		return false;
	return pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Whether an image line "REPOSITORY:TAG" belongs to the run whose marker
 * is given (marker != NULL), or to any run that is no longer running
 * (prefix != NULL): its repository starts with prefix, after the registry
 * host when there is one (a first part with a dot or a colon, or
 * "localhost"), or its tag does (an image in [registry]'s repository). */
static bool run_image(const char *line, const char *marker, const char *prefix)
{
	const char *slash = strchr(line, '/'), *tag = strrchr(line, ':');
	size_t host = slash ? (size_t)(slash - line) : 0, n;

	if (marker)
		return *marker && strstr(line, marker);
	if (!prefix || !*prefix)
		return false;
	n = strlen(prefix);
	if (tag && (!strrchr(line, '/') || tag > strrchr(line, '/')) && !strncmp(tag + 1, prefix, n))
		return !run_alive(tag + 1 + n);
	if (slash && (memchr(line, '.', host) || memchr(line, ':', host) ||
		      !strncmp(line, "localhost/", 10)))
		line = slash + 1;
	return !strncmp(line, prefix, n) && !run_alive(line + n);
}

/* Remove the images run_image() picks with one `docker image rm -f`; how
 * many in *removed (may be NULL). */
static int remove_run_images(int *removed, const struct engine *e, const char *marker,
			     const char *prefix)
{
	const char *list[] = {"image", "ls", "--format", "{{.Repository}}:{{.Tag}}", NULL};
	struct strvec rm = {0};
	char *out = NULL, *line, *save = NULL, *err = NULL;
	int status = 0, error;

	if (removed)
		*removed = 0;
	if ((error = docker_query(&out, NULL, &status, e, list)) < 0)
		goto done;
	if (status != 0) {
		error = bench_error_set(BENCH_ERROR, "cannot list the images to remove");
		goto done;
	}
	strvec_push(&rm, "image");
	strvec_push(&rm, "rm");
	strvec_push(&rm, "-f");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (run_image(line, marker, prefix))
			strvec_push(&rm, line);
	if (rm.n > 3) {
		free(out);
		out = NULL;
		/* deleting an image (not only a tag) takes the engine a while each:
		 * 0.3 to 1 s on a busy 2-core machine */
		if ((error = docker_query_timeout(&out, &err, &status, e, strvec_argv(&rm),
						  QUERY_TIMEOUT + IMAGE_RM_SECONDS * (double)(rm.n - 3))) < 0)
			goto done;
		if (status != 0) {
			error = bench_error_set(BENCH_ERROR, "cannot remove the run's images: %s",
						first_line(err));
			goto done;
		}
		if (removed)
			*removed = (int)rm.n - 3;
	}
done:
	strvec_release(&rm);
	free(out);
	free(err);
	return error;
}

int docker_remove_images(const struct engine *e, const char *marker)
{
	return remove_run_images(NULL, e, marker ? marker : "", NULL);
}

int docker_remove_leftover_images(int *removed, const struct engine *e, const char *prefix)
{
	return remove_run_images(removed, e, NULL, prefix);
}

int docker_reset_runner(const struct engine *e, const char *marker)
{
	const char *prune[] = {"builder", "prune", "-af", NULL};
	char *out = NULL, *err = NULL;
	int status = 0, error;

	if ((error = docker_remove_images(e, marker)) < 0)
		return error;
	if ((error = docker_query(&out, &err, &status, e, prune)) < 0)
		goto done;
	if (status != 0)
		error = bench_error_set(BENCH_ERROR, "docker builder prune failed: %s", first_line(err));
done:
	free(out);
	free(err);
	return error;
}

int docker_image_size(int64_t *out, const struct engine *e, const char *ref)
{
	const char *args[] = {"image", "inspect", "--format", "{{.Size}}", ref, NULL};
	char *text = NULL;
	int status = 0, error;

	*out = 0;
	if ((error = docker_query(&text, NULL, &status, e, args)) < 0)
		goto done;
	if (status != 0 || !text) {
		error = bench_error_set(BENCH_ENOTFOUND, "image '%s' not found", ref);
		goto done;
	}
	*out = strtoll(text, NULL, 10);
done:
	free(text);
	return error;
}

int docker_image_exists(bool *out, const struct engine *e, const char *ref)
{
	const char *args[] = {"image", "inspect", "--format", "{{.Id}}", ref, NULL};
	char *text = NULL;
	int status = 0, error;

	*out = false;
	if ((error = docker_query(&text, NULL, &status, e, args)) == 0)
		*out = status == 0;
	free(text);
	return error;
}

/* Run `docker ARGS` for its exit status; a failure says what with its first
 * line of stderr. */
static int docker_do(const struct engine *e, const char *const *args, double timeout, const char *what)
{
	char *out = NULL, *err = NULL;
	int status = 0, error;

	if ((error = docker_query_timeout(&out, &err, &status, e, args, timeout)) == 0 && status != 0)
		error = bench_error_set(BENCH_ERROR, "%s failed (exit %d): %s", what, status,
					first_line(err && *err ? err : out));
	free(out);
	free(err);
	return error;
}

int docker_image_remove(const struct engine *e, const char *ref)
{
	const char *args[] = {"image", "rm", "-f", ref, NULL};
	return docker_do(e, args, QUERY_TIMEOUT, "docker image rm");
}

int docker_image_save(const struct engine *e, const char *ref, const char *tar)
{
	const char *args[] = {"image", "save", "-o", tar, ref, NULL};
	return docker_do(e, args, TRANSFER_TIMEOUT, "docker image save");
}

int docker_image_load(const struct engine *e, const char *tar)
{
	const char *args[] = {"image", "load", "-q", "-i", tar, NULL};
	return docker_do(e, args, TRANSFER_TIMEOUT, "docker image load");
}

void docker_push_argv(struct strvec *argv, const struct engine *e, const char *ref)
{
	docker_argv_init(argv, e);
	strvec_push(argv, "push");
	strvec_push(argv, "-q");
	strvec_push(argv, ref);
}

void docker_import_argv(struct strvec *argv, const struct engine *e, const char *tar, const char *ref,
			const char *const *changes, const char *message)
{
	docker_argv_init(argv, e);
	strvec_push(argv, "import");
	for (; changes && *changes; changes++)
		push_flag(argv, "--change", *changes);
	if (message)
		push_flag(argv, "--message", message);
	strvec_push(argv, tar);
	strvec_push(argv, ref);
}

void docker_run_argv(struct strvec *argv, const struct engine *e, const char *ref, const char *network,
		     const char *const *cmd)
{
	docker_argv_init(argv, e);
	strvec_push(argv, "run");
	strvec_push(argv, "--rm");
	if (network)
		push_flag(argv, "--network", network);
	strvec_push(argv, ref);
	for (; cmd && *cmd; cmd++)
		strvec_push(argv, *cmd);
}

/* ---- the BuildKit builder: `docker buildx build` on the engine ---- */

/* "v0.20.1", "0.20.1", "28.5.2+dfsg4": major and minor, or false. */
static bool parse_version(int *major, int *minor, const char *v)
{
	if (!v)
		return false;
	if (*v == 'v')
		v++;
	return sscanf(v, "%d.%d", major, minor) == 2;
}

bool docker_speaks_gha_v2(const char *buildkit, const char *server)
{
	int major, minor;

	if (parse_version(&major, &minor, buildkit) && (major > 0 || minor > 0))
		return major > 0 || minor >= 20;
	if (parse_version(&major, &minor, server))
		return major >= 28;
	return true;
}

static int buildkit_preflight(const struct engine *e, const struct builder_needs *needs)
{
	int error = docker_preflight(e, needs && needs->cache_export);

	if (error == 0 && needs && needs->gha && !docker_speaks_gha_v2(answered.buildkit, answered.server))
		error = bench_error_set(BENCH_ESETUP,
			"%s speaks only GitHub's cache service v1 (dockerd %s, BuildKit %s), which GitHub "
			"shut down on 15 April 2025 and the world does not emulate: cache = gha needs "
			"BuildKit >= 0.20 (dockerd >= 28; scripts/setup installs one), or use another cache",
			engine_describe(e), answered.server ? answered.server : "?",
			answered.buildkit ? answered.buildkit : "unknown");
	return error;
}

static void buildkit_print_reset(FILE *f, const struct engine *e, const char *marker)
{
	struct strvec argv = {0};
	size_t i;

	docker_argv_init(&argv, e);
	for (i = 0; i < argv.n; i++)
		fprintf(f, "%s ", argv.v[i]);
	fprintf(f, "builder prune -af   # and remove the run's images (%s*)\n", marker);
	strvec_release(&argv);
}

static int buildkit_import_base(const struct engine *e, const char *ref)
{
	bool there = false;
	int error;

	if ((error = docker_image_exists(&there, e, ref)) < 0)
		return error;
	if (!there)
		return bench_error_set(BENCH_ESETUP, "base image '%s' is not in %s's image store", ref,
				       engine_describe(e));
	return 0;
}

/* BuildKit's cache types, as cache_types below spells them (test_builder
 * checks that each one has its argv) */
static const char *const buildkit_cache_types[] = {"local", "registry", "gha", "inline", NULL};

/* Besides its cache types, BuildKit does every option the scenario knows */
static const char *buildkit_unsupported(const struct scenario *sc, const struct variant *v)
{
	(void)sc;
	(void)v;
	return NULL;
}

static int buildkit_copy_image(const struct engine *to, const struct engine *from, const char *ref, const char *dir)
{
	bool there = false;
	char *name, *tar;
	int error;

	if ((error = docker_image_exists(&there, to, ref)) < 0 || there)
		return error;
	if ((error = docker_image_exists(&there, from, ref)) < 0)
		return error;
	if (!there) {
		char *to_name = xstrdup(engine_describe(to));
		error = bench_error_set(BENCH_ENOTFOUND, "image '%s' is neither in %s nor in %s", ref, to_name,
					engine_describe(from));
		free(to_name);
		return error;
	}
	name = builder_ref_name(ref);
	tar = xasprintf("%s/%s.tar", dir, name);
	if ((error = mkdir_p(dir)) == 0 && (error = docker_image_save(from, ref, tar)) == 0)
		error = docker_image_load(to, tar);
	unlink(tar);
	if (error < 0)
		error = bench_error_wrap(error, "cannot copy image '%s' to %s", ref, engine_describe(to));
	free(tar);
	free(name);
	return error;
}

const struct builder builder_buildkit = {
	.name = "buildkit",
	.command = "docker buildx build",
	.parser = &parser_rawjson,
	.preflight = buildkit_preflight,
	.environment = docker_environment,
	.reset = docker_reset_runner,
	.print_reset = buildkit_print_reset,
	.remove_images = docker_remove_images,
	.remove_image = docker_image_remove,
	.remove_leftovers = docker_remove_leftover_images,
	.build_argv = docker_build_argv,
	.cache_types = buildkit_cache_types,
	.cache_options = docker_cache_options,
	.image_size = docker_image_size,
	.push_argv = docker_push_argv,
	.import_base = buildkit_import_base,
	.unsupported = buildkit_unsupported,
	.finish = docker_reset_runner,
	.copy_image = buildkit_copy_image,
};
