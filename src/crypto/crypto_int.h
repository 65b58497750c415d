/*
 * Internal to src/crypto: shared between the files of this layer only.
 * Includes OpenSSL types, so it must never be included from other layers.
 */
#ifndef BURROW_CRYPTO_CRYPTO_INT_H
#define BURROW_CRYPTO_CRYPTO_INT_H

#include <openssl/evp.h>

#include "crypto/crypto.h"

/* EVP digest for one of our hash ids, NULL if unknown. */
const EVP_MD *crypto_hash_md(enum hash_alg alg);
/* OpenSSL name of the digest ("SHA256") for EVP_MAC / EVP_KDF parameters. */
const char *crypto_hash_name(enum hash_alg alg);

/* cipher_alg.kind values */
enum { CIPHER_KIND_CHACHAPOLY = 1, CIPHER_KIND_AESGCM = 2 };

/*
 * Per-implementation operations; cipher.c dispatches on kind. The state
 * pointer is owned by the implementation and freed (wiped) by its free op.
 */
struct cipher_ops {
	int (*init)(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		    const uint8_t *iv, void **state);
	void (*free)(void *state);
	int (*peek_length)(void *state, uint32_t seq, const uint8_t *pkt, uint32_t *len);
	int (*seal)(void *state, uint32_t seq, uint8_t *pkt, size_t len);
	int (*open)(void *state, uint32_t seq, uint8_t *pkt, size_t len);
};

extern const struct cipher_ops cipher_chachapoly_ops;
extern const struct cipher_ops cipher_aesgcm_ops;

/* X25519 KEX operations (kex_x25519.c), referenced by the table in kex.c. */
int kex_x25519_keypair(struct kex_priv **priv, struct buf *q_c);
int kex_x25519_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc);
int kex_x25519_decaps(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len,
		      struct buf *k_enc);
void kex_x25519_priv_free(struct kex_priv *priv);

#endif
