/*
 * curve25519-sha256 (RFC 8731): RFC 7748 section 6.1 X25519 vectors and a
 * keypair/encaps/decaps round trip through the table.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "util/err.h"
#include "wire/rd.h"

#define ALICE_SK "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define ALICE_PK "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define BOB_SK "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PK "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define SHARED "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

/* The mpint wire encoding of the 32-byte shared secret, as RFC 8731 section 3.1 asks. */
static void check_mpint(const struct buf *k_enc, const uint8_t *secret)
{
	const uint8_t *mag;
	size_t n;
	struct rd r;

	rd_init(&r, buf_ptr(k_enc), buf_len(k_enc));
	CHECK_INT(rd_mpint_pos(&r, &mag, &n), 0);
	CHECK_INT(rd_end(&r), 0);
	/* The shared secret above starts with 0x4a: no leading zero, no sign byte. */
	CHECK_INT(buf_len(k_enc), 4 + 32);
	CHECK_INT(n, 32);
	if (n == 32)
		CHECK_MEM(mag, secret, 32);
}

static void test_rfc7748(void)
{
	const struct kex_alg *kex = kex_alg_by_name("curve25519-sha256");
	uint8_t sk[32], pk[32], secret[32];
	struct kex_priv *alice = NULL, *bob = NULL;
	struct buf pa, pb, ka, kb;

	buf_init(&pa);
	buf_init(&pb);
	buf_init(&ka);
	buf_init(&kb);
	CHECK(kex != NULL);
	if (kex == NULL)
		return;
	check_unhex(SHARED, secret, sizeof(secret));
	check_unhex(ALICE_SK, sk, sizeof(sk));
	CHECK_INT(kex_x25519_keypair_from_raw(sk, sizeof(sk), &alice, &pa), 0);
	check_unhex(ALICE_PK, pk, sizeof(pk));
	CHECK_INT(buf_len(&pa), 32);
	CHECK_MEM(buf_ptr(&pa), pk, 32);
	check_unhex(BOB_SK, sk, sizeof(sk));
	CHECK_INT(kex_x25519_keypair_from_raw(sk, sizeof(sk), &bob, &pb), 0);
	check_unhex(BOB_PK, pk, sizeof(pk));
	CHECK_INT(buf_len(&pb), 32);
	CHECK_MEM(buf_ptr(&pb), pk, 32);
	if (alice == NULL || bob == NULL)
		goto out;
	CHECK_INT(kex->decaps(alice, buf_ptr(&pb), buf_len(&pb), &ka), 0);
	CHECK_INT(kex->decaps(bob, buf_ptr(&pa), buf_len(&pa), &kb), 0);
	check_mpint(&ka, secret);
	check_mpint(&kb, secret);
out:
	kex->priv_free(alice);
	kex->priv_free(bob);
	buf_free(&pa);
	buf_free(&pb);
	buf_free(&ka);
	buf_free(&kb);
}

static void test_roundtrip(const char *name)
{
	const struct kex_alg *kex = kex_alg_by_name(name);
	struct kex_priv *priv = NULL;
	struct buf qc, qs, kc, ks;
	uint8_t zero[32] = { 0 };

	buf_init(&qc);
	buf_init(&qs);
	buf_init(&kc);
	buf_init(&ks);
	CHECK(kex != NULL);
	if (kex == NULL)
		return;
	CHECK_INT(kex->hash, HASH_SHA256);
	CHECK_INT(kex->keypair(&priv, &qc), 0);
	CHECK_INT(buf_len(&qc), 32);
	CHECK_INT(kex->encaps(buf_ptr(&qc), buf_len(&qc), &qs, &ks), 0);
	CHECK_INT(buf_len(&qs), 32);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qs), buf_len(&qs), &kc), 0);
	CHECK(buf_len(&kc) > 4 && buf_len(&kc) <= 4 + 33);
	CHECK_INT(buf_len(&kc), buf_len(&ks));
	CHECK(buf_len(&kc) == buf_len(&ks) &&
	      memcmp(buf_ptr(&kc), buf_ptr(&ks), buf_len(&kc)) == 0);

	/* Wrong lengths are format errors and leave the outputs untouched. */
	buf_reset(&qs);
	buf_reset(&ks);
	CHECK_INT(kex->encaps(buf_ptr(&qc), 31, &qs, &ks), ERR_FORMAT);
	CHECK_INT(kex->encaps(buf_ptr(&qc), 0, &qs, &ks), ERR_FORMAT);
	CHECK_INT(buf_len(&qs), 0);
	CHECK_INT(buf_len(&ks), 0);
	buf_reset(&kc);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qc), 33, &kc), ERR_FORMAT);
	/* A low-order point (zero) gives an all-zero secret: rejected. */
	CHECK_INT(kex->decaps(priv, zero, sizeof(zero), &kc), ERR_CRYPTO);
	CHECK_INT(kex->encaps(zero, sizeof(zero), &qs, &ks), ERR_CRYPTO);
	CHECK_INT(buf_len(&kc), 0);
	CHECK_INT(buf_len(&qs), 0);
	kex->priv_free(priv);
	buf_free(&qc);
	buf_free(&qs);
	buf_free(&kc);
	buf_free(&ks);
}

/* OpenSSH 9.2's default KexAlgorithms order, with the hybrid first when libcrypto has ML-KEM. */
#define OPENSSH_KEX                                                                     \
	"curve25519-sha256,curve25519-sha256@libssh.org,"                               \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"                     \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"           \
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"

static void test_lists(void)
{
	const char *names[] = { "curve25519-sha256", "curve25519-sha256@libssh.org",
				"ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
				"diffie-hellman-group-exchange-sha256",
				"diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
				"diffie-hellman-group14-sha256" };
	const enum hash_alg hashes[] = { HASH_SHA256, HASH_SHA256, HASH_SHA256, HASH_SHA384,
					 HASH_SHA512, HASH_SHA256, HASH_SHA512, HASH_SHA512,
					 HASH_SHA256 };

	if (kex_alg_by_name("mlkem768x25519-sha256") != NULL)
		CHECK_STR(kex_default_list(), "mlkem768x25519-sha256," OPENSSH_KEX);
	else
		CHECK_STR(kex_default_list(), OPENSSH_KEX);
	CHECK_STR(kex_supported_list(), kex_default_list());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct kex_alg *k = kex_alg_by_name(names[i]);

		CHECK(k != NULL);
		if (k == NULL)
			continue;
		CHECK_STR(k->name, names[i]);
		CHECK_INT(k->hash, hashes[i]);
		CHECK_INT(k->group_exchange, i == 5);
		CHECK(k->decaps != NULL && k->priv_free != NULL);
		CHECK(k->group_exchange ? k->keypair == NULL : k->keypair != NULL);
	}
	/* Not implemented (and not in OpenSSH 9.2's defaults). */
	CHECK(kex_alg_by_name("diffie-hellman-group14-sha1") == NULL);
	CHECK(kex_alg_by_name("diffie-hellman-group1-sha1") == NULL);
	CHECK(kex_alg_by_name("sntrup761x25519-sha512@openssh.com") == NULL);
	CHECK(kex_alg_by_name(NULL) == NULL);
}

int main(void)
{
	test_lists();
	test_rfc7748();
	test_roundtrip("curve25519-sha256");
	test_roundtrip("curve25519-sha256@libssh.org");
	CHECK_DONE();
}
