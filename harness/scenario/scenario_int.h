/*
 * scenario_int.h: what the parts of the scenario parser share (not for other
 * modules; see scenario.h for the API and the list of parts).
 *
 * One table (scenario_keys.c) describes every key: its section, its kind
 * (which says how the value is parsed, stored and complained about), the
 * field it fills, its default and one line of help. The reader
 * (scenario_read.c) looks keys up in it, which gives unknown-key errors with
 * a did-you-mean, duplicate detection and defaults without a switch per
 * section. Keys with a syntax of their own have a setter in
 * scenario_values.c.
 */
#ifndef BENCH_SCENARIO_INT_H
#define BENCH_SCENARIO_INT_H

#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

enum sec { SEC_NONE, SEC_SCENARIO, SEC_VARIANT, SEC_WORLD, SEC_REGISTRY, SEC_GATE, SEC_VERDICT, SEC_BAD };

/* More than the table holds (scenario_keys.c checks it at compile time). */
#define SCENARIO_KEYS_MAX 64

/* Line where each key of one section was first set (0 = unset), by its
 * index in the table. */
struct keylines {
	int at[SCENARIO_KEYS_MAX];
};

struct problem {
	int line;
	size_t seq;
	char *msg;
};

/* The state of one parse; owned by scenario_parse. */
struct scen_parser {
	const char *path; /* as given by the caller, for messages */
	struct scenario *s;
	struct problem *errs;
	size_t nerrs, aerrs;
	/* the line reader */
	const char *text;
	size_t len, pos;
	int lineno;
	/* where we are */
	enum sec sec;
	size_t var;        /* current variant when sec == SEC_VARIANT */
	char *prev_name;   /* last key of this section, for continuation lines */
	size_t prev_indent;/* indentation of the line that set it */
	int bad_headers;   /* section headers that could not be read */
	int long_lines;    /* lines too long to read: the keys they held are unknown */
	int scen_line;
	struct keylines scen, world, registry, gate, verdict, *vars;
	char *repo_raw;
	int *secret_lines;
	/* the command line's overrides: a problem at line -(i + 1) is ov[i]'s */
	const struct scenario_override *ov;
	size_t nov;
};

/* ---- reading (scenario_read.c) ---- */

