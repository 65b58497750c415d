/*
 * Finite-field DH (RFC 8268 fixed groups, RFC 4419 explicit groups): fixed
 * private exponents against values computed independently with Python big
 * ints (gen_dh_vectors.py -> dh_vectors.h, which also rebuilds the RFC 3526
 * primes from their formula), round trips through the table, and refusal of
 * out-of-range or badly encoded public values.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "dh_vectors.h"
#include "util/err.h"
#include "wire/rd.h"

#define MAXB 1025 /* 8192 bits and a sign byte */

static uint8_t hexbuf[MAXB];

static size_t unhex(const char *h)
{
	return check_unhex(h, hexbuf, sizeof(hexbuf));
}

/* An mpint body (what the KEM functions use for e and f) from an unsigned magnitude. */
static void body_of(const uint8_t *mag, size_t n, struct buf *out)
{
	struct buf t;

	buf_init(&t);
	CHECK_INT(buf_put_mpint_bytes(&t, mag, n), 0);
	buf_reset(out);
	CHECK_INT(buf_put(out, buf_ptr(&t) + 4, buf_len(&t) - 4), 0);
	buf_free(&t);
}

static void check_mpint(const struct buf *k_enc, const char *want_hex)
{
	struct buf want;
	size_t n = unhex(want_hex);

	buf_init(&want);
	CHECK_INT(buf_put_mpint_bytes(&want, hexbuf, n), 0);
	CHECK_INT(buf_len(k_enc), buf_len(&want));
	if (buf_len(k_enc) == buf_len(&want))
		CHECK_MEM(buf_ptr(k_enc), buf_ptr(&want), buf_len(&want));
	buf_free(&want);
}

static void check_body(const struct buf *q, const char *want_hex)
{
	struct buf want;

	buf_init(&want);
	body_of(hexbuf, unhex(want_hex), &want);
	CHECK_INT(buf_len(q), buf_len(&want));
	if (buf_len(q) == buf_len(&want))
		CHECK_MEM(buf_ptr(q), buf_ptr(&want), buf_len(&want));
	buf_free(&want);
}

struct dhv {
	const char *kex;  /* fixed-group method name, or NULL for an explicit group */
	unsigned bits;
	const char *p;
	unsigned g;
	const char *ea, *eb, *k;
};

static const struct dhv vecs[] = {
	{ "diffie-hellman-group14-sha256", 2048, DH_MODP2048_P, DH_MODP2048_G, DH_MODP2048_EA,
	  DH_MODP2048_EB, DH_MODP2048_K },
	{ "diffie-hellman-group16-sha512", 4096, DH_MODP4096_P, DH_MODP4096_G, DH_MODP4096_EA,
	  DH_MODP4096_EB, DH_MODP4096_K },
	{ "diffie-hellman-group18-sha512", 8192, DH_MODP8192_P, DH_MODP8192_G, DH_MODP8192_EA,
	  DH_MODP8192_EB, DH_MODP8192_K },
	{ NULL, 2048, DH_GEX2048G5_P, DH_GEX2048G5_G, DH_GEX2048G5_EA, DH_GEX2048G5_EB,
	  DH_GEX2048G5_K },
};

static int group_of(const struct dhv *v, struct kex_dh_group **out)
{
	uint8_t g = (uint8_t)v->g;
	size_t n;

	if (v->kex != NULL)
		return kex_dh_group_modp(v->bits, out);
	n = unhex(v->p);
	return kex_dh_group_new(hexbuf, n, &g, 1, out);
}

