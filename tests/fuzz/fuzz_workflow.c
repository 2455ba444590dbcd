/*
 * fuzz_workflow.c: libFuzzer target for what bench init reads from a
 * repository: the bytes are a GitHub Actions workflow for workflow_read
 * (libyaml, then the walk of jobs and steps), a run: script for
 * runline_commands and runline_docker_build, and a Dockerfile for
 * findings_dockerfile. Each must return an error or a result, never crash,
 * leak or read out of bounds. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/findings.h"
#include "init/workflow.h"
#include "lib/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_builds b = {0};
	struct findings f = {0};
	struct strvec *cmds;
	char *text = malloc(size + 1);
	size_t n, i;

	memcpy(text, data, size);
	text[size] = 0;
	if (workflow_read(&b, "fuzz.yml", text, size) == 0)
		for (i = 0; i < b.n; i++) /* every build has its context and names its step */
			if (!b.v[i].context || b.v[i].line < 1 || !b.v[i].how)
				abort();
	wf_builds_release(&b);
	bench_error_clear();

	runline_commands(&cmds, &n, text);
	for (i = 0; i < n; i++) {
		struct wf_build one = {0};
		if (runline_docker_build(&one, &cmds[i]) && !one.context)
			abort();
		free(one.context);
		free(one.file);
		free(one.target);
		strvec_release(&one.build_args);
		strvec_release(&one.cache_from);
		strvec_release(&one.cache_to);
		strvec_release(&one.tags);
		runline_docker_push(&cmds[i]);
	}
	runline_commands_free(cmds, n);

	findings_dockerfile(&f, "Dockerfile", text, false, ".dockerignore");
	for (i = 0; i < f.n; i++)
		if (f.v[i].line < 0 || !f.v[i].message)
			abort();
	findings_release(&f);
	free(text);
	return 0;
}
