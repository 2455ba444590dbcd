/*
 * versions.c: the engine versions of a run, from run.json's environment
 * (see versions.h). docker.c records them (docker_environment); this file
 * only reads them back for the reports and the page.
 */
#include "results/versions.h"

#include <string.h>

#include "lib/jsonx.h"
#include "lib/util.h"

/* "github.com/docker/buildx 0.29.1+ds1 0.29.1+ds1-4" -> "0.29.1+ds1";
 * another text as it is. New reference (null for none). */
static json_t *buildx_version(json_t *raw)
{
	const char *s = json_string_value(raw), *v;
	static const char prefix[] = "github.com/docker/buildx ";

	if (!s || !*s)
		return json_null();
	if (strncmp(s, prefix, sizeof(prefix) - 1))
		return json_string(s);
	v = s + sizeof(prefix) - 1;
	return json_stringn(v, strcspn(v, " "));
}

/* A recorded string, or null. New reference. */
static json_t *string_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? json_string(s) : json_null();
}

static json_t *entry(const char *name, json_t *env)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", name,
			 "docker_server", string_or_null(env, "docker_server"),
			 "buildx", buildx_version(json_object_get(env, "buildx")),
			 "containerd", string_or_null(env, "containerd"),
			 "buildkit", string_or_null(env, "buildkit"));
}

json_t *versions_of_run(json_t *run)
{
	json_t *env = json_object_get(run, "environment"), *fps = json_object_get(env, "engines");
	json_t *out = json_array(), *fp;
	size_t i;

	if (!json_is_object(env))
		return out;
	json_array_foreach(fps, i, fp)
		if (json_is_object(fp))
			json_array_append_new(out, entry(*json_str(fp, "name") ? json_str(fp, "name") : "default", fp));
	if (!json_array_size(out))
		json_array_append_new(out, entry("default", env));
	return out;
}

char *versions_text(json_t *v)
{
	static const char *const fields[][2] = {
		{"docker_server", "docker"}, {"buildx", "buildx"}, {"containerd", "containerd"},
		{"buildkit", "BuildKit"},
	};
	struct strbuf sb = {0};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (*json_str(v, fields[i][0]))
			strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", fields[i][1], json_str(v, fields[i][0]));
	return sb.buf ? strbuf_detach(&sb) : xstrdup("");
}
