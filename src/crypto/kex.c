/* Key exchange table: every method is a KEM-shaped row (crypto.h). */
#include "crypto/crypto_int.h"

#include <string.h>

static const struct kex_alg kex_table[] = {
	/* RFC 8731; the @libssh.org name is the pre-standard alias of the same method. */
	{ "curve25519-sha256", HASH_SHA256, kex_x25519_keypair, kex_x25519_encaps,
	  kex_x25519_decaps, kex_x25519_priv_free },
	{ "curve25519-sha256@libssh.org", HASH_SHA256, kex_x25519_keypair, kex_x25519_encaps,
	  kex_x25519_decaps, kex_x25519_priv_free },
};

#define KEX_LIST "curve25519-sha256,curve25519-sha256@libssh.org"

const struct kex_alg *kex_alg_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(kex_table) / sizeof(kex_table[0]); i++)
		if (strcmp(kex_table[i].name, name) == 0)
			return &kex_table[i];
	return NULL;
}

const char *kex_default_list(void)
{
	return KEX_LIST;
}

const char *kex_supported_list(void)
{
	return KEX_LIST;
}
