/*
 * progress.c: the live progress display on stderr (see progress.h), its
 * ETA, and the end-of-run time split.
 *
 * On a terminal one line is redrawn in place with "\r\033[K", cut to the
 * terminal's width. Anywhere else (CI logs, a file) a plain line is printed
 * when the current step changes, or again every PROGRESS_PLAIN_REPEAT seconds
 * for a long step, and one final line per build. quiet prints nothing.
 * Several engines' builds may print at once, each through its own struct
 * progress on the same stream: every line is written under the stream's lock
 * (flockfile), so lines never mix.
 */
#include "run/progress.h"
#include "lib/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CLEAR_LINE "\r\033[K"
#define PLAIN_STEP_MAX 200 /* characters of a step name on a plain line */

static int terminal_width(FILE *out, bool tty)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	long n;
	char *end;

	if (env && *env) {
		n = strtol(env, &end, 10);
		if (!*end && n > 0 && n < 10000)
			return (int)n;
	}
	if (tty && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 100;
}

void progress_init(struct progress *p, FILE *out, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->quiet = quiet;
	p->tty = out && isatty(fileno(out));
	p->width = terminal_width(out, p->tty);
}

void progress_release(struct progress *p)
{
	size_t i;
	for (i = 0; i < p->nkinds; i++) {
		free(p->kinds[i].variant);
		free(p->kinds[i].phase);
	}
	free(p->kinds);
	p->kinds = NULL;
	p->nkinds = 0;
}

/* ---- the ETA ---- */

static struct progress_kind *find_kind(const struct progress *p, const char *variant,
				       const char *phase)
{
	size_t i;
	for (i = 0; variant && phase && i < p->nkinds; i++)
		if (!strcmp(p->kinds[i].variant, variant) && !strcmp(p->kinds[i].phase, phase))
			return &p->kinds[i];
	return NULL;
}

void progress_plan(struct progress *p, const char *variant, const char *phase, int n)
{
	struct progress_kind *k = find_kind(p, variant, phase);

	if (!k) {
		p->kinds = xrealloc(p->kinds, (p->nkinds + 1) * sizeof(*p->kinds));
		k = &p->kinds[p->nkinds++];
		memset(k, 0, sizeof(*k));
		k->variant = xstrdup(variant);
		k->phase = xstrdup(phase);
	}
	k->planned += n;
}

void progress_unplan(struct progress *p, const char *variant, const char *phase)
{
	struct progress_kind *k = find_kind(p, variant, phase);
	if (k && k->planned > k->done)
		k->planned--;
}

/* The mean time of k's builds, else of the builds that share its phase, then
 * its variant, then of all; -1 when none is done. */
static double kind_mean(const struct progress *p, const struct progress_kind *k)
{
	int pass, n;
	double sum;
	size_t i;

	if (k->done)
		return k->seconds / k->done;
	for (pass = 0; pass < 3; pass++) {
		n = 0;
		sum = 0;
		for (i = 0; i < p->nkinds; i++) {
			const struct progress_kind *o = &p->kinds[i];
			if ((pass == 0 && strcmp(o->phase, k->phase)) ||
			    (pass == 1 && strcmp(o->variant, k->variant)))
				continue;
			n += o->done;
			sum += o->seconds;
		}
		if (n)
			return sum / n;
	}
	return -1;
}

double progress_eta(const struct progress *p)
{
	const struct progress_kind *running = p->building ? find_kind(p, p->variant, p->phase) : NULL;
	double left = 0, mean;
	size_t i;

	for (i = 0; i < p->nkinds; i++) {
		const struct progress_kind *k = &p->kinds[i];
		int n = k->planned - k->done - (k == running);
		if (n <= 0)
			continue;
		if ((mean = kind_mean(p, k)) < 0)
			return -1;
		left += n * mean;
	}
	if (running) {
		double elapsed = p->started ? monotime_seconds_since(p->started) : 0;
		if ((mean = kind_mean(p, running)) < 0)
			return -1;
		if (mean > elapsed)
			left += mean - elapsed;
	}
	return left;
}

void progress_duration(char *buf, size_t size, double s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)s % 3600 / 60);
}

