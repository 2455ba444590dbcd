/*
 * world/wheels.c: generates the files of the emulated internet (see
 * wheels.h): wheels written with libzip, the PEP 503 index pages, and the
 * model files (a ustar archive gzip'ed through libzip's deflate, and a raw
 * weights file). Payload bytes come from a seeded PRNG, never stored.
 * world/files.c puts them together into the world's file tree.
 */
#include "world/wheels.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "lib/base64.h"
#include "lib/error.h"
#include "lib/sha256.h"
#include "lib/util.h"
#include "world/catalog.h"

#define FIXED_MTIME ((time_t)1733011200) /* 2024-12-01T00:00:00Z */
#define NATIVE_RATIO 1.818  /* deflate level 1 on world_bytes_native, measured */
#define WEIGHTS_RATIO 1.135 /* deflate level 6 on world_bytes_weights, measured */
#define MIN_WHEEL 4096

/* ---- byte streams ---- */

/* A restartable stream of pseudo-random bytes.
 *
 * Native bytes imitate compiled code and tables: runs of random bytes (64 to
 * 511 long) alternate with copies of earlier runs from the last 32 KiB, as
 * deflate finds in real shared libraries. Deflate gets close to 2:1 on them,
 * at the speed it has on real libraries (tens of MB/s), which matters: the
 * image export compresses every layer, and a payload that compressed at a
 * tenth of that speed would make exports unrealistically slow.
 * Weight bytes are 7 random bits (bit 6 clear), so deflate gets about 1.14:1,
 * like the floats of a model. */
#define HIST 32768
struct bytegen {
	uint64_t seed, state;
	int weights;
	uint8_t pend[512];
	unsigned npend, off;
	uint8_t hist[HIST]; /* the last HIST bytes of native output, a ring */
	uint64_t produced;
};

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void bytegen_init(struct bytegen *g, uint64_t seed, int weights)
{
	g->seed = seed;
	g->state = seed;
	g->weights = weights;
	g->npend = g->off = 0;
	g->produced = 0;
}

/* The next chunk of native bytes into g->pend. */
static void native_chunk(struct bytegen *g)
{
	uint64_t w = splitmix64(&g->state);
	unsigned len = 64 + (unsigned)(w & 447), i;

	uint64_t window = g->produced < HIST ? g->produced : HIST;

	if (((w >> 9) & 1) && window >= 1024) {
		/* at least 512 back, so the copy never reads what it writes */
		uint64_t from = g->produced - (512 + (w >> 10) % (window - 512));
		for (i = 0; i < len; i++)
			g->pend[i] = g->hist[(from + i) % HIST];
	} else {
		for (i = 0; i < len; i += 8) {
			uint64_t r = splitmix64(&g->state);
			unsigned k;
			for (k = 0; k < 8 && i + k < len; k++)
				g->pend[i + k] = (uint8_t)(r >> (8 * k));
		}
	}
	for (i = 0; i < len; i++)
		g->hist[(g->produced + i) % HIST] = g->pend[i];
	g->produced += len;
	g->npend = len;
}

static void bytegen_fill(struct bytegen *g, uint8_t *buf, size_t len)
{
	while (len) {
		size_t n;
		if (g->off == g->npend) {
			if (g->weights) {
				uint64_t w = splitmix64(&g->state);
				unsigned i;
				for (i = 0; i < 8; i++)
					g->pend[i] = (uint8_t)(w >> (8 * i)) & 0xbf;
				g->npend = 8;
			} else {
				native_chunk(g);
			}
			g->off = 0;
		}
		n = g->npend - g->off;
		if (n > len)
			n = len;
		memcpy(buf, g->pend + g->off, n);
		g->off += (unsigned)n;
		buf += n;
		len -= n;
	}
}

void world_bytes_native(void *buf, size_t len, uint64_t seed)
{
	struct bytegen g;
	bytegen_init(&g, seed, 0);
	bytegen_fill(&g, buf, len);
}

void world_bytes_weights(void *buf, size_t len, uint64_t seed)
{
	struct bytegen g;
	bytegen_init(&g, seed, 1);
	bytegen_fill(&g, buf, len);
}

/* ---- wheels ---- */

static char *underscored(const char *name)
{
	char *s = xstrdup(name), *p;
	for (p = s; *p; p++)
		if (*p == '-' || *p == '.')
			*p = '_';
	return s;
}

char *wheel_filename(const char *name, const char *version)
{
	char *u = underscored(name);
	char *f = xasprintf("%s-%s-py3-none-any.whl", u, version);
	free(u);
	return f;
}

