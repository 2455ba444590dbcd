/*
 * buildah_parse.c: the steps of a `buildah bud` from its plain-text output
 * (see buildah_parse.h), and that reader as the seam's parser_buildah. Lines
 * are cut per stream, so a step's stderr never splits a line of its stdout.
 */
#include "builders/buildah_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/util.h"

#define LOG_TAIL 4096        /* bytes of output kept per step */
#define LINE_MAX_BYTES 65536 /* a longer line is cut there */
#define MAX_STAGES 256       /* stage names kept (later stages: stage-N) */

struct line_buf {
	char *buf;
	size_t len, alloc;
};

struct buildah_parse {
	struct line_buf lines[2]; /* stdout, stderr */
	struct step *steps;
	struct strbuf *logs;      /* one per step */
	size_t nsteps, alloc;
	size_t current;           /* the running step + 1; 0: none */
	char *stage_names[MAX_STAGES + 1]; /* [k]: the "AS name" of stage k */
	double last_seen;         /* time of the last line */
};

int buildah_parse_new(struct buildah_parse **out)
{
	*out = xcalloc(1, sizeof(**out));
	return 0;
}

void buildah_parse_free(struct buildah_parse *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsteps; i++) {
		free(p->steps[i].digest);
		free(p->steps[i].name);
		free(p->steps[i].error);
		strbuf_release(&p->logs[i]);
	}
	for (i = 0; i <= MAX_STAGES; i++)
		free(p->stage_names[i]);
	free(p->lines[0].buf);
	free(p->lines[1].buf);
	free(p->steps);
	free(p->logs);
	free(p);
}

/* ---- steps ---- */

static struct step *running(struct buildah_parse *p)
{
	return p->current ? &p->steps[p->current - 1] : NULL;
}

static void step_end(struct buildah_parse *p, double now)
{
	struct step *s = running(p);
	if (s && !s->completed)
		s->completed = now;
	p->current = 0;
}

static void step_start(struct buildah_parse *p, char *digest, char *name, double now)
{
	step_end(p, now);
	if (p->nsteps == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->steps = xrealloc(p->steps, p->alloc * sizeof(*p->steps));
		p->logs = xrealloc(p->logs, p->alloc * sizeof(*p->logs));
	}
	memset(&p->steps[p->nsteps], 0, sizeof(p->steps[0]));
	memset(&p->logs[p->nsteps], 0, sizeof(p->logs[0]));
	p->steps[p->nsteps].digest = digest;
	p->steps[p->nsteps].name = name;
	p->steps[p->nsteps].started = now;
	p->current = ++p->nsteps;
}

static void step_log_add(struct buildah_parse *p, const char *line, size_t len)
{
	struct strbuf *log;

	if (!p->current)
		return;
	log = &p->logs[p->current - 1];
	strbuf_add(log, line, len);
	strbuf_add(log, "\n", 1);
	if (log->len > 2 * LOG_TAIL) {
		memmove(log->buf, log->buf + log->len - LOG_TAIL, LOG_TAIL);
		log->len = LOG_TAIL;
		log->buf[log->len] = '\0';
	}
}

/* "AS name" at the end of a FROM instruction, or NULL. Caller frees. */
static char *from_alias(const char *text)
{
	const char *end = text + strlen(text), *word, *as;

	while (end > text && isspace((unsigned char)end[-1]))
		end--;
	for (word = end; word > text && !isspace((unsigned char)word[-1]); word--)
		;
	for (as = word; as > text && isspace((unsigned char)as[-1]); as--)
		;
	if (word == end || as - text < 3 || strncasecmp(as - 2, "AS", 2) || !isspace((unsigned char)as[-3]))
		return NULL;
	return xstrndup(word, (size_t)(end - word));
}

/* Read "N/M" at *s into n and m; false when it is not there. */
static bool take_fraction(const char **s, int *n, int *m)
{
	char *end;
	long a, b;

	if (!isdigit((unsigned char)**s))
		return false;
	a = strtol(*s, &end, 10);
	if (*end != '/' || !isdigit((unsigned char)end[1]))
		return false;
	b = strtol(end + 1, &end, 10);
	if (a < 1 || b < a || b > 100000)
		return false;
	*n = (int)a;
	*m = (int)b;
	*s = end;
	return true;
}

static bool is_hex(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n >= min && !s[n];
}

