/*
 * Key exchange messages (RFC 5656 section 4 / RFC 8731, shaped as a KEM by
 * the crypto layer), the exchange hash, NEWKEYS and key derivation
 * (RFC 4253 sections 7.2, 7.3, 8), strict KEX (OpenSSH PROTOCOL 1.10).
 */
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

void tp_kex_clear(struct tp_kex *kx)
{
	if (kx->priv != NULL && kx->algs.kex != NULL)
		kx->algs.kex->priv_free(kx->priv);
	kx->priv = NULL;
	buf_free(&kx->my_kexinit);
	buf_free(&kx->peer_kexinit);
	buf_free(&kx->q_c);
	tp_algs_clear(&kx->algs);
	cipher_ctx_free(kx->next_in);
	cipher_ctx_free(kx->next_out);
	kx->next_in = kx->next_out = NULL;
	kex_dh_group_free(kx->gex_grp);
	kx->gex_grp = NULL;
	kx->gex_expect = 0;
	kx->gex_min = kx->gex_n = kx->gex_max = 0;
	kx->step = TP_KX_IDLE;
}

/* Send our KEXINIT; from now on upper-layer payloads are held back. */
int tp_kex_begin(struct tp *t)
{
	int r;

	if (t->kx.step != TP_KX_IDLE)
		return 0;
	if ((r = tp_kexinit_build(t, &t->kx.my_kexinit)) != 0 ||
	    (r = tp_pkt_send(t, buf_ptr(&t->kx.my_kexinit), buf_len(&t->kx.my_kexinit))) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send KEXINIT: %s",
			       err_str(r));
	log_debug("SSH2_MSG_KEXINIT sent");
	t->kx.step = TP_KX_WAIT_KEXINIT;
	t->hold = 1;
	return 0;
}