/* RECORD's digest form: "sha256=" + urlsafe base64 without padding. */
static void record_digest(char out[52], const uint8_t d[SHA256_DIGEST_SIZE])
{
	memcpy(out, "sha256=", 7);
	base64url_encode(out + 7, d, SHA256_DIGEST_SIZE);
}

static void record_line(struct strbuf *rec, const char *path, const void *data, size_t len)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	char dig[52];

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(d, &c);
	record_digest(dig, d);
	strbuf_printf(rec, "%s,%s,%zu\n", path, dig, len);
}

/* libzip reads the payload through this source, regenerating the stream. */
struct gen_source {
	struct bytegen g;
	uint64_t len, pos;
};

static zip_int64_t gen_source_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct gen_source *s = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		bytegen_init(&s->g, s->g.seed, s->g.weights);
		s->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (len > s->len - s->pos)
			len = s->len - s->pos;
		bytegen_fill(&s->g, data, (size_t)len);
		s->pos += len;
		return (zip_int64_t)len;
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		if (len < sizeof(*st))
			return -1;
		zip_stat_init(st);
		st->size = s->len;
		st->mtime = FIXED_MTIME;
		st->valid |= ZIP_STAT_SIZE | ZIP_STAT_MTIME;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR: {
		zip_error_t err;
		zip_int64_t r;
		zip_error_init_with_code(&err, ZIP_ER_INTERNAL);
		r = zip_error_to_data(&err, data, len);
		zip_error_fini(&err);
		return r;
	}
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

/* Add an entry from a source; the archive owns src from here on. */
static int archive_add(zip_t *za, const char *name, zip_source_t *src, int level, const char *path)
{
	zip_int64_t idx;

	if (!src)
		return bench_error_set(BENCH_EIO, "cannot write '%s': %s", path, zip_strerror(za));
	if ((idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return bench_error_set(BENCH_EIO, "cannot add '%s' to '%s': %s", name, path,
				       zip_strerror(za));
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, (zip_uint32_t)level) < 0 ||
	    zip_file_set_mtime(za, (zip_uint64_t)idx, FIXED_MTIME, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     0100644u << 16) < 0)
		return bench_error_set(BENCH_EIO, "cannot set up '%s' in '%s': %s", name, path,
				       zip_strerror(za));
	return 0;
}

static int archive_add_text(zip_t *za, const char *name, const struct strbuf *sb, const char *path)
{
	return archive_add(za, name, zip_source_buffer(za, sb->buf, sb->len, 0), 6, path);
}

int wheel_write(const char *path, const char *name, const char *version,
		int64_t target_bytes, uint64_t seed)
{
	struct strbuf init = {0}, meta = {0}, whl = {0}, rec = {0};
	char *pkg = underscored(name), *dist = NULL, *n_init = NULL, *n_so = NULL;
	char *n_meta = NULL, *n_whl = NULL, *n_rec = NULL;
	struct gen_source payload;
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE], buf[1 << 16];
	char dig[52];
	double overhead;
	uint64_t left;
	zip_t *za = NULL;
	int zerr, error = 0;

	dist = xasprintf("%s-%s.dist-info", pkg, version);
	n_init = xasprintf("%s/__init__.py", pkg);
	n_so = xasprintf("%s/_native.so", pkg);
	n_meta = xasprintf("%s/METADATA", dist);
	n_whl = xasprintf("%s/WHEEL", dist);
	n_rec = xasprintf("%s/RECORD", dist);
	strbuf_printf(&init, "\"\"\"%s, generated by bench for the emulated cafeboo world.\"\"\"\n"
		      "__version__ = \"%s\"\n", name, version);
	strbuf_printf(&meta, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
		      "Summary: generated by bench for the emulated cafeboo world\n", name, version);
	strbuf_puts(&whl, "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
		    "Tag: py3-none-any\n");

	/* the payload's deflated size is what is left of the target after the
	 * small files and the zip headers (about 1 KB) */
	if (target_bytes < MIN_WHEEL)
		target_bytes = MIN_WHEEL;
	overhead = 800 + 16.0 * (double)strlen(dist);
	bytegen_init(&payload.g, seed, 0);
	if ((double)target_bytes - overhead < 1024)
		overhead = (double)target_bytes - 1024;
	payload.len = (uint64_t)(((double)target_bytes - overhead) * NATIVE_RATIO);
	payload.pos = 0;

	record_line(&rec, n_init, init.buf, init.len);
	sha256_init(&c);
	for (left = payload.len; left; ) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		bytegen_fill(&payload.g, buf, n);
		sha256_update(&c, buf, n);
		left -= n;
	}
	sha256_final(d, &c);
	record_digest(dig, d);
	strbuf_printf(&rec, "%s,%s,%llu\n", n_so, dig, (unsigned long long)payload.len);
	record_line(&rec, n_meta, meta.buf, meta.len);
	record_line(&rec, n_whl, whl.buf, whl.len);
	strbuf_printf(&rec, "%s,,\n", n_rec);

	if (!(za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr))) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		error = bench_error_set(BENCH_EIO, "cannot create '%s': %s", path,
					zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	if ((error = archive_add_text(za, n_init, &init, path)) ||
	    (error = archive_add(za, n_so, zip_source_function(za, gen_source_cb, &payload), 1, path)) ||
	    (error = archive_add_text(za, n_meta, &meta, path)) ||
	    (error = archive_add_text(za, n_whl, &whl, path)) ||
	    (error = archive_add_text(za, n_rec, &rec, path)))
		goto done;
	if (zip_close(za) < 0) {
		error = bench_error_set(BENCH_EIO, "cannot write '%s': %s", path, zip_strerror(za));
		goto done;
	}
	za = NULL;
done:
	if (za)
		zip_discard(za);
	strbuf_release(&init);
	strbuf_release(&meta);
	strbuf_release(&whl);
	strbuf_release(&rec);
	free(pkg);
	free(dist);
	free(n_init);
	free(n_so);
	free(n_meta);
	free(n_whl);
	free(n_rec);
	return error;
}