/* "STEP i/m: TEXT" of stage k (0: a single-stage build). */
static void on_step(struct buildah_parse *p, int k, int i, int m, const char *text, double now)
{
	char *label = NULL, *name;

	if (k > 0 && k <= MAX_STAGES && i == 1 && !strncasecmp(text, "FROM ", 5)) {
		free(p->stage_names[k]);
		p->stage_names[k] = from_alias(text);
	}
	if (k > 0)
		label = k <= MAX_STAGES && p->stage_names[k] ? xstrdup(p->stage_names[k]) : xasprintf("stage-%d", k - 1);
	name = label ? xasprintf("[%s %d/%d] %s", label, i, m, text) : xasprintf("[%d/%d] %s", i, m, text);
	step_start(p, xasprintf("%d:%d", k, i), name, now);
	free(label);
}

/* The step an error is about: for `building at STEP "INSTR": ...` the last
 * step of that instruction (buildah may have gone on to build a stage
 * the step needs), else the last step to start; NULL when none. */
static struct step *failed_step(struct buildah_parse *p, const char *error)
{
	static const char at[] = "building at STEP \"";
	size_t i;

	if (!strncmp(error, at, sizeof(at) - 1)) {
		const char *instr = error + sizeof(at) - 1;
		for (i = p->nsteps; i-- > 0;) {
			const char *text = strstr(p->steps[i].name, "] ");
			size_t n = text ? strlen(text + 2) : 0;
			if (n && !strncmp(instr, text + 2, n) && !strncmp(instr + n, "\": ", 3))
				return &p->steps[i];
		}
	}
	return p->nsteps ? &p->steps[p->nsteps - 1] : NULL;
}

/* Where a line of buildah's own begins at s: "[k/n] STEP ", "STEP i/m: ",
 * "[k/n] COMMIT", "--> " with an ID or "Using cache", "Error: building at
 * STEP". */
static bool is_marker(const char *s)
{
	const char *q = s + 1;
	int a, b;

	if (*s == '[')
		return take_fraction(&q, &a, &b) && q[0] == ']' && q[1] == ' ' &&
		       (!strncmp(q + 2, "STEP ", 5) || !strncmp(q + 2, "COMMIT", 6));
	q = s + 5;
	if (!strncmp(s, "STEP ", 5))
		return take_fraction(&q, &a, &b) && q[0] == ':' && q[1] == ' ';
	if (!strncmp(s, "--> ", 4))
		return !strncmp(s + 4, "Using cache ", 12) || is_hex(s + 4, 8);
	return !strncmp(s, "Error: building at STEP", 23);
}

static void on_line(struct buildah_parse *p, char *line, size_t len, double now)
{
	const char *s = line, *after;
	int k = 0, stages = 0, i, m;
	size_t at;

	while (len && line[len - 1] == '\r')
		line[--len] = '\0';
	p->last_seen = now;
	/* a step's last output without a newline runs into buildah's next line */
	if (!is_marker(line)) {
		for (at = 1; at < len; at++) {
			if (strchr("[S-E", line[at]) && is_marker(line + at)) {
				step_log_add(p, line, at);
				on_line(p, line + at, len - at, now);
				return;
			}
		}
	}
	if (*s == '[') {
		after = s + 1;
		if (take_fraction(&after, &k, &stages) && after[0] == ']' && after[1] == ' ' &&
		    (!strncmp(after + 2, "STEP ", 5) || !strncmp(after + 2, "COMMIT", 6)))
			s = after + 2;
		else
			k = 0;
	}
	after = s + 5;
	if (!strncmp(s, "STEP ", 5) && take_fraction(&after, &i, &m) && after[0] == ':' && after[1] == ' ') {
		on_step(p, k, i, m, after + 2, now);
	} else if (!strncmp(s, "COMMIT", 6) && (s[6] == ' ' || !s[6])) {
		step_start(p, xstrdup("commit"), xstrdup(s), now);
	} else if (!strncmp(s, "--> ", 4)) {
		struct step *cur = running(p);
		if (!strncmp(s + 4, "Using cache ", 12) && cur)
			cur->cached = true;
		else if (is_hex(s + 4, 8))
			step_end(p, now); /* the step's layer is committed */
		else
			step_log_add(p, line, len);
	} else if (!strncmp(s, "Error: ", 7)) {
		struct step *cur = failed_step(p, s + 7);
		if (cur && !cur->error && (running(p) || !strncmp(s + 7, "building at STEP", 16)))
			cur->error = xstrdup(s + 7);
		else
			step_log_add(p, line, len);
		step_end(p, now);
	} else if (!strncmp(s, "Successfully tagged ", 20) || is_hex(s, 64)) {
		step_end(p, now);
	} else {
		step_log_add(p, line, len);
	}
}

