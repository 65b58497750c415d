/*
 * Growable byte buffer for building SSH messages (RFC 4251 section 5 encodings).
 * Data lives in d[off .. off+len); writers append at the end, readers consume
 * from the front. A buffer never grows past its max (default BUF_MAX_DEFAULT).
 * All functions return 0 or a negative ERR_* code; on error the buffer is unchanged.
 */
#ifndef BURROW_WIRE_BUF_H
#define BURROW_WIRE_BUF_H

#include <stddef.h>
#include <stdint.h>

#define BUF_MAX_DEFAULT (64u * 1024 * 1024)

struct buf {
	uint8_t *d;
	size_t off;  /* start of unread data */
	size_t len;  /* bytes of unread data */
	size_t cap;  /* allocated size of d */
	size_t max;  /* growth limit for off+len */
};

void buf_init(struct buf *b);
/* Wipes the contents (buffers may hold secrets) and frees the storage. */
void buf_free(struct buf *b);
/* Forget the contents, keep the allocation. */
void buf_reset(struct buf *b);
void buf_set_max(struct buf *b, size_t max);

static inline const uint8_t *buf_ptr(const struct buf *b) { return b->d + b->off; }
static inline uint8_t *buf_mutable_ptr(struct buf *b) { return b->d + b->off; }
static inline size_t buf_len(const struct buf *b) { return b->len; }

/* Append n uninitialised bytes; *p points at them (valid until the next growth). */
int buf_reserve(struct buf *b, size_t n, uint8_t **p);
/* Make room for n more bytes without appending them. */
int buf_ensure(struct buf *b, size_t n);
/* Drop n bytes from the front / back. */
int buf_consume(struct buf *b, size_t n);
int buf_consume_end(struct buf *b, size_t n);

int buf_put(struct buf *b, const void *data, size_t n);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_bool(struct buf *b, int v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
/* uint32 length followed by the bytes. */
int buf_put_string(struct buf *b, const void *data, size_t n);
int buf_put_cstring(struct buf *b, const char *s);
/* Appends another buffer's contents as a string. */
int buf_put_stringb(struct buf *b, const struct buf *v);
/* Unsigned big-endian magnitude as an SSH mpint (leading zeros dropped, 0x00 added if the top bit is set). */
int buf_put_mpint_bytes(struct buf *b, const uint8_t *mag, size_t n);

/* Write a big-endian value to raw memory. */
static inline void put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t get_u32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
