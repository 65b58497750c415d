/*
 * PEM private keys as ssh-keygen -m PEM / -m PKCS8 writes them ("BEGIN RSA
 * PRIVATE KEY", "BEGIN EC PRIVATE KEY", "BEGIN PRIVATE KEY", "BEGIN
 * ENCRYPTED PRIVATE KEY", legacy "Proc-Type: 4,ENCRYPTED" headers), decoded
 * by OpenSSL's OSSL_DECODER and then held to the same rules as keys from
 * OpenSSH files (our curves only, RSA size limits).
 */
#include "crypto/key_int.h"

#include <openssl/decoder.h>
#include <string.h>

#include "util/err.h"

static int pem_has(const char *text, size_t n, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; nl <= n && i <= n - nl; i++)
		if (memcmp(text + i, needle, nl) == 0)
			return 1;
	return 0;
}

/* The table row for a decoded key, after the checks OpenSSH files get too. */
static int pem_impl(EVP_PKEY *pkey, const struct key_impl **impl)
{
	EVP_PKEY_CTX *chk;
	int r;

	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*impl = &key_impl_ed25519;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		if ((r = key_rsa_check(pkey)) != 0)
			return r;
		*impl = &key_impl_rsa;
		return 0;
	}
	if ((r = key_ecdsa_impl_of(pkey, impl)) != 0)
		return r;
	/* The private scalar must match the stored public point. */
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		return ERR_ALLOC;
	r = EVP_PKEY_pairwise_check(chk) == 1 ? 0 : ERR_FORMAT;
	EVP_PKEY_CTX_free(chk);
	return r;
}

int kf_parse_pem(const char *text, size_t n, const char *passphrase, struct key **out)
{
	const struct key_impl *impl = NULL;
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = (const unsigned char *)text;
	size_t left = n;
	int encrypted, r;

	if (!pem_has(text, n, "-----BEGIN ") || !pem_has(text, n, "PRIVATE KEY-----"))
		return ERR_FORMAT;
	encrypted = pem_has(text, n, "ENCRYPTED");
	/* Never let the decoder prompt: without a passphrase an encrypted key just needs one. */
	if (encrypted && (passphrase == NULL || passphrase[0] == '\0'))
		return ERR_PASSPHRASE;
	if ((dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL, EVP_PKEY_KEYPAIR, NULL,
						  NULL)) == NULL)
		return ERR_CRYPTO;
	if (encrypted &&
	    OSSL_DECODER_CTX_set_passphrase(dctx, (const unsigned char *)passphrase,
					    strlen(passphrase)) != 1) {
		r = ERR_CRYPTO;
		goto out;
	}
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL) {
		/* A wrong passphrase and a corrupt file look alike to the decoder. */
		r = encrypted ? ERR_PASSPHRASE : ERR_FORMAT;
		goto out;
	}
	if ((r = pem_impl(pkey, &impl)) != 0)
		goto out;
	r = key_wrap(impl, pkey, 1, out);
	pkey = NULL; /* key_wrap took it */
out:
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	return r;
}
