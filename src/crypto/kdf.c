/*
 * RFC 4253 section 7.2 key derivation via OpenSSL 3's "SSHKDF", which takes
 * K exactly as it is hashed (the wire encoding), so k_enc is passed unchanged.
 */
#include "crypto/crypto_int.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "util/err.h"

int kdf_derive(enum hash_alg alg, const uint8_t *k_enc, size_t k_len, const uint8_t *h,
	       size_t h_len, char letter, const uint8_t *session_id, size_t sid_len,
	       uint8_t *out, size_t out_len)
{
	const char *md = crypto_hash_name(alg);
	char type[2] = { letter, '\0' };
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[6], *p = params;
	int r = ERR_CRYPTO;

	if (md == NULL || letter < 'A' || letter > 'F' || out_len == 0)
		return ERR_INVALID_ARG;
	if (k_len == 0 || h_len == 0 || sid_len == 0)
		return ERR_INVALID_ARG;
	if ((kdf = EVP_KDF_fetch(NULL, "SSHKDF", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)k_enc, k_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SSHKDF_XCGHASH, (void *)h,
						 h_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SSHKDF_SESSION_ID,
						 (void *)session_id, sid_len);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_SSHKDF_TYPE, type, 0);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, out_len, params) != 1)
		goto out;
	r = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return r;
}
