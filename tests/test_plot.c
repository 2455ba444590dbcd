/* test_plot.c: unit tests of plot.c, plot_steps.c and gnuplot.c: the step
 * classifier, the data files, rendering every recorded results folder in
 * tests/data/runs to PNG and SVG, and a missing gnuplot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "pages/gnuplot.h"
#include "pages/plot.h"
#include "results/results.h"
#include "lib/util.h"

#include "reporoot.h"

static const char *const charts[] = {"build_time", "cold_warm", "steps", "cache_hits"};
#define NCHARTS 4

static char *run_dir(const char *name)
{
	char *root = repo_root(), *d = xasprintf("%s/tests/data/runs/%s", root, name);
	free(root);
	return d;
}

static char *templates(void)
{
	char *root = repo_root(), *t = path_join(root, "plots");
	free(root);
	return t;
}

static char *temp_dir(void)
{
	char *d = xstrdup("/tmp/test_plot.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static json_t *load(const char *name)
{
	char *dir = run_dir(name), *missing = NULL;
	json_t *run = NULL;
	assert_int_equal(results_load(&run, &missing, dir), 0);
	free(missing);
	free(dir);
	return run;
}

static void test_step_group(void **state)
{
	static const char *const cases[][2] = {
		{"[deps 2/2] RUN pip install --no-cache-dir -r requirements.txt", "deps"},
		{"[5/6] RUN pip install --no-cache-dir -r requirements.txt", "deps"},
		{"[deps 1/2] COPY requirements.txt .", "deps"},
		{"[deps 1/2] COPY req.txt /req.txt", "deps"},
		{"[deps 2/2] RUN cat /req.txt && echo deps-installed > /deps", "deps"},
		{"[final 1/3] COPY --from=deps /usr/local /usr/local", "deps"},
		{"[2/4] RUN uv pip install --system -r pyproject.toml", "deps"},
		{"[build 3/5] RUN npm ci", "deps"},
		{"[models 2/2] RUN curl -L -o embedding_model.tar.gz http://x/m.tar.gz", "models"},
		{"[6/6] RUN wget -q https://example.org/weights.bin", "models"},
		{"[models 1/2] WORKDIR /models", "base"},
		{"[final 2/3] COPY --from=models /models /app/models", "models"},
		{"[3/4] RUN python -c 'import x; x.download_model()'", "models"},
		{"[final 3/3] COPY . .", "code"},
		{"[3/5] COPY . /src", "code"},
		{"[builder 3/4] COPY src/ ./", "code"},
		{"[stage-2 2/3] COPY --from=builder /build/out.txt /app/out.txt", "code"},
		{"[2/3] ADD app.tar.gz /app", "code"},
		{"[internal] load build context", "code"},
		{"[internal] load metadata for docker.io/library/python:3.12.7-slim", "base"},
		{"[internal] load build definition from Dockerfile", "base"},
		{"[internal] load .dockerignore", "base"},
		{"[auth] library/python:pull token for registry-1.docker.io", "base"},
		{"resolve image config for docker-image://docker.io/docker/dockerfile:1", "base"},
		{"[base 1/3] FROM docker.io/library/python:3.12.7-slim@sha256:2b00", "base"},
		{"[1/5] FROM docker.io/library/bench-busybox:latest", "base"},
		{"[base 2/3] RUN apt-get update && apt-get install -y curl", "base"},
		{"[base 3/3] WORKDIR /app", "base"},
		{"[2/6] ENV PYTHONUNBUFFERED=1", "base"},
		{"[2/5] RUN useradd -m app", "base"},
		{"importing cache manifest from local:5312768823051930161", "cache"},
		{"importing cache manifest from 127.0.0.1:5000/cafeboo:buildcache", "cache"},
		{"exporting cache to client directory", "cache"},
		{"exporting cache to registry", "cache"},
		{"preparing build cache for export", "cache"},
		{"exporting to image", "export"},
		{"exporting layers", "export"},
		{"writing image sha256:0123abcd", "export"},
		{"naming to docker.io/library/cafeboo:latest", "export"},
		{"exporting to docker image format", "export"},
		{"resolving provenance for metadata file", "export"}, /* buildx 0.29 */
		{"sending tarball", "export"},
		{"pushing layers", "push"},
		{"pushing manifest for 127.0.0.1:5000/cafeboo:latest", "push"},
		{"[2/5] RUN echo step-one > /one", "other"},
		{"[4/5] RUN echo \"about to fail\" && ls /nonexistent", "other"},
		{"[tester 3/3] RUN grep -q alpha /t/out.txt && echo tests-passed > /t/ok", "other"},
		{"something brand new", "other"},
		{"", "other"},
		{"[unterminated 1/2 RUN pip install x", "other"},
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = step_group(cases[i][0]);
		if (strcmp(got, cases[i][1]))
			fail_msg("step_group(\"%s\") = \"%s\", want \"%s\"", cases[i][0], got, cases[i][1]);
	}
	assert_string_equal(step_group(NULL), "other");
	/* every answer is one of the listed groups */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t g;
		bool listed = false;
		for (g = 0; plot_step_groups[g]; g++)
			listed |= !strcmp(plot_step_groups[g], step_group(cases[i][0]));
		assert_true(listed);
	}
}

