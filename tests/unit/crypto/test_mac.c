/*
 * MAC tests: RFC 2202 / RFC 4231 HMAC vectors through the packet MAC context
 * (key set once, re-initialised per use), the sequence-number prefix, and
 * whole-packet vectors for aes128-ctr with an encrypt-and-MAC and an
 * encrypt-then-MAC MAC made independently (gen_mac_vectors.py: python3
 * cryptography + hmac). Tampering: ETM refuses before decrypting.
 */
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "crypto/crypto_kat.h"
#include "util/err.h"

static void test_table(void)
{
	static const struct {
		const char *name;
		size_t len;
		int etm;
	} t[] = {
		{ "hmac-sha2-256-etm@openssh.com", 32, 1 }, { "hmac-sha2-512-etm@openssh.com", 64, 1 },
		{ "hmac-sha1-etm@openssh.com", 20, 1 },     { "hmac-sha2-256", 32, 0 },
		{ "hmac-sha2-512", 64, 0 },                 { "hmac-sha1", 20, 0 },
	};

	CHECK_STR(mac_default_list(), "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
				      "hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1");
	CHECK_STR(mac_supported_list(), mac_default_list());
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct mac_alg *m = mac_by_name(t[i].name);

		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK_INT(m->key_len, t[i].len);
		CHECK_INT(m->mac_len, t[i].len);
		CHECK_INT(m->etm, t[i].etm);
	}
	CHECK(mac_by_name("umac-64@openssh.com") == NULL);
	CHECK(mac_by_name("hmac-md5") == NULL);
	CHECK(mac_by_name(NULL) == NULL);
}

