/*
 * HMAC packet MACs (RFC 4253 section 6.4, RFC 6668; the -etm@openssh.com
 * forms of OpenSSH PROTOCOL 1.7 differ only in what they cover, which is
 * cipher.c's business). One EVP_MAC context per direction: the key is set
 * once and each packet re-initialises the context with the same key, so
 * nothing is allocated per packet.
 */
#include "crypto/crypto_int.h"
#include "crypto/crypto_kat.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

/* Key length = digest length (RFC 4253 6.4, RFC 6668 2). */
static const struct mac_alg mac_table[] = {
	{ "hmac-sha2-256-etm@openssh.com", HASH_SHA256, 32, 32, 1 },
	{ "hmac-sha2-512-etm@openssh.com", HASH_SHA512, 64, 64, 1 },
	{ "hmac-sha1-etm@openssh.com", HASH_SHA1, 20, 20, 1 },
	{ "hmac-sha2-256", HASH_SHA256, 32, 32, 0 },
	{ "hmac-sha2-512", HASH_SHA512, 64, 64, 0 },
	{ "hmac-sha1", HASH_SHA1, 20, 20, 0 },
};

/* OpenSSH 9.2's default MACs order without the umac family (not in libcrypto). */
#define MAC_LIST                                                                   \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"             \
	"hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"

struct mac_ctx {
	const struct mac_alg *alg;
	EVP_MAC_CTX *ctx;
};

const struct mac_alg *mac_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(mac_table) / sizeof(mac_table[0]); i++)
		if (strcmp(mac_table[i].name, name) == 0)
			return &mac_table[i];
	return NULL;
}

const char *mac_default_list(void)
{
	return MAC_LIST;
}

const char *mac_supported_list(void)
{
	return MAC_LIST;
}

void mac_ctx_free(struct mac_ctx *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->ctx); /* clears the HMAC key state */
	mem_free_secret(m, sizeof(*m));
}

int mac_ctx_new(const struct mac_alg *alg, const uint8_t *key, struct mac_ctx **out)
{
	const char *digest;
	struct mac_ctx *m;
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2];
	int r = ERR_CRYPTO;

	if (alg == NULL || key == NULL || alg->key_len == 0)
		return ERR_INVALID_ARG;
	if ((digest = crypto_hash_name(alg->hash)) == NULL ||
	    hash_len(alg->hash) != alg->mac_len)
		return ERR_INVALID_ARG;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ERR_ALLOC;
	m->alg = alg;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto out;
	if ((m->ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(m->ctx, key, alg->key_len, params) != 1)
		goto out;
	*out = m;
	m = NULL;
	r = 0;
out:
	EVP_MAC_free(mac); /* the context keeps its own reference */
	mac_ctx_free(m);
	return r;
}

const struct mac_alg *mac_ctx_alg(const struct mac_ctx *m)
{
	return m->alg;
}

/* MAC over prefix (may be empty) || data, the key kept from mac_ctx_new. */
static int mac_run(struct mac_ctx *m, const uint8_t *prefix, size_t plen, const uint8_t *data,
		   size_t n, uint8_t *out)
{
	size_t olen = 0;

	/* NULL key: restart with the key already set (OpenSSL 3 EVP_MAC_init). */
	if (EVP_MAC_init(m->ctx, NULL, 0, NULL) != 1)
		return ERR_CRYPTO;
	if (plen > 0 && EVP_MAC_update(m->ctx, prefix, plen) != 1)
		return ERR_CRYPTO;
	if (n > 0 && EVP_MAC_update(m->ctx, data, n) != 1)
		return ERR_CRYPTO;
	if (EVP_MAC_final(m->ctx, out, &olen, m->alg->mac_len) != 1 || olen != m->alg->mac_len)
		return ERR_CRYPTO;
	return 0;
}

int mac_compute(struct mac_ctx *m, uint32_t seq, const uint8_t *data, size_t n, uint8_t *out)
{
	uint8_t s[4];

	put_u32be(s, seq);
	return mac_run(m, s, sizeof(s), data, n, out);
}

int mac_check(struct mac_ctx *m, uint32_t seq, const uint8_t *data, size_t n,
	      const uint8_t *tag)
{
	uint8_t calc[HASH_MAX_LEN];
	int r;

	if ((r = mac_compute(m, seq, data, n, calc)) != 0)
		goto out;
	r = CRYPTO_memcmp(calc, tag, m->alg->mac_len) == 0 ? 0 : ERR_MAC;
out:
	mem_wipe(calc, sizeof(calc));
	return r;
}

int crypto_kat_mac_raw(struct mac_ctx *m, const uint8_t *data, size_t n, uint8_t *out)
{
	return mac_run(m, NULL, 0, data, n, out);
}
