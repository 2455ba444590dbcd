/*
 * world/registry.c: run Debian's docker-registry on a free loopback port for
 * the duration of a bench run (see registry.h).
 *
 * The long-running server is started with proc_start (its own process
 * group, stdout/stderr appended to a log file, exec failure reported as an
 * error). The registry owns its child: registry_stop ends it with proc_kill.
 */
#include "world/registry.h"
#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "lib/util.h"

#include <jansson.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_NS 10000000000ull
#define STOP_GRACE_SECONDS 5.0

struct registry {
	struct proc proc; /* docker-registry serve, while running */
	int port;
	char addr[32];
	char nonce[48];  /* sent back in every response: this registry answered */
	char *dir;      /* work_dir/registry */
	char *log_path;
	bool keep;      /* registry_stop leaves dir */
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The docker-registry executable from PATH, or NULL. Caller frees. */
static char *find_registry_binary(void)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL, *found = NULL;

	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(*d ? d : ".", "docker-registry");
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

/* A port the kernel considers free right now: bind :0, read it, close. */
static int free_port(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return bench_error_errno(BENCH_ERROR, "cannot create a socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		rc = bench_error_errno(BENCH_ERROR, "cannot find a free port on 127.0.0.1");
	else
		*port = ntohs(sa.sin_port);
	close(fd);
	return rc;
}

/* A minimal HTTP/1.0 GET on 127.0.0.1:port with 5 s socket timeouts.
 * Returns 0 and the status/body (and the header lines when head is not
 * NULL), or -1 when nothing answers (errno kept). */
static int http_get_accept(int *status, char **body, char **head, int port, const char *path,
			   const char *accept);

static int http_get(int *status, char **body, char **head, int port, const char *path)
{
	return http_get_accept(status, body, head, port, path, "application/json");
}

static int http_get_accept(int *status, char **body, char **head, int port, const char *path,
			   const char *accept)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	struct strbuf resp = { 0 };
	char buf[4096], *req = NULL;
	int fd, rc = -1;
	ssize_t n;
	size_t off = 0;

	*status = 0;
	if (body)
		*body = NULL;
	if (head)
		*head = NULL;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto done;
	req = xasprintf("GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\n\r\n", path, port, accept);
	while (off < strlen(req)) {
		n = send(fd, req + off, strlen(req) - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;
		off += (size_t)n;
	}
	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto done;
		strbuf_add(&resp, buf, (size_t)n);
	}
	if (!resp.buf || sscanf(resp.buf, "HTTP/%*s %d", status) != 1) {
		errno = EPROTO;
		goto done;
	}
	if (body) {
		char *b = strstr(resp.buf, "\r\n\r\n");
		*body = xstrdup(b ? b + 4 : "");
	}
	if (head) {
		char *end = strstr(resp.buf, "\r\n\r\n");
		*head = xstrndup(resp.buf, end ? (size_t)(end - resp.buf) : resp.len);
	}
	rc = 0;
done:
	{
		int saved = errno;
		close(fd);
		errno = saved;
	}
	free(req);
	strbuf_release(&resp);
	return rc;
}

/* The last line of the registry's log, for error messages. Caller frees. */
static char *log_tail(const char *log_path)
{
	char *text = NULL, *res;
	size_t len = 0, end;

	if (read_file(&text, &len, log_path) < 0) {
		bench_error_clear();
		return xstrdup("(no log)");
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	end = len;
	while (len && text[len - 1] != '\n')
		len--;
	res = end > len ? xstrndup(text + len, end - len) : xstrdup("(empty log)");
	free(text);
	return res;
}

/* Whether the response's header lines carry r's nonce: a server that got the
 * port between free_port and the registry's own bind answers without it. */
static bool answered_by(const struct registry *r, const char *head)
{
	char *line = xasprintf("\r\nX-Bench-Registry: %s", r->nonce);
	bool ours = head && strcasestr(head, line);

	free(line);
	return ours;
}

/* Wait until /v2/ answers 200 with r's nonce, the child dies, or 10 s pass. */
static int wait_ready(struct registry *r)
{
	monotime start = monotime_now();
	int status = 0;
	char *head = NULL;

	for (;;) {
		if (proc_poll(&r->proc)) {
			char *tail = log_tail(r->log_path);
			bench_error_set(BENCH_ESETUP, "docker-registry exited at start (%s %d): %s; see %s",
					r->proc.term_signal ? "signal" : "status",
					r->proc.term_signal ? r->proc.term_signal : r->proc.exit_code, tail, r->log_path);
			free(tail);
			return BENCH_ESETUP;
		}
		if (http_get(&status, NULL, &head, r->port, "/v2/") == 0 && status == 200 &&
		    answered_by(r, head)) {
			free(head);
			return 0;
		}
		free(head);
		head = NULL;
		if (monotime_now() - start > READY_TIMEOUT_NS)
			return bench_error_set(BENCH_ESETUP, "docker-registry on %s did not answer GET /v2/ with 200 "
					       "within 10 s (last status %d); see %s", r->addr, status, r->log_path);
		sleep_ms(50);
	}
}

int registry_start(struct registry **out, const char *work_dir)
{
	struct registry *r = xcalloc(1, sizeof(*r));
	char *bin = find_registry_binary(), *data = NULL, *config = NULL, *yml = NULL;
	int log_fd = -1, rc = 0, attempt;

	*out = NULL;
	r->dir = path_join(work_dir, "registry");
	r->log_path = path_join(r->dir, "registry.log");
	if (!bin) {
		rc = bench_error_set(BENCH_ESETUP, "docker-registry not found: apt-get install docker-registry "
				     "(or run scripts/setup)");
		goto done;
	}
	data = path_join(r->dir, "data");
	config = path_join(r->dir, "config.yml");
	if ((rc = mkdir_p(data)) < 0)
		goto done;
	if ((log_fd = open(r->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		rc = bench_error_errno(BENCH_EIO, "cannot open '%s'", r->log_path);
		goto done;
	}
	/* another program may take the port between free_port and the bind:
	 * then the registry exits at once (wait_ready knows the answers of
	 * that program by the missing nonce) and we try another port */
	snprintf(r->nonce, sizeof(r->nonce), "%d-%llx", (int)getpid(), (unsigned long long)monotime_now());
	for (attempt = 0; attempt < 3; attempt++) {
		const char *argv[] = { bin, "serve", config, NULL };

		if ((rc = free_port(&r->port)) < 0)
			goto done;
		snprintf(r->addr, sizeof(r->addr), "127.0.0.1:%d", r->port);
		free(yml);
		yml = xasprintf("version: 0.1\n"
				"log:\n  level: warn\n  accesslog:\n    disabled: true\n"
				"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
				"  maintenance:\n    uploadpurging:\n      enabled: false\n"
				"http:\n  addr: %s\n  headers:\n    X-Bench-Registry: [\"%s\"]\n",
				data, r->addr, r->nonce);
		if ((rc = write_file_atomic(config, yml, strlen(yml))) < 0)
			goto done;
		memset(&r->proc, 0, sizeof(r->proc));
		r->proc.argv = argv;
		r->proc.output_fd = log_fd;
		if ((rc = proc_start(&r->proc)) < 0) {
			rc = bench_error_wrap(BENCH_ESETUP, "cannot start the registry");
			goto done;
		}
		if ((rc = wait_ready(r)) == 0 || r->proc.running)
			break;
	}
	r->proc.argv = NULL; /* its strings are freed below; the child has them */
done:
	if (log_fd >= 0)
		close(log_fd);
	if (rc < 0) { /* keep registry.log for the message; work_dir is the caller's */
		proc_kill(&r->proc, STOP_GRACE_SECONDS);
		free(r->dir);
		free(r->log_path);
		free(r);
		r = NULL;
	}
	*out = r;
	free(bin);
	free(data);
	free(config);
	free(yml);
	return rc;
}

const char *registry_address(const struct registry *r)
{
	return r->addr;
}

int registry_port(const struct registry *r)
{
	return r->port;
}

int registry_get(int *status, char **body, const struct registry *r, const char *path)
{
	if (http_get(status, body, NULL, r->port, path) < 0)
		return bench_error_errno(BENCH_ERROR, "cannot GET http://%s%s", r->addr, path);
	return 0;
}

int registry_manifest_digest(char **digest, const struct registry *r, const char *name, const char *tag)
{
	static const char accept[] = "application/vnd.oci.image.index.v1+json, "
		"application/vnd.oci.image.manifest.v1+json, "
		"application/vnd.docker.distribution.manifest.list.v2+json, "
		"application/vnd.docker.distribution.manifest.v2+json";
	char *path = xasprintf("/v2/%s/manifests/%s", name, tag), *head = NULL, *line;
	int status = 0, error = 0;

	*digest = NULL;
	if (http_get_accept(&status, NULL, &head, r->port, path, accept) < 0) {
		error = bench_error_errno(BENCH_ERROR, "cannot GET http://%s%s", r->addr, path);
	} else if (status == 200 && (line = strcasestr(head, "\r\nDocker-Content-Digest:"))) {
		line += strlen("\r\nDocker-Content-Digest:");
		line += strspn(line, " ");
		*digest = xstrndup(line, strcspn(line, "\r\n "));
	} else if (status != 404) {
		error = bench_error_set(BENCH_ERROR, "GET http://%s%s answered %d without a digest", r->addr, path,
					status);
	}
	free(head);
	free(path);
	return error;
}

/* The manifest media types a registry answers with. */
#define MANIFEST_TYPES "application/vnd.oci.image.index.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

static bool is_manifest_type(const char *type)
{
	return type && (strstr(type, "manifest") || strstr(type, "image.index"));
}

/* Add descriptor e's size to *bytes, once per digest (seen). */
static void add_blob(int64_t *bytes, struct strvec *seen, json_t *e)
{
	const char *digest = json_string_value(json_object_get(e, "digest"));
	size_t i;

	for (i = 0; digest && i < seen->n; i++)
		if (!strcmp(seen->v[i], digest))
			return;
	if (digest)
		strvec_push(seen, digest);
	*bytes += json_integer_value(json_object_get(e, "size"));
}

/* Add the bytes of the blobs manifest `ref` (a tag or a digest) of repo
 * names to *bytes, each blob once: an image manifest's config and layers; an index's
 * entries, recursing into those that are manifests (an image's platforms)
 * and adding the others as blobs (a BuildKit cache index lists its layers
 * and its cache config directly). */
static int manifest_bytes(int64_t *bytes, struct strvec *seen, const struct registry *r, const char *repo,
			  const char *ref, int depth)
{
	char *path = xasprintf("/v2/%s/manifests/%s", repo, ref), *body = NULL;
	json_t *m = NULL, *list, *e;
	int status = 0, error = 0;
	size_t i;

	if (depth > 2) {
		error = bench_error_set(BENCH_ERROR, "manifest %s of %s nests too deep", ref, repo);
		goto done;
	}
	if (http_get_accept(&status, &body, NULL, r->port, path, MANIFEST_TYPES) < 0) {
		error = bench_error_errno(BENCH_ERROR, "cannot GET http://%s%s", r->addr, path);
		goto done;
	}
	if (status != 200 || !(m = json_loads(body, 0, NULL)) || !json_is_object(m)) {
		error = bench_error_set(BENCH_ENOTFOUND, "no manifest %s:%s in the registry (status %d)",
					repo, ref, status);
		goto done;
	}
	if ((list = json_object_get(m, "manifests"))) {
		json_array_foreach(list, i, e) {
			const char *type = json_string_value(json_object_get(e, "mediaType"));
			const char *digest = json_string_value(json_object_get(e, "digest"));
			if (is_manifest_type(type) && digest) {
				if ((error = manifest_bytes(bytes, seen, r, repo, digest, depth + 1)) < 0)
					goto done;
			} else {
				add_blob(bytes, seen, e);
			}
		}
	} else {
		add_blob(bytes, seen, json_object_get(m, "config"));
		json_array_foreach(json_object_get(m, "layers"), i, e)
			add_blob(bytes, seen, e);
	}
done:
	json_decref(m);
	free(body);
	free(path);
	return error;
}

int registry_manifest_bytes(int64_t *bytes, const struct registry *r, const char *repo,
			    const char *tag)
{
	struct strvec seen = {0};
	int error;

	*bytes = 0;
	error = manifest_bytes(bytes, &seen, r, repo, tag, 0);
	strvec_release(&seen);
	return error;
}

void registry_keep(struct registry *r)
{
	r->keep = true;
}

void registry_stop(struct registry *r)
{
	if (!r)
		return;
	proc_kill(&r->proc, STOP_GRACE_SECONDS);
	if (!r->keep)
		rm_rf(r->dir);
	free(r->dir);
	free(r->log_path);
	free(r);
}
