/*
 * fuzz_ghacache.c: libFuzzer target for what the emulated GitHub cache
 * service v2 reads out of a request (world/ghacache_parse.h). The first
 * byte chooses the parser (mod 4): 0, a CacheService request body (Twirp
 * JSON); 1, a Put Block List body (XML); 2, a Range / x-ms-range value
 * against a blob whose size is the next two bytes; 3, a Put Block's
 * blockid. What a parser accepts must hold what the service relies on.
 * Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "world/ghacache_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (cut at its first NUL). */
static char *text_of(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[200], *text;
	size_t i;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct gha_twirp_req req;
		const char *code = NULL;
		if (gha_twirp_req_parse(&req, &code, why, sizeof(why), (const char *)data + 1, size - 1) == 0) {
			if (!gha_key_ok(req.key) || !req.version || !*req.version ||
			    req.restore_keys.n > GHA_RESTORE_KEYS_MAX || (req.has_size && req.size_bytes < 0))
				abort();
			for (i = 0; i < req.restore_keys.n; i++)
				if (!gha_key_ok(req.restore_keys.v[i]))
					abort();
			gha_twirp_req_release(&req);
		} else if (!code || gha_twirp_status(code) != 400 || !*why) {
			abort();
		}
		break;
	}
	case 1: {
		struct strvec ids = {0};
		if (gha_block_list_parse(&ids, why, sizeof(why), (const char *)data + 1, size - 1) == 0) {
			if (ids.n > GHA_BLOCKS_MAX)
				abort();
			for (i = 0; i < ids.n; i++)
				if (!gha_block_id_ok(ids.v[i]))
					abort();
		} else if (!*why) {
			abort();
		}
		strvec_release(&ids);
		break;
	}
	case 2: {
		int64_t blob = size >= 3 ? (int64_t)data[1] << 8 | data[2] : 0, start = -1, end = -1;
		text = text_of(data + (size >= 3 ? 3 : size), size >= 3 ? size - 3 : 0);
		if (gha_range_parse(&start, &end, text, blob) == 0 &&
		    (start < 0 || start > end || end >= blob))
			abort();
		free(text);
		break;
	}
	case 3:
		text = text_of(data + 1, size - 1);
		if (gha_block_id_ok(text) && (strlen(text) % 4 || strlen(text) > 88))
			abort();
		free(text);
		break;
	}
	return 0;
}
