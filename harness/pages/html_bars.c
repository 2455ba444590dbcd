/*
 * html_bars.c: a chart bench draws itself, for pages whose figures gnuplot
 * did not draw (bench compare): horizontal bars, one group per row and one
 * bar per series, with min-max whiskers, as inline SVG. Every text in it is
 * escaped; it refers to nothing outside itself.
 */
#include "pages/html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BARS_WIDTH 820.0
#define BARS_LEFT 180.0   /* the row labels */
#define BARS_RIGHT 90.0   /* room for the value after the longest bar */
#define BARS_BAR 16.0
#define BARS_TOP 34.0     /* the legend */
#define BARS_AXIS 34.0

/* Colours of the series: grey for the first (the reference), then the
 * charts' teal, red and violet (plot.c's line colours). */
static const char *const series_colors[HTML_BARS_MAX_SERIES] = {"#8d96a3", "#00798c", "#d1495b", "#6a4c93"};

/* A step of 1, 2 or 5 times a power of ten giving about 5 ticks up to max. */
static double tick_step(double max)
{
	double raw = max / 5, p = pow(10, floor(log10(raw))), m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void svg_text(struct html_page *p, double x, double y, const char *anchor, const char *text)
{
	strbuf_printf(&p->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_text(p, text);
	html_raw(p, "</text>");
}

void html_bar_chart(struct html_page *p, const char *caption, const char *axis, const char *unit,
		    const char *const *series, size_t nseries, const struct html_bar *bars, size_t n)
{
	double max = 0, step, plot_w = BARS_WIDTH - BARS_LEFT - BARS_RIGHT, row_h, height, x, t;
	size_t i, s;
	char buf[64];

	if (nseries > HTML_BARS_MAX_SERIES)
		nseries = HTML_BARS_MAX_SERIES;
	for (i = 0; i < n; i++)
		for (s = 0; s < nseries; s++) {
			if (isfinite(bars[i].value[s]) && bars[i].value[s] > max)
				max = bars[i].value[s];
			if (isfinite(bars[i].hi[s]) && bars[i].hi[s] > max)
				max = bars[i].hi[s];
		}
	if (!(max > 0) || !n)
		return;
	step = tick_step(max);
	max = ceil(max / step) * step;
	row_h = (double)nseries * (BARS_BAR + 3) + 14;
	height = BARS_TOP + row_h * (double)n + BARS_AXIS;
	html_raw(p, "<figure>\n");
	strbuf_printf(&p->out, "<svg viewBox=\"0 0 %.0f %.0f\" xmlns=\"http://www.w3.org/2000/svg\" "
		      "role=\"img\" font-family=\"sans-serif\" font-size=\"12\">", BARS_WIDTH, height);
	html_raw(p, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
	/* the legend */
	for (s = 0, x = BARS_LEFT; s < nseries; s++) {
		strbuf_printf(&p->out, "<rect x=\"%.1f\" y=\"10\" width=\"14\" height=\"14\" fill=\"%s\"/>", x,
			      series_colors[s]);
		svg_text(p, x + 20, 22, "start", series[s]);
		x += 40 + 7.5 * (double)strlen(series[s]);
	}
	/* grid and axis */
	for (t = 0; t <= max + step / 2; t += step) {
		double gx = BARS_LEFT + plot_w * t / max;
		strbuf_printf(&p->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d8dde4\"/>",
			      gx, BARS_TOP, gx, height - BARS_AXIS + 4);
		snprintf(buf, sizeof(buf), "%g", t);
		svg_text(p, gx, height - BARS_AXIS + 18, "middle", buf);
	}
	svg_text(p, BARS_LEFT + plot_w / 2, height - 4, "middle", axis);
	/* the rows */
	for (i = 0; i < n; i++) {
		double y0 = BARS_TOP + row_h * (double)i + 7;
		svg_text(p, BARS_LEFT - 8, y0 + row_h / 2 - 3, "end", bars[i].label);
		for (s = 0; s < nseries; s++) {
			double y = y0 + (double)s * (BARS_BAR + 3), v = bars[i].value[s];
			double lo = bars[i].lo[s], hi = bars[i].hi[s], end;
			if (!isfinite(v)) {
				svg_text(p, BARS_LEFT + 4, y + BARS_BAR - 4, "start", "no ok build");
				continue;
			}
			strbuf_printf(&p->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>",
				      BARS_LEFT, y, plot_w * v / max, BARS_BAR, series_colors[s]);
			end = BARS_LEFT + plot_w * v / max;
			if (isfinite(lo) && isfinite(hi) && hi > lo) {
				double x1 = BARS_LEFT + plot_w * lo / max, x2 = BARS_LEFT + plot_w * hi / max;
				strbuf_printf(&p->out, "<path d=\"M%.1f,%.1f H%.1f M%.1f,%.1f V%.1f M%.1f,%.1f V%.1f\" "
					      "stroke=\"#1d2430\" stroke-width=\"1.5\" fill=\"none\"/>",
					      x1, y + BARS_BAR / 2, x2, x1, y + 3, y + BARS_BAR - 3, x2, y + 3,
					      y + BARS_BAR - 3);
				if (x2 > end)
					end = x2;
			}
			snprintf(buf, sizeof(buf), "%.1f %s", v, unit);
			svg_text(p, end + 6, y + BARS_BAR - 4, "start", buf);
		}
	}
	html_raw(p, "</svg>\n<figcaption>");
	html_text(p, caption);
	html_raw(p, "</figcaption>\n</figure>\n");
}
