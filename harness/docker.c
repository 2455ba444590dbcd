/*
 * docker.c: the questions bench asks the docker CLI (versions, preflight
 * checks, image sizes, runner resets, removing a run's images) and the argv
 * of a build. Every call
 * goes through proc.h as an argv; nothing here builds a command line.
 */
#include "docker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"
#include "proc.h"

#define QUERY_TIMEOUT 60.0

const char *docker_cli(void)
{
	const char *env = getenv("BENCH_DOCKER");
	return env && *env ? env : "docker";
}

/* The first line of text, trimmed, in a static buffer (for messages). */
static const char *first_line(const char *text)
{
	static char line[512];
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
static int docker_query(char **out, char **err, int *status, const char *const *args)
{
	struct strvec argv = {0};
	int error;
	strvec_push(&argv, docker_cli());
	for (; *args; args++)
		strvec_push(&argv, *args);
	error = proc_capture(out, err, status, strvec_argv(&argv), QUERY_TIMEOUT);
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

static bool builder_can_export_cache(void)
{
	const char *inspect[] = {"buildx", "inspect", NULL};
	const char *info[] = {"info", "--format", "{{json .DriverStatus}}", NULL};
	char *out = NULL;
	int status = 0;
	bool ok = false;

	if (docker_query(&out, NULL, &status, inspect) == 0 && status == 0 && out &&
	    strstr(out, "docker-container"))
		ok = true;
	free(out);
	out = NULL;
	if (!ok && docker_query(&out, NULL, &status, info) == 0 && status == 0 && out &&
	    strstr(out, "io.containerd.snapshotter"))
		ok = true;
	free(out);
	return ok;
}

int docker_preflight(bool need_cache_export)
{
	const char *client[] = {"version", "--format", "{{.Client.Version}}", NULL};
	const char *server[] = {"version", "--format", "{{.Server.Version}}", NULL};
	const char *buildx[] = {"buildx", "version", NULL};
	char *out = NULL, *err = NULL;
	int status = 0, error;

	if ((error = docker_query(&out, &err, &status, client)) < 0)
		goto done;
	free(out);
	free(err);
	out = err = NULL;
	if ((error = docker_query(&out, &err, &status, server)) < 0)
		goto done;
	if (status != 0) {
		const char *host = getenv("DOCKER_HOST");
		error = bench_error_set(BENCH_ESETUP,
			"docker daemon not answering at %s: start dockerd (scripts/setup starts it) "
			"and check 'docker info'; docker said: %s",
			host && *host ? host : "the default socket", first_line(err && *err ? err : out));
		goto done;
	}
	free(out);
	free(err);
	out = err = NULL;
	if ((error = docker_query(&out, &err, &status, buildx)) < 0)
		goto done;
	if (status != 0) {
		error = bench_error_set(BENCH_ESETUP,
			"docker buildx not found: install the buildx plugin (Debian: docker-buildx, "
			"in /usr/libexec/docker/cli-plugins) or run scripts/setup; docker said: %s",
			first_line(err && *err ? err : out));
		goto done;
	}
	if (need_cache_export && !builder_can_export_cache()) {
		error = bench_error_set(BENCH_ESETUP,
			"the current buildx builder (driver 'docker') cannot export a build cache: "
			"enable the containerd image store ({\"features\":{\"containerd-snapshotter\":true}} "
			"in /etc/docker/daemon.json, then restart dockerd) or use a docker-container "
			"builder ('docker buildx create --use')");
		goto done;
	}
	error = 0;
done:
	free(out);
	free(err);
	return error;
}

static json_t *query_string(const char *const *args)
{
	char *out = NULL;
	int status = 0;
	json_t *value = json_null();
	if (docker_query(&out, NULL, &status, args) == 0 && status == 0 && out) {
		chomp(out);
		json_decref(value);
		value = json_string(out);
	}
	free(out);
	bench_error_clear();
	return value;
}

int docker_environment(json_t **out)
{
	const char *client[] = {"version", "--format", "{{.Client.Version}}", NULL};
	const char *server[] = {"version", "--format", "{{.Server.Version}}", NULL};
	const char *buildx[] = {"buildx", "version", NULL};
	const char *driver[] = {"info", "--format", "{{.Driver}}", NULL};
	const char *ncpu[] = {"info", "--format", "{{.NCPU}} {{.MemTotal}}", NULL};
	struct utsname un;
	struct sysinfo si;
	json_t *env = json_object(), *daemon_res;
	char host[256] = "";

	json_object_set_new(env, "docker_client", query_string(client));
	json_object_set_new(env, "docker_server", query_string(server));
	json_object_set_new(env, "buildx", query_string(buildx));
	json_object_set_new(env, "storage_driver", query_string(driver));
	daemon_res = query_string(ncpu);
	json_object_set_new(env, "daemon_cpus_memory", daemon_res);
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
	*out = env;
	return 0;
}

void docker_build_argv(struct strvec *argv, const struct build_request *req)
{
	const char *const *p;

	strvec_push(argv, docker_cli());
	strvec_push(argv, "buildx");
	strvec_push(argv, "build");
	strvec_push(argv, "--progress=rawjson");
	if (req->metadata_file) {
		strvec_push(argv, "--metadata-file");
		strvec_push(argv, req->metadata_file);
	}
	if (req->network) {
		strvec_push(argv, "--network");
		strvec_push(argv, req->network);
	}
	strvec_push(argv, "-f");
	strvec_push(argv, req->dockerfile);
	strvec_push(argv, "-t");
	strvec_push(argv, req->tag);
	if (req->target) {
		strvec_push(argv, "--target");
		strvec_push(argv, req->target);
	}
	for (p = req->build_args; p && *p; p++) {
		strvec_push(argv, "--build-arg");
		strvec_push(argv, *p);
	}
	for (p = req->secrets; p && *p; p++) {
		strvec_push(argv, "--secret");
		strvec_push(argv, *p);
	}
	if (req->cache_from) {
		strvec_push(argv, "--cache-from");
		strvec_push(argv, req->cache_from);
	}
	if (req->cache_to) {
		strvec_push(argv, "--cache-to");
		strvec_push(argv, req->cache_to);
	}
	if (req->push) {
		/* the image exporter of the docker driver stores the image and pushes it */
		strvec_push(argv, "--output");
		strvec_push(argv, "type=image,push=true");
	} else {
		strvec_push(argv, "--load");
	}
	strvec_push(argv, req->context);
}

/* Whether an image line "REPOSITORY:TAG" belongs to a bench run: the one
 * whose marker is given, or (marker NULL) any run's: its repository starts
 * with DOCKER_RUN_MARKER_PREFIX, after the registry host when there is one
 * (a first part with a dot or a colon, or "localhost"). */
static bool run_image(const char *line, const char *marker)
{
	const char *slash = strchr(line, '/');
	size_t host = slash ? (size_t)(slash - line) : 0;

	if (marker)
		return *marker && strstr(line, marker);
	if (slash && (memchr(line, '.', host) || memchr(line, ':', host) ||
		      !strncmp(line, "localhost/", 10)))
		line = slash + 1;
	return !strncmp(line, DOCKER_RUN_MARKER_PREFIX, strlen(DOCKER_RUN_MARKER_PREFIX));
}

/* Remove the images run_image() picks with one `docker image rm -f`; the
 * number removed in *removed (may be NULL). */
static int remove_run_images(int *removed, const char *marker)
{
	const char *list[] = {"image", "ls", "--format", "{{.Repository}}:{{.Tag}}", NULL};
	struct strvec rm = {0};
	char *out = NULL, *line, *save = NULL, *err = NULL;
	int status = 0, error;

	if (removed)
		*removed = 0;
	if ((error = docker_query(&out, NULL, &status, list)) < 0)
		goto done;
	if (status != 0) {
		error = bench_error_set(BENCH_ERROR, "cannot list the images to remove");
		goto done;
	}
	strvec_push(&rm, "image");
	strvec_push(&rm, "rm");
	strvec_push(&rm, "-f");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (run_image(line, marker))
			strvec_push(&rm, line);
	if (rm.n > 3) {
		free(out);
		out = NULL;
		if ((error = docker_query(&out, &err, &status, strvec_argv(&rm))) < 0)
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

int docker_remove_images(const char *tag_marker)
{
	return remove_run_images(NULL, tag_marker);
}

int docker_remove_leftover_images(int *removed)
{
	return remove_run_images(removed, NULL);
}

int docker_reset_runner(const char *tag_marker)
{
	const char *prune[] = {"builder", "prune", "-af", NULL};
	char *out = NULL, *err = NULL;
	int status = 0, error;

	if ((error = remove_run_images(NULL, tag_marker)) < 0)
		return error;
	if ((error = docker_query(&out, &err, &status, prune)) < 0)
		goto done;
	if (status != 0)
		error = bench_error_set(BENCH_ERROR, "docker builder prune failed: %s", first_line(err));
done:
	free(out);
	free(err);
	return error;
}

int docker_image_size(int64_t *out, const char *tag)
{
	const char *args[] = {"image", "inspect", "--format", "{{.Size}}", tag, NULL};
	char *text = NULL;
	int status = 0, error;

	*out = 0;
	if ((error = docker_query(&text, NULL, &status, args)) < 0)
		goto done;
	if (status != 0 || !text) {
		error = bench_error_set(BENCH_ENOTFOUND, "image '%s' not found", tag);
		goto done;
	}
	*out = strtoll(text, NULL, 10);
done:
	free(text);
	return error;
}

/*
 * The image's size follows from its config (the config lists the layers),
 * so a build whose metadata file names a config digest already measured (a
 * fully cached build) has that size; docker is asked only about a new one.
 * A metadata file without "containerimage.config.digest" (another driver or
 * exporter) means asking every time.
 */
int docker_image_size_known(int64_t *out, json_t *known, const char *metadata_file, const char *tag)
{
	json_t *meta = metadata_file ? json_load_file(metadata_file, 0, NULL) : NULL;
	const char *config = json_string_value(json_object_get(meta, "containerimage.config.digest"));
	json_t *size = config ? json_object_get(known, config) : NULL;
	int error = 0;

	if (json_is_integer(size)) {
		*out = (int64_t)json_integer_value(size);
	} else if ((error = docker_image_size(out, tag)) == 0 && config && known) {
		json_object_set_new(known, config, json_integer((json_int_t)*out));
	}
	json_decref(meta);
	return error;
}

int docker_image_exists(bool *out, const char *ref)
{
	const char *args[] = {"image", "inspect", "--format", "{{.Id}}", ref, NULL};
	char *text = NULL;
	int status = 0, error;

	*out = false;
	if ((error = docker_query(&text, NULL, &status, args)) == 0)
		*out = status == 0;
	free(text);
	return error;
}
