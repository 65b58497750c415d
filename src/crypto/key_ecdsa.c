/*
 * ECDSA keys over the NIST curves (RFC 5656 sections 3.1 and 6.2):
 * blob = string "ecdsa-sha2-nistpXXX" || string curve id ("nistp256") ||
 * string Q (uncompressed SEC1 point); signature = string alg ||
 * string(mpint r || mpint s), hashed with SHA-256/384/512 by curve size.
 * OpenSSH private key section (PROTOCOL.key): string curve, string Q, mpint d.
 */
#include "crypto/key_int.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define EC_MAX_FIELD 66 /* P-521 */

struct ec_curve {
	const char *ssh_id;  /* curve identifier in blobs */
	const char *ossl;    /* OpenSSL group name */
	size_t field_len;    /* bytes of one coordinate */
	const char *digest;  /* RFC 5656 section 6.2.1 */
	const struct key_impl *impl;
};

static const struct ec_curve ec_curves[] = {
	{ "nistp256", "prime256v1", 32, "SHA256", &key_impl_ecdsa_p256 },
	{ "nistp384", "secp384r1", 48, "SHA384", &key_impl_ecdsa_p384 },
	{ "nistp521", "secp521r1", 66, "SHA512", &key_impl_ecdsa_p521 },
};

int key_ecdsa_impl_of(EVP_PKEY *pkey, const struct key_impl **impl)
{
	char group[64];
	size_t len;

	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   &len) != 1)
		return ERR_KEY_TYPE;
	for (size_t i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
		if (strcmp(group, ec_curves[i].ossl) == 0) {
			*impl = ec_curves[i].impl;
			return 0;
		}
	return ERR_KEY_TYPE;
}

int key_ec_import(const char *group, size_t field_len, const uint8_t *q, size_t q_len,
		  const BIGNUM *d, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pkey = NULL;
	int r = ERR_FORMAT;

	/* Only the uncompressed form (RFC 5656 section 3.1, SEC1 2.3.3), never infinity. */
	if (q_len != 1 + 2 * field_len || q[0] != 0x04)
		return ERR_FORMAT;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return ERR_ALLOC;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, q_len) ||
	    (d != NULL && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))) {
		r = ERR_CRYPTO;
		goto out;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		r = ERR_CRYPTO;
		goto out;
	}
	/* Import decodes the point, which fails unless it lies on the curve. */
	if (EVP_PKEY_fromdata(ctx, &pkey, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1)
		goto out;
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	/* Public: full check (order, range); private: d must give Q. */
	if (d != NULL ? EVP_PKEY_pairwise_check(chk) != 1 : EVP_PKEY_public_check(chk) != 1)
		goto out;
	*out = pkey;
	pkey = NULL;
	r = 0;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* wipes the part built from secure BIGNUMs */
	OSSL_PARAM_BLD_free(bld);
	return r;
}

/* string curve id (must be this key type's) || string Q */
static int ec_read_point(const struct ec_curve *c, struct rd *r, const uint8_t **q, size_t *q_len)
{
	int eq, e;

	if ((e = rd_string_eq(r, c->ssh_id, &eq)) != 0)
		return e;
	if (!eq)
		return ERR_FORMAT;
	return rd_string(r, q, q_len);
}

static int ec_pub_read(const struct ec_curve *c, struct rd *r, EVP_PKEY **pkey)
{
	const uint8_t *q;
	size_t q_len;
	int e;

	if ((e = ec_read_point(c, r, &q, &q_len)) != 0)
		return e;
	return key_ec_import(c->ossl, c->field_len, q, q_len, NULL, pkey);
}

static int ec_pub_write(const struct ec_curve *c, EVP_PKEY *pkey, struct buf *out)
{
	uint8_t q[1 + 2 * EC_MAX_FIELD];
	size_t q_len, start = buf_len(out);
	int r;

	if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, q, sizeof(q), &q_len) != 1)
		return ERR_CRYPTO;
	if (q_len != 1 + 2 * c->field_len || q[0] != 0x04)
		return ERR_CRYPTO;
	if ((r = buf_put_cstring(out, c->ssh_id)) != 0 || (r = buf_put_string(out, q, q_len)) != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

static int ec_priv_read(const struct ec_curve *c, struct rd *r, EVP_PKEY **pkey)
{
	const uint8_t *q;
	size_t q_len;
	BIGNUM *d = NULL;
	int e;

	if ((e = ec_read_point(c, r, &q, &q_len)) != 0 || (e = key_bn_read(r, &d)) != 0)
		return e;
	e = key_ec_import(c->ossl, c->field_len, q, q_len, d, pkey);
	BN_clear_free(d);
	return e;
}

static int ec_priv_write(const struct ec_curve *c, EVP_PKEY *pkey, struct buf *out)
{
	size_t start = buf_len(out);
	BIGNUM *d = NULL;
	int r;

	if ((r = ec_pub_write(c, pkey, out)) != 0)
		return r;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
		r = ERR_CRYPTO;
	else
		r = key_bn_write(d, out);
	BN_clear_free(d);
	if (r != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

static int ec_generate(const struct ec_curve *c, EVP_PKEY **pkey)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->ossl);

	if (p == NULL)
		return ERR_CRYPTO;
	*pkey = p;
	return 0;
}

/* The DER ECDSA-Sig-Value from OpenSSL becomes mpint r || mpint s. */
static int ec_sign(const struct ec_curve *c, EVP_PKEY *pkey, const uint8_t *data, size_t n,
		   struct buf *sig)
{
	size_t start = buf_len(sig), der_len = 0;
	const BIGNUM *br, *bs;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx;
	uint8_t *der = NULL;
	const uint8_t *p;
	int r = ERR_CRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_ALLOC;
	if (EVP_DigestSignInit_ex(ctx, NULL, c->digest, NULL, NULL, pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &der_len, data, n) != 1)
		goto out;
	if ((der = OPENSSL_malloc(der_len)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &der_len, data, n) != 1)
		goto out;
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &br, &bs);
	if ((r = key_bn_write(br, sig)) != 0 || (r = key_bn_write(bs, sig)) != 0)
		buf_consume_end(sig, buf_len(sig) - start);
out:
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return r;
}

