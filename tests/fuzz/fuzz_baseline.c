/*
 * fuzz_baseline.c: libFuzzer target for the baseline reader of `bench gate`
 * (harness/results/gate_baseline.c). A baseline is a file a CI job downloads, so any
 * bytes must give an error or a baseline; a baseline that loads is then
 * judged against a small fixed run (variants app, multi-local and
 * multi-nocache, as in the seeds) and the report formatted three ways, so
 * that odd field types and values reach gate_evaluate too. The bytes go
 * through a memfd, as gate_baseline_load reads a path. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/error.h"
#include "results/gate.h"
#include "results/results.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A run as results_load gives it: one cold and three warm ok builds per
 * variant, and a failed one. New reference. */
static json_t *fixed_run(void)
{
	static const char *const variants[] = {"app", "multi-local", "multi-nocache"};
	json_t *run = json_object(), *builds = json_array(), *env = json_object();
	int v, i;

	for (v = 0; v < 3; v++) {
		for (i = 1; i <= 5; i++) {
			json_t *b = json_object();
			json_object_set_new(b, "variant", json_string(variants[v]));
			json_object_set_new(b, "repetition", json_integer(1));
			json_object_set_new(b, "commit", json_sprintf("c%d", i));
			json_object_set_new(b, "index", json_integer(i));
			json_object_set_new(b, "phase", json_string(i == 1 ? "cold" : "warm"));
			json_object_set_new(b, "status", json_string(i == 5 ? "failed" : "ok"));
			json_object_set_new(b, "wall_seconds", json_real(i == 1 ? 10.0 + v : 2.0 + 0.1 * i));
			json_object_set_new(b, "steps_total", json_integer(5));
			json_object_set_new(b, "steps_cached", json_integer(i == 1 ? 0 : 3));
			json_object_set_new(b, "image_bytes", json_integer(2000000 + v));
			json_object_set_new(b, "cache_bytes", json_integer(i * 1000));
			json_array_append_new(builds, b);
		}
	}
	json_object_set_new(env, "hostname", json_string("fuzz"));
	json_object_set_new(env, "cpus", json_integer(2));
	/* multi-nocache keeps no cache: the gate's reference by default */
	json_object_set_new(run, "scenario", json_pack("{s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}, "
		"{s:s, s:s, s:s}]}", "name", "fuzz", "variants", "name", "app", "cache", "local",
		"runner", "ephemeral", "name", "multi-local", "cache", "none", "runner", "persistent",
		"name", "multi-nocache", "cache", "none", "runner", "ephemeral"));
	json_object_set_new(run, "environment", env);
	json_object_set_new(run, "builds", builds);
	json_object_set_new(run, "summary", results_summary(builds));
	return run;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum gate_format formats[] = {GATE_TEXT, GATE_MARKDOWN, GATE_JSON};
	struct gate_settings settings;
	struct gate_limits limits;
	struct gate_report report;
	json_t *baseline = NULL, *run;
	char path[64];
	size_t off = 0;
	int fd, i;

	if ((fd = memfd_create("baseline", MFD_CLOEXEC)) < 0)
		return 0;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (off == size && gate_baseline_load(&baseline, path) == 0) {
		run = fixed_run();
		gate_settings_unset(&settings);
		gate_limits_resolve(&limits, NULL, &settings);
		for (i = 0; i < 2; i++) {
			/* without, then with a reference variant */
			if (i)
				limits.reference = "multi-local";
			memset(&report, 0, sizeof(report));
			if (gate_evaluate(&report, run, baseline, &limits) == 0) {
				for (size_t f = 0; f < 3; f++) {
					struct strbuf sb = {0};
					gate_format_report(&sb, &report, formats[f]);
					strbuf_release(&sb);
				}
			}
			gate_report_release(&report);
		}
		json_decref(run);
	}
	json_decref(baseline);
	close(fd);
	bench_error_clear();
	return 0;
}