static void test_vector(const struct dhv *v)
{
	struct kex_dh_group *grp = NULL;
	struct kex_priv *a = NULL, *b = NULL;
	struct buf ea, eb, ka, kb, gp, want;
	const struct kex_alg *kex = v->kex != NULL ? kex_alg_by_name(v->kex) : NULL;
	uint8_t x[64];
	size_t n;

	fprintf(stderr, "DH vector %s (%u bits)\n", v->kex != NULL ? v->kex : "explicit", v->bits);
	buf_init(&ea);
	buf_init(&eb);
	buf_init(&ka);
	buf_init(&kb);
	buf_init(&gp);
	buf_init(&want);
	CHECK_INT(group_of(v, &grp), 0);
	if (grp == NULL)
		return;
	CHECK_INT(kex_dh_group_bits(grp), v->bits);
	/* The group's p and g are exactly the independently derived numbers. */
	CHECK_INT(kex_dh_group_put(grp, &gp), 0);
	n = unhex(v->p);
	CHECK_INT(buf_put_mpint_bytes(&want, hexbuf, n), 0);
	x[0] = (uint8_t)v->g;
	CHECK_INT(buf_put_mpint_bytes(&want, x, 1), 0);
	CHECK(buf_len(&gp) == buf_len(&want) &&
	      memcmp(buf_ptr(&gp), buf_ptr(&want), buf_len(&want)) == 0);

	n = check_unhex(DH_XA, x, sizeof(x));
	CHECK_INT(kex_dh_group_keypair_from_raw(grp, x, n, &a, &ea), 0);
	n = check_unhex(DH_XB, x, sizeof(x));
	CHECK_INT(kex_dh_group_keypair_from_raw(grp, x, n, &b, &eb), 0);
	check_body(&ea, v->ea);
	check_body(&eb, v->eb);
	if (a == NULL || b == NULL)
		goto out;
	/* The table's decaps (shared by every DH method) on both sides. */
	CHECK_INT(kex_alg_by_name("diffie-hellman-group14-sha256")->decaps(a, buf_ptr(&eb),
									  buf_len(&eb), &ka), 0);
	CHECK_INT(kex_alg_by_name("diffie-hellman-group-exchange-sha256")->decaps(
			  b, buf_ptr(&ea), buf_len(&ea), &kb), 0);
	check_mpint(&ka, v->k);
	check_mpint(&kb, v->k);
	if (kex != NULL)
		CHECK(kex->group_exchange == 0 && kex->decaps != NULL);
out:
	kex_dh_group_free(grp);
	if (a != NULL)
		kex_alg_by_name("diffie-hellman-group14-sha256")->priv_free(a);
	if (b != NULL)
		kex_alg_by_name("diffie-hellman-group14-sha256")->priv_free(b);
	buf_free(&ea);
	buf_free(&eb);
	buf_free(&ka);
	buf_free(&kb);
	buf_free(&gp);
	buf_free(&want);
}

