/*
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9),
 * built only when libcrypto provides ML-KEM-768 (OpenSSL >= 3.5; meson
 * defines BURROW_HAVE_MLKEM):
 *   Q_C = ML-KEM-768 encapsulation key (1184) || X25519 public (32)
 *   Q_S = ML-KEM-768 ciphertext (1088)       || X25519 public (32)
 *   K   = SHA-256(K_PQ || K_CL), encoded as a string (not an mpint)
 * with K_PQ the ML-KEM shared secret and K_CL the raw X25519 output.
 */
#include "crypto/crypto_int.h"

#ifdef BURROW_HAVE_MLKEM

#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define MLKEM_PK 1184
#define MLKEM_CT 1088
#define MLKEM_SS 32
#define X25519_LEN 32
#define MLKEM_NAME "ML-KEM-768"

/* K = SHA-256(K_PQ || K_CL) as a string. */
static int hybrid_k(const uint8_t *k_pq, const uint8_t *k_cl, struct buf *k_enc)
{
	uint8_t both[MLKEM_SS + X25519_LEN], h[32];
	int r;

	memcpy(both, k_pq, MLKEM_SS);
	memcpy(both + MLKEM_SS, k_cl, X25519_LEN);
	if ((r = hash_digest(HASH_SHA256, both, sizeof(both), h)) == 0)
		r = buf_put_string(k_enc, h, sizeof(h));
	mem_wipe(both, sizeof(both));
	mem_wipe(h, sizeof(h));
	return r;
}

int kex_mlkem_keypair(struct kex_priv **priv, struct buf *q_c)
{
	struct kex_priv *p;
	uint8_t pk[MLKEM_PK];
	size_t pk_len = sizeof(pk);
	struct buf x;
	int r = ERR_CRYPTO;

	buf_init(&x);
	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((p->kem = EVP_PKEY_Q_keygen(NULL, NULL, MLKEM_NAME)) == NULL)
		goto out;
	if (EVP_PKEY_get_raw_public_key(p->kem, pk, &pk_len) != 1 || pk_len != MLKEM_PK)
		goto out;
	if ((r = kex_x25519_generate(&p->pkey, &x)) != 0)
		goto out;
	if ((r = buf_put(q_c, pk, pk_len)) != 0)
		goto out;
	if ((r = buf_put(q_c, buf_ptr(&x), buf_len(&x))) != 0) {
		buf_consume_end(q_c, pk_len);
		goto out;
	}
	*priv = p;
	p = NULL;
out:
	buf_free(&x);
	kex_priv_free(p);
	return r;
}

int kex_mlkem_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	EVP_PKEY *peer = NULL, *eph = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t ct[MLKEM_CT], k_pq[MLKEM_SS], k_cl[X25519_LEN];
	size_t ct_len = sizeof(ct), ss_len = sizeof(k_pq), before;
	struct buf pub, k;
	int r = ERR_FORMAT;

	buf_init(&pub);
	buf_init(&k);
	if (q_c_len != MLKEM_PK + X25519_LEN)
		goto out;
	/* The encapsulation key import checks its encoding (FIPS 203 7.2). */
	if ((peer = EVP_PKEY_new_raw_public_key_ex(NULL, MLKEM_NAME, NULL, q_c, MLKEM_PK)) ==
	    NULL)
		goto out;
	r = ERR_CRYPTO;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL)) == NULL ||
	    EVP_PKEY_encapsulate_init(ctx, NULL) != 1 ||
	    EVP_PKEY_encapsulate(ctx, ct, &ct_len, k_pq, &ss_len) != 1 || ct_len != MLKEM_CT ||
	    ss_len != MLKEM_SS)
		goto out;
	if ((r = kex_x25519_generate(&eph, &pub)) != 0 ||
	    (r = kex_x25519_raw_shared(eph, q_c + MLKEM_PK, X25519_LEN, k_cl)) != 0 ||
	    (r = hybrid_k(k_pq, k_cl, &k)) != 0)
		goto out;
	/* Append to the caller's buffers only when everything worked. */
	before = buf_len(q_s);
	if ((r = buf_put(q_s, ct, ct_len)) != 0 ||
	    (r = buf_put(q_s, buf_ptr(&pub), buf_len(&pub))) != 0 ||
	    (r = buf_put(k_enc, buf_ptr(&k), buf_len(&k))) != 0)
		buf_consume_end(q_s, buf_len(q_s) - before);
out:
	mem_wipe(k_pq, sizeof(k_pq));
	mem_wipe(k_cl, sizeof(k_cl));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(eph);
	buf_free(&pub);
	buf_free(&k);
	return r;
}

int kex_mlkem_decaps(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len,
		     struct buf *k_enc)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t k_pq[MLKEM_SS], k_cl[X25519_LEN];
	size_t ss_len = sizeof(k_pq);
	int r = ERR_INVALID_ARG;

	if (priv == NULL || priv->kem == NULL || priv->pkey == NULL)
		goto out;
	r = ERR_FORMAT;
	if (q_s_len != MLKEM_CT + X25519_LEN)
		goto out;
	r = ERR_CRYPTO;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->kem, NULL)) == NULL ||
	    EVP_PKEY_decapsulate_init(ctx, NULL) != 1 ||
	    EVP_PKEY_decapsulate(ctx, k_pq, &ss_len, q_s, MLKEM_CT) != 1 || ss_len != MLKEM_SS)
		goto out;
	if ((r = kex_x25519_raw_shared(priv->pkey, q_s + MLKEM_CT, X25519_LEN, k_cl)) != 0)
		goto out;
	r = hybrid_k(k_pq, k_cl, k_enc);
out:
	mem_wipe(k_pq, sizeof(k_pq));
	mem_wipe(k_cl, sizeof(k_cl));
	EVP_PKEY_CTX_free(ctx);
	return r;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int kex_mlkem_absent;
#endif
