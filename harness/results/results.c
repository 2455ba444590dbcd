/*
 * results.c: the results folder (see results.h): journal.jsonl appended and
 * synced as each build ends (the durable record), builds.csv appended,
 * run.json rewritten atomically now and then and at the end, and the loader
 * that merges run.json with the journal (a run going on, or interrupted).
 * Also the per-variant summary and the CSV rows.
 */
#include "results/results.h"
#include "lib/error.h"
#include "results/stats.h"
#include "lib/util.h"
#include "lib/jsonx.h"
#include "lib/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BENCH_RESULTS_VERSION "0.1"
#define RUN_JSON "run.json"
#define JOURNAL "journal.jsonl"
#define BUILDS_CSV "builds.csv"

static const char csv_header[] =
	"variant,repetition,index,commit,subject,phase,status,exit_code,wall_seconds,"
	"steps_total,steps_cached,cache_bytes,image_bytes,cache_restore_seconds,"
	"cache_save_seconds,push_seconds,served_bytes,reason,engine,cpu_contention\n";

/* ---- small helpers ---- */

/* Write all of data to fd, looping on partial writes and EINTR. Returns 0 or
 * -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static long long int_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	return (long long)json_number_value(v);
}

/* The shortest %g form of d that reads back as d. */
static void format_real(struct strbuf *sb, double d)
{
	char buf[64];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_puts(sb, buf);
}

/* ---- CSV ---- */

const char *results_csv_header(void)
{
	return csv_header;
}

/* One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF. */
static void csv_field(struct strbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_puts(sb, s);
		return;
	}
	strbuf_puts(sb, "\"");
	for (; *s; s++) {
		if (*s == '"')
			strbuf_puts(sb, "\"\"");
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_puts(sb, "\"");
}

static void csv_value(struct strbuf *sb, json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		csv_field(sb, json_string_value(v));
		break;
	case JSON_INTEGER:
		strbuf_printf(sb, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		format_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_puts(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_puts(sb, "false");
		break;
	default:
		break; /* missing, null, arrays and objects: empty field */
	}
}

char *results_csv_row(json_t *build)
{
	static const char *const cols[] = {
		"variant", "repetition", "index", "commit", "subject", "phase", "status",
		"exit_code", "wall_seconds", "steps_total", "steps_cached", "cache_bytes",
		"image_bytes", "cache_restore_seconds", "cache_save_seconds",
		"push_seconds", "served_bytes", "reason", "engine", "cpu_contention",
	};
	struct strbuf sb = {0};
	size_t i;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (i)
			strbuf_puts(&sb, ",");
		csv_value(&sb, json_object_get(build, cols[i]));
	}
	strbuf_puts(&sb, "\n");
	return strbuf_detach(&sb);
}

char *results_build_key(json_t *build)
{
	return xasprintf("%s/%lld/%lld", json_str(build, "variant"),
			 int_field(build, "repetition"), int_field(build, "index"));
}

/* ---- engines ---- */

json_t *results_engines(json_t *run)
{
	json_t *out = json_array(), *b, *fp, *e;
	json_t *fps = json_object_get(json_object_get(run, "environment"), "engines");
	size_t i, k;

	json_array_foreach(json_object_get(run, "builds"), i, b) {
		const char *name = *json_str(b, "engine") ? json_str(b, "engine") : "default";
		json_t *found = NULL;
		json_array_foreach(out, k, e)
			if (!strcmp(json_str(e, "name"), name))
				found = e;
		if (!found) {
			json_t *id = json_null();
			json_array_foreach(fps, k, fp)
				if (!strcmp(json_str(fp, "name"), name) && json_is_string(json_object_get(fp, "engine_id")))
					id = json_object_get(fp, "engine_id");
			found = json_pack("{s:s, s:O, s:i}", "name", name, "engine_id", id, "builds", 0);
			json_array_append_new(out, found);
		}
		json_object_set_new(found, "builds", json_integer(json_integer_value(json_object_get(found, "builds")) + 1));
	}
	return out;
}

char *results_engines_names(json_t *engines)
{
	struct strbuf sb = {0};
	json_t *e;
	size_t i;

	json_array_foreach(engines, i, e)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", json_str(e, "name"));
	return sb.buf ? strbuf_detach(&sb) : xstrdup("");
}

