/*
 * Finite-field Diffie-Hellman (RFC 4253 section 8, RFC 8268, RFC 4419) with
 * libcrypto BIGNUMs: e = g^x mod p, f = g^y mod p, K = f^x mod p = e^y mod p.
 * Public values travel as mpints: Q_C/Q_S here are the mpint bodies (the
 * transport writes them as strings, the same bytes). A peer's value must be
 * a minimal positive mpint with 1 < v < p-1 (RFC 4253 section 8).
 */
#include "crypto/crypto_int.h"

#include <openssl/bn.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/mem.h"

/*
 * Private exponent size: twice the group's security strength (RFC 8268
 * section 4 and NIST SP 800-57 part 1 table 2 for the strengths), and never
 * below 256 bits.
 */
static int priv_bits(unsigned pbits)
{
	static const struct { unsigned bits, strength; } tab[] = {
		{ 8192, 200 }, { 7680, 192 }, { 6144, 176 }, { 4096, 152 }, { 3072, 128 },
	};
	unsigned s = 112;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (pbits >= tab[i].bits) {
			s = tab[i].strength;
			break;
		}
	return 2 * s > 256 ? (int)(2 * s) : 256;
}

/* 1 < v < p-1 */
static int in_range(const BIGNUM *v, const BIGNUM *p)
{
	BIGNUM *pm1;
	int ok;

	if ((pm1 = BN_dup(p)) == NULL || BN_sub_word(pm1, 1) != 1) {
		BN_free(pm1);
		return 0;
	}
	ok = BN_cmp(v, BN_value_one()) > 0 && BN_cmp(v, pm1) < 0;
	BN_free(pm1);
	return ok;
}

/* Peer's public value from an mpint body (RFC 4251 section 5: minimal, non-negative). */
static int body_to_bn(const struct kex_dh_group *grp, const uint8_t *q, size_t n, BIGNUM **out)
{
	const BIGNUM *p = kex_dh_group_p(grp);
	BIGNUM *v;

	if (n == 0 || (q[0] & 0x80) != 0 || (n > 1 && q[0] == 0 && (q[1] & 0x80) == 0) ||
	    (n == 1 && q[0] == 0) || n > (size_t)BN_num_bytes(p) + 1)
		return ERR_FORMAT;
	if ((v = BN_bin2bn(q, (int)n, NULL)) == NULL)
		return ERR_ALLOC;
	if (!in_range(v, p)) {
		BN_free(v);
		return ERR_FORMAT;
	}
	*out = v;
	return 0;
}

/* Append v as an mpint (secret: wipe the temporary) or as its bare body. */
static int put_bn(struct buf *out, const BIGNUM *v, int body)
{
	struct buf tmp;
	uint8_t *mag;
	size_t n = (size_t)BN_num_bytes(v);
	int r;

	buf_init(&tmp);
	if ((mag = malloc(n + 1)) == NULL)
		return ERR_ALLOC;
	BN_bn2bin(v, mag);
	if ((r = buf_put_mpint_bytes(&tmp, mag, n)) != 0)
		goto out;
	r = body ? buf_put(out, buf_ptr(&tmp) + 4, buf_len(&tmp) - 4) :
		   buf_put(out, buf_ptr(&tmp), buf_len(&tmp));
out:
	mem_free_secret(mag, n + 1);
	buf_free(&tmp);
	return r;
}

/* res = base^x mod p in constant time with respect to x. */
static int modexp(BIGNUM *res, const BIGNUM *base, const BIGNUM *x, const BIGNUM *p)
{
	BN_CTX *ctx;
	int ok;

	if ((ctx = BN_CTX_secure_new()) == NULL)
		return ERR_ALLOC;
	ok = BN_mod_exp_mont_consttime(res, base, x, p, ctx, NULL);
	BN_CTX_free(ctx);
	return ok == 1 ? 0 : ERR_CRYPTO;
}

/* New state holding a copy of the group, private x (random or given) and e = g^x. */
static int dh_keypair(const struct kex_dh_group *grp, const uint8_t *fixed, size_t fixed_len,
		      struct kex_priv **priv, struct buf *q_c)
{
	struct kex_priv *p;
	BIGNUM *e = NULL;
	int r;