/* ---- model files ---- */

/* One 512-byte ustar header. */
static void tar_header(uint8_t h[512], const char *name, uint64_t size, char type)
{
	unsigned sum = 0, i;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", type == '5' ? 0755u : 0644u);
	snprintf((char *)h + 108, 8, "%07o", 0u);
	snprintf((char *)h + 116, 8, "%07o", 0u);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)FIXED_MTIME);
	memset(h + 148, ' ', 8);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	snprintf((char *)h + 265, 32, "root");
	snprintf((char *)h + 297, 32, "root");
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Write len bytes of g to f. Returns 0 or -1. */
static int write_gen(FILE *f, struct bytegen *g, uint64_t len)
{
	uint8_t buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		bytegen_fill(g, buf, n);
		if (fwrite(buf, 1, n, f) != n)
			return -1;
		len -= n;
	}
	return 0;
}

/* Append a tar member of `head` followed by gen_len bytes of gen. */
static int tar_add(FILE *f, const char *name, const struct strbuf *head,
		   struct bytegen *gen, uint64_t gen_len)
{
	static const uint8_t zero[512];
	uint64_t len = head->len + gen_len;
	uint8_t h[512];

	tar_header(h, name, len, '0');
	if (fwrite(h, 1, 512, f) != 512 || fwrite(head->buf, 1, head->len, f) != head->len ||
	    write_gen(f, gen, gen_len))
		return -1;
	if (len % 512 && fwrite(zero, 1, 512 - len % 512, f) != 512 - len % 512)
		return -1;
	return 0;
}

/* gzip src into dst without linking zlib: libzip deflates src into a
 * scratch zip, whose raw deflate stream (read back with ZIP_FL_COMPRESSED)
 * is exactly a gzip member's body; header and CRC trailer are added here. */