/* An engine's identity: its id when known, else its name. */
static const char *engine_identity(json_t *e)
{
	return *json_str(e, "engine_id") ? json_str(e, "engine_id") : json_str(e, "name");
}

static bool engines_within(json_t *a, json_t *b)
{
	json_t *x, *y;
	size_t i, k;

	json_array_foreach(a, i, x) {
		bool found = false;
		json_array_foreach(b, k, y)
			found |= !strcmp(engine_identity(x), engine_identity(y));
		if (!found)
			return false;
	}
	return true;
}

bool results_engines_same(json_t *a, json_t *b)
{
	return engines_within(a, b) && engines_within(b, a);
}

/* ---- summary ---- */

json_t *results_stats_json(const double *v, size_t n)
{
	struct stats s;
	stats_compute(&s, v, n);
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:I}", "n", (json_int_t)s.n,
			 "median", s.median, "mean", s.mean, "stddev", s.stddev,
			 "min", s.min, "max", s.max, "outliers", (json_int_t)s.outliers);
}

static json_t *real_or_null(bool have, double v)
{
	return have && isfinite(v) ? json_real(v) : json_null();
}

/* The summary of the builds of one variant. */
static json_t *variant_summary(json_t *builds, const char *variant)
{
	size_t n = json_array_size(builds), i, ncold = 0, nwarm = 0, count = 0, ok = 0;
	double *cold = xmalloc(n * sizeof(double)), *warm = xmalloc(n * sizeof(double));
	double steps_total = 0, steps_cached = 0, cold_med = 0, warm_med = 0;
	json_t *b, *out;

	json_array_foreach(builds, i, b) {
		const char *phase = json_str(b, "phase");
		double wall = json_number_value(json_object_get(b, "wall_seconds"));
		if (strcmp(json_str(b, "variant"), variant))
			continue;
		count++;
		if (strcmp(json_str(b, "status"), "ok"))
			continue;
		ok++;
		if (!strcmp(phase, "cold")) {
			cold[ncold++] = wall;
		} else if (!strcmp(phase, "warm")) {
			warm[nwarm++] = wall;
			steps_total += json_number_value(json_object_get(b, "steps_total"));
			steps_cached += json_number_value(json_object_get(b, "steps_cached"));
		}
	}
	if (ncold)
		cold_med = stats_median(cold, ncold);
	if (nwarm)
		warm_med = stats_median(warm, nwarm);
	out = json_object();
	json_object_set_new(out, "variant", json_string(variant));
	json_object_set_new(out, "builds", json_integer((json_int_t)count));
	json_object_set_new(out, "ok", json_integer((json_int_t)ok));
	json_object_set_new(out, "cold_seconds", real_or_null(ncold, cold_med));
	json_object_set_new(out, "warm_median_seconds", real_or_null(nwarm, warm_med));
	json_object_set_new(out, "warm_over_cold",
			    real_or_null(ncold && nwarm && cold_med > 0, warm_med / cold_med));
	json_object_set_new(out, "cached_step_ratio",
			    real_or_null(nwarm && steps_total > 0, steps_cached / steps_total));
	json_object_set_new(out, "cold", results_stats_json(cold, ncold));
	json_object_set_new(out, "warm", results_stats_json(warm, nwarm));
	free(cold);
	free(warm);
	return out;
}

json_t *results_summary(json_t *builds)
{
	json_t *out = json_array(), *variants = json_distinct_strs(builds, "variant"), *v;
	size_t i;

	json_array_foreach(variants, i, v)
		json_array_append_new(out, variant_summary(builds, json_string_value(v)));
	json_decref(variants);
	return out;
}

/* ---- writing ---- */

static int write_run_json(struct results *r)
{
	char *path = path_join(r->dir, RUN_JSON), *text;
	struct strbuf sb = {0};
	int error = 0;

	json_object_set_new(r->run, "summary",
			    results_summary(json_object_get(r->run, "builds")));
	if (!(text = json_dumps(r->run, JSON_INDENT(2)))) {
		error = bench_error_set(BENCH_ERROR, "cannot encode '%s'", path);
		goto done;
	}
	strbuf_puts(&sb, text);
	strbuf_puts(&sb, "\n");
	free(text);
	error = write_file_atomic(path, sb.buf, sb.len);
	if (!error)
		r->run_json_written = monotime_now();
done:
	strbuf_release(&sb);
	free(path);
	return error;
}

