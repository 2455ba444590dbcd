/*
 * fuzz_svg.c: libFuzzer target for the chart filter (html_svg_sanitize), which
 * reads the SVG files of a results folder's plots/ into the results page.
 * Whatever it accepts must come out as a document it accepts again unchanged
 * (so what it writes is well formed and already filtered), with no script,
 * no event handler and no reference out of the chart. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "pages/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the filter's output (tags written as <name a="v"...>, values
 * escaped) holds an attribute that runs or loads something: on*, style, or
 * an href to anything but an id. */
static int loads_or_runs(const char *s)
{
	for (; (s = strchr(s, '<')); s++) {
		const char *end = strchr(s, '>');
		if (!end)
			return 1;
		if (!strncmp(s + 1, "script", 6) || !strncmp(s + 1, "style", 5) || !strncmp(s + 1, "foreignObject", 13))
			return 1;
		for (s += strcspn(s, " >"); s < end && *s == ' '; ) {
			size_t n = strcspn(s + 1, "=");
			const char *v = s + 1 + n + 2; /* past '="' */
			if (!strncmp(s + 1, "on", 2) || (n == 5 && !strncmp(s + 1, "style", 5)) ||
			    ((n == 4 || n == 10) && strstr(s + 1, "href=") == s + n - 3 && *v != '#'))
				return 1;
			s = strchr(v, '"') + 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *svg = malloc(size + 1);
	struct strbuf once = {0}, twice = {0};

	if (!svg)
		return 0;
	memcpy(svg, data, size);
	svg[size] = '\0';
	if (html_svg_sanitize(&once, svg, "") == 0) {
		if (html_svg_sanitize(&twice, once.buf, "") != 0 || strcmp(once.buf, twice.buf))
			abort(); /* the filter's output is not a fixed point of the filter */
		if (loads_or_runs(once.buf))
			abort(); /* something that runs or loads got through */
	}
	bench_error_clear();
	strbuf_release(&once);
	strbuf_release(&twice);
	free(svg);
	return 0;
}
