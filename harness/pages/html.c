/*
 * html.c: the pieces every bench HTML page is made of (see html.h): the
 * document with its style, script and Content-Security-Policy, escaping,
 * sections, facts, badges and sortable tables. What a page shows is the
 * business of html_run.c and html_compare.c.
 */
#include "pages/html.h"
#include "lib/base64.h"
#include "lib/sha256.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Light, plain, printable. Numbers in tabular figures; wide tables scroll
 * sideways on a phone and wrap on paper (A4). */
static const char page_css[] =
	":root{--fg:#1d2430;--muted:#5b6472;--line:#d8dde4;--bg:#fff;--band:#f4f6f9;"
	"--ok:#1a7f37;--okbg:#dafbe1;--bad:#b42318;--badbg:#ffe4e0;--warn:#8a5300;--warnbg:#fff1cc;"
	"--note:#0b5cad;--notebg:#e3f0ff}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;padding:1rem 1.25rem 3rem;max-width:1180px;color:var(--fg);background:var(--bg);"
	"font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif}\n"
	"h1{font-size:1.6rem;margin:.4rem 0 .2rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;"
	"padding-bottom:.2rem;border-bottom:2px solid var(--line)}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}\n"
	"p{margin:.4rem 0 .6rem}.sub{color:var(--muted);margin:0 0 .6rem}\n"
	"nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.9rem;margin:.4rem 0 1rem}nav a{white-space:nowrap}\n"
	"a{color:var(--note)}code,.code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.88em}\n"
	".box{padding:.45rem .7rem;border-left:4px solid var(--line);background:var(--band);border-radius:3px}\n"
	".box.note{border-color:var(--note);background:var(--notebg)}.box.good{border-color:var(--ok);background:var(--okbg)}\n"
	".box.bad{border-color:var(--bad);background:var(--badbg)}.box.warn{border-color:var(--warn);background:var(--warnbg)}\n"
	".badges{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}\n"
	".badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85em;font-weight:600;"
	"background:var(--band);color:var(--fg);border:1px solid var(--line);white-space:nowrap}\n"
	".badge.ok{background:var(--okbg);color:var(--ok);border-color:#a6e3b4}"
	".badge.fail{background:var(--badbg);color:var(--bad);border-color:#f5b5ab}\n"
	".badge.warn{background:var(--warnbg);color:var(--warn);border-color:#f0d27a}"
	".badge.skip{color:var(--muted)}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0 .8rem}\n"
	"dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
	".scroll{overflow-x:auto;margin:.4rem 0 1rem;-webkit-overflow-scrolling:touch}\n"
	"table{border-collapse:collapse;font-size:.9rem;min-width:100%}\n"
	"caption{text-align:left;color:var(--muted);font-size:.85rem;padding:.2rem 0}\n"
	"th,td{padding:.3rem .55rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"thead th{background:var(--band);border-bottom:2px solid var(--line);white-space:nowrap;position:sticky;top:0}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"td.wrap{min-width:14rem;max-width:32rem}td.v{white-space:nowrap}\n"
	"tr.bad td{background:#fff6f5}tr.warn td{background:#fffaf0}tr.good td{background:#f5fdf7}\n"
	"th button{all:inherit;cursor:pointer;padding:0}th button::after{content:\" \\2195\";color:#9aa3af}\n"
	"th[aria-sort=ascending] button::after{content:\" \\25B2\";color:var(--fg)}"
	"th[aria-sort=descending] button::after{content:\" \\25BC\";color:var(--fg)}\n"
	".sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;"
	"vertical-align:-.05em;border:1px solid rgba(0,0,0,.25)}\n"
	"figure{margin:1rem 0 1.5rem;overflow-x:auto}figure svg{display:block;width:100%;height:auto;min-width:640px}\n"
	"figcaption{color:var(--muted);font-size:.9rem;margin-top:.3rem}\n"
	"details{margin:.3rem 0}summary{cursor:pointer;color:var(--note)}\n"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;font:.8rem/1.35 ui-monospace,\"DejaVu Sans Mono\",monospace;"
	"background:var(--band);padding:.4rem .5rem;margin:.3rem 0;border-radius:3px;max-height:18rem;overflow-y:auto}\n"
	".legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.88rem}\n"
	"footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}\n"
	"@media (max-width:640px){body{padding:.6rem .7rem 2rem;font-size:14px}h1{font-size:1.3rem}"
	"dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.35rem}th,td{padding:.25rem .4rem}}\n"
	"@media print{@page{size:A4;margin:12mm}body{max-width:none;padding:0;font-size:9pt}nav{display:none}"
	".scroll,figure{overflow:visible}table{font-size:7.5pt;min-width:0}thead th{position:static}"
	"td.n,th.n{white-space:normal}td.wrap{min-width:0;max-width:none}figure svg{min-width:0}"
	"figure,tr,.box{break-inside:avoid}h2,h3{break-after:avoid}a{color:inherit;text-decoration:none}"
	"th button::after{content:\"\"}pre{max-height:none}}\n";

