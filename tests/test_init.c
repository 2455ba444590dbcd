/*
 * test_init.c: unit tests of `bench init` (harness/init/, cmd_init.c), no
 * docker. Fixture repositories are made in the test with gitfixture.h, one
 * per workflow style: build-push-action with a gha cache, a `docker buildx
 * build` run line with a local cache, a plain `docker build` + `docker push`,
 * no workflow, a malformed workflow; and the cafeboo world's generated
 * repository (world/repo.c), which carries the blog's workflow. cmd_init is
 * called directly; every scenario it writes is loaded with scenario_load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "gitfixture.h"

#include "cache/cache_kind.h"
#include "cli/commands.h"
#include "init/findings.h"
#include "init/workflow.h"
#include "lib/error.h"
#include "lib/util.h"
#include "scenario/scenario.h"
#include "world/repo.h"

static char *tmp; /* this test's folder */

static char *tmp_path(const char *name)
{
	return path_join(tmp, name);
}

/* Run cmd_init(args) with stdout and stderr captured (either may be NULL). */
static int capture(char **out, char **err, const char *const *args)
{
	return capture_cmd(out, err, tmp, cmd_init, args);
}

/* A fixture repository tmp/NAME with three commits: files, then two code changes. */
static char *make_repo(const char *name, const struct fixture_file *files)
{
	char *dir = tmp_path(name);
	git_repository *repo = fixture_repo_init(dir);
	struct fixture_file c2[] = {{"app.py", "print(2)\n", 0}, {NULL, NULL, 0}};
	struct fixture_file c3[] = {{"app.py", "print(3)\n", 0}, {NULL, NULL, 0}};

	fixture_commit(repo, "first", files);
	fixture_commit(repo, "code", c2);
	fixture_commit(repo, "more code", c3);
	fixture_repo_free(repo);
	return dir;
}

/* `bench init DIR -o tmp/NAME.ini`: its exit status, the file and stderr. */
static int run_init(char **text, char **err, const char *dir, const char *name)
{
	char *ini = xasprintf("%s/%s.ini", tmp, name);
	const char *args[] = {"init", dir, "-o", ini, "--force", NULL};
	int status = capture(NULL, err, args);

	*text = NULL;
	if (status == 0)
		assert_int_equal(read_file(text, NULL, ini), 0);
	free(ini);
	return status;
}

static struct scenario *load(const char *name)
{
	struct scenario *s = NULL;
	char *ini = xasprintf("%s/%s.ini", tmp, name);
	if (scenario_load(&s, ini) < 0)
		fail_msg("%s does not load: %s", ini, bench_error_last());
	free(ini);
	return s;
}

static const struct variant *variant(const struct scenario *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->variants_count; i++)
		if (!strcmp(s->variants[i].name, name))
			return &s->variants[i];
	return NULL;
}

static const char gha_workflow[] =
	"name: ci\non: [push]\nenv:\n  IMAGE: ghcr.io/acme/app\n"
	"jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
	"      - uses: actions/checkout@v4\n"
	"      - uses: docker/setup-buildx-action@v3\n"
	"      - name: Build\n"            /* line 11 */
	"        uses: docker/build-push-action@v6\n"
	"        with:\n          context: .\n          file: ./Dockerfile\n"
	"          push: ${{ github.event_name != 'pull_request' }}\n"
	"          tags: ${{ env.IMAGE }}:latest,${{ env.IMAGE }}:${{ github.sha }}\n"
	"          build-args: |\n            VERSION=1.2\n            TOKEN=${{ secrets.TOKEN }}\n"
	"          cache-from: type=gha\n          cache-to: type=gha,mode=max\n";

static const char py_dockerfile[] =
	"FROM python:3.12-slim AS base\n"
	"WORKDIR /app\n"
	"COPY . .\n"                                   /* 3 */
	"RUN pip install -r requirements.txt\n"        /* 4 */
	"RUN curl -L -o model.bin https://example.com/model.bin\n" /* 5 */
	"CMD [\"python\", \"app.py\"]\n";

