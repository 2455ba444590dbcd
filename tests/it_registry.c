/*
 * it_registry.c: real backends without [world], on the real engine. A
 * team's registry is Debian's docker-registry (distribution 2.8) on
 * 127.0.0.1 with htpasswd (bcrypt) authentication and TLS from a CA of the
 * test's own, which the engine trusts through /etc/docker/certs.d/HOST:PORT;
 * the user's `docker login` to it goes into a DOCKER_CONFIG of the test's
 * own, which the run's docker and buildx calls read (bench passes no
 * credential). A runner's GitHub cache service is the world's, started on
 * its own, with ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN set as a
 * runner sets them. One `bench run` of the tiny fixture (its last two
 * commits, cold then warm, ephemeral runners) with a [registry] section and no [world]:
 *   - registry: push = yes and cache = registry into the registry; the
 *     warm builds have cached steps (only the registry can give them);
 *   - inline: push = yes, the cache inside the pushed image, read back;
 *   - gha: the runner's service, found by buildx in its environment; its
 *     counters show the exports and the hits, and the token is nowhere in
 *     the results;
 * the registry holds the pushed tags and refuses anonymous requests; and a
 * run whose environment lacks ACTIONS_RUNTIME_TOKEN fails up front (exit 2)
 * naming it. Everything is removed at the end: the registry process, its
 * data, the certificates and the certs.d entry, the login.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ittest.h"
#include "lib/error.h"
#include "lib/monotonic.h"
#include "world/ghacache.h"

#define USER "bench-it"
#define PASSWORD "it-registry-secret"
#define REF "refs/heads/main"

static char *tmp;            /* this test's folder: certificates, registry data, DOCKER_CONFIG */
static int port;             /* the registry's */
static char *certs_d;        /* /etc/docker/certs.d/127.0.0.1:PORT */
static struct proc registry; /* docker-registry serve */
static int registry_log = -1;
static struct ghacache *gha; /* the runner's cache service */
static char *token;          /* its ACTIONS_RUNTIME_TOKEN */
static char *scenario, *results_dir;
static json_t *run;
static int run_status;
static char *run_stdout, *run_stderr;

/* A port nothing listens on now (the kernel's pick). */
static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

/* Run a set-up command; its stdout (caller frees), or NULL after printing
 * why it failed. */
static char *run_tool(const char *prog, const char *const *args)
{
	char *out = NULL, *err = NULL;
	int status = -1;

	if (it_capture(&out, &err, &status, prog, args, 120) < 0 || status != 0) {
		fprintf(stderr, "%s failed (exit %d): %s\n", prog, status, err ? err : bench_error_last());
		free(out);
		out = NULL;
	}
	free(err);
	return out;
}

/* A CA, and a certificate it signs for 127.0.0.1 (tmp/ca.crt, srv.crt,
 * srv.key). */
static int make_certs(void)
{
	char *ca_key = path_join(tmp, "ca.key"), *ca = path_join(tmp, "ca.crt");
	char *key = path_join(tmp, "srv.key"), *csr = path_join(tmp, "srv.csr"), *crt = path_join(tmp, "srv.crt");
	char *ext = path_join(tmp, "ext.cnf"), *serial = path_join(tmp, "ca.srl"), *out;
	const char *ca_args[] = {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
				 "-days", "1", "-subj", "/CN=bench it-registry CA", NULL};
	const char *req_args[] = {"req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
				  "/CN=127.0.0.1", NULL};
	const char *sign_args[] = {"x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAserial", serial,
				   "-CAcreateserial", "-out", crt, "-days", "1", "-extfile", ext, NULL};
	int ok = 0;

	it_write_text(ext, "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n");
	if ((out = run_tool("openssl", ca_args)) && (free(out), out = run_tool("openssl", req_args)) &&
	    (free(out), out = run_tool("openssl", sign_args)))
		ok = 1;
	free(out);
	free(ca_key), free(ca), free(key), free(csr), free(crt), free(ext), free(serial);
	return ok ? 0 : -1;
}

/* The registry's answer to GET /v2/PATH ("" when none), with the CA and,
 * when auth, the user's password. Caller frees. */
