/*
 * RSA keys. Blob (RFC 4253 section 6.6): string "ssh-rsa" || mpint e ||
 * mpint n. Signatures are PKCS#1 v1.5 over SHA-512 ("rsa-sha2-512"),
 * SHA-256 ("rsa-sha2-256", RFC 8332) or SHA-1 ("ssh-rsa", RFC 4253), the
 * raw signature as long as the modulus. OpenSSH private key section
 * (PROTOCOL.key): mpint n, e, d, iqmp, p, q. Like OpenSSH 9.2 we refuse
 * moduli under 1024 bits (and over 16384).
 */
#include "crypto/key_int.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 16384
#define RSA_GEN_BITS 3072 /* ssh-keygen's default */

int key_bn_read(struct rd *r, BIGNUM **bn)
{
	const uint8_t *mag;
	size_t n;
	BIGNUM *b;
	int e;

	if ((e = rd_mpint_pos(r, &mag, &n)) != 0)
		return e;
	if (n > RSA_MAX_BITS / 8 + 1)
		return ERR_TOO_LARGE;
	/*
	 * Flagged secure (private values pass through here): OSSL_PARAM_BLD then
	 * copies them to the block OSSL_PARAM_free() wipes.
	 */
	if ((b = BN_secure_new()) == NULL)
		return ERR_ALLOC;
	if (BN_bin2bn(mag, (int)n, b) == NULL) {
		BN_free(b);
		return ERR_ALLOC;
	}
	*bn = b;
	return 0;
}

int key_bn_write(const BIGNUM *bn, struct buf *out)
{
	uint8_t tmp[RSA_MAX_BITS / 8 + 1];
	int n = BN_num_bytes(bn), r;

	if (n < 0 || (size_t)n > sizeof(tmp) || BN_is_negative(bn))
		return ERR_TOO_LARGE;
	if (BN_bn2bin(bn, tmp) != n)
		return ERR_CRYPTO;
	r = buf_put_mpint_bytes(out, tmp, (size_t)n);
	mem_wipe(tmp, (size_t)n); /* may be a private exponent */
	return r;
}

int key_rsa_check(EVP_PKEY *pkey)
{
	int bits;

	if (!EVP_PKEY_is_a(pkey, "RSA"))
		return ERR_KEY_TYPE;
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
		return ERR_KEY_LENGTH;
	return 0;
}

