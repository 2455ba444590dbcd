/*
 * fuzz_scenario.c: libFuzzer target for the scenario parser. Any bytes are
 * handed to scenario_parse as the text of "fuzz.ini"; it must return an error
 * or a scenario, never crash, leak or read out of bounds. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s = NULL;
	json_t *j;

	if (scenario_parse(&s, "fuzz.ini", (const char *)data, size) == 0) {
		/* a scenario that parses must also describe itself */
		j = scenario_to_json(s);
		json_decref(j);
	}
	scenario_free(s);
	bench_error_clear();
	return 0;
}
