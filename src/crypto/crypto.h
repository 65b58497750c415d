/*
 * The crypto layer: the only code that includes OpenSSL. Algorithms are table
 * rows looked up by their SSH name. Every construction here has known-answer
 * tests in tests/unit/crypto.
 */
#ifndef BURROW_CRYPTO_CRYPTO_H
#define BURROW_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Fill p with n bytes from the libcrypto CSPRNG; 0 or ERR_CRYPTO. */
int crypto_random(void *p, size_t n);

/* ---- hashes ---- */
enum hash_alg { HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512 };
#define HASH_MAX_LEN 64
size_t hash_len(enum hash_alg alg);
int hash_digest(enum hash_alg alg, const void *data, size_t n, uint8_t *out);
int hmac_digest(enum hash_alg alg, const void *key, size_t klen, const void *data, size_t n,
		uint8_t *out);

/*
 * ---- key derivation, RFC 4253 section 7.2 ----
 * k_enc is the shared secret K already in its wire encoding (mpint for ECDH,
 * string for KEMs), h the exchange hash, letter 'A'..'F'. Writes out_len bytes.
 */
int kdf_derive(enum hash_alg alg, const uint8_t *k_enc, size_t k_len, const uint8_t *h,
	       size_t h_len, char letter, const uint8_t *session_id, size_t sid_len,
	       uint8_t *out, size_t out_len);

/*
 * ---- packet ciphers ----
 * A cipher context protects whole SSH binary packets in place:
 *   pkt = uint32 packet_length || padding_length || payload || padding, then tag_len bytes of tag.
 * For AEAD ciphers the length is sent in clear (AES-GCM, RFC 5647 with OpenSSH's
 * changes, PROTOCOL section 1.6) or encrypted with its own key
 * (chacha20-poly1305@openssh.com, PROTOCOL.chacha20poly1305).
 */
struct cipher_alg {
	const char *name;
	size_t key_len;   /* bytes of key material to derive */
	size_t iv_len;    /* bytes of IV material to derive */
	size_t block_len; /* padding multiple */
	size_t tag_len;   /* bytes of tag appended to each packet */
	int kind;         /* internal: which implementation */
};
const struct cipher_alg *cipher_by_name(const char *name);
/* Comma-separated names we implement, in our default preference order. */
const char *cipher_default_list(void);
const char *cipher_supported_list(void);

struct cipher_ctx;
int cipher_ctx_new(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		   const uint8_t *iv, struct cipher_ctx **out);
void cipher_ctx_free(struct cipher_ctx *c);
const struct cipher_alg *cipher_ctx_alg(const struct cipher_ctx *c);
/* Decrypt (without authenticating) the packet_length from the first 4 bytes of a packet. */
int cipher_peek_length(struct cipher_ctx *c, uint32_t seq, const uint8_t *pkt, uint32_t *len);
/* Encrypt len bytes at pkt (4 + packet_length) in place and write the tag at pkt+len. */
int cipher_seal(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len);
/* Verify the tag at pkt+len (ERR_MAC on mismatch, nothing decrypted) then decrypt in place. */
int cipher_open(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len);

/*
 * ---- key exchange, shaped as a KEM ----
 * Client: keypair() makes an ephemeral and its public value Q_C.
 * Server: encaps(Q_C) makes Q_S and the shared secret.
 * Client: decaps(Q_S) makes the same shared secret.
 * The shared secret is returned in its wire encoding for the exchange hash and KDF.
 */
struct kex_priv;
struct kex_alg {
	const char *name;
	enum hash_alg hash;
	int (*keypair)(struct kex_priv **priv, struct buf *q_c);
	int (*encaps)(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc);
	int (*decaps)(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len, struct buf *k_enc);
	void (*priv_free)(struct kex_priv *priv);
};
const struct kex_alg *kex_alg_by_name(const char *name);
const char *kex_default_list(void);
const char *kex_supported_list(void);
/* X25519 keypair from a fixed 32-byte private scalar (known-answer tests only). */
int kex_x25519_keypair_from_raw(const uint8_t *sk, size_t n, struct kex_priv **priv,
				struct buf *pub);

#endif
