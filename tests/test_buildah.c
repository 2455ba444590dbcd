/*
 * test_buildah.c: the buildah builder without buildah: its output parser on
 * output recorded from real `buildah bud` runs (tests/data/buildah, see its
 * README.md), fed whole, byte by byte and in random chunks, across its two
 * streams; the failure reasons through the seam; the argv of a build and
 * its cache flags; what a scenario may not ask of buildah; the base images
 * a Dockerfile names; and the storage operations (reset, import of a base
 * image, image size, the end of a run) through fake `buildah` and `docker`
 * executables that log their arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builders/buildah.h"
#include "cache/cache_kind.h"
#include "builders/buildah_parse.h"
#include "builders/docker.h"
#include "builders/dockerfile.h"
#include "lib/error.h"
#include "builders/parser.h"
#include "lib/util.h"

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = xstrdup("/tmp/bench-test-buildah-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char *mnt = xasprintf("%s/root/storage/mnt", tmp);
	(void)state;
	umount2(mnt, MNT_DETACH); /* test_finish's mount, if it failed half-way */
	free(mnt);
	rm_rf(tmp);
	free(tmp);
	unsetenv("BENCH_BUILDAH");
	unsetenv("BENCH_BUILDAH_ROOT");
	unsetenv("BENCH_DOCKER");
	return 0;
}

/* ---- the parser on recorded output ---- */

static char *load(const char *name, size_t *len)
{
	char *dir = path_dirname(__FILE__), *data = NULL;
	char *path = xasprintf("%s/data/buildah/%s", dir, name);

	if (!path_exists(path) && getenv("BENCH_SRCDIR")) {
		free(path);
		path = xasprintf("%s/tests/data/buildah/%s", getenv("BENCH_SRCDIR"), name);
	}
	if (read_file(&data, len, path) < 0)
		fail_msg("%s", bench_error_last());
	free(path);
	free(dir);
	return data;
}

/* Parse a recorded file fed on stdout in chunks (0: random sizes), one
 * second apart. */
static struct buildah_parse *parse_file(const char *name, size_t chunk, unsigned seed)
{
	struct buildah_parse *p;
	size_t len, off = 0;
	char *data = load(name, &len);
	double now = 1000;

	assert_int_equal(buildah_parse_new(&p), 0);
	srand(seed);
	while (off < len) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 90;
		if (n > len - off)
			n = len - off;
		assert_int_equal(buildah_parse_feed(p, PARSER_STDOUT, data + off, n, now), 0);
		off += n;
		now += 1;
	}
	free(data);
	return p;
}

static void counts(const struct buildah_parse *p, int *total, int *cached)
{
	json_decref(buildah_parse_steps_json(p, total, cached));
}

/* name, counted total, cached, steps listed, the failing step (or NULL) */
static const struct recorded {
	const char *file;
	int total, cached;
	size_t steps;
	const char *failing;
} recorded[] = {
	{"cold.log", 5, 0, 10, NULL},
	{"warm.log", 5, 3, 10, NULL},
	{"fail.log", 5, 3, 8, "[final 3/4] RUN if [ -f /app/FAIL ]"},
	{"registry-cold.log", 4, 0, 8, NULL},
	{"registry-warm.log", 4, 3, 8, NULL},
	{"single-cold.log", 3, 0, 8, NULL},
	{"single-warm.log", 3, 1, 8, NULL},
	{"missing-base.log", 0, 0, 1, "[base 1/2] FROM bench/nope:1 AS base"},
	/* the step names the stage it needs (models), which is built first */
	{"copy-link.log", 8, 3, 17, "[final 3/6] COPY --link --from=models"},
};

