/*
 * Encrypted and foreign private key files:
 *  - bcrypt_pbkdf known answers (OpenBSD's regress vectors, as published
 *    with RustCrypto's bcrypt-pbkdf crate);
 *  - OpenSSH keys encrypted by `ssh-keygen -p -Z CIPHER -a 4` with every
 *    cipher it offers for keys (committed under data/, plus one made now),
 *    which must decrypt to the same key as the plain file;
 *  - PEM / PKCS#8 RSA and ECDSA keys from `ssh-keygen -m PEM|PKCS8`,
 *    plain and encrypted (and a 768-bit RSA key, refused);
 *  - a missing or wrong passphrase is ERR_PASSPHRASE.
 * Usage: test_key_crypt DATA_DIR SSH_KEYGEN
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "test_key_util.h"
#include "util/err.h"

#define PASS "burrow-pass"

static const char *data_dir, *keygen;

static void test_bcrypt_pbkdf(void)
{
	static const char lorem[] =
		"Lorem ipsum dolor sit amet, consectetur adipisicing elit, "
		"sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
		"Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
		"nisi ut aliquip ex ea commodo consequat. "
		"Duis aute irure dolor in reprehenderit in voluptate velit esse cillum "
		"dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non "
		"proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";
	static const struct {
		const char *pass;
		size_t pass_len;
		const char *salt;
		size_t salt_len;
		uint32_t rounds;
		const char *out;
	} v[] = {
		{ "password", 8, "salt", 4, 4,
		  "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9" },
		{ "password", 8, "\0", 1, 4, "c12b566235eee04c212598970a579a67" },
		{ "\0", 1, "salt", 4, 4, "6051be18c2f4f82cbf0efee5471b4bb9" },
		{ "password\0", 9, "salt\0", 5, 4,
		  "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050" },
		{ "pass\0wor", 8, "sa\0l", 4, 4, "c2bffd9db38f6569efef4372f4de83c0" },
		{ "pass\0word", 9, "sa\0lt", 5, 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f" },
		{ "password", 8, "salt", 4, 8,
		  "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7"
		  "6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d" },
		{ "password", 8, "salt", 4, 42, "833cf0dcf56db65608e8f0dc0ce882bd" },
		{ lorem, sizeof(lorem) - 1, "salis\0", 6, 8, "10978b07253df57f71a162eb0e8ad30a" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t exp[128], got[128];
		size_t n = check_unhex(v[i].out, exp, sizeof(exp));

		memset(got, 0xaa, sizeof(got));
		CHECK_INT(bcrypt_pbkdf(v[i].pass, v[i].pass_len, (const uint8_t *)v[i].salt,
				       v[i].salt_len, v[i].rounds, got, n), 0);
		CHECK_MEM(got, exp, n);
		CHECK(got[n] == 0xaa); /* nothing written past key_len */
		if (memcmp(got, exp, n) != 0)
			fprintf(stderr, "bcrypt_pbkdf vector %zu differs\n", i);
	}
	{
		uint8_t k[16];

		CHECK_INT(bcrypt_pbkdf("", 0, (const uint8_t *)"s", 1, 4, k, sizeof(k)),
			  ERR_INVALID_ARG);
		CHECK_INT(bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 1, 0, k, sizeof(k)),
			  ERR_INVALID_ARG);
		CHECK_INT(bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 0, 4, k, sizeof(k)),
			  ERR_INVALID_ARG);
	}
}

/* path (in data/) with passphrase must be the same key as plain (in data/). */
static void check_same(const char *file, const char *pass, const char *plain, const char *cmt)
{
	char *path = tk_path(data_dir, file), *plain_path = tk_path(data_dir, plain);
	struct key *k = NULL, *ref = NULL, *tmp = NULL;
	char *c = NULL;

	CHECK_INT(key_load_private(plain_path, &ref, NULL), 0);
	CHECK_INT(key_load_private_pass(path, pass, &k, &c), 0);
	if (k == NULL || ref == NULL) {
		fprintf(stderr, "%s did not load\n", file);
		goto out;
	}
	CHECK(key_equal(k, ref));
	CHECK(key_has_private(k));
	CHECK(c != NULL && strcmp(c, cmt) == 0);
	/* The decrypted key signs like the plain one. */
	{
		struct buf sig;
		char alg[64];

		buf_init(&sig);
		snprintf(alg, sizeof(alg), "%.*s", (int)strcspn(key_sig_algs(k), ","),
			 key_sig_algs(k));
		CHECK_INT(key_sign(k, alg, (const uint8_t *)"x", 1, &sig), 0);
		CHECK_INT(key_verify(ref, alg, buf_ptr(&sig), buf_len(&sig), (const uint8_t *)"x",
				     1), 0);
		buf_free(&sig);
	}
	if (pass != NULL && strcmp(pass, PASS) == 0) { /* an encrypted file */
		CHECK_INT(key_load_private(path, &tmp, NULL), ERR_PASSPHRASE);
		CHECK_INT(key_load_private_pass(path, "", &tmp, NULL), ERR_PASSPHRASE);
		CHECK_INT(key_load_private_pass(path, "wrong-pass", &tmp, NULL), ERR_PASSPHRASE);
		CHECK_INT(key_load_private_pass(path, PASS "x", &tmp, NULL), ERR_PASSPHRASE);
		CHECK(tmp == NULL);
	}
out:
	key_free(k);
	key_free(ref);
	key_free(tmp);
	free(c);
	free(path);
	free(plain_path);
}