static double group_seconds(const double *v, const char *group)
{
	size_t g;
	for (g = 0; plot_step_groups[g]; g++)
		if (!strcmp(plot_step_groups[g], group))
			return v[g];
	fail_msg("no group %s", group);
	return 0;
}

static void test_build_groups(void **state)
{
	double v[PLOT_NGROUPS], sum = 0;
	size_t g;
	json_t *b = json_pack("{s:f, s:f, s:f, s:f, s:f, s:[{s:s, s:f}, {s:s, s:f}, {s:s, s:f}]}",
			      "wall_seconds", 30.0, "build_seconds", 20.0, "cache_restore_seconds", 4.0,
			      "cache_save_seconds", 3.0, "push_seconds", 3.0, "steps",
			      "name", "[deps 2/2] RUN pip install -r requirements.txt", "seconds", 12.0,
			      "name", "[final 3/3] COPY . .", "seconds", 2.0,
			      "name", "exporting cache to client directory", "seconds", 1.0);
	(void)state;

	plot_build_groups(v, b);
	for (g = 0; g < PLOT_NGROUPS; g++)
		sum += v[g];
	assert_true(fabs(sum - 30.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "deps") - 12.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "code") - 2.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "cache") - 1.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "restore/save") - 7.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "push") - 3.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "other") - 5.0) < 1e-9);

	/* parallel stages: steps add up to more than the build; scaled to fit */
	json_object_set_new(b, "build_seconds", json_real(7.5));
	json_object_set_new(b, "wall_seconds", json_real(17.5));
	plot_build_groups(v, b);
	assert_true(fabs(group_seconds(v, "deps") - 6.0) < 1e-9);
	assert_true(fabs(group_seconds(v, "other")) < 1e-9);
	for (sum = 0, g = 0; g < PLOT_NGROUPS; g++)
		sum += v[g];
	assert_true(fabs(sum - 17.5) < 1e-9);
	json_decref(b);
}

static void test_gnuplot_helpers(void **state)
{
	const char *keys[] = {"A", "BB"};
	const char *vals[] = {"x@A@y", "2"};
	struct strbuf sb = {0};
	char *s;
	(void)state;

	s = gnuplot_fill("@A@-@BB@-@C@-@-a@b", keys, vals, 2);
	assert_string_equal(s, "x@A@y-2-@C@-@-a@b");
	free(s);
	gnuplot_quote(&sb, "a \"b\" c\\d\ne\tf");
	assert_string_equal(sb.buf, "\"a \\\"b\\\" c\\\\d\\ne f\"");
	strbuf_release(&sb);
}