int buildah_parse_feed(struct buildah_parse *p, unsigned stream, const char *buf, size_t len, double now)
{
	struct line_buf *lb = &p->lines[stream == PARSER_STDERR];
	size_t i;

	for (i = 0; i < len; i++) {
		if (lb->len + 1 >= lb->alloc) {
			lb->alloc = lb->alloc ? 2 * lb->alloc : 256;
			lb->buf = xrealloc(lb->buf, lb->alloc);
		}
		if (buf[i] != '\n' && lb->len < LINE_MAX_BYTES) {
			lb->buf[lb->len++] = buf[i];
			continue;
		}
		lb->buf[lb->len] = '\0';
		on_line(p, lb->buf, lb->len, now);
		lb->len = 0;
		if (buf[i] != '\n') /* a line cut at LINE_MAX_BYTES: this byte starts the rest */
			lb->buf[lb->len++] = buf[i];
	}
	return 0;
}

/* ---- what the build's record reads ---- */

const struct step *buildah_parse_steps(const struct buildah_parse *p, size_t *count)
{
	*count = p->nsteps;
	return p->steps;
}

const char *buildah_parse_current(const struct buildah_parse *p)
{
	return p->current ? p->steps[p->current - 1].name : NULL;
}

const char *buildah_parse_step_log(const struct buildah_parse *p, size_t i)
{
	return i < p->nsteps && p->logs[i].buf ? p->logs[i].buf : "";
}

bool buildah_step_counts(const struct step *s)
{
	static const char *const layers[] = {"RUN", "COPY", "ADD", "WORKDIR"};
	const char *n = s && s->name ? s->name : "", *close = strstr(n, "] ");
	size_t i, word;

	if (n[0] != '[' || !close)
		return false;
	close += 2;
	word = strcspn(close, " ");
	for (i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		if (word == strlen(layers[i]) && !strncasecmp(close, layers[i], word))
			return true;
	return false;
}

json_t *buildah_parse_steps_json(const struct buildah_parse *p, int *steps_total, int *steps_cached)
{
	json_t *arr = json_array();
	int total = 0, cached = 0;
	size_t i;

	for (i = 0; i < p->nsteps; i++) {
		const struct step *s = &p->steps[i];
		double end = s->completed > 0 ? s->completed : p->last_seen;
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "seconds", json_real(end > s->started ? end - s->started : 0));
		json_object_set_new(o, "cached", json_boolean(s->cached));
		if (s->error)
			json_object_set_new(o, "error", json_string(s->error));
		json_array_append_new(arr, o);
		if (buildah_step_counts(s)) {
			total++;
			cached += s->cached;
		}
	}
	if (steps_total)
		*steps_total = total;
	if (steps_cached)
		*steps_cached = cached;
	return arr;
}

/* ---- as a progress parser of the builder seam (parser.h) ---- */

static int bp_create(void **state)
{
	struct buildah_parse *p = NULL;
	int error = buildah_parse_new(&p);
	*state = p;
	return error;
}

static void bp_destroy(void *state)
{
	buildah_parse_free(state);
}

static int bp_feed(void *state, unsigned stream, const char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return buildah_parse_feed(state, stream, buf, len, (double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static const char *bp_current(const void *state)
{
	return buildah_parse_current(state);
}

static const struct step *bp_steps(const void *state, size_t *count)
{
	return buildah_parse_steps(state, count);
}

static json_t *bp_steps_json(const void *state, int *total, int *cached)
{
	return buildah_parse_steps_json(state, total, cached);
}

static const char *bp_step_log(const void *state, size_t i)
{
	return buildah_parse_step_log(state, i);
}

/* buildah's closing text is its last "Error: ..." line (else the tail) */
static const char *bp_trailer(const char *tail, size_t len)
{
	const char *p = tail + len;

	while (p > tail) {
		const char *line = p;
		while (line > tail && line[-1] != '\n')
			line--;
		if ((size_t)(tail + len - line) >= 7 && !strncmp(line, "Error: ", 7))
			return line;
		p = line > tail ? line - 1 : tail;
	}
	return tail;
}

const struct parser_ops parser_buildah = {
	.name = "buildah",
	.streams = PARSER_STDOUT | PARSER_STDERR,
	.create = bp_create,
	.destroy = bp_destroy,
	.feed = bp_feed,
	.current = bp_current,
	.steps = bp_steps,
	.steps_json = bp_steps_json,
	.step_log = bp_step_log,
	.trailer = bp_trailer,
};
