/*
 * Encrypted OpenSSH private keys (PROTOCOL.key): kdfname "bcrypt" with
 * kdfoptions = string salt || uint32 rounds derives key || IV for the
 * cipher, which encrypts the private section as one message (for AEAD
 * ciphers: no additional data, sequence number 0, the tag follows the
 * encrypted string).
 */
#include "crypto/key_int.h"

#include <openssl/core_names.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/err.h"
#include "util/mem.h"

enum kf_kind { KF_NONE, KF_PLAIN, KF_GCM, KF_CHACHAPOLY };

struct kf_cipher {
	const char *name;
	const char *ossl; /* OpenSSL cipher name */
	size_t key_len, iv_len, block, tag_len;
	enum kf_kind kind;
};

/* Names, key and IV sizes as OpenSSH's cipher table has them. */
static const struct kf_cipher kf_ciphers[] = {
	{ "none", NULL, 0, 0, 8, 0, KF_NONE },
	{ "aes128-ctr", "AES-128-CTR", 16, 16, 16, 0, KF_PLAIN },
	{ "aes192-ctr", "AES-192-CTR", 24, 16, 16, 0, KF_PLAIN },
	{ "aes256-ctr", "AES-256-CTR", 32, 16, 16, 0, KF_PLAIN },
	{ "aes128-cbc", "AES-128-CBC", 16, 16, 16, 0, KF_PLAIN },
	{ "aes192-cbc", "AES-192-CBC", 24, 16, 16, 0, KF_PLAIN },
	{ "aes256-cbc", "AES-256-CBC", 32, 16, 16, 0, KF_PLAIN },
	{ "aes128-gcm@openssh.com", "AES-128-GCM", 16, 12, 16, 16, KF_GCM },
	{ "aes256-gcm@openssh.com", "AES-256-GCM", 32, 12, 16, 16, KF_GCM },
	{ "chacha20-poly1305@openssh.com", "ChaCha20", 64, 0, 8, 16, KF_CHACHAPOLY },
};

#define KF_MAX_KEYIV (64 + 16)
#define KF_MAX_ROUNDS (1u << 20) /* ssh-keygen writes 16; bound the work a file can ask for */
#define KF_CP_KEY 32
#define KF_CP_IV 16

static const struct kf_cipher *kf_cipher(const char *name)
{
	for (size_t i = 0; i < sizeof(kf_ciphers) / sizeof(kf_ciphers[0]); i++)
		if (strcmp(kf_ciphers[i].name, name) == 0)
			return &kf_ciphers[i];
	return NULL;
}

int kf_cipher_sizes(const char *cipher, size_t *block, size_t *tag_len)
{
	const struct kf_cipher *c = kf_cipher(cipher);

	if (c == NULL)
		return ERR_UNSUPPORTED;
	*block = c->block;
	*tag_len = c->tag_len;
	return 0;
}

/* One-shot encryption or decryption with a fetched cipher (no padding). */
static int kf_evp(const struct kf_cipher *c, const uint8_t *key, const uint8_t *iv,
		  const uint8_t *in, size_t n, uint8_t *out, const uint8_t *tag)
{
	EVP_CIPHER *ciph = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl, fin, r = ERR_CRYPTO;

	if (n > INT32_MAX)
		return ERR_TOO_LARGE;
	if ((ciph = EVP_CIPHER_fetch(NULL, c->ossl, NULL)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_DecryptInit_ex2(ctx, ciph, NULL, NULL, NULL) != 1 ||
	    (c->kind == KF_GCM &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)c->iv_len, NULL) != 1) ||
	    EVP_DecryptInit_ex2(ctx, NULL, key, iv, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, out, &outl, in, (int)n) != 1 || (size_t)outl != n)
		goto out;
	if (c->kind == KF_GCM &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, (int)c->tag_len, (void *)tag) != 1)
		goto out;
	/* For GCM, Final is where the tag is checked: a wrong key fails here. */
	if (EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1) {
		r = c->kind == KF_GCM ? ERR_PASSPHRASE : ERR_CRYPTO;
		goto out;
	}
	r = fin == 0 ? 0 : ERR_CRYPTO;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ciph);
	return r;
}

