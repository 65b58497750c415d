/*
 * Hash, HMAC and the RFC 4253 section 7.2 KDF. KDF vectors: NIST CAVS 14.1
 * SSH KDF test vectors (as used in OpenSSL's evpkdf_ssh.txt). Hash vectors:
 * FIPS 180 "abc"; HMAC: RFC 4231 test case 2.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "util/err.h"

static void test_hash(void)
{
	uint8_t out[HASH_MAX_LEN], exp[HASH_MAX_LEN];
	const char *msg = "what do ya want for nothing?";

	CHECK_INT(hash_len(HASH_SHA1), 20);
	CHECK_INT(hash_len(HASH_SHA256), 32);
	CHECK_INT(hash_len(HASH_SHA384), 48);
	CHECK_INT(hash_len(HASH_SHA512), 64);
	CHECK_INT(hash_digest(HASH_SHA256, "abc", 3, out), 0);
	check_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", exp, 32);
	CHECK_MEM(out, exp, 32);
	CHECK_INT(hash_digest(HASH_SHA1, "abc", 3, out), 0);
	check_unhex("a9993e364706816aba3e25717850c26c9cd0d89d", exp, 20);
	CHECK_MEM(out, exp, 20);
	CHECK_INT(hash_digest(HASH_SHA384, "abc", 3, out), 0);
	check_unhex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		    "8086072ba1e7cc2358baeca134c825a7", exp, 48);
	CHECK_MEM(out, exp, 48);

	CHECK_INT(hmac_digest(HASH_SHA256, "Jefe", 4, msg, strlen(msg), out), 0);
	check_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", exp, 32);
	CHECK_MEM(out, exp, 32);
	CHECK_INT(hmac_digest(HASH_SHA512, "Jefe", 4, msg, strlen(msg), out), 0);
	check_unhex("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737", exp, 64);
	CHECK_MEM(out, exp, 64);
}

struct kdf_vec {
	enum hash_alg alg;
	const char *k, *h, *sid;
	char letter;
	const char *out;
};

#define K1 "0000008055bae931c07fd824bf10add1902b6fbc7c665347383498a686929ff5a25f8e40cb6645ea" \
	   "814fb1a5e0a11f852f86255641e5ed986e83a78bc8269480eac0b0dfd770cab92e7a28dd87ff4524" \
	   "66d6ae867cead63b366b1c286e6c4811a9f14c27aea14c5171d49b78c06e3735d36e6a3be321dd5f" \
	   "c82308f34ee1cb17fba94a59"
#define H1 "a4ebd45934f56792b5112dcd75a1075fdc889245"
#define K2 "0000008100b3462ee942f026de0922ab88b6ebf5ee2c968a4e12cbf374593f3542c6eb619ea1ec29" \
	   "b958c65a83305c37008de3b691ec020cc989e6c5393dae36bbb3bf0d1a29ed0bab6d23f60e63e277" \
	   "119b7a4c0a5fa96d9c043a5ace58034052ffb71b8bf0eaea8a6bc9a9834c512d7470122c71908a44" \
	   "ef7f3227b512f6971c82436e96"
#define H2 "3d5d7f742b08976755e2eb8457f1d9401d918bbf7e201fe0742f00ae799082df"
#define S2 "50bcad2970e07c3ad3f14db05d451d77304fe70927ba26815fcaf1f3a723af91"
#define K3 "000001006ac382eaaca093e125e25c24bebc84640c11987507344b5c739ceb84a9e0b222b9a8b51c" \
	   "839e5ebe49cfadbfb39599764ed522099dc912751950dc7dc97fbdc06328b68f22781fd315af5680" \
	   "09a5509e5b87a11bf527c056daffd82ab6cbc25cca37143459e7bc63bcde52757adeb7df01cf1217" \
	   "3f1fef8102ec5ab142c213dd9d30696278a8d8bc32dde9592d28c078c6d92b947d825acaab649484" \
	   "6a49de24b9623f4889e8adc38e8c669effef176040ad945e90a7d3eec15efeee78ae71043c965111" \
	   "03a16ba7caf0acd0642efdbe809934faa1a5f1bd11043649b25ccd1fee2e38815d4d5f5fc6b41029" \
	   "69f21c22ae1b0e7d3603a556a13262ff628de222"
#define H3 "7b7001185e256d4493445f39a55fb905e6321f4b5dd8bbf3100d51ba0bda3d2d"

static const struct kdf_vec kdf_vecs[] = {
	{ HASH_SHA1, K1, H1, H1, 'A', "e2f627c0b43f1ac1" },
	{ HASH_SHA1, K1, H1, H1, 'C', "1ca9d310f86d51f6cb8e7007cb2b220d55c5281ce680b533" },
	{ HASH_SHA1, K1, H1, H1, 'E', "472eb8a26166ae6aa8e06868e45c3b26e6eeed06" },
	{ HASH_SHA256, K2, H2, S2, 'B', "15b254fe3510dd77" },
	{ HASH_SHA256, K2, H2, S2, 'D', "277c2c4ad3d4a3bec4bdc5329bb5f9d4e39aa06b1e115e77" },
	{ HASH_SHA256, K2, H2, S2, 'F',
	  "1f3082fa5ac8ec565595c4c5b8a7ddbba88ed4936fca913bba6a8715dc856f30" },
	{ HASH_SHA256, K3, H3, H3, 'A', "81f0330ef6f05361b3823bfded6e1de9" },
	{ HASH_SHA256, K3, H3, H3, 'E',
	  "24ee559ad7ce712b685d0b2271e443c17ab1d1dceb5a360569d25d5dc243002f" },
};

static void test_kdf(void)
{
	uint8_t k[512], h[64], sid[64], exp[64], out[64], longer[100];
	size_t kl, hl, sl, el;

	for (size_t i = 0; i < sizeof(kdf_vecs) / sizeof(kdf_vecs[0]); i++) {
		const struct kdf_vec *v = &kdf_vecs[i];

		kl = check_unhex(v->k, k, sizeof(k));
		hl = check_unhex(v->h, h, sizeof(h));
		sl = check_unhex(v->sid, sid, sizeof(sid));
		el = check_unhex(v->out, exp, sizeof(exp));
		CHECK(kl > 100 && hl >= 20 && sl >= 20 && el >= 8);
		memset(out, 0, sizeof(out));
		CHECK_INT(kdf_derive(v->alg, k, kl, h, hl, v->letter, sid, sl, out, el), 0);
		CHECK_MEM(out, exp, el);
		/* Longer outputs extend, never change, the prefix (RFC 4253 section 7.2). */
		CHECK_INT(kdf_derive(v->alg, k, kl, h, hl, v->letter, sid, sl, longer,
				     sizeof(longer)), 0);
		CHECK_MEM(longer, exp, el);
	}
	kl = check_unhex(K1, k, sizeof(k));
	hl = check_unhex(H1, h, sizeof(h));
	CHECK_INT(kdf_derive(HASH_SHA1, k, kl, h, hl, 'G', h, hl, out, 8), ERR_INVALID_ARG);
}

int main(void)
{
	test_hash();
	test_kdf();
	CHECK_DONE();
}
