/*
 * sha256.h: a small SHA-256 (FIPS 180-4) for digests of scenario files,
 * results and cache folders, and its HMAC. No dependencies besides libc.
 */
#ifndef BENCH_SHA256_H
#define BENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

struct sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;      /* total length so far */
	uint8_t buf[64];     /* pending partial block */
	size_t used;         /* bytes in buf */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Finish and write the 32-byte digest; c must be _init'ed again for reuse. */
void sha256_final(uint8_t out[SHA256_DIGEST_SIZE], struct sha256_ctx *c);

/* Lowercase hex digest of a buffer into out (SHA256_HEX_SIZE bytes). */
void sha256_hex(char out[SHA256_HEX_SIZE], const void *data, size_t len);

/* HMAC-SHA256 (RFC 2104) of len bytes of data under key: the 32-byte MAC
 * into out (the signatures of the GitHub cache service's blob URLs). */
void hmac_sha256(uint8_t out[SHA256_DIGEST_SIZE], const void *key, size_t key_len, const void *data,
		 size_t len);

/* Lowercase hex digest of a file's bytes. Returns 0, or BENCH_ENOTFOUND /
 * BENCH_EIO with the message kept in error.h. */
int sha256_file_hex(char out[SHA256_HEX_SIZE], const char *path);

#endif