static void test_build_push_action_gha(void **state)
{
	struct fixture_file files[] = {{"Dockerfile", py_dockerfile, 0}, {"requirements.txt", "flask\n", 0},
				       {".github/workflows/ci.yml", gha_workflow, 0}, {NULL, NULL, 0}};
	char *dir = make_repo("gha", files), *text, *err;
	struct scenario *s;
	(void)state;

	unsetenv("ACTIONS_RESULTS_URL");
	assert_int_equal(run_init(&text, &err, dir, "gha"), 0);
	s = load("gha");
	/* as-is is the workflow's: gha, mode=max, push; written whole, commented out
	 * while this bench has no gha outside [world] */
	assert_non_null(strstr(text, "; [variant as-is]\n; dockerfile = repo:Dockerfile\n; cache = gha\n"
				     "; cache_mode = max\n; runner = ephemeral\n; push = yes\n"));
	assert_non_null(strstr(text, ".github/workflows/ci.yml:11 (docker/build-push-action)"));
	assert_non_null(strstr(text, "\n[registry]\nref = ghcr.io/acme/app\n"));
	assert_non_null(strstr(text, "build_args = VERSION=1.2\n"));
	assert_non_null(strstr(text, "TOKEN=${{ secrets.TOKEN }} is left out"));
	/* what loads here: all but the gha ones (no runner's environment),
	 * pushing to [registry] */
	assert_int_equal(s->variants_count, 4);
	assert_null(variant(s, "as-is"));
	assert_ptr_equal(variant(s, "no-cache")->cache, &cache_kind_none);
	assert_ptr_equal(variant(s, "local")->cache, &cache_kind_local);
	assert_ptr_equal(variant(s, "registry")->cache, &cache_kind_registry);
	assert_ptr_equal(variant(s, "inline")->cache, &cache_kind_inline);
	assert_true(variant(s, "local")->push);
	assert_true(variant(s, "local")->dockerfile_in_repo);
	assert_string_equal(s->commits, "last:3");
	/* the findings, in the file and on stderr, each naming file:line */
	assert_non_null(strstr(err, "Dockerfile:3: COPY . . copies the whole context before the install at "
				    "line 4 (pip install)"));
	assert_non_null(strstr(err, "[copy-all-before-install]"));
	assert_non_null(strstr(err, "Dockerfile:4: RUN (pip install) runs without --mount=type=cache"));
	assert_non_null(strstr(err, "Dockerfile:5: RUN (curl) downloads after line 3"));
	assert_non_null(strstr(err, "there is no .dockerignore"));
	assert_non_null(strstr(text, ";   Dockerfile:3: COPY . . copies the whole context"));
	scenario_free(s);
	free(text);
	free(err);
	free(dir);
}

static const char buildx_local_workflow[] =
	"on:\n  push:\n    branches: [main]\n"
	"jobs:\n  image:\n    runs-on: [self-hosted, linux]\n    steps:\n"
	"      - uses: actions/checkout@v4\n"
	"      - run: |\n"
	"          docker buildx build \\\n"
	"            --cache-from type=local,src=/tmp/cache \\\n"
	"            --cache-to=type=local,dest=/tmp/cache-new,mode=max \\\n"
	"            -f docker/app.Dockerfile --target final \\\n"
	"            --build-arg \"GREETING=hello\" --platform linux/amd64 \\\n"
	"            -t app:dev docker/\n";

