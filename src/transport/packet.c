/*
 * Binary packet protocol, RFC 4253 section 6:
 *   uint32 packet_length || byte padding_length || payload || padding || tag
 * With AEAD ciphers (length in clear and authenticated for AES-GCM, or
 * encrypted with its own key for chacha20-poly1305) and with -etm MACs
 * (OpenSSH PROTOCOL 1.6, 1.7) the part after the length is what must be a
 * multiple of the block size; with encrypt-and-MAC and before the first
 * NEWKEYS the whole packet is (RFC 4253 section 6, block size 8 in clear).
 * The tag is the AEAD tag or the MAC. Payloads are (de)compressed here
 * (compress.c) when the current keys say so.
 */
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

void tp_dir_set_cipher(struct tp_dir *d, struct cipher_ctx *c)
{
	cipher_ctx_free(d->cipher);
	d->cipher = c;
	d->bytes = 0;
	d->packets = 0;
	/* The method travels with the keys, and the zlib stream restarts with them. */
	d->comp = c != NULL ? d->next_comp : TP_COMP_NONE;
	tp_comp_reset(d);
}

/* One direction's integrity key, letter 'E' or 'F' (RFC 4253 7.2). */
static int mac_key_one(struct tp *t, const struct buf *k, const uint8_t *h, size_t h_len,
		       const struct mac_alg *mac, char letter, struct cipher_ctx *c)
{
	uint8_t key[HASH_MAX_LEN];
	int r;

	if (mac == NULL)
		return 0;
	if (c == NULL || mac->key_len > sizeof(key))
		return ERR_INVALID_ARG;
	if ((r = kdf_derive(t->kx.algs.kex->hash, buf_ptr(k), buf_len(k), h, h_len, letter,
			    t->session_id, t->sid_len, key, mac->key_len)) == 0)
		r = cipher_ctx_set_mac(c, mac, key);
	mem_wipe(key, sizeof(key));
	return r;
}