/* keypair/encaps/decaps through the table for a fixed-group method. */
static void test_roundtrip(const char *name, size_t pbytes)
{
	const struct kex_alg *kex = kex_alg_by_name(name);
	struct kex_priv *priv = NULL;
	struct buf qc, qs, kc, ks, bad;
	uint8_t one = 1, p[MAXB];
	size_t plen;

	buf_init(&qc);
	buf_init(&qs);
	buf_init(&kc);
	buf_init(&ks);
	buf_init(&bad);
	CHECK(kex != NULL && kex->keypair != NULL);
	if (kex == NULL || kex->keypair == NULL)
		return;
	CHECK_INT(kex->keypair(&priv, &qc), 0);
	CHECK(buf_len(&qc) > pbytes - 8 && buf_len(&qc) <= pbytes + 1);
	CHECK_INT(kex->encaps(buf_ptr(&qc), buf_len(&qc), &qs, &ks), 0);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qs), buf_len(&qs), &kc), 0);
	CHECK(buf_len(&kc) > 4 && buf_len(&kc) == buf_len(&ks) &&
	      memcmp(buf_ptr(&kc), buf_ptr(&ks), buf_len(&kc)) == 0);

	/* 1 < f < p-1 (RFC 4253 section 8); bodies must be minimal positive mpints. */
	buf_reset(&qs);
	buf_reset(&ks);
	buf_reset(&kc);
	CHECK_INT(kex->decaps(priv, &one, 1, &kc), ERR_FORMAT);
	CHECK_INT(kex->encaps(&one, 1, &qs, &ks), ERR_FORMAT);
	CHECK_INT(kex->decaps(priv, &one, 0, &kc), ERR_FORMAT);
	plen = strlen(DH_MODP2048_P) / 2;
	if (pbytes == plen) {
		unhex(DH_MODP2048_P);
		memcpy(p, hexbuf, plen);
		body_of(p, plen, &bad); /* p itself */
		CHECK_INT(kex->decaps(priv, buf_ptr(&bad), buf_len(&bad), &kc), ERR_FORMAT);
		p[plen - 1]--;          /* p-1 */
		body_of(p, plen, &bad);
		CHECK_INT(kex->decaps(priv, buf_ptr(&bad), buf_len(&bad), &kc), ERR_FORMAT);
		p[plen - 1]--;          /* p-2 is in range */
		body_of(p, plen, &bad);
		CHECK_INT(kex->decaps(priv, buf_ptr(&bad), buf_len(&bad), &kc), 0);
		buf_reset(&kc);
	}
	/* Negative (top bit set) and non-minimal (extra leading zero) encodings. */
	buf_reset(&bad);
	CHECK_INT(buf_put(&bad, buf_ptr(&qc), buf_len(&qc)), 0);
	if (buf_ptr(&bad)[0] == 0) {
		CHECK_INT(kex->decaps(priv, buf_ptr(&bad) + 1, buf_len(&bad) - 1, &kc), ERR_FORMAT);
	} else {
		uint8_t *m = buf_mutable_ptr(&bad);

		m[0] |= 0x80;
		CHECK_INT(kex->decaps(priv, m, buf_len(&bad), &kc), ERR_FORMAT);
	}
	buf_reset(&bad);
	CHECK_INT(buf_put_u8(&bad, 0), 0);
	CHECK_INT(buf_put_u8(&bad, 0x05), 0);
	CHECK_INT(kex->decaps(priv, buf_ptr(&bad), buf_len(&bad), &kc), ERR_FORMAT);
	CHECK_INT(buf_len(&qs), 0);
	CHECK_INT(buf_len(&ks), 0);
	CHECK_INT(buf_len(&kc), 0);
	kex->priv_free(priv);
	buf_free(&qc);
	buf_free(&qs);
	buf_free(&kc);
	buf_free(&ks);
	buf_free(&bad);
}

static void test_group_checks(void)
{
	struct kex_dh_group *grp = NULL;
	struct kex_priv *priv = NULL;
	struct buf q, k;
	uint8_t p[256], g;
	size_t n = unhex(DH_MODP2048_P);

	buf_init(&q);
	buf_init(&k);
	memcpy(p, hexbuf, n);
	g = 1;
	CHECK_INT(kex_dh_group_new(p, n, &g, 1, &grp), ERR_FORMAT);
	g = 0;
	CHECK_INT(kex_dh_group_new(p, n, &g, 1, &grp), ERR_FORMAT);
	g = 2;
	p[n - 1] ^= 1; /* even modulus */
	CHECK_INT(kex_dh_group_new(p, n, &g, 1, &grp), ERR_FORMAT);
	p[n - 1] ^= 1;
	CHECK_INT(kex_dh_group_new(p, 0, &g, 1, &grp), ERR_FORMAT);
	CHECK(grp == NULL);
	CHECK_INT(kex_dh_group_modp(3072, &grp), ERR_INVALID_ARG);
	/* g = p-1 is refused: it generates a subgroup of order 2. */
	CHECK_INT(kex_dh_group_new(p, n, p, n, &grp), ERR_FORMAT);
	CHECK_INT(kex_dh_group_new(p, n, &g, 1, &grp), 0);
	if (grp == NULL)
		return;
	CHECK_INT(kex_dh_group_bits(grp), 2048);
	/* A random exponent: e lies in range and encaps against it works. */
	CHECK_INT(kex_dh_group_keypair(grp, &priv, &q), 0);
	CHECK_INT(kex_dh_group_encaps(grp, buf_ptr(&q), buf_len(&q), &k, &k), 0);
	kex_alg_by_name("diffie-hellman-group-exchange-sha256")->priv_free(priv);
	kex_dh_group_free(grp);
	buf_free(&q);
	buf_free(&k);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		test_vector(&vecs[i]);
	test_roundtrip("diffie-hellman-group14-sha256", 256);
	test_roundtrip("diffie-hellman-group16-sha512", 512);
	test_roundtrip("diffie-hellman-group18-sha512", 1024);
	test_group_checks();
	CHECK_DONE();
}
