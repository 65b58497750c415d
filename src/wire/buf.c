#include "wire/buf.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

void buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
	b->max = BUF_MAX_DEFAULT;
}

void buf_free(struct buf *b)
{
	mem_free_secret(b->d, b->cap);
	b->d = NULL;
	b->off = b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->off = b->len = 0;
}

void buf_set_max(struct buf *b, size_t max)
{
	b->max = max;
}

int buf_ensure(struct buf *b, size_t n)
{
	size_t need, ncap;
	uint8_t *nd;

	if (n > b->max || b->len > b->max - n)
		return ERR_TOO_LARGE;
	need = b->len + n;
	if (b->off + need <= b->cap)
		return 0;
	/*
	 * Slide unread data to the front instead of growing, but only when it
	 * moves no more than the space it reclaims (or is small): a large
	 * output queue drained by partial writes would otherwise be moved again
	 * and again. Amortized, every byte is moved at most once.
	 */
	if (b->off > 0 && need <= b->cap && (b->len <= b->off || b->len <= 4096)) {
		memmove(b->d, b->d + b->off, b->len);
		b->off = 0;
		return 0;
	}
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < need)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	if ((nd = malloc(ncap)) == NULL)
		return ERR_ALLOC;
	if (b->len > 0)
		memcpy(nd, b->d + b->off, b->len);
	mem_free_secret(b->d, b->cap);
	b->d = nd;
	b->off = 0;
	b->cap = ncap;
	return 0;
}

int buf_reserve(struct buf *b, size_t n, uint8_t **p)
{
	int r;

	if ((r = buf_ensure(b, n)) != 0)
		return r;
	*p = b->d + b->off + b->len;
	b->len += n;
	return 0;
}

int buf_consume(struct buf *b, size_t n)
{
	if (n > b->len)
		return ERR_TRUNCATED;
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
	return 0;
}

int buf_consume_end(struct buf *b, size_t n)
{
	if (n > b->len)
		return ERR_TRUNCATED;
	b->len -= n;
	return 0;
}

int buf_put(struct buf *b, const void *data, size_t n)
{
	uint8_t *p;
	int r;

	if (n == 0)
		return 0;
	if ((r = buf_reserve(b, n, &p)) != 0)
		return r;
	memcpy(p, data, n);
	return 0;
}

int buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int buf_put_bool(struct buf *b, int v)
{
	return buf_put_u8(b, v ? 1 : 0);
}

int buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t p[4];

	put_u32be(p, v);
	return buf_put(b, p, 4);
}

int buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t p[8];

	put_u32be(p, (uint32_t)(v >> 32));
	put_u32be(p + 4, (uint32_t)v);
	return buf_put(b, p, 8);
}

int buf_put_string(struct buf *b, const void *data, size_t n)
{
	uint8_t *p;
	int r;

	if (n > UINT32_MAX || n > SIZE_MAX - 4)
		return ERR_TOO_LARGE;
	if ((r = buf_reserve(b, n + 4, &p)) != 0)
		return r;
	put_u32be(p, (uint32_t)n);
	if (n > 0)
		memcpy(p + 4, data, n);
	return 0;
}

int buf_put_cstring(struct buf *b, const char *s)
{
	return buf_put_string(b, s, s == NULL ? 0 : strlen(s));
}

int buf_put_stringb(struct buf *b, const struct buf *v)
{
	return buf_put_string(b, buf_ptr(v), buf_len(v));
}

int buf_put_mpint_bytes(struct buf *b, const uint8_t *mag, size_t n)
{
	uint8_t *p;
	int pad, r;

	while (n > 0 && mag[0] == 0) {
		mag++;
		n--;
	}
	pad = n > 0 && (mag[0] & 0x80) != 0;
	if (n > UINT32_MAX - 5)
		return ERR_TOO_LARGE;
	if ((r = buf_reserve(b, 4 + (size_t)pad + n, &p)) != 0)
		return r;
	put_u32be(p, (uint32_t)(n + (size_t)pad));
	if (pad)
		p[4] = 0;
	if (n > 0)
		memcpy(p + 4 + pad, mag, n);
	return 0;
}