/* Sortable tables (click a header; Enter or Space on it), and #sort=ID:COL
 * or #sort=ID:COL:desc in the address sorts table ID on load. Numeric cells
 * sort by data-v, empty ones last; the others by their text. Printing opens
 * every <details>. Marks the document data-js="ready" when it ran through. */
static const char page_js[] =
	"(function(){\n"
	"var d=document;\n"
	"function key(c){var v=c.getAttribute('data-v');"
	"return v===null?c.textContent.trim().toLowerCase():(v===''?NaN:parseFloat(v));}\n"
	"function sortBy(t,col,desc){var b=t.tBodies[0],rows=[].slice.call(b.rows);\n"
	" rows.forEach(function(r,i){r.i0=i;});\n"
	" rows.sort(function(x,y){var a=key(x.cells[col]),c=key(y.cells[col]),r;\n"
	"  if(typeof a==='number'){if(isNaN(a)||isNaN(c))return (isNaN(a)-isNaN(c))||x.i0-y.i0;r=a-c;}\n"
	"  else r=a<c?-1:a>c?1:0;\n"
	"  return (desc?-r:r)||x.i0-y.i0;});\n"
	" rows.forEach(function(r){b.appendChild(r);});\n"
	" [].forEach.call(t.tHead.rows[0].cells,function(th,i){"
	"th.setAttribute('aria-sort',i===col?(desc?'descending':'ascending'):'none');});}\n"
	"[].forEach.call(d.querySelectorAll('table.sortable'),function(t){\n"
	" [].forEach.call(t.tHead.rows[0].cells,function(th,i){var b=d.createElement('button');b.type='button';\n"
	"  while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);\n"
	"  b.addEventListener('click',function(){sortBy(t,i,th.getAttribute('aria-sort')==='ascending');});});});\n"
	"var m=/^#sort=([A-Za-z0-9_-]+):([0-9]+)(:desc)?$/.exec(location.hash);\n"
	"if(m){var t=d.getElementById(m[1]);if(t&&t.tHead&&+m[2]<t.tHead.rows[0].cells.length)sortBy(t,+m[2],!!m[3]);}\n"
	"addEventListener('beforeprint',function(){[].forEach.call(d.querySelectorAll('details'),function(e){e.open=true;});});\n"
	"d.documentElement.setAttribute('data-js','ready');\n"
	"})();\n";

static const char nav_marker[] = "<!--contents-->";

/* The standard base64 (with padding) of a SHA-256 digest, as a
 * Content-Security-Policy hash source writes it. */
