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
/*
 * Random bytes for packet padding (n <= 255), served from a small pool that
 * is refilled from the CSPRNG: one RAND_bytes call per many packets instead of
 * one (with its fork check) per packet. Padding is never a secret.
 */
int crypto_random_padding(void *p, size_t n);

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
 * bcrypt_pbkdf (OpenBSD bcrypt_pbkdf(3)), the KDF of encrypted OpenSSH
 * private keys (PROTOCOL.key). Writes key_len (1..1024) bytes.
 */
int bcrypt_pbkdf(const char *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
		 uint32_t rounds, uint8_t *key, size_t key_len);

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
 * ---- MACs: RFC 4253 6.4, RFC 6668, OpenSSH PROTOCOL 1.7 (-etm@openssh.com) ----
 * HMAC over uint32 seq || packet. Plain MACs cover the cleartext packet
 * (encrypt-and-MAC); ETM MACs cover seq || length || ciphertext, the length
 * being sent in clear.
 */
struct mac_alg {
	const char *name;
	enum hash_alg hash;
	size_t key_len; /* bytes of integrity key to derive */
	size_t mac_len; /* bytes appended to each packet */
	int etm;        /* encrypt-then-MAC */
};
const struct mac_alg *mac_by_name(const char *name);
const char *mac_default_list(void);
const char *mac_supported_list(void);

struct mac_ctx;
/* The key is set once; each packet re-initialises the context without re-keying. */
int mac_ctx_new(const struct mac_alg *alg, const uint8_t *key, struct mac_ctx **out);
void mac_ctx_free(struct mac_ctx *m);
const struct mac_alg *mac_ctx_alg(const struct mac_ctx *m);
/* out (mac_len bytes) = MAC(uint32 seq || data). */
int mac_compute(struct mac_ctx *m, uint32_t seq, const uint8_t *data, size_t n, uint8_t *out);
/* Constant-time check of tag against MAC(seq || data): 0 or ERR_MAC. */
int mac_check(struct mac_ctx *m, uint32_t seq, const uint8_t *data, size_t n,
	      const uint8_t *tag);

/*
 * A non-AEAD cipher (aes*-ctr) protects packets only together with a MAC:
 * attach one (the context keeps its own copy of the key). AEAD ciphers
 * refuse (ERR_INVALID_ARG): their MAC is implicit.
 * With a MAC attached, cipher_seal/cipher_open/cipher_peek_length do the
 * whole RFC 4253 / PROTOCOL 1.7 construction and the tag is the MAC.
 */
int cipher_ctx_set_mac(struct cipher_ctx *c, const struct mac_alg *mac, const uint8_t *key);
/* Name of the attached MAC, "<implicit>" for AEAD ciphers, "none" if none attached. */
const char *cipher_ctx_mac_name(const struct cipher_ctx *c);
/* Bytes after each packet: the AEAD tag or the MAC. */
size_t cipher_ctx_tag_len(const struct cipher_ctx *c);
/*
 * 1 if packet_length is outside the padded, block-aligned part (AEAD, ETM),
 * 0 if the whole packet including the length is a multiple of the block
 * size (encrypt-and-MAC, RFC 4253 6).
 */
int cipher_ctx_len_separate(const struct cipher_ctx *c);
/* Bytes cipher_peek_length needs at pkt: 4, or a whole block when the length is encrypted with it. */
size_t cipher_ctx_peek_bytes(const struct cipher_ctx *c);

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
	/*
	 * 1 for diffie-hellman-group-exchange (RFC 4419): the group is agreed in
	 * messages of its own first, so keypair/encaps are NULL and the
	 * kex_dh_group_*() functions below are used instead; decaps works as above.
	 */
	int group_exchange;
};
const struct kex_alg *kex_alg_by_name(const char *name);
const char *kex_default_list(void);
const char *kex_supported_list(void);
/* X25519 keypair from a fixed 32-byte private scalar (known-answer tests only). */
int kex_x25519_keypair_from_raw(const uint8_t *sk, size_t n, struct kex_priv **priv,
				struct buf *pub);

/*
 * ---- finite-field Diffie-Hellman groups (RFC 4419 group exchange) ----
 * For DH methods Q_C/Q_S (e and f) are carried as the body of an mpint: the
 * transport writes them as strings, which is the same bytes as an mpint.
 */
struct kex_dh_group;
/* p and g as unsigned big-endian magnitudes; checks p odd, 1 < g < p-1. */
int kex_dh_group_new(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
		     struct kex_dh_group **out);
/* The RFC 3526 group of exactly `bits` bits (2048, 4096 or 8192), generator 2. */
int kex_dh_group_modp(unsigned bits, struct kex_dh_group **out);
void kex_dh_group_free(struct kex_dh_group *grp);
unsigned kex_dh_group_bits(const struct kex_dh_group *grp);
/* Append mpint p then mpint g (the GEX_GROUP body and the exchange hash). */
int kex_dh_group_put(const struct kex_dh_group *grp, struct buf *out);
/* The KEM operations of crypto.h over an explicit group. */
int kex_dh_group_keypair(const struct kex_dh_group *grp, struct kex_priv **priv,
			 struct buf *q_c);
int kex_dh_group_encaps(const struct kex_dh_group *grp, const uint8_t *q_c, size_t q_c_len,
			struct buf *q_s, struct buf *k_enc);
/* Keypair from a fixed private exponent (known-answer tests only). */
int kex_dh_group_keypair_from_raw(const struct kex_dh_group *grp, const uint8_t *x, size_t n,
				  struct kex_priv **priv, struct buf *q_c);
/*
 * ECDH keypair (kex_name "ecdh-sha2-nistp256/384/521") from a fixed private
 * scalar and its public point (known-answer tests only: libcrypto 3.0 does not
 * derive the point on import). pub is the uncompressed point.
 */
int kex_ecdh_keypair_from_raw(const char *kex_name, const uint8_t *sk, size_t sk_len,
			      const uint8_t *pub, size_t pub_len, struct kex_priv **priv);

#endif
