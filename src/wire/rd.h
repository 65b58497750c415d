/*
 * The one bounds-checked reader for SSH wire data (RFC 4251 section 5).
 * A reader walks a borrowed byte range; every getter checks the remaining
 * length first, sets its out-parameters only on success and leaves the
 * position unchanged on failure. Every message parse ends with rd_end().
 */
#ifndef BURROW_WIRE_RD_H
#define BURROW_WIRE_RD_H

#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void rd_init(struct rd *r, const void *data, size_t len);
static inline size_t rd_left(const struct rd *r) { return r->len - r->off; }
static inline const uint8_t *rd_cur(const struct rd *r) { return r->p + r->off; }

int rd_u8(struct rd *r, uint8_t *v);
int rd_bool(struct rd *r, int *v);
int rd_u32(struct rd *r, uint32_t *v);
int rd_u64(struct rd *r, uint64_t *v);
/* n raw bytes, borrowed. */
int rd_bytes(struct rd *r, size_t n, const uint8_t **p);
int rd_skip(struct rd *r, size_t n);
/* SSH string, borrowed (not NUL-terminated). */
int rd_string(struct rd *r, const uint8_t **p, size_t *n);
/* SSH string as a sub-reader over its contents. */
int rd_string_rd(struct rd *r, struct rd *sub);
/* SSH string copied into a new NUL-terminated heap string; embedded NULs are ERR_FORMAT. */
int rd_cstring(struct rd *r, char **s);
/* SSH string compared with a literal name; 1 if equal (position advances either way on success). */
int rd_string_eq(struct rd *r, const char *name, int *equal);
/* SSH mpint that must be non-negative; magnitude borrowed without the leading 0x00. */
int rd_mpint_pos(struct rd *r, const uint8_t **mag, size_t *n);
/* 0 if the reader is exhausted, ERR_FORMAT if bytes remain. */
int rd_end(const struct rd *r);

#endif
