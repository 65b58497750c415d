/*
 * ssh-ed25519 keys: RFC 8032 section 7.1 TEST 1-3 through key_sign/key_verify,
 * ssh-keygen as an oracle (committed key pair and fingerprint under data/,
 * and `ssh-keygen -y` / `-l` on files we write), and malformed inputs.
 * Usage: test_key DATA_DIR SSH_KEYGEN
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "test_key_util.h"
#include "util/err.h"
#include "wire/base64.h"
#include "wire/rd.h"

static const char *data_dir, *keygen;

static const struct {
	const char *sk, *pk, *msg, *sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static void test_rfc8032(void)
{
	for (size_t i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		uint8_t sk[32], pk[32], msg[8], sig[64];
		size_t mlen = check_unhex(rfc8032[i].msg, msg, sizeof(msg));
		struct key *k = NULL, *pub = NULL;
		struct buf blob, s, bad;
		const uint8_t *p;
		size_t n;
		struct rd r;

		buf_init(&blob);
		buf_init(&s);
		buf_init(&bad);
		check_unhex(rfc8032[i].sk, sk, sizeof(sk));
		check_unhex(rfc8032[i].pk, pk, sizeof(pk));
		check_unhex(rfc8032[i].sig, sig, sizeof(sig));
		CHECK_INT(key_ed25519_from_seed(sk, sizeof(sk), &k), 0);
		if (k == NULL)
			continue;
		CHECK(key_has_private(k));
		CHECK_INT(key_type(k), KEY_ED25519);
		CHECK_STR(key_type_name(k), "ssh-ed25519");
		CHECK_STR(key_sig_algs(k), "ssh-ed25519");
		/* Blob = string "ssh-ed25519" || string(pk), RFC 8709 section 4. */
		CHECK_INT(key_to_blob(k, &blob), 0);
		rd_init(&r, buf_ptr(&blob), buf_len(&blob));
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == 11 && memcmp(p, "ssh-ed25519", 11) == 0);
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == 32 && memcmp(p, pk, 32) == 0);
		CHECK_INT(rd_end(&r), 0);

		CHECK_INT(key_sign(k, "ssh-ed25519", msg, mlen, &s), 0);
		rd_init(&r, buf_ptr(&s), buf_len(&s));
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == 11 && memcmp(p, "ssh-ed25519", 11) == 0);
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == 64 && memcmp(p, sig, 64) == 0);
		CHECK_INT(rd_end(&r), 0);

		CHECK_INT(key_public_copy(k, &pub), 0);
		if (pub == NULL)
			goto next;
		CHECK(!key_has_private(pub));
		CHECK(key_equal(k, pub));
		CHECK_INT(key_sign(pub, NULL, msg, mlen, &bad), ERR_INVALID_ARG);
		CHECK_INT(key_verify(pub, "ssh-ed25519", buf_ptr(&s), buf_len(&s), msg, mlen), 0);
		CHECK_INT(key_verify(pub, NULL, buf_ptr(&s), buf_len(&s), msg, mlen), 0);
		CHECK_INT(key_verify(pub, "rsa-sha2-256", buf_ptr(&s), buf_len(&s), msg, mlen),
			  ERR_SIGNATURE);
		CHECK_INT(key_verify(pub, NULL, buf_ptr(&s), buf_len(&s), (const uint8_t *)"x", 1),
			  ERR_SIGNATURE);
		/* Every truncation and every flipped byte fails. */
		for (size_t j = 0; j < buf_len(&s); j++)
			CHECK_INT(key_verify(pub, NULL, buf_ptr(&s), j, msg, mlen), ERR_SIGNATURE);
		for (size_t j = 0; j < buf_len(&s); j++) {
			buf_reset(&bad);
			CHECK_INT(buf_put(&bad, buf_ptr(&s), buf_len(&s)), 0);
			buf_mutable_ptr(&bad)[j] ^= 0x01;
			CHECK_INT(key_verify(pub, NULL, buf_ptr(&bad), buf_len(&bad), msg, mlen),
				  ERR_SIGNATURE);
		}
		/* Trailing bytes after the signature blob. */
		buf_reset(&bad);
		CHECK_INT(buf_put(&bad, buf_ptr(&s), buf_len(&s)), 0);
		CHECK_INT(buf_put_u8(&bad, 0), 0);
		CHECK_INT(key_verify(pub, NULL, buf_ptr(&bad), buf_len(&bad), msg, mlen),
			  ERR_SIGNATURE);
		/* A 63-byte signature with a consistent blob. */
		buf_reset(&bad);
		CHECK_INT(buf_put_cstring(&bad, "ssh-ed25519"), 0);
		CHECK_INT(buf_put_string(&bad, sig, 63), 0);
		CHECK_INT(key_verify(pub, NULL, buf_ptr(&bad), buf_len(&bad), msg, mlen),
			  ERR_SIGNATURE);
