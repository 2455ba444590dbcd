/*
 * html_svg.c: an SVG file, as gnuplot writes it into plots/, made safe to
 * inline in a bench page (html_svg_sanitize; the rules are in html.h). It is
 * a small XML tokenizer with an allowlist of drawing elements and
 * presentation attributes: whatever it does not know is dropped, so nothing
 * in a chart can run, load or style anything outside the chart.
 */
#include "pages/html.h"
#include "lib/error.h"

#include <stdlib.h>
#include <string.h>

#define SVG_MAX_DEPTH 256

static const char *const kept_elements[] = {
	"svg", "g", "defs", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
	"text", "tspan", "use", "symbol", "clipPath", "marker", "linearGradient", "radialGradient",
	"stop", "pattern", "mask", "filter", "feFlood", "feComposite", "feOffset", "feGaussianBlur",
	"feMerge", "feMergeNode", "feBlend", "feColorMatrix", NULL,
};

static const char *const kept_attributes[] = {
	"id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "d",
	"points", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
	"stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
	"stroke-dashoffset", "stroke-miterlimit", "opacity", "font-family", "font-size",
	"font-weight", "font-style", "text-anchor", "dominant-baseline", "alignment-baseline",
	"baseline-shift", "color", "clip-path", "clip-rule", "clipPathUnits", "mask", "filter",
	"viewBox", "preserveAspectRatio", "xmlns", "xmlns:xlink", "href", "xlink:href", "dx", "dy",
	"rotate", "textLength", "lengthAdjust", "visibility", "display", "offset", "stop-color",
	"stop-opacity", "gradientUnits", "gradientTransform", "patternUnits", "patternTransform",
	"marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "refX", "refY",
	"orient", "shape-rendering", "text-rendering", "vector-effect", "xml:space", "letter-spacing",
	"word-spacing", "version", "filterUnits", "primitiveUnits", "flood-color", "flood-opacity",
	"in", "in2", "operator", "result", "k1", "k2", "k3", "k4", "stdDeviation", "mode", "values",
	"type", NULL,
};

static bool listed(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !memcmp(*list, name, len))
			return true;
	return false;
}

struct svg_reader {
	const char *s;      /* the document */
	size_t i;           /* where the reader is */
	struct strbuf *out;
	const char *prefix; /* of every id */
	const char *stack[SVG_MAX_DEPTH]; /* open elements' names (pointers into s) */
	size_t lens[SVG_MAX_DEPTH];
	size_t depth;
	size_t drop_at;     /* depth of the dropped element being skipped, 0: none */
	struct strvec ids;  /* the ids written, to make repeated ones unique */
	bool root_seen;
};