static void test_buildx_local(void **state)
{
	struct fixture_file files[] = {
		{"docker/app.Dockerfile", "FROM busybox AS base\nFROM base AS final\nCOPY app.py /app.py\n", 0},
		{"docker/.dockerignore", "*.pyc\n", 0},
		{".github/workflows/image.yaml", buildx_local_workflow, 0}, {NULL, NULL, 0}};
	char *dir = make_repo("buildx", files), *text, *err;
	const struct variant *v;
	struct scenario *s;
	(void)state;

	assert_int_equal(run_init(&text, &err, dir, "buildx"), 0);
	s = load("buildx");
	v = variant(s, "as-is");
	assert_non_null(v);
	assert_ptr_equal(v->cache, &cache_kind_local);
	assert_string_equal(v->cache_mode, "max");
	assert_string_equal(v->target, "final");
	assert_true(v->dockerfile_in_repo);
	assert_string_equal(v->dockerfile, "docker/app.Dockerfile");
	assert_int_equal(v->runner, RUNNER_PERSISTENT); /* runs-on: self-hosted */
	assert_false(v->push);
	assert_string_equal(s->context, "docker");
	assert_int_equal(s->build_args_count, 1);
	assert_string_equal(s->build_args[0], "GREETING=hello");
	assert_null(variant(s, "local")); /* the same as as-is */
	assert_non_null(variant(s, "no-cache"));
	assert_null(variant(s, "inline")); /* the workflow does not push */
	assert_null(strstr(text, "[variant inline]"));
	assert_null(strstr(err, "no-dockerignore")); /* docker/.dockerignore */
	assert_non_null(strstr(text, "no [registry] ref: the tag app:dev names no registry"));
	scenario_free(s);
	free(text);
	free(err);
	free(dir);
}

static const char plain_workflow[] =
	"name: release\non: push\njobs:\n  release:\n    runs-on: ubuntu-22.04\n"
	"    env:\n      IMAGE: registry.example.com:5000/team/app\n    steps:\n"
	"      - uses: actions/checkout@v4\n"
	"      - name: build\n        run: docker build -t $IMAGE:${{ github.sha }} . # plain\n"
	"      - name: push\n        run: sudo docker push \"${IMAGE}:${{ github.sha }}\"\n";

static void test_plain_build_and_push(void **state)
{
	struct fixture_file files[] = {{"Dockerfile", "FROM busybox\nCOPY app.py /\n", 0},
				       {".github/workflows/release.yml", plain_workflow, 0}, {NULL, NULL, 0}};
	char *dir = make_repo("plain", files), *text, *err;
	const struct variant *v;
	struct scenario *s;
	(void)state;

	assert_int_equal(run_init(&text, &err, dir, "plain"), 0);
	s = load("plain");
	v = variant(s, "as-is");
	assert_non_null(v);
	assert_ptr_equal(v->cache, &cache_kind_none);
	assert_int_equal(v->runner, RUNNER_EPHEMERAL);
	assert_true(v->push); /* to the workflow's registry, [registry] */
	assert_non_null(strstr(text, "[variant as-is]\ndockerfile = repo:Dockerfile\ncache = none\n"
				     "runner = ephemeral\npush = yes\n"));
	assert_non_null(strstr(text, "\n[registry]\nref = registry.example.com:5000/team/app\n"));
	assert_non_null(strstr(text, "(docker build)"));
	assert_null(variant(s, "no-cache")); /* as-is */
	assert_non_null(variant(s, "local"));
	assert_non_null(variant(s, "inline")); /* the workflow pushes */
	assert_non_null(variant(s, "registry"));
	scenario_free(s);
	free(text);
	free(err);
	free(dir);
}

static void test_no_workflow(void **state)
{
	struct fixture_file files[] = {{"svc/Dockerfile", "FROM busybox\nCOPY . .\nRUN npm ci\n", 0},
				       {NULL, NULL, 0}};
	struct fixture_file none[] = {{"README.md", "nothing to build\n", 0}, {NULL, NULL, 0}};
	char *dir = make_repo("noworkflow", files), *empty = make_repo("nothing", none), *text, *err;
	const struct variant *v;
	struct scenario *s;
	(void)state;

	assert_int_equal(run_init(&text, &err, dir, "noworkflow"), 0);
	s = load("noworkflow");
	v = variant(s, "as-is");
	assert_non_null(v);
	assert_string_equal(v->dockerfile, "svc/Dockerfile");
	assert_ptr_equal(v->cache, &cache_kind_none);
	assert_non_null(strstr(text, "no workflow under .github/workflows"));
	assert_non_null(strstr(err, "svc/Dockerfile:2: COPY . . copies the whole context before the install "
				    "at line 3 (npm ci)"));
	scenario_free(s);
	free(text);
	free(err);

	assert_int_equal(run_init(&text, &err, empty, "nothing"), 2);
	assert_non_null(strstr(err, "no Dockerfile in the repository at HEAD"));
	free(err);
	free(dir);
	free(empty);
}

