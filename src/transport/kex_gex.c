/*
 * diffie-hellman-group-exchange-sha256 (RFC 4419; OpenSSH's limits):
 *   C: byte 34 GEX_REQUEST, uint32 min, uint32 n, uint32 max
 *   S: byte 31 GEX_GROUP,   mpint p, mpint g
 *   C: byte 32 GEX_INIT,    mpint e
 *   S: byte 33 GEX_REPLY,   string K_S, mpint f, string signature
 *   H = HASH(V_C || V_S || I_C || I_S || K_S || min || n || max || p || g || e || f || K)
 * e and f travel as mpints; the crypto layer takes their bodies, so they are
 * read and written here as strings (the same bytes) and validated there.
 */
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/rd.h"

/*
 * The group size to ask for, as OpenSSH's dh_estimate(): the strongest of the
 * negotiated ciphers and MACs in bytes (key, block, IV, MAC key; a cipher
 * counts at most 256 bits of key, as chacha20-poly1305's 512-bit key is two
 * 256-bit keys), mapped 112 -> 2048, 128 -> 3072, 192 -> 7680, more -> 8192.
 */
uint32_t tp_gex_wanted_bits(const struct tp_algs *a)
{
	const struct cipher_alg *c[2] = { a->c2s, a->s2c };
	const struct mac_alg *m[2] = { a->mac_c2s, a->mac_s2c };
	size_t need = 0, bits;

	for (int i = 0; i < 2; i++) {
		if (c[i] != NULL) {
			size_t sec = c[i]->key_len > 32 ? 32 : c[i]->key_len;

			need = sec > need ? sec : need;
			need = c[i]->block_len > need ? c[i]->block_len : need;
			need = c[i]->iv_len > need ? c[i]->iv_len : need;
		}
		if (m[i] != NULL)
			need = m[i]->key_len > need ? m[i]->key_len : need;
	}
	bits = need * 8;
	if (bits <= 112)
		return 2048;
	if (bits <= 128)
		return 3072;
	if (bits <= 192)
		return 7680;
	return 8192;
}

static int send_request(struct tp *t)
{
	struct tp_kex *kx = &t->kx;
	struct buf m;
	int r;

	kx->gex_min = TP_GEX_MIN;
	kx->gex_n = tp_gex_wanted_bits(&kx->algs);
	kx->gex_max = TP_GEX_MAX;
	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_KEX_DH_GEX_REQUEST)) == 0 &&
	    (r = buf_put_u32(&m, kx->gex_min)) == 0 && (r = buf_put_u32(&m, kx->gex_n)) == 0 &&
	    (r = buf_put_u32(&m, kx->gex_max)) == 0)
		r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	if (r != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send GEX_REQUEST");
	log_debug("SSH2_MSG_KEX_DH_GEX_REQUEST(%u<%u<%u) sent", kx->gex_min, kx->gex_n,
		  kx->gex_max);
	kx->gex_expect = SSH_MSG_KEX_DH_GEX_GROUP;
	log_debug("expecting SSH2_MSG_KEX_DH_GEX_GROUP");
	return 0;
}

int tp_gex_start(struct tp *t)
{
	if (t->server) {
		t->kx.gex_expect = SSH_MSG_KEX_DH_GEX_REQUEST;
		return 0;
	}
	return send_request(t);
}

/* Server: uint32 min, uint32 n, uint32 max -> GEX_GROUP. */
static int on_request(struct tp *t, const uint8_t *p, size_t n)
{
	struct tp_kex *kx = &t->kx;
	uint32_t min, want, max, cmin, cwant, cmax;
	struct buf m;
	struct rd rd;
	int r;

	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_u32(&rd, &min)) != 0 || (r = rd_u32(&rd, &want)) != 0 ||
	    (r = rd_u32(&rd, &max)) != 0 || (r = rd_end(&rd)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed GEX_REQUEST");
	log_debug("SSH2_MSG_KEX_DH_GEX_REQUEST(%u<%u<%u) received", min, want, max);
	/* The hash covers the values as sent; the choice uses them clamped to our range. */
	if (max < min || want < min || max < want || max < TP_GEX_MIN)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "DH_GEX_REQUEST, bad parameters (%u<%u<%u)", min, want, max);
	kx->gex_min = min;
	kx->gex_n = want;
	kx->gex_max = max;
	cmin = min > TP_GEX_MIN ? min : TP_GEX_MIN;
	cmax = max < TP_GEX_MAX ? max : TP_GEX_MAX;
	cwant = want < TP_GEX_MIN ? TP_GEX_MIN : want > TP_GEX_MAX ? TP_GEX_MAX : want;
	if (cmin > cmax)
		return tp_fail(t, ERR_NO_MATCH, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "DH_GEX_REQUEST, no group in %u..%u bits", min, max);
	if ((r = tp_moduli_choose(t->moduli_file != NULL ? t->moduli_file : TP_MODULI_FILE, cmin,
				  cwant, cmax, &kx->gex_grp)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "DH_GEX_REQUEST, no group in %u..%u bits", min, max);
	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_KEX_DH_GEX_GROUP)) == 0 &&
	    (r = kex_dh_group_put(kx->gex_grp, &m)) == 0)
		r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	if (r != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send GEX_GROUP");
	log_debug("SSH2_MSG_KEX_DH_GEX_GROUP sent (%u bits)", kex_dh_group_bits(kx->gex_grp));
	kx->gex_expect = SSH_MSG_KEX_DH_GEX_INIT;
	return 0;
}

