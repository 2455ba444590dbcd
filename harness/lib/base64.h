/*
 * base64.h: the URL-safe base64 alphabet (RFC 4648 section 5) without
 * padding, as wheel RECORD digests and JSON Web Tokens write it; and the
 * standard one with padding (section 4), as Go's encoding/json writes bytes
 * (BuildKit's rawjson log data).
 */
#ifndef BENCH_BASE64_H
#define BENCH_BASE64_H

#include <stddef.h>

/* Characters base64url_encode writes for len bytes, without the NUL. */
#define BASE64URL_LEN(len) (((len) / 3) * 4 + ((len) % 3 ? (len) % 3 + 1 : 0))

/* Encode len bytes of data into out (BASE64URL_LEN(len) + 1 bytes), NUL
 * terminated and unpadded. */
void base64url_encode(char *out, const void *data, size_t len);

/* Decode text (len characters, "=" padding allowed at the end) into a new
 * buffer with a NUL after the *out_len bytes. Returns NULL when text is not
 * URL-safe base64. Caller frees. */
char *base64url_decode(size_t *out_len, const char *text, size_t len);

/* Characters base64_encode writes for len bytes, without the NUL. */
#define BASE64_LEN(len) (((len) + 2) / 3 * 4)

/* Encode len bytes into out (BASE64_LEN(len) + 1 bytes): the standard
 * alphabet, padded, NUL terminated. */
void base64_encode(char *out, const void *data, size_t len);

/* Decode text in either alphabet, skipping padding and any other character
 * (newlines): never fails. A new buffer with a NUL after the *out_len
 * bytes; caller frees. */
char *base64_decode_lenient(size_t *out_len, const char *text, size_t len);

#endif