/* Keep a problem at line; all are reported together by scen_report. */
void scen_add_error(struct scen_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep every problem, in line order, as the error message: BENCH_EINVALID. */
int scen_report(struct scen_parser *p);
/* inih's reader and key handler (ini_parse_stream's callbacks). */
char *scen_read_line(char *str, int num, void *stream);
int scen_on_key(void *user, const char *section, const char *name, const char *value);

/* Edit distance of two names (adjacent transpositions count one), for
 * did-you-mean hints; SIZE_MAX for names of 64 characters or more. */
size_t scen_edit_distance(const char *a, const char *b);

/* ---- the table (scenario_keys.c) ---- */

enum key_kind {
	KIND_NONE,     /* a custom key's store: nothing the table frees or writes out */
	KIND_STRING,   /* char *: any text, or text ok() accepts ("invalid KEY 'V' (HINT)") */
	KIND_CHOICE,   /* char *: one of choices */
	KIND_ENUM,     /* an enum (int-sized): the index of the value in choices */
	KIND_BOOL,     /* bool: yes/no/true/false/on/off/1/0 */
	KIND_TRISTATE, /* int: -1 unset, 0 or 1 */
	KIND_INT,      /* int from min to max */
	KIND_UNSIGNED, /* unsigned from min to max */
	KIND_NUMBER,   /* double greater than min, at most max */
	KIND_FRACTION, /* double: "15%" or "0.15"; -1 unset */
	KIND_DURATION, /* double seconds: "90s", "30m", "1h30m", "250ms"; hint = examples */
	KIND_SIZE,     /* double bytes: "10GB", "512MB", "1.5GiB" */
	KIND_RATE,     /* double bytes per second: "20MB/s" */
	KIND_LIST,     /* char ** and its size_t count: space-separated words, each ok(),
			  none twice */
	KIND_CUSTOM,   /* set() parses and stores */
};

enum {
	KEY_REPEATABLE = 1, /* may appear more than once in its section (secret) */
	KEY_POSITIVE = 2,   /* KIND_DURATION, KIND_SIZE, KIND_RATE: zero is refused */
};

/* The largest duration, size or rate a key of that kind takes when its row
 * sets no `most` (a value beyond is a typo, not a wish). */
#define SCEN_MOST_DURATION "48h"
#define SCEN_MOST_SIZE "10000GB"
#define SCEN_MOST_RATE "100GB/s"


struct key_def;
typedef void key_setter(struct scen_parser *p, const struct key_def *k, void *base,
			const char *v, int line);

struct key_def {
	enum sec sec;
	const char *name;
	enum key_kind kind;
	size_t off;                 /* the field in the section's struct */
	size_t count_off;           /* KIND_LIST: the field of its count */
	const char *const *choices; /* KIND_CHOICE, KIND_ENUM: NULL-terminated */
	bool (*ok)(const char *v);  /* KIND_STRING, KIND_LIST: NULL accepts anything */
	key_setter *set;            /* KIND_CUSTOM */
	enum key_kind store;        /* KIND_CUSTOM: how the field at off is kept (KIND_STRING,
				       KIND_LIST, KIND_NUMBER), for freeing and run.json;
				       KIND_NONE: the setter keeps it elsewhere */
	/* run.json's copy when it is not the field as it is kept */
	void (*json)(json_t *obj, const struct key_def *k, const void *base);
	const char *hint;           /* how a bad value should look (see the kinds) */
	double min, max;            /* KIND_INT, KIND_UNSIGNED, KIND_NUMBER */
	const char *most;           /* KIND_DURATION, KIND_SIZE, KIND_RATE: the largest value
				       accepted, as written ("48h"); NULL: the kind's (see
				       scenario_keys.c: kind_most) */
	unsigned flags;             /* KEY_* */
	const char *def;            /* the default, as written in a file; NULL: unset */
	const char *help;           /* one line, for scenario_key_doc */
};

/* The entry of key `name` in section sec, or NULL. *index gets its place. */
const struct key_def *scen_key_find(size_t *index, enum sec sec, const char *name);
/* The i-th entry, or NULL past the last. */
const struct key_def *scen_key_at(size_t i);
/* Line where key `name` of sec was set in `lines` (0 = unset). */
int scen_key_line(const struct keylines *lines, enum sec sec, const char *name);
/* Parse v for k and store it in the section struct at base; complain at line. */
void scen_key_apply(struct scen_parser *p, const struct key_def *k, void *base, const char *v, int line);
/* Set every key of sec in base to its default. */
void scen_keys_set_defaults(struct scen_parser *p, enum sec sec, void *base);
/* How k keeps its value: its kind, or for a custom key its store. */
enum key_kind scen_key_store(const struct key_def *k);
/* Free what the keys of sec (or the one key k) own in base: strings and lists. */
void scen_keys_release(enum sec sec, void *base);
void scen_keys_release_one(const struct key_def *k, void *base);
/* "[scenario]", "[variant NAME]" etc. for sec, or "[variant NAME]" literally
 * when name is NULL. Caller frees. */
char *scen_section_title(enum sec sec, const char *variant);

/* ---- values with a syntax of their own (scenario_values.c) ---- */

bool scen_is_name(const char *v);
bool scen_is_identifier(const char *v, size_t n);
bool scen_is_word(const char *v);          /* non-empty, no spaces or control characters */
bool scen_is_commits(const char *v);
bool scen_is_engine(const char *v);
bool scen_is_ipv4(const char *v);           /* a dotted IPv4 address */
bool scen_is_engine_listen(const char *v);  /* ENGINE=IPV4 */
bool scen_is_host(const char *v);           /* a host name or IPv4 address */
bool scen_is_registry_ref(const char *v);   /* HOST[:PORT]/NAME, no tag or digest */
bool scen_is_mount_target(const char *v);
bool scen_is_inner_path(const char *v);
bool scen_parse_uint(unsigned long long *out, const char *t, unsigned long long max);
bool scen_parse_number(double *out, const char *t);
bool scen_parse_fraction(double *out, const char *t);

/* Resolve value against the scenario's folder: the absolute path when it is
 * a regular file (or a directory when want_dir), else NULL after keeping an
 * error that starts with `what`. */
char *scen_resolve(struct scen_parser *p, int line, const char *what, const char *value, bool want_dir);
void scen_replace(char **field, const char *value);

key_setter scen_set_repo, scen_set_context, scen_set_build_args, scen_set_secret,
	scen_set_dockerfile, scen_set_dockerignore, scen_set_cache_key, scen_set_world_kind,
	scen_set_builder, scen_set_request_rate, scen_set_cache;

/* ---- run.json (scenario_json.c) ---- */

void scen_secrets_json(json_t *obj, const struct key_def *k, const void *base);
void scen_cache_key_json(json_t *obj, const struct key_def *k, const void *base);
void scen_cache_json(json_t *obj, const struct key_def *k, const void *base);

/* ---- overrides (scenario_override.c) ---- */

/* Apply p->ov over what the file set (problems at line -(i + 1)). */
void scen_apply_overrides(struct scen_parser *p);

/* ---- checks across keys (scenario_check.c) ---- */

/* Required keys, [world] dependencies, cache options against the cache kind,
 * the gate's reference variant. */
void scen_check(struct scen_parser *p);

#endif
