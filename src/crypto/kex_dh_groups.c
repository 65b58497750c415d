/*
 * Finite-field Diffie-Hellman groups: the RFC 3526 MODP groups 14 (2048
 * bits), 16 (4096) and 18 (8192), all with generator 2, taken from libcrypto
 * (BN_get_rfc3526_prime_*), and explicit groups received or chosen in a
 * group exchange (RFC 4419). The numbers are checked by a known-answer test
 * against a Python derivation from RFC 3526's formula (tests/unit/crypto).
 */
#include "crypto/crypto_int.h"

#include <openssl/bn.h>
#include <stdlib.h>

#include "util/err.h"

struct kex_dh_group {
	BIGNUM *p;
	BIGNUM *g;
};

/* Largest modulus we handle at all: RFC 4419 section 3 and OpenSSH cap GEX at 8192 bits. */
#define DH_MAX_BITS 16384

void kex_dh_group_free(struct kex_dh_group *grp)
{
	if (grp == NULL)
		return;
	BN_free(grp->p);
	BN_free(grp->g);
	free(grp);
}

/* Take ownership of p and g after checking p odd and 1 < g < p-1. */
static int group_adopt(BIGNUM *p, BIGNUM *g, struct kex_dh_group **out)
{
	struct kex_dh_group *grp = NULL;
	BIGNUM *pm1 = NULL;
	int r = ERR_FORMAT;

	if (BN_num_bits(p) < 2 || BN_num_bits(p) > DH_MAX_BITS || !BN_is_odd(p))
		goto out;
	r = ERR_ALLOC;
	if ((pm1 = BN_dup(p)) == NULL || BN_sub_word(pm1, 1) != 1)
		goto out;
	r = ERR_FORMAT;
	if (BN_cmp(g, BN_value_one()) <= 0 || BN_cmp(g, pm1) >= 0)
		goto out;
	r = ERR_ALLOC;
	if ((grp = calloc(1, sizeof(*grp))) == NULL)
		goto out;
	grp->p = p;
	grp->g = g;
	p = g = NULL;
	*out = grp;
	r = 0;
out:
	BN_free(pm1);
	BN_free(p);
	BN_free(g);
	return r;
}

int kex_dh_group_new(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
		     struct kex_dh_group **out)
{
	BIGNUM *bp = NULL, *bg = NULL;

	if (p_len == 0 || g_len == 0 || p_len > DH_MAX_BITS / 8 || g_len > DH_MAX_BITS / 8)
		return ERR_FORMAT;
	if ((bp = BN_bin2bn(p, (int)p_len, NULL)) == NULL ||
	    (bg = BN_bin2bn(g, (int)g_len, NULL)) == NULL) {
		BN_free(bp);
		return ERR_ALLOC;
	}
	return group_adopt(bp, bg, out);
}

int kex_dh_group_modp(unsigned bits, struct kex_dh_group **out)
{
	BIGNUM *p, *g;

	switch (bits) {
	case 2048:
		p = BN_get_rfc3526_prime_2048(NULL);
		break;
	case 4096:
		p = BN_get_rfc3526_prime_4096(NULL);
		break;
	case 8192:
		p = BN_get_rfc3526_prime_8192(NULL);
		break;
	default:
		return ERR_INVALID_ARG;
	}
	if (p == NULL)
		return ERR_ALLOC;
	if ((g = BN_new()) == NULL || BN_set_word(g, 2) != 1) {
		BN_free(p);
		BN_free(g);
		return ERR_ALLOC;
	}
	return group_adopt(p, g, out);
}

int kex_dh_group_copy(const struct kex_dh_group *grp, struct kex_dh_group **out)
{
	BIGNUM *p, *g;

	if ((p = BN_dup(grp->p)) == NULL)
		return ERR_ALLOC;
	if ((g = BN_dup(grp->g)) == NULL) {
		BN_free(p);
		return ERR_ALLOC;
	}
	return group_adopt(p, g, out);
}

unsigned kex_dh_group_bits(const struct kex_dh_group *grp)
{
	return (unsigned)BN_num_bits(grp->p);
}

const BIGNUM *kex_dh_group_p(const struct kex_dh_group *grp)
{
	return grp->p;
}

const BIGNUM *kex_dh_group_g(const struct kex_dh_group *grp)
{
	return grp->g;
}

static int put_bn(struct buf *out, const BIGNUM *v)
{
	uint8_t *tmp;
	int n = BN_num_bytes(v), r;

	if ((tmp = malloc((size_t)n + 1)) == NULL)
		return ERR_ALLOC;
	BN_bn2bin(v, tmp);
	r = buf_put_mpint_bytes(out, tmp, (size_t)n);
	free(tmp);
	return r;
}

int kex_dh_group_put(const struct kex_dh_group *grp, struct buf *out)
{
	size_t before = buf_len(out);
	int r;

	if ((r = put_bn(out, grp->p)) != 0)
		return r;
	if ((r = put_bn(out, grp->g)) != 0)
		buf_consume_end(out, buf_len(out) - before);
	return r;
}