/* ---- images ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const char *path)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char *data = NULL;
	size_t len = 0;

	if (read_file(&data, &len, path) < 0)
		fail_msg("%s", bench_error_last());
	assert_true(len > 33);
	assert_memory_equal(data, sig, 8);
	assert_memory_equal(data + 12, "IHDR", 4);
	assert_int_equal(be32((unsigned char *)data + 16), 1200);
	assert_int_equal(be32((unsigned char *)data + 20), 700);
	free(data);
}

static void check_svg(const char *path)
{
	char *data = NULL;
	size_t len = 0;

	if (read_file(&data, &len, path) < 0)
		fail_msg("%s", bench_error_last());
	assert_true(!strncmp(data, "<?xml", 5) || !strncmp(data, "<svg", 4));
	assert_non_null(strstr(data, "<svg"));
	assert_non_null(strstr(data, "width=\"1200"));
	assert_non_null(strstr(data, "height=\"700"));
	assert_non_null(strstr(data, "</svg>"));
	free(data);
}

/* Every recorded folder in tests/data/runs renders every chart. */
static void test_render_recorded(void **state)
{
	char *root = run_dir(""), *tmpl = templates();
	DIR *d = opendir(root);
	struct dirent *e;
	size_t folders = 0;
	(void)state;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *dir = path_join(root, e->d_name), *missing = NULL, *out = temp_dir();
		struct plot_output o = {0};
		json_t *run = NULL;
		size_t c;

		if (e->d_name[0] == '.' || !path_is_dir(dir)) {
			free(dir);
			rm_rf(out);
			free(out);
			continue;
		}
		folders++;
		assert_int_equal(results_load(&run, &missing, dir), 0);
		if (plot_write(&o, run, out, tmpl, true) < 0)
			fail_msg("%s: %s", e->d_name, bench_error_last());
		assert_int_equal(o.images.n, 2 * NCHARTS);
		assert_int_equal(o.data.n, NCHARTS);
		for (c = 0; c < NCHARTS; c++) {
			char *png = xasprintf("%s/%s.png", out, charts[c]);
			char *svg = xasprintf("%s/%s.svg", out, charts[c]);
			check_png(png);
			check_svg(svg);
			free(png);
			free(svg);
		}
		plot_output_release(&o);
		json_decref(run);
		free(missing);
		rm_rf(out);
		free(out);
		free(dir);
	}
	closedir(d);
	assert_true(folders >= 3); /* synthetic-a, synthetic-b, interrupted (+ tiny-real) */
	free(root);
	free(tmpl);
}

/* ---- data files ---- */

/* Line `n` (0-based, comments skipped) of a data file, split on
 * whitespace outside double quotes. */
static void dat_row(struct strvec *out, const char *dir, const char *file, size_t n)
{
	char *path = path_join(dir, file), *data = NULL, *line, *save = NULL;
	size_t len, row = 0;

	assert_int_equal(read_file(&data, &len, path), 0);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		char *tok;
		if (line[0] == '#' || row++ != n)
			continue;
		while (*p) {
			size_t k;
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if (*p == '"') {
				k = strcspn(p + 1, "\"");
				tok = xstrndup(p + 1, k);
				p += k + (p[k + 1] ? 2 : 1);
			} else {
				k = strcspn(p, " ");
				tok = xstrndup(p, k);
				p += k;
			}
			strvec_push(out, tok);
			free(tok);
		}
		break;
	}
	free(data);
	free(path);
}

/* The mean wall time of variant's ok builds at commit `index`, computed
 * straight from the builds. */
static double mean_wall(json_t *run, const char *variant, long index, const char *phase)
{
	json_t *b;
	size_t i, n = 0;
	double sum = 0;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		if (strcmp(json_string_value(json_object_get(b, "variant")), variant) ||
		    json_integer_value(json_object_get(b, "index")) != index ||
		    strcmp(json_string_value(json_object_get(b, "status")), "ok") ||
		    (phase && strcmp(json_string_value(json_object_get(b, "phase")), phase)))
			continue;
		sum += json_number_value(json_object_get(b, "wall_seconds"));
		n++;
	}
	return n ? sum / (double)n : NAN;
}

static void assert_value(const char *text, double want)
{
	if (isnan(want)) {
		assert_string_equal(text, "NaN");
		return;
	}
	if (fabs(strtod(text, NULL) - want) > 0.0006)
		fail_msg("data value %s, want %.4f", text, want);
}

