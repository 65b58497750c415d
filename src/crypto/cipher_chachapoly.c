/*
 * chacha20-poly1305@openssh.com, as specified in OpenSSH's
 * PROTOCOL.chacha20poly1305: 64 bytes of key, K_2 = first 32 (payload),
 * K_1 = last 32 (length). Nonce = sequence number as uint64 big-endian.
 * OpenSSL's EVP_chacha20() IV is a 32-bit little-endian block counter
 * followed by a 96-bit nonce; writing counter64 LE || seqnr64 BE gives the
 * same keystream as the original 64/64 layout while the counter is < 2^32.
 */
#include "crypto/crypto_int.h"
#include "crypto/crypto_kat.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define CP_KEY_LEN 32
#define CP_TAG_LEN 16
#define CP_IV_LEN 16

struct chachapoly {
	EVP_CIPHER_CTX *main_ctx; /* K_2: Poly1305 key and payload */
	EVP_CIPHER_CTX *hdr_ctx;  /* K_1: packet length */
	EVP_MAC *mac;
	EVP_MAC_CTX *mac_ctx;
};

static void cp_iv(uint8_t iv[CP_IV_LEN], uint32_t counter, uint32_t seq)
{
	memset(iv, 0, CP_IV_LEN);
	/* block counter, little-endian */
	iv[0] = (uint8_t)counter;
	iv[1] = (uint8_t)(counter >> 8);
	iv[2] = (uint8_t)(counter >> 16);
	iv[3] = (uint8_t)(counter >> 24);
	/* bytes 8..15: seqnr as uint64 big-endian; the top 32 bits are zero */
	put_u32be(iv + 12, seq);
}