/* "  ETA 4m10s" (or "ETA 42s") into sb when the ETA is known and not zero. */
static void add_eta(struct strbuf *sb, const struct progress *p, const char *sep)
{
	double eta = progress_eta(p);
	char buf[32];

	if (eta <= 0)
		return;
	if (eta < 60)
		snprintf(buf, sizeof(buf), "%.0fs", eta < 1 ? 1 : eta);
	else
		progress_duration(buf, sizeof(buf), eta);
	strbuf_printf(sb, "%sETA %s", sep, buf);
}

void progress_build_start(struct progress *p, const char *variant, const char *phase,
			  int repetition, int repetitions, int index, int count, const char *commit)
{
	p->variant = variant;
	p->phase = phase;
	p->repetition = repetition;
	p->repetitions = repetitions;
	p->index = index;
	p->count = count;
	p->commit = commit;
	p->started = monotime_now();
	p->last_step[0] = '\0';
	p->last_print = 0;
	p->building = true;
}

static const char *str_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* Append s with control characters (newlines in a RUN heredoc...) turned into
 * spaces, at most max characters (UTF-8 sequences count as one), "..." when
 * cut. */
static void add_clean(struct strbuf *sb, const char *s, size_t max)
{
	size_t chars = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c & 0xc0) != 0x80 && chars++ == max) {
			strbuf_puts(sb, "...");
			return;
		}
		strbuf_add(sb, c < 0x20 || c == 0x7f ? " " : s, 1);
	}
}

