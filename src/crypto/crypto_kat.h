/*
 * Raw primitives exposed only so the known-answer tests can drive the exact
 * OpenSSL calls the packet code uses with published vectors (RFC 8439,
 * McGrew-Viega GCM). Not for protocol code: use the cipher_* API.
 */
#ifndef BURROW_CRYPTO_CRYPTO_KAT_H
#define BURROW_CRYPTO_CRYPTO_KAT_H

#include <stddef.h>
#include <stdint.h>

/* ChaCha20 with a 32-byte key, 32-bit block counter and 12-byte nonce (RFC 8439). */
int crypto_kat_chacha20(const uint8_t *key, uint32_t counter, const uint8_t *nonce,
			const uint8_t *in, uint8_t *out, size_t n);
/* Poly1305 with a 32-byte one-time key; writes 16 bytes of tag. */
int crypto_kat_poly1305(const uint8_t *key, const uint8_t *data, size_t n, uint8_t *tag);
/* AES-GCM (16- or 32-byte key, 12-byte IV): encrypt data in place, write a 16-byte tag. */
int crypto_kat_aes_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv,
			    const uint8_t *aad, size_t aad_len, uint8_t *data, size_t n,
			    uint8_t *tag);

struct mac_ctx;
/* The MAC of data alone (no sequence number) through a packet MAC context (RFC 2202/4231). */
int crypto_kat_mac_raw(struct mac_ctx *m, const uint8_t *data, size_t n, uint8_t *out);

#endif
