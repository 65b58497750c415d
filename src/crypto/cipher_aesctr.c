/*
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 section 4): AES in counter
 * mode with the derived IV as the initial 128-bit big-endian counter. One
 * EVP context per direction lives as long as the keys, so the counter runs
 * on across packets. The MAC and the packet layout are cipher.c's.
 */
#include "crypto/crypto_int.h"

#include <limits.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/mem.h"

#define CTR_IV_LEN 16

struct aesctr {
	EVP_CIPHER_CTX *ctx;
};

static void ctr_free(void *state)
{
	struct aesctr *a = state;

	if (a == NULL)
		return;
	EVP_CIPHER_CTX_free(a->ctx); /* wipes the key schedule */
	mem_free_secret(a, sizeof(*a));
}

static int ctr_init(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		    const uint8_t *iv, void **state)
{
	const EVP_CIPHER *evp;
	struct aesctr *a;
	int r = ERR_CRYPTO;

	switch (alg->key_len) {
	case 16: evp = EVP_aes_128_ctr(); break;
	case 24: evp = EVP_aes_192_ctr(); break;
	case 32: evp = EVP_aes_256_ctr(); break;
	default: return ERR_INVALID_ARG;
	}
	if (alg->iv_len != CTR_IV_LEN)
		return ERR_INVALID_ARG;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_ALLOC;
	if ((a->ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_CipherInit_ex(a->ctx, evp, NULL, key, iv, encrypt ? 1 : 0) != 1)
		goto out;
	*state = a;
	a = NULL;
	r = 0;
out:
	ctr_free(a);
	return r;
}

static int ctr_crypt(void *state, uint8_t *p, size_t n)
{
	struct aesctr *a = state;
	int outl;

	while (n > 0) {
		int chunk = n > (1u << 30) ? (1 << 30) : (int)n;

		if (EVP_CipherUpdate(a->ctx, p, &outl, p, chunk) != 1 || outl != chunk)
			return ERR_CRYPTO;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

const struct cipher_ops cipher_aesctr_ops = {
	.init = ctr_init,
	.free = ctr_free,
	.crypt = ctr_crypt,
};
