/*
 * Binary packet protocol, RFC 4253 section 6:
 *   uint32 packet_length || byte padding_length || payload || padding || tag
 * All our ciphers are AEAD (crypto.h): the length is either in clear and
 * authenticated (AES-GCM) or encrypted with its own key (chacha20-poly1305),
 * so the part after the length is what must be a multiple of the block size
 * (OpenSSH PROTOCOL 1.6). Before the first NEWKEYS the whole packet is a
 * multiple of 8 (RFC 4253 section 6).
 */
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"

void tp_dir_set_cipher(struct tp_dir *d, struct cipher_ctx *c)
{
	cipher_ctx_free(d->cipher);
	d->cipher = c;
	d->bytes = 0;
	d->packets = 0;
}

uint64_t tp_rekey_limit(const struct tp *t, const struct tp_dir *d)
{
	uint64_t lim;
	size_t bs;

	if (d->cipher == NULL)
		return UINT64_MAX;
	bs = cipher_ctx_alg(d->cipher)->block_len;
	/* OpenSSH: 2^(2*blocksize bits/8) blocks for >= 128-bit blocks, else 1 GiB. */
	lim = bs >= 16 ? ((uint64_t)1 << 32) * bs : (uint64_t)1 << 30;
	if (t->rekey_bytes != 0 && t->rekey_bytes < lim)
		lim = t->rekey_bytes;
	return lim;
}

/* The sequence number may wrap (RFC 4253 6.4) except during the first key exchange. */
static int seq_advance(struct tp *t, struct tp_dir *d, const char *which)
{
	if (++d->seq == 0 && t->kex_count == 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "%s sequence number wrapped during initial key exchange", which);
	return 0;
}

int tp_pkt_send(struct tp *t, const uint8_t *payload, size_t len)
{
	struct tp_dir *d = &t->tx;
	size_t bs, tag, aligned, pad, plen, total;
	uint8_t *p;
	int r;

	bs = d->cipher != NULL ? cipher_ctx_alg(d->cipher)->block_len : TP_PLAIN_BLOCK;
	tag = d->cipher != NULL ? cipher_ctx_alg(d->cipher)->tag_len : 0;
	if (len == 0 || len > TP_MAX_PACKET - 1 - 2 * bs - TP_MIN_PADDING)
		return ERR_TOO_LARGE;
	aligned = 1 + len + (d->cipher != NULL ? 0 : 4);
	pad = bs - aligned % bs;
	if (pad < TP_MIN_PADDING)
		pad += bs;
	plen = 1 + len + pad;
	total = 4 + plen + tag;
	if ((r = buf_reserve(&t->out, total, &p)) != 0)
		return r;
	put_u32be(p, (uint32_t)plen);
	p[4] = (uint8_t)pad;
	memcpy(p + 5, payload, len);
	if ((r = crypto_random(p + 5 + len, pad)) != 0 ||
	    (d->cipher != NULL && (r = cipher_seal(d->cipher, d->seq, p, 4 + plen)) != 0)) {
		buf_consume_end(&t->out, total);
		return r;
	}
	log_debug3("send packet: type %u seq %u len %zu", payload[0], d->seq, len);
	d->bytes += total;
	d->packets++;
	t->bytes_out += total;
	return seq_advance(t, d, "outgoing");
}

/* Check the announced packet_length before waiting for the rest of the packet. */
static int check_length(struct tp *t, uint32_t plen)
{
	size_t bs = t->rx.cipher != NULL ? cipher_ctx_alg(t->rx.cipher)->block_len : TP_PLAIN_BLOCK;
	size_t aligned = t->rx.cipher != NULL ? plen : (size_t)plen + 4;

	if (plen > TP_MAX_PACKET || plen < 1 + TP_MIN_PADDING)
		return tp_fail(t, ERR_TOO_LARGE, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Bad packet length %u.", plen);
	if (aligned % bs != 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "padding error: packet length %u, block size %zu", plen, bs);
	return 0;
}

int tp_pkt_read(struct tp *t, uint8_t **payload, size_t *len, size_t *total, uint32_t *seq)
{
	struct tp_dir *d = &t->rx;
	size_t tag = d->cipher != NULL ? cipher_ctx_alg(d->cipher)->tag_len : 0, need, plen;
	uint8_t *p;
	unsigned padlen;
	uint32_t s;
	int r;

	if (!t->in_have_len) {
		if (buf_len(&t->in) < 4)
			return ERR_AGAIN;
		if (d->cipher != NULL) {
			r = cipher_peek_length(d->cipher, d->seq, buf_ptr(&t->in), &t->in_plen);
			if (r != 0)
				return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR,
					       "cannot decrypt packet length");
		} else {
			t->in_plen = get_u32be(buf_ptr(&t->in));
		}
		if ((r = check_length(t, t->in_plen)) != 0)
			return r;
		t->in_have_len = 1;
	}
	plen = t->in_plen;
	need = 4 + plen + tag; /* plen <= TP_MAX_PACKET: no overflow */
	if (buf_len(&t->in) < need)
		return ERR_AGAIN;
	p = buf_mutable_ptr(&t->in);
	if (d->cipher != NULL && (r = cipher_open(d->cipher, d->seq, p, 4 + plen)) != 0) {
		if (r == ERR_MAC)
			return tp_fail(t, ERR_MAC, SSH_DISCONNECT_MAC_ERROR, "Corrupted MAC on input.");
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "packet decryption failed");
	}
	t->in_have_len = 0;
	padlen = p[4];
	if (padlen < TP_MIN_PADDING || padlen >= plen)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Invalid padding length %u for packet length %zu", padlen, plen);
	if (plen - 1 - padlen == 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Empty packet (no message type)");
	s = d->seq;
	d->bytes += need;
	d->packets++;
	if ((r = seq_advance(t, d, "incoming")) != 0)
		return r;
	log_debug3("received packet: type %u seq %u len %zu", p[5], s, plen - 1 - padlen);
	*payload = p + 5;
	*len = plen - 1 - padlen;
	*total = need;
	*seq = s;
	return 0;
}