/*
 * chacha20-poly1305@openssh.com on a whole message (PROTOCOL.chacha20poly1305
 * with no length header): K_2 = first 32 key bytes, nonce = seq 0; the
 * Poly1305 key is keystream block 0, the payload uses blocks 1 onwards.
 * EVP's 16-byte ChaCha20 IV is a 32-bit LE block counter then the nonce.
 */
static int kf_chachapoly(const struct kf_cipher *c, const uint8_t *key, const uint8_t *in,
			 size_t n, uint8_t *out, const uint8_t *tag)
{
	static const uint8_t zero[KF_CP_KEY];
	uint8_t iv[KF_CP_IV] = { 0 }, poly_key[KF_CP_KEY], mac[16];
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *mctx = NULL;
	size_t mac_len = 0;
	int r;

	/* Block 0: Poly1305 key. */
	if ((r = kf_evp(c, key, iv, zero, sizeof(zero), poly_key, NULL)) != 0)
		return r;
	r = ERR_CRYPTO;
	if ((m = EVP_MAC_fetch(NULL, "POLY1305", NULL)) == NULL ||
	    (mctx = EVP_MAC_CTX_new(m)) == NULL ||
	    EVP_MAC_init(mctx, poly_key, sizeof(poly_key), NULL) != 1 ||
	    EVP_MAC_update(mctx, in, n) != 1 ||
	    EVP_MAC_final(mctx, mac, &mac_len, sizeof(mac)) != 1 || mac_len != sizeof(mac))
		goto out;
	if (!mem_equal_ct(mac, tag, sizeof(mac))) {
		r = ERR_PASSPHRASE;
		goto out;
	}
	iv[0] = 1; /* block counter 1 */
	r = kf_evp(c, key, iv, in, n, out, NULL);
out:
	mem_wipe(poly_key, sizeof(poly_key));
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(m);
	return r;
}

int kf_decrypt(const char *cipher, const char *kdfname, const uint8_t *kdfopts,
	       size_t kdfopts_len, const char *passphrase, const uint8_t *enc, size_t enc_len,
	       const uint8_t *tag, struct buf *plain)
{
	const struct kf_cipher *c = kf_cipher(cipher);
	uint8_t keyiv[KF_MAX_KEYIV];
	const uint8_t *salt;
	size_t salt_len;
	uint32_t rounds;
	struct buf out;
	uint8_t *p;
	struct rd r;
	int e;

	if (c == NULL || c->kind == KF_NONE)
		return ERR_UNSUPPORTED;
	if (strcmp(kdfname, "bcrypt") != 0)
		return ERR_UNSUPPORTED;
	rd_init(&r, kdfopts, kdfopts_len);
	if ((e = rd_string(&r, &salt, &salt_len)) != 0 || (e = rd_u32(&r, &rounds)) != 0 ||
	    (e = rd_end(&r)) != 0)
		return e;
	if (rounds == 0 || salt_len == 0)
		return ERR_FORMAT;
	if (rounds > KF_MAX_ROUNDS)
		return ERR_TOO_LARGE;
	if (enc_len % c->block != 0)
		return ERR_FORMAT;
	if (passphrase == NULL || passphrase[0] == '\0')
		return ERR_PASSPHRASE;
	buf_init(&out);
	if ((e = bcrypt_pbkdf(passphrase, strlen(passphrase), salt, salt_len, rounds, keyiv,
			      c->key_len + c->iv_len)) != 0)
		goto out;
	/* One spare block: EVP_DecryptFinal may write up to a block. */
	if ((e = buf_reserve(&out, enc_len + 16, &p)) != 0)
		goto out;
	if (c->kind == KF_CHACHAPOLY)
		e = kf_chachapoly(c, keyiv, enc, enc_len, p, tag);
	else
		e = kf_evp(c, keyiv, keyiv + c->key_len, enc, enc_len, p, tag);
	if (e != 0)
		goto out;
	buf_consume_end(&out, 16);
	*plain = out;
	buf_init(&out);
out:
	mem_wipe(keyiv, sizeof(keyiv));
	buf_free(&out);
	return e;
}
