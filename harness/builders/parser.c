/*
 * parser.c: the progress-parser interface (see parser.h): the per-build
 * wrapper that keeps the tail of the output and words the failure reason.
 * Each parser defines its struct parser_ops in its own file (rawjson.c).
 */
#include "builders/parser.h"

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"

#define PARSER_TAIL_MAX  65536 /* trimmed to PARSER_TAIL_KEEP when over */
#define PARSER_TAIL_KEEP 16384

/* ---- the per-build wrapper ---- */

int parser_init(struct parser *p, const struct parser_ops *ops)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	return ops->create(&p->state);
}

void parser_release(struct parser *p)
{
	if (p->ops && p->state)
		p->ops->destroy(p->state);
	strbuf_release(&p->tail);
	memset(p, 0, sizeof(*p));
}

int parser_feed(struct parser *p, unsigned stream, const char *buf, size_t len)
{
	if (!(p->ops->streams & stream))
		return 0;
	strbuf_add(&p->tail, buf, len);
	if (p->tail.len > PARSER_TAIL_MAX) {
		memmove(p->tail.buf, p->tail.buf + p->tail.len - PARSER_TAIL_KEEP, PARSER_TAIL_KEEP);
		p->tail.len = PARSER_TAIL_KEEP;
		p->tail.buf[p->tail.len] = '\0';
	}
	return p->ops->feed(p->state, stream, buf, len);
}

const char *parser_current(const struct parser *p)
{
	return p->ops->current(p->state);
}

json_t *parser_steps_json(const struct parser *p, int *total, int *cached)
{
	return p->ops->steps_json(p->state, total, cached);
}

const char *parser_image(const struct parser *p)
{
	return p->ops && p->ops->image ? p->ops->image(p->state) : NULL;
}

void utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		int k;
		for (k = 1; n && k < n; k++)
			if ((p[k] & 0xC0) != 0x80)
				n = 0;
		if (!n) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

const char *last_lines(const char *text, size_t len, int max)
{
	const char *p = text + len;
	while (p > text && (p[-1] == '\n' || p[-1] == ' '))
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --max == 0)
			break;
		p--;
	}
	return p;
}

char *parser_failure(const struct parser *p, const char *command, int exit_code)
{
	struct strbuf sb = {0};
	const struct step *steps;
	size_t n = 0, i;
	char *reason;

	steps = p->state ? p->ops->steps(p->state, &n) : NULL;
	for (i = 0; i < n && !sb.len; i++) {
		const char *log;
		if (!steps[i].error)
			continue;
		strbuf_printf(&sb, "%s: %s", steps[i].name ? steps[i].name : "step", steps[i].error);
		log = p->ops->step_log(p->state, i);
		if (log && *log)
			strbuf_printf(&sb, "\n%s", last_lines(log, strlen(log), 10));
	}
	if (!sb.len && p->tail.len) {
		const char *end = p->tail.buf + p->tail.len, *from = p->ops->trailer(p->tail.buf, p->tail.len);
		strbuf_puts(&sb, last_lines(from, (size_t)(end - from), 8));
	}
	if (!sb.len)
		strbuf_printf(&sb, "%s exited with status %d", command, exit_code);
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	reason = strbuf_detach(&sb);
	i = strspn(reason, "\n ");
	memmove(reason, reason + i, strlen(reason + i) + 1);
	if (!*reason) {
		free(reason);
		reason = xasprintf("%s exited with status %d", command, exit_code);
	}
	utf8_sanitize(reason);
	return reason;
}
