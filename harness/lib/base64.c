/* base64.c: URL-safe base64 without padding, and standard base64 with
 * padding (see base64.h). */
#include "lib/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char standard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(char *out, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t i, o = 0;

	for (i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)d[i] << 16 | (left > 1 ? (uint32_t)d[i + 1] << 8 : 0) | (left > 2 ? d[i + 2] : 0);

		out[o++] = standard[(v >> 18) & 63];
		out[o++] = standard[(v >> 12) & 63];
		out[o++] = left > 1 ? standard[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? standard[v & 63] : '=';
	}
	out[o] = '\0';
}

void base64url_encode(char *out, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t i, o = 0;

	for (i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)d[i] << 16;

		if (left > 1)
			v |= (uint32_t)d[i + 1] << 8;
		if (left > 2)
			v |= d[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (left > 1)
			out[o++] = alphabet[(v >> 6) & 63];
		if (left > 2)
			out[o++] = alphabet[v & 63];
	}
	out[o] = '\0';
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Decode len characters of text into out (room for len / 4 * 3 + 3 bytes,
 * NUL-terminated); the bytes written in *out_len. Strict: base64url's
 * alphabet only, -1 on any other character. Lenient: '+' and '/' as well,
 * anything else ('=' padding, newlines) skipped. */
static int decode_into(char *out, size_t *out_len, const char *text, size_t len, bool lenient)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < len; i++) {
		int v = lenient && text[i] == '+' ? 62 : lenient && text[i] == '/' ? 63 : value_of(text[i]);
		if (v < 0) {
			if (lenient)
				continue;
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

char *base64url_decode(size_t *out_len, const char *text, size_t len)
{
	char *out;

	while (len && text[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	out = xmalloc(len / 4 * 3 + 3);
	if (decode_into(out, out_len, text, len, false) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *base64_decode_lenient(size_t *out_len, const char *text, size_t len)
{
	char *out = xmalloc(len / 4 * 3 + 3);

	decode_into(out, out_len, text, len, true);
	return out;
}