/* EVP_PKEY from its parameters; d == NULL makes a public key. */
static int rsa_build(const BIGNUM *n, const BIGNUM *e, const BIGNUM *const priv[6],
		     EVP_PKEY **out)
{
	static const char *const names[6] = {
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int r = ERR_CRYPTO;

	if (BN_num_bits(n) < RSA_MIN_BITS || BN_num_bits(n) > RSA_MAX_BITS)
		return ERR_KEY_LENGTH;
	/* e must be odd and > 1 for RSA to be a permutation. */
	if (!BN_is_odd(e) || BN_is_one(e) || BN_num_bits(e) > BN_num_bits(n))
		return ERR_FORMAT;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return ERR_ALLOC;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	for (int i = 0; priv != NULL && i < 6; i++)
		if (!OSSL_PARAM_BLD_push_BN(bld, names[i], priv[i]))
			goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1)
		goto out;
	*out = pkey;
	r = 0;
out:
	OSSL_PARAM_free(params); /* wipes the part built from secure BIGNUMs */
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

static int rsa_pub_read(struct rd *r, EVP_PKEY **pkey)
{
	BIGNUM *e = NULL, *n = NULL;
	int err;

	if ((err = key_bn_read(r, &e)) != 0 || (err = key_bn_read(r, &n)) != 0)
		goto out;
	err = rsa_build(n, e, NULL, pkey);
out:
	BN_free(e);
	BN_free(n);
	return err;
}

/* Append the named BIGNUM parameters of pkey as mpints. */
static int rsa_put_params(EVP_PKEY *pkey, const char *const *names, size_t count,
			  struct buf *out)
{
	size_t start = buf_len(out);
	int r = 0;

	for (size_t i = 0; i < count && r == 0; i++) {
		BIGNUM *bn = NULL;

		if (EVP_PKEY_get_bn_param(pkey, names[i], &bn) != 1)
			r = ERR_CRYPTO;
		else
			r = key_bn_write(bn, out);
		BN_clear_free(bn);
	}
	if (r != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

static int rsa_pub_write(EVP_PKEY *pkey, struct buf *out)
{
	static const char *const names[] = { OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N };

	return rsa_put_params(pkey, names, 2, out);
}

/* n, e, d, iqmp, p, q; the CRT exponents d mod (p-1), d mod (q-1) are derived. */
static int rsa_priv_read(struct rd *r, EVP_PKEY **pkey)
{
	BIGNUM *v[6] = { NULL }; /* n e d iqmp p q */
	BIGNUM *dmp1 = NULL, *dmq1 = NULL, *t = NULL;
	BN_CTX *bnc = NULL;
	int err;

	for (int i = 0; i < 6; i++)
		if ((err = key_bn_read(r, &v[i])) != 0)
			goto out;
	err = ERR_ALLOC;
	if ((bnc = BN_CTX_new()) == NULL || (dmp1 = BN_secure_new()) == NULL ||
	    (dmq1 = BN_secure_new()) == NULL || (t = BN_new()) == NULL)
		goto out;
	err = ERR_FORMAT;
	/* A corrupt or mismatched key must not load: n = p q, iqmp q = 1 mod p. */
	if (BN_is_zero(v[4]) || BN_is_zero(v[5]) || !BN_mul(t, v[4], v[5], bnc) ||
	    BN_cmp(t, v[0]) != 0)
		goto out;
	if (!BN_mod_mul(t, v[3], v[5], v[4], bnc) || !BN_is_one(t))
		goto out;
	if (!BN_sub(t, v[4], BN_value_one()) || !BN_mod(dmp1, v[2], t, bnc) ||
	    !BN_sub(t, v[5], BN_value_one()) || !BN_mod(dmq1, v[2], t, bnc))
		goto out;
	{
		const BIGNUM *priv[6] = { v[2], v[4], v[5], dmp1, dmq1, v[3] };

		err = rsa_build(v[0], v[1], priv, pkey);
	}
out:
	for (int i = 0; i < 6; i++)
		BN_clear_free(v[i]);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	BN_clear_free(t);
	BN_CTX_free(bnc);
	return err;
}

static int rsa_priv_write(EVP_PKEY *pkey, struct buf *out)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2,
	};

	return rsa_put_params(pkey, names, 6, out);
}

static int rsa_generate(EVP_PKEY **pkey)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_GEN_BITS);

	if (p == NULL)
		return ERR_CRYPTO;
	*pkey = p;
	return 0;
}

static const EVP_MD *rsa_md(const char *sig_alg)
{
	if (strcmp(sig_alg, "rsa-sha2-512") == 0)
		return EVP_sha512();
	if (strcmp(sig_alg, "rsa-sha2-256") == 0)
		return EVP_sha256();
	if (strcmp(sig_alg, "ssh-rsa") == 0)
		return EVP_sha1();
	return NULL;
}

static int rsa_sign(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *data, size_t n,
		    struct buf *sig)
{
	const EVP_MD *md = rsa_md(sig_alg);

	if (md == NULL)
		return ERR_KEY_TYPE;
	/* PKCS#1 v1.5 signatures are the modulus length (RFC 8017 section 8.2.1). */
	return key_evp_sign(pkey, md, data, n, (size_t)EVP_PKEY_get_size(pkey), 1, sig);
}

static int rsa_verify(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *sig, size_t sig_len,
		      const uint8_t *data, size_t n)
{
	const EVP_MD *md = rsa_md(sig_alg);
	size_t len = (size_t)EVP_PKEY_get_size(pkey);
	uint8_t padded[RSA_MAX_BITS / 8];

	if (md == NULL || sig_len == 0 || sig_len > len || len > sizeof(padded))
		return ERR_SIGNATURE;
	/* Some signers drop leading zero bytes; OpenSSH accepts and left-pads them. */
	memset(padded, 0, len - sig_len);
	memcpy(padded + (len - sig_len), sig, sig_len);
	return key_evp_verify(pkey, md, padded, len, data, n);
}

const struct key_impl key_impl_rsa = {
	.type = KEY_RSA,
	.name = "ssh-rsa",
	.sig_algs = "rsa-sha2-512,rsa-sha2-256,ssh-rsa",
	.pub_read = rsa_pub_read,
	.pub_write = rsa_pub_write,
	.priv_read = rsa_priv_read,
	.priv_write = rsa_priv_write,
	.generate = rsa_generate,
	.sign = rsa_sign,
	.verify = rsa_verify,
};