int tp_mac_keys(struct tp *t, const struct buf *k, const uint8_t *h, size_t h_len)
{
	struct tp_kex *kx = &t->kx;
	struct cipher_ctx *c2s = t->server ? kx->next_in : kx->next_out;
	struct cipher_ctx *s2c = t->server ? kx->next_out : kx->next_in;
	int r;

	/* Client to server: 'E'; server to client: 'F'. */
	if ((r = mac_key_one(t, k, h, h_len, kx->algs.mac_c2s, 'E', c2s)) != 0 ||
	    (r = mac_key_one(t, k, h, h_len, kx->algs.mac_s2c, 'F', s2c)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "integrity key derivation failed");
	return 0;
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

/* Does the 4-byte length field count toward the block alignment? */
static int len_aligned(const struct tp_dir *d)
{
	return d->cipher == NULL || !cipher_ctx_len_separate(d->cipher);
}

/* Padding and sizes of a packet with a body of blen bytes (RFC 4253 section 6). */
static int pkt_sizes(const struct tp_dir *d, size_t blen, size_t *pad, size_t *total)
{
	size_t bs = d->cipher != NULL ? cipher_ctx_alg(d->cipher)->block_len : TP_PLAIN_BLOCK;
	size_t tag = d->cipher != NULL ? cipher_ctx_tag_len(d->cipher) : 0;
	size_t aligned;

	if (blen == 0 || blen > TP_MAX_PACKET - 1 - 2 * bs - TP_MIN_PADDING)
		return ERR_TOO_LARGE;
	aligned = 1 + blen + (len_aligned(d) ? 4 : 0);
	*pad = bs - aligned % bs;
	if (*pad < TP_MIN_PADDING)
		*pad += bs;
	*total = 4 + 1 + blen + *pad + tag;
	return 0;
}

/*
 * The body is already at p + 5, with room for the whole packet reserved at
 * the end of t->out: write length and padding, seal, and count it.
 */
static int pkt_finish(struct tp *t, uint8_t *p, size_t blen, size_t pad, size_t total,
		      size_t len, uint8_t type)
{
	struct tp_dir *d = &t->tx;
	size_t plen = 1 + blen + pad;
	int r;

	put_u32be(p, (uint32_t)plen);
	p[4] = (uint8_t)pad;
	if ((r = crypto_random_padding(p + 5 + blen, pad)) != 0 ||
	    (d->cipher != NULL && (r = cipher_seal(d->cipher, d->seq, p, 4 + plen)) != 0)) {
		buf_consume_end(&t->out, total);
		return r;
	}
	log_debug3("send packet: type %u seq %u len %zu", type, d->seq, len);
	d->bytes += total;
	d->packets++;
	t->bytes_out += total;
	t->payload_out += len;
	return 0;
}

int tp_pkt_send(struct tp *t, const uint8_t *payload, size_t len)
{
	struct tp_dir *d = &t->tx;
	const uint8_t *body = payload;
	size_t pad, total, blen = len;
	uint8_t *p, type;
	int r;

	if (len == 0)
		return ERR_TOO_LARGE;
	type = payload[0];
	if (tp_comp_active(d) && !t->test_nocomp) {
		if ((r = tp_comp_deflate(t, payload, len)) != 0)
			return r;
		body = buf_ptr(&t->zout);
		blen = buf_len(&t->zout);
	}
	if ((r = pkt_sizes(d, blen, &pad, &total)) != 0 ||
	    (r = buf_reserve(&t->out, total, &p)) != 0)
		return r;
	memcpy(p + 5, body, blen);
	if ((r = pkt_finish(t, p, blen, pad, total, len, type)) != 0)
		return r;
	/* OpenSSH PROTOCOL 2.2: delayed compression starts after this message. */
	if (t->server && type == SSH_MSG_USERAUTH_SUCCESS)
		tp_comp_authenticated(t);
	return seq_advance(t, d, "outgoing");
}

int tp_pkt_reserve(struct tp *t, size_t max, uint8_t **payload)
{
	size_t pad, total;
	int r;

	if (tp_comp_active(&t->tx))
		return ERR_AGAIN; /* the payload must go through deflate first */
	if ((r = pkt_sizes(&t->tx, max, &pad, &total)) != 0 ||
	    (r = buf_ensure(&t->out, total)) != 0)
		return r;
	*payload = (uint8_t *)buf_ptr(&t->out) + buf_len(&t->out) + 5;
	return 0;
}

int tp_pkt_commit(struct tp *t, size_t len)
{
	size_t pad, total;
	uint8_t *p;
	int r;

	/* Space was ensured by tp_pkt_reserve, so this neither moves nor grows. */
	if ((r = pkt_sizes(&t->tx, len, &pad, &total)) != 0 ||
	    (r = buf_reserve(&t->out, total, &p)) != 0)
		return r;
	if ((r = pkt_finish(t, p, len, pad, total, len, p[5])) != 0)
		return r;
	return seq_advance(t, &t->tx, "outgoing");
}

/* Check the announced packet_length before waiting for the rest of the packet. */
static int check_length(struct tp *t, uint32_t plen)
{
	size_t bs = t->rx.cipher != NULL ? cipher_ctx_alg(t->rx.cipher)->block_len : TP_PLAIN_BLOCK;
	size_t aligned = len_aligned(&t->rx) ? (size_t)plen + 4 : plen;

	if (plen > TP_MAX_PACKET || plen < 1 + TP_MIN_PADDING)
		return tp_fail(t, ERR_TOO_LARGE, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Bad packet length %u.", plen);
	if (aligned % bs != 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "padding error: packet length %u, block size %zu", plen, bs);
	return 0;
}

/* Replace the payload by its decompressed form (in t->zin) if compression is on. */
static int decompress(struct tp *t, uint8_t **payload, size_t *len)
{
	int r;

	if (!tp_comp_active(&t->rx))
		return 0;
	if ((r = tp_comp_inflate(t, *payload, *len)) != 0) {
		if (r == ERR_TOO_LARGE)
			return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR,
				       "decompressed packet larger than %u bytes", TP_MAX_PACKET);
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "Decompression error");
	}
	if (buf_len(&t->zin) == 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Empty packet after decompression");
	*payload = buf_mutable_ptr(&t->zin);
	*len = buf_len(&t->zin);
	return 0;
}

int tp_pkt_read(struct tp *t, uint8_t **payload, size_t *len, size_t *total, uint32_t *seq)
{
	struct tp_dir *d = &t->rx;
	size_t tag = d->cipher != NULL ? cipher_ctx_tag_len(d->cipher) : 0, need, plen, n;
	uint8_t *p, *pl;
	unsigned padlen;
	uint32_t s;
	int r;

	if (!t->in_have_len) {
		if (d->cipher != NULL) {
			if (buf_len(&t->in) < cipher_ctx_peek_bytes(d->cipher))
				return ERR_AGAIN;
			r = cipher_peek_length(d->cipher, d->seq, buf_ptr(&t->in), &t->in_plen);
			if (r != 0)
				return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR,
					       "cannot decrypt packet length");
		} else {
			if (buf_len(&t->in) < 4)
				return ERR_AGAIN;
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
	pl = p + 5;
	n = plen - 1 - padlen;
	if ((r = decompress(t, &pl, &n)) != 0)
		return r;
	s = d->seq;
	d->bytes += need;
	d->packets++;
	t->payload_in += n;
	if ((r = seq_advance(t, d, "incoming")) != 0)
		return r;
	log_debug3("received packet: type %u seq %u len %zu", pl[0], s, n);
	/* OpenSSH PROTOCOL 2.2: the server compresses everything after this message. */
	if (!t->server && pl[0] == SSH_MSG_USERAUTH_SUCCESS)
		tp_comp_authenticated(t);
	*payload = pl;
	*len = n;
	*total = need;
	*seq = s;
	return 0;
}
