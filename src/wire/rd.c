#include "wire/rd.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "wire/buf.h"

void rd_init(struct rd *r, const void *data, size_t len)
{
	r->p = data;
	r->len = data == NULL ? 0 : len;
	r->off = 0;
}

int rd_bytes(struct rd *r, size_t n, const uint8_t **p)
{
	if (n > rd_left(r))
		return ERR_TRUNCATED;
	if (p != NULL)
		*p = r->p + r->off;
	r->off += n;
	return 0;
}

int rd_skip(struct rd *r, size_t n)
{
	return rd_bytes(r, n, NULL);
}

int rd_u8(struct rd *r, uint8_t *v)
{
	const uint8_t *p;
	int e;

	if ((e = rd_bytes(r, 1, &p)) != 0)
		return e;
	*v = p[0];
	return 0;
}

int rd_bool(struct rd *r, int *v)
{
	uint8_t b;
	int e;

	if ((e = rd_u8(r, &b)) != 0)
		return e;
	*v = b != 0;
	return 0;
}

int rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;
	int e;

	if ((e = rd_bytes(r, 4, &p)) != 0)
		return e;
	*v = get_u32be(p);
	return 0;
}

int rd_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	int e;

	if ((e = rd_bytes(r, 8, &p)) != 0)
		return e;
	*v = ((uint64_t)get_u32be(p) << 32) | get_u32be(p + 4);
	return 0;
}

int rd_string(struct rd *r, const uint8_t **p, size_t *n)
{
	size_t save = r->off;
	uint32_t len;
	int e;

	if ((e = rd_u32(r, &len)) != 0)
		return e;
	if (len > rd_left(r)) {
		r->off = save;
		return ERR_TRUNCATED;
	}
	if (p != NULL)
		*p = r->p + r->off;
	if (n != NULL)
		*n = len;
	r->off += len;
	return 0;
}

int rd_string_rd(struct rd *r, struct rd *sub)
{
	const uint8_t *p;
	size_t n;
	int e;

	if ((e = rd_string(r, &p, &n)) != 0)
		return e;
	rd_init(sub, p, n);
	return 0;
}

int rd_cstring(struct rd *r, char **s)
{
	size_t save = r->off, n;
	const uint8_t *p;
	char *out;
	int e;

	if ((e = rd_string(r, &p, &n)) != 0)
		return e;
	if (memchr(p, '\0', n) != NULL) {
		r->off = save;
		return ERR_FORMAT;
	}
	if ((out = malloc(n + 1)) == NULL) {
		r->off = save;
		return ERR_ALLOC;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	*s = out;
	return 0;
}

int rd_string_eq(struct rd *r, const char *name, int *equal)
{
	const uint8_t *p;
	size_t n;
	int e;

	if ((e = rd_string(r, &p, &n)) != 0)
		return e;
	*equal = n == strlen(name) && memcmp(p, name, n) == 0;
	return 0;
}

int rd_mpint_pos(struct rd *r, const uint8_t **mag, size_t *n)
{
	size_t save = r->off, len;
	const uint8_t *p;
	int e;

	if ((e = rd_string(r, &p, &len)) != 0)
		return e;
	/* RFC 4251: negative numbers have the top bit set; unnecessary leading zeros are invalid. */
	if ((len > 0 && (p[0] & 0x80) != 0) ||
	    (len > 1 && p[0] == 0 && (p[1] & 0x80) == 0) || (len == 1 && p[0] == 0)) {
		r->off = save;
		return ERR_FORMAT;
	}
	if (len > 0 && p[0] == 0) {
		p++;
		len--;
	}
	*mag = p;
	*n = len;
	return 0;
}

int rd_end(const struct rd *r)
{
	return rd_left(r) == 0 ? 0 : ERR_FORMAT;
}
