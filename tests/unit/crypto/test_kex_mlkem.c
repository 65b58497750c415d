/*
 * mlkem768x25519-sha256: present only when libcrypto has ML-KEM-768 (meson
 * defines BURROW_HAVE_MLKEM). Without it this test is skipped (exit 77) and
 * checks that the method is absent everywhere; with it, a round trip through
 * the table checks the wire sizes of the draft and K encoded as a string.
 */
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "util/err.h"
#include "wire/rd.h"

#define NAME "mlkem768x25519-sha256"

static void test_roundtrip(const struct kex_alg *kex)
{
	struct kex_priv *priv = NULL;
	struct buf qc, qs, kc, ks;
	const uint8_t *k;
	size_t k_len;
	struct rd r;

	buf_init(&qc);
	buf_init(&qs);
	buf_init(&kc);
	buf_init(&ks);
	CHECK_INT(kex->hash, HASH_SHA256);
	CHECK_INT(kex->keypair(&priv, &qc), 0);
	CHECK_INT(buf_len(&qc), 1184 + 32);
	CHECK_INT(kex->encaps(buf_ptr(&qc), buf_len(&qc), &qs, &ks), 0);
	CHECK_INT(buf_len(&qs), 1088 + 32);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qs), buf_len(&qs), &kc), 0);
	CHECK(buf_len(&kc) == buf_len(&ks) &&
	      memcmp(buf_ptr(&kc), buf_ptr(&ks), buf_len(&kc)) == 0);
	/* K = string(SHA-256(K_PQ || K_CL)): 32 bytes, whatever the top bit. */
	rd_init(&r, buf_ptr(&kc), buf_len(&kc));
	CHECK_INT(rd_string(&r, &k, &k_len), 0);
	CHECK_INT(rd_end(&r), 0);
	CHECK_INT(k_len, 32);
	buf_reset(&kc);
	buf_reset(&qs);
	buf_reset(&ks);
	CHECK_INT(kex->decaps(priv, buf_ptr(&qc), 1088 + 31, &kc), ERR_FORMAT);
	CHECK_INT(kex->encaps(buf_ptr(&qc), 1184 + 33, &qs, &ks), ERR_FORMAT);
	CHECK_INT(buf_len(&kc) + buf_len(&qs) + buf_len(&ks), 0);
	kex->priv_free(priv);
	buf_free(&qc);
	buf_free(&qs);
	buf_free(&kc);
	buf_free(&ks);
}

int main(void)
{
	const struct kex_alg *kex = kex_alg_by_name(NAME);

	if (kex == NULL) {
		/* Absent means absent from every list too. */
		CHECK(strstr(kex_default_list(), NAME) == NULL);
		CHECK(strstr(kex_supported_list(), NAME) == NULL);
		if (check_failures != 0)
			CHECK_DONE();
		printf("SKIP: libcrypto has no ML-KEM-768 (OpenSSL < 3.5): " NAME
		       " is not built\n");
		return 77;
	}
	CHECK(strncmp(kex_default_list(), NAME ",", strlen(NAME) + 1) == 0);
	test_roundtrip(kex);
	CHECK_DONE();
}