static int ec_verify(const struct ec_curve *c, EVP_PKEY *pkey, const uint8_t *sig,
		     size_t sig_len, const uint8_t *data, size_t n)
{
	const uint8_t *mr, *ms;
	size_t nr, ns;
	BIGNUM *br = NULL, *bs = NULL;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	int der_len, r = ERR_SIGNATURE;
	struct rd rd;

	rd_init(&rd, sig, sig_len);
	if (rd_mpint_pos(&rd, &mr, &nr) != 0 || rd_mpint_pos(&rd, &ms, &ns) != 0 ||
	    rd_end(&rd) != 0 || nr > c->field_len || ns > c->field_len)
		return ERR_SIGNATURE;
	if ((br = BN_bin2bn(mr, (int)nr, NULL)) == NULL ||
	    (bs = BN_bin2bn(ms, (int)ns, NULL)) == NULL || (es = ECDSA_SIG_new()) == NULL) {
		BN_free(br);
		BN_free(bs);
		return ERR_ALLOC;
	}
	ECDSA_SIG_set0(es, br, bs); /* es owns them now */
	if ((der_len = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(ctx, NULL, c->digest, NULL, NULL, pkey, NULL) == 1 &&
	    EVP_DigestVerify(ctx, der, (size_t)der_len, data, n) == 1)
		r = 0;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return r;
}

/* One table row per curve; the operations differ only in their curve. */
#define EC_IMPL(tag, idx, sshname)                                                        \
	static int tag##_pub_read(struct rd *r, EVP_PKEY **pkey)                           \
	{                                                                                  \
		return ec_pub_read(&ec_curves[idx], r, pkey);                              \
	}                                                                                  \
	static int tag##_pub_write(EVP_PKEY *pkey, struct buf *out)                        \
	{                                                                                  \
		return ec_pub_write(&ec_curves[idx], pkey, out);                           \
	}                                                                                  \
	static int tag##_priv_read(struct rd *r, EVP_PKEY **pkey)                          \
	{                                                                                  \
		return ec_priv_read(&ec_curves[idx], r, pkey);                             \
	}                                                                                  \
	static int tag##_priv_write(EVP_PKEY *pkey, struct buf *out)                       \
	{                                                                                  \
		return ec_priv_write(&ec_curves[idx], pkey, out);                          \
	}                                                                                  \
	static int tag##_generate(EVP_PKEY **pkey)                                         \
	{                                                                                  \
		return ec_generate(&ec_curves[idx], pkey);                                 \
	}                                                                                  \
	static int tag##_sign(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *data,    \
			      size_t n, struct buf *sig)                                   \
	{                                                                                  \
		(void)sig_alg; /* the key's one algorithm, checked by key_sign() */        \
		return ec_sign(&ec_curves[idx], pkey, data, n, sig);                       \
	}                                                                                  \
	static int tag##_verify(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *sig,   \
				size_t sig_len, const uint8_t *data, size_t n)             \
	{                                                                                  \
		(void)sig_alg;                                                             \
		return ec_verify(&ec_curves[idx], pkey, sig, sig_len, data, n);            \
	}                                                                                  \
	const struct key_impl key_impl_ecdsa_##tag = {                                     \
		.type = KEY_ECDSA_##idx##_TYPE,                                            \
		.name = sshname,                                                           \
		.sig_algs = sshname,                                                       \
		.pub_read = tag##_pub_read,                                                \
		.pub_write = tag##_pub_write,                                              \
		.priv_read = tag##_priv_read,                                              \
		.priv_write = tag##_priv_write,                                            \
		.generate = tag##_generate,                                                \
		.sign = tag##_sign,                                                        \
		.verify = tag##_verify,                                                    \
	};

#define KEY_ECDSA_0_TYPE KEY_ECDSA_P256
#define KEY_ECDSA_1_TYPE KEY_ECDSA_P384
#define KEY_ECDSA_2_TYPE KEY_ECDSA_P521

EC_IMPL(p256, 0, "ecdsa-sha2-nistp256")
EC_IMPL(p384, 1, "ecdsa-sha2-nistp384")
EC_IMPL(p521, 2, "ecdsa-sha2-nistp521")