/* Cut sb to at most cols characters, never inside a UTF-8 sequence. */
static void cut_columns(struct strbuf *sb, int cols)
{
	size_t chars = 0;

	for (size_t i = 0; i < sb->len; i++) {
		if (((unsigned char)sb->buf[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == (size_t)cols) {
			sb->len = i;
			sb->buf[i] = '\0';
			return;
		}
	}
}

static void end_tty_line(struct progress *p)
{
	if (p->tty && p->line_open) {
		fputs(CLEAR_LINE, p->out);
		p->line_open = false;
	}
}

static void draw_tty(struct progress *p, const char *step, double elapsed)
{
	struct strbuf sb = {0};
	int width = p->width > 1 ? p->width : 100;

	strbuf_printf(&sb, "[%s] %s  rep %d/%d  commit %d/%d %s  %.1fs",
		      str_or(p->variant, "?"), str_or(p->phase, "?"), p->repetition,
		      p->repetitions, p->index, p->count, str_or(p->commit, "?"), elapsed);
	add_eta(&sb, p, "  ");
	if (step) {
		strbuf_puts(&sb, "  ");
		add_clean(&sb, step, (size_t)width);
	}
	/* One column short of the width: a full line would wrap on some
	 * terminals and the next "\r" would redraw the wrong line. */
	cut_columns(&sb, width - 1);
	fputs(CLEAR_LINE, p->out);
	fputs(sb.buf, p->out);
	fflush(p->out);
	p->line_open = true;
	strbuf_release(&sb);
}

static void print_plain(struct progress *p, const char *step, double elapsed)
{
	struct strbuf sb = {0};

	strbuf_printf(&sb, "[%s] %s", str_or(p->variant, "?"), str_or(p->phase, "?"));
	if (p->repetitions > 1)
		strbuf_printf(&sb, " rep %d/%d", p->repetition, p->repetitions);
	strbuf_printf(&sb, " commit %d/%d %s %.1fs: ", p->index, p->count,
		      str_or(p->commit, "?"), elapsed);
	add_clean(&sb, step, PLAIN_STEP_MAX);
	strbuf_puts(&sb, "\n");
	fputs(sb.buf, p->out);
	fflush(p->out);
	strbuf_release(&sb);
}

/*
 * Plain mode remembers the last step it printed (cut to fit last_step) and
 * when; a NULL step never prints there, since nothing changed that a log
 * reader could use.
 */
void progress_update(struct progress *p, const char *step)
{
	monotime now;
	double elapsed;

	if (p->quiet || !p->out)
		return;
	now = monotime_now();
	elapsed = p->started ? monotime_seconds(p->started, now) : 0;
	if (p->tty) {
		flockfile(p->out);
		draw_tty(p, step, elapsed);
		funlockfile(p->out);
		return;
	}
	if (!step)
		return;
	if (!strncmp(p->last_step, step, sizeof(p->last_step) - 1) &&
	    p->last_print && monotime_seconds(p->last_print, now) < PROGRESS_PLAIN_REPEAT)
		return;
	snprintf(p->last_step, sizeof(p->last_step), "%s", step);
	p->last_print = now;
	flockfile(p->out);
	print_plain(p, step, elapsed);
	funlockfile(p->out);
}

void progress_build_end(struct progress *p, const char *status, double seconds,
			int steps_cached, int steps_total)
{
	struct progress_kind *k = p->building ? find_kind(p, p->variant, p->phase) : NULL;
	struct strbuf sb = {0};

	if (k) {
		k->done++;
		k->seconds += p->started ? monotime_seconds_since(p->started) : 0;
	}
	p->building = false;
	if (p->quiet || !p->out)
		return;
	strbuf_printf(&sb, "[%s] commit %d/%d %s %s", str_or(p->variant, "?"), p->index,
		      p->count, str_or(p->commit, "?"), str_or(p->phase, "?"));
	if (p->repetitions > 1)
		strbuf_printf(&sb, " rep %d/%d", p->repetition, p->repetitions);
	strbuf_printf(&sb, ": %s %.1fs", str_or(status, "?"), seconds);
	if (steps_total > 0)
		strbuf_printf(&sb, " (%d/%d steps cached)", steps_cached, steps_total);
	add_eta(&sb, p, "; ");
	strbuf_puts(&sb, "\n");
	flockfile(p->out);
	end_tty_line(p);
	fputs(sb.buf, p->out);
	fflush(p->out);
	funlockfile(p->out);
	p->last_step[0] = '\0';
	p->last_print = 0;
	strbuf_release(&sb);
}

void progress_note(struct progress *p, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	if (p->quiet || !p->out)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	flockfile(p->out);
	end_tty_line(p);
	fputs(msg, p->out);
	if (!n || msg[n - 1] != '\n')
		fputc('\n', p->out);
	fflush(p->out);
	funlockfile(p->out);
	free(msg);
}

/* ---- where the time went ---- */

static void split_row(FILE *out, const char *what, double s, const char *note)
{
	char buf[32];
	progress_duration(buf, sizeof(buf), s);
	fprintf(out, "  %-22s %8s%s%s\n", what, buf, note && *note ? "  " : "", note ? note : "");
}

void progress_time_split(FILE *out, const struct time_split *t)
{
	char total[32], docker[32], resets[32], own[32];
	struct strbuf note = {0};
	double bench = t->builds - t->docker - t->resets;

	if (!out)
		return;
	progress_duration(total, sizeof(total), t->total);
	fprintf(out, "where the time went (%s in all):\n", total);
	if (t->waiting >= 0.05)
		split_row(out, "waiting for the engine", t->waiting, "another bench run held the engine lock");
	split_row(out, "set-up", t->setup, "docker checks, results folder, commits, work tree");
	if (t->world > 0)
		split_row(out, "world", t->world, "base image, wheels and models, servers");
	progress_duration(docker, sizeof(docker), t->docker);
	progress_duration(resets, sizeof(resets), t->resets);
	progress_duration(own, sizeof(own), bench);
	if (!t->nbuilds)
		strbuf_puts(&note, "no build made");
	else if (t->resets >= 0.05)
		strbuf_printf(&note, "%d build%s: docker %s, runner clean-up %s, bench %s (%.0f ms a build)",
			      t->nbuilds, t->nbuilds == 1 ? "" : "s", docker, resets, own,
			      1000 * bench / t->nbuilds);
	else
		strbuf_printf(&note, "%d build%s: docker %s, bench %s (%.0f ms a build)", t->nbuilds,
			      t->nbuilds == 1 ? "" : "s", docker, own, 1000 * bench / t->nbuilds);
	split_row(out, "builds", t->builds, note.buf);
	strbuf_release(&note);
	split_row(out, "report and plots", t->report, NULL);
	split_row(out, "clean-up", t->cleanup, "the run's images, builder cache, work folder");
	if (t->peak_rss_kb > 0)
		fprintf(out, "  bench's peak memory: %.1f MB\n", t->peak_rss_kb / 1024.0);
	fflush(out);
}
