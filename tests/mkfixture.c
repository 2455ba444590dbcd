/*
 * mkfixture.c: writes the small git repositories the scenarios and the
 * integration tests replay (libgit2, fixed ids).
 *
 * mkfixture DIR: the tiny repository
 *   1 initial app            4 code change
 *   2 deps change            5 code change
 *   3 a commit whose build fails (FAIL marker), 6 fixes it
 * mkfixture --bisect DIR: the bisect repository (scenarios/bisect.ini), 15
 *   commits: 1 the service with a Dockerfile that installs the dependencies
 *   before it copies the code, 2 a dependency bump, 3 a code change (the
 *   good end of last:12), 4-10 code and docs, 11 "build: copy the sources
 *   first" moves `COPY . /app` before the dependency install (every later
 *   commit rebuilds it), 12-15 code and docs.
 * (DIR must not exist.)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitfixture.h"

/* Dockerfiles of the bisect repository: the dependencies installed before
 * the code is copied, then (the culprit) after. */
#define BISECT_GOOD \
	"FROM bench/busybox:latest\n" \
	"COPY deps.txt /deps.txt\n" \
	"RUN cat /deps.txt > /deps.installed\n" \
	"COPY . /app\n" \
	"RUN test -x /app/app/main.sh\n"
#define BISECT_BAD \
	"FROM bench/busybox:latest\n" \
	"COPY . /app\n" \
	"COPY deps.txt /deps.txt\n" \
	"RUN cat /deps.txt > /deps.installed\n" \
	"RUN test -x /app/app/main.sh\n"

static void make_bisect(git_repository *repo)
{
	static const struct { const char *subject, *path, *content; unsigned mode; } later[] = {
		{"feat: greet by name", "app/main.sh", "#!/bin/sh\necho \"hello ${1:-you}\"\n", FIXTURE_EXEC},
		{"style: shellcheck fixes", "app/main.sh", "#!/bin/sh\necho \"hello ${1:-you}\" || exit 1\n", FIXTURE_EXEC},
		{"docs: usage", "README.md", "bisect fixture\n\nusage: app/main.sh NAME\n", 0},
		{"feat: add a util script", "app/util.sh", "#!/bin/sh\necho util\n", FIXTURE_EXEC},
		{"fix: quote the name", "app/main.sh", "#!/bin/sh\necho \"hello '${1:-you}'\"\n", FIXTURE_EXEC},
		{"test: add a smoke test", "tests/smoke.sh", "#!/bin/sh\n/app/app/main.sh x\n", FIXTURE_EXEC},
		{"refactor: split the greeting", "app/greet.sh", "#!/bin/sh\necho hello\n", FIXTURE_EXEC},
		{"docs: changelog", "CHANGELOG.md", "0.2: names\n", 0},
		{"build: copy the sources first, a simpler Dockerfile", "Dockerfile", BISECT_BAD, 0},
		{"feat: say goodbye", "app/main.sh", "#!/bin/sh\necho \"bye '${1:-you}'\"\n", FIXTURE_EXEC},
		{"fix: exit status", "app/util.sh", "#!/bin/sh\necho util\nexit 0\n", FIXTURE_EXEC},
		{"docs: badges", "README.md", "bisect fixture [ok]\n\nusage: app/main.sh NAME\n", 0},
		{"feat: version flag", "app/version.sh", "#!/bin/sh\necho 0.3\n", FIXTURE_EXEC},
	};
	struct fixture_file c1[] = {
		{"app/main.sh", "#!/bin/sh\necho hello\n", FIXTURE_EXEC},
		{"deps.txt", "libfoo==1.0\n", 0},
		{"Dockerfile", BISECT_GOOD, 0},
		{"README.md", "bisect fixture\n", 0},
		{NULL, NULL, 0}};
	struct fixture_file c2[] = {{"deps.txt", "libfoo==1.2\n", 0}, {NULL, NULL, 0}};
	size_t i;

	fixture_commit(repo, "feat: first version of the service", c1);
	fixture_commit(repo, "chore(deps): pin libfoo 1.2", c2);
	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		struct fixture_file f[] = {{later[i].path, later[i].content, later[i].mode}, {NULL, NULL, 0}};
		fixture_commit(repo, later[i].subject, f);
	}
}

int main(int argc, char **argv)
{
	git_repository *repo;
	struct fixture_file c1[] = {
		{"app/main.sh", "#!/bin/sh\necho hello v1\n", FIXTURE_EXEC},
		{"deps.txt", "libfoo==1.0\n", 0},
		{"Dockerfile", "FROM bench/busybox:latest\nCOPY . /app\n", 0},
		{"README.md", "tiny fixture\n", 0},
		{NULL, NULL, 0}};
	struct fixture_file c2[] = {{"deps.txt", "libfoo==1.1\nlibbar==2.0\n", 0}, {NULL, NULL, 0}};
	struct fixture_file c3[] = {{"FAIL", "this commit breaks the build\n", 0},
				    {"app/main.sh", "#!/bin/sh\necho hello v2\n", FIXTURE_EXEC},
				    {NULL, NULL, 0}};
	struct fixture_file c4[] = {{"FAIL", NULL, 0},
				    {"app/main.sh", "#!/bin/sh\necho hello v3\n", FIXTURE_EXEC},
				    {NULL, NULL, 0}};
	struct fixture_file c5[] = {{"app/util.sh", "#!/bin/sh\necho util\n", FIXTURE_EXEC}, {NULL, NULL, 0}};
	bool bisect = argc == 3 && !strcmp(argv[1], "--bisect");

	if (argc != 2 && !bisect) {
		fprintf(stderr, "usage: mkfixture [--bisect] DIR\n");
		return 2;
	}
	repo = fixture_repo_init(argv[argc - 1]);
	if (bisect) {
		make_bisect(repo);
		fixture_repo_free(repo);
		return 0;
	}
	fixture_commit(repo, "feat: first version of the app", c1);
	fixture_commit(repo, "chore(deps): bump libfoo, add libbar", c2);
	fixture_commit(repo, "wip: this commit breaks the build", c3);
	fixture_commit(repo, "fix: remove the breaking marker", c4);
	fixture_commit(repo, "feat: add a util script", c5);
	fixture_repo_free(repo);
	return 0;
}
