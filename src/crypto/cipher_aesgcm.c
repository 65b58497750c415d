/*
 * aes128-gcm@openssh.com / aes256-gcm@openssh.com: RFC 5647 with OpenSSH's
 * changes (PROTOCOL section 1.6). The 12-byte IV is a 4-byte fixed field and
 * an 8-byte invocation counter incremented as a 64-bit big-endian integer
 * after every packet (RFC 5647 section 7.1); the sequence number is unused.
 * packet_length is sent in clear as AAD; the rest is encrypted.
 */
#include "crypto/crypto_int.h"
#include "crypto/crypto_kat.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16

struct aesgcm {
	EVP_CIPHER_CTX *ctx;
	uint8_t iv[GCM_IV_LEN];
	int encrypt;
};

static void gcm_iv_increment(uint8_t iv[GCM_IV_LEN])
{
	for (int i = GCM_IV_LEN - 1; i >= 4; i--)
		if (++iv[i] != 0)
			break;
}

static void gcm_free(void *state)
{
	struct aesgcm *g = state;

	if (g == NULL)
		return;
	EVP_CIPHER_CTX_free(g->ctx);
	mem_free_secret(g, sizeof(*g));
}

static int gcm_init(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		    const uint8_t *iv, void **state)
{
	const EVP_CIPHER *evp;
	struct aesgcm *g;
	int r = ERR_CRYPTO;

	if (alg->key_len == 16)
		evp = EVP_aes_128_gcm();
	else if (alg->key_len == 32)
		evp = EVP_aes_256_gcm();
	else
		return ERR_INVALID_ARG;
	if (alg->iv_len != GCM_IV_LEN)
		return ERR_INVALID_ARG;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ERR_ALLOC;
	g->encrypt = encrypt ? 1 : 0;
	memcpy(g->iv, iv, GCM_IV_LEN);
	if ((g->ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_CipherInit_ex(g->ctx, evp, NULL, NULL, NULL, g->encrypt) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_IV_LEN, NULL) != 1)
		goto out;
	if (EVP_CipherInit_ex(g->ctx, NULL, NULL, key, NULL, g->encrypt) != 1)
		goto out;
	*state = g;
	g = NULL;
	r = 0;
out:
	gcm_free(g);
	return r;
}

static int gcm_peek_length(void *state, uint32_t seq, const uint8_t *pkt, uint32_t *len)
{
	(void)state;
	(void)seq;
	*len = get_u32be(pkt);
	return 0;
}

/* Set the IV, feed the AAD, run the body through in place. */
static int gcm_run(struct aesgcm *g, const uint8_t *aad, size_t aad_len, uint8_t *body,
		   size_t len)
{
	int outl;

	if (aad_len > INT_MAX)
		return ERR_TOO_LARGE;
	if (EVP_CipherInit_ex(g->ctx, NULL, NULL, NULL, g->iv, g->encrypt) != 1)
		return ERR_CRYPTO;
	if (aad_len > 0 && EVP_CipherUpdate(g->ctx, NULL, &outl, aad, (int)aad_len) != 1)
		return ERR_CRYPTO;
	while (len > 0) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;

		if (EVP_CipherUpdate(g->ctx, body, &outl, body, chunk) != 1 || outl != chunk)
			return ERR_CRYPTO;
		body += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

/* A packet: the 4-byte length is the AAD, the rest is encrypted. */
static int gcm_body(struct aesgcm *g, uint8_t *pkt, size_t len)
{
	return gcm_run(g, pkt, 4, pkt + 4, len - 4);
}

static int gcm_seal(void *state, uint32_t seq, uint8_t *pkt, size_t len)
{
	struct aesgcm *g = state;
	int outl, r;

	(void)seq;
	if (!g->encrypt)
		return ERR_BAD_STATE;
	if ((r = gcm_body(g, pkt, len)) != 0)
		return r;
	if (EVP_CipherFinal_ex(g->ctx, pkt + len, &outl) != 1 || outl != 0)
		return ERR_CRYPTO;
	if (EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, pkt + len) != 1)
		return ERR_CRYPTO;
	gcm_iv_increment(g->iv);
	return 0;
}

static int gcm_open(void *state, uint32_t seq, uint8_t *pkt, size_t len)
{
	struct aesgcm *g = state;
	uint8_t tag[GCM_TAG_LEN], dummy[GCM_TAG_LEN];
	int outl, r;

	(void)seq;
	if (g->encrypt)
		return ERR_BAD_STATE;
	memcpy(tag, pkt + len, GCM_TAG_LEN);
	if ((r = gcm_body(g, pkt, len)) != 0)
		return r;
	if (EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, tag) != 1)
		return ERR_CRYPTO;
	if (EVP_CipherFinal_ex(g->ctx, dummy, &outl) == 1) {
		gcm_iv_increment(g->iv);
		return 0;
	}
	/*
	 * OpenSSL only checks the tag after decrypting in place. GCM's
	 * keystream is a plain XOR, so running the same IV over the body again
	 * restores the ciphertext and the caller never sees unauthenticated
	 * plaintext; if even that fails, wipe it.
	 */
	if (gcm_body(g, pkt, len) != 0)
		mem_wipe(pkt + 4, len - 4);
	return ERR_MAC;
}

const struct cipher_ops cipher_aesgcm_ops = {
	.init = gcm_init,
	.free = gcm_free,
	.peek_length = gcm_peek_length,
	.seal = gcm_seal,
	.open = gcm_open,
};

/* General AES-GCM seal with the same calls as the packet path (NIST/McGrew-Viega tests). */
int crypto_kat_aes_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv,
			    const uint8_t *aad, size_t aad_len, uint8_t *data, size_t n,
			    uint8_t *tag)
{
	struct cipher_alg alg = { "kat", key_len, GCM_IV_LEN, 16, GCM_TAG_LEN,
				  CIPHER_KIND_AESGCM };
	uint8_t dummy[GCM_TAG_LEN];
	void *state = NULL;
	int outl, r;

	if ((r = gcm_init(&alg, 1, key, iv, &state)) != 0)
		return r;
	if ((r = gcm_run(state, aad, aad_len, data, n)) != 0)
		goto out;
	r = ERR_CRYPTO;
	if (EVP_CipherFinal_ex(((struct aesgcm *)state)->ctx, dummy, &outl) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(((struct aesgcm *)state)->ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN,
				tag) != 1)
		goto out;
	r = 0;
out:
	gcm_free(state);
	return r;
}
