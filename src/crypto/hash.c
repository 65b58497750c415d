/* Hashes and HMAC through EVP; the hash ids are those of crypto.h. */
#include "crypto/crypto_int.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "util/err.h"

const EVP_MD *crypto_hash_md(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA1: return EVP_sha1();
	case HASH_SHA256: return EVP_sha256();
	case HASH_SHA384: return EVP_sha384();
	case HASH_SHA512: return EVP_sha512();
	}
	return NULL;
}

const char *crypto_hash_name(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA1: return "SHA1";
	case HASH_SHA256: return "SHA256";
	case HASH_SHA384: return "SHA384";
	case HASH_SHA512: return "SHA512";
	}
	return NULL;
}

size_t hash_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA1: return 20;
	case HASH_SHA256: return 32;
	case HASH_SHA384: return 48;
	case HASH_SHA512: return 64;
	}
	return 0;
}

int hash_digest(enum hash_alg alg, const void *data, size_t n, uint8_t *out)
{
	const EVP_MD *md = crypto_hash_md(alg);
	unsigned int olen = 0;

	if (md == NULL)
		return ERR_INVALID_ARG;
	if (EVP_Digest(data, n, out, &olen, md, NULL) != 1)
		return ERR_CRYPTO;
	if (olen != hash_len(alg))
		return ERR_CRYPTO;
	return 0;
}

int hmac_digest(enum hash_alg alg, const void *key, size_t klen, const void *data, size_t n,
		uint8_t *out)
{
	const char *name = crypto_hash_name(alg);
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t olen = 0;
	/* HMAC with an empty key is legal; OpenSSL wants a non-NULL pointer. */
	static const uint8_t empty[1];
	int r = ERR_CRYPTO;

	if (name == NULL)
		return ERR_INVALID_ARG;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, klen > 0 ? key : empty, klen, params) != 1)
		goto out;
	if (EVP_MAC_update(ctx, data, n) != 1)
		goto out;
	if (EVP_MAC_final(ctx, out, &olen, hash_len(alg)) != 1 || olen != hash_len(alg))
		goto out;
	r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}
