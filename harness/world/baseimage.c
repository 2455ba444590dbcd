/*
 * world/baseimage.c: build the python:3.12.7-slim stand-in (see baseimage.h)
 * with debootstrap from this machine's own Debian mirror and `docker import`
 * (the argv from the engine operations the run lends, world_engine_ops) on
 * the run's engine.
 *
 * The rootfs is Debian bookworm's Python 3.11 dressed up for the blog's
 * Dockerfiles: pip may install as root (EXTERNALLY-MANAGED removed), apt has
 * no sources (so `apt-get update && apt-get install -y curl tar` succeeds
 * offline: both are installed already), and root's pip target, Debian's
 * /usr/local/lib/python3.11/dist-packages, is a symlink into the real folder
 * /usr/local/lib/python3.12/dist-packages, so the blog's
 * `COPY --from=deps /usr/local/lib/python3.12 ...` copies what pip installed.
 */
#include "world/baseimage.h"
#include "lib/error.h"
#include "lib/monotonic.h"
#include "lib/proc.h"
#include "lib/util.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define DEBOOTSTRAP_TIMEOUT 1800.0
#define DOCKER_TIMEOUT 600.0
#define PACKAGES "python3,python3-pip,python3-venv,curl,ca-certificates,tar"

struct logger {
	void (*fn)(void *ctx, const char *msg);
	void *ctx;
};

static void logf_(const struct logger *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const struct logger *lg, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!lg->fn)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		lg->fn(lg->ctx, msg);
	free(msg);
}

/* ---- the machine's Debian mirror ---------------------------------------- */

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return true;
	return false;
}

/* One deb822 stanza: usable when it is a "deb" entry, enabled, and neither its
 * URI nor its suites are the security archive. */
static bool stanza_ok(const char *types, const char *uris, const char *suites, bool enabled)
{
	return enabled && *uris && has_word(types, "deb") && !strstr(uris, "security") &&
	       !strstr(suites, "security");
}

static char *first_token(const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, " \t\r\n");
	return n ? xstrndup(s, n) : NULL;
}

static char *mirror_from_deb822(const char *text)
{
	char types[256] = "", uris[1024] = "", suites[256] = "";
	bool enabled = true;
	char *found = NULL;
	const char *line = text;

	for (;;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = xstrndup(line, len);
		char *v = strchr(l, ':');

		if (len == 0 || strspn(l, " \t\r") == len) {
			if (stanza_ok(types, uris, suites, enabled))
				found = first_token(uris);
			types[0] = uris[0] = suites[0] = '\0';
			enabled = true;
		} else if (l[0] != '#' && v) {
			*v++ = '\0';
			v += strspn(v, " \t");
			if (!strcasecmp(l, "Types"))
				snprintf(types, sizeof(types), "%s", v);
			else if (!strcasecmp(l, "URIs"))
				snprintf(uris, sizeof(uris), "%s", v);
			else if (!strcasecmp(l, "Suites"))
				snprintf(suites, sizeof(suites), "%s", v);
			else if (!strcasecmp(l, "Enabled"))
				enabled = strncasecmp(v, "no", 2) != 0;
		}
		free(l);
		if (found || !end)
			break;
		line = end + 1;
	}
	if (!found && stanza_ok(types, uris, suites, enabled))
		found = first_token(uris);
	return found;
}

