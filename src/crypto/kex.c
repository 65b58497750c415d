/* Key exchange table: every method is a KEM-shaped row (crypto.h). */
#include "crypto/crypto_int.h"

#include <openssl/bn.h>
#include <stdlib.h>
#include <string.h>

#define KEX_ROW(n, h, kp, en, de) \
	{ .name = (n), .hash = (h), .keypair = (kp), .encaps = (en), .decaps = (de), \
	  .priv_free = kex_priv_free }

/* Names and preference order of OpenSSH 9.2's default KexAlgorithms. */
static const struct kex_alg kex_table[] = {
#ifdef BURROW_HAVE_MLKEM
	/* draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9 */
	KEX_ROW("mlkem768x25519-sha256", HASH_SHA256, kex_mlkem_keypair, kex_mlkem_encaps,
		kex_mlkem_decaps),
#endif
	/* RFC 8731; the @libssh.org name is the pre-standard alias of the same method. */
	KEX_ROW("curve25519-sha256", HASH_SHA256, kex_x25519_keypair, kex_x25519_encaps,
		kex_x25519_decaps),
	KEX_ROW("curve25519-sha256@libssh.org", HASH_SHA256, kex_x25519_keypair,
		kex_x25519_encaps, kex_x25519_decaps),
	/* RFC 5656 section 6.2.1: the hash follows the curve size. */
	KEX_ROW("ecdh-sha2-nistp256", HASH_SHA256, kex_ecdh_p256_keypair, kex_ecdh_p256_encaps,
		kex_ecdh_decaps),
	KEX_ROW("ecdh-sha2-nistp384", HASH_SHA384, kex_ecdh_p384_keypair, kex_ecdh_p384_encaps,
		kex_ecdh_decaps),
	KEX_ROW("ecdh-sha2-nistp521", HASH_SHA512, kex_ecdh_p521_keypair, kex_ecdh_p521_encaps,
		kex_ecdh_decaps),
	/* RFC 4419 with SHA-256 (RFC 4419 section 4.2). */
	{ .name = "diffie-hellman-group-exchange-sha256", .hash = HASH_SHA256,
	  .decaps = kex_dh_decaps, .priv_free = kex_priv_free, .group_exchange = 1 },
	/* RFC 8268 section 3 */
	KEX_ROW("diffie-hellman-group16-sha512", HASH_SHA512, kex_dh16_keypair, kex_dh16_encaps,
		kex_dh_decaps),
	KEX_ROW("diffie-hellman-group18-sha512", HASH_SHA512, kex_dh18_keypair, kex_dh18_encaps,
		kex_dh_decaps),
	KEX_ROW("diffie-hellman-group14-sha256", HASH_SHA256, kex_dh14_keypair, kex_dh14_encaps,
		kex_dh_decaps),
};

#ifdef BURROW_HAVE_MLKEM
#define KEX_PQ "mlkem768x25519-sha256,"
#else
#define KEX_PQ ""
#endif

#define KEX_LIST                                                                        \
	KEX_PQ "curve25519-sha256,curve25519-sha256@libssh.org,"                        \
	       "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"              \
	       "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"    \
	       "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"

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

struct kex_priv *kex_priv_new(void)
{
	return calloc(1, sizeof(struct kex_priv));
}

void kex_priv_free(struct kex_priv *priv)
{
	if (priv == NULL)
		return;
	/* OpenSSL cleanses private keys when freeing them; BN_clear_free wipes x. */
	EVP_PKEY_free(priv->pkey);
	EVP_PKEY_free(priv->kem);
	BN_clear_free(priv->x);
	kex_dh_group_free(priv->grp);
	free(priv);
}

int kex_encaps_put(const struct buf *pub, const struct buf *k, struct buf *q_s,
		   struct buf *k_enc)
{
	int r;

	if ((r = buf_put(q_s, buf_ptr(pub), buf_len(pub))) != 0)
		return r;
	if ((r = buf_put(k_enc, buf_ptr(k), buf_len(k))) != 0)
		buf_consume_end(q_s, buf_len(pub));
	return r;
}
