/*
 * world/ghacache_parse.h: what the emulated GitHub cache service v2
 * (world/ghacache.h) reads out of a request, as pure functions over bytes
 * (no server, no store): the Twirp request bodies, Twirp's error codes,
 * Azure's block ids and block lists, and byte ranges. tests/fuzz/
 * fuzz_ghacache.c feeds them arbitrary input.
 */
#ifndef BENCH_WORLD_GHACACHE_PARSE_H
#define BENCH_WORLD_GHACACHE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

/* The longest key and version GitHub takes, and the most restore keys. */
#define GHA_KEY_MAX 512
#define GHA_RESTORE_KEYS_MAX 10
/* Azure's limits: a block id decodes to at most 64 bytes, a blob has at
 * most 50,000 blocks. */
#define GHA_BLOCK_ID_MAX 64
#define GHA_BLOCKS_MAX 50000

/* The members of a CacheService request that the service reads (metadata,
 * when sent, is ignored: the scope comes from the token). */
struct gha_twirp_req {
	char *key, *version;
	struct strvec restore_keys;
	int64_t size_bytes;   /* protojson's int64: a number or a string of digits */
	bool has_size;
};

/* Parse a request body (len bytes of JSON). 0, or -1 with *code a Twirp
 * error code ("malformed": not a JSON object or a member of the wrong type;
 * "invalid_argument": a key, version or restore key GitHub refuses) and why
 * (size bytes) saying which. */
int gha_twirp_req_parse(struct gha_twirp_req *out, const char **code, char *why, size_t size,
			const char *body, size_t len);
void gha_twirp_req_release(struct gha_twirp_req *r);

/* A cache key GitHub takes: 1..GHA_KEY_MAX characters, no comma. */
bool gha_key_ok(const char *key);

/* The HTTP status of a Twirp error code (twitchtv/twirp's table); 500 for
 * a code it does not know. */
int gha_twirp_status(const char *code);

/* A Put Block's blockid: standard padded base64 of 1..GHA_BLOCK_ID_MAX
 * bytes. */
bool gha_block_id_ok(const char *id);

/* A Put Block List body: an optional XML declaration, then <BlockList>
 * holding <Latest>, <Uncommitted> and <Committed> elements, each a block
 * id. The ids in order into *ids (the service keeps no blocks once a blob
 * is committed, so each must name a staged block whatever its element).
 * 0, or -1 with why (size bytes) saying what is wrong. */
int gha_block_list_parse(struct strvec *ids, char *why, size_t size, const char *xml, size_t len);

/* A Range or x-ms-range value, "bytes=S-" or "bytes=S-E", within a blob of
 * size bytes: 0 with the inclusive [*start, *end], or -1 when it is not
 * understood or not satisfiable. */
int gha_range_parse(int64_t *start, int64_t *end, const char *text, int64_t size);

#endif
