/*
 * ecdh-sha2-nistp256/384/521 (RFC 5656 sections 4 and 7.1) via EVP_PKEY EC.
 * Q_C and Q_S are uncompressed points (0x04 || x || y, SEC1 2.3.3); the peer's
 * point is checked to be on the curve and not the point at infinity (RFC 5656
 * section 4 asks for this validation). K is the x-coordinate of the shared
 * point, read as an unsigned number and encoded as an mpint.
 */
#include "crypto/crypto_int.h"
#include "crypto/key_int.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

struct ec_curve {
	const char *kex_name;
	const char *group;  /* OpenSSL group name */
	size_t coord;       /* bytes per coordinate */
};

static const struct ec_curve curves[] = {
	{ "ecdh-sha2-nistp256", "P-256", 32 },
	{ "ecdh-sha2-nistp384", "P-384", 48 },
	{ "ecdh-sha2-nistp521", "P-521", 66 },
};

#define EC_MAX_POINT (1 + 2 * 66)

static const struct ec_curve *curve_of_group(const char *group)
{
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(curves[i].group, group) == 0)
			return &curves[i];
	return NULL;
}

/* Our key's curve, from the group name stored in the key. */
static const struct ec_curve *curve_of_key(const EVP_PKEY *pkey)
{
	char name[64];
	size_t n = 0;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
					   &n) != 1)
		return NULL;
	/* OpenSSL reports the SEC names; map them to ours. */
	if (strcmp(name, "prime256v1") == 0)
		return &curves[0];
	if (strcmp(name, "secp384r1") == 0)
		return &curves[1];
	if (strcmp(name, "secp521r1") == 0)
		return &curves[2];
	return curve_of_group(name);
}

/* Append the uncompressed public point of pkey. */
static int put_point(const struct ec_curve *c, EVP_PKEY *pkey, struct buf *out)
{
	uint8_t pt[EC_MAX_POINT];
	size_t n = 0;

	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
					    sizeof(pt), &n) != 1)
		return ERR_CRYPTO;
	if (n != 1 + 2 * c->coord || pt[0] != 0x04)
		return ERR_CRYPTO;
	return buf_put(out, pt, n);
}

static int ec_generate(const struct ec_curve *c, EVP_PKEY **out, struct buf *pub)
{
	EVP_PKEY *pkey;
	int r;

	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group)) == NULL)
		return ERR_CRYPTO;
	if ((r = put_point(c, pkey, pub)) != 0) {
		EVP_PKEY_free(pkey);
		return r;
	}
	*out = pkey;
	return 0;
}

/*
 * An EC key from its parts (priv may be NULL for a public key): the point
 * must be uncompressed, of the right length and on the curve (key_ec_import).
 */
static int ec_from_parts(const struct ec_curve *c, const uint8_t *pt, size_t pt_len,
			 const uint8_t *priv, size_t priv_len, EVP_PKEY **out)
{
	BIGNUM *d = NULL;
	int r;

	if (priv != NULL &&
	    ((d = BN_secure_new()) == NULL || BN_bin2bn(priv, (int)priv_len, d) == NULL)) {
		BN_clear_free(d);
		return ERR_CRYPTO;
	}
	r = key_ec_import(c->group, c->coord, pt, pt_len, d, out);
	BN_clear_free(d);
	return r;
}

/* K = x-coordinate of our scalar times the peer's (validated) point, as an mpint. */
static int ec_shared(const struct ec_curve *c, EVP_PKEY *ours, const uint8_t *pt, size_t pt_len,
		     struct buf *k_enc)
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	uint8_t secret[66];
	size_t slen = sizeof(secret);
	int r;

	if ((r = ec_from_parts(c, pt, pt_len, NULL, 0, &peer)) != 0)
		goto out;
	r = ERR_CRYPTO;
	if ((dctx = EVP_PKEY_CTX_new(ours, NULL)) == NULL || EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1)
		goto out;
	if (EVP_PKEY_derive(dctx, secret, &slen) != 1 || slen != c->coord)
		goto out;
	r = buf_put_mpint_bytes(k_enc, secret, slen);
out:
	mem_wipe(secret, sizeof(secret));
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer);
	return r;
}

static int ecdh_keypair(const struct ec_curve *c, struct kex_priv **priv, struct buf *q_c)
{
	struct kex_priv *p;
	int r;

	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((r = ec_generate(c, &p->pkey, q_c)) != 0) {
		kex_priv_free(p);
		return r;
	}
	*priv = p;
	return 0;
}

static int ecdh_encaps(const struct ec_curve *c, const uint8_t *q_c, size_t q_c_len,
		       struct buf *q_s, struct buf *k_enc)
{
	EVP_PKEY *eph = NULL;
	struct buf pub, k;
	int r;

	buf_init(&pub);
	buf_init(&k);
	if (q_c_len != 1 + 2 * c->coord) {
		r = ERR_FORMAT;
		goto out;
	}
	if ((r = ec_generate(c, &eph, &pub)) != 0 || (r = ec_shared(c, eph, q_c, q_c_len, &k)) != 0)
		goto out;
	/* Append to the caller's buffers only when everything worked. */
	r = kex_encaps_put(&pub, &k, q_s, k_enc);
out:
	EVP_PKEY_free(eph);
	buf_free(&pub);
	buf_free(&k);
	return r;
}

int kex_ecdh_decaps(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len, struct buf *k_enc)
{
	const struct ec_curve *c;

	if (priv == NULL || priv->pkey == NULL || (c = curve_of_key(priv->pkey)) == NULL)
		return ERR_INVALID_ARG;
	return ec_shared(c, priv->pkey, q_s, q_s_len, k_enc);
}

int kex_ecdh_p256_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return ecdh_keypair(&curves[0], priv, q_c);
}

int kex_ecdh_p384_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return ecdh_keypair(&curves[1], priv, q_c);
}

int kex_ecdh_p521_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return ecdh_keypair(&curves[2], priv, q_c);
}

int kex_ecdh_p256_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return ecdh_encaps(&curves[0], q_c, q_c_len, q_s, k_enc);
}

int kex_ecdh_p384_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return ecdh_encaps(&curves[1], q_c, q_c_len, q_s, k_enc);
}

int kex_ecdh_p521_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return ecdh_encaps(&curves[2], q_c, q_c_len, q_s, k_enc);
}

int kex_ecdh_keypair_from_raw(const char *kex_name, const uint8_t *sk, size_t sk_len,
			      const uint8_t *pub, size_t pub_len, struct kex_priv **priv)
{
	const struct ec_curve *c = NULL;
	struct kex_priv *p;
	int r;

	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (kex_name != NULL && strcmp(curves[i].kex_name, kex_name) == 0)
			c = &curves[i];
	if (c == NULL || sk_len != c->coord)
		return ERR_INVALID_ARG;
	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((r = ec_from_parts(c, pub, pub_len, sk, sk_len, &p->pkey)) != 0) {
		kex_priv_free(p);
		return r;
	}
	*priv = p;
	return 0;
}