/* RFC 2202 sections 3 (SHA-1) and RFC 4231 section 4 (SHA-256/512): cases 1, 2 and 6/7. */
static void test_rfc_vectors(void)
{
	static const struct {
		enum hash_alg hash;
		int kcase;
		const char *exp;
	} v[] = {
		{ HASH_SHA1, 0, "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ HASH_SHA1, 1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ HASH_SHA256, 0, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ HASH_SHA256, 1, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ HASH_SHA256, 2, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ HASH_SHA512, 0, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
				  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
		{ HASH_SHA512, 1, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
				  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
		{ HASH_SHA512, 2, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
				  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	};
	static const char *data[] = { "Hi There", "what do ya want for nothing?",
				      "Test Using Larger Than Block-Size Key - Hash Key First" };
	uint8_t keys[3][131], out[64], out2[64], exp[64], ref[64], sq[64];
	size_t klen[3] = { 20, 4, 131 };

	memset(keys[0], 0x0b, 20);
	memcpy(keys[1], "Jefe", 4);
	memset(keys[2], 0xaa, 131);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t hl = hash_len(v[i].hash), dl = strlen(data[v[i].kcase]);
		const uint8_t *d = (const uint8_t *)data[v[i].kcase];
		struct mac_alg alg = { "kat", v[i].hash, klen[v[i].kcase], hl, 0 };
		struct mac_ctx *m = NULL;

		CHECK_INT(check_unhex(v[i].exp, exp, sizeof(exp)), hl);
		CHECK_INT(mac_ctx_new(&alg, keys[v[i].kcase], &m), 0);
		if (m == NULL)
			continue;
		CHECK_INT(crypto_kat_mac_raw(m, d, dl, out), 0);
		CHECK_MEM(out, exp, hl);
		/* The same context again, after a packet MAC in between: same key kept. */
		CHECK_INT(mac_compute(m, 77, d, dl, sq), 0);
		CHECK_INT(crypto_kat_mac_raw(m, d, dl, out2), 0);
		CHECK_MEM(out2, exp, hl);
		/* mac_compute = HMAC(uint32 seq || data), checked against the one-shot HMAC. */
		{
			uint8_t buf[128];

			put_u32be(buf, 77);
			memcpy(buf + 4, d, dl);
			CHECK_INT(hmac_digest(v[i].hash, keys[v[i].kcase], klen[v[i].kcase], buf,
					      dl + 4, ref), 0);
			CHECK_MEM(sq, ref, hl);
		}
		CHECK_INT(mac_check(m, 77, d, dl, ref), 0);
		ref[hl - 1] ^= 1;
		CHECK_INT(mac_check(m, 77, d, dl, ref), ERR_MAC);
		CHECK_INT(mac_check(m, 78, d, dl, sq), ERR_MAC);
		mac_ctx_free(m);
	}
}

/* gen_mac_vectors.py: aes128-ctr key 10..1f, IV 30..3f; packets seq 5 then 6. */
static const char *plain_em = "0000001c0a050000000c7373682d7573657261757468c0c1c2c3c4c5c6c7c8c9";
static const char *plain_etm =
	"000000200e050000000c7373682d7573657261757468c0c1c2c3c4c5c6c7c8c9cacbcccd";

struct mac_vec {
	const char *mac;
	uint8_t key_first; /* MAC key = key_first, key_first+1, ... */
	const char *plain;
	const char *pkt[2];
};

static const struct mac_vec vecs[] = {
	{ "hmac-sha1", 0x50, NULL,
	  { "e82546d34f3d181b3f06574a692a8873879e8e5be26cacf5868185b936bf43a0"
	    "6ae8746c6b02ba0f479a5ea1b497f20207621872",
	    "edbb081fd7c08d2d02b05b6768eefe058d5fa38937feaaa266bfc0572c11e029"
	    "8fea1d9df18e69434becb306ec5475475a0d2d95" } },
	{ "hmac-sha2-256", 0x60, NULL,
	  { "e82546d34f3d181b3f06574a692a8873879e8e5be26cacf5868185b936bf43a0"
	    "7db0a2af4f829c1aa0600bc7504620f1611c915f19d68bc37cb283e02e8965b6",
	    "edbb081fd7c08d2d02b05b6768eefe058d5fa38937feaaa266bfc0572c11e029"
	    "648ceffb5b89e3fb4334bdb6ffd7627d0b701ff5a2822a55cfcf5e18ab581c67" } },
	{ "hmac-sha2-256-etm@openssh.com", 0x60, NULL,
	  { "00000020e62046cf45346b685727514a64759c7596842fef54c7a8f1828589b5"
	    "3ab347a436150c2f744d4d7bcf3dafc343f03eb6dc4fb0c2262d4dc6ef49ab42b98f077f",
	    "00000020e3be0803ddc9fe5e6a915d6765b1ea039c45023d8155aea662bbcc5b"
	    "201de42d9fa5362b9b3a413187dadcd3b848dda57ebf7e483828d041419e1aed982cf6e5" } },
};

static int new_pair(const struct mac_alg *m, const uint8_t *mkey, struct cipher_ctx **enc,
		    struct cipher_ctx **dec)
{
	const struct cipher_alg *alg = cipher_by_name("aes128-ctr");
	uint8_t key[16], iv[16];

	for (int i = 0; i < 16; i++) {
		key[i] = (uint8_t)(0x10 + i);
		iv[i] = (uint8_t)(0x30 + i);
	}
	*enc = *dec = NULL;
	if (cipher_ctx_new(alg, 1, key, iv, enc) != 0 || cipher_ctx_new(alg, 0, key, iv, dec) != 0)
		return -1;
	if (cipher_ctx_set_mac(*enc, m, mkey) != 0 || cipher_ctx_set_mac(*dec, m, mkey) != 0)
		return -1;
	return 0;
}

static void test_packet_vectors(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct mac_alg *m = mac_by_name(vecs[i].mac);
		struct cipher_ctx *enc = NULL, *dec = NULL;
		uint8_t mkey[64], plain[64], pkt[160], exp[160];
		size_t len;
		uint32_t plen;

		CHECK(m != NULL);
		if (m == NULL)
			continue;
		for (int k = 0; k < 64; k++)
			mkey[k] = (uint8_t)(vecs[i].key_first + k);
		len = check_unhex(m->etm ? plain_etm : plain_em, plain, sizeof(plain));
		CHECK_INT(new_pair(m, mkey, &enc, &dec), 0);
		if (enc == NULL || dec == NULL)
			goto next;
		CHECK_STR(cipher_ctx_mac_name(enc), vecs[i].mac);
		CHECK_INT(cipher_ctx_tag_len(enc), m->mac_len);
		CHECK_INT(cipher_ctx_len_separate(enc), m->etm);
		CHECK_INT(cipher_ctx_peek_bytes(enc), m->etm ? 4 : 16);
		for (uint32_t s = 0; s < 2; s++) {
			CHECK_INT(check_unhex(vecs[i].pkt[s], exp, sizeof(exp)), len + m->mac_len);
			memcpy(pkt, plain, len);
			CHECK_INT(cipher_seal(enc, 5 + s, pkt, len), 0);
			CHECK_MEM(pkt, exp, len + m->mac_len);
			CHECK_INT(cipher_peek_length(dec, 5 + s, pkt, &plen), 0);
			CHECK_INT(plen, len - 4);
			CHECK_INT(cipher_open(dec, 5 + s, pkt, len), 0);
			CHECK_MEM(pkt, plain, len);
		}
next:
		cipher_ctx_free(enc);
		cipher_ctx_free(dec);
	}
}

/* ETM: any flipped bit is refused before decryption and leaves the stream usable. */
static void test_etm_tamper(void)
{
	const struct mac_alg *m = mac_by_name("hmac-sha2-512-etm@openssh.com");
	struct cipher_ctx *enc = NULL, *dec = NULL;
	uint8_t mkey[64] = { 1, 2, 3 }, plain[80], pkt[160], bad[160];
	size_t len = 4 + 48, total = len + 64;

	CHECK_INT(new_pair(m, mkey, &enc, &dec), 0);
	if (enc == NULL || dec == NULL)
		goto out;
	CHECK_INT(crypto_random(plain, len), 0);
	put_u32be(plain, (uint32_t)(len - 4));
	memcpy(pkt, plain, len);
	CHECK_INT(cipher_seal(enc, 9, pkt, len), 0);
	CHECK_MEM(pkt, plain, 4); /* the length stays in clear */
	for (size_t j = 0; j < total; j++) {
		memcpy(bad, pkt, total);
		bad[j] ^= (uint8_t)(1u << (j % 8));
		CHECK_INT(cipher_open(dec, 9, bad, len), ERR_MAC);
		CHECK_MEM(bad, pkt, j);
		CHECK_MEM(bad + j + 1, pkt + j + 1, total - j - 1);
	}
	memcpy(bad, pkt, total);
	CHECK_INT(cipher_open(dec, 10, bad, len), ERR_MAC);
	CHECK_INT(cipher_open(dec, 9, pkt, len), 0);
	CHECK_MEM(pkt, plain, len);
	/* ETM lengths: the body after the length is whole blocks. */
	CHECK_INT(cipher_seal(enc, 0, pkt, 48), ERR_FORMAT);
out:
	cipher_ctx_free(enc);
	cipher_ctx_free(dec);
}

/* Encrypt-and-MAC: tampering fails with ERR_MAC and no plaintext is left behind. */
static void test_em_tamper(void)
{
	const struct mac_alg *m = mac_by_name("hmac-sha1");
	uint8_t mkey[20] = { 9 }, plain[64], pkt[100], bad[100], zero[100] = { 0 };
	size_t len = 48, total = len + 20;

	CHECK_INT(crypto_random(plain, len), 0);
	put_u32be(plain, (uint32_t)(len - 4));
	for (size_t j = 0; j < total; j += 3) {
		struct cipher_ctx *enc = NULL, *dec = NULL;
		uint32_t plen;

		CHECK_INT(new_pair(m, mkey, &enc, &dec), 0);
		if (enc == NULL || dec == NULL) {
			cipher_ctx_free(enc);
			cipher_ctx_free(dec);
			continue;
		}
		memcpy(pkt, plain, len);
		CHECK_INT(cipher_seal(enc, 3, pkt, len), 0);
		memcpy(bad, pkt, total);
		bad[j] ^= 0x20;
		if (j >= 4) { /* a flipped length byte changes the length; others do not */
			CHECK_INT(cipher_peek_length(dec, 3, bad, &plen), 0);
			CHECK_INT(plen, len - 4);
		}
		CHECK_INT(cipher_open(dec, 3, bad, len), ERR_MAC);
		CHECK_MEM(bad, zero, len);
		cipher_ctx_free(enc);
		cipher_ctx_free(dec);
	}
	/* E&M lengths: the whole packet is whole blocks. */
	{
		struct cipher_ctx *enc = NULL, *dec = NULL;

		CHECK_INT(new_pair(m, mkey, &enc, &dec), 0);
		if (enc != NULL)
			CHECK_INT(cipher_seal(enc, 0, pkt, 52), ERR_FORMAT);
		cipher_ctx_free(enc);
		cipher_ctx_free(dec);
	}
}

static void test_attach(void)
{
	const struct cipher_alg *gcm = cipher_by_name("aes128-gcm@openssh.com");
	const struct mac_alg *m = mac_by_name("hmac-sha2-256");
	struct cipher_ctx *c = NULL;
	uint8_t key[32] = { 0 }, iv[16] = { 0 };

	CHECK_INT(cipher_ctx_new(gcm, 1, key, iv, &c), 0);
	if (c != NULL) {
		CHECK_INT(cipher_ctx_set_mac(c, m, key), ERR_INVALID_ARG);
		CHECK_STR(cipher_ctx_mac_name(c), "<implicit>");
		CHECK_INT(cipher_ctx_tag_len(c), 16);
		CHECK_INT(cipher_ctx_len_separate(c), 1);
		CHECK_INT(cipher_ctx_peek_bytes(c), 4);
	}
	cipher_ctx_free(c);
	c = NULL;
	CHECK_INT(cipher_ctx_new(cipher_by_name("aes256-ctr"), 1, key, iv, &c), 0);
	if (c != NULL) {
		CHECK_STR(cipher_ctx_mac_name(c), "none");
		CHECK_INT(cipher_ctx_tag_len(c), 0);
		CHECK_INT(cipher_ctx_set_mac(c, m, key), 0);
		CHECK_INT(cipher_ctx_set_mac(c, m, key), ERR_INVALID_ARG); /* only once */
		CHECK_STR(cipher_ctx_mac_name(c), "hmac-sha2-256");
	}
	cipher_ctx_free(c);
}

int main(void)
{
	test_table();
	test_rfc_vectors();
	test_packet_vectors();
	test_etm_tamper();
	test_em_tamper();
	test_attach();
	CHECK_DONE();
}
