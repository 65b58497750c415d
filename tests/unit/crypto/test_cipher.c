/*
 * Packet cipher tests: RFC 8439 ChaCha20/Poly1305 vectors, McGrew-Viega
 * GCM test cases and NIST SP 800-38A AES-CTR vectors through the same
 * OpenSSL calls as the packet code (MACs: test_mac.c); full
 * packet vectors made independently (gen_packet_vectors.py, python3
 * cryptography); round trips, tampering and length peeking.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "crypto/crypto_kat.h"
#include "util/err.h"

static void test_rfc8439(void)
{
	uint8_t key[32], nonce[12], zero[114] = { 0 }, out[114], exp[114], tag[16];
	const char *sunscreen = "Ladies and Gentlemen of the class of '99: If I could offer you "
				"only one tip for the future, sunscreen would be it.";
	size_t n;

	/* Section 2.3.2: block function, key 00..1f, counter 1. */
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	check_unhex("000000090000004a00000000", nonce, sizeof(nonce));
	CHECK_INT(crypto_kat_chacha20(key, 1, nonce, zero, out, 64), 0);
	n = check_unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
			"d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
			exp, sizeof(exp));
	CHECK_INT(n, 64);
	CHECK_MEM(out, exp, 64);

	/* Section 2.4.2: encryption, counter 1. */
	check_unhex("000000000000004a00000000", nonce, sizeof(nonce));
	CHECK_INT(strlen(sunscreen), 114);
	CHECK_INT(crypto_kat_chacha20(key, 1, nonce, (const uint8_t *)sunscreen, out, 114), 0);
	n = check_unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
			"f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
			"07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
			"5af90bbf74a35be6b40b8eedf2785e42874d", exp, sizeof(exp));
	CHECK_INT(n, 114);
	CHECK_MEM(out, exp, 114);

	/* Section 2.5.2: Poly1305. */
	check_unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", key,
		    sizeof(key));
	CHECK_INT(crypto_kat_poly1305(key, (const uint8_t *)"Cryptographic Forum Research Group",
				      34, tag), 0);
	check_unhex("a8061dc1305136c6c22b8baf0c0127a9", exp, 16);
	CHECK_MEM(tag, exp, 16);

	/* Section 2.6.2: Poly1305 key generation = ChaCha20 block 0. */
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	check_unhex("000000000001020304050607", nonce, sizeof(nonce));
	CHECK_INT(crypto_kat_chacha20(key, 0, nonce, zero, out, 32), 0);
	check_unhex("8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646", exp, 32);
	CHECK_MEM(out, exp, 32);
}

/* McGrew-Viega "The Galois/Counter Mode of Operation", test cases 3, 4, 15, 16. */
static void test_gcm_nist(void)
{
	static const char *p_hex =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
	static const struct {
		size_t key_len;
		size_t p_len;
		int aad;
		const char *c, *t;
	} tc[] = {
		{ 16, 64, 0,
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
		  "4d5c2af327cd64a62cf35abd2ba6fab4" },
		{ 16, 60, 1,
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ 32, 64, 0,
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
		  "b094dac5d93471bdec1a502270e3cc6c" },
		{ 32, 60, 1,
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	uint8_t key[32], iv[12], aad[20], data[64], c[64], t[16], tag[16];

	check_unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key, 32);
	check_unhex("cafebabefacedbaddecaf888", iv, sizeof(iv));
	check_unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof(aad));
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		CHECK_INT(check_unhex(p_hex, data, sizeof(data)), 64);
		check_unhex(tc[i].c, c, sizeof(c));
		check_unhex(tc[i].t, t, sizeof(t));
		CHECK_INT(crypto_kat_aes_gcm_seal(key, tc[i].key_len, iv, tc[i].aad ? aad : NULL,
						  tc[i].aad ? sizeof(aad) : 0, data, tc[i].p_len,
						  tag), 0);
		CHECK_MEM(data, c, tc[i].p_len);
		CHECK_MEM(tag, t, 16);
	}
}

/*
 * NIST SP 800-38A F.5.1, F.5.3, F.5.5 (CTR-AES128/192/256.Encrypt) through a
 * packet context without a MAC, in two 32-byte calls: the counter carries on.
 */