static void test_recorded_counts_any_chunking(void **state)
{
	size_t r, k;
	(void)state;
	for (r = 0; r < sizeof(recorded) / sizeof(recorded[0]); r++) {
		const struct recorded *want = &recorded[r];
		size_t chunks[] = {1 << 20, 1, 7, 0};
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			struct buildah_parse *p = parse_file(want->file, chunks[k], (unsigned)(r + k));
			const struct step *s;
			size_t n, i, errors = 0;
			int total = -1, cached = -1;

			counts(p, &total, &cached);
			s = buildah_parse_steps(p, &n);
			if (total != want->total || cached != want->cached || n != want->steps)
				fail_msg("%s (chunk %zu): %d steps counted, %d cached, %zu listed; want %d, %d, %zu",
					 want->file, chunks[k], total, cached, n, want->total, want->cached, want->steps);
			for (i = 0; i < n; i++) {
				if (!s[i].error)
					continue;
				errors++;
				assert_non_null(want->failing);
				assert_true(!strncmp(s[i].name, want->failing, strlen(want->failing)));
			}
			assert_int_equal(errors, want->failing ? 1 : 0);
			buildah_parse_free(p);
		}
	}
}

static void test_names_as_buildkit_names_them(void **state)
{
	struct buildah_parse *p = parse_file("warm.log", 1 << 20, 0);
	const struct step *s;
	size_t n;
	(void)state;

	s = buildah_parse_steps(p, &n);
	assert_string_equal(s[0].name, "[base 1/2] FROM bench/busybox:latest AS base");
	assert_string_equal(s[1].name, "[base 2/2] RUN echo base > /base.txt");
	assert_true(s[1].cached);
	assert_string_equal(s[3].name, "[deps 2/3] COPY deps.txt /deps.txt");
	assert_true(s[3].cached && s[4].cached);
	assert_string_equal(s[6].name, "[final 2/4] COPY . /app");
	assert_false(s[6].cached); /* the code changed */
	assert_string_equal(s[8].name, "[final 4/4] CMD [\"/app/app/main.sh\"]");
	assert_false(buildah_step_counts(&s[8])); /* BuildKit has no vertex for CMD */
	assert_false(buildah_step_counts(&s[0]));
	assert_true(!strncmp(s[9].name, "COMMIT bench-run-", 17));
	assert_false(buildah_step_counts(&s[9]));
	assert_null(buildah_parse_current(p)); /* "Successfully tagged" ended the commit */
	buildah_parse_free(p);

	/* single-stage: "[i/m] ..."; an unnamed stage is stage-N */
	p = parse_file("single-cold.log", 1 << 20, 0);
	s = buildah_parse_steps(p, &n);
	assert_string_equal(s[1].name, "[2/7] ARG GREETING=hello");
	assert_string_equal(s[3].name, "[4/7] WORKDIR /srv/app");
	assert_true(buildah_step_counts(&s[3]));
	/* printf without a newline ran into buildah's "--> ID": still its log, and the end */
	assert_string_equal(buildah_parse_step_log(p, 5), "hello\nhi\nno newline at the end\n");
	assert_true(s[5].completed > 0);
	buildah_parse_free(p);
	assert_int_equal(buildah_parse_new(&p), 0);
	{
		const char text[] = "[1/2] STEP 1/1: FROM a:1\n[2/2] STEP 1/2: FROM b:2\n[2/2] STEP 2/2: RUN x\n";
		buildah_parse_feed(p, PARSER_STDOUT, text, sizeof(text) - 1, 1);
	}
	s = buildah_parse_steps(p, &n);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].name, "[stage-0 1/1] FROM a:1");
	assert_string_equal(s[2].name, "[stage-1 2/2] RUN x");
	assert_string_equal(buildah_parse_current(p), "[stage-1 2/2] RUN x");
	buildah_parse_free(p);
}

static void feed(struct buildah_parse *p, unsigned stream, const char *text, double now)
{
	assert_int_equal(buildah_parse_feed(p, stream, text, strlen(text), now), 0);
}

