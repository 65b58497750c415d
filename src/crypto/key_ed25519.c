/*
 * ssh-ed25519 keys (RFC 8709): blob = string "ssh-ed25519" || string(32-byte
 * public key); signature = string "ssh-ed25519" || string(64 bytes). In an
 * OpenSSH private key section (PROTOCOL.key) the fields are string pub(32) ||
 * string priv(64 = seed || pub).
 */
#include "crypto/key_int.h"

#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define ED_PUB_LEN 32
#define ED_SEED_LEN 32
#define ED_SIG_LEN 64

static int ed_pub_read(struct rd *r, EVP_PKEY **pkey)
{
	const uint8_t *pub;
	size_t n;
	EVP_PKEY *p;
	int e;

	if ((e = rd_string(r, &pub, &n)) != 0)
		return e;
	if (n != ED_PUB_LEN)
		return ERR_FORMAT;
	if ((p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, n)) == NULL)
		return ERR_FORMAT;
	*pkey = p;
	return 0;
}

static int ed_raw_pub(EVP_PKEY *pkey, uint8_t pub[ED_PUB_LEN])
{
	size_t n = ED_PUB_LEN;

	if (EVP_PKEY_get_raw_public_key(pkey, pub, &n) != 1 || n != ED_PUB_LEN)
		return ERR_CRYPTO;
	return 0;
}

static int ed_pub_write(EVP_PKEY *pkey, struct buf *out)
{
	uint8_t pub[ED_PUB_LEN];
	int r;

	if ((r = ed_raw_pub(pkey, pub)) != 0)
		return r;
	return buf_put_string(out, pub, sizeof(pub));
}

static int ed_priv_read(struct rd *r, EVP_PKEY **pkey)
{
	const uint8_t *pub, *priv;
	size_t pub_len, priv_len;
	uint8_t derived[ED_PUB_LEN];
	EVP_PKEY *p = NULL;
	int e;

	if ((e = rd_string(r, &pub, &pub_len)) != 0 || (e = rd_string(r, &priv, &priv_len)) != 0)
		return e;
	if (pub_len != ED_PUB_LEN || priv_len != ED_SEED_LEN + ED_PUB_LEN)
		return ERR_FORMAT;
	/* The private field repeats the public key after the seed. */
	if (memcmp(priv + ED_SEED_LEN, pub, ED_PUB_LEN) != 0)
		return ERR_FORMAT;
	if ((p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, ED_SEED_LEN)) == NULL)
		return ERR_FORMAT;
	/* And the seed must actually produce that public key. */
	if ((e = ed_raw_pub(p, derived)) != 0)
		goto out;
	if (memcmp(derived, pub, ED_PUB_LEN) != 0) {
		e = ERR_FORMAT;
		goto out;
	}
	*pkey = p;
	p = NULL;
out:
	EVP_PKEY_free(p);
	return e;
}

static int ed_priv_write(EVP_PKEY *pkey, struct buf *out)
{
	uint8_t pub[ED_PUB_LEN], priv[ED_SEED_LEN + ED_PUB_LEN];
	size_t n = ED_SEED_LEN;
	size_t start = buf_len(out);
	int r;

	if ((r = ed_raw_pub(pkey, pub)) != 0)
		return r;
	if (EVP_PKEY_get_raw_private_key(pkey, priv, &n) != 1 || n != ED_SEED_LEN) {
		r = ERR_CRYPTO;
		goto out;
	}
	memcpy(priv + ED_SEED_LEN, pub, ED_PUB_LEN);
	if ((r = buf_put_string(out, pub, sizeof(pub))) != 0 ||
	    (r = buf_put_string(out, priv, sizeof(priv))) != 0)
		buf_consume_end(out, buf_len(out) - start);
out:
	mem_wipe(priv, sizeof(priv));
	return r;
}

static int ed_generate(EVP_PKEY **pkey)
{
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *p = NULL;
	int r = ERR_CRYPTO;

	if ((pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL)
		return ERR_CRYPTO;
	if (EVP_PKEY_keygen_init(pctx) == 1 && EVP_PKEY_keygen(pctx, &p) == 1) {
		*pkey = p;
		r = 0;
	}
	EVP_PKEY_CTX_free(pctx);
	return r;
}

static int ed_sign(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *data, size_t n,
		   struct buf *sig)
{
	(void)sig_alg; /* only "ssh-ed25519", checked by the caller */
	/* Ed25519 is one-shot: no digest, the whole message at once (RFC 8032). */
	return key_evp_sign(pkey, NULL, data, n, ED_SIG_LEN, 0, sig);
}

static int ed_verify(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *sig, size_t sig_len,
		     const uint8_t *data, size_t n)
{
	(void)sig_alg;
	if (sig_len != ED_SIG_LEN)
		return ERR_SIGNATURE;
	return key_evp_verify(pkey, NULL, sig, sig_len, data, n);
}

const struct key_impl key_impl_ed25519 = {
	.type = KEY_ED25519,
	.name = "ssh-ed25519",
	.sig_algs = "ssh-ed25519",
	.pub_read = ed_pub_read,
	.pub_write = ed_pub_write,
	.priv_read = ed_priv_read,
	.priv_write = ed_priv_write,
	.generate = ed_generate,
	.sign = ed_sign,
	.verify = ed_verify,
};

int key_ed25519_from_seed(const uint8_t *seed, size_t n, struct key **out)
{
	EVP_PKEY *p;

	if (n != ED_SEED_LEN)
		return ERR_INVALID_ARG;
	if ((p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, n)) == NULL)
		return ERR_CRYPTO;
	return key_wrap(&key_impl_ed25519, p, 1, out);
}