static void test_ctr_nist(void)
{
	static const struct {
		const char *name, *key, *c;
	} v[] = {
		{ "aes128-ctr", "2b7e151628aed2a6abf7158809cf4f3c",
		  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		  "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee" },
		{ "aes192-ctr", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		  "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94"
		  "1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050" },
		{ "aes256-ctr", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
		  "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6" },
	};
	static const char *p_hex = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				   "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	uint8_t key[32], iv[16], plain[64], data[64], exp[64];

	check_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, sizeof(iv));
	CHECK_INT(check_unhex(p_hex, plain, sizeof(plain)), 64);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const struct cipher_alg *alg = cipher_by_name(v[i].name);
		struct cipher_ctx *enc = NULL, *dec = NULL;
		uint32_t plen;

		CHECK(alg != NULL);
		if (alg == NULL)
			continue;
		CHECK_INT(check_unhex(v[i].key, key, sizeof(key)), alg->key_len);
		CHECK_INT(alg->iv_len, 16);
		CHECK_INT(alg->block_len, 16);
		CHECK_INT(alg->tag_len, 0);
		CHECK_INT(check_unhex(v[i].c, exp, sizeof(exp)), 64);
		CHECK_INT(cipher_ctx_new(alg, 1, key, iv, &enc), 0);
		CHECK_INT(cipher_ctx_new(alg, 0, key, iv, &dec), 0);
		if (enc == NULL || dec == NULL)
			goto next;
		memcpy(data, plain, 64);
		CHECK_INT(cipher_seal(enc, 0, data, 32), 0);
		CHECK_INT(cipher_seal(enc, 1, data + 32, 32), 0);
		CHECK_MEM(data, exp, 64);
		CHECK_INT(cipher_peek_length(dec, 0, data, &plen), 0);
		CHECK_INT(plen, get_u32be(plain));
		CHECK_INT(cipher_open(dec, 0, data, 32), 0);
		CHECK_INT(cipher_open(dec, 1, data + 32, 32), 0);
		CHECK_MEM(data, plain, 64);
next:
		cipher_ctx_free(enc);
		cipher_ctx_free(dec);
	}
}

struct pkt_vec {
	uint32_t seq;
	const char *hex;
};

/* Seal plain with a fresh context and compare; open it back. */
static void check_packet(const struct cipher_alg *alg, const uint8_t *key, const uint8_t *iv,
			 const uint8_t *plain, size_t len, const struct pkt_vec *v, size_t nv)
{
	struct cipher_ctx *enc = NULL, *dec = NULL;
	uint8_t pkt[256], exp[256];
	uint32_t plen;

	CHECK_INT(cipher_ctx_new(alg, 1, key, iv, &enc), 0);
	CHECK_INT(cipher_ctx_new(alg, 0, key, iv, &dec), 0);
	if (enc == NULL || dec == NULL)
		goto out;
	for (size_t i = 0; i < nv; i++) {
		CHECK_INT(check_unhex(v[i].hex, exp, sizeof(exp)), len + alg->tag_len);
		memcpy(pkt, plain, len);
		CHECK_INT(cipher_seal(enc, v[i].seq, pkt, len), 0);
		CHECK_MEM(pkt, exp, len + alg->tag_len);
		CHECK_INT(cipher_peek_length(dec, v[i].seq, pkt, &plen), 0);
		CHECK_INT(plen, len - 4);
		CHECK_INT(cipher_open(dec, v[i].seq, pkt, len), 0);
		CHECK_MEM(pkt, plain, len);
	}
out:
	cipher_ctx_free(enc);
	cipher_ctx_free(dec);
}

static void test_packet_vectors(void)
{
	static const struct pkt_vec cp[] = {
		{ 0, "c173cce3801b3682e45dd43dbd306126902d9b1f9e2fb046b78113438026cd7d"
		     "175bc014bacfb74170f287a0" },
		{ 7, "f38eb4f259517b33a1204d62ff337f8ff7d0bb3853590862e687a17772959a02"
		     "23ab516e98bf113e85a12a46" },
		{ 0xfffffffe, "868320f8d71bc628f4cb608bbe95c19ca364bcd8ad844cb7acd6295d825a661e"
			      "1a6306b5493ce54b940f52d0" },
	};
	/* Two packets in a row: the invocation counter carries from ffffffff. */
	static const struct pkt_vec g128[] = {
		{ 3, "00000020b71ae2f7be8a519b10be506a9a0132d41629b3a0a299044cb43fd739"
		     "673e1ca346cf53584e2b3d6909b44e04fdbb749e" },
		{ 4, "00000020b149fd09c68dae4dafc1b322b425d123759ae09425ae7cf89f07a6ed"
		     "4132b6d788b0a504e2ced3fc5809e60ac9dce504" },
	};
	static const struct pkt_vec g256[] = {
		{ 3, "000000204130fca0f84634c8d4129c59375fcddab0a833a682e9efda846f6f0a"
		     "b946b3d76f6337366917bb87a83ad642ec64420e" },
		{ 4, "000000207d5db22f160b3434ed38ed24b496a94e195f8f8262d4bdf412f55db9"
		     "eade81dbf4c4baead75c166f6cf9642dd1792d40" },
	};
	uint8_t key[64], iv[12], plain[64];
	size_t len;

	for (int i = 0; i < 64; i++)
		key[i] = (uint8_t)(0x40 + i);
	len = check_unhex("0000001806050000000c7373682d7573657261757468a0a1a2a3a4a5", plain,
			  sizeof(plain));
	CHECK_INT(len, 28);
	check_packet(cipher_by_name("chacha20-poly1305@openssh.com"), key, NULL, plain, len, cp,
		     3);

	len = check_unhex("000000200e050000000c7373682d7573657261757468b0b1b2b3b4b5b6b7b8b9"
			  "babbbcbd", plain, sizeof(plain));
	CHECK_INT(len, 36);
	check_unhex("0a0b0c0d00000000ffffffff", iv, sizeof(iv));
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)(0x10 + i);
	check_packet(cipher_by_name("aes128-gcm@openssh.com"), key, iv, plain, len, g128, 2);
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x20 + i);
	check_packet(cipher_by_name("aes256-gcm@openssh.com"), key, iv, plain, len, g256, 2);
}