next:
		key_free(pub);
		key_free(k);
		buf_free(&blob);
		buf_free(&s);
		buf_free(&bad);
	}
}

static void test_oracle_files(void)
{
	char *priv_path = tk_path(data_dir, "id_ed25519");
	char *pub_path = tk_path(data_dir, "id_ed25519.pub");
	char *fp_path = tk_path(data_dir, "id_ed25519.fp");
	char *enc_path = tk_path(data_dir, "id_ed25519_enc");
	char *fp_text = tk_slurp(fp_path, NULL), *pub_text = tk_slurp(pub_path, NULL);
	struct key *priv = NULL, *pub = NULL, *tmp = NULL;
	char *c1 = NULL, *c2 = NULL, fp[KEY_FP_MAX], exp_fp[KEY_FP_MAX] = "";
	struct buf line, sig;

	buf_init(&line);
	buf_init(&sig);
	CHECK(fp_text != NULL && pub_text != NULL);
	/* "256 SHA256:... test (ED25519)" */
	if (fp_text != NULL)
		CHECK_INT(sscanf(fp_text, "%*d %79s", exp_fp), 1);
	CHECK_INT(key_load_private(priv_path, &priv, &c1), 0);
	CHECK_INT(key_load_public(pub_path, &pub, &c2), 0);
	if (priv == NULL || pub == NULL)
		goto out;
	CHECK_STR(c1, "test");
	CHECK_STR(c2, "test");
	CHECK(key_has_private(priv));
	CHECK(!key_has_private(pub));
	CHECK(key_equal(priv, pub));
	CHECK_INT(key_fingerprint(priv, fp, sizeof(fp)), 0);
	CHECK_STR(fp, exp_fp);
	CHECK_INT(key_fingerprint(pub, fp, sizeof(fp)), 0);
	CHECK_STR(fp, exp_fp);
	CHECK_INT(key_fingerprint(pub, fp, 20), ERR_TOO_LARGE);
	/* Our public line is ssh-keygen's without the comment. */
	CHECK_INT(key_format_public(pub, &line), 0);
	CHECK_INT(buf_put_u8(&line, 0), 0);
	if (pub_text != NULL) {
		CHECK(strncmp(pub_text, (const char *)buf_ptr(&line), buf_len(&line) - 1) == 0);
		CHECK(pub_text[buf_len(&line) - 1] == ' ');
	}
	CHECK_INT(key_sign(priv, "ssh-ed25519", (const uint8_t *)"hello", 5, &sig), 0);
	CHECK_INT(key_verify(pub, "ssh-ed25519", buf_ptr(&sig), buf_len(&sig),
			     (const uint8_t *)"hello", 5), 0);
	CHECK_INT(key_verify(pub, "ssh-ed25519", buf_ptr(&sig), buf_len(&sig),
			     (const uint8_t *)"hellO", 5), ERR_SIGNATURE);
	/* A private file is not a public file and vice versa; encrypted needs a passphrase. */
	CHECK(key_load_public(priv_path, &tmp, NULL) != 0);
	CHECK(key_load_private(pub_path, &tmp, NULL) != 0);
	CHECK_INT(key_load_private(enc_path, &tmp, NULL), ERR_PASSPHRASE);
	CHECK_INT(key_load_private("/nonexistent/burrow/key", &tmp, NULL), ERR_NOT_FOUND);
	CHECK(tmp == NULL);
out:
	key_free(priv);
	key_free(pub);
	free(c1);
	free(c2);
	free(priv_path);
	free(pub_path);
	free(fp_path);
	free(enc_path);
	free(fp_text);
	free(pub_text);
	buf_free(&line);
	buf_free(&sig);
}

