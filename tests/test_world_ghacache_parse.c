/*
 * test_world_ghacache_parse.c: unit tests of what the emulated GitHub cache
 * service v2 reads out of a request (world/ghacache_parse.c: Twirp bodies,
 * Twirp's statuses, Azure block ids and block lists, ranges), and of the
 * pieces it builds on: base64.c (tokens) and HMAC-SHA256 (signed URLs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "lib/sha256.h"
#include "lib/util.h"
#include "world/ghacache_parse.h"

/* A block id as Azure's SDK makes them: 64 bytes, base64. */
static char *block_id(int n)
{
	unsigned char raw[64] = {0};
	char *id = xmalloc(BASE64_LEN(sizeof(raw)) + 1);

	raw[0] = 0xfb; /* '+' and '/' in the base64 */
	raw[1] = 0xff;
	raw[19] = (unsigned char)n;
	base64_encode(id, raw, sizeof(raw));
	return id;
}

static void test_base64url(void **state)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	const unsigned char url[] = {0xfb, 0xff, 0xbf};
	char out[16], *back;
	size_t i, len;
	(void)state;

	for (i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		base64url_encode(out, plain[i], strlen(plain[i]));
		assert_string_equal(out, coded[i]);
		assert_int_equal(strlen(out), BASE64URL_LEN(strlen(plain[i])));
		back = base64url_decode(&len, coded[i], strlen(coded[i]));
		assert_non_null(back);
		assert_int_equal(len, strlen(plain[i]));
		assert_memory_equal(back, plain[i], len);
		free(back);
	}
	base64url_encode(out, url, sizeof(url));
	assert_string_equal(out, "-_-_");
	back = base64url_decode(&len, "Zm8=", 4); /* padding is accepted */
	assert_non_null(back);
	assert_string_equal(back, "fo");
	free(back);
	assert_null(base64url_decode(&len, "Zm+v", 4)); /* not the URL alphabet */
	assert_null(base64url_decode(&len, "Z", 1));
}

static void test_hmac_sha256(void **state)
{
	/* RFC 4231, test case 2 */
	static const uint8_t want[SHA256_DIGEST_SIZE] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
	const char *data = "what do ya want for nothing?";
	uint8_t mac[SHA256_DIGEST_SIZE];
	(void)state;

	hmac_sha256(mac, "Jefe", 4, data, strlen(data));
	assert_memory_equal(mac, want, sizeof(want));
}

/* gha_twirp_req_parse of a NUL-terminated body. */
static int parse_req(struct gha_twirp_req *req, const char **code, const char *body)
{
	char why[200];
	return gha_twirp_req_parse(req, code, why, sizeof(why), body, strlen(body));
}

/* gha_block_list_parse of a NUL-terminated body. */
static int parse_list(struct strvec *ids, const char *xml)
{
	char why[200];
	int error = gha_block_list_parse(ids, why, sizeof(why), xml, strlen(xml));
	if (error)
		assert_true(strlen(why) > 0);
	return error;
}

static void test_parsers(void **state)
{
	struct gha_twirp_req req;
	struct strvec ids = {0};
	const char *code = NULL;
	char *id = block_id(3);
	int64_t s, e;
	(void)state;

	/* protojson's int64 comes as a number (go-actions-cache) or a string (toolkit) */
	assert_int_equal(parse_req(&req, &code, "{\"key\":\"k\",\"version\":\"v\",\"size_bytes\":\"42\"}"), 0);
	assert_true(req.has_size);
	assert_int_equal(req.size_bytes, 42);
	gha_twirp_req_release(&req);
	assert_int_equal(parse_req(&req, &code, "{\"key\":\"k\",\"version\":\"v\",\"restore_keys\":[\"a\",\"b\"],"
					     "\"metadata\":{\"scope\":[]}}"), 0);
	assert_int_equal(req.restore_keys.n, 2);
	gha_twirp_req_release(&req);
	assert_int_equal(parse_req(&req, &code, "[1]"), -1);
	assert_string_equal(code, "malformed");
	assert_int_equal(parse_req(&req, &code, "{\"key\":\"a,b\",\"version\":\"v\"}"), -1);
	assert_string_equal(code, "invalid_argument");
	assert_int_equal(parse_req(&req, &code, "{\"key\":\"k\"}"), -1);
	assert_string_equal(code, "invalid_argument");
	assert_int_equal(parse_req(&req, &code, "{\"key\":\"k\",\"version\":\"v\",\"size_bytes\":\"4x\"}"), -1);
	assert_string_equal(code, "malformed");
	assert_int_equal(gha_twirp_status("already_exists"), 409);
	assert_int_equal(gha_twirp_status("resource_exhausted"), 429);
	assert_int_equal(gha_twirp_status("unauthenticated"), 401);
	assert_int_equal(gha_twirp_status("no-such-code"), 500);

	assert_true(gha_block_id_ok(id));
	assert_false(gha_block_id_ok("abc"));       /* not a multiple of 4 */
	assert_false(gha_block_id_ok("ab-_"));      /* the URL alphabet */
	assert_false(gha_block_id_ok(""));
	{
		char big[120];
		memset(big, 'A', 88 + 4); /* 69 bytes */
		big[92] = '\0';
		assert_false(gha_block_id_ok(big));
	}
	{
		char *xml = xasprintf("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<BlockList>\n  <Latest>%s</Latest>"
				      "<Uncommitted>QUJD</Uncommitted><Committed>QUJD</Committed></BlockList>\n", id);
		assert_int_equal(parse_list(&ids, xml), 0);
		assert_int_equal(ids.n, 3);
		assert_string_equal(ids.v[0], id);
		assert_string_equal(ids.v[2], "QUJD");
		strvec_release(&ids);
		free(xml);
	}
	assert_int_equal(parse_list(&ids, "<BlockList><Foo>QUJD</Foo></BlockList>"), -1);
	strvec_release(&ids);
	assert_int_equal(parse_list(&ids, "<BlockList><Latest>QUJD"), -1);
	strvec_release(&ids);
	assert_int_equal(parse_list(&ids, "<BlockList></BlockList>x"), -1);
	strvec_release(&ids);
	assert_int_equal(parse_list(&ids, "<BlockList></BlockList>"), 0);
	assert_int_equal(ids.n, 0);
	strvec_release(&ids);

	assert_int_equal(gha_range_parse(&s, &e, "bytes=10-", 100), 0);
	assert_int_equal(s, 10);
	assert_int_equal(e, 99);
	assert_int_equal(gha_range_parse(&s, &e, "bytes=10-19", 100), 0);
	assert_int_equal(e, 19);
	assert_int_equal(gha_range_parse(&s, &e, "bytes=90-200", 100), 0);
	assert_int_equal(e, 99);
	assert_int_equal(gha_range_parse(&s, &e, "bytes=100-", 100), -1);
	assert_int_equal(gha_range_parse(&s, &e, "bytes=5-4", 100), -1);
	assert_int_equal(gha_range_parse(&s, &e, "bytes=1-2x", 100), -1);
	assert_int_equal(gha_range_parse(&s, &e, "items=1-2", 100), -1);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64url),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_parsers),
	};
	return cmocka_run_group_tests_name("the GitHub cache service's parsers", tests, NULL, NULL);
}