/* One-line format: "deb [opts] URI suite components". */
static char *mirror_from_list(const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		char *l = xstrndup(line, end ? (size_t)(end - line) : strlen(line));
		char *save = NULL, *tok = strtok_r(l, " \t\r", &save);
		char *found = NULL;

		if (tok && !strcmp(tok, "deb")) {
			tok = strtok_r(NULL, " \t\r", &save);
			if (tok && tok[0] == '[') { /* options: skip up to the token ending in ']' */
				while (tok && !strchr(tok, ']'))
					tok = strtok_r(NULL, " \t\r", &save);
				if (tok)
					tok = strtok_r(NULL, " \t\r", &save);
			}
			if (tok && !strstr(tok, "security")) {
				char *suite = strtok_r(NULL, " \t\r", &save);
				if (!suite || !strstr(suite, "security"))
					found = xstrdup(tok);
			}
		}
		free(l);
		if (found)
			return found;
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

int world_apt_mirror(char **out, const char *apt_dir)
{
	char *pattern = xasprintf("%s/sources.list.d/*.sources", apt_dir ? apt_dir : "/etc/apt");
	char *list = xasprintf("%s/sources.list", apt_dir ? apt_dir : "/etc/apt");
	glob_t g;
	size_t i;
	int rc = 0;

	*out = NULL;
	memset(&g, 0, sizeof(g));
	if (glob(pattern, 0, NULL, &g) == 0)
		for (i = 0; i < g.gl_pathc && !*out; i++) {
			char *text = NULL;
			size_t len;
			if (read_file(&text, &len, g.gl_pathv[i]) == 0)
				*out = mirror_from_deb822(text);
			free(text);
		}
	if (!*out && path_exists(list)) {
		char *text = NULL;
		size_t len;
		if (read_file(&text, &len, list) == 0)
			*out = mirror_from_list(text);
		free(text);
	}
	if (!*out)
		rc = bench_error_set(BENCH_ESETUP, "cannot find this machine's Debian mirror: no 'URIs:' line in %s "
				     "and no 'deb' line in %s", pattern, list);
	globfree(&g);
	free(pattern);
	free(list);
	return rc;
}

/* ---- running the tools, output to a log file ----------------------------- */

struct tee {
	FILE *log;
	struct strbuf tail; /* the last bytes, for error messages */
};

static int tee_out(void *ctx, const char *buf, size_t len)
{
	struct tee *t = ctx;

	if (t->log)
		fwrite(buf, 1, len, t->log);
	strbuf_add(&t->tail, buf, len);
	if (t->tail.len > 4096) {
		memmove(t->tail.buf, t->tail.buf + t->tail.len - 2048, 2048);
		t->tail.len = 2048;
		t->tail.buf[2048] = '\0';
	}
	return 0;
}

/* The last non-empty line of the output, for messages. Caller frees. */
static char *last_line(const struct tee *t)
{
	const char *s = t->tail.buf ? t->tail.buf : "";
	size_t n = strlen(s), end;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	end = n;
	while (n && s[n - 1] != '\n')
		n--;
	return xstrndup(s + n, end - n);
}

/* Run argv with its output appended to log_path. *exit_code gets the
 * status; *tail (caller frees) the last line of output. */
static int run_logged(int *exit_code, char **tail, const char *log_path, const char *const *argv, double timeout)
{
	struct tee t = { fopen(log_path, "a"), { 0 } };
	struct proc p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.timeout_seconds = timeout;
	p.on_stdout = p.on_stderr = tee_out;
	p.ctx = &t;
	if (t.log) {
		fputs("$", t.log);
		for (const char *const *a = argv; *a; a++)
			fprintf(t.log, " %s", *a);
		fputc('\n', t.log);
	}
	rc = proc_run(&p);
	*exit_code = p.exit_code;
	*tail = last_line(&t);
	if (rc < 0)
		goto done;
	if (p.interrupted)
		rc = bench_error_set(BENCH_EINTERRUPTED, "'%s' was interrupted", argv[0]);
	else if (p.timed_out)
		rc = bench_error_set(BENCH_ERROR, "'%s' timed out after %gs, see %s", argv[0], timeout, log_path);
done:
	if (t.log)
		fclose(t.log);
	strbuf_release(&t.tail);
	return rc;
}

/* Run a step; any failure becomes "WHAT failed (exit N): LAST LINE; see LOG; HINT". */
static int step(const char *log_path, const char *what, const char *hint, const char *const *argv, double timeout)
{
	char *tail = NULL;
	int code = 0, rc = run_logged(&code, &tail, log_path, argv, timeout);

	if (rc == 0 && code != 0) {
		rc = bench_error_set(BENCH_ESETUP, "%s failed (exit %d): %s; see %s%s%s", what, code, tail,
				     log_path, hint ? "; " : "", hint ? hint : "");
	} else if (rc < 0 && rc != BENCH_EINTERRUPTED) {
		char *msg = xstrdup(bench_error_last());
		rc = bench_error_set(BENCH_ESETUP, "%s: %s%s%s", what, msg, hint ? "; " : "", hint ? hint : "");
		free(msg);
	}
	free(tail);
	return rc;
}

/* ---- the rootfs ------------------------------------------------------------ */

/* debootstrap mounts /proc, /sys and sometimes binds /dev into the target;
 * after a failure they may stay. Detach whatever is mounted below root so
 * that rm_rf can never walk into the host's /dev or /proc. */
static int unmount_below(const char *root)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[4096], mnt[4096];
	size_t n = strlen(root);
	int left = 0, pass;

	if (!f)
		return 0;
	for (pass = 0; pass < 4; pass++) {
		left = 0;
		rewind(f);
		while (fscanf(f, "%4095s %4095s %*[^\n]", dev, mnt) == 2)
			if (!strncmp(mnt, root, n) && (mnt[n] == '/' || mnt[n] == '\0')) {
				left++;
				umount2(mnt, MNT_DETACH);
			}
		if (!left)
			break;
		fclose(f);
		if (!(f = fopen("/proc/self/mounts", "r")))
			return 0;
	}
	fclose(f);
	return left && pass == 4 ? bench_error_set(BENCH_ESETUP, "cannot unmount the file systems below '%s'", root) : 0;
}