static void test_save(void)
{
	char dir[] = "/tmp/burrow-keytest-XXXXXX";
	char *path = NULL, *pub_path = NULL, *out = NULL, *c = NULL;
	struct key *k = NULL, *k2 = NULL, *p2 = NULL;
	char fp[KEY_FP_MAX], exp[300];
	struct buf line;
	struct stat st;
	size_t n;

	buf_init(&line);
	CHECK(mkdtemp(dir) != NULL);
	path = tk_path(dir, "id_test");
	pub_path = tk_path(dir, "id_test.pub");
	CHECK_INT(key_generate(KEY_ED25519, &k), 0);
	CHECK_INT(key_generate(KEY_UNKNOWN, &k2), ERR_KEY_TYPE);
	if (k == NULL || path == NULL || pub_path == NULL)
		goto out;
	CHECK_INT(key_save_private(k, path, "saved key"), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(stat(pub_path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);

	CHECK_INT(key_load_private(path, &k2, &c), 0);
	CHECK(c != NULL && strcmp(c, "saved key") == 0);
	free(c);
	c = NULL;
	CHECK_INT(key_load_public(pub_path, &p2, &c), 0);
	CHECK(c != NULL && strcmp(c, "saved key") == 0);
	CHECK(k2 != NULL && key_equal(k, k2) && key_has_private(k2));
	CHECK(p2 != NULL && key_equal(k, p2));

	/* ssh-keygen must accept what we wrote and derive the same public key. */
	CHECK_INT(key_format_public(k, &line), 0);
	n = buf_len(&line) < sizeof(exp) - 1 ? buf_len(&line) : sizeof(exp) - 1;
	memcpy(exp, buf_ptr(&line), n);
	exp[n] = '\0';
	out = tk_run("'%s' -y -f '%s' 2>&1", keygen, path);
	CHECK(out != NULL && strncmp(out, exp, strlen(exp)) == 0);
	if (out == NULL || strncmp(out, exp, strlen(exp)) != 0)
		fprintf(stderr, "ssh-keygen -y said: %s\nexpected: %s\n", out ? out : "(fail)", exp);
	free(out);
	out = tk_run("'%s' -l -f '%s' 2>&1", keygen, path);
	CHECK_INT(key_fingerprint(k, fp, sizeof(fp)), 0);
	CHECK(out != NULL && strstr(out, fp) != NULL && strstr(out, "saved key") != NULL);
	free(out);
	/* Saving over an existing file with a looser mode tightens it. */
	CHECK_INT(chmod(path, 0644), 0);
	CHECK_INT(key_save_private(k, path, NULL), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(key_save_private(p2, path, NULL), ERR_INVALID_ARG);
	unlink(path);
	unlink(pub_path);
	rmdir(dir);
out:
	key_free(k);
	key_free(k2);
	key_free(p2);
	free(c);
	free(path);
	free(pub_path);
	buf_free(&line);
}

static void test_bad_blobs(void)
{
	struct key *k = NULL, *t = NULL;
	struct buf blob, bad;
	uint8_t seed[32] = { 1, 2, 3 };

	buf_init(&blob);
	buf_init(&bad);
	CHECK_INT(key_ed25519_from_seed(seed, sizeof(seed), &k), 0);
	CHECK_INT(key_ed25519_from_seed(seed, 31, &t), ERR_INVALID_ARG);
	if (k == NULL)
		return;
	CHECK_INT(key_to_blob(k, &blob), 0);
	for (size_t i = 0; i < buf_len(&blob); i++)
		CHECK(key_from_blob(buf_ptr(&blob), i, &t) != 0);
	CHECK_INT(buf_put(&bad, buf_ptr(&blob), buf_len(&blob)), 0);
	CHECK_INT(buf_put_u8(&bad, 0), 0);
	CHECK_INT(key_from_blob(buf_ptr(&bad), buf_len(&bad), &t), ERR_FORMAT);
	buf_reset(&bad);
	CHECK_INT(buf_put_cstring(&bad, "ssh-ed25519"), 0);
	CHECK_INT(buf_put_string(&bad, seed, 31), 0);
	CHECK_INT(key_from_blob(buf_ptr(&bad), buf_len(&bad), &t), ERR_FORMAT);
	buf_reset(&bad);
	CHECK_INT(buf_put_cstring(&bad, "ssh-dss"), 0);
	CHECK_INT(buf_put_string(&bad, seed, 32), 0);
	CHECK_INT(key_from_blob(buf_ptr(&bad), buf_len(&bad), &t), ERR_KEY_TYPE);
	CHECK(t == NULL);
	CHECK_INT(key_type_from_name("ssh-ed25519"), KEY_ED25519);
	CHECK_INT(key_type_from_name("ssh-dss"), KEY_UNKNOWN);
	CHECK_INT(key_type_from_name("ssh-rsa"), KEY_RSA);
	CHECK_INT(key_type_from_name(NULL), KEY_UNKNOWN);
	key_free(k);
	buf_free(&blob);
	buf_free(&bad);
}

static void test_bad_lines(void)
{
	static const char *bad[] = {
		"",
		"   ",
		"ssh-ed25519",
		"ssh-ed25519 ",
		"ssh-ed25519 AAAA!!!!",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0FJSow/jrOJanIQcB8aQ1xHnfNKa",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0FJSow/jrOJanIQcB8aQ1xHnfNKasAA==",
		"ssh-dss AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0FJSow/jrOJanIQcB8aQ1xHnfNKas",
		"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0FJSow/jrOJanIQcB8aQ1xHnfNKas",
		"ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0FJSow/jrOJanIQcB8aQ1xHnfNKas",
	};
	struct key *k = NULL;
	char *c = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(key_parse_public_line(bad[i], &k, &c) != 0);
		CHECK(k == NULL && c == NULL);
	}
	CHECK_INT(key_parse_public_line(bad[7], &k, NULL), ERR_KEY_TYPE);
	/* A known type whose blob names another. */
	CHECK_INT(key_parse_public_line(bad[8], &k, NULL), ERR_FORMAT);
	CHECK_INT(key_parse_public_line("\tssh-ed25519  AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0"
					"FJSow/jrOJanIQcB8aQ1xHnfNKas  two words \r\n", &k, &c), 0);
	CHECK(c != NULL && strcmp(c, "two words") == 0);
	key_free(k);
	free(c);
	k = NULL;
	c = NULL;
	CHECK_INT(key_parse_public_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINNtgFydU7xDiBr0"
					"FJSow/jrOJanIQcB8aQ1xHnfNKas", &k, &c), 0);
	CHECK(c != NULL && c[0] == '\0');
	key_free(k);
	free(c);
}

/* Armour raw key bytes and parse them. */
static int parse_raw(const uint8_t *raw, size_t n)
{
	struct buf text;
	struct key *k = NULL;
	char *c = NULL;
	int r;

	buf_init(&text);
	buf_put(&text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36);
	base64_encode(&text, raw, n, 1);
	buf_put(&text, "\n-----END OPENSSH PRIVATE KEY-----\n", 35);
	r = key_parse_private((const char *)buf_ptr(&text), buf_len(&text), &k, &c);
	if (r != 0)
		CHECK(k == NULL && c == NULL);
	key_free(k);
	free(c);
	buf_free(&text);
	return r;
}

static void test_bad_private(void)
{
	char *path = tk_path(data_dir, "id_ed25519");
	char *text = tk_slurp(path, NULL);
	const char *b, *e;
	struct buf raw, mod;
	struct key *k = NULL;
	size_t n;

	buf_init(&raw);
	buf_init(&mod);
	CHECK(text != NULL);
	if (text == NULL)
		goto out;
	b = strchr(text, '\n');
	e = strstr(text, "-----END");
	CHECK(b != NULL && e != NULL);
	if (b == NULL || e == NULL)
		goto out;
	CHECK_INT(base64_decode(&raw, b, (size_t)(e - b)), 0);
	n = buf_len(&raw);
	/* Layout (PROTOCOL.key): 15 magic, 8 "none", 8 "none", 4 "", 4 nkeys, 55 pub, 4 len. */
	CHECK(n > 106 && get_u32be(buf_ptr(&raw) + 94) == n - 98);
	CHECK_INT(parse_raw(buf_ptr(&raw), n), 0);

	for (size_t i = 0; i < n; i++)
		CHECK(parse_raw(buf_ptr(&raw), i) != 0);
	/* Flipping any byte must not crash; outside the comment it must fail. */
	for (size_t i = 0; i < n; i++) {
		int r;

		buf_reset(&mod);
		buf_put(&mod, buf_ptr(&raw), n);
		buf_mutable_ptr(&mod)[i] ^= 0x41;
		r = parse_raw(buf_ptr(&mod), n);
		/* bytes n-5..n-2 are the comment "test" */
		if (i < n - 5 || i == n - 1)
			CHECK(r != 0);
	}
	/* check1 != check2 */
	buf_reset(&mod);
	buf_put(&mod, buf_ptr(&raw), n);
	buf_mutable_ptr(&mod)[105] ^= 1;
	CHECK_INT(parse_raw(buf_ptr(&mod), n), ERR_FORMAT);
	/* padding 1,2,3.. broken */
	buf_reset(&mod);
	buf_put(&mod, buf_ptr(&raw), n);
	CHECK_INT(buf_mutable_ptr(&mod)[n - 1], 1);
	buf_mutable_ptr(&mod)[n - 1] = 2;
	CHECK_INT(parse_raw(buf_ptr(&mod), n), ERR_FORMAT);
	/* a full extra block of padding */
	buf_reset(&mod);
	buf_put(&mod, buf_ptr(&raw), n);
	buf_put(&mod, "\x02\x03\x04\x05\x06\x07\x08\x09", 8);
	put_u32be(buf_mutable_ptr(&mod) + 94, (uint32_t)(n + 8 - 98));
	CHECK_INT(parse_raw(buf_ptr(&mod), n + 8), ERR_FORMAT);
	/* trailing bytes after the section */
	buf_reset(&mod);
	buf_put(&mod, buf_ptr(&raw), n);
	buf_put(&mod, "\0\0\0\0", 4);
	CHECK_INT(parse_raw(buf_ptr(&mod), n + 4), ERR_FORMAT);
	/* two keys claimed */
	buf_reset(&mod);
	buf_put(&mod, buf_ptr(&raw), n);
	buf_mutable_ptr(&mod)[38] = 2;
	CHECK(parse_raw(buf_ptr(&mod), n) != 0);
	/* armour problems */
	CHECK(key_parse_private("", 0, &k, NULL) != 0);
	CHECK(key_parse_private(text + 1, strlen(text) - 1, &k, NULL) != 0);
	CHECK(key_parse_private(text, (size_t)(e - text), &k, NULL) != 0);
	{
		char *junk = strdup(text);

		junk[50] = '*';
		CHECK_INT(key_parse_private(junk, strlen(junk), &k, NULL), ERR_FORMAT);
		free(junk);
	}
	CHECK(k == NULL);
out:
	free(path);
	free(text);
	buf_free(&raw);
	buf_free(&mod);
}

int main(int argc, char **argv)
{
	if (tk_args(argc, argv, &data_dir, &keygen) != 0)
		return 2;
	test_rfc8032();
	test_oracle_files();
	test_save();
	test_bad_blobs();
	test_bad_lines();
	test_bad_private();
	CHECK_DONE();
}