static int gzip_file(const char *dst, const char *src)
{
	static const uint8_t header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	char *scratch = xasprintf("%s.zip", dst);
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	zip_stat_t st;
	FILE *out = NULL;
	uint8_t buf[1 << 16], trailer[8];
	zip_int64_t n;
	int zerr, i, error = 0;

	if (!(za = zip_open(scratch, ZIP_CREATE | ZIP_TRUNCATE, &zerr))) {
		error = bench_error_set(BENCH_EIO, "cannot create '%s'", scratch);
		goto done;
	}
	if ((error = archive_add(za, "data", zip_source_file(za, src, 0, -1), 6, scratch)))
		goto done;
	if (zip_close(za) < 0) {
		error = bench_error_set(BENCH_EIO, "cannot write '%s': %s", scratch, zip_strerror(za));
		goto done;
	}
	if (!(za = zip_open(scratch, ZIP_RDONLY, &zerr)) || zip_stat_index(za, 0, 0, &st) < 0 ||
	    st.comp_method != ZIP_CM_DEFLATE ||
	    !(zf = zip_fopen_index(za, 0, ZIP_FL_COMPRESSED))) {
		error = bench_error_set(BENCH_EIO, "cannot read back the deflated '%s'", scratch);
		goto done;
	}
	if (!(out = fopen(dst, "wbe"))) {
		error = bench_error_errno(BENCH_EIO, "cannot create '%s'", dst);
		goto done;
	}
	fwrite(header, 1, sizeof(header), out);
	while ((n = zip_fread(zf, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	for (i = 0; i < 4; i++) {
		trailer[i] = (uint8_t)(st.crc >> (8 * i));
		trailer[4 + i] = (uint8_t)(st.size >> (8 * i));
	}
	fwrite(trailer, 1, sizeof(trailer), out);
	if (n < 0 || ferror(out))
		error = bench_error_set(BENCH_EIO, "cannot write '%s'", dst);
done:
	if (out && fclose(out) && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", dst);
	if (zf)
		zip_fclose(zf);
	if (za)
		zip_discard(za);
	unlink(scratch);
	free(scratch);
	return error;
}

int model_targz_write(const char *path, int64_t target_bytes, uint64_t seed)
{
	static const uint8_t zero[1024];
	struct strbuf config = {0}, tok = {0}, st_head = {0};
	char *tar = xasprintf("%s.tar", path);
	struct bytegen g;
	uint8_t h[512];
	uint64_t weights, rows, tok_size, i;
	FILE *f = NULL;
	int error = 0;

	if (target_bytes < MIN_WHEEL)
		target_bytes = MIN_WHEEL;
	strbuf_puts(&config, "{\n  \"architectures\": [\"BertModel\"],\n  \"hidden_size\": 384,\n"
		    "  \"model_type\": \"bert\",\n  \"generated_by\": \"bench\"\n}\n");
	/* a WordPiece vocabulary of about target/640 bytes */
	tok_size = (uint64_t)target_bytes / 640 < 2048 ? 2048 : (uint64_t)target_bytes / 640;
	strbuf_puts(&tok, "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[PAD]\":0");
	for (i = 1; tok.len < tok_size; i++)
		strbuf_printf(&tok, ",\"w%llx\":%llu", (unsigned long long)(i * 2654435761u % 1000003),
			      (unsigned long long)i);
	strbuf_puts(&tok, "}}}\n");
	/* model.safetensors: the 8-byte length of a JSON header, the header,
	 * then F16 embeddings of 384 columns (deflate leaves ~1.135:1) */
	rows = (uint64_t)(((double)target_bytes - (double)tok.len / 3 - 1500) * WEIGHTS_RATIO) / 768;
	if (rows < 1)
		rows = 1;
	weights = rows * 768;
	strbuf_add(&st_head, "\0\0\0\0\0\0\0\0", 8);
	strbuf_printf(&st_head, "{\"embeddings.word_embeddings.weight\":{\"dtype\":\"F16\","
		      "\"shape\":[%llu,384],\"data_offsets\":[0,%llu]}}",
		      (unsigned long long)rows, (unsigned long long)weights);
	while (st_head.len % 8)
		strbuf_puts(&st_head, " ");
	for (i = 0; i < 8; i++)
		st_head.buf[i] = (char)(uint8_t)((uint64_t)(st_head.len - 8) >> (8 * i));

	bytegen_init(&g, seed, 1);
	tar_header(h, "embedding_model/", 0, '5');
	if (!(f = fopen(tar, "wbe"))) {
		error = bench_error_errno(BENCH_EIO, "cannot create '%s'", tar);
		goto done;
	}
	if (fwrite(h, 1, 512, f) != 512 ||
	    tar_add(f, "embedding_model/config.json", &config, NULL, 0) ||
	    tar_add(f, "embedding_model/tokenizer.json", &tok, NULL, 0) ||
	    tar_add(f, "embedding_model/model.safetensors", &st_head, &g, weights) ||
	    fwrite(zero, 1, sizeof(zero), f) != sizeof(zero)) {
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", tar);
		goto done;
	}
	error = fclose(f) ? bench_error_errno(BENCH_EIO, "cannot write '%s'", tar) : 0;
	f = NULL;
	if (!error)
		error = gzip_file(path, tar);
done:
	if (f)
		fclose(f);
	unlink(tar);
	free(tar);
	strbuf_release(&config);
	strbuf_release(&tok);
	strbuf_release(&st_head);
	return error;
}

int model_raw_write(const char *path, int64_t target_bytes, uint64_t seed)
{
	struct bytegen g;
	FILE *f;
	int error = 0;

	if (!(f = fopen(path, "wbe")))
		return bench_error_errno(BENCH_EIO, "cannot create '%s'", path);
	bytegen_init(&g, seed, 1);
	if (write_gen(f, &g, target_bytes > 0 ? (uint64_t)target_bytes : 0))
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", path);
	if (fclose(f) && !error)
		error = bench_error_errno(BENCH_EIO, "cannot write '%s'", path);
	return error;
}