static void digest_base64(struct strbuf *sb, const unsigned char digest[SHA256_DIGEST_SIZE])
{
	char b[BASE64URL_LEN(SHA256_DIGEST_SIZE) + 1], *c;

	base64url_encode(b, digest, SHA256_DIGEST_SIZE);
	for (c = b; *c; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	strbuf_puts(sb, b);
	strbuf_puts(sb, "="); /* 32 bytes: 43 characters and one pad */
}

void html_page_begin(struct html_page *p, const char *title, const char *link_base)
{
	struct sha256_ctx c;
	unsigned char digest[SHA256_DIGEST_SIZE];

	memset(p, 0, sizeof(*p));
	p->link_base = xstrdup(link_base ? link_base : "");
	sha256_init(&c);
	sha256_update(&c, page_js, strlen(page_js));
	sha256_final(digest, &c);
	html_raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		 "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
		 "script-src 'sha256-");
	digest_base64(&p->out, digest);
	html_raw(p, "'\">\n<meta name=\"generator\" content=\"bench\">\n<title>");
	html_text(p, title);
	html_raw(p, "</title>\n<style>\n");
	html_raw(p, page_css);
	html_raw(p, "</style>\n</head>\n<body>\n<header>\n<h1>");
	html_text(p, title);
	html_raw(p, "</h1>\n");
	p->toc_at = p->out.len;
	html_raw(p, nav_marker);
}

void html_page_end(struct html_page *p)
{
	struct strbuf nav = {0}, doc = {0};
	size_t i;

	html_raw(p, "<footer>Written by bench. One file: charts inline, no network; tables sort when a "
		 "header is clicked.</footer>\n<script>");
	html_raw(p, page_js);
	html_raw(p, "</script>\n</body>\n</html>\n");
	strbuf_puts(&nav, "</header>\n");
	if (p->toc.n) {
		strbuf_puts(&nav, "<nav aria-label=\"contents\">");
		for (i = 0; i < p->toc.n; i++) {
			const char *tab = strchr(p->toc.v[i], '\t');
			strbuf_puts(&nav, "<a href=\"#");
			strbuf_add(&nav, p->toc.v[i], (size_t)(tab - p->toc.v[i]));
			strbuf_puts(&nav, "\">");
			html_escape(&nav, tab + 1);
			strbuf_puts(&nav, "</a>");
		}
		strbuf_puts(&nav, "</nav>\n");
	}
	strbuf_add(&doc, p->out.buf, p->toc_at);
	strbuf_add(&doc, nav.buf, nav.len);
	strbuf_puts(&doc, p->out.buf + p->toc_at + strlen(nav_marker));
	strbuf_release(&p->out);
	p->out = doc;
	strbuf_release(&nav);
}

void html_page_release(struct html_page *p)
{
	strbuf_release(&p->out);
	strvec_release(&p->toc);
	free(p->link_base);
	p->link_base = NULL;
}