static void test_encrypted_openssh(void)
{
	static const char *const ciphers[] = {
		"aes256-ctr", "aes128-ctr", "aes192-ctr", "aes256-cbc", "aes128-cbc",
		"aes256-gcm", "chacha20-poly1305",
	};

	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "id_ed25519_enc_%s", ciphers[i]);
		check_same(name, PASS, "id_ed25519", "test");
	}
	check_same("id_rsa2048_enc", PASS, "id_rsa2048", "test id_rsa2048");
	check_same("id_ecdsa384_enc", PASS, "id_ecdsa384", "test id_ecdsa384");
	/* The passphrase of a plain file is ignored. */
	check_same("id_ecdsa521", "unused", "id_ecdsa521", "test id_ecdsa521");
}

static void test_pem(void)
{
	static const char *const keys[] = { "id_rsa2048", "id_ecdsa256", "id_ecdsa521" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.pem", keys[i]);
		check_same(name, NULL, keys[i], "");
		snprintf(name, sizeof(name), "%s.p8", keys[i]);
		check_same(name, NULL, keys[i], "");
		snprintf(name, sizeof(name), "%s.pem_enc", keys[i]);
		check_same(name, PASS, keys[i], "");
		snprintf(name, sizeof(name), "%s.p8_enc", keys[i]);
		check_same(name, PASS, keys[i], "");
	}
	{
		static const char junk[] = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
					   "-----END RSA PRIVATE KEY-----\n";
		struct key *k = NULL;

		CHECK_INT(key_parse_private_pass(junk, sizeof(junk) - 1, NULL, &k, NULL),
			  ERR_FORMAT);
		CHECK_INT(key_parse_private_pass("hello", 5, NULL, &k, NULL), ERR_FORMAT);
		CHECK(k == NULL);
	}
	{
		/* `openssl genrsa 768`: under OpenSSH 9.2's 1024-bit minimum. */
		char *path = tk_path(data_dir, "id_rsa768.pem");
		struct key *k = NULL;

		CHECK_INT(key_load_private(path, &k, NULL), ERR_KEY_LENGTH);
		CHECK(k == NULL);
		free(path);
	}
}

/* A key ssh-keygen makes now, encrypted with its defaults (aes256-ctr, 16 rounds). */
static void test_fresh(void)
{
	char dir[] = "/tmp/burrow-keycrypt-XXXXXX";
	char *path, *out;
	struct key *k = NULL;
	struct buf line;

	buf_init(&line);
	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	path = tk_path(dir, "id");
	out = tk_run("'%s' -q -t ecdsa -b 521 -N 'fresh pass phrase' -C fresh -f '%s' 2>&1",
		     keygen, path);
	CHECK(out != NULL);
	free(out);
	out = tk_run("'%s' -y -P 'fresh pass phrase' -f '%s' 2>&1", keygen, path);
	CHECK_INT(key_load_private(path, &k, NULL), ERR_PASSPHRASE);
	CHECK_INT(key_load_private_pass(path, "fresh pass phrase", &k, NULL), 0);
	if (k != NULL && out != NULL) {
		CHECK_INT(key_format_public(k, &line), 0);
		CHECK(strncmp(out, (const char *)buf_ptr(&line), buf_len(&line)) == 0);
	}
	free(out);
	out = tk_run("rm -rf '%s'", dir);
	free(out);
	key_free(k);
	free(path);
	buf_free(&line);
}

int main(int argc, char **argv)
{
	if (tk_args(argc, argv, &data_dir, &keygen) != 0)
		return 2;
	test_bcrypt_pbkdf();
	test_encrypted_openssh();
	test_pem();
	test_fresh();
	CHECK_DONE();
}