static void test_data_files(void **state)
{
	json_t *run = load("synthetic-a"), *summary;
	char *out = temp_dir(), *tmpl = templates();
	struct plot_output o = {0};
	struct strvec row = {0};
	size_t k, g;
	long c;
	(void)state;

	assert_int_equal(plot_write(&o, run, out, tmpl, false), 0);
	assert_int_equal(o.images.n, 0);
	assert_int_equal(o.scripts.n, NCHARTS);

	/* build_time.dat: index short label, then mean and cold mean per variant */
	for (c = 1; c <= 4; c++) {
		static const char *const vars[] = {"no-cache", "local-cache", "registry-cache"};
		dat_row(&row, out, "build_time.dat", (size_t)c - 1);
		assert_int_equal(row.n, 3 + 2 * 3);
		assert_int_equal(atol(row.v[0]), c);
		assert_int_equal(strlen(row.v[1]), 7);
		assert_non_null(strstr(row.v[2], row.v[1]));
		/* commit 1 changed requirements.txt and the Dockerfile: starred */
		assert_true((strstr(row.v[2], " *") != NULL) == (c == 1));
		for (k = 0; k < 3; k++) {
			assert_value(row.v[3 + 2 * k], mean_wall(run, vars[k], c, NULL));
			assert_value(row.v[4 + 2 * k], mean_wall(run, vars[k], c, "cold"));
		}
		strvec_release(&row);
	}
	/* the failed build (registry-cache rep 2 commit 4) is left out of the mean */
	dat_row(&row, out, "build_time.dat", 3);
	assert_true(fabs(strtod(row.v[7], NULL) - mean_wall(run, "registry-cache", 4, NULL)) < 0.001);
	strvec_release(&row);

	/* cold_warm.dat: medians and ranges as the summary has them */
	summary = results_summary(json_object_get(run, "builds"));
	for (k = 0; k < 3; k++) {
		json_t *s = json_array_get(summary, k);
		json_t *cold = json_object_get(s, "cold"), *warm = json_object_get(s, "warm");
		dat_row(&row, out, "cold_warm.dat", k);
		assert_int_equal(row.n, 10);
		assert_string_equal(row.v[1], json_string_value(json_object_get(s, "variant")));
		assert_value(row.v[2], json_number_value(json_object_get(cold, "median")));
		assert_value(row.v[3], json_number_value(json_object_get(cold, "min")));
		assert_value(row.v[4], json_number_value(json_object_get(cold, "max")));
		assert_value(row.v[5], json_number_value(json_object_get(warm, "median")));
		assert_value(row.v[6], json_number_value(json_object_get(warm, "min")));
		assert_value(row.v[7], json_number_value(json_object_get(warm, "max")));
		assert_int_equal(atol(row.v[9]), json_integer_value(json_object_get(warm, "n")));
		strvec_release(&row);
	}
	json_decref(summary);

	/* steps.dat: 6 rows (variant x cold/warm); groups add up to the wall time */
	for (k = 0; k < 6; k++) {
		double sum = 0;
		dat_row(&row, out, "steps.dat", k);
		assert_int_equal(row.n, 2 + PLOT_NGROUPS + 2);
		assert_string_equal(row.v[1], k % 2 ? "warm" : "cold");
		for (g = 0; g < PLOT_NGROUPS; g++)
			sum += strtod(row.v[2 + g], NULL);
		assert_true(fabs(sum - strtod(row.v[2 + PLOT_NGROUPS], NULL)) < 0.01);
		strvec_release(&row);
	}
	/* the local-cache cold build spends most of its time installing deps */
	dat_row(&row, out, "steps.dat", 2);
	assert_string_equal(row.v[0], "local-cache");
	assert_true(strtod(row.v[2 + 1], NULL) > 50);
	strvec_release(&row);

	/* cache_hits.dat: 0 % cold, 8 of 9 steps cached warm, 0 % without a cache */
	dat_row(&row, out, "cache_hits.dat", 0);
	assert_value(row.v[4], 0);
	strvec_release(&row);
	dat_row(&row, out, "cache_hits.dat", 1);
	assert_value(row.v[3], 0);
	assert_value(row.v[4], 800.0 / 9);
	assert_value(row.v[5], 800.0 / 9);
	strvec_release(&row);

	plot_output_release(&o);
	rm_rf(out);
	free(out);
	free(tmpl);
	json_decref(run);
}