static void test_times_and_streams(void **state)
{
	struct buildah_parse *p;
	const struct step *s;
	json_t *j;
	size_t n;
	(void)state;

	assert_int_equal(buildah_parse_new(&p), 0);
	/* a partial stdout line, a whole stderr line, the rest of the stdout line */
	feed(p, PARSER_STDOUT, "STEP 1/3: FROM bench/busybox:latest\nSTEP 2/3: RU", 10);
	feed(p, PARSER_STDERR, "warning from the step\n", 11);
	feed(p, PARSER_STDOUT, "N make\nbuilt\n", 12.5);
	feed(p, PARSER_STDOUT, "--> 54cb0dfe3bd\nSTEP 3/3: COPY . /app\n", 14);
	feed(p, PARSER_STDOUT, "--> Using cache 0123456789abcdef\n", 15);
	s = buildah_parse_steps(p, &n);
	assert_int_equal(n, 3);
	assert_string_equal(s[1].name, "[2/3] RUN make");
	/* the stderr line came before the STEP line was whole: the FROM step's */
	assert_string_equal(buildah_parse_step_log(p, 0), "warning from the step\n");
	assert_string_equal(buildah_parse_step_log(p, 1), "built\n");
	assert_true(s[1].started == 12.5 && s[1].completed == 14);
	assert_true(s[2].cached);
	/* still open: ends at the last line read */
	assert_string_equal(buildah_parse_current(p), "[3/3] COPY . /app");
	feed(p, PARSER_STDERR, "time=\"x\" level=warning msg=\"slow\"\n", 17);
	j = buildah_parse_steps_json(p, NULL, NULL);
	assert_true(json_real_value(json_object_get(json_array_get(j, 1), "seconds")) == 1.5);
	assert_true(json_real_value(json_object_get(json_array_get(j, 2), "seconds")) == 3);
	assert_true(json_is_true(json_object_get(json_array_get(j, 2), "cached")));
	json_decref(j);
	buildah_parse_free(p);
}

static char *failure_of(const char *file)
{
	struct parser p;
	size_t len;
	char *data = load(file, &len), *reason;

	assert_int_equal(parser_init(&p, &parser_buildah), 0);
	/* the streams as bench reads them: here all of it on one */
	assert_int_equal(parser_feed(&p, PARSER_STDERR, data, len), 0);
	reason = parser_failure(&p, "buildah bud", 125);
	parser_release(&p);
	free(data);
	return reason;
}

static void test_failure_reasons(void **state)
{
	char *r;
	(void)state;

	r = failure_of("fail.log");
	assert_true(!strncmp(r, "[final 3/4] RUN if [ -f /app/FAIL ]", 35));
	assert_non_null(strstr(r, "building at STEP"));
	assert_non_null(strstr(r, "exit status 3"));
	assert_non_null(strstr(r, "\nFAIL marker present\n"));
	free(r);
	r = failure_of("missing-base.log");
	assert_string_equal(r, "[base 1/2] FROM bench/nope:1 AS base: creating build container: bench/nope:1: "
			       "image not known");
	free(r);

	/* no step: buildah's closing "Error:" line */
	{
		struct parser p;
		const char text[] = "some noise\nError: no FROM statement found\n";
		assert_int_equal(parser_init(&p, &parser_buildah), 0);
		parser_feed(&p, PARSER_STDERR, text, sizeof(text) - 1);
		r = parser_failure(&p, "buildah bud", 125);
		assert_string_equal(r, "Error: no FROM statement found");
		free(r);
		parser_release(&p);
	}
}

/* ---- the argv ---- */