/* ---- escaping ---- */

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
			return 0;
		return (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
			return 0;
		return (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void html_escape(struct strbuf *sb, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (u && *u) {
		size_t n = utf8_len(u);
		switch (n ? *u : 0) {
		case '&': strbuf_puts(sb, "&amp;"); break;
		case '<': strbuf_puts(sb, "&lt;"); break;
		case '>': strbuf_puts(sb, "&gt;"); break;
		case '"': strbuf_puts(sb, "&quot;"); break;
		case '\'': strbuf_puts(sb, "&#39;"); break;
		case 0: strbuf_puts(sb, "\xEF\xBF\xBD"); n = 1; break; /* U+FFFD */
		default:
			if (*u < 0x20 && *u != '\n' && *u != '\t')
				strbuf_puts(sb, " ");
			else
				strbuf_add(sb, (const char *)u, n);
		}
		u += n;
	}
}

void html_text(struct html_page *p, const char *s)
{
	html_escape(&p->out, s);
}

void html_textf(struct html_page *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	html_escape(&p->out, s);
	free(s);
}

void html_raw(struct html_page *p, const char *markup)
{
	strbuf_puts(&p->out, markup);
}

/* ---- blocks ---- */

void html_section_begin(struct html_page *p, const char *id, const char *title)
{
	strvec_pushf(&p->toc, "%s\t%s", id, title);
	html_raw(p, "\n<section id=\"");
	html_text(p, id);
	html_raw(p, "\">\n<h2>");
	html_text(p, title);
	html_raw(p, "</h2>\n");
}

void html_section_end(struct html_page *p)
{
	html_raw(p, "</section>\n");
}

/* ` class="BASE TONE"` (TONE only when it is a known tone; nothing at all
 * when neither is there). */
static void class_attr(struct html_page *p, const char *base, const char *tone)
{
	static const char *const tones[] = {"note", "good", "bad", "warn", "ok", "fail", "skip", NULL};
	const char *known = NULL;
	size_t i;

	for (i = 0; tone && tones[i]; i++)
		if (!strcmp(tone, tones[i]))
			known = tones[i];
	if (!*base && !known)
		return;
	html_raw(p, " class=\"");
	html_raw(p, base);
	if (known) {
		html_raw(p, *base ? " " : "");
		html_raw(p, known);
	}
	html_raw(p, "\"");
}

void html_para(struct html_page *p, const char *tone, const char *text)
{
	html_raw(p, "<p");
	if (tone && *tone)
		class_attr(p, "box", tone);
	html_raw(p, ">");
	html_text(p, text);
	html_raw(p, "</p>\n");
}

void html_facts_begin(struct html_page *p)
{
	html_raw(p, "<dl class=\"facts\">\n");
}

void html_fact(struct html_page *p, const char *name, const char *value)
{
	html_raw(p, "<dt>");
	html_text(p, name);
	html_raw(p, "</dt><dd>");
	html_text(p, value && *value ? value : "\xE2\x80\x93");
	html_raw(p, "</dd>\n");
}

void html_facts_end(struct html_page *p)
{
	html_raw(p, "</dl>\n");
}

void html_badge(struct html_page *p, const char *tone, const char *text)
{
	html_raw(p, "<span");
	class_attr(p, "badge", tone);
	html_raw(p, ">");
	html_text(p, text);
	html_raw(p, "</span>");
}

void html_swatch(struct html_page *p, const char *color)
{
	/* plot.c's "#rrggbb" literals; checked anyway, it goes into an attribute */
	if (color && strlen(color) == 7 && color[0] == '#' && strspn(color + 1, "0123456789abcdefABCDEF") == 6)
		strbuf_printf(&p->out, "<span class=\"sw\" style=\"background:%s\"></span>", color);
}

void html_pre(struct html_page *p, const char *text)
{
	html_raw(p, "<pre>");
	html_text(p, text);
	html_raw(p, "</pre>");
}

/* ---- tables ---- */

void html_table_begin(struct html_page *p, const char *id, const char *caption,
		      const struct html_column *cols, size_t ncols)
{
	size_t i;

	html_raw(p, "<div class=\"scroll\"><table class=\"sortable\" id=\"");
	html_text(p, id);
	html_raw(p, "\">\n");
	if (caption) {
		html_raw(p, "<caption>");
		html_text(p, caption);
		html_raw(p, "</caption>\n");
	}
	html_raw(p, "<thead><tr>");
	for (i = 0; i < ncols; i++) {
		html_raw(p, cols[i].numeric ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">");
		html_text(p, cols[i].name);
		html_raw(p, "</th>");
	}
	html_raw(p, "</tr></thead>\n<tbody>\n");
}

void html_row_begin(struct html_page *p, const char *tone)
{
	html_raw(p, "<tr");
	class_attr(p, "", tone);
	html_raw(p, ">");
}

void html_row_end(struct html_page *p)
{
	html_raw(p, "</tr>\n");
}

void html_table_end(struct html_page *p)
{
	html_raw(p, "</tbody></table></div>\n");
}

void html_cell(struct html_page *p, const char *text)
{
	html_raw(p, "<td>");
	html_text(p, text && *text ? text : "\xE2\x80\x93");
	html_raw(p, "</td>");
}

void html_cell_wrap(struct html_page *p, const char *text)
{
	html_raw(p, "<td class=\"wrap\">");
	html_text(p, text && *text ? text : "\xE2\x80\x93");
	html_raw(p, "</td>");
}

void html_cell_code(struct html_page *p, const char *text, const char *title)
{
	html_raw(p, "<td class=\"code\"");
	if (title && *title) {
		html_raw(p, " title=\"");
		html_text(p, title);
		html_raw(p, "\"");
	}
	html_raw(p, ">");
	html_text(p, text && *text ? text : "\xE2\x80\x93");
	html_raw(p, "</td>");
}

void html_cell_number(struct html_page *p, double v, const char *text)
{
	if (!isfinite(v)) {
		html_raw(p, "<td class=\"n\" data-v=\"\">\xE2\x80\x93</td>");
		return;
	}
	strbuf_printf(&p->out, "<td class=\"n\" data-v=\"%.9g\">", v);
	html_text(p, text);
	html_raw(p, "</td>");
}

void html_format_seconds(char *buf, size_t size, double s)
{
	if (!isfinite(s))
		snprintf(buf, size, "\xE2\x80\x93");
	else
		snprintf(buf, size, "%.*f s", fabs(s) < 10 ? 2 : 1, s);
}

void html_format_bytes(char *buf, size_t size, double v)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;

	if (!isfinite(v)) {
		snprintf(buf, size, "\xE2\x80\x93");
		return;
	}
	while (fabs(v) >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void html_cell_seconds(struct html_page *p, double s)
{
	char buf[48];
	html_format_seconds(buf, sizeof(buf), s);
	html_cell_number(p, s, buf);
}

void html_cell_minutes(struct html_page *p, double s)
{
	char buf[64];
	if (isfinite(s) && s >= 60)
		snprintf(buf, sizeof(buf), "%.1f s (%dm%02ds)", s, (int)(s / 60), (int)fmod(s, 60));
	else
		html_format_seconds(buf, sizeof(buf), s);
	html_cell_number(p, s, buf);
}

void html_cell_ratio(struct html_page *p, double r)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.2f\xC3\x97", r); /* × */
	html_cell_number(p, r, buf);
}

void html_cell_percent(struct html_page *p, double share)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.0f %%", share * 100);
	html_cell_number(p, share, buf);
}

void html_cell_bytes(struct html_page *p, double bytes)
{
	char buf[32];
	html_format_bytes(buf, sizeof(buf), bytes);
	html_cell_number(p, bytes, buf);
}

void html_cell_variant(struct html_page *p, const char *name, const char *color)
{
	html_raw(p, "<td class=\"v\">");
	html_swatch(p, color);
	html_text(p, name);
	html_raw(p, "</td>");
}

void html_cell_status(struct html_page *p, const char *status)
{
	const char *tone = !strcmp(status, "ok") ? "ok" : !strcmp(status, "skipped") ? "skip"
			   : !strcmp(status, "interrupted") ? "warn" : "fail";
	html_raw(p, "<td>");
	html_badge(p, tone, *status ? status : "?");
	html_raw(p, "</td>");
}

/* A relative path as an href: each byte outside the unreserved set and "/"
 * percent-encoded, so no path can become a scheme or leave the attribute. */
static void href_path(struct strbuf *sb, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u;

	for (u = (const unsigned char *)path; *u; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		    strchr("-._~/", *u)) {
			strbuf_add(sb, (const char *)u, 1);
		} else {
			char e[3] = {'%', hex[*u >> 4], hex[*u & 15]};
			strbuf_add(sb, e, 3);
		}
	}
}

void html_cell_file_link(struct html_page *p, const char *path, const char *text)
{
	if (!path || !*path || path[0] == '/' || strstr(path, "..")) {
		html_cell(p, NULL); /* only files inside the results folder are linked */
		return;
	}
	html_raw(p, "<td><a href=\"");
	href_path(&p->out, p->link_base);
	href_path(&p->out, path);
	html_raw(p, "\">");
	html_text(p, text);
	html_raw(p, "</a></td>");
}