int tp_kex_on_kexinit(struct tp *t, const uint8_t *p, size_t n, uint32_t seq)
{
	struct tp_kex *kx = &t->kx;
	uint8_t msg = SSH_MSG_KEX_ECDH_INIT;
	struct buf m;
	int r;

	log_debug("SSH2_MSG_KEXINIT received");
	if ((r = tp_kex_begin(t)) != 0)
		return r;
	buf_reset(&kx->peer_kexinit);
	if ((r = buf_put(&kx->peer_kexinit, p, n)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "out of memory");
	if ((r = tp_kexinit_negotiate(t, p, n, &kx->algs)) != 0)
		return r;
	if (t->kex_count == 0) {
		t->strict = kx->algs.peer_strict; /* we always offer it first time */
		t->peer_ext_info = kx->algs.peer_ext_info;
		if (t->strict)
			log_debug("kex: strict KEX enabled");
		if (t->strict && seq != 0)
			return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
				       "strict KEX violation: KEXINIT was not the first packet");
	}
	kx->step = TP_KX_WAIT_ECDH;
	if (kx->algs.kex->group_exchange)
		return tp_gex_start(t);
	if (t->server)
		return 0;
	/* Client: string Q_C (RFC 5656 4, RFC 8731 3). */
	buf_reset(&kx->q_c);
	if ((r = kx->algs.kex->keypair(&kx->priv, &kx->q_c)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "kex keypair failed");
	buf_init(&m);
	if ((r = buf_put_u8(&m, msg)) == 0 && (r = buf_put_stringb(&m, &kx->q_c)) == 0)
		r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	if (r != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send ECDH_INIT");
	log_debug("expecting SSH2_MSG_KEX_ECDH_REPLY");
	return 0;
}

/*
 * H = HASH(V_C || V_S || I_C || I_S || K_S || mid || K): RFC 5656 4 / RFC 8731 3 /
 * RFC 8268 with mid = Q_C || Q_S, RFC 4419 3 with mid = min || n || max || p || g || e || f.
 */
static int exchange_hash(struct tp *t, const uint8_t *ks, size_t ks_len, const struct buf *mid,
			 const struct buf *k, uint8_t *h, size_t *h_len)
{
	const struct tp_kex *kx = &t->kx;
	const char *vc = t->server ? t->v_peer : t->v_ours;
	const char *vs = t->server ? t->v_ours : t->v_peer;
	const struct buf *ic = t->server ? &kx->peer_kexinit : &kx->my_kexinit;
	const struct buf *is = t->server ? &kx->my_kexinit : &kx->peer_kexinit;
	struct buf b;
	int r;

	buf_init(&b);
	if ((r = buf_put_cstring(&b, vc)) != 0 || (r = buf_put_cstring(&b, vs)) != 0 ||
	    (r = buf_put_stringb(&b, ic)) != 0 || (r = buf_put_stringb(&b, is)) != 0 ||
	    (r = buf_put_string(&b, ks, ks_len)) != 0 ||
	    (r = buf_put(&b, buf_ptr(mid), buf_len(mid))) != 0 ||
	    (r = buf_put(&b, buf_ptr(k), buf_len(k))) != 0)
		goto out;
	if ((r = hash_digest(kx->algs.kex->hash, buf_ptr(&b), buf_len(&b), h)) != 0)
		goto out;
	*h_len = hash_len(kx->algs.kex->hash);
out:
	buf_free(&b);
	return r;
}

/* One direction's cipher from the KDF (RFC 4253 7.2): IV letter, key letter. */
static int derive_one(struct tp *t, const struct buf *k, const uint8_t *h, size_t h_len,
		      const struct cipher_alg *alg, char iv_letter, char key_letter, int encrypt,
		      struct cipher_ctx **out)
{
	enum hash_alg hash = t->kx.algs.kex->hash;
	uint8_t key[128], iv[64];
	int r;

	if (alg->key_len > sizeof(key) || alg->iv_len > sizeof(iv))
		return ERR_UNSUPPORTED;
	if ((r = kdf_derive(hash, buf_ptr(k), buf_len(k), h, h_len, key_letter, t->session_id,
			    t->sid_len, key, alg->key_len)) != 0)
		goto out;
	if (alg->iv_len > 0 &&
	    (r = kdf_derive(hash, buf_ptr(k), buf_len(k), h, h_len, iv_letter, t->session_id,
			    t->sid_len, iv, alg->iv_len)) != 0)
		goto out;
	r = cipher_ctx_new(alg, encrypt, key, alg->iv_len > 0 ? iv : NULL, out);
out:
	mem_wipe(key, sizeof(key));
	mem_wipe(iv, sizeof(iv));
	return r;
}

/* Set the session id on the first exchange, then derive both directions. */
static int derive_keys(struct tp *t, const struct buf *k, const uint8_t *h, size_t h_len)
{
	struct tp_kex *kx = &t->kx;
	int r;

	if (t->sid_len == 0) {
		memcpy(t->session_id, h, h_len);
		t->sid_len = h_len;
	}
	/* Client to server: IV 'A', key 'C'; server to client: IV 'B', key 'D'. */
	if ((r = derive_one(t, k, h, h_len, kx->algs.c2s, 'A', 'C', !t->server,
			    t->server ? &kx->next_in : &kx->next_out)) != 0 ||
	    (r = derive_one(t, k, h, h_len, kx->algs.s2c, 'B', 'D', t->server,
			    t->server ? &kx->next_out : &kx->next_in)) != 0 ||
	    (r = tp_mac_keys(t, k, h, h_len)) != 0) /* integrity keys 'E'/'F' (packet.c) */
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "key derivation failed");
	return 0;
}

static int send_newkeys(struct tp *t)
{
	uint8_t msg = SSH_MSG_NEWKEYS;
	int r;

	if ((r = tp_pkt_send(t, &msg, 1)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send NEWKEYS");
	log_debug("SSH2_MSG_NEWKEYS sent");
	tp_dir_set_cipher(&t->tx, t->kx.next_out);
	t->kx.next_out = NULL;
	if (t->strict)
		t->tx.seq = 0;
	t->kx.step = TP_KX_WAIT_NEWKEYS;
	t->hold = 0;
	/* RFC 8308 2.4: EXT_INFO goes right after the server's first NEWKEYS. */
	if (t->server && t->kex_count == 0 && t->peer_ext_info && (r = tp_extinfo_send(t)) != 0)
		return r;
	return tp_flush_queue(t);
}

static const struct key *server_hostkey(const struct tp *t, const char *alg)
{
	for (size_t i = 0; i < t->n_hostkeys; i++)
		if (tp_list_has(key_sig_algs(t->hostkeys[i]), alg))
			return t->hostkeys[i];
	return NULL;
}

int tp_kex_server_finish(struct tp *t, uint8_t reply_type, const struct buf *mid,
			 const uint8_t *q_s, size_t q_s_len, const struct buf *k)
{
	struct tp_kex *kx = &t->kx;
	const struct key *hk;
	size_t h_len = 0;
	uint8_t h[HASH_MAX_LEN];
	struct buf ks, sig, m;
	int r;

	buf_init(&ks);
	buf_init(&sig);
	buf_init(&m);
	if ((hk = server_hostkey(t, kx->algs.hostkey_alg)) == NULL) {
		r = tp_fail(t, ERR_NOT_FOUND, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			    "no host key for %s", kx->algs.hostkey_alg);
		goto out;
	}
	if ((r = key_to_blob(hk, &ks)) != 0 ||
	    (r = exchange_hash(t, buf_ptr(&ks), buf_len(&ks), mid, k, h, &h_len)) != 0 ||
	    (r = key_sign(hk, kx->algs.hostkey_alg, h, h_len, &sig)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "cannot sign exchange hash");
		goto out;
	}
	if ((r = derive_keys(t, k, h, h_len)) != 0)
		goto out;
	/* byte reply_type, string K_S, string Q_S (or mpint f: same bytes), string signature */
	if ((r = buf_put_u8(&m, reply_type)) != 0 || (r = buf_put_stringb(&m, &ks)) != 0 ||
	    (r = buf_put_string(&m, q_s, q_s_len)) != 0 || (r = buf_put_stringb(&m, &sig)) != 0 ||
	    (r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m))) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send key exchange reply");
		goto out;
	}
	r = send_newkeys(t);
out:
	mem_wipe(h, sizeof(h));
	buf_free(&ks);
	buf_free(&sig);
	buf_free(&m);
	return r;
}

/* string Q_C || string Q_S (the DH methods' mpints e and f are the same bytes). */
static int ecdh_mid(const struct tp_kex *kx, const uint8_t *qc, size_t qc_len, const uint8_t *qs,
		    size_t qs_len, struct buf *mid)
{
	int r;

	(void)kx;
	if ((r = buf_put_string(mid, qc, qc_len)) != 0 || (r = buf_put_string(mid, qs, qs_len)) != 0)
		return r;
	return 0;
}

static int ecdh_encaps(const struct tp_kex *kx, const uint8_t *qc, size_t qc_len, struct buf *qs,
		       struct buf *k)
{
	return kx->algs.kex->encaps(qc, qc_len, qs, k);
}

/* byte 30 (KEX_ECDH_INIT / KEXDH_INIT), string Q_C (or mpint e) -> byte 31 reply */
static const struct tp_kex_method ecdh_method = {
	.init_name = "KEX_ECDH_INIT",
	.reply_name = "KEX_ECDH_REPLY",
	.reply_type = SSH_MSG_KEX_ECDH_REPLY,
	.encaps = ecdh_encaps,
	.mid = ecdh_mid,
};

/* Server: byte, string Q_C (or mpint e). */
int tp_kex_method_on_init(struct tp *t, const struct tp_kex_method *m, const uint8_t *p, size_t n)
{
	struct tp_kex *kx = &t->kx;
	const uint8_t *qc;
	size_t qc_len;
	struct buf qs, k, mid;
	struct rd rd;
	int r;

	buf_init(&qs);
	buf_init(&k);
	buf_init(&mid);
	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_string(&rd, &qc, &qc_len)) != 0 || (r = rd_end(&rd)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed %s", m->init_name);
		goto out;
	}
	if ((r = m->encaps(kx, qc, qc_len, &qs, &k)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			    "key exchange failed: bad client public value");
		goto out;
	}
	if ((r = m->mid(kx, qc, qc_len, buf_ptr(&qs), buf_len(&qs), &mid)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "out of memory");
		goto out;
	}
	r = tp_kex_server_finish(t, m->reply_type, &mid, buf_ptr(&qs), buf_len(&qs), &k);
out:
	buf_free(&qs);
	buf_free(&k);
	buf_free(&mid);
	return r;
}

