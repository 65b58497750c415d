/*
 * curve25519-sha256 (RFC 8731) via EVP_PKEY X25519. Q_C and Q_S are the
 * 32-byte raw public keys; K is the 32-byte X25519 output read as an
 * unsigned big-endian number and encoded as an mpint (RFC 8731 section 3.1).
 */
#include "crypto/crypto_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define X25519_LEN 32

int kex_x25519_generate(EVP_PKEY **out, struct buf *pub)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t raw[X25519_LEN];
	size_t rlen = sizeof(raw);
	int r = ERR_CRYPTO;

	if ((pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_keygen_init(pctx) != 1 || EVP_PKEY_keygen(pctx, &pkey) != 1)
		goto out;
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &rlen) != 1 || rlen != X25519_LEN)
		goto out;
	if ((r = buf_put(pub, raw, rlen)) != 0)
		goto out;
	*out = pkey;
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(pctx);
	return r;
}

/* Derive with our key and the peer's raw public value (all-zero output refused). */
int kex_x25519_raw_shared(EVP_PKEY *priv, const uint8_t *peer_raw, size_t peer_len,
			  uint8_t out[32])
{
	static const uint8_t zero[X25519_LEN];
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	uint8_t secret[X25519_LEN];
	size_t slen = sizeof(secret);
	int r = ERR_FORMAT;

	if (peer_len != X25519_LEN)
		goto out;
	r = ERR_CRYPTO;
	if ((peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_raw,
						peer_len)) == NULL)
		goto out;
	if ((dctx = EVP_PKEY_CTX_new(priv, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_derive_init(dctx) != 1 || EVP_PKEY_derive_set_peer(dctx, peer) != 1)
		goto out;
	/* OpenSSL itself fails on an all-zero output; check anyway (RFC 7748 section 6.1). */
	if (EVP_PKEY_derive(dctx, secret, &slen) != 1 || slen != X25519_LEN)
		goto out;
	if (mem_equal_ct(secret, zero, sizeof(secret)))
		goto out;
	memcpy(out, secret, sizeof(secret));
	r = 0;
out:
	mem_wipe(secret, sizeof(secret));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer);
	return r;
}

/* K is the X25519 output read as a big-endian number, as an mpint (RFC 8731 3.1). */
static int x25519_shared(EVP_PKEY *priv, const uint8_t *peer_raw, size_t peer_len,
			 struct buf *k_enc)
{
	uint8_t secret[X25519_LEN];
	int r;

	if ((r = kex_x25519_raw_shared(priv, peer_raw, peer_len, secret)) != 0)
		return r;
	r = buf_put_mpint_bytes(k_enc, secret, sizeof(secret));
	mem_wipe(secret, sizeof(secret));
	return r;
}

int kex_x25519_keypair(struct kex_priv **priv, struct buf *q_c)
{
	struct kex_priv *p;
	int r;

	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((r = kex_x25519_generate(&p->pkey, q_c)) != 0) {
		kex_priv_free(p);
		return r;
	}
	*priv = p;
	return 0;
}

int kex_x25519_keypair_from_raw(const uint8_t *sk, size_t n, struct kex_priv **priv,
				struct buf *pub)
{
	struct kex_priv *p;
	uint8_t raw[X25519_LEN];
	size_t rlen = sizeof(raw);
	int r = ERR_CRYPTO;

	if (n != X25519_LEN)
		return ERR_INVALID_ARG;
	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((p->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, n)) == NULL)
		goto out;
	if (EVP_PKEY_get_raw_public_key(p->pkey, raw, &rlen) != 1 || rlen != X25519_LEN)
		goto out;
	if ((r = buf_put(pub, raw, rlen)) != 0)
		goto out;
	*priv = p;
	p = NULL;
out:
	kex_x25519_priv_free(p);
	return r;
}

int kex_x25519_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	EVP_PKEY *eph = NULL;
	struct buf pub, k;
	int r;

	buf_init(&pub);
	buf_init(&k);
	if (q_c_len != X25519_LEN) {
		r = ERR_FORMAT;
		goto out;
	}
	if ((r = kex_x25519_generate(&eph, &pub)) != 0)
		goto out;
	if ((r = x25519_shared(eph, q_c, q_c_len, &k)) != 0)
		goto out;
	/* Append to the caller's buffers only when everything worked. */
	r = kex_encaps_put(&pub, &k, q_s, k_enc);
out:
	EVP_PKEY_free(eph);
	buf_free(&pub);
	buf_free(&k);
	return r;
}

int kex_x25519_decaps(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len,
		      struct buf *k_enc)
{
	if (priv == NULL || priv->pkey == NULL)
		return ERR_INVALID_ARG;
	return x25519_shared(priv->pkey, q_s, q_s_len, k_enc);
}

void kex_x25519_priv_free(struct kex_priv *priv)
{
	kex_priv_free(priv);
}