/* Rewrite builds.csv (atomically) from every build in run["builds"]. */
static int write_csv(struct results *r)
{
	struct strbuf sb = {0};
	char *path = path_join(r->dir, BUILDS_CSV);
	json_t *b;
	size_t i;
	int error;

	strbuf_puts(&sb, csv_header);
	json_array_foreach(json_object_get(r->run, "builds"), i, b) {
		char *row = results_csv_row(b);
		strbuf_puts(&sb, row);
		free(row);
	}
	error = write_file_atomic(path, sb.buf, sb.len);
	strbuf_release(&sb);
	free(path);
	return error;
}

/* Append text to path; the message names path on failure. A write that
 * fails is cut back so that no torn row is left behind. Not synced: the
 * journal is the durable record, and a resumed run rewrites this file. */
static int append_text(const char *path, const char *text)
{
	struct stat st;
	int fd, error = 0;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return bench_error_errno(BENCH_EIO, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot stat '%s'", path);
	} else if (write_all(fd, text, strlen(text)) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", path);
		if (ftruncate(fd, st.st_size) < 0) {
			/* nothing more to do: the error is already reported */
		}
	}
	if (close(fd) < 0 && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", path);
	return error;
}

static int open_journal(struct results *r)
{
	char *path = path_join(r->dir, JOURNAL);
	int error = 0;

	r->journal_fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (r->journal_fd < 0)
		error = bench_error_errno(BENCH_EIO, "cannot open '%s'", path);
	free(path);
	return error;
}

/*
 * Append one line to the journal with a single write (looping only on a
 * partial write). Should the write fail, the journal is cut back to its
 * previous size so that no torn line is left; should even that fail, the next
 * append starts with a newline so that the torn line stays alone on its line
 * (the loader skips it with a note).
 */
static int journal_append(struct results *r, const char *line)
{
	char *path = path_join(r->dir, JOURNAL), last = '\n';
	struct strbuf sb = {0};
	struct stat st;
	int error = 0;

	if (fstat(r->journal_fd, &st) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot stat '%s'", path);
		goto done;
	}
	if (st.st_size > 0 && pread(r->journal_fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	if (last != '\n')
		strbuf_puts(&sb, "\n");
	strbuf_puts(&sb, line);
	strbuf_puts(&sb, "\n");
	if (write_all(r->journal_fd, sb.buf, sb.len) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", path);
		if (ftruncate(r->journal_fd, st.st_size) < 0) {
			/* the next append and the loader cope with the torn line */
		}
		goto done;
	}
	if (fdatasync(r->journal_fd) < 0)
		error = bench_error_errno(BENCH_EIO, "cannot sync '%s'", path);
done:
	strbuf_release(&sb);
	free(path);
	return error;
}

/* ---- superseded builds ---- */

/* The index in builds of the build whose key is key, or -1. */
static long find_key(json_t *builds, const char *key)
{
	json_t *b;
	size_t i;

	json_array_foreach(builds, i, b) {
		char *k = results_build_key(b);
		bool same = !strcmp(k, key);
		free(k);
		if (same)
			return (long)i;
	}
	return -1;
}

/*
 * Put build into run["builds"]: a build of a key already there replaces it
 * (in its place), and the former one moves to run["superseded"]. That is a
 * series restarted on another engine after its first one stopped answering:
 * the earlier builds were finished, and stay on record, but the series'
 * figures are those of its new engine. A build already superseded, or
 * already there, is not added twice.
 */
enum put { PUT_NOTHING, PUT_ADDED, PUT_REPLACED };
static enum put put_build(json_t *run, json_t *build)
{
	json_t *builds = json_object_get(run, "builds"), *old, *sup = json_object_get(run, "superseded"), *s;
	char *key = results_build_key(build);
	long at = find_key(builds, key);
	size_t i;

	free(key);
	json_array_foreach(sup, i, s)
		if (json_equal(s, build))
			return PUT_NOTHING;
	if (at < 0) {
		json_array_append(builds, build);
		return PUT_ADDED;
	}
	old = json_array_get(builds, (size_t)at);
	if (json_equal(old, build))
		return PUT_NOTHING;
	if (!json_is_array(sup)) {
		sup = json_array();
		json_object_set_new(run, "superseded", sup);
	}
	json_array_append(sup, old);
	json_array_set(builds, (size_t)at, build);
	return PUT_REPLACED;
}

/* ---- create, append, finish ---- */

static struct results *results_alloc(const char *dir)
{
	struct results *r = xcalloc(1, sizeof(*r));
	r->dir = xstrdup(dir);
	r->logs_dir = path_join(dir, "logs");
	r->journal_fd = -1;
	r->run_json_interval = RESULTS_RUN_JSON_INTERVAL;
	return r;
}

void results_free(struct results *r)
{
	if (!r)
		return;
	if (r->journal_fd >= 0)
		close(r->journal_fd);
	json_decref(r->run);
	free(r->dir);
	free(r->logs_dir);
	free(r);
}

int results_create(struct results **out, const char *base, const char *name,
		   json_t *scenario, json_t *environment)
{
	struct results *r = NULL;
	char stamp[32], started[32], *prefix = NULL, *dir = NULL;
	int error, attempt;

	*out = NULL;
	if ((error = mkdir_p(base)))
		goto done;
	utc_stamp(stamp, sizeof(stamp));
	utc_iso8601(started, sizeof(started));
	prefix = xasprintf("%s-%s", name, stamp);
	dir = path_join(base, prefix);
	/* Two runs in the same second get "-2", "-3"...: mkdir decides. */
	for (attempt = 2; mkdir(dir, 0777) < 0; attempt++) {
		char *next;
		if (errno != EEXIST || attempt > 1000) {
			error = bench_error_errno(BENCH_EIO, "cannot create directory '%s'", dir);
			goto done;
		}
		next = xasprintf("%s-%d", prefix, attempt);
		free(dir);
		dir = path_join(base, next);
		free(next);
	}
	r = results_alloc(dir);
	if (mkdir(r->logs_dir, 0777) < 0) {
		error = bench_error_errno(BENCH_EIO, "cannot create directory '%s'", r->logs_dir);
		goto done;
	}
	if ((error = open_journal(r)))
		goto done;
	r->run = json_object();
	json_object_set_new(r->run, "bench_version", json_string(BENCH_RESULTS_VERSION));
	json_object_set_new(r->run, "started", json_string(started));
	json_object_set_new(r->run, "finished", json_false());
	json_object_set_new(r->run, "scenario", scenario ? scenario : json_null());
	json_object_set_new(r->run, "environment", environment ? environment : json_null());
	scenario = environment = NULL;
	json_object_set_new(r->run, "builds", json_array());
	json_object_set_new(r->run, "summary", json_array());
	if ((error = write_csv(r)) || (error = write_run_json(r)))
		goto done;
	*out = r;
	r = NULL;
done:
	json_decref(scenario);
	json_decref(environment);
	results_free(r);
	free(prefix);
	free(dir);
	return error;
}

/*
 * The journal line goes first: once it is synced the build is safe. The
 * build then joins run["builds"] in memory even if builds.csv or run.json
 * cannot be written (the error is returned; run.json keeps its previous,
 * valid version and the loader recovers the build from the journal).
 * run.json, whose size grows with the run, is rewritten only when
 * r->run_json_interval seconds passed since it was last written, so
 * that a build's cost does not grow with the number before it; until then
 * the loader finds the newer builds in the journal.
 */
int results_append(struct results *r, json_t *build)
{
	char *line = NULL, *row = NULL, *csv = NULL;
	int error = 0;

	if (!json_is_object(build)) {
		error = bench_error_set(BENCH_EINVALID, "a build record must be a JSON object");
		goto done;
	}
	if (!(line = json_dumps(build, JSON_COMPACT))) {
		error = bench_error_set(BENCH_ERROR, "cannot encode a build record");
		goto done;
	}
	if ((error = journal_append(r, line)))
		goto done;
	if (put_build(r->run, build) == PUT_REPLACED) {
		/* a row of builds.csv is replaced: write it whole */
		if ((error = write_csv(r)))
			goto done;
	} else {
		row = results_csv_row(build);
		csv = path_join(r->dir, BUILDS_CSV);
		if ((error = append_text(csv, row)))
			goto done;
	}
	if (monotime_seconds_since(r->run_json_written) >= r->run_json_interval)
		error = write_run_json(r);
done:
	json_decref(build);
	free(line);
	free(row);
	free(csv);
	return error;
}

int results_finish(struct results *r, bool complete)
{
	char ended[32];

	utc_iso8601(ended, sizeof(ended));
	json_object_set_new(r->run, "finished", json_boolean(complete));
	json_object_set_new(r->run, "ended", json_string(ended));
	return write_run_json(r);
}

/* ---- loading ---- */

static void note_add(struct strbuf *notes, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add one note to the "; "-separated list of what a results folder lacks. */
static void note_add(struct strbuf *notes, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (notes->len)
		strbuf_puts(notes, "; ");
	strbuf_puts(notes, buf);
}

/*
 * Read the builds of journal.jsonl into run (put_build: those it lacks, and
 * a later build of a key replacing the earlier one), counting them in
 * *added. Lines that are torn or not JSON objects are skipped with a note.
 */
static int read_journal(json_t *run, size_t *added, struct strbuf *notes, const char *path)
{
	char *text = NULL, *p, *nl;
	long long lineno = 0;
	int error;

	*added = 0;
	if ((error = read_file(&text, NULL, path)))
		goto done;
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		json_error_t jerr;
		json_t *b;
		nl = strchr(p, '\n');
		lineno++;
		if (nl)
			*nl = '\0';
		if (!*p)
			continue;
		b = json_loads(p, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(b)) {
			json_decref(b);
			note_add(notes, "%s line %lld is torn or corrupt, skipped", JOURNAL, lineno);
			continue;
		}
		if (put_build(run, b) != PUT_NOTHING)
			(*added)++;
		json_decref(b);
	}
done:
	free(text);
	return error;
}

/*
 * Load dir into a new run object: run.json when valid (otherwise a skeleton
 * with scenario and environment null), plus every journal build it lacks; the
 * summary is recomputed. *missing gets the notes (NULL when complete).
 */
static int load_run(json_t **out, char **missing, const char *dir)
{
	char *run_path = path_join(dir, RUN_JSON), *journal_path = path_join(dir, JOURNAL);
	bool have_run = path_exists(run_path), have_journal = path_exists(journal_path);
	bool run_ok = false;
	struct stat st;
	struct strbuf notes = {0};
	json_t *run = NULL, *builds;
	size_t added = 0;
	int error = 0;

	*out = NULL;
	if (missing)
		*missing = NULL;
	if (stat(dir, &st) < 0) {
		error = bench_error_errno(BENCH_ENOTFOUND, "cannot open results folder '%s'", dir);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		error = bench_error_set(BENCH_ENOTFOUND, "'%s' is not a results folder (not a directory)",
					dir);
		goto done;
	}
	if (!have_run && !have_journal) {
		error = bench_error_set(BENCH_ENOTFOUND,
					"'%s' is not a results folder (no run.json or journal.jsonl)", dir);
		goto done;
	}
	if (have_run) {
		json_error_t jerr;
		run = json_load_file(run_path, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(run) || !json_is_array(json_object_get(run, "builds"))) {
			note_add(&notes, "%s is corrupt (%s), scenario and environment missing",
				 RUN_JSON, run ? "not a run object" : jerr.text);
			json_decref(run);
			run = NULL;
		} else {
			run_ok = true;
		}
	} else {
		note_add(&notes, "%s missing, scenario and environment missing", RUN_JSON);
	}
	if (!run) {
		run = json_pack("{s:s, s:n, s:b, s:n, s:n, s:[], s:[]}", "bench_version",
				BENCH_RESULTS_VERSION, "started", "finished", 0, "scenario",
				"environment", "builds", "summary");
	}
	builds = json_object_get(run, "builds");
	if (have_journal) {
		if ((error = read_journal(run, &added, &notes, journal_path)))
			goto done;
		if (added && run_ok)
			note_add(&notes, "read %zu build%s from %s not in %s (a run going on, or interrupted)",
				 added, added == 1 ? "" : "s", JOURNAL, RUN_JSON);
		else if (added)
			note_add(&notes, "read %zu build%s from %s", added,
				 added == 1 ? "" : "s", JOURNAL);
	} else {
		note_add(&notes, "%s missing", JOURNAL);
	}
	json_object_set_new(run, "summary", results_summary(builds));
	*out = run;
	run = NULL;
	if (missing && notes.len)
		*missing = strbuf_detach(&notes);
done:
	strbuf_release(&notes);
	json_decref(run);
	free(run_path);
	free(journal_path);
	return error;
}

int results_load(json_t **out, char **missing, const char *dir)
{
	return load_run(out, missing, dir);
}

/*
 * Rewrite the journal (atomically) from run["superseded"] then run["builds"]
 * (the later line of a key wins when it is read back), one build per line,
 * and reopen it for append; then builds.csv and run.json.
 */
static int rewrite_all(struct results *r)
{
	struct strbuf lines = {0};
	char *journal = path_join(r->dir, JOURNAL);
	json_t *b;
	size_t i;
	int error = 0;

	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(json_object_get(r->run, pass ? "builds" : "superseded"), i, b) {
			char *line = json_dumps(b, JSON_COMPACT);
			if (!line) {
				error = bench_error_set(BENCH_ERROR, "cannot encode a build record");
				goto done;
			}
			strbuf_puts(&lines, line);
			strbuf_puts(&lines, "\n");
			free(line);
		}
	}
	if (r->journal_fd >= 0)
		close(r->journal_fd);
	r->journal_fd = -1;
	if ((error = write_file_atomic(journal, lines.buf ? lines.buf : "", lines.len)) ||
	    (error = open_journal(r)) || (error = write_csv(r)))
		goto done;
	error = write_run_json(r);
done:
	strbuf_release(&lines);
	free(journal);
	return error;
}

int results_set_environment(struct results *r, const char *key, json_t *value)
{
	json_t *env = json_object_get(r->run, "environment");

	if (!json_is_object(env)) {
		env = json_object();
		json_object_set_new(r->run, "environment", env);
	}
	json_object_set_new(env, key, value);
	return write_run_json(r);
}

int results_drop_series(struct results *r, const char *variant, int repetition)
{
	json_t *builds = json_object_get(r->run, "builds");
	size_t i;

	for (i = json_array_size(builds); i-- > 0;) {
		json_t *b = json_array_get(builds, i);
		if (!strcmp(json_str(b, "variant"), variant) && int_field(b, "repetition") == repetition)
			json_array_remove(builds, i);
	}
	return rewrite_all(r);
}

/*
 * Reopen dir to continue it: the merged run stays in memory, journal.jsonl
 * is rewritten (atomically) with every build, one per line, so that torn
 * lines are gone and it is complete, then reopened for append; builds.csv and
 * run.json are rewritten from all builds at once, run.json with the resume
 * and the loader's notes added to its "resumes".
 */
int results_reopen(struct results **out, char **notes, const char *dir)
{
	struct results *r = NULL;
	char *missing = NULL, now[32];
	json_t *run = NULL, *resumes;
	size_t i;
	int error;

	*out = NULL;
	if (notes)
		*notes = NULL;
	if ((error = load_run(&run, &missing, dir)))
		goto done;
	r = results_alloc(dir);
	r->run = run;
	json_object_set_new(r->run, "finished", json_false());
	/* each resume is kept in run.json with what the loader noticed (a torn
	 * journal line, builds only in the journal) */
	utc_iso8601(now, sizeof(now));
	if (!json_is_array(resumes = json_object_get(r->run, "resumes"))) {
		resumes = json_array();
		json_object_set_new(r->run, "resumes", resumes);
	}
	json_array_append_new(resumes, json_pack("{s:s, s:s}", "at", now, "notes", missing ? missing : ""));
	if ((error = mkdir_p(r->logs_dir)))
		goto done;
	/* an interrupted build did not finish: the continued run builds it again,
	 * so its record goes (from the journal and the CSV as well) */
	for (i = json_array_size(json_object_get(r->run, "builds")); i-- > 0;) {
		const char *st = json_string_value(json_object_get(
			json_array_get(json_object_get(r->run, "builds"), i), "status"));
		if (st && !strcmp(st, "interrupted"))
			json_array_remove(json_object_get(r->run, "builds"), i);
	}
	if ((error = rewrite_all(r)))
		goto done;
	*out = r;
	r = NULL;
	if (notes) {
		*notes = missing;
		missing = NULL;
	}
done:
	results_free(r);
	free(missing);
	return error;
}