static char *registry_get(const char *path, bool auth, char **code)
{
	char *ca = path_join(tmp, "ca.crt"), *url = xasprintf("https://127.0.0.1:%d/v2/%s", port, path);
	char *out = NULL, *nl;
	const char *args[] = {"-s", "--cacert", ca, "-w", "\n%{http_code}", url, auth ? "-u" : NULL,
			      USER ":" PASSWORD, NULL};
	int status = -1;

	if (it_capture(&out, NULL, &status, "curl", args, 30) < 0 || !out) {
		free(out);
		out = xstrdup("\n000");
	}
	nl = strrchr(out, '\n');
	*code = xstrdup(nl ? nl + 1 : "000");
	if (nl)
		*nl = '\0';
	free(ca);
	free(url);
	return out;
}

/* docker-registry serve on 127.0.0.1:port with TLS and htpasswd, until it
 * answers (401: authentication required). */
static int start_registry(void)
{
	char *cfg = path_join(tmp, "registry.yml"), *log = path_join(tmp, "registry.log");
	char *htpasswd = path_join(tmp, "htpasswd"), *text, *pw, *code = NULL, *body;
	const char *hp_args[] = {"-Bbn", USER, PASSWORD, NULL};
	const char *argv[] = {"docker-registry", "serve", cfg, NULL};
	monotime t0 = monotime_now();
	int error = -1;

	if (!(pw = run_tool("htpasswd", hp_args)))
		goto done;
	it_write_text(htpasswd, pw);
	text = xasprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/data\n"
			 "http:\n  addr: 127.0.0.1:%d\n  secret: bench-it-registry\n  tls:\n"
			 "    certificate: %s/srv.crt\n    key: %s/srv.key\n"
			 "auth:\n  htpasswd:\n    realm: bench-it\n    path: %s\n", tmp, port, tmp, tmp, htpasswd);
	it_write_text(cfg, text);
	free(text);
	registry_log = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	registry = (struct proc){.argv = argv, .output_fd = registry_log};
	if (registry_log < 0 || proc_start(&registry) < 0)
		goto done;
	/* (a deadline for the start, not a timing the test measures) */
	while (monotime_seconds_since(t0) < 60 && !proc_poll(&registry)) {
		body = registry_get("", false, &code);
		free(body);
		if (!strcmp(code, "401")) {
			error = 0;
			break;
		}
		free(code);
		code = NULL;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	if (error)
		fprintf(stderr, "docker-registry did not answer on 127.0.0.1:%d (see %s)\n", port, log);
done:
	free(code);
	free(pw);
	free(cfg);
	free(log);
	free(htpasswd);
	return error;
}

/* The engine trusts the CA for 127.0.0.1:port (dockerd reads
 * /etc/docker/certs.d/HOST:PORT/ca.crt at each connection); the user logs
 * in, into DOCKER_CONFIG. */
static int trust_and_login(void)
{
	char *ca = path_join(tmp, "ca.crt"), *text = NULL, *dst, *config = path_join(tmp, "docker-config"), *out;
	char *host = xasprintf("127.0.0.1:%d", port);
	const char *login[] = {"login", host, "--username", USER, "--password", PASSWORD, NULL};
	int error;

	certs_d = xasprintf("/etc/docker/certs.d/%s", host);
	dst = path_join(certs_d, "ca.crt");
	if ((error = read_file(&text, NULL, ca)) == 0 && (error = mkdir_p(certs_d)) == 0)
		error = write_file_atomic(dst, text, strlen(text));
	if (error == 0 && (error = mkdir_p(config)) == 0) {
		setenv("DOCKER_CONFIG", config, 1); /* bench's docker and buildx read it too */
		out = run_tool("docker", login);
		error = out ? 0 : -1;
		free(out);
	}
	free(ca);
	free(text);
	free(dst);
	free(config);
	free(host);
	return error;
}

/* The runner's cache service: the world's, on its own, and the variables a
 * runner sets for buildx. */
