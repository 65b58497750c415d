/*
 * Payload compression, RFC 4253 section 6.2: "zlib" starts with the keys of
 * the key exchange that negotiated it; "zlib@openssh.com" (OpenSSH PROTOCOL
 * 2.2) only once USERAUTH_SUCCESS has been sent (server) or received
 * (client). Each direction is one zlib stream flushed with Z_PARTIAL_FLUSH
 * after every packet and restarted with each new keys: RFC 4253 6.2 "the
 * compression context is initialized after each key exchange", which is
 * also what OpenSSH does (a stream carried across a rekey breaks against
 * it). The z_stream is allocated once and reset in place; output goes to
 * scratch buffers kept in struct tp, so a packet allocates nothing once
 * they have grown.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"

struct tp_zstream {
	z_stream zs;
	int deflating;
};

static const struct {
	const char *name;
	enum tp_comp comp;
} comp_table[] = {
	{ "none", TP_COMP_NONE },
	{ "zlib@openssh.com", TP_COMP_DELAYED },
	{ "zlib", TP_COMP_ZLIB },
};

int tp_comp_by_name(const char *name, enum tp_comp *out)
{
	for (size_t i = 0; i < sizeof(comp_table) / sizeof(comp_table[0]); i++)
		if (strcmp(comp_table[i].name, name) == 0) {
			*out = comp_table[i].comp;
			return 0;
		}
	return ERR_NOT_FOUND;
}

const char *tp_comp_name(enum tp_comp c)
{
	for (size_t i = 0; i < sizeof(comp_table) / sizeof(comp_table[0]); i++)
		if (comp_table[i].comp == c)
			return comp_table[i].name;
	return "none";
}

int tp_comp_active(const struct tp_dir *d)
{
	return d->comp == TP_COMP_ZLIB || (d->comp == TP_COMP_DELAYED && d->comp_authed);
}

void tp_comp_authenticated(struct tp *t)
{
	if (!t->tx.comp_authed && (t->tx.comp == TP_COMP_DELAYED || t->rx.comp == TP_COMP_DELAYED))
		log_debug("enabling delayed compression");
	t->tx.comp_authed = 1;
	t->rx.comp_authed = 1;
}

void tp_comp_free(struct tp_dir *d)
{
	if (d->z == NULL)
		return;
	if (d->z->deflating)
		deflateEnd(&d->z->zs);
	else
		inflateEnd(&d->z->zs);
	free(d->z);
	d->z = NULL;
}

void tp_comp_reset(struct tp_dir *d)
{
	if (d->z == NULL)
		return;
	if (d->z->deflating)
		deflateReset(&d->z->zs);
	else
		inflateReset(&d->z->zs);
}

static int zstream_start(struct tp_dir *d, int deflating)
{
	struct tp_zstream *z;
	int zr;

	if (d->z != NULL)
		return 0;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return ERR_ALLOC;
	z->deflating = deflating;
	/* Level 6 like OpenSSH (its default compression level). */
	zr = deflating ? deflateInit(&z->zs, 6) : inflateInit(&z->zs);
	if (zr != Z_OK) {
		free(z);
		return zr == Z_MEM_ERROR ? ERR_ALLOC : ERR_UNSUPPORTED;
	}
	d->z = z;
	return 0;
}

int tp_comp_deflate(struct tp *t, const uint8_t *p, size_t n)
{
	z_stream *zs;
	uint8_t *o;
	size_t chunk;
	int r, zr;

	if (n > TP_MAX_PACKET)
		return ERR_TOO_LARGE;
	if ((r = zstream_start(&t->tx, 1)) != 0)
		return r;
	zs = &t->tx.z->zs;
	buf_reset(&t->zout);
	zs->next_in = (Bytef *)(uintptr_t)p;
	zs->avail_in = (uInt)n;
	/* Usually one round: deflate adds a few bytes per 16 KiB at worst. */
	chunk = n + n / 64 + 64;
	for (;;) {
		if ((r = buf_reserve(&t->zout, chunk, &o)) != 0)
			return r;
		zs->next_out = o;
		zs->avail_out = (uInt)chunk;
		zr = deflate(zs, Z_PARTIAL_FLUSH);
		buf_consume_end(&t->zout, zs->avail_out);
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return ERR_UNSUPPORTED;
		/* Room left after a flush: everything is out. */
		if (zs->avail_out != 0 || zr == Z_BUF_ERROR)
			break;
		chunk = 1024;
	}
	if (zs->avail_in != 0)
		return ERR_UNSUPPORTED;
	return 0;
}

int tp_comp_inflate(struct tp *t, const uint8_t *p, size_t n)
{
	const size_t room = (size_t)TP_MAX_PACKET + 1;
	z_stream *zs;
	uint8_t *o;
	int r, zr;

	if ((r = zstream_start(&t->rx, 0)) != 0)
		return r;
	zs = &t->rx.z->zs;
	buf_reset(&t->zin);
	/* One output area one byte larger than allowed: filling it means a bomb. */
	if ((r = buf_reserve(&t->zin, room, &o)) != 0)
		return r;
	zs->next_in = (Bytef *)(uintptr_t)p;
	zs->avail_in = (uInt)n;
	zs->next_out = o;
	zs->avail_out = (uInt)room;
	do {
		zr = inflate(zs, Z_SYNC_FLUSH);
		if (zr == Z_BUF_ERROR && zs->avail_in == 0 && zs->avail_out > 0)
			break; /* all input used, nothing more to produce */
		if (zr != Z_OK)
			return zr == Z_MEM_ERROR ? ERR_ALLOC : ERR_FORMAT;
	} while (zs->avail_in > 0 && zs->avail_out > 0);
	if (zs->avail_out == 0)
		return ERR_TOO_LARGE;
	buf_consume_end(&t->zin, zs->avail_out);
	return 0;
}