static void test_malformed_yaml(void **state)
{
	struct fixture_file files[] = {{"Dockerfile", "FROM busybox\n", 0},
				       {".github/workflows/bad.yml",
					"on: push\njobs:\n  build:\n    steps:\n      - run: echo [\n"
					"      - uses: \"unterminated\n", 0},
				       {NULL, NULL, 0}};
	char *dir = make_repo("bad", files), *text, *err;
	char *ini = tmp_path("bad.ini");
	(void)state;

	unlink(ini);
	assert_int_equal(run_init(&text, &err, dir, "bad"), 2);
	assert_non_null(strstr(err, "bench init: error: .github/workflows/bad.yml:6: invalid YAML"));
	assert_false(path_exists(ini)); /* nothing written */
	free(err);
	free(ini);
	free(dir);
}

static void test_usage_errors(void **state)
{
	const char *not_repo[] = {"init", "/nonexistent/bench-init", NULL};
	const char *two[] = {"init", "a", "b", NULL};
	const char *help[] = {"init", "--help", NULL};
	struct fixture_file files[] = {{"Dockerfile", "FROM busybox\n", 0}, {NULL, NULL, 0}};
	char *dir = make_repo("exists", files), *ini = tmp_path("exists.ini"), *out, *err;
	const char *exists[] = {"init", dir, "-o", ini, NULL};
	(void)state;

	assert_int_equal(capture(NULL, &err, not_repo), 2);
	assert_non_null(strstr(err, "'/nonexistent/bench-init' is not a git repository"));
	free(err);
	assert_int_equal(capture(NULL, NULL, two), 2);
	assert_int_equal(capture(&out, NULL, help), 0);
	assert_non_null(strstr(out, "Exit status: 0 written"));
	assert_non_null(strstr(out, "bench init path/to/repo -o bench.ini"));
	free(out);
	assert_int_equal(write_file_atomic(ini, "keep\n", 5), 0);
	assert_int_equal(capture(NULL, &err, exists), 2);
	assert_non_null(strstr(err, "--force"));
	free(err);
	assert_int_equal(read_file(&out, NULL, ini), 0);
	assert_string_equal(out, "keep\n"); /* untouched */
	free(out);
	free(ini);
	free(dir);
}

/* The cafeboo world's repository: its last commits carry the blog's workflow
 * (docker buildx build --push with a local cache kept by actions/cache). */
static void test_cafeboo_repository(void **state)
{
	char *dir = tmp_path("cafeboo"), *text, *err, *wf, *said, *step;
	char *wf_path = path_join(dir, ".github/workflows/deploy.yml");
	const struct variant *v;
	struct scenario *s;
	const char *c;
	int line = 1;
	size_t n;
	(void)state;

	assert_int_equal(world_repo_generate(dir, 1), 0);
	world_repo_plan(&n);
	assert_int_equal(run_init(&text, &err, dir, "cafeboo"), 0);
	s = load("cafeboo");
	v = variant(s, "as-is");
	assert_non_null(v);
	assert_ptr_equal(v->cache, &cache_kind_local);      /* --cache-from/--cache-to type=local */
	assert_string_equal(v->cache_mode, "max");    /* --cache-to ...,mode=max */
	assert_int_equal(v->runner, RUNNER_EPHEMERAL); /* runs-on: ubuntu-latest */
	assert_true(v->dockerfile_in_repo);
	assert_string_equal(v->dockerfile, "Dockerfile");
	assert_null(v->target);
	/* the step is the one named "Build & Push Docker Image" in the checked-out workflow */
	assert_int_equal(read_file(&wf, NULL, wf_path), 0);
	assert_non_null((step = strstr(wf, "      - name: Build & Push Docker Image\n")));
	for (c = wf; c < step; c++)
		line += *c == '\n';
	said = xasprintf("; the workflow's own set-up, .github/workflows/deploy.yml:%d (docker buildx build): "
			 "cache-from\n;   type=local,src=/tmp/.buildx-cache, cache-to type=local,dest=", line);
	assert_non_null(strstr(text, said));
	assert_non_null(strstr(text, "\n; push = yes\n")); /* the blog pushes */
	assert_null(variant(s, "local"));                  /* the same as as-is */
	assert_non_null(variant(s, "no-cache"));
	/* the Dockerfile is not in the blog's repository: said, not hidden */
	assert_non_null(strstr(err, "Dockerfile is not in the repository at HEAD"));
	assert_int_equal(n, 15);
	assert_string_equal(s->commits, "sample:6 last:15");
	scenario_free(s);
	free(wf);
	free(wf_path);
	free(said);
	free(text);
	free(err);
	free(dir);
}