static int remove_rootfs(const char *root)
{
	int rc = unmount_below(root);

	return rc ? rc : rm_rf(root);
}

static int fs_do(int ok, const char *what, const char *path)
{
	return ok ? 0 : bench_error_errno(BENCH_EIO, "cannot %s '%s'", what, path);
}

/* Empty a folder (keeping it). */
static int empty_dir(const char *root, const char *rel)
{
	char *p = path_join(root, rel);
	int rc = rm_rf(p);

	if (!rc)
		rc = mkdir_p(p);
	free(p);
	return rc;
}

static int symlink_at(const char *root, const char *rel, const char *target)
{
	char *p = path_join(root, rel);
	int rc;

	unlink(p);
	rc = fs_do(symlink(target, p) == 0, "create the symlink", p);
	free(p);
	return rc;
}

/* The adjustments described at the top of this file. */
static int dress_rootfs(const char *root, const struct logger *lg)
{
	char *pat = path_join(root, "usr/lib/python3.*/EXTERNALLY-MANAGED");
	char *pydir = path_join(root, "usr/lib/python3.*");
	char *rel = NULL, *p = NULL;
	glob_t g;
	size_t i;
	int rc = 0;

	memset(&g, 0, sizeof(g));
	if (glob(pat, 0, NULL, &g) == 0)
		for (i = 0; i < g.gl_pathc && !rc; i++)
			rc = fs_do(unlink(g.gl_pathv[i]) == 0, "remove", g.gl_pathv[i]);
	globfree(&g);
	if (rc)
		goto done;

	/* apt: no sources, no lists, no downloaded packages */
	p = path_join(root, "etc/apt/sources.list");
	if ((rc = write_file_atomic(p, "", 0)) < 0 || (rc = empty_dir(root, "etc/apt/sources.list.d")) < 0 ||
	    (rc = empty_dir(root, "var/lib/apt/lists")) < 0 ||
	    (rc = empty_dir(root, "var/lib/apt/lists/partial")) < 0 || (rc = empty_dir(root, "var/cache/apt")) < 0 ||
	    (rc = empty_dir(root, "var/cache/apt/archives/partial")) < 0)
		goto done;
	/* slim: no documentation, no translations */
	if ((rc = empty_dir(root, "usr/share/doc")) < 0 || (rc = empty_dir(root, "usr/share/man")) < 0 ||
	    (rc = empty_dir(root, "usr/share/info")) < 0 || (rc = empty_dir(root, "usr/share/locale")) < 0)
		goto done;

	/* root's pip target -> /usr/local/lib/python3.12/dist-packages */
	if ((rc = empty_dir(root, "usr/local/lib/python3.12/dist-packages")) < 0)
		goto done;
	memset(&g, 0, sizeof(g));
	if (glob(pydir, GLOB_ONLYDIR, NULL, &g) == 0)
		for (i = 0; i < g.gl_pathc && !rc; i++) {
			const char *ver = strrchr(g.gl_pathv[i], '/') + 1; /* "python3.11" */
			if (strcmp(ver, "python3.12") == 0 || strspn(ver + 7, "0123456789.") != strlen(ver + 7))
				continue;
			free(rel);
			rel = xasprintf("usr/local/lib/%s", ver);
			free(p);
			p = path_join(root, rel);
			if ((rc = rm_rf(p)) == 0)
				rc = symlink_at(root, rel, "python3.12");
			if (!rc)
				logf_(lg, "base image: /usr/local/lib/%s -> python3.12 (pip's target for root)", ver);
		}
	globfree(&g);
	if (rc)
		goto done;
	if ((rc = symlink_at(root, "usr/local/bin/python", "/usr/bin/python3")) < 0 ||
	    (rc = symlink_at(root, "usr/local/bin/pip", "/usr/bin/pip3")) < 0)
		goto done;
done:
	free(rel);
	free(p);
	free(pat);
	free(pydir);
	return rc;
}