static void test_build_argv(void **state)
{
	struct strvec argv = {0};
	const char *args[] = {"A=1", NULL};
	const char *secrets[] = {"id=tok,env=TOKEN", NULL};
	struct build_request req = {
		.context = "/w/ctx", .dockerfile = "/w/Dockerfile", .tag = "bench-run-x/v:abc-r1",
		.target = "final", .network = "host", .metadata_file = "/w/meta",
		.cache_from = {.type = "registry", .location = "127.0.0.1:5000/bench-run-x/v-cache:r2"},
		.cache_to = {.type = "registry", .location = "127.0.0.1:5000/bench-run-x/v-cache:r2", .mode = "max"},
		.build_args = args, .secrets = secrets};
	const char *want[] = {"env", "TMPDIR=/b/root/tmp", "buildah", "--root", "/b/root/storage", "--runroot",
		"/b/root/run", "--storage-driver", "vfs", "bud", "--layers", "--isolation", "chroot",
		"--pull=never", "--network", "host", "--iidfile", "/w/meta", "-f", "/w/Dockerfile", "-t",
		"bench-run-x/v:abc-r1", "--target", "final", "--build-arg", "A=1", "--secret",
		"id=tok,env=TOKEN", "--cache-from", "127.0.0.1:5000/bench-run-x/v-cache-r2", "--cache-to",
		"127.0.0.1:5000/bench-run-x/v-cache-r2", "--tls-verify=false", "/w/ctx", NULL};
	size_t i;
	(void)state;

	setenv("BENCH_BUILDAH_ROOT", "/b/root", 1);
	unsetenv("BENCH_BUILDAH");
	assert_int_equal(builder_buildah.build_argv(&argv, NULL, &req), 0);
	for (i = 0; want[i]; i++)
		assert_string_equal(argv.v[i], want[i]);
	assert_null(argv.v[i]);
	strvec_release(&argv);

	/* what buildah cannot do is refused, naming it */
	req.network = "none";
	assert_int_equal(builder_buildah.build_argv(&argv, NULL, &req), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "network = none"));
	strvec_release(&argv);
	req.network = NULL;
	req.cache_from.type = "local";
	assert_int_equal(builder_buildah.build_argv(&argv, NULL, &req), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "cache = local"));
	strvec_release(&argv);
	req.cache_from.type = NULL;
	req.cache_to.mode = "min";
	assert_int_equal(builder_buildah.cache_options(&argv, &req.cache_from, &req.cache_to), BENCH_EINVALID);
	strvec_release(&argv);
	req.cache_to.type = NULL;
	assert_int_equal(builder_buildah.build_argv(&argv, NULL, &req), 0);
	assert_null(strstr(argv.v[argv.n - 2], "tls")); /* no registry: no --tls-verify */
	strvec_release(&argv);

	builder_buildah.push_argv(&argv, NULL, "127.0.0.1:5000/bench-run-x/v:abc-r1");
	assert_string_equal(argv.v[9], "push");
	assert_string_equal(argv.v[argv.n - 1], "127.0.0.1:5000/bench-run-x/v:abc-r1");
	strvec_release(&argv);

	{
		char *repo = buildah_cache_repo("127.0.0.1:5000/m/v-cache:r1");
		assert_string_equal(repo, "127.0.0.1:5000/m/v-cache-r1");
		free(repo);
		repo = buildah_cache_repo("127.0.0.1:5000/m/v-cache");
		assert_string_equal(repo, "127.0.0.1:5000/m/v-cache");
		free(repo);
	}
	/* the storage folder follows TMPDIR when not set */
	unsetenv("BENCH_BUILDAH_ROOT");
	setenv("TMPDIR", "/tmp/h-x", 1);
	{
		char *root = buildah_root();
		assert_string_equal(root, "/tmp/h-x/bench-buildah");
		free(root);
	}
	unsetenv("TMPDIR");
}

static void test_unsupported(void **state)
{
	struct scenario sc = {.network = "host"};
	struct variant v = {.name = "v", .cache = &cache_kind_none, .cache_mode = "max"};
	char *engines[] = {"default", "tcp://10.0.0.9:2375"};
	(void)state;

	assert_null(builder_buildah.unsupported(&sc, &v));
	v.cache = &cache_kind_registry;
	assert_null(builder_buildah.unsupported(&sc, &v));
	v.cache_mode = "min";
	assert_non_null(strstr(builder_buildah.unsupported(&sc, &v), "cache_mode = min"));
	v.cache_mode = "max";
	v.cache_compression = "zstd";
	assert_non_null(strstr(builder_buildah.unsupported(&sc, &v), "cache_compression"));
	v.cache_compression = NULL;
	/* the cache kinds it cannot do: the types it declares (the scenario
	 * check refuses the others, test_scenario) */
	assert_true(builder_takes_cache(&builder_buildah, "registry"));
	assert_false(builder_takes_cache(&builder_buildah, "local"));
	assert_false(builder_takes_cache(&builder_buildah, "gha"));
	assert_false(builder_takes_cache(&builder_buildah, "inline"));
	v.cache = &cache_kind_none;
	v.cache_mounts_count = 1;
	assert_non_null(strstr(builder_buildah.unsupported(&sc, &v), "cache_mounts"));
	v.cache_mounts_count = 0;
	sc.network = "none";
	assert_non_null(strstr(builder_buildah.unsupported(&sc, &v), "network must be host"));
	sc.network = "host";
	sc.engines = engines;
	sc.engines_count = 1;
	assert_null(builder_buildah.unsupported(&sc, &v));
	sc.engines_count = 2;
	assert_non_null(strstr(builder_buildah.unsupported(&sc, &v), "engines"));
	/* BuildKit does all of it */
	v.cache = &cache_kind_local;
	assert_null(builder_buildkit.unsupported(&sc, &v));
}