/* Round trips with tampering for one cipher. */
static void test_roundtrip(const char *name)
{
	static const uint32_t seqs[] = { 0, 1, 2, 3, 1000, 0x7fffffff, 0xffffffff };
	const struct cipher_alg *alg = cipher_by_name(name);
	struct cipher_ctx *enc = NULL, *dec = NULL;
	uint8_t key[64], iv[12], plain[128], pkt[160], bad[160];
	size_t len;
	uint32_t plen;

	CHECK(alg != NULL);
	if (alg == NULL)
		return;
	CHECK_INT(crypto_random(key, sizeof(key)), 0);
	CHECK_INT(crypto_random(iv, sizeof(iv)), 0);
	CHECK_INT(cipher_ctx_new(alg, 1, key, iv, &enc), 0);
	CHECK_INT(cipher_ctx_new(alg, 0, key, iv, &dec), 0);
	if (enc == NULL || dec == NULL)
		goto out;
	CHECK(cipher_ctx_alg(enc) == alg);
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		/* Vary the packet size: 2..5 blocks after the length field. */
		len = 4 + alg->block_len * (2 + i % 4);
		CHECK_INT(crypto_random(plain, len), 0);
		put_u32be(plain, (uint32_t)(len - 4));
		memcpy(pkt, plain, len);
		CHECK_INT(cipher_seal(enc, seqs[i], pkt, len), 0);
		CHECK(memcmp(pkt + 4, plain + 4, len - 4) != 0);
		CHECK_INT(cipher_peek_length(dec, seqs[i], pkt, &plen), 0);
		CHECK_INT(plen, len - 4);
		/* Any flipped bit in length, body or tag fails and leaves the packet alone. */
		for (size_t j = 0; j < len + alg->tag_len; j++) {
			memcpy(bad, pkt, len + alg->tag_len);
			bad[j] ^= (uint8_t)(1u << (j % 8));
			CHECK_INT(cipher_open(dec, seqs[i], bad, len), ERR_MAC);
			CHECK_MEM(bad, pkt, j);
			CHECK_MEM(bad + j + 1, pkt + j + 1, len + alg->tag_len - j - 1);
		}
		/* Wrong sequence number: chacha uses it as the nonce. */
		if (alg->iv_len == 0) {
			memcpy(bad, pkt, len + alg->tag_len);
			CHECK_INT(cipher_open(dec, seqs[i] + 1, bad, len), ERR_MAC);
		}
		CHECK_INT(cipher_open(dec, seqs[i], pkt, len), 0);
		CHECK_MEM(pkt, plain, len);
	}
	/* Lengths that are not whole blocks after the length field are refused. */
	CHECK_INT(cipher_seal(enc, 0, pkt, 4 + alg->block_len + 1), ERR_FORMAT);
	CHECK_INT(cipher_open(dec, 0, pkt, 4), ERR_FORMAT);
out:
	cipher_ctx_free(enc);
	cipher_ctx_free(dec);
}

static void test_table(void)
{
	const struct cipher_alg *a;

	CHECK_STR(cipher_default_list(),
		  "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
		  "aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	CHECK_STR(cipher_supported_list(), cipher_default_list());
	CHECK(cipher_by_name("aes128-cbc") == NULL);
	CHECK(cipher_by_name("3des-cbc") == NULL);
	CHECK(cipher_by_name(NULL) == NULL);
	a = cipher_by_name("chacha20-poly1305@openssh.com");
	CHECK(a != NULL && a->key_len == 64 && a->iv_len == 0 && a->block_len == 8 &&
	      a->tag_len == 16);
	a = cipher_by_name("aes128-gcm@openssh.com");
	CHECK(a != NULL && a->key_len == 16 && a->iv_len == 12 && a->block_len == 16 &&
	      a->tag_len == 16);
	a = cipher_by_name("aes256-gcm@openssh.com");
	CHECK(a != NULL && a->key_len == 32 && a->iv_len == 12 && a->block_len == 16 &&
	      a->tag_len == 16);
}

int main(void)
{
	test_table();
	test_rfc8439();
	test_gcm_nist();
	test_ctr_nist();
	test_packet_vectors();
	test_roundtrip("chacha20-poly1305@openssh.com");
	test_roundtrip("aes128-gcm@openssh.com");
	test_roundtrip("aes256-gcm@openssh.com");
	CHECK_DONE();
}