static int start_gha(void)
{
	struct ghacache_settings s = {0};
	char *dir = path_join(tmp, "gha");
	int error;

	if ((error = ghacache_start(&gha, &s, dir)) == 0 &&
	    (error = ghacache_token_for_ref(&token, REF, REF, 3600)) == 0) {
		setenv("ACTIONS_RESULTS_URL", ghacache_url(gha), 1);
		setenv("ACTIONS_RUNTIME_TOKEN", token, 1);
		setenv("ACTIONS_CACHE_SERVICE_V2", "true", 1); /* the world's service is v2 */
	}
	free(dir);
	return error;
}

static int setup(void **state)
{
	char *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile"), *results, *rest;
	(void)state;

	tmp = xstrdup("/tmp/bench-it-registry-XXXXXX");
	if (!mkdtemp(tmp) || (port = free_port()) < 0 || make_certs() < 0 || start_registry() < 0 ||
	    trust_and_login() < 0 || start_gha() < 0) {
		fprintf(stderr, "it_registry set-up failed: %s\n", bench_error_last());
		free(df);
		return 0; /* the tests fail on the missing run */
	}
	scenario = path_join(tmp, "registry.ini");
	/* (the repository's Dockerfile from a scenario in /tmp: allowed, and said so) */
	rest = xasprintf("allow_outside = yes\n\n[registry]\nref = 127.0.0.1:%d/bench-it/app\n\n"
			 "[variant registry]\ndockerfile = %s\ncache = registry\npush = yes\n\n"
			 "[variant inline]\ndockerfile = %s\ncache = inline\npush = yes\n\n"
			 "[variant gha]\ndockerfile = %s\ncache = gha\ncache_scope = it-registry\n", port, df, df, df);
	it_write_scenario(scenario, "it-registry", "last:2", "5m", rest);
	results = path_join(tmp, "results");
	{
		const char *args[] = {"run", scenario, "--results", results, "--no-plot", NULL};
		run_status = it_bench(&run_stdout, &run_stderr, args);
	}
	results_dir = it_only_child(results);
	if (results_dir)
		run = it_load_run(results_dir, NULL);
	free(results);
	free(rest);
	free(df);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	proc_kill(&registry, 5);
	if (registry_log >= 0)
		close(registry_log);
	if (gha)
		ghacache_stop(gha);
	unsetenv("ACTIONS_RESULTS_URL");
	unsetenv("ACTIONS_RUNTIME_TOKEN");
	unsetenv("ACTIONS_CACHE_SERVICE_V2");
	unsetenv("DOCKER_CONFIG");
	if (certs_d) {
		rm_rf(certs_d);
		rmdir("/etc/docker/certs.d"); /* only when nothing else is left in it */
	}
	rm_rf(tmp); /* the certificates, the registry's data, the login */
	free(tmp);
	free(certs_d);
	free(token);
	free(scenario);
	free(results_dir);
	json_decref(run);
	free(run_stdout);
	free(run_stderr);
	return 0;
}

static json_t *build_of(const char *variant, int index)
{
	json_t *b;
	size_t i;
	json_array_foreach(json_object_get(run, "builds"), i, b)
		if (!strcmp(it_str(b, "variant"), variant) && it_num(b, "index") == index)
			return b;
	fail_msg("no build %d of %s", index, variant);
	return NULL;
}

static void test_run_ok(void **state)
{
	json_t *b;
	size_t i;
	(void)state;

	if (run_status != 0)
		fprintf(stderr, "bench run exited %d:\n%s\n%s\n", run_status, run_stdout ? run_stdout : "",
			run_stderr ? run_stderr : "");
	assert_int_equal(run_status, 0);
	assert_non_null(run);
	assert_int_equal(json_array_size(json_object_get(run, "builds")), 6);
	json_array_foreach(json_object_get(run, "builds"), i, b)
		assert_string_equal(it_str(b, "status"), "ok");
	/* run.json keeps the section, and no world */
	assert_non_null(json_object_get(json_object_get(json_object_get(run, "scenario"), "registry"), "ref"));
	assert_null(json_object_get(json_object_get(run, "scenario"), "world"));
}

/* Cold: nothing cached; warm, after the runner's reset: cached steps that
 * only the backend can have given. */