/* The rules on the blog's Dockerfiles (dockerfiles/): the single-stage one
 * downloads after COPY . ., the multi-stage one in a stage FROM deps (a
 * requirements bump downloads the models again), ours in a stage of its own. */
static void test_findings_blog(void **state)
{
	const char *root = getenv("BENCH_DATADIR");
	const char *names[] = {"single-stage", "multi-stage", "optimized"};
	int download_line[] = {0, 0, 0};
	size_t i, j, k;
	(void)state;

	for (i = 0; i < 3; i++) {
		struct findings f = {0};
		char *path = xasprintf("%s/dockerfiles/%s.Dockerfile", root && *root ? root : ".", names[i]);
		char *text;
		assert_int_equal(read_file(&text, NULL, path), 0);
		findings_dockerfile(&f, names[i], text, false, ".dockerignore");
		for (j = 0; j < f.n; j++) {
			assert_true(f.v[j].line > 0);
			if (!strcmp(f.v[j].rule, "download-not-isolated"))
				download_line[i] = f.v[j].line;
		}
		for (j = 0, k = 0; j < f.n; j++)
			k += !strcmp(f.v[j].rule, "no-cache-mount");
		assert_int_equal(k, i == 0 ? 3 : 2); /* apt-get, pip (x2 in single-stage) */
		findings_release(&f);
		free(text);
		free(path);
	}
	assert_true(download_line[0] > 0);
	assert_true(download_line[1] > 0);
	assert_int_equal(download_line[2], 0);
	for (i = 0; findings_rule(i); i++)
		assert_non_null(findings_rule(i)->looks_for);
	assert_int_equal(i, 4);
}

static void test_runline(void **state)
{
	struct strvec *cmds;
	struct wf_build b = {0};
	size_t n;
	(void)state;

	runline_commands(&cmds, &n, "set -e; docker buildx build \\\n  --push -o type=registry 'a b' "
			 "&& echo \"x \\\"y\\\"\" | tee f\n# comment\ndocker image push r/x:1\n");
	assert_int_equal(n, 5);
	assert_true(runline_docker_build(&b, &cmds[1]));
	assert_string_equal(b.how, "docker buildx build");
	assert_string_equal(b.context, "a b");
	assert_true(b.push);
	assert_string_equal(cmds[2].v[1], "x \"y\"");
	assert_string_equal(runline_docker_push(&cmds[4]), "r/x:1");
	assert_null(runline_docker_push(&cmds[0]));
	runline_commands_free(cmds, n);
	free(b.context);
}

static int setup(void **state)
{
	(void)state;
	tmp = fixture_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rmtree(tmp);
	free(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runline),
		cmocka_unit_test(test_build_push_action_gha),
		cmocka_unit_test(test_buildx_local),
		cmocka_unit_test(test_plain_build_and_push),
		cmocka_unit_test(test_no_workflow),
		cmocka_unit_test(test_malformed_yaml),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_cafeboo_repository),
		cmocka_unit_test(test_findings_blog),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