int tp_kex_on_ecdh_init(struct tp *t, const uint8_t *p, size_t n)
{
	return tp_kex_method_on_init(t, &ecdh_method, p, n);
}

/* Client: the host key must verify, stay the same across rekeys, and be accepted. */
static int check_hostkey(struct tp *t, struct key *hk, const uint8_t *sig, size_t sig_len,
			 const uint8_t *h, size_t h_len)
{
	const char *alg = t->kx.algs.hostkey_alg;
	int r;

	if (!tp_list_has(key_sig_algs(hk), alg))
		return tp_fail(t, ERR_KEY_TYPE, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "host key type %s does not match negotiated %s", key_type_name(hk),
			       alg);
	if ((r = key_verify(hk, alg, sig, sig_len, h, h_len)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			       "incorrect signature on the exchange hash");
	if (t->first_hostkey != NULL && !key_equal(t->first_hostkey, hk))
		return tp_fail(t, ERR_HOSTKEY_CHANGED, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
			       "Server host key changed during re-exchange");
	if (t->check_hostkey == NULL)
		return tp_fail(t, ERR_HOSTKEY_UNKNOWN, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
			       "Host key verification failed: no verifier configured");
	if ((r = t->check_hostkey(t->arg, hk)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
			       "Host key verification failed.");
	return 0;
}

int tp_kex_client_finish(struct tp *t, const uint8_t *ks, size_t ks_len, const struct buf *mid,
			 const struct buf *k, const uint8_t *sig, size_t sig_len)
{
	size_t h_len = 0;
	uint8_t h[HASH_MAX_LEN];
	struct key *hk = NULL;
	int r;

	if ((r = key_from_blob(ks, ks_len, &hk)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "cannot parse server host key");
		goto out;
	}
	if ((r = exchange_hash(t, ks, ks_len, mid, k, h, &h_len)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "exchange hash failed");
		goto out;
	}
	if ((r = check_hostkey(t, hk, sig, sig_len, h, h_len)) != 0 ||
	    (r = derive_keys(t, k, h, h_len)) != 0)
		goto out;
	if (t->first_hostkey == NULL) {
		t->first_hostkey = hk;
		hk = NULL;
	}
	r = send_newkeys(t);
out:
	mem_wipe(h, sizeof(h));
	key_free(hk);
	return r;
}

/* Client: byte, string K_S, string Q_S (or mpint f), string signature. */
int tp_kex_method_on_reply(struct tp *t, const struct tp_kex_method *m, const uint8_t *p, size_t n)
{
	struct tp_kex *kx = &t->kx;
	const uint8_t *ks, *qs, *sig;
	size_t ks_len, qs_len, sig_len;
	struct buf k, mid;
	struct rd rd;
	int r;

	buf_init(&k);
	buf_init(&mid);
	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_string(&rd, &ks, &ks_len)) != 0 || (r = rd_string(&rd, &qs, &qs_len)) != 0 ||
	    (r = rd_string(&rd, &sig, &sig_len)) != 0 || (r = rd_end(&rd)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed %s", m->reply_name);
		goto out;
	}
	if ((r = kx->algs.kex->decaps(kx->priv, qs, qs_len, &k)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
			    "key exchange failed: bad server public value");
		goto out;
	}
	kx->algs.kex->priv_free(kx->priv);
	kx->priv = NULL;
	if ((r = m->mid(kx, buf_ptr(&kx->q_c), buf_len(&kx->q_c), qs, qs_len, &mid)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "out of memory");
		goto out;
	}
	r = tp_kex_client_finish(t, ks, ks_len, &mid, &k, sig, sig_len);
out:
	buf_free(&k);
	buf_free(&mid);
	return r;
}

int tp_kex_on_ecdh_reply(struct tp *t, const uint8_t *p, size_t n)
{
	return tp_kex_method_on_reply(t, &ecdh_method, p, n);
}

int tp_kex_expected(const struct tp *t)
{
	if (t->kx.gex_expect != 0)
		return t->kx.gex_expect;
	return t->server ? SSH_MSG_KEX_ECDH_INIT : SSH_MSG_KEX_ECDH_REPLY;
}

int tp_kex_on_method(struct tp *t, const uint8_t *p, size_t n)
{
	if (t->kx.gex_expect != 0)
		return tp_gex_on_msg(t, p, n);
	return t->server ? tp_kex_on_ecdh_init(t, p, n) : tp_kex_on_ecdh_reply(t, p, n);
}

int tp_kex_on_newkeys(struct tp *t, const uint8_t *p, size_t n)
{
	(void)p;
	if (n != 1)
		return tp_fail(t, ERR_FORMAT, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed NEWKEYS");
	log_debug("SSH2_MSG_NEWKEYS received");
	tp_dir_set_cipher(&t->rx, t->kx.next_in);
	t->kx.next_in = NULL;
	if (t->strict)
		t->rx.seq = 0;
	tp_kex_done(t);
	return 0;
}
