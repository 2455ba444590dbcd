/*
 * mkfixture.c: writes the small git repository the tiny scenario and the
 * integration tests replay (libgit2, fixed ids):
 *   1 initial app            4 code change
 *   2 deps change            5 code change
 *   3 a commit whose build fails (FAIL marker), 6 fixes it
 * usage: mkfixture DIR   (DIR must not exist)
 */
#include <stdio.h>
#include <stdlib.h>

#include "gitfixture.h"

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

	if (argc != 2) {
		fprintf(stderr, "usage: mkfixture DIR\n");
		return 2;
	}
	repo = fixture_repo_init(argv[1]);
	fixture_commit(repo, "feat: first version of the app", c1);
	fixture_commit(repo, "chore(deps): bump libfoo, add libbar", c2);
	fixture_commit(repo, "wip: this commit breaks the build", c3);
	fixture_commit(repo, "fix: remove the breaking marker", c4);
	fixture_commit(repo, "feat: add a util script", c5);
	fixture_repo_free(repo);
	return 0;
}