/* Run inside the new image (no network): pip installs a hand-made wheel as
 * root, it lands under /usr/local/lib/python3.12, its console script under
 * /usr/local/bin, and it imports. */
static const char probe_py[] =
	"import os, subprocess, sys, tempfile, zipfile\n"
	"d = tempfile.mkdtemp()\n"
	"whl = os.path.join(d, 'benchprobe-1.0-py3-none-any.whl')\n"
	"with zipfile.ZipFile(whl, 'w') as z:\n"
	"    z.writestr('benchprobe/__init__.py', 'VALUE = 42\\n')\n"
	"    z.writestr('benchprobe-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: benchprobe\\nVersion: 1.0\\n')\n"
	"    z.writestr('benchprobe-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: bench\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n"
	"    z.writestr('benchprobe-1.0.dist-info/entry_points.txt', '[console_scripts]\\nbenchprobe = benchprobe:VALUE\\n')\n"
	"    z.writestr('benchprobe-1.0.dist-info/RECORD', '')\n"
	"subprocess.run(['pip', 'install', '--no-index', '--no-cache-dir', '-q', whl], check=True)\n"
	"f = subprocess.run([sys.executable, '-c', 'import benchprobe; print(benchprobe.__file__)'],\n"
	"                   check=True, capture_output=True, text=True).stdout.strip()\n"
	"assert os.path.realpath(f).startswith('/usr/local/lib/python3.12/dist-packages/'), f\n"
	"assert os.path.exists('/usr/local/bin/benchprobe'), 'no console script in /usr/local/bin'\n"
	"print('probe ok', os.path.realpath(f))\n";

static int verify_image(const struct world_engine_ops *ops, const struct engine *e, const char *ref, const char *log_path)
{
	static const char *const update[] = { "apt-get", "update", NULL };
	static const char *const install[] = { "apt-get", "install", "-y", "curl", "tar", NULL };
	const char *const pip[] = { "python", "-c", probe_py, NULL };
	const struct { const char *what; const char *const *cmd; } checks[] = {
		{ "checking 'apt-get update' offline in the base image", update },
		{ "checking 'apt-get install -y curl tar' offline in the base image", install },
		{ "checking 'pip install' into /usr/local/lib/python3.12 in the base image", pip },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && !rc; i++) {
		struct strvec argv = { 0 };
		ops->run_argv(&argv, e, ref, "none", checks[i].cmd);
		rc = step(log_path, checks[i].what, NULL, strvec_argv(&argv), DOCKER_TIMEOUT);
		strvec_release(&argv);
	}
	return rc;
}