static void test_gnuplot_missing(void **state)
{
	json_t *run = load("synthetic-b");
	char *out = temp_dir(), *empty = temp_dir(), *tmpl = templates();
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	struct plot_output o = {0};
	size_t c;
	(void)state;

	setenv("PATH", empty, 1);
	assert_int_equal(plot_write(&o, run, out, tmpl, true), BENCH_ESETUP);
	setenv("PATH", old, 1);
	assert_non_null(strstr(bench_error_last(), "gnuplot not found: apt-get install gnuplot-nox"));
	assert_non_null(strstr(bench_error_last(), out));
	assert_int_equal(o.images.n, 0);
	for (c = 0; c < NCHARTS; c++) {
		char *dat = xasprintf("%s/%s.dat", out, charts[c]);
		char *gp = xasprintf("%s/%s.gp", out, charts[c]);
		char *png = xasprintf("%s/%s.png", out, charts[c]);
		assert_true(path_exists(dat));
		assert_true(path_exists(gp));
		assert_false(path_exists(png));
		free(dat);
		free(gp);
		free(png);
	}
	plot_output_release(&o);
	rm_rf(out);
	rm_rf(empty);
	free(out);
	free(empty);
	free(old);
	free(tmpl);
	json_decref(run);
}

static void test_interrupted_notes(void **state)
{
	json_t *run = load("interrupted");
	struct strvec notes = {0};
	struct strbuf all = {0};
	size_t i;
	(void)state;

	plot_missing_notes(&notes, run);
	for (i = 0; i < notes.n; i++)
		strbuf_printf(&all, "%s\n", notes.v[i]);
	assert_non_null(strstr(all.buf, "scenario is not recorded"));
	assert_non_null(strstr(all.buf, "missing 2 of 8 builds"));
	assert_non_null(strstr(all.buf, "'local-cache' repetition 1: commits 3, 4 not built"));
	assert_non_null(strstr(all.buf, "commit 2 (5874c6e): interrupted"));
	strbuf_release(&all);
	strvec_release(&notes);
	json_decref(run);
}

static void test_empty_run(void **state)
{
	json_t *run = json_pack("{s:[]}", "builds");
	char *out = temp_dir(), *tmpl = templates();
	struct plot_output o = {0};
	(void)state;

	/* nothing to draw: every chart skipped with a note, no gnuplot run */
	assert_int_equal(plot_write(&o, run, out, tmpl, true), 0);
	assert_int_equal(o.images.n, 0);
	assert_int_equal(o.notes.n, NCHARTS);
	plot_output_release(&o);
	rm_rf(out);
	free(out);
	free(tmpl);
	json_decref(run);
}

static void test_templates_dir(void **state)
{
	char *root = repo_root(), *dir = NULL, *want = path_join(root, "plots");
	char *old = getenv("BENCH_DATADIR") ? xstrdup(getenv("BENCH_DATADIR")) : NULL;
	(void)state;

	setenv("BENCH_DATADIR", root, 1);
	assert_int_equal(plot_templates_dir(&dir), 0);
	assert_string_equal(dir, want);
	free(dir);
	setenv("BENCH_DATADIR", want, 1); /* the plots folder itself works too */
	assert_int_equal(plot_templates_dir(&dir), 0);
	assert_string_equal(dir, want);
	free(dir);
	setenv("BENCH_DATADIR", "/nonexistent/bench", 1);
	if (plot_templates_dir(&dir) == 0) {
		free(dir); /* an installed copy next to this program: fine */
	} else {
		assert_null(dir);
		assert_non_null(strstr(bench_error_last(), "/nonexistent/bench/plots"));
	}
	if (old)
		setenv("BENCH_DATADIR", old, 1);
	else
		unsetenv("BENCH_DATADIR");
	free(old);
	free(root);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_group),
		cmocka_unit_test(test_build_groups),
		cmocka_unit_test(test_gnuplot_helpers),
		cmocka_unit_test(test_data_files),
		cmocka_unit_test(test_render_recorded),
		cmocka_unit_test(test_gnuplot_missing),
		cmocka_unit_test(test_interrupted_notes),
		cmocka_unit_test(test_empty_run),
		cmocka_unit_test(test_templates_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