	if ((p = kex_priv_new()) == NULL)
		return ERR_ALLOC;
	if ((r = kex_dh_group_copy(grp, &p->grp)) != 0)
		goto out;
	r = ERR_ALLOC;
	if ((p->x = BN_secure_new()) == NULL || (e = BN_new()) == NULL)
		goto out;
	BN_set_flags(p->x, BN_FLG_CONSTTIME);
	if (fixed != NULL) {
		if (BN_bin2bn(fixed, (int)fixed_len, p->x) == NULL)
			goto out;
	} else if (BN_priv_rand(p->x, priv_bits(kex_dh_group_bits(grp)), BN_RAND_TOP_ONE,
				BN_RAND_BOTTOM_ANY) != 1) {
		r = ERR_CRYPTO;
		goto out;
	}
	if ((r = modexp(e, kex_dh_group_g(grp), p->x, kex_dh_group_p(grp))) != 0)
		goto out;
	/* A degenerate e would only come from a bad exponent; refuse it anyway. */
	if (!in_range(e, kex_dh_group_p(grp))) {
		r = ERR_CRYPTO;
		goto out;
	}
	if ((r = put_bn(q_c, e, 1)) != 0)
		goto out;
	*priv = p;
	p = NULL;
out:
	BN_free(e);
	kex_priv_free(p);
	return r;
}

/* K = peer^x mod p, appended as an mpint. */
static int dh_shared(const struct kex_priv *priv, const uint8_t *q, size_t n, struct buf *k_enc)
{
	BIGNUM *peer = NULL, *k = NULL;
	int r;

	if ((r = body_to_bn(priv->grp, q, n, &peer)) != 0)
		goto out;
	if ((k = BN_secure_new()) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	if ((r = modexp(k, peer, priv->x, kex_dh_group_p(priv->grp))) != 0)
		goto out;
	/* K of 0 or 1 means a small-subgroup peer value slipped through; never use it. */
	if (BN_is_zero(k) || BN_is_one(k)) {
		r = ERR_CRYPTO;
		goto out;
	}
	r = put_bn(k_enc, k, 0);
out:
	BN_free(peer);
	BN_clear_free(k);
	return r;
}

int kex_dh_group_keypair(const struct kex_dh_group *grp, struct kex_priv **priv,
			 struct buf *q_c)
{
	return dh_keypair(grp, NULL, 0, priv, q_c);
}

int kex_dh_group_keypair_from_raw(const struct kex_dh_group *grp, const uint8_t *x, size_t n,
				  struct kex_priv **priv, struct buf *q_c)
{
	if (x == NULL || n == 0)
		return ERR_INVALID_ARG;
	return dh_keypair(grp, x, n, priv, q_c);
}

int kex_dh_group_encaps(const struct kex_dh_group *grp, const uint8_t *q_c, size_t q_c_len,
			struct buf *q_s, struct buf *k_enc)
{
	struct kex_priv *eph = NULL;
	struct buf pub, k;
	int r;

	buf_init(&pub);
	buf_init(&k);
	if ((r = dh_keypair(grp, NULL, 0, &eph, &pub)) != 0 ||
	    (r = dh_shared(eph, q_c, q_c_len, &k)) != 0)
		goto out;
	/* Append to the caller's buffers only when everything worked. */
	r = kex_encaps_put(&pub, &k, q_s, k_enc);
out:
	kex_priv_free(eph);
	buf_free(&pub);
	buf_free(&k);
	return r;
}

int kex_dh_decaps(struct kex_priv *priv, const uint8_t *q_s, size_t q_s_len, struct buf *k_enc)
{
	if (priv == NULL || priv->grp == NULL || priv->x == NULL)
		return ERR_INVALID_ARG;
	return dh_shared(priv, q_s, q_s_len, k_enc);
}

/* The fixed groups of RFC 8268: one group per call, freed right away (KEX is rare). */
static int fixed_keypair(unsigned bits, struct kex_priv **priv, struct buf *q_c)
{
	struct kex_dh_group *grp = NULL;
	int r;

	if ((r = kex_dh_group_modp(bits, &grp)) == 0)
		r = kex_dh_group_keypair(grp, priv, q_c);
	kex_dh_group_free(grp);
	return r;
}

static int fixed_encaps(unsigned bits, const uint8_t *q_c, size_t q_c_len, struct buf *q_s,
			struct buf *k_enc)
{
	struct kex_dh_group *grp = NULL;
	int r;

	if ((r = kex_dh_group_modp(bits, &grp)) == 0)
		r = kex_dh_group_encaps(grp, q_c, q_c_len, q_s, k_enc);
	kex_dh_group_free(grp);
	return r;
}

int kex_dh14_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return fixed_keypair(2048, priv, q_c);
}

int kex_dh16_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return fixed_keypair(4096, priv, q_c);
}

int kex_dh18_keypair(struct kex_priv **priv, struct buf *q_c)
{
	return fixed_keypair(8192, priv, q_c);
}

int kex_dh14_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return fixed_encaps(2048, q_c, q_c_len, q_s, k_enc);
}

int kex_dh16_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return fixed_encaps(4096, q_c, q_c_len, q_s, k_enc);
}

int kex_dh18_encaps(const uint8_t *q_c, size_t q_c_len, struct buf *q_s, struct buf *k_enc)
{
	return fixed_encaps(8192, q_c, q_c_len, q_s, k_enc);
}