static void check_series(const char *variant)
{
	int i;

	assert_int_equal(it_num(build_of(variant, 1), "steps_cached"), 0);
	for (i = 1; i <= 2; i++) {
		json_t *b = build_of(variant, i);
		fprintf(stderr, "  %s %d: %lld/%lld steps cached, %.1f s\n", variant, i, it_num(b, "steps_cached"),
			it_num(b, "steps_total"), json_number_value(json_object_get(b, "wall_seconds")));
		if (i > 1)
			assert_true(it_num(b, "steps_cached") >= 1);
	}
}

static void test_registry_and_inline(void **state)
{
	char *code = NULL, *body, *tags;
	int i;
	(void)state;

	assert_non_null(run);
	check_series("registry");
	check_series("inline");
	/* the images went to the authenticated registry, as tags of the ref */
	tags = registry_get("bench-it/app/tags/list", true, &code);
	fprintf(stderr, "  tags: %s\n", tags);
	assert_string_equal(code, "200");
	for (i = 1; i <= 2; i++) {
		/* REF:MARKER-VARIANT-COMMIT-rREP */
		char *inl = xasprintf("-inline-%s-r1\"", it_str(build_of("inline", i), "short"));
		char *reg = xasprintf("-registry-%s-r1\"", it_str(build_of("registry", i), "short"));
		assert_non_null(strstr(tags, inl));
		assert_non_null(strstr(tags, reg));
		free(inl);
		free(reg);
	}
	assert_non_null(strstr(tags, "-registry-cache-r1"));
	free(code);
	free(tags);
	/* and it does not answer without the password */
	body = registry_get("bench-it/app/tags/list", false, &code);
	assert_string_equal(code, "401");
	free(code);
	free(body);
}

static void test_gha_from_the_runner_env(void **state)
{
	struct ghacache_counters c;
	char *cmd = NULL, *err = NULL;
	const char *grep[] = {"-rlF", token, results_dir, NULL};
	int status = -1;
	(void)state;

	assert_non_null(run);
	check_series("gha");
	ghacache_counters(&c, gha);
	fprintf(stderr, "  gha service: %lld committed, %lld hits, %lld B up, %lld B down\n", (long long)c.committed,
		(long long)c.hits, (long long)c.bytes_up, (long long)c.bytes_down);
	assert_true(c.committed >= 3);
	assert_true(c.hits >= 2);
	assert_int_equal(c.unauthorized, 0);
	/* the token never went into an argv, a log or run.json */
	assert_int_equal(it_capture(&cmd, &err, &status, "grep", grep, 60), 0);
	assert_int_equal(status, 1);
	free(cmd);
	free(err);
}

/* Outside a runner, gha without [world] stops before anything runs. */
static void test_gha_without_runner_env(void **state)
{
	char *path = path_join(tmp, "no-runner.ini"), *df = path_absolute("dockerfiles/tiny/multi-stage.Dockerfile");
	char *rest = xasprintf("allow_outside = yes\n\n[variant gha]\ndockerfile = %s\ncache = gha\n", df), *out = NULL, *err = NULL;
	const char *args[] = {"run", path, "--results", tmp, "--no-plot", NULL};
	(void)state;

	it_write_scenario(path, "it-no-runner", "last:2", "5m", rest);
	unsetenv("ACTIONS_RUNTIME_TOKEN");
	assert_int_equal(it_bench(&out, &err, args), 2);
	setenv("ACTIONS_RUNTIME_TOKEN", token, 1);
	fprintf(stderr, "  %s", err);
	assert_non_null(strstr(err, "no-runner.ini:8: variant 'gha': cache = gha without [world]"));
	assert_non_null(strstr(err, "ACTIONS_RUNTIME_TOKEN is not set"));
	free(out);
	free(err);
	free(rest);
	free(df);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_ok),
		cmocka_unit_test(test_registry_and_inline),
		cmocka_unit_test(test_gha_from_the_runner_env),
		cmocka_unit_test(test_gha_without_runner_env),
	};
	return cmocka_run_group_tests_name("integration: [registry] (TLS, htpasswd, docker login) and the "
					   "runner's gha, without [world]", tests, setup, teardown);
}
