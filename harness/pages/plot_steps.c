/*
 * plot_steps.c: which group a BuildKit step belongs to (step_group) and how
 * a build's wall time splits into the groups (plot_build_groups), for the
 * "where the time goes" chart. The rules are documented in plot.h.
 */
#include "pages/plot.h"
#include "lib/jsonx.h"

#include <string.h>
#include <strings.h>

const char *const plot_step_groups[] = {
	"base", "deps", "models", "code", "export", "cache", "restore/save", "push", "other", NULL,
};
enum { G_BASE, G_DEPS, G_MODELS, G_CODE, G_EXPORT, G_CACHE, G_RESTORE, G_PUSH, G_OTHER };

static bool has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_any(const char *s, const char *const *needles)
{
	for (; *needles; needles++)
		if (has(s, *needles))
			return true;
	return false;
}

static bool starts_any(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (starts(s, *prefixes))
			return true;
	return false;
}

/* Whether a COPY/ADD's --from= stage name contains `what`. */
static bool from_stage_has(const char *rest, const char *what)
{
	const char *from = strcasestr(rest, "--from=");
	char stage[64];
	size_t n;

	if (!from)
		return false;
	from += strlen("--from=");
	n = strcspn(from, " \t");
	if (n >= sizeof(stage))
		n = sizeof(stage) - 1;
	memcpy(stage, from, n);
	stage[n] = '\0';
	return has(stage, what);
}

const char *step_group(const char *name)
{
	static const char *const cache[] = {
		"importing cache", "exporting cache", "preparing build cache", "cache manifest",
		"writing cache", "github actions cache", NULL,
	};
	static const char *const exporting[] = {
		"exporting to image", "exporting layers", "exporting manifest", "exporting config",
		"exporting attestation", "writing image", "naming to", "sending tarball",
		"unpacking to", "exporting to docker image format", "exporting to oci image format",
		"resolving provenance for metadata file", NULL,
	};
	static const char *const base_instr[] = {
		"FROM", "WORKDIR", "ENV", "ARG", "LABEL", "USER", "EXPOSE", "CMD", "ENTRYPOINT",
		"SHELL", "HEALTHCHECK", "VOLUME", "STOPSIGNAL", "ONBUILD", "MAINTAINER", NULL,
	};
	static const char *const installs[] = {
		"pip ", "pip3 ", "uv pip", "uv sync", "poetry install", "conda install",
		"mamba install", "npm ci", "npm install", "yarn install", "yarn ", "requirements", NULL,
	};
	static const char *const fetches[] = {"curl ", "wget ", "huggingface", "model", NULL};
	static const char *const system[] = {
		"apt-get ", "apt ", "apk ", "yum ", "dnf ", "useradd ", "adduser ", "groupadd ", NULL,
	};
	static const char *const manifests[] = {
		"requirements", "pyproject", "poetry.lock", "package.json", "package-lock",
		"pipfile", "uv.lock", NULL,
	};
	char stage[64] = "", instr[16];
	const char *rest = name, *end;
	size_t n, i;

	if (!name || !*name)
		return "other";
	if (has_any(name, cache))
		return "cache";
	if (starts(name, "pushing") || starts(name, "push "))
		return "push";
	if (starts_any(name, exporting))
		return "export";
	if (starts(name, "[internal] load build context"))
		return "code";
	if (starts(name, "[internal]") || starts(name, "[auth]") || starts(name, "resolve image config"))
		return "base";

	/* "[stage n/m] INSTR ..." or "[n/m] INSTR ...": the stage is the first word */
	if (name[0] == '[' && (end = strchr(name, ']'))) {
		const char *sp = memchr(name + 1, ' ', (size_t)(end - name - 1));
		if (sp) {
			n = (size_t)(sp - name - 1);
			if (n >= sizeof(stage))
				n = sizeof(stage) - 1;
			memcpy(stage, name + 1, n);
			stage[n] = '\0';
		}
		rest = end + 1;
		while (*rest == ' ')
			rest++;
	}
	n = strcspn(rest, " \t");
	if (n >= sizeof(instr))
		return "other";
	memcpy(instr, rest, n);
	instr[n] = '\0';
	for (i = 0; base_instr[i]; i++)
		if (!strcasecmp(instr, base_instr[i]))
			return "base";
	if (!strcasecmp(instr, "RUN")) {
		if (has_any(rest, installs) || has(stage, "dep"))
			return "deps";
		if (has_any(rest, fetches) || has(stage, "model"))
			return "models";
		if (has_any(rest, system))
			return "base";
		return "other";
	}
	if (!strcasecmp(instr, "COPY") || !strcasecmp(instr, "ADD")) {
		if (has_any(rest, manifests) || has(stage, "dep") || from_stage_has(rest, "dep"))
			return "deps";
		if (has(rest, "model") || has(stage, "model"))
			return "models";
		return "code";
	}
	return "other";
}

static int group_index(const char *group)
{
	int i;
	for (i = 0; i < PLOT_NGROUPS; i++)
		if (!strcmp(plot_step_groups[i], group))
			return i;
	return G_OTHER;
}

/* Seconds of build b per step group (see step_group in plot.h). */
void plot_build_groups(double out[PLOT_NGROUPS], json_t *b)
{
	double wall = json_num(b, "wall_seconds", 0), push = json_num(b, "push_seconds", 0);
	double restore = json_num(b, "cache_restore_seconds", 0) + json_num(b, "cache_save_seconds", 0) +
			 json_num(b, "cache_mounts_restore_seconds", 0) + json_num(b, "cache_mounts_save_seconds", 0);
	double docker = json_num(b, "build_seconds", wall - restore - push), sum = 0, scale = 1;
	json_t *s;
	size_t i;
	int g;

	memset(out, 0, PLOT_NGROUPS * sizeof(double));
	if (docker < 0)
		docker = 0;
	json_array_foreach(json_object_get(b, "steps"), i, s) {
		double sec = json_num(s, "seconds", 0);
		if (sec > 0) {
			/* a cached step does not do its work: its time is BuildKit
			 * loading the cached layers, whatever the step is named */
			int gi = json_is_true(json_object_get(s, "cached")) ? G_CACHE
				 : group_index(step_group(json_str(s, "name")));
			out[gi] += sec;
			sum += sec;
		}
	}
	if (sum > docker)
		scale = sum > 0 ? docker / sum : 1;
	for (g = 0; g < PLOT_NGROUPS; g++)
		out[g] *= scale;
	out[G_OTHER] += docker - sum * scale > 0 ? docker - sum * scale : 0;
	out[G_RESTORE] += restore;
	out[G_PUSH] += push;
}