int world_base_image_ensure(const struct world_engine_ops *ops, const struct engine *e, const char *ref, const char *work_dir,
			    void (*log)(void *ctx, const char *msg), void *ctx)
{
	const struct logger lg = { log, ctx };
	char *mirror = NULL;
	char *dir = path_absolute(work_dir);
	char *root = path_join(dir, "base-rootfs"), *tar = path_join(dir, "base-rootfs.tar");
	char *log_path = path_join(dir, "base-image.log");
	monotime t0 = monotime_now(), t1, t2;
	bool imported = false, present = false;
	int rc;

	if ((rc = ops->image_exists(&present, e, ref)) < 0) {
		bench_error_wrap(rc == BENCH_EINTERRUPTED ? rc : BENCH_ESETUP, "checking the base image '%s'", ref);
		rc = rc == BENCH_EINTERRUPTED ? rc : BENCH_ESETUP;
		goto done;
	}
	if (present) {
		logf_(&lg, "base image %s is present", ref);
		goto done;
	}
	if (geteuid() != 0) {
		rc = bench_error_set(BENCH_ESETUP, "base image '%s' is missing and building it needs root "
				     "(debootstrap): run bench as root once, or run scripts/setup", ref);
		goto done;
	}
	if ((rc = world_apt_mirror(&mirror, NULL)) < 0 || (rc = mkdir_p(dir)) < 0 || (rc = remove_rootfs(root)) < 0 ||
	    (rc = rm_rf(tar)) < 0)
		goto done;
	logf_(&lg, "base image %s is missing: building it with debootstrap from %s (1-3 minutes, log in %s)",
	      ref, mirror, log_path);
	{
		const char *argv[] = { "debootstrap", "--variant=minbase", "--include=" PACKAGES,
				       "bookworm", root, mirror, NULL };
		char *hint = xasprintf("is the Debian mirror %s reachable, and is debootstrap installed "
				       "(apt-get install debootstrap, or run scripts/setup)?", mirror);
		rc = step(log_path, "debootstrap", hint, argv, DEBOOTSTRAP_TIMEOUT);
		free(hint);
		if (rc < 0)
			goto done;
	}
	t1 = monotime_now();
	logf_(&lg, "base image: debootstrap took %.0f s; adjusting the rootfs", monotime_seconds(t0, t1));
	if ((rc = dress_rootfs(root, &lg)) < 0)
		goto done;
	{
		const char *argv[] = { "tar", "--numeric-owner", "-C", root, "-cf", tar, ".", NULL };
		if ((rc = step(log_path, "packing the base rootfs with tar", "is there enough disk space?", argv,
			       DOCKER_TIMEOUT)) < 0)
			goto done;
	}
	remove_rootfs(root);
	{
		static const char *const changes[] = {
			"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"ENV LANG=C.UTF-8",
			"CMD [\"python3\"]",
			NULL };
		struct strvec argv = { 0 };
		ops->import_argv(&argv, e, tar, ref, changes,
				   "bench: python:3.12.7-slim stand-in (Debian bookworm, debootstrap)");
		rc = step(log_path, "docker import of the base rootfs", "is the docker daemon running?",
			  strvec_argv(&argv), DOCKER_TIMEOUT);
		strvec_release(&argv);
		if (rc < 0)
			goto done;
		imported = true;
	}
	t2 = monotime_now();
	logf_(&lg, "base image: imported as %s in %.0f s; checking apt-get and pip in it", ref, monotime_seconds(t1, t2));
	if ((rc = verify_image(ops, e, ref, log_path)) < 0)
		goto done;
	logf_(&lg, "base image %s built and checked in %.0f s", ref, monotime_seconds_since(t0));
done:
	if (rc < 0 && imported) {
		char *saved = xstrdup(bench_error_last());
		ops->image_remove(e, ref);
		bench_error_set(rc, "%s", saved);
		free(saved);
	}
	if (path_exists(root) && remove_rootfs(root) < 0 && rc == 0)
		rc = BENCH_EIO;
	rm_rf(tar);
	free(mirror);
	free(dir);
	free(root);
	free(tar);
	free(log_path);
	return rc;
}