/* ---- the base images a Dockerfile names ---- */

static void images_of(struct strvec *out, const char *text, const char *const *build_args)
{
	char *path = path_join(tmp, "Dockerfile");
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	strvec_release(out);
	assert_int_equal(dockerfile_base_images(out, path, build_args), 0);
	free(path);
}

static void test_dockerfile_base_images(void **state)
{
	struct strvec imgs = {0};
	const char *world_args[] = {"PIP_INDEX_URL=http://x", "BASE_IMAGE=bench/python:3.12.7-slim", NULL};
	(void)state;

	images_of(&imgs, "FROM bench/busybox:latest AS base\nRUN x\nFROM base AS deps\nFROM deps AS final\n", NULL);
	assert_int_equal(imgs.n, 1);
	assert_string_equal(imgs.v[0], "bench/busybox:latest");

	/* ARG before FROM, from the build args; without one and no default: left out */
	images_of(&imgs, "# syntax comment\nARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nfrom base as final\n",
		  world_args);
	assert_int_equal(imgs.n, 1);
	assert_string_equal(imgs.v[0], "bench/python:3.12.7-slim");
	images_of(&imgs, "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n", NULL);
	assert_int_equal(imgs.n, 0);
	images_of(&imgs, "ARG TAG=1.36\nFROM busybox:$TAG\n", NULL);
	assert_int_equal(imgs.n, 1);
	assert_string_equal(imgs.v[0], "busybox:1.36");

	/* --platform, scratch, COPY --from an image or a stage or a number,
	 * RUN --mount from=, continuation lines, each image once */
	images_of(&imgs,
		  "FROM --platform=linux/amd64 golang:1.22 AS build\n"
		  "RUN --mount=type=cache,target=/root/.cache,from=cachesrc:1 \\\n"
		  "    --mount=type=bind,from=build,target=/x go build\n"
		  "FROM scratch\n"
		  "COPY --from=build /app /app\n"
		  "COPY --from=0 /app /app2\n"
		  "COPY --link --from=bench/tools:2 /bin/t /t\n"
		  "ADD --from=golang:1.22 /x /y\n", NULL);
	assert_int_equal(imgs.n, 3);
	assert_string_equal(imgs.v[0], "golang:1.22");
	assert_string_equal(imgs.v[1], "cachesrc:1");
	assert_string_equal(imgs.v[2], "bench/tools:2");
	strvec_release(&imgs);

	assert_true(dockerfile_base_images(&imgs, "/nonexistent/Dockerfile", NULL) < 0);
	strvec_release(&imgs);
}

/* ---- storage operations through fake executables ---- */

/* A fake buildah in tmp that appends its arguments (after the six storage
 * flags) to tmp/buildah.log and answers `images`, `inspect`, `pull` as told;
 * a fake docker that logs too and says whether it has an image. */
