/*
 * jsonx.h: the few jansson accessors every JSON-reading module wants, so a
 * missing or mistyped field reads the same way everywhere: a string field as
 * "" and a number field as the caller's default.
 */
#ifndef BENCH_JSONX_H
#define BENCH_JSONX_H

#include <jansson.h>

/* o[key] when it is a string, else "" (never NULL; o may be NULL). The
 * string is owned by o. */
static inline const char *json_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* o[key] when it is a number (integer or real), else dflt. */
static inline double json_num(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* The distinct values of the string field `key` (json_str, so a missing
 * one counts as "") of the objects in array arr, in the order they first
 * appear. Returns a new array of strings; the caller owns it. */
static inline json_t *json_distinct_strs(json_t *arr, const char *key)
{
	json_t *out = json_array(), *seen = json_object(), *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		const char *s = json_str(o, key);
		if (json_object_get(seen, s))
			continue;
		json_object_set_new(seen, s, json_true());
		json_array_append_new(out, json_string(s));
	}
	json_decref(seen);
	return out;
}

#endif