/* Client: mpint p, mpint g -> GEX_INIT with our e. */
static int on_group(struct tp *t, const uint8_t *p, size_t n)
{
	struct tp_kex *kx = &t->kx;
	const uint8_t *gp, *gg;
	size_t gp_len, gg_len;
	unsigned bits;
	struct buf m;
	struct rd rd;
	int r;

	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_mpint_pos(&rd, &gp, &gp_len)) != 0 || (r = rd_mpint_pos(&rd, &gg, &gg_len)) != 0 ||
	    (r = rd_end(&rd)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed GEX_GROUP");
	/* Refuse before any arithmetic: the size must be what we asked for (>= 2048). */
	if (gp_len > TP_GEX_MAX / 8 + 1)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "DH_GEX group out of range: more than %u bits", kx->gex_max);
	if ((r = kex_dh_group_new(gp, gp_len, gg, gg_len, &kx->gex_grp)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "DH_GEX group invalid");
	bits = kex_dh_group_bits(kx->gex_grp);
	log_debug("SSH2_MSG_KEX_DH_GEX_GROUP received (%u bits)", bits);
	if (bits < kx->gex_min || bits > kx->gex_max)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "DH_GEX group out of range: %u !< %u !< %u", kx->gex_min, bits,
			       kx->gex_max);
	buf_reset(&kx->q_c);
	if ((r = kex_dh_group_keypair(kx->gex_grp, &kx->priv, &kx->q_c)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "kex keypair failed");
	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_KEX_DH_GEX_INIT)) == 0 &&
	    (r = buf_put_stringb(&m, &kx->q_c)) == 0)
		r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	if (r != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send GEX_INIT");
	log_debug("SSH2_MSG_KEX_DH_GEX_INIT sent");
	kx->gex_expect = SSH_MSG_KEX_DH_GEX_REPLY;
	log_debug("expecting SSH2_MSG_KEX_DH_GEX_REPLY");
	return 0;
}

/* min || n || max || p || g || e || f (RFC 4419 section 3) */
static int gex_mid(const struct tp_kex *kx, const uint8_t *e, size_t e_len, const uint8_t *f,
		   size_t f_len, struct buf *mid)
{
	int r;

	if ((r = buf_put_u32(mid, kx->gex_min)) != 0 || (r = buf_put_u32(mid, kx->gex_n)) != 0 ||
	    (r = buf_put_u32(mid, kx->gex_max)) != 0 ||
	    (r = kex_dh_group_put(kx->gex_grp, mid)) != 0 ||
	    (r = buf_put_string(mid, e, e_len)) != 0 || (r = buf_put_string(mid, f, f_len)) != 0)
		return r;
	return 0;
}

static int gex_encaps(const struct tp_kex *kx, const uint8_t *e, size_t e_len, struct buf *f,
		      struct buf *k)
{
	return kex_dh_group_encaps(kx->gex_grp, e, e_len, f, k);
}

/* Server: mpint e -> GEX_REPLY. Client: string K_S, mpint f, string signature. */
static const struct tp_kex_method gex_method = {
	.init_name = "GEX_INIT",
	.reply_name = "GEX_REPLY",
	.reply_type = SSH_MSG_KEX_DH_GEX_REPLY,
	.encaps = gex_encaps,
	.mid = gex_mid,
};

int tp_gex_on_msg(struct tp *t, const uint8_t *p, size_t n)
{
	switch (p[0]) {
	case SSH_MSG_KEX_DH_GEX_REQUEST:
		return on_request(t, p, n);
	case SSH_MSG_KEX_DH_GEX_GROUP:
		return on_group(t, p, n);
	case SSH_MSG_KEX_DH_GEX_INIT:
		return tp_kex_method_on_init(t, &gex_method, p, n);
	case SSH_MSG_KEX_DH_GEX_REPLY:
		return tp_kex_method_on_reply(t, &gex_method, p, n);
	}
	return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
		       "protocol error: unexpected message %u during group exchange", p[0]);
}