/* ChaCha20 over n bytes with a full 16-byte EVP IV (in may equal out). */
static int cp_run(EVP_CIPHER_CTX *ctx, const uint8_t iv[CP_IV_LEN], const uint8_t *in,
		  uint8_t *out, size_t n)
{
	int outl;

	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1)
		return ERR_CRYPTO;
	while (n > 0) {
		int chunk = n > (1u << 30) ? (1 << 30) : (int)n;

		if (EVP_EncryptUpdate(ctx, out, &outl, in, chunk) != 1 || outl != chunk)
			return ERR_CRYPTO;
		in += chunk;
		out += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* Run ChaCha20 from the given block counter with nonce seq. */
static int cp_xor(EVP_CIPHER_CTX *ctx, uint32_t counter, uint32_t seq, const uint8_t *in,
		  uint8_t *out, size_t n)
{
	uint8_t iv[CP_IV_LEN];

	cp_iv(iv, counter, seq);
	return cp_run(ctx, iv, in, out, n);
}

/* One Poly1305 computation with a fresh one-time key. */
static int cp_poly(EVP_MAC_CTX *mac_ctx, const uint8_t key[CP_KEY_LEN], const uint8_t *data,
		   size_t n, uint8_t tag[CP_TAG_LEN])
{
	size_t tlen = 0;

	if (EVP_MAC_init(mac_ctx, key, CP_KEY_LEN, NULL) != 1)
		return ERR_CRYPTO;
	if (EVP_MAC_update(mac_ctx, data, n) != 1)
		return ERR_CRYPTO;
	if (EVP_MAC_final(mac_ctx, tag, &tlen, CP_TAG_LEN) != 1 || tlen != CP_TAG_LEN)
		return ERR_CRYPTO;
	return 0;
}

/* Tag = Poly1305(key = first 32 bytes of ChaCha20(K_2, seq, 0), data). */
static int cp_tag(struct chachapoly *cp, uint32_t seq, const uint8_t *data, size_t n,
		  uint8_t tag[CP_TAG_LEN])
{
	static const uint8_t zero[CP_KEY_LEN];
	uint8_t polykey[CP_KEY_LEN];
	int r;

	if ((r = cp_xor(cp->main_ctx, 0, seq, zero, polykey, sizeof(polykey))) != 0)
		goto out;
	r = cp_poly(cp->mac_ctx, polykey, data, n, tag);
out:
	mem_wipe(polykey, sizeof(polykey));
	return r;
}

static void cp_free(void *state)
{
	struct chachapoly *cp = state;

	if (cp == NULL)
		return;
	/* The _free calls cleanse the key schedules. */
	EVP_CIPHER_CTX_free(cp->main_ctx);
	EVP_CIPHER_CTX_free(cp->hdr_ctx);
	EVP_MAC_CTX_free(cp->mac_ctx);
	EVP_MAC_free(cp->mac);
	mem_free_secret(cp, sizeof(*cp));
}

static int cp_init(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		   const uint8_t *iv, void **state)
{
	struct chachapoly *cp;
	int r = ERR_CRYPTO;

	(void)encrypt; /* a stream cipher: the same operation both ways */
	(void)iv;
	if (alg->key_len != 2 * CP_KEY_LEN)
		return ERR_INVALID_ARG;
	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		return ERR_ALLOC;
	if ((cp->main_ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    (cp->hdr_ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_EncryptInit_ex(cp->main_ctx, EVP_chacha20(), NULL, key, NULL) != 1 ||
	    EVP_EncryptInit_ex(cp->hdr_ctx, EVP_chacha20(), NULL, key + CP_KEY_LEN, NULL) != 1)
		goto out;
	if ((cp->mac = EVP_MAC_fetch(NULL, "POLY1305", NULL)) == NULL)
		goto out;
	if ((cp->mac_ctx = EVP_MAC_CTX_new(cp->mac)) == NULL)
		goto out;
	*state = cp;
	cp = NULL;
	r = 0;
out:
	cp_free(cp);
	return r;
}

static int cp_peek_length(void *state, uint32_t seq, const uint8_t *pkt, uint32_t *len)
{
	struct chachapoly *cp = state;
	uint8_t plain[4];
	int r;

	if ((r = cp_xor(cp->hdr_ctx, 0, seq, pkt, plain, sizeof(plain))) != 0)
		return r;
	*len = get_u32be(plain);
	return 0;
}

static int cp_seal(void *state, uint32_t seq, uint8_t *pkt, size_t len)
{
	struct chachapoly *cp = state;
	int r;

	if ((r = cp_xor(cp->hdr_ctx, 0, seq, pkt, pkt, 4)) != 0)
		return r;
	if ((r = cp_xor(cp->main_ctx, 1, seq, pkt + 4, pkt + 4, len - 4)) != 0)
		return r;
	return cp_tag(cp, seq, pkt, len, pkt + len);
}

static int cp_open(void *state, uint32_t seq, uint8_t *pkt, size_t len)
{
	struct chachapoly *cp = state;
	uint8_t tag[CP_TAG_LEN];
	int r;

	/* Authenticate the ciphertext before touching it. */
	if ((r = cp_tag(cp, seq, pkt, len, tag)) != 0)
		return r;
	if (!mem_equal_ct(tag, pkt + len, CP_TAG_LEN))
		return ERR_MAC;
	if ((r = cp_xor(cp->hdr_ctx, 0, seq, pkt, pkt, 4)) != 0)
		return r;
	return cp_xor(cp->main_ctx, 1, seq, pkt + 4, pkt + 4, len - 4);
}

const struct cipher_ops cipher_chachapoly_ops = {
	.init = cp_init,
	.free = cp_free,
	.peek_length = cp_peek_length,
	.seal = cp_seal,
	.open = cp_open,
};

/* RFC 8439 layout: 32-bit little-endian block counter, then the 96-bit nonce. */
int crypto_kat_chacha20(const uint8_t *key, uint32_t counter, const uint8_t *nonce,
			const uint8_t *in, uint8_t *out, size_t n)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t iv[CP_IV_LEN];
	int r = ERR_CRYPTO;

	iv[0] = (uint8_t)counter;
	iv[1] = (uint8_t)(counter >> 8);
	iv[2] = (uint8_t)(counter >> 16);
	iv[3] = (uint8_t)(counter >> 24);
	memcpy(iv + 4, nonce, 12);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return ERR_ALLOC;
	if (EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, key, NULL) == 1)
		r = cp_run(ctx, iv, in, out, n);
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int crypto_kat_poly1305(const uint8_t *key, const uint8_t *data, size_t n, uint8_t *tag)
{
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	int r = ERR_CRYPTO;

	if ((mac = EVP_MAC_fetch(NULL, "POLY1305", NULL)) == NULL)
		return ERR_CRYPTO;
	if ((ctx = EVP_MAC_CTX_new(mac)) != NULL)
		r = cp_poly(ctx, key, data, n, tag);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}