static char *fakes(const char *images_json, int inspect_status, const char *manifest, int docker_has)
{
	char *log = path_join(tmp, "calls.log"), *b = path_join(tmp, "buildah"), *d = path_join(tmp, "docker");
	char *btext = xasprintf(
		"#!/bin/sh\n"
		"[ \"$1\" = --version ] && { echo 'buildah version 1.28.2 (fake)'; exit 0; }\n"
		"[ \"$1 $3 $5\" = '--root --runroot --storage-driver' ] || { echo \"bad flags: $*\" >&2; exit 9; }\n"
		"[ -d \"$TMPDIR\" ] || { echo \"no TMPDIR $TMPDIR\" >&2; exit 8; }\n"
		"shift 6\n"
		"echo \"buildah $*\" >> %s\n"
		"[ \"$1\" = \"$FAKE_BUILDAH_FAILS\" ] && { echo \"fake $1 failure\" >&2; exit 1; }\n"
		"case \"$1\" in\n"
		"  images) echo '%s' ;;\n"
		"  inspect) [ %d = 0 ] && echo '%s'; exit %d ;;\n"
		"  pull) echo 43fe4f4c3bb6f2c8 ;;\n"
		"esac\n", log, images_json, inspect_status, manifest, inspect_status);
	char *dtext = xasprintf(
		"#!/bin/sh\n"
		"echo \"docker $*\" >> %s\n"
		"case \"$1 $2\" in\n"
		"  'image inspect') exit %d ;;\n"
		"esac\n", log, docker_has ? 0 : 1);
	assert_int_equal(write_file_atomic(b, btext, strlen(btext)), 0);
	assert_int_equal(write_file_atomic(d, dtext, strlen(dtext)), 0);
	chmod(b, 0755);
	chmod(d, 0755);
	setenv("BENCH_BUILDAH", b, 1);
	setenv("BENCH_DOCKER", d, 1);
	{
		char *root = path_join(tmp, "root");
		setenv("BENCH_BUILDAH_ROOT", root, 1);
		free(root);
	}
	unlink(log);
	free(btext);
	free(dtext);
	free(b);
	free(d);
	return log;
}

static char *calls(const char *log)
{
	char *text = NULL;
	if (read_file(&text, NULL, log) < 0)
		text = xstrdup("");
	bench_error_clear();
	return text;
}

static void test_reset_keeps_base_images(void **state)
{
	const char *images =
		"[{\"id\": \"sha256:aaa\", \"names\": [\"localhost/bench/busybox:latest\"]},"
		" {\"id\": \"sha256:bbb\", \"names\": null},"
		" {\"id\": \"sha256:ccc\", \"names\": [\"localhost/bench-run-x/v:1-r1\"]},"
		" {\"id\": \"sha256:ddd\", \"names\": [\"127.0.0.1:5000/bench-run-x/v-cache-r1:k1\"]}]";
	char *log = fakes(images, 0, "{}", 1), *text;
	(void)state;

	assert_int_equal(builder_buildah.reset(NULL, "bench-run-x"), 0);
	text = calls(log);
	assert_string_equal(text, "buildah rm --all\nbuildah images --all --json --no-trunc\n"
				  "buildah rmi -f sha256:bbb sha256:ccc sha256:ddd\n");
	free(text);
	unlink(log);
	assert_int_equal(builder_buildah.remove_images(NULL, "bench-run-x"), 0);
	text = calls(log);
	assert_string_equal(text, "buildah images --all --json --no-trunc\nbuildah rmi -f sha256:ccc sha256:ddd\n");
	free(text);
	free(log);

	/* no images at all: nothing removed */
	log = fakes("[]", 0, "{}", 1);
	assert_int_equal(builder_buildah.reset(NULL, "bench-run-x"), 0);
	text = calls(log);
	assert_string_equal(text, "buildah rm --all\nbuildah images --all --json --no-trunc\n");
	free(text);
	free(log);
}

