/*
 * ecdh-sha2-nistp256/384/521 (RFC 5656): the RFC 5903 section 8 vectors
 * (shared secret of the 256-, 384- and 521-bit random ECP groups) through our
 * KEM functions, round trips through the table, and refusal of bad points.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "util/err.h"
#include "wire/rd.h"

struct vec {
	const char *kex;
	size_t coord;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

/* RFC 5903 sections 8.1, 8.2, 8.3. */
static const struct vec vecs[] = {
	{ "ecdh-sha2-nistp256", 32,
	  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
	  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	  "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
	  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
	{ "ecdh-sha2-nistp384", 48,
	  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3f"
	  "aef896783ab194",
	  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c8"
	  "8732aee95f41aa",
	  "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae6"
	  "9b4c634573a81c",
	  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed296"
	  "0e4bd55a7448fc",
	  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96f"
	  "da41d0774a3571",
	  "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5e"
	  "aad96db9e6386c",
	  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09c"
	  "f5d4a270f59746" },
	{ "ecdh-sha2-nistp521", 66,
	  "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a095aa85a30fe1c2952c"
	  "6771d937ba9777f5957b2639bab072462f68c27a57382d4a52",
	  "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbee1e3bf42e00b8e380a"
	  "eae57c2d107564941885942af5a7f4601723c4195d176ced3e",
	  "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10ad8a788015ac405d779"
	  "9dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f9582",
	  "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e9c677d600b343757a3"
	  "bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb151685eb9",
	  "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a219b97c356436adc6e95"
	  "bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9460f",
	  "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87220b6536c5c408a1d2"
	  "aebb8e86d678ae49cb57091f4732296579ab44fcd17f0fc56a",
	  "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04d1427e73ca4baa240a"
	  "34786859810c06b3c715a3a8cc3151f2bee417996d19f3ddea" },
};

/* 0x04 || x || y */
static size_t point(const struct vec *v, const char *x, const char *y, uint8_t *out)
{
	out[0] = 0x04;
	check_unhex(x, out + 1, v->coord);
	check_unhex(y, out + 1 + v->coord, v->coord);
	return 1 + 2 * v->coord;
}

/* k_enc is mpint(x-coordinate): leading zero bytes dropped, sign byte if needed. */
static void check_k(const struct buf *k_enc, const uint8_t *x, size_t n)
{
	const uint8_t *mag;
	size_t mlen, skip = 0;
	struct rd r;

	while (skip < n && x[skip] == 0)
		skip++;
	rd_init(&r, buf_ptr(k_enc), buf_len(k_enc));
	CHECK_INT(rd_mpint_pos(&r, &mag, &mlen), 0);
	CHECK_INT(rd_end(&r), 0);
	CHECK_INT(mlen, n - skip);
	if (mlen == n - skip)
		CHECK_MEM(mag, x + skip, mlen);
}

static void test_rfc5903(const struct vec *v)
{
	const struct kex_alg *kex = kex_alg_by_name(v->kex);
	uint8_t sk[66], gi[133], gr[133], z[66];
	size_t gi_len, gr_len;
	struct kex_priv *a = NULL, *b = NULL;
	struct buf ka, kb;

	fprintf(stderr, "RFC 5903 %s\n", v->kex);
	buf_init(&ka);
	buf_init(&kb);
	CHECK(kex != NULL);
	if (kex == NULL)
		return;
	gi_len = point(v, v->gix, v->giy, gi);
	gr_len = point(v, v->grx, v->gry, gr);
	check_unhex(v->girx, z, v->coord);
	check_unhex(v->i, sk, v->coord);
	CHECK_INT(kex_ecdh_keypair_from_raw(v->kex, sk, v->coord, gi, gi_len, &a), 0);
	check_unhex(v->r, sk, v->coord);
	CHECK_INT(kex_ecdh_keypair_from_raw(v->kex, sk, v->coord, gr, gr_len, &b), 0);
	if (a == NULL || b == NULL)
		goto out;
	CHECK_INT(kex->decaps(a, gr, gr_len, &ka), 0);
	CHECK_INT(kex->decaps(b, gi, gi_len, &kb), 0);
	check_k(&ka, z, v->coord);
	check_k(&kb, z, v->coord);
	/* An unknown method name is refused. */
	CHECK(kex_ecdh_keypair_from_raw("ecdh-sha2-nistp999", sk, v->coord, gr, gr_len, &a) ==
	      ERR_INVALID_ARG);
out:
	kex->priv_free(a);
	kex->priv_free(b);
	buf_free(&ka);
	buf_free(&kb);
}

static void test_roundtrip(const char *name, size_t coord)
{
	const struct kex_alg *kex = kex_alg_by_name(name);
	struct kex_priv *priv = NULL;
	struct buf qc, qs, kc, ks;
	uint8_t bad[133];
	size_t plen = 1 + 2 * coord;

	buf_init(&qc);
	buf_init(&qs);
	buf_init(&kc);
	buf_init(&ks);
	CHECK(kex != NULL);
	if (kex == NULL)
		return;
	CHECK_INT(kex->keypair(&priv, &qc), 0);
	CHECK_INT(buf_len(&qc), plen);
	CHECK(buf_len(&qc) > 0 && buf_ptr(&qc)[0] == 0x04);
	CHECK_INT(kex->encaps(buf_ptr(&qc), buf_len(&qc), &qs, &ks), 0);
	CHECK_INT(buf_len(&qs), plen);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qs), buf_len(&qs), &kc), 0);
	CHECK(buf_len(&kc) > 4 && buf_len(&kc) <= 4 + coord + 1);
	CHECK(buf_len(&kc) == buf_len(&ks) &&
	      memcmp(buf_ptr(&kc), buf_ptr(&ks), buf_len(&kc)) == 0);

	/* Peer points: wrong length, compressed, off the curve, infinity. */
	buf_reset(&qs);
	buf_reset(&ks);
	buf_reset(&kc);
	memcpy(bad, buf_ptr(&qc), plen);
	CHECK_INT(kex->encaps(bad, plen - 1, &qs, &ks), ERR_FORMAT);
	CHECK_INT(kex->decaps(priv, bad, plen + 1, &kc), ERR_FORMAT);
	CHECK_INT(kex->encaps(bad, 1 + coord, &qs, &ks), ERR_FORMAT);
	bad[0] = 0x02;
	CHECK_INT(kex->encaps(bad, plen, &qs, &ks), ERR_FORMAT);
	bad[0] = 0x04;
	bad[plen - 1] ^= 0x01; /* y no longer matches x */
	CHECK_INT(kex->encaps(bad, plen, &qs, &ks), ERR_FORMAT);
	CHECK_INT(kex->decaps(priv, bad, plen, &kc), ERR_FORMAT);
	memset(bad + 1, 0, plen - 1); /* (0,0) is not on these curves */
	CHECK_INT(kex->decaps(priv, bad, plen, &kc), ERR_FORMAT);
	CHECK_INT(buf_len(&qs), 0);
	CHECK_INT(buf_len(&ks), 0);
	CHECK_INT(buf_len(&kc), 0);
	kex->priv_free(priv);
	buf_free(&qc);
	buf_free(&qs);
	buf_free(&kc);
	buf_free(&ks);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		test_rfc5903(&vecs[i]);
		test_roundtrip(vecs[i].kex, vecs[i].coord);
	}
	CHECK_DONE();
}
