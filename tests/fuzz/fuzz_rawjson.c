/*
 * fuzz_rawjson.c: libFuzzer target for the rawjson progress-stream reader.
 * The first two bytes choose where the rest is split into 1-3 chunks (the
 * reader must give the same kind of answer whatever the chunk boundaries);
 * then every query of the public API runs on what was parsed. Built by
 * `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "builders/rawjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rawjson *p = NULL;
	size_t cut1 = 0, cut2 = 0, n, i;
	const struct step *steps;
	int total = 0, cached = 0;
	json_t *j;
	double t;

	if (size >= 2) {
		cut1 = data[0];
		cut2 = data[1];
		data += 2;
		size -= 2;
	}
	cut1 = size ? cut1 % (size + 1) : 0;
	cut2 = size ? cut2 % (size + 1) : 0;
	if (cut2 < cut1) {
		size_t x = cut1;
		cut1 = cut2;
		cut2 = x;
	}
	if (rawjson_new(&p) < 0)
		return 0;
	/* chunks: [0, cut1) [cut1, cut2) [cut2, size); empty ones are fed too */
	rawjson_feed(p, (const char *)data, cut1);
	rawjson_feed(p, (const char *)data + cut1, cut2 - cut1);
	rawjson_feed(p, (const char *)data + cut2, size - cut2);

	steps = rawjson_steps(p, &n);
	for (i = 0; i < n; i++) {
		(void)step_is_instruction(&steps[i]);
		(void)step_seconds(&steps[i]);
		(void)strlen(rawjson_step_log(p, i));
		if (steps[i].name)
			(void)rawjson_parse_time(&t, steps[i].name);
	}
	(void)rawjson_current(p);
	(void)rawjson_first_error(p);
	(void)rawjson_garbage(p);
	(void)rawjson_objects(p);
	j = rawjson_steps_json(p, &total, &cached);
	json_decref(j);
	rawjson_free(p);
	bench_error_clear();
	return 0;
}