static void test_import_base_and_size(void **state)
{
	const char *manifest = "{\"layers\":[{\"size\":2129920},{\"size\":6144}]}";
	char *log = fakes("[]", 1, manifest, 1), *text, *want;
	int64_t size = 0;
	(void)state;

	/* not in buildah: saved from the engine, pulled, tagged as FROM says */
	assert_int_equal(builder_buildah.import_base(NULL, "bench/busybox:latest"), 0);
	text = calls(log);
	want = xasprintf("buildah inspect --type image --format {{.FromImageID}} bench/busybox:latest\n"
			 "docker image inspect --format {{.Id}} bench/busybox:latest\n"
			 "docker image save -o %s/root/tmp/base-%d.tar bench/busybox:latest\n"
			 "buildah pull --quiet docker-archive:%s/root/tmp/base-%d.tar\n"
			 "buildah tag 43fe4f4c3bb6f2c8 bench/busybox:latest\n", tmp, (int)getpid(), tmp, (int)getpid());
	assert_string_equal(text, want);
	free(text);
	free(want);
	free(log);

	/* neither buildah nor the engine has it */
	log = fakes("[]", 1, manifest, 0);
	assert_int_equal(builder_buildah.import_base(NULL, "bench/nope:1"), BENCH_ENOTFOUND);
	assert_non_null(strstr(bench_error_last(), "neither in buildah's storage"));
	free(log);

	/* buildah has it: nothing else happens; its size is its layers' */
	log = fakes("[]", 0, manifest, 0);
	assert_int_equal(builder_buildah.import_base(NULL, "bench/busybox:latest"), 0);
	text = calls(log);
	assert_string_equal(text, "buildah inspect --type image --format {{.FromImageID}} bench/busybox:latest\n");
	free(text);
	assert_int_equal(builder_buildah.image_size(&size, NULL, "bench-run-x/v:1-r1"), 0);
	assert_int_equal(size, 2129920 + 6144);
	free(log);
}

static void test_preflight_errors(void **state)
{
	struct engine e;
	(void)state;

	setenv("BENCH_BUILDAH", "/nonexistent/buildah", 1);
	assert_int_equal(builder_buildah.preflight(NULL, NULL), BENCH_ESETUP);
	assert_non_null(strstr(bench_error_last(), "buildah not found"));
	assert_non_null(strstr(bench_error_last(), "scripts/setup"));

	assert_int_equal(engine_init(&e, "tcp://127.0.0.1:2376"), 0);
	assert_int_equal(builder_buildah.preflight(&e, NULL), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "builds on this machine"));
	engine_release(&e);

	/* a storage buildah cannot use: said, and the folder the check made is gone */
	free(fakes("[]", 0, "{}", 1));
	rm_rf(getenv("BENCH_BUILDAH_ROOT"));
	setenv("FAKE_BUILDAH_FAILS", "info", 1);
	assert_int_equal(builder_buildah.preflight(NULL, NULL), BENCH_ESETUP);
	unsetenv("FAKE_BUILDAH_FAILS");
	assert_non_null(strstr(bench_error_last(), "buildah cannot use its storage"));
	assert_non_null(strstr(bench_error_last(), "fake info failure"));
	assert_false(path_exists(getenv("BENCH_BUILDAH_ROOT")));
	assert_int_equal(builder_buildah.preflight(NULL, NULL), 0);
	assert_true(path_is_dir(getenv("BENCH_BUILDAH_ROOT")));
}

static void test_finish_removes_the_storage(void **state)
{
	char *log = fakes("[]", 0, "{}", 1), *root = path_join(tmp, "root"), *mnt = xasprintf("%s/storage/mnt", root);
	(void)state;

	assert_int_equal(mkdir_p(mnt), 0);
	/* something mounted inside (a tmpfs: the tests run as root): refused,
	 * nothing removed */
	assert_int_equal(mount("bench-test", mnt, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(builder_buildah.finish(NULL, "bench-run-x"), BENCH_ERROR);
	assert_non_null(strstr(bench_error_last(), "mounted"));
	assert_true(path_is_dir(mnt));
	assert_int_equal(umount2(mnt, 0), 0);
	assert_int_equal(builder_buildah.finish(NULL, "bench-run-x"), 0);
	assert_false(path_exists(root));
	free(mnt);
	free(root);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_counts_any_chunking),
		cmocka_unit_test(test_names_as_buildkit_names_them),
		cmocka_unit_test(test_times_and_streams),
		cmocka_unit_test(test_failure_reasons),
		cmocka_unit_test(test_build_argv),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_dockerfile_base_images),
		cmocka_unit_test(test_reset_keeps_base_images),
		cmocka_unit_test(test_import_base_and_size),
		cmocka_unit_test(test_preflight_errors),
		cmocka_unit_test(test_finish_removes_the_storage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