static void put_utf8(struct strbuf *sb, unsigned long cp)
{
	char b[4];

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

/* s[0..len) with XML's character references decoded into out (an unknown
 * "&name;" stays as it is written: as text, once escaped again). */
static void xml_decode(struct strbuf *out, const char *s, size_t len)
{
	static const struct { const char *name; char c; } named[] = {
		{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''},
	};
	size_t i = 0, k;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t run = amp ? (size_t)(amp - (s + i)) : len - i, rest;
		strbuf_add(out, s + i, run);
		i += run;
		if (i >= len)
			break;
		rest = len - i - 1; /* after the '&' */
		for (k = 0; k < 5; k++)
			if (strlen(named[k].name) <= rest && !memcmp(s + i + 1, named[k].name, strlen(named[k].name)))
				break;
		if (k < 5) {
			strbuf_add(out, &named[k].c, 1);
			i += 1 + strlen(named[k].name);
		} else if (rest >= 3 && s[i + 1] == '#') {
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			size_t j = i + 2 + hex, digits = 0;
			unsigned long cp = 0;
			while (j < len && s[j] && digits < 8 &&
			       strchr(hex ? "0123456789abcdefABCDEF" : "0123456789", s[j])) {
				char d = s[j];
				cp = cp * (hex ? 16 : 10) + (unsigned long)(d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
				j++;
				digits++;
			}
			if (digits && j < len && s[j] == ';') {
				put_utf8(out, cp);
				i = j + 1;
			} else {
				strbuf_add(out, "&", 1);
				i++;
			}
		} else {
			strbuf_add(out, "&", 1);
			i++;
		}
	}
}

static int bad(struct svg_reader *r, const char *what)
{
	return bench_error_set(BENCH_EINVALID, "the chart is not well-formed SVG: %s at byte %zu", what, r->i);
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static size_t name_len(const char *s)
{
	size_t n = 0;
	if (!name_char(s[0], true))
		return 0;
	while (name_char(s[n], n == 0))
		n++;
	return n;
}

static void skip_space(struct svg_reader *r)
{
	while (r->s[r->i] && strchr(" \t\r\n", r->s[r->i]))
		r->i++;
}

/* Skip past `end`; false when the document ends first. */
static bool skip_past(struct svg_reader *r, const char *end)
{
	const char *hit = strstr(r->s + r->i, end);
	if (!hit)
		return false;
	r->i = (size_t)(hit - r->s) + strlen(end);
	return true;
}

/* url(#id) references rewritten to url(#PREFIXid) into out; false when the
 * value refers to anything but an id of the chart. */
static bool rewrite_urls(struct strbuf *out, const char *v, const char *prefix)
{
	const char *u;

	while ((u = strstr(v, "url("))) {
		const char *t = u + 4;
		while (*t == ' ' || *t == '\'' || *t == '"')
			t++;
		if (*t != '#')
			return false;
		strbuf_add(out, v, (size_t)(t - v) + 1);
		strbuf_puts(out, prefix);
		v = t + 1;
	}
	strbuf_puts(out, v);
	return true;
}

static bool seen(const struct strvec *ids, const char *id)
{
	size_t i;
	for (i = 0; i < ids->n; i++)
		if (!strcmp(ids->v[i], id))
			return true;
	return false;
}

/* One attribute (value decoded) of a kept element: written when it is
 * allowed and refers only to the chart itself. */
static void put_attribute(struct svg_reader *r, const char *name, size_t nlen, const char *value,
			  bool root)
{
	struct strbuf v = {0};
	bool keep = listed(kept_attributes, name, nlen);

	if (root && ((nlen == 5 && !memcmp(name, "width", 5)) || (nlen == 6 && !memcmp(name, "height", 6))))
		keep = false; /* the page sizes the chart by its viewBox */
	if (keep && nlen == 2 && !memcmp(name, "id", 2)) {
		size_t n = 1;
		strbuf_puts(&v, r->prefix);
		strbuf_puts(&v, value);
		/* gnuplot repeats some ids: references find the first one, the
		 * others get "-2", "-3"... (whatever the chart's own ids are) */
		while (seen(&r->ids, v.buf)) {
			strbuf_reset(&v);
			strbuf_printf(&v, "%s%s-%zu", r->prefix, value, ++n);
		}
		strvec_push(&r->ids, v.buf);
	} else if (keep && ((nlen == 4 && !memcmp(name, "href", 4)) || (nlen == 10 && !memcmp(name, "xlink:href", 10)))) {
		keep = value[0] == '#';
		if (keep) {
			strbuf_puts(&v, "#");
			strbuf_puts(&v, r->prefix);
			strbuf_puts(&v, value + 1);
		}
	} else if (keep) {
		keep = rewrite_urls(&v, value, r->prefix);
	}
	if (keep) {
		strbuf_puts(r->out, " ");
		strbuf_add(r->out, name, nlen);
		strbuf_puts(r->out, "=\"");
		html_escape(r->out, v.buf ? v.buf : "");
		strbuf_puts(r->out, "\"");
	}
	strbuf_release(&v);
}

/* A start tag at r->i (just past '<'). */
static int start_tag(struct svg_reader *r)
{
	const char *name = r->s + r->i;
	size_t nlen = name_len(name);
	bool keep, self_closing = false, root = r->depth == 0;
	struct strbuf value = {0};

	if (!nlen)
		return bad(r, "a tag without a name");
	if (root && (nlen != 3 || memcmp(name, "svg", 3)))
		return bad(r, "the root element is not <svg>");
	r->i += nlen;
	keep = !r->drop_at && listed(kept_elements, name, nlen);
	if (keep) {
		strbuf_puts(r->out, "<");
		strbuf_add(r->out, name, nlen);
	}
	for (;;) {
		const char *an;
		size_t alen, vstart;
		char quote;
		skip_space(r);
		if (r->s[r->i] == '>' || (r->s[r->i] == '/' && r->s[r->i + 1] == '>'))
			break;
		an = r->s + r->i;
		if (!(alen = name_len(an)))
			return strbuf_release(&value), bad(r, "an attribute without a name");
		r->i += alen;
		skip_space(r);
		if (r->s[r->i] != '=')
			return strbuf_release(&value), bad(r, "an attribute without a value");
		r->i++;
		skip_space(r);
		quote = r->s[r->i];
		if (quote != '"' && quote != '\'')
			return strbuf_release(&value), bad(r, "an unquoted attribute value");
		vstart = ++r->i;
		while (r->s[r->i] && r->s[r->i] != quote)
			r->i++;
		if (!r->s[r->i])
			return strbuf_release(&value), bad(r, "an unterminated attribute value");
		strbuf_reset(&value);
		xml_decode(&value, r->s + vstart, r->i - vstart);
		r->i++;
		if (keep)
			put_attribute(r, an, alen, value.buf ? value.buf : "", root);
	}
	strbuf_release(&value);
	if (r->s[r->i] == '/') {
		self_closing = true;
		r->i++;
	}
	r->i++; /* '>' */
	if (keep)
		strbuf_puts(r->out, self_closing ? "/>" : ">");
	if (self_closing)
		return 0;
	if (r->depth == SVG_MAX_DEPTH)
		return bad(r, "elements nested too deep");
	r->stack[r->depth] = name;
	r->lens[r->depth] = nlen;
	r->depth++;
	if (!keep && !r->drop_at)
		r->drop_at = r->depth;
	return 0;
}

/* An end tag at r->i (just past "</"). */
static int end_tag(struct svg_reader *r)
{
	const char *name = r->s + r->i;
	size_t nlen = name_len(name);

	if (!r->depth || nlen != r->lens[r->depth - 1] || memcmp(name, r->stack[r->depth - 1], nlen))
		return bad(r, "an end tag that closes nothing open");
	r->i += nlen;
	skip_space(r);
	if (r->s[r->i] != '>')
		return bad(r, "an unterminated end tag");
	r->i++;
	if (!r->drop_at) {
		strbuf_puts(r->out, "</");
		strbuf_add(r->out, name, nlen);
		strbuf_puts(r->out, ">");
	}
	if (r->drop_at == r->depth)
		r->drop_at = 0;
	r->depth--;
	if (!r->depth)
		r->root_seen = true;
	return 0;
}

/* Text up to the next '<' (or CDATA content), decoded and escaped again. */
static void text(struct svg_reader *r, const char *s, size_t len, bool decode)
{
	struct strbuf t = {0};

	if (r->drop_at || !r->depth)
		return;
	if (decode)
		xml_decode(&t, s, len);
	else
		strbuf_add(&t, s, len);
	html_escape(r->out, t.buf ? t.buf : "");
	strbuf_release(&t);
}

int html_svg_sanitize(struct strbuf *out, const char *svg, const char *id_prefix)
{
	struct svg_reader r = {.s = svg, .out = out, .prefix = id_prefix};
	size_t start = out->len;
	int error = 0;

	while (!error && r.s[r.i] && !r.root_seen) {
		const char *p = r.s + r.i;
		if (!strncmp(p, "<!--", 4)) {
			if (!skip_past(&r, "-->"))
				error = bad(&r, "an unterminated comment");
		} else if (!strncmp(p, "<?", 2)) {
			if (!skip_past(&r, "?>"))
				error = bad(&r, "an unterminated processing instruction");
		} else if (!strncmp(p, "<![CDATA[", 9)) {
			const char *end = strstr(p + 9, "]]>");
			if (!end)
				error = bad(&r, "an unterminated CDATA section");
			else {
				text(&r, p + 9, (size_t)(end - p - 9), false);
				r.i = (size_t)(end - r.s) + 3;
			}
		} else if (!strncmp(p, "<!", 2)) {
			/* DOCTYPE, with or without an internal subset: dropped */
			size_t gt = strcspn(p, ">["), ok = 1;
			if (p[gt] == '[')
				ok = skip_past(&r, "]");
			if (!ok || !skip_past(&r, ">"))
				error = bad(&r, "an unterminated declaration");
		} else if (!strncmp(p, "</", 2)) {
			r.i += 2;
			error = end_tag(&r);
		} else if (*p == '<') {
			r.i++;
			error = start_tag(&r);
		} else {
			size_t n = strcspn(p, "<");
			text(&r, p, n, true);
			r.i += n;
		}
	}
	if (!error && !r.root_seen)
		error = bench_error_set(BENCH_EINVALID, "the chart is not well-formed SVG: %s",
					r.depth ? "it ends inside an element" : "no <svg> element");
	strvec_release(&r.ids);
	if (error) { /* nothing half-written */
		out->len = start;
		if (out->buf)
			out->buf[start] = '\0';
	}
	return error;
}

int html_chart(struct html_page *p, const char *svg_path, const char *caption)
{
	struct strbuf svg = {0};
	char *text = NULL, prefix[16];
	size_t len;
	int error;

	if ((error = read_file(&text, &len, svg_path)) < 0)
		return error;
	snprintf(prefix, sizeof(prefix), "c%d-", p->charts + 1);
	if (strlen(text) != len)
		error = bench_error_set(BENCH_EINVALID, "chart '%s' holds a NUL byte", svg_path);
	else if ((error = html_svg_sanitize(&svg, text, prefix)) < 0)
		bench_error_wrap(error, "chart '%s'", svg_path);
	if (!error) {
		p->charts++;
		html_raw(p, "<figure>\n");
		html_raw(p, svg.buf);
		html_raw(p, "\n<figcaption>");
		html_text(p, caption);
		html_raw(p, "</figcaption>\n</figure>\n");
	}
	strbuf_release(&svg);
	free(text);
	return error;
}
